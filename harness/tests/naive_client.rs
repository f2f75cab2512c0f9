//! Proof that the client scenarios bite: four naive clients, each with
//! exactly one classic mistake and otherwise the reference's behaviour,
//! must fail exactly the scenarios whose `catches` names that mistake, and
//! each failure must name a requirement.
//!
//! - `first-event`: keeps the first valid version it sees (no last-write-wins);
//! - `tie-by-arrival`: on equal `created_at` keeps the later arrival;
//! - `any-author`: accepts a v2 room event from any author;
//! - `ignores-expiry`: never treats an event as expired.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use nostr::event::Event;
use openslots::client::net;
use openslots::event::{self as ev, RoomContext, RoomRef};
use openslots::link::{Link, LinkProfile};
use openslots::mask;
use openslots_harness::scenario::model::load_dir;
use openslots_harness::scenario::run::{Status, run_all};
use openslots_harness::scenario::{ClientAdapter, Reply, TransportClient};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mistake {
    FirstEvent,
    TieByArrival,
    AnyAuthor,
    IgnoresExpiry,
}

impl Mistake {
    fn name(self) -> &'static str {
        match self {
            Self::FirstEvent => "first-event",
            Self::TieByArrival => "tie-by-arrival",
            Self::AnyAuthor => "any-author",
            Self::IgnoresExpiry => "ignores-expiry",
        }
    }
}

struct Naive {
    mistake: Mistake,
    reference: TransportClient,
}

/// Picks one event among valid candidates in arrival order.
fn pick<T>(mistake: Mistake, valid: Vec<(&Event, T)>) -> Option<(&Event, T)> {
    let mut best: Option<(&Event, T)> = None;
    for (e, v) in valid {
        let replace = match &best {
            None => true,
            Some((b, _)) => match mistake {
                Mistake::FirstEvent => false,
                Mistake::TieByArrival => e.created_at >= b.created_at,
                _ => openslots::lww::beats(e, b),
            },
        };
        if replace {
            best = Some((e, v));
        }
    }
    best
}

impl Naive {
    fn join(&self, input: &Value) -> Reply {
        let link = Link::parse(input["link"].as_str().unwrap()).unwrap();
        let relays: Vec<String> = input["relays"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let timeout = Duration::from_millis(input["timeout_ms"].as_u64().unwrap());
        let now = input["now"].as_u64().unwrap();
        let now_eff = if self.mistake == Mistake::IgnoresExpiry {
            0
        } else {
            now
        };
        let ctx = RoomContext::new(link.clone());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut filters = vec![match ctx.link.host() {
            None => json!({"kinds": [ev::KIND], "#d": [ctx.room_d], "#t": [ev::APP_TAG]}),
            Some(h) => json!({"kinds": [ev::KIND], "authors": [h.to_hex()], "#d": [ctx.room_d]}),
        }];
        if let Some(a) = ctx.room_address() {
            filters.push(json!({"kinds": [ev::KIND], "#a": [a]}));
        }
        let first = rt.block_on(net::query(&relays, &filters, timeout));
        if !first.any_relay_answered() {
            return Reply::Error {
                code: "relay-unavailable".into(),
                message: "no relay".into(),
            };
        }
        let mut events = first.events();
        let mut rejected: BTreeMap<String, String> = BTreeMap::new();
        let open = |events: &[Event], rejected: &mut BTreeMap<String, String>| {
            let mut valid = Vec::new();
            for e in events.iter().filter(|e| ctx.is_room_candidate(e)) {
                let c = if self.mistake == Mistake::AnyAuthor && ctx.link.host().is_some() {
                    RoomContext::new(Link {
                        profile: LinkProfile::V2 { host: e.pubkey },
                        ..link.clone()
                    })
                } else {
                    ctx.clone()
                };
                match c.open_room(e, now_eff) {
                    Ok(p) => valid.push((e.clone(), p)),
                    Err(f) => {
                        rejected.insert(e.id.to_hex(), f.code.as_str().to_owned());
                    }
                }
            }
            valid
        };
        let valid = open(&events, &mut rejected);
        let Some((room_event, _)) = pick(self.mistake, valid.iter().map(|(e, p)| (e, p)).collect())
        else {
            return Reply::Error {
                code: "room-not-found".into(),
                message: "naive".into(),
            };
        };
        let room_event = room_event.clone();
        if link.host().is_none() {
            let f = json!({"kinds": [ev::KIND], "#e": [room_event.id.to_hex()]});
            events.extend(rt.block_on(net::query(&relays, &[f], timeout)).events());
        }
        let room = valid
            .iter()
            .find(|(e, _)| e.id == room_event.id)
            .map(|(_, p)| p.clone())
            .unwrap();
        let room_ref = RoomRef {
            event_id: room_event.id,
            payload: &room,
        };
        let mut by_author: BTreeMap<String, Vec<(&Event, mask::Mask, String)>> = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for e in events
            .iter()
            .filter(|e| !ctx.is_room_candidate(e) && ctx.is_response_candidate(e, &room_event.id))
        {
            if !seen.insert((e.id, e.sig)) {
                continue;
            }
            match ctx.open_response(e, &room_ref, now_eff) {
                Ok(o) => by_author.entry(e.pubkey.to_hex()).or_default().push((
                    e,
                    o.mask,
                    o.payload.name,
                )),
                Err(f) => {
                    rejected.insert(e.id.to_hex(), f.code.as_str().to_owned());
                }
            }
        }
        let slots = mask::slots_of(room.start, &room.mask);
        let mut participants = Vec::new();
        let mut counts = vec![0u32; slots.len()];
        for (pk, list) in by_author {
            let (_, (m, name)) = pick(
                self.mistake,
                list.into_iter().map(|(e, m, n)| (e, (m, n))).collect(),
            )
            .unwrap();
            let available = mask::slots_of(room.start, &m);
            for (i, s) in slots.iter().enumerate() {
                if available.contains(s) {
                    counts[i] += 1;
                }
            }
            participants.push(json!({"pubkey": pk, "name": name, "available": available}));
        }
        Reply::Ok(json!({
            "room_event_id": room_event.id.to_hex(),
            "title": room.title,
            "slots": slots,
            "participants": participants,
            "counts": counts,
            "rejected": rejected.iter().map(|(id, code)| json!({"id": id, "code": code})).collect::<Vec<_>>(),
        }))
    }
}

impl ClientAdapter for Naive {
    fn name(&self) -> String {
        format!("naive ({})", self.mistake.name())
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        if op == "join_room" {
            self.join(input)
        } else {
            self.reference.call(op, profile, input)
        }
    }
}

fn catches(catches: &[String], mistake: Mistake, profile: &str) -> bool {
    catches.iter().any(|c| {
        let (name, only) = c
            .split_once('@')
            .map_or((c.as_str(), None), |(n, p)| (n, Some(p)));
        name == mistake.name() && only.is_none_or(|p| p == profile)
    })
}

#[test]
fn each_naive_client_fails_exactly_the_scenarios_aimed_at_its_mistake() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/scenarios"));
    let scenarios = load_dir(dir).unwrap();
    let mut problems = Vec::new();
    for mistake in [
        Mistake::FirstEvent,
        Mistake::TieByArrival,
        Mistake::AnyAuthor,
        Mistake::IgnoresExpiry,
    ] {
        let mut client = Naive {
            mistake,
            reference: TransportClient::reference(),
        };
        let outcomes = run_all(&scenarios, None, &mut client).unwrap();
        let mut caught = 0;
        for o in &outcomes {
            let s = scenarios.iter().find(|s| s.id == o.scenario).unwrap();
            let want_fail = catches(&s.catches, mistake, &o.profile);
            let failed = o.status == Status::Fail;
            if want_fail != failed {
                problems.push(format!(
                    "{}: {}@{} {} ({:?}): {:?}",
                    mistake.name(),
                    o.scenario,
                    o.profile,
                    if want_fail {
                        "should fail but did not"
                    } else {
                        "failed but does not target this mistake"
                    },
                    o.status,
                    o.findings
                ));
            }
            if failed {
                caught += 1;
                // Every failure names at least one requirement.
                assert!(
                    o.findings
                        .iter()
                        .all(|f| !f.finding.requirements.is_empty())
                );
                println!(
                    "{} fails {}@{}: {}",
                    mistake.name(),
                    o.scenario,
                    o.profile,
                    o.findings
                        .iter()
                        .map(|f| format!(
                            "[{}] {}",
                            f.finding.requirements.join(", "),
                            f.finding.message
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
        }
        assert!(caught > 0, "no scenario catches {}", mistake.name());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
