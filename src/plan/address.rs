//! Where a resource lives.

use std::fmt;

use serde::Serialize;

/// Where a resource lives: its kind and its name (and group).
///
/// ```
/// use cronport::plan::Address;
/// let a = Address::Schedule { group: "mamorio".into(), name: "cronport-daily".into() };
/// assert_eq!(a.to_string(), "schedule mamorio/cronport-daily");
/// assert_eq!(a.name(), "mamorio/cronport-daily");
/// assert_eq!(serde_json::to_value(&a)?["kind"], "schedule");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Address {
    /// An EventBridge Scheduler schedule group.
    ScheduleGroup {
        /// Its name.
        name: String,
    },
    /// An EventBridge Scheduler schedule.
    Schedule {
        /// Its group.
        group: String,
        /// Its name.
        name: String,
    },
    /// An EventBridge rule (default bus) with its ECS target.
    Rule {
        /// Its name.
        name: String,
    },
    /// A deployment's run record: the rule (named here) that copies its
    /// tasks' events to a log group, the log group, and its policy.
    RunRecord {
        /// The rule's name.
        name: String,
    },
    /// A deployment's alert rule: it tells an SNS topic of failed runs.
    AlertRule {
        /// The rule's name.
        name: String,
    },
}

impl Address {
    /// The name as AWS writes it: `group/name` for a schedule.
    pub fn name(&self) -> String {
        match self {
            Address::ScheduleGroup { name }
            | Address::Rule { name }
            | Address::RunRecord { name }
            | Address::AlertRule { name } => name.clone(),
            Address::Schedule { group, name } => format!("{group}/{name}"),
        }
    }

    /// Whether it is a schedule (not a group or a rule).
    ///
    /// ```
    /// use cronport::plan::Address;
    /// assert!(Address::Schedule { group: "g".into(), name: "n".into() }.is_schedule());
    /// assert!(!Address::Rule { name: "n".into() }.is_schedule());
    /// ```
    pub fn is_schedule(&self) -> bool {
        matches!(self, Address::Schedule { .. })
    }

    /// The kind, as the plan says it.
    pub fn kind(&self) -> &'static str {
        match self {
            Address::ScheduleGroup { .. } => "schedule group",
            Address::Schedule { .. } => "schedule",
            Address::Rule { .. } => "rule",
            Address::RunRecord { .. } => "run record",
            Address::AlertRule { .. } => "alert rule",
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.name())
    }
}
