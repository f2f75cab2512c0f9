//! Disagreements as vector cases: each [`Finding`] becomes a file in the
//! suite's envelope (`vectors/README.md`) holding one case with a
//! `comment`, the flag `Fuzz`, the requirement IDs and `source: "fuzz"`,
//! valid by the suite's schema, ready to attach to a bug report or to add
//! to the vectors after review.

use std::path::{Path, PathBuf};

use openslots_vectors::Verdict;
use serde_json::{Map, Value, json};

use super::Finding;

/// The flag every fuzz-found case carries.
pub const FLAG: &str = "Fuzz";

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Valid => "valid",
        Verdict::Invalid => "invalid",
        Verdict::Acceptable => "acceptable",
    }
}

/// The suite file's `specVersion`.
fn spec_version(suite: &str) -> String {
    openslots_vectors::FILES
        .iter()
        .find_map(|(_, text)| {
            let v: Value = serde_json::from_str(text).ok()?;
            (v.get("suite")? == suite).then(|| v.get("specVersion")?.as_str().map(str::to_owned))?
        })
        .unwrap_or_default()
}

/// The vector file of one finding.
pub fn vector_file(f: &Finding, seed: u64, subject: &str) -> Value {
    let c = &f.case;
    let mut test = Map::new();
    test.insert("tcId".into(), json!(1));
    test.insert(
        "comment".into(),
        json!(format!(
            "fuzz (seed {seed}) against {subject}: {}{}",
            f.judged.message,
            f.origin
                .as_ref()
                .map(|o| format!("; mutated from {o}"))
                .unwrap_or_default()
        )),
    );
    test.insert("flags".into(), json!([FLAG]));
    test.insert("requirements".into(), json!(c.requirements));
    test.insert("input".into(), c.input.clone());
    if let Some(e) = &c.expected {
        test.insert("expected".into(), e.clone());
    }
    if let Some(e) = &c.error {
        test.insert("error".into(), json!(e));
    }
    test.insert("result".into(), json!(verdict(c.result)));
    test.insert("source".into(), json!("fuzz"));
    json!({
        "suite": f.suite,
        "specVersion": spec_version(&f.suite),
        "schema": format!("spec/schemas/vectors-{}.schema.json", f.suite),
        "generator": format!("openslots-harness fuzz {}", env!("CARGO_PKG_VERSION")),
        "numberOfTests": 1,
        "notes": {
            FLAG: "Found by openslots-harness fuzz as a disagreement with the reference, minimised by proptest; the expectation is the reference's answer, to be confirmed independently before the case joins the vectors."
        },
        "testGroups": [{
            "profile": c.profile,
            "operation": c.op,
            "tests": [Value::Object(test)],
        }],
    })
}

/// Writes every finding under `dir` as
/// `<suite>-<operation>-<profile>-<seed>-<n>.json`; returns the paths.
///
/// # Errors
///
/// When the directory or a file cannot be written.
pub fn write_all(
    dir: &Path,
    findings: &[Finding],
    seed: u64,
    subject: &str,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let path = dir.join(format!(
            "{}-{}-{}-{seed}-{}.json",
            f.suite,
            f.case.op,
            f.case.profile,
            i + 1
        ));
        let text = serde_json::to_string_pretty(&vector_file(f, seed, subject))
            .map_err(|e| e.to_string())?;
        std::fs::write(&path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        out.push(path);
    }
    Ok(out)
}
