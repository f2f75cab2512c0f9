//! The harness bites: the reference adapter broken in one way at a time
//! (a flipped byte, a wrong error code, an error where a value is due, a
//! crash, a hang, malformed JSON, a bad handshake, an operation left out or
//! answered `unsupported`) is reported exactly: which cases fail and why,
//! crashes and hangs with the adapter's standard error and a restart, and
//! the run still finishes. The expected failures are computed from the
//! vector files read here directly, not from the harness.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

const HARNESS: &str = env!("CARGO_BIN_EXE_openslots-harness");
const BROKEN: &str = env!("CARGO_BIN_EXE_openslots-broken-adapter");

fn vectors(suite: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../vectors/{suite}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every case of a suite as (id, operation, profile, case).
fn cases(suite: &str) -> Vec<(String, String, String, Value)> {
    let file = vectors(suite);
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

fn total_cases() -> usize {
    [
        "link",
        "derivation",
        "blinding",
        "encryption",
        "payloads",
        "grid",
        "masks",
        "events",
        "expiry",
        "lww",
        "resolution",
        "booking",
        "wrap",
    ]
    .iter()
    .map(|s| cases(s).len())
    .sum()
}

struct Outcome {
    code: i32,
    report: Value,
    elapsed: Duration,
}

fn harness(args: &[&str]) -> Outcome {
    let started = Instant::now();
    let out = Command::new(HARNESS).args(args).output().unwrap();
    let elapsed = started.elapsed();
    let text = String::from_utf8(out.stdout).unwrap();
    let report = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Outcome {
        code: out.status.code().unwrap_or(-1),
        report,
        elapsed,
    }
}

fn broken(extra: &str, args: &[&str]) -> Outcome {
    let cmd = format!("{BROKEN} {extra}");
    let mut all = vec!["vectors", "--adapter", cmd.as_str(), "--format", "json"];
    all.extend_from_slice(args);
    harness(&all)
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

fn with_status(report: &Value, status: &str) -> BTreeSet<String> {
    all_cases(report)
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn case<'a>(cases: &'a [Value], id: &str) -> &'a Value {
    cases.iter().find(|c| c["id"] == id).unwrap()
}

/// The JSON text of a case's input, as the broken adapter compares it.
fn input_of(suite: &str, id: &str) -> String {
    let (_, _, _, c) = cases(suite).into_iter().find(|(i, ..)| i == id).unwrap();
    serde_json::to_string(&c["input"]).unwrap()
}

#[test]
fn an_unbroken_adapter_passes_everything() {
    let o = broken("none", &[]);
    assert_eq!(o.code, 0, "{}", o.report);
    assert_eq!(o.report["ok"], true);
    assert_eq!(o.report["totals"]["pass"], total_cases());
    assert_eq!(o.report["totals"]["fail"], 0);
}

#[test]
fn a_flipped_byte_fails_exactly_the_cases_with_that_value() {
    let o = broken("--op derive_keys flip-byte kEnc", &[]);
    assert_eq!(o.code, 1);
    let want: BTreeSet<String> = cases("derivation")
        .into_iter()
        .filter(|(_, op, ..)| op == "derive_keys")
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(want.len(), 12);
    assert_eq!(with_status(&o.report, "fail"), want);
    let all = all_cases(&o.report);
    for id in &want {
        let c = case(&all, id);
        assert!(
            c["message"]
                .as_str()
                .unwrap()
                .starts_with("the value differs: kEnc: expected \""),
            "{}",
            c["message"]
        );
        assert!(!c["requirements"].as_array().unwrap().is_empty());
        let expected = c["expected"]["ok"]["kEnc"].as_str().unwrap();
        let got = c["got"]["ok"]["kEnc"].as_str().unwrap();
        assert_ne!(expected, got);
        assert_eq!(expected[..63], got[..63], "only the last byte differs");
    }
    assert_eq!(o.report["totals"]["pass"], total_cases() - want.len());
}

#[test]
fn a_wrong_error_code_fails_the_invalid_cases_with_another_code() {
    let o = broken("--op decrypt wrong-code cipher-mac", &[]);
    assert_eq!(o.code, 1);
    let want: BTreeSet<String> = cases("encryption")
        .into_iter()
        .filter(|(_, op, _, c)| {
            op == "decrypt" && c["result"] == "invalid" && c["error"] != "cipher-mac"
        })
        .map(|(id, ..)| id)
        .collect();
    assert!(want.len() >= 10, "{want:?}");
    assert_eq!(with_status(&o.report, "fail"), want);
    let all = all_cases(&o.report);
    for (id, _, _, c) in cases("encryption")
        .iter()
        .filter(|(id, ..)| want.contains(id))
    {
        let r = case(&all, id);
        let msg = r["message"].as_str().unwrap();
        assert!(
            msg.starts_with(&format!(
                "expected error {}, got error cipher-mac",
                c["error"].as_str().unwrap()
            )),
            "{msg}"
        );
        assert_eq!(r["got"]["error"]["code"], "cipher-mac");
        assert_eq!(r["expected"]["error"]["code"], c["error"]);
    }
}

#[test]
fn an_error_where_a_value_is_due_fails() {
    let o = broken("--op encrypt error-for-value", &[]);
    assert_eq!(o.code, 1);
    let want: BTreeSet<String> = cases("encryption")
        .into_iter()
        .filter(|(_, op, _, c)| op == "encrypt" && c["result"] == "valid")
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(want.len(), 14);
    assert_eq!(with_status(&o.report, "fail"), want);
    let all = all_cases(&o.report);
    for id in &want {
        let msg = case(&all, id)["message"].as_str().unwrap().to_owned();
        assert!(
            msg.starts_with("expected a value, got error cipher-plaintext-length"),
            "{msg}"
        );
    }
}

#[test]
fn a_crash_fails_one_case_with_stderr_and_the_adapter_restarts() {
    let input = input_of("link", "link/5");
    let o = broken(
        &format!("--op parse_link --match-input '{input}' crash"),
        &[],
    );
    assert_eq!(o.code, 1);
    assert_eq!(
        with_status(&o.report, "fail"),
        BTreeSet::from(["link/5".to_owned()])
    );
    let all = all_cases(&o.report);
    let msg = case(&all, "link/5")["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("closed its standard output"), "{msg}");
    assert!(msg.contains("broken adapter: crashing as asked"), "{msg}");
    let notes = o.report["runs"][0]["notes"].to_string();
    assert!(notes.contains("adapter restarted"), "{notes}");
    assert_eq!(o.report["totals"]["pass"], total_cases() - 1);
}

#[test]
fn a_hang_is_timed_out_killed_and_restarted() {
    // The expiry suite alone: under a 0.5 s limit a debug adapter on a
    // loaded machine can also miss the limit on wrap's LOG_N 16 case.
    let input = input_of("expiry", "expiry/3");
    let o = broken(
        &format!("--op get_expiration --match-input '{input}' hang"),
        &["--timeout", "0.5", "--suite", "expiry"],
    );
    assert_eq!(o.code, 1);
    assert_eq!(
        with_status(&o.report, "fail"),
        BTreeSet::from(["expiry/3".to_owned()])
    );
    let all = all_cases(&o.report);
    let msg = case(&all, "expiry/3")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(msg.contains("no answer within 0.5 s"), "{msg}");
    assert!(msg.contains("broken adapter: hanging as asked"), "{msg}");
    assert_eq!(o.report["totals"]["pass"], cases("expiry").len() - 1);
    // One time limit, then everything else: far below a second time limit per case.
    assert!(o.elapsed < Duration::from_secs(20), "{:?}", o.elapsed);
}

#[test]
fn a_hang_on_every_request_of_an_operation_is_bounded() {
    // The masks suite alone: under so short a timeout a debug build of the
    // adapter could also time out on the one memory-hard wrap case.
    let o = broken(
        "--op aggregate hang",
        &["--timeout", "0.3", "--suite", "masks"],
    );
    assert_eq!(o.code, 1);
    let want: BTreeSet<String> = cases("masks")
        .into_iter()
        .filter(|(_, op, ..)| op == "aggregate")
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(with_status(&o.report, "fail"), want);
    assert_eq!(
        o.report["totals"]["pass"],
        cases("masks").len() - want.len()
    );
    let all = all_cases(&o.report);
    let not_sent = want
        .iter()
        .filter(|id| {
            case(&all, id)["message"]
                .as_str()
                .unwrap()
                .contains("timed out 3 times in a row")
        })
        .count();
    assert_eq!(not_sent, want.len() - 3);
}

#[test]
fn a_hang_that_stops_reading_large_requests_cannot_block_the_harness() {
    // The encrypt cases carry plaintexts up to 65536 bytes: more than a pipe
    // holds, so writing ahead to an adapter that stopped reading would block.
    let o = broken(
        "--op encrypt hang",
        &["--timeout", "0.3", "--suite", "encryption"],
    );
    assert_eq!(o.code, 1);
    let want: BTreeSet<String> = cases("encryption")
        .into_iter()
        .filter(|(_, op, ..)| op == "encrypt")
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(with_status(&o.report, "fail"), want);
    assert_eq!(
        with_status(&o.report, "pass").len(),
        cases("encryption").len() - want.len()
    );
}

#[test]
fn malformed_json_is_a_clear_failure() {
    let input = input_of("grid", "grid/2");
    let o = broken(
        &format!("--op generate_grid --match-input '{input}' malformed"),
        &[],
    );
    assert_eq!(o.code, 1);
    assert_eq!(
        with_status(&o.report, "fail"),
        BTreeSet::from(["grid/2".to_owned()])
    );
    let all = all_cases(&o.report);
    let msg = case(&all, "grid/2")["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("not JSON"), "{msg}");
    assert!(msg.contains("this is not JSON"), "{msg}");
    assert_eq!(o.report["totals"]["pass"], total_cases() - 1);
}

#[test]
fn an_unsupported_protocol_ends_the_run_with_a_clear_error() {
    let o = broken("protocol 2", &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.report["ok"], false);
    let err = o.report["runs"][0]["error"].as_str().unwrap();
    assert!(err.contains("speaks protocol 2"), "{err}");
    assert_eq!(o.report["totals"]["pass"], 0);
}

#[test]
fn an_operation_left_out_of_the_handshake_is_skipped_not_passed() {
    let o = broken("--op rebase drop-op", &[]);
    assert_eq!(o.code, 0);
    let want: BTreeSet<String> = cases("masks")
        .into_iter()
        .filter(|(_, op, ..)| op == "rebase")
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(with_status(&o.report, "skip"), want);
    let all = all_cases(&o.report);
    for id in &want {
        assert_eq!(
            case(&all, id)["message"],
            "operation rebase is not in the adapter's handshake"
        );
    }
    assert_eq!(o.report["totals"]["pass"], total_cases() - want.len());
}

#[test]
fn an_unsupported_answer_is_skipped_not_passed() {
    let o = broken("--op choose_response unsupported", &[]);
    assert_eq!(o.code, 0);
    let want: BTreeSet<String> = cases("masks")
        .into_iter()
        .filter(|(_, op, ..)| op == "choose_response")
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(with_status(&o.report, "skip"), want);
    assert_eq!(
        case(&all_cases(&o.report), want.iter().next().unwrap())["message"],
        "unsupported: not implemented here"
    );
}

#[test]
fn a_should_level_difference_is_a_warning_not_a_failure() {
    let o = broken("--op resolve clear-superseded", &[]);
    assert_eq!(o.code, 0, "{}", o.report);
    let want: BTreeSet<String> = ["lww", "resolution"]
        .iter()
        .flat_map(|s| cases(s))
        .filter(|(.., c)| {
            c["intermediate"]["superseded"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
                && c["result"] == "valid"
        })
        .map(|(id, ..)| id)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(with_status(&o.report, "warn"), want);
    let all = all_cases(&o.report);
    let msg = case(&all, want.iter().next().unwrap())["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        msg.contains("superseded differs") && msg.contains("OS-ADAPTER-11"),
        "{msg}"
    );
    assert_eq!(o.report["totals"]["pass"], total_cases() - want.len());
}

/// A missing adapter program is a setup error: exit status 2 and a message
/// on standard error, not a failed conformance run (adapter protocol §5).
#[test]
fn an_adapter_that_cannot_start_is_an_error() {
    let out = Command::new(HARNESS)
        .args([
            "vectors",
            "--adapter",
            "/nonexistent/openslots-adapter",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot start the adapter"), "{err}");
}

fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn expected_failures_track_known_gaps_and_bite_when_they_change() {
    let flip = "--op derive_keys flip-byte kEnc";
    let derive: Vec<String> = cases("derivation")
        .into_iter()
        .filter(|(_, op, ..)| op == "derive_keys")
        .map(|(id, ..)| id)
        .collect();
    // Written by the flag: every failure, with how it fails.
    let file = temp("xfail.json");
    let f = file.to_str().unwrap();
    let o = broken(
        flip,
        &["--expected-failures", f, "--update-expected-failures"],
    );
    assert_eq!(o.code, 0, "{}", o.report);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entries = written["expectedFailures"].as_array().unwrap();
    assert_eq!(entries.len(), 12);
    for e in entries {
        assert!(derive.contains(&e["case"].as_str().unwrap().to_owned()));
        assert_eq!(e["failure"], "value");
        assert!(!e["reason"].as_str().unwrap().is_empty());
    }
    // Read back: the same failures are expected, the run passes.
    let o = broken(flip, &["--expected-failures", f]);
    assert_eq!(o.code, 0);
    assert_eq!(o.report["totals"]["expectedFailure"], 12);
    assert_eq!(o.report["totals"]["fail"], 0);
    // A listed case that passes now fails the run.
    let o = broken("none", &["--expected-failures", f]);
    assert_eq!(o.code, 1);
    assert_eq!(with_status(&o.report, "fail").len(), 12);
    let msg = case(&all_cases(&o.report), &derive[0])["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(msg.contains("passes now"), "{msg}");
    // A listed case that fails another way fails the run.
    let o = broken(
        "--op derive_keys error-for-value",
        &["--expected-failures", f],
    );
    assert_eq!(o.code, 1);
    let msg = case(&all_cases(&o.report), &derive[0])["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        msg.starts_with(
            "listed as an expected failure (value) but fails as error:cipher-plaintext-length"
        ),
        "{msg}"
    );
    // An entry without a reason is refused.
    let bad = temp("noreason.json");
    std::fs::write(
        &bad,
        r#"{"expectedFailures":[{"case":"link/1","failure":"value","reason":" "}]}"#,
    )
    .unwrap();
    let out = Command::new(HARNESS)
        .args(["vectors", "--expected-failures", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("link/1 has no reason"));
}

#[test]
fn filters_select_by_suite_case_and_requirement() {
    let o = harness(&["vectors", "--suite", "grid", "--format", "json"]);
    assert_eq!(o.code, 0);
    let ids: BTreeSet<String> = all_cases(&o.report)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let want: BTreeSet<String> = cases("grid").into_iter().map(|(id, ..)| id).collect();
    assert_eq!(ids, want);

    let o = harness(&[
        "vectors", "--case", "link/3", "--case", "masks/7", "--format", "json",
    ]);
    let ids: BTreeSet<String> = all_cases(&o.report)
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from(["link/3".to_owned(), "masks/7".to_owned()])
    );

    let o = harness(&["run", "--requirement", "OS-LINK-3", "--format", "json"]);
    assert_eq!(o.code, 0);
    let reported = all_cases(&o.report);
    let want = cases("link")
        .iter()
        .filter(|(.., c)| {
            c["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "OS-LINK-3")
        })
        .count();
    // The client scenarios that name it, once per profile they run in.
    let scenario_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/scenarios");
    let scenarios: usize = openslots_harness::scenario::model::load_dir(&scenario_dir)
        .unwrap()
        .iter()
        .filter(|s| {
            s.steps
                .iter()
                .any(|st| st.requirements.iter().any(|r| r == "OS-LINK-3"))
        })
        .map(|s| s.profiles.len())
        .sum();
    assert!(scenarios > 0);
    // The vector cases that name it, those scenarios, and the coverage check.
    assert_eq!(reported.len(), want + scenarios + 1);
    for c in &reported {
        assert!(
            c["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "OS-LINK-3")
        );
    }
}

#[test]
fn junit_and_html_files_are_written() {
    let junit = temp("report.xml");
    let html = temp("report.html");
    let o = broken(
        "--op derive_keys flip-byte kEnc",
        &[
            "--junit",
            junit.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 1);
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains(r#"<testsuite name="vectors/derivation" tests="18" failures="12""#),
        "{x}"
    );
    let h = std::fs::read_to_string(&html).unwrap();
    assert!(h.contains("derivation/1") && h.contains("the value differs: kEnc: expected"));
}
