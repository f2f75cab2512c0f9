//! NIP-44 decryption (spec §7.3). Input: a 32-byte conversation key, then the
//! rest, which the target reads twice:
//!
//! 1. as a base64 payload (when it is UTF-8), and
//! 2. as a *padded plaintext* (`u16_be(len) ‖ plaintext ‖ zeros`, or any
//!    bytes at all), which the target seals itself with ChaCha20 and a valid
//!    HMAC, so that the checks after the MAC (padding, length prefix) see
//!    arbitrary bytes too.
//!
//! Invariants, beyond never panicking:
//! - the checks before the MAC give the code that spec §7.3's order gives
//!   (version marker, encoded length, canonical base64 by an independent
//!   decoder, decoded length, version byte);
//! - `decrypt`, `decrypt_to_bytes` and `decrypt_raw` agree with each other;
//! - the result equals the `nostr` crate's NIP-44 v2 on the same decoded
//!   bytes (plaintext or failure), and, for sealed input, an independent
//!   unpadding by NIP-44's formula;
//! - whatever decrypts re-encrypts, under the nonce it carried, to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nostr::nips::nip44::v2 as nostr44;
use openslots::cipher::{self, CipherError, ConversationKey};
use openslots::{ErrorCode, SpecError};
use openslots_fuzz::oracle;

/// Spec §7.3's checks before the MAC, in order, on a base64 payload.
fn before_mac(payload: &str) -> Result<Vec<u8>, ErrorCode> {
    if payload.is_empty() || payload.starts_with('#') {
        return Err(ErrorCode::CipherVersion);
    }
    // Counted in characters (OS-CIPHER-5).
    if !(132..=87_472).contains(&payload.chars().count()) {
        return Err(ErrorCode::CipherLength);
    }
    let raw = oracle::base64::decode(payload).ok_or(ErrorCode::CipherBase64)?;
    if !(99..=65_603).contains(&raw.len()) {
        return Err(ErrorCode::CipherLength);
    }
    if raw[0] != 2 {
        return Err(ErrorCode::CipherVersion);
    }
    Ok(raw)
}

/// Compares our decryption of decoded bytes with the `nostr` crate's.
fn same_as_nostr(key: &[u8; 32], raw: &[u8], ours: &Result<Vec<u8>, CipherError>) {
    // nostr does not look at the version byte or our upper length limit.
    if raw.first() != Some(&2) || !(99..=65_603).contains(&raw.len()) {
        return;
    }
    let theirs = nostr44::decrypt_to_bytes(&nostr44::ConversationKey::new(*key), raw);
    match (ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "plaintexts differ from nostr"),
        (Err(_), Err(_)) => {}
        _ => panic!("reference {ours:?}, nostr {theirs:?}"),
    }
}

/// Every entry point on one payload, checked against each other.
fn decrypt_all(key: &ConversationKey, payload: &str) -> Result<Vec<u8>, CipherError> {
    let bytes = cipher::decrypt_to_bytes(key, payload);
    let text = cipher::decrypt(key, payload);
    let want_text = bytes
        .clone()
        .and_then(|b| String::from_utf8(b).map_err(|_| CipherError::Utf8));
    assert_eq!(text, want_text, "decrypt and decrypt_to_bytes disagree");
    if let Ok(raw) = cipher::decode_payload(payload) {
        assert_eq!(
            cipher::decrypt_raw(key, &raw),
            bytes,
            "decrypt_raw disagrees"
        );
    }
    if let Err(e) = &bytes {
        assert!(e.requirement().starts_with("OS-CIPHER-"), "{e:?}");
    }
    bytes
}

/// `0x02 ‖ nonce ‖ ChaCha20(padded) ‖ HMAC`, built by the independent judge.
fn seal(key: &[u8; 32], nonce: &[u8; 32], padded: &[u8]) -> Vec<u8> {
    oracle::cipher::seal_padded_raw(key, nonce, padded)
}

/// What NIP-44 makes of a sealed padded buffer.
fn unpad_oracle(padded: &[u8]) -> Result<Vec<u8>, CipherError> {
    let total = 1 + 32 + padded.len() + 32;
    if !(99..=65_603).contains(&total) {
        return Err(CipherError::Length);
    }
    let len = u64::from(u16::from_be_bytes([padded[0], padded[1]]));
    if len == 0 || (padded.len() - 2) as u64 != oracle::cipher::calc_padded_len(len) {
        return Err(CipherError::Padding);
    }
    Ok(padded[2..2 + len as usize].to_vec())
}

fuzz_target!(|data: &[u8]| {
    let Some((key_bytes, rest)) = data.split_first_chunk::<32>() else {
        return;
    };
    let key = ConversationKey::from_bytes(*key_bytes);

    // 1. The rest as a base64 payload.
    if let Ok(payload) = std::str::from_utf8(rest) {
        let got = decrypt_all(&key, payload);
        match before_mac(payload) {
            Err(code) => assert_eq!(
                got.as_ref().map_err(SpecError::code).err(),
                Some(code),
                "spec §7.3 order"
            ),
            Ok(raw) => {
                if let Err(e) = &got {
                    assert!(
                        matches!(e, CipherError::Mac | CipherError::Padding),
                        "{e:?} after the checks before the MAC passed"
                    );
                }
                same_as_nostr(key_bytes, &raw, &got);
                if let Ok(plaintext) = &got {
                    assert!((1..=65_535).contains(&plaintext.len()));
                    let nonce: [u8; 32] = raw[1..33].try_into().unwrap_or([0; 32]);
                    let again = cipher::encrypt_with_nonce(&key, plaintext, &nonce);
                    assert_eq!(
                        again.as_deref(),
                        Ok(payload),
                        "does not re-encrypt to itself"
                    );
                }
            }
        }
    }

    // 2. The rest as a padded plaintext, sealed with a valid MAC.
    let nonce: [u8; 32] = core::array::from_fn(|i| key_bytes[31 - i] ^ 0x5c);
    let raw = seal(key_bytes, &nonce, rest);
    let ours = cipher::decrypt_raw(&key, &raw);
    assert_eq!(ours, unpad_oracle(rest), "NIP-44 unpadding of {rest:?}");
    if (99..=65_603).contains(&raw.len()) {
        let payload = oracle::base64::encode(&raw);
        assert_eq!(decrypt_all(&key, &payload), ours, "base64 path differs");
        same_as_nostr(key_bytes, &raw, &ours);
    }
});
