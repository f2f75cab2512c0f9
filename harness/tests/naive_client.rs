//! Proof that the client scenarios bite: four naive clients, each with
//! exactly one classic mistake and otherwise the reference's behaviour,
//! must fail exactly the scenarios whose `catches` names that mistake, and
//! each failure must name a requirement.
//!
//! - `first-event`: keeps the first valid version it sees (no last-write-wins);
//! - `tie-by-arrival`: on equal `created_at` keeps the later arrival;
//! - `any-author`: accepts a v2 room event from any author;
//! - `ignores-expiry`: never treats an event as expired;
//! - `lenient-link`: reads links as the deployed app does (protocol facts
//!   §2): the query is ignored, the key is read two characters at a time
//!   with non-hexadecimal pairs as 0 and either case, and a key that is not
//!   64 characters long is silently replaced with a fresh one;
//! - `floors-off-grid`: moves a slot that is off the first slot's 1800-second
//!   grid down onto it when it writes a room, as v1 does (the deployed
//!   app's silent move), instead of refusing the v2 room with `mask-off-grid`;
//! - `dedup-by-id`: keeps the first event received with each id and drops
//!   later ones before checking any, as nostr-tools' relay pool (and so the
//!   deployed app) does: a bad-signature copy that arrives first hides the
//!   genuine event (OS-LWW-6);
//! - `resurrects`: drops an expired version before last-write-wins, so an
//!   older version comes back once a newer one has expired (OS-LWW-7);
//! - `strict-frames`: gives up on a relay that sends a text frame it cannot
//!   read (not JSON, or not a well-formed event), as if the connection had
//!   dropped: that relay's events are lost (OS-RES-8). Simulated on the
//!   reference's query by discarding the answer of every relay that sent
//!   such a frame.
//!
//! A last test shows that a client which publishes and then reports a
//! failure is caught by the harness's "a failed operation publishes
//! nothing" check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use nostr::event::Event;
use openslots_adapter::reference::client::net;
use openslots_adapter::reference::event::{self as ev, RoomContext, RoomRef};
use openslots_adapter::reference::link::{Link, LinkProfile};
use openslots_adapter::reference::mask;
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
    LenientLink,
    FloorsOffGrid,
    DedupById,
    Resurrects,
    StrictFrames,
}

impl Mistake {
    fn name(self) -> &'static str {
        match self {
            Self::FirstEvent => "first-event",
            Self::TieByArrival => "tie-by-arrival",
            Self::AnyAuthor => "any-author",
            Self::IgnoresExpiry => "ignores-expiry",
            Self::LenientLink => "lenient-link",
            Self::FloorsOffGrid => "floors-off-grid",
            Self::DedupById => "dedup-by-id",
            Self::Resurrects => "resurrects",
            Self::StrictFrames => "strict-frames",
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
                _ => openslots_adapter::reference::lww::beats(e, b),
            },
        };
        if replace {
            best = Some((e, v));
        }
    }
    best
}

/// OS-LWW-7: whether an expired version outranks the chosen one (never, for
/// the client that makes the `resurrects` mistake).
fn ended(mistake: Mistake, expired: &[&Event], chosen: &Event) -> bool {
    mistake != Mistake::Resurrects
        && expired
            .iter()
            .any(|t| openslots_adapter::reference::lww::beats(t, chosen))
}

/// nostr-tools' relay pool: the first event received with an id is kept,
/// every later one with that id dropped, before any check.
fn dedup_by_id(events: &mut Vec<Event>) {
    let mut seen = std::collections::BTreeSet::new();
    events.retain(|e| seen.insert(e.id));
}

/// The deployed app's reading of a room key (protocol facts §2): a key that
/// is not 64 characters long is replaced with a fresh one; otherwise each
/// pair of characters is one byte, a pair that is not hexadecimal is 0.
fn lenient_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() != 64 {
        return "f7".repeat(32);
    }
    chars
        .chunks(2)
        .map(|p| {
            let pair: String = p.iter().collect();
            format!("{:02x}", u8::from_str_radix(&pair, 16).unwrap_or(0))
        })
        .collect()
}

/// A link as the deployed app reads it, written back canonically where it
/// can be: the query dropped, the key read leniently (in v2 the key part of
/// a three-part `v2.` fragment; any other fragment is one v1 key).
fn lenient_link(link: &str) -> String {
    let (base, fragment) = link.split_once('#').unwrap_or((link, ""));
    let base = base.split_once('?').map_or(base, |(b, _)| b);
    let parts: Vec<&str> = fragment.split('.').collect();
    if let ["v2", key, host] = parts.as_slice() {
        format!("{base}#v2.{}.{host}", lenient_key(key))
    } else {
        format!("{base}#{}", lenient_key(fragment))
    }
}

/// The relay URLs of a client operation's input.
fn relays_of(input: &Value) -> Vec<String> {
    input["relays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

impl Naive {
    fn join(&mut self, profile: &str, input: &Value) -> Reply {
        let Ok(link) = Link::parse(input["link"].as_str().unwrap()) else {
            // Links are not this client's mistake: the reference's answer.
            return self.reference.call("join_room", profile, input);
        };
        let relays = relays_of(input);
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
        let mut first = rt.block_on(net::query(&relays, &filters, timeout));
        if self.mistake == Mistake::StrictFrames {
            for r in &mut first.relays {
                if r.malformed > 0 {
                    r.status = net::QueryStatus::Dropped;
                    r.events.clear();
                }
            }
        }
        if !first.any_relay_answered() {
            return Reply::Error {
                code: "relay-unavailable".into(),
                message: "no relay".into(),
            };
        }
        let mut events = first.events();
        if self.mistake == Mistake::DedupById {
            dedup_by_id(&mut events);
        }
        let mut rejected: BTreeMap<String, String> = BTreeMap::new();
        let mut expired: Vec<Event> = Vec::new();
        let open = |events: &[Event],
                    rejected: &mut BTreeMap<String, String>,
                    expired: &mut Vec<Event>| {
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
                        if f.code.as_str() == "event-expired" {
                            expired.push(e.clone());
                        }
                        rejected.insert(e.id.to_hex(), f.code.as_str().to_owned());
                    }
                }
            }
            valid
        };
        let valid = open(&events, &mut rejected, &mut expired);
        let expired_rooms: Vec<&Event> = expired.iter().collect();
        let Some((room_event, _)) = pick(self.mistake, valid.iter().map(|(e, p)| (e, p)).collect())
            .filter(|(e, _)| !ended(self.mistake, &expired_rooms, e))
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
            if self.mistake == Mistake::DedupById {
                dedup_by_id(&mut events);
            }
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
        // §14.2: an id with a valid copy in either role is not listed.
        let mut valid_ids: std::collections::BTreeSet<String> =
            valid.iter().map(|(e, _)| e.id.to_hex()).collect();
        let mut by_author: BTreeMap<String, Vec<(&Event, mask::Mask, String)>> = BTreeMap::new();
        let mut expired_by_author: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
        let mut seen = std::collections::BTreeSet::new();
        for e in events
            .iter()
            .filter(|e| !ctx.is_room_candidate(e) && ctx.is_response_candidate(e, &room_event.id))
        {
            if !seen.insert((e.id, e.sig)) {
                continue;
            }
            match ctx.open_response(e, &room_ref, now_eff) {
                Ok(o) => {
                    valid_ids.insert(e.id.to_hex());
                    by_author.entry(e.pubkey.to_hex()).or_default().push((
                        e,
                        o.mask,
                        o.payload.name,
                    ));
                }
                Err(f) => {
                    if f.code.as_str() == "event-expired" {
                        expired_by_author
                            .entry(e.pubkey.to_hex())
                            .or_default()
                            .push(e);
                    }
                    rejected.insert(e.id.to_hex(), f.code.as_str().to_owned());
                }
            }
        }
        rejected.retain(|id, _| !valid_ids.contains(id));
        let slots = mask::slots_of(room.start, &room.mask);
        let mut participants = Vec::new();
        let mut counts = vec![0u32; slots.len()];
        for (pk, list) in by_author {
            let (chosen, (m, name)) = pick(
                self.mistake,
                list.into_iter().map(|(e, m, n)| (e, (m, n))).collect(),
            )
            .unwrap();
            let tombs = expired_by_author.get(&pk).cloned().unwrap_or_default();
            if ended(self.mistake, &tombs, chosen) {
                continue;
            }
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
        if self.mistake == Mistake::FloorsOffGrid
            && let Some(slots) = input.get("slots").and_then(Value::as_array)
        {
            let slots: Vec<i64> = slots.iter().filter_map(Value::as_i64).collect();
            let first = slots.iter().min().copied().unwrap_or_default();
            let floored: Vec<i64> = slots
                .iter()
                .map(|t| first + (t - first).div_euclid(1800) * 1800)
                .collect();
            let mut input = input.clone();
            input["slots"] = json!(floored);
            return self.reference.call(op, profile, &input);
        }
        if self.mistake == Mistake::LenientLink {
            let mut input = input.clone();
            if let Some(link) = input.get("link").and_then(Value::as_str) {
                input["link"] = Value::from(lenient_link(link));
            }
            return self.reference.call(op, profile, &input);
        }
        // A join that asks for booking states (adapter protocol §10.1) is the
        // reference's: these mistakes are about rooms and responses.
        if op == "join_room" && input.get("receipts").is_none() {
            self.join(profile, input)
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
        Mistake::LenientLink,
        Mistake::FloorsOffGrid,
        Mistake::DedupById,
        Mistake::Resurrects,
        Mistake::StrictFrames,
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

/// Runs one scenario, in both profiles, against `client`.
fn both_profiles_of(
    id: &str,
    mut client: impl ClientAdapter,
) -> Vec<openslots_harness::scenario::run::Outcome> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/scenarios"));
    let scenarios: Vec<_> = load_dir(dir)
        .unwrap()
        .into_iter()
        .filter(|s| s.id == id)
        .collect();
    assert_eq!(scenarios.len(), 1, "{id}");
    let outcomes = run_all(&scenarios, None, &mut client).unwrap();
    assert_eq!(outcomes.len(), 2, "{id}");
    outcomes
}

/// The reference, except that after a successful `respond` it reports
/// `payload-json`, as a client that publishes before it has checked would.
struct PublishesThenFails(TransportClient);

impl ClientAdapter for PublishesThenFails {
    fn name(&self) -> String {
        "publishes-then-fails".into()
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        match self.0.call(op, profile, input) {
            Reply::Ok(_) if op == "respond" => Reply::Error {
                code: "payload-json".into(),
                message: "checked after publishing".into(),
            },
            other => other,
        }
    }
}

#[test]
fn a_failed_operation_that_published_is_caught() {
    let outcomes = both_profiles_of(
        "h6-create-carries-expiration",
        PublishesThenFails(TransportClient::reference()),
    );
    for o in &outcomes {
        assert_eq!(o.status, Status::Fail, "{}", o.profile);
        let published: Vec<_> = o
            .findings
            .iter()
            .filter(|f| f.op == "respond" && f.finding.message.contains("received 1 event(s)"))
            .collect();
        assert!(!published.is_empty(), "{}: {:?}", o.profile, o.findings);
        assert!(
            published
                .iter()
                .all(|f| f.finding.message.contains("failed with `payload-json`"))
        );
    }
}

/// The reference, except that before it joins it asks every relay for
/// events tagged with the room key: the link's secret goes to the relays.
struct SendsKeyToRelays(TransportClient);

impl ClientAdapter for SendsKeyToRelays {
    fn name(&self) -> String {
        "sends-key-to-relays".into()
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        if op == "join_room" {
            let link = Link::parse(input["link"].as_str().unwrap()).unwrap();
            let key = hex::encode(link.key.as_bytes());
            let relays = relays_of(input);
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let filter = json!({"kinds": [ev::KIND], "#k": [key]});
            rt.block_on(net::query(&relays, &[filter], Duration::from_secs(2)));
        }
        self.0.call(op, profile, input)
    }
}

#[test]
fn a_link_secret_sent_to_a_relay_is_caught() {
    let outcomes = both_profiles_of("basic-join", SendsKeyToRelays(TransportClient::reference()));
    for o in &outcomes {
        assert_eq!(o.status, Status::Fail, "{}", o.profile);
        assert!(
            o.findings.iter().all(|f| f.step == 0
                && f.finding.requirements == ["OS-LINK-8"]
                && f.finding.message.contains("(the key or id of room main)")),
            "{}: {:?}",
            o.profile,
            o.findings
        );
    }
}
