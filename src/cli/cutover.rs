//! `cronport cutover`: the one instant at which Heroku stops and AWS starts.

use std::process::ExitCode;

use cronport::aws::{self, Clients};
use cronport::cutover::{Cutover, cutover};
use cronport::import;
use cronport::manifest::Manifest;
use jiff::Timestamp;
use serde_json::Value;

use super::{parse_instant, print_stdout, read_input};

/// Cut over at one instant: no run lost, none doubled, proved.
///
/// Prints, per job, the old platform's last run before the instant and
/// AWS's first run at or after it (proved with the equivalence check from
/// the instant on), and the one Heroku-side action to take then. Unless
/// --dry-run, it checks AWS is ready (every schedule starts at the instant:
/// `cronport apply --start-at AT` first), asks, waits for the instant, then
/// enables the rules held until it and, with --app, deletes the app's
/// Heroku Scheduler jobs through Heroku's Scheduler API.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport apply --start-at 2026-12-01T03:05:00Z        # AWS holds every run until then
  cronport cutover --at 2026-12-01T03:05:00Z --dry-run  # the proof and the steps; nothing done
  cronport cutover --at 2026-12-01T03:05:00Z --app shop # at the instant: delete shop's Scheduler jobs")]
pub struct Args {
    /// The instant (RFC 3339). Choose one between runs: a run on the
    /// instant is AWS's, and Heroku may start it too as it stops.
    #[arg(long, value_name = "RFC3339")]
    at: String,
    /// The manifest.
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// The environment (`[env.NAME]`).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The Heroku app whose Scheduler jobs (matched to the manifest's by
    /// command) are deleted at the instant, after you confirm. Without it,
    /// cronport says what to remove by hand.
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// Print the cutover and what would be done; change nothing, reach no
    /// server.
    #[arg(long)]
    dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    yes: bool,
    /// The output: a table, or JSON.
    #[arg(long, value_enum, default_value_t = super::TextOrJson::Text)]
    format: super::TextOrJson,
    /// The Heroku Platform API (to find the app's id).
    #[arg(long, value_name = "URL", default_value = import::HEROKU_API, env = "CRONPORT_HEROKU_API", hide_env_values = true, hide = true)]
    heroku_api: String,
    /// The Heroku Scheduler API (the jobs).
    #[arg(long, value_name = "URL", default_value = import::SCHEDULER_API, env = "CRONPORT_SCHEDULER_API", hide_env_values = true, hide = true)]
    scheduler_api: String,
    #[command(flatten)]
    aws: super::AwsFlags,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    let at = parse_instant("--at", &args.at)?;
    let now = super::now();
    if at < now && !args.dry_run {
        return Err(format!(
            "the instant {at} has passed; choose one ahead (or look back with --dry-run)"
        )
        .into());
    }
    let text = read_input(&args.manifest)?;
    let manifest = Manifest::from_toml(&text, &args.manifest)
        .map_err(super::Failure::report)?
        .for_env(args.env.as_deref())
        .map_err(|e| super::hint::env(&e))?;
    if manifest.jobs.is_empty() {
        return Err(format!(
            "{} has no jobs: there is nothing to cut over (and nothing to remove from Heroku)",
            args.manifest
        )
        .into());
    }
    let plan = cutover(&manifest, at, now).map_err(|e| {
        super::Failure::report(manifest.place_worded(
            &text,
            &args.manifest,
            &e.problems,
            &super::hint::remedy,
        ))
    })?;
    let heroku = match &args.app {
        Some(app) if !args.dry_run => Some(heroku_jobs(&args, app, &manifest)?),
        _ => None,
    };
    let out = match args.format {
        super::TextOrJson::Json => {
            let json = serde_json::json!({
                "cutover": plan,
                "heroku_jobs_to_delete": heroku.as_ref().map(|h| &h.delete),
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
            )
        }
        super::TextOrJson::Text => table(&plan, &args, heroku.as_ref()),
    };
    print_stdout(&out).map_err(|e| e.to_string())?;
    if args.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    let rules = plan.rules();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let clients = rt.block_on(async {
        let clients = Clients::connect_checked(&args.aws.options())
            .await
            .map_err(|e| super::hint::problem(&e))?;
        ready(&clients, &manifest, at, now).await?;
        Ok::<_, super::Failure>(clients)
    })?;
    let deletes = heroku.as_ref().map_or(0, |h| h.delete.len());
    if rules.is_empty() && deletes == 0 {
        eprintln!("AWS is ready: nothing for cronport to do at {at}.");
        return Ok(ExitCode::SUCCESS);
    }
    if !args.yes {
        super::deploy::confirm(
            &format!(
                "At {at}, enable {} rule(s) and delete {deletes} Heroku Scheduler job(s)?",
                rules.len()
            ),
            "cutting over",
            "Cutover cancelled; nothing was changed.",
        )?;
    }
    let wait = at.duration_since(super::now());
    if wait.is_positive() {
        eprintln!("waiting {} s, until {at}…", wait.as_secs());
        std::thread::sleep(wait.unsigned_abs());
    }
    if !rules.is_empty() {
        rt.block_on(aws::enable_rules(&clients, &rules, &mut |name| {
            eprintln!("enabled rule {name}")
        }))
        .map_err(|e| e.to_string())?;
    }
    if let (Some(heroku), Some(app)) = (&heroku, &args.app) {
        let ids: Vec<String> = heroku.delete.iter().map(|(id, _)| id.clone()).collect();
        heroku
            .api
            .delete_scheduler_jobs(app, &ids, &mut |id| {
                eprintln!("deleted Heroku Scheduler job {id} of {app}")
            })
            .map_err(|e| e.to_string())?;
    }
    eprintln!("cut over at {at}.");
    Ok(ExitCode::SUCCESS)
}

/// The Heroku side: the app's Scheduler jobs matched to the manifest's.
struct HerokuJobs {
    api: import::HerokuApi,
    /// (Heroku job id, manifest job name) to delete at the instant.
    delete: Vec<(String, String)>,
}

fn heroku_jobs(args: &Args, app: &str, manifest: &Manifest) -> Result<HerokuJobs, super::Failure> {
    let api = super::heroku_api(&args.heroku_api, &args.scheduler_api)?;
    eprintln!("reading the Scheduler jobs of Heroku app `{app}`…");
    let text = api.scheduler_jobs(app).map_err(|e| e.to_string())?;
    let listed: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let pairing = cronport::cutover::pair_heroku_jobs(
        &cronport::cutover::HerokuJob::from_list(&listed),
        manifest,
    );
    for job in &pairing.left_running {
        eprintln!(
            "warning: Heroku job {} (`{}`) is in no job of the manifest: it is left running on Heroku",
            job.id, job.command
        );
    }
    Ok(HerokuJobs {
        api,
        delete: pairing.delete,
    })
}

/// AWS holds every run until `at`: a plan of the manifest with that
/// `start_at` has no changes.
async fn ready(
    clients: &Clients,
    manifest: &Manifest,
    at: Timestamp,
    now: Timestamp,
) -> Result<(), super::Failure> {
    let options = cronport::desired::CompileOptions {
        start_at: Some(at),
        ..cronport::desired::CompileOptions::starting(now)
    };
    let desired = cronport::desired::compile(manifest, &options)
        .map_err(|e| super::hint::compile_error(&e))?;
    let plan = aws::plan(clients, &desired, false)
        .await
        .map_err(super::plan_errors)?;
    if plan.has_changes() {
        return Err(format!(
            "AWS is not ready for a cutover at {at}: {} change(s) to make, so AWS could run jobs before the instant (beside Heroku) or not at all; run `cronport apply --start-at {at}` first:\n{}",
            plan.summary().add + plan.summary().change + plan.summary().destroy,
            super::hint::plan_text(&plan)
        ).into());
    }
    Ok(())
}

/// The cutover as a table, and the steps at the instant.
fn table(plan: &Cutover, args: &Args, heroku: Option<&HerokuJobs>) -> String {
    let at = plan.at;
    let rows: Vec<[String; 4]> = plan
        .jobs
        .iter()
        .map(|j| {
            if !j.enabled {
                let off = "disabled (enabled = false)".to_string();
                return [j.job.clone(), off.clone(), off, String::new()];
            }
            [
                j.job.clone(),
                j.last_before.map_or("none".to_string(), |t| t.to_string()),
                j.first_after.map_or("none in the window".to_string(), |t| {
                    format!(
                        "{t}{}",
                        if j.on_the_instant {
                            " (on the instant)"
                        } else {
                            ""
                        }
                    )
                }),
                format!("{} runs", j.proved_over),
            ]
        })
        .collect();
    let header = [
        "job",
        "last run before (old platform)",
        "first run at or after (AWS)",
        "proved",
    ];
    let mut out = format!(
        "Cutover at {at}: {} job(s); from the instant to {} every AWS run is a run of the schedule, each once, and no run is lost or doubled at the switch.\n\n",
        plan.jobs.len(),
        plan.until
    );
    out.push_str(&super::columns(header, &rows));
    for j in &plan.jobs {
        if let Some(own) = j.start_at.filter(|own| *own != at) {
            out.push_str(&format!(
                "\nwarning: job {} has start_at = {own} in the manifest, not the cutover instant: `cronport apply --start-at {at}` holds it until {at}; a plain `apply` would hold it until {own}.\n",
                j.job
            ));
        }
    }
    let on_it: Vec<&str> = plan
        .jobs
        .iter()
        .filter(|j| j.on_the_instant)
        .map(|j| j.job.as_str())
        .collect();
    if !on_it.is_empty() {
        out.push_str(&format!(
            "\nwarning: {} run(s) on the instant itself ({}): AWS makes that run, and Heroku, removed at the same moment, may start it too (its jobs start up to minutes late). Choose an instant between runs.\n",
            on_it.len(),
            on_it.join(", ")
        ));
    }
    out.push_str(&format!("\nAt {at}:\n"));
    if !plan.rules().is_empty() {
        out.push_str(&format!(
            "  - cronport enables {} rule(s) held disabled until then ({}).\n",
            plan.rules().len(),
            plan.rules().join(", ")
        ));
    }
    match (&args.app, heroku) {
        (Some(app), Some(h)) => out.push_str(&format!(
            "  - cronport deletes {} Heroku Scheduler job(s) of `{app}`: {}.\n",
            h.delete.len(),
            h.delete
                .iter()
                .map(|(id, job)| format!("{job} ({id})"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (Some(app), None) => out.push_str(&format!(
            "  - cronport deletes the Heroku Scheduler jobs of `{app}` that match the manifest's commands.\n"
        )),
        (None, _) => out.push_str(
            "  - remove the Heroku Scheduler add-on: `heroku addons:destroy scheduler --app APP` (or pass --app APP and cronport deletes its jobs).\n",
        ),
    }
    out
}
