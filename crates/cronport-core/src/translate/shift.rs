//! Moving a wall-clock pattern to UTC by a fixed offset, symbolically.
//!
//! Local time `t` on day `D` is UTC time `t - offset`, which may fall on the
//! day before (positive offsets) or after (negative ones). The times of day
//! split by that carry; for each carry the day rule is moved by one day,
//! with the month (and year) carries that implies: the 1st at 08:30 in
//! Tokyo is the last day of the previous month at 23:30 UTC, which AWS
//! writes `L`. Shapes AWS cannot write after the move return `None`, and
//! the caller expands them explicitly instead.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use jiff::tz::TimeZone;

use super::Options;
use super::blocks::{self, Block, DayPart, all_months, group_hours_by_minutes, rotate_months};
use super::calendar::{covered_days, day_start, lookahead_end, offset_changes, window_years};
use crate::schedule::{Cron, Years, bits, days_in_month};
use crate::syntax::aws;

/// A shift: the blocks, and whether they name years of the window that the
/// pattern did not (leap or common years), so hold only within it.
pub(crate) struct Shifted {
    pub blocks: Vec<Block>,
    pub bounded: bool,
}

/// The blocks that fire, in UTC, when `cron` fires on a wall clock
/// `offset_minutes` ahead of UTC, with `window` the years a year list may
/// name. `None` when a shape does not survive.
pub(crate) fn to_utc(
    cron: &Cron,
    offset_minutes: i32,
    window: &RangeInclusive<i32>,
) -> Option<Shifted> {
    let day = DayPart::of(&cron.days)?;
    // carry (-1, 0, +1) → UTC hour → minutes
    let mut by_carry: BTreeMap<i32, BTreeMap<u8, u64>> = BTreeMap::new();
    for hour in bits(u64::from(cron.hours)) {
        for minute in bits(cron.minutes) {
            let t = i32::from(hour) * 60 + i32::from(minute) - offset_minutes;
            let carry = t.div_euclid(1440);
            let utc = t.rem_euclid(1440);
            *by_carry
                .entry(carry)
                .or_default()
                .entry((utc / 60) as u8)
                .or_default() |= 1 << (utc % 60);
        }
    }
    let mut blocks = Vec::new();
    let mut bounded = false;
    for (carry, hours) in by_carry {
        let (days, carry_bounded) = shift_days(day, cron.months, cron.years, carry, window)?;
        bounded |= carry_bounded;
        for (minutes, hours) in group_hours_by_minutes(hours) {
            for &(day, months, years) in &days {
                blocks.push(Block {
                    minutes,
                    hours,
                    day,
                    months,
                    years,
                });
            }
        }
    }
    Some(Shifted { blocks, bounded })
}

type DayShape = (DayPart, u16, Option<Years>);

/// The UTC days on which local days `day` in `months`/`years` fall, moved
/// by `carry` days, and whether they name years of `window`.
fn shift_days(
    day: DayPart,
    months: u16,
    years: Option<Years>,
    carry: i32,
    window: &RangeInclusive<i32>,
) -> Option<(Vec<DayShape>, bool)> {
    const EVERY_DAY: u32 = crate::schedule::DayOfMonth::ALL.days;
    if carry == 0 {
        return Some((vec![(day, months, years)], false));
    }
    let unrestricted = all_months(months) && years.is_none();
    let back = carry < 0;
    match day {
        // Every day, or weekdays, with no month or year rule: every day
        // moves to every day, each weekday to its neighbour.
        DayPart::Dom(EVERY_DAY) if unrestricted => Some((vec![(day, months, years)], false)),
        DayPart::Dow(weekdays) if unrestricted => {
            let rotated = if back {
                (weekdays >> 1) | ((weekdays & 1) << 6)
            } else {
                ((weekdays << 1) & 0x7F) | (weekdays >> 6)
            };
            Some((vec![(DayPart::Dow(rotated), months, years)], false))
        }
        DayPart::Dow(_) => None,
        DayPart::Dom(days) => Some(shift_dates(days, months, years, back, window)),
        DayPart::Rule(_) => shift_last_day(day, months, years, back).map(|s| (s, false)),
    }
}

/// The years a moved date falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum YearsOf {
    /// Every year the pattern names.
    All,
    /// Its leap years only (29 February, and what 28 February becomes).
    Leap,
    /// Its common years only.
    Common,
}

/// Plain days of the month moved one day back or forward, month by month:
/// a day moves within its month unless it is the month's first (back) or
/// last (forward), and a day only some years have moves in those years.
fn shift_dates(
    days: u32,
    months: u16,
    years: Option<Years>,
    back: bool,
    window: &RangeInclusive<i32>,
) -> (Vec<DayShape>, bool) {
    // (which years, year carry, month) → days of that month.
    let mut moved: BTreeMap<(YearsOf, i32, u8), u32> = BTreeMap::new();
    let mut add = |of: YearsOf, year_carry: i32, month: u8, day_bits: u32| {
        if day_bits != 0 {
            *moved.entry((of, year_carry, month)).or_default() |= day_bits;
        }
    };
    let has = |d: u8| days & (1 << d) != 0;
    // Days 1..=n.
    let upto = |n: u8| (((1u64 << (n + 1)) - 1) as u32) & !1;
    let mut to_last_day: u16 = 0;
    let mut january_to_last_day = false;
    for month in bits(u64::from(months)) {
        // Common-year lengths; February's 29th is handled on its own.
        let length = days_in_month(2001, month);
        if back {
            // Days 2..=length move to the day before; the 1st to the last
            // day of the month before.
            add(YearsOf::All, 0, month, (days & upto(length) & !0b10) >> 1);
            if month == 2 && has(29) {
                add(YearsOf::Leap, 0, 2, 1 << 28);
            }
            if has(1) {
                if month == 1 {
                    january_to_last_day = true;
                } else {
                    to_last_day |= 1 << (month - 1);
                }
            }
        } else {
            add(YearsOf::All, 0, month, (days & upto(length - 1)) << 1);
            let (next, year_carry) = if month == 12 { (1, 1) } else { (month + 1, 0) };
            if month == 2 {
                // 28 February is followed by the 29th in leap years and by
                // 1 March in common years; the 29th by 1 March.
                if has(28) {
                    add(YearsOf::Leap, 0, 2, 1 << 29);
                }
                match (has(28), has(29)) {
                    (true, true) => add(YearsOf::All, 0, 3, 0b10),
                    (true, false) => add(YearsOf::Common, 0, 3, 0b10),
                    (false, true) => add(YearsOf::Leap, 0, 3, 0b10),
                    (false, false) => {}
                }
            } else if has(length) {
                add(YearsOf::All, year_carry, next, 0b10);
            }
        }
    }
    // Months that share their moved days become one shape.
    let mut shapes: BTreeMap<(u32, YearsOf, i32), u16> = BTreeMap::new();
    for ((of, year_carry, month), day_bits) in moved {
        *shapes.entry((day_bits, of, year_carry)).or_default() |= 1 << month;
    }
    let mut out = Vec::new();
    let mut bounded = false;
    for ((day_bits, of, year_carry), months) in shapes {
        if let Some(years) = years_of(of, year_carry, years, window, &mut bounded) {
            out.push((DayPart::Dom(day_bits), months, years));
        }
    }
    if to_last_day != 0 {
        out.push((last_day_rule(0), to_last_day, years));
    }
    if january_to_last_day
        && let Some(years) = years_of(YearsOf::All, -1, years, window, &mut bounded)
    {
        out.push((last_day_rule(0), 1 << 12, years));
    }
    (out, bounded)
}

/// The year rule of a moved shape: the pattern's years moved by
/// `year_carry`, limited to leap or common years (of the window, when the
/// pattern names every year). `None` when no year is left.
fn years_of(
    of: YearsOf,
    year_carry: i32,
    years: Option<Years>,
    window: &RangeInclusive<i32>,
    bounded: &mut bool,
) -> Option<Option<Years>> {
    let base: Option<Years> = years.map(|y| y.iter().map(|year| year + year_carry).collect());
    let keep = |year: &i32| match of {
        YearsOf::All => true,
        YearsOf::Leap => crate::schedule::is_leap_year(*year),
        YearsOf::Common => !crate::schedule::is_leap_year(*year),
    };
    let limited = match (of, base) {
        (YearsOf::All, base) => base,
        (_, Some(base)) => Some(base.iter().filter(keep).collect()),
        (_, None) => {
            *bounded = true;
            Some(window.clone().filter(keep).collect())
        }
    };
    match limited {
        Some(y) if y.is_empty() => None,
        other => Some(other),
    }
}

/// `L-n` moves to `L-(n+1)` (back) or `L-(n-1)` (forward); `L` forward is
/// the 1st of the next month.
fn shift_last_day(
    day: DayPart,
    months: u16,
    years: Option<Years>,
    back: bool,
) -> Option<Vec<DayShape>> {
    let days = day.days();
    let dom = days.day_of_month;
    if !days.day_of_week.is_all() || !dom.is_plain_last() {
        return None;
    }
    let n = dom.from_last.trailing_zeros() as u8;
    match (back, n) {
        // L-27 is always in the month; L-28 and beyond are not in February.
        (true, n) if n < 27 => Some(vec![(last_day_rule(n + 1), months, years)]),
        (true, _) => None,
        (false, 0) => {
            if years.is_some() && months & (1 << 12) != 0 {
                return None;
            }
            Some(vec![(
                DayPart::Dom(1 << 1),
                rotate_months(months, true),
                years,
            )])
        }
        (false, n) => Some(vec![(last_day_rule(n - 1), months, years)]),
    }
}

fn last_day_rule(n: u8) -> DayPart {
    let cron_days = crate::schedule::DayOfMonth::from_last(n).expect("n is at most 30");
    DayPart::of(&crate::schedule::Days::new(
        cron_days,
        crate::schedule::DayOfWeek::ALL,
        crate::schedule::DayRule::Both,
    ))
    .expect("an L rule is one AWS day part")
}

/// The pattern's UTC blocks if they are the same under every offset the
/// zone uses over the window (an hourly job under whole-hour offsets,
/// every 15 minutes under half-hour ones), so that no offset period needs
/// its own.
pub(super) fn offset_free_utc(
    cron: &Cron,
    zone: &TimeZone,
    options: &Options,
) -> Option<Vec<Block>> {
    let (first, _) = covered_days(options);
    // The offsets of the window and of the year after it: the output has
    // no year list, so it must hold past the window too.
    let mut offsets = vec![zone.to_offset(day_start(first)).seconds()];
    offsets.extend(
        offset_changes(zone, day_start(first), lookahead_end(options))
            .into_iter()
            .map(|t| zone.to_offset(t).seconds()),
    );
    offsets.sort_unstable();
    offsets.dedup();
    let years = window_years(options);
    let shifted: Vec<Vec<Block>> = offsets
        .iter()
        .map(|o| {
            let shift = (o % 60 == 0)
                .then(|| to_utc(cron, o / 60, &years))
                .flatten()?;
            (!shift.bounded).then(|| blocks::merge(shift.blocks))
        })
        .collect::<Option<_>>()?;
    (shifted.windows(2).all(|w| w[0] == w[1])
        && shifted[0]
            .iter()
            .all(|b| aws::print_cron(&b.to_cron()).is_ok()))
    .then(|| shifted[0].clone())
}
