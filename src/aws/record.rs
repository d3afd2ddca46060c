//! Reading a run record: the ECS task events its rule copied to its log
//! group, for `cronport verify`.

use jiff::Timestamp;

use super::{Clients, sdk_error_text};

/// The events in `log_group` logged in `[from, until)`, in the order
/// CloudWatch Logs returns them, every page: each log event's message is
/// one `ECS Task State Change` event as EventBridge delivered it.
///
/// ```no_run
/// # async fn demo(clients: &cronport::aws::Clients) -> Result<(), String> {
/// let from = "2026-12-01T00:00:00Z".parse().unwrap();
/// let events = cronport::aws::recorded_events(clients, "/aws/events/cronport/shop", from, jiff::Timestamp::now()).await?;
/// let tasks = cronport::verify::tasks_of("shop", "-", &events).map_err(|e| e.to_string())?;
/// println!("{} tasks", tasks.len());
/// # Ok(()) }
/// ```
pub async fn recorded_events(
    clients: &Clients,
    log_group: &str,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<serde_json::Value>, String> {
    let mut events = Vec::new();
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
            let message = event.message().unwrap_or_default();
            let value = serde_json::from_str(message).map_err(|e| {
                format!("log group `{log_group}` holds a line that is not an event ({e})")
            })?;
            events.push(value);
        }
    }
    Ok(events)
}
