//! Terraform configuration (HCL): `aws_scheduler_schedule_group`,
//! `aws_scheduler_schedule`, `aws_cloudwatch_event_rule` and
//! `aws_cloudwatch_event_target`.

use std::fmt::Write;

use super::{description, header_lines, rule_tags, run_task_target, state};
use crate::desired::{Desired, DesiredJob};
use crate::manifest::EcsTarget;
use crate::translate::Backend;

/// An HCL string literal: JSON escapes, plus `$${` and `%%{` so that
/// Terraform reads `${`/`%{` literally.
fn string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// A target's `input` as Terraform writes it: `jsonencode(…)`, readable
/// field by field; or, where `jsonencode`'s HTML escaping (`&` as `\u0026`,
/// six characters for one) would take the string the provider sees past
/// AWS's 8,192 characters, the JSON text itself as one string.
fn input(value: &serde_json::Value, indent: usize) -> String {
    let text = value.to_string();
    if jsonencoded_len(&text) > crate::desired::MAX_INPUT_LEN {
        string(&text)
    } else {
        format!("jsonencode({})", hcl(value, indent))
    }
}

/// The length of `json` as Terraform's `jsonencode` writes it: Go's
/// encoder escapes `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX`.
fn jsonencoded_len(json: &str) -> usize {
    json.chars()
        .map(|c| match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
            c => c.len_utf8(),
        })
        .sum()
}

/// A JSON value as an HCL expression, for `jsonencode(…)`: a reviewer of
/// the Terraform then sees a one-field change as one line, not as a change
/// to one long string.
pub(super) fn hcl(value: &serde_json::Value, indent: usize) -> String {
    use serde_json::Value;
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(map) => {
            let width = map.keys().map(|k| hcl_key(k).len()).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, v) in map {
                let key = hcl_key(k);
                let _ = writeln!(out, "{pad}  {key:<width$} = {}", hcl(v, indent + 2));
            }
            out.push_str(&pad);
            out.push('}');
            out
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => format!(
            "[{}]",
            items
                .iter()
                .map(|v| hcl(v, indent))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(items) => {
            let mut out = String::from("[\n");
            for v in items {
                let _ = writeln!(out, "{pad}  {},", hcl(v, indent + 2));
            }
            out.push_str(&pad);
            out.push(']');
            out
        }
        Value::String(text) => string(text),
        other => other.to_string(),
    }
}

/// An object key: bare when it is an HCL identifier, else quoted.
fn hcl_key(key: &str) -> String {
    let identifier = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if identifier {
        key.to_string()
    } else {
        string(key)
    }
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| string(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Resource labels handed out so far: AWS names that differ only in `.`
/// and `-` (`a.b`, `a-b`) would otherwise share one label, which Terraform
/// refuses as a duplicate resource.
#[derive(Default)]
struct Labels(std::collections::BTreeSet<String>);

impl Labels {
    /// A label for `name` unique among `kind`'s resources: the name's
    /// identifier, or with `_2`, `_3`… after it when that is taken.
    fn take(&mut self, kind: &str, name: &str) -> String {
        let base = ident(name);
        let mut label = base.clone();
        let mut n = 1;
        while !self.0.insert(format!("{kind}.{label}")) {
            n += 1;
            label = format!("{base}_{n}");
        }
        label
    }
}

/// The AWS provider release whose attributes the output uses: `state` on
/// `aws_cloudwatch_event_rule` arrived in 5.27.
const AWS_PROVIDER_VERSION: &str = ">= 5.27";

/// A Terraform resource name from an AWS name.
fn ident(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

fn retry_and_dlq(out: &mut String, t: &EcsTarget, indent: &str) {
    if let Some(retry) = t.retry_policy {
        let _ = writeln!(out, "{indent}retry_policy {{");
        if let Some(n) = retry.maximum_event_age_in_seconds {
            let _ = writeln!(out, "{indent}  maximum_event_age_in_seconds = {n}");
        }
        if let Some(n) = retry.maximum_retry_attempts {
            let _ = writeln!(out, "{indent}  maximum_retry_attempts       = {n}");
        }
        let _ = writeln!(out, "{indent}}}");
    }
    if let Some(dlq) = &t.dead_letter_queue {
        let _ = writeln!(
            out,
            "{indent}dead_letter_config {{\n{indent}  arn = {}\n{indent}}}",
            string(dlq)
        );
    }
}

fn tags(out: &mut String, tags: &std::collections::BTreeMap<String, String>) {
    let _ = writeln!(out, "  tags = {{");
    for (k, v) in tags {
        let _ = writeln!(out, "    {} = {}", string(k), string(v));
    }
    let _ = writeln!(out, "  }}");
}

/// Role ARN → the Terraform expression that names it: a role rendered in
/// the same configuration is referenced (`aws_iam_role.LABEL.arn`), so
/// Terraform creates it first; any other is its ARN.
pub(super) type RoleRefs = std::collections::BTreeMap<String, String>;

fn role(refs: &RoleRefs, arn: &str) -> String {
    refs.get(arn).cloned().unwrap_or_else(|| string(arn))
}

fn schedule(
    out: &mut String,
    job: &DesiredJob,
    groups: &[(String, String)],
    labels: &mut Labels,
    roles: &RoleRefs,
) {
    let t = &job.job.target;
    for r in &job.resources {
        let group = groups
            .iter()
            .find(|(g, _)| *g == t.schedule_group)
            .map_or_else(
                || string(&t.schedule_group),
                |(_, id)| format!("aws_scheduler_schedule_group.{id}.name"),
            );
        let label = labels.take("aws_scheduler_schedule", &r.name);
        let _ = writeln!(out, "resource \"aws_scheduler_schedule\" \"{label}\" {{");
        let _ = writeln!(out, "  name                         = {}", string(&r.name));
        let _ = writeln!(out, "  group_name                   = {group}");
        let _ = writeln!(
            out,
            "  schedule_expression          = {}",
            string(&r.expression)
        );
        let _ = writeln!(
            out,
            "  schedule_expression_timezone = {}",
            string(&r.timezone)
        );
        let _ = writeln!(
            out,
            "  state                        = {}",
            string(state(job))
        );
        let _ = writeln!(
            out,
            "  description                  = {}",
            string(&description(job))
        );
        if let Some(start) = r.start_date {
            let _ = writeln!(
                out,
                "  start_date                   = {}",
                string(&start.to_string())
            );
        }
        match job.job.target.flexible_time_window {
            Some(minutes) => {
                let _ = writeln!(
                    out,
                    "\n  flexible_time_window {{\n    mode                      = \"FLEXIBLE\"\n    maximum_window_in_minutes = {minutes}\n  }}\n"
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "\n  flexible_time_window {{\n    mode = \"OFF\"\n  }}\n"
                );
            }
        }
        let _ = writeln!(out, "  target {{");
        let _ = writeln!(
            out,
            "    arn      = {}",
            string(&run_task_target(&t.role_arn))
        );
        let _ = writeln!(out, "    role_arn = {}", role(roles, &t.role_arn));
        let input = job.run_task.to_json(crate::task::Casing::Pascal);
        let _ = writeln!(out, "    input    = {}", self::input(&input, 4));
        retry_and_dlq(out, t, "    ");
        let _ = writeln!(out, "  }}");
        // A rate's StartDate is only its phase, and each day's render
        // names a later instant of the same phase: not a change to make.
        if r.start_date.is_some() && job.held_until.is_none() && job.translation.keeps_rate() {
            let _ = writeln!(
                out,
                "\n  lifecycle {{\n    ignore_changes = [start_date]\n  }}"
            );
        }
        let _ = writeln!(out, "}}\n");
    }
}

fn rule(out: &mut String, job: &DesiredJob, labels: &mut Labels, roles: &RoleRefs) {
    let t = &job.job.target;
    let run = &job.run_task;
    for r in &job.resources {
        let id = labels.take("aws_cloudwatch_event_rule", &r.name);
        let _ = writeln!(out, "resource \"aws_cloudwatch_event_rule\" \"{id}\" {{");
        let _ = writeln!(out, "  name                = {}", string(&r.name));
        let _ = writeln!(out, "  schedule_expression = {}", string(&r.expression));
        let _ = writeln!(out, "  state               = {}", string(state(job)));
        let _ = writeln!(out, "  description         = {}", string(&description(job)));
        tags(out, &rule_tags(job));
        let _ = writeln!(out, "}}\n");
        let _ = writeln!(out, "resource \"aws_cloudwatch_event_target\" \"{id}\" {{");
        let _ = writeln!(out, "  rule      = aws_cloudwatch_event_rule.{id}.name");
        let _ = writeln!(out, "  target_id = \"cronport\"");
        let _ = writeln!(out, "  arn       = {}", string(&t.cluster));
        let _ = writeln!(out, "  role_arn  = {}", role(roles, &t.role_arn));
        let input = job.run_task.overrides.to_json(crate::task::Casing::Camel);
        let _ = writeln!(out, "  input     = {}", self::input(&input, 2));
        let _ = writeln!(out, "\n  ecs_target {{");
        let _ = writeln!(
            out,
            "    task_definition_arn = {}",
            string(&run.task_definition)
        );
        let _ = writeln!(out, "    task_count          = {}", run.count);
        if let Some(launch) = run.launch_type {
            let _ = writeln!(out, "    launch_type         = {}", string(launch.as_str()));
        }
        if let Some(v) = &run.platform_version {
            let _ = writeln!(out, "    platform_version    = {}", string(v));
        }
        if let Some(group) = &run.group {
            let _ = writeln!(out, "    group               = {}", string(group));
        }
        for c in &run.capacity_provider_strategy {
            let _ = writeln!(
                out,
                "    capacity_provider_strategy {{\n      capacity_provider = {}\n      weight            = {}\n      base              = {}\n    }}",
                string(&c.capacity_provider),
                c.weight.unwrap_or(0),
                c.base.unwrap_or(0)
            );
        }
        if let Some(vpc) = &run.network {
            let _ = writeln!(out, "    network_configuration {{");
            let _ = writeln!(out, "      subnets          = {}", list(&vpc.subnets));
            let _ = writeln!(
                out,
                "      security_groups  = {}",
                list(&vpc.security_groups)
            );
            let _ = writeln!(out, "      assign_public_ip = {}", vpc.assign_public_ip);
            let _ = writeln!(out, "    }}");
        }
        let _ = writeln!(out, "  }}");
        retry_and_dlq(out, t, "  ");
        let _ = writeln!(out, "}}\n");
    }
}

pub(super) fn render(desired: &Desired, roles: &RoleRefs) -> String {
    let mut out = String::new();
    for line in header_lines(desired) {
        let _ = writeln!(out, "# {line}");
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "terraform {{\n  required_providers {{\n    aws = {{\n      source  = \"hashicorp/aws\"\n      version = \"{AWS_PROVIDER_VERSION}\"\n    }}\n  }}\n}}\n"
    );
    let mut labels = Labels::default();
    let mut groups = Vec::new();
    for (group, group_tags) in desired.schedule_groups() {
        let id = labels.take("aws_scheduler_schedule_group", &group);
        let _ = writeln!(out, "resource \"aws_scheduler_schedule_group\" \"{id}\" {{");
        let _ = writeln!(out, "  name = {}", string(&group));
        tags(&mut out, &group_tags);
        let _ = writeln!(out, "}}\n");
        groups.push((group, id));
    }
    for job in &desired.jobs {
        let _ = writeln!(out, "# job {}: {}", job.job.name, job.job.how_it_runs());
        match job.job.target.backend {
            Backend::Scheduler => schedule(&mut out, job, &groups, &mut labels, roles),
            Backend::Rules => rule(&mut out, job, &mut labels, roles),
        }
    }
    if let Some(record) = &desired.run_record {
        run_record(&mut out, record, &mut labels);
    }
    alerts(&mut out, desired, &mut labels);
    align(&out)
}

/// The run record: its log group (`skip_destroy`: the history outlives
/// the record), the policy that lets EventBridge write to it, the rule and
/// its target.
fn run_record(out: &mut String, record: &crate::desired::RunRecord, labels: &mut Labels) {
    let group = labels.take("aws_cloudwatch_log_group", &record.rule);
    let _ = writeln!(out, "# the run record, read by `cronport verify`");
    let _ = writeln!(out, "resource \"aws_cloudwatch_log_group\" \"{group}\" {{");
    let _ = writeln!(out, "  name              = {}", string(&record.log_group));
    let _ = writeln!(out, "  retention_in_days = {}", record.retention_days);
    let _ = writeln!(out, "  skip_destroy      = true");
    tags(out, &record.tags);
    let _ = writeln!(out, "}}\n");
    let policy = labels.take("aws_cloudwatch_log_resource_policy", &record.policy);
    // The resource is the log group's ARN, a reference: `hcl` writes
    // strings literally (`$${`), so a marker no string holds (a NUL) is
    // put in its place and the reference written over it.
    let marker = "\u{0}";
    let document = crate::desired::RunRecord::policy_document_for(marker);
    let document = hcl(&document, 2).replace(
        &string(&format!("{marker}:*")),
        &format!("\"${{aws_cloudwatch_log_group.{group}.arn}}:*\""),
    );
    let _ = writeln!(
        out,
        "resource \"aws_cloudwatch_log_resource_policy\" \"{policy}\" {{"
    );
    let _ = writeln!(out, "  policy_name     = {}", string(&record.policy));
    let _ = writeln!(out, "  policy_document = jsonencode({document})");
    let _ = writeln!(out, "}}\n");
    let rule = labels.take("aws_cloudwatch_event_rule", &record.rule);
    let _ = writeln!(out, "resource \"aws_cloudwatch_event_rule\" \"{rule}\" {{");
    let _ = writeln!(out, "  name          = {}", string(&record.rule));
    let _ = writeln!(
        out,
        "  description   = {}",
        string(&super::record_description(&record.tags, &record.log_group))
    );
    let _ = writeln!(
        out,
        "  event_pattern = jsonencode({})",
        hcl(&record.pattern(), 2)
    );
    tags(out, &record.tags);
    let _ = writeln!(
        out,
        "  depends_on    = [aws_cloudwatch_log_resource_policy.{policy}]"
    );
    let _ = writeln!(out, "}}\n");
    let target = labels.take("aws_cloudwatch_event_target", &record.rule);
    let _ = writeln!(
        out,
        "resource \"aws_cloudwatch_event_target\" \"{target}\" {{"
    );
    let _ = writeln!(out, "  rule      = aws_cloudwatch_event_rule.{rule}.name");
    let _ = writeln!(out, "  target_id = {}", string(super::RECORD_TARGET));
    let _ = writeln!(out, "  arn       = aws_cloudwatch_log_group.{group}.arn");
    let _ = writeln!(out, "}}\n");
}

/// The alert rules with their targets (the topics are the team's:
/// referenced, never made), and the alarms on failed invocations.
fn alerts(out: &mut String, desired: &crate::desired::Desired, labels: &mut Labels) {
    for alert in &desired.alerts {
        let rule = labels.take("aws_cloudwatch_event_rule", &alert.rule);
        let _ = writeln!(out, "# failed runs told to {}", alert.topic);
        let _ = writeln!(out, "resource \"aws_cloudwatch_event_rule\" \"{rule}\" {{");
        let _ = writeln!(out, "  name = {}", string(&alert.rule));
        let _ = writeln!(
            out,
            "  description = {}",
            string(&super::alert_description(&alert.tags, &alert.topic))
        );
        let _ = writeln!(
            out,
            "  event_pattern = jsonencode({})",
            hcl(&alert.pattern(), 2)
        );
        tags(out, &alert.tags);
        let _ = writeln!(out, "}}\n");
        let target = labels.take("aws_cloudwatch_event_target", &alert.rule);
        let _ = writeln!(
            out,
            "resource \"aws_cloudwatch_event_target\" \"{target}\" {{"
        );
        let _ = writeln!(out, "  rule = aws_cloudwatch_event_rule.{rule}.name");
        let _ = writeln!(out, "  target_id = {}", string(super::ALERT_TARGET));
        let _ = writeln!(out, "  arn = {}", string(&alert.topic));
        let _ = writeln!(out, "  input_transformer {{");
        let paths = serde_json::to_value(crate::desired::AlertRule::input_paths())
            .expect("a map of strings serialises");
        let _ = writeln!(out, "    input_paths = {}", hcl(&paths, 4));
        let _ = writeln!(
            out,
            "    input_template = {}",
            string(&crate::desired::AlertRule::input_template())
        );
        let _ = writeln!(out, "  }}");
        let _ = writeln!(out, "}}\n");
    }
    for alarm in desired.alarms() {
        let label = labels.take("aws_cloudwatch_metric_alarm", &alarm.name);
        let _ = writeln!(
            out,
            "resource \"aws_cloudwatch_metric_alarm\" \"{label}\" {{"
        );
        let _ = writeln!(out, "  alarm_name = {}", string(&alarm.name));
        let _ = writeln!(
            out,
            "  alarm_description = {}",
            string(&super::alarm_description(&alarm))
        );
        let _ = writeln!(out, "  namespace = {}", string(alarm.namespace));
        let _ = writeln!(out, "  metric_name = {}", string(alarm.metric));
        let _ = writeln!(
            out,
            "  dimensions = {{ {} = {} }}",
            alarm.dimension.0,
            string(&alarm.dimension.1)
        );
        let _ = writeln!(out, "  statistic = \"Sum\"");
        let _ = writeln!(out, "  period = 300");
        let _ = writeln!(out, "  evaluation_periods = 1");
        let _ = writeln!(out, "  threshold = 0");
        let _ = writeln!(out, "  comparison_operator = \"GreaterThanThreshold\"");
        let _ = writeln!(out, "  treat_missing_data = \"notBreaching\"");
        let _ = writeln!(out, "  alarm_actions = {}", list(&alarm.topics));
        if let Some(alert) = desired.alerts.first() {
            tags(out, &alert.tags);
        }
        let _ = writeln!(out, "}}\n");
    }
}

/// `text` with its attributes' `=` aligned as `terraform fmt` aligns them,
/// so a team's `terraform fmt -check` passes on what cronport writes: in a
/// run of consecutive one-line attributes at one depth, keys are padded to
/// the longest; an attribute whose value spans lines gets one space and
/// ends the run (so does any other line).
pub(super) fn align(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // The run being gathered: (indent, key, value).
    let mut run: Vec<(&str, &str, &str)> = Vec::new();
    let flush = |run: &mut Vec<(&str, &str, &str)>, out: &mut String| {
        let width = run
            .iter()
            .map(|(_, k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (indent, key, value) in run.drain(..) {
            let pad = width - key.chars().count();
            let _ = writeln!(out, "{indent}{key}{} = {value}", " ".repeat(pad));
        }
    };
    for line in text.lines() {
        match attribute(line) {
            Some((indent, key, value)) if opens(value) == 0 => {
                if run.first().is_some_and(|(i, _, _)| *i != indent) {
                    flush(&mut run, &mut out);
                }
                run.push((indent, key, value));
            }
            Some((indent, key, value)) => {
                flush(&mut run, &mut out);
                let _ = writeln!(out, "{indent}{key} = {value}");
            }
            None => {
                flush(&mut run, &mut out);
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    flush(&mut run, &mut out);
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

/// `indent`, `key` and `value` of an attribute line `key = value` (the key
/// an identifier or a quoted string), else `None`.
fn attribute(line: &str) -> Option<(&str, &str, &str)> {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let key_len = if let Some(quoted) = body.strip_prefix('"') {
        let mut escaped = false;
        quoted.char_indices().find_map(|(i, c)| match c {
            _ if escaped => {
                escaped = false;
                None
            }
            '\\' => {
                escaped = true;
                None
            }
            '"' => Some(i + 2),
            _ => None,
        })?
    } else {
        body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))?
    };
    if key_len == 0 || body.starts_with('#') {
        return None;
    }
    let (key, rest) = body.split_at(key_len);
    let rest = rest.trim_start();
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') {
        return None;
    }
    Some((indent, key, value.trim_start()))
}

/// How many brackets `value` leaves open (outside string literals): more
/// than zero when the value goes on over the next lines.
fn opens(value: &str) -> i32 {
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    for c in value.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' | '[' | '(' if !in_string => depth += 1,
            '}' | ']' | ')' if !in_string => depth -= 1,
            _ => {}
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_runs_of_one_line_attributes_as_terraform_fmt_does() {
        let text = "  arn = 1\n  role_arn = 2\n  input = jsonencode({\n    A = 1\n    Bb = \"x = {\"\n  })\n  \"a b\" = 3\n  c = 4\n";
        assert_eq!(
            super::align(text),
            "  arn      = 1\n  role_arn = 2\n  input = jsonencode({\n    A  = 1\n    Bb = \"x = {\"\n  })\n  \"a b\" = 3\n  c     = 4\n"
        );
    }
}
