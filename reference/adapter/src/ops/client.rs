//! The client operations (spec/adapter-protocol.md §9 and §10.1):
//! `create_room`, `join_room`, `respond`, `update_room`, `request_booking`
//! and `settle_bookings` over real relays, by the reference client of the
//! `openslots` crate (feature `client`).

use serde_json::Value;

use crate::{OpError, OpResult};

fn run(op: &str, profile: &str, input: &Value) -> OpResult {
    match openslots::client::ops::call(op, profile, input) {
        None => Err(OpError::Unsupported(format!(
            "operation {op} is not implemented"
        ))),
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => match e.code {
            Some(code) => Err(OpError::Code(code, e.message)),
            None => Err(OpError::BadRequest(e.message)),
        },
    }
}

/// `create_room`: builds the room event and publishes it to every relay.
pub fn create_room(profile: &str, input: &Value) -> OpResult {
    run("create_room", profile, input)
}

/// `join_room`: queries every relay, unions, resolves.
pub fn join_room(profile: &str, input: &Value) -> OpResult {
    run("join_room", profile, input)
}

/// `respond`: joins, then publishes the participant's response.
pub fn respond(profile: &str, input: &Value) -> OpResult {
    run("respond", profile, input)
}

/// `update_room`: joins, then publishes a new room version as its host.
pub fn update_room(profile: &str, input: &Value) -> OpResult {
    run("update_room", profile, input)
}

/// `publish_wrapper_set`: publishes the wrapper set of the current epoch
/// (adapter protocol §11.1).
pub fn publish_wrapper_set(profile: &str, input: &Value) -> OpResult {
    run("publish_wrapper_set", profile, input)
}

/// `join_group`: reads the group's wrapper set and opens the member's
/// wrapper (adapter protocol §11.1).
pub fn join_group(profile: &str, input: &Value) -> OpResult {
    run("join_group", profile, input)
}

/// `request_booking`: joins, then publishes the attendee's booking request.
pub fn request_booking(profile: &str, input: &Value) -> OpResult {
    run("request_booking", profile, input)
}

/// `settle_bookings`: joins as the host, decides, publishes the manifest.
pub fn settle_bookings(profile: &str, input: &Value) -> OpResult {
    run("settle_bookings", profile, input)
}
