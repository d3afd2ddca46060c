//! Exact translation: hand-checked cases, and a property test in which an
//! evaluator that shares no code with the translator (a minute-by-minute
//! scan through `jiff`) checks every translation or refusal.

use crate::common;

use common::{ZONES, aws_days, brute_force, brute_force_under, unix_days, value_set};
use cronport_core::schedule::{
    Cron, DayOfMonth, DayOfWeek, DayRule, Days, DstRule, Pattern, Schedule,
};
use cronport_core::syntax::{self, aws};
use cronport_core::translate::{
    Backend, DomDow, Duplicates, Options, Remedy, Translation, Warning, translate, verify,
    verify_by_enumeration,
};
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use proptest::prelude::*;

fn options(backend: Backend, from: &str, until: &str) -> Options {
    Options::new(backend, from.parse().unwrap(), until.parse().unwrap())
}

fn run(
    expr: &str,
    zone: &str,
    opts: &Options,
) -> Result<Translation, cronport_core::translate::NotRepresentable> {
    let parsed = syntax::parse_any(expr).unwrap();
    translate(&parsed.in_zone(TimeZone::get(zone).unwrap()), opts)
}

const FROM: &str = "2026-11-24T00:00:00Z";
const UNTIL: &str = "2028-01-01T00:00:00Z";

#[test]
fn heroku_every_ten_minutes_is_clock_aligned_cron_not_a_rate() {
    let done = run(
        "every 10 minutes",
        "UTC",
        &options(Backend::Scheduler, FROM, UNTIL),
    )
    .unwrap();
    assert_eq!(done.expressions(), ["cron(0/10 * * * ? *)"]);
    assert_eq!(done.targets[0].timezone, "UTC");
    assert_eq!(done.verified.firings, 58_032);
    assert_eq!(done.runs_out, None);
}

#[test]
fn scheduler_keeps_the_zone_and_renumbers_weekdays() {
    let done = run(
        "30 14 * * 0,6",
        "America/New_York",
        &options(Backend::Scheduler, FROM, UNTIL),
    )
    .unwrap();
    assert_eq!(done.expressions(), ["cron(30 14 ? * SUN,SAT *)"]);
    assert_eq!(done.targets[0].timezone, "America/New_York");
}

#[test]
fn fixed_offsets_shift_with_day_month_and_year_carries() {
    let rules = options(Backend::Rules, FROM, UNTIL);
    // The 1st at 08:30 in Tokyo is the last day of the previous month, 23:30 UTC.
    assert_eq!(
        run("30 8 1 * *", "Asia/Tokyo", &rules)
            .unwrap()
            .expressions(),
        ["cron(30 23 L * ? *)"]
    );
    // Mondays at 03:00 in Tokyo are Sundays at 18:00 UTC.
    assert_eq!(
        run("0 3 * * 1", "Asia/Tokyo", &rules)
            .unwrap()
            .expressions(),
        ["cron(0 18 ? * SUN *)"]
    );
    assert_eq!(
        run("0 3 * * 0", "Asia/Tokyo", &rules)
            .unwrap()
            .expressions(),
        ["cron(0 18 ? * SAT *)"]
    );
    // Kathmandu's +05:45: 00:30 is 18:45 the day before, 06:30 is 00:45
    // the same day; every day either way, so one expression.
    let done = run("30 0,6 * * *", "Asia/Kathmandu", &rules).unwrap();
    assert_eq!(done.expressions(), ["cron(45 0,18 * * ? *)"]);
    // 05:00 and 06:00 are 23:15 the day before and 00:15: minutes differ.
    let done = run("0 5,6 * * 1", "Asia/Kathmandu", &rules).unwrap();
    assert_eq!(
        done.expressions(),
        ["cron(15 23 ? * SUN *)", "cron(15 0 ? * MON *)"]
    );
    assert_eq!(done.runs_out, None);
    // The last day at 08:00 in Tokyo is the day before the last at 23:00 UTC.
    assert_eq!(
        run("cron(0 8 L * ? *)", "Asia/Tokyo", &rules)
            .unwrap()
            .expressions(),
        ["cron(0 23 L-1 * ? *)"]
    );
    // Negative offsets carry forward: 20:00 on the last day in Panama (-05:00)
    // is 01:00 on the 1st of the next month.
    assert_eq!(
        run("cron(0 20 L 1 ? *)", "America/Panama", &rules)
            .unwrap()
            .expressions(),
        ["cron(0 1 1 2 ? *)"]
    );
}

#[test]
fn dst_zones_become_year_bounded_rules_that_say_when_they_run_out() {
    let done = run(
        "30 14 * * *",
        "Europe/London",
        &options(Backend::Rules, FROM, UNTIL),
    )
    .unwrap();
    assert!(done.runs_out.is_some());
    assert!(
        done.warnings[0]
            .to_string()
            .contains("exact until 2028-01-01T00:00:00Z"),
        "{:?}",
        done.warnings
    );
    assert!(done.targets.iter().all(|t| t.timezone == "UTC"));
    // BST (UTC+1) from 2027-03-28 to 2027-10-31: 13:30 UTC; GMT otherwise: 14:30.
    assert!(
        done.expressions().contains(&"cron(30 13 * 4-9 ? 2027)"),
        "{:?}",
        done.expressions()
    );
    assert_eq!(done.verified.firings, 403);
}

// ---- EventBridge Scheduler's fall-back rule ---------------------------------

/// The runs of a translation's targets as EventBridge runs them, and of the
/// source under the source rule, both by a minute-by-minute scan.
fn scan_both(
    done: &Translation,
    source: &Schedule,
    from: Timestamp,
    until: Timestamp,
) -> (Vec<Timestamp>, Vec<Timestamp>) {
    let Pattern::Cron(cron) = *source.pattern() else {
        panic!()
    };
    let targets: Vec<(Cron, TimeZone)> = done
        .targets
        .iter()
        .map(|t| {
            let Pattern::Cron(c) = aws::parse(&t.expression).unwrap() else {
                panic!()
            };
            (c, TimeZone::get(&t.timezone).unwrap())
        })
        .collect();
    (
        brute_force(&cron, source.time_zone(), from, until),
        brute_force_counts(&targets, from, until),
    )
}

#[test]
fn every_ten_minutes_in_new_york_is_written_in_utc_so_the_repeated_hour_keeps_its_runs() {
    let opts = options(Backend::Scheduler, FROM, UNTIL);
    let done = run("*/10 * * * *", "America/New_York", &opts).unwrap();
    assert_eq!(done.expressions(), ["cron(0/10 * * * ? *)"]);
    assert_eq!(done.targets[0].timezone, "UTC");
    assert_eq!(done.runs_out, None);
    assert!(
        done.notes[0].contains("EventBridge Scheduler runs a repeated wall-clock hour once"),
        "{:?}",
        done.notes
    );
    // 7 November 2027, 01:00–01:59 twice: 12 runs, as the source makes.
    let (from, until) = (
        "2027-11-07T05:00:00Z".parse().unwrap(),
        "2027-11-07T07:00:00Z".parse().unwrap(),
    );
    let source = common::schedule("*/10 * * * *", "America/New_York");
    let (expected, actual) = scan_both(&done, &source, from, until);
    assert_eq!(expected.len(), 12);
    assert_eq!(actual, expected);
    // Written in the zone, AWS would have lost six of them.
    let in_zone = aws::schedule(
        "cron(0/10 * * * ? *)",
        TimeZone::get("America/New_York").unwrap(),
    )
    .unwrap();
    assert_eq!(in_zone.fires_between(from, until).count(), 6);
    // Hourly jobs lose one run a year the same way; they too go to UTC.
    let hourly = run("every hour at :30", "UTC", &opts).unwrap();
    assert_eq!(hourly.targets[0].timezone, "UTC");
    let hourly = run("30 * * * *", "America/New_York", &opts).unwrap();
    assert_eq!(
        (hourly.expressions(), hourly.targets[0].timezone.as_str()),
        (vec!["cron(30 * * * ? *)"], "UTC")
    );
    // Every 15 minutes under a half-hour offset change (Lord Howe) too.
    let lord_howe = run("*/15 * * * *", "Australia/Lord_Howe", &opts).unwrap();
    assert_eq!(
        (
            lord_howe.expressions(),
            lord_howe.targets[0].timezone.as_str()
        ),
        (vec!["cron(0/15 * * * ? *)"], "UTC")
    );
}

#[test]
fn an_every_hour_schedule_that_depends_on_the_offset_gets_its_second_pass_in_utc() {
    // Weekdays, every minute, in Cairo, which falls back on a Thursday
    // night: the zone's expression, plus the repeated hour in UTC.
    let opts = options(Backend::Scheduler, FROM, UNTIL);
    let done = run("*/20 * * * 1-5", "Africa/Cairo", &opts).unwrap();
    assert_eq!(done.targets[0].timezone, "Africa/Cairo");
    assert_eq!(done.targets[0].expression, "cron(0/20 * ? * MON-FRI *)");
    assert_eq!(
        done.targets[1..]
            .iter()
            .map(|t| t.timezone.as_str())
            .collect::<Vec<_>>(),
        ["UTC"]
    );
    assert!(
        done.notes[0].contains("second pass through the repeated hour"),
        "{:?}",
        done.notes
    );
    assert_eq!(done.runs_out, Some(UNTIL.parse().unwrap()));
    let source = common::schedule("*/20 * * * 1-5", "Africa/Cairo");
    let (from, until) = (
        "2027-10-28T18:00:00Z".parse().unwrap(),
        "2027-10-29T02:00:00Z".parse().unwrap(),
    );
    let (expected, actual) = scan_both(&done, &source, from, until);
    assert_eq!(actual, expected);
    // Every 20 real minutes for eight hours, the repeated one included;
    // the zone's expression alone would skip the second pass.
    assert_eq!(expected.len(), 8 * 3);
    let in_zone = aws::schedule(
        &done.targets[0].expression,
        TimeZone::get("Africa/Cairo").unwrap(),
    )
    .unwrap();
    assert_eq!(in_zone.fires_between(from, until).count(), 8 * 3 - 3);
    // A Unix schedule that does not run every hour is untouched: 01:30 runs
    // once under both rules.
    let daily = run("30 1 * * *", "America/New_York", &opts).unwrap();
    assert_eq!(
        (daily.expressions(), daily.notes.len()),
        (vec!["cron(30 1 * * ? *)"], 0)
    );
    // An AWS expression already means AWS's rule: kept in its zone.
    let aws = run("cron(0/10 * * * ? *)", "America/New_York", &opts).unwrap();
    assert_eq!(aws.targets[0].timezone, "America/New_York");
}

#[test]
fn leap_days_and_month_lengths_shift_with_year_and_month_lists() {
    let rules = options(Backend::Rules, FROM, "2029-01-01T00:00:00Z");
    for (expression, zone, expected) in [
        ("0 0 29 2 *", "Pacific/Chatham", "cron(15 10 28 2 ? 2028)"),
        ("0 3 29 2 *", "Asia/Kolkata", "cron(30 21 28 2 ? 2028)"),
        ("0 8 29 2 *", "Asia/Tokyo", "cron(0 23 28 2 ? 2028)"),
    ] {
        let done =
            run(expression, zone, &rules).unwrap_or_else(|e| panic!("{expression} {zone}: {e}"));
        assert_eq!(done.expressions(), [expected], "{expression} in {zone}");
        assert_eq!(done.runs_out, Some("2029-01-01T00:00:00Z".parse().unwrap()));
        assert!(
            done.warnings[0].to_string().contains("name explicit years"),
            "{:?}",
            done.warnings
        );
    }
    // The 31st exists in seven months: a month list, for good.
    let done = run("0 0 31 * *", "Asia/Tokyo", &rules).unwrap();
    assert_eq!(done.expressions(), ["cron(0 15 30 1,3,5,7,8,10,12 ? *)"]);
    assert_eq!(done.runs_out, None);
    // Forward shifts: 23:00 on 28 February in Panama (-05:00) is 04:00 on
    // 1 March in common years and 29 February in leap years.
    let done = run("0 23 28 2 *", "America/Panama", &rules).unwrap();
    assert_eq!(
        done.expressions(),
        ["cron(0 4 1 3 ? 2026,2027)", "cron(0 4 29 2 ? 2028)"]
    );
    // The 30th at 21:00 in Panama: the 31st of 31-day months, the 1st of
    // the month after a 30-day one.
    let done = run("0 21 30 * *", "America/Panama", &rules).unwrap();
    assert_eq!(
        done.expressions(),
        ["cron(0 2 31 1,3,8 ? *)", "cron(0 2 1,31 5,7,10,12 ? *)"]
    );
    // With no 29 February in the window, the window reaches the next one.
    let done = run(
        "0 8 29 2 *",
        "Asia/Tokyo",
        &options(Backend::Rules, FROM, UNTIL),
    )
    .unwrap();
    assert_eq!(done.expressions(), ["cron(0 23 28 2 ? 2028)"]);
    assert_eq!(
        done.verified.until,
        "2029-01-01T00:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert!(
        done.notes[0].contains(
            "the window reaches 2029-01-01T00:00:00Z to include its next run, 2028-02-28T23:00:00Z"
        ),
        "{:?}",
        done.notes
    );
}

#[test]
fn a_dst_zone_month_by_month_needs_no_year_list_when_that_is_exact() {
    let done = run(
        "0 0 1 * *",
        "America/Santiago",
        &options(Backend::Rules, FROM, UNTIL),
    )
    .unwrap();
    assert_eq!(
        done.expressions(),
        ["cron(0 4 1 5-9 ? *)", "cron(0 3 1 1-4,10-12 ? *)"]
    );
    assert_eq!(done.runs_out, None);
    assert!(done.warnings.is_empty(), "{:?}", done.warnings);
    // Checked by scan over ten years, not just the window.
    let source = common::schedule("0 0 1 * *", "America/Santiago");
    let (from, until) = (
        "2027-01-01T00:00:00Z".parse().unwrap(),
        "2037-01-01T00:00:00Z".parse().unwrap(),
    );
    let (expected, actual) = scan_both(&done, &source, from, until);
    assert_eq!((actual.len(), actual), (120, expected));
    // A month whose runs change offset from year to year keeps year lists.
    let london = run(
        "30 0 * * 0",
        "Europe/London",
        &options(Backend::Rules, FROM, UNTIL),
    )
    .unwrap();
    assert!(london.runs_out.is_some());
}

#[test]
fn schedules_that_never_run_are_refused_with_the_reason() {
    use cronport_core::translate::RefusalKind;
    let opts = options(Backend::Scheduler, FROM, UNTIL);
    for (expression, zone, reason) in [
        ("0 0 31 2 *", "UTC", "no date it names exists"),
        ("at(2020-01-01T00:00:00)", "UTC", "has passed"),
        (
            "cron(0 0 1 1 ? 2020)",
            "UTC",
            "the last year it names, 2020, is over",
        ),
        (
            "at(2030-03-10T02:30:00)",
            "America/New_York",
            "the clock skips it",
        ),
        (
            "at(9999-12-31T23:00:00)",
            "America/New_York",
            "the last instant cronport can represent",
        ),
    ] {
        let refused = run(expression, zone, &opts).unwrap_err();
        assert_eq!(refused.kind, RefusalKind::NeverRuns, "{expression}");
        assert!(
            refused.reason.contains(reason),
            "{expression}: {}",
            refused.reason
        );
    }
}

#[test]
fn day_of_month_or_day_of_week_is_refused_with_the_first_shared_day() {
    let refused = run(
        "0 12 1 * 1",
        "UTC",
        &options(Backend::Scheduler, FROM, UNTIL),
    )
    .unwrap_err();
    let c = refused.counterexample.unwrap();
    // 2027-02-01 is the first Monday the 1st after the window starts.
    assert_eq!(c.instant.to_string(), "2027-02-01T12:00:00Z");
    assert_eq!((c.source_count, c.target_count), (1, 2));
    assert_eq!(refused.options.len(), 3);
}

#[test]
fn day_of_month_or_day_of_week_can_double_or_expand() {
    let mut opts = options(Backend::Scheduler, FROM, UNTIL);
    opts.dom_dow = DomDow::Double;
    let doubled = run("0 12 1 * 1", "UTC", &opts).unwrap();
    assert_eq!(
        doubled.expressions(),
        ["cron(0 12 1 * ? *)", "cron(0 12 ? * MON *)"]
    );
    // 2027-02-01, 2027-03-01 and 2027-11-01 are Mondays.
    assert_eq!(doubled.verified.accepted_duplicates, 3);
    opts.dom_dow = DomDow::Expand;
    let expanded = run("0 12 1 * 1", "UTC", &opts).unwrap();
    assert!(expanded.expressions().contains(&"cron(0 12 ? * MON *)"));
    assert!(
        expanded
            .expressions()
            .contains(&"cron(0 12 1 1,4-10,12 ? 2027)"),
        "{:?}",
        expanded.expressions()
    );
    assert_eq!(expanded.verified.accepted_duplicates, 0);
    // Halves that never share a day need no flag: the 31st is never in February.
    let apart = run(
        "0 12 31 2 1",
        "UTC",
        &options(Backend::Scheduler, FROM, UNTIL),
    )
    .unwrap();
    assert_eq!(
        apart.expressions(),
        ["cron(0 12 31 2 ? *)", "cron(0 12 ? 2 MON *)"]
    );
}

#[test]
fn one_time_and_rate_schedules() {
    let rules = options(Backend::Rules, FROM, UNTIL);
    let at = run("at(2027-03-14T09:30:00)", "America/New_York", &rules).unwrap();
    assert_eq!(at.expressions(), ["cron(30 13 14 3 ? 2027)"]);
    // A rate that divides the hour or the day is its cron on the UTC
    // clock, on both backends, whatever zone it was given.
    for backend in [Backend::Rules, Backend::Scheduler] {
        let opts = options(backend, FROM, UNTIL);
        let rate = run("rate(15 minutes)", "Asia/Tokyo", &opts).unwrap();
        assert_eq!(rate.expressions(), ["cron(0/15 * * * ? *)"]);
        assert_eq!(rate.targets[0].timezone, "UTC");
        assert_eq!(
            run("rate(8 hours)", "UTC", &opts).unwrap().expressions(),
            ["cron(0 0/8 * * ? *)"]
        );
        assert_eq!(
            run("rate(1 day)", "UTC", &opts).unwrap().expressions(),
            ["cron(0 0 * * ? *)"]
        );
    }
    // Anchored by a start in the past, at 03:07: the same phase.
    let anchored = |text: &str, start: &str, backend| {
        let schedule = syntax::parse_any(text)
            .unwrap()
            .in_zone(TimeZone::UTC)
            .with_start(start.parse().unwrap());
        translate(&schedule, &options(backend, FROM, UNTIL))
    };
    let done = anchored("rate(20 minutes)", "2026-01-01T03:07:00Z", Backend::Rules).unwrap();
    assert_eq!(done.expressions(), ["cron(7/20 * * * ? *)"]);
    let done = anchored("rate(1 day)", "2026-01-01T03:07:00Z", Backend::Rules).unwrap();
    assert_eq!(done.expressions(), ["cron(7 3 * * ? *)"]);
    // Other rates stay rates, which only Scheduler can phase.
    let odd = run(
        "rate(45 minutes)",
        "UTC",
        &options(Backend::Scheduler, FROM, UNTIL),
    )
    .unwrap();
    assert_eq!(odd.expressions(), ["rate(45 minutes)"]);
    let refused = run("rate(45 minutes)", "UTC", &rules).unwrap_err();
    assert_eq!(refused.options, [Remedy::UseScheduler]);
    assert!(refused.counterexample.is_none(), "{}", refused.reason);
    // A start still ahead keeps the rate (no run before it), and rules
    // cannot start at an instant.
    let future = anchored("rate(1 hour)", "2027-06-01T00:00:00Z", Backend::Scheduler).unwrap();
    assert_eq!(future.expressions(), ["rate(1 hour)"]);
    let refused = anchored("rate(1 hour)", "2027-06-01T00:00:00Z", Backend::Rules).unwrap_err();
    assert!(
        refused.reason.contains("rules have no start date"),
        "{}",
        refused.reason
    );
}

/// EventBridge takes expressions of at most 256 characters: a long year
/// list is split (New York at 02:30 until 2199 needed 271 characters).
#[test]
fn no_expression_is_longer_than_eventbridge_takes() {
    let done = run(
        "30 2 * * *",
        "America/New_York",
        &options(Backend::Rules, FROM, "2199-12-31T00:00:00Z"),
    )
    .unwrap();
    let longest = done.expressions().iter().map(|e| e.len()).max().unwrap();
    assert!(longest <= 256, "{longest}: {:?}", done.expressions());
    assert!(done.verified.firings > 60_000);
}

/// The run at 1970-01-01T00:00:00Z is not skipped: a search from 1 ns
/// before it floors, not truncates, the second.
#[test]
fn the_first_minute_of_1970_is_found() {
    let s = Schedule::utc(syntax::unix::parse("0 0 * * *").unwrap());
    let first = s
        .fires_between(
            Timestamp::UNIX_EPOCH,
            "1970-01-02T00:00:00Z".parse().unwrap(),
        )
        .next();
    assert_eq!(first, Some(Timestamp::UNIX_EPOCH));
    let rate = Schedule::utc(syntax::aws::parse("rate(1 day)").unwrap());
    assert_eq!(
        rate.fires_between(
            Timestamp::UNIX_EPOCH,
            "1970-01-02T00:00:00Z".parse().unwrap()
        )
        .next(),
        None
    );
}

#[test]
fn a_pattern_with_no_date_names_the_date_it_asks_for() {
    let from: Timestamp = FROM.parse().unwrap();
    for (text, date) in [
        ("0 0 30 2 *", "30 February"),
        ("0 0 31 4,6 *", "31 April"),
        ("0 0 31 9,11 *", "31 September"),
    ] {
        let s = Schedule::utc(syntax::unix::parse(text).unwrap());
        let why = s.never_runs_after(from).unwrap().to_string();
        assert_eq!(why, format!("no date it names exists ({date})"));
    }
}

/// An AWS expression that runs every hour, read in a zone that falls back,
/// runs the repeated hour once (EventBridge Scheduler's rule): its rules
/// must leave the second instant out. This was an internal error.
#[test]
fn an_aws_hourly_expression_in_a_zone_that_falls_back_is_exact_on_rules() {
    let done = run(
        "cron(0 * * * ? *)",
        "America/New_York",
        &options(Backend::Rules, "2026-12-06T00:00:00Z", UNTIL),
    )
    .unwrap();
    assert!(
        done.expressions().contains(&"cron(0 0-5,7-23 7 11 ? 2027)"),
        "{:?}",
        done.expressions()
    );
}

#[test]
fn years_past_2199_cannot_be_written_explicitly() {
    let refused = run(
        "30 14 * * *",
        "Europe/London",
        &options(
            Backend::Rules,
            "2199-06-01T00:00:00Z",
            "2201-01-01T00:00:00Z",
        ),
    )
    .unwrap_err();
    assert!(refused.reason.contains("1970–2199"), "{}", refused.reason);
    assert_eq!(refused.options, [Remedy::WindowInAwsYears]);
}

/// The library names its own options, never a front end's flags: each
/// remedy is a value a front end matches to word it as its own flag.
#[test]
fn refusals_and_warnings_carry_typed_remedies_and_name_no_flag() {
    let no_flag = |text: &str| assert!(!text.contains("--"), "{text}");
    let empty = run(
        "* * * * *",
        "UTC",
        &options(Backend::Scheduler, UNTIL, FROM),
    )
    .unwrap_err();
    assert_eq!(empty.reason, "the window is empty");
    assert_eq!(empty.options, [Remedy::EndAfterStart]);
    let both = run(
        "0 12 1 * 1",
        "UTC",
        &options(Backend::Scheduler, FROM, UNTIL),
    )
    .unwrap_err();
    assert_eq!(
        both.options,
        [
            Remedy::DomDow(DomDow::Double),
            Remedy::DomDow(DomDow::Expand),
            Remedy::OneDayField
        ]
    );
    let json = serde_json::to_value(&both).unwrap();
    assert_eq!(
        json["options"][0],
        "`DomDow::Double`: split it and accept two runs on days matching both"
    );
    let mut double = options(Backend::Rules, FROM, UNTIL);
    double.dom_dow = DomDow::Double;
    let done = run("0 12 1 * 1", "Europe/London", &double).unwrap();
    let until: Timestamp = UNTIL.parse().unwrap();
    assert!(
        matches!(
            done.warnings[..],
            [Warning::RunsOut { until: u, bounded }, Warning::DoubleRuns] if u == until && bounded > 0
        ),
        "{:?}",
        done.warnings
    );
    for refused in [&empty, &both] {
        no_flag(&refused.reason);
        refused.options.iter().for_each(|o| no_flag(&o.to_string()));
    }
    done.warnings.iter().for_each(|w| no_flag(&w.to_string()));
}

// ---- the property -----------------------------------------------------------

/// Per-minute run counts of AWS targets in the window, by brute force
/// under EventBridge Scheduler's daylight-saving rule.
fn brute_force_counts(
    schedules: &[(Cron, TimeZone)],
    from: Timestamp,
    until: Timestamp,
) -> Vec<Timestamp> {
    let mut all: Vec<Timestamp> = schedules
        .iter()
        .flat_map(|(cron, tz)| brute_force_under(cron, tz, DstRule::AwsScheduler, from, until))
        .collect();
    all.sort_unstable();
    all
}

fn dense_days() -> impl Strategy<Value = Days> {
    prop_oneof![
        3 => Just(Days::EVERY),
        2 => unix_days(),
        2 => aws_days(),
        1 => (value_set(1, 31), value_set(0, 6)).prop_map(|(d, w)| Days::new(DayOfMonth::from_days(d), DayOfWeek::from_weekdays(w), DayRule::Either)),
    ]
}

fn dense_cron() -> impl Strategy<Value = Cron> {
    let minutes = prop_oneof![
        (5u8..=30).prop_map(|s| (0..60).step_by(s as usize).collect::<Vec<u8>>()),
        prop::collection::btree_set(0u8..60, 1..4).prop_map(|s| s.into_iter().collect()),
    ];
    let hours = prop_oneof![Just((0..24).collect::<Vec<u8>>()), value_set(0, 23)];
    (
        minutes,
        hours,
        dense_days(),
        prop_oneof![Just((1..=12).collect::<Vec<u8>>()), value_set(1, 12)],
    )
        .prop_map(|(m, h, d, mo)| Cron::new(m, h, d, mo, None).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_translation_fires_exactly_like_its_source(
        cron in dense_cron(),
        zone_name in prop::sample::select(ZONES.to_vec()),
        rules in any::<bool>(),
        year in 2024i16..2040,
        which in 0usize..3,
        lead_days in 0i64..6,
    ) {
        let tz = TimeZone::get(zone_name).unwrap();
        let year_start = jiff::civil::date(year, 1, 1).to_zoned_datetime(tz.clone()).unwrap().timestamp();
        let centre = tz.following(year_start).nth(which).map_or(year_start, |tr| tr.timestamp());
        let from = centre - SignedDuration::from_hours(24 * lead_days);
        let until = from + SignedDuration::from_hours(24 * 8);
        let backend = if rules { Backend::Rules } else { Backend::Scheduler };
        let source = Schedule::new(cron, tz.clone());
        let expected = brute_force(&cron, &tz, from, until);
        match translate(&source, &Options::new(backend, from, until)) {
            Ok(done) => {
                let targets: Vec<(Cron, TimeZone)> = done.targets.iter().map(|t| {
                    let Pattern::Cron(c) = aws::parse(&t.expression).unwrap() else { panic!("{}", t.expression) };
                    (c, TimeZone::get(&t.timezone).unwrap())
                }).collect();
                prop_assert_eq!(brute_force_counts(&targets, from, until), expected.clone(), "{:?}", done.expressions());
                prop_assert!(done.expressions().iter().all(|e| e.len() <= 256), "{:?}", done.expressions());
                if (done.verified.from, done.verified.until) == (from, until) {
                    prop_assert_eq!(done.verified.firings, expected.len() as u64);
                } else {
                    // No run in the window: the proof reaches the next one.
                    prop_assert!(expected.is_empty());
                    prop_assert!(done.verified.firings >= 1);
                }
            }
            Err(refused) => {
                prop_assert!(!refused.reason.contains("internal error"), "{}", refused.reason);
                if source.never_runs_after(from).is_some() {
                    // Such as 30 February: refused for that reason alone.
                    prop_assert!(refused.reason.contains("never runs"), "{}", refused.reason);
                    prop_assert!(Schedule::utc(cron).fires_after(from).next().is_none());
                    return Ok(());
                }
                let c = refused.counterexample.expect("a refusal names an instant");
                // The instant really differs: the source runs there once, and
                // both halves of the split would run there.
                prop_assert_eq!(cron.days().rule(), DayRule::Either);
                let halves = [
                    Cron::new(cron.minutes(), cron.hours(), Days::new(*cron.days().day_of_month(), DayOfWeek::ALL, DayRule::Both), cron.months(), None).unwrap(),
                    Cron::new(cron.minutes(), cron.hours(), Days::new(DayOfMonth::ALL, *cron.days().day_of_week(), DayRule::Both), cron.months(), None).unwrap(),
                ];
                let at = c.instant;
                let next = at + SignedDuration::from_mins(1);
                prop_assert_eq!(brute_force(&cron, &tz, at, next).len() as u32, c.source_count);
                let both: usize = halves.iter().map(|h| brute_force(h, &tz, at, next).len()).sum();
                prop_assert_eq!(both as u32, c.target_count);
            }
        }
    }
}

// ---- the verifier by offset periods, against enumeration -------------------

/// The AWS targets of a translation as EventBridge runs them.
fn target_schedules(done: &Translation) -> Vec<Schedule> {
    done.targets
        .iter()
        .map(|t| aws::schedule(&t.expression, TimeZone::get(&t.timezone).unwrap()).unwrap())
        .collect()
}

/// `schedule` without its run at `at`: the same pattern split into the
/// products that leave out that one wall-clock minute (another year,
/// another month of that year, another day of that month, another hour of
/// that day, another minute of that hour).
fn without_run(schedule: &Schedule, at: Timestamp) -> Vec<Schedule> {
    let Pattern::Cron(cron) = *schedule.pattern() else {
        panic!("cron targets only")
    };
    let wall = at.to_zoned_datetime(schedule.time_zone().clone());
    let (y, mo, d, h, mi) = (
        wall.year() as i32,
        wall.month() as u8,
        wall.day() as u8,
        wall.hour() as u8,
        wall.minute() as u8,
    );
    let years: Vec<i32> = match cron.years() {
        Some(years) => years.iter().collect(),
        None => (1970..=2199).collect(),
    };
    let other = |set: Vec<u8>, not: u8| set.into_iter().filter(|&v| v != not).collect::<Vec<_>>();
    let days_that_month: Vec<u8> = (1..=31)
        .filter(|&day| cron.days().matches(y, mo, day))
        .collect();
    let only = |value: i32| Some([value].into_iter().collect());
    let plain =
        |days: Vec<u8>| Days::new(DayOfMonth::from_days(days), DayOfWeek::ALL, DayRule::Both);
    let parts = [
        Cron::new(
            cron.minutes(),
            cron.hours(),
            *cron.days(),
            cron.months(),
            Some(years.iter().copied().filter(|&v| v != y).collect()),
        ),
        Cron::new(
            cron.minutes(),
            cron.hours(),
            *cron.days(),
            other(cron.months().collect(), mo),
            only(y),
        ),
        Cron::new(
            cron.minutes(),
            cron.hours(),
            plain(other(days_that_month, d)),
            [mo],
            only(y),
        ),
        Cron::new(
            cron.minutes(),
            other(cron.hours().collect(), h),
            plain(vec![d]),
            [mo],
            only(y),
        ),
        Cron::new(
            other(cron.minutes().collect(), mi),
            [h],
            plain(vec![d]),
            [mo],
            only(y),
        ),
    ];
    parts
        .into_iter()
        .filter_map(Result::ok) // a part with nothing left is no schedule
        .map(|c| Schedule::new(c, schedule.time_zone().clone()).with_dst_rule(schedule.dst_rule()))
        .collect()
}

const DST_ZONES: [&str; 7] = [
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "America/Santiago",
    "Africa/Casablanca",
    "America/New_York",
    "Europe/London",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Over three years, every translation enumerated under EventBridge
    /// Scheduler's rule equals the source under the source rule; the
    /// verifier by offset periods says exactly what enumeration says, on
    /// the translation and on the translation with one run dropped (which
    /// both must refuse, at the same instant).
    #[test]
    fn translations_hold_for_years_and_the_period_verifier_agrees_with_enumeration(
        cron in dense_cron(),
        zone_name in prop::sample::select(DST_ZONES.to_vec()),
        rules in any::<bool>(),
        start_year in 2025i16..2031,
        start_day in 0i64..365,
        pick in any::<prop::sample::Index>(),
    ) {
        let tz = TimeZone::get(zone_name).unwrap();
        let from = jiff::civil::date(start_year, 1, 1).to_zoned_datetime(TimeZone::UTC).unwrap().timestamp()
            + SignedDuration::from_hours(24 * start_day) + SignedDuration::from_secs(17);
        let until = from + SignedDuration::from_hours(24 * 365 * 3);
        let backend = if rules { Backend::Rules } else { Backend::Scheduler };
        let source = Schedule::new(cron, tz.clone());
        let Ok(done) = translate(&source, &Options::new(backend, from, until)) else {
            return Ok(()); // refusals are the other property's business
        };
        let targets = target_schedules(&done);
        let (from, until) = (done.verified.from, done.verified.until);
        let by_runs = verify_by_enumeration(&source, &targets, from, until, Duplicates::Reject);
        prop_assert_eq!(by_runs.as_ref().map(|p| p.firings).ok(), Some(done.verified.firings), "{:?}", done.expressions());
        prop_assert_eq!(verify(&source, &targets, from, until, Duplicates::Reject), by_runs);

        let runs: Vec<Timestamp> = source.fires_between(from, until).collect();
        if runs.is_empty() {
            return Ok(());
        }
        let dropped = runs[pick.index(runs.len())];
        let i = targets.iter().position(|t| t.fires_between(dropped, dropped + SignedDuration::from_secs(1)).next().is_some()).unwrap();
        let mut mutated = targets.clone();
        let replaced = mutated.remove(i);
        mutated.extend(without_run(&replaced, dropped));
        let by_runs = verify_by_enumeration(&source, &mutated, from, until, Duplicates::Reject);
        prop_assert!(by_runs.is_err(), "dropping {} went unnoticed", dropped);
        prop_assert!(by_runs.as_ref().unwrap_err().instant <= dropped);
        prop_assert_eq!(verify(&source, &mutated, from, until, Duplicates::Reject), by_runs);
    }

    /// Arbitrary schedules, zones, rules and windows: the verifier by
    /// offset periods gives enumeration's answer, proof or first difference.
    #[test]
    fn the_period_verifier_agrees_with_enumeration_on_anything(
        source_cron in dense_cron(),
        target_crons in prop::collection::vec(dense_cron(), 1..3),
        zones in prop::collection::vec(prop::sample::select(ZONES.to_vec()), 3),
        aws_rule in prop::collection::vec(any::<bool>(), 3),
        accept in any::<bool>(),
        start in 0i64..(20 * 365),
        days in 1i64..120,
    ) {
        let rule = |aws: bool| if aws { DstRule::AwsScheduler } else { DstRule::Source };
        let in_zone = |cron: Cron, i: usize| Schedule::new(cron, TimeZone::get(zones[i]).unwrap()).with_dst_rule(rule(aws_rule[i]));
        let source = in_zone(source_cron, 0);
        // The source itself among the targets keeps the comparison going
        // past the first instant.
        let mut targets = vec![source.clone()];
        targets.extend(target_crons.into_iter().enumerate().map(|(i, c)| in_zone(c, i + 1)));
        let from = Timestamp::from_second(1_767_225_600 + start * 86_400 + 7).unwrap();
        let until = from + SignedDuration::from_hours(24 * days);
        let duplicates = if accept { Duplicates::Accept } else { Duplicates::Reject };
        // The source twice: every run doubled.
        let doubled = [source.clone(), source.clone()];
        for targets in [&targets[..1], &doubled[..], &targets[..]] {
            prop_assert_eq!(
                verify(&source, targets, from, until, duplicates),
                verify_by_enumeration(&source, targets, from, until, duplicates)
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// AWS expressions that run every hour, in zones that fall back, with
    /// windows around the fall-back: never the internal error, and every
    /// translation runs as a minute-by-minute scan under EventBridge
    /// Scheduler's rule says the source does.
    #[test]
    fn aws_hourly_expressions_in_zones_that_fall_back_translate_exactly(
        minutes in prop::collection::btree_set(0u8..60, 1..4),
        days in prop_oneof![3 => Just(Days::EVERY), 1 => aws_days()],
        zone_name in prop::sample::select(DST_ZONES.to_vec()),
        rules in any::<bool>(),
        year in 2026i16..2035,
        which in 0usize..2,
        lead_days in 0i64..40,
    ) {
        let cron = Cron::new(minutes, 0..24, days, 1..=12, None).unwrap();
        let tz = TimeZone::get(zone_name).unwrap();
        let year_start = jiff::civil::date(year, 1, 1).to_zoned_datetime(tz.clone()).unwrap().timestamp();
        let centre = tz.following(year_start).nth(which).map_or(year_start, |tr| tr.timestamp());
        let from = centre - SignedDuration::from_hours(24 * lead_days);
        let until = from + SignedDuration::from_hours(24 * 60);
        let backend = if rules { Backend::Rules } else { Backend::Scheduler };
        let source = Schedule::new(cron, tz.clone()).with_dst_rule(DstRule::AwsScheduler);
        match translate(&source, &Options::new(backend, from, until)) {
            Ok(done) => {
                let targets: Vec<(Cron, TimeZone)> = done.targets.iter().map(|t| {
                    let Pattern::Cron(c) = aws::parse(&t.expression).unwrap() else { panic!("{}", t.expression) };
                    (c, TimeZone::get(&t.timezone).unwrap())
                }).collect();
                let (from, until) = (done.verified.from, done.verified.until);
                let expected = brute_force_under(&cron, &tz, DstRule::AwsScheduler, from, until);
                prop_assert_eq!(brute_force_counts(&targets, from, until), expected, "{:?}", done.expressions());
            }
            Err(refused) => prop_assert!(
                !refused.reason.starts_with("internal error"),
                "{}", refused.reason
            ),
        }
    }

    /// A rate on the clock: its cron, scanned minute by minute in UTC, runs
    /// exactly at anchor + k·interval (arithmetic, not cronport's search).
    #[test]
    fn a_rate_on_the_clock_is_its_cron(
        interval in prop::sample::select(vec![
            (1u32, "minute"), (2, "minutes"), (5, "minutes"), (12, "minutes"), (15, "minutes"), (30, "minutes"),
            (1, "hour"), (2, "hours"), (3, "hours"), (4, "hours"), (6, "hours"), (12, "hours"), (1, "day"), (7, "days"),
        ]),
        anchor_minutes in 0i64..(60 * 24 * 400),
        span_hours in 24i64..400,
    ) {
        let (value, unit) = interval;
        let Pattern::Rate(rate) = aws::parse(&format!("rate({value} {unit})")).unwrap() else { unreachable!() };
        let anchor = Timestamp::from_second(1_700_000_000 / 60 * 60 + anchor_minutes * 60).unwrap();
        let cron = rate.on_the_clock(anchor).unwrap();
        let Pattern::Cron(c) = aws::parse(&cron).unwrap() else { panic!("{cron}") };
        let from = anchor + SignedDuration::from_hours(24 * 3);
        let until = from + SignedDuration::from_hours(span_hours);
        let step = rate.seconds();
        // brute_force_under counts from `from` itself.
        let first = (from.as_second() - anchor.as_second() + step - 1).div_euclid(step);
        let expected: Vec<Timestamp> = (first..)
            .map(|k| Timestamp::from_second(anchor.as_second() + k * step).unwrap())
            .take_while(|t| *t < until)
            .collect();
        prop_assert_eq!(brute_force_under(&c, &TimeZone::UTC, DstRule::AwsScheduler, from, until), expected, "{}", cron);
    }
}
