//! Last-write-wins (spec §13): which version of an address counts.
//!
//! An address is `(kind, pubkey, d)`. Among the VALID versions of one address,
//! the one with the greatest `created_at` wins; on equal `created_at` the one
//! with the lowest id (lexicographic order of the lowercase hex, which is the
//! order of the raw bytes) wins (OS-LWW-1). Validation comes first: an
//! invalid version never wins and never displaces a valid one (OS-LWW-2). The
//! outcome depends only on the set of events, not on which relay sent them,
//! in which order, or how often (OS-LWW-3).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use nostr::event::{Event, EventId};

use crate::error::{ErrorCode, Failure};
use crate::event;

/// The NIP-01 address of an addressable event: kind, author, first `d` value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    /// The event kind.
    pub kind: u16,
    /// The author's public key, lowercase hex.
    pub pubkey: String,
    /// The value of the first `d` tag (empty when there is none, as NIP-01 says).
    pub d: String,
}

impl Address {
    /// The address of an event.
    pub fn of(event: &Event) -> Self {
        Self {
            kind: event.kind.as_u16(),
            pubkey: event.pubkey.to_hex(),
            d: event::first_tag_value(event, "d")
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

/// Orders two versions: `Greater` means `a` beats `b` (OS-LWW-1).
pub fn compare(a_created_at: u64, a_id: &EventId, b_created_at: u64, b_id: &EventId) -> Ordering {
    a_created_at
        .cmp(&b_created_at)
        .then_with(|| b_id.as_bytes().cmp(a_id.as_bytes()))
}

/// Whether `a` beats `b` (OS-LWW-1).
pub fn beats(a: &Event, b: &Event) -> bool {
    compare(a.created_at.as_secs(), &a.id, b.created_at.as_secs(), &b.id) == Ordering::Greater
}

/// The winner among versions already known to be valid (OS-LWW-1).
pub fn select<'a, I>(candidates: I) -> Option<&'a Event>
where
    I: IntoIterator<Item = &'a Event>,
{
    candidates
        .into_iter()
        .fold(None, |best: Option<&Event>, e| match best {
            Some(b) if !beats(e, b) => Some(b),
            _ => Some(e),
        })
}

/// The outcome of last-write-wins over a set of events.
#[derive(Clone, Debug, Default)]
pub struct Outcome<T> {
    /// Per address, the winning event and what validation made of it.
    pub winners: BTreeMap<Address, (Event, T)>,
    /// Valid versions that lost to a newer one, by id.
    pub superseded: Vec<EventId>,
    /// Events that failed validation, by id, with the check that failed.
    pub rejected: Vec<(EventId, Failure)>,
}

/// An [`Address`] borrowed from its event: kind, author key, first `d`
/// value. It orders exactly as [`Address`] does (lowercase hex preserves the
/// order of the key's bytes), without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct AddressRef<'a> {
    kind: u16,
    pubkey: &'a [u8; 32],
    d: &'a str,
}

impl<'a> AddressRef<'a> {
    /// The address of an event.
    pub(crate) fn of(event: &'a Event) -> Self {
        Self {
            kind: event.kind.as_u16(),
            pubkey: event.pubkey.as_bytes(),
            d: event::first_tag_value(event, "d").unwrap_or_default(),
        }
    }
}

/// The outcome of last-write-wins over a set of borrowed events: as
/// [`Outcome`], with the winners borrowed and keyed by [`AddressRef`].
#[derive(Debug)]
pub(crate) struct OutcomeRef<'a, T> {
    /// Per address, in the order of [`Address`], the winning event and what
    /// validation made of it.
    pub(crate) winners: BTreeMap<AddressRef<'a>, (&'a Event, T)>,
    /// Valid versions that lost to a newer one, by id.
    pub(crate) superseded: Vec<EventId>,
    /// Events that failed validation, by id, with the check that failed.
    pub(crate) rejected: Vec<(EventId, Failure)>,
    /// The best-ranked expired version of each address, when it outranks
    /// every valid one (OS-LWW-7): such an address has no winner.
    pub(crate) expired: Vec<&'a Event>,
}

/// The order in which [`resolve`] reads events: by id, then signature, then
/// (for copies that share both yet differ) their JSON, which no two
/// distinct events share. Exact duplicates compare equal without computing
/// any JSON.
fn reading_order(a: &Event, b: &Event) -> Ordering {
    a.id.cmp(&b.id)
        .then_with(|| a.sig.as_bytes().cmp(b.sig.as_bytes()))
        .then_with(|| {
            if a == b {
                Ordering::Equal
            } else {
                a.as_json().cmp(&b.as_json())
            }
        })
}

/// [`resolve`] without copying: the winners stay borrowed from `events`.
pub(crate) fn resolve_refs<'a, T, I, F>(events: I, mut validate: F) -> OutcomeRef<'a, T>
where
    I: IntoIterator<Item = &'a Event>,
    F: FnMut(&Event) -> Result<T, Failure>,
{
    // Read in a fixed order, so that nothing below depends on arrival order;
    // exact duplicates end up next to each other and are read once.
    let mut ordered: Vec<&Event> = events.into_iter().collect();
    ordered.sort_by(|a, b| reading_order(a, b));
    ordered.dedup_by(|a, b| a == b);
    let mut winners: BTreeMap<AddressRef<'a>, (&'a Event, T)> = BTreeMap::new();
    let mut superseded = BTreeSet::new();
    let mut rejected: BTreeMap<EventId, Failure> = BTreeMap::new();
    let mut valid_ids = BTreeSet::new();
    // Per address, the best-ranked version rejected only for its expiry:
    // it passed every check before expiry (§11.4), so it is authentic.
    let mut expired: BTreeMap<AddressRef<'a>, &'a Event> = BTreeMap::new();
    for e in ordered {
        let value = match validate(e) {
            Ok(v) => v,
            Err(f) => {
                if f.code == ErrorCode::EventExpired {
                    let best = expired.entry(AddressRef::of(e)).or_insert(e);
                    if beats(e, best) {
                        *best = e;
                    }
                }
                // Several bad copies of one id: report the least failure.
                rejected
                    .entry(e.id)
                    .and_modify(|old| *old = (*old).min(f))
                    .or_insert(f);
                continue;
            }
        };
        valid_ids.insert(e.id);
        let address = AddressRef::of(e);
        match winners.get(&address) {
            // Another valid copy of the winner (a second valid signature).
            Some((current, _)) if current.id == e.id => {}
            Some((current, _)) if !beats(e, current) => {
                superseded.insert(e.id);
            }
            Some((current, _)) => {
                superseded.insert(current.id);
                winners.insert(address, (e, value));
            }
            None => {
                winners.insert(address, (e, value));
            }
        }
    }
    // An id that has a valid copy is not reported as rejected.
    rejected.retain(|id, _| !valid_ids.contains(id));
    // OS-LWW-7: an expired version that outranks every valid one of its
    // address ends them: the address has no winner, and a relay that kept
    // an older version cannot bring it back.
    let mut ended = Vec::new();
    for (address, tomb) in expired {
        match winners.get(&address) {
            Some((current, _)) if !beats(tomb, current) => {}
            Some((current, _)) => {
                superseded.insert(current.id);
                winners.remove(&address);
                ended.push(tomb);
            }
            None => ended.push(tomb),
        }
    }
    OutcomeRef {
        winners,
        superseded: superseded.into_iter().collect(),
        rejected: rejected.into_iter().collect(),
        expired: ended,
    }
}

/// Validates every event with `validate` (which checks everything, id and
/// signature included) and keeps, per address, the winning valid version
/// (OS-LWW-1, OS-LWW-2, OS-LWW-3).
///
/// Exact duplicates are read once. Copies that share an id but differ
/// elsewhere are read apart: a tampered copy fails `event-id` and cannot hide
/// the genuine one. Output lists are sorted by id.
pub fn resolve<'a, T, I, F>(events: I, validate: F) -> Outcome<T>
where
    I: IntoIterator<Item = &'a Event>,
    F: FnMut(&Event) -> Result<T, Failure>,
{
    let outcome = resolve_refs(events, validate);
    Outcome {
        winners: outcome
            .winners
            .into_values()
            .map(|(e, v)| (Address::of(e), (e.clone(), v)))
            .collect(),
        superseded: outcome.superseded,
        rejected: outcome.rejected,
    }
}
