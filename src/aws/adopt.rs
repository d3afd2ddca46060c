//! `cronport import aws`: what already runs on AWS, back into a manifest.
//!
//! Rules (with the name prefix) and schedules (in the group) that run one
//! ECS task become jobs: the AWS expression in its simplest faithful
//! spelling (a Heroku phrase, else Unix cron, else as written), the target
//! back to job fields. Anything cronport cannot represent is reported,
//! never silently dropped. `cronport apply --adopt` then takes ownership.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Clients, PlanError, live, sdk_error_text};
use crate::import::Imported;
use crate::manifest::{CapacityProvider, Job, Manifest, RetryPolicy, Settings};
use crate::render::is_run_task_target;
use crate::syntax;
use crate::task::{Casing, RunTask, TaskOverrides, read_argv};
use crate::translate::Backend;
use crate::{Advice, Hint};

/// Fills a job from a run's overrides (container, command, environment,
/// task size).
fn from_overrides(job: &mut Job, overrides: &TaskOverrides, what: &str) -> Result<(), String> {
    let container = &overrides.container;
    job.settings.container = Some(container.name.clone());
    let read = read_argv(&container.command)
        .ok_or_else(|| format!("{what} has no command override; cronport runs a command"))?;
    job.command = read.command;
    job.settings.shell = read.shell;
    job.settings.timeout = read.timeout.map(|t| t.to_string());
    job.environment = container.environment.clone();
    job.cpu = overrides.cpu;
    job.memory = overrides.memory;
    Ok(())
}

/// Reads what runs on AWS into a manifest: rules whose names start with
/// `name_prefix`, or the schedules in `group` with that prefix.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients) -> Result<(), Box<dyn std::error::Error>> {
/// use cronport::translate::Backend;
/// // Rules someone made by hand, named `nightly-…`, become a manifest.
/// let imported = cronport::aws::import_aws(&clients, Backend::Rules, "nightly-", "default").await?;
/// for warning in &imported.warnings {
///     eprintln!("warning: {warning}");
/// }
/// std::fs::write("cronport.toml", imported.manifest.to_toml()?)?;
/// # Ok(()) }
/// ```
pub async fn import_aws(
    clients: &Clients,
    backend: Backend,
    name_prefix: &str,
    group: &str,
) -> Result<Imported, PlanError> {
    let mut jobs = Vec::new();
    let mut warnings = Vec::new();
    match backend {
        Backend::Rules => {
            let names = live::rule_names(clients, Some(name_prefix)).await?;
            for name in names {
                match adopt_rule(clients, &name, name_prefix).await {
                    Ok(job) => jobs.push(job),
                    Err(why) => {
                        warnings.push(Advice::from(format!("rule `{name}` is left out: {why}")))
                    }
                }
            }
        }
        Backend::Scheduler => {
            let live = live::schedules(clients, group).await?;
            for (name, spec) in live {
                if !name.starts_with(name_prefix) {
                    continue;
                }
                match adopt_schedule(&spec, name_prefix) {
                    Ok(job) => {
                        if spec.input_casing != crate::plan::InputCasing::Read(Casing::Pascal) {
                            warnings.push(Advice {
                                text: format!("schedule `{group}/{name}`: its RunTask input is {}, which the universal target refuses (it takes PascalCase)", spec.input_casing),
                                hint: Some(Hint::AdoptRewrites),
                            });
                        }
                        jobs.push(job)
                    }
                    Err(why) => warnings.push(Advice::from(format!(
                        "schedule `{group}/{name}` is left out: {why}"
                    ))),
                }
            }
        }
    }
    // By name, so the same account always gives the same manifest.
    jobs.sort_by(|a, b| a.name.cmp(&b.name));
    let defaults = Settings {
        backend: Some(backend),
        name_prefix: Some(name_prefix.to_string()),
        schedule_group: (backend == Backend::Scheduler).then(|| group.to_string()),
        ..Settings::default()
    };
    let mut manifest = Manifest {
        defaults,
        jobs,
        ..Manifest::default()
    };
    crate::import::hoist_common_settings(&mut manifest);
    manifest.id = Some(crate::owner::new_id());
    Ok(Imported { manifest, warnings })
}

async fn adopt_rule(clients: &Clients, name: &str, prefix: &str) -> Result<Job, String> {
    let rule = clients
        .events
        .describe_rule()
        .name(name)
        .send()
        .await
        .map_err(sdk_error_text)?;
    let expression = rule
        .schedule_expression()
        .ok_or("it is not a scheduled rule (it has an event pattern)")?;
    let targets = clients
        .events
        .list_targets_by_rule()
        .rule(name)
        .send()
        .await
        .map_err(sdk_error_text)?;
    let [target] = targets.targets() else {
        return Err(format!(
            "it has {} targets; cronport manages rules with one ECS task target",
            targets.targets().len()
        ));
    };
    let ecs = target
        .ecs_parameters()
        .ok_or("its target is not an ECS task")?;
    let mut job = Job {
        name: name.strip_prefix(prefix).unwrap_or(name).to_string(),
        schedule: syntax::simplest_spelling(expression, "UTC"),
        enabled: rule.state().is_none_or(|s| s.as_str() == "ENABLED"),
        ..Job::default()
    };
    let input: Value = target
        .input()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| format!("its target input is not JSON: {e}"))?
        .unwrap_or(Value::Null);
    let (overrides, _casing) = TaskOverrides::from_json(&input)
        .map_err(|why| format!("its target input (the task overrides): {why}"))?;
    from_overrides(&mut job, &overrides, "its target")?;
    let s = &mut job.settings;
    s.cluster = Some(target.arn().to_string());
    s.task_definition = Some(ecs.task_definition_arn().to_string());
    s.role_arn = Some(
        target
            .role_arn()
            .ok_or("its target has no role")?
            .to_string(),
    );
    s.task_count = ecs.task_count().filter(|n| *n != 1).map(|n| n as u32);
    s.platform_version = ecs.platform_version().map(str::to_string);
    s.launch_type = crate::import::launch_type(ecs.launch_type().map(|l| l.as_str()));
    let providers: Vec<CapacityProvider> = ecs
        .capacity_provider_strategy()
        .iter()
        .map(|c| CapacityProvider {
            capacity_provider: c.capacity_provider().to_string(),
            weight: Some(c.weight() as u32),
            base: Some(c.base() as u32),
        })
        .collect();
    if s.launch_type.is_none() && providers.is_empty() {
        return Err(
            "it names neither a launch type nor capacity providers; cronport needs one".to_string(),
        );
    }
    s.capacity_provider_strategy = (!providers.is_empty()).then_some(providers);
    if let Some(vpc) = ecs
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
    {
        s.subnets = Some(vpc.subnets().to_vec());
        s.security_groups =
            (!vpc.security_groups().is_empty()).then(|| vpc.security_groups().to_vec());
        s.assign_public_ip = vpc.assign_public_ip().map(|a| a.as_str() == "ENABLED");
    }
    if let Some(r) = target.retry_policy() {
        let policy = RetryPolicy {
            maximum_retry_attempts: r.maximum_retry_attempts().map(|n| n as u32),
            maximum_event_age_in_seconds: r.maximum_event_age_in_seconds().map(|n| n as u32),
        };
        s.retry_policy = Some(policy).filter(|p| {
            (p.maximum_retry_attempts, p.maximum_event_age_in_seconds) != (Some(185), Some(86_400))
        });
    }
    s.dead_letter_queue = target
        .dead_letter_config()
        .and_then(|d| d.arn())
        .map(str::to_string);
    if let Some(arn) = rule.arn() {
        let tags = clients
            .events
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(sdk_error_text)?;
        let tags: BTreeMap<String, String> = tags
            .tags()
            .iter()
            .filter(|t| t.key() != "managed-by")
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        s.tags = (!tags.is_empty()).then_some(tags);
    }
    Ok(job)
}

fn adopt_schedule(spec: &crate::plan::ScheduleSpec, prefix: &str) -> Result<Job, String> {
    if !is_run_task_target(&spec.target_arn) {
        return Err(format!(
            "its target is `{}`, not ECS RunTask through the universal target",
            spec.target_arn
        ));
    }
    // The live reader holds a RunTask input in PascalCase whichever casing
    // it was written in; one it could not read is named in its casing.
    let (run, _) = RunTask::from_json(&spec.input)
        .map_err(|why| format!("its RunTask input: {why} ({})", spec.input_casing))?;
    let mut job = Job {
        name: spec
            .name
            .strip_prefix(prefix)
            .unwrap_or(&spec.name)
            .to_string(),
        schedule: syntax::simplest_spelling(&spec.expression, &spec.timezone),
        enabled: spec.state == "ENABLED",
        ..Job::default()
    };
    from_overrides(&mut job, &run.overrides, "its RunTask input")?;
    let s = &mut job.settings;
    s.timezone = Some(spec.timezone.clone()).filter(|z| z != "UTC");
    s.cluster = Some(run.cluster);
    s.task_definition = Some(run.task_definition);
    s.role_arn = Some(spec.role_arn.clone());
    s.platform_version = run.platform_version;
    s.task_count = Some(run.count).filter(|n| *n != 1);
    s.launch_type = run.launch_type;
    s.capacity_provider_strategy =
        (!run.capacity_provider_strategy.is_empty()).then_some(run.capacity_provider_strategy);
    if let Some(vpc) = run.network {
        s.subnets = Some(vpc.subnets);
        s.security_groups = (!vpc.security_groups.is_empty()).then_some(vpc.security_groups);
        s.assign_public_ip = Some(vpc.assign_public_ip);
    }
    let retry = (
        spec.retry.maximum_retry_attempts,
        spec.retry.maximum_event_age_in_seconds,
    );
    s.retry_policy = (retry != (185, 86_400)).then_some(RetryPolicy {
        maximum_retry_attempts: Some(retry.0),
        maximum_event_age_in_seconds: Some(retry.1),
    });
    s.dead_letter_queue = spec.dead_letter_queue.clone();
    s.flexible_time_window = spec.flexible_window_minutes;
    Ok(job)
}
