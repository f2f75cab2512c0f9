//! The relay suite against real relays on 127.0.0.1: rust-nostr's
//! `nostr-relay-builder` (a third-party relay, compared with its recorded
//! expected results, each deviation explained), a port where nothing
//! listens, and a server that accepts connections and never answers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::Duration;

use nostr_relay_builder::prelude::{LocalRelay, RelayBuilder};
use openslots_harness::relay::{self, CHECKS, Options, Outcome, Report};

const EXPECTED: &str = "relay-expected/nostr-relay-builder.json";

/// The expected outcome of every check: `pass` unless the file lists a
/// deviation, which must say why.
fn expected_outcomes() -> BTreeMap<&'static str, (Outcome, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut out: BTreeMap<&'static str, (Outcome, String)> = CHECKS
        .iter()
        .map(|c| (c.id, (Outcome::Pass, String::new())))
        .collect();
    for d in doc["deviations"].as_array().unwrap() {
        let id = d["check"].as_str().unwrap();
        let outcome = Outcome::parse(d["outcome"].as_str().unwrap()).unwrap();
        let why = d["explanation"].as_str().unwrap();
        assert_ne!(outcome, Outcome::Pass, "{id}: a deviation is not a pass");
        assert!(why.len() > 40, "{id}: the deviation needs an explanation");
        let check = relay::check(id).unwrap_or_else(|| panic!("{id} is not a check"));
        if outcome == Outcome::Warn {
            assert_eq!(check.level, relay::Level::Should, "{id}: only SHOULDs warn");
        }
        let slot = out.get_mut(check.id).unwrap();
        assert_eq!(slot.0, Outcome::Pass, "{id} is listed twice");
        *slot = (outcome, why.to_owned());
    }
    out
}

fn compare(report: &Report, expected: &BTreeMap<&'static str, (Outcome, String)>) {
    let mismatches: Vec<String> = report
        .results
        .iter()
        .filter(|r| expected[r.id].0 != r.outcome)
        .map(|r| {
            format!(
                "{}: expected {}, got {} ({})",
                r.id,
                expected[r.id].0.as_str(),
                r.outcome.as_str(),
                r.message
            )
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{}\n{mismatches:#?}",
        report.to_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nostr_relay_builder_gives_its_recorded_results() {
    let expected = expected_outcomes();
    let relay = LocalRelay::new(RelayBuilder::default().addr(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    relay.run().await.unwrap();
    let url = relay.url().await.to_string();
    let url = url.trim_end_matches('/').to_owned();
    let report = relay::run(&url, &Options::default()).await;
    println!("{}", report.to_text());
    assert_eq!(report.results.len(), CHECKS.len());
    compare(&report, &expected);
    // The suite uses fresh keys and d-tags: a second run against the same
    // relay, which now holds the first run's events, gives the same results.
    let again = relay::run(&url, &Options::default()).await;
    compare(&again, &expected);
    assert!(
        report.elapsed < Duration::from_secs(30),
        "the suite took {:?}",
        report.elapsed
    );
    relay.shutdown();
}

#[tokio::test]
async fn nothing_listening_fails_every_check() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let options = Options {
        timeout: Duration::from_secs(1),
        ..Options::default()
    };
    let report = relay::run(&format!("ws://127.0.0.1:{port}"), &options).await;
    assert_eq!(report.results.len(), CHECKS.len());
    for r in &report.results {
        assert_eq!(r.outcome, Outcome::Fail, "{}: {}", r.id, r.message);
        assert!(
            r.message.contains("cannot connect"),
            "{}: {}",
            r.id,
            r.message
        );
    }
    assert!(report.failed());
}

#[tokio::test]
async fn a_silent_server_fails_every_check_within_the_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts connections, reads nothing, answers nothing.
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let options = Options {
        timeout: Duration::from_secs(1),
        ..Options::default()
    };
    let report = relay::run(&format!("ws://127.0.0.1:{port}"), &options).await;
    server.abort();
    for r in &report.results {
        assert_eq!(r.outcome, Outcome::Fail, "{}: {}", r.id, r.message);
    }
    assert!(
        report.elapsed < Duration::from_secs(5),
        "took {:?}",
        report.elapsed
    );
}
