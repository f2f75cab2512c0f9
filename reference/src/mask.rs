//! Availability masks (spec §10): which of a room's candidate 30-minute slots
//! a room offers, or a participant is available for.
//!
//! A room offers slots on a grid of [`SLOT_SECONDS`] (1800 s) from its `start`
//! instant. A [`Mask`] is a bit string over that grid: bit `i` stands for the
//! slot starting at `start + i * 1800`. The spec defines two wire encodings:
//!
//! * **v1** ([`decode_v1`], [`encode_v1`]): the deployed web app's format, a
//!   string of `'0'`/`'1'` characters, one per slot (OS-MASK-1). The deployed
//!   app reads any other character as `0`; a conforming decoder rejects it.
//! * **v2** ([`decode_v2`], [`encode_v2`]): bit-packed, most significant bit
//!   first (slot `i` is bit `7 - i % 8` of byte `i / 8`), carried as a slot
//!   count `n` and the canonical padded standard base64 of the `ceil(n / 8)`
//!   bytes (OS-MASK-5, OS-MASK-6).
//!
//! Room masks are trimmed (OS-MASK-2, [`validate_room`]); v1 responses have the
//! room mask's length (OS-MASK-3, [`validate_response_v1`]); room masks are
//! built from slot instants with [`room_mask_from_slots`] (OS-MASK-4); v2
//! responses carry their own start and are mapped onto the room's grid with
//! [`rebase`] (OS-MASK-7); and [`aggregate`] counts, per offered slot, how many
//! responses are available (OS-MASK-8), without the deployed app's over-count
//! of bits beyond the room or at slots the room does not offer (OS-MASK-9).
//!
//! Every function here is total on its inputs: malformed input yields a
//! [`MaskError`], never a panic, and all instant arithmetic is checked.

use base64::Engine as _;

use crate::cipher::base64_engine;
use crate::error::{ErrorCode, SpecError};
use crate::{Profile, SLOT_SECONDS};

/// The largest v1 mask, in slots (OS-MASK-1): a longer `'0'`/`'1'` string
/// could not fit NIP-44's 65,535-byte plaintext anyway.
pub const MAX_SLOTS_V1: usize = 65_535;

/// The largest v2 mask, in slots (OS-MASK-6): two leap years of 30-minute
/// slots (2 × 366 × 48 = 35,136).
pub const MAX_SLOTS_V2: usize = 35_136;

const REQ_1: &str = "OS-MASK-1";
const REQ_3: &str = "OS-MASK-3";
const REQ_4: &str = "OS-MASK-4";
const REQ_5: &str = "OS-MASK-5";
const REQ_6: &str = "OS-MASK-6";
const REQ_7: &str = "OS-MASK-7";

/// Why a mask was rejected.
///
/// Each variant maps to one spec error code ([`SpecError::code`]); variants
/// that more than one requirement can produce carry the ID of the requirement
/// whose check failed, which [`SpecError::requirement`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MaskError {
    /// `mask-encoding`: a v1 mask has a character other than `'0'`/`'1'`
    /// (`OS-MASK-1`), or a v2 mask's `b` is not canonical padded standard
    /// base64 (`OS-MASK-5`).
    #[error("mask-encoding: the mask is not in its canonical encoding ({requirement})")]
    Encoding {
        /// `"OS-MASK-1"` (v1 decode) or `"OS-MASK-5"` (v2 decode).
        requirement: &'static str,
    },
    /// `mask-length`: an empty v1 mask (`OS-MASK-1`), a v1 response whose
    /// length differs from the room mask's (`OS-MASK-3`), an empty slot list
    /// (`OS-MASK-4`), a v2 byte count other than `ceil(n / 8)` (`OS-MASK-5`),
    /// or a v2 slot count of zero (`OS-MASK-6`).
    #[error("mask-length: the mask's length is not the one required ({requirement})")]
    Length {
        /// `"OS-MASK-1"`, `"OS-MASK-3"`, `"OS-MASK-4"`, `"OS-MASK-5"` or `"OS-MASK-6"`.
        requirement: &'static str,
    },
    /// `mask-trailing-bits`: a v2 mask sets bits at positions `>= n` in its
    /// last byte (`OS-MASK-5`).
    #[error("mask-trailing-bits: the v2 mask sets bits beyond its slot count (OS-MASK-5)")]
    TrailingBits,
    /// `mask-too-large`: a v1 mask longer than [`MAX_SLOTS_V1`] (`OS-MASK-1`)
    /// or a v2 mask longer than [`MAX_SLOTS_V2`] (`OS-MASK-6`) read by a
    /// decoder, or a room mask built from slot instants that would exceed the
    /// profile's limit (`OS-MASK-4`).
    #[error("mask-too-large: the mask exceeds the profile's slot limit ({requirement})")]
    TooLarge {
        /// `"OS-MASK-1"` (v1 decode), `"OS-MASK-6"` (v2 decode) or
        /// `"OS-MASK-4"` (building a room mask).
        requirement: &'static str,
    },
    /// `mask-untrimmed`: a room mask whose first or last bit is clear, or
    /// which has no bit at all (`OS-MASK-2`).
    #[error("mask-untrimmed: a room mask must start and end with an offered slot (OS-MASK-2)")]
    Untrimmed,
    /// `mask-off-grid`: a v2 slot instant (`OS-MASK-4`) or a v2 response's
    /// start (`OS-MASK-7`) is not a multiple of 1800 s away from the room's
    /// start.
    #[error("mask-off-grid: an instant is not on the room's 1800-second grid ({requirement})")]
    OffGrid {
        /// `"OS-MASK-4"` (slot list) or `"OS-MASK-7"` (rebase).
        requirement: &'static str,
    },
}

impl SpecError for MaskError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Encoding { .. } => ErrorCode::MaskEncoding,
            Self::Length { .. } => ErrorCode::MaskLength,
            Self::TrailingBits => ErrorCode::MaskTrailingBits,
            Self::TooLarge { .. } => ErrorCode::MaskTooLarge,
            Self::Untrimmed => ErrorCode::MaskUntrimmed,
            Self::OffGrid { .. } => ErrorCode::MaskOffGrid,
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Encoding { requirement }
            | Self::Length { requirement }
            | Self::TooLarge { requirement }
            | Self::OffGrid { requirement } => requirement,
            Self::TrailingBits => REQ_5,
            Self::Untrimmed => "OS-MASK-2",
        }
    }
}

// ---------------------------------------------------------------------------
// The bitset
// ---------------------------------------------------------------------------

/// A fixed-length bit string: bit `i` stands for slot `start + i * 1800` of
/// whatever grid the caller pairs it with.
///
/// Bits are stored in `u64` words, bit `i` in word `i / 64` at bit `i % 64`
/// (least significant first); only the wire encodings fix a bit order. The
/// unused high bits of the last word are always zero, an invariant every
/// constructor and mutator keeps, so the derived equality and hash compare
/// exactly the `len` bits.
#[derive(Clone, PartialEq, Eq, Debug, Hash, Default)]
pub struct Mask {
    len: usize,
    words: Vec<u64>,
}

/// The bits of the last word of a `len`-bit mask that are in use.
fn last_word_mask(len: usize) -> u64 {
    match len % 64 {
        0 => u64::MAX,
        r => (1u64 << r) - 1,
    }
}

impl Mask {
    /// A mask of `len` clear bits. (Allocates `len / 8` bytes: bounding `len`
    /// is the caller's business.)
    pub fn zeros(len: usize) -> Self {
        Self {
            len,
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// A mask of `len` bits with exactly the given bits set. Indices `>= len`
    /// are ignored; repeated indices are harmless.
    pub fn from_indices(len: usize, indices: impl IntoIterator<Item = usize>) -> Self {
        let mut m = Self::zeros(len);
        for i in indices {
            m.set(i, true);
        }
        m
    }

    /// A mask with one bit per element of `bits` (bit `i` set iff `bits[i]`).
    pub fn from_bools(bits: &[bool]) -> Self {
        Self::from_indices(
            bits.len(),
            bits.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| i),
        )
    }

    /// The number of bits (slots) of the mask.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mask has no bit at all (not: no bit set).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i`; `false` for `i >= len`.
    pub fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| (w >> (i % 64)) & 1 == 1)
    }

    /// Sets bit `i` to `value`. Returns `false`, changing nothing, when
    /// `i >= len`.
    pub fn set(&mut self, i: usize, value: bool) -> bool {
        if i >= self.len {
            return false;
        }
        match self.words.get_mut(i / 64) {
            Some(w) => {
                let bit = 1u64 << (i % 64);
                if value {
                    *w |= bit;
                } else {
                    *w &= !bit;
                }
                true
            }
            None => false,
        }
    }

    /// The number of set bits.
    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The indices of the set bits, in increasing order.
    pub fn iter_ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(wi, &word)| WordOnes {
                word,
                base: wi * 64,
            })
    }

    /// The lowest set bit, if any.
    pub fn first_one(&self) -> Option<usize> {
        self.words
            .iter()
            .enumerate()
            .find(|(_, w)| **w != 0)
            .map(|(wi, w)| wi * 64 + w.trailing_zeros() as usize)
    }

    /// The highest set bit, if any.
    pub fn last_one(&self) -> Option<usize> {
        self.words
            .iter()
            .enumerate()
            .rev()
            .find(|(_, w)| **w != 0)
            .map(|(wi, w)| wi * 64 + 63 - w.leading_zeros() as usize)
    }

    /// The storage words: `ceil(len / 64)` of them, bit `i` at bit `i % 64` of
    /// word `i / 64`, unused high bits of the last word zero.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The bits set in both masks, as a mask of `self.len()` bits: bits of
    /// `other` beyond `self.len()` are ignored, and `other` shorter than
    /// `self` counts as clear where it has no bits.
    pub fn intersect(&self, other: &Mask) -> Mask {
        let mut words = self.words.clone();
        for (i, w) in words.iter_mut().enumerate() {
            *w &= other.words.get(i).copied().unwrap_or(0);
        }
        Mask {
            len: self.len,
            words,
        }
    }

    /// A mask of `len` bits from storage words in the layout of
    /// [`Mask::words`]. Missing words count as zero; surplus words and bits
    /// at positions `>= len` are dropped.
    pub fn from_words(len: usize, mut words: Vec<u64>) -> Self {
        words.resize(len.div_ceil(64), 0);
        if let Some(last) = words.last_mut() {
            *last &= last_word_mask(len);
        }
        Self { len, words }
    }
}

/// The set bits of one word, offset by `base`.
struct WordOnes {
    word: u64,
    base: usize,
}

impl Iterator for WordOnes {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.word == 0 {
            return None;
        }
        let tz = self.word.trailing_zeros() as usize;
        self.word &= self.word - 1;
        Some(self.base + tz)
    }
}

// ---------------------------------------------------------------------------
// v1: '0'/'1' strings
// ---------------------------------------------------------------------------

const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
/// Characters per block of [`decode_v1`]: 512 characters are 8 words.
const V1_BLOCK: usize = 512;

/// Gathers bit 0 of each byte of `x` (bits 0, 8, …, 56, all other bits
/// clear) into the low byte: bit 8k moves to bit k. Three shift-or steps,
/// each doubling the run of gathered bits; no multiply, so it vectorises on
/// every x86-64 (SSE2 has no 64-bit lane multiply).
#[inline(always)]
fn gather_low_bits(x: u64) -> u8 {
    let x = x | (x >> 7);
    let x = x | (x >> 14);
    let x = x | (x >> 28);
    x as u8
}

/// Spreads the bits of `b` over the low bits of the bytes of a word (bit k
/// to bit 8k), the inverse of [`gather_low_bits`], in three shift-and-mask
/// steps.
#[inline(always)]
fn spread_bits(b: u8) -> u64 {
    let x = u64::from(b);
    let x = (x | (x << 28)) & 0x0000_000F_0000_000F;
    let x = (x | (x << 14)) & 0x0003_0003_0003_0003;
    (x | (x << 7)) & LOW_BITS
}

/// Packs 512 characters into 64 bytes (characters `8j .. 8j + 8` into byte
/// `j`, character `8j + k` into bit `k`) and ORs into `bad` every bit of
/// every character that is neither `'0'` nor `'1'`. The loop is over 64
/// independent 8-character groups, which LLVM vectorises.
#[inline(always)]
fn pack_block(chars: &[u8; V1_BLOCK], bad: &mut u64) -> [u8; 64] {
    let mut packed = [0u8; 64];
    let mut acc = 0u64;
    for (dst, c8) in packed.iter_mut().zip(chars.as_chunks::<8>().0) {
        let x = u64::from_le_bytes(*c8) ^ ASCII_ZEROS;
        // Each byte is now 0 or 1 iff the character was '0' or '1'.
        acc |= x & !LOW_BITS;
        *dst = gather_low_bits(x & LOW_BITS);
    }
    *bad |= acc;
    packed
}

/// Decodes a v1 mask: a string of `'0'`/`'1'` characters, one per slot.
///
/// Errors, checked in this order: empty → `Length` (OS-MASK-1); more than
/// [`MAX_SLOTS_V1`] bytes → `TooLarge` (OS-MASK-1); any byte other than `'0'`
/// or `'1'` → `Encoding` (OS-MASK-1). (The length limit counts UTF-8 bytes;
/// the only conforming characters are one byte each, so for a string that can
/// succeed bytes and characters coincide.)
///
/// Runs on blocks of 512 characters, 8 at a time: one XOR against
/// `"00000000"` leaves 0/1 in each byte of a conforming group, the other bits
/// accumulate branch-free into one error word checked once at the end, and
/// three shift-or steps gather the eight low bits into one byte. Everything
/// is straight-line over fixed-size arrays, so LLVM vectorises it.
pub fn decode_v1(s: &str) -> Result<Mask, MaskError> {
    let bytes = s.as_bytes();
    let len = bytes.len();
    if len == 0 {
        return Err(MaskError::Length { requirement: REQ_1 });
    }
    if len > MAX_SLOTS_V1 {
        return Err(MaskError::TooLarge { requirement: REQ_1 });
    }
    let mut words = Vec::with_capacity(len.div_ceil(V1_BLOCK) * 8);
    let mut bad = 0u64;
    let push = |words: &mut Vec<u64>, packed: [u8; 64]| {
        words.extend(
            packed
                .as_chunks::<8>()
                .0
                .iter()
                .map(|b| u64::from_le_bytes(*b)),
        );
    };
    let (blocks, tail) = bytes.as_chunks::<V1_BLOCK>();
    for block in blocks {
        push(&mut words, pack_block(block, &mut bad));
    }
    if !tail.is_empty() {
        // Pad with '0': the padding decodes to clear bits (keeping the
        // unused-bits invariant) and never trips the character check.
        let mut a = [b'0'; V1_BLOCK];
        if let Some(dst) = a.get_mut(..tail.len()) {
            dst.copy_from_slice(tail);
        }
        push(&mut words, pack_block(&a, &mut bad));
    }
    if bad != 0 {
        return Err(MaskError::Encoding { requirement: REQ_1 });
    }
    words.truncate(len.div_ceil(64));
    Ok(Mask { len, words })
}

/// Encodes a mask in v1: one `'0'`/`'1'` character per bit. Total; an empty
/// mask gives `""` (which [`decode_v1`] rejects: not encoding empty masks is
/// the caller's business).
///
/// Eight characters per byte of the storage words, by spreading its bits
/// over the bytes of a word (three shift-and-mask steps) and an OR with
/// `"00000000"`, into one byte buffer; the result is ASCII, which the final
/// UTF-8 check confirms in one vectorised pass.
pub fn encode_v1(m: &Mask) -> String {
    let mut out = vec![0u8; m.words.len() * 64];
    for (chars, &w) in out.as_chunks_mut::<64>().0.iter_mut().zip(&m.words) {
        for (c8, b) in chars.as_chunks_mut::<8>().0.iter_mut().zip(w.to_le_bytes()) {
            *c8 = (spread_bits(b) | ASCII_ZEROS).to_le_bytes();
        }
    }
    out.truncate(m.len);
    // Only '0' and '1' were written, so this cannot fail.
    String::from_utf8(out).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// v2: {"n": .., "b": base64}
// ---------------------------------------------------------------------------

/// Decodes a v2 mask: `n` slots, `b` the canonical padded standard base64 of
/// the `ceil(n / 8)` bytes, most significant bit first.
///
/// Errors, checked in this order: `n == 0` → `Length` (OS-MASK-6);
/// `n >` [`MAX_SLOTS_V2`] → `TooLarge` (OS-MASK-6), before `b` is looked at,
/// so a huge `n` costs nothing; `b` not canonical standard base64 with padding
/// (URL-safe characters, whitespace, missing or misplaced padding, non-zero
/// unused bits in the last character) → `Encoding` (OS-MASK-5); decoded byte
/// count other than `ceil(n / 8)` → `Length` (OS-MASK-5); bits at positions
/// `>= n` set → `TrailingBits` (OS-MASK-5).
///
/// The base64 is decoded with the payload engine (`cipher`'s, vectorised
/// where the CPU allows, the same strictness as the `STANDARD` engine) into
/// one buffer sized from `b`'s length; the bits of each byte are then
/// reversed in place (MSB-first to LSB-first, a loop LLVM vectorises) and
/// the bytes read eight at a time as little-endian words.
pub fn decode_v2(n: u64, b: &str) -> Result<Mask, MaskError> {
    if n == 0 {
        return Err(MaskError::Length { requirement: REQ_6 });
    }
    let len = match usize::try_from(n) {
        Ok(len) if len <= MAX_SLOTS_V2 => len,
        _ => return Err(MaskError::TooLarge { requirement: REQ_6 }),
    };
    let nbytes = len.div_ceil(8);
    let mut buf = vec![0u8; base64::decoded_len_estimate(b.len()).max(nbytes)];
    let got = base64_engine()
        .decode_slice(b, &mut buf)
        .map_err(|_| MaskError::Encoding { requirement: REQ_5 })?;
    if got != nbytes {
        return Err(MaskError::Length { requirement: REQ_5 });
    }
    // Zero the estimate's slack up to whole words, then reverse the bits of
    // every byte.
    buf.resize(len.div_ceil(64) * 8, 0);
    for (i, byte) in buf.iter_mut().enumerate() {
        *byte = if i >= nbytes {
            0
        } else if cfg!(feature = "broken-v2-mask-lsb") {
            *byte
        } else {
            byte.reverse_bits()
        };
    }
    let words: Vec<u64> = buf
        .as_chunks::<8>()
        .0
        .iter()
        .map(|c| u64::from_le_bytes(*c))
        .collect();
    if words.last().is_some_and(|&w| w & !last_word_mask(len) != 0) {
        return Err(MaskError::TrailingBits);
    }
    Ok(Mask { len, words })
}

/// Encodes a mask in v2: `(n, b)` with `n` the bit count and `b` the
/// canonical padded standard base64 of the `ceil(n / 8)` MSB-first bytes.
/// An empty mask gives `(0, "")`, which [`decode_v2`] rejects: not encoding
/// empty (or over-long) masks is the caller's business.
pub fn encode_v2(m: &Mask) -> (u64, String) {
    let nbytes = m.len.div_ceil(8);
    let mut bytes = Vec::with_capacity(m.words.len() * 8);
    for &w in &m.words {
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    bytes.truncate(nbytes);
    if !cfg!(feature = "broken-v2-mask-lsb") {
        for byte in &mut bytes {
            *byte = byte.reverse_bits();
        }
    }
    (m.len as u64, base64_engine().encode(&bytes))
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// Checks that a room mask (either encoding) is trimmed (OS-MASK-2): its
/// first bit is set, and its last bit is set, or in [`Profile::V1`] the
/// last bit is clear and the one before it set (a v1 mask may end in `10`,
/// as the deployed app writes one when the last slot is off the grid). An
/// empty mask is `Length` (OS-MASK-1, the first step of §10.3, OS-MASK-13);
/// an all-zero one `Untrimmed`.
pub fn validate_room(m: &Mask, profile: Profile) -> Result<(), MaskError> {
    if m.len == 0 {
        return Err(MaskError::Length { requirement: REQ_1 });
    }
    // The end: the last position set, or in v1 the one before it.
    let end = m.get(m.len - 1) || (profile == Profile::V1 && m.len >= 2 && m.get(m.len - 2));
    if m.get(0) && end {
        Ok(())
    } else {
        Err(MaskError::Untrimmed)
    }
}

/// The longest mask of a profile: [`MAX_SLOTS_V1`] or [`MAX_SLOTS_V2`].
pub fn limit(profile: Profile) -> usize {
    match profile {
        Profile::V1 => MAX_SLOTS_V1,
        Profile::V2 => MAX_SLOTS_V2,
    }
}

/// A writer's check of a response mask given as positions (OS-MASK-12, in
/// the order of §10.3, OS-MASK-13): no position → `Length`; longer than the
/// profile's limit → `TooLarge`. The checks that need the room (OS-MASK-3,
/// OS-MASK-7) are the caller's.
pub fn check_response(m: &Mask, profile: Profile) -> Result<(), MaskError> {
    if m.len == 0 {
        return Err(MaskError::Length {
            requirement: "OS-MASK-12",
        });
    }
    if m.len > limit(profile) {
        return Err(MaskError::TooLarge {
            requirement: "OS-MASK-12",
        });
    }
    Ok(())
}

/// A writer's check of a room mask given as positions (OS-MASK-12):
/// [`check_response`]'s checks, then the trim check (OS-MASK-2) →
/// `Untrimmed`.
pub fn check_room(m: &Mask, profile: Profile) -> Result<(), MaskError> {
    check_response(m, profile)?;
    validate_room(m, profile)
}

/// Checks that a v1 response mask has exactly the room mask's length
/// (OS-MASK-3), else `Length`.
pub fn validate_response_v1(room: &Mask, response: &Mask) -> Result<(), MaskError> {
    if room.len == response.len {
        Ok(())
    } else {
        Err(MaskError::Length { requirement: REQ_3 })
    }
}

// ---------------------------------------------------------------------------
// Slots and grids
// ---------------------------------------------------------------------------

/// Builds a room mask from slot instants (OS-MASK-4, spec §10.2): `start` is
/// the earliest slot and slot `t` sets bit `(t - start) / 1800`.
///
/// The input may be in any order and hold duplicates: it is sorted and
/// deduplicated first (a set of slots has one mask). An instant that is not a
/// multiple of 1800 s after `start` is moved down to the slot it falls in
/// (floor division) in [`Profile::V1`], the deployed app's behaviour kept for
/// byte compatibility, and rejected in [`Profile::V2`]. A v1 mask whose last
/// instant is off the grid has one clear position after it: its length is
/// `ceil((last - start + 1800) / 1800)`, the deployed app's `buildSlotMask`
/// length (OS-MASK-4), so it ends in `10`.
///
/// Errors, in the order of spec §10.2: no slot → `Length` (OS-MASK-4); in V2,
/// an off-grid instant → `OffGrid` (OS-MASK-4); a mask longer than the
/// profile's limit ([`MAX_SLOTS_V1`] or [`MAX_SLOTS_V2`]) → `TooLarge`
/// (OS-MASK-4, the requirement that sets the limit for writers), judged from
/// the last slot before the mask is allocated. Offsets are computed exactly
/// as `u64` (`i64::abs_diff`), so any pair of `i64` instants is handled
/// without overflow. The result is always trimmed (OS-MASK-2, with the v1
/// ending `10` above).
pub fn room_mask_from_slots(slots: &[i64], profile: Profile) -> Result<(i64, Mask), MaskError> {
    let mut sorted = slots.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let (Some(&start), Some(&last)) = (sorted.first(), sorted.last()) else {
        return Err(MaskError::Length { requirement: REQ_4 });
    };
    let slot = SLOT_SECONDS.unsigned_abs();
    // Every instant is >= start, so the offset is exact and `/` is floor
    // division.
    let offset = |t: i64| t.abs_diff(start);
    if profile == Profile::V2 && sorted.iter().any(|&t| offset(t) % slot != 0) {
        return Err(MaskError::OffGrid { requirement: REQ_4 });
    }
    let limit = limit(profile);
    let too_large = MaskError::TooLarge { requirement: REQ_4 };
    // v1 off the grid: one more position than the last index + 1
    // (ceil((last - start + 1800) / 1800), OS-MASK-4).
    let tail = u64::from(profile == Profile::V1 && offset(last) % slot != 0);
    let len = match usize::try_from(offset(last) / slot + tail) {
        Ok(i) if i < limit => i + 1,
        _ => return Err(too_large),
    };
    let mut mask = Mask::zeros(len);
    for &t in &sorted {
        match usize::try_from(offset(t) / slot) {
            Ok(i) if i < len => {
                mask.set(i, true);
            }
            _ => return Err(too_large),
        }
    }
    Ok((start, mask))
}

/// The instants of the set bits of `m` on the grid from `start`:
/// `start + i * 1800` for each set bit `i`, in increasing order.
///
/// Instants that do not fit in an `i64` are omitted rather than saturated or
/// wrapped; since instants increase with `i`, the omitted ones are always the
/// tail of the list. (Masks from this module's decoders and builders, on a
/// start from the same room, never reach that.)
pub fn slots_of(start: i64, m: &Mask) -> Vec<i64> {
    // Sized from the population count up front: one allocation.
    let mut out = Vec::with_capacity(m.count_ones());
    out.extend(m.iter_ones().map_while(|i| {
        i64::try_from(i)
            .ok()
            .and_then(|i| i.checked_mul(SLOT_SECONDS))
            .and_then(|offset| start.checked_add(offset))
    }));
    out
}

/// 64 bits of `words` starting at bit `offset` (which may be negative or
/// beyond the end): bits outside `words` read as zero.
fn bits_at(words: &[u64], offset: i128) -> u64 {
    let word = |q: i128| -> u64 {
        usize::try_from(q)
            .ok()
            .and_then(|q| words.get(q))
            .copied()
            .unwrap_or(0)
    };
    let q = offset.div_euclid(64);
    let r = offset.rem_euclid(64) as u32; // in 0..64
    if r == 0 {
        word(q)
    } else {
        (word(q) >> r) | (word(q + 1) << (64 - r))
    }
}

/// Maps a mask on the grid from `from_start` onto the grid from `to_start`,
/// `to_len` slots long (OS-MASK-7): bit `i` of `m` becomes bit
/// `i + (from_start - to_start) / 1800` of the result; bits that land outside
/// `0..to_len` are dropped.
///
/// `OffGrid` (OS-MASK-7) if `from_start - to_start` is not a multiple of
/// 1800 s, checked first and whatever the overlap (a response that is not on
/// the room's grid is malformed even if it misses the room). The arithmetic is
/// done in `i128`, where no pair of `i64` instants can overflow. The result
/// is allocated at `to_len` bits (bounding it is the caller's business; the
/// room's length is).
pub fn rebase(m: &Mask, from_start: i64, to_start: i64, to_len: usize) -> Result<Mask, MaskError> {
    let diff = i128::from(from_start) - i128::from(to_start);
    if diff % i128::from(SLOT_SECONDS) != 0 {
        return Err(MaskError::OffGrid { requirement: REQ_7 });
    }
    // Result bit j is source bit j - shift.
    let shift = diff / i128::from(SLOT_SECONDS);
    let mut out = Mask::zeros(to_len);
    let overlaps = shift < to_len as i128 && shift + (m.len as i128) > 0;
    if overlaps {
        for (k, w) in out.words.iter_mut().enumerate() {
            *w = bits_at(&m.words, (k as i128) * 64 - shift);
        }
        if let Some(last) = out.words.last_mut() {
            *last &= last_word_mask(to_len);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------

/// Words per block in the bulk of the room: the bit-sliced kernels work on
/// fixed-size arrays, so every index in their hot loops is in bounds by
/// construction and LLVM vectorises across the words of a block.
const BLOCK: usize = 16;
/// Words per block at the end of the room (a partial last block is padded).
const SMALL_BLOCK: usize = 4;
/// Responses added per carry-save tree.
const GROUP: usize = 16;
/// Responses between two flushes of the bit-sliced counters into `u32`
/// counts: 15 groups of 16, so that every count of a batch fits 8 bit planes
/// (one byte).
const BATCH: usize = 15 * GROUP;

/// One carry-save adder: `a + b + c = 2 * carry + sum`, as `(carry, sum)`:
/// the carry is the bitwise majority of the three, the sum their XOR.
///
/// Written as two independent three-input functions, with no shared
/// `a ^ b` for one to wait on: on AVX-512 the sum compiles to one
/// `vpternlogq` and the carry to two, all three independent of each other.
#[inline(always)]
fn csa(a: u64, b: u64, c: u64) -> (u64, u64) {
    ((a & b) | (c & (a | b)), a ^ b ^ c)
}

/// Bit-sliced vertical counters for a block of `B` words: `planes[p][w]`
/// holds bit `p` of the counts of the 64 positions of word `w`.
type Planes<const B: usize> = [[u64; B]; 8];

/// Adds 16 blocks of response words to the counters. A Harley–Seal
/// carry-save tree reduces the 16 inputs into the ones, twos, fours and
/// eights planes; the resulting sixteens ripple into planes 4 to 7.
#[inline(always)]
fn add_group<const B: usize>(planes: &mut Planes<B>, d: &[&[u64; B]; GROUP]) {
    let [p0, p1, p2, p3, p4, p5, p6, p7] = planes;
    let [
        d0,
        d1,
        d2,
        d3,
        d4,
        d5,
        d6,
        d7,
        d8,
        d9,
        d10,
        d11,
        d12,
        d13,
        d14,
        d15,
    ] = *d;
    for w in 0..B {
        let (t_a, o) = csa(p0[w], d0[w], d1[w]);
        let (t_b, o) = csa(o, d2[w], d3[w]);
        let (f_a, t) = csa(p1[w], t_a, t_b);
        let (t_a, o) = csa(o, d4[w], d5[w]);
        let (t_b, o) = csa(o, d6[w], d7[w]);
        let (f_b, t) = csa(t, t_a, t_b);
        let (e_a, f) = csa(p2[w], f_a, f_b);
        let (t_a, o) = csa(o, d8[w], d9[w]);
        let (t_b, o) = csa(o, d10[w], d11[w]);
        let (f_a, t) = csa(t, t_a, t_b);
        let (t_a, o) = csa(o, d12[w], d13[w]);
        let (t_b, o) = csa(o, d14[w], d15[w]);
        let (f_b, t) = csa(t, t_a, t_b);
        let (e_b, f) = csa(f, f_a, f_b);
        let (c, e) = csa(p3[w], e_a, e_b);
        (p0[w], p1[w], p2[w], p3[w]) = (o, t, f, e);
        // A batch never exceeds 255 responses, so the last carry is zero.
        let (h, c) = (p4[w] ^ c, p4[w] & c);
        p4[w] = h;
        let (h, c) = (p5[w] ^ c, p5[w] & c);
        p5[w] = h;
        let (h, c) = (p6[w] ^ c, p6[w] & c);
        p6[w] = h;
        p7[w] ^= c;
    }
}

/// Adds 2 blocks of response words to the counters (one carry-save adder
/// into the ones plane, the carry rippling up): cheaper than a 16-input tree
/// padded with zeros for the few responses left over at the end of a batch.
#[inline(always)]
fn add_pair<const B: usize>(planes: &mut Planes<B>, a: &[u64; B], b: &[u64; B]) {
    let [p0, rest @ ..] = planes;
    for w in 0..B {
        let (mut c, o) = csa(p0[w], a[w], b[w]);
        p0[w] = o;
        for plane in rest.iter_mut() {
            let h = plane[w];
            plane[w] = h ^ c;
            c &= h;
        }
    }
}

/// Exchanges bit fields between two words: the fields of `x` at the
/// positions `mask << shift` and the fields of `y` at the positions `mask`.
/// One stage of a block-recursive matrix transpose.
#[inline(always)]
fn swap_fields(x: &mut u64, y: &mut u64, shift: u32, mask: u64) {
    let t = ((*x >> shift) ^ *y) & mask;
    *y ^= t;
    *x ^= t << shift;
}

/// Turns the counters into count bytes, in place: afterwards byte `k` of
/// `planes[j][w]` is the count of position `64 w + 8 j + k`, or 0 if the
/// room does not offer that position.
///
/// For each word, the 8 plane words are masked with the room's word and
/// transposed: three bit-level stages transpose the 8 × 8 bit matrices
/// (plane × bit-in-byte) of every byte lane, so that byte `j` of word `k`
/// is the count of position `8 j + k`; three byte-level stages transpose the
/// 8 × 8 byte matrix (word × byte). Every stage exchanges fields between
/// pairs of words (3 operations per word), and the loop over the block's
/// words vectorises.
#[inline(always)]
fn planes_to_counts<const B: usize>(planes: &mut Planes<B>, room: &[u64; B]) {
    const B1: u64 = 0x5555_5555_5555_5555;
    const B2: u64 = 0x3333_3333_3333_3333;
    const B4: u64 = 0x0F0F_0F0F_0F0F_0F0F;
    const Y1: u64 = 0x00FF_00FF_00FF_00FF;
    const Y2: u64 = 0x0000_FFFF_0000_FFFF;
    const Y4: u64 = 0x0000_0000_FFFF_FFFF;
    let [p0, p1, p2, p3, p4, p5, p6, p7] = planes;
    for w in 0..B {
        let r = room[w];
        let (mut a0, mut a1, mut a2, mut a3) = (p0[w] & r, p1[w] & r, p2[w] & r, p3[w] & r);
        let (mut a4, mut a5, mut a6, mut a7) = (p4[w] & r, p5[w] & r, p6[w] & r, p7[w] & r);
        // Bit level: (plane p, bit k of byte j) -> (word k, bit p of byte j).
        swap_fields(&mut a0, &mut a1, 1, B1);
        swap_fields(&mut a2, &mut a3, 1, B1);
        swap_fields(&mut a4, &mut a5, 1, B1);
        swap_fields(&mut a6, &mut a7, 1, B1);
        swap_fields(&mut a0, &mut a2, 2, B2);
        swap_fields(&mut a1, &mut a3, 2, B2);
        swap_fields(&mut a4, &mut a6, 2, B2);
        swap_fields(&mut a5, &mut a7, 2, B2);
        swap_fields(&mut a0, &mut a4, 4, B4);
        swap_fields(&mut a1, &mut a5, 4, B4);
        swap_fields(&mut a2, &mut a6, 4, B4);
        swap_fields(&mut a3, &mut a7, 4, B4);
        // Byte level: (word k, byte j) -> (word j, byte k).
        swap_fields(&mut a0, &mut a1, 8, Y1);
        swap_fields(&mut a2, &mut a3, 8, Y1);
        swap_fields(&mut a4, &mut a5, 8, Y1);
        swap_fields(&mut a6, &mut a7, 8, Y1);
        swap_fields(&mut a0, &mut a2, 16, Y2);
        swap_fields(&mut a1, &mut a3, 16, Y2);
        swap_fields(&mut a4, &mut a6, 16, Y2);
        swap_fields(&mut a5, &mut a7, 16, Y2);
        swap_fields(&mut a0, &mut a4, 32, Y4);
        swap_fields(&mut a1, &mut a5, 32, Y4);
        swap_fields(&mut a2, &mut a6, 32, Y4);
        swap_fields(&mut a3, &mut a7, 32, Y4);
        (p0[w], p1[w], p2[w], p3[w]) = (a0, a1, a2, a3);
        (p4[w], p5[w], p6[w], p7[w]) = (a4, a5, a6, a7);
    }
}

/// The count bytes of the block's `64 * B` positions, in position order
/// (after [`planes_to_counts`]): word `w`'s 64 counts are the bytes of
/// `planes[0][w]`, then of `planes[1][w]`, and so on. Laid out flat so that
/// widening them to `u32` is one loop over the block, which vectorises.
#[inline(always)]
fn block_counts<const B: usize>(planes: &Planes<B>) -> [[u8; 64]; B] {
    let mut counts = [[0u8; 64]; B];
    for (w, word_counts) in counts.iter_mut().enumerate() {
        for (dst, plane) in word_counts.chunks_exact_mut(8).zip(planes) {
            dst.copy_from_slice(&plane.get(w).copied().unwrap_or(0).to_le_bytes());
        }
    }
    counts
}

/// Counts words `lo .. lo + B` of the room (positions `64 lo ..`): appends
/// `64 * min(B, room.len() - lo)` counts to `out`, which holds the counts of
/// the words before `lo`.
fn aggregate_block<const B: usize>(room: &[u64], inputs: &[&[u64]], lo: usize, out: &mut Vec<u32>) {
    let base = out.len();
    let mut room_block = [0u64; B];
    let room_words = room.get(lo..).unwrap_or(&[]);
    for (dst, src) in room_block.iter_mut().zip(room_words) {
        *dst = *src;
    }
    let words_here = room_words.len().min(B);
    if room_block.iter().all(|&w| w == 0) {
        out.resize(base + 64 * words_here, 0);
        return;
    }
    let zero = [0u64; B];
    let mut scratch = [[0u64; B]; GROUP];
    let mut planes = [[0u64; B]; 8];
    for (batch_index, batch) in inputs.chunks(BATCH).enumerate() {
        let mut groups = batch.chunks_exact(GROUP);
        for group in &mut groups {
            add_group(&mut planes, &resolve(group, lo, &mut scratch, &zero));
        }
        let rest = groups.remainder();
        if rest.len() > GROUP / 2 {
            add_group(&mut planes, &resolve(rest, lo, &mut scratch, &zero));
        } else {
            for pair in rest.chunks(2) {
                let [a, b, ..] = resolve(pair, lo, &mut scratch, &zero);
                add_pair(&mut planes, a, b);
            }
        }
        planes_to_counts(&mut planes, &room_block);
        let counts = block_counts(&planes);
        let counts = counts
            .as_flattened()
            .get(..64 * words_here)
            .unwrap_or_default();
        if batch_index == 0 {
            out.extend(counts.iter().map(|&c| u32::from(c)));
        } else {
            let block_out = out.get_mut(base..).unwrap_or(&mut []);
            for (o, &c) in block_out.iter_mut().zip(counts) {
                *o = o.wrapping_add(u32::from(c));
            }
        }
        planes = [[0; B]; 8];
    }
}

/// Words `lo .. lo + B` of up to 16 responses as fixed-size blocks: borrowed
/// in place when the response has them all, else copied zero-padded into
/// `scratch`; missing responses are `zero`.
#[inline(always)]
fn resolve<'a, const B: usize>(
    group: &[&'a [u64]],
    lo: usize,
    scratch: &'a mut [[u64; B]; GROUP],
    zero: &'a [u64; B],
) -> [&'a [u64; B]; GROUP] {
    for (pad, words) in scratch.iter_mut().zip(group) {
        if words.get(lo..lo + B).is_none() {
            *pad = [0; B];
            let tail = words.get(lo..).unwrap_or(&[]);
            for (dst, src) in pad.iter_mut().zip(tail) {
                *dst = *src;
            }
        }
    }
    let scratch: &'a [[u64; B]; GROUP] = scratch;
    core::array::from_fn(|j| match group.get(j) {
        None => zero,
        Some(words) => words
            .get(lo..lo + B)
            .and_then(|s| <&[u64; B]>::try_from(s).ok())
            .unwrap_or_else(|| scratch.get(j).unwrap_or(zero)),
    })
}

/// Per-slot availability counts (OS-MASK-8): entry `i` (for each of the
/// room's `room.len()` positions) is the number of responses whose bit `i` is
/// set, if the room offers slot `i`, and 0 otherwise. A response shorter than
/// the room counts only where it has bits; a longer response's extra bits are
/// ignored. (The deployed app gets both wrong, OS-MASK-9.) Responses must
/// already be on the room's grid (v2: see [`rebase`]). Counts are exact up
/// to `u32::MAX` responses and wrap beyond, like [`aggregate_naive`].
///
/// Works word-wise on blocks of 16 words (1,024 positions): the responses'
/// words are added, 16 at a time, into bit-sliced vertical counters (a
/// Harley–Seal carry-save tree over `u64` words, 8 bit planes per word, all
/// loops over fixed-size arrays that LLVM vectorises; up to 8 left-over
/// responses are added in pairs), which are flushed to the `u32` counts every
/// 240 responses by a bit-matrix transpose that also clears the positions
/// the room does not offer. Blocks where the room offers nothing are
/// skipped. Safe code only, no target-specific intrinsics. Equal to
/// [`aggregate_naive`], the oracle.
pub fn aggregate(room: &Mask, responses: &[&Mask]) -> Vec<u32> {
    if responses.is_empty() {
        return vec![0; room.len];
    }
    let inputs: Vec<&[u64]> = responses.iter().map(|r| r.words.as_slice()).collect();
    let nw = room.words.len();
    let mut out = Vec::with_capacity(64 * nw);
    let mut lo = 0;
    while lo < nw {
        if nw - lo >= BLOCK {
            aggregate_block::<BLOCK>(&room.words, &inputs, lo, &mut out);
            lo += BLOCK;
        } else {
            aggregate_block::<SMALL_BLOCK>(&room.words, &inputs, lo, &mut out);
            lo += SMALL_BLOCK;
        }
    }
    // `out` now has one count per position of every word.
    out.resize(room.len, 0);
    out
}

/// The obvious per-bit version of [`aggregate`], its differential oracle:
/// for each position the room offers, count the responses with that bit set.
pub fn aggregate_naive(room: &Mask, responses: &[&Mask]) -> Vec<u32> {
    (0..room.len)
        .map(|i| {
            if room.get(i) {
                responses
                    .iter()
                    .filter(|r| r.get(i))
                    .fold(0u32, |n, _| n.wrapping_add(1))
            } else {
                0
            }
        })
        .collect()
}
