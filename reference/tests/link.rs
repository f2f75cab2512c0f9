//! Conformance tests for links (spec §4): the format of §4.1, the
//! requirements OS-LINK-1 to OS-LINK-7 of §4.2 and the parsing algorithm of
//! §4.3 with its check order ("the first failing step gives the error").
//!
//! Every expected value is worked out by hand from the spec's text; the
//! reference is never used to produce an expected value. Errors are compared
//! by code (spec §1.4, §15), never by message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use nostr::key::PublicKey;
use openslots::link::{Link, LinkProfile};
use openslots::{ErrorCode, Profile, SpecError};

/// The room id of the spec's examples (§4.1, §11.6).
const ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
/// The room key of the spec's examples: the bytes 0x00 to 0x1f.
const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The v2 host public key of the spec's examples (§4.1).
const HOST: &str = "3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";
/// x = 1: 1^3 + 7 = 8 = 2^3 is a square mod p (p = 7 mod 8, so 2 is a
/// quadratic residue), hence lift_x succeeds.
const X1: &str = "0000000000000000000000000000000000000000000000000000000000000001";
/// x = 5: 5^3 + 7 = 132 is not a square mod p, hence lift_x fails.
const X5: &str = "0000000000000000000000000000000000000000000000000000000000000005";
/// x = p, the field prime: not a field element, lift_x fails (BIP-340: x >= p).
const XP: &str = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f";
/// The x coordinate of the generator G (a valid x-only key).
const GX: &str = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

const ORIGIN: &str = "https://openslots.example";

/// The bytes `KEY` encodes.
fn key_bytes() -> [u8; 32] {
    core::array::from_fn(|i| u8::try_from(i).unwrap())
}

fn v1(origin: &str, id: &str, key: &str) -> String {
    format!("{origin}/room/{id}#{key}")
}

fn v2(origin: &str, id: &str, key: &str, host: &str) -> String {
    format!("{origin}/room/{id}#v2.{key}.{host}")
}

/// The code `Link::parse` rejects `s` with; panics if it accepts.
fn code(s: &str) -> ErrorCode {
    match Link::parse(s) {
        Ok(link) => panic!("accepted {s:?} as {link:?}"),
        Err(e) => e.code(),
    }
}

/// Parses `s`, which must be accepted, and checks the canonical round trip
/// (OS-LINK-5: every accepted string equals format(parse(s)); §4.3: writers
/// produce exactly the forms of §4.1).
fn accept(s: &str) -> Link {
    let link = Link::parse(s).unwrap_or_else(|e| panic!("rejected {s:?}: {} ({e})", e.code()));
    assert_eq!(link.to_string(), s, "round trip of {s:?}");
    link
}

#[track_caller]
fn rejects(s: &str, want: ErrorCode) {
    assert_eq!(code(s), want, "{s:?}");
}

// ---- §4.1 and the canonical round trip ------------------------------------

#[test]
fn os_link_1_spec_v1_example_is_valid() {
    let s = v1(ORIGIN, ID, KEY);
    let link = accept(&s);
    assert_eq!(link.origin, ORIGIN);
    assert_eq!(link.room_id, ID);
    assert_eq!(link.key.as_bytes(), &key_bytes());
    assert_eq!(link.profile, LinkProfile::V1);
    assert_eq!(link.protocol_profile(), Profile::V1);
    assert!(link.host().is_none());
}

#[test]
fn os_link_5_spec_v2_example_is_valid() {
    let s = v2(ORIGIN, ID, KEY, HOST);
    let link = accept(&s);
    assert_eq!(link.origin, ORIGIN);
    assert_eq!(link.room_id, ID);
    assert_eq!(link.key.as_bytes(), &key_bytes());
    assert_eq!(link.protocol_profile(), Profile::V2);
    assert_eq!(link.host().unwrap().to_hex(), HOST);
    assert_eq!(
        link.profile,
        LinkProfile::V2 {
            host: PublicKey::from_hex(HOST).unwrap()
        }
    );
}

#[test]
fn os_link_5_canonical_round_trip_of_every_accepted_form() {
    for s in [
        v1(ORIGIN, ID, KEY),
        v1("http://openslots.example", ID, KEY),
        v1("http://localhost:8080", ID, KEY),
        v1("https://example.org/apps/openslots", ID, KEY),
        v1("https://user@example.org:443/a/b/c", ID, KEY),
        v1("https://example.org/a%20b", ID, KEY),
        v1("https://example.org/room", ID, KEY),
        v1("https://room", ID, KEY),
        v1(ORIGIN, "00000000-0000-0000-0000-000000000000", KEY),
        v1(ORIGIN, "ffffffff-ffff-ffff-ffff-ffffffffffff", KEY),
        v1(ORIGIN, ID, &"f".repeat(64)),
        v1(ORIGIN, ID, &"0".repeat(64)),
        v2(ORIGIN, ID, KEY, HOST),
        v2(ORIGIN, ID, KEY, X1),
        v2(ORIGIN, ID, KEY, GX),
        v2("http://localhost:8080/x/y", ID, &"a".repeat(64), HOST),
    ] {
        accept(&s);
    }
}

#[test]
fn os_link_5_format_then_parse_is_identity() {
    for s in [v1(ORIGIN, ID, KEY), v2(ORIGIN, ID, KEY, HOST)] {
        let link = Link::parse(&s).unwrap();
        let again = Link::parse(&link.to_string()).unwrap();
        assert_eq!(again, link);
    }
}

// ---- §4.3 step 1: exactly one '#' (OS-LINK-1) -----------------------------

#[test]
fn os_link_1_step1_no_hash_is_link_syntax() {
    rejects(&format!("{ORIGIN}/room/{ID}"), ErrorCode::LinkSyntax);
    rejects(&format!("{ORIGIN}/room/{ID}{KEY}"), ErrorCode::LinkSyntax);
    rejects("", ErrorCode::LinkSyntax);
}

#[test]
fn os_link_1_step1_two_hashes_is_link_syntax() {
    rejects(&format!("{}#", v1(ORIGIN, ID, KEY)), ErrorCode::LinkSyntax);
    rejects(&format!("{ORIGIN}/room/{ID}##{KEY}"), ErrorCode::LinkSyntax);
    rejects(
        &format!("{ORIGIN}/a#b/room/{ID}#{KEY}"),
        ErrorCode::LinkSyntax,
    );
    rejects(
        &format!("{}#{KEY}", v2(ORIGIN, ID, KEY, HOST)),
        ErrorCode::LinkSyntax,
    );
}

#[test]
fn os_link_1_step1_comes_before_every_later_step() {
    // Two '#' and, besides, a bad scheme, room id and key: step 1 decides.
    rejects("ftp://x/room/NOT-A-UUID#v3.#", ErrorCode::LinkSyntax);
    // No '#' at all, with a bad room id.
    rejects("https://x/room/NOT-A-UUID", ErrorCode::LinkSyntax);
}

// ---- §4.3 step 2: no '?', '\' or non-printable-ASCII before '#' ------------

#[test]
fn os_link_1_step2_query_is_link_syntax() {
    rejects(
        &format!("{ORIGIN}/room/{ID}?a=b#{KEY}"),
        ErrorCode::LinkSyntax,
    );
    rejects(&format!("{ORIGIN}/room/{ID}?#{KEY}"), ErrorCode::LinkSyntax);
    rejects(
        &format!("{ORIGIN}?x/room/{ID}#{KEY}"),
        ErrorCode::LinkSyntax,
    );
    rejects(
        &format!("{ORIGIN}/a?b/room/{ID}#{KEY}"),
        ErrorCode::LinkSyntax,
    );
    rejects(&format!("https://?/room/{ID}#{KEY}"), ErrorCode::LinkSyntax);
    rejects(
        &format!("{ORIGIN}/room/{ID}?x#{}", &KEY[..10]),
        ErrorCode::LinkSyntax,
    );
}

#[test]
fn os_link_1_step2_question_mark_after_hash_is_part_of_the_fragment() {
    // Step 2 looks at L only: a '?' in F is a key character, and not hex.
    let key = format!("?{}", &KEY[1..]);
    rejects(&v1(ORIGIN, ID, &key), ErrorCode::LinkKeyEncoding);
}

#[test]
fn os_link_1_step2_backslash_is_link_syntax() {
    rejects(
        &format!("https://x\\y/room/{ID}#{KEY}"),
        ErrorCode::LinkSyntax,
    );
    rejects(&format!("{ORIGIN}\\room/{ID}#{KEY}"), ErrorCode::LinkSyntax);
    rejects(&format!("{ORIGIN}/room\\{ID}#{KEY}"), ErrorCode::LinkSyntax);
}

#[test]
fn os_link_1_step2_space_or_control_in_origin_is_link_syntax() {
    for bad in [
        "https://open slots.example",
        "https://openslots.example/a b",
        " https://openslots.example",
        "https://openslots.example\t",
        "https://openslots.example/\n",
        "https://openslots.example/\u{7f}",
        "https://openslots.example/\u{0}",
    ] {
        rejects(&v1(bad, ID, KEY), ErrorCode::LinkSyntax);
    }
    rejects(&format!("{ORIGIN}/room/{ID} #{KEY}"), ErrorCode::LinkSyntax);
}

#[test]
fn os_link_1_step2_non_ascii_in_origin_is_link_syntax() {
    for bad in [
        "https://exämple.org",
        "https://example.org/é",
        "https://example.org/\u{a0}",
        "https://例え.jp",
        "https://example.org/🙂",
    ] {
        rejects(&v1(bad, ID, KEY), ErrorCode::LinkSyntax);
        rejects(&v2(bad, ID, KEY, HOST), ErrorCode::LinkSyntax);
    }
}

#[test]
fn os_link_1_step2_printable_ascii_punctuation_is_allowed() {
    // U+0021 to U+007E other than '?' and '\' pass step 2.
    accept(&v1(
        "https://u:p@example.org:8443/~a/b!$&'()*+,;=%41@:[]",
        ID,
        KEY,
    ));
}

#[test]
fn os_link_1_step2_comes_before_the_room_id_and_key() {
    rejects(
        &format!("{ORIGIN}/room/NOT-A-UUID?x#{}", &KEY[..3]),
        ErrorCode::LinkSyntax,
    );
    rejects(
        &format!("https://é/room/{ID}#v9.{KEY}.{HOST}"),
        ErrorCode::LinkSyntax,
    );
}

// ---- §4.3 step 3: scheme and authority ------------------------------------

#[test]
fn os_link_1_step3_non_http_scheme_is_link_syntax() {
    for origin in [
        "ftp://openslots.example",
        "HTTPS://openslots.example", // C-27: only the lower-case spellings
        "Http://openslots.example",
        "httpx://openslots.example",
        "https:/openslots.example",
        "https:openslots.example",
        "//openslots.example",
        "openslots.example",
        "file:///openslots.example",
        "wss://openslots.example",
    ] {
        rejects(&v1(origin, ID, KEY), ErrorCode::LinkSyntax);
    }
    rejects(&format!("/room/{ID}#{KEY}"), ErrorCode::LinkSyntax);
    rejects(&format!("#{KEY}"), ErrorCode::LinkSyntax);
}

#[test]
fn os_link_1_step3_empty_authority_is_link_syntax() {
    rejects(&format!("https:///room/{ID}#{KEY}"), ErrorCode::LinkSyntax);
    rejects(&format!("http:///room/{ID}#{KEY}"), ErrorCode::LinkSyntax);
    rejects(&format!("https:////room/{ID}#{KEY}"), ErrorCode::LinkSyntax);
}

#[test]
fn os_link_1_step3_authority_without_path_is_link_syntax() {
    rejects(
        &format!("https://openslots.example#{KEY}"),
        ErrorCode::LinkSyntax,
    );
    rejects(&format!("https://#{KEY}"), ErrorCode::LinkSyntax);
    rejects(&format!("https://{ID}#{KEY}"), ErrorCode::LinkSyntax);
}

#[test]
fn os_link_1_step3_comes_before_the_room_id_and_the_version() {
    rejects(
        &format!("ftp://x/room/NOT-A-UUID#v3.{KEY}.{HOST}"),
        ErrorCode::LinkSyntax,
    );
    rejects(&format!("https:///room/{ID}#v3."), ErrorCode::LinkSyntax);
}

// ---- §4.3 step 4: the path ends in /room/<room-id> ------------------------

#[test]
fn os_link_1_step4_missing_room_segment_is_link_syntax() {
    for base in [
        format!("{ORIGIN}/{ID}"),
        format!("{ORIGIN}/rooms/{ID}"),
        format!("{ORIGIN}/Room/{ID}"),
        format!("{ORIGIN}/ROOM/{ID}"),
        format!("{ORIGIN}/r/{ID}"),
        format!("{ORIGIN}/room/{ID}/"),
        format!("{ORIGIN}/room/{ID}/x"),
        format!("{ORIGIN}/room"),
        format!("{ORIGIN}/"),
        format!("{ORIGIN}/xroom/{ID}"),
        format!("{ORIGIN}/room-/{ID}"),
        format!("https://room/{ID}"), // "room" is the authority, not a segment
    ] {
        rejects(&format!("{base}#{KEY}"), ErrorCode::LinkSyntax);
    }
}

#[test]
fn os_link_1_step4_empty_last_segment_is_an_empty_room_id() {
    // "/room/" splits into "", "room", "": the second-to-last segment is
    // "room", so step 4 passes and the empty room id fails step 6.
    rejects(&format!("{ORIGIN}/room/#{KEY}"), ErrorCode::LinkRoomId);
}

#[test]
fn os_link_1_step4_path_prefix_is_kept_in_the_origin() {
    let link = accept(&v1("https://example.org/apps/openslots", ID, KEY));
    assert_eq!(link.origin, "https://example.org/apps/openslots");
    let link = accept(&v2("http://localhost:8080/a/room/b", ID, KEY, HOST));
    assert_eq!(link.origin, "http://localhost:8080/a/room/b");
    let link = accept(&v1("https://example.org/room", ID, KEY));
    assert_eq!(link.origin, "https://example.org/room");
    let link = accept(&v1("http://127.0.0.1:1", ID, KEY));
    assert_eq!(link.origin, "http://127.0.0.1:1");
}

#[test]
fn os_link_1_step4_comes_before_the_version_and_the_room_id() {
    rejects(
        &format!("{ORIGIN}/rooms/{ID}#v3.{KEY}.{HOST}"),
        ErrorCode::LinkSyntax,
    );
    rejects(
        &format!("{ORIGIN}/rooms/NOT-A-UUID#{KEY}"),
        ErrorCode::LinkSyntax,
    );
}

// ---- §4.3 step 5: version (OS-LINK-7) --------------------------------------

#[test]
fn os_link_7_v2_prefix_selects_v2() {
    assert_eq!(
        accept(&v2(ORIGIN, ID, KEY, HOST)).protocol_profile(),
        Profile::V2
    );
}

#[test]
fn os_link_7_other_versions_are_link_version() {
    for fragment in [
        format!("v3.{KEY}.{HOST}"),
        format!("v1.{KEY}"),
        format!("v0.{KEY}.{HOST}"),
        format!("v02.{KEY}.{HOST}"), // C-21: the version "02" is not "2"
        format!("v20.{KEY}.{HOST}"),
        format!("v22.{KEY}.{HOST}"),
        format!("v99999999999999999999999.{KEY}.{HOST}"),
        "v3.".to_owned(),
        "v1.".to_owned(),
        "v3.x".to_owned(),
        format!("v3.{KEY}"),
    ] {
        rejects(&v1(ORIGIN, ID, &fragment), ErrorCode::LinkVersion);
    }
}

#[test]
fn os_link_7_unversioned_fragments_are_v1_keys() {
    // Not "v", digits, ".": read as a v1 key, which then fails OS-LINK-3/4.
    // "V2." (upper case): 3 + 64 + 1 + 64 = 132 characters.
    rejects(
        &v1(ORIGIN, ID, &format!("V2.{KEY}.{HOST}")),
        ErrorCode::LinkKeyLength,
    );
    // "v2" without a dot, then 62 hex digits: 64 characters, 'v' is not hex.
    rejects(
        &v1(ORIGIN, ID, &format!("v2{}", &KEY[..62])),
        ErrorCode::LinkKeyEncoding,
    );
    // "v2" without a dot, then the 64-digit key: 66 characters.
    rejects(
        &v1(ORIGIN, ID, &format!("v2{KEY}")),
        ErrorCode::LinkKeyLength,
    );
    // "v." has no digit: not versioned.
    rejects(
        &v1(ORIGIN, ID, &format!("v.{}", &KEY[..62])),
        ErrorCode::LinkKeyEncoding,
    );
    rejects(&v1(ORIGIN, ID, "v."), ErrorCode::LinkKeyLength);
    // "v2x." has a non-digit before the dot: not versioned.
    rejects(
        &v1(ORIGIN, ID, &format!("v2x.{}", &KEY[..60])),
        ErrorCode::LinkKeyEncoding,
    );
    // "v-2." and "vv2.": not versioned.
    rejects(
        &v1(ORIGIN, ID, &format!("v-2.{}", &KEY[..60])),
        ErrorCode::LinkKeyEncoding,
    );
    rejects(
        &v1(ORIGIN, ID, &format!("vv2.{KEY}.{HOST}")),
        ErrorCode::LinkKeyLength,
    );
    // A bare "v" or "v2".
    rejects(&v1(ORIGIN, ID, "v"), ErrorCode::LinkKeyLength);
    rejects(&v1(ORIGIN, ID, "v2"), ErrorCode::LinkKeyLength);
}

#[test]
fn os_link_7_version_comes_before_the_room_id() {
    // Step 5 precedes step 6.
    rejects(
        &format!("{ORIGIN}/room/NOT-A-UUID#v3.{KEY}.{HOST}"),
        ErrorCode::LinkVersion,
    );
    rejects(
        &format!("{ORIGIN}/room/{}#v02.", ID.to_uppercase()),
        ErrorCode::LinkVersion,
    );
}

// ---- §4.3 step 6: the room id (OS-LINK-2) ----------------------------------

#[test]
fn os_link_2_canonical_uuids_of_any_version_are_valid() {
    for id in [
        ID,
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "0190b5c6-7d1e-7abc-8def-0123456789ab", // version 7
        "123e4567-e89b-12d3-a456-426614174000", // version 1
        "3f2a8c1e-9b4d-fe7a-cc21-5d6f0a9b7e13", // nonsense version and variant
    ] {
        let link = accept(&v1(ORIGIN, id, KEY));
        assert_eq!(link.room_id, id);
        let link = accept(&v2(ORIGIN, id, KEY, HOST));
        assert_eq!(link.room_id, id);
    }
}

#[test]
fn os_link_2_non_uuid_ids_are_link_room_id() {
    for id in [
        "",
        "x",
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e1", // 35 characters
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e130", // 37 characters
        "3f2a8c1e9b4d4e7a8c215d6f0a9b7e13",    // no hyphens
        "3f2a8c1e9-b4d-4e7a-8c21-5d6f0a9b7e13", // hyphen one place late
        "3f2a8c1-e9b4d-4e7a-8c21-5d6f0a9b7e13", // hyphen one place early
        "3f2a8c1e-9b4d-4e7a-8c215-d6f0a9b7e13",
        "3f2a8c1e_9b4d_4e7a_8c21_5d6f0a9b7e13",
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e1g",
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e1-",
        "{3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13}",
        "urn:uuid:3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13",
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e%31",
        "------------------------------------",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
        "room",
    ] {
        rejects(&v1(ORIGIN, id, KEY), ErrorCode::LinkRoomId);
        rejects(&v2(ORIGIN, id, KEY, HOST), ErrorCode::LinkRoomId);
    }
}

#[test]
fn os_link_2_upper_case_room_id_v1_is_acceptable_and_never_case_folded() {
    // Acceptable in v1: accept and keep the id exactly as written (it names
    // another room than its lower-case form), or reject with link-room-id.
    for id in [
        "3F2A8C1E-9B4D-4E7A-8C21-5D6F0A9B7E13",
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7E13",
        "ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB",
    ] {
        let s = v1(ORIGIN, id, KEY);
        match Link::parse(&s) {
            Ok(link) => {
                assert_eq!(link.room_id, id, "case-folded {s:?}");
                assert_eq!(link.to_string(), s);
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::LinkRoomId, "{s:?}"),
        }
    }
}

#[test]
fn os_link_2_upper_case_room_id_v2_is_link_room_id() {
    for id in [
        "3F2A8C1E-9B4D-4E7A-8C21-5D6F0A9B7E13",
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7E13",
    ] {
        rejects(&v2(ORIGIN, id, KEY, HOST), ErrorCode::LinkRoomId);
    }
}

#[test]
fn os_link_2_non_ascii_room_id_is_link_syntax_by_step_2() {
    // The room id is part of L, so a non-ASCII character fails step 2 first.
    let id = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7eé";
    rejects(&v1(ORIGIN, id, KEY), ErrorCode::LinkSyntax);
}

#[test]
fn os_link_2_room_id_comes_before_the_key() {
    // Step 6 precedes steps 7 and 8.
    rejects(&v1(ORIGIN, "NOT-A-UUID", ""), ErrorCode::LinkRoomId);
    rejects(
        &v1(ORIGIN, "NOT-A-UUID", &"g".repeat(64)),
        ErrorCode::LinkRoomId,
    );
    rejects(
        &format!("{ORIGIN}/room/NOT-A-UUID#v2.x"),
        ErrorCode::LinkRoomId,
    );
    rejects(
        &v2(ORIGIN, "NOT-A-UUID", &KEY[..10], X5),
        ErrorCode::LinkRoomId,
    );
    rejects(
        &v2(ORIGIN, &ID.to_uppercase(), &KEY.to_uppercase(), X5),
        ErrorCode::LinkRoomId,
    );
}

// ---- §4.3 step 7: the v1 key (OS-LINK-3, OS-LINK-4) ------------------------

#[test]
fn os_link_3_short_key_is_link_key_length() {
    rejects(&v1(ORIGIN, ID, &KEY[..63]), ErrorCode::LinkKeyLength);
    rejects(&v1(ORIGIN, ID, &KEY[..62]), ErrorCode::LinkKeyLength);
    rejects(&v1(ORIGIN, ID, &KEY[..1]), ErrorCode::LinkKeyLength);
}

#[test]
fn os_link_3_long_key_is_link_key_length() {
    rejects(
        &v1(ORIGIN, ID, &format!("{KEY}0")),
        ErrorCode::LinkKeyLength,
    );
    rejects(
        &v1(ORIGIN, ID, &format!("{KEY}00")),
        ErrorCode::LinkKeyLength,
    );
    rejects(&v1(ORIGIN, ID, &KEY.repeat(2)), ErrorCode::LinkKeyLength);
}

#[test]
fn os_link_3_empty_key_is_link_key_length() {
    rejects(&v1(ORIGIN, ID, ""), ErrorCode::LinkKeyLength);
}

#[test]
fn os_link_3_length_is_counted_in_unicode_scalar_values() {
    // 62 hex digits and 'é': 63 characters (64 bytes): a length error.
    rejects(
        &v1(ORIGIN, ID, &format!("{}é", &KEY[..62])),
        ErrorCode::LinkKeyLength,
    );
    // 63 hex digits and 'é': 64 characters (65 bytes): an encoding error.
    rejects(
        &v1(ORIGIN, ID, &format!("{}é", &KEY[..63])),
        ErrorCode::LinkKeyEncoding,
    );
    // 60 hex digits and one 4-byte emoji: 61 characters, 64 bytes.
    rejects(
        &v1(ORIGIN, ID, &format!("{}🙂", &KEY[..60])),
        ErrorCode::LinkKeyLength,
    );
    // 63 hex digits and one emoji: 64 characters.
    rejects(
        &v1(ORIGIN, ID, &format!("{}🙂", &KEY[..63])),
        ErrorCode::LinkKeyEncoding,
    );
}

#[test]
fn os_link_3_length_comes_before_encoding() {
    rejects(&v1(ORIGIN, ID, &"g".repeat(63)), ErrorCode::LinkKeyLength);
    rejects(&v1(ORIGIN, ID, &"G".repeat(65)), ErrorCode::LinkKeyLength);
    rejects(&v1(ORIGIN, ID, "%20"), ErrorCode::LinkKeyLength);
}

#[test]
fn os_link_4_non_hex_characters_are_link_key_encoding() {
    // Every replacement keeps the key at 64 characters.
    for bad in [
        "+", " ", "%", "g", "é", "-", ".", "?", "/", "z", "\t", "\u{0}", "０",
    ] {
        let at_start = format!("{bad}{}", &KEY[1..]);
        let at_end = format!("{}{bad}", &KEY[..63]);
        assert_eq!(at_start.chars().count(), 64);
        rejects(&v1(ORIGIN, ID, &at_start), ErrorCode::LinkKeyEncoding);
        rejects(&v1(ORIGIN, ID, &at_end), ErrorCode::LinkKeyEncoding);
    }
    // A sign in front of a pair (the deployed parser reads "+1" as 1).
    rejects(
        &v1(ORIGIN, ID, &format!("+1{}", &KEY[2..])),
        ErrorCode::LinkKeyEncoding,
    );
    // A percent-encoded byte.
    rejects(
        &v1(ORIGIN, ID, &format!("%20{}", &KEY[3..])),
        ErrorCode::LinkKeyEncoding,
    );
    rejects(&v1(ORIGIN, ID, &"g".repeat(64)), ErrorCode::LinkKeyEncoding);
}

#[test]
fn os_link_4_upper_case_hex_v1_is_acceptable() {
    // Acceptable: accept as the same key as the lower-case form, or reject
    // with link-key-encoding. If accepted, a writer writes lower case.
    let lower = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
    for key in [
        lower.to_uppercase(),
        "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789".to_owned(),
        "abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678F".to_owned(),
    ] {
        let s = v1(ORIGIN, ID, &key);
        match Link::parse(&s) {
            Ok(link) => {
                let want = Link::parse(&v1(ORIGIN, ID, lower)).unwrap();
                assert_eq!(link.key.as_bytes(), want.key.as_bytes(), "{s:?}");
                assert_eq!(link.to_string(), v1(ORIGIN, ID, lower));
            }
            Err(e) => assert_eq!(e.code(), ErrorCode::LinkKeyEncoding, "{s:?}"),
        }
    }
}

#[test]
fn os_link_4_valid_lower_case_keys_decode_to_their_bytes() {
    let link = accept(&v1(ORIGIN, ID, &"f".repeat(64)));
    assert_eq!(link.key.as_bytes(), &[0xff; 32]);
    let link = accept(&v1(
        ORIGIN,
        ID,
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ));
    let b = link.key.as_bytes();
    assert_eq!(&b[..8], &[0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
}

// ---- §4.3 step 8: the v2 fragment (OS-LINK-5, OS-LINK-6) -------------------

#[test]
fn os_link_5_wrong_number_of_parts_is_link_syntax() {
    for fragment in [
        "v2.".to_owned(),
        format!("v2.{KEY}"),
        format!("v2.{KEY}{HOST}"),
        format!("v2.{KEY}.{HOST}."),
        format!("v2.{KEY}.{HOST}.{HOST}"),
        format!("v2.{KEY}..{HOST}"),
        format!("v2..{KEY}.{HOST}"),
        format!("v2.{KEY}.{HOST}.x"),
        "v2...".to_owned(),
        "v2.x".to_owned(),
    ] {
        rejects(&v1(ORIGIN, ID, &fragment), ErrorCode::LinkSyntax);
    }
}

#[test]
fn os_link_5_other_separators_are_link_syntax_or_length() {
    // With ':' or '-' in place of the second '.', the fragment has two
    // parts: a syntax error.
    rejects(
        &v1(ORIGIN, ID, &format!("v2.{KEY}:{HOST}")),
        ErrorCode::LinkSyntax,
    );
    rejects(
        &v1(ORIGIN, ID, &format!("v2.{KEY}-{HOST}")),
        ErrorCode::LinkSyntax,
    );
}

#[test]
fn os_link_5_parts_come_before_the_key_and_host() {
    rejects(
        &v1(ORIGIN, ID, &format!("v2.{}.{X5}.", &KEY[..3])),
        ErrorCode::LinkSyntax,
    );
    rejects(&v1(ORIGIN, ID, "v2.g"), ErrorCode::LinkSyntax);
}

#[test]
fn os_link_5_key_part_length_is_link_key_length() {
    rejects(&v2(ORIGIN, ID, &KEY[..63], HOST), ErrorCode::LinkKeyLength);
    rejects(
        &v2(ORIGIN, ID, &format!("{KEY}0"), HOST),
        ErrorCode::LinkKeyLength,
    );
    rejects(&v2(ORIGIN, ID, "", HOST), ErrorCode::LinkKeyLength);
    rejects(
        &v2(ORIGIN, ID, &format!("{}é", &KEY[..62]), HOST),
        ErrorCode::LinkKeyLength,
    );
}

#[test]
fn os_link_5_key_part_not_lower_hex_is_link_key_encoding() {
    // Upper case is acceptable in v1 but not in v2.
    rejects(
        &v2(ORIGIN, ID, &KEY.to_uppercase(), HOST),
        ErrorCode::LinkKeyEncoding,
    );
    rejects(
        &v2(ORIGIN, ID, &format!("{}F", &KEY[..63]), HOST),
        ErrorCode::LinkKeyEncoding,
    );
    for bad in ["g", "+", " ", "%", "é", "?"] {
        rejects(
            &v2(ORIGIN, ID, &format!("{bad}{}", &KEY[1..]), HOST),
            ErrorCode::LinkKeyEncoding,
        );
    }
}

#[test]
fn os_link_5_key_part_comes_before_the_host_part() {
    rejects(&v2(ORIGIN, ID, &KEY[..63], X5), ErrorCode::LinkKeyLength);
    rejects(&v2(ORIGIN, ID, &KEY[..63], ""), ErrorCode::LinkKeyLength);
    rejects(
        &v2(ORIGIN, ID, &KEY.to_uppercase(), X5),
        ErrorCode::LinkKeyEncoding,
    );
    rejects(
        &v2(ORIGIN, ID, &KEY.to_uppercase(), &HOST[..5]),
        ErrorCode::LinkKeyEncoding,
    );
}

#[test]
fn os_link_6_host_part_not_64_lower_hex_is_link_host_key() {
    // C-3: every defect of the host part is link-host-key.
    for host in [
        String::new(),
        HOST[..63].to_owned(),
        format!("{HOST}0"),
        HOST.to_uppercase(),
        format!("{}C", &HOST[..63]),
        format!("g{}", &HOST[1..]),
        format!("+{}", &HOST[1..]),
        format!("é{}", &HOST[1..]),
        format!("{}é", &HOST[..62]), // 63 characters, 64 bytes
        format!("02{HOST}"),         // a compressed (33-byte) key
        format!("npub1{}", &HOST[5..]),
    ] {
        rejects(&v2(ORIGIN, ID, KEY, &host), ErrorCode::LinkHostKey);
    }
}

#[test]
fn os_link_6_host_not_on_the_curve_is_link_host_key() {
    rejects(&v2(ORIGIN, ID, KEY, X5), ErrorCode::LinkHostKey);
    // x = 0: 7 is not a square mod p.
    rejects(
        &v2(ORIGIN, ID, KEY, &"0".repeat(64)),
        ErrorCode::LinkHostKey,
    );
    // x = 7: 350 is not a square mod p.
    rejects(
        &v2(ORIGIN, ID, KEY, &format!("{}7", "0".repeat(63))),
        ErrorCode::LinkHostKey,
    );
    // x >= p is not a field element.
    rejects(&v2(ORIGIN, ID, KEY, XP), ErrorCode::LinkHostKey);
    rejects(
        &v2(ORIGIN, ID, KEY, &"f".repeat(64)),
        ErrorCode::LinkHostKey,
    );
}

#[test]
fn os_link_6_host_on_the_curve_is_valid() {
    let link = accept(&v2(ORIGIN, ID, KEY, X1));
    assert_eq!(link.host().unwrap().to_hex(), X1);
    let link = accept(&v2(ORIGIN, ID, KEY, GX));
    assert_eq!(link.host().unwrap().to_hex(), GX);
    // x = 2: 15 is a square mod p.
    let x2 = format!("{}2", "0".repeat(63));
    accept(&v2(ORIGIN, ID, KEY, &x2));
}

#[test]
fn os_link_6_fragment_is_not_subject_to_step_2() {
    // F may hold any character; the v2 checks reject it by part.
    rejects(
        &v2(ORIGIN, ID, KEY, &format!(" {}", &HOST[1..])),
        ErrorCode::LinkHostKey,
    );
    rejects(
        &v2(ORIGIN, ID, &format!("\\{}", &KEY[1..]), HOST),
        ErrorCode::LinkKeyEncoding,
    );
}
