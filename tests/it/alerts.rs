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

/// The ways `notify` goes wrong, each refused in one sentence at its line;
/// `"none"` opts a job out; alarms tell one topic each.
#[test]
fn notify_mistakes_are_refused_and_alarms_tell_one_topic_each() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = |defaults: &str, jobs: &[(&str, &str)]| {
        let mut body = format!(
            "id = \"shop\"\n[defaults]\ncluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/main\"\ntask_definition = \"app\"\ncontainer = \"worker\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\nsubnets = [\"subnet-0a1b2c3d\"]\n{defaults}\n"
        );
        for (name, extra) in jobs {
            body.push_str(&format!(
                "[[job]]\nname = \"{name}\"\nschedule = \"@daily\"\ncommand = \"x\"\n{extra}\n"
            ));
        }
        let path = dir.path().join("cronport.toml");
        std::fs::write(&path, body).unwrap();
        let out = super::common::cronport(&["convert", path.to_str().unwrap(), "--format", "json"]);
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let topic = |account: &str, region: &str, name: &str| {
        format!("notify = \"arn:aws:sns:{region}:{account}:{name}\"")
    };
    let cases = [
        // Two topics of one name would be one rule.
        (
            manifest(
                "",
                &[
                    ("a", &topic("111111111111", "us-east-1", "oncall")),
                    ("b", &topic("222222222222", "us-east-1", "oncall")),
                ],
            ),
            "are two topics named `oncall`",
        ),
        (
            manifest(&topic("123456789012", "eu-west-1", "oncall"), &[("a", "")]),
            "is in another region than the deployment (us-east-1)",
        ),
        (
            manifest(
                "notify = \"arn:aws:sns:us-east-1:123456789012:oncall.fifo\"",
                &[("a", "")],
            ),
            "is a FIFO topic",
        ),
        (
            manifest(
                "notify = \"arn:aws:sqs:us-east-1:123456789012:q\"",
                &[("a", "")],
            ),
            "is not an SNS topic ARN",
        ),
        (
            manifest("", &[("a", "formerly = [\"old name\"]")]),
            "former name `old name` could never have been a job's",
        ),
        (
            manifest("", &[("a", "formerly = [\"b\", \"b\"]")]),
            "`b` is listed twice",
        ),
    ];
    for ((code, _, err), wanted) in cases {
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains(wanted), "{wanted}: {err}");
        assert!(err.contains("cronport.toml:"), "placed: {err}");
    }
    // A job opts out; GovCloud's partition is a partition.
    let (code, out, err) = manifest(
        &topic("123456789012", "us-east-1", "oncall"),
        &[("a", ""), ("b", "notify = \"none\"")],
    );
    assert_eq!(code, Some(0), "{err}");
    let requests: Value = serde_json::from_str(&out).unwrap();
    let rule = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["operation"] == "events:PutRule"
                && r["input"]["Name"] == "cronport-alerts-shop-oncall"
        })
        .unwrap();
    let pattern: Value =
        serde_json::from_str(rule["input"]["EventPattern"].as_str().unwrap()).unwrap();
    assert_eq!(pattern["detail"]["group"], json!(["cronport:shop:-:a"]));
    let (code, _, err) = manifest(
        "",
        &[(
            "a",
            "notify = \"arn:aws-us-gov:sns:us-gov-west-1:123456789012:oncall\"\ncluster = \"c\"",
        )],
    );
    assert_eq!(code, Some(0), "{err}");

    // Seven topics in one schedule group: seven pairs of alarms, each
    // telling one topic (CloudWatch allows five actions an alarm).
    let jobs: Vec<(String, String)> = (0..7)
        .map(|i| {
            (
                format!("j{i}"),
                topic("123456789012", "us-east-1", &format!("t{i}")),
            )
        })
        .collect();
    let jobs: Vec<(&str, &str)> = jobs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (code, out, err) = manifest("", &jobs);
    assert_eq!(code, Some(0), "{err}");
    let requests: Value = serde_json::from_str(&out).unwrap();
    let alarms: Vec<&Value> = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["operation"] == "cloudwatch:PutMetricAlarm")
        .collect();
    assert_eq!(alarms.len(), 14);
    assert!(
        alarms
            .iter()
            .all(|a| a["input"]["AlarmActions"].as_array().unwrap().len() == 1)
    );
    assert!(alarms.iter().all(|a| {
        a["input"]["AlarmName"]
            .as_str()
            .unwrap()
            .starts_with("cronport-alarm-shop-")
    }));
}
