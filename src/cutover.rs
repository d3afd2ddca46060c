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

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

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
    /// let job = CutoverJob { job: "a".into(), backend: cronport::Backend::Rules, enabled: true, rules: vec!["cronport-a".into()], start_at: None, last_before: None, first_after: None, on_the_instant: false, proved_over: 0 };
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
/// let job = cronport::cutover::CutoverJob { job: "daily".into(), backend: cronport::Backend::Scheduler, enabled: true, rules: vec![], start_at: None, last_before: None, first_after: None, on_the_instant: false, proved_over: 0 };
/// assert_eq!(job.job, "daily");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CutoverJob {
    /// The job's name.
    pub job: String,
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
/// let text = "[defaults]\ncluster = \"c\"\ntask_definition = \"t\"\ncontainer = \"w\"\nrole_arn = \"arn:aws:iam::123456789012:role/r\"\nsubnets = [\"subnet-1\"]\n[[job]]\nname = \"hourly\"\nschedule = \"every hour at :00\"\ncommand = \"x\"\n";
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
        let rate = match source.pattern() {
            crate::schedule::Pattern::Rate(rate) => Some(rate.seconds()),
            _ => None,
        };
        let mut cut = CutoverJob {
            job: job.job.name.clone(),
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
        // rate has no clock phase of its own: it runs at its StartDate
        // (as AWS runs one without a StartDate at creation) and every
        // interval after.
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
fn last_before(schedule: &crate::schedule::Schedule, at: Timestamp) -> Option<Timestamp> {
    [1, 31, 366, 8 * 366].into_iter().find_map(|days| {
        let from = at.checked_sub(SignedDuration::from_hours(24 * days)).ok()?;
        schedule.fires_between(from, at).last()
    })
}

fn show(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "never (in the window)".to_string(), |t| t.to_string())
}

/// A Heroku Scheduler job as the Scheduler API lists it.
///
/// ```
/// let job = cronport::cutover::HerokuJob { id: "8d3a".into(), command: "rake push".into() };
/// assert_eq!(job.id, "8d3a");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HerokuJob {
    /// The Scheduler's job id.
    pub id: String,
    /// The command it runs.
    pub command: String,
}

impl HerokuJob {
    /// The jobs of a Scheduler API job list (`{"data": [{"id", "attributes":
    /// {"command"}}]}`); an entry without an id has an empty one (it cannot
    /// be deleted, so it is left running and said so).
    ///
    /// ```
    /// let listed = serde_json::json!({"data": [{"id": "1", "attributes": {"command": " rake a "}}]});
    /// let jobs = cronport::cutover::HerokuJob::from_list(&listed);
    /// assert_eq!(jobs[0].command, "rake a");
    /// ```
    pub fn from_list(listed: &serde_json::Value) -> Vec<HerokuJob> {
        listed["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|job| HerokuJob {
                id: job["id"].as_str().unwrap_or_default().to_string(),
                command: job["attributes"]["command"]
                    .as_str()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            })
            .collect()
    }
}

/// Which Heroku jobs a cutover deletes at its instant, and which it leaves
/// running: the decision, as data, for the front end to show and act on.
///
/// ```
/// use cronport::cutover::{HerokuJob, pair_heroku_jobs};
/// let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// let heroku = [
///     HerokuJob { id: "1".into(), command: "bundle exec rake reports:daily".into() },
///     HerokuJob { id: "2".into(), command: "rake cleanup".into() },
/// ];
/// let pairing = pair_heroku_jobs(&heroku, &m);
/// assert_eq!(pairing.delete, [("1".to_string(), "reports".to_string())]);
/// assert_eq!(pairing.left_running[0].id, "2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HerokuPairing {
    /// (Heroku job id, manifest job name) to delete at the instant.
    pub delete: Vec<(String, String)>,
    /// Heroku jobs no manifest job runs: left running on Heroku.
    pub left_running: Vec<HerokuJob>,
}

/// Pairs the app's Heroku jobs with the manifest's by command.
///
/// ```
/// use cronport::cutover::{HerokuJob, pair_heroku_jobs};
/// let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// let no_id = [HerokuJob { id: String::new(), command: "bundle exec rake push:fan_out".into() }];
/// // A job without an id cannot be deleted: it is left running, and said.
/// assert_eq!(pair_heroku_jobs(&no_id, &m).left_running.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pair_heroku_jobs(heroku: &[HerokuJob], manifest: &Manifest) -> HerokuPairing {
    let mut pairing = HerokuPairing::default();
    for job in heroku {
        match manifest
            .jobs
            .iter()
            .find(|j| j.command.trim() == job.command)
        {
            Some(j) if !job.id.is_empty() => pairing.delete.push((job.id.clone(), j.name.clone())),
            _ => pairing.left_running.push(job.clone()),
        }
    }
    pairing
}
