//! Semantic diff of two manifests: what a change to `cronport.toml` really
//! changes.
//!
//! Jobs are matched by name; a job that disappears while another with the
//! same command and the same run times appears is a rename. A schedule that
//! is spelled differently but fires at the same instants (`*/10` and
//! `0/10`, `1-5` and `MON-FRI`, a Heroku phrase and its cron, the same time
//! written in another zone) is "no effective change", proved by the
//! equivalence check over the window. Everything else about a job is
//! compared field by field after defaults are merged, so a change in
//! `[defaults]` shows on every job it reaches.

mod output;

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::manifest::{Manifest, Problem, ResolvedJob};
use crate::plan::{FieldChange, differences};
use crate::schedule::Schedule;
use crate::translate::{Duplicates, verify};

pub use output::{markdown, text};

/// The window runs are compared and counted in.
///
/// ```
/// use cronport::{diff::{diff, DiffOptions}, manifest::Manifest};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = Manifest::from_toml(text, "m")?;
/// // Count runs over one week instead of a year.
/// let week = DiffOptions { from: "2026-11-23T00:00:00Z".parse()?, until: "2026-11-30T00:00:00Z".parse()? };
/// let report = diff(&m, &m, &week)?;
/// assert_eq!(report.window, ("2026-11-23T00:00:00Z".to_string(), "2026-11-30T00:00:00Z".to_string()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DiffOptions {
    /// Start of the window.
    pub from: Timestamp,
    /// End of the window (exclusive); a year after `from` gives runs per
    /// year.
    pub until: Timestamp,
}

impl DiffOptions {
    /// A year (365 days) from `from`: every weekday and DST change of a
    /// year is in it, and run counts are runs per year.
    ///
    /// ```
    /// let o = cronport::diff::DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?);
    /// assert_eq!(o.until.to_string(), "2027-11-24T00:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn year_from(from: Timestamp) -> DiffOptions {
        DiffOptions {
            from,
            until: from + SignedDuration::from_hours(24 * 365),
        }
    }
}

/// A schedule as a reviewer needs to see it.
///
/// ```
/// use cronport::diff::{diff, DiffOptions, JobChange};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let mut head = base.clone();
/// head.jobs[1].schedule = "every hour at :00".into(); // was every 10 minutes
/// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// let JobChange::Changed { schedule: Some(change), .. } = &report.jobs[1] else { panic!() };
/// assert_eq!((change.before.runs_per_year, change.after.runs_per_year), (52_560, 8_760));
/// assert_eq!(change.after.description, "Every hour at :00, UTC");
/// assert_eq!(change.after.next[0].utc, "2026-11-24T01:00:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleView {
    /// As written in the manifest.
    pub expression: String,
    /// Its zone.
    pub timezone: String,
    /// In English.
    pub description: String,
    /// Runs in the window.
    pub runs_per_year: u64,
    /// The next three runs, in UTC and in the job's zone.
    pub next: Vec<RunTime>,
}

/// One run, in UTC and in the job's zone.
///
/// ```
/// use cronport::diff::{diff, DiffOptions, JobChange};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let mut head = base.clone();
/// head.jobs[0].schedule = "30 9 * * *".into();
/// head.jobs[0].settings.timezone = Some("America/New_York".into());
/// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// let JobChange::Changed { schedule: Some(change), .. } = &report.jobs[0] else { panic!() };
/// let first = &change.after.next[0];
/// assert_eq!((first.utc.as_str(), first.local.as_str()), ("2026-11-24T14:30:00Z", "2026-11-24T09:30:00-05:00"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunTime {
    /// RFC 3339 in UTC.
    pub utc: String,
    /// RFC 3339 with the zone's offset.
    pub local: String,
}

/// How a schedule changed.
///
/// ```
/// use cronport::diff::{diff, DiffOptions, JobChange};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let mut head = base.clone();
/// head.jobs[1].schedule = "cron(0/10 * * * ? *)".into(); // "every 10 minutes", respelled
/// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// let JobChange::Changed { schedule: Some(change), .. } = &report.jobs[1] else { panic!() };
/// assert!(!change.effective);
/// assert_eq!(change.proved_over, Some(52_560));
/// assert_eq!(report.summary.respelled, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleChange {
    /// Whether any run moves, appears or disappears.
    pub effective: bool,
    /// Before.
    pub before: ScheduleView,
    /// After.
    pub after: ScheduleView,
    /// For a respelling: the runs compared to prove it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proved_over: Option<u64>,
    /// For an effective change: the first run that differs (RFC 3339 UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_difference: Option<String>,
}

/// What happened to one job.
///
/// ```
/// use cronport::diff::{diff, DiffOptions, JobChange};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let mut head = base.clone();
/// head.jobs[0].name = "daily-reports".into(); // same command, same runs
/// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(matches!(&report.jobs[0], JobChange::Renamed { from, to, .. } if from == "reports" && to == "daily-reports"));
/// assert_eq!(report.summary.renamed, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum JobChange {
    /// Only in head.
    Added {
        /// Name.
        name: String,
        /// Its schedule.
        schedule: ScheduleView,
        /// Its command.
        command: String,
    },
    /// Only in base.
    Removed {
        /// Name.
        name: String,
        /// Its schedule.
        schedule: ScheduleView,
        /// Its command.
        command: String,
    },
    /// Same command and runs, new name; maybe other changes too.
    Renamed {
        /// Old name.
        from: String,
        /// New name.
        to: String,
        /// Other fields that changed.
        fields: Vec<FieldChange>,
        /// A respelled schedule, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        schedule: Option<ScheduleChange>,
    },
    /// Something changed.
    Changed {
        /// Name.
        name: String,
        /// The schedule, when it changed (effective or not).
        #[serde(skip_serializing_if = "Option::is_none")]
        schedule: Option<ScheduleChange>,
        /// Other fields, after defaults are merged.
        fields: Vec<FieldChange>,
    },
    /// Nothing changed.
    Unchanged {
        /// Name.
        name: String,
    },
}

impl JobChange {
    /// Whether the change alters what runs, when, or how.
    ///
    /// ```
    /// use cronport::diff::JobChange;
    /// assert!(!JobChange::Unchanged { name: "a".into() }.is_effective());
    /// assert!(JobChange::Removed { name: "a".into(), schedule: daily_view(), command: "rake a".into() }.is_effective());
    /// # fn daily_view() -> cronport::diff::ScheduleView {
    /// #     cronport::diff::ScheduleView { expression: "@daily".into(), timezone: "UTC".into(), description: String::new(), runs_per_year: 365, next: vec![] }
    /// # }
    /// ```
    pub fn is_effective(&self) -> bool {
        match self {
            JobChange::Added { .. } | JobChange::Removed { .. } | JobChange::Renamed { .. } => true,
            // `rehearse` changes what `run --all` does, not what AWS runs.
            JobChange::Changed {
                schedule, fields, ..
            } => {
                fields.iter().any(|f| f.field != "rehearse")
                    || schedule.as_ref().is_some_and(|s| s.effective)
            }
            JobChange::Unchanged { .. } => false,
        }
    }

    /// Whether the change moves runs: a job added or removed, a schedule
    /// that fires at other instants, a job enabled or disabled. A rename
    /// or a new command keeps every instant.
    ///
    /// ```
    /// use cronport::diff::JobChange;
    /// let renamed = JobChange::Renamed { from: "old".into(), to: "new".into(), fields: vec![], schedule: None };
    /// assert!(renamed.is_effective() && !renamed.moves_runs());
    /// ```
    pub fn moves_runs(&self) -> bool {
        match self {
            JobChange::Added { .. } | JobChange::Removed { .. } => true,
            JobChange::Renamed { fields, .. } => fields.iter().any(|f| f.field == "enabled"),
            JobChange::Changed {
                schedule, fields, ..
            } => {
                schedule.as_ref().is_some_and(|s| s.effective)
                    || fields.iter().any(|f| f.field == "enabled")
            }
            JobChange::Unchanged { .. } => false,
        }
    }

    /// The job's name (the new one for renames).
    ///
    /// ```
    /// use cronport::diff::JobChange;
    /// let renamed = JobChange::Renamed { from: "old".into(), to: "new".into(), fields: vec![], schedule: None };
    /// assert_eq!(renamed.name(), "new");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            JobChange::Added { name, .. }
            | JobChange::Removed { name, .. }
            | JobChange::Changed { name, .. }
            | JobChange::Unchanged { name } => name,
            JobChange::Renamed { to, .. } => to,
        }
    }
}

/// Counts of a diff.
///
/// ```
/// use cronport::diff::{diff, DiffOptions, DiffSummary};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let mut head = base.clone();
/// head.jobs.remove(0);
/// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// assert_eq!(report.summary, DiffSummary { removed: 1, unchanged: 1, ..DiffSummary::default() });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    /// Added jobs.
    pub added: usize,
    /// Removed jobs.
    pub removed: usize,
    /// Renamed jobs.
    pub renamed: usize,
    /// Jobs with an effective change.
    pub changed: usize,
    /// Jobs whose only change is a respelled schedule.
    pub respelled: usize,
    /// Untouched jobs.
    pub unchanged: usize,
}

/// A whole diff.
///
/// ```
/// use cronport::{diff::{diff, DiffOptions, JobChange}, manifest::Manifest};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let base = Manifest::from_toml(text, "base")?;
/// let mut head = base.clone();
/// head.jobs[0].schedule = "every day at 15:00".into();
/// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// assert_eq!(report.summary.changed, 1);
/// let JobChange::Changed { schedule: Some(s), .. } = &report.jobs[0] else { panic!() };
/// assert!(s.effective);
/// assert_eq!((s.before.runs_per_year, s.after.runs_per_year), (365, 365));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Per job, base order first, then jobs new in head.
    pub jobs: Vec<JobChange>,
    /// The counts.
    pub summary: DiffSummary,
    /// The window (RFC 3339).
    pub window: (String, String),
}

impl Report {
    /// The report of `jobs` over the window of `options`, counted.
    pub(crate) fn new(jobs: Vec<JobChange>, options: &DiffOptions) -> Report {
        let mut summary = DiffSummary::default();
        for job in &jobs {
            match job {
                JobChange::Added { .. } => summary.added += 1,
                JobChange::Removed { .. } => summary.removed += 1,
                JobChange::Renamed { .. } => summary.renamed += 1,
                JobChange::Changed { .. } if job.is_effective() => summary.changed += 1,
                JobChange::Changed { .. } => summary.respelled += 1,
                JobChange::Unchanged { .. } => summary.unchanged += 1,
            }
        }
        Report {
            jobs,
            summary,
            window: (options.from.to_string(), options.until.to_string()),
        }
    }

    /// Whether anything effective changed.
    ///
    /// ```
    /// use cronport::diff::{diff, DiffOptions};
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// let mut head = base.clone();
    /// head.jobs[0].schedule = "30 14 * * *".into(); // "every day at 14:30" in Unix cron
    /// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
    /// assert!(!report.has_effective_changes()); // `cronport diff --detailed-exitcode` exits 0
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has_effective_changes(&self) -> bool {
        self.jobs.iter().any(JobChange::is_effective)
    }
}

/// Why a diff could not be made: a side does not resolve.
///
/// ```
/// use cronport::diff::{diff, DiffOptions};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let mut head = base.clone();
/// head.jobs[1].size = Some("standard-3x".into());
/// let err = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?)).unwrap_err();
/// assert_eq!(err.side, "head");
/// assert!(err.to_string().starts_with("the head manifest is not valid: "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the {side} manifest is not valid: {}", .problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join("; "))]
pub struct DiffError {
    /// `base` or `head`.
    pub side: &'static str,
    /// Its problems.
    pub problems: Vec<Problem>,
}

/// The fields of a job other than its name and schedule, as compared.
/// The command is compared as the argv the task runs (and its
/// environment), so a respelling that runs the same words is no change.
#[derive(Serialize)]
struct Target<'a> {
    command: Vec<String>,
    /// Why `run --all` skips it, if it does (the manifest's `rehearse`).
    rehearse: Option<&'a str>,
    runs: String,
    size: Option<String>,
    environment: &'a BTreeMap<String, String>,
    enabled: bool,
    /// The topic told when a run fails.
    notify: Option<&'a str>,
    #[serde(flatten)]
    ecs: &'a crate::manifest::EcsTarget,
}

fn target(job: &ResolvedJob) -> Target<'_> {
    Target {
        command: job.command.container_command(),
        rehearse: job.skip_rehearsal.as_deref(),
        runs: job.how_it_runs(),
        size: job.size.map(|s| s.to_string()),
        environment: &job.environment,
        enabled: job.enabled,
        notify: job.notify.as_deref(),
        ecs: &job.target,
    }
}

/// The fields other than name and schedule in which two jobs differ.
fn target_differences(base: &ResolvedJob, head: &ResolvedJob) -> Vec<FieldChange> {
    differences(&target(base), &target(head))
        // Strings, numbers, booleans and maps with string keys: JSON holds
        // every value of `Target`, so this cannot fail.
        .expect("a job's target serialises as JSON")
}

fn original_command(job: &ResolvedJob) -> &str {
    job.command_text.as_str()
}

pub(crate) fn view(job: &ResolvedJob, options: &DiffOptions) -> ScheduleView {
    let schedule = &job.schedule;
    let zone = schedule.time_zone().clone();
    let runs_per_year = crate::translate::count_runs(schedule, options.from, options.until);
    let next = schedule
        .fires_after(options.from)
        .take(3)
        .map(|t| RunTime {
            utc: t.to_string(),
            local: t.display_with_offset(zone.to_offset(t)).to_string(),
        })
        .collect();
    ScheduleView {
        expression: job.expression.clone(),
        timezone: schedule.time_zone_name(),
        description: schedule.describe(),
        runs_per_year,
        next,
    }
}

/// `None` when the schedules are the same text in the same zone.
fn compare_schedules(
    base: &ResolvedJob,
    head: &ResolvedJob,
    options: &DiffOptions,
) -> Option<ScheduleChange> {
    let same_text = base.expression == head.expression
        && base.schedule.time_zone_name() == head.schedule.time_zone_name();
    if same_text {
        return None;
    }
    let (before, after) = (view(base, options), view(head, options));
    Some(match same_runs(&base.schedule, &head.schedule, options) {
        Ok(firings) => ScheduleChange {
            effective: false,
            before,
            after,
            proved_over: Some(firings),
            first_difference: None,
        },
        Err(first) => ScheduleChange {
            effective: true,
            before,
            after,
            proved_over: None,
            first_difference: Some(first),
        },
    })
}

/// The runs compared if both fire alike in the window; otherwise the first
/// instant that differs.
fn same_runs(a: &Schedule, b: &Schedule, options: &DiffOptions) -> Result<u64, String> {
    // Rates count from the window's start on both sides.
    let a = a.clone().with_start(a.start().unwrap_or(options.from));
    let b = b.clone().with_start(b.start().unwrap_or(options.from));
    verify(
        &a,
        std::slice::from_ref(&b),
        options.from,
        options.until,
        Duplicates::Reject,
    )
    .map(|proof| proof.firings)
    .map_err(|c| c.instant.to_string())
}

/// Compares `base` with `head`.
///
/// ```
/// use cronport::{diff::{diff, DiffOptions}, manifest::Manifest};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let base = Manifest::from_toml(text, "base")?;
/// let head = Manifest::from_toml(&text.replace("every day at 14:30", "30 14 * * *"), "head")?;
/// let report = diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// assert_eq!(report.summary.respelled, 1); // same runs, new spelling
/// assert!(!report.has_effective_changes());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff(base: &Manifest, head: &Manifest, options: &DiffOptions) -> Result<Report, DiffError> {
    let base_jobs = base.resolve().map_err(|problems| DiffError {
        side: "base",
        problems,
    })?;
    let head_jobs = head.resolve().map_err(|problems| DiffError {
        side: "head",
        problems,
    })?;
    let head_by_name: BTreeMap<&str, &ResolvedJob> =
        head_jobs.iter().map(|j| (j.name.as_str(), j)).collect();
    let base_names: std::collections::BTreeSet<&str> =
        base_jobs.iter().map(|j| j.name.as_str()).collect();
    let mut added: Vec<&ResolvedJob> = head_jobs
        .iter()
        .filter(|j| !base_names.contains(j.name.as_str()))
        .collect();
    let mut jobs = Vec::new();
    for b in &base_jobs {
        if let Some(h) = head_by_name.get(b.name.as_str()) {
            let schedule = compare_schedules(b, h, options);
            let fields = target_differences(b, h);
            jobs.push(if schedule.is_none() && fields.is_empty() {
                JobChange::Unchanged {
                    name: b.name.clone(),
                }
            } else {
                JobChange::Changed {
                    name: b.name.clone(),
                    schedule,
                    fields,
                }
            });
            continue;
        }
        // A rename: a new job that names this one `formerly`, or one
        // that runs the same argv at the same instants.
        let renamed = added
            .iter()
            .position(|h| h.formerly.contains(&b.name))
            .or_else(|| {
                added.iter().position(|h| {
                    h.command.container_command() == b.command.container_command()
                        && same_runs(&b.schedule, &h.schedule, options).is_ok()
                })
            });
        match renamed {
            Some(i) => {
                let h = added.remove(i);
                let mut fields = target_differences(b, h);
                fields.retain(|f| f.field != "command");
                jobs.push(JobChange::Renamed {
                    from: b.name.clone(),
                    to: h.name.clone(),
                    fields,
                    schedule: compare_schedules(b, h, options),
                });
            }
            None => jobs.push(JobChange::Removed {
                name: b.name.clone(),
                schedule: view(b, options),
                command: original_command(b).to_string(),
            }),
        }
    }
    for h in added {
        jobs.push(JobChange::Added {
            name: h.name.clone(),
            schedule: view(h, options),
            command: original_command(h).to_string(),
        });
    }
    Ok(Report::new(jobs, options))
}
