//! `blinding` suite: `blind_room`, `blind_response` (spec §6).

use nostr::event::EventId;
use nostr::key::PublicKey;
use openslots::Profile;
use openslots::blinding;
use openslots::kdf::RoomKey;
use openslots_vectors::{BlindingExpected, BlindingInput};
use serde_json::Value;

use super::{hex32, input, need, output, profile};
use crate::{OpError, OpResult};

/// The room's d-tag.
pub fn blind_room(p: &str, v: &Value) -> OpResult {
    let i: BlindingInput = input(v)?;
    let p = profile(p)?;
    let kb = RoomKey::from_bytes(hex32(&need(i.room_key, "roomKey")?, "roomKey")?)
        .derive(p)
        .blind;
    // A room id given as UTF-16 code units (it may hold a lone surrogate,
    // which a JSON string cannot) becomes the string a Rust implementation
    // holds: each lone surrogate replaced by U+FFFD (OS-BLIND-5).
    let room_id = match (i.room_id, i.room_id_utf16) {
        (Some(s), None) => s,
        (None, Some(units)) => String::from_utf16_lossy(&units),
        _ => {
            return Err(OpError::BadRequest(
                "exactly one of roomId and roomIdUtf16".into(),
            ));
        }
    };
    let d = match p {
        Profile::V1 => blinding::room_d_tag_v1(&kb, &room_id),
        Profile::V2 => blinding::room_d_tag_v2(&kb, &room_id),
    };
    output(&BlindingExpected { d_tag: Some(d) })
}

/// An author's response d-tag.
pub fn blind_response(p: &str, v: &Value) -> OpResult {
    let i: BlindingInput = input(v)?;
    let p = profile(p)?;
    let kb = RoomKey::from_bytes(hex32(&need(i.room_key, "roomKey")?, "roomKey")?)
        .derive(p)
        .blind;
    let author = PublicKey::from_hex(&need(i.author, "author")?)
        .map_err(|e| OpError::BadRequest(format!("author: {e}")))?;
    let d = match p {
        Profile::V1 => {
            let id = EventId::from_byte_array(hex32(
                &need(i.room_event_id, "roomEventId")?,
                "roomEventId",
            )?);
            blinding::response_d_tag_v1(&kb, &author, &id)
        }
        Profile::V2 => blinding::response_d_tag_v2(&kb, &need(i.room_id, "roomId")?, &author),
    };
    output(&BlindingExpected { d_tag: Some(d) })
}
