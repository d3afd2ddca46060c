//! Plan and apply against AWS: read what cronport manages, compare it with
//! the desired state, and make the difference, safely.
//!
//! * [`Clients::connect`] builds the real SDK clients from the usual AWS
//!   settings (`--profile`, `--region`, `--endpoint-url`, environment).
//! * [`plan`] reads live state (all pages), checks clusters, task
//!   definitions, containers and the role, and returns a [`Plan`], a pure
//!   [`compare`] of desired and live: per resource (a typed [`Address`])
//!   create, update (with the fields that change), delete (what this
//!   deployment owns and no longer wants, wherever it is), unchanged, or a
//!   conflict with something it does not own, which it never touches.
//! * [`apply`] makes the plan's writes with bounded concurrency; the SDK
//!   retries throttling, 5xx, dropped connections and timeouts with backoff.
//!   Writes are idempotent, so re-running converges after any failure.
//!
//! Ownership is the owner record on each resource (manifest id,
//! environment, job; see [`crate::owner`]), and nothing else.

mod adopt;
mod apply;
mod compare;
mod fit;
mod live;
mod migrate;
mod run;
mod spec;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use serde::Serialize;

use crate::desired::Desired;
use crate::escape::one_line;
use crate::translate::Backend;

pub(crate) use adopt::command_text;
pub use adopt::import_aws;
pub use apply::{Applied, ApplyReport, Outcome, apply};
pub use compare::{Address, LiveRule, LiveState, compare, twins};
pub use fit::{ContainerFacts, Fitted, JobNote, TaskDefinitionFacts, fit};
pub use migrate::{Switch, enable_rules, enabled_runners, migrate, preview_migration};
pub use run::{
    LogFollower, LogSink, REHEARSAL_LOG_LINES, Rehearsal, RehearsalOutcome, Stopped, Waiting,
    rehearse, run_now, wait_stopped,
};
pub use spec::{
    DEFAULT_RETRY, FieldChange, RetrySpec, RuleSpec, ScheduleSpec, differences,
    normalize_overrides_input, normalize_run_task_input,
};

/// How to reach AWS: the settings the AWS CLI knows, plus cronport's own.
///
/// ```
/// let local = cronport::aws::AwsOptions { endpoint_url: Some("http://127.0.0.1:5000".into()), ..Default::default() };
/// assert!(local.profile.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    /// A profile in the shared config files.
    pub profile: Option<String>,
    /// The region.
    pub region: Option<String>,
    /// Another endpoint (a local moto server, say).
    pub endpoint_url: Option<String>,
    /// Attempts per call, including the first (default 8).
    pub max_attempts: Option<u32>,
}

/// The SDK clients cronport uses.
///
/// ```
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use cronport::aws::{AwsOptions, Clients};
/// // A local moto server, as the tests use.
/// let local = AwsOptions { endpoint_url: Some("http://127.0.0.1:5000".into()), region: Some("us-east-1".into()), ..AwsOptions::default() };
/// let clients = Clients::connect(&local).await;
/// let groups = clients.scheduler.list_schedule_groups().send().await?;
/// println!("{} schedule groups", groups.schedule_groups().len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Clients {
    /// EventBridge Scheduler.
    pub scheduler: aws_sdk_scheduler::Client,
    /// EventBridge.
    pub events: aws_sdk_eventbridge::Client,
    /// ECS.
    pub ecs: aws_sdk_ecs::Client,
    /// CloudWatch Logs, for following a run's log lines.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// IAM (read only: the role the schedules assume).
    pub iam: aws_sdk_iam::Client,
}

impl Clients {
    /// Clients from the default AWS configuration chain and `options`.
    ///
    /// ```
    /// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
    /// use cronport::aws::{AwsOptions, Clients};
    /// let clients = Clients::connect(&AwsOptions {
    ///     profile: Some("prod".into()),
    ///     region: Some("eu-west-1".into()),
    ///     ..AwsOptions::default()
    /// })
    /// .await;
    /// # let _ = clients; Ok(()) }
    /// ```
    pub async fn connect(options: &AwsOptions) -> Clients {
        Clients::from_config(&Clients::load(options).await)
    }

    /// [`Clients::connect`], then checks what the AWS CLI checks before a
    /// call, each failure one sentence: a named profile exists and gives
    /// credentials (a profile wins over environment keys, as with the AWS
    /// CLI), some credentials are found, and a region is set.
    ///
    /// ```
    /// # async fn example() -> Result<(), String> {
    /// use cronport::aws::{AwsOptions, Clients};
    /// let options = AwsOptions { profile: Some("nosuch".into()), ..AwsOptions::default() };
    /// let err = Clients::connect_checked(&options).await.unwrap_err();
    /// assert!(err.contains("profile `nosuch`"));
    /// # Ok(()) }
    /// ```
    pub async fn connect_checked(options: &AwsOptions) -> Result<Clients, String> {
        use aws_sdk_scheduler::config::ProvideCredentials;
        let config = Clients::load(options).await;
        let Some(provider) = config.credentials_provider() else {
            return Err(
                "no AWS credentials: set --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                    .to_string(),
            );
        };
        let found =
            tokio::time::timeout(Duration::from_secs(20), provider.provide_credentials()).await;
        match (found, &options.profile) {
            (Ok(Ok(_)), _) => {}
            (Ok(Err(e)), Some(profile)) => {
                return Err(format!(
                    "the profile `{profile}` gives no credentials: {} (the AWS CLI reads profiles from ~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)",
                    error_text(&e)
                ));
            }
            (Ok(Err(e)), None) => {
                return Err(format!(
                    "no AWS credentials: {} (set --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
                    error_text(&e)
                ));
            }
            (Err(_), _) => {
                return Err("no AWS credentials after 20 seconds of looking (profile, environment, instance metadata): set --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_string());
            }
        }
        if config.region().is_none() {
            return Err(
                "no AWS region: pass --region, set AWS_REGION, or give the profile a region"
                    .to_string(),
            );
        }
        reach(&config, options).await?;
        Ok(Clients::from_config(&config))
    }

    fn from_config(config: &aws_config::SdkConfig) -> Clients {
        Clients {
            scheduler: aws_sdk_scheduler::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
            ecs: aws_sdk_ecs::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
        }
    }

    async fn load(options: &AwsOptions) -> aws_config::SdkConfig {
        let retry = RetryConfig::standard()
            .with_max_attempts(options.max_attempts.unwrap_or(8))
            .with_initial_backoff(Duration::from_millis(50))
            .with_max_backoff(Duration::from_secs(5));
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(20))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(profile) = &options.profile {
            // As with the AWS CLI, a named profile wins over the
            // environment's keys (the default chain reads those first).
            loader = loader.profile_name(profile).credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .profile_name(profile)
                    .build(),
            );
        }
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        loader.load().await
    }
}

/// How long a first call may take before AWS counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

/// One cheap call, once, with short timeouts: an endpoint that refuses
/// connections or never answers is one sentence within seconds, not the
/// minutes the normal retries would take. Answers that are errors of AWS's
/// own (access denied, say) mean it was reached; the real calls report them.
async fn reach(config: &aws_config::SdkConfig, options: &AwsOptions) -> Result<(), String> {
    use aws_sdk_scheduler::error::SdkError;
    let probe = config
        .to_builder()
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(REACH_TIMEOUT)
                .build(),
        )
        .build();
    let place = match (&options.endpoint_url, config.region()) {
        (Some(url), _) => url.clone(),
        (None, Some(region)) => format!("the EventBridge Scheduler endpoint of {region}"),
        (None, None) => "AWS".to_string(),
    };
    let answer = aws_sdk_scheduler::Client::new(&probe)
        .list_schedule_groups()
        .max_results(1)
        .send()
        .await;
    match answer {
        Err(SdkError::DispatchFailure(e)) => Err(format!(
            "cannot reach {place}: {}",
            e.as_connector_error().map_or_else(
                || "the request could not be sent".to_string(),
                |c| root_cause(c).to_string()
            )
        )),
        Err(SdkError::TimeoutError(_)) => Err(format!(
            "{place} did not answer within {} seconds",
            REACH_TIMEOUT.as_secs()
        )),
        _ => Ok(()),
    }
}

/// The innermost cause of an error ("Connection refused (os error 111)").
fn root_cause<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause
}

/// What the plan does with one resource.
///
/// ```
/// use cronport::aws::{Action, FieldChange};
/// let update = Action::Update { fields: vec![FieldChange { field: "expression".into(), before: "cron(0 9 * * ? *)".into(), after: "cron(0 10 * * ? *)".into() }] };
/// let json = serde_json::to_value(&update)?;
/// assert_eq!(json["action"], "update");
/// assert_eq!(json["fields"][0]["after"], "cron(0 10 * * ? *)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Create it.
    Create,
    /// Update these fields.
    Update {
        /// The fields that change.
        fields: Vec<FieldChange>,
    },
    /// Delete it: this deployment owns it and the manifest no longer wants
    /// it (the change's `reason` says why).
    Delete,
    /// Already as desired.
    Unchanged,
    /// Something with this name exists that cronport does not own; it is
    /// left exactly as it is.
    Conflict {
        /// Why it is not cronport's.
        reason: String,
    },
}

impl Action {
    /// `Update` with `fields`, or `Unchanged` when there are none.
    ///
    /// ```
    /// assert_eq!(cronport::aws::Action::update(vec![]), cronport::aws::Action::Unchanged);
    /// ```
    pub fn update(fields: Vec<FieldChange>) -> Action {
        if fields.is_empty() {
            Action::Unchanged
        } else {
            Action::Update { fields }
        }
    }

    /// The plan's sign: `+`, `~`, `-`, `!`, or a space when unchanged.
    ///
    /// ```
    /// assert_eq!(cronport::aws::Action::Delete.symbol(), "-");
    /// ```
    pub fn symbol(&self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update { .. } => "~",
            Action::Delete => "-",
            Action::Conflict { .. } => "!",
            Action::Unchanged => " ",
        }
    }
}

/// The desired state of one resource, for apply.
///
/// ```
/// use cronport::aws::{DesiredSpec, ScheduleSpec};
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
/// # "#;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let job = &desired.jobs[0];
/// let spec = DesiredSpec::Schedule(Box::new(ScheduleSpec::desired(job, &job.resources[0])));
/// assert!(matches!(spec, DesiredSpec::Schedule(ref s) if s.group == "shop"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DesiredSpec {
    /// A schedule group and its tags.
    Group(String, BTreeMap<String, String>),
    /// A schedule.
    Schedule(Box<ScheduleSpec>),
    /// A rule.
    Rule(Box<RuleSpec>),
}

/// One resource's change: where, what happens, the state it leads to.
///
/// ```
/// use cronport::aws::{Action, Address, Change, Plan};
/// let create = Change::new(
///     Address::Schedule { group: "mamorio".into(), name: "cronport-daily".into() },
///     Some("daily"),
///     Action::Create,
///     None,
/// );
/// let plan = Plan { changes: vec![create], warnings: vec![] };
/// assert!(plan.to_text().starts_with("  + schedule mamorio/cronport-daily  (job daily)\n"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Where: kind, group and name.
    #[serde(flatten)]
    pub address: Address,
    /// The job it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// What happens.
    #[serde(flatten)]
    pub action: Action,
    /// Why, for a delete: the job left the manifest, or runs elsewhere now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The live state, every attribute (not for creates), as `plan
    /// --format json` shows it, like `terraform show -json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// The desired state, every attribute (not for deletes).
    #[serde(rename = "after", skip_serializing_if = "Option::is_none")]
    pub desired: Option<DesiredSpec>,
    /// Target IDs a live rule has besides cronport's (removed on update).
    #[serde(skip)]
    pub extra_targets: Vec<String>,
    /// The live expression and its zone, when the resource exists.
    #[serde(skip)]
    pub live: Option<(String, String)>,
}

impl Change {
    /// A change with nothing read live yet.
    ///
    /// ```
    /// use cronport::aws::{Action, Address, Change};
    /// let c = Change::new(Address::Rule { name: "r".into() }, Some("job"), Action::Delete, None);
    /// assert_eq!((c.address.to_string(), c.job.as_deref()), ("rule r".to_string(), Some("job")));
    /// ```
    pub fn new(
        address: Address,
        job: Option<&str>,
        action: Action,
        desired: Option<DesiredSpec>,
    ) -> Change {
        Change {
            address,
            job: job.map(str::to_string),
            action,
            reason: None,
            before: None,
            desired,
            extra_targets: Vec::new(),
            live: None,
        }
    }
}

/// Everything a plan would do.
///
/// ```
/// use cronport::aws::{Action, Address, Change, Plan};
/// let conflict = Change::new(
///     Address::Rule { name: "nightly".into() },
///     Some("nightly"),
///     Action::Conflict { reason: "not tagged managed-by=cronport".into() },
///     None,
/// );
/// let plan = Plan { changes: vec![conflict], warnings: vec![] };
/// assert!(!plan.has_changes()); // cronport never touches what it does not own
/// assert!(plan.to_text().contains("1 conflict(s) with resources cronport does not own."));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Per resource, in a stable order.
    pub changes: Vec<Change>,
    /// Quotas the plan would pass or come near, said before any write.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// EventBridge's default quota of rules per event bus.
///
/// ```
/// use cronport::aws::RULES_PER_BUS;
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
/// # "#;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// // `plan` warns before any write when the rules would pass the quota.
/// let resources: usize = desired.jobs.iter().map(|j| j.resources.len()).sum();
/// assert!(resources <= RULES_PER_BUS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const RULES_PER_BUS: usize = 300;
/// EventBridge Scheduler's default quota of schedule groups per account.
///
/// ```
/// use cronport::aws::SCHEDULE_GROUPS;
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
/// # "#;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let groups: std::collections::BTreeSet<_> = desired.jobs.iter().map(|j| &j.job.target.schedule_group).collect();
/// assert!(groups.len() <= SCHEDULE_GROUPS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const SCHEDULE_GROUPS: usize = 500;

/// Counts of a plan's actions.
///
/// ```
/// use cronport::aws::{Action, Address, Change, Plan, Summary};
/// let change = |name: &str, action| Change::new(Address::Rule { name: name.into() }, None, action, None);
/// let plan = Plan { changes: vec![change("a", Action::Create), change("b", Action::Delete), change("c", Action::Unchanged)], warnings: vec![] };
/// assert_eq!(plan.summary(), Summary { add: 1, destroy: 1, unchanged: 1, ..Summary::default() });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Creates.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes.
    pub destroy: usize,
    /// Unchanged.
    pub unchanged: usize,
    /// Conflicts with resources cronport does not own.
    pub conflicts: usize,
}

impl Plan {
    /// The counts.
    ///
    /// ```
    /// use cronport::aws::{Action, Address, Change, Plan};
    /// let delete = Change::new(Address::Rule { name: "old".into() }, None, Action::Delete, None);
    /// assert_eq!(Plan { changes: vec![delete], warnings: vec![] }.summary().destroy, 1);
    /// ```
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update { .. } => s.change += 1,
                Action::Delete => s.destroy += 1,
                Action::Unchanged => s.unchanged += 1,
                Action::Conflict { .. } => s.conflicts += 1,
            }
        }
        s
    }

    /// Whether applying would write anything.
    ///
    /// ```
    /// use cronport::aws::{Action, Address, Change, Plan};
    /// let conflict = Change::new(Address::Rule { name: "theirs".into() }, None, Action::Conflict { reason: "not ours".into() }, None);
    /// // A conflict is reported, never written.
    /// assert!(!Plan { changes: vec![conflict], warnings: vec![] }.has_changes());
    /// ```
    pub fn has_changes(&self) -> bool {
        let s = self.summary();
        s.add + s.change + s.destroy > 0
    }

    /// Terraform-like text: `+` create, `~` update, `-` delete, `!`
    /// conflict, and a summary line.
    ///
    /// ```
    /// let empty = cronport::aws::Plan::default();
    /// assert!(!empty.has_changes());
    /// assert_eq!(empty.summary().add, 0);
    /// assert!(empty.to_text().contains("Plan: 0 to add, 0 to change, 0 to destroy, 0 unchanged."));
    /// ```
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let job = c
                .job
                .as_deref()
                .map(|j| format!("  (job {j})"))
                .unwrap_or_default();
            match &c.action {
                Action::Create => {
                    let _ = writeln!(out, "  + {}{job}", c.address);
                    for line in c.desired.as_ref().map(describe_spec).unwrap_or_default() {
                        let _ = writeln!(out, "      {}", one_line(&line));
                    }
                }
                Action::Update { fields } => {
                    let _ = writeln!(out, "  ~ {}{job}", c.address);
                    // What a field holds is printed on its line, whatever it
                    // holds: a newline in a command cannot forge a plan line.
                    for f in fields {
                        let _ = writeln!(
                            out,
                            "      {}: {} → {}",
                            one_line(&f.field),
                            one_line(&f.before),
                            one_line(&f.after)
                        );
                    }
                }
                Action::Delete => {
                    let _ = writeln!(out, "  - {}{job}", c.address);
                    if let Some(reason) = &c.reason {
                        let _ = writeln!(out, "      {}", one_line(reason));
                    }
                }
                Action::Conflict { reason } => {
                    let _ = writeln!(
                        out,
                        "  ! {}{job}: {}; left untouched",
                        c.address,
                        one_line(reason)
                    );
                }
                Action::Unchanged => {}
            }
        }
        for w in &self.warnings {
            let _ = writeln!(out, "\nwarning: {w}");
        }
        let s = self.summary();
        let _ = write!(
            out,
            "\nPlan: {} to add, {} to change, {} to destroy, {} unchanged.",
            s.add, s.change, s.destroy, s.unchanged
        );
        if s.conflicts > 0 {
            let _ = write!(
                out,
                " {} conflict(s) with resources cronport does not own.",
                s.conflicts
            );
        }
        out.push('\n');
        out
    }
}

/// Why a plan could not be made: every problem found, before any write.
///
/// ```
/// use cronport::aws::{PlanError, PlanProblem, PlanProblemKind};
/// let err = PlanError {
///     problems: vec![
///         PlanProblem::new(PlanProblemKind::Target, "cluster `prod` not found"),
///         PlanProblem::new(PlanProblemKind::Aws, "cannot list rules: timeout"),
///     ],
/// };
/// assert_eq!(err.to_string(), "cluster `prod` not found\ncannot list rules: timeout");
/// assert!(err.problems.iter().any(|p| p.kind == PlanProblemKind::Aws));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("\n"))]
pub struct PlanError {
    /// Every problem found, before any write.
    pub problems: Vec<PlanProblem>,
}

impl PlanError {
    /// A plan error with one problem.
    ///
    /// ```
    /// use cronport::aws::{PlanError, PlanProblemKind};
    /// let err = PlanError::new(PlanProblemKind::NotOwned, "schedule group `g` is not cronport's");
    /// assert_eq!(err.problems[0].kind, PlanProblemKind::NotOwned);
    /// ```
    pub fn new(kind: PlanProblemKind, message: impl Into<String>) -> PlanError {
        PlanError {
            problems: vec![PlanProblem::new(kind, message)],
        }
    }
}

/// One problem of a [`PlanError`]: its kind, for code, and its message,
/// for people.
///
/// ```
/// use cronport::aws::{PlanProblem, PlanProblemKind};
/// let p = PlanProblem::new(PlanProblemKind::Manifest, "the manifest has no jobs");
/// assert_eq!(p.to_string(), "the manifest has no jobs");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PlanProblem {
    /// What kind of problem.
    pub kind: PlanProblemKind,
    /// What is wrong and what to do, in one line.
    pub message: String,
}

impl PlanProblem {
    /// A problem of `kind`.
    ///
    /// ```
    /// let p = cronport::aws::PlanProblem::new(cronport::aws::PlanProblemKind::Aws, "throttled");
    /// assert_eq!(p.message, "throttled");
    /// ```
    pub fn new(kind: PlanProblemKind, message: impl Into<String>) -> PlanProblem {
        PlanProblem {
            kind,
            message: message.into(),
        }
    }
}

/// The kinds of [`PlanProblem`].
///
/// ```
/// use cronport::aws::PlanProblemKind;
/// assert_ne!(PlanProblemKind::Aws, PlanProblemKind::Target);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanProblemKind {
    /// An AWS call failed: credentials, network, throttling past retries.
    Aws,
    /// Something the manifest points at is missing or unusable here: a
    /// cluster, task definition, container or role, or a role that does
    /// not trust the service that must assume it.
    Target,
    /// A resource cronport does not own stands where it would write.
    NotOwned,
    /// The manifest cannot be planned as it is: it does not compile, has
    /// no jobs without `--prune`, or a job's size cannot reach its
    /// container.
    Manifest,
    /// A migration between backends that cannot be proved to lose and
    /// double no run.
    Migration,
}

/// Reads live state and compares it with `desired`.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients) -> Result<(), Box<dyn std::error::Error>> {
/// use cronport::{aws, desired::{compile, CompileOptions}, manifest::Manifest};
/// let manifest = Manifest::from_toml(&std::fs::read_to_string("cronport.toml")?, "cronport.toml")?;
/// let desired = compile(&manifest, &CompileOptions::starting(jiff::Timestamp::now()))?;
/// let plan = aws::plan(&clients, &desired, false).await?;
/// print!("{}", plan.to_text());
/// if plan.has_changes() {
///     let report = aws::apply(&clients, &plan, 8, std::sync::Arc::new(|step: &aws::Applied| eprintln!("{step}"))).await;
///     assert!(report.succeeded());
/// }
/// # Ok(()) }
/// ```
pub async fn plan(clients: &Clients, desired: &Desired, prune: bool) -> Result<Plan, PlanError> {
    plan_with(
        clients,
        desired,
        PlanOptions {
            prune,
            adopt: false,
        },
    )
    .await
}

/// How to plan.
///
/// ```
/// let adopting = cronport::aws::PlanOptions { adopt: true, ..Default::default() };
/// assert!(!adopting.prune);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Allow a manifest with no jobs, which deletes everything its
    /// deployment owns. (Deletes of resources the manifest no longer wants
    /// need nothing else: ownership is exact, and a job must never keep an
    /// old schedule running beside its new one.)
    pub prune: bool,
    /// Take ownership of existing resources whose names the manifest uses
    /// (adopting what `cronport import aws` read): tag them, mark them, and
    /// make them as the manifest says. Without it such names are conflicts.
    pub adopt: bool,
}

/// [`plan`] with every option.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, desired: cronport::desired::Desired) -> Result<(), cronport::aws::PlanError> {
/// use cronport::aws::{plan_with, PlanOptions};
/// // Take over the rules `cronport import aws` read; an empty manifest may
/// // delete everything its deployment owns.
/// let plan = plan_with(&clients, &desired, PlanOptions { prune: true, adopt: true }).await?;
/// print!("{}", plan.to_text());
/// # Ok(()) }
/// ```
pub async fn plan_with(
    clients: &Clients,
    desired: &Desired,
    options: PlanOptions,
) -> Result<Plan, PlanError> {
    let PlanOptions { prune, adopt } = options;
    if desired.jobs.is_empty() && !prune {
        return Err(PlanError::new(
            PlanProblemKind::Manifest,
            format!(
                "the manifest has no jobs: its plan deletes everything {} owns; pass --prune to plan that",
                desired.deployment
            ),
        ));
    }
    let Fitted {
        desired: fitted,
        notes,
        problems,
    } = fitted(clients, desired).await?;
    if !problems.is_empty() {
        let problem = |p: JobNote| PlanProblem::new(PlanProblemKind::Manifest, p.to_string());
        return Err(PlanError {
            problems: problems.into_iter().map(problem).collect(),
        });
    }
    let desired = &fitted;
    let role_warnings = live::check_roles(clients, desired).await?;
    let live = live::read(clients, desired).await?;
    let changes = compare(desired, &live, adopt)?;
    let mut warnings = role_warnings;
    warnings.extend(notes.iter().map(JobNote::to_string));
    if desired.deployment.derived {
        warnings.push(format!(
            "this manifest has no id: cronport derived `{}` from its cluster, and would lose track of what it made if the cluster changed; write id = \"{}\" at its top",
            desired.deployment.manifest, desired.deployment.manifest
        ));
    }
    warnings.extend(twins(desired, &live));
    warnings.extend(quota_warnings(desired, &changes, &live));
    warnings.extend(released_holds(desired, &changes));
    Ok(Plan { changes, warnings })
}

/// The jobs fitted to their task definitions (see [`fit`]), after checking
/// that every cluster, task definition and container they name exists.
/// `plan` and `run` both start here, so a rehearsal runs what the schedule
/// will.
///
/// ```no_run
/// # async fn demo(clients: &cronport::aws::Clients, desired: &cronport::desired::Desired) -> Result<(), cronport::aws::PlanError> {
/// let fitted = cronport::aws::fitted(clients, desired).await?;
/// for note in &fitted.notes {
///     eprintln!("note: {note}"); // container limits raised, entry points
/// }
/// # Ok(()) }
/// ```
pub async fn fitted(clients: &Clients, desired: &Desired) -> Result<Fitted, PlanError> {
    let facts = live::check_targets(clients, desired).await?;
    Ok(fit(desired, &facts))
}

/// What a create makes, a line each: when (expression, zone), state,
/// command, size, cluster.
fn describe_spec(spec: &DesiredSpec) -> Vec<String> {
    let (when, state, input) = match spec {
        DesiredSpec::Group(_, tags) => {
            return vec![format!(
                "tags: {}",
                tags.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )];
        }
        DesiredSpec::Schedule(s) => (
            format!("{} ({})", s.expression, s.timezone),
            &s.state,
            crate::task::RunTask::from_json(&s.input)
                .ok()
                .map(|(r, _)| r),
        ),
        DesiredSpec::Rule(r) => (
            format!("{} (UTC)", r.expression),
            &r.state,
            crate::task::TaskOverrides::from_json(&r.input)
                .ok()
                .map(|(overrides, _)| crate::task::RunTask {
                    cluster: r.cluster.clone(),
                    task_definition: r.task_definition.clone(),
                    count: r.task_count,
                    launch_type: None,
                    capacity_provider_strategy: Vec::new(),
                    platform_version: None,
                    network: None,
                    overrides,
                    started_by: None,
                }),
        ),
    };
    let mut lines = vec![format!("schedule: {when}"), format!("state: {state}")];
    if let Some(run) = input {
        lines.push(format!(
            "command: {}",
            serde_json::to_string(&run.overrides.container.command).unwrap_or_default()
        ));
        if let (Some(cpu), Some(memory)) = (run.overrides.cpu, run.overrides.memory) {
            lines.push(format!("size: cpu {cpu} / memory {memory} MiB"));
        }
        lines.push(format!(
            "task: {} on {} (container {})",
            run.task_definition, run.cluster, run.overrides.container.name
        ));
    }
    lines
}

/// Quotas a plan would pass: rules on the default bus (DST splitting
/// multiplies them) and schedule groups.
fn quota_warnings(desired: &Desired, changes: &[Change], live: &LiveState) -> Vec<String> {
    let mut warnings = Vec::new();
    let rules = |action: Action| {
        changes
            .iter()
            .filter(|c| matches!(c.address, Address::Rule { .. }) && c.action == action)
            .count()
    };
    let new_rules = rules(Action::Create);
    if new_rules > 0 {
        // Every rule on the default bus was read for the plan.
        let existing = live.rules.len();
        let after = existing + new_rules - rules(Action::Delete).min(existing + new_rules);
        if after > RULES_PER_BUS {
            let split: Vec<String> = desired
                .jobs
                .iter()
                .filter(|j| j.resources.len() > 1 && j.job.target.backend == Backend::Rules)
                .map(|j| format!("{} ({} rules)", j.job.name, j.resources.len()))
                .collect();
            let mut text = format!(
                "this plan would leave {after} rules on the default event bus ({existing} there now); EventBridge's default quota is {RULES_PER_BUS} per bus, so some writes may fail. Use backend = \"scheduler\", which has no such limit for schedules, or ask AWS to raise the quota"
            );
            if !split.is_empty() {
                text.push_str(&format!(
                    ". Daylight saving time splits these jobs into several rules: {}",
                    split.join(", ")
                ));
            }
            warnings.push(text);
        }
    }
    let new_groups = changes
        .iter()
        .filter(|c| {
            matches!(c.address, Address::ScheduleGroup { .. }) && c.action == Action::Create
        })
        .count();
    if new_groups > 0 {
        let existing = live.groups.len();
        if existing + new_groups > SCHEDULE_GROUPS {
            warnings.push(format!(
                "this plan would make {} schedule groups; EventBridge Scheduler's default quota is {SCHEDULE_GROUPS} per account",
                existing + new_groups
            ));
        }
    }
    warnings
}

/// An SDK error as one line of text, with the service's message.
pub(crate) fn error_text<E: std::error::Error>(e: E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

/// A schedule held until a cutover instant still ahead (its live
/// `StartDate`) that this plan would release: its runs would start at
/// once, beside the old platform.
fn released_holds(desired: &Desired, changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .filter_map(|c| {
            let Action::Update { fields } = &c.action else {
                return None;
            };
            let held = fields.iter().find(|f| {
                f.field == "start_date"
                    && f.before.parse::<jiff::Timestamp>().is_ok_and(|t| t > desired.from)
                    && f.after.parse::<jiff::Timestamp>().map_or(true, |t| t < desired.from)
            })?;
            Some(format!(
                "{} is held until {} (its StartDate, a cutover instant) and this plan releases it: its runs would start at once, beside the old platform; pass --start-at {} (or set start_at) to keep the hold",
                c.address, held.before, held.before
            ))
        })
        .collect()
}
