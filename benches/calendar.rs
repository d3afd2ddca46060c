//! The calendar's speed: `calendar/10000-jobs` computes one week's calendar
//! of 10,000 jobs (a mix: every 10 minutes, hourly, daily, weekdays; a third
//! in New York). Run with `cargo bench --bench calendar`; BENCHMARKS.md has
//! the table. The schedule core's own benchmarks (fire times, parsing,
//! translation) are in `crates/cronport-core/benches/`.

use criterion::{Criterion, criterion_group, criterion_main};
use cronport::schedule::Schedule;
use std::hint::black_box;

/// One week's calendar (heatmap, busiest and crowded minutes) of 10,000
/// jobs, as `cronport calendar` computes it.
fn calendar(c: &mut Criterion) {
    let shapes = [
        "*/10 * * * *",
        "0 * * * *",
        "30 2 * * *",
        "15 9 * * 1-5",
        "45 23 * * 0",
    ];
    let jobs: Vec<cronport::calendar::Job> = (0..10_000)
        .map(|i| {
            let zone = if i % 3 == 0 {
                "America/New_York"
            } else {
                "UTC"
            };
            let schedule = Schedule::parse(shapes[i % shapes.len()], zone).unwrap();
            cronport::calendar::Job::new(format!("job-{i}"), schedule)
        })
        .collect();
    let from: jiff::Timestamp = "2026-11-30T00:00:00Z".parse().unwrap();
    let utc = jiff::tz::TimeZone::UTC;
    let mut group = c.benchmark_group("calendar");
    group.sample_size(10);
    group.bench_function("10000-jobs", |b| {
        b.iter(|| {
            let week = cronport::calendar::week(black_box(&jobs), &utc, from, 1);
            let crowded = cronport::calendar::crowds(&jobs, &utc, week.from, week.until, 10);
            (week.total, crowded.len())
        })
    });
    // 10,000 jobs every minute (one schedule): 100.8 million runs a week,
    // counted once per distinct schedule; memory stays with the minutes.
    let every_minute: Vec<cronport::calendar::Job> = (0..10_000)
        .map(|i| {
            let schedule = Schedule::parse("* * * * *", "UTC").unwrap();
            cronport::calendar::Job::new(format!("job-{i}"), schedule)
        })
        .collect();
    for weeks in [1, 53] {
        group.bench_function(format!("10000-every-minute-{weeks}-weeks"), |b| {
            b.iter(|| {
                // As `cronport calendar` computes them: in one pass.
                let (week, crowded) = cronport::calendar::week_and_crowds(
                    black_box(&every_minute),
                    &utc,
                    from,
                    weeks,
                    10,
                );
                (week.total, crowded.len())
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = calendar
}
criterion_main!(benches);
