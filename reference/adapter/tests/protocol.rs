//! The reference adapter speaks the adapter protocol: every request the
//! harness sends for the vectors and every answer it gives match the JSON
//! Schemas of spec/schemas/adapter-*.schema.json; the handshake lists
//! exactly the operations the vectors use; the error codes the response
//! schema allows are the spec's; bad requests get `bad-request` and unknown
//! operations `unsupported`; the JSON Lines loop answers in order.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::collections::BTreeSet;
use std::io::BufReader;
use std::path::Path;

use openslots_vectors::VectorFile;
use serde_json::{Value, json};

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../spec/schemas/adapter-{name}.schema.json"));
    let s: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&s).unwrap()
}

fn valid(v: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(3)
        .collect();
    assert!(errors.is_empty(), "{instance}: {errors:?}");
}

type AnyFile = VectorFile<Value, Value, Value>;

fn all_cases() -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (_, text) in openslots_vectors::FILES {
        let f: AnyFile = serde_json::from_str(text).unwrap();
        for (p, op, c) in f.cases() {
            out.push((p.to_owned(), op.to_owned(), c.input.clone()));
        }
    }
    out
}

#[test]
fn requests_and_answers_match_the_schemas() {
    let (req, resp, hello) = (schema("request"), schema("response"), schema("hello"));
    let h = json!({"id": 0, "op": "hello", "protocol": 1});
    valid(&req, &h);
    valid(&hello, &openslots_adapter::dispatch(&h));
    for (i, (profile, op, input)) in all_cases().into_iter().enumerate() {
        let r = json!({"id": i + 1, "op": op, "profile": profile, "input": input});
        valid(&req, &r);
        let answer = openslots_adapter::dispatch(&r);
        valid(&resp, &answer);
        assert_eq!(answer["id"], json!(i + 1));
        assert!(answer.get("unsupported").is_none(), "{op} {profile}");
    }
    // The schemas reject what the protocol forbids.
    for bad in [
        json!({"id": 1, "ok": {}, "error": {"code": "link-syntax", "message": ""}}),
        json!({"id": 1, "error": {"code": "no-such-code", "message": ""}}),
        json!({"id": 1}),
    ] {
        assert!(!resp.is_valid(&bad), "{bad}");
    }
    assert!(!hello.is_valid(&json!({"id": 0, "ok": {"name": "x", "version": "1", "protocol": 2, "profiles": [], "operations": []}})));
}

/// The operations the client scenarios use (`vectors/scenarios/*.json`,
/// each step's `op`).
fn scenario_operations() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/scenarios");
    let mut ops = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut stack = vec![v];
        while let Some(x) = stack.pop() {
            match x {
                Value::Object(m) => {
                    if let Some(Value::String(op)) = m.get("op") {
                        ops.insert(op.clone());
                    }
                    stack.extend(m.into_iter().map(|(_, v)| v));
                }
                Value::Array(a) => stack.extend(a),
                _ => {}
            }
        }
    }
    ops
}

#[test]
fn the_handshake_lists_exactly_the_operations_the_vectors_and_scenarios_use() {
    let listed: BTreeSet<String> = openslots_adapter::hello()["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_owned())
        .collect();
    let mut used: BTreeSet<String> = all_cases().into_iter().map(|(_, op, _)| op).collect();
    let client = scenario_operations();
    assert_eq!(
        client,
        [
            "create_room",
            "join_room",
            "respond",
            "update_room",
            "publish_wrapper_set",
            "join_group",
            "request_booking",
            "settle_bookings"
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<BTreeSet<_>>()
    );
    used.extend(client);
    assert_eq!(listed, used);
}

#[test]
fn the_response_schema_allows_exactly_the_spec_codes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../spec/schemas/adapter-response.schema.json");
    let s: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let allowed: BTreeSet<&str> = s["properties"]["error"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut spec: BTreeSet<&str> = openslots::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    spec.insert("bad-request");
    assert_eq!(allowed, spec);
}

#[test]
fn bad_requests_and_unknown_operations() {
    let a = openslots_adapter::dispatch(
        &json!({"id": 3, "op": "no_such_op", "profile": "v1", "input": {}}),
    );
    assert_eq!(a["id"], 3);
    assert!(a["unsupported"].as_str().unwrap().contains("no_such_op"));
    let a = openslots_adapter::dispatch(
        &json!({"id": 4, "op": "parse_link", "profile": "v1", "input": {}}),
    );
    assert_eq!(a["error"]["code"], "bad-request");
    let a = openslots_adapter::dispatch(
        &json!({"id": 5, "op": "derive_keys", "profile": "v1", "input": {"roomKey": "zz"}}),
    );
    assert_eq!(a["error"]["code"], "bad-request");
    let a = openslots_adapter::dispatch(
        &json!({"id": 6, "op": "derive_keys", "profile": "v3", "input": {"roomKey": "00".repeat(32)}}),
    );
    assert!(a.get("unsupported").is_some());
    let a = openslots_adapter::dispatch(&json!({"id": 0, "op": "hello", "protocol": 2}));
    assert_eq!(a["error"]["code"], "bad-request");
    let line = openslots_adapter::handle_line("not json");
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["error"]["code"], "bad-request");
    assert_eq!(v["id"], Value::Null);
}

#[test]
fn the_loop_answers_every_line_in_order() {
    let input = "{\"id\":0,\"op\":\"hello\",\"protocol\":1}\n\n{\"id\":1,\"op\":\"next_created_at\",\"profile\":\"any\",\"input\":{\"now\":10,\"previous\":10}}\r\n{\"id\":2,\"op\":\"next_created_at\",\"profile\":\"any\",\"input\":{\"now\":10}}";
    let mut out = Vec::new();
    openslots_adapter::serve(BufReader::new(input.as_bytes()), &mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        3,
        "one answer per request, none for the empty line"
    );
    assert_eq!(lines[0]["ok"]["protocol"], 1);
    // max(now, previous + 1) and now: worked by hand.
    assert_eq!(lines[1], json!({"id": 1, "ok": {"createdAt": 11}}));
    assert_eq!(lines[2], json!({"id": 2, "ok": {"createdAt": 10}}));
}
