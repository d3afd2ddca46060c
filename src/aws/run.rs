//! Run a job once, now: ECS RunTask with exactly the overrides its schedule
//! uses. The rehearsal before switching Heroku off.

use std::time::Duration;

use aws_sdk_ecs::types as ecs;

use super::{Clients, sdk_error_text};
use crate::desired::DesiredJob;

/// How one started task ended.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, desired: cronport::desired::Desired) -> Result<(), String> {
/// use std::time::Duration;
/// let job = &desired.jobs[0];
/// let arns = cronport::aws::run_now(&clients, job).await?;
/// let t = &job.job.target;
/// let stopped = cronport::aws::wait_stopped(&clients, &t.cluster, &t.container, &arns, Duration::from_secs(5), Duration::from_secs(3600), None).await?;
/// for task in &stopped {
///     println!("{}: exit {:?} ({})", task.task_arn, task.exit_code, task.reason);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// The task's ARN.
    pub task_arn: String,
    /// The job's container's exit code, when ECS reports one.
    pub exit_code: Option<i32>,
    /// Why the task stopped, as ECS says.
    pub reason: String,
}

/// Starts `job`'s task once, as its schedule would; returns the task ARNs.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, desired: cronport::desired::Desired) -> Result<(), String> {
/// // Rehearse a job before switching Heroku off: the same RunTask its schedule makes.
/// let job = desired.jobs.iter().find(|j| j.job.name == "rake-reports-daily").ok_or("no such job")?;
/// for arn in cronport::aws::run_now(&clients, job).await? {
///     println!("started {arn}");
/// }
/// # Ok(()) }
/// ```
pub async fn run_now(clients: &Clients, job: &DesiredJob) -> Result<Vec<String>, String> {
    // The job's one RunTask request: what its schedule's universal target
    // (or its rule) sends on every run, not a call of its own.
    let run = &job.run_task;
    let container = &run.overrides.container;
    let mut container_override = ecs::ContainerOverride::builder()
        .name(&container.name)
        .set_command(Some(container.command.clone()))
        .set_cpu(container.cpu.map(|n| n as i32))
        .set_memory(container.memory.map(|n| n as i32))
        .set_memory_reservation(container.memory_reservation.map(|n| n as i32));
    for (name, value) in &container.environment {
        container_override = container_override
            .environment(ecs::KeyValuePair::builder().name(name).value(value).build());
    }
    let overrides = ecs::TaskOverride::builder()
        .container_overrides(container_override.build())
        .set_cpu(run.overrides.cpu.map(|n| n.to_string()))
        .set_memory(run.overrides.memory.map(|n| n.to_string()));
    let mut request = clients
        .ecs
        .run_task()
        .cluster(&run.cluster)
        .task_definition(&run.task_definition)
        .count(run.count as i32)
        .set_started_by(run.started_by.clone())
        // No task group: a rehearsal is not one of the job's scheduled
        // runs, and `cronport verify` must not count it as one.
        .overrides(overrides.build());
    if let Some(launch) = run.launch_type {
        request = request.launch_type(ecs::LaunchType::from(launch.as_str()));
    }
    for c in &run.capacity_provider_strategy {
        let item = ecs::CapacityProviderStrategyItem::builder()
            .capacity_provider(&c.capacity_provider)
            .set_weight(c.weight.map(|w| w as i32))
            .set_base(c.base.map(|b| b as i32));
        request = request.capacity_provider_strategy(item.build().map_err(|e| e.to_string())?);
    }
    if let Some(v) = &run.platform_version {
        request = request.platform_version(v);
    }
    if let Some(network) = &run.network {
        let vpc = ecs::AwsVpcConfiguration::builder()
            .set_subnets(Some(network.subnets.clone()))
            .set_security_groups(
                (!network.security_groups.is_empty()).then(|| network.security_groups.clone()),
            )
            .assign_public_ip(if network.assign_public_ip {
                ecs::AssignPublicIp::Enabled
            } else {
                ecs::AssignPublicIp::Disabled
            })
            .build()
            .map_err(|e| e.to_string())?;
        request = request.network_configuration(
            ecs::NetworkConfiguration::builder()
                .awsvpc_configuration(vpc)
                .build(),
        );
    }
    let out = request
        .send()
        .await
        .map_err(|e| format!("RunTask failed: {}", sdk_error_text(e)))?;
    if let Some(f) = out.failures().first() {
        return Err(format!(
            "RunTask refused the task: {} {}",
            f.reason().unwrap_or_default(),
            f.detail().unwrap_or_default()
        ));
    }
    let arns: Vec<String> = out
        .tasks()
        .iter()
        .filter_map(|t| t.task_arn().map(str::to_string))
        .collect();
    if arns.is_empty() {
        return Err("RunTask started no task".to_string());
    }
    Ok(arns)
}

/// Waits until every task in `arns` has stopped, checking every `poll`,
/// for at most `timeout`.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, arns: Vec<String>) -> Result<(), String> {
/// use std::time::Duration;
/// let stopped = cronport::aws::wait_stopped(&clients, "production", "worker", &arns, Duration::from_secs(5), Duration::from_secs(600), None).await?;
/// let failed = stopped.iter().any(|t| t.exit_code != Some(0));
/// std::process::exit(i32::from(failed));
/// # }
/// ```
pub async fn wait_stopped(
    clients: &Clients,
    cluster: &str,
    container: &str,
    arns: &[String],
    poll: Duration,
    timeout: Duration,
    mut logs: Option<LogSink<'_>>,
) -> Result<Vec<Stopped>, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    let late = || {
        format!(
            "the task did not stop within {} s; it is still running",
            timeout.as_secs()
        )
    };
    loop {
        // Every call is held to the deadline: an ECS or CloudWatch Logs
        // that never answers does not stretch `--timeout`.
        if let Some((follower, print)) = logs.as_mut() {
            let lines = tokio::time::timeout_at(deadline, follower.poll(clients))
                .await
                .unwrap_or_default();
            for line in lines {
                print(&line);
            }
        }
        let described = clients
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(arns.to_vec()))
            .send();
        let out = tokio::time::timeout_at(deadline, described)
            .await
            .map_err(|_| {
                format!(
                    "{}; ECS did not answer DescribeTasks before the time was up",
                    late()
                )
            })?
            .map_err(|e| format!("DescribeTasks failed: {}", sdk_error_text(e)))?;
        let tasks = out.tasks();
        if tasks.len() == arns.len() && tasks.iter().all(|t| t.last_status() == Some("STOPPED")) {
            // The last lines a container wrote before it stopped.
            if let Some((follower, print)) = logs.as_mut() {
                for line in follower.poll(clients).await {
                    print(&line);
                }
            }
            return Ok(tasks
                .iter()
                .map(|t| Stopped {
                    task_arn: t.task_arn().unwrap_or_default().to_string(),
                    exit_code: t
                        .containers()
                        .iter()
                        .find(|c| c.name() == Some(container))
                        .and_then(|c| c.exit_code()),
                    reason: t.stopped_reason().unwrap_or("stopped").to_string(),
                })
                .collect());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(late());
        }
        tokio::time::sleep(
            poll.min(deadline.saturating_duration_since(tokio::time::Instant::now())),
        )
        .await;
    }
}

/// Where [`wait_stopped`] sends a run's log lines: the follower that reads
/// them and what prints each.
pub type LogSink<'a> = (&'a mut LogFollower, &'a mut (dyn FnMut(&str) + Send));

/// Follows the CloudWatch Logs streams of a run's container when its task
/// definition logs with the `awslogs` driver, as `heroku run` shows a
/// dyno's output: each poll returns the lines written since the last.
///
/// The stream of a task is `PREFIX/CONTAINER/TASK-ID` in the group of the
/// container's `awslogs-group` option (ECS's naming).
#[derive(Debug)]
pub struct LogFollower {
    group: String,
    streams: Vec<(String, Option<String>)>,
}

impl LogFollower {
    /// The follower for `arns` of `job`'s container, or why there is none
    /// (the container does not log with `awslogs`, or the task definition
    /// cannot be read).
    pub async fn for_run(
        clients: &Clients,
        job: &DesiredJob,
        arns: &[String],
    ) -> Result<LogFollower, String> {
        let t = &job.job.target;
        let (group, prefix) = awslogs_of(clients, t).await?;
        let streams = arns
            .iter()
            .map(|arn| (task_stream(&prefix, &t.container, arn), None))
            .collect();
        Ok(LogFollower { group, streams })
    }
}

/// The stream of task `arn`'s container: `PREFIX/CONTAINER/TASK-ID`.
pub(super) fn task_stream(prefix: &str, container: &str, arn: &str) -> String {
    let id = arn.rsplit('/').next().unwrap_or(arn);
    format!("{prefix}/{container}/{id}")
}

/// The log group and stream prefix of the target's container, from its
/// task definition's `awslogs` options; or why it has none.
pub(super) async fn awslogs_of(
    clients: &Clients,
    t: &crate::manifest::EcsTarget,
) -> Result<(String, String), String> {
    {
        let out = clients
            .ecs
            .describe_task_definition()
            .task_definition(&t.task_definition)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "cannot read task definition `{}`: {}",
                    t.task_definition,
                    sdk_error_text(e)
                )
            })?;
        let container = out
            .task_definition()
            .and_then(|d| {
                d.container_definitions()
                    .iter()
                    .find(|c| c.name() == Some(t.container.as_str()))
            })
            .ok_or_else(|| {
                format!(
                    "task definition `{}` has no container `{}`",
                    t.task_definition, t.container
                )
            })?;
        let config = container
            .log_configuration()
            .filter(|c| c.log_driver().as_str() == "awslogs")
            .ok_or_else(|| format!("container `{}` does not log with the awslogs driver, so there are no CloudWatch Logs to follow", t.container))?;
        let options = config.options().cloned().unwrap_or_default();
        let group = options
            .get("awslogs-group")
            .cloned()
            .ok_or_else(|| "the awslogs driver has no awslogs-group option".to_string())?;
        let prefix = options.get("awslogs-stream-prefix").cloned().ok_or_else(|| {
            "the awslogs driver has no awslogs-stream-prefix, so the stream names cannot be known".to_string()
        })?;
        Ok((group, prefix))
    }
}

impl LogFollower {
    /// The stream names followed.
    pub fn streams(&self) -> Vec<&str> {
        self.streams.iter().map(|(s, _)| s.as_str()).collect()
    }

    /// The lines written since the last poll; a stream that does not exist
    /// yet (the container has not started) gives none.
    pub async fn poll(&mut self, clients: &Clients) -> Vec<String> {
        let mut lines = Vec::new();
        for (stream, token) in &mut self.streams {
            loop {
                let out = clients
                    .logs
                    .get_log_events()
                    .log_group_name(&self.group)
                    .log_stream_name(stream.as_str())
                    .start_from_head(true)
                    .set_next_token(token.clone())
                    .send()
                    .await;
                let Ok(out) = out else { break };
                lines.extend(
                    out.events()
                        .iter()
                        .filter_map(|e| e.message().map(str::to_string)),
                );
                let next = out.next_forward_token().map(str::to_string);
                // The same token again means no more events for now.
                let done = next.is_none() || next == *token || out.events().is_empty();
                *token = next.or(token.take());
                if done {
                    break;
                }
            }
        }
        lines
    }
}

/// How long [`rehearse`] waits for each job's task, and how often it looks.
///
/// ```
/// let wait = cronport::aws::Waiting { poll: std::time::Duration::from_secs(5), timeout: std::time::Duration::from_secs(3600) };
/// assert!(wait.poll < wait.timeout);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// Time between checks.
    pub poll: Duration,
    /// Give up after this long.
    pub timeout: Duration,
}

/// Lines of a run's log kept for the rehearsal table.
pub const REHEARSAL_LOG_LINES: usize = 5;

/// How one job's rehearsal went.
///
/// ```
/// use cronport::aws::{Rehearsal, RehearsalOutcome};
/// let r = Rehearsal { job: "reports".into(), outcome: RehearsalOutcome::Exited(3), ..Rehearsal::default() };
/// assert!(!r.passed());
/// assert_eq!(r.outcome.to_string(), "exited 3");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Rehearsal {
    /// The job's name.
    pub job: String,
    /// What happened.
    pub outcome: RehearsalOutcome,
    /// The tasks started (their ARNs).
    pub tasks: Vec<String>,
    /// From RunTask to the last task's stop, when waited for.
    pub seconds: Option<u64>,
    /// The last lines the job's container logged (CloudWatch Logs), oldest
    /// first, at most [`REHEARSAL_LOG_LINES`].
    pub last_lines: Vec<String>,
}

impl Rehearsal {
    /// Whether the job passed: exited 0 (or started, when not waited for),
    /// or was skipped by the manifest.
    ///
    /// ```
    /// use cronport::aws::{Rehearsal, RehearsalOutcome};
    /// assert!(Rehearsal { outcome: RehearsalOutcome::Exited(0), ..Rehearsal::default() }.passed());
    /// assert!(Rehearsal { outcome: RehearsalOutcome::Skipped("sends mail".into()), ..Rehearsal::default() }.passed());
    /// ```
    pub fn passed(&self) -> bool {
        matches!(
            self.outcome,
            RehearsalOutcome::Exited(0) | RehearsalOutcome::Started | RehearsalOutcome::Skipped(_)
        )
    }
}

/// What a job's rehearsal came to.
///
/// ```
/// use cronport::aws::RehearsalOutcome;
/// assert_eq!(RehearsalOutcome::Skipped("sends mail".into()).to_string(), "skipped: sends mail");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "kebab-case")]
pub enum RehearsalOutcome {
    /// Not run yet.
    #[default]
    Pending,
    /// Started; not waited for.
    Started,
    /// Its container exited with this code (the first non-zero of its
    /// tasks, else 0).
    Exited(i32),
    /// Its task stopped without an exit code from its container (it did
    /// not start: an image pull or resource error), with ECS's reason.
    NoExitCode(String),
    /// Skipped by the manifest (`rehearse`), with the reason.
    Skipped(String),
    /// RunTask or the wait failed.
    Error(String),
}

impl std::fmt::Display for RehearsalOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RehearsalOutcome::Pending => f.write_str("pending"),
            RehearsalOutcome::Started => f.write_str("started"),
            RehearsalOutcome::Exited(code) => write!(f, "exited {code}"),
            RehearsalOutcome::NoExitCode(reason) => {
                write!(f, "stopped without an exit code: {reason}")
            }
            RehearsalOutcome::Skipped(reason) => write!(f, "skipped: {reason}"),
            RehearsalOutcome::Error(e) => write!(f, "error: {e}"),
        }
    }
}

/// Starts every job of `desired` once, `concurrency` at a time, with
/// exactly its schedule's RunTask request; with `wait`, waits for each to
/// stop and keeps the last lines its container logged. `progress` hears
/// each job as it finishes. Results are in manifest order.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, desired: cronport::desired::Desired) {
/// use std::time::Duration;
/// use cronport::aws::{rehearse, Waiting};
/// let wait = Waiting { poll: Duration::from_secs(5), timeout: Duration::from_secs(3600) };
/// let all = rehearse(&clients, &desired, Some(wait), 4, &|r| eprintln!("{}: {}", r.job, r.outcome)).await;
/// let failed: Vec<&str> = all.iter().filter(|r| !r.passed()).map(|r| r.job.as_str()).collect();
/// println!("failed: {failed:?}");
/// # }
/// ```
pub async fn rehearse(
    clients: &Clients,
    desired: &crate::desired::Desired,
    wait: Option<Waiting>,
    concurrency: usize,
    progress: &(dyn Fn(&Rehearsal) + Sync),
) -> Vec<Rehearsal> {
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut results: Vec<Rehearsal> = desired
        .jobs
        .iter()
        .map(|j| Rehearsal {
            job: j.job.name.clone(),
            ..Rehearsal::default()
        })
        .collect();
    let mut spawned = std::collections::HashMap::new();
    for (i, job) in desired.jobs.iter().enumerate() {
        if let Some(reason) = &job.job.skip_rehearsal {
            results[i].outcome = RehearsalOutcome::Skipped(reason.clone());
            progress(&results[i]);
            continue;
        }
        let (clients, job, limit) = (clients.clone(), job.clone(), limit.clone());
        let task = tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (i, rehearse_one(&clients, &job, wait).await)
        });
        spawned.insert(task.id(), i);
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((i, rehearsal)) => {
                progress(&rehearsal);
                results[i] = rehearsal;
            }
            // A task that panicked or was cancelled: its job's outcome
            // says so (the library prints nothing).
            Err(e) => {
                if let Some(&i) = spawned.get(&e.id()) {
                    results[i].outcome =
                        RehearsalOutcome::Error(format!("the rehearsal task failed: {e}"));
                    progress(&results[i]);
                }
            }
        }
    }
    results
}

/// One job's rehearsal.
async fn rehearse_one(clients: &Clients, job: &DesiredJob, wait: Option<Waiting>) -> Rehearsal {
    let mut rehearsal = Rehearsal {
        job: job.job.name.clone(),
        ..Rehearsal::default()
    };
    let started = tokio::time::Instant::now();
    match run_now(clients, job).await {
        Ok(arns) => rehearsal.tasks = arns,
        Err(e) => {
            rehearsal.outcome = RehearsalOutcome::Error(e);
            return rehearsal;
        }
    }
    let Some(wait) = wait else {
        rehearsal.outcome = RehearsalOutcome::Started;
        return rehearsal;
    };
    let mut follower = LogFollower::for_run(clients, job, &rehearsal.tasks)
        .await
        .ok();
    let mut lines: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    let mut keep = |line: &str| {
        if lines.len() == REHEARSAL_LOG_LINES {
            lines.pop_front();
        }
        lines.push_back(line.to_string());
    };
    let t = &job.job.target;
    let stopped = wait_stopped(
        clients,
        &t.cluster,
        &t.container,
        &rehearsal.tasks,
        wait.poll,
        wait.timeout,
        follower
            .as_mut()
            .map(|f| (f, &mut keep as &mut (dyn FnMut(&str) + Send))),
    )
    .await;
    rehearsal.seconds = Some(started.elapsed().as_secs());
    rehearsal.last_lines = lines.into_iter().collect();
    rehearsal.outcome = match stopped {
        Err(e) => RehearsalOutcome::Error(e),
        Ok(stopped) => match stopped.iter().find(|s| s.exit_code != Some(0)) {
            None => RehearsalOutcome::Exited(0),
            Some(Stopped {
                exit_code: Some(code),
                ..
            }) => RehearsalOutcome::Exited(*code),
            Some(s) => RehearsalOutcome::NoExitCode(s.reason.clone()),
        },
    };
    rehearsal
}
