//! Member access in client scenarios (spec §19.2, adapter protocol §11.1):
//! groups, described wrapper-set events, the steps `publish_wrapper_set`
//! and `join_group`, and their checks.
//!
//! Everything a check compares with comes from the scenario file (epochs,
//! members, which set must win, which candidates must be rejected) or from
//! the independent oracle (`openslots-oracle`: intermediates, locators,
//! wrappers, set contents, d-tags, windows, signing keys), never from the
//! implementation under test. The harness plays the host's device: it keeps
//! the group id, the salt, the members' intermediates and the epoch secrets
//! (all derived from the scenario id and names) and passes them to every
//! operation, as adapters are stateless (OS-ADAPTER-12).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use nostr::event::Event;
use nostr::key::Keys;
use openslots_oracle::{Profile, event as ev, kdf, wrap};
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::{self, BuiltEvent, Fixtures};
use super::check::Finding;
use super::model::{EventSpec, Expect, Op, Scenario, Step};
use super::relays::RunningRelay;
use super::{ClientAdapter, Reply};

/// A group of a scenario (spec §19.2.1). The group id, the salt and the
/// host key are derived from the scenario id and the group's name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The actor who hosts the group (default `host`).
    #[serde(default = "default_host")]
    pub host: String,
    /// ROTATE_TIME, seconds.
    pub rotate: u64,
    /// MARGIN_TIME, seconds.
    pub margin: u64,
    /// The group's LOG_N (scenarios keep it at 1 to 4).
    #[serde(default = "default_log_n")]
    pub log_n: u8,
    /// Each actor that ever holds a passphrase in the group, and it.
    pub passphrases: BTreeMap<String, String>,
}

fn default_host() -> String {
    "host".into()
}

const fn default_log_n() -> u8 {
    1
}

/// The wrapper-set part of a described event (`role: wrapper_set`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetSpec {
    /// The group.
    pub group: String,
    /// The set's epoch, relative to the epoch current at the scenario's `now`.
    #[serde(default)]
    pub epoch: i64,
    /// The members with a genuine wrapper.
    #[serde(default)]
    pub members: Vec<String>,
    /// The label of the epoch secret (default: the epoch's usual secret).
    #[serde(default)]
    pub secret: String,
    /// Wrappers moved in from another epoch or member.
    #[serde(default)]
    pub moved: Vec<Moved>,
}

/// A wrapper sealed for `member` in another epoch, optionally carrying the
/// locator of `locator_of` for the set's epoch instead of its own.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    /// Whose wrapper it is.
    pub member: String,
    /// The epoch it was sealed for, relative as [`SetSpec::epoch`].
    #[serde(default)]
    pub epoch: i64,
    /// Rewrite its locator to this member's locator for the set's epoch.
    #[serde(default)]
    pub locator_of: Option<String>,
}

/// The member access part of a step.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// The group.
    pub group: String,
    /// publish: the members of the set (their intermediates are passed).
    #[serde(default)]
    pub members: Vec<String>,
    /// publish: the label of the epoch secret passed (default: the usual).
    #[serde(default)]
    pub secret: String,
    /// join: the passphrase as entered (default: the actor's).
    #[serde(default)]
    pub passphrase: Option<String>,
}

/// What a member access step must give, beyond `error`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrapExpect {
    /// The epoch, relative to the epoch current at the scenario's `now`.
    #[serde(default)]
    pub epoch: Option<i64>,
    /// join: the described event or `step:<n>` that must win.
    #[serde(default)]
    pub set_event: Option<String>,
    /// join: the label of the epoch secret that must come out (default: the usual).
    #[serde(default)]
    pub secret: Option<String>,
    /// join: described events that must be listed as rejected, with their code.
    #[serde(default)]
    pub rejected: Option<BTreeMap<String, String>>,
}

/// A group as the harness's host device knows it.
#[derive(Clone, Debug)]
pub struct GroupFixture {
    /// The group id `G`.
    pub id: [u8; 32],
    /// SALT.
    pub salt: [u8; 16],
    /// The set's d-tag `D` (OS-WRAP-16).
    pub d: String,
    /// The host's group key: OS-KDF-5 over `D` (adapter protocol §11.1).
    pub host: Keys,
    /// The schedule.
    pub rotate: u64,
    /// The margin.
    pub margin: u64,
    /// LOG_N.
    pub log_n: u8,
    /// The epoch current at the scenario's `now`.
    pub base: u64,
    /// Each actor's intermediate (OS-WRAP-3).
    pub intermediates: BTreeMap<String, [u8; 32]>,
}

impl GroupFixture {
    fn epoch(&self, rel: i64) -> Result<u64, String> {
        self.base
            .checked_add_signed(rel)
            .ok_or_else(|| format!("epoch offset {rel} leaves the range"))
    }

    fn intermediate(&self, actor: &str) -> Result<&[u8; 32], String> {
        self.intermediates
            .get(actor)
            .ok_or_else(|| format!("{actor} has no passphrase in this group"))
    }
}

/// The state of member access across the steps of one run.
#[derive(Debug, Default)]
pub struct WrapState {
    /// Every secret value of the run, lower-case: passphrases, intermediates,
    /// group ids and epoch secrets (hexadecimal).
    secrets: BTreeMap<String, String>,
    /// Every set a client published: (group, event).
    published: Vec<(String, Event)>,
}

/// The epoch secret of `group` in `epoch` under `label` (the host's CSPRNG, played).
fn epoch_secret(s: &Scenario, group: &str, epoch: u64, label: &str) -> [u8; 32] {
    build::seed(&["epoch-secret", &s.id, group, &epoch.to_string(), label])
}

/// The fixture of one group, from the oracle.
pub fn group(s: &Scenario, name: &str) -> Result<GroupFixture, String> {
    let spec = s
        .groups
        .get(name)
        .ok_or_else(|| format!("unknown group {name}"))?;
    let id = build::seed(&["group-id", &s.id, name]);
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&build::seed(&["group-salt", &s.id, name])[..16]);
    let d = wrap::set_d_tag(&id);
    let host = kdf::signing_keys(Profile::V2, &build::device_secret(&spec.host), &d)
        .ok_or("no valid group key for the host")?;
    wrap::check_epoch(spec.rotate, spec.margin, 0, 0)
        .map_err(|(c, _)| format!("group {name}: {c}"))?;
    let mut intermediates = BTreeMap::new();
    for (actor, p) in &spec.passphrases {
        let i = wrap::intermediate(p, &salt, spec.log_n)
            .map_err(|(c, _)| format!("group {name}: passphrase of {actor}: {c}"))?;
        intermediates.insert(actor.clone(), i);
    }
    Ok(GroupFixture {
        id,
        salt,
        d,
        host,
        rotate: spec.rotate,
        margin: spec.margin,
        log_n: spec.log_n,
        base: s.now / spec.rotate,
        intermediates,
    })
}

fn window_end(g: &GroupFixture, epoch: u64) -> Result<u64, String> {
    epoch
        .checked_mul(g.rotate)
        .and_then(|x| x.checked_add(g.rotate))
        .and_then(|x| x.checked_add(g.margin))
        .ok_or_else(|| "the epoch's window end overflows".to_owned())
}

fn set_tags(g: &GroupFixture, end: u64) -> Vec<Vec<String>> {
    vec![
        vec!["d".into(), g.d.clone()],
        vec!["t".into(), ev::APP_TAG.into()],
        vec!["expiration".into(), end.to_string()],
    ]
}

/// Builds a described wrapper-set event (`role: wrapper_set`).
pub fn build_set(s: &Scenario, e: &EventSpec) -> Result<BuiltEvent, String> {
    let spec = e.wrap.as_ref().ok_or("a wrapper set needs `wrap`")?;
    if e.tamper.is_some() || e.copy_of.is_some() || e.copy_content.is_some() || e.id.is_some() {
        return Err("a wrapper set takes none of tamper, copy_of, copy_content, id".into());
    }
    let g = group(s, &spec.group)?;
    let epoch = g.epoch(spec.epoch)?;
    let secret = epoch_secret(s, &spec.group, epoch, &spec.secret);
    let mut wrappers = Vec::new();
    for m in &spec.members {
        let nonce = nonce24(&["wrapper-nonce", &s.id, &e.name, m]);
        wrappers.push(wrap::seal(
            g.intermediate(m)?,
            &g.id,
            epoch,
            &g.salt,
            g.log_n,
            &nonce,
            &secret,
        ));
    }
    for mv in &spec.moved {
        let from = g.epoch(mv.epoch)?;
        let nonce = nonce24(&["moved-nonce", &s.id, &e.name, &mv.member]);
        let mut w = wrap::seal(
            g.intermediate(&mv.member)?,
            &g.id,
            from,
            &g.salt,
            g.log_n,
            &nonce,
            &epoch_secret(s, &spec.group, from, ""),
        );
        if let Some(other) = &mv.locator_of {
            let (loc, _) = wrap::member_keys(g.intermediate(other)?, &g.id, epoch);
            w[42..58].copy_from_slice(&loc);
        }
        wrappers.push(w);
    }
    if wrappers.is_empty() {
        return Err("a wrapper set needs at least one wrapper".into());
    }
    let content = wrap::set_content(epoch, &wrappers);
    let end = match e.expires {
        Some(by) => s
            .now
            .checked_add_signed(by)
            .ok_or("expiration offset out of range")?,
        None => window_end(&g, epoch)?,
    };
    let keys = match &e.author {
        None => g.host.clone(),
        Some(actor) => kdf::signing_keys(Profile::V2, &build::device_secret(actor), &g.d)
            .ok_or("no valid key for the author")?,
    };
    let created_at = s
        .now
        .checked_add_signed(e.at)
        .ok_or("time offset out of range")?;
    let mut tags = set_tags(&g, end);
    tags.extend(e.extra_tags.iter().cloned());
    let aux = build::seed(&["aux", &s.id, &e.name]);
    let event = ev::sign(&keys, ev::KIND, created_at, &tags, content, &aux)?;
    let json: Value = serde_json::from_str(&event.as_json()).map_err(|e| e.to_string())?;
    Ok(BuiltEvent {
        id: event.id.to_hex(),
        json,
        event: Some(event),
    })
}

fn nonce24(parts: &[&str]) -> [u8; 24] {
    let mut n = [0u8; 24];
    n.copy_from_slice(&build::seed(parts)[..24]);
    n
}

/// Events each running relay has recorded from clients so far.
fn published_counts(relays: &BTreeMap<String, RunningRelay>) -> BTreeMap<String, usize> {
    relays
        .iter()
        .filter_map(|(n, r)| Some((n.clone(), r.relay.as_ref()?.recorder().published().len())))
        .collect()
}

/// What a member access step runs with.
pub struct StepCtx<'a> {
    /// The scenario.
    pub s: &'a Scenario,
    /// Its fixtures (described events).
    pub fx: &'a Fixtures,
    /// Its relays.
    pub relays: &'a BTreeMap<String, RunningRelay>,
    /// Per earlier step, the id of the event it published.
    pub published_ids: &'a [Option<String>],
}

fn resolve_ref(cx: &StepCtx<'_>, r: &str) -> Result<String, String> {
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

/// Runs one `publish_wrapper_set` or `join_group` step. Returns the id of
/// the event it published, if any, or a skip reason.
#[allow(clippy::too_many_arguments)]
pub fn run_step(
    cx: &StepCtx<'_>,
    state: &mut WrapState,
    index: usize,
    step: &Step,
    expect: &Expect,
    now: u64,
    client: &mut dyn ClientAdapter,
    findings: &mut Vec<Finding>,
) -> Result<Result<Option<String>, String>, String> {
    let s = cx.s;
    let spec = step
        .wrap
        .as_ref()
        .ok_or("a member access step needs `wrap`")?;
    let g = group(s, &spec.group)?;
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
    state
        .secrets
        .insert(hex::encode(g.id), format!("the group id of {}", spec.group));
    for (actor, p) in s
        .groups
        .get(&spec.group)
        .map(|x| &x.passphrases)
        .into_iter()
        .flatten()
    {
        state
            .secrets
            .insert(p.to_lowercase(), format!("the passphrase of {actor}"));
    }
    for (actor, i) in &g.intermediates {
        state
            .secrets
            .insert(hex::encode(i), format!("the intermediate of {actor}"));
    }
    let epoch_now = now / g.rotate;
    let rand = |what: &str, extra: &str| build::seed(&[what, &s.id, &index.to_string(), extra]);
    let mut input = json!({
        "relays": urls,
        "timeout_ms": step.timeout_ms,
        "now": now,
    });
    let (extra, secret) = match step.op {
        Op::PublishWrapperSet => {
            let secret = epoch_secret(s, &spec.group, epoch_now, &spec.secret);
            let mut intermediates = Vec::new();
            let mut nonces = Vec::new();
            for m in &spec.members {
                intermediates.push(hex::encode(g.intermediate(m)?));
                nonces.push(hex::encode(&rand("wrapper-nonce", m)[..24]));
            }
            (
                json!({
                    "group_id": hex::encode(g.id),
                    "device_secret": hex::encode(build::device_secret(&step.actor)),
                    "rotate": g.rotate,
                    "margin": g.margin,
                    "salt": hex::encode(g.salt),
                    "log_n": g.log_n,
                    "epoch_secret": hex::encode(secret),
                    "intermediates": intermediates,
                    "wrapper_nonces": nonces,
                    "aux_rand": hex::encode(rand("aux", "")),
                }),
                Some(secret),
            )
        }
        Op::JoinGroup => {
            let passphrase = match &spec.passphrase {
                Some(p) => p.clone(),
                None => s
                    .groups
                    .get(&spec.group)
                    .and_then(|x| x.passphrases.get(&step.actor))
                    .cloned()
                    .ok_or_else(|| format!("{} has no passphrase", step.actor))?,
            };
            state.secrets.insert(
                passphrase.to_lowercase(),
                format!("the passphrase given to {}", step.actor),
            );
            (
                json!({
                    "group_id": hex::encode(g.id),
                    "host": g.host.public_key().to_hex(),
                    "rotate": g.rotate,
                    "margin": g.margin,
                    "passphrase": passphrase,
                }),
                None,
            )
        }
        _ => return Err("not a member access operation".into()),
    };
    if let Some(sec) = secret {
        state
            .secrets
            .insert(hex::encode(sec), "an epoch secret".into());
    }
    if let (Value::Object(m), Value::Object(x)) = (&mut input, extra) {
        m.extend(x);
    }
    let before = published_counts(cx.relays);
    let started = Instant::now();
    let reply = client.call(step.op.as_str(), "v2", &input);
    let elapsed = started.elapsed();
    if let Reply::Error { code, .. } = &reply
        && code != "publish-failed"
    {
        for (name, n) in published_counts(cx.relays) {
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
    let rounds: u32 = if step.op == Op::PublishWrapperSet {
        2
    } else {
        1
    };
    let bound = std::time::Duration::from_millis(step.timeout_ms) * rounds
        + std::time::Duration::from_millis(1000);
    if elapsed > bound {
        findings.push(Finding::new(
            &["OS-RES-7"],
            format!("the operation took {elapsed:?}, more than its timeout allows ({bound:?})"),
        ));
    }
    let wx = expect.wrap.clone().unwrap_or_default();
    let value = match (reply, &expect.error) {
        (Reply::Unsupported(why), _) => return Ok(Err(format!("{}: {why}", step.op.as_str()))),
        (Reply::Error { code, message }, Some(want)) => {
            if &code != want {
                findings.push(Finding::new(
                    &[],
                    format!("failed with `{code}` ({message}), expected `{want}`"),
                ));
            }
            return Ok(Ok(None));
        }
        (Reply::Error { code, message }, None) => {
            findings.push(Finding::new(
                &[],
                format!("failed with `{code}`: {message}"),
            ));
            return Ok(Ok(None));
        }
        (Reply::Ok(v), Some(want)) => {
            findings.push(Finding::new(
                &[],
                format!("succeeded, expected the error `{want}`; output: {v}"),
            ));
            return Ok(Ok(v
                .get("event_id")
                .and_then(Value::as_str)
                .map(str::to_owned)));
        }
        (Reply::Ok(v), None) => v,
    };
    match step.op {
        Op::PublishWrapperSet => {
            let id = value
                .get("event_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let secret = secret.unwrap_or_default();
            let want_epoch = match wx.epoch {
                Some(rel) => g.epoch(rel)?,
                None => epoch_now,
            };
            if value.get("epoch").and_then(Value::as_u64) != Some(want_epoch) {
                findings.push(Finding::new(
                    &["OS-WRAP-18"],
                    format!(
                        "reported epoch {:?}, expected {want_epoch}",
                        value.get("epoch")
                    ),
                ));
            }
            let receivers: Vec<String> = expect.received_by.clone().unwrap_or_else(|| {
                names
                    .iter()
                    .filter(|n| cx.relays.get(*n).is_some_and(|r| r.relay.is_some()))
                    .cloned()
                    .collect()
            });
            let mut copy = None;
            for n in &receivers {
                let Some(relay) = cx.relays.get(n).and_then(|r| r.relay.as_ref()) else {
                    continue;
                };
                match relay
                    .recorder()
                    .published()
                    .into_iter()
                    .find(|e| e.get("id").and_then(Value::as_str) == Some(id.as_str()))
                {
                    Some(e) => copy = copy.or(Some(e)),
                    None => findings.push(Finding::new(
                        &["OS-EVENT-12", "OS-ADAPTER-13"],
                        format!("relay {n} never received event {id}: a client publishes to every relay given"),
                    )),
                }
            }
            if let Some(json) = copy {
                let want_created = expect
                    .created_at
                    .map_or(now, |o| s.now.saturating_add_signed(o));
                let others: Vec<&String> = g
                    .intermediates
                    .keys()
                    .filter(|a| !spec.members.contains(a))
                    .collect();
                let checked = SetCheck {
                    g: &g,
                    epoch: want_epoch,
                    created_at: want_created,
                    secret: &secret,
                    members: &spec.members,
                    absent: &others,
                };
                if let Some(e) = checked.check(&json, findings) {
                    state.published.push((spec.group.clone(), e));
                }
            }
            Ok(Ok(Some(id)))
        }
        Op::JoinGroup => {
            if let Some(x) = value.get("epoch_secret").and_then(Value::as_str) {
                state
                    .secrets
                    .insert(x.to_lowercase(), "an epoch secret a member opened".into());
            }
            check_join(cx, s, &g, spec, step, &wx, &value, findings)?;
            Ok(Ok(None))
        }
        _ => Err("not a member access operation".into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn check_join(
    cx: &StepCtx<'_>,
    s: &Scenario,
    g: &GroupFixture,
    spec: &StepSpec,
    step: &Step,
    wx: &WrapExpect,
    v: &Value,
    findings: &mut Vec<Finding>,
) -> Result<(), String> {
    let got_epoch = v.get("epoch").and_then(Value::as_u64);
    if let Some(rel) = wx.epoch {
        let want = g.epoch(rel)?;
        if got_epoch != Some(want) {
            findings.push(Finding::new(
                &["OS-WRAP-14", "OS-WRAP-17"],
                format!("epoch {got_epoch:?}, expected {want}"),
            ));
        }
        let label = wx.secret.clone().unwrap_or_default();
        let secret = hex::encode(epoch_secret(s, &spec.group, want, &label));
        let got = v
            .get("epoch_secret")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if got != secret {
            findings.push(Finding::new(
                &["OS-WRAP-13", "OS-WRAP-17"],
                format!(
                    "epoch_secret {got:?} is not the secret of epoch {want} the winning set carries"
                ),
            ));
        }
        if spec.passphrase.is_none()
            && let Ok(i) = g.intermediate(&step.actor)
        {
            let (loc, _) = wrap::member_keys(i, &g.id, want);
            let got = v.get("locator").and_then(Value::as_str).unwrap_or_default();
            if got != hex::encode(loc) {
                findings.push(Finding::new(
                    &["OS-WRAP-7"],
                    format!("locator {got:?}, expected {}", hex::encode(loc)),
                ));
            }
        }
    }
    if let Some(r) = &wx.set_event {
        let want = resolve_ref(cx, r)?;
        let got = v
            .get("event_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if got != want {
            findings.push(Finding::new(
                &["OS-WRAP-17", "OS-LWW-1"],
                format!("winning wrapper set {got}, expected {r} ({want})"),
            ));
        }
    }
    if let Some(want) = &wx.rejected {
        let got = super::run::rejected_of(v);
        for (name, code) in want {
            let id = resolve_ref(cx, name)?;
            match got.get(&id) {
                Some(c) if c == code => {}
                other => findings.push(Finding::new(
                    &["OS-WRAP-17"],
                    format!("wrapper set {name} rejected with {other:?}, expected `{code}`"),
                )),
            }
        }
    }
    Ok(())
}

/// The checks of one published wrapper set.
struct SetCheck<'a> {
    g: &'a GroupFixture,
    epoch: u64,
    created_at: u64,
    secret: &'a [u8; 32],
    members: &'a [String],
    absent: &'a [&'a String],
}

impl SetCheck<'_> {
    fn check(&self, json: &Value, findings: &mut Vec<Finding>) -> Option<Event> {
        let g = self.g;
        let e = match ev::parse(&json.to_string()) {
            Ok(e) => e,
            Err((code, _)) => {
                findings.push(Finding::new(
                    &["OS-EVENT-13"],
                    format!("published wrapper set is not a NIP-01 event ({code})"),
                ));
                return None;
            }
        };
        if e.kind.as_u16() != ev::KIND {
            findings.push(Finding::new(
                &["OS-WRAP-16"],
                format!("published kind {}, expected 30078", e.kind.as_u16()),
            ));
        }
        if !e.verify_id() {
            findings.push(Finding::new(
                &["OS-EVENT-7"],
                "published id is not the event's hash",
            ));
        }
        if !e.verify_signature() {
            findings.push(Finding::new(
                &["OS-EVENT-8"],
                "published signature does not verify",
            ));
        }
        if e.pubkey != g.host.public_key() {
            findings.push(Finding::new(
                &["OS-WRAP-16", "OS-WRAP-20"],
                format!(
                    "signed by {}, expected the group key {} (OS-KDF-5 over the set's d-tag, adapter protocol §11.1)",
                    e.pubkey.to_hex(),
                    g.host.public_key().to_hex()
                ),
            ));
        }
        let end = window_end(g, self.epoch).unwrap_or_default();
        let want_tags = set_tags(g, end);
        let tags: Vec<Vec<String>> = e.tags.iter().map(|t| t.as_slice().to_vec()).collect();
        if tags != want_tags {
            findings.push(Finding::new(
                &["OS-WRAP-16"],
                format!("tags {tags:?}, expected exactly {want_tags:?}"),
            ));
        }
        let created = e.created_at.as_secs();
        if created != self.created_at {
            findings.push(Finding::new(
                &["OS-EVENT-9", "OS-ADAPTER-12"],
                format!("created_at {created}, expected {}", self.created_at),
            ));
        }
        if wrap::check_epoch(g.rotate, g.margin, self.epoch, created).is_err()
            || created < self.epoch * g.rotate
        {
            findings.push(Finding::new(
                &["OS-WRAP-18"],
                format!(
                    "created_at {created} is outside epoch {}'s window",
                    self.epoch
                ),
            ));
        }
        let (epoch, ws) = match wrap::parse_set(&e.content) {
            Ok(x) => x,
            Err((code, req)) => {
                findings.push(Finding::new(
                    &["OS-WRAP-12", req],
                    format!("the content is not a wrapper set ({code})"),
                ));
                return Some(e);
            }
        };
        if wrap::set_content(epoch, &ws) != e.content {
            findings.push(Finding::new(
                &["OS-WRAP-12"],
                "the content is not canonical",
            ));
        }
        if epoch != self.epoch {
            findings.push(Finding::new(
                &["OS-WRAP-18"],
                format!("the set is for epoch {epoch}, expected {}", self.epoch),
            ));
        }
        if ws.len() != self.members.len() {
            findings.push(Finding::new(
                &["OS-WRAP-18", "OS-WRAP-19"],
                format!(
                    "{} wrappers, expected one per member ({})",
                    ws.len(),
                    self.members.len()
                ),
            ));
        }
        if ws.iter().any(|w| w[1] != g.log_n || w[2..18] != g.salt) {
            findings.push(Finding::new(
                &["OS-WRAP-3", "OS-WRAP-12"],
                "a wrapper does not carry the group's LOG_N and SALT",
            ));
        }
        for m in self.members {
            let Ok(i) = g.intermediate(m) else { continue };
            let (loc, _) = wrap::member_keys(i, &g.id, self.epoch);
            match ws.iter().find(|w| w[42..58] == loc) {
                None => findings.push(Finding::new(
                    &["OS-WRAP-7", "OS-WRAP-18"],
                    format!("no wrapper carries {m}'s locator"),
                )),
                Some(w) => match wrap::open(i, &g.id, self.epoch, w) {
                    Ok(sec) if &sec == self.secret => {}
                    Ok(_) => findings.push(Finding::new(
                        &["OS-WRAP-8", "OS-WRAP-19"],
                        format!("{m}'s wrapper holds another secret than the epoch secret given"),
                    )),
                    Err((code, _)) => findings.push(Finding::new(
                        &["OS-WRAP-8", "OS-WRAP-9"],
                        format!("{m}'s wrapper does not open ({code})"),
                    )),
                },
            }
        }
        for a in self.absent {
            let Ok(i) = g.intermediate(a) else { continue };
            let (loc, _) = wrap::member_keys(i, &g.id, self.epoch);
            if ws.iter().any(|w| w[42..58] == loc) {
                findings.push(Finding::new(
                    &["OS-WRAP-19"],
                    format!("the set carries a wrapper for {a}, who is not a member"),
                ));
            }
        }
        Some(e)
    }
}

/// Across the run: no secret of member access in any frame a client sent
/// (OS-WRAP-6), and no tag value or signing key shared by two groups'
/// sets (OS-WRAP-20).
pub fn cross_checks(
    state: &WrapState,
    relays: &BTreeMap<String, RunningRelay>,
    findings: &mut Vec<Finding>,
) {
    if !state.secrets.is_empty() {
        for (relay_name, r) in relays {
            let Some(relay) = &r.relay else { continue };
            for record in relay.recorder().records() {
                let text = serde_json::to_string(&record.frame)
                    .unwrap_or_default()
                    .to_lowercase();
                for (secret, what) in &state.secrets {
                    if !secret.is_empty() && text.contains(secret.as_str()) {
                        findings.push(Finding::new(
                            &["OS-WRAP-6"],
                            format!(
                                "relay {relay_name} received {what} in a client frame (connection {}, #{})",
                                record.connection, record.seq
                            ),
                        ));
                    }
                }
            }
        }
    }
    let mut keys: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (group, e) in &state.published {
        keys.entry(e.pubkey.to_hex())
            .or_default()
            .insert(group.as_str());
        for t in e.tags.iter() {
            let s = t.as_slice();
            if matches!(s.first().map(String::as_str), Some("t" | "expiration")) {
                continue;
            }
            for v in s.iter().skip(1) {
                values.entry(v.as_str()).or_default().insert(group.as_str());
            }
        }
    }
    for (k, groups) in keys {
        if groups.len() > 1 {
            findings.push(Finding::new(
                &["OS-WRAP-20"],
                format!("the key {k} signs the sets of several groups: {groups:?}"),
            ));
        }
    }
    for (v, groups) in values {
        if groups.len() > 1 {
            findings.push(Finding::new(
                &["OS-WRAP-20"],
                format!("the tag value {v:?} appears in the sets of several groups: {groups:?}"),
            ));
        }
    }
}
