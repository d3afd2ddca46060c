//! Translation + verification speed. Run with `cargo bench -p cronport-core
//! --bench translate`; BENCHMARKS.md has the table.

use criterion::{Criterion, criterion_group, criterion_main};
use cronport_core::schedule::Schedule;
use cronport_core::syntax;
use cronport_core::translate::{Backend, Options, translate};
use jiff::{Timestamp, tz::TimeZone};
use std::hint::black_box;

fn year() -> (Timestamp, Timestamp) {
    (
        "2027-01-01T00:00:00Z".parse().unwrap(),
        "2028-01-01T00:00:00Z".parse().unwrap(),
    )
}

/// The default window of `cronport convert` run on 2026-11-24.
fn default_window(backend: Backend) -> Options {
    let from: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
    Options::new(backend, from, Options::default_until(from))
}

/// 10,000 jobs shaped like a Heroku Scheduler migration: 10% every ten
/// minutes, 30% hourly, 60% daily or weekday jobs, a third of those in a
/// local zone with daylight saving time.
fn mixed_jobs() -> Vec<Schedule> {
    let zones = ["UTC", "America/New_York", "Europe/London", "Asia/Tokyo"];
    (0..10_000)
        .map(|i| {
            let (text, zone) = match i % 10 {
                0 => ("every 10 minutes".to_string(), "UTC"),
                1..=3 => (format!("every hour at :{:02}", (i % 6) * 10), "UTC"),
                4..=7 => (
                    format!("every day at {:02}:{:02}", i % 24, (i % 2) * 30),
                    "UTC",
                ),
                _ => (format!("{} {} * * 1-5", i % 60, i % 24), zones[i % 4]),
            };
            let pattern = syntax::parse_any(&text).unwrap().pattern;
            Schedule::new(pattern, TimeZone::get(zone).unwrap())
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (from, until) = year();
    let every_ten = Schedule::utc(syntax::unix::parse("*/10 * * * *").unwrap());
    let mut group = c.benchmark_group("translate");
    for backend in [Backend::Scheduler, Backend::Rules] {
        let options = Options::new(backend, from, until);
        group.bench_function(format!("every-10-min-one-year/{backend}"), |b| {
            b.iter(|| translate(black_box(&every_ten), &options).unwrap())
        });
    }
    // The equivalence check alone (52,560 runs a side): by offset period,
    // and by enumeration (the tests' oracle).
    let target = Schedule::utc(syntax::aws::parse("cron(0/10 * * * ? *)").unwrap());
    group.bench_function("verify-every-10-min-one-year", |b| {
        b.iter(|| {
            cronport_core::translate::verify(
                black_box(&every_ten),
                std::slice::from_ref(&target),
                from,
                until,
                cronport_core::translate::Duplicates::Reject,
            )
            .unwrap()
        })
    });
    group.bench_function("verify-by-enumeration-every-10-min-one-year", |b| {
        b.iter(|| {
            cronport_core::translate::verify_by_enumeration(
                black_box(&every_ten),
                std::slice::from_ref(&target),
                from,
                until,
                cronport_core::translate::Duplicates::Reject,
            )
            .unwrap()
        })
    });
    // `cronport translate '* * * * *' --until 2199-12-31T00:00:00Z`: 91
    // million runs a side.
    let every_minute = Schedule::utc(syntax::unix::parse("* * * * *").unwrap());
    let to_2199 = Options::new(
        Backend::Scheduler,
        "2026-11-24T00:00:00Z".parse().unwrap(),
        "2199-12-31T00:00:00Z".parse().unwrap(),
    );
    group.bench_function("every-minute-to-2199/scheduler", |b| {
        b.iter(|| translate(black_box(&every_minute), &to_2199).unwrap())
    });
    // Every ten minutes in New York: written in UTC (EventBridge
    // Scheduler's fall-back rule), proved over the default window.
    let new_york_ten = Schedule::new(
        syntax::unix::parse("*/10 * * * *").unwrap(),
        TimeZone::get("America/New_York").unwrap(),
    );
    let scheduler_window = default_window(Backend::Scheduler);
    group.bench_function("every-10-min-new-york-default-window/scheduler", |b| {
        b.iter(|| translate(black_box(&new_york_ten), &scheduler_window).unwrap())
    });
    let new_york = Schedule::new(
        syntax::unix::parse("30 14 * * 1-5").unwrap(),
        TimeZone::get("America/New_York").unwrap(),
    );
    let rules = Options::new(Backend::Rules, from, until);
    group.bench_function("weekdays-new-york-one-year/rules", |b| {
        b.iter(|| translate(black_box(&new_york), &rules).unwrap())
    });
    let jobs = mixed_jobs();
    let options = Options::new(Backend::Scheduler, from, until);
    group.sample_size(10);
    // 10,000 every-minute jobs over the default window (from 2026-11-24 to
    // the end of 2027: 6.0 billion runs a side).
    let every_minute_jobs = vec![every_minute.clone(); 10_000];
    let window = default_window(Backend::Scheduler);
    group.bench_function("10000-every-minute-jobs-default-window/scheduler", |b| {
        b.iter(|| {
            every_minute_jobs
                .iter()
                .map(|job| translate(job, &window).unwrap().verified.firings)
                .sum::<u64>()
        })
    });
    group.bench_function("10000-mixed-jobs-one-year/scheduler", |b| {
        b.iter(|| {
            jobs.iter()
                .map(|job| translate(job, &options).unwrap().verified.firings)
                .sum::<u64>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
