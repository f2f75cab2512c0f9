//! Which invalid v1 cases the deployed app accepts (the `DeployedAccepts`
//! flag, Wycheproof's practice of a named flag explained in `notes`): the
//! cases a generator module does not flag at the push site, named by suite,
//! operation and comment, each with what the deployed app does instead
//! (PROTOCOL-FACTS §2, "Deployed client behaviour" and "More observed
//! behaviours"). `vectors/gen/tests/deployed.rs` holds every invalid v1
//! case to this: flagged, or listed there as one the facts do not record
//! the deployed app accepting.

/// The flag.
pub(crate) const FLAG: &str = "DeployedAccepts";

/// (suite, operation, comment, what the deployed app does instead).
const ACCEPTS: &[(&str, &str, &str, &str)] = &[
    ("link", "parse_link", "no fragment", "generates a fresh key"),
    (
        "link",
        "parse_link",
        "empty room id",
        "hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "room id without hyphens",
        "hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "room id with braces",
        "hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "room id one character short",
        "hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "room id with a non-hex character",
        "hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "room id with hyphens moved",
        "hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "room id percent-encoded",
        "hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "unversioned 'V2.' prefix is read as a v1 key",
        "generates a fresh key (67 characters)",
    ),
    (
        "link",
        "parse_link",
        "'v2' without a dot is read as a v1 key",
        "reads the key leniently",
    ),
    ("masks", "decode_v1", "empty", "accepts an empty mask"),
    (
        "masks",
        "validate_room",
        "no position: mask-length (step 1 of §10.3 comes before the trim check)",
        "accepts an empty mask",
    ),
    (
        "masks",
        "validate_response_v1",
        "empty response against an empty room: mask-length (step 1), though the lengths are equal",
        "accepts an empty mask",
    ),
    (
        "link",
        "parse_link",
        "two faults: a room id that is no UUID (step 6) before a 63-character key (step 7)",
        "generates a fresh key and hashes the room id as given",
    ),
    (
        "link",
        "parse_link",
        "two faults: a 63-character key of non-hex characters: the length first",
        "generates a fresh key",
    ),
    (
        "masks",
        "decode_v1",
        "65536 characters: over the limit",
        "accepts an over-long mask",
    ),
    (
        "payloads",
        "read_room",
        "a JSON array",
        "reads every member as missing and defaults it",
    ),
    (
        "payloads",
        "read_room",
        "a JSON string",
        "reads every member as missing and defaults it",
    ),
    (
        "payloads",
        "read_room",
        "a number beyond a double in an unknown member",
        "JSON.parse reads it as Infinity and the member is ignored",
    ),
    (
        "payloads",
        "read_room",
        "start with a fraction",
        "takes the number as JSON.parse gives it",
    ),
    (
        "payloads",
        "read_room",
        "start with an exponent",
        "takes the number as JSON.parse gives it",
    ),
    (
        "payloads",
        "read_room",
        "start 2^53: not a safe integer",
        "takes the number as JSON.parse gives it",
    ),
    (
        "payloads",
        "read_room",
        "start -0",
        "takes the number as JSON.parse gives it",
    ),
    (
        "payloads",
        "read_room",
        "title as a number",
        "a member of the wrong type gets its default",
    ),
    (
        "payloads",
        "read_room",
        "empty room mask",
        "accepts an empty mask",
    ),
    (
        "events",
        "read_room_event",
        "the first d tag is another value",
        "matches the room's d-tag in any d tag",
    ),
    (
        "resolution",
        "resolve",
        "a v1 room with an expiration tag, read after it: ignored",
        "reads no expiration and shows the room",
    ),
];

/// Whether the deployed app accepts this case's input (v1 cases only).
pub(crate) fn accepts(suite: &str, profile: &str, operation: &str, comment: &str) -> bool {
    profile == "v1"
        && ACCEPTS
            .iter()
            .any(|(s, o, c, _)| *s == suite && *o == operation && *c == comment)
}

/// The note explaining the flag, for suites whose module does not write one.
pub(crate) fn note(suite: &str) -> String {
    let what: Vec<String> = ACCEPTS
        .iter()
        .filter(|(s, ..)| *s == suite)
        .map(|(_, _, c, w)| format!("{c}: {w}"))
        .collect();
    format!(
        "A conforming reader rejects this input; the deployed app accepts it (PROTOCOL-FACTS §2). Instead it: {}.",
        what.join("; ")
    )
}
