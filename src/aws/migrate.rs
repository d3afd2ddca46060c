//! Cutover from EventBridge rules to EventBridge Scheduler on AWS, in
//! stages, with no run lost or doubled (the switch is planned and proved
//! offline in [`crate::migration`]).
//!
//! Stage one, per job: create the schedule (its first run is the job's next
//! run), then disable the job's rules, both well before that next run; if
//! the rules cannot be disabled, the new schedule is deleted again. Stage
//! two (`finish`): delete the disabled rules. Each step checks what is
//! already done, so a re-run after any failure carries on.

use std::sync::Arc;

use jiff::Timestamp;

use super::{Clients, apply, plan_with, sdk_error_text};
use crate::desired::{Desired, DesiredJob};
use crate::manifest::Manifest;
use crate::migration::{Switch, SwitchOutcome, planned_switch, rules_and_schedules};
use crate::plan::{Action, Address, PlanError, PlanOptions, PlanProblemKind};

/// Stage one (or two with `finish`) of moving `manifest`'s rules jobs to
/// EventBridge Scheduler. `manifest` is as it is today, with the jobs on
/// `backend = "rules"`.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients) -> Result<(), Box<dyn std::error::Error>> {
/// use cronport::{aws, manifest::Manifest};
/// // The manifest as it is today: jobs on backend = "rules".
/// let manifest = Manifest::from_toml(&std::fs::read_to_string("cronport.toml")?, "cronport.toml")?;
/// let now = jiff::Timestamp::now();
/// aws::migrate(&clients, &manifest, now, false).await?; // schedules on, rules disabled
/// for (job, runners) in aws::enabled_runners(&clients, &manifest, now).await? {
///     assert_eq!(runners, 1, "{job} must run exactly one way");
/// }
/// aws::migrate(&clients, &manifest, now, true).await?; // --finish: delete the rules
/// # Ok(()) }
/// ```
pub async fn migrate(
    clients: &Clients,
    manifest: &Manifest,
    now: Timestamp,
    finish: bool,
) -> Result<Vec<Switch>, PlanError> {
    let mut out = Vec::new();
    for (rj, sj, (from, until)) in &rules_and_schedules(manifest, now)? {
        let one = |job: &DesiredJob| Desired {
            jobs: vec![job.clone()],
            from: *from,
            until: *until,
            deployment: job.job.owner.deployment(),
            // A one-job plan leaves the deployment's run record alone
            // (its deletes are dropped below).
            run_record: None,
            alerts: Vec::new(),
        };
        let mut schedule_plan = plan_with(clients, &one(sj), PlanOptions::default()).await?;
        // A one-job plan would delete every other job's resources, and this
        // job's rules, which migrate disables (and deletes with --finish).
        schedule_plan.changes.retain(|c| c.action != Action::Delete);
        let rule_states = rule_states(clients, rj).await?;
        // Other jobs' schedules show as orphans in this one-job plan; only
        // this job's count.
        let schedule_live = schedule_plan
            .changes
            .iter()
            .filter(|c| {
                matches!(c.address, Address::Schedule { .. })
                    && c.job.as_deref() == Some(sj.job.name.as_str())
            })
            .all(|c| c.action == Action::Unchanged);
        let mut switch = planned_switch(rj, sj, now, (*from, *until))?;
        let at = switch.at;
        if finish {
            if !schedule_live || rule_states.iter().any(|(_, enabled)| *enabled) {
                switch.done(SwitchOutcome::NotSwitchedYet);
            } else if rule_states.is_empty() {
                switch.done(SwitchOutcome::RulesAlreadyDeleted);
            } else {
                switch.done(match delete_rules(clients, &rule_states).await {
                    Ok(()) => SwitchOutcome::RulesDeleted,
                    Err(error) => SwitchOutcome::DeleteFailed { error },
                });
            }
            out.push(switch);
            continue;
        }
        if schedule_live && rule_states.iter().all(|(_, enabled)| !enabled) {
            switch.done(SwitchOutcome::AlreadySwitched);
            out.push(switch);
            continue;
        }
        // Wait out a run that is too close, so both writes land between runs.
        if at > now {
            let wait = (at - Timestamp::now()).as_secs_f64().max(0.0);
            tokio::time::sleep(std::time::Duration::from_secs_f64(wait)).await;
        }
        let report = apply(
            clients,
            &schedule_plan,
            4,
            Arc::new(|_: &super::Applied| {}),
        )
        .await;
        if !report.succeeded() {
            let error = report
                .results
                .iter()
                .filter_map(|(address, outcome)| match outcome {
                    super::Outcome::Failed { error } | super::Outcome::HalfMade { error, .. } => {
                        Some(format!("{address}: {error}"))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("; ");
            switch.done(SwitchOutcome::CreateFailed { error });
            out.push(switch);
            continue;
        }
        let outcome = match disable_rules(clients, rj, &rule_states).await {
            Ok(()) => SwitchOutcome::Switched,
            Err(e) => {
                // Never both: without the rules disabled, remove the schedule.
                let group = &sj.job.target.schedule_group;
                for r in &sj.resources {
                    let _ = clients
                        .scheduler
                        .delete_schedule()
                        .group_name(group)
                        .name(&r.name)
                        .send()
                        .await;
                }
                SwitchOutcome::DisableFailed { error: e }
            }
        };
        switch.done(outcome);
        out.push(switch);
    }
    Ok(out)
}

/// The job's rules as live: (name, enabled), only those that exist.
async fn rule_states(
    clients: &Clients,
    job: &DesiredJob,
) -> Result<Vec<(String, bool)>, PlanError> {
    let mut out = Vec::new();
    for r in &job.resources {
        match clients.events.describe_rule().name(&r.name).send().await {
            Ok(rule) => out.push((
                r.name.clone(),
                rule.state().is_none_or(|s| s.as_str() == "ENABLED"),
            )),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) => {}
            Err(e) => {
                return Err(PlanError::new(
                    PlanProblemKind::Aws,
                    format!("cannot read rule `{}`: {}", r.name, sdk_error_text(e)),
                ));
            }
        }
    }
    Ok(out)
}

async fn disable_rules(
    clients: &Clients,
    job: &DesiredJob,
    states: &[(String, bool)],
) -> Result<(), String> {
    for (name, enabled) in states {
        if !enabled {
            continue;
        }
        let resource = job
            .resources
            .iter()
            .find(|r| &r.name == name)
            .ok_or("rule not in the manifest")?;
        clients
            .events
            .put_rule()
            .name(name)
            .schedule_expression(&resource.expression)
            .state(aws_sdk_eventbridge::types::RuleState::Disabled)
            .description(crate::render::description(job))
            .send()
            .await
            .map_err(sdk_error_text)?;
    }
    Ok(())
}

async fn delete_rules(clients: &Clients, states: &[(String, bool)]) -> Result<(), String> {
    for (name, _) in states {
        let targets = clients
            .events
            .list_targets_by_rule()
            .rule(name)
            .send()
            .await
            .map_err(sdk_error_text)?;
        let ids: Vec<String> = targets
            .targets()
            .iter()
            .map(|t| t.id().to_string())
            .collect();
        if !ids.is_empty() {
            clients
                .events
                .remove_targets()
                .rule(name)
                .set_ids(Some(ids))
                .send()
                .await
                .map_err(sdk_error_text)?;
        }
        clients
            .events
            .delete_rule()
            .name(name)
            .send()
            .await
            .map_err(sdk_error_text)?;
    }
    Ok(())
}

/// Checks the result of a cutover: whether each job has exactly one
/// enabled way to run (a schedule or rules), from what is live.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, manifest: cronport::manifest::Manifest) -> Result<(), cronport::plan::PlanError> {
/// let runners = cronport::aws::enabled_runners(&clients, &manifest, jiff::Timestamp::now()).await?;
/// let wrong: Vec<_> = runners.iter().filter(|(_, n)| *n != 1).collect();
/// assert!(wrong.is_empty(), "jobs with no or two runners: {wrong:?}");
/// # Ok(()) }
/// ```
pub async fn enabled_runners(
    clients: &Clients,
    manifest: &Manifest,
    now: Timestamp,
) -> Result<Vec<(String, usize)>, PlanError> {
    let (rules, scheduled) = crate::migration::both_backends(manifest, now)?;
    let mut out = Vec::new();
    for (rj, sj) in rules.jobs.iter().zip(&scheduled.jobs) {
        let mut count = rule_states(clients, rj).await?.iter().any(|(_, e)| *e) as usize;
        let group = &sj.job.target.schedule_group;
        for r in &sj.resources {
            if let Ok(s) = clients
                .scheduler
                .get_schedule()
                .group_name(group)
                .name(&r.name)
                .send()
                .await
            {
                count += usize::from(s.state().is_none_or(|st| st.as_str() == "ENABLED"));
            }
        }
        out.push((rj.job.name.clone(), count));
    }
    Ok(out)
}

/// Enables the rule `name` on the default event bus (`EnableRule`), as a
/// cutover does at its instant for a job held by `start_at`, giving up at
/// `deadline`. The SDK has retried what it retries; what is left says
/// whether another try later could help.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients) -> Result<(), cronport::aws::EnableError> {
/// let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
/// cronport::aws::enable_rule(&clients, "cronport-reports", deadline).await?;
/// # Ok(()) }
/// ```
pub async fn enable_rule(
    clients: &Clients,
    name: &str,
    deadline: tokio::time::Instant,
) -> Result<(), EnableError> {
    use aws_sdk_eventbridge::error::{ProvideErrorMetadata, SdkError};
    let call = clients.events.enable_rule().name(name).send();
    match tokio::time::timeout_at(deadline, call).await {
        Ok(Ok(_)) => Ok(()),
        Err(_) => Err(EnableError {
            transient: true,
            message: format!("EnableRule `{name}` had no answer in time"),
        }),
        Ok(Err(e)) => {
            let transient = match &e {
                SdkError::ServiceError(service) => {
                    service.raw().status().is_server_error()
                        || service.raw().status().as_u16() == 429
                        || e.code()
                            .is_some_and(|c| c.contains("Throttl") || c.contains("Concurrent"))
                }
                SdkError::ConstructionFailure(_) => false,
                _ => true,
            };
            Err(EnableError {
                transient,
                message: format!("cannot enable rule `{name}`: {}", sdk_error_text(e)),
            })
        }
    }
}

/// Why a rule could not be enabled.
///
/// ```
/// let e = cronport::aws::EnableError { transient: true, message: "503".into() };
/// assert_eq!(e.to_string(), "503");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EnableError {
    /// Whether another try later could succeed (throttling, a server
    /// error, no answer).
    pub transient: bool,
    /// What AWS said.
    pub message: String,
}
