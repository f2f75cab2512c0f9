//! Bookings (spec §19.1, area BOOK): a v2 room offers its slots for
//! booking (OS-BOOK-2), attendees request slots with a commitment to a
//! receipt nonce (OS-BOOK-3, OS-BOOK-4), and the host's client decides every
//! request against the current room version (§19.1.3, OS-BOOK-8 to
//! OS-BOOK-15) into a manifest (OS-BOOK-6) that names commitments, never
//! authors.
//!
//! This module owns the booking payloads, the receipt and its commitment,
//! the decision procedure and an attendee's reading of a manifest. Events,
//! encryption and relays are the other modules' (OS-BOOK-5, OS-BOOK-7 and
//! OS-BOOK-16 reuse them).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::blinding::frame;
use crate::{ErrorCode, SpecError};

/// The domain label of the receipt commitment (OS-BOOK-3).
pub const RECEIPT_LABEL: &str = "openslots:v2:receipt";
/// The role of a request payload (OS-BOOK-4).
pub const ROLE_BOOKING: &str = "booking";
/// The role of a manifest payload (OS-BOOK-6).
pub const ROLE_MANIFEST: &str = "manifest";
/// Largest `cap` (OS-BOOK-2).
pub const MAX_CAP: i64 = 1000;
/// Largest `max`, and the most slots one request may list (OS-BOOK-2, OS-BOOK-4).
pub const MAX_SLOTS: usize = 48;
/// Longest public code of a hold, in UTF-8 bytes (OS-BOOK-13).
pub const MAX_CODE: usize = 64;

/// Why a booking input was rejected, or why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BookingError {
    /// The room has no `book` member or it is malformed (OS-BOOK-2).
    #[error("the room offers no bookings or its book member is malformed")]
    Room,
    /// A nonce is not 64 lower-case hexadecimal characters (OS-BOOK-3).
    #[error("a receipt nonce is not 32 bytes of lower-case hex")]
    Nonce,
    /// A request payload is not a JSON object with unique names (OS-PAYLOAD-1, via OS-BOOK-4).
    #[error("the request is not a JSON object with unique member names")]
    Json,
    /// A request member is missing or mistyped (OS-PAYLOAD-4, via OS-BOOK-4).
    #[error("a request member is missing or has the wrong type")]
    Field,
    /// `v` is not 2 (OS-PAYLOAD-7).
    #[error("the request names another protocol version")]
    Version,
    /// Role, room or author do not match (OS-PAYLOAD-8).
    #[error("the request's role, room or author does not match")]
    Binding,
    /// A request breaks a booking rule of its members (OS-BOOK-4).
    #[error("the request breaks a rule of its members")]
    Request,
    /// More slots than `max` (OS-BOOK-11).
    #[error("more slots than the room allows")]
    TooMany,
    /// A slot is past (OS-BOOK-11).
    #[error("a slot is past")]
    Past,
    /// A slot is not offered by the current room version (OS-BOOK-11).
    #[error("a slot is no longer offered (stale read)")]
    Stale,
    /// A slot has no seat left (OS-BOOK-11).
    #[error("a slot is full")]
    Full,
    /// A presented nonce matches no confirmed booking (OS-BOOK-12).
    #[error("the presented receipt matches no booking")]
    Receipt,
    /// A nonce or commitment is already spent (OS-BOOK-12).
    #[error("the receipt is spent")]
    Spent,
    /// A host hold does not fit or names a slot not offered (OS-BOOK-13).
    #[error("a hold does not fit")]
    Hold,
    /// The host no longer offers a slot of the booking (OS-BOOK-14).
    #[error("the booking was withdrawn by the host")]
    Withdrawn,
}

impl SpecError for BookingError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Room => ErrorCode::BookRoom,
            Self::Nonce => ErrorCode::BookNonce,
            Self::Json => ErrorCode::PayloadJson,
            Self::Field => ErrorCode::PayloadField,
            Self::Version => ErrorCode::PayloadVersion,
            Self::Binding => ErrorCode::PayloadBinding,
            Self::Request => ErrorCode::BookRequest,
            Self::TooMany => ErrorCode::BookTooMany,
            Self::Past => ErrorCode::BookPast,
            Self::Stale => ErrorCode::BookStale,
            Self::Full => ErrorCode::BookFull,
            Self::Receipt => ErrorCode::BookReceipt,
            Self::Spent => ErrorCode::BookSpent,
            Self::Hold => ErrorCode::BookHold,
            Self::Withdrawn => ErrorCode::BookWithdrawn,
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Room => "OS-BOOK-2",
            Self::Nonce => "OS-BOOK-3",
            Self::Json => "OS-PAYLOAD-1",
            Self::Field | Self::Request => "OS-BOOK-4",
            Self::Version => "OS-PAYLOAD-7",
            Self::Binding => "OS-PAYLOAD-8",
            Self::TooMany | Self::Past | Self::Stale | Self::Full => "OS-BOOK-11",
            Self::Receipt | Self::Spent => "OS-BOOK-12",
            Self::Hold => "OS-BOOK-13",
            Self::Withdrawn => "OS-BOOK-14",
        }
    }
}

impl BookingError {
    /// The refusal a manifest code names (OS-BOOK-6), if it is one.
    pub fn refusal(code: &str) -> Option<Self> {
        Some(match code {
            "book-too-many" => Self::TooMany,
            "book-past" => Self::Past,
            "book-stale" => Self::Stale,
            "book-full" => Self::Full,
            "book-receipt" => Self::Receipt,
            "book-spent" => Self::Spent,
            "book-withdrawn" => Self::Withdrawn,
            _ => return None,
        })
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A receipt nonce: 32 secret bytes drawn on the attendee's device
/// (OS-BOOK-17). Zeroized on drop, redacted in `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ReceiptNonce([u8; 32]);

impl fmt::Debug for ReceiptNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptNonce(<redacted>)")
    }
}

impl ReceiptNonce {
    /// A nonce from its bytes (the caller draws them from a CSPRNG).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads a nonce written as 64 lower-case hex characters (OS-BOOK-3).
    ///
    /// # Errors
    ///
    /// [`BookingError::Nonce`] for anything else.
    pub fn from_hex(s: &str) -> Result<Self, BookingError> {
        if !is_hex64(s) {
            return Err(BookingError::Nonce);
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| BookingError::Nonce)?;
        Ok(Self(out))
    }

    /// The nonce as 64 lower-case hex characters, for a request's `reveal`.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// OS-BOOK-3: the commitment for `room_id`.
    pub fn commitment(&self, room_id: &str) -> Commitment {
        let msg = frame(&[RECEIPT_LABEL.as_bytes(), room_id.as_bytes(), &self.0]);
        Commitment(hex::encode(Sha256::digest(&msg)))
    }
}

/// A commitment to a receipt nonce: 64 lower-case hex characters (OS-BOOK-3).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Commitment(pub String);

/// OS-BOOK-2: a room's `book` member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookOffer {
    /// Seats per offered slot.
    pub cap: u32,
    /// Slots per request.
    pub max: u32,
}

impl BookOffer {
    /// Reads the `book` member of a v2 room plaintext (OS-BOOK-2).
    ///
    /// # Errors
    ///
    /// [`BookingError::Json`] if the plaintext is not a JSON object,
    /// [`BookingError::Room`] if `book` is missing or malformed.
    pub fn from_room_plaintext(text: &str) -> Result<Self, BookingError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|_| BookingError::Json)?;
        let obj = v.as_object().ok_or(BookingError::Json)?;
        let book = obj
            .get("book")
            .and_then(|b| b.as_object())
            .ok_or(BookingError::Room)?;
        let int = |k: &str, hi: i64| -> Result<u32, BookingError> {
            let n = book
                .get(k)
                .and_then(serde_json::Value::as_i64)
                .ok_or(BookingError::Room)?;
            if (1..=hi).contains(&n) {
                u32::try_from(n).map_err(|_| BookingError::Room)
            } else {
                Err(BookingError::Room)
            }
        };
        Ok(Self {
            cap: int("cap", MAX_CAP)?,
            max: int("max", MAX_SLOTS as i64)?,
        })
    }
}

#[derive(Serialize)]
struct RequestWire<'a> {
    v: i64,
    role: &'a str,
    room: &'a str,
    author: &'a str,
    seen: &'a str,
    slots: &'a [i64],
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reveal: Option<String>,
}

/// A booking request payload (OS-BOOK-4), without its binding members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRequest {
    /// The room event id the attendee read.
    pub seen: String,
    /// Requested slots, strictly ascending.
    pub slots: Vec<i64>,
    /// The commitment of a fresh nonce.
    pub commit: Option<Commitment>,
    /// The nonce of an earlier booking being edited or cancelled, as hex.
    pub reveal: Option<String>,
}

impl BookingRequest {
    /// Reads a request plaintext bound to `room_id` and `author` (OS-BOOK-4).
    ///
    /// # Errors
    ///
    /// The `payload-*` and `book-request` failures of OS-BOOK-4.
    pub fn parse(text: &str, room_id: &str, author: &str) -> Result<Self, BookingError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|_| BookingError::Json)?;
        let obj = v.as_object().ok_or(BookingError::Json)?;
        if crate::payload::has_duplicate_members(text) {
            return Err(BookingError::Json);
        }
        let int = |v: &serde_json::Value| {
            v.as_i64()
                .filter(|n| n.unsigned_abs() <= crate::payload::MAX_SAFE_INTEGER.unsigned_abs())
        };
        match obj.get("v").and_then(int) {
            Some(2) => {}
            Some(_) => return Err(BookingError::Version),
            None => return Err(BookingError::Field),
        }
        let text_of = |k: &str| {
            obj.get(k)
                .and_then(serde_json::Value::as_str)
                .ok_or(BookingError::Field)
        };
        let role = text_of("role")?;
        let room = text_of("room")?;
        let auth = text_of("author")?;
        let seen = text_of("seen")?;
        let slots = obj
            .get("slots")
            .and_then(serde_json::Value::as_array)
            .ok_or(BookingError::Field)?
            .iter()
            .map(|x| int(x).ok_or(BookingError::Field))
            .collect::<Result<Vec<i64>, _>>()?;
        let optional = |k: &str| match obj.get(k) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(BookingError::Field),
        };
        let commit = optional("commit")?;
        let reveal = optional("reveal")?;
        if role != ROLE_BOOKING || room != room_id || auth != author {
            return Err(BookingError::Binding);
        }
        let hex_ok = |o: &Option<String>| o.as_deref().is_none_or(is_hex64);
        let ascending = slots.windows(2).all(|w| w[0] < w[1]);
        let paired = if slots.is_empty() {
            commit.is_none() && reveal.is_some()
        } else {
            commit.is_some()
        };
        if !is_hex64(seen)
            || !hex_ok(&commit)
            || !hex_ok(&reveal)
            || slots.len() > MAX_SLOTS
            || !ascending
            || !paired
        {
            return Err(BookingError::Request);
        }
        Ok(Self {
            seen: seen.to_owned(),
            slots,
            commit: commit.map(Commitment),
            reveal,
        })
    }

    /// Writes the request plaintext (OS-BOOK-4).
    pub fn to_json(&self, room_id: &str, author: &str) -> String {
        serde_json::to_string(&RequestWire {
            v: 2,
            role: ROLE_BOOKING,
            room: room_id,
            author,
            seen: &self.seen,
            slots: &self.slots,
            commit: self.commit.as_ref().map(|c| c.0.as_str()),
            reveal: self.reveal.clone(),
        })
        .unwrap_or_default()
    }
}

/// A host hold (OS-BOOK-13).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hold {
    /// The slot.
    pub slot: i64,
    /// Seats held.
    pub seats: u32,
    /// The public code.
    pub code: String,
}

/// A confirmed slot of a manifest (OS-BOOK-6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booked {
    /// The slot.
    pub slot: i64,
    /// Its commitments, ascending.
    pub commits: Vec<Commitment>,
}

/// A refusal of a manifest (OS-BOOK-6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The refused commitment.
    pub commit: Commitment,
    /// The refusal code.
    pub code: String,
}

/// A manifest's contents (OS-BOOK-6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Confirmed bookings by slot.
    pub booked: Vec<Booked>,
    /// Host holds.
    pub held: Vec<Hold>,
    /// Refused requests.
    pub refused: Vec<Refusal>,
    /// Spent commitments.
    pub spent: Vec<Commitment>,
}

#[derive(Serialize)]
struct ManifestWire<'a> {
    v: i64,
    role: &'a str,
    room: &'a str,
    author: &'a str,
    booked: &'a [Booked],
    held: &'a [Hold],
    refused: &'a [Refusal],
    spent: &'a [Commitment],
}

/// What an attendee reads about a commitment (OS-BOOK-6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BookingState {
    /// Confirmed at these slots.
    Confirmed(Vec<i64>),
    /// Cancelled: the nonce was presented.
    Cancelled,
    /// Not decided yet.
    Pending,
}

impl Manifest {
    /// Writes the manifest plaintext (OS-BOOK-6).
    pub fn to_json(&self, room_id: &str, host: &str) -> String {
        serde_json::to_string(&ManifestWire {
            v: 2,
            role: ROLE_MANIFEST,
            room: room_id,
            author: host,
            booked: &self.booked,
            held: &self.held,
            refused: &self.refused,
            spent: &self.spent,
        })
        .unwrap_or_default()
    }

    /// OS-BOOK-6: the state of `commit`.
    ///
    /// # Errors
    ///
    /// The refusal the manifest lists for it.
    pub fn state_of(&self, commit: &Commitment) -> Result<BookingState, BookingError> {
        let slots: Vec<i64> = self
            .booked
            .iter()
            .filter(|b| b.commits.contains(commit))
            .map(|b| b.slot)
            .collect();
        if !slots.is_empty() {
            Ok(BookingState::Confirmed(slots))
        } else if self.spent.contains(commit) {
            Ok(BookingState::Cancelled)
        } else if let Some(r) = self.refused.iter().find(|r| &r.commit == commit) {
            Err(BookingError::refusal(&r.code).unwrap_or(BookingError::Request))
        } else {
            Ok(BookingState::Pending)
        }
    }
}

/// A request that counts, as the host read it (OS-BOOK-8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountedRequest {
    /// The request event's id.
    pub id: String,
    /// Its author.
    pub author: String,
    /// Its `created_at`.
    pub created_at: u64,
    /// Its payload.
    pub request: BookingRequest,
}

/// The room version a decision is made against (OS-BOOK-9).
#[derive(Clone, Debug)]
pub struct CurrentRoom<'a> {
    /// The room id (commitments of presented nonces).
    pub room_id: &'a str,
    /// The offered slots.
    pub offered: &'a BTreeSet<i64>,
    /// The room's `book` member.
    pub offer: BookOffer,
}

/// OS-BOOK-8: one request per author, the newest by OS-LWW-1.
pub fn requests_that_count(all: &[CountedRequest]) -> Vec<&CountedRequest> {
    let mut newest: HashMap<&str, &CountedRequest> = HashMap::new();
    for r in all {
        let e = newest.entry(&r.author).or_insert(r);
        if (r.created_at, std::cmp::Reverse(&r.id)) > (e.created_at, std::cmp::Reverse(&e.id)) {
            *e = r;
        }
    }
    newest.into_values().collect()
}

/// Seats taken per slot, and the slots of each confirmed commitment.
#[derive(Default)]
struct Ledger {
    by_slot: BTreeMap<i64, BTreeSet<Commitment>>,
    slots_of: HashMap<Commitment, Vec<i64>>,
}

impl Ledger {
    fn confirm(&mut self, c: &Commitment, slots: &[i64]) {
        for t in slots {
            self.by_slot.entry(*t).or_default().insert(c.clone());
        }
        self.slots_of
            .entry(c.clone())
            .or_default()
            .extend_from_slice(slots);
    }

    fn release(&mut self, c: &Commitment) -> bool {
        let Some(slots) = self.slots_of.remove(c) else {
            return false;
        };
        for t in slots {
            if let Some(set) = self.by_slot.get_mut(&t) {
                set.remove(c);
            }
        }
        true
    }

    fn taken(&self, t: i64) -> usize {
        self.by_slot.get(&t).map_or(0, BTreeSet::len)
    }
}

/// The decision procedure of spec §19.1.3 (OS-BOOK-9 to OS-BOOK-15).
///
/// # Errors
///
/// [`BookingError::Hold`] when a hold does not fit (OS-BOOK-13);
/// [`BookingError::Nonce`] for a malformed `reveal` (OS-BOOK-3).
pub fn decide(
    room: &CurrentRoom<'_>,
    now: i64,
    previous: &Manifest,
    holds: &[Hold],
    requests: &[CountedRequest],
) -> Result<Manifest, BookingError> {
    let cap = room.offer.cap as usize;
    let mut counted = requests_that_count(requests);
    counted.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let carried: BTreeSet<&Commitment> = counted
        .iter()
        .filter_map(|r| r.request.commit.as_ref())
        .collect();

    // Step 1: pruning (OS-BOOK-15) and the state carried over.
    let mut ledger = Ledger::default();
    for b in previous.booked.iter().filter(|b| b.slot > now) {
        for c in &b.commits {
            ledger.confirm(c, &[b.slot]);
        }
    }
    let mut spent: BTreeSet<Commitment> = previous.spent.iter().cloned().collect();
    let mut refused: BTreeMap<Commitment, BookingError> = previous
        .refused
        .iter()
        .filter(|r| r.code == ErrorCode::BookWithdrawn.as_str() && carried.contains(&r.commit))
        .map(|r| (r.commit.clone(), BookingError::Withdrawn))
        .collect();

    // Step 2: withdrawals (OS-BOOK-14).
    let withdrawn: Vec<Commitment> = ledger
        .slots_of
        .iter()
        .filter(|(_, slots)| slots.iter().any(|t| !room.offered.contains(t)))
        .map(|(c, _)| c.clone())
        .collect();
    for c in withdrawn {
        ledger.release(&c);
        refused.entry(c).or_insert(BookingError::Withdrawn);
    }

    // Step 3: holds (OS-BOOK-13).
    let mut kept: Vec<Hold> = holds.iter().filter(|h| h.slot > now).cloned().collect();
    kept.sort_by(|a, b| (a.slot, &a.code, a.seats).cmp(&(b.slot, &b.code, b.seats)));
    let mut held: HashMap<i64, usize> = HashMap::new();
    for h in &kept {
        let seats = h.seats as usize;
        let so_far = held.entry(h.slot).or_default();
        if !room.offered.contains(&h.slot)
            || seats == 0
            || seats > cap
            || h.code.is_empty()
            || h.code.len() > MAX_CODE
            || ledger.taken(h.slot) + *so_far + seats > cap
        {
            return Err(BookingError::Hold);
        }
        *so_far += seats;
    }

    // Step 4: the requests in order (OS-BOOK-10 to OS-BOOK-12).
    for q in counted {
        let r = &q.request;
        let revealed = match &r.reveal {
            Some(n) => Some(ReceiptNonce::from_hex(n)?.commitment(room.room_id)),
            None => None,
        };
        let key = r.commit.clone().or_else(|| revealed.clone());
        let outcome = judge(
            room,
            now,
            cap,
            &held,
            &mut ledger,
            &mut spent,
            &refused,
            r,
            revealed,
        );
        if let (Err(e), Some(k)) = (outcome, key) {
            refused.entry(k).or_insert(e);
        }
    }

    // Step 5.
    let booked = ledger
        .by_slot
        .iter()
        .filter(|(_, cs)| !cs.is_empty())
        .map(|(t, cs)| Booked {
            slot: *t,
            commits: cs.iter().cloned().collect(),
        })
        .collect();
    let refused = refused
        .into_iter()
        .filter(|(c, _)| !ledger.slots_of.contains_key(c) && !spent.contains(c))
        .map(|(commit, e)| Refusal {
            commit,
            code: e.code().as_str().to_owned(),
        })
        .collect();
    Ok(Manifest {
        booked,
        held: kept,
        refused,
        spent: spent.into_iter().collect(),
    })
}

/// Step 4.1 to 4.5 for one request; `Err` is its refusal.
#[allow(clippy::too_many_arguments)]
fn judge(
    room: &CurrentRoom<'_>,
    now: i64,
    cap: usize,
    held: &HashMap<i64, usize>,
    ledger: &mut Ledger,
    spent: &mut BTreeSet<Commitment>,
    refused: &BTreeMap<Commitment, BookingError>,
    r: &BookingRequest,
    revealed: Option<Commitment>,
) -> Result<(), BookingError> {
    if let Some(h) = revealed {
        if spent.contains(&h) {
            return Err(BookingError::Spent);
        }
        if !ledger.release(&h) {
            return Err(BookingError::Receipt);
        }
        spent.insert(h);
    }
    let Some(c) = &r.commit else { return Ok(()) };
    if r.slots.is_empty() || ledger.slots_of.contains_key(c) {
        return Ok(());
    }
    if spent.contains(c) {
        return Err(BookingError::Spent);
    }
    if refused.contains_key(c) {
        return Ok(());
    }
    if r.slots.len() > room.offer.max as usize {
        return Err(BookingError::TooMany);
    }
    for &t in &r.slots {
        if t <= now {
            return Err(BookingError::Past);
        }
        if !room.offered.contains(&t) {
            return Err(BookingError::Stale);
        }
        if ledger.taken(t) + held.get(&t).copied().unwrap_or(0) >= cap {
            return Err(BookingError::Full);
        }
    }
    ledger.confirm(c, &r.slots);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn nonce_is_redacted_and_commitment_is_domain_separated() {
        let n = ReceiptNonce::from_bytes([7; 32]);
        assert_eq!(format!("{n:?}"), "ReceiptNonce(<redacted>)");
        assert_ne!(n.commitment("a"), n.commitment("b"));
        assert_eq!(
            ReceiptNonce::from_hex("00").unwrap_err().code(),
            ErrorCode::BookNonce
        );
    }
}
