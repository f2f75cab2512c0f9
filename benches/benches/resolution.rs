//! Bench group `resolution` (spec §14): resolving a room from the events
//! relays returned, with 100 and 1,000 responses, in both profiles: every
//! event's id and signature checked, its content decrypted, its payload
//! parsed and validated, last-write-wins per address, and the counts
//! aggregated (`openslots::resolution::resolve`).
//!
//! Baselines, measured in the same run right after the reference:
//! - `floor`: verifying the same events' BIP-340 signatures alone
//!   (`nostr`'s `Event::verify_signature`), the floor any client pays;
//! - `verify`: ids and signatures (`Event::verify`), what any client that
//!   checks ids pays.
//!
//! `parts/*` measures the other steps alone over the same events (decrypting
//! every content, parsing every payload, aggregating), to show where the time
//! goes. Inputs: the spec's example room (spec §11.6) over two weeks with
//! participants from fixed seeds (`openslots_benches::fixtures`).

// A fixture that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use openslots::Profile;
use openslots::cipher;
use openslots::mask::{self, Mask};
use openslots::payload::ResponsePayload;
use openslots::resolution;
use openslots_benches::clock::{self, Clock};
use openslots_benches::fixtures::{self, NOW};
use std::hint::black_box;

const RESPONSES: &[usize] = &[100, 1_000];

fn bench_resolution(c: &mut Criterion<Clock>) {
    let mut group = c.benchmark_group("resolution");
    // Iterations of tens of milliseconds: few, equal samples.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    for profile in [Profile::V1, Profile::V2] {
        let p = match profile {
            Profile::V1 => "v1",
            Profile::V2 => "v2",
        };
        for &n in RESPONSES {
            let fx = fixtures::room(profile, n).unwrap();
            let events = &fx.events;
            let state = resolution::resolve(&fx.ctx, events, NOW).unwrap();
            assert_eq!(state.participants.len(), n);
            assert!(state.rejected.is_empty());
            let id = format!("{p}/{n}");
            group.throughput(Throughput::Elements(events.len() as u64));

            group.bench_function(BenchmarkId::new("resolve/reference", &id), |b| {
                b.iter(|| resolution::resolve(&fx.ctx, black_box(events), NOW).unwrap())
            });
            group.bench_function(BenchmarkId::new("resolve/floor", &id), |b| {
                b.iter(|| black_box(events).iter().all(|e| e.verify_signature()))
            });
            group.bench_function(BenchmarkId::new("resolve/verify", &id), |b| {
                b.iter(|| black_box(events).iter().all(|e| e.verify().is_ok()))
            });

            // Where the rest of the time goes.
            let binding_authors: Vec<String> = events.iter().map(|e| e.pubkey.to_hex()).collect();
            let plaintexts: Vec<String> = events
                .iter()
                .map(|e| cipher::decrypt(&fx.ctx.keys.enc, &e.content).unwrap())
                .collect();
            group.bench_function(BenchmarkId::new("parts/decrypt", &id), |b| {
                b.iter(|| {
                    black_box(events)
                        .iter()
                        .map(|e| cipher::decrypt(&fx.ctx.keys.enc, &e.content).unwrap().len())
                        .sum::<usize>()
                })
            });
            group.bench_function(BenchmarkId::new("parts/parse", &id), |b| {
                b.iter(|| {
                    plaintexts
                        .iter()
                        .zip(&binding_authors)
                        .skip(1)
                        .map(|(text, author)| {
                            let binding = openslots::payload::Binding {
                                room_id: &fx.ctx.link.room_id,
                                author,
                            };
                            ResponsePayload::parse(profile, black_box(text), &binding)
                                .unwrap()
                                .mask
                                .len()
                        })
                        .sum::<usize>()
                })
            });
            let masks = fixtures::response_masks(&fx);
            let refs: Vec<&Mask> = masks.iter().collect();
            group.bench_function(BenchmarkId::new("parts/aggregate", &id), |b| {
                b.iter(|| mask::aggregate(black_box(&fx.room.mask), black_box(&refs)))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_resolution
}
criterion_main!(benches);
