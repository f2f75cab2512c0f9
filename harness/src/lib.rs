//! The OpenSlots conformance harness.
//!
//! It drives any implementation, through the adapter protocol of
//! `spec/adapter-protocol.md` ([`adapter`]), against the vector suites
//! ([`vectors`]), and reports per case which requirement failed and why
//! ([`report`], with text, JSON, JUnit XML and HTML renderers). Known gaps
//! are tracked in an expected-failures file ([`expected`]).
//! [`requirements`] reads the normative requirements out of the spec and
//! [`coverage`] is the traceability view, also run as a check.
//!
//! [`fuzz`] fuzzes an implementation against the reference through the
//! same adapter protocol and writes each disagreement as a vector case.
//!
//! [`relay`] is the relay conformance suite (spec §18): it connects to a
//! relay as a client and checks the `OS-RELAY-*` requirements.

pub mod adapter;
pub mod coverage;
pub mod expected;
pub mod fuzz;
pub mod progress;
pub mod relay;
pub mod report;
pub mod requirements;
pub mod scenario;
pub mod vectors;
