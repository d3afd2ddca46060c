//! `cronport cutover`: the one instant at which Heroku stops and AWS
//! starts, carried out job by job, each in its safe window, resumable.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use cronport::aws::{self, Clients};
use cronport::cutover::{
    Action, Answer, AwsSide, Cutover, Decision, Decisions, Event, HerokuJob, Journal, JournalEntry,
    Outcome, PairedBy, Pairing, Step, StepResult, Unmatched, cutover,
};
use cronport::escape::one_line;
use cronport::import;
use cronport::manifest::Manifest;
use jiff::Timestamp;
use serde_json::Value;

use super::{Failure, parse_instant, print_stdout, read_input};

/// Cut over at one instant: each Heroku job deleted once, in its own safe
/// window, whatever fails on the way.
///
/// Prints, per job, Heroku's last run before the instant and AWS's first
/// at or after it (proved from the instant on); with --app, which Heroku
/// job each manifest job replaces (by the `source_id` the import recorded,
/// else by command and schedule) and the window in which deleting it loses
/// and doubles nothing: from just after its last Heroku run before the
/// instant to just before its first after. Then, after you confirm, it
/// enables the rules held until the instant, deletes each Heroku job in its
/// window (retrying throttling, server errors and time-outs while the
/// window is open), records each step in a journal beside the manifest,
/// and ends with a table per job. Run the same command again after any
/// failure or interruption: it finishes what is left.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport apply --start-at 2026-12-01T03:05:00Z             # AWS holds every run until then
  cronport cutover --at 2026-12-01T03:05:00Z --app shop --check  # read Heroku and AWS; change nothing
  cronport cutover --at 2026-12-01T12:05:00+09:00 --app shop    # do it (times shown in +09:00)
  nohup cronport cutover --at 2026-12-01T03:05:00Z --app shop --yes > cutover.log 2>&1 &

Recovery: run the same command again. The journal (cronport-cutover-APP-INSTANT.jsonl
beside the manifest) and what Heroku and AWS say now decide what is left; a step
done is never done twice, and AWS schedules are never held or made again.")]
pub struct Args {
    /// The instant (RFC 3339). Choose one between runs: a run on the
    /// instant is AWS's.
    #[arg(long, value_name = "RFC3339")]
    at: String,
    /// The manifest.
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// The environment (`[env.NAME]`).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The Heroku app whose Scheduler jobs are deleted, each in its
    /// window. Without it, cronport says when to remove each by hand.
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// Read Heroku (with --app) and AWS and print the pairing, the jobs
    /// left running, AWS's readiness and each deletion window; change
    /// nothing. Exits 1 when the cutover could not start, when AWS is not
    /// ready for a job, or when a window has closed already.
    #[arg(long, visible_alias = "dry-run")]
    check: bool,
    /// Print the proof and the steps only; read no server (an instant in
    /// the past may be looked back on).
    #[arg(long, conflicts_with = "check")]
    offline: bool,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    yes: bool,
    /// The zone every time is shown in (default: the instant's own offset
    /// when it has one, else the manifest's `timezone`, else UTC).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// A Heroku job id to leave running on Heroku (a job the manifest does
    /// not replace, or one to keep beside AWS). Repeatable.
    #[arg(long, value_name = "ID")]
    keep_on_heroku: Vec<String>,
    /// A Heroku job id no manifest job replaces, to delete anyway in its
    /// own window. Repeatable.
    #[arg(long, value_name = "ID")]
    delete_on_heroku: Vec<String>,
    /// The journal of steps done (default: beside the manifest,
    /// cronport-cutover-APP-INSTANT.jsonl).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// The output: a table, or JSON.
    #[arg(long, value_enum, default_value_t = super::TextOrJson::Text)]
    format: super::TextOrJson,
    /// The Heroku Platform API (to find the app's id).
    #[arg(long, value_name = "URL", default_value = import::HEROKU_API, env = "CRONPORT_HEROKU_API", hide_env_values = true, hide = true)]
    heroku_api: String,
    /// The Heroku Scheduler API (the jobs).
    #[arg(long, value_name = "URL", default_value = import::SCHEDULER_API, env = "CRONPORT_SCHEDULER_API", hide_env_values = true, hide = true)]
    scheduler_api: String,
    /// Seconds one Heroku request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, hide = true)]
    heroku_timeout: u64,
    #[command(flatten)]
    aws: super::AwsFlags,
}

pub fn run(args: Args) -> Result<ExitCode, Failure> {
    let at = parse_instant("--at", &args.at)?;
    let now = super::now();
    let text = read_input(&args.manifest)?;
    let manifest = Manifest::from_toml(&text, &args.manifest)
        .map_err(Failure::report)?
        .for_env(args.env.as_deref())
        .map_err(|e| super::hint::env(&e))?;
    let clock = Shown::choose(args.tz.as_deref(), &args.at, &manifest)?;
    if manifest.jobs.is_empty() {
        return Err(format!(
            "{} has no jobs: there is nothing to cut over (and nothing to remove from Heroku)",
            args.manifest
        )
        .into());
    }
    let plan = cutover(&manifest, at, now).map_err(|e| {
        Failure::report(manifest.place_worded(
            &text,
            &args.manifest,
            &e.problems,
            &super::hint::remedy,
        ))
    })?;
    if args.offline {
        let mut out = proof_table(&plan, &clock);
        out.push_str(&by_hand(&plan, &clock, args.app.as_deref()));
        print_stdout(&out).map_err(|e| e.to_string())?;
        return Ok(ExitCode::SUCCESS);
    }
    let journal_path = args.journal.clone().unwrap_or_else(|| {
        let dir = std::path::Path::new(&args.manifest)
            .parent()
            .filter(|p| !p.as_os_str().is_empty() && args.manifest != "-")
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        let who = [args.app.as_deref(), args.env.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("-");
        let who = if who.is_empty() {
            "aws".to_string()
        } else {
            who
        };
        dir.join(format!(
            "cronport-cutover-{who}-{}.jsonl",
            at.strftime("%Y%m%dT%H%M%SZ")
        ))
    });
    let done = Journal::read(&journal_path, at).map_err(|e| e.to_string())?;
    let heroku = match &args.app {
        Some(app) => Some(read_heroku(&args, app, &plan, &done)?),
        None => None,
    };
    let rt = super::runtime()?;
    let (clients, aws_side) = rt.block_on(async {
        let clients = Clients::connect_checked(&args.aws.options())
            .await
            .map_err(|e| super::hint::problem(&e))?;
        let side = read_aws(&clients, &manifest, &plan, now).await?;
        Ok::<_, Failure>((clients, side))
    })?;
    let pairing = heroku.as_ref().map(|h| &h.pairing);
    let steps = cronport::cutover::steps(&plan, pairing, &aws_side);
    let blockers = blockers(pairing);
    let before = Before {
        plan: &plan,
        pairing,
        aws: &aws_side,
        steps: &steps,
        done: &done,
        blockers: &blockers,
        app: args.app.as_deref(),
        now,
    };
    match args.format {
        super::TextOrJson::Json if args.check || !blockers.is_empty() => {
            print_stdout(&json(&before, None)).map_err(|e| e.to_string())?;
        }
        super::TextOrJson::Json => {}
        super::TextOrJson::Text => print_stdout(&before.text(&clock)).map_err(|e| e.to_string())?,
    }
    if !blockers.is_empty() {
        return Err(Failure::Errors(
            blockers.iter().map(|b| b.to_string()).collect(),
        ));
    }
    if args.check {
        let late = before.late().next().is_some();
        return Ok(if late || !aws_side.not_ready.is_empty() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    if steps.is_empty() {
        return finish(&args, &before, &[], None, &clock);
    }
    if !args.yes {
        super::deploy::confirm(
            &format!(
                "Carry out {} step(s) of the cutover at {}?",
                steps.len(),
                clock.show(at)
            ),
            "cutting over",
            "Cutover cancelled; nothing was changed.",
        )?;
    }
    let (mut journal, _) = Journal::open(&journal_path, at).map_err(|e| e.to_string())?;
    eprintln!("journal: {}", journal.path().display());
    let mut platform = Live {
        heroku: heroku.as_ref().map(|h| (&h.api, h.app_id.as_str())),
        clients: &clients,
        rt: &rt,
        longest: std::time::Duration::from_secs(args.heroku_timeout.max(1)),
    };
    let mut journal_failed = None;
    let mut last_wait: Option<(Action, Timestamp)> = None;
    let outcomes =
        cronport::cutover::carry_out(&steps, &mut platform, &mut SystemClock, &mut |event| {
            match event {
                Event::Waiting { next, until } => {
                    let now = Timestamp::now();
                    let quiet = last_wait.as_ref().is_some_and(|(action, when)| {
                        *action == next.action && now.duration_since(*when).as_secs() < 600
                    });
                    if !quiet {
                        eprintln!(
                            "waiting: next, {} at {} (in {})",
                            action_text(&next.action),
                            clock.show(until),
                            span(until.duration_since(now))
                        );
                        last_wait = Some((next.action.clone(), now));
                    }
                }
                Event::Retrying { step, error, next } => eprintln!(
                    "{}: {}; trying again at {}",
                    action_text(&step.action),
                    one_line(error),
                    clock.show(next)
                ),
                Event::Finished(outcome) => {
                    if let Some(at) = outcome.result.at()
                        && let Err(e) = journal.record(at, &outcome.step.action)
                    {
                        journal_failed = Some(e.to_string());
                    }
                    eprintln!(
                        "{}: {}",
                        action_text(&outcome.step.action),
                        result_text(&outcome.result, &clock)
                    );
                }
            }
        });
    if let Some(e) = journal_failed {
        eprintln!(
            "warning: {e}: a run of the same command reads Heroku and AWS again, and finds these steps done"
        );
    }
    // Heroku's word that a job is deleted is checked against its list.
    let still_listed = match (&heroku, &args.app) {
        (Some(h), Some(app)) => match listed_jobs(&h.api, &h.app_id, app) {
            Ok(jobs) => Some(jobs.into_iter().map(|j| j.id).collect()),
            Err(e) => {
                eprintln!(
                    "warning: cannot read Heroku's job list again to check the deletions: {e}"
                );
                None
            }
        },
        _ => None,
    };
    finish(&args, &before, &outcomes, still_listed.as_ref(), &clock)
}

/// The report, and the exit code: 0 only when nothing is left to do.
fn finish(
    args: &Args,
    before: &Before<'_>,
    outcomes: &[Outcome],
    still_listed: Option<&BTreeSet<String>>,
    clock: &Shown,
) -> Result<ExitCode, Failure> {
    let report = report(before, outcomes, still_listed, clock);
    let unfinished = report.iter().filter(|r| !r.finished).count();
    let out = match args.format {
        super::TextOrJson::Json => json(before, Some(&report)),
        super::TextOrJson::Text => report_text(&report, before.plan, clock, unfinished),
    };
    print_stdout(&out).map_err(|e| e.to_string())?;
    Ok(if unfinished == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The Heroku side: the app, its jobs, and how they pair.
struct HerokuSide {
    api: import::HerokuApi,
    app_id: String,
    pairing: Pairing,
}

fn read_heroku(
    args: &Args,
    app: &str,
    plan: &Cutover,
    done: &[JournalEntry],
) -> Result<HerokuSide, Failure> {
    let api = super::heroku_api(&args.heroku_api, &args.scheduler_api)?;
    eprintln!(
        "reading the Scheduler jobs of Heroku app `{}`…",
        one_line(app)
    );
    let app_id = api.app_id_of(app).map_err(|e| e.to_string())?;
    let jobs = listed_jobs(&api, &app_id, app)?;
    let decisions = Decisions {
        keep: args.keep_on_heroku.iter().cloned().collect(),
        delete: args.delete_on_heroku.iter().cloned().collect(),
    };
    // A name that is no Heroku job is a typo, unless an earlier run of this
    // cutover deleted it.
    let deleted_before: BTreeSet<&str> = done
        .iter()
        .filter_map(|d| match &d.action {
            Action::DeleteHerokuJob { id, .. } => Some(id.as_str()),
            Action::EnableRule { .. } => None,
        })
        .collect();
    let mut errors = Vec::new();
    for (flag, ids) in [
        ("--keep-on-heroku", &decisions.keep),
        ("--delete-on-heroku", &decisions.delete),
    ] {
        for id in ids {
            if !jobs.iter().any(|j| &j.id == id) && !deleted_before.contains(id.as_str()) {
                errors.push(format!(
                    "{flag} {}: app `{}` has no Scheduler job with that id; its jobs are {}",
                    one_line(id),
                    one_line(app),
                    list_or_none(jobs.iter().map(|j| one_line(&j.id)))
                ));
            }
        }
    }
    if let Some(id) = decisions.keep.intersection(&decisions.delete).next() {
        errors.push(format!(
            "Heroku job {} is named by both --keep-on-heroku and --delete-on-heroku",
            one_line(id)
        ));
    }
    if !errors.is_empty() {
        return Err(Failure::Errors(errors));
    }
    Ok(HerokuSide {
        api,
        app_id,
        pairing: cronport::cutover::pair(&jobs, plan, &decisions),
    })
}

/// The Scheduler jobs of the app `app_id` (`app` in errors).
fn listed_jobs(api: &import::HerokuApi, app_id: &str, app: &str) -> Result<Vec<HerokuJob>, String> {
    let text = api
        .scheduler_jobs_of(app_id, app)
        .map_err(|e| e.to_string())?;
    let listed: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(HerokuJob::from_list(&listed))
}

/// AWS as the cutover needs it: every resource as `apply --start-at AT`
/// made it, and which held rules are still disabled. Before the instant
/// anything else refuses the whole cutover (a plan with `--start-at`
/// fixes it); after it — a run resumed — each job stands alone: a job AWS
/// is not ready for keeps its Heroku job, and nothing on AWS is held or
/// made again.
async fn read_aws(
    clients: &Clients,
    manifest: &Manifest,
    plan: &Cutover,
    now: Timestamp,
) -> Result<AwsSide, Failure> {
    // Compiled as a deploy just before the instant: the held state.
    let held_from = now.min(plan.at - jiff::SignedDuration::from_secs(1));
    let options = cronport::desired::CompileOptions {
        start_at: Some(plan.at),
        ..cronport::desired::CompileOptions::starting(held_from)
    };
    let desired = cronport::desired::compile(manifest, &options)
        .map_err(|e| super::hint::compile_error(&e))?;
    let aws_plan = aws::plan(clients, &desired, false).await.map_err(|e| {
        // A hold until another instant: the cutover's instant is not the
        // one AWS was deployed for.
        let other_hold = e.problems.iter().find_map(|p| match (&p.kind, &p.hint) {
            (cronport::plan::PlanProblemKind::Hold, Some(cronport::Hint::KeepHold { until })) => {
                Some(*until)
            }
            _ => None,
        });
        match other_hold {
            Some(until) => Failure::from(format!(
                "AWS holds these jobs until {until}, not until the cutover instant {}: give the instant `cronport apply --start-at` used (--at {until}), or apply again with --start-at {}",
                plan.at, plan.at
            )),
            None => super::plan_errors(e),
        }
    })?;
    let held: BTreeSet<&str> = plan.rules().into_iter().collect();
    let mut side = AwsSide::default();
    let mut enabled = BTreeSet::new();
    let mut early = Vec::new();
    for change in &aws_plan.changes {
        let name = change.address.name();
        let name = name.as_str();
        let is_held_rule = held.contains(name);
        let only_state = matches!(&change.action, cronport::plan::Action::Update { fields }
            if fields.iter().all(|f| f.field == "state"));
        match (&change.action, is_held_rule) {
            (cronport::plan::Action::Unchanged, _) => {}
            (_, true) if only_state && plan.at <= now => {
                enabled.insert(name.to_string());
            }
            _ => {
                let why = format!("{} {}", change.action.symbol(), change.address);
                match &change.job {
                    Some(job) => {
                        side.not_ready.entry(job.clone()).or_insert(why.clone());
                    }
                    None => {
                        for job in &plan.jobs {
                            side.not_ready.entry(job.job.clone()).or_insert(why.clone());
                        }
                    }
                }
                early.push(change);
            }
        }
    }
    side.rules_disabled = held
        .iter()
        .filter(|r| !enabled.contains(**r))
        .map(|r| r.to_string())
        .collect();
    if plan.at > now && !early.is_empty() {
        return Err(format!(
            "AWS is not ready for a cutover at {}: {} change(s) to make, so AWS could run jobs before the instant (beside Heroku) or not at all; run `cronport apply --start-at {}` first:\n{}",
            plan.at,
            early.len(),
            plan.at,
            super::hint::plan_text(&aws_plan)
        )
        .into());
    }
    Ok(side)
}

/// Why the cutover cannot start, a sentence each.
#[derive(Debug)]
enum Blocker {
    Undecided {
        id: String,
        command: String,
        why: Unmatched,
    },
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blocker::Undecided { id, command, why } => {
                let id = one_line(id);
                let command = one_line(command);
                match why {
                    Unmatched::NoJob => write!(
                        f,
                        "Heroku job {id} (`{command}`) is replaced by no manifest job (none left unpaired has `source_id = \"{id}\"`, or its command and schedule): name it with --keep-on-heroku {id} or --delete-on-heroku {id}"
                    ),
                    Unmatched::Disabled { job } => write!(
                        f,
                        "Heroku job {id} (`{command}`) pairs with manifest job `{job}`, which is disabled (enabled = false): AWS will not run it; name it with --keep-on-heroku {id} or --delete-on-heroku {id}"
                    ),
                    Unmatched::UnsafeId => write!(
                        f,
                        "Heroku job `{id}` (`{command}`) has an id cronport puts in no request path: remove it in Heroku's dashboard, or --keep-on-heroku it"
                    ),
                    Unmatched::NoSchedule => write!(
                        f,
                        "Heroku job {id} (`{command}`) has no schedule Heroku's answer says (`every`/`at`): its safe window is unknown; remove it by hand, or --keep-on-heroku {id}"
                    ),
                }
            }
        }
    }
}

fn blockers(pairing: Option<&Pairing>) -> Vec<Blocker> {
    pairing
        .into_iter()
        .flat_map(Pairing::undecided)
        .map(|u| Blocker::Undecided {
            id: u.heroku.id.clone(),
            command: u.heroku.command.clone(),
            why: u.why.clone(),
        })
        .collect()
}

/// Everything known before any step.
struct Before<'a> {
    plan: &'a Cutover,
    pairing: Option<&'a Pairing>,
    aws: &'a AwsSide,
    steps: &'a [Step],
    done: &'a [JournalEntry],
    blockers: &'a [Blocker],
    app: Option<&'a str>,
    now: Timestamp,
}

impl Before<'_> {
    /// Steps whose window has closed: Heroku has run (or AWS missed) a run
    /// after the instant already.
    fn late(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.window.closes <= self.now)
    }

    /// Whether Heroku lists the job `id` now.
    fn listed(&self, id: &str) -> bool {
        self.pairing.is_some_and(|p| {
            p.pairs.iter().any(|x| x.heroku.id == id)
                || p.unpaired.iter().any(|x| x.heroku.id == id)
        })
    }

    fn text(&self, clock: &Shown) -> String {
        let mut out = proof_table(self.plan, clock);
        if let (Some(pairing), Some(app)) = (self.pairing, self.app) {
            out.push_str(&pairing_table(pairing, self.plan, app, clock));
        }
        if self.aws.not_ready.is_empty() {
            out.push_str(&format!(
                "\nAWS: ready: every schedule starts at {}; {} held rule(s) still disabled.\n",
                clock.show(self.plan.at),
                self.aws.rules_disabled.len()
            ));
        } else {
            out.push_str("\nAWS is not ready for these jobs; their Heroku jobs keep running and nothing is done for them (`cronport plan --start-at AT` shows why):\n");
            for (job, why) in &self.aws.not_ready {
                out.push_str(&format!("  - {job}: {}\n", one_line(why)));
            }
        }
        if !self.done.is_empty() {
            out.push_str(&format!(
                "\nDone by an earlier run (the journal): {}.\n",
                self.done
                    .iter()
                    .map(|d| format!("{} at {}", action_text(&d.action), clock.show(d.at)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        if self.steps.is_empty() {
            out.push_str("\nNothing is left to do.\n");
        } else {
            out.push_str(
                "\nSteps, each in its window (never before it opens; retried until it closes):\n",
            );
            for step in self.steps {
                out.push_str(&format!(
                    "  - {}: {} – {}{}\n",
                    action_text(&step.action),
                    clock.show(step.window.opens),
                    clock.show(step.window.closes),
                    if step.after.is_empty() {
                        String::new()
                    } else {
                        format!(", after {} is enabled", step.after.join(", "))
                    }
                ));
            }
        }
        for step in self.late() {
            out.push_str(&format!(
                "late: {}: its window closed at {}; done now, it is late, and the report names the runs made twice or missed.\n",
                action_text(&step.action),
                clock.show(step.window.closes)
            ));
        }
        if self.app.is_none() {
            out.push_str(&by_hand(self.plan, clock, None));
        }
        let proved = self.late().next().is_none()
            && self.app.is_some()
            && self.blockers.is_empty()
            && self.aws.not_ready.is_empty()
            && self.pairing.is_some_and(|p| {
                p.pairs
                    .iter()
                    .all(|pair| !pair.kept && !pair.schedule_changed)
                    && p.unpaired
                        .iter()
                        .all(|u| u.decision == Some(Decision::Delete))
            });
        out.push_str(if proved {
            "\nNo run is lost or doubled: every Heroku job is deleted in its window and AWS runs the same schedule from the instant, proved.\n"
        } else {
            "\nNot proved for every job: see the pairing and the notes above.\n"
        });
        out
    }
}

/// The proof: per job, Heroku's last run before the instant and AWS's
/// first at or after it.
fn proof_table(plan: &Cutover, clock: &Shown) -> String {
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
                j.last_before.map_or("none".to_string(), |t| clock.show(t)),
                j.first_after.map_or("none in the window".to_string(), |t| {
                    format!(
                        "{}{}",
                        clock.show(t),
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
    let mut out = format!(
        "Cutover at {}: {} job(s); from the instant to {} every AWS run is a run of its schedule, each once.\n\n",
        clock.show_with_utc(plan.at),
        plan.jobs.len(),
        clock.show(plan.until)
    );
    out.push_str(&super::columns(
        [
            "job",
            "last run before (Heroku)",
            "first run at or after (AWS)",
            "proved",
        ],
        &rows,
    ));
    for j in &plan.jobs {
        if let Some(own) = j.start_at.filter(|own| *own != plan.at) {
            out.push_str(&format!(
                "\nwarning: job {} has start_at = {own} in the manifest, not the cutover instant: `cronport apply --start-at {}` holds it until the instant; a plain `apply` would hold it until {own}.\n",
                j.job, plan.at
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
            "\nwarning: {} run(s) on the instant itself ({}): AWS makes that run, and Heroku, whose jobs start late, may make it too. Choose an instant between runs.\n",
            on_it.len(),
            on_it.join(", ")
        ));
    }
    out
}

/// Which Heroku job each manifest job replaces.
fn pairing_table(pairing: &Pairing, plan: &Cutover, app: &str, clock: &Shown) -> String {
    let window = |job: &HerokuJob| {
        job.schedule()
            .and_then(|s| cronport::cutover::Window::around(&s, plan.at))
            .map_or("unknown".to_string(), |w| {
                format!("{} – {}", clock.show(w.opens), clock.show(w.closes))
            })
    };
    let mut rows: Vec<[String; 5]> = Vec::new();
    for p in &pairing.pairs {
        let mut how = match p.by {
            PairedBy::Id => "by id".to_string(),
            PairedBy::CommandAndSchedule => "by command and schedule".to_string(),
        };
        if let Some(now) = &p.command_now {
            how.push_str(&format!("; command now `{}`", one_line(now)));
        }
        if p.schedule_changed {
            how.push_str("; schedule changed");
        }
        rows.push([
            one_line(&p.heroku.id),
            command_and_schedule(&p.heroku),
            format!("{} ({how})", p.job),
            if p.kept {
                "kept (--keep-on-heroku): runs on both".to_string()
            } else {
                "delete".to_string()
            },
            window(&p.heroku),
        ]);
    }
    for u in &pairing.unpaired {
        let why = match &u.why {
            Unmatched::NoJob => "none".to_string(),
            Unmatched::Disabled { job } => format!("{job} (disabled)"),
            Unmatched::UnsafeId => "none (unusable id)".to_string(),
            Unmatched::NoSchedule => "none (no schedule)".to_string(),
        };
        let decision = match u.decision {
            Some(Decision::Keep) => "kept (--keep-on-heroku)",
            Some(Decision::Delete) => "delete (--delete-on-heroku)",
            None => "error: name it",
        };
        rows.push([
            one_line(&u.heroku.id),
            command_and_schedule(&u.heroku),
            why,
            decision.to_string(),
            window(&u.heroku),
        ]);
    }
    let mut out = format!(
        "\nHeroku app `{}`: {} Scheduler job(s).\n\n",
        one_line(app),
        rows.len()
    );
    out.push_str(&super::columns(
        [
            "heroku job",
            "command and schedule",
            "manifest job",
            "action",
            "safe window",
        ],
        &rows,
    ));
    if !pairing.new_on_aws.is_empty() {
        out.push_str(&format!(
            "\nNew on AWS (no Heroku job): {}.\n",
            pairing.new_on_aws.join(", ")
        ));
    }
    out
}

/// A Heroku job's command and schedule, for a table cell.
fn command_and_schedule(job: &HerokuJob) -> String {
    format!(
        "`{}` {}",
        one_line(&job.command),
        job.schedule.as_deref().unwrap_or("?")
    )
}

/// Without --app: when to remove each job from Heroku by hand.
fn by_hand(plan: &Cutover, clock: &Shown, app: Option<&str>) -> String {
    let mut out = format!(
        "\nOn Heroku{}: delete each job in its window (it assumes Heroku runs the manifest's schedule; with --app cronport reads Heroku and does it):\n",
        app.map(|a| format!(" (app `{}`)", one_line(a)))
            .unwrap_or_default()
    );
    for job in plan.jobs.iter().filter(|j| j.enabled) {
        if let Some(w) = cronport::cutover::Window::around(&job.schedule, plan.at) {
            out.push_str(&format!(
                "  - {}: {} – {}\n",
                job.job,
                clock.show(w.opens),
                clock.show(w.closes)
            ));
        }
    }
    if plan.rules().is_empty() {
        out.push_str("AWS starts on its own at the instant (each schedule's StartDate).\n");
    } else {
        out.push_str(&format!(
            "At {}, rules held disabled are enabled: {}.\n",
            clock.show(plan.at),
            plan.rules().join(", ")
        ));
    }
    out
}

/// One row of the final report.
#[derive(Debug, serde::Serialize)]
struct Row {
    what: String,
    outcome: String,
    finished: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    doubled_runs: Vec<Timestamp>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missed_runs: Vec<Timestamp>,
}

/// Per Heroku job and rule: how it ended.
fn report(
    before: &Before<'_>,
    outcomes: &[Outcome],
    still_listed: Option<&BTreeSet<String>>,
    clock: &Shown,
) -> Vec<Row> {
    let plan = before.plan;
    let mut rows = Vec::new();
    // The journal says when an earlier run did what is done now; what is
    // left (a job Heroku still lists) is a step again, whatever it says.
    let mut earlier: Vec<&JournalEntry> = Vec::new();
    for entry in before.done {
        let left = before
            .steps
            .iter()
            .any(|s| s.action.same_target(&entry.action));
        let seen = earlier.iter().any(|e| e.action.same_target(&entry.action));
        let listed =
            matches!(&entry.action, Action::DeleteHerokuJob { id, .. } if before.listed(id));
        if !left && !seen && !listed {
            earlier.push(entry);
        }
    }
    for entry in earlier {
        let (doubled_runs, missed_runs) = late_runs(plan, before.pairing, &entry.action, entry.at);
        rows.push(Row {
            what: action_text(&entry.action),
            outcome: format!("done at {} (an earlier run)", clock.show(entry.at)),
            finished: true,
            doubled_runs,
            missed_runs,
        });
    }
    for outcome in outcomes {
        let (doubled, missed) = outcome
            .result
            .at()
            .map(|at| late_runs(plan, before.pairing, &outcome.step.action, at))
            .unwrap_or_default();
        let text = result_text(&outcome.result, clock);
        let is_delete = matches!(outcome.step.action, Action::DeleteHerokuJob { .. });
        let still_there = matches!(&outcome.step.action, Action::DeleteHerokuJob { id, .. }
            if outcome.result.succeeded() && still_listed.is_some_and(|l| l.contains(id)));
        // A 404 is Heroku's word only; unchecked, it finishes nothing.
        let unchecked = is_delete
            && still_listed.is_none()
            && matches!(outcome.result, StepResult::AlreadyDone { .. });
        rows.push(Row {
            what: action_text(&outcome.step.action),
            outcome: if still_there {
                format!("{text}, but Heroku still lists it: run the same command again")
            } else if unchecked {
                format!("{text}, but Heroku's list could not be read again to check: run the same command again")
            } else {
                text
            },
            finished: outcome.result.succeeded() && !still_there && !unchecked,
            doubled_runs: doubled,
            missed_runs: missed,
        });
    }
    if let Some(pairing) = before.pairing {
        for p in pairing.pairs.iter().filter(|p| p.kept) {
            rows.push(Row {
                what: format!("Heroku job {} ({})", one_line(&p.heroku.id), p.job),
                outcome: "left running (--keep-on-heroku): it runs on both platforms".to_string(),
                finished: true,
                doubled_runs: Vec::new(),
                missed_runs: Vec::new(),
            });
        }
        for u in pairing
            .unpaired
            .iter()
            .filter(|u| u.decision == Some(Decision::Keep))
        {
            rows.push(Row {
                what: format!("Heroku job {}", one_line(&u.heroku.id)),
                outcome: "left running (--keep-on-heroku)".to_string(),
                finished: true,
                doubled_runs: Vec::new(),
                missed_runs: Vec::new(),
            });
        }
        for p in &pairing.pairs {
            if let Some(why) = before.aws.not_ready.get(&p.job) {
                rows.push(Row {
                    what: format!("Heroku job {} ({})", one_line(&p.heroku.id), p.job),
                    outcome: format!(
                        "left running: AWS is not ready for {} ({}); fix AWS and run the same command again",
                        p.job,
                        one_line(why)
                    ),
                    finished: false,
                    doubled_runs: Vec::new(),
                    missed_runs: Vec::new(),
                });
            }
        }
    }
    rows
}

/// For a step done at `at`: the runs Heroku made after the instant that
/// AWS made too (a late delete), and the runs AWS missed (a late enable).
fn late_runs(
    plan: &Cutover,
    pairing: Option<&Pairing>,
    action: &Action,
    at: Timestamp,
) -> (Vec<Timestamp>, Vec<Timestamp>) {
    match action {
        Action::DeleteHerokuJob { id, job } => {
            let heroku = pairing.and_then(|p| {
                p.pairs
                    .iter()
                    .map(|p| &p.heroku)
                    .chain(p.unpaired.iter().map(|u| &u.heroku))
                    .find(|h| &h.id == id)
            });
            let aws = job
                .as_ref()
                .and_then(|name| plan.jobs.iter().find(|j| &j.job == name));
            match (heroku.and_then(HerokuJob::schedule), aws) {
                (Some(h), Some(a)) => (
                    cronport::cutover::doubled_runs(&h, &a.schedule, plan.at, at),
                    Vec::new(),
                ),
                _ => Default::default(),
            }
        }
        Action::EnableRule { job, .. } => {
            let missed = plan
                .jobs
                .iter()
                .find(|j| &j.job == job)
                .map(|j| cronport::cutover::runs_between(&j.schedule, plan.at, at))
                .unwrap_or_default();
            (Vec::new(), missed)
        }
    }
}

fn report_text(rows: &[Row], plan: &Cutover, clock: &Shown, unfinished: usize) -> String {
    let table: Vec<[String; 2]> = rows
        .iter()
        .map(|r| [r.what.clone(), r.outcome.clone()])
        .collect();
    let mut out = format!("\nCutover at {}:\n\n", clock.show(plan.at));
    if table.is_empty() {
        out.push_str("nothing was left to do.\n");
    } else {
        out.push_str(&super::columns(["step", "outcome"], &table));
    }
    for r in rows {
        if !r.doubled_runs.is_empty() {
            out.push_str(&format!(
                "\n{}: ran on both platforms at {}.\n",
                r.what,
                clock.list(&r.doubled_runs)
            ));
        }
        if !r.missed_runs.is_empty() {
            out.push_str(&format!(
                "\n{}: AWS missed the runs at {} (the rule was enabled late).\n",
                r.what,
                clock.list(&r.missed_runs)
            ));
        }
    }
    out.push_str(&if unfinished == 0 {
        "\nThe cutover is complete.\n".to_string()
    } else {
        format!("\n{unfinished} step(s) unfinished: run the same command again to finish them.\n")
    });
    out
}

fn json(before: &Before<'_>, report: Option<&[Row]>) -> String {
    let value = serde_json::json!({
        "cutover": before.plan,
        "heroku": before.pairing,
        "aws": {
            "rules_disabled": before.aws.rules_disabled,
            "not_ready": before.aws.not_ready,
        },
        "done_before": before.done,
        "steps": before.steps,
        "errors": before.blockers.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "late": before.late().map(|s| &s.action).collect::<Vec<_>>(),
        "report": report,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).unwrap_or_else(|e| e.to_string())
    )
}

fn action_text(action: &Action) -> String {
    match action {
        Action::DeleteHerokuJob { id, job: Some(job) } => {
            format!("delete Heroku job {} ({job})", one_line(id))
        }
        Action::DeleteHerokuJob { id, job: None } => format!("delete Heroku job {}", one_line(id)),
        Action::EnableRule { name, job } => format!("enable rule {name} ({job})"),
    }
}

/// How a step ended, in words, with what to do when it did not.
fn result_text(result: &StepResult, clock: &Shown) -> String {
    match result {
        StepResult::Done { at } => format!("done at {}", clock.show(*at)),
        StepResult::AlreadyDone { at } => format!("already done (found at {})", clock.show(*at)),
        StepResult::WindowClosed { error } => format!(
            "failed until its window closed: {}; run the same command again",
            one_line(error)
        ),
        StepResult::Refused { error } => format!(
            "failed: {}; fix that and run the same command again",
            one_line(error)
        ),
        StepResult::Blocked { rule } => format!(
            "not done: rule {rule} was not enabled, so the Heroku job keeps running (no run is lost); run the same command again"
        ),
    }
}

fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// A duration in words: `4 min 10 s`, `3 h 2 min`.
fn span(d: jiff::SignedDuration) -> String {
    let s = d.as_secs().max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// The zone times are shown in.
struct Shown {
    zone: jiff::tz::TimeZone,
    utc: bool,
}

impl Shown {
    /// `--tz`, else the offset the instant was written with, else the
    /// manifest's `timezone`, else UTC.
    fn choose(tz: Option<&str>, at: &str, manifest: &Manifest) -> Result<Shown, Failure> {
        let zone = match tz {
            Some(name) => jiff::tz::TimeZone::get(name).map_err(|e| {
                format!(
                    "--tz `{}` is not an IANA time zone such as Asia/Tokyo ({})",
                    one_line(name),
                    one_line(&e.to_string())
                )
            })?,
            None => match written_offset(at) {
                Some(offset) => jiff::tz::TimeZone::fixed(offset),
                None => manifest
                    .defaults
                    .timezone
                    .as_deref()
                    .and_then(|z| jiff::tz::TimeZone::get(z).ok())
                    .unwrap_or(jiff::tz::TimeZone::UTC),
            },
        };
        let utc = cronport::schedule::is_utc(&zone);
        Ok(Shown { zone, utc })
    }

    fn show(&self, t: Timestamp) -> String {
        if self.utc {
            t.to_string()
        } else {
            t.to_zoned_datetime(self.zone.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        }
    }

    /// Instants in the zone, comma-separated.
    fn list(&self, times: &[Timestamp]) -> String {
        times
            .iter()
            .map(|t| self.show(*t))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The instant in the zone, and in UTC when that is another.
    fn show_with_utc(&self, t: Timestamp) -> String {
        if self.utc {
            t.to_string()
        } else {
            format!("{} ({t})", self.show(t))
        }
    }
}

/// The offset an instant was written with, when not `Z`.
fn written_offset(at: &str) -> Option<jiff::tz::Offset> {
    let pieces = jiff::fmt::temporal::Pieces::parse(at).ok()?;
    match pieces.offset()? {
        jiff::fmt::temporal::PiecesOffset::Numeric(n) if !at.trim_end().ends_with(['Z', 'z']) => {
            Some(n.offset())
        }
        _ => None,
    }
}

/// Heroku's API and AWS's SDK, one attempt at a time.
struct Live<'a> {
    heroku: Option<(&'a import::HerokuApi, &'a str)>,
    clients: &'a Clients,
    rt: &'a tokio::runtime::Runtime,
    longest: std::time::Duration,
}

impl cronport::cutover::Platform for Live<'_> {
    fn attempt(&mut self, action: &Action, deadline: Timestamp) -> Answer {
        let left = deadline.duration_since(Timestamp::now());
        let timeout = std::time::Duration::try_from(left)
            .unwrap_or_default()
            .clamp(std::time::Duration::from_secs(1), self.longest);
        match action {
            Action::DeleteHerokuJob { id, .. } => {
                let Some((api, app_id)) = self.heroku else {
                    return Answer::Refused("no Heroku app (--app)".to_string());
                };
                match api.delete_scheduler_job(app_id, id, timeout) {
                    import::DeleteAnswer::Deleted => Answer::Done,
                    import::DeleteAnswer::Gone => Answer::AlreadyDone,
                    import::DeleteAnswer::Transient(why) => Answer::Transient(why),
                    import::DeleteAnswer::Refused(why) => Answer::Refused(why),
                }
            }
            Action::EnableRule { name, .. } => {
                let until = tokio::time::Instant::now() + timeout;
                match self
                    .rt
                    .block_on(aws::enable_rule(self.clients, name, until))
                {
                    Ok(()) => Answer::Done,
                    Err(e) if e.transient => Answer::Transient(e.message),
                    Err(e) => Answer::Refused(e.message),
                }
            }
        }
    }
}

/// The wall clock. Sleeps are short (the loop wakes at least once a
/// minute), so a laptop that slept finds the true time when it wakes.
struct SystemClock;

impl cronport::cutover::Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn sleep_until(&mut self, t: Timestamp) {
        if let Ok(wait) = std::time::Duration::try_from(t.duration_since(Timestamp::now())) {
            std::thread::sleep(wait);
        }
    }
}
