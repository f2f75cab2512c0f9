//! Independent oracles, written from the spec's text (not from the
//! reference's code), that the fuzz targets compare the reference against.
//!
//! They are plain and slow on purpose: a per-character base64 decoder, a
//! per-bit mask reader, NIP-44's padding formula as the NIP writes it, the
//! payload reading steps of spec §8.3 over an untyped JSON value, and the
//! slot grid of spec §9.3 for fixed offsets by calendar arithmetic.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use openslots::ErrorCode;

/// A failure as the spec names it: code and requirement ID.
pub type Fail = (ErrorCode, &'static str);

// ---------------------------------------------------------------------------
// Base64 and NIP-44 sizes
// ---------------------------------------------------------------------------

fn b64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes canonical padded standard base64 (RFC 4648 §4, as OS-CIPHER-6 and
/// OS-MASK-5 require): length a multiple of 4, `=` only as the last one or
/// two characters, the bits that padding drops all zero. `None` otherwise.
pub fn b64_decode_strict(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let quads = b.len() / 4;
    let mut out = Vec::with_capacity(quads * 3);
    for (k, q) in b.chunks(4).enumerate() {
        let pad = q.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && k + 1 != quads) {
            return None;
        }
        let mut n = 0u32;
        for &c in &q[..4 - pad] {
            n = (n << 6) | b64_value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = 3 - pad;
        if bytes[keep..].iter().any(|&x| x != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Some(out)
}

/// NIP-44's `calc_padded_len`, as the NIP writes it.
pub fn calc_padded_len(len: u64) -> u64 {
    if len <= 32 {
        return 32;
    }
    let mut log2 = 0;
    while (len - 1) >> (log2 + 1) != 0 {
        log2 += 1;
    }
    let next_power = 1u64 << (log2 + 1);
    let chunk = if next_power <= 256 {
        32
    } else {
        next_power / 8
    };
    chunk * ((len - 1) / chunk + 1)
}

// ---------------------------------------------------------------------------
// Expiry (spec §12)
// ---------------------------------------------------------------------------

/// OS-EXPIRY-1: 1 to 20 ASCII digits whose value fits in 64 bits.
pub fn expiration_value(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = v.bytes().fold(0u128, |n, b| n * 10 + u128::from(b - b'0'));
    u64::try_from(n).ok()
}

/// OS-EXPIRY-1: the value of the first tag named `expiration`.
pub fn expiration<S: AsRef<str>>(tags: &[Vec<S>]) -> Option<u64> {
    let first = tags
        .iter()
        .find(|t| t.first().map(AsRef::as_ref) == Some("expiration"))?;
    expiration_value(first.get(1)?.as_ref())
}

// ---------------------------------------------------------------------------
// Masks (spec §10.3)
// ---------------------------------------------------------------------------

/// Reads a v1 mask (OS-MASK-1): the bits, or the failure.
pub fn mask_v1(s: &str) -> Result<Vec<bool>, Fail> {
    if s.is_empty() {
        return Err((ErrorCode::MaskLength, "OS-MASK-1"));
    }
    if s.len() > 65_535 {
        return Err((ErrorCode::MaskTooLarge, "OS-MASK-1"));
    }
    s.bytes()
        .map(|c| match c {
            b'0' => Ok(false),
            b'1' => Ok(true),
            _ => Err((ErrorCode::MaskEncoding, "OS-MASK-1")),
        })
        .collect()
}

/// Reads a v2 mask (OS-MASK-5, OS-MASK-6) in the order of spec §10.3.
pub fn mask_v2(n: i128, b: &str) -> Result<Vec<bool>, Fail> {
    if n < 1 {
        return Err((ErrorCode::MaskLength, "OS-MASK-6"));
    }
    if n > 35_136 {
        return Err((ErrorCode::MaskTooLarge, "OS-MASK-6"));
    }
    let n = n as usize;
    let bytes = b64_decode_strict(b).ok_or((ErrorCode::MaskEncoding, "OS-MASK-5"))?;
    if bytes.len() != n.div_ceil(8) {
        return Err((ErrorCode::MaskLength, "OS-MASK-5"));
    }
    let bit = |i: usize| (bytes[i / 8] >> (7 - i % 8)) & 1 == 1;
    if (n..bytes.len() * 8).any(bit) {
        return Err((ErrorCode::MaskTrailingBits, "OS-MASK-5"));
    }
    Ok((0..n).map(bit).collect())
}

/// OS-MASK-2: first and last position set.
pub fn trimmed(bits: &[bool]) -> Result<(), Fail> {
    match (bits.first(), bits.last()) {
        (Some(true), Some(true)) => Ok(()),
        _ => Err((ErrorCode::MaskUntrimmed, "OS-MASK-2")),
    }
}

/// The v1 text of a bit list.
pub fn bits_v1(bits: &[bool]) -> String {
    bits.iter().map(|&b| if b { '1' } else { '0' }).collect()
}

// ---------------------------------------------------------------------------
// JSON: duplicate member names
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Payloads (spec §8.3)
// ---------------------------------------------------------------------------

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

const FIELD: Fail = (ErrorCode::PayloadField, "OS-PAYLOAD-4");
const JSON: Fail = (ErrorCode::PayloadJson, "OS-PAYLOAD-1");

/// Reads a v1 payload by spec §8.3 (duplicate names keep the last value, as
/// `JSON.parse` does; the caller decides what to do with duplicates).
pub fn payload_v1(role: Role, text: &str) -> Result<PayloadRead, Fail> {
    let value: Value = serde_json::from_str(text).map_err(|_| JSON)?;
    let obj = value.as_object().ok_or(JSON)?;
    match role {
        Role::Room => {
            let t = string(obj, "t").ok_or(FIELD)?;
            let s = integer(obj.get("s")).ok_or(FIELD)?;
            let o = string(obj, "o").ok_or(FIELD)?;
            let bits = mask_v1(o)?;
            trimmed(&bits)?;
            Ok(PayloadRead {
                text: t.to_owned(),
                start: Some(s),
                bits,
            })
        }
        Role::Response => {
            let n = string(obj, "n").ok_or(FIELD)?;
            let o = string(obj, "o").ok_or(FIELD)?;
            let bits = mask_v1(o)?;
            Ok(PayloadRead {
                text: n.to_owned(),
                start: None,
                bits,
            })
        }
    }
}

/// Reads a v2 payload by spec §8.3, bound to `room_id` and `author`.
pub fn payload_v2(
    role: Role,
    text: &str,
    room_id: &str,
    author: &str,
) -> Result<PayloadRead, Fail> {
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
        return Err((ErrorCode::PayloadVersion, "OS-PAYLOAD-7"));
    }
    // Step 3: members and types.
    let (text_key, limit) = match role {
        Role::Room => ("title", 512),
        Role::Response => ("name", 128),
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
        return Err((ErrorCode::PayloadBinding, "OS-PAYLOAD-8"));
    }
    // Step 5: sizes.
    if t.len() > limit {
        return Err((ErrorCode::PayloadTooLarge, "OS-PAYLOAD-9"));
    }
    // Step 6: the mask.
    let bits = mask_v2(i128::from(n), b)?;
    if role == Role::Room {
        trimmed(&bits)?;
    }
    Ok(PayloadRead {
        text: t.to_owned(),
        start: Some(start),
        bits,
    })
}

// ---------------------------------------------------------------------------
// Events (spec §11.1, OS-EVENT-13)
// ---------------------------------------------------------------------------

fn lower_hex(v: Option<&Value>, len: usize) -> bool {
    v.and_then(Value::as_str).is_some_and(|s| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// OS-EVENT-13 on an untyped JSON value: the seven members with their types
/// (unknown members ignored).
pub fn event_well_formed(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let Some(obj) = value.as_object() else {
        return false;
    };
    let uint = |key: &str, max: u64| {
        obj.get(key)
            .and_then(Value::as_u64)
            .is_some_and(|v| v <= max)
    };
    let tags = obj
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| {
            tags.iter().all(|t| {
                t.as_array()
                    .is_some_and(|t| !t.is_empty() && t.iter().all(Value::is_string))
            })
        });
    lower_hex(obj.get("id"), 64)
        && lower_hex(obj.get("pubkey"), 64)
        && lower_hex(obj.get("sig"), 128)
        && uint("created_at", 9_007_199_254_740_991)
        && uint("kind", 65_535)
        && tags
        && obj.get("content").is_some_and(Value::is_string)
}

/// The NIP-01 member names of an event.
pub const EVENT_MEMBERS: [&str; 7] = [
    "id",
    "pubkey",
    "created_at",
    "kind",
    "tags",
    "content",
    "sig",
];

// ---------------------------------------------------------------------------
// Grid (spec §9.2, §9.3)
// ---------------------------------------------------------------------------

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0')))
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if leap(y) => 29,
        _ => 28,
    }
}

/// A civil date (year, month, day).
pub type Civil = (i64, u32, u32);

/// OS-GRID-2: a date written exactly `YYYY-MM-DD` that exists.
pub fn date(s: &str) -> Option<Civil> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = i64::from(digits(&b[..4])?);
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..])?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

/// The next day.
pub fn tomorrow((y, m, d): Civil) -> Civil {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

/// OS-GRID-2: a wall time `HH:MM` or `HH:MM:SS`, as seconds after midnight.
pub fn time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (h, m, sec) = match b {
        [h1, h2, b':', m1, m2] => ([*h1, *h2], [*m1, *m2], *b"00"),
        [h1, h2, b':', m1, m2, b':', s1, s2] => ([*h1, *h2], [*m1, *m2], [*s1, *s2]),
        _ => return None,
    };
    let (h, m, sec) = (digits(&h)?, digits(&m)?, digits(&sec)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(i64::from(h * 3600 + m * 60 + sec))
}

/// How a zone string reads (OS-GRID-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// A valid fixed offset, in seconds east of UTC.
    Offset(i64),
    /// Starts with a sign but is not `±HH:MM` with HH ≤ 23, MM ≤ 59.
    BadOffset,
    /// Anything else: an IANA name or nothing (only the database can tell).
    Name,
}

/// Classifies a zone string.
pub fn zone(s: &str) -> Zone {
    let b = s.as_bytes();
    let sign = match b.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Zone::Name,
    };
    match b {
        [_, h1, h2, b':', m1, m2] => match (digits(&[*h1, *h2]), digits(&[*m1, *m2])) {
            (Some(h), Some(m)) if h <= 23 && m <= 59 => {
                Zone::Offset(sign * i64::from(h * 3600 + m * 60))
            }
            _ => Zone::BadOffset,
        },
        _ => Zone::BadOffset,
    }
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
pub fn days_from_civil((y, m, d): Civil) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The grid of spec §9.3 for a fixed offset, where wall times map to
/// instants by arithmetic alone. `bounds` is the range of instants the date
/// library supports; beyond it (and past 9999-12-31) the grid is
/// `grid-date`.
pub fn fixed_grid(
    dates: &[Civil],
    start: i64,
    end: i64,
    offset: i64,
    bounds: (i64, i64),
) -> Result<Vec<i64>, ErrorCode> {
    let instant = |d: Civil, t: i64| -> Result<i64, ErrorCode> {
        if d.0 > 9999 {
            return Err(ErrorCode::GridDate);
        }
        let s = days_from_civil(d) * 86_400 + t - offset;
        if s < bounds.0 || s > bounds.1 {
            return Err(ErrorCode::GridDate);
        }
        Ok(s)
    };
    let mut grid = Vec::new();
    for &d in dates {
        let rs = instant(d, start)?;
        let re = instant(if end <= start { tomorrow(d) } else { d }, end)?;
        let mut t = rs;
        while t < re {
            grid.push(t);
            t += 1800;
        }
    }
    grid.sort_unstable();
    grid.dedup();
    if grid.is_empty() {
        return Err(ErrorCode::GridEmpty);
    }
    Ok(grid)
}

// ---------------------------------------------------------------------------
// Links (spec §4.3)
// ---------------------------------------------------------------------------

/// What the parsing algorithm of spec §4.3 returns for a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRead {
    /// Scheme, authority and path prefix.
    pub origin: String,
    /// The room id as written.
    pub room_id: String,
    /// The room key.
    pub key: [u8; 32],
    /// The v2 host key, if v2.
    pub host: Option<[u8; 32]>,
}

fn lower_hex_key(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        let nib = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        out[i] = nib(pair[0])? << 4 | nib(pair[1])?;
    }
    Some(out)
}

/// The parsing algorithm of spec §4.3, step by step, with the reference's
/// choices where the spec allows two behaviours: upper-case hexadecimal in a
/// v1 room id or key is rejected (`link-room-id`, `link-key-encoding`).
pub fn link(link: &str) -> Result<LinkRead, ErrorCode> {
    use ErrorCode::*;
    // 1. Exactly one '#'.
    let mut halves = link.split('#');
    let (Some(l), Some(f), None) = (halves.next(), halves.next(), halves.next()) else {
        return Err(LinkSyntax);
    };
    // 2. Printable ASCII, no '?' or '\'.
    if !l
        .chars()
        .all(|c| ('\u{21}'..='\u{7e}').contains(&c) && c != '?' && c != '\\')
    {
        return Err(LinkSyntax);
    }
    // 3. Scheme and a non-empty authority followed by '/'.
    let rest = l
        .strip_prefix("http://")
        .or_else(|| l.strip_prefix("https://"))
        .ok_or(LinkSyntax)?;
    let slash = rest.find('/').ok_or(LinkSyntax)?;
    if slash == 0 {
        return Err(LinkSyntax);
    }
    // 4. The path's last two segments are `room` and the room id.
    let path = &rest[slash..];
    let segments: Vec<&str> = path[1..].split('/').collect();
    let n = segments.len();
    if n < 2 || segments[n - 2] != "room" {
        return Err(LinkSyntax);
    }
    let room_id = segments[n - 1];
    let origin = &l[..l.len() - room_id.len() - "/room/".len()];
    // 5. Version.
    let versioned = f.strip_prefix('v').and_then(|r| {
        let d = r.bytes().take_while(u8::is_ascii_digit).count();
        (d > 0 && r[d..].starts_with('.')).then(|| &r[..d])
    });
    if versioned.is_some_and(|v| v != "2") {
        return Err(LinkVersion);
    }
    // 6. Room id: lower-case 8-4-4-4-12.
    let canonical = room_id.len() == 36
        && room_id.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        });
    if !canonical {
        return Err(LinkRoomId);
    }
    let read = |key: [u8; 32], host| LinkRead {
        origin: origin.to_owned(),
        room_id: room_id.to_owned(),
        key,
        host,
    };
    match versioned {
        // 7. v1: 64 characters, lower-case hexadecimal.
        None => {
            if f.chars().count() != 64 {
                return Err(LinkKeyLength);
            }
            Ok(read(lower_hex_key(f).ok_or(LinkKeyEncoding)?, None))
        }
        // 8. v2: `v2.<key>.<host>`.
        Some(_) => {
            let parts: Vec<&str> = f.split('.').collect();
            if parts.len() != 3 || parts[0] != "v2" {
                return Err(LinkSyntax);
            }
            if parts[1].chars().count() != 64 {
                return Err(LinkKeyLength);
            }
            let key = lower_hex_key(parts[1]).ok_or(LinkKeyEncoding)?;
            let host = lower_hex_key(parts[2]).ok_or(LinkHostKey)?;
            secp256k1::XOnlyPublicKey::from_byte_array(&host).map_err(|_| LinkHostKey)?;
            Ok(read(key, Some(host)))
        }
    }
}

/// Standard padded base64 (RFC 4648 §4), written out so that test payloads
/// do not come from the library the reference decodes with.
pub fn b64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let at = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (at(0) << 16) | (at(1) << 8) | at(2);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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

/// The bits of a v2 mask as `(n, b)` (OS-MASK-5), MSB first.
pub fn bits_v2(bits: &[bool]) -> (usize, String) {
    let mut bytes = vec![0u8; bits.len().div_ceil(8)];
    for (i, _) in bits.iter().enumerate().filter(|(_, b)| **b) {
        bytes[i / 8] |= 0x80 >> (i % 8);
    }
    (bits.len(), b64_encode(&bytes))
}
