//! Fire what was scheduled, as AWS would: moto stores schedules and rules
//! but never runs them. For each one on the server, this turns its target
//! into the ECS RunTask call AWS makes, by AWS's rules and not by
//! cronport's code, and sends it through the checking proxy to moto's ECS:
//!
//! * a schedule with the universal target `aws-sdk:ecs:runTask`: its Input
//!   is the RunTask request in the SDK's member names; AWS calls the API
//!   with those members (the wire name is the member name with its first
//!   letter lower-cased);
//! * a rule with an ECS target: the task from `EcsParameters`, the cluster
//!   from the target's ARN, and the Input as RunTask's `overrides`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};

/// One run started from one schedule or rule.
#[derive(Debug)]
pub struct Fired {
    /// `schedule GROUP/NAME` or `rule NAME`.
    pub source: String,
    /// The RunTask request sent (ECS wire names).
    pub request: Value,
    /// The started task as ECS describes it (`overrides`, `startedBy`…).
    pub task: Value,
}

/// The wire form of a member named as the SDK names it.
fn wire_names(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut chars = k.chars();
                    let wire = chars
                        .next()
                        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                        .unwrap_or_default();
                    (wire, wire_names(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(wire_names).collect()),
        other => other.clone(),
    }
}

/// One ECS JSON-protocol call to `url` (the proxy), its answer's body.
fn ecs_call(url: &str, operation: &str, body: &Value) -> Value {
    let (status, answer) = ecs_call_status(url, operation, body);
    assert_eq!(status, 200, "{operation} {body}: {answer}");
    answer
}

/// One ECS call: the HTTP status and the answer's body (`Null` when it is
/// not JSON).
fn ecs_call_status(url: &str, operation: &str, body: &Value) -> (u16, Value) {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let body = body.to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AmazonEC2ContainerServiceV20141113.{operation}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20261124/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Starts `request` and reads back the task it started.
///
/// The request goes through the proxy as AWS would send it, so the
/// contract check sees it whole. moto places a task that names no launch
/// type only on registered EC2 container instances, where AWS places a
/// strategy of `FARGATE`/`FARGATE_SPOT` providers on Fargate; when moto
/// fails such a request, it is asked again with `launchType = FARGATE`
/// in the strategy's place, the one thing moto models.
fn run(url: &str, source: String, request: Value) -> Fired {
    let (status, started) = ecs_call_status(url, "RunTask", &request);
    let fargate_only = request["capacityProviderStrategy"]
        .as_array()
        .is_some_and(|s| {
            s.iter().all(|c| {
                c["capacityProvider"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("FARGATE"))
            })
        });
    let started = match status {
        200 => started,
        500 if fargate_only => {
            let mut on_fargate = request.clone();
            let object = on_fargate.as_object_mut().unwrap();
            object.remove("capacityProviderStrategy");
            object.insert("launchType".into(), json!("FARGATE"));
            ecs_call(url, "RunTask", &on_fargate)
        }
        _ => panic!("{source}: RunTask {request}: {status} {started}"),
    };
    let arn = started["tasks"][0]["taskArn"]
        .as_str()
        .unwrap_or_else(|| panic!("{source}: RunTask started nothing: {started}"))
        .to_string();
    let described = ecs_call(
        url,
        "DescribeTasks",
        &json!({"cluster": request["cluster"], "tasks": [arn]}),
    );
    Fired {
        source,
        request,
        task: described["tasks"][0].clone(),
    }
}

/// Every schedule on the server, read in full, with its group and name.
pub async fn every_schedule(
    clients: &cronport::aws::Clients,
) -> Vec<(
    String,
    String,
    aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput,
)> {
    let mut out = Vec::new();
    let groups = clients
        .scheduler
        .list_schedule_groups()
        .send()
        .await
        .unwrap();
    for group in groups.schedule_groups() {
        let group = group.name().unwrap_or_default();
        let listed = clients
            .scheduler
            .list_schedules()
            .group_name(group)
            .max_results(100)
            .send()
            .await
            .unwrap();
        for summary in listed.schedules() {
            let name = summary.name().unwrap_or_default();
            let schedule = clients
                .scheduler
                .get_schedule()
                .group_name(group)
                .name(name)
                .send()
                .await
                .unwrap();
            out.push((group.to_string(), name.to_string(), schedule));
        }
    }
    out
}

/// Fires every schedule with the universal RunTask target in every group,
/// and every rule with an ECS target, once each.
pub async fn fire_everything(clients: &cronport::aws::Clients, url: &str) -> Vec<Fired> {
    let mut fired = Vec::new();
    for (group, name, schedule) in every_schedule(clients).await {
        let Some(target) = schedule.target() else {
            continue;
        };
        if !target.arn().ends_with(":scheduler:::aws-sdk:ecs:runTask") {
            continue;
        }
        let input: Value = serde_json::from_str(target.input().unwrap_or("{}")).unwrap();
        fired.push(run(
            url,
            format!("schedule {group}/{name}"),
            wire_names(&input),
        ));
    }
    let rules = clients.events.list_rules().send().await.unwrap();
    for rule in rules.rules() {
        let name = rule.name().unwrap_or_default();
        let targets = clients
            .events
            .list_targets_by_rule()
            .rule(name)
            .send()
            .await
            .unwrap();
        for target in targets.targets() {
            let Some(ecs) = target.ecs_parameters() else {
                continue;
            };
            let mut request = json!({
                "cluster": target.arn(),
                "taskDefinition": ecs.task_definition_arn(),
                "count": ecs.task_count().unwrap_or(1),
            });
            if let Some(launch) = ecs.launch_type() {
                request["launchType"] = json!(launch.as_str());
            }
            if let Some(v) = ecs.platform_version() {
                request["platformVersion"] = json!(v);
            }
            let strategy: Vec<Value> = ecs
                .capacity_provider_strategy()
                .iter()
                .map(|c| json!({"capacityProvider": c.capacity_provider(), "weight": c.weight(), "base": c.base()}))
                .collect();
            if !strategy.is_empty() {
                request["capacityProviderStrategy"] = json!(strategy);
            }
            if let Some(vpc) = ecs
                .network_configuration()
                .and_then(|n| n.awsvpc_configuration())
            {
                let mut config = json!({"subnets": vpc.subnets()});
                if !vpc.security_groups().is_empty() {
                    config["securityGroups"] = json!(vpc.security_groups());
                }
                if let Some(ip) = vpc.assign_public_ip() {
                    config["assignPublicIp"] = json!(ip.as_str());
                }
                request["networkConfiguration"] = json!({"awsvpcConfiguration": config});
            }
            if let Some(input) = target.input() {
                request["overrides"] = serde_json::from_str(input).unwrap();
            }
            fired.push(run(url, format!("rule {name}"), request));
        }
    }
    fired
}
