//! Calendar arithmetic of the translation: UTC days, the window's days
//! and years, blocks of whole months and years, and patterns listed date by
//! date (explicit blocks) where no single AWS expression says them.

use jiff::{SignedDuration, Timestamp, tz::TimeZone};

use super::Options;
use super::blocks::{self, Block};
use crate::schedule::{
    Cron, DayOfMonth, DayOfWeek, DayRule, Days, Schedule, civil_from_days, days_in_month,
};

/// A UTC instant as the civil `(year, month, day, minute of day)` of
/// explicit blocks.
pub(super) fn utc_civil(t: Timestamp) -> (i32, u8, u8, u16) {
    let secs = t.as_second();
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    (y, m, d, (secs.rem_euclid(86_400) / 60) as u16)
}

/// The years a year list may name: those of the covered days.
pub(super) fn window_years(options: &Options) -> std::ops::RangeInclusive<i32> {
    let (first, last) = covered_days(options);
    civil_from_days(first).0..=civil_from_days(last).0
}

/// The UTC day number (days since 1970-01-01) of an instant.
pub(super) fn utc_day(t: Timestamp) -> i64 {
    t.as_second().div_euclid(86_400)
}

pub(super) fn day_start(day: i64) -> Timestamp {
    Timestamp::from_second(day * 86_400).unwrap_or(Timestamp::MAX)
}

/// The UTC days the output covers: the whole months (UTC) of the window.
/// Runs before `from` in its month are in the past when the output is
/// deployed; whole months keep the expressions few.
pub(super) fn covered_days(options: &Options) -> (i64, i64) {
    let first = utc_day(options.from);
    let last = utc_day(options.until - SignedDuration::from_nanos(1));
    let (_, _, day_of_month) = civil_from_days(first);
    let (year, month, _) = civil_from_days(last);
    (
        first - i64::from(day_of_month) + 1,
        crate::schedule::days_from_civil(year, month, days_in_month(year, month)),
    )
}

/// Runs of `cron` in `zone` on the UTC days `first..=last`, as explicit
/// UTC blocks, leaving out local days named by `except`.
pub(super) fn explicit_utc(
    cron: &Cron,
    except: Option<DayOfWeek>,
    source: &Schedule,
    options: &Options,
) -> Vec<Block> {
    let (first, last) = covered_days(options);
    explicit_utc_days(cron, except, source, first, last)
}

/// Runs of `cron` on the source's clock on UTC days `first..=last`.
pub(super) fn explicit_utc_days(
    cron: &Cron,
    except: Option<DayOfWeek>,
    source: &Schedule,
    first: i64,
    last: i64,
) -> Vec<Block> {
    let zone = source.time_zone();
    let schedule = Schedule::new(*cron, zone.clone()).with_dst_rule(source.dst_rule());
    let runs = schedule
        .fires_between(day_start(first), day_start(last + 1))
        .filter(|t| !excluded(except, *t, zone))
        .map(utc_civil);
    blocks::from_runs(runs)
}

/// Runs of `cron` as wall-clock dates in `zone` over the horizon, as
/// explicit blocks read in that zone.
pub(super) fn explicit_civil(
    cron: &Cron,
    except: Option<DayOfWeek>,
    zone: &TimeZone,
    options: &Options,
) -> Vec<Block> {
    let start = options.from.to_zoned_datetime(zone.clone()).date();
    let end = options.until.to_zoned_datetime(zone.clone()).date();
    let as_utc = |d: jiff::civil::Date| {
        d.to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    };
    // The same pattern in UTC enumerates wall-clock matches with no DST.
    let wall = Schedule::utc(*cron);
    let runs = wall
        .fires_between(as_utc(start), as_utc(end.tomorrow().unwrap_or(end)))
        .filter(|t| !excluded(except, *t, &TimeZone::UTC))
        .map(utc_civil);
    blocks::from_runs(runs)
}

pub(super) fn excluded(except: Option<DayOfWeek>, t: Timestamp, zone: &TimeZone) -> bool {
    except.is_some_and(|dow| {
        let date = t.to_zoned_datetime(zone.clone()).date();
        let weekday = date.weekday().to_sunday_zero_offset() as u8;
        Days::new(DayOfMonth::ALL, dow, DayRule::Both).matches(
            i32::from(date.year()),
            date.month() as u8,
            date.day() as u8,
        ) && (dow.weekdays & (1 << weekday) != 0 || !dow.is_plain())
    })
}

/// A stretch of calendar: one year's months (whole), a run of whole years,
/// or some days of one month.
#[derive(Debug, Clone, Copy)]
pub(super) struct CalendarBlock {
    years: crate::schedule::Years,
    months: u16,
    /// `None`: whole months. `Some(days)`: bits 1–31 of one month.
    days: Option<u32>,
}

/// Splits UTC days `first..=last` into calendar blocks.
pub(super) fn calendar_blocks(first: i64, last: i64) -> Vec<CalendarBlock> {
    let mut out = Vec::new();
    let mut day = first;
    while day <= last {
        let (y, m, d) = civil_from_days(day);
        let month_len = i64::from(days_in_month(y, m));
        let month_last = day - i64::from(d) + month_len;
        let years = |from: i32, to: i32| (from..=to).collect::<crate::schedule::Years>();
        if d != 1 || month_last > last {
            let to = month_last.min(last);
            let to_day = (to - day) as u8 + d;
            let days = (d..=to_day).fold(0u32, |s, x| s | 1 << x);
            out.push(CalendarBlock {
                years: years(y, y),
                months: 1 << m,
                days: Some(days),
            });
            day = to + 1;
            continue;
        }
        // Whole months from here: whole years if from January.
        let year_last = crate::schedule::days_from_civil(y, 12, 31);
        if m == 1 && year_last <= last {
            let mut y_end = y;
            while crate::schedule::days_from_civil(y_end + 1, 12, 31) <= last {
                y_end += 1;
            }
            out.push(CalendarBlock {
                years: years(y, y_end),
                months: crate::schedule::ALL_MONTHS,
                days: None,
            });
            day = crate::schedule::days_from_civil(y_end, 12, 31) + 1;
            continue;
        }
        let mut m_end = m;
        while m_end < 12
            && crate::schedule::days_from_civil(y, m_end + 1, days_in_month(y, m_end + 1)) <= last
        {
            m_end += 1;
        }
        let months = (m..=m_end).fold(0u16, |s, x| s | 1 << x);
        out.push(CalendarBlock {
            years: years(y, y),
            months,
            days: None,
        });
        day = crate::schedule::days_from_civil(y, m_end, days_in_month(y, m_end)) + 1;
    }
    out
}

/// The part of `block` inside `cal`.
pub(super) fn intersect(block: &Block, cal: &CalendarBlock) -> Option<Block> {
    let years = match block.years {
        None => cal.years,
        Some(y) => y.intersection(&cal.years),
    };
    let months = block.months & cal.months;
    if months == 0 || years.is_empty() {
        return None;
    }
    match cal.days {
        None => Some(Block {
            months,
            years: Some(years),
            ..*block
        }),
        Some(range) => {
            // One month of one year: the block's days there, written out.
            let year = years.iter().next()?;
            let month = months.trailing_zeros() as u8;
            let mask = block.day.days().month_mask(year, month) as u32 & range;
            (mask != 0).then_some(Block {
                day: blocks::DayPart::Dom(mask),
                months,
                years: Some(years),
                ..*block
            })
        }
    }
}

/// The instants after `from` at which the zone's offset changes, before
/// `until`.
pub(super) fn offset_changes(zone: &TimeZone, from: Timestamp, until: Timestamp) -> Vec<Timestamp> {
    let mut changes = Vec::new();
    let mut offset = zone.to_offset(from);
    for tr in zone.following(from) {
        if tr.timestamp() >= until {
            break;
        }
        if tr.offset() != offset {
            changes.push(tr.timestamp());
            offset = tr.offset();
        }
    }
    changes
}

/// How far past the window expressions without a year list are checked
/// against the zone's offsets and fall-backs: a year and a month, one
/// whole daylight-saving cycle.
pub(super) const BEYOND_WINDOW_DAYS: i64 = 400;

/// The end of that look past the window.
pub(super) fn lookahead_end(options: &Options) -> Timestamp {
    let (_, last) = covered_days(options);
    day_start((last + 1).saturating_add(BEYOND_WINDOW_DAYS))
}
