//! Fixtures of a scenario run: actors' keys, rooms' links and the described
//! events, signed at run time for one profile on the scenario clock.
//!
//! Everything is derived from the scenario id, the profile and names with
//! SHA-256, so a run is reproducible: the same scenario gives the same room
//! ids, keys, nonces and therefore the same event ids every time.

use std::collections::BTreeMap;

use nostr::event::{Event, EventId, Kind, Tag, UnsignedEvent};
use nostr::key::{Keys, PublicKey};
use nostr::types::Timestamp;
use openslots::cipher::{self, ConversationKey};
use openslots::event::{self as ev, RoomContext};
use openslots::kdf::DeviceSecret;
use openslots::link::Link;
use openslots::mask::{self, Mask};
use openslots::payload::{Binding, ResponsePayload, RoomPayload};
use openslots::{Profile, client, expiry};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::model::{EventSpec, IdClass, LinkEdit, Role, Scenario, Tamper};

/// The largest v2 mask, `n` ≤ 35,136 (OS-MASK-6), written here from the spec.
const V2_MASK_LIMIT: usize = 35_136;

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
    pub ctx: RoomContext,
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
pub fn actor_keys(ctx: &RoomContext, actor: &str) -> Result<Keys, String> {
    client::signing_keys(ctx, &DeviceSecret::from_bytes(device_secret(actor)))
        .map_err(|e| e.to_string())
}

/// An actor's public key in a room.
pub fn actor_pubkey(ctx: &RoomContext, actor: &str) -> Result<PublicKey, String> {
    actor_keys(ctx, actor).map(|k| k.public_key())
}

fn profile_name(profile: Profile) -> &'static str {
    match profile {
        Profile::V1 => "v1",
        Profile::V2 => "v2",
    }
}

/// Builds rooms and events for one profile.
pub fn build(s: &Scenario, profile: Profile) -> Result<Fixtures, String> {
    let mut rooms = BTreeMap::new();
    for (name, spec) in &s.rooms {
        let room_id = uuid_v4(seed(&["room-id", &s.id, name]));
        let room_key = seed(&["room-key", &s.id, name]);
        let host = DeviceSecret::from_bytes(device_secret(&spec.host));
        let link = client::new_link(profile, ORIGIN, &room_id, room_key, &host)
            .map_err(|e| format!("room {name}: {e}"))?;
        let ctx = RoomContext::new(link.clone());
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
        Role::Room => spec.host.clone(),
        Role::Response => String::new(),
    });
    if author.is_empty() {
        return Err("a response needs an author".into());
    }
    let signer = actor_keys(ctx, &author)?;
    let author_hex = signer.public_key().to_hex();
    let binding = Binding {
        room_id: &room.room_id,
        author: &author_hex,
    };
    let created_at = offset(s.now, e.at)?;
    let profile = fx.profile;

    let (plaintext, mut tags): (String, Vec<Vec<String>>) = match e.role {
        Role::Room => {
            let slots = e.slots.as_ref().unwrap_or(&spec.slots);
            let (start, offered) =
                mask::room_mask_from_slots(slots, profile).map_err(|m| m.to_string())?;
            let payload = RoomPayload {
                title: e.title.clone().unwrap_or_else(|| spec.title.clone()),
                start,
                mask: offered,
            };
            let text = payload
                .to_json(profile, &binding)
                .map_err(|m| m.to_string())?;
            let tags = match profile {
                Profile::V1 => ev::room_tags_v1(&ctx.room_d),
                Profile::V2 => {
                    let exp = ev::v2_expiration(payload.start, &payload.mask)
                        .ok_or("no expiration for these slots")?;
                    ev::room_tags_v2(&ctx.room_d, exp)
                }
            };
            (text, tags)
        }
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
            let (start, offered) =
                mask::room_mask_from_slots(slots, profile).map_err(|m| m.to_string())?;
            let room_payload = RoomPayload {
                title: String::new(),
                start,
                mask: offered,
            };
            let name = e.name_text.clone().unwrap_or_else(|| display_name(&author));
            let mut payload = ResponsePayload::choose(&room_payload, profile, &name, &e.available)
                .map_err(|m| m.to_string())?;
            if e.tamper == Some(Tamper::MaskLonger) {
                let n = payload.mask.len();
                payload.mask =
                    Mask::from_indices(n + 1, payload.mask.iter_ones().chain(std::iter::once(n)));
            }
            let text = if e.tamper == Some(Tamper::MaskStray) {
                let mut o = mask::encode_v1(&payload.mask);
                o.replace_range(..1, "x");
                json!({"n": name, "o": o}).to_string()
            } else if e.tamper == Some(Tamper::MaskTooLarge) {
                if profile != Profile::V2 {
                    return Err("tamper mask-too-large applies to v2 only".into());
                }
                // The real answer, then its mask member swapped for one with
                // n = 35,137 and the same bits (OS-MASK-6).
                let text = payload
                    .to_json(profile, &binding)
                    .map_err(|m| m.to_string())?;
                let (n, b) = mask::encode_v2(&payload.mask);
                let big = Mask::from_indices(V2_MASK_LIMIT + 1, payload.mask.iter_ones());
                let (big_n, big_b) = mask::encode_v2(&big);
                let from = format!(r#""mask":{{"n":{n},"b":"{b}"}}"#);
                if !text.contains(&from) {
                    return Err(format!("no {from} in the response payload {text}"));
                }
                text.replace(&from, &format!(r#""mask":{{"n":{big_n},"b":"{big_b}"}}"#))
            } else {
                payload
                    .to_json(profile, &binding)
                    .map_err(|m| m.to_string())?
            };
            let d = ctx.response_d(&signer.public_key(), &answered.id);
            let tags = match ctx.room_address() {
                None => ev::response_tags_v1(&answered.id, &d),
                Some(address) => {
                    let exp = expiry::get_expiration(
                        &answered
                            .tags
                            .iter()
                            .map(|t| t.as_slice().to_vec())
                            .collect::<Vec<_>>(),
                    )
                    .unwrap_or_default();
                    ev::response_tags_v2(&d, &address, exp)
                }
            };
            (text, tags)
        }
    };
    for t in &e.extra_tags {
        let address =
            ev::room_address(ctx.link.host().unwrap_or(&signer.public_key()), &ctx.room_d);
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
        ConversationKey::from_bytes(seed(&["wrong-key", &s.id]))
    } else {
        ConversationKey::from_bytes(*ctx.keys.enc.as_bytes())
    };
    let kind = if e.tamper == Some(Tamper::Kind) {
        1
    } else {
        ev::KIND
    };
    let pname = profile_name(profile);
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
            base64_encode(&raw)
        } else {
            cipher::encrypt_with_nonce(&enc_key, plaintext.as_bytes(), &nonce)
                .map_err(|m| m.to_string())?
        };
        let event = sign_kind(&signer, kind, created_at, &tags, content, &aux)?;
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

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn sign_kind(
    keys: &Keys,
    kind: u16,
    created_at: u64,
    tags: &[Vec<String>],
    content: String,
    aux: &[u8; 32],
) -> Result<Event, String> {
    if kind == ev::KIND {
        return ev::sign(keys, created_at, tags.to_vec(), content, aux).map_err(|m| m.to_string());
    }
    let tags: Vec<Tag> = tags
        .iter()
        .map(|t| Tag::parse(t.clone()))
        .collect::<Result<_, _>>()
        .map_err(|m| m.to_string())?;
    let unsigned = UnsignedEvent::new(
        keys.public_key(),
        Timestamp::from_secs(created_at),
        Kind::from(kind),
        tags,
        content,
    );
    let id = unsigned.compute_id();
    let secp = secp256k1::Secp256k1::new();
    let sig = keys.sign_schnorr_with_aux_rand(&secp, id.as_bytes(), aux);
    Ok(Event::new(
        id,
        unsigned.pubkey,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags,
        unsigned.content,
        sig,
    ))
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
