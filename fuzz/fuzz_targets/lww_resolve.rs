//! Last-write-wins (spec §13) and resolution (spec §14), differentially.
//! Signing is slow, so the target signs a pool of events once, at start-up,
//! and the fuzzer chooses which of them relays "returned": a subset, in any
//! order, with duplicates, and mutated copies (a changed `created_at`,
//! content, signature, id or tag, some left with their old id and signature,
//! some signed afresh by a known key so that they are valid new versions).
//!
//! Input, read with `arbitrary::Unstructured`: a mode byte (modulo 3, the
//! pool: 0, plain events for `lww::resolve` with a simple validator; 1, a v1
//! room; 2, a v2 room; its top bit chooses the rearrangement compared), the
//! time `now`, then picks until the input ends (at most 20): a byte below
//! 0xC0 takes that pool event; a byte from 0xC0 takes a pool event (next
//! byte) and mutates it (the low three bits choose how).
//!
//! Invariants, beyond never panicking:
//! - the outcome depends only on the set of events (OS-LWW-3): the picks
//!   reversed with some repeated, or sorted and deduplicated (one of the two
//!   per input), give the same result;
//! - `lww::resolve` equals a naive last-write-wins written here (per address
//!   the valid event with the greatest `created_at`, lowest id on a tie;
//!   every other valid id superseded; ids without any valid copy rejected
//!   with their least failure; an expired version that outranks an
//!   address's winner ends it) (OS-LWW-1, OS-LWW-2, OS-LWW-7);
//! - `resolution::resolve` picks the room and the participants that a naive
//!   resolution built on `open_room` and `open_response` picks (OS-RES-2,
//!   OS-RES-3, OS-LWW-4, OS-LWW-5), and its counts are the number of
//!   participants available at each offered slot (OS-MASK-8).
#![no_main]

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use nostr::event::{Event, EventId, Kind, Tag};
use nostr::key::Keys;
use nostr::types::Timestamp;
use openslots::event::{RoomContext, RoomRef};
use openslots::lww::{self, Address};
use openslots::mask;
use openslots::payload::{ResponsePayload, RoomPayload};
use openslots::resolution::{self, Resolved};
use openslots::{ErrorCode, Failure, Profile};
use openslots_fuzz::{KNOWN_KEYS, NOW, START, keys_hex, keys_n, keys_of, resign};

const MAX_PICKS: usize = 20;
const MAX_SIGNINGS: usize = 6;

// ---- pools ------------------------------------------------------------------

fn with_tags(ev: &Event, tags: Vec<Vec<String>>) -> Event {
    let tags: Vec<Tag> = tags
        .into_iter()
        .filter_map(|t| Tag::parse(t).ok())
        .collect();
    Event::new(
        ev.id,
        ev.pubkey,
        ev.created_at,
        ev.kind,
        tags,
        ev.content.clone(),
        ev.sig,
    )
}

fn plain(keys: &Keys, kind: u16, d: &str, at: u64, content: &str, extra: &[&str]) -> Event {
    let mut tags = vec![vec!["d".to_owned(), d.to_owned()]];
    if !extra.is_empty() {
        tags.push(extra.iter().map(|s| (*s).to_owned()).collect());
    }
    let draft = Event::new(
        EventId::from_byte_array([0; 32]),
        keys.public_key(),
        Timestamp::from_secs(at),
        Kind::from(kind),
        tags.into_iter().filter_map(|t| Tag::parse(t).ok()),
        content,
        openslots_fuzz::unsigned_event(1, vec![], "").sig,
    );
    resign(&draft, keys, &[0; 32])
}

/// Pool 0: three authors, two addresses each, four versions per address
/// (two of them tied), an expired newest version, a second valid signature
/// of one event, and one event of another kind.
static PLAIN: LazyLock<Vec<Event>> = LazyLock::new(|| {
    let mut pool = Vec::new();
    for n in 1..=3 {
        let keys = keys_n(n);
        for d in ["x", "y"] {
            for (at, c) in [(100, "a"), (200, "b"), (200, "c"), (300, "d")] {
                pool.push(plain(&keys, 30_078, d, at, c, &[]));
            }
        }
    }
    pool.push(plain(
        &keys_n(1),
        30_078,
        "x",
        400,
        "e",
        &["expiration", "250"],
    ));
    let twin = plain(&keys_n(2), 30_078, "x", 200, "b", &[]);
    pool.push(resign(&twin, &keys_n(2), &[9; 32]));
    pool.push(plain(&keys_n(3), 1, "x", 500, "f", &[]));
    pool
});

fn room(title: &str, start: i64, bits: &str) -> RoomPayload {
    RoomPayload {
        title: title.to_owned(),
        start,
        mask: mask::decode_v1(bits).unwrap_or_default(),
    }
}

fn response(name: &str, start: Option<i64>, bits: &str) -> ResponsePayload {
    ResponsePayload {
        name: name.to_owned(),
        start,
        mask: mask::decode_v1(bits).unwrap_or_default(),
    }
}

/// Adds `["expiration", "5"]` and signs again: expired at any later `now`.
fn expire(ev: &Event, keys: &Keys) -> Event {
    let mut tags: Vec<Vec<String>> = ev.tags.iter().map(|t| t.as_slice().to_vec()).collect();
    tags.retain(|t| t.first().map(String::as_str) != Some("expiration"));
    tags.push(vec!["expiration".to_owned(), "5".to_owned()]);
    resign(&with_tags(ev, tags), keys, &[0; 32])
}

/// Pools 1 and 2: a room with three versions (two tied; in v1 one by another
/// author), responses by two participants to each version (two versions
/// each), a response with a bad mask and an expired one; in v2 also a room
/// version by someone other than the host and an off-grid response.
fn room_pool(profile: Profile) -> Vec<Event> {
    let ctx = openslots_fuzz::ctx(profile);
    let (host, other) = match profile {
        Profile::V1 => (keys_hex(openslots_fuzz::V1_HOST_SK), keys_n(4)),
        Profile::V2 => (keys_hex(openslots_fuzz::V2_HOST_SK), keys_n(4)),
    };
    let mut pool = Vec::new();
    let mut nonce = 0u8;
    let mut next = || {
        nonce = nonce.wrapping_add(1);
        [nonce; 32]
    };
    let versions = [
        (&host, room("A", START, "1101"), 1000),
        (&host, room("B", START, "111"), 1000),
        (
            if profile == Profile::V1 {
                &other
            } else {
                &host
            },
            room("C", START + 1800, "1011"),
            1500,
        ),
    ];
    let mut rooms = Vec::new();
    for (signer, payload, at) in &versions {
        if let Ok((ev, _)) = ctx.build_room_event(signer, payload, *at, &next(), &[0; 32]) {
            pool.push(ev.clone());
            rooms.push((ev, payload.clone()));
        }
    }
    if profile == Profile::V2 {
        // A room version signed by someone else, re-signed by hand.
        if let Some((ev, _)) = rooms.first() {
            pool.push(resign(ev, &other, &[0; 32]));
        }
    }
    for (room_ev, payload) in &rooms {
        let expiration = openslots::event::v2_expiration(payload.start, &payload.mask).unwrap_or(0);
        let start = (profile == Profile::V2).then_some(payload.start);
        let len = payload.mask.len();
        let all = "1".repeat(len);
        let first = format!("1{}", "0".repeat(len - 1));
        for (n, p) in [(2u8, "P"), (3u8, "Q")] {
            let keys = keys_n(n);
            for (at, bits) in [(1100, all.as_str()), (1200, first.as_str())] {
                let r = response(p, start, bits);
                if let Ok((ev, _)) = ctx.build_response_event(
                    &keys,
                    &r,
                    &room_ev.id,
                    expiration,
                    at,
                    &next(),
                    &[0; 32],
                ) {
                    pool.push(ev);
                }
            }
        }
        // A mask one slot too long (v1: mask-length) or off the grid (v2).
        let bad = match profile {
            Profile::V1 => response("bad", None, &format!("{all}1")),
            Profile::V2 => response("bad", Some(payload.start + 60), &all),
        };
        if let Ok((ev, _)) = ctx.build_response_event(
            &keys_n(2),
            &bad,
            &room_ev.id,
            expiration,
            1300,
            &next(),
            &[0; 32],
        ) {
            pool.push(ev);
        }
        let late = response("late", start, &all);
        if let Ok((ev, _)) = ctx.build_response_event(
            &keys_n(3),
            &late,
            &room_ev.id,
            expiration,
            1400,
            &next(),
            &[0; 32],
        ) {
            pool.push(expire(&ev, &keys_n(3)));
        }
    }
    pool
}

static V1_POOL: LazyLock<Vec<Event>> = LazyLock::new(|| room_pool(Profile::V1));
static V2_POOL: LazyLock<Vec<Event>> = LazyLock::new(|| room_pool(Profile::V2));

// ---- picks and mutations ----------------------------------------------------

fn mutate(
    u: &mut Unstructured<'_>,
    pool: &[Event],
    how: u8,
    signings: &mut usize,
) -> Result<Event> {
    let mut ev = pool[usize::from(u.arbitrary::<u8>()?) % pool.len()].clone();
    let mut sign_with = |ev: &Event, keys: &Keys, aux: [u8; 32]| {
        if *signings < MAX_SIGNINGS {
            *signings += 1;
            resign(ev, keys, &aux)
        } else {
            ev.clone()
        }
    };
    let own = keys_of(&ev.pubkey).cloned();
    match how % 8 {
        0 | 1 => {
            let at = match u.int_in_range(0..=5)? {
                0 => 999,
                1 => 1000,
                2 => 1100,
                3 => 1500,
                4 => 200,
                _ => u64::from(u.arbitrary::<u32>()?),
            };
            ev.created_at = Timestamp::from_secs(at);
            if how % 8 == 1
                && let Some(keys) = &own
            {
                ev = sign_with(&ev, keys, [1; 32]);
            }
        }
        2 => {
            let mut bytes = ev.content.clone().into_bytes();
            if !bytes.is_empty() {
                let i = usize::from(u.arbitrary::<u16>()?) % bytes.len();
                bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            }
            ev.content = String::from_utf8(bytes).unwrap_or_default();
        }
        3 => {
            let mut sig = ev.sig.to_bytes();
            let i = usize::from(u.arbitrary::<u8>()?) % 64;
            sig[i] ^= u.arbitrary::<u8>()?.max(1);
            ev.sig = nostr::event::Signature::from_byte_array(sig);
        }
        4 => {
            ev.id = pool[usize::from(u.arbitrary::<u8>()?) % pool.len()].id;
        }
        5 => {
            if let Some(keys) = &own {
                ev = sign_with(&ev, keys, u.arbitrary()?);
            }
        }
        6 => {
            let mut tags: Vec<Vec<String>> =
                ev.tags.iter().map(|t| t.as_slice().to_vec()).collect();
            if !tags.is_empty() {
                let i = usize::from(u.arbitrary::<u8>()?) % tags.len();
                tags.remove(i);
            }
            ev = with_tags(&ev, tags);
            if let Some(keys) = &own {
                ev = sign_with(&ev, keys, [2; 32]);
            }
        }
        _ => {
            let keys = &KNOWN_KEYS[usize::from(u.arbitrary::<u8>()?) % KNOWN_KEYS.len()];
            ev = sign_with(&ev, keys, [3; 32]);
        }
    }
    Ok(ev)
}

fn picks(u: &mut Unstructured<'_>, pool: &[Event]) -> Result<Vec<Event>> {
    let mut out = Vec::new();
    let mut signings = 0;
    while !u.is_empty() && out.len() < MAX_PICKS {
        let op: u8 = u.arbitrary()?;
        if op < 0xC0 {
            out.push(pool[usize::from(op) % pool.len()].clone());
        } else {
            out.push(mutate(u, pool, op, &mut signings)?);
        }
    }
    Ok(out)
}

/// The same set of events in another order and multiplicity: reversed with
/// its first half repeated at the end, or sorted without duplicates.
/// (Verifying signatures dominates the cost, so each input checks one.)
fn rearranged(events: &[Event], sorted: bool) -> Vec<Event> {
    if sorted {
        let mut out = events.to_vec();
        out.sort_by_key(Event::as_json);
        out.dedup();
        out
    } else {
        let mut out: Vec<Event> = events.iter().rev().cloned().collect();
        out.extend_from_slice(&events[..events.len() / 2]);
        out
    }
}

fn distinct(events: &[Event]) -> Vec<&Event> {
    let mut out: Vec<&Event> = Vec::new();
    for e in events {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// The key of OS-LWW-1: greatest `created_at`, then lowest id.
fn lww_key(e: &Event) -> (u64, Reverse<[u8; 32]>) {
    (e.created_at.as_secs(), Reverse(*e.id.as_bytes()))
}

// ---- pool 0: lww::resolve -----------------------------------------------------

type Flat = (
    BTreeMap<Address, (EventId, u64)>,
    Vec<EventId>,
    Vec<(EventId, Failure)>,
);

fn validate(e: &Event, now: u64) -> std::result::Result<u64, Failure> {
    if e.kind.as_u16() != 30_078 {
        return Err(Failure::new(ErrorCode::EventKind, "OS-EVENT-1"));
    }
    if !e.verify_id() {
        return Err(Failure::new(ErrorCode::EventId, "OS-EVENT-7"));
    }
    if !e.verify_signature() {
        return Err(Failure::new(ErrorCode::EventSig, "OS-EVENT-8"));
    }
    let tags: Vec<Vec<String>> = e.tags.iter().map(|t| t.as_slice().to_vec()).collect();
    if openslots_fuzz::oracle::expiry::expiration(&tags).is_some_and(|x| x < now) {
        return Err(Failure::new(ErrorCode::EventExpired, "OS-EXPIRY-3"));
    }
    Ok(e.created_at.as_secs())
}

fn run_lww(events: &[Event], now: u64) -> Flat {
    let out = lww::resolve(events, |e| validate(e, now));
    let winners = out
        .winners
        .into_iter()
        .map(|(a, (e, v))| (a, (e.id, v)))
        .collect();
    (winners, out.superseded, out.rejected)
}

fn naive_lww(events: &[Event], now: u64) -> Flat {
    let set = distinct(events);
    let mut winners: BTreeMap<Address, &Event> = BTreeMap::new();
    let mut valid_ids = BTreeSet::new();
    let mut failures: BTreeMap<EventId, Failure> = BTreeMap::new();
    let mut expired: BTreeMap<Address, &Event> = BTreeMap::new();
    for &e in &set {
        match validate(e, now) {
            Ok(_) => {
                valid_ids.insert(e.id);
                let w = winners.entry(Address::of(e)).or_insert(e);
                if lww_key(e) > lww_key(w) {
                    *w = e;
                }
            }
            Err(f) => {
                if f.code == openslots::ErrorCode::EventExpired {
                    let t = expired.entry(Address::of(e)).or_insert(e);
                    if lww_key(e) > lww_key(t) {
                        *t = e;
                    }
                }
                let old = failures.entry(e.id).or_insert(f);
                *old = (*old).min(f);
            }
        }
    }
    // OS-LWW-7: an expired version that outranks the winner ends it.
    for (a, t) in &expired {
        if winners.get(a).is_some_and(|w| lww_key(t) > lww_key(w)) {
            winners.remove(a);
        }
    }
    let winning: BTreeSet<EventId> = winners.values().map(|e| e.id).collect();
    let superseded = valid_ids
        .iter()
        .filter(|id| !winning.contains(id))
        .copied()
        .collect();
    let rejected = failures
        .into_iter()
        .filter(|(id, _)| !valid_ids.contains(id))
        .collect();
    let winners = winners
        .into_iter()
        .map(|(a, e)| (a, (e.id, e.created_at.as_secs())))
        .collect();
    (winners, superseded, rejected)
}

fn check_plain(events: &[Event], now: u64, sorted: bool) {
    let got = run_lww(events, now);
    assert_eq!(
        got,
        naive_lww(events, now),
        "lww::resolve differs from naive LWW"
    );
    let other = rearranged(events, sorted);
    assert_eq!(
        run_lww(&other, now),
        got,
        "OS-LWW-3: order or duplicates changed the outcome"
    );
}

// ---- pools 1 and 2: resolution::resolve -------------------------------------------

/// A participant as the naive resolution sees it: winning event, name,
/// available slots.
type Participant = (EventId, String, Vec<i64>);

/// Resolution by the spec's rules, with the reference's event readers as the
/// validators: the room by OS-LWW-1 among all valid candidates, then per
/// author the newest valid response to it.
fn naive_resolution(
    ctx: &RoomContext,
    events: &[Event],
    now: u64,
) -> Option<(EventId, Vec<Participant>)> {
    let set = distinct(events);
    let candidates: Vec<&Event> = set
        .iter()
        .copied()
        .filter(|e| ctx.is_room_candidate(e))
        .collect();
    let room = candidates
        .iter()
        .filter_map(|e| ctx.open_room(e, now).ok().map(|p| (*e, p)))
        .max_by_key(|(e, _)| lww_key(e))?;
    // OS-LWW-7: an expired room version that outranks it ends the room.
    let newest_expired = candidates
        .iter()
        .filter(|e| {
            ctx.open_room(e, now)
                .is_err_and(|f| f.code == openslots::ErrorCode::EventExpired)
        })
        .map(|e| lww_key(e))
        .max();
    if newest_expired.is_some_and(|k| k > lww_key(room.0)) {
        return None;
    }
    let room_ref = RoomRef {
        event_id: room.0.id,
        payload: &room.1,
    };
    let mut per_author: BTreeMap<[u8; 32], (&Event, Vec<i64>, String)> = BTreeMap::new();
    let mut expired: BTreeMap<[u8; 32], &Event> = BTreeMap::new();
    for &e in &set {
        if ctx.is_room_candidate(e) || !ctx.is_response_candidate(e, &room.0.id) {
            continue;
        }
        let opened = ctx.open_response(e, &room_ref, now);
        if opened
            .as_ref()
            .is_err_and(|f| f.code == openslots::ErrorCode::EventExpired)
        {
            let t = expired.entry(*e.pubkey.as_bytes()).or_insert(e);
            if lww_key(e) > lww_key(t) {
                *t = e;
            }
        }
        if let Ok(opened) = opened {
            let slots = mask::slots_of(room.1.start, &opened.mask);
            let entry = per_author.entry(*e.pubkey.as_bytes()).or_insert((
                e,
                slots.clone(),
                opened.payload.name.clone(),
            ));
            if lww_key(e) > lww_key(entry.0) {
                *entry = (e, slots, opened.payload.name);
            }
        }
    }
    // OS-LWW-7: an author's newer expired response ends the older ones.
    per_author.retain(|a, (w, _, _)| expired.get(a).is_none_or(|t| lww_key(t) < lww_key(w)));
    let participants = per_author
        .into_values()
        .map(|(e, slots, name)| (e.id, name, slots))
        .collect();
    Some((room.0.id, participants))
}

fn check_state(state: &Resolved, events: &[Event]) {
    let ids: BTreeSet<EventId> = events.iter().map(|e| e.id).collect();
    assert!(ids.contains(&state.room_event_id));
    assert_eq!(
        state.slots,
        mask::slots_of(state.room.start, &state.room.mask)
    );
    assert!(
        state.slots.windows(2).all(|w| w[0] < w[1]),
        "slots not increasing"
    );
    assert_eq!(state.counts.len(), state.slots.len());
    for (k, slot) in state.slots.iter().enumerate() {
        let n = state
            .participants
            .iter()
            .filter(|p| p.available.contains(slot))
            .count();
        assert_eq!(state.counts[k] as usize, n, "OS-MASK-8 count at {slot}");
    }
    for w in state.participants.windows(2) {
        assert!(
            w[0].pubkey.as_bytes() < w[1].pubkey.as_bytes(),
            "participants not sorted"
        );
    }
    for p in &state.participants {
        assert!(ids.contains(&p.event_id));
        assert!(
            p.available.iter().all(|s| state.slots.contains(s)),
            "OS-MASK-9"
        );
    }
    assert!(state.superseded.windows(2).all(|w| w[0] <= w[1]));
    assert!(state.rejected.windows(2).all(|w| w[0] <= w[1]));
}

fn check_rooms(profile: Profile, events: &[Event], now: u64, sorted: bool) {
    let ctx = openslots_fuzz::ctx(profile);
    let got = resolution::resolve(ctx, events, now);
    let naive = naive_resolution(ctx, events, now);
    match (&got, &naive) {
        (Err(not_found), None) => {
            assert!(not_found.rejected.windows(2).all(|w| w[0] <= w[1]));
        }
        (Ok(state), Some((room_id, participants))) => {
            assert_eq!(
                &state.room_event_id, room_id,
                "room winner (OS-RES-2, OS-LWW-1)"
            );
            let mine: Vec<Participant> = state
                .participants
                .iter()
                .map(|p| (p.event_id, p.name.clone(), p.available.clone()))
                .collect();
            assert_eq!(&mine, participants, "participants (OS-RES-3, OS-LWW-5)");
            check_state(state, events);
        }
        _ => panic!("resolution {got:?}, naive {naive:?}"),
    }
    assert_eq!(
        resolution::resolve(ctx, &rearranged(events, sorted), now),
        got,
        "OS-LWW-3: order or duplicates changed the state"
    );
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let mode = u.arbitrary::<u8>()?;
    let sorted = mode & 0x80 != 0;
    let now = match u.arbitrary::<u8>()? % 4 {
        0 => NOW,
        1 => 0,
        2 => 250,
        _ => u64::MAX,
    };
    match mode % 3 {
        0 => check_plain(&picks(&mut u, &PLAIN)?, now, sorted),
        1 => check_rooms(Profile::V1, &picks(&mut u, &V1_POOL)?, now, sorted),
        _ => check_rooms(Profile::V2, &picks(&mut u, &V2_POOL)?, now, sorted),
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
