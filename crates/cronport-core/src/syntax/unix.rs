//! Unix cron as Vixie cron reads it: five fields, names, lists, ranges,
//! steps, Sunday as 0 or 7, and the `@hourly` … `@annually` macros.
//!
//! When both day fields are restricted and neither starts with `*`, a day
//! matches if *either* field does (`0 12 1 * 1` runs on the 1st and on every
//! Monday); when either starts with `*`, a day must match both.
//!
//! ```
//! use cronport_core::syntax::unix;
//!
//! let weekdays = unix::parse("30 14 * * MON-FRI")?;
//! assert_eq!(unix::print(&weekdays)?, "30 14 * * 1-5");
//! assert_eq!(unix::parse("@daily")?, unix::parse("0 0 * * *")?);
//!
//! let err = unix::parse("30 14 * * 8").unwrap_err();
//! assert_eq!(err.message, "day-of-week 8 is out of range 0–7; did you mean 1?");
//! assert_eq!(err.span, 10..11);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::field::{
    self, Backwards, Body, DAY_OF_MONTH, FieldSpec, HOUR, MINUTE, MONTH, StepStyle, WEEKDAY_NAMES,
    print_set, values_of,
};
use super::{Grammar, ParseError, PrintError, span_of};
use crate::schedule::{ALL_WEEKDAYS, Cron, DayOfMonth, DayOfWeek, DayRule, Days, Pattern};

const G: Grammar = Grammar::Unix;

const DAY_OF_WEEK: FieldSpec = FieldSpec {
    name: "day-of-week",
    min: 0,
    max: 7,
    names: &WEEKDAY_NAMES,
    names_from: 0,
    hint: |v| Some(format!("did you mean {}?", v % 7)),
};

const FIELD_NAMES: [&str; 5] = ["minute", "hour", "day-of-month", "month", "day-of-week"];

const MACROS: [(&str, &str); 7] = [
    ("@hourly", "0 * * * *"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@weekly", "0 0 * * 0"),
    ("@monthly", "0 0 1 * *"),
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
];

/// Parses a Unix cron expression.
///
/// ```
/// use cronport_core::syntax::unix;
/// assert_eq!(unix::parse("0 0 * * 7")?, unix::parse("0 0 * * SUN")?);
/// assert!(unix::parse("0 0 * *").is_err()); // four fields
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
pub fn parse(input: &str) -> Result<Pattern, ParseError> {
    parse_cron(input).map(Pattern::Cron)
}

/// Parses a Unix cron expression into its [`Cron`] pattern.
///
/// ```
/// let cron = cronport_core::syntax::unix::parse_cron("15 3 * * *")?;
/// assert_eq!(cron.minutes().collect::<Vec<_>>(), [15]);
/// assert_eq!(cron.hours().collect::<Vec<_>>(), [3]);
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
pub fn parse_cron(input: &str) -> Result<Cron, ParseError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(ParseError::new(
            G,
            0..input.len(),
            "the expression is empty; write five fields such as `0 12 * * *`",
        ));
    }
    if text.starts_with('@') {
        return parse_macro(input, text);
    }
    let mut words = text.split_ascii_whitespace();
    let fields: [&str; 5] = std::array::from_fn(|_| words.next().unwrap_or(""));
    if fields[4].is_empty() || words.next().is_some() {
        let all: Vec<&str> = text.split_ascii_whitespace().collect();
        return Err(wrong_field_count(input, &all));
    }
    let minutes = plain_field(input, fields[0], &MINUTE)?;
    let hours = plain_field(input, fields[1], &HOUR)?;
    let dom = plain_field(input, fields[2], &DAY_OF_MONTH)?;
    let months = plain_field(input, fields[3], &MONTH)?;
    let mut dow = plain_field(input, fields[4], &DAY_OF_WEEK)?;
    if dow & (1 << 7) != 0 {
        dow = (dow & !(1 << 7)) | 1; // 7 is Sunday too.
    }
    // Vixie: a day field "starting with *" makes the day fields combine
    // with AND; otherwise, with both restricted, they combine with OR.
    let rule = if fields[2].starts_with('*') || fields[4].starts_with('*') {
        DayRule::Both
    } else {
        DayRule::Either
    };
    let days = Days::new(
        DayOfMonth {
            days: dom as u32,
            ..DayOfMonth::default()
        },
        DayOfWeek {
            weekdays: dow as u8,
            ..DayOfWeek::default()
        },
        rule,
    );
    Ok(Cron {
        minutes,
        hours: hours as u32,
        days,
        months: months as u16,
        years: None,
    })
}

fn parse_macro(input: &str, text: &str) -> Result<Cron, ParseError> {
    let name = text.split_ascii_whitespace().next().unwrap_or(text);
    let span = span_of(input, name);
    if let Some(extra) = text[name.len()..].split_ascii_whitespace().next() {
        return Err(ParseError::new(
            G,
            span_of(input, extra),
            format!("`{name}` stands alone; remove `{extra}`"),
        ));
    }
    let lower = name.to_ascii_lowercase();
    if lower == "@reboot" {
        return Err(ParseError::new(
            G,
            span,
            "`@reboot` runs when a machine boots, not on a schedule; AWS has no equivalent. Run the command from the container's entrypoint instead",
        ));
    }
    match MACROS.iter().find(|(m, _)| *m == lower) {
        Some((_, expansion)) => parse_cron(expansion),
        None => Err(ParseError::new(
            G,
            span,
            format!(
                "unknown macro `{name}`; use one of {}",
                MACROS.map(|(m, _)| m).join(", ")
            ),
        )),
    }
}

fn wrong_field_count(input: &str, fields: &[&str]) -> ParseError {
    let n = fields.len();
    if n > 5 {
        let extra = span_of(input, fields[5]);
        let end = span_of(input, fields[n - 1]).end;
        let message = if n == 6 {
            format!(
                "Unix cron has 5 fields (minute hour day-of-month month day-of-week); this has 6. An AWS expression needs `cron(...)` around it: `cron({})`. Cron with a seconds field is not supported",
                fields.join(" ")
            )
        } else {
            format!(
                "Unix cron has 5 fields (minute hour day-of-month month day-of-week); this has {n}"
            )
        };
        return ParseError::new(G, extra.start..end, message);
    }
    let end = input.trim_end().len();
    ParseError::new(
        G,
        end..end,
        format!(
            "Unix cron has 5 fields; this has {n}: add the {} field{}",
            FIELD_NAMES[n..].join(", "),
            if n == 4 { "" } else { "s" }
        ),
    )
}

/// The values of a field with only plain items, as a bitset.
fn plain_field(input: &str, text: &str, spec: &FieldSpec) -> Result<u64, ParseError> {
    let mut set = 0u64;
    for item in field::items(input, text, spec, G) {
        let item = item?;
        let width = spec.max - spec.min + 1;
        match spec.plain_values(input, &item, G, width, Backwards::Split)? {
            Some(values) => set |= values.bits(),
            None => return Err(not_unix(input, &item, spec)),
        }
    }
    Ok(set)
}

fn not_unix(input: &str, item: &field::Item<'_>, spec: &FieldSpec) -> ParseError {
    let what = match item.body {
        Body::Question => "`?` is AWS syntax; Unix cron writes `*` for any day".to_string(),
        Body::Last(_) | Body::LastWeekday | Body::LastOf(_) => format!(
            "`{}` (last) is AWS syntax that Unix cron does not have; use an AWS expression: `cron(...)`",
            item.text
        ),
        Body::Nearest(_) => format!(
            "`{}` (nearest weekday) is AWS syntax that Unix cron does not have; use an AWS expression: `cron(...)`",
            item.text
        ),
        Body::Nth(..) => format!(
            "`{}` (nth weekday) is AWS syntax that Unix cron does not have; use an AWS expression: `cron(...)`",
            item.text
        ),
        _ => format!("`{}` is not valid in the {} field", item.text, spec.name),
    };
    ParseError::new(G, span_of(input, item.text), what)
}

/// Prints `pattern` as canonical Unix cron: numbers, `*/n` steps, ranges.
///
/// ```
/// use cronport_core::syntax::{aws, unix};
/// assert_eq!(unix::print(&aws::parse("cron(0 9 ? * MON-FRI *)")?)?, "0 9 * * 1-5");
/// assert!(unix::print(&aws::parse("rate(5 minutes)")?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn print(pattern: &Pattern) -> Result<String, PrintError> {
    match pattern {
        Pattern::Cron(cron) => print_cron(cron),
        Pattern::Rate(_) => Err(PrintError::new(
            G,
            "a rate counts from the schedule's start; Unix cron only names wall-clock times",
        )),
        Pattern::At(_) => Err(PrintError::new(
            G,
            "a one-time schedule names a year; Unix cron has no year field",
        )),
    }
}

/// Prints a [`Cron`] pattern as canonical Unix cron.
///
/// ```
/// use cronport_core::syntax::unix;
/// assert_eq!(unix::print_cron(&unix::parse_cron("0,15,30,45 9-17 * JAN-MAR 7")?)?, "*/15 9-17 * 1-3 0");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn print_cron(cron: &Cron) -> Result<String, PrintError> {
    if cron.years.is_some() {
        return Err(PrintError::new(G, "Unix cron has no year field"));
    }
    let days = &cron.days;
    let (dom, dow) = (&days.day_of_month, &days.day_of_week);
    if !dom.is_plain() {
        return Err(PrintError::new(
            G,
            "Unix cron has no last-day (`L`) or nearest-weekday (`W`) rules",
        ));
    }
    if !dow.is_plain() {
        return Err(PrintError::new(
            G,
            "Unix cron has no nth-weekday (`#`) or last-weekday (`L`) rules",
        ));
    }
    let number = |v: u32| v.to_string();
    let dom_values = values_of(u64::from(dom.days));
    let dow_values = values_of(u64::from(dow.weekdays));
    let (dom_text, dow_text) = match days.rule {
        DayRule::Either => (
            print_set(&dom_values, 1, 31, StepStyle::Unix { star: false }, number),
            print_set(&dow_values, 0, 6, StepStyle::Unix { star: false }, number),
        ),
        DayRule::Both if dom.is_all() || dow.is_all() => (
            print_set(&dom_values, 1, 31, StepStyle::Unix { star: true }, number),
            print_set(&dow_values, 0, 6, StepStyle::Unix { star: true }, number),
        ),
        // Both fields restricted and joined by AND: Vixie does that only
        // when a field starts with `*`, whose values always include the
        // field's first (day 1, Sunday). `*/31` is just day 1 and `*/7`
        // just Sunday, so any such set can lead with one of them.
        DayRule::Both => {
            let star_led = |set: u64,
                            min: u32,
                            max: u32,
                            lone_first: &str,
                            star_step: &dyn Fn(u64) -> Option<u32>| {
                if let Some(step) = star_step(set) {
                    return Some(format!("*/{step}"));
                }
                (set & (1 << min) != 0).then(|| {
                    let rest = values_of(set & !(1 << min));
                    let rest = print_set(&rest, min, max, StepStyle::Unix { star: false }, number);
                    format!("{lone_first},{rest}")
                })
            };
            let dom_star = |set: u64| star_step(set, 1, 31);
            let dow_star = |set: u64| (2..=7).find(|&n| u64::from(vixie_weekday_step(n)) == set);
            if let Some(dom_text) = star_led(dom.days.into(), 1, 31, "*/31", &dom_star) {
                (
                    dom_text,
                    print_set(&dow_values, 0, 6, StepStyle::Unix { star: true }, number),
                )
            } else if let Some(dow_text) = star_led(dow.weekdays.into(), 0, 6, "*/7", &dow_star) {
                (
                    print_set(&dom_values, 1, 31, StepStyle::Unix { star: false }, number),
                    dow_text,
                )
            } else {
                return Err(PrintError::new(
                    G,
                    "days that must match both day-of-month and day-of-week, with neither including day 1 or Sunday; Unix cron joins two restricted day fields with OR",
                ));
            }
        }
    };
    Ok(format!(
        "{} {} {} {} {}",
        print_set(
            &values_of(cron.minutes),
            0,
            59,
            StepStyle::Unix { star: true },
            number
        ),
        print_set(
            &values_of(cron.hours.into()),
            0,
            23,
            StepStyle::Unix { star: true },
            number
        ),
        dom_text,
        print_set(
            &values_of(cron.months.into()),
            1,
            12,
            StepStyle::Unix { star: true },
            number
        ),
        dow_text,
    ))
}

/// `Some(n)` if `set` is exactly what `*/n` names in a field `min..=max`.
fn star_step(set: u64, min: u32, max: u32) -> Option<u32> {
    (2..=max - min + 1).find(|&n| {
        (min..=max)
            .step_by(n as usize)
            .fold(0u64, |s, v| s | 1 << v)
            == set
    })
}

/// The weekdays Vixie's `*/n` names: 0, n, 2n, … up to 7, with 7 as Sunday.
fn vixie_weekday_step(n: u32) -> u8 {
    (0..=7u32)
        .step_by(n as usize)
        .fold(0u8, |s, v| s | 1 << (v % 7))
        & ALL_WEEKDAYS
}
