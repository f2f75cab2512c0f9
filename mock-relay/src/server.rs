//! The WebSocket server: a [`MockRelay`] listens on 127.0.0.1 with an
//! ephemeral port, speaks NIP-01 over WebSocket and serves its NIP-11
//! document over HTTP on the same port, and runs each connection through
//! [`crate::engine::RelayState`]. [`RelaySet`] starts several relays with
//! independent scripts and one shared clock.

use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::clock::Clock;
use crate::engine::{ClientFrame, Output, RelayState};
use crate::error::MockRelayError;
use crate::event::SharedEvent;
use crate::recorder::Recorder;
use crate::script::Script;

/// Longest HTTP request head the server reads before answering 431.
const MAX_HEAD: usize = 16_384;

struct Shared {
    state: Mutex<RelayState>,
    clock: Clock,
    live: broadcast::Sender<SharedEvent>,
    wake: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, RelayState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running mock relay. Dropping it stops it (as [`MockRelay::stop`] does,
/// without waiting).
pub struct MockRelay {
    name: String,
    url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    recorder: Recorder,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for MockRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockRelay")
            .field("name", &self.name)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl MockRelay {
    /// Starts a relay running `script` on `ws://127.0.0.1:<ephemeral port>`,
    /// reading time from `clock`. Must be called inside a tokio runtime.
    pub async fn start(script: Script, clock: Clock) -> Result<Self, MockRelayError> {
        let recorder = Recorder::default();
        let state = RelayState::new(&script, recorder.clone())?;
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(MockRelayError::Bind)?;
        let addr = listener.local_addr().map_err(MockRelayError::Bind)?;
        let (live, _) = broadcast::channel(1024);
        let (wake, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            clock,
            live,
            wake,
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared.clone(), shutdown_rx));
        Ok(Self {
            name: script.name,
            url: format!("ws://{addr}"),
            addr,
            shared,
            recorder,
            shutdown,
            task: Some(task),
        })
    }

    /// The relay's name (from its script).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ws://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `http://127.0.0.1:PORT` (for the NIP-11 document).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The recording of every client frame.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// The clock this relay reads.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Fires the named trigger: every frame held by a `delay` fault with
    /// `{"on": "release", "name": <name>}` is sent now (and any held later
    /// with that name is sent at once).
    pub fn release(&self, name: &str) {
        self.shared.lock().release(name);
        self.shared.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The events the store currently serves (before faults and expiry),
    /// as JSON, in order of arrival.
    pub fn stored_events(&self) -> Vec<Value> {
        self.shared
            .lock()
            .store()
            .events()
            .iter()
            .map(|e| serde_json::from_str(&e.json).unwrap_or(Value::Null))
            .collect()
    }

    /// The NIP-11 document this relay serves, if any.
    pub fn nip11_document(&self) -> Option<Value> {
        self.shared.lock().nip11_document()
    }

    /// Stops listening and drops every connection (without close frames),
    /// then waits for the server task to end.
    pub async fn stop(mut self) {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockRelay {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Several mock relays with independent scripts and one shared clock.
#[derive(Debug)]
pub struct RelaySet {
    /// The relays, in the order of their scripts.
    pub relays: Vec<MockRelay>,
    clock: Clock,
}

impl RelaySet {
    /// Starts one relay per script, all reading `clock`.
    pub async fn start(scripts: Vec<Script>, clock: Clock) -> Result<Self, MockRelayError> {
        let mut relays = Vec::with_capacity(scripts.len());
        for script in scripts {
            relays.push(MockRelay::start(script, clock.clone()).await?);
        }
        Ok(Self { relays, clock })
    }

    /// The relays' URLs, in order.
    pub fn urls(&self) -> Vec<String> {
        self.relays.iter().map(|r| r.url().to_string()).collect()
    }

    /// The shared clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The relay with this script name.
    pub fn by_name(&self, name: &str) -> Option<&MockRelay> {
        self.relays.iter().find(|r| r.name() == name)
    }

    /// Stops every relay.
    pub async fn stop(self) {
        for relay in self.relays {
            relay.stop().await;
        }
    }
}

/// Reads one script (a JSON object) or several (a JSON array of objects)
/// from a file.
pub fn load_scripts(path: &Path) -> Result<Vec<Script>, MockRelayError> {
    let text = std::fs::read_to_string(path).map_err(|source| MockRelayError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| MockRelayError::Script(e.to_string()))?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| MockRelayError::Script(e.to_string())))
            .collect(),
        other => Ok(vec![
            serde_json::from_value(other).map_err(|e| MockRelayError::Script(e.to_string()))?,
        ]),
    }
}

/// Starts the relays of a script file (see [`load_scripts`]) with one
/// shared clock; the few lines a `mock-relay --scenario FILE` command needs.
pub async fn run_from_script_file(path: &Path, clock: Clock) -> Result<RelaySet, MockRelayError> {
    RelaySet::start(load_scripts(path)?, clock).await
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    // Frames go out as written: no Nagle delay waiting for
                    // the peer's delayed ACK (about 40 ms a round on loopback).
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve(stream, shared.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    connections.shutdown().await;
}

/// A stream that first yields bytes already read (the HTTP head), then the
/// rest of the TCP stream.
struct Prefixed {
    head: Vec<u8>,
    pos: usize,
    inner: TcpStream,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pos < self.head.len() {
            let n = (self.head.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.head[start..start + n]);
            self.pos += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn header_has(head: &str, name: &str, token: &str) -> bool {
    head.lines().skip(1).any(|line| {
        line.split_once(':').is_some_and(|(n, v)| {
            n.trim().eq_ignore_ascii_case(name) && v.to_ascii_lowercase().contains(token)
        })
    })
}

fn http_response(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Headers: *\r\nAccess-Control-Allow-Methods: GET, OPTIONS\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = find_head_end(&head) {
            break end;
        }
        if head.len() > MAX_HEAD {
            let reply = http_response("431 Request Header Fields Too Large", "text/plain", "");
            let _ = stream.write_all(reply.as_bytes()).await;
            return;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    };
    let text = String::from_utf8_lossy(&head[..head_end]).into_owned();
    if header_has(&text, "upgrade", "websocket") {
        websocket(
            Prefixed {
                head,
                pos: 0,
                inner: stream,
            },
            shared,
        )
        .await;
        return;
    }
    let reply = if text.starts_with("OPTIONS ") {
        http_response("204 No Content", "text/plain", "")
    } else if header_has(&text, "accept", "application/nostr+json") {
        match shared.lock().nip11_document() {
            Some(doc) => http_response("200 OK", "application/nostr+json", &doc.to_string()),
            None => http_response(
                "404 Not Found",
                "text/plain",
                "no relay information document\n",
            ),
        }
    } else {
        http_response(
            "200 OK",
            "text/plain",
            "OpenSlots mock relay: connect with a Nostr client over WebSocket\n",
        )
    };
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn changed_or_pending(rx: &mut watch::Receiver<u64>) {
    if rx.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn websocket(stream: Prefixed, shared: Arc<Shared>) {
    let limit = shared.lock().transport_limit();
    let config = WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let mut session = shared.lock().open_session(shared.clock.now());
    let mut live = shared.live.subscribe();
    let mut clock = shared.clock.subscribe();
    let mut wake = shared.wake.subscribe();
    loop {
        // Biased: live events and clock or trigger changes that happened
        // before a client frame arrived are handled before that frame, so a
        // client that saw its `OK` (or moved the clock) and then sends a frame
        // observes them in order.
        let outputs = tokio::select! {
            biased;
            received = live.recv() => match received {
                Ok(event) => {
                    let now = shared.clock.now();
                    shared.lock().live_event(&mut session, &event, now)
                }
                Err(broadcast::error::RecvError::Lagged(_)) => Vec::new(),
                Err(broadcast::error::RecvError::Closed) => break,
            },
            () = changed_or_pending(&mut clock) => {
                let now = shared.clock.now();
                shared.lock().due(&mut session, now)
            }
            () = changed_or_pending(&mut wake) => {
                let now = shared.clock.now();
                shared.lock().due(&mut session, now)
            }
            message = ws.next() => {
                let now = shared.clock.now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        shared.lock().handle_frame(&mut session, ClientFrame::Text(text.as_str()), now)
                    }
                    Some(Ok(Message::Binary(bytes))) => {
                        shared.lock().handle_frame(&mut session, ClientFrame::Binary(&bytes), now)
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => Vec::new(),
                }
            }
        };
        let mut drop_now = false;
        for output in outputs {
            let sent = match output {
                Output::Text(text) => ws.send(Message::text(text)).await,
                Output::Binary(bytes) => ws.send(Message::binary(bytes)).await,
                Output::Broadcast(event) => {
                    let _ = shared.live.send(event);
                    Ok(())
                }
                Output::Disconnect => {
                    drop_now = true;
                    break;
                }
            };
            if sent.is_err() {
                drop_now = true;
                break;
            }
        }
        if drop_now {
            break;
        }
    }
    let now = shared.clock.now();
    shared.lock().close_session(&session, now);
}
