//! The IAM role(s) a manifest's schedules assume: `cronport iam`.
//!
//! EventBridge Scheduler (or EventBridge, for rules) assumes the job's
//! `role_arn` to call ECS RunTask. The role needs:
//!
//! * trust for `scheduler.amazonaws.com` (Scheduler) or
//!   `events.amazonaws.com` (rules), limited to the account;
//! * `ecs:RunTask` on the task definitions the jobs run;
//! * `iam:PassRole` for the task's roles, only towards ECS tasks
//!   (`iam:PassedToService = ecs-tasks.amazonaws.com`);
//! * `sqs:SendMessage` on the dead-letter queues, when set.
//!
//! See <https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role>
//! and <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html>.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde_json::{Value, json};

use super::partition;
use crate::desired::Desired;
use crate::fit::TaskDefinitionFile;
use crate::translate::Backend;

/// The service principal that assumes a role for a backend.
///
/// ```
/// use cronport::{render::trust_principal, translate::Backend};
/// assert_eq!(trust_principal(Backend::Scheduler), "scheduler.amazonaws.com");
/// assert_eq!(trust_principal(Backend::Rules), "events.amazonaws.com");
/// ```
pub fn trust_principal(backend: Backend) -> &'static str {
    match backend {
        Backend::Scheduler => "scheduler.amazonaws.com",
        Backend::Rules => "events.amazonaws.com",
    }
}

/// One role the manifest's jobs assume, and what it must allow.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest, render::roles};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let m = Manifest::from_toml(text, "m")?;
/// let desired = compile(&m, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let role = &roles(&desired, &[])[0];
/// assert_eq!(role.name, "cronport-scheduler");
/// assert_eq!(role.principals, ["scheduler.amazonaws.com"]);
/// assert_eq!(role.task_definitions, ["arn:aws:ecs:*:123456789012:task-definition/app-worker:*"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// The role's ARN, as the manifest names it.
    pub arn: String,
    /// The role's name (the last part of its ARN).
    pub name: String,
    /// The role's path (`/` unless the ARN has one).
    pub path: String,
    /// The services that assume it.
    pub principals: Vec<&'static str>,
    /// Task definition ARNs (patterns) RunTask may start.
    pub task_definitions: Vec<String>,
    /// The clusters (ARN patterns) RunTask may start them on: the
    /// `ecs:cluster` condition.
    pub clusters: Vec<String>,
    /// The task and execution roles the jobs' task definitions name:
    /// `None` when a job's task definition file was not given (any role,
    /// passed only to ECS tasks); `Some(empty)`: no role to pass.
    pub task_roles: Option<Vec<String>>,
    /// Dead-letter queues it sends failed invocations to.
    pub dead_letter_queues: Vec<String>,
    /// The account the role lives in.
    pub account: String,
}

/// The roles `desired`'s jobs assume, by role ARN; `definitions` (task
/// definition files, possibly none) name the roles the tasks pass.
pub fn roles(desired: &Desired, definitions: &[TaskDefinitionFile]) -> Vec<Role> {
    let mut by_arn: BTreeMap<&str, Role> = BTreeMap::new();
    for job in &desired.jobs {
        let t = &job.job.target;
        let role = by_arn.entry(&t.role_arn).or_insert_with(|| {
            let parts: Vec<&str> = t.role_arn.splitn(6, ':').collect();
            let account = parts.get(4).copied().unwrap_or_default().to_string();
            let resource = parts.get(5).copied().unwrap_or_default();
            let path_and_name = resource.strip_prefix("role").unwrap_or(resource);
            let (path, name) = path_and_name
                .rsplit_once('/')
                .map_or(("/", path_and_name), |(p, n)| (p, n));
            Role {
                arn: t.role_arn.clone(),
                name: name.to_string(),
                path: format!("{}/", path.trim_end_matches('/')).replace("//", "/"),
                principals: Vec::new(),
                task_definitions: Vec::new(),
                clusters: Vec::new(),
                task_roles: Some(Vec::new()),
                dead_letter_queues: Vec::new(),
                account,
            }
        });
        let principal = trust_principal(t.backend);
        if !role.principals.contains(&principal) {
            role.principals.push(principal);
        }
        let task = task_definition_pattern(
            &job.run_task.task_definition,
            partition(&t.role_arn),
            &role.account,
        );
        if !role.task_definitions.contains(&task) {
            role.task_definitions.push(task);
        }
        let cluster = cluster_pattern(&t.cluster, partition(&t.role_arn), &role.account);
        if !role.clusters.contains(&cluster) {
            role.clusters.push(cluster);
        }
        // Known only when every job's task definition was given.
        match (
            TaskDefinitionFile::newest(definitions, &t.task_definition),
            &mut role.task_roles,
        ) {
            (Some(file), Some(known)) => {
                for passed in file.roles() {
                    // ECS takes a role's name too: it is the job's account's.
                    let arn = if passed.starts_with("arn:") {
                        passed.to_string()
                    } else {
                        format!(
                            "arn:{}:iam::{}:role/{passed}",
                            partition(&t.role_arn),
                            role.account
                        )
                    };
                    if !known.contains(&arn) {
                        known.push(arn);
                    }
                }
            }
            (None, known) => *known = None,
            (Some(_), None) => {}
        }
        if let Some(dlq) = &t.dead_letter_queue
            && !role.dead_letter_queues.contains(dlq)
        {
            role.dead_letter_queues.push(dlq.clone());
        }
    }
    let mut roles: Vec<Role> = by_arn.into_values().collect();
    for role in &mut roles {
        role.principals.sort();
        role.task_definitions.sort();
        role.clusters.sort();
        if let Some(known) = &mut role.task_roles {
            known.sort();
        }
        role.dead_letter_queues.sort();
    }
    roles
}

/// The task definitions RunTask may start for `task_definition` (a family,
/// `family:revision`, or an ARN): every revision of a family, since a
/// family name runs its latest ACTIVE revision.
fn task_definition_pattern(task_definition: &str, partition: &str, account: &str) -> String {
    if task_definition.starts_with("arn:") {
        let has_revision = task_definition
            .rsplit_once('/')
            .is_some_and(|(_, family)| family.contains(':'));
        return if has_revision {
            task_definition.to_string()
        } else {
            format!("{task_definition}:*")
        };
    }
    let family = task_definition
        .split_once(':')
        .map_or(task_definition, |(f, _)| f);
    format!("arn:{partition}:ecs:*:{account}:task-definition/{family}:*")
}

/// The clusters `ecs:cluster` may name for `cluster` (a name or an ARN):
/// a name is a cluster of that name in the account, in any region.
fn cluster_pattern(cluster: &str, partition: &str, account: &str) -> String {
    if cluster.starts_with("arn:") {
        cluster.to_string()
    } else {
        format!("arn:{partition}:ecs:*:{account}:cluster/{cluster}")
    }
}

impl Role {
    /// The trust policy: the services that assume the role, in its account
    /// only (the confused-deputy guard AWS recommends).
    ///
    /// ```
    /// # use cronport::render::roles;
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// let trust = roles(&desired, &[])[0].trust_policy();
    /// assert_eq!(trust["Statement"][0]["Principal"]["Service"][0], "scheduler.amazonaws.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trust_policy(&self) -> Value {
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": self.principals},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": self.account}},
            }],
        })
    }

    /// The permissions: RunTask on the jobs' task definitions, PassRole
    /// towards ECS tasks, SendMessage to the dead-letter queues.
    ///
    /// ```
    /// # use cronport::render::roles;
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// let policy = roles(&desired, &[])[0].permissions_policy();
    /// assert_eq!(policy["Statement"][0]["Action"], "ecs:RunTask");
    /// assert_eq!(policy["Statement"][1]["Condition"]["StringEquals"]["iam:PassedToService"], "ecs-tasks.amazonaws.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn permissions_policy(&self) -> Value {
        let mut statements = vec![
            // Only on the jobs' clusters (as AWS CDK's ECS targets do).
            json!({
                "Sid": "RunTheJobsTasks",
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": self.task_definitions,
                "Condition": {"ArnLike": {"ecs:cluster": self.clusters}},
            }),
        ];
        // The task and execution roles are named in the task definitions:
        // where every job's file was given, only those (none at all when
        // they name none); otherwise any role, and the condition keeps
        // PassRole to ECS tasks.
        let passed = match &self.task_roles {
            None => Some(json!("*")),
            Some(known) if known.is_empty() => None,
            Some(known) => Some(json!(known)),
        };
        if let Some(resource) = passed {
            statements.push(json!({
                "Sid": "PassTheTaskRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": resource,
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            }));
        }
        if !self.dead_letter_queues.is_empty() {
            statements.push(json!({
                "Sid": "DeadLetterQueue",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": self.dead_letter_queues,
            }));
        }
        json!({"Version": "2012-10-17", "Statement": statements})
    }
}

/// The queue policy a dead-letter queue of EventBridge rules needs: rules
/// send failed deliveries as `events.amazonaws.com`, which the queue must
/// allow, for these rules only (`aws:SourceArn`). (Scheduler sends them
/// with the schedule's role, whose policy allows it.)
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest, render::queue_policies};
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rules.toml"))?;
/// let m = Manifest::from_toml(&text, "m")?;
/// let desired = compile(&m, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let policies = queue_policies(&desired);
/// let policy = policies[0].policy();
/// assert_eq!(policy["Statement"][0]["Principal"]["Service"], "events.amazonaws.com");
/// assert!(policy["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"][0].as_str().unwrap().contains(":rule/"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuePolicy {
    /// The queue's ARN.
    pub queue_arn: String,
    /// The queue's URL, which the SQS API and templates name it by.
    pub queue_url: String,
    /// The rules (ARN patterns: each job's rule, and its numbered ones)
    /// that may send to it.
    pub rules: Vec<String>,
}

impl QueuePolicy {
    /// The policy document.
    pub fn policy(&self) -> Value {
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "CronportRulesDeadLetters",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": self.queue_arn,
                "Condition": {"ArnLike": {"aws:SourceArn": self.rules}},
            }],
        })
    }
}

/// The queue policies the rules' dead-letter queues need, a queue each.
pub fn queue_policies(desired: &Desired) -> Vec<QueuePolicy> {
    let mut by_queue: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for job in &desired.jobs {
        let t = &job.job.target;
        let (Backend::Rules, Some(queue)) = (t.backend, &t.dead_letter_queue) else {
            continue;
        };
        // A rule lives where its ECS target is: the cluster ARN's
        // partition, region and account (rules take only ARNs).
        let [_, partition, _, region, account, ..] =
            t.cluster.splitn(6, ':').collect::<Vec<_>>()[..]
        else {
            continue;
        };
        // The job's first rule and every numbered one (`-2`, `-3`, …): how
        // many a zone's offset periods need depends on the window, which
        // the policy must not.
        let rules = by_queue.entry(queue).or_default();
        let base = format!(
            "arn:{partition}:events:{region}:{account}:rule/{}",
            job.job.aws_name
        );
        rules.insert(format!("{base}-*"));
        rules.insert(base);
    }
    by_queue
        .into_iter()
        .filter_map(|(queue, rules)| {
            let [_, partition, _, region, account, name] =
                queue.splitn(6, ':').collect::<Vec<_>>()[..]
            else {
                return None;
            };
            let domain = if partition == "aws-cn" {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            Some(QueuePolicy {
                queue_arn: queue.to_string(),
                queue_url: format!("https://sqs.{region}.{domain}/{account}/{name}"),
                rules: rules.into_iter().collect(),
            })
        })
        .collect()
}

/// The policy an alert's SNS topic needs: EventBridge may publish to it
/// for this manifest's alert rules, and CloudWatch for its alarms. The
/// sources are patterns over the manifest's names (`rule/*alerts-ID-*`,
/// `alarm:cronport-alarm-ID-*`), the same in every environment, so one
/// environment's policy never shuts out another's. The topic is the
/// team's; the policy replaces its own, so it is printed to merge, never
/// applied.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest, render::topic_policies};
/// let text = cronport::manifest::doc::EXAMPLE.replacen("[defaults]\n", "[defaults]\nnotify = \"arn:aws:sns:us-east-1:123456789012:oncall\"\n", 1);
/// let desired = compile(&Manifest::from_toml(&format!("id = \"shop\"\n{text}"), "m")?, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let policy = topic_policies(&desired)[0].policy();
/// assert_eq!(policy["Statement"][0]["Action"], "sns:Publish");
/// assert_eq!(policy["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"], "arn:aws:events:us-east-1:123456789012:rule/*alerts-shop-*");
/// assert_eq!(policy["Statement"][1]["Principal"]["Service"], "cloudwatch.amazonaws.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicPolicy {
    /// The topic's ARN.
    pub topic_arn: String,
    /// The alert rules (an ARN pattern) that may publish to it.
    pub rules: String,
    /// The alarms (an ARN pattern) that may publish to it.
    pub alarms: String,
}

impl TopicPolicy {
    /// The policy document.
    pub fn policy(&self) -> Value {
        let statement = |sid: &str, service: &str, source: &str| {
            json!({
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sns:Publish",
                "Resource": self.topic_arn,
                "Condition": {"ArnLike": {"aws:SourceArn": source}},
            })
        };
        json!({
            "Version": "2012-10-17",
            "Statement": [
                statement("CronportAlertRules", "events.amazonaws.com", &self.rules),
                statement("CronportAlarms", "cloudwatch.amazonaws.com", &self.alarms),
            ],
        })
    }
}

/// The topic policies the alerts need, a topic each. The rules and alarms
/// live where the deployment does (its cluster's region, its role's
/// account), else, when the manifest names no region, where the topic does.
pub fn topic_policies(desired: &Desired) -> Vec<TopicPolicy> {
    let manifest = &desired.deployment.manifest;
    let home = super::record_place(desired);
    let mut topics: Vec<&str> = desired.alerts.iter().map(|a| a.topic.as_str()).collect();
    topics.sort_unstable();
    topics.dedup();
    topics
        .into_iter()
        .filter_map(|topic| {
            let (partition, region, account) = match &home {
                Some(place) => place.clone(),
                None => {
                    let [_, partition, _, region, account, _] =
                        topic.splitn(6, ':').collect::<Vec<_>>()[..]
                    else {
                        return None;
                    };
                    (partition.to_string(), region.to_string(), account.to_string())
                }
            };
            Some(TopicPolicy {
                topic_arn: topic.to_string(),
                rules: format!("arn:{partition}:events:{region}:{account}:rule/*alerts-{manifest}-*"),
                alarms: format!(
                    "arn:{partition}:cloudwatch:{region}:{account}:alarm:cronport-alarm-{manifest}-*"
                ),
            })
        })
        .collect()
}

/// Each role's Terraform label: its name with `_` for each character that
/// is not a letter or digit; where the name has a character IAM allows
/// beyond `-` and `_` (`.+=,@`), a digest of the name follows, so that such
/// a label never depends on which other roles there are (a renamed label
/// is a role Terraform destroys and creates). Only `a-b` beside `a_b`
/// still meet, and the second gets the digest.
pub(super) fn terraform_labels(roles: &[Role]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    roles
        .iter()
        .map(|r| {
            let sanitized: String = r
                .name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let plain = r
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let mut label = if plain {
                sanitized.clone()
            } else {
                format!("{sanitized}_{}", crate::owner::short_digest(&r.name))
            };
            if !label.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                label.insert(0, '_');
            }
            if !taken.insert(label.clone()) {
                label = format!("{label}_{}", crate::owner::short_digest(&r.name));
                taken.insert(label.clone());
            }
            label
        })
        .collect()
}

/// The schedules and the roles they assume in one Terraform
/// configuration: each schedule names its role by reference
/// (`aws_iam_role.LABEL.arn`), so Terraform creates the role first and a
/// renamed role follows.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest, render::terraform_with_iam};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let desired = compile(&Manifest::from_toml(text, "m")?, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let tf = terraform_with_iam(&desired, &[]);
/// assert!(tf.contains("role_arn = aws_iam_role.cronport_scheduler.arn"));
/// assert!(tf.contains("resource \"aws_iam_role\" \"cronport_scheduler\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn terraform_with_iam(desired: &Desired, definitions: &[TaskDefinitionFile]) -> String {
    let roles = roles(desired, definitions);
    let refs = roles
        .iter()
        .zip(terraform_labels(&roles))
        .map(|(r, label)| (r.arn.clone(), format!("aws_iam_role.{label}.arn")))
        .collect();
    let mut out = super::terraform::render(desired, &refs);
    out.push('\n');
    out.push_str(&render_iam(desired, definitions, IamFormat::Terraform));
    out
}

/// What every format says of a topic policy: it replaces the topic's own.
const TOPIC_POLICY_NOTE: &str = "A topic policy replaces the topic's own: merge these statements into it (every environment of the manifest renders the same ones).";

/// Output formats of `cronport iam`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IamFormat {
    /// `aws iam create-role` / `put-role-policy` inputs.
    Json,
    /// `AWS::IAM::Role` resources.
    Cloudformation,
    /// `aws_iam_role` and `aws_iam_role_policy` resources.
    Terraform,
}

/// The roles of `desired` in `format`.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest, render::{render_iam, IamFormat}};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let m = Manifest::from_toml(text, "m")?;
/// let desired = compile(&m, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(render_iam(&desired, &[], IamFormat::Terraform).contains("resource \"aws_iam_role\" \"cronport_scheduler\""));
/// let template: serde_json::Value = serde_json::from_str(&render_iam(&desired, &[], IamFormat::Cloudformation))?;
/// assert_eq!(template["Resources"]["RoleCronportScheduler"]["Type"], "AWS::IAM::Role");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render_iam(
    desired: &Desired,
    definitions: &[TaskDefinitionFile],
    format: IamFormat,
) -> String {
    let roles = roles(desired, definitions);
    let queues = queue_policies(desired);
    let topics = topic_policies(desired);
    match format {
        IamFormat::Json => {
            let doc: Vec<Value> = roles
                .iter()
                .map(|r| {
                    json!({
                        "role": {
                            "RoleName": r.name,
                            "Path": r.path,
                            "AssumeRolePolicyDocument": r.trust_policy().to_string(),
                            "Tags": [{"Key": "managed-by", "Value": "cronport"}],
                        },
                        "policy": {
                            "RoleName": r.name,
                            "PolicyName": "cronport-run-tasks",
                            "PolicyDocument": r.permissions_policy().to_string(),
                        },
                    })
                })
                .collect();
            // `aws sqs set-queue-attributes --cli-input-json`: it replaces
            // the queue's policy.
            let queue_policies: Vec<Value> = queues
                .iter()
                .map(|q| json!({"QueueUrl": q.queue_url, "Attributes": {"Policy": q.policy().to_string()}}))
                .collect();
            let mut doc = json!({ "roles": doc });
            if !queue_policies.is_empty() {
                doc["queue_policies"] = json!(queue_policies);
            }
            // `aws sns set-topic-attributes --cli-input-json`: it replaces
            // the topic's policy.
            if !topics.is_empty() {
                doc["topic_policies_note"] = json!(TOPIC_POLICY_NOTE);
                doc["topic_policies"] = topics
                    .iter()
                    .map(|t| json!({"TopicArn": t.topic_arn, "AttributeName": "Policy", "AttributeValue": t.policy().to_string()}))
                    .collect();
            }
            serde_json::to_string_pretty(&doc).expect("a JSON value serialises") + "\n"
        }
        IamFormat::Cloudformation => {
            let mut resources = serde_json::Map::new();
            let mut taken = BTreeSet::new();
            for r in &roles {
                let mut id: String = format!("Role-{}", r.name)
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
                    .collect();
                let base = id.clone();
                let mut n = 1;
                while !taken.insert(id.clone()) {
                    n += 1;
                    id = format!("{base}{n}");
                }
                resources.insert(
                    id,
                    json!({
                        "Type": "AWS::IAM::Role",
                        "Properties": {
                            "RoleName": r.name,
                            "Path": r.path,
                            "AssumeRolePolicyDocument": r.trust_policy(),
                            "Policies": [{"PolicyName": "cronport-run-tasks", "PolicyDocument": r.permissions_policy()}],
                            "Tags": [{"Key": "managed-by", "Value": "cronport"}],
                        }
                    }),
                );
            }
            for (n, q) in queues.iter().enumerate() {
                resources.insert(
                    format!("RulesDeadLetterQueuePolicy{}", n + 1),
                    json!({
                        "Type": "AWS::SQS::QueuePolicy",
                        "Properties": {"Queues": [q.queue_url], "PolicyDocument": q.policy()},
                    }),
                );
            }
            for (n, t) in topics.iter().enumerate() {
                resources.insert(
                    format!("AlertTopicPolicy{}", n + 1),
                    json!({
                        "Type": "AWS::SNS::TopicPolicy",
                        "Properties": {"Topics": [t.topic_arn], "PolicyDocument": t.policy()},
                    }),
                );
            }
            let template = json!({
                "AWSTemplateFormatVersion": "2010-09-09",
                "Description": if topics.is_empty() {
                    "The roles cronport's schedules assume to run ECS tasks. Generated by cronport; do not edit by hand.".to_string()
                } else {
                    format!("The roles cronport's schedules assume to run ECS tasks, and the alert topics' policies. {TOPIC_POLICY_NOTE} Generated by cronport; do not edit by hand.")
                },
                "Resources": resources,
            });
            serde_json::to_string_pretty(&template).expect("a JSON value serialises") + "\n"
        }
        IamFormat::Terraform => {
            let mut out = String::from(
                "# The roles cronport's schedules assume to run ECS tasks.\n# Generated by cronport; do not edit by hand.\n\n",
            );
            for (r, label) in roles.iter().zip(terraform_labels(&roles)) {
                // As Terraform users write policies: an expression a
                // reviewer reads a statement at a time, not an escaped string.
                let hcl = |v: &Value| format!("jsonencode({})", super::terraform::hcl(v, 2));
                let _ = writeln!(out, "resource \"aws_iam_role\" \"{label}\" {{");
                let _ = writeln!(out, "  name               = {}", json!(r.name));
                let _ = writeln!(out, "  path               = {}", json!(r.path));
                let _ = writeln!(out, "  assume_role_policy = {}", hcl(&r.trust_policy()));
                let _ = writeln!(
                    out,
                    "  tags = {{\n    \"managed-by\" = \"cronport\"\n  }}\n}}\n"
                );
                let _ = writeln!(out, "resource \"aws_iam_role_policy\" \"{label}\" {{");
                let _ = writeln!(out, "  name   = \"cronport-run-tasks\"");
                let _ = writeln!(out, "  role   = aws_iam_role.{label}.id");
                let _ = writeln!(out, "  policy = {}", hcl(&r.permissions_policy()));
                let _ = writeln!(out, "}}\n");
            }
            for (n, q) in queues.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "# EventBridge rules send failed deliveries to {} as events.amazonaws.com.\n# This replaces the queue's policy: merge it with one the queue already has.",
                    q.queue_arn
                );
                let _ = writeln!(
                    out,
                    "resource \"aws_sqs_queue_policy\" \"rules_dead_letters_{}\" {{",
                    n + 1
                );
                let _ = writeln!(out, "  queue_url = {}", json!(q.queue_url));
                let _ = writeln!(
                    out,
                    "  policy    = jsonencode({})",
                    super::terraform::hcl(&q.policy(), 2)
                );
                let _ = writeln!(out, "}}\n");
            }
            for (n, t) in topics.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "# cronport's alert rules and alarms publish to {}.\n# {TOPIC_POLICY_NOTE}",
                    t.topic_arn
                );
                let _ = writeln!(
                    out,
                    "resource \"aws_sns_topic_policy\" \"alerts_{}\" {{",
                    n + 1
                );
                let _ = writeln!(out, "  arn    = {}", json!(t.topic_arn));
                let _ = writeln!(
                    out,
                    "  policy = jsonencode({})",
                    super::terraform::hcl(&t.policy(), 2)
                );
                let _ = writeln!(out, "}}\n");
            }
            super::terraform::align(&out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(text: &str) -> Desired {
        let m = crate::manifest::Manifest::from_toml(text, "m").unwrap();
        crate::desired::compile(
            &m,
            &crate::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
        )
        .unwrap()
    }

    const TWO_DEFINITIONS: &str = "[defaults]\ncluster = \"c\"\ncontainer = \"w\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\nsubnets = [\"subnet-0a1b2c3d\"]\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\ntask_definition = \"app\"\n[[job]]\nname = \"z\"\nschedule = \"@daily\"\ncommand = \"y\"\ntask_definition = \"other\"\n";

    fn file(family: &str, roles: &str) -> TaskDefinitionFile {
        let text = format!(
            "{{\"family\": \"{family}\", \"revision\": 1, {roles} \"containerDefinitions\": [{{\"name\": \"w\"}}]}}"
        );
        TaskDefinitionFile::parse(&text, "f.json").unwrap()
    }

    #[test]
    fn pass_role_names_roles_only_when_every_jobs_task_definition_is_known() {
        let d = desired(TWO_DEFINITIONS);
        let app = file("app", "\"taskRoleArn\": \"app-task\",");
        // One of two known: any role still.
        let partial = roles(&d, std::slice::from_ref(&app));
        assert_eq!(partial[0].task_roles, None);
        assert_eq!(
            partial[0].permissions_policy()["Statement"][1]["Resource"],
            "*"
        );
        // Both known: their roles, a short name made the account's ARN.
        let both = roles(&d, &[app, file("other", "\"executionRoleArn\": \"\",")]);
        assert_eq!(
            both[0].task_roles,
            Some(vec!["arn:aws:iam::123456789012:role/app-task".to_string()])
        );
        // Both known and naming none: no PassRole at all.
        let none = roles(&d, &[file("app", ""), file("other", "")]);
        let policy = none[0].permissions_policy();
        assert!(
            policy["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["Action"] != "iam:PassRole"),
            "{policy}"
        );
    }

    #[test]
    fn terraform_labels_do_not_depend_on_the_other_roles() {
        let role = |name: &str| Role {
            arn: format!("arn:aws:iam::123456789012:role/{name}"),
            name: name.to_string(),
            path: "/".into(),
            principals: Vec::new(),
            task_definitions: Vec::new(),
            clusters: Vec::new(),
            task_roles: None,
            dead_letter_queues: Vec::new(),
            account: "123456789012".into(),
        };
        let alone = terraform_labels(&[role("my.role")]);
        let beside = terraform_labels(&[role("my_role"), role("my.role")]);
        assert_eq!(alone[0], beside[1]);
        assert_ne!(beside[0], beside[1]);
        assert_eq!(
            terraform_labels(&[role("cronport-scheduler")]),
            ["cronport_scheduler"]
        );
    }

    #[test]
    fn task_definitions_become_arn_patterns() {
        assert_eq!(
            task_definition_pattern("app", "aws-cn", "123456789012"),
            "arn:aws-cn:ecs:*:123456789012:task-definition/app:*"
        );
        assert_eq!(
            task_definition_pattern("app:7", "aws", "123456789012"),
            "arn:aws:ecs:*:123456789012:task-definition/app:*"
        );
        let arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/app";
        assert_eq!(task_definition_pattern(arn, "aws", "1"), format!("{arn}:*"));
        assert_eq!(
            task_definition_pattern(&format!("{arn}:3"), "aws", "1"),
            format!("{arn}:3")
        );
    }
}
