//! Payloads (spec §8): the reading steps of §8.3 over an untyped JSON
//! value (OS-PAYLOAD-1, -4, -7, -8, -9, with the masks of §10.3), and the
//! writers' exact serialisation of §8.2 (OS-PAYLOAD-2, -3, -5, -6): the
//! bytes JavaScript's `JSON.stringify` gives.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::{Fail, Profile, mask};

/// The v2 title limit in UTF-8 bytes (OS-PAYLOAD-9).
pub const MAX_TITLE_V2: usize = 512;
/// The v2 name limit in UTF-8 bytes (OS-PAYLOAD-9).
pub const MAX_NAME_V2: usize = 128;
/// The longest plaintext (OS-PAYLOAD-9).
pub const MAX_PLAINTEXT: usize = 65_535;

// JSON: duplicate member names

/// Walks a JSON value, recording whether any object repeats a member name
/// (at any depth) and whether the top-level object does.
#[derive(Default)]
struct Dups {
    any: bool,
    top: BTreeSet<String>,
}

struct Walk<'a> {
    dups: &'a mut Dups,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Walk { dups, depth } = self;
        while seq
            .next_element_seed(Walk {
                dups: &mut *dups,
                depth: depth + 1,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Walk { dups, depth } = self;
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                dups.any = true;
                if depth == 0 {
                    dups.top.insert(key);
                }
            }
            map.next_value_seed(Walk {
                dups: &mut *dups,
                depth: depth + 1,
            })?;
        }
        Ok(())
    }
}

/// Duplicate member names of a JSON text: `None` if it is not JSON, else
/// (any object anywhere repeats a name, the names the top level repeats).
pub fn duplicates(text: &str) -> Option<(bool, BTreeSet<String>)> {
    let mut dups = Dups::default();
    let mut de = serde_json::Deserializer::from_str(text);
    Walk {
        dups: &mut dups,
        depth: 0,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end())
    .ok()?;
    Some((dups.any, dups.top))
}

// Payloads (spec §8.3)

/// What a payload reader returns, reduced to plain values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadRead {
    /// The title (room) or name (response).
    pub text: String,
    /// `s` (v1 room) or `start` (v2); `None` for a v1 response.
    pub start: Option<i64>,
    /// The mask's bits.
    pub bits: Vec<bool>,
}

/// The role an event is read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A room payload.
    Room,
    /// A response payload.
    Response,
}

const SAFE: i128 = 9_007_199_254_740_991;

/// A JSON integer of OS-PAYLOAD-4: a number token without fraction or
/// exponent (serde_json reads exactly those as `i64`/`u64`; `-0`, `1.0` and
/// `1e3` are floats), in -(2^53-1)..=2^53-1.
fn integer(v: Option<&Value>) -> Option<i64> {
    let Value::Number(n) = v? else {
        return None;
    };
    let x = if let Some(x) = n.as_i64() {
        i128::from(x)
    } else {
        i128::from(n.as_u64()?)
    };
    if (-SAFE..=SAFE).contains(&x) {
        i64::try_from(x).ok()
    } else {
        None
    }
}

fn string<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key)?.as_str()
}

const FIELD: Fail = ("payload-field", "OS-PAYLOAD-4");
const JSON: Fail = ("payload-json", "OS-PAYLOAD-1");

/// Reads a v1 payload by spec §8.3: a repeated member name in any object is
/// `payload-json`, as in v2 (OS-PAYLOAD-1).
pub fn read_v1(role: Role, text: &str) -> Result<PayloadRead, Fail> {
    let value: Value = serde_json::from_str(text).map_err(|_| JSON)?;
    let obj = value.as_object().ok_or(JSON)?;
    match duplicates(text) {
        Some((false, _)) => {}
        _ => return Err(JSON),
    }
    match role {
        Role::Room => {
            let t = string(obj, "t").ok_or(FIELD)?;
            let s = integer(obj.get("s")).ok_or(FIELD)?;
            let o = string(obj, "o").ok_or(FIELD)?;
            let bits = mask::read_v1(o)?;
            mask::trimmed(Profile::V1, &bits)?;
            Ok(PayloadRead {
                text: t.to_owned(),
                start: Some(s),
                bits,
            })
        }
        Role::Response => {
            let n = string(obj, "n").ok_or(FIELD)?;
            let o = string(obj, "o").ok_or(FIELD)?;
            let bits = mask::read_v1(o)?;
            Ok(PayloadRead {
                text: n.to_owned(),
                start: None,
                bits,
            })
        }
    }
}

/// Reads a v2 payload by spec §8.3, bound to `room_id` and `author`.
pub fn read_v2(role: Role, text: &str, room_id: &str, author: &str) -> Result<PayloadRead, Fail> {
    // Step 1: a JSON object, no repeated member name in any object.
    let value: Value = serde_json::from_str(text).map_err(|_| JSON)?;
    let obj = value.as_object().ok_or(JSON)?;
    match duplicates(text) {
        Some((false, _)) => {}
        _ => return Err(JSON),
    }
    // Step 2: v.
    let v = integer(obj.get("v")).ok_or(FIELD)?;
    if v != 2 {
        return Err(("payload-version", "OS-PAYLOAD-7"));
    }
    // Step 3: members and types.
    let (text_key, limit) = match role {
        Role::Room => ("title", MAX_TITLE_V2),
        Role::Response => ("name", MAX_NAME_V2),
    };
    let r = string(obj, "role").ok_or(FIELD)?;
    let room = string(obj, "room").ok_or(FIELD)?;
    let auth = string(obj, "author").ok_or(FIELD)?;
    let t = string(obj, text_key).ok_or(FIELD)?;
    let start = integer(obj.get("start")).ok_or(FIELD)?;
    let mask = obj.get("mask").and_then(Value::as_object).ok_or(FIELD)?;
    let n = integer(mask.get("n")).ok_or(FIELD)?;
    let b = string(mask, "b").ok_or(FIELD)?;
    // Step 4: binding.
    let want_role = match role {
        Role::Room => "room",
        Role::Response => "response",
    };
    if r != want_role || room != room_id || auth != author {
        return Err(("payload-binding", "OS-PAYLOAD-8"));
    }
    // Step 5: sizes.
    if t.len() > limit {
        return Err(("payload-too-large", "OS-PAYLOAD-9"));
    }
    // Step 6: the mask.
    let bits = mask::read_v2(i128::from(n), b)?;
    if role == Role::Room {
        mask::trimmed(Profile::V2, &bits)?;
    }
    Ok(PayloadRead {
        text: t.to_owned(),
        start: Some(start),
        bits,
    })
}

/// A string as JavaScript's `JSON.stringify` writes it (OS-PAYLOAD-2): `"`
/// and `\` escaped, `\b \f \n \r \t`, other control characters as `\u00xx`
/// in lower case, everything else (including U+007F, U+2028, U+2029 and `/`)
/// as is.
pub fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An integer as §8.2 writes it (`-0` cannot occur for an `i64`).
fn int(n: i64) -> String {
    n.to_string()
}

/// OS-PAYLOAD-2: `{"t":title,"s":start,"o":mask}`.
pub fn write_room_v1(title: &str, start: i64, mask: &str) -> String {
    format!(
        "{{\"t\":{},\"s\":{},\"o\":{}}}",
        js_string(title),
        int(start),
        js_string(mask)
    )
}

/// OS-PAYLOAD-3: `{"n":name,"o":mask}`.
pub fn write_response_v1(name: &str, mask: &str) -> String {
    format!("{{\"n\":{},\"o\":{}}}", js_string(name), js_string(mask))
}

/// OS-PAYLOAD-5 (`role` room, `title`) and OS-PAYLOAD-6 (`role` response,
/// `name`): the v2 payload with the mask `(n, b)` of OS-MASK-5.
pub fn write_v2(
    role: Role,
    room_id: &str,
    author: &str,
    text: &str,
    start: i64,
    mask: (usize, &str),
) -> String {
    let (role, key) = match role {
        Role::Room => ("room", "title"),
        Role::Response => ("response", "name"),
    };
    format!(
        "{{\"v\":2,\"role\":{},\"room\":{},\"author\":{},\"{key}\":{},\"start\":{},\"mask\":{{\"n\":{},\"b\":{}}}}}",
        js_string(role),
        js_string(room_id),
        js_string(author),
        js_string(text),
        int(start),
        mask.0,
        js_string(mask.1)
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Spec §8.4.
    #[test]
    fn the_spec_examples() {
        let o = format!("11{}11", "0".repeat(46));
        assert_eq!(
            write_room_v1("Team sync", 1_748_851_200, &o),
            format!("{{\"t\":\"Team sync\",\"s\":1748851200,\"o\":\"{o}\"}}")
        );
        let room = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
        let host = "3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";
        let text = write_v2(
            Role::Room,
            room,
            host,
            "Team sync",
            1_748_851_200,
            (50, "wAAAAAAAwA=="),
        );
        assert_eq!(text.len(), 217);
        let read = read_v2(Role::Room, &text, room, host).unwrap();
        assert_eq!(read.bits.iter().filter(|b| **b).count(), 4);
        assert_eq!(
            read_v2(Role::Response, &text, room, host).unwrap_err().0,
            "payload-field"
        );
        assert_eq!(
            read_v2(Role::Room, &text, room, room).unwrap_err().0,
            "payload-binding"
        );
        assert_eq!(js_string("a\"/\n\u{1}\u{7f}"), "\"a\\\"/\\n\\u0001\u{7f}\"");
        assert!(duplicates(r#"{"a":1,"a":2}"#).unwrap().0);
    }
}
