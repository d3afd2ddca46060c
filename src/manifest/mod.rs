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

mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::schedule::{Schedule, is_utc};
use crate::syntax::{self, Grammar};
use crate::target::{Command, FargateSize};
use crate::translate::Backend;
use source::{Source, Step, line_column};

/// The settings `[defaults]` holds and any job may override.
///
/// ```
/// use cronport::manifest::Settings;
/// let s: Settings = toml::from_str("cluster = \"production\"\ntimezone = \"Europe/Berlin\"\n")?;
/// assert_eq!(s.cluster.as_deref(), Some("production"));
/// assert_eq!(s.timezone.as_deref(), Some("Europe/Berlin"));
/// assert!(s.role_arn.is_none()); // unset: a job inherits it from [defaults]
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// ECS cluster name or ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// Task definition family (the latest ACTIVE revision) or ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
    /// The container in the task definition whose command is overridden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The IAM role EventBridge assumes to run the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Subnets for the task's network interface (awsvpc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnets: Option<Vec<String>>,
    /// Security groups for the task's network interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
    /// Whether the task gets a public IP (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_public_ip: Option<bool>,
    /// `FARGATE` (default) or `EC2`; not with a capacity provider strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<LaunchType>,
    /// Capacity providers instead of a launch type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider_strategy: Option<Vec<CapacityProvider>>,
    /// Fargate platform version (default `LATEST`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// IANA time zone the schedule reads (default `UTC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `scheduler` (default) or `rules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<Backend>,
    /// Prefix of every AWS name cronport creates (default `cronport-`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// EventBridge Scheduler schedule group (default `cronport`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_group: Option<String>,
    /// Retries of a failed invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    /// ARN of an SQS queue for invocations that failed for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_queue: Option<String>,
    /// Tags for everything cronport creates (it adds `managed-by`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// How many tasks each run starts (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_count: Option<u32>,
    /// Appended to every AWS name; `[env.NAME]` sets it to `-NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
}

/// The keys [`Settings`] reads, for unknown-key errors.
const SETTINGS_KEYS: [&str; 19] = [
    "name_suffix",
    "cluster",
    "task_definition",
    "container",
    "role_arn",
    "subnets",
    "security_groups",
    "assign_public_ip",
    "launch_type",
    "capacity_provider_strategy",
    "platform_version",
    "timezone",
    "backend",
    "name_prefix",
    "schedule_group",
    "retry_policy",
    "dead_letter_queue",
    "tags",
    "task_count",
];

/// The keys only a job has.
const JOB_KEYS: [&str; 8] = [
    "name",
    "schedule",
    "command",
    "size",
    "cpu",
    "memory",
    "environment",
    "enabled",
];

/// ECS launch types.
///
/// ```
/// use cronport::manifest::{LaunchType, Settings};
/// let s: Settings = toml::from_str("launch_type = \"EC2\"")?;
/// assert_eq!(s.launch_type, Some(LaunchType::Ec2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchType {
    /// AWS Fargate.
    #[serde(rename = "FARGATE")]
    Fargate,
    /// EC2 instances in the cluster.
    #[serde(rename = "EC2")]
    Ec2,
}

/// One entry of a capacity provider strategy.
///
/// ```
/// use cronport::manifest::{CapacityProvider, Settings};
/// let s: Settings = toml::from_str(r#"capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]"#)?;
/// let spot = CapacityProvider { capacity_provider: "FARGATE_SPOT".into(), weight: Some(1), base: None };
/// assert_eq!(s.capacity_provider_strategy, Some(vec![spot]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityProvider {
    /// The capacity provider, such as `FARGATE_SPOT`.
    pub capacity_provider: String,
    /// Relative weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// Tasks placed here first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<u32>,
}

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
    /// Overrides of `[defaults]`.
    #[serde(flatten)]
    pub settings: Settings,
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
/// let m = cronport::manifest::Manifest::from_toml(&std::fs::read_to_string("examples/heroku/cronport.toml")?, "m")?;
/// assert_eq!(m.defaults.schedule_group.as_deref(), Some("mamorio"));
/// assert_eq!(m.jobs.len(), 12);
/// assert!(m.env.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
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
    /// Settings over `[defaults]`.
    #[serde(flatten)]
    pub settings: Settings,
    /// Overrides of single jobs, by job name.
    #[serde(default, rename = "job", skip_serializing_if = "BTreeMap::is_empty")]
    pub jobs: BTreeMap<String, JobOverride>,
}

/// What an environment may change in a job.
///
/// ```
/// let text = std::fs::read_to_string("examples/heroku/cronport.toml")?
///     + "\n[env.staging]\ncluster = \"staging\"\n\n[env.staging.job.rake-reports-daily]\nschedule = \"every day at 06:00\"\n";
/// let m = cronport::manifest::Manifest::from_toml(&text, "cronport.toml")?;
/// let over = &m.env["staging"].jobs["rake-reports-daily"];
/// assert_eq!(over.schedule.as_deref(), Some("every day at 06:00"));
/// let staging = m.for_env(Some("staging"))?;
/// assert_eq!(staging.jobs[2].schedule, "every day at 06:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobOverride {
    /// Another schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Another command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Another dyno size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Another CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Another memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    /// More (or other) environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<BTreeMap<String, String>>,
    /// Enabled or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Settings for this job in this environment.
    #[serde(flatten)]
    pub settings: Settings,
}

/// Fills every unset field of `into` from `from`.
fn overlay(into: &mut Settings, from: &Settings) {
    macro_rules! take {
        ($($field:ident),*) => { $( if from.$field.is_some() { into.$field = from.$field.clone(); } )* };
    }
    take!(
        cluster,
        task_definition,
        container,
        role_arn,
        subnets,
        security_groups,
        assign_public_ip,
        launch_type,
        capacity_provider_strategy,
        platform_version,
        timezone,
        backend,
        name_prefix,
        schedule_group,
        retry_policy,
        dead_letter_queue,
        task_count,
        name_suffix
    );
    if let Some(tags) = &from.tags {
        into.tags
            .get_or_insert_with(BTreeMap::new)
            .extend(tags.clone());
    }
}

/// A job with its defaults merged in and everything checked.
///
/// ```
/// let m = cronport::manifest::Manifest::from_toml(&std::fs::read_to_string("examples/heroku/cronport.toml")?, "m")?;
/// let job = &m.resolve().map_err(|p| format!("{p:?}"))?[2];
/// assert_eq!((job.name.as_str(), job.aws_name.as_str()), ("rake-reports-daily", "cronport-rake-reports-daily"));
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
    /// The task size override, if any.
    pub size: Option<FargateSize>,
    /// Environment overrides.
    pub environment: BTreeMap<String, String>,
    /// Whether the schedule is enabled.
    pub enabled: bool,
    /// The merged settings, with defaults filled in.
    pub target: EcsTarget,
}

/// Where and how a job's task runs, every default filled in.
///
/// ```
/// let m = cronport::manifest::Manifest::from_toml(&std::fs::read_to_string("examples/heroku/cronport.toml")?, "m")?;
/// let target = &m.resolve().map_err(|p| format!("{p:?}"))?[0].target;
/// assert_eq!(target.cluster, "mamorio-production");
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
    /// Dead-letter queue ARN.
    pub dead_letter_queue: Option<String>,
    /// Tags, with `managed-by = cronport`.
    pub tags: BTreeMap<String, String>,
    /// Tasks per run.
    pub task_count: u32,
}

/// Settings every job must end up with.
const REQUIRED_KEYS: [&str; 5] = [
    "cluster",
    "task_definition",
    "container",
    "role_arn",
    "subnets",
];
const REQUIRED_EXAMPLES: [(&str, &str); 5] = [
    ("cluster", "\"production\""),
    ("task_definition", "\"app-worker\""),
    ("container", "\"worker\""),
    ("role_arn", "\"arn:aws:iam::123456789012:role/cronport\""),
    ("subnets", "[\"subnet-…\"]"),
];

/// The longest AWS name of a schedule or rule.
///
/// ```
/// use cronport::manifest::{MAX_NAME_LEN, Manifest};
/// let long = "x".repeat(MAX_NAME_LEN); // too long once `cronport-` is prefixed
/// let text = std::fs::read_to_string("examples/heroku/cronport.toml")?
///     .replacen("rake-sightings-purge-older-than", &long, 1);
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
    /// What is wrong and what to write instead.
    pub message: String,
}

/// Everything wrong with a manifest, each with file, line and column.
///
/// ```
/// use cronport::manifest::Manifest;
/// let err = Manifest::from_toml("[defaults]\nclustr = \"x\"\n", "cronport.toml").unwrap_err();
/// assert_eq!(err.problems.len(), 1);
/// assert!(err.problems[0].contains("cronport.toml:2:1"));
/// assert!(err.problems[0].contains("cluster")); // the suggestion
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ManifestError {
    /// The rendered problems: `file:line:column: message` and the line with
    /// a caret.
    pub problems: Vec<String>,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("\n\n"))
    }
}

impl Manifest {
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
        let render =
            |span: std::ops::Range<usize>, message: &str| render_problem(text, file, span, message);
        let source = Source::parse(text).map_err(|e| ManifestError {
            problems: vec![render(e.span().unwrap_or(0..0), e.message())],
        })?;
        let mut problems = unknown_keys(&source, &render);
        if problems.is_empty() {
            match toml::from_str::<Manifest>(text) {
                Ok(manifest) => {
                    // With environments, each must be whole; without, the
                    // manifest itself.
                    let mut checked = Vec::new();
                    if manifest.env.is_empty() {
                        checked = manifest.check();
                    }
                    for env in manifest.env.keys() {
                        match manifest.for_env(Some(env)) {
                            Ok(m) => checked.extend(m.check().into_iter().map(|mut p| {
                                p.message = format!("[env.{env}] {}", p.message);
                                p
                            })),
                            Err(message) => checked.push(problem(None, "env", message)),
                        }
                    }
                    if checked.is_empty() {
                        return Ok(manifest);
                    }
                    return Err(manifest.place(text, file, &checked));
                }
                Err(e) => problems.push(render(e.span().unwrap_or(0..0), e.message())),
            }
        }
        Err(ManifestError { problems })
    }

    /// Places `problems` (from [`Manifest::check`] or a later stage) in
    /// `text`, this manifest's source, for display.
    ///
    /// ```
    /// use cronport::manifest::{Manifest, Problem};
    /// let text = std::fs::read_to_string("examples/heroku/cronport.toml")?;
    /// let m = Manifest::from_toml(&text, "cronport.toml")?;
    /// // A later stage (here: made up) found a problem with the third job's command.
    /// let problem = Problem { job: Some(2), key: "command", message: "the command is too long".into() };
    /// let placed = m.place(&text, "cronport.toml", &[problem]).to_string();
    /// assert!(placed.starts_with("error: the command is too long\n  --> cronport.toml:31:11"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn place(&self, text: &str, file: &str, problems: &[Problem]) -> ManifestError {
        let Ok(source) = Source::parse(text) else {
            return ManifestError {
                problems: problems
                    .iter()
                    .map(|p| format!("error: {}", p.message))
                    .collect(),
            };
        };
        let rendered = problems
            .iter()
            .map(|p| {
                let mut path = Vec::new();
                match p.job {
                    Some(i) => path.extend([Step::Key("job"), Step::Index(i)]),
                    None => path.push(Step::Key("defaults")),
                }
                // Point at the key when the job (or [defaults]) sets it;
                // otherwise at the job, which inherits the bad value.
                let sets_key = p
                    .job
                    .is_none_or(|i| self.jobs.get(i).is_some_and(|j| j.has(p.key)));
                if sets_key {
                    path.push(Step::Key(p.key));
                }
                render_problem(text, file, source.span(&path), &p.message)
            })
            .collect();
        ManifestError { problems: rendered }
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
    /// assert!(m.for_env(None).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_env(&self, env: Option<&str>) -> Result<Manifest, String> {
        let Some(name) = env else {
            if self.env.is_empty() {
                return Ok(self.clone());
            }
            return Err(format!(
                "this manifest has environments ({}); choose one with --env",
                self.env.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        let Some(environment) = self.env.get(name) else {
            let known = if self.env.is_empty() {
                "it has no [env.NAME] tables".to_string()
            } else {
                format!(
                    "it has {}",
                    self.env.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            };
            return Err(format!("no environment `{name}` in the manifest; {known}"));
        };
        if !name.chars().all(is_name_char) {
            return Err(format!(
                "environment name `{name}` may hold only A–Z, a–z, 0–9, `.`, `_` and `-`"
            ));
        }
        for job in environment.jobs.keys() {
            if !self.jobs.iter().any(|j| &j.name == job) {
                return Err(format!(
                    "[env.{name}.job.{job}] names no job; the jobs are {}",
                    self.jobs
                        .iter()
                        .map(|j| j.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let mut out = Manifest {
            defaults: self.defaults.clone(),
            jobs: self.jobs.clone(),
            env: BTreeMap::new(),
        };
        overlay(&mut out.defaults, &environment.settings);
        if out.defaults.name_suffix.is_none() {
            out.defaults.name_suffix = Some(format!("-{name}"));
        }
        for job in &mut out.jobs {
            let Some(o) = environment.jobs.get(&job.name) else {
                continue;
            };
            if let Some(v) = &o.schedule {
                job.schedule = v.clone();
            }
            if let Some(v) = &o.command {
                job.command = v.clone();
            }
            if o.size.is_some() {
                job.size = o.size.clone();
            }
            if o.cpu.is_some() {
                job.cpu = o.cpu;
            }
            if o.memory.is_some() {
                job.memory = o.memory;
            }
            if let Some(v) = &o.environment {
                job.environment.extend(v.clone());
            }
            if let Some(v) = o.enabled {
                job.enabled = v;
            }
            overlay(&mut job.settings, &o.settings);
        }
        Ok(out)
    }

    /// The manifest as TOML.
    ///
    /// ```
    /// use cronport::manifest::{Job, Manifest};
    /// let m = Manifest { jobs: vec![Job { name: "a".into(), schedule: "@daily".into(), command: "x".into(), enabled: true, ..Job::default() }], ..Manifest::default() };
    /// let text = m.to_toml();
    /// assert!(text.contains("[[job]]\nname = \"a\""));
    /// assert_eq!(toml::from_str::<Manifest>(&text)?, m);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Every problem, unplaced (for manifests built in code).
    ///
    /// ```
    /// use cronport::manifest::{Job, Manifest};
    /// let m = Manifest { jobs: vec![Job { name: "a b".into(), schedule: "@daily".into(), command: "x".into(), enabled: true, ..Job::default() }], ..Manifest::default() };
    /// let problems = m.check();
    /// assert!(problems.iter().any(|p| p.key == "name" && p.message.contains("write `a-b`")));
    /// assert!(problems.iter().any(|p| p.key == "cluster"));
    /// ```
    pub fn check(&self) -> Vec<Problem> {
        match self.resolve() {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        }
    }

    /// The jobs with defaults merged in and everything checked.
    ///
    /// ```
    /// let m = cronport::manifest::Manifest::from_toml(&std::fs::read_to_string("examples/heroku/cronport.toml")?, "m")?;
    /// let jobs = m.resolve().map_err(|p| format!("{p:?}"))?;
    /// assert_eq!(jobs[0].target.schedule_group, "mamorio");
    /// assert_eq!(jobs[0].target.tags["managed-by"], "cronport");
    /// assert_eq!(jobs[5].size.unwrap().cpu, 2048); // performance-m
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve(&self) -> Result<Vec<ResolvedJob>, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut jobs = Vec::new();
        problems.extend(check_settings(&self.defaults, None));
        let mut seen = BTreeSet::new();
        for (i, job) in self.jobs.iter().enumerate() {
            let before = problems.len();
            problems.extend(check_settings(&job.settings, Some(i)));
            if !seen.insert(job.name.as_str()) {
                problems.push(problem(
                    Some(i),
                    "name",
                    format!(
                        "a second job is named `{}`; job names must be unique",
                        job.name
                    ),
                ));
            }
            match resolve_job(&self.defaults, job, i) {
                Ok(resolved) if problems.len() == before => jobs.push(resolved),
                Ok(_) => {}
                Err(mut p) => problems.append(&mut p),
            }
        }
        // A required setting no job has is one problem of [defaults], not
        // one per job.
        let missing = |p: &Problem| p.job.is_some() && p.message.contains(" has no ");
        for key in REQUIRED_KEYS {
            let count = problems
                .iter()
                .filter(|p| p.key == key && missing(p))
                .count();
            if count > 1 && count == self.jobs.len() {
                problems.retain(|p| !(p.key == key && missing(p)));
                let example = REQUIRED_EXAMPLES
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or("", |(_, e)| e);
                problems.push(problem(
                    None,
                    key,
                    format!("no job has a {key}: set `{key} = {example}` in [defaults]"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(jobs)
        } else {
            Err(problems)
        }
    }
}

impl Job {
    /// Whether the job itself sets `key` (else errors point at the job).
    fn has(&self, key: &str) -> bool {
        let s = &self.settings;
        match key {
            "name" | "schedule" | "command" => true,
            "size" => self.size.is_some(),
            "cpu" | "memory" => self.cpu.is_some() || self.memory.is_some(),
            "environment" => !self.environment.is_empty(),
            "cluster" => s.cluster.is_some(),
            "task_definition" => s.task_definition.is_some(),
            "container" => s.container.is_some(),
            "role_arn" => s.role_arn.is_some(),
            "subnets" => s.subnets.is_some(),
            "timezone" => s.timezone.is_some(),
            "name_prefix" => s.name_prefix.is_some(),
            "retry_policy" => s.retry_policy.is_some(),
            "dead_letter_queue" => s.dead_letter_queue.is_some(),
            "tags" => s.tags.is_some(),
            "launch_type" => s.launch_type.is_some(),
            "capacity_provider_strategy" => s.capacity_provider_strategy.is_some(),
            "task_count" => s.task_count.is_some(),
            _ => false,
        }
    }
}

fn problem(job: Option<usize>, key: &'static str, message: String) -> Problem {
    Problem { job, key, message }
}

fn render_problem(text: &str, file: &str, span: std::ops::Range<usize>, message: &str) -> String {
    let (line, column) = line_column(text, span.start);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let width = text[span.start.min(text.len())..span.end.min(text.len())]
        .lines()
        .next()
        .map_or(1, |l| l.chars().count().max(1));
    let gutter = line.to_string().len();
    // A message's first line heads the error; further lines (options,
    // hints) follow the snippet.
    let (head, rest) = message.split_once('\n').unwrap_or((message, ""));
    let mut out = format!(
        "error: {head}\n{pad}--> {file}:{line}:{column}\n{pad} |\n{line} | {line_text}\n{pad} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(width),
        pad = " ".repeat(gutter),
    );
    for extra in rest.lines() {
        out.push_str(&format!(
            "\n{pad} = {}",
            extra.trim(),
            pad = " ".repeat(gutter)
        ));
    }
    out
}

/// Unknown keys in `[defaults]`, each `[[job]]`, and the top level.
fn unknown_keys(
    source: &Source<'_>,
    render: &dyn Fn(std::ops::Range<usize>, &str) -> String,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |path: &[Step<'_>], allowed: &[&str], place: &str| {
        for (key, span) in source.keys(path) {
            if !allowed.contains(&key.as_str()) {
                let hint = closest(&key, allowed)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                problems.push(render(
                    span,
                    &format!("unknown key `{key}` in {place}{hint}"),
                ));
            }
        }
    };
    check(
        &[],
        &["defaults", "job", "env"],
        "the manifest (it holds [defaults], [[job]] and [env.NAME] tables)",
    );
    let env_keys: Vec<&str> = SETTINGS_KEYS.iter().copied().chain(["job"]).collect();
    let override_keys: Vec<&str> = JOB_KEYS
        .iter()
        .filter(|k| **k != "name")
        .chain(SETTINGS_KEYS.iter())
        .copied()
        .collect();
    for (env, _) in source.keys(&[Step::Key("env")]) {
        check(
            &[Step::Key("env"), Step::Key(&env)],
            &env_keys,
            &format!("[env.{env}]"),
        );
        let jobs = [Step::Key("env"), Step::Key(&env), Step::Key("job")];
        for (job, _) in source.keys(&jobs) {
            let path = [
                Step::Key("env"),
                Step::Key(&env),
                Step::Key("job"),
                Step::Key(&job),
            ];
            check(&path, &override_keys, &format!("[env.{env}.job.{job}]"));
        }
    }
    check(&[Step::Key("defaults")], &SETTINGS_KEYS, "[defaults]");
    let all_job_keys: Vec<&str> = JOB_KEYS
        .iter()
        .chain(SETTINGS_KEYS.iter())
        .copied()
        .collect();
    for i in 0..source.len(&[Step::Key("job")]) {
        check(
            &[Step::Key("job"), Step::Index(i)],
            &all_job_keys,
            &format!("[[job]] number {}", i + 1),
        );
    }
    problems
}

/// The allowed key nearest `key` by edit distance, if near enough.
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(key, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min()
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Checks of values that need no merging.
fn check_settings(s: &Settings, job: Option<usize>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut fail = |key: &'static str, message: String| problems.push(problem(job, key, message));
    if let Some(arn) = &s.role_arn
        && !is_role_arn(arn)
    {
        fail(
            "role_arn",
            format!("`{arn}` is not an IAM role ARN; write arn:aws:iam::123456789012:role/NAME"),
        );
    }
    if let Some(tz) = &s.timezone
        && TimeZone::get(tz).is_err()
    {
        fail(
            "timezone",
            format!(
                "unknown time zone `{tz}`; use an IANA name such as UTC, America/New_York or Asia/Tokyo"
            ),
        );
    }
    if let Some(dlq) = &s.dead_letter_queue
        && !(dlq.starts_with("arn:aws") && dlq.split(':').nth(2) == Some("sqs"))
    {
        fail(
            "dead_letter_queue",
            format!("`{dlq}` is not an SQS queue ARN; write arn:aws:sqs:REGION:ACCOUNT:QUEUE"),
        );
    }
    if let Some(retry) = &s.retry_policy {
        if retry.maximum_retry_attempts.is_some_and(|n| n > 185) {
            fail(
                "retry_policy",
                "maximum_retry_attempts must be 0–185".to_string(),
            );
        }
        if retry
            .maximum_event_age_in_seconds
            .is_some_and(|n| !(60..=86_400).contains(&n))
        {
            fail(
                "retry_policy",
                "maximum_event_age_in_seconds must be 60–86400".to_string(),
            );
        }
    }
    if s.launch_type.is_some() && s.capacity_provider_strategy.is_some() {
        fail(
            "capacity_provider_strategy",
            "set launch_type or capacity_provider_strategy, not both".to_string(),
        );
    }
    if let Some(tags) = &s.tags {
        for (k, v) in tags {
            if k.is_empty() || k.len() > 128 || v.len() > 256 || k.starts_with("aws:") {
                fail(
                    "tags",
                    format!(
                        "tag `{k}`: keys are 1–128 characters not starting with aws:, values at most 256"
                    ),
                );
            }
        }
    }
    if s.task_count == Some(0) {
        fail("task_count", "task_count must be at least 1".to_string());
    }
    if let Some(prefix) = &s.name_prefix
        && !prefix.chars().all(is_name_char)
    {
        fail(
            "name_prefix",
            format!("`{prefix}` may hold only A–Z, a–z, 0–9, `.`, `_` and `-`"),
        );
    }
    problems
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// `arn:aws(-partition)?:iam::<12 digits>:role/<path and name>`.
///
/// ```
/// use cronport::manifest::is_role_arn;
/// assert!(is_role_arn("arn:aws:iam::123456789012:role/service/cronport"));
/// assert!(!is_role_arn("arn:aws:iam::123456789012:user/cronport"));
/// ```
pub fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_word, partition, "iam", "", account, resource] = parts.as_slice() else {
        return false;
    };
    *arn_word == "arn"
        && (*partition == "aws"
            || partition
                .strip_prefix("aws-")
                .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase())))
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && resource.strip_prefix("role/").is_some_and(|r| {
            !r.is_empty()
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@/-".contains(c))
        })
}

fn resolve_job(defaults: &Settings, job: &Job, i: usize) -> Result<ResolvedJob, Vec<Problem>> {
    let mut problems = Vec::new();
    let at = Some(i);
    let s = &job.settings;
    let pick =
        |own: &Option<String>, default: &Option<String>| own.clone().or_else(|| default.clone());
    let prefix =
        pick(&s.name_prefix, &defaults.name_prefix).unwrap_or_else(|| "cronport-".to_string());
    let suffix = pick(&s.name_suffix, &defaults.name_suffix).unwrap_or_default();
    let aws_name = format!("{prefix}{}{suffix}", job.name);
    if job.name.is_empty() || !job.name.chars().all(is_name_char) {
        let suggestion = crate::import::name_from_command(&job.name);
        problems.push(problem(
            at,
            "name",
            format!(
                "job name `{}` may hold only A–Z, a–z, 0–9, `.`, `_` and `-`; write `{suggestion}`",
                job.name
            ),
        ));
    } else if aws_name.len() > MAX_NAME_LEN {
        let affixes = if suffix.is_empty() {
            format!("the prefix `{prefix}`")
        } else {
            format!("the prefix `{prefix}` and suffix `{suffix}`")
        };
        problems.push(problem(at, "name", format!("job `{}`: with {affixes} its AWS name has {} characters; AWS allows {MAX_NAME_LEN}", job.name, aws_name.len())));
    }
    let tz_name = pick(&s.timezone, &defaults.timezone).unwrap_or_else(|| "UTC".to_string());
    let zone = TimeZone::get(&tz_name).unwrap_or(TimeZone::UTC);
    let schedule = match syntax::parse_any(&job.schedule) {
        Ok(parsed) => {
            if parsed.grammar == Grammar::Heroku && !is_utc(&zone) {
                problems.push(problem(at, "schedule", format!("`{}` is a Heroku Scheduler time, which is UTC, but the job's timezone is {tz_name}; write it as cron, or set timezone = \"UTC\"", job.schedule)));
            }
            Some(Schedule::new(parsed.pattern, zone))
        }
        Err(e) => {
            problems.push(problem(
                at,
                "schedule",
                format!("schedule `{}`: {}", job.schedule, e.message),
            ));
            None
        }
    };
    if job.command.trim().is_empty() {
        problems.push(problem(
            at,
            "command",
            format!("job `{}` has an empty command", job.name),
        ));
    }
    let size = match (job.cpu, job.memory, &job.size) {
        (Some(cpu), Some(memory), _) => FargateSize::new(cpu, memory)
            .map(Some)
            .map_err(|e| ("cpu", e)),
        (Some(_), None, _) | (None, Some(_), _) => {
            problems.push(problem(
                at,
                "cpu",
                "set both cpu and memory, or neither".to_string(),
            ));
            Ok(None)
        }
        (None, None, Some(dyno)) => FargateSize::for_dyno(dyno)
            .map(Some)
            .map_err(|e| ("size", e)),
        (None, None, None) => Ok(None),
    };
    let size = size.unwrap_or_else(|(key, e)| {
        problems.push(problem(at, key, e.to_string()));
        None
    });
    for name in job.environment.keys() {
        if name.is_empty() || name.contains('=') {
            problems.push(problem(
                at,
                "environment",
                format!("environment variable name `{name}` is not valid"),
            ));
        }
    }
    let mut required =
        |key: &'static str, own: &Option<String>, default: &Option<String>, example: &str| {
            pick(own, default).unwrap_or_else(|| {
                problems.push(problem(
                at,
                key,
                format!(
                    "job `{}` has no {key}: set `{key} = {example}` in [defaults] or in the job",
                    job.name
                ),
            ));
                String::new()
            })
        };
    let cluster = required("cluster", &s.cluster, &defaults.cluster, "\"production\"");
    let task_definition = required(
        "task_definition",
        &s.task_definition,
        &defaults.task_definition,
        "\"app-worker\"",
    );
    let container = required("container", &s.container, &defaults.container, "\"worker\"");
    let role_arn = required(
        "role_arn",
        &s.role_arn,
        &defaults.role_arn,
        "\"arn:aws:iam::123456789012:role/cronport\"",
    );
    let capacity_provider_strategy = s
        .capacity_provider_strategy
        .clone()
        .or_else(|| defaults.capacity_provider_strategy.clone())
        .unwrap_or_default();
    let launch_type = match s.launch_type.or(defaults.launch_type) {
        None if capacity_provider_strategy.is_empty() => Some(LaunchType::Fargate),
        other => other,
    };
    let subnets = s
        .subnets
        .clone()
        .or_else(|| defaults.subnets.clone())
        .unwrap_or_default();
    let uses_fargate = launch_type == Some(LaunchType::Fargate)
        || capacity_provider_strategy
            .iter()
            .any(|c| c.capacity_provider.starts_with("FARGATE"));
    if uses_fargate && subnets.is_empty() {
        problems.push(problem(at, "subnets", format!("job `{}` runs on Fargate, which needs subnets: set `subnets = [\"subnet-…\"]` in [defaults] or in the job", job.name)));
    }
    let mut tags = defaults.tags.clone().unwrap_or_default();
    tags.extend(s.tags.clone().unwrap_or_default());
    tags.insert("managed-by".to_string(), "cronport".to_string());
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ResolvedJob {
        name: job.name.clone(),
        aws_name,
        name_prefix: prefix,
        name_suffix: suffix,
        expression: job.schedule.clone(),
        schedule: schedule.expect("no problems means the schedule parsed"),
        command_text: job.command.trim().to_string(),
        command: Command::from_heroku(&job.command),
        size,
        environment: job.environment.clone(),
        enabled: job.enabled,
        target: EcsTarget {
            cluster,
            task_definition,
            container,
            role_arn,
            subnets,
            security_groups: s
                .security_groups
                .clone()
                .or_else(|| defaults.security_groups.clone())
                .unwrap_or_default(),
            assign_public_ip: s
                .assign_public_ip
                .or(defaults.assign_public_ip)
                .unwrap_or(false),
            launch_type,
            capacity_provider_strategy,
            platform_version: pick(&s.platform_version, &defaults.platform_version),
            backend: s.backend.or(defaults.backend).unwrap_or(Backend::Scheduler),
            schedule_group: pick(&s.schedule_group, &defaults.schedule_group)
                .unwrap_or_else(|| "cronport".to_string()),
            retry_policy: s.retry_policy.or(defaults.retry_policy),
            dead_letter_queue: pick(&s.dead_letter_queue, &defaults.dead_letter_queue),
            tags,
            task_count: s.task_count.or(defaults.task_count).unwrap_or(1),
        },
    })
}
