//! Criterion benchmarks of the OpenSlots reference implementation.
//!
//! The benches live in `benches/benches/`; each group measures the reference
//! beside a baseline in the same run, so that results are read as ratios.
//! Run them with `cargo bench -p openslots-benches`.

/// Deterministic filler bytes for benchmark inputs: `len` bytes of a simple
/// sequence, so runs are comparable and nothing random enters a measurement.
pub fn filler(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}
