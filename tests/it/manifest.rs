//! Manifest errors: one per problem, each with file, line, column, a caret,
//! and what to write instead.

use crate::common;

use cronport::manifest::Manifest;

use common::DEFAULTS;

fn errors(jobs: &str) -> String {
    let text = format!("{DEFAULTS}{jobs}");
    Manifest::from_toml(&text, "cronport.toml")
        .unwrap_err()
        .to_string()
}

#[test]
fn a_good_manifest_loads() {
    let text = format!(
        "{DEFAULTS}\n[[job]]\nname = \"daily\"\nschedule = \"every day at 14:30\"\ncommand = \"rake daily\"\n"
    );
    let m = Manifest::from_toml(&text, "cronport.toml").unwrap();
    let jobs = m.resolve().unwrap();
    assert_eq!(jobs[0].aws_name, "cronport-daily");
    assert_eq!(jobs[0].target.tags["managed-by"], "cronport");
}

#[test]
fn unknown_keys_point_at_the_key_and_suggest() {
    let e = errors(
        "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\ntask_defintion = \"y\"\n",
    );
    assert!(
        e.contains(
            "unknown key `task_defintion` in [[job]] number 1; did you mean `task_definition`?"
        ),
        "{e}"
    );
    assert!(e.contains("--> cronport.toml:12:1"), "{e}");
    assert!(
        e.contains("12 | task_defintion = \"y\"\n   | ^^^^^^^^^^^^^^"),
        "{e}"
    );
}

#[test]
fn bad_values_point_at_the_value() {
    let e = errors("\n[[job]]\nname = \"a\"\nschedule = \"30 14 * * 8\"\ncommand = \"x\"\n");
    assert!(
        e.contains("schedule `30 14 * * 8`: day-of-week 8 is out of range 0–7; did you mean 1?"),
        "{e}"
    );
    assert!(e.contains("--> cronport.toml:10:12"), "{e}");
    let e =
        errors("\n[[job]]\nname = \"nightly report\"\nschedule = \"@daily\"\ncommand = \"x\"\n");
    assert!(
        e.contains("may hold only A–Z, a–z, 0–9, `.`, `_` and `-`; write `nightly-report`"),
        "{e}"
    );
    let e = errors(
        "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\ncpu = 256\nmemory = 4096\n",
    );
    assert!(e.contains("cpu 256 with memory 4096 MiB is not a Fargate task size; valid pairs are cpu 256: memory 512–2048"), "{e}");
    let e = errors(
        "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\nsize = \"huge\"\n",
    );
    assert!(
        e.contains("unknown dyno size `huge`; use one of eco, basic"),
        "{e}"
    );
    let e = errors(
        "\n[[job]]\nname = \"a\"\nschedule = \"every day at 09:00\"\ncommand = \"x\"\ntimezone = \"Asia/Tokyo\"\n",
    );
    assert!(
        e.contains("is a Heroku Scheduler time, which is UTC"),
        "{e}"
    );
    let e = errors(
        "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\ntimezone = \"Mars/Base\"\n",
    );
    assert!(e.contains("unknown time zone `Mars/Base`"), "{e}");
}

#[test]
fn every_problem_is_listed_once() {
    let jobs = "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"\"\n";
    let e = errors(jobs);
    assert!(e.contains("a second job is named `a`"), "{e}");
    assert!(e.contains("job `a` has an empty command"), "{e}");
    assert_eq!(e.matches("error: ").count(), 2, "{e}");
}

#[test]
fn missing_settings_say_where_to_set_them() {
    let text = "[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n";
    let e = Manifest::from_toml(text, "m.toml").unwrap_err().to_string();
    for key in [
        "cluster",
        "task_definition",
        "container",
        "role_arn",
        "subnets",
    ] {
        assert!(
            e.contains(&format!("job `a` has no {key}")) || e.contains("needs subnets"),
            "{key}: {e}"
        );
    }
    // The job inherits the value, so the error points at the job.
    assert!(
        e.contains("--> m.toml:1:1") || e.contains("--> m.toml:2:"),
        "{e}"
    );
    let bad_role = DEFAULTS.replace("role/cronport", "user/cronport");
    let e = Manifest::from_toml(
        &format!("{bad_role}\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n"),
        "m.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("is not an IAM role ARN") && e.contains("--> m.toml:5:12"),
        "{e}"
    );
}

#[test]
fn names_longer_than_aws_allows_are_refused() {
    let long = "x".repeat(60);
    let e = errors(&format!(
        "\n[[job]]\nname = \"{long}\"\nschedule = \"@daily\"\ncommand = \"x\"\n"
    ));
    assert!(
        e.contains("its AWS name has 69 characters; AWS allows 64"),
        "{e}"
    );
}

#[test]
fn toml_syntax_errors_have_a_location_too() {
    let e = Manifest::from_toml("[defaults\ncluster = 1", "m.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("--> m.toml:1:"), "{e}");
    let e = Manifest::from_toml("[defaults]\ncluster = 1\n", "m.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("--> m.toml:2:11"), "{e}");
}

#[test]
fn environments_are_checked_and_chosen() {
    let text = format!(
        "{DEFAULTS}\n[env.staging]\nclustr = \"s\"\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n"
    );
    let e = Manifest::from_toml(&text, "m.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown key `clustr` in [env.staging]; did you mean `cluster`?"),
        "{e}"
    );
    let text = format!(
        "{DEFAULTS}\n[env.staging.job.a]\nschedule = \"61 * * * *\"\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n"
    );
    let e = Manifest::from_toml(&text, "m.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("[env.staging] schedule `61 * * * *`: minute 61 is out of range"),
        "{e}"
    );
    let text = format!(
        "{DEFAULTS}\n[env.staging]\n[env.production]\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n"
    );
    let m = Manifest::from_toml(&text, "m.toml").unwrap();
    assert!(m.for_env(None).unwrap_err().hint == Some(cronport::Hint::ChooseEnvironment));
    assert!(
        m.for_env(Some("qa"))
            .unwrap_err()
            .message
            .contains("no environment `qa`")
    );
    let prod = m.for_env(Some("production")).unwrap().resolve().unwrap();
    assert_eq!(prod[0].aws_name, "cronport-a-production");
}

/// One job with `settings` added, and the error each must give, at the
/// line of the key at fault: RunTask's own rules, checked before anything
/// is written or sent.
#[test]
fn run_task_rules_are_checked_at_the_manifest_key() {
    let job = "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"rake a\"\n";
    let cases: [(&str, &str, &str); 16] = [
        (
            "cluster = \"prod*\"",
            "`prod*` is not an ECS cluster: write its name (1–255 letters, digits, `-` and `_`) or its ARN",
            "cronport.toml:12:",
        ),
        (
            "subnets = [\"subnet-prod\"]",
            "`subnet-prod` is not a subnet-… id: ECS takes subnet- and 8 or 17 hexadecimal digits",
            "cronport.toml:12:",
        ),
        (
            "security_groups = [\"sg-0A1B2C3D\"]",
            "`sg-0A1B2C3D` is not a sg-… id",
            "cronport.toml:12:",
        ),
        (
            "launch_type = \"EC2\"\ncpu = 64\nmemory = 512",
            "cpu 64 with memory 512 MiB is not a task size ECS takes on EC2",
            "cronport.toml:13:",
        ),
        (
            "cpu = 768\nmemory = 1500",
            "cpu 768 with memory 1500 MiB is not a Fargate task size",
            "cronport.toml:12:",
        ),
        (
            "task_count = 11",
            "task_count 11: RunTask starts 1–10 tasks a run",
            "cronport.toml:12:",
        ),
        (
            "task_count = 0",
            "task_count 0: RunTask starts 1–10 tasks a run",
            "cronport.toml:12:",
        ),
        (
            "launch_type = \"EC2\"\nplatform_version = \"1.4.0\"",
            "platform_version `1.4.0` is for Fargate",
            "cronport.toml:13:",
        ),
        (
            "launch_type = \"EC2\"\nassign_public_ip = true",
            "assign_public_ip = true is for Fargate",
            "cronport.toml:13:",
        ),
        (
            "capacity_provider_strategy = [{ capacity_provider = \"FARGATE_SPOT\" }]",
            "every capacity provider has weight 0",
            "cronport.toml:12:",
        ),
        (
            "capacity_provider_strategy = [{ capacity_provider = \"FARGATE_SPOT\", weight = 1001 }]",
            "weight is 0–1000",
            "cronport.toml:12:",
        ),
        (
            "capacity_provider_strategy = [{ capacity_provider = \"A\", weight = 1, base = 1 }, { capacity_provider = \"B\", weight = 1, base = 2 }]",
            "only one capacity provider of a strategy may have a base",
            "cronport.toml:12:",
        ),
        (
            &format!(
                "subnets = [{}]",
                (0..17)
                    .map(|i| format!("\"subnet-{i:08x}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "17 subnets: a task's awsvpc configuration takes at most 16",
            "cronport.toml:12:",
        ),
        (
            "security_groups = [\"sg-00000001\", \"sg-00000002\", \"sg-00000003\", \"sg-00000004\", \"sg-00000005\", \"sg-00000006\"]",
            "6 security groups",
            "cronport.toml:12:",
        ),
        (
            "schedule_group = \"my group\"",
            "schedule group `my group`: Scheduler takes 1–64 of",
            "cronport.toml:12:",
        ),
        (
            "tags = { team = \"\" }",
            "tag `team` has an empty value",
            "cronport.toml:12:",
        ),
    ];
    for (settings, message, at) in cases {
        let e = errors(&format!("{job}{settings}\n"));
        assert!(e.contains(message), "{settings}: {e}");
        assert!(e.contains(at), "{settings}: {e}");
    }
    // EC2 capacity takes sizes Fargate's table does not.
    for on_ec2 in [
        "launch_type = \"EC2\"",
        "capacity_provider_strategy = [{ capacity_provider = \"my-asg\", weight = 1 }]",
    ] {
        let text = format!("{DEFAULTS}{job}{on_ec2}\ncpu = 768\nmemory = 1500\n");
        let m = Manifest::from_toml(&text, "cronport.toml").unwrap();
        assert_eq!(
            m.resolve().unwrap()[0].run_task().overrides.cpu,
            Some(768),
            "{on_ec2}"
        );
    }
    // Rules take an empty tag value; Scheduler's group does not.
    let text = format!(
        "{DEFAULTS}backend = \"rules\"\ncluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/c\"\ntask_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/t\"\n{job}tags = {{ team = \"\" }}\n"
    );
    let text = text.replacen(
        "cluster = \"production\"\ntask_definition = \"app-worker\"\n",
        "",
        1,
    );
    assert!(Manifest::from_toml(&text, "cronport.toml").is_ok());
}

#[test]
fn launch_type_and_capacity_providers_are_checked_after_merging() {
    let text = format!(
        "{DEFAULTS}launch_type = \"FARGATE\"\n\n[[job]]\nname = \"spot\"\nschedule = \"@daily\"\ncommand = \"rake a\"\ncapacity_provider_strategy = [{{ capacity_provider = \"FARGATE_SPOT\", weight = 1 }}]\n"
    );
    let e = Manifest::from_toml(&text, "cronport.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("launch_type = \"FARGATE\" (from [defaults]) and capacity_provider_strategy (from the job) together"),
        "{e}"
    );
    assert!(e.contains("cronport.toml:13:"), "{e}");
    // Without launch_type in [defaults], the job's strategy alone is fine.
    let fine = text.replace("launch_type = \"FARGATE\"\n", "");
    let m = Manifest::from_toml(&fine, "cronport.toml").unwrap();
    assert_eq!(m.resolve().unwrap()[0].target.launch_type, None);
}

#[test]
fn affixes_and_environment_names_are_names() {
    let e = errors(
        "name_prefix = \"x y\"\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n",
    );
    assert!(e.contains("name_prefix `x y` may hold only"), "{e}");
    let e = errors(
        "name_suffix = \"-p/q\"\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n",
    );
    assert!(e.contains("name_suffix `-p/q` may hold only"), "{e}");
    let text = format!(
        "{DEFAULTS}\n[env.prod]\nname_suffix = \"@prod\"\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n"
    );
    let e = Manifest::from_toml(&text, "cronport.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("[env.prod] name_suffix `@prod` may hold only"),
        "{e}"
    );
}

#[test]
fn each_environment_gets_its_own_schedule_group() {
    let text = format!(
        "{DEFAULTS}schedule_group = \"app\"\n\n[env.staging]\n\n[env.prod]\n\n[env.shared]\nschedule_group = \"shared\"\n\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n\n[[job]]\nname = \"b\"\nschedule = \"@daily\"\ncommand = \"x\"\nschedule_group = \"special\"\n"
    );
    let m = Manifest::from_toml(&text, "cronport.toml").unwrap();
    let groups = |env: &str| -> Vec<String> {
        m.for_env(Some(env))
            .unwrap()
            .resolve()
            .unwrap()
            .iter()
            .map(|j| j.target.schedule_group.clone())
            .collect()
    };
    assert_eq!(groups("staging"), ["app-staging", "special-staging"]);
    assert_eq!(groups("prod"), ["app-prod", "special-prod"]);
    // An environment that names its group keeps it.
    assert_eq!(groups("shared"), ["shared", "special"]);
}

#[test]
fn found_in_review_roles_tags_and_environments() {
    let job = |name: &str| {
        format!("\n[[job]]\nname = \"{name}\"\nschedule = \"@daily\"\ncommand = \"rake {name}\"\n")
    };
    // GovCloud and China role ARNs are role ARNs.
    for partition in ["aws-us-gov", "aws-cn"] {
        let text = DEFAULTS.replace("arn:aws:iam::", &format!("arn:{partition}:iam::")) + &job("a");
        assert!(
            Manifest::from_toml(&text, "cronport.toml").is_ok(),
            "{partition}"
        );
    }
    // A job's own tags on the Scheduler backend would be dropped (the
    // group carries the tags): refused, at the job's key.
    let e = errors(&(job("a") + "tags = { owner = \"bob\" }\n"));
    assert!(e.contains("only the schedule group is tagged"), "{e}");
    assert!(e.contains("cronport.toml:12:"), "{e}");
    // `managed-by` is cronport's.
    let e = errors(&format!("tags = {{ managed-by = \"me\" }}\n{}", job("a")));
    assert!(e.contains("tag `managed-by` is cronport's own"), "{e}");
    // One role name, two ARNs (paths): IAM cannot hold both.
    let e = errors(
        &(job("a") + &job("b") + "role_arn = \"arn:aws:iam::123456789012:role/team-b/cronport\"\n"),
    );
    assert!(e.contains("name one IAM role, `cronport`"), "{e}");
    // Two environments whose jobs meet in one AWS name.
    let text = format!(
        "{DEFAULTS}backend = \"rules\"\ncluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/c\"\ntask_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/t\"\n{}{}\n[env.stg]\n\n[env.b-stg]\n",
        job("a"),
        job("a-b")
    )
    .replacen("cluster = \"production\"\ntask_definition = \"app-worker\"\n", "", 1);
    let e = Manifest::from_toml(&text, "cronport.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("would both be `cronport-a-b-stg`"), "{e}");
    // An empty environment name is no name.
    let text = format!("{DEFAULTS}{}\n[env.\"\"]\n", job("a"));
    let e = Manifest::from_toml(&text, "cronport.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("environment name `` may hold only"), "{e}");
}

#[test]
fn shell_timeout_and_retries_within_the_interval() {
    let e = errors(
        "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\nshell = \"sh\"\ntimeout = \"10 minutes\"\n",
    );
    assert!(e.contains("shell `sh` must be an absolute path"), "{e}");
    assert!(
        e.contains("timeout `10 minutes` is not a duration: write a number and a unit"),
        "{e}"
    );
    assert!(e.contains("--> cronport.toml:12:9"), "{e}");
    assert!(e.contains("--> cronport.toml:13:11"), "{e}");

    let text = format!(
        "{DEFAULTS}\n[[job]]\nname = \"ten\"\nschedule = \"every 10 minutes\"\ncommand = \"FOO=1 rake ten\"\ntimeout = \"10m\"\n\
         \n[[job]]\nname = \"sh\"\nschedule = \"0 3 * * *\"\ncommand = \"source .env && rake x\"\nshell = \"/bin/sh\"\ntimeout = \"none\"\n\
         \n[[job]]\nname = \"patient\"\nschedule = \"0 * * * *\"\ncommand = \"rake p\"\nretry_policy = {{ maximum_event_age_in_seconds = 7200 }}\n"
    );
    let jobs = Manifest::from_toml(&text, "cronport.toml")
        .unwrap()
        .resolve()
        .unwrap();
    let run = jobs[0].run_task();
    assert_eq!(
        run.overrides.container.command,
        ["timeout", "-k", "30", "600", "rake", "ten"]
    );
    assert_eq!(run.overrides.container.environment["FOO"], "1");
    assert!(
        jobs[0]
            .how_it_runs()
            .contains("stopped after 10m (SIGTERM, then SIGKILL 30 s later)"),
        "{}",
        jobs[0].how_it_runs()
    );
    let run = jobs[1].run_task();
    assert_eq!(
        run.overrides.container.command,
        ["/bin/sh", "-c", "source .env && rake x"]
    );
    // Retries: within the interval by default (AWS's would run 24 hours).
    let ages: Vec<Option<u32>> = jobs
        .iter()
        .map(|j| {
            j.target
                .retry_policy
                .and_then(|p| p.maximum_event_age_in_seconds)
        })
        .collect();
    assert_eq!(ages, [Some(600), Some(86_400), Some(7_200)]);
    assert!(
        jobs[2].warnings[0]
            .text
            .contains("up to 7200 s late, past the job's interval of 3600 s"),
        "{:?}",
        jobs[2].warnings
    );
    assert!(jobs[0].warnings.is_empty() && jobs[1].warnings.is_empty());
}

/// The reference's table of settings (docs/src/reference/manifest.md) is the table `cronport::manifest::SETTINGS`
/// (the one the parser, overlay and key checks use), row for row.
#[test]
fn readme_settings_table_is_the_table() {
    let mut table =
        String::from("| key | value | default | where | example |\n|---|---|---|---|---|\n");
    for s in cronport::manifest::SETTINGS {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} | `{}` |\n",
            s.name,
            s.value,
            s.default,
            s.scope.places(),
            s.example
        ));
    }
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/src/reference/manifest.md"
    ))
    .unwrap();
    assert!(
        page.contains(&table),
        "docs/src/reference/manifest.md's settings table differs from manifest::SETTINGS; write it as:\n{table}"
    );
}

#[test]
fn dead_letter_queues_are_standard_and_rules_take_six_capacity_providers() {
    let job = "\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"rake a\"\n";
    // Scheduler's DeadLetterConfigArnString has no `.`: a FIFO queue is
    // refused, at the key.
    let err = errors(&format!(
        "{job}dead_letter_queue = \"arn:aws:sqs:us-east-1:123456789012:failed.fifo\"\n"
    ));
    assert!(
        err.contains("is a FIFO queue") && err.contains("cronport.toml:12:"),
        "{err}"
    );
    let err = errors(&format!(
        "{job}dead_letter_queue = \"arn:aws:sqs:us-east-1:1234:failed\"\n"
    ));
    assert!(err.contains("is not an SQS queue ARN"), "{err}");
    let good = format!(
        "{DEFAULTS}{job}dead_letter_queue = \"arn:aws-cn:sqs:cn-north-1:123456789012:failed_runs-1\"\n"
    );
    assert!(Manifest::from_toml(&good, "m").is_ok());
    // Seven capacity providers: too many for a rule's EcsParameters (6, in
    // botocore's events model), fine for ECS RunTask through Scheduler.
    let seven: String = (0..7)
        .map(|i| format!("{{ capacity_provider = \"cp{i}\", weight = 1 }}"))
        .collect::<Vec<_>>()
        .join(", ");
    let strategy = format!("capacity_provider_strategy = [{seven}]\n");
    let on_rules = format!(
        "{}{job}{strategy}backend = \"rules\"\n",
        DEFAULTS
            .replace("cluster = \"production\"", "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/production\"")
            .replace("task_definition = \"app-worker\"", "task_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/app-worker:1\"")
    );
    let err = Manifest::from_toml(&on_rules, "cronport.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("7 capacity providers; a rule's ECS target (EcsParameters) takes at most 6"),
        "{err}"
    );
    assert!(Manifest::from_toml(&format!("{DEFAULTS}{job}{strategy}"), "m").is_ok());
}
