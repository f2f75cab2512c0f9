//! The vector suites through an adapter (spec/adapter-protocol.md §4, §5):
//! loads every case of `vectors/*.json`, filters them, sends each to the
//! implementation as one request, and judges each answer (OS-ADAPTER-9)
//! into a report [`Run`] whose cases are named `<suite>/<tcId>`.

use std::collections::BTreeSet;
use std::time::Instant;

use openslots_vectors::{VectorFile, Verdict};
use serde_json::{Map, Value, json};

use crate::adapter::{Answer, Transport};
use crate::report::{Case, Run, Status, Suite};

/// One vector case, ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorCase {
    /// The suite (the file's stem).
    pub suite: String,
    /// `<suite>/<tcId>`.
    pub id: String,
    /// `v1`, `v2` or `any`.
    pub profile: String,
    /// The operation.
    pub op: String,
    /// What the case is about, for people (the vector's `comment`).
    pub comment: String,
    /// The case's flags (explained in the file's `notes`).
    pub flags: Vec<String>,
    /// The requirement IDs it checks.
    pub requirements: Vec<String>,
    /// The input, as in the file.
    pub input: Value,
    /// The expected output (valid and acceptable cases).
    pub expected: Option<Value>,
    /// The expected error code (invalid and acceptable cases).
    pub error: Option<String>,
    /// What the case expects.
    pub result: Verdict,
    /// Values computed on the way (for SHOULD-level checks).
    pub intermediate: Option<Value>,
}

type AnyFile = VectorFile<Value, Value, Value>;

/// Every suite with its cases, in the order of the spec.
///
/// # Errors
///
/// When a vector file does not parse.
pub fn load() -> Result<Vec<(String, Vec<VectorCase>)>, String> {
    let mut out = Vec::new();
    for (name, text) in openslots_vectors::FILES {
        let file: AnyFile = serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        let cases = file
            .cases()
            .map(|(profile, op, c)| VectorCase {
                suite: file.suite.clone(),
                id: format!("{}/{}", file.suite, c.tc_id),
                profile: profile.to_owned(),
                op: op.to_owned(),
                comment: c.comment.clone(),
                flags: c.flags.clone(),
                requirements: c.requirements.clone(),
                input: c.input.clone(),
                expected: c.expected.clone(),
                error: c.error.clone(),
                result: c.result,
                intermediate: c.intermediate.clone(),
            })
            .collect();
        out.push((file.suite.clone(), cases));
    }
    Ok(out)
}

/// Which cases to run: a case runs when it matches every non-empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Suite names (`link`).
    pub suites: Vec<String>,
    /// Case ids (`link/12`).
    pub cases: Vec<String>,
    /// Requirement IDs (`OS-LINK-3`), or a prefix of whole parts
    /// (`OS-LINK` matches `OS-LINK-3`).
    pub requirements: Vec<String>,
}

impl Filter {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        self.suites.is_empty() && self.cases.is_empty() && self.requirements.is_empty()
    }

    /// Whether a case runs.
    pub fn matches(&self, suite: &str, id: &str, requirements: &[String]) -> bool {
        (self.suites.is_empty() || self.suites.iter().any(|s| s == suite))
            && (self.cases.is_empty() || self.cases.iter().any(|c| c == id))
            && (self.requirements.is_empty()
                || self.requirements.iter().any(|want| {
                    requirements
                        .iter()
                        .any(|r| r == want || r.starts_with(&format!("{want}-")))
                }))
    }
}

/// What conformance requires of a case, in the shape of a response.
pub fn expected_response(c: &VectorCase) -> Value {
    let error = |code: &Option<String>| json!({"error": {"code": code}});
    match c.result {
        Verdict::Valid => json!({"ok": c.expected}),
        Verdict::Invalid => error(&c.error),
        Verdict::Acceptable => json!({"anyOf": [{"ok": c.expected}, error(&c.error)]}),
    }
}

/// JSON equality, numbers compared by value (`1` equals `1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y
                || match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                    (Some(p), Some(q), _, _) => p == q,
                    (_, _, Some(p), Some(q)) => p == q,
                    _ => x.as_f64().is_some() && x.as_f64() == y.as_f64(),
                }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Longest value shown inside one difference; longer ones are cut.
const MAX_SHOWN: usize = 120;
/// Most differences named in one message.
const MAX_DIFFERENCES: usize = 8;

/// A value for a one-line message, cut to [`MAX_SHOWN`] characters.
fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= MAX_SHOWN {
        return s;
    }
    let mut out: String = s.chars().take(MAX_SHOWN).collect();
    out.push('…');
    out
}

/// Where a member sits below `path`: `a.b`, `a[0]`.
fn member_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Every place where `got` differs from `expected`, each located by its
/// path from the output's root (`participants[0].eventId missing`,
/// `counts[2]: expected 3, got 2`). Members `got` has and `expected` does
/// not are ignored (OS-ADAPTER-5); arrays are compared in order.
pub fn differences(expected: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(expected, got, "", &mut out);
    out
}

fn walk(expected: &Value, got: &Value, path: &str, out: &mut Vec<String>) {
    let here = if path.is_empty() { "the value" } else { path };
    match (expected, got) {
        (Value::Object(e), Value::Object(g)) => {
            for (k, v) in e {
                let p = member_path(path, k);
                match g.get(k) {
                    None => out.push(format!("{p} missing (expected {})", brief(v))),
                    Some(w) => walk(v, w, &p, out),
                }
            }
        }
        (Value::Array(e), Value::Array(g)) => {
            if e.len() != g.len() {
                out.push(format!(
                    "{here}: expected {} items, got {}",
                    e.len(),
                    g.len()
                ));
            }
            for (i, (v, w)) in e.iter().zip(g).enumerate() {
                walk(v, w, &format!("{path}[{i}]"), out);
            }
        }
        _ if json_eq(expected, got) => {}
        _ => out.push(format!(
            "{here}: expected {}, got {}",
            brief(expected),
            brief(got)
        )),
    }
}

/// The differences as one phrase, at most [`MAX_DIFFERENCES`] of them.
fn said(diff: &[String]) -> String {
    let mut s = diff
        .iter()
        .take(MAX_DIFFERENCES)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if diff.len() > MAX_DIFFERENCES {
        s.push_str(&format!("; and {} more", diff.len() - MAX_DIFFERENCES));
    }
    s
}

/// OS-ADAPTER-11: the rejections and superseded versions of `resolve`, when
/// the adapter gives them, against the vectors' `intermediate`.
fn should_resolve(c: &VectorCase, ok: &Value) -> Option<String> {
    if c.op != "resolve" {
        return None;
    }
    let inter = c.intermediate.as_ref()?;
    let differ: Vec<String> = ["rejected", "superseded"]
        .into_iter()
        .filter_map(|k| match (ok.get(k), inter.get(k)) {
            (Some(got), Some(want)) => {
                let mut d = Vec::new();
                walk(want, got, k, &mut d);
                (!d.is_empty()).then(|| format!("{k} differs ({})", said(&d)))
            }
            _ => None,
        })
        .collect();
    (!differ.is_empty()).then(|| {
        format!(
            "the resolved room is right, but {} from the vectors' intermediate (OS-ADAPTER-11, SHOULD)",
            differ.join(" and ")
        )
    })
}

/// The `intermediate` member of an `ok` answer (optional for every
/// operation) against the vectors' intermediate values: the members both
/// give, in the order of the vectors, each located by path. `None` when the
/// answer has none or they agree. For `resolve` the OS-ADAPTER-11 members
/// are judged by [`judge`] and not repeated here.
pub fn intermediate_note(c: &VectorCase, answer: &Value) -> Option<String> {
    let got = answer.get("ok")?.get("intermediate")?.as_object()?;
    let want = c.intermediate.as_ref()?.as_object()?;
    let mut d = Vec::new();
    for (k, w) in want {
        if c.op == "resolve" && (k == "rejected" || k == "superseded") {
            continue;
        }
        if let Some(g) = got.get(k) {
            walk(w, g, &format!("intermediate.{k}"), &mut d);
        }
    }
    let shared = want.keys().filter(|k| got.contains_key(*k)).count();
    if d.is_empty() {
        return None;
    }
    Some(format!(
        "{} ({}, {}: {:?}): the intermediate values differ from the vectors' ({} of {shared} compared; the first named is the first step that diverged): {}",
        c.id,
        c.op,
        c.profile,
        c.comment,
        d.len().min(shared),
        said(&d)
    ))
}

/// The response without its id, as shown in reports.
fn shown(r: &Value) -> Value {
    match r.as_object() {
        Some(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| k.as_str() != "id")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<_, _>>(),
        ),
        None => r.clone(),
    }
}

/// Judges one answer (OS-ADAPTER-9, OS-ADAPTER-5 to OS-ADAPTER-7).
pub fn judge(c: &VectorCase, answer: &Answer) -> Case {
    let mut out = Case::new(c.id.clone(), c.requirements.clone(), Status::Fail);
    out.operation = Some(c.op.clone());
    out.profile = Some(c.profile.clone());
    out.comment = Some(c.comment.clone());
    out.expected = Some(expected_response(c));
    let r = match answer {
        Ok(r) => r,
        Err(broken) => {
            out.message = format!("no response: {broken}");
            return out;
        }
    };
    out.got = Some(shown(r));
    let has = |k: &str| r.get(k).is_some();
    let kinds = ["ok", "error", "unsupported"]
        .iter()
        .filter(|k| has(k))
        .count();
    if kinds != 1 {
        out.message =
            "not a response: it must have exactly one of ok, error, unsupported (OS-ADAPTER-5)"
                .into();
        return out;
    }
    if let Some(u) = r.get("unsupported") {
        out.status = Status::Skip;
        out.message = format!(
            "unsupported: {}",
            u.as_str().map_or_else(|| u.to_string(), str::to_owned)
        );
        return out;
    }
    let want_value = matches!(c.result, Verdict::Valid | Verdict::Acceptable);
    let want_error = matches!(c.result, Verdict::Invalid | Verdict::Acceptable);
    let want_code = c.error.as_deref().unwrap_or("");
    if let Some(ok) = r.get("ok") {
        let expected = c.expected.clone().unwrap_or(Value::Null);
        if !want_value {
            out.message = format!("expected error {want_code}, got a value");
            return out;
        }
        let diff = differences(&expected, ok);
        if diff.is_empty() {
            out.status = Status::Pass;
            if let Some(w) = should_resolve(c, ok) {
                out.status = Status::Warn;
                out.message = w;
                if let Some(i) = &c.intermediate {
                    out.expected = Some(json!({"ok": c.expected, "intermediate": i}));
                }
            }
        } else if c.result == Verdict::Acceptable {
            out.message = format!(
                "expected the value or error {want_code}; the value differs: {}",
                said(&diff)
            );
        } else {
            out.message = format!("the value differs: {}", said(&diff));
        }
        return out;
    }
    let e = r.get("error").cloned().unwrap_or(Value::Null);
    let Some(code) = e.get("code").and_then(Value::as_str) else {
        out.message = "not a response: error has no string code (OS-ADAPTER-6)".into();
        return out;
    };
    let foreign = if !openslots_oracle::code::is_known(code) {
        " (not a code of spec §15, OS-ADAPTER-6)"
    } else {
        ""
    };
    let said = e
        .get("message")
        .and_then(Value::as_str)
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    if want_error && code == want_code {
        out.status = Status::Pass;
    } else if want_error {
        out.message = format!("expected error {want_code}, got error {code}{foreign}{said}");
    } else {
        out.message = format!("expected a value, got error {code}{foreign}{said}");
    }
    out
}

/// A progress display: told how many cases there are, then each one done.
pub trait Progress {
    /// The number of cases about to run.
    fn start(&mut self, total: u64);
    /// `n` more cases are done; `label` names what runs now.
    fn advance(&mut self, n: u64, label: &str);
    /// All done.
    fn finish(&mut self);
}

/// No progress display.
#[derive(Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&mut self, _total: u64) {}
    fn advance(&mut self, _n: u64, _label: &str) {}
    fn finish(&mut self) {}
}

/// Runs the vector suites through `transport` and reports them as the run
/// `vectors`. Cases the handshake does not cover are skipped unsent.
pub fn run(transport: &mut dyn Transport, filter: &Filter, progress: &mut dyn Progress) -> Run {
    let started = Instant::now();
    let mut run = Run::new("vectors");
    let suites = match load() {
        Ok(s) => s,
        Err(e) => {
            run.error = Some(format!("the vector files do not parse: {e}"));
            return run;
        }
    };
    let hello = match transport.start() {
        Ok(h) => h,
        Err(b) => {
            run.subject = Some(transport.describe());
            run.error = Some(format!("the adapter did not start: {b}"));
            return run;
        }
    };
    run.subject = Some(format!(
        "{} {} ({})",
        hello.name,
        hello.version,
        transport.describe()
    ));
    let unknown_ops: BTreeSet<&str> = hello
        .operations
        .iter()
        .map(String::as_str)
        .filter(|o| {
            !suites
                .iter()
                .any(|(_, cs)| cs.iter().any(|c| c.op.as_str() == *o))
        })
        // The client operations are exercised by the client scenarios.
        .filter(|o| !crate::scenario::model::CLIENT_OPS.contains(o))
        .collect();
    if let Some(note) = hello.tzdata.as_deref().and_then(|v| tz_note(v, &suites)) {
        run.notes.push(note);
    }
    let unknown_profiles: Vec<&str> = hello
        .profiles
        .iter()
        .map(String::as_str)
        .filter(|p| !PROFILES.contains(p))
        .collect();
    if !unknown_profiles.is_empty() {
        run.notes.push(format!(
            "warning: the handshake names profiles the protocol does not define: {} (OS-ADAPTER-8 knows {}); no case runs under them",
            unknown_profiles.join(", "),
            PROFILES.join(" and ")
        ));
    }
    if !unknown_ops.is_empty() {
        run.notes.push(format!(
            "the handshake names operations no vector uses: {}",
            unknown_ops.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let selected: Vec<(String, Vec<VectorCase>)> = suites
        .into_iter()
        .map(|(name, cases)| {
            let cases = cases
                .into_iter()
                .filter(|c| filter.matches(&c.suite, &c.id, &c.requirements))
                .collect::<Vec<_>>();
            (name, cases)
        })
        .filter(|(_, cases)| !cases.is_empty())
        .collect();
    let mut should_unchecked = 0usize;
    progress.start(selected.iter().map(|(_, c)| c.len() as u64).sum());
    for (name, cases) in selected {
        let suite_started = Instant::now();
        let mut suite = Suite::new(name.clone());
        let (send, skip): (Vec<&VectorCase>, Vec<&VectorCase>) = cases
            .iter()
            .partition(|c| hello.supports(&c.op, &c.profile));
        // Send one operation and profile at a time (so that an adapter that
        // hangs on one operation costs only that operation's cases), in
        // chunks so that progress moves and memory stays bounded.
        let mut judged: Vec<Case> = Vec::with_capacity(cases.len());
        let groups = send.chunk_by(|a, b| a.op == b.op && a.profile == b.profile);
        for chunk in groups.flat_map(|g| g.chunks(256)) {
            let requests: Vec<Value> = chunk
                .iter()
                .map(|c| json!({"op": c.op, "profile": c.profile, "input": c.input, "case": c.id}))
                .collect();
            let answers = transport.exchange(&requests);
            for (c, a) in chunk.iter().zip(answers.iter()) {
                let j = judge(c, a);
                if let Ok(r) = a {
                    if let Some(n) = intermediate_note(c, r) {
                        run.notes.push(n);
                    }
                    let ok = r.get("ok");
                    if c.op == "resolve"
                        && c.intermediate.is_some()
                        && j.status == Status::Pass
                        && ok.is_some_and(|o| {
                            o.get("rejected").is_none() || o.get("superseded").is_none()
                        })
                    {
                        should_unchecked += 1;
                    }
                }
                judged.push(j);
            }
            progress.advance(chunk.len() as u64, &name);
        }
        for c in &skip {
            let mut out = Case::new(c.id.clone(), c.requirements.clone(), Status::Skip);
            out.operation = Some(c.op.clone());
            out.profile = Some(c.profile.clone());
            out.comment = Some(c.comment.clone());
            out.message = if hello.operations.iter().any(|o| o == &c.op) {
                format!("profile {} is not in the adapter's handshake", c.profile)
            } else {
                format!("operation {} is not in the adapter's handshake", c.op)
            };
            judged.push(out);
        }
        progress.advance(skip.len() as u64, &name);
        // Report in the file's order.
        let order: std::collections::HashMap<&str, usize> = cases
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        judged.sort_by_key(|j| order.get(j.id.as_str()).copied());
        suite.cases = judged;
        suite.duration_ms = suite_started.elapsed().as_millis() as u64;
        run.suites.push(suite);
        run.notes.extend(transport.take_notes());
    }
    progress.finish();
    if should_unchecked > 0 {
        run.notes.push(format!(
            "resolve: {should_unchecked} answer(s) leave out rejected or superseded, so the OS-ADAPTER-11 SHOULD went unchecked for them"
        ));
    }
    let skipped = skipped_entirely(&run);
    run.notes.extend(skipped);
    run.notes = counted(std::mem::take(&mut run.notes));
    run.duration_ms = started.elapsed().as_millis() as u64;
    run
}

/// The IANA time zone database the grid vectors were computed with
/// (spec §20).
pub const VECTORS_TZDATA: &str = "2026e";

/// A tz database version as (year, release letters), for ordering:
/// `2026e` < `2026f` < `2027a`; `None` when it is not of that form.
fn tz_version(v: &str) -> Option<(u32, usize, String)> {
    let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
    let rest = &v[digits.len()..];
    if digits.len() != 4 || rest.is_empty() || !rest.chars().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    Some((digits.parse().ok()?, rest.len(), rest.to_owned()))
}

/// The note for a handshake's `tzdata` older than the vectors' (adapter
/// protocol §3), naming the zones of the grid cases: the kit carries one
/// database, not the history of the zones, so it cannot say which of them
/// changed between the two versions.
fn tz_note(theirs: &str, suites: &[(String, Vec<VectorCase>)]) -> Option<String> {
    let zones: BTreeSet<&str> = suites
        .iter()
        .flat_map(|(_, cs)| cs.iter())
        .filter(|c| c.op == "generate_grid")
        .filter_map(|c| c.input.get("zone").and_then(Value::as_str))
        .collect();
    let zones = zones.into_iter().collect::<Vec<_>>().join(", ");
    match (tz_version(theirs), tz_version(VECTORS_TZDATA)) {
        (Some(a), Some(b)) if a < b => Some(format!(
            "the adapter's time zone database ({theirs}) is older than the vectors' ({VECTORS_TZDATA}): a grid case may fail on a zone whose rules changed in between; the kit cannot name which (it carries one database, not the zones' history); the grid cases use {zones}"
        )),
        (None, _) => Some(format!(
            "the adapter's tzdata {theirs:?} is not a time zone database version (such as {VECTORS_TZDATA})"
        )),
        _ => None,
    }
}

/// The profiles a handshake may name (OS-ADAPTER-8).
pub const PROFILES: [&str; 2] = ["v1", "v2"];

/// One note per operation (and per operation and profile) none of whose
/// selected cases was checked, so that an implementation that skips a
/// whole operation is told so plainly rather than by counts alone.
fn skipped_entirely(run: &Run) -> Vec<String> {
    use std::collections::BTreeMap;
    // operation -> profile -> (cases, skipped)
    let mut by: BTreeMap<&str, BTreeMap<&str, (usize, usize)>> = BTreeMap::new();
    for (_, c) in run.cases() {
        let (Some(op), Some(profile)) = (c.operation.as_deref(), c.profile.as_deref()) else {
            continue;
        };
        let e = by.entry(op).or_default().entry(profile).or_default();
        e.0 += 1;
        if c.status == Status::Skip {
            e.1 += 1;
        }
    }
    let mut out = Vec::new();
    for (op, profiles) in by {
        let (n, k) = profiles
            .values()
            .fold((0, 0), |(n, k), (a, b)| (n + a, k + b));
        if k == n {
            out.push(format!(
                "operation {op} was skipped entirely: none of its {n} cases was checked"
            ));
            continue;
        }
        for (p, (n, k)) in profiles {
            if k == n {
                out.push(format!(
                    "operation {op} was skipped entirely in profile {p}: none of its {n} cases was checked"
                ));
            }
        }
    }
    out
}

/// Notes in first-seen order, each repeated one once with its count.
fn counted(notes: Vec<String>) -> Vec<String> {
    let mut order: Vec<(String, usize)> = Vec::new();
    for n in notes {
        match order.iter_mut().find(|(m, _)| *m == n) {
            Some((_, k)) => *k += 1,
            None => order.push((n, 1)),
        }
    }
    order
        .into_iter()
        .map(|(n, k)| {
            if k == 1 {
                n
            } else {
                format!("{n} ({k} times)")
            }
        })
        .collect()
}
