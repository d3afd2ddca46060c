//! What a plan warns of: typed, one variant per situation, worded in
//! `Display`; the remedy, where the caller has one, is a [`Hint`].

use std::fmt;

use jiff::Timestamp;
use serde::{Serialize, Serializer};

use super::{Action, Address, Change, LiveState, RULES_PER_BUS, SCHEDULE_GROUPS};
use crate::Hint;
use crate::desired::Desired;
use crate::translate::Backend;

/// One warning of a plan, said before any write.
///
/// ```
/// use cronport::plan::Warning;
/// let w = Warning::GroupsQuota { after: 501 };
/// assert_eq!(w.to_string(), "this plan would make 501 schedule groups; EventBridge Scheduler's default quota is 500 per account");
/// assert_eq!(serde_json::to_value(&w)?, serde_json::json!(w.to_string()));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A role cronport may not read, so its trust is unchecked.
    RoleUnread {
        /// The role's ARN.
        role: String,
        /// AWS's answer.
        error: String,
        /// The services it must trust.
        principals: Vec<String>,
    },
    /// What fitting a job to its task definition changed or noticed.
    Fit(crate::fit::JobNote),
    /// The manifest has no `id`: one was derived for what it creates, and
    /// it deletes and moves nothing.
    NoId {
        /// The derived id its new resources carry.
        derived: String,
        /// The ids found on AWS on resources that run its jobs.
        on_aws: Vec<String>,
        /// What it would delete with an id, left running.
        kept: Vec<Address>,
    },
    /// Resources of another deployment run jobs of this manifest.
    Twins {
        /// The other deployment's manifest id.
        manifest: String,
        /// Its environment.
        env: String,
        /// Its resources that run this manifest's jobs.
        addresses: Vec<Address>,
        /// The same manifest id (another environment), rather than the
        /// same environment under another id.
        same_manifest: bool,
    },
    /// The rules on the default bus would pass EventBridge's quota.
    RulesQuota {
        /// Rules after the plan (or made by the rendered files).
        after: usize,
        /// Rules there now; `None` for files rendered offline, which cannot
        /// know.
        existing: Option<usize>,
        /// Jobs that daylight saving time splits into several rules, with
        /// their rule counts.
        split: Vec<(String, usize)>,
    },
    /// Schedule groups would pass Scheduler's quota.
    GroupsQuota {
        /// Groups after the plan.
        after: usize,
    },
    /// Resources held until a cutover instant still ahead that this plan
    /// releases (asked for: a plan refuses it otherwise).
    ReleasedHolds {
        /// The resources.
        addresses: Vec<Address>,
        /// The earliest of their instants.
        until: Timestamp,
    },
    /// Jobs crowding one minute (from the calendar).
    Crowded(String),
    /// This environment takes over an earlier one's resources.
    TakesOver {
        /// The earlier environment (`-`: before the manifest had any).
        env: String,
        /// How many of its resources.
        resources: usize,
    },
}

impl Warning {
    /// What the caller can do about it, if it is an option of theirs.
    ///
    /// ```
    /// use cronport::{Hint, plan::{Address, Warning}};
    /// let twins = Warning::Twins {
    ///     manifest: "shop".into(),
    ///     env: "-".into(),
    ///     addresses: vec![Address::Rule { name: "r".into() }],
    ///     same_manifest: true,
    /// };
    /// assert_eq!(twins.hint(), Some(Hint::TakeOver { env: "-".into() }));
    /// ```
    pub fn hint(&self) -> Option<Hint> {
        match self {
            Warning::ReleasedHolds { .. } => None,
            Warning::Twins {
                same_manifest: true,
                env,
                ..
            } => Some(Hint::TakeOver { env: env.clone() }),
            _ => None,
        }
    }
}

impl Warning {
    /// What joins the warning and its hint's words: a colon where the
    /// hint is the way out, a semicolon where it is an aside.
    pub(crate) fn hint_separator(&self) -> &'static str {
        match self {
            Warning::Twins { .. } => ": ",
            _ => "; ",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::RoleUnread {
                role,
                error,
                principals,
            } => write!(
                f,
                "cannot read role `{role}` to check its trust policy ({error}); make sure it trusts {}",
                principals.join(" and ")
            ),
            Warning::Fit(note) => write!(f, "{note}"),
            Warning::NoId {
                derived,
                on_aws,
                kept,
            } => {
                write!(
                    f,
                    "this manifest has no id: cronport derived `{derived}` from its cluster for what it creates, and deletes or moves nothing"
                )?;
                if !kept.is_empty() {
                    let kept: Vec<String> = kept.iter().map(Address::to_string).collect();
                    write!(
                        f,
                        "; left running, which an id would delete: {}",
                        kept.join(", ")
                    )?;
                }
                match on_aws.as_slice() {
                    // What it creates carries the derived id: writing that
                    // one keeps them.
                    [] => write!(f, ". Write id = \"{derived}\" at its top"),
                    [one] => write!(
                        f,
                        ". Its jobs on AWS carry id `{one}`: write id = \"{one}\" at its top"
                    ),
                    many => write!(
                        f,
                        ". Its jobs on AWS carry the ids {}: write the one that is this manifest's as id = \"…\" at its top",
                        many.iter()
                            .map(|id| format!("`{id}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
            Warning::Twins {
                manifest,
                env,
                addresses,
                same_manifest,
            } => {
                let addresses: Vec<String> = addresses.iter().map(Address::to_string).collect();
                write!(
                    f,
                    "{} resource(s) of manifest `{manifest}`, environment `{env}` run jobs of this manifest ({}) beside the ones this plan manages",
                    addresses.len(),
                    addresses.join(", ")
                )?;
                if !same_manifest {
                    write!(
                        f,
                        ": if that is this manifest under an earlier id, write id = \"{manifest}\" at its top"
                    )?;
                }
                Ok(())
            }
            Warning::RulesQuota {
                after,
                existing,
                split,
            } => {
                match existing {
                    Some(existing) => write!(
                        f,
                        "this plan would leave {after} rules on the default event bus ({existing} there now)"
                    )?,
                    None => write!(
                        f,
                        "these files make {after} rules on the default event bus, besides any there already"
                    )?,
                }
                write!(
                    f,
                    "; EventBridge's default quota is {RULES_PER_BUS} per bus, so some writes may fail. Use backend = \"scheduler\", which has no such limit for schedules, or ask AWS to raise the quota"
                )?;
                if !split.is_empty() {
                    let split: Vec<String> = split
                        .iter()
                        .map(|(job, rules)| format!("{job} ({rules} rules)"))
                        .collect();
                    write!(
                        f,
                        ". Daylight saving time splits these jobs into several rules: {}",
                        split.join(", ")
                    )?;
                }
                Ok(())
            }
            Warning::GroupsQuota { after } => write!(
                f,
                "this plan would make {after} schedule groups; EventBridge Scheduler's default quota is {SCHEDULE_GROUPS} per account"
            ),
            Warning::ReleasedHolds { addresses, until } => write!(
                f,
                "this plan releases {} resource(s) held until a cutover instant ({until} and later): their runs start at once, beside the old platform",
                addresses.len()
            ),
            Warning::Crowded(text) => f.write_str(text),
            Warning::TakesOver { env, resources } => {
                let which = if env == crate::owner::NO_ENVIRONMENT {
                    "the manifest's from before it had environments".to_string()
                } else {
                    format!("environment `{env}`'s")
                };
                write!(
                    f,
                    "this environment takes over {resources} resource(s), {which} (replaces): they are rewritten or moved to it, one runner per job throughout"
                )
            }
        }
    }
}

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.hint() {
            Some(hint) => s.collect_str(&format_args!("{self}{}{hint}", self.hint_separator())),
            None => s.collect_str(self),
        }
    }
}

/// Quotas a plan would pass: rules on the default bus (DST splitting
/// multiplies them) and schedule groups.
///
/// ```
/// use cronport::plan::{LiveState, quota_warnings};
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(quota_warnings(&desired, &[], &LiveState::default()).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn quota_warnings(desired: &Desired, changes: &[Change], live: &LiveState) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let rules = |action: Action| {
        changes
            .iter()
            .filter(|c| matches!(c.address, Address::Rule { .. }) && c.action == action)
            .count()
    };
    let new_rules = rules(Action::Create);
    if new_rules > 0 {
        // Every rule on the default bus was read for the plan.
        let existing = live.rules.len();
        let after = existing + new_rules - rules(Action::Delete).min(existing + new_rules);
        if after > RULES_PER_BUS {
            warnings.push(Warning::RulesQuota {
                after,
                existing: Some(existing),
                split: split_by_dst(desired),
            });
        }
    }
    let new_groups = changes
        .iter()
        .filter(|c| {
            matches!(c.address, Address::ScheduleGroup { .. }) && c.action == Action::Create
        })
        .count();
    if new_groups > 0 && live.groups.len() + new_groups > SCHEDULE_GROUPS {
        warnings.push(Warning::GroupsQuota {
            after: live.groups.len() + new_groups,
        });
    }
    warnings
}

/// Jobs that daylight saving time splits into several rules, with their
/// rule counts.
fn split_by_dst(desired: &Desired) -> Vec<(String, usize)> {
    desired
        .jobs
        .iter()
        .filter(|j| j.resources.len() > 1 && j.job.target.backend == Backend::Rules)
        .map(|j| (j.job.name.clone(), j.resources.len()))
        .collect()
}

/// The quotas rendered files would pass by themselves (`convert`, offline:
/// what is on AWS already is not known): more than 300 rules on the default
/// bus, more schedule groups than an account gets.
///
/// ```
/// use cronport::{desired::{compile, CompileOptions}, manifest::Manifest, plan::files_quota_warnings};
/// let m = Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// let desired = compile(&m, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(files_quota_warnings(&desired).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn files_quota_warnings(desired: &Desired) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let rules: usize = desired
        .jobs
        .iter()
        .filter(|j| j.job.target.backend == Backend::Rules)
        .map(|j| j.resources.len())
        .sum();
    if rules > RULES_PER_BUS {
        warnings.push(Warning::RulesQuota {
            after: rules,
            existing: None,
            split: split_by_dst(desired),
        });
    }
    let groups = desired.schedule_groups().len();
    if groups > SCHEDULE_GROUPS {
        warnings.push(Warning::GroupsQuota { after: groups });
    }
    warnings
}

/// Resources held until a cutover instant still ahead of `now` (a
/// schedule's `StartDate`, a disabled rule's hold tag) that `changes` would
/// start early: an update that lifts the hold, or a job's new resource
/// (a move) that is not held while its old one is. Each with the instant
/// it was held until. Read from the typed changes, never from their text.
///
/// ```
/// use cronport::plan::released_holds;
/// assert!(released_holds(&[], "2026-11-24T00:00:00Z".parse()?).is_empty());
/// # Ok::<(), jiff::Error>(())
/// ```
pub fn released_holds(changes: &[Change], now: Timestamp) -> Vec<(Address, Timestamp)> {
    // The earliest live hold of each job, wherever its resources are.
    let mut live_holds: std::collections::BTreeMap<&str, Timestamp> = Default::default();
    for c in changes {
        if let (Some(job), Some(until)) = (c.job.as_deref(), c.held_until) {
            let held = live_holds.entry(job).or_insert(until);
            *held = (*held).min(until);
        }
    }
    changes
        .iter()
        .filter_map(|c| {
            let held = match c.action {
                Action::Update { .. } => c.held_until,
                Action::Create => c.job.as_deref().and_then(|j| live_holds.get(j).copied()),
                _ => None,
            }?;
            (!desired_held(c, now)).then(|| (c.address.clone(), held))
        })
        .collect()
}

/// Whether a change leaves its resource waiting for an instant after `now`.
fn desired_held(change: &Change, now: Timestamp) -> bool {
    match &change.desired {
        Some(super::DesiredSpec::Schedule(s)) => s.start_date.is_some_and(|t| t > now),
        Some(super::DesiredSpec::Rule(r)) => r.state == "DISABLED",
        _ => true,
    }
}
