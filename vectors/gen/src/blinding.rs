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
    s.finish()
}
