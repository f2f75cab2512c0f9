//! Blinded identifiers (spec §6): the d-tags relays index rooms and responses by.
//!
//! A relay sees only `HMAC-SHA256(blinding key, …)` in lowercase hex, never
//! the room id, so it cannot tell which room an event belongs to without the
//! link.
//!
//! - v1 room (OS-BLIND-1): `HMAC(K_hmac, room-id)`.
//! - v1 response (OS-BLIND-2): `HMAC(K_hmac, "<author-pubkey-hex>:<room-event-id-hex>")`,
//!   unframed, exactly as deployed.
//! - v2 room (OS-BLIND-3): `HMAC(K_blind, frame("openslots:v2:room", room-id))`.
//! - v2 response (OS-BLIND-4): `HMAC(K_blind, frame("openslots:v2:response", room-id, author-pubkey-bytes))`.
//!
//! `frame` (OS-BLIND-5) prefixes every field with its length as a 32-bit
//! big-endian integer, so no two field lists share an encoding.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::kdf::BlindingKey;

/// Domain label of the v2 room d-tag (OS-BLIND-3).
pub const LABEL_V2_ROOM: &[u8] = b"openslots:v2:room";
/// Domain label of the v2 response d-tag (OS-BLIND-4).
pub const LABEL_V2_RESPONSE: &[u8] = b"openslots:v2:response";

/// `frame(f1, …, fk)`: each field as `u32-be(len) || bytes` (OS-BLIND-5).
///
/// Fields longer than `u32::MAX` bytes cannot occur in this protocol (room
/// ids are 36 bytes, keys 32); such a field is framed with its length
/// truncated to `u32::MAX`, which still never collides with a shorter one.
pub fn frame(fields: &[&[u8]]) -> Vec<u8> {
    let total: usize = fields.iter().map(|f| 4 + f.len()).sum();
    let mut out = Vec::with_capacity(total);
    for field in fields {
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}

/// `HMAC-SHA256(key, message)` (RFC 2104), the 32 raw bytes.
pub fn hmac_sha256(key: &BlindingKey, message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; 32 bytes can never be rejected.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
        .expect("HMAC-SHA256 accepts a 32-byte key");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Lowercase hex of `HMAC-SHA256(key, message)`: a blinded id.
pub fn blind(key: &BlindingKey, message: &[u8]) -> String {
    if cfg!(feature = "broken-upper-dtag") {
        return hex::encode_upper(hmac_sha256(key, message));
    }
    hex::encode(hmac_sha256(key, message))
}

/// The v1 room d-tag (OS-BLIND-1). `room_id` is hashed exactly as given.
pub fn room_d_tag_v1(k_hmac: &BlindingKey, room_id: &str) -> String {
    blind(k_hmac, room_id.as_bytes())
}

/// The message the v1 response d-tag blinds: `"<pubkey-hex>:<event-id-hex>"` (OS-BLIND-2).
pub fn response_message_v1(
    author: &nostr::key::PublicKey,
    room_event_id: &nostr::event::EventId,
) -> String {
    format!("{}:{}", author.to_hex(), room_event_id.to_hex())
}

/// The v1 response d-tag (OS-BLIND-2).
pub fn response_d_tag_v1(
    k_hmac: &BlindingKey,
    author: &nostr::key::PublicKey,
    room_event_id: &nostr::event::EventId,
) -> String {
    blind(
        k_hmac,
        response_message_v1(author, room_event_id).as_bytes(),
    )
}

/// The message the v2 room d-tag blinds (OS-BLIND-3).
pub fn room_message_v2(room_id: &str) -> Vec<u8> {
    frame(&[LABEL_V2_ROOM, room_id.as_bytes()])
}

/// The v2 room d-tag (OS-BLIND-3).
pub fn room_d_tag_v2(k_blind: &BlindingKey, room_id: &str) -> String {
    blind(k_blind, &room_message_v2(room_id))
}

/// The message the v2 response d-tag blinds (OS-BLIND-4).
pub fn response_message_v2(room_id: &str, author: &nostr::key::PublicKey) -> Vec<u8> {
    frame(&[LABEL_V2_RESPONSE, room_id.as_bytes(), author.as_bytes()])
}

/// The v2 response d-tag (OS-BLIND-4).
pub fn response_d_tag_v2(
    k_blind: &BlindingKey,
    room_id: &str,
    author: &nostr::key::PublicKey,
) -> String {
    blind(k_blind, &response_message_v2(room_id, author))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_is_length_prefixed() {
        assert_eq!(
            frame(&[b"ab", b""]),
            vec![0, 0, 0, 2, b'a', b'b', 0, 0, 0, 0]
        );
        // Unframed concatenation would make these equal; framing keeps them apart.
        assert_ne!(frame(&[b"a:b", b"c"]), frame(&[b"a", b"b:c"]));
    }
}
