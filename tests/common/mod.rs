//! Helpers shared by the integration tests.
#![allow(dead_code)]

use cronport::{schedule::Schedule, syntax};
use jiff::{Timestamp, tz::TimeZone};

/// Parses `expr` in any grammar and puts it in `zone`.
pub fn schedule(expr: &str, zone: &str) -> Schedule {
    let parsed = syntax::parse_any(expr).unwrap_or_else(|e| panic!("{}", e.render(expr)));
    Schedule::new(parsed.pattern, TimeZone::get(zone).unwrap())
}

/// The first `n` runs strictly after `from`, as RFC 3339 instants with the
/// zone's offset, so a reader sees both the wall time and the instant.
pub fn runs(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
    let s = schedule(expr, zone);
    let from: Timestamp = from.parse().unwrap();
    let tz = s.time_zone().clone();
    s.fires_after(from)
        .take(n)
        .map(|t| t.display_with_offset(tz.to_offset(t)).to_string())
        .collect()
}
