//! Tests of the slot grid (spec §9, OS-GRID-1 to OS-GRID-7).
//!
//! Every expected instant below was worked out by hand from the zone's
//! published rules (the IANA tzdb source rules quoted in each comment), then
//! turned into Unix seconds with plain fixed-offset arithmetic. None was
//! obtained by running the code under test or by a tz database lookup.
//!
//! Anchors used throughout (days since 1970-01-01 times 86400):
//! * 2025-03-29T00:00Z = 1743206400, 2025-03-30T00:00Z = 1743292800
//! * 2025-03-09T00:00Z = 1741478400, 2025-04-05T00:00Z = 1743811200
//! * 2025-06-02T00:00Z = 1748822400 (day 20241)
//! * 2025-10-25T00:00Z = 1761350400, 2025-10-26T00:00Z = 1761436800
//! * 2025-11-02T00:00Z = 1762041600
//! * 1985-12-31T00:00Z = 504835200, 1986-01-01T00:00Z = 504921600

#![allow(clippy::unwrap_used, clippy::expect_used)]

use openslots::grid::{
    GridError, GridRequest, MAX_DATES, generate, generate_from, generate_owned, parse_date,
    parse_time, parse_zone, range_for_date, resolve, slots_for_date, slots_for_dates,
};
use openslots::{ErrorCode, SLOT_SECONDS, SpecError};
use proptest::prelude::*;

/// Runs the public string API on one request.
fn grid(dates: &[&str], start: &str, end: &str, zone: &str) -> Result<Vec<i64>, GridError> {
    generate(&GridRequest {
        dates,
        start,
        end,
        zone,
    })
}

/// `n` consecutive slots starting at `first`.
fn run(first: i64, n: i64) -> Vec<i64> {
    (0..n).map(|k| first + k * SLOT_SECONDS).collect()
}

/// The slots of one date, from strings.
fn one_date(date: &str, start: &str, end: &str, zone: &str) -> Vec<i64> {
    slots_for_date(
        parse_date(date).unwrap(),
        parse_time(start).unwrap(),
        parse_time(end).unwrap(),
        &parse_zone(zone).unwrap(),
    )
    .unwrap()
}

// ---------------------------------------------------------------- plain days

#[test]
fn os_grid_1_slot_length_is_1800() {
    assert_eq!(SLOT_SECONDS, 1800);
}

#[test]
fn os_grid_5_plain_day_berlin() {
    // Europe/Berlin 2025: EU rule, CEST (+02) from 2025-03-30 01:00 UTC to
    // 2025-10-26 01:00 UTC, so 2025-06-02 is +02.
    // 09:00 CEST = 07:00 UTC = 1748822400 + 7*3600 = 1748847600;
    // 11:00 CEST = 09:00 UTC = 1748854800; slots 07:00, 07:30, 08:00, 08:30 UTC.
    let g = grid(&["2025-06-02"], "09:00", "11:00", "Europe/Berlin").unwrap();
    assert_eq!(g, vec![1748847600, 1748849400, 1748851200, 1748853000]);
}

#[test]
fn os_grid_5_partial_last_slot_is_included() {
    // Berlin 2025-06-02 is CEST (+02): 09:00 = 1748847600, 09:45 = 1748850300.
    // 09:00 and 09:30 (1748849400) start before 09:45; 10:00 does not.
    let g = grid(&["2025-06-02"], "09:00", "09:45", "Europe/Berlin").unwrap();
    assert_eq!(g, vec![1748847600, 1748849400]);
}

#[test]
fn os_grid_2_seconds_are_kept() {
    // Berlin 2025-06-02 is CEST (+02): 09:00:30 = 07:00:30 UTC = 1748847630,
    // 10:00:30 = 1748851230. Slots 1748847630 and 1748849430 (09:30:30);
    // 10:00:30 is not strictly before the end.
    let g = grid(&["2025-06-02"], "09:00:30", "10:00:30", "Europe/Berlin").unwrap();
    assert_eq!(g, vec![1748847630, 1748849430]);
}

#[test]
fn os_grid_4_full_day_utc_is_48_slots() {
    // UTC has no transitions: 2025-06-02 00:00 to 2025-06-03 00:00 is 24 h.
    // First slot 1748822400, last 1748822400 + 47*1800 = 1748907000.
    let g = grid(&["2025-06-02"], "00:00", "00:00", "UTC").unwrap();
    assert_eq!(g, run(1748822400, 48));
    assert_eq!(g.last(), Some(&1748907000));
}

#[test]
fn os_grid_4_full_day_from_nine_is_48_slots() {
    // UTC 2025-06-02 09:00 (1748854800) to 2025-06-03 09:00: 24 h, 48 slots.
    let g = grid(&["2025-06-02"], "09:00", "09:00", "UTC").unwrap();
    assert_eq!(g, run(1748854800, 48));
}

#[test]
fn os_grid_4_full_day_spring_forward_london_is_46_slots() {
    // Europe/London 2025: BST starts 2025-03-30 01:00 UTC (last Sunday of March).
    // Start 2025-03-30 00:00 GMT = 00:00 UTC = 1743292800;
    // end 2025-03-31 00:00 BST = 2025-03-30 23:00 UTC = 1743375600: 23 h = 46 slots.
    let g = grid(&["2025-03-30"], "00:00", "00:00", "Europe/London").unwrap();
    assert_eq!(g, run(1743292800, 46));
    assert_eq!(g.last(), Some(&(1743375600 - 1800)));
}

#[test]
fn os_grid_4_full_day_fall_back_london_is_50_slots() {
    // Europe/London 2025: BST ends 2025-10-26 01:00 UTC (last Sunday of October).
    // Start 2025-10-26 00:00 BST = 2025-10-25 23:00 UTC = 1761433200;
    // end 2025-10-27 00:00 GMT = 1761523200: 25 h = 50 slots.
    let g = grid(&["2025-10-26"], "00:00", "00:00", "Europe/London").unwrap();
    assert_eq!(g, run(1761433200, 50));
}

// ---------------------------------------------------------------- gaps, overlaps

#[test]
fn os_grid_3_start_in_gap_moves_forward() {
    // London gap 2025-03-30: wall 01:00-02:00 does not exist (01:00 UTC jump).
    // 01:30 compatible -> +1 h -> 02:30 BST = 01:30 UTC = 1743292800 + 5400 = 1743298200.
    // End 04:00 BST = 03:00 UTC = 1743303600: slots 01:30, 02:00, 02:30 UTC.
    let g = grid(&["2025-03-30"], "01:30", "04:00", "Europe/London").unwrap();
    assert_eq!(g, vec![1743298200, 1743300000, 1743301800]);
    // End 03:00 BST = 02:00 UTC = 1743300000: only the 01:30 UTC slot.
    let g = grid(&["2025-03-30"], "01:30", "03:00", "Europe/London").unwrap();
    assert_eq!(g, vec![1743298200]);
}

#[test]
fn os_grid_3_resolve_follows_compatible() {
    let london = parse_zone("Europe/London").unwrap();
    let d = parse_date("2025-03-30").unwrap();
    // Gap: 01:30 -> 02:30 BST = 01:30 UTC = 1743298200 (see above).
    assert_eq!(
        resolve(d, parse_time("01:30").unwrap(), &london),
        Ok(1743298200)
    );
    // Overlap: 2025-10-26 01:30 exists twice (BST then GMT); earlier is
    // 01:30 BST = 00:30 UTC = 1761436800 + 1800 = 1761438600.
    let d = parse_date("2025-10-26").unwrap();
    assert_eq!(
        resolve(d, parse_time("01:30").unwrap(), &london),
        Ok(1761438600)
    );
}

#[test]
fn os_grid_5_range_wholly_in_gap_is_empty() {
    // London 2025-03-30: 01:00 (in the gap) -> 02:00 BST = 01:00 UTC = 1743296400;
    // end 02:00 BST = 01:00 UTC = 1743296400. Empty range, no slot.
    assert_eq!(
        one_date("2025-03-30", "01:00", "02:00", "Europe/London"),
        Vec::<i64>::new()
    );
    let range = range_for_date(
        parse_date("2025-03-30").unwrap(),
        parse_time("01:00").unwrap(),
        parse_time("02:00").unwrap(),
        &parse_zone("Europe/London").unwrap(),
    );
    assert_eq!(range, Ok((1743296400, 1743296400)));
}

#[test]
fn os_grid_7_only_date_wholly_in_gap_is_grid_empty() {
    // Same range as above, as the only date: no slot at all -> GridEmpty.
    assert_eq!(
        grid(&["2025-03-30"], "01:00", "02:00", "Europe/London"),
        Err(GridError::Empty)
    );
    // With another date that has slots, the gap date contributes nothing:
    // 2025-03-31 is BST: 01:00 BST = 2025-03-31 00:00 UTC = 1743292800 + 86400 = 1743379200.
    let g = grid(
        &["2025-03-30", "2025-03-31"],
        "01:00",
        "02:00",
        "Europe/London",
    )
    .unwrap();
    assert_eq!(g, vec![1743379200, 1743381000]);
}

#[test]
fn os_grid_3_overlap_takes_earlier_offset() {
    // London 2025-10-26: 01:00-02:00 wall happens twice (BST, then GMT).
    // Start 01:00 is ambiguous -> earlier: 01:00 BST = 00:00 UTC = 1761436800.
    // End 02:00 is unambiguous GMT = 02:00 UTC = 1761444000: 2 h absolute = 4 slots.
    let g = grid(&["2025-10-26"], "01:00", "02:00", "Europe/London").unwrap();
    assert_eq!(g, vec![1761436800, 1761438600, 1761440400, 1761442200]);
}

#[test]
fn os_grid_4_new_york_spring_forward_overnight() {
    // America/New_York 2025: EDT starts second Sunday of March = 2025-03-09,
    // 02:00 EST -> 03:00 EDT (07:00 UTC).
    // Start 2025-03-08 22:00 EST (-05) = 2025-03-09 03:00 UTC = 1741478400 + 10800 = 1741489200.
    // End 2025-03-09 04:00 EDT (-04) = 08:00 UTC = 1741507200: 5 h = 10 slots.
    let g = grid(&["2025-03-08"], "22:00", "04:00", "America/New_York").unwrap();
    assert_eq!(g, run(1741489200, 10));
}

#[test]
fn os_grid_4_new_york_fall_back_overnight() {
    // America/New_York 2025: EDT ends first Sunday of November = 2025-11-02,
    // 02:00 EDT -> 01:00 EST (06:00 UTC).
    // Start 2025-11-01 22:00 EDT (-04) = 2025-11-02 02:00 UTC = 1762041600 + 7200 = 1762048800.
    // End 2025-11-02 04:00 EST (-05) = 09:00 UTC = 1762074000: 7 h = 14 slots.
    let g = grid(&["2025-11-01"], "22:00", "04:00", "America/New_York").unwrap();
    assert_eq!(g, run(1762048800, 14));
}

// ---------------------------------------------------------------- union

#[test]
fn os_grid_6_overnight_consecutive_dates_sorted() {
    // UTC 22:00-02:00 overnight: 2025-06-02 22:00 = 1748901600 (4 h, 8 slots),
    // 2025-06-03 22:00 = 1748988000 (8 slots). Dates given out of order.
    let g = grid(&["2025-06-03", "2025-06-02"], "22:00", "02:00", "UTC").unwrap();
    let mut want = run(1748901600, 8);
    want.extend(run(1748988000, 8));
    assert_eq!(g, want);
}

#[test]
fn os_grid_6_full_days_on_consecutive_dates_tile() {
    // UTC 20:00-20:00 full days on 2025-06-02 and 2025-06-03: the first ends
    // exactly where the second starts, 2025-06-02 20:00 = 1748894400; 96 slots.
    let g = grid(&["2025-06-02", "2025-06-03"], "20:00", "20:00", "UTC").unwrap();
    assert_eq!(g, run(1748894400, 96));
}

#[test]
fn os_grid_6_duplicate_dates_are_deduplicated() {
    // UTC 2025-06-02 09:00 = 1748854800; the same date twice gives it once.
    let g = grid(&["2025-06-02", "2025-06-02"], "09:00", "10:00", "UTC").unwrap();
    assert_eq!(g, vec![1748854800, 1748856600]);
}

#[test]
fn os_grid_6_overlapping_overnight_ranges_are_deduplicated() {
    // London, start 02:00, end 01:30 (overnight since 01:30 <= 02:00).
    // Date 2025-03-29 (GMT): start 02:00 GMT = 1743206400 + 7200 = 1743213600;
    //   end 2025-03-30 01:30 is in the gap -> 02:30 BST = 01:30 UTC = 1743298200:
    //   23.5 h = 47 slots, the last at 01:00 UTC 2025-03-30 = 1743296400.
    // Date 2025-03-30: start 02:00 BST = 01:00 UTC = 1743296400;
    //   end 2025-03-31 01:30 BST = 00:30 UTC = 1743292800 + 86400 + 1800 = 1743381000:
    //   47 slots from 1743296400. The slot 1743296400 is in both: 93 in the union.
    let d1 = one_date("2025-03-29", "02:00", "01:30", "Europe/London");
    let d2 = one_date("2025-03-30", "02:00", "01:30", "Europe/London");
    assert_eq!(d1, run(1743213600, 47));
    assert_eq!(d2, run(1743296400, 47));
    let g = grid(
        &["2025-03-29", "2025-03-30"],
        "02:00",
        "01:30",
        "Europe/London",
    )
    .unwrap();
    assert_eq!(g, run(1743213600, 93));
}

// ---------------------------------------------------------------- odd offsets

#[test]
fn os_grid_4_lord_howe_half_hour_dst_full_day_is_49_slots() {
    // Australia/Lord_Howe: standard +10:30, DST +11:00; rule LH ends DST on the
    // first Sunday of April at 02:00 wall: 2025-04-06 02:00 (+11) -> 01:30 (+10:30).
    // Start 2025-04-06 00:00 +11 = 2025-04-05 13:00 UTC = 1743811200 + 46800 = 1743858000.
    // End 2025-04-07 00:00 +10:30 = 2025-04-06 13:30 UTC = 1743946200: 24.5 h = 49 slots.
    let g = grid(&["2025-04-06"], "00:00", "00:00", "Australia/Lord_Howe").unwrap();
    assert_eq!(g, run(1743858000, 49));
}

#[test]
fn os_grid_4_troll_two_hour_dst() {
    // Antarctica/Troll: +00 in winter, +02 from last Sunday of March 01:00 UTC
    // to last Sunday of October 01:00 UTC.
    // 2025-03-30: start 00:00 +00 = 1743292800; end 2025-03-31 00:00 +02 =
    //   2025-03-30 22:00 UTC = 1743372000: 22 h = 44 slots.
    let g = grid(&["2025-03-30"], "00:00", "00:00", "Antarctica/Troll").unwrap();
    assert_eq!(g, run(1743292800, 44));
    // 2025-10-26: start 00:00 +02 = 2025-10-25 22:00 UTC = 1761429600; end
    //   2025-10-27 00:00 +00 = 1761523200: 26 h = 52 slots.
    let g = grid(&["2025-10-26"], "00:00", "00:00", "Antarctica/Troll").unwrap();
    assert_eq!(g, run(1761429600, 52));
}

#[test]
fn os_grid_2_kolkata_half_hour_offset() {
    // Asia/Kolkata: +05:30 all year since 1945. 2025-06-02 09:00 = 03:30 UTC =
    // 1748822400 + 12600 = 1748835000.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "Asia/Kolkata").unwrap();
    assert_eq!(g, vec![1748835000, 1748836800]);
}

#[test]
fn os_grid_2_kathmandu_45_minute_offset() {
    // Asia/Kathmandu: +05:45 since 1986. 2025-06-02 09:00 = 03:15 UTC =
    // 1748822400 + 11700 = 1748834100.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "Asia/Kathmandu").unwrap();
    assert_eq!(g, vec![1748834100, 1748835900]);
}

#[test]
fn os_grid_6_kathmandu_1986_offset_change_lists_both_grids() {
    // Asia/Kathmandu: "5:30 - +0530 1986" then "5:45 - +0545": +05:30 until
    // 1986-01-01 00:00 local, +05:45 after.
    // 1985-12-31 09:00 +05:30 = 03:30 UTC = 504835200 + 12600 = 504847800.
    // 1986-01-01 09:00 +05:45 = 03:15 UTC = 504921600 + 11700 = 504933300.
    let g = grid(
        &["1985-12-31", "1986-01-01"],
        "09:00",
        "10:00",
        "Asia/Kathmandu",
    )
    .unwrap();
    assert_eq!(g, vec![504847800, 504849600, 504933300, 504935100]);
    // The second date's slots are 15 minutes off the first date's grid.
    assert_eq!((504933300 - 504847800) % SLOT_SECONDS, 900);
}

#[test]
fn os_grid_2_chatham_45_minute_offset() {
    // Pacific/Chatham: standard +12:45 (April to September), so 2025-06-02
    // 09:00 = 2025-06-01 20:15 UTC = 1748822400 - 13500 = 1748808900.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "Pacific/Chatham").unwrap();
    assert_eq!(g, vec![1748808900, 1748810700]);
}

#[test]
fn os_grid_2_fixed_offsets() {
    // +05:30: 2025-06-02 09:00 = 03:30 UTC = 1748835000.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "+05:30").unwrap();
    assert_eq!(g, vec![1748835000, 1748836800]);
    // -03:00: 2025-06-02 09:00 = 12:00 UTC = 1748822400 + 43200 = 1748865600.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "-03:00").unwrap();
    assert_eq!(g, vec![1748865600, 1748867400]);
    // +00:00 and -00:00 are both UTC: 09:00 = 1748854800.
    for z in ["+00:00", "-00:00"] {
        let g = grid(&["2025-06-02"], "09:00", "10:00", z).unwrap();
        assert_eq!(g, vec![1748854800, 1748856600], "{z}");
    }
    // Extremes +23:59 and -23:59 are accepted.
    assert!(parse_zone("+23:59").is_ok());
    assert!(parse_zone("-23:59").is_ok());
}

#[test]
fn os_grid_2_zone_names_are_case_insensitive() {
    // Europe/London 2025-06-02 is BST (+01): 09:00 = 08:00 UTC = 1748851200.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "europe/LONDON").unwrap();
    assert_eq!(g, vec![1748851200, 1748853000]);
    let z = parse_zone("europe/london").unwrap();
    assert_eq!(z.iana_name(), Some("Europe/London"));
    let z = parse_zone("america/NEW_YORK").unwrap();
    assert_eq!(z.iana_name(), Some("America/New_York"));
    // UTC in any case: 09:00 UTC = 1748854800.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "utc").unwrap();
    assert_eq!(g, vec![1748854800, 1748856600]);
}

#[test]
fn os_grid_2_iana_links_are_accepted() {
    // Links in the tzdb "backward" file resolve like their targets.
    // Asia/Calcutta -> Asia/Kolkata (+05:30): 09:00 = 1748835000.
    let g = grid(&["2025-06-02"], "09:00", "10:00", "Asia/Calcutta").unwrap();
    assert_eq!(g, vec![1748835000, 1748836800]);
    for z in ["GMT", "Etc/GMT-14", "Etc/GMT+12", "US/Eastern"] {
        assert!(parse_zone(z).is_ok(), "{z}");
    }
}

#[test]
fn os_grid_2_year_zero_is_supported() {
    // 0000-01-01 (proleptic Gregorian, year 0 is a leap year): 366 days to
    // 0001-01-01, then 719162 days to 1970-01-01, so 00:00 UTC =
    // -719528*86400 = -62167219200 and 09:00 UTC = -62167186800.
    let g = grid(&["0000-01-01"], "09:00", "10:00", "UTC").unwrap();
    assert_eq!(g, vec![-62167186800, -62167185000]);
}

// ---------------------------------------------------------------- parsing

#[test]
fn os_grid_2_parse_date_strict() {
    assert_eq!(
        parse_date("2024-02-29").map(|d| (d.year(), d.month(), d.day())),
        Ok((2024, 2, 29))
    );
    assert!(parse_date("9999-12-31").is_ok());
    for bad in [
        "2025-02-30",
        "2023-02-29",
        "2025-2-3",
        "2025-02-3",
        "20250203",
        "",
        "2025-13-01",
        "2025-00-10",
        "2025-01-00",
        "2025-01-32",
        "+2025-01-01",
        "-2025-01-01",
        "12025-01-01",
        "2025/01/01",
        "2025-01-01T00:00",
        " 2025-01-01",
        "2025-01-01 ",
        "2025-0a-01",
        "\u{ff12}\u{ff10}25-01-01",
    ] {
        assert_eq!(parse_date(bad), Err(GridError::Date), "{bad:?}");
    }
}

#[test]
fn os_grid_2_parse_time_strict() {
    let t = parse_time("09:00:30").unwrap();
    assert_eq!((t.hour(), t.minute(), t.second()), (9, 0, 30));
    assert!(parse_time("00:00").is_ok());
    assert!(parse_time("23:59:59").is_ok());
    for bad in [
        "9:00",
        "09:0",
        "24:00",
        "24:00:00",
        "09:60",
        "09:00:60",
        "23:59:60",
        "09:00.5",
        "09:00:00.5",
        "0900",
        "09:00:",
        "",
        "T09:00",
        "09h00",
        "-1:00",
        " 09:00",
        "09:00Z",
        "09:00+01:00",
    ] {
        assert_eq!(parse_time(bad), Err(GridError::Time), "{bad:?}");
    }
}

#[test]
fn os_grid_2_parse_zone_rejects() {
    for bad in [
        "Mars/Olympus",
        "+5:30",
        "UTC+1",
        "UTC+01:00",
        "",
        "+05",
        "+0530",
        "+05:30:00",
        "+24:00",
        "+05:60",
        "05:30",
        "Etc/Unknown",
        "etc/unknown",
        " Europe/London",
        "Europe/London ",
        "Europe/London\0",
        "../Europe/London",
        "Z",
    ] {
        assert_eq!(parse_zone(bad).err(), Some(GridError::Zone), "{bad:?}");
    }
}

// ---------------------------------------------------------------- errors

#[test]
fn os_grid_2_errors_from_generate() {
    assert_eq!(
        grid(&["2025-02-30"], "09:00", "10:00", "UTC"),
        Err(GridError::Date)
    );
    assert_eq!(
        grid(&["2025-06-02", "2025-2-3"], "09:00", "10:00", "UTC"),
        Err(GridError::Date)
    );
    assert_eq!(
        grid(&["2025-06-02"], "9:00", "10:00", "UTC"),
        Err(GridError::Time)
    );
    assert_eq!(
        grid(&["2025-06-02"], "09:00", "24:00", "UTC"),
        Err(GridError::Time)
    );
    assert_eq!(
        grid(&["2025-06-02"], "09:00", "10:00", "Mars/Olympus"),
        Err(GridError::Zone)
    );
}

#[test]
fn os_grid_2_error_precedence() {
    // Zone before times before dates before the empty list.
    assert_eq!(grid(&["x"], "x", "x", "x"), Err(GridError::Zone));
    assert_eq!(grid(&["x"], "x", "x", "UTC"), Err(GridError::Time));
    assert_eq!(grid(&["x"], "09:00", "x", "UTC"), Err(GridError::Time));
    assert_eq!(grid(&["x"], "09:00", "10:00", "UTC"), Err(GridError::Date));
    assert_eq!(grid(&[], "x", "10:00", "UTC"), Err(GridError::Time));
}

#[test]
fn os_grid_7_empty_date_list() {
    assert_eq!(grid(&[], "09:00", "10:00", "UTC"), Err(GridError::Empty));
    assert_eq!(
        slots_for_dates(
            &[],
            parse_time("09:00").unwrap(),
            parse_time("10:00").unwrap(),
            &parse_zone("UTC").unwrap()
        ),
        Err(GridError::Empty)
    );
}

#[test]
fn os_grid_2_too_many_dates() {
    let dates = vec!["2025-06-02"; MAX_DATES + 1];
    assert_eq!(grid(&dates, "09:00", "10:00", "UTC"), Err(GridError::Date));
    // Exactly MAX_DATES is accepted (identical dates collapse: 09:00 UTC = 1748854800).
    let dates = vec!["2025-06-02"; MAX_DATES];
    assert_eq!(
        grid(&dates, "09:00", "10:00", "UTC"),
        Ok(vec![1748854800, 1748856600])
    );
}

#[test]
fn os_grid_2_max_distinct_full_days() {
    // 10,000 consecutive full UTC days from 2000-01-01 tile 480,000 slots.
    // 2000-01-01T00:00Z = 10957 days * 86400 = 946684800.
    let mut d = parse_date("2000-01-01").unwrap();
    let mut dates = Vec::with_capacity(MAX_DATES);
    for _ in 0..MAX_DATES {
        dates.push(d.to_string());
        d = d.tomorrow().unwrap();
    }
    let g = generate_owned(&dates, "00:00", "00:00", "UTC").unwrap();
    assert_eq!(g.len(), 480_000);
    assert_eq!(g.first(), Some(&946684800));
    assert_eq!(g.last(), Some(&(946684800 + 479_999 * 1800)));
}

#[test]
fn os_grid_2_out_of_range_instants_are_grid_date() {
    // jiff's last instant is 9999-12-30T22:00Z: 9999-12-31 cannot be resolved.
    assert_eq!(
        grid(&["9999-12-31"], "09:00", "10:00", "UTC"),
        Err(GridError::Date)
    );
    // Overnight from 9999-12-31 needs 10000-01-01.
    assert_eq!(
        grid(&["9999-12-31"], "09:00", "09:00", "+05:00"),
        Err(GridError::Date)
    );
    assert_eq!(
        grid(&["9999-12-30"], "23:00", "23:30", "UTC"),
        Err(GridError::Date)
    );
}

#[test]
fn os_grid_2_owned_and_generic_entry_points_agree() {
    let owned = vec!["2025-06-02".to_string()];
    let a = generate_owned(&owned, "09:00", "10:00", "UTC");
    let b = generate_from(&owned, "09:00", "10:00", "UTC");
    let c = grid(&["2025-06-02"], "09:00", "10:00", "UTC");
    assert_eq!(a, c);
    assert_eq!(b, c);
}

#[test]
fn os_grid_errors_map_to_spec_codes() {
    let cases = [
        (GridError::Date, ErrorCode::GridDate, "OS-GRID-2"),
        (GridError::Time, ErrorCode::GridTime, "OS-GRID-2"),
        (GridError::Zone, ErrorCode::GridZone, "OS-GRID-2"),
        (GridError::Empty, ErrorCode::GridEmpty, "OS-GRID-7"),
    ];
    for (e, code, req) in cases {
        assert_eq!(e.code(), code);
        assert_eq!(e.requirement(), req);
        let shown = e.to_string();
        assert!(shown.contains(code.as_str()), "{shown}");
        assert!(shown.contains(req), "{shown}");
    }
}

// ---------------------------------------------------------------- properties

const ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
    "Antarctica/Troll",
];

fn date_str() -> impl Strategy<Value = String> {
    (1970i16..=2100, 1i8..=12, 1i8..=31)
        .prop_filter("valid date", |&(y, m, d)| {
            jiff::civil::Date::new(y, m, d).is_ok()
        })
        .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn time_str() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u8..24, 0u8..60).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        (0u8..24, 0u8..60, 0u8..60).prop_map(|(h, m, s)| format!("{h:02}:{m:02}:{s:02}")),
        // Times near the usual transition hours.
        (0u8..4, prop::sample::select(vec![0u8, 15, 30, 45]))
            .prop_map(|(h, m)| format!("{h:02}:{m:02}")),
    ]
}

/// Dates that hit the zones' 2025 transitions often.
fn transition_date_str() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "2025-03-08",
        "2025-03-09",
        "2025-03-29",
        "2025-03-30",
        "2025-04-05",
        "2025-04-06",
        "2025-09-27",
        "2025-09-28",
        "2025-10-04",
        "2025-10-05",
        "2025-10-25",
        "2025-10-26",
        "2025-11-01",
        "2025-11-02",
        "1985-12-31",
        "1986-01-01",
    ])
    .prop_map(str::to_string)
}

fn fuzz_str() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9:+\\-T. Z]{0,12}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[0-9]{2}:[0-9]{2}(:[0-9]{2})?",
        "[+-][0-9]{2}:[0-9]{2}",
        "[A-Za-z_/+\\-0-9]{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn os_grid_5_6_invariants(
        dates in prop::collection::vec(prop_oneof![date_str(), transition_date_str()], 1..5),
        start in time_str(),
        end in time_str(),
        zone in prop::sample::select(ZONES),
    ) {
        let tz = parse_zone(zone).unwrap();
        let st = parse_time(&start).unwrap();
        let en = parse_time(&end).unwrap();
        let mut union = Vec::new();
        for d in &dates {
            let date = parse_date(d).unwrap();
            let (rs, re) = range_for_date(date, st, en, &tz).unwrap();
            let slots = slots_for_date(date, st, en, &tz).unwrap();
            // OS-GRID-5: every slot in [range start, range end), 1800 s apart,
            // starting at the range start, none missing at the end.
            for s in &slots {
                prop_assert!(rs <= *s && *s < re, "{s} not in [{rs}, {re})");
            }
            for w in slots.windows(2) {
                prop_assert_eq!(w[1] - w[0], SLOT_SECONDS);
            }
            if re > rs {
                prop_assert_eq!(slots.first(), Some(&rs));
                let last = *slots.last().unwrap();
                prop_assert!(last + SLOT_SECONDS >= re);
            } else {
                prop_assert!(slots.is_empty());
            }
            // OS-GRID-4: a range never spans more than a day plus a transition.
            prop_assert!(re - rs <= 26 * 3600 + 1800);
            union.extend(slots);
        }
        union.sort_unstable();
        union.dedup();
        let refs: Vec<&str> = dates.iter().map(String::as_str).collect();
        match grid(&refs, &start, &end, zone) {
            Ok(g) => {
                // OS-GRID-6: strictly increasing and exactly the union.
                for w in g.windows(2) {
                    prop_assert!(w[0] < w[1]);
                }
                prop_assert_eq!(g, union);
            }
            Err(e) => {
                // OS-GRID-7: the only possible failure on valid input.
                prop_assert_eq!(e, GridError::Empty);
                prop_assert!(union.is_empty());
            }
        }
    }

    #[test]
    fn os_grid_2_fuzz_never_panics(
        dates in prop::collection::vec(fuzz_str(), 0..4),
        start in fuzz_str(),
        end in fuzz_str(),
        zone in fuzz_str(),
    ) {
        let _ = parse_zone(&zone);
        let _ = parse_time(&start);
        for d in &dates {
            let _ = parse_date(d);
        }
        let refs: Vec<&str> = dates.iter().map(String::as_str).collect();
        let _ = grid(&refs, &start, &end, &zone);
    }

    #[test]
    fn os_grid_2_any_valid_date_and_offset_never_panics(
        y in 0i16..=9999,
        m in 1i8..=12,
        d in 1i8..=31,
        start in time_str(),
        end in time_str(),
        sign in prop::sample::select(vec!['+', '-']),
        oh in 0u8..24,
        om in 0u8..60,
    ) {
        let date = format!("{y:04}-{m:02}-{d:02}");
        let zone = format!("{sign}{oh:02}:{om:02}");
        prop_assert!(parse_zone(&zone).is_ok());
        match grid(&[date.as_str()], &start, &end, &zone) {
            Ok(g) => prop_assert!(!g.is_empty()),
            Err(e) => prop_assert!(matches!(e, GridError::Date | GridError::Empty)),
        }
    }
}
