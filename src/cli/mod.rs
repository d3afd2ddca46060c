//! The clap front end.

mod explain;
mod translate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Move Heroku Scheduler jobs to AWS EventBridge, exactly.
///
/// cronport reads schedules written for Unix cron, AWS (cron/rate/at) and
/// Heroku Scheduler, and knows exactly when each one runs, in any time zone,
/// across daylight-saving changes.
#[derive(Debug, Parser)]
#[command(name = "cronport", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "\
Examples:
  cronport explain '*/10 * * * *'
  cronport explain 'cron(30 14 ? * MON-FRI *)' --tz Asia/Tokyo --next 3
  cronport explain 'every day at 14:30' --format json
  cronport translate '30 8 1 * *' --tz Asia/Tokyo --backend rules";

#[derive(Debug, Subcommand)]
enum Command {
    Explain(explain::Args),
    Translate(translate::Args),
}

/// Exit codes, as DESIGN.md fixes them: 0 ok, 1 error.
pub(crate) const EXIT_ERROR: u8 = 1;

/// Writes `text` to standard output. A closed pipe (`cronport … | head`)
/// is not an error: the reader has what it wanted.
pub(crate) fn print_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A time zone from `--tz`, or an error that says what to write.
pub(crate) fn parse_zone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(name).map_err(|_| {
        format!(
            "error: unknown time zone `{name}`; use an IANA name such as UTC, America/New_York or Asia/Tokyo"
        )
    })
}

/// An RFC 3339 instant from a flag, or an error that says what to write.
pub(crate) fn parse_instant(flag: &str, text: &str) -> Result<jiff::Timestamp, String> {
    text.parse().map_err(|e| {
        format!(
            "error: {flag} `{text}` is not an RFC 3339 instant such as 2026-11-24T09:00:00Z ({e})"
        )
    })
}

/// Prints a command's error message, if any, and gives its exit code.
pub(crate) fn finish(result: Result<ExitCode, String>) -> ExitCode {
    result.unwrap_or_else(|message| {
        eprintln!("{message}");
        ExitCode::from(EXIT_ERROR)
    })
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Explain(args) => explain::run(args),
        Command::Translate(args) => translate::run(args),
    }
}
