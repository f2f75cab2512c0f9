//! Self-test of the relay suite against the scripted mock relay: the
//! well-behaved relay passes every check, and each relay that breaks one
//! rule (a `Breakage` of `openslots-mock-relay`) fails, or for a SHOULD
//! warns, exactly the checks of that rule, and passes all others.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first surprise

use std::collections::BTreeMap;
use std::time::Duration;

use openslots_harness::relay::{self, CHECKS, Options, Outcome, Report};
use openslots_mock_relay::{Breakage, Clock, MockRelay, Script};

/// The checks each breakage must trip, with their outcome; every other check
/// must pass. Written from the rules (spec §18.1), not from runs.
fn tripped(b: &Breakage) -> Vec<(&'static str, Outcome)> {
    use Outcome::{Fail, Skip, Warn};
    match b {
        // Every version kept and served: the newer one no longer stands
        // alone, an older one is served, and a tie keeps both.
        Breakage::NoAddressableReplacement => vec![
            ("replace-newer", Fail),
            ("replace-older-later-not-served", Fail),
            ("replace-tie-lowest-id", Warn),
        ],
        Breakage::OlderReplacesNewer => vec![
            ("replace-older-later-kept-out", Fail),
            ("replace-older-later-not-served", Fail),
        ],
        Breakage::TieKeepsLastArrival => vec![("replace-tie-lowest-id", Warn)],
        // The mock announces NIP-40, so the announcement is now wrong too.
        Breakage::IgnoresExpiry => vec![
            ("expiry-already-expired", Warn),
            ("expiry-during-run", Warn),
            ("nip11-nip40", Warn),
        ],
        Breakage::ServesExpiredStored => vec![("expiry-during-run", Warn), ("nip11-nip40", Warn)],
        Breakage::AcceptsForgedSignatures => vec![("reject-bad-sig", Fail)],
        Breakage::AcceptsWrongIds => vec![("reject-bad-id", Fail)],
        Breakage::IgnoresTagFilter { tag: 'a' } => vec![("filter-a", Fail)],
        Breakage::IgnoresTagFilter { tag: 'd' } => vec![("filter-d", Fail)],
        Breakage::IgnoresTagFilter { tag: 'e' } => vec![("filter-e", Fail)],
        Breakage::IgnoresTagFilter { tag: 't' } => vec![("filter-t", Fail)],
        Breakage::IgnoresLimit => vec![("filter-limit", Warn)],
        Breakage::IgnoresSinceUntil => vec![("filter-since", Fail), ("filter-until", Fail)],
        Breakage::OkWithoutPrefix => vec![("ok-message", Fail)],
        Breakage::AcceptsAnyFutureCreatedAt => vec![("created-at-far-future", Warn)],
        Breakage::Nip11LimitNotEnforced | Breakage::Nip11LimitLargerThanEnforced => {
            vec![("nip11-limits", Warn)]
        }
        Breakage::NoNip11 => vec![
            ("nip11-document", Warn),
            ("nip11-nip40", Skip),
            ("nip11-limits", Skip),
        ],
        other => panic!("no expectation written for {other:?}"),
    }
}

/// Runs the suite against a mock relay whose clock follows the wall clock
/// (the suite dates its events by the wall clock; the mock never reads it).
async fn run_against(script: Script, options: &Options) -> Report {
    let clock = Clock::new(openslots_oracle::expiry::unix_now());
    let relay = MockRelay::start(script, clock.clone()).await.unwrap();
    let ticker = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            clock.set(openslots_oracle::expiry::unix_now());
        }
    });
    let report = relay::run(relay.url(), options).await;
    ticker.abort();
    relay.stop().await;
    report
}

fn mismatches(report: &Report, expected: &BTreeMap<&str, Outcome>) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| expected.get(r.id).copied().unwrap_or(Outcome::Pass) != r.outcome)
        .map(|r| {
            format!(
                "{}: expected {}, got {} ({})",
                r.id,
                expected
                    .get(r.id)
                    .copied()
                    .unwrap_or(Outcome::Pass)
                    .as_str(),
                r.outcome.as_str(),
                r.message
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn well_behaved_mock_relay_passes_every_check() {
    let report = run_against(Script::well_behaved("well-behaved"), &Options::default()).await;
    let bad = mismatches(&report, &BTreeMap::new());
    assert!(bad.is_empty(), "{}\n{bad:#?}", report.to_text());
    assert_eq!(report.counts().pass, CHECKS.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_rule_trips_exactly_its_checks() {
    let breakages: Vec<Breakage> = Breakage::all()
        .into_iter()
        .filter(|b| *b != Breakage::NeverSendsEose)
        .collect();
    let runs = breakages.iter().map(|b| {
        let script = Script::well_behaved(b.code()).with_breakage(b.clone());
        async move { (b.clone(), run_against(script, &Options::default()).await) }
    });
    let mut failures = Vec::new();
    for (b, report) in futures_util::future::join_all(runs).await {
        let expected: BTreeMap<&str, Outcome> = tripped(&b).into_iter().collect();
        for id in expected.keys() {
            assert!(relay::check(id).is_some(), "{id} is not a check");
        }
        let bad = mismatches(&report, &expected);
        if !bad.is_empty() {
            failures.push(format!("{b:?}:\n{}", bad.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A relay that never sends EOSE: `eose` fails, and so does every check
/// that needs a REQ answered; only the checks that read no stored events
/// (the `OK` and `CLOSED` messages, the NIP-11 document) can pass. None
/// hangs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_without_eose_fails_eose_and_hangs_nothing() {
    let options = Options {
        timeout: Duration::from_secs(1),
        ..Options::default()
    };
    let script = Script::well_behaved("no-eose").with_breakage(Breakage::NeverSendsEose);
    let report = run_against(script, &options).await;
    assert_eq!(report.get("eose").unwrap().outcome, Outcome::Fail);
    assert!(report.get("eose").unwrap().message.contains("EOSE"));
    let need_no_req = ["ok-message", "closed-prefix", "nip11-document"];
    for r in &report.results {
        if !need_no_req.contains(&r.id) {
            assert_ne!(r.outcome, Outcome::Pass, "{} passed: {}", r.id, r.message);
        }
    }
    assert!(
        report.elapsed < Duration::from_secs(30),
        "{:?}",
        report.elapsed
    );
}
