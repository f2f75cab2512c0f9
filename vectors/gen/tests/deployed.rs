//! Every `invalid` v1 case says whether the deployed app accepts it: it
//! carries the `DeployedAccepts` flag (explained in its file's `notes`), or
//! it is listed here as an input that PROTOCOL-FACTS §2 and §3 say the
//! deployed app rejects too, or about which they record nothing (each with
//! the reason). A new invalid v1 case fails this test until it is put on
//! one side; a flag on any other kind of case fails it too.

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
        "rejected: the user sees 'room not found' (flagged Deployed for the order of checks)",
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
                let invalid_v1 = g["profile"] == "v1" && t["result"] == "invalid";
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
