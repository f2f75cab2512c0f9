//! `openslots`: the reference implementation of the OpenSlots protocol
//! (`spec/openslots.md`), both profiles.
//!
//! OpenSlots is scheduling with no trusted server: a room (a meeting poll) is
//! encrypted with a key that travels only in the link's fragment and stored as
//! Nostr events on untrusted relays; participants publish their own encrypted
//! availability; every client resolves the room and counts the votes itself.
//! This crate implements every rule of the spec, one module per protocol
//! concept, with the spec's requirement IDs in its errors.
//!
//! **This is a reference implementation.** It is written to be read and to
//! generate and check test vectors: clear before fast, and it takes every
//! nonce and every timestamp from its caller. A client built on it must supply
//! randomness from a CSPRNG (OS-CIPHER-3, OS-LINK-9) and the real time.
//!
//! # Example: create a room, answer it, resolve it
//!
//! ```
//! use nostr::key::{Keys, SecretKey};
//! use openslots::event::RoomContext;
//! use openslots::link::Link;
//! use openslots::payload::{ResponsePayload, RoomPayload};
//! use openslots::{grid, mask, resolution, Profile};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The slots: 2025-06-02, 09:00 to 10:30 in Berlin (three slots).
//! let slots = grid::generate_owned(&["2025-06-02".to_owned()], "09:00", "10:30", "Europe/Berlin")?;
//! let (start, offered) = mask::room_mask_from_slots(&slots, Profile::V1)?;
//!
//! // A v1 link: room id and room key (a real client draws both at random).
//! let link = Link::parse("https://openslots.example/room/3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13#000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")?;
//! let ctx = RoomContext::new(link); // derives K_enc, K_hmac and the blinded d-tag
//!
//! // The host builds the encrypted room event.
//! let host = Keys::new(SecretKey::from_hex("0486619f9168c3cf592771c8a4ec9f1bc698093811d5aae6a1648428b8bbc9cc")?);
//! let room = RoomPayload { title: "Team sync".into(), start, mask: offered };
//! let (room_event, _plaintext) = ctx.build_room_event(&host, &room, 1_748_000_000, &[1; 32], &[0; 32])?;
//!
//! // A participant answers: available at the first and the last slot.
//! let alice = Keys::new(SecretKey::from_hex("cb045bb129d567297fe52fe55e90db55c52fbc6567f593292b49aae5d710ae5c")?);
//! let answer = ResponsePayload::choose(&room, Profile::V1, "Alice", &[slots[0], slots[2]])?;
//! let (response, _) = ctx.build_response_event(&alice, &answer, &room_event.id, 0, 1_748_003_600, &[2; 32], &[0; 32])?;
//!
//! // Anyone with the link resolves what the relays returned, in any order.
//! let state = resolution::resolve(&ctx, &[response, room_event], 1_748_010_000)?;
//! assert_eq!(state.room.title, "Team sync");
//! assert_eq!(state.slots, slots);
//! assert_eq!(state.counts, vec![1, 0, 1]);
//! # Ok(())
//! # }
//! ```

pub mod blinding;
pub mod booking;
pub mod cipher;
#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod event;
pub mod expiry;
pub mod grid;
pub mod kdf;
pub mod link;
pub mod lww;
pub mod mask;
pub mod payload;
pub mod resolution;
pub mod wrap;
pub mod wrap_set;

pub use error::{ErrorCode, Failure, SpecError};

/// The two profiles of the specification (spec §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// `v1`: the deployed web app's wire format, byte for byte.
    V1,
    /// `v2`: the recommended profile that answers the hazards of v1.
    V2,
}

/// The fixed slot length of both profiles, in seconds (OS-GRID-1).
pub const SLOT_SECONDS: i64 = 1800;
