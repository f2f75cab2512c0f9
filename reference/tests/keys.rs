//! Key derivation and blinding (spec §5, §6) against values computed
//! independently with Python's standard library (`hmac`, `hashlib`): HKDF
//! written out from RFC 5869 §2.2–2.3 as two HMAC calls, HMAC-SHA256 from
//! `hmac.new(key, msg, hashlib.sha256)`, frames with `struct.pack('>I', len)`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use openslots::Profile;
use openslots::blinding;
use openslots::kdf::{self, DeviceSecret, RoomKey};

const ROOM_ID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
/// x-only public key of the secret key 1 (the generator's x coordinate).
const PK_G: &str = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn key() -> RoomKey {
    let mut k = [0u8; 32];
    for (i, b) in k.iter_mut().enumerate() {
        *b = i as u8;
    }
    RoomKey::from_bytes(k)
}

fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).expect("test constants are hex");
    out
}

#[test]
fn os_kdf_1_2_v1_subkeys() {
    let keys = key().derive(Profile::V1);
    assert_eq!(
        keys.enc.as_bytes(),
        &hex32("ecef7f35824e75400289b47dfd35a8fdd3513d6e8797c9e19840610102d54d40")
    );
    assert_eq!(
        keys.blind.as_bytes(),
        &hex32("dbd29d250feb63bde8ae32e83ccd2b570e502e512233c1390a88f1dbdbcd39ad")
    );
}

#[test]
fn os_kdf_3_v2_subkeys() {
    let keys = key().derive(Profile::V2);
    assert_eq!(
        keys.enc.as_bytes(),
        &hex32("7abefe9ef75a49378b2fdee66922da1f6805c0dcba305f489c3333d062178a1d")
    );
    assert_eq!(
        keys.blind.as_bytes(),
        &hex32("70730294e16e2e3ae5cf88512bdef3e7e7b44f53c2441e1b641f9b53858eff9f")
    );
}

#[test]
fn os_blind_1_2_v1_d_tags() {
    let keys = key().derive(Profile::V1);
    assert_eq!(
        blinding::room_d_tag_v1(&keys.blind, ROOM_ID),
        "f57e326d13c2e4d3a0e7eb4a4e23aac13b9a14c8aa653e83b9d58803f46d361b"
    );
    let author = nostr::key::PublicKey::from_hex(PK_G).unwrap();
    let room_event = nostr::event::EventId::from_hex(&format!("{}ab", "00".repeat(31))).unwrap();
    assert_eq!(
        blinding::response_message_v1(&author, &room_event),
        format!("{PK_G}:{}ab", "00".repeat(31))
    );
    assert_eq!(
        blinding::response_d_tag_v1(&keys.blind, &author, &room_event),
        "f11896e51459ee6889b86cb81e3406a10599cbcfb99e5c5674496feaf0b74374"
    );
    // OS-LINK-2: the id is hashed as given; another case is another room.
    assert_ne!(
        blinding::room_d_tag_v1(&keys.blind, &ROOM_ID.to_uppercase()),
        blinding::room_d_tag_v1(&keys.blind, ROOM_ID)
    );
}

#[test]
fn os_blind_3_4_5_v2_d_tags() {
    let keys = key().derive(Profile::V2);
    assert_eq!(
        blinding::room_d_tag_v2(&keys.blind, ROOM_ID),
        "621ce785fac96667ccef0277479a19515d20c7efd679c56d4d05edf8bafc17b2"
    );
    let author = nostr::key::PublicKey::from_hex(PK_G).unwrap();
    assert_eq!(
        blinding::response_d_tag_v2(&keys.blind, ROOM_ID, &author),
        "3a1e48e551566fcdb95c33cc4b7f8cbac84b1cbf14e9b221bfd718ca3674f173"
    );
}

#[test]
fn os_kdf_5_signing_key_derivation() {
    let keys = key().derive(Profile::V2);
    let room_d = blinding::room_d_tag_v2(&keys.blind, ROOM_ID);
    let derived = kdf::derive_signing_key(&DeviceSecret::from_bytes([0x42; 32]), &room_d).unwrap();
    assert_eq!(derived.counter, 0);
    assert_eq!(
        derived.keys.secret_key().to_secret_hex(),
        "42a118e74a9f7a50f79308240fdffbea702d9ab9123b5afbb9f57c54683a4e28"
    );
    // OS-KDF-4: another room, another key.
    let other =
        kdf::derive_signing_key(&DeviceSecret::from_bytes([0x42; 32]), &"0".repeat(64)).unwrap();
    assert_ne!(other.keys.public_key(), derived.keys.public_key());
    assert!(!format!("{derived:?}").contains("42a118e7"));
}

/// RFC 5869 Appendix A.1 (test case 1) through the same HKDF the crate uses,
/// so a dependency bump that changed HKDF would show here first.
#[test]
fn rfc5869_case_1() {
    let ikm = [0x0bu8; 22];
    let salt = hex::decode("000102030405060708090a0b0c").unwrap();
    let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
    let mut okm = [0u8; 42];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(&salt), &ikm)
        .expand(&info, &mut okm)
        .unwrap();
    assert_eq!(
        hex::encode(okm),
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    );
}

/// RFC 4231 §4.2 (test case 1) through the crate's blinding HMAC.
#[test]
fn rfc4231_case_1() {
    let mut key = [0u8; 32];
    key[..20].copy_from_slice(&[0x0b; 20]);
    // The RFC's key is 20 bytes; HMAC pads keys with zeros to the block size,
    // so a 32-byte key ending in zeros is the same key.
    let mac = blinding::hmac_sha256(&openslots::kdf::BlindingKey::from_bytes(key), b"Hi There");
    assert_eq!(
        hex::encode(mac),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
}
