//! Cron To Go jobs, in both formats it gives them out:
//!
//! * `heroku cron:jobs:export`: YAML, `jobs:` a list of `nickname`,
//!   `schedule` (5-field cron, or a rate such as `5 minutes`),
//!   `start_date` (ISO 8601), `timezone`, `dyno`, `command`, `timeout`
//!   (seconds), `retries`, `jitter` (minutes) and `state`
//!   (`enabled`/`paused`);
//! * its REST API and `heroku cron:jobs --json`: a JSON array of `Alias`,
//!   `ScheduleExpression`, `ScheduleType` (`cron`/`rate`), `StartDate`,
//!   `Timezone`, `Target {Type, Command, Size, TimeToLive}`, `Retries`,
//!   `Jitter` and `State`.
//!
//! Each setting is carried over or reported: `timeout` becomes the job's
//! time limit (Cron To Go's default, 1800 s, when the export leaves it
//! out), `start_date` the rate's `StartDate`, `jitter` a flexible time
//! window; `retries` has no equivalent (EventBridge retries starting a
//! task, not a job that ran and failed) and is reported.

use serde_json::Value;

use super::{Defaults, ImportError, Imported, manifest, name_from_command};
use crate::manifest::Job;
use crate::syntax;
use crate::task::TimeLimit;

/// The time limit Cron To Go gives a job that names none.
const DEFAULT_TIME_TO_LIVE_SECONDS: u64 = 1800;

/// Reads a Cron To Go export (YAML) or API answer (JSON).
///
/// ```
/// let yaml = "jobs:\n  - nickname: Drain\n    schedule: 5 minutes\n    command: node drain.js\n    state: paused\n    timeout: 600\n";
/// let job = &cronport::import::crontogo(yaml, &Default::default())?.manifest.jobs[0];
/// assert_eq!((job.schedule.as_str(), job.enabled), ("rate(5 minutes)", false));
/// assert_eq!(job.settings.timeout.as_deref(), Some("10m"));
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
pub fn crontogo(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    super::check_nesting(text, 64, "Cron To Go jobs nest three levels")?;
    let not_yaml = |e: serde_yaml_ng::Error| {
        let location = e.location().map_or("the file".to_string(), |l| {
            format!("line {} column {}", l.line(), l.column())
        });
        ImportError::new(location, format!("not YAML or JSON: {e}"))
    };
    super::check_document_size(text, "Cron To Go export")?;
    // YAML's own value refuses a key given twice in one mapping (two
    // `command:` lines), which a JSON map would settle by keeping the last;
    // it is then converted, not parsed again.
    let yaml = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).map_err(not_yaml)?;
    let doc: Value = serde_json::to_value(yaml)
        .map_err(|e| ImportError::new("the file", format!("not a Cron To Go export: {e}")))?;
    let (items, base) = match &doc {
        Value::Array(items) => (items, "jobs"),
        Value::Object(o) => match o.get("jobs") {
            Some(Value::Array(items)) => (items, "jobs"),
            Some(Value::Null) => return Err(ImportError::no_jobs("jobs")),
            _ => {
                return Err(ImportError::new(
                    "top level",
                    "expected `jobs:` as `heroku cron:jobs:export` writes it, or a JSON list of jobs as Cron To Go's API returns it",
                ));
            }
        },
        _ => {
            return Err(ImportError::new(
                "top level",
                "expected `jobs:` as `heroku cron:jobs:export` writes it, or a JSON list of jobs as Cron To Go's API returns it",
            ));
        }
    };
    if items.is_empty() {
        return Err(ImportError::no_jobs(base));
    }
    let mut jobs = Vec::new();
    let mut warnings = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let fields = Fields::of(item, &format!("{base}[{i}]"))?;
        let job = fields.job(defaults, &mut warnings)?;
        jobs.push(job);
    }
    Ok(Imported {
        manifest: manifest(defaults, jobs),
        warnings: warnings.into_iter().map(crate::Advice::from).collect(),
    })
}

/// One job's fields, whichever format named them.
struct Fields<'a> {
    at: String,
    item: &'a Value,
    /// Whether the job is in the API's spelling (`Alias`, `Target` …).
    api: bool,
}

impl<'a> Fields<'a> {
    fn of(item: &'a Value, at: &str) -> Result<Fields<'a>, ImportError> {
        if !item.is_object() {
            return Err(ImportError::new(
                at,
                "expected a job (a mapping of its fields)",
            ));
        }
        let api = ["Alias", "ScheduleExpression", "Target"]
            .iter()
            .any(|k| item.get(k).is_some());
        Ok(Fields {
            at: at.to_string(),
            item,
            api,
        })
    }

    /// Where a field is, for errors: `jobs[2].schedule`.
    fn place(&self, export: &str, api: &str) -> String {
        format!("{}.{}", self.at, if self.api { api } else { export })
    }

    fn value(&self, export: &str, api: &str) -> Option<&'a Value> {
        let value = if self.api {
            match api.split_once('.') {
                Some((outer, inner)) => self.item.get(outer).and_then(|o| o.get(inner)),
                None => self.item.get(api),
            }
        } else {
            self.item.get(export)
        };
        value.filter(|v| !v.is_null())
    }

    fn text(&self, export: &str, api: &str) -> Result<Option<&'a str>, ImportError> {
        match self.value(export, api) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
            Some(other) => Err(ImportError::new(
                self.place(export, api),
                format!("expected text, found {other}"),
            )),
        }
    }

    fn number(&self, export: &str, api: &str) -> Result<Option<u64>, ImportError> {
        match self.value(export, api) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
                ImportError::new(
                    self.place(export, api),
                    format!("{n} is not a whole number of 0 or more"),
                )
            }),
            Some(other) => Err(ImportError::new(
                self.place(export, api),
                format!("expected a number, found {other}"),
            )),
        }
    }

    /// Reports keys neither format has (a typo such as `jiter` would
    /// otherwise drop a setting without a word).
    fn unknown_keys(&self, warnings: &mut Vec<String>) {
        const EXPORT: &[&str] = &[
            "id",
            "nickname",
            "schedule",
            "start_date",
            "timezone",
            "dyno",
            "command",
            "timeout",
            "retries",
            "jitter",
            "state",
        ];
        const API: &[&str] = &[
            "Id",
            "Alias",
            "State",
            "ScheduleExpression",
            "ScheduleType",
            "StartDate",
            "Timezone",
            "Target",
            "Retries",
            "Jitter",
            "LastAttempt",
            "CreatedAt",
            "UpdatedAt",
            "JobExecutionsCount",
            "Description",
        ];
        const TARGET: &[&str] = &["Type", "Command", "Size", "TimeToLive"];
        let mut check = |object: Option<&Value>, known: &[&str], at: &str| {
            for key in object
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|o| o.keys())
            {
                if !known.contains(&key.as_str()) {
                    warnings.push(format!(
                        "{at}.{key}: not a Cron To Go field; ignored (known: {})",
                        known.join(", ")
                    ));
                }
            }
        };
        if self.api {
            check(Some(self.item), API, &self.at);
            check(
                self.item.get("Target"),
                TARGET,
                &format!("{}.Target", self.at),
            );
        } else {
            check(Some(self.item), EXPORT, &self.at);
        }
    }

    fn job(&self, defaults: &Defaults, warnings: &mut Vec<String>) -> Result<Job, ImportError> {
        self.unknown_keys(warnings);
        if let Some(kind) = self.text("type", "Target.Type")?
            && !kind.eq_ignore_ascii_case("dyno")
        {
            return Err(ImportError::new(
                self.place("type", "Target.Type"),
                format!("a `{kind}` target is not a dyno; cronport runs commands on ECS"),
            ));
        }
        let command = self.text("command", "Target.Command")?.ok_or_else(|| {
            ImportError::new(
                self.place("command", "Target.Command"),
                "missing or empty command",
            )
        })?;
        let raw = self
            .text("schedule", "ScheduleExpression")?
            .ok_or_else(|| {
                ImportError::new(
                    self.place("schedule", "ScheduleExpression"),
                    "missing schedule",
                )
            })?;
        // Cron To Go writes rates bare: `5 minutes`, `1 hour`.
        let is_rate = self.text("", "ScheduleType")? == Some("rate")
            || (raw.starts_with(|c: char| c.is_ascii_digit())
                && raw.split_whitespace().count() == 2);
        let schedule = if is_rate && !raw.starts_with("rate(") {
            format!("rate({raw})")
        } else {
            raw.to_string()
        };
        syntax::parse_any(&schedule).map_err(|e| {
            ImportError::new(
                self.place("schedule", "ScheduleExpression"),
                format!("`{raw}`: {}", e.message),
            )
        })?;
        let name = self
            .text("nickname", "Alias")?
            .map_or_else(|| name_from_command(command), name_from_command);
        let mut job = Job {
            name: name.clone(),
            schedule,
            command: command.to_string(),
            size: self
                .text("dyno", "Target.Size")?
                .map(str::to_ascii_lowercase),
            enabled: match self.text("state", "State")? {
                None => true,
                Some(s) if s.eq_ignore_ascii_case("enabled") => true,
                Some(s) if s.eq_ignore_ascii_case("paused") => false,
                Some(s) => {
                    return Err(ImportError::new(
                        self.place("state", "State"),
                        format!("state `{s}`: Cron To Go's states are `enabled` and `paused`"),
                    ));
                }
            },
            source_id: self.text("id", "Id")?.map(str::to_string),
            ..Job::default()
        };
        if let Some(size) = &job.size
            && let Err(e) = crate::task::FargateSize::for_dyno(size)
        {
            return Err(ImportError::new(
                self.place("dyno", "Target.Size"),
                e.to_string(),
            ));
        }
        let zone = self.text("timezone", "Timezone")?.map(str::to_string);
        if let Some(name) = &zone
            && jiff::tz::TimeZone::get(name).is_err()
        {
            return Err(ImportError::new(
                self.place("timezone", "Timezone"),
                format!(
                    "unknown time zone `{name}`; use an IANA name such as UTC, America/New_York or Asia/Tokyo"
                ),
            ));
        }
        if zone.is_some() && zone != defaults.timezone {
            job.settings.timezone = zone;
        }
        let seconds = self
            .number("timeout", "Target.TimeToLive")?
            .unwrap_or(DEFAULT_TIME_TO_LIVE_SECONDS);
        // Zero is no limit; a number beyond any limit cronport can write is
        // an error, never dropped (a job without its limit runs forever).
        job.settings.timeout = match u32::try_from(seconds) {
            Ok(seconds) => TimeLimit::from_seconds(seconds).map(|t| t.to_string()),
            Err(_) => {
                return Err(ImportError::new(
                    self.place("timeout", "Target.TimeToLive"),
                    format!(
                        "{seconds} seconds is longer than any time limit cronport can write (at most {} seconds, about 136 years): write the limit the job needs",
                        u32::MAX
                    ),
                ));
            }
        };
        if let Some(start) = self.text("start_date", "StartDate")? {
            let instant: jiff::Timestamp = start.parse().map_err(|e| {
                ImportError::new(
                    self.place("start_date", "StartDate"),
                    format!("`{start}` is not an ISO 8601 instant: {e}"),
                )
            })?;
            if is_rate {
                job.start_date = Some(instant.to_string());
            } else if instant > jiff::Timestamp::now() {
                warnings.push(format!("job `{name}`: start_date {instant} is not carried over: a cron schedule runs from when it is deployed; deploy it then, or keep it disabled until then"));
            }
        }
        match self.number("jitter", "Jitter")? {
            None | Some(0) => {}
            Some(minutes) if minutes <= 1440 => {
                job.settings.flexible_time_window = Some(minutes as u32);
                warnings.push(format!("job `{name}`: jitter of {minutes} minutes becomes EventBridge Scheduler's flexible time window: each run starts within {minutes} minutes after its instant"));
            }
            Some(minutes) => {
                return Err(ImportError::new(
                    self.place("jitter", "Jitter"),
                    format!(
                        "jitter of {minutes} minutes: Cron To Go and EventBridge Scheduler take at most 1440"
                    ),
                ));
            }
        }
        if let Some(retries) = self.number("retries", "Retries")?.filter(|r| *r > 0) {
            warnings.push(format!("job `{name}`: retries = {retries} is not carried over: Cron To Go ran a failed job again; EventBridge Scheduler retries only starting the task (when AWS cannot), never a job that ran and failed"));
        }
        Ok(job)
    }
}
