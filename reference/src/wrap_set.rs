//! The wrapper-set event (spec §19.2, OS-WRAP-16 to OS-WRAP-18): building
//! and signing a set as the group's host, and reading the candidates relays
//! return as a member does (§19.2.4).
//!
//! This module owns the event around a set: its tags (`d` = `D`, `t`, and
//! the expiration `e × R + CACHE_TIME`), its `created_at` rule
//! (OS-WRAP-18), the check of each candidate in the order of §19.2.4 step 1
//! (§11.4 steps 2 to 7 with the group's host key and `D`, then the content,
//! the expiration value and the epoch's window), last-write-wins among the
//! survivors, and the member's step from the winner to its epoch secret. The
//! bytes inside a set (wrappers, locators, the content) are
//! [`crate::wrap`]'s.

use nostr::event::{Event, EventId};
use nostr::key::{Keys, PublicKey};

use crate::error::{ErrorCode, Failure};
use crate::event::{self, EventError};
use crate::expiry;
use crate::kdf::{DeviceSecret, derive_signing_key};
use crate::lww;
use crate::wrap::{
    self, EpochSecret, GroupId, Intermediate, Opened, Schedule, WrapError, WrapperSet,
};

/// `wrap-no-set` (OS-WRAP-17): no candidate survived.
pub const NO_SET: Failure = Failure::new(ErrorCode::WrapNoSet, "OS-WRAP-17");
/// `wrap-set` for an expiration value that does not match the set's epoch (OS-WRAP-17).
const EXPIRATION_MISMATCH: Failure = Failure::new(ErrorCode::WrapSet, "OS-WRAP-17");

/// What a member knows of a group from its invitation (spec §19.2.1).
#[derive(Clone, Debug)]
pub struct Invitation {
    /// The group id `G`.
    pub group: GroupId,
    /// The host key that signs the group's wrapper sets (OS-WRAP-20).
    pub host: PublicKey,
    /// The rotation schedule (OS-WRAP-14).
    pub schedule: Schedule,
}

/// The tags of the wrapper set of `epoch` (OS-WRAP-16), exactly and in order.
pub fn set_tags(
    group: &GroupId,
    schedule: &Schedule,
    epoch: u64,
) -> Result<Vec<Vec<String>>, WrapError> {
    let end = schedule.window(epoch)?.end;
    let [name, value] = expiry::expiration_tag(end);
    Ok(vec![
        vec!["d".to_owned(), wrap::set_d_tag(group)],
        vec!["t".to_owned(), event::APP_TAG.to_owned()],
        vec![name, value],
    ])
}

/// The group's signing key derived from a host's device secret: OS-KDF-5
/// with the set's d-tag `D` in place of a room d-tag, so that each group
/// has a key of its own (OS-WRAP-20) that the device can derive again.
pub fn host_keys(device: &DeviceSecret, group: &GroupId) -> Option<Keys> {
    derive_signing_key(device, &wrap::set_d_tag(group)).map(|d| d.keys)
}

/// Builds and signs the wrapper set event of `set` (OS-WRAP-16). `created_at`
/// must be at or after the epoch's start (OS-WRAP-18); a set for an epoch
/// whose window has ended at `created_at` is refused with `wrap-window`.
pub fn build_set_event(
    keys: &Keys,
    group: &GroupId,
    schedule: &Schedule,
    set: &WrapperSet,
    created_at: u64,
    aux_rand: &[u8; 32],
) -> Result<Event, Failure> {
    let window = schedule.check(set.epoch, created_at)?;
    debug_assert!(window.start <= created_at);
    let tags = set_tags(group, schedule, set.epoch)?;
    Ok(event::sign(
        keys,
        created_at,
        tags,
        set.to_content(),
        aux_rand,
    )?)
}

/// The wrapper set a host publishes for the current epoch at `now`
/// (OS-WRAP-18): one wrapper per member intermediate, sealed with the given
/// fresh nonces (OS-WRAP-10), in ascending locator order (OS-WRAP-12).
/// Two equal intermediates would give equal locators: `wrap-set`.
pub fn current_set(
    group: &GroupId,
    schedule: &Schedule,
    salt: &[u8; wrap::SALT_LEN],
    log_n: u8,
    secret: &EpochSecret,
    members: &[(Intermediate, [u8; wrap::NONCE_LEN])],
    now: u64,
) -> Result<WrapperSet, WrapError> {
    let epoch = schedule.current_epoch(now);
    schedule.window(epoch)?;
    if members.is_empty() || members.len() > wrap::MAX_WRAPPERS {
        return Err(WrapError::Set);
    }
    let wrappers = members
        .iter()
        .map(|(i, nonce)| wrap::seal(i, group, epoch, salt, log_n, nonce, secret))
        .collect::<Result<Vec<_>, _>>()?;
    WrapperSet::new(epoch, wrappers)
}

/// Reads one candidate as §19.2.4 step 1 says: §11.4 steps 2 to 7 with the
/// host key and `D` (`event-*`), the content (OS-WRAP-12), the expiration
/// value (OS-WRAP-17: `wrap-set`) and the epoch's window at `now`
/// (OS-WRAP-14: `wrap-window`). Step 1 (structure) is the parser's.
pub fn read_candidate(
    candidate: &Event,
    invitation: &Invitation,
    now: u64,
) -> Result<WrapperSet, Failure> {
    const TAG: EventError = EventError::Tag {
        requirement: "OS-EVENT-10",
    };
    event::RoomContext::check_integrity(candidate)?;
    let d = wrap::set_d_tag(&invitation.group);
    if event::first_tag_value(candidate, "d") != Some(d.as_str())
        || !event::has_tag_value(candidate, "t", event::APP_TAG)
    {
        return Err(TAG.into());
    }
    let tags: Vec<&[String]> = candidate.tags.iter().map(|t| t.as_slice()).collect();
    let Some(expiration) = expiry::get_expiration(&tags) else {
        return Err(TAG.into());
    };
    if candidate.pubkey != invitation.host {
        return Err(EventError::Author.into());
    }
    if expiry::expired_at(Some(expiration), now) {
        return Err(EventError::Expired.into());
    }
    let set = WrapperSet::parse(&candidate.content)?;
    match invitation.schedule.window(set.epoch) {
        Ok(w) if w.end == expiration => {}
        // A content epoch whose window end overflows 64 bits cannot match
        // any expiration value.
        _ => return Err(EXPIRATION_MISMATCH),
    }
    invitation.schedule.check(set.epoch, now)?;
    Ok(set)
}

/// The outcome of reading the candidates of a group's wrapper set.
#[derive(Clone, Debug)]
pub struct Chosen {
    /// The winning event (OS-LWW-1 to OS-LWW-3 among the valid candidates).
    pub event: Event,
    /// Its content.
    pub set: WrapperSet,
    /// Every candidate id that no valid copy carries, with its first failure.
    pub rejected: Vec<(EventId, Failure)>,
}

/// Reads every candidate and picks the winner among the survivors
/// (§19.2.4 steps 1 and 2). `wrap-no-set` when none survives.
pub fn choose(
    candidates: &[Event],
    invitation: &Invitation,
    now: u64,
) -> Result<Chosen, (Failure, Vec<(EventId, Failure)>)> {
    let mut best: Option<(&Event, WrapperSet)> = None;
    let mut failed: Vec<(EventId, Failure)> = Vec::new();
    let mut valid_ids = std::collections::BTreeSet::new();
    for c in candidates {
        match read_candidate(c, invitation, now) {
            Ok(set) => {
                valid_ids.insert(c.id);
                let replace = best.as_ref().is_none_or(|(b, _)| lww::beats(c, b));
                if replace {
                    best = Some((c, set));
                }
            }
            Err(f) => {
                if !failed.iter().any(|(id, _)| *id == c.id) {
                    failed.push((c.id, f));
                }
            }
        }
    }
    failed.retain(|(id, _)| !valid_ids.contains(id));
    match best {
        Some((event, set)) => Ok(Chosen {
            event: event.clone(),
            set,
            rejected: failed,
        }),
        None => Err((NO_SET, failed)),
    }
}

/// §19.2.4 steps 3 to 5: the member's passphrase, one derivation with the
/// winner's SALT and LOG_N, its locator, and its wrapper opened.
pub fn open_chosen(
    passphrase: &str,
    group: &GroupId,
    set: &WrapperSet,
) -> Result<Opened, WrapError> {
    let first = set.wrappers.first().ok_or(WrapError::Set)?;
    let i = wrap::derive_intermediate(passphrase, &first.salt(), first.log_n())?;
    wrap::open_set_with_intermediate(&i, group, set)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn fixture() -> (Keys, Invitation, [u8; 16]) {
        let group = GroupId::from_bytes([5; 32]);
        let keys = host_keys(&DeviceSecret::from_bytes([1; 32]), &group).unwrap();
        let inv = Invitation {
            group,
            host: keys.public_key(),
            schedule: Schedule::new(1000, 100).unwrap(),
        };
        (keys, inv, [3; 16])
    }

    fn set_at(inv: &Invitation, salt: &[u8; 16], now: u64, pw: &str, s: u8) -> WrapperSet {
        let i = wrap::derive_intermediate(pw, salt, 1).unwrap();
        current_set(
            &inv.group,
            &inv.schedule,
            salt,
            1,
            &EpochSecret::from_bytes([s; 32]),
            &[(i, [9; 24])],
            now,
        )
        .unwrap()
    }

    #[test]
    fn os_wrap_16_17_build_then_read_and_window_edges() {
        let (keys, inv, salt) = fixture();
        let set = set_at(&inv, &salt, 5_000, "pw", 1);
        assert_eq!(set.epoch, 5);
        let e = build_set_event(&keys, &inv.group, &inv.schedule, &set, 5_000, &[0; 32]).unwrap();
        assert_eq!(
            event::first_tag_value(&e, "expiration"),
            Some("6100"),
            "e × R + R + M"
        );
        assert!(read_candidate(&e, &inv, 6_100).is_ok());
        assert_eq!(
            read_candidate(&e, &inv, 6_101).unwrap_err().code,
            ErrorCode::EventExpired
        );
        assert_eq!(
            read_candidate(&e, &inv, 4_999).unwrap_err().code,
            ErrorCode::WrapWindow
        );
        let chosen = choose(std::slice::from_ref(&e), &inv, 5_500).unwrap();
        let opened = open_chosen("pw", &inv.group, &chosen.set).unwrap();
        assert_eq!(opened.secret, EpochSecret::from_bytes([1; 32]));
        assert_eq!(
            open_chosen("other", &inv.group, &chosen.set).unwrap_err(),
            WrapError::NotMember
        );
    }

    #[test]
    fn os_wrap_17_wrong_author_expiration_and_lww() {
        let (keys, inv, salt) = fixture();
        let set = set_at(&inv, &salt, 5_000, "pw", 1);
        let other = Keys::new(nostr::key::SecretKey::from_slice(&[2; 32]).unwrap());
        let forged =
            build_set_event(&other, &inv.group, &inv.schedule, &set, 5_001, &[0; 32]).unwrap();
        assert_eq!(
            read_candidate(&forged, &inv, 5_001).unwrap_err().code,
            ErrorCode::EventAuthor
        );
        let mut tags = set_tags(&inv.group, &inv.schedule, 5).unwrap();
        tags[2][1] = "6101".into();
        let bad = event::sign(&keys, 5_000, tags, set.to_content(), &[0; 32]).unwrap();
        assert_eq!(
            read_candidate(&bad, &inv, 5_001).unwrap_err().code,
            ErrorCode::WrapSet
        );
        let newer = set_at(&inv, &salt, 5_000, "pw", 2);
        let e1 = build_set_event(&keys, &inv.group, &inv.schedule, &set, 5_000, &[0; 32]).unwrap();
        let e2 =
            build_set_event(&keys, &inv.group, &inv.schedule, &newer, 5_010, &[0; 32]).unwrap();
        let chosen = choose(&[e2.clone(), forged, e1], &inv, 5_020).unwrap();
        assert_eq!(chosen.event.id, e2.id);
        assert_eq!(chosen.rejected.len(), 1);
        assert_eq!(
            choose(&[bad], &inv, 5_020).unwrap_err().0.code,
            ErrorCode::WrapNoSet
        );
        // An ended epoch is not written.
        assert_eq!(
            build_set_event(&keys, &inv.group, &inv.schedule, &set, 6_101, &[0; 32])
                .unwrap_err()
                .code,
            ErrorCode::WrapWindow
        );
    }
}
