//! What a link determines (spec §5, §6, §11.3): the room's keys, its d-tag,
//! its v2 address, and the response d-tag of any author.

use nostr::key::PublicKey;

use crate::kdf::{self, RoomKeys};
use crate::link::{Link, hex_lower};
use crate::{Profile, blinding, event};

/// A room as a link holder knows it.
#[derive(Clone, Debug)]
pub struct Room {
    /// The parsed link.
    pub link: Link,
    /// K_enc and K_hmac (v1) or K_blind (v2).
    pub keys: RoomKeys,
    /// The room d-tag (OS-BLIND-1, OS-BLIND-3).
    pub room_d: String,
}

impl Room {
    /// The keys and d-tag of a link.
    pub fn new(link: Link) -> Self {
        let keys = kdf::room_keys(link.profile(), &link.key);
        let room_d = blinding::room_d(link.profile(), &keys.blind, &link.room_id);
        Self { link, keys, room_d }
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.link.profile()
    }

    /// The host's public key, hexadecimal (v2).
    pub fn host_hex(&self) -> Option<String> {
        self.link.host.map(hex_lower)
    }

    /// The v2 room address `30078:<host>:<room d-tag>`; `None` in v1.
    pub fn address(&self) -> Option<String> {
        self.host_hex().map(|h| event::address(&h, &self.room_d))
    }

    /// The response d-tag of `author`: OS-BLIND-2 with the room event id in
    /// v1, OS-BLIND-4 in v2 (where the room event id plays no part).
    pub fn response_d(&self, author: &PublicKey, room_event_id_hex: &str) -> String {
        match self.profile() {
            Profile::V1 => {
                blinding::response_d_v1(&self.keys.blind, &author.to_hex(), room_event_id_hex)
            }
            Profile::V2 => {
                blinding::response_d_v2(&self.keys.blind, &self.link.room_id, &author.to_bytes())
            }
        }
    }
}
