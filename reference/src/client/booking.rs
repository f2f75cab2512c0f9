//! Bookings over relays (spec §19.1; adapter protocol §10.1): a bookable
//! room, an attendee's request, the host's settling into a manifest, and an
//! attendee's reading of the manifest.
//!
//! This module owns the booking events: the request and manifest d-tags
//! (OS-BOOK-5, OS-BOOK-7), the request's encryption to the host under the
//! NIP-44 conversation key of author and host, the manifest's under
//! `K_enc`, reading both, and the host's choice to publish (OS-BOOK-16).
//! Payloads and the decision procedure are [`crate::booking`]'s; the
//! network, joining and publishing are the parent module's.

use std::collections::BTreeSet;

use hmac::{Hmac, KeyInit, Mac};
use nostr::event::Event;
use nostr::key::{Keys, PublicKey};
use serde_json::{Value, json};
use sha2::Sha256;

use super::ops::{self, OpError};
use super::{ClientError, Joined, Published, Randomness, Relays};
use crate::blinding::{self, frame};
use crate::booking::{
    self, BookOffer, BookingError, BookingRequest, BookingState, Commitment, CountedRequest,
    CurrentRoom, Hold, Manifest, ReceiptNonce,
};
use crate::cipher::{self, ConversationKey};
use crate::error::Failure;
use crate::event::{self, EventError, RoomContext};
use crate::expiry::{self, Expiring};
use crate::kdf::DeviceSecret;
use crate::link::Link;
use crate::lww;
use crate::payload::{self, Binding, PayloadError, RoomPayload};
use crate::{ErrorCode, Profile};

/// The domain label of the request d-tag (OS-BOOK-5).
pub const LABEL_BOOKING: &[u8] = b"openslots:v2:booking";
/// The domain label of the manifest d-tag (OS-BOOK-7).
pub const LABEL_MANIFEST: &[u8] = b"openslots:v2:manifest";

fn book_failure(e: BookingError) -> ClientError {
    ClientError::Build(Failure::from(e))
}

/// OS-BOOK-1: bookings are v2 only; a v1 room is not bookable (`book-room`).
fn require_v2(ctx: &RoomContext) -> Result<(), ClientError> {
    if ctx.profile() == Profile::V1 {
        return Err(ClientError::Build(Failure::new(
            ErrorCode::BookRoom,
            "OS-BOOK-1",
        )));
    }
    Ok(())
}

/// OS-BOOK-5: the request d-tag of `author` in the room of `ctx`.
pub fn request_d(ctx: &RoomContext, author: &PublicKey) -> String {
    blinding::blind(
        &ctx.keys.blind,
        &frame(&[
            LABEL_BOOKING,
            ctx.link.room_id.as_bytes(),
            author.as_bytes(),
        ]),
    )
}

/// OS-BOOK-7: the manifest d-tag of the room of `ctx`.
pub fn manifest_d(ctx: &RoomContext) -> String {
    blinding::blind(
        &ctx.keys.blind,
        &frame(&[LABEL_MANIFEST, ctx.link.room_id.as_bytes()]),
    )
}

/// The NIP-44 version 2 conversation key of `secret` and `public`: the x
/// coordinate of their ECDH point, extracted by HKDF with the salt
/// `nip44-v2` (OS-BOOK-5).
pub fn conversation_key(secret: &Keys, public: &PublicKey) -> Result<ConversationKey, ClientError> {
    let xonly = public
        .xonly()
        .map_err(|_| ClientError::Input("a public key is not a point".into()))?;
    let point = secp256k1::PublicKey::from_x_only_public_key(xonly, secp256k1::Parity::Even);
    let shared = secp256k1::ecdh::shared_secret_point(&point, secret.secret_key());
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"nip44-v2")
        .map_err(|_| ClientError::Input("HMAC key".into()))?;
    mac.update(shared.get(..32).unwrap_or_default());
    Ok(ConversationKey::from_bytes(
        mac.finalize().into_bytes().into(),
    ))
}

/// Checks a `book` member before it is written (OS-BOOK-2).
pub fn check_offer(offer: BookOffer) -> Result<BookOffer, ClientError> {
    let cap_ok = (1..=booking::MAX_CAP).contains(&i64::from(offer.cap));
    let max_ok = (1..=booking::MAX_SLOTS as i64).contains(&i64::from(offer.max));
    if cap_ok && max_ok {
        Ok(offer)
    } else {
        Err(book_failure(BookingError::Room))
    }
}

/// The v2 room plaintext with `book` written after `mask` (OS-BOOK-2).
fn bookable_plaintext(
    ctx: &RoomContext,
    author: &str,
    payload: &RoomPayload,
    offer: BookOffer,
) -> Result<String, ClientError> {
    let binding = Binding {
        room_id: &ctx.link.room_id,
        author,
    };
    let text = payload
        .to_json(Profile::V2, &binding)
        .map_err(Failure::from)?;
    // `mask` is the last member the room payload writes (OS-PAYLOAD-2).
    let body = text
        .strip_suffix('}')
        .ok_or(ClientError::Build(Failure::from(PayloadError::Field)))?;
    let out = format!(
        "{body},\"book\":{{\"cap\":{},\"max\":{}}}}}",
        offer.cap, offer.max
    );
    if out.len() > payload::MAX_PLAINTEXT {
        return Err(ClientError::Build(Failure::from(PayloadError::TooLarge)));
    }
    Ok(out)
}

fn build_bookable_room(
    ctx: &RoomContext,
    signer: &Keys,
    payload: &RoomPayload,
    offer: BookOffer,
    created_at: u64,
    rand: &Randomness,
) -> Result<Event, ClientError> {
    require_v2(ctx)?;
    let offer = check_offer(offer)?;
    if ctx.link.host() != Some(&signer.public_key()) {
        return Err(ClientError::Build(EventError::Author.into()));
    }
    let plaintext = bookable_plaintext(ctx, &signer.public_key().to_hex(), payload, offer)?;
    let content = cipher::encrypt_with_nonce(&ctx.keys.enc, plaintext.as_bytes(), &rand.nonce)
        .map_err(Failure::from)?;
    let expiration = event::v2_expiration(payload.start, &payload.mask)
        .ok_or(ClientError::Build(PayloadError::Field.into()))?;
    let tags = event::room_tags_v2(&ctx.room_d, expiration);
    Ok(event::sign(signer, created_at, tags, content, &rand.aux_rand).map_err(Failure::from)?)
}

/// `create_room` with `book` (OS-BOOK-2): a bookable v2 room.
#[allow(clippy::too_many_arguments)]
pub async fn create_room(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    title: &str,
    slots: &[i64],
    offer: BookOffer,
    now: u64,
    rand: &Randomness,
) -> Result<Published, ClientError> {
    let ctx = RoomContext::new(link.clone());
    require_v2(&ctx)?;
    let signer = super::signing_keys(&ctx, device)?;
    let payload = super::room_payload(title, slots, ctx.profile())?;
    let event = build_bookable_room(&ctx, &signer, &payload, offer, now, rand)?;
    super::publish_checked(relays, event).await
}

/// `update_room` with `book` (OS-BOOK-2): a new bookable version of the room.
#[allow(clippy::too_many_arguments)]
pub async fn update_room(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    title: &str,
    slots: &[i64],
    offer: BookOffer,
    now: u64,
    rand: &Randomness,
) -> Result<Published, ClientError> {
    require_v2(&RoomContext::new(link.clone()))?;
    check_offer(offer)?;
    let joined = super::join_room(relays, link, now).await?;
    let ctx = &joined.ctx;
    let signer = super::signing_keys(ctx, device)?;
    let previous = super::own_latest(&joined.events, &signer.public_key(), &ctx.room_d);
    let created_at = event::next_created_at(now, previous).map_err(Failure::from)?;
    let payload = super::room_payload(title, slots, ctx.profile())?;
    let event = build_bookable_room(ctx, &signer, &payload, offer, created_at, rand)?;
    super::publish_checked(relays, event).await
}

/// The `book` member of the winning room version (OS-BOOK-2), read again
/// from a valid copy of the winning event.
pub fn offer_of(joined: &Joined, now: u64) -> Result<BookOffer, ClientError> {
    let ctx = &joined.ctx;
    require_v2(ctx)?;
    let winner = joined
        .events
        .iter()
        .filter(|e| e.id == joined.state.room_event_id)
        .find(|e| ctx.open_room(e, now).is_ok())
        .ok_or_else(|| book_failure(BookingError::Room))?;
    let plaintext = cipher::decrypt(&ctx.keys.enc, &winner.content).map_err(Failure::from)?;
    BookOffer::from_room_plaintext(&plaintext).map_err(book_failure)
}

/// The tags every v2 booking event carries (OS-EVENT-10), its `a` tag, and
/// expiry (OS-BOOK-16, OS-EXPIRY-3).
fn check_common(ctx: &RoomContext, e: &Event, now: u64) -> Result<(), Failure> {
    RoomContext::check_integrity(e)?;
    let tag = EventError::Tag {
        requirement: "OS-EVENT-10",
    };
    if !event::has_tag_value(e, "t", event::APP_TAG) || Expiring::get_expiration(e).is_none() {
        return Err(tag.into());
    }
    let address = ctx.room_address().unwrap_or_default();
    if !event::has_tag_value(e, "a", &address) {
        return Err(EventError::Tag {
            requirement: "OS-LWW-5",
        }
        .into());
    }
    if Expiring::is_expired_at(e, now) {
        return Err(EventError::Expired.into());
    }
    Ok(())
}

/// Reads a manifest plaintext bound to the room and host (OS-BOOK-6,
/// OS-PAYLOAD-8).
pub fn parse_manifest(text: &str, room_id: &str, host: &str) -> Result<Manifest, BookingError> {
    let v: Value = serde_json::from_str(text).map_err(|_| BookingError::Json)?;
    let obj = v.as_object().ok_or(BookingError::Json)?;
    if payload::has_duplicate_members(text) {
        return Err(BookingError::Json);
    }
    match obj.get("v").and_then(Value::as_i64) {
        Some(2) => {}
        Some(_) => return Err(BookingError::Version),
        None => return Err(BookingError::Field),
    }
    let text_of = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .ok_or(BookingError::Field)
    };
    if text_of("role")? != booking::ROLE_MANIFEST
        || text_of("room")? != room_id
        || text_of("author")? != host
    {
        return Err(BookingError::Binding);
    }
    Manifest::deserialize_lists(obj).ok_or(BookingError::Field)
}

trait ManifestLists {
    fn deserialize_lists(obj: &serde_json::Map<String, Value>) -> Option<Manifest>;
}

impl ManifestLists for Manifest {
    fn deserialize_lists(obj: &serde_json::Map<String, Value>) -> Option<Manifest> {
        let list = |k: &str| obj.get(k).cloned();
        Some(Manifest {
            booked: serde_json::from_value(list("booked")?).ok()?,
            held: serde_json::from_value(list("held")?).ok()?,
            refused: serde_json::from_value(list("refused")?).ok()?,
            spent: serde_json::from_value(list("spent")?).ok()?,
        })
    }
}

/// Reads an event as the room's manifest (OS-BOOK-7): the manifest d-tag,
/// the common tags, the link's host key (`event-author`), expiry, then the
/// payload under `K_enc`.
pub fn open_manifest(ctx: &RoomContext, e: &Event, now: u64) -> Result<Manifest, Failure> {
    check_common(ctx, e, now)?;
    if Some(&e.pubkey) != ctx.link.host() {
        return Err(EventError::Author.into());
    }
    let text = cipher::decrypt(&ctx.keys.enc, &e.content)?;
    Ok(parse_manifest(
        &text,
        &ctx.link.room_id,
        &e.pubkey.to_hex(),
    )?)
}

/// The winning manifest among the events (OS-BOOK-7: only the host's, by
/// OS-LWW-1 and OS-LWW-2), with its event.
pub fn winning_manifest<'a>(
    ctx: &RoomContext,
    events: &'a [Event],
    now: u64,
) -> Option<(&'a Event, Manifest)> {
    let d = manifest_d(ctx);
    let valid: Vec<(&Event, Manifest)> = events
        .iter()
        .filter(|e| event::first_tag_value(e, "d") == Some(d.as_str()))
        .filter_map(|e| open_manifest(ctx, e, now).ok().map(|m| (e, m)))
        .collect();
    let winner = lww::select(valid.iter().map(|(e, _)| *e))?;
    valid.into_iter().find(|(e, _)| e.id == winner.id)
}

/// Reads an event as a request to the room, as its host (OS-BOOK-5): the
/// request d-tag of its author (`event-author`), the common tags, expiry,
/// then the payload under the conversation key of host and author.
pub fn open_request(
    ctx: &RoomContext,
    host: &Keys,
    e: &Event,
    now: u64,
) -> Result<BookingRequest, Failure> {
    RoomContext::check_integrity(e)?;
    if event::first_tag_value(e, "d") != Some(request_d(ctx, &e.pubkey).as_str()) {
        return Err(EventError::Author.into());
    }
    check_common(ctx, e, now)?;
    let key = conversation_key(host, &e.pubkey).map_err(|_| Failure::from(EventError::Author))?;
    let text = cipher::decrypt(&key, &e.content)?;
    Ok(BookingRequest::parse(
        &text,
        &ctx.link.room_id,
        &e.pubkey.to_hex(),
    )?)
}

/// `request_booking` (adapter protocol §10.1): joins the room, then
/// publishes the caller's request (OS-BOOK-4, OS-BOOK-5) with the
/// commitment of `receipt` and, when editing or cancelling, `reveal`.
/// Returns the publication and the commitment.
#[allow(clippy::too_many_arguments)]
pub async fn request_booking(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    slots: &[i64],
    receipt: Option<&ReceiptNonce>,
    reveal: Option<&ReceiptNonce>,
    now: u64,
    rand: &Randomness,
) -> Result<(Published, Option<Commitment>), ClientError> {
    require_v2(&RoomContext::new(link.clone()))?;
    let joined = super::join_room(relays, link, now).await?;
    let ctx = &joined.ctx;
    offer_of(&joined, now)?;
    let mut slots = slots.to_vec();
    slots.sort_unstable();
    slots.dedup();
    let commit = receipt.map(|r| r.commitment(&ctx.link.room_id));
    let request = BookingRequest {
        seen: joined.state.room_event_id.to_hex(),
        slots,
        commit: commit.clone(),
        reveal: reveal.map(ReceiptNonce::to_hex),
    };
    let signer = super::signing_keys(ctx, device)?;
    let me = signer.public_key();
    let author = me.to_hex();
    // The payload's own rules (OS-BOOK-4), checked before publishing.
    let text = request.to_json(&ctx.link.room_id, &author);
    BookingRequest::parse(&text, &ctx.link.room_id, &author).map_err(book_failure)?;
    let host = ctx
        .link
        .host()
        .ok_or_else(|| book_failure(BookingError::Room))?;
    let key = conversation_key(&signer, host)?;
    let content =
        cipher::encrypt_with_nonce(&key, text.as_bytes(), &rand.nonce).map_err(Failure::from)?;
    let d = request_d(ctx, &me);
    let previous = super::own_latest(&joined.events, &me, &d);
    let created_at = event::next_created_at(now, previous).map_err(Failure::from)?;
    let address = ctx.room_address().unwrap_or_default();
    let expiration = joined.state.expiration.unwrap_or_default();
    let tags = event::response_tags_v2(&d, &address, expiration);
    let event =
        event::sign(&signer, created_at, tags, content, &rand.aux_rand).map_err(Failure::from)?;
    let published = super::publish_checked(relays, event).await?;
    Ok((published, commit))
}

/// What settling gave: the manifest and, when it differed, its publication.
#[derive(Clone, Debug)]
pub struct Settled {
    /// The manifest the procedure gave (§19.1.3).
    pub manifest: Manifest,
    /// The manifest event published, if one was (OS-BOOK-16).
    pub published: Option<Published>,
}

/// `settle_bookings` (adapter protocol §10.1): the host joins the room,
/// reads the requests that count and the previous manifest, decides by
/// §19.1.3 with `holds`, and publishes a new manifest version when the
/// output differs from the previous manifest or the room version is newer
/// than it (OS-BOOK-16).
pub async fn settle_bookings(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    holds: &[Hold],
    now: u64,
    rand: &Randomness,
) -> Result<Settled, ClientError> {
    settle_bookings_with(relays, link, device, holds, now, rand, decide_current).await
}

/// The decision a host's client makes from what it read: the room as
/// joined, the current room version, `now`, the previous manifest, the
/// holds and the valid requests (OS-BOOK-9).
pub type Decide = fn(
    &Joined,
    &CurrentRoom<'_>,
    i64,
    &Manifest,
    &[Hold],
    &[CountedRequest],
) -> Result<Manifest, BookingError>;

/// The conforming decision: §19.1.3 against the current room version.
pub fn decide_current(
    _joined: &Joined,
    room: &CurrentRoom<'_>,
    now: i64,
    previous: &Manifest,
    holds: &[Hold],
    requests: &[CountedRequest],
) -> Result<Manifest, BookingError> {
    booking::decide(room, now, previous, holds, requests)
}

/// [`settle_bookings`] with the decision given: everything else (reading,
/// publishing) as the reference does it.
pub async fn settle_bookings_with(
    relays: &Relays,
    link: &Link,
    device: &DeviceSecret,
    holds: &[Hold],
    now: u64,
    rand: &Randomness,
    decide: Decide,
) -> Result<Settled, ClientError> {
    require_v2(&RoomContext::new(link.clone()))?;
    let joined = super::join_room(relays, link, now).await?;
    let ctx = &joined.ctx;
    let signer = super::signing_keys(ctx, device)?;
    if Some(&signer.public_key()) != ctx.link.host() {
        return Err(ClientError::Build(EventError::Author.into()));
    }
    let offer = offer_of(&joined, now)?;
    let requests: Vec<CountedRequest> = joined
        .events
        .iter()
        .filter(|e| event::first_tag_value(e, "d") == Some(request_d(ctx, &e.pubkey).as_str()))
        .filter_map(|e| {
            let request = open_request(ctx, &signer, e, now).ok()?;
            Some(CountedRequest {
                id: e.id.to_hex(),
                author: e.pubkey.to_hex(),
                created_at: e.created_at.as_secs(),
                request,
            })
        })
        .collect();
    let previous = winning_manifest(ctx, &joined.events, now);
    let offered: BTreeSet<i64> = joined.state.slots.iter().copied().collect();
    let room = CurrentRoom {
        room_id: &ctx.link.room_id,
        offered: &offered,
        offer,
    };
    let empty = Manifest::default();
    let before = previous.as_ref().map_or(&empty, |(_, m)| m);
    let now_i = i64::try_from(now).unwrap_or(i64::MAX);
    let manifest = decide(&joined, &room, now_i, before, holds, &requests).map_err(book_failure)?;
    let room_newer = previous
        .as_ref()
        .is_some_and(|(e, _)| e.created_at.as_secs() < joined.state.created_at);
    if &manifest == before && !room_newer {
        return Ok(Settled {
            manifest,
            published: None,
        });
    }
    let d = manifest_d(ctx);
    let own = super::own_latest(&joined.events, &signer.public_key(), &d);
    let created_at = event::next_created_at(now, own).map_err(Failure::from)?;
    let text = manifest.to_json(&ctx.link.room_id, &signer.public_key().to_hex());
    let content = cipher::encrypt_with_nonce(&ctx.keys.enc, text.as_bytes(), &rand.nonce)
        .map_err(Failure::from)?;
    let [name, value] = expiry::expiration_tag(joined.state.expiration.unwrap_or_default());
    let tags = vec![
        vec!["d".to_owned(), d],
        vec!["a".to_owned(), ctx.room_address().unwrap_or_default()],
        vec!["t".to_owned(), event::APP_TAG.to_owned()],
        vec![name, value],
    ];
    let event =
        event::sign(&signer, created_at, tags, content, &rand.aux_rand).map_err(Failure::from)?;
    let published = super::publish_checked(relays, event).await?;
    Ok(Settled {
        manifest,
        published: Some(published),
    })
}

/// The manifest's lists as JSON (adapter protocol §10.1).
pub fn manifest_json(m: &Manifest) -> Value {
    json!({
        "booked": m.booked,
        "held": m.held,
        "refused": m.refused,
        "spent": m.spent,
    })
}

/// `join_room`'s `bookings` member on a bookable v2 room, and the state of
/// each receipt nonce given (OS-BOOK-6). `Ok(None)` when the room is not
/// bookable and no receipts were given.
pub fn join_bookings(
    joined: &Joined,
    receipts: &[String],
    now: u64,
) -> Result<Option<Value>, ClientError> {
    let offer = match offer_of(joined, now) {
        Ok(o) => o,
        Err(_) if receipts.is_empty() => return Ok(None),
        Err(e) => return Err(e),
    };
    let ctx = &joined.ctx;
    let manifest = winning_manifest(ctx, &joined.events, now);
    let empty = Manifest::default();
    let m = manifest.as_ref().map_or(&empty, |(_, m)| m);
    let mut states = Vec::new();
    for r in receipts {
        let nonce = ReceiptNonce::from_hex(r).map_err(book_failure)?;
        let commit = nonce.commitment(&ctx.link.room_id);
        let state = match m.state_of(&commit) {
            Ok(BookingState::Confirmed(slots)) => {
                json!({"commit": commit, "state": "confirmed", "slots": slots})
            }
            Ok(BookingState::Cancelled) => json!({"commit": commit, "state": "cancelled"}),
            Ok(BookingState::Pending) => json!({"commit": commit, "state": "pending"}),
            Err(e) => json!({
                "commit": commit,
                "state": "refused",
                "code": crate::SpecError::code(&e).as_str(),
            }),
        };
        states.push(state);
    }
    let mut out = manifest_json(m);
    if let Value::Object(o) = &mut out {
        o.insert("cap".into(), Value::from(offer.cap));
        o.insert("max".into(), Value::from(offer.max));
        o.insert(
            "manifest_event_id".into(),
            manifest
                .as_ref()
                .map_or(Value::Null, |(e, _)| Value::from(e.id.to_hex())),
        );
        o.insert("receipts".into(), Value::from(states));
    }
    Ok(Some(out))
}

/// The booking client operations of adapter protocol §10.1 as JSON.
mod wire {
    use serde::Deserialize;

    use super::super::ops::Common;
    use crate::booking::Hold;

    #[derive(Deserialize)]
    pub(super) struct Book {
        pub(super) cap: i64,
        pub(super) max: i64,
    }

    #[derive(Deserialize)]
    pub(super) struct Create {
        #[serde(flatten)]
        pub(super) common: Common,
        pub(super) origin: String,
        pub(super) room_id: String,
        pub(super) room_key: String,
        pub(super) device_secret: String,
        pub(super) title: String,
        pub(super) slots: Vec<i64>,
        pub(super) book: Book,
        pub(super) nonce: String,
        pub(super) aux_rand: String,
    }

    #[derive(Deserialize)]
    pub(super) struct Update {
        #[serde(flatten)]
        pub(super) common: Common,
        pub(super) link: String,
        pub(super) device_secret: String,
        pub(super) title: String,
        pub(super) slots: Vec<i64>,
        pub(super) book: Book,
        pub(super) nonce: String,
        pub(super) aux_rand: String,
    }

    #[derive(Deserialize)]
    pub(super) struct Request {
        #[serde(flatten)]
        pub(super) common: Common,
        pub(super) link: String,
        pub(super) device_secret: String,
        pub(super) slots: Vec<i64>,
        #[serde(default)]
        pub(super) receipt: Option<String>,
        #[serde(default)]
        pub(super) reveal: Option<String>,
        pub(super) nonce: String,
        pub(super) aux_rand: String,
    }

    #[derive(Deserialize)]
    pub(super) struct Settle {
        #[serde(flatten)]
        pub(super) common: Common,
        pub(super) link: String,
        pub(super) device_secret: String,
        #[serde(default)]
        pub(super) holds: Vec<Hold>,
        pub(super) nonce: String,
        pub(super) aux_rand: String,
    }
}

fn offer_from(b: &wire::Book) -> Result<BookOffer, ClientError> {
    let cap = u32::try_from(b.cap).map_err(|_| book_failure(BookingError::Room))?;
    let max = u32::try_from(b.max).map_err(|_| book_failure(BookingError::Room))?;
    check_offer(BookOffer { cap, max })
}

fn nonce_of(s: Option<&String>) -> Result<Option<ReceiptNonce>, ClientError> {
    s.map(|h| ReceiptNonce::from_hex(h).map_err(book_failure))
        .transpose()
}

/// Runs a booking client operation (adapter protocol §10.1): `create_room`
/// and `update_room` when the input has `book`, `request_booking` and
/// `settle_bookings`. `None` for anything else.
pub(crate) async fn dispatch(
    op: &str,
    profile: &str,
    input: &Value,
) -> Option<Result<Value, OpError>> {
    let has_book = input.get("book").is_some_and(|b| !b.is_null());
    match op {
        "create_room" | "update_room" if has_book => {}
        "request_booking" | "settle_bookings" => {}
        _ => return None,
    }
    Some(run(op, profile, input).await)
}

/// Runs `settle_bookings` (adapter protocol §10.1) with the decision
/// given, on a runtime of its own. Must not be called from inside a tokio
/// runtime.
pub fn call_settle_with(input: &Value, decide: Decide) -> Result<Value, OpError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OpError::input(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(settle_op(input, decide))
}

async fn settle_op(input: &Value, decide: Decide) -> Result<Value, OpError> {
    let i: wire::Settle = ops::parse(input)?;
    let device = DeviceSecret::from_bytes(ops::bytes32("device_secret", &i.device_secret)?);
    let link = Link::parse(&i.link).map_err(ClientError::from)?;
    let rand = ops::rand_of(&i.nonce, &i.aux_rand)?;
    let s = settle_bookings_with(
        &i.common.relays(),
        &link,
        &device,
        &i.holds,
        i.common.now,
        &rand,
        decide,
    )
    .await?;
    let mut out = manifest_json(&s.manifest);
    if let Value::Object(m) = &mut out {
        m.insert("changed".into(), Value::from(s.published.is_some()));
        if let Some(Value::Object(p)) = s.published.as_ref().map(ops::published_json) {
            m.extend(p);
        }
    }
    Ok(out)
}

async fn run(op: &str, profile: &str, input: &Value) -> Result<Value, OpError> {
    let device_of = |s: &str| -> Result<DeviceSecret, OpError> {
        Ok(DeviceSecret::from_bytes(ops::bytes32("device_secret", s)?))
    };
    let link_of = |s: &str| Link::parse(s).map_err(|e| OpError::from(ClientError::from(e)));
    match op {
        "create_room" => {
            let i: wire::Create = ops::parse(input)?;
            let device = device_of(&i.device_secret)?;
            let offer = offer_from(&i.book)?;
            let link = super::new_link(
                ops::profile_of(profile)?,
                &i.origin,
                &i.room_id,
                ops::bytes32("room_key", &i.room_key)?,
                &device,
            )?;
            let rand = ops::rand_of(&i.nonce, &i.aux_rand)?;
            let p = create_room(
                &i.common.relays(),
                &link,
                &device,
                &i.title,
                &i.slots,
                offer,
                i.common.now,
                &rand,
            )
            .await?;
            let mut out = ops::published_json(&p);
            if let Value::Object(m) = &mut out {
                m.insert("link".into(), Value::from(link.to_string()));
            }
            Ok(out)
        }
        "update_room" => {
            let i: wire::Update = ops::parse(input)?;
            let device = device_of(&i.device_secret)?;
            let link = link_of(&i.link)?;
            let offer = offer_from(&i.book)?;
            let rand = ops::rand_of(&i.nonce, &i.aux_rand)?;
            let p = update_room(
                &i.common.relays(),
                &link,
                &device,
                &i.title,
                &i.slots,
                offer,
                i.common.now,
                &rand,
            )
            .await?;
            Ok(ops::published_json(&p))
        }
        "request_booking" => {
            let i: wire::Request = ops::parse(input)?;
            let device = device_of(&i.device_secret)?;
            let link = link_of(&i.link)?;
            let receipt = nonce_of(i.receipt.as_ref())?;
            let reveal = nonce_of(i.reveal.as_ref())?;
            let rand = ops::rand_of(&i.nonce, &i.aux_rand)?;
            let (p, commit) = request_booking(
                &i.common.relays(),
                &link,
                &device,
                &i.slots,
                receipt.as_ref(),
                reveal.as_ref(),
                i.common.now,
                &rand,
            )
            .await?;
            let mut out = ops::published_json(&p);
            if let Value::Object(m) = &mut out {
                m.insert(
                    "commit".into(),
                    commit.map_or(Value::Null, |c| Value::from(c.0)),
                );
            }
            Ok(out)
        }
        _ => {
            ops::profile_of(profile)?;
            settle_op(input, decide_current).await
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn conversation_key_is_symmetric() {
        let a = Keys::new(nostr::key::SecretKey::from_slice(&[1; 32]).unwrap());
        let b = Keys::new(nostr::key::SecretKey::from_slice(&[2; 32]).unwrap());
        let ab = conversation_key(&a, &b.public_key()).unwrap();
        let ba = conversation_key(&b, &a.public_key()).unwrap();
        assert_eq!(ab.as_bytes(), ba.as_bytes());
        // NIP-44's own derivation agrees.
        let theirs =
            nostr::nips::nip44::v2::ConversationKey::derive(a.secret_key(), &b.public_key())
                .unwrap();
        assert_eq!(ab.as_bytes(), theirs.as_bytes());
    }
}
