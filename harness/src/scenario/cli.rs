//! The `client` and `mock-relay` subcommands of `openslots-harness`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use openslots_mock_relay::Clock;

use super::run::{self, Status};
use super::{ClientAdapter, TransportClient, build, model, relays};
use crate::adapter::Process;

/// The default scenario directory.
pub const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/scenarios");

/// Arguments of `client`.
#[derive(clap::Args, Debug)]
pub struct ClientArgs {
    /// The scenario directory.
    #[arg(long, default_value = SCENARIOS)]
    pub scenarios: PathBuf,
    /// Only scenarios whose id starts with this prefix.
    #[arg(long)]
    pub only: Option<String>,
    /// Only this profile (`v1` or `v2`).
    #[arg(long, value_parser = ["v1", "v2"])]
    pub profile: Option<String>,
    /// The adapter's command line (adapter protocol; split on whitespace,
    /// quotes group, no shell); without it, the reference client runs in
    /// process through the reference adapter.
    #[arg(long, value_name = "CMD")]
    pub adapter: Option<String>,
    /// Time limit per answer of the adapter, in seconds (each scenario step
    /// has its own, shorter, operation timeout).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Fail when any run is skipped (an operation or profile the adapter
    /// does not support): for CI, where a client must run every scenario.
    #[arg(long)]
    pub no_skip: bool,
}

/// Arguments of `mock-relay`.
#[derive(clap::Args, Debug)]
pub struct MockRelayArgs {
    /// The scenario file whose relays to run.
    #[arg(long)]
    pub scenario: PathBuf,
    /// The profile the scenario's events are built for.
    #[arg(long, default_value = "v2")]
    pub profile: String,
    /// The relay clock (Unix seconds); default: the scenario's `now`.
    #[arg(long)]
    pub now: Option<u64>,
}

/// Loads the scenarios, filtered by id prefix.
pub fn load(dir: &Path, only: Option<&str>) -> Result<Vec<model::Scenario>, String> {
    let all = model::load_dir(dir).map_err(|e| e.to_string())?;
    Ok(all
        .into_iter()
        .filter(|s| only.is_none_or(|p| s.id.starts_with(p)))
        .collect())
}

/// `openslots-harness client`.
pub fn client(args: &ClientArgs) -> ExitCode {
    let scenarios = match load(&args.scenarios, args.only.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A typo in --only is a usage error (exit status 2), not a run of
    // nothing that passes.
    if let Some(only) = &args.only
        && scenarios.is_empty()
    {
        eprintln!(
            "error: no scenario id starts with {only:?} (see {}; ids are the file names without .json)",
            args.scenarios.display()
        );
        return ExitCode::from(2);
    }
    let mut adapter: Box<dyn ClientAdapter> = match &args.adapter {
        None => Box::new(TransportClient::reference()),
        Some(cmd) => match Process::new(cmd, Duration::from_secs_f64(args.timeout.max(1.0))) {
            Ok(p) => Box::new(TransportClient::new(Box::new(p))),
            // The harness could not do what it was asked: exit status 2
            // (adapter protocol §5).
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let started = std::time::Instant::now();
    match run::run_all(&scenarios, args.profile.as_deref(), adapter.as_mut()) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Ok(outcomes) => {
            println!("client: {}", adapter.name());
            print!("{}", run::render_text(&outcomes));
            println!("total {} ms", started.elapsed().as_millis());
            let skipped = outcomes
                .iter()
                .filter(|o| matches!(o.status, Status::Skip(_)))
                .count();
            if args.no_skip && skipped > 0 {
                eprintln!("error: {skipped} run(s) skipped, and --no-skip was given");
                ExitCode::FAILURE
            } else if outcomes
                .iter()
                .any(|o| matches!(o.status, Status::Fail | Status::Broken(_)))
            {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// `openslots-harness mock-relay`: starts the relays of one scenario and
/// prints their URLs and the scenario's links, until standard input closes.
pub fn mock_relay(args: &MockRelayArgs) -> ExitCode {
    let result = (|| -> Result<(), String> {
        let s = model::load_file(&args.scenario).map_err(|e| e.to_string())?;
        let profile = match args.profile.as_str() {
            "v1" => openslots_oracle::Profile::V1,
            "v2" => openslots_oracle::Profile::V2,
            p => return Err(format!("unknown profile {p}")),
        };
        let fx = build::build(&s, profile)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let clock = Clock::new(args.now.unwrap_or(s.now));
        let running = rt.block_on(relays::start(&s.relays, &fx, &clock))?;
        println!(
            "scenario {} ({}), clock {}",
            s.id,
            args.profile,
            clock.now()
        );
        for r in running.values() {
            let state = if r.relay.is_some() { "" } else { " (down)" };
            println!("relay {}: {}{state}", r.name, r.url);
        }
        for (name, room) in &fx.rooms {
            println!("room {name}: {}", room.link);
        }
        for (name, e) in &fx.events {
            println!("event {name}: {}", e.id);
        }
        println!("close standard input (Ctrl-D) to stop");
        let mut sink = String::new();
        while std::io::stdin()
            .read_line(&mut sink)
            .map_err(|e| e.to_string())?
            > 0
        {
            sink.clear();
        }
        rt.block_on(relays::stop(running));
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
