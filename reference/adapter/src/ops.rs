//! The operations of spec/adapter-protocol.md §4, one module per vector
//! suite. Each reads the suite's input members (the `openslots-vectors`
//! shapes), calls the reference, and returns the suite's output members.
//! The table [`OPERATIONS`] is the one place an operation is registered:
//! the handshake lists it and the dispatcher finds it there.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{OpError, Operation};

pub mod blinding;
pub mod booking;
pub mod client;
pub mod derivation;
pub mod encryption;
pub mod events;
pub mod expiry;
pub mod grid;
pub mod link;
pub mod masks;
pub mod payloads;
pub mod resolve;
pub mod wrap;

/// Every operation: name and function, in the order of §4.
pub const OPERATIONS: &[(&str, Operation)] = &[
    ("parse_link", link::parse_link),
    ("derive_keys", derivation::derive_keys),
    ("derive_signing_key", derivation::derive_signing_key),
    ("blind_room", blinding::blind_room),
    ("blind_response", blinding::blind_response),
    ("encrypt", encryption::encrypt),
    ("decrypt", encryption::decrypt),
    ("write_room", payloads::write_room),
    ("write_response", payloads::write_response),
    ("read_room", payloads::read_room),
    ("read_response", payloads::read_response),
    ("generate_grid", grid::generate_grid),
    ("decode_v1", masks::decode_v1),
    ("decode_v2", masks::decode_v2),
    ("encode_v1", masks::encode_v1),
    ("encode_v2", masks::encode_v2),
    ("validate_room", masks::validate_room),
    ("validate_response_v1", masks::validate_response_v1),
    ("room_from_slots", masks::room_from_slots),
    ("rebase", masks::rebase),
    ("aggregate", masks::aggregate),
    ("choose_response", masks::choose_response),
    ("build_room_event", events::build_room_event),
    ("build_response_event", events::build_response_event),
    ("read_room_event", events::read_room_event),
    ("parse_event", events::parse_event),
    ("next_created_at", events::next_created_at),
    ("get_expiration", expiry::get_expiration),
    ("resolve", resolve::resolve),
    ("booking_commit", booking::booking_commit),
    ("read_booking_room", booking::read_booking_room),
    ("read_booking_request", booking::read_booking_request),
    ("decide_bookings", booking::decide_bookings),
    ("booking_status", booking::booking_status),
    ("create_room", client::create_room),
    ("join_room", client::join_room),
    ("respond", client::respond),
    ("update_room", client::update_room),
    ("publish_wrapper_set", client::publish_wrapper_set),
    ("join_group", client::join_group),
    ("request_booking", client::request_booking),
    ("settle_bookings", client::settle_bookings),
    ("derive_intermediate", wrap::derive_intermediate),
    ("member_keys", wrap::member_keys),
    ("seal_wrapper", wrap::seal_wrapper),
    ("open_wrapper", wrap::open_wrapper),
    ("open_set", wrap::open_set),
    ("check_epoch", wrap::check_epoch),
    ("set_address", wrap::set_address),
    ("derive_epoch_key", wrap::derive_epoch_key),
];

/// The names of every operation, for the handshake.
pub fn names() -> Vec<&'static str> {
    OPERATIONS.iter().map(|(n, _)| *n).collect()
}

/// The function of an operation.
pub fn find(name: &str) -> Option<Operation> {
    OPERATIONS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Reads an input into the suite's input shape.
pub(crate) fn input<T: DeserializeOwned>(v: &Value) -> Result<T, OpError> {
    T::deserialize(v).map_err(|e| OpError::BadRequest(format!("input: {e}")))
}

/// A member the operation needs.
pub(crate) fn need<T>(v: Option<T>, name: &str) -> Result<T, OpError> {
    v.ok_or_else(|| OpError::BadRequest(format!("input has no {name}")))
}

/// 32 bytes from lowercase hex.
pub(crate) fn hex32(s: &str, name: &str) -> Result<[u8; 32], OpError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out)
        .map_err(|e| OpError::BadRequest(format!("{name}: not 32 bytes of hex: {e}")))?;
    Ok(out)
}

/// The output shape as JSON.
pub(crate) fn output<T: serde::Serialize>(v: &T) -> Result<Value, OpError> {
    serde_json::to_value(v).map_err(|e| OpError::BadRequest(format!("output: {e}")))
}

/// The profile of a request; `any` reads as v1 where a profile is needed.
pub(crate) fn profile(p: &str) -> Result<openslots::Profile, OpError> {
    match p {
        "v1" | "any" => Ok(openslots::Profile::V1),
        "v2" => Ok(openslots::Profile::V2),
        other => Err(OpError::Unsupported(format!("profile {other}"))),
    }
}

/// A mask written as `0`/`1` in an input.
pub(crate) fn bits(s: &str, name: &str) -> Result<openslots::mask::Mask, OpError> {
    if !s.bytes().all(|b| b == b'0' || b == b'1') {
        return Err(OpError::BadRequest(format!(
            "{name}: not a string of 0 and 1"
        )));
    }
    Ok(openslots::mask::Mask::from_bools(
        &s.bytes().map(|b| b == b'1').collect::<Vec<_>>(),
    ))
}

/// A mask as `0`/`1` in an output.
pub(crate) fn to_bits(m: &openslots::mask::Mask) -> String {
    (0..m.len())
        .map(|i| if m.get(i) { '1' } else { '0' })
        .collect()
}
