//! Helpers shared by the schedule core's integration tests: schedules from
//! text, the property tests' strategies, and a brute-force evaluator.
#![allow(dead_code)]

use cronport_core::schedule::{
    Cron, DayOfMonth, DayOfWeek, DayRule, Days, DstRule, Schedule, Years,
};
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use proptest::prelude::*;

/// Parses `expr` in any grammar and puts it in `zone`
/// ([`Schedule::parse`], which panics here on bad input).
pub fn schedule(expr: &str, zone: &str) -> Schedule {
    Schedule::parse(expr, zone).unwrap_or_else(|e| panic!("{expr} in {zone}: {e}"))
}

/// The first `n` runs strictly after `from`, as RFC 3339 instants with the
/// zone's offset, so a reader sees both the wall time and the instant.
pub fn runs(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
    let s = schedule(expr, zone);
    let from: Timestamp = from.parse().unwrap();
    let tz = s.time_zone().clone();
    s.fires_after(from)
        .take(n)
        .map(|t| t.display_with_offset(tz.to_offset(t)).to_string())
        .collect()
}

// ---- strategies shared by the property tests ----------------------------

pub const ZONES: [&str; 9] = [
    "UTC",
    "Africa/Casablanca",
    "Asia/Tokyo",
    "Asia/Kathmandu",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
];

/// A non-empty set of values in `lo..=hi`, biased towards the shapes people
/// write: everything, one value, a step, a range, or anything at all.
pub fn value_set(lo: u8, hi: u8) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just((lo..=hi).collect::<Vec<u8>>()),
        (lo..=hi).prop_map(|v| vec![v]),
        (lo..=hi, 2..=(hi - lo).max(2))
            .prop_map(move |(start, step)| (start..=hi).step_by(step as usize).collect()),
        (lo..=hi, lo..=hi).prop_map(|(a, b)| (a.min(b)..=a.max(b)).collect()),
        prop::collection::btree_set(lo..=hi, 1..8).prop_map(|s| s.into_iter().collect()),
    ]
}

pub fn star_step_days() -> impl Strategy<Value = Vec<u8>> {
    (2u8..=16).prop_map(|n| (1..=31).step_by(n as usize).collect())
}

/// Day rules Unix cron can write.
pub fn unix_days() -> impl Strategy<Value = Days> {
    let dom = || value_set(1, 31).prop_map(DayOfMonth::from_days);
    let dow = || value_set(0, 6).prop_map(DayOfWeek::from_weekdays);
    prop_oneof![
        Just(Days::EVERY),
        dom().prop_map(|d| Days::new(d, DayOfWeek::ALL, DayRule::Both)),
        dow().prop_map(|w| Days::new(DayOfMonth::ALL, w, DayRule::Both)),
        (dom(), dow()).prop_map(|(d, w)| Days::new(d, w, DayRule::Either)),
        (star_step_days(), dow()).prop_map(|(d, w)| Days::new(
            DayOfMonth::from_days(d),
            w,
            DayRule::Both
        )),
        // `*/2,15 * * 1` and `5 * * */7,3`: a `*` item first, then anything.
        (value_set(1, 31), dow()).prop_map(|(mut d, w)| {
            d.push(1);
            Days::new(DayOfMonth::from_days(d), w, DayRule::Both)
        }),
        (dom(), value_set(0, 6)).prop_map(|(d, mut w)| {
            w.push(0);
            Days::new(d, DayOfWeek::from_weekdays(w), DayRule::Both)
        }),
    ]
}

/// Day rules AWS cron can write.
pub fn aws_days() -> impl Strategy<Value = Days> {
    let plain_dom = value_set(1, 31).prop_map(DayOfMonth::from_days);
    let special_dom = prop_oneof![
        (0u8..=30).prop_map(|n| DayOfMonth::from_last(n).unwrap()),
        (1u8..=31).prop_map(|d| DayOfMonth::nearest_weekday_to(d).unwrap()),
        Just(DayOfMonth::LAST_WEEKDAY),
    ];
    let plain_dow = value_set(0, 6).prop_map(DayOfWeek::from_weekdays);
    let special_dow = prop_oneof![
        (0u8..=6, 1u8..=5).prop_map(|(w, k)| DayOfWeek::nth_weekday(w, k).unwrap()),
        (0u8..=6).prop_map(|w| DayOfWeek::last_weekday_of(w).unwrap()),
    ];
    prop_oneof![
        Just(Days::EVERY),
        prop_oneof![plain_dom, special_dom].prop_map(|d| Days::new(
            d,
            DayOfWeek::ALL,
            DayRule::Both
        )),
        prop_oneof![plain_dow, special_dow].prop_map(|w| Days::new(
            DayOfMonth::ALL,
            w,
            DayRule::Both
        )),
    ]
}

pub fn cron_with(days: impl Strategy<Value = Days>, years: bool) -> impl Strategy<Value = Cron> {
    let years = if years {
        prop_oneof![
            Just(None),
            prop::collection::btree_set(2020i32..=2199, 1..5)
                .prop_map(|y| Some(y.into_iter().collect::<Years>())),
        ]
        .boxed()
    } else {
        Just(None).boxed()
    };
    (
        value_set(0, 59),
        value_set(0, 23),
        days,
        value_set(1, 12),
        years,
    )
        .prop_map(|(m, h, d, mo, y)| Cron::new(m, h, d, mo, y).unwrap())
}

pub fn unix_cron() -> impl Strategy<Value = Cron> {
    cron_with(unix_days(), false)
}

pub fn aws_cron() -> impl Strategy<Value = Cron> {
    cron_with(aws_days(), true)
}

pub fn any_cron() -> impl Strategy<Value = Cron> {
    prop_oneof![unix_cron(), aws_cron()]
}

pub fn zone() -> impl Strategy<Value = TimeZone> {
    prop::sample::select(ZONES.to_vec()).prop_map(|z| TimeZone::get(z).unwrap())
}

/// An instant between 1971 and 2190.
pub fn instant() -> impl Strategy<Value = Timestamp> {
    (31_536_000i64..6_900_000_000).prop_map(|s| Timestamp::from_second(s).unwrap())
}

// ---- brute force ----------------------------------------------------------

/// Every instant in `[from, until)` at which `cron` runs in `tz`, found by
/// testing each UTC minute against the rule stated in DESIGN.md, through
/// `jiff` only: the wall time must match, and it must be the first instant
/// showing that wall time unless the pattern runs every hour.
pub fn brute_force(
    cron: &Cron,
    tz: &TimeZone,
    from: Timestamp,
    until: Timestamp,
) -> Vec<Timestamp> {
    brute_force_under(cron, tz, DstRule::Source, from, until)
}

/// [`brute_force`] under a named daylight-saving rule: a minute-by-minute
/// scan through `jiff`, sharing no code with cronport's search. A wall time
/// the clock repeats runs at its first instant, and at its second too only
/// under the source rule for a pattern that runs every hour.
pub fn brute_force_under(
    cron: &Cron,
    tz: &TimeZone,
    rule: DstRule,
    from: Timestamp,
    until: Timestamp,
) -> Vec<Timestamp> {
    let repeats = rule == DstRule::Source && cron.runs_every_hour();
    let mut runs = Vec::new();
    let mut t = Timestamp::from_second(from.as_second().div_euclid(60) * 60).unwrap();
    while t < until {
        let wall = t.to_zoned_datetime(tz.clone()).datetime();
        if t >= from && cron.matches_civil(wall) {
            let first = tz.to_ambiguous_timestamp(wall).earlier().unwrap();
            if repeats || first == t {
                runs.push(t);
            }
        }
        t += SignedDuration::from_mins(1);
    }
    runs
}
