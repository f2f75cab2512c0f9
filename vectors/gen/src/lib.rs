//! Generates the OpenSlots test vectors (`vectors/*.json`) from the reference
//! implementation, deterministically: every key, nonce and timestamp is fixed
//! in the case tables below, so the files change only when a case does.
//!
//! `cargo run -p openslots-vectors-gen` rewrites the files and
//! `vectors/SHA256SUMS`; `cargo test -p openslots-vectors-gen` regenerates in
//! memory and fails on any byte difference, validates every file against its
//! JSON Schema, and confirms the expected values with implementations other
//! than the reference.

use std::collections::BTreeMap;

use openslots_vectors::{Case, Group, VectorFile, Verdict};
use serde::Serialize;
use sha2::{Digest, Sha256};

mod blinding;
mod booking;
mod deployed;
mod derivation;
mod encryption;
mod events;
mod expiry;
mod fixtures;
mod grid;
mod link;
mod masks;
mod payloads;
mod resolve;
mod wrap;

/// The spec version every case follows.
pub const SPEC_VERSION: &str = "0.1.0-draft";
/// What the files name as their generator.
pub const GENERATOR: &str = concat!("openslots-vectors-gen ", env!("CARGO_PKG_VERSION"));

/// What an operation produced: the output or an error code.
pub type Outcome<O> = Result<O, String>;

/// Collects the cases of one suite, grouped by profile and operation in the
/// order they are first used; tcIds count up from 1 in insertion order.
pub(crate) struct Suite<I, M, O> {
    name: &'static str,
    notes: BTreeMap<String, String>,
    groups: Vec<Group<I, M, O>>,
    next_id: u32,
}

/// How a case is judged.
#[derive(Clone, Debug)]
pub(crate) enum Expect<O> {
    /// Whatever the reference gives, valid or invalid.
    Reference,
    /// Acceptable: the reference's outcome or this other one.
    AlsoAllowed(Outcome<O>),
}

impl<I, M, O: Clone> Suite<I, M, O> {
    pub(crate) fn new(name: &'static str) -> Self {
        Self {
            name,
            notes: BTreeMap::new(),
            groups: Vec::new(),
            next_id: 1,
        }
    }

    pub(crate) fn note(&mut self, flag: &str, text: &str) {
        self.notes.insert(flag.to_owned(), text.to_owned());
    }

    /// Adds a case. `outcome` is the reference's; `intermediate` the values on the way.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        profile: &str,
        operation: &str,
        comment: impl Into<String>,
        flags: &[&str],
        requirements: &[&str],
        input: I,
        intermediate: Option<M>,
        outcome: Outcome<O>,
        expect: Expect<O>,
    ) {
        for f in flags {
            assert!(
                self.notes.contains_key(*f),
                "{}: flag {f} has no note",
                self.name
            );
        }
        let (expected, error, result) = match (outcome, expect) {
            (Ok(o), Expect::Reference) => (Some(o), None, Verdict::Valid),
            (Err(e), Expect::Reference) => (None, Some(e), Verdict::Invalid),
            (Ok(o), Expect::AlsoAllowed(Err(e))) | (Err(e), Expect::AlsoAllowed(Ok(o))) => {
                (Some(o), Some(e), Verdict::Acceptable)
            }
            (a, Expect::AlsoAllowed(b)) => panic!(
                "{}: acceptable case needs one value and one error, got {} and {}",
                self.name,
                a.is_ok(),
                b.is_ok()
            ),
        };
        let comment: String = comment.into();
        let mut flags: Vec<String> = flags.iter().map(|f| (*f).to_owned()).collect();
        if result == Verdict::Invalid
            && deployed::accepts(self.name, profile, operation, &comment)
            && !flags.iter().any(|f| f == deployed::FLAG)
        {
            flags.push(deployed::FLAG.to_owned());
            if !self.notes.contains_key(deployed::FLAG) {
                self.notes
                    .insert(deployed::FLAG.to_owned(), deployed::note(self.name));
            }
        }
        let case = Case {
            tc_id: self.next_id,
            comment,
            flags,
            requirements: requirements.iter().map(|r| (*r).to_owned()).collect(),
            input,
            intermediate,
            expected,
            error,
            result,
        };
        self.next_id += 1;
        match self
            .groups
            .iter_mut()
            .find(|g| g.profile == profile && g.operation == operation)
        {
            Some(g) => g.tests.push(case),
            None => self.groups.push(Group {
                profile: profile.to_owned(),
                operation: operation.to_owned(),
                tests: vec![case],
            }),
        }
    }

    pub(crate) fn finish(self) -> VectorFile<I, M, O> {
        let number_of_tests = self.groups.iter().map(|g| g.tests.len()).sum();
        VectorFile {
            suite: self.name.to_owned(),
            spec_version: SPEC_VERSION.to_owned(),
            schema: format!("spec/schemas/vectors-{}.schema.json", self.name),
            generator: GENERATOR.to_owned(),
            number_of_tests,
            notes: self.notes,
            test_groups: self.groups,
        }
    }
}

/// Serialises a file: two-space indentation, a final newline.
fn render<T: Serialize>(value: &T) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

/// Every vector file, name and content, in the order of the spec.
pub fn generate() -> Vec<(String, String)> {
    vec![
        ("link.json".into(), render(&link::suite())),
        ("derivation.json".into(), render(&derivation::suite())),
        ("blinding.json".into(), render(&blinding::suite())),
        ("encryption.json".into(), render(&encryption::suite())),
        ("payloads.json".into(), render(&payloads::suite())),
        ("grid.json".into(), render(&grid::suite())),
        ("masks.json".into(), render(&masks::suite())),
        ("events.json".into(), render(&events::suite())),
        ("expiry.json".into(), render(&expiry::suite())),
        ("lww.json".into(), render(&resolve::lww_suite())),
        (
            "resolution.json".into(),
            render(&resolve::resolution_suite()),
        ),
        ("booking.json".into(), render(&booking::suite())),
        ("wrap.json".into(), render(&wrap::suite())),
    ]
}

/// `SHA256SUMS` for the files: `<hex>  <name>` per line, as `sha256sum` writes.
pub fn checksums(files: &[(String, String)]) -> String {
    files
        .iter()
        .map(|(name, text)| format!("{}  {name}\n", hex::encode(Sha256::digest(text.as_bytes()))))
        .collect()
}
