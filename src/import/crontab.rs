//! crontab files: comments, blank lines, `VAR=value` lines (which apply to
//! the jobs below them), `CRON_TZ=` (their time zone), five-field and
//! `@macro` job lines.

use std::collections::BTreeMap;

use super::{Defaults, ImportError, Imported, manifest, name_from_command};
use crate::manifest::Job;
use crate::syntax::unix;

/// User names that, first in a job's command, are the user field of a
/// system crontab (`/etc/crontab`, `/etc/cron.d/*`: `m h dom mon dow user
/// command`) rather than a program.
const SYSTEM_USERS: [&str; 18] = [
    "root", "daemon", "bin", "sys", "nobody", "www-data", "postgres", "mysql", "redis", "ubuntu",
    "ec2-user", "admin", "deploy", "app", "cron", "syslog", "git", "node",
];

/// Variables that configure cron itself rather than the job.
const CRON_VARIABLES: [&str; 4] = ["SHELL", "PATH", "MAILTO", "HOME"];

/// Reads a crontab.
///
/// ```
/// let tab = "CRON_TZ=Asia/Tokyo\nRAILS_ENV=production\n30 8 * * 1-5 rake digest:send\n";
/// let imported = cronport::import::crontab(tab, &Default::default())?;
/// let job = &imported.manifest.jobs[0];
/// assert_eq!(job.schedule, "30 8 * * 1-5");
/// assert_eq!(job.settings.timezone.as_deref(), Some("Asia/Tokyo"));
/// assert_eq!(job.environment["RAILS_ENV"], "production");
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
pub fn crontab(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    let mut jobs = Vec::new();
    let mut warnings = Vec::new();
    let mut environment = BTreeMap::new();
    let mut zone: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((name, value)) = assignment(line) {
            match name {
                "CRON_TZ" | "TZ" => {
                    if jiff::tz::TimeZone::get(&value).is_err() {
                        return Err(ImportError::new(
                            format!("line {line_no}"),
                            format!(
                                "`{name}={}`: unknown time zone; use an IANA name such as UTC, America/New_York or Asia/Tokyo",
                                crate::escape::one_line(&value)
                            ),
                        ));
                    }
                    zone = Some(value);
                }
                n if CRON_VARIABLES.contains(&n) => {
                    warnings.push(format!(
                        "line {line_no}: `{n}` configures cron itself and is not carried over"
                    ));
                }
                n => {
                    environment.insert(n.to_string(), value);
                }
            }
            continue;
        }
        let (schedule, command) = split_job(line).ok_or_else(|| {
            ImportError::new(
                format!("line {line_no}"),
                "expected five schedule fields (or an @macro) and a command",
            )
        })?;
        unix::parse(schedule).map_err(|e| {
            ImportError::new(
                format!("line {line_no}"),
                format!("{}\n{}", e.message, e.frame(schedule)),
            )
        })?;
        let command = match command.split_once(char::is_whitespace) {
            Some((user, rest)) if SYSTEM_USERS.contains(&user) && !rest.trim().is_empty() => {
                warnings.push(format!("line {line_no}: `{user}` is the user field of a system crontab (/etc/crontab, /etc/cron.d); the job runs as the task's user, not as `{user}`"));
                rest.trim()
            }
            _ => command,
        };
        if command.contains('%') && !command.contains("\\%") {
            warnings.push(format!("line {line_no}: `%` in a crontab command means a newline; cronport keeps it as a literal `%`"));
        }
        let mut job = Job {
            name: name_from_command(command),
            schedule: schedule.to_string(),
            command: command.to_string(),
            environment: environment.clone(),
            enabled: true,
            ..Job::default()
        };
        if zone.is_some() && zone != defaults.timezone {
            job.settings.timezone = zone.clone();
        }
        jobs.push(job);
        if jobs.len() > super::MAX_JOBS {
            return Err(ImportError::new(
                format!("line {line_no}"),
                format!(
                    "more than {} jobs: cronport imports at most {} into one manifest (AWS's default quota is 300 rules a bus); split the crontab",
                    super::MAX_JOBS,
                    super::MAX_JOBS
                ),
            ));
        }
    }
    if jobs.is_empty() {
        return Err(ImportError::new("crontab", "no job lines found"));
    }
    Ok(Imported {
        manifest: manifest(defaults, jobs),
        warnings: warnings.into_iter().map(crate::Advice::from).collect(),
    })
}

/// `NAME=value` (quotes around the value are removed).
fn assignment(line: &str) -> Option<(&str, String)> {
    let (name, value) = line.split_once('=')?;
    let name = name.trim();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let value = value.trim();
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    Some((name, unquoted.to_string()))
}

/// The schedule part and the command of a job line.
fn split_job(line: &str) -> Option<(&str, &str)> {
    let fields = if line.starts_with('@') { 1 } else { 5 };
    let mut end = 0;
    let mut rest = line;
    for _ in 0..fields {
        let trimmed = rest.trim_start();
        let word_end = trimmed.find(char::is_whitespace)?;
        end = line.len() - trimmed.len() + word_end;
        rest = &trimmed[word_end..];
    }
    let command = rest.trim();
    (!command.is_empty()).then_some((&line[..end], command))
}
