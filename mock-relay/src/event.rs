//! Events as the relay holds them: the exact JSON it will serve, plus the
//! fields it filters on (NIP-01 §"Events and signatures").
//!
//! A [`RelayEvent`] is built either strictly from a client's `EVENT` frame
//! ([`RelayEvent::parse_strict`], which checks the shape NIP-01 gives an
//! event but not its id or signature) or leniently from a script's raw JSON
//! ([`RelayEvent::from_raw`]), which keeps whatever text it was given so
//! that forgeries and junk are served byte for byte.

use std::sync::Arc;

use serde_json::Value;

/// An event held by the relay: served as `json`, filtered by the other
/// fields. Fields a lenient raw event lacks are empty or zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayEvent {
    /// The exact text served inside `["EVENT", <sub>, <json>]`.
    pub json: String,
    /// The claimed id (not necessarily the correct one).
    pub id: String,
    /// The claimed author.
    pub pubkey: String,
    /// `created_at`, Unix seconds.
    pub created_at: u64,
    /// The kind.
    pub kind: u64,
    /// The tags; non-string elements of a raw event read as empty strings.
    pub tags: Vec<Vec<String>>,
    /// The content.
    pub content: String,
}

/// Kinds the relay keeps one event of per (kind, pubkey) (NIP-01 "replaceable").
pub fn is_replaceable_kind(kind: u64) -> bool {
    kind == 0 || kind == 3 || (10_000..20_000).contains(&kind)
}

/// Kinds the relay keeps one event of per (kind, pubkey, d-tag) (NIP-01 "addressable").
pub fn is_addressable_kind(kind: u64) -> bool {
    (30_000..40_000).contains(&kind)
}

/// Kinds the relay never stores, only forwards to live subscriptions (NIP-01 "ephemeral").
pub fn is_ephemeral_kind(kind: u64) -> bool {
    (20_000..30_000).contains(&kind)
}

/// The key under which a replaceable or addressable event replaces another:
/// (kind, pubkey, d-tag value); the d-tag value is empty for replaceable
/// kinds and for addressable events without a `d` tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    /// The kind.
    pub kind: u64,
    /// The author.
    pub pubkey: String,
    /// The value of the first `d` tag (empty when none).
    pub d: String,
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl RelayEvent {
    /// Reads a client's event object with the shape NIP-01 prescribes: `id`
    /// and `pubkey` 64 lower-case hex characters, `sig` 128, `created_at` a
    /// non-negative integer, `kind` an integer 0..=65535, `tags` an array of
    /// arrays of strings, `content` a string. The error text is the part
    /// after `invalid: ` in the OK message.
    pub fn parse_strict(value: &Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "event is not a JSON object".to_string())?;
        let str_field = |name: &str| -> Result<&str, String> {
            obj.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("event member `{name}` is missing or not a string"))
        };
        let id = str_field("id")?;
        if !is_lower_hex(id, 64) {
            return Err("event id is not 64 lower-case hex characters".into());
        }
        let pubkey = str_field("pubkey")?;
        if !is_lower_hex(pubkey, 64) {
            return Err("pubkey is not 64 lower-case hex characters".into());
        }
        let sig = str_field("sig")?;
        if !is_lower_hex(sig, 128) {
            return Err("sig is not 128 lower-case hex characters".into());
        }
        let content = str_field("content")?;
        let created_at = obj
            .get("created_at")
            .and_then(Value::as_u64)
            .ok_or_else(|| "created_at is missing or not a non-negative integer".to_string())?;
        let kind = obj
            .get("kind")
            .and_then(Value::as_u64)
            .filter(|k| *k <= 65_535)
            .ok_or_else(|| "kind is missing or not an integer from 0 to 65535".to_string())?;
        let tags_value = obj
            .get("tags")
            .and_then(Value::as_array)
            .ok_or_else(|| "tags is missing or not an array".to_string())?;
        let mut tags = Vec::with_capacity(tags_value.len());
        for tag in tags_value {
            let items = tag
                .as_array()
                .ok_or_else(|| "a tag is not an array".to_string())?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(
                    item.as_str()
                        .ok_or_else(|| "a tag element is not a string".to_string())?
                        .to_string(),
                );
            }
            tags.push(out);
        }
        Ok(Self {
            json: value.to_string(),
            id: id.to_string(),
            pubkey: pubkey.to_string(),
            created_at,
            kind,
            tags,
            content: content.to_string(),
        })
    }

    /// Reads a script's raw event leniently. A JSON string is taken as the
    /// exact text to serve (it need not even be JSON); anything else is
    /// served as its compact serialisation. Whatever fields can be read are
    /// used for filtering; the rest are empty or zero.
    pub fn from_raw(raw: &Value) -> Self {
        let (json, parsed) = match raw {
            Value::String(text) => (
                text.clone(),
                serde_json::from_str::<Value>(text).unwrap_or(Value::Null),
            ),
            other => (other.to_string(), other.clone()),
        };
        let get_str = |name: &str| {
            parsed
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let tags = parsed
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .map(|tag| {
                        tag.as_array()
                            .map(|items| {
                                items
                                    .iter()
                                    .map(|i| i.as_str().unwrap_or_default().to_string())
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id: get_str("id"),
            pubkey: get_str("pubkey"),
            content: get_str("content"),
            created_at: parsed
                .get("created_at")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            kind: parsed.get("kind").and_then(Value::as_u64).unwrap_or(0),
            tags,
            json,
        }
    }

    /// Builds the relay's view of a signed event (as the scenario runner
    /// makes them with the `nostr` crate).
    pub fn from_nostr(event: &nostr::event::Event) -> Self {
        let value = serde_json::to_value(event).unwrap_or(Value::Null);
        Self::from_raw(&value)
    }

    /// The value of the first tag named `name`, if it has one.
    pub fn first_tag_value(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.first().map(String::as_str) == Some(name))
            .and_then(|t| t.get(1))
            .map(String::as_str)
    }

    /// The replacement address of a replaceable or addressable event.
    pub fn address(&self) -> Option<Address> {
        if is_addressable_kind(self.kind) {
            Some(Address {
                kind: self.kind,
                pubkey: self.pubkey.clone(),
                d: self.first_tag_value("d").unwrap_or_default().to_string(),
            })
        } else if is_replaceable_kind(self.kind) {
            Some(Address {
                kind: self.kind,
                pubkey: self.pubkey.clone(),
                d: String::new(),
            })
        } else {
            None
        }
    }

    /// NIP-40 expiration (first `expiration` tag, digits only, as
    /// OS-EXPIRY-1 reads it); `None` means it never expires.
    pub fn expiration(&self) -> Option<u64> {
        openslots_oracle::expiry::expiration(&self.tags)
    }

    /// NIP-40: expired at `now` iff expiration < now (OS-EXPIRY-2).
    pub fn is_expired_at(&self, now: u64) -> bool {
        openslots_oracle::expiry::expired(self.expiration(), now)
    }

    /// Checks the id and the signature with the `nostr` crate: `(id_ok, sig_ok)`.
    /// The signature is checked over the claimed id, so a wrong id with a
    /// signature over that wrong id has `sig_ok` true. An event `nostr`
    /// cannot read (for instance a pubkey that is not a curve point) is an
    /// error with `nostr`'s reason.
    pub fn verify(&self) -> Result<(bool, bool), String> {
        serde_json::from_str::<nostr::event::Event>(&self.json)
            .map(|event| (event.verify_id(), event.verify_signature()))
            .map_err(|e| e.to_string())
    }
}

/// Shared handle to an event.
pub type SharedEvent = Arc<RelayEvent>;
