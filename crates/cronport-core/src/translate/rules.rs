//! The EventBridge rules backend: UTC-only expressions, one set per stretch
//! of a single UTC offset (or per month, where every year shifts alike).

use jiff::{SignedDuration, Timestamp, tz::TimeZone};

use super::blocks::{self, Block};
use super::calendar::offset_changes;
use super::calendar::{
    calendar_blocks, covered_days, day_start, explicit_utc, explicit_utc_days, intersect, utc_day,
    window_years,
};
use super::shift::{self, offset_free_utc};
use super::{Duplicates, Options, Part, Placed, verify};
use crate::schedule::{Cron, DstRule, Schedule, civil_from_days, days_in_month, time_zone_name};
use crate::syntax::aws;

/// Rules: shift fixed offsets symbolically; write patterns whose UTC runs
/// are the same under every offset once; give each month its offset where
/// that holds over the window; split the rest into offset periods; list
/// what none of these can write date by date.
pub(super) fn rules_blocks(part: &Part, source: &Schedule, options: &Options) -> Placed {
    let zone = source.time_zone();
    let bounded = Some(options.until);
    let cron = match part {
        Part::Pattern(cron) => cron,
        Part::Explicit(cron, except) => {
            return Placed::local(explicit_utc(cron, *except, source, options), bounded);
        }
    };
    if let Some(offset) = fixed_offset(zone, options.from) {
        if offset % 60 == 0
            && let Some(shift) = shift::to_utc(cron, offset / 60, &window_years(options))
            && shift
                .blocks
                .iter()
                .all(|b| aws::print_cron(&b.to_cron()).is_ok())
        {
            return Placed::local(shift.blocks, shift.bounded.then_some(options.until));
        }
        return Placed::local(explicit_utc(cron, None, source, options), bounded);
    }
    // Offset-free UTC runs every wall-clock run, a repeated hour's twice:
    // a source that runs a repeated hour once (an AWS expression) is not.
    if source.dst_rule() == DstRule::Source
        && let Some(blocks) = offset_free_utc(cron, zone, options)
    {
        return Placed::local(blocks, None);
    }
    if let Some(placed) = by_month(cron, source, options) {
        return placed;
    }
    match periods(cron, source, options) {
        Some(blocks) => Placed::local(blocks, bounded),
        None => Placed::local(explicit_utc(cron, None, source, options), bounded),
    }
}

/// Rules for a zone with daylight saving time whose transitions never fall
/// in a month on a run (Santiago's 1st of the month at 00:00): each month
/// gets the offset its runs have, with no year list. Kept only if exact
/// over the window; `runs_out` is the first later instant at which it is
/// not, within 50 years.
pub(super) fn by_month(cron: &Cron, source: &Schedule, options: &Options) -> Option<Placed> {
    let zone = source.time_zone();
    let part = Schedule::new(*cron, zone.clone()).with_dst_rule(source.dst_rule());
    // The offset of each month's runs; a month with two gives up.
    let mut offset_of_month: [Option<i32>; 13] = [None; 13];
    let (first, last) = covered_days(options);
    let (mut year, mut month, _) = civil_from_days(first);
    // Every month at least once: a month the window leaves out still needs
    // its offset.
    let (last_year, last_month, _) = civil_from_days(last.max(first + 366));
    while (year, month) <= (last_year, last_month) {
        if cron.months & (1 << month) != 0 {
            let start = day_start(crate::schedule::days_from_civil(year, month, 1) - 1);
            let end = day_start(
                crate::schedule::days_from_civil(year, month, days_in_month(year, month)) + 2,
            );
            for t in part.fires_between(start, end) {
                let local = t.to_zoned_datetime(zone.clone());
                if local.month() as u8 != month {
                    continue;
                }
                let offset = local.offset().seconds();
                match offset_of_month[usize::from(month)] {
                    Some(o) if o != offset => return None,
                    _ => offset_of_month[usize::from(month)] = Some(offset),
                }
            }
        }
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    let mut months_by_offset: std::collections::BTreeMap<i32, u16> = Default::default();
    for month in 1..=12u8 {
        if let Some(offset) = offset_of_month[usize::from(month)] {
            *months_by_offset.entry(offset).or_default() |= 1 << month;
        }
    }
    let years = window_years(options);
    let mut blocks = Vec::new();
    let mut bounded = false;
    for (offset, months) in months_by_offset {
        if offset % 60 != 0 {
            return None;
        }
        let shift = shift::to_utc(&Cron { months, ..*cron }, offset / 60, &years)?;
        bounded |= shift.bounded;
        blocks.extend(shift.blocks);
    }
    let blocks = blocks::merge(blocks);
    if blocks
        .iter()
        .any(|b| aws::print_cron(&b.to_cron()).is_err())
    {
        return None;
    }
    let targets: Vec<Schedule> = blocks.iter().map(|b| Schedule::utc(b.to_cron())).collect();
    verify(
        &part,
        &targets,
        options.from,
        options.until,
        Duplicates::Reject,
    )
    .ok()?;
    let horizon = (options.until + SignedDuration::from_hours(24 * 366 * 50)).min(day_start(
        crate::schedule::days_from_civil(crate::schedule::MAX_YEAR + 1, 1, 1),
    ));
    let runs_out = if bounded {
        Some(options.until)
    } else {
        verify(&part, &targets, options.until, horizon, Duplicates::Reject)
            .err()
            .map(|c| c.instant)
    };
    let mut notes = vec![format!(
        "each month is written with the UTC offset its runs have in {}",
        time_zone_name(zone)
    )];
    if let Some(at) = runs_out.filter(|_| !bounded) {
        notes.push(format!(
            "exact until {at}, when {}'s transitions reach a run",
            time_zone_name(zone)
        ));
    }
    Some(Placed {
        local: blocks,
        runs_out,
        notes,
        ..Placed::default()
    })
}

/// The zone's offset in seconds if it never changes after `from`. (Some
/// zones list transitions that keep the offset, such as Asia/Kathmandu's
/// at the end of its 32-bit data in 2038; those do not count.)
pub(super) fn fixed_offset(zone: &TimeZone, from: Timestamp) -> Option<i32> {
    let offset = zone.to_offset(from);
    zone.following(from)
        .take(1000)
        .all(|tr| tr.offset() == offset)
        .then_some(offset.seconds())
}

/// Rules for a zone with offset changes: each offset period's UTC days
/// carry that period's shifted pattern; the days with a transition (and the
/// first and last day) are listed explicitly. `None` when a period's shift
/// is not writable.
pub(super) fn periods(cron: &Cron, source: &Schedule, options: &Options) -> Option<Vec<Block>> {
    let zone = source.time_zone();
    let years = window_years(options);
    let part = Schedule::new(*cron, zone.clone()).with_dst_rule(source.dst_rule());
    let (first, last) = covered_days(options);
    let (start, end) = (day_start(first), day_start(last + 1));
    // Offset periods over the covered days, each with its shifted pattern.
    let mut cuts = vec![start];
    cuts.extend(offset_changes(zone, start, end));
    let mut shifted = Vec::with_capacity(cuts.len());
    for &cut in &cuts {
        let offset = zone.to_offset(cut).seconds();
        if offset % 60 != 0 {
            return None;
        }
        shifted.push(shift::to_utc(cron, offset / 60, &years)?.blocks);
    }
    // Each period's whole UTC days. A day with a transition goes to the
    // period before or after if its runs are exactly that period's, and is
    // listed explicitly otherwise.
    let mut ranges: Vec<(i64, i64)> = Vec::with_capacity(cuts.len());
    let mut explicit_days = Vec::new();
    for (i, &cut) in cuts.iter().enumerate() {
        let last_day = match cuts.get(i + 1) {
            Some(&next) => utc_day(next),
            None => last,
        };
        let first_day = if i == 0 { first } else { utc_day(cut) };
        ranges.push((first_day, last_day));
    }
    for i in 1..cuts.len() {
        let day = utc_day(cuts[i]);
        let actual: Vec<Timestamp> = part
            .fires_between(day_start(day), day_start(day + 1))
            .collect();
        let runs_of = |blocks: &[Block]| {
            let mut runs: Vec<Timestamp> = blocks
                .iter()
                .flat_map(|b| {
                    Schedule::utc(b.to_cron())
                        .fires_between(day_start(day), day_start(day + 1))
                        .collect::<Vec<_>>()
                })
                .collect();
            runs.sort_unstable();
            runs
        };
        if runs_of(&shifted[i - 1]) == actual {
            ranges[i].0 = day + 1;
        } else if runs_of(&shifted[i]) == actual {
            ranges[i - 1].1 = day - 1;
        } else {
            ranges[i - 1].1 = day - 1;
            ranges[i].0 = day + 1;
            explicit_days.push(day);
        }
    }
    let mut blocks = Vec::new();
    for (i, &(first_day, last_day)) in ranges.iter().enumerate() {
        if first_day > last_day {
            continue;
        }
        for cal in calendar_blocks(first_day, last_day) {
            for block in &shifted[i] {
                blocks.extend(intersect(block, &cal));
            }
        }
    }
    for day in explicit_days {
        blocks.extend(explicit_utc_days(cron, None, source, day, day));
    }
    if blocks
        .iter()
        .any(|b| aws::print_cron(&b.to_cron()).is_err())
    {
        return None;
    }
    Some(blocks)
}
