//! cronport: move scheduled jobs off Heroku onto AWS, exactly.
//!
//! The library's core is an exact model of cron schedules in three grammars
//! — Unix (Vixie) cron, AWS cron/rate/at, and Heroku Scheduler — with time
//! zones and daylight saving time:
//!
//! * [`syntax`] parses and prints each grammar, with errors that point at the
//!   bad byte span;
//! * [`schedule`] holds the normalized model, iterates fire times in any IANA
//!   time zone, and describes schedules in English.
//!
//! ```
//! use cronport::{schedule::Schedule, syntax};
//! use jiff::{tz::TimeZone, Timestamp};
//!
//! let parsed = syntax::parse_any("cron(30 14 ? * MON-FRI *)")?;
//! let schedule = Schedule::new(parsed.pattern, TimeZone::get("Asia/Tokyo")?);
//! let from: Timestamp = "2026-11-27T00:00:00Z".parse()?; // a Friday
//! let next: Vec<String> = schedule.fires_after(from).take(2).map(|t| t.to_string()).collect();
//! assert_eq!(next, ["2026-11-27T05:30:00Z", "2026-11-30T05:30:00Z"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

#[cfg(feature = "aws")]
pub mod aws;
pub mod calendar;
pub mod cost;
pub mod cutover;
pub mod desired;
pub mod diff;
pub mod escape;
pub mod fit;
mod hint;
pub mod import;
pub mod manifest;
pub mod migration;
pub mod owner;
pub mod plan;
pub mod render;
pub mod task;
pub mod verify;

pub use hint::{Advice, Hint};

// The schedule core lives in its own crate, which depends on no AWS SDK,
// async runtime or CLI parser; its modules are this crate's too.
pub use cronport_core::{
    Backend, DomDow, DstRule, Explanation, Grammar, Options, Pattern, Schedule, ScheduleError,
    Translation, UnknownName,
};
pub use cronport_core::{explain, schedule, syntax, translate};
