//! The script a mock relay runs: its name, limits, store rules (well-behaved
//! or breaking exactly one rule per [`Breakage`]), preloaded events and
//! fault rules. Serialisable to and from JSON; the JSON Schema is
//! `spec/schemas/mock-relay-script.schema.json`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::MockRelayError;
use crate::fault::FaultRule;

/// Everything one mock relay does. The default script is a well-behaved
/// relay with no events and no faults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// The relay's name, served in its NIP-11 document and used in reports.
    #[serde(default = "default_name")]
    pub name: String,
    /// Limits the relay announces in NIP-11 and enforces.
    #[serde(default)]
    pub limits: Limits,
    /// Rules of the well-behaved store this relay breaks; empty for a
    /// well-behaved relay. Each breakage breaks exactly one rule.
    #[serde(default)]
    pub breakages: Vec<Breakage>,
    /// Events stored before the first client connects, in this order (the
    /// store's replacement rules apply between them).
    #[serde(default)]
    pub preload: Vec<ScriptEvent>,
    /// Fault rules, checked in this order.
    #[serde(default)]
    pub faults: Vec<FaultRule>,
}

fn default_name() -> String {
    "openslots-mock-relay".to_string()
}

impl Default for Script {
    fn default() -> Self {
        Self {
            name: default_name(),
            limits: Limits::default(),
            breakages: Vec::new(),
            preload: Vec::new(),
            faults: Vec::new(),
        }
    }
}

impl Script {
    /// A well-behaved relay named `name`, with default limits.
    pub fn well_behaved(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Adds a breakage of one store rule.
    pub fn with_breakage(mut self, breakage: Breakage) -> Self {
        self.breakages.push(breakage);
        self
    }

    /// Adds a fault rule.
    pub fn with_fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Preloads a signed event (it must have a correct id and signature).
    pub fn with_event(mut self, event: nostr::event::Event) -> Self {
        self.preload.push(ScriptEvent::Event(event));
        self
    }

    /// Preloads a raw event, stored and served as given without any check.
    pub fn with_raw_event(mut self, raw: Value) -> Self {
        self.preload.push(ScriptEvent::Raw(raw));
        self
    }

    /// Replaces the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads a script from JSON.
    pub fn from_json(text: &str) -> Result<Self, MockRelayError> {
        serde_json::from_str(text).map_err(|e| MockRelayError::Script(e.to_string()))
    }

    /// The script as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Whether the script breaks `breakage` (compared by [`Breakage::code`]
    /// and its parameter).
    pub fn breaks(&self, breakage: &Breakage) -> bool {
        self.breakages.contains(breakage)
    }
}

/// An event in a script: either a concrete signed event or raw JSON.
///
/// JSON: `{"event": <NIP-01 event object>}` or `{"raw": <any JSON>}`. A raw
/// value that is a JSON string is the exact text served (it need not be
/// valid JSON); any other raw value is served as its compact serialisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScriptEvent {
    /// A signed event. As a preload it must verify (id and signature), so a
    /// mistake in a scenario is reported when the relay starts.
    Event(nostr::event::Event),
    /// Raw JSON, never checked: forgeries, wrong ids, junk.
    Raw(Value),
}

/// Limits the relay announces in its NIP-11 `limitation` object and enforces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Longest client frame accepted, in bytes (NIP-11 `max_message_length`).
    pub max_message_length: u64,
    /// Longest event content accepted, in characters (NIP-11 `max_content_length`).
    pub max_content_length: u64,
    /// Open subscriptions per connection (NIP-11 `max_subscriptions`).
    pub max_subscriptions: u64,
    /// Longest subscription id, in characters (NIP-11 `max_subid_length`).
    pub max_subid_length: u64,
    /// Each filter's `limit` is clamped to this (NIP-11 `max_limit`).
    pub max_limit: u64,
    /// The limit of a filter without `limit` (NIP-11 `default_limit`).
    pub default_limit: u64,
    /// How many seconds past the relay clock `created_at` may be (NIP-11
    /// `created_at_upper_limit`, relative to now).
    pub created_at_upper_limit: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_length: 524_288,
            max_content_length: 262_144,
            max_subscriptions: 20,
            max_subid_length: 64,
            max_limit: 500,
            default_limit: 500,
            created_at_upper_limit: 900,
        }
    }
}

/// One rule of the well-behaved relay, broken. A script with exactly one
/// breakage is what a relay conformance suite's self-test runs against: the
/// suite must report that rule and no other.
///
/// JSON: `{"rule": "<code>"}`, with `"tag": "<letter>"` for
/// `ignores_tag_filter`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Breakage {
    /// Keeps every version of a replaceable or addressable event, all served.
    NoAddressableReplacement,
    /// An older version published after a newer one replaces it.
    OlderReplacesNewer,
    /// Of two versions with equal created_at, the later arrival is kept
    /// instead of the lowest id.
    TieKeepsLastArrival,
    /// NIP-40 ignored entirely: accepts already expired events and serves
    /// expired ones.
    IgnoresExpiry,
    /// Refuses already expired events, but keeps serving stored events
    /// after they expire.
    ServesExpiredStored,
    /// Accepts events whose signature does not verify.
    AcceptsForgedSignatures,
    /// Accepts events whose id is not the hash of their contents.
    AcceptsWrongIds,
    /// Disregards the `#<tag>` filter member (the rest of the filter applies).
    IgnoresTagFilter {
        /// The tag letter, for example `a`.
        tag: char,
    },
    /// Disregards `limit` (and the announced `max_limit`/`default_limit`).
    IgnoresLimit,
    /// Disregards `since` and `until`.
    IgnoresSinceUntil,
    /// Refusals come as `OK false` without the machine-readable prefix.
    OkWithoutPrefix,
    /// Never sends `EOSE`.
    NeverSendsEose,
    /// Accepts any `created_at` in the future.
    AcceptsAnyFutureCreatedAt,
    /// Announces `max_content_length` and `max_message_length` in NIP-11
    /// but enforces neither.
    Nip11LimitNotEnforced,
    /// Announces `max_content_length` in NIP-11 but enforces half of it.
    Nip11LimitLargerThanEnforced,
    /// Serves no NIP-11 document (HTTP 404).
    NoNip11,
}

impl Breakage {
    /// The stable code of this breakage (its JSON `rule` value).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoAddressableReplacement => "no_addressable_replacement",
            Self::OlderReplacesNewer => "older_replaces_newer",
            Self::TieKeepsLastArrival => "tie_keeps_last_arrival",
            Self::IgnoresExpiry => "ignores_expiry",
            Self::ServesExpiredStored => "serves_expired_stored",
            Self::AcceptsForgedSignatures => "accepts_forged_signatures",
            Self::AcceptsWrongIds => "accepts_wrong_ids",
            Self::IgnoresTagFilter { .. } => "ignores_tag_filter",
            Self::IgnoresLimit => "ignores_limit",
            Self::IgnoresSinceUntil => "ignores_since_until",
            Self::OkWithoutPrefix => "ok_without_prefix",
            Self::NeverSendsEose => "never_sends_eose",
            Self::AcceptsAnyFutureCreatedAt => "accepts_any_future_created_at",
            Self::Nip11LimitNotEnforced => "nip11_limit_not_enforced",
            Self::Nip11LimitLargerThanEnforced => "nip11_limit_larger_than_enforced",
            Self::NoNip11 => "no_nip11",
        }
    }

    /// One instance of every breakage (`ignores_tag_filter` for each of the
    /// tags OpenSlots filters on: `a`, `d`, `e`, `t`), for self-tests that
    /// iterate over all of them.
    pub fn all() -> Vec<Breakage> {
        vec![
            Self::NoAddressableReplacement,
            Self::OlderReplacesNewer,
            Self::TieKeepsLastArrival,
            Self::IgnoresExpiry,
            Self::ServesExpiredStored,
            Self::AcceptsForgedSignatures,
            Self::AcceptsWrongIds,
            Self::IgnoresTagFilter { tag: 'a' },
            Self::IgnoresTagFilter { tag: 'd' },
            Self::IgnoresTagFilter { tag: 'e' },
            Self::IgnoresTagFilter { tag: 't' },
            Self::IgnoresLimit,
            Self::IgnoresSinceUntil,
            Self::OkWithoutPrefix,
            Self::NeverSendsEose,
            Self::AcceptsAnyFutureCreatedAt,
            Self::Nip11LimitNotEnforced,
            Self::Nip11LimitLargerThanEnforced,
            Self::NoNip11,
        ]
    }
}

impl<'de> Deserialize<'de> for Breakage {
    /// Strict reading: `{"rule": <code>}`, plus `"tag": "<one ASCII
    /// letter>"` for `ignores_tag_filter`, and no other member.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = Value::deserialize(deserializer)?;
        let obj = value
            .as_object()
            .ok_or_else(|| D::Error::custom("a breakage is a JSON object"))?;
        let rule = obj
            .get("rule")
            .and_then(Value::as_str)
            .ok_or_else(|| D::Error::custom("a breakage needs a `rule` string"))?;
        if rule == "ignores_tag_filter" {
            if obj.len() != 2 {
                return Err(D::Error::custom(
                    "`ignores_tag_filter` takes exactly the members `rule` and `tag`",
                ));
            }
            let tag = obj.get("tag").and_then(Value::as_str).unwrap_or_default();
            let mut chars = tag.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => Ok(Self::IgnoresTagFilter { tag: c }),
                _ => Err(D::Error::custom("`tag` must be one ASCII letter")),
            };
        }
        if obj.len() != 1 {
            return Err(D::Error::custom(format!(
                "breakage `{rule}` takes no member besides `rule`"
            )));
        }
        Self::all()
            .into_iter()
            .find(|b| b.code() == rule && !matches!(b, Self::IgnoresTagFilter { .. }))
            .ok_or_else(|| D::Error::custom(format!("unknown breakage `{rule}`")))
    }
}
