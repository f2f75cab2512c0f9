//! Client conformance scenarios: a client under test against scripted mock
//! relays on a clock the scenario owns.
//!
//! - [`model`]: the scenario format (`vectors/scenarios/*.json`).
//! - [`booking`]: bookings in scenarios (spec §19.1): receipts, requests, manifests.
//! - [`build`]: keys, links and described events, signed at run time.
//! - [`relays`]: the scenario's mock relays (crate `openslots-mock-relay`).
//! - [`check`]: what the client concluded, what it published, what it leaked.
//! - [`run`]: the runner, which drives any [`ClientAdapter`].
//! - [`wrap`]: member access groups, wrapper sets and their checks.

pub mod booking;
pub mod build;
pub mod check;
pub mod cli;
pub mod model;
pub mod relays;
pub mod report;
pub mod run;
pub mod wrap;

use serde_json::{Value, json};

use crate::adapter::{Hello, InProcess, Transport};

/// One answer of a client to an operation (adapter protocol §2).
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The operation succeeded with this output.
    Ok(Value),
    /// It failed with a spec §15 code.
    Error {
        /// The code (empty when the client gave none).
        code: String,
        /// Free text.
        message: String,
    },
    /// The client does not implement the operation or the profile.
    Unsupported(String),
}

/// A client under test: anything that answers the client operations of the
/// adapter protocol (§9), in process or as an adapter program.
pub trait ClientAdapter {
    /// A name for reports.
    fn name(&self) -> String;
    /// Runs one operation. Called from a thread outside any async runtime.
    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply;
}

/// A client reached through a transport of the adapter protocol: the
/// reference in process ([`crate::adapter::InProcess`]) or any adapter
/// program ([`crate::adapter::Process`]).
pub struct TransportClient {
    transport: Box<dyn Transport>,
    hello: Option<Result<Hello, String>>,
}

impl TransportClient {
    /// A client over `transport`; the handshake happens on first use.
    pub fn new(transport: Box<dyn Transport>) -> Self {
        Self {
            transport,
            hello: None,
        }
    }

    /// The reference client, in process, through the reference adapter.
    pub fn reference() -> Self {
        Self::new(Box::new(InProcess))
    }
}

impl ClientAdapter for TransportClient {
    fn name(&self) -> String {
        self.transport.describe()
    }

    fn call(&mut self, op: &str, profile: &str, input: &Value) -> Reply {
        let hello = self
            .hello
            .get_or_insert_with(|| self.transport.start().map_err(|b| b.to_string()));
        match hello {
            Err(e) => {
                return Reply::Error {
                    code: String::new(),
                    message: format!("handshake failed: {e}"),
                };
            }
            Ok(h) if !h.supports(op, profile) => {
                return Reply::Unsupported(format!("the adapter does not list {op} in {profile}"));
            }
            Ok(_) => {}
        }
        let req = json!({"op": op, "profile": profile, "input": input});
        let answer = self.transport.exchange(std::slice::from_ref(&req)).pop();
        match answer {
            None => Reply::Error {
                code: String::new(),
                message: "no answer".into(),
            },
            Some(Err(broken)) => Reply::Error {
                code: String::new(),
                message: broken.to_string(),
            },
            Some(Ok(v)) => {
                if let Some(ok) = v.get("ok") {
                    Reply::Ok(ok.clone())
                } else if let Some(err) = v.get("error") {
                    let field = |k: &str| {
                        err.get(k)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    };
                    Reply::Error {
                        code: field("code"),
                        message: field("message"),
                    }
                } else if let Some(why) = v.get("unsupported") {
                    Reply::Unsupported(why.as_str().unwrap_or_default().to_owned())
                } else {
                    Reply::Error {
                        code: String::new(),
                        message: format!("not a response: {v}"),
                    }
                }
            }
        }
    }
}
