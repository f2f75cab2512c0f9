//! The reference client (spec §11.5, §14): rooms over real relays.
//!
//! Four operations, each over a list of relay URLs with one timeout, and
//! each taking `now` and every random value from its caller, so that the
//! conformance harness can check the results exactly (adapter protocol §9):
//!
//! - [`create_room`]: build and sign a room event, publish it to every relay.
//! - [`join_room`]: query every relay, union what they return, resolve.
//! - [`respond`]: join, then publish the caller's response.
//! - [`update_room`]: join, then publish a new version of the room as its host.
//!
//! Everything protocol-level is the core's: event building and reading
//! ([`crate::event`]), last-write-wins ([`crate::lww`]) and resolution
//! ([`crate::resolution`]). This module only adds the network ([`net`]) and
//! the rules about relays: query all and union (OS-RES-1, OS-RES-6), bounded
//! waits and `relay-unavailable` (OS-RES-7), publish to all and wait for `OK`
//! (OS-EVENT-12), strictly increasing `created_at` (OS-EVENT-9), per-room
//! signing keys in v2 (OS-KDF-4, OS-KDF-5).

pub mod booking;
pub mod net;
pub mod ops;
pub mod wrap;

use std::time::Duration;

use nostr::event::Event;
use nostr::key::Keys;
use serde_json::{Value, json};

use crate::blinding;
use crate::error::Failure;
use crate::event::{self, RoomContext};
use crate::kdf::{DeviceSecret, RoomKey, derive_signing_key};
use crate::link::{Link, LinkError, LinkProfile};
use crate::mask;
use crate::payload::{ResponsePayload, RoomPayload};
use crate::resolution::{self, Resolved, RoomNotFound};
use crate::{ErrorCode, Profile, SpecError};

pub use net::{PublishStatus, QueryStatus, RelayPublish};

/// Where and how long to talk to relays.
#[derive(Clone, Debug)]
pub struct Relays {
    /// The configured relay URLs (`ws://` or `wss://`).
    pub urls: Vec<String>,
    /// The bound on each network step of an operation.
    pub timeout: Duration,
}

/// The values a client draws at random, supplied by the caller so that
/// results can be checked (OS-CIPHER-3, OS-LINK-9: a real client draws them
/// from a CSPRNG).
#[derive(Clone)]
pub struct Randomness {
    /// The NIP-44 nonce of the event's content.
    pub nonce: [u8; 32],
    /// The BIP-340 auxiliary randomness of the signature.
    pub aux_rand: [u8; 32],
}

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The link does not parse (OS-LINK-*).
    #[error("link: {0}")]
    Link(#[from] LinkError),
    /// No relay could be queried (OS-RES-7).
    #[error("no relay could be queried: {0}")]
    RelayUnavailable(String),
    /// The relays answered and no valid room was among their events (OS-RES-2).
    #[error(transparent)]
    RoomNotFound(#[from] RoomNotFound),
    /// No relay accepted the event (OS-EVENT-12).
    #[error("no relay accepted event {event_id}")]
    PublishFailed {
        /// The event that was sent.
        event_id: String,
        /// Every relay's answer.
        results: Vec<RelayPublish>,
    },
    /// The event could not be built (a payload, mask or cipher limit).
    #[error("cannot build the event: {0}")]
    Build(Failure),
    /// A caller input is unusable: a bad secret key, an impossible request.
    #[error("invalid input: {0}")]
    Input(String),
}

impl ClientError {
    /// The spec §15 code of the failure, if it has one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Link(e) => Some(e.code()),
            Self::RelayUnavailable(_) => Some(ErrorCode::RelayUnavailable),
            Self::RoomNotFound(_) => Some(ErrorCode::RoomNotFound),
            Self::PublishFailed { .. } => Some(ErrorCode::PublishFailed),
            Self::Build(f) => Some(f.code),
            Self::Input(_) => None,
        }
    }

    /// The requirement whose rule produced the failure.
    pub fn requirement(&self) -> Option<&'static str> {
        match self {
            Self::Link(e) => Some(e.requirement()),
            Self::RelayUnavailable(_) => Some("OS-RES-7"),
            Self::RoomNotFound(e) => Some(e.requirement()),
            Self::PublishFailed { .. } => Some("OS-EVENT-12"),
            Self::Build(f) => Some(f.requirement),
            Self::Input(_) => None,
        }
    }
}

impl From<Failure> for ClientError {
    fn from(f: Failure) -> Self {
        Self::Build(f)
    }
}

/// A room as one join saw it.
#[derive(Clone, Debug)]
pub struct Joined {
    /// The room context the link determines.
    pub ctx: RoomContext,
    /// The resolved state (OS-RES-4).
    pub state: Resolved,
    /// The union of every event the relays returned.
    pub events: Vec<Event>,
    /// Per relay, per query: how the subscription ended.
    pub relays: Vec<(String, QueryStatus)>,
}

/// A published event and every relay's answer.
#[derive(Clone, Debug)]
pub struct Published {
    /// The event.
    pub event: Event,
    /// Every relay's answer, in the configured order (OS-EVENT-12).
    pub results: Vec<RelayPublish>,
}

/// The signing key of `device` for the room of `ctx`: in v1 the device key
/// itself (the deployed app's one key per browser), in v2 the per-room key
/// of OS-KDF-5 (OS-KDF-4).
pub fn signing_keys(ctx: &RoomContext, device: &DeviceSecret) -> Result<Keys, ClientError> {
    match ctx.profile() {
        Profile::V1 => nostr::key::SecretKey::from_slice(device.as_bytes())
            .map(Keys::new)
            .map_err(|_| ClientError::Input("the device secret is not a valid secret key".into())),
        Profile::V2 => derive_signing_key(device, &ctx.room_d)
            .map(|d| d.keys)
            .ok_or_else(|| ClientError::Input("no valid signing key for this room".into())),
    }
}

/// The link of a new room (spec §4.1): v2 names the host's per-room key.
pub fn new_link(
    profile: Profile,
    origin: &str,
    room_id: &str,
    room_key: [u8; 32],
    device: &DeviceSecret,
) -> Result<Link, ClientError> {
    let mut link = Link {
        origin: origin.to_owned(),
        room_id: room_id.to_owned(),
        key: RoomKey::from_bytes(room_key),
        profile: LinkProfile::V1,
    };
    if profile == Profile::V2 {
        // The host key is derived from the room d-tag (OS-KDF-5), which the
        // room key and id alone determine (OS-BLIND-3).
        let keys = link.key.derive(Profile::V2);
        let room_d = blinding::room_d_tag_v2(&keys.blind, room_id);
        let host = derive_signing_key(device, &room_d)
            .ok_or_else(|| ClientError::Input("no valid signing key for this room".into()))?
            .keys
            .public_key();
        link.profile = LinkProfile::V2 { host };
    }
    // Round trip through the parser: the link handed out is canonical (OS-LINK-5).
    Ok(Link::parse(&link.to_string())?)
}

pub(crate) fn room_payload(
    title: &str,
    slots: &[i64],
    profile: Profile,
) -> Result<RoomPayload, ClientError> {
    let (start, offered) = mask::room_mask_from_slots(slots, profile).map_err(Failure::from)?;
    Ok(RoomPayload {
        title: title.to_owned(),
        start,
        mask: offered,
    })
}

pub(crate) async fn publish_checked(
    relays: &Relays,
    event: Event,
) -> Result<Published, ClientError> {
    let results = net::publish(&relays.urls, &event, relays.timeout).await;
    if results.iter().any(|r| r.status == PublishStatus::Accepted) {
        Ok(Published { event, results })
    } else {
        Err(ClientError::PublishFailed {
            event_id: event.id.to_hex(),
            results,
        })
    }
}

/// Creates a room: builds the room event and publishes it to every relay
/// (OS-EVENT-12). Returns the link and the publication.
#[allow(clippy::too_many_arguments)]
pub async fn create_room(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    title: &str,
    slots: &[i64],
    now: u64,
    rand: &Randomness,
) -> Result<Published, ClientError> {
    let ctx = RoomContext::new(link.clone());
    let signer = signing_keys(&ctx, device)?;
    let payload = room_payload(title, slots, ctx.profile())?;
    let (event, _) = ctx.build_room_event(&signer, &payload, now, &rand.nonce, &rand.aux_rand)?;
    publish_checked(relays, event).await
}

fn room_filter(ctx: &RoomContext) -> Value {
    match ctx.link.host() {
        None => json!({"kinds": [event::KIND], "#d": [ctx.room_d], "#t": [event::APP_TAG]}),
        Some(host) => {
            json!({"kinds": [event::KIND], "authors": [host.to_hex()], "#d": [ctx.room_d]})
        }
    }
}

/// Joins a room: queries every relay with the filters of OS-RES-6, unions
/// the answers and resolves them at `now` (OS-RES-1). v2 asks for the room
/// and its responses at once; v1 asks for responses once the room is known.
pub async fn join_room(relays: &Relays, link: &Link, now: u64) -> Result<Joined, ClientError> {
    let ctx = RoomContext::new(link.clone());
    let mut statuses = Vec::new();
    let mut filters = vec![room_filter(&ctx)];
    if let Some(address) = ctx.room_address() {
        filters.push(json!({"kinds": [event::KIND], "#a": [address]}));
    }
    let first = net::query(&relays.urls, &filters, relays.timeout).await;
    if !first.any_relay_answered() {
        return Err(ClientError::RelayUnavailable(describe(&first)));
    }
    statuses.extend(
        first
            .relays
            .iter()
            .map(|r| (r.relay.clone(), r.status.clone())),
    );
    let mut events = first.events();
    if ctx.profile() == Profile::V1 {
        // The winner among what came back decides which responses to ask for.
        let room = resolution::resolve(&ctx, &events, now)?;
        let filter = json!({"kinds": [event::KIND], "#e": [room.room_event_id.to_hex()]});
        let second = net::query(&relays.urls, &[filter], relays.timeout).await;
        statuses.extend(
            second
                .relays
                .iter()
                .map(|r| (r.relay.clone(), r.status.clone())),
        );
        events.extend(second.events());
    }
    let state = resolution::resolve(&ctx, &events, now)?;
    Ok(Joined {
        ctx,
        state,
        events,
        relays: statuses,
    })
}

fn describe(outcome: &net::QueryOutcome) -> String {
    outcome
        .relays
        .iter()
        .map(|r| match &r.status {
            QueryStatus::Unreachable(e) => format!("{}: unreachable ({e})", r.relay),
            s => format!("{}: {}", r.relay, s.as_str()),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Answers a room: joins it, then publishes the caller's response to the
/// winning room version with `created_at` above any earlier version of the
/// caller's own response (OS-EVENT-9).
#[allow(clippy::too_many_arguments)]
pub async fn respond(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    name: &str,
    available: &[i64],
    now: u64,
    rand: &Randomness,
) -> Result<Published, ClientError> {
    let joined = join_room(relays, link, now).await?;
    let ctx = &joined.ctx;
    let signer = signing_keys(ctx, device)?;
    let me = signer.public_key();
    let state = &joined.state;
    let payload = ResponsePayload::choose(&state.room, ctx.profile(), name, available)
        .map_err(Failure::from)?;
    let d = ctx.response_d(&me, &state.room_event_id);
    let previous = own_latest(&joined.events, &me, &d);
    let created_at = event::next_created_at(now, previous).map_err(Failure::from)?;
    let expiration = state.expiration.unwrap_or_default();
    let (event, _) = ctx.build_response_event(
        &signer,
        &payload,
        &state.room_event_id,
        expiration,
        created_at,
        &rand.nonce,
        &rand.aux_rand,
    )?;
    publish_checked(relays, event).await
}

/// The greatest `created_at` among the events of one of the caller's own
/// addresses that the relays returned, valid or not: a new version must
/// beat every one of them (OS-EVENT-9).
pub(crate) fn own_latest(events: &[Event], author: &nostr::key::PublicKey, d: &str) -> Option<u64> {
    events
        .iter()
        .filter(|e| &e.pubkey == author && event::first_tag_value(e, "d") == Some(d))
        .filter(|e| e.verify().is_ok())
        .map(|e| e.created_at.as_secs())
        .max()
}

/// Updates a room as its host: joins it, then publishes a new version of the
/// room address with `created_at` above every earlier version (OS-EVENT-9).
/// In v2 responses stay attached (OS-RES-5); in v1 they are orphaned
/// (hazard 4).
#[allow(clippy::too_many_arguments)]
pub async fn update_room(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    title: &str,
    slots: &[i64],
    now: u64,
    rand: &Randomness,
) -> Result<Published, ClientError> {
    let joined = join_room(relays, link, now).await?;
    let ctx = &joined.ctx;
    let signer = signing_keys(ctx, device)?;
    let previous = own_latest(&joined.events, &signer.public_key(), &ctx.room_d);
    let created_at = event::next_created_at(now, previous).map_err(Failure::from)?;
    let payload = room_payload(title, slots, ctx.profile())?;
    let (event, _) =
        ctx.build_room_event(&signer, &payload, created_at, &rand.nonce, &rand.aux_rand)?;
    publish_checked(relays, event).await
}
