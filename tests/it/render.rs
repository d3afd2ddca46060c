//! Rendered output is what AWS accepts: the JSON requests pass botocore's
//! validator for the real API models, the CloudFormation template passes
//! cfn-lint, and the Terraform parses as HCL.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use cronport::desired::{CompileOptions, Desired, compile};
use cronport::manifest::Manifest;
use cronport::render::{Format, render};

fn root() -> String {
    env!("CARGO_MANIFEST_DIR").to_string()
}

fn desired(path: &str) -> Desired {
    let text = std::fs::read_to_string(format!("{}/{path}", root())).unwrap();
    let manifest = Manifest::from_toml(&text, path).unwrap();
    compile(
        &manifest,
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap()
}

const MANIFESTS: [&str; 5] = [
    "examples/heroku/cronport.toml",
    "tests/fixtures/rules.toml",
    "tests/fixtures/scheduler-options.toml",
    "tests/fixtures/run-record.toml",
    "tests/fixtures/alerts.toml",
];

/// Runs `program` with `input` on stdin; `None` if it is not installed.
fn run(program: &str, args: &[&str], input: &str) -> Option<(bool, String)> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    Some((out.status.success(), text))
}

#[test]
fn json_requests_match_the_aws_api_models() {
    for path in MANIFESTS {
        let json = render(&desired(path), Format::Json);
        let script = format!("{}/scripts/validate_requests.py", root());
        let (ok, report) = run("python3", &[&script], &json).expect("python3 runs the validator");
        assert!(ok, "{path}: {report}");
        assert!(report.contains("requests valid"), "{report}");
    }
}

#[test]
fn json_holds_every_request_in_order() {
    let json: serde_json::Value =
        serde_json::from_str(&render(&desired(MANIFESTS[0]), Format::Json)).unwrap();
    let requests = json["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 13); // the group, then 12 schedules
    assert_eq!(requests[0]["operation"], "scheduler:CreateScheduleGroup");
    let daily = requests
        .iter()
        .find(|r| r["job"] == "rake-reports-daily")
        .unwrap();
    assert_eq!(daily["input"]["ScheduleExpression"], "cron(30 14 * * ? *)");
    assert_eq!(
        daily["input"]["Target"]["Arn"],
        "arn:aws:scheduler:::aws-sdk:ecs:runTask"
    );
    let run_task: serde_json::Value =
        serde_json::from_str(daily["input"]["Target"]["Input"].as_str().unwrap()).unwrap();
    // The universal target takes the SDK's PascalCase member names.
    assert_eq!(
        run_task["Overrides"]["ContainerOverrides"][0]["Command"],
        // Stopped after a day, as Heroku stopped a daily job's dyno.
        serde_json::json!([
            "timeout",
            "-k",
            "30",
            "86400",
            "bundle",
            "exec",
            "rake",
            "reports:daily"
        ])
    );
    assert_eq!(run_task["Overrides"]["Cpu"], "512");
    assert_eq!(run_task["TaskDefinition"], "mamorio-worker");
    assert!(run_task.get("taskDefinition").is_none());
    let fan_out = requests
        .iter()
        .find(|r| r["job"] == "rake-push-fan-out")
        .unwrap();
    assert_eq!(
        fan_out["input"]["ScheduleExpression"],
        "cron(0/10 * * * ? *)"
    );
    assert!(
        json["cronport"]["notes"][1]
            .as_str()
            .unwrap()
            .starts_with("Verified:")
    );
}

#[test]
fn rules_render_year_bounded_with_a_run_out_note() {
    let d = desired(MANIFESTS[1]);
    let json: serde_json::Value = serde_json::from_str(&render(&d, Format::Json)).unwrap();
    let notes = json["cronport"]["notes"].to_string();
    assert!(
        notes.contains("expressions run out at 2028-01-01T00:00:00Z"),
        "{notes}"
    );
    let put_targets = json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["operation"] == "events:PutTargets")
        .unwrap();
    let target = &put_targets["input"]["Targets"][0];
    assert_eq!(target["RetryPolicy"]["MaximumRetryAttempts"], 3);
    assert_eq!(
        target["DeadLetterConfig"]["Arn"],
        "arn:aws:sqs:us-east-1:123456789012:cronport-dlq"
    );
    let overrides: serde_json::Value =
        serde_json::from_str(target["Input"].as_str().unwrap()).unwrap();
    assert_eq!(
        overrides["containerOverrides"][0]["command"][0],
        "/bin/bash"
    );
}

#[test]
fn cloudformation_passes_cfn_lint() {
    let required = std::env::var("CRONPORT_REQUIRE_CFN_LINT").is_ok();
    for path in MANIFESTS {
        let template = render(&desired(path), Format::Cloudformation);
        let file = std::env::temp_dir().join(format!("cronport-{}.json", path.replace('/', "-")));
        std::fs::write(&file, &template).unwrap();
        match run("cfn-lint", &[file.to_str().unwrap()], "") {
            Some((ok, report)) => assert!(ok, "{path}: {report}"),
            None if required => panic!("cfn-lint is not installed; scripts/test.sh installs it"),
            None => eprintln!(
                "cfn-lint not installed: skipping the CloudFormation lint (scripts/test.sh runs it)"
            ),
        }
        let parsed: serde_json::Value = serde_json::from_str(&template).unwrap();
        assert!(parsed["Description"].as_str().unwrap().contains("Verified"));
    }
}

#[test]
fn terraform_parses_as_hcl() {
    for path in MANIFESTS {
        let d = desired(path);
        let text = render(&d, Format::Terraform);
        let body: hcl::Body =
            hcl::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
        let resources = body
            .blocks()
            .filter(|b| b.identifier() == "resource")
            .count();
        let expected: usize = d
            .jobs
            .iter()
            .map(|j| {
                j.resources.len()
                    * if j.job.target.backend == cronport::translate::Backend::Rules {
                        2
                    } else {
                        1
                    }
            })
            .sum();
        // One schedule group per manifest on the Scheduler backend; a run
        // record is a log group, its policy, a rule and its target.
        let groups = usize::from(!path.contains("rules"));
        let record = if d.run_record.is_some() { 4 } else { 0 };
        // An alert is a rule and its target; then the alarms.
        let alerts = 2 * d.alerts.len() + d.alarms().len();
        assert_eq!(resources, expected + groups + record + alerts, "{path}");
        assert!(text.starts_with("# Generated by cronport"));
    }
    // `${` in a command is escaped so Terraform does not interpolate it.
    let text = render(&desired(MANIFESTS[1]), Format::Terraform);
    assert!(text.contains("$${LAST_RUN}"), "{text}");
}

#[test]
fn rules_need_arns_and_say_so() {
    let text = common::example_manifest();
    let text = text.replace(
        "schedule_group = \"mamorio\"",
        "schedule_group = \"mamorio\"\nbackend = \"rules\"",
    );
    let manifest = Manifest::from_toml(&text, "m.toml").unwrap();
    let err = compile(
        &manifest,
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("whose ECS targets need ARNs"),
        "{err}"
    );
}

/// The directory of the local provider mirror that holds
/// `registry.terraform.io/hashicorp/aws` (nothing is downloaded): the
/// `CRONPORT_TF_PLUGIN_DIR` variable, else the places images put it.
fn terraform_plugin_dir() -> Option<String> {
    let candidates = std::env::var("CRONPORT_TF_PLUGIN_DIR")
        .into_iter()
        .chain(["/opt/tf-plugins", "/usr/share/terraform/plugins"].map(String::from));
    candidates.into_iter().find(|dir| {
        std::path::Path::new(dir)
            .join("registry.terraform.io/hashicorp/aws")
            .is_dir()
    })
}

/// `terraform init` (offline, from the plugin mirror), `terraform validate`
/// and `terraform fmt -check` on `files`; `None` when terraform or the
/// provider is missing.
fn terraform_validate(name: &str, files: &[(&str, String)]) -> Option<(bool, String)> {
    let plugins = terraform_plugin_dir()?;
    Command::new("terraform").arg("version").output().ok()?;
    let dir = std::env::temp_dir().join(format!("cronport-tf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let step = |args: &[&str]| {
        let out = Command::new("terraform")
            .args(args)
            .current_dir(&dir)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let plugin_flag = format!("-plugin-dir={plugins}");
    let (ok, report) = step(&["init", "-backend=false", "-input=false", &plugin_flag]);
    if !ok {
        return Some((false, format!("terraform init: {report}")));
    }
    let (valid, report) = step(&["validate", "-no-color"]);
    // As a team's CI runs it: every file exactly as `terraform fmt` writes.
    let (formatted, diff) = step(&["fmt", "-check", "-diff", "-no-color"]);
    let _ = std::fs::remove_dir_all(&dir);
    Some((
        valid && formatted,
        format!("{report}\n`terraform fmt -check`:\n{diff}"),
    ))
}

#[test]
fn terraform_validates_with_the_aws_provider() {
    let required = std::env::var("CRONPORT_REQUIRE_TERRAFORM").is_ok();
    // Names that differ only by `.` and `-` share a Terraform identifier;
    // environments add suffixes and their own groups.
    let dotted = common::example_manifest()
        + "\n[[job]]\nname = \"a.b\"\nschedule = \"@daily\"\ncommand = \"rake a\"\n\n[[job]]\nname = \"a-b\"\nschedule = \"@daily\"\ncommand = \"rake b\"\n\n[env.staging]\n\n[env.production]\n";
    // A rate no cron writes (a StartDate Terraform ignores later), and a
    // command of `&`s that `jsonencode` would take past 8,192 characters.
    let ampersands = "a&b ".repeat(1500);
    let dotted = dotted
        + "\n[[job]]\nname = \"ninety\"\nschedule = \"rate(90 minutes)\"\ncommand = \"rake tick\"\n"
        + &format!(
            "\n[[job]]\nname = \"amps\"\nschedule = \"@daily\"\ncommand = \"echo '{ampersands}'\"\nbackend = \"rules\"\ncluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production\"\ntask_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker\"\n"
        );
    let manifest = Manifest::from_toml(&dotted, "m.toml").unwrap();
    let options = CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap());
    let mut cases: Vec<(String, Desired)> = MANIFESTS
        .iter()
        .map(|path| (path.replace('/', "-"), desired(path)))
        .collect();
    for env in ["staging", "production"] {
        let m = manifest.for_env(Some(env)).unwrap();
        cases.push((format!("dotted-{env}"), compile(&m, &options).unwrap()));
    }
    for (name, d) in &cases {
        let files = [
            ("schedules.tf", render(d, Format::Terraform)),
            (
                "iam.tf",
                cronport::render::render_iam(d, &[], cronport::render::IamFormat::Terraform),
            ),
        ];
        match terraform_validate(name, &files) {
            Some((ok, report)) => {
                assert!(ok, "{name}: {report}\n{}", files[0].1);
                // Schedules and roles in one file, by reference.
                if name.starts_with("examples") || name.contains("rules") {
                    let together = cronport::render::terraform_with_iam(d, &[]);
                    assert!(together.contains("= aws_iam_role."), "{together}");
                    let (ok, report) = terraform_validate(
                        &format!("{name}-with-iam"),
                        &[("cronport.tf", together.clone())],
                    )
                    .unwrap();
                    assert!(ok, "{name} with iam: {report}\n{together}");
                }
            }
            None if required => panic!(
                "terraform or the hashicorp/aws provider mirror is missing (set CRONPORT_TF_PLUGIN_DIR to the directory holding registry.terraform.io)"
            ),
            None => {
                eprintln!("terraform not available: skipping `terraform validate`");
                return;
            }
        }
    }
}

#[test]
fn iam_roles_pass_cfn_lint_and_trust_the_right_service() {
    let required = std::env::var("CRONPORT_REQUIRE_CFN_LINT").is_ok();
    for path in MANIFESTS {
        let d = desired(path);
        let template =
            cronport::render::render_iam(&d, &[], cronport::render::IamFormat::Cloudformation);
        let file =
            std::env::temp_dir().join(format!("cronport-iam-{}.json", path.replace('/', "-")));
        std::fs::write(&file, &template).unwrap();
        match run("cfn-lint", &[file.to_str().unwrap()], "") {
            Some((ok, report)) => assert!(ok, "{path}: {report}"),
            None if required => panic!("cfn-lint is not installed; scripts/test.sh installs it"),
            None => eprintln!("cfn-lint not installed: skipping"),
        }
        // The services of the backends the role's jobs use.
        let mut expected: Vec<&str> = d
            .jobs
            .iter()
            .map(|j| cronport::render::trust_principal(j.job.target.backend))
            .collect();
        expected.sort();
        expected.dedup();
        for role in cronport::render::roles(&d, &[]) {
            let mut principals = role.principals.clone();
            principals.sort();
            assert_eq!(principals, expected, "{path}");
        }
    }
}

#[test]
fn two_jobs_that_would_share_an_aws_name_are_refused_naming_both() {
    // Under rules, a New York job splits into `…-ny`, `…-ny-2`…; a job
    // named `ny-2` would be one of those rules too.
    let text = std::fs::read_to_string(format!("{}/tests/fixtures/rules.toml", root())).unwrap()
        + "\n[[job]]\nname = \"ny\"\nschedule = \"0 9 * * *\"\ncommand = \"rake ny\"\ntimezone = \"America/New_York\"\n\n[[job]]\nname = \"ny-2\"\nschedule = \"0 3 * * *\"\ncommand = \"rake other\"\n";
    let manifest = Manifest::from_toml(&text, "rules.toml").unwrap();
    let err = compile(
        &manifest,
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("jobs `ny` and `ny-2` would both be the rule `"),
        "{err}"
    );
}

#[test]
fn the_universal_target_follows_the_role_partition() {
    let text = common::example_manifest().replace("arn:aws:iam::", "arn:aws-cn:iam::");
    let manifest = Manifest::from_toml(&text, "m.toml").unwrap();
    let d = compile(
        &manifest,
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&render(&d, Format::Json)).unwrap();
    let schedule = &json["requests"][1]["input"];
    assert_eq!(
        schedule["Target"]["Arn"],
        "arn:aws-cn:scheduler:::aws-sdk:ecs:runTask"
    );
    for format in [Format::Cloudformation, Format::Terraform] {
        let out = render(&d, format);
        assert!(
            out.contains("arn:aws-cn:scheduler:::aws-sdk:ecs:runTask"),
            "{format:?}"
        );
        assert!(!out.contains("arn:aws:scheduler:"), "{format:?}");
    }
    let iam = cronport::render::render_iam(&d, &[], cronport::render::IamFormat::Json);
    assert!(
        iam.contains("arn:aws-cn:ecs:*:123456789012:task-definition/mamorio-worker:*"),
        "{iam}"
    );
}

#[test]
fn rates_keep_their_phase_and_render_the_same_file_all_day() {
    let text = common::example_manifest()
        + "\n[[job]]\nname = \"every-ninety\"\nschedule = \"rate(90 minutes)\"\ncommand = \"rake tick\"\n"
        + "\n[[job]]\nname = \"hourly\"\nschedule = \"rate(1 hour)\"\ncommand = \"rake hourly\"\n";
    let manifest = Manifest::from_toml(&text, "m.toml").unwrap();
    let at =
        |from: &str| compile(&manifest, &CompileOptions::starting(from.parse().unwrap())).unwrap();
    let d = at("2026-11-24T09:13:00Z");
    let json: serde_json::Value = serde_json::from_str(&render(&d, Format::Json)).unwrap();
    let request = |job: &str| {
        json["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["job"] == job)
            .unwrap()["input"]
            .clone()
    };
    // No cron writes 90 minutes: a rate, starting at the first instant of
    // its phase (from 00:00 UTC) after the render's day.
    let ninety = request("every-ninety");
    assert_eq!(ninety["ScheduleExpression"], "rate(90 minutes)");
    assert_eq!(ninety["StartDate"], "2026-11-25T00:00:00Z");
    // Its proof starts there too: no run before the StartDate is claimed.
    let job = d
        .jobs
        .iter()
        .find(|j| j.job.name == "every-ninety")
        .unwrap();
    assert_eq!(
        job.translation.verified.from.to_string(),
        "2026-11-25T00:00:00Z"
    );
    // An hour is a cron on the clock, with no StartDate.
    let hourly = request("hourly");
    assert_eq!(hourly["ScheduleExpression"], "cron(0 * * * ? *)");
    assert!(hourly.get("StartDate").is_none(), "{hourly}");
    let cfn = render(&d, Format::Cloudformation);
    assert!(
        cfn.contains("\"StartDate\": \"2026-11-25T00:00:00Z\""),
        "{cfn}"
    );
    let tf = render(&d, Format::Terraform);
    assert!(
        tf.contains("start_date                   = \"2026-11-25T00:00:00Z\""),
        "{tf}"
    );
    // Terraform ignores the next day's StartDate: the same phase.
    assert_eq!(
        tf.matches("ignore_changes = [start_date]").count(),
        1,
        "{tf}"
    );
    // Every render that UTC day writes the same bytes, in every format;
    // the next day's differs only in the rate's StartDate.
    for format in [Format::Json, Format::Cloudformation, Format::Terraform] {
        assert_eq!(
            render(&d, format),
            render(&at("2026-11-24T23:59:59Z"), format)
        );
        let next_day = render(&at("2026-11-25T00:00:00Z"), format);
        let today = render(&d, format);
        let changed: Vec<(&str, &str)> = today
            .lines()
            .zip(next_day.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1, "{format:?}: {changed:?}");
        assert!(
            changed[0].0.contains("2026-11-25T00:00:00Z")
                && changed[0].1.contains("2026-11-26T00:00:00Z"),
            "{changed:?}"
        );
    }
}

#[test]
fn cloudformation_rules_carry_the_ownership_tags() {
    let template: serde_json::Value =
        serde_json::from_str(&render(&desired(MANIFESTS[1]), Format::Cloudformation)).unwrap();
    let rules: Vec<&serde_json::Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::Events::Rule")
        .collect();
    assert!(!rules.is_empty());
    for rule in rules {
        let tags = rule["Properties"]["Tags"].as_array().unwrap();
        assert!(
            tags.contains(&serde_json::json!({"Key": "managed-by", "Value": "cronport"})),
            "{rule}"
        );
    }
}

#[test]
fn time_limits_shells_flexible_windows_and_rate_starts_render_in_every_format() {
    let d = desired("tests/fixtures/scheduler-options.toml");
    let json: serde_json::Value = serde_json::from_str(&render(&d, Format::Json)).unwrap();
    let schedule = |job: &str| {
        json["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["job"] == job)
            .unwrap()["input"]
            .clone()
    };
    let drain = schedule("drain");
    assert_eq!(
        drain["FlexibleTimeWindow"],
        serde_json::json!({"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 3})
    );
    // A rate on the clock, anchored at :02, is that cron: no StartDate.
    assert!(drain.get("StartDate").is_none(), "{drain}");
    assert_eq!(drain["ScheduleExpression"], "cron(2/5 * * * ? *)");
    let input: serde_json::Value =
        serde_json::from_str(drain["Target"]["Input"].as_str().unwrap()).unwrap();
    let container = &input["Overrides"]["ContainerOverrides"][0];
    assert_eq!(
        container["Command"],
        serde_json::json!([
            "timeout",
            "-k",
            "30",
            "240",
            "bundle",
            "exec",
            "rake",
            "queue:drain"
        ])
    );
    assert_eq!(
        container["Environment"],
        serde_json::json!([{"Name": "RAILS_ENV", "Value": "production"}])
    );
    let report = schedule("report");
    assert_eq!(report["FlexibleTimeWindow"]["Mode"], "OFF");
    let input: serde_json::Value =
        serde_json::from_str(report["Target"]["Input"].as_str().unwrap()).unwrap();
    assert_eq!(
        input["Overrides"]["ContainerOverrides"][0]["Command"],
        serde_json::json!([
            "timeout",
            "-k",
            "30",
            "1800",
            "/bin/sh",
            "-c",
            ". ./.env && exec bin/report"
        ])
    );
    let forever = schedule("forever");
    let input: serde_json::Value =
        serde_json::from_str(forever["Target"]["Input"].as_str().unwrap()).unwrap();
    assert_eq!(
        input["Overrides"]["ContainerOverrides"][0]["Command"],
        serde_json::json!(["bin/sync", "--full"])
    );
    let notes = json["cronport"]["notes"].to_string();
    assert!(
        notes.contains("each run starts within 3 minutes after its instant"),
        "{notes}"
    );
    assert!(
        notes.contains("stopped after 4m (SIGTERM, then SIGKILL 30 s later)"),
        "{notes}"
    );
    let tf = render(&d, Format::Terraform);
    assert!(
        tf.contains("mode                      = \"FLEXIBLE\"\n    maximum_window_in_minutes = 3"),
        "{tf}"
    );
    let cfn: serde_json::Value = serde_json::from_str(&render(&d, Format::Cloudformation)).unwrap();
    assert!(
        cfn.to_string()
            .contains(r#""FlexibleTimeWindow":{"MaximumWindowInMinutes":3,"Mode":"FLEXIBLE"}"#),
        "{cfn}"
    );
}
