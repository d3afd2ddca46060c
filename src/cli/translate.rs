//! `cronport translate`.

use std::process::ExitCode;

use cronport::desired::CompileOptions;
use cronport::schedule::{Schedule, ScheduleErrorKind};
use cronport::translate::{Backend, Options, RefusalKind, Translation, translate};
use jiff::tz::TimeZone;

use super::TextOrJson as Format;
use super::{EXIT_ERROR, parse_zone, print_stdout};

/// Translate a schedule into AWS expressions that fire at exactly the same
/// instants, and prove it.
///
/// The translation is proved over a window (--from to --until, by default
/// now to the end of next year): the same instants, each once, with the
/// targets run as EventBridge runs them (a repeated hour when clocks fall
/// back runs once on EventBridge Scheduler). When AWS cannot express the
/// schedule exactly, cronport exits 1, names the first instant that would
/// differ, and lists your options; a schedule that never runs is an error
/// with the reason.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport translate '*/10 * * * *'
  cronport translate '30 8 1 * *' --tz Asia/Tokyo --backend rules
  cronport translate '30 14 * * 1-5' --tz America/New_York --backend rules --until 2027-12-31T00:00:00Z
  cronport translate '0 12 1 * 1' --dom-dow expand --format json")]
pub struct Args {
    /// The schedule expression (Unix cron, AWS, or Heroku Scheduler).
    expression: String,
    /// The IANA time zone whose wall clock the expression reads.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    tz: String,
    /// EventBridge Scheduler (expressions with a time zone) or EventBridge
    /// rules (UTC only).
    #[arg(long, value_parser = super::backend_names(), default_value_t = Backend::Scheduler)]
    backend: Backend,
    #[command(flatten)]
    window: super::Window,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    try_run(&args)
}

fn try_run(args: &Args) -> Result<ExitCode, super::Failure> {
    let zone = parse_zone(&args.tz)?;
    let CompileOptions {
        from,
        until,
        dom_dow,
        ..
    } = args.window.compile_options()?;
    let source =
        Schedule::parse_in(&args.expression, zone.clone()).map_err(|e| match e.kind() {
            ScheduleErrorKind::Syntax(parse) => parse.render(&args.expression),
            ScheduleErrorKind::HerokuNotUtc { .. } => format!(
                "Heroku Scheduler runs in UTC; drop --tz {} or write the schedule as cron",
                args.tz
            ),
            _ => format!("{e}"),
        })?;
    let options = Options {
        dom_dow,
        ..Options::new(args.backend, from, until)
    };
    match translate(&source, &options) {
        Ok(done) => {
            let out = match args.format {
                Format::Json => json(&done)?,
                Format::Text => text(&done, &zone),
            };
            print_stdout(&out).map_err(|e| format!("cannot write to standard output: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(refused) => {
            match args.format {
                Format::Json => {
                    let mut value = serde_json::to_value(&refused).map_err(|e| e.to_string())?;
                    value["error"] = match refused.kind {
                        RefusalKind::NeverRuns => "never_runs",
                        RefusalKind::NotExact => "not_representable",
                    }
                    .into();
                    let out = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
                    print_stdout(&format!("{out}\n")).map_err(|e| e.to_string())?;
                }
                Format::Text => {
                    let mut message = match refused.kind {
                        RefusalKind::NeverRuns => format!("{}", refused.reason),
                        RefusalKind::NotExact => {
                            format!("not representable exactly: {}", refused.reason)
                        }
                    };
                    if let Some(c) = &refused.counterexample {
                        message.push_str(&format!(
                            "\n  first difference: {} (the schedule runs {} time(s) there, the translation {})",
                            c.instant.display_with_offset(zone.to_offset(c.instant)),
                            c.source_count,
                            c.target_count
                        ));
                    }
                    for option in &refused.options {
                        message.push_str(&format!("\n  option: {option}"));
                    }
                    eprintln!("{message}");
                }
            }
            Ok(ExitCode::from(EXIT_ERROR))
        }
    }
}

fn json(done: &Translation) -> Result<String, super::Failure> {
    serde_json::to_string_pretty(done)
        .map(|s| format!("{s}\n"))
        .map_err(|e| e.to_string().into())
}

fn text(done: &Translation, zone: &TimeZone) -> String {
    let mut out = String::new();
    let noun = if done.targets.len() == 1 {
        "expression"
    } else {
        "expressions"
    };
    out.push_str(&format!(
        "{} {noun} for EventBridge {}:\n",
        done.targets.len(),
        match done.backend {
            Backend::Scheduler => "Scheduler",
            Backend::Rules => "rules",
        }
    ));
    for t in &done.targets {
        out.push_str(&format!("  {}  ({})\n", t.expression, t.timezone));
    }
    let v = &done.verified;
    let each = match v.accepted_duplicates {
        0 => "each once".to_string(),
        n => format!("each once except {n} accepted double run(s)"),
    };
    out.push_str(&format!(
        "\nverified: {} runs from {} until {} are the same instants, {each}\n",
        v.firings,
        v.from.display_with_offset(zone.to_offset(v.from)),
        v.until.display_with_offset(zone.to_offset(v.until)),
    ));
    for note in &done.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    for w in &done.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}
