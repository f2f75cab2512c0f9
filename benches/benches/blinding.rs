//! Bench group `blinding` (spec §6), for the record: the blinded d-tags of
//! rooms and responses in both profiles, beside the raw primitive measured
//! in the same run: HMAC-SHA256 over the same message (the `hmac` crate)
//! and its hex. Inputs: the room id and room key of spec §11.6 and an author
//! from a fixed seed.

// A benchmark input that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use nostr::event::EventId;
use openslots::Profile;
use openslots::blinding;
use openslots_benches::clock::{self, Clock};
use openslots_benches::{SplitMix64, fixtures};
use sha2::Sha256;
use std::hint::black_box;

fn raw(key: &[u8; 32], message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

fn bench_blinding(c: &mut Criterion<Clock>) {
    let mut rng = SplitMix64::new(6);
    let author = fixtures::keys(&mut rng).public_key();
    let room_event = EventId::from_byte_array(rng.bytes32());
    let room_id = fixtures::ROOM_ID;
    let mut group = c.benchmark_group("blinding");
    for (name, profile) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let (ctx, _) = fixtures::context(profile).unwrap();
        let key = ctx.keys.blind.clone();
        let (room_msg, response_msg) = match profile {
            Profile::V1 => (
                room_id.as_bytes().to_vec(),
                blinding::response_message_v1(&author, &room_event).into_bytes(),
            ),
            Profile::V2 => (
                blinding::room_message_v2(room_id),
                blinding::response_message_v2(room_id, &author),
            ),
        };
        assert_eq!(raw(key.as_bytes(), &room_msg), ctx.room_d);
        group.bench_function(format!("room_d/reference/{name}"), |b| {
            b.iter(|| match profile {
                Profile::V1 => blinding::room_d_tag_v1(black_box(&key), black_box(room_id)),
                Profile::V2 => blinding::room_d_tag_v2(black_box(&key), black_box(room_id)),
            })
        });
        group.bench_function(format!("room_d/raw/{name}"), |b| {
            b.iter(|| raw(black_box(key.as_bytes()), black_box(&room_msg)))
        });
        group.bench_function(format!("response_d/reference/{name}"), |b| {
            b.iter(|| match profile {
                Profile::V1 => {
                    blinding::response_d_tag_v1(black_box(&key), &author, black_box(&room_event))
                }
                Profile::V2 => {
                    blinding::response_d_tag_v2(black_box(&key), black_box(room_id), &author)
                }
            })
        });
        group.bench_function(format!("response_d/raw/{name}"), |b| {
            b.iter(|| raw(black_box(key.as_bytes()), black_box(&response_msg)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_blinding
}
criterion_main!(benches);
