//! Key derivation (spec §5): the room key and the sub-keys derived from it.
//!
//! A room key is 32 random bytes that travel only in the link fragment. Both
//! profiles derive their working keys from it with HKDF-SHA256 (RFC 5869):
//!
//! | profile | key | salt | info |
//! | --- | --- | --- | --- |
//! | v1 | `K_enc` (OS-KDF-1) | `openslots-hkdf-salt` | `openslots:encryption` |
//! | v1 | `K_hmac` (OS-KDF-2) | `openslots-hkdf-salt` | `openslots:hmac` |
//! | v2 | `K_enc` (OS-KDF-3) | `openslots-hkdf-salt` | `openslots:v2:encryption` |
//! | v2 | `K_blind` (OS-KDF-3) | `openslots-hkdf-salt` | `openslots:v2:blinding` |
//!
//! v2 also signs every room with its own key (OS-KDF-4); [`derive_signing_key`]
//! is the recommended deterministic derivation of OS-KDF-5.
//!
//! Every secret here zeroizes on drop and prints as `<redacted>`.

use core::fmt;

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::Profile;
use crate::cipher::ConversationKey;

/// HKDF salt of both profiles (OS-KDF-1, OS-KDF-2, OS-KDF-3).
pub const SALT: &[u8] = b"openslots-hkdf-salt";
/// HKDF info of the v1 encryption key (OS-KDF-1).
pub const INFO_V1_ENC: &[u8] = b"openslots:encryption";
/// HKDF info of the v1 HMAC key (OS-KDF-2).
pub const INFO_V1_HMAC: &[u8] = b"openslots:hmac";
/// HKDF info of the v2 encryption key (OS-KDF-3).
#[cfg(not(feature = "broken-hkdf-info"))]
pub const INFO_V2_ENC: &[u8] = b"openslots:v2:encryption";
/// HKDF info of the v2 blinding key (OS-KDF-3).
#[cfg(not(feature = "broken-hkdf-info"))]
pub const INFO_V2_BLIND: &[u8] = b"openslots:v2:blinding";
/// The v2 encryption key's info, swapped with the blinding key's (a planted
/// mistake: feature `broken-hkdf-info`).
#[cfg(feature = "broken-hkdf-info")]
pub const INFO_V2_ENC: &[u8] = b"openslots:v2:blinding";
/// The v2 blinding key's info, swapped with the encryption key's (a planted
/// mistake: feature `broken-hkdf-info`).
#[cfg(feature = "broken-hkdf-info")]
pub const INFO_V2_BLIND: &[u8] = b"openslots:v2:encryption";
/// HKDF salt of the v2 per-room signing key derivation (OS-KDF-5).
pub const SIGNING_SALT: &[u8] = b"openslots:v2:signing-key";

/// HKDF-SHA256 with a 32-byte output, which can never exceed RFC 5869's limit.
fn hkdf32(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
    let mut okm = [0u8; 32];
    let hk = Hkdf::<Sha256>::new(Some(salt), ikm);
    // L = 32 is far below 255 * HashLen, the only failure RFC 5869 defines.
    #[allow(clippy::expect_used)]
    hk.expand(info, &mut okm)
        .expect("HKDF-SHA256 can always produce 32 bytes");
    okm
}

macro_rules! secret32 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; 32]);

        impl $name {
            /// Wraps 32 secret bytes.
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// The secret bytes. Do not log them.
            pub const fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}
/// Shared with the other modules that hold 32-byte secrets (`wrap`).
pub(crate) use secret32;

secret32!(
    /// The 32-byte room key carried in the link fragment (OS-LINK-3, OS-LINK-5).
    RoomKey
);
secret32!(
    /// The key that blinds identifiers: `K_hmac` in v1 (OS-KDF-2), `K_blind` in v2 (OS-KDF-3).
    BlindingKey
);
secret32!(
    /// A device secret from which v2 per-room signing keys are derived (OS-KDF-5).
    DeviceSecret
);

/// The working keys of one room in one profile.
#[derive(Clone, Debug)]
pub struct RoomKeys {
    /// The profile these keys were derived for.
    pub profile: Profile,
    /// `K_enc`, used directly as the NIP-44 conversation key (OS-CIPHER-2).
    pub enc: ConversationKey,
    /// `K_hmac` (v1) or `K_blind` (v2).
    pub blind: BlindingKey,
}

impl RoomKey {
    /// Derives the profile's working keys (OS-KDF-1, OS-KDF-2, OS-KDF-3).
    pub fn derive(&self, profile: Profile) -> RoomKeys {
        let (enc_info, blind_info) = match profile {
            Profile::V1 => (INFO_V1_ENC, INFO_V1_HMAC),
            Profile::V2 => (INFO_V2_ENC, INFO_V2_BLIND),
        };
        let mut enc = hkdf32(SALT, &self.0, enc_info);
        let mut blind = hkdf32(SALT, &self.0, blind_info);
        let keys = RoomKeys {
            profile,
            enc: ConversationKey::from_bytes(enc),
            blind: BlindingKey::from_bytes(blind),
        };
        enc.zeroize();
        blind.zeroize();
        keys
    }
}

/// The result of the recommended v2 signing-key derivation (OS-KDF-5).
#[derive(Clone)]
pub struct DerivedSigningKey {
    /// The key pair, ready to sign.
    pub keys: nostr::key::Keys,
    /// The counter byte `c` that produced the first valid scalar.
    pub counter: u8,
}

impl fmt::Debug for DerivedSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DerivedSigningKey")
            .field("public_key", &self.keys.public_key().to_hex())
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

/// Derives a device's signing key for one v2 room (OS-KDF-5).
///
/// For `c` in `0..=255`: `sk = HKDF-SHA256(IKM = device secret,
/// salt = "openslots:v2:signing-key", info = room_d_tag || c, L = 32)`; the
/// first `sk` that is a valid secp256k1 secret key is used. `room_d_tag` is
/// the 64-character v2 room d-tag (OS-BLIND-3), so two rooms never share a key
/// (OS-KDF-4). Returns `None` only if all 256 candidates are invalid, which
/// happens with probability below 2^-30000.
pub fn derive_signing_key(device: &DeviceSecret, room_d_tag: &str) -> Option<DerivedSigningKey> {
    let mut info = Vec::with_capacity(room_d_tag.len() + 1);
    info.extend_from_slice(room_d_tag.as_bytes());
    info.push(0);
    for counter in 0..=u8::MAX {
        if let Some(last) = info.last_mut() {
            *last = counter;
        }
        let mut candidate = hkdf32(SIGNING_SALT, &device.0, &info);
        let parsed = nostr::key::SecretKey::from_slice(&candidate);
        candidate.zeroize();
        if let Ok(secret) = parsed {
            return Some(DerivedSigningKey {
                keys: nostr::key::Keys::new(secret),
                counter,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let k = RoomKey::from_bytes([0xab; 32]);
        let s = format!("{k:?} {:?}", k.derive(Profile::V1));
        assert!(!s.contains("ab"), "{s}");
        assert!(s.contains("<redacted>"));
    }

    #[test]
    fn profiles_are_domain_separated() {
        let k = RoomKey::from_bytes([7; 32]);
        let v1 = k.derive(Profile::V1);
        let v2 = k.derive(Profile::V2);
        assert_ne!(v1.enc.as_bytes(), v2.enc.as_bytes());
        assert_ne!(v1.blind.as_bytes(), v2.blind.as_bytes());
        assert_ne!(v1.enc.as_bytes(), v1.blind.as_bytes());
    }
}
