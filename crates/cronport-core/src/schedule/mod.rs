//! The normalized schedule model, fire-time iteration and English descriptions.
//!
//! A [`Schedule`] is a [`Pattern`] (when, in wall-clock terms) plus a
//! [`TimeZone`] (whose wall clock). Patterns come from the parsers in
//! [`crate::syntax`]; every grammar parses into the same model, so
//! `*/10 * * * *`, `cron(0/10 * * * ? *)` and `every 10 minutes` are equal
//! values.
//!
//! # Daylight saving time
//!
//! A pattern names wall-clock times. Where the wall clock jumps, two rules
//! are in use, named by [`DstRule`]:
//!
//! * Both **skip** a wall time that does not exist (the clock springs
//!   forward over it).
//! * Under the **source rule** ([`DstRule::Source`]: Unix cron, Heroku
//!   Scheduler, Cron To Go, crontab) a wall time that occurs twice (the
//!   clock falls back over it) runs **once, at its first instant**, *unless
//!   the pattern runs in all 24 hours of the day* (its hour set is full,
//!   however it is spelled). Then it runs at every real instant that shows
//!   a matching wall time, so an hourly or every-ten-minutes job keeps its
//!   repeated hour.
//! * Under the **AWS Scheduler rule** ([`DstRule::AwsScheduler`]) a repeated
//!   wall time runs once, at its first instant, always: "when the time
//!   shifts back in the Fall, your schedule runs only once and doesn't
//!   repeat its invocation" (EventBridge Scheduler user guide).
//!
//! The rules depend on the set of times a pattern names, never on how it is
//! spelled: `0 * * * *` and `0 0-23 * * *` behave the same.
//!
//! # Example
//!
//! ```
//! use cronport_core::{schedule::Schedule, syntax};
//! use jiff::{tz::TimeZone, Timestamp};
//!
//! let pattern = syntax::unix::parse("30 1 * * *")?;
//! let schedule = Schedule::new(pattern, TimeZone::get("America/New_York")?);
//! // 2026-11-01: New York falls back from 02:00 EDT to 01:00 EST.
//! let from: Timestamp = "2026-10-31T12:00:00Z".parse()?;
//! let fires: Vec<String> = schedule
//!     .fires_after(from)
//!     .take(2)
//!     .map(|t| t.to_string())
//!     .collect();
//! // 01:30 happens twice on 1 November; the job runs at the first one only.
//! assert_eq!(fires, ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod calendar;
mod days;
mod describe;
mod fire;

use jiff::{Timestamp, civil::DateTime, tz::TimeZone};

pub use days::{DayOfMonth, DayOfWeek, DayRule, Days};
pub use fire::FireTimes;

pub(crate) use calendar::{civil_from_days, days_from_civil, days_in_month, is_leap_year};
pub(crate) use days::{ALL_WEEKDAYS, bits, consecutive_runs};

/// Bits 0..=59 set.
pub(crate) const ALL_MINUTES: u64 = (1 << 60) - 1;
/// Bits 0..=23 set.
pub(crate) const ALL_HOURS: u32 = (1 << 24) - 1;
/// Bits 1..=12 set.
pub(crate) const ALL_MONTHS: u16 = 0x1FFE;

/// The first year an AWS cron expression can name.
///
/// ```
/// use cronport_core::schedule::{MIN_YEAR, Years};
/// let mut years = Years::EMPTY;
/// assert!(!years.insert(MIN_YEAR - 1));
/// assert!(years.insert(MIN_YEAR));
/// ```
pub const MIN_YEAR: i32 = 1970;
/// The last year an AWS cron expression can name.
///
/// ```
/// // AWS cron's year field ends here; later years are refused.
/// assert_eq!(cronport_core::schedule::MAX_YEAR, 2199);
/// assert!(cronport_core::syntax::aws::parse("cron(0 0 1 1 ? 2200)").is_err());
/// ```
pub const MAX_YEAR: i32 = 2199;

/// A set of years between [`MIN_YEAR`] and [`MAX_YEAR`], the range AWS cron
/// allows.
///
/// ```
/// // The year field of an AWS expression.
/// let cron = cronport_core::syntax::aws::parse_cron("cron(0 0 1 1 ? 2027,2029)")?;
/// assert_eq!(cron.years().unwrap().iter().collect::<Vec<_>>(), [2027, 2029]);
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Years {
    bits: [u64; 4],
}

impl Years {
    /// No years.
    ///
    /// ```
    /// use cronport_core::schedule::Years;
    /// assert!(Years::EMPTY.is_empty());
    /// assert_eq!(Years::EMPTY.iter().count(), 0);
    /// ```
    pub const EMPTY: Years = Years { bits: [0; 4] };

    /// Adds `year`; `false` if it is outside [`MIN_YEAR`]`..=`[`MAX_YEAR`].
    ///
    /// ```
    /// let mut years = cronport_core::schedule::Years::EMPTY;
    /// assert!(years.insert(2027));
    /// assert!(!years.insert(2200)); // AWS cron ends at 2199
    /// assert!(years.contains(2027));
    /// ```
    pub fn insert(&mut self, year: i32) -> bool {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return false;
        }
        let i = (year - MIN_YEAR) as usize;
        self.bits[i / 64] |= 1 << (i % 64);
        true
    }

    /// Whether `year` is in the set.
    ///
    /// ```
    /// let years: cronport_core::schedule::Years = (2027..=2030).collect();
    /// assert!(years.contains(2028));
    /// assert!(!years.contains(2031));
    /// assert!(!years.contains(1969)); // outside the AWS range: never contained
    /// ```
    pub fn contains(&self, year: i32) -> bool {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return false;
        }
        let i = (year - MIN_YEAR) as usize;
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// The smallest year in the set at or after `year`.
    ///
    /// ```
    /// let years: cronport_core::schedule::Years = [2027, 2030].into_iter().collect();
    /// assert_eq!(years.next_at_or_after(2028), Some(2030));
    /// assert_eq!(years.next_at_or_after(2031), None);
    /// ```
    pub fn next_at_or_after(&self, year: i32) -> Option<i32> {
        let start = year.max(MIN_YEAR);
        (start..=MAX_YEAR).find(|&y| self.contains(y))
    }

    /// The years in either set.
    ///
    /// ```
    /// use cronport_core::schedule::Years;
    /// let a: Years = [2027].into_iter().collect();
    /// let b: Years = [2028].into_iter().collect();
    /// assert_eq!(a.union(&b).iter().collect::<Vec<_>>(), [2027, 2028]);
    /// assert!(a.intersection(&b).is_empty());
    /// ```
    pub fn union(&self, other: &Years) -> Years {
        let mut bits = self.bits;
        for (b, o) in bits.iter_mut().zip(other.bits) {
            *b |= o;
        }
        Years { bits }
    }

    /// The years in both sets.
    ///
    /// ```
    /// use cronport_core::schedule::Years;
    /// let a: Years = (2027..=2030).collect();
    /// let b: Years = (2029..=2035).collect();
    /// assert_eq!(a.intersection(&b).iter().collect::<Vec<_>>(), [2029, 2030]);
    /// ```
    pub fn intersection(&self, other: &Years) -> Years {
        let mut bits = self.bits;
        for (b, o) in bits.iter_mut().zip(other.bits) {
            *b &= o;
        }
        Years { bits }
    }

    /// Whether every year from [`MIN_YEAR`] to [`MAX_YEAR`] is in the set.
    ///
    /// ```
    /// use cronport_core::schedule::{MAX_YEAR, MIN_YEAR, Years};
    /// assert!((MIN_YEAR..=MAX_YEAR).collect::<Years>().is_all());
    /// assert!(!(2000..=2199).collect::<Years>().is_all());
    /// ```
    pub fn is_all(&self) -> bool {
        (MIN_YEAR..=MAX_YEAR).all(|y| self.contains(y))
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// use cronport_core::schedule::Years;
    /// assert!([1900, 2300].into_iter().collect::<Years>().is_empty()); // both out of range
    /// assert!(![2030].into_iter().collect::<Years>().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.bits == [0; 4]
    }

    /// The years in the set, ascending.
    ///
    /// ```
    /// let cron = cronport_core::syntax::aws::parse_cron("cron(0 0 1 1 ? 2027-2029)")?;
    /// let years = cron.years().unwrap();
    /// assert_eq!(years.iter().collect::<Vec<_>>(), [2027, 2028, 2029]);
    /// assert!(!years.is_all() && !years.is_empty());
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = i32> + '_ {
        (MIN_YEAR..=MAX_YEAR).filter(|&y| self.contains(y))
    }
}

impl FromIterator<i32> for Years {
    /// Collects years; those outside the AWS range are dropped.
    fn from_iter<I: IntoIterator<Item = i32>>(iter: I) -> Years {
        let mut years = Years::EMPTY;
        for y in iter {
            years.insert(y);
        }
        years
    }
}

/// A cron pattern: the sets of minutes, hours, days, months and years it
/// names, in wall-clock terms.
///
/// Built by the parsers in [`crate::syntax`] or by [`Cron::new`]. Two
/// patterns that name the same wall-clock minutes are equal, however they
/// were written.
///
/// ```
/// use cronport_core::syntax::{aws, heroku, unix};
/// // Three spellings, one pattern.
/// let a = unix::parse_cron("*/10 * * * *")?;
/// assert_eq!(a, aws::parse_cron("cron(0/10 * * * ? *)")?);
/// assert_eq!(a, heroku::parse_cron("every 10 minutes")?);
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cron {
    pub(crate) minutes: u64,
    pub(crate) hours: u32,
    pub(crate) days: Days,
    pub(crate) months: u16,
    /// `None`: every year.
    pub(crate) years: Option<Years>,
}

/// Why [`Cron::new`] refused its parts.
///
/// ```
/// use cronport_core::schedule::{Cron, Days, ModelError};
/// let err = Cron::new([60], [0], Days::EVERY, 1..=12, None).unwrap_err();
/// assert_eq!(err, ModelError::Field { field: "minute", range: "0–59" });
/// assert_eq!(err.to_string(), "minute must name at least one value in 0–59");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A value was outside its field's range, or a field was empty.
    #[error("{field} must name at least one value in {range}")]
    Field {
        /// The field's name.
        field: &'static str,
        /// The allowed range, as text.
        range: &'static str,
    },
}

impl Cron {
    /// A pattern from its parts: minutes 0–59, hours 0–23, months 1–12.
    ///
    /// ```
    /// use cronport_core::schedule::{Cron, Days};
    ///
    /// let noon_daily = Cron::new([0], [12], Days::EVERY, 1..=12, None)?;
    /// assert_eq!(noon_daily, cronport_core::syntax::unix::parse_cron("0 12 * * *")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        minutes: impl IntoIterator<Item = u8>,
        hours: impl IntoIterator<Item = u8>,
        days: Days,
        months: impl IntoIterator<Item = u8>,
        years: Option<Years>,
    ) -> Result<Cron, ModelError> {
        let collect = |values: &mut dyn Iterator<Item = u8>,
                       field: &'static str,
                       range: &'static str,
                       lo: u8,
                       hi: u8|
         -> Result<u64, ModelError> {
            let mut set = 0u64;
            for v in values {
                if !(lo..=hi).contains(&v) {
                    return Err(ModelError::Field { field, range });
                }
                set |= 1 << v;
            }
            if set == 0 {
                return Err(ModelError::Field { field, range });
            }
            Ok(set)
        };
        let minutes = collect(&mut minutes.into_iter(), "minute", "0–59", 0, 59)?;
        let hours = collect(&mut hours.into_iter(), "hour", "0–23", 0, 23)? as u32;
        let months = collect(&mut months.into_iter(), "month", "1–12", 1, 12)? as u16;
        if years.is_some_and(|y| y.is_empty()) {
            return Err(ModelError::Field {
                field: "year",
                range: "1970–2199",
            });
        }
        Ok(Cron {
            minutes,
            hours,
            days,
            months,
            years,
        })
    }

    /// The minutes named (0–59), ascending.
    ///
    /// ```
    /// let cron = cronport_core::syntax::unix::parse_cron("*/15 9-17 * * 1-5")?;
    /// assert_eq!(cron.minutes().collect::<Vec<_>>(), [0, 15, 30, 45]);
    /// assert_eq!(cron.hours().count(), 9);
    /// assert_eq!(cron.months().count(), 12);
    /// assert!(cron.years().is_none());
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn minutes(&self) -> impl Iterator<Item = u8> + '_ {
        bits(self.minutes)
    }

    /// The hours named (0–23), ascending.
    ///
    /// ```
    /// let cron = cronport_core::syntax::unix::parse_cron("0 9-11,15 * * *")?;
    /// assert_eq!(cron.hours().collect::<Vec<_>>(), [9, 10, 11, 15]);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn hours(&self) -> impl Iterator<Item = u8> + '_ {
        bits(u64::from(self.hours))
    }

    /// The days named.
    ///
    /// ```
    /// let cron = cronport_core::syntax::unix::parse_cron("0 9 * * 1-5")?;
    /// assert!(cron.days().matches(2026, 11, 27)); // a Friday
    /// assert!(!cron.days().matches(2026, 11, 28)); // a Saturday
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn days(&self) -> &Days {
        &self.days
    }

    /// The months named (1–12), ascending.
    ///
    /// ```
    /// let cron = cronport_core::syntax::unix::parse_cron("0 0 1 JAN,JUL *")?;
    /// assert_eq!(cron.months().collect::<Vec<_>>(), [1, 7]);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn months(&self) -> impl Iterator<Item = u8> + '_ {
        bits(u64::from(self.months))
    }

    /// The years named; `None` for every year.
    ///
    /// ```
    /// use cronport_core::syntax::aws::parse_cron;
    /// assert!(parse_cron("cron(0 0 1 1 ? *)")?.years().is_none());
    /// assert!(parse_cron("cron(0 0 1 1 ? 2030)")?.years().unwrap().contains(2030));
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn years(&self) -> Option<&Years> {
        self.years.as_ref()
    }

    /// Whether the pattern runs in all 24 hours of a day. Under the source
    /// rule such a pattern runs at both instants of a repeated wall time
    /// (see the module docs).
    ///
    /// ```
    /// use cronport_core::syntax::unix::parse_cron;
    /// assert!(parse_cron("30 * * * *")?.runs_every_hour());
    /// assert!(parse_cron("30 0-23 * * *")?.runs_every_hour());
    /// assert!(!parse_cron("30 1 * * *")?.runs_every_hour());
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn runs_every_hour(&self) -> bool {
        self.hours == ALL_HOURS
    }

    /// Whether the civil minute `year-month-day hour:minute` matches.
    ///
    /// ```
    /// let cron = cronport_core::syntax::aws::parse_cron("cron(0 12 L * ? *)")?;
    /// assert!(cron.matches(2028, 2, 29, 12, 0)); // the last day of a leap February
    /// assert!(!cron.matches(2028, 2, 28, 12, 0));
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn matches(&self, year: i32, month: u8, day: u8, hour: u8, minute: u8) -> bool {
        minute < 60
            && hour < 24
            && (1..=12).contains(&month)
            && self.minutes & (1 << minute) != 0
            && self.hours & (1 << hour) != 0
            && self.months & (1 << month) != 0
            && self.years.is_none_or(|y| y.contains(year))
            && self.days.matches(year, month, day)
    }

    /// Whether the civil date-time `dt`, truncated to the minute, matches.
    ///
    /// ```
    /// let cron = cronport_core::syntax::unix::parse_cron("30 14 * * 1-5")?;
    /// assert!(cron.matches_civil(jiff::civil::datetime(2026, 11, 24, 14, 30, 0, 0))); // a Tuesday
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn matches_civil(&self, dt: DateTime) -> bool {
        self.matches(
            i32::from(dt.year()),
            dt.month() as u8,
            dt.day() as u8,
            dt.hour() as u8,
            dt.minute() as u8,
        )
    }
}

/// The unit of a [`Rate`].
///
/// ```
/// use cronport_core::schedule::{Pattern, RateUnit};
/// let Pattern::Rate(rate) = cronport_core::syntax::aws::parse("rate(2 days)")? else { unreachable!() };
/// assert_eq!(rate.unit, RateUnit::Days);
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days (24 hours of elapsed time, whatever the wall clock does).
    Days,
}

impl RateUnit {
    /// The unit's length in seconds.
    ///
    /// ```
    /// assert_eq!(cronport_core::schedule::RateUnit::Hours.seconds(), 3600);
    /// ```
    pub fn seconds(self) -> i64 {
        match self {
            RateUnit::Minutes => 60,
            RateUnit::Hours => 3600,
            RateUnit::Days => 86_400,
        }
    }
}

/// An AWS `rate(value unit)`: a fixed interval of elapsed time, counted from
/// the schedule's start rather than aligned to the clock.
///
/// ```
/// use cronport_core::schedule::{Pattern, Rate, RateUnit};
/// let every_five = Pattern::Rate(Rate { value: 5, unit: RateUnit::Minutes });
/// assert_eq!(cronport_core::syntax::aws::print(&every_five)?, "rate(5 minutes)");
/// # Ok::<(), cronport_core::syntax::PrintError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rate {
    /// How many units between runs; at least 1.
    pub value: u32,
    /// The unit.
    pub unit: RateUnit,
}

impl Rate {
    /// The interval in seconds.
    ///
    /// ```
    /// use cronport_core::schedule::{Pattern, Rate, RateUnit};
    /// let Pattern::Rate(rate) = cronport_core::syntax::aws::parse("rate(90 minutes)")? else { unreachable!() };
    /// assert_eq!(rate, Rate { value: 90, unit: RateUnit::Minutes });
    /// assert_eq!(rate.seconds(), 5400);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn seconds(&self) -> i64 {
        i64::from(self.value) * self.unit.seconds()
    }

    /// The AWS cron expression, read in UTC, that runs exactly when this
    /// rate does counting from `anchor`, if one exists: the interval must
    /// divide an hour or a day into whole minutes or hours (so every hour,
    /// or every day, repeats the same minutes), and the anchor fall on a
    /// whole minute; a week is one weekday's time. `rate(7 minutes)` or
    /// `rate(2 days)` have none: a cron step restarts every hour, or every
    /// month.
    ///
    /// ```
    /// use cronport_core::schedule::Pattern;
    /// let rate = |text| match cronport_core::syntax::aws::parse(text) { Ok(Pattern::Rate(r)) => r, _ => unreachable!() };
    /// let epoch = jiff::Timestamp::UNIX_EPOCH;
    /// assert_eq!(rate("rate(10 minutes)").on_the_clock(epoch).as_deref(), Some("cron(0/10 * * * ? *)"));
    /// let at: jiff::Timestamp = "2027-01-01T14:30:00Z".parse()?;
    /// assert_eq!(rate("rate(1 day)").on_the_clock(at).as_deref(), Some("cron(30 14 * * ? *)"));
    /// assert_eq!(rate("rate(6 hours)").on_the_clock(at).as_deref(), Some("cron(30 2/6 * * ? *)"));
    /// assert_eq!(rate("rate(7 days)").on_the_clock(at).as_deref(), Some("cron(30 14 ? * FRI *)"));
    /// assert_eq!(rate("rate(7 minutes)").on_the_clock(epoch), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn on_the_clock(&self, anchor: Timestamp) -> Option<String> {
        self.clock_cron(anchor)
    }

    /// The first instant of this rate's phase, counted from `anchor`, at
    /// or after `at`: `anchor` itself when it is later.
    ///
    /// ```
    /// use cronport_core::schedule::Pattern;
    /// let Pattern::Rate(rate) = cronport_core::syntax::aws::parse("rate(45 minutes)")? else { unreachable!() };
    /// let anchor = jiff::Timestamp::UNIX_EPOCH;
    /// let at: jiff::Timestamp = "2026-12-07T10:00:00Z".parse()?;
    /// assert_eq!(rate.first_at_or_after(anchor, at).to_string(), "2026-12-07T10:30:00Z");
    /// assert_eq!(rate.first_at_or_after(at, anchor), at);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn first_at_or_after(&self, anchor: Timestamp, at: Timestamp) -> Timestamp {
        let step = self.seconds();
        let behind = at.as_second() - anchor.as_second();
        if behind <= 0 {
            return anchor;
        }
        let steps = behind.div_euclid(step) + i64::from(behind % step != 0);
        Timestamp::from_second(anchor.as_second() + steps * step).unwrap_or(at)
    }

    fn clock_cron(&self, anchor: Timestamp) -> Option<String> {
        const HOUR: i64 = 3600;
        const DAY: i64 = 86_400;
        let step = self.seconds();
        let phase = anchor.as_second().rem_euclid(step);
        if step % 60 != 0 || phase % 60 != 0 || anchor.subsec_nanosecond() != 0 {
            return None;
        }
        let minute = phase % HOUR / 60;
        if HOUR % step == 0 {
            let every = step / 60;
            return Some(if every == 60 {
                format!("cron({minute} * * * ? *)")
            } else {
                format!("cron({minute}/{every} * * * ? *)")
            });
        }
        // A week: one weekday at one time (the epoch was a Thursday).
        if step == 7 * DAY {
            const WEEKDAYS: [&str; 7] = ["THU", "FRI", "SAT", "SUN", "MON", "TUE", "WED"];
            let (day, hour) = (phase / DAY, phase % DAY / HOUR);
            return Some(format!(
                "cron({minute} {hour} ? * {} *)",
                WEEKDAYS[day as usize]
            ));
        }
        if step % HOUR == 0 && DAY % step == 0 {
            let (hour, every) = (phase / HOUR, step / HOUR);
            return Some(if every == 24 {
                format!("cron({minute} {hour} * * ? *)")
            } else {
                format!("cron({minute} {hour}/{every} * * ? *)")
            });
        }
        None
    }
}

/// When a schedule runs, in wall-clock terms, before a time zone is chosen.
///
/// ```
/// use cronport_core::schedule::Pattern;
/// assert!(matches!(cronport_core::syntax::parse_any("at(2027-01-01T09:00:00)")?.pattern, Pattern::At(_)));
/// assert!(matches!(cronport_core::syntax::parse_any("rate(1 day)")?.pattern, Pattern::Rate(_)));
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// A cron pattern.
    Cron(Cron),
    /// An AWS `rate(...)` interval.
    Rate(Rate),
    /// An AWS `at(...)` one-time run at a wall-clock date and time.
    At(DateTime),
}

impl From<Cron> for Pattern {
    fn from(cron: Cron) -> Pattern {
        Pattern::Cron(cron)
    }
}

/// A pattern in a time zone: the instants a job runs.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax};
/// let s = Schedule::new(syntax::unix::parse("0 9 * * 1")?, jiff::tz::TimeZone::get("Europe/London")?);
/// assert_eq!(s.describe(), "At 09:00 on Monday, Europe/London");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pattern: Pattern,
    time_zone: TimeZone,
    start: Option<Timestamp>,
    dst_rule: DstRule,
}

/// What a wall time that occurs twice (the clock falls back over it) does.
/// Both rules skip a wall time that does not exist. See the
/// [module docs](self).
///
/// ```
/// use cronport_core::{schedule::{DstRule, Schedule}, syntax};
/// let zone = jiff::tz::TimeZone::get("America/New_York")?;
/// let every_ten = syntax::unix::parse("*/10 * * * *")?;
/// // 2026-11-01: 01:00–01:59 happens twice in New York.
/// let (from, until) = ("2026-11-01T05:00:00Z".parse()?, "2026-11-01T07:00:00Z".parse()?);
/// let source = Schedule::new(every_ten, zone.clone());
/// assert_eq!(source.dst_rule(), DstRule::Source);
/// assert_eq!(source.fires_between(from, until).count(), 12); // both passes
/// let aws = source.with_dst_rule(DstRule::AwsScheduler);
/// assert_eq!(aws.fires_between(from, until).count(), 6); // the second pass is lost
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DstRule {
    /// Unix cron, Heroku Scheduler, Cron To Go, crontab: once at its first
    /// instant, unless the pattern runs in all 24 hours; then at every
    /// instant.
    #[default]
    Source,
    /// EventBridge Scheduler: once at its first instant, always.
    AwsScheduler,
}

impl DstRule {
    /// Whether a pattern repeats the wall times of a fall-back transition.
    fn repeats(self, cron: &Cron) -> bool {
        self == DstRule::Source && cron.hours == ALL_HOURS
    }

    /// The rule's name as JSON output spells it.
    ///
    /// ```
    /// assert_eq!(cronport_core::schedule::DstRule::AwsScheduler.name(), "aws-scheduler");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DstRule::Source => "source",
            DstRule::AwsScheduler => "aws-scheduler",
        }
    }
}

impl std::str::FromStr for DstRule {
    type Err = crate::UnknownName;

    /// A rule's [`name`](DstRule::name).
    ///
    /// ```
    /// use cronport_core::DstRule;
    /// assert_eq!("aws-scheduler".parse::<DstRule>()?, DstRule::AwsScheduler);
    /// # Ok::<(), cronport_core::UnknownName>(())
    /// ```
    fn from_str(name: &str) -> Result<DstRule, Self::Err> {
        const ALL: [DstRule; 2] = [DstRule::Source, DstRule::AwsScheduler];
        crate::name::lookup(
            "daylight-saving rule",
            name,
            &["source", "aws-scheduler"],
            &ALL,
        )
    }
}

impl std::fmt::Display for DstRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DstRule::Source => "the source rule (a repeated hour runs again only for schedules that run every hour)",
            DstRule::AwsScheduler => "EventBridge Scheduler's rule (a repeated hour runs once)",
        })
    }
}

/// Why [`Schedule::parse`] refused its input; [`kind`](ScheduleError::kind)
/// says which input was wrong.
///
/// ```
/// use cronport_core::schedule::{Schedule, ScheduleErrorKind};
/// let err = Schedule::parse("every day at 14:30", "Europe/Paris").unwrap_err();
/// assert!(matches!(err.kind(), ScheduleErrorKind::HerokuNotUtc { .. }));
/// assert_eq!(err.to_string(), "Heroku Scheduler runs in UTC; drop the time zone `Europe/Paris`, or write the schedule as cron");
/// let err = Schedule::parse("0 9 * * *", "Europe/Pariss").unwrap_err();
/// assert!(matches!(err.kind(), ScheduleErrorKind::UnknownZone { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct ScheduleError {
    kind: ScheduleErrorKind,
}

impl ScheduleError {
    /// What was wrong.
    ///
    /// ```
    /// use cronport_core::schedule::{Schedule, ScheduleErrorKind};
    /// let err = Schedule::parse("*/61 * * * *", "UTC").unwrap_err();
    /// let ScheduleErrorKind::Syntax(syntax) = err.kind() else { panic!() };
    /// assert_eq!(syntax.span, 2..4); // the bad step, for a caret under it
    /// ```
    pub fn kind(&self) -> &ScheduleErrorKind {
        &self.kind
    }
}

/// The kinds of [`ScheduleError`].
///
/// ```
/// use cronport_core::schedule::{Schedule, ScheduleErrorKind};
/// let err = Schedule::parse("every hour at :30", "America/New_York").unwrap_err();
/// assert_eq!(err.kind(), &ScheduleErrorKind::HerokuNotUtc { zone: "America/New_York".into() });
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleErrorKind {
    /// The expression is not valid in any grammar; the error keeps the span.
    #[error(transparent)]
    Syntax(#[from] crate::syntax::ParseError),
    /// The time zone is not an IANA name jiff's bundled database knows.
    #[error("unknown time zone `{name}`; use an IANA name such as Europe/Berlin or UTC")]
    UnknownZone {
        /// The name as given.
        name: String,
    },
    /// A Heroku Scheduler phrase with a time zone other than UTC: Heroku
    /// only runs in UTC, so the phrase has no meaning elsewhere.
    #[error(
        "Heroku Scheduler runs in UTC; drop the time zone `{zone}`, or write the schedule as cron"
    )]
    HerokuNotUtc {
        /// The zone's name.
        zone: String,
    },
}

impl From<ScheduleErrorKind> for ScheduleError {
    fn from(kind: ScheduleErrorKind) -> ScheduleError {
        ScheduleError { kind }
    }
}

impl From<crate::syntax::ParseError> for ScheduleError {
    fn from(err: crate::syntax::ParseError) -> ScheduleError {
        ScheduleErrorKind::Syntax(err).into()
    }
}

impl std::str::FromStr for Schedule {
    type Err = ScheduleError;

    /// An expression in any grammar, in UTC ([`Schedule::parse`] with
    /// `"UTC"`).
    ///
    /// ```
    /// let s: cronport_core::Schedule = "every 10 minutes".parse()?;
    /// assert_eq!(s.to_string(), "*/10 * * * * (UTC)");
    /// # Ok::<(), cronport_core::schedule::ScheduleError>(())
    /// ```
    fn from_str(expression: &str) -> Result<Schedule, ScheduleError> {
        Schedule::parse_in(expression, TimeZone::UTC)
    }
}

impl std::fmt::Display for Schedule {
    /// The pattern ([`Pattern`]'s `Display`) and the zone's name in
    /// parentheses.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.pattern, self.time_zone_name())
    }
}

impl std::str::FromStr for Pattern {
    type Err = crate::syntax::ParseError;

    /// An expression in any grammar ([`crate::syntax::parse_any`]).
    ///
    /// ```
    /// use cronport_core::schedule::Pattern;
    /// let a: Pattern = "cron(0/10 * * * ? *)".parse()?;
    /// let b: Pattern = "every 10 minutes".parse()?;
    /// assert_eq!(a, b);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    fn from_str(expression: &str) -> Result<Pattern, Self::Err> {
        crate::syntax::parse_any(expression).map(|parsed| parsed.pattern)
    }
}

impl std::fmt::Display for Pattern {
    /// Unix cron where Unix cron can say it, else the AWS expression.
    ///
    /// ```
    /// use cronport_core::schedule::Pattern;
    /// let p: Pattern = "every day at 14:30".parse()?;
    /// assert_eq!(p.to_string(), "30 14 * * *");
    /// let p: Pattern = "cron(0 12 L * ? *)".parse()?;
    /// assert_eq!(p.to_string(), "cron(0 12 L * ? *)");
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::syntax::Grammar;
        match Grammar::Unix
            .print(self)
            .or_else(|_| Grammar::Aws.print(self))
        {
            Ok(text) => f.write_str(&text),
            // Every pattern one of the parsers returns prints in Unix or
            // AWS; a hand-built one may not, and is described instead.
            Err(_) => f.write_str(&describe::pattern(self)),
        }
    }
}

impl Schedule {
    /// Parses `expression` in any grammar ([`crate::syntax::Grammar::detect`])
    /// on the wall clock of `zone`, an IANA name, under the daylight-saving
    /// rule of its grammar ([`crate::syntax::Grammar::dst_rule`]). A Heroku
    /// Scheduler phrase is UTC: with any other zone it is refused.
    ///
    /// ```
    /// use cronport_core::{DstRule, Schedule};
    /// let s = Schedule::parse("cron(30 8 ? * MON-FRI *)", "Asia/Tokyo")?;
    /// assert_eq!(s.to_string(), "30 8 * * 1-5 (Asia/Tokyo)");
    /// assert_eq!(s.dst_rule(), DstRule::AwsScheduler);
    /// assert_eq!(Schedule::parse("every hour at :30", "Etc/UTC")?.time_zone_name(), "Etc/UTC");
    /// # Ok::<(), cronport_core::schedule::ScheduleError>(())
    /// ```
    pub fn parse(expression: &str, zone: &str) -> Result<Schedule, ScheduleError> {
        let time_zone = TimeZone::get(zone).map_err(|_| ScheduleErrorKind::UnknownZone {
            name: zone.to_string(),
        })?;
        Schedule::parse_in(expression, time_zone)
    }

    /// [`Schedule::parse`] with a [`TimeZone`] already in hand.
    ///
    /// ```
    /// use cronport_core::Schedule;
    /// let s = Schedule::parse_in("0 0 * * *", jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))?;
    /// assert_eq!(s.time_zone_name(), "+09");
    /// # Ok::<(), cronport_core::schedule::ScheduleError>(())
    /// ```
    pub fn parse_in(expression: &str, time_zone: TimeZone) -> Result<Schedule, ScheduleError> {
        let parsed = crate::syntax::parse_any(expression)?;
        if parsed.grammar == crate::syntax::Grammar::Heroku && !is_utc(&time_zone) {
            return Err(ScheduleErrorKind::HerokuNotUtc {
                zone: time_zone_name(&time_zone),
            }
            .into());
        }
        Ok(parsed.in_zone(time_zone))
    }
}

impl Schedule {
    /// `pattern` on the wall clock of `time_zone`.
    ///
    /// ```
    /// use cronport_core::{schedule::{Pattern, Schedule}, syntax};
    /// let s = Schedule::new(syntax::unix::parse("0 9 * * *")?, jiff::tz::TimeZone::get("Asia/Tokyo")?);
    /// assert!(matches!(s.pattern(), Pattern::Cron(_)));
    /// assert_eq!(s.time_zone_name(), "Asia/Tokyo");
    /// assert_eq!(s.time_zone().iana_name(), Some("Asia/Tokyo"));
    /// assert!(s.start().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(pattern: impl Into<Pattern>, time_zone: TimeZone) -> Schedule {
        Schedule {
            pattern: pattern.into(),
            time_zone,
            start: None,
            dst_rule: DstRule::Source,
        }
    }

    /// `pattern` in UTC.
    ///
    /// ```
    /// let s = cronport_core::schedule::Schedule::utc(cronport_core::syntax::unix::parse("0 0 * * *")?);
    /// assert_eq!(s.time_zone_name(), "UTC");
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn utc(pattern: impl Into<Pattern>) -> Schedule {
        Schedule::new(pattern, TimeZone::UTC)
    }

    /// Sets the instant a [`Rate`] counts from (EventBridge Scheduler's
    /// `StartDate`). Cron and one-time patterns ignore it.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse()?;
    /// let s = Schedule::utc(syntax::aws::parse("rate(90 minutes)")?).with_start(start);
    /// let after: jiff::Timestamp = "2026-01-01T02:00:00Z".parse()?;
    /// assert_eq!(s.fires_after(after).next().unwrap().to_string(), "2026-01-01T03:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_start(mut self, start: Timestamp) -> Schedule {
        self.start = Some(start);
        self
    }

    /// Sets the daylight-saving rule (the default is [`DstRule::Source`]).
    ///
    /// ```
    /// use cronport_core::{schedule::{DstRule, Schedule}, syntax};
    /// let s = Schedule::utc(syntax::aws::parse("cron(0 * * * ? *)")?).with_dst_rule(DstRule::AwsScheduler);
    /// assert_eq!(s.dst_rule(), DstRule::AwsScheduler);
    /// # Ok::<(), syntax::ParseError>(())
    /// ```
    pub fn with_dst_rule(mut self, rule: DstRule) -> Schedule {
        self.dst_rule = rule;
        self
    }

    /// The daylight-saving rule the schedule runs under.
    ///
    /// ```
    /// use cronport_core::{schedule::{DstRule, Schedule}, syntax};
    /// assert_eq!(Schedule::utc(syntax::unix::parse("0 * * * *")?).dst_rule(), DstRule::Source);
    /// # Ok::<(), syntax::ParseError>(())
    /// ```
    pub fn dst_rule(&self) -> DstRule {
        self.dst_rule
    }

    /// The instant a [`Rate`] counts from, if set.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse()?;
    /// let s = Schedule::utc(syntax::aws::parse("rate(1 hour)")?).with_start(start);
    /// assert_eq!(s.start(), Some(start));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(&self) -> Option<Timestamp> {
        self.start
    }

    /// The wall-clock pattern.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let pattern = syntax::unix::parse("0 9 * * *")?;
    /// assert_eq!(Schedule::utc(pattern).pattern(), &pattern);
    /// # Ok::<(), syntax::ParseError>(())
    /// ```
    pub fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// The time zone whose wall clock the pattern reads.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let s = Schedule::new(syntax::unix::parse("0 9 * * *")?, jiff::tz::TimeZone::get("Europe/Paris")?);
    /// assert_eq!(s.time_zone().iana_name(), Some("Europe/Paris"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// The time zone's IANA name, or `UTC`/a fixed offset where it has none.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let pattern = syntax::unix::parse("0 9 * * *")?;
    /// let fixed = Schedule::new(pattern, jiff::tz::TimeZone::fixed(jiff::tz::offset(-5)));
    /// assert_eq!(fixed.time_zone_name(), "-05");
    /// assert_eq!(Schedule::utc(pattern).time_zone_name(), "UTC");
    /// # Ok::<(), syntax::ParseError>(())
    /// ```
    pub fn time_zone_name(&self) -> String {
        time_zone_name(&self.time_zone)
    }

    /// The instants strictly after `after` at which the schedule runs,
    /// ascending.
    ///
    /// A [`Rate`] runs at its start plus each whole multiple of its interval
    /// (the start itself excluded); without a start set by
    /// [`Schedule::with_start`] it counts from the Unix epoch, so that
    /// `rate(10 minutes)` runs at :00, :10, … and `rate(1 day)` at 00:00 UTC
    /// (see [`Rate::on_the_clock`]).
    ///
    /// Iteration ends after the year 9999, after the last year a cron
    /// pattern names, after a one-time run, or when no date can ever match
    /// (such as the 30th of February).
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let s = Schedule::new(syntax::unix::parse("30 2 * * *")?, jiff::tz::TimeZone::get("America/New_York")?);
    /// // 2026-03-08: 02:30 does not exist in New York, so that day is skipped.
    /// let from: jiff::Timestamp = "2026-03-07T12:00:00Z".parse()?;
    /// let runs: Vec<String> = s.fires_after(from).take(2).map(|t| t.to_string()).collect();
    /// assert_eq!(runs, ["2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fires_after(&self, after: Timestamp) -> FireTimes<'_> {
        FireTimes::new(self, after)
    }

    /// The shortest time between two consecutive runs: the job's interval,
    /// which a run may not overrun without colliding with the next. Looked
    /// for among the first 200 runs after `from` and within 400 days;
    /// `None` for a schedule that runs at most once there.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let from = "2026-11-24T00:00:00Z".parse()?;
    /// let hourly = Schedule::utc(syntax::heroku::parse("every hour at :30")?);
    /// assert_eq!(hourly.shortest_interval(from), Some(jiff::SignedDuration::from_hours(1)));
    /// // 09:00 and 17:00 on weekdays: eight hours apart at the closest.
    /// let twice = Schedule::utc(syntax::unix::parse("0 9,17 * * 1-5")?);
    /// assert_eq!(twice.shortest_interval(from), Some(jiff::SignedDuration::from_hours(8)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shortest_interval(&self, from: Timestamp) -> Option<jiff::SignedDuration> {
        if let Pattern::Rate(rate) = self.pattern {
            return Some(jiff::SignedDuration::from_secs(rate.seconds()));
        }
        let horizon = from + jiff::SignedDuration::from_hours(24 * 400);
        let runs: Vec<Timestamp> = self
            .fires_after(from)
            .take_while(|&t| t < horizon)
            .take(200)
            .collect();
        runs.windows(2).map(|w| w[1].duration_since(w[0])).min()
    }

    /// Why the schedule has no run after `from`, or `None` when it has one.
    ///
    /// ```
    /// use cronport_core::{schedule::{NoRuns, Schedule}, syntax};
    /// let from: jiff::Timestamp = "2026-11-27T00:00:00Z".parse()?;
    /// let past = Schedule::utc(syntax::aws::parse("at(2025-01-01T09:00:00)")?);
    /// assert!(matches!(past.never_runs_after(from), Some(NoRuns::Passed(..))));
    /// let over = Schedule::utc(syntax::aws::parse("cron(0 9 * * ? 2020-2025)")?);
    /// assert_eq!(over.never_runs_after(from), Some(NoRuns::YearsOver(2025)));
    /// assert_eq!(Schedule::utc(syntax::unix::parse("@daily")?).never_runs_after(from), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn never_runs_after(&self, from: Timestamp) -> Option<NoRuns> {
        let zone = self.time_zone_name();
        match self.pattern {
            Pattern::Rate(_) => None,
            Pattern::At(civil) => {
                let ambiguous = self.time_zone.to_ambiguous_timestamp(civil);
                if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
                    return Some(NoRuns::InGap(civil, zone));
                }
                match ambiguous.earlier() {
                    Err(_) => Some(NoRuns::OutOfRange(civil, zone)),
                    Ok(at) if at <= from => Some(NoRuns::Passed(civil, zone, at)),
                    Ok(_) => None,
                }
            }
            Pattern::Cron(cron) => {
                if self.fires_after(from).next().is_some() {
                    return None;
                }
                let year = from.to_zoned_datetime(TimeZone::UTC).year().into();
                let any_year = Cron {
                    years: None,
                    ..cron
                };
                if Schedule::utc(any_year).fires_after(from).next().is_none() {
                    // From a 400-year stretch early in the calendar: a date
                    // that exists shows up there (29 February in 2000).
                    let early =
                        Timestamp::from_second(946_684_800).unwrap_or(Timestamp::UNIX_EPOCH);
                    return Some(match Schedule::utc(any_year).fires_after(early).next() {
                        None => NoRuns::NoSuchDate(missing_date(&cron)),
                        Some(_) => NoRuns::NoMoreDates,
                    });
                }
                match cron.years {
                    Some(years) if years.next_at_or_after(year).is_none() => {
                        Some(NoRuns::YearsOver(years.iter().last().unwrap_or(year)))
                    }
                    Some(_) if Schedule::utc(cron).fires_after(from).next().is_none() => {
                        Some(NoRuns::NoDateInYears)
                    }
                    _ => Some(NoRuns::Skipped),
                }
            }
        }
    }

    /// The runs in the half-open window `[from, until)`.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let s = Schedule::utc(syntax::heroku::parse("every hour at :30")?);
    /// let day: jiff::Timestamp = "2026-11-24T00:00:00Z".parse()?;
    /// assert_eq!(s.fires_between(day, day + jiff::SignedDuration::from_hours(24)).count(), 24);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fires_between(
        &self,
        from: Timestamp,
        until: Timestamp,
    ) -> impl Iterator<Item = Timestamp> + '_ {
        let before_from = from - jiff::SignedDuration::from_nanos(1);
        self.fires_after(before_from)
            .take_while(move |&t| t < until)
    }

    /// The schedule in English, such as "At 14:30 on Monday through Friday,
    /// Asia/Tokyo".
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    ///
    /// let s = Schedule::new(
    ///     syntax::unix::parse("30 14 * * 1-5")?,
    ///     jiff::tz::TimeZone::get("Asia/Tokyo")?,
    /// );
    /// assert_eq!(s.describe(), "At 14:30 on Monday through Friday, Asia/Tokyo");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn describe(&self) -> String {
        format!(
            "{}, {}",
            describe::pattern(&self.pattern),
            self.time_zone_name()
        )
    }
}

/// The first day-of-month a month the pattern names never has, as
/// "30 February": what a pattern that names no date asks for.
fn missing_date(cron: &Cron) -> Option<String> {
    let days: Vec<u8> = cron.days().day_of_month().days().collect();
    cron.months().find_map(|month| {
        // The longest the month ever is: February in a leap year.
        let longest = days_in_month(2000, month);
        let day = days.iter().copied().find(|d| *d > longest)?;
        Some(format!("{day} {}", describe::MONTHS[usize::from(month)]))
    })
}

/// Why a schedule never runs after some instant
/// ([`Schedule::never_runs_after`]).
///
/// ```
/// use cronport_core::{schedule::{NoRuns, Schedule}, syntax};
/// let from: jiff::Timestamp = "2026-11-27T00:00:00Z".parse()?;
/// let feb_31 = Schedule::utc(syntax::unix::parse("0 0 31 2 *")?);
/// let none = feb_31.never_runs_after(from).unwrap();
/// assert_eq!(none.to_string(), "no date it names exists (31 February)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoRuns {
    /// No civil date matches the day, month and year fields together.
    #[error("no date it names exists{}", .0.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    NoSuchDate(Option<String>),
    /// The last year the pattern names is over.
    #[error("the last year it names, {0}, is over")]
    YearsOver(i32),
    /// Some years are still to come, but none of them has a day it names.
    #[error("none of the years it names has a day it names")]
    NoDateInYears,
    /// A one-time schedule whose instant has passed.
    #[error("{0} in {1} ({2}) has passed")]
    Passed(DateTime, String, Timestamp),
    /// A one-time schedule at a wall time the clock skips.
    #[error("{0} does not exist in {1}: the clock skips it when daylight saving time starts")]
    InGap(DateTime, String),
    /// A one-time schedule later than the last instant cronport (and
    /// `jiff`) can represent, [`Timestamp::MAX`].
    #[error("{0} in {1} is later than {max}, the last instant cronport can represent", max = Timestamp::MAX)]
    OutOfRange(DateTime, String),
    /// The dates it names exist, but none comes before the last instant
    /// cronport can represent.
    #[error("none of its dates comes before {max}, the last instant cronport can represent", max = Timestamp::MAX)]
    NoMoreDates,
    /// Every run the pattern names in its zone has passed or is skipped.
    #[error("its remaining dates fall where the clock skips them")]
    Skipped,
}

/// A time zone's IANA name, `UTC`, or its fixed offset such as `+05:45`.
///
/// ```
/// use cronport_core::schedule::time_zone_name;
/// assert_eq!(time_zone_name(&jiff::tz::TimeZone::get("Asia/Kathmandu").unwrap()), "Asia/Kathmandu");
/// assert_eq!(time_zone_name(&jiff::tz::TimeZone::fixed(jiff::tz::offset(9))), "+09");
/// ```
pub fn time_zone_name(tz: &TimeZone) -> String {
    if let Some(name) = tz.iana_name() {
        return name.to_string();
    }
    match tz.to_fixed_offset() {
        Ok(offset) if offset.seconds() == 0 => "UTC".to_string(),
        Ok(offset) => offset.to_string(),
        Err(_) => "the system time zone".to_string(),
    }
}

/// Whether `tz` is UTC under any of its names, or a zero fixed offset.
///
/// ```
/// use cronport_core::schedule::is_utc;
/// assert!(is_utc(&jiff::tz::TimeZone::get("Etc/UTC").unwrap()));
/// assert!(!is_utc(&jiff::tz::TimeZone::get("Europe/London").unwrap()));
/// ```
pub fn is_utc(tz: &TimeZone) -> bool {
    const UTC_NAMES: [&str; 10] = [
        "UTC",
        "Etc/UTC",
        "UCT",
        "Etc/UCT",
        "Zulu",
        "Etc/Zulu",
        "Universal",
        "Etc/Universal",
        "GMT",
        "Etc/GMT",
    ];
    match tz.iana_name() {
        Some(name) => UTC_NAMES.contains(&name),
        None => tz.to_fixed_offset().is_ok_and(|o| o.seconds() == 0),
    }
}

pub use describe::pattern as describe_pattern;
