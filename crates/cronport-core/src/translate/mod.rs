//! Exact translation of a schedule into AWS expressions, with a proof.
//!
//! Two backends:
//!
//! * [`Backend::Scheduler`] (default): EventBridge Scheduler, which reads an
//!   AWS expression in a time zone (`ScheduleExpressionTimezone`). Most
//!   patterns become one expression; Heroku's "every 10 minutes" becomes
//!   `cron(0/10 * * * ? *)`, aligned to the clock as on Heroku (never
//!   `rate(10 minutes)`, which counts from the schedule's creation). A
//!   schedule that runs every hour in a zone that falls back is written in
//!   UTC when its runs do not depend on the offset, since EventBridge
//!   Scheduler runs a repeated hour once where the source runs it twice.
//! * [`Backend::Rules`]: EventBridge rules, which only know UTC. A fixed
//!   offset (Asia/Tokyo, Asia/Kathmandu) is shifted exactly, with the day,
//!   month and year carries that implies; a zone with daylight saving time
//!   is split into year-bounded expressions, one set per offset period,
//!   valid until the end of the horizon.
//!
//! Every translation is checked by [`verify`] before it is returned: the
//! source under the source daylight-saving rule and the targets as
//! EventBridge runs them ([`DstRule`]) must fire at
//! the same instants over the window, each once. Where AWS cannot express
//! the source exactly, the error names the first instant that differs and
//! what the user can do.
//!
//! ```
//! use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
//!
//! let source = Schedule::new(syntax::unix::parse("30 8 1 * *")?, jiff::tz::TimeZone::get("Asia/Tokyo")?);
//! let options = Options::new(Backend::Rules, "2026-11-24T00:00:00Z".parse()?, "2027-12-31T00:00:00Z".parse()?);
//! let done = translate(&source, &options)?;
//! // 08:30 on the 1st in Tokyo is 23:30 UTC on the last day of the month before.
//! assert_eq!(done.expressions(), ["cron(30 23 L * ? *)"]);
//! assert_eq!(done.runs_out, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod blocks;
mod shift;
mod verify;

use std::fmt;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::Serialize;

use crate::schedule::{
    Cron, DayOfMonth, DayOfWeek, DayRule, Days, DstRule, Pattern, Schedule, civil_from_days,
    days_in_month, time_zone_name,
};
use crate::syntax::aws;
use blocks::Block;

pub use verify::{Counterexample, Duplicates, Proof, count_runs, verify, verify_by_enumeration};

/// Where the schedules go.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
/// let tokyo = Schedule::new(syntax::unix::parse("30 8 1 * *")?, jiff::tz::TimeZone::get("Asia/Tokyo")?);
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let until = Options::default_until(from);
/// // Scheduler keeps the zone; rules read UTC, so 08:30 on the 1st in Tokyo is
/// // 23:30 on the last day of the month before.
/// let scheduler = translate(&tokyo, &Options::new(Backend::Scheduler, from, until))?;
/// assert_eq!(scheduler.expressions(), ["cron(30 8 1 * ? *)"]);
/// let rules = translate(&tokyo, &Options::new(Backend::Rules, from, until))?;
/// assert_eq!(rules.expressions(), ["cron(30 23 L * ? *)"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// EventBridge Scheduler: expressions with a time zone.
    Scheduler,
    /// EventBridge rules: UTC-only expressions.
    Rules,
}

impl Backend {
    /// Every backend, in the order `--help` lists them.
    pub const ALL: [Backend; 2] = [Backend::Scheduler, Backend::Rules];
    /// Their names, as manifests and flags spell them.
    pub const NAMES: &[&str] = &["scheduler", "rules"];

    /// The backend's name (`scheduler`, `rules`).
    ///
    /// ```
    /// assert_eq!(cronport_core::Backend::Rules.name(), "rules");
    /// ```
    pub fn name(self) -> &'static str {
        Backend::NAMES[self as usize]
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Backend {
    type Err = crate::UnknownName;

    /// ```
    /// assert_eq!("rules".parse::<cronport_core::Backend>()?, cronport_core::Backend::Rules);
    /// # Ok::<(), cronport_core::UnknownName>(())
    /// ```
    fn from_str(name: &str) -> Result<Backend, Self::Err> {
        crate::name::lookup("backend", name, Backend::NAMES, &Backend::ALL)
    }
}

/// What to do with a Unix schedule that runs on day-of-month OR
/// day-of-week, when some day matches both (a Monday the 1st for
/// `0 12 1 * 1`): split in two, AWS would run it twice that day.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, DomDow, Options}};
/// // Vixie: noon on the 1st and on every Monday.
/// let source = Schedule::utc(syntax::unix::parse("0 12 1 * 1")?);
/// let from = "2027-01-01T00:00:00Z".parse()?;
/// let mut options = Options::new(Backend::Scheduler, from, "2028-01-01T00:00:00Z".parse()?);
/// assert!(translate(&source, &options).is_err()); // DomDow::Refuse
/// options.dom_dow = DomDow::Double;
/// let double = translate(&source, &options)?;
/// assert_eq!(double.expressions(), ["cron(0 12 1 * ? *)", "cron(0 12 ? * MON *)"]);
/// assert_eq!(double.verified.accepted_duplicates, 3); // three Mondays the 1st in 2027
/// options.dom_dow = DomDow::Expand;
/// let expanded = translate(&source, &options)?;
/// assert_eq!(expanded.verified.accepted_duplicates, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DomDow {
    /// Refuse, naming the first day both halves fire (the default).
    Refuse,
    /// Split anyway and accept the double run on such days.
    Double,
    /// Split, and write the day-of-month half as explicit dates over the
    /// horizon, leaving out the days the day-of-week half covers.
    Expand,
}

impl DomDow {
    /// Every policy, in the order `--help` lists them.
    pub const ALL: [DomDow; 3] = [DomDow::Refuse, DomDow::Double, DomDow::Expand];
    /// Their names, as flags spell them.
    pub const NAMES: &[&str] = &["refuse", "double", "expand"];

    /// The policy's name (`refuse`, `double`, `expand`).
    ///
    /// ```
    /// assert_eq!(cronport_core::DomDow::Expand.name(), "expand");
    /// ```
    pub fn name(self) -> &'static str {
        DomDow::NAMES[self as usize]
    }
}

impl fmt::Display for DomDow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DomDow {
    type Err = crate::UnknownName;

    /// ```
    /// assert_eq!("double".parse::<cronport_core::DomDow>()?, cronport_core::DomDow::Double);
    /// # Ok::<(), cronport_core::UnknownName>(())
    /// ```
    fn from_str(name: &str) -> Result<DomDow, Self::Err> {
        crate::name::lookup(
            "day-of-month/day-of-week policy",
            name,
            DomDow::NAMES,
            &DomDow::ALL,
        )
    }
}

/// How to translate.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let options = Options { until: "2027-01-01T00:00:00Z".parse()?, ..Options::new(Backend::Rules, from, from) };
/// let hourly = translate(&Schedule::utc(syntax::unix::parse("0 * * * *")?), &options)?;
/// assert_eq!(hourly.verified.firings, 38 * 24); // 24 Nov to 31 Dec
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    /// The backend.
    pub backend: Backend,
    /// The start of the verified window, and of any year-bounded output.
    pub from: Timestamp,
    /// The end of the verified window (exclusive), and of any year-bounded
    /// output.
    pub until: Timestamp,
    /// The day-of-month OR day-of-week policy.
    pub dom_dow: DomDow,
}

impl Options {
    /// Options with the default day-of-month OR day-of-week policy
    /// ([`DomDow::Refuse`]).
    ///
    /// ```
    /// use cronport_core::translate::{Backend, DomDow, Options};
    /// let o = Options::new(Backend::Rules, "2027-01-01T00:00:00Z".parse()?, "2028-01-01T00:00:00Z".parse()?);
    /// assert_eq!(o.dom_dow, DomDow::Refuse);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(backend: Backend, from: Timestamp, until: Timestamp) -> Options {
        Options {
            backend,
            from,
            until,
            dom_dow: DomDow::Refuse,
        }
    }

    /// The default horizon: from `from` to the end of the next year, UTC.
    ///
    /// ```
    /// use cronport_core::translate::Options;
    /// let from: jiff::Timestamp = "2026-11-24T09:00:00Z".parse()?;
    /// assert_eq!(Options::default_until(from).to_string(), "2028-01-01T00:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn default_until(from: Timestamp) -> Timestamp {
        let year = from.to_zoned_datetime(TimeZone::UTC).year();
        jiff::civil::Date::new(year.saturating_add(2), 1, 1)
            .and_then(|d| d.to_zoned_datetime(TimeZone::UTC))
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    }
}

/// One AWS expression with the time zone it is read in.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
/// let s = Schedule::new(syntax::heroku::parse("every day at 14:30")?, jiff::tz::TimeZone::get("America/New_York")?);
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let done = translate(&s, &Options::new(Backend::Scheduler, from, Options::default_until(from)))?;
/// assert_eq!(done.targets[0].expression, "cron(30 14 * * ? *)");
/// assert_eq!(done.targets[0].timezone, "America/New_York");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The expression: `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// The zone (`UTC` for rules).
    pub timezone: String,
}

/// A verified translation.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
/// let s = Schedule::new(syntax::unix::parse("30 14 * * *")?, jiff::tz::TimeZone::get("Europe/London")?);
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let done = translate(&s, &Options::new(Backend::Rules, from, Options::default_until(from)))?;
/// assert!(done.targets.len() > 1 && done.runs_out.is_some() && !done.warnings.is_empty());
/// assert!(done.targets.iter().all(|t| t.timezone == "UTC"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Translation {
    /// The backend translated for.
    pub backend: Backend,
    /// The expressions that together fire exactly when the source does.
    pub targets: Vec<Target>,
    /// The proof.
    pub verified: Proof,
    /// When the targets stop being exact because they are bounded by year
    /// (daylight saving time under rules, explicit dates); `None` when they
    /// hold for good.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_out: Option<Timestamp>,
    /// What the user should know.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Why the expressions are not the obvious ones (a schedule written in
    /// UTC because EventBridge Scheduler's daylight-saving rule differs from
    /// the source's, months given their own offsets), a line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Translation {
    /// The target expressions.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
    /// let s = Schedule::utc(syntax::unix::parse("*/10 * * * *")?);
    /// let from = "2026-11-24T00:00:00Z".parse()?;
    /// let done = translate(&s, &Options::new(Backend::Rules, from, Options::default_until(from)))?;
    /// assert_eq!(done.expressions(), ["cron(0/10 * * * ? *)"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expressions(&self) -> Vec<&str> {
        self.targets.iter().map(|t| t.expression.as_str()).collect()
    }
}

/// Why a schedule could not be translated exactly.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
/// let source = Schedule::utc(syntax::unix::parse("0 12 1 * 1")?);
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let refused = translate(&source, &Options::new(Backend::Scheduler, from, Options::default_until(from))).unwrap_err();
/// assert_eq!(refused.counterexample.unwrap().instant.to_string(), "2027-02-01T12:00:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{reason}")]
pub struct NotRepresentable {
    /// Whether the schedule cannot be written exactly, or never runs.
    pub kind: RefusalKind,
    /// What AWS cannot express.
    pub reason: String,
    /// The first instant at which the closest translation would differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
    /// What the user can do instead.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// Why [`translate`] refused.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options, RefusalKind}};
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let options = Options::new(Backend::Scheduler, from, Options::default_until(from));
/// let feb_30 = Schedule::utc(syntax::unix::parse("0 0 30 2 *")?);
/// assert_eq!(translate(&feb_30, &options).unwrap_err().kind, RefusalKind::NeverRuns);
/// let both_days = Schedule::utc(syntax::unix::parse("0 12 1 * 1")?);
/// assert_eq!(translate(&both_days, &options).unwrap_err().kind, RefusalKind::NotExact);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// AWS cannot write the schedule exactly (or the window is unusable).
    #[default]
    NotExact,
    /// The schedule never runs after the window's start: nothing to write.
    NeverRuns,
}

/// Translates `source` for `options.backend`, verified over
/// `[options.from, options.until)`.
///
/// ```
/// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
/// let source = Schedule::new(syntax::unix::parse("0 0 * * *")?, jiff::tz::TimeZone::get("Asia/Kathmandu")?);
/// let from = "2026-11-24T00:00:00Z".parse()?;
/// let done = translate(&source, &Options::new(Backend::Rules, from, Options::default_until(from)))?;
/// assert_eq!(done.expressions(), ["cron(15 18 * * ? *)"]); // +05:45
/// assert_eq!(done.verified.firings, 403);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn translate(source: &Schedule, options: &Options) -> Result<Translation, NotRepresentable> {
    if options.until <= options.from {
        return Err(refusal("the window is empty: --until must be after --from"));
    }
    if let Some(why) = source.never_runs_after(options.from) {
        return Err(NotRepresentable {
            kind: RefusalKind::NeverRuns,
            ..refusal(format!(
                "this schedule never runs after {}: {why}",
                options.from
            ))
        });
    }
    let zone = source.time_zone();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    // A pattern with no run in the window (29 February, in most windows)
    // gets a window that reaches its next run, so that year lists name it
    // and the proof covers it.
    let mut options = options.clone();
    if let Pattern::Cron(_) = source.pattern()
        && let Some(next) = source
            .fires_after(options.from - SignedDuration::from_nanos(1))
            .next()
        && next >= options.until
    {
        let year = next.to_zoned_datetime(TimeZone::UTC).year();
        let end_of_year = jiff::civil::date(year.saturating_add(1), 1, 1)
            .to_zoned_datetime(TimeZone::UTC)
            .map_or(Timestamp::MAX, |z| z.timestamp());
        notes.push(format!(
            "it does not run before {}; the window reaches {end_of_year} to include its next run, {next}",
            options.until
        ));
        options.until = end_of_year;
    }
    let options = &options;
    let (targets, runs_out, duplicates) = match *source.pattern() {
        Pattern::Rate(_) => {
            let text = aws::print(source.pattern()).map_err(|e| refusal(e.to_string()))?;
            (
                vec![target(text, zone, options.backend)],
                None,
                Duplicates::Reject,
            )
        }
        Pattern::At(_) => one_time(source, options)?,
        Pattern::Cron(cron) => {
            let plan = plan_cron(&cron, source, options)?;
            match plan.runs_out {
                Some(end) if plan.bounded > 0 => warnings.push(format!(
                    "{} of these expressions name explicit years; they are exact until {end} and must be regenerated before then (cronport translate --until …)",
                    plan.bounded
                )),
                Some(end) => warnings.push(format!(
                    "these expressions are exact until {end}; regenerate them before then (cronport translate --until …)"
                )),
                None => {}
            }
            if plan.duplicates == Duplicates::Accept {
                warnings.push(
                    "days that match both day-of-month and day-of-week run twice, as accepted with --dom-dow double".to_string(),
                );
            }
            notes.extend(plan.notes);
            (plan.targets, plan.runs_out, plan.duplicates)
        }
    };
    let verified = check(source, &targets, options, duplicates)?;
    Ok(Translation {
        backend: options.backend,
        targets,
        verified,
        runs_out,
        warnings,
        notes,
    })
}

fn refusal(reason: impl Into<String>) -> NotRepresentable {
    NotRepresentable {
        kind: RefusalKind::NotExact,
        reason: reason.into(),
        counterexample: None,
        options: Vec::new(),
    }
}

fn target(expression: String, zone: &TimeZone, backend: Backend) -> Target {
    Target {
        expression,
        timezone: match backend {
            Backend::Scheduler => time_zone_name(zone),
            Backend::Rules => "UTC".to_string(),
        },
    }
}

/// Verifies the targets, read back from their text, against the source.
fn check(
    source: &Schedule,
    targets: &[Target],
    options: &Options,
    duplicates: Duplicates,
) -> Result<Proof, NotRepresentable> {
    let mut schedules = Vec::with_capacity(targets.len());
    for t in targets {
        let zone = TimeZone::get(&t.timezone).unwrap_or(TimeZone::UTC);
        let mut schedule = aws::schedule(&t.expression, zone).map_err(|e| {
            refusal(format!(
                "internal error: cronport wrote `{}`, which it cannot read: {e}",
                t.expression
            ))
        })?;
        let pattern = *schedule.pattern();
        if let Some(start) = source.start() {
            schedule = schedule.with_start(start);
        } else if matches!(pattern, Pattern::Rate(_)) {
            schedule = schedule.with_start(options.from);
        }
        schedules.push(schedule);
    }
    // A rate with no start counts from the window's start on both sides.
    let anchored;
    let source = if source.start().is_none() && matches!(source.pattern(), Pattern::Rate(_)) {
        anchored = source.clone().with_start(options.from);
        &anchored
    } else {
        source
    };
    verify(source, &schedules, options.from, options.until, duplicates).map_err(|c| {
        NotRepresentable {
            kind: RefusalKind::NotExact,
            reason: format!(
                "internal error: the translation is not exact ({c}); please report this schedule"
            ),
            counterexample: Some(c),
            options: Vec::new(),
        }
    })
}

/// `at(...)`: as is for Scheduler; a one-year cron in UTC for rules.
fn one_time(
    source: &Schedule,
    options: &Options,
) -> Result<(Vec<Target>, Option<Timestamp>, Duplicates), NotRepresentable> {
    let zone = source.time_zone();
    match options.backend {
        Backend::Scheduler => {
            let text = aws::print(source.pattern()).map_err(|e| refusal(e.to_string()))?;
            Ok((
                vec![target(text, zone, Backend::Scheduler)],
                None,
                Duplicates::Reject,
            ))
        }
        Backend::Rules => {
            let Some(at) = source.fires_after(Timestamp::MIN).next() else {
                return Err(refusal(
                    "this one-time schedule names a wall time that does not exist in its zone (skipped by a daylight-saving change)",
                ));
            };
            let utc = at.to_zoned_datetime(TimeZone::UTC);
            if utc.second() != 0 {
                return Err(refusal(
                    "EventBridge rules run on whole minutes; this one-time schedule names seconds. Use the scheduler backend",
                ));
            }
            let text = format!(
                "cron({} {} {} {} ? {})",
                utc.minute(),
                utc.hour(),
                utc.day(),
                utc.month(),
                utc.year()
            );
            Ok((
                vec![target(text, zone, Backend::Rules)],
                None,
                Duplicates::Reject,
            ))
        }
    }
}

/// What a cron pattern becomes.
struct CronPlan {
    targets: Vec<Target>,
    runs_out: Option<Timestamp>,
    /// How many targets are bounded by explicit years.
    bounded: usize,
    duplicates: Duplicates,
    notes: Vec<String>,
}

fn plan_cron(
    cron: &Cron,
    source: &Schedule,
    options: &Options,
) -> Result<CronPlan, NotRepresentable> {
    let zone = source.time_zone();
    // Day-of-month OR day-of-week: AWS needs `?` in one field, so the
    // pattern becomes two halves that fire alike except on shared days.
    let mut duplicates = Duplicates::Reject;
    let mut parts: Vec<Part> = Vec::new();
    if cron.days.rule == DayRule::Either {
        let dom_half = Cron {
            days: Days::new(cron.days.day_of_month, DayOfWeek::ALL, DayRule::Both),
            ..*cron
        };
        let dow_half = Cron {
            days: Days::new(DayOfMonth::ALL, cron.days.day_of_week, DayRule::Both),
            ..*cron
        };
        let both = Cron {
            days: Days::new(cron.days.day_of_month, cron.days.day_of_week, DayRule::Both),
            ..*cron
        };
        let shared = Schedule::new(both, zone.clone())
            .fires_after(options.from)
            .next();
        match (shared, options.dom_dow) {
            (None, _) => parts.extend([Part::Pattern(dom_half), Part::Pattern(dow_half)]),
            (Some(_), DomDow::Double) => {
                duplicates = Duplicates::Accept;
                parts.extend([Part::Pattern(dom_half), Part::Pattern(dow_half)]);
            }
            (Some(_), DomDow::Expand) => {
                parts.push(Part::Pattern(dow_half));
                parts.push(Part::Explicit(dom_half, Some(cron.days.day_of_week)));
            }
            (Some(instant), DomDow::Refuse) => {
                return Err(NotRepresentable {
                    kind: RefusalKind::NotExact,
                    reason: format!(
                        "the schedule runs on days matching day-of-month OR day-of-week; AWS cron restricts only one field, and split in two the halves both run on {} (a day matching both)",
                        instant.to_zoned_datetime(zone.clone()).date()
                    ),
                    counterexample: Some(Counterexample {
                        instant,
                        source_count: 1,
                        target_count: 2,
                    }),
                    options: vec![
                        "--dom-dow double: split it and accept two runs on days matching both".to_string(),
                        "--dom-dow expand: split it and list the day-of-month dates explicitly over the horizon, leaving out days the day-of-week half covers".to_string(),
                        "change the schedule so it restricts only one of the two fields".to_string(),
                    ],
                });
            }
        }
    } else {
        parts.push(Part::Pattern(*cron));
    }

    let mut placed = Placed::default();
    for part in parts {
        let part_placed = match options.backend {
            Backend::Scheduler => scheduler_blocks(&part, source, options),
            Backend::Rules => rules_blocks(&part, source, options),
        };
        placed.add(part_placed);
    }
    if placed.runs_out == Some(options.until) {
        let (first, last) = covered_days(options);
        let years = civil_from_days(first).0..=civil_from_days(last).0;
        let aws_years = crate::schedule::MIN_YEAR..=crate::schedule::MAX_YEAR;
        if !aws_years.contains(years.start()) || !aws_years.contains(years.end()) {
            return Err(refusal(format!(
                "this translation names explicit years, and AWS cron names only years 1970–2199; the window covers {}–{}. Choose a window inside those years with --from and --until",
                years.start(),
                years.end()
            )));
        }
    }
    // Halves are kept apart when double runs are accepted: merged, they
    // would run once.
    let merge = |blocks: Vec<Block>| {
        if duplicates == Duplicates::Accept {
            blocks
        } else {
            blocks::merge(blocks)
        }
    };
    let mut targets = Vec::new();
    let mut bounded = 0;
    for (blocks, utc) in [(merge(placed.local), false), (merge(placed.utc), true)] {
        for block in blocks {
            let cron = block.to_cron();
            bounded += usize::from(cron.years.is_some());
            let text = aws::print_cron(&cron).map_err(|e| refusal(e.to_string()))?;
            targets.push(if utc {
                target(text, &TimeZone::UTC, options.backend)
            } else {
                target(text, zone, options.backend)
            });
        }
    }
    Ok(CronPlan {
        targets,
        runs_out: placed.runs_out,
        bounded,
        duplicates,
        notes: placed.notes,
    })
}

/// A piece of the source to translate.
enum Part {
    /// A pattern, translated as a whole.
    Pattern(Cron),
    /// A pattern listed date by date over the horizon, leaving out the days
    /// a day-of-week field names.
    Explicit(Cron, Option<DayOfWeek>),
}

impl Part {
    fn cron(&self) -> &Cron {
        match self {
            Part::Pattern(cron) | Part::Explicit(cron, _) => cron,
        }
    }

    fn except(&self) -> Option<DayOfWeek> {
        match self {
            Part::Pattern(_) => None,
            Part::Explicit(_, except) => *except,
        }
    }
}

/// Blocks for one or more parts: read on the source's clock (`local`: its
/// zone under Scheduler, UTC under rules) or on UTC.
#[derive(Default)]
struct Placed {
    local: Vec<Block>,
    utc: Vec<Block>,
    /// When the blocks stop being exact, if they do.
    runs_out: Option<Timestamp>,
    /// Why the blocks are not the obvious ones, a line each.
    notes: Vec<String>,
}

impl Placed {
    fn local(local: Vec<Block>, runs_out: Option<Timestamp>) -> Placed {
        Placed {
            local,
            runs_out,
            ..Placed::default()
        }
    }

    fn add(&mut self, other: Placed) {
        self.local.extend(other.local);
        self.utc.extend(other.utc);
        self.runs_out = match (self.runs_out, other.runs_out) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.notes.extend(other.notes);
    }
}

/// Scheduler: the pattern in its zone when AWS can write it, otherwise
/// explicit wall-clock dates over the horizon (bounded). Where the source
/// rule runs a repeated wall time twice and EventBridge Scheduler's rule
/// once, the pattern is written in UTC if its runs do not depend on the
/// zone's offset, and the second pass is added in UTC otherwise.
fn scheduler_blocks(part: &Part, source: &Schedule, options: &Options) -> Placed {
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
fn folds(zone: &TimeZone, from: Timestamp, until: Timestamp) -> Vec<(Timestamp, Timestamp)> {
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

/// A UTC instant as the civil `(year, month, day, minute of day)` of
/// explicit blocks.
fn utc_civil(t: Timestamp) -> (i32, u8, u8, u16) {
    let secs = t.as_second();
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    (y, m, d, (secs.rem_euclid(86_400) / 60) as u16)
}

/// How far past the window expressions without a year list are checked
/// against the zone's offsets and fall-backs: a year and a month, one
/// whole daylight-saving cycle.
const BEYOND_WINDOW_DAYS: i64 = 400;

/// The end of that look past the window.
fn lookahead_end(options: &Options) -> Timestamp {
    let (_, last) = covered_days(options);
    day_start((last + 1).saturating_add(BEYOND_WINDOW_DAYS))
}

/// The years a year list may name: those of the covered days.
fn window_years(options: &Options) -> std::ops::RangeInclusive<i32> {
    let (first, last) = covered_days(options);
    civil_from_days(first).0..=civil_from_days(last).0
}

/// The pattern's UTC blocks if they are the same under every offset the
/// zone uses over the window (an hourly job under whole-hour offsets,
/// every 15 minutes under half-hour ones), so that no offset period needs
/// its own.
fn offset_free_utc(cron: &Cron, zone: &TimeZone, options: &Options) -> Option<Vec<Block>> {
    let (first, _) = covered_days(options);
    // The offsets of the window and of the year after it: the output has
    // no year list, so it must hold past the window too.
    let mut offsets = vec![zone.to_offset(day_start(first)).seconds()];
    offsets.extend(
        offset_changes(zone, day_start(first), lookahead_end(options))
            .into_iter()
            .map(|t| zone.to_offset(t).seconds()),
    );
    offsets.sort_unstable();
    offsets.dedup();
    let years = window_years(options);
    let shifted: Vec<Vec<Block>> = offsets
        .iter()
        .map(|o| {
            let shift = (o % 60 == 0)
                .then(|| shift::to_utc(cron, o / 60, &years))
                .flatten()?;
            (!shift.bounded).then(|| blocks::merge(shift.blocks))
        })
        .collect::<Option<_>>()?;
    (shifted.windows(2).all(|w| w[0] == w[1])
        && shifted[0]
            .iter()
            .all(|b| aws::print_cron(&b.to_cron()).is_ok()))
    .then(|| shifted[0].clone())
}

/// Rules: shift fixed offsets symbolically; write patterns whose UTC runs
/// are the same under every offset once; give each month its offset where
/// that holds over the window; split the rest into offset periods; list
/// what none of these can write date by date.
fn rules_blocks(part: &Part, source: &Schedule, options: &Options) -> Placed {
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
    if let Some(blocks) = offset_free_utc(cron, zone, options) {
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
fn by_month(cron: &Cron, source: &Schedule, options: &Options) -> Option<Placed> {
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
fn fixed_offset(zone: &TimeZone, from: Timestamp) -> Option<i32> {
    let offset = zone.to_offset(from);
    zone.following(from)
        .take(1000)
        .all(|tr| tr.offset() == offset)
        .then_some(offset.seconds())
}

/// The instants after `from` at which the zone's offset changes, before
/// `until`.
fn offset_changes(zone: &TimeZone, from: Timestamp, until: Timestamp) -> Vec<Timestamp> {
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

/// The UTC day number (days since 1970-01-01) of an instant.
fn utc_day(t: Timestamp) -> i64 {
    t.as_second().div_euclid(86_400)
}

fn day_start(day: i64) -> Timestamp {
    Timestamp::from_second(day * 86_400).unwrap_or(Timestamp::MAX)
}

/// The UTC days the output covers: the whole months (UTC) of the window.
/// Runs before `from` in its month are in the past when the output is
/// deployed; whole months keep the expressions few.
fn covered_days(options: &Options) -> (i64, i64) {
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
fn explicit_utc(
    cron: &Cron,
    except: Option<DayOfWeek>,
    source: &Schedule,
    options: &Options,
) -> Vec<Block> {
    let (first, last) = covered_days(options);
    explicit_utc_days(cron, except, source, first, last)
}

/// Runs of `cron` on the source's clock on UTC days `first..=last`.
fn explicit_utc_days(
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
fn explicit_civil(
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

fn excluded(except: Option<DayOfWeek>, t: Timestamp, zone: &TimeZone) -> bool {
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

/// Rules for a zone with offset changes: each offset period's UTC days
/// carry that period's shifted pattern; the days with a transition (and the
/// first and last day) are listed explicitly. `None` when a period's shift
/// is not writable.
fn periods(cron: &Cron, source: &Schedule, options: &Options) -> Option<Vec<Block>> {
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

/// A stretch of calendar: one year's months (whole), a run of whole years,
/// or some days of one month.
#[derive(Debug, Clone, Copy)]
struct CalendarBlock {
    years: crate::schedule::Years,
    months: u16,
    /// `None`: whole months. `Some(days)`: bits 1–31 of one month.
    days: Option<u32>,
}

/// Splits UTC days `first..=last` into calendar blocks.
fn calendar_blocks(first: i64, last: i64) -> Vec<CalendarBlock> {
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
fn intersect(block: &Block, cal: &CalendarBlock) -> Option<Block> {
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
