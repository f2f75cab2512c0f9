//! Event reading (spec §11.4): `parse_event`, then `RoomContext::open_room`
//! and `open_response` under the §4.1 links of both profiles, against the
//! §11.6 room. Input: a flags byte, then the event's JSON text.
//!
//! Flags: bit 0 signs the parsed event afresh (with its author's key when the
//! target knows it, the §11.6 v1 host's otherwise), so that mutations get
//! past the id and signature checks; bit 1 first encrypts the content, read
//! as a plaintext, under the context's `K_enc`, so that payloads get past
//! the MAC; bits 2 and 3 choose `now` (a fixed time, the event's expiration,
//! one second after it, or 0).
//!
//! Invariants, beyond never panicking:
//! - `parse_event` accepts exactly the texts that an independent check of
//!   OS-EVENT-13 over an untyped JSON value accepts (a repeated member name
//!   may also be refused), with `event-json`, and an accepted event
//!   serialises and parses back to itself;
//! - reading an event gives exactly the code of the first failing step of
//!   spec §11.4, worked out independently for the steps before decryption
//!   (kind, id, signature, tags, author, expiry), and after them the code or
//!   the payload of decrypting and of an independent reading of spec §8.3;
//!   a response's mask in room coordinates is OS-MASK-3/7/9's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nostr::event::Event;
use openslots::event::{self, OpenedResponse, RoomContext, RoomRef};
use openslots::mask::Mask;
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots::{ErrorCode, Failure, Profile, cipher};
use openslots_fuzz::oracle;
use openslots_fuzz::oracle::payload::{PayloadRead, Role};
use openslots_fuzz::{ROOM_ID, V2_HOST_PK, is_reading_code};

fn tags(ev: &Event) -> Vec<Vec<String>> {
    ev.tags.iter().map(|t| t.as_slice().to_vec()).collect()
}

fn first_value<'a>(tags: &'a [Vec<String>], name: &str) -> Option<&'a str> {
    let tag = tags
        .iter()
        .find(|t| t.first().map(String::as_str) == Some(name))?;
    tag.get(1).map(String::as_str)
}

fn names(tags: &[Vec<String>], name: &str, value: &str) -> bool {
    tags.iter().any(|t| {
        t.first().map(String::as_str) == Some(name) && t.get(1).map(String::as_str) == Some(value)
    })
}

/// Steps 2 to 4 of spec §11.4.
fn integrity(ev: &Event) -> Option<ErrorCode> {
    if ev.kind.as_u16() != 30_078 {
        Some(ErrorCode::EventKind)
    } else if !ev.verify_id() {
        Some(ErrorCode::EventId)
    } else if !ev.verify_signature() {
        Some(ErrorCode::EventSig)
    } else {
        None
    }
}

/// The tags every event of a room carries (OS-EVENT-10).
fn common_tags(profile: Profile, t: &[Vec<String>]) -> Option<ErrorCode> {
    if !names(t, "t", "openslots")
        || (profile == Profile::V2 && oracle::expiry::expiration(t).is_none())
    {
        Some(ErrorCode::EventTag)
    } else {
        None
    }
}

fn expired(t: &[Vec<String>], now: u64) -> Option<ErrorCode> {
    oracle::expiry::expiration(t)
        .is_some_and(|e| e < now)
        .then_some(ErrorCode::EventExpired)
}

/// Steps 2 to 7 of spec §11.4 for a room event.
fn room_steps(ctx: &RoomContext, ev: &Event, now: u64) -> Option<ErrorCode> {
    let t = tags(ev);
    integrity(ev)
        .or_else(|| {
            (first_value(&t, "d") != Some(ctx.room_d.as_str())).then_some(ErrorCode::EventTag)
        })
        .or_else(|| common_tags(ctx.profile(), &t))
        .or_else(|| {
            (ctx.profile() == Profile::V2 && ev.pubkey.to_hex() != V2_HOST_PK)
                .then_some(ErrorCode::EventAuthor)
        })
        .or_else(|| expired(&t, now))
}

/// Steps 2 to 7 of spec §11.4 for a response event.
fn response_steps(
    ctx: &RoomContext,
    ev: &Event,
    room: &RoomRef<'_>,
    now: u64,
) -> Option<ErrorCode> {
    let t = tags(ev);
    let reference = match ctx.room_address() {
        None => names(&t, "e", &room.event_id.to_hex()),
        Some(address) => names(&t, "a", &address),
    };
    integrity(ev)
        .or_else(|| (!reference || first_value(&t, "d").is_none()).then_some(ErrorCode::EventTag))
        .or_else(|| common_tags(ctx.profile(), &t))
        .or_else(|| {
            (first_value(&t, "d") != Some(ctx.response_d(&ev.pubkey, &room.event_id).as_str()))
                .then_some(ErrorCode::EventAuthor)
        })
        .or_else(|| expired(&t, now))
}

fn bits(m: &Mask) -> Vec<bool> {
    (0..m.len()).map(|i| m.get(i)).collect()
}

/// Steps 8 and 9: decryption, then spec §8.3 by the oracle.
/// Decrypts and reads the content independently: the oracle's result, and
/// whether a v1 plaintext repeats a member name (then the reference may
/// refuse it with `payload-json` whatever the oracle says, OS-PAYLOAD-1).
fn content(ctx: &RoomContext, ev: &Event, role: Role) -> (Result<PayloadRead, ErrorCode>, bool) {
    let plaintext = match cipher::decrypt(&ctx.keys.enc, &ev.content) {
        Ok(p) => p,
        Err(e) => return (Err(Failure::from(e).code), false),
    };
    let author = ev.pubkey.to_hex();
    let read = match ctx.profile() {
        Profile::V1 => oracle::payload::read_v1(role, &plaintext),
        Profile::V2 => oracle::payload::read_v2(role, &plaintext, ROOM_ID, &author),
    };
    let v1_repeats = ctx.profile() == Profile::V1
        && oracle::payload::duplicates(&plaintext).is_some_and(|(any, _)| any);
    (
        read.map_err(|(code, _)| {
            ErrorCode::parse(code).expect("the oracle names codes of spec §15")
        }),
        v1_repeats,
    )
}

/// Accepts the reference's `payload-json` where v1 repeats a member name.
fn tolerated(got: &Result<impl Sized, Failure>, v1_repeats: bool) -> bool {
    v1_repeats && got.as_ref().err().map(|f| f.code) == Some(ErrorCode::PayloadJson)
}

fn check_room(ctx: &RoomContext, ev: &Event, now: u64) {
    let got: Result<RoomPayload, Failure> = ctx.open_room(ev, now);
    if let Err(f) = &got {
        assert!(is_reading_code(f.code), "{f}");
    }
    if let Some(code) = room_steps(ctx, ev, now) {
        assert_eq!(
            got.err().map(|f| f.code),
            Some(code),
            "room: spec §11.4 steps 2-7"
        );
        return;
    }
    let (read, v1_repeats) = content(ctx, ev, Role::Room);
    if tolerated(&got, v1_repeats) {
        return;
    }
    match read {
        Err(code) => assert_eq!(got.err().map(|f| f.code), Some(code), "room: steps 8-10"),
        Ok(want) => {
            let room = got.expect("room: every step passes");
            assert_eq!(room.title, want.text);
            assert_eq!(Some(room.start), want.start);
            assert_eq!(bits(&room.mask), want.bits);
        }
    }
}

fn check_response(ctx: &RoomContext, ev: &Event, room: &RoomRef<'_>, now: u64) {
    let got: Result<OpenedResponse, Failure> = ctx.open_response(ev, room, now);
    if let Err(f) = &got {
        assert!(is_reading_code(f.code), "{f}");
    }
    if let Some(code) = response_steps(ctx, ev, room, now) {
        assert_eq!(
            got.err().map(|f| f.code),
            Some(code),
            "response: spec §11.4 steps 2-7"
        );
        return;
    }
    let (read, v1_repeats) = content(ctx, ev, Role::Response);
    if tolerated(&got, v1_repeats) {
        return;
    }
    let want = read.and_then(|read| {
        // Step 10 in room coordinates (OS-MASK-3, OS-MASK-7, OS-MASK-9).
        let room_bits = bits(&room.payload.mask);
        let k: i128 = match read.start {
            None if read.bits.len() != room_bits.len() => return Err(ErrorCode::MaskLength),
            None => 0,
            Some(start) => {
                let diff = i128::from(start) - i128::from(room.payload.start);
                if diff % 1800 != 0 {
                    return Err(ErrorCode::MaskOffGrid);
                }
                diff / 1800
            }
        };
        let mask: Vec<bool> = (0..room_bits.len())
            .map(|j| {
                let i = j as i128 - k;
                room_bits[j] && i >= 0 && (i as usize) < read.bits.len() && read.bits[i as usize]
            })
            .collect();
        Ok((read, mask))
    });
    match want {
        Err(code) => assert_eq!(
            got.err().map(|f| f.code),
            Some(code),
            "response: steps 8-10"
        ),
        Ok((read, mask)) => {
            let opened = got.expect("response: every step passes");
            let p: &ResponsePayload = &opened.payload;
            assert_eq!(p.name, read.text);
            assert_eq!(p.start, read.start);
            assert_eq!(bits(&p.mask), read.bits);
            assert_eq!(bits(&opened.mask), mask, "mask in room coordinates");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };

    // Step 1: structure (OS-EVENT-13).
    let parsed = event::parse_event(text);
    let well_formed = oracle::event::event_well_formed(text);
    match &parsed {
        Ok(ev) => {
            assert!(
                well_formed,
                "accepted an event OS-EVENT-13 refuses: {text:?}"
            );
            assert_eq!(
                event::parse_event(&ev.as_json()).as_ref(),
                Ok(ev),
                "round trip"
            );
        }
        Err(e) => {
            assert_eq!(*e, event::EventError::Json);
            let repeats = oracle::payload::duplicates(text).is_some_and(|(_, top)| {
                top.iter()
                    .any(|k| oracle::event::EVENT_MEMBERS.contains(&k.as_str()))
            });
            assert!(
                !well_formed || repeats,
                "refused a well-formed event: {text:?}"
            );
        }
    }
    let Ok(parsed) = parsed else { return };

    for profile in [Profile::V1, Profile::V2] {
        let ctx = openslots_fuzz::ctx(profile);
        let mut ev = parsed.clone();
        if flags & 2 != 0
            && let Ok(c) =
                cipher::encrypt_with_nonce(&ctx.keys.enc, ev.content.as_bytes(), &[7; 32])
        {
            ev.content = c;
        }
        if flags & 1 != 0 {
            let keys = openslots_fuzz::keys_of(&ev.pubkey)
                .unwrap_or_else(|| &openslots_fuzz::KNOWN_KEYS[0]);
            ev = openslots_fuzz::resign(&ev, keys, &[0; 32]);
        }
        let expiration = oracle::expiry::expiration(&tags(&ev));
        let now = match (flags >> 2) & 3 {
            0 => openslots_fuzz::NOW,
            1 => expiration.unwrap_or(openslots_fuzz::NOW),
            2 => expiration.map_or(openslots_fuzz::NOW, |e| e.saturating_add(1)),
            _ => 0,
        };
        check_room(ctx, &ev, now);
        check_response(ctx, &ev, &openslots_fuzz::room_ref(profile), now);
    }
});
