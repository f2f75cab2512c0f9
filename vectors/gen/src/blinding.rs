//! `blinding.json`: blinded identifiers (spec §6).

use nostr::event::EventId;
use openslots::Profile;
use openslots::blinding;
use openslots_vectors::{BlindingExpected, BlindingFile, BlindingInput, BlindingIntermediate};

use crate::fixtures::{ROOM_ID, ROOM_KEY, hex32, keys};
use crate::{Expect, Suite};

pub(crate) fn suite() -> BlindingFile {
    let mut s: Suite<BlindingInput, BlindingIntermediate, BlindingExpected> =
        Suite::new("blinding");
    s.note(
        "CaseSensitive",
        "The room id is hashed exactly as written: another case is another room (OS-LINK-2).",
    );
    s.note(
        "NonAscii",
        "A string with non-ASCII characters, hashed as its UTF-8 bytes (OS-BLIND-5).",
    );
    let room_keys = [ROOM_KEY.to_owned(), "ff".repeat(32)];
    let room_ids: Vec<(&str, String, &[&str])> = vec![
        ("the example room id", ROOM_ID.to_owned(), &[]),
        (
            "nil UUID",
            "00000000-0000-0000-0000-000000000000".to_owned(),
            &[],
        ),
        (
            "upper-case room id: another d-tag",
            ROOM_ID.to_uppercase(),
            &["CaseSensitive"],
        ),
        (
            "a non-ASCII string as room id",
            "réunion-😀".to_owned(),
            &["NonAscii"],
        ),
    ];
    let authors = [keys(1).public_key(), keys(2).public_key()];
    let event_ids = [
        EventId::from_byte_array(hex32(&"ab".repeat(32))),
        EventId::from_byte_array([0; 32]),
    ];
    for key in &room_keys {
        for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
            let kb = openslots::kdf::RoomKey::from_bytes(hex32(key))
                .derive(p)
                .blind;
            for (comment, room_id, flags) in &room_ids {
                let (message, d, req) = match p {
                    Profile::V1 => (
                        room_id.as_bytes().to_vec(),
                        blinding::room_d_tag_v1(&kb, room_id),
                        "OS-BLIND-1",
                    ),
                    Profile::V2 => (
                        blinding::room_message_v2(room_id),
                        blinding::room_d_tag_v2(&kb, room_id),
                        "OS-BLIND-3",
                    ),
                };
                let reqs: Vec<&str> = if p == Profile::V2 {
                    vec![req, "OS-BLIND-5"]
                } else {
                    vec![req]
                };
                s.push(
                    profile,
                    "blind_room",
                    format!("room d-tag: {comment}"),
                    flags,
                    &reqs,
                    BlindingInput {
                        room_key: Some(key.clone()),
                        room_id: Some(room_id.clone()),
                        ..Default::default()
                    },
                    Some(BlindingIntermediate {
                        blinding_key: Some(hex::encode(kb.as_bytes())),
                        message: Some(hex::encode(&message)),
                    }),
                    Ok(BlindingExpected { d_tag: Some(d) }),
                    Expect::Reference,
                );
            }
            for author in &authors {
                for event_id in &event_ids {
                    let (message, d, reqs, eid): (Vec<u8>, String, &[&str], Option<String>) =
                        match p {
                            Profile::V1 => (
                                blinding::response_message_v1(author, event_id).into_bytes(),
                                blinding::response_d_tag_v1(&kb, author, event_id),
                                &["OS-BLIND-2"],
                                Some(event_id.to_hex()),
                            ),
                            Profile::V2 => (
                                blinding::response_message_v2(ROOM_ID, author),
                                blinding::response_d_tag_v2(&kb, ROOM_ID, author),
                                &["OS-BLIND-4", "OS-BLIND-5"],
                                None,
                            ),
                        };
                    if p == Profile::V2 && *event_id != event_ids[0] {
                        continue; // v2 response d-tags do not depend on the room event
                    }
                    s.push(
                        profile,
                        "blind_response",
                        "response d-tag of an author",
                        &[],
                        reqs,
                        BlindingInput {
                            room_key: Some(key.clone()),
                            room_id: Some(ROOM_ID.to_owned()),
                            author: Some(author.to_hex()),
                            room_event_id: eid,
                            ..Default::default()
                        },
                        Some(BlindingIntermediate {
                            blinding_key: Some(hex::encode(kb.as_bytes())),
                            message: Some(hex::encode(&message)),
                        }),
                        Ok(BlindingExpected { d_tag: Some(d) }),
                        Expect::Reference,
                    );
                }
            }
        }
    }
    lone_surrogates(&mut s);
    s.finish()
}

/// Room ids given as UTF-16 code units (`roomIdUtf16`), with lone
/// surrogates: each is hashed as U+FFFD (OS-BLIND-5). Added after the first
/// set, so earlier ids stay put.
fn lone_surrogates(s: &mut Suite<BlindingInput, BlindingIntermediate, BlindingExpected>) {
    s.note(
        "LoneSurrogate",
        "The room id is given as UTF-16 code units (roomIdUtf16) because it holds a lone surrogate, which JSON text cannot carry; each lone surrogate is hashed as U+FFFD, bytes ef bf bd (OS-BLIND-5).",
    );
    let room: Vec<u16> = "room-".encode_utf16().collect();
    let with = |tail: &[u16]| -> Vec<u16> { room.iter().chain(tail).copied().collect() };
    let cases: Vec<(&str, Vec<u16>, &[&str])> = vec![
        (
            "a lone high surrogate at the end (U+D83D): hashed as ef bf bd",
            with(&[0xD83D]),
            &["LoneSurrogate"],
        ),
        (
            "a lone low surrogate before ASCII (U+DE00, 'a'): hashed as ef bf bd 61",
            with(&[0xDE00, 0x61]),
            &["LoneSurrogate"],
        ),
        (
            "a low surrogate before a high one: two replacements",
            with(&[0xDE00, 0xD83D]),
            &["LoneSurrogate"],
        ),
        (
            "a valid pair (U+1F600) in code units: hashed as its UTF-8, f0 9f 98 80",
            with(&[0xD83D, 0xDE00]),
            &["NonAscii"],
        ),
    ];
    for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let kb = openslots::kdf::RoomKey::from_bytes(hex32(ROOM_KEY))
            .derive(p)
            .blind;
        for (comment, units, flags) in &cases {
            let room_id = String::from_utf16_lossy(units);
            let (message, d, req) = match p {
                Profile::V1 => (
                    room_id.as_bytes().to_vec(),
                    blinding::room_d_tag_v1(&kb, &room_id),
                    "OS-BLIND-1",
                ),
                Profile::V2 => (
                    blinding::room_message_v2(&room_id),
                    blinding::room_d_tag_v2(&kb, &room_id),
                    "OS-BLIND-3",
                ),
            };
            s.push(
                profile,
                "blind_room",
                format!("room d-tag: {comment}"),
                flags,
                &[req, "OS-BLIND-5"],
                BlindingInput {
                    room_key: Some(ROOM_KEY.to_owned()),
                    room_id_utf16: Some(units.clone()),
                    ..Default::default()
                },
                Some(BlindingIntermediate {
                    blinding_key: Some(hex::encode(kb.as_bytes())),
                    message: Some(hex::encode(&message)),
                }),
                Ok(BlindingExpected { d_tag: Some(d) }),
                Expect::Reference,
            );
        }
    }
}
