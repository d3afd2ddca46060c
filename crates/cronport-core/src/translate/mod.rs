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
//! EventBridge runs them ([`DstRule`](crate::schedule::DstRule)) must fire at
//! the same instants over the window, each once. Where AWS cannot express
//! the source exactly, the error names the first instant that differs and
//! what the user can do: [`Remedy`] values, as a translation's warnings are
//! [`Warning`] values, worded in this crate's terms ([`Options::until`],
//! [`DomDow::Double`]) for a front end to word as its own flags.
//!
//! The code: this module holds the types and the orchestration
//! ([`translate`]); `scheduler.rs` and `rules.rs` place a pattern for each
//! backend; `dom_dow.rs` splits a day-of-month OR day-of-week pattern;
//! `calendar.rs` and `shift.rs` do the date arithmetic; `blocks.rs` merges
//! what AWS can write in one expression; `verify.rs` is the proof;
//! `remedy.rs` holds the remedies and warnings.
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
mod calendar;
mod dom_dow;
mod remedy;
mod rules;
mod scheduler;
mod shift;
mod verify;

use std::fmt;

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::Serialize;

use crate::schedule::{Cron, DayOfWeek, Pattern, Schedule, civil_from_days, time_zone_name};
use crate::syntax::aws;
pub use remedy::{Remedy, Warning};

use blocks::Block;
use calendar::covered_days;
use rules::rules_blocks;
use scheduler::scheduler_blocks;

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
pub struct ZonedExpression {
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
    pub targets: Vec<ZonedExpression>,
    /// The proof.
    pub verified: Proof,
    /// When the targets stop being exact because they are bounded by year
    /// (daylight saving time under rules, explicit dates); `None` when they
    /// hold for good.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_out: Option<Timestamp>,
    /// What the user should know, each with its remedy as a value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
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

    /// Whether a `rate(...)` stays a rate (no cron writes its runs), so
    /// that its phase is the schedule's StartDate.
    ///
    /// ```
    /// use cronport_core::{schedule::Schedule, syntax, translate::{translate, Backend, Options}};
    /// let from = "2026-11-24T00:00:00Z".parse()?;
    /// let options = Options::new(Backend::Scheduler, from, Options::default_until(from));
    /// let odd = translate(&Schedule::utc(syntax::aws::parse("rate(45 minutes)")?), &options)?;
    /// let hourly = translate(&Schedule::utc(syntax::aws::parse("rate(1 hour)")?), &options)?;
    /// assert!(odd.keeps_rate() && !hourly.keeps_rate());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn keeps_rate(&self) -> bool {
        keeps_rate(&self.targets)
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
    /// What the user can do instead (the reason ends where these begin).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Remedy>,
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
        return Err(NotRepresentable {
            options: vec![Remedy::EndAfterStart],
            ..refusal("the window is empty")
        });
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
        Pattern::Rate(rate) => {
            let targets = rate_targets(rate, source, options)?;
            if keeps_rate(&targets) {
                let anchor = source.start().unwrap_or(Timestamp::UNIX_EPOCH);
                warnings.push(Warning::RateNeedsStartDate {
                    phase: rate.first_at_or_after(anchor, options.from),
                });
            }
            (targets, None, Duplicates::Reject)
        }
        Pattern::At(_) => one_time(source, options)?,
        Pattern::Cron(cron) => {
            let plan = plan_cron(&cron, source, options)?;
            if let Some(until) = plan.runs_out {
                warnings.push(Warning::RunsOut {
                    until,
                    bounded: plan.bounded,
                });
            }
            if plan.duplicates == Duplicates::Accept {
                warnings.push(Warning::DoubleRuns);
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

fn target(expression: String, zone: &TimeZone, backend: Backend) -> ZonedExpression {
    ZonedExpression {
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
    targets: &[ZonedExpression],
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
        // A rate target keeps the source's phase: Scheduler is given it
        // as the StartDate.
        if let Some(start) = source.start() {
            schedule = schedule.with_start(start);
        }
        schedules.push(schedule);
    }
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

/// `rate(...)`: the cron on the UTC clock that runs exactly when it does,
/// where one exists and the rate has begun; otherwise the rate itself,
/// which only Scheduler can place (its `StartDate` carries the phase:
/// a rule counts a rate from the moment it is created).
fn rate_targets(
    rate: crate::schedule::Rate,
    source: &Schedule,
    options: &Options,
) -> Result<Vec<ZonedExpression>, NotRepresentable> {
    let anchor = source.start().unwrap_or(Timestamp::UNIX_EPOCH);
    if anchor <= options.from
        && let Some(cron) = rate.on_the_clock(anchor)
    {
        return Ok(vec![target(cron, &TimeZone::UTC, options.backend)]);
    }
    if options.backend == Backend::Rules {
        let why = if anchor > options.from {
            format!("it starts at {anchor}, and EventBridge rules have no start date")
        } else {
            "no cron writes its runs (crons run on whole minutes, at intervals that divide an hour or a day, or once a week), and an EventBridge rule counts a rate from the moment it is created".to_string()
        };
        return Err(NotRepresentable {
            options: vec![Remedy::UseScheduler],
            ..refusal(format!("rules cannot place this rate's runs: {why}"))
        });
    }
    let text = aws::print(source.pattern()).map_err(|e| refusal(e.to_string()))?;
    Ok(vec![target(text, source.time_zone(), options.backend)])
}

/// Whether the targets keep a `rate(...)` as a rate (no cron writes it),
/// whose phase only a StartDate gives.
fn keeps_rate(targets: &[ZonedExpression]) -> bool {
    targets.iter().any(|t| t.expression.starts_with("rate("))
}

/// `at(...)`: as is for Scheduler; a one-year cron in UTC for rules.
fn one_time(
    source: &Schedule,
    options: &Options,
) -> Result<(Vec<ZonedExpression>, Option<Timestamp>, Duplicates), NotRepresentable> {
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
    targets: Vec<ZonedExpression>,
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
    let (parts, duplicates) = dom_dow::split(cron, zone, options)?;

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
            return Err(NotRepresentable {
                options: vec![Remedy::WindowInAwsYears],
                ..refusal(format!(
                    "this translation names explicit years, and AWS cron names only years 1970–2199; the window covers {}–{}",
                    years.start(),
                    years.end()
                ))
            });
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
        for block in blocks.into_iter().flat_map(blocks::within_length) {
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
