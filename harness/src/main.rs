//! `openslots-harness`: the conformance harness's command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use openslots_harness::{coverage, requirements};

/// The OpenSlots conformance harness.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the spec's requirements: ID, level, classes, profiles, how tested.
    Requirements {
        /// The spec file.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openslots.md"))]
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
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openslots.md"))]
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
        /// Report format: `text` or `json`.
        #[arg(long, default_value = "text")]
        format: String,
        /// Bound of every single wait, in seconds.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
}

fn run_coverage(spec: &std::path::Path, prefix: Option<&str>) -> Result<bool, String> {
    let reqs = requirements::load(spec).map_err(|e| e.to_string())?;
    let root = spec
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap_or(std::path::Path::new("."));
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Relay {
            url,
            format,
            timeout,
        } => openslots_harness::relay::cli(&url, &format, timeout),
        Command::Coverage { spec, prefix } => match run_coverage(&spec, prefix.as_deref()) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => {
                eprintln!("coverage: some requirements are not covered (see MISSING above)");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
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
                ExitCode::FAILURE
            }
        },
    }
}
