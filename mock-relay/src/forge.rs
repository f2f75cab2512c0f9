//! Building events for scripts: correctly signed ones, and the forgeries a
//! faulty relay serves (a signature that does not verify, an id that does
//! not match). For use by tests and scenario runners; the relay itself
//! never signs anything.

use std::sync::LazyLock;

use nostr::event::{Event, Kind, Tag, UnsignedEvent};
use nostr::key::Keys;
use nostr::types::Timestamp;
use serde_json::Value;

static SECP: LazyLock<secp256k1::Secp256k1<secp256k1::All>> =
    LazyLock::new(secp256k1::Secp256k1::new);

/// Why an event could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build event: {0}")]
pub struct ForgeError(pub String);

/// Signs an event of any kind with fixed auxiliary randomness (all zero),
/// so the same inputs give the same event.
pub fn signed(
    keys: &Keys,
    kind: u16,
    created_at: u64,
    tags: Vec<Vec<String>>,
    content: &str,
) -> Result<Event, ForgeError> {
    let tags: Vec<Tag> = tags
        .into_iter()
        .map(Tag::parse)
        .collect::<Result<_, _>>()
        .map_err(|e| ForgeError(e.to_string()))?;
    let unsigned = UnsignedEvent::new(
        keys.public_key(),
        Timestamp::from_secs(created_at),
        Kind::from(kind),
        tags,
        content.to_string(),
    );
    let id = unsigned.compute_id();
    let sig = keys.sign_schnorr_with_aux_rand(&*SECP, id.as_bytes(), &[0u8; 32]);
    Ok(Event::new(
        id,
        unsigned.pubkey,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags,
        unsigned.content,
        sig,
    ))
}

/// `tags` written as string slices, for brevity.
pub fn tags(items: &[&[&str]]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|t| t.iter().map(|s| (*s).to_string()).collect())
        .collect()
}

/// The event as JSON.
pub fn to_value(event: &Event) -> Value {
    serde_json::to_value(event).unwrap_or(Value::Null)
}

/// The event with one bit of its signature flipped: well-formed, correct
/// id, signature that does not verify.
pub fn with_forged_signature(event: &Event) -> Value {
    let mut value = to_value(event);
    if let Some(sig) = value.get("sig").and_then(Value::as_str) {
        let mut bytes = hex::decode(sig).unwrap_or_default();
        if let Some(last) = bytes.last_mut() {
            *last ^= 0x01;
        }
        value["sig"] = Value::from(hex::encode(bytes));
    }
    value
}

/// The event with `content` replaced but id and signature kept: the id no
/// longer matches the contents (the signature still verifies over the
/// claimed id).
pub fn with_wrong_id(event: &Event, content: &str) -> Value {
    let mut value = to_value(event);
    value["content"] = Value::from(content);
    value
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use nostr::key::SecretKey;

    #[test]
    fn forgeries_fail_exactly_their_check() {
        let keys = Keys::new(SecretKey::from_slice(&[7u8; 32]).unwrap());
        let good = signed(&keys, 30078, 100, tags(&[&["d", "x"]]), "hello").unwrap();
        assert!(good.verify_id() && good.verify_signature());
        let forged: Event = serde_json::from_value(with_forged_signature(&good)).unwrap();
        assert!(forged.verify_id());
        assert!(!forged.verify_signature());
        let wrong: Event = serde_json::from_value(with_wrong_id(&good, "other")).unwrap();
        assert!(!wrong.verify_id());
        assert!(wrong.verify_signature());
    }
}
