//! `expiry` suite: `get_expiration` (spec §12), at the harness's `now`.

use openslots::expiry;
use openslots_vectors::{ExpiryExpected, ExpiryInput};
use serde_json::Value;

use super::{input, need, output};
use crate::OpResult;

/// The NIP-40 expiration of a tag list and whether it is expired at `now`.
pub fn get_expiration(_p: &str, v: &Value) -> OpResult {
    let i: ExpiryInput = input(v)?;
    let tags = need(i.tags, "tags")?;
    let now = need(i.now, "now")?;
    output(&ExpiryExpected {
        expiration: expiry::get_expiration(&tags),
        expired: expiry::is_expired_at(&tags, now),
    })
}
