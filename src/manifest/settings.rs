//! The one table of manifest settings. Each row names a key, its value's
//! type, its default, where it may be written, and an example; the
//! `Settings` struct, `JobOverride` (what an environment may change in a
//! job), the `[env]` overlays, the key and type checks and the
//! README's settings table (a test keeps it equal) all come from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{CapacityProvider, Job, LaunchType, Rehearse, RetryPolicy};
use crate::translate::Backend;

/// One manifest key, as the table of settings describes it.
///
/// ```
/// use cronport::manifest::{Scope, SETTINGS};
/// let timezone = SETTINGS.iter().find(|s| s.name == "timezone").unwrap();
/// assert_eq!((timezone.default, timezone.scope), ("`UTC`", Scope::Anywhere));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The key as written in TOML.
    pub name: &'static str,
    /// The value's type, in words.
    pub value: &'static str,
    /// The value when the key is set nowhere (Markdown).
    pub default: &'static str,
    /// Where the key may be written.
    pub scope: Scope,
    /// A value to write, as TOML.
    pub example: &'static str,
    /// What it does (the field's rustdoc).
    pub doc: &'static str,
}

/// Where a manifest key may be written.
///
/// ```
/// use cronport::manifest::Scope;
/// assert!(Scope::Anywhere.allows_defaults() && !Scope::Job.allows_defaults());
/// assert!(Scope::Job.allows_override() && !Scope::JobTable.allows_override());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `[defaults]`, `[[job]]`, `[env.NAME]` and `[env.NAME.job.JOB]`.
    Anywhere,
    /// `[[job]]` and `[env.NAME.job.JOB]`.
    Job,
    /// `[[job]]` only (the job's name, which an override is keyed by).
    JobTable,
    /// `[defaults]` and `[env.NAME]`: the whole deployment's, not a job's.
    Deployment,
}

impl Scope {
    /// Whether `[defaults]` and `[env.NAME]` may set the key.
    ///
    /// ```
    /// assert!(cronport::manifest::Scope::Anywhere.allows_defaults());
    /// ```
    pub fn allows_defaults(self) -> bool {
        matches!(self, Scope::Anywhere | Scope::Deployment)
    }

    /// Whether `[env.NAME.job.JOB]` may set the key.
    ///
    /// ```
    /// assert!(!cronport::manifest::Scope::JobTable.allows_override());
    /// ```
    pub fn allows_override(self) -> bool {
        matches!(self, Scope::Anywhere | Scope::Job)
    }

    /// Whether a `[[job]]` may set the key.
    ///
    /// ```
    /// assert!(!cronport::manifest::Scope::Deployment.allows_job());
    /// ```
    pub fn allows_job(self) -> bool {
        self != Scope::Deployment
    }

    /// Where, as the manifest's tables: for a message saying where a key
    /// goes.
    ///
    /// ```
    /// assert_eq!(cronport::manifest::Scope::Deployment.tables(), "[defaults] or [env.NAME]");
    /// ```
    pub fn tables(self) -> &'static str {
        match self {
            Scope::Anywhere => "[defaults], a [[job]], [env.NAME] or [env.NAME.job.JOB]",
            Scope::Job => "a [[job]] or [env.NAME.job.JOB]",
            Scope::JobTable => "a [[job]]",
            Scope::Deployment => "[defaults] or [env.NAME]",
        }
    }

    /// Where, in words for the README's table.
    ///
    /// ```
    /// assert_eq!(cronport::manifest::Scope::Job.places(), "job, env job");
    /// ```
    pub fn places(self) -> &'static str {
        match self {
            Scope::Anywhere => "defaults, job, env, env job",
            Scope::Job => "job, env job",
            Scope::JobTable => "job",
            Scope::Deployment => "defaults, env",
        }
    }
}

/// A setting row's scope: `Anywhere` unless the row says `only SCOPE`.
macro_rules! scope_of {
    () => {
        Scope::Anywhere
    };
    ($scope:ident) => {
        Scope::$scope
    };
}

/// Declares `Settings` (every key `[defaults]` may hold) and `SETTINGS`
/// (those rows and the job-only rows) from one list, so a new setting is
/// one entry here and nowhere else in the parser, overlay or key checks.
macro_rules! settings_table {
    (
        settings {$(
            $(#[doc = $doc:literal])+
            $name:ident: $ty:ty = $value:literal, default $default:literal, example $example:literal $(, only $scope:ident)?;
        )+}
        job_table {$(
            $(#[doc = $table_doc:literal])+
            $table_name:ident = $table_value:literal, default $table_default:literal, example $table_example:literal;
        )+}
        job {$(
            $(#[doc = $job_doc:literal])+
            $job_name:ident: $job_ty:ty = $job_value:literal, default $job_default:literal, example $job_example:literal;
        )+}
    ) => {
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
        pub struct Settings {$(
            $(#[doc = $doc])+
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $name: Option<$ty>,
        )+}

        /// Every manifest key: the settings, then the keys only a job has.
        ///
        /// ```
        /// use cronport::manifest::{Scope, SETTINGS};
        /// assert!(SETTINGS.iter().any(|s| s.name == "cluster" && s.scope == Scope::Anywhere));
        /// assert!(SETTINGS.iter().any(|s| s.name == "schedule" && s.scope == Scope::Job));
        /// ```
        pub const SETTINGS: &[Setting] = &[
            $(Setting {
                name: stringify!($name),
                value: $value,
                default: $default,
                scope: scope_of!($($scope)?),
                example: $example,
                doc: concat!($($doc),+),
            },)+
            $(Setting {
                name: stringify!($table_name),
                value: $table_value,
                default: $table_default,
                scope: Scope::JobTable,
                example: $table_example,
                doc: concat!($($table_doc),+),
            },)+
            $(Setting {
                name: stringify!($job_name),
                value: $job_value,
                default: $job_default,
                scope: Scope::Job,
                example: $job_example,
                doc: concat!($($job_doc),+),
            },)+
        ];

        /// What an environment may change in a job: every job key but its
        /// name, and every setting.
        ///
        /// ```
        /// # let text = cronport::manifest::doc::EXAMPLE;
        /// let text = format!("{text}\n[env.staging]\ncluster = \"staging\"\n\n[env.staging.job.reports]\nschedule = \"every day at 06:00\"\n");
        /// let m = cronport::manifest::Manifest::from_toml(&text, "cronport.toml")?;
        /// let over = &m.env["staging"].jobs["reports"];
        /// assert_eq!(over.schedule.as_deref(), Some("every day at 06:00"));
        /// let staging = m.for_env(Some("staging"))?;
        /// assert_eq!(staging.jobs[0].schedule, "every day at 06:00");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct JobOverride {
            $(
                $(#[doc = $job_doc])+
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $job_name: Option<$job_ty>,
            )+
            /// Settings for this job in this environment.
            #[serde(flatten)]
            pub settings: Settings,
        }

        impl Job {
            /// Takes what an environment's override of this job sets:
            /// environment variables are added to, the rest replaced.
            pub(crate) fn overlay(&mut self, over: &JobOverride) {
                $(if let Some(value) = &over.$job_name {
                    Overlay::overlay(&mut self.$job_name, value);
                })+
                self.settings.overlay(&over.settings);
            }

        }

        /// Why `value` (a TOML value's text) is not of setting `key`'s
        /// type, in the reader's words; `None` when it is, when `key` is
        /// not a setting, or when the text is not a value on its own (a
        /// table written under a header). The manifest reads its jobs
        /// through `#[serde(flatten)]`, which forgets where a value was:
        /// this places a wrong type at its key instead of at `[[job]]`.
        pub(crate) fn misfit(key: &str, value: &str) -> Option<String> {
            fn read<T: serde::de::DeserializeOwned>(value: &str) -> Option<String> {
                #[derive(Deserialize)]
                struct One<T> {
                    #[allow(dead_code)] // read only to see whether it can be
                    v: T,
                }
                let doc = format!("v = {value}");
                toml::from_str::<toml::Table>(&doc).ok()?;
                toml::from_str::<One<T>>(&doc).err().map(|e| e.message().to_string())
            }
            match key {
                $(stringify!($name) => read::<$ty>(value),)+
                $(stringify!($job_name) => read::<$job_ty>(value),)+
                _ => None,
            }
        }

        impl Settings {
            /// Sets every setting `from` sets; tags are merged, the rest
            /// replaced (an `[env.NAME]` table over `[defaults]`, an
            /// environment's job override over the job).
            ///
            /// ```
            /// use cronport::manifest::Settings;
            /// let mut job: Settings = toml::from_str("cluster = \"a\"\ntags = { team = \"x\" }")?;
            /// job.overlay(&toml::from_str("cluster = \"b\"\ntags = { env = \"prod\" }")?);
            /// assert_eq!(job.cluster.as_deref(), Some("b"));
            /// assert_eq!(job.tags.unwrap().len(), 2);
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn overlay(&mut self, from: &Settings) {
                let tags = self.tags.take();
                $(if from.$name.is_some() {
                    self.$name = from.$name.clone();
                })+
                if let (Some(mut tags), Some(more)) = (tags.clone(), &from.tags) {
                    tags.extend(more.clone());
                    self.tags = Some(tags);
                } else if from.tags.is_none() {
                    self.tags = tags;
                }
            }

            /// Whether the setting named `key` is set here.
            ///
            /// ```
            /// let s: cronport::manifest::Settings = toml::from_str("shell = \"/bin/sh\"")?;
            /// assert!(s.is_set("shell") && !s.is_set("timeout"));
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn is_set(&self, key: &str) -> bool {
                match key {
                    $(stringify!($name) => self.$name.is_some(),)+
                    _ => false,
                }
            }
        }
    };
}

settings_table! {
    settings {
        /// Appended to every AWS name; `[env.NAME]` sets it to `-NAME`.
        name_suffix: String = "string", default "none (`-NAME` in an environment)", example "\"-staging\"";
        /// ECS cluster name or ARN.
        cluster: String = "string", default "required", example "\"production\"";
        /// Task definition family (the latest ACTIVE revision) or ARN.
        task_definition: String = "string", default "required", example "\"app-worker\"";
        /// The container in the task definition whose command is overridden.
        container: String = "string", default "required", example "\"worker\"";
        /// The IAM role EventBridge assumes to run the task.
        role_arn: String = "string", default "required", example "\"arn:aws:iam::123456789012:role/cronport\"";
        /// Subnets for the task's network interface (awsvpc).
        subnets: Vec<String> = "list of strings", default "required (Fargate)", example "[\"subnet-0a1b2c3d\"]";
        /// Security groups for the task's network interface.
        security_groups: Vec<String> = "list of strings", default "the VPC's default", example "[\"sg-0a1b2c3d\"]";
        /// Whether the task gets a public IP (default false).
        assign_public_ip: bool = "boolean", default "`false`", example "false";
        /// `FARGATE` (default) or `EC2`; not with a capacity provider strategy.
        launch_type: LaunchType = "`FARGATE` or `EC2`", default "`FARGATE`", example "\"EC2\"";
        /// Capacity providers instead of a launch type.
        capacity_provider_strategy: Vec<CapacityProvider> = "list of tables", default "none", example "[{ capacity_provider = \"FARGATE_SPOT\", weight = 1 }]";
        /// Fargate platform version (default `LATEST`).
        platform_version: String = "string", default "`LATEST`", example "\"1.4.0\"";
        /// IANA time zone the schedule reads (default `UTC`).
        timezone: String = "IANA zone", default "`UTC`", example "\"Europe/Berlin\"";
        /// `scheduler` (default) or `rules`.
        backend: Backend = "`scheduler` or `rules`", default "`scheduler`", example "\"rules\"";
        /// Prefix of every AWS name cronport creates (default `cronport-`).
        name_prefix: String = "string", default "`cronport-`", example "\"shop-\"";
        /// EventBridge Scheduler schedule group (default `cronport`).
        schedule_group: String = "string", default "`cronport` (`cronport-NAME` in an environment)", example "\"shop\"";
        /// Retries of a failed invocation.
        retry_policy: RetryPolicy = "table", default "185 attempts within one interval", example "{ maximum_retry_attempts = 3, maximum_event_age_in_seconds = 3600 }";
        /// ARN of an SQS queue for invocations that failed for good.
        dead_letter_queue: String = "SQS ARN", default "none", example "\"arn:aws:sqs:us-east-1:123456789012:cronport-dlq\"";
        /// ARN of an SNS topic told when a run of the job fails: its task
        /// stops with a non-zero exit code or fails to start. cronport adds
        /// an EventBridge rule per topic (and, in CloudFormation and
        /// Terraform, CloudWatch alarms on failed invocations). `"none"`
        /// in a job: it tells no topic, though `[defaults]` does.
        notify: String = "SNS topic ARN", default "none", example "\"arn:aws:sns:us-east-1:123456789012:cronport-alerts\"";
        /// Tags for everything cronport creates (it adds `managed-by`).
        tags: BTreeMap<String, String> = "table of strings", default "none", example "{ team = \"platform\" }";
        /// How many tasks each run starts (default 1).
        task_count: u32 = "integer", default "`1`", example "2";
        /// The shell for commands that need one (default `/bin/bash`, as on
        /// Heroku); for images without bash, such as `/bin/sh`.
        shell: String = "path", default "`/bin/bash`", example "\"/bin/sh\"";
        /// How long a run may take before it is stopped (SIGTERM, then SIGKILL
        /// 30 s later, as Heroku did): `"10m"`, `"24h"`, `"90s"`, or `"none"`
        /// (the default).
        timeout: String = "duration or `none`", default "`none`", example "\"24h\"";
        /// EventBridge Scheduler's flexible time window, in minutes (1–1440):
        /// each run starts at some moment within that many minutes after its
        /// instant (Cron To Go's jitter). Not with the rules backend.
        flexible_time_window: u32 = "minutes", default "off", example "5";
        /// The cutover instant, RFC 3339: no run before it. Scheduler
        /// schedules get it as their `StartDate`; rules are created
        /// disabled and `cronport cutover` enables them at the instant.
        /// `apply --start-at` sets it for every job.
        start_at: String = "RFC 3339", default "none: runs begin when deployed", example "\"2026-12-01T03:00:00Z\"";
        /// Keep a record of every run: a CloudWatch Logs group that an
        /// EventBridge rule copies this deployment's `ECS Task State
        /// Change` events to, kept this many days (one of CloudWatch's
        /// retention periods), for `cronport verify`. `0`: no record. The
        /// whole deployment's: `[defaults]` or `[env.NAME]`, not a job.
        run_history_days: u32 = "days", default "`0`: no record", example "400", only Deployment;
    }
    job_table {
        /// The job's name; its AWS name is `name_prefix` + name (+ suffix).
        name = "string", default "required", example "\"daily-report\"";
    }
    job {
        /// When it runs: Unix cron, AWS cron/rate/at, or a Heroku phrase.
        schedule: String = "schedule", default "required", example "\"every day at 14:30\"";
        /// The command, as Heroku ran it.
        command: String = "string", default "required", example "\"bundle exec rake reports:daily\"";
        /// A Heroku dyno size, for the task's Fargate size.
        size: String = "dyno size", default "the task definition's", example "\"standard-2x\"";
        /// Task CPU units (with `memory`, instead of `size`).
        cpu: u32 = "integer", default "the task definition's", example "1024";
        /// Task memory in MiB (with `cpu`, instead of `size`).
        memory: u32 = "integer", default "the task definition's", example "2048";
        /// Environment variables for the run.
        environment: BTreeMap<String, String> = "table of strings", default "none", example "{ RAILS_ENV = \"production\" }";
        /// Whether the schedule is enabled.
        enabled: bool = "boolean", default "`true`", example "false";
        /// The instant a `rate(...)` counts from: its phase. Without it a
        /// rate keeps the UTC clock's (`rate(10 minutes)` at :00, :10, …),
        /// and is written as that cron wherever one exists.
        start_date: String = "RFC 3339", default "00:00 UTC: the runs keep the clock's phase", example "\"2027-01-01T00:00:00Z\"";
        /// Whether `cronport run --all` starts it: `false`, or the reason
        /// it is skipped (a job that sends mail).
        rehearse: Rehearse = "boolean or reason", default "`true`", example "\"sends mail to customers\"";
        /// The job's id where it was imported from (a Heroku Scheduler or
        /// Cron To Go job id): `cutover --app` pairs Heroku's jobs by it.
        source_id: String = "string", default "none (paired by command and schedule)", example "\"8d3a2c4e-1f0b-4b6e-9a57-3c2d1e0f9a8b\"";
        /// The job's earlier names, when it was renamed: `cronport verify`
        /// counts the runs recorded under them as this job's.
        formerly: Vec<String> = "list of strings", default "none", example "[\"daily-report\"]";
    }
}

/// How a job's field takes an environment's value: one rule per kind of
/// field, so `Job::overlay` is generated from the table.
trait Overlay<T> {
    /// Takes `value` from an override.
    fn overlay(&mut self, value: &T);
}

/// A required key (`schedule`, `command`): replaced; always written.
impl Overlay<String> for String {
    fn overlay(&mut self, value: &String) {
        self.clone_from(value);
    }
}

/// An optional key: replaced; written when set.
impl<T: Clone> Overlay<T> for Option<T> {
    fn overlay(&mut self, value: &T) {
        *self = Some(value.clone());
    }
}

/// `environment`: added to; written when not empty.
impl Overlay<BTreeMap<String, String>> for BTreeMap<String, String> {
    fn overlay(&mut self, value: &BTreeMap<String, String>) {
        self.extend(value.clone());
    }
}

/// `enabled`: replaced; written when it is not the default, `true`.
impl Overlay<bool> for bool {
    fn overlay(&mut self, value: &bool) {
        *self = *value;
    }
}
