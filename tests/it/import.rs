//! Importers on realistic fixtures, malformed input, and names.

use cronport::import::{self, Defaults, name_from_command};
use cronport::manifest::Manifest;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/examples/heroku/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn shapes(manifest: &Manifest) -> Vec<(String, String, String)> {
    manifest
        .jobs
        .iter()
        .map(|j| {
            (
                j.name.clone(),
                j.schedule.clone(),
                j.size.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn heroku_export_becomes_the_bundled_manifest() {
    let defaults = Defaults {
        cluster: Some("mamorio-production".into()),
        task_definition: Some("mamorio-worker".into()),
        container: Some("worker".into()),
        role_arn: Some("arn:aws:iam::123456789012:role/cronport-scheduler".into()),
        subnets: Some(vec![
            "subnet-0a1b2c3d4e5f60718".into(),
            "subnet-0f1e2d3c4b5a69788".into(),
        ]),
        security_groups: Some(vec!["sg-0123456789abcdef0".into()]),
        schedule_group: Some("mamorio".into()),
        ..Defaults::default()
    };
    let imported = import::heroku(&example("jobs.json"), &defaults).unwrap();
    assert_eq!(imported.manifest.jobs.len(), 12);
    assert!(imported.warnings.is_empty());
    // The committed manifest is exactly what the importer writes, but for
    // its id: every import gets a fresh one, never one derived from the
    // cluster (which a second app's import would derive again).
    let mut committed = Manifest::from_toml(&example("cronport.toml"), "cronport.toml").unwrap();
    let again = import::heroku(&example("jobs.json"), &defaults).unwrap();
    let id = imported.manifest.id.clone().unwrap();
    assert!(id.starts_with("cronport-"), "{id}");
    assert_ne!(again.manifest.id.as_deref(), Some(id.as_str()));
    committed.id = imported.manifest.id.clone();
    assert_eq!(committed, imported.manifest);
    let first = &shapes(&imported.manifest)[..4];
    assert_eq!(
        first,
        [
            (
                "rake-sightings-purge-older-than".into(),
                "every day at 18:00".into(),
                "standard-2x".into()
            ),
            (
                "rails-runner-devices-sync-call".into(),
                "every hour at :00".into(),
                "standard-1x".into()
            ),
            (
                "rake-reports-daily".into(),
                "every day at 14:30".into(),
                "standard-2x".into()
            ),
            (
                "rake-push-fan-out".into(),
                "every 10 minutes".into(),
                "standard-1x".into()
            ),
        ]
    );
}

#[test]
fn heroku_errors_name_the_json_path() {
    let cases = [
        ("{", "line 1 column 1", "not JSON"),
        ("{\"data\": []}", "data", "holds no jobs"),
        ("{\"jobs\": []}", "top level", "expected {\"data\""),
        (
            "{\"data\": [{\"attributes\": {\"command\": \"rake x\", \"every\": 30}}]}",
            "data[0].attributes.every",
            "30 is not a Heroku frequency",
        ),
        (
            "{\"data\": [{\"attributes\": {\"command\": \"rake x\", \"every\": 60, \"at\": 15}}]}",
            "data[0].attributes.at",
            "use 0, 10, 20, 30, 40 or 50",
        ),
        (
            "{\"data\": [{\"attributes\": {\"command\": \"rake x\", \"every\": 1440, \"at\": 75}}]}",
            "data[0].attributes.at",
            "steps of 30",
        ),
        (
            "{\"data\": [{\"attributes\": {\"every\": 10}}]}",
            "data[0].attributes.command",
            "missing or empty command",
        ),
        // Type errors are named as such, not as a missing field.
        (
            "{\"data\": [{\"attributes\": {\"command\": \"rake x\", \"every\": \"60\"}}]}",
            "data[0].attributes.every",
            "`every` is the string \"60\"; Heroku's API gives a number of minutes",
        ),
        (
            "{\"data\": [{\"attributes\": {\"command\": \"rake x\", \"every\": 60, \"at\": true}}]}",
            "data[0].attributes.at",
            "`at` is the boolean true",
        ),
        (
            "{\"data\": [{\"attributes\": {\"command\": \"rake x\", \"every\": 1440, \"at\": -30}}]}",
            "data[0].attributes.at",
            "`at` is -30; it counts minutes",
        ),
    ];
    for (input, location, words) in cases {
        let err = import::heroku(input, &Defaults::default()).unwrap_err();
        assert_eq!(err.location, location, "{input}");
        assert!(err.message.contains(words), "{input}: {}", err.message);
    }
}

#[test]
fn heroku_jobs_are_stopped_after_their_interval_as_on_heroku() {
    let json = r#"{"data": [
        {"attributes": {"command": "rake a", "every": 10}},
        {"attributes": {"command": "rake b", "every": 60, "at": 30}},
        {"attributes": {"command": "FOO=1 rake c", "every": 1440, "at": 90}}]}"#;
    let jobs = import::heroku(json, &Defaults::default())
        .unwrap()
        .manifest
        .jobs;
    let timeouts: Vec<Option<&str>> = jobs.iter().map(|j| j.settings.timeout.as_deref()).collect();
    assert_eq!(timeouts, [Some("10m"), Some("1h"), Some("24h")]);
    // A leading assignment is the environment, not part of the name.
    assert_eq!(jobs[2].name, "rake-c");
}

#[test]
fn heroku_jobs_stay_utc_when_the_default_zone_is_not() {
    let json = r#"{"data": [{"attributes": {"command": "rake x", "every": 1440, "at": 0}}]}"#;
    let defaults = Defaults {
        timezone: Some("Asia/Tokyo".into()),
        ..Defaults::default()
    };
    let job = &import::heroku(json, &defaults).unwrap().manifest.jobs[0];
    assert_eq!(job.settings.timezone.as_deref(), Some("UTC"));
}

#[test]
fn terraform_herokux_resources() {
    let imported = import::terraform(&fixture("scheduler.tf"), &Defaults::default()).unwrap();
    assert_eq!(
        shapes(&imported.manifest),
        [
            (
                "purge-sightings".into(),
                "every_day_at_18:00".into(),
                "standard-2x".into()
            ),
            (
                "device-sync".into(),
                "every_hour_at_30".into(),
                "standard-1x".into()
            ),
            (
                "push-fan-out".into(),
                "every_ten_minutes".into(),
                "standard-1x".into()
            ),
        ]
    );
    let bad = "resource \"herokux_scheduler_job\" \"x\" {\n  command = \"a\"\n  frequency = \"every_day_at_14:15\"\n}\n";
    let err = import::terraform(bad, &Defaults::default()).unwrap_err();
    assert_eq!(err.location, "herokux_scheduler_job.x");
    assert!(
        err.message.contains("did you mean 14:00 or 14:30?"),
        "{}",
        err.message
    );
    let var = "resource \"herokux_scheduler_job\" \"x\" {\n  command = var.command\n  frequency = \"every_ten_minutes\"\n}\n";
    assert!(
        import::terraform(var, &Defaults::default())
            .unwrap_err()
            .message
            .contains("not a literal string")
    );
    assert!(
        import::terraform("resource \"aws_s3_bucket\" \"b\" {}", &Defaults::default()).is_err()
    );
}

#[test]
fn terraform_refuses_deep_nesting_before_the_hcl_parser_sees_it() {
    // The HCL parser's time doubles per level of this nesting: at 40 levels
    // it would run for days. cargo-fuzz found the shape (the two inputs are
    // kept in fuzz/corpus/import_terraform/seed-slow-nesting-*).
    let deep = format!("y = {}", "a/b/{".repeat(40));
    let err = import::terraform(&deep, &Defaults::default()).unwrap_err();
    assert_eq!(err.location, "line 1 column 69"); // the 13th `{`
    assert!(
        err.message
            .starts_with("brackets nest more than 12 deep here"),
        "{}",
        err.message
    );
    // A real file with other, ordinarily nested resources still imports.
    let policy = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Action = [\"ecs:RunTask\"], Condition = { StringEquals = { \"k\" = [\"v\"] } } }] })\n}\n";
    let imported =
        import::terraform(&(fixture("scheduler.tf") + policy), &Defaults::default()).unwrap();
    assert_eq!(imported.manifest.jobs.len(), 3);
}

#[test]
fn terraform_count_heredocs_and_show_json() {
    let tf = r#"
resource "herokux_scheduler_job" "fanout" {
  command   = <<-EOT
    bundle exec rake push:fan_out
  EOT
  frequency = "every_10_minutes"
  count     = 2
}
resource "herokux_scheduler_job" "off" {
  command   = "rake off"
  frequency = "every_hour_at_0"
  count     = 0
}
resource "herokux_scheduler_job" "templated" {
  command   = "rake x"
  frequency = "every_day_at_01:00"
}
"#;
    let imported = import::terraform(tf, &Defaults::default()).unwrap();
    let names: Vec<&str> = imported
        .manifest
        .jobs
        .iter()
        .map(|j| j.name.as_str())
        .collect();
    assert_eq!(names, ["fanout-0", "fanout-1", "templated"]);
    assert_eq!(
        imported.manifest.jobs[0].command,
        "bundle exec rake push:fan_out"
    );
    assert_eq!(
        imported.manifest.jobs[0].settings.timeout.as_deref(),
        Some("10m")
    );
    assert!(
        imported.warnings[0]
            .text
            .contains("herokux_scheduler_job.off has count = 0"),
        "{:?}",
        imported.warnings
    );
    // A heredoc with an interpolation or a computed count needs Terraform.
    for bad in [
        "resource \"herokux_scheduler_job\" \"x\" {\n  command = <<EOT\nrake ${var.task}\nEOT\n  frequency = \"every_10_minutes\"\n}\n",
        "resource \"herokux_scheduler_job\" \"x\" {\n  command = \"rake x\"\n  frequency = \"every_10_minutes\"\n  count = var.n\n}\n",
    ] {
        let err = import::terraform(bad, &Defaults::default()).unwrap_err();
        assert!(
            err.message.contains("terraform show -json"),
            "{}",
            err.message
        );
    }
    // `terraform show -json`: root and child modules, indexed resources.
    let json = r#"{"format_version": "1.0", "values": {"root_module": {
        "resources": [{"address": "herokux_scheduler_job.report", "type": "herokux_scheduler_job", "name": "report",
                       "values": {"command": "rake reports:daily", "dyno_size": "Standard-2X", "frequency": "every_day_at_14:30"}},
                      {"address": "heroku_app.main", "type": "heroku_app", "name": "main", "values": {}}],
        "child_modules": [{"address": "module.jobs", "resources": [
            {"address": "module.jobs.herokux_scheduler_job.each[1]", "type": "herokux_scheduler_job", "name": "each", "index": 1,
             "values": {"command": "rake a", "frequency": "every_10_minutes"}}]}]}}}"#;
    let jobs = import::terraform(json, &Defaults::default())
        .unwrap()
        .manifest
        .jobs;
    let shapes: Vec<(&str, &str, Option<&str>)> = jobs
        .iter()
        .map(|j| (j.name.as_str(), j.schedule.as_str(), j.size.as_deref()))
        .collect();
    assert_eq!(
        shapes,
        [
            ("report", "every_day_at_14:30", Some("standard-2x")),
            ("each-1", "every_10_minutes", None)
        ]
    );
}

#[test]
fn system_crontab_user_fields_are_detected_and_reported() {
    let tab = "SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n0 3 * * * www-data rake nightly\n30 4 * * * rake root-cause\n";
    let imported = import::crontab(tab, &Defaults::default()).unwrap();
    let commands: Vec<&str> = imported
        .manifest
        .jobs
        .iter()
        .map(|j| j.command.as_str())
        .collect();
    assert_eq!(
        commands,
        [
            "cd / && run-parts --report /etc/cron.hourly",
            "rake nightly",
            "rake root-cause"
        ]
    );
    assert!(
        imported.warnings.iter().any(|w| w
            .text
            .contains("line 2: `root` is the user field of a system crontab")),
        "{:?}",
        imported.warnings
    );
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.text.contains("line 3: `www-data`")),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn cron_to_go_export_and_api_formats_import_alike() {
    let export = import::crontogo(&fixture("crontogo.yaml"), &Defaults::default()).unwrap();
    let mut api = import::crontogo(&fixture("crontogo-api.json"), &Defaults::default()).unwrap();
    assert_ne!(
        export.manifest.id, api.manifest.id,
        "each import is a new manifest"
    );
    api.manifest.id = export.manifest.id.clone();
    // The API gives each job's id, which the cutover pairs by; the export
    // has none.
    for job in &mut api.manifest.jobs {
        assert!(job.source_id.take().is_some(), "{}", job.name);
    }
    assert_eq!(export.manifest, api.manifest);
    assert_eq!(export.warnings, api.warnings);
    let jobs = &export.manifest.jobs;
    let shapes: Vec<(&str, &str, Option<&str>, bool)> = jobs
        .iter()
        .map(|j| {
            (
                j.name.as_str(),
                j.schedule.as_str(),
                j.size.as_deref(),
                j.enabled,
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            ("nightly-report", "30 2 * * *", Some("standard-2x"), true),
            ("queue-drain", "rate(5 minutes)", Some("basic"), true),
            (
                "monthly-invoices",
                "0 9 1 * *",
                Some("private-l-ram"),
                false
            ),
        ]
    );
    assert_eq!(
        jobs[0].settings.timezone.as_deref(),
        Some("America/New_York")
    );
    // timeout (seconds) is the time limit; Cron To Go's default is 1800.
    let timeouts: Vec<Option<&str>> = jobs.iter().map(|j| j.settings.timeout.as_deref()).collect();
    assert_eq!(timeouts, [Some("30m"), Some("4m"), Some("30m")]);
    // start_date anchors the rate; jitter is a flexible window.
    assert_eq!(jobs[1].start_date.as_deref(), Some("2026-01-05T00:02:00Z"));
    assert_eq!(jobs[1].settings.flexible_time_window, Some(3));
    let said = export
        .warnings
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        said.contains("job `nightly-report`: retries = 2 is not carried over"),
        "{said}"
    );
    assert!(said.contains("job `queue-drain`: jitter of 3 minutes becomes EventBridge Scheduler's flexible time window"), "{said}");
    // The manifest it writes converts, and the rate counts from start_date.
    let mut m = export.manifest.clone();
    m.defaults = toml::from_str(common_defaults()).unwrap();
    let m = Manifest::from_toml(&m.to_toml().unwrap(), "cronport.toml").unwrap();
    let jobs = m.resolve().unwrap();
    assert_eq!(
        jobs[1].schedule.start().map(|t| t.to_string()).as_deref(),
        Some("2026-01-05T00:02:00Z")
    );
    assert_eq!(jobs[1].target.flexible_time_window, Some(3));
    assert_eq!(jobs[2].environment["RAILS_ENV"], "production");
    let err = import::crontogo(
        "jobs:\n  - schedule: '61 * * * *'\n    command: x\n",
        &Defaults::default(),
    )
    .unwrap_err();
    assert_eq!(err.location, "jobs[0].schedule");
    assert!(
        err.message.contains("minute 61 is out of range"),
        "{}",
        err.message
    );
    let err = import::crontogo("[{\"Alias\": \"x\", \"ScheduleExpression\": \"5 minutes\", \"Target\": {\"Type\": \"dyno\", \"Command\": \"x\", \"TimeToLive\": \"ten\"}}]", &Defaults::default()).unwrap_err();
    assert_eq!(err.location, "jobs[0].Target.TimeToLive");
}

/// `[defaults]` with every required setting.
fn common_defaults() -> &'static str {
    "cluster = \"c\"\ntask_definition = \"t\"\ncontainer = \"w\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\nsubnets = [\"subnet-0a1b2c3d\"]\n"
}

#[test]
fn crontab_with_variables_zone_and_macros() {
    let imported = import::crontab(&fixture("crontab"), &Defaults::default()).unwrap();
    let jobs = &imported.manifest.jobs;
    assert_eq!(jobs.len(), 4);
    assert_eq!(jobs[1].schedule, "@hourly");
    assert_eq!(
        jobs[2].command,
        "bundle exec rake push:fan_out > /dev/null 2>&1"
    );
    assert!(
        jobs.iter()
            .all(|j| j.settings.timezone.as_deref() == Some("Asia/Tokyo"))
    );
    assert!(
        jobs.iter()
            .all(|j| j.environment.get("RAILS_ENV").map(String::as_str) == Some("production"))
    );
    assert_eq!(imported.warnings.len(), 2, "{:?}", imported.warnings); // SHELL, MAILTO
    let err = import::crontab("0 0 * * 8 backup\n", &Defaults::default()).unwrap_err();
    assert_eq!(err.location, "line 1");
    assert!(
        err.message.contains("day-of-week 8 is out of range"),
        "{}",
        err.message
    );
    assert!(import::crontab("# nothing\n\n", &Defaults::default()).is_err());
    assert!(
        import::crontab("0 0 * *\n", &Defaults::default())
            .unwrap_err()
            .message
            .contains("five schedule fields")
    );
}

#[test]
fn names_are_readable_unique_and_stable() {
    assert_eq!(
        name_from_command("rake reports:daily"),
        "rake-reports-daily"
    );
    assert_eq!(
        name_from_command("  ./bin/Cleanup --all  "),
        "bin-cleanup-all"
    );
    assert_eq!(name_from_command("$$$"), "job");
    assert!(name_from_command(&"word ".repeat(30)).len() <= 32);
    let json = r#"{"data": [
        {"attributes": {"command": "rake x", "every": 10}},
        {"attributes": {"command": "rake x", "every": 60}},
        {"attributes": {"command": "rake x", "every": 1440}}]}"#;
    let names = |_: ()| -> Vec<String> {
        import::heroku(json, &Defaults::default())
            .unwrap()
            .manifest
            .jobs
            .into_iter()
            .map(|j| j.name)
            .collect()
    };
    assert_eq!(names(()), ["rake-x", "rake-x-2", "rake-x-3"]);
    assert_eq!(names(()), names(()));
}

#[test]
fn manifest_round_trips_through_toml() {
    let imported = import::crontogo(&fixture("crontogo.yaml"), &Defaults::default()).unwrap();
    let text = imported.manifest.to_toml().unwrap();
    let back: Manifest = toml::from_str(&text).unwrap();
    assert_eq!(back, imported.manifest);
}

#[test]
fn ecschedule_config() {
    let imported = import::ecschedule(&fixture("ecschedule.yaml"), &Defaults::default()).unwrap();
    let m = &imported.manifest;
    assert_eq!(
        m.defaults.cluster.as_deref(),
        Some("arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production")
    );
    assert_eq!(
        m.defaults.role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/ecsEventsRole")
    );
    assert_eq!(m.defaults.container.as_deref(), Some("worker"));
    let shapes: Vec<(&str, &str, &str, bool)> = m
        .jobs
        .iter()
        .map(|j| {
            (
                j.name.as_str(),
                j.schedule.as_str(),
                j.command.as_str(),
                j.enabled,
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            (
                "nightly-report",
                "every day at 14:30",
                "bundle exec rake reports:nightly",
                true
            ),
            (
                "spot-fanout",
                "every 10 minutes",
                "rake push:fan_out && rake push:cleanup",
                false
            ),
        ]
    );
    assert_eq!(
        m.jobs[1]
            .settings
            .capacity_provider_strategy
            .as_ref()
            .unwrap()[0]
            .capacity_provider,
        "FARGATE_SPOT"
    );
    assert_eq!(imported.warnings.len(), 2, "{:?}", imported.warnings); // description, queue name
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.text.contains("dead-letter queue `fanout-dlq` is a name"))
    );
    // It is a manifest cronport accepts as is.
    Manifest::from_toml(&m.to_toml().unwrap(), "m.toml").unwrap();
    let templated =
        "rules:\n- name: x\n  containerOverrides:\n  - environment:\n      A: {{ env \"A\" }}\n";
    assert!(
        import::ecschedule(templated, &Defaults::default())
            .unwrap_err()
            .message
            .contains("render them first")
    );
    let err = import::ecschedule(
        "rules:\n- name: x\n  scheduleExpression: cron(0 12 * * * *)\n",
        &Defaults::default(),
    )
    .unwrap_err();
    assert_eq!(err.location, "rules[0].scheduleExpression");
}

#[test]
fn deeply_nested_yaml_is_refused_before_the_parser_sees_it() {
    // 100,000 nested `[` kept serde_yaml's scanner busy for a minute before
    // its recursion limit said no.
    let text = format!("rules: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let err = cronport::import::ecschedule(&text, &Default::default()).unwrap_err();
    assert!(
        err.to_string().contains("brackets nest more than 12 deep"),
        "{err}"
    );
    assert!(err.to_string().contains("line 1 column 20"), "{err}");
}

/// A tiny Heroku on 127.0.0.1: the Platform API's app lookup and the
/// Scheduler API's job list in two pages (`links.next`), answering what
/// each request's path and token deserve. Returns its base URL.
fn fake_heroku() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                headers.push(line.trim().to_ascii_lowercase());
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string();
            let authorized = headers
                .iter()
                .any(|h| h == "authorization: bearer good-token");
            let accept = |want: &str| headers.iter().any(|h| h == &format!("accept: {want}"));
            let job = |id: u32, every: u32, at: u32| {
                format!(
                    r#"{{"type":"jobs","id":"{id}","attributes":{{"command":"rake job{id}","dyno-size":"Standard-1X","every":{every},"at":{at},"ran-at":null,"expire-after":null}}}}"#
                )
            };
            let (status, body) = if !authorized {
                (
                    401,
                    r#"{"id":"unauthorized","message":"Invalid credentials provided."}"#
                        .to_string(),
                )
            } else if path == "/apps/my-app" && accept("application/vnd.heroku+json; version=3") {
                (
                    200,
                    r#"{"id":"01234567-89ab-cdef-0123-456789abcdef","name":"my-app"}"#.to_string(),
                )
            } else if path == "/apps/repeat" && accept("application/vnd.heroku+json; version=3") {
                (
                    200,
                    r#"{"id":"0123aaaa-0000-0000-0000-000000000000","name":"repeat"}"#.to_string(),
                )
            } else if path == "/apps/0123aaaa-0000-0000-0000-000000000000/jobs" {
                // A next page that repeats the first page's job.
                (
                    200,
                    format!(
                        r#"{{"data":[{}],"links":{{"next":"/apps/0123aaaa-0000-0000-0000-000000000000/jobs?page=2"}}}}"#,
                        job(1, 10, 0)
                    ),
                )
            } else if path == "/apps/0123aaaa-0000-0000-0000-000000000000/jobs?page=2" {
                (200, format!(r#"{{"data":[{}]}}"#, job(1, 10, 0)))
            } else if path == "/apps/theirs" {
                (
                    403,
                    r#"{"id":"forbidden","message":"You do not have access to the app theirs."}"#
                        .to_string(),
                )
            } else if path.starts_with("/apps/")
                && path.ends_with("/jobs")
                && !path.contains("0123")
            {
                (404, "{}".to_string())
            } else if path == "/apps/01234567-89ab-cdef-0123-456789abcdef/jobs"
                && accept("application/vnd.api+json")
            {
                (
                    200,
                    format!(
                        r#"{{"data":[{},{}],"links":{{"next":"/apps/01234567-89ab-cdef-0123-456789abcdef/jobs?page=2"}}}}"#,
                        job(1, 10, 0),
                        job(2, 60, 30)
                    ),
                )
            } else if path == "/apps/01234567-89ab-cdef-0123-456789abcdef/jobs?page=2" {
                (200, format!(r#"{{"data":[{}]}}"#, job(3, 1440, 870)))
            } else if path.starts_with("/apps/") && path.matches('/').count() == 2 {
                (
                    404,
                    r#"{"id":"not_found","message":"Couldn't find that app."}"#.to_string(),
                )
            } else {
                (500, "{}".to_string())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn heroku_app_jobs_are_fetched_from_the_scheduler_api_page_by_page() {
    let base = fake_heroku();
    let api = |token: &str| import::HerokuApi::new(token.into()).with_urls(&base, &base);
    let text = api("good-token").scheduler_jobs("my-app").unwrap();
    let jobs = import::heroku(&text, &Defaults::default())
        .unwrap()
        .manifest
        .jobs;
    let shapes: Vec<(&str, &str)> = jobs
        .iter()
        .map(|j| (j.command.as_str(), j.schedule.as_str()))
        .collect();
    assert_eq!(
        shapes,
        [
            ("rake job1", "every 10 minutes"),
            ("rake job2", "every hour at :30"),
            ("rake job3", "every day at 14:30")
        ]
    );
    for (token, app, words) in [
        ("bad-token", "my-app", "refused the token (401)"),
        (
            "good-token",
            "nope",
            "Heroku has no app named `nope` that this token can see (404)",
        ),
        ("good-token", "theirs", "may not do that (403)"),
        (
            "good-token",
            "repeat",
            "lists job \"1\" twice (a page repeats another); cronport stops rather than import it twice",
        ),
    ] {
        let err = api(token).scheduler_jobs(app).unwrap_err().to_string();
        assert!(err.contains(words), "{app}: {err}");
    }
    // Nothing listening: one sentence naming the host.
    let err = import::HerokuApi::new("t".into())
        .with_urls("http://127.0.0.1:9", "http://127.0.0.1:9")
        .scheduler_jobs("my-app")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("127.0.0.1:9 refused the connection: nothing listens there"),
        "{err}"
    );
}

#[test]
fn import_heroku_app_reads_the_token_from_netrc_or_the_environment() {
    let base = fake_heroku();
    let home = std::env::temp_dir().join(format!("cronport-netrc-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let cronport = |env: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
            .args([
                "import",
                "heroku",
                "--app",
                "my-app",
                "--heroku-api",
                &base,
                "--scheduler-api",
                &base,
            ])
            .env_remove("HEROKU_API_KEY")
            .env_remove("NETRC")
            .env("HOME", &home)
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    // No token anywhere: say where it comes from.
    let out = cronport(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no Heroku token") && err.contains("heroku login"),
        "{err}"
    );
    // `heroku login` writes ~/.netrc.
    std::fs::write(home.join(".netrc"), "machine api.heroku.com\n  login me@example.com\n  password good-token\nmachine git.heroku.com\n  login me@example.com\n  password good-token\n").unwrap();
    let out = cronport(&[]);
    let manifest = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        manifest.contains("imported from Heroku app my-app"),
        "{manifest}"
    );
    assert_eq!(manifest.matches("[[job]]").count(), 3, "{manifest}");
    // HEROKU_API_KEY wins over ~/.netrc.
    let out = cronport(&[("HEROKU_API_KEY", "revoked")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused the token (401)"));
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn review_findings_cron_to_go_heroku_and_the_token() {
    // Cron To Go: unknown states refused, typos reported, sizes and zones
    // checked where they are written.
    let one = |job: &str| import::crontogo(&format!("jobs:\n  - {job}\n"), &Defaults::default());
    let err = one("command: x\n    schedule: '0 1 * * *'\n    state: disabled").unwrap_err();
    assert_eq!(
        (
            err.location.as_str(),
            err.message.contains("states are `enabled` and `paused`")
        ),
        ("jobs[0].state", true)
    );
    let imported = one("command: x\n    schedule: '0 1 * * *'\n    jiter: 5").unwrap();
    assert!(
        imported.warnings[0]
            .text
            .starts_with("jobs[0].jiter: not a Cron To Go field"),
        "{:?}",
        imported.warnings
    );
    assert_eq!(
        one("command: x\n    schedule: '0 1 * * *'\n    dyno: Huge-9X")
            .unwrap_err()
            .location,
        "jobs[0].dyno"
    );
    assert_eq!(
        one("command: x\n    schedule: '0 1 * * *'\n    timezone: Mars/Base")
            .unwrap_err()
            .location,
        "jobs[0].timezone"
    );
    let api = r#"[{"Alias": "a", "ScheduleExpression": "0 1 * * *", "Target": {"Type": "Dyno", "Command": "x", "TimeTolive": 60}}]"#;
    let imported = import::crontogo(api, &Defaults::default()).unwrap();
    assert!(
        imported.warnings.iter().any(|w| w
            .text
            .starts_with("jobs[0].Target.TimeTolive: not a Cron To Go field")),
        "{:?}",
        imported.warnings
    );
    // Heroku: an hourly or daily job without its minute is said, not
    // guessed silently.
    let imported = import::heroku(
        r#"{"data": [{"attributes": {"command": "x", "every": 1440}}]}"#,
        &Defaults::default(),
    )
    .unwrap();
    assert!(
        imported.warnings[0]
            .text
            .starts_with("data[0].attributes.at: missing"),
        "{:?}",
        imported.warnings
    );
    assert_eq!(imported.manifest.jobs[0].schedule, "every day at 00:00");
    // The token never follows a page to another host.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        for stream in listener.incoming().take(2) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            while {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap() > 0 && h != "\r\n"
            } {}
            let body = if line.contains("/jobs") {
                r#"{"data": [], "links": {"next": "http://localhost:9/steal"}}"#
            } else {
                r#"{"id": "abc"}"#
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let err = import::HerokuApi::new("secret".into())
        .with_urls(&base, &base)
        .scheduler_jobs("app")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("next page is at http://localhost:9")
            && err.contains("sends your token nowhere else"),
        "{err}"
    );
    // `#` comments in ~/.netrc, as the Heroku CLI allows.
    let dir = std::env::temp_dir().join(format!("cronport-netrc-comments-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let netrc = dir.join(".netrc");
    std::fs::write(&netrc, "# written by heroku login\nmachine api.heroku.com # the API\n  login me@example.com\n  password tok\n").unwrap();
    assert_eq!(import::heroku_token(None, Some(&netrc)).unwrap(), "tok");
    // A token that cannot go into a header is refused, and never printed.
    std::fs::write(
        &netrc,
        "machine api.heroku.com\n  password netrc-secret\u{1}zz\n",
    )
    .unwrap();
    for err in [
        import::heroku_token(Some("sekrit-token\u{1}abc".into()), None).unwrap_err(),
        import::heroku_token(None, Some(&netrc)).unwrap_err(),
        import::heroku_token(Some("tök".into()), None).unwrap_err(),
    ] {
        let err = err.to_string();
        assert!(
            err.contains("copy it again")
                && !err.contains("secret")
                && !err.contains("sekrit")
                && !err.contains("tök"),
            "{err}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A Heroku export's every mistake is said at once, each at its job.
#[test]
fn a_bad_heroku_export_lists_every_mistake() {
    let text = r#"{"data": [
        {"id": "1", "attributes": {"command": "rake a", "every": 7, "at": 0}},
        {"id": "2", "attributes": {"command": "rake b", "every": 60, "at": 9999}},
        {"id": "3", "attributes": {"command": "rake c", "every": 10}},
        {"id": "4", "attributes": {"command": " ", "every": 10}}
    ]}"#;
    let err = cronport::import::heroku(text, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("data[0].attributes.every: 7 is not a Heroku frequency"),
        "{err}"
    );
    assert!(err.contains("\n  data[1].attributes.at: 9999"), "{err}");
    assert!(
        err.contains("\n  data[3].attributes.command: missing or empty command"),
        "{err}"
    );
    assert!(!err.contains("data[2]"), "{err}");
}
