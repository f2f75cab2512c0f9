//! `derivation` suite: `derive_keys`, `derive_signing_key` (spec §5).

use openslots::Profile;
use openslots::kdf::{self, DeviceSecret, RoomKey};
use openslots_vectors::{DerivationExpected, DerivationInput};
use serde_json::Value;

use super::{hex32, input, need, output, profile};
use crate::{OpError, OpResult};

/// The room's keys: `kEnc` and `kHmac` (v1) or `kBlind` (v2).
pub fn derive_keys(p: &str, v: &Value) -> OpResult {
    let i: DerivationInput = input(v)?;
    let p = profile(p)?;
    let key = hex32(&need(i.room_key, "roomKey")?, "roomKey")?;
    let d = RoomKey::from_bytes(key).derive(p);
    let blind = hex::encode(d.blind.as_bytes());
    let (k_hmac, k_blind) = match p {
        Profile::V1 => (Some(blind), None),
        Profile::V2 => (None, Some(blind)),
    };
    output(&DerivationExpected {
        k_enc: Some(hex::encode(d.enc.as_bytes())),
        k_hmac,
        k_blind,
        ..Default::default()
    })
}

/// A device's per-room signing key (v2).
pub fn derive_signing_key(_p: &str, v: &Value) -> OpResult {
    let i: DerivationInput = input(v)?;
    let device = hex32(&need(i.device_secret, "deviceSecret")?, "deviceSecret")?;
    let room = need(i.room_d_tag, "roomDTag")?;
    let d = kdf::derive_signing_key(&DeviceSecret::from_bytes(device), &room)
        .ok_or_else(|| OpError::BadRequest("no valid scalar within 256 candidates".into()))?;
    output(&DerivationExpected {
        counter: Some(d.counter),
        secret_key: Some(d.keys.secret_key().to_secret_hex()),
        public_key: Some(d.keys.public_key().to_hex()),
        ..Default::default()
    })
}
