//! `cronport translate`.

use std::process::ExitCode;

use cronport::desired::CompileOptions;
use cronport::schedule::{Schedule, ScheduleErrorKind};
use cronport::translate::{
    Backend, Counterexample, NotRepresentable, Options, Proof, RefusalKind, Remedy, Translation,
    Warning, ZonedExpression, translate,
};
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
            ScheduleErrorKind::Syntax(parse) => {
                super::Failure::report(parse.render(&args.expression))
            }
            ScheduleErrorKind::HerokuNotUtc { .. } => super::Failure::from(format!(
                "Heroku Scheduler runs in UTC; drop --tz {} or write the schedule as cron",
                args.tz
            )),
            _ => super::Failure::from(e.to_string()),
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
                    let mut value = serde_json::to_value(RefusalJson::new(&refused))
                        .map_err(|e| e.to_string())?;
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
                        RefusalKind::NeverRuns => refusal_reason(&refused),
                        RefusalKind::NotExact => {
                            format!("not representable exactly: {}", refusal_reason(&refused))
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
                    for option in refusal_options(&refused) {
                        message.push_str(&format!("\n  option: {option}"));
                    }
                    return Err(message.into());
                }
            }
            Ok(ExitCode::from(EXIT_ERROR))
        }
    }
}

fn json(done: &Translation) -> Result<String, super::Failure> {
    /// The translation as the library serializes it, its warnings in the
    /// binary's words.
    #[derive(serde::Serialize)]
    struct Json<'a> {
        backend: Backend,
        targets: &'a [ZonedExpression],
        verified: &'a Proof,
        #[serde(skip_serializing_if = "Option::is_none")]
        runs_out: Option<jiff::Timestamp>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        notes: Vec<&'a str>,
    }
    // Every field named, so that a new one is not left out unseen.
    let Translation {
        backend,
        targets,
        verified,
        runs_out,
        warnings,
        notes,
    } = done;
    let json = Json {
        backend: *backend,
        targets,
        verified,
        runs_out: *runs_out,
        warnings: warnings.iter().map(warning).collect(),
        notes: notes.iter().map(String::as_str).collect(),
    };
    serde_json::to_string_pretty(&json)
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
        out.push_str(&format!("warning: {}\n", warning(w)));
    }
    out
}

// The library words a refusal's remedies and a warning's remedy in its own
// terms (`Options::until`, `DomDow::Double`) and carries each as a value;
// the binary words them as its flags, here, for `translate` and `explain`.

/// A refusal's reason in the binary's words: a remedy for the window ends
/// the sentence, as flags.
pub(super) fn refusal_reason(refused: &NotRepresentable) -> String {
    let mut reason = refused.reason.clone();
    for remedy in &refused.options {
        match remedy {
            Remedy::EndAfterStart => reason.push_str(": --until must be after --from"),
            Remedy::WindowInAwsYears => {
                reason.push_str(". Choose a window inside those years with --from and --until")
            }
            _ => {}
        }
    }
    reason
}

/// A refusal's other remedies, an `option:` line each, as flags.
pub(super) fn refusal_options(refused: &NotRepresentable) -> Vec<String> {
    refused
        .options
        .iter()
        .filter_map(|remedy| match remedy {
            Remedy::EndAfterStart | Remedy::WindowInAwsYears => None,
            other => Some(super::hint::remedy(other)),
        })
        .collect()
}

/// A warning in the binary's words.
fn warning(w: &Warning) -> String {
    match w {
        Warning::RunsOut { .. } => format!("{} (cronport translate --until …)", w.fact()),
        Warning::DoubleRuns => format!("{} with --dom-dow double", w.fact()),
        Warning::RateNeedsStartDate { .. } => w.fact(),
        other => other.to_string(),
    }
}

/// A refusal as the library serializes it, in the binary's words.
#[derive(serde::Serialize)]
pub(super) struct RefusalJson<'a> {
    kind: RefusalKind,
    reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    counterexample: Option<&'a Counterexample>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<String>,
}

impl<'a> RefusalJson<'a> {
    pub(super) fn new(refused: &'a NotRepresentable) -> RefusalJson<'a> {
        // Every field named, so that a new one is not left out unseen.
        let NotRepresentable {
            kind,
            reason: _,
            counterexample,
            options: _,
        } = refused;
        RefusalJson {
            kind: *kind,
            reason: refusal_reason(refused),
            counterexample: counterexample.as_ref(),
            options: refusal_options(refused),
        }
    }
}
