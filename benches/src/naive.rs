//! Naive baselines: the straightforward per-bit loops a first implementation
//! writes, against which the reference's word-wise code is measured.

use openslots::mask::Mask;

/// Per-slot counts by a per-bit loop, response by response: for each
/// response, for each offered position, add one if the response's bit is
/// set. (The reference's own oracle, `mask::aggregate_naive`, loops the
/// other way round, position by position; the benches measure both and take
/// the ratio against the faster.)
pub fn aggregate_by_response(room: &Mask, responses: &[&Mask]) -> Vec<u32> {
    let mut counts = vec![0u32; room.len()];
    for r in responses {
        for (i, c) in counts.iter_mut().enumerate() {
            if room.get(i) && r.get(i) {
                *c += 1;
            }
        }
    }
    counts
}

/// Decodes a v1 mask character by character (OS-MASK-1): `None` for an
/// empty or oversized string or a character other than `0`/`1`.
pub fn decode_v1(s: &str) -> Option<Mask> {
    if s.is_empty() || s.len() > openslots::mask::MAX_SLOTS_V1 {
        return None;
    }
    let mut m = Mask::zeros(s.len());
    for (i, c) in s.bytes().enumerate() {
        match c {
            b'0' => {}
            b'1' => {
                m.set(i, true);
            }
            _ => return None,
        }
    }
    Some(m)
}

/// Encodes a v1 mask bit by bit.
pub fn encode_v1(m: &Mask) -> String {
    (0..m.len())
        .map(|i| if m.get(i) { '1' } else { '0' })
        .collect()
}

/// Decodes a v2 mask the obvious way: the `base64` crate's scalar standard
/// engine, then one bit at a time, most significant bit first (OS-MASK-5).
/// `None` on any error the reference reports.
pub fn decode_v2(n: usize, b: &str) -> Option<Mask> {
    use base64::Engine as _;
    if n == 0 || n > openslots::mask::MAX_SLOTS_V2 {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(b).ok()?;
    if bytes.len() != n.div_ceil(8) {
        return None;
    }
    let mut m = Mask::zeros(n);
    for (i, byte) in bytes.iter().enumerate() {
        for bit in 0..8 {
            if byte & (0x80 >> bit) != 0 && !m.set(8 * i + bit, true) {
                return None;
            }
        }
    }
    Some(m)
}
