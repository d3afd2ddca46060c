//! The clap front end.

mod explain;

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
  cronport explain 'every day at 14:30' --format json";

#[derive(Debug, Subcommand)]
enum Command {
    Explain(explain::Args),
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

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Explain(args) => explain::run(args),
    }
}
