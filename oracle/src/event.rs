//! Events and tags (spec §11): NIP-01 structure (OS-EVENT-13), the tags of
//! each profile and role (§11.3, OS-EVENT-2 .. OS-EVENT-5), addresses, and
//! signing and verification through the `nostr` crate (OS-EVENT-7,
//! OS-EVENT-8).

use nostr::event::{Event, Kind, Tag, UnsignedEvent};
use nostr::key::Keys;
use nostr::types::Timestamp;
use serde_json::Value;

use crate::{Fail, Profile};

/// The kind of every OpenSlots event (OS-EVENT-1, NIP-78).
pub const KIND: u16 = 30_078;
/// The value of the `t` tag (OS-EVENT-2 .. OS-EVENT-5).
pub const APP_TAG: &str = "openslots";

fn lower_hex(v: Option<&Value>, len: usize) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// OS-EVENT-13 on an untyped JSON value: the seven members with their types
/// (unknown members ignored).
pub fn event_well_formed(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let Some(obj) = value.as_object() else {
        return false;
    };
    let uint = |key: &str, max: u64| {
        obj.get(key)
            .and_then(Value::as_u64)
            .is_some_and(|v| v <= max)
    };
    let tags = obj
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| {
            tags.iter().all(|t| {
                t.as_array()
                    .is_some_and(|t| !t.is_empty() && t.iter().all(Value::is_string))
            })
        });
    lower_hex(obj.get("id"), 64)
        && lower_hex(obj.get("pubkey"), 64)
        && lower_hex(obj.get("sig"), 128)
        && uint("created_at", 9_007_199_254_740_991)
        && uint("kind", 65_535)
        && tags
        && obj.get("content").is_some_and(Value::is_string)
}

/// The NIP-01 member names of an event.
pub const EVENT_MEMBERS: [&str; 7] = [
    "id",
    "pubkey",
    "created_at",
    "kind",
    "tags",
    "content",
    "sig",
];

/// NIP-01 parsing after the OS-EVENT-13 check: `event-json` for anything
/// else. Id and signature are not checked here ([`verify`]).
pub fn parse(text: &str) -> Result<Event, Fail> {
    if !event_well_formed(text) {
        return Err(("event-json", "OS-EVENT-13"));
    }
    Event::from_json(text).map_err(|_| ("event-json", "OS-EVENT-13"))
}

/// OS-EVENT-7 then OS-EVENT-8: `event-id` or `event-sig`.
pub fn verify(e: &Event) -> Result<(), Fail> {
    if !e.verify_id() {
        return Err(("event-id", "OS-EVENT-7"));
    }
    if !e.verify_signature() {
        return Err(("event-sig", "OS-EVENT-8"));
    }
    Ok(())
}

/// The tags of an event as plain strings.
pub fn tags_of(e: &Event) -> Vec<Vec<String>> {
    e.tags.iter().map(|t| t.as_slice().to_vec()).collect()
}

/// The value of the first tag named `name`.
pub fn first_tag_value<'a>(tags: &'a [Vec<String>], name: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.first().map(String::as_str) == Some(name))
        .and_then(|t| t.get(1))
        .map(String::as_str)
}

/// Whether some tag is exactly `[name, value, ...]`.
pub fn has_tag_value(tags: &[Vec<String>], name: &str, value: &str) -> bool {
    tags.iter().any(|t| {
        t.first().map(String::as_str) == Some(name) && t.get(1).map(String::as_str) == Some(value)
    })
}

/// The room address of §11.3: `30078:<host public key hex>:<room d-tag>`.
pub fn address(host_hex: &str, room_d: &str) -> String {
    format!("{KIND}:{host_hex}:{room_d}")
}

fn tag(name: &str, value: &str) -> Vec<String> {
    vec![name.to_owned(), value.to_owned()]
}

/// The room tags of §11.3: OS-EVENT-2 (v1), OS-EVENT-4 (v2, with the
/// expiration).
pub fn room_tags(profile: Profile, room_d: &str, expiration: u64) -> Vec<Vec<String>> {
    let mut tags = vec![tag("d", room_d), tag("t", APP_TAG)];
    if profile == Profile::V2 {
        tags.push(tag("expiration", &expiration.to_string()));
    }
    tags
}

/// OS-EVENT-3: the v1 response tags.
pub fn response_tags_v1(room_event_id: &str, response_d: &str) -> Vec<Vec<String>> {
    vec![
        tag("e", room_event_id),
        tag("d", response_d),
        tag("t", APP_TAG),
    ]
}

/// OS-EVENT-5: the v2 response tags.
pub fn response_tags_v2(response_d: &str, address: &str, expiration: u64) -> Vec<Vec<String>> {
    vec![
        tag("d", response_d),
        tag("a", address),
        tag("t", APP_TAG),
        tag("expiration", &expiration.to_string()),
    ]
}

/// The tag names an event of this profile and role carries, in order
/// (OS-EVENT-2 .. OS-EVENT-5), with the requirement that fixes them.
pub const fn tag_names(profile: Profile, room: bool) -> (&'static [&'static str], &'static str) {
    match (room, profile) {
        (true, Profile::V1) => (&["d", "t"], "OS-EVENT-2"),
        (false, Profile::V1) => (&["e", "d", "t"], "OS-EVENT-3"),
        (true, Profile::V2) => (&["d", "t", "expiration"], "OS-EVENT-4"),
        (false, Profile::V2) => (&["d", "a", "t", "expiration"], "OS-EVENT-5"),
    }
}

/// Signs a NIP-01 event of any kind with BIP-340 and the given auxiliary
/// randomness (so that fixtures are reproducible). Tags that NIP-01 cannot
/// hold (an empty tag) are an error.
pub fn sign(
    keys: &Keys,
    kind: u16,
    created_at: u64,
    tags: &[Vec<String>],
    content: String,
    aux: &[u8; 32],
) -> Result<Event, String> {
    let tags: Vec<Tag> = tags
        .iter()
        .map(|t| Tag::parse(t.clone()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let unsigned = UnsignedEvent::new(
        keys.public_key(),
        Timestamp::from_secs(created_at),
        Kind::from(kind),
        tags,
        content,
    );
    let id = unsigned.compute_id();
    let secp = secp256k1::Secp256k1::new();
    let sig = keys.sign_schnorr_with_aux_rand(&secp, id.as_bytes(), aux);
    Ok(Event::new(
        id,
        unsigned.pubkey,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags,
        unsigned.content,
        sig,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signed_events_verify_and_spoiled_ones_do_not() {
        let keys = Keys::new(nostr::key::SecretKey::from_slice(&[7; 32]).unwrap());
        let e = sign(
            &keys,
            KIND,
            1,
            &room_tags(Profile::V2, "ab", 5),
            "x".into(),
            &[0; 32],
        )
        .unwrap();
        assert_eq!(verify(&e), Ok(()));
        let parsed = parse(&e.as_json()).unwrap();
        assert_eq!(tags_of(&parsed), room_tags(Profile::V2, "ab", 5));
        let spoiled = e.as_json().replace("\"x\"", "\"y\"");
        assert_eq!(verify(&parse(&spoiled).unwrap()).unwrap_err().0, "event-id");
        assert_eq!(parse("{}").unwrap_err().0, "event-json");
        assert_eq!(first_tag_value(&tags_of(&e), "expiration"), Some("5"));
    }
}
