//! The report model and its renderers: counts, verdict, and that each format
//! carries the failure's case id, requirement IDs, expected and got.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use openslots_harness::report::{Case, Report, Run, Status, Suite, html, json, junit, summary};
use serde_json::json;

fn sample() -> Report {
    let mut report = Report::new();
    let mut run = Run::new("vectors");
    run.subject = Some("example 1.0 <in process>".into());
    let mut s = Suite::new("link");
    s.cases
        .push(Case::new("link/1", vec!["OS-LINK-1".into()], Status::Pass));
    let mut fail = Case::new(
        "link/2",
        vec!["OS-LINK-3".into(), "OS-LINK-4".into()],
        Status::Fail,
    );
    fail.expected = Some(json!({"error": "link-key-length"}));
    fail.got = Some(json!({"ok": {"roomKey": "00"}}));
    fail.message = "expected error link-key-length, got a value".into();
    s.cases.push(fail);
    s.cases.push(Case::new("link/3", vec![], Status::Skip));
    s.cases.push(Case::new(
        "link/4",
        vec!["OS-LINK-2".into()],
        Status::ExpectedFailure,
    ));
    s.cases.push(Case::new("link/5", vec![], Status::Warn));
    run.suites.push(s);
    report.runs.push(run);
    report
}

#[test]
fn totals_and_verdict() {
    let r = sample();
    let t = r.totals();
    assert_eq!(
        (t.total, t.pass, t.fail, t.skip, t.expected_failure, t.warn),
        (5, 1, 1, 1, 1, 1)
    );
    assert!(!r.ok());
    let mut passing = r.clone();
    passing.runs[0].suites[0].cases.remove(1);
    assert!(passing.ok());
    passing.runs[0].error = Some("adapter did not start".into());
    assert!(!passing.ok(), "a run error fails the run");
}

#[test]
fn summary_names_the_failure() {
    let text = summary::render(&sample());
    assert!(text.contains("FAIL link/2 [OS-LINK-3, OS-LINK-4]: expected error link-key-length"));
    assert!(text.contains(r#"expected: {"error":"link-key-length"}"#));
    assert!(text.contains(r#"got:      {"ok":{"roomKey":"00"}}"#));
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("FAIL: 5 cases: 1 passed, 1 failed")
    );
}

#[test]
fn json_is_stable() {
    let v: serde_json::Value = serde_json::from_str(&json::render(&sample())).unwrap();
    assert_eq!(v["format"], "openslots-harness-report");
    assert_eq!(v["formatVersion"], 1);
    assert_eq!(v["ok"], false);
    assert_eq!(v["totals"]["expectedFailure"], 1);
    let case = &v["runs"][0]["suites"][0]["cases"][1];
    assert_eq!(case["id"], "link/2");
    assert_eq!(case["status"], "fail");
    assert_eq!(case["requirements"], json!(["OS-LINK-3", "OS-LINK-4"]));
    assert_eq!(case["expected"], json!({"error": "link-key-length"}));
    assert_eq!(
        v["runs"][0]["suites"][0]["cases"][3]["status"],
        "expected-failure"
    );
    assert!(v["runs"][0]["suites"][0]["cases"][0].get("got").is_none());
}

#[test]
fn junit_counts_and_escapes() {
    let x = junit::render(&sample());
    assert!(x.starts_with("<?xml"));
    assert!(x.contains(
        r#"<testsuite name="vectors/link" tests="5" failures="1" errors="0" skipped="2""#
    ));
    assert!(x.contains(r#"<testcase classname="vectors/link" name="link/2">"#));
    assert!(x.contains("<failure message=\"expected error link-key-length, got a value\""));
    assert!(x.contains("&quot;roomKey&quot;"));
    assert!(!x.contains("<in process>"));
}

#[test]
fn html_is_self_contained() {
    let h = html::render(&sample());
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert!(h.contains("link/2"));
    assert!(h.contains("OS-LINK-4"));
    assert!(h.contains("&lt;in process&gt;"));
    for external in ["src=\"http", "href=\"http", "<link "] {
        assert!(!h.contains(external), "{external}");
    }
}
