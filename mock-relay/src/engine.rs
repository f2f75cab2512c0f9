//! The relay's logic as pure functions: one client frame in, the frames to
//! send out. No I/O, no clock reads (the caller passes `now`), no panics on
//! any input, so it can be driven by a fuzzer ([`RelayState::handle_frame`]).
//!
//! What it answers (NIP-01): `EVENT` with `OK` (prefixes `duplicate:`,
//! `invalid:`, `rate-limited:`, and those the script asks for), `REQ` with
//! the stored events, `EOSE`, then live events; `CLOSE` closes silently;
//! a bad subscription gets `CLOSED`; anything else (not JSON, not an array,
//! an unknown verb, a binary frame) gets `NOTICE`. Limits are those of the
//! script (see [`crate::script::Limits`]); NIP-40 expiry is decided against
//! `now`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::error::MockRelayError;
use crate::event::{RelayEvent, SharedEvent, is_ephemeral_kind};
use crate::fault::{Fault, FaultRule, RawFrame, StaleMode, Trigger, When};
use crate::filter::{Filter, MatchOptions};
use crate::recorder::{MAX_RECORDED_BYTES, RecordedFrame, Recorder};
use crate::script::{Breakage, Limits, Script, ScriptEvent};
use crate::store::{Insert, QueryOptions, Store, StoreRules};

/// A frame from a client.
#[derive(Clone, Copy, Debug)]
pub enum ClientFrame<'a> {
    /// A text frame.
    Text(&'a str),
    /// A binary frame.
    Binary(&'a [u8]),
}

/// What the connection must do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send a text frame.
    Text(String),
    /// Send a binary frame.
    Binary(Vec<u8>),
    /// Drop the connection at once, without a close frame; later outputs
    /// are not sent.
    Disconnect,
    /// Offer this newly stored event to every open subscription of every
    /// connection of this relay (including this one), via
    /// [`RelayState::live_event`]. It comes before the publisher's `OK`, so
    /// that once a client has seen the `OK`, every connection already has
    /// the event queued.
    Broadcast(SharedEvent),
}

/// One connection's state: its subscriptions and its held (delayed) events.
#[derive(Clone, Debug, Default)]
pub struct Session {
    connection: u64,
    subs: BTreeMap<String, Vec<Filter>>,
    held: Vec<Held>,
}

impl Session {
    /// 0-based index of the connection, in order of acceptance.
    pub fn connection(&self) -> u64 {
        self.connection
    }

    /// Ids of the open subscriptions.
    pub fn subscriptions(&self) -> Vec<String> {
        self.subs.keys().cloned().collect()
    }

    /// How many delayed frames are waiting for their trigger.
    pub fn held_count(&self) -> usize {
        self.held.len()
    }
}

#[derive(Clone, Debug)]
struct Held {
    subscription: String,
    frame: String,
    release: Release,
}

#[derive(Clone, Debug)]
enum Release {
    ClockAt(u64),
    Named(String),
}

#[derive(Clone, Debug, Default)]
struct Flags {
    ignores_expiry: bool,
    serves_expired_stored: bool,
    accepts_forged_signatures: bool,
    accepts_wrong_ids: bool,
    ignored_tags: Vec<char>,
    ignores_limit: bool,
    ignores_since_until: bool,
    ok_without_prefix: bool,
    never_sends_eose: bool,
    accepts_any_future: bool,
    limit_not_enforced: bool,
    limit_smaller: bool,
    no_nip11: bool,
}

#[derive(Clone, Debug)]
struct RuleState {
    rule: FaultRule,
    hits: u64,
    injected: Vec<SharedEvent>,
}

/// The state of one relay shared by its connections: script, store, fault
/// counters, released triggers, recorder.
#[derive(Debug)]
pub struct RelayState {
    name: String,
    limits: Limits,
    flags: Flags,
    store: Store,
    rules: Vec<RuleState>,
    released: BTreeSet<String>,
    recorder: Recorder,
    next_connection: u64,
}

fn notice(message: &str) -> Output {
    Output::Text(json!(["NOTICE", message]).to_string())
}

fn closed(sub: &str, message: &str) -> Output {
    Output::Text(json!(["CLOSED", sub, message]).to_string())
}

fn eose(sub: &str) -> Output {
    Output::Text(json!(["EOSE", sub]).to_string())
}

fn event_frame(sub: &str, event: &RelayEvent) -> String {
    format!("[\"EVENT\",{},{}]", Value::from(sub), event.json)
}

fn truncated(text: &str) -> String {
    let mut end = text.len().min(MAX_RECORDED_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

fn newest_first(a: &SharedEvent, b: &SharedEvent) -> std::cmp::Ordering {
    b.created_at
        .cmp(&a.created_at)
        .then_with(|| a.id.cmp(&b.id))
}

fn in_scope(when: &When, connection: u64, sub: Option<&str>) -> bool {
    when.connection.is_none_or(|c| c == connection)
        && when
            .subscription
            .as_deref()
            .is_none_or(|s| sub.is_some_and(|x| x == s))
}

fn strip_prefix(message: &str) -> String {
    match message.split_once(": ") {
        Some((prefix, rest))
            if !prefix.is_empty()
                && prefix.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') =>
        {
            rest.to_string()
        }
        _ => message.to_string(),
    }
}

impl RelayState {
    /// Builds the state of a relay from its script: the store is filled
    /// with the preloaded events. Fails if a preloaded `{"event": ...}` does
    /// not verify or a limit is zero.
    pub fn new(script: &Script, recorder: Recorder) -> Result<Self, MockRelayError> {
        let limits = script.limits.clone();
        if limits.max_message_length == 0
            || limits.max_subscriptions == 0
            || limits.max_subid_length == 0
        {
            return Err(MockRelayError::Limits {
                relay: script.name.clone(),
                reason:
                    "max_message_length, max_subscriptions and max_subid_length must be at least 1"
                        .into(),
            });
        }
        let mut flags = Flags::default();
        let mut rules = StoreRules::default();
        for breakage in &script.breakages {
            match breakage {
                Breakage::NoAddressableReplacement => rules.keep_all_versions = true,
                Breakage::OlderReplacesNewer => rules.older_replaces_newer = true,
                Breakage::TieKeepsLastArrival => rules.tie_keeps_last_arrival = true,
                Breakage::IgnoresExpiry => flags.ignores_expiry = true,
                Breakage::ServesExpiredStored => flags.serves_expired_stored = true,
                Breakage::AcceptsForgedSignatures => flags.accepts_forged_signatures = true,
                Breakage::AcceptsWrongIds => flags.accepts_wrong_ids = true,
                Breakage::IgnoresTagFilter { tag } => flags.ignored_tags.push(*tag),
                Breakage::IgnoresLimit => flags.ignores_limit = true,
                Breakage::IgnoresSinceUntil => flags.ignores_since_until = true,
                Breakage::OkWithoutPrefix => flags.ok_without_prefix = true,
                Breakage::NeverSendsEose => flags.never_sends_eose = true,
                Breakage::AcceptsAnyFutureCreatedAt => flags.accepts_any_future = true,
                Breakage::Nip11LimitNotEnforced => flags.limit_not_enforced = true,
                Breakage::Nip11LimitLargerThanEnforced => flags.limit_smaller = true,
                Breakage::NoNip11 => flags.no_nip11 = true,
            }
        }
        let mut store = Store::new(rules);
        for (index, item) in script.preload.iter().enumerate() {
            let event = match item {
                ScriptEvent::Event(e) => {
                    let event = RelayEvent::from_nostr(e);
                    let (id_ok, sig_ok) = event.verify().unwrap_or((false, false));
                    if !id_ok || !sig_ok {
                        return Err(MockRelayError::PreloadEvent {
                            relay: script.name.clone(),
                            index,
                            reason: if id_ok {
                                "signature does not verify".into()
                            } else {
                                "id does not match the contents".into()
                            },
                        });
                    }
                    event
                }
                ScriptEvent::Raw(raw) => RelayEvent::from_raw(raw),
            };
            let _ = store.insert(Arc::new(event));
        }
        let rules = script
            .faults
            .iter()
            .map(|rule| RuleState {
                rule: rule.clone(),
                hits: 0,
                injected: match &rule.fault {
                    Fault::Inject { events } => events
                        .iter()
                        .map(|e| {
                            Arc::new(match e {
                                ScriptEvent::Event(e) => RelayEvent::from_nostr(e),
                                ScriptEvent::Raw(raw) => RelayEvent::from_raw(raw),
                            })
                        })
                        .collect(),
                    _ => Vec::new(),
                },
            })
            .collect();
        Ok(Self {
            name: script.name.clone(),
            limits,
            flags,
            store,
            rules,
            released: BTreeSet::new(),
            recorder,
            next_connection: 0,
        })
    }

    /// The relay's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The store (what a REQ would be answered from).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The recorder.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Starts a session for a new connection (recorded as `connected`).
    pub fn open_session(&mut self, now: u64) -> Session {
        let connection = self.next_connection;
        self.next_connection += 1;
        self.recorder
            .push(connection, now, RecordedFrame::Connected);
        Session {
            connection,
            ..Session::default()
        }
    }

    /// Ends a session (recorded as `disconnected`).
    pub fn close_session(&mut self, session: &Session, now: u64) {
        self.recorder
            .push(session.connection, now, RecordedFrame::Disconnected);
    }

    /// Marks a named trigger as fired; sessions send the frames it held on
    /// their next [`RelayState::due`].
    pub fn release(&mut self, name: &str) {
        self.released.insert(name.to_string());
    }

    /// The NIP-11 relay information document, or `None` when the script
    /// says the relay has none.
    pub fn nip11_document(&self) -> Option<Value> {
        if self.flags.no_nip11 {
            return None;
        }
        let l = &self.limits;
        Some(json!({
            "name": self.name,
            "description": "OpenSlots conformance kit mock relay (scripted; loopback only)",
            "software": "openslots-mock-relay",
            "version": env!("CARGO_PKG_VERSION"),
            "supported_nips": [1, 11, 40],
            "limitation": {
                "max_message_length": l.max_message_length,
                "max_subscriptions": l.max_subscriptions,
                "max_subid_length": l.max_subid_length,
                "max_limit": l.max_limit,
                "default_limit": l.default_limit,
                "max_content_length": l.max_content_length,
                "created_at_upper_limit": l.created_at_upper_limit,
                "min_pow_difficulty": 0,
                "auth_required": false,
                "payment_required": false,
                "restricted_writes": false
            }
        }))
    }

    /// The largest client frame the WebSocket layer should let through: the
    /// announced limit plus room to answer a too-long frame with `OK false`
    /// rather than a dropped connection (and more when the limit is not
    /// enforced).
    pub fn transport_limit(&self) -> usize {
        let announced = usize::try_from(self.limits.max_message_length).unwrap_or(usize::MAX);
        let base = announced.saturating_mul(4).max(1 << 20);
        if self.flags.limit_not_enforced {
            base.max(64 << 20)
        } else {
            base
        }
    }

    fn enforced_content_limit(&self) -> Option<u64> {
        if self.flags.limit_not_enforced {
            None
        } else if self.flags.limit_smaller {
            Some(self.limits.max_content_length / 2)
        } else {
            Some(self.limits.max_content_length)
        }
    }

    fn match_options(&self) -> MatchOptions {
        MatchOptions {
            ignored_tags: self.flags.ignored_tags.clone(),
            ignore_since_until: self.flags.ignores_since_until,
        }
    }

    fn query_options(&self) -> QueryOptions {
        QueryOptions {
            matching: self.match_options(),
            include_expired: self.flags.ignores_expiry || self.flags.serves_expired_stored,
            ignore_limit: self.flags.ignores_limit,
            max_limit: self.limits.max_limit,
            default_limit: self.limits.default_limit,
        }
    }

    fn can_fire(&self, index: usize) -> bool {
        self.rules
            .get(index)
            .is_some_and(|r| r.rule.max_hits.is_none_or(|m| r.hits < m))
    }

    fn fire(&mut self, index: usize) {
        if let Some(r) = self.rules.get_mut(index) {
            r.hits += 1;
        }
    }

    /// Event faults in scope for (connection, sub) that match `event`, and
    /// can still fire; returns their indices.
    fn event_rules(&self, connection: u64, sub: &str, event: &RelayEvent) -> Vec<usize> {
        let all = MatchOptions::default();
        (0..self.rules.len())
            .filter(|&i| {
                let r = &self.rules[i].rule;
                in_scope(&r.when, connection, Some(sub))
                    && r.when
                        .filter
                        .as_ref()
                        .is_none_or(|f| f.matches(event, &all))
                    && self.can_fire(i)
            })
            .collect()
    }

    fn ok(&self, id: &str, accepted: bool, message: &str, empty_id: bool) -> Output {
        let message = if !accepted && self.flags.ok_without_prefix {
            strip_prefix(message)
        } else {
            message.to_string()
        };
        let id = if empty_id { "" } else { id };
        Output::Text(json!(["OK", id, accepted, message]).to_string())
    }

    /// Handles one client frame at relay time `now`: records it, and returns
    /// what to send. Never panics; every input gets a NIP-01 answer or, for
    /// `CLOSE`, none.
    pub fn handle_frame(
        &mut self,
        session: &mut Session,
        frame: ClientFrame<'_>,
        now: u64,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        match frame {
            ClientFrame::Binary(bytes) => {
                self.recorder.push(
                    session.connection,
                    now,
                    RecordedFrame::Binary {
                        hex: hex::encode(&bytes[..bytes.len().min(MAX_RECORDED_BYTES)]),
                        length: bytes.len(),
                    },
                );
                out.push(notice("invalid: binary frames are not supported"));
            }
            ClientFrame::Text(text) => self.handle_text(session, text, now, &mut out),
        }
        out
    }

    fn handle_text(&mut self, session: &mut Session, text: &str, now: u64, out: &mut Vec<Output>) {
        let connection = session.connection;
        let parsed: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.recorder.push(
                    connection,
                    now,
                    RecordedFrame::Unparsed {
                        text: truncated(text),
                        length: text.len(),
                    },
                );
                out.push(notice(&format!("invalid: message is not JSON ({e})")));
                return;
            }
        };
        let too_long = !self.flags.limit_not_enforced
            && u64::try_from(text.len()).unwrap_or(u64::MAX) > self.limits.max_message_length;
        let Some(arr) = parsed.as_array() else {
            self.recorder
                .push(connection, now, RecordedFrame::Other { message: parsed });
            out.push(notice("invalid: message is not a JSON array"));
            return;
        };
        match arr.first().and_then(Value::as_str) {
            Some("EVENT") => {
                self.recorder.push(
                    connection,
                    now,
                    RecordedFrame::Event {
                        event: arr.get(1).cloned().unwrap_or(Value::Null),
                    },
                );
                self.on_event(session, arr, too_long, now, out);
            }
            Some("REQ") => {
                self.recorder.push(
                    connection,
                    now,
                    RecordedFrame::Req {
                        subscription: arr.get(1).cloned().unwrap_or(Value::Null),
                        filters: arr.iter().skip(2).cloned().collect(),
                    },
                );
                self.on_req(session, arr, too_long, now, out);
            }
            Some("CLOSE") => {
                self.recorder.push(
                    connection,
                    now,
                    RecordedFrame::Close {
                        subscription: arr.get(1).cloned().unwrap_or(Value::Null),
                    },
                );
                match arr.get(1).and_then(Value::as_str) {
                    Some(sub) if arr.len() == 2 => {
                        session.subs.remove(sub);
                        session.held.retain(|h| h.subscription != sub);
                    }
                    _ => out.push(notice(
                        "invalid: CLOSE needs exactly one subscription id string",
                    )),
                }
            }
            Some(verb) => {
                let verb = verb.to_string();
                self.recorder.push(
                    connection,
                    now,
                    RecordedFrame::Other {
                        message: parsed.clone(),
                    },
                );
                out.push(notice(&format!(
                    "error: unsupported message type {}",
                    Value::from(truncated(&verb))
                )));
            }
            None => {
                self.recorder.push(
                    connection,
                    now,
                    RecordedFrame::Other {
                        message: parsed.clone(),
                    },
                );
                out.push(notice(
                    "invalid: a message is a JSON array whose first element is its type",
                ));
            }
        }
    }

    fn on_event(
        &mut self,
        session: &mut Session,
        arr: &[Value],
        too_long: bool,
        now: u64,
        out: &mut Vec<Output>,
    ) {
        let value = arr.get(1).cloned().unwrap_or(Value::Null);
        let claimed_id = value.get("id").and_then(Value::as_str).map(truncated);
        let refuse = |this: &Self, out: &mut Vec<Output>, message: String| match &claimed_id {
            Some(id) => out.push(this.ok(id, false, &message, false)),
            None => out.push(notice(&message)),
        };
        if arr.len() != 2 {
            refuse(self, out, "invalid: EVENT carries exactly one event".into());
            return;
        }
        if too_long {
            refuse(
                self,
                out,
                format!(
                    "invalid: message is longer than {} bytes",
                    self.limits.max_message_length
                ),
            );
            return;
        }
        let event = match RelayEvent::parse_strict(&value) {
            Ok(e) => e,
            Err(e) => {
                refuse(self, out, format!("invalid: {e}"));
                return;
            }
        };
        // Publish faults.
        let mut empty_id = false;
        let all = MatchOptions::default();
        for i in 0..self.rules.len() {
            let r = &self.rules[i].rule;
            let is_publish = matches!(
                r.fault,
                Fault::RefusePublish { .. }
                    | Fault::AcceptWithoutStoring
                    | Fault::PublishNotice { .. }
                    | Fault::IgnorePublish
                    | Fault::OkEmptyId
                    | Fault::DisconnectOnPublish
            );
            if !is_publish
                || r.when.connection.is_some_and(|c| c != session.connection)
                || r.when
                    .filter
                    .as_ref()
                    .is_some_and(|f| !f.matches(&event, &all))
                || !self.can_fire(i)
            {
                continue;
            }
            let fault = r.fault.clone();
            self.fire(i);
            match fault {
                Fault::RefusePublish { prefix, message } => {
                    let prefix = prefix.trim_end_matches(':');
                    let text = if message.is_empty() {
                        format!("{prefix}:")
                    } else {
                        format!("{prefix}: {message}")
                    };
                    out.push(Output::Text(
                        json!(["OK", event.id, false, text]).to_string(),
                    ));
                    return;
                }
                Fault::AcceptWithoutStoring => {
                    out.push(Output::Text(json!(["OK", event.id, true, ""]).to_string()));
                    return;
                }
                Fault::PublishNotice { message } => {
                    out.push(notice(&message));
                    return;
                }
                Fault::IgnorePublish => return,
                Fault::DisconnectOnPublish => {
                    out.push(Output::Disconnect);
                    return;
                }
                _ => empty_id = true,
            }
        }
        let id = event.id.clone();
        if let Some(max) = self.enforced_content_limit()
            && u64::try_from(event.content.chars().count()).unwrap_or(u64::MAX) > max
        {
            out.push(self.ok(
                &id,
                false,
                &format!("invalid: content is longer than {max} characters"),
                empty_id,
            ));
            return;
        }
        let (id_ok, sig_ok) = match event.verify() {
            Ok(checks) => checks,
            Err(e) => {
                out.push(self.ok(
                    &id,
                    false,
                    &format!("invalid: event cannot be read ({e})"),
                    empty_id,
                ));
                return;
            }
        };
        if !id_ok && !self.flags.accepts_wrong_ids {
            out.push(self.ok(
                &id,
                false,
                "invalid: event id does not match the event",
                empty_id,
            ));
            return;
        }
        if !sig_ok && !self.flags.accepts_forged_signatures {
            out.push(self.ok(&id, false, "invalid: signature does not verify", empty_id));
            return;
        }
        if !self.flags.accepts_any_future
            && event.created_at > now.saturating_add(self.limits.created_at_upper_limit)
        {
            out.push(self.ok(
                &id,
                false,
                &format!(
                    "invalid: created_at is more than {} seconds in the future",
                    self.limits.created_at_upper_limit
                ),
                empty_id,
            ));
            return;
        }
        if !self.flags.ignores_expiry && event.is_expired_at(now) {
            out.push(self.ok(&id, false, "invalid: event has expired", empty_id));
            return;
        }
        let event = Arc::new(event);
        if is_ephemeral_kind(event.kind) {
            out.push(Output::Broadcast(event));
            out.push(self.ok(&id, true, "", empty_id));
            return;
        }
        match self.store.insert(event.clone()) {
            Insert::Stored | Insert::Replaced(_) => {
                out.push(Output::Broadcast(event));
                out.push(self.ok(&id, true, "", empty_id));
            }
            Insert::Duplicate => {
                out.push(self.ok(&id, true, "duplicate: already have this event", empty_id));
            }
            Insert::RefusedOlder => out.push(self.ok(
                &id,
                false,
                "duplicate: a newer version of this address is stored",
                empty_id,
            )),
            Insert::RefusedTie => out.push(self.ok(
                &id,
                false,
                "duplicate: a version of this address with the same created_at and a lower id is stored",
                empty_id,
            )),
        }
    }

    fn on_req(
        &mut self,
        session: &mut Session,
        arr: &[Value],
        too_long: bool,
        now: u64,
        out: &mut Vec<Output>,
    ) {
        let Some(sub) = arr.get(1).and_then(Value::as_str) else {
            out.push(notice("invalid: REQ needs a subscription id string"));
            return;
        };
        let sub = sub.to_string();
        let sub_chars = u64::try_from(sub.chars().count()).unwrap_or(u64::MAX);
        if sub.is_empty() || sub_chars > self.limits.max_subid_length {
            out.push(closed(
                &truncated(&sub),
                &format!(
                    "invalid: a subscription id has 1 to {} characters",
                    self.limits.max_subid_length
                ),
            ));
            return;
        }
        let close_with = |session: &mut Session, out: &mut Vec<Output>, message: &str| {
            session.subs.remove(&sub);
            session.held.retain(|h| h.subscription != sub);
            out.push(closed(&sub, message));
        };
        if too_long {
            close_with(
                session,
                out,
                &format!(
                    "invalid: message is longer than {} bytes",
                    self.limits.max_message_length
                ),
            );
            return;
        }
        let mut filters = Vec::new();
        for value in arr.iter().skip(2) {
            match Filter::parse(value) {
                Ok(f) => filters.push(f),
                Err(e) => {
                    close_with(session, out, &format!("invalid: {e}"));
                    return;
                }
            }
        }
        if filters.is_empty() {
            close_with(session, out, "invalid: REQ needs at least one filter");
            return;
        }
        if !session.subs.contains_key(&sub)
            && u64::try_from(session.subs.len()).unwrap_or(u64::MAX)
                >= self.limits.max_subscriptions
        {
            out.push(closed(
                &sub,
                &format!(
                    "rate-limited: at most {} open subscriptions per connection",
                    self.limits.max_subscriptions
                ),
            ));
            return;
        }
        // Request faults.
        let mut reorder = false;
        let mut no_eose = false;
        let mut disconnect_after: Option<u32> = None;
        for i in 0..self.rules.len() {
            let r = &self.rules[i].rule;
            let is_request = matches!(
                r.fault,
                Fault::Reorder
                    | Fault::Closed { .. }
                    | Fault::Notice { .. }
                    | Fault::NoEose
                    | Fault::Disconnect { .. }
                    | Fault::SendFrame { .. }
            );
            if !is_request
                || !in_scope(&r.when, session.connection, Some(&sub))
                || r.when
                    .filter
                    .as_ref()
                    .is_some_and(|rf| !filters.iter().any(|f| f.requests(rf)))
                || !self.can_fire(i)
            {
                continue;
            }
            let fault = r.fault.clone();
            self.fire(i);
            match fault {
                Fault::Reorder => reorder = true,
                Fault::NoEose => no_eose = true,
                Fault::Disconnect { after_events } => {
                    disconnect_after =
                        Some(disconnect_after.map_or(after_events, |d| d.min(after_events)));
                }
                Fault::Notice { message } => out.push(notice(&message)),
                Fault::SendFrame { frame } => out.push(match frame {
                    RawFrame::Text { text } => Output::Text(text),
                    RawFrame::Oversize { bytes } => Output::Text(RawFrame::oversize_text(bytes)),
                    RawFrame::Binary { hex } => {
                        Output::Binary(hex::decode(hex).unwrap_or_default())
                    }
                }),
                Fault::Closed { message } => {
                    close_with(session, out, &message);
                    return;
                }
                _ => {}
            }
        }
        session.held.retain(|h| h.subscription != sub);
        session.subs.insert(sub.clone(), filters.clone());
        let mut events = self.answer(session.connection, &sub, &filters, now);
        if reorder {
            events.reverse();
        }
        let mut sent: u32 = 0;
        let mut after_eose = Vec::new();
        for event in events {
            if disconnect_after == Some(sent) {
                out.push(Output::Disconnect);
                return;
            }
            self.emit(session, &sub, &event, now, false, out, &mut after_eose);
            sent = sent.saturating_add(1);
        }
        if disconnect_after.is_some() {
            out.push(Output::Disconnect);
            return;
        }
        if !no_eose && !self.flags.never_sends_eose {
            out.push(eose(&sub));
        }
        out.extend(after_eose.into_iter().map(Output::Text));
    }

    /// Sends (or holds, or duplicates) one event on `sub`, applying the
    /// event faults `delay` and `duplicate`.
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        session: &mut Session,
        sub: &str,
        event: &SharedEvent,
        now: u64,
        live: bool,
        out: &mut Vec<Output>,
        after_eose: &mut Vec<String>,
    ) {
        let frame = event_frame(sub, event);
        let mut copies: u64 = 1;
        let mut delay: Option<Trigger> = None;
        for i in self.event_rules(session.connection, sub, event) {
            match &self.rules[i].rule.fault {
                Fault::Delay { until } if delay.is_none() => {
                    delay = Some(until.clone());
                    self.fire(i);
                }
                Fault::Duplicate { copies: extra } => {
                    copies = copies.saturating_add(u64::from(*extra));
                    self.fire(i);
                }
                _ => {}
            }
        }
        for _ in 0..copies {
            match &delay {
                None => out.push(Output::Text(frame.clone())),
                Some(Trigger::AfterEose) => {
                    if live {
                        out.push(Output::Text(frame.clone()));
                    } else {
                        after_eose.push(frame.clone());
                    }
                }
                Some(Trigger::ClockAt { at }) => session.held.push(Held {
                    subscription: sub.to_string(),
                    frame: frame.clone(),
                    release: Release::ClockAt(*at),
                }),
                Some(Trigger::ClockAfter { seconds }) => session.held.push(Held {
                    subscription: sub.to_string(),
                    frame: frame.clone(),
                    release: Release::ClockAt(now.saturating_add(*seconds)),
                }),
                Some(Trigger::Release { name }) => session.held.push(Held {
                    subscription: sub.to_string(),
                    frame: frame.clone(),
                    release: Release::Named(name.clone()),
                }),
            }
        }
        // A trigger that already fired releases at once.
        out.extend(self.due(session, now));
    }

    /// The stored answer to a REQ after the event faults that change the
    /// set: `serve_expired`, `serve_stale`, `inject`, `withhold`. Sorted
    /// newest first (ties by lowest id).
    fn answer(
        &mut self,
        connection: u64,
        sub: &str,
        filters: &[Filter],
        now: u64,
    ) -> Vec<SharedEvent> {
        let options = self.query_options();
        let mut events = self.store.query(filters, now, &options);
        let matching = self.match_options();
        let all = MatchOptions::default();
        let mut changed = false;

        // serve_expired
        if !options.include_expired {
            let with_expired = QueryOptions {
                include_expired: true,
                ..options.clone()
            };
            for event in self.store.query(filters, now, &with_expired) {
                if !event.is_expired_at(now) {
                    continue;
                }
                if let Some(i) = self
                    .event_rules(connection, sub, &event)
                    .into_iter()
                    .find(|&i| matches!(self.rules[i].rule.fault, Fault::ServeExpired))
                {
                    self.fire(i);
                    events.push(event);
                    changed = true;
                }
            }
        }

        // serve_stale
        let mut with_stale = Vec::with_capacity(events.len());
        for event in events {
            let stale_rule = event.address().and_then(|address| {
                self.event_rules(connection, sub, &event)
                    .into_iter()
                    .find_map(|i| match self.rules[i].rule.fault {
                        Fault::ServeStale { mode } => Some((i, mode, address.clone())),
                        _ => None,
                    })
            });
            let Some((i, mode, address)) = stale_rule else {
                with_stale.push(event);
                continue;
            };
            let older: Vec<SharedEvent> = self
                .store
                .older_versions(&address)
                .into_iter()
                .filter(|e| filters.iter().any(|f| f.matches(e, &matching)))
                .collect();
            if older.is_empty() {
                with_stale.push(event);
                continue;
            }
            self.fire(i);
            changed = true;
            match mode {
                StaleMode::Instead => with_stale.extend(older.into_iter().take(1)),
                StaleMode::Besides => {
                    with_stale.push(event);
                    with_stale.extend(older);
                }
            }
        }
        let mut events = with_stale;

        // inject
        for i in 0..self.rules.len() {
            let r = &self.rules[i];
            if !matches!(r.rule.fault, Fault::Inject { .. })
                || !in_scope(&r.rule.when, connection, Some(sub))
                || !self.can_fire(i)
            {
                continue;
            }
            let picked: Vec<SharedEvent> = r
                .injected
                .iter()
                .filter(|e| {
                    r.rule
                        .when
                        .filter
                        .as_ref()
                        .is_none_or(|f| f.matches(e, &all))
                })
                .filter(|e| filters.iter().any(|f| f.matches(e, &matching)))
                .cloned()
                .collect();
            if !picked.is_empty() {
                self.fire(i);
                events.extend(picked);
                changed = true;
            }
        }

        // withhold
        let mut kept = Vec::with_capacity(events.len());
        for event in events {
            if let Some(i) = self
                .event_rules(connection, sub, &event)
                .into_iter()
                .find(|&i| matches!(self.rules[i].rule.fault, Fault::Withhold))
            {
                self.fire(i);
                continue;
            }
            kept.push(event);
        }
        if changed {
            kept.sort_by(newest_first);
        }
        kept
    }

    /// Offers a newly stored event to this session's open subscriptions
    /// (NIP-01 live events after EOSE), applying `withhold`, `delay` and
    /// `duplicate`.
    pub fn live_event(
        &mut self,
        session: &mut Session,
        event: &SharedEvent,
        now: u64,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.flags.ignores_expiry
            && !self.flags.serves_expired_stored
            && event.is_expired_at(now)
        {
            return out;
        }
        let matching = self.match_options();
        let subs: Vec<String> = session
            .subs
            .iter()
            .filter(|(_, filters)| filters.iter().any(|f| f.matches(event, &matching)))
            .map(|(sub, _)| sub.clone())
            .collect();
        for sub in subs {
            if let Some(i) = self
                .event_rules(session.connection, &sub, event)
                .into_iter()
                .find(|&i| matches!(self.rules[i].rule.fault, Fault::Withhold))
            {
                self.fire(i);
                continue;
            }
            let mut unused = Vec::new();
            self.emit(session, &sub, event, now, true, &mut out, &mut unused);
        }
        out
    }

    /// The held frames of this session whose trigger has fired (clock at
    /// or past the time, or the named trigger released), in the order they
    /// were held; frames of subscriptions closed since are dropped.
    pub fn due(&mut self, session: &mut Session, now: u64) -> Vec<Output> {
        let mut out = Vec::new();
        let released = &self.released;
        let subs = &session.subs;
        session.held.retain(|h| {
            let fired = match &h.release {
                Release::ClockAt(at) => now >= *at,
                Release::Named(name) => released.contains(name),
            };
            if fired && subs.contains_key(&h.subscription) {
                out.push(Output::Text(h.frame.clone()));
            }
            !fired && subs.contains_key(&h.subscription)
        });
        out
    }
}
