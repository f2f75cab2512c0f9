//! OpenSlots reference implementation.

pub mod blinding;
pub mod cipher;
pub mod error;
pub mod event;
pub mod expiry;
pub mod grid;
pub mod kdf;
pub mod link;
pub mod lww;
pub mod mask;
pub mod payload;
pub mod resolution;

pub use error::{ErrorCode, Failure, SpecError};

/// The two profiles of the specification (spec §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// `v1`: the deployed web app's wire format, byte for byte.
    V1,
    /// `v2`: the recommended profile that answers the hazards of v1.
    V2,
}

/// The fixed slot length of both profiles, in seconds (OS-GRID-1).
pub const SLOT_SECONDS: i64 = 1800;
