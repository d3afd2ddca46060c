//! Importers: job lists in other tools' formats → a [`Manifest`].
//!
//! | source | function | reads |
//! |---|---|---|
//! | Heroku Scheduler | [`heroku`] | the job list its API returns (JSON:API) |
//! | Terraform | [`terraform`] | `herokux_scheduler_job` resources |
//! | Cron To Go | [`crontogo`] | its JSON job export |
//! | crontab | [`crontab`] | a crontab file |
//! | ecschedule | [`ecschedule`] | its YAML config of EventBridge rules |
//!
//! Jobs without names get one derived from their command
//! (`rake reports:daily` → `rake-reports-daily`), unique and stable across
//! runs. [`Defaults`] fill the manifest's `[defaults]`.

mod crontab;
mod crontogo;
mod ecschedule;
mod heroku;
#[cfg(feature = "aws")]
mod heroku_api;
mod terraform;

use std::collections::BTreeSet;

use crate::manifest::{Job, Manifest, Settings};

pub use crontab::crontab;
pub use crontogo::crontogo;
pub use ecschedule::ecschedule;
pub use heroku::heroku;
#[cfg(feature = "aws")]
pub use heroku_api::{DeleteAnswer, FetchError, HerokuApi, heroku_token};

/// The Platform API, by default.
///
/// ```
/// assert_eq!(cronport::import::HEROKU_API, "https://api.heroku.com");
/// ```
pub const HEROKU_API: &str = "https://api.heroku.com";

/// The Scheduler API, by default.
///
/// ```
/// assert_eq!(cronport::import::SCHEDULER_API, "https://particleboard.heroku.com");
/// ```
pub const SCHEDULER_API: &str = "https://particleboard.heroku.com";
pub use terraform::terraform;

/// What the importer read, and what it could not carry over.
///
/// ```
/// let tab = "MAILTO=ops@example.com\n0 3 * * * rake nightly\n";
/// let imported = cronport::import::crontab(tab, &Default::default())?;
/// assert_eq!(imported.manifest.jobs[0].name, "rake-nightly");
/// assert_eq!(imported.warnings.len(), 1);
/// assert_eq!(imported.warnings[0].text, "line 1: `MAILTO` configures cron itself and is not carried over");
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// The manifest.
    pub manifest: Manifest,
    /// Things the source said that the manifest cannot hold, each naming the
    /// job or line.
    pub warnings: Vec<crate::Advice>,
}

/// Why an import failed: where, and what is wrong.
///
/// ```
/// let json = r#"{"data": [{"attributes": {"command": "rake x", "every": 30}}]}"#;
/// let err = cronport::import::heroku(json, &Default::default()).unwrap_err();
/// assert_eq!(err.location, "data[0].attributes.every");
/// assert_eq!(err.to_string(), "data[0].attributes.every: 30 is not a Heroku frequency; use 10, 60 or 1440");
/// let empty = cronport::import::heroku("[]", &Default::default()).unwrap_err();
/// assert_eq!(empty.to_string(), "top level: the export holds no jobs");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ImportError {
    /// A line (`line 4`), a JSON path (`data[2].attributes.every`) or a
    /// resource address.
    pub location: String,
    /// What is wrong and what to write instead.
    pub message: String,
    kind: ImportErrorKind,
}

/// What kind of [`ImportError`], for code that acts on it.
///
/// ```
/// use cronport::import::{heroku, ImportErrorKind};
/// let empty = heroku("[]", &Default::default()).unwrap_err();
/// assert_eq!(empty.kind(), ImportErrorKind::NoJobs);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// The source holds no jobs at all.
    NoJobs,
    /// The source is malformed or holds something cronport cannot import.
    Invalid,
}

/// The most of an export's mistakes one error lists after its first.
pub(crate) const MAX_ERRORS_SHOWN: usize = 49;

impl ImportError {
    pub(crate) fn new(location: impl Into<String>, message: impl Into<String>) -> ImportError {
        ImportError {
            location: location.into(),
            message: message.into(),
            kind: ImportErrorKind::Invalid,
        }
    }

    /// A source that holds no jobs.
    pub(crate) fn no_jobs(location: impl Into<String>) -> ImportError {
        ImportError {
            kind: ImportErrorKind::NoJobs,
            ..ImportError::new(location, "the export holds no jobs")
        }
    }

    /// What kind of error.
    ///
    /// ```
    /// let bad = cronport::import::heroku("{", &Default::default()).unwrap_err();
    /// assert_eq!(bad.kind(), cronport::import::ImportErrorKind::Invalid);
    /// ```
    pub fn kind(&self) -> ImportErrorKind {
        self.kind
    }
}

/// The `[defaults]` an import writes; the `import` command's flags.
///
/// ```
/// use cronport::import::{crontab, Defaults};
/// let defaults = Defaults { cluster: Some("production".into()), ..Defaults::default() };
/// let imported = crontab("0 3 * * * rake nightly\n", &defaults)?;
/// assert_eq!(imported.manifest.defaults.cluster.as_deref(), Some("production"));
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
pub type Defaults = Settings;

// Naming a job after its command is the task's business (the manifest's
// checks suggest names too); imports use it from there.
pub use crate::task::name_from_command;

/// The interval of a Heroku Scheduler frequency (10 minutes, an hour or a
/// day): how long Heroku let its dyno run. `None` for other schedules.
pub(crate) fn heroku_interval(schedule: &str) -> Option<crate::task::TimeLimit> {
    let crate::schedule::Pattern::Cron(cron) = crate::syntax::heroku::parse(schedule).ok()? else {
        return None;
    };
    let minutes = if cron.hours().count() < 24 {
        24 * 60
    } else if cron.minutes().count() > 1 {
        10
    } else {
        60
    };
    crate::task::TimeLimit::from_seconds(minutes * 60)
}

/// The most bytes a YAML or HCL import reads: their parsers take about a
/// second and 100 MB for 4 MiB, so 2 MiB (some 12,000 jobs, far more than
/// a team schedules) keeps an import under a second, and a larger file is
/// refused at once rather than parsed for seconds and refused for its
/// number of jobs.
///
/// ```
/// let big = format!("jobs:\n{}", " ".repeat(cronport::import::MAX_DOCUMENT_BYTES));
/// let err = cronport::import::crontogo(&big, &Default::default()).unwrap_err();
/// assert!(err.to_string().contains("split it"));
/// ```
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;

/// Refuses a YAML or HCL document over [`MAX_DOCUMENT_BYTES`].
pub(crate) fn check_document_size(text: &str, what: &str) -> Result<(), ImportError> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(ImportError::new(
            "the file",
            format!(
                "this {what} is {} bytes; cronport reads at most {MAX_DOCUMENT_BYTES} bytes of YAML or HCL (some 12,000 jobs): split it",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// Refuses text whose `{`, `[` and `(` nest deeper than `max`, counting
/// everywhere (inside strings too, where `${…}` holds expressions), so
/// that no parser sees it: the HCL parser's time doubles per level of some
/// nestings, and the YAML scanner's grows with the square of flow nesting
/// (100,000 `[` took a minute before its recursion limit said no).
/// `usual` says how deep a real file nests.
pub(crate) fn check_nesting(text: &str, max: usize, usual: &str) -> Result<(), ImportError> {
    let mut depth = 0usize;
    for (number, line) in text.lines().enumerate() {
        for (column, c) in line.chars().enumerate() {
            match c {
                '{' | '[' | '(' => depth += 1,
                '}' | ']' | ')' => depth = depth.saturating_sub(1),
                _ => continue,
            }
            if depth > max {
                return Err(ImportError::new(
                    format!("line {} column {}", number + 1, column + 1),
                    format!(
                        "brackets nest more than {max} deep here; {usual}: is this the right file?"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Gives every job a unique name: taken names get `-2`, `-3`, … in order,
/// so the same input always gives the same names.
pub(crate) fn unique_names(jobs: &mut [Job]) {
    let mut taken = BTreeSet::new();
    // The last suffix tried for each name: 500,000 jobs named alike are
    // named in one pass, not by trying `-2`, `-3`, … from the start each
    // time.
    let mut last: std::collections::HashMap<String, usize> = Default::default();
    for job in jobs.iter_mut() {
        if taken.insert(job.name.clone()) {
            continue;
        }
        let base = job.name.clone();
        let n = last.entry(base.clone()).or_insert(1);
        loop {
            *n += 1;
            let candidate = format!("{base}-{n}");
            if taken.insert(candidate.clone()) {
                job.name = candidate;
                break;
            }
        }
    }
}

/// The most jobs one import writes into a manifest, as many as a manifest
/// holds ([`crate::manifest::MAX_JOBS`]).
pub const MAX_JOBS: usize = crate::manifest::MAX_JOBS;

pub(crate) fn manifest(defaults: &Defaults, mut jobs: Vec<Job>) -> Manifest {
    unique_names(&mut jobs);
    let mut manifest = Manifest {
        defaults: defaults.clone(),
        jobs,
        ..Manifest::default()
    };
    // A new manifest owns nothing yet: a fresh id, never one derived from
    // the cluster, which another app's import would derive again.
    manifest.id = Some(crate::owner::new_id());
    manifest
}

/// Settings every job shares move to `[defaults]`.
pub(crate) fn hoist_common_settings(manifest: &mut Manifest) {
    macro_rules! hoist {
        ($($field:ident),*) => {$(
            let first = manifest.jobs.first().and_then(|j| j.settings.$field.clone());
            if first.is_some() && manifest.jobs.iter().all(|j| j.settings.$field == first) {
                manifest.defaults.$field = first;
                for job in &mut manifest.jobs {
                    job.settings.$field = None;
                }
            }
        )*};
    }
    hoist!(
        cluster,
        task_definition,
        container,
        role_arn,
        subnets,
        security_groups,
        assign_public_ip,
        launch_type,
        platform_version,
        capacity_provider_strategy
    );
}

/// A launch type as AWS spells it (`FARGATE`, `EC2`).
pub(crate) fn launch_type(text: Option<&str>) -> Option<crate::manifest::LaunchType> {
    match text {
        Some("EC2") => Some(crate::manifest::LaunchType::Ec2),
        Some("FARGATE") => Some(crate::manifest::LaunchType::Fargate),
        _ => None,
    }
}

/// Fills subnets, security groups and public IP from an awsvpc
/// configuration object whose keys are spelled `keys` (subnets, security
/// groups, public IP), as the RunTask API and ecschedule spell them.
pub(crate) fn awsvpc_settings(settings: &mut Settings, vpc: &serde_json::Value, keys: [&str; 3]) {
    let list = |key: &str| {
        vpc.get(key).and_then(serde_json::Value::as_array).map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
    };
    settings.subnets = list(keys[0]);
    settings.security_groups = list(keys[1]).filter(|g| !g.is_empty());
    settings.assign_public_ip = vpc
        .get(keys[2])
        .and_then(serde_json::Value::as_str)
        .map(|v| v == "ENABLED");
}
