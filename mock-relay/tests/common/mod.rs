//! A small NIP-01 WebSocket client for the mock relay's tests. Every wait
//! has a timeout that only fires when the expected frame never comes.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use nostr::event::Event;
use nostr::key::{Keys, SecretKey};
use openslots_mock_relay::forge;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Fails a test that waits longer than this for a frame.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A fixed start time for the relay clock.
pub const T0: u64 = 1_750_000_000;

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    barriers: u64,
}

impl Client {
    pub async fn connect(url: &str) -> Self {
        let (ws, _) = tokio::time::timeout(TIMEOUT, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect timed out")
            .expect("connect failed");
        Self { ws, barriers: 0 }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text.to_string())).await.unwrap();
    }

    pub async fn send(&mut self, value: Value) {
        self.send_text(&value.to_string()).await;
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws.send(Message::binary(bytes)).await.unwrap();
    }

    /// The next data frame, or `None` when the connection ended.
    pub async fn next_message(&mut self) -> Option<Message> {
        loop {
            let next = tokio::time::timeout(TIMEOUT, self.ws.next())
                .await
                .expect("timed out waiting for a frame");
            match next {
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(m)) => return Some(m),
            }
        }
    }

    /// The next text frame, parsed.
    pub async fn next(&mut self) -> Value {
        match self.next_message().await {
            Some(Message::Text(t)) => serde_json::from_str(t.as_str())
                .unwrap_or_else(|e| panic!("relay sent non-JSON text {t:?}: {e}")),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    /// Publishes and returns the OK frame.
    pub async fn publish(&mut self, event: &Value) -> Value {
        self.send(json!(["EVENT", event])).await;
        let ok = self.next().await;
        assert_eq!(ok[0], "OK", "expected OK, got {ok}");
        ok
    }

    pub async fn publish_event(&mut self, event: &Event) -> Value {
        self.publish(&forge::to_value(event)).await
    }

    /// Publishes and asserts acceptance.
    pub async fn accept(&mut self, event: &Event) {
        let ok = self.publish_event(event).await;
        assert_eq!(ok, json!(["OK", event.id.to_hex(), true, ""]));
    }

    /// Sends a REQ and returns the events before EOSE (panics on anything
    /// else on this subscription).
    pub async fn req(&mut self, sub: &str, filters: Value) -> Vec<Value> {
        self.send_req(sub, filters).await;
        self.collect_until_eose(sub).await
    }

    pub async fn send_req(&mut self, sub: &str, filters: Value) {
        let mut frame = vec![json!("REQ"), json!(sub)];
        frame.extend(filters.as_array().unwrap().iter().cloned());
        self.send(Value::Array(frame)).await;
    }

    pub async fn collect_until_eose(&mut self, sub: &str) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let frame = self.next().await;
            match frame[0].as_str() {
                Some("EVENT") if frame[1] == sub => events.push(frame[2].clone()),
                Some("EOSE") if frame[1] == sub => return events,
                _ => panic!("unexpected frame while waiting for EOSE of {sub}: {frame}"),
            }
        }
    }

    /// Sends an unknown verb, which every relay mode answers with a
    /// NOTICE, and returns every frame received before that NOTICE: the
    /// relay handles a connection's frames in order, so nothing more is
    /// pending for earlier frames.
    pub async fn barrier(&mut self) -> Vec<Value> {
        self.barriers += 1;
        let tag = format!("BARRIER{}", self.barriers);
        self.send(json!([tag])).await;
        let mut before = Vec::new();
        loop {
            let frame = self.next().await;
            if frame[0] == "NOTICE" && frame[1].as_str().unwrap_or_default().contains(&tag) {
                return before;
            }
            before.push(frame);
        }
    }

    /// Reads until the connection ends; returns the text frames before.
    pub async fn until_disconnect(&mut self) -> Vec<Value> {
        let mut frames = Vec::new();
        while let Some(m) = self.next_message().await {
            if let Message::Text(t) = m {
                frames.push(serde_json::from_str(t.as_str()).unwrap_or(Value::Null));
            }
        }
        frames
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

pub fn keys(n: u8) -> Keys {
    Keys::new(SecretKey::from_slice(&[n; 32]).unwrap())
}

pub fn event(keys: &Keys, kind: u16, created_at: u64, tags: &[&[&str]], content: &str) -> Event {
    forge::signed(keys, kind, created_at, forge::tags(tags), content).unwrap()
}

/// An OpenSlots-shaped room event (kind 30078, d and t tags).
pub fn room(keys: &Keys, d: &str, created_at: u64, content: &str) -> Event {
    event(
        keys,
        30078,
        created_at,
        &[&["d", d], &["t", "openslots"]],
        content,
    )
}

pub fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

pub fn hex_id(event: &Event) -> String {
    event.id.to_hex()
}

/// The message of an OK frame split at the first ": " into (prefix, rest).
pub fn ok_prefix(ok: &Value) -> String {
    ok[3]
        .as_str()
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .to_string()
}

/// Fetches the NIP-11 document over plain HTTP (status line, body).
pub async fn http_get(addr: std::net::SocketAddr, accept: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nAccept: {accept}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut response))
        .await
        .expect("HTTP response timed out")
        .unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}
