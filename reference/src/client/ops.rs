//! The client operations of the adapter protocol (`spec/adapter-protocol.md`
//! §9, schema `spec/schemas/adapter-client.schema.json`): JSON in, JSON out.
//!
//! [`call`] runs `create_room`, `join_room`, `respond` or `update_room` on a
//! runtime of its own and returns the `ok` object or the error (a spec §15
//! code and a message). Every input the harness must control is an input:
//! relay URLs, `timeout_ms`, `now`, the room id and key, the device secret,
//! the nonce and the signature randomness.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{ClientError, Published, Randomness, Relays};
use crate::Profile;
use crate::kdf::DeviceSecret;
use crate::link::Link;

/// The names of the client operations.
pub const OPERATIONS: &[&str] = &[
    "create_room",
    "join_room",
    "respond",
    "update_room",
    "publish_wrapper_set",
    "join_group",
    "request_booking",
    "settle_bookings",
];

/// A failed operation: a spec §15 code (absent for unusable input) and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpError {
    /// The spec §15 code, e.g. `room-not-found`.
    pub code: Option<String>,
    /// Free text for people.
    pub message: String,
}

impl OpError {
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Self {
            code: None,
            message: message.into(),
        }
    }
}

impl From<ClientError> for OpError {
    fn from(e: ClientError) -> Self {
        let mut message = e.to_string();
        if let Some(req) = e.requirement() {
            message = format!("{message} ({req})");
        }
        if let ClientError::PublishFailed { results, .. } = &e {
            let detail: Vec<String> = results
                .iter()
                .map(|r| {
                    format!(
                        "{}: {}{}",
                        r.relay,
                        r.status.as_str(),
                        r.status
                            .message()
                            .map(|m| format!(" {m:?}"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            message = format!("{message}: {}", detail.join("; "));
        }
        Self {
            code: e.code().map(|c| c.as_str().to_owned()),
            message,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct Common {
    relays: Vec<String>,
    timeout_ms: u64,
    pub(crate) now: u64,
}

impl Common {
    pub(crate) fn relays(&self) -> Relays {
        Relays {
            urls: self.relays.clone(),
            timeout: Duration::from_millis(self.timeout_ms),
        }
    }
}

#[derive(Deserialize)]
struct CreateInput {
    #[serde(flatten)]
    common: Common,
    origin: String,
    room_id: String,
    room_key: String,
    device_secret: String,
    title: String,
    slots: Vec<i64>,
    nonce: String,
    aux_rand: String,
}

#[derive(Deserialize)]
struct JoinInput {
    #[serde(flatten)]
    common: Common,
    link: String,
    /// Receipt nonces whose booking state to report (adapter protocol §10.1).
    #[serde(default)]
    receipts: Vec<String>,
}

#[derive(Deserialize)]
struct RespondInput {
    #[serde(flatten)]
    common: Common,
    link: String,
    device_secret: String,
    name: String,
    available: Vec<i64>,
    nonce: String,
    aux_rand: String,
}

#[derive(Deserialize)]
struct UpdateInput {
    #[serde(flatten)]
    common: Common,
    link: String,
    device_secret: String,
    title: String,
    slots: Vec<i64>,
    nonce: String,
    aux_rand: String,
}

pub(crate) fn parse<T: DeserializeOwned>(input: &Value) -> Result<T, OpError> {
    T::deserialize(input).map_err(|e| OpError::input(format!("bad input: {e}")))
}

pub(crate) fn bytes32(name: &str, hex_str: &str) -> Result<[u8; 32], OpError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out)
        .map_err(|_| OpError::input(format!("{name} must be 64 hexadecimal characters")))?;
    Ok(out)
}

pub(crate) fn rand_of(nonce: &str, aux_rand: &str) -> Result<Randomness, OpError> {
    Ok(Randomness {
        nonce: bytes32("nonce", nonce)?,
        aux_rand: bytes32("aux_rand", aux_rand)?,
    })
}

pub(crate) fn published_json(p: &Published) -> Value {
    json!({
        "event_id": p.event.id.to_hex(),
        "pubkey": p.event.pubkey.to_hex(),
        "created_at": p.event.created_at.as_secs(),
        "published": p.results.iter().map(|r| json!({
            "relay": r.relay,
            "outcome": r.status.as_str(),
            "message": r.status.message(),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn profile_of(profile: &str) -> Result<Profile, OpError> {
    match profile {
        "v1" => Ok(Profile::V1),
        "v2" => Ok(Profile::V2),
        other => Err(OpError::input(format!("unknown profile {other:?}"))),
    }
}

async fn dispatch(op: &str, profile: &str, input: &Value) -> Result<Value, OpError> {
    if let Some(r) = super::booking::dispatch(op, profile, input).await {
        return r;
    }
    match op {
        "create_room" => {
            let i: CreateInput = parse(input)?;
            let device = DeviceSecret::from_bytes(bytes32("device_secret", &i.device_secret)?);
            let link = super::new_link(
                profile_of(profile)?,
                &i.origin,
                &i.room_id,
                bytes32("room_key", &i.room_key)?,
                &device,
            )?;
            let rand = rand_of(&i.nonce, &i.aux_rand)?;
            let p = super::create_room(
                &i.common.relays(),
                &link,
                &device,
                &i.title,
                &i.slots,
                i.common.now,
                &rand,
            )
            .await?;
            let mut out = published_json(&p);
            if let Value::Object(m) = &mut out {
                m.insert("link".into(), Value::from(link.to_string()));
            }
            Ok(out)
        }
        "join_room" => {
            let i: JoinInput = parse(input)?;
            let link = Link::parse(&i.link).map_err(ClientError::from)?;
            let j = super::join_room(&i.common.relays(), &link, i.common.now).await?;
            let s = &j.state;
            let bookings = super::booking::join_bookings(&j, &i.receipts, i.common.now)?;
            let mut out = json!({
                "room_event_id": s.room_event_id.to_hex(),
                "host": s.host.to_hex(),
                "created_at": s.created_at,
                "title": s.room.title,
                "slots": s.slots,
                "participants": s.participants.iter().map(|p| json!({
                    "pubkey": p.pubkey.to_hex(),
                    "name": p.name,
                    "available": p.available,
                })).collect::<Vec<_>>(),
                "counts": s.counts,
                "rejected": s.rejected.iter().map(|(id, f)| json!({
                    "id": id.to_hex(),
                    "code": f.code.as_str(),
                })).collect::<Vec<_>>(),
                "relays": j.relays.iter().map(|(r, st)| json!({
                    "relay": r, "status": st.as_str(),
                })).collect::<Vec<_>>(),
            });
            if let (Value::Object(m), Some(b)) = (&mut out, bookings) {
                m.insert("bookings".into(), b);
            }
            Ok(out)
        }
        "respond" => {
            let i: RespondInput = parse(input)?;
            let link = Link::parse(&i.link).map_err(ClientError::from)?;
            let device = DeviceSecret::from_bytes(bytes32("device_secret", &i.device_secret)?);
            let rand = rand_of(&i.nonce, &i.aux_rand)?;
            let p = super::respond(
                &i.common.relays(),
                &link,
                &device,
                &i.name,
                &i.available,
                i.common.now,
                &rand,
            )
            .await?;
            Ok(published_json(&p))
        }
        "update_room" => {
            let i: UpdateInput = parse(input)?;
            let link = Link::parse(&i.link).map_err(ClientError::from)?;
            let device = DeviceSecret::from_bytes(bytes32("device_secret", &i.device_secret)?);
            let rand = rand_of(&i.nonce, &i.aux_rand)?;
            let p = super::update_room(
                &i.common.relays(),
                &link,
                &device,
                &i.title,
                &i.slots,
                i.common.now,
                &rand,
            )
            .await?;
            Ok(published_json(&p))
        }
        "publish_wrapper_set" | "join_group" => super::wrap::dispatch(op, input).await,
        other => Err(OpError::input(format!("not a client operation: {other}"))),
    }
}

/// Runs one client operation; `None` if `op` is not one of [`OPERATIONS`].
/// Must not be called from inside a tokio runtime: it runs its own.
pub fn call(op: &str, profile: &str, input: &Value) -> Option<Result<Value, OpError>> {
    if !OPERATIONS.contains(&op) {
        return None;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return Some(Err(OpError::input(format!("cannot start a runtime: {e}")))),
    };
    Some(runtime.block_on(dispatch(op, profile, input)))
}
