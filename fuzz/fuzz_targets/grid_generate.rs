//! Slot-grid generation (spec §9) over arbitrary dates, times and zones.
//! Input: UTF-8 text, one field per line: the zone, the start time, the end
//! time, then the dates (any number, possibly none).
//!
//! Invariants, beyond never panicking:
//! - errors come in the order of spec §9.3 (zone, start, end, dates, empty),
//!   with the syntax of §9.2 checked independently: exactly the malformed
//!   inputs are refused, with `grid-zone`, `grid-time` or `grid-date`;
//! - a grid is strictly increasing (OS-GRID-6) and is the union of the
//!   dates' slots, each date's slots being its range start plus multiples of
//!   1800 s while before the range end (OS-GRID-5);
//! - for a fixed offset (`±HH:MM`, or `UTC`), the grid equals one computed
//!   by calendar arithmetic alone, without any time-zone library;
//! - zone names are matched without regard to ASCII case (OS-GRID-2).
#![no_main]

use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use openslots::grid::{self, GridError};
use openslots::{ErrorCode, SpecError};
use openslots_fuzz::oracle;
use openslots_fuzz::oracle::grid::Zone;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.split('\n');
    let (Some(zone), Some(start), Some(end)) = (fields.next(), fields.next(), fields.next()) else {
        return;
    };
    let dates: Vec<&str> = fields.collect();
    let got = grid::generate_from(&dates, start, end, zone);
    if let Err(e) = &got {
        assert_eq!(
            e.requirement(),
            if *e == GridError::Empty {
                "OS-GRID-7"
            } else {
                "OS-GRID-2"
            }
        );
    }
    let code = got.as_ref().map_err(SpecError::code);

    // Spec §9.3 steps 2 to 4, and the empty list.
    let zone_kind = oracle::grid::zone(zone);
    let expect_early = if zone_kind == Zone::BadOffset {
        Some(ErrorCode::GridZone)
    } else if zone_kind == Zone::Name && code == Err(ErrorCode::GridZone) {
        // Only the time-zone database can tell; nothing else to check.
        return;
    } else if oracle::grid::time(start).is_none() || oracle::grid::time(end).is_none() {
        Some(ErrorCode::GridTime)
    } else if dates.iter().any(|d| oracle::grid::date(d).is_none()) {
        Some(ErrorCode::GridDate)
    } else if dates.is_empty() {
        Some(ErrorCode::GridEmpty)
    } else {
        None
    };
    if let Some(want) = expect_early {
        assert_eq!(code, Err(want), "spec §9.3 order on {text:?}");
        return;
    }
    let civil: Vec<oracle::grid::Civil> =
        dates.iter().filter_map(|d| oracle::grid::date(d)).collect();
    let (s, e) = (
        oracle::grid::time(start).unwrap_or(0),
        oracle::grid::time(end).unwrap_or(0),
    );

    // Fixed offsets: the whole grid by arithmetic.
    let offset = match zone_kind {
        Zone::Offset(o) => Some(o),
        Zone::Name if zone.eq_ignore_ascii_case("UTC") || zone.eq_ignore_ascii_case("Etc/UTC") => {
            Some(0)
        }
        _ => None,
    };
    if let Some(offset) = offset {
        let bounds = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
        let want = oracle::grid::fixed_grid(&civil, s, e, offset, bounds);
        assert_eq!(
            code.map(|_| ()).map_err(ErrorCode::as_str),
            want.clone().map(|_| ()).map_err(|(c, _)| c),
            "{text:?}"
        );
        if let (Ok(g), Ok(w)) = (&got, &want) {
            assert_eq!(g, w, "fixed-offset grid of {text:?}");
        }
    }

    // Any zone: structure of the grid.
    if let Ok(g) = &got {
        assert!(!g.is_empty());
        assert!(g.windows(2).all(|w| w[0] < w[1]), "not strictly increasing");
        let tz = grid::parse_zone(zone).expect("the zone parsed once");
        let st = grid::parse_time(start).expect("start parsed once");
        let en = grid::parse_time(end).expect("end parsed once");
        let mut union = Vec::new();
        for d in &dates {
            let date = grid::parse_date(d).expect("date parsed once");
            let (rs, re) = grid::range_for_date(date, st, en, &tz).expect("range");
            let slots = grid::slots_for_date(date, st, en, &tz).expect("slots");
            let n = if re > rs { (re - rs + 1799) / 1800 } else { 0 };
            assert_eq!(slots.len() as i64, n, "OS-GRID-5 slot count");
            for (k, slot) in slots.iter().enumerate() {
                assert_eq!(*slot, rs + 1800 * k as i64, "OS-GRID-5 spacing");
            }
            union.extend(slots);
        }
        union.sort_unstable();
        union.dedup();
        assert_eq!(&union, g, "OS-GRID-6 union");
    }

    // OS-GRID-2: names without regard to ASCII case.
    if zone_kind == Zone::Name {
        for z in [zone.to_ascii_lowercase(), zone.to_ascii_uppercase()] {
            assert_eq!(
                grid::generate_from(&dates, start, end, &z),
                got,
                "zone {z:?}"
            );
        }
    }
});
