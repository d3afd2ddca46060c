//! What a caller can do about a refusal or a warning, typed. The library
//! names no command-line flag: a refusal's reason and a warning's fact end
//! where the remedy begins, the remedy is a value, and its `Display` words it
//! in this crate's terms ([`Options::until`](super::Options::until),
//! [`DomDow::Double`]). A front end matches the value and words it as its own
//! flag or setting (the `cronport` binary: `--until`, `--dom-dow double`).

use std::fmt;

use jiff::Timestamp;
use serde::{Serialize, Serializer};

use super::DomDow;

/// Something the caller can change to get an exact translation: one of a
/// [`NotRepresentable`](super::NotRepresentable)'s `options`.
///
/// Its [`Display`](fmt::Display) says it in this crate's terms (the option
/// to set); it serializes as that text.
///
/// ```
/// use cronport_core::translate::{DomDow, Remedy};
/// assert_eq!(
///     Remedy::DomDow(DomDow::Double).to_string(),
///     "`DomDow::Double`: split it and accept two runs on days matching both"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// Translate with this day-of-month OR day-of-week policy
    /// ([`Options::dom_dow`](super::Options::dom_dow)).
    DomDow(DomDow),
    /// Change the schedule so it restricts only one of the two day fields.
    OneDayField,
    /// End the window ([`Options::until`](super::Options::until)) after its
    /// start ([`Options::from`](super::Options::from)).
    EndAfterStart,
    /// Choose a window ([`Options::from`](super::Options::from) to
    /// [`Options::until`](super::Options::until)) inside the years AWS cron
    /// names, 1970–2199.
    WindowInAwsYears,
    /// Translate for [`Backend::Scheduler`](super::Backend::Scheduler),
    /// which can start a schedule at a given instant.
    UseScheduler,
}

impl Remedy {
    /// What the remedy does, without the option that does it: a front end
    /// puts its own name for the option before it.
    ///
    /// ```
    /// use cronport_core::translate::{DomDow, Remedy};
    /// let r = Remedy::DomDow(DomDow::Double);
    /// assert_eq!(format!("--dom-dow {}: {}", DomDow::Double, r.effect()), "--dom-dow double: split it and accept two runs on days matching both");
    /// assert_eq!(Remedy::WindowInAwsYears.effect(), "choose a window inside those years");
    /// ```
    pub fn effect(self) -> &'static str {
        match self {
            Remedy::DomDow(DomDow::Refuse) => {
                "refuse the schedule, naming the first day matching both"
            }
            Remedy::DomDow(DomDow::Double) => "split it and accept two runs on days matching both",
            Remedy::DomDow(DomDow::Expand) => {
                "split it and list the day-of-month dates explicitly over the horizon, leaving out days the day-of-week half covers"
            }
            Remedy::OneDayField => "change the schedule so it restricts only one of the two fields",
            Remedy::EndAfterStart => "end the window after its start",
            Remedy::WindowInAwsYears => "choose a window inside those years",
            Remedy::UseScheduler => {
                "use EventBridge Scheduler, which starts a schedule at a given instant"
            }
        }
    }
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remedy::DomDow(policy) => {
                let variant = match policy {
                    DomDow::Refuse => "Refuse",
                    DomDow::Double => "Double",
                    DomDow::Expand => "Expand",
                };
                write!(f, "`DomDow::{variant}`: {}", self.effect())
            }
            Remedy::OneDayField => f.write_str(self.effect()),
            Remedy::UseScheduler => {
                write!(f, "`Backend::Scheduler`: {}", self.effect())
            }
            Remedy::EndAfterStart => {
                f.write_str("end the window (`Options::until`) after its start (`Options::from`)")
            }
            Remedy::WindowInAwsYears => f.write_str(
                "choose a window (`Options::from` to `Options::until`) inside those years",
            ),
        }
    }
}

impl Serialize for Remedy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What the user should know about a translation: one of a
/// [`Translation`](super::Translation)'s `warnings`.
///
/// [`fact`](Warning::fact) says what holds; [`Display`](fmt::Display) adds
/// the remedy in this crate's terms. It serializes as its `Display` text.
///
/// ```
/// use cronport_core::translate::Warning;
/// let w = Warning::RunsOut { until: "2028-01-01T00:00:00Z".parse()?, bounded: 0 };
/// assert_eq!(w.fact(), "these expressions are exact until 2028-01-01T00:00:00Z; regenerate them before then");
/// assert_eq!(w.to_string(), "these expressions are exact until 2028-01-01T00:00:00Z; regenerate them before then (translate again with a later `Options::until`)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The expressions are exact only until an instant
    /// ([`Translation::runs_out`](super::Translation::runs_out)): translate
    /// again, with a later [`Options::until`](super::Options::until), before
    /// then.
    RunsOut {
        /// When they stop being exact.
        until: Timestamp,
        /// How many of them name explicit years (0: none; the window's end
        /// bounds them otherwise).
        bounded: usize,
    },
    /// Days matching both day-of-month and day-of-week run twice, as
    /// [`DomDow::Double`] accepts.
    DoubleRuns,
    /// A `rate(...)` left a rate: EventBridge Scheduler counts it from the
    /// schedule's `StartDate` (from its creation without one), which must
    /// be in the rate's phase, such as `phase`.
    RateNeedsStartDate {
        /// The first instant of the phase at or after the window's start.
        phase: Timestamp,
    },
}

impl Warning {
    /// What holds, up to where the remedy begins: a front end adds its own
    /// wording of the remedy after it.
    ///
    /// ```
    /// use cronport_core::translate::Warning;
    /// assert_eq!(
    ///     format!("{} with --dom-dow double", Warning::DoubleRuns.fact()),
    ///     "days that match both day-of-month and day-of-week run twice, as accepted with --dom-dow double"
    /// );
    /// ```
    pub fn fact(self) -> String {
        match self {
            Warning::RunsOut { until, bounded: 0 } => {
                format!("these expressions are exact until {until}; regenerate them before then")
            }
            Warning::RunsOut { until, bounded } => format!(
                "{bounded} of these expressions name explicit years; they are exact until {until} and must be regenerated before then"
            ),
            Warning::DoubleRuns => {
                "days that match both day-of-month and day-of-week run twice, as accepted"
                    .to_string()
            }
            Warning::RateNeedsStartDate { phase } => format!(
                "EventBridge Scheduler counts a rate from the schedule's StartDate, or else from its creation: give it a StartDate in this phase, such as {phase}"
            ),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fact())?;
        match self {
            Warning::RunsOut { .. } => {
                f.write_str(" (translate again with a later `Options::until`)")
            }
            Warning::DoubleRuns => f.write_str(" with `DomDow::Double`"),
            Warning::RateNeedsStartDate { .. } => Ok(()),
        }
    }
}

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
