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

/// One container of a task definition, as the fit reads it: from ECS
/// (`plan`, `run`) or from a file (`convert --task-definition`).
///
/// ```
/// let c = cronport::fit::ContainerDefinition { name: "worker".into(), memory: Some(512), ..Default::default() };
/// assert!(c.entry_point.is_empty() && c.cpu.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerDefinition {
    /// Its name.
    pub name: String,
    /// Its `entryPoint`.
    pub entry_point: Vec<String>,
    /// Its `cpu` units (0 or absent: none reserved).
    pub cpu: Option<i64>,
    /// Its hard `memory` limit in MiB.
    pub memory: Option<i64>,
    /// Its soft `memoryReservation` in MiB.
    pub memory_reservation: Option<i64>,
}

impl ContainerFacts {
    /// The facts of container `name` among a task definition's containers,
    /// or `None` when it has no such container: one rule for both ECS's
    /// answer and a file, so `convert` fits as `apply` does.
    ///
    /// ```
    /// use cronport::fit::{ContainerDefinition, ContainerFacts};
    /// let containers = [
    ///     ContainerDefinition { name: "worker".into(), memory: Some(512), ..Default::default() },
    ///     ContainerDefinition { name: "datadog".into(), cpu: Some(10), memory_reservation: Some(256), ..Default::default() },
    /// ];
    /// let facts = ContainerFacts::of("app-worker:3", &containers, "worker").unwrap();
    /// assert_eq!((facts.memory, facts.others_memory, facts.others_cpu), (Some(512), 256, 10));
    /// ```
    pub fn of(
        task_definition: &str,
        containers: &[ContainerDefinition],
        name: &str,
    ) -> Option<ContainerFacts> {
        let size = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
        let mine = containers.iter().find(|c| c.name == name)?;
        let others = containers.iter().filter(|c| c.name != name);
        Some(ContainerFacts {
            task_definition: task_definition.to_string(),
            entry_point: mine.entry_point.clone(),
            cpu: size(mine.cpu),
            memory: size(mine.memory),
            memory_reservation: size(mine.memory_reservation),
            others_cpu: others.clone().filter_map(|c| size(c.cpu)).sum(),
            // Each other container's hard limit, else its reservation.
            others_memory: others
                .filter_map(|c| size(c.memory).or(size(c.memory_reservation)))
                .sum(),
        })
    }
}

/// A task definition read from a file: what `aws ecs
/// describe-task-definition` prints (`{"taskDefinition": {…}}`), or the
/// task definition object itself (as `register-task-definition` takes it).
///
/// ```
/// use cronport::fit::TaskDefinitionFile;
/// let text = r#"{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/app-worker:7",
///   "family": "app-worker", "revision": 7,
///   "containerDefinitions": [{"name": "worker", "memory": 512, "entryPoint": ["/cnb/lifecycle/launcher"]}]}}"#;
/// let def = TaskDefinitionFile::parse(text, "td.json")?;
/// assert_eq!((def.family.as_str(), def.revision), ("app-worker", Some(7)));
/// assert!(def.names("app-worker") && def.names("app-worker:7") && !def.names("app-worker:6"));
/// # Ok::<(), cronport::fit::TaskDefinitionFileError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDefinitionFile {
    /// Where it was read from, for messages.
    pub origin: String,
    /// Its ARN, or `family:revision` when the file has none.
    pub arn: String,
    /// Its family.
    pub family: String,
    /// Its revision, when the file says.
    pub revision: Option<u32>,
    /// Its containers.
    pub containers: Vec<ContainerDefinition>,
    /// Its `taskRoleArn`, if any.
    pub task_role_arn: Option<String>,
    /// Its `executionRoleArn`, if any.
    pub execution_role_arn: Option<String>,
}

/// A task definition file that could not be read; `Display` names the
/// file and what is wrong.
///
/// ```
/// let err = cronport::fit::TaskDefinitionFile::parse("[]", "td.json").unwrap_err();
/// assert!(err.to_string().starts_with("td.json: not a task definition"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct TaskDefinitionFileError {
    origin: String,
    message: String,
}

impl TaskDefinitionFile {
    /// Reads one task definition from JSON text.
    ///
    /// ```
    /// use cronport::fit::TaskDefinitionFile;
    /// let bare = TaskDefinitionFile::parse(r#"{"family": "app", "containerDefinitions": [{"name": "w"}]}"#, "td.json")?;
    /// assert_eq!((bare.arn.as_str(), bare.revision), ("app", None));
    /// let mismatch = r#"{"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/app:5", "revision": 4, "containerDefinitions": [{"name": "w"}]}"#;
    /// assert!(TaskDefinitionFile::parse(mismatch, "td.json").is_err());
    /// # Ok::<(), cronport::fit::TaskDefinitionFileError>(())
    /// ```
    pub fn parse(text: &str, origin: &str) -> Result<TaskDefinitionFile, TaskDefinitionFileError> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Described {
            task_definition: Definition,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Definition {
            task_definition_arn: Option<String>,
            family: Option<String>,
            revision: Option<u32>,
            container_definitions: Vec<Container>,
            task_role_arn: Option<String>,
            execution_role_arn: Option<String>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Container {
            name: String,
            #[serde(default)]
            entry_point: Vec<String>,
            cpu: Option<i64>,
            memory: Option<i64>,
            memory_reservation: Option<i64>,
        }
        let error = |message: String| TaskDefinitionFileError {
            origin: origin.to_string(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| error(format!("not JSON: {e}")))?;
        let definition = if value.get("taskDefinition").is_some() {
            serde_json::from_value::<Described>(value).map(|d| d.task_definition)
        } else {
            serde_json::from_value::<Definition>(value)
        }
        .map_err(|e| error(format!("not a task definition as `aws ecs describe-task-definition --task-definition NAME` prints it: {e}")))?;
        let (arn_family, arn_revision) = definition
            .task_definition_arn
            .as_deref()
            .map(family_and_revision)
            .unwrap_or_default();
        if let (Some(family), Some(in_arn)) = (&definition.family, &arn_family)
            && family != in_arn
        {
            return Err(error(format!(
                "its `family` is `{family}` but its `taskDefinitionArn` names `{in_arn}`"
            )));
        }
        let family = definition
            .family
            .or(arn_family)
            .ok_or_else(|| error("it names no `family` and no `taskDefinitionArn`".to_string()))?;
        if let (Some(field), Some(in_arn)) = (definition.revision, arn_revision)
            && field != in_arn
        {
            return Err(error(format!(
                "its `revision` is {field} but its `taskDefinitionArn` names revision {in_arn}"
            )));
        }
        let revision = definition.revision.or(arn_revision);
        if definition.container_definitions.is_empty() {
            return Err(error("it has no `containerDefinitions`".to_string()));
        }
        Ok(TaskDefinitionFile {
            origin: origin.to_string(),
            arn: definition
                .task_definition_arn
                .unwrap_or_else(|| match revision {
                    Some(r) => format!("{family}:{r}"),
                    None => family.clone(),
                }),
            family,
            revision,
            task_role_arn: definition.task_role_arn.filter(|r| !r.is_empty()),
            execution_role_arn: definition.execution_role_arn.filter(|r| !r.is_empty()),
            containers: definition
                .container_definitions
                .into_iter()
                .map(|c| ContainerDefinition {
                    name: c.name,
                    entry_point: c.entry_point,
                    cpu: c.cpu,
                    memory: c.memory,
                    memory_reservation: c.memory_reservation,
                })
                .collect(),
        })
    }

    /// The roles a run passes to ECS: the task role and the execution
    /// role, where set.
    ///
    /// ```
    /// let td = cronport::fit::TaskDefinitionFile::parse(r#"{"family": "app", "taskRoleArn": "arn:aws:iam::123456789012:role/t", "executionRoleArn": "", "containerDefinitions": [{"name": "w"}]}"#, "td.json")?;
    /// assert_eq!(td.roles().collect::<Vec<_>>(), ["arn:aws:iam::123456789012:role/t"]);
    /// # Ok::<(), cronport::fit::TaskDefinitionFileError>(())
    /// ```
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.task_role_arn
            .iter()
            .chain(&self.execution_role_arn)
            .map(String::as_str)
    }

    /// Whether a manifest's `task_definition` (a family, `family:revision`
    /// or an ARN) names this one: the same family, and the same revision
    /// where it gives one.
    ///
    /// ```
    /// let td = cronport::fit::TaskDefinitionFile::parse(r#"{"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/app:3", "containerDefinitions": [{"name": "w"}]}"#, "td.json")?;
    /// assert!(td.names("app") && td.names("app:3"));
    /// assert!(!td.names("arn:aws:ecs:eu-west-1:123456789012:task-definition/app:3")); // another region
    /// # Ok::<(), cronport::fit::TaskDefinitionFileError>(())
    /// ```
    pub fn names(&self, task_definition: &str) -> bool {
        let (family, revision) = family_and_revision(task_definition);
        // Two ARNs must name one region and account too.
        let place = |arn: &str| {
            arn.split_once(":task-definition/")
                .map(|(p, _)| p.to_string())
        };
        let same_place = match (place(task_definition), place(&self.arn)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        family.as_deref() == Some(self.family.as_str())
            && revision.is_none_or(|r| Some(r) == self.revision)
            && same_place
    }

    /// The file a manifest's `task_definition` runs: the newest revision
    /// among the files it [names](TaskDefinitionFile::names), as ECS runs
    /// a family's latest.
    ///
    /// ```
    /// use cronport::fit::TaskDefinitionFile;
    /// let at = |revision| TaskDefinitionFile::parse(&format!(r#"{{"family": "app", "revision": {revision}, "containerDefinitions": [{{"name": "w"}}]}}"#), "td.json").unwrap();
    /// let files = [at(3), at(5), at(4)];
    /// assert_eq!(TaskDefinitionFile::newest(&files, "app").unwrap().revision, Some(5));
    /// assert_eq!(TaskDefinitionFile::newest(&files, "app:4").unwrap().revision, Some(4));
    /// assert!(TaskDefinitionFile::newest(&files, "other").is_none());
    /// ```
    pub fn newest<'a>(
        files: &'a [TaskDefinitionFile],
        task_definition: &str,
    ) -> Option<&'a TaskDefinitionFile> {
        files
            .iter()
            .filter(|f| f.names(task_definition))
            .max_by_key(|f| f.revision)
    }

    /// Files that give one task definition twice (the same family and
    /// revision), which would make the output depend on their order.
    ///
    /// ```
    /// use cronport::fit::TaskDefinitionFile;
    /// let one = |origin| TaskDefinitionFile::parse(r#"{"family": "app", "revision": 2, "containerDefinitions": [{"name": "w"}]}"#, origin).unwrap();
    /// let err = TaskDefinitionFile::check_distinct(&[one("a.json"), one("b.json")]).unwrap_err();
    /// assert_eq!(err.to_string(), "b.json: it gives app:2 again, as a.json does: give each task definition once");
    /// ```
    pub fn check_distinct(files: &[TaskDefinitionFile]) -> Result<(), TaskDefinitionFileError> {
        for (i, file) in files.iter().enumerate() {
            if let Some(earlier) = files[..i]
                .iter()
                .find(|f| f.family == file.family && f.revision == file.revision)
            {
                return Err(TaskDefinitionFileError {
                    origin: file.origin.clone(),
                    message: format!(
                        "it gives {} again, as {} does: give each task definition once",
                        match file.revision {
                            Some(r) => format!("{}:{r}", file.family),
                            None => file.family.clone(),
                        },
                        earlier.origin
                    ),
                });
            }
        }
        Ok(())
    }
}

/// A task definition reference's family and revision: `app`, `app:3`,
/// `arn:aws:ecs:…:task-definition/app:3`.
fn family_and_revision(reference: &str) -> (Option<String>, Option<u32>) {
    let name = match reference.split_once(":task-definition/") {
        Some((_, name)) => name,
        None => reference,
    };
    match name.rsplit_once(':') {
        Some((family, revision)) => match revision.parse() {
            Ok(r) => (Some(family.to_string()), Some(r)),
            Err(_) => (Some(name.to_string()), None),
        },
        None => (Some(name.to_string()), None),
    }
}

/// The facts the jobs' task definitions give, from files: for each
/// (task definition, container) the manifest names, the newest matching
/// revision among `files`. A job whose task definition no file gives is
/// left out (and `unfitted` names it); one whose container is missing is an
/// error, as in `plan`.
///
/// ```
/// use cronport::fit::{facts_from_files, TaskDefinitionFile};
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let file = TaskDefinitionFile::parse(r#"{"family": "app-worker", "revision": 3,
///     "containerDefinitions": [{"name": "worker", "memory": 512}]}"#, "td.json")?;
/// let facts = facts_from_files(&desired, &[file])?;
/// assert_eq!(facts[&("app-worker".to_string(), "worker".to_string())].memory, Some(512));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn facts_from_files(
    desired: &Desired,
    files: &[TaskDefinitionFile],
) -> Result<TaskDefinitionFacts, MissingContainers> {
    let mut facts = TaskDefinitionFacts::new();
    let mut problems = Vec::new();
    for job in &desired.jobs {
        let t = &job.job.target;
        let key = (t.task_definition.clone(), t.container.clone());
        if facts.contains_key(&key) {
            continue;
        }
        let Some(file) = TaskDefinitionFile::newest(files, &t.task_definition) else {
            continue;
        };
        match ContainerFacts::of(&file.arn, &file.containers, &t.container) {
            Some(found) => {
                facts.insert(key, found);
            }
            None => problems.push(JobNote {
                job: job.job.name.clone(),
                text: format!(
                    "task definition {} ({}) has no container `{}`; it has {}",
                    file.arn,
                    file.origin,
                    t.container,
                    file.containers
                        .iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }
    if problems.is_empty() {
        Ok(facts)
    } else {
        Err(MissingContainers { jobs: problems })
    }
}

/// Jobs whose container a task definition file does not have: a line
/// each in `jobs`, all of them in `Display`.
///
/// ```
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let file = cronport::fit::TaskDefinitionFile::parse(r#"{"family": "app-worker", "containerDefinitions": [{"name": "web"}]}"#, "td.json")?;
/// let err = cronport::fit::facts_from_files(&desired, &[file]).unwrap_err();
/// assert!(err.to_string().contains("has no container `worker`; it has `web`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .jobs.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct MissingContainers {
    /// One line per job.
    pub jobs: Vec<JobNote>,
}

/// Jobs whose request depends on a task definition the fit was not
/// given, by (task definition, container): those with a size (task-level
/// cpu/memory), whose container's own limits could keep the dyno's memory
/// from the process.
///
/// ```
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let desired = cronport::desired::compile(&m, &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse()?))?;
/// let unfitted = cronport::fit::unfitted(&desired, &Default::default());
/// assert_eq!(unfitted.len(), 1);
/// assert_eq!(unfitted[0].jobs, ["reports"]); // the one job with a size
/// assert!(unfitted[0].to_string().starts_with("1 job with a size (reports) runs in container `worker` of task definition `app-worker`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unfitted(desired: &Desired, facts: &TaskDefinitionFacts) -> Vec<Unfitted> {
    let mut by_container: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for job in &desired.jobs {
        let o = &job.run_task.overrides;
        let t = &job.job.target;
        let key = (t.task_definition.clone(), t.container.clone());
        if (o.cpu.is_some() || o.memory.is_some()) && !facts.contains_key(&key) {
            by_container
                .entry(key)
                .or_default()
                .push(job.job.name.clone());
        }
    }
    by_container
        .into_iter()
        .map(|((task_definition, container), jobs)| Unfitted {
            task_definition,
            container,
            jobs,
        })
        .collect()
}

/// Jobs with a size in a container whose task definition was not read.
///
/// ```
/// let u = cronport::fit::Unfitted { task_definition: "app".into(), container: "w".into(), jobs: vec!["a".into(), "b".into()] };
/// assert!(u.to_string().starts_with("2 jobs with a size (a, b) run in container `w` of task definition `app`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfitted {
    /// The task definition, as the manifest names it.
    pub task_definition: String,
    /// The container.
    pub container: String,
    /// The jobs, in manifest order.
    pub jobs: Vec<String>,
}

impl std::fmt::Display for Unfitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.jobs.len();
        let mut names = self
            .jobs
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if n > 3 {
            names.push_str(&format!(" and {} more", n - 3));
        }
        write!(
            f,
            "{n} job{} with a size ({names}) run{} in container `{}` of task definition `{}`, which was not read: a hard memory or cpu limit there stays in force whatever the size; `apply` reads it and fits the container",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
            self.container,
            self.task_definition
        )
    }
}

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

/// Cloud Native Buildpacks' launcher: given a command, it runs it in the
/// app's environment (buildpack `profile.d` scripts sourced), as Heroku
/// runs a one-off dyno.
const LAUNCHER: &str = "/cnb/lifecycle/launcher";

/// What a container's `entryPoint` does to a command override (ECS
/// overrides the command, never the entry point).
#[derive(Debug, PartialEq, Eq)]
enum EntryPoint {
    /// None in the task definition: the image's runs, unread.
    Image,
    /// `/cnb/lifecycle/launcher`: runs the command as a one-off.
    Launcher,
    /// `/cnb/process/TYPE`: runs process TYPE, the command its arguments.
    ProcessType(String),
    /// A shell's `-c` (`["/bin/sh", "-c"]`): the command's first word is the
    /// whole script, the rest `$0`, `$1`, …
    ShellScript,
    /// Anything else: the command is its arguments.
    Other,
}

impl EntryPoint {
    fn of(entry_point: &[String]) -> EntryPoint {
        match entry_point {
            [] => EntryPoint::Image,
            [only] if only == LAUNCHER => EntryPoint::Launcher,
            [only] => match only.strip_prefix("/cnb/process/") {
                Some(process) if !process.is_empty() => {
                    EntryPoint::ProcessType(process.to_string())
                }
                _ => EntryPoint::Other,
            },
            [.., flags]
                if flags.len() > 1
                    && flags.starts_with('-')
                    && !flags.starts_with("--")
                    && flags.ends_with('c') =>
            {
                EntryPoint::ShellScript
            }
            _ => EntryPoint::Other,
        }
    }
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
    let mut unchecked = std::collections::BTreeSet::new();
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
        match EntryPoint::of(&facts.entry_point) {
            // The image's own ENTRYPOINT stays, which the task definition
            // does not show: checked once per container, said once.
            EntryPoint::Image => {
                if unchecked.insert((facts.task_definition.clone(), container.clone())) {
                    notes.push(note(format!(
                        "container `{container}` of {} sets no entryPoint, so the image's ENTRYPOINT (which cronport does not read) runs each command; an image built with Cloud Native Buildpacks (heroku/builder) starts its web process with the command as arguments: give such a container entryPoint [\"{LAUNCHER}\"]",
                        facts.task_definition
                    )));
                }
            }
            EntryPoint::ProcessType(process) => {
                problems.push(note(format!(
                    "container `{container}` of {} starts `/cnb/process/{process}`, Cloud Native Buildpacks' `{process}` process, which would take the job's command as its own arguments: set the container's entryPoint to [\"{LAUNCHER}\"] in the task definition (the launcher runs a one-off command in the app's environment, `.profile.d` sourced, as Heroku did), or use a task definition whose container has no entryPoint",
                    facts.task_definition
                )));
                continue;
            }
            EntryPoint::ShellScript => {
                problems.push(note(crate::escape::one_line(&format!(
                    "container `{container}` of {} has entryPoint `{}`, and ECS passes the command to it as separate arguments: the shell would run only the first word as its script (`{}`), the rest becoming $0, $1, …: remove the entryPoint (cronport already runs a command that needs a shell through /bin/bash -c) or use one that takes a program and its arguments",
                    facts.task_definition,
                    facts.entry_point.join(" "),
                    job.run_task.overrides.container.command.first().map_or("", String::as_str)
                ))));
                continue;
            }
            EntryPoint::Launcher => notes.push(note(format!(
                "container `{container}` of {} runs each command through the Cloud Native Buildpacks launcher, which sets up the app's environment (`.profile.d`) first, as Heroku did",
                facts.task_definition
            ))),
            EntryPoint::Other => {
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
                let what = if facts.others_memory == 0 {
                    "all of its size".to_string()
                } else {
                    format!(
                        "what its size leaves after the other containers ({} MiB)",
                        facts.others_memory
                    )
                };
                notes.push(note(format!(
                    "container `{container}` of {} is limited to {limit} MiB; the run sets it to {available} MiB, {what}, so the dyno's memory reaches the process",
                    facts.task_definition
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
        // Only that the image's entry point was not read, once.
        assert_eq!(fitted.notes.len(), 1, "{:?}", fitted.notes);
        assert!(fitted.notes[0].text.contains("sets no entryPoint, so the image's ENTRYPOINT (which cronport does not read) runs each command"));
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
                entry_point: vec!["/usr/local/bin/entry".into()],
                ..Default::default()
            }),
        );
        assert!(fitted.problems.iter().any(|p| p.to_string().starts_with("job rails-runner-devices-sync-call: the other containers of td take 1024 MiB, all of the 512 MiB")), "{:?}", fitted.problems);
        assert!(
            fitted.notes.iter().any(|n| n.to_string().contains(
                "has an entryPoint, so each run executes `/usr/local/bin/entry timeout -k 30"
            )),
            "{:?}",
            fitted.notes
        );
        // A shell's -c would run the command's first word alone: refused.
        let fitted = fit(
            &d,
            &facts(ContainerFacts {
                task_definition: "td".into(),
                entry_point: vec!["/bin/sh".into(), "-c".into()],
                ..Default::default()
            }),
        );
        assert_eq!(fitted.problems.len(), d.jobs.len());
        assert!(fitted.problems[0].text.contains("has entryPoint `/bin/sh -c`, and ECS passes the command to it as separate arguments"), "{:?}", fitted.problems);
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
