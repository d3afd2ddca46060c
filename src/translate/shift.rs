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

use super::blocks::{Block, DayPart, all_months, group_hours_by_minutes, rotate_months};
use crate::schedule::{Cron, bits};

/// The blocks that fire, in UTC, when `cron` fires on a wall clock
/// `offset_minutes` ahead of UTC. `None` when a shape does not survive.
pub(crate) fn to_utc(cron: &Cron, offset_minutes: i32) -> Option<Vec<Block>> {
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
    for (carry, hours) in by_carry {
        let days = shift_days(day, cron.months, cron.years, carry)?;
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
    Some(blocks)
}

type DayShape = (DayPart, u16, Option<crate::schedule::Years>);

/// The UTC days on which local days `day` in `months`/`years` fall, moved
/// by `carry` days.
fn shift_days(
    day: DayPart,
    months: u16,
    years: Option<crate::schedule::Years>,
    carry: i32,
) -> Option<Vec<DayShape>> {
    const EVERY_DAY: u32 = crate::schedule::DayOfMonth::ALL.days;
    if carry == 0 {
        return Some(vec![(day, months, years)]);
    }
    let unrestricted = all_months(months) && years.is_none();
    let back = carry < 0;
    match day {
        // Every day, or weekdays, with no month or year rule: every day
        // moves to every day, each weekday to its neighbour.
        DayPart::Dom(EVERY_DAY) if unrestricted => Some(vec![(day, months, years)]),
        DayPart::Dow(weekdays) if unrestricted => {
            let rotated = if back {
                (weekdays >> 1) | ((weekdays & 1) << 6)
            } else {
                ((weekdays << 1) & 0x7F) | (weekdays >> 6)
            };
            Some(vec![(DayPart::Dow(rotated), months, years)])
        }
        DayPart::Dom(EVERY_DAY) | DayPart::Dow(_) => None,
        DayPart::Dom(days) if back => {
            let mut shapes = Vec::new();
            // Days 2–31 move to the day before, in the same month.
            let earlier = (days >> 1) & !1;
            if earlier != 0 {
                shapes.push((DayPart::Dom(earlier), months, years));
            }
            // The 1st moves to the last day of the month before; January's
            // to December of the year before, which a year rule cannot say.
            if days & 0b10 != 0 {
                if years.is_some() && months & 0b10 != 0 {
                    return None;
                }
                shapes.push((last_day_rule(0), rotate_months(months, false), years));
            }
            Some(shapes)
        }
        DayPart::Dom(days) => {
            // Days 1–27 are never a month's last day, so they move to the
            // next day in the same month; later days may or may not.
            if days >> 28 != 0 {
                return None;
            }
            Some(vec![(DayPart::Dom(days << 1), months, years)])
        }
        DayPart::Rule(_) => shift_last_day(day, months, years, back),
    }
}

/// `L-n` moves to `L-(n+1)` (back) or `L-(n-1)` (forward); `L` forward is
/// the 1st of the next month.
fn shift_last_day(
    day: DayPart,
    months: u16,
    years: Option<crate::schedule::Years>,
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
