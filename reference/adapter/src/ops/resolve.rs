//! `lww` and `resolution` suites: `resolve` (spec §13, §14) at the
//! harness's `now`. Besides the resolved room, the answer carries the
//! rejected events with their codes and the superseded versions, the
//! values the vectors give as `intermediate`.

use openslots::resolution;
use openslots_vectors::{ParticipantExpected, Rejected, ResolveExpected, ResolveInput};
use serde_json::{Value, json};

use super::events::{context, from_wire};
use super::{input, need, output};
use crate::{OpError, OpResult};

/// Resolves a room from the events relays returned.
pub fn resolve(_p: &str, v: &Value) -> OpResult {
    let i: ResolveInput = input(v)?;
    let c = context(&need(i.link, "link")?)?;
    let events = need(i.events, "events")?
        .iter()
        .map(from_wire)
        .collect::<Result<Vec<_>, _>>()?;
    let r = resolution::resolve(&c, &events, need(i.now, "now")?).map_err(|e| OpError::spec(&e))?;
    let mut out = output(&ResolveExpected {
        room_event_id: r.room_event_id.to_hex(),
        host: r.host.to_hex(),
        title: r.room.title.clone(),
        slots: r.slots.clone(),
        participants: r
            .participants
            .iter()
            .map(|p| ParticipantExpected {
                pubkey: p.pubkey.to_hex(),
                event_id: p.event_id.to_hex(),
                name: p.name.clone(),
                available: p.available.clone(),
            })
            .collect(),
        counts: r.counts.clone(),
    })?;
    let rejected: Vec<Rejected> = r
        .rejected
        .iter()
        .map(|(id, f)| Rejected {
            id: id.to_hex(),
            error: f.code.as_str().to_owned(),
        })
        .collect();
    if let Some(o) = out.as_object_mut() {
        o.insert("rejected".into(), json!(rejected));
        o.insert(
            "superseded".into(),
            json!(
                r.superseded
                    .iter()
                    .map(|id| id.to_hex())
                    .collect::<Vec<_>>()
            ),
        );
    }
    Ok(out)
}
