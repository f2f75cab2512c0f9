//! `masks` suite (spec §10): codecs, validation, rebasing, aggregation and
//! choosing slots.

use openslots::mask::{self, MaskError};
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots_vectors::{MaskExpected, MaskInput};
use serde_json::Value;

use super::{bits, input, need, output, profile, to_bits};
use crate::{OpError, OpResult};

fn mask_out(m: &mask::Mask) -> OpResult {
    output(&MaskExpected {
        mask: Some(to_bits(m)),
        ..Default::default()
    })
}

/// Decodes a v1 mask text.
pub fn decode_v1(_p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let m = mask::decode_v1(&need(i.text, "text")?).map_err(|e| OpError::spec(&e))?;
    mask_out(&m)
}

/// Decodes a v2 mask `{n, b}`.
pub fn decode_v2(_p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let n = u64::try_from(need(i.n, "n")?).map_err(|_| {
        OpError::spec(&MaskError::Length {
            requirement: "OS-MASK-6",
        })
    })?;
    let m = mask::decode_v2(n, &need(i.b, "b")?).map_err(|e| OpError::spec(&e))?;
    mask_out(&m)
}

/// Encodes a mask as v1 text.
pub fn encode_v1(_p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let m = bits(&need(i.mask, "mask")?, "mask")?;
    output(&MaskExpected {
        text: Some(mask::encode_v1(&m)),
        ..Default::default()
    })
}

/// Encodes a mask as v2 `{n, b}`.
pub fn encode_v2(_p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let m = bits(&need(i.mask, "mask")?, "mask")?;
    let (n, b) = mask::encode_v2(&m);
    output(&MaskExpected {
        n: i64::try_from(n).ok(),
        b: Some(b),
        ..Default::default()
    })
}

/// Checks a room mask by §10.3's room steps in the request's profile
/// (OS-MASK-13: no position, the limit, then the trim check); gives it back
/// when valid.
pub fn validate_room(p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let m = bits(&need(i.mask, "mask")?, "mask")?;
    mask::check_room(&m, profile(p)?).map_err(|e| OpError::spec(&e))?;
    mask_out(&m)
}

/// Checks a v1 response mask against its room; gives it back when valid.
pub fn validate_response_v1(_p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let room = bits(&need(i.room, "room")?, "room")?;
    let resp = bits(&need(i.response, "response")?, "response")?;
    // §10.3, response mask v1: steps 1 and 2 (no position, the limit), then
    // the length against the room (OS-MASK-3).
    mask::check_response(&resp, openslots::Profile::V1).map_err(|e| OpError::spec(&e))?;
    mask::validate_response_v1(&room, &resp).map_err(|e| OpError::spec(&e))?;
    mask_out(&resp)
}

/// A room's start and mask from its offered slots.
pub fn room_from_slots(p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let (start, m) = mask::room_mask_from_slots(&need(i.slots, "slots")?, profile(p)?)
        .map_err(|e| OpError::spec(&e))?;
    output(&MaskExpected {
        start: Some(start),
        mask: Some(to_bits(&m)),
        ..Default::default()
    })
}

/// A v2 response mask moved onto the room's grid, keeping only the
/// positions the room offers (OS-MASK-7, OS-MASK-11).
pub fn rebase(_p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let room = bits(&need(i.room, "room")?, "room")?;
    let resp = bits(&need(i.response, "response")?, "response")?;
    let m = mask::rebase(
        &resp,
        need(i.response_start, "responseStart")?,
        need(i.room_start, "roomStart")?,
        room.len(),
    )
    .map_err(|e| OpError::spec(&e))?;
    // OS-MASK-11: in-range positions the room does not offer are cleared.
    mask_out(&room.intersect(&m))
}

/// Per-slot counts of the responses over the room.
pub fn aggregate(_p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let room = bits(&need(i.room, "room")?, "room")?;
    let rs = need(i.responses, "responses")?
        .iter()
        .map(|r| bits(r, "responses"))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&mask::Mask> = rs.iter().collect();
    output(&MaskExpected {
        counts: Some(mask::aggregate(&room, &refs)),
        ..Default::default()
    })
}

/// A response mask from the instants a participant chose.
pub fn choose_response(p: &str, v: &Value) -> OpResult {
    let i: MaskInput = input(v)?;
    let room = RoomPayload {
        title: String::new(),
        start: need(i.room_start, "roomStart")?,
        mask: bits(&need(i.room, "room")?, "room")?,
    };
    let r = ResponsePayload::choose(&room, profile(p)?, "", &need(i.chosen, "chosen")?)
        .map_err(|e| OpError::spec(&e))?;
    mask_out(&r.mask)
}
