//! Moving jobs from EventBridge rules to EventBridge Scheduler between
//! two runs, proved offline: per job the switch instant, the last run the
//! rules make before it and the first the schedule makes after it, and the
//! proof that together they fire exactly when the job does. `aws::migrate`
//! makes the switch on AWS; [`preview_migration`] shows it without AWS.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::desired::{CompileOptions, DesiredJob, compile};
use crate::manifest::Manifest;
use crate::plan::{PlanError, PlanProblem, PlanProblemKind};
use crate::translate::Backend;

/// A job's switch from rules to a schedule.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, manifest: cronport::manifest::Manifest) -> Result<(), cronport::plan::PlanError> {
/// let switches = cronport::aws::migrate(&clients, &manifest, jiff::Timestamp::now(), false).await?;
/// for s in &switches {
///     println!("{}: {} at {} (last rule run {:?}, first schedule run {:?}; {} runs proved)",
///         s.job, s.outcome, s.at, s.last_rule_run, s.first_schedule_run, s.proved_over);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Switch {
    /// The job.
    pub job: String,
    /// The instant the rules stop and the schedule takes over.
    pub at: Timestamp,
    /// The last run the rules made (before `at`), if any in the window.
    pub last_rule_run: Option<Timestamp>,
    /// The first run the schedule makes.
    pub first_schedule_run: Option<Timestamp>,
    /// Runs compared: rules before `at` and the schedule from `at` fire
    /// exactly when the job does, each once.
    pub proved_over: u64,
    /// What happened (or, in a preview, would happen).
    pub outcome: SwitchOutcome,
    /// Whether this job's step failed or could not run yet: the command
    /// that asked for it has not finished its work.
    pub failed: bool,
}

/// What a migration did with one job: typed, so that code decides on the
/// variant and people read the `Display`.
///
/// ```
/// use cronport::migration::SwitchOutcome;
/// assert_eq!(SwitchOutcome::AlreadySwitched.to_string(), "already switched");
/// assert!(SwitchOutcome::NotSwitchedYet.failed());
/// assert!(!SwitchOutcome::Switched.failed());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SwitchOutcome {
    /// Nothing done yet.
    Planned,
    /// A preview: the schedules it would create and the rules it would
    /// disable.
    Preview {
        /// Schedules to create.
        schedules: usize,
        /// Rules to disable.
        rules: Vec<String>,
    },
    /// The schedule runs and the rules are disabled.
    Switched,
    /// It had been switched before.
    AlreadySwitched,
    /// Finishing: the disabled rules were deleted.
    RulesDeleted,
    /// Finishing: there were no rules left.
    RulesAlreadyDeleted,
    /// Finishing before the switch: nothing done.
    NotSwitchedYet,
    /// The schedule could not be created; the rules still run.
    CreateFailed {
        /// What failed.
        error: String,
    },
    /// The rules could not be disabled; the new schedule was removed
    /// again and the rules still run.
    DisableFailed {
        /// What failed.
        error: String,
    },
    /// Finishing: the rules could not be deleted.
    DeleteFailed {
        /// What failed.
        error: String,
    },
}

impl SwitchOutcome {
    /// Whether the step failed or could not run yet: the command that
    /// asked for it has not finished its work.
    ///
    /// ```
    /// assert!(cronport::migration::SwitchOutcome::DeleteFailed { error: "throttled".into() }.failed());
    /// ```
    pub fn failed(&self) -> bool {
        matches!(
            self,
            SwitchOutcome::NotSwitchedYet
                | SwitchOutcome::CreateFailed { .. }
                | SwitchOutcome::DisableFailed { .. }
                | SwitchOutcome::DeleteFailed { .. }
        )
    }

    /// What the caller can do, if it is an option of theirs.
    ///
    /// ```
    /// use cronport::{Hint, migration::SwitchOutcome};
    /// assert_eq!(SwitchOutcome::NotSwitchedYet.hint(), Some(Hint::MigrateFirst));
    /// ```
    pub fn hint(&self) -> Option<crate::Hint> {
        matches!(self, SwitchOutcome::NotSwitchedYet).then_some(crate::Hint::MigrateFirst)
    }
}

impl std::fmt::Display for SwitchOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SwitchOutcome::Planned => f.write_str("planned"),
            SwitchOutcome::Preview { schedules, rules } => write!(
                f,
                "would create {} and disable {} {}",
                count(*schedules, "schedule"),
                if rules.len() == 1 { "rule" } else { "rules" },
                rules.join(", ")
            ),
            SwitchOutcome::Switched => f.write_str("switched"),
            SwitchOutcome::AlreadySwitched => f.write_str("already switched"),
            SwitchOutcome::RulesDeleted => f.write_str("rules deleted"),
            SwitchOutcome::RulesAlreadyDeleted => f.write_str("rules already deleted"),
            SwitchOutcome::NotSwitchedYet => f.write_str("not switched yet"),
            SwitchOutcome::CreateFailed { error } => write!(
                f,
                "failed to create the schedule ({error}); the rules still run; run again"
            ),
            SwitchOutcome::DisableFailed { error } => write!(
                f,
                "failed to disable the rules ({error}); the new schedule was removed again, the rules still run; run again"
            ),
            SwitchOutcome::DeleteFailed { error } => {
                write!(f, "failed to delete the rules: {error}; run again")
            }
        }
    }
}

impl Serialize for SwitchOutcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Switch {
    /// Records what happened, and whether it failed.
    pub(crate) fn done(&mut self, outcome: SwitchOutcome) {
        self.failed = outcome.failed();
        self.outcome = outcome;
    }
}

/// Runs closer than this to the switch are waited out.
const GUARD: SignedDuration = SignedDuration::from_secs(120);

/// The manifest with every job on EventBridge Scheduler.
fn on_scheduler(manifest: &Manifest) -> Manifest {
    let mut m = manifest.clone();
    m.defaults.backend = Some(Backend::Scheduler);
    for job in &mut m.jobs {
        job.settings.backend = None;
    }
    m
}

/// The instant to switch `job` at, after `now`: now, unless its next run is
/// within the guard, then just after that run.
fn switch_instant(job: &DesiredJob, now: Timestamp) -> Timestamp {
    match job.job.schedule.fires_after(now).next() {
        Some(next) if next - now < GUARD => next + SignedDuration::from_secs(1),
        _ => now,
    }
}

/// Proves that the job's rules until `at` and its schedule from `at` fire
/// exactly as the job does over `[from, until)`.
fn prove(
    rules: &DesiredJob,
    schedule: &DesiredJob,
    at: Timestamp,
    from: Timestamp,
    until: Timestamp,
) -> Result<u64, String> {
    let source = rules.job.schedule.clone();
    let parse = |r: &crate::desired::Resource| {
        let zone = jiff::tz::TimeZone::get(&r.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        crate::syntax::aws::schedule(&r.expression, zone).map_err(|e| e.to_string())
    };
    let mut runs: Vec<Timestamp> = Vec::new();
    for r in &rules.resources {
        runs.extend(parse(r)?.fires_between(from, at));
    }
    for r in &schedule.resources {
        runs.extend(parse(r)?.fires_between(at, until));
    }
    runs.sort_unstable();
    let expected: Vec<Timestamp> = source.fires_between(from, until).collect();
    if runs == expected {
        Ok(expected.len() as u64)
    } else {
        let first = expected
            .iter()
            .zip(&runs)
            .find(|(a, b)| a != b)
            .map(|(a, _)| *a)
            .or(expected.first().copied());
        Err(format!(
            "the cutover would not be exact (first difference near {first:?})"
        ))
    }
}

/// What stage one of [`migrate`](crate::aws::migrate) would do, worked out offline: per rules
/// job, the switch instant if it ran at `now`, the runs on either side, and
/// the proof that rules before and the schedule after fire exactly as the
/// job does. Nothing is read from or written to AWS; each [`Switch`]'s
/// outcome says which rules would be disabled.
///
/// ```
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
/// # "#;
/// let manifest = cronport::manifest::Manifest::from_toml(text, "cronport.toml")?;
/// let now = "2026-11-24T10:09:30Z".parse()?;
/// let switches = cronport::migration::preview_migration(&manifest, now)?;
/// assert_eq!(switches.len(), 2);
/// // Every 10 minutes: the next run (10:10) is too close, so the switch waits for it.
/// let fan_out = &switches[1];
/// assert_eq!(fan_out.at.to_string(), "2026-11-24T10:10:01Z");
/// assert_eq!(fan_out.last_rule_run.unwrap().to_string(), "2026-11-24T10:10:00Z");
/// assert_eq!(fan_out.first_schedule_run.unwrap().to_string(), "2026-11-24T10:20:00Z");
/// assert_eq!(fan_out.outcome.to_string(), "would create 1 schedule and disable rule cronport-fan-out");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn preview_migration(manifest: &Manifest, now: Timestamp) -> Result<Vec<Switch>, PlanError> {
    let pairs = rules_and_schedules(manifest, now)?;
    pairs
        .iter()
        .map(|(rules, schedule, window)| {
            let mut switch = planned_switch(rules, schedule, now, *window)?;
            switch.done(SwitchOutcome::Preview {
                schedules: schedule.resources.len(),
                rules: rules.resources.iter().map(|r| r.name.clone()).collect(),
            });
            Ok(switch)
        })
        .collect()
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The verified window of a compiled manifest.
type Window = (Timestamp, Timestamp);

/// Each rules job compiled twice, as it is (rules) and on the Scheduler
/// backend, with the verified window.
/// The manifest compiled as it is and with every job on Scheduler, job for
/// job: each job's rules beside its schedule.
pub(crate) fn both_backends(
    manifest: &Manifest,
    now: Timestamp,
) -> Result<(crate::desired::Desired, crate::desired::Desired), PlanError> {
    let options = CompileOptions::starting(now);
    let problem = |e: crate::desired::CompileError| PlanError {
        problems: (e.problems.into_iter())
            .map(|p| PlanProblem::new(PlanProblemKind::Manifest, p.to_string()))
            .collect(),
    };
    let rules = compile(manifest, &options).map_err(problem)?;
    let scheduled = compile(&on_scheduler(manifest), &options).map_err(problem)?;
    Ok((rules, scheduled))
}

pub(crate) fn rules_and_schedules(
    manifest: &Manifest,
    now: Timestamp,
) -> Result<Vec<(DesiredJob, DesiredJob, Window)>, PlanError> {
    let (rules, scheduled) = both_backends(manifest, now)?;
    let window = (rules.from, rules.until);
    Ok(rules
        .jobs
        .into_iter()
        .zip(scheduled.jobs)
        .filter(|(rj, _)| rj.job.target.backend == Backend::Rules)
        .map(|(rj, sj)| (rj, sj, window))
        .collect())
}

/// A job's switch as planned at `now`: its instant, the runs either side,
/// and the proof. The outcome is left empty for the caller.
pub(crate) fn planned_switch(
    rules: &DesiredJob,
    schedule: &DesiredJob,
    now: Timestamp,
    (from, until): Window,
) -> Result<Switch, PlanError> {
    let at = switch_instant(rules, now);
    let proved = prove(rules, schedule, at, from, until).map_err(|e| {
        PlanError::new(
            PlanProblemKind::Migration,
            format!("job {}: {e}", rules.job.name),
        )
    })?;
    Ok(Switch {
        job: rules.job.name.clone(),
        at,
        last_rule_run: rules.job.schedule.fires_between(from, at).last(),
        first_schedule_run: schedule.job.schedule.fires_after(at).next(),
        proved_over: proved,
        outcome: SwitchOutcome::Planned,
        failed: false,
    })
}
