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

/// The members of `expected` that `got` lacks or has with another value.
fn differing(expected: &Value, got: &Value) -> Vec<String> {
    match (expected.as_object(), got.as_object()) {
        (Some(e), Some(g)) => e
            .iter()
            .filter(|(k, v)| !g.get(k.as_str()).is_some_and(|w| json_eq(v, w)))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => vec!["(the whole value)".to_owned()],
    }
}

/// OS-ADAPTER-11: the rejections and superseded versions of `resolve`, when
/// the adapter gives them, against the vectors' `intermediate`.
fn should_resolve(c: &VectorCase, ok: &Value) -> Option<String> {
    if c.op != "resolve" {
        return None;
    }
    let inter = c.intermediate.as_ref()?;
    let differ: Vec<&str> = ["rejected", "superseded"]
        .into_iter()
        .filter(|k| match (ok.get(*k), inter.get(*k)) {
            (Some(got), Some(want)) => !json_eq(got, want),
            _ => false,
        })
        .collect();
    (!differ.is_empty()).then(|| {
        format!(
            "the resolved room is right, but {} differs from the vectors' intermediate (OS-ADAPTER-11, SHOULD)",
            differ.join(" and ")
        )
    })
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
        let diff = differing(&expected, ok);
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
                "expected the value or error {want_code}; the value differs in {}",
                diff.join(", ")
            );
        } else {
            out.message = format!("the value differs in {}", diff.join(", "));
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
                .map(|c| json!({"op": c.op, "profile": c.profile, "input": c.input}))
                .collect();
            let answers = transport.exchange(&requests);
            for (c, a) in chunk.iter().zip(answers.iter()) {
                judged.push(judge(c, a));
            }
            progress.advance(chunk.len() as u64, &name);
        }
        for c in &skip {
            let mut out = Case::new(c.id.clone(), c.requirements.clone(), Status::Skip);
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
    run.notes = counted(std::mem::take(&mut run.notes));
    run.duration_ms = started.elapsed().as_millis() as u64;
    run
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
