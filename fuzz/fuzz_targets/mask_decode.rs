//! Mask decoding and validation (spec §10), both encodings. Input: a mode
//! byte; if it is even, the rest is a v1 mask (`'0'`/`'1'` text); if it is
//! odd, the next 8 bytes are the v2 slot count `n` (little-endian) and the
//! rest is `b`.
//!
//! Invariants, beyond never panicking:
//! - the decoder's result equals an independent per-bit reading of spec
//!   §10.3 (`oracle::mask::read_v1`, `oracle::mask::read_v2`, with its own strict base64
//!   decoder): the same code and requirement ID for a rejected mask, the
//!   same bits for an accepted one;
//! - an accepted mask encodes back to exactly its input (one canonical form
//!   per mask), and the bitset's invariants hold (word count, clear unused
//!   bits, counts, first and last bit, `from_words`);
//! - `validate_room` is OS-MASK-2 in each profile and `validate_response_v1`
//!   is OS-MASK-3;
//! - a trimmed mask turned into slot instants and back
//!   (`slots_of`, `room_mask_from_slots`) gives the same mask, in both
//!   profiles (v2 only up to its limit of 35,136 slots).
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslots::mask::{self, Mask, MaskError};
use openslots::{ErrorCode, Profile, SpecError};
use openslots_fuzz::{START, oracle};

fn bits(m: &Mask) -> Vec<bool> {
    (0..m.len()).map(|i| m.get(i)).collect()
}

fn fail(e: &MaskError) -> oracle::Fail {
    (e.code().as_str(), e.requirement())
}

fn check_bitset(m: &Mask, want: &[bool]) {
    assert_eq!(bits(m), want);
    assert_eq!(m.len(), want.len());
    assert_eq!(m.words().len(), m.len().div_ceil(64));
    if !m.len().is_multiple_of(64) {
        let last = m.words().last().copied().unwrap_or(0);
        assert_eq!(last >> (m.len() % 64), 0, "unused bits set");
    }
    let ones: Vec<usize> = (0..want.len()).filter(|&i| want[i]).collect();
    assert_eq!(m.iter_ones().collect::<Vec<_>>(), ones);
    assert_eq!(m.count_ones(), ones.len());
    assert_eq!(m.first_one(), ones.first().copied());
    assert_eq!(m.last_one(), ones.last().copied());
    assert_eq!(&Mask::from_words(m.len(), m.words().to_vec()), m);
    assert_eq!(&Mask::from_bools(want), m);

    // OS-MASK-2 (in both profiles: v1 also accepts an ending `10`) and
    // OS-MASK-3.
    for p in [Profile::V1, Profile::V2] {
        let o = if p == Profile::V1 {
            oracle::Profile::V1
        } else {
            oracle::Profile::V2
        };
        assert_eq!(
            mask::validate_room(m, p).map_err(|e| fail(&e)),
            oracle::mask::trimmed(o, want)
        );
    }
    // Slots on the grid round-trip when the last position is set.
    let room = mask::validate_room(m, Profile::V2);
    let v1_room = openslots_fuzz::ROOM.mask.clone();
    assert_eq!(
        mask::validate_response_v1(&v1_room, m).is_ok(),
        m.len() == v1_room.len()
    );

    // Instants and back.
    if room.is_ok() {
        let slots = mask::slots_of(START, m);
        assert_eq!(slots.len(), ones.len());
        assert_eq!(
            mask::room_mask_from_slots(&slots, Profile::V1),
            Ok((START, m.clone()))
        );
        let v2 = mask::room_mask_from_slots(&slots, Profile::V2);
        if m.len() <= mask::MAX_SLOTS_V2 {
            assert_eq!(v2, Ok((START, m.clone())));
        } else {
            assert_eq!(v2.map_err(|e| e.code()), Err(ErrorCode::MaskTooLarge));
        }
        assert_eq!(mask::rebase(m, START, START, m.len()).as_ref(), Ok(m));
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let Ok(s) = std::str::from_utf8(rest) else {
            return;
        };
        let got = mask::decode_v1(s);
        let want = oracle::mask::read_v1(s);
        assert_eq!(got.as_ref().map(bits).map_err(fail), want, "v1 {s:?}");
        if let (Ok(m), Ok(want)) = (&got, &want) {
            assert_eq!(mask::encode_v1(m), s);
            check_bitset(m, want);
        }
    } else {
        let Some((n, rest)) = rest.split_first_chunk::<8>() else {
            return;
        };
        let Ok(b) = std::str::from_utf8(rest) else {
            return;
        };
        let n = u64::from_le_bytes(*n);
        let got = mask::decode_v2(n, b);
        let want = oracle::mask::read_v2(i128::from(n), b);
        assert_eq!(got.as_ref().map(bits).map_err(fail), want, "v2 n={n} {b:?}");
        if let (Ok(m), Ok(want)) = (&got, &want) {
            assert_eq!(mask::encode_v2(m), (n, b.to_owned()));
            check_bitset(m, want);
        }
    }
});
