//! `openslots-broken-adapter`: the reference adapter, broken in one chosen
//! way, for the tests that prove the harness notices. It answers every
//! request as the reference does, except those the options select.
//!
//! ```text
//! openslots-broken-adapter [--op OP] [--match-input JSON] MODE [ARG]
//!   flip-byte MEMBER   flip the last byte of string member MEMBER of ok answers
//!   wrong-code CODE    replace the code of error answers with CODE
//!   error-for-value    answer an error (cipher-plaintext-length) instead of a value
//!   crash              write to stderr (naming the request's case) and exit
//!                      with status 3
//!   hang               never answer (and never exit)
//!   malformed          write a line that is not JSON
//!   protocol N         give protocol N in the handshake
//!   drop-op            leave OP out of the handshake
//!   unsupported        answer unsupported
//!   clear-superseded   empty the superseded list of ok answers (a SHOULD)
//!   extra-profile P    add profile P to the handshake
//!   intermediate JSON  add `intermediate` JSON to ok answers
//!   remove POINTER     remove the member at JSON pointer POINTER (e.g.
//!                      `/participants/0/eventId`) from ok answers
//!   none               break nothing (the `openslots-adapter` binary's own loop)
//! ```
//!
//! Single-behaviour mistakes for the fuzzer's bite tests (`tests/fuzz.rs`);
//! each changes one reading of the spec. No vector case caught any of them
//! when they were planted; the last two are caught since the disagreements
//! the fuzzer found were settled (OS-MASK-12, OS-MASK-13):
//!
//! ```text
//!   parse-event-verifies-id   parse_event also checks the id (event-id)
//!   unpadded-mask             decode_v2 accepts base64 whose last group of
//!                             two bytes lacks its = padding
//!   grid-later-offset         generate_grid takes the later offset of an
//!                             overlap, in Europe/Berlin only
//!   write-unvalidated-mask    write_room and write_response write a mask
//!                             they have not validated
//!   empty-mask-untrimmed      validate_room rejects the empty mask as
//!                             mask-untrimmed instead of mask-length
//! ```
//!
//! `--op` selects requests of that operation, `--match-input` those whose
//! input serialises to exactly that JSON; both must hold when given.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use serde_json::{Value, json};

struct Options {
    op: Option<String>,
    input: Option<String>,
    mode: String,
    arg: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        op: None,
        input: None,
        mode: String::new(),
        arg: None,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--op" => o.op = args.next(),
            "--match-input" => o.input = args.next(),
            _ if o.mode.is_empty() => o.mode = a,
            _ => o.arg = Some(a),
        }
    }
    if o.mode.is_empty() {
        return Err("no mode".into());
    }
    Ok(o)
}

fn selected(o: &Options, request: &Value) -> bool {
    let op_ok =
        o.op.as_deref()
            .is_none_or(|op| request.get("op").and_then(Value::as_str) == Some(op));
    let input_ok = o.input.as_deref().is_none_or(|want| {
        request
            .get("input")
            .map(|i| serde_json::to_string(i).unwrap_or_default())
            .as_deref()
            == Some(want)
    });
    op_ok && input_ok
}

fn answer(o: &Options, request: &Value) -> Option<String> {
    let mut r = openslots_adapter::dispatch(request);
    let is_hello = request.get("op").and_then(Value::as_str) == Some("hello");
    if is_hello {
        match o.mode.as_str() {
            "protocol" => {
                let n: u64 = o.arg.as_deref().and_then(|a| a.parse().ok()).unwrap_or(2);
                r["ok"]["protocol"] = json!(n);
            }
            "extra-profile" => {
                if let Some(ps) = r["ok"]["profiles"].as_array_mut() {
                    ps.push(json!(o.arg.clone().unwrap_or_default()));
                }
            }
            "drop-op" => {
                if let Some(ops) = r["ok"]["operations"].as_array_mut() {
                    ops.retain(|x| x.as_str() != o.op.as_deref());
                }
            }
            _ => {}
        }
        return Some(r.to_string());
    }
    if !selected(o, request) {
        return Some(r.to_string());
    }
    if let Some(planted) = planted(&o.mode, request, &r) {
        return Some(planted.to_string());
    }
    match o.mode.as_str() {
        "flip-byte" => {
            let member = o.arg.clone().unwrap_or_default();
            if let Some(Value::String(s)) = r.get_mut("ok").and_then(|ok| ok.get_mut(&member)) {
                let mut bytes = s.clone().into_bytes();
                if let Some(last) = bytes.last_mut() {
                    *last ^= 1;
                }
                *s = String::from_utf8_lossy(&bytes).into_owned();
            }
        }
        "wrong-code" => {
            if let Some(e) = r.get_mut("error") {
                e["code"] = json!(o.arg.clone().unwrap_or_default());
            }
        }
        "error-for-value" if r.get("ok").is_some() => {
            r = json!({"id": r["id"], "error": {"code": "cipher-plaintext-length", "message": "broken on purpose"}});
        }
        "crash" => {
            let case = request.get("case").and_then(Value::as_str).unwrap_or("?");
            eprintln!("broken adapter: crashing as asked on case {case}");
            std::process::exit(3);
        }
        "hang" => {
            eprintln!("broken adapter: hanging as asked");
            loop {
                std::thread::park();
            }
        }
        "clear-superseded" => {
            if let Some(ok) = r.get_mut("ok").and_then(Value::as_object_mut) {
                ok.insert("superseded".into(), json!([]));
            }
        }
        "intermediate" => {
            let v: Value = o
                .arg
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or(Value::Null);
            if let Some(ok) = r.get_mut("ok").and_then(Value::as_object_mut) {
                ok.insert("intermediate".into(), v);
            }
        }
        "remove" => {
            let pointer = o.arg.clone().unwrap_or_default();
            if let Some((parent, key)) = pointer.rsplit_once('/')
                && let Some(ok) = r.get_mut("ok")
            {
                match ok.pointer_mut(parent) {
                    Some(Value::Object(m)) => {
                        m.remove(key);
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(i) = key.parse::<usize>()
                            && i < a.len()
                        {
                            a.remove(i);
                        }
                    }
                    _ => {}
                }
            }
        }
        "malformed" => return Some("{\"id\": this is not JSON".into()),
        "unsupported" => r = json!({"id": r["id"], "unsupported": "not implemented here"}),
        _ => {}
    }
    Some(r.to_string())
}

/// The answer of a planted single-behaviour mistake, when it applies.
fn planted(mode: &str, request: &Value, r: &Value) -> Option<Value> {
    let op = request.get("op").and_then(Value::as_str)?;
    let input = request.get("input")?;
    let id = r.get("id").cloned().unwrap_or(Value::Null);
    let error = |code: &str| json!({"id": id, "error": {"code": code, "message": "planted"}});
    match (mode, op) {
        ("parse-event-verifies-id", "parse_event") if r.get("ok").is_some() => {
            let text = input.get("eventJson")?.as_str()?;
            let event = nostr::event::Event::from_json(text).ok()?;
            (!event.verify_id()).then(|| error("event-id"))
        }
        ("unpadded-mask", "decode_v2") if r.get("error").is_some() => {
            let b = input.get("b")?.as_str()?;
            // Only one `=` missing (a last group of two bytes).
            if b.contains('=') || b.len() % 4 != 3 {
                return None;
            }
            let mut padded = input.clone();
            padded["b"] = json!(format!("{b}{}", "="));
            let mut again = request.clone();
            again["input"] = padded;
            let answer = openslots_adapter::dispatch(&again);
            answer.get("ok").is_some().then_some(answer)
        }
        ("grid-later-offset", "generate_grid") => {
            if input.get("zone")?.as_str()? != "Europe/Berlin" {
                return None;
            }
            let tz = jiff::tz::TimeZone::get("Europe/Berlin").ok()?;
            let slots = r.get("ok")?.get("slots")?.as_array()?;
            let moved: Vec<Value> = slots
                .iter()
                .map(|s| {
                    let t = s.as_i64().unwrap_or_default();
                    let later = jiff::Timestamp::from_second(t).ok().and_then(|ts| {
                        let dt = ts.to_zoned(tz.clone()).datetime();
                        let amb = tz.to_ambiguous_timestamp(dt);
                        if amb.is_ambiguous() {
                            amb.later().ok().map(|l| l.as_second())
                        } else {
                            None
                        }
                    });
                    json!(later.unwrap_or(t))
                })
                .collect();
            Some(json!({"id": id, "ok": {"slots": moved}}))
        }
        ("write-unvalidated-mask", "write_room" | "write_response") => {
            let code = r.get("error")?.get("code")?.as_str()?;
            if !code.starts_with("mask-") || request.get("profile")? != "v1" {
                return None;
            }
            let mask = input.get("mask")?.clone();
            let plaintext = if op == "write_room" {
                json!({"t": input.get("title")?, "s": input.get("start")?, "o": mask})
            } else {
                json!({"n": input.get("name")?, "o": mask})
            };
            Some(json!({"id": id, "ok": {"plaintext": plaintext.to_string()}}))
        }
        ("empty-mask-untrimmed", "validate_room") if input.get("mask")? == "" => {
            Some(error("mask-untrimmed"))
        }
        _ => None,
    }
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("openslots-broken-adapter: {e}");
            return ExitCode::from(2);
        }
    };
    if o.mode == "none" {
        // Exactly the loop of the `openslots-adapter` binary.
        let input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
        let output = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        return match openslots_adapter::serve(input, output) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let request: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if let Some(a) = answer(&o, &request)
            && writeln!(out, "{a}").and_then(|()| out.flush()).is_err()
        {
            break;
        }
    }
    ExitCode::SUCCESS
}
