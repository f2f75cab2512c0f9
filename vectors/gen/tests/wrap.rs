//! `wrap.json` (spec §19.2) confirmed by the independent oracle
//! (`openslots-oracle`'s own XChaCha20-Poly1305 composition, RustCrypto's
//! `scrypt` called directly, `unicode-normalization`) and, for the one
//! LOG_N 16 case, by the official NIP-49 test vector.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::collections::BTreeSet;

use openslots_oracle::wrap as oracle;
use openslots_vectors::{Verdict, WrapExpected, WrapInput};

/// The official NIP-49 `ncryptsec`, bech32-decoded (91 bytes): version 0x02,
/// LOG_N 16, salt, nonce, key-security byte 0x00, ciphertext and tag.
const NIP49_BYTES: &str = "021052d7c3f8580e7b41953381e5bc49646bc33f02a7dcaac8bdd8da23cd449783240b6ebc12edeea7bf00b8e8803440de7b3e9519c3e734cb2ac9a211ea2dc52312e5117a11a3022d813ab438719ca0b504a1193be510c3aee776";
/// What the official vector decrypts to with password `nostr`.
const NIP49_KEY: &str = "3501454135014541350145413501453fefb02227e449e57cf4d3a3ce05378683";

fn h<const N: usize>(s: &Option<String>) -> [u8; N] {
    hex::decode(s.as_deref().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn hx(b: impl AsRef<[u8]>) -> String {
    hex::encode(b)
}

/// What the oracle computes for one case: the expected members, or a code.
fn oracle_outcome(op: &str, i: &WrapInput) -> Result<WrapExpected, &'static str> {
    let e = |f: (&'static str, &'static str)| f.0;
    match op {
        "derive_intermediate" => oracle::intermediate(
            i.passphrase.as_deref().unwrap(),
            &h(&i.salt),
            i.log_n.unwrap(),
        )
        .map(|k| WrapExpected {
            intermediate: Some(hx(k)),
            ..Default::default()
        })
        .map_err(e),
        "member_keys" => {
            let (loc, key) =
                oracle::member_keys(&h(&i.intermediate), &h(&i.group_id), i.epoch.unwrap());
            Ok(WrapExpected {
                locator: Some(hx(loc)),
                wrap_key: Some(hx(key)),
                ..Default::default()
            })
        }
        "seal_wrapper" => Ok(WrapExpected {
            wrapper: Some(hx(oracle::seal(
                &h(&i.intermediate),
                &h(&i.group_id),
                i.epoch.unwrap(),
                &h(&i.salt),
                i.log_n.unwrap(),
                &h(&i.nonce),
                &h(&i.epoch_secret),
            ))),
            ..Default::default()
        }),
        "open_wrapper" => oracle::open_with_passphrase(
            i.passphrase.as_deref().unwrap(),
            &h(&i.group_id),
            i.epoch.unwrap(),
            &hex::decode(i.wrapper.as_deref().unwrap()).unwrap(),
        )
        .map(|s| WrapExpected {
            epoch_secret: Some(hx(s)),
            ..Default::default()
        })
        .map_err(e),
        "open_set" => oracle::open_set(
            i.passphrase.as_deref().unwrap(),
            &h(&i.group_id),
            i.content.as_deref().unwrap(),
        )
        .map(|(epoch, index, loc, s)| WrapExpected {
            epoch: Some(epoch),
            index: Some(index as u64),
            locator: Some(hx(loc)),
            epoch_secret: Some(hx(s)),
            ..Default::default()
        })
        .map_err(e),
        "check_epoch" => oracle::check_epoch(
            i.rotate.unwrap(),
            i.margin.unwrap(),
            i.epoch.unwrap(),
            i.now.unwrap(),
        )
        .map(|(start, end)| WrapExpected {
            start: Some(start),
            end: Some(end),
            ..Default::default()
        })
        .map_err(e),
        "set_address" => {
            let (r, m, ep) = (i.rotate.unwrap(), i.margin.unwrap(), i.epoch.unwrap());
            // The window's end at its own last second: check_epoch at now = end.
            let end = ep
                .checked_mul(r)
                .and_then(|s| s.checked_add(r))
                .and_then(|s| s.checked_add(m));
            let end = match end {
                Some(end) => oracle::check_epoch(r, m, ep, end).map(|w| w.1).map_err(e)?,
                None => return Err("wrap-params"),
            };
            Ok(WrapExpected {
                d_tag: Some(oracle::set_d_tag(&h(&i.group_id))),
                end: Some(end),
                ..Default::default()
            })
        }
        "derive_epoch_key" => Ok(WrapExpected {
            key: Some(hx(oracle::epoch_key(
                &h(&i.epoch_secret),
                &h(&i.group_id),
                i.epoch.unwrap(),
                i.purpose.as_deref().unwrap(),
            ))),
            ..Default::default()
        }),
        other => panic!("unknown wrap operation {other}"),
    }
}

#[test]
fn wrap_suite_confirmed_by_the_oracle() {
    let file = openslots_vectors::wrap().unwrap();
    let ids: BTreeSet<u32> = file.cases().map(|(_, _, c)| c.tc_id).collect();
    assert_eq!(ids.len(), file.number_of_tests);
    let mut checked = 0;
    for (_, op, c) in file.cases() {
        let got = oracle_outcome(op, &c.input);
        match c.result {
            Verdict::Valid => assert_eq!(
                got.as_ref().ok(),
                c.expected.as_ref(),
                "wrap/{} ({op}): {}",
                c.tc_id,
                c.comment
            ),
            Verdict::Invalid => assert_eq!(
                got.as_ref().err().copied(),
                c.error.as_deref(),
                "wrap/{} ({op}): {}",
                c.tc_id,
                c.comment
            ),
            Verdict::Acceptable => panic!("wrap/{}: the suite has no acceptable case", c.tc_id),
        }
        for f in &c.flags {
            assert!(file.notes.contains_key(f), "flag {f} has no note");
        }
        checked += 1;
    }
    assert_eq!(checked, file.number_of_tests);
}

/// OS-WRAP-3: the suite's one LOG_N 16 case is NIP-49's symmetric key for
/// the official vector: it opens that vector's ciphertext (with its
/// one-byte associated data) to the official private key.
#[test]
fn os_wrap_3_the_log_n_16_case_opens_the_official_nip49_vector() {
    let file = openslots_vectors::wrap().unwrap();
    let slow: Vec<_> = file
        .cases()
        .filter(|(_, op, c)| *op == "derive_intermediate" && c.input.log_n == Some(16))
        .collect();
    assert_eq!(slow.len(), 1, "exactly one LOG_N 16 case");
    let log_n_16_cases = file
        .cases()
        .filter(|(_, _, c)| c.input.log_n.is_some_and(|n| n > 4 && n <= 20))
        .count();
    assert_eq!(
        log_n_16_cases, 1,
        "every other derivation uses a small LOG_N"
    );
    let (_, _, c) = slow[0];
    let key: [u8; 32] = h(&c.expected.as_ref().unwrap().intermediate);
    let bytes = hex::decode(NIP49_BYTES).unwrap();
    assert_eq!(hx(&bytes[2..18]), c.input.salt.clone().unwrap());
    let nonce: [u8; 24] = bytes[18..42].try_into().unwrap();
    let pt = oracle::xchacha_open(&key, &nonce, &bytes[42..43], &bytes[43..]).unwrap();
    assert_eq!(hx(&*pt), NIP49_KEY);
}

/// The requirement IDs the suite names are those of the WRAP area that data can test.
#[test]
fn wrap_suite_names_its_requirements() {
    let file = openslots_vectors::wrap().unwrap();
    let named: BTreeSet<String> = file
        .cases()
        .flat_map(|(_, _, c)| c.requirements.clone())
        .collect();
    for id in [
        "OS-WRAP-2",
        "OS-WRAP-3",
        "OS-WRAP-4",
        "OS-WRAP-7",
        "OS-WRAP-8",
        "OS-WRAP-9",
        "OS-WRAP-11",
        "OS-WRAP-12",
        "OS-WRAP-13",
        "OS-WRAP-14",
        "OS-WRAP-16",
        "OS-WRAP-21",
    ] {
        assert!(named.contains(id), "{id} has no case");
    }
}
