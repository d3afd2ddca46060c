//! ecschedule's YAML config: EventBridge rules that run ECS tasks.
//!
//! ```yaml
//! region: us-east-1
//! cluster: api
//! role: arn:aws:iam::123456789012:role/ecsEventsRole
//! rules:
//! - name: nightly-report
//!   scheduleExpression: cron(30 14 * * ? *)
//!   taskDefinition: app-worker
//!   launch_type: FARGATE
//!   network_configuration:
//!     aws_vpc_configuration: { subnets: [subnet-0a1b2c3d], assign_public_ip: DISABLED }
//!   containerOverrides:
//!   - name: worker
//!     command: [rake, reports:daily]
//!     environment: { RAILS_ENV: production }
//! ```
//!
//! Expressions come back in their simplest spelling; what a manifest cannot
//! hold (ECS task groups, propagated tags, queue names without ARNs,
//! descriptions) is reported.

use serde_json::Value;

use super::{Defaults, ImportError, Imported, hoist_common_settings, manifest};
use crate::manifest::{CapacityProvider, Job};
use crate::syntax;
use crate::{Advice, Hint};

/// Reads an ecschedule config (YAML; JSON is YAML too).
///
/// ```
/// let yaml = "rules:\n- name: report\n  scheduleExpression: cron(30 14 * * ? *)\n  taskDefinition: app\n  containerOverrides:\n  - name: worker\n    command: [rake, reports:daily]\n";
/// let job = &cronport::import::ecschedule(yaml, &Default::default())?.manifest.jobs[0];
/// assert_eq!((job.schedule.as_str(), job.command.as_str()), ("every day at 14:30", "rake reports:daily"));
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
pub fn ecschedule(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    if text.contains("{{") {
        return Err(ImportError::new(
            "template",
            "the config holds ecschedule template expressions (`{{ … }}`); render them first and import the result",
        ));
    }
    super::check_document_size(text, "ecschedule config")?;
    super::check_nesting(text, 12, "ecschedule configs nest three or four levels")?;
    let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let at = e.location().map_or("YAML".to_string(), |l| {
            format!("line {} column {}", l.line(), l.column())
        });
        ImportError::new(at, format!("not valid YAML: {e}"))
    })?;
    let rules = doc
        .get("rules")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ImportError::new("rules", "the config holds no rules"))?;
    let top = |key: &str| doc.get(key).and_then(Value::as_str).map(str::to_string);
    let mut warnings = Vec::new();
    let mut defaults = defaults.clone();
    if defaults.cluster.is_none() {
        defaults.cluster = top("cluster");
    }
    let role_of =
        |role: Option<String>, warnings: &mut Vec<Advice>, what: &str| -> Option<String> {
            let role = role?;
            if role.starts_with("arn:") {
                Some(role)
            } else {
                warnings.push(Advice {
                    text: format!("{what}: role `{role}` is a name; cronport needs its ARN"),
                    hint: Some(Hint::RoleArn),
                });
                None
            }
        };
    if defaults.role_arn.is_none() {
        defaults.role_arn = role_of(top("role"), &mut warnings, "config");
    }
    let mut jobs = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let at = |key: &str| format!("rules[{i}].{key}");
        let text = |key: &str| rule.get(key).and_then(Value::as_str).map(str::to_string);
        let name = text("name").ok_or_else(|| ImportError::new(at("name"), "missing name"))?;
        let expression = text("scheduleExpression").ok_or_else(|| {
            ImportError::new(at("scheduleExpression"), "missing scheduleExpression")
        })?;
        syntax::aws::parse(&expression).map_err(|e| {
            ImportError::new(
                at("scheduleExpression"),
                format!("`{expression}`: {}", e.message),
            )
        })?;
        let overrides = rule
            .get("containerOverrides")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let [container] = overrides.as_slice() else {
            return Err(ImportError::new(
                at("containerOverrides"),
                format!(
                    "{} container overrides; cronport overrides exactly one container",
                    overrides.len()
                ),
            ));
        };
        let command = crate::task::command_text(container).ok_or_else(|| {
            ImportError::new(
                at("containerOverrides[0].command"),
                "no command; cronport runs a command",
            )
        })?;
        let mut job = Job {
            name,
            schedule: syntax::simplest_spelling(&expression, "UTC"),
            command,
            enabled: !rule
                .get("disabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            ..Job::default()
        };
        if let Some(env) = container.get("environment").and_then(Value::as_object) {
            for (k, v) in env {
                let value = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                job.environment.insert(k.clone(), value);
            }
        }
        let number = |v: Option<&Value>| {
            v.and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .map(|n| n as u32)
        };
        job.cpu = number(container.get("cpu"));
        job.memory = number(container.get("memory"));
        let s = &mut job.settings;
        s.container = container
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string);
        s.task_definition = text("taskDefinition");
        s.platform_version = text("platform_version");
        s.task_count = number(rule.get("taskCount")).filter(|n| *n != 1);
        s.role_arn = role_of(text("role"), &mut warnings, &format!("rule {}", job.name));
        s.launch_type = super::launch_type(text("launch_type").as_deref());
        if let Some(providers) = rule
            .get("capacityProviderStrategy")
            .and_then(Value::as_array)
        {
            s.capacity_provider_strategy = Some(
                providers
                    .iter()
                    .filter_map(|p| {
                        Some(CapacityProvider {
                            capacity_provider: p.get("capacityProvider")?.as_str()?.to_string(),
                            weight: number(p.get("weight")),
                            base: number(p.get("base")),
                        })
                    })
                    .collect(),
            );
            // The rule sets both; AWS lets a launch type or providers be set.
            s.launch_type = None;
        }
        if let Some(vpc) = rule
            .get("network_configuration")
            .and_then(|n| n.get("aws_vpc_configuration"))
        {
            super::awsvpc_settings(s, vpc, ["subnets", "security_groups", "assign_public_ip"]);
        }
        for (key, why) in [
            ("group", "an ECS task group"),
            ("propagateTags", "propagated tags"),
            ("description", "a description (cronport writes its own)"),
        ] {
            if rule.get(key).is_some() {
                warnings.push(Advice::from(format!(
                    "rule {}: `{key}` ({why}) is not carried over",
                    job.name
                )));
            }
        }
        if let Some(queue) = rule
            .get("dead_letter_config")
            .and_then(|d| d.get("sqs"))
            .and_then(Value::as_str)
        {
            if queue.starts_with("arn:") {
                job.settings.dead_letter_queue = Some(queue.to_string());
            } else {
                warnings.push(Advice::from(format!("rule {}: dead-letter queue `{queue}` is a name; set dead_letter_queue to its ARN", job.name)));
            }
        }
        jobs.push(job);
    }
    let mut m = manifest(&defaults, jobs);
    hoist_common_settings(&mut m);
    Ok(Imported {
        manifest: m,
        warnings,
    })
}
