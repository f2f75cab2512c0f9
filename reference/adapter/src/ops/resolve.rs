//! `lww` and `resolution` suites: `resolve` (spec §13, §14) at the
//! harness's `now`. Besides the resolved room, the answer carries the
//! rejected events with their codes and the superseded versions, the
//! values the vectors give as `intermediate`.

use std::collections::BTreeSet;

use openslots::event::room_address;
use openslots::resolution;
use openslots_vectors::{ParticipantExpected, Rejected, ResolveExpected, ResolveInput, WireEvent};
use serde_json::{Value, json};

use super::events::{context, from_wire};
use super::{input, need, output};
use crate::{OpError, OpResult};

/// Resolves a room from the events relays returned.
pub fn resolve(_p: &str, v: &Value) -> OpResult {
    let i: ResolveInput = input(v)?;
    let c = context(&need(i.link, "link")?)?;
    // A relay can send anything (spec §14.2): an event that is not a
    // well-formed event is rejected with `event-json` when it is a
    // candidate, and resolution goes on with the others.
    let mut events = Vec::new();
    let mut malformed = Vec::new();
    for w in need(i.events, "events")? {
        match from_wire(&w) {
            Ok(e) => events.push(e),
            Err(OpError::Code(code, _)) if code == "event-json" => malformed.push(w),
            Err(e) => return Err(e),
        }
    }
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
    let mut rejected: Vec<Rejected> = r
        .rejected
        .iter()
        .map(|(id, f)| Rejected {
            id: id.to_hex(),
            error: f.code.as_str().to_owned(),
        })
        .collect();
    // The malformed candidates, by their `id` member as given (§14.2): room
    // candidates by the room d-tag, response candidates by the winning
    // room's `e` tag (v1) or the room's address (v2). An id with a valid
    // copy is not listed, and each id once.
    let names = |w: &WireEvent, name: &str, value: &str| {
        w.tags.iter().any(|t| {
            t.first().map(String::as_str) == Some(name)
                && t.get(1).map(String::as_str) == Some(value)
        })
    };
    let response_tag = match c.link.host() {
        None => ("e", r.room_event_id.to_hex()),
        Some(host) => ("a", room_address(host, &c.room_d)),
    };
    let valid: BTreeSet<String> = r
        .participants
        .iter()
        .map(|p| p.event_id.to_hex())
        .chain(r.superseded.iter().map(|id| id.to_hex()))
        .chain([r.room_event_id.to_hex()])
        .collect();
    for w in &malformed {
        let candidate = names(w, "d", &c.room_d) || names(w, response_tag.0, &response_tag.1);
        if candidate && !valid.contains(&w.id) {
            rejected.push(Rejected {
                id: w.id.clone(),
                error: "event-json".to_owned(),
            });
        }
    }
    rejected.sort_by(|a, b| (&a.id, &a.error).cmp(&(&b.id, &b.error)));
    rejected.dedup_by(|a, b| a.id == b.id);
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
