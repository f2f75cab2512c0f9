//! Traceability (spec §20): for every requirement, the vectors and tests that
//! cover it.
//!
//! A requirement that data can test (`vectors`) must have at least one vector
//! case; one whose text names an error code can fail, so it must have at
//! least one valid and one invalid (or acceptable) case. A requirement
//! tested by the relay suite must have at least one check in
//! [`crate::relay::CHECKS`]. Requirements tested by scenarios or by review
//! are listed with their reason and the tests that name them.

use std::collections::BTreeMap;
use std::path::Path;

use openslots_vectors::{VectorFile, Verdict};

use crate::requirements::{Requirement, Testability};

/// A vector case that names a requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRef {
    /// The suite.
    pub suite: String,
    /// The case id within the suite.
    pub tc_id: u32,
    /// What the case expects.
    pub result: Verdict,
}

/// What covers one requirement.
#[derive(Clone, Debug)]
pub struct Coverage {
    /// The requirement.
    pub requirement: Requirement,
    /// Vector cases naming it.
    pub cases: Vec<CaseRef>,
    /// Test files (relative paths) naming it.
    pub tests: Vec<String>,
    /// Checks of the relay suite that enforce it.
    pub relay_checks: Vec<&'static str>,
    /// Whether its text names an error code, so that it can fail.
    pub can_fail: bool,
}

impl Coverage {
    /// Valid cases naming the requirement.
    pub fn valid(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.result == Verdict::Valid)
            .count()
    }

    /// Invalid or acceptable cases naming the requirement.
    pub fn invalid(&self) -> usize {
        self.cases.len() - self.valid()
    }

    /// Why the coverage falls short, if it does.
    pub fn gap(&self) -> Option<String> {
        if self.requirement.testability == Testability::RelaySuite && self.relay_checks.is_empty() {
            return Some("no relay suite check".into());
        }
        if self.requirement.testability != Testability::Vectors {
            return None;
        }
        if self.cases.is_empty() {
            return Some("no vector case".into());
        }
        if self.can_fail && self.valid() == 0 {
            return Some("no valid case".into());
        }
        if self.can_fail && self.invalid() == 0 {
            return Some("no invalid case".into());
        }
        None
    }
}

/// Why coverage could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    /// A vector file does not parse.
    #[error("{0}")]
    Vectors(#[from] openslots_vectors::ParseError),
    /// A test file could not be read.
    #[error("cannot read {0}: {1}")]
    Io(String, String),
}

type AnyFile = VectorFile<serde_json::Value, serde_json::Value, serde_json::Value>;

/// Every vector case, as (requirement, case).
pub fn vector_cases() -> Result<Vec<(String, CaseRef)>, CoverageError> {
    let mut out = Vec::new();
    for (name, text) in openslots_vectors::FILES {
        let file: AnyFile =
            serde_json::from_str(text).map_err(|e| openslots_vectors::ParseError {
                file: name,
                message: e.to_string(),
            })?;
        for (_, _, case) in file.cases() {
            for r in &case.requirements {
                out.push((
                    r.clone(),
                    CaseRef {
                        suite: file.suite.clone(),
                        tc_id: case.tc_id,
                        result: case.result,
                    },
                ));
            }
        }
    }
    Ok(out)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), CoverageError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CoverageError::Io(dir.display().to_string(), e.to_string()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Computes coverage of `requirements` by the vectors and by the test files
/// under `root`'s `reference/tests`, `harness/tests` and `vectors/gen/tests`.
pub fn compute(requirements: &[Requirement], root: &Path) -> Result<Vec<Coverage>, CoverageError> {
    let mut by_req: BTreeMap<String, Vec<CaseRef>> = BTreeMap::new();
    for (r, c) in vector_cases()? {
        by_req.entry(r).or_default().push(c);
    }
    let mut files = Vec::new();
    for sub in ["reference/tests", "harness/tests", "vectors/gen/tests"] {
        let dir = root.join(sub);
        if dir.is_dir() {
            rust_files(&dir, &mut files)?;
        }
    }
    let mut tests_by_req: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(&f)
            .map_err(|e| CoverageError::Io(f.display().to_string(), e.to_string()))?;
        let rel = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        // IDs appear in test names in lower case with underscores, e.g. os_link_3.
        for r in requirements {
            let snake = r.id.to_lowercase().replace('-', "_");
            if text.contains(&r.id) || text.contains(&format!("{snake}_")) {
                tests_by_req
                    .entry(r.id.clone())
                    .or_default()
                    .push(rel.clone());
            }
        }
    }
    Ok(requirements
        .iter()
        .map(|r| Coverage {
            can_fail: openslots_oracle::code::ALL
                .iter()
                .any(|c| r.text.contains(&format!("`{c}`"))),
            cases: by_req.remove(&r.id).unwrap_or_default(),
            tests: tests_by_req.remove(&r.id).unwrap_or_default(),
            relay_checks: crate::relay::CHECKS
                .iter()
                .filter(|c| c.requirement == r.id)
                .map(|c| c.id)
                .collect(),
            requirement: r.clone(),
        })
        .collect())
}

/// Requirements that relay suite checks name but the spec does not define.
pub fn unknown_relay_check_ids(requirements: &[Requirement]) -> Vec<&'static str> {
    crate::relay::CHECKS
        .iter()
        .map(|c| c.requirement)
        .filter(|id| !requirements.iter().any(|r| r.id == *id))
        .collect()
}

/// IDs that vector cases name but the spec does not define.
pub fn unknown_ids(requirements: &[Requirement]) -> Result<Vec<String>, CoverageError> {
    let known: std::collections::BTreeSet<&str> =
        requirements.iter().map(|r| r.id.as_str()).collect();
    let mut unknown: Vec<String> = vector_cases()?
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| !known.contains(r.as_str()))
        .collect();
    unknown.sort();
    unknown.dedup();
    Ok(unknown)
}

/// Coverage as a check of `run`: one case per requirement (its ID as case
/// id). A requirement that vectors test passes when its cases suffice and
/// fails with the gap otherwise; one tested by scenarios or review is
/// skipped here, with the reason, since data cannot check it.
pub fn check(spec: &Path) -> crate::report::Run {
    use crate::report::{Case, Run, Status, Suite};
    let started = std::time::Instant::now();
    let mut run = Run::new("coverage");
    run.subject = Some(format!("{} and vectors/", spec.display()));
    let reqs = match crate::requirements::load(spec) {
        Ok(r) => r,
        Err(e) => {
            run.error = Some(e.to_string());
            return run;
        }
    };
    let root = spec
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    let rows = match compute(&reqs, root) {
        Ok(r) => r,
        Err(e) => {
            run.error = Some(e.to_string());
            return run;
        }
    };
    let mut suite = Suite::new("requirements");
    for row in rows {
        let id = row.requirement.id.clone();
        let mut case = Case::new(id.clone(), vec![id], Status::Pass);
        match (&row.requirement.testability, row.gap()) {
            (_, Some(gap)) => {
                case.status = Status::Fail;
                case.message = gap;
            }
            (Testability::Vectors, None) => {
                case.message = format!(
                    "{} valid and {} invalid or acceptable vector cases",
                    row.valid(),
                    row.invalid()
                );
            }
            (Testability::RelaySuite, None) => {
                case.message = format!("relay suite checks: {}", row.relay_checks.join(", "));
            }
            (other, None) => {
                case.status = Status::Skip;
                case.message = format!("not checked by data: {other}");
            }
        }
        suite.cases.push(case);
    }
    match unknown_ids(&reqs) {
        Ok(unknown) if !unknown.is_empty() => {
            run.error = Some(format!(
                "vector cases name requirements the spec does not define: {}",
                unknown.join(", ")
            ));
        }
        Ok(_) => {}
        Err(e) => run.error = Some(e.to_string()),
    }
    run.suites.push(suite);
    run.duration_ms = started.elapsed().as_millis() as u64;
    run
}
