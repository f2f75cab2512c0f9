//! Bench group `event` (spec §11), for the record: reading and writing one
//! response event of the spec's example room (spec §11.6, two weeks of
//! slots, a participant from a fixed seed), in both profiles, each beside
//! the `nostr` crate's own operation measured in the same run:
//!
//! - `parse`: the strict NIP-01 reader (`event::parse_event`) against
//!   `nostr`'s `Event::from_json`;
//! - `verify`: id and signature (`event::verify`) against `nostr`'s
//!   `Event::verify_signature` alone (the signature floor);
//! - `open`: every check of spec §11.4, decryption and the payload
//!   (`RoomContext::open_response`) against the same signature floor;
//! - `sign` and `build`: signing prepared tags and content
//!   (`event::sign`), and building the whole response (payload, encryption,
//!   d-tag, signature: `RoomContext::build_response_event`), against a
//!   bare BIP-340 signature of the same id (`Keys::sign_schnorr_with_aux_rand`).

// A fixture that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use nostr::event::Event;
use openslots::Profile;
use openslots::event::{self, RoomRef};
use openslots::payload::ResponsePayload;
use openslots_benches::clock::{self, Clock};
use openslots_benches::fixtures::{self, NOW};
use std::hint::black_box;

fn bench_event(c: &mut Criterion<Clock>) {
    let secp = secp256k1::Secp256k1::new();
    let mut group = c.benchmark_group("event");
    for (name, profile) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let fx = fixtures::room(profile, 1).unwrap();
        let room_event = fx.events.first().unwrap().clone();
        let response = fx.events.get(1).unwrap().clone();
        let json = response.as_json();
        let room_ref = RoomRef {
            event_id: room_event.id,
            payload: &fx.room,
        };
        let opened = fx.ctx.open_response(&response, &room_ref, NOW).unwrap();

        group.bench_function(format!("parse/reference/{name}"), |b| {
            b.iter(|| event::parse_event(black_box(&json)).unwrap())
        });
        group.bench_function(format!("parse/nostr/{name}"), |b| {
            b.iter(|| Event::from_json(black_box(&json)).unwrap())
        });
        group.bench_function(format!("verify/reference/{name}"), |b| {
            b.iter(|| event::verify(black_box(&response)).unwrap())
        });
        group.bench_function(format!("verify/floor/{name}"), |b| {
            b.iter(|| black_box(&response).verify_signature())
        });
        group.bench_function(format!("open/reference/{name}"), |b| {
            b.iter(|| {
                fx.ctx
                    .open_response(black_box(&response), &room_ref, NOW)
                    .unwrap()
            })
        });
        group.bench_function(format!("open/floor/{name}"), |b| {
            b.iter(|| black_box(&response).verify_signature())
        });

        let signer = fixtures::keys(&mut openslots_benches::SplitMix64::new(
            0x6f70_656e_736c_6f74,
        ));
        let tags: Vec<Vec<String>> = response
            .tags
            .iter()
            .map(|t| t.as_slice().to_vec())
            .collect();
        let payload = ResponsePayload {
            name: opened.payload.name.clone(),
            start: opened.payload.start,
            mask: opened.payload.mask.clone(),
        };
        let expiration = event::v2_expiration(fx.room.start, &fx.room.mask).unwrap();
        group.bench_function(format!("sign/reference/{name}"), |b| {
            b.iter(|| {
                event::sign(
                    &signer,
                    1,
                    black_box(tags.clone()),
                    response.content.clone(),
                    &[0; 32],
                )
                .unwrap()
            })
        });
        group.bench_function(format!("build/reference/{name}"), |b| {
            b.iter(|| {
                fx.ctx
                    .build_response_event(
                        &signer,
                        black_box(&payload),
                        &room_event.id,
                        expiration,
                        1,
                        &[3; 32],
                        &[0; 32],
                    )
                    .unwrap()
            })
        });
        group.bench_function(format!("sign/floor/{name}"), |b| {
            b.iter(|| {
                signer.sign_schnorr_with_aux_rand(
                    &secp,
                    black_box(response.id.as_bytes()),
                    &[0; 32],
                )
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_event
}
criterion_main!(benches);
