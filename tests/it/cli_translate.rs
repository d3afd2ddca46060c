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
