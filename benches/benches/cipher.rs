//! Bench group `cipher`: NIP-44 v2 encryption and decryption of the base64
//! payload, the reference beside the `nostr` crate's NIP-44 at the same sizes.

// A benchmark input that fails to encrypt is a bug to stop on.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use openslots::cipher::{self, ConversationKey};
use openslots_benches::filler;
use std::hint::black_box;

const SIZES: &[usize] = &[64, 1024, 16 * 1024, 65_535];

fn bench_cipher(c: &mut Criterion) {
    let key_bytes = [0x42u8; 32];
    let nonce = [0x24u8; 32];
    let ours = ConversationKey::from_bytes(key_bytes);
    let theirs = nostr::nips::nip44::v2::ConversationKey::new(key_bytes);
    let mut group = c.benchmark_group("cipher");
    for &size in SIZES {
        let plaintext = filler(size);
        let payload = cipher::encrypt_with_nonce(&ours, &plaintext, &nonce).unwrap();
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::new("encrypt/openslots", size),
            &plaintext,
            |b, p| b.iter(|| cipher::encrypt_with_nonce(&ours, black_box(p), &nonce).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("encrypt/nostr", size),
            &plaintext,
            |b, p| {
                b.iter(|| {
                    let raw = nostr::nips::nip44::v2::encrypt_to_bytes_with_nonce(
                        &theirs,
                        black_box(p),
                        nonce,
                    )
                    .unwrap();
                    STANDARD.encode(raw)
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("decrypt/openslots", size),
            &payload,
            |b, p| b.iter(|| cipher::decrypt_to_bytes(&ours, black_box(p)).unwrap()),
        );
        group.bench_with_input(BenchmarkId::new("decrypt/nostr", size), &payload, |b, p| {
            b.iter(|| {
                let raw = STANDARD.decode(black_box(p)).unwrap();
                nostr::nips::nip44::v2::decrypt_to_bytes(&theirs, &raw).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_cipher);
criterion_main!(benches);
