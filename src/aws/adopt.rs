//! `cronport import aws`: what already runs on AWS, back into a manifest.
//!
//! Rules (with the name prefix) and schedules (in the group) that run one
//! ECS task become jobs: the AWS expression in its simplest faithful
//! spelling (a Heroku phrase, else Unix cron, else as written), the target
//! back to job fields. Anything cronport cannot represent is reported,
//! never silently dropped. `cronport apply --adopt` then takes ownership.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Clients, PlanError, error_text, live};
use crate::import::Imported;
use crate::manifest::{CapacityProvider, Job, Manifest, RetryPolicy, Settings};
use crate::render::RUN_TASK_TARGET;
use crate::syntax;
use crate::translate::Backend;

/// The command of a container override (ECS JSON, `command` an argv) as
/// the manifest writes it: the script of `/bin/sh -c SCRIPT`, else the words
/// joined with shell quoting (which reads back to the same argv). `None`
/// without a command.
pub(crate) fn command_text(container: &Value) -> Option<String> {
    let argv: Vec<String> = container
        .get("command")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    match argv.as_slice() {
        [sh, c, script] if sh == "/bin/sh" && c == "-c" => Some(script.clone()),
        [] => None,
        words => shlex::try_join(words.iter().map(String::as_str)).ok(),
    }
}

/// Fills a job from an ECS overrides object (`containerOverrides`, task
/// `cpu`/`memory`); returns what it could not carry.
fn from_overrides(job: &mut Job, overrides: &Value, what: &str) -> Result<(), String> {
    let containers = overrides
        .get("containerOverrides")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let [container] = containers.as_slice() else {
        return Err(format!(
            "{what} overrides {} containers; cronport overrides exactly one",
            containers.len()
        ));
    };
    job.settings.container = container
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    job.command = command_text(container)
        .ok_or_else(|| format!("{what} has no command override; cronport runs a command"))?;
    for pair in container
        .get("environment")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(v)) = (
            pair.get("name").and_then(Value::as_str),
            pair.get("value").and_then(Value::as_str),
        ) {
            job.environment.insert(k.to_string(), v.to_string());
        }
    }
    let known = ["name", "command", "environment"];
    if let Some(extra) = container
        .as_object()
        .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())))
    {
        return Err(format!(
            "{what} overrides the container's `{extra}`, which the manifest cannot hold"
        ));
    }
    let number = |key: &str| {
        overrides
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<u32>().ok())
    };
    job.cpu = number("cpu");
    job.memory = number("memory");
    if let Some(extra) = overrides.as_object().and_then(|o| {
        o.keys()
            .find(|k| !["containerOverrides", "cpu", "memory"].contains(&k.as_str()))
    }) {
        return Err(format!(
            "{what} overrides the task's `{extra}`, which the manifest cannot hold"
        ));
    }
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
/// std::fs::write("cronport.toml", imported.manifest.to_toml())?;
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
                    Err(why) => warnings.push(format!("rule `{name}` is left out: {why}")),
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
                    Ok(job) => jobs.push(job),
                    Err(why) => {
                        warnings.push(format!("schedule `{group}/{name}` is left out: {why}"))
                    }
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
        env: BTreeMap::new(),
    };
    crate::import::hoist_common_settings(&mut manifest);
    Ok(Imported { manifest, warnings })
}

async fn adopt_rule(clients: &Clients, name: &str, prefix: &str) -> Result<Job, String> {
    let rule = clients
        .events
        .describe_rule()
        .name(name)
        .send()
        .await
        .map_err(error_text)?;
    let expression = rule
        .schedule_expression()
        .ok_or("it is not a scheduled rule (it has an event pattern)")?;
    let targets = clients
        .events
        .list_targets_by_rule()
        .rule(name)
        .send()
        .await
        .map_err(error_text)?;
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
    from_overrides(&mut job, &input, "its target")?;
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
            .map_err(error_text)?;
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

fn adopt_schedule(spec: &super::ScheduleSpec, prefix: &str) -> Result<Job, String> {
    if spec.target_arn != RUN_TASK_TARGET {
        return Err(format!(
            "its target is `{}`, not ECS RunTask through the universal target",
            spec.target_arn
        ));
    }
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
    let run = &spec.input;
    from_overrides(
        &mut job,
        run.get("overrides").unwrap_or(&Value::Null),
        "its RunTask input",
    )?;
    let text = |key: &str| run.get(key).and_then(Value::as_str).map(str::to_string);
    let s = &mut job.settings;
    s.timezone = Some(spec.timezone.clone()).filter(|z| z != "UTC");
    s.cluster = text("cluster");
    s.task_definition = text("taskDefinition");
    s.role_arn = Some(spec.role_arn.clone());
    s.platform_version = text("platformVersion");
    s.task_count = run
        .get("count")
        .and_then(Value::as_u64)
        .filter(|n| *n != 1)
        .map(|n| n as u32);
    s.launch_type = crate::import::launch_type(text("launchType").as_deref());
    if let Some(vpc) = run
        .get("networkConfiguration")
        .and_then(|n| n.get("awsvpcConfiguration"))
    {
        crate::import::awsvpc_settings(s, vpc, ["subnets", "securityGroups", "assignPublicIp"]);
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
    let known = [
        "cluster",
        "taskDefinition",
        "count",
        "overrides",
        "startedBy",
        "launchType",
        "capacityProviderStrategy",
        "platformVersion",
        "networkConfiguration",
    ];
    if let Some(extra) = run
        .as_object()
        .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())))
    {
        return Err(format!(
            "its RunTask input sets `{extra}`, which the manifest cannot hold"
        ));
    }
    Ok(job)
}
