//! The relay conformance suite (spec §18, requirements `OS-RELAY-*`).
//!
//! `openslots-harness relay ws://HOST:PORT` connects to a relay as a client
//! and runs every check of [`CHECKS`]. Each check names the requirement it
//! enforces and its level; a check of a `MUST` passes or fails, a check of a
//! `SHOULD` passes or warns. A relay is judged by what a later `REQ`
//! returns, not only by its `OK` messages. Every check uses fresh random
//! keys and d-tags, and every wait is bounded, so a dead relay gives clear
//! failures and never a hang.
//!
//! One module per group of checks: [`publish`] (acceptance and sizes),
//! [`filters`] (filters, `EOSE`, `CLOSE`), [`replacement`] (addressable
//! events), [`expiry`] (NIP-40), [`validation`] (forgeries, `OK` and
//! `CLOSED` messages, `created_at` in the future) and [`limits`] (NIP-11).

use std::fmt;
use std::time::Duration;

use serde_json::json;

pub mod client;
pub mod expiry;
pub mod filters;
pub mod fixtures;
pub mod limits;
pub mod publish;
pub mod replacement;
pub mod validation;

/// A requirement's level (spec §1.3): what a failed check means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `MUST`: a check that is not met fails.
    Must,
    /// `SHOULD`: a check that is not met warns.
    Should,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Must => "MUST",
            Self::Should => "SHOULD",
        })
    }
}

/// A check's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// The relay did what the requirement asks.
    Pass,
    /// The relay broke a `MUST`, or did not answer.
    Fail,
    /// The relay did not do what a `SHOULD` asks.
    Warn,
    /// The check could not be judged (what it needs did not happen).
    Skip,
}

impl Outcome {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::Skip => "skip",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pass, Self::Fail, Self::Warn, Self::Skip]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// What a check found, before its level turns it into an [`Outcome`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The requirement is met; what the relay did.
    Met(String),
    /// The requirement is not met; what the relay did.
    NotMet(String),
    /// The check could not be judged; why.
    NotJudged(String),
    /// The relay did not answer (connection refused, timeout): a failure
    /// whatever the level.
    Broken(String),
}

impl Finding {
    fn outcome(&self, level: Level) -> Outcome {
        match (self, level) {
            (Self::Met(_), _) => Outcome::Pass,
            (Self::NotMet(_), Level::Should) => Outcome::Warn,
            (Self::NotMet(_), Level::Must) | (Self::Broken(_), _) => Outcome::Fail,
            (Self::NotJudged(_), _) => Outcome::Skip,
        }
    }

    fn message(self) -> String {
        match self {
            Self::Met(m) | Self::NotMet(m) | Self::NotJudged(m) | Self::Broken(m) => m,
        }
    }
}

impl From<client::ClientError> for Finding {
    fn from(e: client::ClientError) -> Self {
        Self::Broken(e.to_string())
    }
}

impl From<fixtures::FixtureError> for Finding {
    fn from(e: fixtures::FixtureError) -> Self {
        Self::NotJudged(e.to_string())
    }
}

/// One check of the suite, as listed in [`CHECKS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable id, e.g. `filter-a`.
    pub id: &'static str,
    /// The requirement it enforces, e.g. `OS-RELAY-3`.
    pub requirement: &'static str,
    /// The requirement's level.
    pub level: Level,
    /// What a conforming relay does.
    pub expected: &'static str,
}

const fn must(id: &'static str, requirement: &'static str, expected: &'static str) -> Check {
    Check {
        id,
        requirement,
        level: Level::Must,
        expected,
    }
}

const fn should(id: &'static str, requirement: &'static str, expected: &'static str) -> Check {
    Check {
        id,
        requirement,
        level: Level::Should,
        expected,
    }
}

/// Every check, in report order.
pub const CHECKS: &[Check] = &[
    must(
        "accept-v1-room",
        "OS-RELAY-1",
        "OK true for a v1 room event, then served by a REQ on its id",
    ),
    must(
        "accept-v1-response",
        "OS-RELAY-1",
        "OK true for a v1 response event, then served",
    ),
    must(
        "accept-v2-room",
        "OS-RELAY-1",
        "OK true for a v2 room event, then served",
    ),
    must(
        "accept-v2-response",
        "OS-RELAY-1",
        "OK true for a v2 response event, then served",
    ),
    must(
        "accept-v1-largest-room",
        "OS-RELAY-2",
        "the largest v1 room event (content 87,472 characters) accepted and served intact",
    ),
    must(
        "accept-v1-largest-response",
        "OS-RELAY-2",
        "the largest v1 response event accepted and served intact",
    ),
    must(
        "accept-v2-largest-room",
        "OS-RELAY-2",
        "the largest v2 room event accepted and served intact",
    ),
    must(
        "accept-v2-largest-response",
        "OS-RELAY-2",
        "the largest v2 response event accepted and served intact",
    ),
    must(
        "filter-d",
        "OS-RELAY-3",
        "#d returns exactly the events with that d-tag",
    ),
    must(
        "filter-e",
        "OS-RELAY-3",
        "#e returns exactly the v1 responses naming the room event",
    ),
    must(
        "filter-a",
        "OS-RELAY-3",
        "#a returns exactly the v2 responses naming the room address (OS-RES-6)",
    ),
    must(
        "filter-t",
        "OS-RELAY-3",
        "#t with authors returns the author's events tagged openslots, not the untagged one",
    ),
    must(
        "filter-authors",
        "OS-RELAY-3",
        "authors returns exactly the events of the listed authors",
    ),
    must(
        "filter-since",
        "OS-RELAY-3",
        "since returns the events with created_at >= since, the boundary included",
    ),
    must(
        "filter-until",
        "OS-RELAY-3",
        "until returns the events with created_at <= until, the boundary included",
    ),
    should(
        "filter-limit",
        "OS-RELAY-4",
        "limit 2 returns the 2 matching events with the greatest created_at",
    ),
    must(
        "eose",
        "OS-RELAY-5",
        "EOSE ends the stored events of every REQ, with matches or none",
    ),
    must(
        "close",
        "OS-RELAY-5",
        "after CLOSE no event is delivered for that subscription",
    ),
    must(
        "replace-newer",
        "OS-RELAY-6",
        "a newer version of an address replaces the older: only the newer is served",
    ),
    must(
        "replace-older-later-kept-out",
        "OS-RELAY-6",
        "an older version published after a newer one does not replace it",
    ),
    must(
        "replace-older-later-not-served",
        "OS-RELAY-6",
        "an older version published after a newer one is not served",
    ),
    should(
        "replace-tie-lowest-id",
        "OS-RELAY-7",
        "of two versions with equal created_at the lowest id is kept, whatever the order of arrival",
    ),
    must(
        "replace-other-authors-apart",
        "OS-RELAY-8",
        "events of two authors with the same d-tag are both kept and served",
    ),
    should(
        "expiry-already-expired",
        "OS-RELAY-9",
        "an event whose expiration has passed is refused, or at least never served",
    ),
    should(
        "expiry-during-run",
        "OS-RELAY-10",
        "an event stops being served once its expiration passes",
    ),
    must(
        "reject-bad-sig",
        "OS-RELAY-11",
        "an event whose signature does not verify gets OK false and is never served",
    ),
    must(
        "reject-bad-id",
        "OS-RELAY-11",
        "an event whose id is not its hash gets OK false and is never served",
    ),
    must(
        "ok-message",
        "OS-RELAY-12",
        "OK names the event's id; OK false carries a `prefix: message` reason",
    ),
    must(
        "closed-prefix",
        "OS-RELAY-12",
        "a refused REQ gets CLOSED with a `prefix: message` reason",
    ),
    must(
        "created-at-near-future",
        "OS-RELAY-13",
        "an event 30 s ahead of now is accepted and served",
    ),
    should(
        "created-at-far-future",
        "OS-RELAY-14",
        "an event more than 900 s ahead is refused (probed at +1 h)",
    ),
    should(
        "nip11-document",
        "OS-RELAY-15",
        "a NIP-11 document with supported_nips is served for Accept: application/nostr+json",
    ),
    should(
        "nip11-nip40",
        "OS-RELAY-15",
        "supported_nips lists 40 exactly when the relay honours NIP-40",
    ),
    should(
        "nip11-limits",
        "OS-RELAY-16",
        "announced limits are enforced and leave room for the largest OpenSlots event",
    ),
];

/// The catalog entry of a check id.
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// Options of a run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The bound of every single wait (connection, `OK`, `EOSE`).
    pub timeout: Duration,
    /// How long after its expiration an event may still be served before
    /// `expiry-during-run` gives up.
    pub expiry_grace: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            expiry_grace: Duration::from_secs(5),
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// The check's id.
    pub id: &'static str,
    /// The requirement it enforces.
    pub requirement: &'static str,
    /// The requirement's level.
    pub level: Level,
    /// Pass, fail, warn or skip.
    pub outcome: Outcome,
    /// What a conforming relay does.
    pub expected: &'static str,
    /// What the relay did.
    pub message: String,
}

/// The results of one run.
#[derive(Clone, Debug)]
pub struct Report {
    /// The relay's URL.
    pub relay: String,
    /// One result per check, in the order of [`CHECKS`].
    pub results: Vec<CheckResult>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

/// Counts of outcomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Warned.
    pub warn: usize,
    /// Skipped.
    pub skip: usize,
}

impl Report {
    /// Outcome counts.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.results {
            match r.outcome {
                Outcome::Pass => c.pass += 1,
                Outcome::Fail => c.fail += 1,
                Outcome::Warn => c.warn += 1,
                Outcome::Skip => c.skip += 1,
            }
        }
        c
    }

    /// The result of one check.
    pub fn get(&self, id: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.id == id)
    }

    /// Whether some check failed (the exit status is then 1).
    pub fn failed(&self) -> bool {
        self.results.iter().any(|r| r.outcome == Outcome::Fail)
    }

    /// The report as text, one line per check, then the counts.
    pub fn to_text(&self) -> String {
        let mut out = format!("relay suite against {}\n", self.relay);
        for r in &self.results {
            out.push_str(&format!(
                "{:<5} {:<31} {:<12} {:<6} {}\n",
                r.outcome.as_str().to_uppercase(),
                r.id,
                r.requirement,
                r.level,
                r.message
            ));
            if matches!(r.outcome, Outcome::Fail | Outcome::Warn) {
                out.push_str(&format!("      expected: {}\n", r.expected));
            }
        }
        let c = self.counts();
        out.push_str(&format!(
            "{} checks: {} pass, {} fail, {} warn, {} skip, in {:.1} s\n",
            self.results.len(),
            c.pass,
            c.fail,
            c.warn,
            c.skip,
            self.elapsed.as_secs_f64()
        ));
        out
    }

    /// The report in the harness's report model: one run `relay` whose
    /// subject is the relay's URL, one suite `relay`, one case per check
    /// (status `warn` for a SHOULD that does not hold).
    pub fn to_run(&self) -> crate::report::Run {
        use crate::report::{Case, Run, Status, Suite};
        let mut suite = Suite::new("relay");
        suite.duration_ms = u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX);
        for r in &self.results {
            let status = match r.outcome {
                Outcome::Pass => Status::Pass,
                Outcome::Fail => Status::Fail,
                Outcome::Warn => Status::Warn,
                Outcome::Skip => Status::Skip,
            };
            let mut case = Case::new(r.id, vec![r.requirement.to_owned()], status);
            case.expected = Some(json!(r.expected));
            case.got = Some(json!(r.message));
            case.message = format!("{} ({})", r.message, r.level);
            suite.cases.push(case);
        }
        let mut run = Run::new("relay");
        run.subject = Some(self.relay.clone());
        run.duration_ms = suite.duration_ms;
        run.suites.push(suite);
        run
    }

    /// The report as JSON: suite, relay, cases (id, requirements, level,
    /// status, expected, got), counts and run time.
    pub fn to_json(&self) -> serde_json::Value {
        let c = self.counts();
        json!({
            "suite": "relay",
            "relay": self.relay,
            "cases": self.results.iter().map(|r| json!({
                "id": r.id,
                "requirements": [r.requirement],
                "level": r.level.to_string(),
                "status": r.outcome.as_str(),
                "expected": r.expected,
                "got": r.message,
            })).collect::<Vec<_>>(),
            "counts": {"pass": c.pass, "fail": c.fail, "warn": c.warn, "skip": c.skip},
            "elapsed_ms": u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX),
        })
    }
}

/// What each group hands back: (check id, finding).
pub type Findings = Vec<(&'static str, Finding)>;

/// Runs every check against the relay at `url` (`ws://HOST:PORT`).
///
/// The groups run concurrently, each on its own connections, so the run
/// takes about as long as its slowest group (the expiry wait).
pub async fn run(url: &str, options: &Options) -> Report {
    let started = std::time::Instant::now();
    // A relay that cannot be reached fails every check with the reason,
    // once, instead of once per connection attempt.
    if let Err(e) = client::Conn::connect(url, options.timeout).await {
        let message = e.to_string();
        return Report {
            relay: url.to_owned(),
            results: CHECKS
                .iter()
                .map(|chk| CheckResult {
                    id: chk.id,
                    requirement: chk.requirement,
                    level: chk.level,
                    outcome: Outcome::Fail,
                    expected: chk.expected,
                    message: message.clone(),
                })
                .collect(),
            elapsed: started.elapsed(),
        };
    }
    let (a, b, c, d, e, f) = tokio::join!(
        publish::run(url, options),
        filters::run(url, options),
        replacement::run(url, options),
        expiry::run(url, options),
        validation::run(url, options),
        limits::run(url, options),
    );
    let (f, announces_nip40) = f;
    let mut findings: Findings = [a, b, c, d, e, f].into_iter().flatten().collect();
    let nip40 = limits::cross_check_nip40(&findings, announces_nip40);
    findings.push(("nip11-nip40", nip40));
    let results = CHECKS
        .iter()
        .map(|chk| {
            let finding = findings
                .iter()
                .position(|(id, _)| *id == chk.id)
                .map(|i| findings.swap_remove(i).1)
                .unwrap_or_else(|| Finding::NotJudged("the suite produced no result".to_owned()));
            CheckResult {
                id: chk.id,
                requirement: chk.requirement,
                level: chk.level,
                outcome: finding.outcome(chk.level),
                expected: chk.expected,
                message: finding.message(),
            }
        })
        .collect();
    Report {
        relay: url.to_owned(),
        results,
        elapsed: started.elapsed(),
    }
}

/// Runs the relay suite for the harness's `run` and `relay` subcommands:
/// against `url` if given, else against a well-behaved scripted mock relay
/// started on 127.0.0.1 (whose clock follows the wall clock, since the suite
/// dates its events by it). `timeout_secs` bounds every single wait.
pub fn part(url: Option<&str>, timeout_secs: f64) -> crate::report::Run {
    let mut failed = crate::report::Run::new("relay");
    if let Some(u) = url {
        failed.subject = Some(u.to_owned());
        if !u.starts_with("ws://") {
            failed.error = Some(format!("{u:?} is not a ws:// URL"));
            return failed;
        }
    }
    if !(timeout_secs.is_finite() && timeout_secs > 0.0) {
        failed.error = Some("the timeout must be a positive number of seconds".to_owned());
        return failed;
    }
    let options = Options {
        timeout: Duration::from_secs_f64(timeout_secs),
        ..Options::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            failed.error = Some(format!("cannot start the async runtime: {e}"));
            return failed;
        }
    };
    runtime.block_on(async {
        match url {
            Some(u) => run(u, &options).await.to_run(),
            None => match run_well_behaved_mock(&options).await {
                Ok(mut r) => {
                    r.subject = Some(format!(
                        "well-behaved openslots-mock-relay ({})",
                        r.subject.unwrap_or_default()
                    ));
                    r
                }
                Err(e) => {
                    failed.error = Some(e);
                    failed
                }
            },
        }
    })
}

/// Runs the suite against a well-behaved `openslots-mock-relay` on
/// 127.0.0.1, its clock set from the wall clock every 100 ms.
pub async fn run_well_behaved_mock(options: &Options) -> Result<crate::report::Run, String> {
    use openslots_mock_relay::{Clock, MockRelay, Script};
    let clock = Clock::new(openslots_oracle::expiry::unix_now());
    let relay = MockRelay::start(Script::well_behaved("well-behaved"), clock.clone())
        .await
        .map_err(|e| format!("cannot start the mock relay: {e}"))?;
    let ticker = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            clock.set(openslots_oracle::expiry::unix_now());
        }
    });
    let report = run(relay.url(), options).await;
    ticker.abort();
    relay.stop().await;
    Ok(report.to_run())
}

/// Whether `message` is a NIP-01 reason: a single-word machine-readable
/// prefix, a colon, then a human-readable message.
pub fn has_prefix(message: &str) -> bool {
    message.split_once(':').is_some_and(|(word, _)| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

/// The prefixes NIP-01 standardises.
pub const STANDARD_PREFIXES: &[&str] = &[
    "duplicate",
    "pow",
    "blocked",
    "rate-limited",
    "invalid",
    "restricted",
    "mute",
    "error",
    "auth-required",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_are_unique_and_name_relay_requirements() {
        let mut ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        assert!(
            CHECKS
                .iter()
                .all(|c| c.requirement.starts_with("OS-RELAY-"))
        );
    }

    #[test]
    fn levels_turn_findings_into_outcomes() {
        let not_met = Finding::NotMet("x".into());
        assert_eq!(not_met.outcome(Level::Must), Outcome::Fail);
        assert_eq!(not_met.outcome(Level::Should), Outcome::Warn);
        assert_eq!(
            Finding::Broken("x".into()).outcome(Level::Should),
            Outcome::Fail
        );
        assert_eq!(Finding::Met("x".into()).outcome(Level::Must), Outcome::Pass);
        assert_eq!(
            Finding::NotJudged("x".into()).outcome(Level::Must),
            Outcome::Skip
        );
    }

    #[test]
    fn prefixes() {
        assert!(has_prefix("invalid: bad signature"));
        assert!(has_prefix("rate-limited:slow down"));
        assert!(!has_prefix("bad signature"));
        assert!(!has_prefix(": nothing"));
        assert!(!has_prefix("Invalid signature: x"));
        assert!(!has_prefix("two words: x"));
    }
}
