//! Links (spec §4): the parsing algorithm of §4.3 step by step
//! (OS-LINK-1 .. OS-LINK-7) and the writer's canonical form of §4.1.
//!
//! Where the spec allows two behaviours (upper-case hexadecimal in a v1 room
//! id, OS-LINK-2, or in a v1 key, OS-LINK-4), [`parse`] takes the strict
//! one and rejects; [`acceptable_variant`] tells whether a link is such a
//! variant of a canonical one, so a judge can accept either reading.

use crate::{Fail, Profile};

/// What the parsing algorithm of spec §4.3 returns for a link.
#[derive(Clone, PartialEq, Eq)]
pub struct Link {
    /// Scheme, authority and path prefix (everything before `/room/`).
    pub origin: String,
    /// The room id as written.
    pub room_id: String,
    /// The room key.
    pub key: [u8; 32],
    /// The v2 host key (x-only, 32 bytes); `None` in v1.
    pub host: Option<[u8; 32]>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("origin", &self.origin)
            .field("room_id", &self.room_id)
            .field("key", &"<redacted>")
            .field("host", &self.host.map(hex_lower))
            .finish()
    }
}

/// The canonical text ([`Link::format`]). A link is a secret (OS-LINK-8):
/// display it only where a user asked for it.
impl std::fmt::Display for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

impl Link {
    /// The profile the link selects (OS-LINK-7).
    pub fn profile(&self) -> Profile {
        if self.host.is_some() {
            Profile::V2
        } else {
            Profile::V1
        }
    }

    /// The canonical text of §4.1, lower-case hexadecimal throughout.
    pub fn format(&self) -> String {
        let key = hex_lower(self.key);
        match self.host {
            None => format!("{}/room/{}#{key}", self.origin, self.room_id),
            Some(h) => format!(
                "{}/room/{}#v2.{key}.{}",
                self.origin,
                self.room_id,
                hex_lower(h)
            ),
        }
    }
}

/// Lower-case hexadecimal of bytes.
pub fn hex_lower(bytes: impl AsRef<[u8]>) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.as_ref().len() * 2);
    for b in bytes.as_ref() {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// 64 lower-case hexadecimal characters as 32 bytes; `None` otherwise.
pub fn key_from_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        out[i] = (nib(pair[0])? << 4) | nib(pair[1])?;
    }
    Some(out)
}

const SYNTAX: Fail = ("link-syntax", "OS-LINK-1");

/// The parsing algorithm of spec §4.3. The first failing step gives the
/// error; upper-case hexadecimal in a v1 room id or key is rejected (the
/// strict reading of OS-LINK-2 and OS-LINK-4).
pub fn parse(link: &str) -> Result<Link, Fail> {
    // 1. Exactly one '#'.
    let mut halves = link.split('#');
    let (Some(l), Some(f), None) = (halves.next(), halves.next(), halves.next()) else {
        return Err(SYNTAX);
    };
    // 2. Printable ASCII, no '?' or '\'.
    if !l
        .chars()
        .all(|c| ('\u{21}'..='\u{7e}').contains(&c) && c != '?' && c != '\\')
    {
        return Err(SYNTAX);
    }
    // 3. Scheme and a non-empty authority followed by '/'.
    let rest = l
        .strip_prefix("http://")
        .or_else(|| l.strip_prefix("https://"))
        .ok_or(SYNTAX)?;
    let slash = rest.find('/').ok_or(SYNTAX)?;
    if slash == 0 {
        return Err(SYNTAX);
    }
    // 4. The path's last two segments are `room` and the room id.
    let segments: Vec<&str> = rest[slash + 1..].split('/').collect();
    let n = segments.len();
    if n < 2 || segments[n - 2] != "room" {
        return Err(SYNTAX);
    }
    let room_id = segments[n - 1];
    let origin = &l[..l.len() - room_id.len() - "/room/".len()];
    // 5. Version (OS-LINK-7).
    let versioned = f.strip_prefix('v').and_then(|r| {
        let d = r.bytes().take_while(u8::is_ascii_digit).count();
        (d > 0 && r[d..].starts_with('.')).then(|| &r[..d])
    });
    if versioned.is_some_and(|v| v != "2") {
        return Err(("link-version", "OS-LINK-7"));
    }
    // 6. Room id: lower-case 8-4-4-4-12 (OS-LINK-2).
    if !canonical_room_id(room_id) {
        return Err(("link-room-id", "OS-LINK-2"));
    }
    let read = |key: [u8; 32], host| Link {
        origin: origin.to_owned(),
        room_id: room_id.to_owned(),
        key,
        host,
    };
    match versioned {
        // 7. v1: 64 characters of hexadecimal.
        None => {
            if f.chars().count() != 64 {
                return Err(("link-key-length", "OS-LINK-3"));
            }
            let key = key_from_hex(f).ok_or(("link-key-encoding", "OS-LINK-4"))?;
            Ok(read(key, None))
        }
        // 8. v2: `v2.<key>.<host>`.
        Some(_) => {
            let parts: Vec<&str> = f.split('.').collect();
            if parts.len() != 3 || parts[0] != "v2" {
                return Err(("link-syntax", "OS-LINK-5"));
            }
            if parts[1].chars().count() != 64 {
                return Err(("link-key-length", "OS-LINK-5"));
            }
            let key = key_from_hex(parts[1]).ok_or(("link-key-encoding", "OS-LINK-5"))?;
            let host = key_from_hex(parts[2])
                .filter(|h| secp256k1::XOnlyPublicKey::from_byte_array(h).is_ok())
                .ok_or(("link-host-key", "OS-LINK-6"))?;
            Ok(read(key, Some(host)))
        }
    }
}

/// OS-LINK-2: 36 characters, lower-case hexadecimal in groups 8-4-4-4-12.
pub fn canonical_room_id(room_id: &str) -> bool {
    room_id.len() == 36
        && room_id.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// Whether `link` is a v1 link that the spec lets a reader accept or reject
/// (OS-LINK-2, OS-LINK-4): canonical except for upper-case hexadecimal in
/// the room id or the key. Returns the link it equals up to case.
pub fn acceptable_variant(link: &str) -> Option<Link> {
    if link.contains("#v") {
        return None;
    }
    let (l, f) = link.split_once('#')?;
    let (prefix, id) = l.rsplit_once('/')?;
    let lowered = format!(
        "{prefix}/{}#{}",
        id.to_ascii_lowercase(),
        f.to_ascii_lowercase()
    );
    if lowered == link {
        return None;
    }
    parse(&lowered).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const V1: &str = "https://openslots.example/room/3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13#000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const V2: &str = "https://openslots.example/room/3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13#v2.000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f.3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";

    #[test]
    fn the_spec_examples_parse_and_format_back() {
        for (text, profile) in [(V1, Profile::V1), (V2, Profile::V2)] {
            let l = parse(text).unwrap();
            assert_eq!(l.profile(), profile);
            assert_eq!(l.format(), text);
            assert_eq!(l.origin, "https://openslots.example");
        }
        assert_eq!(
            parse(&V1.replace("#00", "#v3.")).unwrap_err().0,
            "link-version"
        );
        assert!(
            acceptable_variant(&V1.to_uppercase().replace(
                "HTTPS://OPENSLOTS.EXAMPLE/ROOM",
                "https://openslots.example/room"
            ))
            .is_some()
        );
        assert!(acceptable_variant(V1).is_none());
    }
}
