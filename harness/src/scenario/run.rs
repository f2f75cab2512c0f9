//! The scenario runner: starts the scenario's relays on its clock, drives the
//! client through each step, and checks what it returned and published.
//!
//! The harness owns the clock: before each step it sets the relays' clock to
//! the step's `now` and passes the same `now` to the client. Nothing sleeps:
//! every wait is the client's own, bounded by the step's timeout.

use std::collections::BTreeMap;
use std::time::Instant;

use nostr::event::Event;
use openslots_mock_relay::Clock;
use openslots_oracle::Profile;
use serde_json::{Value, json};

use super::build::{self, Fixtures};
use super::check::{self, Expected, Finding};
use super::model::{Expect, Op, Scenario, Step};
use super::relays::{self, RunningRelay};
use super::{ClientAdapter, Reply};

/// How one scenario ended in one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every check passed.
    Pass,
    /// At least one check failed.
    Fail,
    /// The client does not support an operation or the profile.
    Skip(String),
    /// The scenario itself could not run (a mistake in the scenario file).
    Broken(String),
}

/// A finding with the step it came from (0 for checks over the whole run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepFinding {
    /// 1-based step number; 0 for checks across steps.
    pub step: usize,
    /// The step's operation.
    pub op: String,
    /// The finding.
    pub finding: Finding,
}

/// The outcome of one scenario in one profile.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario id.
    pub scenario: String,
    /// The profile, `v1` or `v2`.
    pub profile: String,
    /// The hazards of spec §17.3 it is about.
    pub hazards: Vec<u8>,
    /// Every requirement its steps check.
    pub requirements: Vec<String>,
    /// Pass, fail, skip or broken.
    pub status: Status,
    /// Every failed check.
    pub findings: Vec<StepFinding>,
    /// Wall time of the run, in milliseconds.
    pub millis: u128,
}

impl Outcome {
    /// The requirement IDs of every failed check, deduplicated and sorted.
    pub fn failed_requirements(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .findings
            .iter()
            .flat_map(|f| f.finding.requirements.iter().cloned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

fn profile_of(name: &str) -> Option<Profile> {
    match name {
        "v1" => Some(Profile::V1),
        "v2" => Some(Profile::V2),
        _ => None,
    }
}

fn offset(now: u64, by: i64) -> u64 {
    now.saturating_add_signed(by)
}

/// Runs one scenario in one profile against `client`.
pub fn run_one(
    s: &Scenario,
    profile_name: &str,
    client: &mut dyn ClientAdapter,
    rt: &tokio::runtime::Runtime,
) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome {
        scenario: s.id.clone(),
        profile: profile_name.to_owned(),
        hazards: s.hazards.clone(),
        requirements: {
            let mut r: Vec<String> = s
                .steps
                .iter()
                .flat_map(|st| st.requirements.clone())
                .collect();
            r.sort();
            r.dedup();
            r
        },
        status: Status::Pass,
        findings: Vec::new(),
        millis: 0,
    };
    let result = profile_of(profile_name)
        .ok_or_else(|| format!("unknown profile {profile_name}"))
        .and_then(|p| run_inner(s, p, client, rt, &mut outcome.findings));
    outcome.status = match result {
        Err(e) => Status::Broken(e),
        Ok(Some(skip)) => Status::Skip(skip),
        Ok(None) if outcome.findings.is_empty() => Status::Pass,
        Ok(None) => Status::Fail,
    };
    outcome.millis = started.elapsed().as_millis();
    outcome
}

struct Ctx<'a> {
    s: &'a Scenario,
    fx: Fixtures,
    relays: BTreeMap<String, RunningRelay>,
    /// Per step: the id of the event it published.
    published_ids: Vec<Option<String>>,
    /// Per room: the slots of its latest version by the client under test.
    room_slots: BTreeMap<String, Vec<i64>>,
    /// Every event the client published: (room, actor, event).
    published: Vec<(String, String, Event)>,
    /// Member access state across steps.
    wrap: super::wrap::WrapState,
}

fn run_inner(
    s: &Scenario,
    profile: Profile,
    client: &mut dyn ClientAdapter,
    rt: &tokio::runtime::Runtime,
    findings: &mut Vec<StepFinding>,
) -> Result<Option<String>, String> {
    let fx = build::build(s, profile)?;
    let clock = Clock::new(s.now);
    let relays = rt.block_on(relays::start(&s.relays, &fx, &clock))?;
    let mut cx = Ctx {
        s,
        fx,
        relays,
        published_ids: Vec::new(),
        room_slots: s
            .rooms
            .iter()
            .map(|(n, r)| (n.clone(), r.slots.clone()))
            .collect(),
        published: Vec::new(),
        wrap: super::wrap::WrapState::default(),
    };
    let mut skipped = None;
    for (i, step) in s.steps.iter().enumerate() {
        let now = offset(s.now, step.at);
        clock.set(now);
        let mut step_findings = Vec::new();
        match run_step(&mut cx, i + 1, step, now, client, &mut step_findings) {
            Ok(Some(skip)) => {
                skipped = Some(skip);
                break;
            }
            Ok(None) => {}
            Err(e) => {
                rt.block_on(relays::stop(cx.relays));
                return Err(format!("step {}: {e}", i + 1));
            }
        }
        findings.extend(step_findings.into_iter().map(|mut f| {
            // Every failure names the requirements the step is about first.
            let mut reqs = step.requirements.clone();
            for r in f.requirements {
                if !reqs.contains(&r) {
                    reqs.push(r);
                }
            }
            f.requirements = reqs;
            StepFinding {
                step: i + 1,
                op: step.op.as_str().to_owned(),
                finding: f,
            }
        }));
    }
    let mut cross = Vec::new();
    check::cross_room(profile, &cx.published, &mut cross);
    check::secrets_on_the_wire(&cx.fx.rooms, &cx.relays, &mut cross);
    super::wrap::cross_checks(&cx.wrap, &cx.relays, &mut cross);
    super::booking::receipts_on_the_wire(s, &cx.fx, &cx.relays, &cx.published, &mut cross);
    findings.extend(cross.into_iter().map(|finding| StepFinding {
        step: 0,
        op: "all".into(),
        finding,
    }));
    rt.block_on(relays::stop(cx.relays));
    Ok(skipped)
}

/// Events each running relay has recorded from clients so far.
fn published_counts(cx: &Ctx<'_>) -> BTreeMap<String, usize> {
    cx.relays
        .iter()
        .filter_map(|(n, r)| Some((n.clone(), r.relay.as_ref()?.recorder().published().len())))
        .collect()
}

fn expect_for(step: &Step, profile: Profile) -> &Expect {
    match profile {
        Profile::V1 => step.expect_v1.as_ref().unwrap_or(&step.expect),
        Profile::V2 => step.expect_v2.as_ref().unwrap_or(&step.expect),
    }
}

fn rand_hex(s: &Scenario, profile: Profile, step: usize, what: &str) -> String {
    let p = match profile {
        Profile::V1 => "v1",
        Profile::V2 => "v2",
    };
    hex::encode(build::seed(&[what, &s.id, p, &step.to_string()]))
}

fn run_step(
    cx: &mut Ctx<'_>,
    index: usize,
    step: &Step,
    now: u64,
    client: &mut dyn ClientAdapter,
    findings: &mut Vec<Finding>,
) -> Result<Option<String>, String> {
    let s = cx.s;
    let profile = cx.fx.profile;
    if matches!(step.op, Op::PublishWrapperSet | Op::JoinGroup) {
        let wcx = super::wrap::StepCtx {
            s,
            fx: &cx.fx,
            relays: &cx.relays,
            published_ids: &cx.published_ids,
        };
        let expect = expect_for(step, profile);
        let r = super::wrap::run_step(
            &wcx,
            &mut cx.wrap,
            index,
            step,
            expect,
            now,
            client,
            findings,
        )?;
        return Ok(match r {
            Ok(id) => {
                cx.published_ids.push(id);
                None
            }
            Err(skip) => Some(skip),
        });
    }
    let room_spec = s
        .rooms
        .get(&step.room)
        .ok_or_else(|| format!("unknown room {}", step.room))?;
    let room = cx
        .fx
        .rooms
        .get(&step.room)
        .ok_or_else(|| format!("unknown room {}", step.room))?
        .clone();
    let names: Vec<String> = step
        .relays
        .clone()
        .unwrap_or_else(|| s.relays.iter().map(|r| r.name.clone()).collect());
    let mut urls = Vec::new();
    for n in &names {
        let r = cx
            .relays
            .get(n)
            .ok_or_else(|| format!("unknown relay {n}"))?;
        urls.push(r.url.clone());
    }
    let device = hex::encode(build::device_secret(&step.actor));
    let title = step
        .title
        .clone()
        .unwrap_or_else(|| room_spec.title.clone());
    let slots = step
        .slots
        .clone()
        .unwrap_or_else(|| room_spec.slots.clone());
    let name = step
        .name_text
        .clone()
        .unwrap_or_else(|| build::display_name(&step.actor));
    let canonical = room.link.to_string();
    let link = match step.link_edit {
        None => canonical.clone(),
        Some(edit) => {
            let other = build::actor_pubkey(&room.ctx, "mallory")?.to_hex();
            build::edit_link(&canonical, edit, &other)?
        }
    };
    let mut input = json!({
        "relays": urls,
        "timeout_ms": step.timeout_ms,
        "now": now,
    });
    let extra = match step.op {
        Op::CreateRoom => json!({
            "origin": build::ORIGIN,
            "room_id": room.room_id,
            "room_key": hex::encode(room.room_key),
            "device_secret": device,
            "title": title,
            "slots": slots,
        }),
        Op::JoinRoom => json!({"link": link}),
        Op::Respond => json!({
            "link": link,
            "device_secret": device,
            "name": name,
            "available": step.available,
        }),
        Op::UpdateRoom => json!({
            "link": link,
            "device_secret": device,
            "title": title,
            "slots": slots,
        }),
        Op::PublishWrapperSet | Op::JoinGroup => return Err("a member access step".into()),
        Op::RequestBooking | Op::SettleBookings => json!({}),
    };
    let booking_input = super::booking::step_input(s, profile.name(), step, &link, &device);
    if let (Value::Object(m), Value::Object(x)) = (&mut input, extra) {
        m.extend(x);
        if let Some(Value::Object(b)) = booking_input {
            m.extend(b);
        }
        if step.op != Op::JoinRoom {
            m.insert(
                "nonce".into(),
                Value::from(rand_hex(s, profile, index, "nonce")),
            );
            m.insert(
                "aux_rand".into(),
                Value::from(rand_hex(s, profile, index, "aux")),
            );
        }
    }
    let profile_name = match profile {
        Profile::V1 => "v1",
        Profile::V2 => "v2",
    };
    let before = published_counts(cx);
    let started = Instant::now();
    let reply = client.call(step.op.as_str(), profile_name, &input);
    let elapsed = started.elapsed();
    if let Reply::Error { code, .. } = &reply
        && code != "publish-failed"
    {
        for (name, n) in published_counts(cx) {
            let was = before.get(&name).copied().unwrap_or_default();
            if n > was {
                findings.push(Finding::new(
                    &[],
                    format!(
                        "failed with `{code}` but relay {name} received {} event(s) from it: \
                         an operation that fails before publishing publishes nothing",
                        n - was
                    ),
                ));
            }
        }
    }
    // OS-RES-7: an operation ends within its timeout (two rounds for a v1
    // join or an answer, one more to publish; a margin for the process).
    let rounds: u32 = match (step.op, profile) {
        (Op::CreateRoom, _) => 1,
        (Op::JoinRoom, Profile::V2) => 1,
        (Op::JoinRoom, Profile::V1) | (_, Profile::V2) => 2,
        (_, Profile::V1) => 3,
    };
    let bound = std::time::Duration::from_millis(step.timeout_ms) * rounds
        + std::time::Duration::from_millis(1000);
    if elapsed > bound {
        findings.push(Finding::new(
            &["OS-RES-7"],
            format!("the operation took {elapsed:?}, more than its timeout allows ({bound:?})"),
        ));
    }
    let expect = expect_for(step, profile);
    // A spoiled link is part of what went wrong: say which.
    let given = step
        .link_edit
        .map(|_| format!(" (given the link {link:?})"))
        .unwrap_or_default();
    let value = match (reply, &expect.error) {
        (Reply::Unsupported(why), _) => return Ok(Some(format!("{}: {why}", step.op.as_str()))),
        (Reply::Error { code, .. }, _) if expect.or_error.as_ref() == Some(&code) => {
            cx.published_ids.push(None);
            return Ok(None);
        }
        (Reply::Error { code, message }, Some(want)) => {
            if &code != want {
                findings.push(Finding::new(
                    &[],
                    format!("failed with `{code}` ({message}), expected `{want}`{given}"),
                ));
            }
            cx.published_ids.push(None);
            return Ok(None);
        }
        (Reply::Error { code, message }, None) => {
            findings.push(Finding::new(
                &[],
                format!("failed with `{code}`: {message}{given}"),
            ));
            cx.published_ids.push(None);
            return Ok(None);
        }
        (Reply::Ok(v), Some(want)) => {
            findings.push(Finding::new(
                &[],
                format!("succeeded, expected the error `{want}`{given}; output: {v}"),
            ));
            cx.published_ids
                .push(v.get("event_id").and_then(Value::as_str).map(str::to_owned));
            return Ok(None);
        }
        (Reply::Ok(v), None) => v,
    };
    match step.op {
        Op::PublishWrapperSet | Op::JoinGroup => return Err("a member access step".into()),
        Op::JoinRoom => {
            check_join(cx, step, &room, expect, &value, findings)?;
            booking_view(cx, step, &room, expect, &names, now).check_join(&value, findings);
            cx.published_ids.push(None);
        }
        Op::RequestBooking | Op::SettleBookings => {
            let view = booking_view(cx, step, &room, expect, &names, now);
            let e = if step.op == Op::RequestBooking {
                view.check_request(&value, findings)
            } else {
                view.check_settle(&value, findings)
            };
            cx.published_ids.push(e.as_ref().map(|e| e.id.to_hex()));
            if let Some(e) = e {
                cx.published
                    .push((step.room.clone(), step.actor.clone(), e));
            }
        }
        Op::CreateRoom | Op::UpdateRoom | Op::Respond => {
            let expected = match step.op {
                Op::Respond => Expected::Response {
                    name: name.clone(),
                    available: step.available.clone(),
                    room_slots: cx.room_slots.get(&step.room).cloned().unwrap_or_default(),
                    expiration: match &step.expiration_of {
                        None => None,
                        Some(n) => Some(expiration_of(cx, n)?),
                    },
                },
                _ => Expected::Room {
                    title: title.clone(),
                    slots: slots.clone(),
                },
            };
            if step.op == Op::CreateRoom {
                let got = value
                    .get("link")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if got != canonical {
                    findings.push(Finding::new(
                        &["OS-LINK-5", "OS-KDF-5"],
                        format!("create_room returned the link {got:?}, expected {canonical:?}"),
                    ));
                }
            }
            let id = value
                .get("event_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            check_publish(
                cx,
                step,
                &names,
                &room,
                &expected,
                expect,
                now,
                &id,
                &value,
                findings,
                &[title.clone(), name.clone()],
            );
            if step.op != Op::Respond {
                cx.room_slots
                    .insert(step.room.clone(), check::offered_slots(profile, &slots));
                if let Some(book) = room_spec.book {
                    super::booking::check_room_book(&cx.relays, &room, book, &id, findings);
                }
            }
            cx.published_ids.push(Some(id));
        }
    }
    Ok(None)
}

#[allow(clippy::too_many_arguments)]
fn check_publish(
    cx: &mut Ctx<'_>,
    step: &Step,
    names: &[String],
    room: &build::RoomFixture,
    expected: &Expected,
    expect: &Expect,
    now: u64,
    id: &str,
    value: &Value,
    findings: &mut Vec<Finding>,
    plaintexts: &[String],
) {
    let receivers: Vec<String> = expect.received_by.clone().unwrap_or_else(|| {
        names
            .iter()
            .filter(|n| cx.relays.get(*n).is_some_and(|r| r.relay.is_some()))
            .cloned()
            .collect()
    });
    let mut copy: Option<Value> = None;
    for n in &receivers {
        let Some(relay) = cx.relays.get(n).and_then(|r| r.relay.as_ref()) else {
            continue;
        };
        let found = relay
            .recorder()
            .published()
            .into_iter()
            .find(|e| e.get("id").and_then(Value::as_str) == Some(id));
        match found {
            Some(e) => copy = copy.or(Some(e)),
            None => findings.push(Finding::new(
                &["OS-EVENT-12", "OS-ADAPTER-13"],
                format!(
                    "relay {n} never received event {id}: a client publishes to every relay given"
                ),
            )),
        }
    }
    if let Some(json) = copy
        && let Some(e) = check::published_event(&json, room, expected, findings)
    {
        let want = expect.created_at.map_or(now, |o| offset(cx.s.now, o));
        if e.created_at.as_secs() != want {
            findings.push(Finding::new(
                &["OS-EVENT-9", "OS-ADAPTER-12"],
                format!(
                    "created_at {}, expected {want} (the operation's `now` is the client's clock)",
                    e.created_at.as_secs()
                ),
            ));
        }
        let slots: Vec<i64> = match expected {
            Expected::Room { slots, .. } => slots.clone(),
            Expected::Response { available, .. } => available.clone(),
        };
        let secrets = check::secrets_of(room, plaintexts, &slots);
        check::leaks_in_tags(&e, &secrets, findings);
        cx.published
            .push((step.room.clone(), step.actor.clone(), e));
    }
    if let Some(outcomes) = &expect.outcomes {
        let reported: BTreeMap<String, String> = value
            .get("published")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| {
                        Some((
                            r.get("relay")?.as_str()?.to_owned(),
                            r.get("outcome")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        for (n, want) in outcomes {
            let url = cx.relays.get(n).map(|r| r.url.clone()).unwrap_or_default();
            let got = reported
                .get(&url)
                .map(String::as_str)
                .unwrap_or("(not reported)");
            if !want.split('|').any(|w| w == got) {
                findings.push(Finding::new(
                    &["OS-EVENT-12"],
                    format!("relay {n}: the client reported {got:?}, expected {want:?}"),
                ));
            }
        }
    }
}

fn booking_view<'a>(
    cx: &'a Ctx<'_>,
    step: &'a Step,
    room: &'a build::RoomFixture,
    expect: &'a Expect,
    names: &'a [String],
    now: u64,
) -> super::booking::StepView<'a> {
    super::booking::StepView {
        s: cx.s,
        fx: &cx.fx,
        relays: &cx.relays,
        room,
        room_slots: cx.room_slots.get(&step.room).map_or(&[], Vec::as_slice),
        step,
        expect,
        names,
        now,
    }
}

fn resolve_event_ref(cx: &Ctx<'_>, r: &str) -> Result<String, String> {
    if let Some(n) = r.strip_prefix("step:") {
        let i: usize = n.parse().map_err(|_| format!("bad step reference {r}"))?;
        return cx
            .published_ids
            .get(i.wrapping_sub(1))
            .cloned()
            .flatten()
            .ok_or_else(|| format!("step {i} published no event"));
    }
    cx.fx
        .events
        .get(r)
        .map(|b| b.id.clone())
        .ok_or_else(|| format!("unknown event {r}"))
}

fn check_join(
    cx: &Ctx<'_>,
    step: &Step,
    room: &build::RoomFixture,
    expect: &Expect,
    v: &Value,
    findings: &mut Vec<Finding>,
) -> Result<(), String> {
    if let Some(r) = &expect.room_event {
        let want = resolve_event_ref(cx, r)?;
        let got = v
            .get("room_event_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if got != want {
            findings.push(Finding::new(
                &["OS-RES-4"],
                format!("winning room event {got}, expected {r} ({want})"),
            ));
        }
    }
    if let Some(want) = &expect.title {
        let got = v.get("title").and_then(Value::as_str).unwrap_or_default();
        if got != want {
            findings.push(Finding::new(
                &["OS-RES-4"],
                format!("title {got:?}, expected {want:?}"),
            ));
        }
    }
    if let Some(want) = &expect.slots {
        let got: Vec<i64> = v
            .get("slots")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default();
        if &got != want {
            findings.push(Finding::new(
                &["OS-RES-4"],
                format!("slots {got:?}, expected {want:?}"),
            ));
        }
    }
    if let Some(want) = &expect.counts {
        let got: Vec<u64> = v
            .get("counts")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        let want: Vec<u64> = want.iter().map(|&c| u64::from(c)).collect();
        if got != want {
            findings.push(Finding::new(
                &["OS-MASK-8"],
                format!("counts {got:?}, expected {want:?}"),
            ));
        }
    }
    if let Some(want) = &expect.participants {
        let mut expected: Vec<(String, String, Vec<i64>)> = Vec::new();
        for p in want {
            let pk = build::actor_pubkey(&room.ctx, &p.actor)?;
            let mut a = p.available.clone();
            a.sort_unstable();
            expected.push((pk.to_hex(), p.name.clone(), a));
        }
        expected.sort();
        let mut got: Vec<(String, String, Vec<i64>)> = v
            .get("participants")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let mut av: Vec<i64> = p
                            .get("available")
                            .and_then(Value::as_array)
                            .map(|x| x.iter().filter_map(Value::as_i64).collect())
                            .unwrap_or_default();
                        av.sort_unstable();
                        (
                            p.get("pubkey")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            p.get("name")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            av,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        got.sort();
        if got != expected {
            let who = |list: &[(String, String, Vec<i64>)]| {
                list.iter()
                    .map(|(pk, n, a)| format!("{n} ({}…) at {a:?}", &pk[..pk.len().min(8)]))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            findings.push(Finding::new(
                &["OS-RES-3", "OS-RES-4"],
                format!(
                    "participants [{}], expected [{}]",
                    who(&got),
                    who(&expected)
                ),
            ));
        }
    }
    if let Some(want) = &expect.rejected {
        let got = rejected_of(v);
        for (name, code) in want {
            let id = resolve_event_ref(cx, name)?;
            match got.get(&id) {
                Some(c) if c == code => {}
                Some(c) => findings.push(Finding::new(
                    &["OS-RES-4"],
                    format!("event {name} rejected with `{c}`, expected `{code}`"),
                )),
                None => findings.push(Finding::new(
                    &["OS-RES-4"],
                    format!("event {name} is not listed as rejected (expected `{code}`)"),
                )),
            }
        }
        if expect.rejected_exactly {
            let mut wanted = std::collections::BTreeSet::new();
            for name in want.keys() {
                wanted.insert(resolve_event_ref(cx, name)?);
            }
            for (id, code) in &got {
                if !wanted.contains(id) {
                    let name = cx
                        .fx
                        .events
                        .iter()
                        .find(|(_, b)| &b.id == id)
                        .map_or_else(|| format!("id {id}"), |(n, _)| format!("event {n}"));
                    findings.push(Finding::new(
                        &["OS-RES-4"],
                        format!("{name} is listed as rejected (`{code}`) but must not be: §14.2 lists an id only when no copy of it is valid"),
                    ));
                }
            }
        }
    }
    let _ = step;
    Ok(())
}

/// Runs every scenario in every profile it names (or only `profile`).
pub fn run_all(
    scenarios: &[Scenario],
    profile: Option<&str>,
    client: &mut dyn ClientAdapter,
) -> Result<Vec<Outcome>, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the relay runtime: {e}"))?;
    let mut out = Vec::new();
    for s in scenarios {
        for p in &s.profiles {
            if profile.is_some_and(|want| want != p) {
                continue;
            }
            out.push(run_one(s, p, client, &rt));
        }
    }
    Ok(out)
}

/// A text summary: one line per scenario and profile, each failure with its
/// step and requirement IDs.
pub fn render_text(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        let status = match &o.status {
            Status::Pass => "PASS".to_owned(),
            Status::Fail => "FAIL".to_owned(),
            Status::Skip(why) => format!("SKIP ({why})"),
            Status::Broken(why) => format!("BROKEN ({why})"),
        };
        out.push_str(&format!(
            "{status:<6} {} {} ({} ms)\n",
            o.profile, o.scenario, o.millis
        ));
        for f in &o.findings {
            out.push_str(&format!(
                "         step {} {}: [{}] {}\n",
                f.step,
                f.op,
                f.finding.requirements.join(", "),
                f.finding.message
            ));
        }
    }
    let count = |p: fn(&Status) -> bool| outcomes.iter().filter(|o| p(&o.status)).count();
    out.push_str(&format!(
        "{} passed, {} failed, {} skipped, {} broken\n",
        count(|s| *s == Status::Pass),
        count(|s| *s == Status::Fail),
        count(|s| matches!(s, Status::Skip(_))),
        count(|s| matches!(s, Status::Broken(_))),
    ));
    out
}

/// The `expiration` tag value of the described event `name` (a step's
/// `expiration_of`); a scenario error when there is none.
fn expiration_of(cx: &Ctx<'_>, name: &str) -> Result<u64, String> {
    let built = cx
        .fx
        .events
        .get(name)
        .ok_or_else(|| format!("expiration_of names no described event: {name}"))?;
    built
        .json
        .get("tags")
        .and_then(Value::as_array)
        .and_then(|tags| {
            tags.iter().find_map(|t| {
                let t = t.as_array()?;
                (t.first()?.as_str()? == "expiration").then(|| t.get(1)?.as_str()?.parse().ok())?
            })
        })
        .ok_or_else(|| format!("expiration_of: event {name} has no expiration tag"))
}

/// An operation output's `rejected` list as id -> code (entries that are not
/// `{id, code}` strings are left out).
pub(crate) fn rejected_of(v: &Value) -> BTreeMap<String, String> {
    v.get("rejected")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| {
                    Some((
                        r.get("id")?.as_str()?.to_owned(),
                        r.get("code")?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}
