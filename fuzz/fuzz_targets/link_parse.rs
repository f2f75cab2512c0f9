//! Link parsing (spec §4): never panics, and every accepted link is in its
//! one canonical form (OS-LINK-7): formatting it gives the input back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslots::link::Link;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(link) = Link::parse(text) {
        assert_eq!(link.to_string(), text, "accepted a non-canonical link");
    }
});
