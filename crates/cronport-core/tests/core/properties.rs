//! Property tests of the schedule core: canonical round trips for each
//! grammar, spellings that keep the fire-time set, ordered iteration whose
//! every instant matches its pattern, a brute-force DST evaluator that shares
//! no code with the iterator, and the `cron` crate as an oracle.

use crate::common;

use common::{
    ZONES, any_cron, aws_cron, brute_force, cron_with, instant, unix_cron, value_set, zone,
};
use cronport_core::schedule::{Cron, DayOfMonth, DayOfWeek, DayRule, Days, Pattern, Schedule};
use cronport_core::syntax::{aws, heroku, unix};
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use proptest::prelude::*;

// ---- random spellings ---------------------------------------------------

/// One random item of a Unix field in `lo..=hi`, with names where given.
fn unix_item(lo: u8, hi: u8, names: &'static [&'static str]) -> impl Strategy<Value = String> {
    let max_step = (hi - lo + 1).min(10);
    let value = move |v: u8, name: bool| {
        if name && !names.is_empty() && v >= lo && ((v - lo) as usize) < names.len() {
            names[(v - lo) as usize].to_string()
        } else {
            v.to_string()
        }
    };
    prop_oneof![
        (lo..=hi, any::<bool>()).prop_map(move |(v, n)| value(v, n)),
        (lo..=hi, lo..=hi, any::<bool>()).prop_map(move |(a, b, n)| format!(
            "{}-{}",
            value(a.min(b), n),
            value(a.max(b), n)
        )),
        (1u8..=(hi - lo + 1)).prop_map(|s| format!("*/{s}")),
        (lo..=hi, lo..=hi, 1u8..=max_step).prop_map(|(a, b, s)| format!(
            "{}-{}/{s}",
            a.min(b),
            a.max(b)
        )),
        (lo..=hi, 1u8..=max_step).prop_map(|(a, s)| format!("{a}/{s}")),
        Just("*".to_string()),
    ]
}

fn unix_field(lo: u8, hi: u8, names: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(unix_item(lo, hi, names), 1..4).prop_map(|items| items.join(","))
}

const MONTHS: &[&str] = &[
    "jan", "FEB", "Mar", "apr", "MAY", "jun", "JUL", "aug", "SEP", "oct", "NOV", "dec",
];
const WEEKDAYS: &[&str] = &["sun", "MON", "Tue", "wed", "THU", "fri", "SAT"];

fn unix_text() -> impl Strategy<Value = String> {
    (
        unix_field(0, 59, &[]),
        unix_field(0, 23, &[]),
        unix_field(1, 31, &[]),
        unix_field(1, 12, MONTHS),
        unix_field(0, 7, WEEKDAYS),
    )
        .prop_map(|(a, b, c, d, e)| format!("{a} {b} {c} {d} {e}"))
}

fn first_runs(pattern: &Pattern, tz: &TimeZone, from: Timestamp, n: usize) -> Vec<Timestamp> {
    Schedule::new(*pattern, tz.clone())
        .fires_after(from)
        .take(n)
        .collect()
}

/// Dense patterns, so a three-day window has runs around a transition.
fn dense_cron() -> impl Strategy<Value = Cron> {
    let minutes = prop_oneof![
        (1u8..=30).prop_map(|s| (0..60).step_by(s as usize).collect::<Vec<u8>>()),
        value_set(0, 59),
    ];
    let hours = prop_oneof![
        Just((0..24).collect::<Vec<u8>>()),
        value_set(0, 4),
        value_set(0, 23)
    ];
    (minutes, hours).prop_map(|(m, h)| Cron::new(m, h, Days::EVERY, 1..=12, None).unwrap())
}

// ---- the properties -------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn unix_print_parse_is_identity_on_canonical_text(cron in unix_cron()) {
        let text = unix::print_cron(&cron).unwrap();
        let parsed = unix::parse_cron(&text).unwrap();
        prop_assert_eq!(parsed, cron);
        prop_assert_eq!(unix::print_cron(&parsed).unwrap(), text);
    }

    #[test]
    fn aws_print_parse_is_identity_on_canonical_text(cron in aws_cron()) {
        let text = aws::print_cron(&cron).unwrap();
        let parsed = aws::parse_cron(&text).unwrap();
        prop_assert_eq!(parsed, cron);
        prop_assert_eq!(aws::print_cron(&parsed).unwrap(), text);
    }

    #[test]
    fn unix_spellings_keep_the_model_and_fire_times(text in unix_text(), tz in zone(), from in instant()) {
        let parsed = unix::parse(&text).unwrap();
        let canonical = unix::print(&parsed).unwrap();
        let reparsed = unix::parse(&canonical).unwrap();
        prop_assert_eq!(reparsed, parsed, "{} -> {}", text, canonical);
        prop_assert_eq!(first_runs(&parsed, &tz, from, 30), first_runs(&reparsed, &tz, from, 30));
    }

    #[test]
    fn aws_canonical_text_of_unix_patterns_fires_alike(cron in unix_cron(), tz in zone(), from in instant()) {
        // Every Unix pattern AWS can write survives the trip to AWS text.
        if let Ok(text) = aws::print_cron(&cron) {
            let parsed = aws::parse(&text).unwrap();
            let pattern = Pattern::Cron(cron);
            prop_assert_eq!(first_runs(&parsed, &tz, from, 30), first_runs(&pattern, &tz, from, 30));
        }
    }

    #[test]
    fn iteration_increases_and_every_run_matches(cron in any_cron(), tz in zone(), from in instant()) {
        let schedule = Schedule::new(cron, tz.clone());
        let mut previous = from;
        for t in schedule.fires_after(from).take(300) {
            prop_assert!(t > previous, "{} is not after {}", t, previous);
            let wall = t.to_zoned_datetime(tz.clone()).datetime();
            prop_assert!(cron.matches_civil(wall), "{} ({}) does not match", t, wall);
            prop_assert_eq!(wall.second(), 0);
            previous = t;
        }
    }

    #[test]
    fn iteration_agrees_with_a_brute_force_scan_around_transitions(
        cron in dense_cron(),
        zone_name in prop::sample::select(ZONES.to_vec()),
        year in 1990i16..2060,
        which in 0usize..4,
        lead_minutes in 0i64..2000,
    ) {
        let tz = TimeZone::get(zone_name).unwrap();
        let year_start = jiff::civil::date(year, 1, 1).to_zoned_datetime(tz.clone()).unwrap().timestamp();
        // Centre the window on a transition when the zone has one.
        let centre = tz.following(year_start).nth(which).map_or(year_start, |tr| tr.timestamp());
        let from = centre - SignedDuration::from_mins(lead_minutes);
        let until = from + SignedDuration::from_hours(72);
        let fast: Vec<Timestamp> = Schedule::new(cron, tz.clone()).fires_between(from, until).collect();
        prop_assert_eq!(fast, brute_force(&cron, &tz, from, until));
    }

    #[test]
    fn agrees_with_the_cron_crate_in_utc(
        cron in cron_with(
            prop_oneof![
                Just(Days::EVERY),
                value_set(1, 31).prop_map(|d| Days::new(DayOfMonth::from_days(d), DayOfWeek::ALL, DayRule::Both)),
                value_set(0, 6).prop_map(|w| Days::new(DayOfMonth::ALL, DayOfWeek::from_weekdays(w), DayRule::Both)),
            ],
            false,
        ),
        from in 946_684_800i64..4_102_444_800, // 2000..2100
    ) {
        use std::str::FromStr;
        // The cron crate has a seconds field, numbers Sunday 1 and ANDs the
        // day fields; lists of numbers and weekday names avoid every
        // difference in spelling.
        let list = |values: Vec<u8>| values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",");
        const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        let dow: Vec<&str> = cron.days().day_of_week().weekdays().map(|w| NAMES[w as usize]).collect();
        let oracle_text = format!(
            "0 {} {} {} {} {}",
            list(cron.minutes().collect()),
            list(cron.hours().collect()),
            list(cron.days().day_of_month().days().collect()),
            list(cron.months().collect()),
            dow.join(","),
        );
        let oracle = cron::Schedule::from_str(&oracle_text).unwrap();
        let start = chrono::DateTime::from_timestamp(from, 0).unwrap();
        // The cron crate stops at 2100; compare up to there.
        const YEAR_2100: i64 = 4_102_444_800;
        let expected: Vec<i64> = oracle.after(&start).take(25).map(|t| t.timestamp()).take_while(|&t| t < YEAR_2100).collect();
        let ours: Vec<i64> = Schedule::utc(cron)
            .fires_after(Timestamp::from_second(from).unwrap())
            .take(25)
            .take_while(|t| t.as_second() < YEAR_2100)
            .map(|t| t.as_second())
            .collect();
        prop_assert_eq!(ours, expected, "{}", oracle_text);
    }
}

// ---- AWS reads Quartz's wrap-around ranges ---------------------------------

/// The AWS fields that wrap: position in `cron(...)`, first and last value,
/// names, and the largest step AWS takes.
const WRAPPING: [(usize, u8, u8, &[&str], u8); 5] = [
    (0, 0, 59, &[], 59),
    (1, 0, 23, &[], 23),
    (2, 1, 31, &[], 31),
    (3, 1, 12, MONTHS, 12),
    (4, 1, 7, WEEKDAYS, 7),
];

/// A wrap-around range `lo-hi` or `lo-hi/step` (lo > hi) in one AWS field,
/// and the same values as an explicit list, stepping on across the seam as
/// Quartz does.
fn aws_wrap_around() -> impl Strategy<Value = (usize, String, String)> {
    prop::sample::select(WRAPPING.to_vec()).prop_flat_map(|(at, min, max, names, max_step)| {
        (min + 1..=max, any::<bool>(), prop::option::of(1..=max_step)).prop_flat_map(
            move |(lo, named, step)| {
                (min..lo).prop_map(move |hi| {
                    // A step after a day name is refused (Quartz's
                    // implementations disagree on it): numbers there.
                    let named = named && !(at == 4 && step.is_some());
                    let name = |v: u8| match names.get((v - min) as usize) {
                        Some(n) if named => n.to_string(),
                        _ => v.to_string(),
                    };
                    let mut range = format!("{}-{}", name(lo), name(hi));
                    if let Some(step) = step {
                        range.push_str(&format!("/{step}"));
                    }
                    let list: Vec<String> = (lo..=max)
                        .chain(min..=hi)
                        .step_by(step.unwrap_or(1) as usize)
                        .map(|v| v.to_string())
                        .collect();
                    (at, range, list.join(","))
                })
            },
        )
    })
}

fn aws_with_field(at: usize, field: &str) -> String {
    let mut fields = ["0", "12", "*", "*", "?", "*"];
    if at == 4 {
        fields[2] = "?";
    }
    fields[at] = field;
    format!("cron({})", fields.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn aws_wrap_around_ranges_read_as_the_explicit_list((at, range, list) in aws_wrap_around()) {
        let wrapped = aws::parse(&aws_with_field(at, &range)).unwrap();
        let explicit = aws::parse(&aws_with_field(at, &list)).unwrap();
        prop_assert_eq!(wrapped, explicit, "{} vs {}", range, list);
        // The canonical text is in the documented subset and reads back.
        let canonical = aws::print(&wrapped).unwrap();
        prop_assert_eq!(aws::parse(&canonical).unwrap(), wrapped, "{}", canonical);
    }
}

#[test]
fn every_heroku_phrase_round_trips() {
    let mut phrases = vec!["every 10 minutes".to_string()];
    phrases.extend(
        (0..60)
            .step_by(10)
            .map(|m| format!("every hour at :{m:02}")),
    );
    for h in 0..24 {
        for m in [0, 30] {
            phrases.push(format!("every day at {h:02}:{m:02}"));
        }
    }
    assert_eq!(phrases.len(), 55);
    for phrase in phrases {
        let parsed = heroku::parse(&phrase).unwrap();
        assert_eq!(heroku::print(&parsed).unwrap(), phrase);
        // And the export spelling of the same frequency parses to the same.
        let export = phrase
            .replace(' ', "_")
            .replace("_at_:", "_at_")
            .replace("10_minutes", "ten_minutes");
        assert_eq!(heroku::parse(&export).unwrap(), parsed, "{export}");
    }
}

#[test]
fn rate_and_at_round_trip() {
    for text in [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "rate(12 hours)",
        "rate(1 day)",
        "rate(7 days)",
        "at(2026-12-31T23:30:00)",
    ] {
        assert_eq!(aws::print(&aws::parse(text).unwrap()).unwrap(), text);
    }
}
