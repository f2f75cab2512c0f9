//! Links (spec §4): `<origin>/room/<room-id>#<fragment>`.
//!
//! The fragment carries the room's secrets and never reaches a server
//! (OS-LINK-8). v1's fragment is the 64-hex-character room key; v2's is
//! `v2.<room key>.<host public key>`, which binds the room to the key of the
//! person who created it (OS-LINK-5) without telling the web host anything
//! new. Every link has one canonical form: [`Link::parse`] accepts nothing
//! else and [`Link`]'s `Display` writes exactly that form (OS-LINK-7).
//!
//! Where the deployed v1 client is lenient (case-folded hex keys, non-hex
//! characters read as zero, a fresh key generated for a fragment of the wrong
//! length) this parser reports a typed error instead (OS-LINK-3, OS-LINK-4).

use core::fmt;

use crate::kdf::RoomKey;
use crate::{ErrorCode, Profile, SpecError};

/// Why a link was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// Not `http(s)://<authority>[/<prefix>]/room/<room-id>#<fragment>`, or a
    /// v2 fragment without exactly three dot-separated parts (OS-LINK-1, OS-LINK-5).
    #[error("the link is not <origin>/room/<room-id>#<fragment>")]
    Syntax {
        /// The requirement the link breaks.
        requirement: &'static str,
    },
    /// The room id is not a lowercase 8-4-4-4-12 UUID (OS-LINK-2).
    #[error("the room id is not a canonical lowercase UUID")]
    RoomId,
    /// The room key (or v2 host key) is not 64 characters long (OS-LINK-3, OS-LINK-5).
    #[error("the key is not 64 characters long")]
    KeyLength {
        /// The requirement the link breaks.
        requirement: &'static str,
    },
    /// The room key (or v2 host key) has a character that is not lowercase hex (OS-LINK-4, OS-LINK-5).
    #[error("the key is not lowercase hexadecimal")]
    KeyEncoding {
        /// The requirement the link breaks.
        requirement: &'static str,
    },
    /// The fragment names a version other than 2 (OS-LINK-7).
    #[error("the link names an unknown protocol version")]
    Version,
    /// The v2 host key is not a valid BIP-340 x-only public key (OS-LINK-6).
    #[error("the host key is not a valid x-only public key")]
    HostKey,
}

impl SpecError for LinkError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Syntax { .. } => ErrorCode::LinkSyntax,
            Self::RoomId => ErrorCode::LinkRoomId,
            Self::KeyLength { .. } => ErrorCode::LinkKeyLength,
            Self::KeyEncoding { .. } => ErrorCode::LinkKeyEncoding,
            Self::Version => ErrorCode::LinkVersion,
            Self::HostKey => ErrorCode::LinkHostKey,
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Syntax { requirement }
            | Self::KeyLength { requirement }
            | Self::KeyEncoding { requirement } => requirement,
            Self::RoomId => "OS-LINK-2",
            Self::Version => "OS-LINK-7",
            Self::HostKey => "OS-LINK-6",
        }
    }
}

/// What the fragment of a link carries besides the room key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkProfile {
    /// v1: the fragment is the room key alone.
    V1,
    /// v2: the fragment also names the host's per-room public key.
    V2 {
        /// The only key allowed to author the room event (OS-EVENT-11).
        host: nostr::key::PublicKey,
    },
}

/// A parsed room link.
#[derive(Clone, Debug)]
pub struct Link {
    /// Scheme, authority and any path prefix, without the trailing `/room/…`.
    pub origin: String,
    /// The room id, exactly as written (OS-LINK-2).
    pub room_id: String,
    /// The room key from the fragment.
    pub key: RoomKey,
    /// v1 or v2, with the v2 host key.
    pub profile: LinkProfile,
}

impl PartialEq for Link {
    fn eq(&self, other: &Self) -> bool {
        self.origin == other.origin
            && self.room_id == other.room_id
            && self.key == other.key
            && self.profile == other.profile
    }
}

impl Eq for Link {}

/// Is `s` a canonical lowercase 8-4-4-4-12 UUID (OS-LINK-2)?
pub fn is_canonical_room_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

fn is_lower_hex(c: char) -> bool {
    c.is_ascii_digit() || ('a'..='f').contains(&c)
}

/// Parses a 64-character lowercase-hex key, checking the length first.
fn parse_key_hex(s: &str, requirement: &'static str) -> Result<[u8; 32], LinkError> {
    if s.chars().count() != 64 {
        return Err(LinkError::KeyLength { requirement });
    }
    if !s.chars().all(is_lower_hex) {
        return Err(LinkError::KeyEncoding { requirement });
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).map_err(|_| LinkError::KeyEncoding { requirement })?;
    Ok(out)
}

/// Splits the part before `#` into origin and room id (OS-LINK-1).
fn split_base(base: &str) -> Result<(&str, &str), LinkError> {
    const SYNTAX: LinkError = LinkError::Syntax {
        requirement: "OS-LINK-1",
    };
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or(SYNTAX)?;
    let url_char = |c: char| c.is_ascii_graphic() && !matches!(c, '?' | '#' | '\\');
    if !base.chars().all(url_char) {
        return Err(SYNTAX);
    }
    let authority_end = rest.find('/').ok_or(SYNTAX)?;
    if authority_end == 0 {
        return Err(SYNTAX);
    }
    let (prefix_and_room, room_id) = base.rsplit_once('/').ok_or(SYNTAX)?;
    let origin = prefix_and_room.strip_suffix("/room").ok_or(SYNTAX)?;
    // The origin must still contain the whole authority.
    if origin.len() < base.len() - rest.len() + authority_end {
        return Err(SYNTAX);
    }
    Ok((origin, room_id))
}

impl Link {
    /// Parses a link, accepting only the canonical form of either profile.
    ///
    /// Checks in the order of spec §4.3, the first failing step giving the
    /// error (OS-LINK-10): the shape (OS-LINK-1), the fragment's version
    /// (OS-LINK-7), the room id (OS-LINK-2; an upper-case v1 room id is
    /// rejected, one side of the acceptable reading), then the fragment itself
    /// (OS-LINK-3, OS-LINK-4 for v1; OS-LINK-5, OS-LINK-6 for v2).
    pub fn parse(link: &str) -> Result<Self, LinkError> {
        let (base, fragment) = link.split_once('#').ok_or(LinkError::Syntax {
            requirement: "OS-LINK-1",
        })?;
        if fragment.contains('#') {
            return Err(LinkError::Syntax {
                requirement: "OS-LINK-1",
            });
        }
        let (origin, room_id) = split_base(base)?;
        let v2 = fragment_version(fragment)?;
        if !is_canonical_room_id(room_id) {
            return Err(LinkError::RoomId);
        }
        let (key, profile) = match v2 {
            Some(rest) => parse_v2_fragment(rest)?,
            None => (parse_v1_key(fragment)?, LinkProfile::V1),
        };
        Ok(Self {
            origin: origin.to_owned(),
            room_id: room_id.to_owned(),
            key: RoomKey::from_bytes(key),
            profile,
        })
    }

    /// The profile this link belongs to.
    pub fn protocol_profile(&self) -> Profile {
        match self.profile {
            LinkProfile::V1 => Profile::V1,
            LinkProfile::V2 { .. } => Profile::V2,
        }
    }

    /// The v2 host key, if this is a v2 link.
    pub fn host(&self) -> Option<&nostr::key::PublicKey> {
        match &self.profile {
            LinkProfile::V1 => None,
            LinkProfile::V2 { host } => Some(host),
        }
    }
}

/// Selects the profile (OS-LINK-7): `Some(rest after "v2.")` for v2,
/// `None` for a v1 key, `link-version` for any other version.
fn fragment_version(fragment: &str) -> Result<Option<&str>, LinkError> {
    let Some(after_v) = fragment.strip_prefix('v') else {
        return Ok(None);
    };
    let digits = after_v.bytes().take_while(u8::is_ascii_digit).count();
    let (version, rest) = after_v.split_at(digits);
    match rest.strip_prefix('.') {
        Some(rest) if digits > 0 => {
            if version == "2" {
                Ok(Some(rest))
            } else {
                Err(LinkError::Version)
            }
        }
        _ => Ok(None),
    }
}

/// Parses a v1 room key: 64 characters (OS-LINK-3), all lowercase hex
/// (OS-LINK-4; upper case is acceptable by the spec and rejected here).
fn parse_v1_key(fragment: &str) -> Result<[u8; 32], LinkError> {
    parse_key_hex(fragment, "OS-LINK-3").map_err(|e| match e {
        LinkError::KeyEncoding { .. } => LinkError::KeyEncoding {
            requirement: "OS-LINK-4",
        },
        other => other,
    })
}

/// Parses `<key>.<host>` after `v2.` (OS-LINK-5, OS-LINK-6).
fn parse_v2_fragment(rest: &str) -> Result<([u8; 32], LinkProfile), LinkError> {
    let mut parts = rest.split('.');
    let (Some(key), Some(host), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(LinkError::Syntax {
            requirement: "OS-LINK-5",
        });
    };
    let key = parse_key_hex(key, "OS-LINK-5")?;
    // Every defect of the host part is `link-host-key` (OS-LINK-6).
    let host_bytes = parse_key_hex(host, "OS-LINK-6").map_err(|_| LinkError::HostKey)?;
    let host = nostr::key::PublicKey::from_slice(&host_bytes).map_err(|_| LinkError::HostKey)?;
    // `from_slice` may only check the length; BIP-340 lift_x decides validity.
    host.xonly().map_err(|_| LinkError::HostKey)?;
    Ok((key, LinkProfile::V2 { host }))
}

impl fmt::Display for Link {
    /// Writes the canonical form. The fragment is secret: do not log the result.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = hex::encode(self.key.as_bytes());
        match &self.profile {
            LinkProfile::V1 => write!(f, "{}/room/{}#{key}", self.origin, self.room_id),
            LinkProfile::V2 { host } => {
                write!(
                    f,
                    "{}/room/{}#v2.{key}.{}",
                    self.origin,
                    self.room_id,
                    host.to_hex()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn code(s: &str) -> ErrorCode {
        match Link::parse(s) {
            Ok(_) => panic!("{s} parsed"),
            Err(e) => e.code(),
        }
    }

    #[test]
    fn v1_round_trip() {
        let s = format!("https://openslots.example/room/{ID}#{KEY}");
        let link = Link::parse(&s).unwrap();
        assert_eq!(link.origin, "https://openslots.example");
        assert_eq!(link.room_id, ID);
        assert_eq!(link.key.as_bytes()[31], 0x1f);
        assert_eq!(link.to_string(), s);
        let prefixed = format!("http://localhost:8080/app/room/{ID}#{KEY}");
        assert_eq!(
            Link::parse(&prefixed).unwrap().origin,
            "http://localhost:8080/app"
        );
    }

    #[test]
    fn errors() {
        assert_eq!(code(&format!("https://x/room/{ID}")), ErrorCode::LinkSyntax);
        assert_eq!(
            code(&format!("ftp://x/room/{ID}#{KEY}")),
            ErrorCode::LinkSyntax
        );
        assert_eq!(
            code(&format!("https:///room/{ID}#{KEY}")),
            ErrorCode::LinkSyntax
        );
        assert_eq!(
            code(&format!("https://x/rooms/{ID}#{KEY}")),
            ErrorCode::LinkSyntax
        );
        assert_eq!(
            code(&format!("https://x/room/{ID}?a=b#{KEY}")),
            ErrorCode::LinkSyntax
        );
        assert_eq!(
            code(&format!("https://x/room/{}#{KEY}", ID.to_uppercase())),
            ErrorCode::LinkRoomId
        );
        assert_eq!(
            code(&format!("https://x/room/{ID}#{}", &KEY[..62])),
            ErrorCode::LinkKeyLength
        );
        assert_eq!(
            code(&format!("https://x/room/{ID}#{}", KEY.to_uppercase())),
            ErrorCode::LinkKeyEncoding
        );
        assert_eq!(
            code(&format!("https://x/room/{ID}#+1{}", &KEY[2..])),
            ErrorCode::LinkKeyEncoding
        );
        assert_eq!(
            code(&format!("https://x/room/{ID}#v3.{KEY}.{KEY}")),
            ErrorCode::LinkVersion
        );
        assert_eq!(
            code(&format!("https://x/room/{ID}#v2.{KEY}")),
            ErrorCode::LinkSyntax
        );
        // x = 5 is not on secp256k1 (5^3 + 7 = 132 is not a square mod p).
        let bad_host = format!("{:064x}", 5);
        assert_eq!(
            code(&format!("https://x/room/{ID}#v2.{KEY}.{bad_host}")),
            ErrorCode::LinkHostKey
        );
    }
}
