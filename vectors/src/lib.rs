//! The OpenSlots test vectors as typed, iterable cases.
//!
//! This crate carries the JSON files of `vectors/` and nothing of the
//! reference implementation: an implementation in Rust depends on it to test
//! itself against exactly the bytes everyone else tests against.
//!
//! Every file has the same envelope ([`VectorFile`]): a header and groups of
//! cases, each group one operation in one profile. A case ([`Case`]) names
//! the requirements it tests, gives its input, the intermediate values that
//! localise a bug, and either the expected output (`result` valid), the
//! expected error code (`result` invalid), or both (`result` acceptable: the
//! spec allows either outcome).
//!
//! ```
//! let file = openslots_vectors::derivation().expect("the committed file parses");
//! for group in &file.test_groups {
//!     for case in &group.tests {
//!         assert!(!case.requirements.is_empty());
//!     }
//! }
//! ```

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub mod suites;

pub use suites::*;

/// The outcome a case expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The operation succeeds with `expected`.
    Valid,
    /// The operation fails with `error`.
    Invalid,
    /// The spec allows either `expected` or `error`.
    Acceptable,
}

/// A vector file: header and groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VectorFile<I, M, O> {
    /// The suite's name, which is also the file's stem.
    pub suite: String,
    /// The version of `spec/openslots.md` the cases follow.
    pub spec_version: String,
    /// The JSON Schema of this file, relative to the repository root.
    pub schema: String,
    /// What generated the file.
    pub generator: String,
    /// The number of cases in all groups.
    pub number_of_tests: usize,
    /// What each flag used in the file means.
    pub notes: BTreeMap<String, String>,
    /// The groups of cases.
    pub test_groups: Vec<Group<I, M, O>>,
}

/// Cases of one operation in one profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group<I, M, O> {
    /// `v1` or `v2`; `any` where the operation does not depend on the profile.
    pub profile: String,
    /// The operation, as named in the adapter protocol.
    pub operation: String,
    /// The cases.
    pub tests: Vec<Case<I, M, O>>,
}

/// One test case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Case<I, M, O> {
    /// Unique and stable within the file.
    pub tc_id: u32,
    /// One line on what the case checks.
    pub comment: String,
    /// Flags explained in the file's `notes`.
    pub flags: Vec<String>,
    /// The requirement IDs the case tests.
    pub requirements: Vec<String>,
    /// The input.
    pub input: I,
    /// Values computed on the way, to localise a bug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intermediate: Option<M>,
    /// The output (valid and acceptable cases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<O>,
    /// The error code (invalid and acceptable cases).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the case expects.
    pub result: Verdict,
}

impl<I, M, O> VectorFile<I, M, O> {
    /// Every case with its group's profile and operation.
    pub fn cases(&self) -> impl Iterator<Item = (&str, &str, &Case<I, M, O>)> {
        self.test_groups.iter().flat_map(|g| {
            g.tests
                .iter()
                .map(move |c| (g.profile.as_str(), g.operation.as_str(), c))
        })
    }
}

/// Why a vector file could not be read.
#[derive(Debug)]
pub struct ParseError {
    /// The file.
    pub file: &'static str,
    /// What serde said.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for ParseError {}

fn parse<T: DeserializeOwned>(file: &'static str, text: &str) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| ParseError {
        file,
        message: e.to_string(),
    })
}

macro_rules! suite_files {
    ($($(#[$doc:meta])* $fn_name:ident, $file:literal, $ty:ty;)*) => {
        /// Every suite: file name and text, in the order of the spec.
        pub const FILES: &[(&str, &str)] = &[$(($file, include_str!(concat!("../", $file)))),*];

        $(
            $(#[$doc])*
            pub fn $fn_name() -> Result<$ty, ParseError> {
                parse($file, include_str!(concat!("../", $file)))
            }
        )*
    };
}

suite_files! {
    /// `link.json`: link parsing (spec §4).
    link, "link.json", LinkFile;
    /// `derivation.json`: key derivation (spec §5).
    derivation, "derivation.json", DerivationFile;
    /// `blinding.json`: blinded identifiers (spec §6).
    blinding, "blinding.json", BlindingFile;
    /// `encryption.json`: NIP-44 v2 with the room key (spec §7).
    encryption, "encryption.json", EncryptionFile;
    /// `payloads.json`: payload serialisation and reading (spec §8).
    payloads, "payloads.json", PayloadFile;
    /// `grid.json`: the slot grid (spec §9).
    grid, "grid.json", GridFile;
    /// `masks.json`: masks (spec §10).
    masks, "masks.json", MaskFile;
    /// `events.json`: events and tags (spec §11).
    events, "events.json", EventFile;
    /// `expiry.json`: NIP-40 expiry (spec §12).
    expiry, "expiry.json", ExpiryFile;
    /// `lww.json`: last-write-wins (spec §13).
    lww, "lww.json", LwwFile;
    /// `resolution.json`: resolution (spec §14).
    resolution, "resolution.json", ResolutionFile;
    /// `booking.json`: bookings (spec §19.1).
    booking, "booking.json", BookingFile;
    /// `wrap.json`: member access (spec §19.2).
    wrap, "wrap.json", WrapFile;
}
