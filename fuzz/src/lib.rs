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

/// Every importer's input: never panics; what it accepts survives a trip
/// through TOML unchanged.
pub fn check_import(format: &str, text: &str) {
    use cronport::import;
    let defaults = import::Defaults::default();
    let imported = match format {
        "heroku" => import::heroku(text, &defaults),
        "terraform" => import::terraform(text, &defaults),
        "crontogo" => import::crontogo(text, &defaults),
        "crontab" => import::crontab(text, &defaults),
        "ecschedule" => import::ecschedule(text, &defaults),
        other => panic!("unknown importer {other}"),
    };
    let Ok(imported) = imported else { return };
    let toml = imported
        .manifest
        .to_toml()
        .expect("an imported manifest writes as TOML");
    let back: cronport::manifest::Manifest =
        toml::from_str(&toml).unwrap_or_else(|e| panic!("{toml}\n{e}"));
    assert_eq!(back, imported.manifest);
}

/// A manifest's text: never panics; an accepted manifest prints to TOML
/// that is accepted again and equal.
pub fn check_manifest(text: &str) {
    let Ok(manifest) = cronport::manifest::Manifest::from_toml(text, "fuzz.toml") else {
        return;
    };
    let again = cronport::manifest::Manifest::from_toml(
        &manifest.to_toml().expect("a manifest writes as TOML"),
        "again.toml",
    )
    .unwrap_or_else(|e| panic!("accepted manifest does not print to an accepted one: {e}"));
    assert_eq!(again, manifest);
}
