//! The suite's Nostr client: one WebSocket connection to the relay under
//! test, NIP-01 messages in and out, and every wait bounded by a timeout.
//!
//! Relay messages are read as plain JSON arrays, not through a Nostr
//! library, so that a relay that sends something malformed is reported as
//! such instead of being silently dropped.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use nostr::event::Event;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Why talking to the relay failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The WebSocket connection could not be opened.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The relay's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The relay did not answer in time.
    #[error("no answer from the relay within {0:?}")]
    Timeout(Duration),
    /// The relay closed the connection.
    #[error("the relay closed the connection")]
    Disconnected,
    /// Sending failed.
    #[error("cannot send to the relay: {0}")]
    Send(String),
}

/// One message from the relay (NIP-01, "From relay to client").
#[derive(Debug, Clone, PartialEq)]
pub enum RelayMsg {
    /// `["EVENT", <subscription id>, <event>]`.
    Event {
        /// The subscription.
        sub: String,
        /// The event, as sent.
        event: Value,
    },
    /// `["OK", <event id>, <true|false>, <message>]`.
    Ok {
        /// The event id the relay names.
        id: String,
        /// Whether the event was accepted.
        accepted: bool,
        /// The message (`None` if the fourth element is missing or not a string).
        message: Option<String>,
    },
    /// `["EOSE", <subscription id>]`.
    Eose(String),
    /// `["CLOSED", <subscription id>, <message>]`.
    Closed {
        /// The subscription.
        sub: String,
        /// The message.
        message: String,
    },
    /// `["NOTICE", <message>]`.
    Notice(String),
    /// Anything else (AUTH, COUNT, malformed text), as received.
    Other(String),
}

impl RelayMsg {
    fn parse(text: &str) -> Self {
        let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
            return Self::Other(text.to_owned());
        };
        let s = |i: usize| items.get(i).and_then(Value::as_str).map(str::to_owned);
        match (s(0).as_deref(), items.len()) {
            (Some("EVENT"), 3) => match (s(1), items.get(2)) {
                (Some(sub), Some(event)) => Self::Event {
                    sub,
                    event: event.clone(),
                },
                _ => Self::Other(text.to_owned()),
            },
            (Some("OK"), 3 | 4) => match (s(1), items.get(2).and_then(Value::as_bool)) {
                (Some(id), Some(accepted)) => Self::Ok {
                    id,
                    accepted,
                    message: s(3),
                },
                _ => Self::Other(text.to_owned()),
            },
            (Some("EOSE"), 2) => s(1).map_or_else(|| Self::Other(text.to_owned()), Self::Eose),
            (Some("CLOSED"), 2 | 3) => match s(1) {
                Some(sub) => Self::Closed {
                    sub,
                    message: s(2).unwrap_or_default(),
                },
                None => Self::Other(text.to_owned()),
            },
            (Some("NOTICE"), 2) => s(1).map_or_else(|| Self::Other(text.to_owned()), Self::Notice),
            _ => Self::Other(text.to_owned()),
        }
    }
}

/// What the relay did with an `EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// `OK` with `true` for the event's id.
    Accepted(String),
    /// `OK` with `false` for the event's id.
    Rejected(String),
    /// No `OK` for the id; the relay sent these instead (NOTICEs, OKs for
    /// another id), then went quiet or closed the connection.
    NoOk {
        /// What came instead of an `OK`, in order.
        instead: Vec<String>,
        /// Whether the connection was closed.
        disconnected: bool,
    },
}

impl Published {
    /// Whether the relay answered `OK true`.
    pub fn accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }

    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            Self::Accepted(m) if m.is_empty() => "OK true".to_owned(),
            Self::Accepted(m) => format!("OK true {m:?}"),
            Self::Rejected(m) => format!("OK false {m:?}"),
            Self::NoOk {
                instead,
                disconnected,
            } => {
                let mut s = "no OK for the event".to_owned();
                if !instead.is_empty() {
                    s.push_str(&format!(" (got {})", instead.join(", ")));
                }
                if *disconnected {
                    s.push_str("; the relay closed the connection");
                }
                s
            }
        }
    }
}

/// How a subscription's stored events ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryEnd {
    /// The relay sent `EOSE`.
    Eose,
    /// The relay sent `CLOSED` with this message.
    Closed(String),
    /// Nothing ended it in time.
    Timeout,
    /// The connection was closed.
    Disconnected,
}

/// The answer to a `REQ`.
#[derive(Debug, Clone)]
pub struct Query {
    /// The events received before the end, in order.
    pub events: Vec<Value>,
    /// How it ended.
    pub end: QueryEnd,
}

impl Query {
    /// The ids of the events received.
    pub fn ids(&self) -> Vec<String> {
        self.events.iter().map(event_id).collect()
    }

    /// Whether an event with this id was received.
    pub fn has(&self, id: &str) -> bool {
        self.events.iter().any(|e| event_id(e) == id)
    }
}

/// The `id` member of an event as received (empty if missing).
pub fn event_id(event: &Value) -> String {
    event
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One connection to the relay.
pub struct Conn {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    timeout: Duration,
    pending: VecDeque<RelayMsg>,
    next_sub: u32,
    closed: bool,
}

impl Conn {
    /// Opens a connection, giving up after `timeout`.
    pub async fn connect(url: &str, timeout: Duration) -> Result<Self, ClientError> {
        // `disable_nagle`: each frame goes out as written.
        let connecting = tokio_tungstenite::connect_async_with_config(url, None, true);
        let attempt = tokio::time::timeout(timeout, connecting).await;
        match attempt {
            Ok(Ok((ws, _))) => Ok(Self {
                ws,
                timeout,
                pending: VecDeque::new(),
                next_sub: 0,
                closed: false,
            }),
            Ok(Err(e)) => Err(ClientError::Connect {
                url: url.to_owned(),
                reason: e.to_string(),
            }),
            Err(_) => Err(ClientError::Connect {
                url: url.to_owned(),
                reason: format!("no handshake within {timeout:?}"),
            }),
        }
    }

    /// The per-wait timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends a text message as is.
    pub async fn send_raw(&mut self, text: String) -> Result<(), ClientError> {
        if self.closed {
            return Err(ClientError::Disconnected);
        }
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| ClientError::Send(e.to_string()))
    }

    /// The next relay message, or an error at `deadline`.
    pub async fn next(&mut self, deadline: Instant) -> Result<RelayMsg, ClientError> {
        if let Some(m) = self.pending.pop_front() {
            return Ok(m);
        }
        if self.closed {
            return Err(ClientError::Disconnected);
        }
        loop {
            match timeout_at(deadline, self.ws.next()).await {
                Err(_) => return Err(ClientError::Timeout(self.timeout)),
                Ok(None | Some(Err(_))) => {
                    self.closed = true;
                    return Err(ClientError::Disconnected);
                }
                Ok(Some(Ok(Message::Text(t)))) => return Ok(RelayMsg::parse(t.as_str())),
                Ok(Some(Ok(Message::Close(_)))) => {
                    self.closed = true;
                    return Err(ClientError::Disconnected);
                }
                Ok(Some(Ok(Message::Binary(b)))) => {
                    return Ok(RelayMsg::Other(format!(
                        "binary message of {} bytes",
                        b.len()
                    )));
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Sends `["EVENT", event]` and waits for the relay's `OK` for its id.
    pub async fn publish(&mut self, event: &Event) -> Result<Published, ClientError> {
        self.publish_json(&event.id.to_hex(), json!(["EVENT", event]))
            .await
    }

    /// Sends an `EVENT` message built by hand (for forged events) and waits
    /// for the `OK` naming `id`.
    pub async fn publish_json(
        &mut self,
        id: &str,
        message: Value,
    ) -> Result<Published, ClientError> {
        self.send_raw(message.to_string()).await?;
        let deadline = Instant::now() + self.timeout;
        let mut instead = Vec::new();
        let mut skipped = Vec::new();
        let outcome = loop {
            match self.next(deadline).await {
                Ok(RelayMsg::Ok {
                    id: got,
                    accepted,
                    message,
                }) if got == id => {
                    let m = message.unwrap_or_default();
                    break Ok(if accepted {
                        Published::Accepted(m)
                    } else {
                        Published::Rejected(m)
                    });
                }
                Ok(RelayMsg::Ok {
                    id: got,
                    accepted,
                    message,
                }) => instead.push(format!(
                    "OK {accepted} for id {got:?} ({:?})",
                    message.unwrap_or_default()
                )),
                Ok(RelayMsg::Notice(n)) => instead.push(format!("NOTICE {n:?}")),
                Ok(RelayMsg::Other(o)) => instead.push(format!("{o:.120}")),
                Ok(other) => skipped.push(other),
                Err(ClientError::Timeout(_)) => {
                    break Ok(Published::NoOk {
                        instead,
                        disconnected: false,
                    });
                }
                Err(ClientError::Disconnected) => {
                    break Ok(Published::NoOk {
                        instead,
                        disconnected: true,
                    });
                }
                Err(e) => break Err(e),
            }
        };
        for m in skipped {
            self.keep(m);
        }
        outcome
    }

    fn keep(&mut self, msg: RelayMsg) {
        // Live events of other subscriptions may arrive while waiting; keep a
        // bounded number for whoever reads next.
        if self.pending.len() < 1024 {
            self.pending.push_back(msg);
        }
    }

    /// A fresh subscription id.
    pub fn new_sub(&mut self) -> String {
        self.next_sub += 1;
        format!("os-{}", self.next_sub)
    }

    /// Sends `["REQ", sub, filter]`.
    pub async fn subscribe(&mut self, sub: &str, filter: &Value) -> Result<(), ClientError> {
        self.send_raw(json!(["REQ", sub, filter]).to_string()).await
    }

    /// Reads a subscription's stored events until `EOSE`, `CLOSED`, the
    /// timeout or a disconnection. Messages for other subscriptions are kept.
    pub async fn collect(&mut self, sub: &str) -> Query {
        let deadline = Instant::now() + self.timeout;
        let mut events = Vec::new();
        let mut skipped = Vec::new();
        let end = loop {
            match self.next(deadline).await {
                Ok(RelayMsg::Event { sub: s, event }) if s == sub => events.push(event),
                Ok(RelayMsg::Eose(s)) if s == sub => break QueryEnd::Eose,
                Ok(RelayMsg::Closed { sub: s, message }) if s == sub => {
                    break QueryEnd::Closed(message);
                }
                Ok(other) => skipped.push(other),
                Err(ClientError::Disconnected) => break QueryEnd::Disconnected,
                Err(_) => break QueryEnd::Timeout,
            }
        };
        for m in skipped {
            self.keep(m);
        }
        Query { events, end }
    }

    /// Sends `["CLOSE", sub]`.
    pub async fn close_sub(&mut self, sub: &str) -> Result<(), ClientError> {
        self.send_raw(json!(["CLOSE", sub]).to_string()).await
    }

    /// One `REQ` with one filter: its stored events, then `CLOSE`.
    pub async fn query(&mut self, filter: &Value) -> Result<Query, ClientError> {
        let sub = self.new_sub();
        self.subscribe(&sub, filter).await?;
        let q = self.collect(&sub).await;
        if q.end == QueryEnd::Eose {
            // Best effort: the answer is already in hand.
            let _ = self.close_sub(&sub).await;
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_relay_messages() {
        assert_eq!(
            RelayMsg::parse(r#"["OK","ab",false,"invalid: bad"]"#),
            RelayMsg::Ok {
                id: "ab".into(),
                accepted: false,
                message: Some("invalid: bad".into())
            }
        );
        assert_eq!(
            RelayMsg::parse(r#"["EOSE","s"]"#),
            RelayMsg::Eose("s".into())
        );
        assert_eq!(
            RelayMsg::parse(r#"["CLOSED","s","blocked: no"]"#),
            RelayMsg::Closed {
                sub: "s".into(),
                message: "blocked: no".into()
            }
        );
        assert!(matches!(
            RelayMsg::parse(r#"["OK","ab","yes"]"#),
            RelayMsg::Other(_)
        ));
        assert!(matches!(RelayMsg::parse("not json"), RelayMsg::Other(_)));
    }
}
