//! Mutations of vector inputs: one [`Edit`] changes one node of a JSON
//! input (a byte or character edit, a boundary number, a member removed or
//! duplicated, a case change, a Unicode edge character such as U+2028 or a
//! decomposed letter). Strings that hold JSON themselves (an event's
//! serialisation, a payload's plaintext) are edited inside, so the edit
//! reaches the parser behind them. Edits are plain data, generated and
//! shrunk by `proptest`.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Number, Value};

/// Characters inserted or substituted into strings: controls, JSON
/// metacharacters, the line and paragraph separators, a BOM, U+FFFD,
/// non-ASCII letters in both Unicode forms, an astral character, and the
/// characters of links, hex and base64.
pub const EDGE_STRINGS: &[&str] = &[
    "\u{0}",
    "\u{1f}",
    "\"",
    "\\",
    "\u{7f}",
    "\u{80}",
    "\u{e9}",
    "e\u{301}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{fffd}",
    "\u{10ffff}",
    "\u{1f600}",
    "\u{200b}",
    " ",
    "#",
    "/",
    "?",
    "%",
    "=",
    "A",
    "z",
    "0",
    "1",
    "f",
    "g",
    "+",
    "-",
    "_",
    ".",
    ":",
    "\n",
];

/// Numbers substituted for numbers: zero, signs, the slot length and its
/// neighbours, a day, the 31-, 32- and 53-bit limits, the extremes of the
/// 64-bit integers and two non-integers.
pub const BOUNDARY_NUMBERS: &[f64] = &[
    0.0,
    -1.0,
    1.0,
    59.0,
    60.0,
    1799.0,
    1800.0,
    1801.0,
    86400.0,
    2147483647.0,
    2147483648.0,
    4294967296.0,
    9007199254740991.0,
    9007199254740992.0,
    -9007199254740991.0,
    1.5,
    1e300,
];

/// One edit, as generated: which node, what to do, where and with what.
#[derive(Clone, Debug)]
pub struct Edit {
    /// Which node of the input (in document order).
    pub node: Index,
    /// What to do to it (read modulo the kinds of its type).
    pub kind: u8,
    /// Where inside it (a character or an element).
    pub at: Index,
    /// With what (an edge string, a boundary number).
    pub with: Index,
}

/// An edit, generated.
pub fn edit() -> impl Strategy<Value = Edit> {
    (any::<Index>(), 0u8..16, any::<Index>(), any::<Index>()).prop_map(|(node, kind, at, with)| {
        Edit {
            node,
            kind,
            at,
            with,
        }
    })
}

/// The paths of every node of `v` (object members by key, array elements
/// by position), the root first.
fn paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                prefix.push(Step::Key(k.clone()));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(Step::At(i));
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    At(usize),
}

fn node_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get_mut(k.as_str())?,
            Step::At(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

/// Applies one edit to `v`.
pub fn apply(v: &mut Value, e: &Edit) {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    let path = &all[e.node.index(all.len())];
    if let Some(node) = node_mut(v, path) {
        edit_node(node, e);
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e19 {
        if x < 0.0 {
            Value::Number(Number::from(x as i64))
        } else {
            Value::Number(Number::from(x as u64))
        }
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

fn edit_node(node: &mut Value, e: &Edit) {
    match node {
        Value::String(s) => edit_string(s, e),
        Value::Number(n) => {
            let here = n.as_f64().unwrap_or(0.0);
            *node = match e.kind % 4 {
                0 => number(here + 1.0),
                1 => number(here - 1.0),
                2 => Value::String(n.to_string()),
                _ => number(BOUNDARY_NUMBERS[e.with.index(BOUNDARY_NUMBERS.len())]),
            };
        }
        Value::Bool(b) => *b = !*b,
        Value::Null => *node = Value::String(String::new()),
        Value::Array(a) => {
            if a.is_empty() {
                a.push(Value::String(String::new()));
                return;
            }
            let i = e.at.index(a.len());
            match e.kind % 5 {
                0 => {
                    a.remove(i);
                }
                1 => {
                    let x = a[i].clone();
                    a.insert(i, x);
                }
                2 if a.len() > 1 => {
                    let j = (i + 1) % a.len();
                    a.swap(i, j);
                }
                3 => a.clear(),
                _ => a[i] = Value::Null,
            }
        }
        Value::Object(m) => edit_object(m, e),
    }
}

fn edit_object(m: &mut Map<String, Value>, e: &Edit) {
    let keys: Vec<String> = m.keys().cloned().collect();
    if keys.is_empty() {
        m.insert("x".into(), Value::Null);
        return;
    }
    let k = &keys[e.at.index(keys.len())];
    match e.kind % 4 {
        0 => {
            m.remove(k);
        }
        1 => {
            m.insert(k.clone(), Value::Null);
        }
        2 => {
            // The member again under a name in another case.
            if let Some(x) = m.get(k).cloned() {
                m.insert(k.to_uppercase(), x);
            }
        }
        _ => {
            let other = match m.get(k) {
                Some(Value::String(_)) => Value::from(0),
                _ => Value::String(String::new()),
            };
            m.insert(k.clone(), other);
        }
    }
}

fn edit_string(s: &mut String, e: &Edit) {
    let chars: Vec<char> = s.chars().collect();
    let at = e.at.index(chars.len() + 1);
    let with = EDGE_STRINGS[e.with.index(EDGE_STRINGS.len())];
    let joined = |c: &[char]| c.iter().collect::<String>();
    match e.kind % 12 {
        0 if !chars.is_empty() => {
            let i = at.min(chars.len() - 1);
            *s = joined(&chars[..i]) + &joined(&chars[i + 1..]);
        }
        1 => *s = joined(&chars[..at]) + with + &joined(&chars[at..]),
        2 if at < chars.len() => *s = joined(&chars[..at]) + with + &joined(&chars[at + 1..]),
        3 => *s = s.to_uppercase(),
        4 => *s = s.to_lowercase(),
        5 => *s = joined(&chars[..at]),
        6 if at < chars.len() && chars[at].is_ascii() => {
            // A byte edit: the lowest bit of one ASCII byte.
            let flipped = char::from(chars[at] as u8 ^ 1);
            *s = joined(&chars[..at]) + &flipped.to_string() + &joined(&chars[at + 1..]);
        }
        7 => s.push_str(&s.clone()),
        8 => s.clear(),
        _ => {
            // Inside a string that is JSON itself, or else an insertion.
            if let Ok(mut inner @ (Value::Object(_) | Value::Array(_))) =
                serde_json::from_str::<Value>(s)
            {
                let deeper = Edit {
                    node: e.with,
                    kind: e.kind / 2 + e.kind % 3,
                    at: e.at,
                    with: e.node,
                };
                apply(&mut inner, &deeper);
                *s = inner.to_string();
            } else {
                *s = joined(&chars[..at]) + with + &joined(&chars[at..]);
            }
        }
    }
}
