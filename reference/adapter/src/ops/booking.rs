//! `booking` suite: `booking_commit`, `read_booking_room`,
//! `read_booking_request`, `decide_bookings`, `booking_status` (spec §19.1;
//! adapter protocol §10).

use std::collections::BTreeSet;

use openslots::booking::{
    self, BookOffer, Booked, BookingRequest, BookingState, Commitment, CountedRequest, CurrentRoom,
    Hold, Manifest, ReceiptNonce, Refusal,
};
use openslots_vectors::{
    BookedEntry, BookingExpected, BookingInput, HoldEntry, ManifestData, RefusedEntry,
};
use serde_json::Value;

use super::{input, need, output};
use crate::{OpError, OpResult};

fn hold(h: HoldEntry) -> Result<Hold, OpError> {
    Ok(Hold {
        slot: h.slot,
        seats: u32::try_from(h.seats)
            .map_err(|_| OpError::Code("book-hold".into(), "seats out of range".into()))?,
        code: h.code,
    })
}

fn manifest(m: ManifestData) -> Result<Manifest, OpError> {
    Ok(Manifest {
        booked: m
            .booked
            .into_iter()
            .map(|b| Booked {
                slot: b.slot,
                commits: b.commits.into_iter().map(Commitment).collect(),
            })
            .collect(),
        held: m.held.into_iter().map(hold).collect::<Result<_, _>>()?,
        refused: m
            .refused
            .into_iter()
            .map(|r| Refusal {
                commit: Commitment(r.commit),
                code: r.code,
            })
            .collect(),
        spent: m.spent.into_iter().map(Commitment).collect(),
    })
}

/// OS-BOOK-3: the commitment of a nonce.
pub fn booking_commit(_p: &str, v: &Value) -> OpResult {
    let i: BookingInput = input(v)?;
    let room = need(i.room_id, "roomId")?;
    let n = ReceiptNonce::from_hex(&need(i.nonce, "nonce")?).map_err(|e| OpError::spec(&e))?;
    output(&BookingExpected {
        commit: Some(n.commitment(&room).0),
        ..Default::default()
    })
}

/// OS-BOOK-2: the `book` member of a room plaintext.
pub fn read_booking_room(_p: &str, v: &Value) -> OpResult {
    let i: BookingInput = input(v)?;
    let b = BookOffer::from_room_plaintext(&need(i.plaintext, "plaintext")?)
        .map_err(|e| OpError::spec(&e))?;
    output(&BookingExpected {
        cap: Some(i64::from(b.cap)),
        max: Some(i64::from(b.max)),
        ..Default::default()
    })
}

/// OS-BOOK-4: a request plaintext.
pub fn read_booking_request(_p: &str, v: &Value) -> OpResult {
    let i: BookingInput = input(v)?;
    let r = BookingRequest::parse(
        &need(i.plaintext, "plaintext")?,
        &need(i.room_id, "roomId")?,
        &need(i.author, "author")?,
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&BookingExpected {
        seen: Some(r.seen),
        slots: Some(r.slots),
        commit: r.commit.map(|c| c.0),
        reveal: r.reveal,
        ..Default::default()
    })
}

/// §19.1.3: the next manifest.
pub fn decide_bookings(_p: &str, v: &Value) -> OpResult {
    let i: BookingInput = input(v)?;
    let room_id = need(i.room_id, "roomId")?;
    let host = need(i.host, "host")?;
    let offered: BTreeSet<i64> = need(i.offered, "offered")?.into_iter().collect();
    let bound = |x: i64, name: &str| {
        u32::try_from(x).map_err(|_| OpError::BadRequest(format!("{name} out of range")))
    };
    let room = CurrentRoom {
        room_id: &room_id,
        offered: &offered,
        offer: BookOffer {
            cap: bound(need(i.cap, "cap")?, "cap")?,
            max: bound(need(i.max, "max")?, "max")?,
        },
    };
    let now = i64::try_from(need(i.now, "now")?)
        .map_err(|_| OpError::BadRequest("now out of range".into()))?;
    let previous = manifest(i.previous.unwrap_or_default())?;
    let holds: Vec<Hold> = i
        .holds
        .unwrap_or_default()
        .into_iter()
        .map(hold)
        .collect::<Result<_, _>>()?;
    let requests: Vec<CountedRequest> = need(i.requests, "requests")?
        .into_iter()
        .map(|r| CountedRequest {
            id: r.id,
            author: r.author,
            created_at: r.created_at,
            request: BookingRequest {
                seen: String::new(),
                slots: r.slots,
                commit: r.commit.map(Commitment),
                reveal: r.reveal,
            },
        })
        .collect();
    let m =
        booking::decide(&room, now, &previous, &holds, &requests).map_err(|e| OpError::spec(&e))?;
    output(&BookingExpected {
        booked: Some(
            m.booked
                .iter()
                .map(|b| BookedEntry {
                    slot: b.slot,
                    commits: b.commits.iter().map(|c| c.0.clone()).collect(),
                })
                .collect(),
        ),
        held: Some(
            m.held
                .iter()
                .map(|h| HoldEntry {
                    slot: h.slot,
                    seats: i64::from(h.seats),
                    code: h.code.clone(),
                })
                .collect(),
        ),
        refused: Some(
            m.refused
                .iter()
                .map(|r| RefusedEntry {
                    commit: r.commit.0.clone(),
                    code: r.code.clone(),
                })
                .collect(),
        ),
        spent: Some(m.spent.iter().map(|c| c.0.clone()).collect()),
        payload: Some(m.to_json(&room_id, &host)),
        ..Default::default()
    })
}

/// OS-BOOK-6: an attendee's state of a commitment.
pub fn booking_status(_p: &str, v: &Value) -> OpResult {
    let i: BookingInput = input(v)?;
    let m = manifest(need(i.manifest, "manifest")?)?;
    let st = m
        .state_of(&Commitment(need(i.commit, "commit")?))
        .map_err(|e| OpError::spec(&e))?;
    output(&match st {
        BookingState::Confirmed(slots) => BookingExpected {
            state: Some("confirmed".into()),
            slots: Some(slots),
            ..Default::default()
        },
        BookingState::Cancelled => BookingExpected {
            state: Some("cancelled".into()),
            ..Default::default()
        },
        BookingState::Pending => BookingExpected {
            state: Some("pending".into()),
            ..Default::default()
        },
    })
}
