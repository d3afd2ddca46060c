//! An AWS CloudFormation template (JSON): `AWS::Scheduler::ScheduleGroup`,
//! `AWS::Scheduler::Schedule`, `AWS::Events::Rule`.

use serde_json::{Map, Value, json};

use super::{
    EcsParametersSpelling, add_retry_and_dead_letter, description, ecs_parameters, header_lines,
    rule_input, rule_tags, run_task_target, state, universal_input,
};
// CloudFormation's `Tags` are the APIs' list of `{Key, Value}`, as on every
// resource cronport makes, so rules carry `managed-by=cronport` here too.
use super::tag_list as tags;
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

/// A string CloudFormation keeps as it is. CloudFormation keeps any plain
/// string, but cfn-lint reads a `${…}` in one as a substitution outside
/// `Fn::Sub` (E1029), and `Fn::Sub` with `${!` escapes as one without
/// variables (W1020): such a string is written as `Fn::Join` of pieces cut
/// between each `$` and its `{`, which no linter reads as `${` and
/// CloudFormation joins back.
fn literal(text: &str) -> Value {
    if !text.contains("${") {
        return json!(text);
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        pieces.push(&rest[..=at]);
        rest = &rest[at + 1..];
    }
    pieces.push(rest);
    json!({"Fn::Join": ["", pieces]})
}

pub(super) fn render(desired: &Desired) -> String {
    let mut resources = Map::new();
    let mut group_ids = Vec::new();
    for (group, group_tags) in desired.schedule_groups() {
        let id = logical_id("Group", &group, &resources);
        resources.insert(id.clone(), json!({"Type": "AWS::Scheduler::ScheduleGroup", "Properties": {"Name": group, "Tags": tags(&group_tags)}}));
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
                    let mut target = json!({"Arn": run_task_target(&t.role_arn), "RoleArn": t.role_arn, "Input": literal(&universal_input(job))});
                    add_retry_and_dead_letter(&mut target, t);
                    let id = logical_id("Schedule", &resource.name, &resources);
                    let mut properties = json!({
                        "Name": resource.name,
                        "GroupName": group,
                        "ScheduleExpression": resource.expression,
                        "ScheduleExpressionTimezone": resource.timezone,
                        "Description": literal(&description(job)),
                        "State": state,
                        "FlexibleTimeWindow": super::flexible_time_window(t),
                        "Target": target,
                    });
                    if let Some(start) = resource.start_date {
                        properties["StartDate"] = json!(start.to_string());
                    }
                    resources.insert(
                        id,
                        json!({"Type": "AWS::Scheduler::Schedule", "Properties": properties}),
                    );
                }
                Backend::Rules => {
                    let ecs = ecs_parameters(&job.run_task, EcsParametersSpelling::CloudFormation);
                    let mut target = json!({"Id": "cronport", "Arn": t.cluster, "RoleArn": t.role_arn, "Input": literal(&rule_input(job)), "EcsParameters": ecs});
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
                                "Description": literal(&description(job)),
                                "Tags": tags(&rule_tags(job)),
                                "Targets": [target],
                            }
                        }),
                    );
                }
            }
        }
    }
    if let Some(record) = &desired.run_record {
        run_record(record, &mut resources);
    }
    alerts(desired, &mut resources);
    let header = header_lines(desired);
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": header[..2].join(" ").chars().take(1024).collect::<String>(),
        "Metadata": {"cronport": {"notes": header}},
        "Resources": resources,
    });
    serde_json::to_string_pretty(&template).expect("a JSON value serialises") + "\n"
}

/// The run record: its log group (kept when the stack or the record goes:
/// it holds the history), the policy that lets EventBridge write to it,
/// and the rule.
fn run_record(record: &crate::desired::RunRecord, resources: &mut Map<String, Value>) {
    let group = logical_id("RunRecordLogGroup", &record.log_group, resources);
    resources.insert(
        group.clone(),
        json!({
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "LogGroupName": record.log_group,
                "RetentionInDays": record.retention_days,
                "Tags": tags(&record.tags),
            },
        }),
    );
    // `Fn::GetAtt Arn` of a log group ends in `:*`: the policy's resource.
    let mut document = crate::desired::RunRecord::policy_document_for("${LogGroupArn}");
    document["Statement"][0]["Resource"] = json!("${LogGroupArn}");
    let document = document.to_string();
    let policy = logical_id("RunRecordPolicy", &record.policy, resources);
    resources.insert(
        policy.clone(),
        json!({
            "Type": "AWS::Logs::ResourcePolicy",
            "Properties": {
                "PolicyName": record.policy,
                "PolicyDocument": {"Fn::Sub": [document, {"LogGroupArn": {"Fn::GetAtt": [group, "Arn"]}}]},
            },
        }),
    );
    let rule = logical_id("RunRecordRule", &record.rule, resources);
    resources.insert(
        rule,
        json!({
            "Type": "AWS::Events::Rule",
            "DependsOn": policy,
            "Properties": {
                "Name": record.rule,
                "Description": super::record_description(&record.tags, &record.log_group),
                "EventPattern": record.pattern(),
                "State": "ENABLED",
                "Tags": tags(&record.tags),
                "Targets": [{"Id": super::RECORD_TARGET, "Arn": {"Fn::GetAtt": [group, "Arn"]}}],
            },
        }),
    );
}

/// The alert rules (their topics are the team's: referenced, never made)
/// and the alarms on failed invocations.
fn alerts(desired: &Desired, resources: &mut Map<String, Value>) {
    for alert in &desired.alerts {
        let id = logical_id("AlertRule", &alert.rule, resources);
        resources.insert(
            id,
            json!({
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Name": alert.rule,
                    "Description": super::alert_description(&alert.tags, &alert.topic),
                    "EventPattern": alert.pattern(),
                    "State": "ENABLED",
                    "Tags": tags(&alert.tags),
                    "Targets": [{
                        "Id": super::ALERT_TARGET,
                        "Arn": alert.topic,
                        "InputTransformer": {
                            "InputPathsMap": crate::desired::AlertRule::input_paths(),
                            "InputTemplate": crate::desired::AlertRule::input_template(),
                        },
                    }],
                },
            }),
        );
    }
    for alarm in desired.alarms() {
        let id = logical_id("Alarm", &alarm.name, resources);
        resources.insert(
            id,
            json!({"Type": "AWS::CloudWatch::Alarm", "Properties": super::alarm_properties(&alarm)}),
        );
    }
}

/// The largest template CloudFormation takes inline (`--template-body`).
pub const MAX_INLINE_TEMPLATE_BYTES: usize = 51_200;
/// The most resources one stack holds.
pub const MAX_STACK_RESOURCES: usize = 500;
/// The largest template CloudFormation takes at all (from S3).
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

/// How a rendered template fits CloudFormation's quotas.
///
/// ```
/// use cronport::render::{TemplateFit, template_fit};
/// assert_eq!(template_fit(r#"{"Resources": {"A": {}}}"#), TemplateFit::Inline);
/// let big = format!(r#"{{"Resources": {{}}, "Metadata": "{}"}}"#, "x".repeat(60_000));
/// assert!(matches!(template_fit(&big), TemplateFit::NeedsS3 { .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateFit {
    /// Small enough to pass inline.
    Inline,
    /// Over 51,200 bytes: it must be uploaded to S3 to deploy.
    NeedsS3 {
        /// The template's size.
        bytes: usize,
    },
    /// Over 1,000,000 bytes: CloudFormation takes it from nowhere.
    TooLarge {
        /// The template's size.
        bytes: usize,
    },
    /// Over 500 resources: no single stack can hold it.
    TooManyResources {
        /// How many it has.
        resources: usize,
    },
}

/// Checks `template` (as [`render`](super::render) wrote it) against
/// CloudFormation's template-size and resources-per-stack quotas. Text that
/// is not a template (no `Resources` object) is refused as too large to
/// count, never passed as empty.
pub fn template_fit(template: &str) -> TemplateFit {
    let Some(resources) = serde_json::from_str::<Value>(template)
        .ok()
        .and_then(|t| t.get("Resources").and_then(Value::as_object).map(Map::len))
    else {
        return TemplateFit::TooLarge {
            bytes: template.len(),
        };
    };
    if resources > MAX_STACK_RESOURCES {
        TemplateFit::TooManyResources { resources }
    } else if template.len() > MAX_TEMPLATE_BYTES {
        TemplateFit::TooLarge {
            bytes: template.len(),
        }
    } else if template.len() > MAX_INLINE_TEMPLATE_BYTES {
        TemplateFit::NeedsS3 {
            bytes: template.len(),
        }
    } else {
        TemplateFit::Inline
    }
}
