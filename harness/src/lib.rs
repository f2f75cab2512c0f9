//! The OpenSlots conformance harness.
//!
//! It drives any implementation, through the adapter protocol of
//! `spec/adapter-protocol.md`, against the vectors, and reports per case
//! which requirement failed and why. [`requirements`] reads the normative
//! requirements out of the spec, [`coverage`] is the traceability view, and
//! [`report`] is the report model with its renderers (text, JSON, JUnit XML,
//! HTML), shared by every part that checks something.

pub mod coverage;
pub mod report;
pub mod requirements;
