//! `cronport verify` at scale: 1,000 jobs every 10 minutes for 30 days
//! (4,320,000 expected runs), each with its task's `ECS Task State Change`
//! event as EventBridge writes it to the run record (one in 1,000 failed,
//! one in 1,000 missing), judged as the events stream in. Prints the CPU
//! time and the peak memory (VmHWM) of the whole process.
//!
//!     cargo bench --bench verify
//!
//! Not a criterion benchmark: one run takes seconds and its peak memory is
//! the measure. The events are written one at a time into one buffer, as
//! pages of the log group arrive, so the input never sits in memory whole.

use std::fmt::Write;
use std::time::Instant;

use cronport::schedule::Schedule;
use cronport::verify::{Expected, Judge, Thresholds};
use jiff::{SignedDuration, Timestamp};

const JOBS: usize = 1_000;
const DAYS: i64 = 30;

fn main() {
    // `cargo test --benches` runs benches with --bench absent: skip there.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let from: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    let until = from + SignedDuration::from_hours(24 * DAYS);
    let cpu_before = cpu_seconds();
    let schedule = Schedule::parse("*/10 * * * *", "UTC").unwrap();
    let expected: Vec<Expected> = (0..JOBS)
        .map(|i| Expected {
            job: format!("job-{i}"),
            container: "worker".to_string(),
            runs: schedule.fires_between(from, until).collect(),
            tasks_per_run: 1,
            on_time: SignedDuration::from_mins(5),
            time_limit: Some(SignedDuration::from_mins(10)),
            next_run: schedule.fires_after(until).next(),
        })
        .collect();
    let runs: usize = expected.iter().map(|e| e.runs.len()).sum();
    let mut judge = Judge::new("shop", "-", expected, from, until, Thresholds::default());
    // One instant's thousand events are written into `batch`, then judged
    // (only the judging is timed as verifying: the writing stands in for
    // reading a page of the log group).
    let mut batch: Vec<String> = (0..JOBS).map(|_| String::with_capacity(1024)).collect();
    let mut events = 0usize;
    let mut judging = std::time::Duration::ZERO;
    for (n, at) in schedule.fires_between(from, until).enumerate() {
        // One instant's times, written once for its thousand events.
        let created = (at + SignedDuration::from_secs(2)).to_string();
        let start = (at + SignedDuration::from_secs(40)).to_string();
        let stop = (at + SignedDuration::from_secs(100)).to_string();
        let mut written = 0;
        for job in 0..JOBS {
            let k = n * JOBS + job;
            if k % 1000 == 1 {
                continue; // missing
            }
            let exit = if k % 1000 == 2 { 1 } else { 0 };
            let event = &mut batch[written];
            written += 1;
            event.clear();
            write!(
                event,
                r#"{{"version":"0","id":"{k}","detail-type":"ECS Task State Change","source":"aws.ecs","account":"123456789012","time":"{stop}","region":"us-east-1","resources":["arn:aws:ecs:us-east-1:123456789012:task/production/{k:032x}"],"detail":{{"clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/production","taskArn":"arn:aws:ecs:us-east-1:123456789012:task/production/{k:032x}","group":"cronport:shop:-:job-{job}","startedBy":"chronos-schedule/cronport-job-{job}","lastStatus":"STOPPED","desiredStatus":"STOPPED","createdAt":"{created}","startedAt":"{start}","stoppedAt":"{stop}","stopCode":"EssentialContainerExited","stoppedReason":"Essential container in task exited","launchType":"FARGATE","containers":[{{"name":"worker","lastStatus":"STOPPED","exitCode":{exit}}}]}}}}"#
            )
            .unwrap();
        }
        let judged = Instant::now();
        for event in &batch[..written] {
            judge.add_json(event).unwrap();
        }
        judging += judged.elapsed();
        events += written;
    }
    let judged = Instant::now();
    let verdicts = judge.verdicts();
    judging += judged.elapsed();
    let counts = verdicts.counts();
    let cpu = cpu_seconds() - cpu_before;
    // A skipped run in the window's last minutes is pending, not missing.
    let unseen =
        counts.get("missing").copied().unwrap_or(0) + counts.get("pending").copied().unwrap_or(0);
    assert_eq!(unseen, runs / 1000);
    assert_eq!(counts.get("failed"), Some(&(runs / 1000)));
    println!("| what | judging (parse + verdicts) | whole run, CPU | peak memory |");
    println!("|---|---:|---:|---:|");
    println!(
        "| `verify` of {JOBS} jobs every 10 minutes over {DAYS} days: {runs} expected runs, {events} events ({} ok, {} failed, {} missing) | {:.1} s | {cpu:.1} s | {} MiB |",
        counts.get("ok").copied().unwrap_or(0),
        counts["failed"],
        counts["missing"],
        judging.as_secs_f64(),
        peak_mib()
    );
}

/// This process's user + system CPU seconds (`/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // After the command: state is field 0; utime 11, stime 12.
    (ticks(11) + ticks(12)) / 100.0
}

/// The peak resident memory so far (`VmHWM`), in MiB.
fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
