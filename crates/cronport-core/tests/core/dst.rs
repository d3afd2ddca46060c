//! Hand-checked fire times around daylight-saving changes, leap days, the
//! AWS day rules, and far-future years.

use crate::common;

use common::runs;

#[test]
fn new_york_spring_forward_skips_the_missing_hour() {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist that day.
    assert_eq!(
        runs("30 2 * * *", "America/New_York", "2026-03-07T00:00:00Z", 3),
        [
            "2026-03-07T02:30:00-05:00",
            "2026-03-09T02:30:00-04:00",
            "2026-03-10T02:30:00-04:00"
        ]
    );
    assert_eq!(
        runs(
            "*/30 * * * *",
            "America/New_York",
            "2026-03-08T05:45:00Z",
            3
        ),
        [
            "2026-03-08T01:00:00-05:00",
            "2026-03-08T01:30:00-05:00",
            "2026-03-08T03:00:00-04:00"
        ]
    );
}

#[test]
fn new_york_fall_back_runs_once_unless_every_hour() {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:xx happens twice.
    assert_eq!(
        runs("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2),
        ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]
    );
    // Every-hour schedules keep the repeated hour, however spelled.
    let every_half_hour = [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:30:00-05:00",
        "2026-11-01T02:00:00-05:00",
    ];
    for spelling in ["*/30 * * * *", "0,30 0-23 * * *"] {
        assert_eq!(
            runs(spelling, "America/New_York", "2026-11-01T04:59:00Z", 5),
            every_half_hour,
            "{spelling}"
        );
    }
    // The same pattern written for AWS runs by EventBridge Scheduler's rule:
    // the repeated hour once.
    assert_eq!(
        runs(
            "cron(0/30 * * * ? *)",
            "America/New_York",
            "2026-11-01T04:59:00Z",
            4
        ),
        [
            "2026-11-01T01:00:00-04:00",
            "2026-11-01T01:30:00-04:00",
            "2026-11-01T02:00:00-05:00",
            "2026-11-01T02:30:00-05:00"
        ]
    );
    // Restricted hours run once, at the first instant.
    assert_eq!(
        runs(
            "*/30 1-2 * * *",
            "America/New_York",
            "2026-11-01T04:59:00Z",
            4
        ),
        [
            "2026-11-01T01:00:00-04:00",
            "2026-11-01T01:30:00-04:00",
            "2026-11-01T02:00:00-05:00",
            "2026-11-01T02:30:00-05:00"
        ]
    );
}

#[test]
fn starting_inside_the_repeated_hour_does_not_run_it_again() {
    // 06:15Z is 01:15 EST, the second pass; 01:30 ran at 05:30Z already.
    assert_eq!(
        runs("30 1 * * *", "America/New_York", "2026-11-01T06:15:00Z", 1),
        ["2026-11-02T01:30:00-05:00"]
    );
    assert_eq!(
        runs("30 * * * *", "America/New_York", "2026-11-01T06:15:00Z", 1),
        ["2026-11-01T01:30:00-05:00"]
    );
}

#[test]
fn london_both_changes() {
    // 2026-03-29 01:00 GMT jumps to 02:00 BST; 2026-10-25 02:00 BST falls to 01:00 GMT.
    assert_eq!(
        runs("30 1 * * *", "Europe/London", "2026-03-28T12:00:00Z", 2),
        ["2026-03-30T01:30:00+01:00", "2026-03-31T01:30:00+01:00"]
    );
    assert_eq!(
        runs("30 1 * * *", "Europe/London", "2026-10-24T12:00:00Z", 2),
        ["2026-10-25T01:30:00+01:00", "2026-10-26T01:30:00+00:00"]
    );
}

#[test]
fn lord_howe_shifts_by_thirty_minutes() {
    // 2026-04-05 02:00 +11:00 falls back to 01:30 +10:30.
    assert_eq!(
        runs(
            "45 1 * * *",
            "Australia/Lord_Howe",
            "2026-04-04T12:00:00Z",
            2
        ),
        ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]
    );
    assert_eq!(
        runs(
            "*/15 * * * *",
            "Australia/Lord_Howe",
            "2026-04-04T14:25:00Z",
            5
        ),
        [
            "2026-04-05T01:30:00+11:00",
            "2026-04-05T01:45:00+11:00",
            "2026-04-05T01:30:00+10:30",
            "2026-04-05T01:45:00+10:30",
            "2026-04-05T02:00:00+10:30"
        ]
    );
    // 2026-10-04 02:00 +10:30 jumps to 02:30 +11:00.
    assert_eq!(
        runs(
            "*/15 * * * *",
            "Australia/Lord_Howe",
            "2026-10-03T15:10:00Z",
            3
        ),
        [
            "2026-10-04T01:45:00+10:30",
            "2026-10-04T02:30:00+11:00",
            "2026-10-04T02:45:00+11:00"
        ]
    );
    assert_eq!(
        runs(
            "15 2 * * *",
            "Australia/Lord_Howe",
            "2026-10-02T12:00:00Z",
            2
        ),
        ["2026-10-03T02:15:00+10:30", "2026-10-05T02:15:00+11:00"]
    );
}

#[test]
fn kathmandu_quarter_hour_offset() {
    assert_eq!(
        runs("0 0 * * *", "Asia/Kathmandu", "2026-11-24T00:00:00Z", 2),
        ["2026-11-25T00:00:00+05:45", "2026-11-26T00:00:00+05:45"]
    );
    let utc: Vec<String> = common::schedule("0 0 * * *", "Asia/Kathmandu")
        .fires_after("2026-11-24T00:00:00Z".parse().unwrap())
        .take(1)
        .map(|t| t.to_string())
        .collect();
    assert_eq!(utc, ["2026-11-24T18:15:00Z"]);
}

#[test]
fn leap_days_follow_the_gregorian_rules() {
    assert_eq!(
        runs("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 3),
        [
            "2028-02-29T00:00:00+00:00",
            "2032-02-29T00:00:00+00:00",
            "2036-02-29T00:00:00+00:00"
        ]
    );
    // 2100 is not a leap year; 2400 is.
    assert_eq!(
        runs("0 0 29 2 *", "UTC", "2097-01-01T00:00:00Z", 1),
        ["2104-02-29T00:00:00+00:00"]
    );
    assert_eq!(
        runs("cron(0 0 L 2 ? *)", "UTC", "2099-12-31T00:00:00Z", 2),
        ["2100-02-28T00:00:00+00:00", "2101-02-28T00:00:00+00:00"]
    );
    assert_eq!(
        runs("cron(0 0 L 2 ? *)", "UTC", "2399-12-31T00:00:00Z", 1),
        ["2400-02-29T00:00:00+00:00"]
    );
}

#[test]
fn aws_last_nearest_and_nth_rules_at_month_edges() {
    // 2026-01-31 is a Saturday, 2026-05-31 a Sunday.
    assert_eq!(
        runs("cron(0 9 LW * ? *)", "UTC", "2026-01-01T00:00:00Z", 5),
        [
            "2026-01-30T09:00:00+00:00",
            "2026-02-27T09:00:00+00:00",
            "2026-03-31T09:00:00+00:00",
            "2026-04-30T09:00:00+00:00",
            "2026-05-29T09:00:00+00:00"
        ]
    );
    // 2026-08-01 is a Saturday: 1W is Monday the 3rd, never July 31st.
    assert_eq!(
        runs("cron(0 9 1W * ? *)", "UTC", "2026-07-15T00:00:00Z", 2),
        ["2026-08-03T09:00:00+00:00", "2026-09-01T09:00:00+00:00"]
    );
    assert_eq!(
        runs("cron(0 9 L-2 * ? *)", "UTC", "2026-02-01T00:00:00Z", 2),
        ["2026-02-26T09:00:00+00:00", "2026-03-29T09:00:00+00:00"]
    );
    // Fifth Friday: only months that have one.
    assert_eq!(
        runs("cron(0 9 ? * 6#5 *)", "UTC", "2026-01-01T00:00:00Z", 3),
        [
            "2026-01-30T09:00:00+00:00",
            "2026-05-29T09:00:00+00:00",
            "2026-07-31T09:00:00+00:00"
        ]
    );
    assert_eq!(
        runs("cron(0 9 ? * 2L *)", "UTC", "2026-02-01T00:00:00Z", 2),
        ["2026-02-23T09:00:00+00:00", "2026-03-30T09:00:00+00:00"]
    );
}

#[test]
fn years_run_to_2199_and_beyond_without_a_cutoff() {
    assert_eq!(
        runs("cron(0 0 1 1 ? 2199)", "UTC", "2150-01-01T00:00:00Z", 2),
        ["2199-01-01T00:00:00+00:00"]
    );
    assert_eq!(
        runs("0 0 1 1 *", "America/New_York", "2199-06-01T00:00:00Z", 2),
        ["2200-01-01T00:00:00-05:00", "2201-01-01T00:00:00-05:00"]
    );
}

#[test]
fn impossible_dates_end_iteration() {
    assert!(runs("0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z", 1).is_empty());
    assert!(runs("cron(0 0 31W 4 ? *)", "UTC", "2026-01-01T00:00:00Z", 1).is_empty());
    // Years in the past.
    assert!(runs("cron(0 0 * * ? 1999)", "UTC", "2026-01-01T00:00:00Z", 1).is_empty());
}

#[test]
fn one_time_runs_follow_the_same_dst_rule() {
    assert_eq!(
        runs(
            "at(2026-11-01T01:30:00)",
            "America/New_York",
            "2026-01-01T00:00:00Z",
            2
        ),
        ["2026-11-01T01:30:00-04:00"]
    );
    assert!(
        runs(
            "at(2026-03-08T02:30:00)",
            "America/New_York",
            "2026-01-01T00:00:00Z",
            1
        )
        .is_empty()
    );
    assert!(runs("at(2026-01-01T00:00:00)", "UTC", "2026-06-01T00:00:00Z", 1).is_empty());
}

#[test]
fn rates_count_from_their_start() {
    let s = common::schedule("rate(90 minutes)", "UTC")
        .with_start("2026-01-01T00:00:00Z".parse().unwrap());
    let after = "2026-01-01T02:00:00Z".parse().unwrap();
    let next: Vec<String> = s
        .fires_after(after)
        .take(2)
        .map(|t| t.to_string())
        .collect();
    assert_eq!(next, ["2026-01-01T03:00:00Z", "2026-01-01T04:30:00Z"]);
}
