//! The reference client passes every client scenario in both profiles,
//! through the reference adapter in process (OS-RES-*, OS-EVENT-12, ...).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use openslots_harness::scenario::TransportClient;
use openslots_harness::scenario::model::load_dir;
use openslots_harness::scenario::run::{Status, render_text, run_all};

fn dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/scenarios"))
}

#[test]
fn reference_client_passes_every_scenario_in_both_profiles() {
    let scenarios = load_dir(dir()).unwrap();
    assert!(scenarios.len() >= 30, "{} scenarios", scenarios.len());
    let mut client = TransportClient::reference();
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
