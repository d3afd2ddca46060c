//! `cronport explain`: everything cronport knows about one expression, as
//! plain data the CLI prints as text or JSON.

use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;

use crate::schedule::{DstRule, NoRuns, Schedule, ScheduleError, is_utc, time_zone_name};
use crate::syntax::Grammar;
use crate::translate::{Backend, NotRepresentable, Options, ZonedExpression, translate};

/// What [`explain`] found out about an expression.
///
/// ```
/// let e = cronport_core::explain::explain("0 12 * * 0", &jiff::tz::TimeZone::UTC, "2026-11-24T00:00:00Z".parse()?, 1)?;
/// assert_eq!(e.equivalents.aws.as_deref(), Some("cron(0 12 ? * SUN *)"));
/// assert_eq!(e.equivalents.heroku, None);
/// assert_eq!(e.next, ["2026-11-29T12:00:00+00:00"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The grammar the expression was read in.
    pub grammar: Grammar,
    /// The expression in that grammar's canonical form.
    pub canonical: String,
    /// The schedule in English, with its time zone.
    pub description: String,
    /// The time zone's IANA name (or `UTC`, or a fixed offset).
    pub timezone: String,
    /// Whether the zone's offset never changes (UTC, a fixed offset): no
    /// daylight saving, so the DST rule never applies.
    pub fixed_offset: bool,
    /// The daylight-saving rule the schedule runs under: `source` for Unix
    /// cron and Heroku, `aws-scheduler` for AWS expressions (see
    /// [`DstRule`]).
    pub dst_rule: DstRule,
    /// The same pattern in each other grammar that can write it.
    pub equivalents: Equivalents,
    /// What [`translate`] does with a pattern AWS cron cannot write as is:
    /// day-of-month OR day-of-week, or a repeated hour run twice in a zone
    /// that falls back (EventBridge Scheduler runs it once); `None` when
    /// `equivalents.aws` is it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_split: Option<AwsSplit>,
    /// The next runs, as RFC 3339 instants with the zone's offset.
    pub next: Vec<String>,
}

/// A pattern in each grammar that can write it.
///
/// ```
/// let e = cronport_core::explain::explain("every hour at :30", &jiff::tz::TimeZone::UTC, "2026-11-24T00:00:00Z".parse()?, 0)?;
/// assert_eq!(e.equivalents.unix.as_deref(), Some("30 * * * *"));
/// assert_eq!(e.equivalents.aws.as_deref(), Some("cron(30 * * * ? *)"));
/// assert_eq!(e.equivalents.heroku.as_deref(), Some("every hour at :30"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Equivalents {
    /// Unix cron, if it can write the pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unix: Option<String>,
    /// AWS cron, if it can write the pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<String>,
    /// Heroku Scheduler, if the pattern is one of its frequencies in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heroku: Option<String>,
}

/// What [`translate`] makes of a pattern that no single AWS expression can
/// write.
///
/// ```
/// let e = cronport_core::explain::explain("0 12 1 * 1", &jiff::tz::TimeZone::UTC, "2026-11-24T00:00:00Z".parse()?, 0)?;
/// assert_eq!(e.equivalents.aws, None);
/// let split = e.aws_split.unwrap();
/// assert!(split.reason.contains("day-of-month OR day-of-week"));
/// assert!(split.expressions.is_empty()); // Monday 1 February 2027 would run twice
/// assert!(split.refused.unwrap().reason.contains("2027-02-01"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AwsSplit {
    /// Why the AWS fields alone are not the schedule.
    pub reason: String,
    /// The expressions `translate` writes (EventBridge Scheduler, the
    /// default window), if it writes them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expressions: Vec<ZonedExpression>,
    /// Why `translate` refuses, with the user's options, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<NotRepresentable>,
}

/// Why [`explain`] failed.
///
/// ```
/// use cronport_core::{explain::{explain, ExplainError}, schedule::ScheduleErrorKind};
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let paris = jiff::tz::TimeZone::get("Europe/Paris")?;
/// let err = explain("every day at 14:30", &paris, from, 3).unwrap_err();
/// let ExplainError::Schedule(err) = err else { panic!() };
/// assert!(matches!(err.kind(), ScheduleErrorKind::HerokuNotUtc { zone } if zone == "Europe/Paris"));
/// let Err(ExplainError::Schedule(err)) = explain("61 * * * *", &paris, from, 3) else { panic!() };
/// assert!(matches!(err.kind(), ScheduleErrorKind::Syntax(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// The expression did not parse, or is a Heroku phrase given a time
    /// zone other than UTC ([`Schedule::parse`]).
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// The schedule never runs after the given instant.
    #[error("this schedule never runs after {from}: {why}")]
    NeverRuns {
        /// The instant asked about.
        from: Timestamp,
        /// Why.
        why: NoRuns,
    },
}

/// Parses `expression` (any grammar), and lists its next `count` runs after
/// `from` in `time_zone`.
///
/// ```
/// use cronport_core::explain::explain;
///
/// let e = explain("every day at 14:30", &jiff::tz::TimeZone::UTC, "2026-11-24T15:00:00Z".parse()?, 2)?;
/// assert_eq!(e.canonical, "every day at 14:30");
/// assert_eq!(e.equivalents.aws.as_deref(), Some("cron(30 14 * * ? *)"));
/// assert_eq!(e.next, ["2026-11-25T14:30:00+00:00", "2026-11-26T14:30:00+00:00"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn explain(
    expression: &str,
    time_zone: &TimeZone,
    from: Timestamp,
    count: usize,
) -> Result<Explanation, ExplainError> {
    let schedule = Schedule::parse_in(expression, time_zone.clone())?;
    let grammar = Grammar::detect(expression);
    let zone_name = time_zone_name(time_zone);
    if let Some(why) = schedule.never_runs_after(from) {
        return Err(ExplainError::NeverRuns { from, why });
    }
    let print = |g: Grammar| g.print(schedule.pattern()).ok();
    // Printing what a parser returned always succeeds (the round-trip
    // property tests hold it), so the fallback never shows.
    let canonical = print(grammar).unwrap_or_else(|| expression.trim().to_string());
    let next = schedule
        .fires_after(from)
        .take(count)
        .map(|t| t.display_with_offset(time_zone.to_offset(t)).to_string())
        .collect();
    let mut aws = print(Grammar::Aws);
    let until = Options::default_until(from);
    // The same fields are not the same runs where EventBridge Scheduler
    // runs a repeated hour once and the source runs it twice.
    let repeats_differ = aws.is_some()
        && schedule.fires_between(from, until).ne(schedule
            .clone()
            .with_dst_rule(DstRule::AwsScheduler)
            .fires_between(from, until));
    let reason = match (&aws, schedule.pattern()) {
        (None, crate::schedule::Pattern::Cron(_)) => Some("it runs on days matching day-of-month OR day-of-week, and AWS cron restricts only one of the two".to_string()),
        _ if repeats_differ => {
            aws = None;
            Some(format!("when {zone_name} falls back, EventBridge Scheduler runs a repeated hour once, and this schedule runs it twice"))
        }
        _ => None,
    };
    let aws_split = reason.map(|reason| {
        let options = Options::new(Backend::Scheduler, from, until);
        let (expressions, refused) = match translate(&schedule, &options) {
            Ok(done) => (done.targets, None),
            Err(refused) => (Vec::new(), Some(refused)),
        };
        AwsSplit {
            reason,
            expressions,
            refused,
        }
    });
    Ok(Explanation {
        grammar,
        canonical,
        description: schedule.describe(),
        timezone: zone_name,
        fixed_offset: time_zone.to_fixed_offset().is_ok(),
        dst_rule: schedule.dst_rule(),
        aws_split,
        equivalents: Equivalents {
            unix: print(Grammar::Unix),
            aws,
            heroku: if is_utc(time_zone) {
                print(Grammar::Heroku)
            } else {
                None
            },
        },
        next,
    })
}
