//! Expected failures: a file that lists the cases an implementation is
//! known to fail, each with how it fails and why, so that an implementer
//! can track known gaps while the rest of the run stays strict (as the
//! conformance runners of protobuf and BoringSSL do).
//!
//! The file is JSON:
//!
//! ```json
//! {"expectedFailures": [
//!   {"case": "link/12", "failure": "error:link-syntax",
//!    "reason": "our parser does not check the key length yet"}]}
//! ```
//!
//! `failure` says how the case fails: `error:<code>` (an error with that
//! code where another outcome is due), `value` (a value that is wrong or
//! not due), `no-response` (the adapter crashed, hung or wrote garbage) or
//! `malformed` (a response of the wrong shape). When applied to a run, a
//! listed case that fails that way becomes an expected failure; a listed
//! case that passes, or fails another way, fails the run. Entries for cases
//! the run did not include are left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::report::{Case, Report, Status};

/// One known failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The case id, e.g. `link/12`.
    pub case: String,
    /// How it fails (see the module documentation).
    pub failure: String,
    /// Why, for people; required.
    pub reason: String,
}

/// The file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectedFailures {
    /// The entries, sorted by case id when written.
    pub expected_failures: Vec<Entry>,
}

/// How a failed case failed, from what it got.
pub fn failure_kind(case: &Case) -> String {
    match &case.got {
        None => "no-response".into(),
        Some(g) => {
            if let Some(code) = g
                .get("error")
                .and_then(|e| e.get("code"))
                .and_then(Value::as_str)
            {
                format!("error:{code}")
            } else if g.get("ok").is_some() {
                "value".into()
            } else {
                "malformed".into()
            }
        }
    }
}

impl ExpectedFailures {
    /// Reads the file.
    ///
    /// # Errors
    ///
    /// When it cannot be read or parsed, an entry has an empty reason, or
    /// a case is listed twice.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let me: Self = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an expected-failures file: {e}", path.display()))?;
        let mut seen = BTreeSet::new();
        for e in &me.expected_failures {
            if e.reason.trim().is_empty() {
                return Err(format!("{}: {} has no reason", path.display(), e.case));
            }
            if !seen.insert(e.case.as_str()) {
                return Err(format!("{}: {} is listed twice", path.display(), e.case));
            }
        }
        Ok(me)
    }

    /// Writes the file, entries sorted by case id.
    ///
    /// # Errors
    ///
    /// When it cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let mut sorted = self.clone();
        sorted.expected_failures.sort_by_key(|e| natural(&e.case));
        let mut text = serde_json::to_string_pretty(&sorted).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Applies the file to a report (see the module documentation).
    pub fn apply(&self, report: &mut Report) {
        let by_case: BTreeMap<&str, &Entry> = self
            .expected_failures
            .iter()
            .map(|e| (e.case.as_str(), e))
            .collect();
        for run in &mut report.runs {
            for suite in &mut run.suites {
                for case in &mut suite.cases {
                    let Some(entry) = by_case.get(case.id.as_str()) else {
                        continue;
                    };
                    match case.status {
                        Status::Fail => {
                            let kind = failure_kind(case);
                            if kind == entry.failure {
                                case.status = Status::ExpectedFailure;
                                case.message =
                                    format!("known gap ({}): {}", entry.reason, case.message);
                            } else {
                                case.message = format!(
                                    "listed as an expected failure ({}) but fails as {kind}: {}",
                                    entry.failure, case.message
                                );
                            }
                        }
                        Status::Pass | Status::Warn => {
                            case.status = Status::Fail;
                            case.message = format!(
                                "listed as an expected failure ({}: {}) but passes now: remove it from the expected-failures file",
                                entry.failure, entry.reason
                            );
                        }
                        Status::Skip | Status::ExpectedFailure => {}
                    }
                }
            }
        }
    }

    /// The file that matches a report: every failed case listed with how it
    /// fails (reasons kept from `self` where the case was listed, else the
    /// failure's message), entries of cases the report does not have kept.
    pub fn updated(&self, report: &Report) -> Self {
        let old: BTreeMap<&str, &Entry> = self
            .expected_failures
            .iter()
            .map(|e| (e.case.as_str(), e))
            .collect();
        let mut present = BTreeSet::new();
        let mut out = Vec::new();
        for run in &report.runs {
            for (_, case) in run.cases() {
                present.insert(case.id.clone());
                if case.status != Status::Fail {
                    continue;
                }
                let reason = old
                    .get(case.id.as_str())
                    .map_or_else(|| case.message.clone(), |e| e.reason.clone());
                out.push(Entry {
                    case: case.id.clone(),
                    failure: failure_kind(case),
                    reason: if reason.trim().is_empty() {
                        "(no reason given)".into()
                    } else {
                        reason
                    },
                });
            }
        }
        for e in &self.expected_failures {
            if !present.contains(&e.case) {
                out.push(e.clone());
            }
        }
        Self {
            expected_failures: out,
        }
    }
}

/// Sort key that puts `link/9` before `link/10`.
fn natural(id: &str) -> (String, u64, String) {
    match id.rsplit_once('/') {
        Some((a, b)) => match b.parse::<u64>() {
            Ok(n) => (a.to_owned(), n, String::new()),
            Err(_) => (a.to_owned(), u64::MAX, b.to_owned()),
        },
        None => (id.to_owned(), u64::MAX, String::new()),
    }
}
