//! Booking payloads (spec §19.1, OS-BOOK-2, OS-BOOK-4). Input: a plaintext,
//! as UTF-8 text, read as a request bound to the example room and the §11.6
//! participant, and as a room whose `book` member is read.
//!
//! Invariants, beyond never panicking:
//! - every rejection carries a code of the spec's booking or payload
//!   vocabulary and the requirement that names it;
//! - an accepted request has strictly ascending slots, at most 48, a
//!   commitment exactly when it has slots, a nonce when it has none, and
//!   writes back (OS-BOOK-4) to a text that reads back to the same request;
//! - an accepted `book` member is within its ranges (OS-BOOK-2).
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslots::SpecError;
use openslots::booking::{BookOffer, BookingRequest, MAX_CAP, MAX_SLOTS};
use openslots_fuzz::{ROOM_ID, V2_PARTICIPANT_PK};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match BookingRequest::parse(text, ROOM_ID, V2_PARTICIPANT_PK) {
        Ok(r) => {
            assert!(r.slots.windows(2).all(|w| w[0] < w[1]));
            assert!(r.slots.len() <= MAX_SLOTS);
            assert_eq!(r.commit.is_some(), !r.slots.is_empty());
            if r.slots.is_empty() {
                assert!(r.reveal.is_some());
            }
            let again = r.to_json(ROOM_ID, V2_PARTICIPANT_PK);
            let back = BookingRequest::parse(&again, ROOM_ID, V2_PARTICIPANT_PK);
            assert_eq!(back.as_ref(), Ok(&r), "{again}");
        }
        Err(e) => {
            let code = e.code().as_str();
            assert!(
                code.starts_with("payload-") || code == "book-request",
                "{code}"
            );
            assert!(e.requirement().starts_with("OS-"));
        }
    }
    match BookOffer::from_room_plaintext(text) {
        Ok(b) => {
            assert!((1..=MAX_CAP).contains(&i64::from(b.cap)));
            assert!((1..=MAX_SLOTS as u32).contains(&b.max));
        }
        Err(e) => {
            let code = e.code().as_str();
            assert!(code == "payload-json" || code == "book-room", "{code}");
        }
    }
});
