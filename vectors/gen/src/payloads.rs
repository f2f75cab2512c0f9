//! `payloads.json`: payload serialisation and reading (spec §8).

use openslots::payload::{Binding, ResponsePayload, RoomPayload};
use openslots::{Profile, SpecError};
use openslots_vectors::{Nothing, PayloadExpected, PayloadFile, PayloadInput};

use crate::fixtures::{ROOM_ID, bits, code, keys, mask};
use crate::{Expect, Outcome, Suite};

const M50: &str = "11000000000000000000000000000000000000000000000011";
const A50: &str = "01000000000000000000000000000000000000000000000010";

fn read_room(profile: Profile, text: &str, author: &str) -> Outcome<PayloadExpected> {
    RoomPayload::parse(
        profile,
        text,
        &Binding {
            room_id: ROOM_ID,
            author,
        },
    )
    .map(|p| PayloadExpected {
        title: Some(p.title),
        start: Some(p.start),
        mask: Some(bits(&p.mask)),
        ..Default::default()
    })
    .map_err(|e| e.code().as_str().to_owned())
}

fn read_response(profile: Profile, text: &str, author: &str) -> Outcome<PayloadExpected> {
    ResponsePayload::parse(
        profile,
        text,
        &Binding {
            room_id: ROOM_ID,
            author,
        },
    )
    .map(|p| PayloadExpected {
        name: Some(p.name),
        start: p.start,
        mask: Some(bits(&p.mask)),
        ..Default::default()
    })
    .map_err(|e| code(&e))
}

pub(crate) fn suite() -> PayloadFile {
    let mut s: Suite<PayloadInput, Nothing, PayloadExpected> = Suite::new("payloads");
    s.note(
        "Escapes",
        "Strings with characters JSON.stringify escapes, or does not (OS-PAYLOAD-2).",
    );
    s.note("DeployedAccepts", "A conforming reader rejects this payload; the deployed app reads it (PROTOCOL-FACTS §2): members missing or of the wrong type get defaults (t 'Untitled', s 0, a non-string mask read as text), numbers are taken as JSON.parse gives them, mask characters other than 1 read as 0 and an empty mask is accepted.");
    s.note("DeployedDiffers", "A conforming reader returns the title or name exactly (OS-PAYLOAD-10); the deployed app shows it trimmed with JavaScript's String.prototype.trim, and a title or name that is then empty as 'Untitled' or 'Anonymous' (PROTOCOL-FACTS §2, spec §8.5). What it shows is the expected string trimmed that way.");
    s.note(
        "DuplicateMember",
        "A member name appears twice: a reader rejects it with payload-json in both profiles (OS-PAYLOAD-1); the deployed app's JSON.parse keeps the last value.",
    );
    let host = keys(1).public_key().to_hex();
    let alice = keys(2).public_key().to_hex();
    let start = 1_748_851_200i64;

    // Writing (OS-PAYLOAD-2, 3, 5, 6, 9).
    let titles = [
        ("Team sync", "plain title", &[][..]),
        ("", "empty title", &[][..]),
        (
            "Quote \" backslash \\ slash /",
            "quote, backslash and an unescaped slash",
            &["Escapes"][..],
        ),
        (
            "tab\tnewline\ncr\r\u{8}\u{c}",
            "the five short escapes",
            &["Escapes"][..],
        ),
        (
            "\u{1}\u{1f}\u{7f}\u{2028}",
            "U+0001 and U+001F escaped as \\u00xx; U+007F and U+2028 raw",
            &["Escapes"][..],
        ),
        (
            "Réunion 😀 会议",
            "non-ASCII written as UTF-8",
            &["Escapes"][..],
        ),
    ];
    for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        for (title, comment, flags) in titles {
            let payload = RoomPayload {
                title: title.into(),
                start,
                mask: mask(M50),
            };
            let out = payload
                .to_json(
                    p,
                    &Binding {
                        room_id: ROOM_ID,
                        author: &host,
                    },
                )
                .map(|t| PayloadExpected {
                    plaintext: Some(t),
                    ..Default::default()
                })
                .map_err(|e| code(&e));
            let reqs: &[&str] = if p == Profile::V1 {
                &["OS-PAYLOAD-2"]
            } else {
                &["OS-PAYLOAD-5"]
            };
            s.push(
                profile,
                "write_room",
                comment,
                flags,
                reqs,
                PayloadInput {
                    title: Some(title.into()),
                    start: Some(start),
                    mask: Some(M50.into()),
                    room_id: (p == Profile::V2).then(|| ROOM_ID.into()),
                    author: (p == Profile::V2).then(|| host.clone()),
                    ..Default::default()
                },
                None,
                out,
                Expect::Reference,
            );
        }
        for (name, comment) in [
            ("Alice", "plain name"),
            ("Zoë \"Z\" 😀", "name with a quote and non-ASCII"),
        ] {
            let payload = ResponsePayload {
                name: name.into(),
                start: (p == Profile::V2).then_some(start),
                mask: mask(A50),
            };
            let out = payload
                .to_json(
                    p,
                    &Binding {
                        room_id: ROOM_ID,
                        author: &alice,
                    },
                )
                .map(|t| PayloadExpected {
                    plaintext: Some(t),
                    ..Default::default()
                })
                .map_err(|e| code(&e));
            let reqs: &[&str] = if p == Profile::V1 {
                &["OS-PAYLOAD-3"]
            } else {
                &["OS-PAYLOAD-6"]
            };
            s.push(
                profile,
                "write_response",
                comment,
                &[],
                reqs,
                PayloadInput {
                    name: Some(name.into()),
                    start: payload.start,
                    mask: Some(A50.into()),
                    room_id: (p == Profile::V2).then(|| ROOM_ID.into()),
                    author: (p == Profile::V2).then(|| alice.clone()),
                    ..Default::default()
                },
                None,
                out,
                Expect::Reference,
            );
        }
    }
    // Writing limits (OS-PAYLOAD-9).
    for (profile, p, title, comment) in [
        (
            "v1",
            Profile::V1,
            "x".repeat(65_535 - 60),
            "v1 title that makes the plaintext exceed 65535 bytes",
        ),
        (
            "v2",
            Profile::V2,
            "é".repeat(257),
            "v2 title of 514 bytes (257 characters)",
        ),
        (
            "v2",
            Profile::V2,
            "é".repeat(256),
            "v2 title of exactly 512 bytes",
        ),
    ] {
        let payload = RoomPayload {
            title: title.clone(),
            start,
            mask: mask(M50),
        };
        let out = payload
            .to_json(
                p,
                &Binding {
                    room_id: ROOM_ID,
                    author: &host,
                },
            )
            .map(|t| PayloadExpected {
                plaintext: Some(t),
                ..Default::default()
            })
            .map_err(|e| code(&e));
        s.push(
            profile,
            "write_room",
            comment,
            &[],
            &["OS-PAYLOAD-9"],
            PayloadInput {
                title: Some(title),
                start: Some(start),
                mask: Some(M50.into()),
                room_id: (p == Profile::V2).then(|| ROOM_ID.into()),
                author: (p == Profile::V2).then(|| host.clone()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }

    // Reading v1 rooms.
    let v1_room = format!(r#"{{"t":"Team sync","s":{start},"o":"{M50}"}}"#);
    let v1_reads: Vec<(&str, &[&str], &[&str], String)> = vec![
        (
            "the example v1 room",
            &[],
            &["OS-PAYLOAD-1", "OS-PAYLOAD-2", "OS-PAYLOAD-4"],
            v1_room.clone(),
        ),
        (
            "members in another order, with whitespace",
            &[],
            &["OS-PAYLOAD-4"],
            format!("{{ \"o\" : \"{M50}\",\n \"s\": {start}, \"t\": \"Team sync\" }}"),
        ),
        (
            "an unknown member is ignored",
            &[],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","s":{start},"o":"{M50}","z":[1,{{"a":null}}]}}"#),
        ),
        (
            "escaped characters are decoded",
            &["Escapes", "DeployedDiffers"],
            &["OS-PAYLOAD-4", "OS-PAYLOAD-10"],
            format!(r#"{{"t":"\u0054eam \"sync\"\n","s":{start},"o":"{M50}"}}"#),
        ),
        ("not JSON", &[], &["OS-PAYLOAD-1"], "{\"t\":".into()),
        (
            "a JSON array",
            &[],
            &["OS-PAYLOAD-1"],
            format!(r#"["Team sync",{start},"{M50}"]"#),
        ),
        (
            "a JSON string",
            &[],
            &["OS-PAYLOAD-1"],
            "\"Team sync\"".into(),
        ),
        (
            "trailing garbage",
            &[],
            &["OS-PAYLOAD-1"],
            format!("{v1_room}x"),
        ),
        (
            "a number beyond a double in an unknown member",
            &[],
            &["OS-PAYLOAD-1"],
            format!(r#"{{"t":"x","s":{start},"o":"{M50}","z":1e400}}"#),
        ),
        (
            "missing title (the deployed app defaults it)",
            &["DeployedAccepts"],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"s":{start},"o":"{M50}"}}"#),
        ),
        (
            "missing start",
            &["DeployedAccepts"],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","o":"{M50}"}}"#),
        ),
        (
            "missing mask",
            &["DeployedAccepts"],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","s":{start}}}"#),
        ),
        (
            "start as a string",
            &["DeployedAccepts"],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","s":"{start}","o":"{M50}"}}"#),
        ),
        (
            "start with a fraction",
            &[],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","s":{start}.0,"o":"{M50}"}}"#),
        ),
        (
            "start with an exponent",
            &[],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","s":1.7488512e9,"o":"{M50}"}}"#),
        ),
        (
            "start 2^53: not a safe integer",
            &[],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","s":9007199254740992,"o":"{M50}"}}"#),
        ),
        (
            "start -0",
            &[],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":"x","s":-0,"o":"{M50}"}}"#),
        ),
        (
            "start 2^53-1 is a safe integer",
            &[],
            &["OS-PAYLOAD-4"],
            r#"{"t":"x","s":9007199254740991,"o":"1"}"#.to_owned(),
        ),
        (
            "title as a number",
            &[],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"t":7,"s":{start},"o":"{M50}"}}"#),
        ),
        (
            "a response payload read as a room",
            &["DeployedAccepts"],
            &["OS-PAYLOAD-4"],
            format!(r#"{{"n":"Alice","o":"{A50}"}}"#),
        ),
        (
            "mask with a stray character (the deployed app reads it as 0)",
            &["DeployedAccepts"],
            &["OS-MASK-1"],
            format!(r#"{{"t":"x","s":{start},"o":"1x1"}}"#),
        ),
        (
            "room mask starting with 0",
            &[],
            &["OS-MASK-2"],
            format!(r#"{{"t":"x","s":{start},"o":"011"}}"#),
        ),
        (
            "empty room mask",
            &[],
            &["OS-MASK-1"],
            format!(r#"{{"t":"x","s":{start},"o":""}}"#),
        ),
    ];
    for (comment, flags, reqs, text) in v1_reads {
        let out = read_room(Profile::V1, &text, &host);
        s.push(
            "v1",
            "read_room",
            comment,
            flags,
            reqs,
            PayloadInput {
                plaintext: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    let dup = format!(r#"{{"t":"first","t":"Team sync","s":{start},"o":"{M50}"}}"#);
    let out = read_room(Profile::V1, &dup, &host);
    assert_eq!(out, Err("payload-json".to_owned()));
    s.push(
        "v1",
        "read_room",
        "duplicate title: rejected (JSON.parse would take the last one)",
        &["DuplicateMember", "DeployedAccepts"],
        &["OS-PAYLOAD-1"],
        PayloadInput {
            plaintext: Some(dup),
            ..Default::default()
        },
        None,
        out,
        Expect::Reference,
    );
    // Reading v1 responses.
    for (comment, flags, reqs, text) in [
        (
            "the example v1 response",
            &[][..],
            &["OS-PAYLOAD-3", "OS-PAYLOAD-4"][..],
            format!(r#"{{"n":"Alice","o":"{A50}"}}"#),
        ),
        (
            "all-zero mask: available nowhere",
            &[][..],
            &["OS-PAYLOAD-3"][..],
            r#"{"n":"Bob","o":"0000"}"#.to_owned(),
        ),
        (
            "missing name",
            &["DeployedAccepts"][..],
            &["OS-PAYLOAD-4"][..],
            format!(r#"{{"o":"{A50}"}}"#),
        ),
        (
            "name as null",
            &["DeployedAccepts"][..],
            &["OS-PAYLOAD-4"][..],
            format!(r#"{{"n":null,"o":"{A50}"}}"#),
        ),
        (
            "mask with a '2'",
            &["DeployedAccepts"][..],
            &["OS-MASK-1"][..],
            r#"{"n":"A","o":"0120"}"#.to_owned(),
        ),
        (
            "a room payload read as a response",
            &["DeployedAccepts"][..],
            &["OS-PAYLOAD-4"][..],
            format!(r#"{{"t":"x","s":{start},"o":"{M50}"}}"#),
        ),
    ] {
        let out = read_response(Profile::V1, &text, &alice);
        s.push(
            "v1",
            "read_response",
            comment,
            flags,
            reqs,
            PayloadInput {
                plaintext: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // Reading v2.
    let b50 = openslots::mask::encode_v2(&mask(M50)).1;
    let a50 = openslots::mask::encode_v2(&mask(A50)).1;
    let room = |v: &str, role: &str, room: &str, author: &str, title: &str, m: &str| {
        format!(
            r#"{{"v":{v},"role":"{role}","room":"{room}","author":"{author}","title":"{title}","start":{start},"mask":{m}}}"#
        )
    };
    let m = format!(r#"{{"n":50,"b":"{b50}"}}"#);
    let other_room = "00000000-0000-0000-0000-000000000000";
    let v2_reads: Vec<(&str, &[&str], String)> = vec![
        (
            "the example v2 room",
            &[
                "OS-PAYLOAD-1",
                "OS-PAYLOAD-5",
                "OS-PAYLOAD-7",
                "OS-PAYLOAD-8",
                "OS-MASK-6",
            ],
            room("2", "room", ROOM_ID, &host, "Team sync", &m),
        ),
        (
            "v missing",
            &["OS-PAYLOAD-7"],
            room("2", "room", ROOM_ID, &host, "x", &m).replacen(r#""v":2,"#, "", 1),
        ),
        (
            "v is 3",
            &["OS-PAYLOAD-7"],
            room("3", "room", ROOM_ID, &host, "x", &m),
        ),
        (
            "v is 1",
            &["OS-PAYLOAD-7"],
            room("1", "room", ROOM_ID, &host, "x", &m),
        ),
        (
            "v is a string",
            &["OS-PAYLOAD-7"],
            room("\"2\"", "room", ROOM_ID, &host, "x", &m),
        ),
        (
            "v is 2.0",
            &["OS-PAYLOAD-7"],
            room("2.0", "room", ROOM_ID, &host, "x", &m),
        ),
        (
            "role is response",
            &["OS-PAYLOAD-8"],
            room("2", "response", ROOM_ID, &host, "x", &m),
        ),
        (
            "another room id",
            &["OS-PAYLOAD-8"],
            room("2", "room", other_room, &host, "x", &m),
        ),
        (
            "another author (a payload copied under another key)",
            &["OS-PAYLOAD-8"],
            room("2", "room", ROOM_ID, &alice, "x", &m),
        ),
        (
            "title of 513 bytes",
            &["OS-PAYLOAD-9"],
            room("2", "room", ROOM_ID, &host, &"a".repeat(513), &m),
        ),
        (
            "title of 512 bytes",
            &["OS-PAYLOAD-9"],
            room("2", "room", ROOM_ID, &host, &"a".repeat(512), &m),
        ),
        (
            "mask as an array",
            &["OS-PAYLOAD-4"],
            room(
                "2",
                "room",
                ROOM_ID,
                &host,
                "x",
                &format!(r#"[50,"{b50}"]"#),
            ),
        ),
        (
            "mask n as a string",
            &["OS-PAYLOAD-4"],
            room(
                "2",
                "room",
                ROOM_ID,
                &host,
                "x",
                &format!(r#"{{"n":"50","b":"{b50}"}}"#),
            ),
        ),
        (
            "mask n is 0",
            &["OS-MASK-6"],
            room(
                "2",
                "room",
                ROOM_ID,
                &host,
                "x",
                &format!(r#"{{"n":0,"b":"{b50}"}}"#),
            ),
        ),
        (
            "mask n is -1",
            &["OS-MASK-6"],
            room(
                "2",
                "room",
                ROOM_ID,
                &host,
                "x",
                &format!(r#"{{"n":-1,"b":"{b50}"}}"#),
            ),
        ),
        (
            "duplicate member in the mask object",
            &["OS-PAYLOAD-1"],
            room(
                "2",
                "room",
                ROOM_ID,
                &host,
                "x",
                &format!(r#"{{"n":50,"n":50,"b":"{b50}"}}"#),
            ),
        ),
        (
            "mask with a 1 beyond n",
            &["OS-MASK-5"],
            room(
                "2",
                "room",
                ROOM_ID,
                &host,
                "x",
                &format!(r#"{{"n":49,"b":"{b50}"}}"#),
            ),
        ),
    ];
    for (comment, reqs, text) in v2_reads {
        let out = read_room(Profile::V2, &text, &host);
        s.push(
            "v2",
            "read_room",
            comment,
            &[],
            reqs,
            PayloadInput {
                plaintext: Some(text),
                room_id: Some(ROOM_ID.into()),
                author: Some(host.clone()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    let resp = |role: &str, author: &str, name: &str| {
        format!(
            r#"{{"v":2,"role":"{role}","room":"{ROOM_ID}","author":"{author}","name":"{name}","start":{start},"mask":{{"n":50,"b":"{a50}"}}}}"#
        )
    };
    for (comment, reqs, text) in [
        (
            "the example v2 response",
            &["OS-PAYLOAD-6", "OS-PAYLOAD-8"][..],
            resp("response", &alice, "Alice"),
        ),
        (
            "a room role read as a response",
            &["OS-PAYLOAD-8"][..],
            resp("room", &alice, "Alice"),
        ),
        (
            "another author: a response re-posted under another key",
            &["OS-PAYLOAD-8"][..],
            resp("response", &host, "Alice"),
        ),
        (
            "name of 129 bytes",
            &["OS-PAYLOAD-9"][..],
            resp("response", &alice, &"n".repeat(129)),
        ),
        (
            "name of 128 bytes",
            &["OS-PAYLOAD-9"][..],
            resp("response", &alice, &"n".repeat(128)),
        ),
        // Added after the first set: second cases for rules that one case
        // pinned (the room binding of a response, the name limit in bytes).
        (
            "a response bound to another room id",
            &["OS-PAYLOAD-8"][..],
            resp("response", &alice, "Alice").replace(ROOM_ID, other_room),
        ),
        (
            "name of 129 bytes in 43 three-byte characters (the limit counts UTF-8 bytes, not characters)",
            &["OS-PAYLOAD-9"][..],
            resp("response", &alice, &"\u{20ac}".repeat(43)),
        ),
        (
            "name of 128 bytes in 32 four-byte characters",
            &["OS-PAYLOAD-9"][..],
            resp("response", &alice, &"\u{1f600}".repeat(32)),
        ),
    ] {
        let out = read_response(Profile::V2, &text, &alice);
        s.push(
            "v2",
            "read_response",
            comment,
            &[],
            reqs,
            PayloadInput {
                plaintext: Some(text),
                room_id: Some(ROOM_ID.into()),
                author: Some(alice.clone()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    trimming(&mut s, &host, &alice, start);
    writers_check_masks(&mut s, &host, &alice, start);
    duplicates_in_v1(&mut s, &host, start);
    lone_surrogates(&mut s, &host, &alice, start);
    s.finish()
}

/// The characters ECMAScript's `String.prototype.trim` removes (WhiteSpace
/// and LineTerminator), with their names (spec §8.5).
const TRIMMED: &[(char, &str)] = &[
    ('\u{0009}', "U+0009 tab"),
    ('\u{000A}', "U+000A line feed"),
    ('\u{000B}', "U+000B line tabulation"),
    ('\u{000C}', "U+000C form feed"),
    ('\u{000D}', "U+000D carriage return"),
    ('\u{0020}', "U+0020 space"),
    ('\u{00A0}', "U+00A0 no-break space"),
    ('\u{1680}', "U+1680 ogham space mark"),
    ('\u{2000}', "U+2000 en quad"),
    ('\u{2001}', "U+2001 em quad"),
    ('\u{2002}', "U+2002 en space"),
    ('\u{2003}', "U+2003 em space"),
    ('\u{2004}', "U+2004 three-per-em space"),
    ('\u{2005}', "U+2005 four-per-em space"),
    ('\u{2006}', "U+2006 six-per-em space"),
    ('\u{2007}', "U+2007 figure space"),
    ('\u{2008}', "U+2008 punctuation space"),
    ('\u{2009}', "U+2009 thin space"),
    ('\u{200A}', "U+200A hair space"),
    ('\u{2028}', "U+2028 line separator"),
    ('\u{2029}', "U+2029 paragraph separator"),
    ('\u{202F}', "U+202F narrow no-break space"),
    ('\u{205F}', "U+205F medium mathematical space"),
    ('\u{3000}', "U+3000 ideographic space"),
    ('\u{FEFF}', "U+FEFF zero width no-break space"),
];

/// Characters `trim` keeps, though other languages' trimming removes some.
const KEPT: &str = "\u{0085}\u{180E}\u{200B}";

/// A JSON string literal for `text` (escaped as serde_json does; readers
/// decode any escape).
fn json_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// OS-PAYLOAD-10: titles and names are returned exactly, whitespace and
/// blanks included; the deployed app shows them trimmed (`DeployedDiffers`).
fn trimming(
    s: &mut Suite<PayloadInput, Nothing, PayloadExpected>,
    host: &str,
    alice: &str,
    start: i64,
) {
    let room_text = |title: &str| format!(r#"{{"t":{},"s":{start},"o":"{M50}"}}"#, json_str(title));
    let resp_text = |name: &str| format!(r#"{{"n":{},"o":"{A50}"}}"#, json_str(name));
    let mut rooms: Vec<(String, String, &[&str])> = TRIMMED
        .iter()
        .map(|(c, what)| {
            (
                format!("{c}Team sync{c}"),
                format!("title with {what} before and after: returned as is"),
                &["DeployedDiffers"][..],
            )
        })
        .collect();
    rooms.push((
        String::new(),
        "empty title: returned empty".into(),
        &["DeployedDiffers"],
    ));
    rooms.push((
        " \t\u{3000}".into(),
        "title of whitespace only: returned as is".into(),
        &["DeployedDiffers"],
    ));
    rooms.push((
        format!("{KEPT}Team sync{KEPT}"),
        "title with U+0085, U+180E and U+200B before and after (trim keeps them): returned as is"
            .into(),
        &[],
    ));
    for (title, comment, flags) in rooms {
        let text = room_text(&title);
        let out = read_room(Profile::V1, &text, host);
        s.push(
            "v1",
            "read_room",
            comment,
            flags,
            &["OS-PAYLOAD-10"],
            PayloadInput {
                plaintext: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    let mut names: Vec<(String, String, &[&str])> = TRIMMED
        .iter()
        .map(|(c, what)| {
            (
                format!("{c}Alice{c}"),
                format!("name with {what} before and after: returned as is"),
                &["DeployedDiffers"][..],
            )
        })
        .collect();
    names.push((
        String::new(),
        "empty name: returned empty".into(),
        &["DeployedDiffers"],
    ));
    names.push((
        "\u{00A0}\n ".into(),
        "name of whitespace only: returned as is".into(),
        &["DeployedDiffers"],
    ));
    names.push((
        format!("{KEPT}Alice{KEPT}"),
        "name with U+0085, U+180E and U+200B before and after (trim keeps them): returned as is"
            .into(),
        &[],
    ));
    for (name, comment, flags) in names {
        let text = resp_text(&name);
        let out = read_response(Profile::V1, &text, alice);
        s.push(
            "v1",
            "read_response",
            comment,
            flags,
            &["OS-PAYLOAD-10"],
            PayloadInput {
                plaintext: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // v2 reads the same way (the deployed app cannot read v2: no flag).
    let b50 = openslots::mask::encode_v2(&mask(M50)).1;
    let a50 = openslots::mask::encode_v2(&mask(A50)).1;
    for (title, comment) in [
        (
            " Team sync\n",
            "title with a space before and a line feed after: returned as is",
        ),
        ("", "empty title: returned empty"),
    ] {
        let text = format!(
            r#"{{"v":2,"role":"room","room":"{ROOM_ID}","author":"{host}","title":{},"start":{start},"mask":{{"n":50,"b":"{b50}"}}}}"#,
            json_str(title)
        );
        let out = read_room(Profile::V2, &text, host);
        s.push(
            "v2",
            "read_room",
            comment,
            &[],
            &["OS-PAYLOAD-10"],
            PayloadInput {
                plaintext: Some(text),
                room_id: Some(ROOM_ID.into()),
                author: Some(host.to_owned()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    for (name, comment) in [
        (
            "\u{3000}Alice\u{FEFF}",
            "name with U+3000 before and U+FEFF after: returned as is",
        ),
        (" ", "name of one space: returned as is"),
    ] {
        let text = format!(
            r#"{{"v":2,"role":"response","room":"{ROOM_ID}","author":"{alice}","name":{},"start":{start},"mask":{{"n":50,"b":"{a50}"}}}}"#,
            json_str(name)
        );
        let out = read_response(Profile::V2, &text, alice);
        s.push(
            "v2",
            "read_response",
            comment,
            &[],
            &["OS-PAYLOAD-10"],
            PayloadInput {
                plaintext: Some(text),
                room_id: Some(ROOM_ID.into()),
                author: Some(alice.to_owned()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

/// A mask from `0`/`1` of any length, the empty one and those over the
/// limits included (a writer's input, not a decoded mask).
fn positions(m: &str) -> openslots::mask::Mask {
    openslots::mask::Mask::from_bools(&m.bytes().map(|c| c == b'1').collect::<Vec<_>>())
}

/// A writer checks the mask it is given before anything else (OS-MASK-12,
/// §8.2 "Writing", OS-PAYLOAD-12). Found by differential fuzzing: a writer
/// that serialises whatever it gets passes every other case.
fn writers_check_masks(
    s: &mut Suite<PayloadInput, Nothing, PayloadExpected>,
    host: &str,
    alice: &str,
    start: i64,
) {
    let untrimmed_start = format!("0{}", &M50[1..]);
    let too_long_v1 = "1".repeat(65_536);
    let too_long_v2 = "1".repeat(35_137);
    let long_title = "t".repeat(513);
    let rooms: [(&str, Profile, &str, &str, &str); 8] = [
        (
            "v1",
            Profile::V1,
            "",
            "Team sync",
            "room mask with no position",
        ),
        (
            "v1",
            Profile::V1,
            &untrimmed_start,
            "Team sync",
            "room mask whose first position is clear",
        ),
        (
            "v1",
            Profile::V1,
            &too_long_v1,
            "T",
            "room mask of 65536 positions: the mask limit is checked before the payload size",
        ),
        (
            "v2",
            Profile::V2,
            "",
            "Team sync",
            "room mask with no position",
        ),
        (
            "v2",
            Profile::V2,
            "11000000",
            "Team sync",
            "room mask whose last position is clear",
        ),
        (
            "v2",
            Profile::V2,
            &too_long_v2,
            "Team sync",
            "room mask of 35137 positions",
        ),
        (
            "v2",
            Profile::V2,
            "",
            &long_title,
            "no position and a title of 513 bytes: the mask is checked first",
        ),
        (
            "v1",
            Profile::V1,
            "0",
            "Team sync",
            "room mask of one clear position",
        ),
    ];
    for (profile, p, m, title, comment) in rooms {
        let out = RoomPayload {
            title: title.into(),
            start,
            mask: positions(m),
        }
        .to_json(
            p,
            &Binding {
                room_id: ROOM_ID,
                author: host,
            },
        )
        .map(|t| PayloadExpected {
            plaintext: Some(t),
            ..Default::default()
        })
        .map_err(|e| code(&e));
        assert!(out.is_err(), "{comment}");
        s.push(
            profile,
            "write_room",
            format!("writer: {comment}"),
            &[],
            &["OS-MASK-12", "OS-PAYLOAD-12"],
            PayloadInput {
                title: Some(title.into()),
                start: Some(start),
                mask: Some(m.into()),
                room_id: (p == Profile::V2).then(|| ROOM_ID.into()),
                author: (p == Profile::V2).then(|| host.to_owned()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // The smallest masks a writer writes: one offered position (a room),
    // one clear position (a response may be available nowhere).
    for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let out = RoomPayload {
            title: "Team sync".into(),
            start,
            mask: positions("1"),
        }
        .to_json(
            p,
            &Binding {
                room_id: ROOM_ID,
                author: host,
            },
        )
        .map(|t| PayloadExpected {
            plaintext: Some(t),
            ..Default::default()
        })
        .map_err(|e| code(&e));
        assert!(out.is_ok());
        s.push(
            profile,
            "write_room",
            "writer: room mask of one offered position passes the check",
            &[],
            &["OS-MASK-12", "OS-PAYLOAD-12"],
            PayloadInput {
                title: Some("Team sync".into()),
                start: Some(start),
                mask: Some("1".into()),
                room_id: (p == Profile::V2).then(|| ROOM_ID.into()),
                author: (p == Profile::V2).then(|| host.to_owned()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    let responses: [(&str, Profile, &str, &str); 3] = [
        ("v1", Profile::V1, "", "response mask with no position"),
        ("v2", Profile::V2, "", "response mask with no position"),
        (
            "v1",
            Profile::V1,
            &too_long_v1,
            "response mask of 65536 positions",
        ),
    ];
    for (profile, p, m, comment) in responses {
        let out = ResponsePayload {
            name: "Alice".into(),
            start: (p == Profile::V2).then_some(start),
            mask: positions(m),
        }
        .to_json(
            p,
            &Binding {
                room_id: ROOM_ID,
                author: alice,
            },
        )
        .map(|t| PayloadExpected {
            plaintext: Some(t),
            ..Default::default()
        })
        .map_err(|e| code(&e));
        assert!(out.is_err(), "{comment}");
        s.push(
            profile,
            "write_response",
            format!("writer: {comment}"),
            &[],
            &["OS-MASK-12", "OS-PAYLOAD-12"],
            PayloadInput {
                name: Some("Alice".into()),
                start: (p == Profile::V2).then_some(start),
                mask: Some(m.into()),
                room_id: (p == Profile::V2).then(|| ROOM_ID.into()),
                author: (p == Profile::V2).then(|| alice.to_owned()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

/// OS-PAYLOAD-1: a repeated member name is `payload-json` in v1 too,
/// wherever it is (the deployed app's `JSON.parse` keeps the last value).
fn duplicates_in_v1(s: &mut Suite<PayloadInput, Nothing, PayloadExpected>, host: &str, start: i64) {
    for (op, comment, text) in [
        (
            "read_room",
            "an unknown member repeated",
            format!(r#"{{"t":"Team sync","x":1,"x":2,"s":{start},"o":"{M50}"}}"#),
        ),
        (
            "read_response",
            "duplicate name",
            format!(r#"{{"n":"Bob","n":"Alice","o":"{A50}"}}"#),
        ),
    ] {
        let out = if op == "read_room" {
            read_room(Profile::V1, &text, host)
        } else {
            read_response(Profile::V1, &text, host)
        };
        assert_eq!(out, Err("payload-json".to_owned()), "{comment}");
        s.push(
            "v1",
            op,
            comment,
            &["DuplicateMember", "DeployedAccepts"],
            &["OS-PAYLOAD-1"],
            PayloadInput {
                plaintext: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

/// OS-PAYLOAD-13: a `\\u` escape of a lone surrogate (a high surrogate not
/// followed by a low-surrogate escape, or a low one not after a high one)
/// makes the plaintext `payload-json`, in both profiles; a pair of escapes
/// is one character. ECMAScript's `JSON.stringify` writes such escapes, and
/// the deployed app's `JSON.parse` accepts them (`DeployedAccepts`).
fn lone_surrogates(
    s: &mut Suite<PayloadInput, Nothing, PayloadExpected>,
    host: &str,
    alice: &str,
    start: i64,
) {
    let v2_room = |title: &str| {
        format!(
            r#"{{"v":2,"role":"room","room":"{ROOM_ID}","author":"{host}","title":"{title}","start":{start},"mask":{{"n":50,"b":"wAAAAAAAwA=="}}}}"#
        )
    };
    let v2_response = |name: &str| {
        format!(
            r#"{{"v":2,"role":"response","room":"{ROOM_ID}","author":"{alice}","name":"{name}","start":{start},"mask":{{"n":50,"b":"QAAAAAAAgA=="}}}}"#
        )
    };
    for (profile, op, comment, text) in [
        (
            "v1",
            "read_room",
            "title with a lone high surrogate escape \\ud800: payload-json",
            format!(r#"{{"t":"Team \ud800sync","s":{start},"o":"{M50}"}}"#),
        ),
        (
            "v1",
            "read_response",
            "name with a lone low surrogate escape \\udc00: payload-json",
            format!(r#"{{"n":"Al\udc00ice","o":"{A50}"}}"#),
        ),
        (
            "v1",
            "read_room",
            "title with a high surrogate escape followed by a non-surrogate escape: payload-json",
            format!(r#"{{"t":"Team \ud83d\u0041sync","s":{start},"o":"{M50}"}}"#),
        ),
        (
            "v1",
            "read_room",
            "title with a surrogate pair as two escapes: one character (U+1F600)",
            format!(r#"{{"t":"Team \ud83d\ude00","s":{start},"o":"{M50}"}}"#),
        ),
        (
            "v2",
            "read_room",
            "title ending in a lone high surrogate escape: payload-json",
            v2_room("Team sync\\ud83d"),
        ),
        (
            "v2",
            "read_response",
            "name with a lone low surrogate escape: payload-json",
            v2_response("\\ude00Alice"),
        ),
        (
            "v2",
            "read_response",
            "name with a surrogate pair as two escapes: one character (U+1F600)",
            v2_response("Alice \\ud83d\\ude00"),
        ),
    ] {
        let p = if profile == "v1" {
            Profile::V1
        } else {
            Profile::V2
        };
        let (out, author) = if op == "read_room" {
            (read_room(p, &text, host), host)
        } else {
            (read_response(p, &text, alice), alice)
        };
        let pair = comment.contains("surrogate pair");
        assert_eq!(out.is_ok(), pair, "{comment}: {out:?}");
        let flags: &[&str] = if profile == "v1" && !pair {
            &["DeployedAccepts"]
        } else {
            &[]
        };
        s.push(
            profile,
            op,
            comment,
            flags,
            &["OS-PAYLOAD-13"],
            PayloadInput {
                plaintext: Some(text),
                room_id: (profile == "v2").then(|| ROOM_ID.into()),
                author: (profile == "v2").then(|| author.to_owned()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}
