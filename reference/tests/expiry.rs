//! Conformance tests for expiry (spec §12): OS-EXPIRY-1 (the first
//! `expiration` tag counts; its value is 1 to 20 ASCII digits that fit in
//! u64, anything else means "never expires") and OS-EXPIRY-2 (expired iff
//! expiration < now), through the free functions of `openslots::expiry` and
//! the `Expiring` trait on `nostr::event::Event` and on `[Vec<String>]`.
//!
//! The last tests compare the spec's rule with the `nostr` crate's own
//! `Event::is_expired_at(Timestamp)` on the same events. The two differ on
//! exactly these kinds of value (see `nostr_differs_from_the_spec_on_these_values`):
//!
//! - a leading `+` (`"+1749545999"`, `"+0"`): Rust's `u64::from_str`, which
//!   nostr uses, accepts one sign `+`; the spec says a sign means "never".
//! - more than 20 digits whose value still fits in u64, that is leading zeros
//!   (`"000000000001749545999"`, 21 characters): nostr parses the value; the
//!   spec's "1 to 20 ASCII digits" rejects it.
//!
//! Everything else (empty, `-`, spaces, fractions, exponents, hex, overflow,
//! non-ASCII digits, a missing value, the first tag counting, `<` not `<=`)
//! agrees.
//!
//! Every expected value is worked out by hand from the spec's text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use nostr::event::Event;
use nostr::key::{Keys, SecretKey};
use nostr::types::Timestamp;
use openslots::expiry::{self, Expiring};

/// `now` of the examples of §12.1.
const NOW: u64 = 1_749_546_000;

fn tags(list: &[&[&str]]) -> Vec<Vec<String>> {
    list.iter()
        .map(|t| t.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

fn keys(n: u8) -> Keys {
    let mut sk = [0u8; 32];
    sk[31] = n;
    Keys::new(SecretKey::from_slice(&sk).unwrap())
}

/// A signed kind-30078 event with these tags (every tag non-empty).
fn event_with(tag_list: &[&[&str]]) -> Event {
    openslots::event::sign(
        &keys(1),
        1_748_000_000,
        tags(tag_list),
        "x".to_owned(),
        &[0; 32],
    )
    .unwrap()
}

/// The spec's verdict through every entry point at once, checking that they
/// agree: the free functions, the trait on `[Vec<String>]`, and the trait on
/// `Event`.
#[track_caller]
fn spec_expired(tag_list: &[&[&str]], now: u64) -> bool {
    let t = tags(tag_list);
    let free = expiry::is_expired_at(&t, now);
    let via_expiration = expiry::expired_at(expiry::get_expiration(&t), now);
    let slice = Expiring::is_expired_at(t.as_slice(), now);
    let event = Expiring::is_expired_at(&event_with(tag_list), now);
    assert_eq!(free, via_expiration, "{tag_list:?}");
    assert_eq!(free, slice, "{tag_list:?}");
    assert_eq!(free, event, "{tag_list:?}");
    free
}

/// The spec's expiration through every entry point, checking agreement.
#[track_caller]
fn spec_expiration(tag_list: &[&[&str]]) -> Option<u64> {
    let t = tags(tag_list);
    let free = expiry::get_expiration(&t);
    let slice = <[Vec<String>] as Expiring>::get_expiration(t.as_slice());
    let event = Expiring::get_expiration(&event_with(tag_list));
    assert_eq!(free, slice, "{tag_list:?}");
    assert_eq!(free, event, "{tag_list:?}");
    free
}

fn value(v: &str) -> Option<u64> {
    let direct = expiry::parse_expiration_value(v);
    assert_eq!(spec_expiration(&[&["expiration", v]]), direct, "{v:?}");
    direct
}

/// Values that are not timestamps under OS-EXPIRY-1.
const MALFORMED: &[&str] = &[
    "",
    "+1",
    "+1749545999",
    "+0",
    "-1",
    "-0",
    "-1749545999",
    " 1",
    "1 ",
    " 1749545999",
    "1749545999 ",
    "\t1",
    "1\n",
    "1 2",
    "1.0",
    "1.5",
    "1.",
    ".1",
    "1e3",
    "1E3",
    "1e9",
    "0x1",
    "0x10",
    "0X10",
    "0b1",
    "0o7",
    "ff",
    "1_000",
    "1,000",
    "a",
    "1a",
    "NaN",
    "inf",
    "\u{ff11}",                     // full-width digit one
    "\u{ff11}\u{ff10}",             // full-width "10"
    "\u{661}",                      // Arabic-Indic digit one
    "\u{661}\u{667}\u{664}\u{669}", // Arabic-Indic "1749"
    "\u{6f1}",                      // extended Arabic-Indic digit one
    "\u{967}",                      // Devanagari digit one
    "\u{b9}",                       // superscript one
    "\u{1d7cf}",                    // mathematical bold digit one
    "1\u{200b}",                    // zero-width space
    "000000000000000000001",        // 21 digits, value 1
    "000000000001749545999",        // 21 digits, value 1749545999
    "100000000000000000000",        // 21 digits, 10^20 > u64::MAX
    "18446744073709551616",         // u64::MAX + 1
    "18446744073709551625",         // u64::MAX + 10
    "99999999999999999999",         // 20 digits, over u64::MAX
    "184467440737095516150",        // 21 digits
];

// ---- OS-EXPIRY-1: the value --------------------------------------------------

#[test]
fn os_expiry_1_well_formed_values_are_timestamps() {
    assert_eq!(value("0"), Some(0));
    assert_eq!(value("1"), Some(1));
    assert_eq!(value("1749546000"), Some(1_749_546_000));
    assert_eq!(value("9999999999"), Some(9_999_999_999));
    // Leading zeros are digits (§12.1 table).
    assert_eq!(value("0001749545999"), Some(1_749_545_999));
    assert_eq!(value("00"), Some(0));
    // 20 digits: the most OS-EXPIRY-1 allows.
    assert_eq!(value("00000000000000000000"), Some(0));
    assert_eq!(value("00000000001749545999"), Some(1_749_545_999));
    assert_eq!(
        value("01844674407370955161"),
        Some(1_844_674_407_370_955_161)
    );
    // u64::MAX exactly.
    assert_eq!(value("18446744073709551615"), Some(u64::MAX));
    assert_eq!(value("18446744073709551614"), Some(u64::MAX - 1));
}

#[test]
fn os_expiry_1_malformed_values_never_expire() {
    for v in MALFORMED {
        assert_eq!(value(v), None, "{v:?}");
        // Never expires, whatever now is; and it is not an error.
        for now in [0, 1, NOW, u64::MAX] {
            assert!(!spec_expired(&[&["expiration", v]], now), "{v:?} at {now}");
        }
    }
}

#[test]
fn os_expiry_1_tag_without_value_never_expires() {
    assert_eq!(spec_expiration(&[&["expiration"]]), None);
    assert!(!spec_expired(&[&["expiration"]], u64::MAX));
}

#[test]
fn os_expiry_1_missing_tag_never_expires() {
    for list in [
        &[][..],
        &[&["d", "x"][..], &["t", "openslots"]][..],
        &[&["Expiration", "1"][..]][..], // tag names are case-sensitive
        &[&["EXPIRATION", "1"][..]][..],
        &[&["expiration ", "1"][..]][..],
        &[&[" expiration", "1"][..]][..],
        &[&["expires", "1"][..]][..],
        &[&["x", "expiration", "1"][..]][..], // the name is the first element
    ] {
        assert_eq!(spec_expiration(list), None, "{list:?}");
        for now in [0, NOW, u64::MAX] {
            assert!(!spec_expired(list, now), "{list:?}");
        }
    }
}

#[test]
fn os_expiry_1_first_tag_counts() {
    // §12.1: ["expiration","1"], ["expiration","9999999999"] -> 1.
    let list: &[&[&str]] = &[&["expiration", "1"], &["expiration", "9999999999"]];
    assert_eq!(spec_expiration(list), Some(1));
    assert!(spec_expired(list, NOW));
    // The other way round: 9999999999 counts, so not expired at NOW.
    let list: &[&[&str]] = &[&["expiration", "9999999999"], &["expiration", "1"]];
    assert_eq!(spec_expiration(list), Some(9_999_999_999));
    assert!(!spec_expired(list, NOW));
    // Other tags before it do not matter.
    let list: &[&[&str]] = &[
        &["d", "1"],
        &["t", "openslots"],
        &["expiration", "7"],
        &["expiration", "1"],
    ];
    assert_eq!(spec_expiration(list), Some(7));
}

#[test]
fn os_expiry_1_malformed_first_tag_hides_later_tags() {
    // A malformed first tag means "never", and later tags MUST be ignored.
    for first in [
        &["expiration", "x"][..],
        &["expiration", ""],
        &["expiration", "+1"],
    ] {
        let list: &[&[&str]] = &[first, &["expiration", "1"]];
        assert_eq!(spec_expiration(list), None, "{list:?}");
        assert!(!spec_expired(list, NOW), "{list:?}");
    }
    // A first tag without a value, then a valid one.
    let list: &[&[&str]] = &[&["expiration"], &["expiration", "1"]];
    assert_eq!(spec_expiration(list), None);
    assert!(!spec_expired(list, NOW));
}

#[test]
fn os_expiry_1_further_tag_elements_are_ignored() {
    let list: &[&[&str]] = &[&["expiration", "5", "extra", ""]];
    assert_eq!(spec_expiration(list), Some(5));
    assert!(spec_expired(list, 6));
    let list: &[&[&str]] = &[&["expiration", "x", "5"]];
    assert_eq!(spec_expiration(list), None);
}

#[test]
fn os_expiry_1_empty_tag_in_a_tag_list_is_skipped() {
    // Only through tag lists: nostr cannot hold an empty tag.
    let t: Vec<Vec<String>> = vec![vec![], tags(&[&["expiration", "5"]]).remove(0)];
    assert_eq!(expiry::get_expiration(&t), Some(5));
    assert!(expiry::is_expired_at(&t, 6));
    assert!(Expiring::is_expired_at(t.as_slice(), 6));
}

// ---- OS-EXPIRY-2: expiration < now ---------------------------------------------

#[test]
fn os_expiry_2_equal_to_now_is_not_expired() {
    assert!(!spec_expired(&[&["expiration", "1749546000"]], NOW));
    assert!(!spec_expired(&[&["expiration", "0"]], 0));
    assert!(!spec_expired(
        &[&["expiration", "18446744073709551615"]],
        u64::MAX
    ));
    assert!(!expiry::expired_at(Some(NOW), NOW));
}

#[test]
fn os_expiry_2_one_second_later_is_expired() {
    assert!(spec_expired(&[&["expiration", "1749546000"]], NOW + 1));
    assert!(spec_expired(&[&["expiration", "1749545999"]], NOW));
    assert!(spec_expired(&[&["expiration", "0"]], 1));
    assert!(spec_expired(
        &[&["expiration", "18446744073709551614"]],
        u64::MAX
    ));
    assert!(expiry::expired_at(Some(NOW), NOW + 1));
}

#[test]
fn os_expiry_2_before_the_expiration_is_not_expired() {
    assert!(!spec_expired(&[&["expiration", "1749546000"]], NOW - 1));
    assert!(!spec_expired(&[&["expiration", "1749546000"]], 0));
    assert!(!spec_expired(
        &[&["expiration", "18446744073709551615"]],
        NOW
    ));
}

#[test]
fn os_expiry_2_no_expiration_is_never_expired() {
    for now in [0, 1, NOW, u64::MAX] {
        assert!(!expiry::expired_at(None, now));
        assert!(!spec_expired(&[], now));
    }
}

/// A row of the §12.1 table: tags, expiration, expired at `NOW`.
type Row<'a> = (&'a [&'a [&'a str]], Option<u64>, bool);

#[test]
fn os_expiry_2_spec_table_of_section_12_1() {
    // now = 1749546000; (tags, expiration, expired)
    let cases: &[Row<'_>] = &[
        (&[], None, false),
        (&[&["expiration", "1749546000"]], Some(1_749_546_000), false),
        (&[&["expiration", "1749545999"]], Some(1_749_545_999), true),
        (
            &[&["expiration", "0001749545999"]],
            Some(1_749_545_999),
            true,
        ),
        (&[&["expiration", "+1749545999"]], None, false),
        (&[&["expiration", " 1749545999"]], None, false),
        (&[&["expiration", "1.5"]], None, false),
        (&[&["expiration", "1e9"]], None, false),
        (&[&["expiration", "0x10"]], None, false),
        (&[&["expiration", ""]], None, false),
        (&[&["expiration", "18446744073709551616"]], None, false),
        (&[&["expiration"]], None, false),
        (
            &[&["expiration", "1"], &["expiration", "9999999999"]],
            Some(1),
            true,
        ),
    ];
    for (list, expiration, expired) in cases {
        assert_eq!(spec_expiration(list), *expiration, "{list:?}");
        assert_eq!(spec_expired(list, NOW), *expired, "{list:?}");
    }
}

#[test]
fn os_expiry_1_tag_constructors_write_the_decimal_value() {
    assert_eq!(
        expiry::expiration_tag(1_749_546_000),
        ["expiration".to_owned(), "1749546000".to_owned()]
    );
    assert_eq!(
        expiry::expiration_tag(0),
        ["expiration".to_owned(), "0".to_owned()]
    );
    assert_eq!(
        expiry::expiration_tag(u64::MAX),
        ["expiration".to_owned(), "18446744073709551615".to_owned()]
    );
    assert_eq!(
        expiry::expiration_nostr_tag(1_749_546_000).as_slice(),
        &["expiration".to_owned(), "1749546000".to_owned()]
    );
}

// ---- the nostr crate's NIP-40 handling, compared ------------------------------

/// nostr's verdict: its inherent `Event::is_expired_at(Timestamp)`.
fn nostr_expired(tag_list: &[&[&str]], now: u64) -> bool {
    event_with(tag_list).is_expired_at(Timestamp::from_secs(now))
}

#[test]
fn nostr_agrees_with_the_spec_on_well_formed_values() {
    for v in [
        "0",
        "1",
        "1749545999",
        "1749546000",
        "1749546001",
        "0001749545999",
        "00000000001749545999",
        "18446744073709551615",
    ] {
        for now in [0, 1, NOW - 1, NOW, NOW + 1, u64::MAX] {
            let list: &[&[&str]] = &[&["expiration", v]];
            assert_eq!(
                nostr_expired(list, now),
                spec_expired(list, now),
                "{v:?} at {now}"
            );
        }
    }
    // First tag counts in both.
    let list: &[&[&str]] = &[&["expiration", "1"], &["expiration", "9999999999"]];
    assert!(nostr_expired(list, NOW));
    let list: &[&[&str]] = &[&["expiration", "x"], &["expiration", "1"]];
    assert!(!nostr_expired(list, NOW));
    let list: &[&[&str]] = &[&["expiration"], &["expiration", "1"]];
    assert!(!nostr_expired(list, NOW));
    assert!(!nostr_expired(&[], NOW));
}

#[test]
fn nostr_differs_from_the_spec_on_these_values() {
    // Every value of MALFORMED at now = u64::MAX (the spec: never expired),
    // and the ones nostr nevertheless reads as a timestamp.
    let differing: Vec<&str> = MALFORMED
        .iter()
        .copied()
        .filter(|v| {
            let list: &[&[&str]] = &[&["expiration", v]];
            nostr_expired(list, u64::MAX) != spec_expired(list, u64::MAX)
        })
        .collect();
    assert_eq!(
        differing,
        [
            "+1",
            "+1749545999",
            "+0",
            "000000000000000000001",
            "000000000001749545999",
        ],
        "the values on which nostr {} and the spec disagree",
        "0.45"
    );
    // At the spec's `now`, the spec table's "+1749545999" row: nostr says
    // expired, the spec says never expires.
    let list: &[&[&str]] = &[&["expiration", "+1749545999"]];
    assert!(nostr_expired(list, NOW));
    assert!(!spec_expired(list, NOW));
    // The trait is the spec's even though `Event` has an inherent method of
    // the same name.
    let event = event_with(list);
    assert!(event.is_expired_at(Timestamp::from_secs(NOW)));
    assert!(!Expiring::is_expired_at(&event, NOW));
}
