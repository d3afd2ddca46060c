//! Cron To Go job exports: a JSON array of jobs (or `{"jobs": [...]}`)
//! with `nickname`, `schedule` (cron, or a rate such as `5 minutes`),
//! `timezone`, `command`, `dyno`, `timeout` and `state`.

use serde_json::Value;

use super::{Defaults, ImportError, Imported, manifest, name_from_command};
use crate::manifest::Job;
use crate::syntax;

/// Reads a Cron To Go export.
///
/// ```
/// let json = r#"[{"nickname": "Drain", "schedule": "5 minutes", "command": "node drain.js", "state": "paused"}]"#;
/// let job = &cronport::import::crontogo(json, &Default::default())?.manifest.jobs[0];
/// assert_eq!((job.schedule.as_str(), job.enabled), ("rate(5 minutes)", false));
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
pub fn crontogo(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        ImportError::new(
            format!("line {} column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    let items = match &doc {
        Value::Array(items) => items,
        Value::Object(o) => o.get("jobs").and_then(Value::as_array).ok_or_else(|| {
            ImportError::new("top level", "expected a list of jobs, or {\"jobs\": [...]}")
        })?,
        _ => {
            return Err(ImportError::new(
                "top level",
                "expected a list of jobs, or {\"jobs\": [...]}",
            ));
        }
    };
    if items.is_empty() {
        return Err(ImportError::new("top level", "the export holds no jobs"));
    }
    let mut jobs = Vec::new();
    let mut warnings = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |field: &str| format!("jobs[{i}].{field}");
        let text_field = |field: &str| {
            item.get(field)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let command = text_field("command")
            .ok_or_else(|| ImportError::new(at("command"), "missing or empty command"))?;
        let raw = text_field("schedule")
            .ok_or_else(|| ImportError::new(at("schedule"), "missing schedule"))?;
        // Cron To Go writes rates without `rate(...)`.
        let schedule = if raw.starts_with(|c: char| c.is_ascii_digit())
            && raw.split_whitespace().count() == 2
        {
            format!("rate({raw})")
        } else {
            raw.to_string()
        };
        syntax::parse_any(&schedule)
            .map_err(|e| ImportError::new(at("schedule"), format!("`{raw}`: {}", e.message)))?;
        let name =
            text_field("nickname").map_or_else(|| name_from_command(command), name_from_command);
        if let Some(timeout) = item.get("timeout").and_then(Value::as_u64) {
            warnings.push(format!("job `{name}`: Cron To Go stopped it after {timeout} s; ECS tasks have no timeout, so enforce it in the command (for example `timeout {timeout} …`)"));
        }
        let mut job = Job {
            name,
            schedule,
            command: command.to_string(),
            size: text_field("dyno").map(str::to_ascii_lowercase),
            enabled: text_field("state").is_none_or(|s| s != "paused"),
            ..Job::default()
        };
        let zone = text_field("timezone").map(str::to_string);
        if zone != defaults.timezone && zone.is_some() {
            job.settings.timezone = zone;
        }
        jobs.push(job);
    }
    Ok(Imported {
        manifest: manifest(defaults, jobs),
        warnings,
    })
}
