//! Fault rules: scripted misbehaviour on top of the store.
//!
//! A [`FaultRule`] is a scope ([`When`]), a [`Fault`] and an optional cap on
//! how often it fires. Rules are checked in script order; several rules can
//! apply to one event or request.
//!
//! Scope. `connection` is the 0-based index of the connection in order of
//! acceptance; `subscription` is a subscription id; `filter` is a NIP-01
//! filter object. How `filter` is compared depends on the fault:
//!
//! - event faults (`duplicate`, `delay`, `withhold`, `serve_stale`,
//!   `inject`, `serve_expired`) compare it with each event served: the rule
//!   applies to events the filter matches;
//! - request faults (`reorder`, `closed`, `notice`, `no_eose`,
//!   `disconnect`, `send_frame`) compare it with the `REQ`: the rule applies
//!   when one of the REQ's filters asks for everything the rule's filter
//!   names ([`crate::filter::Filter::requests`]; `{"#d": ["x"]}` applies to
//!   a REQ for d-tag `x`);
//! - publish faults (`refuse_publish`, `accept_without_storing`,
//!   `publish_notice`, `ignore_publish`, `ok_empty_id`,
//!   `disconnect_on_publish`) compare it with the published event;
//!   `subscription` is not compared.
//!
//! `max_hits` caps how often a rule fires: once per event for event faults
//! (per served event; for `inject`, per REQ it injects into), once per REQ
//! for request faults, once per publish for publish faults.

use serde::{Deserialize, Serialize};

use crate::filter::Filter;
use crate::script::ScriptEvent;

/// A fault, its scope and an optional cap on how often it fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "FaultRuleJson")]
pub struct FaultRule {
    /// Which connections, subscriptions and events the rule applies to;
    /// empty means everything.
    #[serde(default)]
    pub when: When,
    /// What the relay does wrong.
    pub fault: Fault,
    /// Fire at most this many times (see the module doc); absent means always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_hits: Option<u64>,
}

/// The JSON form of a rule, read strictly: serde's `deny_unknown_fields`
/// does not reach the unit variants of an internally tagged enum, so they
/// are checked here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRuleJson {
    #[serde(default)]
    when: When,
    fault: serde_json::Value,
    #[serde(default)]
    max_hits: Option<u64>,
}

/// Faults and triggers without members besides their tag.
const UNIT_FAULTS: &[&str] = &[
    "reorder",
    "withhold",
    "serve_expired",
    "accept_without_storing",
    "ignore_publish",
    "ok_empty_id",
    "disconnect_on_publish",
    "no_eose",
];

impl TryFrom<FaultRuleJson> for FaultRule {
    type Error = String;
    fn try_from(json: FaultRuleJson) -> Result<Self, String> {
        let kind = json
            .fault
            .get("type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let members = json.fault.as_object().map_or(0, serde_json::Map::len);
        if UNIT_FAULTS.contains(&kind) && members != 1 {
            return Err(format!("fault `{kind}` takes no member besides `type`"));
        }
        if let Some(until) = json.fault.get("until")
            && until.get("on").and_then(serde_json::Value::as_str) == Some("after_eose")
            && until.as_object().map_or(0, serde_json::Map::len) != 1
        {
            return Err("trigger `after_eose` takes no member besides `on`".into());
        }
        let fault: Fault = serde_json::from_value(json.fault).map_err(|e| e.to_string())?;
        Ok(Self {
            when: json.when,
            fault,
            max_hits: json.max_hits,
        })
    }
}

impl FaultRule {
    /// A rule that applies to everything.
    pub fn always(fault: Fault) -> Self {
        Self {
            when: When::default(),
            fault,
            max_hits: None,
        }
    }

    /// A rule that applies to what `filter` selects.
    pub fn matching(filter: Filter, fault: Fault) -> Self {
        Self {
            when: When {
                filter: Some(filter),
                ..When::default()
            },
            fault,
            max_hits: None,
        }
    }

    /// Restricts the rule to the connection with this 0-based index.
    pub fn on_connection(mut self, index: u64) -> Self {
        self.when.connection = Some(index);
        self
    }

    /// Restricts the rule to subscriptions with this id.
    pub fn on_subscription(mut self, id: impl Into<String>) -> Self {
        self.when.subscription = Some(id.into());
        self
    }

    /// Caps how often the rule fires.
    pub fn at_most(mut self, hits: u64) -> Self {
        self.max_hits = Some(hits);
        self
    }
}

/// The scope of a fault rule. Absent members match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// 0-based index of the connection, in order of acceptance by this relay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<u64>,
    /// Subscription id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// NIP-01 filter; compared as the module doc says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
}

/// What goes wrong. JSON: an object with `"type": "<snake_case name>"` and
/// the variant's members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Fault {
    /// Request fault: the stored events of the answer are sent oldest first
    /// (the reverse of the newest-first order).
    Reorder,
    /// Event fault: each matching event is sent `copies` extra times.
    Duplicate {
        /// Extra copies per event (default 1).
        #[serde(default = "one")]
        copies: u32,
    },
    /// Event fault: matching events are held back and sent (as `EVENT` on
    /// the same subscription, if still open) when the trigger fires.
    Delay {
        /// When the held events are sent.
        until: Trigger,
    },
    /// Event fault: matching events are never served, stored or live.
    Withhold,
    /// Event fault: for a matching addressable or replaceable event, an
    /// older version of the same address (one it replaced, or one refused
    /// because it was older) is served instead of it or besides it. Only
    /// versions that match the REQ's filters are served.
    ServeStale {
        /// `instead` (default): the newest older version replaces the
        /// current one; `besides`: every older version follows it.
        #[serde(default)]
        mode: StaleMode,
    },
    /// Event fault: these events are served, without any check, to every
    /// REQ one of whose filters (and the rule's filter) matches them, as if
    /// stored: forged signatures, wrong ids, junk content, expired events,
    /// other authors.
    Inject {
        /// The events to serve.
        events: Vec<ScriptEvent>,
    },
    /// Event fault: matching stored events are served even after they expire.
    ServeExpired,
    /// Publish fault: `["OK", <id>, false, "<prefix>: <message>"]`, event not stored.
    RefusePublish {
        /// NIP-01 prefix without the colon: `duplicate`, `pow`, `blocked`,
        /// `rate-limited`, `invalid`, `restricted`, `mute`, `error`,
        /// `auth-required`.
        prefix: String,
        /// Human-readable part.
        #[serde(default)]
        message: String,
    },
    /// Publish fault: `OK true`, but the event is neither stored nor
    /// forwarded.
    AcceptWithoutStoring,
    /// Publish fault: a `NOTICE` instead of `OK`; event not stored.
    PublishNotice {
        /// The notice text.
        message: String,
    },
    /// Publish fault: no answer at all; event not stored.
    IgnorePublish,
    /// Publish fault: the event is handled normally, but the `OK` carries an
    /// empty event id.
    OkEmptyId,
    /// Publish fault: the connection is dropped (no close frame) instead of
    /// answering; event not stored.
    DisconnectOnPublish,
    /// Request fault: `["CLOSED", <sub>, <message>]` instead of an answer.
    Closed {
        /// The CLOSED message (write it with a NIP-01 prefix, or without to
        /// test a client's tolerance).
        message: String,
    },
    /// Request fault: a `NOTICE` is sent before the answer.
    Notice {
        /// The notice text.
        message: String,
    },
    /// Request fault: no `EOSE` after the stored events.
    NoEose,
    /// Request fault: the connection is dropped (no close frame) after
    /// `after_events` stored events of the answer (before `EOSE`).
    Disconnect {
        /// Events sent before the drop (default 0).
        #[serde(default)]
        after_events: u32,
    },
    /// Request fault: this frame is sent before the answer.
    SendFrame {
        /// The frame.
        frame: RawFrame,
    },
}

fn one() -> u32 {
    1
}

/// When delayed events are released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// Right after `EOSE`, as if they had been published live.
    AfterEose,
    /// When the relay clock reaches `at` (Unix seconds).
    ClockAt {
        /// Unix seconds.
        at: u64,
    },
    /// When the relay clock has advanced `seconds` past the moment the
    /// event would have been sent.
    ClockAfter {
        /// Seconds of relay-clock time.
        seconds: u64,
    },
    /// When the test calls [`crate::MockRelay::release`] with this name.
    Release {
        /// The trigger's name.
        name: String,
    },
}

/// How `serve_stale` serves older versions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaleMode {
    /// The newest older version is served instead of the current one.
    #[default]
    Instead,
    /// Every older version is served after the current one.
    Besides,
}

/// A frame the relay sends as is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawFrame {
    /// A text frame with exactly this text (malformed JSON, unknown verbs...).
    Text {
        /// The text.
        text: String,
    },
    /// A text frame `["NOTICE","xxx…"]` of exactly `bytes` bytes (13 at least).
    Oversize {
        /// Total frame length in bytes.
        bytes: u64,
    },
    /// A binary frame with these bytes (hex).
    Binary {
        /// Lower-case hex.
        hex: String,
    },
}

impl RawFrame {
    /// The oversize NOTICE text of `bytes` bytes (at least the 13 bytes of
    /// `["NOTICE",""]` plus padding).
    pub fn oversize_text(bytes: u64) -> String {
        let pad = usize::try_from(bytes.saturating_sub(13)).unwrap_or(usize::MAX >> 1);
        let pad = pad.min(1 << 30);
        format!("[\"NOTICE\",\"{}\"]", "x".repeat(pad))
    }
}
