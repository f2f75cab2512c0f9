//! Bookings in client scenarios (spec §19.1, adapter protocol §10.1): the
//! scenario members of bookable rooms, receipts, request and manifest
//! events; building the described request and manifest events; and judging
//! what a client publishes and concludes about bookings.
//!
//! Everything here comes from `openslots-oracle` and the `nostr` crate
//! (NIP-44's conversation key), never from the implementation under test.
//! Receipt nonces are named in the scenario and drawn by the harness
//! (OS-ADAPTER-12): the nonce of a name is a hash of the scenario, the
//! profile and the name.

use std::collections::{BTreeMap, BTreeSet};

use nostr::event::Event;
use nostr::key::{Keys, PublicKey};
use openslots_oracle::booking as ob;
use openslots_oracle::link::hex_lower;
use openslots_oracle::{blinding, cipher, event as ev, expiry, kdf};
use serde::Deserialize;
use serde_json::{Value, json};

use super::build::{self, BuiltEvent, Fixtures, RoomFixture};
use super::check::Finding;
use super::model::{EventSpec, Expect, Scenario, Step};
use super::relays::RunningRelay;

/// The domain label of the request d-tag (OS-BOOK-5).
pub const LABEL_BOOKING: &[u8] = b"openslots:v2:booking";
/// The domain label of the manifest d-tag (OS-BOOK-7).
pub const LABEL_MANIFEST: &[u8] = b"openslots:v2:manifest";

/// A room's `book` member (OS-BOOK-2).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookSpec {
    /// Seats per offered slot.
    pub cap: i64,
    /// Slots per request.
    pub max: i64,
}

/// A host hold (OS-BOOK-13).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldSpec {
    /// The slot, Unix seconds.
    pub slot: i64,
    /// Seats held.
    pub seats: i64,
    /// The public code.
    pub code: String,
}

/// A confirmed slot, its commitments named by receipt.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookedSpec {
    /// The slot.
    pub slot: i64,
    /// The receipts whose commitments are booked there.
    pub receipts: Vec<String>,
}

/// A refusal, its commitment named by receipt.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusedSpec {
    /// The receipt whose commitment is refused.
    pub receipt: String,
    /// The refusal code.
    pub code: String,
}

/// A manifest's lists (OS-BOOK-6), commitments named by receipt.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestSpec {
    /// `booked`.
    #[serde(default)]
    pub booked: Vec<BookedSpec>,
    /// `held`.
    #[serde(default)]
    pub held: Vec<HoldSpec>,
    /// `refused`.
    #[serde(default)]
    pub refused: Vec<RefusedSpec>,
    /// `spent`, by receipt.
    #[serde(default)]
    pub spent: Vec<String>,
}

/// The state an attendee's client must report for one receipt (OS-BOOK-6).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectBooking {
    /// `confirmed`, `cancelled`, `pending` or `refused`.
    pub state: String,
    /// When confirmed: the slots.
    #[serde(default)]
    pub slots: Option<Vec<i64>>,
    /// When refused: the code.
    #[serde(default)]
    pub code: Option<String>,
}

/// The receipt nonce of `name` in a run, as 64 lower-case hex characters.
pub fn receipt_nonce(s: &Scenario, profile: &str, name: &str) -> String {
    hex::encode(build::seed(&["receipt", &s.id, profile, name]))
}

/// OS-BOOK-3 by the oracle: the commitment of a nonce for a room.
pub fn commitment(room_id: &str, nonce_hex: &str) -> String {
    ob::commitment(room_id, nonce_hex).unwrap_or_default()
}

/// OS-BOOK-5: the request d-tag of `author`.
pub fn request_d(room: &RoomFixture, author: &PublicKey) -> String {
    let msg = blinding::frame(&[LABEL_BOOKING, room.room_id.as_bytes(), &author.to_bytes()]);
    hex_lower(kdf::hmac(&room.ctx.keys.blind, &msg))
}

/// OS-BOOK-7: the manifest d-tag.
pub fn manifest_d(room: &RoomFixture) -> String {
    let msg = blinding::frame(&[LABEL_MANIFEST, room.room_id.as_bytes()]);
    hex_lower(kdf::hmac(&room.ctx.keys.blind, &msg))
}

/// NIP-44's conversation key of `secret` and `public`, by the `nostr` crate.
pub fn conversation_key(secret: &Keys, public: &PublicKey) -> Result<[u8; 32], String> {
    let k = nostr::nips::nip44::v2::ConversationKey::derive(secret.secret_key(), public)
        .map_err(|e| format!("conversation key: {e}"))?;
    let mut out = [0u8; 32];
    out.copy_from_slice(k.as_bytes());
    Ok(out)
}

/// A v2 room plaintext with `book` written after `mask` (OS-BOOK-2).
pub fn with_book(text: &str, book: BookSpec) -> String {
    let body = text.strip_suffix('}').unwrap_or(text);
    format!(
        "{body},\"book\":{{\"cap\":{},\"max\":{}}}}}",
        book.cap, book.max
    )
}

/// OS-BOOK-4: a request plaintext, members in order.
pub fn request_plaintext(
    room_id: &str,
    author: &str,
    seen: &str,
    slots: &[i64],
    commit: Option<&str>,
    reveal: Option<&str>,
) -> String {
    let mut o = serde_json::Map::new();
    o.insert("v".into(), json!(2));
    o.insert("role".into(), json!("booking"));
    o.insert("room".into(), json!(room_id));
    o.insert("author".into(), json!(author));
    o.insert("seen".into(), json!(seen));
    o.insert("slots".into(), json!(slots));
    if let Some(c) = commit {
        o.insert("commit".into(), json!(c));
    }
    if let Some(r) = reveal {
        o.insert("reveal".into(), json!(r));
    }
    // serde_json keeps insertion order only with `preserve_order`; write by hand.
    let mut out = String::from("{");
    let order = [
        "v", "role", "room", "author", "seen", "slots", "commit", "reveal",
    ];
    let mut first = true;
    for k in order {
        if let Some(v) = o.get(k) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&format!("\"{k}\":{v}"));
        }
    }
    out.push('}');
    out
}

/// A manifest's lists from their description, sorted as OS-BOOK-6 says.
pub fn manifest_of(spec: &ManifestSpec, commit: &dyn Fn(&str) -> String) -> ob::Manifest {
    let mut booked: Vec<(i64, Vec<String>)> = spec
        .booked
        .iter()
        .map(|b| {
            let mut cs: Vec<String> = b.receipts.iter().map(|r| commit(r)).collect();
            cs.sort();
            (b.slot, cs)
        })
        .collect();
    booked.sort();
    let mut held: Vec<ob::Hold> = spec
        .held
        .iter()
        .map(|h| ob::Hold {
            slot: h.slot,
            seats: h.seats,
            code: h.code.clone(),
        })
        .collect();
    held.sort_by(|a, b| (a.slot, &a.code, a.seats).cmp(&(b.slot, &b.code, b.seats)));
    let mut refused: Vec<(String, String)> = spec
        .refused
        .iter()
        .map(|r| (commit(&r.receipt), r.code.clone()))
        .collect();
    refused.sort();
    let mut spent: Vec<String> = spec.spent.iter().map(|r| commit(r)).collect();
    spent.sort();
    ob::Manifest {
        booked,
        held,
        refused,
        spent,
    }
}

/// Reads a manifest payload's lists (OS-BOOK-6) bound to `room_id` and
/// `host`; `None` if it is not one.
pub fn read_manifest(text: &str, room_id: &str, host: &str) -> Option<ob::Manifest> {
    let v: Value = serde_json::from_str(text).ok()?;
    if v.get("v")? != 2
        || v.get("role")? != "manifest"
        || v.get("room")? != room_id
        || v.get("author")? != host
    {
        return None;
    }
    let booked = v
        .get("booked")?
        .as_array()?
        .iter()
        .map(|b| {
            Some((
                b.get("slot")?.as_i64()?,
                b.get("commits")?
                    .as_array()?
                    .iter()
                    .map(|c| c.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()?,
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    let held = v
        .get("held")?
        .as_array()?
        .iter()
        .map(|h| {
            Some(ob::Hold {
                slot: h.get("slot")?.as_i64()?,
                seats: h.get("seats")?.as_i64()?,
                code: h.get("code")?.as_str()?.to_owned(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let refused = v
        .get("refused")?
        .as_array()?
        .iter()
        .map(|r| {
            Some((
                r.get("commit")?.as_str()?.to_owned(),
                r.get("code")?.as_str()?.to_owned(),
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    let spent = v
        .get("spent")?
        .as_array()?
        .iter()
        .map(|c| c.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    Some(ob::Manifest {
        booked,
        held,
        refused,
        spent,
    })
}

/// A described booking event before signing: plaintext, tags, encryption key.
pub type Described = (String, Vec<Vec<String>>, [u8; 32]);

/// The plaintext, tags and encryption key of a described request or
/// manifest event (`role` `request` or `manifest`).
pub fn describe(
    s: &Scenario,
    fx: &Fixtures,
    e: &EventSpec,
    room: &RoomFixture,
    signer: &Keys,
    is_request: bool,
) -> Result<Described, String> {
    let profile = fx.profile.name();
    let address = room
        .ctx
        .address()
        .ok_or("bookings are v2 only (OS-BOOK-1)")?;
    let spec = s.rooms.get(&e.room).ok_or("unknown room")?;
    let author_hex = signer.public_key().to_hex();
    let host = room
        .link
        .host
        .and_then(|h| PublicKey::from_slice(&h).ok())
        .ok_or("no host key")?;
    let commit = |name: &str| commitment(&room.room_id, &receipt_nonce(s, profile, name));
    if is_request {
        let seen_name = e.seen.as_ref().ok_or("a request names `seen`")?;
        let seen = fx
            .events
            .get(seen_name)
            .and_then(|b| b.event.clone())
            .ok_or_else(|| format!("`seen` names no earlier valid event: {seen_name}"))?;
        let exp = expiry::expiration(&ev::tags_of(&seen)).unwrap_or_default();
        let slots = e.slots.clone().unwrap_or_default();
        let c = e.receipt.as_deref().map(commit);
        let r = e.reveal.as_deref().map(|n| receipt_nonce(s, profile, n));
        let text = request_plaintext(
            &room.room_id,
            &author_hex,
            &seen.id.to_hex(),
            &slots,
            c.as_deref(),
            r.as_deref(),
        );
        let d = request_d(room, &signer.public_key());
        let key = conversation_key(signer, &host)?;
        Ok((text, ev::response_tags_v2(&d, &address, exp), key))
    } else {
        let m = manifest_of(&e.manifest.clone().unwrap_or_default(), &commit);
        let text = ob::write_manifest(&room.room_id, &author_hex, &m);
        let exp = check_exp(&spec.slots);
        let d = manifest_d(room);
        let tags = ev::response_tags_v2(&d, &address, exp);
        Ok((text, tags, room.ctx.keys.enc))
    }
}

fn check_exp(slots: &[i64]) -> u64 {
    super::check::expected_expiration(slots).unwrap_or_default()
}

/// Where a published event was found: the JSON of the first copy on a
/// receiving relay; a finding for every relay given that lacks it.
fn find_published(
    relays: &BTreeMap<String, RunningRelay>,
    receivers: &[String],
    id: &str,
    findings: &mut Vec<Finding>,
) -> Option<Value> {
    let mut copy = None;
    for n in receivers {
        let Some(relay) = relays.get(n).and_then(|r| r.relay.as_ref()) else {
            continue;
        };
        let found = relay
            .recorder()
            .published()
            .into_iter()
            .find(|e| e.get("id").and_then(Value::as_str) == Some(id));
        match found {
            Some(e) => copy = copy.or(Some(e)),
            None => findings.push(Finding::new(
                &["OS-EVENT-12", "OS-ADAPTER-13"],
                format!(
                    "relay {n} never received event {id}: a client publishes to every relay given"
                ),
            )),
        }
    }
    copy
}

/// Kind, id, signature, and the tags exactly (OS-BOOK-5 or OS-BOOK-7).
fn check_envelope(
    e: &Event,
    want_tags: &[Vec<String>],
    req: &'static str,
    findings: &mut Vec<Finding>,
) {
    if e.kind.as_u16() != ev::KIND {
        findings.push(Finding::new(
            &["OS-EVENT-1", req],
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
    let tags = ev::tags_of(e);
    if tags != want_tags {
        findings.push(Finding::new(
            &[req, "OS-BOOK-16"],
            format!("published tags {tags:?}, expected exactly {want_tags:?}"),
        ));
    }
}

/// Everything the harness knows of one step, for the booking checks.
pub struct StepView<'a> {
    /// The scenario.
    pub s: &'a Scenario,
    /// The fixtures.
    pub fx: &'a Fixtures,
    /// The relays.
    pub relays: &'a BTreeMap<String, RunningRelay>,
    /// The room.
    pub room: &'a RoomFixture,
    /// The room's offered slots now (its latest version).
    pub room_slots: &'a [i64],
    /// The step.
    pub step: &'a Step,
    /// Its expectation.
    pub expect: &'a Expect,
    /// The relays given, by name.
    pub names: &'a [String],
    /// The step's `now`.
    pub now: u64,
}

impl StepView<'_> {
    fn profile(&self) -> &'static str {
        self.fx.profile.name()
    }

    fn commit_of(&self, name: &str) -> String {
        commitment(
            &self.room.room_id,
            &receipt_nonce(self.s, self.profile(), name),
        )
    }

    fn host_keys(&self) -> Result<Keys, String> {
        let spec = self.s.rooms.get(&self.step.room).ok_or("unknown room")?;
        build::actor_keys(&self.room.ctx, &spec.host)
    }

    fn receivers(&self) -> Vec<String> {
        self.expect.received_by.clone().unwrap_or_else(|| {
            self.names
                .iter()
                .filter(|n| self.relays.get(*n).is_some_and(|r| r.relay.is_some()))
                .cloned()
                .collect()
        })
    }

    /// Every event JSON the relays given hold for clients: described events
    /// stored or served there, and what clients published to them.
    fn held_events(&self, skip_id: &str) -> Vec<Event> {
        let mut out = Vec::new();
        for n in self.names {
            let Some(r) = self.relays.get(n) else {
                continue;
            };
            let Some(relay) = &r.relay else { continue };
            if let Some(spec) = self.s.relays.iter().find(|x| &x.name == n) {
                for name in spec.store.iter().chain(&spec.serve) {
                    if let Some(BuiltEvent { json, .. }) = self.fx.events.get(name)
                        && let Ok(e) = ev::parse(&json.to_string())
                    {
                        out.push(e);
                    }
                }
            }
            for j in relay.recorder().published() {
                if let Ok(e) = ev::parse(&j.to_string())
                    && e.id.to_hex() != skip_id
                {
                    out.push(e);
                }
            }
        }
        out
    }

    fn valid_common(&self, e: &Event, d: &str) -> bool {
        let tags = ev::tags_of(e);
        e.verify_id()
            && e.verify_signature()
            && e.kind.as_u16() == ev::KIND
            && ev::first_tag_value(&tags, "d") == Some(d)
            && self
                .room
                .ctx
                .address()
                .is_some_and(|a| ev::has_tag_value(&tags, "a", &a))
            && ev::has_tag_value(&tags, "t", ev::APP_TAG)
            && expiry::expiration(&tags).is_some_and(|x| x > self.now)
    }

    /// The oracle's manifest for what the host could read (OS-BOOK-8,
    /// OS-BOOK-9): every valid request on the relays given, the host's
    /// winning earlier manifest there, the room's current slots and `book`,
    /// `now` and the step's holds.
    fn oracle_manifest(&self, skip_id: &str) -> Result<ob::Manifest, String> {
        let host = self.host_keys()?;
        let host_hex = host.public_key().to_hex();
        let events = self.held_events(skip_id);
        let mut requests = Vec::new();
        let mut manifests: Vec<(u64, String, ob::Manifest)> = Vec::new();
        let md = manifest_d(self.room);
        for e in &events {
            let author = e.pubkey.to_hex();
            if self.valid_common(e, &request_d(self.room, &e.pubkey)) {
                let Ok(key) = conversation_key(&host, &e.pubkey) else {
                    continue;
                };
                let Ok(text) = cipher::open(&key, &e.content) else {
                    continue;
                };
                if let Ok(r) = ob::read_request(&text, &self.room.room_id, &author) {
                    requests.push(ob::Request {
                        id: e.id.to_hex(),
                        author,
                        created_at: e.created_at.as_secs(),
                        slots: r.slots,
                        commit: r.commit,
                        reveal: r.reveal,
                    });
                }
            } else if author == host_hex
                && self.valid_common(e, &md)
                && let Ok(text) = cipher::open(&self.room.ctx.keys.enc, &e.content)
                && let Some(m) = read_manifest(&text, &self.room.room_id, &host_hex)
            {
                manifests.push((e.created_at.as_secs(), e.id.to_hex(), m));
            }
        }
        // OS-LWW-1: newest, then lowest id.
        manifests.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let previous = manifests
            .into_iter()
            .next()
            .map(|x| x.2)
            .unwrap_or_default();
        let spec = self.s.rooms.get(&self.step.room).ok_or("unknown room")?;
        let book = spec.book.ok_or("the room is not bookable")?;
        let current = ob::Current {
            room_id: self.room.room_id.clone(),
            offered: self.room_slots.iter().copied().collect::<BTreeSet<i64>>(),
            book: ob::Book {
                cap: book.cap,
                max: book.max,
            },
        };
        let holds: Vec<ob::Hold> = self
            .step
            .holds
            .iter()
            .map(|h| ob::Hold {
                slot: h.slot,
                seats: h.seats,
                code: h.code.clone(),
            })
            .collect();
        let now = i64::try_from(self.now).unwrap_or(i64::MAX);
        ob::decide(&current, now, &previous, &holds, &requests)
            .map_err(|(code, req)| format!("the oracle's decision fails: {code} ({req})"))
    }

    fn check_created_at(&self, e: &Event, findings: &mut Vec<Finding>) {
        let want = self
            .expect
            .created_at
            .map_or(self.now, |o| self.s.now.saturating_add_signed(o));
        if e.created_at.as_secs() != want {
            findings.push(Finding::new(
                &["OS-EVENT-9", "OS-ADAPTER-12"],
                format!(
                    "created_at {}, expected {want} (the operation's `now` is the client's clock)",
                    e.created_at.as_secs()
                ),
            ));
        }
    }

    /// `request_booking`'s publication (OS-BOOK-4, OS-BOOK-5, OS-BOOK-16)
    /// and its `commit`.
    pub fn check_request(&self, value: &Value, findings: &mut Vec<Finding>) -> Option<Event> {
        let id = value
            .get("event_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let want_commit = self.step.receipt.as_deref().map(|n| self.commit_of(n));
        let got_commit = value.get("commit").and_then(Value::as_str);
        if got_commit != want_commit.as_deref() {
            findings.push(Finding::new(
                &["OS-BOOK-3"],
                format!("request_booking gave commit {got_commit:?}, expected {want_commit:?}"),
            ));
        }
        let json = find_published(self.relays, &self.receivers(), id, findings)?;
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
        let address = self.room.ctx.address().unwrap_or_default();
        let want_tags = ev::response_tags_v2(
            &request_d(self.room, &e.pubkey),
            &address,
            check_exp(self.room_slots),
        );
        check_envelope(&e, &want_tags, "OS-BOOK-5", findings);
        self.check_created_at(&e, findings);
        let Ok(host) = self.host_keys() else {
            return Some(e);
        };
        let text = conversation_key(&host, &e.pubkey)
            .and_then(|k| cipher::open(&k, &e.content).map_err(|(c, _)| c.to_owned()));
        let text = match text {
            Ok(t) => t,
            Err(why) => {
                findings.push(Finding::new(
                    &["OS-BOOK-5"],
                    format!(
                        "the request does not decrypt under the conversation key of its author and the host: {why}"
                    ),
                ));
                return Some(e);
            }
        };
        match ob::read_request(&text, &self.room.room_id, &e.pubkey.to_hex()) {
            Err((code, req)) => findings.push(Finding::new(
                &["OS-BOOK-4", req],
                format!("the request payload does not read: {code}"),
            )),
            Ok(r) => {
                let mut slots = self.step.slots.clone().unwrap_or_default();
                slots.sort_unstable();
                slots.dedup();
                let reveal = self
                    .step
                    .reveal
                    .as_deref()
                    .map(|n| receipt_nonce(self.s, self.profile(), n));
                if r.slots != slots || r.commit != want_commit || r.reveal != reveal {
                    findings.push(Finding::new(
                        &["OS-BOOK-4"],
                        format!(
                            "the request names slots {:?}, commit {:?}, reveal given: {}; expected slots {slots:?}, commit {want_commit:?}, reveal given: {}",
                            r.slots,
                            r.commit,
                            r.reveal == reveal,
                            reveal.is_some()
                        ),
                    ));
                }
                if !ob::hex64(&r.seen) {
                    findings.push(Finding::new(&["OS-BOOK-4"], "`seen` is not an event id"));
                }
            }
        }
        Some(e)
    }

    /// `settle_bookings`: `changed`, the manifest decided, and the manifest
    /// event published (OS-BOOK-6, OS-BOOK-7, OS-BOOK-9, OS-BOOK-16).
    pub fn check_settle(&self, value: &Value, findings: &mut Vec<Finding>) -> Option<Event> {
        let changed = value.get("changed").and_then(Value::as_bool);
        let id = value
            .get("event_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(want) = self.expect.changed
            && changed != Some(want)
        {
            findings.push(Finding::new(
                &["OS-BOOK-16"],
                format!("settle_bookings answered changed {changed:?}, expected {want}"),
            ));
        }
        let commit = |n: &str| self.commit_of(n);
        let want_spec = self
            .expect
            .manifest
            .as_ref()
            .map(|m| manifest_of(m, &commit));
        let oracle = self.oracle_manifest(id);
        let got = read_lists(value);
        if let Some(want) = &want_spec
            && got.as_ref() != Some(want)
        {
            findings.push(Finding::new(
                &["OS-BOOK-9", "OS-BOOK-10"],
                format!(
                    "settle_bookings decided {}, the scenario expects {}",
                    self.describe(got.as_ref()),
                    self.describe(Some(want))
                ),
            ));
        }
        match &oracle {
            Ok(m) if got.as_ref() != Some(m) => findings.push(Finding::new(
                &["OS-BOOK-9", "OS-BOOK-10"],
                format!(
                    "settle_bookings decided {}, the oracle decides {} for the requests on the relays given",
                    self.describe(got.as_ref()),
                    self.describe(Some(m))
                ),
            )),
            Ok(_) => {}
            Err(why) => findings.push(Finding::new(&["OS-BOOK-9"], why.clone())),
        }
        if changed != Some(true) {
            return None;
        }
        let json = find_published(self.relays, &self.receivers(), id, findings)?;
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
        let address = self.room.ctx.address().unwrap_or_default();
        let want_tags =
            ev::response_tags_v2(&manifest_d(self.room), &address, check_exp(self.room_slots));
        check_envelope(&e, &want_tags, "OS-BOOK-7", findings);
        self.check_created_at(&e, findings);
        let host_hex = self
            .host_keys()
            .map(|k| k.public_key().to_hex())
            .unwrap_or_default();
        if e.pubkey.to_hex() != host_hex {
            findings.push(Finding::new(
                &["OS-BOOK-7"],
                "the manifest is not signed by the link's host key",
            ));
        }
        match cipher::open(&self.room.ctx.keys.enc, &e.content) {
            Err((code, req)) => findings.push(Finding::new(
                &["OS-BOOK-7", req],
                format!("the manifest does not decrypt with the room key: {code}"),
            )),
            Ok(text) => {
                if let Ok(m) = &oracle {
                    let want = ob::write_manifest(&self.room.room_id, &host_hex, m);
                    if text != want {
                        findings.push(Finding::new(
                            &["OS-BOOK-6", "OS-BOOK-9"],
                            format!("manifest payload {text}, the oracle writes {want}"),
                        ));
                    }
                }
            }
        }
        Some(e)
    }

    fn describe(&self, m: Option<&ob::Manifest>) -> String {
        let Some(m) = m else {
            return "nothing readable".into();
        };
        let profile = self.profile();
        let names: BTreeMap<String, String> = self
            .receipt_names()
            .into_iter()
            .map(|n| {
                (
                    commitment(&self.room.room_id, &receipt_nonce(self.s, profile, &n)),
                    n,
                )
            })
            .collect();
        let name = |c: &String| {
            names
                .get(c)
                .cloned()
                .unwrap_or_else(|| c[..c.len().min(8)].to_owned())
        };
        format!(
            "booked {:?}, refused {:?}, spent {:?}, held {}",
            m.booked
                .iter()
                .map(|(t, cs)| (t, cs.iter().map(name).collect::<Vec<_>>()))
                .collect::<Vec<_>>(),
            m.refused
                .iter()
                .map(|(c, code)| (name(c), code))
                .collect::<Vec<_>>(),
            m.spent.iter().map(name).collect::<Vec<_>>(),
            m.held.len()
        )
    }

    fn receipt_names(&self) -> BTreeSet<String> {
        receipt_names(self.s)
    }

    /// `join_room`'s `bookings`: the state of each receipt given (OS-BOOK-6).
    pub fn check_join(&self, value: &Value, findings: &mut Vec<Finding>) {
        let Some(want) = &self.expect.bookings else {
            return;
        };
        let got: Vec<Value> = value
            .get("bookings")
            .and_then(|b| b.get("receipts"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (name, w) in want {
            let c = self.commit_of(name);
            let Some(g) = got
                .iter()
                .find(|g| g.get("commit").and_then(Value::as_str) == Some(c.as_str()))
            else {
                findings.push(Finding::new(
                    &["OS-BOOK-6"],
                    format!("join_room reports no state for receipt {name}"),
                ));
                continue;
            };
            let state = g.get("state").and_then(Value::as_str).unwrap_or_default();
            let slots: Option<Vec<i64>> = g
                .get("slots")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_i64).collect());
            let code = g.get("code").and_then(Value::as_str);
            let mut ok = state == w.state;
            if let Some(ws) = &w.slots {
                ok &= slots.as_ref() == Some(ws);
            }
            if let Some(wc) = &w.code {
                ok &= code == Some(wc.as_str());
            }
            if !ok {
                let req = match w.code.as_deref() {
                    Some("book-withdrawn") => "OS-BOOK-14",
                    Some("book-receipt" | "book-spent") => "OS-BOOK-12",
                    _ => "OS-BOOK-7",
                };
                findings.push(Finding::new(
                    &["OS-BOOK-6", req],
                    format!(
                        "receipt {name}: state {state:?} slots {slots:?} code {code:?}, expected {:?} slots {:?} code {:?}",
                        w.state, w.slots, w.code
                    ),
                ));
            }
        }
    }
}

/// The manifest lists of a `settle_bookings` output.
fn read_lists(v: &Value) -> Option<ob::Manifest> {
    let mut o = v.as_object()?.clone();
    o.insert("v".into(), json!(2));
    o.insert("role".into(), json!("manifest"));
    o.insert("room".into(), json!(""));
    o.insert("author".into(), json!(""));
    read_manifest(&Value::Object(o).to_string(), "", "")
}

/// Every receipt name a scenario uses.
pub fn receipt_names(s: &Scenario) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in &s.events {
        out.extend(e.receipt.iter().cloned());
        out.extend(e.reveal.iter().cloned());
    }
    for st in &s.steps {
        out.extend(st.receipt.iter().cloned());
        out.extend(st.reveal.iter().cloned());
        out.extend(st.receipts.iter().cloned());
    }
    out
}

/// OS-BOOK-17: no receipt nonce of the scenario in any frame a client sent
/// (either case), and no nonce or commitment in any tag it published.
pub fn receipts_on_the_wire(
    s: &Scenario,
    fx: &Fixtures,
    relays: &BTreeMap<String, RunningRelay>,
    published: &[(String, String, Event)],
    findings: &mut Vec<Finding>,
) {
    let profile = fx.profile.name();
    let names = receipt_names(s);
    if names.is_empty() {
        return;
    }
    let nonces: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.clone(), receipt_nonce(s, profile, n)))
        .collect();
    for (relay_name, r) in relays {
        let Some(relay) = &r.relay else { continue };
        for record in relay.recorder().records() {
            let text = serde_json::to_string(&record.frame)
                .unwrap_or_default()
                .to_lowercase();
            for (n, nonce) in &nonces {
                if text.contains(nonce.as_str()) {
                    findings.push(Finding::new(
                        &["OS-BOOK-17"],
                        format!(
                            "relay {relay_name} received the receipt nonce {n} in a client frame (connection {}, #{})",
                            record.connection, record.seq
                        ),
                    ));
                }
            }
        }
    }
    for (room_name, _, e) in published {
        let Some(room) = fx.rooms.get(room_name) else {
            continue;
        };
        let mut secrets: Vec<(String, String)> = nonces.clone();
        secrets.extend(nonces.iter().map(|(n, x)| {
            (
                format!("the commitment of {n}"),
                commitment(&room.room_id, x),
            )
        }));
        for t in ev::tags_of(e) {
            for v in t.iter().skip(1) {
                let v = v.to_lowercase();
                for (what, x) in &secrets {
                    if v.contains(x.as_str()) {
                        findings.push(Finding::new(
                            &["OS-BOOK-17"],
                            format!("a published tag carries {what}"),
                        ));
                    }
                }
            }
        }
    }
}

/// The step input members of the booking operations (adapter protocol
/// §10.1), and `book` for create and update of a bookable room.
pub fn step_input(
    s: &Scenario,
    profile: &str,
    step: &Step,
    link: &str,
    device: &str,
) -> Option<Value> {
    use super::model::Op;
    let nonce = |n: &String| receipt_nonce(s, profile, n);
    let book = s.rooms.get(&step.room).and_then(|r| r.book);
    match step.op {
        Op::CreateRoom | Op::UpdateRoom => {
            book.map(|b| json!({"book": {"cap": b.cap, "max": b.max}}))
        }
        Op::JoinRoom if !step.receipts.is_empty() => Some(json!({
            "receipts": step.receipts.iter().map(nonce).collect::<Vec<_>>(),
        })),
        Op::RequestBooking => {
            let mut m = json!({
                "link": link,
                "device_secret": device,
                "slots": step.slots.clone().unwrap_or_default(),
            });
            if let Some(r) = &step.receipt {
                m["receipt"] = Value::from(nonce(r));
            }
            if let Some(r) = &step.reveal {
                m["reveal"] = Value::from(nonce(r));
            }
            Some(m)
        }
        Op::SettleBookings => Some(json!({
            "link": link,
            "device_secret": device,
            "holds": step.holds.iter().map(|h| json!({"slot": h.slot, "seats": h.seats, "code": h.code})).collect::<Vec<_>>(),
        })),
        _ => None,
    }
}

/// OS-BOOK-2: a bookable room's published event carries its `book`.
pub fn check_room_book(
    relays: &BTreeMap<String, RunningRelay>,
    room: &RoomFixture,
    book: BookSpec,
    id: &str,
    findings: &mut Vec<Finding>,
) {
    let mut none = Vec::new();
    let names: Vec<String> = relays.keys().cloned().collect();
    let Some(json) = find_published(relays, &names, id, &mut none) else {
        return;
    };
    let Ok(e) = ev::parse(&json.to_string()) else {
        return;
    };
    match cipher::open(&room.ctx.keys.enc, &e.content).map(|t| ob::read_book(&t)) {
        Ok(Ok(b)) if b.cap == book.cap && b.max == book.max => {}
        other => findings.push(Finding::new(
            &["OS-BOOK-2"],
            format!(
                "the room event does not carry book {{cap {}, max {}}}: {other:?}",
                book.cap, book.max
            ),
        )),
    }
}
