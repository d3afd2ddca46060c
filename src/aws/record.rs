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
