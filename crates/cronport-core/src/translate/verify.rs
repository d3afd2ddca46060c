//! The equivalence check: source and targets must fire at the same instants
//! over a window, each once.
//!
//! [`verify`] works by *offset periods* instead of by runs. Between two
//! transitions of the zones involved every schedule's wall clock is UTC
//! plus a constant, so each schedule is a periodic pattern of UTC minutes:
//! its times of day, shifted by its offset, on the UTC days whose local day
//! its day rule names. Such a period is compared one UTC day at a time, and
//! a day is a handful of bitset operations; days whose day rules answer
//! alike (every day of the month, for a pattern with no day rule) share one
//! result. Only the repeated wall times after a fall-back transition, where
//! the daylight-saving rules differ, are enumerated run by run. The cost is
//! per day and per transition, not per run: a year of an every-minute job
//! costs what a year of a daily one does.
//!
//! [`verify_by_enumeration`] walks both sides run by run. It is the oracle
//! the tests hold [`verify`] to.

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::Serialize;

use crate::schedule::{ALL_MONTHS, Cron, Days, Pattern, Schedule, civil_from_days};

/// A window in which source and targets fire at exactly the same instants.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
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
/// use cronport_core::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
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
/// use cronport_core::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
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
/// `[from, until)`: the same instants, each once, each schedule under its
/// own [daylight-saving rule](crate::schedule::DstRule).
///
/// Cron patterns are compared by offset period: between two transitions
/// each side is a periodic pattern, compared one UTC day at a time with
/// bitsets, and only the repeated wall times after a fall-back are
/// enumerated, so the cost grows with the days and transitions of the
/// window, not with its runs. `rate(...)` and `at(...)` are enumerated.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{verify, Duplicates}};
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
    let mut tally = Tally::new(duplicates);
    let crons: Option<Vec<Cron>> = std::iter::once(source)
        .chain(targets)
        .map(|s| match s.pattern() {
            Pattern::Cron(cron) => Some(*cron),
            Pattern::Rate(_) | Pattern::At(_) => None,
        })
        .collect();
    match crons {
        Some(crons) if from < until => {
            let schedules: Vec<&Schedule> = std::iter::once(source).chain(targets).collect();
            for piece in pieces(&schedules, from, until) {
                let symbolic = !piece.enumerate
                    && Period::new(&schedules, &crons, piece.from, duplicates)
                        .map(|mut period| period.compare(piece.from, piece.until, &mut tally))
                        .transpose()?
                        .is_some();
                if !symbolic {
                    tally.enumerate(source, targets, piece.from, piece.until)?;
                }
            }
        }
        _ => tally.enumerate(source, targets, from, until)?,
    }
    Ok(tally.proof(from, until))
}

/// [`verify`] by walking every run of every side, in time linear in the
/// number of runs. The oracle the tests hold [`verify`] to.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{verify, verify_by_enumeration, Duplicates}};
/// let zone = jiff::tz::TimeZone::get("America/New_York")?;
/// let source = Schedule::new(syntax::unix::parse("*/10 * * * *")?, zone.clone());
/// let target = syntax::aws::schedule("cron(0/10 * * * ? *)", zone)?; // loses the repeated hour
/// let (from, until) = ("2027-01-01T00:00:00Z".parse()?, "2028-01-01T00:00:00Z".parse()?);
/// let by_runs = verify_by_enumeration(&source, &[target.clone()], from, until, Duplicates::Reject);
/// assert_eq!(by_runs, verify(&source, &[target], from, until, Duplicates::Reject));
/// assert_eq!(by_runs.unwrap_err().instant.to_string(), "2027-11-07T06:00:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_by_enumeration(
    source: &Schedule,
    targets: &[Schedule],
    from: Timestamp,
    until: Timestamp,
    duplicates: Duplicates,
) -> Result<Proof, Counterexample> {
    let mut tally = Tally::new(duplicates);
    tally.enumerate(source, targets, from, until)?;
    Ok(tally.proof(from, until))
}

/// How many times `schedule` runs in `[from, until)`, counted by offset
/// period like [`verify`].
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::count_runs};
/// let every_minute = Schedule::utc(syntax::unix::parse("* * * * *")?);
/// let (from, until) = ("2027-01-01T00:00:00Z".parse()?, "2127-01-01T00:00:00Z".parse()?);
/// assert_eq!(count_runs(&every_minute, from, until), 36_524 * 1440); // a century of minutes
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn count_runs(schedule: &Schedule, from: Timestamp, until: Timestamp) -> u64 {
    // A schedule always agrees with itself; the error arm cannot happen.
    verify(
        schedule,
        std::slice::from_ref(schedule),
        from,
        until,
        Duplicates::Reject,
    )
    .map_or(0, |proof| proof.firings)
}

/// The running result of a check.
struct Tally {
    duplicates: Duplicates,
    firings: u64,
    accepted_duplicates: u64,
}

impl Tally {
    fn new(duplicates: Duplicates) -> Tally {
        Tally {
            duplicates,
            firings: 0,
            accepted_duplicates: 0,
        }
    }

    fn proof(self, from: Timestamp, until: Timestamp) -> Proof {
        Proof {
            from,
            until,
            firings: self.firings,
            accepted_duplicates: self.accepted_duplicates,
        }
    }

    /// Whether `source_count` runs of the source and `target_count` runs of
    /// the targets at one instant agree.
    fn agrees(&self, source_count: u32, target_count: u32) -> bool {
        match self.duplicates {
            Duplicates::Reject => source_count == target_count,
            Duplicates::Accept => (source_count == 0) == (target_count == 0),
        }
    }

    /// Compares `[from, until)` run by run.
    fn enumerate(
        &mut self,
        source: &Schedule,
        targets: &[Schedule],
        from: Timestamp,
        until: Timestamp,
    ) -> Result<(), Counterexample> {
        let mut expected = source.fires_between(from, until).peekable();
        let mut streams: Vec<_> = targets
            .iter()
            .map(|t| t.fires_between(from, until).peekable())
            .collect();
        loop {
            // The earliest instant any side fires at next.
            let next_target = streams.iter_mut().filter_map(|s| s.peek().copied()).min();
            let next_source = expected.peek().copied();
            let instant = match (next_source, next_target) {
                (None, None) => return Ok(()),
                (Some(s), None) => s,
                (None, Some(t)) => t,
                (Some(s), Some(t)) => s.min(t),
            };
            let source_count = u32::from(next_source == Some(instant));
            if source_count == 1 {
                expected.next();
                self.firings += 1;
            }
            let mut target_count = 0u32;
            for stream in &mut streams {
                while stream.peek() == Some(&instant) {
                    stream.next();
                    target_count += 1;
                }
            }
            if !self.agrees(source_count, target_count) {
                return Err(Counterexample {
                    instant,
                    source_count,
                    target_count,
                });
            }
            if target_count > 1 {
                self.accepted_duplicates += 1;
            }
        }
    }
}

/// A stretch of the window to compare in one way.
#[derive(Debug, Clone, Copy)]
struct Piece {
    from: Timestamp,
    until: Timestamp,
    /// Run by run: the repeated wall times after a fall-back transition,
    /// which the daylight-saving rules treat differently.
    enumerate: bool,
}

/// Cuts `[from, until)` at every offset change of the schedules' zones;
/// the repeated wall times after each fall-back (and a window that starts
/// inside them) become pieces of their own, to enumerate.
fn pieces(schedules: &[&Schedule], from: Timestamp, until: Timestamp) -> Vec<Piece> {
    let mut zones: Vec<&TimeZone> = Vec::new();
    for s in schedules {
        if !zones.contains(&s.time_zone()) {
            zones.push(s.time_zone());
        }
    }
    let mut cuts = vec![from, until];
    let mut repeated: Vec<(Timestamp, Timestamp)> = Vec::new();
    let tick = SignedDuration::from_nanos(1);
    for zone in zones {
        // A fall-back shortly before `from` may still be repeating.
        let transitions = zone
            .preceding(from + tick)
            .take(1)
            .chain(zone.following(from).take_while(|tr| tr.timestamp() < until));
        for tr in transitions {
            let at = tr.timestamp();
            let before = zone.to_offset(at - tick).seconds();
            let after = tr.offset().seconds();
            if before == after {
                continue;
            }
            if at > from {
                cuts.push(at);
            }
            if after < before {
                let end = at + SignedDuration::from_secs(i64::from(before - after));
                if end > from {
                    let (start, end) = (at.max(from), end.min(until));
                    cuts.extend([start, end]);
                    repeated.push((start, end));
                }
            }
        }
    }
    cuts.retain(|&c| c >= from && c <= until);
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| Piece {
            from: w[0],
            until: w[1],
            enumerate: repeated.iter().any(|&(a, b)| a <= w[0] && w[1] <= b),
        })
        .collect()
}

/// Minutes in a day.
const DAY: usize = 1440;
/// Words in a bitset of one day's minutes.
const WORDS: usize = DAY.div_ceil(64);

/// One UTC day's minutes, a bit each.
#[derive(Clone, Copy, PartialEq, Eq)]
struct DayMask([u64; WORDS]);

impl DayMask {
    const EMPTY: DayMask = DayMask([0; WORDS]);

    /// Minutes `lo..hi` of the day.
    fn range(lo: usize, hi: usize) -> DayMask {
        let mut mask = DayMask::EMPTY;
        for minute in lo..hi {
            mask.0[minute / 64] |= 1 << (minute % 64);
        }
        mask
    }

    fn or(&mut self, other: &DayMask) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    fn and(mut self, other: &DayMask) -> DayMask {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a &= b;
        }
        self
    }

    /// The minutes in exactly one of the two.
    fn xor(mut self, other: &DayMask) -> DayMask {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a ^= b;
        }
        self
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    fn first(&self) -> Option<usize> {
        self.0
            .iter()
            .position(|&w| w != 0)
            .map(|i| i * 64 + self.0[i].trailing_zeros() as usize)
    }

    fn contains(&self, minute: usize) -> bool {
        self.0[minute / 64] & (1 << (minute % 64)) != 0
    }
}

/// One schedule in one offset period: the UTC minutes of day it fires at,
/// split by the local day they belong to.
struct Shifted {
    /// `by_local_day[j]`: minutes whose local day is the UTC day `+ 1 - j`
    /// (a clock ahead of UTC reaches a day's early hours the UTC day
    /// before).
    by_local_day: [DayMask; 3],
    days: DayMatcher,
}

impl Shifted {
    /// `cron` on a clock `offset` minutes ahead of UTC; `None` beyond a day.
    fn new(cron: &Cron, offset: i64) -> Option<Shifted> {
        // Local minute m of local day L is UTC minute m - offset of day L,
        // which is x = m - offset + DAY minutes into the three UTC days
        // L - 1, L and L + 1.
        const SPAN: usize = 3 * DAY / 64 + 2;
        let base = DAY as i64 - offset;
        if !(0..=DAY as i64 * 2).contains(&base) {
            return None;
        }
        let mut span = [0u64; SPAN];
        for hour in crate::schedule::bits(u64::from(cron.hours)) {
            let at = base as usize + usize::from(hour) * 60;
            let (word, bit) = (at / 64, at % 64);
            span[word] |= cron.minutes << bit;
            if bit > 4 {
                span[word + 1] |= cron.minutes >> (64 - bit);
            }
        }
        let take = |start: usize| {
            let mut mask = DayMask::EMPTY;
            for (i, word) in mask.0.iter_mut().enumerate() {
                let at = start + i * 64;
                let (w, bit) = (at / 64, at % 64);
                *word = span[w] >> bit;
                if bit > 0 {
                    *word |= span[w + 1] << (64 - bit);
                }
            }
            // Bits past the day's last minute belong to the next day.
            mask.0[WORDS - 1] &= (1 << (DAY % 64)) - 1;
            mask
        };
        Some(Shifted {
            by_local_day: [take(0), take(DAY), take(2 * DAY)],
            days: DayMatcher::new(cron),
        })
    }
}

/// Whether a pattern's day, month and year rules name a civil date, with
/// the month's matching days cached.
struct DayMatcher {
    cron: Cron,
    every_day: bool,
    month: Option<(i32, u8, u64)>,
}

impl DayMatcher {
    fn new(cron: &Cron) -> DayMatcher {
        DayMatcher {
            cron: *cron,
            every_day: cron.days == Days::EVERY
                && cron.months == ALL_MONTHS
                && cron.years.is_none(),
            month: None,
        }
    }

    fn matches(&mut self, (year, month, day): (i32, u8, u8)) -> bool {
        if self.every_day {
            return true;
        }
        if self.cron.months & (1 << month) == 0
            || self.cron.years.is_some_and(|y| !y.contains(year))
        {
            return false;
        }
        let mask = match self.month {
            Some((y, m, mask)) if (y, m) == (year, month) => mask,
            _ => {
                let mask = self.cron.days.month_mask(year, month);
                self.month = Some((year, month, mask));
                mask
            }
        };
        mask & (1 << day) != 0
    }
}

/// Source and targets in one offset period. Index 0 is the source.
struct Period {
    shifted: Vec<Shifted>,
    duplicates: Duplicates,
    /// Outcomes of whole days, keyed by which (schedule, local day) pairs
    /// are on; only while those fit one word.
    seen: Vec<(u64, DayOutcome)>,
}

/// What one UTC day adds to the tally.
#[derive(Clone, Copy)]
struct DayOutcome {
    firings: u64,
    accepted_duplicates: u64,
}

/// Outcomes remembered per period: distinct day signatures are few (a
/// weekday rule has seven), so a short list beats a map.
const REMEMBERED: usize = 64;

impl Period {
    /// The period that starts at `at`; `None` when an offset is not a whole
    /// number of minutes or exceeds a day (then the piece is enumerated).
    fn new(
        schedules: &[&Schedule],
        crons: &[Cron],
        at: Timestamp,
        duplicates: Duplicates,
    ) -> Option<Period> {
        let shifted = schedules
            .iter()
            .zip(crons)
            .map(|(s, cron)| {
                let offset = i64::from(s.time_zone().to_offset(at).seconds());
                if offset % 60 != 0 {
                    return None;
                }
                Shifted::new(cron, offset / 60)
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Period {
            shifted,
            duplicates,
            seen: Vec::new(),
        })
    }

    /// Compares the UTC minutes in `[from, until)`, day by day.
    fn compare(
        &mut self,
        from: Timestamp,
        until: Timestamp,
        tally: &mut Tally,
    ) -> Result<(), Counterexample> {
        const MINUTE: i128 = 60_000_000_000;
        // The whole minutes in [from, until), as minutes since the epoch.
        let first = from.as_nanosecond().div_euclid(MINUTE)
            + i128::from(from.as_nanosecond().rem_euclid(MINUTE) != 0);
        let end = until.as_nanosecond().div_euclid(MINUTE)
            + i128::from(until.as_nanosecond().rem_euclid(MINUTE) != 0);
        if first >= end {
            return Ok(());
        }
        let (first, end) = (first as i64, end as i64);
        let day_len = DAY as i64;
        let (first_day, last_day) = (first.div_euclid(day_len), (end - 1).div_euclid(day_len));
        let last_whole_day = if end == (last_day + 1) * day_len {
            last_day
        } else {
            last_day - 1
        };
        let every_day = self.shifted.iter().all(|s| s.days.every_day);
        let mut day = first_day;
        while day <= last_day {
            let lo = if day == first_day {
                (first - day * day_len) as usize
            } else {
                0
            };
            let hi = if day == last_day {
                (end - day * day_len) as usize
            } else {
                DAY
            };
            let whole = lo == 0 && hi == DAY;
            // Without day rules every whole day answers alike: the first
            // stands for the run of them.
            if whole && every_day {
                let outcome = self.whole_day(day)?;
                let days = (last_whole_day - day + 1) as u64;
                tally.firings += outcome.firings * days;
                tally.accepted_duplicates += outcome.accepted_duplicates * days;
                day = last_whole_day + 1;
                continue;
            }
            let outcome = if whole {
                self.whole_day(day)?
            } else {
                let active = self.active(day);
                self.day(day, &active, Some(&DayMask::range(lo, hi)))?
            };
            tally.firings += outcome.firings;
            tally.accepted_duplicates += outcome.accepted_duplicates;
            day += 1;
        }
        Ok(())
    }

    /// Which (schedule, local day) pairs fire on UTC day `day`.
    fn active(&mut self, day: i64) -> Vec<[bool; 3]> {
        let dates = [
            civil_from_days(day + 1),
            civil_from_days(day),
            civil_from_days(day - 1),
        ];
        self.shifted
            .iter_mut()
            .map(|s| {
                let mut on = [false; 3];
                for j in 0..3 {
                    on[j] = !s.by_local_day[j].is_empty() && s.days.matches(dates[j]);
                }
                on
            })
            .collect()
    }

    fn whole_day(&mut self, day: i64) -> Result<DayOutcome, Counterexample> {
        let active = self.active(day);
        let signature = (active.len() * 3 <= 64).then(|| {
            active
                .iter()
                .flatten()
                .enumerate()
                .fold(0u64, |sig, (i, &on)| sig | (u64::from(on) << i))
        });
        if let Some(sig) = signature
            && let Some(&(_, outcome)) = self.seen.iter().find(|(s, _)| *s == sig)
        {
            return Ok(outcome);
        }
        let outcome = self.day(day, &active, None)?;
        if let Some(sig) = signature
            && self.seen.len() < REMEMBERED
        {
            self.seen.push((sig, outcome));
        }
        Ok(outcome)
    }

    /// Compares one UTC day, limited to `within` if given.
    fn day(
        &self,
        day: i64,
        active: &[[bool; 3]],
        within: Option<&DayMask>,
    ) -> Result<DayOutcome, Counterexample> {
        let masks = |k: usize| {
            let shifted = &self.shifted[k];
            (0..3)
                .filter(move |&j| active[k][j])
                .map(move |j| shifted.by_local_day[j])
        };
        let mut source = DayMask::EMPTY;
        for mask in masks(0) {
            source.or(&mask);
        }
        let (mut union, mut twice) = (DayMask::EMPTY, DayMask::EMPTY);
        for k in 1..self.shifted.len() {
            for mask in masks(k) {
                twice.or(&union.and(&mask));
                union.or(&mask);
            }
        }
        if let Some(within) = within {
            source = source.and(within);
            union = union.and(within);
            twice = twice.and(within);
        }
        let mut wrong = source.xor(&union);
        if self.duplicates == Duplicates::Reject {
            wrong.or(&twice);
        }
        if let Some(minute) = wrong.first() {
            let target_count = (1..self.shifted.len())
                .flat_map(masks)
                .filter(|m| m.contains(minute))
                .count() as u32;
            let seconds = (day * DAY as i64 + minute as i64) * 60;
            return Err(Counterexample {
                instant: Timestamp::from_second(seconds).unwrap_or(Timestamp::MAX),
                source_count: u32::from(source.contains(minute)),
                target_count,
            });
        }
        Ok(DayOutcome {
            firings: source.count(),
            accepted_duplicates: match self.duplicates {
                Duplicates::Reject => 0,
                Duplicates::Accept => twice.count(),
            },
        })
    }
}
