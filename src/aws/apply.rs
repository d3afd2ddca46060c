//! Making a plan's writes: bounded concurrency, idempotent calls, and a
//! report of exactly what was and was not done.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_eventbridge::types as ev;
use aws_sdk_scheduler::types as sc;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{Clients, error_text};
use crate::plan::{Action, Address, Change, DesiredSpec, Plan};
use crate::plan::{RuleSpec, ScheduleSpec};

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
        matches!(self.outcome, Outcome::Failed { .. })
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
    let upserts: Vec<&Change> = plan
        .changes
        .iter()
        .filter(is_write)
        .filter(|c| {
            !matches!(c.address, Address::ScheduleGroup { .. }) && c.action != Action::Delete
        })
        .collect();
    let deletes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .collect();
    wait_out_close_runs(plan).await;
    for stage in [groups, upserts, deletes] {
        let limit = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for change in stage {
            let change = change.clone();
            let clients = clients.clone();
            let limit = limit.clone();
            let writes = writes.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let outcome = match run(&clients, &change, &writes).await {
                    Ok(()) => Outcome::Done,
                    Err(error) => Outcome::Failed { error },
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
    report.results.sort_by(|a, b| a.0.cmp(&b.0));
    report.writes = writes.load(Ordering::Relaxed);
    report
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
            c.action == Action::Create && c.job.as_deref().is_some_and(|j| moving.contains(j))
        })
        .filter_map(|c| {
            let (expression, zone) = match c.desired.as_ref()? {
                DesiredSpec::Schedule(s) => (s.expression.as_str(), s.timezone.as_str()),
                DesiredSpec::Rule(r) => (r.expression.as_str(), "UTC"),
                DesiredSpec::Group(..) => return None,
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
                .map_err(error_text)?;
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
                .map_err(error_text)
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
                .map_err(error_text)?;
            count();
            done_if_already(clients.events.delete_rule().name(&name).send().await, |s| {
                s.is_resource_not_found_exception()
            })
        }
        _ => Ok(()),
    }
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
        Err(e) => Err(error_text(e)),
    }
}

async fn update_schedule(clients: &Clients, spec: &ScheduleSpec) -> Result<(), String> {
    schedule_fields!(clients.scheduler.update_schedule(), spec)
        .send()
        .await
        .map(|_| ())
        .map_err(error_text)
}

fn rule_target(spec: &RuleSpec) -> Result<ev::Target, String> {
    let mut ecs = ev::EcsParameters::builder()
        .task_definition_arn(&spec.task_definition)
        .task_count(spec.task_count as i32);
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

fn tags(spec: &RuleSpec) -> Vec<ev::Tag> {
    spec.tags
        .iter()
        .filter_map(|(k, v)| ev::Tag::builder().key(k).value(v).build().ok())
        .collect()
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
        .set_tags(Some(tags(spec)))
        .send()
        .await
        .map(|out| out.rule_arn().map(str::to_string))
        .map_err(error_text)
}

async fn put_target(clients: &Clients, spec: &RuleSpec) -> Result<(), String> {
    let out = clients
        .events
        .put_targets()
        .rule(&spec.name)
        .targets(rule_target(spec)?)
        .send()
        .await
        .map_err(error_text)?;
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
                error_text(c)
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
            .map_err(error_text)?;
    }
    count();
    let arn = put_rule(clients, spec, &spec.state).await?;
    if let Some(arn) = arn {
        count();
        clients
            .events
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags(spec)))
            .send()
            .await
            .map_err(error_text)?;
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
fn done_if_already<O, E, R>(
    result: Result<O, aws_sdk_scheduler::error::SdkError<E, R>>,
    already: impl Fn(&E) -> bool,
) -> Result<(), String>
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(already) => Ok(()),
        Err(e) => Err(error_text(e)),
    }
}
