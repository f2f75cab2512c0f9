//! `link.json`: link parsing (spec §4).

use openslots::link::{Link, LinkProfile};
use openslots_vectors::{LinkExpected, LinkFile, LinkInput};

use crate::fixtures::{ORIGIN, ROOM_ID, ROOM_KEY, code, keys};
use crate::{Expect, Outcome, Suite};

fn parse(link: &str) -> Outcome<LinkExpected> {
    Link::parse(link)
        .map(|l| expected(&l))
        .map_err(|e| code(&e))
}

fn expected(l: &Link) -> LinkExpected {
    LinkExpected {
        profile: Some(match l.profile {
            LinkProfile::V1 => "v1".into(),
            LinkProfile::V2 { .. } => "v2".into(),
        }),
        origin: Some(l.origin.clone()),
        room_id: Some(l.room_id.clone()),
        room_key: Some(hex::encode(l.key.as_bytes())),
        host: l.host().map(|h| h.to_hex()),
    }
}

pub(crate) fn suite() -> LinkFile {
    let mut s = Suite::new("link");
    s.note("DeployedAccepts", "A conforming reader rejects this link; the deployed app accepts it (PROTOCOL-FACTS §2): it reads the key two characters at a time, turning non-hex pairs into 0; a fragment that is not 64 characters makes it generate a fresh key and rewrite the URL (the user sees 'room not found'); and it hashes the room id as given, so a malformed id opens another, empty room.");
    s.note("CaseVariant", "Upper-case hexadecimal where the canonical form is lower case; v1 allows either outcome (spec OS-LINK-2, OS-LINK-4).");
    s.note(
        "Canonical",
        "A canonical link: formatting the parsed value gives the input back (OS-LINK-7).",
    );
    let host = keys(1).public_key().to_hex();
    let k = ROOM_KEY;
    let id = ROOM_ID;
    let mut case = |profile: &str,
                    comment: &str,
                    flags: &[&str],
                    reqs: &[&str],
                    link: String,
                    expect: Expect<LinkExpected>| {
        let outcome = parse(&link);
        s.push(
            profile,
            "parse_link",
            comment,
            flags,
            reqs,
            LinkInput { link: Some(link) },
            None,
            outcome,
            expect,
        );
    };
    let r = || Expect::Reference;

    // Valid v1 links.
    case(
        "v1",
        "the example v1 link",
        &["Canonical"],
        &[
            "OS-LINK-1",
            "OS-LINK-2",
            "OS-LINK-3",
            "OS-LINK-4",
            "OS-LINK-7",
        ],
        format!("{ORIGIN}/room/{id}#{k}"),
        r(),
    );
    case(
        "v1",
        "http origin with a port",
        &["Canonical"],
        &["OS-LINK-1"],
        format!("http://localhost:8080/room/{id}#{k}"),
        r(),
    );
    case(
        "v1",
        "origin with a path prefix",
        &["Canonical"],
        &["OS-LINK-1"],
        format!("https://example.org/apps/openslots/room/{id}#{k}"),
        r(),
    );
    case(
        "v1",
        "all-zero key",
        &["Canonical"],
        &["OS-LINK-3", "OS-LINK-4"],
        format!("{ORIGIN}/room/{id}#{}", "0".repeat(64)),
        r(),
    );
    case(
        "v1",
        "all-f key",
        &["Canonical"],
        &["OS-LINK-3", "OS-LINK-4"],
        format!("{ORIGIN}/room/{id}#{}", "f".repeat(64)),
        r(),
    );
    case(
        "v1",
        "nil UUID as room id",
        &["Canonical"],
        &["OS-LINK-2"],
        format!("{ORIGIN}/room/00000000-0000-0000-0000-000000000000#{k}"),
        r(),
    );
    case(
        "v1",
        "a UUID of another version (1) is still a room id",
        &["Canonical"],
        &["OS-LINK-2"],
        format!("{ORIGIN}/room/6ba7b810-9dad-11d1-80b4-00c04fd430c8#{k}"),
        r(),
    );
    // Acceptable case variants in v1.
    let upper_key = format!("{ORIGIN}/room/{id}#{}", k.to_uppercase());
    let mut as_lower = parse(&format!("{ORIGIN}/room/{id}#{k}"));
    case(
        "v1",
        "upper-case key: the same key as lower case, or link-key-encoding",
        &["CaseVariant"],
        &["OS-LINK-4"],
        upper_key,
        Expect::AlsoAllowed(as_lower.clone()),
    );
    let mixed = format!("{ORIGIN}/room/{id}#{}{}", &k[..32].to_uppercase(), &k[32..]);
    case(
        "v1",
        "mixed-case key: the same key, or link-key-encoding",
        &["CaseVariant"],
        &["OS-LINK-4"],
        mixed,
        Expect::AlsoAllowed(as_lower.clone()),
    );
    let upper_id = id.to_uppercase();
    if let Ok(e) = as_lower.as_mut() {
        e.room_id = Some(upper_id.clone());
    }
    case(
        "v1",
        "upper-case room id: hashed as written (another room), or link-room-id",
        &["CaseVariant"],
        &["OS-LINK-2"],
        format!("{ORIGIN}/room/{upper_id}#{k}"),
        Expect::AlsoAllowed(as_lower),
    );

    // Invalid shapes (OS-LINK-1).
    for (comment, link) in [
        ("no fragment", format!("{ORIGIN}/room/{id}")),
        ("empty link", String::new()),
        ("two '#'", format!("{ORIGIN}/room/{id}#{k}#x")),
        (
            "query before the fragment",
            format!("{ORIGIN}/room/{id}?x=1#{k}"),
        ),
        ("'?' inside the path", format!("{ORIGIN}/ro?om/{id}#{k}")),
        (
            "ftp scheme",
            format!("ftp://openslots.example/room/{id}#{k}"),
        ),
        (
            "upper-case scheme",
            format!("HTTPS://openslots.example/room/{id}#{k}"),
        ),
        ("no scheme", format!("openslots.example/room/{id}#{k}")),
        ("empty authority", format!("https:///room/{id}#{k}")),
        ("no path", format!("https://openslots.example#{k}")),
        (
            "'rooms' instead of 'room'",
            format!("{ORIGIN}/rooms/{id}#{k}"),
        ),
        (
            "trailing slash after the room id",
            format!("{ORIGIN}/room/{id}/#{k}"),
        ),
        (
            "space in the origin",
            format!("https://open slots.example/room/{id}#{k}"),
        ),
        (
            "non-ASCII origin",
            format!("https://openslöts.example/room/{id}#{k}"),
        ),
        (
            "backslash in the path",
            format!("https://openslots.example\\room/{id}#{k}"),
        ),
        (
            "room id missing",
            format!("{ORIGIN}/room/#{k}").replace("/room/#", "/room#"),
        ),
    ] {
        case("v1", comment, &[], &["OS-LINK-1"], link, r());
    }
    // Room ids (OS-LINK-2).
    for (comment, rid) in [
        ("empty room id", String::new()),
        ("room id without hyphens", id.replace('-', "")),
        ("room id with braces", format!("{{{id}}}")),
        ("room id one character short", id[..35].to_owned()),
        ("room id with a non-hex character", id.replacen('a', "g", 1)),
        (
            "room id with hyphens moved",
            format!("{}-{}", &id[..7], &id[7..].replacen('-', "", 1)),
        ),
        ("room id percent-encoded", id.replace('-', "%2D")),
    ] {
        case(
            "v1",
            comment,
            &[],
            &["OS-LINK-2"],
            format!("{ORIGIN}/room/{rid}#{k}"),
            r(),
        );
    }
    // v1 keys (OS-LINK-3, OS-LINK-4).
    for (comment, flags, req, frag) in [
        (
            "key of 63 characters (the deployed app generates a new key)",
            &["DeployedAccepts"][..],
            "OS-LINK-3",
            k[..63].to_owned(),
        ),
        (
            "key of 65 characters",
            &["DeployedAccepts"][..],
            "OS-LINK-3",
            format!("{k}0"),
        ),
        (
            "empty fragment",
            &["DeployedAccepts"][..],
            "OS-LINK-3",
            String::new(),
        ),
        (
            "key of 32 characters (16 bytes)",
            &["DeployedAccepts"][..],
            "OS-LINK-3",
            k[..32].to_owned(),
        ),
        (
            "key with a 'g'",
            &["DeployedAccepts"][..],
            "OS-LINK-4",
            format!("g{}", &k[1..]),
        ),
        (
            "key with a '+' sign (the deployed parser reads it)",
            &["DeployedAccepts"][..],
            "OS-LINK-4",
            format!("+1{}", &k[2..]),
        ),
        (
            "key with a '-' sign",
            &["DeployedAccepts"][..],
            "OS-LINK-4",
            format!("-1{}", &k[2..]),
        ),
        (
            "key with a space",
            &["DeployedAccepts"][..],
            "OS-LINK-4",
            format!(" 1{}", &k[2..]),
        ),
        (
            "key with '%'",
            &["DeployedAccepts"][..],
            "OS-LINK-4",
            format!("%1{}", &k[2..]),
        ),
        (
            "key with a non-ASCII letter, 64 characters",
            &["DeployedAccepts"][..],
            "OS-LINK-4",
            format!("é{}", &k[1..]),
        ),
        (
            "key with a non-ASCII letter, 64 bytes but 63 characters",
            &["DeployedAccepts"][..],
            "OS-LINK-3",
            format!("é{}", &k[2..]),
        ),
        (
            "unversioned 'V2.' prefix is read as a v1 key",
            &[][..],
            "OS-LINK-7",
            format!("V2.{k}.{host}"),
        ),
        (
            "'v2' without a dot is read as a v1 key",
            &[][..],
            "OS-LINK-7",
            format!("v2{}", &k[2..]),
        ),
    ] {
        case(
            "v1",
            comment,
            flags,
            &[req],
            format!("{ORIGIN}/room/{id}#{frag}"),
            r(),
        );
    }

    // v2.
    case(
        "v2",
        "the example v2 link shape",
        &["Canonical"],
        &["OS-LINK-5", "OS-LINK-6", "OS-LINK-7"],
        format!("{ORIGIN}/room/{id}#v2.{k}.{host}"),
        r(),
    );
    case(
        "v2",
        "v2 link with a path prefix",
        &["Canonical"],
        &["OS-LINK-1", "OS-LINK-5"],
        format!("http://127.0.0.1:3000/x/y/room/{id}#v2.{k}.{host}"),
        r(),
    );
    let g = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    case(
        "v2",
        "host key: the generator's x coordinate",
        &["Canonical"],
        &["OS-LINK-6"],
        format!("{ORIGIN}/room/{id}#v2.{k}.{g}"),
        r(),
    );
    let x1 = format!("{:064x}", 1);
    case(
        "v2",
        "host key x = 1, which is on the curve",
        &["Canonical"],
        &["OS-LINK-6"],
        format!("{ORIGIN}/room/{id}#v2.{k}.{x1}"),
        r(),
    );
    for (comment, req, frag) in [
        ("unknown version v3", "OS-LINK-7", format!("v3.{k}.{host}")),
        (
            "version 02 is not 2",
            "OS-LINK-7",
            format!("v02.{k}.{host}"),
        ),
        ("version 10", "OS-LINK-7", format!("v10.{k}")),
        ("version 1 written out", "OS-LINK-7", format!("v1.{k}")),
        ("v2 without the host key", "OS-LINK-5", format!("v2.{k}")),
        (
            "v2 with an empty host part",
            "OS-LINK-6",
            format!("v2.{k}."),
        ),
        (
            "v2 with a fourth part",
            "OS-LINK-5",
            format!("v2.{k}.{host}.x"),
        ),
        (
            "v2 with ':' separators",
            "OS-LINK-5",
            format!("v2.{k}:{host}"),
        ),
        (
            "v2 key of 62 characters",
            "OS-LINK-5",
            format!("v2.{}.{host}", &k[..62]),
        ),
        (
            "v2 upper-case key",
            "OS-LINK-5",
            format!("v2.{}.{host}", k.to_uppercase()),
        ),
        (
            "v2 key with a 'g'",
            "OS-LINK-5",
            format!("v2.g{}.{host}", &k[1..]),
        ),
        (
            "v2 upper-case host key",
            "OS-LINK-6",
            format!("v2.{k}.{}", host.to_uppercase()),
        ),
        (
            "v2 host key of 66 characters (compressed form)",
            "OS-LINK-6",
            format!("v2.{k}.02{host}"),
        ),
        (
            "v2 host key x = 5, not on secp256k1",
            "OS-LINK-6",
            format!("v2.{k}.{:064x}", 5),
        ),
        (
            "v2 host key x = 0, not on secp256k1",
            "OS-LINK-6",
            format!("v2.{k}.{:064x}", 0),
        ),
        (
            "v2 host key x = p, beyond the field",
            "OS-LINK-6",
            format!("v2.{k}.fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
        ),
    ] {
        case(
            "v2",
            comment,
            &[],
            &[req],
            format!("{ORIGIN}/room/{id}#{frag}"),
            r(),
        );
    }
    case(
        "v2",
        "v2 upper-case room id is rejected",
        &[],
        &["OS-LINK-2"],
        format!("{ORIGIN}/room/{}#v2.{k}.{host}", id.to_uppercase()),
        r(),
    );
    case(
        "v2",
        "v2 version checked before the room id",
        &[],
        &["OS-LINK-7"],
        format!("{ORIGIN}/room/not-a-uuid#v9.{k}"),
        r(),
    );
    // Two faults at once: the first failing step of §4.3 gives the code
    // (OS-LINK-10). Found by differential fuzzing.
    case(
        "v2",
        "two faults: upper-case room id (step 6) before an empty room key (step 8)",
        &[],
        &["OS-LINK-2", "OS-LINK-10"],
        format!("{ORIGIN}/room/{}#v2..{host}", id.to_uppercase()),
        r(),
    );
    case(
        "v1",
        "two faults: a room id that is no UUID (step 6) before a 63-character key (step 7)",
        &[],
        &["OS-LINK-2", "OS-LINK-10"],
        format!("{ORIGIN}/room/not-a-uuid#{}", &k[..63]),
        r(),
    );
    case(
        "v1",
        "two faults: a 63-character key of non-hex characters: the length first",
        &[],
        &["OS-LINK-3", "OS-LINK-10"],
        format!("{ORIGIN}/room/{id}#{}", "g".repeat(63)),
        r(),
    );
    s.finish()
}
