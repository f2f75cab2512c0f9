//! Bench group `cipher` (spec §7): NIP-44 version 2 encryption and
//! decryption with a fixed conversation key, as bytes and as the base64
//! string the wire carries, at 64 B, 1 KiB, 16 KiB and 65,535 B.
//!
//! Baselines, measured in the same run right after the reference:
//! - `raw`: the raw limit (`openslots_benches::raw`): HKDF-Expand of the
//!   message keys, ChaCha20 over the padded plaintext, HMAC-SHA256 over nonce
//!   and ciphertext, and base64 for the string path, into reused buffers;
//! - `nostr`: the `nostr` crate's NIP-44 v2 with the same ready conversation
//!   key (`nip44::v2::encrypt_to_bytes_with_nonce` / `decrypt_to_bytes`), and
//!   for the string path the base64 that `nostr`'s own `nip44::encrypt` and
//!   `decrypt` use (`base64` 0.22, `STANDARD`).
//!
//! `parts/*` measures each primitive alone, to show where the time goes.

// A benchmark input that fails to encrypt is a bug to stop on.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use base64_022::Engine as _;
use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use openslots::cipher::{self, ConversationKey};
use openslots_benches::clock::{self, Clock};
use openslots_benches::{filler, raw};
use std::hint::black_box;

const SIZES: &[usize] = &[64, 1024, 16 * 1024, 65_535];
const KEY: [u8; 32] = [0x42; 32];
const NONCE: [u8; 32] = [0x24; 32];

fn bench_cipher(c: &mut Criterion<Clock>) {
    let ours = ConversationKey::from_bytes(KEY);
    let theirs = nostr::nips::nip44::v2::ConversationKey::new(KEY);
    let nostr_b64 = base64_022::engine::general_purpose::STANDARD;
    let engine = raw::base64();
    let mut group = c.benchmark_group("cipher");
    for &size in SIZES {
        let plaintext = filler(size);
        let payload = cipher::encrypt_with_nonce(&ours, &plaintext, &NONCE).unwrap();
        let payload_bytes = cipher::encrypt_bytes_with_nonce(&ours, &plaintext, &NONCE).unwrap();
        // The baselines compute the same thing.
        let (mut r1, mut r2) = (Vec::new(), Vec::new());
        raw::encrypt(&engine, &KEY, &NONCE, &plaintext, &mut r1, &mut r2);
        assert_eq!(r2, payload.as_bytes());
        let theirs_bytes =
            nostr::nips::nip44::v2::encrypt_to_bytes_with_nonce(&theirs, &plaintext, NONCE)
                .unwrap();
        assert_eq!(theirs_bytes, payload_bytes);
        assert!(raw::decrypt(&engine, &KEY, &payload, &mut r1));
        assert_eq!(r1.get(35..35 + size), Some(&plaintext[..]));
        assert!(raw::decrypt_bytes(&KEY, &payload_bytes, &mut r2));
        assert_eq!(r2.get(2..2 + size), Some(&plaintext[..]));

        group.throughput(Throughput::Bytes(size as u64));
        let (mut raw_buf, mut out_buf) = (Vec::new(), Vec::new());

        // Encryption, string path.
        group.bench_with_input(
            BenchmarkId::new("encrypt/reference", size),
            &plaintext,
            |b, p| b.iter(|| cipher::encrypt_with_nonce(&ours, black_box(p), &NONCE).unwrap()),
        );
        group.bench_with_input(BenchmarkId::new("encrypt/raw", size), &plaintext, |b, p| {
            b.iter(|| {
                raw::encrypt(
                    &engine,
                    &KEY,
                    &NONCE,
                    black_box(p),
                    &mut raw_buf,
                    &mut out_buf,
                )
            })
        });
        group.bench_with_input(
            BenchmarkId::new("encrypt/nostr", size),
            &plaintext,
            |b, p| {
                b.iter(|| {
                    let raw = nostr::nips::nip44::v2::encrypt_to_bytes_with_nonce(
                        &theirs,
                        black_box(p),
                        NONCE,
                    )
                    .unwrap();
                    nostr_b64.encode(raw)
                })
            },
        );

        // Decryption, string path.
        group.bench_with_input(
            BenchmarkId::new("decrypt/reference", size),
            &payload,
            |b, p| b.iter(|| cipher::decrypt_to_bytes(&ours, black_box(p)).unwrap()),
        );
        group.bench_with_input(BenchmarkId::new("decrypt/raw", size), &payload, |b, p| {
            b.iter(|| raw::decrypt(&engine, &KEY, black_box(p), &mut raw_buf))
        });
        group.bench_with_input(BenchmarkId::new("decrypt/nostr", size), &payload, |b, p| {
            b.iter(|| {
                let raw = nostr_b64.decode(black_box(p)).unwrap();
                nostr::nips::nip44::v2::decrypt_to_bytes(&theirs, &raw).unwrap()
            })
        });

        // Bytes path (no base64).
        group.bench_with_input(
            BenchmarkId::new("encrypt_bytes/reference", size),
            &plaintext,
            |b, p| {
                b.iter(|| cipher::encrypt_bytes_with_nonce(&ours, black_box(p), &NONCE).unwrap())
            },
        );
        group.bench_with_input(
            BenchmarkId::new("encrypt_bytes/raw", size),
            &plaintext,
            |b, p| b.iter(|| raw::encrypt_bytes(&KEY, &NONCE, black_box(p), &mut raw_buf)),
        );
        group.bench_with_input(
            BenchmarkId::new("encrypt_bytes/nostr", size),
            &plaintext,
            |b, p| {
                b.iter(|| {
                    nostr::nips::nip44::v2::encrypt_to_bytes_with_nonce(
                        &theirs,
                        black_box(p),
                        NONCE,
                    )
                    .unwrap()
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("decrypt_bytes/reference", size),
            &payload_bytes,
            |b, p| b.iter(|| cipher::decrypt_raw(&ours, black_box(p)).unwrap()),
        );
        group.bench_with_input(
            BenchmarkId::new("decrypt_bytes/raw", size),
            &payload_bytes,
            |b, p| b.iter(|| raw::decrypt_bytes(&KEY, black_box(p), &mut out_buf)),
        );
        group.bench_with_input(
            BenchmarkId::new("decrypt_bytes/nostr", size),
            &payload_bytes,
            |b, p| {
                b.iter(|| nostr::nips::nip44::v2::decrypt_to_bytes(&theirs, black_box(p)).unwrap())
            },
        );

        // Where the time goes: each primitive alone, over what it processes.
        let body = payload_bytes.len() - 65;
        let mut padded = vec![0u8; body];
        group.bench_function(BenchmarkId::new("parts/chacha20", size), |b| {
            b.iter(|| {
                ChaCha20::new(&[1u8; 32].into(), &[2u8; 12].into())
                    .apply_keystream(black_box(&mut padded))
            })
        });
        group.bench_function(BenchmarkId::new("parts/hmac_sha256", size), |b| {
            b.iter(|| raw::Hmac::new(black_box(&KEY)).mac(black_box(&payload_bytes[1..body + 33])))
        });
        let mut decoded = vec![0u8; payload.len() / 4 * 3];
        let mut encoded = vec![0u8; payload.len()];
        group.bench_function(BenchmarkId::new("parts/base64_encode", size), |b| {
            b.iter(|| {
                engine
                    .encode_slice(black_box(&payload_bytes), &mut encoded)
                    .unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("parts/base64_decode", size), |b| {
            b.iter(|| {
                engine
                    .decode_slice(black_box(&payload), &mut decoded)
                    .unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("parts/base64_encode_nostr", size), |b| {
            b.iter(|| {
                nostr_b64
                    .encode_slice(black_box(&payload_bytes), &mut encoded)
                    .unwrap()
            })
        });
        group.bench_function(BenchmarkId::new("parts/base64_decode_nostr", size), |b| {
            b.iter(|| {
                nostr_b64
                    .decode_slice(black_box(&payload), &mut decoded)
                    .unwrap()
            })
        });
    }
    let (ck, cn, hk) = raw::message_keys(&KEY, &NONCE);
    let keys = cipher::message_keys(&ours, &NONCE);
    assert_eq!(
        (keys.chacha_key(), keys.chacha_nonce(), keys.hmac_key()),
        (&ck, &cn, &hk)
    );
    group.bench_function("parts/message_keys/reference", |b| {
        b.iter(|| cipher::message_keys(black_box(&ours), black_box(&NONCE)))
    });
    group.bench_function("parts/message_keys/raw", |b| {
        b.iter(|| raw::message_keys(black_box(&KEY), black_box(&NONCE)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_cipher
}
criterion_main!(benches);
