//! `wrap.json`: member access (spec §19.2). scrypt runs with small LOG_N
//! (2 to 4) except in one case, the official NIP-49 vector's salt and
//! password at LOG_N 16.

use base64::Engine as _;
use hex::encode;
use openslots::SpecError;
use openslots::wrap::{self, EpochSecret, GroupId, Intermediate, Schedule, Wrapper, WrapperSet};
use openslots_vectors::{WrapExpected, WrapFile, WrapInput, WrapIntermediate};

use crate::{Expect, Outcome, Suite};

/// The group id of the cases.
pub const GROUP: &str = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
/// Another group.
pub const OTHER_GROUP: &str = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
/// The group's salt.
pub const SALT: &str = "5a17000102030405060708090a0b0c0d";
/// The salt of the official NIP-49 test vector.
pub const NIP49_SALT: &str = "52d7c3f8580e7b41953381e5bc49646b";
/// The group's LOG_N in the cases (small, for speed).
pub const LOG_N: u8 = 3;
/// The epoch of the cases: 2024-09-22 with a one-day rotation.
pub const EPOCH: u64 = 20_000;
/// The epoch secret of [`EPOCH`].
pub const SECRET: &str = "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
/// The epoch secret of the next epoch.
pub const NEXT_SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// Three members' passphrases.
pub const MEMBERS: [&str; 3] = [
    "correct horse battery staple",
    "pässwörd",
    "ｔｒｏｕｂａｄｏｕｒ",
];

fn h32(s: &str) -> [u8; 32] {
    let mut o = [0u8; 32];
    hex::decode_to_slice(s, &mut o).unwrap_or_else(|e| panic!("fixture {s}: {e}"));
    o
}

fn h16(s: &str) -> [u8; 16] {
    let mut o = [0u8; 16];
    hex::decode_to_slice(s, &mut o).unwrap_or_else(|e| panic!("fixture {s}: {e}"));
    o
}

fn nonce(n: u8) -> [u8; 24] {
    let mut o = [n; 24];
    o[0] = 0x4e;
    o
}

fn code<T>(r: Result<T, wrap::WrapError>) -> Outcome<T> {
    r.map_err(|e| e.code().as_str().to_owned())
}

fn inter(p: &str, salt: &str, log_n: u8) -> Intermediate {
    wrap::derive_intermediate(p, &h16(salt), log_n)
        .unwrap_or_else(|e| panic!("fixture passphrase {p:?}: {e}"))
}

/// A member's wrapper in the fixture group.
fn wrapper_for(p: &str, group: &str, epoch: u64, secret: &str, n: u8) -> Wrapper {
    let i = inter(p, SALT, LOG_N);
    wrap::seal(
        &i,
        &GroupId::from_bytes(h32(group)),
        epoch,
        &h16(SALT),
        LOG_N,
        &nonce(n),
        &EpochSecret::from_bytes(h32(secret)),
    )
    .unwrap_or_else(|e| panic!("fixture wrapper: {e}"))
}

fn raw_content(epoch: u64, wrappers: &[Vec<u8>]) -> String {
    let mut bytes = epoch.to_be_bytes().to_vec();
    for w in wrappers {
        bytes.extend_from_slice(w);
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

type S = Suite<WrapInput, WrapIntermediate, WrapExpected>;

/// One derivation case: comment, flags, requirements, passphrase, salt, LOG_N.
type DeriveCase<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a str, &'a str, u8);

fn derive_cases(s: &mut S) {
    let a1024 = "a".repeat(1024);
    let a1025 = "a".repeat(1025);
    let fdfa = "\u{fdfa}".repeat(32);
    let cases: Vec<DeriveCase> = vec![
        (
            "the official NIP-49 vector's password and salt at LOG_N 16: NIP-49's symmetric key (the one LOG_N 16 case)",
            &["Nip49", "Slow"],
            &["OS-WRAP-3", "OS-WRAP-2"],
            "nostr",
            NIP49_SALT,
            16,
        ),
        (
            "ASCII passphrase, LOG_N 3",
            &[],
            &["OS-WRAP-3"],
            "correct horse battery staple",
            SALT,
            3,
        ),
        (
            "same passphrase, LOG_N 4: another intermediate",
            &[],
            &["OS-WRAP-3"],
            "correct horse battery staple",
            SALT,
            4,
        ),
        (
            "same passphrase, LOG_N 1, the smallest accepted",
            &[],
            &["OS-WRAP-3", "OS-WRAP-4"],
            "correct horse battery staple",
            SALT,
            1,
        ),
        (
            "same passphrase, another salt",
            &[],
            &["OS-WRAP-3"],
            "correct horse battery staple",
            NIP49_SALT,
            3,
        ),
        (
            "precomposed ä and ö (NFC form)",
            &["Nfkc"],
            &["OS-WRAP-2", "OS-WRAP-3"],
            "p\u{e4}ssw\u{f6}rd",
            SALT,
            3,
        ),
        (
            "decomposed a + U+0308 and o + U+0308: NFKC-equal to the precomposed case",
            &["Nfkc"],
            &["OS-WRAP-2", "OS-WRAP-3"],
            "pa\u{308}sswo\u{308}rd",
            SALT,
            3,
        ),
        (
            "fullwidth letters: NFKC-equal to ASCII 'troubadour'",
            &["Nfkc"],
            &["OS-WRAP-2", "OS-WRAP-3"],
            "\u{ff54}\u{ff52}\u{ff4f}\u{ff55}\u{ff42}\u{ff41}\u{ff44}\u{ff4f}\u{ff55}\u{ff52}",
            SALT,
            3,
        ),
        (
            "ASCII 'troubadour'",
            &["Nfkc"],
            &["OS-WRAP-2", "OS-WRAP-3"],
            "troubadour",
            SALT,
            3,
        ),
        (
            "ligature U+FB01 and U+212B ANGSTROM SIGN: NFKC gives 'fi' and U+00C5",
            &["Nfkc"],
            &["OS-WRAP-2", "OS-WRAP-3"],
            "\u{fb01}ve \u{212b}",
            SALT,
            3,
        ),
        (
            "'five \u{c5}': NFKC-equal to the ligature case",
            &["Nfkc"],
            &["OS-WRAP-2", "OS-WRAP-3"],
            "five \u{c5}",
            SALT,
            3,
        ),
        (
            "leading and trailing spaces are kept",
            &[],
            &["OS-WRAP-2", "OS-WRAP-3"],
            " nostr ",
            SALT,
            3,
        ),
        (
            "1,024 bytes: the longest passphrase",
            &[],
            &["OS-WRAP-2"],
            &a1024,
            SALT,
            2,
        ),
        ("empty passphrase", &[], &["OS-WRAP-2"], "", SALT, 3),
        ("1,025 bytes", &[], &["OS-WRAP-2"], &a1025, SALT, 3),
        (
            "32 x U+FDFA: 96 bytes as entered, 1,056 after NFKC",
            &["Nfkc"],
            &["OS-WRAP-2"],
            &fdfa,
            SALT,
            3,
        ),
        ("LOG_N 0", &[], &["OS-WRAP-4"], "nostr", SALT, 0),
        (
            "LOG_N 21, one above the cap",
            &[],
            &["OS-WRAP-4"],
            "nostr",
            SALT,
            21,
        ),
        (
            "LOG_N 40: refused, not attempted (2^50 bytes)",
            &[],
            &["OS-WRAP-4"],
            "nostr",
            SALT,
            40,
        ),
        ("LOG_N 255", &[], &["OS-WRAP-4"], "nostr", SALT, 255),
    ];
    for (comment, flags, reqs, p, salt, log_n) in cases {
        let out = code(wrap::derive_intermediate(p, &h16(salt), log_n)).map(|i| WrapExpected {
            intermediate: Some(encode(i.as_bytes())),
            ..Default::default()
        });
        s.push(
            "any",
            "derive_intermediate",
            comment,
            flags,
            reqs,
            WrapInput {
                passphrase: Some(p.to_owned()),
                salt: Some(salt.to_owned()),
                log_n: Some(log_n),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

fn member_key_cases(s: &mut S) {
    let i = encode(inter(MEMBERS[0], SALT, LOG_N).as_bytes());
    let cases = [
        ("member 0, epoch 20000", i.clone(), GROUP, EPOCH),
        (
            "member 0, the next epoch: both values change",
            i.clone(),
            GROUP,
            EPOCH + 1,
        ),
        (
            "member 0, another group: both values change",
            i.clone(),
            OTHER_GROUP,
            EPOCH,
        ),
        ("member 0, epoch 0", i.clone(), GROUP, 0),
        (
            "member 0, epoch 2^53 - 1 (the largest integer JSON readers keep exactly)",
            i,
            GROUP,
            (1u64 << 53) - 1,
        ),
        ("all-zero intermediate", "00".repeat(32), GROUP, EPOCH),
    ];
    for (comment, i, g, e) in cases {
        let keys = wrap::member_keys(
            &Intermediate::from_bytes(h32(&i)),
            &GroupId::from_bytes(h32(g)),
            e,
        );
        s.push(
            "any",
            "member_keys",
            comment,
            &[],
            &["OS-WRAP-7"],
            WrapInput {
                intermediate: Some(i),
                group_id: Some(g.to_owned()),
                epoch: Some(e),
                ..Default::default()
            },
            None,
            Ok(WrapExpected {
                locator: Some(encode(keys.locator)),
                wrap_key: Some(encode(keys.key.as_bytes())),
                ..Default::default()
            }),
            Expect::Reference,
        );
    }
}

fn seal_cases(s: &mut S) {
    let cases = [
        ("member 0", MEMBERS[0], GROUP, EPOCH, SECRET, 1u8),
        ("member 1", MEMBERS[1], GROUP, EPOCH, SECRET, 2),
        ("member 2", MEMBERS[2], GROUP, EPOCH, SECRET, 3),
        (
            "member 0, next epoch and secret",
            MEMBERS[0],
            GROUP,
            EPOCH + 1,
            NEXT_SECRET,
            4,
        ),
        (
            "member 0, another group",
            MEMBERS[0],
            OTHER_GROUP,
            EPOCH,
            SECRET,
            1,
        ),
    ];
    for (comment, p, g, e, secret, n) in cases {
        let i = inter(p, SALT, LOG_N);
        let group = GroupId::from_bytes(h32(g));
        let keys = wrap::member_keys(&i, &group, e);
        let w = wrapper_for(p, g, e, secret, n);
        let mut header = [0u8; wrap::HEADER_LEN];
        header.copy_from_slice(&w.as_bytes()[..wrap::HEADER_LEN]);
        s.push(
            "any",
            "seal_wrapper",
            comment,
            &[],
            &["OS-WRAP-8", "OS-WRAP-9", "OS-WRAP-7"],
            WrapInput {
                intermediate: Some(encode(i.as_bytes())),
                group_id: Some(g.to_owned()),
                epoch: Some(e),
                salt: Some(SALT.to_owned()),
                log_n: Some(LOG_N),
                nonce: Some(encode(nonce(n))),
                epoch_secret: Some(secret.to_owned()),
                ..Default::default()
            },
            Some(WrapIntermediate {
                locator: Some(encode(keys.locator)),
                wrap_key: Some(encode(keys.key.as_bytes())),
                ad: Some(encode(wrap::associated_data(&group, e, &header))),
                ..Default::default()
            }),
            Ok(WrapExpected {
                wrapper: Some(encode(w.as_bytes())),
                ..Default::default()
            }),
            Expect::Reference,
        );
    }
}

fn open_cases(s: &mut S) {
    let w = wrapper_for(MEMBERS[0], GROUP, EPOCH, SECRET, 1)
        .as_bytes()
        .to_vec();
    let flip = |pos: usize| {
        let mut b = w.clone();
        b[pos] ^= 0x01;
        b
    };
    let set_byte = |pos: usize, v: u8| {
        let mut b = w.clone();
        b[pos] = v;
        b
    };
    let m1 = wrapper_for(MEMBERS[1], GROUP, EPOCH, SECRET, 2)
        .as_bytes()
        .to_vec();
    type OpenCase<'a> = (&'a str, &'a [&'a str], &'a str, &'a str, u64, Vec<u8>);
    let cases: Vec<OpenCase> = vec![
        (
            "member 0 opens its wrapper",
            &["OS-WRAP-11", "OS-WRAP-9"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            w.clone(),
        ),
        (
            "member 2 entered in ASCII: NFKC-equal to its fullwidth passphrase",
            &["OS-WRAP-2", "OS-WRAP-11"],
            "troubadour",
            GROUP,
            EPOCH,
            wrapper_for(MEMBERS[2], GROUP, EPOCH, SECRET, 3)
                .as_bytes()
                .to_vec(),
        ),
        (
            "member 1 with a decomposed ä and ö: NFKC-equal",
            &["OS-WRAP-2", "OS-WRAP-11"],
            "pa\u{308}sswo\u{308}rd",
            GROUP,
            EPOCH,
            m1.clone(),
        ),
        (
            "wrong passphrase",
            &["OS-WRAP-11"],
            "correct horse battery stapler",
            GROUP,
            EPOCH,
            w.clone(),
        ),
        (
            "case differs: NFKC does not fold case",
            &["OS-WRAP-2", "OS-WRAP-11"],
            "Correct horse battery staple",
            GROUP,
            EPOCH,
            w.clone(),
        ),
        (
            "member 1's wrapper opened with member 0's passphrase (moved to another member)",
            &["OS-WRAP-9", "OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            m1,
        ),
        (
            "opened as the next epoch (moved to another epoch)",
            &["OS-WRAP-9", "OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH + 1,
            w.clone(),
        ),
        (
            "opened as the previous epoch",
            &["OS-WRAP-9", "OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH - 1,
            w.clone(),
        ),
        (
            "opened in another group",
            &["OS-WRAP-9", "OS-WRAP-11"],
            MEMBERS[0],
            OTHER_GROUP,
            EPOCH,
            w.clone(),
        ),
        (
            "tag: last byte changed",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            flip(105),
        ),
        (
            "tag: first byte changed",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            flip(90),
        ),
        (
            "ciphertext: first byte changed",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            flip(58),
        ),
        (
            "ciphertext: last byte changed",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            flip(89),
        ),
        (
            "locator (the serialised associated data) changed",
            &["OS-WRAP-9", "OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            flip(50),
        ),
        (
            "nonce changed",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            flip(30),
        ),
        (
            "salt changed",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            flip(5),
        ),
        (
            "LOG_N 3 changed to 2",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            set_byte(1, 2),
        ),
        (
            "version 0x02 (NIP-49's number)",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            set_byte(0, 2),
        ),
        (
            "version 0x00",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            set_byte(0, 0),
        ),
        (
            "LOG_N 40: refused before any allocation",
            &["OS-WRAP-4", "OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            set_byte(1, 40),
        ),
        (
            "LOG_N 0",
            &["OS-WRAP-4", "OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            set_byte(1, 0),
        ),
        (
            "LOG_N 21",
            &["OS-WRAP-4", "OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            set_byte(1, 21),
        ),
        (
            "truncated to 105 bytes",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            w[..105].to_vec(),
        ),
        (
            "truncated to the 58-byte header",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            w[..58].to_vec(),
        ),
        (
            "107 bytes: one extra byte",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            [w.clone(), vec![0]].concat(),
        ),
        (
            "empty",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            Vec::new(),
        ),
        (
            "105 bytes and version 0x02: the length is checked first",
            &["OS-WRAP-11"],
            MEMBERS[0],
            GROUP,
            EPOCH,
            set_byte(0, 2)[..105].to_vec(),
        ),
        (
            "empty passphrase on a valid wrapper",
            &["OS-WRAP-2", "OS-WRAP-11"],
            "",
            GROUP,
            EPOCH,
            w.clone(),
        ),
    ];
    for (comment, reqs, p, g, e, bytes) in cases {
        let out = code(wrap::open_with_passphrase(
            p,
            &GroupId::from_bytes(h32(g)),
            e,
            &bytes,
        ))
        .map(|s| WrapExpected {
            epoch_secret: Some(encode(s.as_bytes())),
            ..Default::default()
        });
        s.push(
            "any",
            "open_wrapper",
            comment,
            &[],
            reqs,
            WrapInput {
                passphrase: Some(p.to_owned()),
                group_id: Some(g.to_owned()),
                epoch: Some(e),
                wrapper: Some(encode(&bytes)),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

fn set_cases(s: &mut S) {
    let ws: Vec<Wrapper> = MEMBERS
        .iter()
        .enumerate()
        .map(|(k, p)| wrapper_for(p, GROUP, EPOCH, SECRET, k as u8 + 1))
        .collect();
    let set = WrapperSet::new(EPOCH, ws.clone()).unwrap_or_else(|e| panic!("fixture set: {e}"));
    let content = set.to_content();
    // The next epoch: member 1 removed.
    let next = WrapperSet::new(
        EPOCH + 1,
        vec![
            wrapper_for(MEMBERS[0], GROUP, EPOCH + 1, NEXT_SECRET, 4),
            wrapper_for(MEMBERS[2], GROUP, EPOCH + 1, NEXT_SECRET, 5),
        ],
    )
    .unwrap_or_else(|e| panic!("fixture set: {e}"))
    .to_content();
    let raw: Vec<Vec<u8>> = set.wrappers.iter().map(|w| w.as_bytes().to_vec()).collect();
    let mut unsorted = raw.clone();
    unsorted.swap(0, 1);
    let dup = vec![raw[0].clone(), raw[0].clone()];
    let other_salt = {
        let i = inter(MEMBERS[1], NIP49_SALT, LOG_N);
        wrap::seal(
            &i,
            &GroupId::from_bytes(h32(GROUP)),
            EPOCH,
            &h16(NIP49_SALT),
            LOG_N,
            &nonce(9),
            &EpochSecret::from_bytes(h32(SECRET)),
        )
        .unwrap_or_else(|e| panic!("fixture: {e}"))
        .as_bytes()
        .to_vec()
    };
    let mut mixed_salt = vec![raw[0].clone(), other_salt.clone()];
    mixed_salt.sort_by(|a, b| a[42..58].cmp(&b[42..58]));
    let mut mixed_log_n = vec![
        raw[0].clone(),
        wrapper_for(MEMBERS[1], GROUP, EPOCH, SECRET, 2)
            .as_bytes()
            .to_vec(),
    ];
    mixed_log_n[1][1] = 4;
    mixed_log_n.sort_by(|a, b| a[42..58].cmp(&b[42..58]));
    let mut bad_version = raw.clone();
    bad_version[1][0] = 2;
    let mut big_log_n = raw.clone();
    big_log_n[2][1] = 40;
    let mut tampered = raw.clone();
    let member0_at = set
        .find(
            &wrap::member_keys(
                &inter(MEMBERS[0], SALT, LOG_N),
                &GroupId::from_bytes(h32(GROUP)),
                EPOCH,
            )
            .locator,
        )
        .map(|(k, _)| k)
        .unwrap_or_else(|| panic!("member 0 in the fixture set"));
    tampered[member0_at][100] ^= 1;
    let no_pad = content.trim_end_matches('=').to_owned();
    type SetCase<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a str, String);
    let cases: Vec<SetCase> = vec![
        (
            "member 0 finds and opens its wrapper among three",
            &[],
            &["OS-WRAP-13", "OS-WRAP-12"],
            MEMBERS[0],
            content.clone(),
        ),
        (
            "member 1 finds its wrapper",
            &[],
            &["OS-WRAP-13"],
            MEMBERS[1],
            content.clone(),
        ),
        (
            "member 2 finds its wrapper, passphrase entered in ASCII (NFKC)",
            &["Nfkc"],
            &["OS-WRAP-13", "OS-WRAP-2"],
            "troubadour",
            content.clone(),
        ),
        (
            "not a member: no wrapper carries its locator",
            &[],
            &["OS-WRAP-13"],
            "not a member",
            content.clone(),
        ),
        (
            "wrong passphrase of a member: not found, like a non-member",
            &[],
            &["OS-WRAP-13"],
            "correct horse battery stapler",
            content.clone(),
        ),
        (
            "removed member (member 1) against the next epoch's set",
            &["Removed"],
            &["OS-WRAP-13", "OS-WRAP-19"],
            MEMBERS[1],
            next.clone(),
        ),
        (
            "remaining member (member 2) against the next epoch's set",
            &["Removed"],
            &["OS-WRAP-13", "OS-WRAP-19"],
            MEMBERS[2],
            next,
        ),
        (
            "member 0's wrapper tampered inside the set",
            &[],
            &["OS-WRAP-11", "OS-WRAP-13"],
            MEMBERS[0],
            raw_content(EPOCH, &tampered),
        ),
        (
            "the set's epoch changed to the next: locators do not match",
            &[],
            &["OS-WRAP-9", "OS-WRAP-13"],
            MEMBERS[0],
            raw_content(EPOCH + 1, &raw),
        ),
        (
            "one wrapper alone",
            &[],
            &["OS-WRAP-12", "OS-WRAP-13"],
            MEMBERS[0],
            raw_content(EPOCH, &raw[member0_at..=member0_at]),
        ),
        (
            "no wrapper: the epoch alone",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &[]),
        ),
        (
            "empty content",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            String::new(),
        ),
        ("padding removed", &[], &["OS-WRAP-12"], MEMBERS[0], no_pad),
        (
            "URL-safe alphabet",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            content.replace('+', "-").replace('/', "_"),
        ),
        (
            "a line break inside",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            format!("{}\n{}", &content[..40], &content[40..]),
        ),
        (
            "a wrapper truncated by one byte",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &[raw[0].clone(), raw[1][..105].to_vec()]),
        ),
        (
            "locators not ascending",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &unsorted),
        ),
        (
            "the same wrapper twice",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &dup),
        ),
        (
            "wrappers with different salts",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &mixed_salt),
        ),
        (
            "wrappers with different LOG_N",
            &[],
            &["OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &mixed_log_n),
        ),
        (
            "second wrapper has version 0x02",
            &[],
            &["OS-WRAP-11", "OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &bad_version),
        ),
        (
            "third wrapper asks for LOG_N 40: refused before any derivation",
            &[],
            &["OS-WRAP-4", "OS-WRAP-12"],
            MEMBERS[0],
            raw_content(EPOCH, &big_log_n),
        ),
        (
            "empty passphrase",
            &[],
            &["OS-WRAP-2", "OS-WRAP-13"],
            "",
            content,
        ),
    ];
    for (comment, flags, reqs, p, c) in cases {
        let out =
            code(wrap::open_set(p, &GroupId::from_bytes(h32(GROUP)), &c)).map(|o| WrapExpected {
                epoch: Some(o.epoch),
                index: Some(o.index as u64),
                locator: Some(encode(o.locator)),
                epoch_secret: Some(encode(o.secret.as_bytes())),
                ..Default::default()
            });
        s.push(
            "any",
            "open_set",
            comment,
            flags,
            reqs,
            WrapInput {
                passphrase: Some(p.to_owned()),
                group_id: Some(GROUP.to_owned()),
                content: Some(c),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

fn window_cases(s: &mut S) {
    const R: u64 = 86_400;
    const M: u64 = 3_600;
    let start = EPOCH * R;
    let cases: Vec<(&str, u64, u64, u64, u64)> = vec![
        ("one second before the epoch starts", R, M, EPOCH, start - 1),
        ("the epoch's first second", R, M, EPOCH, start),
        (
            "the epoch's last second as current epoch",
            R,
            M,
            EPOCH,
            start + R - 1,
        ),
        (
            "the next epoch's first second: margin starts",
            R,
            M,
            EPOCH,
            start + R,
        ),
        (
            "one second before the margin ends",
            R,
            M,
            EPOCH,
            start + R + M - 1,
        ),
        (
            "the margin's last second (equal to the end: accepted)",
            R,
            M,
            EPOCH,
            start + R + M,
        ),
        (
            "one second after the margin",
            R,
            M,
            EPOCH,
            start + R + M + 1,
        ),
        (
            "previous epoch at this epoch's first second: in its margin",
            R,
            M,
            EPOCH - 1,
            start,
        ),
        (
            "previous epoch at the end of its margin",
            R,
            M,
            EPOCH - 1,
            start + M,
        ),
        (
            "previous epoch one second after its margin",
            R,
            M,
            EPOCH - 1,
            start + M + 1,
        ),
        (
            "next epoch one second before it starts",
            R,
            M,
            EPOCH + 1,
            start + R - 1,
        ),
        ("next epoch at its start", R, M, EPOCH + 1, start + R),
        (
            "margin 0: the window ends at the next epoch's first second",
            R,
            0,
            EPOCH,
            start + R,
        ),
        ("margin 0: one second later", R, 0, EPOCH, start + R + 1),
        ("epoch 0 at now 0", R, M, 0, 0),
        ("largest margin: R - 1", 10, 9, 3, 49),
        ("largest margin: one second later", 10, 9, 3, 50),
        ("margin equal to rotate", R, R, EPOCH, start),
        ("margin above rotate", R, R + 1, EPOCH, start),
        ("rotate 0", 0, 0, EPOCH, start),
        ("epoch x R overflows 64 bits", R, M, u64::MAX / R + 1, start),
        (
            "epoch x R fits, the end overflows 64 bits",
            R,
            M,
            u64::MAX / R,
            0,
        ),
        ("rotate 1, margin 0: every second an epoch", 1, 0, 7, 8),
    ];
    for (comment, r, m, e, now) in cases {
        let out =
            code(Schedule::new(r, m).and_then(|sch| sch.check(e, now))).map(|w| WrapExpected {
                start: Some(w.start),
                end: Some(w.end),
                ..Default::default()
            });
        s.push(
            "any",
            "check_epoch",
            comment,
            &[],
            &["OS-WRAP-14"],
            WrapInput {
                rotate: Some(r),
                margin: Some(m),
                epoch: Some(e),
                now: Some(now),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

fn address_cases(s: &mut S) {
    let cases = [
        (
            "the fixture group, one-day rotation, one-hour margin",
            GROUP,
            86_400u64,
            3_600u64,
            EPOCH,
        ),
        (
            "another group: another d-tag",
            OTHER_GROUP,
            86_400,
            3_600,
            EPOCH,
        ),
        (
            "a week's rotation and a day's margin",
            GROUP,
            604_800,
            86_400,
            2_857,
        ),
        ("margin above rotate", GROUP, 60, 60, 1),
    ];
    for (comment, g, r, m, e) in cases {
        let group = GroupId::from_bytes(h32(g));
        let out = code(Schedule::new(r, m).and_then(|sch| sch.window(e))).map(|w| WrapExpected {
            d_tag: Some(wrap::set_d_tag(&group)),
            end: Some(w.end),
            ..Default::default()
        });
        s.push(
            "any",
            "set_address",
            comment,
            &[],
            &["OS-WRAP-16", "OS-WRAP-14"],
            WrapInput {
                group_id: Some(g.to_owned()),
                rotate: Some(r),
                margin: Some(m),
                epoch: Some(e),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

fn epoch_key_cases(s: &mut S) {
    let cases = [
        (
            "purpose openslots:book:request",
            SECRET,
            GROUP,
            EPOCH,
            "openslots:book:request",
        ),
        (
            "another purpose",
            SECRET,
            GROUP,
            EPOCH,
            "openslots:wrap:index",
        ),
        (
            "next epoch's secret",
            NEXT_SECRET,
            GROUP,
            EPOCH + 1,
            "openslots:book:request",
        ),
        (
            "same secret, another epoch number",
            SECRET,
            GROUP,
            EPOCH + 1,
            "openslots:book:request",
        ),
        (
            "same secret, another group",
            SECRET,
            OTHER_GROUP,
            EPOCH,
            "openslots:book:request",
        ),
    ];
    for (comment, secret, g, e, purpose) in cases {
        let k = wrap::derive_epoch_key(
            &EpochSecret::from_bytes(h32(secret)),
            &GroupId::from_bytes(h32(g)),
            e,
            purpose,
        );
        s.push(
            "any",
            "derive_epoch_key",
            comment,
            &[],
            &["OS-WRAP-21"],
            WrapInput {
                epoch_secret: Some(secret.to_owned()),
                group_id: Some(g.to_owned()),
                epoch: Some(e),
                purpose: Some(purpose.to_owned()),
                ..Default::default()
            },
            None,
            Ok(WrapExpected {
                key: Some(encode(k.as_bytes())),
                ..Default::default()
            }),
            Expect::Reference,
        );
    }
}

pub(crate) fn suite() -> WrapFile {
    let mut s: S = Suite::new("wrap");
    s.note("Nip49", "The official NIP-49 test vector's salt and password ('nostr', LOG_N 16): the intermediate is the key that opens that vector's ncryptsec to 3501454135014541350145413501453fefb02227e449e57cf4d3a3ce05378683.");
    s.note(
        "Slow",
        "LOG_N 16: 64 MiB and about 0.1 s of scrypt; every other case uses LOG_N 1 to 4.",
    );
    s.note(
        "Nfkc",
        "The passphrase is compared after NFKC normalisation (OS-WRAP-2).",
    );
    s.note(
        "Removed",
        "The next epoch's set, from which member 1 ('pässwörd') was removed (OS-WRAP-19).",
    );
    derive_cases(&mut s);
    member_key_cases(&mut s);
    seal_cases(&mut s);
    open_cases(&mut s);
    set_cases(&mut s);
    window_cases(&mut s);
    address_cases(&mut s);
    epoch_key_cases(&mut s);
    s.finish()
}
