//! The member access client operations (adapter protocol §11.1, spec
//! §19.2): a host publishes the wrapper set of the current epoch, a member
//! reads the group's set over relays and opens its wrapper.
//!
//! Like every client operation, both are stateless: what a host keeps on its
//! device (the group id, its device secret, the schedule, SALT and LOG_N,
//! the epoch secret and the members' intermediates) and every value it
//! would draw at random (the epoch secret, the wrapper nonces, the signature
//! randomness) is passed in by the caller (OS-ADAPTER-12). The protocol work
//! is [`crate::wrap`]'s and [`crate::wrap_set`]'s; this module adds the
//! relays: query every relay for the set's address (OS-WRAP-17), publish to
//! every relay (OS-EVENT-12) with `created_at` above every earlier version
//! (OS-EVENT-9, OS-WRAP-18).

use nostr::event::Event;
use nostr::key::PublicKey;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ops::OpError;
use super::{ClientError, Relays, net};
use crate::error::Failure;
use crate::event;
use crate::kdf::DeviceSecret;
use crate::wrap::{self, EpochSecret, GroupId, Intermediate, Schedule, WrapError};
use crate::wrap_set::{self, Invitation};

/// The member access client operations.
pub const OPERATIONS: &[&str] = &["publish_wrapper_set", "join_group"];

fn code_err(f: Failure, what: &str) -> OpError {
    OpError {
        code: Some(f.code.as_str().to_owned()),
        message: format!("{what} ({})", f.requirement),
    }
}

fn wrap_err(e: WrapError) -> OpError {
    let f = Failure::from(e);
    code_err(f, &e.to_string())
}

fn bad(message: impl Into<String>) -> OpError {
    OpError {
        code: None,
        message: message.into(),
    }
}

fn hex_n<const N: usize>(name: &str, s: &str) -> Result<[u8; N], OpError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out)
        .map_err(|_| bad(format!("{name} must be {} hexadecimal characters", 2 * N)))?;
    Ok(out)
}

#[derive(Deserialize)]
struct Common {
    relays: Vec<String>,
    timeout_ms: u64,
    now: u64,
}

impl Common {
    fn relays(&self) -> Relays {
        Relays {
            urls: self.relays.clone(),
            timeout: std::time::Duration::from_millis(self.timeout_ms),
        }
    }
}

#[derive(Deserialize)]
struct PublishInput {
    #[serde(flatten)]
    common: Common,
    group_id: String,
    device_secret: String,
    rotate: u64,
    margin: u64,
    salt: String,
    log_n: u8,
    epoch_secret: String,
    intermediates: Vec<String>,
    wrapper_nonces: Vec<String>,
    aux_rand: String,
}

#[derive(Deserialize)]
struct JoinInput {
    #[serde(flatten)]
    common: Common,
    group_id: String,
    host: String,
    rotate: u64,
    margin: u64,
    passphrase: String,
}

/// Queries every relay for the group's set address (OS-WRAP-17).
async fn candidates(
    relays: &Relays,
    group: &GroupId,
    host: &PublicKey,
) -> Result<Vec<Event>, OpError> {
    let filter = json!({
        "kinds": [event::KIND],
        "authors": [host.to_hex()],
        "#d": [wrap::set_d_tag(group)],
    });
    let outcome = net::query(&relays.urls, &[filter], relays.timeout).await;
    if !outcome.any_relay_answered() {
        return Err(ClientError::RelayUnavailable("no relay answered the query".into()).into());
    }
    Ok(outcome.events())
}

async fn publish_wrapper_set(input: &Value) -> Result<Value, OpError> {
    let i = PublishInput::deserialize(input).map_err(|e| bad(format!("bad input: {e}")))?;
    let group = GroupId::from_bytes(hex_n::<32>("group_id", &i.group_id)?);
    let device = DeviceSecret::from_bytes(hex_n::<32>("device_secret", &i.device_secret)?);
    let secret = EpochSecret::from_bytes(hex_n::<32>("epoch_secret", &i.epoch_secret)?);
    let salt = hex_n::<{ wrap::SALT_LEN }>("salt", &i.salt)?;
    let aux_rand = hex_n::<32>("aux_rand", &i.aux_rand)?;
    if i.intermediates.len() != i.wrapper_nonces.len() {
        return Err(bad("one wrapper nonce per intermediate"));
    }
    let schedule = Schedule::new(i.rotate, i.margin).map_err(wrap_err)?;
    wrap::check_log_n(i.log_n).map_err(wrap_err)?;
    let mut members = Vec::with_capacity(i.intermediates.len());
    for (m, n) in i.intermediates.iter().zip(&i.wrapper_nonces) {
        members.push((
            Intermediate::from_bytes(hex_n::<32>("intermediate", m)?),
            hex_n::<{ wrap::NONCE_LEN }>("wrapper nonce", n)?,
        ));
    }
    let now = i.common.now;
    let set = wrap_set::current_set(&group, &schedule, &salt, i.log_n, &secret, &members, now)
        .map_err(wrap_err)?;
    let keys = wrap_set::host_keys(&device, &group)
        .ok_or_else(|| bad("no valid signing key for this group"))?;
    let relays = i.common.relays();
    // A new version must beat every earlier one of the address (OS-EVENT-9).
    let found = candidates(&relays, &group, &keys.public_key()).await?;
    let d = wrap::set_d_tag(&group);
    let previous = found
        .iter()
        .filter(|e| e.pubkey == keys.public_key() && event::first_tag_value(e, "d") == Some(&d))
        .filter(|e| e.verify().is_ok())
        .map(|e| e.created_at.as_secs())
        .max();
    let created_at =
        event::next_created_at(now, previous).map_err(|e| code_err(e.into(), "created_at"))?;
    let ev = wrap_set::build_set_event(&keys, &group, &schedule, &set, created_at, &aux_rand)
        .map_err(|f| code_err(f, "cannot write the wrapper set"))?;
    let published = super::publish_checked(&relays, ev).await?;
    let mut out = super::ops::published_json(&published);
    if let Value::Object(m) = &mut out {
        m.insert("epoch".into(), Value::from(set.epoch));
    }
    Ok(out)
}

async fn join_group(input: &Value) -> Result<Value, OpError> {
    let i = JoinInput::deserialize(input).map_err(|e| bad(format!("bad input: {e}")))?;
    let group = GroupId::from_bytes(hex_n::<32>("group_id", &i.group_id)?);
    let host = PublicKey::from_hex(&i.host).map_err(|_| bad("host is not an x-only public key"))?;
    let schedule = Schedule::new(i.rotate, i.margin).map_err(wrap_err)?;
    let invitation = Invitation {
        group,
        host,
        schedule,
    };
    let now = i.common.now;
    let found = candidates(&i.common.relays(), &invitation.group, &invitation.host).await?;
    let chosen = wrap_set::choose(&found, &invitation, now)
        .map_err(|(f, _)| code_err(f, "no wrapper set survived validation"))?;
    let opened =
        wrap_set::open_chosen(&i.passphrase, &invitation.group, &chosen.set).map_err(wrap_err)?;
    Ok(json!({
        "event_id": chosen.event.id.to_hex(),
        "created_at": chosen.event.created_at.as_secs(),
        "epoch": opened.epoch,
        "locator": hex::encode(opened.locator),
        "epoch_secret": hex::encode(opened.secret.as_bytes()),
        "rejected": chosen.rejected.iter().map(|(id, f)| json!({
            "id": id.to_hex(),
            "code": f.code.as_str(),
        })).collect::<Vec<_>>(),
    }))
}

/// Runs one member access client operation.
pub(crate) async fn dispatch(op: &str, input: &Value) -> Result<Value, OpError> {
    match op {
        "publish_wrapper_set" => publish_wrapper_set(input).await,
        "join_group" => join_group(input).await,
        other => Err(bad(format!("not a member access operation: {other}"))),
    }
}
