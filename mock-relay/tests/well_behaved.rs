//! The well-behaved relay over a real WebSocket: storage, replacement,
//! filters, live events, CLOSE/CLOSED, OK prefixes, NIP-40, limits, NIP-11.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use openslots_mock_relay::{Clock, Limits, MockRelay, RecordedFrame, Script, forge};
use serde_json::{Value, json};

async fn relay() -> (MockRelay, Clock) {
    let clock = Clock::new(T0);
    let relay = MockRelay::start(Script::well_behaved("good"), clock.clone())
        .await
        .unwrap();
    (relay, clock)
}

#[tokio::test]
async fn stores_serves_and_records() {
    let (relay, _clock) = relay().await;
    assert!(relay.url().starts_with("ws://127.0.0.1:"));
    let mut c = Client::connect(relay.url()).await;
    let host = keys(1);
    let e = room(&host, "room-d", T0, "ciphertext");
    c.accept(&e).await;
    let got = c
        .req(
            "s1",
            json!([{"kinds": [30078], "#d": ["room-d"], "#t": ["openslots"]}]),
        )
        .await;
    assert_eq!(got, vec![forge::to_value(&e)]);
    c.send(json!(["CLOSE", "s1"])).await;
    assert!(c.barrier().await.is_empty(), "CLOSE is not answered");
    let records = relay.recorder().records();
    let kinds: Vec<&str> = records
        .iter()
        .map(|r| match &r.frame {
            RecordedFrame::Connected => "connected",
            RecordedFrame::Event { .. } => "event",
            RecordedFrame::Req { .. } => "req",
            RecordedFrame::Close { .. } => "close",
            RecordedFrame::Other { .. } => "other",
            _ => "?",
        })
        .collect();
    assert_eq!(kinds, ["connected", "event", "req", "close", "other"]);
    assert_eq!(relay.recorder().published(), vec![forge::to_value(&e)]);
    assert!(records.iter().all(|r| r.connection == 0 && r.at == T0));
}

#[tokio::test]
async fn newer_replaces_older_is_refused_and_never_served() {
    let (relay, _clock) = relay().await;
    let mut c = Client::connect(relay.url()).await;
    let host = keys(1);
    let v1 = room(&host, "d", T0 - 10, "v1");
    let v2 = room(&host, "d", T0 - 5, "v2");
    c.accept(&v1).await;
    c.accept(&v2).await;
    let ok = c.publish_event(&v1).await;
    assert_eq!(ok[2], false);
    assert_eq!(ok_prefix(&ok), "duplicate");
    let older = room(&host, "d", T0 - 7, "v1b");
    let ok = c.publish_event(&older).await;
    assert_eq!(
        (ok[2].clone(), ok_prefix(&ok)),
        (json!(false), "duplicate".into())
    );
    let got = c.req("s", json!([{"#d": ["d"]}])).await;
    assert_eq!(ids(&got), vec![hex_id(&v2)]);
    // Republishing the current version is a duplicate, accepted.
    let ok = c.publish_event(&v2).await;
    assert_eq!(ok[2], true);
    assert_eq!(ok_prefix(&ok), "duplicate");
}

#[tokio::test]
async fn equal_created_at_keeps_the_lowest_id_in_either_order() {
    let host = keys(2);
    let a = room(&host, "d", T0, "a");
    let b = room(&host, "d", T0, "b");
    let lowest = std::cmp::min(hex_id(&a), hex_id(&b));
    for order in [[&a, &b], [&b, &a]] {
        let (relay, _clock) = relay().await;
        let mut c = Client::connect(relay.url()).await;
        c.accept(order[0]).await;
        let ok = c.publish_event(order[1]).await;
        let second_is_lower = hex_id(order[1]) == lowest;
        assert_eq!(ok[2], second_is_lower, "{ok}");
        if !second_is_lower {
            assert_eq!(ok_prefix(&ok), "duplicate");
        }
        let got = c.req("s", json!([{"#d": ["d"]}])).await;
        assert_eq!(ids(&got), vec![lowest.clone()]);
    }
}

#[tokio::test]
async fn addresses_are_per_author_kind_and_d_tag_and_replaceable_kinds_too() {
    let (relay, _clock) = relay().await;
    let mut c = Client::connect(relay.url()).await;
    let (a, b) = (keys(1), keys(2));
    let ea = room(&a, "d", T0 - 1, "a");
    let eb = room(&b, "d", T0 - 1, "b");
    let ea_other = room(&a, "d2", T0 - 1, "a2");
    let ea_kind = event(&a, 30001, T0 - 1, &[&["d", "d"]], "k");
    for e in [&ea, &eb, &ea_other, &ea_kind] {
        c.accept(e).await;
    }
    let got = c.req("s", json!([{"#d": ["d"], "kinds": [30078]}])).await;
    let mut expect = vec![hex_id(&ea), hex_id(&eb)];
    expect.sort();
    let mut got = ids(&got);
    got.sort();
    assert_eq!(got, expect);
    // Replaceable kind 10002: one per (kind, pubkey), regardless of d.
    let r1 = event(&a, 10002, T0 - 3, &[&["d", "x"]], "r1");
    let r2 = event(&a, 10002, T0 - 2, &[&["d", "y"]], "r2");
    c.accept(&r1).await;
    c.accept(&r2).await;
    let got = c.req("r", json!([{"kinds": [10002]}])).await;
    assert_eq!(ids(&got), vec![hex_id(&r2)]);
    // Regular kinds keep every event.
    let n1 = event(&a, 1, T0 - 3, &[], "n1");
    let n2 = event(&a, 1, T0 - 2, &[], "n2");
    c.accept(&n1).await;
    c.accept(&n2).await;
    let got = c.req("n", json!([{"kinds": [1]}])).await;
    assert_eq!(ids(&got), vec![hex_id(&n2), hex_id(&n1)], "newest first");
}

#[tokio::test]
async fn filters_ids_authors_kinds_tags_since_until_limit() {
    let (relay, _clock) = relay().await;
    let mut c = Client::connect(relay.url()).await;
    let (a, b) = (keys(1), keys(2));
    let room_addr = format!("30078:{}:room", a.public_key().to_hex());
    let e1 = event(
        &a,
        1,
        T0 - 30,
        &[&["e", &"11".repeat(32)], &["t", "x"]],
        "1",
    );
    let e2 = event(
        &b,
        1,
        T0 - 20,
        &[&["p", &"22".repeat(32)], &["t", "x"]],
        "2",
    );
    let e3 = event(&b, 30078, T0 - 10, &[&["d", "r"], &["a", &room_addr]], "3");
    for e in [&e1, &e2, &e3] {
        c.accept(e).await;
    }
    let q = |v: Value| v;
    let cases: Vec<(Value, Vec<&nostr::event::Event>)> = vec![
        (q(json!({"ids": [hex_id(&e2)]})), vec![&e2]),
        (
            q(json!({"authors": [b.public_key().to_hex()]})),
            vec![&e3, &e2],
        ),
        (q(json!({"kinds": [1]})), vec![&e2, &e1]),
        (q(json!({"#e": ["11".repeat(32)]})), vec![&e1]),
        (q(json!({"#p": ["22".repeat(32)]})), vec![&e2]),
        (q(json!({"#a": [room_addr]})), vec![&e3]),
        (q(json!({"#t": ["x"]})), vec![&e2, &e1]),
        (q(json!({"#d": ["r"]})), vec![&e3]),
        (q(json!({"#t": ["y"]})), vec![]),
        (q(json!({"since": T0 - 20})), vec![&e3, &e2]),
        (q(json!({"until": T0 - 20})), vec![&e2, &e1]),
        (q(json!({"since": T0 - 20, "until": T0 - 20})), vec![&e2]),
        (q(json!({"limit": 2})), vec![&e3, &e2]),
        (q(json!({"limit": 0})), vec![]),
        (
            q(json!({"kinds": [1], "authors": [a.public_key().to_hex()]})),
            vec![&e1],
        ),
    ];
    for (i, (filter, expected)) in cases.into_iter().enumerate() {
        let got = c.req(&format!("q{i}"), json!([filter.clone()])).await;
        let expected: Vec<String> = expected.into_iter().map(hex_id).collect();
        assert_eq!(ids(&got), expected, "filter {filter}");
    }
    // Several filters: a union, limit applied per filter, no repeats.
    let got = c
        .req(
            "multi",
            json!([{"kinds": [1], "limit": 1}, {"#d": ["r"]}, {"ids": [hex_id(&e2)]}]),
        )
        .await;
    let mut got = ids(&got);
    got.sort();
    let mut expected = vec![hex_id(&e2), hex_id(&e3)];
    expected.sort();
    assert_eq!(got, expected);
}

#[tokio::test]
async fn live_events_follow_eose_until_close() {
    let (relay, _clock) = relay().await;
    let mut reader = Client::connect(relay.url()).await;
    let mut writer = Client::connect(relay.url()).await;
    assert!(reader.req("live", json!([{"#d": ["d"]}])).await.is_empty());
    let e = room(&keys(1), "d", T0, "x");
    let other = room(&keys(1), "other", T0, "y");
    writer.accept(&other).await;
    writer.accept(&e).await;
    assert_eq!(
        reader.next().await,
        json!(["EVENT", "live", forge::to_value(&e)])
    );
    reader.send(json!(["CLOSE", "live"])).await;
    assert!(reader.barrier().await.is_empty());
    let e2 = room(&keys(1), "d", T0 + 1, "x2");
    writer.accept(&e2).await;
    assert!(
        reader.barrier().await.is_empty(),
        "closed subscription got an event"
    );
    // Two connections are recorded apart.
    assert_eq!(relay.recorder().connection(1).len(), 4);
}

#[tokio::test]
async fn closed_on_bad_subscriptions() {
    let clock = Clock::new(T0);
    let limits = Limits {
        max_subscriptions: 2,
        ..Limits::default()
    };
    let relay = MockRelay::start(Script::well_behaved("x").with_limits(limits), clock)
        .await
        .unwrap();
    let mut c = Client::connect(relay.url()).await;
    for (frame, sub) in [
        (json!(["REQ", "bad", {"kinds": "x"}]), "bad"),
        (json!(["REQ", "bad2", []]), "bad2"),
        (json!(["REQ", "nofilter"]), "nofilter"),
        (json!(["REQ", "", {}]), ""),
        (json!(["REQ", "x".repeat(65), {}]), &*"x".repeat(65)),
    ] {
        c.send(frame.clone()).await;
        let got = c.next().await;
        assert_eq!(got[0], "CLOSED", "{frame}");
        assert_eq!(got[1], sub);
        assert!(got[2].as_str().unwrap().starts_with("invalid: "), "{got}");
    }
    c.req("a", json!([{}])).await;
    c.req("b", json!([{}])).await;
    c.req("a", json!([{"kinds": [1]}])).await; // same id replaces, no new slot
    c.send(json!(["REQ", "c", {}])).await;
    let got = c.next().await;
    assert_eq!(got[0], "CLOSED");
    assert!(got[2].as_str().unwrap().starts_with("rate-limited: "));
}

#[tokio::test]
async fn ok_prefixes_for_forgeries_and_malformed_events() {
    let (relay, _clock) = relay().await;
    let mut c = Client::connect(relay.url()).await;
    let e = room(&keys(1), "d", T0, "x");
    for bad in [
        forge::with_forged_signature(&e),
        forge::with_wrong_id(&e, "changed"),
    ] {
        let ok = c.publish(&bad).await;
        assert_eq!(ok[1], hex_id(&e));
        assert_eq!(ok[2], false);
        assert_eq!(ok_prefix(&ok), "invalid");
    }
    let mut missing = forge::to_value(&e);
    missing.as_object_mut().unwrap().remove("sig");
    let ok = c.publish(&missing).await;
    assert_eq!(
        (ok[2].clone(), ok_prefix(&ok)),
        (json!(false), "invalid".into())
    );
    assert!(c.req("s", json!([{}])).await.is_empty(), "nothing stored");
}

#[tokio::test]
async fn nip40_refuses_expired_and_stops_serving_at_expiry() {
    let (relay, clock) = relay().await;
    let mut c = Client::connect(relay.url()).await;
    let k = keys(1);
    let exp = (T0 + 100).to_string();
    let e = event(&k, 30078, T0, &[&["d", "d"], &["expiration", &exp]], "x");
    let gone = event(
        &k,
        30078,
        T0,
        &[&["d", "g"], &["expiration", &(T0 - 1).to_string()]],
        "x",
    );
    let ok = c.publish_event(&gone).await;
    assert_eq!(
        (ok[2].clone(), ok_prefix(&ok)),
        (json!(false), "invalid".into())
    );
    c.accept(&e).await;
    clock.set(T0 + 100);
    assert_eq!(
        ids(&c.req("a", json!([{"#d": ["d"]}])).await),
        vec![hex_id(&e)],
        "expiration == now is valid"
    );
    clock.advance(1);
    assert!(
        c.req("b", json!([{"#d": ["d"]}])).await.is_empty(),
        "expired"
    );
    // A malformed expiration never expires.
    let never = event(&k, 30078, T0, &[&["d", "n"], &["expiration", "+1"]], "x");
    c.accept(&never).await;
}

#[tokio::test]
async fn created_at_bound_follows_the_relay_clock() {
    let (relay, clock) = relay().await;
    let mut c = Client::connect(relay.url()).await;
    let k = keys(1);
    let limit = Limits::default().created_at_upper_limit;
    c.accept(&event(&k, 1, T0 + limit, &[], "edge")).await;
    let ok = c
        .publish_event(&event(&k, 1, T0 + limit + 1, &[], "far"))
        .await;
    assert_eq!(
        (ok[2].clone(), ok_prefix(&ok)),
        (json!(false), "invalid".into())
    );
    clock.advance(1);
    c.accept(&event(&k, 1, T0 + limit + 1, &[], "far")).await;
}

#[tokio::test]
async fn content_and_message_limits_are_enforced_and_announced() {
    let clock = Clock::new(T0);
    let limits = Limits {
        max_content_length: 100,
        max_message_length: 2000,
        ..Limits::default()
    };
    let relay = MockRelay::start(
        Script::well_behaved("small").with_limits(limits.clone()),
        clock,
    )
    .await
    .unwrap();
    let mut c = Client::connect(relay.url()).await;
    let k = keys(1);
    c.accept(&event(&k, 1, T0, &[], &"é".repeat(100))).await;
    let ok = c
        .publish_event(&event(&k, 1, T0, &[], &"x".repeat(101)))
        .await;
    assert_eq!(
        (ok[2].clone(), ok_prefix(&ok)),
        (json!(false), "invalid".into())
    );
    let big_tag = "y".repeat(2000);
    let e = event(&k, 1, T0, &[&["t", &big_tag]], "small");
    let ok = c.publish_event(&e).await;
    assert_eq!(ok[1], hex_id(&e));
    assert_eq!(
        (ok[2].clone(), ok_prefix(&ok)),
        (json!(false), "invalid".into())
    );
    let doc = relay.nip11_document().unwrap();
    assert_eq!(doc["limitation"]["max_content_length"], 100);
    assert_eq!(doc["limitation"]["max_message_length"], 2000);
}

#[tokio::test]
async fn nip11_document_over_http_on_the_same_port() {
    let (relay, _clock) = relay().await;
    let (status, body) = http_get(relay.addr(), "application/nostr+json").await;
    assert!(status.contains(" 200 "), "{status}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["name"], "good");
    for nip in [1, 11, 40] {
        assert!(
            doc["supported_nips"]
                .as_array()
                .unwrap()
                .contains(&json!(nip))
        );
    }
    let l = Limits::default();
    assert_eq!(
        doc["limitation"]["max_message_length"],
        l.max_message_length
    );
    assert_eq!(
        doc["limitation"]["max_content_length"],
        l.max_content_length
    );
    assert_eq!(doc["limitation"]["max_subscriptions"], l.max_subscriptions);
    assert_eq!(doc["limitation"]["max_limit"], l.max_limit);
    assert_eq!(
        doc["limitation"]["created_at_upper_limit"],
        l.created_at_upper_limit
    );
    let (status, _) = http_get(relay.addr(), "text/html").await;
    assert!(status.contains(" 200 "));
    // The WebSocket still works on the same port.
    let mut c = Client::connect(relay.url()).await;
    assert!(c.req("s", json!([{}])).await.is_empty());
}

#[tokio::test]
async fn ephemeral_events_are_forwarded_not_stored() {
    let (relay, _clock) = relay().await;
    let mut reader = Client::connect(relay.url()).await;
    let mut writer = Client::connect(relay.url()).await;
    reader.req("s", json!([{"kinds": [20001]}])).await;
    let e = event(&keys(1), 20001, T0, &[], "now");
    writer.accept(&e).await;
    assert_eq!(reader.next().await[2], forge::to_value(&e));
    assert!(
        writer
            .req("t", json!([{"kinds": [20001]}]))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn preloaded_events_and_several_relays_share_a_clock() {
    let clock = Clock::new(T0);
    let k = keys(3);
    let old = room(&k, "d", T0 - 10, "old");
    let new = room(&k, "d", T0 - 5, "new");
    let set = openslots_mock_relay::RelaySet::start(
        vec![
            Script::well_behaved("one")
                .with_event(old.clone())
                .with_event(new.clone()),
            Script::well_behaved("two"),
        ],
        clock.clone(),
    )
    .await
    .unwrap();
    let urls = set.urls();
    assert_eq!(urls.len(), 2);
    assert_ne!(urls[0], urls[1]);
    let mut one = Client::connect(&urls[0]).await;
    let mut two = Client::connect(&urls[1]).await;
    assert_eq!(
        ids(&one.req("s", json!([{"#d": ["d"]}])).await),
        vec![hex_id(&new)]
    );
    assert!(two.req("s", json!([{"#d": ["d"]}])).await.is_empty());
    let exp = event(&k, 1, T0, &[&["expiration", &(T0 + 5).to_string()]], "e");
    one.accept(&exp).await;
    two.accept(&exp).await;
    set.clock().advance(6);
    assert!(one.req("x", json!([{"kinds": [1]}])).await.is_empty());
    assert!(two.req("x", json!([{"kinds": [1]}])).await.is_empty());
    assert_eq!(set.by_name("two").unwrap().recorder().published().len(), 1);
    set.stop().await;
}

#[tokio::test]
async fn a_preloaded_event_that_does_not_verify_is_a_start_error() {
    let e = room(&keys(1), "d", T0, "x");
    let mut bad: nostr::event::Event =
        serde_json::from_value(forge::with_wrong_id(&e, "y")).unwrap();
    bad.content = "y".into();
    let err = MockRelay::start(Script::well_behaved("x").with_event(bad), Clock::new(T0))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "script-preload");
}

#[tokio::test]
async fn recorder_wait_for_sees_frames_and_times_out_when_they_never_come() {
    let (relay, _clock) = relay().await;
    let recorder = relay.recorder().clone();
    let url = relay.url().to_string();
    let e = room(&keys(1), "d", T0, "x");
    let sent = e.clone();
    let client = tokio::spawn(async move {
        let mut c = Client::connect(&url).await;
        c.accept(&sent).await;
        c
    });
    let records = recorder
        .wait_for(TIMEOUT, |r| {
            r.iter().any(
                |r| matches!(&r.frame, RecordedFrame::Event { event } if event["id"] == hex_id(&e)),
            )
        })
        .await
        .unwrap();
    assert!(records.len() >= 2);
    let _c = client.await.unwrap();
    let err = recorder
        .wait_for(std::time::Duration::from_millis(50), |r| r.len() > 100)
        .await
        .unwrap_err();
    assert_eq!(err.count, recorder.records().len());
}
