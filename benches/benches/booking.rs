//! Bench group `booking` (spec §19.1.3): the host's decision procedure over
//! 1,000 requests (1,000 authors, one slot each, 100 of them delivered twice
//! as two relays return them) for a two-week room (14 days × 16 half-hour
//! slots, capacity 2, every slot upcoming), from an empty previous manifest.
//! The baseline, measured in the same run, is a plain loop over the
//! requests: sorted by `created_at` and id, each confirmed when its slot is
//! offered and has a seat left, with nothing else (no per-author selection,
//! no receipts, no refusal list, no manifest).

// A benchmark input that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openslots::booking::{
    self, BookOffer, BookingRequest, CountedRequest, CurrentRoom, Manifest, ReceiptNonce,
};
use openslots_benches::SplitMix64;
use openslots_benches::clock::{self, Clock};

const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
const START: i64 = 1_748_851_200;
const NOW: i64 = START - 86_400;

fn room_slots() -> BTreeSet<i64> {
    (0..14)
        .flat_map(|d| (0..16).map(move |i| START + d * 86_400 + i * 1800))
        .collect()
}

fn requests(slots: &[i64]) -> Vec<CountedRequest> {
    let mut rng = SplitMix64::new(11);
    let mut out = Vec::new();
    for a in 0..1000u64 {
        let mut nonce = [0u8; 32];
        nonce[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
        let slot = slots[(rng.next_u64() % slots.len() as u64) as usize];
        out.push(CountedRequest {
            id: format!("{:064x}", rng.next_u64()),
            author: format!("{a:064x}"),
            created_at: 1_748_000_000 + rng.next_u64() % 3600,
            request: BookingRequest {
                seen: "00".repeat(32),
                slots: vec![slot],
                commit: Some(ReceiptNonce::from_bytes(nonce).commitment(ROOM_ID)),
                reveal: None,
            },
        });
    }
    let again: Vec<CountedRequest> = out.iter().step_by(10).cloned().collect();
    out.extend(again);
    out
}

/// The plain loop: sort, then confirm while seats last.
fn baseline(offered: &BTreeSet<i64>, cap: usize, reqs: &[CountedRequest]) -> usize {
    let mut order: Vec<&CountedRequest> = reqs.iter().collect();
    order.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let mut taken: HashMap<i64, usize> = HashMap::new();
    let mut confirmed = 0;
    for r in order {
        let t = r.request.slots[0];
        let n = taken.entry(t).or_default();
        if offered.contains(&t) && *n < cap {
            *n += 1;
            confirmed += 1;
        }
    }
    confirmed
}

fn bench_booking(c: &mut Criterion<Clock>) {
    let offered = room_slots();
    let list: Vec<i64> = offered.iter().copied().collect();
    let reqs = requests(&list);
    let room = CurrentRoom {
        room_id: ROOM_ID,
        offered: &offered,
        offer: BookOffer { cap: 2, max: 1 },
    };
    let m = booking::decide(&room, NOW, &Manifest::default(), &[], &reqs).unwrap();
    let confirmed: usize = m.booked.iter().map(|b| b.commits.len()).sum();
    assert!(confirmed <= 2 * offered.len() && confirmed > 0);
    assert_eq!(confirmed + m.refused.len(), 1000);
    let mut group = c.benchmark_group("booking");
    group.throughput(Throughput::Elements(reqs.len() as u64));
    group.bench_function("decide/reference/1100", |b| {
        b.iter(|| {
            booking::decide(
                black_box(&room),
                NOW,
                &Manifest::default(),
                &[],
                black_box(&reqs),
            )
        })
    });
    group.bench_function("decide/plain-loop/1100", |b| {
        b.iter(|| baseline(black_box(&offered), 2, black_box(&reqs)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_booking
}
criterion_main!(benches);
