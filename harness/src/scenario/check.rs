//! The checks of a scenario step: what the client concluded (the resolved
//! state against the scenario's expectation), what it published (kind,
//! tags, d-tag, expiration, content that decrypts to a valid payload, id and
//! signature, every relay given) and what it leaked (plaintext or link
//! secrets in tags, signing keys or tag values shared by two rooms).
//!
//! Expected values come from the scenario file or from arithmetic here
//! (for example the v2 expiration, horizon + 604,800); decryption, payload
//! reading and the blinded tags the spec defines come from the independent
//! oracle (`openslots-oracle`), never from the implementation under test.

use std::collections::{BTreeMap, BTreeSet};

use nostr::event::Event;
use openslots_oracle::payload::{self, Role as PayloadRole};
use openslots_oracle::room::Room;
use openslots_oracle::{Profile, SLOT_SECONDS, cipher, event as ev, expiry, mask};
use serde_json::Value;

use super::build::{self, RoomFixture};
use super::relays::RunningRelay;

/// One failed check: the requirements it enforces and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Requirement IDs.
    pub requirements: Vec<String>,
    /// What was expected and what came instead.
    pub message: String,
}

impl Finding {
    /// A finding for these requirements.
    pub fn new(requirements: &[&str], message: impl Into<String>) -> Self {
        Self {
            requirements: requirements.iter().map(|s| (*s).to_owned()).collect(),
            message: message.into(),
        }
    }
}

/// What the harness expects of one published event.
#[derive(Clone, Debug)]
pub enum Expected {
    /// A room event with this content, by this host.
    Room {
        /// The title.
        title: String,
        /// The offered slots.
        slots: Vec<i64>,
    },
    /// A response with this name and availability.
    Response {
        /// The display name.
        name: String,
        /// Available slots.
        available: Vec<i64>,
        /// The room's slots at the time (for the v2 expiration).
        room_slots: Vec<i64>,
        /// The v2 expiration the response must carry when it is not the one
        /// computed from `room_slots` (the winning room event's own value).
        expiration: Option<u64>,
    },
}

/// The v2 expiration of a room with these slots (OS-EXPIRY-4): end of the
/// last slot plus seven days, computed here independently of the reference.
pub fn expected_expiration(slots: &[i64]) -> Option<u64> {
    let last = slots.iter().max()?;
    u64::try_from(last + SLOT_SECONDS + 604_800).ok()
}

/// The slots a room written from `slots` offers, sorted and deduplicated:
/// in v1 a slot off the first slot's 1800-second grid is moved down onto it
/// (OS-MASK-4, spec §10.2 step 1); v2 refuses such a room, so its slots are
/// kept as given. Computed here from the spec's rule, not by the reference.
pub fn offered_slots(profile: Profile, slots: &[i64]) -> Vec<i64> {
    let first = slots.iter().min().copied().unwrap_or_default();
    let mut out: Vec<i64> = slots
        .iter()
        .map(|&t| match profile {
            Profile::V1 => first + (t - first).div_euclid(SLOT_SECONDS) * SLOT_SECONDS,
            Profile::V2 => t,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn tag_names(e: &Event) -> Vec<String> {
    e.tags
        .iter()
        .map(|t| t.as_slice().first().cloned().unwrap_or_default())
        .collect()
}

/// Checks one event the client published (OS-EVENT-1..12, OS-EXPIRY-4/5,
/// OS-BLIND-*, OS-CIPHER-8, OS-PAYLOAD-*), returning the parsed event.
pub fn published_event(
    json: &Value,
    room: &RoomFixture,
    expected: &Expected,
    findings: &mut Vec<Finding>,
) -> Option<Event> {
    let ctx: &Room = &room.ctx;
    let profile = ctx.profile();
    let e = match ev::parse(&json.to_string()) {
        Ok(e) => e,
        Err((code, _)) => {
            findings.push(Finding::new(
                &["OS-EVENT-13"],
                format!("published event is not a NIP-01 event ({code})"),
            ));
            return None;
        }
    };
    if e.kind.as_u16() != ev::KIND {
        findings.push(Finding::new(
            &["OS-EVENT-1"],
            format!("published kind {}, expected 30078", e.kind.as_u16()),
        ));
    }
    if !e.verify_id() {
        findings.push(Finding::new(
            &["OS-EVENT-7"],
            "published id is not the event's hash",
        ));
    }
    if !e.verify_signature() {
        findings.push(Finding::new(
            &["OS-EVENT-8"],
            "published signature does not verify",
        ));
    }
    // Tags, in order (OS-EVENT-2..5).
    let is_room = matches!(expected, Expected::Room { .. });
    let (want_names, tags_req) = ev::tag_names(profile, is_room);
    let names = tag_names(&e);
    if names != want_names {
        findings.push(Finding::new(
            &[tags_req],
            format!("published tag names {names:?}, expected exactly {want_names:?}"),
        ));
    }
    let tags = ev::tags_of(&e);
    if !ev::has_tag_value(&tags, "t", ev::APP_TAG) {
        findings.push(Finding::new(&[tags_req], "no [\"t\", \"openslots\"] tag"));
    }
    let d = ev::first_tag_value(&tags, "d")
        .unwrap_or_default()
        .to_owned();
    let exp = expiry::expiration(&tags);
    let author_hex = e.pubkey.to_hex();
    match expected {
        Expected::Room { title, slots } => {
            if d != ctx.room_d {
                findings.push(Finding::new(
                    &["OS-EVENT-2", "OS-BLIND-1", "OS-BLIND-3"],
                    format!(
                        "room d-tag {d:?}, expected the blinded room id {:?}",
                        ctx.room_d
                    ),
                ));
            }
            if let Some(host) = ctx.link.host
                && e.pubkey.to_bytes() != host
            {
                findings.push(Finding::new(
                    &["OS-EVENT-11"],
                    "the v2 room event is not signed by the link's host key",
                ));
            }
            check_expiration(profile, exp, slots, findings);
            let Some(text) = decrypt(ctx, &e, findings) else {
                return Some(e);
            };
            let read = match profile {
                Profile::V1 => payload::read_v1(PayloadRole::Room, &text),
                Profile::V2 => {
                    payload::read_v2(PayloadRole::Room, &text, &room.room_id, &author_hex)
                }
            };
            match read {
                Err((code, req)) => findings.push(Finding::new(
                    &["OS-EVENT-6", req],
                    format!("room payload does not parse: {code}"),
                )),
                Ok(p) => {
                    if &p.text != title {
                        findings.push(Finding::new(
                            &["OS-EVENT-6"],
                            format!("room title {:?}, expected {title:?}", p.text),
                        ));
                    }
                    let got = mask::slots_of(p.start.unwrap_or_default(), &p.bits);
                    let want = offered_slots(profile, slots);
                    if got != want {
                        findings.push(Finding::new(
                            &["OS-EVENT-6", "OS-MASK-2"],
                            format!("room slots {got:?}, expected {want:?}"),
                        ));
                    }
                }
            }
        }
        Expected::Response {
            name,
            available,
            room_slots,
            expiration,
        } => {
            let expect_d = match profile {
                Profile::V1 => ev::first_tag_value(&tags, "e")
                    .filter(|id| openslots_oracle::link::key_from_hex(id).is_some())
                    .map(|id| ctx.response_d(&e.pubkey, id)),
                Profile::V2 => Some(ctx.response_d(&e.pubkey, "")),
            };
            if expect_d.as_deref() != Some(d.as_str()) {
                findings.push(Finding::new(
                    &["OS-EVENT-11", "OS-BLIND-2", "OS-BLIND-4"],
                    format!("response d-tag {d:?} is not the blinded response id of its author"),
                ));
            }
            if let Some(address) = ctx.address()
                && !ev::has_tag_value(&tags, "a", &address)
            {
                findings.push(Finding::new(
                    &["OS-EVENT-5"],
                    format!("no [\"a\", {address:?}] tag"),
                ));
            }
            match (profile, expiration) {
                (Profile::V2, Some(want)) if exp != Some(*want) => findings.push(Finding::new(
                    &["OS-EXPIRY-4"],
                    format!(
                        "expiration {exp:?}, expected {want} (the winning room event's own expiration value)"
                    ),
                )),
                (Profile::V2, Some(_)) => {}
                _ => check_expiration(profile, exp, room_slots, findings),
            }
            let Some(text) = decrypt(ctx, &e, findings) else {
                return Some(e);
            };
            let read = match profile {
                Profile::V1 => payload::read_v1(PayloadRole::Response, &text),
                Profile::V2 => {
                    payload::read_v2(PayloadRole::Response, &text, &room.room_id, &author_hex)
                }
            };
            match read {
                Err((code, req)) => findings.push(Finding::new(
                    &["OS-EVENT-6", req],
                    format!("response payload does not parse: {code}"),
                )),
                Ok(p) => {
                    if &p.text != name {
                        findings.push(Finding::new(
                            &["OS-EVENT-6"],
                            format!("response name {:?}, expected {name:?}", p.text),
                        ));
                    }
                    let start = p
                        .start
                        .or_else(|| room_slots.iter().min().copied())
                        .unwrap_or_default();
                    let got = mask::slots_of(start, &p.bits);
                    let mut want = available.clone();
                    want.sort_unstable();
                    if got != want {
                        findings.push(Finding::new(
                            &["OS-EVENT-6", "OS-MASK-10"],
                            format!("response availability {got:?}, expected {want:?}"),
                        ));
                    }
                }
            }
        }
    }
    Some(e)
}

fn check_expiration(
    profile: Profile,
    exp: Option<u64>,
    slots: &[i64],
    findings: &mut Vec<Finding>,
) {
    match profile {
        Profile::V1 => {
            if exp.is_some() {
                findings.push(Finding::new(
                    &["OS-EXPIRY-5"],
                    "a v1 event carries an expiration tag",
                ));
            }
        }
        Profile::V2 => {
            let want = expected_expiration(slots);
            if exp != want {
                findings.push(Finding::new(
                    &["OS-EXPIRY-4"],
                    format!(
                        "expiration {exp:?}, expected {want:?} (end of the last slot + 604800)"
                    ),
                ));
            }
        }
    }
}

/// Decrypts with the room key under the strict decoder: a payload outside
/// NIP-44's padding buckets fails here (OS-CIPHER-8).
fn decrypt(ctx: &Room, e: &Event, findings: &mut Vec<Finding>) -> Option<String> {
    match cipher::open(&ctx.keys.enc, &e.content) {
        Ok(t) => Some(t),
        Err((code, req)) => {
            findings.push(Finding::new(
                &["OS-EVENT-6", req],
                format!("content does not decrypt with the room key: {code}"),
            ));
            None
        }
    }
}

/// What must never appear in a published tag (OS-LINK-8): the link's room
/// id and key, and the plaintext of the event (title or name, and every
/// slot as decimal Unix seconds).
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    /// Found anywhere inside a tag value: the room id, the room key, slots,
    /// and plaintext strings of 4 bytes or more.
    pub anywhere: Vec<String>,
    /// Found as a whole tag value: shorter plaintext strings, which could
    /// occur inside a hexadecimal value by chance.
    pub whole: Vec<String>,
}

/// The secrets of a room and of one event's plaintext.
pub fn secrets_of(room: &RoomFixture, plaintexts: &[String], slots: &[i64]) -> Secrets {
    let mut out = Secrets {
        anywhere: vec![room.room_id.clone(), hex::encode(room.room_key)],
        whole: Vec::new(),
    };
    for p in plaintexts.iter().filter(|p| !p.is_empty()) {
        if p.len() >= 4 {
            out.anywhere.push(p.clone());
        } else {
            out.whole.push(p.clone());
        }
    }
    out.anywhere.extend(slots.iter().map(i64::to_string));
    out
}

/// OS-LINK-8: no tag of `e` carries one of `secrets`.
pub fn leaks_in_tags(e: &Event, secrets: &Secrets, findings: &mut Vec<Finding>) {
    for t in e.tags.iter() {
        for v in t.as_slice().iter().skip(1) {
            let inside = secrets.anywhere.iter().filter(|s| v.contains(s.as_str()));
            let whole = secrets.whole.iter().filter(|s| v == *s);
            for s in inside.chain(whole) {
                findings.push(Finding::new(
                    &["OS-LINK-8"],
                    format!(
                        "a published tag contains plaintext or a link secret: {v:?} contains {s:?}"
                    ),
                ));
            }
        }
    }
}

/// OS-LINK-8 on the wire: no relay received a room's key or id in anything
/// a client sent it (`REQ` filters, events, other frames, binary frames as
/// hex), in either case.
pub fn secrets_on_the_wire(
    rooms: &BTreeMap<String, RoomFixture>,
    relays: &BTreeMap<String, RunningRelay>,
    findings: &mut Vec<Finding>,
) {
    for (relay_name, r) in relays {
        let Some(relay) = &r.relay else { continue };
        for record in relay.recorder().records() {
            let text = serde_json::to_string(&record.frame)
                .unwrap_or_default()
                .to_lowercase();
            for (room_name, room) in rooms {
                // With no plaintext, a room's secrets are its key and its id.
                for secret in secrets_of(room, &[], &[]).anywhere {
                    if text.contains(&secret.to_lowercase()) {
                        findings.push(Finding::new(
                            &["OS-LINK-8"],
                            format!(
                                "relay {relay_name} received {secret:?} (the key or id of room \
                                 {room_name}) in a client frame (connection {}, #{})",
                                record.connection, record.seq
                            ),
                        ));
                    }
                }
            }
        }
    }
}

/// Across rooms: a v2 signing key used in two rooms, or the v1 key used in
/// v2 (OS-KDF-4); a tag value other than the `t` marker seen in two rooms.
pub fn cross_room(
    profile: Profile,
    published: &[(String, String, Event)],
    findings: &mut Vec<Finding>,
) {
    let mut keys: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut values: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (room, actor, e) in published {
        keys.entry(e.pubkey.to_hex()).or_default().insert(room);
        for t in e.tags.iter() {
            let s = t.as_slice();
            // The `t` marker is the same everywhere by design (§17.4); equal
            // expirations are equal horizons, not identifiers.
            if matches!(s.first().map(String::as_str), Some("t" | "expiration")) {
                continue;
            }
            if let Some(v) = s.get(1) {
                values.entry(v.clone()).or_default().insert(room);
            }
        }
        if profile == Profile::V2
            && let Ok(sk) = nostr::key::SecretKey::from_slice(&build::device_secret(actor))
            && nostr::key::Keys::new(sk).public_key() == e.pubkey
        {
            findings.push(Finding::new(
                &["OS-KDF-4"],
                format!("{actor} signs a v2 event with its v1 (device) key"),
            ));
        }
    }
    if profile == Profile::V2 {
        for (k, rooms) in &keys {
            if rooms.len() > 1 {
                findings.push(Finding::new(
                    &["OS-KDF-4"],
                    format!("signing key {k} is used in rooms {rooms:?}"),
                ));
            }
        }
    }
    for (v, rooms) in &values {
        if rooms.len() > 1 {
            findings.push(Finding::new(
                &["OS-LINK-8", "OS-KDF-4"],
                format!(
                    "tag value {v:?} appears in rooms {rooms:?}: a stable identifier across rooms"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_with(tags: Vec<Vec<String>>) -> Event {
        let sk = nostr::key::SecretKey::from_slice(&[7; 32]).expect("a valid constant key");
        ev::sign(
            &nostr::key::Keys::new(sk),
            ev::KIND,
            1,
            &tags,
            "x".into(),
            &[0; 32],
        )
        .expect("the test tags are valid")
    }

    fn leaks(tags: &[(&str, &str)]) -> Vec<String> {
        let secrets = Secrets {
            anywhere: vec!["Team sync".into(), "1748851200".into()],
            whole: vec!["Al".into()],
        };
        let e = event_with(
            tags.iter()
                .map(|(k, v)| vec![(*k).to_owned(), (*v).to_owned()])
                .collect(),
        );
        let mut findings = Vec::new();
        leaks_in_tags(&e, &secrets, &mut findings);
        findings.into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn plaintext_in_a_tag_is_a_leak() {
        assert_eq!(
            leaks(&[("d", "ab12"), ("t", "openslots")]),
            Vec::<String>::new()
        );
        assert_eq!(leaks(&[("title", "Team sync")]).len(), 1);
        assert_eq!(leaks(&[("slot", "at 1748851200")]).len(), 1);
        // A short name counts only as a whole value: "Al" inside hex is chance.
        assert_eq!(leaks(&[("name", "Al")]).len(), 1);
        assert!(leaks(&[("d", "00Al00")]).is_empty());
    }

    #[test]
    fn a_key_or_a_tag_value_shared_by_two_rooms_is_a_link_between_them() {
        let a = event_with(vec![vec!["d".into(), "aa".into()]]);
        let b = event_with(vec![vec!["d".into(), "bb".into()]]);
        let shared = event_with(vec![vec!["d".into(), "aa".into()]]);
        let run = |profile, events: &[(&str, &Event)]| {
            let published: Vec<(String, String, Event)> = events
                .iter()
                .map(|(room, e)| ((*room).to_owned(), "someone".to_owned(), (*e).clone()))
                .collect();
            let mut findings = Vec::new();
            cross_room(profile, &published, &mut findings);
            findings
                .into_iter()
                .map(|f| f.requirements.join(","))
                .collect::<Vec<_>>()
        };
        // One key in two rooms: a finding in v2 only (v1 keeps one key per
        // device by design, hazard 5).
        assert_eq!(
            run(Profile::V2, &[("r1", &a), ("r2", &b)]),
            vec!["OS-KDF-4"]
        );
        assert!(run(Profile::V1, &[("r1", &a), ("r2", &b)]).is_empty());
        // The same d-tag value in two rooms links them in either profile.
        let v1 = run(Profile::V1, &[("r1", &a), ("r2", &shared)]);
        assert_eq!(v1, vec!["OS-LINK-8,OS-KDF-4"]);
        // Two events of one room share nothing worth reporting.
        assert!(run(Profile::V2, &[("r1", &a), ("r1", &shared)]).is_empty());
    }

    #[test]
    fn v1_rooms_move_off_grid_slots_down_and_v2_rooms_keep_them() {
        // Spec §10.4, Kathmandu: offsets 0, 1800, 85500, 87300.
        let slots = [504847800, 504849600, 504933300, 504935100];
        assert_eq!(
            offered_slots(Profile::V1, &slots),
            vec![504847800, 504849600, 504932400, 504934200]
        );
        assert_eq!(offered_slots(Profile::V2, &slots), slots.to_vec());
    }
}
