//! Blocks: the product sets one AWS cron expression can write, built from
//! explicit runs or from shifted patterns, and merged into as few as
//! possible.
//!
//! A block is minutes × hours × days × months × years. Two blocks that differ
//! in one coordinate only are one block with that coordinate's union
//! (A×B ∪ A×C = A×(B∪C)), so merging never changes the set of runs.

use std::collections::{BTreeMap, HashMap};

use crate::schedule::{ALL_MONTHS, Cron, DayOfMonth, DayOfWeek, DayRule, Days, Years, bits};

/// The day coordinate of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum DayPart {
    /// Plain days of the month (bits 1–31; all of them is every day).
    Dom(u32),
    /// Plain weekdays (bits 0–6, Sunday = 0).
    Dow(u8),
    /// One AWS special rule (`L`, `L-n`, `W`, `LW`, `#`, `nL`), kept as is.
    Rule(DayRuleKey),
}

/// A special day rule, ordered and hashed by its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DayRuleKey {
    from_last: u32,
    nearest_weekday: u32,
    last_weekday: bool,
    nth: [u8; 7],
    last: u8,
}

const EVERY_DAY: u32 = crate::schedule::DayOfMonth::ALL.days;

impl DayPart {
    /// The day part of `days`, if one AWS expression can write it.
    pub(crate) fn of(days: &Days) -> Option<DayPart> {
        let (dom, dow) = (days.day_of_month, days.day_of_week);
        if days.rule == DayRule::Either {
            return None;
        }
        match (dom.is_all(), dow.is_all()) {
            (true, _) if dow.is_plain() => Some(normalize(DayPart::Dow(dow.weekdays))),
            (_, true) if dom.is_plain() => Some(DayPart::Dom(dom.days)),
            (true, _) | (_, true) => Some(DayPart::Rule(DayRuleKey {
                from_last: dom.from_last,
                nearest_weekday: dom.nearest_weekday,
                last_weekday: dom.last_weekday,
                nth: dow.nth,
                last: dow.last,
            })),
            (false, false) => None,
        }
    }

    pub(crate) fn days(self) -> Days {
        match self {
            DayPart::Dom(d) => Days::new(
                DayOfMonth {
                    days: d,
                    ..DayOfMonth::default()
                },
                DayOfWeek::ALL,
                DayRule::Both,
            ),
            DayPart::Dow(w) => Days::new(
                DayOfMonth::ALL,
                DayOfWeek {
                    weekdays: w,
                    ..DayOfWeek::default()
                },
                DayRule::Both,
            ),
            DayPart::Rule(r) => {
                let dom = DayOfMonth {
                    days: 0,
                    from_last: r.from_last,
                    nearest_weekday: r.nearest_weekday,
                    last_weekday: r.last_weekday,
                };
                let dow = DayOfWeek {
                    weekdays: 0,
                    nth: r.nth,
                    last: r.last,
                };
                if dom == DayOfMonth::default() {
                    Days::new(DayOfMonth::ALL, dow, DayRule::Both)
                } else {
                    Days::new(dom, DayOfWeek::ALL, DayRule::Both)
                }
            }
        }
    }
}

/// Every day is written `Dom(all)`, whichever field said it.
fn normalize(part: DayPart) -> DayPart {
    match part {
        DayPart::Dow(0x7F) => DayPart::Dom(EVERY_DAY),
        other => other,
    }
}

/// One AWS-writable product of sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Block {
    pub minutes: u64,
    pub hours: u32,
    pub day: DayPart,
    pub months: u16,
    pub years: Option<Years>,
}

impl Block {
    /// The block of a pattern one AWS expression can write.
    pub(crate) fn of(cron: &Cron) -> Option<Block> {
        Some(Block {
            minutes: cron.minutes,
            hours: cron.hours,
            day: DayPart::of(&cron.days)?,
            months: cron.months,
            years: cron.years,
        })
    }

    pub(crate) fn to_cron(self) -> Cron {
        Cron {
            minutes: self.minutes,
            hours: self.hours,
            days: self.day.days(),
            months: self.months,
            years: self.years.filter(|y| !y.is_all()),
        }
    }
}

/// The longest expression EventBridge takes (`ScheduleExpression`, for
/// rules and Scheduler alike, in botocore's models).
pub(crate) const MAX_EXPRESSION_LEN: usize = 256;

/// `block` as blocks whose expressions fit in
/// [`MAX_EXPRESSION_LEN`] characters: a long one is halved on its
/// longest list (years, then days, months, hours, minutes) until each half
/// fits. The halves partition the runs, so none is lost or doubled.
pub(crate) fn within_length(block: Block) -> Vec<Block> {
    let fits = |b: &Block| {
        crate::syntax::aws::print_cron(&b.to_cron()).map_or(true, |t| t.len() <= MAX_EXPRESSION_LEN)
    };
    if fits(&block) {
        return vec![block];
    }
    let halves = |bits: u64| -> Option<(u64, u64)> {
        let ones: Vec<u8> = crate::schedule::bits(bits).collect();
        (ones.len() > 1).then(|| {
            let low = ones[..ones.len() / 2]
                .iter()
                .fold(0u64, |acc, b| acc | 1 << b);
            (low, bits & !low)
        })
    };
    let split: Option<(Block, Block)> = if let Some(years) = block.years
        && let list = years.iter().collect::<Vec<i32>>()
        && list.len() > 1
    {
        let (low, high) = list.split_at(list.len() / 2);
        Some((
            Block {
                years: Some(low.iter().copied().collect()),
                ..block
            },
            Block {
                years: Some(high.iter().copied().collect()),
                ..block
            },
        ))
    } else if let DayPart::Dom(days) = block.day
        && let Some((a, b)) = halves(u64::from(days))
    {
        Some((
            Block {
                day: DayPart::Dom(a as u32),
                ..block
            },
            Block {
                day: DayPart::Dom(b as u32),
                ..block
            },
        ))
    } else if let Some((a, b)) = halves(u64::from(block.months)) {
        Some((
            Block {
                months: a as u16,
                ..block
            },
            Block {
                months: b as u16,
                ..block
            },
        ))
    } else if let Some((a, b)) = halves(u64::from(block.hours)) {
        Some((
            Block {
                hours: a as u32,
                ..block
            },
            Block {
                hours: b as u32,
                ..block
            },
        ))
    } else {
        halves(block.minutes).map(|(a, b)| {
            (
                Block {
                    minutes: a,
                    ..block
                },
                Block {
                    minutes: b,
                    ..block
                },
            )
        })
    };
    match split {
        Some((a, b)) => within_length(a)
            .into_iter()
            .chain(within_length(b))
            .collect(),
        // One value in every field is always short.
        None => vec![block],
    }
}

/// Explicit blocks for runs given as civil `(year, month, day, minute of
/// day)`: one block per date and group of hours sharing their minutes,
/// then merged.
pub(crate) fn from_runs(runs: impl IntoIterator<Item = (i32, u8, u8, u16)>) -> Vec<Block> {
    // date → hour → minutes
    let mut by_date: BTreeMap<(i32, u8, u8), BTreeMap<u8, u64>> = BTreeMap::new();
    for (y, m, d, minute_of_day) in runs {
        let hours = by_date.entry((y, m, d)).or_default();
        *hours.entry((minute_of_day / 60) as u8).or_default() |= 1 << (minute_of_day % 60);
    }
    let mut blocks = Vec::new();
    for ((y, m, d), hours) in by_date {
        for (minutes, hours) in group_hours_by_minutes(hours) {
            blocks.push(Block {
                minutes,
                hours,
                day: DayPart::Dom(1 << d),
                months: 1 << m,
                years: Some([y].into_iter().collect()),
            });
        }
    }
    merge(blocks)
}

/// Hours with identical minute sets, grouped: (minutes, hours) products.
pub(crate) fn group_hours_by_minutes(hours: BTreeMap<u8, u64>) -> Vec<(u64, u32)> {
    let mut groups: BTreeMap<u64, u32> = BTreeMap::new();
    for (hour, minutes) in hours {
        *groups.entry(minutes).or_default() |= 1 << hour;
    }
    groups.into_iter().collect()
}

/// The coordinates merging may union.
#[derive(Clone, Copy)]
enum Coordinate {
    Day,
    Months,
    Years,
    Hours,
    Minutes,
}

/// Merges blocks that differ in a single coordinate until none do.
pub(crate) fn merge(mut blocks: Vec<Block>) -> Vec<Block> {
    blocks.sort_by_key(sort_key);
    blocks.dedup();
    loop {
        let before = blocks.len();
        for coordinate in [
            Coordinate::Day,
            Coordinate::Months,
            Coordinate::Years,
            Coordinate::Hours,
            Coordinate::Minutes,
        ] {
            blocks = merge_on(blocks, coordinate);
        }
        if blocks.len() == before {
            blocks.sort_by_key(sort_key);
            return blocks;
        }
    }
}

fn sort_key(b: &Block) -> (Option<[i32; 1]>, u16, DayPart, u32, u64) {
    (
        b.years.map(|y| [y.iter().next().unwrap_or(0)]),
        b.months,
        b.day,
        b.hours,
        b.minutes,
    )
}

fn merge_on(blocks: Vec<Block>, coordinate: Coordinate) -> Vec<Block> {
    // Blocks are grouped by everything but `coordinate` (with that
    // coordinate blanked out in the key), keeping first-seen order.
    let mut index: HashMap<Block, usize> = HashMap::new();
    let mut merged: Vec<Block> = Vec::new();
    for block in blocks {
        let mut key = block;
        match coordinate {
            Coordinate::Day => match block.day {
                DayPart::Dom(_) => key.day = DayPart::Dom(0),
                DayPart::Dow(_) => key.day = DayPart::Dow(0),
                DayPart::Rule(_) => {}
            },
            Coordinate::Months => key.months = 0,
            Coordinate::Years => key.years = Some(Years::EMPTY),
            Coordinate::Hours => key.hours = 0,
            Coordinate::Minutes => key.minutes = 0,
        }
        match index.get(&key) {
            None => {
                index.insert(key, merged.len());
                merged.push(block);
            }
            Some(&i) => {
                let into = &mut merged[i];
                match coordinate {
                    Coordinate::Day => {
                        into.day = match (into.day, block.day) {
                            (DayPart::Dom(a), DayPart::Dom(b)) => DayPart::Dom(a | b),
                            (DayPart::Dow(a), DayPart::Dow(b)) => normalize(DayPart::Dow(a | b)),
                            (same, _) => same,
                        }
                    }
                    Coordinate::Months => into.months |= block.months,
                    Coordinate::Years => {
                        into.years = match (into.years, block.years) {
                            (Some(a), Some(b)) => Some(a.union(&b)),
                            _ => None,
                        }
                    }
                    Coordinate::Hours => into.hours |= block.hours,
                    Coordinate::Minutes => into.minutes |= block.minutes,
                }
            }
        }
    }
    merged
}

/// Months shifted by one: `forward` sends December to January.
pub(crate) fn rotate_months(months: u16, forward: bool) -> u16 {
    bits(u64::from(months)).fold(0, |set, m| {
        let to = match (forward, m) {
            (true, 12) => 1,
            (true, m) => m + 1,
            (false, 1) => 12,
            (false, m) => m - 1,
        };
        set | 1 << to
    })
}

/// Whether `months` is every month.
pub(crate) fn all_months(months: u16) -> bool {
    months == ALL_MONTHS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_dates_into_one_block_per_shape() {
        // Every day of March 2027 at 13:30: one block.
        let runs = (1..=31).map(|d| (2027, 3, d, 13 * 60 + 30));
        let blocks = from_runs(runs);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].day, DayPart::Dom(EVERY_DAY));
        // The 1st of every month of 2027 and 2028 at 00:00: one block.
        let runs = (2027..=2028).flat_map(|y| (1..=12).map(move |m| (y, m, 1, 0)));
        let blocks = from_runs(runs);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].months, ALL_MONTHS);
    }

    #[test]
    fn rotates_months_with_the_year_end() {
        assert_eq!(rotate_months(1 << 12, true), 1 << 1);
        assert_eq!(rotate_months(1 << 1, false), 1 << 12);
    }
}
