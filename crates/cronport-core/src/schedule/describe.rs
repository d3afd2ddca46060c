//! Schedules in English.

use super::{
    ALL_HOURS, ALL_MINUTES, ALL_MONTHS, Cron, DayRule, Days, Pattern, RateUnit, bits,
    consecutive_runs,
};

const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub(super) const MONTHS: [&str; 13] = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const ORDINALS: [&str; 6] = ["", "first", "second", "third", "fourth", "fifth"];

/// A pattern in English, without its time zone: "At 14:30 on Monday
/// through Friday".
///
/// ```
/// let p = cronport_core::syntax::unix::parse("*/10 * * * *")?;
/// assert_eq!(cronport_core::schedule::describe_pattern(&p), "Every 10 minutes");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn pattern(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Cron(cron) => describe_cron(cron),
        Pattern::Rate(rate) => {
            let unit = match rate.unit {
                RateUnit::Minutes => "minute",
                RateUnit::Hours => "hour",
                RateUnit::Days => "day",
            };
            let every = if rate.value == 1 {
                format!("Every {unit}")
            } else {
                format!("Every {} {unit}s", rate.value)
            };
            format!("{every}, counted from its start (00:00 UTC without one)")
        }
        Pattern::At(at) => format!("Once, at {}", at.strftime("%Y-%m-%d %H:%M:%S")),
    }
}

fn describe_cron(cron: &Cron) -> String {
    let (mut text, at_set_times) = time_of_day(cron.minutes, cron.hours);
    let every_day = cron.days.is_every_day() && cron.months == ALL_MONTHS && cron.years.is_none();
    if every_day && at_set_times && cron.minutes.count_ones() == 1 {
        text.push_str(" every day");
    }
    for part in [
        days(&cron.days),
        months(cron.months),
        cron.years
            .map(|y| format!("in {}", list(y.iter().map(|y| y as u32), |y| y.to_string())))
            .unwrap_or_default(),
    ] {
        if !part.is_empty() {
            text.push(' ');
            text.push_str(&part);
        }
    }
    text
}

/// The times of day in English, and whether they are set times ("At
/// 14:30") rather than a repetition ("Every 10 minutes").
fn time_of_day(minutes: u64, hours: u32) -> (String, bool) {
    let set = |text: String| (text, true);
    let every = |text: String| (text, false);
    let minute_list: Vec<u8> = bits(minutes).collect();
    let hour_list: Vec<u8> = bits(u64::from(hours)).collect();
    let every_n_minutes = step_from_zero(minutes, 60);
    let every_n_hours = step_from_zero(u64::from(hours), 24);
    let minutes_text = || list(minute_list.iter().map(|&m| u32::from(m)), |m| m.to_string());
    let hours_text = || list(hour_list.iter().map(|&h| u32::from(h)), |h| h.to_string());
    if hours == ALL_HOURS {
        return match (every_n_minutes, minute_list.as_slice()) {
            _ if minutes == ALL_MINUTES => every("Every minute".to_string()),
            (Some(n), _) => every(format!("Every {n} minutes")),
            (None, [m]) => every(format!("Every hour at :{m:02}")),
            _ => set(format!("At minutes {} past every hour", minutes_text())),
        };
    }
    match (minute_list.as_slice(), every_n_hours) {
        ([m], Some(n)) => every(format!("Every {n} hours at :{m:02}")),
        ([m], None) if hour_list.len() <= 6 => {
            let times = hour_list.iter().map(|h| format!("{h:02}:{m:02}"));
            set(format!("At {}", join(times.collect())))
        }
        ([m], None) => set(format!("At :{m:02} past hours {}", hours_text())),
        _ => {
            let during = match every_n_hours {
                Some(n) => format!("every {n} hours"),
                None if hour_list.len() == 1 => format!("hour {}", hours_text()),
                None => format!("hours {}", hours_text()),
            };
            match every_n_minutes {
                _ if minutes == ALL_MINUTES => every(format!("Every minute during {during}")),
                Some(n) => every(format!("Every {n} minutes during {during}")),
                None => set(format!("At minutes {} past {during}", minutes_text())),
            }
        }
    }
}

/// `Some(n)` if `set` is exactly {0, n, 2n, …} below `len`, with n > 1
/// dividing `len` (so the runs are evenly spaced around the clock).
fn step_from_zero(set: u64, len: u8) -> Option<u8> {
    (2..len).filter(|n| len.is_multiple_of(*n)).find(|&n| {
        let stepped = (0..len)
            .step_by(n as usize)
            .fold(0u64, |acc, v| acc | 1 << v);
        stepped == set
    })
}

fn days(days: &Days) -> String {
    if days.is_every_day() {
        return String::new();
    }
    let dom = &days.day_of_month;
    let dow = &days.day_of_week;
    let dom_text = || {
        let mut parts = Vec::new();
        let plain: Vec<u32> = dom.days().map(u32::from).collect();
        if !plain.is_empty() {
            let noun = if plain.len() == 1 { "day" } else { "days" };
            parts.push(format!(
                "{noun} {} of the month",
                list(plain.into_iter(), |d| d.to_string())
            ));
        }
        for n in dom.days_before_last() {
            parts.push(match n {
                0 => "the last day of the month".to_string(),
                1 => "the day before the last day of the month".to_string(),
                n => format!("{n} days before the last day of the month"),
            });
        }
        for d in dom.nearest_weekdays() {
            parts.push(format!("the weekday nearest day {d} of the month"));
        }
        if dom.last_weekday() {
            parts.push("the last weekday of the month".to_string());
        }
        join(parts)
    };
    let dow_text = || {
        let mut parts = Vec::new();
        let plain: Vec<u32> = dow.weekdays().map(u32::from).collect();
        if !plain.is_empty() {
            parts.push(list(plain.into_iter(), |w| {
                WEEKDAYS[w as usize].to_string()
            }));
        }
        for (w, k) in dow.nth_weekdays() {
            parts.push(format!(
                "the {} {} of the month",
                ORDINALS[k as usize], WEEKDAYS[w as usize]
            ));
        }
        for w in dow.last_weekdays() {
            parts.push(format!("the last {} of the month", WEEKDAYS[w as usize]));
        }
        join(parts)
    };
    match days.rule {
        DayRule::Both if dow.is_all() => format!("on {}", dom_text()),
        DayRule::Both if dom.is_all() => format!("on {}", dow_text()),
        DayRule::Both => format!("on {}, if it is {}", dom_text(), dow_text()),
        DayRule::Either => format!("on {} and on every {}", dom_text(), dow_text()),
    }
}

fn months(months: u16) -> String {
    if months == ALL_MONTHS {
        return String::new();
    }
    let values = bits(u64::from(months)).map(u32::from);
    format!("in {}", list(values, |m| MONTHS[m as usize].to_string()))
}

/// "1, 3 and 5 through 9": runs of three or more consecutive values become
/// ranges.
fn list(values: impl Iterator<Item = u32>, name: impl Fn(u32) -> String) -> String {
    let values: Vec<u32> = values.collect();
    let mut parts = Vec::new();
    for (first, last) in consecutive_runs(&values) {
        if last - first >= 2 {
            parts.push(format!("{} through {}", name(first), name(last)));
        } else {
            parts.extend((first..=last).map(&name));
        }
    }
    join(parts)
}

/// "a", "a and b", "a, b and c".
fn join(mut parts: Vec<String>) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}
