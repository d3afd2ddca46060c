//! Making a plan's writes: bounded concurrency, idempotent calls, and a
//! report of exactly what was and was not done.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_eventbridge::types as ev;
use aws_sdk_scheduler::types as sc;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{Clients, sdk_error_text};
use crate::plan::{Action, Address, Change, DesiredSpec, Plan};
use crate::plan::{AlertRuleSpec, RuleSpec, RunRecordSpec, ScheduleSpec};
use crate::render::{ALERT_TARGET, RECORD_TARGET};

/// How one change ended.
///
/// ```
/// use cronport::aws::{ApplyReport, Outcome};
/// let report = ApplyReport {
///     results: vec![
///         ("cronport-a".into(), Outcome::Done),
///         ("cronport-b".into(), Outcome::Failed { error: "ThrottlingException".into() }),
///     ],
///     writes: 2,
/// };
/// assert!(!report.succeeded()); // re-run apply: writes are idempotent
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// Done.
    Done,
    /// Failed; nothing half-made is left (see the message).
    Failed {
        /// What went wrong.
        error: String,
    },
    /// Failed part-way through a move: what stands now is safe (at most
    /// one enabled runner for the job) but not what the plan wants; a
    /// re-run of the plan finishes it.
    HalfMade {
        /// What went wrong.
        error: String,
        /// What stands now.
        stands: String,
    },
}

/// One finished change, as [`apply`]'s progress callback hears it.
/// `Display` is the line a terminal shows: `created schedule g/n`, or
/// `FAILED schedule g/n: error`.
///
/// ```
/// use cronport::aws::{Applied, Outcome};
/// use cronport::plan::{Action, Address};
/// let address = Address::Schedule { group: "g".into(), name: "n".into() };
/// let failed = Outcome::Failed { error: "AccessDenied".into() };
/// let step = Applied { address: &address, action: &Action::Create, outcome: &failed };
/// assert_eq!(step.to_string(), "FAILED schedule g/n: AccessDenied");
/// assert!(step.failed());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Applied<'a> {
    /// What was changed.
    pub address: &'a Address,
    /// The change that was made (or tried).
    pub action: &'a Action,
    /// How it went.
    pub outcome: &'a Outcome,
}

impl Applied<'_> {
    /// Whether the change failed.
    ///
    /// ```
    /// use cronport::aws::{Applied, Outcome};
    /// use cronport::plan::{Action, Address};
    /// let address = Address::Schedule { group: "g".into(), name: "n".into() };
    /// assert!(!Applied { address: &address, action: &Action::Delete, outcome: &Outcome::Done }.failed());
    /// ```
    pub fn failed(&self) -> bool {
        *self.outcome != Outcome::Done
    }
}

impl std::fmt::Display for Applied<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = match self.action {
            Action::Create => "created",
            Action::Update { .. } => "updated",
            _ => "deleted",
        };
        match self.outcome {
            Outcome::Done => write!(f, "{verb} {}", self.address),
            Outcome::Failed { error } => write!(f, "FAILED {}: {error}", self.address),
            Outcome::HalfMade { error, stands } => {
                write!(f, "FAILED {}: {error} ({stands})", self.address)
            }
        }
    }
}

/// What an apply did.
///
/// ```
/// use cronport::aws::{ApplyReport, Outcome};
/// let report = ApplyReport { results: vec![("cronport-a".into(), Outcome::Done)], writes: 1 };
/// assert!(report.succeeded());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    /// Each change that was attempted, with its outcome.
    pub results: Vec<(String, Outcome)>,
    /// Write calls made (successful or not, retries not counted).
    pub writes: usize,
}

impl ApplyReport {
    /// Whether every change was made.
    ///
    /// ```
    /// use cronport::aws::{ApplyReport, Outcome};
    /// assert!(ApplyReport::default().succeeded()); // nothing to do, nothing failed
    /// let failed = ApplyReport { results: vec![("x".into(), Outcome::Failed { error: "AccessDenied".into() })], writes: 1 };
    /// assert!(!failed.succeeded());
    /// ```
    pub fn succeeded(&self) -> bool {
        self.results.iter().all(|(_, o)| *o == Outcome::Done)
    }

    /// Whether a failure left something part-way (a move that did not
    /// finish); each such change's outcome says what stands.
    ///
    /// ```
    /// use cronport::aws::{ApplyReport, Outcome};
    /// let half = Outcome::HalfMade { error: "500".into(), stands: "the old schedule is disabled, not deleted".into() };
    /// assert!(ApplyReport { results: vec![("x".into(), half)], writes: 3 }.half_made());
    /// ```
    pub fn half_made(&self) -> bool {
        self.results
            .iter()
            .any(|(_, o)| matches!(o, Outcome::HalfMade { .. }))
    }
}

/// Makes `plan`'s creates, updates and deletes, `concurrency` at a time.
/// Schedule groups come first, deletes last. `progress` hears of each
/// finished change.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, desired: cronport::desired::Desired) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use cronport::aws::Applied;
/// let plan = cronport::aws::plan(&clients, &desired, false).await?;
/// let report = cronport::aws::apply(&clients, &plan, 8, Arc::new(|step: &Applied| eprintln!("{step}"))).await;
/// println!("{} writes", report.writes);
/// if !report.succeeded() {
///     return Err("some changes failed; run apply again".into());
/// }
/// # Ok(()) }
/// ```
pub async fn apply(
    clients: &Clients,
    plan: &Plan,
    concurrency: usize,
    progress: Arc<dyn Fn(&Applied) + Send + Sync>,
) -> ApplyReport {
    let writes = Arc::new(AtomicUsize::new(0));
    let mut report = ApplyReport::default();
    let is_write = |c: &&Change| {
        matches!(
            c.action,
            Action::Create | Action::Update { .. } | Action::Delete
        )
    };
    let groups: Vec<&Change> = plan
        .changes
        .iter()
        .filter(is_write)
        .filter(|c| matches!(c.address, Address::ScheduleGroup { .. }))
        .collect();
    let moving = moving_jobs(plan);
    let in_move = |c: &&Change| {
        matches!(
            c.action,
            Action::Create | Action::Update { .. } | Action::Delete
        ) && !matches!(c.address, Address::ScheduleGroup { .. })
            && c.job.as_deref().is_some_and(|j| moving.contains(j))
    };
    let upserts: Vec<&Change> = plan
        .changes
        .iter()
        .filter(is_write)
        .filter(|c| {
            !matches!(c.address, Address::ScheduleGroup { .. }) && c.action != Action::Delete
        })
        .filter(|c| !in_move(c))
        .collect();
    let deletes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter(|c| !in_move(c))
        .collect();
    wait_out_close_runs(plan).await;
    for stage in [groups, upserts] {
        run_stage(clients, stage, concurrency, &writes, &progress, &mut report).await;
    }
    // A job whose resources move (a new group, prefix, backend, or
    // environment name) never has two enabled runners, and has none only
    // between two of its runs: see [`move_job`].
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for job in &moving {
        let changes: Vec<Change> = plan
            .changes
            .iter()
            .filter(|c| c.job.as_deref() == Some(job.as_str()) && in_move(c))
            .cloned()
            .collect();
        let (clients, limit, writes) = (clients.clone(), limit.clone(), writes.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            move_job(&clients, changes, &writes).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(results) => {
                for (change, outcome) in results {
                    progress(&Applied {
                        address: &change.address,
                        action: &change.action,
                        outcome: &outcome,
                    });
                    report.results.push((change.address.name(), outcome));
                }
            }
            Err(e) => report.results.push((
                "(task)".to_string(),
                Outcome::Failed {
                    error: e.to_string(),
                },
            )),
        }
    }
    run_stage(
        clients,
        deletes,
        concurrency,
        &writes,
        &progress,
        &mut report,
    )
    .await;
    report.results.sort_by(|a, b| a.0.cmp(&b.0));
    report.writes = writes.load(Ordering::Relaxed);
    report
}

/// Makes `stage`'s changes, `concurrency` at a time, into `report`.
async fn run_stage(
    clients: &Clients,
    stage: Vec<&Change>,
    concurrency: usize,
    writes: &Arc<AtomicUsize>,
    progress: &Arc<dyn Fn(&Applied) + Send + Sync>,
    report: &mut ApplyReport,
) {
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for change in stage {
        let change = change.clone();
        let clients = clients.clone();
        let limit = limit.clone();
        let writes = writes.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let outcome = if change.action == Action::Delete && live_enabled(&change) {
                delete_disabling_first(&clients, &change, &writes).await
            } else {
                match run(&clients, &change, &writes).await {
                    Ok(()) => Outcome::Done,
                    Err(error) => Outcome::Failed { error },
                }
            };
            (change, outcome)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let (change, outcome) = match joined {
            Ok(done) => done,
            Err(e) => {
                report.results.push((
                    "(task)".to_string(),
                    Outcome::Failed {
                        error: e.to_string(),
                    },
                ));
                continue;
            }
        };
        progress(&Applied {
            address: &change.address,
            action: &change.action,
            outcome: &outcome,
        });
        report.results.push((change.address.name(), outcome));
    }
}

/// Jobs whose resources move: the plan creates some and deletes others.
fn moving_jobs(plan: &Plan) -> std::collections::BTreeSet<String> {
    let with = |wanted: fn(&Action) -> bool| -> std::collections::BTreeSet<&str> {
        plan.changes
            .iter()
            .filter(|c| wanted(&c.action) && !matches!(c.address, Address::ScheduleGroup { .. }))
            .filter_map(|c| c.job.as_deref())
            .collect()
    };
    // A job whose new resource exists already (an earlier move that did
    // not finish) moves too: its update is part of the move.
    let new = with(|a| matches!(a, Action::Create | Action::Update { .. }));
    new.intersection(&with(|a| *a == Action::Delete))
        .map(|j| j.to_string())
        .collect()
}

/// Whether a live resource is enabled, as the plan read it.
fn live_enabled(change: &Change) -> bool {
    change
        .before
        .as_ref()
        .and_then(|b| b.get("state"))
        .and_then(serde_json::Value::as_str)
        == Some("ENABLED")
}

/// Deletes an enabled resource the manifest no longer wants by disabling it
/// first: if the delete then fails, it runs no more (a renamed job's old
/// schedule never runs beside its new one), and is left to delete.
async fn delete_disabling_first(
    clients: &Clients,
    change: &Change,
    writes: &AtomicUsize,
) -> Outcome {
    writes.fetch_add(1, Ordering::Relaxed);
    if let Err(error) = set_enabled(clients, &change.address, false).await {
        return Outcome::Failed { error };
    }
    match run(clients, change, writes).await {
        Ok(()) => Outcome::Done,
        Err(error) => Outcome::HalfMade {
            error,
            stands: "disabled, and left to delete".to_string(),
        },
    }
}

/// Moves one job from its old resources (`Delete` changes) to its new
/// ones (`Create` changes) so that it has at most one enabled runner at
/// every instant:
///
/// 1. the new resources are created disabled;
/// 2. the old ones are disabled (between two runs: the caller has waited
///    out a run that was close);
/// 3. the new ones are enabled (when the manifest enables the job);
/// 4. the old ones are deleted.
///
/// A failure at 1 leaves the old runner alone; at 2 or 3 the steps taken are
/// undone, so the old runner runs again; at 4 the new runner runs and the
/// old one is disabled, left to delete. Each outcome says what stands, and
/// the next plan finishes the move. (Each call is retried by the SDK.)
async fn move_job(
    clients: &Clients,
    changes: Vec<Change>,
    writes: &AtomicUsize,
) -> Vec<(Change, Outcome)> {
    // The new side: resources to create, and new ones an earlier move
    // left (updated to what the manifest wants).
    let (creates, deletes): (Vec<Change>, Vec<Change>) = changes
        .into_iter()
        .partition(|c| c.action != Action::Delete);
    let count = || {
        writes.fetch_add(1, Ordering::Relaxed);
    };
    let not_moved = |error: &str, stands: &str| -> Vec<(Change, Outcome)> {
        creates
            .iter()
            .chain(&deletes)
            .map(|c| {
                let outcome = Outcome::HalfMade {
                    error: error.to_string(),
                    stands: stands.to_string(),
                };
                (c.clone(), outcome)
            })
            .collect()
    };
    // 1. New, disabled.
    for change in &creates {
        let mut disabled = change.clone();
        set_desired_state(&mut disabled, false);
        if let Err(error) = run(clients, &disabled, writes).await {
            return not_moved(
                &error,
                "not moved: the old resources still run the job; any new one made is disabled",
            );
        }
    }
    // 2. Old, disabled. A call that failed may still have been made (its
    // answer lost), so what is undone includes it.
    let mut disabled_old = Vec::new();
    // Only what runs now is disabled, and only that is set back on undo: a
    // disabled job or a held rule stays as it was.
    for change in deletes.iter().filter(|c| live_enabled(c)) {
        count();
        disabled_old.push(change);
        if let Err(error) = set_enabled(clients, &change.address, false).await {
            let undone = undo(clients, &disabled_old, true, writes).await;
            return not_moved(
                &error,
                &format!(
                    "not moved: {}; the new resources are disabled",
                    undone.said()
                ),
            );
        }
    }
    // 3. New, enabled (the manifest may keep the job disabled).
    let mut enabled_new = Vec::new();
    for change in creates.iter().filter(|c| desired_enabled(c)) {
        count();
        enabled_new.push(change);
        if let Err(error) = set_enabled_spec(clients, change).await {
            let new_off = undo(clients, &enabled_new, false, writes).await;
            // The old runner comes back only when no new one may be left
            // enabled: never two.
            if new_off.failed.is_empty() {
                let old_on = undo(clients, &disabled_old, true, writes).await;
                return not_moved(
                    &error,
                    &format!("not moved: {}; {}", old_on.said(), new_off.said()),
                );
            }
            return not_moved(
                &error,
                &format!(
                    "not moved: {}; so the old resources stay disabled, and the job may not run until the next apply",
                    new_off.said()
                ),
            );
        }
    }
    // 4. Old, deleted.
    let mut results: Vec<(Change, Outcome)> =
        creates.iter().map(|c| (c.clone(), Outcome::Done)).collect();
    for change in deletes {
        let outcome = match run(clients, &change, writes).await {
            Ok(()) => Outcome::Done,
            Err(error) => Outcome::HalfMade {
                error,
                stands: "moved: the job runs on its new resources; this old one is disabled and left to delete".to_string(),
            },
        };
        results.push((change, outcome));
    }
    results
}

/// What undoing part of a move did.
struct Undone {
    /// `the old resources are enabled again`, or the new disabled again.
    what: &'static str,
    /// The resources that could not be set back, with why.
    failed: Vec<String>,
}

impl Undone {
    fn said(&self) -> String {
        if self.failed.is_empty() {
            self.what.to_string()
        } else {
            format!(
                "{} but for {}: check them before the next run",
                self.what,
                self.failed.join(", ")
            )
        }
    }
}

/// Sets `changes`' resources enabled (`enable`) or disabled again, for a
/// move that is undone. A call that fails is checked by reading the
/// resource back: what is already as wanted needs nothing.
async fn undo(
    clients: &Clients,
    changes: &[&Change],
    enable: bool,
    writes: &AtomicUsize,
) -> Undone {
    let mut failed = Vec::new();
    for change in changes {
        writes.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = set_enabled(clients, &change.address, enable).await
            && is_enabled(clients, &change.address).await != Some(enable)
        {
            failed.push(format!("{} ({e})", change.address));
        }
    }
    Undone {
        what: if enable {
            "the old resources are enabled again"
        } else {
            "the new resources are disabled again"
        },
        failed,
    }
}

/// Whether the manifest wants `change`'s new resource enabled.
fn desired_enabled(change: &Change) -> bool {
    match &change.desired {
        Some(DesiredSpec::Schedule(s)) => s.state == "ENABLED",
        Some(DesiredSpec::Rule(r)) => r.state == "ENABLED",
        _ => false,
    }
}

/// `change`'s desired resource, enabled or not.
fn set_desired_state(change: &mut Change, enabled: bool) {
    let state = if enabled { "ENABLED" } else { "DISABLED" };
    match &mut change.desired {
        Some(DesiredSpec::Schedule(s)) => s.state = state.to_string(),
        Some(DesiredSpec::Rule(r)) => r.state = state.to_string(),
        _ => {}
    }
}

/// Enables a new resource exactly as the manifest wants it.
async fn set_enabled_spec(clients: &Clients, change: &Change) -> Result<(), String> {
    match &change.desired {
        Some(DesiredSpec::Schedule(spec)) => update_schedule(clients, spec).await,
        Some(DesiredSpec::Rule(spec)) => put_rule(clients, spec, "ENABLED").await.map(|_| ()),
        _ => Ok(()),
    }
}

/// Whether a live resource is enabled, read now; `None` when it cannot be
/// read (or does not exist).
async fn is_enabled(clients: &Clients, address: &Address) -> Option<bool> {
    match address {
        Address::Rule { name } => {
            let rule = clients
                .events
                .describe_rule()
                .name(name)
                .send()
                .await
                .ok()?;
            Some(rule.state()?.as_str() == "ENABLED")
        }
        Address::Schedule { group, name } => {
            let schedule = clients
                .scheduler
                .get_schedule()
                .group_name(group)
                .name(name)
                .send()
                .await
                .ok()?;
            Some(schedule.state()?.as_str() == "ENABLED")
        }
        Address::ScheduleGroup { .. } | Address::RunRecord { .. } | Address::AlertRule { .. } => {
            None
        }
    }
}

/// Enables or disables a live resource, leaving the rest of it as it is.
async fn set_enabled(clients: &Clients, address: &Address, enable: bool) -> Result<(), String> {
    match address {
        Address::Rule { name } if enable => (clients.events.enable_rule().name(name).send().await)
            .map(|_| ())
            .map_err(sdk_error_text),
        Address::Rule { name } => (clients.events.disable_rule().name(name).send().await)
            .map(|_| ())
            .map_err(sdk_error_text),
        Address::Schedule { group, name } => {
            let live = clients
                .scheduler
                .get_schedule()
                .group_name(group)
                .name(name)
                .send()
                .await
                .map_err(sdk_error_text)?;
            let state = if enable {
                sc::ScheduleState::Enabled
            } else {
                sc::ScheduleState::Disabled
            };
            clients
                .scheduler
                .update_schedule()
                .name(name)
                .group_name(group)
                .set_schedule_expression(live.schedule_expression().map(str::to_string))
                .set_schedule_expression_timezone(
                    live.schedule_expression_timezone().map(str::to_string),
                )
                .set_description(live.description().map(str::to_string))
                .set_start_date(live.start_date().cloned())
                .set_end_date(live.end_date().cloned())
                .set_flexible_time_window(live.flexible_time_window().cloned())
                .set_target(live.target().cloned())
                .set_kms_key_arn(live.kms_key_arn().map(str::to_string))
                .set_action_after_completion(live.action_after_completion().cloned())
                .state(state)
                .send()
                .await
                .map(|_| ())
                .map_err(sdk_error_text)
        }
        Address::ScheduleGroup { .. } | Address::RunRecord { .. } | Address::AlertRule { .. } => {
            Ok(())
        }
    }
}

/// How close a run may be when a job's resources move.
const MOVE_MARGIN: std::time::Duration = std::time::Duration::from_secs(60);

/// A job whose resources move (created at the new address, deleted at the
/// old) must move between two runs, or one run is made twice or not at
/// all: when one of its runs is less than [`MOVE_MARGIN`] away, wait until
/// it has passed. The writes then take seconds.
async fn wait_out_close_runs(plan: &Plan) {
    let moving: std::collections::BTreeSet<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| c.job.as_deref())
        .collect();
    let now = jiff::Timestamp::now();
    let next = plan
        .changes
        .iter()
        .filter(|c| {
            matches!(c.action, Action::Create | Action::Update { .. })
                && c.job.as_deref().is_some_and(|j| moving.contains(j))
        })
        .filter_map(|c| {
            let (expression, zone) = match c.desired.as_ref()? {
                DesiredSpec::Schedule(s) => (s.expression.as_str(), s.timezone.as_str()),
                DesiredSpec::Rule(r) => (r.expression.as_str(), "UTC"),
                DesiredSpec::Group(..)
                | DesiredSpec::RunRecord(..)
                | DesiredSpec::AlertRule(..) => return None,
            };
            let zone = jiff::tz::TimeZone::get(zone).ok()?;
            crate::syntax::aws::schedule(expression, zone)
                .ok()?
                .fires_after(now)
                .next()
        })
        .min();
    if let Some(next) = next {
        let until = next.duration_since(now);
        if until.as_secs() >= 0 && until.unsigned_abs() < MOVE_MARGIN {
            tokio::time::sleep(until.unsigned_abs() + std::time::Duration::from_secs(2)).await;
        }
    }
}

async fn run(clients: &Clients, change: &Change, writes: &AtomicUsize) -> Result<(), String> {
    let count = || writes.fetch_add(1, Ordering::Relaxed);
    match (&change.action, &change.desired) {
        (Action::Create, Some(DesiredSpec::Group(name, tags))) => {
            count();
            let tags = scheduler_tags(tags);
            done_if_already(
                clients
                    .scheduler
                    .create_schedule_group()
                    .name(name)
                    .set_tags(Some(tags))
                    .send()
                    .await,
                |s| s.is_conflict_exception(),
            )
        }
        (Action::Update { .. }, Some(DesiredSpec::Group(name, tags))) => {
            // Adopting a group: tag it as cronport's.
            count();
            let group = clients
                .scheduler
                .get_schedule_group()
                .name(name)
                .send()
                .await
                .map_err(sdk_error_text)?;
            let arn = group.arn().ok_or("the schedule group has no ARN")?;
            let tags = scheduler_tags(tags);
            clients
                .scheduler
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map(|_| ())
                .map_err(sdk_error_text)
        }
        (Action::Create, Some(DesiredSpec::Schedule(spec))) => {
            count();
            match create_schedule(clients, spec).await? {
                true => Ok(()),
                // An earlier attempt may have landed before its answer was
                // lost: make it what we want.
                false => {
                    count();
                    update_schedule(clients, spec).await
                }
            }
        }
        (Action::Update { .. }, Some(DesiredSpec::Schedule(spec))) => {
            count();
            update_schedule(clients, spec).await
        }
        (Action::Delete, _) if matches!(change.address, Address::Schedule { .. }) => {
            let Address::Schedule { group, name } = &change.address else {
                return Ok(());
            };
            count();
            done_if_already(
                clients
                    .scheduler
                    .delete_schedule()
                    .group_name(group)
                    .name(name)
                    .send()
                    .await,
                |s| s.is_resource_not_found_exception(),
            )
        }
        (Action::Create | Action::Update { .. }, Some(DesiredSpec::RunRecord(spec))) => {
            put_run_record(clients, spec, &count).await
        }
        (Action::Delete, None) if matches!(change.address, Address::RunRecord { .. }) => {
            delete_run_record(clients, change, &count).await
        }
        (Action::Create | Action::Update { .. }, Some(DesiredSpec::AlertRule(spec))) => {
            put_alert_rule(clients, spec, &count).await
        }
        (Action::Delete, None) if matches!(change.address, Address::AlertRule { .. }) => {
            delete_deployment_rule(clients, &change.address.name(), ALERT_TARGET, &count).await
        }
        (Action::Create, Some(DesiredSpec::Rule(spec))) => create_rule(clients, spec, &count).await,
        (Action::Update { .. }, Some(DesiredSpec::Rule(spec))) => {
            update_rule(clients, spec, &change.extra_targets, &count).await
        }
        (Action::Delete, Some(_)) => Ok(()),
        (Action::Delete, None) if matches!(change.address, Address::Rule { .. }) => {
            let name = change.address.name();
            let mut ids = change.extra_targets.clone();
            ids.push("cronport".to_string());
            count();
            clients
                .events
                .remove_targets()
                .rule(&name)
                .set_ids(Some(ids))
                .force(false)
                .send()
                .await
                .map_err(sdk_error_text)?;
            count();
            done_if_already(clients.events.delete_rule().name(&name).send().await, |s| {
                s.is_resource_not_found_exception()
            })
        }
        _ => Ok(()),
    }
}

/// Makes a run record what `spec` says, each step idempotent (a step that
/// finds its work done goes on): the log group (created with its tags, or
/// tagged), its retention, the policy that lets EventBridge write to it,
/// the rule, its tags and its target.
async fn put_run_record(
    clients: &Clients,
    spec: &RunRecordSpec,
    count: &(dyn Fn() -> usize + Sync),
) -> Result<(), String> {
    let logs = &clients.logs;
    count();
    let created = logs
        .create_log_group()
        .log_group_name(&spec.log_group)
        .set_tags(Some(spec.log_group_tags.clone().into_iter().collect()))
        .send()
        .await;
    let existed = match created {
        Ok(_) => false,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_already_exists_exception()) =>
        {
            true
        }
        Err(e) => {
            return Err(format!(
                "cannot create log group `{}`: {}",
                spec.log_group,
                sdk_error_text(e)
            ));
        }
    };
    let arn = log_group_arn(clients, &spec.log_group).await?;
    if existed {
        count();
        logs.tag_resource()
            .resource_arn(&arn)
            .set_tags(Some(spec.log_group_tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(sdk_error_text)?;
    }
    count();
    logs.put_retention_policy()
        .log_group_name(&spec.log_group)
        .retention_in_days(spec.retention_days as i32)
        .send()
        .await
        .map_err(sdk_error_text)?;
    let document = crate::desired::RunRecord::policy_document_for(&arn);
    count();
    logs.put_resource_policy()
        .policy_name(&spec.policy)
        .policy_document(document.to_string())
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot put resource policy `{}`: {}",
                spec.policy,
                sdk_error_text(e)
            )
        })?;
    let target = ev::Target::builder()
        .id(RECORD_TARGET)
        .arn(&arn)
        .build()
        .map_err(|e| e.to_string())?;
    put_deployment_rule(
        clients,
        &spec.rule,
        &spec.event_pattern,
        crate::render::record_description(&spec.tags, &spec.log_group),
        &spec.tags,
        target,
        count,
    )
    .await
}

/// Makes an alert rule what `spec` says: the rule, its tags, and its target
/// (the topic, with the input transformer that writes the message).
async fn put_alert_rule(
    clients: &Clients,
    spec: &AlertRuleSpec,
    count: &(dyn Fn() -> usize + Sync),
) -> Result<(), String> {
    let transformer = ev::InputTransformer::builder()
        .set_input_paths_map(Some(spec.input_paths.clone().into_iter().collect()))
        .input_template(&spec.input_template)
        .build()
        .map_err(|e| e.to_string())?;
    let target = ev::Target::builder()
        .id(ALERT_TARGET)
        .arn(&spec.topic)
        .input_transformer(transformer)
        .build()
        .map_err(|e| e.to_string())?;
    put_deployment_rule(
        clients,
        &spec.rule,
        &spec.event_pattern,
        crate::render::alert_description(&spec.tags, &spec.topic),
        &spec.tags,
        target,
        count,
    )
    .await
}

/// Puts a deployment's rule (a run record's, an alert's) with its pattern,
/// description and tags, then its one target: each step idempotent.
async fn put_deployment_rule(
    clients: &Clients,
    name: &str,
    pattern: &serde_json::Value,
    description: String,
    tags: &std::collections::BTreeMap<String, String>,
    target: ev::Target,
    count: &(dyn Fn() -> usize + Sync),
) -> Result<(), String> {
    count();
    let rule = clients
        .events
        .put_rule()
        .name(name)
        .event_pattern(pattern.to_string())
        .state(ev::RuleState::Enabled)
        .description(description)
        .set_tags(Some(tags_of(tags)))
        .send()
        .await
        .map_err(sdk_error_text)?;
    // PutRule tags a new rule only: an existing one is tagged here.
    if let Some(rule_arn) = rule.rule_arn() {
        count();
        clients
            .events
            .tag_resource()
            .resource_arn(rule_arn)
            .set_tags(Some(tags_of(tags)))
            .send()
            .await
            .map_err(sdk_error_text)?;
    }
    count();
    let put = clients
        .events
        .put_targets()
        .rule(name)
        .targets(target)
        .send()
        .await
        .map_err(sdk_error_text)?;
    match put.failed_entry_count() {
        0 => Ok(()),
        _ => Err(format!(
            "rule `{name}` refused its target: {}",
            put.failed_entries()
                .iter()
                .map(|f| f.error_message().unwrap_or("no reason given"))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

/// A log group's ARN, without the `:*` `DescribeLogGroups` ends it with.
async fn log_group_arn(clients: &Clients, name: &str) -> Result<String, String> {
    let found = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(sdk_error_text)?;
    found
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name))
        .and_then(|g| g.arn())
        .map(|arn| arn.trim_end_matches(":*").to_string())
        .ok_or_else(|| format!("log group `{name}` is not listed after its creation"))
}

/// Deletes a run record's rule and policy; its log group, which holds the
/// history, stays.
async fn delete_run_record(
    clients: &Clients,
    change: &Change,
    count: &(dyn Fn() -> usize + Sync),
) -> Result<(), String> {
    delete_deployment_rule(clients, &change.address.name(), RECORD_TARGET, count).await?;
    if let Some(policy) = change.before.as_ref().and_then(|b| b["policy"].as_str()) {
        count();
        let deleted = clients
            .logs
            .delete_resource_policy()
            .policy_name(policy)
            .send()
            .await;
        if let Err(e) = deleted
            && !e
                .as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception())
        {
            return Err(sdk_error_text(e));
        }
    }
    Ok(())
}

/// Deletes a deployment's rule (a run record's, an alert's): its target
/// `target_id`, then the rule; gone already is done.
async fn delete_deployment_rule(
    clients: &Clients,
    name: &str,
    target_id: &str,
    count: &(dyn Fn() -> usize + Sync),
) -> Result<(), String> {
    count();
    let removed = clients
        .events
        .remove_targets()
        .rule(name)
        .ids(target_id)
        .send()
        .await;
    if let Err(e) = removed
        && !e
            .as_service_error()
            .is_some_and(|s| s.is_resource_not_found_exception())
    {
        return Err(sdk_error_text(e));
    }
    count();
    done_if_already(clients.events.delete_rule().name(name).send().await, |s| {
        s.is_resource_not_found_exception()
    })
}

/// Tags as EventBridge takes them (a job's rule, a run record's rule).
fn tags_of(tags: &std::collections::BTreeMap<String, String>) -> Vec<ev::Tag> {
    tags.iter()
        .filter_map(|(k, v)| ev::Tag::builder().key(k).value(v).build().ok())
        .collect()
}

fn schedule_target(spec: &ScheduleSpec) -> Result<sc::Target, String> {
    let mut target = sc::Target::builder()
        .arn(&spec.target_arn)
        .role_arn(&spec.role_arn)
        .input(spec.input.to_string())
        .retry_policy(
            sc::RetryPolicy::builder()
                .maximum_retry_attempts(spec.retry.maximum_retry_attempts as i32)
                .maximum_event_age_in_seconds(spec.retry.maximum_event_age_in_seconds as i32)
                .build(),
        );
    if let Some(dlq) = &spec.dead_letter_queue {
        target = target.dead_letter_config(sc::DeadLetterConfig::builder().arn(dlq).build());
    }
    target.build().map_err(|e| e.to_string())
}

/// A schedule's `StartDate`: a rate's phase, or a hold until a cutover.
fn start_date(spec: &ScheduleSpec) -> Option<aws_sdk_scheduler::primitives::DateTime> {
    spec.start_date
        .map(|at| aws_sdk_scheduler::primitives::DateTime::from_secs(at.as_second()))
}

fn window(spec: &ScheduleSpec) -> Result<sc::FlexibleTimeWindow, String> {
    match spec.flexible_window_minutes {
        Some(minutes) => sc::FlexibleTimeWindow::builder()
            .mode(sc::FlexibleTimeWindowMode::Flexible)
            .maximum_window_in_minutes(minutes as i32),
        None => sc::FlexibleTimeWindow::builder().mode(sc::FlexibleTimeWindowMode::Off),
    }
    .build()
    .map_err(|e| e.to_string())
}

/// Sets every field of a schedule on a CreateSchedule or UpdateSchedule
/// request: the two take the same fields, through different builder types.
macro_rules! schedule_fields {
    ($request:expr, $spec:expr) => {
        $request
            .name(&$spec.name)
            .group_name(&$spec.group)
            .schedule_expression(&$spec.expression)
            .schedule_expression_timezone(&$spec.timezone)
            .state(sc::ScheduleState::from($spec.state.as_str()))
            .description(&$spec.description)
            .flexible_time_window(window($spec)?)
            .target(schedule_target($spec)?)
            .set_start_date(start_date($spec))
    };
}

/// Creates a schedule. `Ok(false)`: one of that name already exists
/// (ConflictException), for the caller to decide what that means.
async fn create_schedule(clients: &Clients, spec: &ScheduleSpec) -> Result<bool, String> {
    match schedule_fields!(clients.scheduler.create_schedule(), spec)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_conflict_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(sdk_error_text(e)),
    }
}

async fn update_schedule(clients: &Clients, spec: &ScheduleSpec) -> Result<(), String> {
    schedule_fields!(clients.scheduler.update_schedule(), spec)
        .send()
        .await
        .map(|_| ())
        .map_err(sdk_error_text)
}

fn rule_target(spec: &RuleSpec) -> Result<ev::Target, String> {
    let mut ecs = ev::EcsParameters::builder()
        .task_definition_arn(&spec.task_definition)
        .task_count(spec.task_count as i32)
        .set_group(spec.group.clone());
    if let Some(l) = &spec.launch_type {
        ecs = ecs.launch_type(ev::LaunchType::from(l.as_str()));
    }
    if let Some(v) = &spec.platform_version {
        ecs = ecs.platform_version(v);
    }
    for (provider, weight, base) in &spec.capacity_providers {
        ecs = ecs.capacity_provider_strategy(
            ev::CapacityProviderStrategyItem::builder()
                .capacity_provider(provider)
                .weight(*weight as i32)
                .base(*base as i32)
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    if !spec.subnets.is_empty() {
        let mut vpc = ev::AwsVpcConfiguration::builder().set_subnets(Some(spec.subnets.clone()));
        if !spec.security_groups.is_empty() {
            vpc = vpc.set_security_groups(Some(spec.security_groups.clone()));
        }
        if let Some(ip) = &spec.assign_public_ip {
            vpc = vpc.assign_public_ip(ev::AssignPublicIp::from(ip.as_str()));
        }
        ecs = ecs.network_configuration(
            ev::NetworkConfiguration::builder()
                .awsvpc_configuration(vpc.build().map_err(|e| e.to_string())?)
                .build(),
        );
    }
    let mut target = ev::Target::builder()
        .id(&spec.target_id)
        .arn(&spec.cluster)
        .role_arn(&spec.role_arn)
        .input(spec.input.to_string())
        .ecs_parameters(ecs.build().map_err(|e| e.to_string())?)
        .retry_policy(
            ev::RetryPolicy::builder()
                .maximum_retry_attempts(spec.retry.maximum_retry_attempts as i32)
                .maximum_event_age_in_seconds(spec.retry.maximum_event_age_in_seconds as i32)
                .build(),
        );
    if let Some(dlq) = &spec.dead_letter_queue {
        target = target.dead_letter_config(ev::DeadLetterConfig::builder().arn(dlq).build());
    }
    target.build().map_err(|e| e.to_string())
}

async fn put_rule(
    clients: &Clients,
    spec: &RuleSpec,
    state: &str,
) -> Result<Option<String>, String> {
    clients
        .events
        .put_rule()
        .name(&spec.name)
        .schedule_expression(&spec.expression)
        .state(ev::RuleState::from(state))
        .description(&spec.description)
        .set_tags(Some(tags_of(&spec.tags)))
        .send()
        .await
        .map(|out| out.rule_arn().map(str::to_string))
        .map_err(sdk_error_text)
}

async fn put_target(clients: &Clients, spec: &RuleSpec) -> Result<(), String> {
    let out = clients
        .events
        .put_targets()
        .rule(&spec.name)
        .targets(rule_target(spec)?)
        .send()
        .await
        .map_err(sdk_error_text)?;
    match out.failed_entries().first() {
        Some(f) => Err(format!(
            "the target was refused: {} {}",
            f.error_code().unwrap_or_default(),
            f.error_message().unwrap_or_default()
        )),
        None => Ok(()),
    }
}

/// A new rule is made disabled, given its target, then enabled, so no
/// moment exists where it fires without a target; if the target cannot be
/// added, the rule is removed again.
async fn create_rule(
    clients: &Clients,
    spec: &RuleSpec,
    count: &(dyn Fn() -> usize + Sync),
) -> Result<(), String> {
    count();
    put_rule(clients, spec, "DISABLED").await?;
    count();
    if let Err(e) = put_target(clients, spec).await {
        count();
        let cleanup = clients.events.delete_rule().name(&spec.name).send().await;
        return Err(match cleanup {
            Ok(_) => format!("{e}; the new rule was removed again"),
            Err(c) => format!(
                "{e}; removing the new (disabled) rule failed too ({}): a re-run fixes it",
                sdk_error_text(c)
            ),
        });
    }
    if spec.state == "ENABLED" {
        count();
        put_rule(clients, spec, "ENABLED").await?;
    }
    Ok(())
}

async fn update_rule(
    clients: &Clients,
    spec: &RuleSpec,
    extra: &[String],
    count: &(dyn Fn() -> usize + Sync),
) -> Result<(), String> {
    count();
    put_target(clients, spec).await?;
    if !extra.is_empty() {
        count();
        clients
            .events
            .remove_targets()
            .rule(&spec.name)
            .set_ids(Some(extra.to_vec()))
            .send()
            .await
            .map_err(sdk_error_text)?;
    }
    count();
    let arn = put_rule(clients, spec, &spec.state).await?;
    if let Some(arn) = arn {
        count();
        clients
            .events
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags_of(&spec.tags)))
            .send()
            .await
            .map_err(sdk_error_text)?;
    }
    Ok(())
}

/// Tags as EventBridge Scheduler takes them.
fn scheduler_tags(tags: &std::collections::BTreeMap<String, String>) -> Vec<sc::Tag> {
    tags.iter()
        .filter_map(|(k, v)| sc::Tag::builder().key(k).value(v).build().ok())
        .collect()
}

/// The result of an idempotent write, where an error saying the work is
/// already done (the group exists, the schedule or rule is gone) counts as
/// done: an earlier attempt may have landed before its answer was lost.
fn done_if_already<O, E>(
    result: Result<
        O,
        aws_sdk_scheduler::error::SdkError<E, aws_sdk_scheduler::config::http::HttpResponse>,
    >,
    already: impl Fn(&E) -> bool,
) -> Result<(), String>
where
    E: aws_sdk_scheduler::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(already) => Ok(()),
        Err(e) => Err(sdk_error_text(e)),
    }
}
