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

/// The message the room d-tag hashes: the room id (v1, OS-BLIND-1) or
/// frame(`openslots:v2:room`, room id) (v2, OS-BLIND-3).
pub fn room_message(profile: Profile, room_id: &str) -> Vec<u8> {
    match profile {
        Profile::V1 => room_id.as_bytes().to_vec(),
        Profile::V2 => frame(&[b"openslots:v2:room", room_id.as_bytes()]),
    }
}

/// OS-BLIND-1 (v1, key K_hmac) and OS-BLIND-3 (v2, key K_blind).
pub fn room_d(profile: Profile, key: &[u8; 32], room_id: &str) -> String {
    hex_lower(hmac(key, &room_message(profile, room_id)))
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
