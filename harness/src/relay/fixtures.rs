//! Events for the relay suite: OpenSlots rooms and responses built by the
//! independent oracle (`openslots-oracle`) exactly as the profiles produce
//! them (spec §11), each
//! under fresh random keys, room ids and d-tags, so that the suite can run
//! twice against one relay, or against a relay that holds other data.

use nostr::event::{Event, EventId};
use nostr::key::{Keys, SecretKey};
use openslots_oracle::link::Link;
use openslots_oracle::payload::{MAX_NAME_V2, MAX_PLAINTEXT, MAX_TITLE_V2, Role};
use openslots_oracle::room::Room as RoomContext;
use openslots_oracle::{Profile, SLOT_SECONDS, cipher, event as os_event, expiry, mask, payload};

/// Why a fixture could not be built (a defect of the suite, not of the relay).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build a test event: {0}")]
pub struct FixtureError(pub String);

fn err(e: impl std::fmt::Display) -> FixtureError {
    FixtureError(e.to_string())
}

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], FixtureError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(err)?;
    Ok(b)
}

/// A fresh random key pair.
pub fn random_keys() -> Result<Keys, FixtureError> {
    loop {
        // A 32-byte string is a valid scalar except with negligible probability.
        if let Ok(sk) = SecretKey::from_slice(&random_bytes::<32>()?) {
            return Ok(Keys::new(sk));
        }
    }
}

/// A fresh random d-tag value (64 hexadecimal characters, like OpenSlots' own).
pub fn random_d() -> Result<String, FixtureError> {
    Ok(hex::encode(random_bytes::<32>()?))
}

/// The current Unix time in seconds, on the suite's clock.
pub fn now() -> u64 {
    openslots_oracle::expiry::unix_now()
}

/// Signs an event of kind 30078 with any tags and content.
pub fn sign(
    keys: &Keys,
    created_at: u64,
    tags: Vec<Vec<String>>,
    content: String,
) -> Result<Event, FixtureError> {
    os_event::sign(
        keys,
        os_event::KIND,
        created_at,
        &tags,
        content,
        &random_bytes::<32>()?,
    )
    .map_err(FixtureError)
}

/// A room payload: title, start and the offered positions.
#[derive(Clone, Debug)]
pub struct RoomPayload {
    /// The title.
    pub title: String,
    /// The first slot.
    pub start: i64,
    /// The room mask.
    pub mask: Vec<bool>,
}

/// A response payload: name, start (v2) and the available positions.
#[derive(Clone, Debug)]
pub struct ResponsePayload {
    /// The display name.
    pub name: String,
    /// The start the mask counts from (v2).
    pub start: Option<i64>,
    /// The response mask.
    pub mask: Vec<bool>,
}

/// A random version 4 UUID, as OpenSlots room ids are (OS-LINK-9).
fn random_room_id() -> Result<String, FixtureError> {
    let mut b = random_bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// A room of one profile with fresh keys: its link context and host.
pub struct Room {
    /// What the link determines: keys, d-tag, address.
    pub ctx: RoomContext,
    /// The host's signing keys (in v2 the link's host key).
    pub host: Keys,
    /// The room's first slot, on the 1800-second grid, a few days ahead.
    pub start: i64,
}

impl Room {
    /// A new room of `profile` with random room id, room key and host key.
    pub fn new(profile: Profile) -> Result<Self, FixtureError> {
        let host = random_keys()?;
        let link = Link {
            origin: "https://openslots.invalid".to_owned(),
            room_id: random_room_id()?,
            key: random_bytes::<32>()?,
            host: (profile == Profile::V2).then(|| host.public_key().to_bytes()),
        };
        let now = i64::try_from(now()).map_err(err)?;
        let start = (now / SLOT_SECONDS + 96) * SLOT_SECONDS;
        Ok(Self {
            ctx: RoomContext::new(link),
            host,
            start,
        })
    }

    /// The room's d-tag.
    pub fn d(&self) -> &str {
        &self.ctx.room_d
    }

    /// A room event signed by the host.
    pub fn room_event(
        &self,
        payload: &RoomPayload,
        created_at: u64,
    ) -> Result<Event, FixtureError> {
        self.room_event_by(&self.host, payload, created_at)
    }

    /// A room event signed by `signer` (v1 lets anyone write one).
    pub fn room_event_by(
        &self,
        signer: &Keys,
        payload: &RoomPayload,
        created_at: u64,
    ) -> Result<Event, FixtureError> {
        let author = signer.public_key().to_hex();
        let text = self.plaintext(payload, &author);
        let exp = expiry::v2_expiration(payload.start, payload.mask.len())
            .ok_or_else(|| FixtureError("no expiration for this room".into()))?;
        let tags = os_event::room_tags(self.ctx.profile(), &self.ctx.room_d, exp);
        let content = cipher::seal(&self.ctx.keys.enc, text.as_bytes(), &random_bytes::<32>()?)
            .map_err(|(code, _)| FixtureError(code.to_owned()))?;
        sign(signer, created_at, tags, content)
    }

    /// A response event by `author` to the room event `room`.
    pub fn response_event(
        &self,
        author: &Keys,
        payload: &ResponsePayload,
        room: &Event,
        created_at: u64,
    ) -> Result<Event, FixtureError> {
        let expiration = expiry::expiration(&os_event::tags_of(room)).unwrap_or(0);
        let room_id = room.id.to_hex();
        let d = self.ctx.response_d(&author.public_key(), &room_id);
        let text = self.response_plaintext(payload, &author.public_key().to_hex());
        let tags = match self.ctx.address() {
            None => os_event::response_tags_v1(&room_id, &d),
            Some(address) => os_event::response_tags_v2(&d, &address, expiration),
        };
        let content = cipher::seal(&self.ctx.keys.enc, text.as_bytes(), &random_bytes::<32>()?)
            .map_err(|(code, _)| FixtureError(code.to_owned()))?;
        sign(author, created_at, tags, content)
    }

    /// The serialised room payload (OS-PAYLOAD-2, OS-PAYLOAD-5).
    fn plaintext(&self, p: &RoomPayload, author: &str) -> String {
        match self.ctx.profile() {
            Profile::V1 => payload::write_room_v1(&p.title, p.start, &mask::encode_v1(&p.mask)),
            Profile::V2 => {
                let (n, b) = mask::encode_v2(&p.mask);
                payload::write_v2(
                    Role::Room,
                    &self.ctx.link.room_id,
                    author,
                    &p.title,
                    p.start,
                    (n, &b),
                )
            }
        }
    }

    /// The serialised response payload (OS-PAYLOAD-3, OS-PAYLOAD-6).
    fn response_plaintext(&self, p: &ResponsePayload, author: &str) -> String {
        match self.ctx.profile() {
            Profile::V1 => payload::write_response_v1(&p.name, &mask::encode_v1(&p.mask)),
            Profile::V2 => {
                let (n, b) = mask::encode_v2(&p.mask);
                payload::write_v2(
                    Role::Response,
                    &self.ctx.link.room_id,
                    author,
                    &p.name,
                    p.start.unwrap_or(self.start),
                    (n, &b),
                )
            }
        }
    }

    /// A typical room: two days of slots, a few offered.
    pub fn typical_payload(&self) -> RoomPayload {
        RoomPayload {
            title: "Team sync".to_owned(),
            start: self.start,
            mask: mask::from_indices(96, [0, 1, 2, 50, 95]),
        }
    }

    /// A typical response to [`Self::typical_payload`].
    pub fn typical_response(&self) -> ResponsePayload {
        ResponsePayload {
            name: "Alice".to_owned(),
            start: Some(self.start),
            mask: mask::from_indices(96, [1, 50]),
        }
    }

    /// The largest room payload of the profile: in v1 a plaintext of
    /// exactly 65,535 bytes (the NIP-44 limit, OS-PAYLOAD-9); in v2 the
    /// longest title and the most slots (OS-MASK-6), every slot offered.
    pub fn largest_payload(&self) -> Result<RoomPayload, FixtureError> {
        match self.ctx.profile() {
            Profile::V2 => Ok(RoomPayload {
                title: "x".repeat(MAX_TITLE_V2),
                start: self.start,
                mask: all_ones(mask::MAX_V2),
            }),
            Profile::V1 => {
                let title = "x".repeat(20);
                let base = RoomPayload {
                    title: title.clone(),
                    start: self.start,
                    mask: all_ones(1),
                };
                let overhead = self.plaintext_len(&base)? - 1;
                Ok(RoomPayload {
                    title,
                    start: self.start,
                    mask: all_ones(MAX_PLAINTEXT - overhead),
                })
            }
        }
    }

    /// The largest response to [`Self::largest_payload`]: the longest name
    /// that keeps the plaintext within 65,535 bytes (v1) or the v2 limit.
    pub fn largest_response(&self, room: &RoomPayload) -> Result<ResponsePayload, FixtureError> {
        let name = match self.ctx.profile() {
            Profile::V2 => MAX_NAME_V2,
            // `{"n":"…","o":"…"}`: 15 bytes around the name and the mask.
            Profile::V1 => MAX_PLAINTEXT.saturating_sub(15 + room.mask.len()),
        };
        Ok(ResponsePayload {
            name: "x".repeat(name),
            start: Some(room.start),
            mask: all_ones(room.mask.len()),
        })
    }

    fn plaintext_len(&self, payload: &RoomPayload) -> Result<usize, FixtureError> {
        Ok(self
            .plaintext(payload, &self.host.public_key().to_hex())
            .len())
    }
}

fn all_ones(n: usize) -> Vec<bool> {
    vec![true; n]
}

/// The id of an event, hexadecimal.
pub fn id_hex(id: &EventId) -> String {
    id.to_hex()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// NIP-44 v2 payload length in base64 characters for a plaintext of
    /// `len` bytes, with the independent judge's padding rule: the sum of
    /// version (1), nonce (32), u16 length (2), padded and MAC (32), in
    /// base64 with padding.
    fn nip44_chars(len: usize) -> usize {
        let padded = openslots_oracle::cipher::calc_padded_len(len as u64) as usize;
        (1 + 32 + 2 + padded + 32).div_ceil(3) * 4
    }

    #[test]
    fn largest_events_have_the_sizes_of_spec_10_5() {
        let v1 = Room::new(Profile::V1).unwrap();
        let p = v1.largest_payload().unwrap();
        assert_eq!(v1.plaintext_len(&p).unwrap(), 65_535);
        let e = v1.room_event(&p, 1).unwrap();
        assert_eq!(e.content.len(), nip44_chars(65_535));
        assert_eq!(e.content.len(), 87_472);
        let r = v1
            .response_event(&v1.host, &v1.largest_response(&p).unwrap(), &e, 1)
            .unwrap();
        assert_eq!(r.content.len(), 87_472);

        let v2 = Room::new(Profile::V2).unwrap();
        let p = v2.largest_payload().unwrap();
        let e = v2.room_event(&p, 1).unwrap();
        let plain = v2.plaintext_len(&p).unwrap();
        assert_eq!(e.content.len(), nip44_chars(plain));
        let other = random_keys().unwrap();
        let r = v2
            .response_event(&other, &v2.largest_response(&p).unwrap(), &e, 1)
            .unwrap();
        assert!(r.content.len() <= e.content.len());
        println!(
            "v2 room plaintext {plain}, content {}, response content {}",
            e.content.len(),
            r.content.len()
        );
    }

    #[test]
    fn fixtures_are_fresh() {
        assert_ne!(random_d().unwrap(), random_d().unwrap());
        let a = Room::new(Profile::V2).unwrap();
        let b = Room::new(Profile::V2).unwrap();
        assert_ne!(a.d(), b.d());
        assert_ne!(a.host.public_key(), b.host.public_key());
    }
}
