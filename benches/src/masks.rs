//! Benchmark masks: rooms and responses of a given size, from fixed seeds.

use openslots::mask::Mask;

use crate::SplitMix64;

/// Slots per day on the 30-minute grid.
pub const SLOTS_PER_DAY: usize = 48;

/// A trimmed room mask of `n` slots that offers working hours, 09:00 to
/// 17:00 (slots 18 to 33 of every day, a third of the grid), plus the first
/// and the last slot so that it is trimmed (OS-MASK-2).
pub fn working_hours_room(n: usize) -> Mask {
    let mut m = Mask::from_indices(
        n,
        (0..n).filter(|i| (18..34).contains(&(i % SLOTS_PER_DAY))),
    );
    if n > 0 {
        m.set(0, true);
        m.set(n - 1, true);
    }
    m
}

/// A trimmed mask of `n` slots with about `percent` % of its slots set, from
/// a fixed seed; first and last slot always set.
pub fn random_room(n: usize, percent: u64, seed: u64) -> Mask {
    let mut rng = SplitMix64::new(seed);
    let mut m = Mask::from_indices(n, (0..n).filter(|_| rng.chance(percent)));
    if n > 0 {
        m.set(0, true);
        m.set(n - 1, true);
    }
    m
}

/// A word whose bits are each set with probability `percent` % (to 1/1024),
/// from ten random words: reading the binary digits of the probability from
/// the last, a 1 digit ORs a random word in and a 0 digit ANDs one.
fn random_word(rng: &mut SplitMix64, percent: u64) -> u64 {
    let p = percent.min(100) * 1024 / 100;
    (0..10).fold(0u64, |x, i| {
        let r = rng.next_u64();
        if (p >> i) & 1 == 1 { x | r } else { x & r }
    }) | if p >= 1024 { u64::MAX } else { 0 }
}

/// A response in room coordinates: each offered slot of `room` set with
/// probability `percent` %, from a fixed seed (responses after resolution
/// only have offered slots set, OS-MASK-9). Built a word at a time, so that
/// a thousand million-slot responses take a second, not a minute.
pub fn response(room: &Mask, percent: u64, seed: u64) -> Mask {
    let mut rng = SplitMix64::new(seed);
    let words = room
        .words()
        .iter()
        .map(|&w| w & random_word(&mut rng, percent))
        .collect();
    Mask::from_words(room.len(), words)
}

/// `m` responses to `room`, seeds `1..=m`, each available at about
/// `percent` % of the offered slots.
pub fn responses(room: &Mask, m: usize, percent: u64) -> Vec<Mask> {
    (1..=m as u64)
        .map(|seed| response(room, percent, seed))
        .collect()
}
