//! Rooms and responses for the resolution and event benches, built from the
//! spec's example inputs (spec §11.6: room id, room key, the v1 host key and
//! the v2 host signing key) and, for the participants, keys, nonces and
//! availability from fixed seeds. (The `vectors/` suites did not exist when
//! these benches were written; when they do, inputs that fit should come
//! from there.)

use nostr::event::{Event, EventId};
use nostr::key::{Keys, SecretKey};
use openslots::Profile;
use openslots::event::{self, RoomContext};
use openslots::link::Link;
use openslots::mask::Mask;
use openslots::payload::{ResponsePayload, RoomPayload};

use crate::{SplitMix64, masks};

/// Room id of spec §11.6.
pub const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
/// Room key of spec §11.6.
pub const ROOM_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// v1 host secret key of spec §11.6.
pub const V1_HOST_SECRET: &str = "0486619f9168c3cf592771c8a4ec9f1bc698093811d5aae6a1648428b8bbc9cc";
/// v2 host signing key of spec §11.6 (OS-KDF-5, c = 0).
pub const V2_HOST_SIGNING: &str =
    "eb02c4a087734c1d71ff8133084f032bde2d444d05f6e630da3dc0aaa56e7de3";
/// `created_at` of the room event (spec §11.6).
pub const ROOM_CREATED_AT: u64 = 1_748_000_000;
/// `created_at` of the first response (spec §11.6); response `i` is `i`
/// seconds later.
pub const RESPONSE_CREATED_AT: u64 = 1_748_003_600;
/// The resolver's `now`: after every event, before every expiration.
pub const NOW: u64 = 1_748_100_000;
/// The room's first slot: 2025-06-02 00:00 UTC.
pub const ROOM_START: i64 = 1_748_822_400;
/// The room's span: two weeks of 30-minute slots.
pub const ROOM_SLOTS: usize = 14 * masks::SLOTS_PER_DAY;
/// Percentage of the offered slots each participant is available at.
pub const AVAILABILITY: u64 = 60;

/// A room and its responses, as relays return them.
#[derive(Clone, Debug)]
pub struct RoomFixture {
    /// What the link determines (keys, room d-tag).
    pub ctx: RoomContext,
    /// The room's content.
    pub room: RoomPayload,
    /// The room event, then one response event per participant.
    pub events: Vec<Event>,
}

/// Keys from a fixed seed (the first valid secret key the seed's
/// generator yields).
pub fn keys(rng: &mut SplitMix64) -> Keys {
    loop {
        if let Ok(sk) = SecretKey::from_slice(&rng.bytes32()) {
            return Keys::new(sk);
        }
    }
}

fn secret(hex: &str) -> Option<Keys> {
    SecretKey::from_hex(hex).ok().map(Keys::new)
}

/// The link, context and host keys of the spec's example room in `profile`.
pub fn context(profile: Profile) -> Option<(RoomContext, Keys)> {
    let (host, link) = match profile {
        Profile::V1 => (
            secret(V1_HOST_SECRET)?,
            format!("https://openslots.example/room/{ROOM_ID}#{ROOM_KEY}"),
        ),
        Profile::V2 => {
            let host = secret(V2_HOST_SIGNING)?;
            let link = format!(
                "https://openslots.example/room/{ROOM_ID}#v2.{ROOM_KEY}.{}",
                host.public_key().to_hex()
            );
            (host, link)
        }
    };
    Some((RoomContext::new(Link::parse(&link).ok()?), host))
}

/// The room (two weeks of slots, working hours offered) with `responses`
/// participants, each available at 60 % of the offered slots, in `profile`.
/// `None` only if the spec's example inputs stopped being valid.
pub fn room(profile: Profile, responses: usize) -> Option<RoomFixture> {
    let (ctx, host) = context(profile)?;
    let mask = masks::working_hours_room(ROOM_SLOTS);
    let room = RoomPayload {
        title: "Team sync".to_owned(),
        start: ROOM_START,
        mask,
    };
    let (room_event, _) = ctx
        .build_room_event(&host, &room, ROOM_CREATED_AT, &[1; 32], &[0; 32])
        .ok()?;
    let expiration = event::v2_expiration(room.start, &room.mask)?;
    let mut rng = SplitMix64::new(0x6f70_656e_736c_6f74);
    let mut events = vec![room_event.clone()];
    for i in 0..responses {
        let signer = keys(&mut rng);
        let payload = ResponsePayload {
            name: format!("Participant {i}"),
            start: (profile == Profile::V2).then_some(room.start),
            mask: masks::response(&room.mask, AVAILABILITY, rng.next_u64()),
        };
        let (e, _) = ctx
            .build_response_event(
                &signer,
                &payload,
                &room_event.id,
                expiration,
                RESPONSE_CREATED_AT + i as u64,
                &rng.bytes32(),
                &[0; 32],
            )
            .ok()?;
        events.push(e);
    }
    Some(RoomFixture { ctx, room, events })
}

/// The masks of a fixture's responses in room coordinates, as resolution
/// hands them to aggregation.
pub fn response_masks(fixture: &RoomFixture) -> Vec<Mask> {
    let room_id = fixture
        .events
        .first()
        .map_or(EventId::from_byte_array([0; 32]), |e| e.id);
    let room_ref = event::RoomRef {
        event_id: room_id,
        payload: &fixture.room,
    };
    fixture
        .events
        .iter()
        .skip(1)
        .filter_map(|e| fixture.ctx.open_response(e, &room_ref, NOW).ok())
        .map(|r| r.mask)
        .collect()
}
