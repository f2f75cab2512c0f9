//! Bench group `lww` (spec §13), for the record: last-write-wins over 1,000
//! valid events (100 authors × 10 versions, each event twice, as two relays
//! return it), with validation left out (`lww::resolve` with a validator
//! that accepts everything), beside a naive baseline measured in the same
//! run: one pass that keeps, per address, the event that `lww::beats` the
//! others, in a hash map, without the deduplication, the fixed reading order
//! or the bookkeeping of superseded and rejected events.

// A benchmark input that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nostr::event::Event;
use openslots::event;
use openslots::lww;
use openslots_benches::clock::{self, Clock};
use openslots_benches::{SplitMix64, fixtures};
use std::hint::black_box;

fn naive(events: &[Event]) -> HashMap<(u16, [u8; 32], &str), &Event> {
    let mut best: HashMap<(u16, [u8; 32], &str), &Event> = HashMap::new();
    for e in events {
        let d = event::first_tag_value(e, "d").unwrap_or_default();
        let slot = best
            .entry((e.kind.as_u16(), *e.pubkey.as_bytes(), d))
            .or_insert(e);
        if lww::beats(e, slot) {
            *slot = e;
        }
    }
    best
}

fn bench_lww(c: &mut Criterion<Clock>) {
    let mut rng = SplitMix64::new(7);
    let mut events = Vec::new();
    for a in 0..100u64 {
        let keys = fixtures::keys(&mut rng);
        for v in 0..10u64 {
            let tags = event::room_tags_v1(&format!("{a:064x}"));
            let e = event::sign(&keys, 1_748_000_000 + v, tags, format!("v{v}"), &[0; 32]).unwrap();
            events.push(e.clone());
            events.push(e);
        }
    }
    let out = lww::resolve(&events, |_| Ok(()));
    assert_eq!(out.winners.len(), 100);
    assert_eq!(naive(&events).len(), 100);
    let mut group = c.benchmark_group("lww");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("resolve/reference/2000", |b| {
        b.iter(|| lww::resolve(black_box(&events), |_| Ok(())))
    });
    group.bench_function("resolve/naive/2000", |b| {
        b.iter(|| naive(black_box(&events)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_lww
}
criterion_main!(benches);
