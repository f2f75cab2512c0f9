//! NIP-40 (OS-RELAY-9, OS-RELAY-10): an event that is already expired is
//! refused or never served; one that expires while stored stops being
//! served.
//!
//! The relay's clock is not the suite's. The event that expires during the
//! run carries an expiration a few seconds ahead; the check first sees it
//! served, then polls with a bound until the relay stops serving it.

use std::time::Duration;

use nostr::event::Event;
use openslots_oracle::Profile;
use openslots_oracle::event::room_tags;
use tokio::time::Instant;

use super::client::Published;
use super::fixtures::{self, Room};
use super::publish::{connect, fetch_ids};
use super::{Finding, Findings, Options};

/// How far ahead of now the expiring event's expiration lies.
pub const AHEAD: Duration = Duration::from_secs(3);
/// How often the expiring event is asked for once its expiration has passed.
const POLL: Duration = Duration::from_millis(250);

/// A v2 room event as the profile shapes it, with `expiration` instead of
/// the horizon's value.
fn v2_room_expiring(expiration: u64) -> Result<Event, fixtures::FixtureError> {
    let room = Room::new(Profile::V2)?;
    let built = room.room_event(&room.typical_payload(), fixtures::now())?;
    fixtures::sign(
        &room.host,
        built.created_at.as_secs(),
        room_tags(Profile::V2, room.d(), expiration),
        built.content,
    )
}

async fn already_expired(url: &str, options: &Options) -> Finding {
    let event = match v2_room_expiring(fixtures::now() - 3600) {
        Ok(e) => e,
        Err(e) => return e.into(),
    };
    let mut conn = match connect(url, options).await {
        Ok(c) => c,
        Err(f) => return f,
    };
    let p = match conn.publish(&event).await {
        Ok(p) => p,
        Err(e) => return e.into(),
    };
    let served = match fetch_ids(&mut conn, &[&event.id.to_hex()]).await {
        Ok(s) => !s.is_empty(),
        Err(f) => return f,
    };
    let what = format!(
        "expiration an hour ago: {}; {}",
        p.describe(),
        if served {
            "served by a later REQ"
        } else {
            "not served"
        }
    );
    if served {
        Finding::NotMet(what)
    } else {
        Finding::Met(what)
    }
}

async fn during_run(url: &str, options: &Options) -> Finding {
    let expiration = fixtures::now() + AHEAD.as_secs();
    let event = match v2_room_expiring(expiration) {
        Ok(e) => e,
        Err(e) => return e.into(),
    };
    let id = event.id.to_hex();
    let mut conn = match connect(url, options).await {
        Ok(c) => c,
        Err(f) => return f,
    };
    match conn.publish(&event).await {
        Ok(Published::Accepted(_)) => {}
        Ok(p) => {
            return Finding::NotJudged(format!(
                "an event expiring in {} s was not accepted: {}",
                AHEAD.as_secs(),
                p.describe()
            ));
        }
        Err(e) => return e.into(),
    }
    match fetch_ids(&mut conn, &[&id]).await {
        Ok(s) if !s.is_empty() => {}
        Ok(_) => {
            return Finding::NotJudged(format!(
                "an event expiring in {} s was accepted but not served even before it expired (is the relay's clock ahead?)",
                AHEAD.as_secs()
            ));
        }
        Err(f) => return f,
    }
    let expires_at = std::time::UNIX_EPOCH + Duration::from_secs(expiration);
    let until_expiry = expires_at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    let give_up = Instant::now() + until_expiry + options.expiry_grace;
    let mut ticks = tokio::time::interval(POLL);
    loop {
        ticks.tick().await;
        match fetch_ids(&mut conn, &[&id]).await {
            Ok(s) if s.is_empty() => {
                let late = std::time::SystemTime::now()
                    .duration_since(expires_at)
                    .map(|d| format!("{:.1} s after", d.as_secs_f64()))
                    .unwrap_or_else(|_| "before (by the suite's clock)".to_owned());
                return Finding::Met(format!("served until its expiration, no longer {late} it"));
            }
            Ok(_) => {}
            Err(f) => return f,
        }
        if Instant::now() >= give_up {
            return Finding::NotMet(format!(
                "still served {} s after its expiration",
                options.expiry_grace.as_secs()
            ));
        }
    }
}

/// Runs the expiry checks.
pub async fn run(url: &str, options: &Options) -> Findings {
    let (a, b) = tokio::join!(already_expired(url, options), during_run(url, options));
    vec![("expiry-already-expired", a), ("expiry-during-run", b)]
}
