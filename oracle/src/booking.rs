//! Bookings (spec §19.1, area BOOK), written from the spec text alone: the
//! room's `book` member (OS-BOOK-2), the receipt commitment (OS-BOOK-3), the
//! request payload (OS-BOOK-4), the manifest payload and an attendee's view
//! of it (OS-BOOK-6), and the decision procedure of §19.1.3 (OS-BOOK-8 to
//! OS-BOOK-15), step by step as the spec numbers them.
//!
//! Plain data throughout: slots are `i64`, commitments and ids lower-case
//! hexadecimal strings, and the manifest's lists are kept sorted the way
//! the payload writes them.

use std::collections::{BTreeMap, BTreeSet};

use bitcoin_hashes::sha256;
use serde_json::Value;

use crate::blinding::frame;
use crate::link::hex_lower;
use crate::payload::{duplicates, js_string};
use crate::{Fail, lww};

/// The label of the receipt commitment (OS-BOOK-3).
pub const RECEIPT_LABEL: &[u8] = b"openslots:v2:receipt";

const ROOM: Fail = ("book-room", "OS-BOOK-2");
const NONCE: Fail = ("book-nonce", "OS-BOOK-3");
const REQUEST: Fail = ("book-request", "OS-BOOK-4");
const FIELD: Fail = ("payload-field", "OS-BOOK-4");
const JSON: Fail = ("payload-json", "OS-BOOK-4");
const HOLD: Fail = ("book-hold", "OS-BOOK-13");

/// Whether `s` is 64 lower-case hexadecimal characters.
pub fn hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An integer of OS-PAYLOAD-4: no fraction, no exponent, |x| ≤ 2^53 − 1.
fn integer(v: Option<&Value>) -> Option<i64> {
    const SAFE: i64 = 9_007_199_254_740_991;
    let Value::Number(n) = v? else {
        return None;
    };
    let x = n.as_i64()?;
    (-SAFE..=SAFE).contains(&x).then_some(x)
}

/// OS-BOOK-3: hex(SHA-256(frame("openslots:v2:receipt", room id, nonce))).
pub fn commitment(room_id: &str, nonce_hex: &str) -> Result<String, Fail> {
    if !hex64(nonce_hex) {
        return Err(NONCE);
    }
    let mut nonce = [0u8; 32];
    for (i, b) in nonce.iter_mut().enumerate() {
        *b = u8::from_str_radix(&nonce_hex[2 * i..2 * i + 2], 16).map_err(|_| NONCE)?;
    }
    let msg = frame(&[RECEIPT_LABEL, room_id.as_bytes(), &nonce]);
    Ok(hex_lower(sha256::Hash::hash(&msg).to_byte_array()))
}

/// The `book` member of a room (OS-BOOK-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Book {
    /// Seats per offered slot, 1..=1000.
    pub cap: i64,
    /// Slots per request, 1..=48.
    pub max: i64,
}

/// OS-BOOK-2: the `book` member of a v2 room payload's plaintext.
pub fn read_book(plaintext: &str) -> Result<Book, Fail> {
    let value: Value = serde_json::from_str(plaintext).map_err(|_| JSON)?;
    let obj = value.as_object().ok_or(JSON)?;
    let book = obj.get("book").and_then(Value::as_object).ok_or(ROOM)?;
    let cap = integer(book.get("cap")).ok_or(ROOM)?;
    let max = integer(book.get("max")).ok_or(ROOM)?;
    if !(1..=1000).contains(&cap) || !(1..=48).contains(&max) {
        return Err(ROOM);
    }
    Ok(Book { cap, max })
}

/// A request payload's booking members (OS-BOOK-4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRead {
    /// The room event id the attendee read.
    pub seen: String,
    /// Requested slots, ascending.
    pub slots: Vec<i64>,
    /// The commitment of a fresh nonce.
    pub commit: Option<String>,
    /// The nonce of an earlier booking.
    pub reveal: Option<String>,
}

/// OS-BOOK-4: reads a request payload bound to `room_id` and `author`.
pub fn read_request(text: &str, room_id: &str, author: &str) -> Result<RequestRead, Fail> {
    // §8.3 step 1.
    let value: Value = serde_json::from_str(text).map_err(|_| JSON)?;
    let obj = value.as_object().ok_or(JSON)?;
    if duplicates(text).is_none_or(|(any, _)| any) {
        return Err(JSON);
    }
    // §8.3 step 2.
    let v = integer(obj.get("v")).ok_or(FIELD)?;
    if v != 2 {
        return Err(("payload-version", "OS-PAYLOAD-7"));
    }
    // Members and types.
    let s = |k: &str| obj.get(k).and_then(Value::as_str).ok_or(FIELD);
    let role = s("role")?;
    let room = s("room")?;
    let auth = s("author")?;
    let seen = s("seen")?;
    let arr = obj.get("slots").and_then(Value::as_array).ok_or(FIELD)?;
    let mut slots = Vec::with_capacity(arr.len());
    for x in arr {
        slots.push(integer(Some(x)).ok_or(FIELD)?);
    }
    let opt = |k: &str| match obj.get(k) {
        None => Ok(None),
        Some(Value::String(x)) => Ok(Some(x.clone())),
        Some(_) => Err(FIELD),
    };
    let commit = opt("commit")?;
    let reveal = opt("reveal")?;
    // §8.3 step 4.
    if role != "booking" || room != room_id || auth != author {
        return Err(("payload-binding", "OS-PAYLOAD-8"));
    }
    // The booking rules.
    if !hex64(seen)
        || commit.as_deref().is_some_and(|c| !hex64(c))
        || reveal.as_deref().is_some_and(|r| !hex64(r))
        || slots.len() > 48
        || slots.windows(2).any(|w| w[0] >= w[1])
        || (!slots.is_empty() && commit.is_none())
        || (slots.is_empty() && (commit.is_some() || reveal.is_none()))
    {
        return Err(REQUEST);
    }
    Ok(RequestRead {
        seen: seen.to_owned(),
        slots,
        commit,
        reveal,
    })
}

/// A request as the decision procedure takes it: a valid request event's
/// id, author and `created_at` with its payload's members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Event id.
    pub id: String,
    /// Author public key.
    pub author: String,
    /// `created_at`.
    pub created_at: u64,
    /// Requested slots, ascending.
    pub slots: Vec<i64>,
    /// `commit`.
    pub commit: Option<String>,
    /// `reveal` (a nonce).
    pub reveal: Option<String>,
}

/// A host hold (OS-BOOK-13).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hold {
    /// The slot.
    pub slot: i64,
    /// Seats held.
    pub seats: i64,
    /// The public code.
    pub code: String,
}

/// A manifest's contents (OS-BOOK-6), each list in the payload's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// `booked`: slot and its commitments.
    pub booked: Vec<(i64, Vec<String>)>,
    /// `held`.
    pub held: Vec<Hold>,
    /// `refused`: commitment and code.
    pub refused: Vec<(String, String)>,
    /// `spent`.
    pub spent: Vec<String>,
}

/// The current room version as the procedure needs it.
#[derive(Clone, Debug)]
pub struct Current {
    /// The room id (for commitments of presented nonces).
    pub room_id: String,
    /// Offered slots.
    pub offered: BTreeSet<i64>,
    /// `book`.
    pub book: Book,
}

/// OS-BOOK-8: the requests that count, one per author (OS-LWW-1), exact
/// duplicates once.
pub fn counted(requests: &[Request]) -> Vec<Request> {
    let mut per: BTreeMap<&str, &Request> = BTreeMap::new();
    for r in requests {
        match per.get(r.author.as_str()) {
            Some(b) if !lww::beats((r.created_at, &r.id), (b.created_at, &b.id)) => {}
            _ => {
                per.insert(&r.author, r);
            }
        }
    }
    per.into_values().cloned().collect()
}

/// The decision procedure of §19.1.3 (OS-BOOK-9 to OS-BOOK-15).
pub fn decide(
    room: &Current,
    now: i64,
    previous: &Manifest,
    holds: &[Hold],
    requests: &[Request],
) -> Result<Manifest, Fail> {
    let cap = room.book.cap as usize;
    let mut reqs = counted(requests);
    let carried: BTreeSet<&str> = reqs.iter().filter_map(|r| r.commit.as_deref()).collect();

    // Step 1.
    let mut b: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (slot, commits) in &previous.booked {
        if *slot > now {
            b.entry(*slot).or_default().extend(commits.iter().cloned());
        }
    }
    let mut s: BTreeSet<String> = previous.spent.iter().cloned().collect();
    let mut r: BTreeMap<String, String> = previous
        .refused
        .iter()
        .filter(|(c, code)| code == "book-withdrawn" && carried.contains(c.as_str()))
        .cloned()
        .collect();

    // Step 2: withdraw.
    let all: BTreeSet<String> = b.values().flatten().cloned().collect();
    for c in all {
        let dropped = b
            .iter()
            .any(|(t, cs)| cs.contains(&c) && !room.offered.contains(t));
        if dropped {
            for cs in b.values_mut() {
                cs.remove(&c);
            }
            r.entry(c).or_insert_with(|| "book-withdrawn".to_owned());
        }
    }

    // Step 3: holds.
    let mut kept: Vec<Hold> = holds.iter().filter(|h| h.slot > now).cloned().collect();
    kept.sort_by(|a, b| (a.slot, &a.code, a.seats).cmp(&(b.slot, &b.code, b.seats)));
    let mut held: BTreeMap<i64, usize> = BTreeMap::new();
    for h in &kept {
        if !room.offered.contains(&h.slot)
            || h.seats < 1
            || h.seats > room.book.cap
            || h.code.is_empty()
            || h.code.len() > 64
        {
            return Err(HOLD);
        }
        let booked = b.get(&h.slot).map_or(0, BTreeSet::len);
        let before = held.get(&h.slot).copied().unwrap_or(0);
        if booked + before + h.seats as usize > cap {
            return Err(HOLD);
        }
        *held.entry(h.slot).or_default() += h.seats as usize;
    }

    // Step 4.
    reqs.sort_by(|x, y| {
        x.created_at
            .cmp(&y.created_at)
            .then_with(|| x.id.cmp(&y.id))
    });
    for q in &reqs {
        let revealed = match &q.reveal {
            Some(n) => Some(commitment(&room.room_id, n)?),
            None => None,
        };
        let key = q.commit.clone().or_else(|| revealed.clone());
        let refuse = |code: &str, r: &mut BTreeMap<String, String>| {
            if let Some(k) = &key {
                r.entry(k.clone()).or_insert_with(|| code.to_owned());
            }
        };
        // 4.1
        if let Some(h) = &revealed {
            if s.contains(h) {
                refuse("book-spent", &mut r);
                continue;
            }
            if b.values().any(|cs| cs.contains(h)) {
                for cs in b.values_mut() {
                    cs.remove(h);
                }
                s.insert(h.clone());
            } else {
                refuse("book-receipt", &mut r);
                continue;
            }
        }
        // 4.2
        let Some(c) = &q.commit else { continue };
        if q.slots.is_empty() {
            continue;
        }
        // 4.3
        if b.values().any(|cs| cs.contains(c)) {
            continue;
        }
        if s.contains(c) {
            refuse("book-spent", &mut r);
            continue;
        }
        if r.contains_key(c) {
            continue;
        }
        // 4.4
        let mut code = None;
        if q.slots.len() as i64 > room.book.max {
            code = Some("book-too-many");
        } else {
            for t in &q.slots {
                let n = b.get(t).map_or(0, BTreeSet::len) + held.get(t).copied().unwrap_or(0);
                if *t <= now {
                    code = Some("book-past");
                } else if !room.offered.contains(t) {
                    code = Some("book-stale");
                } else if n >= cap {
                    code = Some("book-full");
                }
                if code.is_some() {
                    break;
                }
            }
        }
        if let Some(code) = code {
            refuse(code, &mut r);
            continue;
        }
        // 4.5
        for t in &q.slots {
            b.entry(*t).or_default().insert(c.clone());
        }
    }

    // Step 5.
    let in_b: BTreeSet<&String> = b.values().flatten().collect();
    Ok(Manifest {
        booked: b
            .iter()
            .filter(|(_, cs)| !cs.is_empty())
            .map(|(t, cs)| (*t, cs.iter().cloned().collect()))
            .collect(),
        held: kept,
        refused: r
            .iter()
            .filter(|(c, _)| !in_b.contains(c) && !s.contains(*c))
            .map(|(c, code)| (c.clone(), code.clone()))
            .collect(),
        spent: s.iter().cloned().collect(),
    })
}

/// OS-BOOK-6: the manifest payload's exact serialisation.
pub fn write_manifest(room_id: &str, host: &str, m: &Manifest) -> String {
    let list = |items: Vec<String>| format!("[{}]", items.join(","));
    let booked = list(
        m.booked
            .iter()
            .map(|(t, cs)| {
                format!(
                    "{{\"slot\":{t},\"commits\":{}}}",
                    list(cs.iter().map(|c| js_string(c)).collect())
                )
            })
            .collect(),
    );
    let held = list(
        m.held
            .iter()
            .map(|h| {
                format!(
                    "{{\"slot\":{},\"seats\":{},\"code\":{}}}",
                    h.slot,
                    h.seats,
                    js_string(&h.code)
                )
            })
            .collect(),
    );
    let refused = list(
        m.refused
            .iter()
            .map(|(c, code)| {
                format!(
                    "{{\"commit\":{},\"code\":{}}}",
                    js_string(c),
                    js_string(code)
                )
            })
            .collect(),
    );
    let spent = list(m.spent.iter().map(|c| js_string(c)).collect());
    format!(
        "{{\"v\":2,\"role\":\"manifest\",\"room\":{},\"author\":{},\"booked\":{booked},\"held\":{held},\"refused\":{refused},\"spent\":{spent}}}",
        js_string(room_id),
        js_string(host)
    )
}

/// An attendee's state of a commitment (OS-BOOK-6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Booked at these slots.
    Confirmed(Vec<i64>),
    /// Its nonce was presented.
    Cancelled,
    /// Not decided yet.
    Pending,
}

/// OS-BOOK-6: the state of `commit` in `m`; a refusal is its code.
pub fn state(m: &Manifest, commit: &str) -> Result<State, Fail> {
    let slots: Vec<i64> = m
        .booked
        .iter()
        .filter(|(_, cs)| cs.iter().any(|c| c == commit))
        .map(|(t, _)| *t)
        .collect();
    if !slots.is_empty() {
        return Ok(State::Confirmed(slots));
    }
    if m.spent.iter().any(|c| c == commit) {
        return Ok(State::Cancelled);
    }
    if let Some((_, code)) = m.refused.iter().find(|(c, _)| c == commit) {
        let req = match code.as_str() {
            "book-receipt" | "book-spent" => "OS-BOOK-12",
            "book-withdrawn" => "OS-BOOK-14",
            _ => "OS-BOOK-11",
        };
        return Err(match code.as_str() {
            "book-too-many" => ("book-too-many", req),
            "book-past" => ("book-past", req),
            "book-stale" => ("book-stale", req),
            "book-full" => ("book-full", req),
            "book-receipt" => ("book-receipt", req),
            "book-spent" => ("book-spent", req),
            "book-withdrawn" => ("book-withdrawn", req),
            _ => ("payload-field", "OS-BOOK-6"),
        });
    }
    Ok(State::Pending)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn c(i: u8) -> String {
        format!("{:064x}", i)
    }

    /// The worked example of §19.1.3.
    #[test]
    fn the_worked_example() {
        let mut room = Current {
            room_id: "r".into(),
            offered: [1800, 3600].into(),
            book: Book { cap: 1, max: 1 },
        };
        let req = |id: &str, author: &str, commit: String| Request {
            id: id.repeat(32),
            author: author.into(),
            created_at: 10,
            slots: vec![1800],
            commit: Some(commit),
            reveal: None,
        };
        let reqs = vec![req("bb", "b", c(2)), req("aa", "a", c(1))];
        let m = decide(&room, 0, &Manifest::default(), &[], &reqs).unwrap();
        assert_eq!(m.booked, vec![(1800, vec![c(1)])]);
        assert_eq!(m.refused, vec![(c(2), "book-full".to_owned())]);
        room.offered = [3600].into();
        let m2 = decide(&room, 0, &m, &[], &reqs).unwrap();
        assert!(m2.booked.is_empty());
        assert_eq!(
            m2.refused,
            vec![
                (c(1), "book-withdrawn".to_owned()),
                (c(2), "book-stale".to_owned())
            ]
        );
        assert_eq!(state(&m2, &c(1)).unwrap_err().0, "book-withdrawn");
        assert_eq!(state(&m, &c(3)).unwrap(), State::Pending);
    }
}
