//! What Unix and AWS cron fields share: the item grammar (`*`, `?`, values,
//! names, ranges, steps and the AWS day rules), read with nom, and the
//! printing of a set of values in canonical form.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::tag_no_case,
    character::complete::{alpha1, char, digit1},
    combinator::{map, not, opt, value},
    sequence::{preceded, terminated},
};

use super::{Grammar, ParseError, span_of};

/// What one comma-separated item of a field says, before any range check.
/// Tokens are sub-slices of the input so errors can point at them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Body<'a> {
    /// `*`
    Star,
    /// `?`
    Question,
    /// `5`, `MON`
    Value(&'a str),
    /// `1-5`, `MON-FRI`
    Range(&'a str, &'a str),
    /// `L` or `L-3`
    Last(Option<&'a str>),
    /// `LW`
    LastWeekday,
    /// `15W`
    Nearest(&'a str),
    /// `5L` or `THUL` (day-of-week: the last Thursday)
    LastOf(&'a str),
    /// `3#2` or `TUE#2` (day-of-week: the second Tuesday)
    Nth(&'a str, &'a str),
}

/// One item of a field: its body and an optional `/step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Item<'a> {
    /// The item's whole text, for error spans.
    pub text: &'a str,
    pub body: Body<'a>,
    pub step: Option<&'a str>,
}

fn token(input: &str) -> IResult<&str, &str> {
    alt((digit1, alpha1)).parse(input)
}

/// One item's body. The first character picks the branch, so common items
/// (`*`, `5`, `1-5`, `MON-FRI`) are read without trying the rarer forms.
fn body(input: &str) -> IResult<&str, Body<'_>> {
    let range_or_value = |i| {
        map(
            (token, opt(preceded(char('-'), token))),
            |(lo, hi)| match hi {
                Some(hi) => Body::Range(lo, hi),
                None => Body::Value(lo),
            },
        )
        .parse(i)
    };
    match input.as_bytes().first() {
        Some(b'*') => value(Body::Star, char('*')).parse(input),
        Some(b'?') => value(Body::Question, char('?')).parse(input),
        Some(b'0'..=b'9') => {
            let (rest, number) = digit1(input)?;
            let suffix = |tag| terminated(tag_no_case(tag), not(alpha1));
            match rest.as_bytes().first() {
                Some(b'#') => {
                    map(preceded(char('#'), digit1), |k| Body::Nth(number, k)).parse(rest)
                }
                Some(b'W' | b'w') => value(Body::Nearest(number), suffix("W")).parse(rest),
                Some(b'L' | b'l') => value(Body::LastOf(number), suffix("L")).parse(rest),
                Some(b'-') => {
                    map(preceded(char('-'), token), |hi| Body::Range(number, hi)).parse(rest)
                }
                _ => Ok((rest, Body::Value(number))),
            }
        }
        Some(b'L' | b'l') => alt((
            value(
                Body::LastWeekday,
                terminated(tag_no_case("LW"), not(alpha1)),
            ),
            map(
                terminated(
                    preceded(tag_no_case("L"), opt(preceded(char('-'), digit1))),
                    not(alpha1),
                ),
                Body::Last,
            ),
            range_or_value,
        ))
        .parse(input),
        // A name takes `#k` and `L` as a number does (Quartz reads `FRI#3`
        // and `FRIL`); names are three letters, so a fourth `L` is the suffix.
        Some(b'A'..=b'Z' | b'a'..=b'z') => {
            let (rest, name) = alpha1(input)?;
            match rest.as_bytes().first() {
                Some(b'#') => map(preceded(char('#'), digit1), |k| Body::Nth(name, k)).parse(rest),
                _ if name.len() == 4 && name.ends_with(['L', 'l']) => {
                    Ok((rest, Body::LastOf(&name[..3])))
                }
                _ => range_or_value(input),
            }
        }
        _ => range_or_value(input),
    }
}

fn item(input: &str) -> IResult<&str, Item<'_>> {
    let (rest, (body, step)) = (body, opt(preceded(char('/'), digit1))).parse(input)?;
    let text = &input[..input.len() - rest.len()];
    Ok((rest, Item { text, body, step }))
}

/// The items of a field (a whitespace-free token of `whole`), read one at a
/// time so that parsing allocates nothing.
pub(crate) struct Items<'a> {
    whole: &'a str,
    field: &'a str,
    rest: &'a str,
    spec: &'a FieldSpec,
    grammar: Grammar,
    started: bool,
}

/// Reads the items of `field`.
pub(crate) fn items<'a>(
    whole: &'a str,
    field: &'a str,
    spec: &'a FieldSpec,
    grammar: Grammar,
) -> Items<'a> {
    Items {
        whole,
        field,
        rest: field,
        spec,
        grammar,
        started: false,
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = Result<Item<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.started {
            if self.rest.is_empty() {
                return None;
            }
            let Some(after_comma) = self.rest.strip_prefix(',') else {
                return Some(Err(self.unreadable()));
            };
            self.rest = after_comma;
        }
        self.started = true;
        match item(self.rest) {
            Ok((rest, item)) => {
                self.rest = rest;
                Some(Ok(item))
            }
            Err(_) => Some(Err(self.unreadable())),
        }
    }
}

impl Items<'_> {
    /// The error for the first character nom could not read; it also ends
    /// the iteration.
    fn unreadable(&mut self) -> ParseError {
        let rest = std::mem::take(&mut self.rest);
        let bad = rest.chars().next().map_or(0, char::len_utf8);
        let found = &rest[..bad];
        let what = match found {
            "" => "the field ends too soon".to_string(),
            "," => "an empty list item".to_string(),
            _ => format!("`{}` is not valid here", found.escape_debug()),
        };
        let spec = self.spec;
        ParseError::new(
            self.grammar,
            span_of(self.whole, found),
            format!(
                "{what} in the {} field `{}`: write numbers {}–{}{}, ranges like `{}-{}`, lists like `{},{}` or steps like `*/2`",
                spec.name,
                self.field.escape_debug(),
                spec.min,
                spec.max,
                if spec.names.is_empty() {
                    ""
                } else {
                    " or names"
                },
                spec.min,
                spec.max,
                spec.min,
                spec.max,
            ),
        )
    }
}

/// The values `lo, lo + step, …` up to `hi`. When `hi` is below `lo` the
/// range wraps around (Quartz, so AWS): it runs on past the field's `max`
/// and continues from its `min`, the step counting on across the seam, so
/// hours `22-2/2` are 22, 0 and 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Steps {
    pub lo: u32,
    pub hi: u32,
    pub step: u32,
    /// The field's first value, where a wrapped range continues.
    pub min: u32,
    /// The field's last value, after which a wrapped range continues at `min`.
    pub max: u32,
}

impl Steps {
    /// The values, for fields whose values are below 64, as a bitset.
    pub(crate) fn bits(self) -> u64 {
        if self.step == 1 && self.lo <= self.hi {
            let upto = if self.hi >= 63 {
                u64::MAX
            } else {
                (1u64 << (self.hi + 1)) - 1
            };
            return upto & !((1u64 << self.lo) - 1);
        }
        self.values().fold(0, |set, v| set | 1 << v)
    }

    /// The values in the order the range names them: ascending, except
    /// that a wrapped range restarts at `min` after `max`.
    ///
    /// This is Quartz's `CronExpression.addToSet` (quartz-scheduler/quartz,
    /// `quartz/src/main/java/org/quartz/CronExpression.java` at bb2505aa):
    /// when `stopAt < startAt` it adds the field's width to `stopAt`, steps
    /// from `startAt`, and takes each value modulo the width, with 0 read as
    /// the width in the fields numbered from 1 (day-of-month, month,
    /// day-of-week). Day-of-month wraps at 31 whatever the month, so `28-3`
    /// is 28–31 and 1–3.
    pub(crate) fn values(self) -> impl Iterator<Item = u32> {
        let width = self.max - self.min + 1;
        let end = if self.hi < self.lo {
            self.hi + width
        } else {
            self.hi
        };
        let max = self.max;
        (self.lo..=end)
            .step_by(self.step as usize)
            .map(move |v| if v > max { v - width } else { v })
    }
}

/// What a range whose end is below its start (`22-2`) means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backwards {
    /// An error suggesting the two ranges it might mean (Vixie cron, which
    /// has no wrap-around).
    Split,
    /// It wraps around past the field's end, as Quartz reads it (AWS).
    Wrap,
    /// An error suggesting the ends swapped: the field does not wrap (AWS
    /// years; Quartz throws "Start year must be less than stop year").
    Swap,
}

/// The rules of one field in one grammar.
pub(crate) struct FieldSpec {
    pub name: &'static str,
    pub min: u32,
    pub max: u32,
    /// Names for the values `names_from`, `names_from + 1`, …
    pub names: &'static [&'static str],
    pub names_from: u32,
    /// A suggestion for an out-of-range number.
    pub hint: fn(u32) -> Option<String>,
}

pub(crate) const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
pub(crate) const WEEKDAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// The fields Unix and AWS cron read alike.
pub(crate) const MINUTE: FieldSpec = FieldSpec {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
    names_from: 0,
    hint: |v| (v == 60).then(|| "did you mean 0 of the next hour?".to_string()),
};
pub(crate) const HOUR: FieldSpec = FieldSpec {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
    names_from: 0,
    hint: |v| (v == 24).then(|| "did you mean 0 (midnight)?".to_string()),
};
pub(crate) const DAY_OF_MONTH: FieldSpec = FieldSpec {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
    names_from: 1,
    hint: |v| (v == 0).then(|| "days of the month start at 1".to_string()),
};
pub(crate) const MONTH: FieldSpec = FieldSpec {
    name: "month",
    min: 1,
    max: 12,
    names: &MONTH_NAMES,
    names_from: 1,
    hint: |v| (v == 0).then(|| "months start at 1 (JAN)".to_string()),
};
pub(crate) fn no_hint(_: u32) -> Option<String> {
    None
}

impl FieldSpec {
    /// The number a token names, range-checked.
    pub(crate) fn value(
        &self,
        whole: &str,
        tok: &str,
        grammar: Grammar,
    ) -> Result<u32, ParseError> {
        let span = span_of(whole, tok);
        if tok.bytes().all(|b| b.is_ascii_digit()) {
            let v = tok
                .parse::<u32>()
                .ok()
                .filter(|v| (self.min..=self.max).contains(v));
            return v.ok_or_else(|| {
                let hint = tok.parse::<u32>().ok().and_then(self.hint);
                ParseError::new(
                    grammar,
                    span,
                    format!(
                        "{} {} is out of range {}–{}{}",
                        self.name,
                        tok,
                        self.min,
                        self.max,
                        hint.map(|h| format!("; {h}")).unwrap_or_default()
                    ),
                )
            });
        }
        let upper = tok.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == upper) {
            return Ok(self.names_from + i as u32);
        }
        let message = if self.names.is_empty() {
            format!(
                "`{tok}` is not a number; the {} field takes {}–{}",
                self.name, self.min, self.max
            )
        } else {
            format!(
                "unknown {} name `{tok}`; use one of {}",
                self.name,
                self.names.join(", ")
            )
        };
        Err(ParseError::new(grammar, span, message))
    }

    /// The step of `item`, at least 1 and at most `max_step`.
    pub(crate) fn step(
        &self,
        whole: &str,
        item: &Item<'_>,
        grammar: Grammar,
        max_step: u32,
    ) -> Result<Option<u32>, ParseError> {
        let Some(tok) = item.step else {
            return Ok(None);
        };
        match tok.parse::<u32>() {
            Ok(n) if (1..=max_step).contains(&n) => Ok(Some(n)),
            _ => Err(ParseError::new(
                grammar,
                span_of(whole, tok),
                format!(
                    "step {tok} in the {} field must be between 1 and {max_step}",
                    self.name
                ),
            )),
        }
    }

    /// The values of a plain item: `*`, a value, a range, each with an
    /// optional step. `None` for the other kinds of item, which the grammar
    /// handles itself. `backwards` says what a range such as `22-2` means.
    pub(crate) fn plain_values(
        &self,
        whole: &str,
        item: &Item<'_>,
        grammar: Grammar,
        max_step: u32,
        backwards: Backwards,
    ) -> Result<Option<Steps>, ParseError> {
        let (lo, hi) = match item.body {
            Body::Star => (self.min, self.max),
            Body::Value(v) => {
                let v = self.value(whole, v, grammar)?;
                // `a/n` runs from a to the end of the field.
                (v, if item.step.is_some() { self.max } else { v })
            }
            Body::Range(lo_tok, hi_tok) => {
                let lo = self.value(whole, lo_tok, grammar)?;
                let hi = self.value(whole, hi_tok, grammar)?;
                let message = match backwards {
                    _ if lo <= hi => None,
                    Backwards::Wrap => None,
                    Backwards::Split => Some(format!(
                        "range {lo_tok}-{hi_tok} in the {} field runs backwards; write it as two ranges: {lo}-{},{}-{hi}",
                        self.name, self.max, self.min
                    )),
                    Backwards::Swap => Some(format!(
                        "range {lo_tok}-{hi_tok} in the {} field runs backwards, and the {} field does not wrap around; write {hi}-{lo}",
                        self.name, self.name
                    )),
                };
                if let Some(message) = message {
                    return Err(ParseError::new(grammar, span_of(whole, item.text), message));
                }
                (lo, hi)
            }
            _ => return Ok(None),
        };
        let step = self.step(whole, item, grammar, max_step)?.unwrap_or(1);
        Ok(Some(Steps {
            lo,
            hi,
            step,
            min: self.min,
            max: self.max,
        }))
    }
}

/// How a grammar writes an arithmetic progression of values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StepStyle {
    /// Unix: `*/n` from the field's first value (when `star` allows a
    /// leading `*`), else `a-b/n`.
    Unix { star: bool },
    /// AWS: `a/n` when the progression runs to the field's end, else `a-b/n`.
    Aws,
    /// No steps (AWS day-of-week): lists and ranges only.
    None,
}

/// Canonical text of a set of values (ascending, within `min..=max`):
/// `*` for all; a step form for a progression of three or more; otherwise a
/// list in which runs of three or more consecutive values become ranges.
pub(crate) fn print_set(
    values: &[u32],
    min: u32,
    max: u32,
    style: StepStyle,
    name: impl Fn(u32) -> String,
) -> String {
    let all = values.len() as u32 == max - min + 1;
    if all && style != (StepStyle::Unix { star: false }) {
        return "*".to_string();
    }
    if all {
        return format!("{}-{}", name(min), name(max));
    }
    if let Some(step) = progression(values) {
        let (first, last) = (values[0], values[values.len() - 1]);
        let to_end = last + step > max;
        match style {
            StepStyle::Unix { star: true } if first == min && to_end => return format!("*/{step}"),
            StepStyle::Aws if to_end => return format!("{}/{step}", name(first)),
            StepStyle::Unix { .. } | StepStyle::Aws => {
                return format!("{}-{}/{step}", name(first), name(last));
            }
            StepStyle::None => {}
        }
    }
    let mut parts = Vec::new();
    for (first, last) in crate::schedule::consecutive_runs(values) {
        if last - first >= 2 {
            parts.push(format!("{}-{}", name(first), name(last)));
        } else {
            parts.extend((first..=last).map(&name));
        }
    }
    parts.join(",")
}

/// The step of `values` if they are three or more evenly spaced values more
/// than 1 apart.
fn progression(values: &[u32]) -> Option<u32> {
    if values.len() < 3 {
        return None;
    }
    let step = values[1] - values[0];
    (step > 1 && values.windows(2).all(|w| w[1] - w[0] == step)).then_some(step)
}

/// The values of a bitset, ascending.
pub(crate) fn values_of(set: u64) -> Vec<u32> {
    crate::schedule::bits(set).map(u32::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(field: &str) -> Vec<Body<'_>> {
        const SPEC: FieldSpec = FieldSpec {
            name: "test",
            min: 0,
            max: 59,
            names: &[],
            names_from: 0,
            hint: no_hint,
        };
        items(field, field, &SPEC, Grammar::Aws)
            .map(|i| i.unwrap().body)
            .collect()
    }

    #[test]
    fn reads_every_kind_of_item() {
        assert_eq!(bodies("*"), [Body::Star]);
        assert_eq!(bodies("?"), [Body::Question]);
        assert_eq!(bodies("L"), [Body::Last(None)]);
        assert_eq!(bodies("L-3"), [Body::Last(Some("3"))]);
        assert_eq!(bodies("LW"), [Body::LastWeekday]);
        assert_eq!(bodies("15W"), [Body::Nearest("15")]);
        assert_eq!(bodies("5L"), [Body::LastOf("5")]);
        assert_eq!(bodies("3#2"), [Body::Nth("3", "2")]);
        assert_eq!(bodies("MON-FRI"), [Body::Range("MON", "FRI")]);
        assert_eq!(bodies("1,2"), [Body::Value("1"), Body::Value("2")]);
        // Names take `#k` and `L` as numbers do, in any case.
        assert_eq!(bodies("FRI#3"), [Body::Nth("FRI", "3")]);
        assert_eq!(bodies("fri#3"), [Body::Nth("fri", "3")]);
        assert_eq!(bodies("FRIL"), [Body::LastOf("FRI")]);
        assert_eq!(bodies("friL"), [Body::LastOf("fri")]);
        assert_eq!(bodies("FRI-MON/2"), [Body::Range("FRI", "MON")]);
        assert_eq!(bodies("JAN"), [Body::Value("JAN")]);
    }

    #[test]
    fn wrapped_ranges_continue_from_the_start_of_the_field() {
        let steps = |lo, hi, step, min, max| Steps {
            lo,
            hi,
            step,
            min,
            max,
        };
        let values = |s: Steps| s.values().collect::<Vec<_>>();
        assert_eq!(values(steps(22, 2, 1, 0, 23)), [22, 23, 0, 1, 2]);
        assert_eq!(values(steps(22, 2, 2, 0, 23)), [22, 0, 2]);
        assert_eq!(values(steps(28, 3, 1, 1, 31)), [28, 29, 30, 31, 1, 2, 3]);
        assert_eq!(values(steps(6, 2, 1, 1, 7)), [6, 7, 1, 2]);
        assert_eq!(values(steps(59, 0, 30, 0, 59)), [59]);
        assert_eq!(steps(22, 2, 2, 0, 23).bits(), 1 | 1 << 2 | 1 << 22);
        // Unwrapped ranges are unchanged, on both paths.
        assert_eq!(values(steps(1, 5, 2, 1, 7)), [1, 3, 5]);
        assert_eq!(steps(1, 3, 1, 0, 59).bits(), 0b1110);
    }

    #[test]
    fn prints_sets_canonically() {
        let name = |v: u32| v.to_string();
        let unix = StepStyle::Unix { star: true };
        assert_eq!(
            print_set(&[0, 10, 20, 30, 40, 50], 0, 59, unix, name),
            "*/10"
        );
        assert_eq!(
            print_set(&[0, 10, 20, 30, 40, 50], 0, 59, StepStyle::Aws, name),
            "0/10"
        );
        assert_eq!(
            print_set(&[5, 15, 25, 35, 45, 55], 0, 59, unix, name),
            "5-55/10"
        );
        assert_eq!(
            print_set(&[1, 2, 3, 5, 7, 8], 0, 59, unix, name),
            "1-3,5,7,8"
        );
        assert_eq!(print_set(&[1, 3], 0, 59, unix, name), "1,3");
        let no_star = StepStyle::Unix { star: false };
        assert_eq!(
            print_set(
                &(1..=31).step_by(2).collect::<Vec<_>>(),
                1,
                31,
                no_star,
                name
            ),
            "1-31/2"
        );
    }
}
