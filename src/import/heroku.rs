//! Heroku Scheduler's job list, as its API returns it (JSON:API):
//!
//! ```json
//! {"data": [{"type": "jobs", "id": "…", "attributes": {
//!   "command": "rake reports:daily", "dyno-size": "Standard-1X",
//!   "every": 1440, "at": 870 }}]}
//! ```
//!
//! `every` is 10, 60 or 1440 minutes; with 60, `at` is the minute (0, 10,
//! …, 50); with 1440, `at` is minutes after midnight UTC in 30-minute steps.
//!
//! Heroku stopped a Scheduler dyno after its interval ("for a job that runs
//! every 10 minutes, dynos will be terminated after running for
//! approximately 10 minutes"), so each job gets that `timeout`.

use serde_json::Value;

use super::{Defaults, ImportError, Imported, manifest, name_from_command};
use crate::manifest::Job;
use crate::schedule::is_utc;

/// Reads a Heroku Scheduler job list.
///
/// ```
/// let json = r#"{"data": [{"type": "jobs", "id": "1", "attributes":
///     {"command": "rake reports:daily", "dyno-size": "Standard-2X", "every": 1440, "at": 870}}]}"#;
/// let imported = cronport::import::heroku(json, &Default::default())?;
/// let job = &imported.manifest.jobs[0];
/// assert_eq!((job.name.as_str(), job.schedule.as_str()), ("rake-reports-daily", "every day at 14:30"));
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
pub fn heroku(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        ImportError::new(
            format!("line {} column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    let (items, base) = match &doc {
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(items)) => (items, "data"),
            _ => {
                return Err(ImportError::new(
                    "top level",
                    "expected {\"data\": [jobs…]} as Heroku's API returns it",
                ));
            }
        },
        Value::Array(items) => (items, ""),
        _ => {
            return Err(ImportError::new(
                "top level",
                "expected {\"data\": [jobs…]} as Heroku's API returns it",
            ));
        }
    };
    if items.is_empty() {
        let location = if base.is_empty() { "top level" } else { base };
        return Err(ImportError::no_jobs(location));
    }
    // Refused before any job is read: reading them is the cost.
    if items.len() > super::MAX_JOBS {
        return Err(ImportError::new(
            format!("{base}[{}]", super::MAX_JOBS),
            format!(
                "{} jobs: cronport imports at most {} into one manifest; split the export",
                items.len(),
                super::MAX_JOBS
            ),
        ));
    }
    let mut jobs = Vec::new();
    let mut warnings = Vec::new();
    let zone_not_utc = defaults
        .timezone
        .as_deref()
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .is_some_and(|z| !is_utc(&z));
    let mut errors = Vec::new();
    // Every job is read, so that an export's every mistake is said at
    // once, not one a run.
    let mut read_job = |i: usize, item: &Value| -> Result<Job, ImportError> {
        let at = |field: &str| format!("{base}[{i}].attributes.{field}");
        let attributes = item
            .get("attributes")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                ImportError::new(
                    at("").trim_end_matches('.').to_string(),
                    "missing the attributes object",
                )
            })?;
        let command = attributes
            .get("command")
            .and_then(Value::as_str)
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| ImportError::new(at("command"), "missing or empty command"))?;
        let number = |field: &str| -> Result<Option<i64>, ImportError> {
            match attributes.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                    ImportError::new(
                        at(field),
                        format!("`{field}` is {n}, not a whole number of minutes"),
                    )
                }),
                Some(other) => Err(ImportError::new(
                    at(field),
                    format!(
                        "`{field}` is {} {other}; Heroku's API gives a number of minutes",
                        json_type(other)
                    ),
                )),
            }
        };
        let every = number("every")?.ok_or_else(|| {
            ImportError::new(at("every"), "missing `every` (10, 60 or 1440 minutes)")
        })?;
        let minute = match number("at")? {
            None if every == 60 || every == 1440 => {
                warnings.push(format!(
                    "{}: missing; a job every {every} minutes runs at a set minute, which Heroku's API gives as `at`, so it is taken as 0 (:00, or 00:00 UTC)",
                    at("at")
                ));
                0
            }
            None => 0,
            Some(m) if m < 0 => {
                return Err(ImportError::new(
                    at("at"),
                    format!(
                        "`at` is {m}; it counts minutes from the hour or from midnight UTC, so it is 0 or more"
                    ),
                ));
            }
            Some(m) => m,
        };
        let schedule = crate::syntax::heroku::from_api(every, minute).map_err(|e| {
            ImportError::new(
                at(if e.is_frequency() { "every" } else { "at" }),
                e.to_string(),
            )
        })?;
        let size = attributes
            .get("dyno-size")
            .or_else(|| attributes.get("dyno_size"))
            .and_then(Value::as_str)
            .map(|s| s.to_ascii_lowercase());
        let mut job = Job {
            name: name_from_command(command),
            schedule,
            command: command.to_string(),
            size,
            enabled: true,
            source_id: item
                .get("id")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_string),
            ..Job::default()
        };
        job.settings.timeout = super::heroku_interval(&job.schedule).map(|t| t.to_string());
        if zone_not_utc {
            job.settings.timezone = Some("UTC".to_string());
        }
        Ok(job)
    };
    for (i, item) in items.iter().enumerate() {
        match read_job(i, item) {
            Ok(job) => jobs.push(job),
            Err(e) => errors.push(e),
        }
    }
    if let Some(first) = errors.first() {
        let mut message = first.message.clone();
        for e in errors.iter().skip(1).take(super::MAX_ERRORS_SHOWN) {
            message.push_str(&format!("\n  {}: {}", e.location, e.message));
        }
        if errors.len() > super::MAX_ERRORS_SHOWN + 1 {
            message.push_str(&format!(
                "\n  … and {} more",
                errors.len() - super::MAX_ERRORS_SHOWN - 1
            ));
        }
        return Err(ImportError::new(first.location.clone(), message));
    }
    Ok(Imported {
        manifest: manifest(defaults, jobs),
        warnings: warnings.into_iter().map(crate::Advice::from).collect(),
    })
}

/// A JSON value's type, with its article, for type errors.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "the boolean",
        Value::Number(_) => "the number",
        Value::String(_) => "the string",
        Value::Array(_) => "the array",
        Value::Object(_) => "the object",
    }
}
