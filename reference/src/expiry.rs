//! Expiry (spec §12): NIP-40 expiration tags.
//!
//! Free functions over tags, plus the [`Expiring`] trait on events, with the
//! semantics common to the Nostr libraries (rust-nostr, nostr-tools, go-nostr,
//! welshman, applesauce) made exact:
//!
//! - the FIRST tag named `expiration` counts, later ones are ignored (OS-EXPIRY-1);
//! - its value is a timestamp only if it is 1 to 20 ASCII digits whose value
//!   fits in `u64`; anything else, like a missing tag, means "never expires",
//!   never an error (OS-EXPIRY-1);
//! - an event is expired when `expiration < now`, strictly: an event whose
//!   expiration equals `now` is still valid (OS-EXPIRY-2).
//!
//! Times are plain `u64` Unix seconds. [`is_expired_at`] is the testable
//! primitive; [`is_expired`] reads the wall clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// The tag name NIP-40 defines.
pub const EXPIRATION: &str = "expiration";

/// Retention after a v2 room's horizon, in seconds (OS-EXPIRY-4): seven days.
pub const V2_RETENTION_SECONDS: u64 = 604_800;

/// Parses an expiration value: 1 to 20 ASCII digits that fit in `u64` (OS-EXPIRY-1).
pub fn parse_expiration_value(value: &str) -> Option<u64> {
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<u64>().ok()
}

/// The expiration of a tag list, if its first `expiration` tag holds a valid
/// timestamp (OS-EXPIRY-1). `tags` are tags as string arrays, as on the wire.
pub fn get_expiration<T, S>(tags: &[T]) -> Option<u64>
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    let first = tags
        .iter()
        .map(AsRef::as_ref)
        .find(|tag| tag.first().map(AsRef::as_ref) == Some(EXPIRATION))?;
    parse_expiration_value(first.get(1)?.as_ref())
}

/// Whether tags carrying this expiration are expired at `now` (OS-EXPIRY-2).
pub fn expired_at(expiration: Option<u64>, now: u64) -> bool {
    matches!(expiration, Some(e) if e < now)
}

/// Whether a tag list is expired at `now`: strictly `expiration < now` (OS-EXPIRY-2).
pub fn is_expired_at<T, S>(tags: &[T], now: u64) -> bool
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    expired_at(get_expiration(tags), now)
}

/// The wall clock in Unix seconds (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether a tag list is expired now, by the wall clock.
pub fn is_expired<T, S>(tags: &[T]) -> bool
where
    T: AsRef<[S]>,
    S: AsRef<str>,
{
    is_expired_at(tags, unix_now())
}

/// An `["expiration", "<seconds>"]` tag as on the wire.
pub fn expiration_tag(expiration: u64) -> [String; 2] {
    [EXPIRATION.to_owned(), expiration.to_string()]
}

/// The same tag as a `nostr` tag, ready for an event builder.
pub fn expiration_nostr_tag(expiration: u64) -> nostr::event::Tag {
    nostr::event::Tag::custom(EXPIRATION, [expiration.to_string()])
}

/// NIP-40 methods on event types, delegating to this module's functions.
///
/// `nostr::event::Event` has inherent methods of the same names with the
/// `nostr` crate's own parsing (which, for one, accepts a leading `+`); call
/// this trait's as `Expiring::is_expired_at(&event, now)` to get the spec's.
pub trait Expiring {
    /// The event's expiration, if it has a valid one (OS-EXPIRY-1).
    fn get_expiration(&self) -> Option<u64>;
    /// Whether the event is expired at `now` (OS-EXPIRY-2).
    fn is_expired_at(&self, now: u64) -> bool {
        expired_at(self.get_expiration(), now)
    }
    /// Whether the event is expired by the wall clock.
    fn is_expired(&self) -> bool {
        self.is_expired_at(unix_now())
    }
}

impl Expiring for nostr::event::Event {
    fn get_expiration(&self) -> Option<u64> {
        let tags: Vec<&[String]> = self.tags.iter().map(nostr::event::Tag::as_slice).collect();
        get_expiration(&tags)
    }
}

impl Expiring for [Vec<String>] {
    fn get_expiration(&self) -> Option<u64> {
        get_expiration(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter()
            .map(|t| t.iter().map(|s| (*s).to_owned()).collect())
            .collect()
    }

    #[test]
    fn strict_less_than() {
        let t = tags(&[&["expiration", "100"]]);
        assert!(!is_expired_at(&t, 99));
        assert!(!is_expired_at(&t, 100));
        assert!(is_expired_at(&t, 101));
    }

    #[test]
    fn first_tag_counts_even_when_malformed() {
        assert_eq!(
            get_expiration(&tags(&[&["expiration", "5"], &["expiration", "9"]])),
            Some(5)
        );
        assert_eq!(
            get_expiration(&tags(&[&["expiration", "x"], &["expiration", "9"]])),
            None
        );
        assert_eq!(
            get_expiration(&tags(&[&["expiration"], &["expiration", "9"]])),
            None
        );
    }

    #[test]
    fn malformed_values_never_expire() {
        for v in [
            "",
            "+5",
            "-5",
            " 5",
            "5 ",
            "5.0",
            "1e3",
            "0x10",
            "18446744073709551616",
            "٣",
        ] {
            assert_eq!(parse_expiration_value(v), None, "{v:?}");
        }
        assert_eq!(
            parse_expiration_value("18446744073709551615"),
            Some(u64::MAX)
        );
        assert_eq!(parse_expiration_value("007"), Some(7));
        assert_eq!(get_expiration(&tags(&[&["d", "x"]])), None);
    }
}
