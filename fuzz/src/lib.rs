//! What the fuzz targets share: the spec's example room (spec §4.1, §8.4,
//! §11.6) as ready contexts, event helpers that the targets use to get past
//! signatures and encryption, and the independent judge ([`oracle`], the
//! `openslots-oracle` crate) that the targets compare the reference against.
//!
//! The oracle is written from the spec's text and shares no code with the
//! reference: where the two disagree, a target panics and the campaign
//! reports it.
#![forbid(unsafe_code)]

pub use openslots_oracle as oracle;

use std::sync::LazyLock;

use nostr::event::{Event, EventId, Kind, Tag, UnsignedEvent};
use nostr::key::{Keys, PublicKey, SecretKey};
use nostr::types::Timestamp;
use openslots::event::{RoomContext, RoomRef};
use openslots::link::Link;
use openslots::mask;
use openslots::payload::RoomPayload;
use openslots::{ErrorCode, Profile};

/// The room id of the spec's examples (§4.1, §11.6).
pub const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
/// The room key of the spec's examples.
pub const ROOM_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// §11.6: the v1 host's secret key.
pub const V1_HOST_SK: &str = "0486619f9168c3cf592771c8a4ec9f1bc698093811d5aae6a1648428b8bbc9cc";
/// §11.6: the v1 participant's secret key.
pub const V1_PARTICIPANT_SK: &str =
    "cb045bb129d567297fe52fe55e90db55c52fbc6567f593292b49aae5d710ae5c";
/// §11.6: the v2 host's signing key (OS-KDF-5, c = 0).
pub const V2_HOST_SK: &str = "eb02c4a087734c1d71ff8133084f032bde2d444d05f6e630da3dc0aaa56e7de3";
/// §11.6: the v2 participant's signing key.
pub const V2_PARTICIPANT_SK: &str =
    "be5fcf07da53c3022738a63585528bfc8f248bbf2c299e18a416dd3117b25604";
/// §4.1: the v2 host public key.
pub const V2_HOST_PK: &str = "3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";
/// §8.4: the v2 participant's public key.
pub const V2_PARTICIPANT_PK: &str =
    "489d6054250c77c53c3a08eb0e57ffcf3037291bfc95c1e6aec9b96e8cef3dea";
/// §11.6: the id of the v1 room event.
pub const V1_ROOM_EVENT_ID: &str =
    "417b35a077c49ec849bedfdd5011ca0a54df7a92d15e375b224607ac0f30ea6a";
/// §11.6: the id of the v2 room event.
pub const V2_ROOM_EVENT_ID: &str =
    "c18ccacae0b76fa2377857e58f4056cb12c1d311a0500a17d11fab37a9408966";
/// §8.4, §10.4: the room's first slot.
pub const START: i64 = 1_748_851_200;
/// §10.4: the v1 room mask.
pub const ROOM_MASK_V1: &str = "11000000000000000000000000000000000000000000000011";
/// A `now` after the §11.6 events were written and before they expire.
pub const NOW: u64 = 1_748_010_000;
/// §11.6: the v2 expiration.
pub const EXPIRATION: u64 = 1_749_546_000;

/// The §4.1 v1 link.
pub fn v1_link() -> String {
    format!("https://openslots.example/room/{ROOM_ID}#{ROOM_KEY}")
}

/// The §4.1 v2 link.
pub fn v2_link() -> String {
    format!("https://openslots.example/room/{ROOM_ID}#v2.{ROOM_KEY}.{V2_HOST_PK}")
}

fn context(link: &str) -> RoomContext {
    match Link::parse(link) {
        Ok(link) => RoomContext::new(link),
        Err(e) => panic!("the spec's example link does not parse: {e}"),
    }
}

/// The room context of the §4.1 v1 link.
pub static V1_CTX: LazyLock<RoomContext> = LazyLock::new(|| context(&v1_link()));
/// The room context of the §4.1 v2 link.
pub static V2_CTX: LazyLock<RoomContext> = LazyLock::new(|| context(&v2_link()));

/// The context of a profile.
pub fn ctx(profile: Profile) -> &'static RoomContext {
    match profile {
        Profile::V1 => &V1_CTX,
        Profile::V2 => &V2_CTX,
    }
}

/// The §8.4 room: "Team sync", the §10.4 mask.
pub static ROOM: LazyLock<RoomPayload> = LazyLock::new(|| RoomPayload {
    title: "Team sync".to_owned(),
    start: START,
    mask: mask::decode_v1(ROOM_MASK_V1).unwrap_or_default(),
});

/// The §11.6 room event of a profile, as responses reference it.
pub fn room_ref(profile: Profile) -> RoomRef<'static> {
    let id = match profile {
        Profile::V1 => V1_ROOM_EVENT_ID,
        Profile::V2 => V2_ROOM_EVENT_ID,
    };
    RoomRef {
        event_id: EventId::from_hex(id).unwrap_or_else(|_| EventId::from_byte_array([0; 32])),
        payload: &ROOM,
    }
}

/// A key pair from 64 hex characters.
pub fn keys_hex(sk: &str) -> Keys {
    match SecretKey::from_hex(sk) {
        Ok(sk) => Keys::new(sk),
        Err(e) => panic!("bad fixture key {sk}: {e}"),
    }
}

/// The key pair of the secret key `0…0n` (n ≥ 1).
pub fn keys_n(n: u8) -> Keys {
    let mut sk = [0u8; 32];
    sk[31] = n.max(1);
    match SecretKey::from_slice(&sk) {
        Ok(sk) => Keys::new(sk),
        Err(e) => panic!("bad small key {n}: {e}"),
    }
}

/// Every key pair whose secret the targets know: the four of §11.6, then
/// `0…01` to `0…04`.
pub static KNOWN_KEYS: LazyLock<Vec<Keys>> = LazyLock::new(|| {
    let mut keys: Vec<Keys> = [V1_HOST_SK, V1_PARTICIPANT_SK, V2_HOST_SK, V2_PARTICIPANT_SK]
        .iter()
        .map(|sk| keys_hex(sk))
        .collect();
    keys.extend((1..=4).map(keys_n));
    keys
});

/// The known key pair of `pubkey`, if any.
pub fn keys_of(pubkey: &PublicKey) -> Option<&'static Keys> {
    KNOWN_KEYS.iter().find(|k| &k.public_key() == pubkey)
}

static SECP: LazyLock<secp256k1::Secp256k1<secp256k1::All>> =
    LazyLock::new(secp256k1::Secp256k1::new);

/// Signs `event`'s fields afresh with `keys` (its pubkey becomes theirs):
/// kind, tags, content and created_at are kept, id and sig recomputed.
pub fn resign(event: &Event, keys: &Keys, aux: &[u8; 32]) -> Event {
    let unsigned = UnsignedEvent::new(
        keys.public_key(),
        event.created_at,
        event.kind,
        event.tags.iter().cloned(),
        event.content.clone(),
    );
    let id = unsigned.compute_id();
    let sig = keys.sign_schnorr_with_aux_rand(&SECP, id.as_bytes(), aux);
    Event::new(
        id,
        unsigned.pubkey,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags,
        unsigned.content,
        sig,
    )
}

/// An event with the given fields and a meaningless id and signature (for
/// code that reads tags only).
pub fn unsigned_event(kind: u16, tags: Vec<Tag>, content: &str) -> Event {
    let pubkey = keys_n(1).public_key();
    let sig = nostr::event::Signature::from_byte_array([0; 64]);
    Event::new(
        EventId::from_byte_array([0; 32]),
        pubkey,
        Timestamp::from_secs(0),
        Kind::from(kind),
        tags,
        content,
        sig,
    )
}

/// Whether `code` is one a reader can give for an event read as a room or a
/// response (spec §11.4): `event-*`, `cipher-*`, `payload-*` or `mask-*`.
pub fn is_reading_code(code: ErrorCode) -> bool {
    let s = code.as_str();
    s.starts_with("event-")
        || s.starts_with("cipher-")
        || s.starts_with("payload-")
        || s.starts_with("mask-")
}
