//! Key derivation (spec §5): HKDF-SHA256 with one output block
//! (OS-KDF-1, OS-KDF-2, OS-KDF-3) and the v2 per-room signing key
//! (OS-KDF-5). HMAC and HKDF come from `bitcoin_hashes`, a library the
//! reference does not use.

use bitcoin_hashes::hkdf::Hkdf;
use bitcoin_hashes::hmac::HmacEngine;
use bitcoin_hashes::{HashEngine, sha256};
use nostr::key::{Keys, SecretKey};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Profile;

/// The salt of the room keys (§5.1).
pub const ROOM_SALT: &[u8] = b"openslots-hkdf-salt";
/// The salt of the v2 signing key (OS-KDF-5).
pub const SIGNING_SALT: &[u8] = b"openslots:v2:signing-key";

/// HMAC-SHA256 (RFC 2104).
pub fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut e: HmacEngine<sha256::HashEngine> = HmacEngine::new(key);
    e.input(message);
    let mut out = [0u8; 32];
    out.copy_from_slice(e.finalize().as_ref());
    out
}

/// HKDF-SHA256 (RFC 5869) with L = 32.
pub fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut okm = [0u8; 32];
    // 32 bytes is one block: expand cannot fail for this length.
    let _ = Hkdf::<sha256::HashEngine>::new(salt, ikm).expand(info, &mut okm);
    okm
}

/// The `info` labels of §5.1: (K_enc, K_hmac or K_blind) per profile.
pub const fn labels(profile: Profile) -> (&'static [u8], &'static [u8]) {
    match profile {
        Profile::V1 => (b"openslots:encryption", b"openslots:hmac"),
        Profile::V2 => (b"openslots:v2:encryption", b"openslots:v2:blinding"),
    }
}

/// The keys of a room (§5.1). Zeroized on drop, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct RoomKeys {
    /// K_enc (OS-KDF-1, OS-KDF-3).
    pub enc: [u8; 32],
    /// K_hmac in v1 (OS-KDF-2), K_blind in v2 (OS-KDF-3).
    pub blind: [u8; 32],
}

impl std::fmt::Debug for RoomKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoomKeys(<redacted>)")
    }
}

/// The PRK of §5.3: HKDF-Extract(salt, room key).
pub fn prk(room_key: &[u8; 32]) -> [u8; 32] {
    hmac(ROOM_SALT, room_key)
}

/// OS-KDF-1 .. OS-KDF-3: the keys of a room key in a profile.
pub fn room_keys(profile: Profile, room_key: &[u8; 32]) -> RoomKeys {
    let (enc, blind) = labels(profile);
    RoomKeys {
        enc: hkdf32(ROOM_SALT, room_key, enc),
        blind: hkdf32(ROOM_SALT, room_key, blind),
    }
}

/// OS-KDF-5: the first candidate `c` (0..=255) whose HKDF output is a valid
/// secp256k1 secret key, with the counter; `None` if none is.
pub fn signing_key_v2(device_secret: &[u8; 32], room_d: &str) -> Option<(Keys, u8)> {
    (0u8..=255).find_map(|c| {
        let mut info = room_d.as_bytes().to_vec();
        info.push(c);
        let mut sk = hkdf32(SIGNING_SALT, device_secret, &info);
        let keys = SecretKey::from_slice(&sk).ok().map(Keys::new);
        sk.zeroize();
        keys.map(|k| (k, c))
    })
}

/// The signing keys of a device in a room: the device secret itself in v1
/// (the deployed app's one key per browser), OS-KDF-5 in v2.
pub fn signing_keys(profile: Profile, device_secret: &[u8; 32], room_d: &str) -> Option<Keys> {
    match profile {
        Profile::V1 => SecretKey::from_slice(device_secret).ok().map(Keys::new),
        Profile::V2 => signing_key_v2(device_secret, room_d).map(|(k, _)| k),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::link::hex_lower;

    /// Spec §5.3.
    #[test]
    fn the_spec_example() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            hex_lower(prk(&key)),
            "2078782f594f7fa8be63e98fbc4296c9f1b84b61d33d50273ec6979c550ddd1e"
        );
        let v1 = room_keys(Profile::V1, &key);
        assert_eq!(
            hex_lower(v1.enc),
            "ecef7f35824e75400289b47dfd35a8fdd3513d6e8797c9e19840610102d54d40"
        );
        assert_eq!(
            hex_lower(v1.blind),
            "dbd29d250feb63bde8ae32e83ccd2b570e502e512233c1390a88f1dbdbcd39ad"
        );
        let v2 = room_keys(Profile::V2, &key);
        assert_eq!(
            hex_lower(v2.enc),
            "7abefe9ef75a49378b2fdee66922da1f6805c0dcba305f489c3333d062178a1d"
        );
        assert_eq!(
            hex_lower(v2.blind),
            "70730294e16e2e3ae5cf88512bdef3e7e7b44f53c2441e1b641f9b53858eff9f"
        );
        let device = crate::link::key_from_hex(
            "65448733ae363f651fc4b5b7343ebdc9ddeb2d218cd36d5310109564df49c01a",
        )
        .unwrap();
        let (keys, c) = signing_key_v2(
            &device,
            "1ebc44cf99a30a39919e00250018b0ef229d43a30b2f9d29842e722ba2eac4eb",
        )
        .unwrap();
        assert_eq!(c, 0);
        assert_eq!(
            keys.public_key().to_hex(),
            "3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8"
        );
    }
}
