//! `expiry.json`: NIP-40 expiry (spec §12).

use openslots::expiry;
use openslots_vectors::{ExpiryExpected, ExpiryFile, ExpiryInput, Nothing};

use crate::{Expect, Suite};

const NOW: u64 = 1_749_546_000;

pub(crate) fn suite() -> ExpiryFile {
    let mut s: Suite<ExpiryInput, Nothing, ExpiryExpected> = Suite::new("expiry");
    s.note("Malformed", "The first expiration tag's value is not 1 to 20 ASCII digits fitting u64: the event never expires (OS-EXPIRY-1).");
    s.note("NostrCrateDiffers", "The nostr crate 0.45 reads this value differently (it accepts a '+' sign and more than 20 digits).");
    let t = |v: &[&[&str]]| -> Vec<Vec<String>> {
        v.iter()
            .map(|t| t.iter().map(|x| (*x).to_owned()).collect())
            .collect()
    };
    type ExpiryCase<'a> = (&'a str, &'a [&'a str], &'a str, Vec<Vec<String>>, u64);
    let cases: Vec<ExpiryCase> = vec![
        ("no tags: never expires", &[], "OS-EXPIRY-1", t(&[]), NOW),
        ("only a d tag", &[], "OS-EXPIRY-1", t(&[&["d", "x"]]), NOW),
        (
            "expiration one second before now: expired",
            &[],
            "OS-EXPIRY-2",
            t(&[&["expiration", "1749545999"]]),
            NOW,
        ),
        (
            "expiration equal to now: still valid",
            &[],
            "OS-EXPIRY-2",
            t(&[&["expiration", "1749546000"]]),
            NOW,
        ),
        (
            "expiration one second after now",
            &[],
            "OS-EXPIRY-2",
            t(&[&["expiration", "1749546001"]]),
            NOW,
        ),
        (
            "expiration 0 at now 0: valid",
            &[],
            "OS-EXPIRY-2",
            t(&[&["expiration", "0"]]),
            0,
        ),
        (
            "expiration 0 at now 1: expired",
            &[],
            "OS-EXPIRY-2",
            t(&[&["expiration", "0"]]),
            1,
        ),
        (
            "u64::MAX: far future",
            &[],
            "OS-EXPIRY-1",
            t(&[&["expiration", "18446744073709551615"]]),
            NOW,
        ),
        (
            "leading zeros are digits",
            &[],
            "OS-EXPIRY-1",
            t(&[&["expiration", "0001749545999"]]),
            NOW,
        ),
        (
            "the first tag counts, later ones are ignored",
            &[],
            "OS-EXPIRY-1",
            t(&[&["expiration", "1749545999"], &["expiration", "9999999999"]]),
            NOW,
        ),
        (
            "a later expired tag is ignored",
            &[],
            "OS-EXPIRY-1",
            t(&[&["expiration", "9999999999"], &["expiration", "1"]]),
            NOW,
        ),
        (
            "expiration after other tags",
            &[],
            "OS-EXPIRY-1",
            t(&[&["d", "x"], &["t", "openslots"], &["expiration", "1"]]),
            NOW,
        ),
        (
            "extra elements after the value are ignored",
            &[],
            "OS-EXPIRY-1",
            t(&[&["expiration", "1", "extra"]]),
            NOW,
        ),
        (
            "u64::MAX + 1 overflows",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "18446744073709551616"]]),
            NOW,
        ),
        (
            "21 digits",
            &["Malformed", "NostrCrateDiffers"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "000000000000000000001"]]),
            NOW,
        ),
        (
            "empty value",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", ""]]),
            NOW,
        ),
        (
            "no value",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration"]]),
            NOW,
        ),
        (
            "a malformed first tag hides a valid second one",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "soon"], &["expiration", "1"]]),
            NOW,
        ),
        (
            "plus sign",
            &["Malformed", "NostrCrateDiffers"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "+1"]]),
            NOW,
        ),
        (
            "minus sign",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "-1"]]),
            NOW,
        ),
        (
            "leading space",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", " 1"]]),
            NOW,
        ),
        (
            "trailing space",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "1 "]]),
            NOW,
        ),
        (
            "trailing newline",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "1\n"]]),
            NOW,
        ),
        (
            "fraction",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "1.0"]]),
            NOW,
        ),
        (
            "exponent",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "1e3"]]),
            NOW,
        ),
        (
            "hexadecimal",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "0x10"]]),
            NOW,
        ),
        (
            "full-width digits",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "１２"]]),
            NOW,
        ),
        (
            "Arabic-Indic digits",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "١٢"]]),
            NOW,
        ),
        (
            "a date instead of seconds",
            &["Malformed"],
            "OS-EXPIRY-1",
            t(&[&["expiration", "2025-06-09T00:00:00Z"]]),
            NOW,
        ),
        (
            "milliseconds are read as seconds: far future",
            &[],
            "OS-EXPIRY-1",
            t(&[&["expiration", "1749545999000"]]),
            NOW,
        ),
        (
            "tag name in upper case is another tag",
            &[],
            "OS-EXPIRY-1",
            t(&[&["Expiration", "1"]]),
            NOW,
        ),
        (
            "an 'expiration' value in another tag does not count",
            &[],
            "OS-EXPIRY-1",
            t(&[&["t", "expiration", "1"]]),
            NOW,
        ),
    ];
    for (comment, flags, req, tags, now) in cases {
        let expiration = expiry::get_expiration(&tags);
        let expired = expiry::is_expired_at(&tags, now);
        s.push(
            "any",
            "get_expiration",
            comment,
            flags,
            &[req],
            ExpiryInput {
                tags: Some(tags),
                now: Some(now),
            },
            None,
            Ok(ExpiryExpected {
                expiration,
                expired,
            }),
            Expect::Reference,
        );
    }
    s.finish()
}
