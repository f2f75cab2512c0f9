//! Payloads (spec §8): the JSON plaintexts inside the encrypted content.
//!
//! | profile | room | response |
//! | --- | --- | --- |
//! | v1 | `{"t":title,"s":start,"o":"0101…"}` (OS-PAYLOAD-2) | `{"n":name,"o":"0101…"}` (OS-PAYLOAD-3) |
//! | v2 | `{"v":2,"role":"room","room":id,"author":hex,"title":…,"start":…,"mask":{"n":…,"b":…}}` (OS-PAYLOAD-5) | `{"v":2,"role":"response",…,"name":…,…}` (OS-PAYLOAD-6) |
//!
//! Writers produce exactly these bytes: members in this order, no white
//! space, strings escaped as JavaScript's `JSON.stringify` escapes them (which
//! is also what `serde_json` writes). Readers require every member with its
//! type (OS-PAYLOAD-4), ignore unknown members, reject duplicate member names
//! (OS-PAYLOAD-1), and in v2 check that the plaintext names the role, room and
//! author it is read for (OS-PAYLOAD-7, OS-PAYLOAD-8), so a ciphertext cannot
//! be replayed under another key, in another room or in another role.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::mask::{self, Mask, MaskError};
use crate::{ErrorCode, Profile, SpecError};

/// Largest plaintext NIP-44 can carry, in bytes (OS-PAYLOAD-9).
pub const MAX_PLAINTEXT: usize = 65_535;
/// Largest v2 title, in UTF-8 bytes (OS-PAYLOAD-9).
pub const MAX_TITLE_V2: usize = 512;
/// Largest v2 display name, in UTF-8 bytes (OS-PAYLOAD-9).
pub const MAX_NAME_V2: usize = 128;
/// Largest integer JavaScript represents exactly, 2^53 - 1 (OS-PAYLOAD-4).
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// Why a payload was rejected or could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// Not a JSON object, or a member name appears twice (OS-PAYLOAD-1).
    #[error("the plaintext is not a JSON object with unique member names")]
    Json,
    /// A required member is missing or has the wrong type (OS-PAYLOAD-4).
    #[error("a required payload member is missing or has the wrong type")]
    Field,
    /// A v2 payload's `v` is not 2 (OS-PAYLOAD-7).
    #[error("the payload names another protocol version")]
    Version,
    /// A v2 payload's role, room or author is not the expected one (OS-PAYLOAD-8).
    #[error("the payload's {0} does not match the event it was read from")]
    Binding(&'static str),
    /// The plaintext, a v2 title or a v2 name is over its limit (OS-PAYLOAD-9).
    #[error("the payload exceeds its size limit")]
    TooLarge,
    /// The mask inside the payload is invalid (OS-MASK-*).
    #[error(transparent)]
    Mask(#[from] MaskError),
}

impl SpecError for PayloadError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Json => ErrorCode::PayloadJson,
            Self::Field => ErrorCode::PayloadField,
            Self::Version => ErrorCode::PayloadVersion,
            Self::Binding(_) => ErrorCode::PayloadBinding,
            Self::TooLarge => ErrorCode::PayloadTooLarge,
            Self::Mask(e) => e.code(),
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Json => "OS-PAYLOAD-1",
            Self::Field => "OS-PAYLOAD-4",
            Self::Version => "OS-PAYLOAD-7",
            Self::Binding(_) => "OS-PAYLOAD-8",
            Self::TooLarge => "OS-PAYLOAD-9",
            Self::Mask(e) => e.requirement(),
        }
    }
}

/// What a v2 payload must name to be accepted (OS-PAYLOAD-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding<'a> {
    /// The room id from the link.
    pub room_id: &'a str,
    /// The lowercase-hex public key of the event the payload came from.
    pub author: &'a str,
}

/// A room's content: title, first slot and offered slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomPayload {
    /// The poll's title, exactly as the payload holds it: never trimmed or
    /// replaced by a placeholder (OS-PAYLOAD-10; how a user interface shows
    /// it is OS-PAYLOAD-11's matter).
    pub title: String,
    /// Unix seconds of the earliest offered slot; mask bit 0 stands for it.
    pub start: i64,
    /// Offered slots; first and last bit set (OS-MASK-2).
    pub mask: Mask,
}

/// A participant's answer: display name and available slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponsePayload {
    /// The participant's display name, exactly as the payload holds it
    /// (OS-PAYLOAD-10).
    pub name: String,
    /// Unix seconds that mask bit 0 stands for: the room's start in v1, the
    /// response's own start in v2 (OS-MASK-7).
    pub start: Option<i64>,
    /// Available slots.
    pub mask: Mask,
}

// ---- wire shapes -------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct RoomV1Wire {
    t: String,
    s: i64,
    o: String,
}

#[derive(Serialize, Deserialize)]
struct ResponseV1Wire {
    n: String,
    o: String,
}

#[derive(Serialize, Deserialize)]
struct MaskV2Wire {
    n: i64,
    b: String,
}

#[derive(Serialize, Deserialize)]
struct RoomV2Wire {
    v: i64,
    role: String,
    room: String,
    author: String,
    title: String,
    start: i64,
    mask: MaskV2Wire,
}

#[derive(Serialize, Deserialize)]
struct ResponseV2Wire {
    v: i64,
    role: String,
    room: String,
    author: String,
    name: String,
    start: i64,
    mask: MaskV2Wire,
}

/// Role names of v2 payloads (OS-PAYLOAD-5, OS-PAYLOAD-6).
pub const ROLE_ROOM: &str = "room";
/// Role name of a v2 response payload (OS-PAYLOAD-6).
pub const ROLE_RESPONSE: &str = "response";

// ---- duplicate-member check -------------------------------------------

/// Walks any JSON value and fails on an object with a repeated member name.
struct UniqueMembers;

impl<'de> DeserializeSeed<'de> for UniqueMembers {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(UniqueMembers)
    }
}

impl<'de> Visitor<'de> for UniqueMembers {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
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
        while seq.next_element_seed(UniqueMembers)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(de::Error::custom("duplicate member name"));
            }
            map.next_value_seed(UniqueMembers)?;
        }
        Ok(())
    }
}

/// Parses `text` as a JSON object with unique member names into `T` (steps 1 and 3).
fn parse_object<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, PayloadError> {
    check_unique_object(text)?;
    parse_fields(text)
}

/// Step 3 of spec §8.3 on a text already known to be a well-formed object:
/// anything that fails now is a missing or mistyped member.
fn parse_fields<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, PayloadError> {
    serde_json::from_str::<T>(text).map_err(|_| PayloadError::Field)
}

/// Whether a JSON text has an object that repeats a member name, or is not
/// a JSON object at all (step 1 of spec §8.3; the booking payloads of
/// §19.1 reuse it).
pub(crate) fn has_duplicate_members(text: &str) -> bool {
    check_unique_object(text).is_err()
}

/// Step 1 of spec §8.3: a JSON object whose objects have unique member names.
fn check_unique_object(text: &str) -> Result<(), PayloadError> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    if !trimmed.starts_with('{') {
        return Err(PayloadError::Json);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    UniqueMembers
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|_| PayloadError::Json)
}

fn check_start(start: i64) -> Result<i64, PayloadError> {
    if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&start) {
        Ok(start)
    } else {
        Err(PayloadError::Field)
    }
}

/// Step 2 of reading a v2 payload (spec §8.3): `v` must be an integer
/// (`payload-field`) equal to 2 (`payload-version`), before any other member.
fn check_v2_version(text: &str) -> Result<(), PayloadError> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        v: Option<serde_json::Value>,
        #[serde(default)]
        mask: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_str(text).map_err(|_| PayloadError::Json)?;
    let version = match probe.v {
        Some(serde_json::Value::Number(n)) => match n.as_i64() {
            Some(v) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&v) => {
                if v == 2 {
                    Ok(())
                } else {
                    Err(PayloadError::Version)
                }
            }
            _ => Err(PayloadError::Field),
        },
        _ => Err(PayloadError::Field),
    };
    version?;
    // Step 3 starts here. A derived struct would also accept `mask` written
    // as an array: the spec asks for an object (OS-PAYLOAD-4).
    if probe.mask.as_ref().is_some_and(|m| !m.is_object()) {
        return Err(PayloadError::Field);
    }
    Ok(())
}

/// Reads a v2 mask (spec §10.3) whose `n` has passed step 3 as an integer:
/// `n < 1` is `mask-length` (OS-MASK-6), the rest is the mask decoder's.
fn decode_mask_v2(n: i64, b: &str) -> Result<Mask, PayloadError> {
    let n = u64::try_from(n)
        .ok()
        .filter(|&n| n >= 1)
        .ok_or(MaskError::Length {
            requirement: "OS-MASK-6",
        })?;
    Ok(mask::decode_v2(n, b)?)
}

/// Step 4 of reading a v2 payload: role, room and author (OS-PAYLOAD-8).
fn check_v2_binding(
    role: &str,
    room: &str,
    author: &str,
    want_role: &str,
    binding: &Binding<'_>,
) -> Result<(), PayloadError> {
    if role != want_role {
        return Err(PayloadError::Binding("role"));
    }
    if room != binding.room_id {
        return Err(PayloadError::Binding("room"));
    }
    if author != binding.author {
        return Err(PayloadError::Binding("author"));
    }
    Ok(())
}

fn finish(json: Result<String, serde_json::Error>) -> Result<String, PayloadError> {
    let json = json.map_err(|_| PayloadError::Field)?;
    if json.len() > MAX_PLAINTEXT {
        return Err(PayloadError::TooLarge);
    }
    Ok(json)
}

impl RoomPayload {
    /// Reads a v1 room plaintext (OS-PAYLOAD-2, OS-PAYLOAD-4, OS-MASK-1, OS-MASK-2).
    pub fn parse_v1(text: &str) -> Result<Self, PayloadError> {
        // OS-PAYLOAD-1: a repeated member name, anywhere, is `payload-json`
        // in v1 too.
        check_unique_object(text)?;
        let w: RoomV1Wire = parse_object(text)?;
        let start = check_start(w.s)?;
        let mask = mask::decode_v1(&w.o)?;
        mask::validate_room(&mask, Profile::V1)?;
        Ok(Self {
            title: w.t,
            start,
            mask,
        })
    }

    /// Reads a v2 room plaintext and checks its binding (OS-PAYLOAD-5, OS-PAYLOAD-7,
    /// OS-PAYLOAD-8, OS-PAYLOAD-9, OS-MASK-2, OS-MASK-5, OS-MASK-6).
    pub fn parse_v2(text: &str, binding: &Binding<'_>) -> Result<Self, PayloadError> {
        check_unique_object(text)?;
        check_v2_version(text)?;
        let w: RoomV2Wire = parse_fields(text)?;
        let start = check_start(w.start)?;
        let n = check_start(w.mask.n)?;
        check_v2_binding(&w.role, &w.room, &w.author, ROLE_ROOM, binding)?;
        if w.title.len() > MAX_TITLE_V2 {
            return Err(PayloadError::TooLarge);
        }
        let mask = decode_mask_v2(n, &w.mask.b)?;
        mask::validate_room(&mask, Profile::V2)?;
        Ok(Self {
            title: w.title,
            start,
            mask,
        })
    }

    /// Reads a room plaintext of either profile; v2 needs the binding.
    pub fn parse(
        profile: Profile,
        text: &str,
        binding: &Binding<'_>,
    ) -> Result<Self, PayloadError> {
        match profile {
            Profile::V1 => Self::parse_v1(text),
            Profile::V2 => Self::parse_v2(text, binding),
        }
    }

    /// Writes the profile's plaintext bytes (OS-PAYLOAD-2, OS-PAYLOAD-5, OS-PAYLOAD-9).
    /// `binding` supplies the v2 `room` and `author`; v1 ignores it.
    ///
    /// Steps of §8.2, "Writing", in order (OS-PAYLOAD-12): the mask
    /// (OS-MASK-12), the start, the v2 title, the size.
    pub fn to_json(&self, profile: Profile, binding: &Binding<'_>) -> Result<String, PayloadError> {
        mask::check_room(&self.mask, profile)?;
        check_start(self.start)?;
        match profile {
            Profile::V1 => finish(serde_json::to_string(&RoomV1Wire {
                t: self.title.clone(),
                s: self.start,
                o: mask::encode_v1(&self.mask),
            })),
            Profile::V2 => {
                if self.title.len() > MAX_TITLE_V2 {
                    return Err(PayloadError::TooLarge);
                }
                let (n, b) = mask::encode_v2(&self.mask);
                if n as usize > mask::MAX_SLOTS_V2 {
                    return Err(MaskError::TooLarge {
                        requirement: "OS-MASK-6",
                    }
                    .into());
                }
                finish(serde_json::to_string(&RoomV2Wire {
                    v: 2,
                    role: ROLE_ROOM.to_owned(),
                    room: binding.room_id.to_owned(),
                    author: binding.author.to_owned(),
                    title: self.title.clone(),
                    start: self.start,
                    mask: MaskV2Wire {
                        n: i64::try_from(n).map_err(|_| PayloadError::TooLarge)?,
                        b,
                    },
                }))
            }
        }
    }
}

impl ResponsePayload {
    /// A response that marks exactly the chosen offered slots (OS-MASK-10),
    /// in the room's coordinates: v1 reads masks against the room's start and
    /// length; v2 carries the room's `start` and `n`. A chosen instant the
    /// room does not offer is `mask-off-grid`.
    pub fn choose(
        room: &RoomPayload,
        profile: Profile,
        name: &str,
        chosen: &[i64],
    ) -> Result<Self, PayloadError> {
        let mut mask = Mask::zeros(room.mask.len());
        for &t in chosen {
            let offset = t
                .checked_sub(room.start)
                .filter(|o| o % crate::SLOT_SECONDS == 0);
            let index = offset.and_then(|o| usize::try_from(o / crate::SLOT_SECONDS).ok());
            match index {
                Some(i) if room.mask.get(i) => {
                    mask.set(i, true);
                }
                _ => {
                    return Err(MaskError::OffGrid {
                        requirement: "OS-MASK-10",
                    }
                    .into());
                }
            }
        }
        Ok(Self {
            name: name.to_owned(),
            start: (profile == Profile::V2).then_some(room.start),
            mask,
        })
    }

    /// Reads a v1 response plaintext (OS-PAYLOAD-3, OS-PAYLOAD-4, OS-MASK-1).
    /// The length check against the room (OS-MASK-3) is the resolver's.
    pub fn parse_v1(text: &str) -> Result<Self, PayloadError> {
        // OS-PAYLOAD-1: a repeated member name, anywhere, is `payload-json`
        // in v1 too.
        check_unique_object(text)?;
        let w: ResponseV1Wire = parse_object(text)?;
        let mask = mask::decode_v1(&w.o)?;
        Ok(Self {
            name: w.n,
            start: None,
            mask,
        })
    }

    /// Reads a v2 response plaintext and checks its binding (OS-PAYLOAD-6,
    /// OS-PAYLOAD-7, OS-PAYLOAD-8, OS-PAYLOAD-9, OS-MASK-5, OS-MASK-6).
    pub fn parse_v2(text: &str, binding: &Binding<'_>) -> Result<Self, PayloadError> {
        check_unique_object(text)?;
        check_v2_version(text)?;
        let w: ResponseV2Wire = parse_fields(text)?;
        let start = check_start(w.start)?;
        let n = check_start(w.mask.n)?;
        check_v2_binding(&w.role, &w.room, &w.author, ROLE_RESPONSE, binding)?;
        if w.name.len() > MAX_NAME_V2 {
            return Err(PayloadError::TooLarge);
        }
        let mask = decode_mask_v2(n, &w.mask.b)?;
        Ok(Self {
            name: w.name,
            start: Some(start),
            mask,
        })
    }

    /// Reads a response plaintext of either profile; v2 needs the binding.
    pub fn parse(
        profile: Profile,
        text: &str,
        binding: &Binding<'_>,
    ) -> Result<Self, PayloadError> {
        match profile {
            Profile::V1 => Self::parse_v1(text),
            Profile::V2 => Self::parse_v2(text, binding),
        }
    }

    /// Writes the profile's plaintext bytes (OS-PAYLOAD-3, OS-PAYLOAD-6, OS-PAYLOAD-9).
    /// v2 requires `start` (its mask's own start); v1 ignores it.
    ///
    /// Steps of §8.2, "Writing", in order (OS-PAYLOAD-12): the mask
    /// (OS-MASK-12), the v2 start, the v2 name, the size.
    pub fn to_json(&self, profile: Profile, binding: &Binding<'_>) -> Result<String, PayloadError> {
        mask::check_response(&self.mask, profile)?;
        match profile {
            Profile::V1 => finish(serde_json::to_string(&ResponseV1Wire {
                n: self.name.clone(),
                o: mask::encode_v1(&self.mask),
            })),
            Profile::V2 => {
                let start = check_start(self.start.ok_or(PayloadError::Field)?)?;
                if self.name.len() > MAX_NAME_V2 {
                    return Err(PayloadError::TooLarge);
                }
                let (n, b) = mask::encode_v2(&self.mask);
                if n as usize > mask::MAX_SLOTS_V2 {
                    return Err(MaskError::TooLarge {
                        requirement: "OS-MASK-6",
                    }
                    .into());
                }
                finish(serde_json::to_string(&ResponseV2Wire {
                    v: 2,
                    role: ROLE_RESPONSE.to_owned(),
                    room: binding.room_id.to_owned(),
                    author: binding.author.to_owned(),
                    name: self.name.clone(),
                    start,
                    mask: MaskV2Wire {
                        n: i64::try_from(n).map_err(|_| PayloadError::TooLarge)?,
                        b,
                    },
                }))
            }
        }
    }
}
