//! The app's Heroku Scheduler jobs, as the Scheduler API lists them.

use serde::Serialize;
use serde_json::Value;

use crate::schedule::Schedule;

/// A Heroku Scheduler job as the Scheduler API lists it.
///
/// ```
/// let job = cronport::cutover::HerokuJob { id: "8d3a".into(), command: "rake push".into(), schedule: Some("every 10 minutes".into()) };
/// assert_eq!(job.schedule().unwrap().to_string(), "*/10 * * * * (UTC)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HerokuJob {
    /// The Scheduler's job id.
    pub id: String,
    /// The command it runs.
    pub command: String,
    /// When Heroku runs it, as a Heroku phrase (`every day at 14:30`, UTC);
    /// `None` when the listing's `every`/`at` say no Heroku schedule.
    pub schedule: Option<String>,
}

impl HerokuJob {
    /// The jobs of a Scheduler API job list (`{"data": [{"id", "attributes":
    /// {"command", "every", "at"}}]}`). An entry without an id has an empty
    /// one, and one whose `every`/`at` are unreadable has no schedule: it
    /// cannot be deleted safely, and the pairing says so.
    ///
    /// ```
    /// let listed = serde_json::json!({"data": [{"id": "1", "attributes": {"command": " rake a ", "every": 60, "at": 30}}]});
    /// let jobs = cronport::cutover::HerokuJob::from_list(&listed);
    /// assert_eq!((jobs[0].command.as_str(), jobs[0].schedule.as_deref()), ("rake a", Some("every hour at :30")));
    /// ```
    pub fn from_list(listed: &Value) -> Vec<HerokuJob> {
        listed["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|job| {
                let attributes = &job["attributes"];
                // Every 10 minutes has no `at`; hourly and daily jobs need
                // one, or their window is a guess.
                let at = match attributes["every"].as_i64() {
                    Some(10) => Some(0),
                    _ => attributes["at"].as_i64(),
                };
                let id = match &job["id"] {
                    Value::String(id) => id.trim().to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => String::new(),
                };
                HerokuJob {
                    id,
                    command: attributes["command"]
                        .as_str()
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                    schedule: attributes["every"]
                        .as_i64()
                        .zip(at)
                        .and_then(|(every, at)| crate::syntax::heroku::from_api(every, at).ok()),
                }
            })
            .collect()
    }

    /// Its schedule, read in UTC as Heroku runs it.
    ///
    /// ```
    /// let job = cronport::cutover::HerokuJob { id: "1".into(), command: "x".into(), schedule: None };
    /// assert!(job.schedule().is_none());
    /// ```
    pub fn schedule(&self) -> Option<Schedule> {
        Schedule::parse(self.schedule.as_deref()?, "UTC").ok()
    }

    /// Whether the id may go into a request path: Heroku's ids are UUIDs,
    /// so letters, digits, `-` and `_` only, never `.` or `/` (`..` would
    /// send `DELETE /apps/ID/`).
    ///
    /// ```
    /// use cronport::cutover::HerokuJob;
    /// let job = |id: &str| HerokuJob { id: id.into(), command: "x".into(), schedule: None };
    /// assert!(job("8d3a2c4e-1f0b-4b6e-9a57-3c2d1e0f9a8b").has_safe_id());
    /// assert!(!job("..").has_safe_id() && !job("").has_safe_id() && !job("a/b").has_safe_id());
    /// ```
    pub fn has_safe_id(&self) -> bool {
        crate::escape::is_path_safe_id(&self.id)
    }
}
