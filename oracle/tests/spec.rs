//! The oracle's lists follow the spec's tables.

#![allow(clippy::unwrap_used, clippy::expect_used)]

/// `code::ALL` is exactly the first column of spec §15's table, in order.
#[test]
fn error_codes_are_those_of_section_15() {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openslots.md"))
            .unwrap();
    let start = spec.find("## 15. Error codes").unwrap();
    let end = start + spec[start..].find("\n## 16.").unwrap();
    let codes: Vec<&str> = spec[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(c, _)| c))
        .collect();
    assert_eq!(codes, openslots_oracle::code::ALL);
}
