//! The property every parser target checks.

use cronport::schedule::Schedule;
use cronport::syntax::Grammar;
use jiff::{Timestamp, tz::TimeZone};

/// Parses `text` in `grammar`; if it is accepted, its canonical text must
/// parse back to the same pattern, and iterating a few runs in UTC and in a
/// DST zone must not panic.
pub fn check(grammar: Grammar, text: &str) {
    let Ok(pattern) = grammar.parse(text) else {
        return;
    };
    let canonical = grammar
        .print(&pattern)
        .unwrap_or_else(|e| panic!("{text:?} parsed but does not print: {e}"));
    let reparsed = grammar
        .parse(&canonical)
        .unwrap_or_else(|e| panic!("canonical {canonical:?} of {text:?} does not parse: {e}"));
    assert_eq!(reparsed, pattern, "{text:?} -> {canonical:?}");
    let from = Timestamp::from_second(1_800_000_000).unwrap();
    for zone in [TimeZone::UTC, TimeZone::get("America/New_York").unwrap()] {
        let schedule = Schedule::new(pattern, zone);
        let mut previous = from;
        for t in schedule.fires_after(from).take(5) {
            assert!(t > previous);
            previous = t;
        }
        let _ = schedule.describe();
    }
}
