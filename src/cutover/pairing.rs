//! Which Heroku job each manifest job replaces: by the id the import
//! recorded (`source_id`), else by command *and* schedule. Text alone is
//! not identity: `rake a` daily and `rake a` every 10 minutes are two jobs.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Serialize;

use super::{Cutover, CutoverJob, HerokuJob};
use crate::translate::{Duplicates, verify};

/// How the app's Heroku jobs meet the manifest's: the decision, as data,
/// for the front end to show and the cutover to act on.
///
/// ```
/// use cronport::cutover::{HerokuJob, Decisions, cutover, pair};
/// let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// let plan = cutover(&m, "2026-12-01T03:05:00Z".parse()?, "2026-11-27T00:00:00Z".parse()?)?;
/// let heroku = [
///     HerokuJob { id: "1".into(), command: "bundle exec rake reports:daily".into(), schedule: Some("every day at 14:30".into()) },
///     HerokuJob { id: "2".into(), command: "bundle exec rake reports:daily".into(), schedule: Some("every 10 minutes".into()) },
/// ];
/// let pairing = pair(&heroku, &plan, &Decisions::default());
/// assert_eq!((pairing.pairs[0].heroku.id.as_str(), pairing.pairs[0].job.as_str()), ("1", "reports"));
/// // Same command, another schedule: not the manifest's job, and an error until named.
/// assert_eq!(pairing.unpaired[0].heroku.id, "2");
/// assert!(pairing.unpaired[0].decision.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pairing {
    /// Heroku jobs an enabled manifest job replaces: deleted in their
    /// windows.
    pub pairs: Vec<Pair>,
    /// Heroku jobs no enabled manifest job replaces.
    pub unpaired: Vec<Unpaired>,
    /// Enabled manifest jobs that replace no Heroku job (new on AWS).
    pub new_on_aws: Vec<String>,
}

impl Pairing {
    /// Heroku jobs that pair with nothing and were not named on the command
    /// line: the cutover refuses to start while there are any.
    ///
    /// ```
    /// assert!(cronport::cutover::Pairing::default().undecided().next().is_none());
    /// ```
    pub fn undecided(&self) -> impl Iterator<Item = &Unpaired> {
        self.unpaired.iter().filter(|u| u.decision.is_none())
    }
}

/// A Heroku job and the manifest job that replaces it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// The Heroku job.
    pub heroku: HerokuJob,
    /// The manifest job's name.
    pub job: String,
    /// How they were paired.
    pub by: PairedBy,
    /// The manifest's command, when it differs from Heroku's (paired by id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_now: Option<String>,
    /// Whether the manifest's schedule runs at other instants than
    /// Heroku's from the cutover on (paired by id).
    pub schedule_changed: bool,
    /// Whether the job was named with `--keep-on-heroku`: it keeps running
    /// on Heroku beside AWS.
    pub kept: bool,
}

/// How a pair was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PairedBy {
    /// The manifest job's `source_id` is the Heroku job's id.
    Id,
    /// The same command, and the same runs from the cutover on.
    CommandAndSchedule,
}

/// A Heroku job no enabled manifest job replaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unpaired {
    /// The Heroku job.
    pub heroku: HerokuJob,
    /// Why it pairs with nothing.
    pub why: Unmatched,
    /// What the command line said to do with it, if anything.
    pub decision: Option<Decision>,
}

/// Why a Heroku job pairs with nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Unmatched {
    /// No manifest job has its id, or its command and schedule.
    NoJob,
    /// It pairs with a manifest job that is disabled (`enabled = false`).
    Disabled {
        /// The manifest job.
        job: String,
    },
    /// Its id cannot go into a request path; it cannot be deleted by
    /// cronport.
    UnsafeId,
    /// Heroku's listing gives it no schedule; its safe window is unknown.
    NoSchedule,
}

/// What to do with a Heroku job that pairs with nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Leave it running on Heroku (`--keep-on-heroku`).
    Keep,
    /// Delete it in its own window (`--delete-on-heroku`).
    Delete,
}

/// The Heroku job ids named on the command line.
///
/// ```
/// let d = cronport::cutover::Decisions { keep: ["7".to_string()].into(), ..Default::default() };
/// assert!(d.keep.contains("7"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decisions {
    /// Left running on Heroku.
    pub keep: BTreeSet<String>,
    /// Deleted though no manifest job replaces them.
    pub delete: BTreeSet<String>,
}

/// Pairs the app's Heroku jobs with the cutover's manifest jobs: first by
/// the `source_id` the import recorded, then, for the rest, by the same
/// command and the same runs from the instant to the end of the proof
/// window (proved with the schedule equivalence check). A manifest job
/// pairs with at most one Heroku job.
pub fn pair(heroku: &[HerokuJob], plan: &Cutover, decisions: &Decisions) -> Pairing {
    let mut taken = vec![false; plan.jobs.len()];
    let mut found: Vec<Option<(usize, PairedBy)>> = vec![None; heroku.len()];
    // By id first, so a job whose command changed keeps its Heroku twin.
    for (h, job) in heroku.iter().enumerate() {
        if job.id.is_empty() {
            continue;
        }
        if let Some(j) = (0..plan.jobs.len())
            .find(|&j| !taken[j] && plan.jobs[j].source_id.as_deref() == Some(job.id.as_str()))
        {
            taken[j] = true;
            found[h] = Some((j, PairedBy::Id));
        }
    }
    // Then by command and schedule, enabled jobs before disabled ones.
    for (h, job) in heroku.iter().enumerate() {
        if found[h].is_some() {
            continue;
        }
        let same = |j: usize| {
            !taken[j]
                && plan.jobs[j].command.trim() == job.command
                && same_runs(job, &plan.jobs[j], plan.at, plan.until)
        };
        let candidates: Vec<usize> = (0..plan.jobs.len()).filter(|&j| same(j)).collect();
        if let Some(&j) = candidates
            .iter()
            .find(|&&j| plan.jobs[j].enabled)
            .or(candidates.first())
        {
            taken[j] = true;
            found[h] = Some((j, PairedBy::CommandAndSchedule));
        }
    }
    let mut pairing = Pairing::default();
    for (job, found) in heroku.iter().zip(found) {
        let unmatched = match found {
            _ if !job.has_safe_id() => Some(Unmatched::UnsafeId),
            _ if job.schedule().is_none() => Some(Unmatched::NoSchedule),
            None => Some(Unmatched::NoJob),
            Some((j, _)) if !plan.jobs[j].enabled => Some(Unmatched::Disabled {
                job: plan.jobs[j].job.clone(),
            }),
            Some(_) => None,
        };
        let decision = if decisions.keep.contains(&job.id) {
            Some(Decision::Keep)
        } else if decisions.delete.contains(&job.id) {
            Some(Decision::Delete)
        } else {
            None
        };
        match (unmatched, found) {
            (None, Some((j, by))) => {
                let manifest = &plan.jobs[j];
                pairing.pairs.push(Pair {
                    heroku: job.clone(),
                    job: manifest.job.clone(),
                    by,
                    command_now: (manifest.command.trim() != job.command)
                        .then(|| manifest.command.clone()),
                    schedule_changed: !same_runs(job, manifest, plan.at, plan.until),
                    kept: decision == Some(Decision::Keep),
                });
            }
            (why, _) => pairing.unpaired.push(Unpaired {
                heroku: job.clone(),
                why: why.unwrap_or(Unmatched::NoJob),
                // A job cronport cannot delete safely can only be kept.
                decision: decision.filter(|d| {
                    *d == Decision::Keep || job.has_safe_id() && job.schedule().is_some()
                }),
            }),
        }
    }
    let paired: BTreeSet<&str> = pairing.pairs.iter().map(|p| p.job.as_str()).collect();
    pairing.new_on_aws = plan
        .jobs
        .iter()
        .filter(|j| j.enabled && !paired.contains(j.job.as_str()))
        .map(|j| j.job.clone())
        .collect();
    pairing
}

/// Whether Heroku's schedule and the manifest job's run at the same
/// instants from `from` to `until`.
fn same_runs(heroku: &HerokuJob, job: &CutoverJob, from: Timestamp, until: Timestamp) -> bool {
    heroku.schedule().is_some_and(|theirs| {
        verify(
            &theirs,
            std::slice::from_ref(&job.schedule),
            from,
            until,
            Duplicates::Reject,
        )
        .is_ok()
    })
}
