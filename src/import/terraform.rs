//! Terraform files declaring Heroku Scheduler jobs through the `herokux`
//! provider:
//!
//! ```hcl
//! resource "herokux_scheduler_job" "daily_report" {
//!   app_id    = heroku_app.main.uuid
//!   command   = "rake reports:daily"
//!   dyno_size = "Standard-1X"
//!   frequency = "every_day_at_14:30"
//! }
//! ```

use hcl::{Body, Expression};

use super::{Defaults, ImportError, Imported, manifest, name_from_command};
use crate::manifest::Job;
use crate::syntax::heroku as heroku_syntax;

/// How deep brackets may nest before the file is refused unparsed.
///
/// The HCL parser's time doubles with each level of certain nestings of
/// objects in expressions (`a/b/{` 22 levels deep: 1.5 s; 30: minutes), a
/// case cargo-fuzz found. Scheduler job resources nest two or three levels;
/// twelve leaves room for any other resource in the same file.
const MAX_NESTING: usize = 12;

/// Reads `herokux_scheduler_job` resources from a Terraform file; other
/// blocks are ignored.
///
/// ```
/// let tf = r#"resource "herokux_scheduler_job" "report" {
///   command   = "rake reports:daily"
///   frequency = "every_day_at_14:30"
/// }"#;
/// let job = &cronport::import::terraform(tf, &Default::default())?.manifest.jobs[0];
/// assert_eq!((job.name.as_str(), job.schedule.as_str()), ("report", "every_day_at_14:30"));
/// # Ok::<(), cronport::import::ImportError>(())
/// ```
pub fn terraform(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    super::check_nesting(
        text,
        MAX_NESTING,
        "herokux_scheduler_job resources nest two or three levels",
    )?;
    let body: Body = hcl::from_str(text)
        .map_err(|e| ImportError::new("HCL", format!("not valid Terraform: {e}")))?;
    let mut jobs = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
        if block.identifier() != "resource" || labels.first() != Some(&"herokux_scheduler_job") {
            continue;
        }
        let address = format!("herokux_scheduler_job.{}", labels.get(1).unwrap_or(&"?"));
        let literal = |key: &str| -> Result<Option<String>, ImportError> {
            match block
                .body()
                .attributes()
                .find(|a| a.key() == key)
                .map(|a| a.expr())
            {
                None => Ok(None),
                Some(Expression::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(ImportError::new(
                    &address,
                    format!(
                        "`{key}` is not a literal string; cronport reads literal values (write the value, or run `terraform show -json` and import from its output)"
                    ),
                )),
            }
        };
        let command = literal("command")?
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| ImportError::new(&address, "missing `command`"))?;
        let frequency = literal("frequency")?
            .ok_or_else(|| ImportError::new(&address, "missing `frequency`"))?;
        heroku_syntax::parse(&frequency).map_err(|e| {
            ImportError::new(&address, format!("frequency `{frequency}`: {}", e.message))
        })?;
        let name = labels
            .get(1)
            .map_or_else(|| name_from_command(&command), |l| name_from_command(l));
        jobs.push(Job {
            name,
            schedule: frequency,
            command,
            size: literal("dyno_size")?.map(|s| s.to_ascii_lowercase()),
            enabled: true,
            ..Job::default()
        });
    }
    if jobs.is_empty() {
        return Err(ImportError::new(
            "HCL",
            "no `resource \"herokux_scheduler_job\"` blocks found",
        ));
    }
    Ok(Imported {
        manifest: manifest(defaults, jobs),
        warnings: Vec::new(),
    })
}
