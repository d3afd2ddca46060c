//! What a schedule or rule says, as plain comparable data. The desired side
//! is built from the manifest, the live side from AWS's answers; a plan is
//! the field-by-field difference.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::desired::{DesiredJob, Resource};
use crate::render::{description, run_task_target, state};
use crate::task::{Casing, RunTask, TaskOverrides};

/// EventBridge's retry policy when none is given: 185 attempts over 24 h.
///
/// ```
/// use cronport::plan::{DEFAULT_RETRY, ScheduleSpec};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// // No retry_policy in the manifest: the spec holds what AWS will report.
/// let job = &desired.jobs[0];
/// assert_eq!(ScheduleSpec::desired(job, &job.resources[0]).retry, DEFAULT_RETRY);
/// assert_eq!(DEFAULT_RETRY.maximum_retry_attempts, 185);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const DEFAULT_RETRY: RetrySpec = RetrySpec {
    maximum_retry_attempts: 185,
    maximum_event_age_in_seconds: 86_400,
};

/// A retry policy with defaults filled in.
///
/// ```
/// use cronport::plan::{RetrySpec, ScheduleSpec};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let text = text.replace("[defaults]\n", "[defaults]\nretry_policy = { maximum_retry_attempts = 3 }\n");
/// # let m = cronport::manifest::Manifest::from_toml(&text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let job = &desired.jobs[0]; // daily
/// let retry = ScheduleSpec::desired(job, &job.resources[0]).retry;
/// assert_eq!(retry, RetrySpec { maximum_retry_attempts: 3, maximum_event_age_in_seconds: 86_400 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RetrySpec {
    /// Attempts.
    pub maximum_retry_attempts: u32,
    /// Event age in seconds.
    pub maximum_event_age_in_seconds: u32,
}

/// An EventBridge Scheduler schedule.
///
/// ```
/// use cronport::{plan::ScheduleSpec, render::RUN_TASK_TARGET};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let job = &desired.jobs[0];
/// let spec = ScheduleSpec::desired(job, &job.resources[0]);
/// assert_eq!((spec.expression.as_str(), spec.timezone.as_str()), ("cron(30 14 * * ? *)", "UTC"));
/// assert_eq!(spec.target_arn, RUN_TASK_TARGET);
/// assert_eq!(spec.input["Cluster"], "production");
/// assert_eq!(spec.input_casing.to_string(), "PascalCase");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleSpec {
    /// Name.
    pub name: String,
    /// Schedule group.
    pub group: String,
    /// `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// `ScheduleExpressionTimezone`.
    pub timezone: String,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// Description (carries the ownership marker).
    pub description: String,
    /// Target ARN (the RunTask universal target).
    pub target_arn: String,
    /// Role ARN.
    pub role_arn: String,
    /// The target input, parsed (key order does not matter); a RunTask
    /// request read in either casing is held in PascalCase, so that a
    /// casing difference shows as `input_casing` alone.
    pub input: Value,
    /// How the input's member names were spelled: `PascalCase` (what the
    /// universal target takes), `camelCase` (what cronport 0.1 wrote, and
    /// AWS refuses), or why it is not a RunTask request cronport reads.
    pub input_casing: InputCasing,
    /// `StartDate`: a rate's phase, or a hold until a cutover instant.
    pub start_date: Option<jiff::Timestamp>,
    /// The flexible time window in minutes; `None` when `OFF`.
    pub flexible_window_minutes: Option<u32>,
    /// Retry policy.
    pub retry: RetrySpec,
    /// Dead-letter queue ARN.
    pub dead_letter_queue: Option<String>,
}

/// A universal target's input as a plan compares it: a RunTask request in
/// either casing becomes PascalCase, and the casing seen is named.
///
/// ```
/// let camel = serde_json::json!({"cluster": "c", "taskDefinition": "t", "overrides": {"containerOverrides": [{"name": "w", "command": ["x"]}]}});
/// let (input, casing) = cronport::plan::normalize_run_task_input(camel);
/// assert_eq!((input["TaskDefinition"].as_str(), casing.to_string().as_str()), (Some("t"), "camelCase"));
/// ```
pub fn normalize_run_task_input(input: Value) -> (Value, InputCasing) {
    match RunTask::from_json(&input) {
        Ok((run, casing)) => (run.to_json(Casing::Pascal), InputCasing::Read(casing)),
        Err(why) => (input, InputCasing::Unread(why.to_string())),
    }
}

/// How a target's input spelled its member names, as read: a casing, or
/// why it is not a request cronport reads. Compared as a value; shown (and
/// serialised) as `PascalCase`, `camelCase` or `unread: WHY`.
///
/// ```
/// use cronport::{plan::InputCasing, task::Casing};
/// assert_eq!(InputCasing::Read(Casing::Camel).to_string(), "camelCase");
/// assert_eq!(InputCasing::Unread("not JSON".into()).to_string(), "unread: not JSON");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputCasing {
    /// Read, in this casing.
    Read(Casing),
    /// Not a request cronport reads, and why.
    Unread(String),
}

impl std::fmt::Display for InputCasing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputCasing::Read(casing) => write!(f, "{casing}"),
            InputCasing::Unread(why) => write!(f, "unread: {why}"),
        }
    }
}

impl Serialize for InputCasing {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A rule target's input (RunTask overrides) as a plan compares it: held
/// in camelCase, with the casing seen named.
///
/// ```
/// let pascal = serde_json::json!({"ContainerOverrides": [{"Name": "w", "Command": ["x"]}]});
/// let (input, casing) = cronport::plan::normalize_overrides_input(pascal);
/// assert_eq!((input["containerOverrides"][0]["name"].as_str(), casing.to_string().as_str()), (Some("w"), "PascalCase"));
/// ```
pub fn normalize_overrides_input(input: Value) -> (Value, InputCasing) {
    match TaskOverrides::from_json(&input) {
        Ok((overrides, casing)) => (overrides.to_json(Casing::Camel), InputCasing::Read(casing)),
        Err(why) => (input, InputCasing::Unread(why.to_string())),
    }
}

/// An EventBridge rule and its ECS target.
///
/// ```
/// use cronport::plan::RuleSpec;
/// # let text = r#"
/// # [defaults]
/// # cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/production"
/// # task_definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/app-worker"
/// # container = "worker"
/// # role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
/// # subnets = ["subnet-0a1b2c3d"]
/// # backend = "rules"
/// # [[job]]
/// # name = "reports"
/// # schedule = "every day at 14:30"
/// # command = "bundle exec rake reports:daily"
/// # size = "performance-m"
/// # timeout = "24h"
/// # [[job]]
/// # name = "fan-out"
/// # schedule = "every 10 minutes"
/// # command = "bundle exec rake push:fan_out"
/// # "#;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// // With backend = "rules", each resource is a rule with an ECS target.
/// let job = &desired.jobs[0];
/// let rule = RuleSpec::desired(job, &job.resources[0]);
/// assert_eq!(rule.expression, "cron(30 14 * * ? *)");
/// assert_eq!(rule.target_id, "cronport");
/// assert_eq!(rule.launch_type.as_deref(), Some("FARGATE"));
/// assert_eq!(rule.tags["managed-by"], "cronport");
/// assert_eq!(rule.input["containerOverrides"][0]["name"], "worker");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSpec {
    /// Name.
    pub name: String,
    /// `cron(...)` or `rate(...)`, UTC.
    pub expression: String,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// Description.
    pub description: String,
    /// The target's ID.
    pub target_id: String,
    /// Cluster ARN.
    pub cluster: String,
    /// Role ARN.
    pub role_arn: String,
    /// Overrides input, parsed (held in camelCase, ECS's wire names).
    pub input: Value,
    /// How the input's member names were spelled (`camelCase` is right).
    pub input_casing: InputCasing,
    /// Task definition ARN.
    pub task_definition: String,
    /// Tasks per run.
    pub task_count: u32,
    /// Launch type.
    pub launch_type: Option<String>,
    /// Platform version.
    pub platform_version: Option<String>,
    /// Subnets.
    pub subnets: Vec<String>,
    /// Security groups.
    pub security_groups: Vec<String>,
    /// `ENABLED` or `DISABLED` (when subnets are set).
    pub assign_public_ip: Option<String>,
    /// Capacity providers: (name, weight, base).
    pub capacity_providers: Vec<(String, u32, u32)>,
    /// The task group (the owner record, for `cronport verify`).
    pub group: Option<String>,
    /// Retry policy.
    pub retry: RetrySpec,
    /// Dead-letter queue ARN.
    pub dead_letter_queue: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

fn retry_of(job: &DesiredJob) -> RetrySpec {
    let given = job.job.target.retry_policy.unwrap_or_default();
    RetrySpec {
        maximum_retry_attempts: given
            .maximum_retry_attempts
            .unwrap_or(DEFAULT_RETRY.maximum_retry_attempts),
        maximum_event_age_in_seconds: given
            .maximum_event_age_in_seconds
            .unwrap_or(DEFAULT_RETRY.maximum_event_age_in_seconds),
    }
}

impl ScheduleSpec {
    /// The schedule `resource` of `job` should be.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// let job = &desired.jobs[0];
    /// let spec = cronport::plan::ScheduleSpec::desired(job, &job.resources[0]);
    /// assert_eq!(spec.name, "cronport-reports");
    /// assert_eq!(spec.state, "ENABLED");
    /// assert!(spec.has_marker());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn desired(job: &DesiredJob, resource: &Resource) -> ScheduleSpec {
        let t = &job.job.target;
        ScheduleSpec {
            name: resource.name.clone(),
            group: t.schedule_group.clone(),
            expression: resource.expression.clone(),
            timezone: resource.timezone.clone(),
            state: state(job).to_string(),
            description: description(job),
            target_arn: run_task_target(&t.role_arn),
            role_arn: t.role_arn.clone(),
            input: job.run_task.to_json(Casing::Pascal),
            input_casing: InputCasing::Read(Casing::Pascal),
            start_date: resource.start_date,
            flexible_window_minutes: t.flexible_time_window,
            retry: retry_of(job),
            dead_letter_queue: t.dead_letter_queue.clone(),
        }
    }

    /// Whether a live schedule carries cronport's marker.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// # let job = &desired.jobs[0];
    /// let mut spec = cronport::plan::ScheduleSpec::desired(job, &job.resources[0]);
    /// assert!(spec.description.starts_with("managed-by=cronport"));
    /// spec.description = "made by hand".into(); // someone else's schedule
    /// assert!(!spec.has_marker());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has_marker(&self) -> bool {
        self.description.starts_with("managed-by=cronport")
    }
}

impl RuleSpec {
    /// The rule `resource` of `job` should be.
    ///
    /// ```
    /// # let text = r#"
    /// # [defaults]
    /// # cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/production"
    /// # task_definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/app-worker"
    /// # container = "worker"
    /// # role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
    /// # subnets = ["subnet-0a1b2c3d"]
    /// # backend = "rules"
    /// # [[job]]
    /// # name = "reports"
    /// # schedule = "every day at 14:30"
    /// # command = "bundle exec rake reports:daily"
    /// # size = "performance-m"
    /// # timeout = "24h"
    /// # [[job]]
    /// # name = "fan-out"
    /// # schedule = "every 10 minutes"
    /// # command = "bundle exec rake push:fan_out"
    /// # "#;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// let job = &desired.jobs[1]; // every 10 minutes
    /// let rule = cronport::plan::RuleSpec::desired(job, &job.resources[0]);
    /// assert_eq!(rule.expression, "cron(0/10 * * * ? *)");
    /// assert_eq!(rule.assign_public_ip.as_deref(), Some("DISABLED"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn desired(job: &DesiredJob, resource: &Resource) -> RuleSpec {
        let t = &job.job.target;
        let run = &job.run_task;
        RuleSpec {
            name: resource.name.clone(),
            expression: resource.expression.clone(),
            state: state(job).to_string(),
            description: description(job),
            target_id: "cronport".to_string(),
            cluster: t.cluster.clone(),
            role_arn: t.role_arn.clone(),
            input: run.overrides.to_json(Casing::Camel),
            input_casing: InputCasing::Read(Casing::Camel),
            task_definition: run.task_definition.clone(),
            task_count: run.count,
            launch_type: run.launch_type.map(|l| l.as_str().to_string()),
            platform_version: run.platform_version.clone(),
            subnets: run
                .network
                .as_ref()
                .map(|n| n.subnets.clone())
                .unwrap_or_default(),
            security_groups: run
                .network
                .as_ref()
                .map(|n| n.security_groups.clone())
                .unwrap_or_default(),
            assign_public_ip: run.network.as_ref().map(|n| {
                if n.assign_public_ip {
                    "ENABLED"
                } else {
                    "DISABLED"
                }
                .to_string()
            }),
            capacity_providers: run
                .capacity_provider_strategy
                .iter()
                .map(|c| {
                    (
                        c.capacity_provider.clone(),
                        c.weight.unwrap_or(0),
                        c.base.unwrap_or(0),
                    )
                })
                .collect(),
            group: run.group.clone(),
            retry: retry_of(job),
            dead_letter_queue: t.dead_letter_queue.clone(),
            tags: crate::render::rule_tags(job),
        }
    }
}

/// One field that differs: its name and both values, as text.
///
/// ```
/// let live = serde_json::json!({"state": "DISABLED"});
/// let desired = serde_json::json!({"state": "ENABLED"});
/// let change = &cronport::plan::differences(&live, &desired)?[0];
/// assert_eq!((change.field.as_str(), change.before.as_str(), change.after.as_str()), ("state", "DISABLED", "ENABLED"));
/// # Ok::<(), cronport::plan::DifferenceError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Field name, dotted for nested fields.
    pub field: String,
    /// The live value.
    pub before: String,
    /// The desired value.
    pub after: String,
}

/// A spec that could not be read as JSON to compare it: never "unchanged".
///
/// ```
/// use std::collections::BTreeMap;
/// // JSON object keys must be strings: this map cannot be compared.
/// let odd: BTreeMap<(u8, u8), u8> = BTreeMap::from([((1, 2), 3)]);
/// let err = cronport::plan::differences(&odd, &odd).unwrap_err();
/// assert!(err.to_string().starts_with("cannot compare"));
/// ```
#[derive(Debug, thiserror::Error)]
#[error("cannot compare the live state with the desired one: {0}")]
pub struct DifferenceError(#[from] serde_json::Error);

/// The fields in which `live` and `desired` differ.
///
/// ```
/// let live = serde_json::json!({"expression": "cron(0 9 * * ? *)", "input": {"count": 1}});
/// let desired = serde_json::json!({"expression": "cron(0 10 * * ? *)", "input": {"count": 1}});
/// let changes = cronport::plan::differences(&live, &desired)?;
/// assert_eq!(changes.len(), 1);
/// assert_eq!((changes[0].field.as_str(), changes[0].after.as_str()), ("expression", "cron(0 10 * * ? *)"));
/// # Ok::<(), cronport::plan::DifferenceError>(())
/// ```
pub fn differences<T: Serialize>(
    live: &T,
    desired: &T,
) -> Result<Vec<FieldChange>, DifferenceError> {
    let mut live = serde_json::to_value(live)?;
    let mut desired = serde_json::to_value(desired)?;
    let mut out = Vec::new();
    // A target's input (a RunTask request, or a rule's overrides) is shown
    // field by field as a person reads it (`command: … → …`, `size: …`),
    // never as one changed JSON blob.
    if let (Some(before), Some(after)) = (task_fields(&live), task_fields(&desired)) {
        for ((field, b), (_, a)) in before.iter().zip(&after) {
            if b != a {
                out.push(FieldChange {
                    field: field.to_string(),
                    before: b.clone(),
                    after: a.clone(),
                });
            }
        }
        for v in [&mut live, &mut desired] {
            if let Some(o) = v.as_object_mut() {
                o.remove("input");
            }
        }
    }
    walk("", &live, &desired, &mut out);
    Ok(out)
}

/// A spec's input, read as the task it starts, one readable field each:
/// `None` when there is none, or it is not a request cronport reads.
fn task_fields(spec: &Value) -> Option<Vec<(&'static str, String)>> {
    let input = spec.get("input")?;
    let (run, overrides) = match RunTask::from_json(input) {
        Ok((run, _)) => {
            let overrides = run.overrides.clone();
            (Some(run), overrides)
        }
        Err(_) => (None, TaskOverrides::from_json(input).ok()?.0),
    };
    let c = &overrides.container;
    let command = match c.command.as_slice() {
        [sh, flag, script] if sh.starts_with("/bin/") && flag == "-c" => {
            format!("{sh} -c {script}")
        }
        words => shlex::try_join(words.iter().map(String::as_str)).unwrap_or_default(),
    };
    let environment = c
        .environment
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let size = match (overrides.cpu, overrides.memory) {
        (Some(cpu), Some(memory)) => format!("cpu {cpu} / memory {memory} MiB"),
        _ => "(the task definition's)".to_string(),
    };
    // The container's own limits, fitted to the size at plan time: a
    // request without them leaves the task definition's in force.
    let container_size = [
        c.cpu.map(|v| format!("cpu {v}")),
        c.memory.map(|v| format!("memory {v} MiB")),
        c.memory_reservation.map(|v| format!("reservation {v} MiB")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let container_size = if container_size.is_empty() {
        "(the task definition's)".to_string()
    } else {
        container_size.join(" / ")
    };
    let mut fields = vec![
        ("command", command),
        ("environment", environment),
        ("size", size),
        ("container", c.name.clone()),
        ("container size", container_size),
    ];
    if let Some(run) = run {
        let none = || "(none)".to_string();
        fields.extend([
            ("cluster", run.cluster),
            ("task definition", run.task_definition),
            ("task count", run.count.to_string()),
            (
                "launch type",
                run.launch_type
                    .map_or_else(none, |l| l.as_str().to_string()),
            ),
            (
                "capacity providers",
                run.capacity_provider_strategy
                    .iter()
                    .map(|p| {
                        format!(
                            "{} (weight {}, base {})",
                            p.capacity_provider,
                            p.weight.unwrap_or(0),
                            p.base.unwrap_or(0)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            (
                "platform version",
                run.platform_version.unwrap_or_else(none),
            ),
            (
                "network",
                run.network.map_or_else(none, |n| {
                    format!(
                        "subnets {}; security groups {}; public IP {}",
                        n.subnets.join(", "),
                        n.security_groups.join(", "),
                        if n.assign_public_ip { "yes" } else { "no" }
                    )
                }),
            ),
            ("started by", run.started_by.unwrap_or_else(none)),
            ("task group", run.group.unwrap_or_else(none)),
        ]);
    }
    Some(fields)
}

fn walk(path: &str, live: &Value, desired: &Value, out: &mut Vec<FieldChange>) {
    match (live, desired) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let field = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(
                    &field,
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (a, b) if a != b => out.push(FieldChange {
            field: path.to_string(),
            before: show(a),
            after: show(b),
        }),
        _ => {}
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
