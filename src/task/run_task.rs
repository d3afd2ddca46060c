//! The one ECS RunTask request a job's run makes, and its two spellings.
//!
//! Compile builds one [`RunTask`] per job; every consumer serialises that one
//! value, so a schedule, a rule, a template and `cronport run` cannot
//! disagree about what a run starts:
//!
//! * EventBridge Scheduler's universal target (`aws-sdk:ecs:runTask`) takes
//!   the whole request as its `Input`, in the AWS SDK's **PascalCase** member
//!   names (`Cluster`, `TaskDefinition`, `Overrides.ContainerOverrides`), the
//!   convention of every `aws-sdk:` integration; a camelCase Input is
//!   answered with 400 "missing field TaskDefinition".
//! * EventBridge rules take the task in `EcsParameters` and the overrides as
//!   the target's `Input`, in ECS's own **camelCase** wire names
//!   (`containerOverrides`).
//!
//! Both spellings come from one printer: ECS's wire name, with its first
//! letter upper-cased for PascalCase. Reading accepts either and says which
//! it saw.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{CapacityProvider, LaunchType};

/// How a request's member names are spelled.
///
/// ```
/// use cronport::task::Casing;
/// assert_eq!(Casing::Pascal.key("taskDefinition"), "TaskDefinition");
/// assert_eq!(Casing::Camel.key("taskDefinition"), "taskDefinition");
/// assert_eq!(Casing::Pascal.to_string(), "PascalCase");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Casing {
    /// The AWS SDK's member names (`TaskDefinition`): the universal target.
    Pascal,
    /// ECS's wire names (`taskDefinition`): direct API calls, rules' Input.
    Camel,
}

impl Casing {
    /// `wire` (an ECS camelCase member name) spelled in this casing.
    pub fn key(self, wire: &str) -> String {
        match self {
            Casing::Camel => wire.to_string(),
            Casing::Pascal => {
                let mut chars = wire.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
        }
    }
}

impl fmt::Display for Casing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Casing::Pascal => "PascalCase",
            Casing::Camel => "camelCase",
        })
    }
}

/// The ECS RunTask request one run of a job makes.
///
/// ```
/// use cronport::task::{Casing, RunTask};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let jobs = m.resolve().map_err(|p| format!("{p:?}"))?;
/// let run = jobs[0].run_task();
/// let input = run.to_json(Casing::Pascal);
/// assert_eq!(input["TaskDefinition"], "app-worker");
/// // Stopped after a day as on Heroku (`timeout -k 30 86400`), then the job.
/// assert_eq!(input["Overrides"]["ContainerOverrides"][0]["Command"][0], "timeout");
/// assert_eq!(input["Overrides"]["ContainerOverrides"][0]["Command"][4], "bundle");
/// // Reading it back gives the same request, and says how it was spelled.
/// assert_eq!(RunTask::from_json(&input)?, (run, Casing::Pascal));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunTask {
    /// Cluster name or ARN.
    pub cluster: String,
    /// Task definition family or ARN.
    pub task_definition: String,
    /// Tasks to start (1–10).
    pub count: u32,
    /// Launch type, unless a capacity provider strategy is set.
    pub launch_type: Option<LaunchType>,
    /// Capacity provider strategy.
    pub capacity_provider_strategy: Vec<CapacityProvider>,
    /// Fargate platform version.
    pub platform_version: Option<String>,
    /// awsvpc networking, when the task has subnets.
    pub network: Option<Awsvpc>,
    /// What the run changes in the task definition.
    pub overrides: TaskOverrides,
    /// `StartedBy`: `cronport/<job>`, within `[A-Za-z0-9_/-]{1,128}`.
    pub started_by: Option<String>,
    /// The task `group`: the job's owner record
    /// ([`crate::verify::task_group`]), which ECS puts in every `ECS Task
    /// State Change` event, so `cronport verify` can tell the job's runs
    /// from any other task's.
    pub group: Option<String>,
}

/// The awsvpc network configuration of a task.
///
/// ```
/// let vpc = cronport::task::Awsvpc { subnets: vec!["subnet-1".into()], security_groups: vec![], assign_public_ip: false };
/// assert_eq!(vpc.subnets.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Awsvpc {
    /// Subnets (1–16).
    pub subnets: Vec<String>,
    /// Security groups (0–5).
    pub security_groups: Vec<String>,
    /// Whether the task gets a public IP.
    pub assign_public_ip: bool,
}

/// RunTask's `overrides`: the task size and the job's container.
///
/// ```
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
/// # let jobs = m.resolve().map_err(|p| format!("{p:?}"))?;
/// let overrides = jobs[0].run_task().overrides; // performance-m
/// assert_eq!((overrides.cpu, overrides.memory), (Some(2048), Some(4096)));
/// assert_eq!(overrides.to_json(cronport::task::Casing::Camel)["cpu"], "2048");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskOverrides {
    /// Task CPU units.
    pub cpu: Option<u32>,
    /// Task memory, MiB.
    pub memory: Option<u32>,
    /// The job's container.
    pub container: ContainerOverride,
}

/// One container's override: its command and environment.
///
/// ```
/// let c = cronport::task::ContainerOverride { name: "worker".into(), command: vec!["rake".into(), "x".into()], ..Default::default() };
/// assert_eq!(c.command[0], "rake");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContainerOverride {
    /// The container's name in the task definition.
    pub name: String,
    /// The command (argv) it runs instead of the image's.
    pub command: Vec<String>,
    /// Environment variables set for the run.
    pub environment: BTreeMap<String, String>,
    /// The container's CPU units, where its task definition's would not
    /// fit the task's size (set at plan time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// The container's hard memory limit in MiB, where its task
    /// definition's would keep the job below its dyno's memory or above the
    /// task's (set at plan time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
    /// The container's soft memory limit in MiB, where its task
    /// definition's would exceed the memory it gets (set at plan time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_reservation: Option<u32>,
}

/// The longest `StartedBy` ECS accepts.
const MAX_STARTED_BY: usize = 128;

/// `StartedBy` for a job: `cronport/` and the job's name (with its
/// environment suffix), cut to 128. ECS allows `[A-Za-z0-9_/-]` there; a
/// job name's `.` becomes `/`, which no job name holds, so two jobs never
/// share one (`daily.sync` and `daily_sync` are told apart in ECS).
///
/// ```
/// use cronport::task::started_by;
/// assert_eq!(started_by("reports.daily-prod"), "cronport/reports/daily-prod");
/// assert_ne!(started_by("daily.sync"), started_by("daily_sync"));
/// ```
pub fn started_by(job: &str) -> String {
    let text: String = format!("cronport/{job}")
        .chars()
        .map(|c| match c {
            '.' => '/',
            c if c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '-') => c,
            _ => '_',
        })
        .collect();
    text.chars().take(MAX_STARTED_BY).collect()
}

impl RunTask {
    /// The whole request as JSON, in `casing`.
    ///
    /// ```
    /// # let text = cronport::manifest::doc::EXAMPLE;
    /// # let m = cronport::manifest::Manifest::from_toml(text, "m")?;
    /// # let jobs = m.resolve().map_err(|p| format!("{p:?}"))?;
    /// use cronport::task::{Casing, RunTask};
    /// let run = jobs[0].run_task();
    /// let pascal = run.to_json(Casing::Pascal);
    /// assert_eq!(pascal["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"], "DISABLED");
    /// assert_eq!(run.to_json(Casing::Camel)["networkConfiguration"]["awsvpcConfiguration"]["subnets"], pascal["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self, casing: Casing) -> Value {
        let k = |wire: &str| casing.key(wire);
        let mut request = Map::new();
        request.insert(k("cluster"), json!(self.cluster));
        request.insert(k("taskDefinition"), json!(self.task_definition));
        request.insert(k("count"), json!(self.count));
        if let Some(launch) = self.launch_type {
            request.insert(k("launchType"), json!(launch.as_str()));
        }
        if !self.capacity_provider_strategy.is_empty() {
            let items = self
                .capacity_provider_strategy
                .iter()
                .map(|c| {
                    let mut item = Map::new();
                    item.insert(k("capacityProvider"), json!(c.capacity_provider));
                    if let Some(w) = c.weight {
                        item.insert(k("weight"), json!(w));
                    }
                    if let Some(b) = c.base {
                        item.insert(k("base"), json!(b));
                    }
                    Value::Object(item)
                })
                .collect();
            request.insert(k("capacityProviderStrategy"), Value::Array(items));
        }
        if let Some(v) = &self.platform_version {
            request.insert(k("platformVersion"), json!(v));
        }
        if let Some(vpc) = &self.network {
            let mut config = Map::new();
            config.insert(k("subnets"), json!(vpc.subnets));
            if !vpc.security_groups.is_empty() {
                config.insert(k("securityGroups"), json!(vpc.security_groups));
            }
            config.insert(
                k("assignPublicIp"),
                json!(if vpc.assign_public_ip {
                    "ENABLED"
                } else {
                    "DISABLED"
                }),
            );
            let mut network = Map::new();
            network.insert(k("awsvpcConfiguration"), Value::Object(config));
            request.insert(k("networkConfiguration"), Value::Object(network));
        }
        request.insert(k("overrides"), self.overrides.to_json(casing));
        if let Some(by) = &self.started_by {
            request.insert(k("startedBy"), json!(by));
        }
        if let Some(group) = &self.group {
            request.insert(k("group"), json!(group));
        }
        Value::Object(request)
    }

    /// Reads a RunTask request in either casing (as a universal target's
    /// Input holds it), and says which it was.
    ///
    /// ```
    /// use cronport::task::{Casing, RunTask};
    /// let camel = serde_json::json!({"cluster": "c", "taskDefinition": "t", "overrides": {"containerOverrides": [{"name": "w", "command": ["x"]}]}});
    /// let (run, casing) = RunTask::from_json(&camel)?;
    /// assert_eq!((run.task_definition.as_str(), casing), ("t", Casing::Camel));
    /// assert!(RunTask::from_json(&serde_json::json!({"Cluster": "c"})).unwrap_err().contains("TaskDefinition"));
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_json(value: &Value) -> Result<(RunTask, Casing), String> {
        let object = value
            .as_object()
            .ok_or("the RunTask input is not a JSON object")?;
        let casing = if object.keys().any(|key| key.starts_with(char::is_uppercase)) {
            Casing::Pascal
        } else {
            Casing::Camel
        };
        let reader = Reader { casing };
        let run = reader.run_task(value)?;
        Ok((run, casing))
    }
}

impl TaskOverrides {
    /// RunTask's `overrides` as JSON, in `casing` (rules' target Input is
    /// this object, in camelCase).
    pub fn to_json(&self, casing: Casing) -> Value {
        let k = |wire: &str| casing.key(wire);
        let c = &self.container;
        let mut container = Map::new();
        container.insert(k("name"), json!(c.name));
        container.insert(k("command"), json!(c.command));
        if !c.environment.is_empty() {
            let pairs = c
                .environment
                .iter()
                .map(|(name, value)| {
                    let mut pair = Map::new();
                    pair.insert(k("name"), json!(name));
                    pair.insert(k("value"), json!(value));
                    Value::Object(pair)
                })
                .collect();
            container.insert(k("environment"), Value::Array(pairs));
        }
        // Container sizes are numbers, unlike the task's.
        for (wire, value) in [
            ("cpu", c.cpu),
            ("memory", c.memory),
            ("memoryReservation", c.memory_reservation),
        ] {
            if let Some(value) = value {
                container.insert(k(wire), json!(value));
            }
        }
        let mut overrides = Map::new();
        overrides.insert(
            k("containerOverrides"),
            Value::Array(vec![Value::Object(container)]),
        );
        // ECS takes task-level sizes as strings.
        if let Some(cpu) = self.cpu {
            overrides.insert(k("cpu"), json!(cpu.to_string()));
        }
        if let Some(memory) = self.memory {
            overrides.insert(k("memory"), json!(memory.to_string()));
        }
        Value::Object(overrides)
    }

    /// Reads an `overrides` object in either casing.
    ///
    /// ```
    /// use cronport::task::{Casing, TaskOverrides};
    /// let json = serde_json::json!({"containerOverrides": [{"name": "w", "command": ["rake", "x"]}], "cpu": "512", "memory": "1024"});
    /// let (overrides, casing) = TaskOverrides::from_json(&json)?;
    /// assert_eq!((overrides.cpu, casing), (Some(512), Casing::Camel));
    /// assert_eq!(overrides.to_json(Casing::Camel), json);
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_json(value: &Value) -> Result<(TaskOverrides, Casing), String> {
        let casing = if value
            .as_object()
            .is_some_and(|o| o.keys().any(|key| key.starts_with(char::is_uppercase)))
        {
            Casing::Pascal
        } else {
            Casing::Camel
        };
        Ok((Reader { casing }.overrides(value)?, casing))
    }
}

/// Reads a request spelled in one casing; every member it does not know is
/// an error, so nothing a request says is silently dropped.
struct Reader {
    casing: Casing,
}

impl Reader {
    fn get<'a>(&self, object: &'a Value, wire: &str) -> Option<&'a Value> {
        object.get(self.casing.key(wire)).filter(|v| !v.is_null())
    }

    fn text(&self, object: &Value, wire: &str) -> Result<Option<String>, String> {
        match self.get(object, wire) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!(
                "`{}` is {other}, not a string",
                self.casing.key(wire)
            )),
        }
    }

    fn required(&self, object: &Value, wire: &str) -> Result<String, String> {
        self.text(object, wire)?
            .ok_or_else(|| format!("it has no `{}`", self.casing.key(wire)))
    }

    fn strings(&self, object: &Value, wire: &str) -> Result<Vec<String>, String> {
        match self.get(object, wire) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        format!("`{}` holds {v}, not a string", self.casing.key(wire))
                    })
                })
                .collect(),
            Some(other) => Err(format!(
                "`{}` is {other}, not a list",
                self.casing.key(wire)
            )),
        }
    }

    fn number(&self, object: &Value, wire: &str) -> Result<Option<u32>, String> {
        match self.get(object, wire) {
            None => Ok(None),
            // ECS takes sizes as strings, counts as numbers: accept either.
            Some(Value::String(s)) => s
                .parse()
                .map(Some)
                .map_err(|_| format!("`{}` is \"{s}\", not a number", self.casing.key(wire))),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| format!("`{}` is {v}, not a number", self.casing.key(wire))),
        }
    }

    /// Fails on the first member of `object` not in `known`.
    fn only(&self, object: &Value, known: &[&str], what: &str) -> Result<(), String> {
        let Some(map) = object.as_object() else {
            return Err(format!("{what} is {object}, not an object"));
        };
        let known: Vec<String> = known.iter().map(|k| self.casing.key(k)).collect();
        match map.keys().find(|key| !known.contains(key)) {
            Some(extra) => Err(format!(
                "{what} sets `{extra}`, which cronport does not manage (or is not {} like the rest)",
                self.casing
            )),
            None => Ok(()),
        }
    }

    fn run_task(&self, v: &Value) -> Result<RunTask, String> {
        self.only(
            v,
            &[
                "cluster",
                "taskDefinition",
                "count",
                "launchType",
                "capacityProviderStrategy",
                "platformVersion",
                "networkConfiguration",
                "overrides",
                "startedBy",
                "group",
            ],
            "the RunTask input",
        )?;
        let launch_type = match self.text(v, "launchType")?.as_deref() {
            None => None,
            Some("FARGATE") => Some(LaunchType::Fargate),
            Some("EC2") => Some(LaunchType::Ec2),
            Some(other) => return Err(format!("launch type `{other}` is not FARGATE or EC2")),
        };
        let capacity_provider_strategy = match self.get(v, "capacityProviderStrategy") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    self.only(
                        item,
                        &["capacityProvider", "weight", "base"],
                        "a capacity provider",
                    )?;
                    Ok(CapacityProvider {
                        capacity_provider: self.required(item, "capacityProvider")?,
                        weight: self.number(item, "weight")?,
                        base: self.number(item, "base")?,
                    })
                })
                .collect::<Result<_, String>>()?,
            Some(other) => return Err(format!("the capacity provider strategy is {other}")),
        };
        let network = match self.get(v, "networkConfiguration") {
            None => None,
            Some(network) => {
                self.only(
                    network,
                    &["awsvpcConfiguration"],
                    "the network configuration",
                )?;
                let vpc = self
                    .get(network, "awsvpcConfiguration")
                    .ok_or("the network configuration has no awsvpc configuration")?;
                self.only(
                    vpc,
                    &["subnets", "securityGroups", "assignPublicIp"],
                    "the awsvpc configuration",
                )?;
                Some(Awsvpc {
                    subnets: self.strings(vpc, "subnets")?,
                    security_groups: self.strings(vpc, "securityGroups")?,
                    assign_public_ip: self.text(vpc, "assignPublicIp")?.as_deref()
                        == Some("ENABLED"),
                })
            }
        };
        let cluster = self.required(v, "cluster")?;
        let task_definition = self.required(v, "taskDefinition")?;
        let overrides = self
            .get(v, "overrides")
            .ok_or_else(|| format!("it has no `{}`", self.casing.key("overrides")))?;
        Ok(RunTask {
            cluster,
            task_definition,
            count: self.number(v, "count")?.unwrap_or(1),
            launch_type,
            capacity_provider_strategy,
            platform_version: self.text(v, "platformVersion")?,
            network,
            overrides: self.overrides(overrides)?,
            started_by: self.text(v, "startedBy")?,
            group: self.text(v, "group")?,
        })
    }

    fn overrides(&self, v: &Value) -> Result<TaskOverrides, String> {
        self.only(
            v,
            &["containerOverrides", "cpu", "memory"],
            "the task overrides",
        )?;
        let containers = match self.get(v, "containerOverrides") {
            Some(Value::Array(items)) => items,
            _ => return Err("it overrides no container".to_string()),
        };
        let [container] = containers.as_slice() else {
            return Err(format!(
                "it overrides {} containers; a job runs one",
                containers.len()
            ));
        };
        self.only(
            container,
            &[
                "name",
                "command",
                "environment",
                "cpu",
                "memory",
                "memoryReservation",
            ],
            "the container override",
        )?;
        let mut environment = BTreeMap::new();
        if let Some(pairs) = self.get(container, "environment") {
            for pair in pairs.as_array().ok_or("the environment is not a list")? {
                self.only(pair, &["name", "value"], "an environment variable")?;
                environment.insert(
                    self.required(pair, "name")?,
                    self.text(pair, "value")?.unwrap_or_default(),
                );
            }
        }
        Ok(TaskOverrides {
            cpu: self.number(v, "cpu")?,
            memory: self.number(v, "memory")?,
            container: ContainerOverride {
                name: self.required(container, "name")?,
                command: self.strings(container, "command")?,
                environment,
                cpu: self.number(container, "cpu")?,
                memory: self.number(container, "memory")?,
                memory_reservation: self.number(container, "memoryReservation")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> RunTask {
        RunTask {
            cluster: "c".into(),
            task_definition: "t".into(),
            count: 2,
            launch_type: None,
            capacity_provider_strategy: vec![CapacityProvider {
                capacity_provider: "FARGATE_SPOT".into(),
                weight: Some(1),
                base: None,
            }],
            platform_version: Some("1.4.0".into()),
            network: Some(Awsvpc {
                subnets: vec!["subnet-1".into()],
                security_groups: vec!["sg-1".into()],
                assign_public_ip: true,
            }),
            overrides: TaskOverrides {
                cpu: Some(512),
                memory: Some(1024),
                container: ContainerOverride {
                    name: "worker".into(),
                    command: vec!["rake".into(), "x".into()],
                    environment: [("A".to_string(), "1".to_string())].into(),
                    memory: Some(1024),
                    ..ContainerOverride::default()
                },
            },
            started_by: Some("cronport/x".into()),
            group: Some("cronport:m:-:x".into()),
        }
    }

    #[test]
    fn both_casings_round_trip() {
        for casing in [Casing::Pascal, Casing::Camel] {
            let json = example().to_json(casing);
            assert_eq!(RunTask::from_json(&json), Ok((example(), casing)));
        }
    }

    #[test]
    fn pascal_case_names_every_member_as_the_sdk_does() {
        let json = example().to_json(Casing::Pascal);
        assert_eq!(
            json,
            json!({
                "Cluster": "c",
                "TaskDefinition": "t",
                "Count": 2,
                "CapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}],
                "PlatformVersion": "1.4.0",
                "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["subnet-1"], "SecurityGroups": ["sg-1"], "AssignPublicIp": "ENABLED"}},
                "Overrides": {"Cpu": "512", "Memory": "1024", "ContainerOverrides": [{"Name": "worker", "Command": ["rake", "x"], "Environment": [{"Name": "A", "Value": "1"}], "Memory": 1024}]},
                "StartedBy": "cronport/x",
                "Group": "cronport:m:-:x",
            })
        );
    }

    #[test]
    fn unknown_members_are_named_not_dropped() {
        let mut json = example().to_json(Casing::Pascal);
        json["EnableExecuteCommand"] = json!(true);
        let err = RunTask::from_json(&json).unwrap_err();
        assert!(err.contains("`EnableExecuteCommand`"), "{err}");
        // A camelCase member inside a PascalCase request is refused too.
        let mut mixed = example().to_json(Casing::Pascal);
        mixed["Overrides"]["containerOverrides"] = json!([]);
        assert!(RunTask::from_json(&mixed).is_err());
    }

    #[test]
    fn started_by_keeps_to_what_ecs_allows() {
        assert_eq!(started_by("a.b c"), "cronport/a/b_c");
        assert_eq!(started_by(&"x".repeat(300)).len(), MAX_STARTED_BY);
    }
}
