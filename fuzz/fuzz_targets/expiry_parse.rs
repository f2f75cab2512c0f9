//! NIP-40 expiration (spec §12). Input: UTF-8 text; the first line is `now`
//! in decimal (anything else means the §11.6 expiration), every further line
//! is a tag whose elements are separated by tabs.
//!
//! Invariants, beyond never panicking:
//! - `parse_expiration_value` and `get_expiration` equal an independent
//!   reading of OS-EXPIRY-1 (the first `expiration` tag counts; 1 to 20 ASCII
//!   digits that fit in 64 bits, anything else never expires);
//! - expiry is `expiration < now`, strictly (OS-EXPIRY-2), in every entry
//!   point: the free functions, the `Expiring` trait on tag lists and on a
//!   `nostr` event carrying the same tags;
//! - a written expiration tag reads back as its value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nostr::event::Tag;
use openslots::expiry::{self, Expiring};
use openslots_fuzz::{EXPIRATION, oracle};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let now = lines
        .next()
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(EXPIRATION);
    let tags: Vec<Vec<String>> = lines
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();

    for value in tags.iter().flatten() {
        assert_eq!(
            expiry::parse_expiration_value(value),
            oracle::expiry::value(value),
            "OS-EXPIRY-1 on {value:?}"
        );
    }
    let want = oracle::expiry::expiration(&tags);
    let expired = want.is_some_and(|e| e < now);
    assert_eq!(
        expiry::get_expiration(&tags),
        want,
        "OS-EXPIRY-1 on {tags:?}"
    );
    assert_eq!(expiry::expired_at(want, now), expired, "OS-EXPIRY-2");
    assert_eq!(expiry::is_expired_at(&tags, now), expired);
    assert_eq!(tags.as_slice().get_expiration(), want);
    assert_eq!(Expiring::is_expired_at(tags.as_slice(), now), expired);

    // The same tags on an event (a tag needs a name: empty ones cannot exist).
    let kept: Vec<Vec<String>> = tags.iter().filter(|t| !t.is_empty()).cloned().collect();
    let parsed: Vec<Tag> = kept
        .iter()
        .filter_map(|t| Tag::parse(t.clone()).ok())
        .collect();
    if parsed.len() == kept.len() {
        let event = openslots_fuzz::unsigned_event(30_078, parsed, "");
        let want = oracle::expiry::expiration(&kept);
        assert_eq!(Expiring::get_expiration(&event), want);
        assert_eq!(
            Expiring::is_expired_at(&event, now),
            want.is_some_and(|e| e < now)
        );
    }

    // Writing.
    let [name, value] = expiry::expiration_tag(now);
    assert_eq!(name, "expiration");
    assert_eq!(expiry::parse_expiration_value(&value), Some(now));
    let tag = expiry::expiration_nostr_tag(now);
    assert_eq!(tag.as_slice(), [name, value].as_slice());
});
