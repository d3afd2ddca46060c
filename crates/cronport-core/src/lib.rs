//! cronport-core: exact cron semantics for Unix, AWS and Heroku Scheduler.
//!
//! The schedule core of [cronport](https://github.com/cronport/cronport),
//! with no AWS SDK, async runtime or command-line parser in its
//! dependencies:
//!
//! * [`syntax`] parses and prints each grammar (Unix/Vixie cron, AWS
//!   `cron()`/`rate()`/`at()`, Heroku Scheduler phrases), with errors that
//!   point at the bad byte span;
//! * [`schedule`] holds the normalized model, iterates fire times in any
//!   IANA time zone under a named daylight-saving rule, and describes
//!   schedules in English;
//! * [`mod@translate`] turns a schedule into EventBridge expressions and proves
//!   the translation runs at exactly the same instants over a window;
//! * [`mod@explain`] answers "what does this expression do" in one value.
//!
//! The types a user types first are re-exported here.
//!
//! ```
//! use cronport_core::{Backend, Options, Schedule, translate};
//!
//! // A Heroku phrase is read in UTC; other grammars in the zone given.
//! let nightly: Schedule = Schedule::parse("30 2 * * *", "Europe/Berlin")?;
//! let from = "2026-11-27T00:00:00Z".parse()?;
//! let next: Vec<String> = nightly.fires_after(from).take(1).map(|t| t.to_string()).collect();
//! assert_eq!(next, ["2026-11-27T01:30:00Z"]);
//!
//! // To EventBridge rules, which only know UTC: one expression per stretch
//! // of one offset, proven to run at the same 399 instants to the end of 2027.
//! let rules = translate(&nightly, &Options::new(Backend::Rules, from, Options::default_until(from)))?;
//! assert_eq!(rules.expressions()[0], "cron(30 1 * 11,12 ? 2026)");
//! assert_eq!((rules.expressions().len(), rules.verified.firings), (5, 399));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod explain;
mod name;
pub mod schedule;
pub mod syntax;
pub mod translate;

pub use explain::{Explanation, explain};
pub use name::UnknownName;
pub use schedule::{DstRule, Pattern, Schedule, ScheduleError};
pub use syntax::{Grammar, ParseError, Parsed, parse_any};
pub use translate::{Backend, DomDow, NotRepresentable, Options, Translation, translate};

// The README's example runs as a doc test, so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
