//! The slot grid (spec §9): the candidate time slots of a meeting poll, built
//! from a list of dates, a daily start and end wall time and a time zone,
//! exactly as the deployed web app builds them with Temporal's
//! `ZonedDateTime`.
//!
//! * [OS-GRID-1] A slot is [`SLOT_SECONDS`] (1800) seconds long and is
//!   identified by its start instant in Unix seconds (`i64`).
//! * [OS-GRID-2] Inputs are strict: dates are `YYYY-MM-DD` ([`parse_date`]),
//!   wall times are `HH:MM` or `HH:MM:SS` from `00:00` to `23:59:59`
//!   ([`parse_time`]), and the zone is an IANA name matched without regard to
//!   ASCII case or a fixed offset `+HH:MM` / `-HH:MM` ([`parse_zone`]).
//!   Seconds are kept.
//! * [OS-GRID-3] Each date's range starts at the start wall time on that date,
//!   resolved with Temporal's `"compatible"` disambiguation: a wall time in a
//!   gap moves forward by the gap's length, an ambiguous wall time in an
//!   overlap takes the earlier offset (its first occurrence).
//! * [OS-GRID-4] If the end wall time is at or before the start wall time, the
//!   range ends at the end wall time on the following date (an overnight
//!   range; `end == start` is a full day); otherwise it ends on the same date.
//!   The end is resolved with the same rule.
//! * [OS-GRID-5] Slots are `start + k * 1800` seconds in absolute time for
//!   `k = 0, 1, 2, ...` while the slot start is strictly before the range end
//!   (a partial last slot is included; a range that resolves to nothing, e.g.
//!   one wholly inside a gap, gives no slot).
//! * [OS-GRID-6] The grid is the union over all dates, sorted ascending, with
//!   duplicates removed.
//! * [OS-GRID-7] A grid without any slot (including an empty date list) is an
//!   error.
//!
//! Zones are always looked up in the IANA database bundled into `jiff`
//! ([`TimeZoneDatabase::bundled`]), never in the machine's zoneinfo, so the
//! grid does not depend on where it is computed.
//!
//! Dates and instants outside what `jiff` supports (roughly the years -9999 to
//! 9999) give [`GridError::Date`], and at most [`MAX_DATES`] dates are
//! accepted, so no input can panic or exhaust memory.

use jiff::{
    civil::{Date, DateTime, Time},
    tz::{Offset, TimeZone, TimeZoneDatabase},
};

use crate::{ErrorCode, SLOT_SECONDS, SpecError};

/// The largest number of dates one grid may have (more is [`GridError::Date`]).
pub const MAX_DATES: usize = 10_000;

/// Why a grid could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GridError {
    /// `grid-date` (OS-GRID-2): a date is not a strict `YYYY-MM-DD` calendar
    /// date, lies (or makes an instant lie) outside the supported range, or
    /// there are more than [`MAX_DATES`] dates.
    #[error("grid-date (OS-GRID-2): date is not a valid YYYY-MM-DD calendar date in range")]
    Date,
    /// `grid-time` (OS-GRID-2): a start or end time is not a strict `HH:MM` or
    /// `HH:MM:SS` wall time from `00:00` to `23:59:59`.
    #[error("grid-time (OS-GRID-2): time is not a valid HH:MM or HH:MM:SS wall time")]
    Time,
    /// `grid-zone` (OS-GRID-2): the zone is neither an IANA time zone name
    /// nor a fixed offset `+HH:MM` / `-HH:MM`.
    #[error("grid-zone (OS-GRID-2): time zone is not an IANA name or a +HH:MM/-HH:MM offset")]
    Zone,
    /// `grid-empty` (OS-GRID-7): the grid has no slot at all (this includes
    /// an empty list of dates).
    #[error("grid-empty (OS-GRID-7): the grid has no slot")]
    Empty,
}

impl SpecError for GridError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Date => ErrorCode::GridDate,
            Self::Time => ErrorCode::GridTime,
            Self::Zone => ErrorCode::GridZone,
            Self::Empty => ErrorCode::GridEmpty,
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Date | Self::Time | Self::Zone => "OS-GRID-2",
            Self::Empty => "OS-GRID-7",
        }
    }
}

/// Reads exactly two ASCII digits.
fn two_digits(b: &[u8]) -> Option<i8> {
    match b {
        [h @ b'0'..=b'9', l @ b'0'..=b'9'] => i8::try_from((h - b'0') * 10 + (l - b'0')).ok(),
        _ => None,
    }
}

/// Reads exactly four ASCII digits.
fn four_digits(b: &[u8]) -> Option<i16> {
    match b {
        [a, b, c, d] => {
            let hi = i16::from(two_digits(&[*a, *b])?);
            let lo = i16::from(two_digits(&[*c, *d])?);
            Some(hi * 100 + lo)
        }
        _ => None,
    }
}

/// Parses a time zone (OS-GRID-2).
///
/// Accepts an IANA time zone name from the IANA database bundled into `jiff`,
/// matched without regard to ASCII case (`europe/london` gives
/// `Europe/London`), or a fixed offset written exactly `+HH:MM` or `-HH:MM`
/// with `HH` in `00..=23` and `MM` in `00..=59` (e.g. `+05:30`). Nothing else
/// is accepted: no `+0530`, `+5:30`, `+05`, `UTC+1`, and not `jiff`'s
/// `Etc/Unknown` sentinel, which is not an IANA zone.
///
/// # Errors
///
/// [`GridError::Zone`] if the name is neither.
pub fn parse_zone(name: &str) -> Result<TimeZone, GridError> {
    match name.as_bytes() {
        [sign @ (b'+' | b'-'), rest @ ..] => parse_offset(*sign, rest),
        _ => {
            if name.eq_ignore_ascii_case("Etc/Unknown") {
                return Err(GridError::Zone);
            }
            TimeZoneDatabase::bundled()
                .get(name)
                .map_err(|_| GridError::Zone)
        }
    }
}

/// Parses the `HH:MM` part of a fixed offset whose sign has been read.
fn parse_offset(sign: u8, rest: &[u8]) -> Result<TimeZone, GridError> {
    let [h1, h2, b':', m1, m2] = rest else {
        return Err(GridError::Zone);
    };
    let hours = two_digits(&[*h1, *h2]).ok_or(GridError::Zone)?;
    let minutes = two_digits(&[*m1, *m2]).ok_or(GridError::Zone)?;
    if hours > 23 || minutes > 59 {
        return Err(GridError::Zone);
    }
    let magnitude = i32::from(hours) * 3600 + i32::from(minutes) * 60;
    let seconds = if sign == b'-' { -magnitude } else { magnitude };
    let offset = Offset::from_seconds(seconds).map_err(|_| GridError::Zone)?;
    Ok(TimeZone::fixed(offset))
}

/// Parses a date written strictly `YYYY-MM-DD` (OS-GRID-2).
///
/// The year has exactly four digits (`0000` to `9999`), month and day exactly
/// two, and the date must exist in the proleptic Gregorian calendar
/// (`2025-02-30` does not).
///
/// # Errors
///
/// [`GridError::Date`] for anything else.
pub fn parse_date(s: &str) -> Result<Date, GridError> {
    let [y @ .., b'-', m1, m2, b'-', d1, d2] = s.as_bytes() else {
        return Err(GridError::Date);
    };
    let year = four_digits(y).ok_or(GridError::Date)?;
    let month = two_digits(&[*m1, *m2]).ok_or(GridError::Date)?;
    let day = two_digits(&[*d1, *d2]).ok_or(GridError::Date)?;
    Date::new(year, month, day).map_err(|_| GridError::Date)
}

/// Parses a wall time written strictly `HH:MM` or `HH:MM:SS` (OS-GRID-2).
///
/// Hours are `00..=23`, minutes and seconds `00..=59`; there is no `24:00`,
/// no leap second, no fractional second and no single-digit field.
///
/// # Errors
///
/// [`GridError::Time`] for anything else.
pub fn parse_time(s: &str) -> Result<Time, GridError> {
    let (h, m, sec) = match s.as_bytes() {
        [h1, h2, b':', m1, m2] => ([*h1, *h2], [*m1, *m2], [b'0', b'0']),
        [h1, h2, b':', m1, m2, b':', s1, s2] => ([*h1, *h2], [*m1, *m2], [*s1, *s2]),
        _ => return Err(GridError::Time),
    };
    let hour = two_digits(&h).ok_or(GridError::Time)?;
    let minute = two_digits(&m).ok_or(GridError::Time)?;
    let second = two_digits(&sec).ok_or(GridError::Time)?;
    // `Time::new` rejects hour > 23, minute > 59 and second > 59.
    Time::new(hour, minute, second, 0).map_err(|_| GridError::Time)
}

/// Resolves a wall-clock date and time in `zone` to Unix seconds with
/// Temporal's `"compatible"` disambiguation (OS-GRID-3).
///
/// In a gap the offset in force before the gap is used, which moves the wall
/// time forward by the gap's length; in an overlap the offset in force before
/// it is used, which picks the first occurrence.
///
/// # Errors
///
/// [`GridError::Date`] if the instant is outside what `jiff` supports.
pub fn resolve(date: Date, time: Time, zone: &TimeZone) -> Result<i64, GridError> {
    zone.to_ambiguous_timestamp(DateTime::from_parts(date, time))
        .compatible()
        .map(|ts| ts.as_second())
        .map_err(|_| GridError::Date)
}

/// The range `[start, end)` in Unix seconds that one date contributes
/// (OS-GRID-3, OS-GRID-4).
///
/// The start is `start` on `date`; the end is `end` on `date` if `end` is
/// after `start` as wall times, otherwise `end` on the following date. Both
/// are resolved with [`resolve`]. The end may be at or before the start
/// (for example when the whole range lies in a gap); such a range holds no
/// slot.
///
/// # Errors
///
/// [`GridError::Date`] if the following date or either instant is outside
/// what `jiff` supports.
pub fn range_for_date(
    date: Date,
    start: Time,
    end: Time,
    zone: &TimeZone,
) -> Result<(i64, i64), GridError> {
    let range_start = resolve(date, start, zone)?;
    let end_date = if end <= start {
        date.tomorrow().map_err(|_| GridError::Date)?
    } else {
        date
    };
    let range_end = resolve(end_date, end, zone)?;
    Ok((range_start, range_end))
}

/// The slots one date contributes, ascending (OS-GRID-3 to OS-GRID-5).
///
/// These are `range_start + k * 1800` for `k = 0, 1, 2, ...` while strictly
/// before `range_end` (see [`range_for_date`]); a partial last slot is
/// included. The result may be empty.
///
/// # Errors
///
/// [`GridError::Date`] as for [`range_for_date`].
pub fn slots_for_date(
    date: Date,
    start: Time,
    end: Time,
    zone: &TimeZone,
) -> Result<Vec<i64>, GridError> {
    let (range_start, range_end) = range_for_date(date, start, end, zone)?;
    // jiff bounds both instants to about ±3.8e11 seconds, so none of this
    // arithmetic can overflow an i64.
    let span = range_end.saturating_sub(range_start);
    let count = if span <= 0 {
        0
    } else {
        span.saturating_add(SLOT_SECONDS - 1) / SLOT_SECONDS
    };
    let mut slots = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut slot = range_start;
    while slot < range_end {
        slots.push(slot);
        slot = slot.saturating_add(SLOT_SECONDS);
    }
    Ok(slots)
}

/// The grid for already parsed inputs: the union of [`slots_for_date`] over
/// `dates`, sorted ascending with duplicates removed (OS-GRID-6, OS-GRID-7).
///
/// # Errors
///
/// [`GridError::Date`] if there are more than [`MAX_DATES`] dates or an
/// instant is out of range; [`GridError::Empty`] if no date contributes a
/// slot (including when `dates` is empty).
pub fn slots_for_dates(
    dates: &[Date],
    start: Time,
    end: Time,
    zone: &TimeZone,
) -> Result<Vec<i64>, GridError> {
    if dates.len() > MAX_DATES {
        return Err(GridError::Date);
    }
    let mut grid = Vec::new();
    for &date in dates {
        grid.extend(slots_for_date(date, start, end, zone)?);
    }
    grid.sort_unstable();
    grid.dedup();
    if grid.is_empty() {
        return Err(GridError::Empty);
    }
    Ok(grid)
}

/// The raw inputs of a grid, as a room creator submits them (OS-GRID-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridRequest<'a> {
    /// The dates, each `YYYY-MM-DD`.
    pub dates: &'a [&'a str],
    /// The daily start wall time, `HH:MM` or `HH:MM:SS`.
    pub start: &'a str,
    /// The daily end wall time, `HH:MM` or `HH:MM:SS`.
    pub end: &'a str,
    /// The time zone: an IANA name or `+HH:MM` / `-HH:MM`.
    pub zone: &'a str,
}

/// Builds the grid of a request (OS-GRID-1 to OS-GRID-7).
///
/// Checks happen in this order, and the first failure is returned: more than
/// [`MAX_DATES`] dates ([`GridError::Date`]), the zone
/// ([`GridError::Zone`]), the start then the end time ([`GridError::Time`]),
/// every date in order ([`GridError::Date`]), an empty date list
/// ([`GridError::Empty`]), then generation itself ([`GridError::Date`] for an
/// out-of-range instant, [`GridError::Empty`] for a grid without slots):
/// the order of spec §9.3, the first failing step giving the error
/// (OS-GRID-9).
///
/// # Errors
///
/// As listed above.
pub fn generate(req: &GridRequest<'_>) -> Result<Vec<i64>, GridError> {
    generate_from(req.dates, req.start, req.end, req.zone)
}

/// [`generate`] for callers that hold the dates as owned `String`s.
///
/// # Errors
///
/// As for [`generate`].
pub fn generate_owned(
    dates: &[String],
    start: &str,
    end: &str,
    zone: &str,
) -> Result<Vec<i64>, GridError> {
    generate_from(dates, start, end, zone)
}

/// [`generate`] for dates held as any string type.
///
/// # Errors
///
/// As for [`generate`].
pub fn generate_from<S: AsRef<str>>(
    dates: &[S],
    start: &str,
    end: &str,
    zone: &str,
) -> Result<Vec<i64>, GridError> {
    if dates.len() > MAX_DATES {
        return Err(GridError::Date);
    }
    let zone = parse_zone(zone)?;
    let start = parse_time(start)?;
    let end = parse_time(end)?;
    let dates = dates
        .iter()
        .map(|d| parse_date(d.as_ref()))
        .collect::<Result<Vec<Date>, GridError>>()?;
    slots_for_dates(&dates, start, end, &zone)
}
