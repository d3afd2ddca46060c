//! Parsers and printers for the schedule grammars cronport reads.
//!
//! One module per grammar, each with a `parse` function (text → model) and a
//! `print` function (model → canonical text):
//!
//! * [`unix`]: 5-field Vixie cron and `@daily`-style macros;
//! * [`aws`]: AWS `cron(...)`, `rate(...)` and `at(...)`;
//! * [`heroku`]: Heroku Scheduler's "every 10 minutes", "every hour at :30"
//!   and "every day at 14:30" (UTC), and its export names.
//!
//! Printing is fallible because the model is richer than each grammar: Unix
//! cron has no `L`, AWS cron cannot restrict both day fields, Heroku has
//! three shapes. Printing what a parser returned always succeeds and gives
//! canonical text, which parses back to the same model.
//!
//! ```
//! use cronport_core::syntax::{self, Grammar};
//!
//! let parsed = syntax::parse_any("every 10 minutes")?;
//! assert_eq!(parsed.grammar, Grammar::Heroku);
//! assert_eq!(syntax::aws::print(&parsed.pattern)?, "cron(0/10 * * * ? *)");
//! assert_eq!(syntax::unix::print(&parsed.pattern)?, "*/10 * * * *");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod aws;
mod field;
pub mod heroku;
pub mod unix;

use std::{fmt, ops::Range};

use crate::schedule::Pattern;

/// A schedule grammar.
///
/// ```
/// use cronport_core::syntax::Grammar;
/// let pattern = Grammar::Heroku.parse("every day at 14:30")?;
/// assert_eq!(Grammar::Aws.print(&pattern)?, "cron(30 14 * * ? *)");
/// assert_eq!(Grammar::Unix.print(&pattern)?, "30 14 * * *");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grammar {
    /// Unix (Vixie) cron: five fields, or a macro such as `@daily`.
    Unix,
    /// AWS: `cron(...)`, `rate(...)` or `at(...)`.
    Aws,
    /// Heroku Scheduler's phrases.
    Heroku,
}

impl Grammar {
    /// Guesses the grammar of `input` from its first word: `cron(`, `rate(`
    /// and `at(` are AWS, `every` is Heroku, anything else is Unix.
    ///
    /// ```
    /// use cronport_core::syntax::Grammar;
    /// assert_eq!(Grammar::detect("cron(0 12 * * ? *)"), Grammar::Aws);
    /// assert_eq!(Grammar::detect("Every day at 14:30"), Grammar::Heroku);
    /// assert_eq!(Grammar::detect("0 12 * * *"), Grammar::Unix);
    /// ```
    pub fn detect(input: &str) -> Grammar {
        let trimmed = input.trim_start();
        let starts_with = |prefix: &str| {
            trimmed
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        };
        if starts_with("cron(") || starts_with("rate(") || starts_with("at(") {
            Grammar::Aws
        } else if starts_with("every") || starts_with("hourly") || starts_with("daily") {
            Grammar::Heroku
        } else {
            Grammar::Unix
        }
    }

    /// Parses `input` in this grammar.
    ///
    /// ```
    /// use cronport_core::syntax::Grammar;
    /// assert_eq!(Grammar::Aws.parse("cron(0 12 * * ? *)")?, Grammar::Unix.parse("0 12 * * *")?);
    /// # Ok::<(), cronport_core::syntax::ParseError>(())
    /// ```
    pub fn parse(self, input: &str) -> Result<Pattern, ParseError> {
        match self {
            Grammar::Unix => unix::parse(input),
            Grammar::Aws => aws::parse(input),
            Grammar::Heroku => heroku::parse(input),
        }
    }

    /// Prints `pattern` as canonical text of this grammar.
    ///
    /// ```
    /// use cronport_core::syntax::Grammar;
    /// let p = Grammar::Unix.parse("0 0 L * *").unwrap_err(); // Unix has no L
    /// assert!(p.message.contains("AWS syntax"));
    /// let aws = Grammar::Aws.parse("cron(0 0 L * ? *)")?;
    /// assert!(Grammar::Unix.print(&aws).is_err());
    /// assert_eq!(Grammar::Aws.print(&aws)?, "cron(0 0 L * ? *)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn print(self, pattern: &Pattern) -> Result<String, PrintError> {
        match self {
            Grammar::Unix => unix::print(pattern),
            Grammar::Aws => aws::print(pattern),
            Grammar::Heroku => heroku::print(pattern),
        }
    }

    /// The daylight-saving rule a schedule written in this grammar runs
    /// under: AWS expressions run on EventBridge Scheduler, the others by
    /// the source rule (see [`DstRule`](crate::schedule::DstRule)).
    ///
    /// ```
    /// use cronport_core::{schedule::DstRule, syntax::Grammar};
    /// assert_eq!(Grammar::Aws.dst_rule(), DstRule::AwsScheduler);
    /// assert_eq!(Grammar::Heroku.dst_rule(), DstRule::Source);
    /// ```
    pub fn dst_rule(self) -> crate::schedule::DstRule {
        match self {
            Grammar::Aws => crate::schedule::DstRule::AwsScheduler,
            Grammar::Unix | Grammar::Heroku => crate::schedule::DstRule::Source,
        }
    }

    /// The grammar's name as the CLI and JSON output spell it.
    ///
    /// ```
    /// use cronport_core::syntax::Grammar;
    /// assert_eq!(Grammar::Heroku.name(), "heroku");
    /// assert_eq!(Grammar::Heroku.to_string(), "Heroku Scheduler");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Grammar::Unix => "unix",
            Grammar::Aws => "aws",
            Grammar::Heroku => "heroku",
        }
    }
}

impl std::str::FromStr for Grammar {
    type Err = crate::UnknownName;

    /// A grammar's [`name`](Grammar::name).
    ///
    /// ```
    /// assert_eq!("heroku".parse::<cronport_core::Grammar>()?, cronport_core::Grammar::Heroku);
    /// # Ok::<(), cronport_core::UnknownName>(())
    /// ```
    fn from_str(name: &str) -> Result<Grammar, Self::Err> {
        const ALL: [Grammar; 3] = [Grammar::Unix, Grammar::Aws, Grammar::Heroku];
        crate::name::lookup("grammar", name, &["unix", "aws", "heroku"], &ALL)
    }
}

impl fmt::Display for Grammar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grammar::Unix => "Unix cron",
            Grammar::Aws => "AWS schedule expression",
            Grammar::Heroku => "Heroku Scheduler",
        })
    }
}

/// A pattern with the grammar it was read in.
///
/// ```
/// let parsed = cronport_core::syntax::parse_any("cron(0/5 * * * ? *)")?;
/// assert_eq!(parsed.grammar, cronport_core::syntax::Grammar::Aws);
/// assert_eq!(parsed.pattern, cronport_core::syntax::unix::parse("*/5 * * * *")?);
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The grammar [`Grammar::detect`] chose.
    pub grammar: Grammar,
    /// The pattern.
    pub pattern: Pattern,
}

impl Parsed {
    /// The pattern on the wall clock of `zone`, under the daylight-saving
    /// rule of the grammar it was written in ([`Grammar::dst_rule`]).
    ///
    /// ```
    /// use cronport_core::{schedule::DstRule, syntax::parse_any};
    /// let zone = jiff::tz::TimeZone::get("Europe/Berlin")?;
    /// assert_eq!(parse_any("cron(0 * * * ? *)")?.in_zone(zone.clone()).dst_rule(), DstRule::AwsScheduler);
    /// assert_eq!(parse_any("0 * * * *")?.in_zone(zone).dst_rule(), DstRule::Source);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_zone(&self, zone: jiff::tz::TimeZone) -> crate::schedule::Schedule {
        crate::schedule::Schedule::new(self.pattern, zone).with_dst_rule(self.grammar.dst_rule())
    }
}

/// Detects the grammar of `input` and parses it.
///
/// ```
/// use cronport_core::syntax::{parse_any, Grammar};
/// assert_eq!(parse_any("@hourly")?.grammar, Grammar::Unix);
/// assert_eq!(parse_any("rate(5 minutes)")?.grammar, Grammar::Aws);
/// assert_eq!(parse_any("every_ten_minutes")?.grammar, Grammar::Heroku);
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
pub fn parse_any(input: &str) -> Result<Parsed, ParseError> {
    let grammar = Grammar::detect(input);
    Ok(Parsed {
        grammar,
        pattern: grammar.parse(input)?,
    })
}

/// The simplest spelling of an AWS expression that names the same runs in
/// `zone`: a Heroku phrase (UTC only), else Unix cron, else as written.
///
/// ```
/// use cronport_core::syntax::simplest_spelling;
/// assert_eq!(simplest_spelling("cron(0/10 * * * ? *)", "UTC"), "every 10 minutes");
/// assert_eq!(simplest_spelling("cron(30 8 ? * MON-FRI *)", "Asia/Tokyo"), "30 8 * * 1-5");
/// assert_eq!(simplest_spelling("cron(0 12 L * ? *)", "UTC"), "cron(0 12 L * ? *)");
/// ```
pub fn simplest_spelling(expression: &str, zone: &str) -> String {
    let Ok(pattern) = aws::parse(expression) else {
        return expression.to_string();
    };
    let utc = jiff::tz::TimeZone::get(zone).is_ok_and(|z| crate::schedule::is_utc(&z));
    if utc && let Ok(text) = Grammar::Heroku.print(&pattern) {
        return text;
    }
    Grammar::Unix
        .print(&pattern)
        .unwrap_or_else(|_| expression.to_string())
}

/// Input that is not a valid expression, with the byte span at fault.
///
/// ```
/// let err = cronport_core::syntax::parse_any("cron(0 25 * * ? *)").unwrap_err();
/// assert_eq!(err.span, 7..9);
/// assert_eq!(err.render("cron(0 25 * * ? *)").lines().last(), Some("  |        ^^"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// The grammar the input was read as.
    pub grammar: Grammar,
    /// The bytes of the input at fault.
    pub span: Range<usize>,
    /// What is wrong and, where cronport can tell, what to write instead.
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(grammar: Grammar, span: Range<usize>, message: impl Into<String>) -> Self {
        ParseError {
            grammar,
            span,
            message: message.into(),
        }
    }

    /// The error with the input line and a caret under the bad span:
    ///
    /// ```text
    /// error: day-of-week 8 is out of range 0–7; did you mean 1?
    ///   |
    ///   | 30 14 * * 8
    ///   |           ^
    /// ```
    ///
    /// ```
    /// let input = "30 14 * * 8";
    /// let err = cronport_core::syntax::unix::parse(input).unwrap_err();
    /// assert_eq!(err.render(input), "error: day-of-week 8 is out of range 0–7; did you mean 1?\n  |\n  | 30 14 * * 8\n  |           ^");
    /// ```
    pub fn render(&self, input: &str) -> String {
        format!("error: {}\n{}", self.message, self.frame(input))
    }

    /// The input line with a caret under the bad span, without the message
    /// (for a front end that says the message its own way).
    ///
    /// ```
    /// let input = "30 14 * * 8";
    /// let err = cronport_core::syntax::unix::parse(input).unwrap_err();
    /// assert_eq!(err.frame(input), "  |\n  | 30 14 * * 8\n  |           ^");
    /// ```
    pub fn frame(&self, input: &str) -> String {
        let start = self.span.start.min(input.len());
        let end = self.span.end.clamp(start, input.len());
        // Columns count characters, not bytes, so the caret lines up.
        let column = input[..start].chars().count();
        let width = input[start..end].chars().count().max(1);
        format!(
            "  |\n  | {}\n  | {}{}",
            input,
            " ".repeat(column),
            "^".repeat(width)
        )
    }
}

/// A pattern that a grammar cannot write.
///
/// ```
/// use cronport_core::syntax::{unix, Grammar};
/// let either = unix::parse("0 12 1 * 1")?; // day-of-month OR day-of-week
/// let err = Grammar::Aws.print(&either).unwrap_err();
/// assert!(err.reason.contains("restricts only one of them"));
/// # Ok::<(), cronport_core::syntax::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{grammar} cannot express this schedule: {reason}")]
pub struct PrintError {
    /// The grammar asked for.
    pub grammar: Grammar,
    /// What it lacks.
    pub reason: String,
}

impl PrintError {
    pub(crate) fn new(grammar: Grammar, reason: impl Into<String>) -> Self {
        PrintError {
            grammar,
            reason: reason.into(),
        }
    }
}

/// The byte offset of `part` inside `whole`. `part` must be a sub-slice.
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// The byte span of `part` inside `whole`.
pub(crate) fn span_of(whole: &str, part: &str) -> Range<usize> {
    let start = offset_in(whole, part);
    start..start + part.len()
}
