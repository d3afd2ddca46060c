//! Parse a schedule in any grammar and list its next runs in a time zone.
//!
//!     cargo run --example next_runs -- '30 14 * * 1-5' America/New_York

use cronport::{schedule::Schedule, syntax};
use jiff::{Timestamp, tz::TimeZone};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let expression = args
        .next()
        .unwrap_or_else(|| "cron(30 14 ? * MON-FRI *)".to_string());
    let zone = args
        .next()
        .unwrap_or_else(|| "America/New_York".to_string());

    let parsed = syntax::parse_any(&expression).map_err(|e| e.render(&expression))?;
    let schedule = Schedule::new(parsed.pattern, TimeZone::get(&zone)?);
    println!("{} ({})", schedule.describe(), parsed.grammar);

    // A fixed start keeps the output the same on every run.
    let from: Timestamp = "2026-03-06T00:00:00Z".parse()?;
    for run in schedule.fires_after(from).zoned().take(5) {
        println!("  {run}");
    }
    Ok(())
}
