//! The slot grid (spec §9): the input syntax of §9.2 (OS-GRID-2) and the
//! algorithm of §9.3 for fixed offsets, where wall times map to instants by
//! calendar arithmetic alone (OS-GRID-7). IANA zones need a time-zone
//! database and are left to the caller (the vector confirmations use
//! `jiff` directly).

use crate::Fail;

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0')))
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if leap(y) => 29,
        _ => 28,
    }
}

/// A civil date (year, month, day).
pub type Civil = (i64, u32, u32);

/// OS-GRID-2: a date written exactly `YYYY-MM-DD` that exists.
pub fn date(s: &str) -> Option<Civil> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = i64::from(digits(&b[..4])?);
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..])?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

/// The next day.
pub fn tomorrow((y, m, d): Civil) -> Civil {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

/// OS-GRID-2: a wall time `HH:MM` or `HH:MM:SS`, as seconds after midnight.
pub fn time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (h, m, sec) = match b {
        [h1, h2, b':', m1, m2] => ([*h1, *h2], [*m1, *m2], *b"00"),
        [h1, h2, b':', m1, m2, b':', s1, s2] => ([*h1, *h2], [*m1, *m2], [*s1, *s2]),
        _ => return None,
    };
    let (h, m, sec) = (digits(&h)?, digits(&m)?, digits(&sec)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(i64::from(h * 3600 + m * 60 + sec))
}

/// How a zone string reads (OS-GRID-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// A valid fixed offset, in seconds east of UTC.
    Offset(i64),
    /// Starts with a sign but is not `±HH:MM` with HH ≤ 23, MM ≤ 59.
    BadOffset,
    /// Anything else: an IANA name or nothing (only the database can tell).
    Name,
}

/// Classifies a zone string.
pub fn zone(s: &str) -> Zone {
    let b = s.as_bytes();
    let sign = match b.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Zone::Name,
    };
    match b {
        [_, h1, h2, b':', m1, m2] => match (digits(&[*h1, *h2]), digits(&[*m1, *m2])) {
            (Some(h), Some(m)) if h <= 23 && m <= 59 => {
                Zone::Offset(sign * i64::from(h * 3600 + m * 60))
            }
            _ => Zone::BadOffset,
        },
        _ => Zone::BadOffset,
    }
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
pub fn days_from_civil((y, m, d): Civil) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The grid of spec §9.3 for a fixed offset, where wall times map to
/// instants by arithmetic alone. `bounds` is the range of instants the date
/// library supports; beyond it (and past 9999-12-31) the grid is
/// `grid-date`.
pub fn fixed_grid(
    dates: &[Civil],
    start: i64,
    end: i64,
    offset: i64,
    bounds: (i64, i64),
) -> Result<Vec<i64>, Fail> {
    let instant = |d: Civil, t: i64| -> Result<i64, Fail> {
        if d.0 > 9999 {
            return Err(("grid-date", "OS-GRID-2"));
        }
        let s = days_from_civil(d) * 86_400 + t - offset;
        if s < bounds.0 || s > bounds.1 {
            return Err(("grid-date", "OS-GRID-2"));
        }
        Ok(s)
    };
    let mut grid = Vec::new();
    for &d in dates {
        let rs = instant(d, start)?;
        let re = instant(if end <= start { tomorrow(d) } else { d }, end)?;
        let mut t = rs;
        while t < re {
            grid.push(t);
            t += 1800;
        }
    }
    grid.sort_unstable();
    grid.dedup();
    if grid.is_empty() {
        return Err(("grid-empty", "OS-GRID-7"));
    }
    Ok(grid)
}
