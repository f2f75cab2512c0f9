//! `grid.json`: the slot grid (spec §9). Every valid case carries a value
//! worked by hand from the zone's published rules; `hand_checks` compares.

use openslots::grid;
use openslots_vectors::{GridExpected, GridFile, GridInput, Nothing};

use crate::fixtures::code;
use crate::{Expect, Suite};

/// A grid case: inputs, requirement IDs, and the hand-worked expectation
/// `(first slot, number of slots, every gap 1800 s?)`, or the error code.
pub(crate) struct GridCase {
    pub comment: &'static str,
    pub how: &'static str,
    pub dates: &'static [&'static str],
    pub start: &'static str,
    pub end: &'static str,
    pub zone: &'static str,
    pub reqs: &'static [&'static str],
    pub hand: Result<(i64, usize, bool), &'static str>,
}

macro_rules! g {
    ($c:expr, $how:expr, [$($d:expr),*], $s:expr, $e:expr, $z:expr, [$($r:expr),*], $hand:expr) => {
        GridCase { comment: $c, how: $how, dates: &[$($d),*], start: $s, end: $e, zone: $z, reqs: &[$($r),*], hand: $hand }
    };
}

/// The cases, with their hand-worked values.
pub(crate) fn cases() -> Vec<GridCase> {
    vec![
        g!(
            "plain day in Berlin",
            "CEST = UTC+2 in June: 09:00 = 07:00Z = 1748847600; 09:00-11:00 is 4 slots",
            ["2025-06-02"],
            "09:00",
            "11:00",
            "Europe/Berlin",
            ["OS-GRID-1", "OS-GRID-2", "OS-GRID-5", "OS-GRID-7"],
            Ok((1_748_847_600, 4, true))
        ),
        g!(
            "partial last slot included",
            "09:00-09:45 CEST: 09:00 and 09:30 start before 09:45",
            ["2025-06-02"],
            "09:00",
            "09:45",
            "Europe/Berlin",
            ["OS-GRID-5"],
            Ok((1_748_847_600, 2, true))
        ),
        g!(
            "seconds are kept",
            "09:00:30 CEST = 1748847630; 09:00:30-10:00:30 is 2 slots",
            ["2025-06-02"],
            "09:00:30",
            "10:00:30",
            "Europe/Berlin",
            ["OS-GRID-2"],
            Ok((1_748_847_630, 2, true))
        ),
        g!(
            "end equal to start: a full day in UTC",
            "2025-06-02 00:00Z = 1748822400; 24 h = 48 slots",
            ["2025-06-02"],
            "00:00",
            "00:00",
            "UTC",
            ["OS-GRID-4"],
            Ok((1_748_822_400, 48, true))
        ),
        g!(
            "full day on London's spring-forward day",
            "2025-03-30 00:00 GMT = 1743292800 to 03-31 00:00 BST = 1743375600: 23 h = 46 slots",
            ["2025-03-30"],
            "00:00",
            "00:00",
            "Europe/London",
            ["OS-GRID-4"],
            Ok((1_743_292_800, 46, true))
        ),
        g!(
            "full day on London's fall-back day",
            "2025-10-26 00:00 BST = 1761433200 to 10-27 00:00 GMT = 1761523200: 25 h = 50 slots",
            ["2025-10-26"],
            "00:00",
            "00:00",
            "Europe/London",
            ["OS-GRID-4"],
            Ok((1_761_433_200, 50, true))
        ),
        g!(
            "start inside the gap moves forward",
            "01:30 does not exist on 2025-03-30 in London; it becomes 02:30 BST = 01:30Z = 1743298200; to 04:00 BST = 03:00Z: 3 slots",
            ["2025-03-30"],
            "01:30",
            "04:00",
            "Europe/London",
            ["OS-GRID-3"],
            Ok((1_743_298_200, 3, true))
        ),
        g!(
            "range wholly inside the gap: no slots",
            "01:00 -> 02:00 BST = 01:00Z and 02:00 BST = 01:00Z: empty range",
            ["2025-03-30"],
            "01:00",
            "02:00",
            "Europe/London",
            ["OS-GRID-3", "OS-GRID-5", "OS-GRID-7"],
            Err("grid-empty")
        ),
        g!(
            "gap day plus a normal day",
            "the gap day gives nothing; 2025-03-31 01:00 BST = 00:00Z = 1743379200: 2 slots",
            ["2025-03-30", "2025-03-31"],
            "01:00",
            "02:00",
            "Europe/London",
            ["OS-GRID-5", "OS-GRID-6"],
            Ok((1_743_379_200, 2, true))
        ),
        g!(
            "ambiguous start takes the earlier offset",
            "2025-10-26 01:00 is first BST (00:00Z = 1761436800); 02:00 GMT = 02:00Z: 4 slots of absolute time",
            ["2025-10-26"],
            "01:00",
            "02:00",
            "Europe/London",
            ["OS-GRID-3", "OS-GRID-5"],
            Ok((1_761_436_800, 4, true))
        ),
        g!(
            "overnight across New York's spring forward",
            "2025-03-08 22:00 EST = 03:00Z = 1741489200 to 03-09 04:00 EDT = 08:00Z: 5 h = 10 slots",
            ["2025-03-08"],
            "22:00",
            "04:00",
            "America/New_York",
            ["OS-GRID-4"],
            Ok((1_741_489_200, 10, true))
        ),
        g!(
            "overnight across New York's fall back",
            "2025-11-01 22:00 EDT = 02:00Z = 1762048800 to 11-02 04:00 EST = 09:00Z: 7 h = 14 slots",
            ["2025-11-01"],
            "22:00",
            "04:00",
            "America/New_York",
            ["OS-GRID-4"],
            Ok((1_762_048_800, 14, true))
        ),
        g!(
            "overnight ranges on two dates, given out of order",
            "UTC 22:00-02:00 on 06-02 (1748901600) and 06-03: 8 + 8 slots, sorted",
            ["2025-06-03", "2025-06-02"],
            "22:00",
            "02:00",
            "UTC",
            ["OS-GRID-4", "OS-GRID-6"],
            Ok((1_748_901_600, 16, false))
        ),
        g!(
            "full days on consecutive dates tile",
            "UTC 20:00-20:00 on 06-02 and 06-03: 96 contiguous slots from 1748894400",
            ["2025-06-02", "2025-06-03"],
            "20:00",
            "20:00",
            "UTC",
            ["OS-GRID-4", "OS-GRID-6"],
            Ok((1_748_894_400, 96, true))
        ),
        g!(
            "the same date twice gives its slots once",
            "UTC 09:00-10:00 = 1748854800, 2 slots, deduplicated",
            ["2025-06-02", "2025-06-02"],
            "09:00",
            "10:00",
            "UTC",
            ["OS-GRID-6"],
            Ok((1_748_854_800, 2, true))
        ),
        g!(
            "overlapping ranges around a gap are merged",
            "03-29 02:00 GMT = 1743213600 to the gap-shifted 03-30 01:30 -> 02:30 BST = 1743298200 (47 slots); 03-30 02:00 -> 1743296400 to 03-31 01:30 BST (47 slots); one slot shared: 93",
            ["2025-03-29", "2025-03-30"],
            "02:00",
            "01:30",
            "Europe/London",
            ["OS-GRID-3", "OS-GRID-6"],
            Ok((1_743_213_600, 93, true))
        ),
        g!(
            "30-minute DST change: Lord Howe",
            "DST ends 2025-04-06 02:00 (+11) -> 01:30 (+10:30): 00:00 +11 = 1743858000 to 04-07 00:00 +10:30 = 1743946200: 24.5 h = 49 slots",
            ["2025-04-06"],
            "00:00",
            "00:00",
            "Australia/Lord_Howe",
            ["OS-GRID-4"],
            Ok((1_743_858_000, 49, true))
        ),
        g!(
            "two-hour DST change: Troll",
            "Antarctica/Troll goes +00 -> +02 on 2025-03-30 01:00Z: 00:00Z = 1743292800, 22 h = 44 slots",
            ["2025-03-30"],
            "00:00",
            "00:00",
            "Antarctica/Troll",
            ["OS-GRID-4"],
            Ok((1_743_292_800, 44, true))
        ),
        g!(
            "half-hour offset zone",
            "Asia/Kolkata +05:30: 09:00 = 03:30Z = 1748835000",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "Asia/Kolkata",
            ["OS-GRID-2"],
            Ok((1_748_835_000, 2, true))
        ),
        g!(
            "45-minute offset zone",
            "Asia/Kathmandu +05:45: 09:00 = 03:15Z = 1748834100",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "Asia/Kathmandu",
            ["OS-GRID-2"],
            Ok((1_748_834_100, 2, true))
        ),
        g!(
            "Kathmandu's 1986 change shifts the grid by 15 minutes",
            "1985-12-31 09:00 +05:30 = 504847800; 1986-01-01 09:00 +05:45 = 504933300, 900 s off the first date's grid",
            ["1985-12-31", "1986-01-01"],
            "09:00",
            "10:00",
            "Asia/Kathmandu",
            ["OS-GRID-2", "OS-GRID-6"],
            Ok((504_847_800, 4, false))
        ),
        g!(
            "Chatham +12:45",
            "Pacific/Chatham in June (standard, +12:45): 09:00 = 20:15Z the day before = 1748808900",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "Pacific/Chatham",
            ["OS-GRID-2"],
            Ok((1_748_808_900, 2, true))
        ),
        g!(
            "fixed offset +05:30",
            "+05:30: 09:00 = 03:30Z = 1748835000",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "+05:30",
            ["OS-GRID-2"],
            Ok((1_748_835_000, 2, true))
        ),
        g!(
            "fixed offset -03:00",
            "-03:00: 09:00 = 12:00Z = 1748865600",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "-03:00",
            ["OS-GRID-2"],
            Ok((1_748_865_600, 2, true))
        ),
        g!(
            "zone names are case-insensitive",
            "europe/LONDON = Europe/London, BST in June: 09:00 = 08:00Z = 1748851200",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "europe/LONDON",
            ["OS-GRID-2"],
            Ok((1_748_851_200, 2, true))
        ),
        g!(
            "a zone link name",
            "Asia/Calcutta is a link to Asia/Kolkata",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "Asia/Calcutta",
            ["OS-GRID-2"],
            Ok((1_748_835_000, 2, true))
        ),
        g!(
            "invalid date: February 30",
            "no such day",
            ["2025-02-30"],
            "09:00",
            "10:00",
            "UTC",
            ["OS-GRID-2"],
            Err("grid-date")
        ),
        g!(
            "invalid date: no zero padding",
            "YYYY-MM-DD only",
            ["2025-2-3"],
            "09:00",
            "10:00",
            "UTC",
            ["OS-GRID-2"],
            Err("grid-date")
        ),
        g!(
            "invalid date: basic format",
            "YYYY-MM-DD only",
            ["20250203"],
            "09:00",
            "10:00",
            "UTC",
            ["OS-GRID-2"],
            Err("grid-date")
        ),
        g!(
            "invalid time: single-digit hour",
            "HH:MM only",
            ["2025-06-02"],
            "9:00",
            "10:00",
            "UTC",
            ["OS-GRID-2"],
            Err("grid-time")
        ),
        g!(
            "invalid time: 24:00",
            "hours 00-23",
            ["2025-06-02"],
            "09:00",
            "24:00",
            "UTC",
            ["OS-GRID-2"],
            Err("grid-time")
        ),
        g!(
            "invalid time: minute 60",
            "minutes 00-59",
            ["2025-06-02"],
            "09:60",
            "10:00",
            "UTC",
            ["OS-GRID-2"],
            Err("grid-time")
        ),
        g!(
            "invalid time: fractional seconds",
            "no fractions",
            ["2025-06-02"],
            "09:00:00.5",
            "10:00",
            "UTC",
            ["OS-GRID-2"],
            Err("grid-time")
        ),
        g!(
            "unknown zone",
            "not in the IANA database",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "Mars/Olympus",
            ["OS-GRID-2"],
            Err("grid-zone")
        ),
        g!(
            "offset without zero padding",
            "+HH:MM only",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "+5:30",
            ["OS-GRID-2"],
            Err("grid-zone")
        ),
        g!(
            "offset written UTC+1",
            "+HH:MM only",
            ["2025-06-02"],
            "09:00",
            "10:00",
            "UTC+1",
            ["OS-GRID-2"],
            Err("grid-zone")
        ),
        g!(
            "no dates",
            "an empty grid",
            [],
            "09:00",
            "10:00",
            "UTC",
            ["OS-GRID-7"],
            Err("grid-empty")
        ),
        // Added after the first set: a second case, in another zone, for
        // rules that a single case pinned.
        g!(
            "ambiguous start takes the earlier offset, southern hemisphere",
            "Sydney falls back on 2025-04-06 at 03:00 AEDT to 02:00 AEST (a DST end); 02:30 is first AEDT (UTC+11: 04-05 15:30Z = 1743867000); 03:00 AEST = 17:00Z: 3 slots of absolute time",
            ["2025-04-06"],
            "02:30",
            "03:00",
            "Australia/Sydney",
            ["OS-GRID-3", "OS-GRID-5"],
            Ok((1_743_867_000, 3, true))
        ),
        g!(
            "partial last slot included, quarter-hour offset",
            "09:00-10:10 in Kathmandu (UTC+05:45): 09:00 = 03:15Z = 1748834100; 09:00, 09:30 and 10:00 start before 10:10",
            ["2025-06-02"],
            "09:00",
            "10:10",
            "Asia/Kathmandu",
            ["OS-GRID-5"],
            Ok((1_748_834_100, 3, true))
        ),
        g!(
            "two faults, zone and start time: the zone is checked first",
            "step 2 of §9.3 (zone) comes before step 3 (times)",
            ["2025-06-02"],
            "25:00",
            "10:00",
            "Mars/Olympus_Mons",
            ["OS-GRID-2", "OS-GRID-9"],
            Err("grid-zone")
        ),
        g!(
            "two faults, start time and date: the times are checked first",
            "step 3 of §9.3 (times) comes before step 4 (dates)",
            ["2025-02-30"],
            "25:00",
            "10:00",
            "UTC",
            ["OS-GRID-2", "OS-GRID-9"],
            Err("grid-time")
        ),
    ]
}

pub(crate) fn suite() -> GridFile {
    let mut s: Suite<GridInput, Nothing, GridExpected> = Suite::new("grid");
    s.note(
        "Dst",
        "The range crosses or touches a daylight-saving transition.",
    );
    for c in cases() {
        let outcome = grid::generate(&grid::GridRequest {
            dates: c.dates,
            start: c.start,
            end: c.end,
            zone: c.zone,
        })
        .map(|slots| GridExpected { slots: Some(slots) })
        .map_err(|e| code(&e));
        check_by_hand(&c, &outcome);
        let dst = c.how.contains("DST")
            || c.how.contains("BST")
            || c.how.contains("EDT")
            || c.how.contains("gap");
        s.push(
            "any",
            "generate_grid",
            format!("{}; by hand: {}", c.comment, c.how),
            if dst { &["Dst"] } else { &[] },
            c.reqs,
            GridInput {
                dates: Some(c.dates.iter().map(|d| (*d).to_owned()).collect()),
                start: Some(c.start.into()),
                end: Some(c.end.into()),
                zone: Some(c.zone.into()),
            },
            None,
            outcome,
            Expect::Reference,
        );
    }
    s.finish()
}

/// Fails generation when the reference disagrees with the hand-worked value.
fn check_by_hand(c: &GridCase, outcome: &Result<GridExpected, String>) {
    match (&c.hand, outcome) {
        (Ok((first, count, uniform)), Ok(GridExpected { slots: Some(slots) })) => {
            assert_eq!(slots.first(), Some(first), "{}: first slot", c.comment);
            assert_eq!(slots.len(), *count, "{}: slot count", c.comment);
            if *uniform {
                assert!(
                    slots.windows(2).all(|w| w[1] - w[0] == 1800),
                    "{}: spacing",
                    c.comment
                );
            }
            assert!(
                slots.windows(2).all(|w| w[0] < w[1]),
                "{}: ascending",
                c.comment
            );
        }
        (Err(want), Err(got)) => assert_eq!(want, got, "{}", c.comment),
        (want, got) => panic!("{}: by hand {want:?}, reference {got:?}", c.comment),
    }
}
