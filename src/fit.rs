//! Fitting each job's container to its task definition, at plan time.
//!
//! A dyno size becomes task-level `cpu`/`memory` overrides. But a container
//! whose task definition sets a hard `memory` keeps that limit whatever the
//! task's size (a 512 MiB worker stays at 512 MiB under Performance-M), and
//! a container limit larger than the task makes RunTask fail. Only the task
//! definition says which, so `plan` (and `run`) read it, and this module
//! decides, as a pure function, the container-level overrides that let the
//! dyno's memory reach the process, or why that cannot be.
//!
//! ```
//! use cronport::fit::{fit, TaskDefinitionFacts};
//! # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
//! # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
//! // Nothing known of the task definitions: the jobs stay as compiled.
//! let fitted = fit(&desired, &TaskDefinitionFacts::new());
//! assert_eq!(fitted.desired.jobs.len(), desired.jobs.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use crate::desired::Desired;

/// What a task definition says about the container a job runs in.
///
/// ```
/// let facts = cronport::fit::ContainerFacts { memory: Some(512), ..Default::default() };
/// assert!(facts.entry_point.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerFacts {
    /// The task definition's ARN, for messages.
    pub task_definition: String,
    /// The container's `entryPoint`; the command runs as its arguments.
    pub entry_point: Vec<String>,
    /// The container's CPU units, if set.
    pub cpu: Option<u32>,
    /// The container's hard memory limit (MiB), if set.
    pub memory: Option<u32>,
    /// The container's soft memory limit (MiB), if set.
    pub memory_reservation: Option<u32>,
    /// CPU units the task's other containers take.
    pub others_cpu: u32,
    /// Memory (MiB) the task's other containers take: each one's hard
    /// limit, else its reservation.
    pub others_memory: u32,
}

/// The facts of each (task definition, container) pair the jobs name, as
/// the manifest names them.
pub type TaskDefinitionFacts = BTreeMap<(String, String), ContainerFacts>;

/// What fitting found.
///
/// ```
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let fitted = cronport::fit::fit(&desired, &Default::default());
/// assert!(fitted.notes.is_empty() && fitted.problems.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Fitted {
    /// The jobs with the container overrides their task definitions need.
    pub desired: Desired,
    /// What changed and why, and entry points.
    pub notes: Vec<JobNote>,
    /// Jobs whose size cannot reach their container.
    pub problems: Vec<JobNote>,
}

/// A line about one job; `Display` is `job NAME: text`.
///
/// ```
/// let note = cronport::fit::JobNote { job: "daily".into(), text: "container `worker` is limited to 512 MiB".into() };
/// assert_eq!(note.to_string(), "job daily: container `worker` is limited to 512 MiB");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobNote {
    /// The job's name in the manifest.
    pub job: String,
    /// What is said of it.
    pub text: String,
}

impl std::fmt::Display for JobNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "job {}: {}", self.job, self.text)
    }
}

/// Sets container-level overrides where a task definition would keep a
/// job's container below (or push it above) the task size its dyno was
/// given, and says what each entry point does to the command.
///
/// ```
/// use cronport::fit::{fit, ContainerFacts};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// // The worker container is capped at 512 MiB in its task definition.
/// let facts = [(("app-worker".to_string(), "worker".to_string()),
///     ContainerFacts { task_definition: "app-worker:3".into(), memory: Some(512), ..Default::default() })].into();
/// let fitted = fit(&desired, &facts);
/// let performance_m = &fitted.desired.jobs[0]; // reports
/// assert_eq!(performance_m.run_task.overrides.memory, Some(4096));
/// assert_eq!(performance_m.run_task.overrides.container.memory, Some(4096));
/// assert!(fitted.problems.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fit(desired: &Desired, facts: &TaskDefinitionFacts) -> Fitted {
    let mut fitted = desired.clone();
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    for job in &mut fitted.jobs {
        let t = &job.job.target;
        let Some(facts) = facts.get(&(t.task_definition.clone(), t.container.clone())) else {
            continue;
        };
        let note = |text: String| JobNote {
            job: job.job.name.clone(),
            text,
        };
        let container = t.container.clone();
        if !facts.entry_point.is_empty() {
            let runs: Vec<String> = facts
                .entry_point
                .iter()
                .chain(&job.run_task.overrides.container.command)
                .cloned()
                .collect();
            notes.push(note(crate::escape::one_line(&format!(
                "container `{container}` of {} has an entryPoint, so each run executes `{}`",
                facts.task_definition,
                shlex::try_join(runs.iter().map(String::as_str)).unwrap_or_else(|_| runs.join(" "))
            ))));
        }
        let overrides = &mut job.run_task.overrides;
        if let Some(task_memory) = overrides.memory {
            let Some(available) = task_memory
                .checked_sub(facts.others_memory)
                .filter(|a| *a > 0)
            else {
                problems.push(note(format!(
                    "the other containers of {} take {} MiB, all of the {task_memory} MiB its size gives the task: choose a larger size or memory",
                    facts.task_definition, facts.others_memory
                )));
                continue;
            };
            if let Some(limit) = facts.memory
                && limit != available
            {
                overrides.container.memory = Some(available);
                notes.push(note(format!(
                    "container `{container}` of {} is limited to {limit} MiB; the run sets it to {available} MiB, what its size leaves after the other containers ({} MiB), so the dyno's memory reaches the process",
                    facts.task_definition, facts.others_memory
                )));
            }
            if let Some(reservation) = facts.memory_reservation
                && reservation > available
            {
                overrides.container.memory_reservation = Some(available);
            }
        }
        if let Some(task_cpu) = overrides.cpu
            && let Some(cpu) = facts.cpu
        {
            match task_cpu.checked_sub(facts.others_cpu) {
                Some(available) if cpu > available && available > 0 => {
                    overrides.container.cpu = Some(available);
                    notes.push(note(format!(
                        "container `{container}` of {} asks for {cpu} CPU units, more than the {available} its size leaves; the run sets {available}",
                        facts.task_definition
                    )));
                }
                Some(available) if available > 0 => {}
                _ => problems.push(note(format!(
                    "the other containers of {} take {} CPU units, all of the {task_cpu} its size gives the task: choose a larger size or cpu",
                    facts.task_definition, facts.others_cpu
                ))),
            }
        }
    }
    Fitted {
        desired: fitted,
        notes,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired() -> Desired {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/heroku/cronport.toml"
        ))
        .unwrap();
        let m = crate::manifest::Manifest::from_toml(&text, "m").unwrap();
        crate::desired::compile(
            &m,
            &crate::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
        )
        .unwrap()
    }

    fn facts(container: ContainerFacts) -> TaskDefinitionFacts {
        [(
            ("mamorio-worker".to_string(), "worker".to_string()),
            container,
        )]
        .into()
    }

    #[test]
    fn a_hard_limit_is_raised_to_what_the_size_leaves_after_sidecars() {
        let d = desired();
        let fitted = fit(
            &d,
            &facts(ContainerFacts {
                task_definition: "td".into(),
                memory: Some(512),
                memory_reservation: Some(3000),
                others_memory: 256,
                ..Default::default()
            }),
        );
        let job = &fitted.desired.jobs[5]; // performance-m: 4096 MiB
        assert_eq!(job.run_task.overrides.container.memory, Some(3840));
        assert_eq!(job.run_task.overrides.container.memory_reservation, None); // 3000 fits
        let small = &fitted.desired.jobs[1]; // standard-1x: 512 MiB
        assert_eq!(small.run_task.overrides.container.memory, Some(256));
        assert!(fitted.notes.iter().any(|n| n.to_string().contains("job rake-tags-recompute-lost: container `worker` of td is limited to 512 MiB; the run sets it to 3840 MiB")), "{:?}", fitted.notes);
        // A container without a hard limit needs nothing.
        let fitted = fit(&d, &facts(ContainerFacts::default()));
        assert!(
            fitted
                .desired
                .jobs
                .iter()
                .all(|j| j.run_task.overrides.container.memory.is_none())
        );
        assert!(fitted.notes.is_empty());
    }

    #[test]
    fn sidecars_that_take_everything_and_entry_points_are_reported() {
        let d = desired();
        let fitted = fit(
            &d,
            &facts(ContainerFacts {
                task_definition: "td".into(),
                others_memory: 1024,
                cpu: Some(1024),
                others_cpu: 0,
                entry_point: vec!["/cnb/process/launcher".into()],
                ..Default::default()
            }),
        );
        assert!(fitted.problems.iter().any(|p| p.to_string().starts_with("job rails-runner-devices-sync-call: the other containers of td take 1024 MiB, all of the 512 MiB")), "{:?}", fitted.problems);
        assert!(
            fitted.notes.iter().any(|n| n.to_string().contains(
                "has an entryPoint, so each run executes `/cnb/process/launcher timeout -k 30"
            )),
            "{:?}",
            fitted.notes
        );
        // CPU above what the size leaves is lowered to it.
        let fitted = fit(
            &d,
            &facts(ContainerFacts {
                task_definition: "td".into(),
                cpu: Some(1024),
                ..Default::default()
            }),
        );
        let job = &fitted.desired.jobs[5]; // performance-m: 2048 units
        assert_eq!(job.run_task.overrides.container.cpu, None); // 1024 fits
        let job = &fitted.desired.jobs[2]; // standard-2x: 512 units
        assert_eq!(job.run_task.overrides.container.cpu, Some(512));
        assert!(fitted.problems.is_empty());
    }
}
