//! Member access (spec §19.2, area WRAP), written from the spec text: the
//! passphrase derivation, locators and wrapping keys, wrappers, wrapper set
//! contents, the rotation schedule, the set d-tag and epoch keys.
//!
//! Written apart from the reference: XChaCha20-Poly1305 is composed here
//! from its parts (HChaCha20 written out below, the IETF ChaCha20 stream of
//! the `chacha20` crate, the `poly1305` crate for the one-time MAC, the tag
//! compared with `subtle`), scrypt is RustCrypto's `scrypt` called directly,
//! NFKC is `unicode-normalization`, and HMAC and HKDF come from [`crate::kdf`].

use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use crate::Fail;
use crate::blinding::frame;
use crate::kdf::{hkdf32, hmac};

const PASS: Fail = ("wrap-passphrase", "OS-WRAP-2");
const LOG_N: Fail = ("wrap-log-n", "OS-WRAP-4");
const LENGTH: Fail = ("wrap-length", "OS-WRAP-11");
const VERSION: Fail = ("wrap-version", "OS-WRAP-11");
const OPEN: Fail = ("wrap-open", "OS-WRAP-11");
const SET: Fail = ("wrap-set", "OS-WRAP-12");
const NOT_MEMBER: Fail = ("wrap-not-member", "OS-WRAP-13");
const PARAMS: Fail = ("wrap-params", "OS-WRAP-14");
const WINDOW: Fail = ("wrap-window", "OS-WRAP-14");

/// The ChaCha quarter round on four words of the state.
fn quarter(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// HChaCha20 (draft-irtf-cfrg-xchacha §2.2): 20 rounds over constants, key
/// and the first 16 nonce bytes, no final addition; words 0..4 and 12..16.
fn hchacha20(key: &[u8; 32], n16: &[u8]) -> Zeroizing<[u8; 32]> {
    let word = |b: &[u8], i: usize| {
        u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
    };
    let mut s = [0u32; 16];
    s[0] = 0x6170_7865;
    s[1] = 0x3320_646e;
    s[2] = 0x7962_2d32;
    s[3] = 0x6b20_6574;
    for i in 0..8 {
        s[4 + i] = word(key, i);
    }
    for i in 0..4 {
        s[12 + i] = word(n16, i);
    }
    for _ in 0..10 {
        quarter(&mut s, 0, 4, 8, 12);
        quarter(&mut s, 1, 5, 9, 13);
        quarter(&mut s, 2, 6, 10, 14);
        quarter(&mut s, 3, 7, 11, 15);
        quarter(&mut s, 0, 5, 10, 15);
        quarter(&mut s, 1, 6, 11, 12);
        quarter(&mut s, 2, 7, 8, 13);
        quarter(&mut s, 3, 4, 9, 14);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    for (k, &i) in [0usize, 1, 2, 3, 12, 13, 14, 15].iter().enumerate() {
        out[4 * k..4 * k + 4].copy_from_slice(&s[i].to_le_bytes());
    }
    s.fill(0);
    out
}

/// The Poly1305 tag of RFC 8439 §2.8 over AD and ciphertext.
fn aead_tag(subkey: &[u8; 32], chacha_nonce: &[u8; 12], ad: &[u8], ct: &[u8]) -> [u8; 16] {
    let mut block0 = Zeroizing::new([0u8; 64]);
    chacha20::ChaCha20::new(subkey.into(), chacha_nonce.into()).apply_keystream(&mut *block0);
    let pad = |n: usize| (16 - n % 16) % 16;
    let mut data = Vec::with_capacity(ad.len() + ct.len() + 48);
    data.extend_from_slice(ad);
    data.extend(std::iter::repeat_n(0u8, pad(ad.len())));
    data.extend_from_slice(ct);
    data.extend(std::iter::repeat_n(0u8, pad(ct.len())));
    data.extend_from_slice(&(ad.len() as u64).to_le_bytes());
    data.extend_from_slice(&(ct.len() as u64).to_le_bytes());
    let mac = Poly1305::new((&block0[..32]).into());
    mac.compute_unpadded(&data).into()
}

fn xchacha_parts(key: &[u8; 32], nonce: &[u8; 24]) -> (Zeroizing<[u8; 32]>, [u8; 12]) {
    let subkey = hchacha20(key, &nonce[..16]);
    let mut n12 = [0u8; 12];
    n12[4..].copy_from_slice(&nonce[16..]);
    (subkey, n12)
}

/// XChaCha20-Poly1305 encryption: ciphertext followed by the 16-byte tag.
pub fn xchacha_seal(key: &[u8; 32], nonce: &[u8; 24], ad: &[u8], pt: &[u8]) -> Vec<u8> {
    let (subkey, n12) = xchacha_parts(key, nonce);
    let mut ct = pt.to_vec();
    let mut c = chacha20::ChaCha20::new((&*subkey).into(), (&n12).into());
    c.seek(64u64);
    c.apply_keystream(&mut ct);
    let tag = aead_tag(&subkey, &n12, ad, &ct);
    ct.extend_from_slice(&tag);
    ct
}

/// XChaCha20-Poly1305 decryption; `None` when the tag does not verify.
pub fn xchacha_open(
    key: &[u8; 32],
    nonce: &[u8; 24],
    ad: &[u8],
    ct_tag: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let split = ct_tag.len().checked_sub(16)?;
    let (ct, tag) = ct_tag.split_at(split);
    let (subkey, n12) = xchacha_parts(key, nonce);
    let want = aead_tag(&subkey, &n12, ad, ct);
    if !bool::from(want.ct_eq(tag)) {
        return None;
    }
    let mut pt = Zeroizing::new(ct.to_vec());
    let mut c = chacha20::ChaCha20::new((&*subkey).into(), (&n12).into());
    c.seek(64u64);
    c.apply_keystream(&mut pt);
    Some(pt)
}

/// OS-WRAP-2: the passphrase bytes.
pub fn passphrase_bytes(text: &str) -> Result<Zeroizing<Vec<u8>>, Fail> {
    let p: String = text.nfkc().collect();
    let p = Zeroizing::new(p.into_bytes());
    if p.is_empty() || p.len() > 1024 {
        return Err(PASS);
    }
    Ok(p)
}

/// OS-WRAP-4: LOG_N from 1 to 20.
pub fn log_n_ok(log_n: u8) -> Result<(), Fail> {
    if (1..=20).contains(&log_n) {
        Ok(())
    } else {
        Err(LOG_N)
    }
}

/// OS-WRAP-3 (with OS-WRAP-4 first, then OS-WRAP-2): the intermediate.
pub fn intermediate(passphrase: &str, salt: &[u8; 16], log_n: u8) -> Result<[u8; 32], Fail> {
    log_n_ok(log_n)?;
    let p = passphrase_bytes(passphrase)?;
    let params = scrypt::Params::new(log_n, 8, 1).map_err(|_| LOG_N)?;
    let mut out = [0u8; 32];
    scrypt::scrypt(&p, salt, &params, &mut out).map_err(|_| LOG_N)?;
    Ok(out)
}

/// OS-WRAP-7: (locator, K_wrap).
pub fn member_keys(i: &[u8; 32], group: &[u8; 32], epoch: u64) -> ([u8; 16], [u8; 32]) {
    let e = epoch.to_be_bytes();
    let full = hmac(i, &frame(&[b"openslots:wrap:locator", group, &e]));
    let mut loc = [0u8; 16];
    loc.copy_from_slice(&full[..16]);
    (loc, hmac(i, &frame(&[b"openslots:wrap:key", group, &e])))
}

/// OS-WRAP-9: the associated data.
pub fn associated_data(group: &[u8; 32], epoch: u64, header: &[u8]) -> Vec<u8> {
    frame(&[b"openslots:wrap:ad", group, &epoch.to_be_bytes(), header])
}

/// OS-WRAP-8: a wrapper.
pub fn seal(
    i: &[u8; 32],
    group: &[u8; 32],
    epoch: u64,
    salt: &[u8; 16],
    log_n: u8,
    nonce: &[u8; 24],
    secret: &[u8; 32],
) -> Vec<u8> {
    let (loc, key) = member_keys(i, group, epoch);
    let mut w = vec![0x01, log_n];
    w.extend_from_slice(salt);
    w.extend_from_slice(nonce);
    w.extend_from_slice(&loc);
    let ad = associated_data(group, epoch, &w);
    w.extend(xchacha_seal(&key, nonce, &ad, secret));
    w
}

/// OS-WRAP-11, the checks that need no key: length, version, LOG_N.
pub fn check_wrapper(w: &[u8]) -> Result<(), Fail> {
    if w.len() != 106 {
        return Err(LENGTH);
    }
    if w[0] != 0x01 {
        return Err(VERSION);
    }
    log_n_ok(w[1])
}

/// OS-WRAP-11: opens a wrapper with an intermediate.
pub fn open(i: &[u8; 32], group: &[u8; 32], epoch: u64, w: &[u8]) -> Result<[u8; 32], Fail> {
    check_wrapper(w)?;
    let (_, key) = member_keys(i, group, epoch);
    let ad = associated_data(group, epoch, &w[..58]);
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&w[18..42]);
    let pt = xchacha_open(&key, &nonce, &ad, &w[58..]).ok_or(OPEN)?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&pt);
    Ok(out)
}

fn salt_of(w: &[u8]) -> [u8; 16] {
    let mut s = [0u8; 16];
    s.copy_from_slice(&w[2..18]);
    s
}

/// OS-WRAP-11 from a passphrase.
pub fn open_with_passphrase(
    passphrase: &str,
    group: &[u8; 32],
    epoch: u64,
    w: &[u8],
) -> Result<[u8; 32], Fail> {
    check_wrapper(w)?;
    let i = Zeroizing::new(intermediate(passphrase, &salt_of(w), w[1])?);
    open(&i, group, epoch, w)
}

/// OS-WRAP-12: a set content read into its epoch and wrappers.
pub fn parse_set(content: &str) -> Result<(u64, Vec<Vec<u8>>), Fail> {
    let bytes = crate::base64::decode(content).ok_or(SET)?;
    if bytes.len() < 8 + 106 || (bytes.len() - 8) % 106 != 0 || (bytes.len() - 8) / 106 > 512 {
        return Err(SET);
    }
    let mut e = [0u8; 8];
    e.copy_from_slice(&bytes[..8]);
    let ws: Vec<Vec<u8>> = bytes[8..].chunks(106).map(<[u8]>::to_vec).collect();
    for w in &ws {
        check_wrapper(w)?;
    }
    for pair in ws.windows(2) {
        if pair[0][1] != pair[1][1]
            || pair[0][2..18] != pair[1][2..18]
            || pair[0][42..58] >= pair[1][42..58]
        {
            return Err(SET);
        }
    }
    Ok((u64::from_be_bytes(e), ws))
}

/// OS-WRAP-12: the content of an epoch and wrappers (sorted here).
pub fn set_content(epoch: u64, wrappers: &[Vec<u8>]) -> String {
    let mut ws = wrappers.to_vec();
    ws.sort_by(|a, b| a[42..58].cmp(&b[42..58]));
    let mut bytes = epoch.to_be_bytes().to_vec();
    for w in ws {
        bytes.extend(w);
    }
    crate::base64::encode(&bytes)
}

/// OS-WRAP-13: (epoch, index, locator, secret) of a member's wrapper.
pub fn open_set(
    passphrase: &str,
    group: &[u8; 32],
    content: &str,
) -> Result<(u64, usize, [u8; 16], [u8; 32]), Fail> {
    let (epoch, ws) = parse_set(content)?;
    let first = ws.first().ok_or(SET)?;
    let i = Zeroizing::new(intermediate(passphrase, &salt_of(first), first[1])?);
    let (loc, _) = member_keys(&i, group, epoch);
    let index = ws.iter().position(|w| w[42..58] == loc).ok_or(NOT_MEMBER)?;
    let secret = open(&i, group, epoch, &ws[index])?;
    Ok((epoch, index, loc, secret))
}

/// OS-WRAP-14: the window (start, end) of `epoch`, if `now` is in it.
pub fn check_epoch(rotate: u64, margin: u64, epoch: u64, now: u64) -> Result<(u64, u64), Fail> {
    if rotate == 0 || margin >= rotate {
        return Err(PARAMS);
    }
    let start = epoch.checked_mul(rotate).ok_or(PARAMS)?;
    let end = start
        .checked_add(rotate)
        .and_then(|x| x.checked_add(margin))
        .ok_or(PARAMS)?;
    if now < start || now > end {
        return Err(WINDOW);
    }
    Ok((start, end))
}

/// OS-WRAP-16: the wrapper set's d-tag.
pub fn set_d_tag(group: &[u8; 32]) -> String {
    hmac(group, &frame(&[b"openslots:wrap:set"]))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// OS-WRAP-21: a key derived from an epoch secret.
pub fn epoch_key(secret: &[u8; 32], group: &[u8; 32], epoch: u64, purpose: &str) -> [u8; 32] {
    hkdf32(
        b"openslots:wrap:epoch",
        secret,
        &frame(&[purpose.as_bytes(), group, &epoch.to_be_bytes()]),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// draft-irtf-cfrg-xchacha-03 §A.3.1: the AEAD_XChaCha20_Poly1305 example.
    #[test]
    fn xchacha_matches_the_draft_example() {
        let hx = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let ad = hx("50515253c0c1c2c3c4c5c6c7");
        let key: [u8; 32] = hx("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
            .try_into()
            .unwrap();
        let nonce: [u8; 24] = hx("404142434445464748494a4b4c4d4e4f5051525354555657")
            .try_into()
            .unwrap();
        let out = xchacha_seal(&key, &nonce, &ad, pt);
        assert_eq!(
            &out[out.len() - 16..],
            &hx("c0875924c1c7987947deafd8780acf49")[..]
        );
        assert_eq!(&out[..8], &hx("bd6d179d3e83d43b")[..]);
        assert_eq!(&xchacha_open(&key, &nonce, &ad, &out).unwrap()[..], &pt[..]);
        let mut bad = out.clone();
        bad[3] ^= 1;
        assert!(xchacha_open(&key, &nonce, &ad, &bad).is_none());
    }
}
