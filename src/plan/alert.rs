//! Alert rules in a plan ([`Address::AlertRule`]): a deployment's, like its
//! run record (see [`super::record`]), tagged `cronport:record = alerts`
//! and never a job's. The SNS topic is the team's: cronport points the
//! rule at it and never creates, changes or deletes it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{deployment_of, owned};
use super::{
    Action, Address, Change, DeleteReason, DesiredSpec, PlanError, PlanProblem, PlanProblemKind,
    differences,
};
use crate::desired::{AlertRule, Desired};

/// An alert rule as the plan compares it.
///
/// ```
/// # let text = format!("id = \"shop\"\n{}", cronport::manifest::doc::EXAMPLE.replacen("[defaults]\n", "[defaults]\nnotify = \"arn:aws:sns:us-east-1:123456789012:oncall\"\n", 1));
/// # let m = cronport::manifest::Manifest::from_toml(&text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let spec = cronport::plan::AlertRuleSpec::desired(&desired.alerts[0]);
/// assert_eq!(spec.topic, "arn:aws:sns:us-east-1:123456789012:oncall");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertRuleSpec {
    /// The rule's name.
    pub rule: String,
    /// The rule's event pattern.
    pub event_pattern: serde_json::Value,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// The SNS topic its target tells (`(none)` without one).
    pub topic: String,
    /// The input transformer's paths.
    pub input_paths: BTreeMap<String, String>,
    /// The input transformer's template.
    pub input_template: String,
    /// The rule's tags.
    pub tags: BTreeMap<String, String>,
}

impl AlertRuleSpec {
    /// The rule `alert` should be.
    pub fn desired(alert: &AlertRule) -> AlertRuleSpec {
        AlertRuleSpec {
            rule: alert.rule.clone(),
            event_pattern: alert.pattern(),
            state: "ENABLED".to_string(),
            topic: alert.topic.clone(),
            input_paths: AlertRule::input_paths(),
            input_template: AlertRule::input_template(),
            tags: alert.tags.clone(),
        }
    }
}

/// An alert rule as read from AWS.
///
/// ```
/// let live = cronport::plan::LiveAlertRule::default();
/// assert!(live.tags.is_empty() && live.target.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveAlertRule {
    /// The rule's event pattern and state.
    pub rule: (serde_json::Value, String),
    /// cronport's alert target: the topic, the input transformer's paths
    /// and template.
    pub target: Option<(String, BTreeMap<String, String>, String)>,
    /// The rule's tags.
    pub tags: BTreeMap<String, String>,
}

/// The deployment an alert rule's tags name, if they are an alert rule's.
///
/// ```
/// use std::collections::BTreeMap;
/// let tags: BTreeMap<String, String> = [("managed-by", "cronport"), ("cronport:manifest", "shop"), ("cronport:env", "-"), ("cronport:record", "alerts")]
///     .map(|(k, v)| (k.to_string(), v.to_string())).into();
/// assert_eq!(cronport::plan::alert_owner(&tags), Some(("shop".to_string(), "-".to_string())));
/// ```
pub fn alert_owner(tags: &BTreeMap<String, String>) -> Option<(String, String)> {
    deployment_of(tags, "alerts")
}

/// The alert rules' changes: each desired one created, updated or refused
/// when the name is someone else's; each live one of this deployment that
/// the manifest no longer has deleted (with an `id` only, as everything
/// cronport deletes).
pub(super) fn alert_changes(
    desired: &Desired,
    live: &BTreeMap<String, LiveAlertRule>,
) -> Result<Vec<Change>, PlanError> {
    let mut changes = Vec::new();
    for alert in &desired.alerts {
        let address = Address::AlertRule {
            name: alert.rule.clone(),
        };
        let after = AlertRuleSpec::desired(alert);
        let action = match live.get(&alert.rule) {
            None => Action::Create,
            Some(found) => match owned(desired, &found.tags, "alerts") {
                Err(reason) => Action::Conflict { reason },
                Ok(()) => {
                    let before = live_spec(&alert.rule, found);
                    Action::update(differences(&before, &after).map_err(|e| PlanError {
                        problems: vec![PlanProblem::new(PlanProblemKind::Aws, e.to_string())],
                    })?)
                }
            },
        };
        changes.push(Change::new(
            address,
            None,
            action,
            Some(DesiredSpec::AlertRule(Box::new(after))),
        ));
    }
    if !desired.deployment.derived {
        for (name, found) in live {
            let wanted = desired.alerts.iter().any(|a| &a.rule == name);
            if wanted
                || alert_owner(&found.tags).is_none()
                || owned(desired, &found.tags, "alerts").is_err()
            {
                continue;
            }
            let mut change = Change::new(
                Address::AlertRule { name: name.clone() },
                None,
                Action::Delete,
                None,
            );
            change.reason = Some(DeleteReason::AlertOff);
            change.before =
                Some(
                    serde_json::to_value(live_spec(name, found)).map_err(|e| PlanError {
                        problems: vec![PlanProblem::new(PlanProblemKind::Aws, e.to_string())],
                    })?,
                );
            changes.push(change);
        }
    }
    Ok(changes)
}

/// The live rule as a spec, for [`differences`] with the desired one.
fn live_spec(name: &str, found: &LiveAlertRule) -> AlertRuleSpec {
    let (topic, input_paths, input_template) = found
        .target
        .clone()
        .unwrap_or_else(|| ("(none)".to_string(), BTreeMap::new(), String::new()));
    AlertRuleSpec {
        rule: name.to_string(),
        event_pattern: found.rule.0.clone(),
        state: found.rule.1.clone(),
        topic,
        input_paths,
        input_template,
        tags: found.tags.clone(),
    }
}
