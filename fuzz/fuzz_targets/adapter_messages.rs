//! The adapter protocol's messages (spec/adapter-protocol.md), both ways:
//! what the harness sends an implementation, and what an implementation
//! answers the harness. Input: a selector byte, then:
//!
//! - selector 0 mod 3: a request line, answered by the reference adapter
//!   (`openslots_adapter::handle_line`);
//! - selector 1 mod 3: a handshake answer, read by the harness
//!   (`openslots_harness::adapter::Hello::from_response`);
//! - selector 2 mod 3: a case id (`<suite>/<tcId>`), a newline, and an
//!   answer line, judged by the harness (`openslots_harness::vectors::judge`)
//!   against that vector case (another case when the id names none).
//!
//! Invariants, beyond never panicking:
//! - the adapter answers every line with exactly one line: a JSON object
//!   with exactly one of `ok`, `error`, `unsupported` (OS-ADAPTER-1,
//!   OS-ADAPTER-5); it repeats the request's `id` when the request is a JSON
//!   object (exactly, unless the id is a non-integer number, which serde_json
//!   may not read back to the same double); an `error.code` is a code of
//!   spec §15 or `bad-request`
//!   (OS-ADAPTER-6); the same line gets the same answer;
//! - the harness accepts a handshake only with `id` 0 and `protocol` 1, and
//!   then holds exactly the name, version, profiles and operations the
//!   answer gave (OS-ADAPTER-8);
//! - the harness passes a case only on an answer that conforms for it, read
//!   here from the vector case directly (OS-ADAPTER-9): exactly one of
//!   `ok`, `error`, `unsupported`; a value for a `valid` or `acceptable`
//!   case that has every member of the expected output; the case's error
//!   code for an `invalid` or `acceptable` one; `unsupported` is skipped,
//!   never passed (OS-ADAPTER-7).
#![no_main]

use std::collections::HashMap;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use openslots::ErrorCode;
use openslots_harness::adapter::Hello;
use openslots_harness::report::Status;
use openslots_harness::vectors::{self, VectorCase};
use openslots_vectors::Verdict;
use serde_json::Value;

static CASES: LazyLock<(Vec<VectorCase>, HashMap<String, usize>)> = LazyLock::new(|| {
    let cases: Vec<VectorCase> = vectors::load()
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(_, cases)| cases)
        .collect();
    let index = cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    (cases, index)
});

fn kinds(r: &Value) -> Vec<&'static str> {
    ["ok", "error", "unsupported"]
        .into_iter()
        .filter(|k| r.get(*k).is_some())
        .collect()
}

fn adapter_answers(line: &str) {
    let out = openslots_adapter::handle_line(line);
    assert!(!out.contains('\n'), "one line per answer: {out:?}");
    let r: Value = serde_json::from_str(&out).expect("the answer is JSON");
    assert!(r.is_object(), "the answer is an object: {out}");
    assert_eq!(
        kinds(&r).len(),
        1,
        "exactly one of ok, error, unsupported: {out}"
    );
    if let Ok(Value::Object(request)) = serde_json::from_str::<Value>(line) {
        // The protocol's ids are integers (OS-ADAPTER-1); other JSON values
        // are echoed too, but a float may not survive serde_json's text
        // round trip exactly (found by this target: 2.888…e121).
        let id = request.get("id").unwrap_or(&Value::Null);
        if id.is_u64() || id.is_i64() || !id.is_number() {
            assert_eq!(r.get("id"), Some(id), "the answer repeats the request's id");
        } else {
            assert!(
                r.get("id").is_some_and(Value::is_number),
                "the answer has the id"
            );
        }
    }
    if let Some(e) = r.get("error") {
        let code = e
            .get("code")
            .and_then(Value::as_str)
            .expect("error.code is a string");
        assert!(
            code == "bad-request" || ErrorCode::parse(code).is_some(),
            "error code {code} is not in spec §15"
        );
    }
    assert_eq!(
        openslots_adapter::handle_line(line),
        out,
        "same line, same answer"
    );
}

fn harness_reads_handshake(text: &str) {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let Ok(hello) = Hello::from_response(&v) else {
        return;
    };
    assert_eq!(v.get("id"), Some(&Value::from(0)), "handshake id 0");
    let ok = &v["ok"];
    assert_eq!(ok["protocol"].as_u64(), Some(1), "protocol 1");
    assert_eq!(ok["name"].as_str(), Some(hello.name.as_str()));
    assert_eq!(ok["version"].as_str(), Some(hello.version.as_str()));
    let strings = |k: &str| -> Vec<String> {
        ok[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(strings("profiles"), hello.profiles);
    assert_eq!(strings("operations"), hello.operations);
}

fn harness_judges(text: &str) {
    let (cases, index) = &*CASES;
    if cases.is_empty() {
        return;
    }
    let (id, answer) = text.split_once('\n').unwrap_or(("", text));
    let c = match index.get(id) {
        Some(&i) => &cases[i],
        None => &cases[id.len().wrapping_add(answer.len()) % cases.len()],
    };
    let Ok(r) = serde_json::from_str::<Value>(answer) else {
        return;
    };
    let judged = vectors::judge(c, &Ok(r.clone()));
    assert_eq!(judged.id, c.id);
    assert_eq!(judged.requirements, c.requirements);
    let k = kinds(&r);
    match judged.status {
        Status::Pass | Status::Warn => {
            assert_eq!(k.len(), 1, "passed a message that is not a response");
            match k[0] {
                "ok" => {
                    assert_ne!(
                        c.result,
                        Verdict::Invalid,
                        "passed a value for an invalid case"
                    );
                    if let Some(Value::Object(want)) = &c.expected {
                        for name in want.keys() {
                            assert!(r["ok"].get(name).is_some(), "passed without {name}");
                        }
                    }
                }
                "error" => {
                    assert_ne!(c.result, Verdict::Valid, "passed an error for a valid case");
                    assert_eq!(
                        r["error"]["code"].as_str(),
                        c.error.as_deref(),
                        "passed another error code"
                    );
                }
                _ => panic!("passed an unsupported answer"),
            }
        }
        Status::Skip => assert_eq!(
            k,
            ["unsupported"],
            "skipped an answer that is not unsupported"
        ),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match selector % 3 {
        0 => adapter_answers(text),
        1 => harness_reads_handshake(text),
        _ => harness_judges(text),
    }
});
