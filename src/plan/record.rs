//! The run record in a plan: its rule, log group and resource policy as
//! one resource ([`Address::RunRecord`]), compared field by field.
//!
//! It is the deployment's, not a job's: its rule and log group carry the
//! manifest and environment and `cronport:record`, never `cronport:job`, so
//! no job's comparison, move or clean-up ever acts on them. Turning the
//! record off deletes the rule and the policy; the log group, which holds
//! the history, is kept.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    Action, Address, Change, DeleteReason, DesiredSpec, Foreign, PlanError, PlanProblem,
    PlanProblemKind, differences,
};
use crate::desired::{Desired, RECORD_TAG, RunRecord};
use crate::owner::Owner;

/// A run record as the plan compares it: what the rule matches and where
/// it sends it, the log group's retention, the policy's grant, the tags.
///
/// ```
/// # let text = format!("id = \"shop\"\n{}", cronport::manifest::doc::EXAMPLE.replacen("[defaults]\n", "[defaults]\nrun_history_days = 400\n", 1));
/// # let m = cronport::manifest::Manifest::from_toml(&text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let spec = cronport::plan::RunRecordSpec::desired(desired.run_record.as_ref().unwrap());
/// assert_eq!(spec.target, "/aws/events/cronport/shop");
/// assert_eq!(spec.retention_days, 400);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunRecordSpec {
    /// The rule's name.
    pub rule: String,
    /// The rule's event pattern.
    pub event_pattern: serde_json::Value,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// The log group the rule's target writes to (`(none)` without one).
    pub target: String,
    /// The log group.
    pub log_group: String,
    /// Its retention in days (`0`: never expires, or no log group).
    pub retention_days: u32,
    /// The resource policy's name.
    pub policy: String,
    /// What the policy lets EventBridge write to (`(none)` without one).
    pub policy_grants: String,
    /// The rule's tags.
    pub tags: BTreeMap<String, String>,
    /// The log group's tags.
    pub log_group_tags: BTreeMap<String, String>,
}

impl RunRecordSpec {
    /// The record `record` should be.
    pub fn desired(record: &RunRecord) -> RunRecordSpec {
        RunRecordSpec {
            rule: record.rule.clone(),
            event_pattern: record.pattern(),
            state: "ENABLED".to_string(),
            target: record.log_group.clone(),
            log_group: record.log_group.clone(),
            retention_days: record.retention_days,
            policy: record.policy.clone(),
            policy_grants: grants(&record.log_group),
            tags: record.tags.clone(),
            log_group_tags: record.tags.clone(),
        }
    }
}

/// What a resource policy for `log_group` grants, as compared: the part of
/// its `Resource` after the account.
///
/// ```
/// assert_eq!(cronport::plan::grants("/aws/events/cronport/shop"), "log-group:/aws/events/cronport/shop:*");
/// ```
pub fn grants(log_group: &str) -> String {
    format!("log-group:{log_group}:*")
}

/// A run record as read from AWS: the parts that exist.
///
/// ```
/// let live = cronport::plan::LiveRunRecord::default();
/// assert!(live.rule_tags.is_none() && live.log_group_tags.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveRunRecord {
    /// The rule's event pattern, state and target log group, if the rule
    /// exists.
    pub rule: Option<(serde_json::Value, String, Option<String>)>,
    /// The rule's tags, if the rule exists.
    pub rule_tags: Option<BTreeMap<String, String>>,
    /// The log group's retention, if it exists.
    pub retention_days: Option<u32>,
    /// The log group's tags, if it exists.
    pub log_group_tags: Option<BTreeMap<String, String>>,
    /// What the policy grants (`log-group:NAME:*`), if it exists.
    pub policy_grants: Option<String>,
}

/// The deployment a record's tags name, if they are a run record's.
///
/// ```
/// use std::collections::BTreeMap;
/// let tags: BTreeMap<String, String> = [("managed-by", "cronport"), ("cronport:manifest", "shop"), ("cronport:env", "-"), ("cronport:record", "runs")]
///     .map(|(k, v)| (k.to_string(), v.to_string())).into();
/// assert_eq!(cronport::plan::record_owner(&tags), Some(("shop".to_string(), "-".to_string())));
/// ```
pub fn record_owner(tags: &BTreeMap<String, String>) -> Option<(String, String)> {
    deployment_of(tags, "runs")
}

/// The deployment whose `kind` of resource (`runs`, `alerts`: the value of
/// [`RECORD_TAG`]) these tags are, if they are one.
pub(super) fn deployment_of(
    tags: &BTreeMap<String, String>,
    kind: &str,
) -> Option<(String, String)> {
    if tags.get(crate::owner::MANAGED_BY).map(String::as_str) != Some("cronport")
        || tags.get(RECORD_TAG).map(String::as_str) != Some(kind)
    {
        return None;
    }
    Some((
        tags.get("cronport:manifest")?.clone(),
        tags.get("cronport:env")?.clone(),
    ))
}

/// Whether this deployment may write a record with these tags.
fn ours(desired: &Desired, tags: &BTreeMap<String, String>) -> Result<(), Foreign> {
    owned(desired, tags, "runs")
}

/// Whether this deployment may write a deployment's `kind` of rule (see
/// [`deployment_of`]) with these tags.
pub(super) fn owned(
    desired: &Desired,
    tags: &BTreeMap<String, String>,
    kind: &str,
) -> Result<(), Foreign> {
    match deployment_of(tags, kind) {
        Some((manifest, env)) => {
            let owner = Owner {
                manifest,
                env,
                job: "-".to_string(),
            };
            if desired.deployment.claims(&owner) {
                Ok(())
            } else {
                Err(Foreign::OwnedBy {
                    same_environment: owner.env == desired.deployment.env,
                    owner,
                })
            }
        }
        None if tags.get(crate::owner::MANAGED_BY).map(String::as_str) == Some("cronport") => {
            Err(Foreign::Unrecorded { kind: "rule" })
        }
        None => Err(Foreign::Unmanaged { kind: "rule" }),
    }
}

/// The record's change: created, updated field by field, refused when
/// its rule or log group is someone else's; deleted (its rule and policy,
/// not its log group) when the manifest no longer keeps one and this
/// deployment's is live.
pub(super) fn record_changes(
    desired: &Desired,
    live: &BTreeMap<String, LiveRunRecord>,
) -> Result<Vec<Change>, PlanError> {
    let mut changes = Vec::new();
    if let Some(record) = &desired.run_record {
        let address = Address::RunRecord {
            name: record.rule.clone(),
        };
        let after = RunRecordSpec::desired(record);
        let found = live.get(&record.rule).cloned().unwrap_or_default();
        let foreign = [found.rule_tags.as_ref(), found.log_group_tags.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|tags| ours(desired, tags).err());
        let action = match foreign {
            Some(reason) => Action::Conflict { reason },
            None if found.rule.is_none() && found.log_group_tags.is_none() => Action::Create,
            None => {
                let before = live_spec(record, &found);
                Action::update(differences(&before, &after).map_err(|e| PlanError {
                    problems: vec![PlanProblem::new(PlanProblemKind::Aws, e.to_string())],
                })?)
            }
        };
        changes.push(Change::new(
            address,
            None,
            action,
            Some(DesiredSpec::RunRecord(Box::new(after))),
        ));
    }
    // A record of this deployment that the manifest no longer keeps (or
    // keeps under another name). Without an `id` nothing is deleted.
    if !desired.deployment.derived {
        for (name, l) in live {
            let wanted = desired.run_record.as_ref().is_some_and(|r| &r.rule == name);
            let owner = l.rule_tags.as_ref().and_then(record_owner);
            let mine = l
                .rule_tags
                .as_ref()
                .is_some_and(|t| ours(desired, t).is_ok());
            if let (true, false, Some((manifest, env))) = (mine, wanted, owner) {
                let mut change = Change::new(
                    Address::RunRecord { name: name.clone() },
                    None,
                    Action::Delete,
                    None,
                );
                change.reason = Some(DeleteReason::RecordOff);
                // What apply deletes: the rule (its name is the address)
                // and the policy; never the log group.
                change.before = Some(serde_json::json!({
                    "rule": name,
                    "policy": RunRecord::policy_name(&manifest, &env),
                    "event_pattern": l.rule.as_ref().map(|r| r.0.clone()),
                    "target": l.rule.as_ref().and_then(|r| r.2.clone()),
                }));
                changes.push(change);
            }
        }
    }
    Ok(changes)
}

/// The live parts as a spec, for [`differences`] with the desired one.
fn live_spec(record: &RunRecord, l: &LiveRunRecord) -> RunRecordSpec {
    let none = || "(none)".to_string();
    let (event_pattern, state, target) = l.rule.clone().unwrap_or_default();
    RunRecordSpec {
        rule: record.rule.clone(),
        event_pattern,
        state: if l.rule.is_some() { state } else { none() },
        target: target.unwrap_or_else(none),
        log_group: if l.log_group_tags.is_some() {
            record.log_group.clone()
        } else {
            none()
        },
        retention_days: l.retention_days.unwrap_or(0),
        policy: record.policy.clone(),
        policy_grants: l.policy_grants.clone().unwrap_or_else(none),
        tags: l.rule_tags.clone().unwrap_or_default(),
        log_group_tags: l.log_group_tags.clone().unwrap_or_default(),
    }
}
