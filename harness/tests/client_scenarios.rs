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
    // Hazards 7 (links) and 10 (slot grid) are data questions the vector
    // suites answer; every other hazard needs relays.
    for h in [1u8, 2, 3, 4, 5, 6, 8, 11] {
        assert!(
            scenarios.iter().any(|s| s.hazards.contains(&h)),
            "no scenario for hazard {h}"
        );
    }
}
