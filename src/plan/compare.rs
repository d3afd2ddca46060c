//! Planning's second half: a pure comparison of the desired state with
//! what was read live. No I/O: the unit tests below drive it with made-up
//! live states, every action included.
//!
//! What a deployment (one manifest, one environment) owns is decided by
//! the owner record on each resource alone (see [`crate::owner`]):
//!
//! * a desired resource that does not exist is created; one this
//!   deployment owns is updated field by field; one owned by another
//!   deployment, or by nobody, is a conflict and left exactly as it is
//!   (`adopt` takes a resource with no owner record);
//! * a resource this deployment owns that the manifest no longer wants is
//!   deleted, wherever it is (any group, any prefix, either backend): a
//!   renamed job's old schedule, the old group's after `schedule_group`
//!   changed, the rules after a switch to Scheduler. So no job keeps two
//!   enabled schedules.

use std::collections::{BTreeMap, BTreeSet};

use super::spec::{FieldChange, RuleSpec, ScheduleSpec, differences};
use super::{
    Action, Address, Change, DeleteReason, DesiredSpec, Foreign, PlanError, PlanProblem,
    PlanProblemKind, Warning,
};
use crate::Hint;
use crate::desired::{Desired, DesiredJob, Resource};
use crate::owner::Owner;
use crate::translate::Backend;

/// A live rule: its tags' owner record, its spec (with cronport's
/// target), and any other target IDs.
///
/// ```
/// let rule = cronport::plan::LiveRule { owner: None, managed: false, spec: None, extra_targets: vec![] };
/// assert!(rule.owner.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveRule {
    /// The owner record from its tags.
    pub owner: Option<Owner>,
    /// Whether it is tagged `managed-by=cronport` (with or without a
    /// record: cronport 0.1 wrote none).
    pub managed: bool,
    /// Its cronport target, read as a spec.
    pub spec: Option<RuleSpec>,
    /// Target IDs besides cronport's.
    pub extra_targets: Vec<String>,
}

/// Everything a plan read: schedule groups with their tags, the schedules
/// in every group cronport manages or wants, every rule.
///
/// ```
/// let live = cronport::plan::LiveState::default();
/// assert!(live.groups.is_empty() && live.schedules.is_empty() && live.rules.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveState {
    /// Schedule groups and their tags.
    pub groups: BTreeMap<String, BTreeMap<String, String>>,
    /// Schedules by (group, name).
    pub schedules: BTreeMap<(String, String), ScheduleSpec>,
    /// Rules by name.
    pub rules: BTreeMap<String, LiveRule>,
    /// Run records by rule name: the desired one's, and every rule tagged
    /// as a record.
    pub run_records: BTreeMap<String, super::LiveRunRecord>,
    /// Alert rules by name: every rule tagged as an alert rule, and any
    /// rule with a desired alert rule's name.
    pub alert_rules: BTreeMap<String, super::LiveAlertRule>,
    /// When it was read: a hold is held while its instant is after this
    /// (the clock, not a plan's `--from`). `None`: the plan's start.
    pub read_at: Option<jiff::Timestamp>,
}

impl LiveState {
    /// The instant holds are measured against.
    fn now(&self, desired: &Desired) -> jiff::Timestamp {
        self.read_at.unwrap_or(desired.from)
    }
}

/// Why a resource is someone else's, or `None` when this deployment may
/// write it (its own, or one with no record under `adopt`).
fn foreign(
    owner: Option<&Owner>,
    marked: bool,
    desired: &Desired,
    adopt: bool,
    kind: &'static str,
) -> Option<Foreign> {
    match owner {
        Some(o) if desired.deployment.claims(o) => None,
        // Without an id, the id is derived from the cluster: a resource of
        // another derived id in this environment, at this very address, is
        // this manifest before its cluster changed. It is updated (its
        // record rewritten), never deleted.
        Some(o)
            if desired.deployment.derived
                && o.manifest.starts_with(crate::owner::DERIVED_PREFIX)
                && o.env == desired.deployment.env =>
        {
            None
        }
        // The same environment under another id is most often this very
        // manifest before its `id` (or the cluster it is derived from)
        // changed: the reason says how to keep ownership.
        Some(o) => Some(Foreign::OwnedBy {
            owner: o.clone(),
            same_environment: o.env == desired.deployment.env,
        }),
        None if adopt => None,
        None if marked => Some(Foreign::Unrecorded { kind }),
        None => Some(Foreign::Unmanaged { kind }),
    }
}

/// Resources of another deployment that run this manifest's jobs: the
/// same job names, and the same manifest id (another environment, such as
/// the resources from before the manifest had environments) or the same
/// environment (another id, such as the manifest before its `id`, or the
/// cluster it is derived from, changed). They would run beside this
/// deployment's, so the plan says so.
///
/// ```
/// use cronport::plan::{LiveState, twins};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(twins(&desired, &LiveState::default()).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn twins(desired: &Desired, live: &LiveState) -> Vec<Warning> {
    let jobs: BTreeSet<&str> = desired.jobs.iter().map(|j| j.job.name.as_str()).collect();
    let mine = &desired.deployment;
    // Addresses by the (manifest, environment) that owns them.
    let mut found: BTreeMap<(String, String), Vec<Address>> = BTreeMap::new();
    let schedules = live.schedules.iter().filter_map(|((group, name), l)| {
        let address = Address::Schedule {
            group: group.clone(),
            name: name.clone(),
        };
        Owner::from_description(&l.description).map(|o| (o, address))
    });
    let rules = live.rules.iter().filter_map(|(name, l)| {
        let address = Address::Rule { name: name.clone() };
        l.owner.clone().map(|o| (o, address))
    });
    for (owner, address) in schedules.chain(rules) {
        let related = owner.manifest == mine.manifest || owner.env == mine.env;
        // Another current environment of this manifest runs its own copy
        // of the jobs: that is what environments are for.
        let sibling = owner.manifest == mine.manifest && mine.siblings.contains(&owner.env);
        if !mine.claims(&owner) && !sibling && related && jobs.contains(owner.job.as_str()) {
            found
                .entry((owner.manifest, owner.env))
                .or_default()
                .push(address);
        }
    }
    found
        .into_iter()
        .map(|((manifest, env), addresses)| Warning::Twins {
            same_manifest: manifest == mine.manifest,
            manifest,
            env,
            addresses,
        })
        .collect()
}

/// The changes that make live equal to `desired`.
///
/// ```
/// use cronport::{plan::{compare, Action, LiveState}, desired::{compile, CompileOptions}, manifest::Manifest};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// let m = Manifest::from_toml(text, "m")?;
/// let desired = compile(&m, &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// // Nothing live: the group and two schedules to create.
/// let changes = compare(&desired, &LiveState::default(), false)?;
/// assert_eq!(changes.len(), 3);
/// assert!(changes.iter().all(|c| c.action == Action::Create));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(desired: &Desired, live: &LiveState, adopt: bool) -> Result<Vec<Change>, PlanError> {
    let mut changes = group_changes(desired, live, adopt)?;
    // Where each job now runs, for the reason of a move; and the jobs
    // whose new address is taken by a resource not ours.
    let mut homes: BTreeMap<&str, Vec<Address>> = BTreeMap::new();
    let mut blocked: BTreeSet<&str> = BTreeSet::new();
    for job in &desired.jobs {
        for resource in &job.resources {
            let change = match job.job.target.backend {
                Backend::Scheduler => schedule_change(desired, live, adopt, job, resource)?,
                Backend::Rules => rule_change(desired, live, adopt, job, resource)?,
            };
            if matches!(change.action, Action::Conflict { .. }) {
                // Its new home is taken: the job keeps whatever runs it now.
                blocked.insert(job.job.name.as_str());
            } else {
                let home = homes.entry(job.job.name.as_str()).or_default();
                home.push(change.address.clone());
            }
            changes.push(change);
        }
    }
    // A manifest without an `id` creates and updates, but never deletes or
    // moves: its derived id could be another manifest's (see
    // [`kept_without_id`]).
    if !desired.deployment.derived {
        changes.extend(left_over(desired, live, &homes, &blocked)?);
    }
    changes.extend(super::record::record_changes(desired, &live.run_records)?);
    changes.extend(super::alert::alert_changes(desired, &live.alert_rules)?);
    Ok(changes)
}

/// What a manifest without an `id` would have deleted, were it given one:
/// resources carrying its derived owner record that it no longer wants.
/// They are left running, and the plan says so.
///
/// ```
/// use cronport::plan::{LiveState, compare, kept_without_id};
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let changes = compare(&desired, &LiveState::default(), false)?;
/// assert!(kept_without_id(&desired, &LiveState::default(), &changes).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn kept_without_id(
    desired: &Desired,
    live: &LiveState,
    changes: &[Change],
) -> Vec<(String, Address)> {
    let wanted: BTreeSet<&Address> = changes.iter().map(|c| &c.address).collect();
    let schedules = live.schedules.iter().filter_map(|((group, name), l)| {
        let owner = Owner::from_description(&l.description)?;
        let address = Address::Schedule {
            group: group.clone(),
            name: name.clone(),
        };
        Some((owner, address))
    });
    let rules = live.rules.iter().filter_map(|(name, l)| {
        let address = Address::Rule { name: name.clone() };
        Some((l.owner.clone()?, address))
    });
    let jobs: BTreeSet<&str> = desired.jobs.iter().map(|j| j.job.name.as_str()).collect();
    let mine = &desired.deployment;
    schedules
        .chain(rules)
        .filter(|(owner, address)| {
            // Its own, an environment it takes over, or itself under the
            // id derived from an earlier cluster.
            let earlier_self = owner.manifest.starts_with(crate::owner::DERIVED_PREFIX)
                && owner.env == mine.env
                && jobs.contains(owner.job.as_str());
            (mine.claims(owner) || earlier_self) && !wanted.contains(address)
        })
        .map(|(owner, address)| (owner.job, address))
        .collect()
}

/// The resources of earlier environments this deployment takes over
/// (`replaces`), counted per environment.
///
/// ```
/// use cronport::plan::{LiveState, taken_over};
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(taken_over(&desired, &LiveState::default()).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn taken_over(desired: &Desired, live: &LiveState) -> Vec<(String, usize)> {
    let mine = &desired.deployment;
    let owners = live
        .schedules
        .values()
        .filter_map(|l| Owner::from_description(&l.description))
        .chain(live.rules.values().filter_map(|l| l.owner.clone()));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for owner in owners {
        if mine.claims(&owner) && !mine.owns(&owner) {
            *counts.entry(owner.env).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// The manifest ids on live resources that run this manifest's jobs in its
/// environment: the `id` to write into a manifest that has none.
///
/// ```
/// use cronport::plan::{LiveState, ids_on_aws};
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(ids_on_aws(&desired, &LiveState::default()).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ids_on_aws(desired: &Desired, live: &LiveState) -> Vec<String> {
    let jobs: BTreeSet<&str> = desired.jobs.iter().map(|j| j.job.name.as_str()).collect();
    let owners = live
        .schedules
        .values()
        .filter_map(|l| Owner::from_description(&l.description))
        .chain(live.rules.values().filter_map(|l| l.owner.clone()));
    let ids: BTreeSet<String> = owners
        .filter(|o| o.env == desired.deployment.env && jobs.contains(o.job.as_str()))
        .map(|o| o.manifest)
        .collect();
    ids.into_iter().collect()
}

/// The schedule groups the jobs use: created, or their tags added to.
fn group_changes(
    desired: &Desired,
    live: &LiveState,
    adopt: bool,
) -> Result<Vec<Change>, PlanError> {
    let mut changes = Vec::new();
    for (group, tags) in desired.schedule_groups() {
        let address = Address::ScheduleGroup {
            name: group.clone(),
        };
        let after = DesiredSpec::Group(group.clone(), tags.clone());
        let Some(live_tags) = live.groups.get(&group) else {
            changes.push(Change::new(address, None, Action::Create, Some(after)));
            continue;
        };
        let managed = live_tags.get("managed-by").map(String::as_str) == Some("cronport");
        if !managed && !adopt {
            return Err(PlanError {
                problems: vec![PlanProblem::new(
                    PlanProblemKind::NotOwned,
                    format!(
                        "schedule group `{group}` exists but is not tagged managed-by=cronport, so cronport will not write to it: choose another schedule_group"
                    ),
                ).with_hint(Hint::Adopt)],
            });
        }
        // Tags are added or changed, never taken away: the group may be
        // shared with other manifests.
        let fields: Vec<FieldChange> = tags
            .iter()
            .filter(|(k, v)| live_tags.get(*k) != Some(v))
            .map(|(k, v)| FieldChange {
                field: format!("tags.{k}"),
                before: live_tags.get(k).cloned().unwrap_or_else(|| "(none)".into()),
                after: v.clone(),
            })
            .collect();
        changes.push(Change::new(
            address,
            None,
            Action::update(fields),
            Some(after),
        ));
    }
    Ok(changes)
}

/// One desired schedule against what is live under its name.
fn schedule_change(
    desired: &Desired,
    live: &LiveState,
    adopt: bool,
    job: &DesiredJob,
    resource: &Resource,
) -> Result<Change, PlanError> {
    let group = job.job.target.schedule_group.clone();
    let address = Address::Schedule {
        group: group.clone(),
        name: resource.name.clone(),
    };
    let found = live.schedules.get(&(group, resource.name.clone()));
    let mut after = ScheduleSpec::desired(job, resource);
    // A rate's StartDate is only its phase: one already on AWS in the same
    // phase stays (each day's render moves the desired one on).
    if let Some(live_start) = found.and_then(|l| l.start_date)
        && after.start_date.is_some()
        && job.held_until.is_none()
        && same_phase(job, live_start, after.start_date)
    {
        after.start_date = Some(live_start);
    }
    // A cutover instant that has passed holds nothing back: a live
    // StartDate before the window is no change.
    if let Some(live_start) = found.and_then(|l| l.start_date)
        && after.start_date.is_none()
        && live_start <= live.now(desired)
    {
        after.start_date = Some(live_start);
    }
    let action = match found {
        None => Action::Create,
        Some(l) => match foreign(
            Owner::from_description(&l.description).as_ref(),
            l.has_marker(),
            desired,
            adopt,
            "schedule",
        ) {
            Some(reason) => Action::Conflict { reason },
            None => Action::update(differences(l, &after).map_err(not_compared)?),
        },
    };
    let mut change = Change::new(
        address,
        Some(&job.job.name),
        action,
        Some(DesiredSpec::Schedule(Box::new(after))),
    );
    change.live = found.map(|l| (l.expression.clone(), l.timezone.clone()));
    change.held_until = found
        .and_then(|l| l.start_date)
        .filter(|t| *t > live.now(desired));
    change.starts = starts(job);
    change.before = found.map(before).transpose()?;
    Ok(change)
}

/// The cutover instant a desired resource waits for, in its job's zone.
fn starts(job: &DesiredJob) -> Option<jiff::ZonedDateTime> {
    let at = job.held_until?;
    Some(at.to_zoned_datetime(job.job.schedule.time_zone().clone()))
}

/// A live rule's hold: disabled, and tagged with an instant still ahead.
fn rule_hold(rule: &RuleSpec, from: jiff::Timestamp) -> Option<jiff::Timestamp> {
    if rule.state != "DISABLED" {
        return None;
    }
    let at: jiff::Timestamp = rule.tags.get(crate::render::HELD_UNTIL_TAG)?.parse().ok()?;
    (at > from).then_some(at)
}

/// One desired rule against what is live under its name.
fn rule_change(
    desired: &Desired,
    live: &LiveState,
    adopt: bool,
    job: &DesiredJob,
    resource: &Resource,
) -> Result<Change, PlanError> {
    let address = Address::Rule {
        name: resource.name.clone(),
    };
    let found = live.rules.get(&resource.name);
    let mut after = RuleSpec::desired(job, resource);
    // A hold whose instant has passed holds nothing back: its tag on the
    // live rule is no change.
    if let Some(tag) = found
        .and_then(|l| l.spec.as_ref())
        .and_then(|s| s.tags.get(crate::render::HELD_UNTIL_TAG))
        && !after.tags.contains_key(crate::render::HELD_UNTIL_TAG)
        && tag
            .parse::<jiff::Timestamp>()
            .is_ok_and(|t| t <= live.now(desired))
    {
        after
            .tags
            .insert(crate::render::HELD_UNTIL_TAG.to_string(), tag.clone());
    }
    let mut extra = Vec::new();
    let action = match found {
        None => Action::Create,
        Some(l) => match foreign(l.owner.as_ref(), l.managed, desired, adopt, "rule") {
            Some(reason) => Action::Conflict { reason },
            None => {
                let mut fields = match &l.spec {
                    Some(spec) => differences(spec, &after).map_err(not_compared)?,
                    None => vec![FieldChange {
                        field: "target".into(),
                        before: "(none)".into(),
                        after: "cronport".into(),
                    }],
                };
                if !l.extra_targets.is_empty() {
                    fields.push(FieldChange {
                        field: "other targets".into(),
                        before: l.extra_targets.join(", "),
                        after: "(none)".into(),
                    });
                    extra = l.extra_targets.clone();
                }
                Action::update(fields)
            }
        },
    };
    let mut change = Change::new(
        address,
        Some(&job.job.name),
        action,
        Some(DesiredSpec::Rule(Box::new(after))),
    );
    change.extra_targets = extra;
    let spec = found.and_then(|l| l.spec.as_ref());
    change.live = spec.map(|s| (s.expression.clone(), "UTC".to_string()));
    change.held_until = spec.and_then(|s| rule_hold(s, live.now(desired)));
    change.starts = starts(job);
    change.before = spec.map(before).transpose()?;
    Ok(change)
}

/// What this deployment owns and no longer wants: deleted, wherever it is.
/// `homes` says where each job runs now.
fn left_over(
    desired: &Desired,
    live: &LiveState,
    homes: &BTreeMap<&str, Vec<Address>>,
    blocked: &BTreeSet<&str>,
) -> Result<Vec<Change>, PlanError> {
    let wanted: BTreeSet<&Address> = homes.values().flatten().collect();
    let now = live.now(desired);
    let reason = |owner: &Owner| -> DeleteReason {
        match homes.get(owner.job.as_str()) {
            Some(now) => DeleteReason::RunsElsewhere {
                job: owner.job.clone(),
                now: now.clone(),
            },
            None => DeleteReason::LeftManifest {
                job: owner.job.clone(),
            },
        }
    };
    let mut changes = Vec::new();
    for ((group, name), l) in &live.schedules {
        let address = Address::Schedule {
            group: group.clone(),
            name: name.clone(),
        };
        if let Some(owner) = Owner::from_description(&l.description)
            && desired.deployment.claims(&owner)
            && !wanted.contains(&address)
            && !blocked.contains(owner.job.as_str())
        {
            let mut change = Change::new(address, Some(&owner.job), Action::Delete, None);
            change.reason = Some(reason(&owner));
            change.live = Some((l.expression.clone(), l.timezone.clone()));
            change.held_until = l.start_date.filter(|t| *t > now);
            change.before = Some(before(l)?);
            changes.push(change);
        }
    }
    for (name, l) in &live.rules {
        let address = Address::Rule { name: name.clone() };
        if let Some(owner) = &l.owner
            && desired.deployment.claims(owner)
            && !wanted.contains(&address)
            && !blocked.contains(owner.job.as_str())
        {
            let mut change = Change::new(address, Some(&owner.job), Action::Delete, None);
            change.reason = Some(reason(owner));
            change.held_until = l.spec.as_ref().and_then(|s| rule_hold(s, now));
            change.extra_targets = l.extra_targets.clone();
            change.live = l
                .spec
                .as_ref()
                .map(|s| (s.expression.clone(), "UTC".to_string()));
            change.before = l.spec.as_ref().map(before).transpose()?;
            changes.push(change);
        }
    }
    Ok(changes)
}

/// Whether a live `StartDate` and the desired one are whole intervals of a
/// rate apart: the same runs, so the live one stays (the desired one moves
/// on with the window when the manifest's start has passed).
fn same_phase(
    job: &crate::desired::DesiredJob,
    live: jiff::Timestamp,
    desired: Option<jiff::Timestamp>,
) -> bool {
    let crate::schedule::Pattern::Rate(rate) = job.job.schedule.pattern() else {
        return false;
    };
    desired.is_some_and(|d| (live.as_second() - d.as_second()) % rate.seconds() == 0)
}

/// A live spec as the plan's `before` (every attribute, as JSON).
fn before<T: serde::Serialize>(spec: &T) -> Result<serde_json::Value, PlanError> {
    serde_json::to_value(spec).map_err(|e| not_compared(e.into()))
}

/// A comparison that could not be made is an error, never "unchanged".
fn not_compared(e: super::DifferenceError) -> PlanError {
    PlanError::new(PlanProblemKind::Compare, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desired::{CompileOptions, compile};
    use crate::manifest::Manifest;

    const MANIFEST: &str = r#"
id = "shop"
[defaults]
cluster = "production"
task_definition = "app"
container = "worker"
role_arn = "arn:aws:iam::123456789012:role/cronport"
subnets = ["subnet-0a1b2c3d"]
schedule_group = "shop"

[[job]]
name = "daily"
schedule = "30 14 * * *"
command = "rake daily"

[[job]]
name = "hourly"
schedule = "0 * * * *"
command = "rake hourly"
"#;

    fn desired(text: &str, env: Option<&str>) -> Desired {
        let m = Manifest::from_toml(text, "m.toml").unwrap();
        let m = m.for_env(env).unwrap();
        compile(
            &m,
            &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
        )
        .unwrap()
    }

    /// The live state `desired` would leave behind.
    fn applied(desired: &Desired) -> LiveState {
        let mut live = LiveState::default();
        for (group, tags) in desired.schedule_groups() {
            live.groups.insert(group, tags);
        }
        for job in &desired.jobs {
            for r in &job.resources {
                match job.job.target.backend {
                    Backend::Scheduler => {
                        let spec = ScheduleSpec::desired(job, r);
                        live.schedules
                            .insert((spec.group.clone(), spec.name.clone()), spec);
                    }
                    Backend::Rules => {
                        let spec = RuleSpec::desired(job, r);
                        live.rules.insert(
                            spec.name.clone(),
                            LiveRule {
                                owner: Owner::from_tags(&spec.tags),
                                managed: true,
                                spec: Some(spec),
                                extra_targets: vec![],
                            },
                        );
                    }
                }
            }
        }
        live
    }

    fn actions(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .filter(|c| c.action != Action::Unchanged)
            .map(|c| format!("{} {}", c.action.symbol(), c.address))
            .collect()
    }

    #[test]
    fn nothing_live_creates_everything_and_applied_is_unchanged() {
        let d = desired(MANIFEST, None);
        let changes = compare(&d, &LiveState::default(), false).unwrap();
        assert_eq!(
            actions(&changes),
            [
                "+ schedule group shop",
                "+ schedule shop/cronport-daily",
                "+ schedule shop/cronport-hourly"
            ]
        );
        assert!(actions(&compare(&d, &applied(&d), false).unwrap()).is_empty());
    }

    #[test]
    fn a_renamed_job_moves_and_never_runs_twice() {
        let before = desired(MANIFEST, None);
        let after = desired(
            &MANIFEST.replace("name = \"daily\"", "name = \"report\""),
            None,
        );
        let changes = compare(&after, &applied(&before), false).unwrap();
        assert_eq!(
            actions(&changes),
            [
                "+ schedule shop/cronport-report",
                "- schedule shop/cronport-daily"
            ]
        );
        let delete = changes.iter().find(|c| c.action == Action::Delete).unwrap();
        assert_eq!(
            delete.reason,
            Some(DeleteReason::LeftManifest {
                job: "daily".into()
            })
        );
    }

    #[test]
    fn a_group_or_prefix_change_deletes_the_old_one() {
        let before = desired(MANIFEST, None);
        let moved = desired(
            &MANIFEST.replace(
                "schedule_group = \"shop\"",
                "schedule_group = \"store\"\nname_prefix = \"jobs-\"",
            ),
            None,
        );
        let changes = compare(&moved, &applied(&before), false).unwrap();
        assert_eq!(
            actions(&changes),
            [
                "+ schedule group store",
                "+ schedule store/jobs-daily",
                "+ schedule store/jobs-hourly",
                "- schedule shop/cronport-daily",
                "- schedule shop/cronport-hourly",
            ]
        );
        let delete = changes.iter().find(|c| c.action == Action::Delete).unwrap();
        assert_eq!(
            delete.reason.as_ref().map(ToString::to_string).as_deref(),
            Some("job daily now runs as schedule store/jobs-daily")
        );
    }

    #[test]
    fn a_backend_switch_deletes_the_rules_and_points_to_migrate() {
        let rules = MANIFEST
            .replace(
                "cluster = \"production\"",
                "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/production\"",
            )
            .replace(
                "task_definition = \"app\"",
                "task_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/app\"",
            );
        let before = desired(
            &rules.replace("schedule_group = \"shop\"", "backend = \"rules\""),
            None,
        );
        let after = desired(&rules, None);
        let changes = compare(&after, &applied(&before), false).unwrap();
        let deletes: Vec<&Change> = changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .collect();
        assert_eq!(deletes.len(), 2);
        assert!(matches!(
            deletes[0].reason,
            Some(DeleteReason::RunsElsewhere { .. })
        ));
    }

    #[test]
    fn other_deployments_are_conflicts_never_deletes() {
        let prod = desired(
            &(MANIFEST.to_string()
                + "\n[env.prod]\nschedule_group = \"shop\"\nname_suffix = \"\"\n\n[env.pre-prod]\n"),
            Some("prod"),
        );
        // Another manifest's jobs in the same group, with the same names.
        let other = desired(&MANIFEST.replace("id = \"shop\"", "id = \"other\""), None);
        let mut live = applied(&other);
        live.groups.extend(applied(&prod).groups);
        let changes = compare(&prod, &live, false).unwrap();
        assert!(
            changes.iter().all(|c| c.action != Action::Delete),
            "{:?}",
            actions(&changes)
        );
        let conflict = changes
            .iter()
            .find(|c| matches!(c.action, Action::Conflict { .. }))
            .unwrap();
        let Action::Conflict { reason } = &conflict.action else {
            unreachable!()
        };
        assert_eq!(
            reason.to_string(),
            "it belongs to manifest `other`, environment `-`, job `daily`"
        );
        // `prod` and `pre-prod` share the group; an empty `pre-prod`
        // deletes its own two schedules and nothing of `prod` or `other`.
        let pre_prod = desired(
            &(MANIFEST.to_string()
                + "\n[env.prod]\nschedule_group = \"shop\"\nname_suffix = \"\"\n\n[env.pre-prod]\nschedule_group = \"shop\"\n"),
            Some("pre-prod"),
        );
        live.schedules.extend(applied(&pre_prod).schedules);
        let mut empty = pre_prod.clone();
        empty.jobs.clear();
        let changes = compare(&empty, &live, false).unwrap();
        assert_eq!(
            actions(&changes),
            [
                "- schedule shop/cronport-daily-pre-prod",
                "- schedule shop/cronport-hourly-pre-prod"
            ]
        );
    }

    #[test]
    fn unmarked_and_legacy_resources_are_conflicts_unless_adopted() {
        let d = desired(MANIFEST, None);
        let mut live = applied(&d);
        for spec in live.schedules.values_mut() {
            spec.description = "managed-by=cronport job=daily | old".into();
        }
        let changes = compare(&d, &live, false).unwrap();
        assert_eq!(
            changes
                .iter()
                .filter(|c| matches!(c.action, Action::Conflict { .. }))
                .count(),
            2
        );
        let adopted = compare(&d, &live, true).unwrap();
        assert!(
            adopted
                .iter()
                .filter(|c| c.address.kind() == "schedule")
                .all(|c| matches!(c.action, Action::Update { .. }))
        );
    }

    #[test]
    fn a_changed_field_is_one_update_and_group_tags_are_planned() {
        let d = desired(MANIFEST, None);
        let changed = desired(
            &MANIFEST
                .replace("rake daily", "rake daily --full")
                .replace("[defaults]", "[defaults]\ntags = { team = \"ops\" }"),
            None,
        );
        let changes = compare(&changed, &applied(&d), false).unwrap();
        assert_eq!(
            actions(&changes),
            ["~ schedule group shop", "~ schedule shop/cronport-daily"]
        );
        let Action::Update { fields } = &changes[0].action else {
            unreachable!()
        };
        assert_eq!(fields[0].field, "tags.team");
    }

    #[test]
    fn twins_of_another_id_or_environment_are_warned_about() {
        // Applied without environments; now the manifest has two (so
        // neither takes the earlier resources over by itself).
        let before = desired(MANIFEST, None);
        let prod = desired(
            &(MANIFEST.to_string() + "\n[env.prod]\n\n[env.staging]\n"),
            Some("prod"),
        );
        let warnings = twins(&prod, &applied(&before));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].to_string().starts_with(
                "2 resource(s) of manifest `shop`, environment `-` run jobs of this manifest"
            ),
            "{}",
            warnings[0]
        );
        // The same manifest under another id (its id line changed).
        let renamed = desired(&MANIFEST.replace("id = \"shop\"", "id = \"store\""), None);
        let warnings = twins(&renamed, &applied(&before));
        assert!(
            warnings[0]
                .to_string()
                .contains("write id = \"shop\" at its top"),
            "{warnings:?}"
        );
        // Another manifest in another environment with other jobs: none.
        let other = desired(
            &MANIFEST
                .replace("id = \"shop\"", "id = \"x\"")
                .replace("name = \"daily\"", "name = \"d2\"")
                .replace("name = \"hourly\"", "name = \"h2\""),
            None,
        );
        assert!(twins(&other, &applied(&before)).is_empty());
    }

    #[test]
    fn an_unmanaged_group_is_refused() {
        let d = desired(MANIFEST, None);
        let mut live = LiveState::default();
        live.groups.insert("shop".into(), BTreeMap::new());
        assert!(
            compare(&d, &live, false)
                .unwrap_err()
                .to_string()
                .contains("not tagged managed-by=cronport")
        );
        assert!(compare(&d, &live, true).is_ok());
    }
}
