//! The baselines compute what the reference computes (a ratio against a
//! baseline that does something else means nothing), the vectorised base64
//! engine the reference uses is exactly as strict as the scalar one, and the
//! payload-size table in `benches/README.md`, and the figures spec §10.5
//! cites from it, are the ones the reference produces today.

// Tests stop at the first surprise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::{PAD, STANDARD};
use openslots::cipher::{self, ConversationKey};
use openslots::mask;
use openslots_benches::{SplitMix64, masks, naive, raw, sizes};

#[test]
fn raw_limit_computes_nip44() {
    let engine = raw::base64();
    let mut rng = SplitMix64::new(1);
    let sizes = [
        1usize, 31, 32, 33, 64, 255, 256, 257, 900, 990, 1000, 1024, 3070, 3071, 3072, 3073, 6142,
        6143, 6144, 6145, 16_384, 40_000, 65_535,
    ];
    for len in sizes {
        let key = rng.bytes32();
        let nonce = rng.bytes32();
        let plaintext: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let ours = ConversationKey::from_bytes(key);
        let payload = cipher::encrypt_with_nonce(&ours, &plaintext, &nonce).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        raw::encrypt(&engine, &key, &nonce, &plaintext, &mut a, &mut b);
        assert_eq!(b, payload.as_bytes(), "encrypt, {len} bytes");
        assert!(raw::decrypt(&engine, &key, &payload, &mut a));
        assert_eq!(&a[35..35 + len], &plaintext[..], "decrypt, {len} bytes");
        let bytes = cipher::encrypt_bytes_with_nonce(&ours, &plaintext, &nonce).unwrap();
        assert!(raw::decrypt_bytes(&key, &bytes, &mut b));
        assert_eq!(&b[2..2 + len], &plaintext[..], "decrypt_bytes, {len} bytes");
        let keys = cipher::message_keys(&ours, &nonce);
        let (ck, cn, hk) = raw::message_keys(&key, &nonce);
        assert_eq!(
            (keys.chacha_key(), keys.chacha_nonce(), keys.hmac_key()),
            (&ck, &cn, &hk)
        );
    }
}

/// Strings near valid base64: valid payloads with one byte replaced, cut,
/// or padded, and runs of alphabet, padding and junk characters.
fn near_base64(rng: &mut SplitMix64) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.";
    let valid = STANDARD.encode(
        (0..rng.next_u64() % 200)
            .map(|_| rng.next_u64() as u8)
            .collect::<Vec<_>>(),
    );
    let mut s = valid.into_bytes();
    match rng.next_u64() % 4 {
        0 if !s.is_empty() => {
            let i = (rng.next_u64() as usize) % s.len();
            s[i] = CHARS[(rng.next_u64() as usize) % CHARS.len()];
        }
        1 if !s.is_empty() => s.truncate((rng.next_u64() as usize) % s.len()),
        2 => s.push(CHARS[(rng.next_u64() as usize) % CHARS.len()]),
        _ => {
            let n = rng.next_u64() % 150;
            s = (0..n)
                .map(|_| CHARS[(rng.next_u64() as usize) % CHARS.len()])
                .collect();
        }
    }
    String::from_utf8(s).unwrap()
}

#[test]
fn simd_base64_is_exactly_as_strict_as_standard() {
    let simd = base64::engine::Simd::standard(PAD);
    let mut rng = SplitMix64::new(2);
    for _ in 0..200_000 {
        let s = near_base64(&mut rng);
        assert_eq!(simd.decode(&s).ok(), STANDARD.decode(&s).ok(), "{s:?}");
    }
}

#[test]
fn naive_codecs_agree_with_the_reference() {
    for n in [1usize, 7, 8, 63, 64, 65, 336, 1000, 17_520] {
        let room = masks::random_room(n, 40, n as u64);
        let v1 = mask::encode_v1(&room);
        assert_eq!(naive::encode_v1(&room), v1);
        assert_eq!(naive::decode_v1(&v1), mask::decode_v1(&v1).ok());
        let (nv, b) = mask::encode_v2(&room);
        assert_eq!(
            naive::decode_v2(nv as usize, &b),
            mask::decode_v2(nv, &b).ok()
        );
        let responses = masks::responses(&room, 37, 60);
        let refs: Vec<&mask::Mask> = responses.iter().collect();
        let counts = mask::aggregate(&room, &refs);
        assert_eq!(naive::aggregate_by_response(&room, &refs), counts);
        assert_eq!(mask::aggregate_naive(&room, &refs), counts);
    }
}

#[test]
fn readme_has_the_current_payload_size_table() {
    let table = sizes::table().expect("the reference writes every payload of the table");
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&table),
        "benches/README.md's payload-size table is stale: replace it with the output of \
         `cargo run -p openslots-benches --bin payload-sizes`:\n{table}"
    );
}

/// Spec §10.5 cites the measured sizes: every row of its table (v1 room,
/// v1 response content, v2 room, v2 response content at each span) and the
/// largest rooms that fit 4 KiB and 64 KiB, as the reference measures them.
#[test]
fn spec_sizes_section_cites_the_measured_sizes() {
    let spec = include_str!("../../spec/openslots.md");
    let section = spec
        .split("### 10.5 Sizes")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .expect("spec/openslots.md has a section 10.5 Sizes");
    let content = |s: &sizes::Sizes| sizes::group(s.content.expect("the payload fits NIP-44"));
    for &(span, days) in sizes::SPANS {
        // The sizes of masks do not depend on the share of slots set.
        let row = sizes::row(span, days, 10).expect("the reference writes every payload");
        let [v1_room, v1_response, v2_room, v2_response, _] = &row.sizes;
        let want = format!(
            "| {} | {} | {} | {} | {} |",
            sizes::group(row.slots),
            v1_room.cell(),
            content(v1_response),
            v2_room.cell(),
            content(v2_response)
        );
        let line = section
            .lines()
            .find(|l| l.starts_with(&format!("| {span}")))
            .unwrap_or_else(|| panic!("spec §10.5 has no row for {span}"));
        assert!(
            line.ends_with(&want),
            "spec §10.5's row for {span} is stale:\n  spec:     {line}\n  measured: … {want}"
        );
    }
    let slots = |profile, limit| sizes::largest_room(profile, limit).expect("rooms build");
    let (v1_4k, v1_4k_event) = slots(openslots::Profile::V1, 4 * 1024);
    let (v2_4k, v2_4k_event) = slots(openslots::Profile::V2, 4 * 1024);
    let (v1_64k, _) = slots(openslots::Profile::V1, 64 * 1024);
    // The spec says the limit falls at the same span for content and event.
    assert_eq!((v1_4k, v2_4k), (v1_4k_event, v2_4k_event));
    for (what, n) in [
        ("v1, 4 KiB", v1_4k),
        ("v2, 4 KiB", v2_4k),
        ("v1, 64 KiB", v1_64k),
    ] {
        let cited = format!("{} slots", sizes::group(n));
        assert!(
            section.contains(&cited),
            "spec §10.5 does not cite the largest room ({what}): {cited}"
        );
        let refused = sizes::group(n + 1);
        assert!(
            what.ends_with("64 KiB") || section.contains(&refused),
            "spec §10.5 does not say the room of {refused} slots ({what}) is refused"
        );
    }
}
