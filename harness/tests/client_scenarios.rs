//! The reference client passes every client scenario in both profiles,
//! through the reference adapter in process (OS-RES-*, OS-EVENT-12, ...).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use std::collections::BTreeMap;

use openslots_harness::scenario::model::{CLIENT_OPS, load_dir};
use openslots_harness::scenario::run::{Status, render_text, run_all};
use openslots_harness::scenario::{ClientAdapter, Reply, TransportClient};
use serde_json::Value;

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/scenarios"))
}

/// The reference adapter, with every input the harness sends and every
/// `ok` output checked against `spec/schemas/adapter-client.schema.json`.
struct Validating {
    inner: TransportClient,
    schema: Value,
    /// One compiled validator per definition, made on first use.
    validators: BTreeMap<String, jsonschema::Validator>,
    /// Per operation: (inputs checked, outputs checked).
    seen: BTreeMap<String, (usize, usize)>,
    violations: Vec<String>,
}

impl Validating {
    fn new() -> Self {
        let path = dir().join("../../spec/schemas/adapter-client.schema.json");
        Self {
            inner: TransportClient::reference(),
            schema: serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
            validators: BTreeMap::new(),
            seen: BTreeMap::new(),
            violations: Vec::new(),
        }
    }

    fn check(&mut self, def: &str, instance: &Value) {
        let schema = &self.schema;
        let validator = self.validators.entry(def.to_owned()).or_insert_with(|| {
            let mut one = schema.clone();
            one["$ref"] = Value::from(format!("#/$defs/{def}"));
            jsonschema::validator_for(&one).unwrap()
        });
        for e in validator.iter_errors(instance) {
            self.violations
                .push(format!("{def}: {e} at {} in {instance}", e.instance_path()));
        }
    }
}

impl ClientAdapter for Validating {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        self.check(&format!("{op}_input"), input);
        self.seen.entry(op.to_owned()).or_default().0 += 1;
        let reply = self.inner.call(op, profile, input);
        if let Reply::Ok(out) = &reply {
            let def = match op {
                "create_room" => "create_room_output",
                "join_room" => "join_room_output",
                "publish_wrapper_set" => "publish_wrapper_set_output",
                "join_group" => "join_group_output",
                "request_booking" => "request_booking_output",
                "settle_bookings" => "settle_bookings_output",
                _ => "publication",
            };
            self.check(def, out);
            self.seen.entry(op.to_owned()).or_default().1 += 1;
        }
        reply
    }
}

#[test]
fn reference_client_passes_every_scenario_in_both_profiles() {
    let scenarios = load_dir(dir()).unwrap();
    assert!(scenarios.len() >= 30, "{} scenarios", scenarios.len());
    let mut client = Validating::new();
    let started = std::time::Instant::now();
    let outcomes = run_all(&scenarios, None, &mut client).unwrap();
    let text = render_text(&outcomes);
    println!("{text}total {} ms", started.elapsed().as_millis());
    assert!(outcomes.iter().all(|o| o.status == Status::Pass), "{text}");
    for p in ["v1", "v2"] {
        assert!(
            outcomes.iter().filter(|o| o.profile == p).count() >= 30,
            "profile {p}"
        );
    }
    // Every input and output of every client operation has the shape the
    // adapter protocol's schema fixes, and every operation was exercised.
    assert!(
        client.violations.is_empty(),
        "{}",
        client.violations.join("\n")
    );
    for op in CLIENT_OPS {
        let (inputs, outputs) = client.seen.get(*op).copied().unwrap_or_default();
        assert!(
            inputs > 0 && outputs > 0,
            "{op}: {inputs} inputs, {outputs} outputs"
        );
    }
}

#[test]
fn the_readme_counts_the_scenarios_right() {
    let scenarios = load_dir(dir()).unwrap();
    let runs: usize = scenarios.iter().map(|s| s.profiles.len()).sum();
    let readme = std::fs::read_to_string(dir().join("../../README.md")).unwrap();
    let said = format!("{} scenarios, {runs} runs", scenarios.len());
    assert!(
        readme.replace('\n', " ").contains(&said),
        "README.md should say {said:?}"
    );
}

#[test]
fn every_hazard_of_the_design_has_a_scenario() {
    let scenarios = load_dir(dir()).unwrap();
    // Hazards 7 (links) and 10 (slot grid) are also answered by the vector
    // suites; their scenarios check what a client does with them end to end.
    for h in 1u8..=11 {
        assert!(
            scenarios.iter().any(|s| s.hazards.contains(&h)),
            "no scenario for hazard {h}"
        );
    }
}

#[test]
fn every_scenario_is_valid_against_the_schema_and_names_known_requirements() {
    let schema_path = dir().join("../../spec/schemas/client-scenario.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let spec = std::fs::read_to_string(dir().join("../../spec/openslots.md")).unwrap();
    let known: Vec<String> = openslots_harness::requirements::parse(&spec)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut n = 0;
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let instance: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        for step in instance["steps"].as_array().unwrap() {
            for r in step["requirements"].as_array().unwrap() {
                let r = r.as_str().unwrap();
                assert!(
                    known.iter().any(|k| k == r),
                    "{}: unknown requirement {r}",
                    path.display()
                );
            }
        }
        n += 1;
    }
    assert!(n >= 30);
}
