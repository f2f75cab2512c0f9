//! The OpenSlots conformance harness.
//!
//! This crate grows into the runner that drives any implementation against
//! the vectors and scenarios. It starts with what every later part needs:
//! [`requirements`], which reads the normative requirements out of the spec,
//! so that every report can name the requirement a check enforces and the
//! traceability view ([`coverage`]) can tell which requirements nothing
//! covers.

pub mod coverage;
pub mod requirements;
