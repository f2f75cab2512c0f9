//! Payload encryption (spec §7): NIP-44 v2 with K_enc as the conversation
//! key. [`seal`] follows §7.2 (OS-CIPHER-9, OS-CIPHER-1), [`open`] the
//! checks of §7.3 in their order (OS-CIPHER-4 .. OS-CIPHER-8, OS-CIPHER-10),
//! with NIP-44's padding ([`calc_padded_len`]) as the NIP writes it.

use chacha20::cipher::{KeyIvInit, StreamCipher};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Fail;
use crate::kdf::hmac;

/// The shortest payload in characters (99 bytes) and the longest (65603).
pub const PAYLOAD_CHARS: std::ops::RangeInclusive<usize> = 132..=87_472;
/// The shortest and longest decoded payload in bytes.
pub const PAYLOAD_BYTES: std::ops::RangeInclusive<usize> = 99..=65_603;
/// The longest plaintext (OS-CIPHER-9).
pub const MAX_PLAINTEXT: usize = 65_535;

/// NIP-44's `calc_padded_len` (spec §7.2), as the NIP writes it.
pub fn calc_padded_len(len: u64) -> u64 {
    if len <= 32 {
        return 32;
    }
    let mut log2 = 0;
    while (len - 1) >> (log2 + 1) != 0 {
        log2 += 1;
    }
    let next_power = 1u64 << (log2 + 1);
    let chunk = if next_power <= 256 {
        32
    } else {
        next_power / 8
    };
    chunk * ((len - 1) / chunk + 1)
}

/// The message keys of §7.2 step 2: HKDF-Expand (RFC 5869 §2.3) with PRK =
/// the conversation key, info = nonce, L = 76, written out as three HMAC
/// blocks: (chacha_key, chacha_nonce, hmac_key).
pub fn message_keys(key: &[u8; 32], nonce: &[u8]) -> ([u8; 32], [u8; 12], [u8; 32]) {
    let mut okm = Zeroizing::new(Vec::with_capacity(96));
    let mut t: Vec<u8> = Vec::new();
    for counter in 1u8..=3 {
        let mut msg = t.clone();
        msg.extend_from_slice(nonce);
        msg.push(counter);
        t = hmac(key, &msg).to_vec();
        okm.extend_from_slice(&t);
    }
    let mut ck = [0u8; 32];
    let mut cn = [0u8; 12];
    let mut hk = [0u8; 32];
    ck.copy_from_slice(&okm[..32]);
    cn.copy_from_slice(&okm[32..44]);
    hk.copy_from_slice(&okm[44..76]);
    (ck, cn, hk)
}

fn chacha(key: &[u8; 32], nonce: &[u8; 12], buf: &mut [u8]) {
    chacha20::ChaCha20::new(key.into(), nonce.into()).apply_keystream(buf);
}

/// The raw bytes of §7.2 (before base64): `0x02 || nonce || ciphertext ||
/// mac`.
pub fn seal_raw(key: &[u8; 32], plaintext: &[u8], nonce: &[u8; 32]) -> Result<Vec<u8>, Fail> {
    // 1. Plaintext length.
    if plaintext.is_empty() || plaintext.len() > MAX_PLAINTEXT {
        return Err(("cipher-plaintext-length", "OS-CIPHER-9"));
    }
    // 3. Padding (step 2, the message keys, is in `seal_padded_raw`).
    let padded_len = calc_padded_len(plaintext.len() as u64) as usize;
    let mut buf = Vec::with_capacity(2 + padded_len);
    buf.extend_from_slice(&(plaintext.len() as u16).to_be_bytes());
    buf.extend_from_slice(plaintext);
    buf.resize(2 + padded_len, 0);
    Ok(seal_padded_raw(key, nonce, &buf))
}

/// Steps 2 and 4 to 6 of §7.2 on a padded plaintext given as is (the u16
/// length prefix, the plaintext and the zeros): the raw payload with a valid
/// MAC. Nothing checks `padded`, so that tests can seal wrong paddings and
/// lengths that a reader must refuse.
pub fn seal_padded_raw(key: &[u8; 32], nonce: &[u8; 32], padded: &[u8]) -> Vec<u8> {
    // 2. Message keys.
    let (ck, cn, hk) = message_keys(key, nonce);
    // 4. Encryption.
    let mut buf = padded.to_vec();
    chacha(&ck, &cn, &mut buf);
    // 5. MAC over nonce || ciphertext.
    let mut mac_in = nonce.to_vec();
    mac_in.extend_from_slice(&buf);
    let mac = hmac(&hk, &mac_in);
    // 6. Assembly.
    let mut raw = vec![2u8];
    raw.extend_from_slice(nonce);
    raw.extend_from_slice(&buf);
    raw.extend_from_slice(&mac);
    raw
}

/// Spec §7.2: the payload string of a plaintext under `key` with `nonce`.
pub fn seal(key: &[u8; 32], plaintext: &[u8], nonce: &[u8; 32]) -> Result<String, Fail> {
    seal_raw(key, plaintext, nonce).map(|raw| crate::base64::encode(&raw))
}

/// Spec §7.3: the plaintext of a payload under `key`, or the code of the
/// first failing step.
pub fn open(key: &[u8; 32], payload: &str) -> Result<String, Fail> {
    // 1. Empty or '#'.
    if payload.is_empty() || payload.starts_with('#') {
        return Err(("cipher-version", "OS-CIPHER-4"));
    }
    // 2. Encoded length.
    // Counted in characters (Unicode scalar values), OS-CIPHER-5.
    if !PAYLOAD_CHARS.contains(&payload.chars().count()) {
        return Err(("cipher-length", "OS-CIPHER-5"));
    }
    // 3. Canonical base64.
    let raw = crate::base64::decode(payload).ok_or(("cipher-base64", "OS-CIPHER-6"))?;
    // 4. Decoded length.
    if !PAYLOAD_BYTES.contains(&raw.len()) {
        return Err(("cipher-length", "OS-CIPHER-5"));
    }
    // 5. Version byte.
    if raw[0] != 2 {
        return Err(("cipher-version", "OS-CIPHER-4"));
    }
    // 6. MAC, in constant time, before anything is decrypted.
    let (nonce, rest) = raw[1..].split_at(32);
    let (ct, mac) = rest.split_at(rest.len() - 32);
    let (ck, cn, hk) = message_keys(key, nonce);
    let mut mac_in = nonce.to_vec();
    mac_in.extend_from_slice(ct);
    if !bool::from(hmac(&hk, &mac_in).ct_eq(mac)) {
        return Err(("cipher-mac", "OS-CIPHER-7"));
    }
    // 7. Decryption and padding.
    let mut padded = Zeroizing::new(ct.to_vec());
    chacha(&ck, &cn, &mut padded);
    let len = usize::from(u16::from_be_bytes([padded[0], padded[1]]));
    if len == 0 || (padded.len() - 2) as u64 != calc_padded_len(len as u64) {
        return Err(("cipher-padding", "OS-CIPHER-8"));
    }
    // 8. UTF-8.
    String::from_utf8(padded[2..2 + len].to_vec()).map_err(|_| ("cipher-utf8", "OS-CIPHER-10"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn padded_lengths_of_the_spec() {
        for (len, padded) in [
            (1, 32),
            (32, 32),
            (33, 64),
            (100, 128),
            (200, 224),
            (250, 256),
            (320, 320),
            (400, 448),
            (515, 640),
            (900, 1024),
            (65_535, 65_536),
        ] {
            assert_eq!(calc_padded_len(len), padded, "{len}");
        }
    }

    #[test]
    fn seal_and_open_agree_with_the_nostr_crate() {
        use nostr::nips::nip44::v2 as nip44;
        let key = [7u8; 32];
        let nonce = [9u8; 32];
        for text in ["a", "Team sync", &"x".repeat(300)] {
            let ours = seal_raw(&key, text.as_bytes(), &nonce).unwrap();
            let theirs = nip44::encrypt_to_bytes_with_nonce(
                &nip44::ConversationKey::new(key),
                text.as_bytes(),
                nonce,
            )
            .unwrap();
            assert_eq!(ours, theirs);
            assert_eq!(
                open(&key, &seal(&key, text.as_bytes(), &nonce).unwrap()).unwrap(),
                text
            );
        }
        let sealed = seal(&key, b"x", &nonce).unwrap();
        assert_eq!(open(&[8u8; 32], &sealed).unwrap_err().0, "cipher-mac");
        assert_eq!(
            seal(&key, b"", &nonce).unwrap_err().0,
            "cipher-plaintext-length"
        );
    }
}
