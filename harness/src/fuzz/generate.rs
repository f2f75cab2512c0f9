//! Structured generators, written from the spec's grammar and limits: for
//! the operations below, inputs built member by member (masks in both
//! encodings and at every length around the limits, grid inputs across
//! zones and around their DST changes, expiration tags, links from their
//! grammar's parts, payload plaintexts with every member and type rule).
//! Operations without one here are reached by mutation of their vector
//! cases alone ([`super::mutate`]).

use base64::Engine as _;
use proptest::prelude::*;
use serde_json::{Value, json};

/// A mask as a string of `0` and `1`: every length up to a little past the
/// limits (1–3 bits, around a byte, and up to 2 100 bits), mostly ones or
/// mostly zeros or mixed.
fn mask() -> impl Strategy<Value = String> {
    let len = prop_oneof![0usize..12, 14usize..20, 60usize..70, 2010usize..2030];
    (len, 0u8..3, any::<u64>()).prop_map(|(n, density, bits)| {
        (0..n)
            .map(|i| match density {
                0 => '1',
                1 => {
                    if i % 17 == 5 {
                        '1'
                    } else {
                        '0'
                    }
                }
                _ => {
                    if bits >> (i % 64) & 1 == 1 {
                        '1'
                    } else {
                        '0'
                    }
                }
            })
            .collect()
    })
}

/// A mask string with, sometimes, one character that is not a bit.
fn mask_text() -> impl Strategy<Value = String> {
    (mask(), 0u8..8, any::<prop::sample::Index>()).prop_map(|(m, how, at)| {
        let mut c: Vec<char> = m.chars().collect();
        if how == 0 && !c.is_empty() {
            let i = at.index(c.len());
            c[i] = ['2', ' ', 'O', '\u{661}'][i % 4];
        }
        c.into_iter().collect()
    })
}

/// A v2 mask: `n` and base64 of bytes, with the padding and the alphabet
/// sometimes varied (unpadded, URL-safe, one symbol changed), and `n`
/// sometimes off by a few.
fn v2_mask() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(any::<u8>(), 0..12),
        -9i64..9,
        0u8..6,
        any::<prop::sample::Index>(),
    )
        .prop_map(|(bytes, dn, how, at)| {
            let mut b = base64::engine::general_purpose::STANDARD.encode(&bytes);
            match how {
                0 => b = b.trim_end_matches('=').to_owned(),
                1 => b = base64::engine::general_purpose::URL_SAFE.encode(&bytes),
                2 if !b.is_empty() => {
                    let i = at.index(b.len());
                    b.replace_range(i..=i, "A");
                }
                _ => {}
            }
            let n = (bytes.len() as i64 * 8 + dn).max(0);
            json!({"n": n, "b": b})
        })
}

/// A local date around a DST change (or not) in one of a few years.
fn date() -> impl Strategy<Value = String> {
    let days = prop_oneof![
        Just((3u8, 8u8)),
        Just((3, 9)),
        Just((3, 10)),
        Just((3, 29)),
        Just((3, 30)),
        Just((3, 31)),
        Just((10, 25)),
        Just((10, 26)),
        Just((10, 27)),
        Just((11, 1)),
        Just((11, 2)),
        Just((11, 3)),
        Just((4, 6)),
        Just((4, 5)),
        Just((2, 29)),
        Just((6, 2)),
        Just((12, 31)),
        (1u8..13, 1u8..32),
    ];
    (2024u16..2028, days, 0u8..12).prop_map(|(y, (m, d), how)| match how {
        0 => format!("{y}-{m}-{d}"),
        1 => format!("{y}/{m:02}/{d:02}"),
        _ => format!("{y}-{m:02}-{d:02}"),
    })
}

/// A local time of day, mostly on the half hour, sometimes not a time.
fn time() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u8..24, prop_oneof![Just(0u8), Just(30)]).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        1 => (0u8..26, 0u8..61).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        1 => (0u8..24, 0u8..60).prop_map(|(h, m)| format!("{h}:{m}")),
        1 => Just("24:00".to_owned()),
    ]
}

fn zone() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Europe/Berlin"),
        Just("America/New_York"),
        Just("America/Sao_Paulo"),
        Just("Australia/Lord_Howe"),
        Just("Asia/Kolkata"),
        Just("Pacific/Chatham"),
        Just("UTC"),
        Just("Etc/GMT+12"),
        Just("Europe/London"),
        Just("America/Santiago"),
        Just("europe/berlin"),
        Just("Mars/Olympus"),
        Just("+02:00"),
        Just(""),
    ]
    .prop_map(str::to_owned)
}

fn grid() -> impl Strategy<Value = Value> {
    (prop::collection::vec(date(), 0..4), time(), time(), zone())
        .prop_map(|(dates, start, end, zone)| json!({"dates": dates, "start": start, "end": end, "zone": zone}))
}

/// Expiration tags: zero, one or two, their value a decimal of every
/// shape (signs, leading zeros, exponent, spaces, the 53- and 64-bit
/// limits), `now` before, at and after it.
fn expiry() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        (0u64..3_000_000_000).prop_map(|n| n.to_string()),
        Just("1749546000".to_owned()),
        Just("01749546000".to_owned()),
        Just("+1749546000".to_owned()),
        Just("-1".to_owned()),
        Just("1.7e9".to_owned()),
        Just(" 1749546000".to_owned()),
        Just("9007199254740993".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("".to_owned()),
        Just("0x10".to_owned()),
    ];
    let tag = (
        prop_oneof![Just("expiration"), Just("Expiration"), Just("d")],
        value,
        0u8..4,
    )
        .prop_map(|(name, v, how)| match how {
            0 => json!([name]),
            1 => json!([name, v, "extra"]),
            _ => json!([name, v]),
        });
    (
        prop::collection::vec(tag, 0..3),
        prop_oneof![
            Just(1749546000i64),
            1749545990i64..1749546010,
            0i64..3_000_000_000
        ],
    )
        .prop_map(|(tags, now)| json!({"tags": tags, "now": now}))
}

/// Links from the grammar's parts: scheme, host, path with the room id,
/// fragment with the room key (every length and case of hex), v2's query.
fn link() -> impl Strategy<Value = Value> {
    let scheme = prop_oneof![
        Just("https://"),
        Just("http://"),
        Just("HTTPS://"),
        Just("")
    ];
    let host = prop_oneof![
        Just("openslots.example"),
        Just("openslots.example:8443"),
        Just("localhost"),
        Just("xn--bcher-kva.example"),
        Just("OpenSlots.Example"),
    ];
    let path = prop_oneof![
        Just("/room/"),
        Just("/r/"),
        Just("/room//"),
        Just("/ROOM/"),
        Just("/")
    ];
    let room = prop_oneof![
        Just("3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13".to_owned()),
        Just("3F2A8C1E-9B4D-4E7A-8C21-5D6F0A9B7E13".to_owned()),
        Just("room-1".to_owned()),
        Just(String::new()),
        Just("a%20b".to_owned()),
        "[a-z0-9-]{1,70}",
    ];
    let key = (0usize..70, any::<u64>(), 0u8..4).prop_map(|(n, bits, how)| {
        let hex: String = (0..n)
            .map(|i| char::from(b"0123456789abcdef"[((bits >> (i % 60)) & 15) as usize]))
            .collect();
        if how == 0 { hex.to_uppercase() } else { hex }
    });
    let tail = prop_oneof![Just(""), Just("?v=2"), Just("&x"), Just("#")];
    (
        scheme,
        host,
        path,
        room,
        prop_oneof![Just("#"), Just("#k="), Just("")],
        key,
        tail,
    )
        .prop_map(|(s, h, p, r, sep, k, t)| json!({"link": format!("{s}{h}{p}{r}{sep}{k}{t}")}))
}

/// A payload plaintext built member by member (v1 `t`/`s`/`o` and
/// `n`/`o`, v2's members), each member present or not, of its type or
/// another, its value in and out of its limits.
fn plaintext() -> impl Strategy<Value = Value> {
    let title = prop_oneof![
        Just(json!("Team sync")),
        Just(json!("")),
        Just(json!(1)),
        Just(json!(null)),
        "[a-zA-Z \\u{e9}\\u{2028}]{0,8}".prop_map(Value::from),
        Just(Value::from("x".repeat(1025))),
    ];
    let start = prop_oneof![
        Just(json!(1748851200)),
        Just(json!(1748851201)),
        Just(json!(-1800)),
        Just(json!(0)),
        Just(json!("1748851200")),
        Just(json!(1748851200.5)),
        Just(json!(9007199254740992u64)),
    ];
    let m = mask().prop_map(Value::from);
    (
        title,
        start,
        m,
        prop::collection::vec(any::<bool>(), 6),
        prop_oneof![Just("v"), Just("x"), Just("p")],
    )
        .prop_map(|(t, s, o, keep, extra)| {
            let mut obj = serde_json::Map::new();
            for (i, (k, v)) in [("t", t.clone()), ("s", s), ("o", o), ("n", t)]
                .into_iter()
                .enumerate()
            {
                if keep[i] {
                    obj.insert(k.into(), v);
                }
            }
            if keep[4] {
                obj.insert(extra.into(), json!(2));
            }
            json!({"plaintext": Value::Object(obj).to_string()})
        })
}

/// The structured generator for `op`, when there is one.
pub fn structured(op: &str) -> Option<BoxedStrategy<Value>> {
    Some(match op {
        "decode_v1" => mask_text().prop_map(|t| json!({"text": t})).boxed(),
        "decode_v2" => v2_mask().boxed(),
        "encode_v1" | "encode_v2" | "validate_room" => {
            mask_text().prop_map(|m| json!({"mask": m})).boxed()
        }
        "validate_response_v1" => (mask(), mask_text())
            .prop_map(|(room, response)| json!({"room": room, "response": response}))
            .boxed(),
        "rebase" => (mask(), mask(), -5i64..5, -5i64..5)
            .prop_map(|(room, response, a, b)| {
                json!({"room": room, "response": response,
                       "roomStart": a * 1800, "responseStart": b * 1800})
            })
            .boxed(),
        "aggregate" => (mask(), prop::collection::vec(mask(), 0..4))
            .prop_map(|(room, responses)| json!({"room": room, "responses": responses}))
            .boxed(),
        "generate_grid" => grid().boxed(),
        "get_expiration" => expiry().boxed(),
        "parse_link" => link().boxed(),
        "read_room" | "read_response" => plaintext().boxed(),
        _ => return None,
    })
}
