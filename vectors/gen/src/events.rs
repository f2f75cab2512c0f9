//! `events.json`: events and tags (spec §11), built from fixed keys, times,
//! nonces and signing randomness.

use nostr::event::{Event, EventId};
use openslots::event::RoomContext;
use openslots::link::Link;
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots_vectors::{EventExpected, EventFile, EventInput, EventIntermediate, WireEvent};

use crate::fixtures::{keys, mask, secret_hex, v1_link, v2_link};
use crate::{Expect, Suite};

/// An event as the wire carries it.
pub(crate) fn wire(e: &Event) -> WireEvent {
    WireEvent {
        id: e.id.to_hex(),
        pubkey: e.pubkey.to_hex(),
        created_at: e.created_at.as_secs(),
        kind: u32::from(e.kind.as_u16()),
        tags: e.tags.iter().map(|t| t.as_slice().to_vec()).collect(),
        content: e.content.clone(),
        sig: e.sig.to_string(),
    }
}

/// The NIP-01 serialisation the id hashes.
pub(crate) fn serialized(e: &Event) -> String {
    let tags: Vec<Vec<String>> = e.tags.iter().map(|t| t.as_slice().to_vec()).collect();
    serde_json::json!([
        0,
        e.pubkey.to_hex(),
        e.created_at.as_secs(),
        e.kind.as_u16(),
        tags,
        e.content
    ])
    .to_string()
}

pub(crate) fn ctx(link: &str) -> RoomContext {
    match Link::parse(link) {
        Ok(l) => RoomContext::new(l),
        Err(_) => unreachable!("generator links are valid: {link}"),
    }
}

pub(crate) fn suite() -> EventFile {
    let mut s: Suite<EventInput, EventIntermediate, EventExpected> = Suite::new("events");
    s.note("DeployedDiffers", "The deployed app writes created_at = floor(now) for every new version, never previous + 1 (PROTOCOL-FACTS §2; spec Appendix B.2): here it would write now.");
    let start = 1_748_851_200i64;
    let room_mask = "11000000000000000000000000000000000000000000000011";
    let alice_mask = "01000000000000000000000000000000000000000000000010";
    let host = keys(1);
    for (profile, link, reqs_room, reqs_resp) in [
        (
            "v1",
            v1_link(),
            &[
                "OS-EVENT-1",
                "OS-EVENT-2",
                "OS-EVENT-6",
                "OS-EVENT-7",
                "OS-EVENT-8",
                "OS-EXPIRY-5",
            ][..],
            &[
                "OS-EVENT-1",
                "OS-EVENT-3",
                "OS-EVENT-6",
                "OS-EVENT-7",
                "OS-EVENT-8",
                "OS-BLIND-2",
            ][..],
        ),
        (
            "v2",
            v2_link(&host),
            &[
                "OS-EVENT-1",
                "OS-EVENT-4",
                "OS-EVENT-6",
                "OS-EVENT-7",
                "OS-EVENT-8",
                "OS-EXPIRY-4",
            ][..],
            &[
                "OS-EVENT-1",
                "OS-EVENT-5",
                "OS-EVENT-6",
                "OS-EVENT-7",
                "OS-EVENT-8",
                "OS-EXPIRY-4",
                "OS-BLIND-4",
            ][..],
        ),
    ] {
        let c = ctx(&link);
        for (i, title) in ["Team sync", "Réunion 😀", ""].iter().enumerate() {
            let n = i as u8 + 1;
            let payload = RoomPayload {
                title: (*title).into(),
                start,
                mask: mask(room_mask),
            };
            let created_at = 1_748_000_000 + u64::from(n);
            let outcome = c.build_room_event(&host, &payload, created_at, &[n; 32], &[n; 32]);
            let (event, plaintext) = match outcome {
                Ok(x) => x,
                Err(_) => unreachable!("example rooms build"),
            };
            s.push(
                profile,
                "build_room_event",
                format!("room event, title {title:?}"),
                &[],
                reqs_room,
                EventInput {
                    link: Some(link.clone()),
                    secret_key: Some(secret_hex(&host)),
                    title: Some((*title).into()),
                    start: Some(start),
                    mask: Some(room_mask.into()),
                    created_at: Some(created_at),
                    nonce: Some(hex::encode([n; 32])),
                    aux_rand: Some(hex::encode([n; 32])),
                    ..Default::default()
                },
                Some(EventIntermediate {
                    plaintext: Some(plaintext),
                    serialized: Some(serialized(&event)),
                }),
                Ok(EventExpected {
                    event: Some(wire(&event)),
                    ..Default::default()
                }),
                Expect::Reference,
            );
            // A response to it from participant n + 1.
            let alice = keys(10 + n);
            let resp = ResponsePayload {
                name: format!("Participant {n}"),
                start: (profile == "v2").then_some(start),
                mask: mask(alice_mask),
            };
            let expiration = openslots::event::v2_expiration(start, &payload.mask).unwrap_or(0);
            let created = created_at + 3600;
            let (r, plaintext) = match c.build_response_event(
                &alice,
                &resp,
                &event.id,
                expiration,
                created,
                &[n + 100; 32],
                &[n + 100; 32],
            ) {
                Ok(x) => x,
                Err(_) => unreachable!("example responses build"),
            };
            s.push(
                profile,
                "build_response_event",
                format!("response to the room titled {title:?}"),
                &[],
                reqs_resp,
                EventInput {
                    link: Some(link.clone()),
                    secret_key: Some(secret_hex(&alice)),
                    name: Some(resp.name.clone()),
                    start: resp.start,
                    mask: Some(alice_mask.into()),
                    room_event_id: (profile == "v1").then(|| event.id.to_hex()),
                    expiration: (profile == "v2").then_some(expiration),
                    created_at: Some(created),
                    nonce: Some(hex::encode([n + 100; 32])),
                    aux_rand: Some(hex::encode([n + 100; 32])),
                    ..Default::default()
                },
                Some(EventIntermediate {
                    plaintext: Some(plaintext),
                    serialized: Some(serialized(&r)),
                }),
                Ok(EventExpected {
                    event: Some(wire(&r)),
                    ..Default::default()
                }),
                Expect::Reference,
            );
        }
        // A v2 room signed by someone other than the link's host cannot be built (OS-EVENT-11).
        if profile == "v2" {
            let other = keys(9);
            let payload = RoomPayload {
                title: "x".into(),
                start,
                mask: mask(room_mask),
            };
            let outcome = c
                .build_room_event(&other, &payload, 1, &[1; 32], &[1; 32])
                .map(|(e, _)| EventExpected {
                    event: Some(wire(&e)),
                    ..Default::default()
                })
                .map_err(|f| f.code.as_str().to_owned());
            s.push(
                profile,
                "build_room_event",
                "a v2 room signed by another key than the link's host",
                &[],
                &["OS-EVENT-11"],
                EventInput {
                    link: Some(link.clone()),
                    secret_key: Some(secret_hex(&other)),
                    title: Some("x".into()),
                    start: Some(start),
                    mask: Some(room_mask.into()),
                    created_at: Some(1),
                    nonce: Some(hex::encode([1u8; 32])),
                    aux_rand: Some(hex::encode([1u8; 32])),
                    ..Default::default()
                },
                None,
                outcome,
                Expect::Reference,
            );
        }
    }
    reading(&mut s);
    later(&mut s);
    found_by_fuzzing(&mut s);
    horizon_before_1970(&mut s);
    s.finish()
}

/// Cases differential fuzzing found two implementations disagreeing on,
/// each settled by the spec: the bound of `created_at` (OS-EVENT-9) and the
/// writers' mask check (OS-MASK-12).
fn found_by_fuzzing(s: &mut EventSuite) {
    for (now, previous, comment) in [
        (
            1000u64,
            Some(9_007_199_254_740_990u64),
            "previous 2^53-2: the next is 2^53-1, the last created_at there is",
        ),
        (
            1000,
            Some(9_007_199_254_740_991),
            "previous 2^53-1: no later created_at exists (arithmetic on doubles would give 2^53)",
        ),
    ] {
        let out = openslots::event::next_created_at(now, previous)
            .map(|at| EventExpected {
                created_at: Some(at),
                ..Default::default()
            })
            .map_err(|e| crate::fixtures::code(&e));
        s.push(
            "any",
            "next_created_at",
            comment,
            &[],
            &["OS-EVENT-9"],
            EventInput {
                now: Some(now),
                previous,
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    let host = keys(1);
    let guest = keys(11);
    let start = 1_748_851_200i64;
    let room_event_id = hex::encode([0xde; 32]);
    for (profile, link) in [("v1", v1_link()), ("v2", v2_link(&host))] {
        let c = ctx(&link);
        for (m, comment) in [
            ("", "room mask with no position"),
            ("0110", "room mask whose first and last positions are clear"),
        ] {
            let payload = RoomPayload {
                title: "Team sync".into(),
                start,
                mask: positions(m),
            };
            let out = c
                .build_room_event(&host, &payload, 1000, &[1; 32], &[1; 32])
                .map(|(e, _)| EventExpected {
                    event: Some(wire(&e)),
                    ..Default::default()
                })
                .map_err(|f| f.code.as_str().to_owned());
            assert!(out.is_err(), "{comment}");
            s.push(
                profile,
                "build_room_event",
                format!("writer: {comment}"),
                &[],
                &["OS-MASK-12"],
                EventInput {
                    link: Some(link.clone()),
                    secret_key: Some(secret_hex(&host)),
                    title: Some("Team sync".into()),
                    start: Some(start),
                    mask: Some(m.into()),
                    created_at: Some(1000),
                    nonce: Some(hex::encode([1u8; 32])),
                    aux_rand: Some(hex::encode([1u8; 32])),
                    ..Default::default()
                },
                None,
                out,
                Expect::Reference,
            );
        }
        // Two faults, a kind other than 30078 and an id that no longer
        // matches: step 2 of §11.4 (kind) comes before step 3 (id),
        // OS-EVENT-14.
        let room = RoomPayload {
            title: "Team sync".into(),
            start,
            mask: mask("11011"),
        };
        if let Ok((good, _)) = c.build_room_event(&host, &room, 1000, &[1; 32], &[1; 32]) {
            let e = Event::new(
                good.id,
                good.pubkey,
                good.created_at,
                nostr::event::Kind::from(30_030u16),
                good.tags.clone().to_vec(),
                good.content.clone(),
                good.sig,
            );
            let out = read(&c, &e, 1000);
            assert_eq!(out, Err("event-kind".to_owned()));
            s.push(
                profile,
                "read_room_event",
                "two faults, kind 30030 and an id that no longer matches: event-kind (step 2 before step 3)",
                &[],
                &["OS-EVENT-1", "OS-EVENT-14"],
                EventInput {
                    link: Some(link.clone()),
                    now: Some(1000),
                    event: Some(wire(&e)),
                    ..Default::default()
                },
                None,
                out,
                Expect::Reference,
            );
        }
        let payload = ResponsePayload {
            name: "Alice".into(),
            start: (profile == "v2").then_some(start),
            mask: positions(""),
        };
        let expiration = 1_749_546_000u64;
        let out = c
            .build_response_event(
                &guest,
                &payload,
                &EventId::from_byte_array([0xde; 32]),
                expiration,
                1000,
                &[1; 32],
                &[1; 32],
            )
            .map(|(e, _)| EventExpected {
                event: Some(wire(&e)),
                ..Default::default()
            })
            .map_err(|f| f.code.as_str().to_owned());
        assert!(out.is_err());
        s.push(
            profile,
            "build_response_event",
            "writer: response mask with no position",
            &[],
            &["OS-MASK-12"],
            EventInput {
                link: Some(link.clone()),
                secret_key: Some(secret_hex(&guest)),
                name: Some("Alice".into()),
                start: (profile == "v2").then_some(start),
                mask: Some(String::new()),
                room_event_id: (profile == "v1").then(|| room_event_id.clone()),
                expiration: (profile == "v2").then_some(expiration),
                created_at: Some(1000),
                nonce: Some(hex::encode([1u8; 32])),
                aux_rand: Some(hex::encode([1u8; 32])),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

/// OS-EXPIRY-4 before 1970 (C-14): a v2 room whose horizon is negative has
/// no expiration a writer can write; horizon 0 still has one (604800).
fn horizon_before_1970(s: &mut EventSuite) {
    let host = keys(1);
    let link = v2_link(&host);
    let c = ctx(&link);
    for (start, comment) in [
        (
            -18_000i64,
            "v2 room with start -18000 and 5 positions: horizon -9000, no expiration can be written",
        ),
        (
            -9_000,
            "v2 room with start -9000 and 5 positions: horizon 0, expiration 604800",
        ),
    ] {
        let room = RoomPayload {
            title: "Team sync".into(),
            start,
            mask: mask("11011"),
        };
        let built = c.build_room_event(&host, &room, 1000, &[1; 32], &[1; 32]);
        let intermediate = built.as_ref().ok().map(|(e, plaintext)| EventIntermediate {
            plaintext: Some(plaintext.clone()),
            serialized: Some(serialized(e)),
        });
        let out = built
            .map(|(e, _)| EventExpected {
                event: Some(wire(&e)),
                ..Default::default()
            })
            .map_err(|f| f.code.as_str().to_owned());
        s.push(
            "v2",
            "build_room_event",
            comment,
            &[],
            &["OS-EXPIRY-4"],
            EventInput {
                link: Some(link.clone()),
                secret_key: Some(secret_hex(&host)),
                title: Some("Team sync".into()),
                start: Some(start),
                mask: Some("11011".into()),
                created_at: Some(1000),
                nonce: Some(hex::encode([1u8; 32])),
                aux_rand: Some(hex::encode([1u8; 32])),
                ..Default::default()
            },
            intermediate,
            out,
            Expect::Reference,
        );
    }
}

/// A mask from `0`/`1` of any length, the empty one included (a writer's
/// input, not a decoded mask).
fn positions(m: &str) -> openslots::mask::Mask {
    openslots::mask::Mask::from_bools(&m.bytes().map(|c| c == b'1').collect::<Vec<_>>())
}

/// The `now` of the reading cases: before the example room's expiration.
const fn now_of_room() -> u64 {
    1_748_100_000
}

/// Cases added after the first set (kept last so that earlier ids stay
/// put): a second case for rules a single case pinned.
fn later(s: &mut EventSuite) {
    let host = keys(1);
    let c = ctx(&v1_link());
    let payload = RoomPayload {
        title: "Team sync".into(),
        start: 1_748_851_200,
        mask: mask("11011"),
    };
    let Ok((good, _)) = c.build_room_event(&host, &payload, 1000, &[1; 32], &[1; 32]) else {
        unreachable!("example rooms build")
    };
    let value: serde_json::Value = serde_json::from_str(&good.as_json()).unwrap_or_default();
    let upper = |key: &str| {
        let mut x = value.clone();
        let v = x[key].as_str().unwrap_or_default().to_uppercase();
        x[key] = serde_json::json!(v);
        x.to_string()
    };
    // OS-EVENT-13: lower-case hex in every hex member, not only the id.
    for (comment, text) in [
        ("upper-case pubkey", upper("pubkey")),
        ("upper-case sig", upper("sig")),
    ] {
        let out = openslots::event::parse_event(&text)
            .map(|e| EventExpected {
                id: Some(e.id.to_hex()),
                ..Default::default()
            })
            .map_err(|e| crate::fixtures::code(&e));
        s.push(
            "any",
            "parse_event",
            comment,
            &[],
            &["OS-EVENT-13"],
            EventInput {
                event_json: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // OS-EVENT-9: a response answered twice in one second, and a previous
    // version far ahead of the clock.
    for (now, previous, comment) in [
        (
            1_748_100_000u64,
            Some(1_748_100_000u64),
            "a response answered twice in the same second: previous + 1",
        ),
        (
            1_748_100_000,
            Some(1_748_103_600),
            "the previous version is an hour ahead of the clock: previous + 1",
        ),
    ] {
        let out = openslots::event::next_created_at(now, previous)
            .map(|at| EventExpected {
                created_at: Some(at),
                ..Default::default()
            })
            .map_err(|e| crate::fixtures::code(&e));
        s.push(
            "any",
            "next_created_at",
            comment,
            &[],
            &["OS-EVENT-9"],
            EventInput {
                now: Some(now),
                previous,
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // OS-EVENT-7, C-28: a control character in a tag. The id hashes the
    // serialisation in which U+0001 is written `\u0001` (as JSON.stringify
    // and serde_json write it); an id over NIP-01's "verbatim" reading (the
    // raw byte) is wrong.
    for (profile, link) in [("v1", v1_link()), ("v2", v2_link(&host))] {
        let c = ctx(&link);
        let Ok((room, _)) = c.build_room_event(&host, &payload, 1000, &[1; 32], &[1; 32]) else {
            unreachable!("example rooms build")
        };
        let mut tags: Vec<Vec<String>> = room.tags.iter().map(|t| t.as_slice().to_vec()).collect();
        tags.push(vec!["x".into(), "a\u{1}b".into()]);
        let escaped = signed(&host, 1000, tags.clone(), room.content.clone(), 2);
        let verbatim_text = serialized(&escaped).replace("\\u0001", "\u{1}");
        let verbatim_id = nostr::event::EventId::from_byte_array(
            <sha2::Sha256 as sha2::Digest>::digest(verbatim_text.as_bytes()).into(),
        );
        let secp = secp256k1::Secp256k1::new();
        let sig = host.sign_schnorr_with_aux_rand(&secp, verbatim_id.as_bytes(), &[3; 32]);
        let verbatim = Event::new(
            verbatim_id,
            escaped.pubkey,
            escaped.created_at,
            escaped.kind,
            escaped.tags.clone().to_vec(),
            escaped.content.clone(),
            sig,
        );
        for (comment, e, text) in [
            (
                "a tag value with U+0001: the id hashes it escaped as \\u0001 (lower-case hex), as JSON.stringify and serde_json write it",
                &escaped,
                serialized(&escaped),
            ),
            (
                "the same event with its id over NIP-01's verbatim reading (a raw U+0001 byte in the serialisation) is rejected",
                &verbatim,
                verbatim_text.clone(),
            ),
        ] {
            let out = read(&c, e, now_of_room());
            s.push(
                profile,
                "read_room_event",
                comment,
                &[],
                &["OS-EVENT-7"],
                EventInput {
                    link: Some(link.clone()),
                    now: Some(now_of_room()),
                    event: Some(wire(e)),
                    ..Default::default()
                },
                Some(EventIntermediate {
                    serialized: Some(text),
                    ..Default::default()
                }),
                out,
                Expect::Reference,
            );
        }
    }
    // parse_event checks structure only (OS-EVENT-13, adapter protocol
    // §4.2): an id that does not hash the event and a signature that does
    // not verify still parse; read_room_event rejects them (OS-EVENT-7,
    // OS-EVENT-8).
    let mut wrong_id = value.clone();
    wrong_id["id"] = serde_json::json!("ab".repeat(32));
    let mut wrong_sig = value.clone();
    wrong_sig["sig"] = serde_json::json!("cd".repeat(64));
    for (comment, text) in [
        (
            "structure only: an id that does not hash the event still parses",
            wrong_id.to_string(),
        ),
        (
            "structure only: a signature that does not verify still parses",
            wrong_sig.to_string(),
        ),
    ] {
        let out = openslots::event::parse_event(&text)
            .map(|e| EventExpected {
                id: Some(e.id.to_hex()),
                ..Default::default()
            })
            .map_err(|e| crate::fixtures::code(&e));
        s.push(
            "any",
            "parse_event",
            comment,
            &[],
            &["OS-EVENT-13"],
            EventInput {
                event_json: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

type EventSuite = Suite<EventInput, EventIntermediate, EventExpected>;

fn read(c: &RoomContext, e: &Event, now: u64) -> Result<EventExpected, String> {
    c.open_room(e, now)
        .map(|p| EventExpected {
            title: Some(p.title),
            start: Some(p.start),
            mask: Some(crate::fixtures::bits(&p.mask)),
            ..Default::default()
        })
        .map_err(|f| f.code.as_str().to_owned())
}

fn signed(k: &nostr::key::Keys, at: u64, tags: Vec<Vec<String>>, content: String, n: u8) -> Event {
    match openslots::event::sign(k, at, tags, content, &[n; 32]) {
        Ok(e) => e,
        Err(_) => unreachable!("generator tags are non-empty"),
    }
}

/// Reading a room event (spec §11.4), one broken thing per invalid case.
fn reading(s: &mut EventSuite) {
    let host = keys(1);
    let start = 1_748_851_200i64;
    let room_mask = "11011";
    let now = 1_748_100_000u64;
    for (profile, link) in [("v1", v1_link()), ("v2", v2_link(&host))] {
        let c = ctx(&link);
        let payload = RoomPayload {
            title: "Team sync".into(),
            start,
            mask: mask(room_mask),
        };
        let good = match c.build_room_event(&host, &payload, 1000, &[1; 32], &[1; 32]) {
            Ok((e, _)) => e,
            Err(_) => unreachable!("example rooms build"),
        };
        let tags: Vec<Vec<String>> = good.tags.iter().map(|t| t.as_slice().to_vec()).collect();
        let without = |name: &str| {
            tags.iter()
                .filter(|t| t[0] != name)
                .cloned()
                .collect::<Vec<_>>()
        };
        let mut other_d_first = tags.clone();
        other_d_first.insert(0, vec!["d".into(), "0".repeat(64)]);
        let exp = openslots::event::v2_expiration(start, &payload.mask).unwrap_or(0);
        let mut malformed_exp = without("expiration");
        malformed_exp.push(vec!["expiration".into(), "soon".into()]);
        let wrong_kind = {
            let unsigned = nostr::event::UnsignedEvent::new(
                host.public_key(),
                good.created_at,
                nostr::event::Kind::from(30_030u16),
                good.tags.clone().to_vec(),
                good.content.clone(),
            );
            let id = unsigned.compute_id();
            let secp = secp256k1::Secp256k1::new();
            let sig = host.sign_schnorr_with_aux_rand(&secp, id.as_bytes(), &[2; 32]);
            Event::new(
                id,
                unsigned.pubkey,
                unsigned.created_at,
                unsigned.kind,
                unsigned.tags.to_vec(),
                unsigned.content,
                sig,
            )
        };
        let forged_id = Event::new(
            good.id,
            good.pubkey,
            nostr::types::Timestamp::from_secs(2000),
            good.kind,
            good.tags.clone().to_vec(),
            good.content.clone(),
            good.sig,
        );
        let forged_sig = {
            let mut sig = *good.sig.as_bytes();
            sig[0] ^= 0x80;
            match nostr::event::Signature::from_slice(&sig) {
                Ok(sg) => Event::new(
                    good.id,
                    good.pubkey,
                    good.created_at,
                    good.kind,
                    good.tags.clone().to_vec(),
                    good.content.clone(),
                    sg,
                ),
                Err(_) => unreachable!("64 bytes"),
            }
        };
        let mut cases: Vec<(&str, &[&str], Event, u64)> = vec![
            (
                "a valid room event",
                &[
                    "OS-EVENT-1",
                    "OS-EVENT-7",
                    "OS-EVENT-8",
                    "OS-EVENT-10",
                    "OS-EVENT-11",
                    "OS-EXPIRY-3",
                ],
                good.clone(),
                now,
            ),
            (
                "another kind (30030, the kind the description named)",
                &["OS-EVENT-1"],
                wrong_kind,
                now,
            ),
            (
                "id does not match the content",
                &["OS-EVENT-7"],
                forged_id,
                now,
            ),
            (
                "signature does not verify",
                &["OS-EVENT-8"],
                forged_sig,
                now,
            ),
            (
                "no t tag",
                &["OS-EVENT-10"],
                signed(&host, 1000, without("t"), good.content.clone(), 3),
                now,
            ),
            (
                "the first d tag is another value",
                &["OS-EVENT-10"],
                signed(&host, 1000, other_d_first, good.content.clone(), 4),
                now,
            ),
            (
                "content is not a NIP-44 payload",
                &["OS-RES-2"],
                signed(&host, 1000, tags.clone(), "hello".into(), 5),
                now,
            ),
        ];
        if profile == "v2" {
            cases.push((
                "no expiration tag",
                &["OS-EVENT-10"],
                signed(&host, 1000, without("expiration"), good.content.clone(), 6),
                now,
            ));
            cases.push((
                "a malformed expiration tag",
                &["OS-EVENT-10"],
                signed(&host, 1000, malformed_exp, good.content.clone(), 7),
                now,
            ));
            cases.push((
                "signed by another key than the link's host",
                &["OS-EVENT-11"],
                signed(&keys(9), 1000, tags.clone(), good.content.clone(), 8),
                now,
            ));
            cases.push((
                "read one second after it expired",
                &["OS-EXPIRY-3"],
                good.clone(),
                exp + 1,
            ));
            cases.push((
                "read when it expires: still valid",
                &["OS-EXPIRY-2", "OS-EXPIRY-3"],
                good.clone(),
                exp,
            ));
        }
        for (comment, reqs, e, at) in cases {
            let out = read(&c, &e, at);
            s.push(
                profile,
                "read_room_event",
                comment,
                &[],
                reqs,
                EventInput {
                    link: Some(link.clone()),
                    now: Some(at),
                    event: Some(wire(&e)),
                    ..Default::default()
                },
                None,
                out,
                Expect::Reference,
            );
        }
        // parse_event (OS-EVENT-13), on the JSON text.
        let json = good.as_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        let with = |key: &str, v: serde_json::Value| {
            let mut x = value.clone();
            x[key] = v;
            x.to_string()
        };
        let mut without_sig = value.clone();
        if let Some(o) = without_sig.as_object_mut() {
            o.remove("sig");
        }
        if profile == "v1" {
            for (comment, text) in [
                ("a well-formed event", json.clone()),
                (
                    "an unknown member is ignored",
                    with("extra", serde_json::json!(1)),
                ),
                ("not JSON", "{\"id\":".to_owned()),
                ("an array", "[]".to_owned()),
                ("no sig", without_sig.to_string()),
                (
                    "upper-case id",
                    with("id", serde_json::json!(good.id.to_hex().to_uppercase())),
                ),
                (
                    "created_at negative",
                    with("created_at", serde_json::json!(-1)),
                ),
                (
                    "created_at 2^53",
                    with("created_at", serde_json::json!(9_007_199_254_740_992u64)),
                ),
                ("kind 65536", with("kind", serde_json::json!(65_536))),
                (
                    "an empty tag",
                    with("tags", serde_json::json!([["d", "x"], []])),
                ),
                (
                    "a tag with a number",
                    with("tags", serde_json::json!([["d", 1]])),
                ),
                ("content null", with("content", serde_json::Value::Null)),
            ] {
                let out = openslots::event::parse_event(&text)
                    .map(|e| EventExpected {
                        id: Some(e.id.to_hex()),
                        ..Default::default()
                    })
                    .map_err(|e| crate::fixtures::code(&e));
                s.push(
                    "any",
                    "parse_event",
                    comment,
                    &[],
                    &["OS-EVENT-13"],
                    EventInput {
                        event_json: Some(text),
                        ..Default::default()
                    },
                    None,
                    out,
                    Expect::Reference,
                );
            }
            // next_created_at (OS-EVENT-9).
            for (now, previous, comment) in [
                (1000u64, None, "first version: now"),
                (1000, Some(1000), "a second version within the same second"),
                (900, Some(1000), "the clock went back"),
                (2000, Some(1000), "later: now"),
            ] {
                let out = openslots::event::next_created_at(now, previous)
                    .map(|at| EventExpected {
                        created_at: Some(at),
                        ..Default::default()
                    })
                    .map_err(|e| crate::fixtures::code(&e));
                let flags: &[&str] = if previous.is_some_and(|p| p >= now) {
                    &["DeployedDiffers"]
                } else {
                    &[]
                };
                s.push(
                    "any",
                    "next_created_at",
                    comment,
                    flags,
                    &["OS-EVENT-9"],
                    EventInput {
                        now: Some(now),
                        previous,
                        ..Default::default()
                    },
                    None,
                    out,
                    Expect::Reference,
                );
            }
        }
    }
}
