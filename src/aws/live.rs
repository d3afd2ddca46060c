//! Reading what is live on AWS: every page, nothing written.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Clients, sdk_error_text};
use crate::Hint;
use crate::desired::Desired;
use crate::fit::{ContainerDefinition, ContainerFacts, TaskDefinitionFacts};
use crate::plan::{
    DEFAULT_RETRY, LiveAlertRule, LiveRule, LiveRunRecord, LiveState, PlanError, PlanProblem,
    PlanProblemKind, RetrySpec, RuleSpec, ScheduleSpec, Warning, alert_owner,
    normalize_overrides_input, normalize_run_task_input, record_owner,
};

fn failed(what: String) -> PlanError {
    PlanError::new(PlanProblemKind::Aws, what)
}

/// Every schedule in `group`, read in full.
pub(super) async fn schedules(
    clients: &Clients,
    group: &str,
) -> Result<BTreeMap<String, ScheduleSpec>, PlanError> {
    let mut names = Vec::new();
    let mut pages = clients
        .scheduler
        .list_schedules()
        .group_name(group)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            failed(format!(
                "cannot list schedules in `{group}`: {}",
                sdk_error_text(e)
            ))
        })?;
        names.extend(
            page.schedules()
                .iter()
                .filter_map(|s| s.name().map(str::to_string)),
        );
    }
    let group_name = group.to_string();
    let read = each_at_most(
        READS_AT_ONCE,
        names,
        move |clients: Clients, name: String| {
            let group = group_name.clone();
            async move {
                let answer = clients
                    .scheduler
                    .get_schedule()
                    .name(&name)
                    .group_name(&group)
                    .send()
                    .await;
                answer
                    .map(|s| schedule_spec(&name, &group, &s))
                    .map_err(|e| {
                        format!(
                            "cannot read schedule `{group}/{name}`: {}",
                            sdk_error_text(e)
                        )
                    })
            }
        },
        clients,
    )
    .await;
    let mut out = BTreeMap::new();
    for spec in read {
        let spec = spec.map_err(failed)?;
        out.insert(spec.name.clone(), spec);
    }
    Ok(out)
}

/// How many reads run at once.
const READS_AT_ONCE: usize = 16;

/// Runs `f` for every item, `limit` at a time; answers in item order.
async fn each_at_most<T, R, F, Fut>(limit: usize, items: Vec<T>, f: F, clients: &Clients) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(Clients, T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = R> + Send + 'static,
{
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(limit));
    let f = std::sync::Arc::new(f);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let (limit, f, clients) = (limit.clone(), f.clone(), clients.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (i, f(clients, item).await)
        });
    }
    let mut answers = Vec::new();
    while let Some(Ok(answer)) = tasks.join_next().await {
        answers.push(answer);
    }
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, r)| r).collect()
}

fn schedule_spec(
    name: &str,
    group: &str,
    s: &aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput,
) -> ScheduleSpec {
    let target = s.target();
    let retry = target.and_then(|t| t.retry_policy());
    let (input, input_casing) =
        normalize_run_task_input(parse_input(target.and_then(|t| t.input())));
    ScheduleSpec {
        name: name.to_string(),
        group: group.to_string(),
        expression: s.schedule_expression().unwrap_or_default().to_string(),
        timezone: s
            .schedule_expression_timezone()
            .unwrap_or("UTC")
            .to_string(),
        state: s.state().map_or("ENABLED", |st| st.as_str()).to_string(),
        description: s.description().unwrap_or_default().to_string(),
        target_arn: target.map(|t| t.arn().to_string()).unwrap_or_default(),
        role_arn: target.map(|t| t.role_arn().to_string()).unwrap_or_default(),
        input,
        input_casing,
        start_date: s
            .start_date()
            .and_then(|d| jiff::Timestamp::new(d.secs(), d.subsec_nanos() as i32).ok()),
        flexible_window_minutes: s
            .flexible_time_window()
            .filter(|w| w.mode() == &aws_sdk_scheduler::types::FlexibleTimeWindowMode::Flexible)
            .and_then(|w| w.maximum_window_in_minutes())
            .map(|m| m as u32),
        retry: retry_spec(
            retry.and_then(|r| r.maximum_retry_attempts()),
            retry.and_then(|r| r.maximum_event_age_in_seconds()),
        ),
        dead_letter_queue: target
            .and_then(|t| t.dead_letter_config())
            .and_then(|d| d.arn())
            .map(str::to_string),
    }
}

/// A retry policy as read, AWS's defaults where it says nothing.
fn retry_spec(attempts: Option<i32>, age: Option<i32>) -> RetrySpec {
    RetrySpec {
        maximum_retry_attempts: attempts.map_or(DEFAULT_RETRY.maximum_retry_attempts, |n| n as u32),
        maximum_event_age_in_seconds: age
            .map_or(DEFAULT_RETRY.maximum_event_age_in_seconds, |n| n as u32),
    }
}

fn parse_input(input: Option<&str>) -> Value {
    input.map_or(Value::Null, |text| {
        serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
    })
}

/// Rules by name as a plan compares them: as a job's rule, as a run
/// record's rule would be (its pattern, state, log group and tags), and as
/// an alert rule would be.
pub(super) struct ReadRules {
    pub(super) jobs: BTreeMap<String, LiveRule>,
    records: BTreeMap<String, LiveRunRecord>,
    alerts: BTreeMap<String, LiveAlertRule>,
}

/// Every rule whose name starts with `prefix`, with targets and tags, read
/// once for both views.
pub(super) async fn rules(clients: &Clients, prefix: &str) -> Result<ReadRules, PlanError> {
    // AWS takes no empty NamePrefix: "every rule" is no prefix at all.
    let names = rule_names(clients, Some(prefix).filter(|p| !p.is_empty())).await?;
    let read = each_at_most(
        READS_AT_ONCE,
        names,
        |clients: Clients, name: String| async move { read_rule(&clients, name).await },
        clients,
    )
    .await;
    let mut out = ReadRules {
        jobs: BTreeMap::new(),
        records: BTreeMap::new(),
        alerts: BTreeMap::new(),
    };
    for rule in read {
        let (name, live, record, alert) = rule.map_err(failed)?;
        out.records.insert(name.clone(), record);
        out.alerts.insert(name.clone(), alert);
        out.jobs.insert(name, live);
    }
    Ok(out)
}

async fn read_rule(
    clients: &Clients,
    name: String,
) -> Result<(String, LiveRule, LiveRunRecord, LiveAlertRule), String> {
    let rule = clients
        .events
        .describe_rule()
        .name(&name)
        .send()
        .await
        .map_err(|e| format!("cannot read rule `{name}`: {}", sdk_error_text(e)))?;
    let tags = rule_tags(clients, &name, rule.arn()).await?;
    let managed = tags.get("managed-by").is_some_and(|v| v == "cronport");
    let targets = clients
        .events
        .list_targets_by_rule()
        .rule(&name)
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot read the targets of rule `{name}`: {}",
                sdk_error_text(e)
            )
        })?;
    let record = LiveRunRecord {
        rule: Some((
            rule.event_pattern()
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or(Value::Null),
            rule.state().map_or("ENABLED", |s| s.as_str()).to_string(),
            targets
                .targets()
                .iter()
                .find(|t| t.id() == crate::render::RECORD_TARGET)
                .and_then(|t| t.arn().split_once("log-group:"))
                .map(|(_, group)| group.trim_end_matches(":*").to_string()),
        )),
        rule_tags: Some(tags.clone()),
        ..LiveRunRecord::default()
    };
    let alert = LiveAlertRule {
        rule: record
            .rule
            .clone()
            .map(|(p, s, _)| (p, s))
            .unwrap_or_default(),
        target: targets
            .targets()
            .iter()
            .find(|t| t.id() == crate::render::ALERT_TARGET)
            .map(|t| {
                let transformer = t.input_transformer();
                (
                    t.arn().to_string(),
                    transformer
                        .and_then(|i| i.input_paths_map())
                        .map(|m| m.clone().into_iter().collect())
                        .unwrap_or_default(),
                    transformer
                        .map(|i| i.input_template().to_string())
                        .unwrap_or_default(),
                )
            }),
        tags: tags.clone(),
    };
    let ours = targets.targets().iter().find(|t| t.id() == "cronport");
    let extra_targets = targets
        .targets()
        .iter()
        .map(|t| t.id().to_string())
        .filter(|id| id != "cronport")
        .collect();
    let spec = ours.map(|t| {
        let ecs = t.ecs_parameters();
        let vpc = ecs
            .and_then(|e| e.network_configuration())
            .and_then(|n| n.awsvpc_configuration());
        let retry = t.retry_policy();
        let (input, input_casing) = normalize_overrides_input(parse_input(t.input()));
        RuleSpec {
            name: name.clone(),
            expression: rule.schedule_expression().unwrap_or_default().to_string(),
            state: rule.state().map_or("ENABLED", |s| s.as_str()).to_string(),
            description: rule.description().unwrap_or_default().to_string(),
            target_id: t.id().to_string(),
            cluster: t.arn().to_string(),
            role_arn: t.role_arn().unwrap_or_default().to_string(),
            input,
            input_casing,
            task_definition: ecs
                .map(|e| e.task_definition_arn().to_string())
                .unwrap_or_default(),
            task_count: ecs.and_then(|e| e.task_count()).map_or(1, |n| n as u32),
            launch_type: ecs
                .and_then(|e| e.launch_type())
                .map(|l| l.as_str().to_string()),
            platform_version: ecs.and_then(|e| e.platform_version()).map(str::to_string),
            subnets: vpc.map(|v| v.subnets().to_vec()).unwrap_or_default(),
            security_groups: vpc
                .map(|v| v.security_groups().to_vec())
                .unwrap_or_default(),
            assign_public_ip: vpc
                .and_then(|v| v.assign_public_ip())
                .map(|a| a.as_str().to_string()),
            capacity_providers: ecs
                .map(|e| {
                    e.capacity_provider_strategy()
                        .iter()
                        .map(|c| {
                            (
                                c.capacity_provider().to_string(),
                                c.weight() as u32,
                                c.base() as u32,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            group: ecs.and_then(|e| e.group()).map(str::to_string),
            retry: retry_spec(
                retry.and_then(|r| r.maximum_retry_attempts()),
                retry.and_then(|r| r.maximum_event_age_in_seconds()),
            ),
            dead_letter_queue: t
                .dead_letter_config()
                .and_then(|d| d.arn())
                .map(str::to_string),
            tags: tags.clone(),
        }
    });
    Ok((
        name,
        LiveRule {
            owner: crate::owner::Owner::from_tags(&tags),
            managed,
            spec,
            extra_targets,
        },
        record,
        alert,
    ))
}

/// The names of the rules on the default event bus, all pages; only those
/// starting with `prefix` when given.
pub(super) async fn rule_names(
    clients: &Clients,
    prefix: Option<&str>,
) -> Result<Vec<String>, PlanError> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = clients
            .events
            .list_rules()
            .set_name_prefix(prefix.map(str::to_string));
        if let Some(t) = &token {
            request = request.next_token(t);
        }
        let page = request
            .send()
            .await
            .map_err(|e| failed(format!("cannot list rules: {}", sdk_error_text(e))))?;
        names.extend(
            page.rules()
                .iter()
                .filter_map(|r| r.name().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(names);
        }
    }
}

/// Checks every cluster, task definition and container the jobs name,
/// listing every problem, before anything is written.
pub(super) async fn check_targets(
    clients: &Clients,
    desired: &Desired,
) -> Result<TaskDefinitionFacts, PlanError> {
    let mut problems = Vec::new();
    let mut facts = TaskDefinitionFacts::new();
    let clusters: BTreeSet<&str> = desired
        .jobs
        .iter()
        .map(|j| j.job.target.cluster.as_str())
        .collect();
    for cluster in clusters {
        match clients
            .ecs
            .describe_clusters()
            .clusters(cluster)
            .send()
            .await
        {
            // ECS lists a cluster it does not have under `failures`: an
            // answer with neither is no ECS answer (an empty 200 from a
            // wrong endpoint).
            Ok(out) if out.clusters().is_empty() && out.failures().is_empty() => {
                problems.push(PlanProblem::new(
                    PlanProblemKind::Aws,
                    format!("cannot check cluster `{cluster}`: the endpoint's answer names no cluster and no failure, which ECS always does; check the region and the endpoint (--endpoint-url, AWS_ENDPOINT_URL)"),
                ));
            }
            Ok(out) => {
                let active = out.clusters().iter().any(|c| c.status() == Some("ACTIVE"));
                if !active {
                    problems.push(PlanProblem::new(PlanProblemKind::Target, format!("cluster `{cluster}` does not exist (or is not ACTIVE) in this account and region; check `cluster` in the manifest")).with_hint(Hint::AccountAndRegion));
                }
            }
            Err(e) => problems.push(PlanProblem::new(
                PlanProblemKind::Aws,
                format!("cannot check cluster `{cluster}`: {}", sdk_error_text(e)),
            )),
        }
    }
    let mut checked: BTreeMap<(&str, &str), ()> = BTreeMap::new();
    for job in &desired.jobs {
        let t = &job.job.target;
        if checked
            .insert((t.task_definition.as_str(), t.container.as_str()), ())
            .is_some()
        {
            continue;
        }
        match clients
            .ecs
            .describe_task_definition()
            .task_definition(&t.task_definition)
            .send()
            .await
        {
            Ok(out) => {
                let Some(def) = out.task_definition() else {
                    problems.push(PlanProblem::new(
                        PlanProblemKind::Target,
                        format!(
                            "task definition `{}` (job {}) was not in the endpoint's answer, which ECS never does: check the region and the endpoint (--endpoint-url, AWS_ENDPOINT_URL)",
                            t.task_definition, job.job.name
                        ),
                    ));
                    continue;
                };
                let names: Vec<&str> = def
                    .container_definitions()
                    .iter()
                    .filter_map(|c| c.name())
                    .collect();
                let arn = def.task_definition_arn().unwrap_or(&t.task_definition);
                let containers: Vec<ContainerDefinition> = def
                    .container_definitions()
                    .iter()
                    .map(|c| ContainerDefinition {
                        name: c.name().unwrap_or_default().to_string(),
                        entry_point: c.entry_point().to_vec(),
                        cpu: Some(i64::from(c.cpu())),
                        memory: c.memory().map(i64::from),
                        memory_reservation: c.memory_reservation().map(i64::from),
                    })
                    .collect();
                if let Some(found) = ContainerFacts::of(arn, &containers, &t.container) {
                    facts.insert((t.task_definition.clone(), t.container.clone()), found);
                }
                if !names.contains(&t.container.as_str()) {
                    problems.push(PlanProblem::new(
                        PlanProblemKind::Target,
                        format!(
                            "task definition `{}` (job {}) has no container `{}`; it has {}",
                            def.task_definition_arn().unwrap_or(&t.task_definition),
                            job.job.name,
                            t.container,
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
            // ECS says ClientException for a task definition it does not
            // have; anything else is a failure to ask, not an answer.
            Err(e) if super::refused_with(&e, "ClientException") => {
                problems.push(PlanProblem::new(
                    PlanProblemKind::Target,
                    format!(
                        "task definition `{}` (job {}) cannot be found: {}",
                        t.task_definition,
                        job.job.name,
                        sdk_error_text(e)
                    ),
                ))
            }
            Err(e) => problems.push(PlanProblem::new(
                PlanProblemKind::Aws,
                format!(
                    "cannot read task definition `{}` (job {}): {}",
                    t.task_definition,
                    job.job.name,
                    sdk_error_text(e)
                ),
            )),
        }
    }
    if problems.is_empty() {
        Ok(facts)
    } else {
        Err(PlanError { problems })
    }
}

/// Reads each role the jobs assume (IAM `GetRole`) and checks that it
/// trusts the service that will assume it: a schedule whose role trusts
/// only `events.amazonaws.com` is created fine and then never runs. A
/// missing role or a wrong trust is a problem; a role cronport may not read
/// (no `iam:GetRole`) is a warning, since the rest of the plan still holds.
pub(super) async fn check_roles(
    clients: &Clients,
    desired: &Desired,
) -> Result<Vec<Warning>, PlanError> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for role in crate::render::roles(desired, &[]) {
        let answer = clients.iam.get_role().role_name(&role.name).send().await;
        // GetRole asks by name; the manifest's ARN also names an account
        // and a path, which must be the ones found.
        if let Ok(out) = &answer
            && let Some(found) = out.role().map(|r| r.arn())
            && found != role.arn
        {
            problems.push(
                PlanProblem::new(
                    PlanProblemKind::Target,
                    format!(
                        "role_arn `{}` is not the role found under that name here, `{found}`: check the role's path",
                        role.arn
                    ),
                )
                .with_hint(Hint::Account),
            );
            continue;
        }
        let document = match answer {
            Ok(out) => out
                .role()
                .and_then(|r| r.assume_role_policy_document())
                .map(|d| {
                    percent_encoding::percent_decode_str(d)
                        .decode_utf8_lossy()
                        .to_string()
                })
                .unwrap_or_default(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                problems.push(
                    PlanProblem::new(
                        PlanProblemKind::Target,
                        format!(
                            "role `{}` does not exist in this account: create it first",
                            role.arn
                        ),
                    )
                    .with_hint(Hint::RenderRole),
                );
                continue;
            }
            Err(e) => {
                warnings.push(Warning::RoleUnread {
                    role: role.arn.clone(),
                    error: sdk_error_text(e),
                    principals: role.principals.iter().map(|p| p.to_string()).collect(),
                });
                continue;
            }
        };
        let trusted = trusted_services(&document);
        let missing: Vec<&str> = role
            .principals
            .iter()
            .copied()
            .filter(|p| !trusted.iter().any(|t| t == p))
            .collect();
        if !missing.is_empty() {
            problems.push(PlanProblem::new(PlanProblemKind::Target, format!(
                "role `{}` does not trust {} (it trusts {}), so the schedules could not assume it and would never run: add the service to its trust policy",
                role.arn,
                missing.join(" and "),
                if trusted.is_empty() {
                    "no service".to_string()
                } else {
                    trusted.join(", ")
                }
            )).with_hint(Hint::RenderRole));
        }
    }
    if problems.is_empty() {
        Ok(warnings)
    } else {
        Err(PlanError { problems })
    }
}

/// The services a trust policy lets assume the role (`sts:AssumeRole`).
fn trusted_services(document: &str) -> Vec<String> {
    let Ok(policy) = serde_json::from_str::<Value>(document) else {
        return Vec::new();
    };
    let as_list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    statements
        .iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter(|s| {
            as_list(s.get("Action"))
                .iter()
                .any(|a| a == "sts:AssumeRole" || a == "sts:*" || a == "*")
        })
        .flat_map(|s| as_list(s.get("Principal").and_then(|p| p.get("Service"))))
        .collect()
}

/// Everything a plan compares: every schedule group with its tags, the
/// schedules in each group cronport manages or the manifest wants, and
/// every rule on the default bus with its tags and targets. Ownership is
/// decided afterwards, from the records read here, by [`super::compare`].
pub(super) async fn read(clients: &Clients, desired: &Desired) -> Result<LiveState, PlanError> {
    let mut state = LiveState {
        read_at: Some(jiff::Timestamp::now()),
        ..LiveState::default()
    };
    let wanted = desired.schedule_groups();
    for (name, arn) in groups(clients).await? {
        let tags = match arn {
            Some(arn) => group_tags(clients, &name, &arn).await?,
            None => BTreeMap::new(),
        };
        state.groups.insert(name, tags);
    }
    let to_read: Vec<String> = state
        .groups
        .iter()
        .filter(|(name, tags)| {
            // `default` is in every account, untagged, and cronport writes
            // to it when a manifest says so: its schedules are read too.
            name.as_str() == "default"
                || wanted.contains_key(*name)
                || tags.get("managed-by").map(String::as_str) == Some("cronport")
        })
        .map(|(name, _)| name.clone())
        .collect();
    for group in to_read {
        for (name, spec) in schedules(clients, &group).await? {
            state.schedules.insert((group.clone(), name), spec);
        }
    }
    let read = rules(clients, "").await?;
    state.rules = read.jobs;
    state.run_records = run_records(clients, desired, read.records).await?;
    state.alert_rules = read.alerts;
    // The alert rules, and whatever holds a wanted alert rule's name.
    state.alert_rules.retain(|name, a| {
        desired.alerts.iter().any(|w| &w.rule == name) || alert_owner(&a.tags).is_some()
    });
    Ok(state)
}

/// The run records a plan compares, from the rules already read: every
/// rule tagged as a record, and the desired record's rule with its log
/// group and policy.
async fn run_records(
    clients: &Clients,
    desired: &Desired,
    mut rules: BTreeMap<String, LiveRunRecord>,
) -> Result<BTreeMap<String, LiveRunRecord>, PlanError> {
    let wanted = desired.run_record.as_ref();
    // The records' rules, and whatever holds the wanted record's name.
    rules.retain(|name, r| {
        wanted.is_some_and(|w| &w.rule == name)
            || r.rule_tags.as_ref().and_then(record_owner).is_some()
    });
    let mut out = rules;
    if let Some(record) = wanted {
        let entry = out.entry(record.rule.clone()).or_default();
        let groups = clients
            .logs
            .describe_log_groups()
            .log_group_name_prefix(&record.log_group)
            .send()
            .await
            .map_err(|e| failed(format!("cannot list log groups: {}", sdk_error_text(e))))?;
        if let Some(group) = groups
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(record.log_group.as_str()))
        {
            entry.retention_days = group.retention_in_days().map(|d| d as u32);
            let arn = group.arn().unwrap_or_default().trim_end_matches(":*");
            let tags = clients
                .logs
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
                .map_err(|e| {
                    failed(format!(
                        "cannot read the tags of log group `{}`: {}",
                        record.log_group,
                        sdk_error_text(e)
                    ))
                })?;
            entry.log_group_tags = Some(
                tags.tags()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
            );
        }
        let policies = clients
            .logs
            .describe_resource_policies()
            .send()
            .await
            .map_err(|e| {
                failed(format!(
                    "cannot list log resource policies: {}",
                    sdk_error_text(e)
                ))
            })?;
        entry.policy_grants = policies
            .resource_policies()
            .iter()
            .find(|p| p.policy_name() == Some(record.policy.as_str()))
            .map(|p| policy_grants(p.policy_document().unwrap_or_default()));
    }
    Ok(out)
}

/// What a resource policy document lets be written to: its first
/// statement's `Resource`, from `log-group:` on.
fn policy_grants(document: &str) -> String {
    let resource = serde_json::from_str::<serde_json::Value>(document)
        .ok()
        .and_then(|d| d["Statement"][0]["Resource"].as_str().map(str::to_string))
        .unwrap_or_default();
    match resource.find("log-group:") {
        Some(i) => resource[i..].to_string(),
        None => resource,
    }
}

/// A rule's tags (none without an ARN).
async fn rule_tags(
    clients: &Clients,
    name: &str,
    arn: Option<&str>,
) -> Result<BTreeMap<String, String>, String> {
    let Some(arn) = arn else {
        return Ok(BTreeMap::new());
    };
    let tags = clients
        .events
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot read the tags of rule `{name}`: {}",
                sdk_error_text(e)
            )
        })?;
    Ok(tags
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

/// Every schedule group's name and ARN, all pages.
async fn groups(clients: &Clients) -> Result<Vec<(String, Option<String>)>, PlanError> {
    let mut groups = Vec::new();
    let mut pages = clients
        .scheduler
        .list_schedule_groups()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            failed(format!(
                "cannot list schedule groups: {}",
                sdk_error_text(e)
            ))
        })?;
        groups.extend(
            page.schedule_groups()
                .iter()
                .filter_map(|g| Some((g.name()?.to_string(), g.arn().map(str::to_string)))),
        );
    }
    Ok(groups)
}

/// A schedule group's tags (its ARN came with the listing, so no
/// `GetScheduleGroup` per group).
async fn group_tags(
    clients: &Clients,
    name: &str,
    arn: &str,
) -> Result<BTreeMap<String, String>, PlanError> {
    let tags = clients
        .scheduler
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| {
            failed(format!(
                "cannot read the tags of schedule group `{name}`: {}",
                sdk_error_text(e)
            ))
        })?;
    Ok(tags
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policies_name_their_services() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        assert_eq!(trusted_services(policy), ["events.amazonaws.com"]);
        let both = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["scheduler.amazonaws.com","events.amazonaws.com"]},"Action":["sts:AssumeRole"]}}"#;
        assert_eq!(trusted_services(both).len(), 2);
        assert!(trusted_services("not json").is_empty());
    }
}
