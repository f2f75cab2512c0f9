//! Client scenario outcomes in the harness's report model
//! ([`crate::report`]): one suite per hazard of spec §17.3 (a scenario about
//! several hazards is listed under its first; scenarios about none under
//! `client/relays`), one case per scenario and profile.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde_json::json;

use super::ClientAdapter;
use super::run::{self, Outcome, Status as RunStatus};
use crate::report::{Case, Run, Status, Suite};

/// The suite a scenario is reported under.
pub fn suite_name(hazards: &[u8]) -> String {
    match hazards.first() {
        Some(h) => format!("client/hazard-{h:02}"),
        None => "client/relays".into(),
    }
}

/// Converts outcomes to a report run named `client scenarios`.
pub fn to_run(outcomes: &[Outcome], subject: String, duration_ms: u64) -> Run {
    let mut suites: BTreeMap<String, Suite> = BTreeMap::new();
    for o in outcomes {
        let name = suite_name(&o.hazards);
        let suite = suites
            .entry(name.clone())
            .or_insert_with(|| Suite::new(name));
        let status = match o.status {
            RunStatus::Pass => Status::Pass,
            RunStatus::Fail | RunStatus::Broken(_) => Status::Fail,
            RunStatus::Skip(_) => Status::Skip,
        };
        let mut case = Case::new(
            format!("{}@{}", o.scenario, o.profile),
            o.requirements.clone(),
            status,
        );
        case.message = match &o.status {
            RunStatus::Pass => String::new(),
            RunStatus::Skip(why) => why.clone(),
            RunStatus::Broken(why) => format!("the scenario could not run: {why}"),
            RunStatus::Fail => o
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "step {} {}: [{}] {}",
                        f.step,
                        f.op,
                        f.finding.requirements.join(", "),
                        f.finding.message
                    )
                })
                .collect::<Vec<_>>()
                .join("\\n"),
        };
        if o.status == RunStatus::Fail {
            case.got = Some(json!({"failed_requirements": o.failed_requirements()}));
        }
        suite.duration_ms += u64::try_from(o.millis).unwrap_or(u64::MAX);
        suite.cases.push(case);
    }
    let mut r = Run::new("client scenarios");
    r.subject = Some(subject);
    r.suites = suites.into_values().collect();
    r.duration_ms = duration_ms;
    r
}

/// Loads the scenarios of `dir`, runs them against `client` in every
/// profile they name, and reports them.
pub fn run(dir: &Path, client: &mut dyn ClientAdapter) -> Run {
    let started = Instant::now();
    let scenarios = match super::model::load_dir(dir) {
        Ok(s) => s,
        Err(e) => {
            let mut r = Run::new("client scenarios");
            r.error = Some(e.to_string());
            return r;
        }
    };
    match run::run_all(&scenarios, None, client) {
        Ok(outcomes) => to_run(
            &outcomes,
            client.name(),
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        ),
        Err(e) => {
            let mut r = Run::new("client scenarios");
            r.error = Some(e);
            r
        }
    }
}
