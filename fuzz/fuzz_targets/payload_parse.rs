//! Payload reading (spec §8.3), both profiles, both roles. Input: a
//! plaintext, as UTF-8 text; every input is read by all four readers (v1
//! room, v1 response, v2 room bound to the §11.6 host, v2 response bound to
//! the §11.6 participant), and the v2 readers read it a second time bound to
//! the room and author the text names, so that the steps after the binding
//! see payloads written for any room and key.
//!
//! Invariants, beyond never panicking:
//! - each reader's result equals an independent reading of spec §8.3 over an
//!   untyped JSON value (`oracle::payload::read_v1`, `oracle::payload::read_v2`): the same
//!   code and requirement for a rejected plaintext (the first failing step
//!   gives the error, including the mask's, §10.3), the same title or name,
//!   start and mask bits for an accepted one; v1 may also refuse repeated
//!   member names with `payload-json`, as OS-PAYLOAD-1 allows;
//! - an accepted payload writes back to exactly the bytes of OS-PAYLOAD-2,
//!   -3, -5 or -6 (members in order, `JSON.stringify` escapes, by an
//!   independent writer), which read back to the same payload;
//! - a v2 payload accepted in one role is refused in the other (OS-PAYLOAD-8).
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslots::mask;
use openslots::payload::{Binding, PayloadError, ResponsePayload, RoomPayload};
use openslots::{Profile, SpecError};
use openslots_fuzz::oracle::payload::{PayloadRead, Role};
use openslots_fuzz::oracle::{self, Fail};
use openslots_fuzz::{ROOM_ID, V2_HOST_PK, V2_PARTICIPANT_PK};

const ROOM_BINDING: Binding<'static> = Binding {
    room_id: ROOM_ID,
    author: V2_HOST_PK,
};
const RESPONSE_BINDING: Binding<'static> = Binding {
    room_id: ROOM_ID,
    author: V2_PARTICIPANT_PK,
};

fn fail(e: &PayloadError) -> Fail {
    (e.code().as_str(), e.requirement())
}

fn bits(m: &mask::Mask) -> Vec<bool> {
    (0..m.len()).map(|i| m.get(i)).collect()
}

fn room_read(p: &RoomPayload) -> PayloadRead {
    PayloadRead {
        text: p.title.clone(),
        start: Some(p.start),
        bits: bits(&p.mask),
    }
}

fn response_read(p: &ResponsePayload) -> PayloadRead {
    PayloadRead {
        text: p.name.clone(),
        start: p.start,
        bits: bits(&p.mask),
    }
}

/// Compares a reader with the oracle; v1 may refuse repeated names.
fn compare(
    what: &str,
    text: &str,
    got: Result<PayloadRead, Fail>,
    want: Result<PayloadRead, Fail>,
    v1: bool,
) {
    if v1 && got.as_ref().err() == Some(&fail(&PayloadError::Json)) {
        let repeated = oracle::payload::duplicates(text).is_some_and(|(any, _)| any);
        if repeated {
            return;
        }
    }
    assert_eq!(got, want, "{what} differs from spec §8.3 on {text:?}");
}

/// The exact bytes a writer must produce for a payload (spec §8.2).
fn expected_json(profile: Profile, role: Role, r: &PayloadRead, b: &Binding<'_>) -> String {
    let js = oracle::payload::js_string;
    match (profile, role) {
        (Profile::V1, Role::Room) => format!(
            r#"{{"t":{},"s":{},"o":"{}"}}"#,
            js(&r.text),
            r.start.unwrap_or(0),
            oracle::mask::encode_v1(&r.bits)
        ),
        (Profile::V1, Role::Response) => format!(
            r#"{{"n":{},"o":"{}"}}"#,
            js(&r.text),
            oracle::mask::encode_v1(&r.bits)
        ),
        (Profile::V2, role) => {
            let (n, b64) = oracle::mask::encode_v2(&r.bits);
            let (role, key) = match role {
                Role::Room => ("room", "title"),
                Role::Response => ("response", "name"),
            };
            format!(
                r#"{{"v":2,"role":"{role}","room":{},"author":{},"{key}":{},"start":{},"mask":{{"n":{n},"b":"{b64}"}}}}"#,
                js(b.room_id),
                js(b.author),
                js(&r.text),
                r.start.unwrap_or(0),
            )
        }
    }
}

fn check_room(profile: Profile, text: &str, binding: &Binding<'_>) {
    let got = match profile {
        Profile::V1 => RoomPayload::parse_v1(text),
        Profile::V2 => RoomPayload::parse_v2(text, binding),
    };
    assert_eq!(RoomPayload::parse(profile, text, binding), got);
    let want = match profile {
        Profile::V1 => oracle::payload::read_v1(Role::Room, text),
        Profile::V2 => oracle::payload::read_v2(Role::Room, text, binding.room_id, binding.author),
    };
    compare(
        "room reader",
        text,
        got.as_ref().map(room_read).map_err(fail),
        want,
        profile == Profile::V1,
    );
    let Ok(room) = got else { return };
    let json = room
        .to_json(profile, binding)
        .expect("an accepted room writes back");
    assert_eq!(
        json,
        expected_json(profile, Role::Room, &room_read(&room), binding)
    );
    assert_eq!(
        RoomPayload::parse(profile, &json, binding).as_ref(),
        Ok(&room)
    );
    if profile == Profile::V2 {
        assert!(
            ResponsePayload::parse_v2(text, binding).is_err(),
            "a v2 room read as a response"
        );
    }
}

fn check_response(profile: Profile, text: &str, binding: &Binding<'_>) {
    let got = match profile {
        Profile::V1 => ResponsePayload::parse_v1(text),
        Profile::V2 => ResponsePayload::parse_v2(text, binding),
    };
    assert_eq!(ResponsePayload::parse(profile, text, binding), got);
    let want = match profile {
        Profile::V1 => oracle::payload::read_v1(Role::Response, text),
        Profile::V2 => {
            oracle::payload::read_v2(Role::Response, text, binding.room_id, binding.author)
        }
    };
    compare(
        "response reader",
        text,
        got.as_ref().map(response_read).map_err(fail),
        want,
        profile == Profile::V1,
    );
    let Ok(response) = got else { return };
    let json = response
        .to_json(profile, binding)
        .expect("an accepted response writes back");
    assert_eq!(
        json,
        expected_json(profile, Role::Response, &response_read(&response), binding)
    );
    assert_eq!(
        ResponsePayload::parse(profile, &json, binding).as_ref(),
        Ok(&response)
    );
    if profile == Profile::V2 {
        assert!(
            RoomPayload::parse_v2(text, binding).is_err(),
            "a v2 response read as a room"
        );
    }
}

/// The `room` and `author` a v2 text names, if both are strings.
fn named_binding(text: &str) -> Option<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let room = value.get("room")?.as_str()?.to_owned();
    let author = value.get("author")?.as_str()?.to_owned();
    Some((room, author))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_room(Profile::V1, text, &ROOM_BINDING);
    check_response(Profile::V1, text, &RESPONSE_BINDING);
    check_room(Profile::V2, text, &ROOM_BINDING);
    check_response(Profile::V2, text, &RESPONSE_BINDING);
    // Also bound to what the text itself names, so that payloads written
    // for other rooms and keys (the vectors') reach the steps after binding.
    if let Some((room_id, author)) = named_binding(text) {
        let binding = Binding {
            room_id: &room_id,
            author: &author,
        };
        if binding != ROOM_BINDING {
            check_room(Profile::V2, text, &binding);
        }
        if binding != RESPONSE_BINDING {
            check_response(Profile::V2, text, &binding);
        }
    }
});
