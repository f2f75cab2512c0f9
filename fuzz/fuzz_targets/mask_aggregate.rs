//! Aggregation and rebasing of masks (spec §10.3, OS-MASK-7 to OS-MASK-9),
//! with a differential check of the fast bit-sliced aggregation against a
//! naive count. Input: a room mask and up to a few hundred responses, each
//! described compactly (length, fill pattern, number of copies, grid shift)
//! and built with `arbitrary`; copies let a small input cross the
//! aggregation's 16-response groups and 240-response flushes, and lengths up
//! to 3,100 bits cross its 4- and 16-word blocks.
//!
//! Invariants, beyond never panicking:
//! - `aggregate` equals `aggregate_naive` and a count of the responses' set
//!   bits written here: counts are zero where the room offers nothing
//!   (OS-MASK-9), include every response (OS-MASK-8), and never exceed the
//!   number of responses;
//! - `rebase` shifts by `(from - to) / 1800` positions, drops what falls
//!   outside, and refuses an offset that is not a multiple of 1800 s with
//!   `mask-off-grid` (OS-MASK-7);
//! - `intersect` keeps exactly the bits set in both, at the first mask's
//!   length.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use openslots::mask::{self, Mask, MaskError};

#[derive(Arbitrary, Debug)]
enum Fill {
    Zeros,
    Ones,
    /// Repeats the bytes, least significant bit first.
    Pattern(Vec<u8>),
    /// About `density / 8` of the bits set, by a seeded xorshift.
    Random {
        seed: u64,
        density: u8,
    },
}

#[derive(Arbitrary, Debug)]
struct Spec {
    len: u16,
    fill: Fill,
}

#[derive(Arbitrary, Debug)]
struct Response {
    mask: Spec,
    copies: u8,
    /// The response's start relative to the room's, in slots.
    shift: i16,
    /// Seconds added to the shift (0 means on the grid).
    off_grid: u16,
}

#[derive(Arbitrary, Debug)]
struct Input {
    room: Spec,
    room_start: i64,
    responses: Vec<Response>,
}

const MAX_ROOM: usize = 3_100;
const MAX_RESPONSE: usize = 6_200;
const MAX_RESPONSES: usize = 500;

fn build(spec: &Spec, max: usize) -> Vec<bool> {
    let len = usize::from(spec.len) % (max + 1);
    match &spec.fill {
        Fill::Zeros => vec![false; len],
        Fill::Ones => vec![true; len],
        Fill::Pattern(bytes) if bytes.is_empty() => vec![false; len],
        Fill::Pattern(bytes) => (0..len)
            .map(|i| (bytes[(i / 8) % bytes.len()] >> (i % 8)) & 1 == 1)
            .collect(),
        Fill::Random { seed, density } => {
            let mut s = seed | 1;
            (0..len)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    s % 8 < u64::from(density % 9)
                })
                .collect()
        }
    }
}

fn bits(m: &Mask) -> Vec<bool> {
    (0..m.len()).map(|i| m.get(i)).collect()
}

fuzz_target!(|input: Input| {
    let room_bits = build(&input.room, MAX_ROOM);
    let room = Mask::from_bools(&room_bits);
    let mut responses: Vec<Mask> = Vec::new();
    for r in &input.responses {
        let b = build(&r.mask, MAX_RESPONSE);
        let m = Mask::from_bools(&b);

        // Intersection.
        let both = m.intersect(&room);
        let want: Vec<bool> = (0..b.len())
            .map(|i| b[i] && room_bits.get(i).copied().unwrap_or(false))
            .collect();
        assert_eq!(bits(&both), want, "intersect");

        // Rebasing onto the room's grid (OS-MASK-7).
        let shift = i64::from(r.shift);
        let from = input
            .room_start
            .saturating_add(shift * 1800)
            .saturating_add(i64::from(r.off_grid % 1800));
        let diff = i128::from(from) - i128::from(input.room_start);
        let rebased = mask::rebase(&m, from, input.room_start, room.len());
        if diff % 1800 != 0 {
            assert_eq!(
                rebased,
                Err(MaskError::OffGrid {
                    requirement: "OS-MASK-7"
                })
            );
        } else {
            let k = diff / 1800;
            let want: Vec<bool> = (0..room.len() as i128)
                .map(|j| {
                    let i = j - k;
                    i >= 0 && (i as usize) < b.len() && b[i as usize]
                })
                .collect();
            let rebased = rebased.expect("an on-grid rebase succeeds");
            assert_eq!(bits(&rebased), want, "rebase by {k} slots");
        }

        for _ in 0..=usize::from(r.copies % 64) {
            if responses.len() < MAX_RESPONSES {
                responses.push(m.clone());
            }
        }
    }

    let refs: Vec<&Mask> = responses.iter().collect();
    let fast = mask::aggregate(&room, &refs);
    let naive = mask::aggregate_naive(&room, &refs);
    assert_eq!(fast, naive, "aggregate differs from aggregate_naive");
    assert_eq!(fast.len(), room.len());
    let mut counts = vec![0u32; room.len()];
    for r in &responses {
        for i in r.iter_ones().take_while(|&i| i < room_bits.len()) {
            counts[i] += u32::from(room_bits[i]);
        }
    }
    assert_eq!(fast, counts, "aggregate differs from a count of set bits");
    assert!(fast.iter().all(|&c| c as usize <= responses.len()));
});
