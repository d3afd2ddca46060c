//! Terraform configuration (HCL): `aws_scheduler_schedule_group`,
//! `aws_scheduler_schedule`, `aws_cloudwatch_event_rule` and
//! `aws_cloudwatch_event_target`.

use std::fmt::Write;

use super::{
    RUN_TASK_TARGET, description, header_lines, launch_type, overrides, run_task_request,
    schedule_groups, state,
};
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

fn tags(out: &mut String, t: &EcsTarget) {
    let _ = writeln!(out, "  tags = {{");
    for (k, v) in &t.tags {
        let _ = writeln!(out, "    {} = {}", string(k), string(v));
    }
    let _ = writeln!(out, "  }}");
}

fn schedule(out: &mut String, job: &DesiredJob, groups: &[(String, String)]) {
    let t = &job.job.target;
    for r in &job.resources {
        let group = groups
            .iter()
            .find(|(g, _)| *g == t.schedule_group)
            .map_or_else(
                || string(&t.schedule_group),
                |(_, id)| format!("aws_scheduler_schedule_group.{id}.name"),
            );
        let _ = writeln!(
            out,
            "resource \"aws_scheduler_schedule\" \"{}\" {{",
            ident(&r.name)
        );
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
        let _ = writeln!(
            out,
            "\n  flexible_time_window {{\n    mode = \"OFF\"\n  }}\n"
        );
        let _ = writeln!(out, "  target {{");
        let _ = writeln!(out, "    arn      = {}", string(RUN_TASK_TARGET));
        let _ = writeln!(out, "    role_arn = {}", string(&t.role_arn));
        let _ = writeln!(
            out,
            "    input    = {}",
            string(&run_task_request(&job.job).to_string())
        );
        retry_and_dlq(out, t, "    ");
        let _ = writeln!(out, "  }}\n}}\n");
    }
}

fn rule(out: &mut String, job: &DesiredJob) {
    let t = &job.job.target;
    for r in &job.resources {
        let id = ident(&r.name);
        let _ = writeln!(out, "resource \"aws_cloudwatch_event_rule\" \"{id}\" {{");
        let _ = writeln!(out, "  name                = {}", string(&r.name));
        let _ = writeln!(out, "  schedule_expression = {}", string(&r.expression));
        let _ = writeln!(out, "  state               = {}", string(state(job)));
        let _ = writeln!(out, "  description         = {}", string(&description(job)));
        tags(out, t);
        let _ = writeln!(out, "}}\n");
        let _ = writeln!(out, "resource \"aws_cloudwatch_event_target\" \"{id}\" {{");
        let _ = writeln!(out, "  rule      = aws_cloudwatch_event_rule.{id}.name");
        let _ = writeln!(out, "  target_id = \"cronport\"");
        let _ = writeln!(out, "  arn       = {}", string(&t.cluster));
        let _ = writeln!(out, "  role_arn  = {}", string(&t.role_arn));
        let _ = writeln!(
            out,
            "  input     = {}",
            string(&overrides(&job.job).to_string())
        );
        let _ = writeln!(out, "\n  ecs_target {{");
        let _ = writeln!(
            out,
            "    task_definition_arn = {}",
            string(&t.task_definition)
        );
        let _ = writeln!(out, "    task_count          = {}", t.task_count);
        if let Some(launch) = t.launch_type {
            let _ = writeln!(
                out,
                "    launch_type         = {}",
                string(launch_type(launch))
            );
        }
        if let Some(v) = &t.platform_version {
            let _ = writeln!(out, "    platform_version    = {}", string(v));
        }
        for c in &t.capacity_provider_strategy {
            let _ = writeln!(
                out,
                "    capacity_provider_strategy {{\n      capacity_provider = {}\n      weight            = {}\n      base              = {}\n    }}",
                string(&c.capacity_provider),
                c.weight.unwrap_or(0),
                c.base.unwrap_or(0)
            );
        }
        if !t.subnets.is_empty() {
            let _ = writeln!(out, "    network_configuration {{");
            let _ = writeln!(out, "      subnets          = {}", list(&t.subnets));
            let _ = writeln!(out, "      security_groups  = {}", list(&t.security_groups));
            let _ = writeln!(out, "      assign_public_ip = {}", t.assign_public_ip);
            let _ = writeln!(out, "    }}");
        }
        let _ = writeln!(out, "  }}");
        retry_and_dlq(out, t, "  ");
        let _ = writeln!(out, "}}\n");
    }
}

pub(super) fn render(desired: &Desired) -> String {
    let mut out = String::new();
    for line in header_lines(desired) {
        let _ = writeln!(out, "# {line}");
    }
    out.push('\n');
    let mut groups = Vec::new();
    for (group, target) in schedule_groups(desired) {
        let id = ident(&group);
        let _ = writeln!(out, "resource \"aws_scheduler_schedule_group\" \"{id}\" {{");
        let _ = writeln!(out, "  name = {}", string(&group));
        tags(&mut out, target);
        let _ = writeln!(out, "}}\n");
        groups.push((group, id));
    }
    for job in &desired.jobs {
        let _ = writeln!(
            out,
            "# job {}: {}",
            job.job.name,
            job.job.command.explanation()
        );
        match job.job.target.backend {
            Backend::Scheduler => schedule(&mut out, job, &groups),
            Backend::Rules => rule(&mut out, job),
        }
    }
    out
}
