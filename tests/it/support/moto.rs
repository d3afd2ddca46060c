//! Test harness: a `moto_server` on a free loopback port, owned and stopped
//! by the test, and a recording, fault-injecting HTTP proxy in front of it
//! that holds every request to the AWS API contract (see [`contract`]).
#![allow(dead_code)]

#[path = "contract.rs"]
pub mod contract;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use contract::{Contract, Request};

/// A running `moto_server`; killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(Command::new("moto_server"))
    }

    /// moto with EventBridge's delivery mended where moto 5 departs from
    /// AWS's documentation: lists of objects in patterns, SNS targets,
    /// scheduled and disabled rules (see `moto_server.py` beside this file).
    pub fn start_delivering() -> Moto {
        let mut command = Command::new("python3");
        command.arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/support/moto_server.py"
        ));
        Moto::start_with(command)
    }

    fn start_with(mut command: Command) -> Moto {
        let port = free_port();
        let child = command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server is installed (scripts/test.sh installs moto[server])");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Moto { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the proxy does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Pass it on.
    None,
    /// Answer 400 ThrottlingException without passing it on.
    Throttle,
    /// Answer 500 without passing it on.
    ServerError,
    /// Close the connection without an answer (not passed on).
    Drop,
    /// Pass it on after a delay.
    Delay,
    /// Pass it on, then close the connection without the answer: the write
    /// happened but the client never hears so.
    DropAnswer,
}

/// One request seen by the proxy.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// `X-Amz-Target`, for JSON-protocol services.
    pub target: Option<String>,
    /// The form's `Action`, for query-protocol services (IAM).
    pub action: Option<String>,
    /// The access key that signed it (`Credential=KEY/…` of SigV4).
    pub credential: Option<String>,
    pub fault: Fault,
    /// Answered 400 by the proxy for breaking the AWS API contract: it
    /// never reached moto.
    pub rejected: bool,
}

impl Seen {
    /// Whether this request asks AWS to change something.
    pub fn is_write(&self) -> bool {
        match &self.target {
            Some(t) => [
                "PutRule",
                "PutTargets",
                "DeleteRule",
                "RemoveTargets",
                "TagResource",
                "UntagResource",
                "RunTask",
                "RegisterTaskDefinition",
                "CreateCluster",
            ]
            .iter()
            .any(|op| t.ends_with(&format!(".{op}"))),
            // IAM: cronport only reads (GetRole).
            None if self.action.is_some() => !self
                .action
                .as_deref()
                .is_some_and(|a| a.starts_with("Get") || a.starts_with("List")),
            None => self.method != "GET",
        }
    }
}

/// A loopback HTTP/1.1 proxy in front of moto.
///
/// It checks each request it would pass on against the AWS API models
/// ([`Contract`]). A request AWS would reject is answered `400
/// ValidationException` instead, never reaches moto, and is recorded in
/// `violations`; dropping the proxy with violations recorded fails the
/// test, unless the test took them with [`Proxy::take_violations`].
pub struct Proxy {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// One line per contract violation, naming the operation and member.
    pub violations: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

/// What each connection of the proxy shares.
struct Shared {
    upstream: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    violations: Arc<Mutex<Vec<String>>>,
    counter: AtomicUsize,
    contract: Contract,
    plan: Box<dyn Fn(&Call) -> Fault + Send + Sync>,
}

/// One request as a fault plan sees it: its number and what it asks.
#[derive(Clone, Debug)]
pub struct Call {
    /// Requests before it, from 0.
    pub n: usize,
    pub method: String,
    pub path: String,
    /// `X-Amz-Target` (JSON-protocol services), without the service prefix
    /// (`PutRule`).
    pub operation: Option<String>,
}

impl Call {
    /// Whether it is EventBridge Scheduler's `operation` (a REST call),
    /// by method and path: `DeleteSchedule`, `UpdateSchedule`,
    /// `CreateSchedule`, `GetSchedule`.
    pub fn is_scheduler(&self, operation: &str) -> bool {
        let schedule = self.path.starts_with("/schedules/");
        match operation {
            "DeleteSchedule" => schedule && self.method == "DELETE",
            "UpdateSchedule" => schedule && self.method == "PUT",
            "CreateSchedule" => schedule && self.method == "POST",
            "GetSchedule" => schedule && self.method == "GET",
            _ => false,
        }
    }
}

impl Proxy {
    /// Forwards to `upstream`; `plan(n)` decides the fate of request `n`.
    pub fn start(upstream: u16, plan: impl Fn(usize) -> Fault + Send + Sync + 'static) -> Proxy {
        Proxy::start_matching(upstream, move |call: &Call| plan(call.n))
    }

    /// Forwards to `upstream`; `plan` decides each request's fate from what
    /// it asks (every DeleteSchedule answered 500, say).
    pub fn start_matching(
        upstream: u16,
        plan: impl Fn(&Call) -> Fault + Send + Sync + 'static,
    ) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            upstream,
            seen: Arc::new(Mutex::new(Vec::new())),
            violations: Arc::new(Mutex::new(Vec::new())),
            counter: AtomicUsize::new(0),
            contract: Contract::load(),
            plan: Box::new(plan),
        });
        let proxy = Proxy {
            port,
            seen: shared.seen.clone(),
            violations: shared.violations.clone(),
            stop: stop.clone(),
        };
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let shared = shared.clone();
                        std::thread::spawn(move || serve(client, &shared));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Write requests that reached moto.
    pub fn writes(&self) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| {
                s.is_write()
                    && !s.rejected
                    && matches!(s.fault, Fault::None | Fault::Delay | Fault::DropAnswer)
            })
            .count()
    }

    /// Every request seen so far, then forget them.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }

    /// The contract violations recorded so far, then forget them: for a
    /// test that breaks the contract on purpose.
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut *self.violations.lock().unwrap())
    }
}

impl Drop for Proxy {
    /// Fails the test if a request broke the AWS API contract: moto took
    /// it, AWS would not have. (Not while already panicking: a second
    /// panic would abort and hide the first.)
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let violations = self.take_violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "{} request(s) broke the AWS API contract (AWS would answer 400):\n{}",
                violations.len(),
                violations.join("\n")
            );
        }
    }
}

/// Reads one HTTP request: head and body (by Content-Length).
fn read_request(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// An AWS error answer, as the JSON protocols and Scheduler's REST one
/// both read it (`__type` in the body, `x-amzn-ErrorType` in the head).
fn error_answer(status: &str, kind: &str, message: &str) -> String {
    let body = serde_json::json!({ "__type": kind, "message": message }).to_string();
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {kind}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn serve(mut client: TcpStream, shared: &Shared) {
    while let Some((head, body)) = read_request(&mut client) {
        let n = shared.counter.fetch_add(1, Ordering::Relaxed);
        let first = head.lines().next().unwrap_or_default().to_string();
        let call = Call {
            n,
            method: first
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
            path: first
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_string(),
            operation: head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .starts_with("x-amz-target:")
                    .then(|| {
                        l[13..]
                            .trim()
                            .rsplit('.')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    })
            }),
        };
        let fault = (shared.plan)(&call);
        // Only what would reach moto is checked: an injected failure that
        // answers in moto's place stands for AWS failing before it looked.
        let forwarded = matches!(fault, Fault::None | Fault::Delay | Fault::DropAnswer);
        let violations = if forwarded {
            shared.contract.check(&Request::parse(&head, &body))
        } else {
            Vec::new()
        };
        let first = head.lines().next().unwrap_or_default().to_string();
        let mut parts = first.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let target = head.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("x-amz-target:")
                .then(|| l[13..].trim().to_string())
        });
        let action = (target.is_none() && method == "POST")
            .then(|| {
                String::from_utf8_lossy(&body)
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("Action=").map(str::to_string))
            })
            .flatten();
        let credential = head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            if !name.eq_ignore_ascii_case("authorization") {
                return None;
            }
            let key = value.split("Credential=").nth(1)?.split('/').next()?;
            Some(key.to_string())
        });
        shared.seen.lock().unwrap().push(Seen {
            method,
            path,
            target: target.clone(),
            action,
            credential,
            fault,
            rejected: !violations.is_empty(),
        });
        if !violations.is_empty() {
            let answer = error_answer(
                "400 Bad Request",
                "ValidationException",
                &violations.join("; "),
            );
            shared.violations.lock().unwrap().extend(violations);
            let _ = client.write_all(answer.as_bytes());
            continue;
        }
        let json_protocol = target.is_some();
        let canned =
            |status: &str, kind: &str| error_answer(status, kind, "injected by the test proxy");
        match fault {
            Fault::Throttle => {
                let _ =
                    client.write_all(canned("400 Bad Request", "ThrottlingException").as_bytes());
                continue;
            }
            Fault::ServerError => {
                let _ = client.write_all(
                    canned(
                        "500 Internal Server Error",
                        if json_protocol {
                            "InternalException"
                        } else {
                            "InternalServerException"
                        },
                    )
                    .as_bytes(),
                );
                continue;
            }
            Fault::Drop => return,
            Fault::Delay => std::thread::sleep(Duration::from_millis(300)),
            Fault::None | Fault::DropAnswer => {}
        }
        // One upstream connection per request, closed by moto after it.
        let Ok(mut up) = TcpStream::connect(("127.0.0.1", shared.upstream)) else {
            return;
        };
        let head = head
            .lines()
            .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
            .collect::<Vec<_>>()
            .join("\r\n")
            + "\r\nConnection: close\r\n\r\n";
        if up
            .write_all(head.as_bytes())
            .and_then(|()| up.write_all(&body))
            .is_err()
        {
            return;
        }
        let mut response = Vec::new();
        if up.read_to_end(&mut response).is_err() {
            return;
        }
        if fault == Fault::DropAnswer {
            return;
        }
        let mut response = String::from_utf8_lossy(&response).to_string();
        if target
            .as_deref()
            .is_some_and(|t| t.ends_with(".RunTask") || t.ends_with(".DescribeTasks"))
        {
            response = container_sizes_as_strings(&response);
            response = exit_codes_from_environment(&response);
        }
        if target.as_deref().is_some_and(|t| {
            t.ends_with(".FilterLogEvents")
                || t.ends_with(".GetLogEvents")
                || t.ends_with(".DescribeLogStreams")
        }) {
            response = log_times_as_integers(&response);
        }
        // moto closes after each answer; tell the client to reconnect too.
        let response = response.replacen("\r\n", "\r\nConnection: close\r\n", 1);
        let _ = client.write_all(response.as_bytes());
        return;
    }
}

/// `response` with its JSON body changed by `change` (which says whether
/// it changed anything) and its `Content-Length` made to match; as it was
/// when the body is not JSON or nothing changed.
fn with_json_body(response: &str, change: impl FnOnce(&mut serde_json::Value) -> bool) -> String {
    let Some((head, body)) = response.split_once("\r\n\r\n") else {
        return response.to_string();
    };
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(body) else {
        return response.to_string();
    };
    if !change(&mut json) {
        return response.to_string();
    }
    let body = json.to_string();
    let head: Vec<&str> = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("content-length:"))
        .collect();
    format!(
        "{}\r\nContent-Length: {}\r\n\r\n{body}",
        head.join("\r\n"),
        body.len()
    )
}

/// moto's stopped containers all exit 0. A run whose container override
/// sets `CRONPORT_TEST_EXIT=N` (a command `CRONPORT_TEST_EXIT=3 rake x`
/// becomes that environment override) exits `N` instead, as a job that
/// fails would: the rehearsal tests' failing container.
fn exit_codes_from_environment(response: &str) -> String {
    with_json_body(response, |json| {
        let mut changed = false;
        for task in json
            .get_mut("tasks")
            .and_then(|t| t.as_array_mut())
            .into_iter()
            .flatten()
        {
            if task["lastStatus"] != "STOPPED" {
                continue;
            }
            let mut codes = Vec::new();
            for o in task["overrides"]["containerOverrides"]
                .as_array()
                .into_iter()
                .flatten()
            {
                for e in o["environment"].as_array().into_iter().flatten() {
                    if e["name"] == "CRONPORT_TEST_EXIT"
                        && let Some(code) = e["value"].as_str().and_then(|v| v.parse::<i64>().ok())
                    {
                        codes.push((o["name"].clone(), code));
                    }
                }
            }
            for c in task
                .get_mut("containers")
                .and_then(|c| c.as_array_mut())
                .into_iter()
                .flatten()
            {
                if let Some((_, code)) = codes.iter().find(|(name, _)| *name == c["name"]) {
                    c["exitCode"] = serde_json::json!(code);
                    changed = true;
                }
            }
        }
        changed
    })
}

/// moto stamps the log events EventBridge delivers with fractional
/// milliseconds (`1796620712837.19`) where CloudWatch Logs' API has whole
/// ones (a `Long`), which the real SDK refuses to read: round them, as
/// AWS writes them.
fn log_times_as_integers(response: &str) -> String {
    with_json_body(response, |json| {
        let keys = [
            "timestamp",
            "ingestionTime",
            "firstEventTimestamp",
            "lastEventTimestamp",
            "lastIngestionTime",
            "creationTime",
        ];
        for list in ["events", "logStreams"] {
            for item in json
                .get_mut(list)
                .and_then(|l| l.as_array_mut())
                .into_iter()
                .flatten()
            {
                for key in keys {
                    if let Some(ms) = item.get(key).and_then(serde_json::Value::as_f64) {
                        item[key] = serde_json::json!(ms.round() as i64);
                    }
                }
            }
        }
        true
    })
}

/// moto answers a task's `containers[].cpu` and `memory` as numbers where
/// the ECS API (and so the SDK) has strings; rewrite them so the real SDK
/// can read moto's answer.
fn container_sizes_as_strings(response: &str) -> String {
    with_json_body(response, |json| {
        if let Some(tasks) = json.get_mut("tasks").and_then(|t| t.as_array_mut()) {
            for task in tasks {
                if let Some(containers) = task.get_mut("containers").and_then(|c| c.as_array_mut())
                {
                    for c in containers {
                        for key in ["cpu", "memory"] {
                            if let Some(n) =
                                c.get(key).filter(|v| v.is_number()).map(|v| v.to_string())
                            {
                                c[key] = serde_json::Value::String(n);
                            }
                        }
                    }
                }
            }
        }
        true
    })
}

/// Settings for clients that talk to `url` with dummy credentials.
pub fn aws_options(url: &str) -> cronport::aws::AwsOptions {
    static CREDENTIALS: std::sync::Once = std::sync::Once::new();
    // SAFETY: set once, before any client reads the environment.
    CREDENTIALS.call_once(|| unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
        std::env::set_var("AWS_REGION", "us-east-1");
        std::env::remove_var("AWS_PROFILE");
    });
    cronport::aws::AwsOptions {
        profile: None,
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(url.to_string()),
        max_attempts: None,
    }
}

pub type Addr = SocketAddr;

/// Clients for the AWS at `url`, where the cluster and task definition the
/// bundled example manifest names (`mamorio-production`, `mamorio-worker`
/// with container `worker`) have been made.
pub async fn example_account(url: &str) -> cronport::aws::Clients {
    let clients = cronport::aws::Clients::connect(&aws_options(url)).await;
    ecs_setup(&clients, "mamorio-production", "mamorio-worker", "worker").await;
    clients
}

/// [`example_account`] from synchronous code, for tests that drive the CLI.
pub fn make_example_account(url: &str) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(example_account(url));
}

/// The roles the manifests under test name, each trusting both services
/// that assume such a role (Scheduler and EventBridge), as `cronport iam`
/// renders them; plan reads them before any write.
pub const ROLES: [&str; 7] = [
    "cronport-scheduler",
    "cronport",
    "cronport-events",
    "ecsEventsRole",
    "legacy-scheduler",
    "legacy-events",
    "by-hand",
];

/// Makes the [`ROLES`] in moto's IAM (idempotent: a role that exists stays).
pub async fn iam_setup(clients: &cronport::aws::Clients) {
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": ["scheduler.amazonaws.com", "events.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }],
    })
    .to_string();
    for role in ROLES {
        let _ = clients
            .iam
            .create_role()
            .role_name(role)
            .assume_role_policy_document(&trust)
            .send()
            .await;
    }
}

/// A cluster and a task definition with one container, as the manifests
/// under test name them, and the roles they assume.
pub async fn ecs_setup(
    clients: &cronport::aws::Clients,
    cluster: &str,
    family: &str,
    container: &str,
) {
    iam_setup(clients).await;
    clients
        .ecs
        .create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .unwrap();
    clients
        .ecs
        .register_task_definition()
        .family(family)
        // No awsvpc network mode: moto would then want the manifests' made-up
        // subnets to exist in its EC2.
        // Task-level sizes as strings, as AWS answers them.
        .cpu("256")
        .memory("512")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name(container)
                .image("app:latest")
                .memory(512)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// Registers `mamorio-worker` again with its `worker` logging through the
/// awslogs driver (group `/ecs/mamorio`, prefix `app`), as a Fargate task
/// definition does, and makes the log group: a run's lines then go to the
/// stream `app/worker/TASK-ID`.
pub async fn logging_worker(clients: &cronport::aws::Clients) {
    let options: std::collections::HashMap<String, String> = [
        ("awslogs-group", "/ecs/mamorio"),
        ("awslogs-stream-prefix", "app"),
        ("awslogs-region", "us-east-1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    clients
        .ecs
        .register_task_definition()
        .family("mamorio-worker")
        .cpu("256")
        .memory("512")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("worker")
                .image("app:latest")
                .memory(512)
                .log_configuration(
                    aws_sdk_ecs::types::LogConfiguration::builder()
                        .log_driver(aws_sdk_ecs::types::LogDriver::Awslogs)
                        .set_options(Some(options))
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    clients
        .logs
        .create_log_group()
        .log_group_name("/ecs/mamorio")
        .send()
        .await
        .unwrap();
}
