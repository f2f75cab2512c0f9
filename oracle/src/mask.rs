//! Masks (spec §10): reading v1 and v2 masks in the order of §10.3
//! (OS-MASK-1, -2, -5, -6), writing a room mask from slot instants (§10.2,
//! OS-MASK-4), a response's bits from chosen slots (OS-MASK-10), and the
//! availability of a response in room coordinates (OS-MASK-3, -7, -8, -9).
//!
//! Masks are plain `Vec<bool>`, position 0 first, read one bit at a time;
//! v2 bytes are most significant bit first (OS-MASK-5).

use crate::{Fail, Profile, SLOT_SECONDS};

/// The longest v1 mask in characters (OS-MASK-1).
pub const MAX_V1: usize = 65_535;
/// The largest v2 `n` (OS-MASK-6): 2 × 366 × 48.
pub const MAX_V2: usize = 35_136;

/// The limit of a profile (OS-MASK-4).
pub const fn limit(profile: Profile) -> usize {
    match profile {
        Profile::V1 => MAX_V1,
        Profile::V2 => MAX_V2,
    }
}

/// Reads a v1 mask, steps 1 to 3 of §10.3 (OS-MASK-1).
pub fn read_v1(s: &str) -> Result<Vec<bool>, Fail> {
    if s.is_empty() {
        return Err(("mask-length", "OS-MASK-1"));
    }
    if s.len() > MAX_V1 {
        return Err(("mask-too-large", "OS-MASK-1"));
    }
    s.bytes()
        .map(|c| match c {
            b'0' => Ok(false),
            b'1' => Ok(true),
            _ => Err(("mask-encoding", "OS-MASK-1")),
        })
        .collect()
}

/// Reads a v2 mask `{n, b}`, steps 1 to 4 of §10.3 (OS-MASK-5, OS-MASK-6).
pub fn read_v2(n: i128, b: &str) -> Result<Vec<bool>, Fail> {
    if n < 1 {
        return Err(("mask-length", "OS-MASK-6"));
    }
    if n > MAX_V2 as i128 {
        return Err(("mask-too-large", "OS-MASK-6"));
    }
    let n = n as usize;
    let bytes = crate::base64::decode(b).ok_or(("mask-encoding", "OS-MASK-5"))?;
    if bytes.len() != n.div_ceil(8) {
        return Err(("mask-length", "OS-MASK-5"));
    }
    let bit = |i: usize| (bytes[i / 8] >> (7 - i % 8)) & 1 == 1;
    if (n..bytes.len() * 8).any(bit) {
        return Err(("mask-trailing-bits", "OS-MASK-5"));
    }
    Ok((0..n).map(bit).collect())
}

/// OS-MASK-2: the first position of a room mask is set, and it ends in a
/// set position, or in v1 also in a set position followed by one clear one
/// (`…10`, the deployed app's mask for an off-grid last slot).
pub fn trimmed(profile: Profile, bits: &[bool]) -> Result<(), Fail> {
    match (profile, bits) {
        (_, [true]) | (_, [true, .., true]) => Ok(()),
        (Profile::V1, [true, false]) | (Profile::V1, [true, .., true, false]) => Ok(()),
        _ => Err(("mask-untrimmed", "OS-MASK-2")),
    }
}

/// OS-MASK-12, in the order of §10.3 (OS-MASK-13): a writer's check of the
/// mask it is given as positions. No position: `mask-length`; longer than
/// the profile's limit: `mask-too-large`; then, for a room mask, the trim
/// check (OS-MASK-2).
pub fn writable(profile: Profile, room: bool, bits: &[bool]) -> Result<(), Fail> {
    if bits.is_empty() {
        return Err(("mask-length", "OS-MASK-12"));
    }
    if bits.len() > limit(profile) {
        return Err(("mask-too-large", "OS-MASK-12"));
    }
    if room { trimmed(profile, bits) } else { Ok(()) }
}

/// The v1 text of bits (OS-MASK-1).
pub fn encode_v1(bits: &[bool]) -> String {
    bits.iter().map(|&b| if b { '1' } else { '0' }).collect()
}

/// The v2 `(n, b)` of bits (OS-MASK-5), most significant bit first.
pub fn encode_v2(bits: &[bool]) -> (usize, String) {
    let mut bytes = vec![0u8; bits.len().div_ceil(8)];
    for (i, _) in bits.iter().enumerate().filter(|(_, b)| **b) {
        bytes[i / 8] |= 0x80 >> (i % 8);
    }
    (bits.len(), crate::base64::encode(&bytes))
}

/// Bits of length `n` with exactly the positions `set` set (positions at or
/// beyond `n` are ignored).
pub fn from_indices(n: usize, set: impl IntoIterator<Item = usize>) -> Vec<bool> {
    let mut bits = vec![false; n];
    for i in set {
        if let Some(b) = bits.get_mut(i) {
            *b = true;
        }
    }
    bits
}

/// §10.2: the start and the room mask of a set of slot instants (any order,
/// repeats ignored). v1 floors an offset off the grid and sizes the mask as
/// ceil((last − start + 1800) / 1800); v2 refuses an offset off the grid
/// with `mask-off-grid` (OS-MASK-4). No instant: `mask-length`.
pub fn room_from_slots(profile: Profile, slots: &[i64]) -> Result<(i64, Vec<bool>), Fail> {
    let start = *slots.iter().min().ok_or(("mask-length", "OS-MASK-4"))?;
    let mut indices = Vec::with_capacity(slots.len());
    for &t in slots {
        let offset = i128::from(t) - i128::from(start);
        let slot = i128::from(SLOT_SECONDS);
        if profile == Profile::V2 && offset % slot != 0 {
            return Err(("mask-off-grid", "OS-MASK-4"));
        }
        indices.push(offset / slot);
    }
    let last_slot = slots.iter().copied().max().unwrap_or(start);
    let span = i128::from(last_slot) - i128::from(start) + i128::from(SLOT_SECONDS);
    // The number of positions: ceil(span / 1800) (span > 0).
    let n = (span + i128::from(SLOT_SECONDS) - 1) / i128::from(SLOT_SECONDS);
    if n > limit(profile) as i128 {
        return Err(("mask-too-large", "OS-MASK-4"));
    }
    let n = n as usize;
    Ok((start, from_indices(n, indices.iter().map(|&i| i as usize))))
}

/// The instants of the set positions: `start + i × 1800` (§10.1).
pub fn slots_of(start: i64, bits: &[bool]) -> Vec<i64> {
    bits.iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .filter_map(|(i, _)| {
            i64::try_from(i)
                .ok()
                .and_then(|i| i.checked_mul(SLOT_SECONDS))
                .and_then(|o| start.checked_add(o))
        })
        .collect()
}

/// OS-MASK-10: a response's bits in room coordinates, set at exactly the
/// chosen offered slots. A chosen instant the room does not offer:
/// `mask-off-grid`.
pub fn choose(room_start: i64, room: &[bool], chosen: &[i64]) -> Result<Vec<bool>, Fail> {
    let mut out = vec![false; room.len()];
    for &t in chosen {
        let offset = i128::from(t) - i128::from(room_start);
        let slot = i128::from(SLOT_SECONDS);
        let index = (offset % slot == 0 && offset >= 0)
            .then(|| usize::try_from(offset / slot).ok())
            .flatten();
        match index {
            Some(i) if room.get(i) == Some(&true) => out[i] = true,
            _ => return Err(("mask-off-grid", "OS-MASK-10")),
        }
    }
    Ok(out)
}

/// §10.3, availability: the response's bits moved into room coordinates
/// (`j = i + (response start − room start) / 1800`), bits outside the room
/// dropped (OS-MASK-7). An offset off the grid: `mask-off-grid`.
pub fn rebase(
    response: &[bool],
    response_start: i64,
    room_start: i64,
    room_len: usize,
) -> Result<Vec<bool>, Fail> {
    let offset = i128::from(response_start) - i128::from(room_start);
    let slot = i128::from(SLOT_SECONDS);
    if offset % slot != 0 {
        return Err(("mask-off-grid", "OS-MASK-7"));
    }
    let k = offset / slot;
    Ok((0..room_len)
        .map(|j| {
            let i = j as i128 - k;
            i >= 0 && usize::try_from(i).is_ok_and(|i| response.get(i) == Some(&true))
        })
        .collect())
}

/// OS-MASK-11: the response in room coordinates, as the adapter protocol's
/// `rebase` gives it: [`rebase`], then only the positions the room offers.
pub fn in_room(
    room: &[bool],
    response: &[bool],
    response_start: i64,
    room_start: i64,
) -> Result<Vec<bool>, Fail> {
    let moved = rebase(response, response_start, room_start, room.len())?;
    Ok(moved.iter().zip(room).map(|(a, b)| *a && *b).collect())
}

/// §10.3: the room slots a response makes its author available at: room
/// positions set in both (OS-MASK-9), as instants. `response_start` is
/// `None` in v1 (the room's start); a v1 response must have the room mask's
/// length (OS-MASK-3).
pub fn available(
    room_start: i64,
    room: &[bool],
    response_start: Option<i64>,
    response: &[bool],
) -> Result<Vec<i64>, Fail> {
    if response_start.is_none() && response.len() != room.len() {
        return Err(("mask-length", "OS-MASK-3"));
    }
    let moved = rebase(
        response,
        response_start.unwrap_or(room_start),
        room_start,
        room.len(),
    )?;
    let both: Vec<bool> = moved.iter().zip(room).map(|(a, b)| *a && *b).collect();
    Ok(slots_of(room_start, &both))
}

/// OS-MASK-8, OS-MASK-9: per room position, the number of responses (in
/// room coordinates) set there; 0 where the room offers nothing.
pub fn aggregate(room: &[bool], responses: &[Vec<bool>]) -> Vec<u32> {
    room.iter()
        .enumerate()
        .map(|(i, &offered)| {
            if offered {
                responses.iter().filter(|r| r.get(i) == Some(&true)).count() as u32
            } else {
                0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Spec §8.4 and §10.4: the room of §9.4 and its v2 mask.
    #[test]
    fn the_spec_examples() {
        let o = format!("11{}11", "0".repeat(46));
        let bits = read_v1(&o).unwrap();
        assert_eq!(encode_v2(&bits), (50, "wAAAAAAAwA==".to_owned()));
        assert_eq!(read_v2(50, "wAAAAAAAwA==").unwrap(), bits);
        assert_eq!(read_v2(50, "wAAAAAAAwB==").unwrap_err().0, "mask-encoding");
        assert_eq!(
            read_v2(49, "wAAAAAAAwA==").unwrap_err().0,
            "mask-trailing-bits"
        );
        // Kathmandu: 85500 s is 47.5 slots: floored in v1, refused in v2;
        // v1's length is ceil((87300 + 1800) / 1800) = 50, ending in `110`.
        let slots = [504_847_800, 504_849_600, 504_933_300, 504_935_100];
        let (start, v1) = room_from_slots(Profile::V1, &slots).unwrap();
        assert_eq!(
            (start, encode_v1(&v1)),
            (504_847_800, format!("11{}110", "0".repeat(45)))
        );
        // §10.2's hand-worked cases (the deployed app's buildSlotMask).
        for (slots, want) in [
            (vec![0, 900], "10"),
            (vec![0, 2700], "110"),
            (vec![0, 3600], "101"),
        ] {
            let (_, bits) = room_from_slots(Profile::V1, &slots).unwrap();
            assert_eq!(encode_v1(&bits), want);
            assert!(trimmed(Profile::V1, &bits).is_ok());
        }
        assert!(trimmed(Profile::V2, &read_v1("110").unwrap()).is_err());
        assert!(trimmed(Profile::V1, &read_v1("100").unwrap()).is_err());
        assert!(trimmed(Profile::V1, &read_v1("0").unwrap()).is_err());
        assert_eq!(
            room_from_slots(Profile::V2, &slots).unwrap_err().0,
            "mask-off-grid"
        );
        assert_eq!(
            available(
                0,
                &read_v1("1101").unwrap(),
                Some(1800),
                &read_v1("111").unwrap()
            )
            .unwrap(),
            vec![1800, 5400]
        );
    }
}
