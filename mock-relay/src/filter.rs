//! NIP-01 filters: parsing a client's filter object and matching events.
//!
//! Supported members: `ids`, `authors` (exact 64-hex values), `kinds`,
//! `#<letter>` for any single ASCII letter (the event must have a tag of
//! that name whose second element is in the list), `since`, `until`
//! (inclusive bounds on `created_at`) and `limit`. Unknown members (such as
//! NIP-50 `search`) are ignored; a known member of the wrong type is an
//! error, answered with `CLOSED` and the `invalid:` prefix.
//!
//! The same type describes the events a fault rule applies to (see
//! [`crate::fault`]), written in the script as the same JSON object.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::event::RelayEvent;

/// A parsed NIP-01 filter. Absent members match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct Filter {
    /// `ids`: exact event ids.
    pub ids: Option<Vec<String>>,
    /// `authors`: exact pubkeys.
    pub authors: Option<Vec<String>>,
    /// `kinds`.
    pub kinds: Option<Vec<u64>>,
    /// `#<letter>` members, keyed by the letter.
    pub tags: BTreeMap<char, Vec<String>>,
    /// `since`: created_at >= since.
    pub since: Option<u64>,
    /// `until`: created_at <= until.
    pub until: Option<u64>,
    /// `limit`: at most this many of the newest matching stored events.
    pub limit: Option<u64>,
}

/// How a (possibly rule-breaking) relay matches: which parts of a filter it
/// disregards. The well-behaved relay uses the default, which ignores nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Tag letters whose `#<letter>` member is disregarded.
    pub ignored_tags: Vec<char>,
    /// Disregard `since` and `until`.
    pub ignore_since_until: bool,
}

fn string_list(key: &str, value: &Value) -> Result<Vec<String>, String> {
    let arr = value
        .as_array()
        .ok_or_else(|| format!("filter member `{key}` is not an array"))?;
    arr.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("filter member `{key}` has a non-string element"))
        })
        .collect()
}

fn uint(key: &str, value: &Value) -> Result<u64, String> {
    value
        .as_u64()
        .ok_or_else(|| format!("filter member `{key}` is not a non-negative integer"))
}

impl Filter {
    /// Parses a client's filter object. The error text follows `invalid: `
    /// in the CLOSED message.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let obj = value
            .as_object()
            .ok_or_else(|| "filter is not a JSON object".to_string())?;
        let mut filter = Filter::default();
        for (key, v) in obj {
            match key.as_str() {
                "ids" => filter.ids = Some(string_list(key, v)?),
                "authors" => filter.authors = Some(string_list(key, v)?),
                "kinds" => {
                    let arr = v
                        .as_array()
                        .ok_or_else(|| "filter member `kinds` is not an array".to_string())?;
                    filter.kinds = Some(
                        arr.iter()
                            .map(|k| uint("kinds", k))
                            .collect::<Result<_, _>>()?,
                    );
                }
                "since" => filter.since = Some(uint(key, v)?),
                "until" => filter.until = Some(uint(key, v)?),
                "limit" => filter.limit = Some(uint(key, v)?),
                other => {
                    let mut chars = other.chars();
                    if let (Some('#'), Some(letter), None) =
                        (chars.next(), chars.next(), chars.next())
                        && letter.is_ascii_alphabetic()
                    {
                        filter.tags.insert(letter, string_list(key, v)?);
                    }
                }
            }
        }
        Ok(filter)
    }

    /// Whether `event` matches every member of this filter except `limit`.
    pub fn matches(&self, event: &RelayEvent, options: &MatchOptions) -> bool {
        if self
            .ids
            .as_ref()
            .is_some_and(|ids| !ids.contains(&event.id))
            || self
                .authors
                .as_ref()
                .is_some_and(|authors| !authors.contains(&event.pubkey))
            || self
                .kinds
                .as_ref()
                .is_some_and(|kinds| !kinds.contains(&event.kind))
        {
            return false;
        }
        if !options.ignore_since_until {
            if self.since.is_some_and(|s| event.created_at < s) {
                return false;
            }
            if self.until.is_some_and(|u| event.created_at > u) {
                return false;
            }
        }
        for (letter, values) in &self.tags {
            if options.ignored_tags.contains(letter) {
                continue;
            }
            let name = letter.to_string();
            let hit = event
                .tags
                .iter()
                .any(|t| t.first() == Some(&name) && t.get(1).is_some_and(|v| values.contains(v)));
            if !hit {
                return false;
            }
        }
        true
    }

    /// Whether this filter asks for everything `rule` names: every id,
    /// author, kind and tag value listed in `rule` is listed in the same
    /// member of `self`. Used to decide whether a request-level fault rule
    /// applies to a `REQ` (for example, a rule `{"#d": ["x"]}` applies to any
    /// filter that asks for d-tag `x`). `since`, `until` and `limit` of
    /// `rule` are not compared.
    pub fn requests(&self, rule: &Filter) -> bool {
        fn covers<T: PartialEq>(mine: &Option<Vec<T>>, wanted: &Option<Vec<T>>) -> bool {
            match (mine, wanted) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(m), Some(w)) => w.iter().all(|x| m.contains(x)),
            }
        }
        covers(&self.ids, &rule.ids)
            && covers(&self.authors, &rule.authors)
            && covers(&self.kinds, &rule.kinds)
            && rule.tags.iter().all(|(letter, wanted)| {
                self.tags
                    .get(letter)
                    .is_some_and(|mine| wanted.iter().all(|w| mine.contains(w)))
            })
    }

    /// The filter as a NIP-01 JSON object.
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        if let Some(ids) = &self.ids {
            obj.insert("ids".into(), ids.clone().into());
        }
        if let Some(authors) = &self.authors {
            obj.insert("authors".into(), authors.clone().into());
        }
        if let Some(kinds) = &self.kinds {
            obj.insert("kinds".into(), kinds.clone().into());
        }
        for (letter, values) in &self.tags {
            obj.insert(format!("#{letter}"), values.clone().into());
        }
        if let Some(since) = self.since {
            obj.insert("since".into(), since.into());
        }
        if let Some(until) = self.until {
            obj.insert("until".into(), until.into());
        }
        if let Some(limit) = self.limit {
            obj.insert("limit".into(), limit.into());
        }
        Value::Object(obj)
    }
}

impl TryFrom<Value> for Filter {
    type Error = String;
    fn try_from(value: Value) -> Result<Self, String> {
        Filter::parse(&value)
    }
}

impl From<Filter> for Value {
    fn from(filter: Filter) -> Value {
        filter.to_value()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn ev(created_at: u64, tags: Value) -> RelayEvent {
        RelayEvent::from_raw(&json!({
            "id": "aa".repeat(32), "pubkey": "bb".repeat(32), "created_at": created_at,
            "kind": 30078, "tags": tags, "content": "", "sig": "cc".repeat(64)
        }))
    }

    #[test]
    fn tag_filters_read_the_second_element() {
        let f = Filter::parse(&json!({"#d": ["x"], "kinds": [30078]})).unwrap();
        let o = MatchOptions::default();
        assert!(f.matches(&ev(1, json!([["d", "x"]])), &o));
        assert!(!f.matches(&ev(1, json!([["d", "y", "x"]])), &o));
        assert!(!f.matches(&ev(1, json!([["e", "x"]])), &o));
        let ignoring = MatchOptions {
            ignored_tags: vec!['d'],
            ..Default::default()
        };
        assert!(f.matches(&ev(1, json!([["e", "x"]])), &ignoring));
    }

    #[test]
    fn since_until_are_inclusive() {
        let f = Filter::parse(&json!({"since": 10, "until": 20})).unwrap();
        let o = MatchOptions::default();
        assert!(f.matches(&ev(10, json!([])), &o));
        assert!(f.matches(&ev(20, json!([])), &o));
        assert!(!f.matches(&ev(9, json!([])), &o));
        assert!(!f.matches(&ev(21, json!([])), &o));
    }

    #[test]
    fn wrong_types_are_errors_unknown_members_are_not() {
        assert!(Filter::parse(&json!({"kinds": "1"})).is_err());
        assert!(Filter::parse(&json!({"limit": -1})).is_err());
        assert!(Filter::parse(&json!({"#d": [1]})).is_err());
        assert!(Filter::parse(&json!([])).is_err());
        assert!(Filter::parse(&json!({"search": 5, "#dd": 3})).is_ok());
    }

    #[test]
    fn requests_is_a_subset_test() {
        let req = Filter::parse(&json!({"kinds": [30078], "#d": ["x", "y"]})).unwrap();
        assert!(req.requests(&Filter::parse(&json!({"#d": ["x"]})).unwrap()));
        assert!(!req.requests(&Filter::parse(&json!({"#d": ["z"]})).unwrap()));
        assert!(!req.requests(&Filter::parse(&json!({"#e": ["x"]})).unwrap()));
        assert!(req.requests(&Filter::default()));
    }
}
