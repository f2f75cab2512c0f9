//! Acceptance (OS-RELAY-1, OS-RELAY-2): kind-30078 events shaped exactly as
//! each profile produces them, at a typical size and at the largest size the
//! protocol can produce, are accepted and then served intact.

use nostr::event::Event;
use nostr::key::Keys;
use openslots_oracle::Profile;
use serde_json::{Value, json};

use super::client::{Conn, Published, QueryEnd};
use super::fixtures::{self, Room};
use super::{Finding, Findings, Options};

/// Opens a connection, or says why not.
pub(crate) async fn connect(url: &str, options: &Options) -> Result<Conn, Finding> {
    Conn::connect(url, options.timeout)
        .await
        .map_err(Finding::from)
}

/// Fetches the stored events with these ids.
pub(crate) async fn fetch_ids(conn: &mut Conn, ids: &[&str]) -> Result<Vec<Value>, Finding> {
    let q = conn.query(&json!({"ids": ids})).await?;
    match q.end {
        QueryEnd::Eose => Ok(q.events),
        QueryEnd::Closed(m) => Err(Finding::NotMet(format!(
            "a REQ on ids was refused with CLOSED {m:?}"
        ))),
        QueryEnd::Timeout => Err(Finding::Broken(
            "a REQ on ids got no EOSE within the timeout".to_owned(),
        )),
        QueryEnd::Disconnected => Err(Finding::Broken(
            "the relay closed the connection during a REQ".to_owned(),
        )),
    }
}

/// Publishes `event`, then judges by a later REQ whether it is served intact.
pub(crate) async fn accepted_and_served(conn: &mut Conn, event: &Event) -> Finding {
    let published = match conn.publish(event).await {
        Ok(p) => p,
        Err(e) => return e.into(),
    };
    let id = event.id.to_hex();
    let served = match fetch_ids(conn, &[&id]).await {
        Ok(s) => s,
        Err(f) => return f,
    };
    let sent = json!(event);
    let intact = served.contains(&sent);
    let size = sent.to_string().len();
    match (&published, served.is_empty(), intact) {
        (Published::Accepted(_), false, true) => Finding::Met(format!(
            "{}; served intact ({size}-byte event, content {} characters)",
            published.describe(),
            event.content.len()
        )),
        (_, false, false) => {
            Finding::NotMet(format!("{}; served, but not as sent", published.describe()))
        }
        (Published::Accepted(_), true, _) => Finding::NotMet(format!(
            "{}, but a later REQ on its id returns nothing ({size}-byte event)",
            published.describe()
        )),
        (_, true, _) => Finding::NotMet(format!(
            "{}; not served ({size}-byte event, content {} characters)",
            published.describe(),
            event.content.len()
        )),
        (_, false, true) => Finding::NotMet(format!(
            "{}, yet served intact by a later REQ",
            published.describe()
        )),
    }
}

async fn typical(url: &str, options: &Options, profile: Profile) -> (Finding, Finding) {
    let build = || -> Result<(Event, Event), fixtures::FixtureError> {
        let room = Room::new(profile)?;
        let now = fixtures::now();
        let re = room.room_event(&room.typical_payload(), now)?;
        let author: Keys = fixtures::random_keys()?;
        let resp = room.response_event(&author, &room.typical_response(), &re, now)?;
        Ok((re, resp))
    };
    run_pair(url, options, build()).await
}

async fn largest(url: &str, options: &Options, profile: Profile) -> (Finding, Finding) {
    let build = || -> Result<(Event, Event), fixtures::FixtureError> {
        let room = Room::new(profile)?;
        let now = fixtures::now();
        let payload = room.largest_payload()?;
        let re = room.room_event(&payload, now)?;
        let author = fixtures::random_keys()?;
        let resp = room.response_event(&author, &room.largest_response(&payload)?, &re, now)?;
        Ok((re, resp))
    };
    run_pair(url, options, build()).await
}

async fn run_pair(
    url: &str,
    options: &Options,
    events: Result<(Event, Event), fixtures::FixtureError>,
) -> (Finding, Finding) {
    let (room, response) = match events {
        Ok(p) => p,
        Err(e) => return (e.clone().into(), e.into()),
    };
    let mut conn = match connect(url, options).await {
        Ok(c) => c,
        Err(f) => return (f.clone(), f),
    };
    let a = accepted_and_served(&mut conn, &room).await;
    let b = accepted_and_served(&mut conn, &response).await;
    (a, b)
}

/// Runs the acceptance checks.
pub async fn run(url: &str, options: &Options) -> Findings {
    let ((v1r, v1s), (v2r, v2s), (l1r, l1s), (l2r, l2s)) = tokio::join!(
        typical(url, options, Profile::V1),
        typical(url, options, Profile::V2),
        largest(url, options, Profile::V1),
        largest(url, options, Profile::V2),
    );
    vec![
        ("accept-v1-room", v1r),
        ("accept-v1-response", v1s),
        ("accept-v2-room", v2r),
        ("accept-v2-response", v2s),
        ("accept-v1-largest-room", l1r),
        ("accept-v1-largest-response", l1s),
        ("accept-v2-largest-room", l2r),
        ("accept-v2-largest-response", l2s),
    ]
}
