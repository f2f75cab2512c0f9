//! Bench group `mask` (spec §10): encoding, decoding and validating both
//! encodings, and aggregating responses, each beside its baselines: a naive
//! per-bit loop and a plain read of the same bytes (the memory-bandwidth
//! floor).
//!
//! Inputs: a room that offers working hours (a third of the grid, see
//! `openslots_benches::masks`) of n = 336 (one week), 17,520 (one year) and
//! 1,000,000 slots, and responses available at 60 % of its offered slots,
//! from fixed seeds. n = 1,000,000 exceeds both profiles' limits (OS-MASK-1,
//! OS-MASK-6): there the decoders measure their refusal, which must cost
//! nothing, and the encoders (which are total) a mask of that size.

// A benchmark input that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use openslots::mask::{self, Mask};
use openslots_benches::clock::{self, Clock};
use openslots_benches::{floor, masks, naive};
use std::hint::black_box;

const SIZES: &[usize] = &[336, 17_520, 1_000_000];
const PARTICIPANTS: &[usize] = &[10, 100, 1_000];
/// Above this many slot × response checks the naive count takes too long
/// per iteration to be worth measuring.
const NAIVE_LIMIT: usize = 20_000_000;

fn codec(c: &mut Criterion<Clock>) {
    let mut group = c.benchmark_group("mask");
    for &n in SIZES {
        let room = masks::working_hours_room(n);
        let v1 = mask::encode_v1(&room);
        let (nv2, b) = mask::encode_v2(&room);
        group.throughput(Throughput::Elements(n as u64));

        // v1: one character per slot.
        group.bench_with_input(BenchmarkId::new("decode_v1/reference", n), &v1, |bn, s| {
            bn.iter(|| mask::decode_v1(black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("decode_v1/naive", n), &v1, |bn, s| {
            bn.iter(|| naive::decode_v1(black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("decode_v1/floor", n), &v1, |bn, s| {
            bn.iter(|| floor::read_bytes(black_box(s.as_bytes())))
        });
        group.bench_with_input(
            BenchmarkId::new("encode_v1/reference", n),
            &room,
            |bn, m| bn.iter(|| mask::encode_v1(black_box(m))),
        );
        group.bench_with_input(BenchmarkId::new("encode_v1/naive", n), &room, |bn, m| {
            bn.iter(|| naive::encode_v1(black_box(m)))
        });

        // v2: bit-packed, base64.
        group.bench_with_input(BenchmarkId::new("decode_v2/reference", n), &b, |bn, b| {
            bn.iter(|| mask::decode_v2(black_box(nv2), black_box(b)))
        });
        group.bench_with_input(BenchmarkId::new("decode_v2/naive", n), &b, |bn, b| {
            bn.iter(|| naive::decode_v2(black_box(n), black_box(b)))
        });
        group.bench_with_input(BenchmarkId::new("decode_v2/floor", n), &b, |bn, b| {
            bn.iter(|| floor::read_bytes(black_box(b.as_bytes())))
        });
        group.bench_with_input(
            BenchmarkId::new("encode_v2/reference", n),
            &room,
            |bn, m| bn.iter(|| mask::encode_v2(black_box(m))),
        );

        // Validation of a decoded mask: constant time (first and last bit,
        // lengths), whatever n.
        let resp = masks::response(&room, 60, 1);
        group.bench_with_input(BenchmarkId::new("validate/reference", n), &room, |bn, m| {
            bn.iter(|| {
                (
                    mask::validate_room(black_box(m), openslots::Profile::V1),
                    mask::validate_response_v1(black_box(m), black_box(&resp)),
                )
            })
        });
    }
    group.finish();
}

fn aggregation(c: &mut Criterion<Clock>) {
    let mut group = c.benchmark_group("mask");
    for &n in SIZES {
        let room = masks::working_hours_room(n);
        for &m in PARTICIPANTS {
            let responses = masks::responses(&room, m, 60);
            let refs: Vec<&Mask> = responses.iter().collect();
            let words: Vec<&[u64]> = responses.iter().map(Mask::words).collect();
            let id = format!("{n}x{m}");
            let big = n * m > NAIVE_LIMIT;
            group.sample_size(if big { 10 } else { 50 });
            group.sampling_mode(if big {
                SamplingMode::Flat
            } else {
                SamplingMode::Auto
            });
            group.throughput(Throughput::Elements((n * m) as u64));
            group.bench_function(BenchmarkId::new("aggregate/reference", &id), |bn| {
                bn.iter(|| mask::aggregate(black_box(&room), black_box(&refs)))
            });
            group.bench_function(BenchmarkId::new("aggregate/floor", &id), |bn| {
                bn.iter(|| floor::read_words(black_box(&words)))
            });
            if !big {
                group.bench_function(BenchmarkId::new("aggregate/naive", &id), |bn| {
                    bn.iter(|| mask::aggregate_naive(black_box(&room), black_box(&refs)))
                });
                group.bench_function(BenchmarkId::new("aggregate/naive_by_response", &id), |bn| {
                    bn.iter(|| naive::aggregate_by_response(black_box(&room), black_box(&refs)))
                });
            }
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = codec, aggregation
}
criterion_main!(benches);
