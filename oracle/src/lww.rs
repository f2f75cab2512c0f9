//! Last-write-wins (spec §13): among valid versions of one address, the
//! greatest `created_at` wins, then the lowest id (OS-LWW-1); the result
//! depends only on the set (OS-LWW-3). And the publisher's side, OS-EVENT-9:
//! `created_at = max(now, previous + 1)`.

use std::cmp::Ordering;

/// OS-LWW-1: how version `a` compares with `b`; `Greater` means `a` wins.
/// Ids are lower-case hexadecimal, compared as strings.
pub fn order(a: (u64, &str), b: (u64, &str)) -> Ordering {
    a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1))
}

/// Whether `a` beats `b` (OS-LWW-1).
pub fn beats(a: (u64, &str), b: (u64, &str)) -> bool {
    order(a, b) == Ordering::Greater
}

/// The winner among valid versions, each given with its `(created_at, id)`;
/// the same whatever the order of the input (OS-LWW-3).
pub fn winner<T>(
    candidates: impl IntoIterator<Item = (u64, String, T)>,
) -> Option<(u64, String, T)> {
    candidates.into_iter().fold(None, |best, c| match best {
        Some(b) if !beats((c.0, &c.1), (b.0, &b.1)) => Some(b),
        _ => Some(c),
    })
}

/// OS-EVENT-9: the `created_at` of the next version of an address.
/// A `created_at` is at most 2^53 − 1 (OS-EVENT-13): past it, no later
/// version exists and the answer is `event-created-at`.
pub fn next_created_at(now: u64, previous: Option<u64>) -> Result<u64, crate::Fail> {
    const MAX: u128 = (1 << 53) - 1;
    let next = match previous {
        None => u128::from(now),
        Some(p) => u128::from(now).max(u128::from(p) + 1),
    };
    if next > MAX {
        return Err(("event-created-at", "OS-EVENT-9"));
    }
    Ok(next as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_wins_then_lower_id() {
        assert!(beats((2, "ff"), (1, "00")));
        assert!(beats((1, "00"), (1, "01")));
        let w = winner([
            (1, "b".to_owned(), 1),
            (1, "a".to_owned(), 2),
            (0, "0".to_owned(), 3),
        ]);
        assert_eq!(w.map(|w| w.2), Some(2));
        assert_eq!(next_created_at(10, Some(10)), Ok(11));
        assert_eq!(next_created_at(10, Some(3)), Ok(10));
        assert_eq!(next_created_at(0, Some((1 << 53) - 2)), Ok((1 << 53) - 1));
        assert!(next_created_at(0, Some((1 << 53) - 1)).is_err());
    }
}
