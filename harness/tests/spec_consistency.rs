//! The spec, the reference and the error vocabulary agree: every requirement
//! ID the code names is defined in the spec, every error code is in the
//! spec's table, and every requirement that data can test is named by at
//! least one check or test of the reference.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use openslots_adapter::reference::ErrorCode;
use openslots_harness::requirements::{self, Testability};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec_text() -> String {
    std::fs::read_to_string(root().join("spec/openslots.md")).unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// IDs named in the reference crate's sources and tests.
fn ids_named_by_reference() -> BTreeSet<String> {
    ids_named_in(&["reference"])
}

/// IDs named in the Rust sources under these directories.
fn ids_named_in(dirs: &[&str]) -> BTreeSet<String> {
    let mut files = Vec::new();
    for d in dirs {
        rust_files(&root().join(d), &mut files);
    }
    files
        .iter()
        .flat_map(|f| requirements::mentioned_ids(&std::fs::read_to_string(f).unwrap()))
        .collect()
}

#[test]
fn spec_requirements_parse() {
    let reqs = requirements::parse(&spec_text()).unwrap();
    assert!(reqs.len() >= 80, "only {} requirements", reqs.len());
    for r in &reqs {
        assert!(!r.text.is_empty(), "{} has no text", r.id);
    }
}

#[test]
fn every_id_the_reference_names_is_defined() {
    let mut defined: BTreeSet<String> = requirements::parse(&spec_text())
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    // The adapter protocol defines its own IDs, each in bold where it is stated.
    let protocol = std::fs::read_to_string(root().join("spec/adapter-protocol.md")).unwrap();
    defined.extend(
        requirements::mentioned_ids(&protocol)
            .into_iter()
            .filter(|id| protocol.contains(&format!("**{id}**"))),
    );
    // The reference, the harness (its findings name the requirement they
    // enforce), the mock relay and the vector generator.
    let unknown: Vec<String> = ids_named_in(&["reference", "harness", "mock-relay", "vectors"])
        .into_iter()
        .filter(|id| !defined.contains(id))
        // Made-up IDs in the tests of the requirement parser itself.
        .filter(|id| !["OS-A-1", "OS-MASK-12"].contains(&id.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "the sources name IDs the spec does not define: {unknown:?}"
    );
}

#[test]
fn every_id_the_spec_mentions_is_defined() {
    let text = spec_text();
    let defined: BTreeSet<String> = requirements::parse(&text)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    // Areas reserved for later sections are mentioned but not yet defined.
    let reserved = ["OS-WRAP-"];
    let unknown: BTreeSet<String> = requirements::mentioned_ids(&text)
        .into_iter()
        .filter(|id| !defined.contains(id) && !reserved.iter().any(|r| id.starts_with(r)))
        .collect();
    assert!(
        unknown.is_empty(),
        "the spec mentions undefined IDs: {unknown:?}"
    );
}

#[test]
fn every_error_code_is_in_the_spec_table() {
    let text = spec_text();
    let start = text.find("## 15. Error codes").expect("spec has §15");
    let end = start + text[start..].find("\n## 16.").expect("§15 ends");
    let table = &text[start..end];
    let missing: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !table.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "error codes missing from spec §15: {missing:?}"
    );
}

#[test]
fn every_testable_requirement_is_named_by_the_reference() {
    let named = ids_named_by_reference();
    let unnamed: Vec<String> = requirements::parse(&spec_text())
        .unwrap()
        .into_iter()
        .filter(|r| r.testability == Testability::Vectors && !named.contains(&r.id))
        .map(|r| r.id)
        .collect();
    assert!(
        unnamed.is_empty(),
        "requirements that data can test but no check or test of the reference names: {unnamed:?}"
    );
}

#[test]
fn traceability_has_no_gap() {
    let reqs = requirements::parse(&spec_text()).unwrap();
    let rows = openslots_harness::coverage::compute(&reqs, &root()).unwrap();
    let gaps: Vec<String> = rows
        .iter()
        .filter_map(|r| r.gap().map(|g| format!("{}: {g}", r.requirement.id)))
        .collect();
    assert!(gaps.is_empty(), "uncovered requirements: {gaps:#?}");
    assert!(
        openslots_harness::coverage::unknown_ids(&reqs)
            .unwrap()
            .is_empty()
    );
    assert!(openslots_harness::coverage::unknown_relay_check_ids(&reqs).is_empty());
}

/// Every requirement of class `relay` is tested by the relay suite, and
/// every relay suite check's level is the level of its requirement.
#[test]
fn relay_requirements_and_checks_agree() {
    use openslots_harness::relay::{CHECKS, Level};
    let reqs = requirements::parse(&spec_text()).unwrap();
    let relay: Vec<_> = reqs
        .iter()
        .filter(|r| r.classes.iter().any(|c| c == "relay"))
        .collect();
    assert!(relay.len() >= 10, "only {} relay requirements", relay.len());
    for r in &relay {
        assert_eq!(r.area, "RELAY", "{}", r.id);
        assert_eq!(r.testability, Testability::RelaySuite, "{}", r.id);
        let checks: Vec<_> = CHECKS.iter().filter(|c| c.requirement == r.id).collect();
        assert!(!checks.is_empty(), "{} has no relay suite check", r.id);
        let level = match r.level.as_str() {
            "MUST" | "MUST NOT" => Level::Must,
            "SHOULD" | "SHOULD NOT" => Level::Should,
            other => panic!("{}: level {other}", r.id),
        };
        for c in checks {
            assert_eq!(
                c.level, level,
                "{} is {} but {} says {level}",
                c.id, c.level, r.id
            );
        }
    }
}

/// Appendix A lists every requirement once, with the class, profiles and
/// test method its definition gives.
#[test]
fn appendix_a_matches_the_definitions() {
    let text = spec_text();
    let start = text.find("## Appendix A.").unwrap();
    let end = start + text[start..].find("\n## Appendix B.").unwrap();
    let rows: Vec<Vec<String>> = text[start..end]
        .lines()
        .filter(|l| l.starts_with("| OS-"))
        .map(|l| {
            l.split(" | ")
                .map(|c| c.trim_matches(['|', ' ']).to_owned())
                .collect()
        })
        .collect();
    let reqs = requirements::parse(&text).unwrap();
    assert_eq!(rows.len(), reqs.len(), "Appendix A has {} rows", rows.len());
    for (row, r) in rows.iter().zip(&reqs) {
        assert_eq!(row[0], r.id);
        assert_eq!(row[2], r.classes.join(", "), "{}", r.id);
        assert_eq!(row[3], r.profiles.join(", "), "{}", r.id);
        let method = match &r.testability {
            Testability::Review(_) => "review".to_owned(),
            t => t.to_string(),
        };
        assert_eq!(row[4], method, "{}", r.id);
    }
}
