//! Events, last-write-wins and resolution (spec §11–§14), end to end: rooms
//! and responses are built with fixed keys, nonces and times, then resolved
//! from event sets that contain every kind of bad candidate. Expected states
//! are worked out by hand from the inputs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_arguments)] // tests stop at the first surprise

use nostr::event::Event;
use nostr::key::{Keys, SecretKey};
use openslots::event::RoomContext;
use openslots::link::Link;
use openslots::mask::{self, Mask};
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots::resolution::{self, Resolved};
use openslots::{ErrorCode, SpecError};
use proptest::prelude::*;

const ROOM_ID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// 2025-06-02 09:00 UTC.
const START: i64 = 1_748_854_800;
const NOW: u64 = 1_748_000_000;

fn keys(n: u8) -> Keys {
    let mut sk = [0u8; 32];
    sk[31] = n;
    Keys::new(SecretKey::from_slice(&sk).unwrap())
}

fn nonce(n: u8) -> [u8; 32] {
    [n; 32]
}

fn v1_ctx() -> RoomContext {
    RoomContext::new(
        Link::parse(&format!("https://openslots.example/room/{ROOM_ID}#{KEY}")).unwrap(),
    )
}

fn v2_ctx(host: &Keys) -> RoomContext {
    let link = format!(
        "https://openslots.example/room/{ROOM_ID}#v2.{KEY}.{}",
        host.public_key().to_hex()
    );
    RoomContext::new(Link::parse(&link).unwrap())
}

/// Four slots offered out of a span of five: 09:00, 09:30, (10:00 not offered), 10:30, 11:00.
fn room(title: &str) -> RoomPayload {
    RoomPayload {
        title: title.to_owned(),
        start: START,
        mask: mask::decode_v1("11011").unwrap(),
    }
}

fn room_event(ctx: &RoomContext, signer: &Keys, title: &str, at: u64, n: u8) -> Event {
    ctx.build_room_event(signer, &room(title), at, &nonce(n), &[n; 32])
        .unwrap()
        .0
}

fn response_v1(
    ctx: &RoomContext,
    signer: &Keys,
    room: &Event,
    name: &str,
    bits: &str,
    at: u64,
    n: u8,
) -> Event {
    let payload = ResponsePayload {
        name: name.to_owned(),
        start: None,
        mask: mask::decode_v1(bits).unwrap(),
    };
    ctx.build_response_event(signer, &payload, &room.id, 0, at, &nonce(n), &[n; 32])
        .unwrap()
        .0
}

fn response_v2(
    ctx: &RoomContext,
    signer: &Keys,
    name: &str,
    start: i64,
    bits: &str,
    expiration: u64,
    at: u64,
    n: u8,
) -> Event {
    let payload = ResponsePayload {
        name: name.to_owned(),
        start: Some(start),
        mask: mask::decode_v1(bits).unwrap(),
    };
    let unused_id = nostr::event::EventId::from_byte_array([0; 32]);
    ctx.build_response_event(
        signer,
        &payload,
        &unused_id,
        expiration,
        at,
        &nonce(n),
        &[n; 32],
    )
    .unwrap()
    .0
}

fn rejected_code(r: &Resolved, e: &Event) -> Option<ErrorCode> {
    r.rejected
        .iter()
        .find(|(id, _)| *id == e.id)
        .map(|(_, f)| f.code)
}

fn slot(i: i64) -> i64 {
    START + i * 1800
}

#[test]
fn v1_room_and_responses_counts() {
    let ctx = v1_ctx();
    let host = keys(1);
    let room_ev = room_event(&ctx, &host, "Team sync", 1000, 1);
    // Alice: 09:00 and 10:00 (not offered: ignored, OS-MASK-9) and 11:00.
    let alice = response_v1(&ctx, &keys(2), &room_ev, "Alice", "10101", 1100, 2);
    // Bob: 09:30 and 11:00.
    let bob = response_v1(&ctx, &keys(3), &room_ev, "Bob", "01001", 1200, 3);
    let r = resolution::resolve(&ctx, &[room_ev.clone(), alice.clone(), bob.clone()], NOW).unwrap();
    assert_eq!(r.room.title, "Team sync");
    assert_eq!(r.slots, vec![slot(0), slot(1), slot(3), slot(4)]);
    // Counts per offered slot: 09:00 {A}, 09:30 {B}, 10:30 {}, 11:00 {A, B}.
    assert_eq!(r.counts, vec![1, 1, 0, 2]);
    let alice_p = r.participants.iter().find(|p| p.name == "Alice").unwrap();
    assert_eq!(alice_p.available, vec![slot(0), slot(4)]);
    assert!(r.rejected.is_empty());
}

#[test]
fn os_res_2_junk_newer_room_does_not_hide_the_room() {
    let ctx = v1_ctx();
    let good = room_event(&ctx, &keys(1), "Real", 1000, 1);
    // An attacker who knows only the d-tag publishes a newer event with junk content.
    let tags = openslots::event::room_tags_v1(&ctx.room_d);
    let junk = openslots::event::sign(&keys(9), 2000, tags, "A".repeat(200), &[9; 32]).unwrap();
    let r = resolution::resolve(&ctx, &[junk.clone(), good.clone()], NOW).unwrap();
    assert_eq!(r.room_event_id, good.id);
    // 200 'A's decode to zero bytes: version byte 0 (OS-CIPHER-4).
    assert_eq!(rejected_code(&r, &junk), Some(ErrorCode::CipherVersion));
}

#[test]
fn os_lww_1_newer_wins_and_ties_go_to_the_lowest_id() {
    let ctx = v1_ctx();
    let host = keys(1);
    let old = room_event(&ctx, &host, "Old", 1000, 1);
    let new = room_event(&ctx, &host, "New", 1001, 2);
    let r = resolution::resolve(&ctx, &[new.clone(), old.clone()], NOW).unwrap();
    assert_eq!(r.room.title, "New");
    assert_eq!(r.superseded, vec![old.id]);

    let a = room_event(&ctx, &host, "A", 1500, 3);
    let b = room_event(&ctx, &host, "B", 1500, 4);
    let lowest = if a.id.as_bytes() < b.id.as_bytes() {
        &a
    } else {
        &b
    };
    for order in [[a.clone(), b.clone()], [b.clone(), a.clone()]] {
        let r = resolution::resolve(&ctx, &order, NOW).unwrap();
        assert_eq!(r.room_event_id, lowest.id);
    }
}

#[test]
fn os_lww_2_invalid_newer_response_does_not_displace_valid_one() {
    let ctx = v1_ctx();
    let room_ev = room_event(&ctx, &keys(1), "R", 1000, 1);
    let alice = keys(2);
    let valid = response_v1(&ctx, &alice, &room_ev, "Alice", "11000", 1100, 2);
    // Same author, same address, newer, but the mask is one slot too long (OS-MASK-3).
    let too_long = response_v1(&ctx, &alice, &room_ev, "Alice", "110001", 1200, 3);
    // Same author, newer, encrypted under another key.
    let tags = openslots::event::response_tags_v1(
        &room_ev.id,
        &ctx.response_d(&alice.public_key(), &room_ev.id),
    );
    let wrong_key = openslots::cipher::ConversationKey::from_bytes([0x55; 32]);
    let content = openslots::cipher::encrypt_with_nonce(
        &wrong_key,
        br#"{"n":"Alice","o":"11111"}"#,
        &nonce(5),
    )
    .unwrap();
    let junk = openslots::event::sign(&alice, 1300, tags, content, &[5; 32]).unwrap();
    let r = resolution::resolve(
        &ctx,
        &[room_ev, valid.clone(), too_long.clone(), junk.clone()],
        NOW,
    )
    .unwrap();
    assert_eq!(r.participants.len(), 1);
    assert_eq!(r.participants[0].event_id, valid.id);
    assert_eq!(rejected_code(&r, &too_long), Some(ErrorCode::MaskLength));
    assert_eq!(rejected_code(&r, &junk), Some(ErrorCode::CipherMac));
}

#[test]
fn os_event_11_v1_response_copied_under_another_key_is_rejected() {
    let ctx = v1_ctx();
    let room_ev = room_event(&ctx, &keys(1), "R", 1000, 1);
    let alice = response_v1(&ctx, &keys(2), &room_ev, "Alice", "11000", 1100, 2);
    // Mallory re-posts Alice's tags and content under her own key.
    let tags: Vec<Vec<String>> = alice.tags.iter().map(|t| t.as_slice().to_vec()).collect();
    let copy =
        openslots::event::sign(&keys(7), 1200, tags, alice.content.clone(), &[7; 32]).unwrap();
    let r = resolution::resolve(&ctx, &[room_ev, alice, copy.clone()], NOW).unwrap();
    assert_eq!(r.participants.len(), 1);
    assert_eq!(rejected_code(&r, &copy), Some(ErrorCode::EventAuthor));
}

#[test]
fn os_event_7_8_forged_events_are_rejected() {
    let ctx = v1_ctx();
    let room_ev = room_event(&ctx, &keys(1), "R", 1000, 1);
    let mut json: serde_json::Value = serde_json::from_str(&room_ev.as_json()).unwrap();
    json["created_at"] = serde_json::json!(5000);
    let wrong_id = Event::from_json(json.to_string()).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&room_ev.as_json()).unwrap();
    let sig = json["sig"].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}",
        &sig[..127],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    json["sig"] = serde_json::json!(flipped);
    json["id"] = serde_json::json!(room_ev.id.to_hex());
    let bad_sig = Event::from_json(json.to_string()).unwrap();
    let err = resolution::resolve(&ctx, std::slice::from_ref(&wrong_id), NOW).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RoomNotFound);
    assert_eq!(err.rejected[0].1.code, ErrorCode::EventId);
    let r = resolution::resolve(&ctx, &[bad_sig.clone(), room_ev.clone()], NOW).unwrap();
    assert_eq!(r.room_event_id, room_ev.id);
    // Both forgeries claim the genuine id: one rejection, the least failure.
    let r = resolution::resolve(&ctx, &[bad_sig, wrong_id], NOW).unwrap_err();
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].1.code, ErrorCode::EventId);
}

#[test]
fn v2_room_binding_update_and_responses() {
    let host = keys(1);
    let ctx = v2_ctx(&host);
    let v1 = room_event(&ctx, &host, "First", 1000, 1);
    // Expiration = start + 5 slots * 1800 + 7 days (OS-EXPIRY-4).
    let expiration = (START + 5 * 1800) as u64 + 604_800;
    assert_eq!(
        openslots::event::first_tag_value(&v1, "expiration"),
        Some(expiration.to_string().as_str())
    );
    // A response starting one slot after the room start (OS-MASK-7): 09:30 and 10:30.
    let alice = response_v2(&ctx, &keys(2), "Alice", slot(1), "101", expiration, 1100, 2);
    // The host updates the title: responses survive (OS-RES-5, hazard 4).
    let v2 = room_event(&ctx, &host, "Second", 1200, 3);
    // Someone else publishes under the room's d-tag: not the host (OS-EVENT-11).
    // A link holder can encrypt a valid payload, but cannot sign as the host.
    let mallory = keys(9);
    let author = mallory.public_key().to_hex();
    let binding = openslots::payload::Binding {
        room_id: ROOM_ID,
        author: &author,
    };
    let plaintext = room("Hijack")
        .to_json(openslots::Profile::V2, &binding)
        .unwrap();
    let content =
        openslots::cipher::encrypt_with_nonce(&ctx.keys.enc, plaintext.as_bytes(), &nonce(9))
            .unwrap();
    let tags = openslots::event::room_tags_v2(&ctx.room_d, expiration);
    let hijack = openslots::event::sign(&mallory, 5000, tags, content, &[9; 32]).unwrap();
    let r = resolution::resolve(
        &ctx,
        &[v1.clone(), alice.clone(), v2.clone(), hijack.clone()],
        NOW,
    )
    .unwrap();
    assert_eq!(r.room.title, "Second");
    assert_eq!(r.participants.len(), 1);
    assert_eq!(r.participants[0].available, vec![slot(1), slot(3)]);
    assert_eq!(r.counts, vec![0, 1, 1, 0]);
    assert_eq!(rejected_code(&r, &hijack), Some(ErrorCode::EventAuthor));
    assert_eq!(r.superseded, vec![v1.id]);
}

#[test]
fn os_payload_8_v2_replayed_ciphertext_is_rejected() {
    let host = keys(1);
    let ctx = v2_ctx(&host);
    let room_ev = room_event(&ctx, &host, "R", 1000, 1);
    let expiration = (START + 5 * 1800) as u64 + 604_800;
    let alice = response_v2(&ctx, &keys(2), "Alice", START, "11", expiration, 1100, 2);
    // Mallory signs Alice's ciphertext under her own key with a d-tag bound to herself.
    let mallory = keys(7);
    let d = ctx.response_d(&mallory.public_key(), &room_ev.id);
    let tags = openslots::event::response_tags_v2(&d, &ctx.room_address().unwrap(), expiration);
    let replay =
        openslots::event::sign(&mallory, 1200, tags, alice.content.clone(), &[7; 32]).unwrap();
    let r = resolution::resolve(&ctx, &[room_ev, alice, replay.clone()], NOW).unwrap();
    assert_eq!(r.participants.len(), 1);
    assert_eq!(rejected_code(&r, &replay), Some(ErrorCode::PayloadBinding));
}

#[test]
fn os_expiry_2_3_expired_events_are_ignored_and_equal_is_valid() {
    let host = keys(1);
    let ctx = v2_ctx(&host);
    let room_ev = room_event(&ctx, &host, "R", 1000, 1);
    let expiration = (START + 5 * 1800) as u64 + 604_800;
    assert!(resolution::resolve(&ctx, std::slice::from_ref(&room_ev), expiration).is_ok());
    let err =
        resolution::resolve(&ctx, std::slice::from_ref(&room_ev), expiration + 1).unwrap_err();
    assert_eq!(err.rejected[0].1.code, ErrorCode::EventExpired);
}

#[test]
fn v2_writer_refuses_a_room_signed_by_someone_else() {
    let ctx = v2_ctx(&keys(1));
    let err = ctx
        .build_room_event(&keys(2), &room("x"), 1, &nonce(1), &[1; 32])
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::EventAuthor);
}

#[test]
fn built_events_verify_with_the_nostr_crate() {
    let ctx = v1_ctx();
    let ev = room_event(&ctx, &keys(1), "R", 1000, 1);
    ev.verify().unwrap();
    let parsed = openslots::event::parse_event(&ev.as_json()).unwrap();
    assert_eq!(parsed, ev);
    let tags: Vec<Vec<String>> = ev.tags.iter().map(|t| t.as_slice().to_vec()).collect();
    assert_eq!(
        tags,
        vec![
            vec!["d".to_owned(), ctx.room_d.clone()],
            vec!["t".to_owned(), "openslots".to_owned()]
        ]
    );
    let _: Mask = mask::decode_v1("1").unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// OS-LWW-3: any permutation and duplication of the events gives the same state.
    #[test]
    fn os_lww_3_order_and_duplicates_do_not_matter(seed in any::<u64>(), dups in proptest::collection::vec(0usize..9, 0..6)) {
        let ctx = v1_ctx();
        let host = keys(1);
        let r1 = room_event(&ctx, &host, "A", 1000, 1);
        let r2 = room_event(&ctx, &host, "B", 1000, 2);
        let r3 = room_event(&ctx, &keys(4), "C", 900, 3);
        let winner = if r1.id.as_bytes() < r2.id.as_bytes() { &r1 } else { &r2 };
        let a1 = response_v1(&ctx, &keys(2), winner, "A1", "11000", 1100, 4);
        let a2 = response_v1(&ctx, &keys(2), winner, "A2", "00011", 1100, 5);
        let b1 = response_v1(&ctx, &keys(3), winner, "B1", "10001", 1300, 6);
        let b_bad = response_v1(&ctx, &keys(3), winner, "B2", "1", 1400, 7);
        let stale = response_v1(&ctx, &keys(5), &r3, "S", "11011", 1500, 8);
        let mut events = vec![r1, r2, r3, a1, a2, b1, b_bad, stale];
        let baseline = resolution::resolve(&ctx, &events, NOW).unwrap();
        for d in dups {
            let e = events[d % events.len()].clone();
            events.push(e);
        }
        // Fisher-Yates with a small LCG so the shuffle follows the seed.
        let mut s = seed;
        for i in (1..events.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (s >> 33) as usize % (i + 1);
            events.swap(i, j);
        }
        let shuffled = resolution::resolve(&ctx, &events, NOW).unwrap();
        prop_assert_eq!(shuffled, baseline);
    }
}

#[test]
fn os_event_9_created_at_strictly_increases() {
    use openslots::event::next_created_at;
    assert_eq!(next_created_at(1000, None), Ok(1000));
    // A second version within the same second moves one second ahead.
    assert_eq!(next_created_at(1000, Some(1000)), Ok(1001));
    // A clock that went backwards still moves ahead of the last version.
    assert_eq!(next_created_at(900, Some(1000)), Ok(1001));
    assert_eq!(next_created_at(2000, Some(1000)), Ok(2000));
    // created_at is at most 2^53 - 1 (OS-EVENT-13): past it, no later
    // version exists.
    let max = (1u64 << 53) - 1;
    assert_eq!(next_created_at(5, Some(max - 1)), Ok(max));
    assert!(next_created_at(5, Some(max)).is_err());
    assert!(next_created_at(5, Some(u64::MAX)).is_err());
}

#[test]
fn os_event_13_malformed_events_are_event_json() {
    let ev = room_event(&v1_ctx(), &keys(1), "R", 1000, 1);
    let good: serde_json::Value = serde_json::from_str(&ev.as_json()).unwrap();
    assert!(openslots::event::parse_event(&good.to_string()).is_ok());
    let mut with_extra = good.clone();
    with_extra["extra"] = serde_json::json!(1);
    assert!(openslots::event::parse_event(&with_extra.to_string()).is_ok());
    let cases: Vec<(&str, serde_json::Value)> = vec![
        ("id", serde_json::json!(ev.id.to_hex().to_uppercase())),
        ("pubkey", serde_json::json!("ab")),
        ("sig", serde_json::json!(7)),
        ("created_at", serde_json::json!(-1)),
        ("created_at", serde_json::json!(9_007_199_254_740_992u64)),
        ("created_at", serde_json::json!(1.5)),
        ("kind", serde_json::json!(65_536)),
        ("tags", serde_json::json!([["d", 1]])),
        ("tags", serde_json::json!(["d"])),
        ("content", serde_json::Value::Null),
    ];
    for (member, value) in cases {
        let mut bad = good.clone();
        bad[member] = value.clone();
        let err = openslots::event::parse_event(&bad.to_string()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::EventJson, "{member} = {value}");
        assert_eq!(err.requirement(), "OS-EVENT-13");
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove(member);
        assert!(
            openslots::event::parse_event(&missing.to_string()).is_err(),
            "without {member}"
        );
    }
    assert!(openslots::event::parse_event("[]").is_err());
    assert!(openslots::event::parse_event("{").is_err());
}

#[test]
fn os_mask_10_response_marks_exactly_the_chosen_offered_slots() {
    use openslots::payload::ResponsePayload;
    let room = room("R");
    let r =
        ResponsePayload::choose(&room, openslots::Profile::V1, "A", &[slot(4), slot(0)]).unwrap();
    assert_eq!(mask::encode_v1(&r.mask), "10001");
    assert_eq!(r.start, None);
    let r = ResponsePayload::choose(&room, openslots::Profile::V2, "A", &[]).unwrap();
    assert_eq!(
        (r.start, r.mask.len(), r.mask.count_ones()),
        (Some(START), 5, 0)
    );
    // Slot 2 (10:00) is inside the span but not offered; 900 s is off the grid.
    for t in [slot(2), slot(5), START + 900, START - 1800, i64::MIN] {
        let err = ResponsePayload::choose(&room, openslots::Profile::V1, "A", &[t]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MaskOffGrid);
        assert_eq!(err.requirement(), "OS-MASK-10");
    }
}

#[test]
fn os_expiry_5_v1_writers_add_no_expiration() {
    let ctx = v1_ctx();
    let room_ev = room_event(&ctx, &keys(1), "R", 1000, 1);
    let resp = response_v1(&ctx, &keys(2), &room_ev, "A", "11000", 1100, 2);
    for e in [&room_ev, &resp] {
        assert!(openslots::event::first_tag(e, "expiration").is_none());
    }
    // ... but a v1 reader honours one (OS-EXPIRY-3): an expired v1 room is not found.
    let mut tags = openslots::event::room_tags_v1(&ctx.room_d);
    tags.push(vec!["expiration".into(), "999".into()]);
    let plaintext = room("R")
        .to_json(
            openslots::Profile::V1,
            &openslots::payload::Binding {
                room_id: ROOM_ID,
                author: "",
            },
        )
        .unwrap();
    let content =
        openslots::cipher::encrypt_with_nonce(&ctx.keys.enc, plaintext.as_bytes(), &nonce(3))
            .unwrap();
    let expiring = openslots::event::sign(&keys(1), 1000, tags, content, &[3; 32]).unwrap();
    assert!(resolution::resolve(&ctx, std::slice::from_ref(&expiring), 999).is_ok());
    let err = resolution::resolve(&ctx, &[expiring], 1000).unwrap_err();
    assert_eq!(err.rejected[0].1.code, ErrorCode::EventExpired);
}
