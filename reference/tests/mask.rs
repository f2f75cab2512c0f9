//! Tests of availability masks (spec §10): hand-worked examples, error codes
//! and requirement IDs, and property tests (round trips, canonical decoding,
//! aggregation against the naive oracle, rebase against a manual shift).

// Tests may unwrap: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use openslots::mask::{
    MAX_SLOTS_V1, MAX_SLOTS_V2, Mask, MaskError, aggregate, aggregate_naive, decode_v1, decode_v2,
    encode_v1, encode_v2, rebase, room_mask_from_slots, slots_of, validate_response_v1,
    validate_room,
};
use openslots::{ErrorCode, Profile, SpecError};
use proptest::prelude::*;

const S: i64 = 1800;

/// A mask from a '0'/'1' literal (test helper, independent of `decode_v1`).
fn m(bits: &str) -> Mask {
    Mask::from_bools(&bits.chars().map(|c| c == '1').collect::<Vec<_>>())
}

fn ones(mask: &Mask) -> Vec<usize> {
    mask.iter_ones().collect()
}

fn enc(requirement: &'static str) -> MaskError {
    MaskError::Encoding { requirement }
}
fn len_err(requirement: &'static str) -> MaskError {
    MaskError::Length { requirement }
}
fn too_large(requirement: &'static str) -> MaskError {
    MaskError::TooLarge { requirement }
}
fn off_grid(requirement: &'static str) -> MaskError {
    MaskError::OffGrid { requirement }
}

// ---------------------------------------------------------------------------
// The bitset
// ---------------------------------------------------------------------------

#[test]
fn bitset_basics() {
    let mut x = Mask::zeros(130);
    assert_eq!(x.len(), 130);
    assert!(!x.is_empty());
    // 130 bits need 3 words.
    assert_eq!(x.words().len(), 3);
    assert_eq!(x.first_one(), None);
    assert_eq!(x.last_one(), None);
    assert!(x.set(0, true));
    assert!(x.set(64, true));
    assert!(x.set(129, true));
    // Out of range: refused, nothing changes, no panic.
    assert!(!x.set(130, true));
    assert!(!x.set(usize::MAX, true));
    assert!(!x.get(130));
    assert!(!x.get(usize::MAX));
    assert_eq!(ones(&x), vec![0, 64, 129]);
    assert_eq!(x.count_ones(), 3);
    assert_eq!(x.first_one(), Some(0));
    assert_eq!(x.last_one(), Some(129));
    // Bit 129 is bit 1 of word 2 (LSB-first inside words).
    assert_eq!(x.words(), &[1, 1, 2]);
    assert!(x.set(0, false));
    assert_eq!(x.first_one(), Some(64));

    let e = Mask::zeros(0);
    assert!(e.is_empty());
    assert_eq!(e.words().len(), 0);
    assert!(!e.get(0));

    // Indices beyond len are ignored: the unused-bits invariant holds, so two
    // constructions of the same bits compare equal.
    let a = Mask::from_indices(3, [0, 2, 3, 63, 64, 1000]);
    assert_eq!(a, m("101"));
    assert_eq!(a.words(), &[0b101]);
    // from_words clears bits beyond len and pads missing words.
    assert_eq!(Mask::from_words(3, vec![u64::MAX, 7]), m("111"));
    assert_eq!(Mask::from_words(65, vec![]), Mask::zeros(65));
}

#[test]
fn intersect_uses_self_length() {
    // "1101" ∧ "0111" = "0101"; other's extra bits are ignored, other
    // shorter than self counts as clear.
    assert_eq!(m("1101").intersect(&m("0111")), m("0101"));
    assert_eq!(m("1101").intersect(&m("111111")), m("1101"));
    assert_eq!(m("1101").intersect(&m("11")), m("1100"));
}

// ---------------------------------------------------------------------------
// v1
// ---------------------------------------------------------------------------

#[test]
fn v1_hand_examples() {
    // "101": slot 0 and slot 2 offered.
    let x = decode_v1("101").unwrap();
    assert_eq!(x.len(), 3);
    assert_eq!(ones(&x), vec![0, 2]);
    assert_eq!(encode_v1(&x), "101");
    // 70 characters: crosses the 64-bit word boundary; bits 0, 63, 64, 69.
    let mut s = vec![b'0'; 70];
    for i in [0, 63, 64, 69] {
        s[i] = b'1';
    }
    let s = String::from_utf8(s).unwrap();
    let x = decode_v1(&s).unwrap();
    assert_eq!(ones(&x), vec![0, 63, 64, 69]);
    assert_eq!(x.words(), &[1 | 1 << 63, 1 | 1 << 5]);
    assert_eq!(encode_v1(&x), s);
    // An empty mask encodes to "" (which the decoder then refuses).
    assert_eq!(encode_v1(&Mask::zeros(0)), "");
}

#[test]
fn v1_errors() {
    // OS-MASK-1: only '0' and '1'; the deployed app would read 'a' as 0.
    assert_eq!(decode_v1("10a1"), Err(enc("OS-MASK-1")));
    assert_eq!(decode_v1(" 1"), Err(enc("OS-MASK-1")));
    assert_eq!(decode_v1("1 "), Err(enc("OS-MASK-1")));
    assert_eq!(decode_v1("1\n"), Err(enc("OS-MASK-1")));
    assert_eq!(decode_v1("\"1\""), Err(enc("OS-MASK-1")));
    // Bytes that differ from '0'/'1' only in high bits (0xB0 ^ 0x30 = 0x80)
    // and multi-byte characters.
    assert_eq!(decode_v1("1é"), Err(enc("OS-MASK-1")));
    assert_eq!(decode_v1("１"), Err(enc("OS-MASK-1")));
    // '2' = 0x32, '/' = 0x2F: neighbours of the valid characters.
    assert_eq!(decode_v1("2"), Err(enc("OS-MASK-1")));
    assert_eq!(decode_v1("/"), Err(enc("OS-MASK-1")));
    // A bad character in every position of a 130-character string is found
    // (full 64-character chunks and the tail alike).
    for i in 0..130 {
        let mut s = vec![b'1'; 130];
        s[i] = b'x';
        let s = String::from_utf8(s).unwrap();
        assert_eq!(decode_v1(&s), Err(enc("OS-MASK-1")), "position {i}");
    }
    // Empty.
    assert_eq!(decode_v1(""), Err(len_err("OS-MASK-1")));
    // 65,535 characters are fine, 65,536 too many.
    assert!(decode_v1(&"1".repeat(MAX_SLOTS_V1)).is_ok());
    assert_eq!(
        decode_v1(&"1".repeat(MAX_SLOTS_V1 + 1)),
        Err(too_large("OS-MASK-1"))
    );
}

// ---------------------------------------------------------------------------
// v2
// ---------------------------------------------------------------------------

#[test]
fn v2_hand_examples() {
    // n=3, bits {0,2}: byte 1010_0000 = 0xA0; base64 101000|00(0000) = 'o','A'
    // plus "==" padding.
    assert_eq!(encode_v2(&m("101")), (3, "oA==".to_string()));
    assert_eq!(ones(&decode_v2(3, "oA==").unwrap()), vec![0, 2]);
    // n=9, bits {0,8}: bytes 0x80 0x80; 100000|001000|0000(00) = 'g','I','A', "=".
    let x = Mask::from_indices(9, [0, 8]);
    assert_eq!(encode_v2(&x), (9, "gIA=".to_string()));
    assert_eq!(decode_v2(9, "gIA=").unwrap(), x);
    // n=16 all ones: 0xFF 0xFF; 111111|111111|1111(00) = '/','/','8', "=".
    assert_eq!(encode_v2(&m(&"1".repeat(16))), (16, "//8=".to_string()));
    assert_eq!(decode_v2(16, "//8=").unwrap(), m(&"1".repeat(16)));
    // n=10, bits {0,1,9}: 1100_0000 = 0xC0, 0100_0000 = 0x40;
    // 110000|000100|0000(00) = 'w','E','A', "=".
    let x = Mask::from_indices(10, [0, 1, 9]);
    assert_eq!(encode_v2(&x), (10, "wEA=".to_string()));
    assert_eq!(decode_v2(10, "wEA=").unwrap(), x);
    // n=24 (three bytes, no padding): bits {0, 23} -> 0x80 0x00 0x01;
    // 100000|000000|000000|000001 = "gAAB".
    let x = Mask::from_indices(24, [0, 23]);
    assert_eq!(encode_v2(&x), (24, "gAAB".to_string()));
    assert_eq!(decode_v2(24, "gAAB").unwrap(), x);
    // Empty mask: (0, ""), the caller's problem.
    assert_eq!(encode_v2(&Mask::zeros(0)), (0, String::new()));
}

#[test]
fn v2_errors() {
    // Trailing bits: n=3 but byte 0xA1 sets bit 7 (slot 7 >= n).
    // 0xA1 = 101000|01(0000) = 'o','Q' -> "oQ==".
    assert_eq!(decode_v2(3, "oQ=="), Err(MaskError::TrailingBits));
    // n=9: bytes 0x80 0xC0 set slot 9: 100000|001100|0000 -> "gMA=".
    assert_eq!(decode_v2(9, "gMA="), Err(MaskError::TrailingBits));
    // ... but n=10 allows it.
    assert_eq!(ones(&decode_v2(10, "gMA=").unwrap()), vec![0, 8, 9]);
    // Non-canonical: "oB==" has the unused low bits of 'B' (000001) set; a
    // lenient decoder would return 0xA0.
    assert_eq!(decode_v2(3, "oB=="), Err(enc("OS-MASK-5")));
    // Missing padding.
    assert_eq!(decode_v2(3, "oA"), Err(enc("OS-MASK-5")));
    assert_eq!(decode_v2(3, "oA="), Err(enc("OS-MASK-5")));
    // Too much padding / padding in the middle.
    assert_eq!(decode_v2(3, "oA==="), Err(enc("OS-MASK-5")));
    assert_eq!(decode_v2(3, "oA==oA=="), Err(enc("OS-MASK-5")));
    // URL-safe alphabet ('-' is '+', '_' is '/').
    assert_eq!(decode_v2(16, "-_8="), Err(enc("OS-MASK-5")));
    assert_eq!(decode_v2(16, "__8="), Err(enc("OS-MASK-5")));
    // Whitespace anywhere.
    assert_eq!(decode_v2(3, " oA=="), Err(enc("OS-MASK-5")));
    assert_eq!(decode_v2(3, "oA==\n"), Err(enc("OS-MASK-5")));
    assert_eq!(decode_v2(3, "o A=="), Err(enc("OS-MASK-5")));
    // Byte count must be ceil(n/8): "gIA=" is two bytes, n=3 wants one;
    // "oA==" is one byte, n=9 wants two; "" is zero bytes.
    assert_eq!(decode_v2(3, "gIA="), Err(len_err("OS-MASK-5")));
    assert_eq!(decode_v2(9, "oA=="), Err(len_err("OS-MASK-5")));
    assert_eq!(decode_v2(1, ""), Err(len_err("OS-MASK-5")));
    // n = 0.
    assert_eq!(decode_v2(0, ""), Err(len_err("OS-MASK-6")));
    assert_eq!(decode_v2(0, "oA=="), Err(len_err("OS-MASK-6")));
    // n beyond MAX_SLOTS_V2, judged before b (which is garbage here).
    assert_eq!(
        decode_v2(MAX_SLOTS_V2 as u64 + 1, "!"),
        Err(too_large("OS-MASK-6"))
    );
    assert_eq!(decode_v2(u64::MAX, "!"), Err(too_large("OS-MASK-6")));
    // n = MAX_SLOTS_V2 all ones: 4392 bytes 0xFF.
    let full = m(&"1".repeat(MAX_SLOTS_V2));
    let (n, b) = encode_v2(&full);
    assert_eq!(n, 35_136);
    assert_eq!(b.len(), 4 * 4392usize.div_ceil(3));
    assert_eq!(decode_v2(n, &b).unwrap(), full);
}

// ---------------------------------------------------------------------------
// Errors: codes and requirement IDs
// ---------------------------------------------------------------------------

#[test]
fn error_codes_and_requirements() {
    let cases: &[(MaskError, ErrorCode, &str)] = &[
        (enc("OS-MASK-1"), ErrorCode::MaskEncoding, "OS-MASK-1"),
        (enc("OS-MASK-5"), ErrorCode::MaskEncoding, "OS-MASK-5"),
        (len_err("OS-MASK-3"), ErrorCode::MaskLength, "OS-MASK-3"),
        (
            MaskError::TrailingBits,
            ErrorCode::MaskTrailingBits,
            "OS-MASK-5",
        ),
        (too_large("OS-MASK-6"), ErrorCode::MaskTooLarge, "OS-MASK-6"),
        (MaskError::Untrimmed, ErrorCode::MaskUntrimmed, "OS-MASK-2"),
        (off_grid("OS-MASK-7"), ErrorCode::MaskOffGrid, "OS-MASK-7"),
    ];
    for &(e, code, req) in cases {
        assert_eq!(e.code(), code);
        assert_eq!(e.requirement(), req);
        let text = e.to_string();
        assert!(text.starts_with(code.as_str()), "{text}");
        assert!(text.contains(req), "{text}");
    }
    // The decoders report which requirement failed.
    assert_eq!(decode_v1("x").unwrap_err().requirement(), "OS-MASK-1");
    assert_eq!(decode_v2(3, "oB==").unwrap_err().requirement(), "OS-MASK-5");
    assert_eq!(decode_v2(0, "").unwrap_err().requirement(), "OS-MASK-6");
    assert_eq!(decode_v2(3, "gIA=").unwrap_err().requirement(), "OS-MASK-5");
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

#[test]
fn room_trimming() {
    // OS-MASK-2: first and last bit set, in both profiles.
    for p in [Profile::V1, Profile::V2] {
        assert_eq!(validate_room(&m("0110"), p), Err(MaskError::Untrimmed));
        assert_eq!(validate_room(&m("1100"), p), Err(MaskError::Untrimmed));
        assert_eq!(validate_room(&m("0011"), p), Err(MaskError::Untrimmed));
        assert_eq!(validate_room(&m("000"), p), Err(MaskError::Untrimmed));
        assert_eq!(validate_room(&m("0"), p), Err(MaskError::Untrimmed));
        assert_eq!(validate_room(&m("01"), p), Err(MaskError::Untrimmed));
        // No position: mask-length, step 1 of §10.3 (OS-MASK-13).
        assert!(matches!(
            validate_room(&Mask::zeros(0), p),
            Err(MaskError::Length { .. })
        ));
        assert_eq!(validate_room(&m("1"), p), Ok(()));
        assert_eq!(validate_room(&m("1001"), p), Ok(()));
        // Word boundary: 65 bits, first and last (bit 64) set.
        assert_eq!(validate_room(&Mask::from_indices(65, [0, 64]), p), Ok(()));
        assert_eq!(
            validate_room(&Mask::from_indices(65, [0, 62]), p),
            Err(MaskError::Untrimmed)
        );
    }
    // One clear position after the last set one: the deployed app's ending
    // for an off-grid last slot, accepted in v1 only.
    for text in ["10", "110", "1010"] {
        assert_eq!(validate_room(&m(text), Profile::V1), Ok(()), "{text}");
        assert_eq!(
            validate_room(&m(text), Profile::V2),
            Err(MaskError::Untrimmed),
            "{text}"
        );
    }
    assert_eq!(
        validate_room(&Mask::from_indices(65, [0, 63]), Profile::V1),
        Ok(())
    );
    assert_eq!(
        validate_room(&Mask::from_indices(65, [0, 63]), Profile::V2),
        Err(MaskError::Untrimmed)
    );
}

#[test]
fn v1_off_grid_length_is_the_deployed_apps() {
    // OS-MASK-4, §10.2: ceil((last - start + 1800) / 1800), worked by hand.
    let case = |slots: &[i64], want: &str| {
        let (start, x) = room_mask_from_slots(slots, Profile::V1).unwrap();
        assert_eq!(start, slots[0]);
        assert_eq!(encode_v1(&x), want, "{slots:?}");
        assert_eq!(validate_room(&x, Profile::V1), Ok(()));
    };
    case(&[0, 900], "10");
    case(&[0, 2700], "110");
    case(&[0, 3600], "101");
    case(&[0, 1800, 5399], "1110");
    // Spec §10.4, Kathmandu 1986: 50 characters ending in `110`.
    case(
        &[504_847_800, 504_849_600, 504_933_300, 504_935_100],
        &format!("11{}110", "0".repeat(45)),
    );
    // v2 refuses all of them.
    assert!(matches!(
        room_mask_from_slots(&[0, 2700], Profile::V2),
        Err(MaskError::OffGrid { .. })
    ));
}

#[test]
fn v1_response_length() {
    // OS-MASK-3: same length as the room mask, whatever the bits.
    let room = m("1101");
    assert_eq!(validate_response_v1(&room, &m("0000")), Ok(()));
    assert_eq!(
        validate_response_v1(&room, &m("110")),
        Err(len_err("OS-MASK-3"))
    );
    assert_eq!(
        validate_response_v1(&room, &m("11011")),
        Err(len_err("OS-MASK-3"))
    );
}

// ---------------------------------------------------------------------------
// Slots
// ---------------------------------------------------------------------------

#[test]
fn room_from_slots_hand_examples() {
    // Offsets 0, 1800, 5400 -> indices 0, 1, 3 -> "1101".
    for p in [Profile::V1, Profile::V2] {
        let (start, x) = room_mask_from_slots(&[1000, 2800, 6400], p).unwrap();
        assert_eq!(start, 1000);
        assert_eq!(encode_v1(&x), "1101");
        // Unsorted input with duplicates: same set, same mask.
        let (start2, x2) = room_mask_from_slots(&[6400, 1000, 2800, 1000, 6400], p).unwrap();
        assert_eq!((start2, x2), (start, x.clone()));
        assert_eq!(slots_of(start, &x), vec![1000, 2800, 6400]);
        // Single slot: mask "1".
        assert_eq!(room_mask_from_slots(&[42], p).unwrap(), (42, m("1")));
        // No slot.
        assert_eq!(room_mask_from_slots(&[], p), Err(len_err("OS-MASK-4")));
    }
    // {0, 900, 3600}: 900 is off the grid. V1 floors 900/1800 = 0, so
    // indices {0, 0, 2} -> "101"; V2 refuses.
    let (start, x) = room_mask_from_slots(&[0, 900, 3600], Profile::V1).unwrap();
    assert_eq!((start, encode_v1(&x)), (0, "101".to_string()));
    assert_eq!(
        room_mask_from_slots(&[0, 900, 3600], Profile::V2),
        Err(off_grid("OS-MASK-4"))
    );
    // V1 off-grid last slot: 0 and 5399 -> index 2 (5399/1800 = 2.999), and
    // the length is ceil((5399 + 1800) / 1800) = 4 (OS-MASK-4) -> "1010".
    let (_, x) = room_mask_from_slots(&[0, 5399], Profile::V1).unwrap();
    assert_eq!(encode_v1(&x), "1010");
    // Negative instants work the same (offsets from the earliest slot).
    let (start, x) = room_mask_from_slots(&[-3600, 0], Profile::V2).unwrap();
    assert_eq!((start, encode_v1(&x)), (-3600, "101".to_string()));
}

#[test]
fn spec_worked_examples() {
    // Spec §10.4, v1: instants 1748851200, 1748853000, 1748937600, 1748939400
    // have offsets 0, 1800, 86400, 88200 -> indices 0, 1, 48, 49; length 50.
    let instants = [1_748_851_200, 1_748_853_000, 1_748_937_600, 1_748_939_400];
    let room_v1 = format!("11{}11", "0".repeat(46));
    for p in [Profile::V1, Profile::V2] {
        let (start, room) = room_mask_from_slots(&instants, p).unwrap();
        assert_eq!(start, 1_748_851_200);
        assert_eq!(encode_v1(&room), room_v1);
        assert_eq!(validate_room(&room, p), Ok(()));
        assert_eq!(slots_of(start, &room), instants.to_vec());
    }
    // The response at indices 1 and 48, same length.
    let resp_v1 = format!("01{}10", "0".repeat(46));
    let resp = decode_v1(&resp_v1).unwrap();
    assert_eq!(ones(&resp), vec![1, 48]);
    let room = decode_v1(&room_v1).unwrap();
    assert_eq!(validate_response_v1(&room, &resp), Ok(()));
    // v2: bytes c0 00 00 00 00 00 c0 -> "wAAAAAAAwA==", and the response
    // 40 00 00 00 00 00 80 -> "QAAAAAAAgA==".
    assert_eq!(encode_v2(&room), (50, "wAAAAAAAwA==".to_string()));
    assert_eq!(decode_v2(50, "wAAAAAAAwA==").unwrap(), room);
    assert_eq!(encode_v2(&resp), (50, "QAAAAAAAgA==".to_string()));
    assert_eq!(decode_v2(50, "QAAAAAAAgA==").unwrap(), resp);
    // Room update: the first slot is removed; start 1748853000, n = 49,
    // positions 0, 47, 48. The response (start 1748851200) is read with
    // k = -1: its positions 1 and 48 become room positions 0 and 47.
    let (start2, room2) = room_mask_from_slots(&instants[1..], Profile::V2).unwrap();
    assert_eq!(
        (start2, room2.len(), ones(&room2)),
        (1_748_853_000, 49, vec![0, 47, 48])
    );
    let moved = rebase(&resp, 1_748_851_200, start2, room2.len()).unwrap();
    assert_eq!(ones(&moved), vec![0, 47]);
    assert_eq!(aggregate(&room2, &[&moved]), {
        let mut c = vec![0; 49];
        c[0] = 1;
        c[47] = 1;
        c
    });
    // Had the response also marked position 0 (the removed slot), that bit
    // would map to -1 and be dropped.
    let resp0 = Mask::from_indices(50, [0, 1, 48]);
    assert_eq!(
        ones(&rebase(&resp0, 1_748_851_200, start2, 49).unwrap()),
        vec![0, 47]
    );
    // Off-grid slots (Kathmandu): offsets 0, 1800, 85500, 87300. V1 floors
    // 47.5 and 48.5 to 47 and 48, read back 15 minutes early, in
    // ceil(49.5) = 50 characters (the last clear); V2 refuses.
    let kathmandu = [504_847_800, 504_849_600, 504_933_300, 504_935_100];
    let (start, x) = room_mask_from_slots(&kathmandu, Profile::V1).unwrap();
    assert_eq!((x.len(), ones(&x)), (50, vec![0, 1, 47, 48]));
    assert_eq!(
        slots_of(start, &x),
        vec![504_847_800, 504_849_600, 504_932_400, 504_934_200]
    );
    assert_eq!(
        room_mask_from_slots(&kathmandu, Profile::V2),
        Err(off_grid("OS-MASK-4"))
    );
}

#[test]
fn room_from_slots_limits() {
    // OS-MASK-4 sets the writer's limits. V1: last index 65,534 -> 65,535
    // slots, the limit; one more is too many.
    let (_, x) = room_mask_from_slots(&[0, 65_534 * S], Profile::V1).unwrap();
    assert_eq!(x.len(), MAX_SLOTS_V1);
    assert_eq!(
        room_mask_from_slots(&[0, 65_535 * S], Profile::V1),
        Err(too_large("OS-MASK-4"))
    );
    // V2: last index 35,135 -> 35,136 slots; one more is too many.
    let (_, x) = room_mask_from_slots(&[0, 35_135 * S], Profile::V2).unwrap();
    assert_eq!(x.len(), MAX_SLOTS_V2);
    assert_eq!(
        room_mask_from_slots(&[0, 35_136 * S], Profile::V2),
        Err(too_large("OS-MASK-4"))
    );
    // V1 off the grid near the limit: 65,533 * 1800 + 1799 floors to
    // 65,533 and takes ceil(65,534.999...) = 65,535 positions, the limit;
    // 65,534 * 1800 + 1799 would take 65,536 (OS-MASK-4).
    let (_, x) = room_mask_from_slots(&[0, 65_533 * S + 1799], Profile::V1).unwrap();
    assert_eq!(x.len(), MAX_SLOTS_V1);
    assert_eq!(
        room_mask_from_slots(&[0, 65_534 * S + 1799], Profile::V1),
        Err(too_large("OS-MASK-4"))
    );
    // Spec §10.2 order: the grid (step 1) before the length (step 2).
    assert_eq!(
        room_mask_from_slots(&[0, 1, 35_136 * S], Profile::V2),
        Err(off_grid("OS-MASK-4"))
    );
}

#[test]
fn room_from_slots_extreme_instants() {
    for p in [Profile::V1, Profile::V2] {
        // The span i64::MAX - i64::MIN = 2^64 - 1 does not fit an i64. It
        // is 15 (mod 1800): off the grid in V2, too large in V1.
        let want = match p {
            Profile::V1 => too_large("OS-MASK-4"),
            Profile::V2 => off_grid("OS-MASK-4"),
        };
        assert_eq!(room_mask_from_slots(&[i64::MIN, i64::MAX], p), Err(want));
        assert_eq!(room_mask_from_slots(&[i64::MAX, i64::MIN, 0], p), Err(want));
        // On the grid but far too long: index 2^50.
        assert_eq!(
            room_mask_from_slots(&[i64::MIN, i64::MIN + S * (1 << 50)], p),
            Err(too_large("OS-MASK-4"))
        );
        assert_eq!(
            room_mask_from_slots(&[i64::MAX], p).unwrap(),
            (i64::MAX, m("1"))
        );
        assert_eq!(
            room_mask_from_slots(&[i64::MIN], p).unwrap(),
            (i64::MIN, m("1"))
        );
        // Two adjacent slots at the top of the range.
        assert_eq!(
            room_mask_from_slots(&[i64::MAX - S, i64::MAX], p).unwrap(),
            (i64::MAX - S, m("11"))
        );
    }
    // slots_of omits instants beyond i64::MAX (the tail) instead of wrapping.
    assert_eq!(
        slots_of(i64::MAX - S, &m("111")),
        vec![i64::MAX - S, i64::MAX]
    );
    assert_eq!(slots_of(i64::MAX, &m("11")), vec![i64::MAX]);
    assert_eq!(
        slots_of(i64::MIN, &m("101")),
        vec![i64::MIN, i64::MIN + 2 * S]
    );
    assert_eq!(slots_of(0, &Mask::zeros(10)), Vec::<i64>::new());
}

// ---------------------------------------------------------------------------
// Rebase
// ---------------------------------------------------------------------------

#[test]
fn rebase_hand_examples() {
    let room_start = 10_000;
    // Response starts one slot before the room: its bit i is room bit i - 1.
    // "1011" -> bit 0 falls off, bits 2, 3 -> 1, 2 -> "0110".
    assert_eq!(
        rebase(&m("1011"), room_start - S, room_start, 4).unwrap(),
        m("0110")
    );
    // One slot after: bit i -> i + 1; "1101" -> 1, 2, (4 dropped) -> "0110".
    assert_eq!(
        rebase(&m("1101"), room_start + S, room_start, 4).unwrap(),
        m("0110")
    );
    // Partial overlap: starts two slots in, six slots long -> only 2, 3 remain.
    assert_eq!(
        rebase(&m("111111"), room_start + 2 * S, room_start, 4).unwrap(),
        m("0011")
    );
    // Same start, longer response: truncated; shorter: zero-extended.
    assert_eq!(
        rebase(&m("101101"), room_start, room_start, 4).unwrap(),
        m("1011")
    );
    assert_eq!(
        rebase(&m("11"), room_start, room_start, 4).unwrap(),
        m("1100")
    );
    // Off the grid by 900 s, near or far.
    assert_eq!(
        rebase(&m("1"), room_start + 900, room_start, 4),
        Err(off_grid("OS-MASK-7"))
    );
    assert_eq!(
        rebase(&m("1"), room_start - 10_000 * S + 1, room_start, 4),
        Err(off_grid("OS-MASK-7"))
    );
    // Far away on the grid: nothing overlaps.
    assert_eq!(
        rebase(&m("1111"), room_start + 1000 * S, room_start, 4).unwrap(),
        m("0000")
    );
    assert_eq!(
        rebase(&m("1111"), room_start - 1000 * S, room_start, 4).unwrap(),
        m("0000")
    );
    // Exactly adjacent (no overlap): before and after.
    assert_eq!(
        rebase(&m("1111"), room_start - 4 * S, room_start, 4).unwrap(),
        m("0000")
    );
    assert_eq!(
        rebase(&m("1111"), room_start + 4 * S, room_start, 4).unwrap(),
        m("0000")
    );
    // Across word boundaries: a 130-bit response starting 64 slots before a
    // 70-slot room; bits 64, 65, 129 -> room bits 0, 1, 65.
    let r = Mask::from_indices(130, [3, 64, 65, 129]);
    assert_eq!(
        ones(&rebase(&r, room_start - 64 * S, room_start, 70).unwrap()),
        vec![0, 1, 65]
    );
    // ... and three slots after: bits 3, 64, 65 -> 6, 67, 68; 129 -> 132 is
    // beyond the room and dropped.
    assert_eq!(
        ones(&rebase(&r, room_start + 3 * S, room_start, 70).unwrap()),
        vec![6, 67, 68]
    );
    // Empty target.
    assert_eq!(
        rebase(&m("1"), room_start, room_start, 0).unwrap(),
        Mask::zeros(0)
    );
}

#[test]
fn rebase_extreme_instants() {
    // i64::MIN - i64::MAX = -(2^64 - 1), and 2^64 - 1 = 15 (mod 1800): off grid.
    assert_eq!(
        rebase(&m("1"), i64::MIN, i64::MAX, 4),
        Err(off_grid("OS-MASK-7"))
    );
    assert_eq!(
        rebase(&m("1"), i64::MAX, i64::MIN, 4),
        Err(off_grid("OS-MASK-7"))
    );
    // On the grid but 2^53-ish slots apart: no overlap, no overflow.
    let far = i64::MIN + 15;
    assert_eq!(rebase(&m("1"), far, i64::MAX, 4).unwrap(), Mask::zeros(4));
    assert_eq!(rebase(&m("1"), i64::MAX, far, 4).unwrap(), Mask::zeros(4));
}

// ---------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------

#[test]
fn aggregate_hand_example() {
    // Room offers slots 0, 2, 3 (not 1).
    let room = m("1011");
    // r1: same length, all set.
    let r1 = m("1111");
    // r2: longer: bits 1, 2, 4, 5; bits 4, 5 lie beyond the room.
    let r2 = m("011011");
    // r3: shorter: bits 0, 1; nothing at 2, 3.
    let r3 = m("11");
    // Slot 0: r1, r3 -> 2. Slot 1: not offered -> 0 (the deployed app would
    // say 3). Slot 2: r1, r2 -> 2. Slot 3: r1 -> 1.
    let want = vec![2, 0, 2, 1];
    assert_eq!(aggregate(&room, &[&r1, &r2, &r3]), want);
    assert_eq!(aggregate_naive(&room, &[&r1, &r2, &r3]), want);
    // No responses: all zero; empty room: empty.
    assert_eq!(aggregate(&room, &[]), vec![0, 0, 0, 0]);
    assert_eq!(aggregate(&Mask::zeros(0), &[&r1]), Vec::<u32>::new());
    // A room offering nothing counts nothing.
    assert_eq!(aggregate(&m("0000"), &[&r1, &r2]), vec![0, 0, 0, 0]);
}

#[test]
fn aggregate_many_identical() {
    // 1000 copies of an all-ones 200-slot response over a room offering the
    // even slots: 1000 at even positions, 0 at odd ones. 1000 responses span
    // several 240-response flushes.
    let room = Mask::from_indices(200, (0..200).step_by(2));
    let r = m(&"1".repeat(200));
    let rs: Vec<&Mask> = vec![&r; 1000];
    let got = aggregate(&room, &rs);
    for (i, c) in got.iter().enumerate() {
        assert_eq!(*c, if i % 2 == 0 { 1000 } else { 0 }, "slot {i}");
    }
}

#[test]
fn aggregate_counts_cross_every_plane_boundary() {
    // Response k (of m) sets the bits i >= m - k, so position i is counted by
    // the last min(i, m) responses: every count 0..=m occurs, and the counts
    // that cross 16, 32, 64 and 128 get their last increments from the final
    // (partial) group of each flush, whichever way it is added.
    let n = 520;
    let room = m(&"1".repeat(n));
    for total in (0..=40).chain(120..=140).chain(230..=260).chain(470..=490) {
        let rs: Vec<Mask> = (0..total)
            .map(|k| Mask::from_indices(n, (total - k).min(n)..n))
            .collect();
        let refs: Vec<&Mask> = rs.iter().collect();
        let want: Vec<u32> = (0..n).map(|i| i.min(total) as u32).collect();
        assert_eq!(aggregate(&room, &refs), want, "m = {total}");
        assert_eq!(aggregate_naive(&room, &refs), want, "m = {total}");
    }
}

#[test]
fn aggregate_large_room_blocks() {
    // A room longer than one 256-word block (16,384 slots), 17,520 slots.
    let n = 17_520;
    let room = Mask::from_indices(n, (0..n).filter(|i| i % 7 != 3));
    let rs: Vec<Mask> = (0..37)
        .map(|k| Mask::from_indices(n - k * 100, (0..n).filter(|i| (i * 31 + k * 17) % 5 < 2)))
        .collect();
    let refs: Vec<&Mask> = rs.iter().collect();
    assert_eq!(aggregate(&room, &refs), aggregate_naive(&room, &refs));
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

/// A deterministic pseudo-random mask: `len` bits, each set with probability
/// about `density / 8`.
fn pseudo_mask(len: usize, density: u8, seed: u64) -> Mask {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    Mask::from_indices(len, (0..len).filter(|_| (next() % 8) < u64::from(density)))
}

/// Lengths that exercise word boundaries.
fn mask_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        1usize..200,
        (0usize..4).prop_flat_map(|k| (64 * (k + 1) - 2)..(64 * (k + 1) + 3)),
    ]
}

fn bits(max: usize) -> impl Strategy<Value = Vec<bool>> {
    prop::collection::vec(any::<bool>(), 1..max)
}

proptest! {
    #[test]
    fn v1_round_trip(b in bits(400)) {
        let x = Mask::from_bools(&b);
        let s = encode_v1(&x);
        prop_assert_eq!(s.len(), b.len());
        prop_assert_eq!(decode_v1(&s).unwrap(), x);
    }

    #[test]
    fn v2_round_trip(b in bits(400)) {
        let x = Mask::from_bools(&b);
        let (n, s) = encode_v2(&x);
        prop_assert_eq!(n, b.len() as u64);
        prop_assert_eq!(decode_v2(n, &s).unwrap(), x);
    }

    #[test]
    fn v1_decode_arbitrary(s in prop_oneof![".*", "[01]{0,150}", "[01 a\u{e9}2/]{0,150}"]) {
        if let Ok(x) = decode_v1(&s) {
            prop_assert_eq!(x.len(), s.len());
            prop_assert_eq!(encode_v1(&x), s);
            prop_assert_eq!(x.words().len(), x.len().div_ceil(64));
        }
    }

    #[test]
    fn v2_decode_arbitrary(
        n in prop_oneof![0u64..80, any::<u64>()],
        b in prop_oneof!["[A-Za-z0-9+/=]{0,24}", "[AgQwoIE/8=_ -]{0,16}", ".*"],
    ) {
        if let Ok(x) = decode_v2(n, &b) {
            prop_assert_eq!(encode_v2(&x), (n, b));
        }
    }

    #[test]
    fn v2_decode_mutated(b in bits(100), pos in any::<prop::sample::Index>(),
                         c in prop::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ ".to_vec())) {
        // Change one character of a valid encoding: either it is refused or
        // it is the canonical encoding of the mask it decodes to.
        let (n, s) = encode_v2(&Mask::from_bools(&b));
        let mut bytes = s.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] = c;
        let s = String::from_utf8(bytes).unwrap();
        if let Ok(x) = decode_v2(n, &s) {
            prop_assert_eq!(encode_v2(&x), (n, s.clone()));
        }
        for n2 in [n.saturating_sub(1), n + 1, n + 8] {
            if let Ok(x) = decode_v2(n2, &s) {
                prop_assert_eq!(encode_v2(&x), (n2, s.clone()));
            }
        }
    }

    #[test]
    fn aggregate_matches_naive(
        room_len in prop_oneof![
            4 => mask_len(),
            // Around the aggregation's block sizes (4 and 16 words).
            1 => 1015usize..1035,
            1 => 1275usize..1285,
            1 => 1usize..3000,
        ],
        room_density in 0u8..=8,
        room_seed in any::<u64>(),
        // Around the 16-response groups and the 240-response flushes.
        count in prop_oneof![0usize..300, 7usize..10, 14usize..19, 238usize..244, 478usize..483],
        len_mode in 0u8..3,
        len_delta in -70i64..70,
        density in 0u8..=8,
        seed in any::<u64>(),
    ) {
        let room = pseudo_mask(room_len, room_density, room_seed);
        let rs: Vec<Mask> = (0..count)
            .map(|k| {
                let k64 = k as u64;
                let s = seed.wrapping_add(k64.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                // All responses share one length and density, or each gets
                // its own around the room's length, or anywhere in 0..2n.
                let (len, dens) = match len_mode {
                    0 => ((room_len as i64 + len_delta).max(0) as usize, density),
                    1 => (
                        (room_len as i64 + (s % 141) as i64 - 70).max(0) as usize,
                        (s >> 8) as u8 % 9,
                    ),
                    _ => ((s % (2 * room_len as u64 + 1)) as usize, (s >> 8) as u8 % 9),
                };
                pseudo_mask(len, dens, s)
            })
            .collect();
        let refs: Vec<&Mask> = rs.iter().collect();
        prop_assert_eq!(aggregate(&room, &refs), aggregate_naive(&room, &refs));
    }

    #[test]
    fn rebase_is_a_shift(
        b in prop::collection::vec(any::<bool>(), 0..300),
        shift in -350i64..350,
        to_len in 0usize..300,
        to_start in -1_000_000_000i64..1_000_000_000,
    ) {
        let x = Mask::from_bools(&b);
        let got = rebase(&x, to_start + shift * S, to_start, to_len).unwrap();
        let want: Vec<usize> = x
            .iter_ones()
            .map(|i| i as i64 + shift)
            .filter(|&j| j >= 0 && (j as usize) < to_len)
            .map(|j| j as usize)
            .collect();
        prop_assert_eq!(got.len(), to_len);
        prop_assert_eq!(ones(&got), want.clone());
        prop_assert_eq!(got, Mask::from_indices(to_len, want));
        // Off the grid by any non-multiple of 1800 s.
        let off = 1 + (shift.rem_euclid(1799));
        prop_assert_eq!(rebase(&x, to_start + shift * S + off, to_start, to_len),
                        Err(off_grid("OS-MASK-7")));
    }

    #[test]
    fn slots_round_trip_v2(
        start in -1_000_000_000_000i64..1_000_000_000_000,
        idx in prop::collection::vec(0i64..3000, 1..50),
    ) {
        let slots: Vec<i64> = idx.iter().map(|i| start + i * S).collect();
        let (s0, x) = room_mask_from_slots(&slots, Profile::V2).unwrap();
        prop_assert_eq!(validate_room(&x, Profile::V2), Ok(()));
        let mut want = slots.clone();
        want.sort_unstable();
        want.dedup();
        prop_assert_eq!(s0, want[0]);
        prop_assert_eq!(slots_of(s0, &x), want.clone());
        // V1 agrees on grid-aligned input.
        prop_assert_eq!(room_mask_from_slots(&slots, Profile::V1).unwrap(), (s0, x));
    }

    #[test]
    fn room_from_slots_never_panics(slots in prop::collection::vec(any::<i64>(), 0..8)) {
        for p in [Profile::V1, Profile::V2] {
            if let Ok((start, x)) = room_mask_from_slots(&slots, p) {
                prop_assert_eq!(validate_room(&x, p), Ok(()));
                prop_assert_eq!(Some(&start), slots.iter().min());
            }
        }
    }

    #[test]
    fn bitset_invariants(len in 0usize..300, idx in prop::collection::vec(0usize..400, 0..50)) {
        let x = Mask::from_indices(len, idx.iter().copied());
        let mut want: Vec<usize> = idx.into_iter().filter(|&i| i < len).collect();
        want.sort_unstable();
        want.dedup();
        prop_assert_eq!(ones(&x), want.clone());
        prop_assert_eq!(x.count_ones(), want.len());
        prop_assert_eq!(x.first_one(), want.first().copied());
        prop_assert_eq!(x.last_one(), want.last().copied());
        prop_assert_eq!(x.words().len(), len.div_ceil(64));
        if len % 64 != 0 {
            let last = x.words().last().copied().unwrap_or(0);
            prop_assert_eq!(last >> (len % 64), 0);
        }
    }
}
