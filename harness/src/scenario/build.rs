//! Fixtures of a scenario run: actors' keys, rooms' links and the described
//! events, signed at run time for one profile on the scenario clock.
//!
//! Everything is derived from the scenario id, the profile and names with
//! SHA-256, so a run is reproducible: the same scenario gives the same room
//! ids, keys, nonces and therefore the same event ids every time.
//!
//! Links, keys, d-tags, payloads, masks and encryption come from the
//! independent oracle (`openslots-oracle`), never from the implementation
//! under test.

use std::collections::BTreeMap;

use nostr::event::{Event, EventId};
use nostr::key::{Keys, PublicKey};
use openslots_oracle::link::Link;
use openslots_oracle::payload::{self, Role as PayloadRole};
use openslots_oracle::room::Room;
use openslots_oracle::{Profile, base64, blinding, cipher, event as ev, expiry, kdf, mask};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::model::{EventSpec, IdClass, LinkEdit, Role, Scenario, Tamper};

/// The origin of every scenario link.
pub const ORIGIN: &str = "https://openslots.example";

/// 32 bytes named by `parts`, reproducibly.
pub fn seed(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"openslots-scenario");
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().into()
}

/// An actor's device secret (the same in every scenario, as a browser's).
pub fn device_secret(actor: &str) -> [u8; 32] {
    seed(&["actor", actor])
}

/// An actor's display name: the name with its first letter in upper case.
pub fn display_name(actor: &str) -> String {
    let mut c = actor.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A room of one run: its link and context.
#[derive(Clone, Debug)]
pub struct RoomFixture {
    /// The room id.
    pub room_id: String,
    /// The room key.
    pub room_key: [u8; 32],
    /// The link, as the host's client must produce it.
    pub link: Link,
    /// Keys and d-tag.
    pub ctx: Room,
}

/// Everything a run builds before it starts the relays.
#[derive(Debug)]
pub struct Fixtures {
    /// The profile.
    pub profile: Profile,
    /// Rooms by name.
    pub rooms: BTreeMap<String, RoomFixture>,
    /// Described events by name.
    pub events: BTreeMap<String, BuiltEvent>,
}

/// A described event, built.
#[derive(Clone, Debug)]
pub struct BuiltEvent {
    /// Its id as written (for tampered events, possibly not its hash).
    pub id: String,
    /// The JSON served to clients.
    pub json: Value,
    /// The event, when it verifies (only those can be stored).
    pub event: Option<Event>,
}

/// A UUID v4 in canonical form from 16 bytes.
fn uuid_v4(b: [u8; 32]) -> String {
    let mut u = [0u8; 16];
    u.copy_from_slice(&b[..16]);
    u[6] = (u[6] & 0x0f) | 0x40;
    u[8] = (u[8] & 0x3f) | 0x80;
    let h = hex::encode(u);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The signing keys of `actor` in a room: the device key in v1, the
/// per-room key of OS-KDF-5 in v2.
pub fn actor_keys(ctx: &Room, actor: &str) -> Result<Keys, String> {
    kdf::signing_keys(ctx.profile(), &device_secret(actor), &ctx.room_d)
        .ok_or_else(|| format!("no valid signing key for {actor} in this room"))
}

/// An actor's public key in a room.
pub fn actor_pubkey(ctx: &Room, actor: &str) -> Result<PublicKey, String> {
    actor_keys(ctx, actor).map(|k| k.public_key())
}

/// Builds rooms and events for one profile.
pub fn build(s: &Scenario, profile: Profile) -> Result<Fixtures, String> {
    let mut rooms = BTreeMap::new();
    for (name, spec) in &s.rooms {
        let room_id = uuid_v4(seed(&["room-id", &s.id, name]));
        let room_key = seed(&["room-key", &s.id, name]);
        // The v2 host key is derived from the room d-tag (OS-KDF-5), which
        // the room key and id alone determine (OS-BLIND-3).
        let host = match profile {
            Profile::V1 => None,
            Profile::V2 => {
                let keys = kdf::room_keys(Profile::V2, &room_key);
                let room_d = blinding::room_d(Profile::V2, &keys.blind, &room_id);
                let host = kdf::signing_keys(Profile::V2, &device_secret(&spec.host), &room_d)
                    .ok_or_else(|| format!("room {name}: no valid host key"))?;
                Some(host.public_key().to_bytes())
            }
        };
        let link = Link {
            origin: ORIGIN.to_owned(),
            room_id: room_id.clone(),
            key: room_key,
            host,
        };
        let ctx = Room::new(link.clone());
        rooms.insert(
            name.clone(),
            RoomFixture {
                room_id,
                room_key,
                link,
                ctx,
            },
        );
    }
    let mut fx = Fixtures {
        profile,
        rooms,
        events: BTreeMap::new(),
    };
    for e in &s.events {
        let built = build_event(s, &fx, e).map_err(|m| format!("event {}: {m}", e.name))?;
        if fx.events.insert(e.name.clone(), built).is_some() {
            return Err(format!("event {} is described twice", e.name));
        }
    }
    Ok(fx)
}

fn offset(now: u64, by: i64) -> Result<u64, String> {
    now.checked_add_signed(by)
        .ok_or_else(|| format!("time offset {by} leaves the clock's range"))
}

fn build_event(s: &Scenario, fx: &Fixtures, e: &EventSpec) -> Result<BuiltEvent, String> {
    if e.role == Role::WrapperSet {
        return super::wrap::build_set(s, e);
    }
    if let Some(name) = &e.copy_of {
        return copy_of(fx, e, name);
    }
    if e.tamper == Some(Tamper::RoomD) {
        return Err("tamper room-d needs copy_of".into());
    }
    let spec = s
        .rooms
        .get(&e.room)
        .ok_or_else(|| format!("unknown room {}", e.room))?;
    let room = fx
        .rooms
        .get(&e.room)
        .ok_or_else(|| format!("unknown room {}", e.room))?;
    let ctx = &room.ctx;
    let author = e.author.clone().unwrap_or_else(|| match e.role {
        Role::Room | Role::Manifest => spec.host.clone(),
        Role::Response | Role::Request | Role::WrapperSet => String::new(),
    });
    if author.is_empty() {
        return Err("a response or request needs an author".into());
    }
    let signer = actor_keys(ctx, &author)?;
    let author_hex = signer.public_key().to_hex();
    let created_at = offset(s.now, e.at)?;
    let profile = fx.profile;

    let mut booking_key = None;
    let (plaintext, mut tags): (String, Vec<Vec<String>>) = match e.role {
        Role::Request | Role::Manifest => {
            let (text, tags, key) =
                super::booking::describe(s, fx, e, room, &signer, e.role == Role::Request)?;
            booking_key = Some(key);
            (text, tags)
        }
        Role::Room => {
            let slots = e.slots.as_ref().unwrap_or(&spec.slots);
            let (start, offered) = mask::room_from_slots(profile, slots).map_err(fail)?;
            let title = e.title.clone().unwrap_or_else(|| spec.title.clone());
            let text = match profile {
                Profile::V1 => payload::write_room_v1(&title, start, &mask::encode_v1(&offered)),
                Profile::V2 => {
                    let (n, b) = mask::encode_v2(&offered);
                    let text = payload::write_v2(
                        PayloadRole::Room,
                        &room.room_id,
                        &author_hex,
                        &title,
                        start,
                        (n, &b),
                    );
                    match spec.book {
                        Some(book) => super::booking::with_book(&text, book),
                        None => text,
                    }
                }
            };
            let exp = expiry::v2_expiration(start, offered.len())
                .ok_or("no expiration for these slots")?;
            (text, ev::room_tags(profile, &ctx.room_d, exp))
        }
        Role::WrapperSet => return Err("a wrapper set is built by scenario::wrap".into()),
        Role::Response => {
            let answers = e
                .answers
                .as_ref()
                .ok_or("a response names the room event it answers (`answers`)")?;
            let room_spec = s
                .events
                .iter()
                .find(|x| &x.name == answers && x.role == Role::Room)
                .ok_or_else(|| format!("`answers` names no room event: {answers}"))?;
            let answered = fx
                .events
                .get(answers)
                .and_then(|b| b.event.clone())
                .ok_or_else(|| format!("room event {answers} must be described first and valid"))?;
            let slots = room_spec.slots.as_ref().unwrap_or(&spec.slots);
            let (start, offered) = mask::room_from_slots(profile, slots).map_err(fail)?;
            let name = e.name_text.clone().unwrap_or_else(|| display_name(&author));
            let mut chosen = mask::choose(start, &offered, &e.available).map_err(fail)?;
            if e.tamper == Some(Tamper::MaskLonger) {
                chosen.push(true);
            }
            let write_v2 = |n: usize, b: &str| {
                payload::write_v2(
                    PayloadRole::Response,
                    &room.room_id,
                    &author_hex,
                    &name,
                    start,
                    (n, b),
                )
            };
            let text = match profile {
                _ if e.tamper == Some(Tamper::MaskStray) => {
                    let mut o = mask::encode_v1(&chosen);
                    o.replace_range(..1, "x");
                    json!({"n": name, "o": o}).to_string()
                }
                Profile::V2 if e.tamper == Some(Tamper::MaskTooLarge) => {
                    // The real answer with n = 35,137 and the same bits (OS-MASK-6).
                    let big = mask::from_indices(
                        mask::MAX_V2 + 1,
                        (0..chosen.len()).filter(|&i| chosen[i]),
                    );
                    write_v2(big.len(), &mask::encode_v2(&big).1)
                }
                Profile::V1 if e.tamper == Some(Tamper::MaskTooLarge) => {
                    return Err("tamper mask-too-large applies to v2 only".into());
                }
                Profile::V1 => payload::write_response_v1(&name, &mask::encode_v1(&chosen)),
                Profile::V2 => {
                    let (n, b) = mask::encode_v2(&chosen);
                    write_v2(n, &b)
                }
            };
            let answered_id = answered.id.to_hex();
            let d = ctx.response_d(&signer.public_key(), &answered_id);
            let tags = match ctx.address() {
                None => ev::response_tags_v1(&answered_id, &d),
                Some(address) => {
                    let exp = expiry::expiration(&ev::tags_of(&answered)).unwrap_or_default();
                    ev::response_tags_v2(&d, &address, exp)
                }
            };
            (text, tags)
        }
    };
    for t in &e.extra_tags {
        let address = ev::address(
            &ctx.host_hex()
                .unwrap_or_else(|| signer.public_key().to_hex()),
            &ctx.room_d,
        );
        tags.push(t.iter().map(|v| v.replace("{address}", &address)).collect());
    }
    let copied = match &e.copy_content {
        None => None,
        Some(name) => Some(
            fx.events
                .get(name)
                .and_then(|b| b.json.get("content"))
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| format!("copy_content names no earlier event: {name}"))?
                .to_owned(),
        ),
    };
    if let Some(by) = e.expires {
        let value = offset(s.now, by)?.to_string();
        tags.retain(|t| t.first().map(String::as_str) != Some(expiry::EXPIRATION));
        tags.push(vec![expiry::EXPIRATION.to_owned(), value]);
    }
    let plaintext = if e.tamper == Some(Tamper::PayloadJunk) {
        "this is not a payload".to_owned()
    } else {
        plaintext
    };
    let enc_key = if e.tamper == Some(Tamper::WrongKey) {
        seed(&["wrong-key", &s.id])
    } else {
        booking_key.unwrap_or(ctx.keys.enc)
    };
    let kind = if e.tamper == Some(Tamper::Kind) {
        1
    } else {
        ev::KIND
    };
    let pname = profile.name();
    // Grind the nonce until the id falls in the requested half.
    for counter in 0u32..1024 {
        let c = counter.to_string();
        let nonce = seed(&["nonce", &s.id, pname, &e.name, &c]);
        let aux = seed(&["aux", &s.id, pname, &e.name, &c]);
        let content = if let Some(c) = &copied {
            c.clone()
        } else if e.tamper == Some(Tamper::ContentJunk) {
            // Canonical base64 of 99 bytes with version 2: a well-formed
            // payload whose MAC cannot match (`cipher-mac`).
            let mut raw = vec![2u8];
            raw.extend(seed(&["junk", &s.id, &e.name, &c]));
            raw.extend([0u8; 66]);
            base64::encode(&raw)
        } else {
            cipher::seal(&enc_key, plaintext.as_bytes(), &nonce).map_err(fail)?
        };
        let event = ev::sign(&signer, kind, created_at, &tags, content, &aux)?;
        let id_ok = match e.id {
            None => true,
            Some(IdClass::Low) => event.id.as_bytes()[0] < 0x80,
            Some(IdClass::High) => event.id.as_bytes()[0] >= 0x80,
        };
        if id_ok {
            return Ok(spoil(event, e.tamper));
        }
    }
    Err("no id in the requested half after 1024 nonces".into())
}

/// A copy of an earlier described event, spoiled (`copy_of`).
fn copy_of(fx: &Fixtures, e: &EventSpec, name: &str) -> Result<BuiltEvent, String> {
    let original = fx
        .events
        .get(name)
        .ok_or_else(|| format!("copy_of names no earlier event: {name}"))?;
    let room = fx
        .rooms
        .get(&e.room)
        .ok_or_else(|| format!("unknown room {}", e.room))?;
    let mut json = original.json.clone();
    match e.tamper.unwrap_or(Tamper::Sig) {
        t @ (Tamper::Sig | Tamper::Id) => {
            let genuine = original
                .event
                .clone()
                .ok_or_else(|| format!("copy_of names no earlier valid event: {name}"))?;
            return Ok(spoil(genuine, Some(t)));
        }
        Tamper::RoomD => {
            let tags = json
                .get_mut("tags")
                .and_then(Value::as_array_mut)
                .ok_or_else(|| format!("{name} has no tags"))?;
            tags.push(Value::from(vec!["d".to_owned(), room.ctx.room_d.clone()]));
        }
        other => {
            return Err(format!(
                "copy_of takes tamper sig, id or room-d, not {other:?}"
            ));
        }
    }
    Ok(BuiltEvent {
        id: original.id.clone(),
        json,
        event: None,
    })
}

/// An oracle failure as a fixture error.
fn fail((code, requirement): openslots_oracle::Fail) -> String {
    format!("{code} ({requirement})")
}

fn spoil(event: Event, tamper: Option<Tamper>) -> BuiltEvent {
    let mut json: Value = serde_json::from_str(&event.as_json()).unwrap_or(Value::Null);
    let id = event.id.to_hex();
    match tamper {
        Some(Tamper::Sig) => {
            if let Some(Value::String(sig)) = json.get_mut("sig") {
                let flipped = if sig.ends_with('0') { '1' } else { '0' };
                sig.pop();
                sig.push(flipped);
            }
            BuiltEvent {
                id,
                json,
                event: None,
            }
        }
        Some(Tamper::Id) => {
            if let Some(Value::String(content)) = json.get_mut("content") {
                // Still a well-formed payload, but not the one the id hashes.
                let c: String = content.chars().rev().collect();
                *content = c;
            }
            BuiltEvent {
                id,
                json,
                event: None,
            }
        }
        _ => BuiltEvent {
            id,
            json,
            event: Some(event),
        },
    }
}

/// The id of a built event, parsed.
pub fn event_id(b: &BuiltEvent) -> Option<EventId> {
    EventId::from_hex(&b.id).ok()
}

/// Spoils a canonical link (`<origin>/room/<id>#<fragment>`) as a step's
/// `link_edit` says; `other_host` is a valid x-only key that did not sign
/// the room.
///
/// # Errors
///
/// A link that is not canonical, or a v2-only edit of a v1 link.
pub fn edit_link(link: &str, edit: LinkEdit, other_host: &str) -> Result<String, String> {
    let (base, fragment) = link
        .split_once('#')
        .ok_or_else(|| format!("canonical link without a fragment: {link}"))?;
    let (prefix, room_id) = base
        .rsplit_once('/')
        .ok_or_else(|| format!("canonical link without a path: {link}"))?;
    // (version prefix, key, host suffix)
    let (version, key, host) = match fragment.strip_prefix("v2.") {
        None => ("", fragment, None),
        Some(rest) => {
            let (k, h) = rest
                .split_once('.')
                .ok_or_else(|| format!("canonical v2 link without a host: {link}"))?;
            ("v2.", k, Some(h))
        }
    };
    let join = |version: &str, key: &str, host: Option<&str>| match host {
        None => format!("{prefix}/{room_id}#{version}{key}"),
        Some(h) => format!("{prefix}/{room_id}#{version}{key}.{h}"),
    };
    let v2_only = |what: &str| format!("link edit {what} applies to v2 links only");
    Ok(match edit {
        LinkEdit::NoFragment => base.to_owned(),
        LinkEdit::Query => format!("{base}?ref=mail#{fragment}"),
        LinkEdit::RoomIdUpper => format!("{prefix}/{}#{fragment}", room_id.to_uppercase()),
        LinkEdit::KeyTruncated => join(version, &key[..key.len().saturating_sub(1)], host),
        LinkEdit::KeyNotHex => {
            let cut = &key[..key.len().saturating_sub(1)];
            join(version, &format!("{cut}g"), host)
        }
        LinkEdit::KeyUpper => join(version, &key.to_uppercase(), host),
        LinkEdit::VersionThree => join("v3.", key, host),
        LinkEdit::HostKeyInvalid => {
            host.ok_or_else(|| v2_only("host-key-invalid"))?;
            join(version, key, Some(&"0".repeat(64)))
        }
        LinkEdit::HostKeyOther => {
            host.ok_or_else(|| v2_only("host-key-other"))?;
            join(version, key, Some(other_host))
        }
    })
}
