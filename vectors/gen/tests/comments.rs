//! The vectors' comments say what their cases hold: every count list, mask
//! and error code a comment states is checked against the case itself, so
//! a comment cannot drift from the value it describes (masks 66 and 67 once
//! did). The rules, each applied wherever a comment has that form:
//!
//! - `counts A, B, C (note), D`: `expected.counts` is exactly that list;
//! - a comment that ends in `: <bits>` (only `0` and `1`): `expected.mask`
//!   is that string;
//! - a comment that names a code of spec §15 (a hyphenated code such as
//!   `mask-off-grid`): the case's `error` is that code, or its expected
//!   value holds it (the refusals of a booking manifest);
//! - a comment that says `nothing` for `rebase` or `choose_response`: the
//!   expected mask has no set bit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::path::Path;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The hyphenated codes of spec §15's table.
fn codes() -> Vec<String> {
    let spec = std::fs::read_to_string(root().join("spec/openslots.md")).unwrap();
    spec.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once("` |").map(|(c, _)| c.to_owned()))
        .filter(|c| c.contains('-') && c.chars().all(|x| x.is_ascii_lowercase() || x == '-'))
        .collect()
}

/// Every case of every vector file as (`suite/tcId`, operation, case).
fn all_cases() -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("vectors")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let suite = file["suite"].as_str().unwrap().to_owned();
        for g in file["testGroups"].as_array().unwrap() {
            for t in g["tests"].as_array().unwrap() {
                out.push((
                    format!("{suite}/{}", t["tcId"]),
                    g["operation"].as_str().unwrap().to_owned(),
                    t.clone(),
                ));
            }
        }
    }
    out
}

/// `counts 2, 3, 0 (not offered), 2` as the numbers, notes dropped.
fn stated_counts(comment: &str) -> Option<Vec<u64>> {
    let rest = &comment[comment.find("counts ")? + "counts ".len()..];
    let mut out = Vec::new();
    for part in rest.split(',') {
        let digits: String = part
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.is_empty() {
            break;
        }
        out.push(digits.parse().unwrap());
    }
    (!out.is_empty()).then_some(out)
}

/// The bits a comment ends with, after `: `.
fn stated_bits(comment: &str) -> Option<&str> {
    let (_, tail) = comment.rsplit_once(": ")?;
    (!tail.is_empty() && tail.chars().all(|c| c == '0' || c == '1')).then_some(tail)
}

/// Whether `word` occurs in `text` as a whole hyphenated word.
fn names(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
        !part(before) && !part(after)
    })
}

#[test]
fn every_comment_states_what_its_case_holds() {
    let codes = codes();
    assert!(codes.len() > 30, "spec §15's codes not found: {codes:?}");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (id, op, t) in all_cases() {
        let comment = t["comment"].as_str().unwrap();
        if let Some(counts) = stated_counts(comment) {
            checked += 1;
            let got: Option<Vec<u64>> = t["expected"]["counts"]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_u64().unwrap()).collect());
            if got.as_ref() != Some(&counts) {
                wrong.push(format!(
                    "{id}: {comment:?} states counts {counts:?}, the case has {got:?}"
                ));
            }
        }
        if let Some(bits) = stated_bits(comment) {
            checked += 1;
            if t["expected"]["mask"].as_str() != Some(bits) {
                wrong.push(format!(
                    "{id}: {comment:?} states {bits}, the case has {}",
                    t["expected"]["mask"]
                ));
            }
        }
        for code in codes.iter().filter(|c| names(comment, c)) {
            checked += 1;
            // A code a valid case's value holds (a booking manifest's
            // refusals) is stated by the value, not by an error.
            let in_value = t["expected"].to_string().contains(&format!("\"{code}\""));
            if t["error"].as_str() != Some(code.as_str()) && !in_value {
                wrong.push(format!(
                    "{id}: {comment:?} names {code}, the case has error {}",
                    t["error"]
                ));
            }
        }
        if (op == "rebase" || op == "choose_response") && names(comment, "nothing") {
            checked += 1;
            let mask = t["expected"]["mask"].as_str();
            if mask.is_none_or(|m| m.contains('1')) {
                wrong.push(format!(
                    "{id}: {comment:?} says nothing, the case has {}",
                    t["expected"]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        checked >= 10,
        "only {checked} statements found: the patterns no longer match"
    );
}

#[test]
fn the_patterns_catch_the_mistakes_they_are_for() {
    assert_eq!(
        stated_counts("counts 2, 2, 0 (not offered), 2"),
        Some(vec![2, 2, 0, 2])
    );
    assert_eq!(
        stated_bits("the first and the last offered slot: 10001"),
        Some("10001")
    );
    assert_eq!(stated_bits("start 1000: one slot"), None);
    assert!(names("or link-key-encoding", "link-key-encoding"));
    assert!(!names("or link-key-encodings", "link-key-encoding"));
}
