//! The WRAP derivation and cipher against NIP-49 (spec §19.2.3): the official
//! NIP-49 test vector, and the `nostr` crate's NIP-49 on random inputs where
//! the two layouts coincide (the 91-byte `ncryptsec` form).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use nostr::key::SecretKey;
use nostr::nips::nip19::FromBech32;
use nostr::nips::nip49::{EncryptedSecretKey, KeySecurity};
use openslots::wrap::{self, WrapError};
use proptest::prelude::*;

/// The official NIP-49 test vector: password `nostr`, LOG_N 16.
const NCRYPTSEC: &str = "ncryptsec1qgg9947rlpvqu76pj5ecreduf9jxhselq2nae2kghhvd5g7dgjtcxfqtd67p9m0w57lspw8gsq6yphnm8623nsl8xn9j4jdzz84zm3frztj3z7s35vpzmqf6ksu8r89qk5z2zxfmu5gv8th8wclt0h4p";
const KEY: &str = "3501454135014541350145413501453fefb02227e449e57cf4d3a3ce05378683";

/// OS-WRAP-2, OS-WRAP-3: the intermediate is NIP-49's symmetric key, so the
/// official vector opens with it, read at WRAP's offsets.
#[test]
fn os_wrap_3_official_nip49_vector_opens() {
    let bytes = EncryptedSecretKey::from_bech32(NCRYPTSEC).unwrap().as_vec();
    assert_eq!(bytes.len(), wrap::NIP49_LEN);
    assert_eq!(bytes[1], 16, "the vector's LOG_N");
    let key = wrap::nip49_open(&bytes, "nostr").unwrap();
    assert_eq!(hex::encode(*key), KEY);
    // A wrong password is one error, as for wrappers (OS-WRAP-11).
    assert_eq!(
        wrap::nip49_open(&bytes, "Nostr").unwrap_err(),
        WrapError::Open
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Both directions: the reference's 91-byte form equals the `nostr`
    /// crate's for the same salt and nonce, and each opens the other's.
    #[test]
    fn os_wrap_3_agrees_with_the_nostr_crate(
        password in "[a-zA-Z0-9 ]{1,24}|\\PC{1,8}",
        log_n in 1u8..=5,
        salt in any::<[u8; 16]>(),
        nonce in any::<[u8; 24]>(),
        seed in any::<[u8; 32]>(),
        ksb in 0u8..=2,
    ) {
        let Ok(sk) = SecretKey::from_slice(&seed) else { return Ok(()); };
        let security = match ksb { 0 => KeySecurity::Weak, 1 => KeySecurity::Medium, _ => KeySecurity::Unknown };
        let theirs = EncryptedSecretKey::new_with_salt_and_nonce(&sk, &password, log_n, security, salt, nonce).unwrap();
        let ours = wrap::nip49_seal(&password, log_n, &salt, &nonce, ksb, &seed);
        // nostr does not refuse an empty or over-long password; every password here is 1..=96 bytes.
        let ours = ours.unwrap();
        prop_assert_eq!(theirs.as_vec(), ours.to_vec());
        let opened = wrap::nip49_open(&theirs.as_vec(), &password).unwrap();
        prop_assert_eq!(*opened, seed);
        let back = EncryptedSecretKey::from_slice(&ours).unwrap().decrypt(&password).unwrap();
        prop_assert_eq!(back.as_secret_bytes(), &seed[..]);
    }
}
