//! The equivalence check: both sides enumerated over a window and compared
//! instant by instant.

use jiff::Timestamp;
use serde::Serialize;

use crate::schedule::Schedule;

/// A window in which source and targets fire at exactly the same instants.
///
/// ```
/// use cronport::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
/// let source = Schedule::new(syntax::unix::parse("0 9 * * *")?, jiff::tz::TimeZone::get("Asia/Tokyo")?);
/// let target = Schedule::utc(syntax::aws::parse("cron(0 0 * * ? *)")?); // Tokyo has no DST
/// let (from, until) = ("2027-01-01T00:00:00Z".parse()?, "2028-01-01T00:00:00Z".parse()?);
/// let proof = verify(&source, &[target], from, until, Duplicates::Reject)?;
/// assert_eq!(proof.firings, 365);
/// assert_eq!((proof.from, proof.until), (from, until));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proof {
    /// The window's start (inclusive).
    pub from: Timestamp,
    /// The window's end (exclusive).
    pub until: Timestamp,
    /// How many times the source fires in the window.
    pub firings: u64,
    /// Instants at which targets fire more than once, accepted because the
    /// caller asked for [`Duplicates::Accept`]; zero otherwise.
    #[serde(skip_serializing_if = "is_zero")]
    pub accepted_duplicates: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The first instant at which source and targets disagree.
///
/// ```
/// use cronport::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
/// // 09:00 in New York is 14:00 UTC only in winter.
/// let source = Schedule::new(syntax::unix::parse("0 9 * * *")?, jiff::tz::TimeZone::get("America/New_York")?);
/// let target = Schedule::utc(syntax::aws::parse("cron(0 14 * * ? *)")?);
/// let (from, until) = ("2027-01-01T00:00:00Z".parse()?, "2028-01-01T00:00:00Z".parse()?);
/// let wrong = verify(&source, &[target], from, until, Duplicates::Reject).unwrap_err();
/// assert_eq!(wrong.instant.to_string(), "2027-03-14T13:00:00Z"); // the first summer run
/// assert_eq!((wrong.source_count, wrong.target_count), (1, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("at {instant} the source fires {source_count} time(s) and the targets {target_count}")]
pub struct Counterexample {
    /// The instant.
    pub instant: Timestamp,
    /// How often the source fires there (0 or 1).
    #[serde(rename = "source")]
    pub source_count: u32,
    /// How often the targets fire there, all together.
    #[serde(rename = "targets")]
    pub target_count: u32,
}

/// Whether several targets firing at one instant where the source fires
/// once counts as a difference.
///
/// ```
/// use cronport::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
/// let source = Schedule::utc(syntax::unix::parse("0 12 1 * 1")?);
/// let halves = [Schedule::utc(syntax::aws::parse("cron(0 12 1 * ? *)")?), Schedule::utc(syntax::aws::parse("cron(0 12 ? * MON *)")?)];
/// let (from, until) = ("2027-01-01T00:00:00Z".parse()?, "2028-01-01T00:00:00Z".parse()?);
/// assert!(verify(&source, &halves, from, until, Duplicates::Reject).is_err()); // Monday 1 Feb runs twice
/// let proof = verify(&source, &halves, from, until, Duplicates::Accept)?;
/// assert_eq!(proof.accepted_duplicates, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplicates {
    /// It does: the default, since a job that runs twice is a bug.
    Reject,
    /// It does not (the user accepted double runs); they are counted.
    Accept,
}

/// Checks that `targets` together fire exactly when `source` does in
/// `[from, until)`: the same instants, each once. Linear in the number of
/// firings.
///
/// ```
/// use cronport::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
///
/// let source = Schedule::utc(syntax::unix::parse("*/10 * * * *")?);
/// let target = Schedule::utc(syntax::aws::parse("cron(0/10 * * * ? *)")?);
/// let proof = verify(&source, &[target], "2026-01-01T00:00:00Z".parse()?, "2027-01-01T00:00:00Z".parse()?, Duplicates::Reject)?;
/// assert_eq!(proof.firings, 52_560);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(
    source: &Schedule,
    targets: &[Schedule],
    from: Timestamp,
    until: Timestamp,
    duplicates: Duplicates,
) -> Result<Proof, Counterexample> {
    let mut expected = source.fires_between(from, until).peekable();
    let mut streams: Vec<_> = targets
        .iter()
        .map(|t| t.fires_between(from, until).peekable())
        .collect();
    let mut firings = 0u64;
    let mut accepted_duplicates = 0u64;
    loop {
        // The earliest instant any side fires at next.
        let next_target = streams.iter_mut().filter_map(|s| s.peek().copied()).min();
        let next_source = expected.peek().copied();
        let instant = match (next_source, next_target) {
            (None, None) => break,
            (Some(s), None) => s,
            (None, Some(t)) => t,
            (Some(s), Some(t)) => s.min(t),
        };
        let source_count = u32::from(next_source == Some(instant));
        if source_count == 1 {
            expected.next();
            firings += 1;
        }
        let mut target_count = 0u32;
        for stream in &mut streams {
            while stream.peek() == Some(&instant) {
                stream.next();
                target_count += 1;
            }
        }
        let agrees = match duplicates {
            Duplicates::Reject => source_count == target_count,
            Duplicates::Accept => (source_count == 0) == (target_count == 0),
        };
        if !agrees {
            return Err(Counterexample {
                instant,
                source_count,
                target_count,
            });
        }
        if target_count > 1 {
            accepted_duplicates += 1;
        }
    }
    Ok(Proof {
        from,
        until,
        firings,
        accepted_duplicates,
    })
}
