//! Conformance tests for events (spec §11): the exact tag arrays of §11.3
//! (OS-EVENT-2 to OS-EVENT-5, OS-EXPIRY-4, OS-EXPIRY-5), the reading order of
//! §11.4 on events with two faults at once (the first failing step gives the
//! error), the tag and author checks (OS-EVENT-10, OS-EVENT-11), expiry on
//! reading (OS-EXPIRY-3), structure (OS-EVENT-13) and created_at
//! (OS-EVENT-9).
//!
//! Expected values are worked out by hand or taken from the spec's own
//! examples (§6.3, §11.6), which were computed independently of the
//! reference. Where a value cannot be worked by hand (a response d-tag for a
//! key the spec has no example for), the test says so and takes it from
//! `RoomContext::response_d`; the tag array's shape is still checked exactly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use nostr::event::{Event, EventId, Kind, Tag, UnsignedEvent};
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::types::Timestamp;
use openslots::event::{self, RoomContext, RoomRef};
use openslots::link::Link;
use openslots::mask::Mask;
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots::{ErrorCode, SpecError, cipher};

const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
const ROOM_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// §11.6 secret keys.
const V1_HOST_SK: &str = "0486619f9168c3cf592771c8a4ec9f1bc698093811d5aae6a1648428b8bbc9cc";
const V1_PARTICIPANT_SK: &str = "cb045bb129d567297fe52fe55e90db55c52fbc6567f593292b49aae5d710ae5c";
const V2_HOST_SK: &str = "eb02c4a087734c1d71ff8133084f032bde2d444d05f6e630da3dc0aaa56e7de3";
const V2_PARTICIPANT_SK: &str = "be5fcf07da53c3022738a63585528bfc8f248bbf2c299e18a416dd3117b25604";
/// §4.1, §11.6: the v2 host public key.
const V2_HOST_PK: &str = "3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";
/// §6.3, §11.6: the room d-tags (they depend on the link only).
const V1_ROOM_D: &str = "09a4624a4b2f0919726dcbb7e88b475291fc0fbd50757f0aa72e6757cc6b7c7a";
const V2_ROOM_D: &str = "1ebc44cf99a30a39919e00250018b0ef229d43a30b2f9d29842e722ba2eac4eb";
/// §11.6: the v1 room event's id and the response d-tags.
const V1_ROOM_EVENT_ID: &str = "417b35a077c49ec849bedfdd5011ca0a54df7a92d15e375b224607ac0f30ea6a";
const V1_RESPONSE_D: &str = "ba22951adf1709903a4e6c23530061278358fb4059343a47c96f3ddcc3077a87";
const V2_RESPONSE_D: &str = "a63550950ffbf36013b3d9ce0b1e5a4f3a913bab3b3022816e9659ad611e3bda";
/// The public key of the secret key 1: the generator's x coordinate.
const PK1: &str = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
/// The public key of the secret key 2.
const PK2: &str = "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
/// x = 5 is not on secp256k1.
const X5: &str = "0000000000000000000000000000000000000000000000000000000000000005";

const ROOM_AT: u64 = 1_748_000_000;
const RESPONSE_AT: u64 = 1_748_003_600;
const START: i64 = 1_748_851_200;
/// §11.6: horizon 1748851200 + 50 × 1800 = 1748941200; + 604800.
const EXPIRATION: u64 = 1_749_546_000;
const AUX: [u8; 32] = [0; 32];

// ---- fixtures -----------------------------------------------------------------

fn keys_hex(sk: &str) -> Keys {
    Keys::new(SecretKey::from_hex(sk).unwrap())
}

/// The key pair of the secret key 0…0n.
fn keys(n: u8) -> Keys {
    let mut sk = [0u8; 32];
    sk[31] = n;
    Keys::new(SecretKey::from_slice(&sk).unwrap())
}

fn v1_ctx() -> RoomContext {
    RoomContext::new(
        Link::parse(&format!(
            "https://openslots.example/room/{ROOM_ID}#{ROOM_KEY}"
        ))
        .unwrap(),
    )
}

fn v2_ctx_with_host(host_hex: &str) -> RoomContext {
    RoomContext::new(
        Link::parse(&format!(
            "https://openslots.example/room/{ROOM_ID}#v2.{ROOM_KEY}.{host_hex}"
        ))
        .unwrap(),
    )
}

fn v2_ctx() -> RoomContext {
    v2_ctx_with_host(V2_HOST_PK)
}

fn room_payload() -> RoomPayload {
    RoomPayload {
        title: "Team sync".into(),
        start: START,
        mask: Mask::from_indices(50, [0, 1, 48, 49]),
    }
}

fn alice(start: Option<i64>) -> ResponsePayload {
    ResponsePayload {
        name: "Alice".into(),
        start,
        mask: Mask::from_indices(50, [1, 48]),
    }
}

fn tags_of(event: &Event) -> Vec<Vec<String>> {
    event.tags.iter().map(|t| t.as_slice().to_vec()).collect()
}

fn strs(list: &[&[&str]]) -> Vec<Vec<String>> {
    list.iter()
        .map(|t| t.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

/// An event with a valid id and signature over exactly these members.
fn forge(signer: &Keys, created_at: u64, kind: u16, tags: &[Vec<String>], content: &str) -> Event {
    let tags: Vec<Tag> = tags
        .iter()
        .map(|t| Tag::parse(t.clone()).unwrap())
        .collect();
    let unsigned = UnsignedEvent::new(
        signer.public_key(),
        Timestamp::from_secs(created_at),
        Kind::from(kind),
        tags,
        content,
    );
    let id = unsigned.compute_id();
    let secp = secp256k1::Secp256k1::new();
    let sig = signer.sign_schnorr_with_aux_rand(&secp, id.as_bytes(), &AUX);
    Event::new(
        id,
        unsigned.pubkey,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags,
        unsigned.content,
        sig,
    )
}

/// The same event with a valid-looking signature over another message.
fn bad_sig(mut e: Event, signer: &Keys) -> Event {
    let secp = secp256k1::Secp256k1::new();
    e.sig = signer.sign_schnorr_with_aux_rand(&secp, [0x55; 32], &AUX);
    e
}

/// The same event with an id that is not its hash.
fn bad_id(mut e: Event) -> Event {
    e.id = EventId::from_byte_array([0xab; 32]);
    e
}

/// `plaintext` encrypted under the room's K_enc.
fn encrypt(ctx: &RoomContext, plaintext: &str) -> String {
    cipher::encrypt_with_nonce(&ctx.keys.enc, plaintext.as_bytes(), &[9; 32]).unwrap()
}

fn room_code(ctx: &RoomContext, e: &Event, now: u64) -> ErrorCode {
    match ctx.open_room(e, now) {
        Ok(p) => panic!("accepted as a room: {p:?}"),
        Err(f) => f.code,
    }
}

fn response_code(ctx: &RoomContext, e: &Event, room: &RoomRef<'_>, now: u64) -> ErrorCode {
    match ctx.open_response(e, room, now) {
        Ok(r) => panic!("accepted as a response: {r:?}"),
        Err(f) => f.code,
    }
}

/// The v1 room and response of §11.6, built with the spec's keys and nonces.
fn v1_spec_events(ctx: &RoomContext) -> (Event, Event) {
    let (room, _) = ctx
        .build_room_event(
            &keys_hex(V1_HOST_SK),
            &room_payload(),
            ROOM_AT,
            &[1; 32],
            &AUX,
        )
        .unwrap();
    let (response, _) = ctx
        .build_response_event(
            &keys_hex(V1_PARTICIPANT_SK),
            &alice(None),
            &room.id,
            0,
            RESPONSE_AT,
            &[2; 32],
            &AUX,
        )
        .unwrap();
    (room, response)
}

/// The v2 room and response of §11.6.
fn v2_spec_events(ctx: &RoomContext) -> (Event, Event) {
    let (room, _) = ctx
        .build_room_event(
            &keys_hex(V2_HOST_SK),
            &room_payload(),
            ROOM_AT,
            &[3; 32],
            &AUX,
        )
        .unwrap();
    let (response, _) = ctx
        .build_response_event(
            &keys_hex(V2_PARTICIPANT_SK),
            &alice(Some(START)),
            &room.id,
            EXPIRATION,
            RESPONSE_AT,
            &[4; 32],
            &AUX,
        )
        .unwrap();
    (room, response)
}

// ---- §11.3: exact tag arrays -----------------------------------------------------

#[test]
fn os_event_2_v1_room_tags_are_exact() {
    let ctx = v1_ctx();
    assert_eq!(ctx.room_d, V1_ROOM_D);
    let (room, _) = v1_spec_events(&ctx);
    assert_eq!(
        tags_of(&room),
        strs(&[&["d", V1_ROOM_D], &["t", "openslots"]])
    );
    assert_eq!(room.id.to_hex(), V1_ROOM_EVENT_ID);
    assert_eq!(room.kind, Kind::from(30_078));
    assert_eq!(room.created_at, Timestamp::from_secs(ROOM_AT));
    // Any signer: the tags of a v1 room do not depend on the author.
    let (room, _) = ctx
        .build_room_event(&keys(1), &room_payload(), ROOM_AT, &[1; 32], &AUX)
        .unwrap();
    assert_eq!(room.pubkey.to_hex(), PK1);
    assert_eq!(
        tags_of(&room),
        strs(&[&["d", V1_ROOM_D], &["t", "openslots"]])
    );
}

#[test]
fn os_event_3_v1_response_tags_are_exact() {
    let ctx = v1_ctx();
    let (_, response) = v1_spec_events(&ctx);
    assert_eq!(
        tags_of(&response),
        strs(&[
            &["e", V1_ROOM_EVENT_ID],
            &["d", V1_RESPONSE_D],
            &["t", "openslots"]
        ])
    );
    // Fixed keys 0…01 (room) and 0…02 (response). The response d-tag is
    // HMAC(K_hmac, pubkey ":" room event id): not hand-computable, so it is
    // taken from the reference; the array's shape and other values are not.
    let (room, _) = ctx
        .build_room_event(&keys(1), &room_payload(), ROOM_AT, &[1; 32], &AUX)
        .unwrap();
    let (response, _) = ctx
        .build_response_event(
            &keys(2),
            &alice(None),
            &room.id,
            0,
            RESPONSE_AT,
            &[2; 32],
            &AUX,
        )
        .unwrap();
    assert_eq!(response.pubkey.to_hex(), PK2);
    let d = ctx.response_d(&keys(2).public_key(), &room.id);
    assert_eq!(d.len(), 64);
    assert_eq!(
        tags_of(&response),
        strs(&[&["e", &room.id.to_hex()], &["d", &d], &["t", "openslots"]])
    );
}

#[test]
fn os_event_4_v2_room_tags_are_exact() {
    let ctx = v2_ctx();
    assert_eq!(ctx.room_d, V2_ROOM_D);
    let (room, _) = v2_spec_events(&ctx);
    assert_eq!(
        tags_of(&room),
        strs(&[
            &["d", V2_ROOM_D],
            &["t", "openslots"],
            &["expiration", "1749546000"]
        ])
    );
    assert_eq!(room.pubkey.to_hex(), V2_HOST_PK);
}

#[test]
fn os_event_4_v2_room_with_fixed_key_one() {
    // Host 0…01: the room d-tag does not depend on the host (OS-BLIND-3).
    let ctx = v2_ctx_with_host(PK1);
    assert_eq!(ctx.room_d, V2_ROOM_D);
    assert_eq!(
        ctx.room_address().unwrap(),
        format!("30078:{PK1}:{V2_ROOM_D}")
    );
    // start 1748851200, n = 3: horizon 1748851200 + 3 × 1800 = 1748856600;
    // expiration 1748856600 + 604800 = 1749461400 (OS-EXPIRY-4).
    let payload = RoomPayload {
        title: "t".into(),
        start: START,
        mask: Mask::from_indices(3, [0, 2]),
    };
    let (room, _) = ctx
        .build_room_event(&keys(1), &payload, ROOM_AT, &[3; 32], &AUX)
        .unwrap();
    assert_eq!(
        tags_of(&room),
        strs(&[
            &["d", V2_ROOM_D],
            &["t", "openslots"],
            &["expiration", "1749461400"]
        ])
    );
    // One slot at start 0: horizon 1800, expiration 606600.
    let payload = RoomPayload {
        title: "t".into(),
        start: 0,
        mask: Mask::from_indices(1, [0]),
    };
    let (room, _) = ctx
        .build_room_event(&keys(1), &payload, ROOM_AT, &[3; 32], &AUX)
        .unwrap();
    assert_eq!(tags_of(&room)[2], ["expiration", "606600"]);
}

#[test]
fn os_event_5_v2_response_tags_are_exact() {
    let ctx = v2_ctx();
    let (_, response) = v2_spec_events(&ctx);
    let address = format!("30078:{V2_HOST_PK}:{V2_ROOM_D}");
    assert_eq!(
        tags_of(&response),
        strs(&[
            &["d", V2_RESPONSE_D],
            &["a", &address],
            &["t", "openslots"],
            &["expiration", "1749546000"]
        ])
    );
}

#[test]
fn os_event_5_v2_response_with_fixed_keys() {
    let ctx = v2_ctx_with_host(PK1);
    let (room, _) = ctx
        .build_room_event(&keys(1), &room_payload(), ROOM_AT, &[3; 32], &AUX)
        .unwrap();
    // The response carries the value it is given: the room's (OS-EXPIRY-4).
    let (response, _) = ctx
        .build_response_event(
            &keys(2),
            &alice(Some(START)),
            &room.id,
            1_749_461_400,
            RESPONSE_AT,
            &[4; 32],
            &AUX,
        )
        .unwrap();
    // d-tag: HMAC over (label, room id, pubkey bytes), taken from the reference.
    let d = ctx.response_d(&keys(2).public_key(), &room.id);
    assert_eq!(
        tags_of(&response),
        strs(&[
            &["d", &d],
            &["a", &format!("30078:{PK1}:{V2_ROOM_D}")],
            &["t", "openslots"],
            &["expiration", "1749461400"]
        ])
    );
    // The v2 response d-tag does not depend on the room event (OS-BLIND-4).
    assert_eq!(
        d,
        ctx.response_d(&keys(2).public_key(), &EventId::from_byte_array([7; 32]))
    );
}

#[test]
fn os_expiry_5_v1_writers_add_no_expiration() {
    let ctx = v1_ctx();
    let (room, response) = v1_spec_events(&ctx);
    for e in [&room, &response] {
        assert!(tags_of(e).iter().all(|t| t[0] != "expiration"));
    }
}

#[test]
fn os_event_6_spec_events_open() {
    let ctx = v1_ctx();
    let (room, response) = v1_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    assert_eq!(payload, room_payload());
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let opened = ctx.open_response(&response, &r, ROOM_AT).unwrap();
    assert_eq!(opened.payload.name, "Alice");
    assert_eq!(opened.mask, Mask::from_indices(50, [1, 48]));

    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let opened = ctx.open_response(&response, &r, ROOM_AT).unwrap();
    assert_eq!(opened.payload.start, Some(START));
}

// ---- §11.4: one fault per step ---------------------------------------------------

#[test]
fn os_event_1_other_kinds_are_event_kind() {
    for ctx in [v1_ctx(), v2_ctx()] {
        let (room, _) = if ctx.link.host().is_some() {
            v2_spec_events(&ctx)
        } else {
            v1_spec_events(&ctx)
        };
        let signer = if ctx.link.host().is_some() {
            keys_hex(V2_HOST_SK)
        } else {
            keys_hex(V1_HOST_SK)
        };
        for kind in [30_030, 1, 0, 30_077, 30_079, 10_078, 65_535] {
            let e = forge(&signer, ROOM_AT, kind, &tags_of(&room), &room.content);
            assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventKind, "{kind}");
        }
    }
}

#[test]
fn os_event_7_id_mismatch_is_event_id() {
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    assert_eq!(
        room_code(&ctx, &bad_id(room.clone()), ROOM_AT),
        ErrorCode::EventId
    );
    // A member changed after signing: the id no longer matches.
    let mut e = room.clone();
    e.created_at = Timestamp::from_secs(ROOM_AT + 1);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventId);
    let mut e = room;
    e.content.push('A');
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventId);
}

#[test]
fn os_event_8_bad_signature_is_event_sig() {
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    let host = keys_hex(V1_HOST_SK);
    assert_eq!(
        room_code(&ctx, &bad_sig(room.clone(), &host), ROOM_AT),
        ErrorCode::EventSig
    );
    // A valid signature by another key: the id is over the claimed pubkey.
    let other = forge(&keys(3), ROOM_AT, 30_078, &tags_of(&room), &room.content);
    let mut e = room;
    e.sig = other.sig;
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventSig);
}

#[test]
fn os_event_8_pubkey_off_the_curve_is_event_sig() {
    // §11.4 step 4: a pubkey that is not a valid x-only key cannot verify.
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    let pk = PublicKey::from_hex(X5).unwrap();
    let unsigned = UnsignedEvent::new(
        pk,
        Timestamp::from_secs(ROOM_AT),
        Kind::from(30_078),
        room.tags.clone(),
        room.content.clone(),
    );
    let id = unsigned.compute_id();
    let e = Event::new(
        id,
        pk,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags,
        unsigned.content,
        room.sig,
    );
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventSig);
    // In v2 the author check (step 6) would fail too; step 4 comes first.
    let ctx = v2_ctx();
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventSig);
}

#[test]
fn os_event_10_room_without_the_room_d_tag_first_is_event_tag() {
    for ctx in [v1_ctx(), v2_ctx()] {
        let v2 = ctx.link.host().is_some();
        let signer = if v2 {
            keys_hex(V2_HOST_SK)
        } else {
            keys_hex(V1_HOST_SK)
        };
        let (room, _) = if v2 {
            v2_spec_events(&ctx)
        } else {
            v1_spec_events(&ctx)
        };
        let mut rest: Vec<Vec<String>> = tags_of(&room)[1..].to_vec();
        // The first d is another value, the room's d-tag comes later: a room
        // candidate (§14.2 step 3) that OS-EVENT-10 rejects.
        let mut tags = strs(&[&["d", "other"]]);
        tags.extend(rest.clone());
        tags.push(vec!["d".into(), ctx.room_d.clone()]);
        let e = forge(&signer, ROOM_AT, 30_078, &tags, &room.content);
        assert!(ctx.is_room_candidate(&e));
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag, "v2={v2}");
        // An empty first d.
        let mut tags = strs(&[&["d", ""], &["d", &ctx.room_d]]);
        tags.extend(rest.clone());
        let e = forge(&signer, ROOM_AT, 30_078, &tags, &room.content);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag, "v2={v2}");
        // A first d tag without a value.
        let mut tags = strs(&[&["d"], &["d", &ctx.room_d]]);
        tags.extend(rest.clone());
        let e = forge(&signer, ROOM_AT, 30_078, &tags, &room.content);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag, "v2={v2}");
        // No d tag at all.
        let e = forge(&signer, ROOM_AT, 30_078, &rest, &room.content);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag, "v2={v2}");
        // The d-tag in upper case.
        let mut tags = strs(&[&["d", &ctx.room_d.to_uppercase()]]);
        tags.append(&mut rest);
        let e = forge(&signer, ROOM_AT, 30_078, &tags, &room.content);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag, "v2={v2}");
    }
}

#[test]
fn os_event_10_missing_t_tag_is_event_tag() {
    for ctx in [v1_ctx(), v2_ctx()] {
        let v2 = ctx.link.host().is_some();
        let signer = if v2 {
            keys_hex(V2_HOST_SK)
        } else {
            keys_hex(V1_HOST_SK)
        };
        let (room, _) = if v2 {
            v2_spec_events(&ctx)
        } else {
            v1_spec_events(&ctx)
        };
        let without_t: Vec<Vec<String>> =
            tags_of(&room).into_iter().filter(|t| t[0] != "t").collect();
        let e = forge(&signer, ROOM_AT, 30_078, &without_t, &room.content);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag);
        for bad in [
            &["t", "OpenSlots"][..],
            &["t", "openslots "],
            &["t"],
            &["T", "openslots"],
        ] {
            let mut tags = without_t.clone();
            tags.push(bad.iter().map(|s| (*s).to_owned()).collect());
            let e = forge(&signer, ROOM_AT, 30_078, &tags, &room.content);
            assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag, "{bad:?}");
        }
        // Some t tag names openslots, wherever it is: valid.
        let mut tags = without_t.clone();
        tags.push(strs(&[&["t", "other"]]).remove(0));
        tags.push(strs(&[&["t", "openslots", "extra"]]).remove(0));
        let e = forge(&signer, ROOM_AT, 30_078, &tags, &room.content);
        assert_eq!(ctx.open_room(&e, ROOM_AT).unwrap(), room_payload());
    }
}

#[test]
fn os_event_10_other_tags_and_order_are_ignored() {
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    let tags = strs(&[
        &["t", "openslots"],
        &["x", "y"],
        &["d", V1_ROOM_D, "extra"],
        &["d", "second d ignored"],
        &["e", "0"],
        &["p", PK1],
    ]);
    let e = forge(&keys_hex(V1_HOST_SK), ROOM_AT, 30_078, &tags, &room.content);
    assert_eq!(ctx.open_room(&e, ROOM_AT).unwrap(), room_payload());
}

#[test]
fn os_event_10_v2_without_expiration_is_event_tag() {
    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let host = keys_hex(V2_HOST_SK);
    let tags = strs(&[&["d", V2_ROOM_D], &["t", "openslots"]]);
    let e = forge(&host, ROOM_AT, 30_078, &tags, &room.content);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag);

    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let without: Vec<Vec<String>> = tags_of(&response)
        .into_iter()
        .filter(|t| t[0] != "expiration")
        .collect();
    let e = forge(
        &keys_hex(V2_PARTICIPANT_SK),
        RESPONSE_AT,
        30_078,
        &without,
        &response.content,
    );
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventTag);
}

#[test]
fn os_event_10_v2_malformed_expiration_is_event_tag() {
    let ctx = v2_ctx();
    let (room, _) = v2_spec_events(&ctx);
    let host = keys_hex(V2_HOST_SK);
    for value in [
        "",
        "+1749546000",
        " 1749546000",
        "1749546000.0",
        "1e10",
        "0x10",
        "18446744073709551616",
    ] {
        let tags = strs(&[
            &["d", V2_ROOM_D],
            &["t", "openslots"],
            &["expiration", value],
        ]);
        let e = forge(&host, ROOM_AT, 30_078, &tags, &room.content);
        assert_eq!(
            room_code(&ctx, &e, ROOM_AT),
            ErrorCode::EventTag,
            "{value:?}"
        );
    }
    // A tag without a value.
    let tags = strs(&[&["d", V2_ROOM_D], &["t", "openslots"], &["expiration"]]);
    let e = forge(&host, ROOM_AT, 30_078, &tags, &room.content);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag);
    // The first expiration tag counts (OS-EXPIRY-1): malformed, then valid.
    let tags = strs(&[
        &["d", V2_ROOM_D],
        &["t", "openslots"],
        &["expiration", "x"],
        &["expiration", "1749546000"],
    ]);
    let e = forge(&host, ROOM_AT, 30_078, &tags, &room.content);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag);
    // Leading zeros are digits: well-formed.
    let tags = strs(&[
        &["d", V2_ROOM_D],
        &["t", "openslots"],
        &["expiration", "01749546000"],
    ]);
    let e = forge(&host, ROOM_AT, 30_078, &tags, &room.content);
    assert!(ctx.open_room(&e, ROOM_AT).is_ok());
}

#[test]
fn os_expiry_1_v1_malformed_expiration_is_not_an_error() {
    // v1 readers honour an expiration but a malformed one means "never".
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    for value in ["", "+1", "x", "1.5"] {
        let tags = strs(&[
            &["d", V1_ROOM_D],
            &["t", "openslots"],
            &["expiration", value],
        ]);
        let e = forge(&keys_hex(V1_HOST_SK), ROOM_AT, 30_078, &tags, &room.content);
        assert_eq!(
            ctx.open_room(&e, u64::MAX).unwrap(),
            room_payload(),
            "{value:?}"
        );
    }
}

#[test]
fn os_event_10_responses_must_name_the_room() {
    // v1: an e tag naming the room event; v2: an a tag naming the address.
    let ctx = v1_ctx();
    let (room, response) = v1_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let p = keys_hex(V1_PARTICIPANT_SK);
    for tags in [
        strs(&[&["d", V1_RESPONSE_D], &["t", "openslots"]]),
        strs(&[
            &["e", &"0".repeat(64)],
            &["d", V1_RESPONSE_D],
            &["t", "openslots"],
        ]),
        strs(&[
            &["e", &V1_ROOM_EVENT_ID.to_uppercase()],
            &["d", V1_RESPONSE_D],
            &["t", "openslots"],
        ]),
        strs(&[
            &["a", V1_ROOM_EVENT_ID],
            &["d", V1_RESPONSE_D],
            &["t", "openslots"],
        ]),
    ] {
        let e = forge(&p, RESPONSE_AT, 30_078, &tags, &response.content);
        assert_eq!(
            response_code(&ctx, &e, &r, ROOM_AT),
            ErrorCode::EventTag,
            "{tags:?}"
        );
    }
    // The e tag may be anywhere: "no e tag names the room event".
    let tags = strs(&[
        &["d", V1_RESPONSE_D],
        &["t", "openslots"],
        &["e", "x"],
        &["e", V1_ROOM_EVENT_ID],
    ]);
    let e = forge(&p, RESPONSE_AT, 30_078, &tags, &response.content);
    assert!(ctx.open_response(&e, &r, ROOM_AT).is_ok());

    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let p = keys_hex(V2_PARTICIPANT_SK);
    for a in [
        format!("30078:{PK1}:{V2_ROOM_D}"),
        format!("30078:{V2_HOST_PK}:{V1_ROOM_D}"),
        format!("30030:{V2_HOST_PK}:{V2_ROOM_D}"),
        format!("30078:{}:{V2_ROOM_D}", V2_HOST_PK.to_uppercase()),
        room.id.to_hex(),
    ] {
        let tags = strs(&[
            &["d", V2_RESPONSE_D],
            &["a", &a],
            &["t", "openslots"],
            &["expiration", "1749546000"],
        ]);
        let e = forge(&p, RESPONSE_AT, 30_078, &tags, &response.content);
        assert_eq!(
            response_code(&ctx, &e, &r, ROOM_AT),
            ErrorCode::EventTag,
            "{a}"
        );
    }
}

#[test]
fn os_event_10_response_without_d_is_event_tag_and_wrong_d_is_event_author() {
    // C-8: a missing d tag is event-tag, a wrong value event-author.
    let ctx = v1_ctx();
    let (room, response) = v1_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let p = keys_hex(V1_PARTICIPANT_SK);
    let no_d = strs(&[&["e", V1_ROOM_EVENT_ID], &["t", "openslots"]]);
    let e = forge(&p, RESPONSE_AT, 30_078, &no_d, &response.content);
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventTag);
    for d in ["x", V1_ROOM_D, &V1_RESPONSE_D.to_uppercase()] {
        let tags = strs(&[&["e", V1_ROOM_EVENT_ID], &["d", d], &["t", "openslots"]]);
        let e = forge(&p, RESPONSE_AT, 30_078, &tags, &response.content);
        assert_eq!(
            response_code(&ctx, &e, &r, ROOM_AT),
            ErrorCode::EventAuthor,
            "{d}"
        );
    }
    // Another author re-posting this response's d-tag (OS-EVENT-11).
    let tags = tags_of(&response);
    let e = forge(&keys(2), RESPONSE_AT, 30_078, &tags, &response.content);
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventAuthor);
    // The right value second, after a wrong first d: the first counts.
    let tags = strs(&[
        &["e", V1_ROOM_EVENT_ID],
        &["d", "x"],
        &["d", V1_RESPONSE_D],
        &["t", "openslots"],
    ]);
    let e = forge(&p, RESPONSE_AT, 30_078, &tags, &response.content);
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventAuthor);

    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let e = forge(
        &keys(2),
        RESPONSE_AT,
        30_078,
        &tags_of(&response),
        &response.content,
    );
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventAuthor);
    let address = format!("30078:{V2_HOST_PK}:{V2_ROOM_D}");
    let no_d = strs(&[
        &["a", &address],
        &["t", "openslots"],
        &["expiration", "1749546000"],
    ]);
    let e = forge(
        &keys_hex(V2_PARTICIPANT_SK),
        RESPONSE_AT,
        30_078,
        &no_d,
        &response.content,
    );
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventTag);
}

#[test]
fn os_event_11_v2_room_by_another_key_is_event_author() {
    let ctx = v2_ctx();
    let (room, _) = v2_spec_events(&ctx);
    for signer in [keys(1), keys(2), keys_hex(V2_PARTICIPANT_SK)] {
        let e = forge(&signer, ROOM_AT, 30_078, &tags_of(&room), &room.content);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventAuthor);
    }
    // A v2 writer refuses to sign the room with another key.
    let built = ctx.build_room_event(&keys(1), &room_payload(), ROOM_AT, &[3; 32], &AUX);
    assert_eq!(
        built.map(drop).map_err(|f| f.code),
        Err(ErrorCode::EventAuthor)
    );
}

#[test]
fn os_event_11_v1_room_may_be_by_any_key() {
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    let e = forge(&keys(7), ROOM_AT, 30_078, &tags_of(&room), &room.content);
    assert_eq!(ctx.open_room(&e, ROOM_AT).unwrap(), room_payload());
}

#[test]
fn os_expiry_3_expired_events_are_event_expired() {
    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    // Equal to now: not expired; one second later: expired (OS-EXPIRY-2).
    assert!(ctx.open_room(&room, EXPIRATION).is_ok());
    assert_eq!(
        room_code(&ctx, &room, EXPIRATION + 1),
        ErrorCode::EventExpired
    );
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    assert!(ctx.open_response(&response, &r, EXPIRATION).is_ok());
    assert_eq!(
        response_code(&ctx, &response, &r, EXPIRATION + 1),
        ErrorCode::EventExpired
    );
    // v1 readers honour an expiration too.
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    let tags = strs(&[
        &["d", V1_ROOM_D],
        &["t", "openslots"],
        &["expiration", "100"],
    ]);
    let e = forge(&keys_hex(V1_HOST_SK), ROOM_AT, 30_078, &tags, &room.content);
    assert!(ctx.open_room(&e, 100).is_ok());
    assert_eq!(room_code(&ctx, &e, 101), ErrorCode::EventExpired);
}

// ---- §11.4: two faults at once, per step -----------------------------------------

/// Step 1 (structure) before step 2 (kind).
#[test]
fn os_event_13_structure_before_kind() {
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    let mut v: serde_json::Value = serde_json::from_str(&room.as_json()).unwrap();
    v["kind"] = 1.into();
    v.as_object_mut().unwrap().remove("sig");
    assert_eq!(
        event::parse_event(&v.to_string())
            .map(drop)
            .map_err(|e| e.code()),
        Err(ErrorCode::EventJson)
    );
}

/// Step 2 (kind) before step 3 (id) and step 4 (signature).
#[test]
fn os_event_1_kind_before_id_and_sig() {
    for (ctx, v2) in [(v1_ctx(), false), (v2_ctx(), true)] {
        let (room, _) = if v2 {
            v2_spec_events(&ctx)
        } else {
            v1_spec_events(&ctx)
        };
        let signer = if v2 {
            keys_hex(V2_HOST_SK)
        } else {
            keys_hex(V1_HOST_SK)
        };
        let wrong_kind = forge(&signer, ROOM_AT, 1, &tags_of(&room), &room.content);
        // Kind changed after signing: id and signature both break.
        let mut e = room.clone();
        e.kind = Kind::from(30_030);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventKind);
        // Kind and a bad signature (the id matches).
        let e = bad_sig(wrong_kind.clone(), &signer);
        assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventKind);
        // Kind and a bad id.
        assert_eq!(
            room_code(&ctx, &bad_id(wrong_kind), ROOM_AT),
            ErrorCode::EventKind
        );
    }
}

/// Step 3 (id) before step 4 (signature).
#[test]
fn os_event_7_id_before_sig() {
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    let e = bad_id(bad_sig(room, &keys_hex(V1_HOST_SK)));
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventId);
}

/// Step 4 (signature) before step 5 (tags) and every later step.
#[test]
fn os_event_8_sig_before_tags_author_expiry_and_content() {
    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let host = keys_hex(V2_HOST_SK);
    // Bad signature and a missing expiration tag.
    let tags = strs(&[&["d", V2_ROOM_D], &["t", "openslots"]]);
    let e = bad_sig(forge(&host, ROOM_AT, 30_078, &tags, &room.content), &host);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventSig);
    // Bad signature and the wrong author.
    let e = bad_sig(
        forge(&keys(1), ROOM_AT, 30_078, &tags_of(&room), &room.content),
        &host,
    );
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventSig);
    // Bad signature and expired.
    let e = bad_sig(room.clone(), &host);
    assert_eq!(room_code(&ctx, &e, u64::MAX), ErrorCode::EventSig);
    // Bad signature and content that does not decrypt.
    let e = bad_sig(forge(&host, ROOM_AT, 30_078, &tags_of(&room), "#"), &host);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventSig);
    // A response: bad signature and no a tag.
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let p = keys_hex(V2_PARTICIPANT_SK);
    let tags = strs(&[
        &["d", V2_RESPONSE_D],
        &["t", "openslots"],
        &["expiration", "1749546000"],
    ]);
    let e = bad_sig(forge(&p, RESPONSE_AT, 30_078, &tags, &response.content), &p);
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventSig);
}

/// Step 5 (tags) before step 6 (author).
#[test]
fn os_event_10_tags_before_author() {
    // v2 room by another key that also lacks the expiration tag.
    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let tags = strs(&[&["d", V2_ROOM_D], &["t", "openslots"]]);
    let e = forge(&keys(1), ROOM_AT, 30_078, &tags, &room.content);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag);
    // ... or whose first d is another value.
    let tags = strs(&[
        &["d", "x"],
        &["t", "openslots"],
        &["expiration", "1749546000"],
    ]);
    let e = forge(&keys(1), ROOM_AT, 30_078, &tags, &room.content);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::EventTag);
    // A response with a wrong d (author) and no t tag (tags).
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let address = format!("30078:{V2_HOST_PK}:{V2_ROOM_D}");
    let tags = strs(&[&["d", "x"], &["a", &address], &["expiration", "1749546000"]]);
    let e = forge(
        &keys_hex(V2_PARTICIPANT_SK),
        RESPONSE_AT,
        30_078,
        &tags,
        &response.content,
    );
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventTag);
    // Someone else's response d-tag (author) and no expiration (tags).
    let tags = strs(&[&["d", V2_RESPONSE_D], &["a", &address], &["t", "openslots"]]);
    let e = forge(&keys(2), RESPONSE_AT, 30_078, &tags, &response.content);
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventTag);
    // v1: a wrong d value (author) and no e tag (tags).
    let ctx = v1_ctx();
    let (room, response) = v1_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let tags = strs(&[&["d", "x"], &["t", "openslots"]]);
    let e = forge(
        &keys_hex(V1_PARTICIPANT_SK),
        RESPONSE_AT,
        30_078,
        &tags,
        &response.content,
    );
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::EventTag);
}

/// Step 6 (author) before step 7 (expiry).
#[test]
fn os_event_11_author_before_expiry() {
    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let e = forge(&keys(1), ROOM_AT, 30_078, &tags_of(&room), &room.content);
    assert_eq!(room_code(&ctx, &e, EXPIRATION + 1), ErrorCode::EventAuthor);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let e = forge(
        &keys(2),
        RESPONSE_AT,
        30_078,
        &tags_of(&response),
        &response.content,
    );
    assert_eq!(
        response_code(&ctx, &e, &r, EXPIRATION + 1),
        ErrorCode::EventAuthor
    );
}

/// Step 7 (expiry) before step 8 (decryption).
#[test]
fn os_expiry_3_expiry_before_decryption() {
    let ctx = v2_ctx();
    let (room, _) = v2_spec_events(&ctx);
    let host = keys_hex(V2_HOST_SK);
    for content in [
        "",
        "#",
        "not base64",
        &room.content[..room.content.len() - 4],
    ] {
        let e = forge(&host, ROOM_AT, 30_078, &tags_of(&room), content);
        assert_eq!(
            room_code(&ctx, &e, EXPIRATION + 1),
            ErrorCode::EventExpired,
            "{content:?}"
        );
    }
    // Content under another key (cipher-mac when read in time).
    let other = v1_ctx();
    let wrong_key = encrypt(&other, V1_ROOM_PLAINTEXT);
    let e = forge(&host, ROOM_AT, 30_078, &tags_of(&room), &wrong_key);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::CipherMac);
    assert_eq!(room_code(&ctx, &e, EXPIRATION + 1), ErrorCode::EventExpired);
}

const V1_ROOM_PLAINTEXT: &str =
    r#"{"t":"Team sync","s":1748851200,"o":"11000000000000000000000000000000000000000000000011"}"#;

/// Step 8 (decryption) gives a cipher code; a valid event up to step 7.
#[test]
fn os_event_6_content_that_does_not_decrypt_is_a_cipher_code() {
    let ctx = v1_ctx();
    let host = keys_hex(V1_HOST_SK);
    let tags = strs(&[&["d", V1_ROOM_D], &["t", "openslots"]]);
    let e = forge(&host, ROOM_AT, 30_078, &tags, "");
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::CipherVersion);
    let e = forge(&host, ROOM_AT, 30_078, &tags, "#abc");
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::CipherVersion);
    // The v2 key's ciphertext read under the v1 key: a MAC failure.
    let wrong = encrypt(&v2_ctx(), V1_ROOM_PLAINTEXT);
    let e = forge(&host, ROOM_AT, 30_078, &tags, &wrong);
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::CipherMac);
    // The right key: valid.
    let right = encrypt(&ctx, V1_ROOM_PLAINTEXT);
    let e = forge(&host, ROOM_AT, 30_078, &tags, &right);
    assert_eq!(ctx.open_room(&e, ROOM_AT).unwrap(), room_payload());
}

/// Step 9 (payload) before step 10 (mask).
#[test]
fn os_payload_8_payload_before_mask_in_an_event() {
    let ctx = v2_ctx();
    let host = keys_hex(V2_HOST_SK);
    let tags = strs(&[
        &["d", V2_ROOM_D],
        &["t", "openslots"],
        &["expiration", "1749546000"],
    ]);
    // The author in the payload is not the event's pubkey, and the mask is
    // untrimmed: payload-binding.
    let text = format!(
        r#"{{"v":2,"role":"room","room":"{ROOM_ID}","author":"{PK1}","title":"T","start":1748851200,"mask":{{"n":50,"b":"QAAAAAAAwA=="}}}}"#
    );
    let e = forge(&host, ROOM_AT, 30_078, &tags, &encrypt(&ctx, &text));
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::PayloadBinding);
    // The same payload with the right author: mask-untrimmed (step 10).
    let text = text.replace(PK1, V2_HOST_PK);
    let e = forge(&host, ROOM_AT, 30_078, &tags, &encrypt(&ctx, &text));
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::MaskUntrimmed);
    // A response payload in a room event: payload-field (no title, §8.3).
    let text = format!(
        r#"{{"v":2,"role":"response","room":"{ROOM_ID}","author":"{V2_HOST_PK}","name":"A","start":1748851200,"mask":{{"n":50,"b":"wAAAAAAAwA=="}}}}"#
    );
    let e = forge(&host, ROOM_AT, 30_078, &tags, &encrypt(&ctx, &text));
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::PayloadField);
    // v1: a non-object plaintext.
    let ctx = v1_ctx();
    let tags = strs(&[&["d", V1_ROOM_D], &["t", "openslots"]]);
    let e = forge(&keys(1), ROOM_AT, 30_078, &tags, &encrypt(&ctx, "[]"));
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::PayloadJson);
    // v1: an untrimmed mask (two clear positions at the end; one is the
    // deployed app's off-grid ending, which OS-MASK-2 accepts in v1).
    let text = V1_ROOM_PLAINTEXT.replace("11\"}", "00\"}");
    let e = forge(&keys(1), ROOM_AT, 30_078, &tags, &encrypt(&ctx, &text));
    assert_eq!(room_code(&ctx, &e, ROOM_AT), ErrorCode::MaskUntrimmed);
    let text = V1_ROOM_PLAINTEXT.replace("11\"}", "10\"}");
    let e = forge(&keys(1), ROOM_AT, 30_078, &tags, &encrypt(&ctx, &text));
    assert!(ctx.open_room(&e, ROOM_AT).is_ok());
}

#[test]
fn os_mask_7_v2_response_off_grid_is_the_last_step() {
    let ctx = v2_ctx();
    let (room, response) = v2_spec_events(&ctx);
    let payload = ctx.open_room(&room, ROOM_AT).unwrap();
    let r = RoomRef {
        event_id: room.id,
        payload: &payload,
    };
    let p = keys_hex(V2_PARTICIPANT_SK);
    let pk = p.public_key().to_hex();
    let text = format!(
        r#"{{"v":2,"role":"response","room":"{ROOM_ID}","author":"{pk}","name":"A","start":1748851201,"mask":{{"n":50,"b":"QAAAAAAAgA=="}}}}"#
    );
    let e = forge(
        &p,
        RESPONSE_AT,
        30_078,
        &tags_of(&response),
        &encrypt(&ctx, &text),
    );
    assert_eq!(response_code(&ctx, &e, &r, ROOM_AT), ErrorCode::MaskOffGrid);
    // Off grid and expired: expiry first.
    assert_eq!(
        response_code(&ctx, &e, &r, EXPIRATION + 1),
        ErrorCode::EventExpired
    );
}

// ---- OS-EVENT-13: structure ---------------------------------------------------------

fn spec_room_json() -> serde_json::Value {
    let ctx = v1_ctx();
    let (room, _) = v1_spec_events(&ctx);
    serde_json::from_str(&room.as_json()).unwrap()
}

fn parse_code(v: &serde_json::Value) -> Result<(), ErrorCode> {
    event::parse_event(&v.to_string())
        .map(drop)
        .map_err(|e| e.code())
}

#[test]
fn os_event_13_well_formed_event_parses() {
    let v = spec_room_json();
    assert_eq!(parse_code(&v), Ok(()));
    // Unknown members are ignored.
    let mut w = v.clone();
    w["extra"] = serde_json::json!({"a": [1, 2]});
    assert_eq!(parse_code(&w), Ok(()));
    // Bounds: created_at 0 and 2^53 - 1, kind 0 and 65535.
    for (member, value) in [
        ("created_at", serde_json::json!(0)),
        ("created_at", serde_json::json!(9_007_199_254_740_991_u64)),
        ("kind", serde_json::json!(0)),
        ("kind", serde_json::json!(65_535)),
    ] {
        let mut w = v.clone();
        w[member] = value;
        assert_eq!(parse_code(&w), Ok(()), "{member}");
    }
}

#[test]
fn os_event_13_malformed_events_are_event_json() {
    let v = spec_room_json();
    let id = v["id"].as_str().unwrap().to_owned();
    let pubkey = v["pubkey"].as_str().unwrap().to_owned();
    let sig = v["sig"].as_str().unwrap().to_owned();
    let cases: Vec<(&str, serde_json::Value)> = vec![
        ("id", serde_json::json!(id.to_uppercase())),
        ("id", serde_json::json!(&id[..63])),
        ("id", serde_json::json!(format!("{id}0"))),
        ("id", serde_json::json!(1)),
        ("pubkey", serde_json::json!(pubkey.to_uppercase())),
        ("pubkey", serde_json::json!(format!("02{pubkey}"))),
        ("sig", serde_json::json!(sig.to_uppercase())),
        ("sig", serde_json::json!(&sig[..127])),
        ("created_at", serde_json::json!(9_007_199_254_740_992_u64)),
        ("created_at", serde_json::json!(-1)),
        ("created_at", serde_json::json!(1.5)),
        ("created_at", serde_json::json!("1748000000")),
        ("kind", serde_json::json!(65_536)),
        ("kind", serde_json::json!(-1)),
        ("kind", serde_json::json!("30078")),
        ("tags", serde_json::json!({})),
        ("tags", serde_json::json!([["d", 1]])),
        ("tags", serde_json::json!([["d", null]])),
        ("tags", serde_json::json!(["d", "x"])),
        ("content", serde_json::json!(1)),
        ("content", serde_json::json!(null)),
    ];
    for (member, value) in cases {
        let mut w = v.clone();
        w[member] = value.clone();
        assert_eq!(
            parse_code(&w),
            Err(ErrorCode::EventJson),
            "{member}={value}"
        );
    }
    for member in [
        "id",
        "pubkey",
        "created_at",
        "kind",
        "tags",
        "content",
        "sig",
    ] {
        let mut w = v.clone();
        w.as_object_mut().unwrap().remove(member);
        assert_eq!(
            parse_code(&w),
            Err(ErrorCode::EventJson),
            "without {member}"
        );
    }
    for text in ["", "[]", "null", "{}", "{\"id\":"] {
        assert_eq!(
            event::parse_event(text).map(drop).map_err(|e| e.code()),
            Err(ErrorCode::EventJson),
            "{text:?}"
        );
    }
}

#[test]
fn os_event_13_empty_tag_is_event_json() {
    // OS-EVENT-13: tags are non-empty arrays of strings.
    let mut v = spec_room_json();
    v["tags"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!([]));
    assert_eq!(parse_code(&v), Err(ErrorCode::EventJson));
}

// ---- OS-EVENT-9: created_at --------------------------------------------------------

#[test]
fn os_event_9_created_at_strictly_increases() {
    // created_at = max(now, previous created_at + 1).
    assert_eq!(event::next_created_at(ROOM_AT, None), Ok(ROOM_AT));
    assert_eq!(
        event::next_created_at(ROOM_AT, Some(ROOM_AT - 100)),
        Ok(ROOM_AT)
    );
    assert_eq!(
        event::next_created_at(ROOM_AT, Some(ROOM_AT - 1)),
        Ok(ROOM_AT)
    );
    assert_eq!(
        event::next_created_at(ROOM_AT, Some(ROOM_AT)),
        Ok(ROOM_AT + 1)
    );
    assert_eq!(
        event::next_created_at(ROOM_AT, Some(ROOM_AT + 5)),
        Ok(ROOM_AT + 6)
    );
    assert_eq!(event::next_created_at(0, Some(0)), Ok(1));
    // Published versions of one address then win last-write-wins by
    // created_at alone.
    let ctx = v1_ctx();
    let host = keys_hex(V1_HOST_SK);
    let first = ctx
        .build_room_event(&host, &room_payload(), ROOM_AT, &[1; 32], &AUX)
        .unwrap()
        .0;
    let at = event::next_created_at(ROOM_AT, Some(first.created_at.as_secs())).unwrap();
    assert!(at > first.created_at.as_secs());
}
