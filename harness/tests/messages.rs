//! The harness tells exactly what failed (spec/adapter-protocol.md §5):
//! the reference adapter broken in one way at a time, and each failing
//! case's report names the operation, the profile, the vector's comment and
//! the path of the difference, in the JSON report and in the text summary;
//! crashes carry the exit status and the case the adapter was answering;
//! skipped operations, unchecked SHOULDs, unknown profiles and differing
//! intermediates are said in notes; `--no-skip` fails a run with a skip.
//! What is expected is read from the vector files here directly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const HARNESS: &str = env!("CARGO_BIN_EXE_openslots-harness");
const BROKEN: &str = env!("CARGO_BIN_EXE_openslots-broken-adapter");

/// Every case of a suite as (id, operation, profile, case).
fn cases(suite: &str) -> Vec<(String, String, String, Value)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../vectors/{suite}.json"));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for g in file["testGroups"].as_array().unwrap() {
        for t in g["tests"].as_array().unwrap() {
            out.push((
                format!("{suite}/{}", t["tcId"]),
                g["operation"].as_str().unwrap().to_owned(),
                g["profile"].as_str().unwrap().to_owned(),
                t.clone(),
            ));
        }
    }
    out
}

struct Outcome {
    code: i32,
    stdout: String,
}

fn harness(broken: &str, args: &[&str]) -> Outcome {
    let cmd = format!("{BROKEN} {broken}");
    let mut all = vec!["vectors", "--adapter", cmd.as_str()];
    all.extend_from_slice(args);
    let out = Command::new(HARNESS).args(&all).output().unwrap();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
    }
}

fn json_report(broken: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let o = harness(broken, &all);
    (o.code, serde_json::from_str(&o.stdout).unwrap())
}

fn all_cases(report: &Value) -> Vec<Value> {
    report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["suites"].as_array().unwrap().clone())
        .flat_map(|s| s["cases"].as_array().unwrap().clone())
        .collect()
}

fn notes(report: &Value) -> String {
    report["runs"][0]["notes"].to_string()
}

#[test]
fn a_missing_nested_member_is_named_by_path_with_operation_profile_and_comment() {
    let args = ["--suite", "resolution"];
    let (code, report) = json_report("--op resolve remove /participants/0/eventId", &args);
    assert_eq!(code, 1);
    let want: Vec<(String, String, String, Value)> = cases("resolution")
        .into_iter()
        .filter(|(_, _, _, t)| {
            t["expected"]["participants"]
                .as_array()
                .is_some_and(|p| !p.is_empty())
        })
        .collect();
    assert!(!want.is_empty());
    let all = all_cases(&report);
    for (id, op, profile, t) in &want {
        let c = all.iter().find(|c| c["id"] == *id).unwrap();
        assert_eq!(c["status"], "fail", "{c}");
        assert_eq!(c["operation"], *op);
        assert_eq!(c["profile"], *profile);
        assert_eq!(c["comment"], t["comment"]);
        let msg = c["message"].as_str().unwrap();
        assert!(
            msg.starts_with("the value differs: participants[0].eventId missing (expected \""),
            "{msg}"
        );
    }
    // The text summary names them the same way, one line per case.
    let text = harness(
        "--op resolve remove /participants/0/eventId",
        &["--suite", "resolution"],
    );
    assert_eq!(text.code, 1);
    for (id, op, profile, t) in &want {
        let head = format!(
            "FAIL {id} ({op}, {profile}: {:?})",
            t["comment"].as_str().unwrap()
        );
        let line = text
            .stdout
            .lines()
            .find(|l| l.starts_with(&head))
            .unwrap_or_else(|| panic!("no line {head}\n{}", text.stdout));
        assert!(line.contains("participants[0].eventId missing"), "{line}");
    }
}

#[test]
fn a_wrong_value_inside_an_array_names_its_index_and_both_values() {
    let (code, report) = json_report(
        "--op resolve remove /counts/0",
        &["--suite", "resolution", "--suite", "lww"],
    );
    assert_eq!(code, 1);
    let all = all_cases(&report);
    let failed: Vec<&Value> = all.iter().filter(|c| c["status"] == "fail").collect();
    assert!(!failed.is_empty());
    for c in failed {
        let msg = c["message"].as_str().unwrap();
        assert!(msg.contains("counts: expected "), "{msg}");
        assert!(msg.contains(" items, got "), "{msg}");
        assert_eq!(c["operation"], "resolve");
    }
}

#[test]
fn a_crash_line_carries_the_exit_status_and_the_request_its_case() {
    let (_, _, _, t) = cases("link")
        .into_iter()
        .find(|(id, ..)| id == "link/5")
        .unwrap();
    let input = serde_json::to_string(&t["input"]).unwrap();
    let (code, report) = json_report(
        &format!("--op parse_link --match-input '{input}' crash"),
        &["--suite", "link"],
    );
    assert_eq!(code, 1);
    let all = all_cases(&report);
    let c = all.iter().find(|c| c["id"] == "link/5").unwrap();
    let msg = c["message"].as_str().unwrap();
    assert!(msg.contains("exit status: 3"), "{msg}");
    // The request carried its case id, which the adapter wrote to stderr.
    assert!(msg.contains("crashing as asked on case link/5"), "{msg}");
    assert_eq!(c["operation"], "parse_link");
    assert_eq!(c["profile"], "v1");
}

#[test]
fn a_skipped_operation_is_said_plainly_and_fails_under_no_skip() {
    let (code, report) = json_report("--op rebase drop-op", &["--suite", "masks"]);
    assert_eq!(code, 0, "a skip alone does not fail a run");
    let n = notes(&report);
    assert!(n.contains("operation rebase was skipped entirely"), "{n}");
    let (code, _) = json_report("--op rebase drop-op", &["--suite", "masks", "--no-skip"]);
    assert_eq!(code, 1, "--no-skip fails a run with a skipped case");
    let (code, _) = json_report("none", &["--suite", "masks", "--no-skip"]);
    assert_eq!(code, 0, "--no-skip passes a run without skips");
}

#[test]
fn an_unchecked_should_an_unknown_profile_and_a_differing_intermediate_are_noted() {
    let (code, report) = json_report("--op resolve remove /superseded", &["--suite", "lww"]);
    assert_eq!(code, 0);
    let n = notes(&report);
    assert!(n.contains("OS-ADAPTER-11 SHOULD went unchecked"), "{n}");

    let (code, report) = json_report("extra-profile v9", &["--suite", "expiry"]);
    assert_eq!(code, 0);
    let n = notes(&report);
    assert!(
        n.contains("warning: the handshake names profiles the protocol does not define: v9"),
        "{n}"
    );

    let (code, report) = json_report(
        r#"--op derive_keys intermediate '{"prk":"00"}'"#,
        &["--suite", "derivation"],
    );
    assert_eq!(code, 0, "intermediates are notes, not failures");
    let n = notes(&report);
    assert!(n.contains("derivation/1 (derive_keys, v1: "), "{n}");
    assert!(n.contains("intermediate.prk: expected \\\""), "{n}");
}

#[test]
fn warnings_show_their_values_in_text() {
    let text = harness("--op resolve clear-superseded", &["--suite", "lww"]);
    assert_eq!(text.code, 0);
    let lines: Vec<&str> = text.stdout.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with("WARN lww/"))
        .unwrap_or_else(|| panic!("{}", text.stdout));
    assert!(lines[i].contains("(resolve, v"), "{}", lines[i]);
    assert!(
        lines[i].contains("superseded differs (superseded"),
        "{}",
        lines[i]
    );
    assert!(lines[i + 1].trim_start().starts_with("expected: "));
    assert!(lines[i + 2].trim_start().starts_with("got: "));
}
