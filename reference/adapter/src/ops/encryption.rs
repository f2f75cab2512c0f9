//! `encryption` suite: `encrypt`, `decrypt` (spec §7).

use openslots::cipher::{self, ConversationKey};
use openslots_vectors::{EncryptionExpected, EncryptionInput};
use serde_json::Value;

use super::{hex32, input, need, output};
use crate::{OpError, OpResult};

fn key(i: &EncryptionInput) -> Result<ConversationKey, OpError> {
    let k = i
        .conversation_key
        .as_deref()
        .ok_or_else(|| OpError::BadRequest("input has no conversationKey".into()))?;
    Ok(ConversationKey::from(hex32(k, "conversationKey")?))
}

/// NIP-44 v2 encryption with the given nonce.
pub fn encrypt(_p: &str, v: &Value) -> OpResult {
    let i: EncryptionInput = input(v)?;
    let k = key(&i)?;
    let nonce = hex32(&need(i.nonce, "nonce")?, "nonce")?;
    let plaintext = need(i.plaintext, "plaintext")?;
    let payload = cipher::encrypt_with_nonce(&k, plaintext.as_bytes(), &nonce)
        .map_err(|e| OpError::spec(&e))?;
    output(&EncryptionExpected {
        payload: Some(payload),
        ..Default::default()
    })
}

/// NIP-44 v2 decryption.
pub fn decrypt(_p: &str, v: &Value) -> OpResult {
    let i: EncryptionInput = input(v)?;
    let k = key(&i)?;
    let plaintext =
        cipher::decrypt(&k, &need(i.payload, "payload")?).map_err(|e| OpError::spec(&e))?;
    output(&EncryptionExpected {
        plaintext: Some(plaintext),
        ..Default::default()
    })
}
