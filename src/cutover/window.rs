//! When a Heroku job may be deleted without losing or doubling a run.
//!
//! Before the instant Heroku runs the job; from it, AWS does. Between
//! Heroku's last run before the instant and its first at or after it,
//! Heroku starts nothing, so a delete in that gap stops exactly the runs
//! AWS makes. The gap is narrowed at both ends: Heroku starts runs late
//! ("within a few minutes", its docs say, and sometimes later), so the
//! window opens a little after the last run, and it closes a little before
//! the next, so a delete in flight lands first.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::schedule::Schedule;

/// How long after a run's scheduled time the window opens: Heroku may
/// still be starting that run.
const LATE_START: SignedDuration = SignedDuration::from_secs(120);

/// How long before the next run the window closes.
const CLOSING_MARGIN: SignedDuration = SignedDuration::from_secs(30);

/// A job's safe window for one cutover instant.
///
/// ```
/// use cronport::{cutover::Window, schedule::Schedule};
/// let every_ten = Schedule::parse("every 10 minutes", "UTC")?;
/// let w = Window::around(&every_ten, "2026-12-01T03:05:00Z".parse()?).unwrap();
/// assert_eq!(w.last_run.unwrap().to_string(), "2026-12-01T03:00:00Z");
/// assert_eq!(w.next_run.to_string(), "2026-12-01T03:10:00Z");
/// assert_eq!((w.opens.to_string(), w.closes.to_string()), ("2026-12-01T03:02:00Z".into(), "2026-12-01T03:09:30Z".into()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// The schedule's last run before the instant (within eight years).
    pub last_run: Option<Timestamp>,
    /// Its first run at or after the instant.
    pub next_run: Timestamp,
    /// The earliest safe moment to act.
    pub opens: Timestamp,
    /// The moment after which acting is late: the next run may start.
    pub closes: Timestamp,
}

impl Window {
    /// The window of `schedule` around the instant `at`; `None` when the
    /// schedule has no run at or after it (within eight years).
    pub fn around(schedule: &Schedule, at: Timestamp) -> Option<Window> {
        let next_run = schedule
            .fires_between(
                at,
                at.checked_add(SignedDuration::from_hours(24 * 8 * 366))
                    .ok()?,
            )
            .next()?;
        let last_run = super::last_before(schedule, at);
        // A fifth of the gap at most at the start, a twentieth at the end:
        // a 10-minute job gets 2 minutes and 30 seconds.
        let gap = last_run.map(|last| next_run.duration_since(last));
        let late_start = gap.map_or(LATE_START, |g| LATE_START.min(g / 5));
        let margin = gap.map_or(CLOSING_MARGIN, |g| CLOSING_MARGIN.min(g / 20));
        Some(Window {
            last_run,
            next_run,
            opens: last_run.map_or(at, |last| last + late_start),
            closes: next_run - margin,
        })
    }

    /// Whether `t` is inside the window.
    ///
    /// ```
    /// use cronport::{cutover::Window, schedule::Schedule};
    /// let w = Window::around(&Schedule::parse("every hour at :00", "UTC")?, "2026-12-01T03:05:00Z".parse()?).unwrap();
    /// assert!(w.contains("2026-12-01T03:30:00Z".parse()?));
    /// assert!(!w.contains("2026-12-01T03:01:00Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contains(&self, t: Timestamp) -> bool {
        self.opens <= t && t < self.closes
    }
}

/// The runs of `schedule` in `[from, until)`: the runs Heroku made after
/// the instant when a job was deleted late (each one AWS made too, for a
/// job whose schedule did not change), or the runs AWS missed when a rule
/// was enabled late.
///
/// ```
/// use cronport::{cutover::runs_between, schedule::Schedule};
/// let hourly = Schedule::parse("every hour at :00", "UTC")?;
/// let runs = runs_between(&hourly, "2026-12-01T03:05:00Z".parse()?, "2026-12-01T05:30:00Z".parse()?);
/// assert_eq!(runs.len(), 2); // 04:00 and 05:00
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn runs_between(schedule: &Schedule, from: Timestamp, until: Timestamp) -> Vec<Timestamp> {
    schedule.fires_between(from, until).take(10_000).collect()
}
