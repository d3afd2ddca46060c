//! Which days of a month a schedule runs on.
//!
//! Unix and AWS cron both describe days through two fields, day-of-month and
//! day-of-week, and combine them differently: Vixie cron runs on days that
//! match *either* field when both are restricted, AWS cron lets only one be
//! restricted. [`Days`] holds both fields and the rule that combines them,
//! normalized so that two spellings of the same set of days compare equal.

use super::calendar::{days_from_civil, days_in_month, weekday_from_days};

/// Bits 1..=31 set: every day of a month.
pub(crate) const ALL_MONTH_DAYS: u32 = 0xFFFF_FFFE;
/// Bits 0..=6 set: every day of the week.
pub(crate) const ALL_WEEKDAYS: u8 = 0x7F;

/// The day-of-month field: plain days plus the rules AWS cron can write.
///
/// Each set of rules is a bitset; a day matches when any rule names it.
///
/// ```
/// use cronport_core::schedule::DayOfMonth;
/// // `1,15` and `15,1` are the same field.
/// assert_eq!(DayOfMonth::from_days([1, 15]), DayOfMonth::from_days([15, 1]));
/// assert_eq!(DayOfMonth::from_days([15, 1]).days().collect::<Vec<_>>(), [1, 15]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DayOfMonth {
    /// Bit `d` (1–31): day `d` of the month.
    pub(crate) days: u32,
    /// Bit `n` (0–30): the last day of the month minus `n` (`L`, `L-n`).
    pub(crate) from_last: u32,
    /// Bit `d` (1–31): the weekday (Monday–Friday) nearest day `d`, within
    /// the same month (`dW`).
    pub(crate) nearest_weekday: u32,
    /// The last weekday (Monday–Friday) of the month (`LW`).
    pub(crate) last_weekday: bool,
}

impl DayOfMonth {
    /// Every day of the month.
    ///
    /// ```
    /// use cronport_core::schedule::DayOfMonth;
    /// assert!(DayOfMonth::ALL.is_all());
    /// assert_eq!(DayOfMonth::ALL.days().count(), 31);
    /// ```
    pub const ALL: DayOfMonth = DayOfMonth {
        days: ALL_MONTH_DAYS,
        from_last: 0,
        nearest_weekday: 0,
        last_weekday: false,
    };

    /// The last weekday (Monday–Friday) of the month: AWS `LW`.
    ///
    /// ```
    /// use cronport_core::schedule::{DayOfMonth, DayOfWeek, DayRule, Days};
    /// let lw = Days::new(DayOfMonth::LAST_WEEKDAY, DayOfWeek::ALL, DayRule::Both);
    /// assert!(lw.matches(2026, 5, 29)); // May 31st 2026 is a Sunday: Friday the 29th
    /// assert!(!lw.matches(2026, 5, 31));
    /// ```
    pub const LAST_WEEKDAY: DayOfMonth = DayOfMonth {
        days: 0,
        from_last: 0,
        nearest_weekday: 0,
        last_weekday: true,
    };

    /// Plain days of the month; values outside 1–31 are ignored.
    ///
    /// ```
    /// use cronport_core::schedule::DayOfMonth;
    /// assert_eq!(DayOfMonth::from_days(1..=31), DayOfMonth::ALL);
    /// ```
    pub fn from_days(days: impl IntoIterator<Item = u8>) -> DayOfMonth {
        DayOfMonth {
            days: days
                .into_iter()
                .filter(|d| (1..=31).contains(d))
                .fold(0, |set, d| set | 1 << d),
            ..DayOfMonth::default()
        }
    }

    /// The last day of the month minus `n` days: AWS `L` (n = 0) or `L-n`.
    /// `None` unless `n` is 0–30.
    ///
    /// ```
    /// use cronport_core::schedule::{DayOfMonth, DayOfWeek, DayRule, Days};
    /// let third_last = Days::new(DayOfMonth::from_last(2).unwrap(), DayOfWeek::ALL, DayRule::Both);
    /// assert!(third_last.matches(2026, 2, 26)); // L-2 of a 28-day February
    /// assert!(DayOfMonth::from_last(31).is_none());
    /// ```
    pub fn from_last(n: u8) -> Option<DayOfMonth> {
        (n <= 30).then(|| DayOfMonth {
            from_last: 1 << n,
            ..DayOfMonth::default()
        })
    }

    /// The weekday nearest day `day` (1–31) within the month: AWS `dayW`.
    ///
    /// ```
    /// use cronport_core::schedule::{DayOfMonth, DayOfWeek, DayRule, Days};
    /// let w = Days::new(DayOfMonth::nearest_weekday_to(15).unwrap(), DayOfWeek::ALL, DayRule::Both);
    /// assert!(w.matches(2024, 6, 14)); // the 15th is a Saturday: Friday the 14th
    /// ```
    pub fn nearest_weekday_to(day: u8) -> Option<DayOfMonth> {
        (1..=31).contains(&day).then(|| DayOfMonth {
            nearest_weekday: 1 << day,
            ..DayOfMonth::default()
        })
    }

    /// Whether this field names every day of every month.
    ///
    /// ```
    /// use cronport_core::schedule::DayOfMonth;
    /// assert!(DayOfMonth::from_days(1..=31).is_all());
    /// assert!(!DayOfMonth::from_days(1..=30).is_all());
    /// ```
    pub fn is_all(&self) -> bool {
        *self == Self::ALL
    }

    /// Whether the field is exactly one `L` or `L-n` rule.
    pub(crate) fn is_plain_last(&self) -> bool {
        self.days == 0
            && self.from_last.count_ones() == 1
            && self.nearest_weekday == 0
            && !self.last_weekday
    }

    /// Whether the field uses only plain day numbers (no `L` or `W` rules).
    ///
    /// ```
    /// let dom = *cronport_core::syntax::aws::parse_cron("cron(0 0 L * ? *)")?.days().day_of_month();
    /// assert!(!dom.is_plain() && !dom.is_all());
    /// assert_eq!(dom.days_before_last().collect::<Vec<_>>(), [0]);
    /// assert_eq!(dom.days().count(), 0);
    /// assert_eq!(dom.nearest_weekdays().count(), 0);
    /// assert!(!dom.last_weekday());
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn is_plain(&self) -> bool {
        self.from_last == 0 && self.nearest_weekday == 0 && !self.last_weekday
    }

    /// The plain days of the month this field names (1–31), ascending.
    ///
    /// ```
    /// let days = cronport_core::schedule::DayOfMonth::from_days([20, 5, 10]);
    /// assert_eq!(days.days().collect::<Vec<_>>(), [5, 10, 20]);
    /// ```
    pub fn days(&self) -> impl Iterator<Item = u8> + '_ {
        bits(u64::from(self.days))
    }

    /// For `L` and `L-n`: each `n` (0 = the last day), ascending.
    ///
    /// ```
    /// // `L-3`: three days before the last day of the month.
    /// let l3 = cronport_core::schedule::DayOfMonth::from_last(3).unwrap();
    /// assert_eq!(l3.days_before_last().collect::<Vec<_>>(), [3]);
    /// ```
    pub fn days_before_last(&self) -> impl Iterator<Item = u8> + '_ {
        bits(u64::from(self.from_last))
    }

    /// For `dW`: each day `d` whose nearest weekday is named, ascending.
    ///
    /// ```
    /// let w = cronport_core::schedule::DayOfMonth::nearest_weekday_to(15).unwrap();
    /// assert_eq!(w.nearest_weekdays().collect::<Vec<_>>(), [15]);
    /// ```
    pub fn nearest_weekdays(&self) -> impl Iterator<Item = u8> + '_ {
        bits(u64::from(self.nearest_weekday))
    }

    /// Whether the last weekday of the month (`LW`) is named.
    ///
    /// ```
    /// use cronport_core::schedule::DayOfMonth;
    /// assert!(DayOfMonth::LAST_WEEKDAY.last_weekday());
    /// assert!(!DayOfMonth::ALL.last_weekday());
    /// ```
    pub fn last_weekday(&self) -> bool {
        self.last_weekday
    }

    /// Bit `d` set for each day `d` of a month of `len` days whose first
    /// day is weekday `first` (0 = Sunday) that this field names.
    fn mask(&self, len: u8, first: u8) -> u64 {
        let in_month = month_mask(len);
        let mut mask = u64::from(self.days) & in_month;
        for n in bits(u64::from(self.from_last)) {
            if n < len {
                mask |= 1 << (len - n);
            }
        }
        let weekday_of = |day: u8| (first + day - 1) % 7;
        for day in bits(u64::from(self.nearest_weekday)) {
            if day > len {
                continue; // `31W` in a 30-day month names no day.
            }
            // The nearest weekday never leaves the month: a Saturday the 1st
            // moves to Monday the 3rd, a Sunday the last moves back to Friday.
            let nearest = match weekday_of(day) {
                6 if day == 1 => 3,
                6 => day - 1,
                0 if day == len => day - 2,
                0 => day + 1,
                _ => day,
            };
            mask |= 1 << nearest;
        }
        if self.last_weekday {
            let last = match weekday_of(len) {
                6 => len - 1,
                0 => len - 2,
                _ => len,
            };
            mask |= 1 << last;
        }
        mask
    }
}

/// The day-of-week field: weekdays plus the rules AWS cron can write.
///
/// Weekdays are numbered 0 = Sunday through 6 = Saturday here, whatever
/// the grammar they were written in.
///
/// ```
/// use cronport_core::schedule::DayOfWeek;
/// // Unix `0` and `7` both mean Sunday.
/// assert_eq!(DayOfWeek::from_weekdays([0]), DayOfWeek::from_weekdays([7]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DayOfWeek {
    /// Bit `w` (0–6): every weekday `w`.
    pub(crate) weekdays: u8,
    /// For weekday `w`, bit `k` (1–5): the `k`-th weekday `w` of the month
    /// (`w#k`).
    pub(crate) nth: [u8; 7],
    /// Bit `w` (0–6): the last weekday `w` of the month (`wL`).
    pub(crate) last: u8,
}

impl DayOfWeek {
    /// Every day of the week.
    ///
    /// ```
    /// use cronport_core::schedule::DayOfWeek;
    /// assert_eq!(DayOfWeek::ALL.weekdays().collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5, 6]);
    /// ```
    pub const ALL: DayOfWeek = DayOfWeek {
        weekdays: ALL_WEEKDAYS,
        nth: [0; 7],
        last: 0,
    };

    /// Plain weekdays, 0 = Sunday through 6 = Saturday (7 is Sunday too);
    /// other values are ignored.
    ///
    /// ```
    /// use cronport_core::schedule::DayOfWeek;
    /// assert_eq!(DayOfWeek::from_weekdays([1, 2, 3, 4, 5, 6, 7]), DayOfWeek::ALL);
    /// ```
    pub fn from_weekdays(weekdays: impl IntoIterator<Item = u8>) -> DayOfWeek {
        DayOfWeek {
            weekdays: weekdays
                .into_iter()
                .filter(|w| *w <= 7)
                .fold(0, |set, w| set | 1 << (w % 7)),
            ..DayOfWeek::default()
        }
    }

    /// The `nth` (1–5) `weekday` (0 = Sunday) of the month: AWS `w#n`.
    ///
    /// ```
    /// use cronport_core::schedule::{DayOfMonth, DayOfWeek, DayRule, Days};
    /// let second_tuesday = DayOfWeek::nth_weekday(2, 2).unwrap();
    /// assert_eq!(second_tuesday.nth_weekdays().collect::<Vec<_>>(), [(2, 2)]);
    /// assert!(Days::new(DayOfMonth::ALL, second_tuesday, DayRule::Both).matches(2024, 10, 8));
    /// assert!(DayOfWeek::nth_weekday(2, 6).is_none());
    /// ```
    pub fn nth_weekday(weekday: u8, nth: u8) -> Option<DayOfWeek> {
        let mut field = DayOfWeek::default();
        if weekday > 6 || !(1..=5).contains(&nth) {
            return None;
        }
        field.nth[weekday as usize] = 1 << nth;
        Some(field)
    }

    /// The last `weekday` (0 = Sunday) of the month: AWS `wL`.
    ///
    /// ```
    /// let last_friday = cronport_core::schedule::DayOfWeek::last_weekday_of(5).unwrap();
    /// assert_eq!(last_friday.last_weekdays().collect::<Vec<_>>(), [5]);
    /// assert!(!last_friday.is_plain() && !last_friday.is_all());
    /// assert_eq!(last_friday.weekdays().count(), 0);
    /// ```
    pub fn last_weekday_of(weekday: u8) -> Option<DayOfWeek> {
        (weekday <= 6).then(|| DayOfWeek {
            last: 1 << weekday,
            ..DayOfWeek::default()
        })
    }

    /// Whether this field names every day of the week.
    ///
    /// ```
    /// use cronport_core::schedule::DayOfWeek;
    /// assert!(DayOfWeek::from_weekdays(0..=6).is_all());
    /// assert!(!DayOfWeek::from_weekdays(1..=5).is_all());
    /// ```
    pub fn is_all(&self) -> bool {
        *self == Self::ALL
    }

    /// Whether the field uses only plain weekdays (no `#` or `L` rules).
    ///
    /// ```
    /// use cronport_core::schedule::DayOfWeek;
    /// assert!(DayOfWeek::from_weekdays(1..=5).is_plain());
    /// assert!(!DayOfWeek::nth_weekday(1, 1).unwrap().is_plain()); // MON#1
    /// ```
    pub fn is_plain(&self) -> bool {
        self.nth == [0; 7] && self.last == 0
    }

    /// The plain weekdays named, 0 = Sunday through 6 = Saturday, ascending.
    ///
    /// ```
    /// let weekend = cronport_core::schedule::DayOfWeek::from_weekdays([6, 7]);
    /// assert_eq!(weekend.weekdays().collect::<Vec<_>>(), [0, 6]); // Sunday is 0
    /// ```
    pub fn weekdays(&self) -> impl Iterator<Item = u8> + '_ {
        bits(u64::from(self.weekdays))
    }

    /// For `w#k`: each `(w, k)`, the `k`-th weekday `w` of the month.
    ///
    /// ```
    /// // The first Monday (`MON#1` in AWS): weekday 1, occurrence 1.
    /// let first_monday = cronport_core::schedule::DayOfWeek::nth_weekday(1, 1).unwrap();
    /// assert_eq!(first_monday.nth_weekdays().collect::<Vec<_>>(), [(1, 1)]);
    /// ```
    pub fn nth_weekdays(&self) -> impl Iterator<Item = (u8, u8)> + '_ {
        (0..7u8).flat_map(move |w| bits(u64::from(self.nth[w as usize])).map(move |k| (w, k)))
    }

    /// For `wL`: each weekday `w` whose last occurrence in the month is named.
    ///
    /// ```
    /// let last_sunday = cronport_core::schedule::DayOfWeek::last_weekday_of(0).unwrap();
    /// assert_eq!(last_sunday.last_weekdays().collect::<Vec<_>>(), [0]);
    /// ```
    pub fn last_weekdays(&self) -> impl Iterator<Item = u8> + '_ {
        bits(u64::from(self.last))
    }

    /// Bit `d` set for each day `d` of a month of `len` days whose first
    /// day is weekday `first` (0 = Sunday) that this field names.
    fn mask(&self, len: u8, first: u8) -> u64 {
        // Bits 0, 7, 14, 21, 28: one weekday's days, shifted into place.
        const EVERY_SEVENTH: u64 = 0x1020_4081;
        let in_month = month_mask(len);
        let first_day_of = |weekday: u8| 1 + (weekday + 7 - first) % 7;
        let mut mask = 0u64;
        for weekday in bits(u64::from(self.weekdays)) {
            mask |= EVERY_SEVENTH << first_day_of(weekday);
        }
        for (weekday, nth) in self.nth_weekdays() {
            mask |= 1 << (first_day_of(weekday) + 7 * (nth - 1));
        }
        for weekday in bits(u64::from(self.last)) {
            let first_one = first_day_of(weekday);
            mask |= 1 << (first_one + (len - first_one) / 7 * 7);
        }
        mask & in_month
    }
}

/// How the day-of-month and day-of-week fields combine.
///
/// ```
/// use cronport_core::schedule::{DayOfMonth, DayOfWeek, DayRule, Days};
/// let (dom, dow) = (DayOfMonth::from_days([1]), DayOfWeek::from_weekdays([1]));
/// // 2026-06-01 is a Monday and the 1st; 2026-06-08 is only a Monday.
/// assert!(Days::new(dom, dow, DayRule::Both).matches(2026, 6, 1));
/// assert!(!Days::new(dom, dow, DayRule::Both).matches(2026, 6, 8));
/// assert!(Days::new(dom, dow, DayRule::Either).matches(2026, 6, 8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DayRule {
    /// A day must match both fields. With one field naming every day, as in
    /// every AWS expression and most Unix ones, the other field decides.
    Both,
    /// A day must match either field: Vixie cron's rule when both fields are
    /// restricted and neither starts with `*`.
    Either,
}

/// The days a schedule runs on: both day fields and the rule that joins them.
///
/// Always normalized: a rule that would name every day is stored as both
/// fields naming every day joined by [`DayRule::Both`].
///
/// ```
/// // Unix `0 9 1 * 1`: Vixie cron joins the two day fields with OR.
/// let pattern = cronport_core::syntax::unix::parse_cron("0 9 1 * 1")?;
/// assert_eq!(pattern.days().rule(), cronport_core::schedule::DayRule::Either);
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Days {
    pub(crate) day_of_month: DayOfMonth,
    pub(crate) day_of_week: DayOfWeek,
    pub(crate) rule: DayRule,
}

impl Days {
    /// Every day.
    ///
    /// ```
    /// use cronport_core::schedule::Days;
    /// assert!(Days::EVERY.is_every_day());
    /// assert!(Days::EVERY.matches(2028, 2, 29));
    /// ```
    pub const EVERY: Days = Days {
        day_of_month: DayOfMonth::ALL,
        day_of_week: DayOfWeek::ALL,
        rule: DayRule::Both,
    };

    /// Combines the two day fields with `rule`, normalized.
    ///
    /// ```
    /// use cronport_core::schedule::{DayOfMonth, DayOfWeek, DayRule, Days};
    /// // OR with every day is every day: normalized.
    /// assert!(Days::new(DayOfMonth::ALL, DayOfWeek::from_weekdays([1]), DayRule::Either).is_every_day());
    /// let weekdays = Days::new(DayOfMonth::ALL, DayOfWeek::from_weekdays(1..=5), DayRule::Both);
    /// assert_eq!(weekdays.rule(), DayRule::Both);
    /// assert!(weekdays.day_of_month().is_all());
    /// assert_eq!(weekdays.day_of_week().weekdays().count(), 5);
    /// ```
    pub fn new(day_of_month: DayOfMonth, day_of_week: DayOfWeek, rule: DayRule) -> Days {
        let days = Days {
            day_of_month,
            day_of_week,
            rule,
        };
        // "Either" with one side naming every day names every day.
        if rule == DayRule::Either && (day_of_month.is_all() || day_of_week.is_all()) {
            return Days::EVERY;
        }
        days
    }

    /// The day-of-month field.
    ///
    /// ```
    /// let pattern = cronport_core::syntax::aws::parse_cron("cron(0 9 15 * ? *)")?;
    /// assert_eq!(pattern.days().day_of_month().days().collect::<Vec<_>>(), [15]);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn day_of_month(&self) -> &DayOfMonth {
        &self.day_of_month
    }

    /// The day-of-week field.
    ///
    /// ```
    /// let pattern = cronport_core::syntax::aws::parse_cron("cron(0 9 ? * MON *)")?;
    /// // AWS numbers Monday 2; the model numbers it 1 (Sunday = 0).
    /// assert_eq!(pattern.days().day_of_week().weekdays().collect::<Vec<_>>(), [1]);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn day_of_week(&self) -> &DayOfWeek {
        &self.day_of_week
    }

    /// How the two fields combine.
    ///
    /// ```
    /// use cronport_core::schedule::DayRule;
    /// let weekdays = cronport_core::syntax::unix::parse_cron("0 9 * * 1-5")?;
    /// assert_eq!(weekdays.days().rule(), DayRule::Both);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn rule(&self) -> DayRule {
        self.rule
    }

    /// Whether every day matches.
    ///
    /// ```
    /// let hourly = cronport_core::syntax::unix::parse_cron("0 * * * *")?;
    /// assert!(hourly.days().is_every_day());
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn is_every_day(&self) -> bool {
        *self == Days::EVERY
    }

    /// Bit `d` set for each day `d` of `month` in `year` that matches.
    pub(crate) fn month_mask(&self, year: i32, month: u8) -> u64 {
        let len = days_in_month(year, month);
        let first = weekday_from_days(days_from_civil(year, month, 1));
        let dom = self.day_of_month.mask(len, first);
        let dow = self.day_of_week.mask(len, first);
        match self.rule {
            DayRule::Both => dom & dow,
            DayRule::Either => dom | dow,
        }
    }

    /// Whether the civil date `year-month-day` matches.
    ///
    /// ```
    /// use cronport_core::schedule::{DayOfMonth, DayOfWeek, DayRule, Days};
    /// // Vixie's OR: the 1st, and every Monday.
    /// let days = Days::new(DayOfMonth::from_days([1]), DayOfWeek::from_weekdays([1]), DayRule::Either);
    /// assert!(days.matches(2026, 12, 1)); // a Tuesday, but the 1st
    /// assert!(days.matches(2026, 12, 7)); // a Monday
    /// assert!(!days.matches(2026, 12, 8));
    /// ```
    pub fn matches(&self, year: i32, month: u8, day: u8) -> bool {
        self.month_mask(year, month) & (1 << day) != 0
    }
}

/// Bits 1..=len set.
fn month_mask(len: u8) -> u64 {
    ((1u64 << (len + 1)) - 1) & !1
}

/// Ascending `values` as runs of consecutive values, `(first, last)`.
pub(crate) fn consecutive_runs(values: &[u32]) -> Vec<(u32, u32)> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &v in values {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == v => *last = v,
            _ => runs.push((v, v)),
        }
    }
    runs
}

/// The positions of the set bits of `set`, ascending.
pub(crate) fn bits(mut set: u64) -> impl Iterator<Item = u8> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let bit = set.trailing_zeros() as u8;
            set &= set - 1;
            bit
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dom(f: impl FnOnce(&mut DayOfMonth)) -> Days {
        let mut field = DayOfMonth::default();
        f(&mut field);
        Days::new(field, DayOfWeek::ALL, DayRule::Both)
    }

    fn dow(f: impl FnOnce(&mut DayOfWeek)) -> Days {
        let mut field = DayOfWeek::default();
        f(&mut field);
        Days::new(DayOfMonth::ALL, field, DayRule::Both)
    }

    fn days_of(days: &Days, year: i32, month: u8) -> Vec<u8> {
        bits(days.month_mask(year, month)).collect()
    }

    #[test]
    fn last_day_and_offsets_from_it() {
        let last = dom(|f| f.from_last = 1);
        assert_eq!(days_of(&last, 2024, 2), [29]);
        assert_eq!(days_of(&last, 2023, 2), [28]);
        assert_eq!(days_of(&last, 2100, 2), [28]);
        let three_before = dom(|f| f.from_last = 1 << 3);
        assert_eq!(days_of(&three_before, 2024, 4), [27]);
        let too_far = dom(|f| f.from_last = 1 << 30);
        assert_eq!(days_of(&too_far, 2024, 2), [] as [u8; 0]);
        assert_eq!(days_of(&too_far, 2024, 1), [1]);
    }

    #[test]
    fn nearest_weekday_stays_in_the_month() {
        // 2022-10-01 is a Saturday: 1W is Monday the 3rd, not Friday the 30th.
        let first = dom(|f| f.nearest_weekday = 1 << 1);
        assert_eq!(days_of(&first, 2022, 10), [3]);
        // 2023-04-30 is a Sunday: 30W is Friday the 28th.
        let thirtieth = dom(|f| f.nearest_weekday = 1 << 30);
        assert_eq!(days_of(&thirtieth, 2023, 4), [28]);
        // 2024-06-15 is a Saturday: 15W is Friday the 14th.
        let fifteenth = dom(|f| f.nearest_weekday = 1 << 15);
        assert_eq!(days_of(&fifteenth, 2024, 6), [14]);
        // 31W names nothing in a 30-day month.
        let thirty_first = dom(|f| f.nearest_weekday = 1 << 31);
        assert_eq!(days_of(&thirty_first, 2024, 6), [] as [u8; 0]);
    }

    #[test]
    fn last_weekday_of_month() {
        let lw = dom(|f| f.last_weekday = true);
        assert_eq!(days_of(&lw, 2024, 3), [29]); // the 31st is a Sunday
        assert_eq!(days_of(&lw, 2024, 8), [30]); // the 31st is a Saturday
        assert_eq!(days_of(&lw, 2024, 7), [31]); // a Wednesday
    }

    #[test]
    fn nth_and_last_weekday() {
        // Second Tuesday of 2024-10 is the 8th; last Friday is the 25th.
        let second_tuesday = dow(|f| f.nth[2] = 1 << 2);
        assert_eq!(days_of(&second_tuesday, 2024, 10), [8]);
        let last_friday = dow(|f| f.last = 1 << 5);
        assert_eq!(days_of(&last_friday, 2024, 10), [25]);
        // A fifth Monday exists in 2024-09 (30th) but not in 2024-10.
        let fifth_monday = dow(|f| f.nth[1] = 1 << 5);
        assert_eq!(days_of(&fifth_monday, 2024, 9), [30]);
        assert_eq!(days_of(&fifth_monday, 2024, 10), [] as [u8; 0]);
        // February 2026 starts on a Sunday and has four of each weekday.
        let last_saturday = dow(|f| f.last = 1 << 6);
        assert_eq!(days_of(&last_saturday, 2026, 2), [28]);
    }

    #[test]
    fn either_rule_is_vixie_or() {
        let first = DayOfMonth {
            days: 1 << 1,
            ..DayOfMonth::default()
        };
        let mondays = DayOfWeek {
            weekdays: 1 << 1,
            ..DayOfWeek::default()
        };
        let either = Days::new(first, mondays, DayRule::Either);
        assert_eq!(days_of(&either, 2024, 7), [1, 8, 15, 22, 29]);
        assert_eq!(days_of(&either, 2024, 8), [1, 5, 12, 19, 26]);
        let both = Days::new(first, mondays, DayRule::Both);
        assert_eq!(days_of(&both, 2024, 7), [1]);
        assert_eq!(days_of(&both, 2024, 8), [] as [u8; 0]);
        assert_eq!(
            Days::new(DayOfMonth::ALL, mondays, DayRule::Either),
            Days::EVERY
        );
    }
}
