//! Addressable replacement (OS-RELAY-6 to OS-RELAY-8): per (kind, author,
//! d-tag) only the version with the greatest created_at is served, whatever
//! the order of arrival; equal created_at keeps the lowest id; other
//! authors' events with the same d-tag are kept apart.

use nostr::event::Event;
use openslots_oracle::Profile;
use openslots_oracle::event::KIND;
use serde_json::json;

use super::client::{Conn, Query, QueryEnd};
use super::fixtures::{self, Room};
use super::publish::connect;
use super::{Finding, Findings, Options};

/// Publishes `events` in order; `Err` says which one was not accepted when
/// `all_accepted` is required.
async fn publish_all(conn: &mut Conn, events: &[(&str, &Event)]) -> Result<Vec<String>, Finding> {
    let mut said = Vec::new();
    for (label, e) in events {
        let p = conn.publish(e).await?;
        said.push(format!("{label}: {}", p.describe()));
    }
    Ok(said)
}

async fn address(conn: &mut Conn, author: &str, d: &str) -> Result<Query, Finding> {
    let q = conn
        .query(&json!({"kinds":[KIND],"authors":[author],"#d":[d]}))
        .await?;
    match &q.end {
        QueryEnd::Eose => Ok(q),
        other => Err(Finding::Broken(format!(
            "a REQ on the address did not end with EOSE: {other:?}"
        ))),
    }
}

fn served(q: &Query, versions: &[(&str, &Event)]) -> String {
    let names: Vec<&str> = versions
        .iter()
        .filter(|(_, e)| q.has(&e.id.to_hex()))
        .map(|(l, _)| *l)
        .collect();
    if names.is_empty() {
        "served nothing".to_owned()
    } else {
        format!("served {}", names.join(" and "))
    }
}

fn two_versions(
    room: &Room,
    t_old: u64,
    t_new: u64,
) -> Result<(Event, Event), fixtures::FixtureError> {
    Ok((
        room.room_event(&room.typical_payload(), t_old)?,
        room.room_event(&room.typical_payload(), t_new)?,
    ))
}

async fn newer(conn: &mut Conn, now: u64) -> Finding {
    let (room, (old, new)) = match Room::new(Profile::V1).and_then(|r| {
        let v = two_versions(&r, now - 20, now - 10)?;
        Ok((r, v))
    }) {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    let order = [("older", &old), ("newer", &new)];
    let said = match publish_all(conn, &order).await {
        Ok(s) => s,
        Err(f) => return f,
    };
    let q = match address(conn, &room.host.public_key().to_hex(), room.d()).await {
        Ok(q) => q,
        Err(f) => return f,
    };
    let what = format!(
        "published older then newer ({}); {}",
        said.join(", "),
        served(&q, &order)
    );
    if q.has(&new.id.to_hex()) && !q.has(&old.id.to_hex()) && q.events.len() == 1 {
        Finding::Met(what)
    } else {
        Finding::NotMet(what)
    }
}

async fn older_later(conn: &mut Conn, now: u64) -> (Finding, Finding) {
    let (room, (old, new)) = match Room::new(Profile::V1).and_then(|r| {
        let v = two_versions(&r, now - 20, now - 10)?;
        Ok((r, v))
    }) {
        Ok(x) => x,
        Err(e) => return (e.clone().into(), e.into()),
    };
    let order = [("newer", &new), ("older", &old)];
    let said = match publish_all(conn, &order).await {
        Ok(s) => s,
        Err(f) => return (f.clone(), f),
    };
    let q = match address(conn, &room.host.public_key().to_hex(), room.d()).await {
        Ok(q) => q,
        Err(f) => return (f.clone(), f),
    };
    let what = format!(
        "published newer then older ({}); {}",
        said.join(", "),
        served(&q, &order)
    );
    let kept = if q.has(&new.id.to_hex()) {
        Finding::Met(what.clone())
    } else {
        Finding::NotMet(what.clone())
    };
    let hidden = if q.has(&old.id.to_hex()) {
        Finding::NotMet(what)
    } else {
        Finding::Met(what)
    };
    (kept, hidden)
}

async fn tie(conn: &mut Conn, now: u64) -> Finding {
    let mut parts = Vec::new();
    let mut ok = true;
    for lowest_first in [false, true] {
        let (room, (a, b)) = match Room::new(Profile::V1).and_then(|r| {
            let v = two_versions(&r, now - 10, now - 10)?;
            Ok((r, v))
        }) {
            Ok(x) => x,
            Err(e) => return e.into(),
        };
        let (lo, hi) = if a.id.to_hex() < b.id.to_hex() {
            (a, b)
        } else {
            (b, a)
        };
        let order = if lowest_first {
            [("lower id", &lo), ("higher id", &hi)]
        } else {
            [("higher id", &hi), ("lower id", &lo)]
        };
        if let Err(f) = publish_all(conn, &order).await {
            return f;
        }
        let q = match address(conn, &room.host.public_key().to_hex(), room.d()).await {
            Ok(q) => q,
            Err(f) => return f,
        };
        ok &= q.has(&lo.id.to_hex()) && !q.has(&hi.id.to_hex());
        parts.push(format!("{} first: {}", order[0].0, served(&q, &order)));
    }
    let what = format!("two versions with equal created_at; {}", parts.join("; "));
    if ok {
        Finding::Met(what)
    } else {
        Finding::NotMet(what)
    }
}

async fn other_authors(conn: &mut Conn, now: u64) -> Finding {
    let built = (|| -> Result<_, fixtures::FixtureError> {
        let room = Room::new(Profile::V1)?;
        let other = fixtures::random_keys()?;
        let mine = room.room_event(&room.typical_payload(), now - 10)?;
        // The other author's event is newer: it must not displace the first.
        let theirs = room.room_event_by(&other, &room.typical_payload(), now - 5)?;
        Ok((room, mine, theirs))
    })();
    let (room, mine, theirs) = match built {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    let order = [("first author's", &mine), ("second author's", &theirs)];
    let said = match publish_all(conn, &order).await {
        Ok(s) => s,
        Err(f) => return f,
    };
    let q = match conn.query(&json!({"kinds":[KIND],"#d":[room.d()]})).await {
        Ok(q) if q.end == QueryEnd::Eose => q,
        Ok(q) => return Finding::Broken(format!("a REQ on #d did not end with EOSE: {:?}", q.end)),
        Err(e) => return e.into(),
    };
    let what = format!(
        "two authors, one d-tag ({}); #d {}",
        said.join(", "),
        served(&q, &order)
    );
    if q.has(&mine.id.to_hex()) && q.has(&theirs.id.to_hex()) {
        Finding::Met(what)
    } else {
        Finding::NotMet(what)
    }
}

/// Runs the replacement checks.
pub async fn run(url: &str, options: &Options) -> Findings {
    let ids = [
        "replace-newer",
        "replace-older-later-kept-out",
        "replace-older-later-not-served",
        "replace-tie-lowest-id",
        "replace-other-authors-apart",
    ];
    let mut conn = match connect(url, options).await {
        Ok(c) => c,
        Err(f) => return ids.iter().map(|id| (*id, f.clone())).collect(),
    };
    let now = fixtures::now();
    let n = newer(&mut conn, now).await;
    let (kept, hidden) = older_later(&mut conn, now).await;
    let t = tie(&mut conn, now).await;
    let o = other_authors(&mut conn, now).await;
    vec![
        (ids[0], n),
        (ids[1], kept),
        (ids[2], hidden),
        (ids[3], t),
        (ids[4], o),
    ]
}
