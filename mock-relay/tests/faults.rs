//! Every fault of a script, over a real WebSocket, asserting what is served.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use openslots_mock_relay::{
    Clock, Fault, FaultRule, Filter, MockRelay, RawFrame, Script, ScriptEvent, StaleMode, Trigger,
    forge,
};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

fn filter(v: Value) -> Filter {
    serde_json::from_value(v).unwrap()
}

async fn start(script: Script) -> (MockRelay, Clock) {
    let clock = Clock::new(T0);
    let relay = MockRelay::start(script, clock.clone()).await.unwrap();
    (relay, clock)
}

/// Three rooms by one host, created at T0-30, T0-20, T0-10.
fn three() -> Vec<nostr::event::Event> {
    let k = keys(1);
    vec![
        room(&k, "a", T0 - 30, "a"),
        room(&k, "b", T0 - 20, "b"),
        room(&k, "c", T0 - 10, "c"),
    ]
}

fn preloaded(events: &[nostr::event::Event]) -> Script {
    events.iter().fold(Script::well_behaved("faulty"), |s, e| {
        s.with_event(e.clone())
    })
}

#[tokio::test]
async fn reorder_serves_oldest_first() {
    let ev = three();
    let (relay, _) = start(preloaded(&ev).with_fault(FaultRule::always(Fault::Reorder))).await;
    let mut c = Client::connect(relay.url()).await;
    let got = c.req("s", json!([{"kinds": [30078]}])).await;
    assert_eq!(
        ids(&got),
        vec![hex_id(&ev[0]), hex_id(&ev[1]), hex_id(&ev[2])]
    );
}

#[tokio::test]
async fn duplicate_sends_extra_copies_of_matching_events() {
    let ev = three();
    let rule = FaultRule::matching(filter(json!({"#d": ["b"]})), Fault::Duplicate { copies: 2 });
    let (relay, _) = start(preloaded(&ev).with_fault(rule)).await;
    let mut c = Client::connect(relay.url()).await;
    let got = c.req("s", json!([{"kinds": [30078]}])).await;
    let b = hex_id(&ev[1]);
    assert_eq!(
        ids(&got),
        vec![hex_id(&ev[2]), b.clone(), b.clone(), b, hex_id(&ev[0])]
    );
}

#[tokio::test]
async fn withhold_hides_matching_events_stored_and_live() {
    let ev = three();
    let rule = FaultRule::matching(filter(json!({"#d": ["b"]})), Fault::Withhold);
    let (relay, _) = start(preloaded(&ev).with_fault(rule)).await;
    let mut c = Client::connect(relay.url()).await;
    let got = c.req("s", json!([{"kinds": [30078]}])).await;
    assert_eq!(ids(&got), vec![hex_id(&ev[2]), hex_id(&ev[0])]);
    let newer_b = room(&keys(1), "b", T0, "b2");
    let mut w = Client::connect(relay.url()).await;
    w.accept(&newer_b).await;
    assert!(
        c.barrier().await.is_empty(),
        "withheld live event was served"
    );
}

#[tokio::test]
async fn delay_until_clock_and_until_release_and_after_eose() {
    let ev = three();
    let script = preloaded(&ev)
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["a"]})),
            Fault::Delay {
                until: Trigger::ClockAfter { seconds: 60 },
            },
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["b"]})),
            Fault::Delay {
                until: Trigger::Release { name: "go".into() },
            },
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["c"]})),
            Fault::Delay {
                until: Trigger::AfterEose,
            },
        ));
    let (relay, clock) = start(script).await;
    let mut c = Client::connect(relay.url()).await;
    assert!(c.req("s", json!([{"kinds": [30078]}])).await.is_empty());
    assert_eq!(
        c.next().await,
        json!(["EVENT", "s", forge::to_value(&ev[2])])
    );
    assert!(c.barrier().await.is_empty());
    clock.advance(59);
    assert!(c.barrier().await.is_empty(), "released one second early");
    clock.advance(1);
    assert_eq!(
        c.next().await,
        json!(["EVENT", "s", forge::to_value(&ev[0])])
    );
    relay.release("go");
    assert_eq!(
        c.next().await,
        json!(["EVENT", "s", forge::to_value(&ev[1])])
    );
}

#[tokio::test]
async fn serve_stale_instead_and_besides() {
    let k = keys(1);
    let old = room(&k, "d", T0 - 20, "old");
    let new = room(&k, "d", T0 - 10, "new");
    for (mode, expected) in [
        (StaleMode::Instead, vec![hex_id(&old)]),
        (StaleMode::Besides, vec![hex_id(&new), hex_id(&old)]),
    ] {
        let script = preloaded(&[old.clone(), new.clone()]).with_fault(FaultRule::matching(
            filter(json!({"#d": ["d"]})),
            Fault::ServeStale { mode },
        ));
        let (relay, _) = start(script).await;
        let mut c = Client::connect(relay.url()).await;
        assert_eq!(
            ids(&c.req("s", json!([{"#d": ["d"]}])).await),
            expected,
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn inject_serves_forgeries_junk_and_foreign_events_unchecked() {
    let host = keys(1);
    let good = room(&host, "d", T0 - 10, "good");
    let forged = forge::with_forged_signature(&room(&host, "d", T0 - 5, "forged"));
    let wrong_id = forge::with_wrong_id(&room(&host, "d", T0 - 4, "x"), "y");
    let junk = forge::to_value(&room(&host, "d", T0 - 3, "not a NIP-44 payload"));
    let foreign = forge::to_value(&room(&keys(9), "d", T0 - 2, "someone else"));
    let expired = forge::to_value(&event(
        &host,
        30078,
        T0 - 1,
        &[&["d", "d"], &["expiration", "1"]],
        "old",
    ));
    let raw_text = json!("{\"id\":\"not json");
    let injected: Vec<ScriptEvent> = [
        forged.clone(),
        wrong_id.clone(),
        junk.clone(),
        foreign.clone(),
        expired.clone(),
    ]
    .into_iter()
    .map(ScriptEvent::Raw)
    .collect();
    let script = Script::well_behaved("inject")
        .with_event(good.clone())
        .with_fault(FaultRule::always(Fault::Inject { events: injected }).on_connection(0))
        .with_fault(
            FaultRule::always(Fault::Inject {
                events: vec![ScriptEvent::Raw(raw_text)],
            })
            .on_subscription("raw"),
        );
    let (relay, _) = start(script).await;
    let mut c = Client::connect(relay.url()).await;
    let got = c.req("s", json!([{"#d": ["d"]}])).await;
    assert_eq!(
        got,
        vec![
            expired,
            foreign,
            junk,
            wrong_id,
            forged,
            forge::to_value(&good)
        ]
    );
    assert!(
        c.req("other", json!([{"#d": ["zzz"]}])).await.is_empty(),
        "only matching REQs"
    );
    // A raw string is served byte for byte, even when it is not JSON.
    let mut c = Client::connect(relay.url()).await;
    c.send_req("raw", json!([{}])).await;
    let mut texts = Vec::new();
    while let Some(Message::Text(t)) = c.next_message().await {
        if t.as_str() == "[\"EOSE\",\"raw\"]" {
            break;
        }
        texts.push(t.as_str().to_string());
    }
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert_eq!(
        texts[1], "[\"EVENT\",\"raw\",{\"id\":\"not json]",
        "created_at 0 sorts last"
    );
}

#[tokio::test]
async fn serve_expired_keeps_serving_matching_events() {
    let k = keys(1);
    let exp = (T0 + 10).to_string();
    let e = event(&k, 30078, T0, &[&["d", "d"], &["expiration", &exp]], "x");
    let e2 = event(
        &k,
        30078,
        T0,
        &[&["d", "other"], &["expiration", &exp]],
        "x",
    );
    let script = preloaded(&[e.clone(), e2.clone()]).with_fault(FaultRule::matching(
        filter(json!({"#d": ["d"]})),
        Fault::ServeExpired,
    ));
    let (relay, clock) = start(script).await;
    let mut c = Client::connect(relay.url()).await;
    clock.advance(11);
    assert_eq!(
        ids(&c.req("s", json!([{"kinds": [30078]}])).await),
        vec![hex_id(&e)]
    );
}

#[tokio::test]
async fn publish_faults() {
    let k = keys(1);
    let script = Script::well_behaved("pub")
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["blocked"]})),
            Fault::RefusePublish {
                prefix: "blocked".into(),
                message: "not here".into(),
            },
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["lost"]})),
            Fault::AcceptWithoutStoring,
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["notice"]})),
            Fault::PublishNotice {
                message: "error: refused".into(),
            },
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["silent"]})),
            Fault::IgnorePublish,
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["noid"]})),
            Fault::OkEmptyId,
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["drop"]})),
            Fault::DisconnectOnPublish,
        ));
    let (relay, _) = start(script).await;
    let mut c = Client::connect(relay.url()).await;
    let e = room(&k, "blocked", T0, "x");
    assert_eq!(
        c.publish_event(&e).await,
        json!(["OK", hex_id(&e), false, "blocked: not here"])
    );
    let e = room(&k, "lost", T0, "x");
    assert_eq!(
        c.publish_event(&e).await,
        json!(["OK", hex_id(&e), true, ""])
    );
    assert!(c.req("q1", json!([{"#d": ["lost"]}])).await.is_empty());
    c.send(json!([
        "EVENT",
        forge::to_value(&room(&k, "notice", T0, "x"))
    ]))
    .await;
    assert_eq!(c.next().await, json!(["NOTICE", "error: refused"]));
    c.send(json!([
        "EVENT",
        forge::to_value(&room(&k, "silent", T0, "x"))
    ]))
    .await;
    assert!(
        c.barrier().await.is_empty(),
        "an ignored publish gets no answer"
    );
    let e = room(&k, "noid", T0, "x");
    assert_eq!(c.publish_event(&e).await, json!(["OK", "", true, ""]));
    assert_eq!(
        ids(&c.req("q2", json!([{"#d": ["noid"]}])).await),
        vec![hex_id(&e)]
    );
    c.send(json!([
        "EVENT",
        forge::to_value(&room(&k, "drop", T0, "x"))
    ]))
    .await;
    assert!(c.until_disconnect().await.is_empty());
    assert_eq!(relay.recorder().published().len(), 6);
}

#[tokio::test]
async fn request_faults_closed_notice_no_eose() {
    let ev = three();
    let script = preloaded(&ev)
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["a"]})),
            Fault::Closed {
                message: "restricted: no".into(),
            },
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["b"]})),
            Fault::Notice {
                message: "hello".into(),
            },
        ))
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["c"]})),
            Fault::NoEose,
        ));
    let (relay, _) = start(script).await;
    let mut c = Client::connect(relay.url()).await;
    c.send_req("x", json!([{"#d": ["a"]}])).await;
    assert_eq!(c.next().await, json!(["CLOSED", "x", "restricted: no"]));
    c.send_req("y", json!([{"#d": ["b"]}])).await;
    assert_eq!(c.next().await, json!(["NOTICE", "hello"]));
    assert_eq!(ids(&c.collect_until_eose("y").await), vec![hex_id(&ev[1])]);
    c.send_req("z", json!([{"#d": ["c"]}])).await;
    assert_eq!(
        c.barrier().await,
        vec![json!(["EVENT", "z", forge::to_value(&ev[2])])]
    );
}

#[tokio::test]
async fn disconnect_mid_stream_once_then_recover() {
    let ev = three();
    let script = preloaded(&ev)
        .with_fault(FaultRule::always(Fault::Disconnect { after_events: 2 }).at_most(1));
    let (relay, _) = start(script).await;
    let mut c = Client::connect(relay.url()).await;
    c.send_req("s", json!([{"kinds": [30078]}])).await;
    let frames = c.until_disconnect().await;
    assert_eq!(frames.len(), 2);
    let mut c = Client::connect(relay.url()).await;
    assert_eq!(c.req("s", json!([{"kinds": [30078]}])).await.len(), 3);
}

#[tokio::test]
async fn send_frame_malformed_oversize_and_binary() {
    let script = Script::well_behaved("frames")
        .with_fault(
            FaultRule::always(Fault::SendFrame {
                frame: RawFrame::Text {
                    text: "[\"EVENT\",".into(),
                },
            })
            .on_subscription("m"),
        )
        .with_fault(
            FaultRule::always(Fault::SendFrame {
                frame: RawFrame::Oversize { bytes: 3_000_000 },
            })
            .on_subscription("o"),
        )
        .with_fault(
            FaultRule::always(Fault::SendFrame {
                frame: RawFrame::Binary { hex: "00ff".into() },
            })
            .on_subscription("b"),
        );
    let (relay, _) = start(script).await;
    let mut c = Client::connect(relay.url()).await;
    c.send_req("m", json!([{}])).await;
    match c.next_message().await {
        Some(Message::Text(t)) => assert_eq!(t.as_str(), "[\"EVENT\","),
        other => panic!("{other:?}"),
    }
    c.collect_until_eose("m").await;
    c.send_req("o", json!([{}])).await;
    let big = c.next().await;
    assert_eq!(big[0], "NOTICE");
    assert_eq!(big.to_string().len(), 3_000_000);
    c.collect_until_eose("o").await;
    c.send_req("b", json!([{}])).await;
    assert_eq!(
        c.next_message().await,
        Some(Message::binary(vec![0x00, 0xff]))
    );
    c.collect_until_eose("b").await;
}

#[tokio::test]
async fn scope_by_connection_and_subscription() {
    let ev = three();
    let script = preloaded(&ev)
        .with_fault(FaultRule::always(Fault::Withhold).on_connection(1))
        .with_fault(FaultRule::always(Fault::Reorder).on_subscription("rev"));
    let (relay, _) = start(script).await;
    let mut first = Client::connect(relay.url()).await;
    assert_eq!(first.req("s", json!([{}])).await.len(), 3);
    let mut second = Client::connect(relay.url()).await;
    assert!(second.req("s", json!([{}])).await.is_empty());
    let got = first.req("rev", json!([{}])).await;
    assert_eq!(
        ids(&got),
        vec![hex_id(&ev[0]), hex_id(&ev[1]), hex_id(&ev[2])]
    );
}

#[tokio::test]
async fn live_events_are_delayed_duplicated_and_capped_by_max_hits() {
    let script = Script::well_behaved("live")
        .with_fault(FaultRule::matching(
            filter(json!({"#d": ["slow"]})),
            Fault::Delay {
                until: Trigger::ClockAfter { seconds: 10 },
            },
        ))
        .with_fault(
            FaultRule::matching(
                filter(json!({"#d": ["twice"]})),
                Fault::Duplicate { copies: 1 },
            )
            .at_most(1),
        );
    let (relay, clock) = start(script).await;
    let mut reader = Client::connect(relay.url()).await;
    let mut writer = Client::connect(relay.url()).await;
    assert!(
        reader
            .req("s", json!([{"kinds": [30078]}]))
            .await
            .is_empty()
    );
    let k = keys(1);
    let slow = room(&k, "slow", T0, "x");
    writer.accept(&slow).await;
    assert!(
        reader.barrier().await.is_empty(),
        "delayed live event sent early"
    );
    clock.advance(10);
    assert_eq!(
        reader.next().await,
        json!(["EVENT", "s", forge::to_value(&slow)])
    );
    let t1 = room(&k, "twice", T0, "1");
    writer.accept(&t1).await;
    let frame = json!(["EVENT", "s", forge::to_value(&t1)]);
    assert_eq!(reader.barrier().await, vec![frame.clone(), frame]);
    let t2 = room(&k, "twice", T0 + 1, "2");
    writer.accept(&t2).await;
    assert_eq!(
        reader.barrier().await,
        vec![json!(["EVENT", "s", forge::to_value(&t2)])],
        "max_hits 1"
    );
}
