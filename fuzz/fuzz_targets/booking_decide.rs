//! The decision procedure (spec §19.1.3, OS-BOOK-8 to OS-BOOK-15). Input,
//! read with `arbitrary::Unstructured`: the room (which of 8 slots it
//! offers, `cap` 1..=4, `max` 1..=3), `now` (before, among or after the
//! slots), a previous manifest, holds and up to 24 requests built from
//! small numbers (authors, ids made unique per request as event ids are,
//! `created_at`, slot sets, commitments of
//! nonces 0..16, reveals of nonces 0..16).
//!
//! Invariants, beyond never panicking:
//! - capacity is never exceeded by new confirmations: at every slot, the
//!   commitments confirmed plus the seats held are at most `cap`, or at
//!   most what the previous manifest already booked there when that was
//!   more (confirmed bookings are never displaced);
//! - a slot the room does not offer, or a past slot, never appears in
//!   `booked` or `held`;
//! - a commitment is never both booked and spent, and no refusal names a
//!   booked or spent commitment;
//! - the manifest's lists are sorted as OS-BOOK-6 says;
//! - the output depends only on the set of requests (OS-BOOK-9): the
//!   requests reversed, with the first repeated, give the same manifest;
//! - deciding again on the output with the same requests keeps every
//!   booking, unless some request presents a nonce (a reveal refused in the
//!   first run can cancel a booking confirmed later in that run).
#![no_main]

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use openslots::booking::{
    self, BookOffer, Booked, BookingRequest, Commitment, CountedRequest, CurrentRoom, Hold,
    Manifest, ReceiptNonce,
};

const ROOM: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
const T0: i64 = 1_748_851_200;

fn slot(i: u8) -> i64 {
    T0 + i64::from(i % 8) * 1800
}

fn commit(n: u8) -> Commitment {
    ReceiptNonce::from_bytes([n % 16; 32]).commitment(ROOM)
}

fn slots(u: &mut Unstructured<'_>) -> Result<Vec<i64>> {
    let bits: u8 = u.arbitrary()?;
    Ok((0..8).filter(|i| bits & (1 << i) != 0).map(slot).collect())
}

struct Input {
    offered: BTreeSet<i64>,
    offer: BookOffer,
    now: i64,
    previous: Manifest,
    holds: Vec<Hold>,
    requests: Vec<CountedRequest>,
}

fn input(u: &mut Unstructured<'_>) -> Result<Input> {
    let offered: BTreeSet<i64> = slots(u)?.into_iter().collect();
    let offer = BookOffer {
        cap: u32::from(u.int_in_range(1u8..=4)?),
        max: u32::from(u.int_in_range(1u8..=3)?),
    };
    let now = T0 - 1800 + i64::from(u.int_in_range(0u8..=9)?) * 1800 - 1;
    let mut booked: BTreeMap<i64, BTreeSet<Commitment>> = BTreeMap::new();
    for _ in 0..u.int_in_range(0u8..=6)? {
        let s: u8 = u.arbitrary()?;
        let c: u8 = u.arbitrary()?;
        booked.entry(slot(s)).or_default().insert(commit(c));
    }
    let mut spent = BTreeSet::new();
    for _ in 0..u.int_in_range(0u8..=3)? {
        let c: u8 = u.arbitrary()?;
        let c = commit(c);
        if !booked.values().any(|s| s.contains(&c)) {
            spent.insert(c);
        }
    }
    let previous = Manifest {
        booked: booked
            .into_iter()
            .map(|(slot, cs)| Booked {
                slot,
                commits: cs.into_iter().collect(),
            })
            .collect(),
        held: vec![],
        refused: vec![],
        spent: spent.into_iter().collect(),
    };
    let mut holds = Vec::new();
    for _ in 0..u.int_in_range(0u8..=2)? {
        let s: u8 = u.arbitrary()?;
        holds.push(Hold {
            slot: slot(s),
            seats: u32::from(u.int_in_range(0u8..=3)?),
            code: format!("C{}", u.int_in_range(0u8..=3)?),
        });
    }
    let mut requests = Vec::new();
    while !u.is_empty() && requests.len() < 24 {
        let a: u8 = u.int_in_range(0..=7)?;
        let id: u8 = u.arbitrary()?;
        let at: u8 = u.int_in_range(0..=3)?;
        let s = slots(u)?;
        let c: u8 = u.arbitrary()?;
        let reveal: Option<u8> = if u.arbitrary()? {
            Some(u.arbitrary()?)
        } else {
            None
        };
        let (s, c) = if s.is_empty() && reveal.is_none() {
            (vec![slot(c)], Some(commit(c)))
        } else if s.is_empty() {
            (s, None)
        } else {
            (s, Some(commit(c)))
        };
        requests.push(CountedRequest {
            id: format!("{id:02x}{:062x}", requests.len()),
            author: format!("{a:064x}"),
            created_at: u64::from(at),
            request: BookingRequest {
                seen: "00".repeat(32),
                slots: s,
                commit: c,
                reveal: reveal.map(|n| hex_of([n % 16; 32])),
            },
        });
    }
    Ok(Input {
        offered,
        offer,
        now,
        previous,
        holds,
        requests,
    })
}

fn hex_of(b: [u8; 32]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(i) = input(&mut u) else {
        return;
    };
    let room = CurrentRoom {
        room_id: ROOM,
        offered: &i.offered,
        offer: i.offer,
    };
    let out = booking::decide(&room, i.now, &i.previous, &i.holds, &i.requests);
    let mut shuffled = i.requests.clone();
    shuffled.reverse();
    if let Some(f) = shuffled.first().cloned() {
        shuffled.push(f);
    }
    let again = booking::decide(&room, i.now, &i.previous, &i.holds, &shuffled);
    assert_eq!(out, again, "the order of arrival changed the manifest");
    let Ok(m) = out else {
        return;
    };
    let before: BTreeMap<i64, usize> = i
        .previous
        .booked
        .iter()
        .map(|b| (b.slot, b.commits.len()))
        .collect();
    let cap = i.offer.cap as usize;
    let mut booked_set = BTreeSet::new();
    for b in &m.booked {
        assert!(i.offered.contains(&b.slot), "a slot not offered is booked");
        assert!(b.slot > i.now, "a past slot is booked");
        assert!(!b.commits.is_empty());
        assert!(b.commits.windows(2).all(|w| w[0] < w[1]));
        let held: usize = m
            .held
            .iter()
            .filter(|h| h.slot == b.slot)
            .map(|h| h.seats as usize)
            .sum();
        let limit = cap.max(before.get(&b.slot).copied().unwrap_or(0));
        assert!(b.commits.len() + held <= limit, "capacity exceeded");
        booked_set.extend(b.commits.iter().cloned());
    }
    assert!(m.booked.windows(2).all(|w| w[0].slot < w[1].slot));
    for h in &m.held {
        assert!(i.offered.contains(&h.slot) && h.slot > i.now);
    }
    assert!(m.spent.windows(2).all(|w| w[0] < w[1]));
    assert!(m.refused.windows(2).all(|w| w[0].commit < w[1].commit));
    for c in &m.spent {
        assert!(!booked_set.contains(c), "booked and spent");
    }
    for r in &m.refused {
        assert!(!booked_set.contains(&r.commit) && !m.spent.contains(&r.commit));
        assert!(r.code.starts_with("book-"));
    }
    if let Ok(next) = booking::decide(&room, i.now, &m, &i.holds, &i.requests) {
        let still: BTreeSet<&Commitment> = next.booked.iter().flat_map(|b| &b.commits).collect();
        for c in &booked_set {
            // A reveal of its nonce in a request may cancel it on the second run.
            let revealed = i.requests.iter().any(|r| r.request.reveal.is_some());
            assert!(
                still.contains(c) || revealed,
                "a confirmed booking was lost"
            );
        }
    }
});
