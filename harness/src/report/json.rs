//! The machine-readable report (`--format json`), a stable format:
//!
//! ```json
//! {"format": "openslots-harness-report", "formatVersion": 1,
//!  "tool": "openslots-harness 0.1.0", "ok": false,
//!  "totals": {"total": 2, "pass": 1, "fail": 1, "skip": 0, "expectedFailure": 0, "warn": 0},
//!  "runs": [{"name": "vectors", "subject": "…", "ok": false, "durationMs": 12,
//!            "totals": {…}, "notes": ["…"], "error": "…",
//!            "suites": [{"name": "link", "durationMs": 3, "totals": {…},
//!                        "cases": [{"id": "link/12", "requirements": ["OS-LINK-3"],
//!                                   "operation": "parse_link", "profile": "v1",
//!                                   "comment": "…", "status": "fail",
//!                                   "expected": {…}, "got": {…}, "message": "…"}]}]}]}
//! ```
//!
//! `status` is one of `pass`, `fail`, `skip`, `expected-failure`, `warn`.
//! `subject`, `notes`, `error`, `operation`, `profile`, `comment`,
//! `expected`, `got` and `message` are absent
//! when empty. Members are only ever added, within `formatVersion` 1.

use serde_json::{Value, json};

use super::{Report, Totals};

/// The value of `format`.
pub const FORMAT: &str = "openslots-harness-report";
/// The value of `formatVersion`.
pub const FORMAT_VERSION: u32 = 1;

fn totals(t: &Totals) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// The report as a JSON value.
pub fn to_value(report: &Report) -> Value {
    let runs: Vec<Value> = report
        .runs
        .iter()
        .map(|r| {
            let suites: Vec<Value> = r
                .suites
                .iter()
                .map(|s| {
                    json!({
                        "name": s.name,
                        "durationMs": s.duration_ms,
                        "totals": totals(&s.totals()),
                        "cases": serde_json::to_value(&s.cases).unwrap_or(Value::Null),
                    })
                })
                .collect();
            let mut v = json!({
                "name": r.name,
                "ok": r.ok(),
                "durationMs": r.duration_ms,
                "totals": totals(&r.totals()),
                "suites": suites,
            });
            if let Some(obj) = v.as_object_mut() {
                if let Some(s) = &r.subject {
                    obj.insert("subject".into(), json!(s));
                }
                if !r.notes.is_empty() {
                    obj.insert("notes".into(), json!(r.notes));
                }
                if let Some(e) = &r.error {
                    obj.insert("error".into(), json!(e));
                }
            }
            v
        })
        .collect();
    json!({
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "tool": report.tool,
        "ok": report.ok(),
        "totals": totals(&report.totals()),
        "runs": runs,
    })
}

/// The report as pretty-printed JSON, with a final newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).unwrap_or_default();
    s.push('\n');
    s
}
