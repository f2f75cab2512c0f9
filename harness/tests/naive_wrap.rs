//! Proof that the member access scenarios bite: two naive clients, each with
//! one mistake in `join_group` and otherwise the reference's behaviour, must
//! fail exactly the `w-*` scenarios whose `catches` names that mistake, each
//! failure naming a requirement.
//!
//! - `wrap-window`: accepts a wrapper set whatever its epoch's window at
//!   `now` (OS-WRAP-14, OS-WRAP-15); every other check of a candidate stays.
//! - `wrap-unbound`: does not bind a wrapper to its member and epoch: when
//!   no wrapper carries its locator it tries every wrapper of the set under
//!   its keys for the set's epoch and the epoch before, and takes the first
//!   that opens (OS-WRAP-9, OS-WRAP-13); when none opens it reports
//!   `wrap-not-member` as the reference does.
//!
//! The naive clients differ from the reference only in `join_group`, which
//! only the `w-*` scenarios use, so they are run on those alone; a test
//! checks that no other scenario names their mistakes. A last test shows
//! that a client which sends a passphrase to a relay is caught (OS-WRAP-6).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use nostr::event::Event;
use nostr::key::PublicKey;
use openslots_adapter::reference::client::net;
use openslots_adapter::reference::wrap::{self, GroupId, Schedule};
use openslots_adapter::reference::wrap_set::{self, Invitation};
use openslots_adapter::reference::{ErrorCode, lww};
use openslots_harness::scenario::model::{Scenario, load_dir};
use openslots_harness::scenario::run::{Status, run_all};
use openslots_harness::scenario::{ClientAdapter, Reply, TransportClient};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mistake {
    Window,
    Unbound,
}

impl Mistake {
    fn name(self) -> &'static str {
        match self {
            Self::Window => "wrap-window",
            Self::Unbound => "wrap-unbound",
        }
    }
}

fn err(code: ErrorCode, message: &str) -> Reply {
    Reply::Error {
        code: code.as_str().to_owned(),
        message: message.to_owned(),
    }
}

fn hex32(v: &Value) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(v.as_str().unwrap(), &mut out).unwrap();
    out
}

fn query(input: &Value, filter: Value) -> net::QueryOutcome {
    let urls: Vec<String> = input["relays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let timeout = Duration::from_millis(input["timeout_ms"].as_u64().unwrap());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(net::query(&urls, &[filter], timeout))
}

struct Naive {
    mistake: Mistake,
    reference: TransportClient,
}

impl Naive {
    fn join_group(&self, input: &Value) -> Reply {
        let group = GroupId::from_bytes(hex32(&input["group_id"]));
        let host = PublicKey::from_hex(input["host"].as_str().unwrap()).unwrap();
        let Ok(schedule) = Schedule::new(
            input["rotate"].as_u64().unwrap(),
            input["margin"].as_u64().unwrap(),
        ) else {
            return err(ErrorCode::WrapParams, "schedule");
        };
        let now = input["now"].as_u64().unwrap();
        let passphrase = input["passphrase"].as_str().unwrap();
        let inv = Invitation {
            group,
            host,
            schedule,
        };
        let outcome = query(
            input,
            json!({"kinds": [30078], "authors": [host.to_hex()], "#d": [wrap::set_d_tag(&inv.group)]}),
        );
        if !outcome.any_relay_answered() {
            return err(ErrorCode::RelayUnavailable, "no relay answered");
        }
        let events = outcome.events();
        let (winner, set, rejected) = match self.mistake {
            Mistake::Unbound => match wrap_set::choose(&events, &inv, now) {
                Ok(c) => (c.event, c.set, c.rejected),
                Err(_) => return err(ErrorCode::WrapNoSet, "no set"),
            },
            Mistake::Window => {
                // Every check but the window: a candidate that fails only
                // OS-WRAP-14 is kept.
                let mut best: Option<(&Event, wrap::WrapperSet)> = None;
                for e in &events {
                    let set = match wrap_set::read_candidate(e, &inv, now) {
                        Ok(set) => set,
                        Err(f) if f.code == ErrorCode::WrapWindow => {
                            wrap::WrapperSet::parse(&e.content).unwrap()
                        }
                        Err(_) => continue,
                    };
                    if best.as_ref().is_none_or(|(b, _)| lww::beats(e, b)) {
                        best = Some((e, set));
                    }
                }
                match best {
                    Some((e, set)) => (e.clone(), set, Vec::new()),
                    None => return err(ErrorCode::WrapNoSet, "no set"),
                }
            }
        };
        let opened = match self.mistake {
            Mistake::Window => wrap_set::open_chosen(passphrase, &inv.group, &set)
                .map(|o| (o.epoch, o.locator, *o.secret.as_bytes())),
            Mistake::Unbound => {
                let first = &set.wrappers[0];
                match wrap::derive_intermediate(passphrase, &first.salt(), first.log_n()) {
                    Err(e) => Err(e),
                    Ok(i) => match wrap::open_set_with_intermediate(&i, &inv.group, &set) {
                        Err(wrap::WrapError::NotMember) => {
                            // Tries every wrapper, this epoch and the one before.
                            let keys = wrap::member_keys(&i, &inv.group, set.epoch);
                            let mut found = Err(wrap::WrapError::NotMember);
                            'all: for w in &set.wrappers {
                                for ep in [set.epoch, set.epoch.saturating_sub(1)] {
                                    if let Ok(s) = wrap::open(&i, &inv.group, ep, w) {
                                        found = Ok((set.epoch, keys.locator, *s.as_bytes()));
                                        break 'all;
                                    }
                                }
                            }
                            found
                        }
                        other => other.map(|o| (o.epoch, o.locator, *o.secret.as_bytes())),
                    },
                }
            }
        };
        match opened {
            Err(e) => {
                let f = openslots_adapter::reference::Failure::from(e);
                err(f.code, "open")
            }
            Ok((epoch, locator, secret)) => Reply::Ok(json!({
                "event_id": winner.id.to_hex(),
                "created_at": winner.created_at.as_secs(),
                "epoch": epoch,
                "locator": hex::encode(locator),
                "epoch_secret": hex::encode(secret),
                "rejected": rejected.iter().map(|(id, f)| json!({"id": id.to_hex(), "code": f.code.as_str()})).collect::<Vec<_>>(),
            })),
        }
    }
}

impl ClientAdapter for Naive {
    fn name(&self) -> String {
        format!("naive ({})", self.mistake.name())
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        if op == "join_group" {
            self.join_group(input)
        } else {
            self.reference.call(op, profile, input)
        }
    }
}

fn all_scenarios() -> Vec<Scenario> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/scenarios"));
    load_dir(dir).unwrap()
}

fn wrap_scenarios() -> Vec<Scenario> {
    all_scenarios()
        .into_iter()
        .filter(|s| s.id.starts_with("w-"))
        .collect()
}

#[test]
fn only_member_access_scenarios_name_member_access_mistakes() {
    for s in all_scenarios() {
        let names_wrap = s.catches.iter().any(|c| c.starts_with("wrap-"));
        let uses_join_group = s.steps.iter().any(|st| st.op.as_str() == "join_group");
        assert!(
            !names_wrap || (s.id.starts_with("w-") && uses_join_group),
            "{}",
            s.id
        );
        if !s.id.starts_with("w-") {
            assert!(!uses_join_group, "{} uses join_group", s.id);
        }
    }
}

#[test]
fn each_naive_member_client_fails_exactly_the_scenarios_aimed_at_it() {
    let scenarios = wrap_scenarios();
    assert!(scenarios.len() >= 6);
    let mut problems = Vec::new();
    for mistake in [Mistake::Window, Mistake::Unbound] {
        let mut client = Naive {
            mistake,
            reference: TransportClient::reference(),
        };
        let outcomes = run_all(&scenarios, None, &mut client).unwrap();
        let mut caught = 0;
        for o in &outcomes {
            let s = scenarios.iter().find(|s| s.id == o.scenario).unwrap();
            let want_fail = s.catches.iter().any(|c| c == mistake.name());
            let failed = o.status == Status::Fail;
            if want_fail != failed {
                problems.push(format!(
                    "{}: {} {} ({:?}): {:?}",
                    mistake.name(),
                    o.scenario,
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
                assert!(
                    o.findings
                        .iter()
                        .all(|f| !f.finding.requirements.is_empty())
                );
                println!(
                    "{} fails {}: {}",
                    mistake.name(),
                    o.scenario,
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

/// Sends the passphrase to the relays in a query before joining.
struct Leaky(TransportClient);

impl ClientAdapter for Leaky {
    fn name(&self) -> String {
        "leaks its passphrase".into()
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        if op == "join_group" {
            let _ = query(
                input,
                json!({"kinds": [30078], "#p": [input["passphrase"]]}),
            );
        }
        self.0.call(op, profile, input)
    }
}

#[test]
fn a_passphrase_sent_to_a_relay_is_caught() {
    let scenarios: Vec<Scenario> = wrap_scenarios()
        .into_iter()
        .filter(|s| s.id == "w-removed-member")
        .collect();
    let outcomes = run_all(&scenarios, None, &mut Leaky(TransportClient::reference())).unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].status, Status::Fail);
    assert!(outcomes[0].findings.iter().any(|f| {
        f.finding.requirements.iter().any(|r| r == "OS-WRAP-6")
            && f.finding.message.contains("passphrase")
    }));
}
