//! `cronport verify`: did AWS run every job when it should have?

use std::process::ExitCode;

use cronport::manifest::ResolvedJob;
use cronport::verify::{Expected, Judge, Outcome, Thresholds, Verdicts};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::{parse_instant, print_stdout, read_input};

/// Check every run: expected runs against the ECS tasks AWS recorded.
///
/// Each job's runs in the window are exact (its schedule, hold and
/// flexible window); the tasks are ECS's `ECS Task State Change` events,
/// matched to the job by the task group cronport gives its runs
/// (`cronport:MANIFEST:ENV:JOB`): another manifest's tasks, rehearsals and
/// tasks cronport did not schedule never count. Each run is `ok`, `failed`
/// (its exit code and ECS's reason), `not started` (ECS could not place
/// it: EventBridge never retries those), `late`, `over its time limit`,
/// `doubled`, `missing`, or still `running`/`pending`. Exits 0 only when
/// every run is fine.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The events: with run_history_days in the manifest, apply keeps a record of
every run (an EventBridge rule on the deployment's ECS task events, into a
CloudWatch Logs group), which verify reads. --events reads a file instead.

Examples:
  cronport verify                                      # the last 7 days of cronport.toml
  cronport verify --last 30d --format markdown
  cronport verify prod.toml --env production --since 2026-12-01T00:00:00Z
  cronport verify --events events.json                 # aws logs filter-log-events output")]
pub struct Args {
    /// The manifest.
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// The environment (`[env.NAME]`).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The recorded ECS events from a file: `aws logs filter-log-events`
    /// output, a JSON array of events, or one event per line. Without it,
    /// the deployment's run record on AWS is read (`run_history_days`).
    #[arg(long, value_name = "FILE")]
    events: Option<String>,
    /// The window's start (RFC 3339).
    #[arg(long, value_name = "RFC3339", conflicts_with = "last")]
    since: Option<String>,
    /// The window: this long before its end (`7d`, `24h`, `90m`).
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    last: String,
    /// The window's end (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    until: Option<String>,
    /// A run that starts more than this after its instant (and flexible
    /// window) is late.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    late_after: String,
    /// The report as text, a Markdown comment, or JSON.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    format: VerifyFormat,
    #[command(flatten)]
    aws: super::AwsFlags,
}

/// `verify`'s output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum VerifyFormat {
    Text,
    Markdown,
    Json,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    let (_, resolved) = super::resolved_manifest(&args.manifest, args.env.as_deref())?;
    let until = match &args.until {
        Some(text) => parse_instant("--until", text)?,
        None => super::now(),
    };
    let from = match &args.since {
        Some(text) => parse_instant("--since", text)?,
        None => until - duration("--last", &args.last)?,
    };
    if from >= until {
        return Err(format!("the window is empty: {from} is not before {until}").into());
    }
    let thresholds = Thresholds {
        late: duration("--late-after", &args.late_after)?,
        ..Thresholds::default()
    };
    let Some(first) = resolved.first() else {
        return Err("the manifest has no jobs to verify".to_string().into());
    };
    let (id, env) = (&first.owner.manifest, &first.owner.env);
    let expected: Vec<Expected> = resolved
        .iter()
        .map(|job| expected(job, from, until, thresholds))
        .collect();
    let mut judge = Judge::new(id, env, expected, from, until, thresholds);
    for job in &resolved {
        for former in &job.formerly {
            judge.formerly(former, &job.name);
        }
    }
    let verdicts = match &args.events {
        Some(file) => {
            let events = read_events(file, &read_input(file)?)?;
            if events.is_empty() {
                super::advise(
                    "warning",
                    &format!(
                        "{} holds no events: every run will be missing",
                        super::shown(file)
                    ),
                );
            }
            for (i, event) in events.iter().enumerate() {
                judge
                    .add(event)
                    .map_err(|e| format!("{}: event {}: {e}", super::shown(file), i + 1))?;
            }
            if !events.is_empty() && judge.recognized() == 0 {
                return Err(format!(
                    "{} holds {} event(s), none an `ECS Task State Change` event or a CloudTrail record: is it the run record (`aws logs filter-log-events --log-group-name /aws/events/cronport/ID`)?",
                    super::shown(file),
                    events.len()
                )
                .into());
            }
            judge.verdicts()
        }
        None => {
            let log_group = cronport::desired::RunRecord::log_group_name(id, env);
            // A task's stopped event is logged when it stops: a day
            // either side holds every run the window judges.
            let day = SignedDuration::from_hours(24);
            from_record(
                &args.aws,
                &log_group,
                from - day,
                until + day,
                judge,
                &resolved,
            )?
        }
    };
    let out = match args.format {
        VerifyFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&verdicts).map_err(|e| e.to_string())?
        ),
        VerifyFormat::Text => text(&verdicts, id, env),
        VerifyFormat::Markdown => markdown(&verdicts, id, env),
    };
    print_stdout(&out).map_err(|e| e.to_string())?;
    Ok(if verdicts.all_fine() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What AWS was asked to run for `job` in the window: its schedule's runs
/// (which the translation proved its expressions fire at), none before its
/// hold, none at all when it is disabled.
fn expected(job: &ResolvedJob, from: Timestamp, until: Timestamp, th: Thresholds) -> Expected {
    let start = job.start_at.map_or(from, |at| at.max(from));
    let runs = if job.enabled {
        job.schedule.fires_between(start, until).collect()
    } else {
        Vec::new()
    };
    let window = SignedDuration::from_mins(i64::from(job.target.flexible_time_window.unwrap_or(0)));
    Expected {
        job: job.name.clone(),
        container: job.target.container.clone(),
        runs,
        tasks_per_run: job.target.task_count,
        on_time: window + th.late,
        time_limit: job
            .timeout
            .map(|t| SignedDuration::from_secs(i64::from(t.seconds()))),
        next_run: job
            .enabled
            .then(|| job.schedule.fires_after(until).next())
            .flatten(),
    }
}

/// Feeds the run record in `log_group`, from AWS, to `judge`.
#[cfg(not(feature = "aws"))]
fn from_record(
    _: &super::AwsFlags,
    _: &str,
    _: Timestamp,
    _: Timestamp,
    _: Judge,
    _: &[ResolvedJob],
) -> Result<Verdicts, super::Failure> {
    Err(super::without_aws(
        "read the run record on AWS; pass --events FILE",
    ))
}

/// The verdicts from the run record on AWS, with the last lines each of
/// the first [`RUNS_WITH_LINES`] failed runs logged.
#[cfg(feature = "aws")]
fn from_record(
    aws: &super::AwsFlags,
    log_group: &str,
    from: Timestamp,
    until: Timestamp,
    mut judge: Judge,
    jobs: &[ResolvedJob],
) -> Result<Verdicts, super::Failure> {
    super::runtime()?.block_on(async {
        // As every command that calls AWS says it: with the hint (a
        // profile, a region) that gets past it.
        let clients = cronport::aws::Clients::connect_checked(&aws.options())
            .await
            .map_err(|e| super::hint::problem(&e))?;
        cronport::aws::read_run_record(&clients, log_group, from, until, |event| {
            judge.add_json(event).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| {
            super::Failure::from(format!(
                "{e}; is the run record on (run_history_days in the manifest, then apply)? Or pass --events FILE"
            ))
        })?;
        let mut verdicts = judge.verdicts();
        let mut read = 0;
        for job in &mut verdicts.jobs {
            let Some(resolved) = jobs.iter().find(|j| j.name == job.job) else {
                continue;
            };
            for run in &mut job.runs {
                let Some(task) = run.task.clone() else { continue };
                if read == RUNS_WITH_LINES {
                    return Ok(verdicts);
                }
                read += 1;
                match cronport::aws::last_log_lines(&clients, &resolved.target, &task, LOG_LINES).await {
                    Ok(lines) => run.last_lines = lines,
                    // Logs are a help, not the verdict: said once, then on.
                    Err(e) if read == 1 => super::advise("note", &format!("no log lines for failed runs: {e}")),
                    Err(_) => {}
                }
            }
        }
        Ok(verdicts)
    })
}

/// Failed runs whose last log lines `verify` reads (one request each).
#[cfg(feature = "aws")]
const RUNS_WITH_LINES: usize = 20;
/// Lines read of each.
#[cfg(feature = "aws")]
const LOG_LINES: usize = 5;

/// `7d`, `24h`, `90m`, `30s`.
fn duration(flag: &str, text: &str) -> Result<SignedDuration, super::Failure> {
    let bad = || -> super::Failure {
        format!(
            "{flag} `{}` is not a duration such as 7d, 24h, 90m or 30s",
            cronport::escape::one_line(text)
        )
        .into()
    };
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return Err(bad()),
    };
    // Up to a hundred years: a window longer than any history kept.
    let total = n.saturating_mul(seconds);
    if !(1..=100 * 366 * 86_400).contains(&total) {
        return Err(format!(
            "{flag} `{}` is outside 1s to 36600d (a hundred years)",
            cronport::escape::one_line(text)
        )
        .into());
    }
    Ok(SignedDuration::from_secs(total))
}

/// The events in `text`: `aws logs filter-log-events` output (`{"events":
/// [{"message": "<event>"}]}`), a JSON array of events or of log events,
/// or one event (or log event) per line.
fn read_events(file: &str, text: &str) -> Result<Vec<Value>, super::Failure> {
    let event = |v: Value| -> Result<Value, String> {
        match v.get("message").and_then(Value::as_str) {
            Some(message) => serde_json::from_str(message)
                .map_err(|e| format!("a log event's message is not an event ({e})")),
            None => Ok(v),
        }
    };
    let named = |e: String| -> super::Failure { format!("{file}: {e}").into() };
    if let Ok(whole) = serde_json::from_str::<Value>(text) {
        let items = match whole {
            Value::Object(mut o) if o.contains_key("events") => match o.remove("events") {
                Some(Value::Array(items)) => items,
                _ => return Err(named("`events` is not a list".into())),
            },
            Value::Array(items) => items,
            other => vec![other],
        };
        return items
            .into_iter()
            .map(event)
            .collect::<Result<_, _>>()
            .map_err(named);
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let value = serde_json::from_str(line).map_err(|e| {
                format!(
                    "line {} is not JSON ({e}); give one event per line, or a JSON document",
                    i + 1
                )
            })?;
            event(value).map_err(|e| format!("line {}: {e}", i + 1))
        })
        .collect::<Result<_, _>>()
        .map_err(named)
}

/// A run's verdict in words: the verdict, then what ECS said.
fn said(outcome: &Outcome) -> String {
    let reason = |r: &str| {
        if r.is_empty() {
            String::new()
        } else {
            format!(": {}", cronport::escape::one_line(r))
        }
    };
    match outcome {
        Outcome::Failed {
            exit_code,
            reason: r,
        } => match exit_code {
            Some(code) => format!("failed, exit code {code}{}", reason(r)),
            None => format!("failed{}", reason(r)),
        },
        Outcome::NotStarted { reason: r } => format!("not started{}", reason(r)),
        Outcome::Late { by_seconds } => {
            format!("late: started {} after its time", span(*by_seconds))
        }
        Outcome::OverTimeLimit { ran_seconds } => {
            format!("over its time limit: ran {}", span(*ran_seconds))
        }
        Outcome::Doubled { tasks } => format!("doubled: {tasks} tasks"),
        other => other.name().to_string(),
    }
}

fn span(seconds: i64) -> String {
    match seconds {
        s if s >= 3_600 => format!("{}h{:02}m", s / 3_600, s % 3_600 / 60),
        s if s >= 60 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

fn minute(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// The summary line: how many runs had each verdict.
fn summary(verdicts: &Verdicts) -> String {
    let counts = verdicts.counts();
    let total: usize = counts.values().sum();
    let parts: Vec<String> = counts
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    format!(
        "{total} runs expected from {} to {}: {}",
        minute(verdicts.from),
        minute(verdicts.until),
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    )
}

/// The line on `n` tasks of a job the manifest lacks (`job` escaped for
/// where it is printed).
fn other_job(n: usize, job: &str) -> String {
    let tasks = if n == 1 { "task" } else { "tasks" };
    format!(
        "\n{n} {tasks} of job `{job}`, which the manifest does not have (renamed or removed?)\n"
    )
}

fn text(verdicts: &Verdicts, manifest: &str, env: &str) -> String {
    let mut out = format!(
        "verify: manifest `{}`, environment `{}`\n",
        cronport::escape::one_line(manifest),
        cronport::escape::one_line(env)
    );
    let rows: Vec<[String; 4]> = verdicts
        .jobs
        .iter()
        .map(|j| {
            let counts: Vec<String> = j.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            [
                j.job.clone(),
                if counts.is_empty() {
                    "no runs".into()
                } else {
                    counts.join(", ")
                },
                j.last_run.map_or_else(|| "-".into(), minute),
                j.next_run.map_or_else(|| "-".into(), minute),
            ]
        })
        .collect();
    out.push_str(&super::columns(
        ["job", "runs", "last run", "next run"],
        &rows,
    ));
    let bad: Vec<String> = verdicts
        .jobs
        .iter()
        .flat_map(|j| j.runs.iter().map(move |r| (j, r)))
        .filter(|(_, r)| !r.outcome.is_fine())
        .map(|(j, r)| {
            let mut line = format!("  {}  {}  {}\n", j.job, minute(r.at), said(&r.outcome));
            for logged in &r.last_lines {
                line.push_str(&format!("      │ {}\n", cronport::escape::one_line(logged)));
            }
            line
        })
        .collect();
    if !bad.is_empty() {
        out.push_str("\nruns that need a look:\n");
        out.extend(bad);
    }
    for (job, n) in &verdicts.other_jobs {
        out.push_str(&other_job(*n, &cronport::escape::one_line(job)));
    }
    out.push_str(&format!("\n{}\n", summary(verdicts)));
    out
}

fn markdown(verdicts: &Verdicts, manifest: &str, env: &str) -> String {
    let code = |t: &str| {
        cronport::escape::one_line(t)
            .replace('|', "\\|")
            .replace('`', "'")
    };
    let mut out = format!(
        "### cronport verify: `{}` (`{}`)\n\n{}\n\n| job | runs | last run | next run |\n|---|---|---|---|\n",
        code(manifest),
        code(env),
        summary(verdicts)
    );
    for j in &verdicts.jobs {
        let counts: Vec<String> = j.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code(&j.job),
            counts.join(", "),
            j.last_run.map_or_else(|| "-".into(), minute),
            j.next_run.map_or_else(|| "-".into(), minute),
        ));
    }
    let bad: Vec<String> = verdicts
        .jobs
        .iter()
        .flat_map(|j| j.runs.iter().map(move |r| (j, r)))
        .filter(|(_, r)| !r.outcome.is_fine())
        .map(|(j, r)| {
            // In a code span: a reason's HTML or link is shown, not made.
            let lines: String = r
                .last_lines
                .iter()
                .map(|l| format!("<br>`{}`", code(l)))
                .collect();
            format!(
                "| `{}` | {} | `{}`{lines} |\n",
                code(&j.job),
                minute(r.at),
                code(&said(&r.outcome))
            )
        })
        .collect();
    if !bad.is_empty() {
        out.push_str("\n| job | due | what happened |\n|---|---|---|\n");
        out.extend(bad);
    }
    for (job, n) in &verdicts.other_jobs {
        out.push_str(&other_job(*n, &code(job)));
    }
    out
}
