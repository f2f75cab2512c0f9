//! Memory-bandwidth floors: a plain read of the bytes an operation reads,
//! folded so that the compiler cannot skip the loads. No operation that must
//! look at every input byte can be faster.

/// Reads every byte of `bytes` (eight at a time, XOR-folded).
pub fn read_bytes(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mut acc = 0u64;
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        acc ^= u64::from_le_bytes(a);
    }
    chunks
        .remainder()
        .iter()
        .fold(acc, |acc, &b| acc ^ u64::from(b))
}

/// Reads every word of every slice (XOR-folded), as an aggregation reads the
/// responses' storage words.
pub fn read_words(words: &[&[u64]]) -> u64 {
    words
        .iter()
        .fold(0u64, |acc, ws| ws.iter().fold(acc, |a, &w| a ^ w))
}
