//! An AWS CloudFormation template (JSON): `AWS::Scheduler::ScheduleGroup`,
//! `AWS::Scheduler::Schedule`, `AWS::Events::Rule`.

use serde_json::{Map, Value, json};

use super::{
    RUN_TASK_TARGET, add_retry_and_dead_letter, awsvpc, description, header_lines, launch_type,
    overrides, run_task_request, schedule_groups, state,
};
use crate::desired::Desired;
use crate::translate::Backend;

/// A CloudFormation logical ID from an AWS name: alphanumerics only.
fn logical_id(prefix: &str, name: &str, taken: &Map<String, Value>) -> String {
    let mut id = prefix.to_string();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    let base = id.clone();
    let mut n = 1;
    while taken.contains_key(&id) {
        n += 1;
        id = format!("{base}{n}");
    }
    id
}

pub(super) fn render(desired: &Desired) -> String {
    let mut resources = Map::new();
    let mut group_ids = Vec::new();
    for (group, target) in schedule_groups(desired) {
        let id = logical_id("Group", &group, &resources);
        let tags: Vec<Value> = target
            .tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        resources.insert(id.clone(), json!({"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": group, "Tags": tags}}));
        group_ids.push((group, id));
    }
    for job in &desired.jobs {
        let t = &job.job.target;
        for resource in &job.resources {
            let state = state(job);
            match t.backend {
                Backend::Scheduler => {
                    let group = group_ids
                        .iter()
                        .find(|(g, _)| *g == t.schedule_group)
                        .map_or_else(|| json!(t.schedule_group), |(_, id)| json!({"Ref": id}));
                    let mut target = json!({"Arn": RUN_TASK_TARGET, "RoleArn": t.role_arn, "Input": run_task_request(&job.job).to_string()});
                    add_retry_and_dead_letter(&mut target, t);
                    let id = logical_id("Schedule", &resource.name, &resources);
                    resources.insert(
                        id,
                        json!({
                            "Type": "AWS::Scheduler::Schedule",
                            "Properties": {
                                "Name": resource.name,
                                "GroupName": group,
                                "ScheduleExpression": resource.expression,
                                "ScheduleExpressionTimezone": resource.timezone,
                                "Description": description(job),
                                "State": state,
                                "FlexibleTimeWindow": {"Mode": "OFF"},
                                "Target": target,
                            }
                        }),
                    );
                }
                Backend::Rules => {
                    let mut ecs =
                        json!({"TaskDefinitionArn": t.task_definition, "TaskCount": t.task_count});
                    if let Some(launch) = t.launch_type {
                        ecs["LaunchType"] = json!(launch_type(launch));
                    }
                    if let Some(v) = &t.platform_version {
                        ecs["PlatformVersion"] = json!(v);
                    }
                    if !t.capacity_provider_strategy.is_empty() {
                        ecs["CapacityProviderStrategy"] = t
                            .capacity_provider_strategy
                            .iter()
                            .map(|c| json!({"CapacityProvider": c.capacity_provider, "Weight": c.weight.unwrap_or(0), "Base": c.base.unwrap_or(0)}))
                            .collect();
                    }
                    if !t.subnets.is_empty() {
                        ecs["NetworkConfiguration"] = json!({"AwsVpcConfiguration": awsvpc(t, "Subnets", "SecurityGroups", "AssignPublicIp")});
                    }
                    let mut target = json!({"Id": "cronport", "Arn": t.cluster, "RoleArn": t.role_arn, "Input": overrides(&job.job).to_string(), "EcsParameters": ecs});
                    add_retry_and_dead_letter(&mut target, t);
                    let id = logical_id("Rule", &resource.name, &resources);
                    resources.insert(
                        id,
                        json!({
                            "Type": "AWS::Events::Rule",
                            "Properties": {
                                "Name": resource.name,
                                "ScheduleExpression": resource.expression,
                                "State": state,
                                "Description": description(job),
                                "Targets": [target],
                            }
                        }),
                    );
                }
            }
        }
    }
    let header = header_lines(desired);
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": header[..2].join(" ").chars().take(1024).collect::<String>(),
        "Metadata": {"cronport": {"notes": header}},
        "Resources": resources,
    });
    serde_json::to_string_pretty(&template).unwrap_or_default() + "\n"
}
