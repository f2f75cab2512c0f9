//! Validation (OS-RELAY-11 to OS-RELAY-14): forged signatures and wrong ids
//! are refused with `OK false` and never served; `OK` and `CLOSED` carry
//! NIP-01's machine-readable prefixes; a `created_at` slightly ahead of the
//! relay's clock is accepted and one far ahead refused, since last-write-wins
//! (OS-LWW-1) lets a version dated in the future beat every honest update.

use nostr::event::Event;
use openslots_oracle::Profile;
use openslots_oracle::event::KIND;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::client::{ClientError, Conn, Published, RelayMsg};
use super::fixtures::{self, Room};
use super::publish::{accepted_and_served, connect, fetch_ids};
use super::{Finding, Findings, Options, STANDARD_PREFIXES, has_prefix};

/// The probes of `created-at-far-future`: seconds ahead of now, and a label.
pub const FUTURE_PROBES: &[(u64, &str)] =
    &[(3_600, "+1 h"), (86_400, "+1 d"), (31_536_000, "+1 y")];

/// The offset `created-at-near-future` publishes at.
pub const NEAR_FUTURE: u64 = 30;

/// A v1 room event, its address's d-tag, and a second event by the same key
/// (whose signature serves as a forgery).
fn pair() -> Result<(Event, Event, String), fixtures::FixtureError> {
    let room = Room::new(Profile::V1)?;
    let now = fixtures::now();
    let a = room.room_event(&room.typical_payload(), now)?;
    let b = room.room_event(&room.typical_payload(), now)?;
    Ok((a, b, room.d().to_owned()))
}

/// Publishes a forged event, then judges: refused with `OK false`, and
/// served neither under its id nor under its address.
async fn forged(conn: &mut Conn, genuine: &Event, forged: Value, d: &str) -> (Finding, Published) {
    let id = genuine.id.to_hex();
    let p = match conn.publish_json(&id, json!(["EVENT", forged])).await {
        Ok(p) => p,
        Err(e) => {
            return (
                e.into(),
                Published::NoOk {
                    instead: vec![],
                    disconnected: true,
                },
            );
        }
    };
    if let Published::NoOk {
        disconnected: true, ..
    } = p
    {
        return (
            Finding::NotMet(format!("{}: refused without OK false", p.describe())),
            p,
        );
    }
    let by_id = match fetch_ids(conn, &[&id]).await {
        Ok(s) => s,
        Err(f) => return (f, p),
    };
    let by_address = match conn
        .query(&json!({"kinds":[KIND],"authors":[genuine.pubkey.to_hex()],"#d":[d]}))
        .await
    {
        Ok(q) => q.events,
        Err(e) => return (e.into(), p),
    };
    let served = !by_id.is_empty() || !by_address.is_empty();
    let what = format!(
        "{}; {}",
        p.describe(),
        if served {
            "served by a later REQ"
        } else {
            "not served"
        }
    );
    let f = match (&p, served) {
        (Published::Rejected(_), false) => Finding::Met(what),
        _ => Finding::NotMet(what),
    };
    (f, p)
}

async fn forgeries(url: &str, options: &Options) -> (Finding, Finding, Finding) {
    let ((a, b, d), (c, _, d2)) = match (pair(), pair()) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return (e.clone().into(), e.clone().into(), e.into()),
    };
    // Each step on its own connection: a relay may drop the connection
    // on a forgery.
    let (mut c1, mut c2, mut conn) = match tokio::join!(
        connect(url, options),
        connect(url, options),
        connect(url, options)
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(f), _, _) | (_, Err(f), _) | (_, _, Err(f)) => return (f.clone(), f.clone(), f),
    };
    // A signature that verifies, but for another event.
    let mut bad_sig = json!(a);
    bad_sig["sig"] = json!(b.sig.to_string());
    let (sig_f, sig_p) = forged(&mut c1, &a, bad_sig, &d).await;
    // Content changed after signing: the id no longer matches.
    let mut bad_id = json!(c);
    bad_id["content"] = json!(format!("{}x", c.content));
    let (id_f, id_p) = forged(&mut c2, &c, bad_id, &d2).await;
    // OK messages: an accepted event gets OK true naming its id; the
    // refusals above must carry a machine-readable prefix.
    let genuine = match Room::new(Profile::V1)
        .and_then(|r| r.room_event(&r.typical_payload(), fixtures::now()))
    {
        Ok(e) => e,
        Err(e) => return (sig_f, id_f, e.into()),
    };
    let ok = match conn.publish(&genuine).await {
        Ok(p) => p,
        Err(e) => return (sig_f, id_f, e.into()),
    };
    let mut problems = Vec::new();
    let mut seen = vec![format!("valid event: {}", ok.describe())];
    if !ok.accepted() {
        problems.push("a valid event got no OK true naming its id".to_owned());
    }
    for (what, p) in [("forged signature", &sig_p), ("wrong id", &id_p)] {
        seen.push(format!("{what}: {}", p.describe()));
        match p {
            Published::Rejected(m) if has_prefix(m) => {}
            Published::Rejected(m) => {
                problems.push(format!("the reason for the {what} has no prefix: {m:?}"));
            }
            Published::Accepted(_) => {}
            Published::NoOk { .. } => problems.push(format!("no OK naming the id for the {what}")),
        }
    }
    let nonstandard: Vec<String> = [&sig_p, &id_p]
        .iter()
        .filter_map(|p| match p {
            Published::Rejected(m) => m.split_once(':').map(|(w, _)| w.to_owned()),
            _ => None,
        })
        .filter(|w| !STANDARD_PREFIXES.contains(&w.as_str()))
        .collect();
    let mut what = seen.join("; ");
    if !nonstandard.is_empty() {
        what.push_str(&format!(
            " (prefixes NIP-01 does not list: {})",
            nonstandard.join(", ")
        ));
    }
    let ok_f = if problems.is_empty() {
        Finding::Met(what)
    } else {
        Finding::NotMet(format!("{}: {what}", problems.join("; ")))
    };
    (sig_f, id_f, ok_f)
}

/// Provokes a `CLOSED` with a subscription id longer than NIP-01's 64
/// characters and checks its reason's prefix. The request is outside
/// NIP-01, so a relay that answers it with a `NOTICE` instead is not judged
/// (a `CLOSED` without a prefix, or no answer at all, is a breach).
async fn closed_prefix(url: &str, options: &Options) -> Finding {
    let mut conn = match connect(url, options).await {
        Ok(c) => c,
        Err(f) => return f,
    };
    let sub = "s".repeat(300);
    let filter = json!({"kinds":[KIND],"limit":1});
    if let Err(e) = conn.subscribe(&sub, &filter).await {
        return e.into();
    }
    let deadline = Instant::now() + conn.timeout();
    let mut notices = Vec::new();
    loop {
        match conn.next(deadline).await {
            Ok(RelayMsg::Closed { sub: s, message }) if s == sub => {
                let what =
                    format!("a REQ with a 300-character subscription id: CLOSED {message:?}");
                return if has_prefix(&message) {
                    Finding::Met(what)
                } else {
                    Finding::NotMet(format!("{what}, without a machine-readable prefix"))
                };
            }
            Ok(RelayMsg::Eose(s)) if s == sub => {
                return Finding::NotJudged(
                    "the relay served a REQ with a 300-character subscription id, so no CLOSED could be provoked".to_owned(),
                );
            }
            Ok(RelayMsg::Notice(n)) => notices.push(n),
            Ok(_) => {}
            Err(ClientError::Timeout(_)) if notices.is_empty() => {
                return Finding::NotMet(
                    "a REQ with a 300-character subscription id got neither EOSE nor CLOSED"
                        .to_owned(),
                );
            }
            // NIP-01 limits a subscription id to 64 characters, so this REQ
            // is outside NIP-01 and a NOTICE is not a breach of OS-RELAY-12:
            // the prefix could not be judged.
            Err(ClientError::Timeout(_)) => {
                return Finding::NotJudged(format!(
                    "a REQ with a 300-character subscription id (beyond NIP-01's 64) was refused with NOTICE {notices:?}, not CLOSED; NIP-01 does not oblige a CLOSED for it, so the prefix was not judged"
                ));
            }
            Err(e) => {
                return Finding::NotMet(format!(
                    "a REQ with a 300-character subscription id: {e}, instead of CLOSED"
                ));
            }
        }
    }
}

fn future_event(ahead: u64) -> Result<Event, fixtures::FixtureError> {
    let room = Room::new(Profile::V1)?;
    room.room_event(&room.typical_payload(), fixtures::now() + ahead)
}

async fn future(url: &str, options: &Options) -> (Finding, Finding) {
    let mut conn = match connect(url, options).await {
        Ok(c) => c,
        Err(f) => return (f.clone(), f),
    };
    let near = match future_event(NEAR_FUTURE) {
        Ok(e) => accepted_and_served(&mut conn, &e).await,
        Err(e) => e.into(),
    };
    let near = match near {
        Finding::Met(m) => Finding::Met(format!("created_at now+{NEAR_FUTURE} s: {m}")),
        Finding::NotMet(m) => Finding::NotMet(format!("created_at now+{NEAR_FUTURE} s: {m}")),
        other => other,
    };
    let mut parts = Vec::new();
    let mut first_refused = None;
    for (ahead, label) in FUTURE_PROBES {
        let e = match future_event(*ahead) {
            Ok(e) => e,
            Err(e) => return (near, e.into()),
        };
        let p = match conn.publish(&e).await {
            Ok(p) => p,
            Err(e) => return (near, e.into()),
        };
        let served = match fetch_ids(&mut conn, &[&e.id.to_hex()]).await {
            Ok(s) => !s.is_empty(),
            Err(f) => return (near, f),
        };
        if !served && first_refused.is_none() {
            first_refused = Some(*label);
        }
        parts.push(format!(
            "{label}: {}{}",
            p.describe(),
            if served { ", served" } else { ", not served" }
        ));
    }
    let what = parts.join("; ");
    let far = if first_refused == Some(FUTURE_PROBES[0].1) {
        Finding::Met(what)
    } else {
        Finding::NotMet(what)
    };
    (near, far)
}

/// Runs the validation checks.
pub async fn run(url: &str, options: &Options) -> Findings {
    let ((sig, id, ok), closed, (near, far)) = tokio::join!(
        forgeries(url, options),
        closed_prefix(url, options),
        future(url, options)
    );
    vec![
        ("reject-bad-sig", sig),
        ("reject-bad-id", id),
        ("ok-message", ok),
        ("closed-prefix", closed),
        ("created-at-near-future", near),
        ("created-at-far-future", far),
    ]
}
