//! Alerts (`notify`) end to end through the real SDK and moto: `apply`
//! creates the alert rule with its SNS target and input transformer; a
//! second plan finds nothing to change; ECS task events sent through
//! EventBridge reach the topic only when the run failed (a non-zero exit
//! code, or a task that failed to start) and the task is this
//! deployment's; turning `notify` off deletes the rule and leaves the
//! topic. moto routes the events (with EventBridge's documented matching
//! of lists of objects and SNS targets mended: `support/moto_server.py`).

use serde_json::{Value, json};

use super::common::text;

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

/// An SNS call straight to moto (the topic is the team's, not cronport's:
/// cronport never calls SNS, so the proxy has no SNS model).
fn sns(moto: &str, form: &[(&str, &str)]) -> String {
    ureq::post(moto)
        .set(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20261207/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0",
        )
        .send_form(form)
        .expect("moto answers SNS")
        .into_string()
        .unwrap()
}

/// The messages moto's SNS published to `topic`, oldest first.
fn published(moto: &str, topic: &str) -> Vec<String> {
    let data: Value = ureq::get(&format!("{moto}/moto-api/data.json"))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    data["sns"]["Topic"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["arn"] == topic)
        .flat_map(|t| t["sent_notifications"].as_array().unwrap().clone())
        .map(|n| n[1].as_str().unwrap().to_string())
        .collect()
}

/// A STOPPED task of `group` as ECS sends it.
fn stopped(group: &str, task: &str, exit: Option<i64>, stop_code: &str, reason: &str) -> Value {
    let mut container = json!({"name": "worker", "lastStatus": "STOPPED"});
    if let Some(code) = exit {
        container["exitCode"] = json!(code);
    }
    json!({
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production",
        "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/mamorio-production/{task}"),
        "group": group,
        "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
        "createdAt": "2026-12-07T02:00:01Z", "stoppedAt": "2026-12-07T02:01:00Z",
        "stopCode": stop_code, "stoppedReason": reason,
        "containers": [container],
    })
}

#[test]
fn a_failed_run_is_told_to_the_topic_and_nothing_else_is() {
    use crate::moto;
    let moto = moto::Moto::start_delivering();
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let url = proxy.url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = rt.block_on(moto::example_account(&url));
    let created = sns(
        &moto.url(),
        &[("Action", "CreateTopic"), ("Name", "oncall")],
    );
    let topic = "arn:aws:sns:us-east-1:123456789012:oncall";
    assert!(created.contains(topic), "{created}");

    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("cronport.toml");
    let example = super::common::example_manifest();
    let notified = example.replacen(
        "[defaults]\n",
        &format!("[defaults]\nnotify = \"{topic}\"\n"),
        1,
    );
    std::fs::write(&m, &notified).unwrap();
    let m = m.to_str().unwrap();
    let rule = "cronport-alerts-auto-5488e40d-oncall";

    let out = on_aws(&url, &["apply", m, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("+ alert rule {rule}")),
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

    let job = "cronport:auto-5488e40d:-:rails-runner-devices-sync-call";
    let events = [
        // Told: a non-zero exit; a task that failed to start.
        stopped(
            job,
            "failed",
            Some(3),
            "EssentialContainerExited",
            "Essential container in task exited",
        ),
        stopped(
            job,
            "unstarted",
            None,
            "TaskFailedToStart",
            "CannotPullContainerError: image not found",
        ),
        // Not told: a zero exit; another manifest's failure; a task
        // without cronport's group.
        stopped(
            job,
            "ok",
            Some(0),
            "EssentialContainerExited",
            "Essential container in task exited",
        ),
        stopped(
            "cronport:another:-:rails-runner-devices-sync-call",
            "foreign",
            Some(1),
            "EssentialContainerExited",
            "x",
        ),
        stopped(
            "family:mamorio-worker",
            "by-hand",
            Some(1),
            "EssentialContainerExited",
            "x",
        ),
    ];
    rt.block_on(async {
        for detail in &events {
            let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source("aws.ecs")
                .detail_type("ECS Task State Change")
                .detail(detail.to_string())
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
    });
    let messages = published(&moto.url(), topic);
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].contains(&format!("cronport run failed: {job} stopped (EssentialContainerExited, first container's exit code 3)")), "{}", messages[0]);
    assert!(messages[0].ends_with("/failed)"), "{}", messages[0]);
    assert!(
        messages[1].contains("TaskFailedToStart")
            && messages[1].contains("CannotPullContainerError"),
        "{}",
        messages[1]
    );

    // notify off: the rule goes, the topic stays.
    std::fs::write(m, &example).unwrap();
    let out = on_aws(&url, &["apply", m, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("- alert rule {rule}")),
        "{}",
        text(&out.stdout)
    );
    rt.block_on(async {
        assert!(
            clients
                .events
                .describe_rule()
                .name(rule)
                .send()
                .await
                .is_err()
        );
    });
    let topics = sns(&moto.url(), &[("Action", "ListTopics")]);
    assert!(topics.contains(topic), "{topics}");
    assert!(proxy.take_violations().is_empty());
}
