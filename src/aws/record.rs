//! Reading a run record: the ECS task events its rule copied to its log
//! group, for `cronport verify`.

use jiff::Timestamp;

use super::{Clients, sdk_error_text};

/// Each event in `log_group` logged in `[from, until)`, handed to `each`
/// as its JSON text (a log event's message is one `ECS Task State Change`
/// event as EventBridge delivered it), page by page: a month of a
/// thousand jobs' runs is never held at once. Returns how many were read.
///
/// ```no_run
/// # async fn demo(clients: &cronport::aws::Clients, judge: &mut cronport::verify::Judge) -> Result<(), String> {
/// let from = "2026-12-01T00:00:00Z".parse().unwrap();
/// let read = cronport::aws::read_run_record(clients, "/aws/events/cronport/shop", from, jiff::Timestamp::now(), |event| {
///     judge.add_json(event).map_err(|e| e.to_string())
/// }).await?;
/// println!("{read} events");
/// # Ok(()) }
/// ```
pub async fn read_run_record(
    clients: &Clients,
    log_group: &str,
    from: Timestamp,
    until: Timestamp,
    mut each: impl FnMut(&str) -> Result<(), String>,
) -> Result<usize, String> {
    let mut read = 0;
    let mut pages = clients
        .logs
        .filter_log_events()
        .log_group_name(log_group)
        .start_time(from.as_millisecond())
        .end_time(until.as_millisecond())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            format!(
                "cannot read the run record in log group `{log_group}`: {}",
                sdk_error_text(e)
            )
        })?;
        for event in page.events() {
            each(event.message().unwrap_or_default())
                .map_err(|e| format!("log group `{log_group}`: {e}"))?;
            read += 1;
        }
    }
    Ok(read)
}

/// The last `n` lines task `task_arn` of `target`'s job logged (its
/// container's `awslogs` stream), oldest first: what a failed run said
/// last. An error says why there are none (no `awslogs` driver, a task
/// definition that cannot be read, a stream gone with its retention).
///
/// ```no_run
/// # async fn demo(clients: &cronport::aws::Clients, job: &cronport::manifest::ResolvedJob) -> Result<(), String> {
/// let lines = cronport::aws::last_log_lines(clients, &job.target, "arn:aws:ecs:us-east-1:123456789012:task/main/0a1b", 5).await?;
/// # Ok(()) }
/// ```
pub async fn last_log_lines(
    clients: &Clients,
    target: &crate::manifest::EcsTarget,
    task_arn: &str,
    n: usize,
) -> Result<Vec<String>, String> {
    let (group, prefix) = super::run::awslogs_of(clients, target).await?;
    let stream = super::run::task_stream(&prefix, &target.container, task_arn);
    let out = clients
        .logs
        .get_log_events()
        .log_group_name(&group)
        .log_stream_name(&stream)
        .start_from_head(false)
        .limit(n.clamp(1, 10_000) as i32)
        .send()
        .await
        .map_err(|e| {
            format!(
                "cannot read log stream `{stream}` of group `{group}`: {}",
                sdk_error_text(e)
            )
        })?;
    let lines: Vec<String> = out
        .events()
        .iter()
        .filter_map(|e| e.message().map(str::to_string))
        .collect();
    // The newest `n`, oldest first, whatever order the page holds.
    Ok(lines[lines.len().saturating_sub(n)..].to_vec())
}
