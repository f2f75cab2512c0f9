//! Differential fuzzing through the adapter protocol
//! (`spec/adapter-protocol.md` §6): `openslots-harness fuzz` generates
//! inputs for every vector operation the adapter's handshake lists, sends
//! each to the adapter and to the reference in process (the harness's
//! [`InProcess`] adapter), and judges the adapter's answer against the
//! reference's by the rules of the vector runner ([`vectors::judge`]).
//!
//! Inputs come from `proptest` strategies: structured generators written
//! from the spec's grammar and limits ([`generate`]) and mutations of every
//! vector case's input ([`mutate`]). A disagreement is shrunk by
//! `proptest` to a minimal input, reported like a failing vector case
//! (operation, profile, requirement IDs, expected, got) and written as a
//! ready vector case ([`case`]). One seed reproduces a run exactly: the
//! inputs depend on the seed and the case count alone, never on the clock.
//!
//! The reference's answer decides the expectation: its value makes a
//! `valid` case, its error code an `invalid` one; inputs it cannot read
//! (`bad-request`) or does not implement are not sent. The requirement IDs
//! are those the reference's error message names, else those of the vector
//! case the input was mutated from, else those of the operation's cases.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use openslots_vectors::Verdict;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::adapter::{Answer, InProcess, Transport};
use crate::report::{Case, Run, Status, Suite};
use crate::vectors::{self, VectorCase};

pub mod case;
pub mod generate;
pub mod mutate;

/// How many inputs are sent to the adapter in one exchange (pipelined).
pub const BATCH: usize = 32;
/// At most this many shrinking steps per disagreement.
pub const SHRINK_STEPS: usize = 128;
/// At most this many disagreements are kept per operation and profile
/// (the first ones, after shrinking); the operation is then left alone.
pub const FINDINGS_PER_TARGET: usize = 3;

/// How long a run lasts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Budget {
    /// This many inputs sent (the same inputs for the same seed).
    Cases(u64),
    /// This much time (the inputs sent are a prefix of the seed's stream).
    Seconds(f64),
}

/// What to fuzz.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Only these suites (none: every suite).
    pub suites: Vec<String>,
    /// Only these operations (none: every vector operation).
    pub operations: Vec<String>,
    /// Only these profiles (none: every profile).
    pub profiles: Vec<String>,
    /// How long.
    pub budget: Budget,
    /// The seed.
    pub seed: u64,
}

/// One operation and profile being fuzzed.
pub struct Target {
    /// The suite whose operation it is.
    pub suite: String,
    /// The operation.
    pub op: String,
    /// The profile.
    pub profile: String,
    /// Every requirement the operation's vector cases check.
    pub requirements: Vec<String>,
    seeds: Vec<VectorCase>,
    strategy: BoxedStrategy<Generated>,
    schema: Option<std::sync::Arc<jsonschema::Validator>>,
    sent: u64,
    findings: usize,
}

/// A generated input and where it came from.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The input.
    pub input: Value,
    /// The index of the vector case it was mutated from.
    pub origin: Option<usize>,
}

/// A disagreement, shrunk.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The suite.
    pub suite: String,
    /// The case the reference's answer makes of the minimal input.
    pub case: VectorCase,
    /// The adapter's answer to it, judged.
    pub judged: Case,
    /// The vector case the input was mutated from (`suite/tcId`).
    pub origin: Option<String>,
    /// Shrinking steps taken.
    pub shrink_steps: usize,
    /// Inputs sent before the disagreement was first seen.
    pub found_after: u64,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// The report (run `fuzz`).
    pub run: Run,
    /// Every disagreement.
    pub findings: Vec<Finding>,
    /// Inputs sent to the adapter (shrinking not counted).
    pub sent: u64,
}

/// The 32-byte ChaCha seed of a run's seed.
fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(b"openslot");
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn strategy(op: &str, seeds: &[VectorCase]) -> BoxedStrategy<Generated> {
    let inputs: Vec<Value> = seeds.iter().map(|c| c.input.clone()).collect();
    let mutated = (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutate::edit(), 1..2),
    )
        .prop_map(move |(which, edits)| {
            let i = which.index(inputs.len());
            let mut input = inputs[i].clone();
            for e in &edits {
                mutate::apply(&mut input, e);
            }
            Generated {
                input,
                origin: Some(i),
            }
        });
    match generate::structured(op) {
        Some(s) => prop_oneof![
            1 => mutated,
            1 => s.prop_map(|input| Generated { input, origin: None }),
        ]
        .boxed(),
        None => mutated.boxed(),
    }
}

/// The operations and profiles to fuzz: every one the vectors use, the
/// options select and the handshake lists.
///
/// # Errors
///
/// When the vector files do not parse.
pub fn targets(options: &Options) -> Result<Vec<Target>, String> {
    let mut out: Vec<Target> = Vec::new();
    for (suite, cases) in vectors::load()? {
        if !options.suites.is_empty() && !options.suites.contains(&suite) {
            continue;
        }
        for c in cases {
            if (!options.operations.is_empty() && !options.operations.contains(&c.op))
                || (!options.profiles.is_empty() && !options.profiles.contains(&c.profile))
            {
                continue;
            }
            match out
                .iter_mut()
                .find(|t| t.suite == suite && t.op == c.op && t.profile == c.profile)
            {
                Some(t) => t.seeds.push(c),
                None => out.push(Target {
                    suite: suite.clone(),
                    op: c.op.clone(),
                    profile: c.profile.clone(),
                    requirements: Vec::new(),
                    seeds: vec![c],
                    strategy: Just(Generated {
                        input: Value::Null,
                        origin: None,
                    })
                    .boxed(),
                    schema: None,
                    sent: 0,
                    findings: 0,
                }),
            }
        }
    }
    let mut schemas: Vec<(String, Option<std::sync::Arc<jsonschema::Validator>>)> = Vec::new();
    for t in &mut out {
        if !schemas.iter().any(|(s, _)| *s == t.suite) {
            schemas.push((
                t.suite.clone(),
                input_schema(&t.suite)?.map(std::sync::Arc::new),
            ));
        }
        t.schema = schemas
            .iter()
            .find(|(s, _)| *s == t.suite)
            .and_then(|(_, v)| v.clone());
        let reqs: BTreeSet<String> = t
            .seeds
            .iter()
            .flat_map(|c| c.requirements.iter().cloned())
            .collect();
        t.requirements = reqs.into_iter().collect();
        t.strategy = strategy(&t.op, &t.seeds);
    }
    Ok(out)
}

/// Where the suites' schemas are.
pub const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/schemas");

/// The validator of a suite's `input` (`$defs/input` of
/// `spec/schemas/vectors-<suite>.schema.json`), when the schema exists:
/// only inputs it accepts are sent, so that every input is one a vector
/// case could hold.
///
/// # Errors
///
/// When the schema does not parse or compile.
pub fn input_schema(suite: &str) -> Result<Option<jsonschema::Validator>, String> {
    let path = format!("{SCHEMAS}/vectors-{suite}.schema.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let one = json!({
        "$schema": doc.get("$schema").cloned().unwrap_or(Value::Null),
        "$defs": doc.get("$defs").cloned().unwrap_or(Value::Null),
        "$ref": "#/$defs/input",
    });
    jsonschema::validator_for(&one)
        .map(Some)
        .map_err(|e| format!("{path}: {e}"))
}

/// The requirement IDs a message names (`OS-MASK-9`).
fn named_requirements(message: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in message.match_indices("OS-") {
        let rest = &message[i + 3..];
        let area: String = rest.chars().take_while(char::is_ascii_uppercase).collect();
        let after = &rest[area.len()..];
        if area.is_empty() || !after.starts_with('-') {
            continue;
        }
        let n: String = after[1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if n.is_empty() || n.starts_with('0') {
            continue;
        }
        let id = format!("OS-{area}-{n}");
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// The case the reference's answer makes of an input, or `None` when the
/// reference cannot read the input or does not implement it.
fn expectation(t: &Target, g: &Generated, reference: &Answer, n: u64) -> Option<VectorCase> {
    let r = reference.as_ref().ok()?;
    if t.schema.as_ref().is_some_and(|s| !s.is_valid(&g.input)) {
        return None;
    }
    let origin = g.origin.and_then(|i| t.seeds.get(i));
    if let Some(o) = origin
        && vectors::json_eq(&o.input, &g.input)
    {
        // The vector case itself: its verdict (acceptable alternatives
        // included) stands.
        return Some(o.clone());
    }
    let mut requirements = origin.map(|o| o.requirements.clone()).unwrap_or_default();
    let mut intermediate = None;
    let (result, expected, error) = if let Some(ok) = r.get("ok") {
        let mut ok = ok.clone();
        if t.op == "resolve"
            && let Some(o) = ok.as_object_mut()
        {
            // OS-ADAPTER-11: the rejected and superseded lists are a SHOULD,
            // judged as the vectors judge them (a difference is a warning),
            // so they go where the vectors keep them.
            let mut side = serde_json::Map::new();
            for k in ["rejected", "superseded"] {
                if let Some(v) = o.remove(k) {
                    side.insert(k.to_owned(), v);
                }
            }
            intermediate = Some(Value::Object(side));
        }
        (Verdict::Valid, Some(ok), None)
    } else if let Some(e) = r.get("error") {
        let code = e.get("code").and_then(Value::as_str)?;
        if code == openslots_adapter::BAD_REQUEST {
            return None;
        }
        let named = named_requirements(e.get("message").and_then(Value::as_str).unwrap_or(""));
        if !named.is_empty() {
            requirements = named;
        }
        (Verdict::Invalid, None, Some(code.to_owned()))
    } else {
        return None;
    };
    if requirements.is_empty() {
        requirements = t.requirements.clone();
    }
    Some(VectorCase {
        suite: t.suite.clone(),
        id: format!("{}/{}/{}/fuzz-{n}", t.suite, t.op, t.profile),
        profile: t.profile.clone(),
        op: t.op.clone(),
        comment: format!("fuzz case {n} for {} ({})", t.op, t.profile),
        flags: vec!["Fuzz".to_owned()],
        requirements,
        input: g.input.clone(),
        expected,
        error,
        result,
        intermediate,
    })
}

/// The largest scrypt LOG_N the fuzzer sends (the vectors' largest, 64 MiB
/// of memory): a mutated LOG_N of 17 to 20 is legal (OS-WRAP-4) but costs
/// the reference and the adapter up to 1 GiB and seconds per input, which a
/// bounded run cannot afford. Such inputs are dropped before either side
/// runs them.
const MAX_FUZZ_LOG_N: u64 = 16;

/// Whether an input makes an operation run scrypt above [`MAX_FUZZ_LOG_N`]:
/// `derive_intermediate`'s `logN`, the LOG_N byte of `open_wrapper`'s
/// wrapper, or of any wrapper in `open_set`'s content (spec §19.2.3).
fn too_costly(op: &str, input: &Value) -> bool {
    let over = |log_n: u64| log_n > MAX_FUZZ_LOG_N;
    match op {
        "derive_intermediate" => input.get("logN").and_then(Value::as_u64).is_some_and(over),
        "open_wrapper" => input
            .get("wrapper")
            .and_then(Value::as_str)
            .and_then(|w| w.get(2..4))
            .and_then(|b| u8::from_str_radix(b, 16).ok())
            .is_some_and(|b| over(u64::from(b))),
        "open_set" => input
            .get("content")
            .and_then(Value::as_str)
            .and_then(openslots_oracle::base64::decode)
            .is_some_and(|bytes| {
                // An 8-byte epoch, then 106-byte wrappers with LOG_N at 1.
                bytes
                    .get(8..)
                    .unwrap_or_default()
                    .chunks(106)
                    .filter_map(|w| w.get(1))
                    .any(|&b| over(u64::from(b)))
            }),
        _ => false,
    }
}

fn request(t: &Target, input: &Value) -> Value {
    json!({"op": t.op, "profile": t.profile, "input": input})
}

/// One input through both sides: the expectation and the judged answer,
/// or `None` when the input is not sent.
fn one(
    adapter: &mut dyn Transport,
    t: &Target,
    g: &Generated,
    n: u64,
) -> Option<(VectorCase, Case)> {
    if too_costly(&t.op, &g.input) {
        return None;
    }
    let req = request(t, &g.input);
    let reference = InProcess.exchange(std::slice::from_ref(&req)).pop()?;
    let case = expectation(t, g, &reference, n)?;
    let answer = adapter.exchange(&[req]).pop()?;
    let judged = vectors::judge(&case, &answer);
    Some((case, judged))
}

fn failed(j: &Case) -> bool {
    j.status == Status::Fail
}

/// Shrinks a disagreement: simplifies while the adapter still disagrees.
fn shrink(
    adapter: &mut dyn Transport,
    t: &Target,
    tree: &mut dyn ValueTree<Value = Generated>,
    mut best: (Generated, VectorCase, Case),
    n: u64,
) -> ((Generated, VectorCase, Case), usize) {
    let mut steps = 0;
    if !tree.simplify() {
        return (best, steps);
    }
    while steps < SHRINK_STEPS {
        steps += 1;
        let g = tree.current();
        let still = match one(adapter, t, &g, n) {
            Some((c, j)) if failed(&j) => Some((g, c, j)),
            _ => None,
        };
        let more = match still {
            Some(b) => {
                best = b;
                tree.simplify()
            }
            None => tree.complicate(),
        };
        if !more {
            break;
        }
    }
    (best, steps)
}

/// The progress line on a terminal: cases sent, disagreements, rate.
struct Line(ProgressBar);

impl Line {
    fn new() -> Self {
        let bar = ProgressBar::hidden();
        if std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        if let Ok(style) = ProgressStyle::with_template("{spinner} fuzz {elapsed} {msg}") {
            bar.set_style(style);
        }
        Self(bar)
    }

    fn show(&self, sent: u64, found: usize, started: Instant, label: &str) {
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        self.0.set_message(format!(
            "{sent} cases, {found} disagreements, {:.0}/s, {label}",
            sent as f64 / secs
        ));
        self.0.tick();
    }
}

/// Runs the fuzzer against `adapter`.
pub fn run(adapter: &mut dyn Transport, options: &Options) -> Outcome {
    let started = Instant::now();
    let mut run = Run::new("fuzz");
    let mut findings = Vec::new();
    let mut sent = 0u64;
    let mut discarded = 0u64;
    let fail = |mut run: Run, e: String| Outcome {
        run: {
            run.error = Some(e);
            run
        },
        findings: Vec::new(),
        sent: 0,
    };
    let mut targets = match targets(options) {
        Ok(t) => t,
        Err(e) => return fail(run, format!("the vector files do not parse: {e}")),
    };
    let hello = match adapter.start() {
        Ok(h) => h,
        Err(b) => {
            run.subject = Some(adapter.describe());
            return fail(run, format!("the adapter did not start: {b}"));
        }
    };
    run.subject = Some(format!(
        "{} {} ({})",
        hello.name,
        hello.version,
        adapter.describe()
    ));
    let (mut live, absent): (Vec<Target>, Vec<Target>) = targets
        .drain(..)
        .partition(|t| hello.supports(&t.op, &t.profile));
    if live.is_empty() {
        return fail(
            run,
            "no operation and profile to fuzz: the handshake lists none of the selected ones"
                .into(),
        );
    }
    run.notes.push(format!("seed {}", options.seed));
    let mut runner = TestRunner::new_with_rng(Config::default(), rng(options.seed));
    let line = Line::new();
    let deadline = match options.budget {
        Budget::Seconds(s) => Some(started + Duration::from_secs_f64(s.max(0.0))),
        Budget::Cases(_) => None,
    };
    let mut skipped: Vec<(usize, String)> = Vec::new();
    #[allow(clippy::needless_range_loop)] // `live` is borrowed again inside
    'outer: loop {
        let mut progressed = false;
        for ti in 0..live.len() {
            if live[ti].findings >= FINDINGS_PER_TARGET || skipped.iter().any(|(i, _)| *i == ti) {
                continue;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break 'outer;
            }
            let left = match options.budget {
                Budget::Cases(n) if sent >= n => break 'outer,
                Budget::Cases(n) => (n - sent) as usize,
                Budget::Seconds(_) => BATCH,
            };
            progressed = true;
            let t = &live[ti];
            let mut trees = Vec::new();
            let mut cases = Vec::new();
            let mut requests = Vec::new();
            while trees.len() < BATCH.min(left) {
                let Ok(tree) = t.strategy.new_tree(&mut runner) else {
                    break;
                };
                let g = tree.current();
                if too_costly(&t.op, &g.input) {
                    discarded += 1;
                    continue;
                }
                let req = request(t, &g.input);
                let reference = InProcess.exchange(std::slice::from_ref(&req));
                let Some(case) = reference
                    .first()
                    .and_then(|r| expectation(t, &g, r, sent + requests.len() as u64 + 1))
                else {
                    discarded += 1;
                    if discarded > 1000 && discarded > 20 * (sent + 1) {
                        break;
                    }
                    continue;
                };
                trees.push((tree, g));
                cases.push(case);
                requests.push(req);
            }
            let answers = adapter.exchange(&requests);
            let base = sent;
            sent += requests.len() as u64;
            live[ti].sent += requests.len() as u64;
            let mut unsupported = None;
            for (k, ((mut tree, g), case)) in trees.into_iter().zip(cases).enumerate() {
                let Some(answer) = answers.get(k) else { break };
                let judged = vectors::judge(&case, answer);
                if judged.status == Status::Skip {
                    unsupported = Some(judged.message.clone());
                    continue;
                }
                if !failed(&judged) || live[ti].findings >= FINDINGS_PER_TARGET {
                    continue;
                }
                let n = findings.len() as u64 + 1;
                let origin = g
                    .origin
                    .and_then(|i| live[ti].seeds.get(i))
                    .map(|c| c.id.clone());
                // An adapter that crashed or hung is not shrunk: every
                // step would cost a restart or a whole timeout.
                let ((g, case, judged), steps) = if answer.is_err() {
                    ((g, case, judged), 0)
                } else {
                    shrink(adapter, &live[ti], &mut tree, (g, case, judged), n)
                };
                let origin = g
                    .origin
                    .and_then(|i| live[ti].seeds.get(i))
                    .map(|c| c.id.clone())
                    .or(origin.filter(|_| g.origin.is_some()));
                let duplicate = findings.iter().any(|f: &Finding| {
                    f.case.op == case.op
                        && f.case.profile == case.profile
                        && f.judged.message == judged.message
                });
                if duplicate {
                    continue;
                }
                live[ti].findings += 1;
                findings.push(Finding {
                    suite: live[ti].suite.clone(),
                    case,
                    judged,
                    origin,
                    shrink_steps: steps,
                    found_after: base + k as u64 + 1,
                });
            }
            if let Some(u) = unsupported {
                skipped.push((ti, u));
            }
            line.show(
                sent,
                findings.len(),
                started,
                &format!("{} {}", live[ti].op, live[ti].profile),
            );
            run.notes.extend(adapter.take_notes());
        }
        if !progressed {
            break;
        }
    }
    line.0.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    run.duration_ms = started.elapsed().as_millis() as u64;
    for t in &absent {
        run.notes.push(format!(
            "{} {} not fuzzed: not in the adapter's handshake",
            t.op, t.profile
        ));
    }
    run.notes.push(format!(
        "{sent} cases in {secs:.1} s ({:.0} cases/s); {discarded} generated inputs the reference cannot read were not sent",
        sent as f64 / secs.max(1e-3)
    ));
    report(&mut run, &live, &skipped, &findings);
    Outcome {
        run,
        findings,
        sent,
    }
}

/// The report: per suite, one case per operation and profile (how many
/// inputs agreed) and one failing case per disagreement.
fn report(run: &mut Run, live: &[Target], skipped: &[(usize, String)], findings: &[Finding]) {
    for (ti, t) in live.iter().enumerate() {
        let pos = match run.suites.iter().position(|s| s.name == t.suite) {
            Some(p) => p,
            None => {
                run.suites.push(Suite::new(t.suite.clone()));
                run.suites.len() - 1
            }
        };
        let suite = &mut run.suites[pos];
        let mut summary = Case::new(
            format!("{}/{}/{}", t.suite, t.op, t.profile),
            t.requirements.clone(),
            Status::Pass,
        );
        summary.message = format!("{} generated inputs sent", t.sent);
        if let Some((_, why)) = skipped.iter().find(|(i, _)| *i == ti) {
            summary.status = Status::Skip;
            summary.message = why.clone();
        }
        if t.sent == 0 && summary.status == Status::Pass {
            summary.status = Status::Skip;
            summary.message = "no input sent (the budget ran out first)".into();
        }
        suite.cases.push(summary);
        for f in findings
            .iter()
            .filter(|f| f.case.op == t.op && f.case.profile == t.profile && f.suite == t.suite)
        {
            let mut c = f.judged.clone();
            c.message = format!(
                "{} {}: {}; input {} (found after {} cases, {} shrinking steps{})",
                t.op,
                t.profile,
                c.message,
                f.case.input,
                f.found_after,
                f.shrink_steps,
                f.origin
                    .as_ref()
                    .map(|o| format!(", mutated from {o}"))
                    .unwrap_or_default()
            );
            suite.cases.push(c);
        }
    }
}
