//! Schedule core speed, side by side with the `cron` and `croner` crates.
//!
//! `fire_times/*` measures 1,000 consecutive fire times per iteration (divide
//! the reported time by 1,000 for ns per fire time); `parse/*` measures one
//! parse. Run with `cargo bench -p cronport-core --bench schedule`;
//! BENCHMARKS.md has the table.

use std::str::FromStr;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use cronport_core::{schedule::Schedule, syntax};
use std::hint::black_box;

const RUNS: usize = 1_000;

/// Each case: our Unix text, the `cron` crate's (seconds first, named
/// weekdays) and `croner`'s.
const CASES: [(&str, &str, &str, &str); 2] = [
    (
        "every-10-min",
        "*/10 * * * *",
        "0 */10 * * * *",
        "*/10 * * * *",
    ),
    (
        "weekdays-14:30",
        "30 14 * * 1-5",
        "0 30 14 * * Mon-Fri",
        "30 14 * * 1-5",
    ),
];

const ZONES: [&str; 2] = ["UTC", "America/New_York"];

fn fire_times(c: &mut Criterion) {
    let mut group = c.benchmark_group("fire_times");
    group.throughput(Throughput::Elements(RUNS as u64));
    let from: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let chrono_from = chrono::DateTime::from_timestamp(from.as_second(), 0).unwrap();
    for (name, ours, cron_text, croner_text) in CASES {
        for zone in ZONES {
            let id = |lib: &str| BenchmarkId::new(lib, format!("{name}/{zone}"));
            let schedule = Schedule::new(
                syntax::unix::parse(ours).unwrap(),
                jiff::tz::TimeZone::get(zone).unwrap(),
            );
            group.bench_function(id("cronport"), |b| {
                b.iter(|| schedule.fires_after(black_box(from)).take(RUNS).last())
            });
            let tz: chrono_tz::Tz = zone.parse().unwrap();
            let start = chrono_from.with_timezone(&tz);
            let oracle = cron::Schedule::from_str(cron_text).unwrap();
            group.bench_function(id("cron"), |b| {
                b.iter(|| oracle.after(black_box(&start)).take(RUNS).last())
            });
            let croner = croner::Cron::from_str(croner_text).unwrap();
            group.bench_function(id("croner"), |b| {
                b.iter(|| croner.iter_after(black_box(start)).take(RUNS).last())
            });
        }
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, ours, cron_text, croner_text) in CASES {
        group.bench_function(BenchmarkId::new("cronport", name), |b| {
            b.iter(|| syntax::unix::parse(black_box(ours)).unwrap())
        });
        group.bench_function(BenchmarkId::new("cron", name), |b| {
            b.iter(|| cron::Schedule::from_str(black_box(cron_text)).unwrap())
        });
        group.bench_function(BenchmarkId::new("croner", name), |b| {
            b.iter(|| croner::Cron::from_str(black_box(croner_text)).unwrap())
        });
    }
    for (name, text) in [
        ("aws", "cron(0/15 8-17 ? * MON-FRI *)"),
        ("heroku", "every day at 14:30"),
    ] {
        group.bench_function(BenchmarkId::new("cronport", name), |b| {
            b.iter(|| syntax::parse_any(black_box(text)).unwrap())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = fire_times, parse
}
criterion_main!(benches);
