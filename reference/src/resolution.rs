//! Resolution (spec §14): from the events relays returned to the room's state.
//!
//! 1. Exact duplicates are read once (OS-LWW-3).
//! 2. Events with a `["d", <room d-tag>]` tag are room candidates; each is
//!    read in the order of spec §11.4 (kind, id, signature, tags, v2 author,
//!    expiry, decryption, payload, mask) and
//!    the newest valid one wins, lowest id on a tie (OS-RES-2, OS-LWW-1,
//!    OS-LWW-4), unless a newer version has expired (OS-LWW-7). None valid:
//!    `room-not-found`.
//! 3. Other events that name the winning room (v1 `e` tag, v2 `a` tag) are
//!    response candidates, checked against it (d-tag bound to its author,
//!    decryption, payload, mask in room coordinates); one winner per author
//!    (OS-RES-3, OS-LWW-5). Events that are neither are ignored.
//! 4. Counts per offered slot include every participant (OS-MASK-8).
//!
//! The result depends only on the set of events and `now` (OS-LWW-3): give it
//! the union of what every relay returned (OS-RES-1).

use nostr::event::{Event, EventId};
use nostr::key::PublicKey;

use crate::error::Failure;
use crate::event::{OpenedResponse, RoomContext, RoomRef};
use crate::expiry::Expiring;
use crate::lww;
use crate::mask::{self, Mask};
use crate::payload::RoomPayload;
use crate::{ErrorCode, SpecError};

/// No room candidate survived validation (OS-RES-2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("room not found: no valid room event among {} rejected", rejected.len())]
pub struct RoomNotFound {
    /// Every event that was rejected, with the check it failed.
    pub rejected: Vec<(EventId, Failure)>,
}

impl SpecError for RoomNotFound {
    fn code(&self) -> ErrorCode {
        ErrorCode::RoomNotFound
    }
    fn requirement(&self) -> &'static str {
        "OS-RES-2"
    }
}

/// One participant's answer after resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    /// The author of the winning response.
    pub pubkey: PublicKey,
    /// The winning response event.
    pub event_id: EventId,
    /// Its `created_at`.
    pub created_at: u64,
    /// The display name.
    pub name: String,
    /// Offered slots (Unix seconds) the participant is available at (OS-MASK-9).
    pub available: Vec<i64>,
}

/// The state of a room, as every conforming client computes it (OS-RES-4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The winning room event.
    pub room_event_id: EventId,
    /// Its author (the host in v2).
    pub host: PublicKey,
    /// Its `created_at`.
    pub created_at: u64,
    /// Its NIP-40 expiration, if any.
    pub expiration: Option<u64>,
    /// The room's content.
    pub room: RoomPayload,
    /// Offered slots, ascending (Unix seconds).
    pub slots: Vec<i64>,
    /// Participants sorted by public key.
    pub participants: Vec<Participant>,
    /// For each entry of `slots`, how many participants are available (OS-MASK-8).
    pub counts: Vec<u32>,
    /// Valid versions that lost to a newer one, sorted by id.
    pub superseded: Vec<EventId>,
    /// Rejected events with the check each failed, sorted by id.
    pub rejected: Vec<(EventId, Failure)>,
}

/// Resolves a room from the union of the events every relay returned (OS-RES-1..5).
///
/// Nothing is dropped for its id before it is checked: every copy is read,
/// so a copy with a bad signature that came first hides no genuine event
/// with the same id (OS-LWW-6); a forged copy only fails.
pub fn resolve(ctx: &RoomContext, events: &[Event], now: u64) -> Result<Resolved, RoomNotFound> {
    let (room_events, others): (Vec<&Event>, Vec<&Event>) =
        events.iter().partition(|e| ctx.is_room_candidate(e));

    // Last-write-wins keeps the winners borrowed from `events`: nothing is
    // copied but what the result holds.
    let rooms = lww::resolve_refs(room_events, |e| ctx.open_room(e, now));
    let mut superseded = rooms.superseded;
    let mut rejected = rooms.rejected;
    // v1 rooms come from any author (OS-LWW-4): the best address winner wins,
    // unless an expired version outranks it (OS-LWW-7).
    let winner = lww::select(rooms.winners.values().map(|(e, _)| *e))
        .filter(|w| !rooms.expired.iter().any(|t| lww::beats(t, w)));
    let Some(winner) = winner else {
        rejected.sort();
        return Err(RoomNotFound { rejected });
    };
    let mut room = None;
    for (e, payload) in rooms.winners.into_values() {
        if e.id == winner.id {
            room = Some(payload);
        } else {
            superseded.push(e.id);
        }
    }
    let Some(room) = room else {
        return Err(RoomNotFound { rejected });
    };

    let room_ref = RoomRef {
        event_id: winner.id,
        payload: &room,
    };
    // Events that are neither room nor response candidates are ignored (§14.2).
    let candidates = others
        .into_iter()
        .filter(|e| ctx.is_response_candidate(e, &winner.id));
    let responses = lww::resolve_refs(candidates, |e| ctx.open_response(e, &room_ref, now));
    superseded.extend(responses.superseded);
    rejected.extend(responses.rejected);

    let slots = mask::slots_of(room.start, &room.mask);
    let mut participants = Vec::with_capacity(responses.winners.len());
    let mut masks: Vec<Mask> = Vec::with_capacity(responses.winners.len());
    for (e, OpenedResponse { payload, mask: m }) in responses.winners.into_values() {
        participants.push(Participant {
            pubkey: e.pubkey,
            event_id: e.id,
            created_at: e.created_at.as_secs(),
            name: payload.name,
            available: mask::slots_of(room.start, &m),
        });
        masks.push(m);
    }
    participants.sort_by(|a, b| a.pubkey.as_bytes().cmp(b.pubkey.as_bytes()));
    let refs: Vec<&Mask> = masks.iter().collect();
    let per_position = mask::aggregate(&room.mask, &refs);
    let counts = room
        .mask
        .iter_ones()
        .map(|i| per_position.get(i).copied().unwrap_or(0))
        .collect();

    superseded.sort();
    rejected.sort();
    // The rejected list names ids (§14.2): an id with a valid copy in either
    // role is not listed, and each id is listed once, with its least failure.
    let valid: std::collections::BTreeSet<EventId> = participants
        .iter()
        .map(|p| p.event_id)
        .chain(superseded.iter().copied())
        .chain([winner.id])
        .collect();
    rejected.retain(|(id, _)| !valid.contains(id));
    rejected.dedup_by_key(|(id, _)| *id);
    Ok(Resolved {
        room_event_id: winner.id,
        host: winner.pubkey,
        created_at: winner.created_at.as_secs(),
        expiration: Expiring::get_expiration(winner),
        room,
        slots,
        participants,
        counts,
        superseded,
        rejected,
    })
}
