//! The fuzz targets' invariants as proptest properties, so that a stable
//! toolchain checks them too, and the regression tests of what the fuzz
//! campaigns found (fuzz/CAMPAIGN.md; the inputs themselves are kept under
//! fuzz/regressions/).
//!
//! Only the invariants that the other test files do not already cover are
//! here: mask round trips, aggregation against a naive count, rebasing, grid
//! monotonicity and union, NIP-44 round trips against the `nostr` crate and
//! order independence of resolution live beside their modules' tests. The
//! oracles below are small re-readings of the spec's text, written
//! independently of the reference:
//!
//! | property | target | spec |
//! | --- | --- | --- |
//! | an accepted link is canonical and parses back to itself | `link_parse` | §4.3, OS-LINK-5, OS-LINK-7 |
//! | a sealed arbitrary padded plaintext unpads by NIP-44's formula, as `nostr` does | `cipher_decrypt` | §7.3, OS-CIPHER-8 |
//! | payloads write exactly `JSON.stringify`'s bytes and read back; a v2 payload is refused in the other role | `payload_parse` | §8.2, OS-PAYLOAD-2/3/5/6/8 |
//! | any text read as a payload gives a `payload-*`/`mask-*` code or a payload that writes back and reads back the same | `payload_parse` | §8.3 |
//! | mask decoders fail with the code and requirement of the first failing step of §10.3 | `mask_decode` | §10.3 |
//! | a mutated event is `event-json` exactly when OS-EVENT-13 says so | `event_parse` | OS-EVENT-13 |
//! | reading a re-signed mutated event gives the first failing step of §11.4 | `event_parse` | §11.4 |
//! | `lww::resolve` equals a naive last-write-wins, duplicates with one id included | `lww_resolve` | OS-LWW-1..3 |
//! | a fixed-offset grid equals calendar arithmetic | `grid_generate` | §9.3 |
//! | expiration equals OS-EXPIRY-1/2 read independently | `expiry_parse` | §12 |

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use nostr::event::{Event, EventId, Kind, Tag, UnsignedEvent};
use nostr::key::{Keys, SecretKey};
use nostr::nips::nip44::v2 as nostr44;
use nostr::types::Timestamp;
use openslots::cipher::{self, CipherError, ConversationKey};
use openslots::event::{self, RoomContext};
use openslots::expiry;
use openslots::grid;
use openslots::link::Link;
use openslots::lww::{self, Address};
use openslots::mask::{self, Mask};
use openslots::payload::{Binding, ResponsePayload, RoomPayload};
use openslots::{ErrorCode, Failure, Profile, SpecError};
use openslots_oracle as oracle;
use proptest::prelude::*;

const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
const ROOM_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const HOST_PK: &str = "3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";
const ALICE_PK: &str = "489d6054250c77c53c3a08eb0e57ffcf3037291bfc95c1e6aec9b96e8cef3dea";
const V1_HOST_SK: &str = "0486619f9168c3cf592771c8a4ec9f1bc698093811d5aae6a1648428b8bbc9cc";
const V2_HOST_SK: &str = "eb02c4a087734c1d71ff8133084f032bde2d444d05f6e630da3dc0aaa56e7de3";
const START: i64 = 1_748_851_200;
const NOW: u64 = 1_748_010_000;

fn v1_link() -> String {
    format!("https://openslots.example/room/{ROOM_ID}#{ROOM_KEY}")
}

fn v2_link() -> String {
    format!("https://openslots.example/room/{ROOM_ID}#v2.{ROOM_KEY}.{HOST_PK}")
}

fn keys_hex(sk: &str) -> Keys {
    Keys::new(SecretKey::from_hex(sk).unwrap())
}

fn keys_n(n: u8) -> Keys {
    let mut sk = [0u8; 32];
    sk[31] = n;
    Keys::new(SecretKey::from_slice(&sk).unwrap())
}

fn bits(m: &Mask) -> Vec<bool> {
    (0..m.len()).map(|i| m.get(i)).collect()
}

// ---------------------------------------------------------------------------
// Oracles: `openslots-oracle`, written from the spec's text
// ---------------------------------------------------------------------------

/// NIP-44's `calc_padded_len` (the oracle's).
fn padded_len(len: usize) -> usize {
    oracle::cipher::calc_padded_len(len as u64) as usize
}

/// A reference failure as the oracle names it: code and requirement.
fn named(code: ErrorCode, requirement: &'static str) -> oracle::Fail {
    (code.as_str(), requirement)
}

// ---------------------------------------------------------------------------
// Links (link_parse)
// ---------------------------------------------------------------------------

/// A spec link with one character replaced, inserted or removed.
fn near_link() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = "0123456789abcdefABCDEF/.#:?v-room%\\ \u{e9}"
        .chars()
        .collect();
    (
        prop::sample::select(vec![v1_link(), v2_link()]),
        any::<prop::sample::Index>(),
        prop::sample::select(alphabet),
        0u8..3,
    )
        .prop_map(|(link, at, c, op)| {
            let mut chars: Vec<char> = link.chars().collect();
            let i = at.index(chars.len());
            match op {
                0 => chars[i] = c,
                1 => chars.insert(i, c),
                _ => {
                    chars.remove(i);
                }
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// OS-LINK-5, OS-LINK-7: whatever is accepted is the one canonical form.
    #[test]
    fn link_accepted_links_are_canonical(s in prop_oneof![near_link(), "https?://[a-z/]{1,8}room/[0-9a-f-]{36}#[v0-9a-f.]{0,140}"]) {
        match Link::parse(&s) {
            Ok(link) => {
                prop_assert_eq!(link.to_string(), s.clone());
                prop_assert_eq!(Link::parse(&link.to_string()).unwrap(), link);
            }
            Err(e) => prop_assert!(e.requirement().starts_with("OS-LINK-"), "{:?}", e),
        }
    }
}

// ---------------------------------------------------------------------------
// NIP-44 padding after the MAC (cipher_decrypt)
// ---------------------------------------------------------------------------

/// A padded buffer sealed with a valid MAC by the independent judge.
fn seal(key: &[u8; 32], nonce: &[u8; 32], padded: &[u8]) -> Vec<u8> {
    oracle::cipher::seal_padded_raw(key, nonce, padded)
}

/// Padded buffers near valid ones: a length prefix, some plaintext, and a
/// tail whose length is right, one off, or arbitrary.
fn padded_buffer() -> impl Strategy<Value = Vec<u8>> {
    (
        0u16..700,
        prop::collection::vec(any::<u8>(), 0..800),
        -2i64..3,
        any::<bool>(),
    )
        .prop_map(|(len, body, delta, exact)| {
            let mut out = len.to_be_bytes().to_vec();
            if exact {
                let total = (padded_len(usize::from(len).max(1)) as i64 + delta).max(0) as usize;
                out.extend(body.iter().copied().chain(std::iter::repeat(0)).take(total));
            } else {
                out.extend(body);
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// OS-CIPHER-8: after a valid MAC, the buffer is `u16(len) ‖ plaintext ‖
    /// zeros` of exactly `2 + calc_padded_len(len)` bytes, or `cipher-padding`;
    /// the `nostr` crate agrees.
    #[test]
    fn cipher_sealed_padding_follows_nip44(key in any::<[u8; 32]>(), nonce in any::<[u8; 32]>(), padded in padded_buffer()) {
        let raw = seal(&key, &nonce, &padded);
        let ours = cipher::decrypt_raw(&ConversationKey::from_bytes(key), &raw);
        let want = if raw.len() < 99 {
            Err(CipherError::Length)
        } else {
            let len = usize::from(u16::from_be_bytes([padded[0], padded[1]]));
            if len == 0 || padded.len() - 2 != padded_len(len) {
                Err(CipherError::Padding)
            } else {
                Ok(padded[2..2 + len].to_vec())
            }
        };
        prop_assert_eq!(&ours, &want);
        if raw.len() >= 99 {
            let theirs = nostr44::decrypt_to_bytes(&nostr44::ConversationKey::new(key), &raw);
            prop_assert_eq!(ours.ok(), theirs.ok());
        }
    }
}

// ---------------------------------------------------------------------------
// Payloads (payload_parse)
// ---------------------------------------------------------------------------

const HOST: Binding<'static> = Binding {
    room_id: ROOM_ID,
    author: HOST_PK,
};
const ALICE: Binding<'static> = Binding {
    room_id: ROOM_ID,
    author: ALICE_PK,
};

fn title() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[\"\\\\/\u{0}-\u{1f}\u{7f}\u{2028}\u{e9}a]{0,20}"
    ]
}

/// A trimmed room mask (OS-MASK-2).
fn room_bits() -> impl Strategy<Value = Vec<bool>> {
    prop::collection::vec(any::<bool>(), 0..150).prop_map(|mut b| {
        b.insert(0, true);
        b.push(true);
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// OS-PAYLOAD-2, -3, -5, -6: the writer's bytes are exactly the spec's
    /// (members in order, `JSON.stringify` escapes), and they read back.
    /// OS-PAYLOAD-8: a v2 payload is refused in the other role.
    #[test]
    fn payload_written_bytes_are_the_specs_and_read_back(
        text in title(),
        start in -9_007_199_254_740_991i64..=9_007_199_254_740_991,
        room in room_bits(),
        answer in prop::collection::vec(any::<bool>(), 1..150),
    ) {
        let room_p = RoomPayload { title: text.clone(), start, mask: Mask::from_bools(&room) };
        let v1 = room_p.to_json(Profile::V1, &HOST).unwrap();
        prop_assert_eq!(&v1, &format!(r#"{{"t":{},"s":{start},"o":"{}"}}"#, oracle::payload::js_string(&text), oracle::mask::encode_v1(&room)));
        prop_assert_eq!(RoomPayload::parse_v1(&v1).unwrap(), room_p.clone());
        let v2 = room_p.to_json(Profile::V2, &HOST);
        if text.len() <= 512 {
            let v2 = v2.unwrap();
            prop_assert_eq!(&v2, &format!(
                r#"{{"v":2,"role":"room","room":"{ROOM_ID}","author":"{HOST_PK}","title":{},"start":{start},"mask":{{"n":{},"b":"{}"}}}}"#,
                oracle::payload::js_string(&text), room.len(), oracle::mask::encode_v2(&room).1));
            prop_assert_eq!(RoomPayload::parse_v2(&v2, &HOST).unwrap(), room_p.clone());
            prop_assert!(ResponsePayload::parse_v2(&v2, &HOST).is_err());
        } else {
            prop_assert_eq!(v2.unwrap_err().code(), ErrorCode::PayloadTooLarge);
        }

        let resp = ResponsePayload { name: text.clone(), start: Some(start), mask: Mask::from_bools(&answer) };
        let r1 = resp.to_json(Profile::V1, &ALICE).unwrap();
        prop_assert_eq!(&r1, &format!(r#"{{"n":{},"o":"{}"}}"#, oracle::payload::js_string(&text), oracle::mask::encode_v1(&answer)));
        prop_assert_eq!(ResponsePayload::parse_v1(&r1).unwrap(), ResponsePayload { start: None, ..resp.clone() });
        if text.len() <= 128 {
            let r2 = resp.to_json(Profile::V2, &ALICE).unwrap();
            prop_assert_eq!(&r2, &format!(
                r#"{{"v":2,"role":"response","room":"{ROOM_ID}","author":"{ALICE_PK}","name":{},"start":{start},"mask":{{"n":{},"b":"{}"}}}}"#,
                oracle::payload::js_string(&text), answer.len(), oracle::mask::encode_v2(&answer).1));
            prop_assert_eq!(ResponsePayload::parse_v2(&r2, &ALICE).unwrap(), resp.clone());
            prop_assert!(RoomPayload::parse_v2(&r2, &ALICE).is_err());
        }
    }

    /// Spec §8.3 on any text: a `payload-*` or `mask-*` code, or a payload
    /// that writes back to bytes that read back to the same payload.
    #[test]
    fn payload_any_text_is_refused_or_reads_back(
        text in prop_oneof![
            ".*",
            r#"\{("[tsonvb]"|"role"|"room"|"mask"|"title"|"name"|"start"|"author"):("x"|1|2|-0|1e3|"11"|"wA=="|\{"n":1,"b":"gA=="\}|\[\]|null)(,"[tsonvb]":("1"|2|"10"))\}"#,
        ],
    ) {
        for profile in [Profile::V1, Profile::V2] {
            match RoomPayload::parse(profile, &text, &HOST) {
                Ok(p) => prop_assert_eq!(RoomPayload::parse(profile, &p.to_json(profile, &HOST).unwrap(), &HOST).unwrap(), p),
                Err(e) => prop_assert!(e.code().as_str().starts_with("payload-") || e.code().as_str().starts_with("mask-")),
            }
            match ResponsePayload::parse(profile, &text, &ALICE) {
                Ok(p) => prop_assert_eq!(ResponsePayload::parse(profile, &p.to_json(profile, &ALICE).unwrap(), &ALICE).unwrap(), p),
                Err(e) => prop_assert!(e.code().as_str().starts_with("payload-") || e.code().as_str().starts_with("mask-")),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Mask decoding errors (mask_decode)
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Spec §10.3: every v1 decode gives the oracle's bits or its error, with
    /// the same requirement ID.
    #[test]
    fn mask_v1_decode_matches_the_spec(s in prop_oneof!["[01]{0,140}", "[01a2 \u{e9}]{0,70}", ".{0,10}"]) {
        let got = mask::decode_v1(&s).map(|m| bits(&m)).map_err(|e| named(e.code(), e.requirement()));
        prop_assert_eq!(got, oracle::mask::read_v1(&s));
    }

    /// Spec §10.3: every v2 decode gives the oracle's bits or its error, in
    /// the order n, base64, byte count, trailing bits.
    #[test]
    fn mask_v2_decode_matches_the_spec(
        n in prop_oneof![0u64..80, 35_130u64..35_140, any::<u64>()],
        b in prop_oneof!["[A-Za-z0-9+/]{0,16}={0,2}", "[AgQwBE8/+=_ -]{0,12}", "([A-Za-z0-9+/]{4}){0,3}[A-Za-z0-9+/]{2}=="],
    ) {
        let got = mask::decode_v2(n, &b).map(|m| bits(&m)).map_err(|e| named(e.code(), e.requirement()));
        prop_assert_eq!(got, oracle::mask::read_v2(i128::from(n), &b));
    }
}

// ---------------------------------------------------------------------------
// Events (event_parse)
// ---------------------------------------------------------------------------

static V1_CTX: LazyLock<RoomContext> =
    LazyLock::new(|| RoomContext::new(Link::parse(&v1_link()).unwrap()));
static V2_CTX: LazyLock<RoomContext> =
    LazyLock::new(|| RoomContext::new(Link::parse(&v2_link()).unwrap()));

/// A v1 and a v2 room event, built as in spec §11.6.
static ROOM_EVENTS: LazyLock<[Event; 2]> = LazyLock::new(|| {
    let room = RoomPayload {
        title: "Team sync".into(),
        start: START,
        mask: mask::decode_v1("11000000000000000000000000000000000000000000000011").unwrap(),
    };
    let v1 = V1_CTX
        .build_room_event(
            &keys_hex(V1_HOST_SK),
            &room,
            1_748_000_000,
            &[1; 32],
            &[0; 32],
        )
        .unwrap()
        .0;
    let v2 = V2_CTX
        .build_room_event(
            &keys_hex(V2_HOST_SK),
            &room,
            1_748_000_000,
            &[3; 32],
            &[0; 32],
        )
        .unwrap()
        .0;
    [v1, v2]
});

/// One member of an event replaced by a JSON value of some other shape.
fn mutated_event() -> impl Strategy<Value = String> {
    let members = vec![
        "id",
        "pubkey",
        "created_at",
        "kind",
        "tags",
        "content",
        "sig",
        "extra",
    ];
    let values = vec![
        "null",
        "0",
        "-1",
        "1.0",
        "30078",
        "65536",
        "9007199254740992",
        "\"\"",
        "\"x\"",
        "[]",
        "[[]]",
        "[[\"d\"]]",
        "[[1]]",
        "{}",
        "\"00000000000000000000000000000000000000000000000000000000000000AA\"",
        "\"0000000000000000000000000000000000000000000000000000000000000005\"",
    ];
    (
        0usize..2,
        prop::sample::select(members),
        prop::sample::select(values),
        any::<bool>(),
    )
        .prop_map(|(which, member, value, remove)| {
            let mut v: serde_json::Value =
                serde_json::from_str(&ROOM_EVENTS[which].as_json()).unwrap();
            let obj = v.as_object_mut().unwrap();
            if remove {
                obj.remove(member);
            } else {
                obj.insert(member.to_owned(), serde_json::from_str(value).unwrap());
            }
            v.to_string()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// OS-EVENT-13: `event-json` exactly for the texts the structure check
    /// refuses; an accepted event serialises and parses back to itself.
    #[test]
    fn event_structure_is_os_event_13(text in mutated_event()) {
        match event::parse_event(&text) {
            Ok(ev) => {
                prop_assert!(oracle::event::event_well_formed(&text), "accepted {}", text);
                prop_assert_eq!(event::parse_event(&ev.as_json()).unwrap(), ev);
            }
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::EventJson);
                prop_assert!(!oracle::event::event_well_formed(&text), "refused {}", text);
            }
        }
    }
}

/// Re-signs an event with new tags, kind or content.
fn resigned(ev: &Event, keys: &Keys, kind: u16, tags: Vec<Vec<String>>, content: String) -> Event {
    let tags: Vec<Tag> = tags.into_iter().map(|t| Tag::parse(t).unwrap()).collect();
    let unsigned = UnsignedEvent::new(
        keys.public_key(),
        ev.created_at,
        Kind::from(kind),
        tags,
        content,
    );
    let id = unsigned.compute_id();
    let secp = secp256k1::Secp256k1::new();
    let sig = keys.sign_schnorr_with_aux_rand(&secp, id.as_bytes(), &[0; 32]);
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

/// The first failing step of spec §11.4 (steps 2 to 7) for a room event,
/// read from the spec's text.
fn room_steps(ctx: &RoomContext, ev: &Event, now: u64) -> Option<ErrorCode> {
    let tags: Vec<Vec<String>> = ev.tags.iter().map(|t| t.as_slice().to_vec()).collect();
    let first_d = tags.iter().find(|t| t[0] == "d").and_then(|t| t.get(1));
    let t_tag = tags
        .iter()
        .any(|t| t[0] == "t" && t.get(1).map(String::as_str) == Some("openslots"));
    let v2 = ctx.profile() == Profile::V2;
    if ev.kind.as_u16() != 30_078 {
        Some(ErrorCode::EventKind)
    } else if !ev.verify_id() {
        Some(ErrorCode::EventId)
    } else if !ev.verify_signature() {
        Some(ErrorCode::EventSig)
    } else if first_d != Some(&ctx.room_d)
        || !t_tag
        || (v2 && oracle::expiry::expiration(&tags).is_none())
    {
        Some(ErrorCode::EventTag)
    } else if v2 && ev.pubkey.to_hex() != HOST_PK {
        Some(ErrorCode::EventAuthor)
    } else if oracle::expiry::expiration(&tags).is_some_and(|e| e < now) {
        Some(ErrorCode::EventExpired)
    } else {
        None
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Spec §11.4: a room event with its kind, tags, author or content
    /// changed (and signed again, or not) is refused with the code of its
    /// first failing step; one whose steps 2 to 7 pass is decrypted and read.
    #[test]
    fn event_reading_gives_the_first_failing_step(
        which in 0usize..2,
        kind in prop_oneof![4 => Just(30_078u16), 1 => Just(1u16)],
        drop_tag in prop::option::weighted(0.3, 0usize..3),
        extra in prop_oneof![
            4 => Just(vec![]),
            1 => prop::sample::select(vec![
                vec!["d", "other"], vec!["t", "x"], vec!["expiration", "5"],
                vec!["expiration", "+5"], vec!["expiration"],
            ]),
        ],
        author in prop_oneof![3 => Just(0u8), 1 => 1u8..3],
        content_change in prop::bool::weighted(0.2),
        sign in prop::bool::weighted(0.85),
        now in prop::sample::select(vec![NOW, 0, 1_749_546_000, 1_749_546_001]),
    ) {
        let ctx: &RoomContext = if which == 0 { &V1_CTX } else { &V2_CTX };
        let base = &ROOM_EVENTS[which];
        let mut tags: Vec<Vec<String>> = base.tags.iter().map(|t| t.as_slice().to_vec()).collect();
        if let Some(i) = drop_tag
            && i < tags.len()
        {
            tags.remove(i);
        }
        if !extra.is_empty() {
            tags.insert(0, extra.iter().map(|s| (*s).to_owned()).collect());
        }
        let mut content = base.content.clone();
        if content_change {
            content.replace_range(60..61, if &content[60..61] == "A" { "B" } else { "A" });
        }
        let keys = match (author, which) {
            (0, 0) => keys_hex(V1_HOST_SK),
            (0, _) => keys_hex(V2_HOST_SK),
            (n, _) => keys_n(n),
        };
        let mut ev = resigned(base, &keys, kind, tags, content);
        if !sign {
            ev.created_at = Timestamp::from_secs(ev.created_at.as_secs() + 1);
        }
        let got = ctx.open_room(&ev, now).map_err(|f: Failure| f.code);
        match room_steps(ctx, &ev, now) {
            Some(code) => prop_assert_eq!(got.err(), Some(code)),
            None if content_change => prop_assert_eq!(got.err(), Some(ErrorCode::CipherMac)),
            None => prop_assert_eq!(got.unwrap().title, "Team sync"),
        }
    }
}

// ---------------------------------------------------------------------------
// Last-write-wins (lww_resolve)
// ---------------------------------------------------------------------------

/// Two authors, two addresses, versions with tied `created_at`, an expired
/// newest version, a second valid signature of one event and a forged copy.
static LWW_POOL: LazyLock<Vec<Event>> = LazyLock::new(|| {
    let mut pool = Vec::new();
    for n in 1..=2 {
        for d in ["x", "y"] {
            for (at, c) in [(100, "a"), (200, "b"), (200, "c")] {
                let ev = event::sign(
                    &keys_n(n),
                    at,
                    vec![vec!["d".into(), d.into()]],
                    c.into(),
                    &[0; 32],
                )
                .unwrap();
                pool.push(ev);
            }
        }
    }
    let expired = event::sign(
        &keys_n(1),
        300,
        vec![
            vec!["d".into(), "x".into()],
            vec!["expiration".into(), "150".into()],
        ],
        "e".into(),
        &[0; 32],
    )
    .unwrap();
    pool.push(expired);
    let twin = &pool[1];
    let secp = secp256k1::Secp256k1::new();
    let mut second = twin.clone();
    second.sig = keys_n(1).sign_schnorr_with_aux_rand(&secp, twin.id.as_bytes(), &[7; 32]);
    pool.push(second);
    let mut forged = pool[4].clone();
    forged.id = pool[5].id;
    pool.push(forged);
    pool
});

fn validate(e: &Event, now: u64) -> Result<u64, Failure> {
    event::verify(e).map_err(Failure::from)?;
    let tags: Vec<Vec<String>> = e.tags.iter().map(|t| t.as_slice().to_vec()).collect();
    if oracle::expiry::expiration(&tags).is_some_and(|x| x < now) {
        return Err(Failure::new(ErrorCode::EventExpired, "OS-EXPIRY-3"));
    }
    Ok(e.created_at.as_secs())
}

type Flat = (
    BTreeMap<Address, EventId>,
    Vec<EventId>,
    Vec<(EventId, Failure)>,
);

fn naive_lww(events: &[Event], now: u64) -> Flat {
    let key = |e: &Event| (e.created_at.as_secs(), Reverse(*e.id.as_bytes()));
    let mut winners: BTreeMap<Address, &Event> = BTreeMap::new();
    let mut valid = BTreeSet::new();
    let mut failed: BTreeMap<EventId, Failure> = BTreeMap::new();
    // OS-LWW-7: the best expired version of each address.
    let mut expired: BTreeMap<Address, &Event> = BTreeMap::new();
    for e in events {
        match validate(e, now) {
            Ok(_) => {
                valid.insert(e.id);
                let w = winners.entry(Address::of(e)).or_insert(e);
                if key(e) > key(w) {
                    *w = e;
                }
            }
            Err(f) => {
                if f.code == ErrorCode::EventExpired {
                    let t = expired.entry(Address::of(e)).or_insert(e);
                    if key(e) > key(t) {
                        *t = e;
                    }
                }
                let old = failed.entry(e.id).or_insert(f);
                *old = (*old).min(f);
            }
        }
    }
    // An expired version that outranks the winner ends it (OS-LWW-7).
    for (a, t) in &expired {
        if winners.get(a).is_some_and(|w| key(t) > key(w)) {
            winners.remove(a);
        }
    }
    let won: BTreeSet<EventId> = winners.values().map(|e| e.id).collect();
    (
        winners.into_iter().map(|(a, e)| (a, e.id)).collect(),
        valid
            .iter()
            .filter(|id| !won.contains(id))
            .copied()
            .collect(),
        failed
            .into_iter()
            .filter(|(id, _)| !valid.contains(id))
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// OS-LWW-1 to OS-LWW-3 and OS-LWW-7: per address the valid version with
    /// the greatest `created_at` (lowest id on a tie) wins unless an expired
    /// version outranks it, other valid ids are superseded,
    /// ids without a valid copy are rejected with their least failure, and
    /// none of it depends on order or duplicates.
    #[test]
    fn lww_resolve_is_naive_last_write_wins(
        picks in prop::collection::vec(0usize..15, 0..20),
        now in prop::sample::select(vec![0u64, 160]),
    ) {
        let events: Vec<Event> = picks.iter().map(|&i| LWW_POOL[i % LWW_POOL.len()].clone()).collect();
        let out = lww::resolve(&events, |e| validate(e, now));
        let got: Flat = (
            out.winners.iter().map(|(a, (e, v))| {
                assert_eq!(*v, e.created_at.as_secs());
                (a.clone(), e.id)
            }).collect(),
            out.superseded.clone(),
            out.rejected.clone(),
        );
        prop_assert_eq!(&got, &naive_lww(&events, now));
    }
}

// ---------------------------------------------------------------------------
// Grids with a fixed offset (grid_generate)
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Spec §9.3 for a fixed offset, where a wall time is an instant by
    /// calendar arithmetic alone.
    #[test]
    fn grid_fixed_offset_is_calendar_arithmetic(
        dates in prop::collection::vec((1i64..=9998, 1i64..=12, 1i64..=28), 1..4),
        start in (0i64..24, 0i64..60, 0i64..60),
        end in (0i64..24, 0i64..60, 0i64..60),
        offset in (any::<bool>(), 0i64..24, 0i64..60),
    ) {
        let (sign, oh, om) = offset;
        let zone = format!("{}{oh:02}:{om:02}", if sign { '+' } else { '-' });
        let off = if sign { 1 } else { -1 } * (oh * 3600 + om * 60);
        let st = start.0 * 3600 + start.1 * 60 + start.2;
        let en = end.0 * 3600 + end.1 * 60 + end.2;
        let date_strs: Vec<String> = dates.iter().map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")).collect();
        let mut want = Vec::new();
        for &(y, m, d) in &dates {
            let day = oracle::grid::days_from_civil((y, m as u32, d as u32)) * 86_400;
            let rs = day + st - off;
            let re = day + if en <= st { 86_400 } else { 0 } + en - off;
            let mut t = rs;
            while t < re {
                want.push(t);
                t += 1800;
            }
        }
        want.sort_unstable();
        want.dedup();
        let got = grid::generate_from(
            &date_strs,
            &format!("{:02}:{:02}:{:02}", start.0, start.1, start.2),
            &format!("{:02}:{:02}:{:02}", end.0, end.1, end.2),
            &zone,
        );
        prop_assert_eq!(got.unwrap(), want);
    }
}

// ---------------------------------------------------------------------------
// Expiry (expiry_parse)
// ---------------------------------------------------------------------------

fn tag_element() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("expiration".to_owned()),
        "[0-9]{0,22}",
        "[+ -]?[0-9]{1,5}",
        ".{0,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// OS-EXPIRY-1, OS-EXPIRY-2 on any tag list, in every entry point.
    #[test]
    fn expiry_follows_os_expiry_1_and_2(
        tags in prop::collection::vec(prop::collection::vec(tag_element(), 0..3), 0..4),
        now in prop_oneof![any::<u64>(), 0u64..100_000],
    ) {
        let want = oracle::expiry::expiration(&tags);
        prop_assert_eq!(expiry::get_expiration(&tags), want);
        prop_assert_eq!(expiry::is_expired_at(&tags, now), want.is_some_and(|e| e < now));
        for v in tags.iter().flatten() {
            prop_assert_eq!(expiry::parse_expiration_value(v), oracle::expiry::value(v));
        }
    }
}

// ---------------------------------------------------------------------------
// Regressions found by the campaigns (fuzz/CAMPAIGN.md)
// ---------------------------------------------------------------------------

/// `event_parse` (fuzz/regressions/event_parse/v1-response-repeats-n-without-o):
/// a v1 response plaintext that repeats `n` and has no `o`. OS-PAYLOAD-1 lets
/// a v1 reader either refuse repeated names (`payload-json`) or keep the last
/// value of each name, which then lacks `o` (`payload-field`, OS-PAYLOAD-4);
/// both are conforming, and nothing else is. The target's oracle had allowed
/// the first only where the plaintext was otherwise valid.
#[test]
fn v1_repeated_name_without_o_is_payload_json_or_payload_field() {
    for text in [
        r#"{"n":"Alice","n":"0099999999999"}"#,
        r#"{"n":"Alice","n":"Bob","x":1}"#,
    ] {
        let code = ResponsePayload::parse_v1(text).map_err(|e| Failure::from(e).code);
        assert!(
            matches!(
                code,
                Err(ErrorCode::PayloadJson) | Err(ErrorCode::PayloadField)
            ),
            "{text}: {code:?}"
        );
    }
    // With `o` present, keeping the last `n` is the other conforming answer.
    let text = r#"{"n":"Alice","n":"Bob","o":"1"}"#;
    match ResponsePayload::parse_v1(text) {
        Err(e) => assert_eq!(Failure::from(e).code, ErrorCode::PayloadJson),
        Ok(p) => assert_eq!(p.name, "Bob"),
    }
}
