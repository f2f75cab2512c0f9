//! Writes `vectors/*.json` and `vectors/SHA256SUMS`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = openslots_vectors_gen::generate();
    let mut written = 0;
    for (name, text) in &files {
        if let Err(e) = std::fs::write(dir.join(name), text) {
            eprintln!("error: cannot write {name}: {e}");
            return ExitCode::FAILURE;
        }
        written += 1;
    }
    if let Err(e) = std::fs::write(
        dir.join("SHA256SUMS"),
        openslots_vectors_gen::checksums(&files),
    ) {
        eprintln!("error: cannot write SHA256SUMS: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {written} vector files and SHA256SUMS to {}",
        dir.display()
    );
    ExitCode::SUCCESS
}
