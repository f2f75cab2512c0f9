//! NIP-44 encryption then decryption (spec §7.2, §7.3) with arbitrary keys,
//! nonces and plaintexts. Input: key (32 bytes), nonce (32 bytes), a bit
//! position (4 bytes, little-endian), then the plaintext (the rest).
//!
//! Invariants, beyond never panicking:
//! - encryption succeeds exactly for plaintexts of 1 to 65,535 bytes
//!   (OS-CIPHER-9), and its payload is byte for byte the `nostr` crate's;
//! - the payload has NIP-44's size, `0x02 ‖ nonce ‖ ciphertext ‖ mac`, with
//!   the padded length of NIP-44's formula;
//! - every decryption entry point gives the plaintext back (or, for
//!   `decrypt`, `cipher-utf8` exactly when it is not UTF-8), and so does
//!   `nostr`;
//! - `encrypt_traced` agrees with `encrypt_with_nonce`, and `pad`/`unpad`
//!   are inverse;
//! - flipping any one bit of the payload is refused: `cipher-version` in the
//!   version byte, `cipher-mac` anywhere else (OS-CIPHER-7), and so is the
//!   payload under another key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nostr::nips::nip44::v2 as nostr44;
use openslots::cipher::{self, CipherError, ConversationKey};
use openslots_fuzz::oracle;

fuzz_target!(|data: &[u8]| {
    let Some((key_bytes, rest)) = data.split_first_chunk::<32>() else {
        return;
    };
    let Some((nonce, rest)) = rest.split_first_chunk::<32>() else {
        return;
    };
    let Some((bit, plaintext)) = rest.split_first_chunk::<4>() else {
        return;
    };
    let key = ConversationKey::from_bytes(*key_bytes);
    let payload = cipher::encrypt_with_nonce(&key, plaintext, nonce);
    let nostr_raw = nostr44::encrypt_to_bytes_with_nonce(
        &nostr44::ConversationKey::new(*key_bytes),
        plaintext,
        *nonce,
    );
    if !(1..=65_535).contains(&plaintext.len()) {
        assert_eq!(payload, Err(CipherError::PlaintextLength));
        assert_eq!(cipher::pad(plaintext), Err(CipherError::PlaintextLength));
        return;
    }
    let payload = payload.expect("a plaintext of 1..=65535 bytes encrypts");
    let raw = oracle::base64::decode(&payload).expect("the payload is canonical base64");
    assert_eq!(oracle::base64::encode(&raw), payload);
    assert_eq!(
        nostr_raw.ok().as_ref(),
        Some(&raw),
        "payload differs from nostr's"
    );

    // Layout and sizes.
    let padded = oracle::cipher::calc_padded_len(plaintext.len() as u64) as usize;
    assert_eq!(raw.len(), 1 + 32 + 2 + padded + 32);
    assert_eq!(raw[0], 2);
    assert_eq!(&raw[1..33], nonce);
    assert_eq!(cipher::calc_padded_len(plaintext.len()), padded);

    // Every way back.
    assert_eq!(
        cipher::decrypt_to_bytes(&key, &payload).as_deref(),
        Ok(plaintext)
    );
    assert_eq!(cipher::decrypt_raw(&key, &raw).as_deref(), Ok(plaintext));
    assert_eq!(
        cipher::decrypt(&key, &payload),
        String::from_utf8(plaintext.to_vec()).map_err(|_| CipherError::Utf8)
    );
    let theirs = nostr44::decrypt_to_bytes(&nostr44::ConversationKey::new(*key_bytes), &raw);
    assert_eq!(theirs.ok().as_deref(), Some(plaintext));

    // The traced encryption and the padding helpers.
    let trace = cipher::encrypt_traced(&key, plaintext, nonce).expect("traced encryption");
    assert_eq!(trace.payload, payload);
    assert_eq!(trace.payload_bytes, raw);
    assert_eq!(&trace.nonce, nonce);
    let padded_plaintext = cipher::pad(plaintext).expect("pads");
    assert_eq!(trace.padded_plaintext, padded_plaintext);
    assert_eq!(padded_plaintext.len(), 2 + padded);
    assert_eq!(cipher::unpad(&padded_plaintext), Ok(plaintext));
    assert_eq!(trace.ciphertext, raw[33..raw.len() - 32]);
    assert_eq!(trace.mac, raw[raw.len() - 32..]);

    // One flipped bit, anywhere.
    let bit = u32::from_le_bytes(*bit) as usize % (raw.len() * 8);
    let mut flipped = raw.clone();
    flipped[bit / 8] ^= 1 << (bit % 8);
    let want = if bit < 8 {
        CipherError::Version
    } else {
        CipherError::Mac
    };
    assert_eq!(cipher::decrypt_raw(&key, &flipped), Err(want));
    assert_eq!(
        cipher::decrypt_to_bytes(&key, &oracle::base64::encode(&flipped)),
        Err(want)
    );

    // Another key.
    let mut other = *key_bytes;
    other[bit % 32] ^= 1 << (bit % 8);
    assert_eq!(
        cipher::decrypt_raw(&ConversationKey::from_bytes(other), &raw),
        Err(CipherError::Mac)
    );
});
