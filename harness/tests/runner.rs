//! Pieces of the runner on their own: splitting the adapter command line,
//! reading handshakes, judging answers by OS-ADAPTER-9, and refusing
//! filters that select nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use openslots_harness::adapter::{Broken, Hello, split_command};
use openslots_harness::report::Status;
use openslots_harness::vectors::{VectorCase, json_eq, judge};
use openslots_vectors::Verdict;
use serde_json::json;

#[test]
fn command_lines_split_like_a_shell_without_one() {
    assert_eq!(
        split_command(r#"node  adapter.js --name "my impl" 'a b' c\ d"#).unwrap(),
        ["node", "adapter.js", "--name", "my impl", "a b", "c d"]
    );
    assert_eq!(split_command(r#"x """#).unwrap(), ["x", ""]);
    assert!(split_command("   ").is_err());
    assert!(split_command("x 'open").is_err());
}

#[test]
fn handshakes_are_read_strictly() {
    let good = json!({"id": 0, "ok": {"name": "n", "version": "1", "protocol": 1, "profiles": ["v1"], "operations": ["parse_link"]}});
    let h = Hello::from_response(&good).unwrap();
    assert!(h.supports("parse_link", "v1"));
    assert!(h.supports("parse_link", "any"));
    assert!(!h.supports("parse_link", "v2"));
    assert!(!h.supports("decrypt", "v1"));
    let mut v2 = good.clone();
    v2["ok"]["protocol"] = json!(2);
    assert!(
        Hello::from_response(&v2)
            .unwrap_err()
            .contains("speaks protocol 2")
    );
    let mut no_ops = good.clone();
    no_ops["ok"].as_object_mut().unwrap().remove("operations");
    assert!(
        Hello::from_response(&no_ops)
            .unwrap_err()
            .contains("operations")
    );
    let mut id1 = good;
    id1["id"] = json!(1);
    assert!(Hello::from_response(&id1).is_err());
    assert!(Hello::from_response(&json!({"id": 0, "unsupported": "x"})).is_err());
}

fn case(result: Verdict) -> VectorCase {
    VectorCase {
        suite: "link".into(),
        id: "link/9".into(),
        profile: "v1".into(),
        op: "parse_link".into(),
        comment: "a test case".into(),
        flags: vec![],
        requirements: vec!["OS-LINK-3".into()],
        input: json!({"link": "x"}),
        expected: (result != Verdict::Invalid).then(|| json!({"roomKey": "00", "profile": "v1"})),
        error: (result != Verdict::Valid).then(|| "link-key-length".to_owned()),
        result,
        intermediate: None,
    }
}

#[test]
fn judging_follows_os_adapter_9() {
    let value = Ok(json!({"id": 1, "ok": {"roomKey": "00", "profile": "v1", "extra": true}}));
    let other_value = Ok(json!({"id": 1, "ok": {"roomKey": "01", "profile": "v1"}}));
    let right_error = Ok(json!({"id": 1, "error": {"code": "link-key-length", "message": "m"}}));
    let wrong_error = Ok(json!({"id": 1, "error": {"code": "link-syntax", "message": "m"}}));
    let foreign = Ok(json!({"id": 1, "error": {"code": "oops", "message": "m"}}));
    let unsupported = Ok(json!({"id": 1, "unsupported": "later"}));
    let two = Ok(json!({"id": 1, "ok": {}, "unsupported": "x"}));
    let none = Err(Broken {
        reason: "no answer within 1 s".into(),
        stderr: "trace".into(),
    });

    let valid = case(Verdict::Valid);
    assert_eq!(
        judge(&valid, &value).status,
        Status::Pass,
        "extra members are ignored"
    );
    let j = judge(&valid, &other_value);
    assert_eq!(
        (j.status, j.message.as_str()),
        (
            Status::Fail,
            "the value differs: roomKey: expected \"00\", got \"01\""
        )
    );
    assert_eq!(j.requirements, ["OS-LINK-3"]);
    assert_eq!(
        j.expected,
        Some(json!({"ok": {"roomKey": "00", "profile": "v1"}}))
    );
    assert_eq!(
        j.got,
        Some(json!({"ok": {"roomKey": "01", "profile": "v1"}}))
    );
    let j = judge(&valid, &right_error);
    assert_eq!(
        (j.status, j.message.as_str()),
        (
            Status::Fail,
            "expected a value, got error link-key-length: m"
        )
    );

    let invalid = case(Verdict::Invalid);
    assert_eq!(judge(&invalid, &right_error).status, Status::Pass);
    let j = judge(&invalid, &wrong_error);
    assert_eq!(
        j.message,
        "expected error link-key-length, got error link-syntax: m"
    );
    let j = judge(&invalid, &foreign);
    assert!(
        j.message.contains("not a code of spec §15"),
        "{}",
        j.message
    );
    let j = judge(&invalid, &value);
    assert_eq!(
        (j.status, j.message.as_str()),
        (Status::Fail, "expected error link-key-length, got a value")
    );

    let acceptable = case(Verdict::Acceptable);
    assert_eq!(judge(&acceptable, &value).status, Status::Pass);
    assert_eq!(judge(&acceptable, &right_error).status, Status::Pass);
    assert_eq!(judge(&acceptable, &wrong_error).status, Status::Fail);
    assert_eq!(judge(&acceptable, &other_value).status, Status::Fail);

    let j = judge(&valid, &unsupported);
    assert_eq!(
        (j.status, j.message.as_str()),
        (Status::Skip, "unsupported: later")
    );
    assert_eq!(judge(&valid, &two).status, Status::Fail);
    let j = judge(&valid, &none);
    assert_eq!(j.status, Status::Fail);
    assert_eq!(
        j.message,
        "no response: no answer within 1 s; adapter stderr: trace"
    );
    assert_eq!(j.got, None);
}

#[test]
fn numbers_compare_by_value() {
    assert!(json_eq(&json!({"a": [1, 2]}), &json!({"a": [1.0, 2]})));
    assert!(!json_eq(&json!(1), &json!(2)));
    assert!(!json_eq(&json!([1]), &json!([1, 1])));
    assert!(!json_eq(&json!("1"), &json!(1)));
}

#[test]
fn filters_that_select_nothing_are_refused() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_openslots-harness"))
        .args(["vectors", "--suite", "link", "--case", "link/99999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the filters select no case"));
}

#[test]
fn typos_in_filters_are_usage_errors() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_openslots-harness"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // An unknown suite, even beside a valid one, names the suites.
    let (code, err) = run(&["vectors", "--suite", "link", "--suite", "links"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("no suite \"links\"") && err.contains("lww"),
        "{err}"
    );
    // An unknown profile.
    let (code, err) = run(&["fuzz", "--profile", "v3", "--seconds", "1"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run(&["client", "--profile", "v3"]);
    assert_eq!(code, Some(2), "{err}");
    // An adapter program that does not exist is a setup error, not a
    // conformance failure.
    for cmd in ["vectors", "client"] {
        let (code, err) = run(&[cmd, "--adapter", "/nonexistent/adapter --flag"]);
        assert_eq!(code, Some(2), "{cmd}: {err}");
        assert!(err.contains("no program"), "{cmd}: {err}");
    }
    // A scenario prefix that matches nothing.
    let (code, err) = run(&["client", "--only", "zzz"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no scenario id starts with \"zzz\""), "{err}");
}
