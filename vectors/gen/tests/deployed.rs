//! Every `invalid` v1 case says whether the deployed app accepts it: it
//! carries the `DeployedAccepts` flag (explained in its file's `notes`), or
//! it is listed here as an input that PROTOCOL-FACTS §2 and §3 say the
//! deployed app rejects too, or about which they record nothing (each with
//! the reason). A new invalid v1 case fails this test until it is put on
//! one side; a flag on any other kind of case fails it too.
//!
//! Every valid v1 case whose value the deployed app shows differently
//! carries `DeployedDiffers` (spec Appendix B.2): each title and name that
//! JavaScript's `String.prototype.trim`, or the app's "Untitled" and
//! "Anonymous", would show otherwise (computed here, independently of the
//! generator), and the cases listed in `DIFFERS` with the behaviour that
//! makes them differ. The flag on any other case fails the test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::path::Path;

use serde_json::Value;

const FLAG: &str = "DeployedAccepts";

/// (suite, comment, why the case is not flagged).
const NOT_ACCEPTED: &[(&str, &str, &str)] = &[
    (
        "encryption",
        "empty plaintext",
        "rejected: nostr-tools' NIP-44 refuses an empty plaintext",
    ),
    (
        "encryption",
        "65536 bytes: one too many",
        "rejected: room creation fails past 65,535 bytes",
    ),
    (
        "events",
        "another kind (30030, the kind the description named)",
        "rejected: the app queries kind 30078 only",
    ),
    (
        "events",
        "id does not match the content",
        "rejected: nostr-tools verifies the id",
    ),
    (
        "events",
        "signature does not verify",
        "rejected: nostr-tools verifies the signature",
    ),
    (
        "events",
        "no t tag",
        "rejected: the app's query filters on the t tag",
    ),
    (
        "events",
        "content is not a NIP-44 payload",
        "rejected: NIP-44 decoding is strict",
    ),
    ("link", "empty link", "not recorded: no link, no room page"),
    ("link", "two '#'", "not recorded"),
    ("link", "query before the fragment", "not recorded"),
    ("link", "'?' inside the path", "not recorded"),
    (
        "link",
        "ftp scheme",
        "not recorded: the app is served over https",
    ),
    (
        "link",
        "upper-case scheme",
        "not recorded: the browser normalises the scheme before the app sees it",
    ),
    ("link", "no scheme", "not recorded"),
    ("link", "empty authority", "not recorded"),
    ("link", "no path", "not recorded: no room page"),
    (
        "link",
        "'rooms' instead of 'room'",
        "not recorded: no room page",
    ),
    (
        "link",
        "trailing slash after the room id",
        "not recorded: depends on the app's router",
    ),
    ("link", "space in the origin", "not recorded"),
    ("link", "non-ASCII origin", "not recorded"),
    ("link", "backslash in the path", "not recorded"),
    ("link", "room id missing", "not recorded: no room page"),
    (
        "lww",
        "only invalid versions: room not found",
        "rejected: the user sees 'room not found' (the app fails on the newest version; here every version is invalid)",
    ),
    (
        "masks",
        "first clear",
        "not recorded: the app writes trimmed masks; reading one is not observed",
    ),
    (
        "masks",
        "last clear",
        "not recorded: the app writes trimmed masks; reading one is not observed",
    ),
    ("masks", "nothing offered", "not recorded"),
    (
        "masks",
        "no slots",
        "not recorded: the app's form needs a slot",
    ),
    (
        "masks",
        "65536 slots of span: over the v1 limit",
        "rejected: room creation fails past NIP-44's limit",
    ),
    (
        "masks",
        "the whole i64 range",
        "rejected: room creation fails past NIP-44's limit",
    ),
    (
        "payloads",
        "v1 title that makes the plaintext exceed 65535 bytes",
        "rejected: room creation fails past NIP-44's limit",
    ),
    ("payloads", "not JSON", "rejected: JSON.parse throws"),
    (
        "payloads",
        "trailing garbage",
        "rejected: JSON.parse throws",
    ),
    (
        "payloads",
        "room mask starting with 0",
        "not recorded: the app writes trimmed masks; reading one is not observed",
    ),
    (
        "events",
        "the same event with its id over NIP-01's verbatim reading (a raw U+0001 byte in the serialisation) is rejected",
        "rejected: nostr-tools hashes JSON.stringify's serialisation, which writes U+0001 as \\u0001, so the id does not verify",
    ),
    (
        "resolution",
        "no room event: room not found",
        "rejected: room not found",
    ),
    ("resolution", "no events at all", "rejected: room not found"),
    (
        "events",
        "writer: room mask with no position",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "events",
        "writer: room mask whose first and last positions are clear",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "events",
        "writer: response mask with no position",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "payloads",
        "writer: room mask with no position",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "payloads",
        "writer: room mask whose first position is clear",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "payloads",
        "writer: room mask of 65536 positions: the mask limit is checked before the payload size",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "payloads",
        "writer: room mask of one clear position",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "payloads",
        "writer: response mask with no position",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "payloads",
        "writer: response mask of 65536 positions",
        "not recorded: the app's writers build masks from chosen slots and never take one given",
    ),
    (
        "events",
        "two faults, kind 30030 and an id that no longer matches: event-kind (step 2 before step 3)",
        "rejected: the app asks relays for kind 30078 only",
    ),
];

#[test]
fn every_invalid_v1_case_says_whether_the_deployed_app_accepts_it() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors"));
    let mut wrong = Vec::new();
    let mut flagged = 0;
    let mut listed_seen = vec![false; NOT_ACCEPTED.len()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let suite = file["suite"].as_str().unwrap();
        let has_note = file["notes"].get(FLAG).is_some();
        for g in file["testGroups"].as_array().unwrap() {
            for t in g["tests"].as_array().unwrap() {
                let id = format!("{suite}/{}", t["tcId"]);
                let comment = t["comment"].as_str().unwrap();
                let is_flagged = t["flags"].as_array().unwrap().iter().any(|f| f == FLAG);
                // `any` groups hold operations of both profiles; the flag
                // applies where the deployed app runs the same operation.
                let flagged_any = g["profile"] == "any" && t["result"] == "invalid" && is_flagged;
                let invalid_v1 = (g["profile"] == "v1" && t["result"] == "invalid") || flagged_any;
                let listed = NOT_ACCEPTED
                    .iter()
                    .position(|(s, c, _)| *s == suite && *c == comment);
                if let Some(i) = listed {
                    listed_seen[i] = true;
                }
                match (invalid_v1, is_flagged, listed) {
                    (true, true, None) => {
                        flagged += 1;
                        if !has_note {
                            wrong.push(format!(
                                "{id}: flagged, but {suite}.json has no note for {FLAG}"
                            ));
                        }
                    }
                    (true, false, Some(_)) => {}
                    (true, true, Some(_)) => wrong.push(format!(
                        "{id} ({comment:?}): flagged and listed as not accepted"
                    )),
                    (true, false, None) => wrong.push(format!(
                        "{id} ({comment:?}): invalid v1 case neither flagged {FLAG} nor listed here"
                    )),
                    (false, true, _) => {
                        wrong.push(format!("{id}: {FLAG} on a case that is not invalid v1"))
                    }
                    (false, false, _) => {}
                }
            }
        }
    }
    for (i, seen) in listed_seen.iter().enumerate() {
        if !seen {
            wrong.push(format!("listed but no such case: {:?}", NOT_ACCEPTED[i]));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(flagged >= 50, "only {flagged} cases flagged");
}

/// The characters `String.prototype.trim` removes: ECMAScript's WhiteSpace
/// (TAB, VT, FF, ZWNBSP, and Unicode's Space_Separator: U+0020, U+00A0,
/// U+1680, U+2000..=U+200A, U+202F, U+205F, U+3000) and LineTerminator
/// (LF, CR, U+2028, U+2029).
fn js_trim_removes(c: char) -> bool {
    matches!(
        c,
        '\u{0009}'
            | '\u{000A}'
            | '\u{000B}'
            | '\u{000C}'
            | '\u{000D}'
            | '\u{0020}'
            | '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// What the deployed app shows for a title or a name.
fn shown(text: &str, blank: &str) -> String {
    let t = text.trim_matches(js_trim_removes);
    if t.is_empty() {
        blank.to_owned()
    } else {
        t.to_owned()
    }
}

/// (suite, comment, what makes the deployed app's value differ): the valid
/// cases that differ for a reason other than how titles and names are shown.
const DIFFERS: &[(&str, &str, &str)] = &[
    (
        "lww",
        "a copy of the winner with a bad signature does not hide it (its id has a valid copy: not listed as rejected)",
        "nostr-tools marks the id as seen before verifying: the forged copy, first, hides the winner (OS-LWW-6)",
    ),
    (
        "lww",
        "a newer undecryptable version is rejected; the older one wins",
        "keeps the newest room event before checking it: room not found (OS-RES-2)",
    ),
    (
        "lww",
        "two responses with equal created_at: the lowest id wins",
        "equal created_at resolves by arrival: the later one wins (OS-LWW-1)",
    ),
    (
        "lww",
        "a newer invalid response (one slot too long) does not displace the valid one",
        "a newer invalid response replaces the valid one (OS-LWW-2)",
    ),
    (
        "lww",
        "a response re-posted under another key is rejected",
        "no d-tag check: the re-poster is a participant (OS-EVENT-11)",
    ),
    (
        "lww",
        "a participant's newer response has expired: it ends the older one, which does not come back",
        "reads no expiration: the expired response counts (OS-EXPIRY-3)",
    ),
    (
        "masks",
        "longer and shorter responses: extra bits ignored",
        "counts bits beyond the room's last slot (OS-MASK-9)",
    ),
    (
        "events",
        "a second version within the same second",
        "writes floor(now), never previous + 1 (OS-EVENT-9)",
    ),
    (
        "events",
        "the clock went back",
        "writes floor(now), never previous + 1 (OS-EVENT-9)",
    ),
];

/// Whether the deployed app shows this valid case's title or names
/// differently from the expected strings.
fn display_differs(suite: &str, operation: &str, expected: &Value) -> bool {
    let title = |v: &Value| v.as_str().is_some_and(|t| shown(t, "Untitled") != t);
    let name = |v: &Value| v.as_str().is_some_and(|n| shown(n, "Anonymous") != n);
    match (suite, operation) {
        ("payloads", "read_room") => title(&expected["title"]),
        ("payloads", "read_response") => name(&expected["name"]),
        ("lww" | "resolution", "resolve") => {
            title(&expected["title"])
                || expected["participants"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| name(&p["name"])))
        }
        _ => false,
    }
}

#[test]
fn every_valid_v1_case_the_deployed_app_shows_differently_is_flagged() {
    const DIFFERS_FLAG: &str = "DeployedDiffers";
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors"));
    let mut wrong = Vec::new();
    let mut by_display = 0;
    let mut listed_seen = vec![false; DIFFERS.len()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let suite = file["suite"].as_str().unwrap();
        let has_note = file["notes"].get(DIFFERS_FLAG).is_some();
        for g in file["testGroups"].as_array().unwrap() {
            let operation = g["operation"].as_str().unwrap();
            for t in g["tests"].as_array().unwrap() {
                let id = format!("{suite}/{}", t["tcId"]);
                let comment = t["comment"].as_str().unwrap();
                let flagged = t["flags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f == DIFFERS_FLAG);
                let deployed_reads = g["profile"] == "v1" || g["profile"] == "any";
                let valid = t["result"] == "valid";
                let listed = DIFFERS
                    .iter()
                    .position(|(s, c, _)| *s == suite && *c == comment);
                if let Some(i) = listed {
                    listed_seen[i] = true;
                }
                let display =
                    deployed_reads && valid && display_differs(suite, operation, &t["expected"]);
                if display {
                    by_display += 1;
                }
                let should = deployed_reads && valid && (display || listed.is_some());
                if flagged && !has_note {
                    wrong.push(format!(
                        "{id}: flagged, but {suite}.json has no note for {DIFFERS_FLAG}"
                    ));
                }
                match (should, flagged) {
                    (true, false) => wrong.push(format!(
                        "{id} ({comment:?}): the deployed app shows another value, not flagged {DIFFERS_FLAG}"
                    )),
                    (false, true) => wrong.push(format!(
                        "{id} ({comment:?}): flagged {DIFFERS_FLAG}, but neither its title or names nor the list say why"
                    )),
                    _ => {}
                }
            }
        }
    }
    for (i, seen) in listed_seen.iter().enumerate() {
        if !seen {
            wrong.push(format!("listed but no such case: {:?}", DIFFERS[i]));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every character of the trim set, leading and trailing, for a title
    // and a name, a blank of each, payloads 23 and the resolution case.
    assert!(
        by_display >= 2 * 25 + 4 + 2,
        "only {by_display} cases shown differently"
    );
}

#[test]
fn the_trim_set_is_ecmascripts() {
    // The set has 25 characters; U+0085, U+180E and U+200B are not in it.
    let all: Vec<char> = (0..=0x10FFFF)
        .filter_map(char::from_u32)
        .filter(|&c| js_trim_removes(c))
        .collect();
    assert_eq!(all.len(), 25);
    for c in ['\u{0085}', '\u{180E}', '\u{200B}'] {
        assert!(!js_trim_removes(c));
    }
    assert_eq!(shown("\u{3000}Team sync\n", "Untitled"), "Team sync");
    assert_eq!(shown(" \t", "Anonymous"), "Anonymous");
}
