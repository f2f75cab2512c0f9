//! Prints the payload-size table of `benches/README.md` (spec §10.5):
//! `cargo run -p openslots-benches --bin payload-sizes`.

use std::process::ExitCode;

fn main() -> ExitCode {
    match openslots_benches::sizes::table() {
        Some(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("payload-sizes: the reference refused a payload it should write");
            ExitCode::FAILURE
        }
    }
}
