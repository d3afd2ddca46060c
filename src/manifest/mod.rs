//! The manifest, `cronport.toml`: defaults and jobs.
//!
//! ```toml
//! [defaults]
//! cluster = "production"
//! task_definition = "app-worker"          # family (latest ACTIVE) or ARN
//! container = "worker"
//! role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
//! subnets = ["subnet-0a1b2c3d"]
//! security_groups = ["sg-0a1b2c3d"]
//!
//! [[job]]
//! name = "daily-report"
//! schedule = "every day at 14:30"         # any grammar cronport reads
//! command = "rake reports:daily"
//! size = "standard-2x"                    # a Heroku dyno size, or cpu/memory
//! ```
//!
//! Every key of `[defaults]` can be overridden in a job. Unknown keys are
//! errors; every error names the file, line and column and what to write
//! instead. [`Manifest::resolve`] merges defaults into jobs and checks
//! everything AWS would check, before anything talks to AWS.

pub mod doc;
mod report;
mod settings;
mod source;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::schedule::Schedule;
use crate::task::{Command, FargateSize};
use crate::translate::Backend;
use report::{Types, key_problems};
pub use settings::{JobOverride, SETTINGS, Scope, Setting, Settings};
use source::{Source, Step};
pub use validate::{RETENTION_DAYS, is_role_arn};
use validate::{is_name_char, problem};

// Where a task runs is the task's business; the manifest's settings name it.
pub use crate::task::{CapacityProvider, LaunchType};

/// Retries of a failed invocation.
///
/// ```
/// use cronport::manifest::{RetryPolicy, Settings};
/// let s: Settings = toml::from_str("retry_policy = { maximum_retry_attempts = 2 }")?;
/// assert_eq!(s.retry_policy, Some(RetryPolicy { maximum_retry_attempts: Some(2), maximum_event_age_in_seconds: None }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// 0–185.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<u32>,
    /// 60–86400 seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_event_age_in_seconds: Option<u32>,
}

/// One `[[job]]`.
///
/// ```
/// use cronport::manifest::{Job, Manifest};
/// let m: Manifest = toml::from_str(r#"
/// [[job]]
/// name = "nightly"
/// schedule = "0 3 * * *"
/// command = "rake nightly"
/// size = "standard-2x"
/// timezone = "America/Chicago"
/// "#)?;
/// let job: &Job = &m.jobs[0];
/// assert_eq!((job.name.as_str(), job.size.as_deref()), ("nightly", Some("standard-2x")));
/// assert!(job.enabled); // the default
/// assert_eq!(job.settings.timezone.as_deref(), Some("America/Chicago"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The job's name; with the prefix, its AWS name.
    pub name: String,
    /// When it runs, in any grammar cronport reads.
    pub schedule: String,
    /// The command, as Heroku ran it.
    pub command: String,
    /// A Heroku dyno size, mapped to a Fargate size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Explicit Fargate CPU units (with `memory`; wins over `size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Explicit Fargate memory in MiB (with `cpu`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    /// Environment variables set for the run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// Whether the schedule is enabled (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// The instant a `rate(...)` schedule counts from (its `StartDate`),
    /// RFC 3339; by default the moment it is first deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Whether `cronport run --all` starts it (default yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rehearse: Option<Rehearse>,
    /// The job's id on the platform it was imported from (a Heroku
    /// Scheduler or Cron To Go job id), so the cutover deletes that job and
    /// no other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The job's earlier names (it was renamed): the runs recorded under
    /// them are its.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formerly: Option<Vec<String>>,
    /// Overrides of `[defaults]`.
    #[serde(flatten)]
    pub settings: Settings,
}

/// A job's `rehearse` key: `true`/`false`, or a string, the reason
/// `cronport run --all` skips it.
///
/// ```
/// use cronport::manifest::{Job, Rehearse};
/// let job: Job = toml::from_str("name = \"mail\"\nschedule = \"@daily\"\ncommand = \"x\"\nrehearse = \"sends mail\"")?;
/// assert_eq!(job.rehearse, Some(Rehearse::Skip("sends mail".into())));
/// assert_eq!(job.rehearse.unwrap().skip_reason().as_deref(), Some("sends mail"));
/// assert_eq!(Rehearse::Yes(false).skip_reason().as_deref(), Some("rehearse = false"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Rehearse {
    /// `true` (rehearsed) or `false` (skipped).
    Yes(bool),
    /// Skipped, for this reason.
    Skip(String),
}

impl Rehearse {
    /// Why the job is skipped, or `None` when it is rehearsed.
    ///
    /// ```
    /// assert_eq!(cronport::manifest::Rehearse::Yes(true).skip_reason(), None);
    /// ```
    pub fn skip_reason(&self) -> Option<String> {
        match self {
            Rehearse::Yes(true) => None,
            Rehearse::Yes(false) => Some("rehearse = false".to_string()),
            Rehearse::Skip(reason) => Some(reason.clone()),
        }
    }
}

/// `replaces = "staging"` or `replaces = ["staging", "-"]`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    match OneOrMany::deserialize(d) {
        Ok(OneOrMany::One(one)) => Ok(vec![one]),
        Ok(OneOrMany::Many(many)) => Ok(many),
        Err(_) => Err(serde::de::Error::custom(
            "replaces takes an environment name or a list of them, such as [\"staging\"] (\"-\": the manifest before it had environments)",
        )),
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The whole manifest.
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
/// assert_eq!(m.defaults.schedule_group.as_deref(), Some("shop"));
/// assert_eq!(m.jobs.len(), 2);
/// assert!(m.env.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest's id, in the owner record of everything it manages
    /// (`cronport import` writes one). Without it, one is derived from the
    /// cluster ([`crate::owner::derived_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The environment [`Manifest::for_env`] chose, if any.
    #[serde(skip)]
    pub environment: Option<String>,
    /// What [`Manifest::for_env`] knew of the other environments: the
    /// earlier ones the chosen one takes over, and the manifest's others.
    #[serde(skip)]
    pub lineage: Lineage,
    /// Settings every job starts from.
    #[serde(default)]
    pub defaults: Settings,
    /// The jobs.
    #[serde(default, rename = "job", skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<Job>,
    /// Environments (`[env.staging]`, `[env.production]`), each overriding
    /// defaults and jobs; [`Manifest::for_env`] picks one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, Environment>,
}

/// An environment's place among the manifest's: what it takes over, and
/// which environments stand beside it (whose resources are theirs, not
/// leftovers).
///
/// ```
/// let text = "[env.production]\n";
/// let m = cronport::manifest::Manifest::from_toml(text, "m")?.for_env(Some("production"))?;
/// assert_eq!(m.lineage.takes_over, ["-"]); // one environment: it takes over the manifest's past
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lineage {
    /// Earlier environments whose resources the chosen one takes over.
    pub takes_over: Vec<String>,
    /// The manifest's other environments.
    pub siblings: Vec<String>,
}

/// One `[env.NAME]` table: settings over `[defaults]`, and per-job
/// overrides in `[env.NAME.job.JOB]`.
///
/// ```
/// let text = "[env.staging]\ncluster = \"staging\"\n[env.staging.job.a]\nenabled = false\n";
/// let m: cronport::manifest::Manifest = toml::from_str(text)?;
/// let staging = &m.env["staging"];
/// assert_eq!(staging.settings.cluster.as_deref(), Some("staging"));
/// assert_eq!(staging.jobs["a"].enabled, Some(false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Earlier environments whose live resources this one takes over
    /// (`-`: the deployment from before the manifest had environments): an
    /// environment renamed, or added to a live manifest. A manifest with
    /// one environment takes over `-` without saying so.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub replaces: Vec<String>,
    /// Settings over `[defaults]`.
    #[serde(flatten)]
    pub settings: Settings,
    /// Overrides of single jobs, by job name.
    #[serde(default, rename = "job", skip_serializing_if = "BTreeMap::is_empty")]
    pub jobs: BTreeMap<String, JobOverride>,
}

/// A job with its defaults merged in and everything checked.
///
/// ```
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let job = &m.resolve().map_err(|p| format!("{p:?}"))?[0];
/// assert_eq!((job.name.as_str(), job.aws_name.as_str()), ("reports", "cronport-reports"));
/// assert_eq!(job.command_text, "bundle exec rake reports:daily");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedJob {
    /// The job's name in the manifest.
    pub name: String,
    /// The AWS name: prefix, name and suffix.
    pub aws_name: String,
    /// The prefix of its AWS name.
    pub name_prefix: String,
    /// The suffix of its AWS name (`-staging` in an environment).
    pub name_suffix: String,
    /// The schedule text as written.
    pub expression: String,
    /// The schedule, in its zone.
    pub schedule: Schedule,
    /// The command as written.
    pub command_text: String,
    /// How the command runs.
    pub command: Command,
    /// How long a run may take; `None` for no limit.
    pub timeout: Option<crate::task::TimeLimit>,
    /// The task size override, if any.
    pub size: Option<FargateSize>,
    /// Environment overrides: the job's `environment`, then the command's
    /// leading `NAME=value` words (which win, as in bash).
    pub environment: BTreeMap<String, String>,
    /// Whether the schedule is enabled.
    pub enabled: bool,
    /// The cutover instant (`start_at`): no run before it.
    pub start_at: Option<jiff::Timestamp>,
    /// Why `cronport run --all` skips the job, if it does (`rehearse`).
    pub skip_rehearsal: Option<String>,
    /// The SNS topic told when a run fails (`notify`).
    pub notify: Option<String>,
    /// Its earlier names (`formerly`): their recorded runs are its.
    pub formerly: Vec<String>,
    /// The merged settings, with defaults filled in.
    pub target: EcsTarget,
    /// The owner record its resources carry.
    pub owner: crate::owner::Owner,
    /// What the user should know about this job (a retry policy that lets
    /// a run start after the next one was due), a line each.
    pub warnings: Vec<crate::Advice>,
}

impl ResolvedJob {
    /// The ECS request a run of this job makes.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let jobs = m.resolve().map_err(|p| format!("{p:?}"))?;
    /// let run = jobs[0].run_task();
    /// assert_eq!(run.cluster, "production");
    /// assert_eq!(run.started_by.as_deref(), Some("cronport/reports"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_task(&self) -> crate::task::RunTask {
        use crate::task::{Awsvpc, ContainerOverride, RunTask, TaskOverrides, started_by};
        let t = &self.target;
        RunTask {
            cluster: t.cluster.clone(),
            task_definition: t.task_definition.clone(),
            count: t.task_count,
            launch_type: t.launch_type,
            capacity_provider_strategy: t.capacity_provider_strategy.clone(),
            platform_version: t.platform_version.clone(),
            network: (!t.subnets.is_empty()).then(|| Awsvpc {
                subnets: t.subnets.clone(),
                security_groups: t.security_groups.clone(),
                assign_public_ip: t.assign_public_ip,
            }),
            overrides: TaskOverrides {
                cpu: self.size.map(|s| s.cpu),
                memory: self.size.map(|s| s.memory),
                container: ContainerOverride {
                    name: t.container.clone(),
                    command: match self.timeout {
                        Some(limit) => limit.wrap(self.command.container_command()),
                        None => self.command.container_command(),
                    },
                    environment: self.environment.clone(),
                    ..ContainerOverride::default()
                },
            },
            started_by: Some(started_by(&format!("{}{}", self.name, self.name_suffix))),
            group: Some(crate::verify::task_group(&self.owner)),
        }
    }

    /// One line on how the command runs in its container, and for how long,
    /// for the rendered output's comments and the diff.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// let job = &m.resolve().map_err(|p| format!("{p:?}"))?[0];
    /// // A daily Heroku job: stopped after a day, as Heroku stopped it.
    /// assert!(job.how_it_runs().ends_with("stopped after 24h (SIGTERM, then SIGKILL 30 s later), as Heroku stopped it"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn how_it_runs(&self) -> String {
        match self.timeout {
            Some(limit) => format!(
                "{}; stopped after {limit} (SIGTERM, then SIGKILL {} s later), as Heroku stopped it",
                self.command.explanation(),
                crate::task::KILL_AFTER_SECONDS
            ),
            None => self.command.explanation(),
        }
    }
}

/// Where and how a job's task runs, every default filled in.
///
/// ```
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let target = &m.resolve().map_err(|p| format!("{p:?}"))?[0].target;
/// assert_eq!(target.cluster, "production");
/// assert_eq!(target.launch_type, Some(cronport::manifest::LaunchType::Fargate));
/// assert_eq!(target.backend, cronport::translate::Backend::Scheduler);
/// assert_eq!(target.task_count, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EcsTarget {
    /// Cluster name or ARN.
    pub cluster: String,
    /// Task definition family or ARN.
    pub task_definition: String,
    /// Container name.
    pub container: String,
    /// IAM role ARN.
    pub role_arn: String,
    /// Subnets (empty for EC2 bridge networking).
    pub subnets: Vec<String>,
    /// Security groups.
    pub security_groups: Vec<String>,
    /// Public IP.
    pub assign_public_ip: bool,
    /// Launch type, unless a capacity provider strategy is set.
    pub launch_type: Option<LaunchType>,
    /// Capacity provider strategy.
    pub capacity_provider_strategy: Vec<CapacityProvider>,
    /// Platform version (Fargate).
    pub platform_version: Option<String>,
    /// Backend.
    pub backend: Backend,
    /// Schedule group (Scheduler).
    pub schedule_group: String,
    /// Retry policy.
    pub retry_policy: Option<RetryPolicy>,
    /// Flexible time window in minutes (Scheduler); `None` for off.
    pub flexible_time_window: Option<u32>,
    /// Dead-letter queue ARN.
    pub dead_letter_queue: Option<String>,
    /// Tags, with `managed-by = cronport`.
    pub tags: BTreeMap<String, String>,
    /// Tasks per run.
    pub task_count: u32,
}

impl EcsTarget {
    /// The region the manifest names for the target: that of the cluster
    /// or, else, the task definition, where one is written as an ARN.
    /// Names alone say no region.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// let mut target = m.resolve().map_err(|p| format!("{p:?}"))?[0].target.clone();
    /// assert_eq!(target.region(), None); // `production` is a name
    /// target.cluster = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/production".into();
    /// assert_eq!(target.region(), Some("ap-northeast-1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn region(&self) -> Option<&str> {
        [self.cluster.as_str(), self.task_definition.as_str()]
            .into_iter()
            .find_map(|arn| {
                arn.strip_prefix("arn:")?
                    .split(':')
                    .nth(2)
                    .filter(|r| !r.is_empty())
            })
    }
}

/// The schedule group of a manifest that names none.
///
/// ```
/// assert_eq!(cronport::manifest::DEFAULT_GROUP, "cronport");
/// ```
pub const DEFAULT_GROUP: &str = "cronport";

/// The longest AWS name of a schedule or rule.
///
/// ```
/// use cronport::manifest::{MAX_NAME_LEN, Manifest};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let long = "x".repeat(MAX_NAME_LEN); // too long once `cronport-` is prefixed
/// let text = text.replacen("name = \"reports\"", &format!("name = \"{long}\""), 1);
/// let err = Manifest::from_toml(&text, "cronport.toml").unwrap_err().to_string();
/// assert!(err.contains("its AWS name has 73 characters; AWS allows 64"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_NAME_LEN: usize = 64;

/// One problem in a manifest, placed where it can be fixed.
///
/// ```
/// use cronport::manifest::{Job, Manifest};
/// let job = Job { name: "a".into(), schedule: "@daily".into(), command: "x".into(), enabled: true, ..Job::default() };
/// let m = Manifest { jobs: vec![job.clone(), job], ..Manifest::default() };
/// let problems = m.check();
/// let duplicate = problems.iter().find(|p| p.job == Some(1) && p.key == "name").unwrap();
/// assert!(duplicate.message.contains("`a`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Which job (index in the manifest), if any.
    pub job: Option<usize>,
    /// The key at fault.
    pub key: &'static str,
    /// What kind of fault, for code that acts on it (the message is for
    /// people).
    pub kind: ProblemKind,
    /// What is wrong and what to write instead.
    pub message: String,
    /// Other ways out, typed, for a front end to word (a translation's
    /// `--dom-dow`, say): an `option:` line each beneath the error.
    pub remedies: Vec<crate::translate::Remedy>,
}

impl fmt::Display for Problem {
    /// The message, and each remedy on an `option:` line of its own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for remedy in &self.remedies {
            write!(f, "\n  option: {remedy}")?;
        }
        Ok(())
    }
}

/// The kinds of [`Problem`].
///
/// ```
/// use cronport::manifest::{Manifest, ProblemKind};
/// let m: Manifest = toml::from_str("[[job]]\nname = \"a\"\nschedule = \"0 * * * *\"\ncommand = \"x\"\n")?;
/// let problems = m.check();
/// assert!(problems.iter().any(|p| p.key == "cluster" && p.kind == ProblemKind::Missing));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A required setting is set nowhere: not in the job, not in
    /// `[defaults]`.
    Missing,
    /// A value cronport or AWS would refuse: a bad ARN, size, name, time
    /// zone or schedule.
    Invalid,
    /// Two values that cannot both hold: duplicate names, one IAM role
    /// under two ARNs, two jobs with one AWS name.
    Conflict,
    /// A schedule the chosen backend cannot run exactly, or that never
    /// runs ([`crate::translate::NotRepresentable`]).
    NotTranslatable,
}

/// Why [`Manifest::for_env`] cannot give an environment: one sentence,
/// and the remedy where it is the caller's to give.
///
/// ```
/// let m = cronport::manifest::Manifest::from_toml("[env.a]\n[env.b]\n", "m")?;
/// let err = m.for_env(None).unwrap_err();
/// assert_eq!(err.hint, Some(cronport::Hint::ChooseEnvironment));
/// assert_eq!(err.to_string(), "this manifest has environments (a, b); choose one");
/// # Ok::<(), cronport::manifest::ManifestError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvError {
    /// What is wrong.
    pub message: String,
    /// What the caller can do, if it is an option of theirs.
    pub hint: Option<crate::Hint>,
}

impl EnvError {
    fn plain(message: String) -> EnvError {
        EnvError {
            message,
            hint: None,
        }
    }
}

impl std::fmt::Display for EnvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        match &self.hint {
            Some(hint) => write!(f, "; {hint}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for EnvError {}

/// Everything wrong with a manifest, each with file, line and column.
///
/// ```
/// use cronport::manifest::{Manifest, ManifestErrorKind};
/// let err = Manifest::from_toml("[defaults]\nclustr = \"x\"\n", "cronport.toml").unwrap_err();
/// assert_eq!(err.problems.len(), 1);
/// let problem = &err.problems[0];
/// assert_eq!(problem.kind, ManifestErrorKind::UnknownKey);
/// assert_eq!(problem.location.as_ref().map(|l| (l.line, l.column)), Some((2, 1)));
/// assert!(problem.to_string().contains("--> cronport.toml:2:1"));
/// assert!(problem.message.contains("did you mean `cluster`?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ManifestError {
    /// Every problem found.
    pub problems: Vec<PlacedProblem>,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// One problem of a [`ManifestError`], placed in the manifest's text.
/// `Display` renders it for a terminal: `error:`, `--> file:line:column`,
/// the line, and a caret under the fault.
///
/// ```
/// use cronport::manifest::{Manifest, ManifestErrorKind, ProblemKind};
/// let text = "[[job]]\nname = \"a\"\nschedule = \"0 * * * *\"\ncommand = \"x\"\n";
/// let err = Manifest::from_toml(text, "cronport.toml").unwrap_err();
/// let cluster = err.problems.iter().find(|p| p.key == Some("cluster")).unwrap();
/// assert_eq!(cluster.kind, ManifestErrorKind::Check(ProblemKind::Missing));
/// assert_eq!(cluster.job, Some(0));
/// assert!(cluster.to_string().starts_with("error: job `a` has no cluster"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedProblem {
    /// What kind of problem.
    pub kind: ManifestErrorKind,
    /// Which job (index in the manifest), if the problem is a job's.
    pub job: Option<usize>,
    /// The setting at fault, if one is.
    pub key: Option<&'static str>,
    /// Where in the file, when the text could be read.
    pub location: Option<Location>,
    /// What is wrong and what to write instead.
    pub message: String,
    rendered: String,
}

impl fmt::Display for PlacedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

/// A place in a manifest file; line and column count from 1.
///
/// ```
/// let at = cronport::manifest::Location { file: "cronport.toml".into(), line: 3, column: 12 };
/// assert_eq!(at.to_string(), "cronport.toml:3:12");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file's name as given.
    pub file: String,
    /// The line.
    pub line: usize,
    /// The column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The kinds of [`PlacedProblem`].
///
/// ```
/// use cronport::manifest::{Manifest, ManifestErrorKind};
/// let err = Manifest::from_toml("[defaults\n", "cronport.toml").unwrap_err();
/// assert_eq!(err.problems[0].kind, ManifestErrorKind::Syntax);
/// let err = Manifest::from_toml("[defaults]\ncluster = 3\n", "cronport.toml").unwrap_err();
/// assert_eq!(err.problems[0].kind, ManifestErrorKind::Type);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestErrorKind {
    /// The text is not TOML.
    Syntax,
    /// A key cronport does not know (with the nearest known one).
    UnknownKey,
    /// A value of the wrong type or shape for its key.
    Type,
    /// A setting's value, or the settings together, failed a check.
    Check(ProblemKind),
}

/// The most lines a manifest may have ([`Manifest::from_toml`]).
pub const MAX_LINES: usize = 1_000_000;

/// The most `=`, `,`, `[` and `{` a manifest may hold
/// ([`Manifest::from_toml`]): an upper bound on its keys, list items and
/// tables, whose parse tree costs memory by the item.
///
/// ```
/// assert_eq!(cronport::manifest::MAX_KEYS, 600_000);
/// ```
pub const MAX_KEYS: usize = 600_000;

/// The most problems one error shows; the rest are counted.
const MAX_SHOWN_PROBLEMS: usize = 50;

/// The most environments a manifest may have ([`Manifest::from_toml`]):
/// each environment's lineage names all the others, so checking them costs
/// their number squared, and a team has a handful.
pub const MAX_ENVIRONMENTS: usize = 256;

/// The most `[[job]]` tables a manifest may have ([`Manifest::from_toml`]),
/// and the most jobs one import writes: far more than a Heroku app
/// schedules, and few enough that the manifest stays a file cronport reads
/// back (16 MiB).
pub const MAX_JOBS: usize = 50_000;

impl Manifest {
    /// The id in the owner records of what this manifest manages: `id`, or
    /// one derived from the cluster in `[defaults]`.
    ///
    /// ```
    /// let mut m = cronport::manifest::Manifest::default();
    /// assert!(m.owner_id().starts_with("auto-"));
    /// m.id = Some("mamorio".into());
    /// assert_eq!(m.owner_id(), "mamorio");
    /// ```
    pub fn owner_id(&self) -> String {
        self.id.clone().unwrap_or_else(|| {
            crate::owner::derived_id(self.defaults.cluster.as_deref().unwrap_or_default())
        })
    }

    /// Parses and checks a manifest; `file` names it in errors.
    ///
    /// ```
    /// use cronport::manifest::Manifest;
    /// let text = r#"
    /// [defaults]
    /// cluster = "production"
    /// task_definition = "app-worker"
    /// container = "worker"
    /// role_arn = "arn:aws:iam::123456789012:role/cronport"
    /// subnets = ["subnet-0a1b2c3d"]
    ///
    /// [[job]]
    /// name = "daily"
    /// schedule = "every day at 14:30"
    /// command = "rake daily"
    /// "#;
    /// let m = Manifest::from_toml(text, "cronport.toml")?;
    /// assert_eq!(m.resolve().unwrap()[0].aws_name, "cronport-daily");
    /// let bad = text.replace("every day at 14:30", "every day at 14:15");
    /// let err = Manifest::from_toml(&bad, "cronport.toml").unwrap_err().to_string();
    /// assert!(err.contains("--> cronport.toml:11:12"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_toml(text: &str, file: &str) -> Result<Manifest, ManifestError> {
        let render = |span: std::ops::Range<usize>, kind: ManifestErrorKind, message: &str| {
            report::place(text, file, span, kind, message)
        };
        // The TOML parser keeps an event per token, blank lines included:
        // a line count bounds its memory (a million lines is 200,000 jobs).
        let jobs = text.matches("[[job]]").count();
        if jobs > MAX_JOBS {
            return Err(ManifestError {
                problems: vec![render(
                    0..0,
                    ManifestErrorKind::Syntax,
                    &format!(
                        "the manifest has {jobs} [[job]] tables; cronport reads at most {MAX_JOBS}: split the jobs into several manifests (or environments)"
                    ),
                )],
            });
        }
        let lines = text.bytes().filter(|&b| b == b'\n').count();
        if lines > MAX_LINES {
            return Err(ManifestError {
                problems: vec![render(
                    0..0,
                    ManifestErrorKind::Syntax,
                    &format!(
                        "the manifest has {lines} lines; cronport reads at most {MAX_LINES}: remove blank lines, or split the jobs into several manifests"
                    ),
                )],
            });
        }
        // Each key costs the parser some 450 bytes: a bound on the `=`s
        // (a bound on the keys: some may sit in strings) keeps a manifest
        // of one huge inline table as cheap to refuse as one of many lines.
        let keys = text
            .bytes()
            .filter(|&b| matches!(b, b'=' | b',' | b'[' | b'{'))
            .count();
        if keys > MAX_KEYS {
            return Err(ManifestError {
                problems: vec![render(
                    0..0,
                    ManifestErrorKind::Syntax,
                    &format!(
                        "the manifest has {keys} keys, list items and tables (`=`, `,`, `[`, `{{`); cronport reads at most {MAX_KEYS} (50,000 jobs of ten settings): split it into several manifests"
                    ),
                )],
            });
        }
        let source = Source::parse(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            // The parser says "duplicate key" and points at it: name it,
            // and say what to do.
            let message = match text.get(span.clone()) {
                Some(key) if e.message().starts_with("duplicate key") && key.len() <= 100 => {
                    format!(
                        "`{}` is set twice in one table: keep one (to give an environment its own value, set it in [env.NAME])",
                        crate::escape::one_line(key.trim())
                    )
                }
                _ if e.message().contains("recurse") => "tables and lists nest too deeply here; a manifest nests three or four levels: is this the right file?".to_string(),
                _ => e.message().to_string(),
            };
            ManifestError {
                problems: vec![render(span, ManifestErrorKind::Syntax, &message)],
            }
        })?;
        let mut problems = key_problems(&source, text, Types::Skip, &render);
        if problems.is_empty() {
            // The parsed document is read as the manifest: parsed once, not
            // again by `toml::from_str` (for 50,000 jobs, half the time and
            // most of the memory). A path that needs its spans again, an
            // error's, parses the text again.
            let reread = || Source::parse(text).ok();
            match Manifest::deserialize(toml::de::Deserializer::from(source.into_root())) {
                Ok(manifest) if manifest.env.len() > MAX_ENVIRONMENTS => {
                    problems.push(render(
                        reread().map_or(0..0, |s| s.span(&[Step::Key("env")])),
                        ManifestErrorKind::Check(ProblemKind::Invalid),
                        &format!(
                            "the manifest has {} environments; cronport reads at most {MAX_ENVIRONMENTS}: split them into several manifests",
                            manifest.env.len()
                        ),
                    ));
                }
                Ok(manifest) => {
                    // With environments, each must be whole; without, the
                    // manifest itself.
                    // Each problem with the environment it was found in,
                    // so its caret lands where that environment sets the key.
                    let mut checked: Vec<(Option<&str>, Problem)> = Vec::new();
                    if manifest.env.is_empty() {
                        checked = manifest.check().into_iter().map(|p| (None, p)).collect();
                    }
                    for env in manifest.env.keys() {
                        match manifest.for_env(Some(env)) {
                            Ok(m) => checked.extend(m.check().into_iter().map(|mut p| {
                                p.message = format!("[env.{env}] {}", p.message);
                                (Some(env.as_str()), p)
                            })),
                            Err(e) => checked
                                .push((Some(env.as_str()), problem(None, "env", e.to_string()))),
                        }
                    }
                    if checked.is_empty() {
                        checked = manifest
                            .environment_collisions()
                            .into_iter()
                            .map(|p| (None, p))
                            .collect();
                    }
                    if checked.is_empty() {
                        return Ok(manifest);
                    }
                    let placed = manifest.place_in_envs(text, file, &checked, &|r| r.to_string());
                    return Err(placed);
                }
                Err(e) => {
                    // Jobs are read through `flatten`, which loses a
                    // value's place: look for the value at fault by key.
                    if let Some(source) = reread() {
                        problems = key_problems(&source, text, Types::Check, &render);
                    }
                    if problems.is_empty() {
                        problems.push(render(
                            e.span().unwrap_or(0..0),
                            ManifestErrorKind::Type,
                            &report::reworded(e.message()),
                        ));
                    }
                }
            }
        }
        Err(ManifestError { problems })
    }

    /// Places `problems` (from [`Manifest::check`] or a later stage) in
    /// `text`, this manifest's source, for display.
    ///
    /// ```
    /// use cronport::manifest::{Manifest, Problem, ProblemKind};
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// let m = Manifest::from_toml(text, "cronport.toml")?;
    /// // A later stage (here: made up) found a problem with the first job's command.
    /// let problem = Problem { job: Some(0), key: "command", kind: ProblemKind::Invalid, message: "the command is too long".into(), remedies: vec![] };
    /// let placed = m.place(text, "cronport.toml", &[problem]).to_string();
    /// assert!(placed.starts_with("error: the command is too long\n  --> cronport.toml:13:11"), "{placed}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn place(&self, text: &str, file: &str, problems: &[Problem]) -> ManifestError {
        self.place_worded(text, file, problems, &|r| r.to_string())
    }

    /// [`Manifest::place`], each problem's remedies worded by `words` (the
    /// CLI words them as its flags), an `option:` line each.
    ///
    /// ```
    /// use cronport::manifest::{Manifest, Problem, ProblemKind};
    /// use cronport::translate::{DomDow, Remedy};
    /// let text = cronport::manifest::doc::EXAMPLE;
    /// let m = Manifest::from_toml(text, "m.toml")?;
    /// let p = Problem { job: Some(0), key: "schedule", kind: ProblemKind::NotTranslatable, message: "not exact".into(), remedies: vec![Remedy::DomDow(DomDow::Double)] };
    /// let err = m.place_worded(text, "m.toml", &[p], &|_| "pass --dom-dow double".into());
    /// assert!(err.to_string().contains("= option: pass --dom-dow double"));
    /// # Ok::<(), cronport::manifest::ManifestError>(())
    /// ```
    pub fn place_worded(
        &self,
        text: &str,
        file: &str,
        problems: &[Problem],
        words: &dyn Fn(&crate::translate::Remedy) -> String,
    ) -> ManifestError {
        let problems: Vec<_> = problems.iter().map(|p| (None, p.clone())).collect();
        self.place_in_envs(text, file, &problems, words)
    }

    /// [`Manifest::place_worded`] for problems found in environments: each
    /// caret points where the value that environment uses is set.
    fn place_in_envs(
        &self,
        text: &str,
        file: &str,
        problems: &[(Option<&str>, Problem)],
        words: &dyn Fn(&crate::translate::Remedy) -> String,
    ) -> ManifestError {
        // A problem's text with its remedies beneath, as the caret view
        // shows further lines.
        let with_options = |p: &Problem| -> String {
            let mut message = p.message.clone();
            for remedy in &p.remedies {
                message.push_str(&format!("\n  option: {}", words(remedy)));
            }
            message
        };
        let unplaced = |(_, p): &(Option<&str>, Problem)| PlacedProblem {
            kind: ManifestErrorKind::Check(p.kind),
            job: p.job,
            key: Some(p.key),
            location: None,
            message: p.message.clone(),
            rendered: format!("error: {}", with_options(p)),
        };
        let Ok(source) = Source::parse(text) else {
            return ManifestError {
                problems: problems.iter().map(unplaced).collect(),
            };
        };
        // A value every environment inherits (from `[defaults]` or a job)
        // is wrong once, not once per environment: one error, naming the
        // environments it is wrong in.
        let mut once: Vec<(Range<usize>, Problem, Vec<&str>)> = Vec::new();
        for (env, p) in problems {
            let path = self.where_set(&source, *env, p);
            let span = source.span(&path);
            let in_env_table = matches!(path.first(), Some(Step::Key("env")));
            let bare = match env {
                Some(e) if !in_env_table => p
                    .message
                    .strip_prefix(&format!("[env.{e}] "))
                    .unwrap_or(&p.message),
                _ => &p.message,
            };
            let same = once.iter_mut().find(|(s, q, _)| {
                !in_env_table && *s == span && q.key == p.key && q.message == bare
            });
            match (same, env) {
                (Some((_, _, envs)), Some(e)) => envs.push(e),
                _ => {
                    let mut p = p.clone();
                    let envs = match env {
                        Some(e) if !in_env_table => {
                            p.message = bare.to_string();
                            vec![*e]
                        }
                        _ => Vec::new(),
                    };
                    once.push((span, p, envs));
                }
            }
        }
        // One bad value repeated 20,000 times (a list of subnets) is not
        // 20,000 errors, each quoting its line: the first are shown, and
        // how many more.
        let more = once.len().saturating_sub(MAX_SHOWN_PROBLEMS);
        once.truncate(MAX_SHOWN_PROBLEMS);
        let mut placed: Vec<PlacedProblem> = once
            .into_iter()
            .map(|(span, mut p, envs)| {
                if !envs.is_empty() {
                    let shown: Vec<&str> = envs.iter().take(5).copied().collect();
                    let more = envs.len().saturating_sub(shown.len());
                    let more = if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    };
                    p.message =
                        format!("{} (in environment {}{more})", p.message, shown.join(", "));
                }
                let kind = ManifestErrorKind::Check(p.kind);
                PlacedProblem {
                    job: p.job,
                    key: Some(p.key),
                    message: p.message.clone(),
                    ..report::place(text, file, span, kind, &with_options(&p))
                }
            })
            .collect();
        if more > 0 {
            let message = format!("… and {more} more problems: fix those above and run again");
            placed.push(PlacedProblem {
                kind: ManifestErrorKind::Check(ProblemKind::Invalid),
                job: None,
                key: None,
                location: None,
                rendered: format!("error: {message}"),
                message,
            });
        }
        ManifestError { problems: placed }
    }

    /// The path to the place that sets the value `problem` is about, in
    /// the order an environment's manifest is merged (its job override,
    /// the job, its settings, `[defaults]`); failing that, the most
    /// specific table the value is inherited into.
    fn where_set<'a>(
        &'a self,
        source: &Source<'_>,
        env: Option<&'a str>,
        problem: &Problem,
    ) -> Vec<Step<'a>> {
        // A size is cpu and memory together: either one names it.
        let keys: &[&'static str] = match problem.key {
            "cpu" => &["cpu", "memory"],
            "memory" => &["memory", "cpu"],
            key => &[key],
        };
        let job = problem
            .job
            .and_then(|i| Some((i, self.jobs.get(i)?.name.as_str())));
        let mut candidates: Vec<Vec<Step<'a>>> = Vec::new();
        for &key in keys {
            let key = Step::Key(key);
            if let (Some(env), Some((_, name))) = (env, job) {
                candidates.push(vec![
                    Step::Key("env"),
                    Step::Key(env),
                    Step::Key("job"),
                    Step::Key(name),
                    key,
                ]);
            }
            if let Some((i, _)) = job {
                candidates.push(vec![Step::Key("job"), Step::Index(i), key]);
            }
            if let Some(env) = env {
                candidates.push(vec![Step::Key("env"), Step::Key(env), key]);
            }
            candidates.push(vec![Step::Key("defaults"), key]);
            // The manifest's own keys (`id`) sit at its top.
            if job.is_none() {
                candidates.push(vec![key]);
            }
        }
        if let Some(found) = candidates.into_iter().find(|path| source.has(path)) {
            return found;
        }
        match (env, job) {
            (Some(env), Some((_, name)))
                if source.has(&[
                    Step::Key("env"),
                    Step::Key(env),
                    Step::Key("job"),
                    Step::Key(name),
                ]) =>
            {
                vec![
                    Step::Key("env"),
                    Step::Key(env),
                    Step::Key("job"),
                    Step::Key(name),
                ]
            }
            (_, Some((i, _))) => vec![Step::Key("job"), Step::Index(i)],
            (Some(env), None) => vec![Step::Key("env"), Step::Key(env)],
            (None, None) => vec![Step::Key("defaults")],
        }
    }

    /// The environments' names for a message: the first 20, and how many
    /// more (256 long names would be one line of 16,000 characters).
    fn env_names(&self) -> String {
        let mut names: Vec<String> = self.env.keys().take(20).cloned().collect();
        if self.env.len() > 20 {
            names.push(format!("and {} more", self.env.len() - 20));
        }
        names.join(", ")
    }

    /// The manifest for one environment: its settings over `[defaults]`, its
    /// job overrides over the jobs, and `-NAME` after every AWS name (unless
    /// it sets `name_suffix` itself) so environments never collide.
    /// A manifest with environments needs one named; one without takes
    /// `None`.
    ///
    /// ```
    /// let text = r#"
    /// [defaults]
    /// cluster = "staging"
    /// [env.production]
    /// cluster = "production"
    /// [env.production.job.report]
    /// schedule = "every day at 14:30"
    /// [[job]]
    /// name = "report"
    /// schedule = "every day at 09:00"
    /// command = "rake report"
    /// "#;
    /// let m: cronport::manifest::Manifest = toml::from_str(text)?;
    /// let prod = m.for_env(Some("production"))?;
    /// assert_eq!(prod.defaults.cluster.as_deref(), Some("production"));
    /// assert_eq!(prod.jobs[0].schedule, "every day at 14:30");
    /// assert_eq!(prod.defaults.name_suffix.as_deref(), Some("-production"));
    /// // Its own schedule group, so environments never share (or delete) one.
    /// assert_eq!(prod.defaults.schedule_group.as_deref(), Some("cronport-production"));
    /// assert!(m.for_env(None).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_env(&self, env: Option<&str>) -> Result<Manifest, EnvError> {
        let Some(name) = env else {
            if self.env.is_empty() {
                return Ok(self.clone());
            }
            return Err(EnvError {
                message: format!("this manifest has environments ({})", self.env_names()),
                hint: Some(crate::Hint::ChooseEnvironment),
            });
        };
        let Some(environment) = self.env.get(name) else {
            let known = if self.env.is_empty() {
                "it has no [env.NAME] tables".to_string()
            } else {
                format!("it has {}", self.env_names())
            };
            return Err(EnvError::plain(format!(
                "no environment `{name}` in the manifest; {known}"
            )));
        };
        if name == crate::owner::NO_ENVIRONMENT {
            return Err(EnvError::plain(format!(
                "environment name `{name}` stands for \"no environment\" in the owner records cronport writes; choose another"
            )));
        }
        if name.is_empty() || !name.chars().all(is_name_char) {
            return Err(EnvError::plain(format!(
                "environment name `{name}` may hold only A–Z, a–z, 0–9, `.`, `_` and `-`"
            )));
        }
        for job in environment.jobs.keys() {
            if !self.jobs.iter().any(|j| &j.name == job) {
                return Err(EnvError::plain(format!(
                    "[env.{name}.job.{job}] names no job; the jobs are {}",
                    self.jobs
                        .iter()
                        .map(|j| j.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        self.check_replaces(name)?;
        let takes_over = if !environment.replaces.is_empty() {
            environment.replaces.clone()
        } else if self.env.len() == 1 {
            vec![crate::owner::NO_ENVIRONMENT.to_string()]
        } else {
            Vec::new()
        };
        // Another environment's resources, and those it takes over, are
        // its own: never leftovers of this one.
        let siblings = self
            .env
            .iter()
            .filter(|(e, _)| e.as_str() != name)
            .flat_map(|(e, env)| std::iter::once(e.clone()).chain(env.replaces.iter().cloned()))
            .collect();
        let mut out = Manifest {
            id: self.id.clone(),
            environment: Some(name.to_string()),
            lineage: Lineage {
                takes_over,
                siblings,
            },
            defaults: self.defaults.clone(),
            jobs: self.jobs.clone(),
            env: BTreeMap::new(),
        };
        out.defaults.overlay(&environment.settings);
        if out.defaults.name_suffix.is_none() {
            out.defaults.name_suffix = Some(format!("-{name}"));
        }
        // Each environment gets its own schedule group unless it names one:
        // two environments' stacks or states must never both create, or
        // delete with every schedule in it, one group.
        let suffix = out.defaults.name_suffix.clone().unwrap_or_default();
        let own_group = |group: &Option<String>| {
            format!("{}{suffix}", group.as_deref().unwrap_or(DEFAULT_GROUP))
        };
        if environment.settings.schedule_group.is_none() {
            out.defaults.schedule_group = Some(own_group(&out.defaults.schedule_group));
            for job in &mut out.jobs {
                let env_sets_it = environment
                    .jobs
                    .get(&job.name)
                    .is_some_and(|o| o.settings.schedule_group.is_some());
                if job.settings.schedule_group.is_some() && !env_sets_it {
                    job.settings.schedule_group = Some(own_group(&job.settings.schedule_group));
                }
            }
        }
        for job in &mut out.jobs {
            let Some(o) = environment.jobs.get(&job.name) else {
                continue;
            };
            job.overlay(o);
        }
        Ok(out)
    }

    /// `replaces` of environment `name`: earlier environments, each named
    /// once, none of them current, none replaced by another environment
    /// too (two would each move the same jobs).
    fn check_replaces(&self, name: &str) -> Result<(), EnvError> {
        let Some(environment) = self.env.get(name) else {
            return Ok(());
        };
        let mut seen = std::collections::BTreeSet::new();
        for old in &environment.replaces {
            let valid = old == crate::owner::NO_ENVIRONMENT
                || (!old.is_empty() && old.chars().all(is_name_char));
            let problem = if !valid {
                Some(format!(
                    "`{old}` is not an environment name (A–Z, a–z, 0–9, `.`, `_`, `-`; or \"-\", the manifest before it had environments)"
                ))
            } else if old == name {
                Some(format!("`{old}` is this environment itself"))
            } else if self.env.contains_key(old) {
                Some(format!(
                    "`{old}` is an environment of this manifest now, with its own resources; replaces names an earlier one (renamed or removed)"
                ))
            } else if !seen.insert(old.as_str()) {
                Some(format!("`{old}` is named twice"))
            } else {
                self.env
                    .iter()
                    .find(|(other, env)| other.as_str() != name && env.replaces.contains(old))
                    .map(|(other, _)| format!("[env.{other}] replaces `{old}` too: one environment takes over another's resources"))
            };
            if let Some(problem) = problem {
                return Err(EnvError::plain(format!("[env.{name}] replaces: {problem}")));
            }
        }
        Ok(())
    }

    /// Two environments whose jobs would write one AWS resource (a schedule
    /// in one group, or a rule): `[env.stg]`'s job `a-b` and `[env.b-stg]`'s
    /// job `a` are both `cronport-a-b-stg`, and each apply would overwrite
    /// the other's. Names split further by translation (`-2`…) are checked
    /// per environment by compile.
    fn environment_collisions(&self) -> Vec<Problem> {
        let mut owners: BTreeMap<(Backend, String, String), (&str, String)> = BTreeMap::new();
        let mut problems = Vec::new();
        for env in self.env.keys() {
            let Some(jobs) = self.for_env(Some(env)).ok().and_then(|m| m.resolve().ok()) else {
                continue;
            };
            for (i, job) in jobs.iter().enumerate() {
                let scope = match job.target.backend {
                    Backend::Scheduler => job.target.schedule_group.clone(),
                    Backend::Rules => String::new(),
                };
                let key = (job.target.backend, scope.clone(), job.aws_name.clone());
                match owners.get(&key) {
                    None => {
                        owners.insert(key, (env.as_str(), job.name.clone()));
                    }
                    Some((other_env, other_job)) => problems.push(validate::problem(
                        Some(i),
                        "name",
                        format!(
                            "[env.{env}] job `{}` and [env.{other_env}] job `{other_job}` would both be `{}`{}: give the environments name_suffix values that cannot meet, or rename a job",
                            job.name,
                            job.aws_name,
                            if scope.is_empty() { String::new() } else { format!(" in schedule group `{scope}`") }
                        ),
                    )),
                }
            }
        }
        problems
    }

    /// The manifest as TOML.
    ///
    /// ```
    /// use cronport::manifest::{Job, Manifest};
    /// let m = Manifest { jobs: vec![Job { name: "a".into(), schedule: "@daily".into(), command: "x".into(), enabled: true, ..Job::default() }], ..Manifest::default() };
    /// let text = m.to_toml()?;
    /// assert!(text.contains("[[job]]\nname = \"a\""));
    /// assert_eq!(toml::from_str::<Manifest>(&text)?, m);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }
}

#[cfg(test)]
mod tests {
    use super::{Job, SETTINGS, Scope, Settings};

    /// Every row's example parses as its key, and a job that writes it
    /// `has` it: a setting added to the table and missed elsewhere fails
    /// here.
    #[test]
    fn every_setting_in_the_table_parses_and_is_seen() {
        for setting in SETTINGS {
            let line = format!("{} = {}", setting.name, setting.example);
            if setting.scope == Scope::Anywhere {
                let parsed: Settings =
                    toml::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
                assert!(parsed.is_set(setting.name), "{line}");
                let mut over = Settings::default();
                over.overlay(&parsed);
                assert!(over.is_set(setting.name), "overlay drops {line}");
            }
            let mut text = String::from("name = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n");
            if !["name", "schedule", "command"].contains(&setting.name) {
                text.push_str(&line);
            }
            let _: Job = toml::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            // The type check knows every key but the job's name (a plain
            // string the whole-manifest read places well).
            if setting.name != "name" {
                assert_eq!(
                    super::settings::misfit(setting.name, setting.example),
                    None,
                    "{line}"
                );
                assert!(
                    super::settings::misfit(setting.name, "[[1]]").is_some(),
                    "{} takes [[1]]",
                    setting.name
                );
            }
        }
    }
}
