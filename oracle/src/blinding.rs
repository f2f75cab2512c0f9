//! Blinded identifiers (spec §6): the framing of §6.1 (OS-BLIND-5) and the
//! room and response d-tags of both profiles (OS-BLIND-1 .. OS-BLIND-4).

use crate::Profile;
use crate::kdf::hmac;
use crate::link::hex_lower;

/// OS-BLIND-5: `u32be(len(f1)) || f1 || ... || u32be(len(fk)) || fk`.
pub fn frame(fields: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        out.extend_from_slice(&(f.len() as u32).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// OS-BLIND-5's encoding of a string held as UTF-16 code units: UTF-8, with
/// every lone surrogate (a high one not followed by a low one, or a low one
/// not preceded by a high one) replaced by U+FFFD (`ef bf bd`). Written out
/// from the Unicode definitions, not through a library decoder.
pub fn utf16_to_utf8(units: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(units.len() * 3);
    let mut i = 0;
    while i < units.len() {
        let u = u32::from(units[i]);
        let next = units.get(i + 1).map(|&n| u32::from(n));
        let (scalar, used) = match (u, next) {
            (0xD800..=0xDBFF, Some(lo @ 0xDC00..=0xDFFF)) => {
                (0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), 2)
            }
            (0xD800..=0xDFFF, _) => (0xFFFD, 1),
            _ => (u, 1),
        };
        match scalar {
            0..=0x7F => out.push(scalar as u8),
            0x80..=0x7FF => out.extend([0xC0 | (scalar >> 6) as u8, 0x80 | (scalar & 0x3F) as u8]),
            0x800..=0xFFFF => out.extend([
                0xE0 | (scalar >> 12) as u8,
                0x80 | ((scalar >> 6) & 0x3F) as u8,
                0x80 | (scalar & 0x3F) as u8,
            ]),
            _ => out.extend([
                0xF0 | (scalar >> 18) as u8,
                0x80 | ((scalar >> 12) & 0x3F) as u8,
                0x80 | ((scalar >> 6) & 0x3F) as u8,
                0x80 | (scalar & 0x3F) as u8,
            ]),
        }
        i += used;
    }
    out
}

/// The message the room d-tag hashes: the room id (v1, OS-BLIND-1) or
/// frame(`openslots:v2:room`, room id) (v2, OS-BLIND-3).
pub fn room_message(profile: Profile, room_id: &str) -> Vec<u8> {
    room_message_bytes(profile, room_id.as_bytes())
}

/// [`room_message`] of a room id given as its bytes (OS-BLIND-5's encoding).
pub fn room_message_bytes(profile: Profile, room_id: &[u8]) -> Vec<u8> {
    match profile {
        Profile::V1 => room_id.to_vec(),
        Profile::V2 => frame(&[b"openslots:v2:room", room_id]),
    }
}

/// OS-BLIND-1 (v1, key K_hmac) and OS-BLIND-3 (v2, key K_blind).
pub fn room_d(profile: Profile, key: &[u8; 32], room_id: &str) -> String {
    room_d_bytes(profile, key, room_id.as_bytes())
}

/// [`room_d`] of a room id given as its bytes (OS-BLIND-5's encoding).
pub fn room_d_bytes(profile: Profile, key: &[u8; 32], room_id: &[u8]) -> String {
    hex_lower(hmac(key, &room_message_bytes(profile, room_id)))
}

/// The message of OS-BLIND-2: `<author hex>:<room event id hex>`, unframed.
pub fn response_message_v1(author_hex: &str, room_event_id_hex: &str) -> Vec<u8> {
    format!("{author_hex}:{room_event_id_hex}").into_bytes()
}

/// OS-BLIND-2: the v1 response d-tag under K_hmac.
pub fn response_d_v1(k_hmac: &[u8; 32], author_hex: &str, room_event_id_hex: &str) -> String {
    hex_lower(hmac(
        k_hmac,
        &response_message_v1(author_hex, room_event_id_hex),
    ))
}

/// The message of OS-BLIND-4: frame(`openslots:v2:response`, room id, the
/// author's 32 raw key bytes).
pub fn response_message_v2(room_id: &str, author: &[u8; 32]) -> Vec<u8> {
    frame(&[b"openslots:v2:response", room_id.as_bytes(), author])
}

/// OS-BLIND-4: the v2 response d-tag under K_blind.
pub fn response_d_v2(k_blind: &[u8; 32], room_id: &str, author: &[u8; 32]) -> String {
    hex_lower(hmac(k_blind, &response_message_v2(room_id, author)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::room_keys;

    /// Hand-worked encodings: ASCII, a pair (U+1F600 = f0 9f 98 80), a lone
    /// high and a lone low surrogate, a low before a high.
    #[test]
    fn utf16_with_lone_surrogates() {
        assert_eq!(utf16_to_utf8(&[0x61, 0x62]), b"ab");
        assert_eq!(utf16_to_utf8(&[0xD83D, 0xDE00]), [0xF0, 0x9F, 0x98, 0x80]);
        assert_eq!(utf16_to_utf8(&[0x61, 0xD83D]), [0x61, 0xEF, 0xBF, 0xBD]);
        assert_eq!(utf16_to_utf8(&[0xDE00, 0x61]), [0xEF, 0xBF, 0xBD, 0x61]);
        assert_eq!(
            utf16_to_utf8(&[0xDE00, 0xD83D]),
            [0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD]
        );
        assert_eq!(utf16_to_utf8(&[0xE9]), [0xC3, 0xA9]);
    }

    /// Spec §6.3.
    #[test]
    fn the_spec_example() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let id = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
        assert_eq!(
            room_d(Profile::V1, &room_keys(Profile::V1, &key).blind, id),
            "09a4624a4b2f0919726dcbb7e88b475291fc0fbd50757f0aa72e6757cc6b7c7a"
        );
        assert_eq!(
            room_d(Profile::V2, &room_keys(Profile::V2, &key).blind, id),
            "1ebc44cf99a30a39919e00250018b0ef229d43a30b2f9d29842e722ba2eac4eb"
        );
    }
}
