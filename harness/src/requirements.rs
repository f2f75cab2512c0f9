//! The spec's requirements, read from its Markdown (spec §1, "Conventions").
//!
//! Every requirement is a list item of the form
//!
//! ```text
//! - **OS-AREA-N** (class; profiles; test) Text with a BCP 14 keyword …
//! ```
//!
//! where `class` is `client`, `crypto` or `relay` (or several, comma
//! separated), `profiles` is `v1`, `v2` or `v1, v2`, and `test` is
//! `vectors`, `scenario`, `relay suite` or `review: <reason>`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// How a requirement is tested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Testability {
    /// Test vectors can check it.
    Vectors,
    /// A scenario against the mock relay checks it.
    Scenario,
    /// The relay suite checks it against a running relay (spec §18).
    RelaySuite,
    /// Nothing automatic can; a reviewer checks it, for the reason given.
    Review(String),
}

/// One normative requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The stable ID, e.g. `OS-LINK-1`.
    pub id: String,
    /// The area, e.g. `LINK`.
    pub area: String,
    /// The number within the area.
    pub number: u32,
    /// Conformance classes it applies to.
    pub classes: Vec<String>,
    /// Profiles it applies to (`v1`, `v2`).
    pub profiles: Vec<String>,
    /// How it is tested.
    pub testability: Testability,
    /// The strongest BCP 14 keyword in its text (`MUST`, `SHOULD`, `MAY`…).
    pub level: String,
    /// The requirement's text, without the ID and the parenthesis.
    pub text: String,
    /// 1-based line in the spec file.
    pub line: usize,
}

/// A problem in the spec's requirement list.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpecFormatError {
    /// A list item starts like a requirement but its ID is malformed.
    #[error("line {line}: malformed requirement ID {id:?}")]
    BadId {
        /// The line.
        line: usize,
        /// What was found.
        id: String,
    },
    /// The parenthesis after the ID is missing or has the wrong parts.
    #[error("line {line}: {id}: expected `(class; profiles; test)` after the ID")]
    BadAttributes {
        /// The line.
        line: usize,
        /// The requirement.
        id: String,
    },
    /// The same ID is defined twice.
    #[error("line {line}: {id} is defined again (first on line {first})")]
    Duplicate {
        /// The line of the second definition.
        line: usize,
        /// The first definition's line.
        first: usize,
        /// The requirement.
        id: String,
    },
    /// The requirement has no BCP 14 keyword.
    #[error("line {line}: {id} has no BCP 14 keyword (MUST, SHOULD, MAY…)")]
    NoKeyword {
        /// The line.
        line: usize,
        /// The requirement.
        id: String,
    },
}

const KEYWORDS: &[&str] = &[
    "MUST NOT",
    "MUST",
    "REQUIRED",
    "SHALL NOT",
    "SHALL",
    "SHOULD NOT",
    "SHOULD",
    "RECOMMENDED",
    "NOT RECOMMENDED",
    "MAY",
    "OPTIONAL",
];

fn parse_id(id: &str) -> Option<(String, u32)> {
    let rest = id.strip_prefix("OS-")?;
    let (area, number) = rest.rsplit_once('-')?;
    if area.is_empty()
        || !area
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return None;
    }
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || number.starts_with('0') {
        return None;
    }
    Some((area.to_owned(), number.parse().ok()?))
}

fn strongest_keyword(text: &str) -> Option<&'static str> {
    // Order of strength: MUST-level, then SHOULD-level, then MAY-level.
    let has = |k: &str| {
        text.match_indices(k).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + k.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphabetic())
                && !after.is_some_and(|c| c.is_ascii_alphabetic())
        })
    };
    KEYWORDS.iter().copied().find(|k| has(k)).map(|k| match k {
        "REQUIRED" | "SHALL" | "MUST" => "MUST",
        "SHALL NOT" | "MUST NOT" => "MUST NOT",
        "RECOMMENDED" | "SHOULD" => "SHOULD",
        "NOT RECOMMENDED" | "SHOULD NOT" => "SHOULD NOT",
        "OPTIONAL" | "MAY" => "MAY",
        other => other,
    })
}

/// Reads every requirement from spec Markdown text.
pub fn parse(markdown: &str) -> Result<Vec<Requirement>, SpecFormatError> {
    let mut out: Vec<Requirement> = Vec::new();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in markdown.lines().enumerate() {
        let line = i + 1;
        let Some(rest) = raw.strip_prefix("- **OS-") else {
            continue;
        };
        let Some((id_tail, after)) = rest.split_once("**") else {
            return Err(SpecFormatError::BadId {
                line,
                id: rest.to_owned(),
            });
        };
        let id = format!("OS-{id_tail}");
        let Some((area, number)) = parse_id(&id) else {
            return Err(SpecFormatError::BadId { line, id });
        };
        let bad_attrs = || SpecFormatError::BadAttributes {
            line,
            id: id.clone(),
        };
        let after = after.trim_start();
        let inner_and_text = after.strip_prefix('(').ok_or_else(bad_attrs)?;
        let (inner, text) = inner_and_text.split_once(')').ok_or_else(bad_attrs)?;
        let parts: Vec<&str> = inner.splitn(3, ';').map(str::trim).collect();
        let [classes, profiles, test] = parts.as_slice() else {
            return Err(bad_attrs());
        };
        let testability = match *test {
            "vectors" => Testability::Vectors,
            "scenario" => Testability::Scenario,
            "relay suite" => Testability::RelaySuite,
            t => match t.strip_prefix("review:") {
                Some(reason) if !reason.trim().is_empty() => {
                    Testability::Review(reason.trim().to_owned())
                }
                _ => return Err(bad_attrs()),
            },
        };
        let split = |s: &str| -> Vec<String> {
            s.split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        };
        let profiles = split(profiles);
        if profiles.is_empty() || profiles.iter().any(|p| p != "v1" && p != "v2") {
            return Err(bad_attrs());
        }
        let classes = split(classes);
        if classes.is_empty()
            || classes
                .iter()
                .any(|c| !matches!(c.as_str(), "client" | "crypto" | "relay"))
        {
            return Err(bad_attrs());
        }
        let text = text.trim().to_owned();
        let Some(level) = strongest_keyword(&text) else {
            return Err(SpecFormatError::NoKeyword { line, id });
        };
        if let Some(&first) = first_line.get(&id) {
            return Err(SpecFormatError::Duplicate { line, first, id });
        }
        first_line.insert(id.clone(), line);
        out.push(Requirement {
            id,
            area,
            number,
            classes,
            profiles,
            testability,
            level: level.to_owned(),
            text,
            line,
        });
    }
    Ok(out)
}

/// Reads the requirements of the spec file at `path`.
pub fn load(path: &Path) -> Result<Vec<Requirement>, LoadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::Io(path.display().to_string(), e.to_string()))?;
    Ok(parse(&text)?)
}

/// Why the spec could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {0}: {1}")]
    Io(String, String),
    /// The file's requirement list is malformed.
    #[error(transparent)]
    Format(#[from] SpecFormatError),
}

impl fmt::Display for Testability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Vectors => f.write_str("vectors"),
            Self::Scenario => f.write_str("scenario"),
            Self::RelaySuite => f.write_str("relay suite"),
            Self::Review(reason) => write!(f, "review: {reason}"),
        }
    }
}

/// Every requirement ID mentioned in `text` (`OS-AREA-N`, not followed by a digit).
pub fn mentioned_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(pos) = text[start..].find("OS-") {
        let begin = start + pos;
        let mut end = begin + 3;
        while end < bytes.len()
            && (bytes[end].is_ascii_uppercase()
                || bytes[end].is_ascii_digit()
                || bytes[end] == b'-')
        {
            end += 1;
        }
        let candidate = text[begin..end].trim_end_matches('-');
        if parse_id(candidate).is_some() {
            out.push(candidate.to_owned());
        }
        start = end.max(begin + 3);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_requirement() {
        let md = "intro\n- **OS-LINK-3** (client; v1; vectors) The key MUST be 64 characters (`link-key-length`).\n- **OS-KDF-6** (client, crypto; v1, v2; review: zeroization) Secrets SHOULD be zeroized.\n";
        let reqs = parse(md).unwrap();
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].id, "OS-LINK-3");
        assert_eq!(reqs[0].area, "LINK");
        assert_eq!(reqs[0].number, 3);
        assert_eq!(reqs[0].level, "MUST");
        assert_eq!(reqs[0].line, 2);
        assert_eq!(reqs[1].classes, vec!["client", "crypto"]);
        assert_eq!(
            reqs[1].testability,
            Testability::Review("zeroization".into())
        );
        assert_eq!(reqs[1].level, "SHOULD");
        let relay =
            parse("- **OS-RELAY-4** (relay; v1, v2; relay suite) A relay SHOULD honour `limit`.")
                .unwrap();
        assert_eq!(relay[0].testability, Testability::RelaySuite);
        assert_eq!(relay[0].testability.to_string(), "relay suite");
        assert_eq!(relay[0].classes, vec!["relay"]);
    }

    #[test]
    fn rejects_malformed_items() {
        assert!(matches!(
            parse("- **OS-LINK-01** (client; v1; vectors) MUST"),
            Err(SpecFormatError::BadId { .. })
        ));
        assert!(matches!(
            parse("- **OS-LINK-1** client MUST"),
            Err(SpecFormatError::BadAttributes { .. })
        ));
        assert!(matches!(
            parse("- **OS-LINK-1** (client; v3; vectors) MUST"),
            Err(SpecFormatError::BadAttributes { .. })
        ));
        assert!(matches!(
            parse("- **OS-LINK-1** (client; v1; review:) MUST"),
            Err(SpecFormatError::BadAttributes { .. })
        ));
        assert!(matches!(
            parse("- **OS-RELAY-1** (relay; v1; relay-suite) MUST"),
            Err(SpecFormatError::BadAttributes { .. })
        ));
        assert!(matches!(
            parse("- **OS-LINK-1** (client; v1; vectors) must"),
            Err(SpecFormatError::NoKeyword { .. })
        ));
        let dup =
            "- **OS-A-1** (client; v1; vectors) MUST\n- **OS-A-1** (client; v1; vectors) MUST";
        assert!(matches!(
            parse(dup),
            Err(SpecFormatError::Duplicate {
                first: 1,
                line: 2,
                ..
            })
        ));
    }

    #[test]
    fn finds_mentions() {
        assert_eq!(
            mentioned_ids("see OS-LINK-1, OS-MASK-12; not OS-, OS-x-1 or OS-LINK-"),
            vec!["OS-LINK-1", "OS-MASK-12"]
        );
    }
}
