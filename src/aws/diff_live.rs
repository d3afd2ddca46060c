//! The `aws` side of a diff: what is live, read through the plan.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;

use crate::aws::{self, Clients};
use crate::desired::Desired;
use crate::diff::{DiffOptions, JobChange, Report, RunTime, ScheduleChange, ScheduleView, view};
use crate::plan::Change;
use crate::plan::{Action, FieldChange, PlanError};
use crate::schedule::Schedule;
use crate::syntax::aws as aws_syntax;
use crate::translate::{Duplicates, verify};

/// A view of live expressions (several for a job split into rules).
fn live_view(
    expressions: &[(String, String)],
    options: &DiffOptions,
) -> (ScheduleView, Vec<Schedule>) {
    let schedules: Vec<Schedule> = expressions
        .iter()
        .filter_map(|(e, tz)| {
            let zone = TimeZone::get(tz).unwrap_or(TimeZone::UTC);
            Some(aws_syntax::schedule(e, zone).ok()?.with_start(options.from))
        })
        .collect();
    let mut runs: Vec<jiff::Timestamp> = schedules
        .iter()
        .flat_map(|s| s.fires_between(options.from, options.until))
        .collect();
    runs.sort_unstable();
    let zone = schedules
        .first()
        .map_or(TimeZone::UTC, |s| s.time_zone().clone());
    let timezone = expressions
        .first()
        .map_or("UTC".to_string(), |(_, tz)| tz.clone());
    let view = ScheduleView {
        expression: expressions
            .iter()
            .map(|(e, _)| e.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        timezone: timezone.clone(),
        description: match schedules.as_slice() {
            [one] => one.describe(),
            many => format!("{} expressions, {timezone}", many.len()),
        },
        runs_per_year: runs.len() as u64,
        next: runs
            .iter()
            .take(3)
            .map(|t| RunTime {
                utc: t.to_string(),
                local: t.display_with_offset(zone.to_offset(*t)).to_string(),
            })
            .collect(),
    };
    (view, schedules)
}

/// Compares the manifest behind `desired` with what is live. With
/// `live_is_base`, live is the base side (`cronport diff aws cronport.toml`).
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, desired: cronport::desired::Desired) -> Result<(), cronport::plan::PlanError> {
/// use cronport::{aws::diff_live, diff::{markdown, DiffOptions}};
/// // What would change on AWS if this manifest were applied.
/// let report = diff_live(&clients, &desired, true, &DiffOptions::year_from(jiff::Timestamp::now())).await?;
/// println!("{}", markdown(&report));
/// # Ok(()) }
/// ```
pub async fn diff_live(
    clients: &Clients,
    desired: &Desired,
    live_is_base: bool,
    options: &DiffOptions,
) -> Result<Report, PlanError> {
    let plan = aws::plan(clients, desired, false).await?;
    let mut by_job: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for change in &plan.changes {
        if let Some(job) = &change.job {
            by_job.entry(job.as_str()).or_default().push(change);
        }
    }
    let mut jobs = Vec::new();
    for dj in &desired.jobs {
        let changes = by_job
            .get(dj.job.name.as_str())
            .cloned()
            .unwrap_or_default();
        let name = dj.job.name.clone();
        if changes.iter().all(|c| c.action == Action::Unchanged) {
            jobs.push(JobChange::Unchanged { name });
            continue;
        }
        let manifest_view = view(&dj.job, options);
        // Created everywhere and deleted nowhere: new to AWS. (A job whose
        // resources move keeps its live side in the deleted ones.)
        if changes.iter().all(|c| c.action == Action::Create) {
            let (schedule, command) = (manifest_view, dj.job.command_text.clone());
            jobs.push(if live_is_base {
                JobChange::Added {
                    name,
                    schedule,
                    command,
                }
            } else {
                JobChange::Removed {
                    name,
                    schedule,
                    command,
                }
            });
            continue;
        }
        let live: Vec<(String, String)> = changes.iter().filter_map(|c| c.live.clone()).collect();
        let (live_view, live_schedules) = live_view(&live, options);
        let source = dj
            .job
            .schedule
            .clone()
            .with_start(dj.job.schedule.start().unwrap_or(options.from));
        let same = verify(
            &source,
            &live_schedules,
            options.from,
            options.until,
            Duplicates::Reject,
        );
        let schedule_fields = ["expression", "timezone", "description"];
        let mut fields: Vec<FieldChange> = Vec::new();
        for c in &changes {
            match &c.action {
                Action::Update { fields: f } => fields.extend(
                    f.iter()
                        .filter(|f| !schedule_fields.contains(&f.field.as_str()))
                        .cloned(),
                ),
                Action::Conflict { reason } => fields.push(FieldChange {
                    field: format!("{} owner", c.address),
                    before: reason.to_string(),
                    after: "cronport".into(),
                }),
                Action::Create => fields.push(FieldChange {
                    field: format!("{} exists", c.address),
                    before: "no".into(),
                    after: "yes".into(),
                }),
                Action::Delete => fields.push(FieldChange {
                    field: format!("{} exists", c.address),
                    before: "yes".into(),
                    after: "no".into(),
                }),
                _ => {}
            }
        }
        // The plan's fields go from live (before) to the manifest (after):
        // the direction of `diff aws MANIFEST`; the other way round swaps.
        if !live_is_base {
            for f in &mut fields {
                std::mem::swap(&mut f.before, &mut f.after);
            }
        }
        let schedule_text_differs = live_view.expression != manifest_view.expression
            || live_view.timezone != manifest_view.timezone;
        let schedule = schedule_text_differs.then(|| {
            let (before, after) = if live_is_base {
                (live_view.clone(), manifest_view.clone())
            } else {
                (manifest_view.clone(), live_view.clone())
            };
            match &same {
                Ok(proof) => ScheduleChange {
                    effective: false,
                    before,
                    after,
                    proved_over: Some(proof.firings),
                    first_difference: None,
                },
                Err(c) => ScheduleChange {
                    effective: true,
                    before,
                    after,
                    proved_over: None,
                    first_difference: Some(c.instant.to_string()),
                },
            }
        });
        // In AWS terms the live side is always spelled as AWS writes it;
        // only fields other than the schedule, or a real schedule change,
        // make this job differ.
        let schedule = schedule.filter(|s| s.effective);
        jobs.push(if schedule.is_none() && fields.is_empty() {
            JobChange::Unchanged { name }
        } else {
            JobChange::Changed {
                name,
                schedule,
                fields,
            }
        });
    }
    // Jobs only live has: what the manifest's deployment owns under job
    // names the manifest no longer has, one entry per job.
    let known: std::collections::BTreeSet<&str> =
        desired.jobs.iter().map(|j| j.job.name.as_str()).collect();
    for (job, changes) in &by_job {
        if known.contains(job) {
            continue;
        }
        let live: Vec<(String, String)> = changes.iter().filter_map(|c| c.live.clone()).collect();
        let (schedule, _) = live_view(&live, options);
        let name = job.to_string();
        let command = "(live only)".to_string();
        jobs.push(if live_is_base {
            JobChange::Removed {
                name,
                schedule,
                command,
            }
        } else {
            JobChange::Added {
                name,
                schedule,
                command,
            }
        });
    }
    // Every Changed job here is effective (see above), so the shared count
    // puts none under "respelled".
    Ok(Report::new(jobs, options))
}
