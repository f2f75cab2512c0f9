//! `link` suite: `parse_link` (spec §4).

use openslots::link::{Link, LinkProfile};
use openslots_vectors::{LinkExpected, LinkInput};
use serde_json::Value;

use super::{input, need, output};
use crate::{OpError, OpResult};

/// Parses a link into its profile, origin, room id, key and host.
pub fn parse_link(_profile: &str, v: &Value) -> OpResult {
    let i: LinkInput = input(v)?;
    let l = Link::parse(&need(i.link, "link")?).map_err(|e| OpError::spec(&e))?;
    output(&LinkExpected {
        profile: Some(match l.profile {
            LinkProfile::V1 => "v1".into(),
            LinkProfile::V2 { .. } => "v2".into(),
        }),
        origin: Some(l.origin.clone()),
        room_id: Some(l.room_id.clone()),
        room_key: Some(hex::encode(l.key.as_bytes())),
        host: l.host().map(|h| h.to_hex()),
    })
}
