//! The OpenSlots conformance harness.
//!
//! This crate grows into the runner that drives any implementation against
//! the vectors and scenarios. It starts with what every later part needs:
//! [`requirements`], which reads the normative requirements out of the spec,
//! so that every report can name the requirement a check enforces and the
//! traceability view ([`coverage`]) can tell which requirements nothing
//! covers.
//!
//! [`relay`] is the relay conformance suite (spec §18): it connects to a
//! relay as a client and checks the `OS-RELAY-*` requirements.

pub mod coverage;
pub mod relay;
pub mod requirements;
