//! Wrappers and wrapper set contents (spec §19.2): the parsers and the open
//! path of `openslots::wrap`, judged by the independent oracle. Input: a
//! selector byte, then:
//!
//! - selector 0 mod 3: a wrapper's bytes, parsed (OS-WRAP-11) and opened
//!   with a fixed intermediate, group and epoch (no scrypt);
//! - selector 1 mod 3: a set content (UTF-8), parsed (OS-WRAP-12) and
//!   searched with a fixed intermediate (OS-WRAP-13, no scrypt);
//! - selector 2 mod 3: a wrapper's bytes opened from the passphrase `fuzz`
//!   (OS-WRAP-11 with the derivation), only when its LOG_N is at most 4 or
//!   out of bounds: a LOG_N above 20 must be refused before scrypt runs.
//!
//! Invariants, beyond never panicking: the error code of every parse is the
//! oracle's (length, then version, then LOG_N); a wrapper that parses has
//! 106 bytes, version 1 and LOG_N 1..=20; opening gives the oracle's result
//! (every authentication failure `wrap-open`); a set that parses has 1 to
//! 512 wrappers sharing LOG_N and salt in strictly ascending locator order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openslots::SpecError;
use openslots::wrap::{self, GroupId, Intermediate, Wrapper, WrapperSet};
use openslots_oracle::wrap as oracle;

const I: [u8; 32] = [0x11; 32];
const G: [u8; 32] = [0x22; 32];
const EPOCH: u64 = 20_000;

fn code<T>(r: &Result<T, wrap::WrapError>) -> Option<&'static str> {
    r.as_ref().err().map(|e| e.code().as_str())
}

fn one_wrapper(bytes: &[u8]) {
    let parsed = Wrapper::parse(bytes);
    assert_eq!(
        code(&parsed),
        oracle::check_wrapper(bytes).err().map(|f| f.0)
    );
    let Ok(w) = parsed else { return };
    assert_eq!(w.as_bytes().len(), 106);
    assert!((1..=20).contains(&w.log_n()));
    let opened = wrap::open(
        &Intermediate::from_bytes(I),
        &GroupId::from_bytes(G),
        EPOCH,
        &w,
    );
    let want = oracle::open(&I, &G, EPOCH, bytes);
    match (&opened, &want) {
        (Ok(s), Ok(t)) => assert_eq!(s.as_bytes(), t),
        (Err(e), Err(f)) => assert_eq!(e.code().as_str(), f.0),
        _ => panic!("the reference and the oracle disagree on opening"),
    }
}

fn a_set(content: &str) {
    let parsed = WrapperSet::parse(content);
    let want = oracle::parse_set(content);
    assert_eq!(code(&parsed), want.as_ref().err().map(|f| f.0));
    let Ok(set) = parsed else { return };
    assert!((1..=512).contains(&set.wrappers.len()));
    for pair in set.wrappers.windows(2) {
        assert!(pair[0].locator() < pair[1].locator());
        assert_eq!(pair[0].salt(), pair[1].salt());
        assert_eq!(pair[0].log_n(), pair[1].log_n());
    }
    assert_eq!(
        set.to_content(),
        content,
        "a set that parses re-encodes to its input"
    );
    let found = wrap::open_set_with_intermediate(
        &Intermediate::from_bytes(I),
        &GroupId::from_bytes(G),
        &set,
    );
    let (loc, _) = oracle::member_keys(&I, &G, set.epoch);
    if set.find(&loc).is_none() {
        assert_eq!(code(&found), Some("wrap-not-member"));
    }
}

fn with_passphrase(bytes: &[u8]) {
    if bytes.len() == 106 && bytes[0] == 1 && (5..=20).contains(&bytes[1]) {
        return; // a real derivation at a cost the target does not pay
    }
    let r = wrap::open_with_passphrase("fuzz", &GroupId::from_bytes(G), EPOCH, bytes);
    let want = oracle::open_with_passphrase("fuzz", &G, EPOCH, bytes);
    match (&r, &want) {
        (Ok(s), Ok(t)) => assert_eq!(s.as_bytes(), t),
        (Err(e), Err(f)) => assert_eq!(e.code().as_str(), f.0),
        _ => panic!("the reference and the oracle disagree on opening"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => one_wrapper(rest),
        1 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                a_set(text);
            }
        }
        _ => with_passphrase(rest),
    }
});
