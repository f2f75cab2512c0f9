//! What the adapter protocol costs: every vector request answered by the
//! reference in process (the baseline) against the same requests through
//! the reference's JSON Lines loop in a child process, pipelined; and one
//! request on its own, both ways (the round-trip latency of a process).
//! The child is the test adapter in its unbroken mode, which runs exactly
//! the loop of the `openslots-adapter` binary.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // a bench stops at the first surprise

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openslots_harness::adapter::{InProcess, Process, Transport};
use openslots_harness::vectors;
use serde_json::{Value, json};

const ADAPTER: &str = concat!(env!("CARGO_BIN_EXE_openslots-broken-adapter"), " none");

fn requests() -> Vec<Value> {
    vectors::load()
        .unwrap()
        .into_iter()
        .flat_map(|(_, cases)| cases)
        .map(|c| json!({"op": c.op, "profile": c.profile, "input": c.input}))
        .collect()
}

fn all_vectors(c: &mut Criterion) {
    let reqs = requests();
    let mut g = c.benchmark_group("all_vectors");
    g.throughput(Throughput::Elements(reqs.len() as u64));
    let mut local = InProcess;
    local.start().unwrap();
    g.bench_function("in_process", |b| b.iter(|| local.exchange(&reqs)));
    let mut child = Process::new(ADAPTER, Duration::from_secs(10)).unwrap();
    child.start().unwrap();
    g.bench_function("child_process_pipelined", |b| {
        b.iter(|| child.exchange(&reqs))
    });
    g.finish();
}

fn one_request(c: &mut Criterion) {
    let req = vec![
        json!({"op": "next_created_at", "profile": "any", "input": {"now": 10, "previous": 10}}),
    ];
    let mut g = c.benchmark_group("one_request");
    let mut local = InProcess;
    local.start().unwrap();
    g.bench_function("in_process", |b| b.iter(|| local.exchange(&req)));
    let mut child = Process::new(ADAPTER, Duration::from_secs(10)).unwrap();
    child.start().unwrap();
    g.bench_function("child_process_round_trip", |b| {
        b.iter(|| child.exchange(&req))
    });
    g.finish();
}

criterion_group!(benches, all_vectors, one_request);
criterion_main!(benches);
