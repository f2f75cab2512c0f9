//! The oracle agrees with every vector case it can compute: links,
//! derivation, blinding, encryption, payloads, masks, expiry, event
//! structure and building, and the fixed-offset grid. A disagreement is
//! either a mistake in the vectors (and so in the reference that generated
//! them) or in the oracle; either way it must be looked at.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use openslots_oracle::payload::Role;
use openslots_oracle::{Profile, blinding, cipher, event, expiry, grid, kdf, link, mask, payload};
use openslots_vectors::{Case, Verdict};

fn unhex32(s: &str) -> [u8; 32] {
    link::key_from_hex(s).expect("64 lower-case hex digits")
}

fn bits(s: &str) -> Vec<bool> {
    s.chars().map(|c| c == '1').collect()
}

/// Compares an outcome with a case: a valid case must give its expected
/// value, an invalid case its error, an acceptable case either.
fn agree<I, M, O, T: PartialEq + std::fmt::Debug>(
    suite: &str,
    c: &Case<I, M, O>,
    got: Result<T, &str>,
    want: Option<T>,
) {
    let id = format!("{suite} tcId {}: {}", c.tc_id, c.comment);
    match c.result {
        Verdict::Valid => assert_eq!(got.as_ref().ok(), want.as_ref(), "{id}: {got:?}"),
        Verdict::Invalid => assert_eq!(got.as_ref().err().copied(), c.error.as_deref(), "{id}"),
        Verdict::Acceptable => assert!(
            got.as_ref().ok() == want.as_ref() || got.as_ref().err().copied() == c.error.as_deref(),
            "{id}: {got:?}"
        ),
    }
}

#[test]
fn links() {
    let file = openslots_vectors::link().unwrap();
    for (_, _, c) in file.cases() {
        let text = c.input.link.as_ref().unwrap();
        let got = link::parse(text).map_err(|f| f.0).map(|l| {
            (
                l.origin.clone(),
                l.room_id.clone(),
                link::hex_lower(l.key),
                l.host.map(link::hex_lower),
            )
        });
        let want = c.expected.as_ref().map(|e| {
            (
                e.origin.clone().unwrap(),
                e.room_id.clone().unwrap(),
                e.room_key.clone().unwrap(),
                e.host.clone(),
            )
        });
        if c.result == Verdict::Acceptable {
            // The oracle takes the strict reading; the case is acceptable
            // because it is the canonical link up to the case of hex digits.
            assert!(got.is_err(), "tcId {}", c.tc_id);
            let relaxed = link::acceptable_variant(text).expect("an upper-case variant");
            assert_eq!(
                (
                    link::hex_lower(relaxed.key),
                    relaxed.host.map(link::hex_lower)
                ),
                want.clone().map(|w| (w.2, w.3)).unwrap(),
                "tcId {}",
                c.tc_id
            );
        }
        agree("link", c, got, want);
    }
}

#[test]
fn derivation() {
    let file = openslots_vectors::derivation().unwrap();
    for (profile, op, c) in file.cases() {
        let e = c.expected.as_ref().unwrap();
        match op {
            "derive_keys" => {
                let key = unhex32(c.input.room_key.as_ref().unwrap());
                let p = Profile::from_name(profile).unwrap();
                let keys = kdf::room_keys(p, &key);
                assert_eq!(
                    link::hex_lower(kdf::prk(&key)),
                    *c.intermediate.as_ref().unwrap().prk.as_ref().unwrap()
                );
                assert_eq!(link::hex_lower(keys.enc), *e.k_enc.as_ref().unwrap());
                let blind = e.k_hmac.as_ref().or(e.k_blind.as_ref()).unwrap();
                assert_eq!(link::hex_lower(keys.blind), *blind, "tcId {}", c.tc_id);
            }
            "derive_signing_key" => {
                let device = unhex32(c.input.device_secret.as_ref().unwrap());
                let (keys, counter) =
                    kdf::signing_key_v2(&device, c.input.room_d_tag.as_ref().unwrap()).unwrap();
                assert_eq!(Some(counter), e.counter, "tcId {}", c.tc_id);
                assert_eq!(keys.public_key().to_hex(), *e.public_key.as_ref().unwrap());
                assert_eq!(
                    keys.secret_key().to_secret_hex(),
                    *e.secret_key.as_ref().unwrap()
                );
            }
            other => panic!("unknown operation {other}"),
        }
    }
}

#[test]
fn blinding_d_tags() {
    let file = openslots_vectors::blinding().unwrap();
    for (profile, op, c) in file.cases() {
        let i = &c.input;
        let p = Profile::from_name(profile).unwrap();
        let keys = kdf::room_keys(p, &unhex32(i.room_key.as_ref().unwrap()));
        let room_id = i.room_id.as_deref().unwrap_or_default();
        // A room id given as UTF-16 code units is encoded by OS-BLIND-5.
        let id_bytes = match (&i.room_id, &i.room_id_utf16) {
            (Some(s), None) => s.as_bytes().to_vec(),
            (None, Some(units)) => blinding::utf16_to_utf8(units),
            _ => panic!("tcId {}: exactly one of roomId and roomIdUtf16", c.tc_id),
        };
        let (message, d) = match (p, op) {
            (_, "blind_room") => (
                blinding::room_message_bytes(p, &id_bytes),
                blinding::room_d_bytes(p, &keys.blind, &id_bytes),
            ),
            (Profile::V1, "blind_response") => {
                let (a, e) = (
                    i.author.as_ref().unwrap(),
                    i.room_event_id.as_ref().unwrap(),
                );
                (
                    blinding::response_message_v1(a, e),
                    blinding::response_d_v1(&keys.blind, a, e),
                )
            }
            (Profile::V2, "blind_response") => {
                let a = unhex32(i.author.as_ref().unwrap());
                (
                    blinding::response_message_v2(room_id, &a),
                    blinding::response_d_v2(&keys.blind, room_id, &a),
                )
            }
            other => panic!("unknown {other:?}"),
        };
        let mid = c.intermediate.as_ref().unwrap();
        assert_eq!(
            link::hex_lower(keys.blind),
            *mid.blinding_key.as_ref().unwrap()
        );
        assert_eq!(
            link::hex_lower(&message),
            *mid.message.as_ref().unwrap(),
            "tcId {}",
            c.tc_id
        );
        assert_eq!(
            d,
            *c.expected.as_ref().unwrap().d_tag.as_ref().unwrap(),
            "tcId {}",
            c.tc_id
        );
    }
}

#[test]
fn encryption() {
    let file = openslots_vectors::encryption().unwrap();
    for (_, op, c) in file.cases() {
        let key = unhex32(c.input.conversation_key.as_ref().unwrap());
        match op {
            "encrypt" => {
                let nonce = unhex32(c.input.nonce.as_ref().unwrap());
                let plaintext = c.input.plaintext.as_ref().unwrap();
                let got = cipher::seal(&key, plaintext.as_bytes(), &nonce).map_err(|f| f.0);
                let want = c.expected.as_ref().and_then(|e| e.payload.clone());
                agree("encryption", c, got, want);
                if let Some(mid) = &c.intermediate {
                    let (ck, cn, hk) = cipher::message_keys(&key, &nonce);
                    assert_eq!(link::hex_lower(ck), *mid.chacha_key.as_ref().unwrap());
                    assert_eq!(link::hex_lower(cn), *mid.chacha_nonce.as_ref().unwrap());
                    assert_eq!(link::hex_lower(hk), *mid.hmac_key.as_ref().unwrap());
                }
            }
            "decrypt" => {
                let got = cipher::open(&key, c.input.payload.as_ref().unwrap()).map_err(|f| f.0);
                let want = c.expected.as_ref().and_then(|e| e.plaintext.clone());
                agree("encryption", c, got, want);
            }
            other => panic!("unknown operation {other}"),
        }
    }
}

#[test]
fn payloads() {
    let file = openslots_vectors::payloads().unwrap();
    let mut n = 0;
    for (profile, op, c) in file.cases() {
        let i = &c.input;
        let p = Profile::from_name(profile).unwrap();
        n += 1;
        match op {
            "write_room" | "write_response" => {
                let room = op == "write_room";
                let m = bits(i.mask.as_ref().unwrap());
                let text = match p {
                    Profile::V1 if room => payload::write_room_v1(
                        i.title.as_ref().unwrap(),
                        i.start.unwrap(),
                        &mask::encode_v1(&m),
                    ),
                    Profile::V1 => {
                        payload::write_response_v1(i.name.as_ref().unwrap(), &mask::encode_v1(&m))
                    }
                    Profile::V2 => {
                        let (nn, b) = mask::encode_v2(&m);
                        payload::write_v2(
                            if room { Role::Room } else { Role::Response },
                            i.room_id.as_ref().unwrap(),
                            i.author.as_ref().unwrap(),
                            i.title.as_ref().or(i.name.as_ref()).unwrap(),
                            i.start.unwrap(),
                            (nn, &b),
                        )
                    }
                };
                // A writer refuses what a reader would refuse (OS-PAYLOAD-9).
                let text_len = i.title.as_ref().or(i.name.as_ref()).unwrap().len();
                let limit = match (p, room) {
                    (Profile::V2, true) => payload::MAX_TITLE_V2,
                    (Profile::V2, false) => payload::MAX_NAME_V2,
                    _ => usize::MAX,
                };
                // §8.2, "Writing": the mask first (OS-MASK-12), then the
                // lengths (OS-PAYLOAD-9).
                let got = if let Err(f) = mask::writable(p, room, &m) {
                    Err(f.0)
                } else if text.len() > payload::MAX_PLAINTEXT || text_len > limit {
                    Err("payload-too-large")
                } else {
                    Ok(text)
                };
                let want = c.expected.as_ref().and_then(|e| e.plaintext.clone());
                agree("payloads", c, got, want);
            }
            "read_room" | "read_response" => {
                let role = if op == "read_room" {
                    Role::Room
                } else {
                    Role::Response
                };
                let text = i.plaintext.as_ref().unwrap();
                let got = match p {
                    Profile::V1 => payload::read_v1(role, text),
                    Profile::V2 => payload::read_v2(
                        role,
                        text,
                        i.room_id.as_ref().unwrap(),
                        i.author.as_ref().unwrap(),
                    ),
                }
                .map_err(|f| f.0)
                .map(|r| (r.text, r.start, mask::encode_v1(&r.bits)));
                let want = c.expected.as_ref().map(|e| {
                    (
                        e.title.clone().or(e.name.clone()).unwrap(),
                        e.start,
                        e.mask.clone().unwrap(),
                    )
                });
                if c.result == Verdict::Acceptable {
                    // v1 duplicate names: the oracle keeps the last value
                    // (JSON.parse); the case allows that or payload-json.
                    assert!(payload::duplicates(text).unwrap().0, "tcId {}", c.tc_id);
                }
                agree("payloads", c, got, want);
            }
            other => panic!("unknown operation {other}"),
        }
    }
    assert_eq!(n, file.number_of_tests);
}

#[test]
fn masks() {
    let file = openslots_vectors::masks().unwrap();
    for (profile, op, c) in file.cases() {
        let i = &c.input;
        let e = c.expected.as_ref();
        let want_mask = e.and_then(|e| e.mask.clone());
        let text = |r: Result<Vec<bool>, openslots_oracle::Fail>| {
            r.map(|b| mask::encode_v1(&b)).map_err(|f| f.0)
        };
        match op {
            "decode_v1" => agree(
                "masks",
                c,
                text(mask::read_v1(i.text.as_ref().unwrap())),
                want_mask,
            ),
            "decode_v2" => agree(
                "masks",
                c,
                text(mask::read_v2(
                    i128::from(i.n.unwrap()),
                    i.b.as_ref().unwrap(),
                )),
                want_mask,
            ),
            "encode_v1" => agree(
                "masks",
                c,
                Ok(mask::encode_v1(&bits(i.mask.as_ref().unwrap()))),
                e.and_then(|e| e.text.clone()),
            ),
            "encode_v2" => {
                let (n, b) = mask::encode_v2(&bits(i.mask.as_ref().unwrap()));
                agree(
                    "masks",
                    c,
                    Ok((n as i64, b)),
                    e.map(|e| (e.n.unwrap(), e.b.clone().unwrap())),
                );
            }
            "validate_room" => {
                let m = bits(i.mask.as_ref().unwrap());
                let p = Profile::from_name(profile).unwrap();
                agree(
                    "masks",
                    c,
                    text(mask::writable(p, true, &m).map(|()| m.clone())),
                    want_mask,
                );
            }
            "validate_response_v1" => {
                let (room, resp) = (
                    bits(i.room.as_ref().unwrap()),
                    bits(i.response.as_ref().unwrap()),
                );
                let got = mask::writable(Profile::V1, false, &resp)
                    .and_then(|()| mask::available(0, &room, None, &resp))
                    .map(|_| resp.clone());
                agree("masks", c, text(got), want_mask);
            }
            "room_from_slots" => {
                let p = Profile::from_name(profile).unwrap();
                let got = mask::room_from_slots(p, i.slots.as_ref().unwrap())
                    .map(|(s, b)| (s, mask::encode_v1(&b)))
                    .map_err(|f| f.0);
                agree(
                    "masks",
                    c,
                    got,
                    e.map(|e| (e.start.unwrap(), e.mask.clone().unwrap())),
                );
            }
            "rebase" => {
                let got = mask::in_room(
                    &bits(i.room.as_ref().unwrap()),
                    &bits(i.response.as_ref().unwrap()),
                    i.response_start.unwrap(),
                    i.room_start.unwrap(),
                );
                agree("masks", c, text(got), want_mask);
            }
            "aggregate" => {
                let responses: Vec<Vec<bool>> = i
                    .responses
                    .as_ref()
                    .unwrap()
                    .iter()
                    .map(|r| bits(r))
                    .collect();
                let got = mask::aggregate(&bits(i.room.as_ref().unwrap()), &responses);
                agree("masks", c, Ok(got), e.and_then(|e| e.counts.clone()));
            }
            "choose_response" => {
                let got = mask::choose(
                    i.room_start.unwrap(),
                    &bits(i.room.as_ref().unwrap()),
                    i.chosen.as_ref().unwrap(),
                );
                agree("masks", c, text(got), want_mask);
            }
            other => panic!("unknown operation {other}"),
        }
    }
}

#[test]
fn expiry_values() {
    let file = openslots_vectors::expiry().unwrap();
    for (_, _, c) in file.cases() {
        let tags = c.input.tags.as_ref().unwrap();
        let now = c.input.now.unwrap();
        let e = c.expected.as_ref().unwrap();
        assert_eq!(expiry::expiration(tags), e.expiration, "tcId {}", c.tc_id);
        assert_eq!(expiry::expired_at(tags, now), e.expired, "tcId {}", c.tc_id);
    }
}

#[test]
fn events_built_parsed_and_dated() {
    let file = openslots_vectors::events().unwrap();
    let mut built = 0;
    for (profile, op, c) in file.cases() {
        let i = &c.input;
        match op {
            "parse_event" => {
                let got = event::parse(i.event_json.as_ref().unwrap())
                    .map(|_| ())
                    .map_err(|f| f.0);
                let want = c.expected.as_ref().map(|_| ());
                agree("events", c, got, want);
            }
            "next_created_at" => {
                let got = openslots_oracle::lww::next_created_at(i.now.unwrap(), i.previous)
                    .map_err(|f| f.0);
                agree(
                    "events",
                    c,
                    got,
                    c.expected.as_ref().and_then(|e| e.created_at),
                );
            }
            "build_room_event" | "build_response_event" if c.result == Verdict::Valid => {
                built += 1;
                let p = Profile::from_name(profile).unwrap();
                let room = openslots_oracle::room::Room::new(
                    link::parse(i.link.as_ref().unwrap()).unwrap(),
                );
                let keys = nostr::key::Keys::parse(i.secret_key.as_ref().unwrap()).unwrap();
                let m = bits(i.mask.as_ref().unwrap());
                let author = keys.public_key().to_hex();
                let (plaintext, tags) = if op == "build_room_event" {
                    let text = match p {
                        Profile::V1 => payload::write_room_v1(
                            i.title.as_ref().unwrap(),
                            i.start.unwrap(),
                            &mask::encode_v1(&m),
                        ),
                        Profile::V2 => payload::write_v2(
                            Role::Room,
                            &room.link.room_id,
                            &author,
                            i.title.as_ref().unwrap(),
                            i.start.unwrap(),
                            (m.len(), &mask::encode_v2(&m).1),
                        ),
                    };
                    let exp = expiry::v2_expiration(i.start.unwrap(), m.len()).unwrap();
                    (text, event::room_tags(p, &room.room_d, exp))
                } else {
                    let room_event = i.room_event_id.clone().unwrap_or_default();
                    let d = room.response_d(&keys.public_key(), &room_event);
                    match p {
                        Profile::V1 => (
                            payload::write_response_v1(
                                i.name.as_ref().unwrap(),
                                &mask::encode_v1(&m),
                            ),
                            event::response_tags_v1(&room_event, &d),
                        ),
                        Profile::V2 => (
                            payload::write_v2(
                                Role::Response,
                                &room.link.room_id,
                                &author,
                                i.name.as_ref().unwrap(),
                                i.start.unwrap(),
                                (m.len(), &mask::encode_v2(&m).1),
                            ),
                            event::response_tags_v2(
                                &d,
                                &room.address().unwrap(),
                                i.expiration.unwrap(),
                            ),
                        ),
                    }
                };
                assert_eq!(
                    Some(&plaintext),
                    c.intermediate.as_ref().unwrap().plaintext.as_ref(),
                    "tcId {}",
                    c.tc_id
                );
                let content = cipher::seal(
                    &room.keys.enc,
                    plaintext.as_bytes(),
                    &unhex32(i.nonce.as_ref().unwrap()),
                )
                .unwrap();
                let e = event::sign(
                    &keys,
                    event::KIND,
                    i.created_at.unwrap(),
                    &tags,
                    content,
                    &unhex32(i.aux_rand.as_ref().unwrap()),
                )
                .unwrap();
                let wire = c.expected.as_ref().unwrap().event.as_ref().unwrap();
                let ours: serde_json::Value = serde_json::from_str(&e.as_json()).unwrap();
                assert_eq!(
                    ours,
                    serde_json::to_value(wire).unwrap(),
                    "tcId {}",
                    c.tc_id
                );
            }
            "build_room_event" | "build_response_event"
                if c.error.as_deref().is_some_and(|e| e.starts_with("mask-")) =>
            {
                // A writer checks the mask before it builds (OS-MASK-12).
                let p = Profile::from_name(profile).unwrap();
                let m = bits(i.mask.as_ref().unwrap());
                let got = mask::writable(p, op == "build_room_event", &m).map_err(|f| f.0);
                agree("events", c, got, None::<()>);
            }
            _ => {}
        }
    }
    assert!(built >= 12, "{built}");
}

#[test]
fn fixed_offset_grids() {
    let file = openslots_vectors::grid().unwrap();
    let mut computed = 0;
    for (_, _, c) in file.cases() {
        let i = &c.input;
        let grid::Zone::Offset(offset) = grid::zone(i.zone.as_ref().unwrap()) else {
            continue;
        };
        let dates: Option<Vec<grid::Civil>> = i
            .dates
            .as_ref()
            .unwrap()
            .iter()
            .map(|d| grid::date(d))
            .collect();
        let (Some(dates), Some(start), Some(end)) = (
            dates,
            grid::time(i.start.as_ref().unwrap()),
            grid::time(i.end.as_ref().unwrap()),
        ) else {
            continue;
        };
        if dates.len() > 10_000 {
            continue;
        }
        let got = grid::fixed_grid(&dates, start, end, offset, (i64::MIN / 2, i64::MAX / 2))
            .map_err(|f| f.0);
        if c.result == Verdict::Valid {
            agree(
                "grid",
                c,
                got,
                c.expected.as_ref().and_then(|e| e.slots.clone()),
            );
            computed += 1;
        }
    }
    assert!(computed >= 2, "{computed}");
}
