//! The reference implementation's adapter (`spec/adapter-protocol.md`): a
//! dispatcher from a request (JSON) to a response (JSON) over the
//! `openslots` crate, one module per vector suite under [`ops`], and the
//! JSON Lines loop the `openslots-adapter` binary runs ([`serve`]).
//!
//! The harness links this library to run the reference in process, and
//! starts the binary to run it out of process, exactly as it runs any other
//! implementation's adapter.

use std::io::{BufRead, BufReader, Read, Write};

use serde_json::{Map, Value, json};

pub mod ops;

/// The reference implementation this adapter drives. Tests that build an
/// implementation under test from it (for example clients with one planted
/// mistake) reach it here, so that the harness depends on the reference
/// only through its adapter; the harness's judging code never uses it.
pub use openslots as reference;

/// The protocol version this adapter speaks (OS-ADAPTER-8).
pub const PROTOCOL: u64 = 1;
/// The name the adapter gives in its handshake.
pub const NAME: &str = "openslots-reference";
/// The version it gives: the reference crate's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The error code for a request the adapter cannot read: not a JSON object,
/// no `id`, or an `input` that does not have the operation's members
/// (spec/adapter-protocol.md §2). It never matches a case's code.
pub const BAD_REQUEST: &str = "bad-request";

/// Why an operation produced no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpError {
    /// The implementation rejects the input with this spec §15 code.
    Code(String, String),
    /// The request's input cannot be read (`bad-request`).
    BadRequest(String),
    /// The operation or profile is not implemented.
    Unsupported(String),
}

impl OpError {
    /// From an error of the reference, with its code and message.
    pub fn spec<E: openslots::SpecError + std::fmt::Display>(e: &E) -> Self {
        Self::Code(e.code().as_str().to_owned(), e.to_string())
    }

    /// From a failure of the reference (code and requirement).
    pub fn failure(f: &openslots::Failure) -> Self {
        Self::Code(f.code.as_str().to_owned(), f.to_string())
    }
}

/// What an operation returns: the `ok` value or why not.
pub type OpResult = Result<Value, OpError>;

/// An operation: profile (`v1`, `v2`, `any`) and input to output.
pub type Operation = fn(&str, &Value) -> OpResult;

/// The handshake answer's `ok` value (OS-ADAPTER-8).
pub fn hello() -> Value {
    json!({
        "name": NAME,
        "version": VERSION,
        "protocol": PROTOCOL,
        "profiles": ["v1", "v2"],
        "operations": ops::names(),
    })
}

fn response(id: Value, key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), id);
    m.insert(key.into(), value);
    Value::Object(m)
}

/// Answers one request (already parsed) with one response.
pub fn dispatch(request: &Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(op) = request.get("op").and_then(Value::as_str) else {
        return response(
            id,
            "error",
            json!({"code": BAD_REQUEST, "message": "the request has no op"}),
        );
    };
    if op == "hello" {
        return match request.get("protocol").and_then(Value::as_u64) {
            Some(PROTOCOL) => response(id, "ok", hello()),
            _ => response(
                id,
                "error",
                json!({"code": BAD_REQUEST, "message": "this adapter speaks protocol 1 only"}),
            ),
        };
    }
    let profile = request
        .get("profile")
        .and_then(Value::as_str)
        .unwrap_or("any");
    let empty = Value::Object(Map::new());
    let input = request.get("input").unwrap_or(&empty);
    let outcome = match ops::find(op) {
        Some(f) => f(profile, input),
        None => Err(OpError::Unsupported(format!(
            "operation {op} is not implemented"
        ))),
    };
    match outcome {
        Ok(v) => response(id, "ok", v),
        Err(OpError::Code(code, message)) => {
            response(id, "error", json!({"code": code, "message": message}))
        }
        Err(OpError::BadRequest(message)) => response(
            id,
            "error",
            json!({"code": BAD_REQUEST, "message": message}),
        ),
        Err(OpError::Unsupported(why)) => response(id, "unsupported", json!(why)),
    }
}

/// Answers one request line with one response line (without the newline).
pub fn handle_line(line: &str) -> String {
    let answer = match serde_json::from_str::<Value>(line) {
        Ok(v) if v.is_object() => dispatch(&v),
        Ok(_) => {
            json!({"id": null, "error": {"code": BAD_REQUEST, "message": "a request is a JSON object"}})
        }
        Err(e) => {
            json!({"id": null, "error": {"code": BAD_REQUEST, "message": format!("not JSON: {e}")}})
        }
    };
    answer.to_string()
}

/// The JSON Lines loop: one response line per request line, in order,
/// until `input` ends (OS-ADAPTER-1, OS-ADAPTER-3). Output is flushed
/// whenever no further request is already buffered, so a pipelining harness
/// is not slowed by a flush per response and a waiting one never waits.
///
/// # Errors
///
/// When reading or writing fails.
pub fn serve<R: Read, W: Write>(mut input: BufReader<R>, mut output: W) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            output.flush()?;
            return Ok(());
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            continue;
        }
        output.write_all(handle_line(text).as_bytes())?;
        output.write_all(b"\n")?;
        if input.buffer().is_empty() {
            output.flush()?;
        }
    }
}
