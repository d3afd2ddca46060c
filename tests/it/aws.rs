//! `plan` and `apply` with the real SDK clients against a local moto
//! server, with a recording, fault-injecting proxy in between.

use crate::common;
use crate::fire;
use crate::moto;

use std::sync::Arc;

use cronport::aws::{self, Clients};
use cronport::desired::{CompileOptions, Desired, compile};
use cronport::manifest::Manifest;
use cronport::plan::{Action, Address, Plan};
use moto::{Fault, Moto, Proxy, aws_options};

fn desired(text: &str) -> Desired {
    let manifest = Manifest::from_toml(text, "cronport.toml").unwrap();
    compile(
        &manifest,
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap()
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// An SDK answer as text, without the request ID (which differs per call).
pub(crate) fn stable(answer: impl std::fmt::Debug) -> String {
    let text = format!("{answer:?}");
    text.split(", _request_id")
        .next()
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn quiet() -> Arc<dyn Fn(&aws::Applied) + Send + Sync> {
    Arc::new(|_: &aws::Applied| {})
}

fn count(plan: &Plan, f: impl Fn(&Action) -> bool) -> usize {
    plan.changes.iter().filter(|c| f(&c.action)).count()
}

#[test]
fn first_apply_creates_everything_and_a_second_writes_nothing() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let want = desired(&common::example_manifest());
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        assert_eq!(plan.summary().add, 13, "{}", plan.to_text()); // a group and 12 schedules
        assert!(
            plan.to_text()
                .contains("+ schedule mamorio/cronport-rake-reports-daily")
        );
        let report = aws::apply(&clients, &plan, 8, quiet()).await;
        assert!(report.succeeded(), "{report:?}");
        assert_eq!(report.writes, 13);

        proxy.take();
        let again = aws::plan(&clients, &want, false).await.unwrap();
        assert_eq!(again.summary().unchanged, 13, "{}", again.to_text());
        assert!(!again.has_changes(), "{}", again.to_text());
        let report = aws::apply(&clients, &again, 8, quiet()).await;
        assert_eq!(report.writes, 0);
        assert_eq!(proxy.writes(), 0, "{:?}", proxy.take());
    });
}

#[test]
fn one_changed_job_is_one_update_and_a_removed_job_is_deleted() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&moto.url()).await;
        let text = common::example_manifest();
        let report = aws::apply(
            &clients,
            &aws::plan(&clients, &desired(&text), false).await.unwrap(),
            8,
            quiet(),
        )
        .await;
        assert!(report.succeeded());

        let changed = text.replace(
            "schedule = \"every day at 14:30\"",
            "schedule = \"every day at 15:00\"",
        );
        let plan = aws::plan(&clients, &desired(&changed), false)
            .await
            .unwrap();
        let updates: Vec<_> = plan
            .changes
            .iter()
            .filter(|c| matches!(c.action, Action::Update { .. }))
            .collect();
        assert_eq!(updates.len(), 1, "{}", plan.to_text());
        assert_eq!(updates[0].address.name(), "mamorio/cronport-rake-reports-daily");
        let Action::Update { fields } = &updates[0].action else {
            unreachable!()
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["description", "expression"], "{fields:?}");
        assert!(
            plan.to_text()
                .contains("expression: cron(30 14 * * ? *) → cron(0 15 * * ? *)"),
            "{}",
            plan.to_text()
        );
        assert_eq!(plan.summary().add + plan.summary().destroy, 0);

        // Remove the daily report job.
        let start = changed
            .find("[[job]]\nname = \"rake-reports-daily\"")
            .unwrap();
        let end = start + changed[start + 1..].find("[[job]]").unwrap() + 1;
        let removed = format!("{}{}", &changed[..start], &changed[end..]);
        let plan = aws::plan(&clients, &desired(&removed), false)
            .await
            .unwrap();
        // The job left the manifest: its schedule is deleted (ownership is
        // exact), and the plan says why.
        assert_eq!(count(&plan, |a| *a == Action::Delete), 1, "{}", plan.to_text());
        assert!(
            plan.to_text()
                .contains("- schedule mamorio/cronport-rake-reports-daily  (job rake-reports-daily)\n      job rake-reports-daily is no longer in the manifest"),
            "{}",
            plan.to_text()
        );
        let pruning = plan;
        assert!(aws::apply(&clients, &pruning, 8, quiet()).await.succeeded());
        let after = aws::plan(&clients, &desired(&removed), true).await.unwrap();
        assert!(!after.has_changes(), "{}", after.to_text());
    });
}

#[test]
fn an_unmanaged_schedule_with_our_name_is_left_byte_identical() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&moto.url()).await;
        // The group is cronport's, but someone made a schedule in it by hand.
        clients
            .scheduler
            .create_schedule_group()
            .name("mamorio")
            .tags(
                aws_sdk_scheduler::types::Tag::builder()
                    .key("managed-by")
                    .value("cronport")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let target = aws_sdk_scheduler::types::Target::builder()
            .arn("arn:aws:sqs:us-east-1:123456789012:by-hand")
            .role_arn("arn:aws:iam::123456789012:role/by-hand")
            .input("{\"by\":\"hand\"}")
            .build()
            .unwrap();
        let window = aws_sdk_scheduler::types::FlexibleTimeWindow::builder()
            .mode(aws_sdk_scheduler::types::FlexibleTimeWindowMode::Off)
            .build()
            .unwrap();
        clients
            .scheduler
            .create_schedule()
            .name("cronport-rake-reports-daily")
            .group_name("mamorio")
            .schedule_expression("rate(1 hour)")
            .description("made by hand")
            .flexible_time_window(window)
            .target(target)
            .send()
            .await
            .unwrap();
        let before = stable(
            clients
                .scheduler
                .get_schedule()
                .name("cronport-rake-reports-daily")
                .group_name("mamorio")
                .send()
                .await
                .unwrap(),
        );
        let plan = aws::plan(&clients, &desired(&common::example_manifest()), true)
            .await
            .unwrap();
        assert_eq!(plan.summary().conflicts, 1, "{}", plan.to_text());
        assert!(
            plan.to_text()
                .contains("! schedule mamorio/cronport-rake-reports-daily"),
            "{}",
            plan.to_text()
        );
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let after = stable(
            clients
                .scheduler
                .get_schedule()
                .name("cronport-rake-reports-daily")
                .group_name("mamorio")
                .send()
                .await
                .unwrap(),
        );
        assert_eq!(before, after);
    });
}

#[test]
fn missing_cluster_task_definition_or_container_is_reported_before_any_write() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = Clients::connect(&aws_options(&proxy.url())).await;
        // A task definition whose container is not `worker`, and no cluster.
        clients
            .ecs
            .register_task_definition()
            .family("mamorio-worker")
            .container_definitions(
                aws_sdk_ecs::types::ContainerDefinition::builder()
                    .name("web")
                    .image("x")
                    .memory(512)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        proxy.take();
        let text = common::example_manifest().replace(
            "[[job]]\nname = \"rake-reports-daily\"",
            "[[job]]\nname = \"rake-reports-daily\"\ntask_definition = \"no-such-family\"",
        );
        let err = aws::plan(&clients, &desired(&text), false)
            .await
            .unwrap_err();
        let all = err.to_string();
        assert!(
            (err.problems.iter()).all(|p| p.kind == cronport::plan::PlanProblemKind::Target),
            "{err:?}"
        );
        assert!(
            all.contains("cluster `mamorio-production` does not exist"),
            "{all}"
        );
        assert!(
            all.contains("has no container `worker`; it has `web`"),
            "{all}"
        );
        assert!(
            all.contains(
                "task definition `no-such-family` (job rake-reports-daily) cannot be found"
            ),
            "{all}"
        );
        assert_eq!(proxy.writes(), 0);
    });
}

#[test]
fn rules_backend_round_trips_and_leaves_unmanaged_rules_alone() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&moto.url()).await;
        let cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production";
        let task = "arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:1";
        let text = common::example_manifest()
            .replace("cluster = \"mamorio-production\"", &format!("cluster = \"{cluster}\""))
            .replace("task_definition = \"mamorio-worker\"", &format!("task_definition = \"{task}\"\nbackend = \"rules\"\ntimezone = \"Europe/London\""))
            .replace("every day at 14:30", "30 14 * * *")
            .replace("every day at 18:00", "0 18 * * 1-5");
        // Keep only the two cron jobs (Heroku phrases are UTC-only).
        let manifest = Manifest::from_toml(&text.replace("timezone = \"Europe/London\"", ""), "m.toml").unwrap();
        let mut manifest = manifest;
        manifest.defaults.timezone = Some("Europe/London".to_string());
        manifest.jobs.retain(|j| j.schedule.contains(' ') && !j.schedule.starts_with("every"));
        assert_eq!(manifest.jobs.len(), 2);
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        // A hand-made rule with one of our names, untagged.
        let taken = want.jobs[0].resources[0].name.clone();
        clients.events.put_rule().name(&taken).schedule_expression("rate(5 minutes)").send().await.unwrap();
        let before = stable(clients.events.describe_rule().name(&taken).send().await.unwrap());
        let plan = aws::plan(&clients, &want, true).await.unwrap();
        assert_eq!(plan.summary().conflicts, 1, "{}", plan.to_text());
        assert!(plan.changes.iter().all(|c| matches!(c.address, Address::Rule { .. })));
        let report = aws::apply(&clients, &plan, 4, quiet()).await;
        assert!(report.succeeded(), "{report:?}");
        let again = aws::plan(&clients, &want, true).await.unwrap();
        assert!(!again.has_changes(), "{}", again.to_text());
        let after = stable(clients.events.describe_rule().name(&taken).send().await.unwrap());
        assert_eq!(before, after);
        // Every rule cronport made has exactly its one target.
        for change in again.changes.iter().filter(|c| c.action == Action::Unchanged) {
            let targets = clients.events.list_targets_by_rule().rule(change.address.name()).send().await.unwrap();
            assert_eq!(targets.targets().len(), 1, "{}", change.address);
        }
    });
}

#[test]
fn faults_on_the_wire_still_converge_to_exactly_the_desired_state() {
    let moto = Moto::start();
    let setup_proxy = Proxy::start(moto.port, |_| Fault::None);
    // Request n: throttle, 500, drop, delay, and an answer lost after the
    // write happened, spread over the run.
    let proxy = Proxy::start(moto.port, |n| match n % 11 {
        1 => Fault::Throttle,
        3 => Fault::ServerError,
        5 => Fault::Drop,
        7 => Fault::Delay,
        9 => Fault::DropAnswer,
        _ => Fault::None,
    });
    let rt = runtime();
    rt.block_on(async {
        let setup = moto::example_account(&setup_proxy.url()).await;
        let clients = Clients::connect(&aws_options(&proxy.url())).await;
        let want = desired(&common::example_manifest());
        let mut runs = 0;
        loop {
            runs += 1;
            assert!(runs <= 5, "apply did not converge in 5 runs");
            let Ok(plan) = aws::plan(&clients, &want, true).await else {
                continue;
            };
            if !plan.has_changes() {
                break;
            }
            aws::apply(&clients, &plan, 8, quiet()).await;
        }
        let faults = proxy
            .take()
            .iter()
            .filter(|s| s.fault != Fault::None)
            .count();
        assert!(faults >= 10, "only {faults} faults injected");
        // Checked through the clean proxy: exactly the 12 schedules, each once.
        let schedules = setup
            .scheduler
            .list_schedules()
            .group_name("mamorio")
            .send()
            .await
            .unwrap();
        let mut names: Vec<_> = schedules
            .schedules()
            .iter()
            .filter_map(|s| s.name())
            .map(str::to_string)
            .collect();
        names.sort();
        let mut expected: Vec<_> = want
            .jobs
            .iter()
            .flat_map(|j| j.resources.iter().map(|r| r.name.clone()))
            .collect();
        expected.sort();
        assert_eq!(names, expected);
        let clean = aws::plan(&setup, &want, true).await.unwrap();
        assert!(!clean.has_changes(), "{}", clean.to_text());
    });
}

#[test]
fn a_plan_that_passes_the_rules_quota_says_so_before_any_write() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        for i in 0..295 {
            clients.events.put_rule().name(format!("other-team-{i}")).schedule_expression("rate(1 day)").send().await.unwrap();
        }
        let text = common::example_manifest()
            .replace("cluster = \"mamorio-production\"", "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production\"")
            .replace("task_definition = \"mamorio-worker\"", "task_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:1\"\nbackend = \"rules\"\ntimezone = \"Europe/London\"");
        let mut manifest = Manifest::from_toml(&text.replace("timezone = \"Europe/London\"", ""), "m.toml").unwrap();
        manifest.defaults.timezone = Some("Europe/London".to_string());
        manifest.jobs.retain(|j| j.name == "rake-reports-daily");
        manifest.jobs[0].schedule = "30 14 * * *".to_string();
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        assert!(want.jobs[0].resources.len() > 5);
        proxy.take();
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        let quota: Vec<String> = plan.warnings.iter().map(|w| w.to_string()).filter(|w| w.contains("quota")).collect();
        assert_eq!(quota.len(), 1, "{}", plan.to_text());
        assert!(quota[0].contains("default quota is 300 per bus"), "{}", quota[0]);
        assert!(quota[0].contains("rake-reports-daily ("), "{}", quota[0]);
        assert!(plan.to_text().contains("warning: this plan would leave"));
        assert_eq!(proxy.writes(), 0);
    });
}

#[test]
fn two_environments_apply_side_by_side_without_collision() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&moto.url()).await;
        let text = common::example_manifest()
            + "\n[env.staging]\ntags = { stage = \"staging\" }\n\n[env.staging.job.rake-reports-daily]\nschedule = \"every day at 16:00\"\nenabled = false\n\n[env.production]\ntags = { stage = \"production\" }\n";
        let manifest = Manifest::from_toml(&text, "m.toml").unwrap();
        let options = CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap());
        let staging = compile(&manifest.for_env(Some("staging")).unwrap(), &options).unwrap();
        let production = compile(&manifest.for_env(Some("production")).unwrap(), &options).unwrap();
        for want in [&staging, &production] {
            let plan = aws::plan(&clients, want, true).await.unwrap();
            assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        }
        // Both are there, side by side, each in its own group, and each
        // plans clean with --prune.
        for group in ["mamorio-staging", "mamorio-production"] {
            let listed = clients.scheduler.list_schedules().group_name(group).max_results(100).send().await.unwrap();
            assert_eq!(listed.schedules().len(), 12, "{group}");
        }
        for want in [&staging, &production] {
            let plan = aws::plan(&clients, want, true).await.unwrap();
            assert!(!plan.has_changes(), "{}", plan.to_text());
        }
        let s = clients.scheduler.get_schedule().group_name("mamorio-staging").name("cronport-rake-reports-daily-staging").send().await.unwrap();
        assert_eq!(s.schedule_expression(), Some("cron(0 16 * * ? *)"));
        assert_eq!(s.state().map(|s| s.as_str()), Some("DISABLED"));
        let p = clients.scheduler.get_schedule().group_name("mamorio-production").name("cronport-rake-reports-daily-production").send().await.unwrap();
        assert_eq!(p.schedule_expression(), Some("cron(30 14 * * ? *)"));
        // Removing a job from staging only never touches production.
        let mut fewer = manifest.for_env(Some("staging")).unwrap();
        fewer.jobs.retain(|j| j.name != "rake-push-fan-out");
        let plan = aws::plan(&clients, &compile(&fewer, &options).unwrap(), true).await.unwrap();
        let deletes: Vec<_> = plan.changes.iter().filter(|c| c.action == Action::Delete).map(|c| c.address.name()).collect();
        assert_eq!(deletes, ["mamorio-staging/cronport-rake-push-fan-out-staging"]);
    });
}

/// A hand-made rule running `command` as an ECS task, as teams made them
/// before cronport.
async fn hand_made_rule(clients: &Clients, name: &str, expression: &str, command: &[&str]) {
    use aws_sdk_eventbridge::types as ev;
    clients
        .events
        .put_rule()
        .name(name)
        .schedule_expression(expression)
        .send()
        .await
        .unwrap();
    let vpc = ev::AwsVpcConfiguration::builder()
        .subnets("subnet-0a1b2c3d")
        .assign_public_ip(ev::AssignPublicIp::Disabled)
        .build()
        .unwrap();
    let ecs = ev::EcsParameters::builder()
        .task_definition_arn("arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:1")
        .task_count(1)
        .launch_type(ev::LaunchType::Fargate)
        .network_configuration(
            ev::NetworkConfiguration::builder()
                .awsvpc_configuration(vpc)
                .build(),
        )
        .build()
        .unwrap();
    let input = serde_json::json!({"containerOverrides": [{"name": "worker", "command": command}]})
        .to_string();
    let target = ev::Target::builder()
        .id("1")
        .arn("arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production")
        .role_arn("arn:aws:iam::123456789012:role/legacy-events")
        .input(input)
        .ecs_parameters(ecs)
        .build()
        .unwrap();
    clients
        .events
        .put_targets()
        .rule(name)
        .targets(target)
        .send()
        .await
        .unwrap();
}

#[test]
fn adopted_rules_plan_to_zero_changes_after_taking_ownership() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&moto.url()).await;
        hand_made_rule(
            &clients,
            "legacy-report",
            "cron(30 14 * * ? *)",
            &["rake", "reports:daily"],
        )
        .await;
        hand_made_rule(
            &clients,
            "legacy-fanout",
            "cron(0/10 * * * ? *)",
            &["rake", "push:fan_out"],
        )
        .await;
        hand_made_rule(
            &clients,
            "legacy-weekday",
            "cron(0 9 ? * MON-FRI *)",
            &["/bin/sh", "-c", "rake a && rake b"],
        )
        .await;
        // One cronport cannot represent: not an ECS task.
        clients
            .events
            .put_rule()
            .name("legacy-lambda")
            .schedule_expression("rate(1 hour)")
            .send()
            .await
            .unwrap();
        let lambda = aws_sdk_eventbridge::types::Target::builder()
            .id("1")
            .arn("arn:aws:lambda:us-east-1:123456789012:function:f")
            .build()
            .unwrap();
        clients
            .events
            .put_targets()
            .rule("legacy-lambda")
            .targets(lambda)
            .send()
            .await
            .unwrap();

        let imported = aws::import_aws(
            &clients,
            cronport::translate::Backend::Rules,
            "legacy-",
            "cronport",
        )
        .await
        .unwrap();
        assert_eq!(imported.warnings.len(), 1, "{:?}", imported.warnings);
        assert!(
            imported.warnings[0]
                .text
                .contains("rule `legacy-lambda` is left out: its target is not an ECS task")
        );
        let spellings: Vec<(&str, &str, &str)> = imported
            .manifest
            .jobs
            .iter()
            .map(|j| (j.name.as_str(), j.schedule.as_str(), j.command.as_str()))
            .collect();
        assert_eq!(
            spellings,
            [
                ("fanout", "every 10 minutes", "rake push:fan_out"),
                ("report", "every day at 14:30", "rake reports:daily"),
                ("weekday", "0 9 * * 1-5", "rake a && rake b"),
            ]
        );
        // The manifest goes through TOML and back, as a user would keep it.
        let text = imported.manifest.to_toml().unwrap();
        let manifest = Manifest::from_toml(&text, "adopted.toml").unwrap();
        let want = compile(
            &manifest,
            &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
        )
        .unwrap();
        let plain = aws::plan(&clients, &want, false).await.unwrap();
        assert_eq!(plain.summary().conflicts, 3, "{}", plain.to_text());
        let adopting = aws::plan_with(
            &clients,
            &want,
            cronport::plan::PlanOptions {
                adopt: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(adopting.summary().change, 3, "{}", adopting.to_text());
        assert!(
            aws::apply(&clients, &adopting, 4, quiet())
                .await
                .succeeded()
        );
        let after = aws::plan(&clients, &want, true).await.unwrap();
        assert!(!after.has_changes(), "{}", after.to_text());
        assert_eq!(after.summary().unchanged, 3);
        // The rule cronport cannot represent is untouched.
        let targets = clients
            .events
            .list_targets_by_rule()
            .rule("legacy-lambda")
            .send()
            .await
            .unwrap();
        assert_eq!(
            targets.targets()[0].arn(),
            "arn:aws:lambda:us-east-1:123456789012:function:f"
        );
    });
}

#[test]
fn adopted_schedules_plan_to_zero_changes_after_taking_ownership() {
    use aws_sdk_scheduler::types as sc;
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&moto.url()).await;
        clients.scheduler.create_schedule_group().name("legacy").send().await.unwrap();
        // Made by hand the way AWS takes it: the SDK's PascalCase names.
        let run_task = serde_json::json!({
            "Cluster": "mamorio-production",
            "TaskDefinition": "mamorio-worker",
            "Count": 1,
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-0a1b2c3d"], "AssignPublicIp": "DISABLED"}},
            "Overrides": {"ContainerOverrides": [{"Name": "worker", "Command": ["rake", "digest:send"], "Environment": [{"Name": "RAILS_ENV", "Value": "production"}]}]},
        });
        let target = sc::Target::builder()
            .arn("arn:aws:scheduler:::aws-sdk:ecs:runTask")
            .role_arn("arn:aws:iam::123456789012:role/legacy-scheduler")
            .input(run_task.to_string())
            .build()
            .unwrap();
        clients
            .scheduler
            .create_schedule()
            .name("team-digest")
            .group_name("legacy")
            .schedule_expression("cron(30 8 ? * MON-FRI *)")
            .schedule_expression_timezone("Asia/Tokyo")
            .flexible_time_window(sc::FlexibleTimeWindow::builder().mode(sc::FlexibleTimeWindowMode::Off).build().unwrap())
            .target(target)
            .send()
            .await
            .unwrap();
        let imported = aws::import_aws(&clients, cronport::translate::Backend::Scheduler, "team-", "legacy").await.unwrap();
        assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
        let job = &imported.manifest.jobs[0];
        assert_eq!((job.name.as_str(), job.schedule.as_str()), ("digest", "30 8 * * 1-5"));
        assert_eq!(job.settings.timezone.as_deref(), Some("Asia/Tokyo"));
        assert_eq!(job.environment["RAILS_ENV"], "production");
        let manifest = Manifest::from_toml(&imported.manifest.to_toml().unwrap(), "adopted.toml").unwrap();
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        let refused = aws::plan(&clients, &want, false).await.unwrap_err();
        assert!(refused.problems[0].message.contains("not tagged managed-by=cronport"), "{refused}");
        assert_eq!(refused.problems[0].kind, cronport::plan::PlanProblemKind::NotOwned);
        let adopting = aws::plan_with(&clients, &want, cronport::plan::PlanOptions { adopt: true, ..Default::default() }).await.unwrap();
        assert_eq!(adopting.summary().change, 2, "{}", adopting.to_text()); // the group's tag, the schedule's marker
        assert!(aws::apply(&clients, &adopting, 4, quiet()).await.succeeded());
        let after = aws::plan(&clients, &want, true).await.unwrap();
        assert!(!after.has_changes(), "{}", after.to_text());
    });
}

#[test]
fn cutover_from_rules_to_scheduler_keeps_every_job_scheduled_exactly_once() {
    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&moto.url()).await;
        let text = r#"
[defaults]
cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production"
task_definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:1"
container = "worker"
role_arn = "arn:aws:iam::123456789012:role/cronport"
subnets = ["subnet-0a1b2c3d"]
backend = "rules"
schedule_group = "mamorio"

[[job]]
name = "leap-day"
schedule = "0 12 29 2 *"
command = "rake leap"

[[job]]
name = "new-year"
schedule = "0 0 1 1 *"
command = "rake happy"

[[job]]
name = "midsummer"
schedule = "15 3 21 6 *"
command = "rake sun"
"#;
        let manifest = Manifest::from_toml(text, "m.toml").unwrap();
        let now = jiff::Timestamp::now();
        let want = compile(&manifest, &CompileOptions::starting(now)).unwrap();
        assert!(
            aws::apply(
                &clients,
                &aws::plan(&clients, &want, false).await.unwrap(),
                4,
                quiet()
            )
            .await
            .succeeded()
        );
        let once = |runners: Vec<(String, usize)>| runners.iter().all(|(_, n)| *n == 1);
        assert!(once(
            aws::enabled_runners(&clients, &manifest, now)
                .await
                .unwrap()
        ));

        // The offline preview plans the same switches the migration makes.
        let preview = cronport::migration::preview_migration(&manifest, now).unwrap();
        assert!(
            preview.iter().all(|s| s
                .outcome
                .to_string()
                .starts_with("would create 1 schedule and disable rule cronport-")),
            "{preview:?}"
        );

        let switched = aws::migrate(&clients, &manifest, now, false).await.unwrap();
        assert_eq!(switched.len(), 3);
        let planned = |s: &cronport::migration::Switch| {
            (s.job.clone(), s.at, s.first_schedule_run, s.proved_over)
        };
        assert_eq!(
            preview.iter().map(planned).collect::<Vec<_>>(),
            switched.iter().map(planned).collect::<Vec<_>>()
        );
        assert!(
            switched
                .iter()
                .all(|s| s.outcome == cronport::migration::SwitchOutcome::Switched),
            "{switched:?}"
        );
        assert!(switched.iter().all(|s| s.first_schedule_run.is_some()));
        // The leap day may not fall in the window; the others do.
        assert!(
            switched
                .iter()
                .filter(|s| s.job != "leap-day")
                .all(|s| s.proved_over > 0),
            "{switched:?}"
        );
        let runners = aws::enabled_runners(&clients, &manifest, now)
            .await
            .unwrap();
        assert!(once(runners.clone()), "{runners:?}");
        // Re-running is safe.
        let again = aws::migrate(&clients, &manifest, now, false).await.unwrap();
        assert!(
            again
                .iter()
                .all(|s| s.outcome == cronport::migration::SwitchOutcome::AlreadySwitched),
            "{again:?}"
        );

        let finished = aws::migrate(&clients, &manifest, now, true).await.unwrap();
        assert!(
            finished
                .iter()
                .all(|s| s.outcome == cronport::migration::SwitchOutcome::RulesDeleted),
            "{finished:?}"
        );
        assert!(once(
            aws::enabled_runners(&clients, &manifest, now)
                .await
                .unwrap()
        ));
        let rules = clients
            .events
            .list_rules()
            .name_prefix("cronport-")
            .send()
            .await
            .unwrap();
        assert!(rules.rules().is_empty());
        // The manifest on the Scheduler backend now plans clean.
        let mut on_scheduler = manifest.clone();
        on_scheduler.defaults.backend = Some(cronport::translate::Backend::Scheduler);
        let plan = aws::plan(
            &clients,
            &compile(&on_scheduler, &CompileOptions::starting(now)).unwrap(),
            true,
        )
        .await
        .unwrap();
        assert!(!plan.has_changes(), "{}", plan.to_text());
    });
}

/// How bash splits `command` into words: the oracle for a command cronport
/// runs as an argv array.
fn bash_words(command: &str) -> Vec<String> {
    let out = std::process::Command::new("bash")
        .args(["-c", &format!("printf '%s\\0' {command}")])
        .output()
        .expect("bash runs");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_terminator('\0')
        .map(str::to_string)
        .collect()
}

/// Heroku's dyno sizes as Fargate sizes (task cpu, memory), for the sizes
/// the bundled example uses.
fn heroku_size(size: &str) -> (&'static str, &'static str) {
    match size {
        "standard-1x" => ("256", "512"),
        "standard-2x" => ("512", "1024"),
        "performance-m" => ("2048", "4096"),
        other => panic!("add {other} to the test's table"),
    }
}

/// Every fired task runs its job: the container command is the job's
/// command as bash would run it (or the whole command through a shell),
/// the size is the dyno's, the environment is the job's.
fn assert_fired_tasks_run_their_jobs(
    manifest: &Manifest,
    env: Option<&str>,
    fired: &[fire::Fired],
) {
    let m = manifest.for_env(env).unwrap();
    let suffix = env.map(|e| format!("-{e}")).unwrap_or_default();
    for job in &m.jobs {
        let name = format!("cronport-{}{suffix}", job.name);
        let mine: Vec<&fire::Fired> = fired
            .iter()
            .filter(|f| {
                f.source.ends_with(&format!("/{name}"))
                    || f.source == format!("rule {name}")
                    || f.source.starts_with(&format!("rule {name}-"))
            })
            .collect();
        assert!(
            !mine.is_empty(),
            "nothing fired for {name}: {:?}",
            fired.iter().map(|f| &f.source).collect::<Vec<_>>()
        );
        for f in mine {
            let overrides = &f.task["overrides"];
            let container = &overrides["containerOverrides"][0];
            assert_eq!(container["name"], "worker", "{}", f.source);
            let argv: Vec<String> = serde_json::from_value(container["command"].clone()).unwrap();
            // Heroku's time limit, as the job's timeout wrapper.
            let limit = job.settings.timeout.as_deref().map(|t| {
                t.parse::<cronport::task::TimeLimit>()
                    .unwrap()
                    .seconds()
                    .to_string()
            });
            let argv = match (argv.as_slice(), limit) {
                ([t, k, after, seconds, rest @ ..], Some(limit))
                    if t == "timeout" && k == "-k" && after == "30" =>
                {
                    assert_eq!(seconds, &limit, "{}", f.source);
                    rest.to_vec()
                }
                (_, Some(limit)) => panic!("{}: no timeout {limit} wrapper in {argv:?}", f.source),
                (_, None) => argv,
            };
            match argv.as_slice() {
                [shell, c, script] if (shell == "/bin/sh" || shell == "/bin/bash") && c == "-c" => {
                    assert_eq!(script, &job.command, "{}", f.source)
                }
                words => assert_eq!(words, bash_words(&job.command).as_slice(), "{}", f.source),
            }
            let (cpu, memory) = heroku_size(job.size.as_deref().unwrap());
            assert_eq!(
                (overrides["cpu"].as_str(), overrides["memory"].as_str()),
                (Some(cpu), Some(memory)),
                "{}",
                f.source
            );
            let environment: Vec<(String, String)> = container["environment"]
                .as_array()
                .map(|pairs| {
                    pairs
                        .iter()
                        .map(|p| {
                            (
                                p["name"].as_str().unwrap().to_string(),
                                p["value"].as_str().unwrap().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let expected: Vec<(String, String)> = job.environment.clone().into_iter().collect();
            assert_eq!(environment, expected, "{}", f.source);
            // A rule's task is started by EventBridge, which names itself.
            if f.source.starts_with("schedule ") {
                assert_eq!(
                    f.task["startedBy"],
                    format!("cronport/{}{suffix}", job.name),
                    "{}",
                    f.source
                );
            }
        }
    }
}

#[test]
fn every_schedule_fires_the_task_its_job_ran_on_both_backends() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let options = CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap());
        // Scheduler, two environments, one job on Fargate Spot with its own
        // environment variables in production.
        let text = common::example_manifest()
            + "\n[env.staging]\n\n[env.production]\n\n[env.production.job.rake-reports-daily]\nenvironment = { RAILS_ENV = \"production\", REPORT_TO = \"ops@example.com\" }\ncapacity_provider_strategy = [{ capacity_provider = \"FARGATE_SPOT\", weight = 3 }, { capacity_provider = \"FARGATE\", weight = 1, base = 1 }]\n";
        let manifest = Manifest::from_toml(&text, "m.toml").unwrap();
        for env in ["staging", "production"] {
            let want = compile(&manifest.for_env(Some(env)).unwrap(), &options).unwrap();
            let plan = aws::plan(&clients, &want, false).await.unwrap();
            assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        }
        let fired = fire::fire_everything(&clients, &proxy.url()).await;
        assert_eq!(fired.len(), 24);
        for env in ["staging", "production"] {
            assert_fired_tasks_run_their_jobs(&manifest, Some(env), &fired);
        }
        let spot = fired.iter().find(|f| f.source.ends_with("/cronport-rake-reports-daily-production")).unwrap();
        assert_eq!(spot.request["capacityProviderStrategy"][0]["capacityProvider"], "FARGATE_SPOT");
        assert!(spot.request.get("launchType").is_none(), "{}", spot.request);

        // Rules: the same jobs as EventBridge rules with ECS targets.
        let rules = common::on_rules(&common::example_manifest())
            + "\n[env.ops]\n\n[env.ops.job.rake-push-fan-out]\nenvironment = { QUEUE = \"push\" }\ncapacity_provider_strategy = [{ capacity_provider = \"FARGATE_SPOT\", weight = 1 }]\n";
        let manifest = Manifest::from_toml(&rules, "rules.toml").unwrap();
        let want = compile(&manifest.for_env(Some("ops")).unwrap(), &options).unwrap();
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let fired: Vec<fire::Fired> = fire::fire_everything(&clients, &proxy.url())
            .await
            .into_iter()
            .filter(|f| f.source.starts_with("rule "))
            .collect();
        assert_eq!(fired.len(), 12);
        assert_fired_tasks_run_their_jobs(&manifest, Some("ops"), &fired);
        let spot = fired.iter().find(|f| f.source == "rule cronport-rake-push-fan-out-ops").unwrap();
        assert_eq!(spot.request["capacityProviderStrategy"][0]["capacityProvider"], "FARGATE_SPOT");
    });
}

#[test]
fn cronport_run_sends_exactly_what_the_schedule_sends() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let text = common::example_manifest()
            + "\n[env.prod]\n\n[env.prod.job.rake-tags-recompute-lost]\nenvironment = { A = \"1\" }\n";
        let manifest = Manifest::from_toml(&text, "m.toml").unwrap().for_env(Some("prod")).unwrap();
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let fired = fire::fire_everything(&clients, &proxy.url()).await;
        for job in &want.jobs {
            let by_schedule = fired.iter().find(|f| f.source.ends_with(&format!("/{}", job.job.aws_name))).unwrap();
            let arns = aws::run_now(&clients, job).await.unwrap();
            let described = clients.ecs.describe_tasks().cluster("mamorio-production").tasks(&arns[0]).send().await.unwrap();
            let task = &described.tasks()[0];
            let container = &task.overrides().unwrap().container_overrides()[0];
            let by_run = serde_json::json!({
                "command": container.command(),
                "environment": container.environment().iter().map(|p| serde_json::json!({"name": p.name(), "value": p.value()})).collect::<Vec<_>>(),
                "cpu": task.overrides().unwrap().cpu(),
                "memory": task.overrides().unwrap().memory(),
                "startedBy": task.started_by(),
            });
            let o = &by_schedule.task["overrides"];
            let environment = o["containerOverrides"][0]["environment"].as_array().cloned().unwrap_or_default();
            let scheduled = serde_json::json!({
                "command": o["containerOverrides"][0]["command"],
                "environment": environment,
                "cpu": o["cpu"],
                "memory": o["memory"],
                "startedBy": by_schedule.task["startedBy"],
            });
            assert_eq!(by_run, scheduled, "{}", job.job.name);
        }
    });
}

#[test]
fn a_rate_schedule_keeps_its_start_date_and_plans_clean_later() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let text = common::example_manifest()
            + "\n[[job]]\nname = \"every-ninety\"\nschedule = \"rate(90 minutes)\"\ncommand = \"rake tick\"\nsize = \"standard-1x\"\n";
        let manifest = Manifest::from_toml(&text, "m.toml").unwrap();
        let first = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        let plan = aws::plan(&clients, &first, false).await.unwrap();
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let live = clients.scheduler.get_schedule().group_name("mamorio").name("cronport-every-ninety").send().await.unwrap();
        // No cron writes 90 minutes: the first instant of its phase (from
        // 00:00 UTC) after the render's day.
        assert_eq!(live.start_date().map(|d| d.secs()), Some(1_795_564_800)); // 2026-11-25T00:00:00Z
        // A later plan (another --from, as `plan` uses now) keeps the phase.
        let later = compile(&manifest, &CompileOptions::starting("2026-11-25T07:13:00Z".parse().unwrap())).unwrap();
        let again = aws::plan(&clients, &later, false).await.unwrap();
        assert!(!again.has_changes(), "{}", again.to_text());
    });
}

#[test]
fn plan_refuses_a_role_that_is_missing_mistrusting_or_elsewhere() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let events_only = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        clients.iam.create_role().role_name("rules-only").assume_role_policy_document(events_only.to_string()).send().await.unwrap();
        let options = CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap());
        for (role, expected) in [
            ("arn:aws:iam::123456789012:role/nobody", "does not exist in this account"),
            ("arn:aws:iam::123456789012:role/rules-only", "does not trust scheduler.amazonaws.com (it trusts events.amazonaws.com)"),
            ("arn:aws:iam::999999999999:role/cronport-scheduler", "is not the role found under that name here"),
            ("arn:aws:iam::123456789012:role/ops/cronport-scheduler", "is not the role found under that name here"),
        ] {
            let text = common::example_manifest().replace("arn:aws:iam::123456789012:role/cronport-scheduler", role);
            let want = compile(&Manifest::from_toml(&text, "m.toml").unwrap(), &options).unwrap();
            proxy.take();
            let err = aws::plan(&clients, &want, false).await.unwrap_err().to_string();
            assert!(err.contains(expected), "{role}: {err}");
            assert_eq!(proxy.writes(), 0, "{role}");
        }
    });
}

/// Every schedule and enabled rule on the server, by job (from its owner
/// record), as `(address, enabled)`.
pub(crate) async fn runners_on_server(
    clients: &Clients,
) -> std::collections::BTreeMap<String, Vec<(String, bool)>> {
    let mut out: std::collections::BTreeMap<String, Vec<(String, bool)>> = Default::default();
    for (group, name, got) in fire::every_schedule(clients).await {
        let owner = cronport::owner::Owner::from_description(got.description().unwrap_or_default())
            .unwrap();
        let enabled = got.state().map(|s| s.as_str()) == Some("ENABLED");
        out.entry(format!("{}/{}/{}", owner.manifest, owner.env, owner.job))
            .or_default()
            .push((format!("{group}/{name}"), enabled));
    }
    let rules = clients.events.list_rules().send().await.unwrap();
    for r in rules.rules() {
        let tags = clients
            .events
            .list_tags_for_resource()
            .resource_arn(r.arn().unwrap())
            .send()
            .await
            .unwrap();
        let tags: std::collections::BTreeMap<String, String> = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        if let Some(owner) = cronport::owner::Owner::from_tags(&tags) {
            let enabled = r.state().map(|s| s.as_str()) == Some("ENABLED");
            out.entry(format!("{}/{}/{}", owner.manifest, owner.env, owner.job))
                .or_default()
                .push((format!("rule {}", r.name().unwrap()), enabled));
        }
    }
    out
}

async fn apply_text(clients: &Clients, text: &str, env: Option<&str>) -> Plan {
    let manifest = Manifest::from_toml(text, "m.toml")
        .unwrap()
        .for_env(env)
        .unwrap();
    let want = compile(
        &manifest,
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap();
    let plan = aws::plan(clients, &want, false).await.unwrap();
    assert!(
        aws::apply(clients, &plan, 8, quiet()).await.succeeded(),
        "{}",
        plan.to_text()
    );
    plan
}

#[test]
fn lifecycle_on_the_server_no_job_runs_twice_and_nothing_foreign_is_touched() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let base = common::example_manifest();
        apply_text(&clients, &base, None).await;
        let one_each = |runners: &std::collections::BTreeMap<String, Vec<(String, bool)>>| {
            for (job, places) in runners {
                assert_eq!(
                    places.iter().filter(|(_, on)| *on).count(),
                    1,
                    "{job}: {places:?}"
                );
            }
        };
        // A renamed job: exactly one enabled schedule for it, the old one gone.
        let renamed = base.replace("name = \"rake-reports-daily\"", "name = \"reports-daily\"");
        apply_text(&clients, &renamed, None).await;
        let runners = runners_on_server(&clients).await;
        assert!(
            !runners.keys().any(|k| k.ends_with("/rake-reports-daily")),
            "{runners:?}"
        );
        assert_eq!(
            runners["auto-5488e40d/-/reports-daily"],
            [("mamorio/cronport-reports-daily".to_string(), true)]
        );
        one_each(&runners);
        // A group change and a prefix change: the old ones gone.
        let moved = renamed.replace(
            "schedule_group = \"mamorio\"",
            "schedule_group = \"jobs\"\nname_prefix = \"mam-\"",
        );
        let plan = apply_text(&clients, &moved, None).await;
        assert_eq!(plan.summary().destroy, 12, "{}", plan.to_text());
        let runners = runners_on_server(&clients).await;
        assert!(
            runners
                .values()
                .flatten()
                .all(|(a, _)| a.starts_with("jobs/mam-")),
            "{runners:?}"
        );
        one_each(&runners);
        // A backend switch: no twin left running.
        let rules = common::on_rules(&moved).replace("id = \"auto-5488e40d\"", "id = \"mamorio\"");
        apply_text(&clients, &rules, None).await; // another id: a new deployment
        // Back on Scheduler, its schedules' names are the first
        // deployment's: conflicts, and its rules keep running its jobs (a
        // job never loses its runner to a name it cannot take).
        let back = rules.replace("backend = \"rules\"", "backend = \"scheduler\"");
        let plan = apply_text(&clients, &back, None).await;
        assert_eq!(
            (plan.summary().destroy, plan.summary().conflicts),
            (0, 12),
            "{}",
            plan.to_text()
        );
        let runners = runners_on_server(&clients).await;
        assert_eq!(
            runners.keys().filter(|k| k.starts_with("mamorio/")).count(),
            12,
            "{runners:?}"
        );
        // The first deployment (id auto-…) is untouched by the second's plans.
        assert_eq!(
            runners
                .keys()
                .filter(|k| k.starts_with("auto-5488e40d/"))
                .count(),
            12
        );
        one_each(&runners);
    });
}

#[test]
fn environments_and_manifests_sharing_names_never_touch_each_other() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        // prod and pre-prod share one group (both names end in -prod).
        let two = |job: &str| format!("\n[[job]]\nname = \"{job}\"\nschedule = \"@daily\"\ncommand = \"rake {job}\"\n");
        let defaults = common::example_manifest();
        let defaults = &defaults[..defaults.find("[[job]]").unwrap()];
        let envs = format!("{defaults}{}{}\n[env.prod]\nschedule_group = \"shared\"\n\n[env.pre-prod]\nschedule_group = \"shared\"\n", two("x"), two("y"));
        apply_text(&clients, &envs, Some("prod")).await;
        apply_text(&clients, &envs, Some("pre-prod")).await;
        // A second manifest in the same group, with the same prefix, and
        // one of its jobs named as prod's: that name is a conflict, never
        // overwritten.
        let other = format!("{defaults}{}{}\n[env.prod]\nschedule_group = \"shared\"\n", two("x"), two("z"))
            .replace("id = \"auto-5488e40d\"", "id = \"billing\"");
        let plan = apply_text(&clients, &other, Some("prod")).await;
        assert_eq!(plan.summary().conflicts, 1, "{}", plan.to_text());
        assert!(plan.to_text().contains("it belongs to manifest `auto-5488e40d`, environment `prod`, job `x`"), "{}", plan.to_text());
        let before = runners_on_server(&clients).await;
        assert_eq!(before.len(), 5, "{before:?}");
        // pre-prod drops every job (--prune for an empty manifest): only its
        // own two schedules go.
        let empty = format!("{defaults}\n[env.pre-prod]\nschedule_group = \"shared\"\n");
        let manifest = Manifest::from_toml(&empty, "m.toml").unwrap().for_env(Some("pre-prod")).unwrap();
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        assert_eq!(aws::plan(&clients, &want, false).await.unwrap_err().problems[0].hint, Some(cronport::Hint::Prune));
        let plan = aws::plan(&clients, &want, true).await.unwrap();
        assert_eq!(plan.summary().destroy, 2, "{}", plan.to_text());
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let after = runners_on_server(&clients).await;
        let gone: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
        assert_eq!(gone, ["auto-5488e40d/pre-prod/x", "auto-5488e40d/pre-prod/y"]);
        // prod's plan still deletes nothing of the others'.
        let manifest = Manifest::from_toml(&envs, "m.toml").unwrap().for_env(Some("prod")).unwrap();
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        assert_eq!(plan.summary().destroy, 0, "{}", plan.to_text());
    });
}

#[test]
fn the_default_group_is_read_and_twins_of_an_earlier_id_or_environment_are_named() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let in_default = common::example_manifest().replace("schedule_group = \"mamorio\"", "schedule_group = \"default\"");
        apply_text(&clients, &in_default, None).await;
        // Moving out of `default` deletes what is there.
        let moved = in_default.replace("schedule_group = \"default\"", "schedule_group = \"jobs\"");
        let plan = apply_text(&clients, &moved, None).await;
        assert_eq!(plan.summary().destroy, 12, "{}", plan.to_text());
        let runners = runners_on_server(&clients).await;
        assert!(runners.values().flatten().all(|(a, _)| a.starts_with("jobs/")), "{runners:?}");
        // The manifest gains two environments: the schedules from before
        // are named as running beside prod's, with the way to take them over.
        let with_envs = moved.clone() + "\n[env.prod]\n\n[env.staging]\n";
        let manifest = Manifest::from_toml(&with_envs, "m.toml").unwrap().for_env(Some("prod")).unwrap();
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        assert!(plan.warnings.iter().any(|w| w.to_string().starts_with("12 resource(s) of manifest `auto-5488e40d`, environment `-` run jobs of this manifest")), "{:?}", plan.warnings);
        assert!(plan.to_text().contains("replaces = [\"-\"]"), "{}", plan.to_text());
        // Without an id line, the plan says which id it derived.
        let no_id = moved.replace("id = \"auto-5488e40d\"\n", "");
        let manifest = Manifest::from_toml(&no_id, "m.toml").unwrap();
        let want = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap())).unwrap();
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        assert!(!plan.has_changes(), "{}", plan.to_text());
        assert!(plan.warnings.iter().any(|w| w.to_string().contains("this manifest has no id: cronport derived `auto-5488e40d`")), "{:?}", plan.warnings);
    });
}

#[test]
fn plan_fits_each_container_to_its_dyno_and_reports_entry_points() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        // A buildpack image: the launcher as entry point, the worker capped
        // at 512 MiB, and a 256 MiB log router beside it.
        clients
            .ecs
            .register_task_definition()
            .family("mamorio-worker")
            .cpu("256")
            .memory("512")
            .container_definitions(
                aws_sdk_ecs::types::ContainerDefinition::builder()
                    .name("worker")
                    .image("app:latest")
                    .entry_point("/cnb/lifecycle/launcher")
                    .memory(512)
                    .build(),
            )
            .container_definitions(
                aws_sdk_ecs::types::ContainerDefinition::builder()
                    .name("log-router")
                    .image("fluent-bit:latest")
                    .memory_reservation(256)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let want = desired(&common::example_manifest());
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        let text = plan.to_text();
        // Performance-M: 4096 MiB for the task, 256 of them the router's.
        assert!(text.contains("job rake-tags-recompute-lost: container `worker` of arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:2 is limited to 512 MiB; the run sets it to 3840 MiB"), "{text}");
        assert!(text.contains("job rake-reports-daily: container `worker` of arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:2 runs each command through the Cloud Native Buildpacks launcher"), "{text}");
        aws::apply(&clients, &plan, 4, quiet()).await;
        // What the schedule sends is what plan said.
        let schedule = clients
            .scheduler
            .get_schedule()
            .group_name("mamorio")
            .name("cronport-rake-tags-recompute-lost")
            .send()
            .await
            .unwrap();
        let input: serde_json::Value = serde_json::from_str(schedule.target().unwrap().input().unwrap()).unwrap();
        assert_eq!(input["Overrides"]["ContainerOverrides"][0]["Memory"], 3840);
        assert_eq!(input["Overrides"]["Memory"], "4096");
        // And a second plan is clean.
        let again = aws::plan(&clients, &want, false).await.unwrap();
        assert!(!again.has_changes(), "{}", again.to_text());
        // `convert --task-definition`, given the task definition as `aws ecs
        // describe-task-definition` prints it, renders byte for byte the
        // Input every schedule got from `apply`.
        let described = serde_json::json!({"taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:2",
            "family": "mamorio-worker", "revision": 2, "cpu": "256", "memory": "512",
            "containerDefinitions": [
                {"name": "worker", "image": "app:latest", "cpu": 0, "entryPoint": ["/cnb/lifecycle/launcher"], "memory": 512, "essential": true},
                {"name": "log-router", "image": "fluent-bit:latest", "cpu": 0, "memoryReservation": 256, "essential": true}
            ]}});
        let file = cronport::fit::TaskDefinitionFile::parse(&described.to_string(), "td.json").unwrap();
        let facts = cronport::fit::facts_from_files(&want, &[file]).unwrap();
        let offline = cronport::fit::fit(&want, &facts);
        assert_eq!(offline.notes, aws::fitted(&clients, &want).await.unwrap().notes);
        let rendered: serde_json::Value = serde_json::from_str(&cronport::render::render(&offline.desired, cronport::render::Format::Json)).unwrap();
        let mut compared = 0;
        for request in rendered["requests"].as_array().unwrap() {
            let Some(name) = request["input"]["Name"].as_str().filter(|_| request["operation"] == "scheduler:CreateSchedule") else { continue };
            let live = clients.scheduler.get_schedule().group_name("mamorio").name(name).send().await.unwrap();
            assert_eq!(request["input"]["Target"]["Input"].as_str(), live.target().unwrap().input(), "{name}");
            compared += 1;
        }
        assert_eq!(compared, 12);
        // A schedule created from a file without the fit is a change.
        let unfitted = cronport::render::render(&want, cronport::render::Format::Json);
        let unfitted: serde_json::Value = serde_json::from_str(&unfitted).unwrap();
        let request = unfitted["requests"].as_array().unwrap().iter()
            .find(|r| r["input"]["Name"] == "cronport-rake-tags-recompute-lost").unwrap();
        let live = clients.scheduler.get_schedule().group_name("mamorio").name("cronport-rake-tags-recompute-lost").send().await.unwrap();
        let mut target = live.target().unwrap().clone();
        target.input = Some(request["input"]["Target"]["Input"].as_str().unwrap().to_string());
        clients.scheduler.update_schedule().group_name("mamorio").name("cronport-rake-tags-recompute-lost")
            .schedule_expression(live.schedule_expression().unwrap())
            .set_schedule_expression_timezone(live.schedule_expression_timezone().map(str::to_string))
            .set_description(live.description().map(str::to_string))
            .set_flexible_time_window(live.flexible_time_window().cloned())
            .target(target).send().await.unwrap();
        let drifted = aws::plan(&clients, &want, false).await.unwrap();
        assert_eq!(drifted.summary().change, 1, "{}", drifted.to_text());
        assert!(drifted.to_text().contains("container size: (the task definition's) → memory 3840 MiB"), "{}", drifted.to_text());
        // A buildpack image started as its web process would take each
        // command as the web process's arguments: refused, with the change.
        clients.ecs.register_task_definition().family("mamorio-worker").cpu("256").memory("512")
            .container_definitions(aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("worker").image("app:latest").entry_point("/cnb/process/web").build())
            .send().await.unwrap();
        let refused = aws::plan(&clients, &want, false).await.unwrap_err().to_string();
        assert!(refused.contains("container `worker` of arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:3 starts `/cnb/process/web`") && refused.contains("set the container's entryPoint to [\"/cnb/lifecycle/launcher\"]"), "{refused}");
        // A standard-1X job (512 MiB) leaves the worker 256: said, not refused.
        assert!(text.contains("job rails-runner-devices-sync-call: container `worker`"), "{text}");
    });
}

/// `cronport iam`'s JSON, sent as it says (`create-role`, `put-role-policy`)
/// through the real SDK: the contract proxy checks each request against
/// botocore's model, and moto parses each policy document. With the task
/// definition's file, PassRole names its roles; RunTask is held to the
/// jobs' clusters.
#[test]
fn iam_json_is_what_iam_accepts_and_names_only_what_the_jobs_use() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let rt = runtime();
    rt.block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/rules.toml"
        ))
        .unwrap();
        let want = desired(&text);
        let described = serde_json::json!({"taskDefinition": {
            "family": "app-worker", "revision": 7,
            "taskRoleArn": "arn:aws:iam::123456789012:role/mamorio-task",
            "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            "containerDefinitions": [{"name": "worker"}]}});
        let file =
            cronport::fit::TaskDefinitionFile::parse(&described.to_string(), "td.json").unwrap();
        let doc: serde_json::Value = serde_json::from_str(&cronport::render::render_iam(
            &want,
            &[file],
            cronport::render::IamFormat::Json,
        ))
        .unwrap();
        for role in doc["roles"].as_array().unwrap() {
            // Beside the account's own roles of that name.
            let name = &format!("{}-rendered", role["role"]["RoleName"].as_str().unwrap());
            let policy: serde_json::Value =
                serde_json::from_str(role["policy"]["PolicyDocument"].as_str().unwrap()).unwrap();
            let statements = policy["Statement"].as_array().unwrap();
            assert_eq!(
                statements[0]["Condition"]["ArnLike"]["ecs:cluster"],
                serde_json::json!(["arn:aws:ecs:us-east-1:123456789012:cluster/production"]),
                "{policy}"
            );
            assert_eq!(
                statements[1]["Resource"],
                serde_json::json!([
                    "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                    "arn:aws:iam::123456789012:role/mamorio-task"
                ]),
                "{policy}"
            );
            clients
                .iam
                .create_role()
                .role_name(name)
                .path(role["role"]["Path"].as_str().unwrap())
                .assume_role_policy_document(
                    role["role"]["AssumeRolePolicyDocument"].as_str().unwrap(),
                )
                .send()
                .await
                .unwrap();
            clients
                .iam
                .put_role_policy()
                .role_name(name)
                .policy_name(role["policy"]["PolicyName"].as_str().unwrap())
                .policy_document(role["policy"]["PolicyDocument"].as_str().unwrap())
                .send()
                .await
                .unwrap();
        }
        let queues = doc["queue_policies"].as_array().unwrap();
        assert_eq!(queues.len(), 1);
        assert_eq!(
            queues[0]["QueueUrl"],
            "https://sqs.us-east-1.amazonaws.com/123456789012/cronport-dlq"
        );
        let violations = proxy.take_violations();
        assert!(violations.is_empty(), "{violations:?}");
    });
}
