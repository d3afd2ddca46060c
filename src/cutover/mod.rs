//! Migration day: one instant at which the old platform (Heroku Scheduler,
//! Cron To Go, crontab) stops and AWS starts, proved to lose no run and
//! double none.
//!
//! Before the instant the old platform runs each job's schedule as written
//! (the source rule); from the instant AWS runs the translated expressions
//! (Scheduler's `StartDate` is the instant; rules are enabled then). The
//! translation is verified from the instant to the end of the window, so
//! the two halves together are the source schedule, run for run. For each
//! job the cutover also names the last run before the instant and the first
//! after it, computed from the AWS expressions as EventBridge reads them,
//! and checks the first is the source's own.
//!
//! ```
//! use cronport::{cutover::cutover, manifest::Manifest};
//! let text = r#"
//! [defaults]
//! cluster = "production"
//! task_definition = "app-worker"
//! container = "worker"
//! role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
//! subnets = ["subnet-0a1b2c3d"]
//! [[job]]
//! name = "fan-out"
//! schedule = "every 10 minutes"
//! command = "rake push:fan_out"
//! "#;
//! let m = Manifest::from_toml(text, "cronport.toml")?;
//! let now = "2026-11-27T09:00:00Z".parse()?;
//! let plan = cutover(&m, "2026-12-01T03:05:00Z".parse()?, now)?;
//! let job = &plan.jobs[0];
//! assert_eq!(job.last_before.unwrap().to_string(), "2026-12-01T03:00:00Z"); // the old platform's last run
//! assert_eq!(job.first_after.unwrap().to_string(), "2026-12-01T03:10:00Z"); // AWS's first
//! assert!(!job.on_the_instant);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod heroku;
mod journal;
mod pairing;
mod steps;
mod window;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

pub use heroku::HerokuJob;
pub use journal::{Journal, JournalEntry, JournalError};
pub use pairing::{Decision, Decisions, Pair, PairedBy, Pairing, Unmatched, Unpaired, pair};
pub use steps::{Action, Answer, Clock, Event, Outcome, Platform, Step, StepResult, carry_out};
pub use window::{Window, runs_between};

use crate::desired::{CompileError, CompileOptions, compile};
use crate::manifest::{Manifest, Problem, ProblemKind};
use crate::translate::Backend;

/// The cutover of a manifest's jobs at one instant.
///
/// ```
/// let plan = cronport::cutover::Cutover { at: "2026-12-01T03:00:00Z".parse()?, until: "2028-01-01T00:00:00Z".parse()?, jobs: vec![] };
/// assert!(plan.rules().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cutover {
    /// The instant.
    pub at: Timestamp,
    /// The end of the window the proof covers.
    pub until: Timestamp,
    /// Each job, in manifest order.
    pub jobs: Vec<CutoverJob>,
}

impl Cutover {
    /// The rules to enable at the instant: the rules-backend jobs' names.
    ///
    /// ```
    /// use cronport::cutover::{Cutover, CutoverJob};
    /// let job = CutoverJob { job: "a".into(), command: "x".into(), source_id: None, schedule: cronport::schedule::Schedule::parse("@daily", "UTC")?, backend: cronport::Backend::Rules, enabled: true, rules: vec!["cronport-a".into()], start_at: None, last_before: None, first_after: None, on_the_instant: false, proved_over: 0 };
    /// let plan = Cutover { at: "2026-12-01T03:00:00Z".parse()?, until: "2028-01-01T00:00:00Z".parse()?, jobs: vec![job] };
    /// assert_eq!(plan.rules(), ["cronport-a"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rules(&self) -> Vec<&str> {
        self.jobs
            .iter()
            .flat_map(|j| j.rules.iter().map(String::as_str))
            .collect()
    }
}

/// One job at the cutover.
///
/// ```
/// let job = cronport::cutover::CutoverJob { job: "daily".into(), command: "x".into(), source_id: None, schedule: cronport::schedule::Schedule::parse("@daily", "UTC")?, backend: cronport::Backend::Scheduler, enabled: true, rules: vec![], start_at: None, last_before: None, first_after: None, on_the_instant: false, proved_over: 0 };
/// assert_eq!(job.job, "daily");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CutoverJob {
    /// The job's name.
    pub job: String,
    /// Its command.
    pub command: String,
    /// Its id on the platform it was imported from (`source_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Its schedule, as the manifest says it (the source rule).
    #[serde(skip)]
    pub schedule: crate::schedule::Schedule,
    /// Where it runs on AWS.
    pub backend: Backend,
    /// Whether the manifest enables it; a disabled job has no runs on
    /// either side and no rules to enable.
    pub enabled: bool,
    /// Its own `start_at` in the manifest, when it has one: a cutover at
    /// another instant overrides it only with `apply --start-at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_at: Option<Timestamp>,
    /// For the rules backend, the rules to enable at the instant: those a
    /// deploy held until it (`apply --start-at`), as compiled now.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// The old platform's last run before the instant (within eight years).
    pub last_before: Option<Timestamp>,
    /// AWS's first run at or after the instant, in the window.
    pub first_after: Option<Timestamp>,
    /// Whether a run falls on the instant itself: AWS makes it, and the
    /// old platform, stopped at the same moment, may start it too.
    pub on_the_instant: bool,
    /// Runs compared from the instant to the end of the window: the AWS
    /// expressions fire exactly when the source does, each once.
    pub proved_over: u64,
}

/// The cutover of `manifest`'s jobs at `at`, compiled as a deploy at `now`
/// with `--start-at at` compiles them (the same expressions and rules), and
/// each proved over the window from `at` to the end of the year after
/// `now`'s.
///
/// ```
/// use cronport::{cutover::cutover, manifest::Manifest};
/// let text = "[defaults]\ncluster = \"c\"\ntask_definition = \"t\"\ncontainer = \"w\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\nsubnets = [\"subnet-0a1b2c3d\"]\n[[job]]\nname = \"hourly\"\nschedule = \"every hour at :00\"\ncommand = \"x\"\n";
/// let m = Manifest::from_toml(text, "m")?;
/// // On a run: AWS makes the 03:00 run; the old platform's last is 02:00.
/// let plan = cutover(&m, "2026-12-01T03:00:00Z".parse()?, "2026-11-27T09:00:00Z".parse()?)?;
/// assert!(plan.jobs[0].on_the_instant);
/// assert_eq!(plan.jobs[0].last_before.unwrap().to_string(), "2026-12-01T02:00:00Z");
/// assert_eq!(plan.jobs[0].first_after.unwrap().to_string(), "2026-12-01T03:00:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cutover(
    manifest: &Manifest,
    at: Timestamp,
    now: Timestamp,
) -> Result<Cutover, CompileError> {
    // What `apply --start-at AT` deploys at `now`: a cutover in the past
    // (looked back on) compiles from the instant itself.
    let options = CompileOptions {
        start_at: Some(at),
        ..CompileOptions::starting(now.min(at))
    };
    let desired = compile(manifest, &options)?;
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    for (i, job) in desired.jobs.iter().enumerate() {
        let enabled = manifest.jobs.get(i).is_none_or(|j| j.enabled);
        let source = &job.job.schedule;
        // A rate that no cron writes stays a rate on AWS, phased by its
        // StartDate; one on the clock is a cron like any other.
        let rate = match source.pattern() {
            crate::schedule::Pattern::Rate(rate) if job.translation.keeps_rate() => {
                Some(rate.seconds())
            }
            _ => None,
        };
        let mut cut = CutoverJob {
            job: job.job.name.clone(),
            command: job.job.command_text.clone(),
            source_id: manifest.jobs.get(i).and_then(|j| j.source_id.clone()),
            schedule: source.clone(),
            backend: job.job.target.backend,
            enabled,
            start_at: job.job.start_at,
            rules: Vec::new(),
            last_before: None,
            first_after: None,
            on_the_instant: false,
            proved_over: 0,
        };
        if !enabled {
            jobs.push(cut);
            continue;
        }
        if cut.backend == Backend::Rules {
            cut.rules = job.resources.iter().map(|r| r.name.clone()).collect();
        }
        // AWS's side, from the expressions as EventBridge reads them. A
        // rate runs at its StartDate and every interval after.
        for resource in &job.resources {
            let first = match (rate, resource.start_date) {
                (Some(_), Some(start)) => Some(start).filter(|s| *s >= at),
                _ => {
                    let zone = jiff::tz::TimeZone::get(&resource.timezone)
                        .unwrap_or(jiff::tz::TimeZone::UTC);
                    crate::syntax::aws::schedule(&resource.expression, zone)
                        .ok()
                        .and_then(|aws| aws.fires_between(at, desired.until).next())
                }
            };
            if let Some(first) = first {
                cut.first_after = Some(cut.first_after.map_or(first, |f| f.min(first)));
            }
        }
        match rate {
            Some(step) => {
                cut.last_before = cut
                    .first_after
                    .and_then(|f| f.checked_sub(SignedDuration::from_secs(step)).ok());
                cut.proved_over = job.translation.verified.firings;
            }
            None => {
                cut.last_before = last_before(source, at);
                let source_first = source.fires_between(at, desired.until).next();
                if cut.first_after != source_first {
                    problems.push(Problem {
                        job: Some(i),
                        key: "schedule",
                        kind: ProblemKind::NotTranslatable,
                        message: format!(
                            "job `{}`: at the cutover AWS would first run at {} but the schedule at {}",
                            job.job.name,
                            show(cut.first_after),
                            show(source_first)
                        ),
                        remedies: Vec::new(),
                    });
                }
                cut.proved_over = crate::translate::count_runs(source, at, desired.until);
            }
        }
        cut.on_the_instant = cut.first_after == Some(at);
        jobs.push(cut);
    }
    if !problems.is_empty() {
        return Err(CompileError { problems });
    }
    Ok(Cutover {
        at,
        until: desired.until,
        jobs,
    })
}

/// The last run of `schedule` before `at`, looking back a day, a month,
/// a year, then eight years (a yearly or leap-day job).
pub(crate) fn last_before(
    schedule: &crate::schedule::Schedule,
    at: Timestamp,
) -> Option<Timestamp> {
    [1, 31, 366, 8 * 366].into_iter().find_map(|days| {
        let from = at.checked_sub(SignedDuration::from_hours(24 * days)).ok()?;
        schedule.fires_between(from, at).last()
    })
}

fn show(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "never (in the window)".to_string(), |t| t.to_string())
}

/// What the AWS side looks like when the cutover starts, as the caller
/// read it.
///
/// ```
/// let aws = cronport::cutover::AwsSide::default();
/// assert!(aws.rules_disabled.is_empty() && aws.not_ready.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwsSide {
    /// Held rules still disabled: enabled at the instant.
    pub rules_disabled: std::collections::BTreeSet<String>,
    /// Jobs whose AWS resources are not as a deploy held until the
    /// instant (why, per job): nothing is done for them, and their Heroku
    /// jobs keep running.
    pub not_ready: std::collections::BTreeMap<String, String>,
}

/// The steps left: enable each held rule still disabled at the instant
/// (by the job's first AWS run), and delete each paired Heroku job (and
/// each named with `--delete-on-heroku`) in its safe window — after its
/// job's rules, for a job on rules. Jobs AWS is not ready for and Heroku
/// jobs kept are left out. What is done is what Heroku and AWS say now (a
/// job Heroku no longer lists, a rule AWS has enabled), never the journal
/// alone: a journal can be stale or another app's.
///
/// ```
/// use cronport::cutover::{AwsSide, HerokuJob, Decisions, cutover, pair, steps};
/// let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// let plan = cutover(&m, "2026-12-01T03:05:00Z".parse()?, "2026-11-27T00:00:00Z".parse()?)?;
/// let heroku = [HerokuJob { id: "1".into(), command: "bundle exec rake reports:daily".into(), schedule: Some("every day at 14:30".into()) }];
/// let pairing = pair(&heroku, &plan, &Decisions::default());
/// let left = steps(&plan, Some(&pairing), &AwsSide::default());
/// // Heroku last ran it at 14:30 the day before: safe to delete from 14:32.
/// assert_eq!(left[0].window.opens.to_string(), "2026-11-30T14:32:00Z");
/// assert_eq!(left[0].window.closes.to_string(), "2026-12-01T14:29:30Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn steps(plan: &Cutover, pairing: Option<&Pairing>, aws: &AwsSide) -> Vec<Step> {
    let mut out = Vec::new();
    for job in plan
        .jobs
        .iter()
        .filter(|j| j.enabled && !aws.not_ready.contains_key(&j.job))
    {
        for rule in job.rules.iter().filter(|r| aws.rules_disabled.contains(*r)) {
            let action = Action::EnableRule {
                name: rule.clone(),
                job: job.job.clone(),
            };
            // By the first AWS run; a run on the instant itself gets a
            // minute (the proof table warns of it).
            let next_run = job.first_after.unwrap_or(plan.at);
            out.push(Step {
                action,
                window: Window {
                    last_run: job.last_before,
                    next_run,
                    opens: plan.at,
                    closes: next_run.max(plan.at + SignedDuration::from_secs(60)),
                },
                after: Vec::new(),
            });
        }
    }
    let Some(pairing) = pairing else {
        return out;
    };
    let deletes = pairing
        .pairs
        .iter()
        .filter(|p| !p.kept)
        .map(|p| (&p.heroku, Some(p.job.as_str())))
        .chain(
            pairing
                .unpaired
                .iter()
                .filter(|u| u.decision == Some(Decision::Delete))
                .map(|u| (&u.heroku, None)),
        );
    for (heroku, job) in deletes {
        let manifest_job = job.and_then(|name| plan.jobs.iter().find(|j| j.job == name));
        if manifest_job.is_some_and(|j| aws.not_ready.contains_key(&j.job)) {
            continue;
        }
        let action = Action::DeleteHerokuJob {
            id: heroku.id.clone(),
            job: job.map(str::to_string),
        };
        let Some(window) = heroku.schedule().and_then(|s| Window::around(&s, plan.at)) else {
            continue;
        };
        // On rules, AWS runs only once cronport enables them at the
        // instant: the Heroku job waits for that, when its window leaves a
        // minute after the instant to do it in.
        let wait_for_rules = window.closes - SignedDuration::from_secs(60) > plan.at;
        out.push(Step {
            action,
            window,
            after: manifest_job
                .filter(|_| wait_for_rules)
                .map(|j| j.rules.clone())
                .unwrap_or_default(),
        });
    }
    out
}

/// The runs both platforms made: Heroku's runs from the instant until its
/// job was deleted that AWS's schedule runs too.
///
/// ```
/// use cronport::{cutover::doubled_runs, schedule::Schedule};
/// let hourly = Schedule::parse("every hour at :00", "UTC")?;
/// let late = doubled_runs(&hourly, &hourly, "2026-12-01T03:05:00Z".parse()?, "2026-12-01T04:30:00Z".parse()?);
/// assert_eq!(late.len(), 1); // 04:00 ran on both
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn doubled_runs(
    heroku: &crate::schedule::Schedule,
    aws: &crate::schedule::Schedule,
    at: Timestamp,
    deleted_at: Timestamp,
) -> Vec<Timestamp> {
    runs_between(heroku, at, deleted_at)
        .into_iter()
        .filter(|t| {
            aws.fires_between(*t, *t + SignedDuration::from_secs(1))
                .next()
                .is_some()
        })
        .collect()
}
