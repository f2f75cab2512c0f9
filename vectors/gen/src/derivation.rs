//! `derivation.json`: key derivation (spec §5).

use hex::encode;
use openslots::Profile;
use openslots::kdf::{self, DeviceSecret, RoomKey};
use openslots_vectors::{
    DerivationExpected, DerivationFile, DerivationInput, DerivationIntermediate,
};

use crate::fixtures::{ROOM_KEY, hex32};
use crate::{Expect, Suite};

/// HKDF-Extract with the spec's salt, for the intermediate value.
fn prk(ikm: &[u8; 32]) -> String {
    use hmac::{KeyInit, Mac};
    // HKDF-Extract(salt, IKM) = HMAC-SHA256(key = salt, IKM), RFC 5869 §2.2.
    let mut mac = match <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(kdf::SALT) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(ikm);
    encode(mac.finalize().into_bytes())
}

pub(crate) fn suite() -> DerivationFile {
    let mut s: Suite<DerivationInput, DerivationIntermediate, DerivationExpected> =
        Suite::new("derivation");
    let keys: Vec<(&str, String)> = vec![
        ("the example room key (spec §5.3)", ROOM_KEY.to_owned()),
        ("all-zero room key", "00".repeat(32)),
        ("all-ff room key", "ff".repeat(32)),
        ("room key 0x5a repeated", "5a".repeat(32)),
        (
            "room key of ascending bytes from 0x80",
            (0x80u8..0xa0).map(|b| format!("{b:02x}")).collect(),
        ),
        (
            "room key with a single set bit",
            format!("{}01", "00".repeat(31)),
        ),
    ];
    for (profile, p, reqs) in [
        ("v1", Profile::V1, &["OS-KDF-1", "OS-KDF-2"][..]),
        ("v2", Profile::V2, &["OS-KDF-3"][..]),
    ] {
        for (comment, key) in &keys {
            let ikm = hex32(key);
            let derived = RoomKey::from_bytes(ikm).derive(p);
            let (k_hmac, k_blind) = match p {
                Profile::V1 => (Some(encode(derived.blind.as_bytes())), None),
                Profile::V2 => (None, Some(encode(derived.blind.as_bytes()))),
            };
            s.push(
                profile,
                "derive_keys",
                *comment,
                &[],
                reqs,
                DerivationInput {
                    room_key: Some(key.clone()),
                    ..Default::default()
                },
                Some(DerivationIntermediate {
                    prk: Some(prk(&ikm)),
                    candidates: None,
                }),
                Ok(DerivationExpected {
                    k_enc: Some(encode(derived.enc.as_bytes())),
                    k_hmac,
                    k_blind,
                    ..Default::default()
                }),
                Expect::Reference,
            );
        }
    }
    // OS-KDF-5: per-room signing keys.
    let blind = RoomKey::from_bytes(hex32(ROOM_KEY))
        .derive(Profile::V2)
        .blind;
    let rooms = [
        openslots::blinding::room_d_tag_v2(&blind, crate::fixtures::ROOM_ID),
        openslots::blinding::room_d_tag_v2(&blind, "00000000-0000-0000-0000-000000000000"),
    ];
    let devices = [
        "65448733ae363f651fc4b5b7343ebdc9ddeb2d218cd36d5310109564df49c01a",
        "cad1d282302403fcc089d5309044b46e0291915b2b2ed7846b4f353d3c4b98e3",
        &"42".repeat(32),
    ];
    for device in devices {
        for room in &rooms {
            let Some(derived) =
                kdf::derive_signing_key(&DeviceSecret::from_bytes(hex32(device)), room)
            else {
                unreachable!("a valid scalar within 256 tries")
            };
            s.push(
                "v2",
                "derive_signing_key",
                "per-room signing key of a device (OS-KDF-4: another room gives another key)",
                &[],
                &["OS-KDF-4", "OS-KDF-5"],
                DerivationInput {
                    device_secret: Some(device.to_owned()),
                    room_d_tag: Some(room.clone()),
                    ..Default::default()
                },
                Some(DerivationIntermediate {
                    prk: None,
                    candidates: Some(Vec::new()),
                }),
                Ok(DerivationExpected {
                    counter: Some(derived.counter),
                    secret_key: Some(derived.keys.secret_key().to_secret_hex()),
                    public_key: Some(derived.keys.public_key().to_hex()),
                    ..Default::default()
                }),
                Expect::Reference,
            );
        }
    }
    s.finish()
}
