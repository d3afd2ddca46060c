//! Validation: defaults merged into each job, and everything AWS would
//! check, checked before anything talks to AWS.

use std::collections::BTreeSet;

use jiff::tz::TimeZone;

use super::{
    EcsTarget, Job, LaunchType, MAX_NAME_LEN, Manifest, Problem, ProblemKind, ResolvedJob, Settings,
};
use crate::schedule::{Schedule, ScheduleErrorKind};
use crate::task::{Command, FargateSize};
use crate::translate::Backend;

/// Settings every job must end up with.
const REQUIRED_KEYS: [&str; 5] = [
    "cluster",
    "task_definition",
    "container",
    "role_arn",
    "subnets",
];
/// What to write for a required setting, in the error that asks for it:
/// its example in the table of settings.
fn required_example(key: &str) -> &'static str {
    super::SETTINGS
        .iter()
        .find(|s| s.name == key)
        .map_or("…", |s| s.example)
}

impl Manifest {
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
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let jobs = m.resolve().map_err(|p| format!("{p:?}"))?;
    /// assert_eq!(jobs[0].target.schedule_group, "shop");
    /// assert_eq!(jobs[0].target.tags["managed-by"], "cronport");
    /// assert_eq!(jobs[0].size.unwrap().cpu, 2048); // performance-m
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve(&self) -> Result<Vec<ResolvedJob>, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut jobs = Vec::new();
        if let Some(id) = &self.id
            && !(1..=64).contains(&id.len())
        {
            problems.push(problem(
                None,
                "id",
                format!("id `{id}` must be 1–64 characters"),
            ));
        } else if let Some(id) = &self.id
            && !id.chars().all(is_name_char)
        {
            problems.push(problem(
                None,
                "id",
                format!("id `{id}` may hold only A–Z, a–z, 0–9, `.`, `_` and `-`"),
            ));
        }
        let deployment = (
            self.owner_id(),
            self.environment
                .clone()
                .unwrap_or_else(|| crate::owner::NO_ENVIRONMENT.to_string()),
        );
        problems.extend(check_settings(&self.defaults, None));
        if let Some(days) = self.defaults.run_history_days
            && days != 0
            && !RETENTION_DAYS.contains(&days)
        {
            problems.push(problem(
                None,
                "run_history_days",
                format!(
                    "run_history_days = {days} is not a period CloudWatch Logs keeps; use 0 (no record) or one of {}",
                    RETENTION_DAYS.map(|d| d.to_string()).join(", ")
                ),
            ));
        }
        let mut seen = BTreeSet::new();
        // Each distinct schedule's interval, found once: 50,000 imported
        // jobs have a few hundred schedules.
        let mut intervals = Intervals::default();
        for (i, job) in self.jobs.iter().enumerate() {
            let before = problems.len();
            problems.extend(check_settings(&job.settings, Some(i)));

            if !seen.insert(job.name.as_str()) {
                problems.push(Problem {
                    kind: ProblemKind::Conflict,
                    ..problem(
                        Some(i),
                        "name",
                        format!(
                            "a second job is named `{}`; job names must be unique",
                            job.name
                        ),
                    )
                });
            }
            match resolve_job(&self.defaults, job, i, &deployment, &mut intervals) {
                Ok(resolved) if problems.len() == before => jobs.push(resolved),
                Ok(_) => {}
                Err(mut p) => problems.append(&mut p),
            }
        }
        // A former name is one job's history: not a job's name now, not
        // claimed twice.
        let names: BTreeSet<&str> = self.jobs.iter().map(|j| j.name.as_str()).collect();
        let mut former = std::collections::BTreeMap::new();
        for (i, job) in self.jobs.iter().enumerate() {
            for old in job.formerly.iter().flatten() {
                let clash = if old.is_empty() || !old.chars().all(is_name_char) {
                    Some(format!(
                        "former name `{old}` could never have been a job's: a name holds only A–Z, a–z, 0–9, `.`, `_` and `-`"
                    ))
                } else if names.contains(old.as_str()) {
                    Some(format!(
                        "`{old}` is a job's name now; a former name is one no job has"
                    ))
                } else {
                    former.insert(old.as_str(), &job.name).map(|first| {
                        if *first == job.name {
                            format!("`{old}` is listed twice")
                        } else {
                            format!("`{old}` is a former name of job `{first}` already; its runs can be one job's only")
                        }
                    })
                };
                if let Some(message) = clash {
                    problems.push(Problem {
                        kind: ProblemKind::Conflict,
                        ..problem(Some(i), "formerly", crate::escape::one_line(&message))
                    });
                }
            }
        }
        // IAM role names are unique in an account whatever their path: two
        // ARNs naming one role cannot both exist.
        let mut roles: std::collections::BTreeMap<(String, String), &str> =
            std::collections::BTreeMap::new();
        for (i, job) in jobs.iter().enumerate() {
            let arn = job.target.role_arn.as_str();
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            let (Some(account), Some(resource)) = (parts.get(4), parts.get(5)) else {
                continue;
            };
            let name = resource.rsplit('/').next().unwrap_or_default();
            // IAM compares role names without case (`My-Role` is `my-role`).
            match roles.entry((account.to_string(), name.to_ascii_lowercase())) {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(arn);
                }
                std::collections::btree_map::Entry::Occupied(o) if *o.get() != arn => {
                    let index = self
                        .jobs
                        .iter()
                        .position(|j| j.name == job.name)
                        .unwrap_or(i);
                    problems.push(Problem {
                        kind: ProblemKind::Conflict,
                        ..problem(Some(index), "role_arn", format!("role_arn `{arn}` and `{}` name one IAM role, `{name}` (role names are unique in an account, whatever the path or case): use one ARN", o.get()))
                    });
                }
                std::collections::btree_map::Entry::Occupied(_) => {}
            }
        }
        // A required setting no job has is one problem of [defaults], not
        // one per job.
        let missing = |p: &Problem| p.job.is_some() && p.kind == ProblemKind::Missing;
        for key in REQUIRED_KEYS {
            let count = problems
                .iter()
                .filter(|p| p.key == key && missing(p))
                .count();
            if count > 1 && count == self.jobs.len() {
                problems.retain(|p| !(p.key == key && missing(p)));
                let example = required_example(key);
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

/// A problem with `key` of job number `job` (`None`: `[defaults]`).
/// The most tags a manifest may give a resource: AWS's 50, less the five
/// cronport may add.
const MAX_OWN_TAGS: usize = 45;

/// The retention periods CloudWatch Logs accepts (`PutRetentionPolicy`).
///
/// ```
/// assert!(cronport::manifest::RETENTION_DAYS.contains(&400));
/// ```
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

pub(super) fn problem(job: Option<usize>, key: &'static str, message: String) -> Problem {
    Problem {
        job,
        key,
        kind: ProblemKind::Invalid,
        message,
        remedies: Vec::new(),
    }
}

/// Checks of values that need no merging.
fn check_settings(s: &Settings, job: Option<usize>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut fail = |key: &'static str, message: String| problems.push(problem(job, key, message));
    if let Some(text) = &s.start_at
        && let Err(e) = text.parse::<jiff::Timestamp>()
    {
        fail(
            "start_at",
            format!(
                "start_at `{text}` is not an RFC 3339 instant such as 2026-12-01T03:05:00Z: {e}"
            ),
        );
    }
    if let Some(arn) = &s.role_arn
        && !is_role_arn(arn)
    {
        fail(
            "role_arn",
            format!(
                "`{arn}` is not an IAM role ARN; write arn:aws:iam::123456789012:role/NAME (a NAME of 1–64 letters, digits and `_+=,.@-`)"
            ),
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
        && !is_standard_queue_arn(dlq)
    {
        let why = if dlq.ends_with(".fifo") {
            "a FIFO queue; EventBridge Scheduler and EventBridge send failed runs to standard queues only (Scheduler's DeadLetterConfig ARN pattern has no `.`)"
        } else {
            "not an SQS queue ARN"
        };
        fail(
            "dead_letter_queue",
            format!("`{dlq}` is {why}; write arn:aws:sqs:REGION:ACCOUNT:QUEUE"),
        );
    }
    if let Some(topic) = &s.notify
        && topic != NO_NOTIFY
        && !is_arn_of(topic, "sns")
    {
        let why = if topic.ends_with(".fifo") && is_arn_of(topic.trim_end_matches(".fifo"), "sns") {
            "a FIFO topic; EventBridge rules and CloudWatch alarms tell standard topics"
        } else {
            "not an SNS topic ARN"
        };
        fail(
            "notify",
            format!(
                "`{}` is {why}; write arn:aws:sns:REGION:ACCOUNT:TOPIC, or \"none\" for a job that tells no topic",
                crate::escape::one_line(topic)
            ),
        );
    }
    if let Some(container) = &s.container
        && !is_ecs_name(container)
    {
        fail(
            "container",
            format!(
                "`{}` is not a container name: 1–255 letters, digits, `-` and `_`, as in the task definition",
                crate::escape::one_line(container)
            ),
        );
    }
    // A cluster: a name ECS takes, or its ARN. A `*` or `?` would also
    // widen the role's `ecs:cluster` condition to other clusters.
    if let Some(cluster) = &s.cluster {
        let name = ecs_resource(cluster, "cluster/");
        if !name.is_some_and(is_ecs_name) {
            fail(
                "cluster",
                format!(
                    "`{}` is not an ECS cluster: write its name (1–255 letters, digits, `-` and `_`) or its ARN, arn:aws:ecs:REGION:ACCOUNT:cluster/NAME",
                    crate::escape::one_line(cluster)
                ),
            );
        }
    }
    // A task definition: a family (`:revision`), or its ARN. A `*` would
    // also widen the role's RunTask to other families.
    if let Some(task) = &s.task_definition {
        let reference = ecs_resource(task, "task-definition/");
        let valid = |r: &str| {
            let (family, revision) = r.split_once(':').unwrap_or((r, "1"));
            is_ecs_name(family)
                && !revision.is_empty()
                && revision.bytes().all(|b| b.is_ascii_digit())
        };
        if !reference.is_some_and(valid) {
            fail(
                "task_definition",
                format!(
                    "`{}` is not an ECS task definition: write its family (1–255 letters, digits, `-` and `_`), `family:revision`, or its ARN",
                    crate::escape::one_line(task)
                ),
            );
        }
    }
    // VPC resource ids: a prefix and 8 or 17 hexadecimal digits. A name
    // or a typo would reach RunTask only at the first run.
    for (key, ids, prefix) in [
        ("subnets", &s.subnets, "subnet-"),
        ("security_groups", &s.security_groups, "sg-"),
    ] {
        for id in ids.iter().flatten() {
            if !is_vpc_id(id, prefix) {
                fail(
                    key,
                    format!(
                        "`{id}` is not a {prefix}… id: ECS takes {prefix} and 8 or 17 hexadecimal digits, such as {prefix}0a1b2c3d4e5f60718 (a name or a Name tag will not do)"
                    ),
                );
            }
        }
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
            if k == "managed-by" {
                fail(
                    "tags",
                    "tag `managed-by` is cronport's own (it marks what cronport owns): choose another key".to_string(),
                );
            } else if k.is_empty() || k.len() > 128 || v.len() > 256 || k.starts_with("aws:") {
                fail(
                    "tags",
                    format!(
                        "tag `{k}`: keys are 1–128 characters not starting with aws:, values at most 256"
                    ),
                );
            }
        }
    }
    if let Some(n) = s.task_count
        && !(1..=MAX_TASK_COUNT).contains(&n)
    {
        fail(
            "task_count",
            format!("task_count {n}: RunTask starts 1–{MAX_TASK_COUNT} tasks a run"),
        );
    }
    for (key, affix) in [
        ("name_prefix", &s.name_prefix),
        ("name_suffix", &s.name_suffix),
    ] {
        if let Some(affix) = affix
            && !affix.chars().all(is_name_char)
        {
            fail(
                key,
                format!("{key} `{affix}` may hold only A–Z, a–z, 0–9, `.`, `_` and `-`"),
            );
        }
    }
    if let Some(group) = &s.schedule_group
        && !is_group_name(group)
    {
        fail(
            "schedule_group",
            format!(
                "schedule group `{group}`: Scheduler takes 1–64 of A–Z, a–z, 0–9, `.`, `_` and `-`"
            ),
        );
    }
    if let Some(subnets) = &s.subnets
        && subnets.len() > MAX_SUBNETS
    {
        fail(
            "subnets",
            format!(
                "{} subnets: a task's awsvpc configuration takes at most {MAX_SUBNETS}",
                subnets.len()
            ),
        );
    }
    if let Some(groups) = &s.security_groups
        && groups.len() > MAX_SECURITY_GROUPS
    {
        fail(
            "security_groups",
            format!(
                "{} security groups: a task's awsvpc configuration takes at most {MAX_SECURITY_GROUPS}",
                groups.len()
            ),
        );
    }
    if let Some(strategy) = &s.capacity_provider_strategy {
        for c in strategy {
            if !is_ecs_name(&c.capacity_provider) {
                fail(
                    "capacity_provider_strategy",
                    format!(
                        "`{}` is not a capacity provider name: 1–255 letters, digits, `-` and `_`",
                        crate::escape::one_line(&c.capacity_provider)
                    ),
                );
            }
            if c.weight.is_some_and(|w| w > 1000) || c.base.is_some_and(|b| b > 100_000) {
                fail(
                    "capacity_provider_strategy",
                    format!(
                        "capacity provider `{}`: weight is 0–1000 and base 0–100000",
                        c.capacity_provider
                    ),
                );
            }
        }
        if !strategy.is_empty() && strategy.iter().all(|c| c.weight.unwrap_or(0) == 0) {
            fail(
                "capacity_provider_strategy",
                "every capacity provider has weight 0 (the default): ECS places no task; give at least one a weight of 1 or more".to_string(),
            );
        }
        if strategy.iter().filter(|c| c.base.unwrap_or(0) > 0).count() > 1 {
            fail(
                "capacity_provider_strategy",
                "only one capacity provider of a strategy may have a base".to_string(),
            );
        }
    }
    problems
}

/// The most tasks one RunTask call starts.
const MAX_TASK_COUNT: u32 = 10;
/// Scheduler's `DeadLetterConfigArnString`:
/// `^arn:aws(-[a-z]+)?:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+$` (so no FIFO
/// queue, whose name ends in `.fifo`); EventBridge's documentation says the
/// same of rules.
/// A name ECS takes for a cluster, container, family or capacity
/// provider: 1–255 letters, digits, `-` and `_`.
fn is_ecs_name(name: &str) -> bool {
    (1..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What an ECS reference names: `reference` itself, or the part of an
/// ECS ARN (`arn:PARTITION:ecs:REGION:ACCOUNT:KIND…`) after `kind`; `None`
/// for an ARN of another shape.
fn ecs_resource<'a>(reference: &'a str, kind: &str) -> Option<&'a str> {
    if !reference.starts_with("arn:") {
        return Some(reference);
    }
    match reference.splitn(6, ':').collect::<Vec<_>>().as_slice() {
        [_, partition, "ecs", region, account, resource]
            if !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            resource.strip_prefix(kind)
        }
        _ => None,
    }
}

/// `subnet-0a1b2c3d`, `sg-0a1b2c3d4e5f60718`: the prefix, then 8 or 17
/// lowercase hexadecimal digits, as EC2 writes its ids.
fn is_vpc_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|hex| {
        matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// `notify = "none"`: a job that tells no topic, though `[defaults]` does.
const NO_NOTIFY: &str = "none";

fn is_standard_queue_arn(arn: &str) -> bool {
    is_arn_of(arn, "sqs")
}

/// Whether `arn` is `arn:PARTITION:SERVICE:REGION:ACCOUNT:NAME` with a name
/// that SQS queues and SNS topics allow (no `.`: Scheduler's and
/// EventBridge's target patterns have none, so a FIFO queue or topic is
/// refused too).
fn is_arn_of(arn: &str, wanted_service: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    let [prefix, partition, service, region, account, name] = parts.as_slice() else {
        return false;
    };
    let partition_ok = *partition == "aws"
        || partition.strip_prefix("aws-").is_some_and(|p| {
            // aws-cn, aws-us-gov, aws-iso-b
            !p.is_empty()
                && !p.starts_with('-')
                && !p.ends_with('-')
                && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        });
    *prefix == "arn"
        && partition_ok
        && *service == wanted_service
        && !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The most capacity providers a rule's `EcsParameters` take (botocore's
/// events model: `CapacityProviderStrategy` max 6).
const MAX_RULE_CAPACITY_PROVIDERS: usize = 6;
/// The most subnets an awsvpc configuration takes.
const MAX_SUBNETS: usize = 16;
/// The most security groups an awsvpc configuration takes.
const MAX_SECURITY_GROUPS: usize = 5;

/// A Scheduler schedule group name: `^[0-9a-zA-Z-_.]{1,64}$`.
pub(super) fn is_group_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(is_name_char)
}

pub(super) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// `arn:aws(-partition)?:iam::<12 digits>:role/<path and name>`.
///
/// ```
/// use cronport::manifest::is_role_arn;
/// assert!(is_role_arn("arn:aws:iam::123456789012:role/service/cronport"));
/// assert!(is_role_arn("arn:aws-us-gov:iam::123456789012:role/cronport"));
/// assert!(!is_role_arn("arn:aws:iam::123456789012:user/cronport"));
/// ```
pub fn is_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_word, partition, "iam", "", account, resource] = parts.as_slice() else {
        return false;
    };
    *arn_word == "arn"
        && (*partition == "aws"
            || partition.strip_prefix("aws-").is_some_and(|p| {
                // aws-cn, aws-us-gov, aws-iso-b, …
                !p.is_empty()
                    && !p.starts_with('-')
                    && !p.ends_with('-')
                    && p.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            }))
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && resource.strip_prefix("role/").is_some_and(|r| {
            // A path (`/`-separated) and a name of 1–64 characters (IAM's
            // RoleName limit).
            let name = r.rsplit('/').next().unwrap_or_default();
            (1..=64).contains(&name.len())
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@/-".contains(c))
        })
}

/// The shortest interval of each schedule seen, by its value.
#[derive(Default)]
struct Intervals(std::collections::HashMap<String, Option<u32>>);

impl Intervals {
    /// `schedule`'s shortest gap between two runs, in seconds: `text` is
    /// the job's schedule as written, which with the zone and the start
    /// names the value (cheaper to key by than the value's debug form).
    fn of(&mut self, text: &str, schedule: &Schedule) -> Option<u32> {
        let key = format!(
            "{text}\u{0}{}\u{0}{:?}",
            schedule.time_zone_name(),
            schedule.start()
        );
        *self.0.entry(key).or_insert_with(|| {
            // From a fixed instant, so that output is reproducible.
            let from =
                jiff::Timestamp::from_second(1_767_225_600).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            schedule
                .shortest_interval(from)
                .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
        })
    }
}

fn resolve_job(
    defaults: &Settings,
    job: &Job,
    i: usize,
    (manifest, env): &(String, String),
    intervals: &mut Intervals,
) -> Result<ResolvedJob, Vec<Problem>> {
    let mut r = Resolver {
        defaults,
        job,
        at: Some(i),
        problems: Vec::new(),
    };
    let (prefix, suffix, aws_name) = r.names();
    let schedule = r.schedule();
    r.command();
    r.environment_names();
    let placement = r.placement();
    let size = r.size(placement.only_ec2());
    let backend = r
        .job
        .settings
        .backend
        .or(defaults.backend)
        .unwrap_or(Backend::Scheduler);
    let tags = r.tags(backend);
    let (shell, timeout) = r.shell_and_timeout();
    let retry_policy = retry_within_interval(
        job,
        job.settings.retry_policy.or(defaults.retry_policy),
        schedule
            .as_ref()
            .and_then(|s| intervals.of(&job.schedule, s)),
    );
    let flexible_time_window = r.flexible_time_window(backend);
    r.rule_capacity_providers(backend);
    let schedule = r.start_date(schedule);
    // A bad value is a problem of the table that sets it (check_settings).
    let start_at = r
        .pick(|s| &s.start_at)
        .and_then(|text| text.parse::<jiff::Timestamp>().ok());
    r.rehearse();
    let command = Command::with_shell(&job.command, &shell);
    let mut environment = job.environment.clone();
    environment.extend(command.environment().clone());
    let schedule_group = r
        .pick(|s| &s.schedule_group)
        .unwrap_or_else(|| super::DEFAULT_GROUP.to_string());
    let dead_letter_queue = r.pick(|s| &s.dead_letter_queue);
    let notify = r.pick(|s| &s.notify).filter(|topic| topic != NO_NOTIFY);
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    let s = &job.settings;
    Ok(ResolvedJob {
        name: job.name.clone(),
        aws_name,
        name_prefix: prefix,
        name_suffix: suffix,
        expression: job.schedule.clone(),
        schedule: schedule.expect("no problems means the schedule parsed"),
        command_text: job.command.trim().to_string(),
        command,
        timeout,
        size,
        environment,
        enabled: job.enabled,
        start_at,
        skip_rehearsal: job.rehearse.as_ref().and_then(|r| r.skip_reason()),
        notify,
        formerly: job.formerly.clone().unwrap_or_default(),
        owner: crate::owner::Owner {
            manifest: manifest.clone(),
            env: env.clone(),
            job: job.name.clone(),
        },
        warnings: retry_policy
            .warnings
            .into_iter()
            .chain(flexible_time_window.map(|minutes| format!("job `{}`: each run starts within {minutes} minutes after its instant (flexible_time_window), not on it; the proof is of the instants", job.name)))
            .map(crate::Advice::from)
            .collect(),
        target: EcsTarget {
            cluster: placement.cluster,
            task_definition: placement.task_definition,
            container: placement.container,
            role_arn: placement.role_arn,
            subnets: placement.subnets,
            security_groups: s
                .security_groups
                .clone()
                .or_else(|| defaults.security_groups.clone())
                .unwrap_or_default(),
            assign_public_ip: placement.assign_public_ip,
            launch_type: placement.launch_type,
            capacity_provider_strategy: placement.capacity_provider_strategy,
            platform_version: placement.platform_version,
            backend,
            schedule_group,
            retry_policy: retry_policy.policy,
            flexible_time_window,
            dead_letter_queue,
            tags,
            task_count: s.task_count.or(defaults.task_count).unwrap_or(1),
        },
    })
}

/// One job being resolved against `[defaults]`: each method settles one
/// part of it and records what is wrong, so that every problem of the job
/// is reported at once.
struct Resolver<'a> {
    defaults: &'a Settings,
    job: &'a Job,
    /// The job's index, for placing problems.
    at: Option<usize>,
    problems: Vec<Problem>,
}

/// Where and how a job's task runs: the ECS half of its target.
impl Placement {
    /// Whether the job runs only on EC2 (or external) capacity: a launch
    /// type other than Fargate, or capacity providers none of which is
    /// Fargate's.
    fn only_ec2(&self) -> bool {
        match self.launch_type {
            Some(launch) => launch != LaunchType::Fargate,
            None => self
                .capacity_provider_strategy
                .iter()
                .all(|c| !c.capacity_provider.starts_with("FARGATE")),
        }
    }
}

struct Placement {
    cluster: String,
    task_definition: String,
    container: String,
    role_arn: String,
    subnets: Vec<String>,
    launch_type: Option<LaunchType>,
    capacity_provider_strategy: Vec<crate::manifest::CapacityProvider>,
    platform_version: Option<String>,
    assign_public_ip: bool,
}

impl Resolver<'_> {
    /// The job's own setting, else `[defaults]`'.
    fn pick(&self, key: impl Fn(&Settings) -> &Option<String>) -> Option<String> {
        key(&self.job.settings)
            .clone()
            .or_else(|| key(self.defaults).clone())
    }

    fn problem(&mut self, key: &'static str, message: String) {
        self.problems.push(problem(self.at, key, message));
    }

    /// Prefix, suffix and the AWS name they make.
    fn names(&mut self) -> (String, String, String) {
        let job = self.job;
        let prefix = self
            .pick(|s| &s.name_prefix)
            .unwrap_or_else(|| "cronport-".to_string());
        let suffix = self.pick(|s| &s.name_suffix).unwrap_or_default();
        let aws_name = format!("{prefix}{}{suffix}", job.name);
        if job.name.is_empty() || !job.name.chars().all(is_name_char) {
            let suggestion = crate::task::name_from_command(&job.name);
            self.problem(
                "name",
                format!(
                    "job name `{}` may hold only A–Z, a–z, 0–9, `.`, `_` and `-`; write `{suggestion}`",
                    job.name
                ),
            );
        } else if aws_name.len() > MAX_NAME_LEN {
            let affixes = if suffix.is_empty() {
                format!("the prefix `{prefix}`")
            } else {
                format!("the prefix `{prefix}` and suffix `{suffix}`")
            };
            self.problem("name", format!("job `{}`: with {affixes} its AWS name has {} characters; AWS allows {MAX_NAME_LEN}", job.name, aws_name.len()));
        }
        (prefix, suffix, aws_name)
    }

    /// The schedule in the job's zone.
    fn schedule(&mut self) -> Option<Schedule> {
        let job = self.job;
        let tz_name = self
            .pick(|s| &s.timezone)
            .unwrap_or_else(|| "UTC".to_string());
        let zone = TimeZone::get(&tz_name).unwrap_or(TimeZone::UTC);
        match Schedule::parse_in(&job.schedule, zone) {
            Ok(schedule) => Some(schedule),
            Err(e) => {
                let message = match e.kind() {
                    ScheduleErrorKind::HerokuNotUtc { .. } => format!(
                        "`{}` is a Heroku Scheduler time, which is UTC, but the job's timezone is {tz_name}; write it as cron, or set timezone = \"UTC\"",
                        job.schedule
                    ),
                    ScheduleErrorKind::Syntax(e) => {
                        format!("schedule `{}`: {}", job.schedule, e.message)
                    }
                    _ => format!("schedule `{}`: {e}", job.schedule),
                };
                self.problem("schedule", message);
                None
            }
        }
    }

    fn command(&mut self) {
        if self.job.command.trim().is_empty() {
            let message = format!("job `{}` has an empty command", self.job.name);
            self.problem("command", message);
        }
    }

    /// The task size: `cpu` and `memory`, else the dyno's. A job that runs
    /// only on EC2 capacity takes any size EC2 does, not only Fargate's.
    fn size(&mut self, only_ec2: bool) -> Option<FargateSize> {
        let job = self.job;
        let size = match (job.cpu, job.memory, &job.size) {
            (Some(cpu), Some(memory), _) if only_ec2 => FargateSize::on_ec2(cpu, memory)
                .map(Some)
                .map_err(|e| ("cpu", e)),
            (Some(cpu), Some(memory), _) => FargateSize::new(cpu, memory)
                .map(Some)
                .map_err(|e| ("cpu", e)),
            (Some(_), None, _) | (None, Some(_), _) => {
                self.problem("cpu", "set both cpu and memory, or neither".to_string());
                Ok(None)
            }
            (None, None, Some(dyno)) => FargateSize::for_dyno(dyno)
                .map(Some)
                .map_err(|e| ("size", e)),
            (None, None, None) => Ok(None),
        };
        size.unwrap_or_else(|(key, e)| {
            self.problem(key, e.to_string());
            None
        })
    }

    fn environment_names(&mut self) {
        for name in self.job.environment.keys() {
            // The process environment takes any bytes but `=` and NUL; a
            // control character or a space is a mistake (or an attack on
            // whoever reads the name in a terminal).
            if name.is_empty()
                || name.contains('=')
                || name.chars().any(|c| c.is_control() || c.is_whitespace())
            {
                let shown = crate::escape::one_line(name);
                self.problem(
                    "environment",
                    format!("environment variable name `{shown}` is not valid: write letters, digits and `_`, without `=`, spaces or control characters"),
                );
            }
        }
    }

    /// A setting every job needs, from the job or `[defaults]`.
    fn required(
        &mut self,
        key: &'static str,
        own: impl Fn(&Settings) -> &Option<String>,
    ) -> String {
        self.pick(own).unwrap_or_else(|| {
            let example = required_example(key);
            let message = format!(
                "job `{}` has no {key}: set `{key} = {example}` in [defaults] or in the job",
                self.job.name
            );
            self.problems.push(Problem {
                kind: ProblemKind::Missing,
                ..problem(self.at, key, message)
            });
            String::new()
        })
    }

    /// Cluster, task, role and network, and what RunTask takes of them
    /// together (launch type or capacity providers; Fargate-only settings).
    fn placement(&mut self) -> Placement {
        let (s, defaults, name) = (&self.job.settings, self.defaults, &self.job.name);
        let cluster = self.required("cluster", |s| &s.cluster);
        let task_definition = self.required("task_definition", |s| &s.task_definition);
        let container = self.required("container", |s| &s.container);
        let role_arn = self.required("role_arn", |s| &s.role_arn);
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
        if let (Some(launch), false) = (
            s.launch_type.or(defaults.launch_type),
            capacity_provider_strategy.is_empty(),
        ) {
            // Settings at one level are checked alone; here the job's and
            // [defaults]' are merged, and RunTask takes one or the other.
            if s.launch_type.is_none() || s.capacity_provider_strategy.is_none() {
                let (launch_at, strategy_at) = if s.launch_type.is_some() {
                    ("the job", "[defaults]")
                } else {
                    ("[defaults]", "the job")
                };
                let key = if s.launch_type.is_some() {
                    "launch_type"
                } else {
                    "capacity_provider_strategy"
                };
                self.problem(key, format!("job `{name}`: launch_type = \"{}\" (from {launch_at}) and capacity_provider_strategy (from {strategy_at}) together; RunTask takes one or the other: move launch_type out of [defaults] into the jobs that need it", launch.as_str()));
            }
        }
        let uses_fargate = launch_type == Some(LaunchType::Fargate)
            || capacity_provider_strategy
                .iter()
                .any(|c| c.capacity_provider.starts_with("FARGATE"));
        let only_fargate = launch_type == Some(LaunchType::Fargate)
            || (!capacity_provider_strategy.is_empty()
                && capacity_provider_strategy
                    .iter()
                    .all(|c| c.capacity_provider.starts_with("FARGATE")));
        let platform_version = self.pick(|s| &s.platform_version);
        let assign_public_ip = s
            .assign_public_ip
            .or(defaults.assign_public_ip)
            .unwrap_or(false);
        if !only_fargate {
            if let Some(v) = &platform_version {
                self.problem("platform_version", format!("job `{name}`: platform_version `{v}` is for Fargate, and this job runs on EC2 capacity; RunTask refuses it there: remove it"));
            }
            if assign_public_ip {
                self.problem("assign_public_ip", format!("job `{name}`: assign_public_ip = true is for Fargate, and this job runs on EC2 capacity; RunTask refuses it there: remove it (EC2 tasks in awsvpc mode get no public IP)"));
            }
        }
        if uses_fargate && subnets.is_empty() {
            self.problem("subnets", format!("job `{name}` runs on Fargate, which needs subnets: set `subnets = [\"subnet-…\"]` in [defaults] or in the job"));
        }
        Placement {
            cluster,
            task_definition,
            container,
            role_arn,
            subnets,
            launch_type,
            capacity_provider_strategy,
            platform_version,
            assign_public_ip,
        }
    }

    /// `[defaults]`' tags and the job's, with cronport's marker.
    fn tags(&mut self, backend: Backend) -> std::collections::BTreeMap<String, String> {
        let (s, name) = (&self.job.settings, &self.job.name);
        let mut tags = self.defaults.tags.clone().unwrap_or_default();
        tags.extend(s.tags.clone().unwrap_or_default());
        if backend == Backend::Scheduler && s.tags.is_some() {
            // Schedules take no tags: the group carries them, for every job in
            // it, so one job's tags would silently become (or lose to) another's.
            self.problem("tags", format!("job `{name}` sets tags, but on the Scheduler backend only the schedule group is tagged, and every job in it shares it: set tags in [defaults] (or use backend = \"rules\", whose rules are tagged one by one)"));
        }
        if backend == Backend::Scheduler
            && let Some((key, _)) = tags.iter().find(|(_, v)| v.is_empty())
        {
            let message = format!(
                "tag `{key}` has an empty value, which EventBridge Scheduler refuses on the schedule group: give it a value"
            );
            self.problem("tags", message);
        }
        // AWS takes 50 tags a resource; cronport adds up to five of its
        // own (`managed-by`, the owner record, a hold or a record mark).
        if tags.len() > MAX_OWN_TAGS {
            let message = format!(
                "job `{name}` has {} tags; AWS allows 50 on a resource, and cronport adds up to {}: keep at most {MAX_OWN_TAGS}",
                tags.len(),
                50 - MAX_OWN_TAGS
            );
            self.problem("tags", message);
        }
        tags.insert("managed-by".to_string(), "cronport".to_string());
        tags
    }

    /// The shell that runs the command, and the time limit.
    fn shell_and_timeout(&mut self) -> (String, Option<crate::task::TimeLimit>) {
        let name = &self.job.name;
        let shell = self
            .pick(|s| &s.shell)
            .unwrap_or_else(|| crate::task::BASH.to_string());
        if !shell.starts_with('/') || shell.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.problem("shell", format!("job `{name}`: shell `{}` must be an absolute path with no spaces, such as \"/bin/bash\" or \"/bin/sh\"", crate::escape::one_line(&shell)));
        }
        let timeout = match self
            .pick(|s| &s.timeout)
            .as_deref()
            .map(crate::task::TimeLimit::setting)
        {
            None => None,
            Some(Ok(limit)) => limit,
            Some(Err(e)) => {
                self.problem("timeout", format!("job `{name}`: {e}"));
                None
            }
        };
        (shell, timeout)
    }

    /// A rule's ECS target takes at most six capacity providers.
    fn rule_capacity_providers(&mut self, backend: Backend) {
        let strategy = self
            .job
            .settings
            .capacity_provider_strategy
            .as_ref()
            .or(self.defaults.capacity_provider_strategy.as_ref());
        if let Some(strategy) = strategy
            && backend == Backend::Rules
            && strategy.len() > MAX_RULE_CAPACITY_PROVIDERS
        {
            let message = format!(
                "job `{}`: {} capacity providers; a rule's ECS target (EcsParameters) takes at most {MAX_RULE_CAPACITY_PROVIDERS}",
                self.job.name,
                strategy.len()
            );
            self.problem("capacity_provider_strategy", message);
        }
    }

    fn flexible_time_window(&mut self, backend: Backend) -> Option<u32> {
        let name = &self.job.name;
        let window = self
            .job
            .settings
            .flexible_time_window
            .or(self.defaults.flexible_time_window);
        if let Some(minutes) = window {
            if !(1..=1440).contains(&minutes) {
                self.problem("flexible_time_window", format!("job `{name}`: flexible_time_window = {minutes}: EventBridge Scheduler takes 1–1440 minutes"));
            } else if backend == Backend::Rules {
                self.problem("flexible_time_window", format!("job `{name}`: a flexible time window is an EventBridge Scheduler setting; rules run on the minute: remove it or use backend = \"scheduler\""));
            }
        }
        window
    }

    /// The schedule counted from `start_date` (a rate's phase).
    fn start_date(&mut self, schedule: Option<Schedule>) -> Option<Schedule> {
        let job = self.job;
        match (&job.start_date, schedule) {
            (None, schedule) => schedule,
            (Some(text), Some(schedule)) => match text.parse::<jiff::Timestamp>() {
                Ok(start) if matches!(schedule.pattern(), crate::schedule::Pattern::Rate(_)) => {
                    Some(schedule.with_start(start))
                }
                Ok(_) => {
                    self.problem("start_date", format!("job `{}`: start_date is the instant a rate(...) schedule counts from; `{}` is not a rate", job.name, job.schedule));
                    Some(schedule)
                }
                Err(e) => {
                    self.problem("start_date", format!("job `{}`: start_date `{text}` is not an RFC 3339 instant such as 2027-01-01T00:00:00Z: {e}", job.name));
                    Some(schedule)
                }
            },
            (Some(_), None) => None,
        }
    }

    fn rehearse(&mut self) {
        if let Some(super::Rehearse::Skip(reason)) = &self.job.rehearse
            && ["", "false", "true"].contains(&reason.trim())
        {
            let message = format!(
                "job `{}`: rehearse = \"{reason}\": write true or false without quotes, or the reason the rehearsal skips the job",
                self.job.name
            );
            self.problem("rehearse", message);
        }
    }
}

/// AWS's retry defaults: 185 attempts over 24 hours.
const AWS_RETRY_ATTEMPTS: u32 = 185;
const AWS_EVENT_AGE_SECONDS: u32 = 86_400;
/// The shortest event age AWS takes.
const MIN_EVENT_AGE_SECONDS: u32 = 60;

/// A job's retry policy and what to say about it.
struct Retry {
    policy: Option<crate::manifest::RetryPolicy>,
    warnings: Vec<String>,
}

/// A run AWS could not start (no Fargate capacity, throttling) is retried
/// only within the job's interval, never into the next run: without a
/// `retry_policy`, the event age is the interval (AWS would retry for 24
/// hours). An explicit policy wins, with a warning when it reaches past the
/// interval.
fn retry_within_interval(
    job: &Job,
    explicit: Option<crate::manifest::RetryPolicy>,
    interval: Option<u32>,
) -> Retry {
    let Some(interval) = interval else {
        return Retry {
            policy: explicit,
            warnings: Vec::new(),
        };
    };
    let within = interval.clamp(MIN_EVENT_AGE_SECONDS, AWS_EVENT_AGE_SECONDS);
    match explicit {
        None => Retry {
            policy: Some(crate::manifest::RetryPolicy {
                maximum_retry_attempts: Some(AWS_RETRY_ATTEMPTS),
                maximum_event_age_in_seconds: Some(within),
            }),
            warnings: Vec::new(),
        },
        Some(policy) => {
            let age = policy
                .maximum_event_age_in_seconds
                .unwrap_or(AWS_EVENT_AGE_SECONDS);
            let warnings = if age > within && policy.maximum_retry_attempts != Some(0) {
                vec![format!(
                    "job `{}`: retry_policy lets AWS start a run up to {age} s late, past the job's interval of {interval} s, so a late run can overlap the next; without retry_policy cronport keeps retries within the interval",
                    job.name
                )]
            } else {
                Vec::new()
            };
            Retry {
                policy: Some(policy),
                warnings,
            }
        }
    }
}
