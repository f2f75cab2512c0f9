//! `openslots-harness`: the conformance harness's command line.
//!
//! `run` checks everything the kit can check (a list of parts: the vector
//! suites, then coverage, then the relay suite against the well-behaved
//! mock relay), against the reference in process unless told otherwise;
//! `vectors` runs the vector suites alone; `relay` runs the relay suite
//! against a relay; `coverage` is the
//! traceability view; `requirements` lists the spec's requirements.
//! Exit status: 0 when everything passed, 1 when a check failed, 2 when
//! the harness could not do what it was asked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use openslots_harness::adapter::{InProcess, Process, Transport};
use openslots_harness::expected::ExpectedFailures;
use openslots_harness::report::{Report, Run, html, json, junit, summary};
use openslots_harness::vectors::Filter;
use openslots_harness::{coverage, fuzz, progress, requirements, scenario, vectors};

const DEFAULT_SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openslots.md");

/// The OpenSlots conformance harness.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Everything the kit checks (the vector suites, coverage, the relay
    /// suite against the well-behaved mock relay), against
    /// the reference implementation in process unless `--adapter` is given.
    Run {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        output: Output,
        /// The spec file (for the coverage part).
        #[arg(long, default_value = DEFAULT_SPEC)]
        spec: PathBuf,
    },
    /// The vector suites through an adapter (or the reference in process).
    Vectors {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        output: Output,
    },
    /// Differential fuzzing: generated inputs for every vector operation the
    /// adapter lists, judged against the reference in process; each
    /// disagreement is shrunk, reported and written as a vector case.
    /// Exit status 1 on any disagreement.
    Fuzz(FuzzArgs),
    /// Client conformance scenarios (`vectors/scenarios/*.json`): a client
    /// against scripted mock relays on a clock the harness owns.
    Client(scenario::cli::ClientArgs),
    /// Runs the relays of one scenario by hand, to debug a client against them.
    MockRelay(scenario::cli::MockRelayArgs),
    /// List the spec's requirements: ID, level, classes, profiles, how tested.
    Requirements {
        /// The spec file.
        #[arg(long, default_value = DEFAULT_SPEC)]
        spec: PathBuf,
        /// Only requirements whose ID starts with this prefix, e.g. `OS-LINK`.
        #[arg(long)]
        prefix: Option<String>,
    },
    /// Traceability: for every requirement, the vectors and tests that cover
    /// it; fails when a requirement that data can test has no case, or one
    /// that can fail lacks a valid or an invalid case.
    Coverage {
        /// The spec file.
        #[arg(long, default_value = DEFAULT_SPEC)]
        spec: PathBuf,
        /// Only requirements whose ID starts with this prefix.
        #[arg(long)]
        prefix: Option<String>,
    },
    /// The relay suite (spec §18): connect to a relay as a client and check
    /// every OS-RELAY requirement. Exit status 1 if a check fails.
    Relay {
        /// The relay's URL, `ws://HOST:PORT`.
        url: String,
        /// Bound of every single wait, in seconds.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
        #[command(flatten)]
        output: Output,
    },
}

/// What implementation to check.
#[derive(Args, Clone, Debug)]
struct Target {
    /// The adapter's command line, e.g. `"node adapter.js --flag"` (split on
    /// whitespace, quotes group; no shell). Without it, the reference runs
    /// in process.
    #[arg(long, value_name = "CMD", conflicts_with = "in_process")]
    adapter: Option<String>,
    /// Run the reference implementation in process (the default).
    #[arg(long)]
    in_process: bool,
    /// Time limit per answer of the adapter, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    timeout: f64,
}

/// The options of `fuzz`.
#[derive(Args, Clone, Debug)]
struct FuzzArgs {
    #[command(flatten)]
    target: Target,
    /// Only this suite (repeatable), e.g. `masks`.
    #[arg(long = "suite", value_name = "S", value_parser = suite_name)]
    suites: Vec<String>,
    /// Only this operation (repeatable), e.g. `decode_v2`.
    #[arg(long = "operation", value_name = "OP")]
    operations: Vec<String>,
    /// Only this profile (repeatable): `v1`, `v2` or `any`.
    #[arg(long = "profile", value_name = "P", value_parser = ["v1", "v2", "any"])]
    profiles: Vec<String>,
    /// Run for this many seconds.
    #[arg(long, value_name = "N", conflicts_with = "cases")]
    seconds: Option<f64>,
    /// Send this many inputs (the default: 10000).
    #[arg(long, value_name = "N")]
    cases: Option<u64>,
    /// The seed (printed; without it, one is drawn and printed).
    #[arg(long, value_name = "X")]
    seed: Option<u64>,
    /// Write each disagreement here as a vector case file.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    output: Output,
}

/// A `--suite` value: the name of a vector file without `.json`. A typo is
/// a usage error (exit status 2), not a run that selects nothing.
fn suite_name(s: &str) -> Result<String, String> {
    let known: Vec<&str> = openslots_vectors::FILES
        .iter()
        .filter_map(|(f, _)| f.strip_suffix(".json"))
        .collect();
    if known.contains(&s) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "no suite {s:?}; the suites are {}",
            known.join(", ")
        ))
    }
}

/// Which cases to run.
#[derive(Args, Clone, Debug)]
struct FilterArgs {
    /// Only this suite (repeatable), e.g. `link`.
    #[arg(long = "suite", value_name = "S", value_parser = suite_name)]
    suites: Vec<String>,
    /// Only this case (repeatable), e.g. `link/12`.
    #[arg(long = "case", value_name = "ID")]
    cases: Vec<String>,
    /// Only cases that check this requirement (repeatable), e.g. `OS-LINK-3`,
    /// or every requirement under a prefix, e.g. `OS-LINK`.
    #[arg(long = "requirement", value_name = "ID")]
    requirements: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Where the report goes.
#[derive(Args, Clone, Debug)]
struct Output {
    /// The format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write JUnit XML here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Known failures of the implementation, each with a reason.
    #[arg(long, value_name = "FILE")]
    expected_failures: Option<PathBuf>,
    /// Rewrite the expected-failures file to list exactly what fails now.
    #[arg(long, requires = "expected_failures")]
    update_expected_failures: bool,
    /// Fail when any case is skipped (an operation or profile the
    /// implementation leaves out of its handshake or answers `unsupported`):
    /// for CI, where an implementation must be checked on every case.
    #[arg(long)]
    no_skip: bool,
}

/// One part of what `run` checks. Parts are run in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// The vector suites through the target.
    Vectors,
    /// The client scenarios through the target, against mock relays.
    Client,
    /// Coverage of the spec's requirements by vectors and tests.
    Coverage,
    /// The relay suite (spec §18): against the relay `relay` names, or
    /// else against the well-behaved scripted mock relay.
    Relay,
}

/// What `run` checks, in order.
const RUN_PARTS: &[Part] = &[Part::Vectors, Part::Client, Part::Coverage, Part::Relay];

fn transport(target: &Target) -> Result<Box<dyn Transport>, String> {
    match &target.adapter {
        Some(cmd) if !target.in_process => {
            if !(target.timeout.is_finite() && target.timeout > 0.0) {
                return Err("--timeout must be a positive number of seconds".into());
            }
            Ok(Box::new(Process::new(
                cmd,
                Duration::from_secs_f64(target.timeout),
            )?))
        }
        _ => Ok(Box::new(InProcess)),
    }
}

/// Keeps only the cases the filter selects, in parts that did not filter
/// themselves.
fn filtered(mut run: Run, filter: &Filter) -> Run {
    if filter.is_empty() {
        return run;
    }
    for s in &mut run.suites {
        let name = s.name.clone();
        s.cases
            .retain(|c| filter.matches(&name, &c.id, &c.requirements));
    }
    run.suites.retain(|s| !s.cases.is_empty());
    run
}

fn check(
    parts: &[Part],
    target: &Target,
    filter: &FilterArgs,
    output: &Output,
    spec: &Path,
    relay: Option<&str>,
) -> Result<bool, String> {
    let filter = Filter {
        suites: filter.suites.clone(),
        cases: filter.cases.clone(),
        requirements: filter.requirements.clone(),
    };
    let expected = match &output.expected_failures {
        Some(path) if output.update_expected_failures && !path.exists() => {
            Some(ExpectedFailures::default())
        }
        Some(path) => Some(ExpectedFailures::load(path)?),
        None => None,
    };
    let mut report = Report::new();
    for part in parts {
        let run = match part {
            Part::Vectors => {
                let mut t = transport(target)?;
                let mut bar = progress::Bar::new();
                vectors::run(t.as_mut(), &filter, &mut bar)
            }
            Part::Client => {
                let mut client = scenario::TransportClient::new(transport(target)?);
                filtered(
                    scenario::report::run(
                        std::path::Path::new(scenario::cli::SCENARIOS),
                        &mut client,
                    ),
                    &filter,
                )
            }
            Part::Coverage => filtered(coverage::check(spec), &filter),
            Part::Relay => filtered(
                openslots_harness::relay::part(relay, target.timeout),
                &filter,
            ),
        };
        if !run.suites.is_empty() || run.error.is_some() || filter.is_empty() {
            report.runs.push(run);
        }
    }
    if !filter.is_empty()
        && report.totals().total == 0
        && report.runs.iter().all(|r| r.error.is_none())
    {
        return Err("the filters select no case (check --suite, --case and --requirement)".into());
    }
    if let (Some(ef), Some(path)) = (expected, &output.expected_failures) {
        let ef = if output.update_expected_failures {
            let new = ef.updated(&report);
            new.save(path)?;
            eprintln!(
                "wrote {} ({} expected failures)",
                path.display(),
                new.expected_failures.len()
            );
            new
        } else {
            ef
        };
        ef.apply(&mut report);
    }
    match output.format {
        Format::Text => print!("{}", summary::render(&report)),
        Format::Json => print!("{}", json::render(&report)),
    }
    if let Some(path) = &output.junit {
        std::fs::write(path, junit::render(&report))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &output.html {
        std::fs::write(path, html::render(&report))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let skipped = report.totals().skip;
    if output.no_skip && skipped > 0 {
        eprintln!("error: {skipped} case(s) skipped, and --no-skip was given");
        return Ok(false);
    }
    Ok(report.ok())
}

fn fuzz(args: &FuzzArgs) -> Result<bool, String> {
    let seed = match args.seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).map_err(|e| format!("no seed: {e}"))?;
            u64::from_le_bytes(b)
        }
    };
    eprintln!("fuzz: seed {seed} (rerun with --seed {seed})");
    let budget = match (args.seconds, args.cases) {
        (Some(s), _) if !(s.is_finite() && s >= 0.0) => {
            return Err("--seconds must be a number of seconds".into());
        }
        (Some(s), _) => fuzz::Budget::Seconds(s),
        (None, Some(n)) => fuzz::Budget::Cases(n),
        (None, None) => fuzz::Budget::Cases(10_000),
    };
    let options = fuzz::Options {
        suites: args.suites.clone(),
        operations: args.operations.clone(),
        profiles: args.profiles.clone(),
        budget,
        seed,
    };
    let mut t = transport(&args.target)?;
    let outcome = fuzz::run(t.as_mut(), &options);
    if let Some(dir) = &args.out {
        let subject = outcome.run.subject.clone().unwrap_or_default();
        for p in fuzz::case::write_all(dir, &outcome.findings, seed, &subject)? {
            eprintln!("wrote {}", p.display());
        }
    }
    let mut report = Report::new();
    report.runs.push(outcome.run);
    emit(&report, &args.output)?;
    Ok(report.ok())
}

/// Writes the report in every format asked for.
fn emit(report: &Report, output: &Output) -> Result<(), String> {
    match output.format {
        Format::Text => print!("{}", summary::render(report)),
        Format::Json => print!("{}", json::render(report)),
    }
    if let Some(path) = &output.junit {
        std::fs::write(path, junit::render(report))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &output.html {
        std::fs::write(path, html::render(report))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn run_coverage(spec: &Path, prefix: Option<&str>) -> Result<bool, String> {
    let reqs = requirements::load(spec).map_err(|e| e.to_string())?;
    let root = spec
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    let rows = coverage::compute(&reqs, root).map_err(|e| e.to_string())?;
    let mut ok = true;
    for row in rows
        .iter()
        .filter(|r| prefix.is_none_or(|p| r.requirement.id.starts_with(p)))
    {
        let r = &row.requirement;
        let status = match row.gap() {
            Some(gap) => {
                ok = false;
                format!("MISSING: {gap}")
            }
            None => "ok".to_owned(),
        };
        println!(
            "{:<14} {:<8} {}",
            r.id,
            r.testability.to_string().split(':').next().unwrap_or(""),
            status
        );
        if !row.cases.is_empty() {
            let mut suites: std::collections::BTreeMap<&str, Vec<u32>> =
                std::collections::BTreeMap::new();
            for c in &row.cases {
                suites.entry(c.suite.as_str()).or_default().push(c.tc_id);
            }
            let list: Vec<String> = suites
                .iter()
                .map(|(s, ids)| {
                    format!(
                        "{s} #{}",
                        ids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
                    )
                })
                .collect();
            println!(
                "    vectors: {} valid, {} invalid: {}",
                row.valid(),
                row.invalid(),
                list.join("; ")
            );
        }
        if let requirements::Testability::Review(reason) = &r.testability {
            println!("    review: {reason}");
        }
        if !row.relay_checks.is_empty() {
            println!("    relay suite: {}", row.relay_checks.join(", "));
        }
        if !row.tests.is_empty() {
            println!("    tests: {}", row.tests.join(", "));
        }
    }
    let unknown = coverage::unknown_ids(&reqs).map_err(|e| e.to_string())?;
    if !unknown.is_empty() {
        ok = false;
        println!(
            "vector cases name requirements the spec does not define: {}",
            unknown.join(", ")
        );
    }
    Ok(ok)
}

fn exit(outcome: Result<bool, String>, what: &str) -> ExitCode {
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("{what}: FAILED");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Client(args) => scenario::cli::client(&args),
        Command::Fuzz(args) => exit(fuzz(&args), "fuzz"),
        Command::MockRelay(args) => scenario::cli::mock_relay(&args),
        Command::Relay { url, .. } if !url.starts_with("ws://") => {
            eprintln!("error: {url:?} is not a ws:// URL");
            ExitCode::from(2)
        }
        Command::Relay {
            url,
            timeout,
            output,
        } => exit(
            check(
                &[Part::Relay],
                &Target {
                    adapter: None,
                    in_process: true,
                    timeout: timeout as f64,
                },
                &FilterArgs {
                    suites: vec![],
                    cases: vec![],
                    requirements: vec![],
                },
                &output,
                Path::new(DEFAULT_SPEC),
                Some(&url),
            ),
            "relay",
        ),
        Command::Run {
            target,
            filter,
            output,
            spec,
        } => exit(
            check(RUN_PARTS, &target, &filter, &output, &spec, None),
            "run",
        ),
        Command::Vectors {
            target,
            filter,
            output,
        } => exit(
            check(
                &[Part::Vectors],
                &target,
                &filter,
                &output,
                Path::new(DEFAULT_SPEC),
                None,
            ),
            "vectors",
        ),
        Command::Coverage { spec, prefix } => {
            exit(run_coverage(&spec, prefix.as_deref()), "coverage")
        }
        Command::Requirements { spec, prefix } => match requirements::load(&spec) {
            Ok(reqs) => {
                let shown: Vec<_> = reqs
                    .iter()
                    .filter(|r| prefix.as_deref().is_none_or(|p| r.id.starts_with(p)))
                    .collect();
                for r in &shown {
                    println!(
                        "{:<14} {:<10} {:<14} {:<7} {}",
                        r.id,
                        r.level,
                        r.classes.join(","),
                        r.profiles.join(","),
                        r.testability
                    );
                }
                println!("{} requirements", shown.len());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
    }
}
