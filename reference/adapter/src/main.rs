//! `openslots-adapter`: the reference implementation behind the adapter
//! protocol's JSON Lines, on standard input and output.

use std::io::{BufReader, BufWriter};
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let input = BufReader::with_capacity(1 << 16, stdin);
    let output = BufWriter::with_capacity(1 << 16, stdout.lock());
    match openslots_adapter::serve(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("openslots-adapter: {e}");
            ExitCode::FAILURE
        }
    }
}
