//! Translate a local-time schedule for EventBridge rules (UTC only) and
//! prove the translation, then verify a hand-written AWS expression against
//! the original.
//!
//!     cargo run --example translate_and_verify

use cronport::schedule::Schedule;
use cronport::syntax;
use cronport::translate::{Backend, Duplicates, Options, translate, verify};
use jiff::{Timestamp, tz::TimeZone};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Weekdays at 14:30 in New York: DST moves the UTC time twice a year.
    let source = Schedule::new(
        syntax::unix::parse("30 14 * * 1-5")?,
        TimeZone::get("America/New_York")?,
    );
    let from: Timestamp = "2026-11-24T00:00:00Z".parse()?;
    let options = Options::new(Backend::Rules, from, Options::default_until(from));
    let done = translate(&source, &options)?;
    println!(
        "{} rules, proved over {} runs:",
        done.targets.len(),
        done.verified.firings
    );
    for target in &done.targets {
        println!("  {}", target.expression);
    }
    if let Some(end) = done.runs_out {
        println!("they run out at {end}");
    }

    // A hand translation that forgets DST: the check finds the first run
    // that differs.
    let naive = Schedule::utc(syntax::aws::parse("cron(30 19 ? * MON-FRI *)")?);
    match verify(&source, &[naive], from, options.until, Duplicates::Reject) {
        Ok(proof) => println!("naive translation holds over {} runs", proof.firings),
        Err(c) => println!("naive translation is wrong: {c}"),
    }
    Ok(())
}
