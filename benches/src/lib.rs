//! Criterion benchmarks of the OpenSlots reference implementation, and the
//! baselines they are measured against.
//!
//! The benches live in `benches/benches/`, one group per module (`kdf`,
//! `blinding`, `cipher`, `mask`, `grid`, `lww`, `resolution`, `event`); each
//! group measures the reference beside a baseline in the same run, so that
//! results are read as ratios, which hold on a noisy machine. This library
//! holds what the benches share: deterministic inputs ([`SplitMix64`],
//! [`masks`], [`fixtures`]), the baselines ([`floor`], [`naive`], [`raw`]) and
//! the payload-size table ([`sizes`], printed by `cargo run -p
//! openslots-benches --bin payload-sizes`) and the clock the benches measure
//! with ([`clock`]: wall time, or the thread's CPU time). See
//! `benches/README.md`.
//!
//! Nothing here is random: every input comes from a fixed seed or from the
//! spec's examples (spec §11.6), so runs are comparable.

pub mod clock;
pub mod fixtures;
pub mod floor;
pub mod masks;
pub mod naive;
pub mod raw;
pub mod sizes;

/// Deterministic filler bytes for benchmark inputs: `len` bytes of a simple
/// sequence, so runs are comparable and nothing random enters a measurement.
pub fn filler(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny deterministic generator
/// for benchmark inputs. Not for anything secret.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a fixed seed.
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 32 pseudo-random bytes.
    pub fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        out
    }

    /// `true` with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}
