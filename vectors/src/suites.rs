//! The input, intermediate and output shapes of each suite.
//!
//! Byte strings are lowercase hex; integers are JSON numbers; masks are
//! written as strings of `0` and `1`, one character per slot, whatever the
//! encoding under test. A field that an operation does not use is absent.
//! The JSON Schema of each suite (`spec/schemas/vectors-<suite>.schema.json`)
//! says which fields each operation has.

use serde::{Deserialize, Serialize};

use crate::VectorFile;

/// No intermediate values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

/// A NIP-01 event as on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireEvent {
    /// Lowercase hex SHA-256 of the serialisation.
    pub id: String,
    /// Lowercase hex x-only public key.
    pub pubkey: String,
    /// Unix seconds.
    pub created_at: u64,
    /// The kind.
    pub kind: u32,
    /// Tags as string arrays.
    pub tags: Vec<Vec<String>>,
    /// The content.
    pub content: String,
    /// Lowercase hex BIP-340 signature.
    pub sig: String,
}

macro_rules! shape {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $($(#[$fdoc])* #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>,)*
        }
    };
}

shape!(
    /// `link`: `parse_link`.
    LinkInput { /// The link text.
    link: String }
);
shape!(
    /// `link`: the parsed link.
    LinkExpected {
        /// `v1` or `v2`.
        profile: String,
        /// Scheme, authority and path prefix.
        origin: String,
        /// The room id as written.
        room_id: String,
        /// The 32-byte room key.
        room_key: String,
        /// The v2 host public key.
        host: String,
    }
);

shape!(
    /// `derivation`: `derive_keys` and `derive_signing_key`.
    DerivationInput {
        /// The 32-byte room key (`derive_keys`).
        room_key: String,
        /// The 32-byte device secret (`derive_signing_key`).
        device_secret: String,
        /// The v2 room d-tag (`derive_signing_key`).
        room_d_tag: String,
    }
);
shape!(
    /// `derivation`: values on the way.
    DerivationIntermediate {
        /// HKDF-Extract output (`derive_keys`).
        prk: String,
        /// Every HKDF output tried before a valid scalar (`derive_signing_key`).
        candidates: Vec<String>,
    }
);
shape!(
    /// `derivation`: derived keys.
    DerivationExpected {
        /// `K_enc`.
        k_enc: String,
        /// `K_hmac` (v1).
        k_hmac: String,
        /// `K_blind` (v2).
        k_blind: String,
        /// The counter byte that gave the key (`derive_signing_key`).
        counter: u8,
        /// The secret key (`derive_signing_key`).
        secret_key: String,
        /// Its x-only public key.
        public_key: String,
    }
);

shape!(
    /// `blinding`: `blind_room` and `blind_response`.
    BlindingInput {
        /// The 32-byte room key the blinding key is derived from.
        room_key: String,
        /// The room id, as written in the link.
        room_id: String,
        /// `blind_room` only, instead of `roomId`: the room id as UTF-16 code
        /// units (a JSON string cannot carry a lone surrogate); it is hashed
        /// as OS-BLIND-5 says, each lone surrogate encoded as U+FFFD.
        room_id_utf16: Vec<u16>,
        /// The response author's public key (`blind_response`).
        author: String,
        /// The room event id (`blind_response`, v1).
        room_event_id: String,
    }
);
shape!(
    /// `blinding`: values on the way.
    BlindingIntermediate {
        /// `K_hmac` (v1) or `K_blind` (v2).
        blinding_key: String,
        /// The HMAC message, hex.
        message: String,
    }
);
shape!(
    /// `blinding`: the d-tag.
    BlindingExpected { /// Lowercase hex HMAC-SHA256.
    d_tag: String }
);

shape!(
    /// `encryption`: `encrypt` and `decrypt`.
    EncryptionInput {
        /// The 32-byte conversation key (`K_enc`).
        conversation_key: String,
        /// The 32-byte nonce (`encrypt`).
        nonce: String,
        /// The plaintext as UTF-8 text (`encrypt`).
        plaintext: String,
        /// The base64 payload (`decrypt`).
        payload: String,
    }
);
shape!(
    /// `encryption`: values on the way.
    EncryptionIntermediate {
        /// ChaCha20 key.
        chacha_key: String,
        /// ChaCha20 nonce (12 bytes).
        chacha_nonce: String,
        /// HMAC key.
        hmac_key: String,
        /// Length prefix and padded plaintext.
        padded_plaintext: String,
        /// ChaCha20 output.
        ciphertext: String,
        /// HMAC-SHA256 over nonce and ciphertext.
        mac: String,
    }
);
shape!(
    /// `encryption`: the result.
    EncryptionExpected {
        /// The base64 payload (`encrypt`).
        payload: String,
        /// The plaintext (`decrypt`).
        plaintext: String,
    }
);

shape!(
    /// `payloads`: `write_room`, `write_response`, `read_room`, `read_response`.
    PayloadInput {
        /// Title (`write_room`).
        title: String,
        /// Display name (`write_response`).
        name: String,
        /// Start in Unix seconds (`write_*`; v1 responses have none).
        start: i64,
        /// The mask as `0`/`1` (`write_*`).
        mask: String,
        /// The room id the payload is bound to (v2).
        room_id: String,
        /// The author the payload is bound to (v2).
        author: String,
        /// The plaintext (`read_*`).
        plaintext: String,
    }
);
shape!(
    /// `payloads`: the result.
    PayloadExpected {
        /// The plaintext (`write_*`).
        plaintext: String,
        /// Title (`read_room`).
        title: String,
        /// Display name (`read_response`).
        name: String,
        /// Start (`read_*`, where the payload carries one).
        start: i64,
        /// The mask as `0`/`1` (`read_*`).
        mask: String,
    }
);

shape!(
    /// `grid`: `generate_grid`.
    GridInput {
        /// ISO dates.
        dates: Vec<String>,
        /// Start wall time.
        start: String,
        /// End wall time.
        end: String,
        /// IANA zone or fixed offset.
        zone: String,
    }
);
shape!(
    /// `grid`: the slots.
    GridExpected { /// Slot starts, Unix seconds, ascending.
    slots: Vec<i64> }
);

shape!(
    /// `masks`: every mask operation.
    MaskInput {
        /// A v1 mask text (`decode_v1`).
        text: String,
        /// v2 slot count (`decode_v2`).
        n: i64,
        /// v2 base64 (`decode_v2`).
        b: String,
        /// A mask as `0`/`1` (`encode_*`, `validate_room`).
        mask: String,
        /// The room mask (`validate_response_v1`, `rebase`, `aggregate`).
        room: String,
        /// A response mask (`validate_response_v1`, `rebase`).
        response: String,
        /// Response masks (`aggregate`).
        responses: Vec<String>,
        /// Slot instants (`room_from_slots`).
        slots: Vec<i64>,
        /// The response's start (`rebase`).
        response_start: i64,
        /// The room's start (`rebase`, `choose_response`).
        room_start: i64,
        /// Instants the participant chose (`choose_response`).
        chosen: Vec<i64>,
    }
);
shape!(
    /// `masks`: the result.
    MaskExpected {
        /// A mask as `0`/`1` (`decode_*`, `rebase`, `room_from_slots`).
        mask: String,
        /// v1 text (`encode_v1`).
        text: String,
        /// v2 slot count (`encode_v2`).
        n: i64,
        /// v2 base64 (`encode_v2`).
        b: String,
        /// Room start (`room_from_slots`).
        start: i64,
        /// Per-position counts (`aggregate`).
        counts: Vec<u32>,
    }
);

shape!(
    /// `events`: `build_room_event`, `build_response_event`.
    EventInput {
        /// The room link.
        link: String,
        /// The signer's secret key.
        secret_key: String,
        /// Title (room).
        title: String,
        /// Name (response).
        name: String,
        /// Start: the room's, or the v2 response's own.
        start: i64,
        /// The mask as `0`/`1`.
        mask: String,
        /// The room event id (v1 response).
        room_event_id: String,
        /// The room's expiration (v2 response).
        expiration: u64,
        /// `created_at`.
        created_at: u64,
        /// The NIP-44 nonce.
        nonce: String,
        /// BIP-340 auxiliary randomness.
        aux_rand: String,
        /// The time to judge at (`read_room_event`, `next_created_at`).
        now: u64,
        /// The publisher's previous `created_at` for the address (`next_created_at`).
        previous: u64,
        /// The event to read (`read_room_event`).
        event: crate::WireEvent,
        /// Event JSON text to parse (`parse_event`).
        event_json: String,
    }
);
shape!(
    /// `events`: values on the way.
    EventIntermediate {
        /// The payload plaintext.
        plaintext: String,
        /// The NIP-01 serialisation the id hashes.
        serialized: String,
    }
);
shape!(
    /// `events`: the result.
    EventExpected {
        /// The signed event (`build_*`).
        event: crate::WireEvent,
        /// The event id (`parse_event`).
        id: String,
        /// The `created_at` to publish with (`next_created_at`).
        created_at: u64,
        /// The room's title (`read_room_event`).
        title: String,
        /// The room's start (`read_room_event`).
        start: i64,
        /// The room's mask as `0`/`1` (`read_room_event`).
        mask: String,
    }
);

shape!(
    /// `expiry`: `get_expiration`.
    ExpiryInput {
        /// The event's tags.
        tags: Vec<Vec<String>>,
        /// The time to judge at.
        now: u64,
    }
);
/// `expiry`: the result.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpiryExpected {
    /// The expiration, or null when the event never expires.
    pub expiration: Option<u64>,
    /// Whether the event is expired at `now`.
    pub expired: bool,
}

shape!(
    /// `lww` and `resolution`: `resolve`.
    ResolveInput {
        /// The room link.
        link: String,
        /// The time to judge at.
        now: u64,
        /// Every event the relays returned, in the order they arrived.
        events: Vec<crate::WireEvent>,
    }
);
/// An event that was rejected, with the check it failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rejected {
    /// The event id.
    pub id: String,
    /// The error code.
    pub error: String,
}
/// `lww` and `resolution`: diagnostics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolveIntermediate {
    /// The room d-tag.
    pub room_d_tag: String,
    /// Rejected events, sorted by id.
    pub rejected: Vec<Rejected>,
    /// Valid versions that lost, sorted by id.
    pub superseded: Vec<String>,
}
/// One participant of a resolved room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParticipantExpected {
    /// Author public key.
    pub pubkey: String,
    /// The winning response event.
    pub event_id: String,
    /// Display name.
    pub name: String,
    /// Offered slots the participant is available at.
    pub available: Vec<i64>,
}
/// `lww` and `resolution`: the resolved room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolveExpected {
    /// The winning room event.
    pub room_event_id: String,
    /// Its author.
    pub host: String,
    /// Title.
    pub title: String,
    /// Offered slots.
    pub slots: Vec<i64>,
    /// Participants sorted by public key.
    pub participants: Vec<ParticipantExpected>,
    /// Per offered slot, how many participants are available.
    pub counts: Vec<u32>,
}

/// `link.json`.
pub type LinkFile = VectorFile<LinkInput, Nothing, LinkExpected>;
/// `derivation.json`.
pub type DerivationFile = VectorFile<DerivationInput, DerivationIntermediate, DerivationExpected>;
/// `blinding.json`.
pub type BlindingFile = VectorFile<BlindingInput, BlindingIntermediate, BlindingExpected>;
/// `encryption.json`.
pub type EncryptionFile = VectorFile<EncryptionInput, EncryptionIntermediate, EncryptionExpected>;
/// `payloads.json`.
pub type PayloadFile = VectorFile<PayloadInput, Nothing, PayloadExpected>;
/// `grid.json`.
pub type GridFile = VectorFile<GridInput, Nothing, GridExpected>;
/// `masks.json`.
pub type MaskFile = VectorFile<MaskInput, Nothing, MaskExpected>;
/// `events.json`.
pub type EventFile = VectorFile<EventInput, EventIntermediate, EventExpected>;
/// `expiry.json`.
pub type ExpiryFile = VectorFile<ExpiryInput, Nothing, ExpiryExpected>;
/// `lww.json`.
pub type LwwFile = VectorFile<ResolveInput, ResolveIntermediate, ResolveExpected>;
/// `resolution.json`.
pub type ResolutionFile = VectorFile<ResolveInput, ResolveIntermediate, ResolveExpected>;
/// `lww.json` and `resolution.json` share one shape.
pub type ResolveFile = VectorFile<ResolveInput, ResolveIntermediate, ResolveExpected>;

/// `booking`: a request as `decide_bookings` takes it (a valid request event's
/// id, author and `created_at`, with its payload's members).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookingRequestRecord {
    /// The request event's id.
    pub id: String,
    /// Its author's public key.
    pub author: String,
    /// Its `created_at`.
    pub created_at: u64,
    /// Requested slots.
    pub slots: Vec<i64>,
    /// The commitment of a fresh nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// A presented nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal: Option<String>,
}
/// `booking`: a confirmed slot of a manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookedEntry {
    /// The slot.
    pub slot: i64,
    /// Its commitments, ascending.
    pub commits: Vec<String>,
}
/// `booking`: a host hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldEntry {
    /// The slot.
    pub slot: i64,
    /// Seats held.
    pub seats: i64,
    /// The public code.
    pub code: String,
}
/// `booking`: a refusal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefusedEntry {
    /// The refused commitment.
    pub commit: String,
    /// The refusal code.
    pub code: String,
}
/// `booking`: a manifest's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManifestData {
    /// Confirmed slots.
    pub booked: Vec<BookedEntry>,
    /// Host holds.
    pub held: Vec<HoldEntry>,
    /// Refusals.
    pub refused: Vec<RefusedEntry>,
    /// Spent commitments.
    pub spent: Vec<String>,
}
shape!(
    /// `booking`: `booking_commit`, `read_booking_room`,
    /// `read_booking_request`, `decide_bookings`, `booking_status`.
    BookingInput {
        /// The room id (`booking_commit`, `read_booking_request`, `decide_bookings`).
        room_id: String,
        /// A receipt nonce, hex (`booking_commit`).
        nonce: String,
        /// A payload plaintext (`read_booking_room`, `read_booking_request`).
        plaintext: String,
        /// The request event's author (`read_booking_request`).
        author: String,
        /// The host public key (`decide_bookings`).
        host: String,
        /// The time to decide at (`decide_bookings`).
        now: u64,
        /// The current room version's offered slots (`decide_bookings`).
        offered: Vec<i64>,
        /// Its `book.cap` (`decide_bookings`).
        cap: i64,
        /// Its `book.max` (`decide_bookings`).
        max: i64,
        /// The previous manifest (`decide_bookings`).
        previous: ManifestData,
        /// The host's holds (`decide_bookings`).
        holds: Vec<HoldEntry>,
        /// Every valid request event the relays returned, in arrival order (`decide_bookings`).
        requests: Vec<BookingRequestRecord>,
        /// A manifest (`booking_status`).
        manifest: ManifestData,
        /// A commitment (`booking_status`).
        commit: String,
    }
);
shape!(
    /// `booking`: values on the way.
    BookingIntermediate {
        /// The hashed message frame(label, room id, nonce), hex (`booking_commit`).
        message: String,
        /// The ids of the requests that count, in decision order (`decide_bookings`).
        order: Vec<String>,
    }
);
shape!(
    /// `booking`: the outputs.
    BookingExpected {
        /// The commitment (`booking_commit`), or the request's `commit` (`read_booking_request`).
        commit: String,
        /// `book.cap` (`read_booking_room`).
        cap: i64,
        /// `book.max` (`read_booking_room`).
        max: i64,
        /// `seen` (`read_booking_request`).
        seen: String,
        /// Requested slots (`read_booking_request`) or confirmed slots (`booking_status`).
        slots: Vec<i64>,
        /// `reveal` (`read_booking_request`).
        reveal: String,
        /// The next manifest's `booked` (`decide_bookings`).
        booked: Vec<BookedEntry>,
        /// Its `held`.
        held: Vec<HoldEntry>,
        /// Its `refused`.
        refused: Vec<RefusedEntry>,
        /// Its `spent`.
        spent: Vec<String>,
        /// The manifest payload's exact bytes (`decide_bookings`).
        payload: String,
        /// `confirmed`, `cancelled` or `pending` (`booking_status`).
        state: String,
    }
);
/// `booking.json`.
pub type BookingFile = VectorFile<BookingInput, BookingIntermediate, BookingExpected>;
shape!(
    /// `wrap`: member access (spec §19.2). Each operation uses some members.
    WrapInput {
        /// The passphrase as entered, before NFKC.
        passphrase: String,
        /// The group's 16-byte salt.
        salt: String,
        /// LOG_N.
        log_n: u8,
        /// A member's 32-byte intermediate.
        intermediate: String,
        /// The 32-byte group id.
        group_id: String,
        /// The epoch.
        epoch: u64,
        /// The 24-byte wrapper nonce.
        nonce: String,
        /// The 32-byte epoch secret.
        epoch_secret: String,
        /// A wrapper (any length, to test the reader).
        wrapper: String,
        /// A wrapper set's content (base64).
        content: String,
        /// ROTATE_TIME in seconds.
        rotate: u64,
        /// MARGIN_TIME in seconds.
        margin: u64,
        /// The time to judge at.
        now: u64,
        /// The purpose label of an epoch key.
        purpose: String,
    }
);
shape!(
    /// `wrap`: values on the way.
    WrapIntermediate {
        /// The member's intermediate.
        intermediate: String,
        /// The member's locator.
        locator: String,
        /// The member's wrapping key `K_wrap`.
        wrap_key: String,
        /// The associated data given to XChaCha20-Poly1305.
        ad: String,
    }
);
shape!(
    /// `wrap`: outputs.
    WrapExpected {
        /// The intermediate (`derive_intermediate`).
        intermediate: String,
        /// The locator (`member_keys`, `open_set`).
        locator: String,
        /// `K_wrap` (`member_keys`).
        wrap_key: String,
        /// The wrapper (`seal_wrapper`).
        wrapper: String,
        /// The epoch secret (`open_wrapper`, `open_set`).
        epoch_secret: String,
        /// The set's epoch (`open_set`).
        epoch: u64,
        /// The position of the member's wrapper in the set (`open_set`).
        index: u64,
        /// The epoch's first second (`check_epoch`).
        start: u64,
        /// The epoch's last accepted second, the set's expiration (`check_epoch`, `set_address`).
        end: u64,
        /// The wrapper set's d-tag (`set_address`).
        d_tag: String,
        /// A key derived from an epoch secret (`derive_epoch_key`).
        key: String,
    }
);

/// `wrap.json`.
pub type WrapFile = VectorFile<WrapInput, WrapIntermediate, WrapExpected>;
