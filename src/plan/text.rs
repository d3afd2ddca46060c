//! A plan as people read it, Terraform-like: `+` create, `~` update, `-`
//! delete, `!` conflict, then warnings and a summary line. The plan itself
//! is data ([`super`]); this is one way to show it.

use std::fmt::Write as _;

use super::{Action, DesiredSpec, Plan};
use crate::Hint;
use crate::escape::one_line;

impl Plan {
    /// Terraform-like text: `+` create, `~` update, `-` delete, `!`
    /// conflict, and a summary line.
    ///
    /// ```
    /// let empty = cronport::plan::Plan::default();
    /// assert!(!empty.has_changes());
    /// assert_eq!(empty.summary().add, 0);
    /// assert!(empty.to_text().contains("Plan: 0 to add, 0 to change, 0 to destroy, 0 unchanged."));
    /// ```
    pub fn to_text(&self) -> String {
        render(self, &|hint: &Hint| hint.to_string())
    }
}

/// The plan as text, with each [`Hint`] worded by `words` (the CLI words
/// them as its flags).
///
/// ```
/// use cronport::{Hint, plan::{Action, Address, Change, Foreign, Plan, text::render}};
/// let old = Change::new(Address::Rule { name: "r".into() }, None, Action::Conflict { reason: Foreign::Unrecorded { kind: "rule" } }, None);
/// let plan = Plan { changes: vec![old], warnings: vec![] };
/// let text = render(&plan, &|h: &Hint| if *h == Hint::Adopt { "`--adopt` takes it".into() } else { h.to_string() });
/// assert!(text.contains("  ! rule r: a rule cronport 0.1 made, without an owner record: `--adopt` takes it; left untouched"));
/// ```
pub fn render(plan: &Plan, words: &dyn Fn(&Hint) -> String) -> String {
    let with_hint = |text: String, hint: Option<Hint>, sep: &str| match hint {
        Some(h) => format!("{text}{sep}{}", words(&h)),
        None => text,
    };
    let this = plan;
    let mut out = String::new();
    for c in &this.changes {
        let job = c
            .job
            .as_deref()
            .map(|j| format!("  (job {j})"))
            .unwrap_or_default();
        match &c.action {
            Action::Create => {
                let _ = writeln!(out, "  + {}{job}", c.address);
                for line in c.desired.as_ref().map(describe_spec).unwrap_or_default() {
                    let _ = writeln!(out, "      {}", one_line(&line));
                }
                write_starts(&mut out, c);
            }
            Action::Update { fields } => {
                let _ = writeln!(out, "  ~ {}{job}", c.address);
                write_starts(&mut out, c);
                // What a field holds is printed on its line, whatever it
                // holds: a newline in a command cannot forge a plan line.
                for f in fields {
                    let _ = writeln!(
                        out,
                        "      {}: {} → {}",
                        one_line(&f.field),
                        one_line(&f.before),
                        one_line(&f.after)
                    );
                }
            }
            Action::Delete => {
                let _ = writeln!(out, "  - {}{job}", c.address);
                if let Some(reason) = &c.reason {
                    let _ = writeln!(out, "      {}", one_line(&reason.to_string()));
                }
            }
            Action::Conflict { reason } => {
                let _ = writeln!(
                    out,
                    "  ! {}{job}: {}; left untouched",
                    c.address,
                    one_line(&with_hint(reason.to_string(), reason.hint(), ": "))
                );
            }
            Action::Unchanged => {}
        }
    }
    for w in &this.warnings {
        let _ = writeln!(
            out,
            "\nwarning: {}",
            with_hint(w.to_string(), w.hint(), w.hint_separator())
        );
    }
    let s = this.summary();
    let _ = write!(
        out,
        "\nPlan: {} to add, {} to change, {} to destroy, {} unchanged.",
        s.add, s.change, s.destroy, s.unchanged
    );
    if s.conflicts > 0 {
        let _ = write!(
            out,
            " {} conflict(s) with resources cronport does not own.",
            s.conflicts
        );
    }
    out.push('\n');
    out
}

/// `starts: 2027-02-05 00:00 JST` under a resource held until a cutover
/// instant, in its job's time zone.
fn write_starts(out: &mut String, change: &super::Change) {
    if let Some(at) = &change.starts {
        let _ = writeln!(out, "      starts: {}", at.strftime("%Y-%m-%d %H:%M %Z"));
    }
}

/// What a create makes, a line each: when (expression, zone), state,
/// command, size, cluster.
fn describe_spec(spec: &DesiredSpec) -> Vec<String> {
    let (when, state, input) = match spec {
        DesiredSpec::Group(_, tags) => {
            return vec![format!(
                "tags: {}",
                tags.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )];
        }
        DesiredSpec::RunRecord(r) => {
            return vec![
                format!(
                    "records: this deployment's ECS task events (group {}…), running and stopped, and RunTask calls ECS placed no task for",
                    r.event_pattern["$or"][0]["detail"]["group"][0]["prefix"]
                        .as_str()
                        .unwrap_or("?")
                ),
                format!(
                    "into: log group {} (kept {} days; policy {})",
                    r.log_group, r.retention_days, r.policy
                ),
            ];
        }
        DesiredSpec::AlertRule(a) => {
            return vec![format!(
                "tells: SNS topic {} when a task of {} stops with a non-zero exit code or fails to start",
                a.topic,
                match a.event_pattern["detail"]["group"][0]["prefix"].as_str() {
                    Some(prefix) => format!("this deployment (group {prefix}…)"),
                    None => format!(
                        "{} job(s)",
                        a.event_pattern["detail"]["group"]
                            .as_array()
                            .map_or(0, Vec::len)
                    ),
                }
            )];
        }
        DesiredSpec::Schedule(s) => (
            format!("{} ({})", s.expression, s.timezone),
            &s.state,
            crate::task::RunTask::from_json(&s.input)
                .ok()
                .map(|(r, _)| r),
        ),
        DesiredSpec::Rule(r) => (
            format!("{} (UTC)", r.expression),
            &r.state,
            crate::task::TaskOverrides::from_json(&r.input)
                .ok()
                .map(|(overrides, _)| crate::task::RunTask {
                    cluster: r.cluster.clone(),
                    task_definition: r.task_definition.clone(),
                    count: r.task_count,
                    launch_type: None,
                    capacity_provider_strategy: Vec::new(),
                    platform_version: None,
                    network: None,
                    overrides,
                    started_by: None,
                    group: r.group.clone(),
                }),
        ),
    };
    let mut lines = vec![format!("schedule: {when}"), format!("state: {state}")];
    if let Some(run) = input {
        lines.push(format!(
            "command: {}",
            serde_json::to_string(&run.overrides.container.command).unwrap_or_default()
        ));
        if let (Some(cpu), Some(memory)) = (run.overrides.cpu, run.overrides.memory) {
            lines.push(format!("size: cpu {cpu} / memory {memory} MiB"));
        }
        lines.push(format!(
            "task: {} on {} (container {})",
            run.task_definition, run.cluster, run.overrides.container.name
        ));
    }
    lines
}
