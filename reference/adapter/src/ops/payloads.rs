//! `payloads` suite: `write_room`, `write_response`, `read_room`,
//! `read_response` (spec §8).

use openslots::Profile;
use openslots::payload::{Binding, ResponsePayload, RoomPayload};
use openslots_vectors::{PayloadExpected, PayloadInput};
use serde_json::Value;

use super::{bits, input, need, output, profile, to_bits};
use crate::{OpError, OpResult};

fn plaintext(r: Result<String, openslots::payload::PayloadError>) -> OpResult {
    let t = r.map_err(|e| OpError::spec(&e))?;
    output(&PayloadExpected {
        plaintext: Some(t),
        ..Default::default()
    })
}

/// The v2 binding a writer puts in the payload: `roomId` and `author` are
/// required in v2 (adapter protocol §4), unused in v1.
fn writer_binding(
    p: Profile,
    room_id: Option<String>,
    author: Option<String>,
) -> Result<(String, String), OpError> {
    match p {
        Profile::V1 => Ok((room_id.unwrap_or_default(), author.unwrap_or_default())),
        Profile::V2 => Ok((need(room_id, "roomId")?, need(author, "author")?)),
    }
}

/// A room payload's plaintext.
pub fn write_room(p: &str, v: &Value) -> OpResult {
    let i: PayloadInput = input(v)?;
    let p = profile(p)?;
    let payload = RoomPayload {
        title: need(i.title, "title")?,
        start: need(i.start, "start")?,
        mask: bits(&need(i.mask, "mask")?, "mask")?,
    };
    let (room_id, author) = writer_binding(p, i.room_id, i.author)?;
    plaintext(payload.to_json(
        p,
        &Binding {
            room_id: &room_id,
            author: &author,
        },
    ))
}

/// A response payload's plaintext.
pub fn write_response(p: &str, v: &Value) -> OpResult {
    let i: PayloadInput = input(v)?;
    let p = profile(p)?;
    let payload = ResponsePayload {
        name: need(i.name, "name")?,
        // v2 requires the response's own start (adapter protocol §4).
        start: match p {
            Profile::V1 => i.start,
            Profile::V2 => Some(need(i.start, "start")?),
        },
        mask: bits(&need(i.mask, "mask")?, "mask")?,
    };
    let (room_id, author) = writer_binding(p, i.room_id, i.author)?;
    plaintext(payload.to_json(
        p,
        &Binding {
            room_id: &room_id,
            author: &author,
        },
    ))
}

/// Reads a room payload.
pub fn read_room(p: &str, v: &Value) -> OpResult {
    let i: PayloadInput = input(v)?;
    let p = profile(p)?;
    let (room_id, author) = (i.room_id.unwrap_or_default(), i.author.unwrap_or_default());
    let r = RoomPayload::parse(
        p,
        &need(i.plaintext, "plaintext")?,
        &Binding {
            room_id: &room_id,
            author: &author,
        },
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&PayloadExpected {
        title: Some(r.title),
        start: Some(r.start),
        mask: Some(to_bits(&r.mask)),
        ..Default::default()
    })
}

/// Reads a response payload.
pub fn read_response(p: &str, v: &Value) -> OpResult {
    let i: PayloadInput = input(v)?;
    let p = profile(p)?;
    let (room_id, author) = (i.room_id.unwrap_or_default(), i.author.unwrap_or_default());
    let r = ResponsePayload::parse(
        p,
        &need(i.plaintext, "plaintext")?,
        &Binding {
            room_id: &room_id,
            author: &author,
        },
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&PayloadExpected {
        name: Some(r.name),
        start: r.start,
        mask: Some(to_bits(&r.mask)),
        ..Default::default()
    })
}
