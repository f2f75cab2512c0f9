//! Proof that the booking scenarios bite (spec §19.1): three naive clients,
//! each with exactly one classic booking mistake and otherwise the
//! reference's behaviour, must fail exactly the scenarios whose `catches`
//! names that mistake, each failure naming a requirement.
//!
//! - `arrival-order`: a host that takes requests in the order the relays
//!   delivered them instead of (`created_at`, id) (OS-BOOK-10);
//! - `seen-version`: a host that judges a request against the room version
//!   the request names in `seen` instead of the current one (OS-BOOK-9,
//!   OS-BOOK-14);
//! - `any-manifest`: a reader that takes the newest manifest whoever signed
//!   it (OS-BOOK-7).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use nostr::event::Event;
use openslots_adapter::reference::booking::{
    self, BookingError, BookingState, CountedRequest, CurrentRoom, Hold, Manifest, ReceiptNonce,
};
use openslots_adapter::reference::client::Joined;
use openslots_adapter::reference::client::booking as cb;
use openslots_adapter::reference::client::net;
use openslots_adapter::reference::event::RoomContext;
use openslots_adapter::reference::link::Link;
use openslots_adapter::reference::{SpecError, cipher, lww};
use openslots_harness::scenario::model::load_dir;
use openslots_harness::scenario::run::{Status, run_all};
use openslots_harness::scenario::{ClientAdapter, Reply, TransportClient};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mistake {
    ArrivalOrder,
    SeenVersion,
    AnyManifest,
}

impl Mistake {
    fn name(self) -> &'static str {
        match self {
            Self::ArrivalOrder => "arrival-order",
            Self::SeenVersion => "seen-version",
            Self::AnyManifest => "any-manifest",
        }
    }
}

/// Requests in arrival order: each takes the position of its event's first
/// arrival as its `created_at`, so the procedure's sort keeps that order.
fn decide_arrival(
    joined: &Joined,
    room: &CurrentRoom<'_>,
    now: i64,
    previous: &Manifest,
    holds: &[Hold],
    requests: &[CountedRequest],
) -> Result<Manifest, BookingError> {
    let order: Vec<String> = joined.events.iter().map(|e| e.id.to_hex()).collect();
    let reordered: Vec<CountedRequest> = requests
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.created_at = order.iter().position(|id| *id == r.id).unwrap_or(0) as u64;
            r
        })
        .collect();
    booking::decide(room, now, previous, holds, &reordered)
}

/// The room versions this host device wrote: event id to offered slots.
static WRITTEN: Mutex<BTreeMap<String, Vec<i64>>> = Mutex::new(BTreeMap::new());

/// Slots judged against the versions the requests name in `seen`, as this
/// host device remembers writing them: every slot one of them offered
/// counts as offered.
fn decide_seen(
    _joined: &Joined,
    room: &CurrentRoom<'_>,
    now: i64,
    previous: &Manifest,
    holds: &[Hold],
    requests: &[CountedRequest],
) -> Result<Manifest, BookingError> {
    let mut offered: BTreeSet<i64> = room.offered.clone();
    let written = WRITTEN.lock().unwrap();
    for r in requests {
        if let Some(slots) = written.get(&r.request.seen) {
            offered.extend(slots.iter().copied());
        }
    }
    let seen_room = CurrentRoom {
        room_id: room.room_id,
        offered: &offered,
        offer: room.offer,
    };
    booking::decide(&seen_room, now, previous, holds, requests)
}

/// The newest manifest of any author, read with its own author as binding.
fn any_manifest(input: &Value, out: &mut Value) {
    let link = Link::parse(input["link"].as_str().unwrap()).unwrap();
    let ctx = RoomContext::new(link);
    let urls: Vec<String> = input["relays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect();
    let timeout = Duration::from_millis(input["timeout_ms"].as_u64().unwrap());
    let address = ctx.room_address().unwrap();
    let filter = json!({"kinds": [30078], "#a": [address]});
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let events: Vec<Event> = rt.block_on(net::query(&urls, &[filter], timeout)).events();
    let d = cb::manifest_d(&ctx);
    let valid: Vec<(&Event, Manifest)> = events
        .iter()
        .filter(|e| openslots_adapter::reference::event::first_tag_value(e, "d") == Some(&d))
        .filter_map(|e| {
            let text = cipher::decrypt(&ctx.keys.enc, &e.content).ok()?;
            let m = cb::parse_manifest(&text, &ctx.link.room_id, &e.pubkey.to_hex()).ok()?;
            Some((e, m))
        })
        .collect();
    let Some(winner) = lww::select(valid.iter().map(|(e, _)| *e)) else {
        return;
    };
    let m = &valid.iter().find(|(e, _)| e.id == winner.id).unwrap().1;
    let receipts: Vec<Value> = input["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let c = ReceiptNonce::from_hex(n.as_str().unwrap())
                .unwrap()
                .commitment(&ctx.link.room_id);
            match m.state_of(&c) {
                Ok(BookingState::Confirmed(slots)) => {
                    json!({"commit": c, "state": "confirmed", "slots": slots})
                }
                Ok(BookingState::Cancelled) => json!({"commit": c, "state": "cancelled"}),
                Ok(BookingState::Pending) => json!({"commit": c, "state": "pending"}),
                Err(e) => json!({"commit": c, "state": "refused", "code": e.code().as_str()}),
            }
        })
        .collect();
    out["bookings"]["receipts"] = Value::from(receipts);
}

struct Naive {
    mistake: Mistake,
    reference: TransportClient,
}

impl ClientAdapter for Naive {
    fn name(&self) -> String {
        format!("naive ({})", self.mistake.name())
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        let decide: Option<cb::Decide> = match self.mistake {
            Mistake::ArrivalOrder => Some(decide_arrival),
            Mistake::SeenVersion => Some(decide_seen),
            Mistake::AnyManifest => None,
        };
        if op == "settle_bookings"
            && profile == "v2"
            && let Some(decide) = decide
        {
            return match cb::call_settle_with(input, decide) {
                Ok(v) => Reply::Ok(v),
                Err(e) => Reply::Error {
                    code: e.code.unwrap_or_default(),
                    message: e.message,
                },
            };
        }
        let reply = self.reference.call(op, profile, input);
        if matches!(op, "create_room" | "update_room")
            && let Reply::Ok(out) = &reply
            && let (Some(id), Some(slots)) = (
                out.get("event_id").and_then(Value::as_str),
                input.get("slots").and_then(Value::as_array),
            )
        {
            WRITTEN.lock().unwrap().insert(
                id.to_owned(),
                slots.iter().filter_map(Value::as_i64).collect(),
            );
        }
        if self.mistake == Mistake::AnyManifest
            && op == "join_room"
            && input.get("receipts").is_some()
            && let Reply::Ok(mut out) = reply
        {
            any_manifest(input, &mut out);
            return Reply::Ok(out);
        }
        reply
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
fn each_naive_booking_client_fails_exactly_the_scenarios_aimed_at_its_mistake() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/scenarios"));
    // The booking scenarios and any other that names a booking mistake.
    let scenarios: Vec<_> = load_dir(dir)
        .unwrap()
        .into_iter()
        .filter(|s| s.id.starts_with("b-"))
        .collect();
    assert!(!scenarios.is_empty());
    let mut problems = Vec::new();
    let mut caught_by: BTreeMap<&str, usize> = BTreeMap::new();
    for mistake in [
        Mistake::ArrivalOrder,
        Mistake::SeenVersion,
        Mistake::AnyManifest,
    ] {
        let mut client = Naive {
            mistake,
            reference: TransportClient::reference(),
        };
        let outcomes = run_all(&scenarios, None, &mut client).unwrap();
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
                *caught_by.entry(mistake.name()).or_default() += 1;
                assert!(
                    o.findings.iter().all(|f| f
                        .finding
                        .requirements
                        .iter()
                        .any(|r| r.starts_with("OS-BOOK"))),
                    "{}: every failure names a booking requirement: {:?}",
                    mistake.name(),
                    o.findings
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
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for m in ["arrival-order", "seen-version", "any-manifest"] {
        assert!(
            caught_by.get(m).copied().unwrap_or(0) > 0,
            "no scenario catches {m}"
        );
    }
}
