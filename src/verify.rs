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
use serde::Serialize;
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
/// assert!(cronport::verify::owner_of_group("cronport:m:-:a:b").is_none()); // `:` in no part
/// assert!(cronport::verify::owner_of_group("cronport:m::a").is_none());
/// ```
pub fn owner_of_group(group: &str) -> Option<Owner> {
    let mut parts = group.strip_prefix(GROUP_PREFIX)?.splitn(3, ':');
    let owner = Owner {
        manifest: parts.next()?.to_string(),
        env: parts.next()?.to_string(),
        job: parts.next()?.to_string(),
    };
    let filled = [&owner.manifest, &owner.env, &owner.job]
        .iter()
        .all(|p| !p.is_empty() && !p.contains(':'));
    filled.then_some(owner)
}

/// One ECS task as its state-change events last described it.
///
/// ```
/// let event = serde_json::json!({"detail-type": "ECS Task State Change", "detail": {
///     "group": "cronport:m:-:a", "taskArn": "t", "lastStatus": "RUNNING", "createdAt": "2026-12-01T00:00:00Z"}});
/// let task = cronport::verify::Task::from_event(&event)?.unwrap();
/// assert_eq!((task.last_status.as_str(), task.stopped_at), ("RUNNING", None));
/// # Ok::<(), cronport::verify::EventError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Task {
    /// The task's ARN.
    pub arn: String,
    /// Whose run it is.
    pub owner: Owner,
    /// When ECS created it (RunTask's moment).
    pub created_at: Timestamp,
    /// When its containers started, if they did.
    pub started_at: Option<Timestamp>,
    /// When it stopped, if it has.
    pub stopped_at: Option<Timestamp>,
    /// `lastStatus`: `RUNNING`, `STOPPED`, …
    pub last_status: String,
    /// `stopCode`: `EssentialContainerExited`, `TaskFailedToStart`, …
    pub stop_code: Option<String>,
    /// `stoppedReason`, in ECS's words.
    pub stopped_reason: Option<String>,
    /// Each container's name and exit code (absent when it never ran).
    pub exit_codes: Vec<(String, Option<i64>)>,
}

/// Why an event could not be read.
///
/// ```
/// let event = serde_json::json!({"detail-type": "ECS Task State Change", "detail": {"group": "cronport:m:-:a", "taskArn": "t"}});
/// let err = cronport::verify::Task::from_event(&event).unwrap_err();
/// assert_eq!(err.to_string(), "task t of job `a` has no createdAt");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EventError(String);

impl Task {
    /// The task an `ECS Task State Change` event describes, if it is one
    /// of cronport's scheduled runs (its group names an owner record);
    /// `Ok(None)` for any other event or task.
    ///
    /// ```
    /// let event = serde_json::json!({
    ///     "detail-type": "ECS Task State Change", "source": "aws.ecs",
    ///     "detail": {"group": "cronport:shop:-:daily", "taskArn": "arn:aws:ecs:us-east-1:1:task/c/1",
    ///                "lastStatus": "STOPPED", "createdAt": "2026-12-01T14:30:02.5Z",
    ///                "startedAt": "2026-12-01T14:30:40Z", "stoppedAt": "2026-12-01T14:31:00Z",
    ///                "containers": [{"name": "worker", "exitCode": 0}]}});
    /// let task = cronport::verify::Task::from_event(&event)?.unwrap();
    /// assert_eq!((task.owner.job.as_str(), task.exit_codes[0].1), ("daily", Some(0)));
    /// # Ok::<(), cronport::verify::EventError>(())
    /// ```
    pub fn from_event(event: &Value) -> Result<Option<Task>, EventError> {
        if event.get("detail-type").and_then(Value::as_str) != Some("ECS Task State Change") {
            return Ok(None);
        }
        let detail = &event["detail"];
        let Some(owner) = detail
            .get("group")
            .and_then(Value::as_str)
            .and_then(owner_of_group)
        else {
            return Ok(None);
        };
        let text = |key: &str| detail.get(key).and_then(Value::as_str).map(str::to_string);
        let time = |key: &str| -> Result<Option<Timestamp>, EventError> {
            text(key)
                .map(|t| {
                    t.parse::<Timestamp>().map_err(|e| {
                        EventError(format!(
                            "`{key}` of a task of job `{}` is not a time: {e}",
                            owner.job
                        ))
                    })
                })
                .transpose()
        };
        let arn = text("taskArn")
            .ok_or_else(|| EventError(format!("an event of job `{}` has no taskArn", owner.job)))?;
        let created_at = time("createdAt")?.ok_or_else(|| {
            EventError(format!(
                "task {arn} of job `{}` has no createdAt",
                owner.job
            ))
        })?;
        let exit_codes = detail
            .get("containers")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                        (name.to_string(), c.get("exitCode").and_then(Value::as_i64))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(Task {
            started_at: time("startedAt")?,
            stopped_at: time("stoppedAt")?,
            last_status: text("lastStatus").unwrap_or_default(),
            stop_code: text("stopCode"),
            stopped_reason: text("stoppedReason"),
            exit_codes,
            arn,
            owner,
            created_at,
        }))
    }

    /// The later of two descriptions of one task: events may arrive in any
    /// order, and a stopped task stays stopped.
    fn merge(self, other: Task) -> Task {
        let rank = |t: &Task| (t.last_status == "STOPPED", t.stopped_at, t.started_at);
        if rank(&other) >= rank(&self) {
            other
        } else {
            self
        }
    }
}

/// The tasks the events describe, one per task ARN (its latest state), of
/// the deployment `manifest`/`env` only: another manifest's or
/// environment's tasks, and tasks cronport did not schedule, never count.
///
/// ```
/// use serde_json::json;
/// let event = |arn: &str, group: &str, status: &str| json!({"detail-type": "ECS Task State Change",
///     "detail": {"taskArn": arn, "group": group, "lastStatus": status, "createdAt": "2026-12-01T14:30:02Z"}});
/// let events = [event("t1", "cronport:shop:-:a", "RUNNING"), event("t1", "cronport:shop:-:a", "STOPPED"),
///               event("t2", "cronport:other:-:a", "STOPPED"), event("t3", "family:web", "STOPPED")];
/// let tasks = cronport::verify::tasks_of("shop", "-", &events)?;
/// assert_eq!(tasks.len(), 1);
/// assert_eq!(tasks[0].last_status, "STOPPED");
/// # Ok::<(), cronport::verify::EventError>(())
/// ```
pub fn tasks_of(manifest: &str, env: &str, events: &[Value]) -> Result<Vec<Task>, EventError> {
    let mut tasks: BTreeMap<String, Task> = BTreeMap::new();
    for event in events {
        let Some(task) = Task::from_event(event)? else {
            continue;
        };
        if task.owner.manifest != manifest || task.owner.env != env {
            continue;
        }
        let task = match tasks.remove(&task.arn) {
            Some(earlier) => earlier.merge(task),
            None => task,
        };
        tasks.insert(task.arn.clone(), task);
    }
    Ok(tasks.into_values().collect())
}

/// What one job was asked to run in the window.
///
/// ```
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
/// let v = cronport::verify::judge(&[expected], &[], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
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
}

/// One run's verdict.
///
/// ```
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
/// let v = cronport::verify::judge(&[expected], &[], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
/// let run = &v.jobs[0].runs[0];
/// assert_eq!((run.at, run.tasks.len()), (at("2026-12-01T14:30:00Z"), 0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunVerdict {
    /// The instant it was due (for an unexpected task: when it was created).
    pub at: Timestamp,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The tasks counted for it.
    pub tasks: Vec<String>,
}

/// One job's verdicts.
///
/// ```
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = cronport::verify::Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None };
/// let v = cronport::verify::judge(&[expected], &[], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
/// assert_eq!(v.jobs[0].last_run, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JobVerdicts {
    /// The job.
    pub job: String,
    /// Every expected run in time order, then unexpected tasks.
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
    /// let v = cronport::verify::judge(&[expected], &[], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
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
/// let v = cronport::verify::judge(&[expected], &[], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
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
    /// let v = cronport::verify::judge(&[expected], &[], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
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
    /// let v = cronport::verify::judge(&[expected], &[], at("2026-12-01T00:00:00Z"), at("2026-12-02T00:00:00Z"), Default::default());
    /// assert_eq!(v.counts()["missing"], 1);
    /// ```
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for run in self.jobs.iter().flat_map(|j| &j.runs) {
            *counts.entry(run.outcome.name()).or_default() += 1;
        }
        counts
    }
}

impl Outcome {
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

/// Judges each job's expected runs in `[from, until)` against `tasks` (of
/// one deployment, see [`tasks_of`]). Each task counts for the latest
/// expected instant at or before its creation (less the clock skew); a
/// task created before any counts as unexpected.
///
/// ```
/// use cronport::verify::{judge, Expected, Outcome, Thresholds};
/// let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
/// let expected = [Expected { job: "daily".into(), container: "worker".into(),
///     runs: vec![at("2026-12-01T14:30:00Z"), at("2026-12-02T14:30:00Z")], tasks_per_run: 1,
///     on_time: jiff::SignedDuration::from_mins(5), time_limit: None, next_run: None }];
/// let v = judge(&expected, &[], at("2026-12-01T00:00:00Z"), at("2026-12-03T00:00:00Z"), Thresholds::default());
/// assert_eq!(v.jobs[0].runs[0].outcome, Outcome::Missing);
/// assert!(!v.all_fine());
/// ```
pub fn judge(
    expected: &[Expected],
    tasks: &[Task],
    from: Timestamp,
    until: Timestamp,
    thresholds: Thresholds,
) -> Verdicts {
    let mut by_job: BTreeMap<&str, Vec<&Task>> = BTreeMap::new();
    for task in tasks {
        by_job
            .entry(task.owner.job.as_str())
            .or_default()
            .push(task);
    }
    let jobs = expected
        .iter()
        .map(|e| {
            let mut tasks = by_job.remove(e.job.as_str()).unwrap_or_default();
            tasks.retain(|t| t.created_at + thresholds.early >= from && t.created_at < until);
            tasks.sort_by_key(|t| t.created_at);
            judge_job(e, &tasks, until, thresholds)
        })
        .collect();
    let other_jobs = by_job
        .into_iter()
        .map(|(job, tasks)| {
            let within = tasks
                .iter()
                .filter(|t| t.created_at >= from && t.created_at < until)
                .count();
            (job.to_string(), within)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    Verdicts {
        from,
        until,
        jobs,
        other_jobs,
    }
}

fn judge_job(e: &Expected, tasks: &[&Task], until: Timestamp, th: Thresholds) -> JobVerdicts {
    let mut per_run: Vec<Vec<&Task>> = vec![Vec::new(); e.runs.len()];
    let mut unexpected = Vec::new();
    for task in tasks {
        let after = e.runs.partition_point(|&r| r <= task.created_at + th.early);
        match after.checked_sub(1) {
            Some(i) => per_run[i].push(task),
            None => unexpected.push(task),
        }
    }
    let mut runs: Vec<RunVerdict> = e
        .runs
        .iter()
        .zip(&per_run)
        .map(|(&at, tasks)| RunVerdict {
            at,
            outcome: outcome(e, at, tasks, until, th),
            tasks: tasks.iter().map(|t| t.arn.clone()).collect(),
        })
        .collect();
    runs.extend(unexpected.iter().map(|t| RunVerdict {
        at: t.created_at,
        outcome: Outcome::Unexpected,
        tasks: vec![t.arn.clone()],
    }));
    JobVerdicts {
        job: e.job.clone(),
        runs,
        last_run: tasks.last().map(|t| t.created_at),
        next_run: e.next_run,
    }
}

/// The verdict of one run from the tasks counted for it: the worst thing
/// that happened, in the order a reader acts on (a doubled run first,
/// then one that did not start, failed, overran or was late).
fn outcome(
    e: &Expected,
    at: Timestamp,
    tasks: &[&Task],
    until: Timestamp,
    th: Thresholds,
) -> Outcome {
    if tasks.is_empty() {
        return if at + e.on_time + th.grace > until {
            Outcome::Pending
        } else {
            Outcome::Missing
        };
    }
    if tasks.len() > e.tasks_per_run as usize {
        return Outcome::Doubled { tasks: tasks.len() };
    }
    let reason = |t: &Task| t.stopped_reason.clone().unwrap_or_default();
    for task in tasks {
        if task.last_status != "STOPPED" {
            continue;
        }
        if task.stop_code.as_deref() == Some("TaskFailedToStart") || task.started_at.is_none() {
            return Outcome::NotStarted {
                reason: reason(task),
            };
        }
        let own = task
            .exit_codes
            .iter()
            .find(|(name, _)| *name == e.container)
            .map(|(_, code)| *code);
        let failed = match own {
            Some(code) => code != Some(0),
            // Without the job's container, any container's failure counts.
            None => task.exit_codes.iter().any(|(_, c)| *c != Some(0)),
        };
        if failed {
            return Outcome::Failed {
                exit_code: own.flatten(),
                reason: reason(task),
            };
        }
    }
    for task in tasks {
        if let (Some(limit), Some(start), Some(stop)) =
            (e.time_limit, task.started_at, task.stopped_at)
            && stop.duration_since(start) > limit
        {
            return Outcome::OverTimeLimit {
                ran_seconds: stop.duration_since(start).as_secs(),
            };
        }
    }
    for task in tasks {
        if let Some(start) = task.started_at
            && start.duration_since(at) > e.on_time
        {
            return Outcome::Late {
                by_seconds: start.duration_since(at).as_secs(),
            };
        }
    }
    if tasks.iter().any(|t| t.last_status != "STOPPED") {
        return Outcome::Running;
    }
    Outcome::Ok
}
