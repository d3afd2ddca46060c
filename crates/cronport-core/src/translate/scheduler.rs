//! The EventBridge Scheduler backend: expressions in the source's own zone,
//! under Scheduler's daylight-saving rule (a repeated wall time runs once).

use jiff::{SignedDuration, Timestamp, tz::TimeZone};

use super::blocks::{self, Block};
use super::calendar::lookahead_end;
use super::calendar::{covered_days, day_start, excluded, explicit_civil, utc_civil};
use super::shift::offset_free_utc;
use super::{Options, Part, Placed};
use crate::schedule::{DstRule, Schedule, time_zone_name};
use crate::syntax::aws;

/// Scheduler: the pattern in its zone when AWS can write it, otherwise
/// explicit wall-clock dates over the horizon (bounded). Where the source
/// rule runs a repeated wall time twice and EventBridge Scheduler's rule
/// once, the pattern is written in UTC if its runs do not depend on the
/// zone's offset, and the second pass is added in UTC otherwise.
pub(super) fn scheduler_blocks(part: &Part, source: &Schedule, options: &Options) -> Placed {
    let zone = source.time_zone();
    let mut placed = match part {
        Part::Pattern(cron) => match Block::of(cron) {
            Some(block) if aws::print_cron(&block.to_cron()).is_ok() => {
                Placed::local(vec![block], None)
            }
            _ => Placed::local(
                explicit_civil(cron, None, zone, options),
                Some(options.until),
            ),
        },
        Part::Explicit(cron, except) => Placed::local(
            explicit_civil(cron, *except, zone, options),
            Some(options.until),
        ),
    };
    let cron = part.cron();
    let source_part = Schedule::new(*cron, zone.clone()).with_dst_rule(source.dst_rule());
    if source_part.dst_rule() != DstRule::Source || !cron.runs_every_hour() {
        return placed;
    }
    let (first, last) = covered_days(options);
    let window_end = day_start(last + 1);
    let second_pass = |(at, end): (Timestamp, Timestamp)| -> Vec<Timestamp> {
        source_part
            .fires_between(at, end)
            .filter(|t| !excluded(part.except(), *t, zone))
            .collect()
    };
    let repeated: Vec<Timestamp> = folds(zone, day_start(first), window_end)
        .into_iter()
        .flat_map(second_pass)
        .collect();
    // The zone's expression holds for good only if no later fall-back
    // repeats an hour this schedule runs in: look a year past the window.
    let later = folds(zone, window_end, lookahead_end(options))
        .into_iter()
        .find_map(|fold| second_pass(fold).first().copied());
    if repeated.is_empty() && later.is_none() {
        return placed;
    }
    let zone_name = time_zone_name(zone);
    if let Part::Pattern(cron) = part
        && let Some(utc) = offset_free_utc(cron, zone, options)
    {
        return Placed {
            utc,
            notes: vec![format!(
                "written in UTC, where its runs are the same: when {zone_name} falls back, EventBridge Scheduler runs a repeated wall-clock hour once, and this schedule runs it twice"
            )],
            ..Placed::default()
        };
    }
    placed.utc = blocks::from_runs(repeated.iter().map(|&t| utc_civil(t)));
    placed.runs_out = Some(match (repeated.is_empty(), later) {
        // No repeated hour in the window: exact until the next one.
        (true, Some(at)) => at,
        _ => options.until,
    });
    placed.notes.push(if repeated.is_empty() {
        format!(
            "written in {zone_name}, exact until it next falls back: EventBridge Scheduler runs a repeated wall-clock hour once, and this schedule runs it twice; a window that reaches that day adds the second pass in UTC"
        )
    } else {
        format!(
            "the second pass through the repeated hour when {zone_name} falls back is added in UTC: EventBridge Scheduler runs a repeated wall-clock hour once, and this schedule runs it twice"
        )
    });
    placed
}

/// The repeated stretches `[transition, transition + fold)` of the zone's
/// fall-back transitions in `[from, until)`.
pub(super) fn folds(
    zone: &TimeZone,
    from: Timestamp,
    until: Timestamp,
) -> Vec<(Timestamp, Timestamp)> {
    let tick = SignedDuration::from_nanos(1);
    zone.following(from)
        .take_while(|tr| tr.timestamp() < until)
        .filter_map(|tr| {
            let at = tr.timestamp();
            let fold = zone.to_offset(at - tick).seconds() - tr.offset().seconds();
            (fold > 0).then(|| (at, at + SignedDuration::from_secs(i64::from(fold))))
        })
        .collect()
}
