//! Fire-time iteration.
//!
//! The search walks wall-clock minutes with bitsets and turns a match into an
//! instant through the current *offset period*: a stretch of time between
//! two transitions of the time zone in which the UTC offset is constant, so
//! that wall time and instants map one to one by adding the offset. Only
//! when the search crosses the end of a period does it ask `jiff` for the
//! next transition; UTC and fixed-offset zones have one endless period.
//!
//! The DST rule of the [module docs](super) falls out of where each period
//! starts its search:
//!
//! * after a gap (spring forward), wall times inside the gap belong to
//!   neither period, so they never match;
//! * after a fold (fall back), the new period starts at the end of the
//!   repeated wall times, unless the schedule's [`DstRule`](super::DstRule) repeats them
//!   (the source rule, for a pattern that runs every hour), in which case it
//!   starts at the transition's wall time.

use jiff::{Timestamp, tz::AmbiguousOffset, tz::TimeZone};

use super::calendar::{Minute, SECONDS_PER_DAY, days_from_civil};
use super::{Cron, Pattern, Schedule};

/// The last year the search looks at: `jiff` timestamps end in 9999.
const LAST_YEAR: i32 = 9999;

/// The Gregorian calendar repeats every 400 years, so a pattern that has not
/// matched in that long never will.
const CALENDAR_CYCLE_YEARS: i32 = 400;

/// The instants a [`Schedule`] runs at, ascending. Made by
/// [`Schedule::fires_after`].
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax};
/// // Every 10 minutes on Heroku, in UTC.
/// let s = Schedule::utc(syntax::heroku::parse("every 10 minutes")?);
/// let from: jiff::Timestamp = "2026-11-24T10:05:00Z".parse()?;
/// let runs: Vec<String> = s.fires_after(from).take(3).map(|t| t.to_string()).collect();
/// assert_eq!(runs, ["2026-11-24T10:10:00Z", "2026-11-24T10:20:00Z", "2026-11-24T10:30:00Z"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FireTimes<'s> {
    time_zone: &'s TimeZone,
    state: State<'s>,
}

#[derive(Debug)]
enum State<'s> {
    Cron(CronSearch<'s>),
    Rate { next: i64, step: i64 },
    Once(Option<Timestamp>),
}

impl<'s> FireTimes<'s> {
    pub(super) fn new(schedule: &'s Schedule, after: Timestamp) -> FireTimes<'s> {
        let time_zone = &schedule.time_zone;
        let state = match &schedule.pattern {
            Pattern::Cron(cron) => State::Cron(CronSearch::new(
                cron,
                schedule.dst_rule.repeats(cron),
                time_zone,
                after,
            )),
            Pattern::Rate(rate) => {
                let step = rate.seconds();
                // Unanchored, a rate keeps the UTC clock's phase (counted
                // from the Unix epoch), so its runs are the same whenever
                // they are asked for.
                let anchor = schedule.start.unwrap_or(Timestamp::UNIX_EPOCH).as_second();
                let after = after.as_second() - i64::from(after.subsec_nanosecond() < 0);
                // The first anchor + k·step (k ≥ 1) strictly after `after`.
                let k = if after < anchor {
                    1
                } else {
                    (after - anchor).div_euclid(step) + 1
                };
                State::Rate {
                    next: anchor.saturating_add(k.saturating_mul(step)),
                    step,
                }
            }
            Pattern::At(civil) => {
                // Skip-and-once, as for cron: a wall time in a gap never
                // comes, one in a fold runs at its first instant.
                let offset = match time_zone.to_ambiguous_timestamp(*civil).offset() {
                    AmbiguousOffset::Unambiguous { offset } => Some(offset),
                    AmbiguousOffset::Fold { before, .. } => Some(before),
                    AmbiguousOffset::Gap { .. } => None,
                };
                let at = offset.and_then(|o| o.to_timestamp(*civil).ok());
                State::Once(at.filter(|&t| t > after))
            }
        };
        FireTimes { time_zone, state }
    }

    /// The same instants as [`jiff::ZonedDateTime`]s in the schedule's zone.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax};
    /// let s = Schedule::new(syntax::unix::parse("0 9 * * *")?, jiff::tz::TimeZone::get("Asia/Tokyo")?);
    /// let from: jiff::Timestamp = "2026-11-24T00:00:00Z".parse()?;
    /// let first = s.fires_after(from).zoned().next().unwrap();
    /// assert_eq!(first.to_string(), "2026-11-25T09:00:00+09:00[Asia/Tokyo]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn zoned(self) -> impl Iterator<Item = jiff::ZonedDateTime> + 's {
        let tz = self.time_zone.clone();
        self.map(move |t| t.to_zoned_datetime(tz.clone()))
    }
}

impl Iterator for FireTimes<'_> {
    type Item = Timestamp;

    fn next(&mut self) -> Option<Timestamp> {
        match &mut self.state {
            State::Cron(search) => search.next(self.time_zone),
            State::Rate { next, step } => {
                let t = Timestamp::from_second(*next).ok()?;
                *next = next.checked_add(*step)?;
                Some(t)
            }
            State::Once(at) => at.take(),
        }
    }
}

impl std::iter::FusedIterator for FireTimes<'_> {}

/// A stretch of time with one UTC offset, in local (wall-clock) seconds.
#[derive(Debug, Clone, Copy)]
struct Period {
    /// Offset from UTC in seconds: local = instant + offset.
    offset: i64,
    /// Local seconds at which this period ends (exclusive).
    end: i64,
    /// The instant of the transition that ends this period.
    next_transition: Option<Timestamp>,
}

impl Period {
    fn ending_at(offset: i64, next_transition: Option<Timestamp>) -> Period {
        Period {
            offset,
            end: next_transition.map_or(i64::MAX, |t| t.as_second() + offset),
            next_transition,
        }
    }
}

/// The matching days of one month, cached across calls.
#[derive(Debug, Clone, Copy)]
struct MonthDays {
    year: i32,
    month: u8,
    /// Bit `d` set for each matching day `d`.
    mask: u64,
    /// Days since 1970-01-01 of the month's first day.
    first_day: i64,
}

#[derive(Debug)]
struct CronSearch<'s> {
    cron: &'s Cron,
    repeats_folds: bool,
    /// The next wall-clock minute to consider.
    cursor: Minute,
    period: Period,
    month: MonthDays,
    done: bool,
}

impl<'s> CronSearch<'s> {
    fn new(cron: &'s Cron, repeats_folds: bool, tz: &TimeZone, after: Timestamp) -> CronSearch<'s> {
        let offset = i64::from(tz.to_offset(after).seconds());
        let period = Period::ending_at(offset, next_transition(tz, after));
        // The first wall-clock minute strictly after `after`. Seconds are
        // floored: `as_second` truncates towards the epoch, so 1 ns before
        // 1970 would read as 1970's first second and skip its first minute.
        let floor_second = after.as_second() - i64::from(after.subsec_nanosecond() < 0);
        let mut local = (floor_second + offset).div_euclid(60) * 60 + 60;
        // Inside the second pass through a repeated wall time, the wall
        // times already run in the first pass must not run again.
        let just_before = after + jiff::SignedDuration::from_nanos(1);
        if let Some(previous) = tz.preceding(just_before).next() {
            let before = tz.to_offset(previous.timestamp() - jiff::SignedDuration::from_nanos(1));
            local = local.max(period_start(
                repeats_folds,
                previous.timestamp(),
                i64::from(before.seconds()),
                offset,
            ));
        }
        CronSearch {
            cron,
            repeats_folds,
            cursor: Minute::ceil_from_local_seconds(local),
            period,
            month: MonthDays {
                year: i32::MIN,
                month: 0,
                mask: 0,
                first_day: 0,
            },
            done: false,
        }
    }

    fn next(&mut self, tz: &TimeZone) -> Option<Timestamp> {
        while !self.done {
            let Some((found, local)) = self.next_match() else {
                self.done = true;
                break;
            };
            if local >= self.period.end {
                self.enter_next_period(tz);
                continue;
            }
            self.cursor = Minute {
                minute: found.minute + 1,
                ..found
            };
            return Timestamp::from_second(local - self.period.offset).ok();
        }
        None
    }

    /// Moves the search to the offset period after the current one.
    fn enter_next_period(&mut self, tz: &TimeZone) {
        let Some(transition) = self.period.next_transition else {
            self.done = true;
            return;
        };
        let before = self.period.offset;
        let after = i64::from(tz.to_offset(transition).seconds());
        self.period = Period::ending_at(after, next_transition(tz, transition));
        let start = period_start(self.repeats_folds, transition, before, after);
        self.cursor = Minute::ceil_from_local_seconds(start);
    }

    /// The first wall-clock minute at or after the cursor that the pattern
    /// names, with its local seconds; `None` if there is none before the
    /// year 10000 or within a whole calendar cycle.
    fn next_match(&mut self) -> Option<(Minute, i64)> {
        let cron = self.cron;
        let Minute {
            mut year,
            mut month,
            mut day,
            mut hour,
            mut minute,
        } = self.cursor;
        let give_up_after = year.saturating_add(CALENDAR_CYCLE_YEARS);
        loop {
            if year > LAST_YEAR || year > give_up_after {
                return None;
            }
            if let Some(years) = &cron.years {
                let next = years.next_at_or_after(year)?;
                if next != year {
                    (year, month, day, hour, minute) = (next, 1, 1, 0, 0);
                }
            }
            let months = u32::from(cron.months) & (u32::MAX << month);
            if months == 0 {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0);
                continue;
            }
            let next_month = months.trailing_zeros() as u8;
            if next_month != month {
                (month, day, hour, minute) = (next_month, 1, 0, 0);
            }
            let days = self.month_days(year, month);
            let later_days = if day > 31 { 0 } else { days.mask >> day << day };
            if later_days == 0 {
                (month, day, hour, minute) = (month + 1, 1, 0, 0);
                continue;
            }
            let next_day = later_days.trailing_zeros() as u8;
            if next_day != day {
                (day, hour, minute) = (next_day, 0, 0);
            }
            let hours = if hour > 23 {
                0
            } else {
                cron.hours >> hour << hour
            };
            if hours == 0 {
                (day, hour, minute) = (day + 1, 0, 0);
                continue;
            }
            let next_hour = hours.trailing_zeros() as u8;
            if next_hour != hour {
                (hour, minute) = (next_hour, 0);
            }
            let minutes = if minute > 59 {
                0
            } else {
                cron.minutes >> minute << minute
            };
            if minutes == 0 {
                (hour, minute) = (hour + 1, 0);
                continue;
            }
            minute = minutes.trailing_zeros() as u8;
            let local = (days.first_day + i64::from(day) - 1) * SECONDS_PER_DAY
                + i64::from(hour) * 3600
                + i64::from(minute) * 60;
            let found = Minute {
                year,
                month,
                day,
                hour,
                minute,
            };
            return Some((found, local));
        }
    }

    fn month_days(&mut self, year: i32, month: u8) -> MonthDays {
        if self.month.year != year || self.month.month != month {
            self.month = MonthDays {
                year,
                month,
                mask: self.cron.days.month_mask(year, month),
                first_day: days_from_civil(year, month, 1),
            };
        }
        self.month
    }
}

/// The transition strictly after `t`, if the zone has one.
fn next_transition(tz: &TimeZone, t: Timestamp) -> Option<Timestamp> {
    tz.following(t).next().map(|tr| tr.timestamp())
}

/// The local second at which the search starts in the period that begins at
/// `transition`, where the offset changes from `before` to `after`.
fn period_start(repeats_folds: bool, transition: Timestamp, before: i64, after: i64) -> i64 {
    let t = transition.as_second();
    // Falling back repeats the wall times [t + after, t + before). They ran
    // in the period before; only a schedule whose rule repeats them runs
    // again.
    if after < before && !repeats_folds {
        t + before
    } else {
        t + after
    }
}
