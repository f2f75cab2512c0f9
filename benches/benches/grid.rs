//! Bench group `grid` (spec §9), for the record: building the slots of 1
//! day, 2 weeks, 3 months and 1 year of dates from 09:00 to 17:00 in
//! Europe/Berlin (`grid::generate`: parsing the inputs, resolving every
//! wall time in the zone, the union), beside the floor measured in the same
//! run: the same time-zone resolutions and slot arithmetic done directly
//! with `jiff` on already parsed inputs, without any checks.

// A benchmark input that fails to build is a bug to stop on.
#![allow(clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use openslots::grid;
use openslots_benches::clock::{self, Clock};
use std::hint::black_box;

const SPANS: &[(&str, usize)] = &[("1d", 1), ("2w", 14), ("3m", 92), ("1y", 365)];

fn floor(dates: &[Date], zone: &TimeZone, start: Time, end: Time) -> Vec<i64> {
    let mut out = Vec::with_capacity(dates.len() * 16);
    for &d in dates {
        let resolve = |t| {
            zone.to_ambiguous_timestamp(DateTime::from_parts(d, t))
                .compatible()
                .unwrap()
                .as_second()
        };
        let (s, e) = (resolve(start), resolve(end));
        let mut slot = s;
        while slot < e {
            out.push(slot);
            slot += 1800;
        }
    }
    out
}

fn bench_grid(c: &mut Criterion<Clock>) {
    let zone = grid::parse_zone("Europe/Berlin").unwrap();
    let (start, end) = (
        grid::parse_time("09:00").unwrap(),
        grid::parse_time("17:00").unwrap(),
    );
    let first = grid::parse_date("2025-06-02").unwrap();
    let mut group = c.benchmark_group("grid");
    for &(name, days) in SPANS {
        let dates: Vec<Date> = (0..days)
            .map(|i| first.checked_add(jiff::Span::new().days(i as i64)).unwrap())
            .collect();
        let texts: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
        let slots = grid::generate_owned(&texts, "09:00", "17:00", "Europe/Berlin").unwrap();
        assert_eq!(slots, floor(&dates, &zone, start, end));
        group.throughput(Throughput::Elements(slots.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("generate/reference", name),
            &texts,
            |b, t| b.iter(|| grid::generate_owned(black_box(t), "09:00", "17:00", "Europe/Berlin")),
        );
        group.bench_with_input(BenchmarkId::new("generate/floor", name), &dates, |b, d| {
            b.iter(|| floor(black_box(d), &zone, start, end))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = clock::criterion();
    targets = bench_grid
}
criterion_main!(benches);
