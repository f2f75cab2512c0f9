//! The client scenario format (`vectors/scenarios/*.json`, schema
//! `spec/schemas/client-scenario.schema.json`), loaded as typed structs.
//!
//! A scenario names its rooms, the events the harness signs at run time
//! (described, never hard-coded, so that ids, signatures and expirations fit
//! the profile and the scenario clock), its relays with their mock-relay
//! scripts, and the client operations to perform with what each must give.
//! Every time is an offset in seconds from the scenario's `now`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// The client operations of the adapter protocol (§9).
pub const CLIENT_OPS: &[&str] = &[
    "create_room",
    "join_room",
    "respond",
    "update_room",
    "publish_wrapper_set",
    "join_group",
    "request_booking",
    "settle_bookings",
];

/// One scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// JSON Schema reference, ignored.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Stable identifier, the file name without `.json`.
    pub id: String,
    /// One line for people.
    pub title: String,
    /// The hazards of spec §17.3 the scenario is about (1 to 11); may be empty.
    #[serde(default)]
    pub hazards: Vec<u8>,
    /// Profiles the scenario runs in (default both).
    #[serde(default = "both_profiles")]
    pub profiles: Vec<String>,
    /// The mistakes of a naive client this scenario must catch, each
    /// optionally limited to a profile with `@v1` or `@v2`.
    #[serde(default)]
    pub catches: Vec<String>,
    /// The scenario clock: Unix seconds every offset is relative to.
    pub now: u64,
    /// Rooms by name; `main` is the default room of events and steps.
    pub rooms: BTreeMap<String, RoomSpec>,
    /// Member access groups by name (spec §19.2).
    #[serde(default)]
    pub groups: BTreeMap<String, super::wrap::GroupSpec>,
    /// Events the harness builds and signs before the relays start.
    #[serde(default)]
    pub events: Vec<EventSpec>,
    /// The relays, in order.
    pub relays: Vec<RelaySpec>,
    /// Client operations, in order.
    pub steps: Vec<Step>,
}

fn both_profiles() -> Vec<String> {
    vec!["v1".into(), "v2".into()]
}

fn main_room() -> String {
    "main".into()
}

/// A room: its identity and its host (the harness derives id and key from
/// the scenario and the room name) and its first content.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomSpec {
    /// The actor who hosts the room (default `host`).
    #[serde(default = "default_host")]
    pub host: String,
    /// The title.
    pub title: String,
    /// Offered slots, Unix seconds.
    pub slots: Vec<i64>,
    /// v2: the room offers its slots for booking (OS-BOOK-2); every room
    /// event of the room, described or written by a step, carries it.
    #[serde(default)]
    pub book: Option<super::booking::BookSpec>,
}

fn default_host() -> String {
    "host".into()
}

/// How a described event is spoiled after it is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tamper {
    /// A signature byte flipped: `event-sig`.
    Sig,
    /// Content changed after signing: `event-id`.
    Id,
    /// Content is base64 that is not a NIP-44 payload of the room key.
    ContentJunk,
    /// Content encrypted under another room key: `cipher-mac`.
    WrongKey,
    /// The plaintext is not JSON: `payload-json`.
    PayloadJunk,
    /// A response mask one slot longer than the room's (v1 `mask-length`,
    /// v2 bits beyond the room that must not count).
    MaskLonger,
    /// A v1 response mask with a character other than `0`/`1`
    /// (`mask-encoding`); in v2 a mask object with trailing bits set.
    MaskStray,
    /// The event is signed as kind 1: `event-kind`.
    Kind,
    /// v2 only: a response mask with `n` one past the v2 limit of 35,136
    /// (`mask-too-large`, OS-MASK-6), its bits those of the real answer.
    MaskTooLarge,
    /// With `copy_of`: the earlier event's JSON with the tag `["d", <room
    /// d-tag>]` appended and its id and signature kept, so that it is a
    /// room candidate (spec §14.2 step 3) that fails `event-id` while its
    /// id has a valid copy in the other role.
    RoomD,
}

/// An event the harness builds, signs and hands to relays.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// The name relays and expectations refer to.
    pub name: String,
    /// `room` or `response`.
    pub role: Role,
    /// The signing actor (default: the room's host for a room event).
    #[serde(default)]
    pub author: Option<String>,
    /// The room (default `main`).
    #[serde(default = "main_room")]
    pub room: String,
    /// For a response: the room event it answers (its id in the v1 `e` tag
    /// and response d-tag; its expiration in v2).
    #[serde(default)]
    pub answers: Option<String>,
    /// `created_at` as an offset from `now`.
    pub at: i64,
    /// Room title (default: the room's).
    #[serde(default)]
    pub title: Option<String>,
    /// Room slots (default: the room's).
    #[serde(default)]
    pub slots: Option<Vec<i64>>,
    /// Response display name (default: the author's name).
    #[serde(default)]
    pub name_text: Option<String>,
    /// Response: available slots, Unix seconds.
    #[serde(default)]
    pub available: Vec<i64>,
    /// Expiration as an offset from `now`, replacing the profile's value
    /// (and added in v1, which honours one when present).
    #[serde(default)]
    pub expires: Option<i64>,
    /// Id grinding: `low` makes the id's first hex digit 0-7, `high` 8-f,
    /// so that ties have a known winner.
    #[serde(default)]
    pub id: Option<IdClass>,
    /// How to spoil the event after building it.
    #[serde(default)]
    pub tamper: Option<Tamper>,
    /// Use the content of this earlier described event instead (a
    /// re-posted ciphertext).
    #[serde(default)]
    pub copy_content: Option<String>,
    /// This event is a copy of the named earlier event, spoiled by `tamper`
    /// (default `sig`): `sig` or `id` give a forgery that carries the
    /// genuine event's id (OS-LWW-6); `room-d` appends the room d-tag. The
    /// other members are not used.
    #[serde(default)]
    pub copy_of: Option<String>,
    /// Tags appended after the profile's tags; `{address}` in a value
    /// stands for the v2 room address (`30078:<host>:<room d-tag>`).
    #[serde(default)]
    pub extra_tags: Vec<Vec<String>>,
    /// For a wrapper set: its group, epoch and wrappers.
    #[serde(default)]
    pub wrap: Option<super::wrap::SetSpec>,
    /// Request: the receipt (by name) whose commitment it carries.
    #[serde(default)]
    pub receipt: Option<String>,
    /// Request: the receipt (by name) whose nonce it presents.
    #[serde(default)]
    pub reveal: Option<String>,
    /// Request: the room event (by name) it names in `seen`; its
    /// expiration is the request's.
    #[serde(default)]
    pub seen: Option<String>,
    /// Manifest: its lists, commitments named by receipt.
    #[serde(default)]
    pub manifest: Option<super::booking::ManifestSpec>,
}

/// Room or response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A room event.
    Room,
    /// A response event.
    Response,
    /// A member access wrapper set (OS-WRAP-16).
    WrapperSet,
    /// A booking request event (OS-BOOK-5); `slots` are the requested slots.
    Request,
    /// A manifest event (OS-BOOK-7), by the room's host unless `author` says.
    Manifest,
}

/// Which half of the id space an event's id must fall in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdClass {
    /// First hex digit 0-7.
    Low,
    /// First hex digit 8-f.
    High,
}

/// One relay of the scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelaySpec {
    /// Its name in steps and reports.
    pub name: String,
    /// Nothing listens at its address: every connection is refused.
    #[serde(default)]
    pub down: bool,
    /// Described events stored before the first client connects (the
    /// store's replacement rules apply).
    #[serde(default)]
    pub store: Vec<String>,
    /// Described events served to every matching REQ as is, without any
    /// check (stale versions, forgeries, other authors, expired events).
    #[serde(default)]
    pub serve: Vec<String>,
    /// The rest of the mock-relay script (`spec/schemas/mock-relay-script.schema.json`):
    /// breakages, faults, limits. `name` and `preload` are set by the harness.
    #[serde(default)]
    pub script: Option<Value>,
}

/// A client operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `create_room`.
    CreateRoom,
    /// `join_room`.
    JoinRoom,
    /// `respond`.
    Respond,
    /// `update_room`.
    UpdateRoom,
    /// `publish_wrapper_set` (adapter protocol §11.1).
    PublishWrapperSet,
    /// `join_group` (adapter protocol §11.1).
    JoinGroup,
    /// `request_booking` (adapter protocol §10.1).
    RequestBooking,
    /// `settle_bookings` (adapter protocol §10.1).
    SettleBookings,
}

impl Op {
    /// The adapter protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateRoom => "create_room",
            Self::JoinRoom => "join_room",
            Self::Respond => "respond",
            Self::UpdateRoom => "update_room",
            Self::PublishWrapperSet => "publish_wrapper_set",
            Self::JoinGroup => "join_group",
            Self::RequestBooking => "request_booking",
            Self::SettleBookings => "settle_bookings",
        }
    }
}

/// One step: an operation by an actor, and what it must give.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The operation.
    pub op: Op,
    /// Who performs it (whose device secret it uses).
    pub actor: String,
    /// The room (default `main`).
    #[serde(default = "main_room")]
    pub room: String,
    /// `now` of the operation, as an offset from the scenario's `now`.
    #[serde(default)]
    pub at: i64,
    /// The relays given to the client, by name (default: all, in order).
    #[serde(default)]
    pub relays: Option<Vec<String>>,
    /// The operation's timeout in milliseconds (default 2000).
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    /// create/update: the title (default: the room's).
    #[serde(default)]
    pub title: Option<String>,
    /// create/update: the slots (default: the room's).
    #[serde(default)]
    pub slots: Option<Vec<i64>>,
    /// respond: the display name (default: the actor's name).
    #[serde(default)]
    pub name_text: Option<String>,
    /// respond: available slots.
    #[serde(default)]
    pub available: Vec<i64>,
    /// respond, v2: the described room event whose `expiration` tag the
    /// response must carry (OS-EXPIRY-4: the room version's value, not one
    /// computed from its slots); default: the value computed from the
    /// room's slots.
    #[serde(default)]
    pub expiration_of: Option<String>,
    /// join/respond/update: how the room's canonical link is spoiled before
    /// it is given to the client (absent: the canonical link).
    #[serde(default)]
    pub link_edit: Option<LinkEdit>,
    /// request_booking: the receipt (by name) of the new request.
    #[serde(default)]
    pub receipt: Option<String>,
    /// request_booking: the receipt (by name) presented.
    #[serde(default)]
    pub reveal: Option<String>,
    /// join_room: the receipts (by name) whose state to report.
    #[serde(default)]
    pub receipts: Vec<String>,
    /// settle_bookings: the host's holds.
    #[serde(default)]
    pub holds: Vec<super::booking::HoldSpec>,
    /// The requirements this step checks; every failure names them.
    pub requirements: Vec<String>,
    /// What the operation must give.
    pub expect: Expect,
    /// Member access: the group and what the host or member passes.
    #[serde(default)]
    pub wrap: Option<super::wrap::StepSpec>,
    /// Replaces `expect` in v1.
    #[serde(default)]
    pub expect_v1: Option<Expect>,
    /// Replaces `expect` in v2.
    #[serde(default)]
    pub expect_v2: Option<Expect>,
}

fn default_timeout() -> u64 {
    2000
}

/// How a step spoils the room's canonical link (spec §4). Each edit is
/// made on the link's text; the key and host parts are those of the
/// profile's fragment (`<key>` in v1, `v2.<key>.<host>` in v2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkEdit {
    /// The `#` and the fragment are removed (`link-syntax`, OS-LINK-1).
    NoFragment,
    /// `?ref=mail` is inserted before the `#` (`link-syntax`, OS-LINK-1).
    Query,
    /// The room id is written in upper case (OS-LINK-2: `link-room-id` in
    /// v2; in v1 either that error or another room, hashed as written).
    RoomIdUpper,
    /// The room key loses its last character (`link-key-length`,
    /// OS-LINK-3, OS-LINK-5).
    KeyTruncated,
    /// The room key's last character becomes `g` (`link-key-encoding`,
    /// OS-LINK-4, OS-LINK-5).
    KeyNotHex,
    /// The room key is written in upper case (OS-LINK-4: acceptable in v1;
    /// `link-key-encoding` in v2, OS-LINK-5).
    KeyUpper,
    /// The fragment's version becomes `v3` (v2: `v2.` becomes `v3.`; v1:
    /// `v3.` is put before the key): `link-version`, OS-LINK-7.
    VersionThree,
    /// v2: the host part becomes 64 zero digits, an x coordinate for which
    /// `lift_x` fails (`link-host-key`, OS-LINK-6).
    HostKeyInvalid,
    /// v2: the host part becomes the per-room key of the actor `mallory`,
    /// a valid key that did not sign the room.
    HostKeyOther,
}

/// What an operation must give. Absent members are not checked.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The error code the operation must fail with; absent: it must succeed.
    #[serde(default)]
    pub error: Option<String>,
    /// Where the spec leaves a choice (OS-LINK-2, OS-LINK-4 in v1): the
    /// operation may instead fail with this code, and then nothing else of
    /// the expectation is checked.
    #[serde(default)]
    pub or_error: Option<String>,
    /// join: the described event (or `step:<n>` for the event step n
    /// published) that must be the winning room event.
    #[serde(default)]
    pub room_event: Option<String>,
    /// join: the title.
    #[serde(default)]
    pub title: Option<String>,
    /// join: the offered slots.
    #[serde(default)]
    pub slots: Option<Vec<i64>>,
    /// join: the participants, in any order (compared sorted by public key).
    #[serde(default)]
    pub participants: Option<Vec<ExpectParticipant>>,
    /// join: the count per offered slot.
    #[serde(default)]
    pub counts: Option<Vec<u32>>,
    /// join: described events that must be listed as rejected, with their code.
    #[serde(default)]
    pub rejected: Option<BTreeMap<String, String>>,
    /// join: `rejected` is the whole list: no other id may be listed.
    #[serde(default)]
    pub rejected_exactly: bool,
    /// publish: relays (by name) that must have received the event; default
    /// every relay given that is not down.
    #[serde(default)]
    pub received_by: Option<Vec<String>>,
    /// publish: per relay name, the outcome the client must report
    /// (`accepted`, `rejected`, `timeout`, `unreachable`), or several
    /// joined by `|` where the spec leaves the choice open (C-17).
    #[serde(default)]
    pub outcomes: Option<BTreeMap<String, String>>,
    /// publish: the published `created_at` as an offset from `now`.
    #[serde(default)]
    pub created_at: Option<i64>,
    /// Member access: epoch, winning set, secret, rejected sets.
    #[serde(default)]
    pub wrap: Option<super::wrap::WrapExpect>,
    /// join_room: per receipt given, its booking state (OS-BOOK-6).
    #[serde(default)]
    pub bookings: Option<BTreeMap<String, super::booking::ExpectBooking>>,
    /// settle_bookings: whether a new manifest version is published.
    #[serde(default)]
    pub changed: Option<bool>,
    /// settle_bookings: the manifest decided, commitments named by receipt.
    #[serde(default)]
    pub manifest: Option<super::booking::ManifestSpec>,
}

/// One expected participant.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectParticipant {
    /// The actor (the harness knows its public key in each room).
    pub actor: String,
    /// The display name.
    pub name: String,
    /// Available slots, Unix seconds.
    pub available: Vec<i64>,
}

/// A problem loading scenarios.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory or a file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not a valid scenario.
    #[error("{path}: {message}")]
    Invalid {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Loads one scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let s: Scenario = serde_json::from_str(&text).map_err(|e| LoadError::Invalid {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if s.id != stem {
        return Err(LoadError::Invalid {
            path: path.display().to_string(),
            message: format!("id {:?} differs from the file name", s.id),
        });
    }
    Ok(s)
}

/// Loads every `*.json` of a directory, sorted by file name.
pub fn load_dir(dir: &Path) -> Result<Vec<Scenario>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file(p)).collect()
}
