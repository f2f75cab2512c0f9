//! Bench group `kdf` (spec §5), for the record: deriving a room's working
//! keys (two HKDF-SHA256 calls) and a v2 per-room signing key (OS-KDF-5),
//! beside the raw primitive measured in the same run: the `hkdf` crate's
//! HKDF-SHA256 with the same salt, key and infos. Inputs: the room key of
//! spec §11.6 and a device secret from a fixed seed.

// A benchmark input that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use hkdf::Hkdf;
use openslots::Profile;
use openslots::kdf::{self, DeviceSecret, RoomKey};
use openslots_benches::clock::{self, Clock};
use openslots_benches::{SplitMix64, fixtures};
use sha2::Sha256;
use std::hint::black_box;

fn raw_hkdf(ikm: &[u8], salt: &[u8], info: &[u8]) -> [u8; 32] {
    let mut okm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, &mut okm)
        .unwrap();
    okm
}

fn bench_kdf(c: &mut Criterion<Clock>) {
    let mut key = [0u8; 32];
    hex::decode_to_slice(fixtures::ROOM_KEY, &mut key).unwrap();
    let room_key = RoomKey::from_bytes(key);
    let mut group = c.benchmark_group("kdf");
    for (name, profile, infos) in [
        ("v1", Profile::V1, [kdf::INFO_V1_ENC, kdf::INFO_V1_HMAC]),
        ("v2", Profile::V2, [kdf::INFO_V2_ENC, kdf::INFO_V2_BLIND]),
    ] {
        let derived = room_key.derive(profile);
        assert_eq!(derived.enc.as_bytes(), &raw_hkdf(&key, kdf::SALT, infos[0]));
        group.bench_function(format!("derive/reference/{name}"), |b| {
            b.iter(|| black_box(&room_key).derive(profile))
        });
        group.bench_function(format!("derive/raw/{name}"), |b| {
            b.iter(|| {
                (
                    raw_hkdf(black_box(&key), kdf::SALT, infos[0]),
                    raw_hkdf(black_box(&key), kdf::SALT, infos[1]),
                )
            })
        });
    }
    let device = DeviceSecret::from_bytes(SplitMix64::new(5).bytes32());
    let (ctx, _) = fixtures::context(Profile::V2).unwrap();
    let d = ctx.room_d.clone();
    let counter = kdf::derive_signing_key(&device, &d).unwrap().counter;
    let mut info = d.as_bytes().to_vec();
    info.push(counter);
    group.bench_function("signing_key/reference", |b| {
        b.iter(|| kdf::derive_signing_key(black_box(&device), black_box(&d)))
    });
    group.bench_function("signing_key/raw", |b| {
        b.iter(|| {
            let sk = raw_hkdf(black_box(device.as_bytes()), kdf::SIGNING_SALT, &info);
            nostr::key::Keys::new(nostr::key::SecretKey::from_slice(&sk).unwrap())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_kdf
}
criterion_main!(benches);
