//! Link parsing (spec §4). Input: the link, as UTF-8 text.
//!
//! Invariants, beyond never panicking:
//! - the result equals that of an independent implementation of the parsing
//!   algorithm of spec §4.3 (`oracle::link::parse`): the same error code for a
//!   rejected link (the first failing step gives the error), the same origin,
//!   room id, key and host for an accepted one;
//! - every error's requirement is an `OS-LINK-*` ID;
//! - an accepted link is in its one canonical form: formatting it gives the
//!   input back, and parsing that gives the same link (OS-LINK-5, OS-LINK-7).
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslots::SpecError;
use openslots::link::Link;
use openslots_fuzz::oracle;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let got = Link::parse(text);
    let want = oracle::link::parse(text);
    match (&got, &want) {
        (Err(e), Err((code, _))) => {
            assert_eq!(
                e.code().as_str(),
                *code,
                "error code differs from spec §4.3 for {text:?}"
            );
            assert!(e.requirement().starts_with("OS-LINK-"), "{e:?}");
        }
        (Ok(link), Ok(read)) => {
            assert_eq!(link.origin, read.origin, "origin of {text:?}");
            assert_eq!(link.room_id, read.room_id, "room id of {text:?}");
            assert_eq!(link.key.as_bytes(), &read.key, "key of {text:?}");
            assert_eq!(
                link.host().map(|h| *h.as_bytes()),
                read.host,
                "host key of {text:?}"
            );
            let formatted = link.to_string();
            assert_eq!(formatted, text, "accepted a non-canonical link");
            assert_eq!(Link::parse(&formatted).as_ref().ok(), Some(link));
        }
        _ => panic!("{text:?}: reference {got:?}, spec §4.3 {want:?}"),
    }
});
