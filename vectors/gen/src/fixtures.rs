//! Fixed inputs shared by the suites (the spec's §11.6 example values).

use nostr::key::{Keys, SecretKey};
use openslots::SpecError;

/// The example room id (spec §4.1).
pub const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
/// The example room key (spec §5.3).
pub const ROOM_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The example origin.
pub const ORIGIN: &str = "https://openslots.example";

/// The v1 link of the example room.
pub fn v1_link() -> String {
    format!("{ORIGIN}/room/{ROOM_ID}#{ROOM_KEY}")
}

/// The v2 link of the example room with this host key.
pub fn v2_link(host: &Keys) -> String {
    format!(
        "{ORIGIN}/room/{ROOM_ID}#v2.{ROOM_KEY}.{}",
        host.public_key().to_hex()
    )
}

/// Secret key `n` (big-endian, the others zero): simple, fixed, valid for n > 0.
pub fn keys(n: u8) -> Keys {
    let mut sk = [0u8; 32];
    sk[31] = n;
    sk[0] = 0x10;
    match SecretKey::from_slice(&sk) {
        Ok(sk) => Keys::new(sk),
        Err(_) => unreachable!("0x10…n is below the curve order"),
    }
}

/// The lowercase hex of a secret key.
pub fn secret_hex(k: &Keys) -> String {
    k.secret_key().to_secret_hex()
}

/// Decodes 32 bytes of hex (generator inputs are constants).
pub fn hex32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if hex::decode_to_slice(s, &mut out).is_err() {
        unreachable!("generator constants are 64 hex characters: {s}");
    }
    out
}

/// An error's spec code as a string.
pub fn code<E: SpecError>(e: &E) -> String {
    e.code().as_str().to_owned()
}

/// A mask as `0`/`1`.
pub fn bits(m: &openslots::mask::Mask) -> String {
    openslots::mask::encode_v1(m)
}

/// A mask from `0`/`1` (generator constants).
pub fn mask(s: &str) -> openslots::mask::Mask {
    match openslots::mask::decode_v1(s) {
        Ok(m) => m,
        Err(_) => unreachable!("generator mask constants are 0/1 strings: {s}"),
    }
}
