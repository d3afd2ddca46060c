//! Heroku Scheduler's three frequencies, in UTC.
//!
//! | phrase | export name | cron |
//! |---|---|---|
//! | `every 10 minutes` | `every_ten_minutes` | `*/10 * * * *` |
//! | `every hour at :30` | `every_hour_at_30` | `30 * * * *` |
//! | `every day at 14:30` | `every_day_at_14:30` | `30 14 * * *` |
//!
//! Heroku runs hourly jobs only at :00, :10, …, :50 and daily jobs only on
//! the hour or half hour, so other times are errors. Case does not matter;
//! `hourly at :30`, `daily at 14:30` and a trailing `UTC` are accepted too.
//!
//! ```
//! use cronport_core::syntax::{heroku, unix};
//!
//! assert_eq!(heroku::parse("Every day at 14:30 UTC")?, unix::parse("30 14 * * *")?);
//! assert_eq!(heroku::parse("every_hour_at_30")?, unix::parse("30 * * * *")?);
//! let err = heroku::parse("every hour at :15").unwrap_err();
//! assert_eq!(err.span, 14..17);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::tag,
    character::complete::{char, digit1, space0, space1},
    combinator::{eof, map, opt, value},
    sequence::{preceded, terminated},
};

use super::{Grammar, ParseError, PrintError, span_of};
use crate::schedule::{ALL_HOURS, ALL_MONTHS, Cron, Days, Pattern};

const G: Grammar = Grammar::Heroku;

/// A frequency as read, with the number tokens (sub-slices of the
/// normalized input) still to be checked.
#[derive(Clone, Copy)]
enum Frequency<'a> {
    EveryTenMinutes,
    Hourly { minute: &'a str },
    Daily { hour: &'a str, minute: &'a str },
}

fn frequency(input: &str) -> IResult<&str, Frequency<'_>> {
    let every_ten = value(
        Frequency::EveryTenMinutes,
        (
            tag("every"),
            space1,
            alt((tag("10"), tag("ten"))),
            space1,
            tag("minutes"),
        ),
    );
    let at = || (space1, tag("at"), space1);
    let hourly = map(
        preceded(
            (
                alt((preceded((tag("every"), space1), tag("hour")), tag("hourly"))),
                at(),
            ),
            preceded(opt(char(':')), digit1),
        ),
        |minute| Frequency::Hourly { minute },
    );
    let daily = map(
        preceded(
            (
                alt((preceded((tag("every"), space1), tag("day")), tag("daily"))),
                at(),
            ),
            (
                digit1,
                preceded(char(':'), digit1),
                opt((space1, tag("utc"))),
            ),
        ),
        |(hour, minute, _)| Frequency::Daily { hour, minute },
    );
    terminated(alt((every_ten, hourly, daily)), (space0, eof)).parse(input)
}

/// Parses a Heroku Scheduler frequency.
///
/// ```
/// use cronport_core::syntax::{heroku, unix};
/// assert_eq!(heroku::parse("Every hour at :30")?, unix::parse("30 * * * *")?);
/// assert_eq!(heroku::parse("every_ten_minutes")?, unix::parse("*/10 * * * *")?);
/// assert!(heroku::parse("every 5 minutes").is_err()); // Heroku offers 10, hourly, daily
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
pub fn parse(input: &str) -> Result<Pattern, ParseError> {
    parse_cron(input).map(Pattern::Cron)
}

/// Parses a Heroku Scheduler frequency into its [`Cron`] pattern (UTC).
///
/// ```
/// let cron = cronport_core::syntax::heroku::parse_cron("daily at 09:30")?;
/// assert_eq!((cron.hours().collect::<Vec<_>>(), cron.minutes().collect::<Vec<_>>()), (vec![9], vec![30]));
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
pub fn parse_cron(input: &str) -> Result<Cron, ParseError> {
    // Lower-casing ASCII and reading `_` as a space keep every byte where it
    // was, so spans into `normalized` are spans into `input`.
    let normalized: String = input
        .chars()
        .map(|c| {
            if c == '_' {
                ' '
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let trimmed = normalized.trim_start();
    let shape = || {
        ParseError::new(
            G,
            span_of(&normalized, normalized.trim()),
            "Heroku Scheduler knows `every 10 minutes`, `every hour at :MM` and `every day at HH:MM` (UTC)",
        )
    };
    let (_, frequency) = frequency(trimmed).map_err(|_| shape())?;
    let number = |tok: &str| tok.parse::<u32>().unwrap_or(u32::MAX);
    match frequency {
        Frequency::EveryTenMinutes => Ok(cron((0..60).step_by(10), 0..24)),
        Frequency::Hourly { minute } => {
            let m = number(minute);
            if m % 10 != 0 || m > 50 || minute.len() > 2 {
                return Err(ParseError::new(
                    G,
                    minute_span(&normalized, minute),
                    format!(
                        "Heroku Scheduler runs hourly jobs at :00, :10, :20, :30, :40 or :50, not :{minute}{}",
                        if m < 60 {
                            format!("; did you mean :{:02}?", (m / 10 * 10).min(50))
                        } else {
                            String::new()
                        }
                    ),
                ));
            }
            Ok(cron([m as u8], 0..24))
        }
        Frequency::Daily { hour, minute } => {
            let (h, m) = (number(hour), number(minute));
            if h > 23 || hour.len() > 2 {
                return Err(ParseError::new(
                    G,
                    span_of(&normalized, hour),
                    format!("hour {hour} is out of range 0–23"),
                ));
            }
            if (m != 0 && m != 30) || minute.len() != 2 {
                return Err(ParseError::new(
                    G,
                    span_of(&normalized, minute),
                    format!(
                        "Heroku Scheduler runs daily jobs on the hour or half hour (UTC): did you mean {h:02}:00 or {h:02}:30?"
                    ),
                ));
            }
            Ok(cron([m as u8], [h as u8]))
        }
    }
}

/// The span of an hourly minute, with its `:` if written.
fn minute_span(normalized: &str, minute: &str) -> std::ops::Range<usize> {
    let span = span_of(normalized, minute);
    let colon = normalized[..span.start].ends_with(':') as usize;
    span.start - colon..span.end
}

fn cron(minutes: impl IntoIterator<Item = u8>, hours: impl IntoIterator<Item = u8>) -> Cron {
    Cron {
        minutes: minutes.into_iter().fold(0, |s, m| s | 1 << m),
        hours: hours.into_iter().fold(0, |s, h| s | 1 << h),
        days: Days::EVERY,
        months: ALL_MONTHS,
        years: None,
    }
}

/// Prints `pattern` as a Heroku Scheduler phrase, if it is one of the three
/// shapes Heroku offers (read in UTC).
///
/// ```
/// use cronport_core::syntax::{heroku, unix};
/// assert_eq!(heroku::print(&unix::parse("0 * * * *")?)?, "every hour at :00");
/// assert!(heroku::print(&unix::parse("0 12 * * 1")?).is_err()); // Heroku has no weekdays
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn print(pattern: &Pattern) -> Result<String, PrintError> {
    let Pattern::Cron(c) = pattern else {
        return Err(PrintError::new(
            G,
            "Heroku Scheduler has only clock-aligned cron schedules",
        ));
    };
    let every_day = c.days.is_every_day() && c.months == ALL_MONTHS && c.years.is_none();
    let minutes: Vec<u8> = c.minutes().collect();
    let hours: Vec<u8> = c.hours().collect();
    let every_ten: Vec<u8> = (0..60).step_by(10).collect();
    match (minutes.as_slice(), hours.as_slice()) {
        _ if !every_day => Err(PrintError::new(
            G,
            "Heroku Scheduler runs every day, with no day, month or year rules",
        )),
        (m, _) if m == every_ten && c.hours == ALL_HOURS => Ok("every 10 minutes".to_string()),
        ([m], _) if c.hours == ALL_HOURS && m % 10 == 0 => Ok(format!("every hour at :{m:02}")),
        ([m], [h]) if *m == 0 || *m == 30 => Ok(format!("every day at {h:02}:{m:02}")),
        _ => Err(PrintError::new(
            G,
            "Heroku Scheduler runs every 10 minutes, hourly at :00–:50 in steps of 10, or daily on the hour or half hour",
        )),
    }
}

/// The phrase Heroku's Scheduler API means by a job's `every` (10, 60 or
/// 1440 minutes) and `at` (with 60, the minute past the hour; with 1440,
/// minutes after midnight UTC): the one reading the import and the
/// cutover share.
///
/// ```
/// use cronport_core::syntax::heroku;
/// assert_eq!(heroku::from_api(1440, 870)?, "every day at 14:30");
/// assert_eq!(heroku::from_api(60, 20)?, "every hour at :20");
/// assert_eq!(heroku::from_api(10, 0)?, "every 10 minutes");
/// let err = heroku::from_api(60, 15).unwrap_err();
/// assert!(!err.is_frequency());
/// assert_eq!(err.to_string(), "15 is not an hourly Heroku time; use 0, 10, 20, 30, 40 or 50");
/// # Ok::<(), heroku::ApiError>(())
/// ```
pub fn from_api(every: i64, at: i64) -> Result<String, ApiError> {
    match every {
        10 => Ok("every 10 minutes".to_string()),
        60 if at % 10 == 0 && (0..=50).contains(&at) => Ok(format!("every hour at :{at:02}")),
        60 => Err(ApiError(ApiErrorKind::Hourly(at))),
        1440 if at % 30 == 0 && (0..1440).contains(&at) => {
            Ok(format!("every day at {:02}:{:02}", at / 60, at % 60))
        }
        1440 => Err(ApiError(ApiErrorKind::Daily(at))),
        other => Err(ApiError(ApiErrorKind::Every(other))),
    }
}

/// Why an API job's `every`/`at` is no Heroku schedule.
///
/// ```
/// let err = cronport_core::syntax::heroku::from_api(5, 0).unwrap_err();
/// assert!(err.is_frequency());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError(ApiErrorKind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum ApiErrorKind {
    Every(i64),
    Hourly(i64),
    Daily(i64),
}

impl ApiError {
    /// Whether `every` is wrong (else `at` is).
    ///
    /// ```
    /// assert!(!cronport_core::syntax::heroku::from_api(1440, 45).unwrap_err().is_frequency());
    /// ```
    pub fn is_frequency(&self) -> bool {
        matches!(self.0, ApiErrorKind::Every(_))
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            ApiErrorKind::Every(every) => {
                write!(f, "{every} is not a Heroku frequency; use 10, 60 or 1440")
            }
            ApiErrorKind::Hourly(at) => write!(
                f,
                "{at} is not an hourly Heroku time; use 0, 10, 20, 30, 40 or 50"
            ),
            ApiErrorKind::Daily(at) => write!(
                f,
                "{at} is not a daily Heroku time; use minutes after midnight UTC in steps of 30 (0–1410)"
            ),
        }
    }
}

impl std::error::Error for ApiError {}
