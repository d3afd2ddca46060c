//! `cronport explain`, run as a user runs it.

use std::process::Output;

use crate::common::cronport;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn json_has_the_documented_fields() {
    let out = cronport(&[
        "explain",
        "30 14 * * 1-5",
        "--tz",
        "America/New_York",
        "--from",
        "2026-11-27T00:00:00Z",
        "--next",
        "2",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["grammar"], "unix");
    assert_eq!(json["canonical"], "30 14 * * 1-5");
    assert_eq!(
        json["description"],
        "At 14:30 on Monday through Friday, America/New_York"
    );
    assert_eq!(json["timezone"], "America/New_York");
    assert_eq!(json["equivalents"]["aws"], "cron(30 14 ? * MON-FRI *)");
    assert_eq!(
        json["next"],
        serde_json::json!(["2026-11-27T14:30:00-05:00", "2026-11-30T14:30:00-05:00"])
    );
}

#[test]
fn text_lists_canonical_form_and_runs() {
    let out = cronport(&[
        "explain",
        "Every 10 Minutes",
        "--from",
        "2026-11-24T08:05:00Z",
        "--next",
        "2",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Every 10 minutes, UTC\n"), "{text}");
    assert!(text.contains("canonical  every 10 minutes"), "{text}");
    assert!(text.contains("aws        cron(0/10 * * * ? *)"), "{text}");
    assert!(
        text.contains("  2026-11-24T08:10:00+00:00\n  2026-11-24T08:20:00+00:00\n"),
        "{text}"
    );
}

#[test]
fn a_bad_expression_shows_a_caret_and_exits_1() {
    let out = cronport(&["explain", "30 14 * * 8"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: day-of-week 8 is out of range 0–7; did you mean 1?\n  |\n  | 30 14 * * 8\n  |           ^\n"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn bad_zone_and_bad_instant_say_what_to_write() {
    let out = cronport(&["explain", "0 12 * * *", "--tz", "Mars/Olympus"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown time zone `Mars/Olympus`"),
        "{}",
        stderr(&out)
    );
    let out = cronport(&["explain", "0 12 * * *", "--from", "yesterday"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not an RFC 3339 instant"),
        "{}",
        stderr(&out)
    );
}

/// A Heroku phrase is read in UTC, as Heroku runs it; asked on another
/// clock, its runs are shown there too.
#[test]
fn heroku_phrases_are_read_in_utc_and_shown_on_the_asked_clock() {
    let out = cronport(&[
        "explain",
        "every day at 14:30",
        "--tz",
        "Asia/Tokyo",
        "--from",
        "2026-11-24T00:00:00Z",
        "--next",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Heroku Scheduler runs in UTC"), "{text}");
    assert!(
        text.contains("2026-11-24T14:30:00+00:00  (2026-11-24T23:30:00+09:00 Asia/Tokyo)"),
        "{text}"
    );
}

#[test]
fn a_schedule_that_never_runs_is_an_error_with_the_reason() {
    for (expression, zone, reason) in [
        ("0 0 30 2 *", "UTC", "no date it names exists"),
        (
            "cron(0 9 * * ? 2020-2025)",
            "UTC",
            "the last year it names, 2025, is over",
        ),
        (
            "cron(0 0 29 2 ? 2027)",
            "UTC",
            "none of the years it names has a day it names",
        ),
        (
            "at(2025-06-01T09:00:00)",
            "Europe/Paris",
            "2025-06-01T09:00:00 in Europe/Paris (2025-06-01T07:00:00Z) has passed",
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
        let out = cronport(&[
            "explain",
            expression,
            "--tz",
            zone,
            "--from",
            "2026-01-01T00:00:00Z",
        ]);
        assert_eq!(out.status.code(), Some(1), "{expression}");
        let err = stderr(&out);
        assert!(
            err.starts_with("error: this schedule never runs after 2026-01-01T00:00:00Z: "),
            "{err}"
        );
        assert!(err.contains(reason), "{expression}: {err}");
    }
    // A schedule whose runs end inside the window lists what is left.
    let out = cronport(&[
        "explain",
        "cron(0 9 1 1 ? 2026)",
        "--from",
        "2025-12-01T00:00:00Z",
    ]);
    assert!(
        stdout(&out).contains("Next 1 runs (UTC):\n  2026-01-01T09:00:00+00:00\n  (no more runs)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn day_of_month_or_day_of_week_shows_what_translate_does() {
    // A Monday the 1st in the window: translate refuses and names options.
    let out = cronport(&["explain", "0 12 1 * 1", "--from", "2026-11-24T00:00:00Z"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("aws        not as is: it runs on days matching day-of-month OR day-of-week"),
        "{text}"
    );
    assert!(
        text.contains("cronport translate refuses:") && text.contains("option: --dom-dow double"),
        "{text}"
    );
    let out = cronport(&["explain", "0 12 1 * 1", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["aws_split"]["refused"]["kind"], "not_exact", "{json}");
    assert!(json["equivalents"]["aws"].is_null(), "{json}");
}

#[test]
fn the_json_says_which_daylight_saving_rule_applies() {
    for (expression, rule) in [
        ("cron(0/10 * * * ? *)", "aws-scheduler"),
        ("*/10 * * * *", "source"),
        ("every 10 minutes", "source"),
    ] {
        let zone = if rule == "aws-scheduler" || expression.starts_with('*') {
            "America/New_York"
        } else {
            "UTC"
        };
        let out = cronport(&[
            "explain",
            expression,
            "--tz",
            zone,
            "--format",
            "json",
            "--from",
            "2026-11-01T04:59:00Z",
            "--next",
            "12",
        ]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["dst_rule"], rule, "{expression}");
        if zone == "America/New_York" {
            // 01:00–01:50 repeats on 1 November 2026: AWS runs it once.
            let repeats = json["next"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t.as_str().unwrap().starts_with("2026-11-01T01:"))
                .count();
            assert_eq!(
                repeats,
                if rule == "source" { 12 } else { 6 },
                "{expression}"
            );
        }
    }
}

#[test]
fn help_teaches_with_examples() {
    let out = cronport(&["explain", "--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("Examples:"));
    assert!(stdout(&out).contains("--tz <ZONE>"));
}

#[test]
fn every_command_help_has_examples() {
    for command in [
        "import",
        "convert",
        "plan",
        "apply",
        "run",
        "migrate",
        "diff",
        "explain",
        "translate",
        "completions",
        "man",
    ] {
        let out = cronport(&[command, "--help"]);
        assert!(out.status.success(), "{command}");
        assert!(
            stdout(&out).contains("Examples:"),
            "{command} --help has no examples"
        );
    }
    let top = cronport(&["--help"]);
    assert!(stdout(&top).contains("Examples:"));
}

#[test]
fn completions_are_generated_for_common_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let out = cronport(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        assert!(stdout(&out).contains("cronport"), "{shell}");
    }
}

#[test]
fn man_pages_cover_every_command() {
    let dir = std::env::temp_dir().join(format!("cronport-man-{}", std::process::id()));
    let out = cronport(&["man", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in [
        "cronport",
        "cronport-import",
        "cronport-plan",
        "cronport-migrate",
        "cronport-diff",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{page}.1"))).unwrap();
        assert!(text.contains(".TH"), "{page}");
        assert!(text.contains("Examples:"), "{page} has no examples");
    }
    // plan's ownership flags are plan's (and apply's), not migrate's.
    let migrate = std::fs::read_to_string(dir.join("cronport-migrate.1")).unwrap();
    assert!(migrate.contains("dry\\-run") && !migrate.contains("prune"));
    std::fs::remove_dir_all(&dir).unwrap();
    // A directory that cannot be made is one clear error.
    let out = cronport(&["man", "/proc/cronport-man"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("error: cannot write man pages to /proc/cronport-man")
    );
}

/// Dynamic completion (`source <(CRONPORT_COMPLETE=bash cronport)`): `cronport run
/// <TAB>` offers the jobs of ./cronport.toml.
#[test]
fn completion_offers_the_manifests_job_names() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["--", "cronport", "run", "rake-b"])
        .env("CRONPORT_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/heroku"))
        .output()
        .unwrap();
    let offered = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = offered
        .split(['\n', '\u{b}'])
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(
        names,
        [
            "rake-batteries-low-battery",
            "rake-billing-renew-subscriptions"
        ],
        "{offered:?}"
    );
    // The script itself, for a shell's start-up file.
    let script = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .env("CRONPORT_COMPLETE", "bash")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&script.stdout).contains("_clap_complete_cronport"));
}
