//! Expiry (spec §12): NIP-40's expiration as OS-EXPIRY-1 reads it, the
//! expiry test of OS-EXPIRY-2, and the v2 writer's value of OS-EXPIRY-4.

use crate::SLOT_SECONDS;

/// The tag name.
pub const EXPIRATION: &str = "expiration";
/// Seven days, added to the horizon (OS-EXPIRY-4).
pub const GRACE: u64 = 604_800;

/// OS-EXPIRY-1: 1 to 20 ASCII digits whose value fits in 64 bits.
pub fn value(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = v.bytes().fold(0u128, |n, b| n * 10 + u128::from(b - b'0'));
    u64::try_from(n).ok()
}

/// OS-EXPIRY-1: the value of the first tag named `expiration`; `None`
/// (never expires) when there is none or its value is not a timestamp.
pub fn expiration<S: AsRef<str>>(tags: &[Vec<S>]) -> Option<u64> {
    let first = tags
        .iter()
        .find(|t| t.first().map(AsRef::as_ref) == Some(EXPIRATION))?;
    value(first.get(1)?.as_ref())
}

/// OS-EXPIRY-2: expired at `now` iff expiration < now.
pub fn expired(expiration: Option<u64>, now: u64) -> bool {
    expiration.is_some_and(|x| x < now)
}

/// OS-EXPIRY-1, OS-EXPIRY-2 on tags.
pub fn expired_at<S: AsRef<str>>(tags: &[Vec<S>], now: u64) -> bool {
    expired(expiration(tags), now)
}

/// OS-EXPIRY-4: room start + n × 1800 + 604,800; `None` when the horizon
/// is before 1970 (no expiration can be written, C-14).
pub fn v2_expiration(start: i64, n: usize) -> Option<u64> {
    let horizon = i128::from(start) + n as i128 * i128::from(SLOT_SECONDS);
    if horizon < 0 {
        return None;
    }
    u64::try_from(horizon + i128::from(GRACE)).ok()
}

/// OS-EXPIRY-4 from the offered instants: end of the last slot + 604,800.
pub fn v2_expiration_of_slots(slots: &[i64]) -> Option<u64> {
    let last = *slots.iter().max()?;
    v2_expiration(last, 1)
}

/// The current Unix time in seconds (0 before 1970).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples of spec §12.1, now = 1749546000.
    #[test]
    fn the_spec_examples() {
        let now = 1_749_546_000;
        let t = |v: &[&str]| vec![v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()];
        assert!(!expired_at::<String>(&[], now));
        assert!(!expired_at(&t(&["expiration", "1749546000"]), now));
        assert!(expired_at(&t(&["expiration", "1749545999"]), now));
        assert!(expired_at(&t(&["expiration", "0001749545999"]), now));
        for v in [
            "+1749545999",
            " 1749545999",
            "1.5",
            "1e9",
            "0x10",
            "",
            "18446744073709551616",
        ] {
            assert_eq!(expiration(&t(&["expiration", v])), None, "{v}");
        }
        assert_eq!(expiration(&t(&["expiration"])), None);
        assert_eq!(
            v2_expiration(1_748_851_200, 50),
            Some(1_748_851_200 + 90_000 + GRACE)
        );
    }
}
