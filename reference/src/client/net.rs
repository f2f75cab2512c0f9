//! The relay side of the client (spec §11.5, §14.1): NIP-01 over WebSockets.
//!
//! [`query`] asks every relay at once and reads each subscription until
//! `EOSE`, `CLOSED`, a dropped connection or the deadline (OS-RES-1,
//! OS-RES-6, OS-RES-7); [`publish`] sends one event to every relay at once
//! and waits for each relay's `OK` (OS-EVENT-12). Nothing here reads the wall
//! clock for protocol purposes: the deadline is a monotonic bound on waiting.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use nostr::event::Event;
use serde_json::Value;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::event;

/// How one relay's subscription ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryStatus {
    /// The relay sent `EOSE`: it has sent everything it stores.
    Eose,
    /// The relay closed the subscription with `CLOSED` and this message.
    Closed(String),
    /// The connection dropped before `EOSE`.
    Dropped,
    /// The deadline passed before `EOSE`.
    Timeout,
    /// The connection could not be opened.
    Unreachable(String),
}

impl QueryStatus {
    /// Whether the relay answered the query: it sent `EOSE`. A `CLOSED`
    /// refuses the query (OS-RES-7), whatever events came before it.
    pub fn answered(&self) -> bool {
        matches!(self, Self::Eose)
    }

    /// A short machine-readable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Eose => "eose",
            Self::Closed(_) => "closed",
            Self::Dropped => "dropped",
            Self::Timeout => "timeout",
            Self::Unreachable(_) => "unreachable",
        }
    }
}

/// What one relay returned for one query.
#[derive(Clone, Debug)]
pub struct RelayQuery {
    /// The relay's URL.
    pub relay: String,
    /// How the subscription ended.
    pub status: QueryStatus,
    /// Well-formed events received (OS-EVENT-13), in arrival order.
    pub events: Vec<Event>,
    /// Frames that were not a well-formed event for this subscription.
    pub malformed: usize,
}

/// The outcome of a query over every relay.
#[derive(Clone, Debug)]
pub struct QueryOutcome {
    /// Per relay, in the order of the configured list.
    pub relays: Vec<RelayQuery>,
}

impl QueryOutcome {
    /// The union of the events every relay returned, in arrival order per
    /// relay (resolution does not depend on the order, OS-LWW-3).
    pub fn events(&self) -> Vec<Event> {
        self.relays
            .iter()
            .flat_map(|r| r.events.iter().cloned())
            .collect()
    }

    /// Whether at least one relay could be queried (OS-RES-7): it sent
    /// `EOSE` or at least one event.
    pub fn any_relay_answered(&self) -> bool {
        self.relays
            .iter()
            .any(|r| r.status.answered() || !r.events.is_empty())
    }
}

/// How one relay answered a published event (OS-EVENT-12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishStatus {
    /// `OK` with `true` for the id sent.
    Accepted,
    /// `OK` with anything but `true` for the id sent (message carries the
    /// NIP-01 prefix), or a connection closed before that `OK`
    /// (OS-EVENT-15).
    Rejected(String),
    /// No `OK` before the deadline.
    Timeout,
    /// The connection could not be opened.
    Unreachable(String),
}

impl PublishStatus {
    /// A short machine-readable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected(_) => "rejected",
            Self::Timeout => "timeout",
            Self::Unreachable(_) => "unreachable",
        }
    }

    /// The relay's message, if it sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Rejected(m) | Self::Unreachable(m) => Some(m),
            Self::Accepted | Self::Timeout => None,
        }
    }
}

/// One relay's answer to a published event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayPublish {
    /// The relay's URL.
    pub relay: String,
    /// Its answer.
    pub status: PublishStatus,
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str, deadline: Instant) -> Result<Socket, String> {
    // `disable_nagle`: a client's small frames (REQ, EVENT) go out at once.
    let connecting = tokio_tungstenite::connect_async_with_config(url, None, true);
    match tokio::time::timeout_at(deadline, connecting).await {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out while connecting".to_owned()),
    }
}

/// Reads the next text frame; `None` when the connection ends.
async fn next_text(socket: &mut Socket) -> Option<String> {
    loop {
        match socket.next().await? {
            Ok(Message::Text(text)) => return Some(text.as_str().to_owned()),
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

async fn query_one(url: String, filters: Vec<Value>, deadline: Instant) -> RelayQuery {
    let mut out = RelayQuery {
        relay: url.clone(),
        status: QueryStatus::Timeout,
        events: Vec::new(),
        malformed: 0,
    };
    let mut socket = match connect(&url, deadline).await {
        Ok(s) => s,
        Err(e) => {
            out.status = QueryStatus::Unreachable(e);
            return out;
        }
    };
    const SUB: &str = "openslots";
    let mut req = vec![Value::from("REQ"), Value::from(SUB)];
    req.extend(filters);
    if socket
        .send(Message::text(Value::Array(req).to_string()))
        .await
        .is_err()
    {
        out.status = QueryStatus::Dropped;
        return out;
    }
    let read = async {
        while let Some(text) = next_text(&mut socket).await {
            let Ok(Value::Array(frame)) = serde_json::from_str::<Value>(&text) else {
                out.malformed += 1;
                continue;
            };
            match (frame.first().and_then(Value::as_str), frame.get(1)) {
                (Some("EVENT"), Some(sub)) if sub == SUB => {
                    match frame.get(2).map(|e| event::parse_event(&e.to_string())) {
                        Some(Ok(e)) => out.events.push(e),
                        _ => out.malformed += 1,
                    }
                }
                (Some("EOSE"), Some(sub)) if sub == SUB => return QueryStatus::Eose,
                (Some("CLOSED"), Some(sub)) if sub == SUB => {
                    let msg = frame.get(2).and_then(Value::as_str).unwrap_or_default();
                    return QueryStatus::Closed(msg.to_owned());
                }
                // NOTICE and frames for other subscriptions carry nothing for us.
                _ => {}
            }
        }
        QueryStatus::Dropped
    };
    out.status = tokio::time::timeout_at(deadline, read)
        .await
        .unwrap_or(QueryStatus::Timeout);
    if out.status == QueryStatus::Eose {
        let close = Value::Array(vec![Value::from("CLOSE"), Value::from(SUB)]).to_string();
        // Best effort: the answer is complete whether or not these arrive.
        let _ = tokio::time::timeout_at(deadline, socket.send(Message::text(close))).await;
    }
    let _ = tokio::time::timeout_at(deadline, socket.close(None)).await;
    out
}

/// Sends one `REQ` with `filters` to every relay at once and collects what
/// each returns until `EOSE`, `CLOSED`, a dropped connection or `timeout`
/// (OS-RES-1, OS-RES-6, OS-RES-7).
pub async fn query(relays: &[String], filters: &[Value], timeout: Duration) -> QueryOutcome {
    let deadline = Instant::now() + timeout;
    let tasks = relays
        .iter()
        .map(|url| query_one(url.clone(), filters.to_vec(), deadline));
    QueryOutcome {
        relays: futures_util::future::join_all(tasks).await,
    }
}

async fn publish_one(
    url: String,
    event_json: String,
    id: String,
    deadline: Instant,
) -> RelayPublish {
    let mut socket = match connect(&url, deadline).await {
        Ok(s) => s,
        Err(e) => {
            return RelayPublish {
                relay: url,
                status: PublishStatus::Unreachable(e),
            };
        }
    };
    let frame = format!("[\"EVENT\",{event_json}]");
    let wait = async {
        if socket.send(Message::text(frame)).await.is_err() {
            return PublishStatus::Rejected("connection closed before the event was sent".into());
        }
        while let Some(text) = next_text(&mut socket).await {
            let Ok(Value::Array(frame)) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if frame.first().and_then(Value::as_str) != Some("OK") {
                // NOTICE or anything else: not an answer to this event.
                continue;
            }
            let message = frame
                .get(3)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            // An OK that names another (or an empty) id is not an answer to
            // this event: read on (OS-EVENT-15, OS-RES-8).
            if frame.get(1).and_then(Value::as_str) != Some(id.as_str()) {
                continue;
            }
            return match frame.get(2).and_then(Value::as_bool) {
                Some(true) => PublishStatus::Accepted,
                _ => PublishStatus::Rejected(message),
            };
        }
        PublishStatus::Rejected("connection closed before OK".into())
    };
    let status = tokio::time::timeout_at(deadline, wait)
        .await
        .unwrap_or(PublishStatus::Timeout);
    let _ = tokio::time::timeout_at(deadline, socket.close(None)).await;
    RelayPublish { relay: url, status }
}

/// Sends `event` to every relay at once and waits for each relay's `OK`
/// until `timeout` (OS-EVENT-12). The result lists every relay, in order.
pub async fn publish(relays: &[String], event: &Event, timeout: Duration) -> Vec<RelayPublish> {
    let deadline = Instant::now() + timeout;
    let json = event.as_json();
    let id = event.id.to_hex();
    let tasks = relays
        .iter()
        .map(|url| publish_one(url.clone(), json.clone(), id.clone(), deadline));
    futures_util::future::join_all(tasks).await
}
