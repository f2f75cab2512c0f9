//! The recorder: every frame clients send to a relay, per connection, in
//! order of arrival, including frames the relay could not parse.
//!
//! Tests and the scenario runner read it after the fact
//! ([`Recorder::records`], [`Recorder::published`]) or wait for something
//! to arrive ([`Recorder::wait_for`], with a timeout that only fires when
//! the expected frame never comes).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

/// Longest text kept per unparsed or binary frame (the length is kept whole).
pub const MAX_RECORDED_BYTES: usize = 65_536;

/// One recorded client action.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    /// Position in this relay's recording, from 0.
    pub seq: u64,
    /// 0-based index of the connection, in order of acceptance.
    pub connection: u64,
    /// Relay clock when it arrived.
    pub at: u64,
    /// What arrived.
    pub frame: RecordedFrame,
}

/// A client frame (or connection event) as recorded.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecordedFrame {
    /// A WebSocket connection was opened.
    Connected,
    /// `["EVENT", <event>]` (the event as sent, whatever its validity).
    Event {
        /// The second element of the frame.
        event: Value,
    },
    /// `["REQ", <sub>, <filter>...]`.
    Req {
        /// The subscription id as sent (normally a string).
        subscription: Value,
        /// The filters as sent.
        filters: Vec<Value>,
    },
    /// `["CLOSE", <sub>]`.
    Close {
        /// The subscription id as sent.
        subscription: Value,
    },
    /// Valid JSON that is not one of the above (another verb, a wrong shape).
    Other {
        /// The message.
        message: Value,
    },
    /// A text frame that is not JSON.
    Unparsed {
        /// The text (first [`MAX_RECORDED_BYTES`] bytes at most).
        text: String,
        /// Its full length in bytes.
        length: usize,
    },
    /// A binary frame.
    Binary {
        /// Lower-case hex of the first [`MAX_RECORDED_BYTES`] bytes.
        hex: String,
        /// Its full length in bytes.
        length: usize,
    },
    /// The connection ended.
    Disconnected,
}

/// The recording of one relay; clones share it.
#[derive(Clone, Debug)]
pub struct Recorder {
    records: Arc<Mutex<Vec<Record>>>,
    changed: Arc<watch::Sender<u64>>,
}

impl Default for Recorder {
    fn default() -> Self {
        let (tx, _rx) = watch::channel(0);
        Self {
            records: Arc::default(),
            changed: Arc::new(tx),
        }
    }
}

/// [`Recorder::wait_for`] gave up.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("timed out after {waited:?} waiting for a recorded frame; {count} records so far")]
pub struct WaitTimeout {
    /// How long it waited.
    pub waited: Duration,
    /// How many records there were.
    pub count: usize,
}

impl Recorder {
    fn lock(&self) -> MutexGuard<'_, Vec<Record>> {
        self.records.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends a record.
    pub fn push(&self, connection: u64, at: u64, frame: RecordedFrame) {
        let mut records = self.lock();
        let seq = records.len() as u64;
        records.push(Record {
            seq,
            connection,
            at,
            frame,
        });
        drop(records);
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Everything recorded so far.
    pub fn records(&self) -> Vec<Record> {
        self.lock().clone()
    }

    /// The events of every `EVENT` frame, in order of arrival.
    pub fn published(&self) -> Vec<Value> {
        self.lock()
            .iter()
            .filter_map(|r| match &r.frame {
                RecordedFrame::Event { event } => Some(event.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every `REQ` frame: (connection, subscription, filters).
    pub fn requests(&self) -> Vec<(u64, Value, Vec<Value>)> {
        self.lock()
            .iter()
            .filter_map(|r| match &r.frame {
                RecordedFrame::Req {
                    subscription,
                    filters,
                } => Some((r.connection, subscription.clone(), filters.clone())),
                _ => None,
            })
            .collect()
    }

    /// The records of one connection.
    pub fn connection(&self, index: u64) -> Vec<Record> {
        self.lock()
            .iter()
            .filter(|r| r.connection == index)
            .cloned()
            .collect()
    }

    /// The records as a JSON array.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.records()).unwrap_or(Value::Null)
    }

    /// Waits until `done` holds for the records, or `timeout` passes (the
    /// timeout is wall time and only matters when something is missing).
    pub async fn wait_for<F>(
        &self,
        timeout: Duration,
        mut done: F,
    ) -> Result<Vec<Record>, WaitTimeout>
    where
        F: FnMut(&[Record]) -> bool,
    {
        let mut rx = self.changed.subscribe();
        let wait = async {
            loop {
                {
                    let records = self.lock();
                    if done(&records) {
                        return records.clone();
                    }
                }
                if rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| WaitTimeout {
                waited: timeout,
                count: self.lock().len(),
            })
    }
}
