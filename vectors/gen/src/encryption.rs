//! `encryption.json`: NIP-44 v2 with `K_enc` as the conversation key (spec §7).

use base64_encode::encode as b64;
use openslots::Profile;
use openslots::cipher::{self, ConversationKey};
use openslots_vectors::{
    EncryptionExpected, EncryptionFile, EncryptionInput, EncryptionIntermediate,
};

use crate::fixtures::{ROOM_KEY, code, hex32};
use crate::{Expect, Suite};

/// Standard base64 with padding, written out so that the generator does not
/// take it from the module under test.
mod base64_encode {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(data: &[u8]) -> String {
        let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

fn decrypt(key: &ConversationKey, payload: &str) -> Result<EncryptionExpected, String> {
    cipher::decrypt(key, payload)
        .map(|p| EncryptionExpected {
            plaintext: Some(p),
            ..Default::default()
        })
        .map_err(|e| code(&e))
}

pub(crate) fn suite() -> EncryptionFile {
    let mut s: Suite<EncryptionInput, EncryptionIntermediate, EncryptionExpected> =
        Suite::new("encryption");
    s.note(
        "PaddingBoundary",
        "A plaintext length at a boundary of NIP-44's padding scheme.",
    );
    s.note(
        "WrongKey",
        "A valid payload under another key: the MAC fails (OS-CIPHER-7).",
    );
    s.note(
        "NonCanonicalBase64",
        "Base64 that a lenient decoder would accept (OS-CIPHER-6).",
    );
    s.note(
        "DeployedAccepts",
        "A conforming reader rejects this input; the deployed app accepts it (PROTOCOL-FACTS §2): nostr-tools decodes a plaintext that is not UTF-8 with U+FFFD replacements (spec Appendix B.2).",
    );
    s.note(
        "DeployedRejects",
        "The deployed app rejects this too: its NIP-44 decoding is strict.",
    );
    let room_key = openslots::kdf::RoomKey::from_bytes(hex32(ROOM_KEY));
    let v1 = room_key.derive(Profile::V1).enc;
    let v2 = room_key.derive(Profile::V2).enc;
    let plaintexts: Vec<(String, &str, &[&str])> = vec![
        ("a".into(), "one byte", &["PaddingBoundary"]),
        ("x".repeat(32), "32 bytes: the smallest padded size", &["PaddingBoundary"]),
        ("x".repeat(33), "33 bytes: the next chunk", &["PaddingBoundary"]),
        ("x".repeat(256), "256 bytes", &["PaddingBoundary"]),
        ("x".repeat(257), "257 bytes: chunks grow to 64", &["PaddingBoundary"]),
        ("x".repeat(1024), "1 KiB", &[]),
        (r#"{"t":"Team sync","s":1748851200,"o":"11000000000000000000000000000000000000000000000011"}"#.into(), "the v1 room payload of spec §8.4", &[]),
        (r#"{"n":"Alice","o":"01000000000000000000000000000000000000000000000010"}"#.into(), "the v1 response payload of spec §8.4", &[]),
        ("Réunion 😀 \u{1}\u{7f}".into(), "non-ASCII and control characters", &[]),
        ("x".repeat(65_535), "65535 bytes: the largest plaintext", &["PaddingBoundary"]),
    ];
    for (profile, key) in [("v1", &v1), ("v2", &v2)] {
        for (i, (plaintext, comment, flags)) in plaintexts.iter().enumerate() {
            if profile == "v2" && i >= 3 && i != 6 {
                continue; // v2 uses the same cipher; a few cases suffice
            }
            let nonce = [i as u8 + 1; 32];
            let trace = match cipher::encrypt_traced(key, plaintext.as_bytes(), &nonce) {
                Ok(t) => t,
                Err(_) => unreachable!("generator plaintexts are 1..=65535 bytes"),
            };
            let mk = &trace.message_keys;
            s.push(
                profile,
                "encrypt",
                *comment,
                flags,
                &["OS-CIPHER-1", "OS-CIPHER-2", "OS-CIPHER-9"],
                EncryptionInput {
                    conversation_key: Some(hex::encode(key.as_bytes())),
                    nonce: Some(hex::encode(nonce)),
                    plaintext: Some(plaintext.clone()),
                    payload: None,
                },
                Some(EncryptionIntermediate {
                    chacha_key: Some(hex::encode(mk.chacha_key())),
                    chacha_nonce: Some(hex::encode(mk.chacha_nonce())),
                    hmac_key: Some(hex::encode(mk.hmac_key())),
                    padded_plaintext: Some(hex::encode(&trace.padded_plaintext)),
                    ciphertext: Some(hex::encode(&trace.ciphertext)),
                    mac: Some(hex::encode(trace.mac)),
                }),
                Ok(EncryptionExpected {
                    payload: Some(trace.payload.clone()),
                    ..Default::default()
                }),
                Expect::Reference,
            );
            s.push(
                profile,
                "decrypt",
                format!("decrypt: {comment}"),
                flags,
                &[
                    "OS-CIPHER-1",
                    "OS-CIPHER-2",
                    "OS-CIPHER-4",
                    "OS-CIPHER-5",
                    "OS-CIPHER-6",
                    "OS-CIPHER-7",
                    "OS-CIPHER-8",
                    "OS-CIPHER-10",
                ],
                EncryptionInput {
                    conversation_key: Some(hex::encode(key.as_bytes())),
                    payload: Some(trace.payload.clone()),
                    ..Default::default()
                },
                None,
                decrypt(key, &trace.payload),
                Expect::Reference,
            );
        }
    }
    // Plaintext lengths that cannot be encrypted (OS-CIPHER-9).
    for (plaintext, comment) in [
        (String::new(), "empty plaintext"),
        ("x".repeat(65_536), "65536 bytes: one too many"),
    ] {
        let outcome = cipher::encrypt_with_nonce(&v1, plaintext.as_bytes(), &[9; 32])
            .map(|p| EncryptionExpected {
                payload: Some(p),
                ..Default::default()
            })
            .map_err(|e| code(&e));
        s.push(
            "v1",
            "encrypt",
            comment,
            &[],
            &["OS-CIPHER-9"],
            EncryptionInput {
                conversation_key: Some(hex::encode(v1.as_bytes())),
                nonce: Some(hex::encode([9u8; 32])),
                plaintext: Some(plaintext),
                payload: None,
            },
            None,
            outcome,
            Expect::Reference,
        );
    }
    // Invalid payloads, each breaking one thing.
    let good = match cipher::encrypt_bytes_with_nonce(&v1, b"hello, room", &[7; 32]) {
        Ok(b) => b,
        Err(_) => unreachable!("a short plaintext encrypts"),
    };
    let good_b64 = b64(&good);
    let flip = |index: usize| {
        let mut b = good.clone();
        b[index] ^= 1;
        b64(&b)
    };
    let last = good.len() - 1;
    let mut v1_bytes = good.clone();
    v1_bytes[0] = 1;
    let mut v3_bytes = good.clone();
    v3_bytes[0] = 3;
    // A payload whose plaintext is not UTF-8: encrypt raw bytes.
    let not_utf8 = match cipher::encrypt_with_nonce(&v1, &[0xff, 0xfe, 0x41], &[8; 32]) {
        Ok(p) => p,
        Err(_) => unreachable!("three bytes encrypt"),
    };
    // Padding built by hand: a zero length prefix, and a length prefix that
    // does not match the padded size; both with a valid MAC.
    let bad_padding = |padded: Vec<u8>| -> String {
        let nonce = [6u8; 32];
        let keys = cipher::message_keys(&v1, &nonce);
        let mut ct = padded;
        chacha(&keys, &mut ct);
        let mac = hmac(keys.hmac_key(), &nonce, &ct);
        let mut raw = vec![2u8];
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ct);
        raw.extend_from_slice(&mac);
        b64(&raw)
    };
    let mut zero_len = vec![0u8; 34];
    zero_len[2] = b'a';
    let mut long_len = vec![0u8; 34];
    long_len[1] = 33; // 33 bytes claimed, but only 32 bytes of room
    let mut short_pad = vec![0u8; 66];
    short_pad[1] = 5; // 5 bytes need 32 bytes of padding, not 64
    // A payload whose byte length is not a multiple of 3, so that its base64
    // ends in '=' and the character before it has unused low bits: the
    // payload of the v1 decrypt case "33 bytes: the next chunk".
    let padded_b64 = match cipher::encrypt_with_nonce(&v1, "x".repeat(33).as_bytes(), &[3; 32]) {
        Ok(p) => p,
        Err(_) => unreachable!("33 bytes encrypt"),
    };
    let trailing_bits = {
        // Set the lowest unused bit of the last character before the '='.
        let mut t = padded_b64.clone();
        let pos = t.trim_end_matches('=').len() - 1;
        let c = t.as_bytes()[pos];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let idx = alphabet.iter().position(|&a| a == c).unwrap_or(0);
        t.replace_range(pos..=pos, &char::from(alphabet[idx | 1]).to_string());
        t
    };
    // 65604 bytes: 87472 characters without padding, one byte more than the
    // largest payload.
    let mut too_long = good.clone();
    too_long.resize(65_604, 0);
    let other_key = ConversationKey::from_bytes([0x42; 32]);
    let cases: Vec<(&str, &[&str], &str, String, &ConversationKey)> = vec![
        (
            "valid reference payload",
            &[],
            "OS-CIPHER-1",
            good_b64.clone(),
            &v1,
        ),
        (
            "empty payload",
            &["DeployedRejects"],
            "OS-CIPHER-4",
            String::new(),
            &v1,
        ),
        (
            "payload starting with '#'",
            &["DeployedRejects"],
            "OS-CIPHER-4",
            format!("#{}", &good_b64[1..]),
            &v1,
        ),
        (
            "version byte 1",
            &["DeployedRejects"],
            "OS-CIPHER-4",
            b64(&v1_bytes),
            &v1,
        ),
        (
            "version byte 3",
            &["DeployedRejects"],
            "OS-CIPHER-4",
            b64(&v3_bytes),
            &v1,
        ),
        (
            "131 characters: too short",
            &[],
            "OS-CIPHER-5",
            good_b64[..131].to_owned(),
            &v1,
        ),
        (
            "87473 characters: too long",
            &[],
            "OS-CIPHER-5",
            "A".repeat(87_473),
            &v1,
        ),
        (
            "132 canonical characters that decode to 97 bytes: too short",
            &[],
            "OS-CIPHER-5",
            b64(&good[..97]),
            &v1,
        ),
        (
            "padding '=' removed from a 131-byte payload",
            &["NonCanonicalBase64", "DeployedRejects"],
            "OS-CIPHER-6",
            padded_b64.trim_end_matches('=').to_owned(),
            &v1,
        ),
        (
            "trailing newline",
            &["NonCanonicalBase64", "DeployedRejects"],
            "OS-CIPHER-6",
            format!("{good_b64}\n"),
            &v1,
        ),
        (
            "space inside",
            &["NonCanonicalBase64"],
            "OS-CIPHER-6",
            format!("{} {}", &good_b64[..40], &good_b64[41..]),
            &v1,
        ),
        (
            "URL-safe alphabet",
            &["NonCanonicalBase64", "DeployedRejects"],
            "OS-CIPHER-6",
            good_b64
                .replace('+', "-")
                .replace('/', "_")
                .replacen('A', "-", 1),
            &v1,
        ),
        (
            "non-zero trailing bits before the '=' of a 131-byte payload",
            &["NonCanonicalBase64", "DeployedRejects"],
            "OS-CIPHER-6",
            trailing_bits,
            &v1,
        ),
        ("flipped bit in the nonce", &[], "OS-CIPHER-7", flip(5), &v1),
        (
            "flipped bit in the ciphertext",
            &[],
            "OS-CIPHER-7",
            flip(40),
            &v1,
        ),
        (
            "flipped bit in the MAC",
            &[],
            "OS-CIPHER-7",
            flip(last),
            &v1,
        ),
        (
            "wrong key",
            &["WrongKey"],
            "OS-CIPHER-7",
            good_b64.clone(),
            &other_key,
        ),
        (
            "v2 key for a v1 payload",
            &["WrongKey"],
            "OS-CIPHER-7",
            good_b64.clone(),
            &v2,
        ),
        (
            "length prefix zero",
            &[],
            "OS-CIPHER-8",
            bad_padding(zero_len),
            &v1,
        ),
        (
            "length prefix beyond the padded plaintext",
            &[],
            "OS-CIPHER-8",
            bad_padding(long_len),
            &v1,
        ),
        (
            "padded size does not match the length",
            &[],
            "OS-CIPHER-8",
            bad_padding(short_pad),
            &v1,
        ),
        (
            "plaintext is not UTF-8",
            &["DeployedAccepts"],
            "OS-CIPHER-10",
            not_utf8,
            &v1,
        ),
        (
            "87472 canonical characters that decode to 65604 bytes: too long",
            &[],
            "OS-CIPHER-5",
            b64(&too_long),
            &v1,
        ),
    ];
    for (comment, flags, req, payload, key) in cases {
        let outcome = decrypt(key, &payload);
        s.push(
            "any",
            "decrypt",
            comment,
            flags,
            &[req],
            EncryptionInput {
                conversation_key: Some(hex::encode(key.as_bytes())),
                payload: Some(payload),
                ..Default::default()
            },
            None,
            outcome,
            Expect::Reference,
        );
    }
    // Every check of §7.3 passes in its order (OS-CIPHER-11).
    let outcome = decrypt(&v1, &good_b64);
    assert!(outcome.is_ok());
    s.push(
        "any",
        "decrypt",
        "every check of §7.3 passes, in order: the plaintext",
        &[],
        &["OS-CIPHER-11"],
        EncryptionInput {
            conversation_key: Some(hex::encode(v1.as_bytes())),
            payload: Some(good_b64.clone()),
            ..Default::default()
        },
        None,
        outcome,
        Expect::Reference,
    );
    // Found by differential fuzzing: the encoded length is counted in
    // characters (Unicode scalar values) and checked before the base64
    // (OS-CIPHER-5, OS-CIPHER-11). Each payload has 131 characters, one of
    // them not ASCII: 132 bytes or more in UTF-8 (a byte count would pass
    // the length and fail the base64), and with the astral character 132
    // UTF-16 code units (so would a count of those).
    for (comment, payload) in [
        (
            "131 characters, one of them é (132 bytes): cipher-length, counted in characters",
            format!("{}é", "A".repeat(130)),
        ),
        (
            "131 characters, one of them U+1F600 (132 UTF-16 code units, 134 bytes): cipher-length",
            format!("{}\u{1F600}", "A".repeat(130)),
        ),
    ] {
        let outcome = decrypt(&v1, &payload);
        assert_eq!(outcome, Err("cipher-length".to_owned()), "{comment}");
        s.push(
            "any",
            "decrypt",
            comment,
            &[],
            &["OS-CIPHER-5", "OS-CIPHER-11"],
            EncryptionInput {
                conversation_key: Some(hex::encode(v1.as_bytes())),
                payload: Some(payload),
                ..Default::default()
            },
            None,
            outcome,
            Expect::Reference,
        );
    }
    s.finish()
}

fn chacha(keys: &cipher::MessageKeys, data: &mut [u8]) {
    use chacha20::cipher::{KeyIvInit, StreamCipher};
    let mut c = chacha20::ChaCha20::new(keys.chacha_key().into(), keys.chacha_nonce().into());
    c.apply_keystream(data);
}

fn hmac(key: &[u8; 32], nonce: &[u8; 32], ct: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    let mut mac = match <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(nonce);
    mac.update(ct);
    mac.finalize().into_bytes().into()
}
