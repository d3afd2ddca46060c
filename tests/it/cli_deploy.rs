//! `cronport plan` and `cronport apply` as a user runs them, against moto.

use crate::common::text;
use crate::moto;

use std::process::{Command, Output};

fn cronport(endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(args)
        .args([
            "--endpoint-url",
            endpoint,
            "--region",
            "us-east-1",
            "--from",
            "2026-11-24T00:00:00Z",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cronport runs")
}

#[test]
fn plan_apply_plan_with_exit_codes() {
    let moto = moto::Moto::start();
    let url = moto.url();
    let manifest = "examples/heroku/cronport.toml";
    // Before the cluster exists: an error, exit 1, nothing written.
    let out = cronport(&url, &["plan", manifest]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cluster `mamorio-production` does not exist"),
        "{}",
        text(&out.stderr)
    );

    moto::make_example_account(&url);

    let out = cronport(&url, &["plan", manifest, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Plan: 13 to add, 0 to change, 0 to destroy, 0 unchanged."),
        "{}",
        text(&out.stdout)
    );

    // No terminal and no --yes: refuse.
    let out = cronport(&url, &["apply", manifest]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("pass --yes"),
        "{}",
        text(&out.stderr)
    );

    let out = cronport(&url, &["apply", manifest, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Apply: 13 of 13 changes made, 13 write calls. Done."),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("created schedule mamorio/cronport-rake-reports-daily"),
        "{}",
        text(&out.stderr)
    );

    let out = cronport(
        &url,
        &["plan", manifest, "--detailed-exitcode", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["unchanged"], 13); // the group and 12 schedules
    let out = cronport(&url, &["apply", manifest, "--yes"]);
    assert!(
        text(&out.stdout).contains("Nothing to do."),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn diff_against_what_is_live() {
    let moto = moto::Moto::start();
    let url = moto.url();
    moto::make_example_account(&url);
    let manifest = "examples/heroku/cronport.toml";
    let out = cronport(&url, &["apply", manifest, "--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Live equals the manifest: nothing effective.
    let out = cronport(&url, &["diff", "aws", manifest, "--detailed-exitcode"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("0 changed"),
        "{}",
        text(&out.stdout)
    );
    // An edited manifest: live is the base, the edit the head.
    let dir = std::env::temp_dir().join(format!("cronport-live-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let edited = dir.join("cronport.toml");
    let original =
        std::fs::read_to_string(format!("{}/{manifest}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    std::fs::write(
        &edited,
        original.replace("every day at 14:30", "every day at 15:00"),
    )
    .unwrap();
    let out = cronport(
        &url,
        &[
            "diff",
            "aws",
            edited.to_str().unwrap(),
            "--detailed-exitcode",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("~ job rake-reports-daily"), "{stdout}");
    assert!(
        stdout.contains("schedule: cron(30 14 * * ? *) → every day at 15:00"),
        "{stdout}"
    );
    // A size change: `diff aws MANIFEST` and `plan MANIFEST` agree field by
    // field on the direction, live → manifest (text and JSON).
    std::fs::write(
        &edited,
        original.replace(
            "command = \"bundle exec rake reports:daily\"\nsize = \"standard-2x\"",
            "command = \"bundle exec rake reports:daily\"\nsize = \"performance-l\"",
        ),
    )
    .unwrap();
    let plan = cronport(
        &url,
        &["plan", edited.to_str().unwrap(), "--format", "json"],
    );
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let diff = cronport(
        &url,
        &["diff", "aws", edited.to_str().unwrap(), "--format", "json"],
    );
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let planned: Vec<(String, String)> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["fields"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["field"] == "size")
        .map(|f| {
            (
                f["before"].as_str().unwrap().to_string(),
                f["after"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        planned,
        [(
            "cpu 512 / memory 1024 MiB".to_string(),
            "cpu 8192 / memory 16384 MiB".to_string()
        )],
        "{plan}"
    );
    // Every attribute, before and after, as `terraform show -json` has it.
    let update = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "update")
        .unwrap();
    assert_eq!(update["kind"], "schedule");
    assert_eq!(update["before"]["input"]["Overrides"]["Cpu"], "512");
    assert_eq!(update["after"]["input"]["Overrides"]["Cpu"], "8192");
    assert_eq!(
        update["before"]["expression"],
        update["after"]["expression"]
    );
    let diffed: Vec<(String, String)> = diff["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|j| j["fields"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["field"] == "size")
        .map(|f| {
            (
                f["before"].as_str().unwrap().to_string(),
                f["after"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(diffed, planned, "{diff}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_starts_the_task_with_the_schedules_overrides() {
    let moto = moto::Moto::start();
    // Through the proxy, which mends moto's numeric container sizes.
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let url = proxy.url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = rt.block_on(moto::example_account(&url));
    let manifest = "examples/heroku/cronport.toml";
    let out = cronport(&url, &["run", "nope", manifest]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no job `nope`"),
        "{}",
        text(&out.stderr)
    );

    let out = cronport(&url, &["run", "rake-db-analyze-rake-db-vacuum", manifest]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let arn = text(&out.stdout).trim().to_string();
    assert!(
        arn.starts_with("arn:aws:ecs:us-east-1:123456789012:task/"),
        "{arn}"
    );
    let task = rt.block_on(async {
        clients
            .ecs
            .describe_tasks()
            .cluster("mamorio-production")
            .tasks(&arn)
            .send()
            .await
            .unwrap()
    });
    let task = &task.tasks()[0];
    assert_eq!(
        task.started_by(),
        Some("cronport/rake-db-analyze-rake-db-vacuum")
    );
    let container = &task.overrides().unwrap().container_overrides()[0];
    assert_eq!(container.name(), Some("worker"));
    assert_eq!(
        container.command(),
        [
            "timeout",
            "-k",
            "30",
            "86400",
            "/bin/bash",
            "-c",
            "bundle exec rake db:analyze && bundle exec rake db:vacuum_stats"
        ]
    );

    // A job marked not to rehearse is refused, with the manifest's reason,
    // and no RunTask (nor any other request) is made; --force runs it.
    let dir = tempfile::tempdir().unwrap();
    let marked = dir.path().join("cronport.toml");
    let example = std::fs::read_to_string(manifest).unwrap();
    let at = example
        .find("name = \"rake-db-analyze-rake-db-vacuum\"")
        .unwrap();
    let mut text_marked = example.clone();
    text_marked.insert_str(at, "rehearse = \"charges customers on the 1st\"\n");
    std::fs::write(&marked, text_marked).unwrap();
    let marked = marked.to_str().unwrap();
    proxy.take();
    let out = cronport(&url, &["run", "rake-db-analyze-rake-db-vacuum", marked]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: job `rake-db-analyze-rake-db-vacuum` is marked not to rehearse")
            && stderr.contains("(charges customers on the 1st); nothing was started")
            && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    assert!(
        proxy.take().is_empty(),
        "a refused run made no request at all"
    );
    let out = cronport(
        &url,
        &["run", "rake-db-analyze-rake-db-vacuum", marked, "--force"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let started = proxy.take();
    assert_eq!(
        started
            .iter()
            .filter(|s| s.target.as_deref().is_some_and(|t| t.ends_with(".RunTask")))
            .count(),
        1
    );

    // --wait follows the task until it stops and exits with its code.
    let out = cronport(
        &url,
        &[
            "run",
            "rake-reports-daily",
            manifest,
            "--wait",
            "--poll",
            "1",
            "--timeout",
            "60",
        ],
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("waiting for 1 task(s) to stop"), "{stderr}");
    assert!(stderr.contains("container `worker` exited 0"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn migrate_dry_run_shows_the_switches_offline() {
    let text_of = |path: &str| std::fs::read_to_string(path).unwrap();
    let manifest = text_of(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/heroku/cronport.toml"
    ))
    .replace(
        "\"mamorio-production\"",
        "\"arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production\"",
    )
    .replace(
        "\"mamorio-worker\"",
        "\"arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker\"",
    )
    .replace(
        "schedule_group = \"mamorio\"",
        "schedule_group = \"mamorio\"\nbackend = \"rules\"",
    );
    let dir = std::env::temp_dir().join(format!("cronport-migrate-dry-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cronport.toml");
    std::fs::write(&path, &manifest).unwrap();
    let migrate = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cronport"))
            .args([
                "migrate",
                "--from-backend",
                "rules",
                "--to-backend",
                "scheduler",
            ])
            .args(extra)
            .arg(&path)
            .output()
            .unwrap()
    };
    // Port 9 (discard) has no AWS behind it: any AWS call would fail.
    let out = migrate(&[
        "--dry-run",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--region",
        "us-east-1",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("job ")).count(),
        12,
        "{stdout}"
    );
    assert!(
        stdout.contains("job rake-push-fan-out: switch at "),
        "{stdout}"
    );
    assert!(
        stdout.contains("would create 1 schedule and disable rule cronport-rake-push-fan-out"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Nothing was changed (--dry-run)."),
        "{stdout}"
    );
    // --dry-run is for stage one only.
    let out = migrate(&["--dry-run", "--finish"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--profile` wins over the environment's keys, as with the AWS CLI; an
/// unknown profile is an error; no credentials and no region are one
/// sentence each. The proxy sees which key signed each request.
#[test]
fn a_profile_wins_over_environment_keys_and_a_wrong_one_is_an_error() {
    let moto = moto::Moto::start();
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let url = proxy.url();
    moto::make_example_account(&url);
    let dir = std::env::temp_dir().join(format!("cronport-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[profile prod]\naws_access_key_id = PRODKEY\naws_secret_access_key = s\nregion = us-east-1\n\n[profile staging]\naws_access_key_id = STAGINGKEY\naws_secret_access_key = s\n",
    )
    .unwrap();
    let run = |args: &[&str], keys: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cronport"));
        command
            .args(args)
            .args(["--endpoint-url", &url])
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"))
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if keys {
            command
                .env("AWS_ACCESS_KEY_ID", "ENVKEY")
                .env("AWS_SECRET_ACCESS_KEY", "s");
        } else {
            command
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY");
        }
        command.output().unwrap()
    };
    let keys_seen = |proxy: &moto::Proxy| {
        let mut keys: Vec<String> = proxy
            .take()
            .into_iter()
            .filter_map(|s| s.credential)
            .collect();
        keys.sort();
        keys.dedup();
        keys
    };
    let manifest = "examples/heroku/cronport.toml";
    proxy.take();
    let out = run(&["plan", manifest, "--profile", "prod"], true);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(keys_seen(&proxy), ["PRODKEY"]);
    let out = run(
        &[
            "plan",
            manifest,
            "--profile",
            "staging",
            "--region",
            "us-east-1",
        ],
        true,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(keys_seen(&proxy), ["STAGINGKEY"]);
    // Without --profile, the environment's keys.
    let out = run(&["plan", manifest, "--region", "us-east-1"], true);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(keys_seen(&proxy), ["ENVKEY"]);
    // An unknown profile, no credentials, no region: one sentence each, no call.
    let out = run(
        &[
            "plan",
            manifest,
            "--profile",
            "nosuch",
            "--region",
            "us-east-1",
        ],
        true,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the profile `nosuch` gives no credentials"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["plan", manifest, "--region", "us-east-1"], false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no AWS credentials"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["plan", manifest, "--profile", "staging"], true);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: no AWS region"),
        "{}",
        text(&out.stderr)
    );
    assert!(keys_seen(&proxy).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An endpoint that refuses connections, or accepts and never answers, is
/// one sentence in seconds, not minutes of retries.
#[test]
fn an_unreachable_endpoint_is_one_sentence_in_seconds() {
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", refused.local_addr().unwrap());
    drop(refused);
    let out = cronport(&closed, &["plan", "examples/heroku/cronport.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot reach http://127.0.0.1:"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("Connection refused"),
        "{}",
        text(&out.stderr)
    );
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let keep = std::thread::spawn(move || {
        // Accept and hold connections without a word.
        let mut held = Vec::new();
        for c in silent.incoming().take(4).flatten() {
            held.push(c);
        }
        std::thread::sleep(std::time::Duration::from_secs(15));
    });
    let out = cronport(&url, &["plan", "examples/heroku/cronport.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("did not answer within 10 seconds"),
        "{}",
        text(&out.stderr)
    );
    drop(keep);
}

#[test]
fn run_wait_prints_the_containers_log_lines_and_its_exit_code() {
    let moto = moto::Moto::start();
    // Through the proxy, which mends moto's numeric container sizes.
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let url = proxy.url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = rt.block_on(moto::example_account(&url));
    // The worker logs with awslogs, as a Fargate task definition does.
    rt.block_on(moto::logging_worker(&clients));
    // moto moves a task one state on per DescribeTasks (RUNNING to
    // STOPPED in four), so with --poll 1 the job "runs" for a few seconds.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args([
            "run",
            "rake-reports-daily",
            "examples/heroku/cronport.toml",
            "--wait",
            "--poll",
            "1",
            "--timeout",
            "120",
        ])
        .args(["--endpoint-url", &url, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The job writes two lines into its task's stream, as the awslogs
    // driver would: PREFIX/CONTAINER/TASK-ID.
    rt.block_on(async {
        let task_id = loop {
            let listed = clients
                .ecs
                .list_tasks()
                .cluster("mamorio-production")
                .send()
                .await
                .unwrap();
            if let Some(arn) = listed.task_arns().first() {
                break arn.rsplit('/').next().unwrap().to_string();
            }
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
                panic!("cronport stopped ({status}) before starting a task: {err}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        let stream = format!("app/worker/{task_id}");
        clients
            .logs
            .create_log_stream()
            .log_group_name("/ecs/mamorio")
            .log_stream_name(&stream)
            .send()
            .await
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let events = ["Rendering daily report…", "report sent to 3 recipients"]
            .iter()
            .enumerate()
            .map(|(i, m)| {
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(now + i as i64)
                    .message(*m)
                    .build()
                    .unwrap()
            });
        clients
            .logs
            .put_log_events()
            .log_group_name("/ecs/mamorio")
            .log_stream_name(&stream)
            .set_log_events(Some(events.collect()))
            .send()
            .await
            .unwrap();
    });
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("following CloudWatch Logs: app/worker/"),
        "{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("arn:aws:ecs:us-east-1:123456789012:task/"),
        "{stdout}"
    );
    assert_eq!(
        &lines[1..],
        ["Rendering daily report…", "report sent to 3 recipients"],
        "{stdout}"
    );
    assert!(stderr.contains("container `worker` exited 0"), "{stderr}");
}
