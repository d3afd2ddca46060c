//! `cronport plan` and `cronport apply`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use cronport::aws::{self, AwsOptions, Clients};
use cronport::desired::Desired;
use cronport::manifest::Manifest;
use cronport::plan::Plan;

use super::TextOrJson as Format;
use super::{EXIT_CHANGES, print_stdout, read_input};

/// Where the manifest is and how to reach AWS.
#[derive(Debug, clap::Args)]
pub struct Common {
    /// The manifest.
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// The environment (`[env.NAME]`); required when the manifest has
    /// environments. Its AWS names end in `-NAME`.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    #[command(flatten)]
    aws: super::AwsFlags,
}

/// What plan and apply may take over or delete.
#[derive(Debug, clap::Args)]
pub struct Ownership {
    /// Allow a manifest with no jobs, whose plan deletes everything its
    /// manifest id and environment own. (Other deletes need no flag: what
    /// the manifest no longer wants is deleted, as with Terraform.)
    #[arg(long)]
    prune: bool,
    /// Take ownership of existing schedules and rules whose names the
    /// manifest uses (after `cronport import aws`): tag and mark them.
    #[arg(long)]
    adopt: bool,
    /// Start schedules and rules held until a cutover instant still ahead
    /// at once (without it, a plan that would is refused: a hold holds).
    #[arg(long)]
    release_holds: bool,
}

/// Show what apply would change on AWS.
///
/// Compares the manifest with what is live: `+` create, `~` update (field by
/// field), `-` delete (what this manifest and environment own and no longer
/// want, wherever it is: a renamed job's old schedule, the old group's, the
/// other backend's), `!` a name taken by something cronport does not own
/// (or another manifest or environment owns), which it never touches.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport plan
  cronport plan cronport.toml --profile prod --region eu-west-1 --detailed-exitcode
  cronport plan --endpoint-url http://127.0.0.1:5000 --format json

Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error,
2 changes present (only with --detailed-exitcode).")]
pub struct PlanArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    ownership: Ownership,
    #[command(flatten)]
    window: super::Window,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 2 when the plan has changes, 0 when it has none.
    #[arg(long)]
    detailed_exitcode: bool,
    /// Warn of minutes in the first week when more than this many jobs
    /// start together.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    crowd_limit: u32,
}

/// Make the changes `plan` shows.
///
/// Asks for confirmation on a terminal unless --yes; writes run
/// --concurrency at a time with retries; a second apply makes no writes.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport apply
  cronport apply --yes --concurrency 16
  cronport apply --prune   # with a manifest emptied of jobs: delete all it owns")]
pub struct ApplyArgs {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    ownership: Ownership,
    #[command(flatten)]
    window: super::Window,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    yes: bool,
    /// How many writes run at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

/// Asks `question` on a terminal and accepts only `yes`; refuses when not
/// on a terminal (the caller offers `--yes`).
pub(crate) fn confirm(question: &str, doing: &str, cancelled: &str) -> Result<(), super::Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(
            format!("not {doing} without confirmation: pass --yes when not on a terminal").into(),
        );
    }
    print!("{question} Only 'yes' is accepted: ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    if answer.trim() != "yes" {
        return Err(cancelled.to_string().into());
    }
    Ok(())
}

fn desired(common: &Common, window: &super::Window) -> Result<Desired, super::Failure> {
    // A manifest with no jobs is allowed here: its plan (with --prune)
    // deletes what it owns.
    super::compile_manifest(
        &common.manifest,
        common.env.as_deref(),
        || window.compile_options(),
        None,
    )
}

fn options(common: &Common) -> AwsOptions {
    common.aws.options()
}

async fn make_plan(
    common: &Common,
    ownership: &Ownership,
    desired: &Desired,
) -> Result<(Clients, Plan), super::Failure> {
    let clients = Clients::connect_checked(&options(common))
        .await
        .map_err(|e| super::hint::problem(&e))?;
    let options = cronport::plan::PlanOptions {
        prune: ownership.prune,
        adopt: ownership.adopt,
        release_holds: ownership.release_holds,
    };
    let plan = aws::plan_with(&clients, desired, options)
        .await
        .map_err(super::plan_errors)?;
    Ok((clients, plan))
}

pub fn plan(args: PlanArgs) -> Result<ExitCode, super::Failure> {
    (|| -> Result<ExitCode, super::Failure> {
        let desired = desired(&args.common, &args.window)?;
        let (_, mut plan) =
            super::runtime()?.block_on(make_plan(&args.common, &args.ownership, &desired))?;
        let jobs: Vec<cronport::calendar::Job> = (desired.jobs.iter())
            .filter(|j| j.job.enabled || j.held_until.is_some())
            .map(|j| cronport::calendar::Job {
                name: j.job.name.clone(),
                schedule: j.job.schedule.clone(),
                start_at: j.job.start_at,
            })
            .collect();
        let week_end = desired.from + jiff::SignedDuration::from_hours(24 * 7);
        let crowded = cronport::calendar::crowds(
            &jobs,
            &jiff::tz::TimeZone::UTC,
            desired.from,
            week_end,
            args.crowd_limit as usize,
        );
        plan.warnings.extend(
            super::crowd_warnings(&crowded, args.crowd_limit as usize)
                .into_iter()
                .map(cronport::plan::Warning::Crowded),
        );
        let out = match args.format {
            Format::Text => super::hint::plan_text(&plan),
            Format::Json => {
                let doc = serde_json::json!({"changes": plan.changes, "summary": plan.summary(), "warnings": plan.warnings});
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n"
            }
        };
        print_stdout(&out).map_err(|e| e.to_string())?;
        Ok(if args.detailed_exitcode && plan.has_changes() {
            ExitCode::from(EXIT_CHANGES)
        } else {
            ExitCode::SUCCESS
        })
    })()
}

pub fn apply(args: ApplyArgs) -> Result<ExitCode, super::Failure> {
    (|| -> Result<ExitCode, super::Failure> {
        let desired = desired(&args.common, &args.window)?;
        let rt = super::runtime()?;
        let (clients, plan) = rt.block_on(make_plan(&args.common, &args.ownership, &desired))?;
        print_stdout(&super::hint::plan_text(&plan)).map_err(|e| e.to_string())?;
        let conflicts = plan.summary().conflicts;
        if !plan.has_changes() && conflicts == 0 {
            print_stdout("Nothing to do.\n").map_err(|e| e.to_string())?;
            return Ok(ExitCode::SUCCESS);
        }
        if !plan.has_changes() {
            return Err(format!(
                "nothing to write, but {conflicts} resource(s) the manifest wants are taken by others (`!` above): those jobs are not deployed as the manifest says"
            )
            .into());
        }
        if !args.yes {
            confirm(
                "\nApply these changes?",
                "applying",
                "Apply cancelled; nothing was changed.",
            )?;
        }
        let total = plan.summary().add + plan.summary().change + plan.summary().destroy;
        let progress: Arc<dyn Fn(&aws::Applied) + Send + Sync> = if std::io::stderr().is_terminal()
        {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            Arc::new(move |step: &aws::Applied| {
                bar.inc(1);
                if step.failed() {
                    bar.println(step.to_string());
                } else {
                    bar.set_message(step.to_string());
                }
            })
        } else {
            Arc::new(|step: &aws::Applied| eprintln!("{step}"))
        };
        let report = rt.block_on(aws::apply(&clients, &plan, args.concurrency, progress));
        let failed: Vec<_> = report
            .results
            .iter()
            .filter(|(_, o)| *o != aws::Outcome::Done)
            .collect();
        let done = report.results.len() - failed.len();
        let mut summary = format!(
            "\nApply: {done} of {} changes made, {} write calls.",
            report.results.len(),
            report.writes
        );
        if failed.is_empty() {
            summary.push_str(" Done.\n");
            print_stdout(&summary).map_err(|e| e.to_string())?;
            if conflicts > 0 {
                return Err(format!(
                    "{conflicts} resource(s) the manifest wants are taken by others (`!` above): those jobs are not deployed as the manifest says"
                )
                .into());
            }
            return Ok(ExitCode::SUCCESS);
        }
        summary.push_str("\n\nNot done:\n");
        let not_done = failed.len();
        for (address, outcome) in failed {
            match outcome {
                aws::Outcome::Failed { error } => {
                    summary.push_str(&format!("  {address}: {error}\n"));
                }
                aws::Outcome::HalfMade { error, stands } => {
                    summary.push_str(&format!("  {address}: {error}\n      now: {stands}\n"));
                }
                aws::Outcome::Done => {}
            }
        }
        // The report is the command's output; the error is one sentence.
        print_stdout(&summary).map_err(|e| e.to_string())?;
        Err(if report.half_made() {
            format!("{not_done} change(s) not made; no job has two enabled runners; run `cronport apply` again to finish")
        } else {
            format!("{not_done} change(s) not made; nothing is left half-made; run `cronport apply` again to finish")
        }
        .into())
    })()
}

/// Run one job (or every job) now, once, exactly as its schedule would.
///
/// Starts ECS RunTask with the same command, environment and size, prints
/// the task ARN, and with --wait waits for it to stop and exits with its
/// container's exit code: the rehearsal before switching Heroku off. With
/// --all, every job (but those with `rehearse = false` or a reason), a
/// table of how each ended, and exit 0 only when every job exited 0.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport run rake-reports-daily
  cronport run rake-reports-daily --wait --env staging
  cronport run --all --wait                     # rehearse every job; a table of exit codes and last log lines
  cronport run --all staging.toml --wait --format markdown > rehearsal.md")]
pub struct RunArgs {
    /// The job's name in the manifest (with --all: the manifest).
    #[arg(
        required_unless_present = "all",
        add = clap_complete::engine::ArgValueCandidates::new(job_candidates)
    )]
    job: Option<String>,
    /// Run every job of the manifest (`cronport run --all [MANIFEST]`).
    #[arg(long)]
    all: bool,
    /// With --all: how many jobs are started (and waited for) at a time.
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), requires = "all")]
    concurrency: u16,
    /// With --all: the table as text, a Markdown table for the team's
    /// notes, or JSON.
    #[arg(long, value_enum, default_value_t = RunFormat::Text, requires = "all")]
    format: RunFormat,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    window: super::Window,
    /// Wait for the task to stop; exit with its container's exit code.
    #[arg(long)]
    wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    timeout: u64,
    /// Seconds between checks while waiting.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    poll: u64,
    /// Run a job the manifest marks `rehearse = false` (or with a reason)
    /// all the same.
    #[arg(long, conflicts_with = "all")]
    force: bool,
}

/// The jobs of `cronport.toml` in the working directory, for shell
/// completion of `cronport run JOB` (`source <(CRONPORT_COMPLETE=bash cronport)`):
/// none when there is no such manifest or it does not parse.
fn job_candidates() -> Vec<clap_complete::engine::CompletionCandidate> {
    let Ok(text) = std::fs::read_to_string("cronport.toml") else {
        return Vec::new();
    };
    let Ok(manifest) = cronport::manifest::Manifest::from_toml(&text, "cronport.toml") else {
        return Vec::new();
    };
    manifest
        .jobs
        .iter()
        .map(|job| {
            clap_complete::engine::CompletionCandidate::new(&job.name)
                .help(Some(job.schedule.clone().into()))
        })
        .collect()
}

/// `run --all`'s output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RunFormat {
    Text,
    Markdown,
    Json,
}

pub fn run(mut args: RunArgs) -> Result<ExitCode, super::Failure> {
    if args.all {
        // `run --all MANIFEST`: the one positional names the manifest.
        if let Some(manifest) = args.job.take() {
            if args.common.manifest != "cronport.toml" {
                return Err(format!(
                    "--all runs every job and takes one name, the manifest (`cronport run --all MANIFEST`); got `{manifest}` and `{}`",
                    args.common.manifest
                ).into());
            }
            args.common.manifest = manifest;
        }
        return run_all(&args);
    }
    let name = args.job.clone().unwrap_or_default();
    (|| -> Result<ExitCode, super::Failure> {
        let desired = desired(&args.common, &args.window)?;
        let Some(job) = desired.jobs.iter().find(|j| j.job.name == name) else {
            let names: Vec<&str> = desired.jobs.iter().map(|j| j.job.name.as_str()).collect();
            return Err(format!(
                "no job `{}` in {}; the jobs are {}",
                name,
                args.common.manifest,
                names.join(", ")
            )
            .into());
        };
        // A job marked not to rehearse (it charges customers, sends mail)
        // is not started by accident: nothing is called before this.
        if let Some(reason) = &job.job.skip_rehearsal
            && !args.force
        {
            return Err(format!(
                "job `{name}` is marked not to rehearse in {} ({}); nothing was started. Pass --force to run it all the same",
                args.common.manifest,
                cronport::escape::one_line(reason)
            )
            .into());
        }
        let rt = super::runtime()?;
        rt.block_on(async {
            let (clients, fitted) = connect_and_fit(&args.common, &desired).await?;
            let mine = |n: &&cronport::fit::JobNote| n.job == job.job.name;
            for note in fitted.notes.iter().filter(mine) {
                super::advise("note", &note.to_string());
            }
            if let Some(problem) = fitted.problems.iter().find(mine) {
                return Err(format!("{problem}").into());
            }
            let job = fitted
                .desired
                .jobs
                .iter()
                .find(|j| j.job.name == job.job.name)
                .unwrap_or(job);
            let arns = aws::run_now(&clients, job)
                .await
                .map_err(|e| e.to_string())?;
            for arn in &arns {
                print_stdout(&format!("{arn}\n")).map_err(|e| e.to_string())?;
            }
            if !args.wait {
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("waiting for {} task(s) to stop…", arns.len());
            let t = &job.job.target;
            let mut follower = match aws::LogFollower::for_run(&clients, job, &arns).await {
                Ok(follower) => {
                    eprintln!(
                        "following CloudWatch Logs: {}",
                        follower.streams().join(", ")
                    );
                    Some(follower)
                }
                Err(why) => {
                    eprintln!("note: no log lines to show: {why}");
                    None
                }
            };
            let mut print = |line: &str| {
                let _ = print_stdout(&format!("{line}\n"));
            };
            let stopped = aws::wait_stopped(
                &clients,
                &t.cluster,
                &t.container,
                &arns,
                std::time::Duration::from_secs(args.poll.max(1)),
                std::time::Duration::from_secs(args.timeout),
                follower
                    .as_mut()
                    .map(|f| (f, &mut print as &mut (dyn FnMut(&str) + Send))),
            )
            .await
            .map_err(|e| e.to_string())?;
            let mut code = 0;
            for s in &stopped {
                // ECS does not always give a reason.
                let reason = if s.reason.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", cronport::escape::one_line(&s.reason))
                };
                match s.exit_code {
                    Some(c) => eprintln!(
                        "{} stopped{reason}, container `{}` exited {c}",
                        s.task_arn, t.container
                    ),
                    None => eprintln!(
                        "{} stopped{reason} without an exit code from `{}`",
                        s.task_arn, t.container
                    ),
                }
                let c = s.exit_code.unwrap_or(1);
                if c != 0 && code == 0 {
                    code = c;
                }
            }
            Ok(ExitCode::from(
                u8::try_from(code.clamp(0, 255)).unwrap_or(1),
            ))
        })
    })()
}

/// Move rules jobs to EventBridge Scheduler, no run lost or doubled.
///
/// In stages: create each schedule and disable the job's rules between two
/// of its runs (proved with the equivalence check); later, with --finish,
/// delete the disabled rules. Re-run it after any failure. Then set
/// backend = "scheduler" in the manifest.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport migrate --from-backend rules --to-backend scheduler --dry-run  # what would switch when; nothing written
  cronport migrate --from-backend rules --to-backend scheduler
  cronport migrate --from-backend rules --to-backend scheduler --finish   # a day later: delete the disabled rules")]
pub struct MigrateArgs {
    #[command(flatten)]
    common: Common,
    /// The backend the jobs are on now.
    #[arg(long, value_name = "BACKEND", value_parser = super::backend_names())]
    from_backend: cronport::Backend,
    /// The backend to move them to.
    #[arg(long, value_name = "BACKEND", value_parser = super::backend_names())]
    to_backend: cronport::Backend,
    /// Stage two: delete the rules the first stage disabled.
    #[arg(long)]
    finish: bool,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    yes: bool,
    /// Show what stage one would do (switch instants, the runs on either
    /// side, the proof) and stop; works offline.
    #[arg(long, conflicts_with = "finish")]
    dry_run: bool,
}

/// One line per job of a migration, planned or done.
fn switch_lines(switches: &[cronport::migration::Switch]) -> String {
    switches
        .iter()
        .map(|s| {
            // A switch waits out a run closer than two minutes; say so.
            let after_run = s
                .last_rule_run
                .map(|t| format!(" (just after the rules' run at {t})"))
                .unwrap_or_default();
            let first = s
                .first_schedule_run
                .map_or("none in the window".to_string(), |t| t.to_string());
            format!(
                "job {}: switch at {}{after_run}, first Scheduler run {first}, proved over {} runs: {}{}\n",
                s.job,
                s.at,
                s.proved_over,
                s.outcome,
                s.outcome
                    .hint()
                    .map(|h| format!(": {}", super::hint::words(&h)))
                    .unwrap_or_default()
            )
        })
        .collect()
}

pub fn migrate(args: MigrateArgs) -> Result<ExitCode, super::Failure> {
    use cronport::translate::Backend;
    (|| -> Result<ExitCode, super::Failure> {
        if (args.from_backend, args.to_backend) != (Backend::Rules, Backend::Scheduler) {
            return Err(
                "cronport migrates from rules to scheduler (--from-backend rules --to-backend scheduler)"
                    .to_string()
                    .into(),
            );
        }
        let text = read_input(&args.common.manifest)?;
        let manifest = Manifest::from_toml(&text, &args.common.manifest)
            .map_err(super::Failure::report)?
            .for_env(args.common.env.as_deref())
            .map_err(|e| super::hint::env(&e))?;
        if args.dry_run || (!args.yes && !args.finish) {
            let preview = cronport::migration::preview_migration(&manifest, super::now())
                .map_err(super::plan_errors)?;
            if preview.is_empty() {
                print_stdout("No job uses the rules backend; nothing to migrate.\n")
                    .map_err(|e| e.to_string())?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut out = switch_lines(&preview);
            if args.dry_run {
                out.push_str("\nNothing was changed (--dry-run). A job whose next run is under two minutes away switches just after that run.\n");
            }
            print_stdout(&out).map_err(|e| e.to_string())?;
            if args.dry_run {
                return Ok(ExitCode::SUCCESS);
            }
        }
        if !args.yes {
            let stage = if args.finish {
                "delete the disabled rules"
            } else {
                "switch every rules job to a schedule, as above"
            };
            confirm(
                &format!("This will {stage}."),
                "migrating",
                "Migration cancelled; nothing was changed.",
            )?;
        }
        let rt = super::runtime()?;
        let switches = rt
            .block_on(async {
                let clients = Clients::connect_checked(&options(&args.common))
                    .await
                    .map_err(|e| cronport::plan::PlanError { problems: vec![e] })?;
                aws::migrate(&clients, &manifest, super::now(), args.finish).await
            })
            .map_err(super::plan_errors)?;
        let mut out = switch_lines(&switches);
        let failed = switches.iter().any(|s| s.failed);
        if switches.is_empty() {
            out.push_str("No job uses the rules backend; nothing to migrate.\n");
        } else if !args.finish && !failed {
            out.push_str("\nEvery job now runs on EventBridge Scheduler; its rules are disabled. Set backend = \"scheduler\" in the manifest, and run with --finish to delete the rules.\n");
        }
        print_stdout(&out).map_err(|e| e.to_string())?;
        Ok(if failed {
            ExitCode::from(super::EXIT_ERROR)
        } else {
            ExitCode::SUCCESS
        })
    })()
}

/// The clients, and the jobs fitted to their task definitions, as their
/// schedules' plan fits them: what `run` starts.
async fn connect_and_fit(
    common: &Common,
    desired: &Desired,
) -> Result<(Clients, cronport::fit::Fitted), super::Failure> {
    let clients = Clients::connect_checked(&options(common))
        .await
        .map_err(|e| super::hint::problem(&e))?;
    let fitted = aws::fitted(&clients, desired)
        .await
        .map_err(super::plan_errors)?;
    Ok((clients, fitted))
}

/// `cronport run --all`: every job once, then the table.
fn run_all(args: &RunArgs) -> Result<ExitCode, super::Failure> {
    let desired = desired(&args.common, &args.window)?;
    if desired.jobs.is_empty() {
        return Err(format!("{} has no jobs to run", args.common.manifest).into());
    }
    let rt = super::runtime()?;
    let rehearsals = rt.block_on(async {
        let (clients, fitted) = connect_and_fit(&args.common, &desired).await?;
        if !fitted.problems.is_empty() {
            let lines: Vec<String> = fitted.problems.iter().map(|p| p.to_string()).collect();
            return Err(super::Failure::Errors(lines));
        }
        for note in &fitted.notes {
            super::advise("note", &note.to_string());
        }
        let wait = args.wait.then(|| aws::Waiting {
            poll: std::time::Duration::from_secs(args.poll.max(1)),
            timeout: std::time::Duration::from_secs(args.timeout),
        });
        let total = fitted.desired.jobs.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        eprintln!(
            "starting {total} job(s), {} at a time{}…",
            args.concurrency,
            if args.wait {
                ", waiting for each to stop"
            } else {
                ""
            }
        );
        let progress = |r: &aws::Rehearsal| {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            eprintln!("[{n}/{total}] {}: {}", r.job, r.outcome);
        };
        let rehearsals = aws::rehearse(
            &clients,
            &fitted.desired,
            wait,
            usize::from(args.concurrency),
            &progress,
        )
        .await;
        let region = clients.ecs.config().region().map(|r| r.to_string());
        Ok::<_, super::Failure>((rehearsals, region))
    })?;
    let (rehearsals, region) = rehearsals;
    let monthly = region
        .as_deref()
        .and_then(|region| monthly_costs(&desired, &rehearsals, region));
    let out = match args.format {
        RunFormat::Text => rehearsal_table(&rehearsals, monthly.as_ref(), false),
        RunFormat::Markdown => rehearsal_table(&rehearsals, monthly.as_ref(), true),
        RunFormat::Json => {
            let failed: Vec<&str> = rehearsals
                .iter()
                .filter(|r| !r.passed())
                .map(|r| r.job.as_str())
                .collect();
            let json = serde_json::json!({ "jobs": rehearsals, "failed": failed, "monthly_cost": monthly });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
            )
        }
    };
    print_stdout(&out).map_err(|e| e.to_string())?;
    Ok(if rehearsals.iter().all(aws::Rehearsal::passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_ERROR)
    })
}

/// What each job measured in the rehearsal costs a month on Fargate (x86,
/// the built-in prices): its runs in the median of the coming twelve
/// months at the measured length. `None` where the region has no prices.
#[derive(Debug, serde::Serialize)]
struct MonthlyCosts {
    region: String,
    /// Dollars a month, by job (measured jobs only).
    jobs: std::collections::BTreeMap<String, f64>,
}

fn monthly_costs(
    desired: &Desired,
    rehearsals: &[aws::Rehearsal],
    region: &str,
) -> Option<MonthlyCosts> {
    let measured: Vec<(cronport::manifest::ResolvedJob, u64)> = desired
        .jobs
        .iter()
        .filter_map(|j| {
            let seconds = rehearsals.iter().find(|r| r.job == j.job.name)?.seconds?;
            Some((j.job.clone(), seconds))
        })
        .collect();
    let (jobs, facts): (Vec<_>, Vec<_>) = measured
        .into_iter()
        .map(|(job, seconds)| {
            (
                job,
                cronport::cost::JobFacts {
                    // Heroku's side is `cronport cost`'s: any known dyno.
                    dyno: Some("standard-1x".to_string()),
                    measured_seconds: Some(seconds),
                },
            )
        })
        .unzip();
    let prices = cronport::cost::Prices::builtin();
    let estimate = cronport::cost::estimate(&jobs, &facts, &prices, region, super::now()).ok()?;
    Some(MonthlyCosts {
        region: region.to_string(),
        jobs: estimate
            .jobs
            .into_iter()
            .map(|j| (j.job, j.aws.typical))
            .collect(),
    })
}

/// The rehearsal as a table (text, or Markdown for the team's notes) and
/// a summary line naming the jobs that failed.
fn rehearsal_table(
    rehearsals: &[aws::Rehearsal],
    monthly: Option<&MonthlyCosts>,
    markdown: bool,
) -> String {
    let rows: Vec<[String; 6]> = rehearsals
        .iter()
        .map(|r| {
            let tasks: Vec<&str> = r
                .tasks
                .iter()
                .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
                .collect();
            [
                r.job.clone(),
                tasks.join(" "),
                r.outcome.to_string(),
                r.seconds.map_or(String::new(), |s| format!("{s} s")),
                monthly
                    .and_then(|m| m.jobs.get(&r.job))
                    .map_or(String::new(), |d| format!("${d:.2}")),
                // Log lines are the task's output: escaped, so a `\r` or
                // a terminal escape cannot rewrite the table or the screen.
                r.last_lines
                    .iter()
                    .map(|l| cronport::escape::one_line(l))
                    .collect::<Vec<_>>()
                    .join(if markdown { "<br>" } else { " ⏎ " }),
            ]
        })
        .collect();
    let header = ["job", "task", "result", "time", "a month", "last log lines"];
    let mut out = String::new();
    if markdown {
        let cell = |text: &str| cronport::escape::one_line(text).replace('|', "\\|");
        out.push_str(&format!(
            "| {} |\n|---|---|---|---|---:|---|\n",
            header.join(" | ")
        ));
        for row in &rows {
            let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out.push('\n');
    } else {
        out.push_str(&super::columns(header, &rows));
        out.push('\n');
    }
    let count =
        |f: fn(&aws::RehearsalOutcome) -> bool| rehearsals.iter().filter(|r| f(&r.outcome)).count();
    let skipped = count(|o| matches!(o, aws::RehearsalOutcome::Skipped(_)));
    let started = count(|o| matches!(o, aws::RehearsalOutcome::Started));
    let failed: Vec<String> = rehearsals
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{} ({})", r.job, r.outcome))
        .collect();
    // Started and not waited for is neither passed nor failed.
    let started = if started > 0 {
        format!("{started} started (not waited for), ")
    } else {
        String::new()
    };
    out.push_str(&format!(
        "{} job(s): {started}{} passed, {} failed, {skipped} skipped{}\n",
        rehearsals.len(),
        rehearsals.len()
            - failed.len()
            - skipped
            - count(|o| matches!(o, aws::RehearsalOutcome::Started)),
        failed.len(),
        if failed.is_empty() {
            String::new()
        } else {
            format!(". Failed: {}", failed.join(", "))
        }
    ));
    if let Some(m) = monthly.filter(|m| !m.jobs.is_empty()) {
        out.push_str(&format!(
            "a month: each measured job's runs in the median of the coming twelve months at the time it took, on Fargate x86 in {} (built-in prices); `cronport cost --durations` with this report as JSON compares Heroku\n",
            m.region
        ));
    }
    out
}
