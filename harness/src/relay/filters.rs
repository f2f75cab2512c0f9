//! Filters (OS-RELAY-3, OS-RELAY-4) and the end of stored events and of
//! subscriptions (OS-RELAY-5): `#d`, `#e`, `#a`, `#t`, `authors`, `since`,
//! `until` and `limit` each return exactly the events they match, among
//! events published for the purpose under fresh keys.

use std::collections::BTreeSet;

use nostr::event::Event;
use openslots_oracle::Profile;
use openslots_oracle::event::KIND;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::client::{ClientError, Conn, Query, QueryEnd, RelayMsg, event_id};
use super::fixtures::{self, Room};
use super::publish::connect;
use super::{Finding, Findings, Options};

/// The events the filter checks query.
struct Setup {
    v1_room: Event,
    decoy: Event,
    v1_response: Event,
    v2_room: Event,
    v2_response: Event,
    v2_address: String,
    /// Three events of one author at now-300, now-200, now-100.
    timed: [Event; 3],
    /// Events the relay did not accept, with what it said.
    refused: Vec<String>,
}

fn build() -> Result<Setup, fixtures::FixtureError> {
    let now = fixtures::now();
    let v1 = Room::new(Profile::V1)?;
    let v1_room = v1.room_event(&v1.typical_payload(), now - 100)?;
    let decoy = fixtures::sign(
        &v1.host,
        now - 100,
        vec![vec!["d".to_owned(), fixtures::random_d()?]],
        "not an OpenSlots event".to_owned(),
    )?;
    let b = fixtures::random_keys()?;
    let v1_response = v1.response_event(&b, &v1.typical_response(), &v1_room, now - 90)?;
    let v2 = Room::new(Profile::V2)?;
    let v2_room = v2.room_event(&v2.typical_payload(), now - 100)?;
    let c = fixtures::random_keys()?;
    let v2_response = v2.response_event(&c, &v2.typical_response(), &v2_room, now - 90)?;
    let v2_address = v2
        .ctx
        .address()
        .ok_or_else(|| fixtures::FixtureError("a v2 room has an address".to_owned()))?;
    let d = fixtures::random_keys()?;
    let mut timed = Vec::new();
    for age in [300, 200, 100] {
        let room = Room::new(Profile::V1)?;
        timed.push(room.room_event_by(&d, &room.typical_payload(), now - age)?);
    }
    let timed: [Event; 3] = timed
        .try_into()
        .map_err(|_| fixtures::FixtureError("three timed events".to_owned()))?;
    Ok(Setup {
        v1_room,
        decoy,
        v1_response,
        v2_room,
        v2_response,
        v2_address,
        timed,
        refused: Vec::new(),
    })
}

/// A filter check: its id, the filter, the labelled events it must return.
type Case<'a> = (&'static str, Value, Vec<(&'a str, &'a Event)>);

/// Judges a query that must return exactly `expected` (labelled ids).
fn exactly(q: &Query, expected: &[(&str, &Event)], what: &str) -> Finding {
    match &q.end {
        QueryEnd::Eose => {}
        QueryEnd::Closed(m) => {
            return Finding::NotMet(format!("{what}: refused with CLOSED {m:?}"));
        }
        QueryEnd::Timeout => return Finding::Broken(format!("{what}: no EOSE within the timeout")),
        QueryEnd::Disconnected => {
            return Finding::Broken(format!("{what}: the relay closed the connection"));
        }
    }
    let got: BTreeSet<String> = q.ids().into_iter().collect();
    let want: BTreeSet<String> = expected.iter().map(|(_, e)| e.id.to_hex()).collect();
    let missing: Vec<&str> = expected
        .iter()
        .filter(|(_, e)| !got.contains(&e.id.to_hex()))
        .map(|(l, _)| *l)
        .collect();
    let extra = got.difference(&want).count();
    if missing.is_empty() && extra == 0 && q.events.len() == want.len() {
        Finding::Met(format!(
            "{what}: returned exactly the {} expected event(s)",
            want.len()
        ))
    } else {
        let mut m = format!("{what}: returned {} event(s)", q.events.len());
        if !missing.is_empty() {
            m.push_str(&format!("; missing: {}", missing.join(", ")));
        }
        if extra > 0 {
            m.push_str(&format!("; {extra} that do not match"));
        }
        if q.events.len() > got.len() {
            m.push_str("; duplicates");
        }
        Finding::NotMet(m)
    }
}

async fn query(conn: &mut Conn, filter: Value) -> Result<Query, ClientError> {
    conn.query(&filter).await
}

/// Runs the filter, EOSE and CLOSE checks.
pub async fn run(url: &str, options: &Options) -> Findings {
    let (a, b) = tokio::join!(filter_checks(url, options), close_check(url, options));
    let mut out = a;
    out.push(("close", b));
    out
}

const FILTER_IDS: [&str; 9] = [
    "filter-d",
    "filter-e",
    "filter-a",
    "filter-t",
    "filter-authors",
    "filter-since",
    "filter-until",
    "filter-limit",
    "eose",
];

fn all(f: &Finding) -> Findings {
    FILTER_IDS.iter().map(|id| (*id, f.clone())).collect()
}

async fn filter_checks(url: &str, options: &Options) -> Findings {
    let mut s = match build() {
        Ok(s) => s,
        Err(e) => return all(&e.into()),
    };
    let mut conn = match connect(url, options).await {
        Ok(c) => c,
        Err(f) => return all(&f),
    };
    let every: Vec<(&str, Event)> = vec![
        ("v1 room", s.v1_room.clone()),
        ("untagged event", s.decoy.clone()),
        ("v1 response", s.v1_response.clone()),
        ("v2 room", s.v2_room.clone()),
        ("v2 response", s.v2_response.clone()),
        ("event at now-300", s.timed[0].clone()),
        ("event at now-200", s.timed[1].clone()),
        ("event at now-100", s.timed[2].clone()),
    ];
    for (label, e) in &every {
        match conn.publish(e).await {
            Ok(p) if p.accepted() => {}
            Ok(p) => s.refused.push(format!("{label}: {}", p.describe())),
            Err(e) => return all(&e.into()),
        }
    }
    if !s.refused.is_empty() {
        return all(&Finding::NotJudged(format!(
            "the relay refused events the filters need: {}",
            s.refused.join("; ")
        )));
    }
    let k = KIND;
    let mut out: Findings = Vec::new();
    let d = openslots_oracle::event::first_tag_value(
        &openslots_oracle::event::tags_of(&s.v1_room),
        "d",
    )
    .unwrap_or_default()
    .to_owned();
    let t = s
        .timed
        .iter()
        .map(|e| e.created_at.as_secs())
        .collect::<Vec<_>>();
    let author_d = s.timed[0].pubkey.to_hex();
    let cases: Vec<Case<'_>> = vec![
        (
            "filter-d",
            json!({"kinds":[k],"#d":[d]}),
            vec![("v1 room", &s.v1_room)],
        ),
        (
            "filter-e",
            json!({"kinds":[k],"#e":[s.v1_room.id.to_hex()]}),
            vec![("v1 response", &s.v1_response)],
        ),
        (
            "filter-a",
            json!({"kinds":[k],"#a":[s.v2_address]}),
            vec![("v2 response", &s.v2_response)],
        ),
        (
            "filter-t",
            json!({"kinds":[k],"authors":[s.v1_room.pubkey.to_hex()],"#t":["openslots"]}),
            vec![("v1 room", &s.v1_room)],
        ),
        (
            "filter-authors",
            json!({"kinds":[k],"authors":[s.v2_room.pubkey.to_hex(), s.v1_response.pubkey.to_hex()]}),
            vec![("v2 room", &s.v2_room), ("v1 response", &s.v1_response)],
        ),
        (
            "filter-since",
            json!({"kinds":[k],"authors":[author_d],"since":t[1]}),
            vec![
                ("event at since", &s.timed[1]),
                ("event after since", &s.timed[2]),
            ],
        ),
        (
            "filter-until",
            json!({"kinds":[k],"authors":[author_d],"until":t[1]}),
            vec![
                ("event before until", &s.timed[0]),
                ("event at until", &s.timed[1]),
            ],
        ),
        (
            "filter-limit",
            json!({"kinds":[k],"authors":[author_d],"limit":2}),
            vec![("newest", &s.timed[2]), ("second newest", &s.timed[1])],
        ),
    ];
    let mut eose_seen = Vec::new();
    for (id, filter, expected) in cases {
        let what = filter.to_string();
        match query(&mut conn, filter).await {
            Ok(q) => {
                eose_seen.push(q.end.clone());
                out.push((id, exactly(&q, &expected, &what)));
            }
            Err(e) => out.push((id, e.into())),
        }
    }
    // EOSE also ends a REQ that matches nothing.
    let nothing = match fixtures::random_d() {
        Ok(d) => json!({"kinds":[k],"#d":[d]}),
        Err(e) => return [out, vec![("eose", e.into())]].concat(),
    };
    let eose = match query(&mut conn, nothing).await {
        Ok(q) => {
            eose_seen.push(q.end.clone());
            let bad: Vec<String> = eose_seen
                .iter()
                .filter(|e| **e != QueryEnd::Eose)
                .map(|e| format!("{e:?}"))
                .collect();
            if bad.is_empty() {
                Finding::Met(format!(
                    "EOSE ended all {} REQs, including one that matches nothing",
                    eose_seen.len()
                ))
            } else {
                Finding::NotMet(format!(
                    "{} of {} REQs did not end with EOSE: {}",
                    bad.len(),
                    eose_seen.len(),
                    bad.join(", ")
                ))
            }
        }
        Err(e) => e.into(),
    };
    out.push(("eose", eose));
    out
}

/// `CLOSE`: a closed subscription gets no live event, while a control
/// subscription with the same filter on the same connection does.
async fn close_check(url: &str, options: &Options) -> Finding {
    let author = match fixtures::random_keys() {
        Ok(k) => k,
        Err(e) => return e.into(),
    };
    let room = match Room::new(Profile::V1) {
        Ok(r) => r,
        Err(e) => return e.into(),
    };
    let event = match room.room_event_by(&author, &room.typical_payload(), fixtures::now()) {
        Ok(e) => e,
        Err(e) => return e.into(),
    };
    let (mut listen, mut write) = match tokio::join!(connect(url, options), connect(url, options)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(f), _) | (_, Err(f)) => return f,
    };
    let filter = json!({"kinds":[KIND],"authors":[author.public_key().to_hex()]});
    let closed = listen.new_sub();
    let control = listen.new_sub();
    for sub in [&closed, &control] {
        if let Err(e) = listen.subscribe(sub, &filter).await {
            return e.into();
        }
        let q = listen.collect(sub).await;
        if q.end != QueryEnd::Eose {
            return Finding::NotJudged(format!("the subscription did not start: {:?}", q.end));
        }
    }
    if let Err(e) = listen.close_sub(&closed).await {
        return e.into();
    }
    // The relay handles one connection's messages in order, not across
    // connections: the EOSE of a REQ sent after the CLOSE shows that the
    // CLOSE was handled before the event is published elsewhere.
    let barrier = match fixtures::random_d() {
        Ok(d) => json!({"kinds":[KIND],"#d":[d]}),
        Err(e) => return e.into(),
    };
    match listen.query(&barrier).await {
        Ok(q) if q.end == QueryEnd::Eose => {}
        Ok(q) => return Finding::Broken(format!("a REQ after CLOSE did not end: {:?}", q.end)),
        Err(e) => return e.into(),
    }
    match write.publish(&event).await {
        Ok(p) if p.accepted() => {}
        Ok(p) => {
            return Finding::NotJudged(format!("the live event was refused: {}", p.describe()));
        }
        Err(e) => return e.into(),
    }
    let id = event.id.to_hex();
    let deadline = Instant::now() + listen.timeout();
    let mut leaked = false;
    let mut control_got = false;
    while !control_got {
        match listen.next(deadline).await {
            Ok(RelayMsg::Event { sub, event }) if event_id(&event) == id => {
                if sub == closed {
                    leaked = true;
                } else if sub == control {
                    control_got = true;
                }
            }
            Ok(_) => {}
            Err(ClientError::Timeout(_)) => break,
            Err(e) => return e.into(),
        }
    }
    if !control_got {
        return if leaked {
            Finding::NotMet(
                "after CLOSE the closed subscription still got the live event".to_owned(),
            )
        } else {
            Finding::NotJudged(
                "the relay delivered no live event to the open control subscription, so CLOSE could not be observed".to_owned(),
            )
        };
    }
    // One more round trip: whatever the relay had queued for the closed
    // subscription arrives before the EOSE of a new REQ.
    let probe = listen.new_sub();
    if let Err(e) = listen.subscribe(&probe, &json!({"ids":[id]})).await {
        return e.into();
    }
    let deadline = Instant::now() + listen.timeout();
    loop {
        match listen.next(deadline).await {
            Ok(RelayMsg::Event { sub, .. }) if sub == closed => leaked = true,
            Ok(RelayMsg::Eose(s)) if s == probe => break,
            Ok(_) => {}
            Err(e) => return e.into(),
        }
    }
    if leaked {
        Finding::NotMet("after CLOSE the closed subscription still got the live event".to_owned())
    } else {
        Finding::Met(
            "the control subscription got the live event; the closed one got nothing".to_owned(),
        )
    }
}
