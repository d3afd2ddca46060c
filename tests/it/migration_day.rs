//! Migration day: `run --all` rehearses every job, `start_at` holds AWS's
//! runs until the cutover instant, and `cutover` proves the switch and
//! makes it (rules enabled, Heroku Scheduler jobs deleted) at the instant.

use std::process::{Command, Output};

use cronport::cutover::cutover;
use cronport::desired::{CompileOptions, compile};
use cronport::manifest::Manifest;
use cronport::render::{Format, render};

use crate::common::DEFAULTS;
use crate::common::text;
use crate::moto;

fn manifest(jobs: &str) -> Manifest {
    Manifest::from_toml(&format!("{DEFAULTS}\n{jobs}"), "cronport.toml").unwrap()
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

/// When the cutovers below are planned: days before their instants.
const NOW: &str = "2026-11-27T09:00:00Z";

const THREE_JOBS: &str = r#"
[[job]]
name = "hourly"
schedule = "every hour at :00"
command = "rake hourly"

[[job]]
name = "fan-out"
schedule = "every 10 minutes"
command = "rake fan_out"

[[job]]
name = "daily"
schedule = "every day at 14:30"
command = "rake daily"
"#;

#[test]
fn the_cutover_between_runs_loses_and_doubles_none() {
    let plan = cutover(&manifest(THREE_JOBS), at("2026-12-01T03:05:00Z"), at(NOW)).unwrap();
    let got: Vec<(&str, String, String, bool)> = plan
        .jobs
        .iter()
        .map(|j| {
            (
                j.job.as_str(),
                j.last_before.unwrap().to_string(),
                j.first_after.unwrap().to_string(),
                j.on_the_instant,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "hourly",
                "2026-12-01T03:00:00Z".into(),
                "2026-12-01T04:00:00Z".into(),
                false
            ),
            (
                "fan-out",
                "2026-12-01T03:00:00Z".into(),
                "2026-12-01T03:10:00Z".into(),
                false
            ),
            (
                "daily",
                "2026-11-30T14:30:00Z".into(),
                "2026-12-01T14:30:00Z".into(),
                false
            ),
        ]
    );
    // The proof runs from the instant: every run of the window compared.
    assert!(plan.jobs.iter().all(|j| j.proved_over > 0));
    // Six runs an hour, and 03:10–03:50 before the first hourly run.
    assert_eq!(plan.jobs[1].proved_over, plan.jobs[0].proved_over * 6 + 5);
}

#[test]
fn the_cutover_on_a_run_gives_that_run_to_aws_and_says_so() {
    let plan = cutover(&manifest(THREE_JOBS), at("2026-12-01T03:00:00Z"), at(NOW)).unwrap();
    let hourly = &plan.jobs[0];
    assert_eq!(
        hourly.last_before.unwrap().to_string(),
        "2026-12-01T02:00:00Z"
    );
    assert_eq!(
        hourly.first_after.unwrap().to_string(),
        "2026-12-01T03:00:00Z"
    );
    assert!(hourly.on_the_instant && plan.jobs[1].on_the_instant);
    assert!(!plan.jobs[2].on_the_instant);
}

#[test]
fn the_cutover_in_a_daylight_saving_zone_follows_each_rule() {
    // 2026-11-01: New York falls back from 02:00 EDT to 01:00 EST.
    let jobs = r#"
[[job]]
name = "night"
schedule = "30 1 * * *"
command = "rake night"
timezone = "America/New_York"

[[job]]
name = "hourly-ny"
schedule = "0 * * * *"
command = "rake hourly"
timezone = "America/New_York"
"#;
    // Between the two 01:30s (05:30Z and 06:30Z): the night job ran once,
    // at the first, and runs next on 2 November; the hourly job's second
    // 01:00 (06:00Z, EST) is AWS's.
    let plan = cutover(
        &manifest(jobs),
        at("2026-11-01T05:45:00Z"),
        at("2026-10-30T00:00:00Z"),
    )
    .unwrap();
    let night = &plan.jobs[0];
    assert_eq!(
        night.last_before.unwrap().to_string(),
        "2026-11-01T05:30:00Z"
    );
    assert_eq!(
        night.first_after.unwrap().to_string(),
        "2026-11-02T06:30:00Z"
    );
    let hourly = &plan.jobs[1];
    assert_eq!(
        hourly.last_before.unwrap().to_string(),
        "2026-11-01T05:00:00Z"
    );
    assert_eq!(
        hourly.first_after.unwrap().to_string(),
        "2026-11-01T06:00:00Z"
    );
}

#[test]
fn a_disabled_job_stays_off_and_held_rules_are_the_deployed_ones() {
    let rules = DEFAULTS
        .replace("cluster = \"production\"", "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/production\"\nbackend = \"rules\"")
        .replace("task_definition = \"app-worker\"", "task_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/app-worker\"");
    let jobs = r#"
[[job]]
name = "ny"
schedule = "30 1 * * *"
command = "rake ny"
timezone = "America/New_York"

[[job]]
name = "off"
schedule = "0 * * * *"
command = "rake off"
enabled = false
"#;
    let m = Manifest::from_toml(&format!("{rules}\n{jobs}"), "m").unwrap();
    let instant = at("2026-12-01T03:05:00Z");
    let plan = cutover(&m, instant, at(NOW)).unwrap();
    assert!(
        !plan.jobs[1].enabled
            && plan.jobs[1].rules.is_empty()
            && plan.jobs[1].first_after.is_none()
    );
    // The rules a deploy with `--start-at` made now, one per offset period
    // of the window from now: all of them, not those a window from the
    // instant would name.
    let deployed = compile(
        &m,
        &CompileOptions {
            start_at: Some(instant),
            ..CompileOptions::starting(at(NOW))
        },
    )
    .unwrap();
    let names: Vec<&str> = deployed.jobs[0]
        .resources
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert!(names.len() > 1);
    assert_eq!(plan.rules(), names);
}

#[test]
fn a_rate_job_cuts_over_at_its_start_date() {
    let jobs = r#"
[[job]]
name = "rate"
schedule = "rate(1 day)"
command = "rake rate"
start_date = "2027-01-01T00:00:00Z"
"#;
    let plan = cutover(
        &manifest(jobs),
        at("2027-01-15T12:00:00Z"),
        at("2027-01-10T00:00:00Z"),
    )
    .unwrap();
    let job = &plan.jobs[0];
    assert_eq!(job.first_after.unwrap().to_string(), "2027-01-16T00:00:00Z");
    assert_eq!(job.last_before.unwrap().to_string(), "2027-01-15T00:00:00Z");
}

#[test]
fn start_at_is_the_start_date_in_every_output_and_holds_rules() {
    let jobs = r#"
[[job]]
name = "daily"
schedule = "every day at 14:30"
command = "rake daily"
start_at = "2026-12-01T03:05:00Z"
"#;
    let desired = compile(
        &manifest(jobs),
        &CompileOptions::starting(at("2026-11-24T00:00:00Z")),
    )
    .unwrap();
    assert_eq!(desired.jobs[0].held_until, Some(at("2026-12-01T03:05:00Z")));
    let json = render(&desired, Format::Json);
    assert!(
        json.contains("\"StartDate\": \"2026-12-01T03:05:00Z\""),
        "{json}"
    );
    let cfn = render(&desired, Format::Cloudformation);
    assert!(
        cfn.contains("\"StartDate\": \"2026-12-01T03:05:00Z\""),
        "{cfn}"
    );
    let tf = render(&desired, Format::Terraform);
    assert!(
        tf.contains("start_date                   = \"2026-12-01T03:05:00Z\""),
        "{tf}"
    );
    // Once the instant has passed it holds nothing.
    let later = compile(
        &manifest(jobs),
        &CompileOptions::starting(at("2026-12-02T00:00:00Z")),
    )
    .unwrap();
    assert_eq!(
        (
            later.jobs[0].held_until,
            later.jobs[0].resources[0].start_date
        ),
        (None, None)
    );
    // A rules job waits disabled, with a warning that says how it starts.
    let rules = format!(
        "{}\n{jobs}",
        DEFAULTS
            .replace("cluster = \"production\"", "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/production\"\nbackend = \"rules\"")
            .replace("task_definition = \"app-worker\"", "task_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/app-worker\"")
    );
    let desired = compile(
        &Manifest::from_toml(&rules, "m").unwrap(),
        &CompileOptions::starting(at("2026-11-24T00:00:00Z")),
    )
    .unwrap();
    assert!(!desired.jobs[0].job.enabled);
    assert_eq!(
        desired.holds().and_then(|h| h.hint()),
        Some(cronport::Hint::CutoverAt {
            at: at("2026-12-01T03:05:00Z")
        })
    );
    assert!(render(&desired, Format::Json).contains("\"State\": \"DISABLED\""));
    // A bad instant points at the key.
    let err = Manifest::from_toml(
        &format!(
            "{DEFAULTS}\n{}",
            jobs.replace("2026-12-01T03:05:00Z", "tomorrow")
        ),
        "cronport.toml",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("start_at `tomorrow` is not an RFC 3339 instant"),
        "{err}"
    );
}

pub(crate) fn cli(endpoint: &str, args: &[&str], heroku: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cronport"));
    command
        .args(args)
        .args(["--endpoint-url", endpoint, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("HEROKU_API_KEY", "good-token")
        .env_remove("AWS_PROFILE")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if let Some(base) = heroku {
        command
            .env("CRONPORT_HEROKU_API", base)
            .env("CRONPORT_SCHEDULER_API", base);
    }
    command.output().expect("cronport runs")
}

#[test]
fn start_at_reaches_aws_as_the_schedules_start_date() {
    let moto = moto::Moto::start();
    let url = moto.url();
    moto::make_example_account(&url);
    let out = cli(
        &url,
        &[
            "apply",
            "examples/heroku/cronport.toml",
            "--yes",
            "--start-at",
            "2030-01-01T00:05:00Z",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let start = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let clients = cronport::aws::Clients::connect(&moto::aws_options(&url)).await;
            let s = clients
                .scheduler
                .get_schedule()
                .group_name("mamorio")
                .name("cronport-rake-reports-daily")
                .send()
                .await
                .unwrap();
            s.start_date().map(|d| d.to_string())
        });
    assert_eq!(start.as_deref(), Some("2030-01-01T00:05:00Z"));
    // And the plan after it is empty: the instant is the desired state.
    let out = cli(
        &url,
        &[
            "plan",
            "examples/heroku/cronport.toml",
            "--detailed-exitcode",
            "--start-at",
            "2030-01-01T00:05:00Z",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // Before the instant, dropping it would start the runs at once: the
    // plan is refused, naming how to keep the hold and how to release it;
    // a window that starts after the instant (`--from`) does not change
    // that: holds are measured by the clock.
    for extra in [None, Some(["--from", "2030-01-02T00:00:00Z"])] {
        let mut args = vec![
            "plan",
            "examples/heroku/cronport.toml",
            "--detailed-exitcode",
        ];
        args.extend(extra.into_iter().flatten());
        let out = cli(&url, &args, None);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr
                .contains("held until a cutover instant (2030-01-01T00:05:00Z and later) at once")
                && stderr.contains("pass --start-at 2030-01-01T00:05:00Z")
                && stderr.contains("--release-holds"),
            "{stderr}"
        );
    }
    // A cutover instant already passed holds nothing: refused, not ignored.
    let past = [
        "apply",
        "examples/heroku/cronport.toml",
        "--yes",
        "--start-at",
        "2020-01-01T00:00:00Z",
    ];
    let out = cli(&url, &past, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("would hold no run back"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn run_all_rehearses_every_job_and_names_the_one_that_failed() {
    let moto = moto::Moto::start();
    // Through the proxy: moto's container sizes mended, and a container
    // whose environment says CRONPORT_TEST_EXIT=3 exits 3.
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let url = proxy.url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = rt.block_on(moto::example_account(&url));
    // The worker logs with awslogs.
    rt.block_on(moto::logging_worker(&clients));
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/heroku/cronport.toml"
    ))
    .unwrap();
    let mut m = Manifest::from_toml(&example, "m").unwrap();
    m.jobs.truncate(3);
    m.jobs[1].command = "CRONPORT_TEST_EXIT=3 bundle exec rails runner 'Devices::Sync.call'".into();
    m.jobs[2].rehearse = Some(cronport::manifest::Rehearse::Skip(
        "sends the daily report to customers".into(),
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cronport.toml");
    std::fs::write(&path, toml::to_string(&m).unwrap()).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args([
            "run",
            "--all",
            path.to_str().unwrap(),
            "--wait",
            "--poll",
            "1",
            "--timeout",
            "120",
            "--format",
            "markdown",
        ])
        .args(["--endpoint-url", &url, "--region", "us-east-1"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Each started task writes a line into its stream, as awslogs would.
    rt.block_on(async {
        let mut written = std::collections::BTreeSet::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while written.len() < 2 && std::time::Instant::now() < deadline {
            let listed = clients
                .ecs
                .list_tasks()
                .cluster("mamorio-production")
                .send()
                .await
                .unwrap();
            for arn in listed.task_arns() {
                let id = arn.rsplit('/').next().unwrap().to_string();
                if !written.insert(id.clone()) {
                    continue;
                }
                let stream = format!("app/worker/{id}");
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
                let event = aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(now)
                    .message(format!("task {id} says hello"))
                    .build()
                    .unwrap();
                clients
                    .logs
                    .put_log_events()
                    .log_group_name("/ecs/mamorio")
                    .log_stream_name(&stream)
                    .log_events(event)
                    .send()
                    .await
                    .unwrap();
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert_eq!(
            written.len(),
            2,
            "two tasks start; the skipped job starts none"
        );
    });
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with(
            "| job | task | result | time | a month | last log lines |\n|---|---|---|---|---:|---|\n"
        ),
        "{stdout}"
    );
    // Each waited-for job's time priced a month (us-east-1, built in).
    assert!(
        stdout.contains("a month: each measured job's runs") && stdout.contains("in us-east-1"),
        "{stdout}"
    );
    let row = |job: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {job} |")))
            .unwrap_or_else(|| panic!("no row for {job}: {stdout}"))
            .to_string()
    };
    assert!(
        row("rake-sightings-purge-older-than").contains("| exited 0 |"),
        "{stdout}"
    );
    assert!(
        row("rake-sightings-purge-older-than").contains("| $0.0"),
        "{stdout}"
    );
    assert!(
        row("rake-sightings-purge-older-than").contains("says hello"),
        "{stdout}"
    );
    assert!(
        row("rails-runner-devices-sync-call").contains("| exited 3 |"),
        "{stdout}"
    );
    assert!(
        row("rake-reports-daily").contains("skipped: sends the daily report to customers"),
        "{stdout}"
    );
    assert!(stdout.contains("3 job(s): 1 passed, 1 failed, 1 skipped. Failed: rails-runner-devices-sync-call (exited 3)"), "{stdout}");
    assert!(stderr.contains("[3/3]"), "{stderr}");
}
