//! `wrap` suite (spec §19.2): `derive_intermediate`, `member_keys`,
//! `seal_wrapper`, `open_wrapper`, `open_set`, `check_epoch`, `set_address`,
//! `derive_epoch_key`.

use openslots::wrap::{self, EpochSecret, GroupId, Intermediate, Schedule};
use openslots_vectors::{WrapExpected, WrapInput};
use serde_json::Value;

use super::{hex32, input, need, output};
use crate::{OpError, OpResult};

fn hex_n<const N: usize>(s: &str, name: &str) -> Result<[u8; N], OpError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out)
        .map_err(|e| OpError::BadRequest(format!("{name}: not {N} bytes of hex: {e}")))?;
    Ok(out)
}

fn group(i: &WrapInput) -> Result<GroupId, OpError> {
    Ok(GroupId::from_bytes(hex32(
        need(i.group_id.as_deref(), "groupId")?,
        "groupId",
    )?))
}

/// OS-WRAP-2, OS-WRAP-3, OS-WRAP-4: the intermediate of a passphrase.
pub fn derive_intermediate(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let salt = hex_n::<16>(need(i.salt.as_deref(), "salt")?, "salt")?;
    let k = wrap::derive_intermediate(
        need(i.passphrase.as_deref(), "passphrase")?,
        &salt,
        need(i.log_n, "logN")?,
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&WrapExpected {
        intermediate: Some(hex::encode(k.as_bytes())),
        ..Default::default()
    })
}

/// OS-WRAP-7: locator and `K_wrap`.
pub fn member_keys(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let k = Intermediate::from_bytes(hex32(
        need(i.intermediate.as_deref(), "intermediate")?,
        "intermediate",
    )?);
    let keys = wrap::member_keys(&k, &group(&i)?, need(i.epoch, "epoch")?);
    output(&WrapExpected {
        locator: Some(hex::encode(keys.locator)),
        wrap_key: Some(hex::encode(keys.key.as_bytes())),
        ..Default::default()
    })
}

/// OS-WRAP-8, OS-WRAP-9: a wrapper.
pub fn seal_wrapper(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let k = Intermediate::from_bytes(hex32(
        need(i.intermediate.as_deref(), "intermediate")?,
        "intermediate",
    )?);
    let secret = EpochSecret::from_bytes(hex32(
        need(i.epoch_secret.as_deref(), "epochSecret")?,
        "epochSecret",
    )?);
    let w = wrap::seal(
        &k,
        &group(&i)?,
        need(i.epoch, "epoch")?,
        &hex_n::<16>(need(i.salt.as_deref(), "salt")?, "salt")?,
        need(i.log_n, "logN")?,
        &hex_n::<24>(need(i.nonce.as_deref(), "nonce")?, "nonce")?,
        &secret,
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&WrapExpected {
        wrapper: Some(hex::encode(w.as_bytes())),
        ..Default::default()
    })
}

/// OS-WRAP-11: a wrapper opened from a passphrase.
pub fn open_wrapper(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let bytes = hex::decode(need(i.wrapper.as_deref(), "wrapper")?)
        .map_err(|e| OpError::BadRequest(format!("wrapper: {e}")))?;
    let s = wrap::open_with_passphrase(
        need(i.passphrase.as_deref(), "passphrase")?,
        &group(&i)?,
        need(i.epoch, "epoch")?,
        &bytes,
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&WrapExpected {
        epoch_secret: Some(hex::encode(s.as_bytes())),
        ..Default::default()
    })
}

/// OS-WRAP-12, OS-WRAP-13: a member's wrapper found and opened in a set.
pub fn open_set(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let o = wrap::open_set(
        need(i.passphrase.as_deref(), "passphrase")?,
        &group(&i)?,
        need(i.content.as_deref(), "content")?,
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&WrapExpected {
        epoch: Some(o.epoch),
        index: Some(o.index as u64),
        locator: Some(hex::encode(o.locator)),
        epoch_secret: Some(hex::encode(o.secret.as_bytes())),
        ..Default::default()
    })
}

/// OS-WRAP-14: an epoch's window, if `now` is in it.
pub fn check_epoch(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let (epoch, now) = (need(i.epoch, "epoch")?, need(i.now, "now")?);
    let w = Schedule::new(need(i.rotate, "rotate")?, need(i.margin, "margin")?)
        .and_then(|s| s.check(epoch, now))
        .map_err(|e| OpError::spec(&e))?;
    output(&WrapExpected {
        start: Some(w.start),
        end: Some(w.end),
        ..Default::default()
    })
}

/// OS-WRAP-16: the set's d-tag and expiration.
pub fn set_address(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let epoch = need(i.epoch, "epoch")?;
    let w = Schedule::new(need(i.rotate, "rotate")?, need(i.margin, "margin")?)
        .and_then(|s| s.window(epoch))
        .map_err(|e| OpError::spec(&e))?;
    output(&WrapExpected {
        d_tag: Some(wrap::set_d_tag(&group(&i)?)),
        end: Some(w.end),
        ..Default::default()
    })
}

/// OS-WRAP-21: a key derived from an epoch secret.
pub fn derive_epoch_key(_p: &str, v: &Value) -> OpResult {
    let i: WrapInput = input(v)?;
    let secret = EpochSecret::from_bytes(hex32(
        need(i.epoch_secret.as_deref(), "epochSecret")?,
        "epochSecret",
    )?);
    let k = wrap::derive_epoch_key(
        &secret,
        &group(&i)?,
        need(i.epoch, "epoch")?,
        need(i.purpose.as_deref(), "purpose")?,
    );
    output(&WrapExpected {
        key: Some(hex::encode(k.as_bytes())),
        ..Default::default()
    })
}
