//! The mock relay's handling of client frames (`openslots_mock_relay`'s
//! `RelayState::handle_frame`, the pure function behind its WebSocket
//! server), for the well-behaved relay with one client connection.
//!
//! Input: frames separated by `\n`. Each starts with a control byte: its low
//! six bits advance the relay's clock by that many seconds; with bit 7 set,
//! the rest is read as a JSON object with `kind`, `created_at`, `tags` and
//! `content`, signed by one of four keys (bits 5 and 6 choose it) and sent
//! as `["EVENT", <event>]`, so that replacement and expiry get valid
//! signatures; otherwise the rest is sent as it is (a text frame when it is
//! UTF-8, a binary frame otherwise). Newly stored events are offered to the
//! connection's subscriptions, as the server does.
//!
//! Invariants, beyond never panicking (NIP-01, NIP-40, spec §18):
//! - every frame but `CLOSE` gets an answer, and every text the relay sends
//!   is a JSON array naming `EVENT`, `OK`, `EOSE`, `CLOSED` or `NOTICE`;
//! - an `EVENT` frame gets at most one `OK`, for the id it carried;
//! - every event the relay serves has a valid id and signature and is not
//!   expired at the relay's time;
//! - the store holds valid events only, and at most one per replaceable or
//!   addressable address, which is the newest (lowest id on a tie) of the
//!   valid versions of that address the relay has accepted and not seen
//!   expire.
#![no_main]

use std::collections::BTreeMap;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use nostr::key::{Keys, SecretKey};
use openslots_mock_relay::engine::{ClientFrame, Output, RelayState};
use openslots_mock_relay::event::Address;
use openslots_mock_relay::forge;
use openslots_mock_relay::recorder::Recorder;
use openslots_mock_relay::script::Script;
use serde_json::Value;

static KEYS: LazyLock<Vec<Keys>> = LazyLock::new(|| {
    (1u8..=4)
        .filter_map(|n| SecretKey::from_slice(&[n; 32]).ok().map(Keys::new))
        .collect()
});

const START: u64 = 1_700_000_000;

/// The event a control byte with bit 7 asks to sign, as a frame.
fn signed_frame(control: u8, text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    let kind = v.get("kind").and_then(Value::as_u64).unwrap_or(30_078);
    let kind = u16::try_from(kind).ok()?;
    let created_at = v.get("created_at").and_then(Value::as_u64).unwrap_or(START);
    let tags: Vec<Vec<String>> = v
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    let items: Vec<String> = t
                        .as_array()?
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect();
                    (!items.is_empty()).then_some(items)
                })
                .collect()
        })
        .unwrap_or_default();
    let content = v.get("content").and_then(Value::as_str).unwrap_or("");
    let keys = KEYS.get(usize::from((control >> 5) & 3) % KEYS.len().max(1))?;
    let event = forge::signed(keys, kind, created_at, tags, content).ok()?;
    Some(serde_json::json!(["EVENT", forge::to_value(&event)]).to_string())
}

/// Checks what the relay sent for one frame (`must_answer`) or for a live
/// event.
fn check_outputs(frame: Option<&Value>, out: &[Output], now: u64, must_answer: bool) {
    let verb = frame
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str);
    if must_answer && verb != Some("CLOSE") {
        assert!(!out.is_empty(), "no answer to {frame:?}");
    }
    let mut oks = 0;
    for o in out {
        let Output::Text(text) = o else { continue };
        let msg: Value = serde_json::from_str(text).expect("the relay sends JSON");
        let arr = msg.as_array().expect("the relay sends arrays");
        let name = arr.first().and_then(Value::as_str).unwrap_or("");
        assert!(
            ["EVENT", "OK", "EOSE", "CLOSED", "NOTICE"].contains(&name),
            "unknown message {text}"
        );
        match name {
            "OK" => {
                oks += 1;
                if verb == Some("EVENT") {
                    let sent = frame
                        .and_then(|f| f.get(1))
                        .and_then(|e| e.get("id"))
                        .and_then(Value::as_str);
                    if let Some(id) = sent {
                        assert_eq!(
                            arr.get(1).and_then(Value::as_str),
                            Some(id),
                            "OK for another id"
                        );
                    }
                }
            }
            "EVENT" => {
                let ev = arr.get(2).expect("EVENT carries an event");
                let parsed: nostr::event::Event =
                    serde_json::from_value(ev.clone()).expect("a served event parses");
                assert!(parsed.verify_id(), "served an event with a wrong id");
                assert!(
                    parsed.verify_signature(),
                    "served an event with a bad signature"
                );
                let tags: Vec<Vec<String>> =
                    parsed.tags.iter().map(|t| t.as_slice().to_vec()).collect();
                assert!(
                    !openslots::expiry::is_expired_at(&tags, now),
                    "served an expired event"
                );
            }
            _ => {}
        }
    }
    assert!(
        oks <= usize::from(verb == Some("EVENT")),
        "{oks} OKs for one frame"
    );
}

/// What a well-behaved store must hold per address: the best accepted
/// version (`created_at`, id, NIP-40 expiration).
type Model = BTreeMap<Address, (u64, String, Option<u64>)>;

fn check_store(state: &RelayState, model: &Model, now: u64) {
    let mut seen = BTreeMap::new();
    for e in state.store().events() {
        assert_eq!(
            e.verify(),
            Ok((true, true)),
            "the store holds an invalid event"
        );
        if let Some(address) = e.address() {
            assert!(
                seen.insert(address.clone(), e.id.clone()).is_none(),
                "two versions of {address:?} stored"
            );
            if !e.is_expired_at(now)
                && let Some((at, id, _)) = model.get(&address)
            {
                assert_eq!(
                    (e.created_at, &e.id),
                    (*at, id),
                    "the stored version of {address:?} is not the newest accepted"
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let script = Script::well_behaved("fuzz");
    let Ok(mut state) = RelayState::new(&script, Recorder::default()) else {
        return;
    };
    let mut now = START;
    let mut session = state.open_session(now);
    let mut model: Model = BTreeMap::new();
    for piece in data.split(|&b| b == b'\n').take(64) {
        let Some((&control, rest)) = piece.split_first() else {
            continue;
        };
        now += u64::from(control & 0x3f);
        let signed = if control & 0x80 != 0 {
            std::str::from_utf8(rest)
                .ok()
                .and_then(|t| signed_frame(control, t))
        } else {
            None
        };
        let out = match (&signed, std::str::from_utf8(rest)) {
            (Some(text), _) => state.handle_frame(&mut session, ClientFrame::Text(text), now),
            (None, Ok(text)) => state.handle_frame(&mut session, ClientFrame::Text(text), now),
            (None, Err(_)) => state.handle_frame(&mut session, ClientFrame::Binary(rest), now),
        };
        let frame: Option<Value> = match (&signed, std::str::from_utf8(rest)) {
            (Some(text), _) => serde_json::from_str(text).ok(),
            (None, Ok(text)) => serde_json::from_str(text).ok(),
            _ => None,
        };
        check_outputs(frame.as_ref(), &out, now, true);
        // The model: a version accepted now that is newer (or the lower id
        // at the same time) than what the address had is the one to keep.
        let accepted = out.iter().any(|o| match o {
            Output::Text(t) => serde_json::from_str::<Value>(t)
                .ok()
                .and_then(|m| m.as_array().cloned())
                .is_some_and(|m| {
                    m.first() == Some(&Value::from("OK")) && m.get(2) == Some(&Value::Bool(true))
                }),
            _ => false,
        });
        for o in &out {
            if let Output::Broadcast(ev) = o {
                assert!(
                    accepted,
                    "stored an event the publisher was not told was accepted"
                );
                if let Some(address) = ev.address() {
                    // A version that has expired no longer counts.
                    let better = model.get(&address).is_none_or(|(at, id, exp)| {
                        exp.is_some_and(|x| x < now)
                            || ev.created_at > *at
                            || (ev.created_at == *at && ev.id < *id)
                    });
                    assert!(
                        better,
                        "replaced {address:?} with a version that does not beat it"
                    );
                    model.insert(address, (ev.created_at, ev.id.clone(), ev.expiration()));
                }
                let live = state.live_event(&mut session, ev, now);
                check_outputs(None, &live, now, false);
            }
        }
        let due = state.due(&mut session, now);
        assert!(due.is_empty(), "the well-behaved relay holds nothing back");
        check_store(&state, &model, now);
    }
    state.close_session(&session, now);
});
