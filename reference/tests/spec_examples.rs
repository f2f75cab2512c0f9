//! The worked examples of the spec (§5.3, §6.3, §8.4, §11.6) rebuilt by the
//! reference, byte for byte. The spec's values were computed with a separate
//! implementation (written from the spec's text, checked against the official
//! NIP-44 vectors and BIP-340's test vectors), so agreement here confirms
//! both sides independently.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use nostr::event::Event;
use nostr::key::{Keys, SecretKey};
use openslots::event::RoomContext;
use openslots::kdf::{self, DeviceSecret};
use openslots::link::Link;
use openslots::mask;
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots::resolution;

const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
const ROOM_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const V1_HOST: &str = "0486619f9168c3cf592771c8a4ec9f1bc698093811d5aae6a1648428b8bbc9cc";
const V1_PARTICIPANT: &str = "cb045bb129d567297fe52fe55e90db55c52fbc6567f593292b49aae5d710ae5c";
const V2_HOST_DEVICE: &str = "65448733ae363f651fc4b5b7343ebdc9ddeb2d218cd36d5310109564df49c01a";
const V2_PARTICIPANT_DEVICE: &str =
    "cad1d282302403fcc089d5309044b46e0291915b2b2ed7846b4f353d3c4b98e3";
const ROOM_AT: u64 = 1_748_000_000;
const RESPONSE_AT: u64 = 1_748_003_600;
const START: i64 = 1_748_851_200;
const ROOM_MASK: &str = "11000000000000000000000000000000000000000000000011";
const ALICE_MASK: &str = "01000000000000000000000000000000000000000000000010";

fn spec() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openslots.md")).unwrap()
}

/// The JSON code blocks of spec §11.6, in order: v1 room, v1 response, v2 room, v2 response.
fn example_events() -> Vec<Event> {
    let text = spec();
    let start = text.find("### 11.6").expect("spec has §11.6");
    let end = start + text[start..].find("\n## ").expect("§11.6 ends");
    let section = &text[start..end];
    let mut events = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```json\n") {
        let body = &rest[open + 8..];
        let close = body.find("```").expect("closed block");
        events.push(Event::from_json(&body[..close]).expect("spec example is an event"));
        rest = &body[close..];
    }
    assert_eq!(events.len(), 4, "§11.6 has four example events");
    events
}

fn keys(hex_sk: &str) -> Keys {
    Keys::new(SecretKey::from_hex(hex_sk).unwrap())
}

fn device(hex: &str) -> DeviceSecret {
    let mut b = [0u8; 32];
    hex::decode_to_slice(hex, &mut b).unwrap();
    DeviceSecret::from_bytes(b)
}

fn room_payload() -> RoomPayload {
    RoomPayload {
        title: "Team sync".into(),
        start: START,
        mask: mask::decode_v1(ROOM_MASK).unwrap(),
    }
}

fn alice(start: Option<i64>) -> ResponsePayload {
    ResponsePayload {
        name: "Alice".into(),
        start,
        mask: mask::decode_v1(ALICE_MASK).unwrap(),
    }
}

fn assert_same(ours: &Event, spec: &Event) {
    assert_eq!(ours.as_json(), spec.as_json());
    spec.verify().unwrap();
}

#[test]
fn v1_examples_rebuild_byte_for_byte() {
    let spec_events = example_events();
    let ctx = RoomContext::new(
        Link::parse(&format!(
            "https://openslots.example/room/{ROOM_ID}#{ROOM_KEY}"
        ))
        .unwrap(),
    );
    assert_eq!(
        ctx.room_d,
        "09a4624a4b2f0919726dcbb7e88b475291fc0fbd50757f0aa72e6757cc6b7c7a"
    );
    let (room, plaintext) = ctx
        .build_room_event(&keys(V1_HOST), &room_payload(), ROOM_AT, &[1; 32], &[0; 32])
        .unwrap();
    assert_eq!(
        plaintext,
        format!(r#"{{"t":"Team sync","s":1748851200,"o":"{ROOM_MASK}"}}"#)
    );
    assert_same(&room, &spec_events[0]);
    let (response, plaintext) = ctx
        .build_response_event(
            &keys(V1_PARTICIPANT),
            &alice(None),
            &room.id,
            0,
            RESPONSE_AT,
            &[2; 32],
            &[0; 32],
        )
        .unwrap();
    assert_eq!(plaintext, format!(r#"{{"n":"Alice","o":"{ALICE_MASK}"}}"#));
    assert_same(&response, &spec_events[1]);

    let r = resolution::resolve(&ctx, &spec_events[..2], ROOM_AT).unwrap();
    assert_eq!(
        r.slots,
        vec![START, START + 1800, START + 48 * 1800, START + 49 * 1800]
    );
    // Alice marks bits 1 and 48; the room offers 0, 1, 48 and 49.
    assert_eq!(r.counts, vec![0, 1, 1, 0]);
}

#[test]
fn v2_examples_rebuild_byte_for_byte() {
    let spec_events = example_events();
    let room_key = {
        let mut b = [0u8; 32];
        hex::decode_to_slice(ROOM_KEY, &mut b).unwrap();
        openslots::kdf::RoomKey::from_bytes(b)
    };
    let blind = room_key.derive(openslots::Profile::V2).blind;
    let room_d = openslots::blinding::room_d_tag_v2(&blind, ROOM_ID);
    assert_eq!(
        room_d,
        "1ebc44cf99a30a39919e00250018b0ef229d43a30b2f9d29842e722ba2eac4eb"
    );
    let host = kdf::derive_signing_key(&device(V2_HOST_DEVICE), &room_d).unwrap();
    assert_eq!(host.counter, 0);
    assert_eq!(
        host.keys.secret_key().to_secret_hex(),
        "eb02c4a087734c1d71ff8133084f032bde2d444d05f6e630da3dc0aaa56e7de3"
    );
    let participant = kdf::derive_signing_key(&device(V2_PARTICIPANT_DEVICE), &room_d).unwrap();
    assert_eq!(
        participant.keys.secret_key().to_secret_hex(),
        "be5fcf07da53c3022738a63585528bfc8f248bbf2c299e18a416dd3117b25604"
    );
    let link = format!(
        "https://openslots.example/room/{ROOM_ID}#v2.{ROOM_KEY}.{}",
        host.keys.public_key().to_hex()
    );
    let ctx = RoomContext::new(Link::parse(&link).unwrap());
    let (room, _) = ctx
        .build_room_event(&host.keys, &room_payload(), ROOM_AT, &[3; 32], &[0; 32])
        .unwrap();
    assert_same(&room, &spec_events[2]);
    let (response, _) = ctx
        .build_response_event(
            &participant.keys,
            &alice(Some(START)),
            &room.id,
            1_749_546_000,
            RESPONSE_AT,
            &[4; 32],
            &[0; 32],
        )
        .unwrap();
    assert_same(&response, &spec_events[3]);

    let r = resolution::resolve(&ctx, &spec_events[2..], ROOM_AT).unwrap();
    // Alice marks bits 1 and 48; the room offers 0, 1, 48 and 49.
    assert_eq!(r.counts, vec![0, 1, 1, 0]);
    assert_eq!(r.expiration, Some(1_749_546_000));
}
