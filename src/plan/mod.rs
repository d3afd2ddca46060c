//! A plan is data: per resource, a [`Change`] — its typed [`Address`],
//! the [`Action`], why (a typed [`DeleteReason`] or [`Foreign`] owner), the
//! live state before and the desired state after — and typed [`Warning`]s.
//! Terraform's `internal/plans` is the model.
//!
//! Nothing here talks to AWS. [`crate::aws`] reads live state into a
//! [`LiveState`] and makes a plan's writes; [`compare`] (pure) turns the
//! desired state and the live one into changes; [`text`] renders a plan for
//! people. `plan`, `apply`, `diff aws`, `migrate` and `cutover` all read the
//! same types, and the offline `diff` uses [`FieldChange`] and
//! [`differences`] without touching the SDK.

mod address;
mod alert;
mod compare;
mod reason;
mod record;
mod spec;
pub mod text;
mod warning;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Hint;

pub use address::Address;
pub use alert::{AlertRuleSpec, LiveAlertRule, alert_owner};
pub use compare::{LiveRule, LiveState, compare, ids_on_aws, kept_without_id, taken_over, twins};
pub use reason::{DeleteReason, Foreign};
pub use record::{LiveRunRecord, RunRecordSpec, grants, record_owner};
pub use spec::{
    DEFAULT_RETRY, DifferenceError, FieldChange, InputCasing, RetrySpec, RuleSpec, ScheduleSpec,
    differences, normalize_overrides_input, normalize_run_task_input,
};
pub use warning::{Warning, files_quota_warnings, quota_warnings, released_holds};

/// What the plan does with one resource.
///
/// ```
/// use cronport::plan::{Action, FieldChange};
/// let update = Action::Update { fields: vec![FieldChange { field: "expression".into(), before: "cron(0 9 * * ? *)".into(), after: "cron(0 10 * * ? *)".into() }] };
/// let json = serde_json::to_value(&update)?;
/// assert_eq!(json["action"], "update");
/// assert_eq!(json["fields"][0]["after"], "cron(0 10 * * ? *)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Create it.
    Create,
    /// Update these fields.
    Update {
        /// The fields that change.
        fields: Vec<FieldChange>,
    },
    /// Delete it: this deployment owns it and the manifest no longer wants
    /// it (the change's `reason` says why).
    Delete,
    /// Already as desired.
    Unchanged,
    /// Something with this name exists that cronport does not own; it is
    /// left exactly as it is.
    Conflict {
        /// Why it is not cronport's.
        reason: Foreign,
    },
}

impl Action {
    /// `Update` with `fields`, or `Unchanged` when there are none.
    ///
    /// ```
    /// assert_eq!(cronport::plan::Action::update(vec![]), cronport::plan::Action::Unchanged);
    /// ```
    pub fn update(fields: Vec<FieldChange>) -> Action {
        if fields.is_empty() {
            Action::Unchanged
        } else {
            Action::Update { fields }
        }
    }

    /// The plan's sign: `+`, `~`, `-`, `!`, or a space when unchanged.
    ///
    /// ```
    /// assert_eq!(cronport::plan::Action::Delete.symbol(), "-");
    /// ```
    pub fn symbol(&self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update { .. } => "~",
            Action::Delete => "-",
            Action::Conflict { .. } => "!",
            Action::Unchanged => " ",
        }
    }
}

/// The desired state of one resource, for apply.
///
/// ```
/// use cronport::plan::{DesiredSpec, ScheduleSpec};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let job = &desired.jobs[0];
/// let spec = DesiredSpec::Schedule(Box::new(ScheduleSpec::desired(job, &job.resources[0])));
/// assert!(matches!(spec, DesiredSpec::Schedule(ref s) if s.group == "shop"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum DesiredSpec {
    /// A schedule group and its tags.
    Group(String, BTreeMap<String, String>),
    /// A schedule.
    Schedule(Box<ScheduleSpec>),
    /// A rule.
    Rule(Box<RuleSpec>),
    /// A run record.
    RunRecord(Box<RunRecordSpec>),
    /// An alert rule.
    AlertRule(Box<AlertRuleSpec>),
}

/// One resource's change: where, what happens, the state it leads to.
///
/// ```
/// use cronport::plan::{Action, Address, Change, Plan};
/// let create = Change::new(
///     Address::Schedule { group: "mamorio".into(), name: "cronport-daily".into() },
///     Some("daily"),
///     Action::Create,
///     None,
/// );
/// let plan = Plan { changes: vec![create], warnings: vec![] };
/// assert!(plan.to_text().starts_with("  + schedule mamorio/cronport-daily  (job daily)\n"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Where: kind, group and name.
    #[serde(flatten)]
    pub address: Address,
    /// The job it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// What happens.
    #[serde(flatten)]
    pub action: Action,
    /// Why, for a delete: the job left the manifest, or runs elsewhere now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<DeleteReason>,
    /// The live state, every attribute (not for creates), as `plan
    /// --format json` shows it, like `terraform show -json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// The desired state, every attribute (not for deletes).
    #[serde(rename = "after", skip_serializing_if = "Option::is_none")]
    pub desired: Option<DesiredSpec>,
    /// Target IDs a live rule has besides cronport's (removed on update).
    #[serde(skip)]
    pub extra_targets: Vec<String>,
    /// The live expression and its zone, when the resource exists.
    #[serde(skip)]
    pub live: Option<(String, String)>,
    /// The live resource is held until this cutover instant, still ahead:
    /// a schedule's `StartDate`, or a disabled rule's hold tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_until: Option<jiff::Timestamp>,
    /// The desired resource starts at this cutover instant (in the job's
    /// time zone): no run before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts: Option<jiff::ZonedDateTime>,
}

impl Change {
    /// A change with nothing read live yet.
    ///
    /// ```
    /// use cronport::plan::{Action, Address, Change};
    /// let c = Change::new(Address::Rule { name: "r".into() }, Some("job"), Action::Delete, None);
    /// assert_eq!((c.address.to_string(), c.job.as_deref()), ("rule r".to_string(), Some("job")));
    /// ```
    pub fn new(
        address: Address,
        job: Option<&str>,
        action: Action,
        desired: Option<DesiredSpec>,
    ) -> Change {
        Change {
            address,
            job: job.map(str::to_string),
            action,
            reason: None,
            before: None,
            desired,
            extra_targets: Vec::new(),
            live: None,
            held_until: None,
            starts: None,
        }
    }
}

/// Everything a plan would do.
///
/// ```
/// use cronport::plan::{Action, Address, Change, Foreign, Plan};
/// let conflict = Change::new(
///     Address::Rule { name: "nightly".into() },
///     Some("nightly"),
///     Action::Conflict { reason: Foreign::Unmanaged { kind: "rule" } },
///     None,
/// );
/// let plan = Plan { changes: vec![conflict], warnings: vec![] };
/// assert!(!plan.has_changes()); // cronport never touches what it does not own
/// assert!(plan.to_text().contains("1 conflict(s) with resources cronport does not own."));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Per resource, in a stable order.
    pub changes: Vec<Change>,
    /// What the plan would do that a person should know before any write:
    /// quotas, holds it releases, resources of other deployments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// EventBridge's default quota of rules per event bus.
///
/// ```
/// use cronport::plan::RULES_PER_BUS;
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// // `plan` warns before any write when the rules would pass the quota.
/// let resources: usize = desired.jobs.iter().map(|j| j.resources.len()).sum();
/// assert!(resources <= RULES_PER_BUS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const RULES_PER_BUS: usize = 300;
/// EventBridge Scheduler's default quota of schedule groups per account.
///
/// ```
/// use cronport::plan::SCHEDULE_GROUPS;
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let groups: std::collections::BTreeSet<_> = desired.jobs.iter().map(|j| &j.job.target.schedule_group).collect();
/// assert!(groups.len() <= SCHEDULE_GROUPS);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const SCHEDULE_GROUPS: usize = 500;

/// Counts of a plan's actions.
///
/// ```
/// use cronport::plan::{Action, Address, Change, Plan, Summary};
/// let change = |name: &str, action| Change::new(Address::Rule { name: name.into() }, None, action, None);
/// let plan = Plan { changes: vec![change("a", Action::Create), change("b", Action::Delete), change("c", Action::Unchanged)], warnings: vec![] };
/// assert_eq!(plan.summary(), Summary { add: 1, destroy: 1, unchanged: 1, ..Summary::default() });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Creates.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes.
    pub destroy: usize,
    /// Unchanged.
    pub unchanged: usize,
    /// Conflicts with resources cronport does not own.
    pub conflicts: usize,
}

impl Plan {
    /// The counts.
    ///
    /// ```
    /// use cronport::plan::{Action, Address, Change, Plan};
    /// let delete = Change::new(Address::Rule { name: "old".into() }, None, Action::Delete, None);
    /// assert_eq!(Plan { changes: vec![delete], warnings: vec![] }.summary().destroy, 1);
    /// ```
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update { .. } => s.change += 1,
                Action::Delete => s.destroy += 1,
                Action::Unchanged => s.unchanged += 1,
                Action::Conflict { .. } => s.conflicts += 1,
            }
        }
        s
    }

    /// Whether applying would write anything.
    ///
    /// ```
    /// use cronport::plan::{Action, Address, Change, Foreign, Plan};
    /// let conflict = Change::new(Address::Rule { name: "theirs".into() }, None, Action::Conflict { reason: Foreign::Unmanaged { kind: "rule" } }, None);
    /// // A conflict is reported, never written.
    /// assert!(!Plan { changes: vec![conflict], warnings: vec![] }.has_changes());
    /// ```
    pub fn has_changes(&self) -> bool {
        let s = self.summary();
        s.add + s.change + s.destroy > 0
    }
}

/// Why a plan could not be made: every problem found, before any write.
///
/// ```
/// use cronport::plan::{PlanError, PlanProblem, PlanProblemKind};
/// let err = PlanError {
///     problems: vec![
///         PlanProblem::new(PlanProblemKind::Target, "cluster `prod` not found"),
///         PlanProblem::new(PlanProblemKind::Aws, "cannot list rules: timeout"),
///     ],
/// };
/// assert_eq!(err.to_string(), "cluster `prod` not found\ncannot list rules: timeout");
/// assert!(err.problems.iter().any(|p| p.kind == PlanProblemKind::Aws));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct PlanError {
    /// Every problem found, before any write.
    pub problems: Vec<PlanProblem>,
}

impl PlanError {
    /// A plan error with one problem.
    ///
    /// ```
    /// use cronport::plan::{PlanError, PlanProblemKind};
    /// let err = PlanError::new(PlanProblemKind::NotOwned, "schedule group `g` is not cronport's");
    /// assert_eq!(err.problems[0].kind, PlanProblemKind::NotOwned);
    /// ```
    pub fn new(kind: PlanProblemKind, message: impl Into<String>) -> PlanError {
        PlanError {
            problems: vec![PlanProblem::new(kind, message)],
        }
    }
}

/// One problem of a [`PlanError`]: its kind, for code, and its message,
/// for people.
///
/// ```
/// use cronport::plan::{PlanProblem, PlanProblemKind};
/// let p = PlanProblem::new(PlanProblemKind::Manifest, "the manifest has no jobs");
/// assert_eq!(p.to_string(), "the manifest has no jobs");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanProblem {
    /// What kind of problem.
    pub kind: PlanProblemKind,
    /// What is wrong, in one line.
    pub message: String,
    /// What to do about it, when the remedy is an option of the caller's
    /// (a front end words it: the CLI as a flag).
    pub hint: Option<Hint>,
}

impl PlanProblem {
    /// A problem of `kind`.
    ///
    /// ```
    /// let p = cronport::plan::PlanProblem::new(cronport::plan::PlanProblemKind::Aws, "throttled");
    /// assert_eq!(p.message, "throttled");
    /// ```
    pub fn new(kind: PlanProblemKind, message: impl Into<String>) -> PlanProblem {
        PlanProblem {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// The same problem with a remedy for the caller to word.
    ///
    /// ```
    /// use cronport::{Hint, plan::{PlanProblem, PlanProblemKind}};
    /// let p = PlanProblem::new(PlanProblemKind::Manifest, "the manifest has no jobs").with_hint(Hint::Prune);
    /// assert_eq!(p.to_string(), "the manifest has no jobs; plan with the prune option to plan that");
    /// ```
    pub fn with_hint(mut self, hint: Hint) -> PlanProblem {
        self.hint = Some(hint);
        self
    }
}

impl std::fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        match &self.hint {
            Some(hint) => write!(f, "; {hint}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for PlanProblem {}

/// The kinds of [`PlanProblem`].
///
/// ```
/// use cronport::plan::PlanProblemKind;
/// assert_ne!(PlanProblemKind::Aws, PlanProblemKind::Target);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanProblemKind {
    /// An AWS call failed: credentials, network, throttling past retries.
    Aws,
    /// Something the manifest points at is missing or unusable here: a
    /// cluster, task definition, container or role, or a role that does
    /// not trust the service that must assume it.
    Target,
    /// A resource cronport does not own stands where it would write.
    NotOwned,
    /// The manifest cannot be planned as it is: it does not compile, has
    /// no jobs without `--prune`, or a job's size cannot reach its
    /// container.
    Manifest,
    /// A migration between backends that cannot be proved to lose and
    /// double no run.
    Migration,
    /// The plan would start resources held until a cutover instant.
    Hold,
    /// The live state could not be compared with the desired one.
    Compare,
}

/// How to plan.
///
/// ```
/// let adopting = cronport::plan::PlanOptions { adopt: true, ..Default::default() };
/// assert!(!adopting.prune);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Allow a manifest with no jobs, which deletes everything its
    /// deployment owns. (Deletes of resources the manifest no longer wants
    /// need nothing else: ownership is exact, and a job must never keep an
    /// old schedule running beside its new one.)
    pub prune: bool,
    /// Take ownership of existing resources whose names the manifest uses
    /// (adopting what `cronport import aws` read): tag them, mark them, and
    /// make them as the manifest says. Without it such names are conflicts.
    pub adopt: bool,
    /// Start resources held until a cutover instant still ahead at once.
    /// Without it such a plan is refused: a hold holds.
    pub release_holds: bool,
}
