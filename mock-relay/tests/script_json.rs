//! The script's JSON form: every fault and breakage round-trips through
//! serde and validates against `spec/schemas/mock-relay-script.schema.json`;
//! unknown members are refused by both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use openslots_mock_relay::{
    Breakage, Clock, Fault, FaultRule, Filter, RawFrame, Script, ScriptEvent, StaleMode, Trigger,
    forge, load_scripts, run_from_script_file,
};
use serde_json::{Value, json};

fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/schemas/mock-relay-script.schema.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{value:#}");
}

fn every_fault() -> Vec<Fault> {
    let e = room(&keys(1), "d", T0, "x");
    vec![
        Fault::Reorder,
        Fault::Duplicate { copies: 3 },
        Fault::Delay {
            until: Trigger::AfterEose,
        },
        Fault::Delay {
            until: Trigger::ClockAt { at: T0 },
        },
        Fault::Delay {
            until: Trigger::ClockAfter { seconds: 5 },
        },
        Fault::Delay {
            until: Trigger::Release { name: "n".into() },
        },
        Fault::Withhold,
        Fault::ServeStale {
            mode: StaleMode::Instead,
        },
        Fault::ServeStale {
            mode: StaleMode::Besides,
        },
        Fault::Inject {
            events: vec![
                ScriptEvent::Event(e.clone()),
                ScriptEvent::Raw(forge::with_forged_signature(&e)),
                ScriptEvent::Raw(json!("not json")),
            ],
        },
        Fault::ServeExpired,
        Fault::RefusePublish {
            prefix: "blocked".into(),
            message: "no".into(),
        },
        Fault::AcceptWithoutStoring,
        Fault::PublishNotice {
            message: "n".into(),
        },
        Fault::IgnorePublish,
        Fault::OkEmptyId,
        Fault::DisconnectOnPublish,
        Fault::Closed {
            message: "error: x".into(),
        },
        Fault::Notice {
            message: "x".into(),
        },
        Fault::NoEose,
        Fault::Disconnect { after_events: 2 },
        Fault::SendFrame {
            frame: RawFrame::Text { text: "[".into() },
        },
        Fault::SendFrame {
            frame: RawFrame::Oversize { bytes: 100 },
        },
        Fault::SendFrame {
            frame: RawFrame::Binary { hex: "00ff".into() },
        },
    ]
}

#[test]
fn every_fault_and_breakage_round_trips_and_validates() {
    let validator = schema();
    let filter: Filter =
        serde_json::from_value(json!({"#d": ["x"], "kinds": [30078], "since": 1})).unwrap();
    let mut script = Script::well_behaved("all").with_event(room(&keys(2), "p", T0, "pre"));
    script = script.with_raw_event(json!({"id": "x"}));
    for b in Breakage::all() {
        script = script.with_breakage(b);
    }
    for (i, f) in every_fault().into_iter().enumerate() {
        let rule = FaultRule::matching(filter.clone(), f)
            .on_connection(i as u64)
            .on_subscription("s")
            .at_most(2);
        script = script.with_fault(rule);
    }
    let value = serde_json::to_value(&script).unwrap();
    assert_valid(&validator, &value);
    let back: Script = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(back, script);
    assert_eq!(Script::from_json(&script.to_json()).unwrap(), script);
    // Codes are the JSON names.
    for b in Breakage::all() {
        assert_eq!(serde_json::to_value(&b).unwrap()["rule"], b.code());
    }
    // The empty script is a well-behaved relay.
    assert_valid(&validator, &json!({}));
    assert_eq!(Script::from_json("{}").unwrap(), Script::default());
}

#[test]
fn unknown_members_and_names_are_refused_by_serde_and_schema() {
    let validator = schema();
    for bad in [
        json!({"nmae": "typo"}),
        json!({"faults": [{"fault": {"type": "withhold", "extra": 1}}]}),
        json!({"faults": [{"fault": {"type": "no_such_fault"}}]}),
        json!({"faults": [{"fault": {"type": "withhold"}, "when": {"conection": 1}}]}),
        json!({"breakages": [{"rule": "no_such_rule"}]}),
        json!({"breakages": [{"rule": "ignores_limit", "tag": "a"}]}),
        json!({"breakages": [{"rule": "ignores_tag_filter", "tag": "ab"}]}),
        json!({"faults": [{"fault": {"type": "delay", "until": {"on": "after_eose", "x": 1}}}]}),
        json!({"faults": [{"fault": {"type": "duplicate", "copies": 1, "x": 1}}]}),
        json!({"limits": {"max_content": 5}}),
        json!({"preload": [{"evnt": {}}]}),
    ] {
        assert!(
            serde_json::from_value::<Script>(bad.clone()).is_err(),
            "serde accepted {bad}"
        );
        assert!(!validator.is_valid(&bad), "schema accepted {bad}");
    }
}

#[tokio::test]
async fn example_file_loads_validates_and_runs() {
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/example.json"));
    let value: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_valid(&schema(), &value);
    let scripts = load_scripts(path).unwrap();
    assert_eq!(scripts.len(), 3);
    assert_eq!(
        scripts[2].breakages,
        vec![
            Breakage::TieKeepsLastArrival,
            Breakage::IgnoresTagFilter { tag: 'a' }
        ]
    );
    let set = run_from_script_file(path, Clock::new(T0)).await.unwrap();
    assert_eq!(set.urls().len(), 3);
    let mut c = Client::connect(set.by_name("well-behaved").unwrap().url()).await;
    assert!(c.req("s", json!([{}])).await.is_empty());
    set.stop().await;
    let missing = load_scripts(std::path::Path::new("/nonexistent/script.json")).unwrap_err();
    assert_eq!(missing.code(), "script-read");
}
