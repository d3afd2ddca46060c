//! `cronport calendar`: when the manifest's jobs run, as a week.

use std::process::ExitCode;

use cronport::calendar::{text, week_and_crowds};

use super::{parse_zone, print_stdout};

/// See the week: runs per weekday and hour, and the busiest minutes.
///
/// Counts every enabled job's runs over the next week(s) on one wall clock
/// (the manifest's `timezone`, or UTC), prints a heatmap (a shade and a
/// count per hour, readable without colour) and names the minutes when the
/// most jobs start together, and warns of minutes when more than
/// --crowd-limit jobs do.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport calendar                               # the next week of cronport.toml, on its zone's clock
  cronport calendar --tz Europe/Berlin --weeks 4
  cronport calendar staging.toml --env staging --format json
  cronport calendar --format svg > week.svg        # or --format html: one page, no scripts")]
pub struct Args {
    /// The manifest.
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// The environment (`[env.NAME]`).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The wall clock to show (IANA zone); default the manifest's
    /// `timezone`, else UTC.
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// The first instant counted (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    from: Option<String>,
    /// How many weeks to count.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=53))]
    weeks: u32,
    /// Warn of minutes when more than this many jobs start together.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    crowd_limit: u32,
    /// A heatmap as text, SVG or an HTML page (both self-contained), or
    /// the counts as JSON.
    #[arg(long, value_enum, default_value_t = CalendarFormat::Text)]
    format: CalendarFormat,
}

/// `calendar`'s output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CalendarFormat {
    Text,
    Svg,
    Html,
    Json,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    let (manifest, resolved) = super::resolved_manifest(&args.manifest, args.env.as_deref())?;
    let zone_name = args
        .tz
        .clone()
        .or(manifest.defaults.timezone.clone())
        .unwrap_or_else(|| "UTC".to_string());
    let zone = parse_zone(&zone_name)?;
    let from = super::from_or_now(args.from.as_deref())?;
    let jobs = super::calendar_jobs(resolved);
    let (w, crowded) = week_and_crowds(&jobs, &zone, from, args.weeks, args.crowd_limit as usize);
    let out = match args.format {
        CalendarFormat::Svg => cronport::calendar::svg(&w),
        CalendarFormat::Html => cronport::calendar::html(&w),
        CalendarFormat::Json => {
            let json = serde_json::json!({ "week": w, "crowded": crowded });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?
            )
        }
        CalendarFormat::Text => text(&w),
    };
    for warning in super::crowd_warnings(&crowded, args.crowd_limit as usize) {
        super::advise("warning", &warning.to_string());
    }
    print_stdout(&out).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
