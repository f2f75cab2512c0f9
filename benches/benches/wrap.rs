//! Bench group `wrap` (spec §19.2): the passphrase derivation
//! (`derive_intermediate`: NFKC and scrypt with N = 2^LOG_N, r = 8, p = 1)
//! beside the `scrypt` crate called directly with the same inputs in the
//! same run, at LOG_N 10, 12, 14 and 16 (the reference must add nothing
//! measurable to the memory-hard cost); and finding and opening one
//! member's wrapper in a set of 50 from the member's stored intermediate
//! (`open_set_with_intermediate`: one HMAC for the locator, a binary
//! search, one more HMAC and XChaCha20-Poly1305), beside the same member's
//! wrapper opened alone (`open`), the floor for any search. Inputs: fixed
//! seeds (`SplitMix64`).

// A benchmark input that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use openslots::wrap::{self, EpochSecret, GroupId, Intermediate, WrapperSet};
use openslots_benches::SplitMix64;
use openslots_benches::clock::{self, Clock};
use std::hint::black_box;

fn raw_scrypt(p: &[u8], salt: &[u8; 16], log_n: u8) -> [u8; 32] {
    let params = scrypt::Params::new(log_n, 8, 1).unwrap();
    let mut out = [0u8; 32];
    scrypt::scrypt(p, salt, &params, &mut out).unwrap();
    out
}

fn bench_derive(c: &mut Criterion<Clock>) {
    let mut group = c.benchmark_group("wrap");
    group.sample_size(10);
    let salt = [0x5a; 16];
    for log_n in [10u8, 12, 14, 16] {
        let i = wrap::derive_intermediate("correct horse battery staple", &salt, log_n).unwrap();
        assert_eq!(
            i.as_bytes(),
            &raw_scrypt(b"correct horse battery staple", &salt, log_n)
        );
        group.bench_function(format!("derive/reference/log_n={log_n}"), |b| {
            b.iter(|| {
                wrap::derive_intermediate(black_box("correct horse battery staple"), &salt, log_n)
            })
        });
        group.bench_function(format!("derive/raw/log_n={log_n}"), |b| {
            b.iter(|| raw_scrypt(black_box(b"correct horse battery staple"), &salt, log_n))
        });
    }
    group.finish();
}

fn bench_find(c: &mut Criterion<Clock>) {
    let mut rng = SplitMix64::new(14);
    let group_id = GroupId::from_bytes(rng.bytes32());
    let secret = EpochSecret::from_bytes(rng.bytes32());
    let salt = [0x5a; 16];
    let epoch = 20_000;
    let members: Vec<Intermediate> = (0..50)
        .map(|_| Intermediate::from_bytes(rng.bytes32()))
        .collect();
    let wrappers = members
        .iter()
        .map(|i| {
            let mut nonce = [0u8; 24];
            nonce.copy_from_slice(&rng.bytes32()[..24]);
            wrap::seal(i, &group_id, epoch, &salt, 16, &nonce, &secret).unwrap()
        })
        .collect();
    let set = WrapperSet::new(epoch, wrappers).unwrap();
    let content = set.to_content();
    let me = &members[37];
    let opened = wrap::open_set_with_intermediate(me, &group_id, &set).unwrap();
    assert_eq!(opened.secret, secret);
    let mine = set.wrappers[opened.index].clone();
    let mut group = c.benchmark_group("wrap");
    group.bench_function("find_open/reference/50", |b| {
        b.iter(|| wrap::open_set_with_intermediate(black_box(me), &group_id, black_box(&set)))
    });
    group.bench_function("find_open/parse_and_find/50", |b| {
        b.iter(|| {
            let set = WrapperSet::parse(black_box(&content)).unwrap();
            wrap::open_set_with_intermediate(me, &group_id, &set)
        })
    });
    group.bench_function("find_open/floor_open_one", |b| {
        b.iter(|| wrap::open(black_box(me), &group_id, epoch, black_box(&mine)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_derive, bench_find
}
criterion_main!(benches);
