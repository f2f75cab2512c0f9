//! A scripted mock Nostr relay for the OpenSlots conformance kit.
//!
//! It is a real NIP-01 relay on `ws://127.0.0.1:<ephemeral port>` (tokio and
//! tokio-tungstenite), with its NIP-11 document served over HTTP on the same
//! port, whose behaviour is fixed by a [`Script`]. It serves two suites:
//! client conformance scenarios (the relays a client under test talks to,
//! misbehaving on cue) and the self-test of a relay conformance suite (a
//! well-behaved relay, and relays that each break exactly one rule). It is
//! test equipment, not a relay to deploy: everything is held in memory and
//! it only ever listens on loopback.
//!
//! # The script model
//!
//! A [`Script`] has five parts, each optional:
//!
//! - `name`: reported in the NIP-11 document and in test output.
//! - `limits` ([`Limits`]): message and content length, subscriptions per
//!   connection, subscription id length, `max_limit`/`default_limit`, and
//!   how far in the future `created_at` may be. They are announced in
//!   NIP-11 and enforced.
//! - `breakages` ([`Breakage`]): rules of the well-behaved store to break,
//!   one per entry (`no_addressable_replacement`, `tie_keeps_last_arrival`,
//!   `ignores_tag_filter` with a tag, `no_nip11`, ...). Empty means
//!   well-behaved: ids and signatures verified, addressable and replaceable
//!   replacement with the lowest-id tie rule, older versions refused with
//!   `OK false "duplicate: ..."` and never served, NIP-40 expiry refused on
//!   publish and enforced at query time, filters `ids`, `authors`, `kinds`,
//!   `#<letter>`, `since`, `until`, `limit` (newest first, per filter),
//!   `EOSE` then live events, `CLOSE`, `CLOSED` for bad subscriptions,
//!   NIP-01 prefixes on every refusal.
//! - `preload` ([`ScriptEvent`]): events stored before the first client
//!   connects, either signed events (`{"event": {...}}`, checked when the
//!   relay starts) or raw JSON (`{"raw": ...}`, stored and served as given:
//!   forgeries, junk).
//! - `faults` ([`FaultRule`]): misbehaviour layered on top of the store,
//!   each a scope ([`When`]: connection index, subscription id, filter), a
//!   [`Fault`] and an optional `max_hits`. Faults change what is served
//!   (reorder, duplicate, delay until a [`Trigger`], withhold, serve stale
//!   versions, inject forged or junk or expired or foreign events, serve
//!   expired events), how publishes are answered (refuse with a prefix,
//!   accept without storing, NOTICE, silence, empty OK id, dropped
//!   connection) and how requests are answered (CLOSED, NOTICE, no EOSE,
//!   dropped connection mid-stream, raw malformed, oversize or binary
//!   frames). See [`fault`] for how each kind of fault matches.
//!
//! The JSON form is fixed by `spec/schemas/mock-relay-script.schema.json`,
//! so scenario files can embed scripts; [`load_scripts`] reads a file with
//! one script or an array of them, and [`run_from_script_file`] starts them.
//!
//! # Time
//!
//! The relay never reads the wall clock. A [`Clock`] is created by the test
//! and shared with every relay it starts; [`Clock::set`] and
//! [`Clock::advance`] move time for all of them, and expiry decisions,
//! `created_at` bounds and delayed events follow at once. Nothing sleeps.
//!
//! # What is recorded
//!
//! Every client frame, per connection and in order, is kept by the relay's
//! [`Recorder`]: `EVENT`, `REQ`, `CLOSE`, other JSON, unparsable text,
//! binary frames, and connection open/close. [`Recorder::wait_for`] waits
//! for a condition with a timeout that only fires on failure.
//!
//! # Never panics, never hangs
//!
//! All protocol logic is in [`engine::RelayState::handle_frame`], a pure
//! function of the relay state, the connection's session, one frame and
//! `now`: malformed JSON, unknown verbs, wrong shapes and binary frames get a
//! `NOTICE`, bad subscriptions a `CLOSED`, bad events `OK false "invalid:
//! ..."`. Frames beyond four times `max_message_length` (at least 1 MiB)
//! are refused by the WebSocket layer, which closes that connection.
//!
//! # Example
//!
//! ```
//! use openslots_mock_relay::{Clock, Fault, FaultRule, Filter, MockRelay, Script};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let clock = Clock::new(1_750_000_000);
//! // A relay that never serves the events of one room.
//! let withheld: Filter = serde_json::from_value(serde_json::json!({"#d": ["room-d-tag"]}))?;
//! let script = Script::well_behaved("withholding")
//!     .with_fault(FaultRule::matching(withheld, Fault::Withhold));
//! let relay = MockRelay::start(script, clock.clone()).await?;
//! assert!(relay.url().starts_with("ws://127.0.0.1:"));
//! // ... point the client under test at relay.url(), then:
//! assert!(relay.recorder().published().is_empty());
//! clock.advance(3600);
//! relay.stop().await;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod clock;
pub mod engine;
pub mod error;
pub mod event;
pub mod fault;
pub mod filter;
pub mod forge;
pub mod recorder;
pub mod script;
pub mod server;
pub mod store;

pub use clock::Clock;
pub use engine::{ClientFrame, Output, RelayState, Session};
pub use error::MockRelayError;
pub use event::RelayEvent;
pub use fault::{Fault, FaultRule, RawFrame, StaleMode, Trigger, When};
pub use filter::Filter;
pub use recorder::{Record, RecordedFrame, Recorder, WaitTimeout};
pub use script::{Breakage, Limits, Script, ScriptEvent};
pub use server::{MockRelay, RelaySet, load_scripts, run_from_script_file};
