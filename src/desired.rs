//! Compile: a manifest becomes the desired AWS resources, each schedule
//! translated exactly and verified.

use jiff::Timestamp;
use serde::Serialize;

use crate::manifest::{MAX_NAME_LEN, Manifest, Problem, ProblemKind, ResolvedJob};
use crate::schedule::Pattern;
use crate::task::{Casing, RunTask};
use crate::translate::{Backend, DomDow, Options, Translation, translate};

/// How to compile.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest, translate::DomDow};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let options = CompileOptions {
///     until: "2027-01-01T00:00:00Z".parse()?, // verify a shorter window
///     dom_dow: DomDow::Double,
///     ..CompileOptions::starting("2026-11-24T00:00:00Z".parse()?)
/// };
/// assert_eq!(compile(&m, &options)?.until.to_string(), "2027-01-01T00:00:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Start of the verified window.
    pub from: Timestamp,
    /// End of the verified window, and of any year-bounded rules.
    pub until: Timestamp,
    /// The day-of-month OR day-of-week policy for every job.
    pub dom_dow: DomDow,
    /// A cutover instant for every job, over their `start_at`
    /// (`apply --start-at`).
    pub start_at: Option<Timestamp>,
}

impl CompileOptions {
    /// From `from` to the end of the next year, refusing double runs.
    ///
    /// ```
    /// let o = cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?);
    /// assert_eq!(o.until.to_string(), "2028-01-01T00:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn starting(from: Timestamp) -> CompileOptions {
        CompileOptions {
            from,
            until: Options::default_until(from),
            dom_dow: DomDow::Refuse,
            start_at: None,
        }
    }
}

/// Everything cronport wants on AWS for a manifest.
///
/// ```
/// let text = r#"
/// [defaults]
/// cluster = "production"
/// task_definition = "app-worker"
/// container = "worker"
/// role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
/// subnets = ["subnet-0a1b2c3d"]
/// schedule_group = "shop"
/// [[job]]
/// name = "reports"
/// schedule = "every day at 14:30"
/// command = "bundle exec rake reports:daily"
/// size = "performance-m"
/// timeout = "24h"
/// [[job]]
/// name = "fan-out"
/// schedule = "every 10 minutes"
/// command = "bundle exec rake push:fan_out"
/// "#;
/// let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
///
/// assert_eq!(desired.jobs[0].resources[0].name, "cronport-reports");
/// assert_eq!(desired.jobs[0].resources[0].timezone, "UTC");
/// assert!(desired.jobs.iter().all(|j| j.translation.runs_out.is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Desired {
    /// The jobs, in manifest order.
    pub jobs: Vec<DesiredJob>,
    /// The verified window.
    pub from: Timestamp,
    /// The verified window's end.
    pub until: Timestamp,
    /// Whose resources these are: the manifest's id and environment, in
    /// the owner record of each (see [`crate::owner`]).
    pub deployment: crate::owner::Deployment,
    /// The record of every run (`run_history_days`), if kept.
    pub run_record: Option<RunRecord>,
    /// The alert rules (`notify`): one per SNS topic, by rule name.
    pub alerts: Vec<AlertRule>,
}

/// An alert: an EventBridge rule that tells an SNS topic when a run of one
/// of its jobs fails — its task stops with a non-zero exit code, or fails
/// to start (`TaskFailedToStart`: the image cannot be pulled, a secret
/// cannot be read) — in one line made by an input transformer.
///
/// A run that ECS cannot place at all (no capacity) makes no task and so
/// no event: `cronport verify` reports it (`missing`, or `not started` when
/// CloudTrail's record of the RunTask call is in the run record).
///
/// ```
/// let text = format!("id = \"shop\"\n{}", cronport::manifest::doc::EXAMPLE.replacen(
///     "[defaults]\n", "[defaults]\nnotify = \"arn:aws:sns:us-east-1:123456789012:oncall\"\n", 1));
/// let m = cronport::manifest::Manifest::from_toml(&text, "m")?;
/// let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let alert = &desired.alerts[0];
/// assert_eq!(alert.rule, "cronport-alerts-shop-oncall");
/// assert_eq!(alert.pattern()["detail"]["group"][0]["prefix"], "cronport:shop:-:");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertRule {
    /// The EventBridge rule (default bus).
    pub rule: String,
    /// The SNS topic it tells.
    pub topic: String,
    /// The task groups it watches: the deployment's prefix when every job
    /// tells this topic, else each job's group.
    pub groups: AlertGroups,
    /// The rule's tags: the manifest's, and the deployment's
    /// (`managed-by`, `cronport:manifest`, `cronport:env`,
    /// `cronport:record` = `alerts`).
    pub tags: std::collections::BTreeMap<String, String>,
}

/// Which tasks an alert rule watches.
///
/// ```
/// let jobs = cronport::desired::AlertGroups::Jobs(vec!["cronport:shop:-:daily".into()]);
/// assert!(matches!(jobs, cronport::desired::AlertGroups::Jobs(ref g) if g.len() == 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertGroups {
    /// Every task of the deployment (its group prefix).
    Deployment(String),
    /// The tasks of these jobs (their groups).
    Jobs(Vec<String>),
}

impl AlertRule {
    /// The rule's event pattern: a task of these groups stopped, with a
    /// container's non-zero exit code or as failed to start.
    ///
    /// EventBridge matches a field inside a list of objects
    /// (`containers[].exitCode`) when any element's does: one failed
    /// container is enough. A container that never ran has no exit code,
    /// so `anything-but` passes it over; its task's `stopCode` says why.
    ///
    /// ```
    /// use cronport::desired::{AlertGroups, AlertRule};
    /// let alert = AlertRule { rule: "r".into(), topic: "t".into(), tags: Default::default(),
    ///     groups: AlertGroups::Jobs(vec!["cronport:shop:-:daily".into()]) };
    /// assert_eq!(alert.pattern()["detail"]["group"], serde_json::json!(["cronport:shop:-:daily"]));
    /// assert_eq!(alert.pattern()["detail"]["$or"][1]["stopCode"], serde_json::json!(["TaskFailedToStart"]));
    /// ```
    pub fn pattern(&self) -> serde_json::Value {
        let groups = match &self.groups {
            AlertGroups::Deployment(prefix) => serde_json::json!([{ "prefix": prefix }]),
            AlertGroups::Jobs(groups) => serde_json::json!(groups),
        };
        serde_json::json!({
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {
                "group": groups,
                "lastStatus": ["STOPPED"],
                "$or": [
                    {"containers": {"exitCode": [{"anything-but": 0}]}},
                    {"stopCode": ["TaskFailedToStart"]},
                ],
            },
        })
    }

    /// The input transformer's paths: what the message quotes.
    ///
    /// ```
    /// assert_eq!(cronport::desired::AlertRule::input_paths()["group"], "$.detail.group");
    /// ```
    pub fn input_paths() -> std::collections::BTreeMap<String, String> {
        [
            ("group", "$.detail.group"),
            ("exit", "$.detail.containers[0].exitCode"),
            ("stop", "$.detail.stopCode"),
            ("reason", "$.detail.stoppedReason"),
            ("task", "$.detail.taskArn"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// The message, one line: the task group names the manifest, the
    /// environment and the job (`cronport:shop:prod:daily-report`).
    ///
    /// ```
    /// assert!(cronport::desired::AlertRule::input_template().starts_with("\"cronport run failed: <group>"));
    /// ```
    pub fn input_template() -> String {
        "\"cronport run failed: <group> stopped (<stop>, first container's exit code <exit>): <reason> (task <task>)\"".to_string()
    }

    /// The topic's name: the ARN's last part.
    ///
    /// ```
    /// assert_eq!(cronport::desired::AlertRule::topic_name("arn:aws:sns:us-east-1:123456789012:oncall"), "oncall");
    /// ```
    pub fn topic_name(topic: &str) -> &str {
        topic.rsplit(':').next().unwrap_or(topic)
    }
}

/// A CloudWatch alarm on EventBridge's own count of failed invocations:
/// per Scheduler group (`AWS/Scheduler` `TargetErrorCount` and
/// `InvocationDroppedCount`) and per rule (`AWS/Events`
/// `FailedInvocations`), telling the topics of the jobs it covers. It
/// catches what no task event shows: RunTask refused (throttled, a role
/// that may not pass), retries given up.
///
/// ```
/// let text = format!("id = \"shop\"\n{}", cronport::manifest::doc::EXAMPLE.replacen(
///     "[defaults]\n", "[defaults]\nnotify = \"arn:aws:sns:us-east-1:123456789012:oncall\"\n", 1));
/// let m = cronport::manifest::Manifest::from_toml(&text, "m")?;
/// let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let alarms = desired.alarms();
/// assert_eq!(alarms[0].metric, "TargetErrorCount");
/// assert_eq!(alarms[0].dimension, ("ScheduleGroup", "shop".to_string()));
/// assert_eq!(alarms[0].name, "cronport-alarm-shop-shop-oncall-target-errors");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// The alarm's name.
    pub name: String,
    /// `AWS/Scheduler` or `AWS/Events`.
    pub namespace: &'static str,
    /// The metric.
    pub metric: &'static str,
    /// The one dimension: `ScheduleGroup` or `RuleName`, and its value.
    pub dimension: (&'static str, String),
    /// The topic told (one: an alarm tells at most five).
    pub topics: Vec<String>,
}

impl Desired {
    /// The alarms of the jobs that `notify`: per Scheduler group, a pair
    /// for each topic its jobs tell (an alarm tells at most five, so each
    /// topic has its own); per rule, one. Their names start with
    /// [`Desired::alarm_prefix`], so no two deployments' meet.
    ///
    /// ```
    /// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
    /// let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// assert!(desired.alarms().is_empty()); // no job notifies
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alarms(&self) -> Vec<Alarm> {
        use std::collections::{BTreeMap, BTreeSet};
        let prefix = self.alarm_prefix();
        let mut groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut rules = Vec::new();
        for j in &self.jobs {
            let Some(topic) = j.job.notify.as_deref() else {
                continue;
            };
            match j.job.target.backend {
                Backend::Scheduler => {
                    groups
                        .entry(j.job.target.schedule_group.as_str())
                        .or_default()
                        .insert(topic);
                }
                Backend::Rules => rules.extend(j.resources.iter().map(|r| Alarm {
                    name: format!("{prefix}{}-failed-invocations", r.name),
                    namespace: "AWS/Events",
                    metric: "FailedInvocations",
                    dimension: ("RuleName", r.name.clone()),
                    topics: vec![topic.to_string()],
                })),
            }
        }
        let mut out = Vec::new();
        for (group, topics) in groups {
            for topic in topics {
                for (metric, what) in [
                    ("TargetErrorCount", "target-errors"),
                    ("InvocationDroppedCount", "dropped"),
                ] {
                    out.push(Alarm {
                        name: format!("{prefix}{group}-{}-{what}", AlertRule::topic_name(topic)),
                        namespace: "AWS/Scheduler",
                        metric,
                        dimension: ("ScheduleGroup", group.to_string()),
                        topics: vec![topic.to_string()],
                    });
                }
            }
        }
        out.extend(rules);
        out
    }

    /// The start of every alarm name of this deployment:
    /// `cronport-alarm-MANIFEST-` (`cronport-alarm-MANIFEST-ENV-` in an
    /// environment). A topic's policy lets alarms so named publish.
    ///
    /// ```
    /// # let m = cronport::manifest::Manifest::from_toml(&format!("id = \"shop\"\n{}", cronport::manifest::doc::EXAMPLE), "m")?;
    /// let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// assert_eq!(desired.alarm_prefix(), "cronport-alarm-shop-");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alarm_prefix(&self) -> String {
        let d = &self.deployment;
        if d.env == crate::owner::NO_ENVIRONMENT {
            format!("cronport-alarm-{}-", d.manifest)
        } else {
            format!("cronport-alarm-{}-{}-", d.manifest, d.env)
        }
    }
}

/// The record of a deployment's runs: an EventBridge rule that copies the
/// `ECS Task State Change` events of its tasks (their group names the
/// deployment: see [`crate::verify::task_group`]) to a CloudWatch Logs
/// group, and the log group's resource policy that lets EventBridge write
/// there. `cronport verify` reads it.
///
/// ```
/// let example = cronport::manifest::doc::EXAMPLE;
/// let text = format!("id = \"shop\"\n{}", example.replacen("[defaults]\n", "[defaults]\nrun_history_days = 400\n", 1));
/// let m = cronport::manifest::Manifest::from_toml(&text, "m")?;
/// let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let record = desired.run_record.unwrap();
/// assert_eq!(record.log_group, "/aws/events/cronport/shop");
/// assert_eq!(record.rule, "cronport-runs-shop");
/// assert_eq!(record.pattern()["$or"][0]["detail"]["group"][0]["prefix"], "cronport:shop:-:");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    /// The EventBridge rule (default bus).
    pub rule: String,
    /// The CloudWatch Logs group the events go to.
    pub log_group: String,
    /// How many days the log group keeps them.
    pub retention_days: u32,
    /// The log group's resource policy (one per deployment).
    pub policy: String,
    /// The deployment's ECS task group prefix, `cronport:MANIFEST:ENV:`.
    pub group_prefix: String,
    /// The rule's and log group's tags: the manifest's, and the record
    /// (`managed-by`, `cronport:manifest`, `cronport:env`,
    /// `cronport:record`).
    pub tags: std::collections::BTreeMap<String, String>,
}

/// The tag that marks a run record's rule and log group, beside the
/// manifest's and environment's: no job's, so no job's plan acts on it.
///
/// ```
/// assert_eq!(cronport::desired::RECORD_TAG, "cronport:record");
/// ```
pub const RECORD_TAG: &str = "cronport:record";

/// The tags of a deployment's own resource of `kind` (`runs`, `alerts`):
/// the manifest's, then `managed-by`, the manifest and environment, and
/// [`RECORD_TAG`] = `kind`, which no job's plan acts on.
fn deployment_tags(
    deployment: &crate::owner::Deployment,
    manifest_tags: &std::collections::BTreeMap<String, String>,
    kind: &str,
) -> std::collections::BTreeMap<String, String> {
    let mut tags = manifest_tags.clone();
    tags.insert(crate::owner::MANAGED_BY.to_string(), "cronport".to_string());
    tags.insert("cronport:manifest".to_string(), deployment.manifest.clone());
    tags.insert("cronport:env".to_string(), deployment.env.clone());
    tags.insert(RECORD_TAG.to_string(), kind.to_string());
    tags
}

impl RunRecord {
    /// The record of `deployment`'s runs, its names from the manifest's
    /// prefix and suffix.
    fn of(
        deployment: &crate::owner::Deployment,
        prefix: &str,
        suffix: &str,
        retention_days: u32,
        tags: &std::collections::BTreeMap<String, String>,
    ) -> RunRecord {
        let env = &deployment.env;
        let log_group = Self::log_group_name(&deployment.manifest, env);
        let policy = Self::policy_name(&deployment.manifest, env);
        // Never cut: two deployments' cut names could be one rule (see the
        // check in `compile`).
        let rule = format!("{prefix}runs-{}{suffix}", deployment.manifest);
        let tags = deployment_tags(deployment, tags, "runs");
        RunRecord {
            rule,
            log_group,
            retention_days,
            policy,
            group_prefix: format!(
                "{}{}:{env}:",
                crate::verify::GROUP_PREFIX,
                deployment.manifest
            ),
            tags,
        }
    }

    /// The log group of the record of `manifest`'s environment `env`.
    ///
    /// ```
    /// use cronport::desired::RunRecord;
    /// assert_eq!(RunRecord::log_group_name("shop", "prod"), "/aws/events/cronport/shop/prod");
    /// ```
    pub fn log_group_name(manifest: &str, env: &str) -> String {
        if env == crate::owner::NO_ENVIRONMENT {
            format!("/aws/events/cronport/{manifest}")
        } else {
            format!("/aws/events/cronport/{manifest}/{env}")
        }
    }

    /// The name of the resource policy of the record of `manifest`'s
    /// environment `env` (`-`: none).
    ///
    /// ```
    /// use cronport::desired::RunRecord;
    /// assert_eq!(RunRecord::policy_name("shop", "-"), "cronport-runs-shop");
    /// assert_eq!(RunRecord::policy_name("shop", "prod"), "cronport-runs-shop-prod");
    /// ```
    pub fn policy_name(manifest: &str, env: &str) -> String {
        if env == crate::owner::NO_ENVIRONMENT {
            format!("cronport-runs-{manifest}")
        } else {
            format!("cronport-runs-{manifest}-{env}")
        }
    }

    /// The rule's event pattern: this deployment's tasks, when they run
    /// and when they stop; and CloudTrail's record of each of its RunTask
    /// calls that ECS could place no task for (its `failures`: no task,
    /// so no task event, is made). CloudTrail delivers those only where a
    /// trail logs the account's management events.
    ///
    /// ```
    /// let text = format!("id = \"shop\"\n{}", cronport::manifest::doc::EXAMPLE.replacen("[defaults]\n", "[defaults]\nrun_history_days = 30\n", 1));
    /// let m = cronport::manifest::Manifest::from_toml(&text, "m")?;
    /// let record = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?.run_record.unwrap();
    /// assert_eq!(record.pattern()["$or"][0]["detail"]["lastStatus"], serde_json::json!(["RUNNING", "STOPPED"]));
    /// assert_eq!(record.pattern()["$or"][1]["detail"]["eventName"], serde_json::json!(["RunTask"]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pattern(&self) -> serde_json::Value {
        serde_json::json!({
            "source": ["aws.ecs"],
            "$or": [
                {
                    "detail-type": ["ECS Task State Change"],
                    "detail": {
                        "group": [{"prefix": self.group_prefix}],
                        "lastStatus": ["RUNNING", "STOPPED"],
                    },
                },
                {
                    "detail-type": ["AWS API Call via CloudTrail"],
                    "detail": {
                        "eventSource": ["ecs.amazonaws.com"],
                        "eventName": ["RunTask"],
                        "requestParameters": {"group": [{"prefix": self.group_prefix}]},
                        "responseElements": {"failures": {"reason": [{"exists": true}]}},
                    },
                },
            ],
        })
    }

    /// The log group's resource policy: EventBridge may write to this
    /// deployment's log group, nothing else (`log_group_arn` is the log
    /// group's).
    ///
    /// ```
    /// let doc = cronport::desired::RunRecord::policy_document_for("arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/cronport/shop:*");
    /// assert_eq!(doc["Statement"][0]["Resource"], "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/cronport/shop:*");
    /// ```
    pub fn policy_document_for(log_group_arn: &str) -> serde_json::Value {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "EventBridgeWritesCronportRuns",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": format!("{}:*", log_group_arn.trim_end_matches(":*")),
            }],
        })
    }
}

/// The cutover holds of a compile: which jobs wait for their instant.
///
/// ```
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// use cronport::desired::{compile, CompileOptions};
/// let options = CompileOptions { start_at: Some("2027-02-04T15:00:00Z".parse()?), ..CompileOptions::starting("2026-11-24T00:00:00Z".parse()?) };
/// let holds = compile(&m, &options)?.holds().unwrap();
/// assert_eq!(holds.jobs, 2);
/// assert_eq!(holds.to_string(), "2 job(s) held until the cutover instant 2027-02-04T15:00:00Z: no run before it");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holds {
    /// Jobs held.
    pub jobs: usize,
    /// Of them, jobs on the rules backend, created disabled until the
    /// cutover enables them.
    pub on_rules: usize,
    /// The instants, earliest first.
    pub until: Vec<Timestamp>,
}

impl Holds {
    /// What the caller can do: enable held rules at the instant.
    ///
    /// ```
    /// let h = cronport::desired::Holds { jobs: 1, on_rules: 0, until: vec!["2027-01-01T00:00:00Z".parse()?] };
    /// assert_eq!(h.hint(), None);
    /// # Ok::<(), jiff::Error>(())
    /// ```
    pub fn hint(&self) -> Option<crate::Hint> {
        let at = *self.until.first()?;
        (self.on_rules > 0).then_some(crate::Hint::CutoverAt { at })
    }
}

impl std::fmt::Display for Holds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let until: Vec<String> = self.until.iter().map(Timestamp::to_string).collect();
        let instants = if until.len() == 1 {
            "instant"
        } else {
            "instants"
        };
        write!(
            f,
            "{} job(s) held until the cutover {instants} {}: no run before it",
            self.jobs,
            until.join(", ")
        )?;
        if self.on_rules > 0 {
            write!(
                f,
                "; the rules of {} are created disabled until then",
                self.on_rules
            )?;
        }
        Ok(())
    }
}

impl Desired {
    /// The jobs held until a cutover instant, if any.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// use cronport::desired::{compile, CompileOptions};
    /// let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// let now = CompileOptions::starting("2026-11-24T00:00:00Z".parse()?);
    /// assert!(compile(&m, &now)?.holds().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn holds(&self) -> Option<Holds> {
        let held: Vec<&DesiredJob> = self
            .jobs
            .iter()
            .filter(|j| j.held_until.is_some())
            .collect();
        if held.is_empty() {
            return None;
        }
        let mut until: Vec<Timestamp> = held.iter().filter_map(|j| j.held_until).collect();
        until.sort();
        until.dedup();
        Some(Holds {
            jobs: held.len(),
            on_rules: held
                .iter()
                .filter(|j| j.job.target.backend == Backend::Rules)
                .count(),
            until,
        })
    }

    /// The schedule groups the Scheduler jobs use, with their tags (the
    /// first job's in a group; the tags of a group are `[defaults]`', as
    /// jobs on the Scheduler backend may set none), by name.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
    /// let groups = desired.schedule_groups();
    /// assert_eq!(groups["shop"]["managed-by"], "cronport");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn schedule_groups(
        &self,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
        let mut groups = std::collections::BTreeMap::new();
        for job in &self.jobs {
            let t = &job.job.target;
            // `default` exists in every account and is nobody's to create.
            if t.backend == Backend::Scheduler && t.schedule_group != "default" {
                groups
                    .entry(t.schedule_group.clone())
                    .or_insert_with(|| t.tags.clone());
            }
        }
        groups
    }
}

/// One job: its settings, its verified translation, and the schedules or
/// rules that carry it.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let desired = compile(&m, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let every_ten = &desired.jobs[1];
/// assert_eq!(every_ten.job.name, "fan-out");
/// assert_eq!(every_ten.translation.verified.firings, 58_032); // 403 days × 144
/// assert_eq!(every_ten.resources.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct DesiredJob {
    /// The job with defaults merged in.
    pub job: ResolvedJob,
    /// The translation and its proof.
    pub translation: Translation,
    /// The ECS RunTask request every run makes: the one value the
    /// schedule's Input, the rule's target, the templates and `cronport run`
    /// all serialise.
    pub run_task: RunTask,
    /// One schedule (or rule) per target expression.
    pub resources: Vec<Resource>,
    /// The job's `start_at` when it is after the compile's `from`: no run
    /// before it. Scheduler schedules carry it as `StartDate`; rules are
    /// created disabled (`job.enabled` is false) for `cronport cutover` to
    /// enable at the instant.
    pub held_until: Option<Timestamp>,
}

/// A rate's `StartDate`: the instant of its phase (counted from its
/// `start_date`, else the Unix epoch) that Scheduler counts from. Never in
/// the past: a start still ahead is kept (moved on by whole intervals to a
/// hold); otherwise the phase's first instant at or after the hold, or
/// after the render's day (UTC) ends, so a file rendered any time that day
/// is the same file and can still be deployed that day.
fn rate_start(
    rate: crate::schedule::Rate,
    start: Option<Timestamp>,
    from: Timestamp,
    held_until: Option<Timestamp>,
) -> Timestamp {
    let anchor = start.unwrap_or(Timestamp::UNIX_EPOCH);
    if anchor > from {
        return held_until.map_or(anchor, |at| rate.first_at_or_after(anchor, at));
    }
    let not_before = held_until.unwrap_or_else(|| {
        let day = 86_400;
        let next_midnight = (from.as_second().div_euclid(day) + 1) * day;
        Timestamp::from_second(next_midnight).unwrap_or(from)
    });
    rate.first_at_or_after(anchor, not_before)
}

/// One EventBridge schedule or rule.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest};
/// // Under EventBridge rules, a New York job becomes one UTC rule per offset period.
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
/// # [[job]]
/// # name = "ny"
/// # schedule = "0 9 * * *"
/// # command = "rake ny"
/// # timezone = "America/New_York"
/// # "#;
/// let desired = compile(&Manifest::from_toml(text, "m")?, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let ny = desired.jobs.last().unwrap();
/// assert!(ny.resources.len() > 1);
/// assert!(ny.resources.iter().all(|r| r.timezone == "UTC" && r.name.starts_with("cronport-ny")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resource {
    /// Its AWS name.
    pub name: String,
    /// Its expression.
    pub expression: String,
    /// The zone the expression reads (`UTC` for rules).
    pub timezone: String,
    /// `StartDate` of a Scheduler schedule: for a `rate(...)`, the instant
    /// its runs count from, as verified (without one, AWS starts a rate
    /// schedule at once, on creation); for any schedule, the cutover
    /// instant (`start_at`) while it is ahead.
    pub start_date: Option<Timestamp>,
}

/// Why a manifest did not compile.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest};
/// // Vixie's day-of-month OR day-of-week is refused unless the user chooses.
/// # let text = r#"
/// # [defaults]
/// # cluster = "production"
/// # task_definition = "app-worker"
/// # container = "worker"
/// # role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
/// # subnets = ["subnet-0a1b2c3d"]
/// # schedule_group = "shop"
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
/// # [[job]]
/// # name = "either"
/// # schedule = "0 12 1 * 1"
/// # command = "rake x"
/// # "#;
/// let err = compile(&Manifest::from_toml(text, "m")?, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?)).unwrap_err();
/// assert_eq!(err.problems.len(), 1);
/// assert_eq!((err.problems[0].job, err.problems[0].key), (Some(2), "schedule"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct CompileError {
    /// Every problem found.
    pub problems: Vec<Problem>,
}

/// The longest target `Input` AWS accepts.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions, MAX_INPUT_LEN}, manifest::Manifest};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let long = format!("echo {}", "x".repeat(MAX_INPUT_LEN));
/// let text = format!("{text}\n[[job]]\nname = \"long\"\nschedule = \"@daily\"\ncommand = \"{long}\"\n");
/// let err = compile(&Manifest::from_toml(&text, "m")?, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?)).unwrap_err();
/// assert!(err.to_string().contains("8192"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_INPUT_LEN: usize = 8192;

/// Resolves, translates and verifies every job.
///
/// ```
/// use cronport::desired::{compile, CompileOptions};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let manifest = cronport::manifest::Manifest::from_toml(text, "cronport.toml")?;
/// let desired = compile(&manifest, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// assert_eq!(desired.jobs.len(), 2);
/// assert_eq!(desired.jobs[1].resources[0].expression, "cron(0/10 * * * ? *)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compile(manifest: &Manifest, options: &CompileOptions) -> Result<Desired, CompileError> {
    let jobs = manifest
        .resolve()
        .map_err(|problems| CompileError { problems })?;
    let mut problems = Vec::new();
    let mut desired = Vec::new();
    for (i, job) in jobs.into_iter().enumerate() {
        if job.target.backend == Backend::Rules {
            for (key, value, kind) in [
                ("cluster", &job.target.cluster, ":ecs:"),
                ("task_definition", &job.target.task_definition, ":ecs:"),
            ] {
                if !(value.starts_with("arn:") && value.contains(kind)) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        job: Some(i),
                        key,
                        message: format!("job `{}` uses EventBridge rules, whose ECS targets need ARNs: write the {key} ARN instead of `{value}` (or use backend = \"scheduler\", which takes names)", job.name),
                        remedies: Vec::new(),
                    });
                }
            }
        }
        let translate_options = Options {
            dom_dow: options.dom_dow,
            ..Options::new(job.target.backend, options.from, options.until)
        };
        match translate(&job.schedule, &translate_options) {
            Ok(translation) => {
                let count = translation.targets.len();
                // A cutover instant (`start_at`) still ahead holds every run
                // before it: a Scheduler schedule starts there, rules wait
                // disabled.
                let held_until =
                    (options.start_at.or(job.start_at)).filter(|at| *at > options.from);
                let mut translation = translation;
                let start_date = match (job.schedule.pattern(), job.target.backend) {
                    (_, Backend::Rules) => None,
                    // A rate left a rate (no cron writes it) carries its
                    // phase in the StartDate.
                    (Pattern::Rate(rate), Backend::Scheduler) if translation.keeps_rate() => {
                        let start =
                            rate_start(*rate, job.schedule.start(), options.from, held_until);
                        // No run before the StartDate: the proof starts there.
                        if start > options.from
                            && let Ok(from_start) = translate(
                                &job.schedule,
                                &Options {
                                    from: start,
                                    ..translate_options.clone()
                                },
                            )
                        {
                            translation = from_start;
                        }
                        // cronport gives it the StartDate the warning asks for.
                        translation.warnings.retain(|w| {
                            !matches!(w, crate::translate::Warning::RateNeedsStartDate { .. })
                        });
                        if held_until.is_none()
                            && job.schedule.start().is_none_or(|s| s <= options.from)
                        {
                            translation.notes.push("no cron writes this rate, so its StartDate carries the phase: the first instant of the phase after the UTC day of the render ends (it does not run before then), so that every render that day writes the same file".to_string());
                        }
                        Some(start)
                    }
                    (_, Backend::Scheduler) => held_until,
                };
                let mut job = job;
                // Held rules wait disabled (one summary says so: see
                // `Desired::holds`), and carry the instant in a tag, so a
                // later plan knows a disabled rule is a hold.
                if held_until.is_some() && job.target.backend == Backend::Rules && job.enabled {
                    job.enabled = false;
                }
                let resources: Vec<Resource> = translation
                    .targets
                    .iter()
                    .enumerate()
                    .map(|(n, t)| Resource {
                        name: if n == 0 {
                            job.aws_name.clone()
                        } else {
                            format!("{}-{}", job.aws_name, n + 1)
                        },
                        expression: t.expression.clone(),
                        timezone: t.timezone.clone(),
                        start_date,
                    })
                    .collect();
                let run_task = job.run_task();
                let input_len = match job.target.backend {
                    Backend::Scheduler => run_task.to_json(Casing::Pascal).to_string().len(),
                    Backend::Rules => run_task.overrides.to_json(Casing::Camel).to_string().len(),
                };
                if input_len > MAX_INPUT_LEN {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        job: Some(i),
                        key: "command",
                        message: format!("job `{}`: its target input would be {input_len} characters; AWS allows {MAX_INPUT_LEN}: shorten the command or the environment", job.name),
                        remedies: Vec::new(),
                    });
                }
                if let Some(long) = resources.iter().find(|r| r.name.len() > MAX_NAME_LEN) {
                    problems.push(Problem {
                        kind: ProblemKind::Invalid,
                        job: Some(i),
                        key: "name",
                        message: format!("job `{}` needs {count} expressions, named up to `{}`, longer than AWS's {MAX_NAME_LEN} characters: shorten the job name", job.name, long.name),
                        remedies: Vec::new(),
                    });
                }
                desired.push(DesiredJob {
                    job,
                    translation,
                    run_task,
                    resources,
                    held_until,
                });
            }
            Err(refused) => {
                let message = match refused.kind {
                    crate::translate::RefusalKind::NeverRuns => format!(
                        "job `{}`: schedule `{}`: {}",
                        job.name, job.expression, refused.reason
                    ),
                    crate::translate::RefusalKind::NotExact => format!(
                        "job `{}`: schedule `{}` is not representable exactly: {}",
                        job.name, job.expression, refused.reason
                    ),
                };
                problems.push(Problem {
                    kind: ProblemKind::NotTranslatable,
                    job: Some(i),
                    key: "schedule",
                    message,
                    remedies: refused.options.clone(),
                });
            }
        }
    }
    if problems.is_empty() {
        // Every job compiled, so `desired` indexes as the manifest does.
        problems.extend(name_collisions(&desired));
    }
    let deployment = crate::owner::Deployment {
        manifest: manifest.owner_id(),
        derived: manifest.id.is_none(),
        env: manifest
            .environment
            .clone()
            .unwrap_or_else(|| crate::owner::NO_ENVIRONMENT.to_string()),
        takes_over: manifest.lineage.takes_over.clone(),
        siblings: manifest.lineage.siblings.clone(),
    };
    let d = &manifest.defaults;
    let run_record = d.run_history_days.filter(|days| *days > 0).map(|days| {
        RunRecord::of(
            &deployment,
            d.name_prefix.as_deref().unwrap_or("cronport-"),
            d.name_suffix.as_deref().unwrap_or(""),
            days,
            &d.tags.clone().unwrap_or_default(),
        )
    });
    if let Some(record) = &run_record
        && record.rule.len() > MAX_NAME_LEN
    {
        problems.push(Problem {
            job: None,
            key: "run_history_days",
            kind: ProblemKind::Invalid,
            message: format!(
                "the run record's rule `{}` would be {} characters; AWS allows {MAX_NAME_LEN}: shorten the manifest's id, name_prefix or name_suffix",
                record.rule,
                record.rule.len()
            ),
            remedies: Vec::new(),
        });
    }
    // The record's rule shares the default bus with rules-backend jobs.
    if let Some(record) = &run_record
        && let Some(i) = desired.iter().position(|j| {
            j.job.target.backend == Backend::Rules
                && j.resources.iter().any(|r| r.name == record.rule)
        })
    {
        problems.push(Problem {
            job: Some(i),
            key: "name",
            kind: ProblemKind::Conflict,
            message: format!(
                "job `{}` would be the rule `{}`, the name of this deployment's run record: rename the job",
                desired[i].job.name, record.rule
            ),
            remedies: Vec::new(),
        });
    }
    let alerts = alert_rules(&desired, &deployment, manifest, &mut problems);
    if problems.is_empty() {
        Ok(Desired {
            jobs: desired,
            from: options.from,
            until: options.until,
            deployment,
            run_record,
            alerts,
        })
    } else {
        Err(CompileError { problems })
    }
}

/// The alert rules: the jobs that `notify`, by topic. A rule's name is
/// never cut, as two cut names could be one rule.
fn alert_rules(
    jobs: &[DesiredJob],
    deployment: &crate::owner::Deployment,
    manifest: &Manifest,
    problems: &mut Vec<Problem>,
) -> Vec<AlertRule> {
    let mut by_topic: std::collections::BTreeMap<&str, Vec<&DesiredJob>> = Default::default();
    for j in jobs {
        if let Some(topic) = j.job.notify.as_deref() {
            by_topic.entry(topic).or_default().push(j);
        }
    }
    let d = &manifest.defaults;
    let (prefix, suffix) = (
        d.name_prefix.as_deref().unwrap_or("cronport-"),
        d.name_suffix.as_deref().unwrap_or(""),
    );
    let tags = deployment_tags(deployment, &d.tags.clone().unwrap_or_default(), "alerts");
    let mut rules = Vec::new();
    for (topic, notified) in by_topic {
        let rule = format!(
            "{prefix}alerts-{}-{}{suffix}",
            deployment.manifest,
            AlertRule::topic_name(topic)
        );
        let groups = if notified.len() == jobs.len() {
            AlertGroups::Deployment(format!(
                "{}{}:{}:",
                crate::verify::GROUP_PREFIX,
                deployment.manifest,
                deployment.env
            ))
        } else {
            AlertGroups::Jobs(
                notified
                    .iter()
                    .map(|j| crate::verify::task_group(&j.job.owner))
                    .collect(),
            )
        };
        let alert = AlertRule {
            rule,
            topic: topic.to_string(),
            groups,
            tags: tags.clone(),
        };
        let mut problem = |message: String| {
            problems.push(Problem {
                job: None,
                key: "notify",
                kind: ProblemKind::Invalid,
                message,
                remedies: Vec::new(),
            })
        };
        if alert.rule.len() > MAX_NAME_LEN {
            problem(format!(
                "the alert rule `{}` would be {} characters; AWS allows {MAX_NAME_LEN}: shorten the manifest's id, name_prefix, name_suffix or the topic's name",
                alert.rule,
                alert.rule.len()
            ));
        }
        let pattern = alert.pattern().to_string().len();
        if pattern > MAX_EVENT_PATTERN {
            problem(format!(
                "{} of the {} jobs tell `{topic}`, each named in its alert rule's pattern: {pattern} characters, and EventBridge allows {MAX_EVENT_PATTERN}; when every job tells one topic the rule names the deployment instead, or split the jobs over fewer topics",
                notified.len(),
                jobs.len()
            ));
        }
        if let Some(j) = jobs.iter().find(|j| {
            j.job.target.backend == Backend::Rules
                && j.resources.iter().any(|r| r.name == alert.rule)
        }) {
            problem(format!(
                "job `{}` would be the rule `{}`, the name of an alert rule: rename the job",
                j.job.name, alert.rule
            ));
        }
        if let Some(other) = rules.iter().find(|r: &&AlertRule| r.rule == alert.rule) {
            problem(format!(
                "`{}` and `{topic}` are two topics named `{}`: their alert rules would be one, `{}`; tell one topic, or rename one",
                other.topic,
                AlertRule::topic_name(topic),
                alert.rule
            ));
        }
        // EventBridge and CloudWatch tell topics of their own region.
        if let Some(home) = jobs.iter().find_map(|j| j.job.target.region())
            && topic.split(':').nth(3) != Some(home)
        {
            problem(format!(
                "`{topic}` is in another region than the deployment ({home}): EventBridge rules and CloudWatch alarms tell topics of their own region"
            ));
        }
        rules.push(alert);
    }
    rules
}

/// The longest event pattern EventBridge takes (botocore's events model:
/// `EventPattern` max 4096).
const MAX_EVENT_PATTERN: usize = 4096;

/// Two resources that would have one AWS name: a schedule's name is unique
/// within its group, a rule's within the account's default bus. Job names
/// are unique, but a prefix, a suffix or a DST split's `-2` can still make
/// two jobs write one resource (`a` split in two is `a` and `a-2`, which a
/// job named `a-2` also is); each apply would overwrite the other's.
fn name_collisions(jobs: &[DesiredJob]) -> Vec<Problem> {
    let mut owners: std::collections::BTreeMap<(Backend, &str, &str), usize> =
        std::collections::BTreeMap::new();
    let mut problems = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        let t = &job.job.target;
        let scope = match t.backend {
            Backend::Scheduler => t.schedule_group.as_str(),
            Backend::Rules => "",
        };
        for resource in &job.resources {
            match owners.entry((t.backend, scope, resource.name.as_str())) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
                std::collections::btree_map::Entry::Occupied(o) if *o.get() != i => {
                    let other = &jobs[*o.get()].job.name;
                    problems.push(Problem {
                        kind: ProblemKind::Conflict,
                        job: Some(i),
                        key: "name",
                        message: format!(
                            "jobs `{other}` and `{}` would both be the {} `{}`{}: rename one of them",
                            job.job.name,
                            match t.backend {
                                Backend::Scheduler => "schedule",
                                Backend::Rules => "rule",
                            },
                            resource.name,
                            if scope.is_empty() { String::new() } else { format!(" in group `{scope}`") }
                        ),
                        remedies: Vec::new(),
                    });
                }
                std::collections::btree_map::Entry::Occupied(_) => {}
            }
        }
    }
    problems
}
