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
//! `rate(value unit)` takes a positive whole value and `minute`, `hour` or
//! `day`, singular exactly when the value is 1. `at(yyyy-mm-ddThh:mm:ss)`
//! names one wall-clock time.
//!
//! ```
//! use cronport::syntax::aws;
//!
//! let p = aws::parse("cron(0/15 8-17 ? * mon-fri *)")?;
//! assert_eq!(aws::print(&p)?, "cron(0/15 8-17 ? * MON-FRI *)");
//!
//! let err = aws::parse("cron(0 12 * * * *)").unwrap_err();
//! assert!(err.message.starts_with("AWS needs `?` in day-of-month or day-of-week"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::civil::DateTime;
use nom::{IResult, Parser, bytes::complete::take_while_m_n, character::complete::char};

use super::field::{
    self, Body, DAY_OF_MONTH, FieldSpec, HOUR, Item, MINUTE, MONTH, StepStyle, Steps,
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

/// Parses an AWS `cron(...)`, `rate(...)` or `at(...)` expression.
///
/// ```
/// use cronport::{schedule::Pattern, syntax::aws};
/// assert!(matches!(aws::parse("cron(0 12 ? * MON-FRI *)")?, Pattern::Cron(_)));
/// assert!(matches!(aws::parse("rate(15 minutes)")?, Pattern::Rate(_)));
/// assert!(matches!(aws::parse("at(2027-03-01T09:00:00)")?, Pattern::At(_)));
/// // Restricting both day fields is an AWS error; the span covers both.
/// let input = "cron(0 12 1 * MON *)";
/// let err = aws::parse(input).unwrap_err();
/// assert_eq!(&input[err.span.clone()], "1 * MON");
/// # Ok::<(), cronport::syntax::ParseError>(())
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
/// let cron = cronport::syntax::aws::parse_cron("cron(0 8 ? * 2#1 *)")?; // the first Monday
/// assert_eq!(cron.days().day_of_week().nth_weekdays().collect::<Vec<_>>(), [(1, 1)]);
/// assert!(cronport::syntax::aws::parse_cron("rate(5 minutes)").is_err());
/// # Ok::<(), cronport::syntax::ParseError>(())
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
    plain_field(
        input,
        fields[5],
        &YEAR,
        (MAX_YEAR - MIN_YEAR) as u32,
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
/// each item's values to `add`.
fn plain_field(
    input: &str,
    text: &str,
    spec: &FieldSpec,
    max_step: u32,
    mut add: impl FnMut(Steps),
) -> Result<(), ParseError> {
    for item in field::items(input, text, spec, G) {
        let item = item?;
        match spec.plain_values(input, &item, G, max_step)? {
            Some(steps) => add(steps),
            None => return Err(misplaced(input, &item, spec)),
        }
    }
    Ok(())
}

/// The values of a plain field whose values are below 64, as a bitset.
fn plain_bits(input: &str, text: &str, spec: &FieldSpec, max_step: u32) -> Result<u64, ParseError> {
    let mut set = 0;
    plain_field(input, text, spec, max_step, |steps| set |= steps.bits())?;
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
fn day_of_week(input: &str, text: &str) -> Result<Option<DayOfWeek>, ParseError> {
    if text == "?" {
        return Ok(None);
    }
    if let Some(slash) = text.find('/') {
        return Err(ParseError::new(
            G,
            span_of(input, &text[slash..]),
            "AWS does not allow `/` in day-of-week; list the days instead, such as `MON,WED,FRI`",
        ));
    }
    if !may_be_special(text) {
        return Ok(Some(DayOfWeek {
            weekdays: (plain_bits(input, text, &DAY_OF_WEEK, 1)? >> 1) as u8,
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
    let days = plain_bits(input, text, &DAY_OF_WEEK, 1)?;
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
                format!("the rate value `{value}` must be a whole number of at least 1"),
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
/// use cronport::syntax::{aws, unix};
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
/// use cronport::syntax::{aws, unix};
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
