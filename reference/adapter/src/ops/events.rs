//! `events` suite (spec §11): building, reading and parsing events, and the
//! next `created_at`, all at the times the harness gives.

use nostr::event::{Event, EventId};
use nostr::key::{Keys, SecretKey};
use openslots::event::RoomContext;
use openslots::link::Link;
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots_vectors::{EventExpected, EventInput, WireEvent};
use serde_json::Value;

use super::{bits, hex32, input, need, output, profile, to_bits};
use crate::{OpError, OpResult};

/// An event as the wire carries it.
pub(crate) fn wire(e: &Event) -> WireEvent {
    WireEvent {
        id: e.id.to_hex(),
        pubkey: e.pubkey.to_hex(),
        created_at: e.created_at.as_secs(),
        kind: u32::from(e.kind.as_u16()),
        tags: e.tags.iter().map(|t| t.as_slice().to_vec()).collect(),
        content: e.content.clone(),
        sig: e.sig.to_string(),
    }
}

/// An event from its wire shape, read as from a relay (OS-EVENT-13).
pub(crate) fn from_wire(w: &WireEvent) -> Result<Event, OpError> {
    let text = serde_json::to_string(w).map_err(|e| OpError::BadRequest(e.to_string()))?;
    openslots::event::parse_event(&text).map_err(|e| OpError::spec(&e))
}

/// The room context of a link.
pub(crate) fn context(link: &str) -> Result<RoomContext, OpError> {
    Link::parse(link)
        .map(RoomContext::new)
        .map_err(|e| OpError::spec(&e))
}

fn keys(secret: &str) -> Result<Keys, OpError> {
    SecretKey::from_hex(secret)
        .map(Keys::new)
        .map_err(|e| OpError::BadRequest(format!("secretKey: {e}")))
}

fn built(r: Result<(Event, String), openslots::Failure>) -> OpResult {
    let (e, _) = r.map_err(|f| OpError::failure(&f))?;
    output(&EventExpected {
        event: Some(wire(&e)),
        ..Default::default()
    })
}

/// Builds and signs a room event.
pub fn build_room_event(_p: &str, v: &Value) -> OpResult {
    let i: EventInput = input(v)?;
    let c = context(&need(i.link, "link")?)?;
    let payload = RoomPayload {
        title: need(i.title, "title")?,
        start: need(i.start, "start")?,
        mask: bits(&need(i.mask, "mask")?, "mask")?,
    };
    built(c.build_room_event(
        &keys(&need(i.secret_key, "secretKey")?)?,
        &payload,
        need(i.created_at, "createdAt")?,
        &hex32(&need(i.nonce, "nonce")?, "nonce")?,
        &hex32(&need(i.aux_rand, "auxRand")?, "auxRand")?,
    ))
}

/// Builds and signs a response event.
pub fn build_response_event(p: &str, v: &Value) -> OpResult {
    let i: EventInput = input(v)?;
    let c = context(&need(i.link, "link")?)?;
    let payload = ResponsePayload {
        name: need(i.name, "name")?,
        start: i.start,
        mask: bits(&need(i.mask, "mask")?, "mask")?,
    };
    // v1 names the room event (required); v2 names the room address and
    // does not use it.
    let room_event_id = match (profile(p)?, i.room_event_id) {
        (_, Some(id)) => EventId::from_byte_array(hex32(&id, "roomEventId")?),
        (openslots::Profile::V1, None) => {
            return Err(OpError::BadRequest("roomEventId is required in v1".into()));
        }
        (openslots::Profile::V2, None) => EventId::from_byte_array([0; 32]),
    };
    built(c.build_response_event(
        &keys(&need(i.secret_key, "secretKey")?)?,
        &payload,
        &room_event_id,
        match profile(p)? {
            // v2 writes the room's expiration (OS-EXPIRY-4): required.
            openslots::Profile::V2 => need(i.expiration, "expiration")?,
            openslots::Profile::V1 => i.expiration.unwrap_or(0),
        },
        need(i.created_at, "createdAt")?,
        &hex32(&need(i.nonce, "nonce")?, "nonce")?,
        &hex32(&need(i.aux_rand, "auxRand")?, "auxRand")?,
    ))
}

/// Reads a room event at `now`: checks, decrypts, parses.
pub fn read_room_event(_p: &str, v: &Value) -> OpResult {
    let i: EventInput = input(v)?;
    let c = context(&need(i.link, "link")?)?;
    let e = from_wire(&need(i.event, "event")?)?;
    let r = c
        .open_room(&e, need(i.now, "now")?)
        .map_err(|f| OpError::failure(&f))?;
    output(&EventExpected {
        title: Some(r.title),
        start: Some(r.start),
        mask: Some(to_bits(&r.mask)),
        ..Default::default()
    })
}

/// Parses an event's JSON text; gives its id.
pub fn parse_event(_p: &str, v: &Value) -> OpResult {
    let i: EventInput = input(v)?;
    let e = openslots::event::parse_event(&need(i.event_json, "eventJson")?)
        .map_err(|e| OpError::spec(&e))?;
    output(&EventExpected {
        id: Some(e.id.to_hex()),
        ..Default::default()
    })
}

/// The `created_at` of the next version after `previous`, at `now`.
pub fn next_created_at(_p: &str, v: &Value) -> OpResult {
    let i: EventInput = input(v)?;
    let at = openslots::event::next_created_at(need(i.now, "now")?, i.previous)
        .map_err(|e| OpError::spec(&e))?;
    output(&EventExpected {
        created_at: Some(at),
        ..Default::default()
    })
}
