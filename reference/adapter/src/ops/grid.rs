//! `grid` suite: `generate_grid` (spec §9).

use openslots_vectors::{GridExpected, GridInput};
use serde_json::Value;

use super::{input, need, output};
use crate::{OpError, OpResult};

/// The slot grid of dates, daily start and end, and zone.
pub fn generate_grid(_p: &str, v: &Value) -> OpResult {
    let i: GridInput = input(v)?;
    let slots = openslots::grid::generate_owned(
        &need(i.dates, "dates")?,
        &need(i.start, "start")?,
        &need(i.end, "end")?,
        &need(i.zone, "zone")?,
    )
    .map_err(|e| OpError::spec(&e))?;
    output(&GridExpected { slots: Some(slots) })
}
