//! Talking to an implementation under test through the adapter protocol
//! (`spec/adapter-protocol.md`): the handshake ([`Hello`]), and two
//! transports behind one trait ([`Transport`]): a child process speaking
//! JSON Lines ([`Process`]), and the reference dispatcher called in process
//! ([`InProcess`]).
//!
//! The process transport is defensive: requests are pipelined (written
//! ahead, answers read in order) with a time limit per answer; a child
//! that exits, does not answer in time, writes a line that is not a
//! response, or answers with another id is killed, the failure is given to
//! the request it happened on with the child's standard error, and a new
//! child is started (with a new handshake) for the requests that follow.
//! Nothing the child writes or does can block the harness past the time
//! limit: standard input is written, and standard output and standard
//! error are read, on threads of their own (output into bounded buffers), so
//! a child that stops reading or writing costs one time limit.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

/// The protocol version the harness speaks.
pub const PROTOCOL: u64 = 1;
/// How many requests are written before the first answer is awaited.
pub const PIPELINE_DEPTH: usize = 64;
/// Longest response line accepted, in bytes (a 65535-byte plaintext as
/// NIP-44 base64 in JSON is under 100 KiB; this leaves room).
pub const MAX_LINE: usize = 4 << 20;
/// How much of the child's standard error is kept (the end of it).
pub const STDERR_KEEP: usize = 16 << 10;
/// After this many time-outs in a row, the rest of an exchange is not sent:
/// an adapter that hangs on an operation costs at most this many time
/// limits for it (the vector runner sends one operation per exchange).
pub const MAX_CONSECUTIVE_TIMEOUTS: usize = 3;

/// What the adapter said in its handshake (OS-ADAPTER-8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The implementation's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The profiles it implements.
    pub profiles: Vec<String>,
    /// The operations it implements.
    pub operations: Vec<String>,
    /// The IANA time zone database version it uses, when it says (`2026e`).
    pub tzdata: Option<String>,
}

impl Hello {
    /// Reads a handshake answer; says exactly what is wrong with a bad one.
    ///
    /// # Errors
    ///
    /// When the answer is not `{"id": 0, "ok": {…}}` with protocol 1, a
    /// name, a version and lists of profiles and operations.
    pub fn from_response(r: &Value) -> Result<Self, String> {
        if let Some(u) = r.get("unsupported") {
            return Err(format!(
                "the adapter answered the handshake with unsupported: {u}"
            ));
        }
        if let Some(e) = r.get("error") {
            return Err(format!(
                "the adapter answered the handshake with an error: {e}"
            ));
        }
        if r.get("id") != Some(&json!(0)) {
            return Err("the handshake answer does not have id 0".into());
        }
        let ok = r
            .get("ok")
            .and_then(Value::as_object)
            .ok_or("the handshake answer has no ok object")?;
        match ok.get("protocol").and_then(Value::as_u64) {
            Some(PROTOCOL) => {}
            other => {
                return Err(format!(
                    "the adapter speaks protocol {}, the harness speaks {PROTOCOL}",
                    other.map_or_else(|| "(none)".to_owned(), |p| p.to_string())
                ));
            }
        }
        let text = |k: &str| {
            ok.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(format!("the handshake answer has no string {k}"))
        };
        let list = |k: &str| -> Result<Vec<String>, String> {
            ok.get(k)
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter()
                        .map(|x| x.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or(format!("the handshake answer has no array of strings {k}"))
        };
        Ok(Self {
            name: text("name")?,
            version: text("version")?,
            profiles: list("profiles")?,
            operations: list("operations")?,
            tzdata: ok.get("tzdata").and_then(Value::as_str).map(str::to_owned),
        })
    }

    /// Whether the adapter said it implements `op` in `profile` (`any`
    /// needs only the operation).
    pub fn supports(&self, op: &str, profile: &str) -> bool {
        self.operations.iter().any(|o| o == op)
            && (profile == "any" || self.profiles.iter().any(|p| p == profile))
    }
}

/// Why a request got no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// What happened, e.g. `no answer within 10 s`.
    pub reason: String,
    /// The end of the adapter's standard error, if it wrote any.
    pub stderr: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)?;
        if !self.stderr.is_empty() {
            write!(f, "; adapter stderr: {}", self.stderr.trim_end())?;
        }
        Ok(())
    }
}

/// One request's outcome at the transport level: a response object (not
/// yet judged) or the reason there is none.
pub type Answer = Result<Value, Broken>;

/// A way of reaching an implementation.
pub trait Transport {
    /// Starts the implementation and shakes hands.
    ///
    /// # Errors
    ///
    /// When it cannot be started or its handshake is not valid.
    fn start(&mut self) -> Result<Hello, Broken>;

    /// Sends requests (each `{"op", "profile", "input"}`, and `case`, the
    /// case id, when there is one; the transport sets `id`) and gives one
    /// answer per request, in order.
    fn exchange(&mut self, requests: &[Value]) -> Vec<Answer>;

    /// What happened that belongs to no one request (restarts), drained.
    fn take_notes(&mut self) -> Vec<String>;

    /// Describes the subject, e.g. the command line.
    fn describe(&self) -> String;
}

/// The reference implementation, called in process.
#[derive(Debug, Default)]
pub struct InProcess;

impl Transport for InProcess {
    fn start(&mut self) -> Result<Hello, Broken> {
        let r = openslots_adapter::dispatch(&json!({"id": 0, "op": "hello", "protocol": PROTOCOL}));
        Hello::from_response(&r).map_err(|reason| Broken {
            reason,
            stderr: String::new(),
        })
    }

    fn exchange(&mut self, requests: &[Value]) -> Vec<Answer> {
        requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut r = r.clone();
                r["id"] = json!(i + 1);
                Ok(openslots_adapter::dispatch(&r))
            })
            .collect()
    }

    fn take_notes(&mut self) -> Vec<String> {
        Vec::new()
    }

    fn describe(&self) -> String {
        "in process".into()
    }
}

/// Splits a command line into program and arguments: whitespace separates,
/// single and double quotes group, backslash escapes the next character
/// (outside single quotes). No shell runs, so killing the child kills the
/// adapter itself.
///
/// # Errors
///
/// On an unterminated quote or an empty command.
pub fn split_command(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unterminated ' in the adapter command".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x) => cur.push(x),
                            None => return Err("unterminated \" in the adapter command".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unterminated \" in the adapter command".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(x) = chars.next() {
                    cur.push(x);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    if out.is_empty() {
        return Err("the adapter command is empty".into());
    }
    Ok(out)
}

/// A line from the child's standard output, or why there are no more.
enum Line {
    Text(String),
    TooLong,
    NotUtf8,
    End,
    Failed(String),
}

struct Session {
    child: Child,
    /// Lines for the writer thread, which owns the child's standard input:
    /// a child that stops reading blocks that thread, never the harness.
    stdin: Sender<Vec<u8>>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_done: Receiver<()>,
    timed_out: bool,
    closed: bool,
}

impl Session {
    /// Ends the session after a failure: the failure with the child's exit
    /// status (when it had exited by itself) and its standard error.
    fn fail(mut self, reason: String) -> Broken {
        if self.closed {
            // Standard output closed: the child is exiting. Its standard
            // error closes when it has; then its status is there to read.
            let _ = self.stderr_done.recv_timeout(Duration::from_millis(200));
        }
        // A child that closed its standard output is exiting: give it a
        // moment, so that the line names its exit status (a crash always
        // does); one that is still running after that is killed and said so.
        let mut status = self.child.try_wait().ok().flatten();
        if self.closed {
            let until = std::time::Instant::now() + Duration::from_secs(2);
            while status.is_none() && std::time::Instant::now() < until {
                thread::sleep(Duration::from_millis(10));
                status = self.child.try_wait().ok().flatten();
            }
        }
        let exited = match status {
            Some(status) => format!(" [adapter {status}]"),
            None if self.closed => {
                " [adapter still running 2 s after closing its standard output: killed]".to_owned()
            }
            None => String::new(),
        };
        let stderr = self.kill();
        Broken {
            reason: format!("{reason}{exited}"),
            stderr,
        }
    }

    /// Kills the child and reaps it; gives its standard error.
    fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        drop(self.stdin);
        // The stderr thread ends when the pipe closes, after appending the
        // last bytes; wait for that, bounded so that a grandchild holding
        // the pipe open cannot stall the harness.
        let _ = self.stderr_done.recv_timeout(Duration::from_millis(200));
        let buf = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&buf).into_owned()
    }
}

/// An adapter run as a child process (OS-ADAPTER-1 to OS-ADAPTER-3).
pub struct Process {
    argv: Vec<String>,
    timeout: Duration,
    session: Option<Session>,
    next_id: u64,
    notes: Vec<String>,
    restarts: usize,
    timeouts: usize,
}

impl Process {
    /// An adapter started with this command line (see [`split_command`])
    /// and this time limit per answer.
    ///
    /// # Errors
    ///
    /// When the command line cannot be split.
    pub fn new(command: &str, timeout: Duration) -> Result<Self, String> {
        let argv = split_command(command)?;
        if let Some(program) = argv.first()
            && !program_exists(program)
        {
            return Err(format!(
                "cannot start the adapter: no program {program:?} (as a path, or on PATH)"
            ));
        }
        Ok(Self {
            argv,
            timeout,
            session: None,
            next_id: 1,
            notes: Vec::new(),
            restarts: 0,
            timeouts: 0,
        })
    }

    /// How many times the adapter was started again after a failure.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    fn spawn(&mut self) -> Result<Session, Broken> {
        let mut child = Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Broken {
                reason: format!("cannot start {:?}: {e}", self.argv.join(" ")),
                stderr: String::new(),
            })?;
        let (Some(stdin), Some(stdout), Some(mut err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Broken {
                reason: "the adapter's pipes could not be opened".into(),
                stderr: String::new(),
            });
        };
        let (tx, lines) = sync_channel::<Line>(PIPELINE_DEPTH * 4);
        thread::spawn(move || {
            let mut r = BufReader::with_capacity(1 << 16, stdout);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                let line = match (&mut r)
                    .take(MAX_LINE as u64 + 1)
                    .read_until(b'\n', &mut buf)
                {
                    Ok(0) => Line::End,
                    Ok(_) if buf.len() > MAX_LINE => Line::TooLong,
                    Ok(_) => {
                        if buf.last() == Some(&b'\n') {
                            buf.pop();
                        }
                        if buf.last() == Some(&b'\r') {
                            buf.pop();
                        }
                        match String::from_utf8(std::mem::take(&mut buf)) {
                            Ok(s) => Line::Text(s),
                            Err(_) => Line::NotUtf8,
                        }
                    }
                    Err(e) => Line::Failed(e.to_string()),
                };
                let last = !matches!(line, Line::Text(_));
                if tx.send(line).is_err() || last {
                    return;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr);
        let (done, stderr_done) = channel::<()>();
        thread::spawn(move || {
            let _done = done; // dropped when the pipe closes
            let mut chunk = [0u8; 4096];
            while let Ok(n) = err.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                if let Ok(mut b) = sink.lock() {
                    b.extend_from_slice(&chunk[..n]);
                    if b.len() > STDERR_KEEP {
                        let cut = b.len() - STDERR_KEEP;
                        b.drain(..cut);
                    }
                }
            }
        });
        Ok(Session {
            child,
            stdin: writer(stdin),
            lines,
            stderr,
            stderr_done,
            timed_out: false,
            closed: false,
        })
    }

    /// Reads the next line within the time limit.
    fn read(&self, s: &mut Session) -> Result<String, String> {
        let r = s.lines.recv_timeout(self.timeout);
        s.timed_out = matches!(r, Err(RecvTimeoutError::Timeout));
        s.closed = matches!(r, Ok(Line::End) | Err(RecvTimeoutError::Disconnected));
        match r {
            Ok(Line::Text(t)) => Ok(t),
            Ok(Line::TooLong) => Err(format!(
                "the adapter wrote a line longer than {MAX_LINE} bytes"
            )),
            Ok(Line::NotUtf8) => Err("the adapter wrote a line that is not UTF-8".into()),
            Ok(Line::End) | Err(RecvTimeoutError::Disconnected) => {
                Err("the adapter closed its standard output (exited or crashed)".into())
            }
            Ok(Line::Failed(e)) => Err(format!("reading the adapter's output failed: {e}")),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "no answer within {} s (hung adapter killed)",
                self.timeout.as_secs_f64()
            )),
        }
    }

    fn handshake(&mut self) -> Result<Hello, Broken> {
        let mut s = self.spawn()?;
        let hello = json!({"id": 0, "op": "hello", "protocol": PROTOCOL});
        if s.stdin.send(line_of(&hello)).is_err() {
            return Err(s.fail(
                "cannot write the handshake: the adapter's standard input is closed".into(),
            ));
        }
        let line = match self.read(&mut s) {
            Ok(l) => l,
            Err(reason) => return Err(s.fail(format!("handshake: {reason}"))),
        };
        let parsed = serde_json::from_str::<Value>(&line)
            .map_err(|e| format!("handshake: the answer is not JSON ({e}): {}", clip(&line)))
            .and_then(|v| Hello::from_response(&v).map_err(|e| format!("handshake: {e}")));
        match parsed {
            Ok(h) => {
                self.session = Some(s);
                Ok(h)
            }
            Err(reason) => Err(s.fail(reason)),
        }
    }

    fn restart(&mut self, why: &str) -> Result<(), Broken> {
        self.restarts += 1;
        self.notes.push(format!("adapter restarted after: {why}"));
        self.handshake().map(|_| ())
    }
}

/// Starts the thread that writes to the child's standard input: it writes
/// what it is sent and flushes when nothing more is waiting, and ends when
/// the child stops accepting input or the session drops its sender (which
/// closes the child's standard input).
fn writer(stdin: ChildStdin) -> Sender<Vec<u8>> {
    let (tx, rx) = channel::<Vec<u8>>();
    thread::spawn(move || {
        let mut w = BufWriter::with_capacity(1 << 16, stdin);
        while let Ok(mut line) = rx.recv() {
            loop {
                if w.write_all(&line).is_err() {
                    return;
                }
                match rx.try_recv() {
                    Ok(more) => line = more,
                    Err(_) => break,
                }
            }
            if w.flush().is_err() {
                return;
            }
        }
    });
    tx
}

/// A request as one line.
fn line_of(v: &Value) -> Vec<u8> {
    let mut bytes = v.to_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

/// A line cut for a message.
fn clip(s: &str) -> String {
    if s.len() <= 200 {
        return s.to_owned();
    }
    let mut end = 200;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl Transport for Process {
    fn start(&mut self) -> Result<Hello, Broken> {
        if let Some(s) = self.session.take() {
            s.kill();
        }
        self.handshake()
    }

    fn exchange(&mut self, requests: &[Value]) -> Vec<Answer> {
        let mut answers: Vec<Answer> = Vec::with_capacity(requests.len());
        // Index of the next request to write and of the next to answer.
        let mut next = 0;
        while answers.len() < requests.len() {
            let Some(mut s) = self.session.take() else {
                // The adapter could not be restarted: nothing more is sent.
                let why = self
                    .notes
                    .last()
                    .cloned()
                    .unwrap_or_else(|| "the adapter is not running".into());
                while answers.len() < requests.len() {
                    answers.push(Err(Broken {
                        reason: format!("not sent: the adapter is not running ({why})"),
                        stderr: String::new(),
                    }));
                }
                break;
            };
            let base = answers.len();
            next = next.max(base);
            let first_id = self.next_id;
            // Ids of the in-flight requests: first_id + (i - base).
            let mut failure: Option<String> = None;
            while answers.len() < requests.len() && failure.is_none() {
                // Write ahead up to the pipeline depth, as one burst.
                let mut burst = Vec::new();
                while next < requests.len() && next - answers.len() < PIPELINE_DEPTH {
                    let mut r = requests[next].clone();
                    r["id"] = json!(first_id + (next - base) as u64);
                    burst.extend_from_slice(&line_of(&r));
                    next += 1;
                }
                if !burst.is_empty() && s.stdin.send(burst).is_err() {
                    failure =
                        Some("cannot write to the adapter: its standard input is closed".into());
                    break;
                }
                let want = first_id + (answers.len() - base) as u64;
                match self.read(&mut s) {
                    Err(reason) => {
                        if s.timed_out {
                            self.timeouts += 1;
                        }
                        failure = Some(reason);
                    }
                    Ok(line) => match serde_json::from_str::<Value>(&line) {
                        Err(e) => {
                            failure = Some(format!(
                                "the adapter wrote a line that is not JSON ({e}): {}",
                                clip(&line)
                            ));
                        }
                        Ok(v) if v.get("id") != Some(&json!(want)) => {
                            failure = Some(format!(
                                "the adapter answered out of order: expected id {want}, got {}",
                                clip(
                                    &v.get("id")
                                        .map_or_else(|| "none".to_owned(), Value::to_string)
                                )
                            ));
                        }
                        Ok(v) => {
                            self.timeouts = 0;
                            answers.push(Ok(v));
                        }
                    },
                }
            }
            self.next_id = first_id + (next - base) as u64;
            match failure {
                None => self.session = Some(s),
                Some(reason) => {
                    answers.push(Err(s.fail(reason.clone())));
                    // Requests written after the failed one are sent again.
                    next = answers.len();
                    if self.timeouts >= MAX_CONSECUTIVE_TIMEOUTS {
                        while answers.len() < requests.len() {
                            answers.push(Err(Broken {
                                reason: format!(
                                    "not sent: the adapter timed out {} times in a row",
                                    self.timeouts
                                ),
                                stderr: String::new(),
                            }));
                        }
                        self.timeouts = 0;
                    }
                    if let Err(b) = self.restart(&reason) {
                        self.notes.push(format!("restart failed: {b}"));
                    }
                }
            }
        }
        answers
    }

    fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    fn describe(&self) -> String {
        self.argv.join(" ")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            s.kill();
        }
    }
}

/// Whether `program` names an existing file: a path when it contains a
/// `/`, else a file in one of the directories of `PATH`. A missing program
/// is a setup error (exit status 2), not a conformance failure.
fn program_exists(program: &str) -> bool {
    let path = std::path::Path::new(program);
    if program.contains('/') {
        return path.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|dirs| std::env::split_paths(&dirs).any(|d| d.join(program).is_file()))
}
