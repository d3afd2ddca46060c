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
//!
//! Literal strings and heredocs are read; `count = N` makes N jobs, named
//! by their index as Terraform addresses them. For values Terraform
//! computes, import the JSON of `terraform show -json` instead (its
//! documented `values.root_module` shape, child modules included).

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
    super::check_document_size(text, "Terraform configuration")?;
    if text.trim_start().starts_with('{') {
        return terraform_show_json(text, defaults);
    }
    super::check_nesting(
        text,
        MAX_NESTING,
        "herokux_scheduler_job resources nest two or three levels",
    )?;
    let body: Body = hcl::from_str(text)
        .map_err(|e| ImportError::new("HCL", format!("not valid Terraform: {e}")))?;
    let mut jobs = Vec::new();
    let mut warnings = Vec::new();
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
                Some(Expression::TemplateExpr(t))
                    if let hcl::expr::TemplateExpr::Heredoc(heredoc) = &**t =>
                {
                    let text = heredoc.template.as_str();
                    if text.contains("${") || text.contains("%{") {
                        return Err(ImportError::new(
                            &address,
                            format!(
                                "`{key}` is a heredoc with interpolations; cronport reads literal values (run `terraform show -json` and import from its output)"
                            ),
                        ));
                    }
                    Ok(Some(text.strip_suffix('\n').unwrap_or(text).to_string()))
                }
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
        let count = match block
            .body()
            .attributes()
            .find(|a| a.key() == "count")
            .map(|a| a.expr())
        {
            None => None,
            Some(Expression::Number(n)) => match n.as_u64() {
                Some(n) => Some(n),
                None => {
                    return Err(ImportError::new(
                        &address,
                        format!("`count` is {n}; it must be a whole number"),
                    ));
                }
            },
            Some(_) => {
                return Err(ImportError::new(
                    &address,
                    "`count` is not a literal number; run `terraform show -json` and import from its output",
                ));
            }
        };
        let job = Job {
            name: name.clone(),
            schedule: frequency,
            command,
            size: literal("dyno_size")?.map(|s| s.to_ascii_lowercase()),
            enabled: true,
            ..Job::default()
        };
        match count {
            None => jobs.push(job),
            Some(0) => warnings.push(format!("{address} has count = 0: no job")),
            Some(n) => jobs.extend((0..n).map(|i| Job {
                name: format!("{name}-{i}"),
                ..job.clone()
            })),
        }
    }
    if jobs.is_empty() {
        return Err(ImportError::new(
            "HCL",
            "no `resource \"herokux_scheduler_job\"` blocks found",
        ));
    }
    Ok(Imported {
        manifest: manifest(defaults, with_heroku_timeouts(jobs)),
        warnings: warnings.into_iter().map(crate::Advice::from).collect(),
    })
}

/// Each job's `timeout`: its interval, as Heroku enforced it.
fn with_heroku_timeouts(mut jobs: Vec<Job>) -> Vec<Job> {
    for job in &mut jobs {
        job.settings.timeout = super::heroku_interval(&job.schedule).map(|t| t.to_string());
    }
    jobs
}

/// `terraform show -json` (or a plan's JSON): the `herokux_scheduler_job`
/// resources of `values.root_module` (or `planned_values.root_module`) and
/// its child modules.
fn terraform_show_json(text: &str, defaults: &Defaults) -> Result<Imported, ImportError> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ImportError::new(
            format!("line {} column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    let root = doc
        .pointer("/values/root_module")
        .or_else(|| doc.pointer("/planned_values/root_module"))
        .ok_or_else(|| {
            ImportError::new(
                "top level",
                "expected the JSON of `terraform show -json`: {\"values\": {\"root_module\": …}}",
            )
        })?;
    let mut modules = vec![root];
    let mut jobs = Vec::new();
    while let Some(module) = modules.pop() {
        if let Some(children) = module.get("child_modules").and_then(|c| c.as_array()) {
            modules.extend(children.iter().rev());
        }
        for resource in module
            .get("resources")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            if resource.get("type").and_then(|t| t.as_str()) != Some("herokux_scheduler_job") {
                continue;
            }
            let address = resource
                .get("address")
                .and_then(|a| a.as_str())
                .unwrap_or("herokux_scheduler_job")
                .to_string();
            let value = |key: &str| {
                resource
                    .pointer(&format!("/values/{key}"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let command = value("command")
                .filter(|c| !c.trim().is_empty())
                .ok_or_else(|| ImportError::new(&address, "missing `command`"))?;
            let frequency = value("frequency")
                .ok_or_else(|| ImportError::new(&address, "missing `frequency`"))?;
            heroku_syntax::parse(&frequency).map_err(|e| {
                ImportError::new(&address, format!("frequency `{frequency}`: {}", e.message))
            })?;
            let label = resource
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("job");
            let name = match resource.get("index") {
                Some(serde_json::Value::Number(i)) => format!("{label}-{i}"),
                Some(serde_json::Value::String(key)) => format!("{label}-{key}"),
                _ => label.to_string(),
            };
            jobs.push(Job {
                name: name_from_command(&name),
                schedule: frequency,
                command,
                size: value("dyno_size").map(|s| s.to_ascii_lowercase()),
                enabled: true,
                ..Job::default()
            });
        }
    }
    if jobs.is_empty() {
        return Err(ImportError::new(
            "values.root_module",
            "no herokux_scheduler_job resources found",
        ));
    }
    Ok(Imported {
        manifest: manifest(defaults, with_heroku_timeouts(jobs)),
        warnings: Vec::new(),
    })
}
