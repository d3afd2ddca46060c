//! Did AWS run what it was asked to? Each job's expected runs (its exact
//! schedule, its hold, its flexible window) against the ECS tasks AWS
//! recorded, a verdict per run: `ok`, `failed`, `not started`, `late`, `over
//! its time limit`, `doubled`, `missing`, or still `running`/`pending`.
//!
//! The records are ECS's own `ECS Task State Change` events, which an
//! EventBridge rule copies to a log group: ECS reports a task that could not
//! be placed, or whose container exited 1, inside a *successful* RunTask,
//! so neither EventBridge's retries nor its dead-letter queue ever see it.
//! Only the events say what happened, and only the manifest says what
//! should have.
//!
//! Pure: events in, verdicts out; reading the log group is the CLI's.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::owner::Owner;

/// The prefix of the ECS task `group` every scheduled run of a job gets:
/// `cronport:MANIFEST:ENV:JOB` ties an ECS event to its owner record.
///
/// ```
/// assert_eq!(cronport::verify::GROUP_PREFIX, "cronport:");
/// ```
pub const GROUP_PREFIX: &str = "cronport:";

/// The ECS task group of a job's scheduled runs: its owner record.
///
/// ```
/// use cronport::owner::Owner;
/// let o = Owner { manifest: "shop".into(), env: "prod".into(), job: "daily".into() };
/// assert_eq!(cronport::verify::task_group(&o), "cronport:shop:prod:daily");
/// assert_eq!(cronport::verify::owner_of_group("cronport:shop:prod:daily"), Some(o));
/// assert_eq!(cronport::verify::owner_of_group("family:app-worker"), None);
/// ```
pub fn task_group(owner: &Owner) -> String {
    format!(
        "{GROUP_PREFIX}{}:{}:{}",
        owner.manifest, owner.env, owner.job
    )
}

/// The owner record a task group names; `None` for another group.
///
/// ```
/// let o = cronport::verify::owner_of_group("cronport:shop:prod:daily").unwrap();
/// assert_eq!((o.manifest.as_str(), o.env.as_str(), o.job.as_str()), ("shop", "prod", "daily"));
/// assert!(cronport::verify::owner_of_group("cronport:shop::daily").is_none());
/// ```
pub fn owner_of_group(group: &str) -> Option<Owner> {
    let (manifest, env, job) = group_parts(group)?;
    Some(Owner {
        manifest: manifest.to_string(),
        env: env.to_string(),
        job: job.to_string(),
    })
}

/// A task group's manifest, environment and job, borrowed.
fn group_parts(group: &str) -> Option<(&str, &str, &str)> {
    let mut parts = group.strip_prefix(GROUP_PREFIX)?.splitn(3, ':');
    let (manifest, env, job) = (parts.next()?, parts.next()?, parts.next()?);
    let filled = [manifest, env, job]
        .iter()
        .all(|p| !p.is_empty() && !p.contains(':'));
    filled.then_some((manifest, env, job))
}

/// Why an event could not be read.
///
/// ```
/// use cronport::verify::{Judge, Thresholds};
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let mut judge = Judge::new("m", "-", Vec::new(), at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Thresholds::default());
/// let event = serde_json::json!({"detail-type": "ECS Task State Change", "detail": {"group": "cronport:m:-:a", "taskArn": "t"}});
/// assert_eq!(judge.add(&event).unwrap_err().to_string(), "task t of job `a` has no createdAt");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EventError(String);

/// The fields of an `ECS Task State Change` event a verdict reads,
/// borrowed from the event's text: millions of events are read without a
/// string allocated for each.
#[derive(serde::Deserialize)]
struct EventView<'a> {
    #[serde(rename = "detail-type", borrow, default)]
    detail_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    detail: Option<DetailView<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct DetailView<'a> {
    #[serde(borrow, default)]
    group: Option<Text<'a>>,
    #[serde(borrow, default)]
    task_arn: Option<Text<'a>>,
    #[serde(borrow, default)]
    last_status: Option<Text<'a>>,
    #[serde(borrow, default)]
    created_at: Option<Text<'a>>,
    #[serde(borrow, default)]
    started_at: Option<Text<'a>>,
    #[serde(borrow, default)]
    stopped_at: Option<Text<'a>>,
    #[serde(borrow, default)]
    stop_code: Option<Text<'a>>,
    #[serde(borrow, default)]
    stopped_reason: Option<Text<'a>>,
    #[serde(borrow, default)]
    containers: Vec<ContainerView<'a>>,
    // CloudTrail's record of a RunTask call (`AWS API Call via
    // CloudTrail`): when, for which group, and what it could not place.
    #[serde(borrow, default)]
    event_time: Option<Text<'a>>,
    #[serde(borrow, default)]
    event_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    request_parameters: Option<RequestView<'a>>,
    #[serde(borrow, default)]
    response_elements: Option<ResponseView<'a>>,
}

#[derive(serde::Deserialize)]
struct RequestView<'a> {
    #[serde(borrow, default)]
    group: Option<Text<'a>>,
}

#[derive(serde::Deserialize)]
struct ResponseView<'a> {
    #[serde(borrow, default)]
    failures: Vec<FailureView<'a>>,
}

#[derive(serde::Deserialize)]
struct FailureView<'a> {
    #[serde(borrow, default)]
    reason: Option<Text<'a>>,
}

/// A string of an event, borrowed from its text where it has no escapes
/// (nearly always) and copied where it does. (`Option<Cow<str>>` would
/// copy every one: serde borrows only a bare `Cow`.)
struct Text<'a>(std::borrow::Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text<'a>, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContainerView<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(default)]
    exit_code: Option<i64>,
}

/// What one job was asked to run in the window.
///
/// ```
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
/// let v = cronport::verify::Judge::new("m", "-", vec![expected], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default()).verdicts();
/// assert_eq!(v.jobs[0].job, "daily");
/// ```
#[derive(Clone, Debug)]
pub struct Expected {
    /// The job's name (its owner record's).
    pub job: String,
    /// Its container, whose exit code is the run's.
    pub container: String,
    /// Every instant it should have run at, ascending.
    pub runs: Vec<Timestamp>,
    /// Tasks each run starts (`task_count`).
    pub tasks_per_run: u32,
    /// How long after its instant a run may start and still be on time:
    /// the flexible time window plus [`Thresholds::late`].
    pub on_time: SignedDuration,
    /// Its time limit, if it has one.
    pub time_limit: Option<SignedDuration>,
    /// Its next run after the window.
    pub next_run: Option<Timestamp>,
}

/// The tolerances of a verdict.
///
/// ```
/// let t = cronport::verify::Thresholds::default();
/// assert_eq!(t.late, jiff::SignedDuration::from_mins(5));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    /// A start later than this after its instant (and any flexible window)
    /// is late. ECS on Fargate takes up to a minute or two to start.
    pub late: SignedDuration,
    /// A run whose instant is nearer the window's end than this has not
    /// had time to be recorded: `pending`, not `missing`.
    pub grace: SignedDuration,
    /// How long before its instant a task may be created and still be that
    /// run's: clocks differ.
    pub early: SignedDuration,
}

impl Default for Thresholds {
    /// Late after 5 minutes; pending for 15; 1 minute of clock skew.
    fn default() -> Thresholds {
        Thresholds {
            late: SignedDuration::from_mins(5),
            grace: SignedDuration::from_mins(15),
            early: SignedDuration::from_mins(1),
        }
    }
}

/// What became of one expected run (or of a task no run expected).
///
/// ```
/// use cronport::verify::Outcome;
/// let failed = Outcome::Failed { exit_code: Some(1), reason: "Essential container in task exited".into() };
/// assert_eq!(serde_json::to_value(&failed)?["verdict"], "failed");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Outcome {
    /// Started on time, exited 0, within its time limit.
    Ok,
    /// A container exited non-zero (or the task stopped without an exit code).
    Failed {
        /// The job container's exit code, when it has one.
        exit_code: Option<i64>,
        /// ECS's stop reason.
        reason: String,
    },
    /// ECS could not start the task (capacity, image, network).
    NotStarted {
        /// ECS's stop reason.
        reason: String,
    },
    /// Started more than the threshold after its instant.
    Late {
        /// How long after its instant it started.
        by_seconds: i64,
    },
    /// Ran longer than its time limit.
    OverTimeLimit {
        /// How long it ran.
        ran_seconds: i64,
    },
    /// More tasks than the run should start.
    Doubled {
        /// How many started.
        tasks: usize,
    },
    /// No task was recorded for it.
    Missing,
    /// Its task has not stopped yet.
    Running,
    /// Too recent to have been recorded.
    Pending,
    /// A task of the job that no expected run accounts for.
    Unexpected,
}

impl Outcome {
    /// Whether the run is as it should be (or too recent to say).
    ///
    /// ```
    /// use cronport::verify::Outcome;
    /// assert!(Outcome::Pending.is_fine() && !Outcome::Missing.is_fine());
    /// ```
    pub fn is_fine(&self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Running | Outcome::Pending)
    }

    /// The verdict's name, as the reports print it.
    ///
    /// ```
    /// assert_eq!(cronport::verify::Outcome::NotStarted { reason: String::new() }.name(), "not started");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed { .. } => "failed",
            Outcome::NotStarted { .. } => "not started",
            Outcome::Late { .. } => "late",
            Outcome::OverTimeLimit { .. } => "over its time limit",
            Outcome::Doubled { .. } => "doubled",
            Outcome::Missing => "missing",
            Outcome::Running => "running",
            Outcome::Pending => "pending",
            Outcome::Unexpected => "unexpected",
        }
    }
}

/// One run's verdict.
///
/// ```
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
/// let v = cronport::verify::Judge::new("m", "-", vec![expected], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default()).verdicts();
/// let run = &v.jobs[0].runs[0];
/// assert_eq!(run.at, at("2026-12-01T14:30:00Z"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunVerdict {
    /// The instant it was due (for an unexpected task: when it was created).
    pub at: Timestamp,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The task of a failed run (its ARN), for its logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// The last lines a failed run's container logged, when read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub last_lines: Vec<String>,
}

/// One job's verdicts.
///
/// ```
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
/// let v = cronport::verify::Judge::new("m", "-", vec![expected], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default()).verdicts();
/// assert_eq!(v.jobs[0].last_run, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobVerdicts {
    /// The job.
    pub job: String,
    /// How many of its runs had each verdict, by the verdict's name.
    pub counts: BTreeMap<&'static str, usize>,
    /// The runs that went wrong, in time order, then unexpected tasks: the
    /// first [`LISTED_RUNS`] of them (`counts` has them all).
    pub runs: Vec<RunVerdict>,
    /// Its last recorded task's creation.
    pub last_run: Option<Timestamp>,
    /// Its next run after the window.
    pub next_run: Option<Timestamp>,
}

impl JobVerdicts {
    /// Whether every run of the job is fine.
    ///
    /// ```
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
    ///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
    ///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
    /// let v = cronport::verify::Judge::new("m", "-", vec![expected], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default()).verdicts();
    /// assert!(!v.jobs[0].all_fine()); // its one run is missing
    /// ```
    pub fn all_fine(&self) -> bool {
        self.runs.iter().all(|r| r.outcome.is_fine())
    }
}

/// The verdicts of every job over `[from, until)`, with the tasks of jobs
/// the manifest no longer has.
///
/// ```
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
/// let v = cronport::verify::Judge::new("m", "-", vec![expected], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default()).verdicts();
/// assert!(v.other_jobs.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdicts {
    /// The window's start.
    pub from: Timestamp,
    /// The window's end.
    pub until: Timestamp,
    /// Each job, in the manifest's order.
    pub jobs: Vec<JobVerdicts>,
    /// Tasks of this deployment whose job is not in the manifest (renamed
    /// or removed), by job name.
    pub other_jobs: BTreeMap<String, usize>,
}

impl Verdicts {
    /// Whether every expected run is fine and no task went unexplained.
    ///
    /// ```
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
    ///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
    ///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
    /// let v = cronport::verify::Judge::new("m", "-", vec![expected], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default()).verdicts();
    /// assert!(!v.all_fine());
    /// ```
    pub fn all_fine(&self) -> bool {
        self.jobs.iter().all(JobVerdicts::all_fine) && self.other_jobs.is_empty()
    }

    /// How many runs have each verdict, by its name.
    ///
    /// ```
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
    ///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
    ///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
    /// let v = cronport::verify::Judge::new("m", "-", vec![expected], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default()).verdicts();
    /// assert_eq!(v.counts()["missing"], 1);
    /// ```
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for (name, n) in self.jobs.iter().flat_map(|j| &j.counts) {
            *counts.entry(*name).or_default() += n;
        }
        counts
    }
}

/// Judges runs as events arrive, in any order and any number: each job's
/// expected runs are a slot each (a few bytes), each event updates the
/// slot of the latest expected instant at or before its task's creation
/// (less the clock skew), and only runs that went wrong keep words. A task
/// is known by a hash of its ARN, so its `RUNNING` and `STOPPED` events are
/// one task.
///
/// ```
/// use cronport::verify::{Expected, Judge, Outcome, Thresholds};
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = vec![Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z"), at("2026-12-02T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None }];
/// let mut judge = Judge::new("shop", "-", expected, at("2026-12-01T00:00:00Z"), at("2026-12-03T00:00:00Z"), Thresholds::default());
/// judge.add(&serde_json::json!({"detail-type": "ECS Task State Change", "detail": {
///     "group": "cronport:shop:-:daily", "taskArn": "t1", "lastStatus": "STOPPED",
///     "createdAt": "2026-12-01T14:30:02Z", "startedAt": "2026-12-01T14:30:40Z", "stoppedAt": "2026-12-01T14:31:00Z",
///     "containers": [{"name": "worker", "exitCode": 0}]}}))?;
/// let v = judge.verdicts();
/// assert_eq!(v.jobs[0].counts["ok"], 1);
/// assert_eq!(v.jobs[0].runs[0].outcome, Outcome::Missing); // only what went wrong is listed
/// # Ok::<(), cronport::verify::EventError>(())
/// ```
pub struct Judge {
    manifest: String,
    env: String,
    from: Timestamp,
    until: Timestamp,
    thresholds: Thresholds,
    jobs: Vec<JobState>,
    by_name: std::collections::HashMap<String, usize>,
    /// Tasks of this deployment's jobs the manifest does not have.
    other_jobs: BTreeMap<String, std::collections::HashSet<u64>>,
    /// Events read that were ECS task events or CloudTrail records, of
    /// any deployment.
    recognized: usize,
}

/// One job as the events arrive.
struct JobState {
    /// Its expectation, without its runs (held as `runs`).
    expected: Expected,
    /// Its expected instants in Unix seconds, ascending: half the size of
    /// timestamps, for millions of runs.
    runs: Vec<i64>,
    slots: Vec<Slot>,
    /// Tasks beyond a slot's first, by slot (rare: a doubled run).
    more_tasks: std::collections::HashMap<usize, Vec<u64>>,
    /// Words for the runs that went wrong, by slot.
    reasons: std::collections::HashMap<usize, String>,
    /// The task ARN of each failed run, by slot (for its logs; rare).
    failed_tasks: std::collections::HashMap<usize, String>,
    /// Tasks created before the first expected run, with their creation.
    unexpected: BTreeMap<u64, Timestamp>,
    last_run: Option<Timestamp>,
    /// The slot the last event went to: events mostly come in time order,
    /// so the next one's is that or the one after, found without a search
    /// through the runs (which, for a thousand jobs, is a cache miss a step).
    hint: usize,
}

impl JobState {
    /// The index of the latest run at or before `second`.
    fn slot_for(&mut self, second: i64) -> Option<usize> {
        let runs = &self.runs;
        let is = |i: usize| runs[i] <= second && runs.get(i + 1).is_none_or(|&next| next > second);
        let i = self.hint;
        let found = if i < runs.len() && is(i) {
            Some(i)
        } else if i + 1 < runs.len() && is(i + 1) {
            Some(i + 1)
        } else {
            runs.partition_point(|&r| r <= second).checked_sub(1)
        };
        if let Some(i) = found {
            self.hint = i;
        }
        found
    }
}

/// What is known of one expected run's first task, in 24 bytes: a month
/// of a thousand every-ten-minute jobs is 4.3 million of them.
#[derive(Clone, Copy)]
struct Slot {
    /// A hash of the task's ARN; 0: no task yet.
    task: u64,
    /// 0: none yet, 1: running, 2: stopped.
    status: u8,
    /// It stopped without its containers starting.
    not_started: bool,
    /// The job container's exit code; [`NONE`] without one.
    exit: i32,
    /// Seconds from the instant to the start; [`NONE`] before it started.
    started_after: i32,
    /// Seconds it ran; [`NONE`] until it started and stopped.
    ran: i32,
}

/// "No value" in a [`Slot`]'s numbers (an `Option` would double them).
const NONE: i32 = i32::MIN;

impl Default for Slot {
    fn default() -> Slot {
        Slot {
            task: 0,
            status: 0,
            not_started: false,
            exit: NONE,
            started_after: NONE,
            ran: NONE,
        }
    }
}

/// A slot's number, or `None`.
fn some(n: i32) -> Option<i32> {
    (n != NONE).then_some(n)
}

impl Judge {
    /// A judge of `expected` (the jobs of manifest `manifest`, environment
    /// `env`) over `[from, until)`.
    ///
    /// ```
    /// use cronport::verify::{Expected, Judge, Thresholds};
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let daily = Expected { job: "daily".into(), container: "worker".into(), runs: vec![at("2026-12-01T14:30:00Z")],
    ///     tasks_per_run: 1, on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
    /// let mut judge = Judge::new("shop", "-", vec![daily], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Thresholds::default());
    /// assert_eq!(judge.verdicts().jobs[0].counts["missing"], 1); // no event came
    /// ```
    pub fn new(
        manifest: &str,
        env: &str,
        expected: Vec<Expected>,
        from: Timestamp,
        until: Timestamp,
        thresholds: Thresholds,
    ) -> Judge {
        let by_name = expected
            .iter()
            .enumerate()
            .map(|(i, e)| (e.job.clone(), i))
            .collect();
        let jobs = expected
            .into_iter()
            .map(|mut expected| JobState {
                slots: vec![Slot::default(); expected.runs.len()],
                runs: std::mem::take(&mut expected.runs)
                    .into_iter()
                    .map(Timestamp::as_second)
                    .collect(),
                expected,
                more_tasks: Default::default(),
                reasons: Default::default(),
                failed_tasks: Default::default(),
                unexpected: BTreeMap::new(),
                last_run: None,
                hint: 0,
            })
            .collect();
        Judge {
            manifest: manifest.to_string(),
            env: env.to_string(),
            from,
            until,
            thresholds,
            jobs,
            by_name,
            other_jobs: BTreeMap::new(),
            recognized: 0,
        }
    }

    /// Counts the runs recorded under `former` (a job's earlier name) as
    /// `job`'s; a job the judge does not know is passed over.
    ///
    /// ```
    /// use cronport::verify::{Expected, Judge};
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let daily = Expected { job: "daily".into(), container: "worker".into(), runs: vec![at("2026-12-01T14:30:00Z")],
    ///     tasks_per_run: 1, on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
    /// let mut judge = Judge::new("shop", "-", vec![daily], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
    /// judge.formerly("nightly", "daily");
    /// judge.add(&serde_json::json!({"detail-type": "ECS Task State Change", "detail": {"group": "cronport:shop:-:nightly",
    ///     "taskArn": "t", "lastStatus": "STOPPED", "createdAt": "2026-12-01T14:30:01Z", "startedAt": "2026-12-01T14:30:20Z",
    ///     "stoppedAt": "2026-12-01T14:31:00Z", "containers": [{"name": "worker", "exitCode": 0}]}}))?;
    /// assert_eq!(judge.verdicts().jobs[0].counts["ok"], 1);
    /// # Ok::<(), cronport::verify::EventError>(())
    /// ```
    pub fn formerly(&mut self, former: &str, job: &str) {
        if let Some(&index) = self.by_name.get(job) {
            self.by_name.entry(former.to_string()).or_insert(index);
        }
    }

    /// Takes one event (a JSON value); any other event, another
    /// deployment's task, or a task without a cronport group is passed over.
    ///
    /// ```
    /// use cronport::verify::{Expected, Judge, Thresholds};
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let daily = Expected { job: "daily".into(), container: "worker".into(), runs: vec![at("2026-12-01T14:30:00Z")],
    ///     tasks_per_run: 1, on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
    /// let mut judge = Judge::new("shop", "-", vec![daily], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Thresholds::default());
    /// // Another manifest's task of a job of the same name: not this one's run.
    /// judge.add(&serde_json::json!({"detail-type": "ECS Task State Change", "detail": {"group": "cronport:other:-:daily",
    ///     "taskArn": "t", "lastStatus": "STOPPED", "createdAt": "2026-12-01T14:30:01Z"}}))?;
    /// assert_eq!(judge.verdicts().jobs[0].counts["missing"], 1);
    /// # Ok::<(), cronport::verify::EventError>(())
    /// ```
    pub fn add(&mut self, event: &Value) -> Result<(), EventError> {
        let view = EventView::deserialize(event).map_err(|e| shape_error(&e.to_string()))?;
        self.add_view(view)
    }

    /// [`Judge::add`] of an event's JSON text, read without copying it.
    ///
    /// ```
    /// use cronport::verify::{Judge, Thresholds};
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let mut judge = Judge::new("m", "-", Vec::new(), at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Thresholds::default());
    /// judge.add_json(r#"{"detail-type": "AWS API Call via CloudTrail", "detail": {}}"#)?; // not a task event: passed over
    /// assert!(judge.verdicts().all_fine());
    /// # Ok::<(), cronport::verify::EventError>(())
    /// ```
    pub fn add_json(&mut self, text: &str) -> Result<(), EventError> {
        let view: EventView<'_> =
            serde_json::from_str(text).map_err(|e| shape_error(&e.to_string()))?;
        self.add_view(view)
    }

    fn add_view(&mut self, view: EventView<'_>) -> Result<(), EventError> {
        let Some(detail) = view.detail else {
            return Ok(());
        };
        match view.detail_type.as_deref() {
            Some("ECS Task State Change") => {
                self.recognized += 1;
                self.add_task(detail)
            }
            Some("AWS API Call via CloudTrail") => {
                self.recognized += 1;
                self.add_run_task_call(detail)
            }
            _ => Ok(()),
        }
    }

    /// How many of the events taken were ECS task events or CloudTrail
    /// records (of any deployment): none means the events were of another
    /// kind altogether.
    ///
    /// ```
    /// use cronport::verify::Judge;
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let mut judge = Judge::new("shop", "-", vec![], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
    /// judge.add_json(r#"{"jobs": []}"#)?;
    /// assert_eq!(judge.recognized(), 0);
    /// # Ok::<(), cronport::verify::EventError>(())
    /// ```
    pub fn recognized(&self) -> usize {
        self.recognized
    }

    /// A RunTask call ECS could place no task for (`failures`, such as
    /// `RESOURCE:MEMORY`): no task means no task event, so CloudTrail's
    /// record is the only word of it. The run it was for did not start,
    /// unless a task of it is seen after all.
    fn add_run_task_call(&mut self, detail: DetailView<'_>) -> Result<(), EventError> {
        if detail.event_name.as_deref() != Some("RunTask") {
            return Ok(());
        }
        let group = detail
            .request_parameters
            .as_ref()
            .and_then(|r| r.group.as_deref());
        let Some((manifest, env, job)) = group.and_then(group_parts) else {
            return Ok(());
        };
        let failures = detail
            .response_elements
            .map(|r| r.failures)
            .unwrap_or_default();
        if manifest != self.manifest || env != self.env || failures.is_empty() {
            return Ok(());
        }
        let Some(&index) = self.by_name.get(job) else {
            return Ok(());
        };
        let at = detail
            .event_time
            .as_deref()
            .ok_or_else(|| EventError(format!("a RunTask record of job `{job}` has no eventTime")))?
            .parse::<Timestamp>()
            .map_err(|e| {
                EventError(format!(
                    "`eventTime` of a RunTask record of job `{job}` is not a time: {e}"
                ))
            })?;
        if at + self.thresholds.early < self.from || at >= self.until {
            return Ok(());
        }
        let state = &mut self.jobs[index];
        let Some(slot_index) = state.slot_for((at + self.thresholds.early).as_second()) else {
            return Ok(());
        };
        if state.slots[slot_index].task == 0 {
            let reasons: Vec<&str> = failures
                .iter()
                .filter_map(|f| f.reason.as_deref())
                .filter(|r| !r.is_empty())
                .collect();
            let text = if reasons.is_empty() {
                "ECS placed no task (it gave no reason)".to_string()
            } else {
                format!("ECS placed no task: {}", reasons.join(", "))
            };
            state
                .reasons
                .insert(slot_index, text.chars().take(255).collect());
        }
        Ok(())
    }

    fn add_task(&mut self, detail: DetailView<'_>) -> Result<(), EventError> {
        // The group names the deployment and the job: read in place, as
        // millions of events pass through here.
        let Some((manifest, env, job)) = detail.group.as_deref().and_then(group_parts) else {
            return Ok(());
        };
        if manifest != self.manifest || env != self.env {
            return Ok(());
        }
        let arn = detail
            .task_arn
            .as_deref()
            .ok_or_else(|| EventError(format!("an event of job `{job}` has no taskArn")))?;
        let time = |key: &str, text: &Option<Text<'_>>| {
            text.as_deref()
                .map(|t| {
                    t.parse::<Timestamp>().map_err(|e| {
                        EventError(format!(
                            "`{key}` of task {arn} of job `{job}` is not a time: {e}"
                        ))
                    })
                })
                .transpose()
        };
        let created = time("createdAt", &detail.created_at)?
            .ok_or_else(|| EventError(format!("task {arn} of job `{job}` has no createdAt")))?;
        let started = time("startedAt", &detail.started_at)?;
        let stopped = time("stoppedAt", &detail.stopped_at)?;
        let task = hash(arn);
        let Some(&index) = self.by_name.get(job) else {
            if created >= self.from && created < self.until {
                self.other_jobs
                    .entry(job.to_string())
                    .or_default()
                    .insert(task);
            }
            return Ok(());
        };
        if created + self.thresholds.early < self.from || created >= self.until {
            return Ok(());
        }
        let state = &mut self.jobs[index];
        state.last_run = state.last_run.max(Some(created));
        let latest = (created + self.thresholds.early).as_second();
        let Some(slot_index) = state.slot_for(latest) else {
            state.unexpected.insert(task, created);
            return Ok(());
        };
        let at = Timestamp::from_second(state.runs[slot_index]).unwrap_or(created);
        let slot = &mut state.slots[slot_index];
        if slot.task != 0 && slot.task != task {
            let more = state.more_tasks.entry(slot_index).or_default();
            if !more.contains(&task) {
                more.push(task);
            }
            return Ok(());
        }
        let status = match detail.last_status.as_deref() {
            Some("STOPPED") => 2,
            Some(_) => 1,
            None => 0,
        };
        // Events come in any order: a stopped task stays stopped.
        if status < slot.status {
            return Ok(());
        }
        slot.task = task;
        slot.status = status;
        slot.started_after = started.map_or(NONE, |s| clamp_secs(s.duration_since(at)));
        slot.ran = match (started, stopped) {
            (Some(a), Some(b)) => clamp_secs(b.duration_since(a)),
            _ => NONE,
        };
        if status == 2 {
            slot.not_started =
                detail.stop_code.as_deref() == Some("TaskFailedToStart") || started.is_none();
            let own = detail
                .containers
                .iter()
                .find(|c| c.name.as_deref() == Some(state.expected.container.as_str()));
            slot.exit = match own {
                Some(c) => c.exit_code.map_or(NONE, clamp_i32),
                // Without the job's container, any container's failure counts.
                None => detail
                    .containers
                    .iter()
                    .map(|c| c.exit_code.map_or(NONE, clamp_i32))
                    .find(|code| *code != 0)
                    .unwrap_or(0),
            };
            let failed = slot.not_started || slot.exit != 0;
            if failed {
                state.failed_tasks.insert(slot_index, arn.to_string());
                // ECS writes at most 255 characters of reason.
                state.reasons.insert(
                    slot_index,
                    detail
                        .stopped_reason
                        .as_deref()
                        .unwrap_or_default()
                        .chars()
                        .take(255)
                        .collect(),
                );
            } else if !state.reasons.is_empty() {
                state.reasons.remove(&slot_index);
                state.failed_tasks.remove(&slot_index);
            }
        }
        Ok(())
    }

    /// The verdicts: per job, how many runs had each verdict, and the runs
    /// that went wrong.
    ///
    /// ```
    /// use cronport::verify::{Expected, Judge, Thresholds};
    /// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    /// let daily = Expected { job: "daily".into(), container: "worker".into(), runs: vec![at("2026-12-01T14:30:00Z")],
    ///     tasks_per_run: 1, on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
    /// let mut judge = Judge::new("shop", "-", vec![daily], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Thresholds::default());
    /// judge.add(&serde_json::json!({"detail-type": "ECS Task State Change", "detail": {"group": "cronport:shop:-:daily",
    ///     "taskArn": "t", "lastStatus": "STOPPED", "createdAt": "2026-12-01T14:30:01Z", "startedAt": "2026-12-01T14:30:30Z",
    ///     "stoppedAt": "2026-12-01T14:31:00Z", "stoppedReason": "Essential container in task exited",
    ///     "containers": [{"name": "worker", "exitCode": 3}]}}))?;
    /// let v = judge.verdicts();
    /// assert_eq!(v.jobs[0].runs[0].outcome.name(), "failed");
    /// assert!(!v.all_fine());
    /// # Ok::<(), cronport::verify::EventError>(())
    /// ```
    pub fn verdicts(self) -> Verdicts {
        let th = self.thresholds;
        let until = self.until;
        let jobs = self
            .jobs
            .into_iter()
            .map(|state| {
                let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
                let mut runs = Vec::new();
                for (i, (slot, &second)) in state.slots.iter().zip(&state.runs).enumerate() {
                    let Ok(at) = Timestamp::from_second(second) else {
                        continue;
                    };
                    let tasks = 1 + state.more_tasks.get(&i).map_or(0, Vec::len);
                    let outcome = outcome(
                        &state.expected,
                        at,
                        slot,
                        tasks,
                        state.reasons.get(&i),
                        until,
                        th,
                    );
                    *counts.entry(outcome.name()).or_default() += 1;
                    // Every run is counted; the first of those that went
                    // wrong are listed (a month of a job that never ran is
                    // thousands of `missing`).
                    if !outcome.is_fine() && runs.len() < LISTED_RUNS {
                        let task =
                            matches!(outcome, Outcome::Failed { .. } | Outcome::NotStarted { .. })
                                .then(|| state.failed_tasks.get(&i).cloned())
                                .flatten();
                        runs.push(RunVerdict {
                            at,
                            outcome,
                            task,
                            last_lines: Vec::new(),
                        });
                    }
                }
                for &created in state.unexpected.values() {
                    *counts.entry(Outcome::Unexpected.name()).or_default() += 1;
                    if runs.len() >= LISTED_RUNS {
                        continue;
                    }
                    runs.push(RunVerdict {
                        at: created,
                        outcome: Outcome::Unexpected,
                        task: None,
                        last_lines: Vec::new(),
                    });
                }
                JobVerdicts {
                    job: state.expected.job,
                    counts,
                    runs,
                    last_run: state.last_run,
                    next_run: state.expected.next_run,
                }
            })
            .collect();
        Verdicts {
            from: self.from,
            until: self.until,
            jobs,
            other_jobs: self
                .other_jobs
                .into_iter()
                .map(|(job, tasks)| (job, tasks.len()))
                .collect(),
        }
    }
}

/// The most runs that went wrong a job's verdicts list (all are counted).
///
/// ```
/// assert_eq!(cronport::verify::LISTED_RUNS, 100);
/// ```
pub const LISTED_RUNS: usize = 100;

/// A reader's complaint about an event in the event's words, not Rust's.
fn shape_error(complaint: &str) -> EventError {
    let mut text = complaint.to_string();
    for (rust, words) in [
        ("expected struct EventView", "expected an event object"),
        (
            "expected struct DetailView",
            "expected the event's `detail` object",
        ),
        (
            "expected struct ContainerView",
            "expected a container object",
        ),
        (
            "expected struct RequestView",
            "expected CloudTrail's `requestParameters` object",
        ),
        (
            "expected struct ResponseView",
            "expected CloudTrail's `responseElements` object",
        ),
        (
            "expected struct FailureView",
            "expected a RunTask failure object",
        ),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected a list"),
        ("invalid type: ", ""),
        ("invalid value: ", ""),
    ] {
        text = text.replace(rust, words);
    }
    EventError(format!(
        "not an ECS Task State Change event or CloudTrail record as EventBridge delivers it ({text}); give the events as `aws logs filter-log-events` prints them, a JSON list, or one per line"
    ))
}

/// A stable 64-bit hash of a task ARN (FNV-1a); never 0, which means "no
/// task".
fn hash(arn: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in arn.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

fn clamp_secs(d: SignedDuration) -> i32 {
    clamp_i32(d.as_secs())
}

/// `n` within what a slot holds (`i32::MIN` is [`NONE`]).
fn clamp_i32(n: i64) -> i32 {
    n.clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX)) as i32
}

/// The verdict of one run: the worst thing that happened, in the order a
/// reader acts on (a doubled run first, then one that did not start,
/// failed, overran or was late).
fn outcome(
    e: &Expected,
    at: Timestamp,
    slot: &Slot,
    tasks: usize,
    reason: Option<&String>,
    until: Timestamp,
    th: Thresholds,
) -> Outcome {
    if slot.task == 0 {
        // CloudTrail's word that RunTask placed nothing for this run.
        if let Some(reason) = reason {
            return Outcome::NotStarted {
                reason: reason.clone(),
            };
        }
        return if at + e.on_time + th.grace > until {
            Outcome::Pending
        } else {
            Outcome::Missing
        };
    }
    if tasks > e.tasks_per_run as usize {
        return Outcome::Doubled { tasks };
    }
    let reason = || reason.cloned().unwrap_or_default();
    if slot.status == 2 && slot.not_started {
        return Outcome::NotStarted { reason: reason() };
    }
    if slot.status == 2 && slot.exit != 0 {
        return Outcome::Failed {
            exit_code: some(slot.exit).map(i64::from),
            reason: reason(),
        };
    }
    if let (Some(limit), Some(ran)) = (e.time_limit, some(slot.ran))
        && i64::from(ran) > limit.as_secs()
    {
        return Outcome::OverTimeLimit {
            ran_seconds: i64::from(ran),
        };
    }
    // Still running at the window's end, and longer than its limit then.
    if let (Some(limit), Some(after), true) =
        (e.time_limit, some(slot.started_after), slot.status == 1)
    {
        let ran = until.duration_since(at).as_secs() - i64::from(after);
        if ran > limit.as_secs() {
            return Outcome::OverTimeLimit { ran_seconds: ran };
        }
    }
    if let Some(after) = some(slot.started_after)
        && i64::from(after) > e.on_time.as_secs()
    {
        return Outcome::Late {
            by_seconds: i64::from(after),
        };
    }
    if slot.status != 2 {
        return Outcome::Running;
    }
    Outcome::Ok
}
