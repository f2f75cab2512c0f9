//! `openslots-harness fuzz` bites: every mode of `openslots-broken-adapter`
//! is noticed, and so is each planted single-behaviour mistake that no
//! vector case catches (the vectors pass against it, the fuzzer does not),
//! within a bounded number of cases under a fixed seed; each is reported
//! with the requirement it breaks and written as a vector case that the
//! suite's schema accepts. The same seed gives the same findings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const HARNESS: &str = env!("CARGO_BIN_EXE_openslots-harness");
const BROKEN: &str = env!("CARGO_BIN_EXE_openslots-broken-adapter");
const SEED: &str = "7";

fn out_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("openslots-fuzz-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn fuzz(mode: &str, op: &str, cases: u64, out: &Path, extra: &[&str]) -> (Output, Value) {
    let out_s = out.to_str().unwrap().to_owned();
    let cases_s = cases.to_string();
    let adapter = format!("{BROKEN} {mode}");
    let mut args = vec![
        "fuzz",
        "--adapter",
        &adapter,
        "--operation",
        op,
        "--cases",
        &cases_s,
        "--seed",
        SEED,
        "--out",
        &out_s,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let o = Command::new(HARNESS).args(&args).output().unwrap();
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    (o, report)
}

fn failures(report: &Value) -> Vec<Value> {
    report["runs"][0]["suites"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["cases"].as_array().unwrap().clone())
        .filter(|c| c["status"] == "fail")
        .collect()
}

/// Every file under `dir` is a vector file its suite's schema accepts,
/// with one fuzz case naming requirements.
fn written_cases_valid(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(file["schema"].as_str().unwrap());
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = v.iter_errors(&file).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        let case = &file["testGroups"][0]["tests"][0];
        assert_eq!(case["source"], "fuzz");
        assert!(!case["requirements"].as_array().unwrap().is_empty());
        n += 1;
    }
    n
}

fn vectors_pass(mode: &str) -> bool {
    Command::new(HARNESS)
        .args(["vectors", "--adapter", &format!("{BROKEN} {mode}")])
        .output()
        .unwrap()
        .status
        .success()
}

/// A planted mistake: the vectors miss it, the fuzzer finds it within
/// `bound` cases, names `requirement`, and writes a valid case.
fn planted(mode: &str, op: &str, bound: u64, requirement: &str) {
    assert!(
        vectors_pass(mode),
        "{mode}: a vector case already catches it"
    );
    let dir = out_dir(mode);
    let (o, report) = fuzz(mode, op, bound, &dir, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{mode}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let fails = failures(&report);
    assert!(!fails.is_empty(), "{mode}: nothing found in {bound} cases");
    assert!(
        fails.iter().any(|f| f["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == requirement)),
        "{mode}: {requirement} not named in {fails:?}"
    );
    assert!(written_cases_valid(&dir) >= 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Found by the fuzzer first, now pinned by events cases 57-58 (a wrong id
/// and a bad signature still parse): the vectors catch it.
#[test]
fn parse_event_that_also_verifies_ids_is_caught_by_the_vectors() {
    assert!(
        !vectors_pass("parse-event-verifies-id"),
        "events 57-58 should catch a parse_event that verifies ids"
    );
}

#[test]
fn decoder_accepting_an_unpadded_last_group() {
    planted("unpadded-mask", "decode_v2", 500, "OS-MASK-5");
}

#[test]
fn grid_taking_the_later_offset_in_one_zone() {
    planted("grid-later-offset", "generate_grid", 1000, "OS-GRID-4");
}

/// A planted mistake that a vector case catches since the fuzzer's finding
/// was settled: the vectors fail on it, and the fuzzer still finds it,
/// naming one of `requirements` (which one depends on the case it mutated).
fn settled(mode: &str, op: &str, bound: u64, requirements: &[&str]) {
    assert!(
        !vectors_pass(mode),
        "{mode}: no vector case catches it (the settled case is missing)"
    );
    let dir = out_dir(mode);
    let (o, report) = fuzz(mode, op, bound, &dir, &[]);
    assert_eq!(o.status.code(), Some(1), "{mode}");
    let fails = failures(&report);
    assert!(
        fails.iter().any(|f| f["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| requirements.iter().any(|q| r == q))),
        "{mode}: none of {requirements:?} named in {fails:?}"
    );
    assert!(written_cases_valid(&dir) >= 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn writer_writing_an_unvalidated_mask() {
    settled("write-unvalidated-mask", "write_room", 500, &["OS-MASK-12"]);
}

#[test]
fn empty_mask_rejected_with_the_wrong_code() {
    // §10.3's steps in order: OS-MASK-12 for writers, OS-MASK-13 for the
    // order itself, named by whichever case the fuzzer mutated.
    settled(
        "empty-mask-untrimmed",
        "validate_room",
        500,
        &["OS-MASK-12", "OS-MASK-13"],
    );
}

/// The older modes (a flipped byte, a wrong code, an error for a value, a
/// crash, malformed JSON, a hang) all fail the run; a cleared SHOULD list
/// does not.
#[test]
fn every_failing_mode_fails_the_run() {
    for (mode, op, extra) in [
        ("--op derive_keys flip-byte kEnc", "derive_keys", &[][..]),
        ("--op decode_v1 wrong-code link-syntax", "decode_v1", &[]),
        ("--op decode_v1 error-for-value", "decode_v1", &[]),
        ("--op decode_v1 crash", "decode_v1", &[]),
        ("--op decode_v1 malformed", "decode_v1", &[]),
        ("--op decode_v1 hang", "decode_v1", &["--timeout", "0.5"]),
    ] {
        let dir = out_dir("mode");
        let (o, report) = fuzz(mode, op, 40, &dir, extra);
        assert_eq!(o.status.code(), Some(1), "{mode}");
        assert!(!failures(&report).is_empty(), "{mode}");
        let _ = std::fs::remove_dir_all(&dir);
    }
    // A cleared `superseded` list is a SHOULD (OS-ADAPTER-11): a warning in
    // `vectors`, and no disagreement for the fuzzer either.
    let dir = out_dir("should");
    let (o, report) = fuzz("--op resolve clear-superseded", "resolve", 40, &dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A bad handshake stops the run with an error; an operation left out of
/// the handshake or answered `unsupported` is reported, not fuzzed.
#[test]
fn handshake_and_unsupported_modes_are_reported() {
    let dir = out_dir("hs");
    let (o, report) = fuzz("protocol 2", "decode_v1", 10, &dir, &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        report["runs"][0]["error"]
            .as_str()
            .unwrap()
            .contains("protocol")
    );

    let (o, report) = fuzz("--op decode_v1 drop-op", "decode_v1", 10, &dir, &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(report.to_string().contains("handshake"));

    let (_, report) = fuzz("--op decode_v1 unsupported", "decode_v1", 40, &dir, &[]);
    let cases = &report["runs"][0]["suites"][0]["cases"];
    assert_eq!(cases[0]["status"], "skip", "{cases}");
}

/// The same seed gives the same findings; the reference's own adapter
/// agrees with the reference.
#[test]
fn a_seed_reproduces_the_run_and_the_reference_runs_clean() {
    let strip = |r: &Value| {
        failures(r)
            .into_iter()
            .map(|c| c["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let dir = out_dir("seed");
    let (_, a) = fuzz("empty-mask-untrimmed", "validate_room", 300, &dir, &[]);
    let (_, b) = fuzz("empty-mask-untrimmed", "validate_room", 300, &dir, &[]);
    assert!(!strip(&a).is_empty());
    assert_eq!(strip(&a), strip(&b));
    let (o, report) = fuzz("none", "decode_v2", 300, &dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
