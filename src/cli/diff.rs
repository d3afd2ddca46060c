//! `cronport diff`.

use std::process::ExitCode;

use clap::ValueEnum;
use cronport::desired::{CompileOptions, compile};
use cronport::diff::{DiffOptions, diff, markdown, text};
use cronport::manifest::Manifest;

use super::{EXIT_CHANGES, print_stdout, read_input};

/// Compare two manifests (or one with AWS) by meaning, for code review.
///
/// Shows which jobs are added, removed, renamed or changed, what a schedule
/// change does to the runs (English, UTC and local times, runs per year,
/// next runs), and which edits are only respellings that fire at the same
/// instants.
///
/// Each side is a manifest path, `git:REV:PATH` to read a file as it is in
/// a commit (through `git show`), or `aws` for what is live (read as `plan`
/// reads it, using the other side's manifest to know what to read).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport diff git:origin/main:cronport.toml cronport.toml
  cronport diff old.toml new.toml --format markdown > comment.md
  cronport diff git:HEAD~1:cronport.toml cronport.toml --format json --detailed-exitcode
  cronport diff aws cronport.toml --profile prod   # what applying would change, by meaning

Exit codes: 0 success (with --detailed-exitcode: nothing effective changed),
1 error, 2 effective changes (only with --detailed-exitcode).")]
pub struct Args {
    /// The base side: a manifest path or git:REV:PATH.
    base: String,
    /// The head side: a manifest path or git:REV:PATH.
    head: String,
    /// Output: text (coloured on a terminal), markdown (for a pull-request
    /// comment), or json (for bots).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 2 when anything effective changed.
    #[arg(long)]
    detailed_exitcode: bool,
    /// Warn of minutes in the head's first week when more than this many
    /// jobs start together.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    crowd_limit: u32,
    /// Start of the year in which runs are compared and counted (RFC 3339).
    /// Defaults to now.
    #[arg(long, value_name = "RFC3339")]
    from: Option<String>,
    /// The environment (`[env.NAME]`) both sides are read in.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    #[command(flatten)]
    aws: super::AwsFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

/// The text of one side, and the name to show in errors.
fn read_side(side: &str) -> Result<(String, String), super::Failure> {
    if let Some(spec) = side.strip_prefix("git:") {
        let Some((rev, path)) = spec.split_once(':') else {
            return Err(
                format!("`{side}`: write git:REV:PATH, such as git:HEAD~1:cronport.toml").into(),
            );
        };
        // A REV git could read as an option (`--output=…`) is refused, and
        // `--end-of-options` keeps any other from being one.
        if path.is_empty() || path.ends_with('/') {
            return Err(format!(
                "`{side}`: name a manifest file after the revision, such as git:{rev}:cronport.toml"
            )
            .into());
        }
        if rev.is_empty() || rev.starts_with('-') {
            return Err(format!(
                "`{side}`: the revision `{rev}` is not a git revision (it may not be empty or start with `-`)"
            ).into());
        }
        // `cat-file blob` reads exactly that path at that revision (never
        // a pattern), and fails when it is not a file there.
        let out = std::process::Command::new("git")
            .args([
                "cat-file",
                "blob",
                "--end-of-options",
                &format!("{rev}:{path}"),
            ])
            .output()
            .map_err(|e| format!("cannot run git for `{side}`: {e}"))?;
        if !out.status.success() {
            // The revision exists without the file, which the work tree
            // has: the pull request that adds the manifest. Every job is
            // new. (A path in neither is a mistake, refused below.)
            let revision_exists = std::process::Command::new("git")
                .args([
                    "cat-file",
                    "-e",
                    "--end-of-options",
                    &format!("{rev}^{{commit}}"),
                ])
                .output()
                .is_ok_and(|o| o.status.success());
            if revision_exists && std::path::Path::new(path).is_file() {
                super::advise(
                    "note",
                    &format!("{path} is not in {rev}: every job of the other side is new"),
                );
                return Ok((String::new(), side.to_string()));
            }
            return Err(format!(
                "`{side}`: git cannot read it: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )
            .into());
        }
        let text =
            String::from_utf8(out.stdout).map_err(|_| format!("`{side}` is not UTF-8 text"))?;
        return Ok((text, side.to_string()));
    }
    Ok((read_input(side)?, side.to_string()))
}

fn load(side: &str, env: Option<&str>) -> Result<Manifest, super::Failure> {
    let (text, name) = read_side(side)?;
    Manifest::from_toml(&text, &name)
        .map_err(super::Failure::report)?
        .for_env(env)
        .map_err(|e| format!("{name}: {}", super::hint::env(&e)).into())
}

/// The report of a manifest against what is live on AWS.
#[cfg(feature = "aws")]
fn live_report(
    args: &Args,
    desired: &cronport::desired::Desired,
    options: &DiffOptions,
) -> Result<cronport::diff::Report, super::Failure> {
    let live_is_base = args.base == "aws";
    let aws_options = args.aws.options();
    super::runtime()?
        .block_on(async {
            let clients = cronport::aws::Clients::connect_checked(&aws_options)
                .await
                .map_err(|e| cronport::plan::PlanError { problems: vec![e] })?;
            cronport::aws::diff_live(&clients, desired, live_is_base, options).await
        })
        .map_err(super::plan_errors)
}

#[cfg(not(feature = "aws"))]
fn live_report(
    _: &Args,
    _: &cronport::desired::Desired,
    _: &DiffOptions,
) -> Result<cronport::diff::Report, super::Failure> {
    Err(super::without_aws(
        "read what is live on AWS (`aws` as a side)",
    ))
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    (|| -> Result<ExitCode, super::Failure> {
        let from = super::from_or_now(args.from.as_deref())?;
        let options = DiffOptions::year_from(from);
        let mut sides = None;
        let report = match (args.base.as_str(), args.head.as_str()) {
            ("aws", "aws") => return Err("one side must be a manifest".to_string().into()),
            ("aws", manifest) | (manifest, "aws") => {
                let desired = compile(
                    &load(manifest, args.env.as_deref())?,
                    &CompileOptions::starting(from),
                )
                .map_err(|e| super::hint::compile_error(&e))?;
                live_report(&args, &desired, &options)?
            }
            (base, head) => {
                // A pull request that deletes the manifest: the base has it
                // (from git), the work tree does not. Every job is removed.
                let deleted = base.starts_with("git:")
                    && !head.starts_with("git:")
                    && !std::path::Path::new(head).exists();
                let head = if deleted {
                    super::advise(
                        "note",
                        &format!(
                            "{head} is not in the work tree: every job of the base is removed"
                        ),
                    );
                    Manifest::from_toml("", head).map_err(super::Failure::report)?
                } else {
                    load(head, args.env.as_deref())?
                };
                let (base, head) = (load(base, args.env.as_deref())?, head);
                let report = diff(&base, &head, &options).map_err(|e| e.to_string())?;
                sides = Some((base, head));
                report
            }
        };
        // The head's week: crowded minutes, and (in Markdown, when runs
        // move) the load before and after as a picture.
        let mut picture = String::new();
        let mut crowded = Vec::new();
        if let Some((base, head)) = &sides
            && let (Ok(base_jobs), Ok(head_jobs)) = (base.resolve(), head.resolve())
        {
            let (before, after) = (
                super::calendar_jobs(base_jobs),
                super::calendar_jobs(head_jobs),
            );
            let utc = jiff::tz::TimeZone::UTC;
            let (after_week, after_crowds) = cronport::calendar::week_and_crowds(
                &after,
                &utc,
                from,
                1,
                args.crowd_limit as usize,
            );
            crowded = after_crowds;
            // The picture is of runs: only a change that moves some.
            if report.jobs.iter().any(|j| j.moves_runs()) {
                let before_week = cronport::calendar::week(&before, &utc, from, 1);
                picture = cronport::calendar::compare(&before_week, &after_week);
            }
        }
        let warnings = super::crowd_warnings(&crowded, args.crowd_limit as usize);
        let out = match args.format {
            Format::Text => {
                let colour = super::colour_on_stdout();
                for warning in &warnings {
                    super::advise("warning", &warning.to_string());
                }
                text(&report, colour)
            }
            Format::Markdown => {
                let mut comment = markdown(&report);
                if !picture.is_empty() {
                    comment
                        .push_str("\n**The week's runs, before and after** (all jobs, UTC):\n\n");
                    comment.push_str(&picture);
                }
                if !warnings.is_empty() {
                    comment.push_str("\n**Crowded minutes after this change:**\n\n");
                    for warning in &warnings {
                        // Job names are `[A-Za-z0-9._-]`: nothing Markdown reads.
                        comment.push_str(&format!("- ⚠️ {warning}\n"));
                    }
                }
                comment
            }
            Format::Json => {
                for warning in &warnings {
                    super::advise("warning", &warning.to_string());
                }
                serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n"
            }
        };
        print_stdout(&out).map_err(|e| e.to_string())?;
        Ok(
            if args.detailed_exitcode && report.has_effective_changes() {
                ExitCode::from(EXIT_CHANGES)
            } else {
                ExitCode::SUCCESS
            },
        )
    })()
}
