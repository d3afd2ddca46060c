//! `cronport verify`: expected runs against recorded ECS task events, in
//! the shape AWS documents (`ECS Task State Change`, `detail.group`,
//! `containers[].exitCode`, `stopCode`, `stoppedReason`), delivered as
//! `aws logs filter-log-events` prints them.

use serde_json::{Value, json};

use super::common::{DEFAULTS, cronport, text};

/// A manifest `shop` with an hourly and a daily job.
fn manifest() -> String {
    format!(
        "id = \"shop\"\n{DEFAULTS}\n[[job]]\nname = \"hourly\"\nschedule = \"every hour at :30\"\ncommand = \"rake hourly\"\ntimeout = \"10m\"\n\n[[job]]\nname = \"daily\"\nschedule = \"every day at 02:00\"\ncommand = \"rake daily\"\n"
    )
}

/// A STOPPED task event as ECS sends it.
fn stopped(
    job: &str,
    arn: &str,
    created: &str,
    started: Option<&str>,
    stopped: &str,
    exit: Option<i64>,
) -> Value {
    let mut container = json!({"name": "worker", "lastStatus": "STOPPED"});
    if let Some(code) = exit {
        container["exitCode"] = json!(code);
    }
    let mut detail = json!({
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/production",
        "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/production/{arn}"),
        "group": format!("cronport:shop:-:{job}"),
        "startedBy": "chronos-schedule/cronport-hourly",
        "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
        "createdAt": created, "stoppedAt": stopped,
        "containers": [container],
    });
    match started {
        Some(at) => {
            detail["startedAt"] = json!(at);
            detail["stopCode"] = json!("EssentialContainerExited");
            detail["stoppedReason"] = json!("Essential container in task exited");
        }
        None => {
            detail["stopCode"] = json!("TaskFailedToStart");
            detail["stoppedReason"] = json!("RESOURCE:MEMORY");
        }
    }
    json!({"version": "0", "id": arn, "detail-type": "ECS Task State Change", "source": "aws.ecs",
           "account": "123456789012", "time": stopped, "region": "us-east-1",
           "resources": [detail["taskArn"].clone()], "detail": detail})
}

fn run(events: &[Value], format: &str) -> (i32, String, String) {
    run_with(&manifest(), events, format)
}

fn run_with(manifest: &str, events: &[Value], format: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("cronport.toml");
    std::fs::write(&m, manifest).unwrap();
    // As `aws logs filter-log-events` prints them: each event a message.
    let logged: Vec<Value> = events
        .iter()
        .map(|e| json!({"logStreamName": "s", "timestamp": 1, "message": e.to_string()}))
        .collect();
    let file = dir.path().join("events.json");
    std::fs::write(&file, json!({"events": logged}).to_string()).unwrap();
    let out = cronport(&[
        "verify",
        m.to_str().unwrap(),
        "--events",
        file.to_str().unwrap(),
        "--since",
        "2026-12-01T00:00:00Z",
        "--until",
        "2026-12-01T05:45:00Z",
        "--format",
        format,
    ]);
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn every_run_is_judged_and_only_this_manifests_tasks_count() {
    // Due: hourly at 00:30 … 05:30 (6 runs), daily at 02:00 (1 run).
    let mut events = vec![
        stopped(
            "hourly",
            "a",
            "2026-12-01T00:30:01Z",
            Some("2026-12-01T00:30:40Z"),
            "2026-12-01T00:31:00Z",
            Some(0),
        ),
        // 01:30 failed with exit 1.
        stopped(
            "hourly",
            "b",
            "2026-12-01T01:30:01Z",
            Some("2026-12-01T01:30:40Z"),
            "2026-12-01T01:31:00Z",
            Some(1),
        ),
        // 02:30 doubled.
        stopped(
            "hourly",
            "c1",
            "2026-12-01T02:30:01Z",
            Some("2026-12-01T02:30:40Z"),
            "2026-12-01T02:31:00Z",
            Some(0),
        ),
        stopped(
            "hourly",
            "c2",
            "2026-12-01T02:30:02Z",
            Some("2026-12-01T02:30:41Z"),
            "2026-12-01T02:31:00Z",
            Some(0),
        ),
        // 03:30 could not be placed: RunTask "succeeded", the task never ran.
        stopped(
            "hourly",
            "d",
            "2026-12-01T03:30:01Z",
            None,
            "2026-12-01T03:30:20Z",
            None,
        ),
        // 04:30 missing. 05:30 is too recent to judge: pending.
        // daily at 02:00 ran 20 minutes late and for 30 minutes (no limit).
        stopped(
            "daily",
            "e",
            "2026-12-01T02:00:01Z",
            Some("2026-12-01T02:20:00Z"),
            "2026-12-01T02:50:00Z",
            Some(0),
        ),
        // Foreign: another manifest's, another environment's, no group.
        stopped(
            "hourly",
            "f",
            "2026-12-01T04:30:01Z",
            Some("2026-12-01T04:30:40Z"),
            "2026-12-01T04:31:00Z",
            Some(0),
        ),
    ];
    events[6]["detail"]["group"] = json!("cronport:other:-:hourly");
    let mut other_env = events[0].clone();
    other_env["detail"]["group"] = json!("cronport:shop:staging:hourly");
    other_env["detail"]["taskArn"] = json!("g");
    events.push(other_env);
    let mut no_group = events[0].clone();
    no_group["detail"]["group"] = json!("family:app-worker");
    no_group["detail"]["taskArn"] = json!("h");
    events.push(no_group);
    // A job the manifest no longer has (renamed): said, never silently lost.
    events.push(stopped(
        "old-name",
        "i",
        "2026-12-01T01:00:00Z",
        Some("2026-12-01T01:00:30Z"),
        "2026-12-01T01:01:00Z",
        Some(0),
    ));

    let (code, out, err) = run(&events, "json");
    assert_eq!(code, 1, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    // Every run counted; the ones that went wrong listed.
    assert_eq!(
        v["jobs"][0]["counts"],
        json!({"ok": 1, "failed": 1, "doubled": 1, "not started": 1, "missing": 1, "pending": 1})
    );
    let listed = |job: usize| -> Vec<String> {
        v["jobs"][job]["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["at"].as_str().unwrap(),
                    r["verdict"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        listed(0),
        [
            "2026-12-01T01:30:00Z failed",
            "2026-12-01T02:30:00Z doubled",
            "2026-12-01T03:30:00Z not_started",
            "2026-12-01T04:30:00Z missing",
        ]
    );
    assert_eq!(v["jobs"][0]["runs"][0]["exit_code"], 1);
    assert_eq!(v["jobs"][0]["runs"][2]["reason"], "RESOURCE:MEMORY");
    assert_eq!(listed(1), ["2026-12-01T02:00:00Z late"]);
    assert_eq!(v["jobs"][1]["runs"][0]["by_seconds"], 1200);
    assert_eq!(v["other_jobs"]["old-name"], 1);

    let (_, text_out, _) = run(&events, "text");
    for said in [
        "hourly  2026-12-01 01:30 UTC  failed, exit code 1: Essential container in task exited",
        "hourly  2026-12-01 03:30 UTC  not started: RESOURCE:MEMORY",
        "hourly  2026-12-01 02:30 UTC  doubled: 2 tasks",
        "daily  2026-12-01 02:00 UTC  late: started 20m00s after its time",
        "1 task of job `old-name`, which the manifest does not have",
    ] {
        assert!(text_out.contains(said), "{said}\n{text_out}");
    }
}

/// A renamed job keeps the runs recorded under its old name (`formerly`);
/// a former name that is a job's now, or two jobs', is refused.
#[test]
fn a_renamed_job_keeps_its_history() {
    let mut events: Vec<Value> = (0..6)
        .map(|h| {
            let at = |m: &str| format!("2026-12-01T0{h}:{m}Z");
            stopped(
                "hourly",
                &format!("t{h}"),
                &at("30:02"),
                Some(&at("30:30")),
                &at("31:00"),
                Some(0),
            )
        })
        .collect();
    events.push(stopped(
        "daily",
        "d",
        "2026-12-01T02:00:02Z",
        Some("2026-12-01T02:00:30Z"),
        "2026-12-01T02:01:00Z",
        Some(0),
    ));
    let renamed = manifest().replace(
        "name = \"hourly\"",
        "name = \"hourly-sync\"\nformerly = [\"hourly\"]",
    );
    let (code, out, err) = run_with(&renamed, &events, "json");
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["jobs"][0]["job"], "hourly-sync");
    assert_eq!(v["jobs"][0]["counts"], json!({"ok": 6}));
    // Without `formerly` the runs are another job's, and the new name's
    // are missing.
    let (code, out, _) = run_with(
        &renamed.replace("formerly = [\"hourly\"]\n", ""),
        &events,
        "json",
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["jobs"][0]["counts"], json!({"missing": 5, "pending": 1}));
    assert_eq!(v["other_jobs"]["hourly"], 6);

    let clash = renamed.replace("formerly = [\"hourly\"]", "formerly = [\"daily\"]");
    let (code, _, err) = run_with(&clash, &events, "text");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`daily` is a job's name now"), "{err}");
}

#[test]
fn all_runs_ok_exits_zero_and_a_time_limit_is_held() {
    let mut events: Vec<Value> = (0..6)
        .map(|h| {
            stopped(
                "hourly",
                &format!("t{h}"),
                &format!("2026-12-01T0{h}:30:02Z"),
                Some(&format!("2026-12-01T0{h}:30:30Z")),
                &format!("2026-12-01T0{h}:31:00Z"),
                Some(0),
            )
        })
        .collect();
    events.push(stopped(
        "daily",
        "d",
        "2026-12-01T02:00:02Z",
        Some("2026-12-01T02:00:30Z"),
        "2026-12-01T02:01:00Z",
        Some(0),
    ));
    let (code, out, err) = run(&events, "markdown");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("7 runs expected from 2026-12-01 00:00 UTC to 2026-12-01 05:45 UTC: 7 ok"),
        "{out}"
    );

    // The hourly job's limit is 10 minutes: 25 minutes is over it.
    events[0]["detail"]["stoppedAt"] = json!("2026-12-01T00:55:30Z");
    let (code, out, _) = run(&events, "text");
    assert_eq!(code, 1);
    assert!(out.contains("over its time limit: ran 25m00s"), "{out}");
}

#[test]
fn bad_event_files_and_windows_are_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("cronport.toml");
    std::fs::write(&m, manifest()).unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"detail-type\": \"x\"}\nnot json\n").unwrap();
    for (args, said) in [
        (
            vec!["--events", bad.to_str().unwrap()],
            "line 2 is not JSON",
        ),
        (
            vec!["--events", bad.to_str().unwrap(), "--last", "7 days"],
            "--last `7 days` is not a duration",
        ),
        (
            vec![
                "--events",
                bad.to_str().unwrap(),
                "--since",
                "2026-12-02T00:00:00Z",
                "--until",
                "2026-12-01T00:00:00Z",
            ],
            "the window is empty",
        ),
    ] {
        let mut all = vec!["verify", m.to_str().unwrap()];
        all.extend(args);
        let out = cronport(&all);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(said) && err.lines().count() == 1,
            "{said}: {err}"
        );
    }
}

/// `cronport` against an endpoint, as a user runs it.
fn on_aws(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(args)
        .args(["--endpoint-url", url, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("cronport runs")
}

/// The run record end to end through the real SDK and moto: `apply`
/// creates the rule, log group and policy; a second plan finds nothing to
/// change; ECS events sent through EventBridge reach the log group only
/// when the rule's pattern matches (this deployment's task group); `verify`
/// reads them back and judges; turning the record off deletes the rule and
/// keeps the history.
#[test]
fn the_run_record_is_applied_and_verify_reads_what_eventbridge_delivered() {
    use crate::moto;
    let moto = moto::Moto::start_delivering();
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let url = proxy.url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = rt.block_on(moto::example_account(&url));
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("cronport.toml");
    let example = super::common::example_manifest();
    let with_record = example.replacen("[defaults]\n", "[defaults]\nrun_history_days = 400\n", 1);
    std::fs::write(&m, &with_record).unwrap();
    let m = m.to_str().unwrap();

    let out = on_aws(&url, &["apply", m, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("run record cronport-runs-auto-5488e40d"),
        "{}",
        text(&out.stdout)
    );
    let out = on_aws(&url, &["plan", m, "--detailed-exitcode"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a second plan changes nothing:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    let group = "/aws/events/cronport/auto-5488e40d";
    rt.block_on(async {
        let rule = clients
            .events
            .describe_rule()
            .name("cronport-runs-auto-5488e40d")
            .send()
            .await
            .unwrap();
        let pattern: Value = serde_json::from_str(rule.event_pattern().unwrap()).unwrap();
        assert_eq!(
            pattern["$or"][0]["detail"]["group"][0]["prefix"],
            "cronport:auto-5488e40d:-:"
        );
        let groups = clients
            .logs
            .describe_log_groups()
            .log_group_name_prefix(group)
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups()[0].retention_in_days(), Some(400));
        let policies = clients
            .logs
            .describe_resource_policies()
            .send()
            .await
            .unwrap();
        let policy = policies
            .resource_policies()
            .iter()
            .find(|p| p.policy_name() == Some("cronport-runs-auto-5488e40d"))
            .unwrap();
        assert!(
            policy
                .policy_document()
                .unwrap()
                .contains(&format!("log-group:{group}:*"))
        );
    });

    // The hourly job's last three instants before the current hour.
    let now = jiff::Timestamp::now();
    let hour = jiff::Timestamp::from_second(now.as_second() / 3600 * 3600).unwrap();
    let since = hour - jiff::SignedDuration::from_hours(5);
    let at = |h: i64, s: i64| (since + jiff::SignedDuration::from_secs(h * 3600 + s)).to_string();
    let job = "rails-runner-devices-sync-call";
    let mut events = vec![
        stopped(job, "ok", &at(0, 2), Some(&at(0, 40)), &at(0, 90), Some(0)),
        stopped(
            job,
            "failed",
            &at(1, 2),
            Some(&at(1, 40)),
            &at(1, 90),
            Some(1),
        ),
        // The third run never came. Another manifest's task of the same
        // job name, and a task without a cronport group, are not recorded.
        stopped(
            job,
            "foreign",
            &at(2, 2),
            Some(&at(2, 40)),
            &at(2, 90),
            Some(0),
        ),
        stopped(
            job,
            "ungrouped",
            &at(2, 3),
            Some(&at(2, 40)),
            &at(2, 90),
            Some(0),
        ),
        // The fifth run started two tasks.
        stopped(
            job,
            "twice-a",
            &at(4, 2),
            Some(&at(4, 40)),
            &at(4, 90),
            Some(0),
        ),
        stopped(
            job,
            "twice-b",
            &at(4, 3),
            Some(&at(4, 41)),
            &at(4, 91),
            Some(0),
        ),
    ];
    for e in &mut events {
        e["detail"]["group"] = json!(format!("cronport:auto-5488e40d:-:{job}"));
    }
    events[2]["detail"]["group"] = json!(format!("cronport:another:-:{job}"));
    events[3]["detail"]["group"] = json!("family:mamorio-worker");
    // The third run: RunTask placed no task, as CloudTrail records it. The
    // fourth: a call that placed its task (not recorded: its task's events
    // tell), and another manifest's failed call; then nothing came.
    let run_task = |group: &str, time: &str, failures: Value| {
        json!({"detail-type": "AWS API Call via CloudTrail", "detail": {
            "eventVersion": "1.08", "eventTime": time, "eventSource": "ecs.amazonaws.com",
            "eventName": "RunTask", "awsRegion": "us-east-1", "eventType": "AwsApiCall",
            "requestParameters": {"cluster": "mamorio-production", "taskDefinition": "mamorio-worker",
                "group": group, "count": 1, "launchType": "FARGATE"},
            "responseElements": {"tasks": [], "failures": failures}}})
    };
    let ours = format!("cronport:auto-5488e40d:-:{job}");
    events.push(run_task(&ours, &at(2, 1), json!([{"arn": "arn:aws:ecs:us-east-1:123456789012:container-instance/x", "reason": "RESOURCE:MEMORY"}])));
    events.push(run_task(&ours, &at(3, 1), json!([])));
    events.push(run_task(
        &format!("cronport:another:-:{job}"),
        &at(3, 1),
        json!([{"reason": "RESOURCE:CPU"}]),
    ));
    rt.block_on(async {
        for e in &events {
            let kind = e
                .get("detail-type")
                .and_then(Value::as_str)
                .unwrap_or("ECS Task State Change");
            let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source("aws.ecs")
                .detail_type(kind)
                .detail(e["detail"].to_string())
                .build();
            let put = clients
                .events
                .put_events()
                .entries(entry)
                .send()
                .await
                .unwrap();
            assert_eq!(put.failed_entry_count(), 0);
        }
        // What the failed task's container logged last.
        moto::logging_worker(&clients).await;
        clients
            .logs
            .create_log_stream()
            .log_group_name("/ecs/mamorio")
            .log_stream_name("app/worker/failed")
            .send()
            .await
            .unwrap();
        let now_ms = jiff::Timestamp::now().as_millisecond();
        let logged_lines: Vec<_> = ["syncing devices", "connection refused: devices-api:443"]
            .iter()
            .enumerate()
            .map(|(i, line)| {
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(now_ms + i as i64)
                    .message(*line)
                    .build()
                    .unwrap()
            })
            .collect();
        clients
            .logs
            .put_log_events()
            .log_group_name("/ecs/mamorio")
            .log_stream_name("app/worker/failed")
            .set_log_events(Some(logged_lines))
            .send()
            .await
            .unwrap();
        let mut logged = Vec::new();
        cronport::aws::read_run_record(
            &clients,
            group,
            since - jiff::SignedDuration::from_hours(24),
            now + jiff::SignedDuration::from_hours(1),
            |event| {
                logged.push(event.to_string());
                Ok(())
            },
        )
        .await
        .unwrap();
        assert_eq!(
            logged.len(),
            5,
            "only this deployment's tasks and failed calls are recorded: {logged:?}"
        );
    });

    let since_text = since.to_string();
    let until_text = hour.to_string();
    let verify = |name: &str| {
        let out = on_aws(
            &url,
            &[
                "verify",
                m,
                "--since",
                &since_text,
                "--until",
                &until_text,
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let v: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
        let hourly = v["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["job"] == name)
            .unwrap()
            .clone();
        let verdicts: Vec<String> = hourly["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["verdict"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(verdicts, ["failed", "not_started", "missing", "doubled"]);
        assert_eq!(
            hourly["runs"][0]["last_lines"],
            json!(["syncing devices", "connection refused: devices-api:443"])
        );
        assert_eq!(
            hourly["runs"][1]["reason"],
            "ECS placed no task: RESOURCE:MEMORY"
        );
        assert_eq!(
            hourly["counts"],
            json!({"ok": 1, "failed": 1, "not started": 1, "missing": 1, "doubled": 1})
        );
        assert!(v["other_jobs"].as_object().unwrap().is_empty(), "{v}");
    };
    verify(job);
    // Renamed, with its former name: the same runs are the new name's.
    std::fs::write(
        m,
        with_record.replacen(
            &format!("name = \"{job}\""),
            &format!("name = \"devices-sync\"\nformerly = [\"{job}\"]"),
            1,
        ),
    )
    .unwrap();
    verify("devices-sync");

    // The record turned off: the rule and policy go, the history stays.
    std::fs::write(m, &example).unwrap();
    let out = on_aws(&url, &["apply", m, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("- run record cronport-runs-auto-5488e40d"),
        "{}",
        text(&out.stdout)
    );
    rt.block_on(async {
        assert!(
            clients
                .events
                .describe_rule()
                .name("cronport-runs-auto-5488e40d")
                .send()
                .await
                .is_err()
        );
        let groups = clients
            .logs
            .describe_log_groups()
            .log_group_name_prefix(group)
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups().len(), 1, "the history is kept");
    });
    assert!(proxy.take_violations().is_empty());
}

/// A task still running past its time limit at the window's end is over
/// its limit, not "running"; a reason's HTML is shown, not made, in the
/// Markdown comment; a task of a job the manifest lacks is named there.
#[test]
fn a_run_past_its_limit_is_said_and_markdown_shows_reasons_as_text() {
    let mut events: Vec<Value> = (0..6)
        .map(|h| {
            stopped(
                "hourly",
                &format!("t{h}"),
                &format!("2026-12-01T0{h}:30:02Z"),
                Some(&format!("2026-12-01T0{h}:30:30Z")),
                &format!("2026-12-01T0{h}:31:00Z"),
                Some(0),
            )
        })
        .collect();
    // 00:30's task never stopped: at 05:45 it has run over five hours.
    events[0]["detail"]["lastStatus"] = json!("RUNNING");
    events[0]["detail"]
        .as_object_mut()
        .unwrap()
        .remove("stoppedAt");
    // 01:30's failed, with HTML in its reason.
    events[1]["detail"]["containers"][0]["exitCode"] = json!(2);
    events[1]["detail"]["stoppedReason"] = json!("<img src=x onerror=alert(1)> | **bold**");
    events.push(stopped(
        "daily",
        "d",
        "2026-12-01T02:00:02Z",
        Some("2026-12-01T02:00:30Z"),
        "2026-12-01T02:01:00Z",
        Some(0),
    ));
    events.push(stopped(
        "gone",
        "g",
        "2026-12-01T02:00:02Z",
        Some("2026-12-01T02:00:30Z"),
        "2026-12-01T02:01:00Z",
        Some(0),
    ));
    let (code, out, err) = run(&events, "json");
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["jobs"][0]["runs"][0]["verdict"], "over_time_limit",
        "{out}"
    );
    assert_eq!(
        v["jobs"][0]["runs"][0]["ran_seconds"],
        5 * 3600 + 15 * 60 - 30
    );
    let (_, md, _) = run(&events, "markdown");
    assert!(
        md.contains("`failed, exit code 2: <img src=x onerror=alert(1)> \\| **bold**`"),
        "{md}"
    );
    assert!(
        md.contains("1 task of job `gone`, which the manifest does not have"),
        "{md}"
    );
}

/// CloudTrail's records: only a RunTask call with failures makes its run
/// `not started` (another call's record, or one with a task event of the
/// run, does not); a failure without a reason says so.
#[test]
fn only_a_failed_run_task_call_makes_a_run_not_started() {
    let call = |name: &str, at: &str, failures: Value| {
        json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.ecs", "detail": {
            "eventTime": at, "eventSource": "ecs.amazonaws.com", "eventName": name,
            "requestParameters": {"group": "cronport:shop:-:hourly"},
            "responseElements": {"failures": failures}}})
    };
    let events = vec![
        call(
            "StopTask",
            "2026-12-01T00:30:01Z",
            json!([{"reason": "RESOURCE:MEMORY"}]),
        ),
        call("RunTask", "2026-12-01T01:30:01Z", json!([{"arn": "x"}])),
        call(
            "RunTask",
            "2026-12-01T02:30:01Z",
            json!([{"reason": "RESOURCE:CPU"}]),
        ),
        stopped(
            "hourly",
            "t",
            "2026-12-01T02:30:05Z",
            Some("2026-12-01T02:30:30Z"),
            "2026-12-01T02:31:00Z",
            Some(0),
        ),
    ];
    let (code, out, err) = run(&events, "json");
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let runs = &v["jobs"][0]["runs"];
    assert_eq!(runs[0]["verdict"], "missing", "{out}");
    assert_eq!(runs[1]["verdict"], "not_started", "{out}");
    assert_eq!(runs[1]["reason"], "ECS placed no task (it gave no reason)");
    // 02:30: its task ran after all.
    assert_ne!(runs[2]["at"], "2026-12-01T02:30:00Z", "{out}");
}
