//! Each rule-breaking mode against a small suite of relay checks, one check
//! per well-behaved rule: the well-behaved relay passes every check, and
//! each breakage fails exactly the checks listed for it here (its own rule,
//! plus, where one rule implies another, the implied ones, named).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use openslots_mock_relay::{Breakage, Clock, Limits, MockRelay, Script, forge};
use serde_json::{Value, json};

const CONTENT_MAX: u64 = 1000;

async fn start(breakage: Option<&Breakage>) -> (MockRelay, Clock) {
    let clock = Clock::new(T0);
    let mut script = Script::well_behaved("checked").with_limits(Limits {
        max_content_length: CONTENT_MAX,
        ..Limits::default()
    });
    if let Some(b) = breakage {
        script = script.with_breakage(b.clone());
    }
    (
        MockRelay::start(script, clock.clone()).await.unwrap(),
        clock,
    )
}

/// REQ then a barrier: the events served and whether EOSE came.
async fn query(c: &mut Client, filter: Value) -> (Vec<String>, bool) {
    c.send_req("q", json!([filter])).await;
    let frames = c.barrier().await;
    let mut events = Vec::new();
    let mut eose = false;
    for f in frames {
        match f[0].as_str() {
            Some("EVENT") => events.push(f[2]["id"].as_str().unwrap().to_string()),
            Some("EOSE") => eose = true,
            _ => {}
        }
    }
    c.send(json!(["CLOSE", "q"])).await;
    (events, eose)
}

async fn served(c: &mut Client, filter: Value) -> Vec<String> {
    query(c, filter).await.0
}

/// One well-behaved rule: passes on a correct relay.
async fn check(name: &str, breakage: Option<&Breakage>) -> bool {
    let (relay, clock) = start(breakage).await;
    let mut c = Client::connect(relay.url()).await;
    let k = keys(1);
    match name {
        "replacement" => {
            let v1 = room(&k, "d", T0 - 10, "v1");
            let v2 = room(&k, "d", T0 - 5, "v2");
            c.publish_event(&v1).await;
            c.publish_event(&v2).await;
            served(&mut c, json!({"#d": ["d"]})).await == vec![hex_id(&v2)]
        }
        "older_refused" => {
            let v1 = room(&k, "d", T0 - 10, "v1");
            let v2 = room(&k, "d", T0 - 5, "v2");
            c.publish_event(&v2).await;
            let ok = c.publish_event(&v1).await;
            ok[2] == false && served(&mut c, json!({"#d": ["d"]})).await == vec![hex_id(&v2)]
        }
        "tie_lowest_id" => {
            let a = room(&k, "d", T0, "a");
            let b = room(&k, "d", T0, "b");
            let (low, high) = if hex_id(&a) < hex_id(&b) {
                (a, b)
            } else {
                (b, a)
            };
            c.publish_event(&low).await;
            c.publish_event(&high).await;
            served(&mut c, json!({"#d": ["d"]})).await == vec![hex_id(&low)]
        }
        "expired_refused" => {
            let e = event(&k, 1, T0, &[&["expiration", &(T0 - 1).to_string()]], "x");
            let ok = c.publish_event(&e).await;
            ok[2] == false && served(&mut c, json!({"kinds": [1]})).await.is_empty()
        }
        "expiry_enforced" => {
            let e = event(&k, 1, T0, &[&["expiration", &(T0 + 10).to_string()]], "x");
            c.publish_event(&e).await;
            let before = served(&mut c, json!({"kinds": [1]})).await;
            clock.advance(11);
            before == vec![hex_id(&e)] && served(&mut c, json!({"kinds": [1]})).await.is_empty()
        }
        "forged_sig_refused" => {
            let e = event(&k, 1, T0, &[], "x");
            let ok = c.publish(&forge::with_forged_signature(&e)).await;
            ok[2] == false && served(&mut c, json!({"kinds": [1]})).await.is_empty()
        }
        "wrong_id_refused" => {
            let e = event(&k, 1, T0, &[], "x");
            let ok = c.publish(&forge::with_wrong_id(&e, "y")).await;
            ok[2] == false && served(&mut c, json!({"kinds": [1]})).await.is_empty()
        }
        "tag_filters" => {
            let mut all = true;
            for letter in ["a", "d", "e", "t"] {
                let hit = event(&k, 1, T0, &[&[letter, "yes"]], letter);
                let miss = event(&k, 1, T0, &[&[letter, "no"]], letter);
                c.publish_event(&hit).await;
                c.publish_event(&miss).await;
                let got = served(&mut c, json!({ format!("#{letter}"): ["yes"] })).await;
                all &= got == vec![hex_id(&hit)];
            }
            all
        }
        "limit" => {
            let evs: Vec<_> = (0..3)
                .map(|i| event(&k, 1, T0 - 10 + i, &[], "x"))
                .collect();
            for e in &evs {
                c.publish_event(e).await;
            }
            served(&mut c, json!({"kinds": [1], "limit": 2})).await
                == vec![hex_id(&evs[2]), hex_id(&evs[1])]
        }
        "since_until" => {
            let evs: Vec<_> = (0..3)
                .map(|i| event(&k, 1, T0 - 10 + i, &[], "x"))
                .collect();
            for e in &evs {
                c.publish_event(e).await;
            }
            served(
                &mut c,
                json!({"kinds": [1], "since": T0 - 9, "until": T0 - 9}),
            )
            .await
                == vec![hex_id(&evs[1])]
        }
        "ok_prefix" => {
            let mut malformed = forge::to_value(&event(&k, 1, T0, &[], "x"));
            malformed["kind"] = json!("one");
            let ok = c.publish(&malformed).await;
            let v1 = room(&k, "d", T0 - 10, "v1");
            let v2 = room(&k, "d", T0 - 5, "v2");
            c.publish_event(&v2).await;
            let older = c.publish_event(&v1).await;
            let has = |ok: &Value, prefix: &str| {
                ok[2] == false && ok[3].as_str().unwrap().starts_with(prefix)
            };
            has(&ok, "invalid: ") && (older[2] == true || has(&older, "duplicate: "))
        }
        "eose" => query(&mut c, json!({})).await.1,
        "future_bound" => {
            let far = event(&k, 1, T0 + 3600, &[], "x");
            c.publish_event(&far).await[2] == false
        }
        "content_limit_as_announced" => {
            let (status, body) = http_get(relay.addr(), "application/nostr+json").await;
            let announced = if status.contains(" 200 ") {
                serde_json::from_str::<Value>(&body).unwrap()["limitation"]["max_content_length"]
                    .as_u64()
                    .unwrap()
            } else {
                CONTENT_MAX
            };
            let at = event(&k, 1, T0, &[], &"x".repeat(announced as usize));
            let over = event(&k, 1, T0, &[], &"x".repeat(announced as usize + 1));
            c.publish_event(&at).await[2] == true && c.publish_event(&over).await[2] == false
        }
        "nip11_document" => {
            let (status, body) = http_get(relay.addr(), "application/nostr+json").await;
            status.contains(" 200 ")
                && serde_json::from_str::<Value>(&body).unwrap()["supported_nips"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(40))
        }
        other => panic!("unknown check {other}"),
    }
}

const CHECKS: &[&str] = &[
    "replacement",
    "older_refused",
    "tie_lowest_id",
    "expired_refused",
    "expiry_enforced",
    "forged_sig_refused",
    "wrong_id_refused",
    "tag_filters",
    "limit",
    "since_until",
    "ok_prefix",
    "eose",
    "future_bound",
    "content_limit_as_announced",
    "nip11_document",
];

fn expected_failures(b: &Breakage) -> BTreeSet<&'static str> {
    let set: &[&str] = match b {
        // Keeping every version breaks replacement, and with it the refusal
        // of older versions and the lowest-id tie rule.
        Breakage::NoAddressableReplacement => &["replacement", "older_refused", "tie_lowest_id"],
        Breakage::OlderReplacesNewer => &["older_refused"],
        Breakage::TieKeepsLastArrival => &["tie_lowest_id"],
        // Ignoring NIP-40 entirely breaks both halves of it.
        Breakage::IgnoresExpiry => &["expired_refused", "expiry_enforced"],
        Breakage::ServesExpiredStored => &["expiry_enforced"],
        Breakage::AcceptsForgedSignatures => &["forged_sig_refused"],
        Breakage::AcceptsWrongIds => &["wrong_id_refused"],
        Breakage::IgnoresTagFilter { .. } => &["tag_filters"],
        Breakage::IgnoresLimit => &["limit"],
        Breakage::IgnoresSinceUntil => &["since_until"],
        Breakage::OkWithoutPrefix => &["ok_prefix"],
        Breakage::NeverSendsEose => &["eose"],
        Breakage::AcceptsAnyFutureCreatedAt => &["future_bound"],
        Breakage::Nip11LimitNotEnforced | Breakage::Nip11LimitLargerThanEnforced => {
            &["content_limit_as_announced"]
        }
        Breakage::NoNip11 => &["nip11_document"],
        _ => panic!("no expectation for {b:?}"),
    };
    set.iter().copied().collect()
}

#[tokio::test]
async fn well_behaved_relay_passes_every_check() {
    for name in CHECKS {
        assert!(check(name, None).await, "well-behaved relay fails {name}");
    }
}

#[tokio::test]
async fn each_breakage_fails_exactly_its_checks() {
    for b in Breakage::all() {
        let mut failed = BTreeSet::new();
        for name in CHECKS {
            if !check(name, Some(&b)).await {
                failed.insert(*name);
            }
        }
        assert_eq!(failed, expected_failures(&b), "breakage {}", b.code());
    }
}
