//! AWS schedule expressions: `cron(...)`, `rate(...)` and `at(...)`, as the
//! EventBridge and EventBridge Scheduler documentation defines them.
//!
//! `cron(minutes hours day-of-month month day-of-week year)`:
//!
//! | field | values | wildcards |
//! |---|---|---|
//! | minutes | 0–59 | `, - * /` |
//! | hours | 0–23 | `, - * /` |
//! | day-of-month | 1–31 | `, - * ? / L W` |
//! | month | 1–12 or JAN–DEC | `, - * /` |
//! | day-of-week | 1–7 or SUN–SAT (1 = Sunday) | `, - * ? L #` |
//! | year | 1970–2199 | `, - * /` |
//!
//! Exactly one of day-of-month and day-of-week is `?`. `L`, `L-n`, `nW`,
//! `LW`, `nL` and `n#k` stand alone in their field (`3#1,6#3` is two `#`
//! expressions, which AWS rejects). Whatever AWS rejects, this parser rejects
//! with the reason.
//!
//! AWS's parser also accepts forms of Quartz, on which it is modelled, that
//! the documentation leaves out, and expressions already on AWS may use
//! them. This parser reads them with Quartz's meaning; [`print()`] never
//! writes them, so canonical text stays in the documented subset:
//!
//! * ranges that wrap around the end of their field: hours `22-2` are 22,
//!   23, 0, 1 and 2; day-of-month `28-3` is 28–31 and 1–3; `NOV-FEB`,
//!   `FRI-MON` (day-of-week `6-2`). A step counts on across the seam:
//!   `22-2/2` is 22, 0 and 2. Years do not wrap: a descending year range
//!   is an error, as in Quartz;
//! * steps in day-of-week, up to 7: `*/3` (SUN, WED, SAT), `2-4/2`, `2/2`
//!   (`2/2`: from Monday to Saturday, MON, WED, FRI; a step after a day
//!   name, `MON/2`, is refused, as Quartz's implementations disagree on it);
//! * weekday names with `#` and `L`, in any case: `FRI#3`, `fril`.
//!
//! `rate(value unit)` takes a positive whole value and `minute`, `hour` or
//! `day`, singular exactly when the value is 1. `at(yyyy-mm-ddThh:mm:ss)`
//! names one wall-clock time.
//!
//! ```
//! use cronport_core::syntax::aws;
//!
//! let p = aws::parse("cron(0/15 8-17 ? * mon-fri *)")?;
//! assert_eq!(aws::print(&p)?, "cron(0/15 8-17 ? * MON-FRI *)");
//!
//! let err = aws::parse("cron(0 12 * * * *)").unwrap_err();
//! assert!(err.message.starts_with("AWS needs `?` in day-of-month or day-of-week"));
//!
//! // Quartz forms are read, and printed in the documented subset.
//! let p = aws::parse("cron(0 22-2 ? * fri-mon *)")?;
//! assert_eq!(aws::print(&p)?, "cron(0 0-2,22,23 ? * SUN,MON,FRI,SAT *)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::civil::DateTime;
use nom::{IResult, Parser, bytes::complete::take_while_m_n, character::complete::char};

use super::field::{
    self, Backwards, Body, DAY_OF_MONTH, FieldSpec, HOUR, Item, MINUTE, MONTH, StepStyle, Steps,
    WEEKDAY_NAMES, no_hint, print_set, values_of,
};
use super::{Grammar, ParseError, PrintError, span_of};
use crate::schedule::{
    Cron, DayOfMonth, DayOfWeek, DayRule, Days, MAX_YEAR, MIN_YEAR, Pattern, Rate, RateUnit, Years,
};

const G: Grammar = Grammar::Aws;

const DAY_OF_WEEK: FieldSpec = FieldSpec {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &WEEKDAY_NAMES,
    names_from: 1,
    hint: |v| {
        Some(match v {
            0 => "AWS numbers Sunday 1: did you mean 1 (SUN)?".to_string(),
            v => format!(
                "AWS numbers Sunday 1 through Saturday 7: did you mean {}?",
                (v - 1) % 7 + 1
            ),
        })
    },
};
const YEAR: FieldSpec = FieldSpec {
    name: "year",
    min: MIN_YEAR as u32,
    max: MAX_YEAR as u32,
    names: &[],
    names_from: 0,
    hint: no_hint,
};

/// Parses an AWS expression into the schedule EventBridge runs in `zone`:
/// under EventBridge Scheduler's daylight-saving rule
/// ([`DstRule::AwsScheduler`](crate::schedule::DstRule::AwsScheduler)).
///
/// ```
/// use cronport_core::{schedule::DstRule, syntax::aws};
/// let zone = jiff::tz::TimeZone::get("America/New_York")?;
/// let s = aws::schedule("cron(0 * * * ? *)", zone)?;
/// assert_eq!(s.dst_rule(), DstRule::AwsScheduler);
/// // 2026-11-01: the repeated 01:00 runs once.
/// let (from, until) = ("2026-11-01T04:30:00Z".parse()?, "2026-11-01T07:30:00Z".parse()?);
/// assert_eq!(s.fires_between(from, until).count(), 2); // 01:00 EDT, 02:00 EST
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn schedule(
    input: &str,
    zone: jiff::tz::TimeZone,
) -> Result<crate::schedule::Schedule, ParseError> {
    Ok(crate::schedule::Schedule::new(parse(input)?, zone)
        .with_dst_rule(crate::schedule::DstRule::AwsScheduler))
}

/// Parses an AWS `cron(...)`, `rate(...)` or `at(...)` expression.
///
/// ```
/// use cronport_core::{schedule::Pattern, syntax::aws};
/// assert!(matches!(aws::parse("cron(0 12 ? * MON-FRI *)")?, Pattern::Cron(_)));
/// assert!(matches!(aws::parse("rate(15 minutes)")?, Pattern::Rate(_)));
/// assert!(matches!(aws::parse("at(2027-03-01T09:00:00)")?, Pattern::At(_)));
/// // Restricting both day fields is an AWS error; the span covers both.
/// let input = "cron(0 12 1 * MON *)";
/// let err = aws::parse(input).unwrap_err();
/// assert_eq!(&input[err.span.clone()], "1 * MON");
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
pub fn parse(input: &str) -> Result<Pattern, ParseError> {
    let text = input.trim();
    let start = span_of(input, text).start;
    let open = text.find('(');
    let (keyword, inner) = match open {
        Some(i) if text.ends_with(')') && text.len() > i => {
            (&text[..i], &text[i + 1..text.len() - 1])
        }
        _ => {
            return Err(ParseError::new(
                G,
                start..start + text.len(),
                "AWS schedule expressions are `cron(...)`, `rate(...)` or `at(...)`, with the closing parenthesis",
            ));
        }
    };
    match keyword {
        "cron" => parse_cron_fields(input, inner).map(Pattern::Cron),
        "rate" => parse_rate(input, inner).map(Pattern::Rate),
        "at" => parse_at(input, inner).map(Pattern::At),
        other => Err(ParseError::new(
            G,
            span_of(input, keyword),
            if ["cron", "rate", "at"].contains(&other.to_ascii_lowercase().as_str()) {
                format!("AWS writes `{}(` in lower case", other.to_ascii_lowercase())
            } else {
                format!("unknown expression `{other}(`; AWS knows `cron(`, `rate(` and `at(`")
            },
        )),
    }
}

/// Parses an AWS `cron(...)` expression into its [`Cron`] pattern.
///
/// ```
/// let cron = cronport_core::syntax::aws::parse_cron("cron(0 8 ? * 2#1 *)")?; // the first Monday
/// assert_eq!(cron.days().day_of_week().nth_weekdays().collect::<Vec<_>>(), [(1, 1)]);
/// assert!(cronport_core::syntax::aws::parse_cron("rate(5 minutes)").is_err());
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
pub fn parse_cron(input: &str) -> Result<Cron, ParseError> {
    match parse(input)? {
        Pattern::Cron(cron) => Ok(cron),
        _ => Err(ParseError::new(
            G,
            0..input.len(),
            "expected a `cron(...)` expression",
        )),
    }
}

fn parse_cron_fields(input: &str, inner: &str) -> Result<Cron, ParseError> {
    let fields: Vec<&str> = inner.split_ascii_whitespace().collect();
    if fields.len() != 6 {
        let span = span_of(input, inner);
        let mut message = format!(
            "AWS cron has 6 fields (minutes hours day-of-month month day-of-week year); this has {}",
            fields.len()
        );
        if fields.len() == 5
            && let Ok(unix) = super::unix::parse(inner)
            && let Ok(aws) = print(&unix)
        {
            message.push_str(&format!(
                ". For the Unix expression `{inner}`, write `{aws}`"
            ));
        }
        return Err(ParseError::new(G, span, message));
    }
    let minutes = plain_bits(input, fields[0], &MINUTE, 59)?;
    let hours = plain_bits(input, fields[1], &HOUR, 23)?;
    let months = plain_bits(input, fields[3], &MONTH, 12)?;
    let mut years = Years::EMPTY;
    let mut every_year = false;
    // Quartz refuses a descending year range ("Start year must be less than
    // stop year"), so this does too rather than guess at a wrap.
    plain_field(
        input,
        fields[5],
        &YEAR,
        (MAX_YEAR - MIN_YEAR) as u32,
        Backwards::Swap,
        |steps| {
            every_year |= steps.step == 1 && steps.lo == YEAR.min && steps.hi == YEAR.max;
            if !every_year {
                steps.values().for_each(|y| _ = years.insert(y as i32));
            }
        },
    )?;
    // `*` and 1970-2199 both mean every year AWS can run in.
    let years = (!every_year && !years.is_all()).then_some(years);
    let dom = day_of_month(input, fields[2])?;
    let dow = day_of_week(input, fields[4])?;
    let days = match (dom, dow) {
        (None, None) => {
            return Err(ParseError::new(
                G,
                span_of(input, fields[2]).start..span_of(input, fields[4]).end,
                "AWS allows `?` in only one of day-of-month and day-of-week",
            ));
        }
        (Some(dom), None) => Days::new(dom, DayOfWeek::ALL, DayRule::Both),
        (None, Some(dow)) => Days::new(DayOfMonth::ALL, dow, DayRule::Both),
        (Some(_), Some(_)) => {
            let suggestion = if fields[2] == "*" {
                format!(
                    "write `?` for day-of-month: `cron({} {} ? {} {} {})`",
                    fields[0], fields[1], fields[3], fields[4], fields[5]
                )
            } else if fields[4] == "*" {
                format!(
                    "write `?` for day-of-week: `cron({} {} {} {} ? {})`",
                    fields[0], fields[1], fields[2], fields[3], fields[5]
                )
            } else {
                "AWS cannot restrict both; make two schedules, one for each field".to_string()
            };
            return Err(ParseError::new(
                G,
                span_of(input, fields[2]).start..span_of(input, fields[4]).end,
                format!("AWS needs `?` in day-of-month or day-of-week: {suggestion}"),
            ));
        }
    };
    Ok(Cron {
        minutes,
        hours: hours as u32,
        days,
        months: months as u16,
        years,
    })
}

/// Reads a field of plain items only (minutes, hours, month, year), handing
/// each item's values to `add`. `backwards` says what a range such as `22-2`
/// means.
fn plain_field(
    input: &str,
    text: &str,
    spec: &FieldSpec,
    max_step: u32,
    backwards: Backwards,
    mut add: impl FnMut(Steps),
) -> Result<(), ParseError> {
    for item in field::items(input, text, spec, G) {
        let item = item?;
        match spec.plain_values(input, &item, G, max_step, backwards)? {
            Some(steps) => add(steps),
            None => return Err(misplaced(input, &item, spec)),
        }
    }
    Ok(())
}

/// The values of a plain field whose values are below 64, as a bitset.
/// Ranges wrap around, as Quartz reads them: see [`field::Steps::values`].
fn plain_bits(input: &str, text: &str, spec: &FieldSpec, max_step: u32) -> Result<u64, ParseError> {
    let mut set = 0;
    plain_field(input, text, spec, max_step, Backwards::Wrap, |steps| {
        set |= steps.bits()
    })?;
    Ok(set)
}

/// Whether a day field may hold a special item (`?`, `L`, `W`, `#`); a
/// field without any of these letters is read on the quicker plain path.
fn may_be_special(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'?' | b'L' | b'l' | b'W' | b'w' | b'#'))
}

fn misplaced(input: &str, item: &Item<'_>, spec: &FieldSpec) -> ParseError {
    let what = match item.body {
        Body::Question => "`?` only goes in day-of-month or day-of-week".to_string(),
        Body::Last(_) | Body::LastOf(_) => {
            "`L` only goes in day-of-month or day-of-week".to_string()
        }
        Body::LastWeekday | Body::Nearest(_) => "`W` only goes in day-of-month".to_string(),
        Body::Nth(..) => "`#` only goes in day-of-week".to_string(),
        _ => format!("`{}` is not valid in the {} field", item.text, spec.name),
    };
    ParseError::new(G, span_of(input, item.text), what)
}

/// The day-of-month field; `None` for `?`.
fn day_of_month(input: &str, text: &str) -> Result<Option<DayOfMonth>, ParseError> {
    if text == "?" {
        return Ok(None);
    }
    if !may_be_special(text) {
        return Ok(Some(DayOfMonth {
            days: plain_bits(input, text, &DAY_OF_MONTH, 31)? as u32,
            ..DayOfMonth::default()
        }));
    }
    let items = field::items(input, text, &DAY_OF_MONTH, G).collect::<Result<Vec<_>, _>>()?;
    let span = |item: &Item<'_>| span_of(input, item.text);
    if let Some(special) = alone(input, &items, &DAY_OF_MONTH)? {
        let mut dom = DayOfMonth::default();
        no_step(input, special)?;
        match special.body {
            Body::Question => return Ok(None),
            Body::Last(None) => dom.from_last = 1,
            Body::Last(Some(n)) => {
                let n = n
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=30).contains(n))
                    .ok_or_else(|| {
                        ParseError::new(G, span(special), "`L-n` takes n from 1 to 30")
                    })?;
                dom.from_last = 1 << n;
            }
            Body::Nearest(d) => dom.nearest_weekday = 1 << DAY_OF_MONTH.value(input, d, G)?,
            Body::LastWeekday => dom.last_weekday = true,
            _ => return Err(misplaced(input, special, &DAY_OF_MONTH)),
        }
        return Ok(Some(dom));
    }
    let days = plain_bits(input, text, &DAY_OF_MONTH, 31)?;
    Ok(Some(DayOfMonth {
        days: days as u32,
        ..DayOfMonth::default()
    }))
}

/// The day-of-week field, renumbered to Sunday = 0; `None` for `?`.
///
/// AWS documents no `/` here, but its parser takes one as Quartz does: a
/// step of at most 7 (Quartz's `checkIncrementRange`) through the days
/// numbered 1 (SUN) to 7 (SAT), from the item's first day to its last, or to
/// Saturday after a single day or `*`: `2/2` and `MON/2` are MON, WED, FRI.
/// A step after a day *name* is refused: Java Quartz never reads one (its
/// name branch in `storeExpressionVals` returns before the `/`, so there
/// `MON/2` is just MON and `MON-FRI/2` is MON–FRI), while Quartz.NET 4.1
/// reads `MON/2` as `2/2` (quartznet/quartznet#3733). Which one AWS follows
/// is not documented, and guessing would triple or cut a job's runs, so the
/// error asks for the numeric form or a list, whose meaning is not in doubt.
fn day_of_week(input: &str, text: &str) -> Result<Option<DayOfWeek>, ParseError> {
    if text == "?" {
        return Ok(None);
    }
    let named_step = |item: &str| {
        item.split_once('/').is_some_and(|(body, _)| {
            let parts: Vec<&str> = body.split('-').collect();
            parts
                .iter()
                .any(|p| p.bytes().all(|b| b.is_ascii_alphabetic()))
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && (p.bytes().all(|b| b.is_ascii_alphabetic())
                            || p.bytes().all(|b| b.is_ascii_digit()))
                })
        })
    };
    if let Some(item) = text.split(',').find(|item| named_step(item)) {
        return Err(ParseError::new(
            G,
            span_of(input, item),
            format!(
                "`{item}`: a step after a day name reads differently in Quartz's two implementations, and AWS does not say which it follows; write the days as numbers (`2/2` is MON, WED, FRI) or as a list (`MON,WED,FRI`)"
            ),
        ));
    }
    if !may_be_special(text) {
        return Ok(Some(DayOfWeek {
            weekdays: (plain_bits(input, text, &DAY_OF_WEEK, 7)? >> 1) as u8,
            ..DayOfWeek::default()
        }));
    }
    let items = field::items(input, text, &DAY_OF_WEEK, G).collect::<Result<Vec<_>, _>>()?;
    let weekday = |tok: &str| DAY_OF_WEEK.value(input, tok, G).map(|w| w - 1);
    if let Some(special) = alone(input, &items, &DAY_OF_WEEK)? {
        let mut dow = DayOfWeek::default();
        no_step(input, special)?;
        match special.body {
            Body::Question => return Ok(None),
            // `L` alone is the last day of the week: Saturday.
            Body::Last(None) => dow.weekdays = 1 << 6,
            Body::LastOf(w) => dow.last = 1 << weekday(w)?,
            Body::Nth(w, k) => {
                let k_num = k
                    .parse::<u32>()
                    .ok()
                    .filter(|k| (1..=5).contains(k))
                    .ok_or_else(|| {
                        ParseError::new(
                            G,
                            span_of(input, k),
                            format!("`#{k}`: a month has at most five of a weekday; use 1 to 5"),
                        )
                    })?;
                dow.nth[weekday(w)? as usize] = 1 << k_num;
            }
            _ => return Err(misplaced(input, special, &DAY_OF_WEEK)),
        }
        return Ok(Some(dow));
    }
    let days = plain_bits(input, text, &DAY_OF_WEEK, 7)?;
    Ok(Some(DayOfWeek {
        weekdays: (days >> 1) as u8,
        ..DayOfWeek::default()
    }))
}

/// The one special item (`?`, `L`, `W`, `#`) of a day field, checking it is
/// alone; `None` when the field has only plain items.
fn alone<'a>(
    input: &str,
    items: &'a [Item<'a>],
    spec: &FieldSpec,
) -> Result<Option<&'a Item<'a>>, ParseError> {
    let is_special =
        |item: &Item<'_>| !matches!(item.body, Body::Star | Body::Value(_) | Body::Range(..));
    let Some(special) = items.iter().find(|i| is_special(i)) else {
        return Ok(None);
    };
    if items.len() > 1 {
        let count_hash = items
            .iter()
            .filter(|i| matches!(i.body, Body::Nth(..)))
            .count();
        let message = if count_hash > 1 {
            format!(
                "AWS allows one `#` expression in day-of-week; `{}` has {count_hash}. Make one schedule for each",
                items.iter().map(|i| i.text).collect::<Vec<_>>().join(",")
            )
        } else {
            format!(
                "`{}` must stand alone in the {} field, not in a list",
                special.text, spec.name
            )
        };
        return Err(ParseError::new(G, span_of(input, special.text), message));
    }
    Ok(Some(special))
}

fn no_step(input: &str, item: &Item<'_>) -> Result<(), ParseError> {
    match item.step {
        Some(step) => Err(ParseError::new(
            G,
            span_of(input, step),
            format!(
                "`{}` cannot take a step",
                &item.text[..item.text.len() - step.len() - 1]
            ),
        )),
        None => Ok(()),
    }
}

fn parse_rate(input: &str, inner: &str) -> Result<Rate, ParseError> {
    let words: Vec<&str> = inner.split_ascii_whitespace().collect();
    let inner_span = span_of(input, inner);
    let [value, unit] = words.as_slice() else {
        return Err(ParseError::new(
            G,
            inner_span,
            "a rate is `rate(value unit)`, such as `rate(5 minutes)` or `rate(1 hour)`",
        ));
    };
    let n = value
        .parse::<u32>()
        .ok()
        .filter(|&n| n >= 1 && value.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            ParseError::new(
                G,
                span_of(input, value),
                if !value.is_empty()
                    && value.bytes().all(|b| b.is_ascii_digit())
                    && !value.trim_start_matches('0').is_empty()
                {
                    format!(
                        "the rate value `{value}` is too large: at most {}",
                        u32::MAX
                    )
                } else {
                    format!("the rate value `{value}` must be a whole number of at least 1")
                },
            )
        })?;
    let (unit_kind, singular) = match *unit {
        "minute" => (RateUnit::Minutes, true),
        "minutes" => (RateUnit::Minutes, false),
        "hour" => (RateUnit::Hours, true),
        "hours" => (RateUnit::Hours, false),
        "day" => (RateUnit::Days, true),
        "days" => (RateUnit::Days, false),
        other => {
            return Err(ParseError::new(
                G,
                span_of(input, other),
                format!("unknown rate unit `{other}`; use minute(s), hour(s) or day(s)"),
            ));
        }
    };
    if singular != (n == 1) {
        let fixed = if n == 1 {
            unit.trim_end_matches('s').to_string()
        } else {
            format!("{unit}s")
        };
        return Err(ParseError::new(
            G,
            span_of(input, unit),
            format!(
                "AWS wants the unit singular exactly when the value is 1: write `rate({n} {fixed})`"
            ),
        ));
    }
    Ok(Rate {
        value: n,
        unit: unit_kind,
    })
}

fn digits(n: usize) -> impl Fn(&str) -> IResult<&str, &str> {
    move |i| take_while_m_n(n, n, |c: char| c.is_ascii_digit()).parse(i)
}

fn parse_at(input: &str, inner: &str) -> Result<DateTime, ParseError> {
    let shape =
        "a one-time schedule is `at(yyyy-mm-ddThh:mm:ss)`, such as `at(2026-12-31T23:30:00)`";
    let parsed: IResult<&str, _> = (
        digits(4),
        char('-'),
        digits(2),
        char('-'),
        digits(2),
        char('T'),
        digits(2),
        char(':'),
        digits(2),
        char(':'),
        digits(2),
    )
        .parse(inner);
    let (y, m, d, h, mi, s) = match parsed {
        Ok(("", (y, _, m, _, d, _, h, _, mi, _, s))) => (y, m, d, h, mi, s),
        Ok((rest, _)) | Err(nom::Err::Error(nom::error::Error { input: rest, .. })) => {
            let bad = rest.chars().next().map_or(0, char::len_utf8);
            let at = span_of(input, &rest[..bad]);
            return Err(ParseError::new(
                G,
                at.start..at.end.max(at.start + 1).min(input.len()),
                shape,
            ));
        }
        Err(_) => return Err(ParseError::new(G, span_of(input, inner), shape)),
    };
    let num = |s: &str| s.parse::<i16>().unwrap_or(0);
    let date = jiff::civil::Date::new(num(y), num(m) as i8, num(d) as i8).map_err(|_| {
        ParseError::new(
            G,
            span_of(input, y).start..span_of(input, d).end,
            format!("{y}-{m}-{d} is not a date"),
        )
    })?;
    let time =
        jiff::civil::Time::new(num(h) as i8, num(mi) as i8, num(s) as i8, 0).map_err(|_| {
            ParseError::new(
                G,
                span_of(input, h).start..span_of(input, s).end,
                format!("{h}:{mi}:{s} is not a time of day"),
            )
        })?;
    Ok(date.to_datetime(time))
}

/// Prints `pattern` as a canonical AWS expression.
///
/// Cron patterns print with `?` in the unrestricted day field, weekday
/// names (AWS numbers Sunday 1, a classic slip), and `a/n` steps.
///
/// ```
/// use cronport_core::syntax::{aws, unix};
/// assert_eq!(aws::print(&unix::parse("*/5 * * * *")?)?, "cron(0/5 * * * ? *)");
/// assert_eq!(aws::print(&aws::parse("rate(1 hour)")?)?, "rate(1 hour)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn print(pattern: &Pattern) -> Result<String, PrintError> {
    match pattern {
        Pattern::Cron(cron) => print_cron(cron),
        Pattern::Rate(rate) => {
            let unit = match rate.unit {
                RateUnit::Minutes => "minute",
                RateUnit::Hours => "hour",
                RateUnit::Days => "day",
            };
            let plural = if rate.value == 1 { "" } else { "s" };
            Ok(format!("rate({} {unit}{plural})", rate.value))
        }
        Pattern::At(at) => Ok(format!("at({})", at.strftime("%Y-%m-%dT%H:%M:%S"))),
    }
}

/// Prints a [`Cron`] pattern as a canonical AWS `cron(...)` expression.
///
/// ```
/// use cronport_core::syntax::{aws, unix};
/// // Unix Sunday 0 is AWS SUN (1); AWS needs `?` in the other day field.
/// assert_eq!(aws::print_cron(&unix::parse_cron("0 6 * * 0")?)?, "cron(0 6 ? * SUN *)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn print_cron(cron: &Cron) -> Result<String, PrintError> {
    let number = |v: u32| v.to_string();
    let days = &cron.days;
    let (dom, dow) = (&days.day_of_month, &days.day_of_week);
    let (dom_text, dow_text) = match days.rule {
        DayRule::Either => {
            return Err(PrintError::new(
                G,
                "it runs on days matching day-of-month OR day-of-week; AWS cron restricts only one of them (translate splits such a schedule in two)",
            ));
        }
        DayRule::Both if dow.is_all() => (print_dom(dom)?, "?".to_string()),
        DayRule::Both if dom.is_all() => ("?".to_string(), print_dow(dow)?),
        DayRule::Both => {
            return Err(PrintError::new(
                G,
                "it restricts both day-of-month and day-of-week; AWS cron restricts only one of them",
            ));
        }
    };
    let years = match &cron.years {
        None => "*".to_string(),
        Some(years) => {
            let values: Vec<u32> = years.iter().map(|y| y as u32).collect();
            print_set(
                &values,
                MIN_YEAR as u32,
                MAX_YEAR as u32,
                StepStyle::Aws,
                number,
            )
        }
    };
    Ok(format!(
        "cron({} {} {} {} {} {})",
        print_set(&values_of(cron.minutes), 0, 59, StepStyle::Aws, number),
        print_set(&values_of(cron.hours.into()), 0, 23, StepStyle::Aws, number),
        dom_text,
        print_set(
            &values_of(cron.months.into()),
            1,
            12,
            StepStyle::Aws,
            number
        ),
        dow_text,
        years,
    ))
}

fn print_dom(dom: &DayOfMonth) -> Result<String, PrintError> {
    let only_one = |n: u32| n.count_ones() == 1;
    let special = [
        dom.days != 0,
        dom.from_last != 0,
        dom.nearest_weekday != 0,
        dom.last_weekday,
    ];
    if special.iter().filter(|s| **s).count() > 1 {
        return Err(PrintError::new(
            G,
            "AWS day-of-month can hold one rule: days, `L`, `W` or `LW`",
        ));
    }
    if dom.last_weekday {
        return Ok("LW".to_string());
    }
    if dom.from_last != 0 {
        if !only_one(dom.from_last) {
            return Err(PrintError::new(G, "AWS day-of-month can hold one `L` rule"));
        }
        return Ok(match dom.from_last.trailing_zeros() {
            0 => "L".to_string(),
            n => format!("L-{n}"),
        });
    }
    if dom.nearest_weekday != 0 {
        if !only_one(dom.nearest_weekday) {
            return Err(PrintError::new(G, "AWS day-of-month can hold one `W` rule"));
        }
        return Ok(format!("{}W", dom.nearest_weekday.trailing_zeros()));
    }
    Ok(print_set(
        &values_of(dom.days.into()),
        1,
        31,
        StepStyle::Aws,
        |v| v.to_string(),
    ))
}

fn print_dow(dow: &DayOfWeek) -> Result<String, PrintError> {
    let nth: Vec<(u8, u8)> = dow.nth_weekdays().collect();
    let last: Vec<u8> = dow.last_weekdays().collect();
    let kinds = [dow.weekdays != 0, !nth.is_empty(), !last.is_empty()];
    if kinds.iter().filter(|k| **k).count() > 1 || nth.len() > 1 || last.len() > 1 {
        return Err(PrintError::new(
            G,
            "AWS day-of-week can hold weekdays, or one `#` rule, or one `L` rule",
        ));
    }
    if let [(w, k)] = nth.as_slice() {
        return Ok(format!("{}#{k}", w + 1));
    }
    if let [w] = last.as_slice() {
        return Ok(format!("{}L", w + 1));
    }
    let values: Vec<u32> = dow.weekdays().map(|w| u32::from(w) + 1).collect();
    Ok(print_set(&values, 1, 7, StepStyle::None, |v| {
        WEEKDAY_NAMES[v as usize - 1].to_string()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text`, checks that it prints as `expected` and that the
    /// printed text parses back to the same pattern.
    fn canonical(text: &str, expected: &str) -> Cron {
        let cron = parse_cron(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let printed = print_cron(&cron).unwrap();
        assert_eq!(printed, expected, "{text}");
        assert_eq!(parse_cron(&printed).unwrap(), cron, "{printed}");
        cron
    }

    fn weekdays(cron: &Cron) -> Vec<u8> {
        cron.days().day_of_week().weekdays().collect()
    }

    /// The error for `text`, checking it points at `bad`.
    fn error(text: &str, bad: &str) -> String {
        let err = parse(text).expect_err(text);
        assert_eq!(&text[err.span.clone()], bad, "{text}: {}", err.message);
        err.message
    }

    #[test]
    fn reads_wrap_around_hours_and_minutes() {
        let cron = canonical("cron(0 22-2 * * ? *)", "cron(0 0-2,22,23 * * ? *)");
        assert_eq!(cron.hours().collect::<Vec<_>>(), [0, 1, 2, 22, 23]);
        let cron = canonical("cron(50-10 * * * ? *)", "cron(0-10,50-59 * * * ? *)");
        let minutes: Vec<u8> = (0..=10).chain(50..=59).collect();
        assert_eq!(cron.minutes().collect::<Vec<_>>(), minutes);
    }

    #[test]
    fn reads_wrap_around_months() {
        for text in [
            "cron(0 0 * NOV-FEB ? *)",
            "cron(0 0 * 11-2 ? *)",
            "cron(0 0 * nov-Feb ? *)",
        ] {
            let cron = canonical(text, "cron(0 0 * 1,2,11,12 ? *)");
            assert_eq!(cron.months().collect::<Vec<_>>(), [1, 2, 11, 12]);
        }
    }

    #[test]
    fn reads_wrap_around_days_of_week() {
        // AWS numbers Sunday 1: FRI-MON is 6-2, Friday through Monday.
        for text in [
            "cron(0 0 ? * FRI-MON *)",
            "cron(0 0 ? * 6-2 *)",
            "cron(0 0 ? * fri-mon *)",
        ] {
            let cron = canonical(text, "cron(0 0 ? * SUN,MON,FRI,SAT *)");
            assert_eq!(weekdays(&cron), [0, 1, 5, 6]);
        }
        // SAT-SUN is the weekend, not an empty or full week.
        let cron = canonical("cron(0 0 ? * SAT-SUN *)", "cron(0 0 ? * SUN,SAT *)");
        assert_eq!(weekdays(&cron), [0, 6]);
    }

    #[test]
    fn reads_wrap_around_days_of_month() {
        // Quartz wraps day-of-month at 31 whatever the month.
        let cron = canonical("cron(0 0 28-3 * ? *)", "cron(0 0 1-3,28-31 * ? *)");
        let days: Vec<u8> = cron.days().day_of_month().days().collect();
        assert_eq!(days, [1, 2, 3, 28, 29, 30, 31]);
        // 31-30 wraps all the way round: every day.
        let cron = canonical("cron(0 0 31-30 * ? *)", "cron(0 0 * * ? *)");
        assert!(cron.days().is_every_day());
    }

    #[test]
    fn refuses_a_descending_year_range() {
        let message = error("cron(0 0 * * ? 2030-2028)", "2030-2028");
        assert!(
            message.contains("does not wrap around; write 2028-2030"),
            "{message}"
        );
        let message = error("cron(0 0 * * ? 2030-2028/2)", "2030-2028/2");
        assert!(message.contains("write 2028-2030"), "{message}");
    }

    #[test]
    fn reads_steps_in_day_of_week() {
        let cron = canonical("cron(0 0 ? * */3 *)", "cron(0 0 ? * SUN,WED,SAT *)");
        assert_eq!(weekdays(&cron), [0, 3, 6]);
        let cron = canonical("cron(0 0 ? * 2-4/2 *)", "cron(0 0 ? * MON,WED *)");
        assert_eq!(weekdays(&cron), [1, 3]);
        for text in ["cron(0 0 ? * 2/2 *)", "cron(0 0 ? * 2-6/2 *)"] {
            let cron = canonical(text, "cron(0 0 ? * MON,WED,FRI *)");
            assert_eq!(weekdays(&cron), [1, 3, 5]);
        }
        // After a name, Quartz's two implementations disagree: refused.
        for (text, item) in [
            ("cron(0 0 ? * MON/2 *)", "MON/2"),
            ("cron(0 0 ? * mon-fri/2 *)", "mon-fri/2"),
            ("cron(0 0 ? * 1,FRI-MON/2 *)", "FRI-MON/2"),
        ] {
            let message = error(text, item);
            assert!(message.contains("write the days as numbers"), "{message}");
        }
        // A step from Saturday stays on Saturday; `*/1` is every day.
        canonical("cron(0 0 ? * 7/3 *)", "cron(0 0 ? * SAT *)");
        canonical("cron(0 0 ? * */1 *)", "cron(0 0 * * ? *)");
        canonical("cron(0 0 ? * 1/7 *)", "cron(0 0 ? * SUN *)");
        // In a list with other days.
        canonical("cron(0 0 ? * 1,4/2 *)", "cron(0 0 ? * SUN,WED,FRI *)");
    }

    #[test]
    fn steps_count_on_across_the_seam_of_a_wrapped_range() {
        let cron = canonical("cron(0 22-2/2 * * ? *)", "cron(0 0,2,22 * * ? *)");
        assert_eq!(cron.hours().collect::<Vec<_>>(), [0, 2, 22]);
        let cron = canonical("cron(50-10/15 * * * ? *)", "cron(5,50 * * * ? *)");
        assert_eq!(cron.minutes().collect::<Vec<_>>(), [5, 50]);
        let cron = canonical("cron(0 0 28-3/2 * ? *)", "cron(0 0 1,3,28,30 * ? *)");
        let days: Vec<u8> = cron.days().day_of_month().days().collect();
        assert_eq!(days, [1, 3, 28, 30]);
        let cron = canonical("cron(0 0 * NOV-FEB/2 ? *)", "cron(0 0 * 1,11 ? *)");
        assert_eq!(cron.months().collect::<Vec<_>>(), [1, 11]);
        // FRI(6), SUN(8 → 1).
        let cron = canonical("cron(0 0 ? * 6-2/2 *)", "cron(0 0 ? * SUN,FRI *)");
        assert_eq!(weekdays(&cron), [0, 5]);
    }

    #[test]
    fn reads_weekday_names_with_hash_and_l() {
        for text in [
            "cron(0 8 ? * FRI#3 *)",
            "cron(0 8 ? * fri#3 *)",
            "cron(0 8 ? * 6#3 *)",
        ] {
            let cron = canonical(text, "cron(0 8 ? * 6#3 *)");
            let nth: Vec<(u8, u8)> = cron.days().day_of_week().nth_weekdays().collect();
            assert_eq!(nth, [(5, 3)], "{text}");
        }
        for text in [
            "cron(0 8 ? * FRIL *)",
            "cron(0 8 ? * fril *)",
            "cron(0 8 ? * Fril *)",
            "cron(0 8 ? * 6L *)",
        ] {
            let cron = canonical(text, "cron(0 8 ? * 6L *)");
            let last: Vec<u8> = cron.days().day_of_week().last_weekdays().collect();
            assert_eq!(last, [5], "{text}");
        }
    }

    #[test]
    fn errors_in_the_quartz_forms_point_at_the_bad_part() {
        let message = error("cron(0 8 ? * FRI#6 *)", "6");
        assert!(message.contains("at most five"), "{message}");
        let message = error("cron(0 8 ? * XYZL *)", "XYZ");
        assert!(
            message.contains("unknown day-of-week name `XYZ`"),
            "{message}"
        );
        let message = error("cron(0 8 ? * FRI#3,MON#1 *)", "FRI#3");
        assert!(message.contains("one `#` expression"), "{message}");
        let message = error("cron(0 8 ? * FRIL,MON *)", "FRIL");
        assert!(message.contains("must stand alone"), "{message}");
        let message = error("cron(0 8 ? * FRI#3/2 *)", "2");
        assert!(message.contains("cannot take a step"), "{message}");
        let message = error("cron(0 8 ? * */8 *)", "8");
        assert!(message.contains("between 1 and 7"), "{message}");
        let message = error("cron(0 8 ? * FRI-MOO *)", "MOO");
        assert!(message.contains("unknown day-of-week name"), "{message}");
        let message = error("cron(0 25-2 * * ? *)", "25");
        assert!(message.contains("out of range 0–23"), "{message}");
        let message = error("cron(0 8 * JUNL ? *)", "JUNL");
        assert!(message.contains("`L` only goes in"), "{message}");
    }

    #[test]
    fn unix_cron_still_refuses_wrap_around() {
        let err = crate::syntax::unix::parse("0 22-2 * * *").unwrap_err();
        assert!(err.message.contains("runs backwards"), "{}", err.message);
    }

    /// `lo..=hi` wrapped within `min..=max`, every `step`th value, sorted:
    /// Quartz's reading, computed apart from the parser.
    fn wrapped(lo: u32, hi: u32, step: usize, min: u32, max: u32) -> Vec<u32> {
        let run: Vec<u32> = if lo <= hi {
            (lo..=hi).collect()
        } else {
            (lo..=max).chain(min..=hi).collect()
        };
        let mut values: Vec<u32> = run.into_iter().step_by(step).collect();
        values.sort_unstable();
        values
    }

    #[test]
    fn every_hour_and_weekday_range_with_every_step_reads_as_quartz_does() {
        for lo in 0..24 {
            for hi in 0..24 {
                for step in [1, 2, 5, 23] {
                    let text = format!("cron(0 {lo}-{hi}/{step} * * ? *)");
                    let cron = parse_cron(&text).unwrap();
                    let hours: Vec<u32> = cron.hours().map(u32::from).collect();
                    assert_eq!(hours, wrapped(lo, hi, step, 0, 23), "{text}");
                    let printed = print_cron(&cron).unwrap();
                    assert_eq!(parse_cron(&printed).unwrap(), cron, "{text} -> {printed}");
                }
            }
        }
        for lo in 1..=7 {
            for hi in 1..=7 {
                for step in 1..=7 {
                    let text = format!("cron(0 0 ? * {lo}-{hi}/{step} *)");
                    let cron = parse_cron(&text).unwrap();
                    let days: Vec<u32> =
                        weekdays(&cron).iter().map(|&w| u32::from(w) + 1).collect();
                    assert_eq!(days, wrapped(lo, hi, step, 1, 7), "{text}");
                    let printed = print_cron(&cron).unwrap();
                    // The documented subset: names, commas and ascending ranges.
                    assert!(!printed.contains('/'), "{text} -> {printed}");
                    assert_eq!(parse_cron(&printed).unwrap(), cron, "{text} -> {printed}");
                }
            }
        }
    }
}
