//! No client frame makes the relay panic or hang: every bad frame gets the
//! NIP-01 answer (NOTICE, CLOSED or OK false), over a real WebSocket and
//! through the pure frame handler.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use openslots_mock_relay::{
    ClientFrame, Clock, Limits, MockRelay, Output, RecordedFrame, Recorder, RelayState, Script,
    forge,
};
use proptest::prelude::*;
use serde_json::{Value, json};

#[tokio::test]
async fn bad_frames_get_notice_closed_or_ok_false() {
    let relay = MockRelay::start(Script::well_behaved("robust"), Clock::new(T0))
        .await
        .unwrap();
    let mut c = Client::connect(relay.url()).await;
    let e = forge::to_value(&room(&keys(1), "d", T0, "x"));
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "NOTICE"),
        ("\"a string\"".into(), "NOTICE"),
        ("{}".into(), "NOTICE"),
        ("[]".into(), "NOTICE"),
        ("[1, 2]".into(), "NOTICE"),
        ("[\"AUTH\", \"x\"]".into(), "NOTICE"),
        ("[\"EVENT\"]".into(), "NOTICE"),
        ("[\"EVENT\", 5]".into(), "NOTICE"),
        (json!(["EVENT", e, e]).to_string(), "OK"),
        (json!(["EVENT", {"id": "ab"}]).to_string(), "OK"),
        ("[\"REQ\"]".into(), "NOTICE"),
        ("[\"REQ\", 7, {}]".into(), "NOTICE"),
        ("[\"REQ\", \"s\", 7]".into(), "CLOSED"),
        ("[\"REQ\", \"s\", {\"ids\": [1]}]".into(), "CLOSED"),
        ("[\"CLOSE\"]".into(), "NOTICE"),
        ("[\"CLOSE\", 1]".into(), "NOTICE"),
        ("[\"REQ\", \"s\", {\"limit\": 1e300}]".into(), "CLOSED"),
    ];
    for (frame, verb) in cases {
        c.send_text(&frame).await;
        let got = c.next().await;
        assert_eq!(got[0], verb, "{frame} -> {got}");
        if verb == "OK" {
            assert_eq!(got[2], false);
            assert!(got[3].as_str().unwrap().starts_with("invalid: "));
        }
        if verb == "CLOSED" {
            assert!(got[2].as_str().unwrap().starts_with("invalid: "), "{got}");
        }
    }
    c.send_binary(vec![0, 159, 146, 150]).await;
    let got = c.next().await;
    assert_eq!(got[0], "NOTICE");
    // A closing of an unknown subscription is silent.
    c.send(json!(["CLOSE", "never-opened"])).await;
    assert!(c.barrier().await.is_empty());
    let records = relay.recorder().records();
    assert!(
        records.iter().any(
            |r| matches!(&r.frame, RecordedFrame::Unparsed { text, .. } if text == "{not json")
        )
    );
    assert!(records.iter().any(
        |r| matches!(&r.frame, RecordedFrame::Binary { hex, length: 4 } if hex == "009f9296")
    ));
}

#[tokio::test]
async fn frames_beyond_the_transport_limit_drop_only_that_connection() {
    let limits = Limits {
        max_message_length: 1000,
        ..Limits::default()
    };
    let relay = MockRelay::start(
        Script::well_behaved("small").with_limits(limits),
        Clock::new(T0),
    )
    .await
    .unwrap();
    let mut c = Client::connect(relay.url()).await;
    // Over the announced limit but under the transport limit: a NOTICE.
    c.send_text(&format!("[\"X\",\"{}\"]", "a".repeat(5000)))
        .await;
    let got = c.next().await;
    assert_eq!(got[0], "NOTICE");
    // Over the transport limit (4 x 1000, at least 1 MiB): the connection ends.
    c.send_text(&format!("[\"X\",\"{}\"]", "a".repeat(2 << 20)))
        .await;
    assert!(c.until_disconnect().await.is_empty());
    let mut other = Client::connect(relay.url()).await;
    assert!(other.req("s", json!([{}])).await.is_empty());
}

fn frame_strategy() -> impl Strategy<Value = String> {
    let verb = prop_oneof![
        Just(json!("EVENT")),
        Just(json!("REQ")),
        Just(json!("CLOSE")),
        Just(json!("COUNT")),
        Just(json!(1)),
        Just(Value::Null),
    ];
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "[a-z#]{0,6}".prop_map(Value::from),
        "[0-9a-f]{64}".prop_map(Value::from),
        Just(Value::Null),
        Just(json!({})),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("kind".to_string()),
                    Just("tags".to_string()),
                    Just("#d".to_string()),
                    Just("limit".to_string()),
                    Just("since".to_string()),
                    "[a-z]{1,3}".prop_map(String::from),
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        (verb, prop::collection::vec(value, 0..4)).prop_map(|(v, rest)| {
            let mut arr = vec![v];
            arr.extend(rest);
            Value::Array(arr).to_string()
        }),
        any::<String>(),
        "\\[\"(EVENT|REQ|CLOSE)\",.{0,40}".prop_map(String::from),
    ]
}

fn is_close(frame: &str) -> bool {
    serde_json::from_str::<Value>(frame).is_ok_and(|v| {
        v.as_array()
            .is_some_and(|a| a.len() == 2 && a[0] == "CLOSE" && a[1].is_string())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn handle_frame_answers_every_frame_but_close(frames in prop::collection::vec(frame_strategy(), 1..8)) {
        let mut state = RelayState::new(&Script::well_behaved("p"), Recorder::default()).unwrap();
        let mut session = state.open_session(T0);
        for frame in &frames {
            let out = state.handle_frame(&mut session, ClientFrame::Text(frame), T0);
            if is_close(frame) {
                prop_assert!(out.is_empty());
            } else {
                prop_assert!(!out.is_empty(), "no answer to {}", frame);
            }
            for o in out {
                if let Output::Text(t) = o {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    prop_assert!(["OK", "NOTICE", "CLOSED", "EOSE", "EVENT"].contains(&v[0].as_str().unwrap()));
                }
            }
        }
        let out = state.handle_frame(&mut session, ClientFrame::Binary(frames[0].as_bytes()), T0);
        prop_assert_eq!(out.len(), 1);
    }
}
