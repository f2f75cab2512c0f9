//! Events and tags (spec §11): building and checking kind-30078 events.
//!
//! | profile | room tags | response tags |
//! | --- | --- | --- |
//! | v1 | `d`, `t` (OS-EVENT-2) | `e`, `d`, `t` (OS-EVENT-3) |
//! | v2 | `d`, `t`, `expiration` (OS-EVENT-4) | `d`, `a`, `t`, `expiration` (OS-EVENT-5) |
//!
//! Ids and signatures are NIP-01's, computed and checked by the `nostr` crate
//! (OS-EVENT-7, OS-EVENT-8). Signing takes its BIP-340 auxiliary randomness
//! from the caller, so test vectors can fix it.
//!
//! [`RoomContext`] holds what a link determines (keys, d-tag, address) and
//! opens room and response events: every check of spec §11 and §12, then
//! decryption (§7) and the payload (§8).

use std::sync::LazyLock;

use nostr::event::{Event, EventId, Kind, Tag, UnsignedEvent};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;

use crate::blinding;
use crate::cipher;
use crate::error::Failure;
use crate::expiry::{self, Expiring};
use crate::kdf::RoomKeys;
use crate::link::Link;
use crate::mask::{self, Mask};
use crate::payload::{Binding, PayloadError, ResponsePayload, RoomPayload};
use crate::{ErrorCode, Profile, SLOT_SECONDS, SpecError};

/// The event kind of both profiles: NIP-78 application data (OS-EVENT-1).
pub const KIND: u16 = 30_078;
/// The value of the `t` tag every OpenSlots event carries (OS-EVENT-2..5).
pub const APP_TAG: &str = "openslots";

static SECP: LazyLock<secp256k1::Secp256k1<secp256k1::All>> =
    LazyLock::new(secp256k1::Secp256k1::new);

/// Why an event was rejected before its content was looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The text is not a well-formed NIP-01 event (OS-EVENT-13).
    #[error("not a well-formed NIP-01 event")]
    Json,
    /// The id is not the hash of the event's serialisation (OS-EVENT-7).
    #[error("the event id does not match its content")]
    Id,
    /// The BIP-340 signature does not verify (OS-EVENT-8).
    #[error("the event signature does not verify")]
    Sig,
    /// The kind is not 30078 (OS-EVENT-1).
    #[error("the event is not of kind 30078")]
    Kind,
    /// A required tag is missing or has the wrong value (OS-EVENT-10, OS-LWW-5).
    #[error("a required tag is missing or has the wrong value")]
    Tag {
        /// The requirement the tags break.
        requirement: &'static str,
    },
    /// The event is not by the author the profile requires (OS-EVENT-11).
    #[error("the event is not by the author it must be by")]
    Author,
    /// The event's NIP-40 expiration has passed (OS-EXPIRY-3).
    #[error("the event has expired")]
    Expired,
    /// The next version of an address would need a `created_at` above
    /// 2^53 - 1 (OS-EVENT-9).
    #[error("no created_at after the previous version fits in 0..=2^53-1")]
    CreatedAt,
}

impl SpecError for EventError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Json => ErrorCode::EventJson,
            Self::Id => ErrorCode::EventId,
            Self::Sig => ErrorCode::EventSig,
            Self::Kind => ErrorCode::EventKind,
            Self::Tag { .. } => ErrorCode::EventTag,
            Self::Author => ErrorCode::EventAuthor,
            Self::Expired => ErrorCode::EventExpired,
            Self::CreatedAt => ErrorCode::EventCreatedAt,
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Json => "OS-EVENT-13",
            Self::Id => "OS-EVENT-7",
            Self::Sig => "OS-EVENT-8",
            Self::Kind => "OS-EVENT-1",
            Self::Tag { requirement } => requirement,
            Self::Author => "OS-EVENT-11",
            Self::Expired => "OS-EXPIRY-3",
            Self::CreatedAt => "OS-EVENT-9",
        }
    }
}

/// Parses a NIP-01 event from JSON text (OS-EVENT-13): a JSON object with
/// `id` and `pubkey` (64 lowercase hex), `created_at` (0 to 2^53 - 1), `kind`
/// (0 to 65535), `tags` (non-empty arrays of strings), `content` (a string) and `sig`
/// (128 lowercase hex); unknown members are ignored. Anything else is
/// `event-json`. Id and signature are checked later (OS-EVENT-7, OS-EVENT-8).
pub fn parse_event(json: &str) -> Result<Event, EventError> {
    use serde_json::Value;
    let value: Value = serde_json::from_str(json).map_err(|_| EventError::Json)?;
    let obj = value.as_object().ok_or(EventError::Json)?;
    let lower_hex = |key: &str, len: usize| {
        obj.get(key).and_then(Value::as_str).is_some_and(|s| {
            s.len() == len
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
    };
    let int_in = |key: &str, max: u64| {
        obj.get(key)
            .and_then(Value::as_u64)
            .is_some_and(|v| v <= max)
    };
    let tags_ok = obj
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| {
            tags.iter().all(|t| {
                t.as_array()
                    .is_some_and(|parts| !parts.is_empty() && parts.iter().all(Value::is_string))
            })
        });
    let well_formed = lower_hex("id", 64)
        && lower_hex("pubkey", 64)
        && lower_hex("sig", 128)
        && int_in(
            "created_at",
            crate::payload::MAX_SAFE_INTEGER.unsigned_abs(),
        )
        && int_in("kind", u64::from(u16::MAX))
        && tags_ok
        && obj.get("content").is_some_and(Value::is_string);
    if !well_formed {
        return Err(EventError::Json);
    }
    Event::from_json(json).map_err(|_| EventError::Json)
}

/// The `created_at` of a publisher's next version of an address (OS-EVENT-9):
/// `max(now, previous + 1)`, so that versions strictly increase even within
/// one second and last-write-wins never needs the tie-break.
///
/// A `created_at` is at most 2^53 - 1 (OS-EVENT-13): when `previous + 1`
/// (or `now`) is above it, no later version can be written and the answer
/// is [`EventError::CreatedAt`].
pub fn next_created_at(now: u64, previous: Option<u64>) -> Result<u64, EventError> {
    let max = crate::payload::MAX_SAFE_INTEGER.unsigned_abs();
    let next = previous.map_or(Some(now), |p| p.checked_add(1).map(|p| now.max(p)));
    next.filter(|&t| t <= max).ok_or(EventError::CreatedAt)
}

/// Checks id and signature (OS-EVENT-7, OS-EVENT-8).
pub fn verify(event: &Event) -> Result<(), EventError> {
    if !event.verify_id() {
        return Err(EventError::Id);
    }
    if !event.verify_signature() {
        return Err(EventError::Sig);
    }
    Ok(())
}

/// Builds a tag from string parts.
fn tag(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

/// The tags of a v1 room event (OS-EVENT-2); v1 writers add no expiration (OS-EXPIRY-5).
pub fn room_tags_v1(room_d: &str) -> Vec<Vec<String>> {
    vec![tag(&["d", room_d]), tag(&["t", APP_TAG])]
}

/// The tags of a v1 response event (OS-EVENT-3).
pub fn response_tags_v1(room_event_id: &EventId, response_d: &str) -> Vec<Vec<String>> {
    vec![
        tag(&["e", &room_event_id.to_hex()]),
        tag(&["d", response_d]),
        tag(&["t", APP_TAG]),
    ]
}

/// The tags of a v2 room event (OS-EVENT-4).
pub fn room_tags_v2(room_d: &str, expiration: u64) -> Vec<Vec<String>> {
    let [name, value] = expiry::expiration_tag(expiration);
    vec![tag(&["d", room_d]), tag(&["t", APP_TAG]), vec![name, value]]
}

/// The tags of a v2 response event (OS-EVENT-5).
pub fn response_tags_v2(response_d: &str, room_address: &str, expiration: u64) -> Vec<Vec<String>> {
    let [name, value] = expiry::expiration_tag(expiration);
    vec![
        tag(&["d", response_d]),
        tag(&["a", room_address]),
        tag(&["t", APP_TAG]),
        vec![name, value],
    ]
}

/// The NIP-01 address of a v2 room: `30078:<host pubkey hex>:<room d-tag>` (OS-EVENT-5).
pub fn room_address(host: &PublicKey, room_d: &str) -> String {
    format!("{KIND}:{}:{room_d}", host.to_hex())
}

/// Whether `s` is exactly the lowercase hex of `bytes` (what `hex::encode`
/// and `to_hex` write), compared without allocating.
fn is_lower_hex_of(s: &str, bytes: &[u8]) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    s.len() == 2 * bytes.len()
        && s.as_bytes()
            .chunks_exact(2)
            .zip(bytes)
            .all(|(pair, &b)| pair == [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]])
}

// `is_room_address` spells the kind out.
const _: () = assert!(KIND == 30_078);

/// Whether `s` equals [`room_address`]`(host, room_d)`, compared without
/// allocating.
fn is_room_address(s: &str, host: &PublicKey, room_d: &str) -> bool {
    let Some(rest) = s.strip_prefix("30078:") else {
        return false;
    };
    let Some((key, rest)) = rest.split_at_checked(64) else {
        return false;
    };
    is_lower_hex_of(key, host.as_bytes()) && rest.strip_prefix(':') == Some(room_d)
}

/// Signs an event with fixed BIP-340 auxiliary randomness (OS-EVENT-7, OS-EVENT-8).
///
/// Tags are taken as string arrays; an empty tag array is dropped by nothing
/// here, so callers pass exactly the profile's tags.
pub fn sign(
    keys: &Keys,
    created_at: u64,
    tags: Vec<Vec<String>>,
    content: String,
    aux_rand: &[u8; 32],
) -> Result<Event, EventError> {
    let tags: Vec<Tag> = tags
        .into_iter()
        .map(Tag::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| EventError::Tag {
            requirement: "OS-EVENT-10",
        })?;
    let unsigned = UnsignedEvent::new(
        keys.public_key(),
        Timestamp::from_secs(created_at),
        Kind::from(KIND),
        tags,
        content,
    );
    let id = unsigned.compute_id();
    let sig = keys.sign_schnorr_with_aux_rand(&SECP, id.as_bytes(), aux_rand);
    Ok(Event::new(
        id,
        unsigned.pubkey,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags,
        unsigned.content,
        sig,
    ))
}

/// The values of the first tag named `name`, if any.
pub fn first_tag<'e>(event: &'e Event, name: &str) -> Option<&'e [String]> {
    event
        .tags
        .iter()
        .map(Tag::as_slice)
        .find(|t| t.first().map(String::as_str) == Some(name))
}

/// The value of the first tag named `name`.
pub fn first_tag_value<'e>(event: &'e Event, name: &str) -> Option<&'e str> {
    first_tag(event, name)?.get(1).map(String::as_str)
}

/// Whether some tag is exactly `[name, value, …]`.
pub fn has_tag_value(event: &Event, name: &str, value: &str) -> bool {
    event.tags.iter().map(Tag::as_slice).any(|t| {
        t.first().map(String::as_str) == Some(name) && t.get(1).map(String::as_str) == Some(value)
    })
}

/// A room's expiration from its horizon (OS-EXPIRY-4): `start + n * 1800 + 604800`.
/// `None` if the room ends before 1970 or the sum overflows.
pub fn v2_expiration(start: i64, mask: &Mask) -> Option<u64> {
    let n = i64::try_from(mask.len()).ok()?;
    let horizon = start.checked_add(n.checked_mul(SLOT_SECONDS)?)?;
    u64::try_from(horizon)
        .ok()?
        .checked_add(expiry::V2_RETENTION_SECONDS)
}

/// What the resolver needs to know about the winning room to judge responses.
#[derive(Clone, Debug)]
pub struct RoomRef<'a> {
    /// The room event's id: v1 responses name it in their `e` tag.
    pub event_id: EventId,
    /// The room's content.
    pub payload: &'a RoomPayload,
}

/// A response event that passed every check.
#[derive(Clone, Debug)]
pub struct OpenedResponse {
    /// The decoded payload.
    pub payload: ResponsePayload,
    /// The response's availability in room coordinates (OS-MASK-3, OS-MASK-7).
    pub mask: Mask,
}

/// Everything a link determines: the keys, the room d-tag and, in v2, the room address.
#[derive(Clone, Debug)]
pub struct RoomContext {
    /// The parsed link.
    pub link: Link,
    /// The profile's working keys (spec §5).
    pub keys: RoomKeys,
    /// The room's blinded d-tag (OS-BLIND-1, OS-BLIND-3).
    pub room_d: String,
}

impl RoomContext {
    /// Derives keys and the room d-tag from a link.
    pub fn new(link: Link) -> Self {
        let profile = link.protocol_profile();
        let keys = link.key.derive(profile);
        let room_d = match profile {
            Profile::V1 => blinding::room_d_tag_v1(&keys.blind, &link.room_id),
            Profile::V2 => blinding::room_d_tag_v2(&keys.blind, &link.room_id),
        };
        Self { link, keys, room_d }
    }

    /// The profile of the link.
    pub fn profile(&self) -> Profile {
        self.keys.profile
    }

    /// The v2 room address `30078:<host>:<d>` (OS-EVENT-5); `None` in v1.
    pub fn room_address(&self) -> Option<String> {
        self.link.host().map(|h| room_address(h, &self.room_d))
    }

    /// The d-tag a response by `author` must carry (OS-BLIND-2, OS-BLIND-4).
    /// v1 needs the room event's id.
    pub fn response_d(&self, author: &PublicKey, room_event_id: &EventId) -> String {
        match self.profile() {
            Profile::V1 => blinding::response_d_tag_v1(&self.keys.blind, author, room_event_id),
            Profile::V2 => {
                blinding::response_d_tag_v2(&self.keys.blind, &self.link.room_id, author)
            }
        }
    }

    fn binding<'a>(&'a self, author: &'a str) -> Binding<'a> {
        Binding {
            room_id: &self.link.room_id,
            author,
        }
    }

    /// Builds and signs a room event (OS-EVENT-2, OS-EVENT-4, OS-EVENT-6,
    /// OS-EXPIRY-4). In v2 `signer` must hold the link's host key.
    /// Returns the event and the plaintext it encrypts.
    pub fn build_room_event(
        &self,
        signer: &Keys,
        payload: &RoomPayload,
        created_at: u64,
        nonce: &[u8; 32],
        aux_rand: &[u8; 32],
    ) -> Result<(Event, String), Failure> {
        // v2: the link names the host, so another signer is refused before
        // the payload is written (OS-EVENT-11, then §8.2).
        if self.profile() == Profile::V2 && self.link.host() != Some(&signer.public_key()) {
            return Err(EventError::Author.into());
        }
        let author = signer.public_key().to_hex();
        let plaintext = payload.to_json(self.profile(), &self.binding(&author))?;
        let content = cipher::encrypt_with_nonce(&self.keys.enc, plaintext.as_bytes(), nonce)?;
        let tags = match self.profile() {
            Profile::V1 => room_tags_v1(&self.room_d),
            Profile::V2 => {
                let expiration =
                    v2_expiration(payload.start, &payload.mask).ok_or(PayloadError::Field)?;
                room_tags_v2(&self.room_d, expiration)
            }
        };
        Ok((
            sign(signer, created_at, tags, content, aux_rand)?,
            plaintext,
        ))
    }

    /// Builds and signs a response event (OS-EVENT-3, OS-EVENT-5, OS-EVENT-6).
    /// v1 names `room_event_id`; v2 names the room address and carries
    /// `expiration`, the room event's own value (OS-EXPIRY-4).
    #[allow(clippy::too_many_arguments)]
    pub fn build_response_event(
        &self,
        signer: &Keys,
        payload: &ResponsePayload,
        room_event_id: &EventId,
        expiration: u64,
        created_at: u64,
        nonce: &[u8; 32],
        aux_rand: &[u8; 32],
    ) -> Result<(Event, String), Failure> {
        let author = signer.public_key();
        let author_hex = author.to_hex();
        let plaintext = payload.to_json(self.profile(), &self.binding(&author_hex))?;
        let content = cipher::encrypt_with_nonce(&self.keys.enc, plaintext.as_bytes(), nonce)?;
        let d = self.response_d(&author, room_event_id);
        let tags = match self.room_address() {
            None => response_tags_v1(room_event_id, &d),
            Some(address) => response_tags_v2(&d, &address, expiration),
        };
        Ok((
            sign(signer, created_at, tags, content, aux_rand)?,
            plaintext,
        ))
    }

    /// Steps 2 to 4 of reading an event (spec §11.4): kind (OS-EVENT-1), id
    /// (OS-EVENT-7) and signature (OS-EVENT-8).
    pub fn check_integrity(event: &Event) -> Result<(), EventError> {
        if event.kind != Kind::from(KIND) {
            return Err(EventError::Kind);
        }
        verify(event)
    }

    /// The tags every event of this room carries (OS-EVENT-10): a `t` tag
    /// `openslots` and, in v2, an expiration tag with a well-formed value.
    fn check_common_tags(&self, event: &Event) -> Result<(), EventError> {
        const TAG: EventError = EventError::Tag {
            requirement: "OS-EVENT-10",
        };
        if !has_tag_value(event, "t", APP_TAG) {
            return Err(TAG);
        }
        if self.profile() == Profile::V2 && Expiring::get_expiration(event).is_none() {
            return Err(TAG);
        }
        Ok(())
    }

    /// Step 7 of reading an event: NIP-40 expiry (OS-EXPIRY-2, OS-EXPIRY-3).
    fn check_expiry(event: &Event, now: u64) -> Result<(), EventError> {
        if Expiring::is_expired_at(event, now) {
            return Err(EventError::Expired);
        }
        Ok(())
    }

    /// Whether the event is a room candidate: it has a tag `["d", <room d-tag>]`
    /// in any position, which is what a relay's `#d` filter matches (spec §14.2).
    pub fn is_room_candidate(&self, event: &Event) -> bool {
        has_tag_value(event, "d", &self.room_d)
    }

    /// Whether the event is a response candidate for the winning room: in v1
    /// it has a tag `["e", <room event id>]`, in v2 `["a", <room address>]`
    /// (spec §14.2 step 7).
    pub fn is_response_candidate(&self, event: &Event, room_event_id: &EventId) -> bool {
        // The same test as `has_tag_value(event, "e", &room_event_id.to_hex())`
        // (v1) and `has_tag_value(event, "a", &self.room_address())` (v2),
        // comparing in place instead of formatting the expected value for
        // every event (a resolver asks this of every event it holds).
        let (name, matches): (&str, &dyn Fn(&str) -> bool) = match self.link.host() {
            None => ("e", &|v| is_lower_hex_of(v, room_event_id.as_bytes())),
            Some(host) => ("a", &|v| is_room_address(v, host, &self.room_d)),
        };
        event.tags.iter().map(Tag::as_slice).any(|t| {
            t.first().map(String::as_str) == Some(name) && t.get(1).is_some_and(|v| matches(v))
        })
    }

    /// Reads an event as this room's room event, in the order of spec §11.4,
    /// the first failing step giving the error (OS-EVENT-14): kind, id,
    /// signature, tags, author, expiry, then decryption (§7.3), the payload
    /// (§8.3) and its mask (§10.3).
    pub fn open_room(&self, event: &Event, now: u64) -> Result<RoomPayload, Failure> {
        Self::check_integrity(event)?;
        if first_tag_value(event, "d") != Some(self.room_d.as_str()) {
            return Err(EventError::Tag {
                requirement: "OS-EVENT-10",
            }
            .into());
        }
        self.check_common_tags(event)?;
        if let Some(host) = self.link.host()
            && &event.pubkey != host
        {
            return Err(EventError::Author.into());
        }
        Self::check_expiry(event, now)?;
        let plaintext = cipher::decrypt(&self.keys.enc, &event.content)?;
        let author = event.pubkey.to_hex();
        Ok(RoomPayload::parse(
            self.profile(),
            &plaintext,
            &self.binding(&author),
        )?)
    }

    /// Reads an event as a response to the winning room, in the order of spec
    /// §11.4: kind, id, signature, tags (including the reference to the room,
    /// OS-LWW-5), the d-tag bound to the author (OS-EVENT-11), expiry, then
    /// decryption, payload, and the mask in room coordinates (OS-MASK-3,
    /// OS-MASK-7).
    pub fn open_response(
        &self,
        event: &Event,
        room: &RoomRef<'_>,
        now: u64,
    ) -> Result<OpenedResponse, Failure> {
        Self::check_integrity(event)?;
        if !self.is_response_candidate(event, &room.event_id) {
            return Err(EventError::Tag {
                requirement: "OS-LWW-5",
            }
            .into());
        }
        let d = first_tag_value(event, "d").ok_or(EventError::Tag {
            requirement: "OS-EVENT-10",
        })?;
        self.check_common_tags(event)?;
        if d != self.response_d(&event.pubkey, &room.event_id) {
            return Err(EventError::Author.into());
        }
        Self::check_expiry(event, now)?;
        let plaintext = cipher::decrypt(&self.keys.enc, &event.content)?;
        let author = event.pubkey.to_hex();
        let payload = ResponsePayload::parse(self.profile(), &plaintext, &self.binding(&author))?;
        let room_mask = &room.payload.mask;
        let mask = match payload.start {
            None => {
                mask::validate_response_v1(room_mask, &payload.mask)?;
                payload.mask.intersect(room_mask)
            }
            Some(start) => mask::rebase(&payload.mask, start, room.payload.start, room_mask.len())?
                .intersect(room_mask),
        };
        Ok(OpenedResponse { payload, mask })
    }
}
