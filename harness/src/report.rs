//! The report model every part of the harness fills in and every renderer
//! reads: a [`Report`] holds [`Run`]s (one per part of a check: the vector
//! suites against one implementation, later client scenarios or a relay
//! suite), each run holds [`Suite`]s, each suite holds [`Case`]s.
//!
//! A case has a string id (`link/12` for vector cases), the requirement IDs
//! it checks, a [`Status`], optionally the expected and the received value
//! (as JSON), and a message for people. The renderers are in
//! [`summary`] (text for a terminal), [`json`] (the stable machine format),
//! [`junit`] (JUnit XML for CI systems) and [`html`] (a self-contained page).

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod html;
pub mod json;
pub mod junit;
pub mod summary;

/// The outcome of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The implementation did what the case requires.
    Pass,
    /// It did not; the run fails.
    Fail,
    /// Not checked: the implementation does not support the operation or
    /// profile, or the case was filtered out of a part that reports it.
    /// Never counted as a pass.
    Skip,
    /// It failed as an expected-failures file says it does (a known gap).
    ExpectedFailure,
    /// A SHOULD-level check did not hold; reported, does not fail the run.
    Warn,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Skip,
        Status::ExpectedFailure,
        Status::Warn,
    ];

    /// The name used in every format: `pass`, `fail`, `skip`,
    /// `expected-failure`, `warn`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::ExpectedFailure => "expected-failure",
            Status::Warn => "warn",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One checked case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Unique within the run, e.g. `link/12`.
    pub id: String,
    /// The requirement IDs the case checks.
    pub requirements: Vec<String>,
    /// The outcome.
    pub status: Status,
    /// What conformance requires (absent when there is nothing to show).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// What the implementation gave (absent when it gave nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub got: Option<Value>,
    /// Why, for people: empty on a plain pass.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// The adapter operation the case ran (vector cases: the group's
    /// `operation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The profile the case ran under (`v1`, `v2` or `any`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// What the case is about, for people (vector cases: the `comment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Case {
    /// A case with `status` and nothing else filled in.
    pub fn new(id: impl Into<String>, requirements: Vec<String>, status: Status) -> Self {
        Self {
            id: id.into(),
            requirements,
            status,
            expected: None,
            got: None,
            message: String::new(),
            operation: None,
            profile: None,
            comment: None,
        }
    }

    /// How the case is named in one-line messages: its id, then operation,
    /// profile and comment when known, e.g.
    /// `masks/67 (aggregate, v1: "three responses")`.
    pub fn title(&self) -> String {
        let mut what = Vec::new();
        if let Some(o) = &self.operation {
            what.push(o.clone());
        }
        if let Some(p) = &self.profile {
            what.push(p.clone());
        }
        let mut head = what.join(", ");
        if let Some(c) = self.comment.as_deref().filter(|c| !c.is_empty()) {
            if head.is_empty() {
                head = format!("{c:?}");
            } else {
                head = format!("{head}: {c:?}");
            }
        }
        if head.is_empty() {
            self.id.clone()
        } else {
            format!("{} ({head})", self.id)
        }
    }
}

/// Counts of cases by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// All cases.
    pub total: usize,
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Skipped.
    pub skip: usize,
    /// Failed as expected.
    pub expected_failure: usize,
    /// SHOULD-level warnings.
    pub warn: usize,
}

impl Totals {
    /// Counts one case.
    pub fn add(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Skip => self.skip += 1,
            Status::ExpectedFailure => self.expected_failure += 1,
            Status::Warn => self.warn += 1,
        }
    }

    /// Adds other totals.
    pub fn merge(&mut self, other: &Totals) {
        self.total += other.total;
        self.pass += other.pass;
        self.fail += other.fail;
        self.skip += other.skip;
        self.expected_failure += other.expected_failure;
        self.warn += other.warn;
    }

    /// The count of one status.
    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Skip => self.skip,
            Status::ExpectedFailure => self.expected_failure,
            Status::Warn => self.warn,
        }
    }
}

/// A named group of cases (a vector suite, a scenario family).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Suite {
    /// The suite's name, e.g. `link`.
    pub name: String,
    /// Its cases, in the order they ran.
    pub cases: Vec<Case>,
    /// Wall-clock time the suite took, in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
}

impl Suite {
    /// An empty suite.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            cases: Vec::new(),
            duration_ms: 0,
        }
    }

    /// Counts by status.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for c in &self.cases {
            t.add(c.status);
        }
        t
    }
}

/// One part of a check against one subject: its suites and what happened
/// around them (adapter restarts, standard error, setup failures).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The part, e.g. `vectors` or `coverage`.
    pub name: String,
    /// What was checked, e.g. `openslots-reference 0.1.0 (in process)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The suites.
    pub suites: Vec<Suite>,
    /// Events of the run that belong to no one case, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A failure of the run itself (the subject could not be started, its
    /// handshake failed, an input could not be read). A run with an error
    /// fails even when no case failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wall-clock time the run took, in milliseconds.
    #[serde(default)]
    pub duration_ms: u64,
}

impl Run {
    /// An empty run.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Counts by status over all suites.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for s in &self.suites {
            t.merge(&s.totals());
        }
        t
    }

    /// Whether the run passed: no failed case and no run error.
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.totals().fail == 0
    }

    /// Every case with its suite.
    pub fn cases(&self) -> impl Iterator<Item = (&Suite, &Case)> {
        self.suites
            .iter()
            .flat_map(|s| s.cases.iter().map(move |c| (s, c)))
    }
}

/// Everything one invocation of the harness checked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The tool and its version, e.g. `openslots-harness 0.1.0`.
    pub tool: String,
    /// The runs, in order.
    pub runs: Vec<Run>,
}

impl Report {
    /// An empty report from this tool.
    pub fn new() -> Self {
        Self {
            tool: concat!("openslots-harness ", env!("CARGO_PKG_VERSION")).to_owned(),
            runs: Vec::new(),
        }
    }

    /// Counts by status over all runs.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for r in &self.runs {
            t.merge(&r.totals());
        }
        t
    }

    /// Whether every run passed. The exit status follows it.
    pub fn ok(&self) -> bool {
        self.runs.iter().all(Run::ok)
    }
}

/// A JSON value on one line, for text renderers.
pub(crate) fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}
