//! Test harness: a `moto_server` on a free loopback port, owned and stopped
//! by the test, and a recording, fault-injecting HTTP proxy in front of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
        let port = free_port();
        let child = Command::new("moto_server")
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
    pub fault: Fault,
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
            None => self.method != "GET",
        }
    }
}

/// A loopback HTTP/1.1 proxy in front of moto.
pub struct Proxy {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Forwards to `upstream`; `plan(n)` decides the fate of request `n`.
    pub fn start(upstream: u16, plan: impl Fn(usize) -> Fault + Send + Sync + 'static) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let counter = Arc::new(AtomicUsize::new(0));
        let plan = Arc::new(plan);
        {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let (seen, counter, plan) =
                                (seen.clone(), counter.clone(), plan.clone());
                            std::thread::spawn(move || {
                                serve(client, upstream, &seen, &counter, &*plan)
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            });
        }
        Proxy { port, seen, stop }
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
                s.is_write() && matches!(s.fault, Fault::None | Fault::Delay | Fault::DropAnswer)
            })
            .count()
    }

    /// Every request seen so far, then forget them.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
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

fn serve(
    mut client: TcpStream,
    upstream: u16,
    seen: &Mutex<Vec<Seen>>,
    counter: &AtomicUsize,
    plan: &(dyn Fn(usize) -> Fault + Send + Sync),
) {
    while let Some((head, body)) = read_request(&mut client) {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let fault = plan(n);
        let first = head.lines().next().unwrap_or_default().to_string();
        let mut parts = first.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let target = head.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("x-amz-target:")
                .then(|| l[13..].trim().to_string())
        });
        seen.lock().unwrap().push(Seen {
            method,
            path,
            target: target.clone(),
            fault,
        });
        let json_protocol = target.is_some();
        let canned = |status: &str, kind: &str| {
            let body =
                format!("{{\"__type\":\"{kind}\",\"message\":\"injected by the test proxy\"}}");
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-ErrorType: {kind}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        };
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
        let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
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
        }
        // moto closes after each answer; tell the client to reconnect too.
        let response = response.replacen("\r\n", "\r\nConnection: close\r\n", 1);
        let _ = client.write_all(response.as_bytes());
        return;
    }
}

/// moto answers a task's `containers[].cpu` and `memory` as numbers where
/// the ECS API (and so the SDK) has strings; rewrite them so the real SDK
/// can read moto's answer.
fn container_sizes_as_strings(response: &str) -> String {
    let Some((head, body)) = response.split_once("\r\n\r\n") else {
        return response.to_string();
    };
    let Ok(mut json) = serde_json::from_str::<serde_json::Value>(body) else {
        return response.to_string();
    };
    if let Some(tasks) = json.get_mut("tasks").and_then(|t| t.as_array_mut()) {
        for task in tasks {
            if let Some(containers) = task.get_mut("containers").and_then(|c| c.as_array_mut()) {
                for c in containers {
                    for key in ["cpu", "memory"] {
                        if let Some(n) = c.get(key).filter(|v| v.is_number()).map(|v| v.to_string())
                        {
                            c[key] = serde_json::Value::String(n);
                        }
                    }
                }
            }
        }
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

/// A cluster and a task definition with one container, as the manifests
/// under test name them.
pub async fn ecs_setup(
    clients: &cronport::aws::Clients,
    cluster: &str,
    family: &str,
    container: &str,
) {
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
