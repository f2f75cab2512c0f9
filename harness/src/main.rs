//! `openslots-harness`: the conformance harness's command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use openslots_harness::requirements;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
