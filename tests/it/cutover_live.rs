//! The cutover against moto and a local Heroku that fails: 503s, a DELETE
//! that never answers, a 307, a process killed mid-cutover and started
//! again with the same command. Every paired Heroku job ends deleted
//! exactly once, no job is touched that the manifest does not replace, the
//! rules held until the instant end enabled, and each run's report names
//! each job's outcome.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cronport::manifest::{Job, Manifest};

use crate::common::text;
use crate::migration_day::cli;
use crate::moto;

/// What the Heroku server answers to a job's DELETEs, in turn; the last
/// answer repeats. `0` never answers.
type Script = Vec<u16>;

/// A local Heroku Platform and Scheduler API for app `shop`.
pub(crate) struct Heroku {
    pub(crate) base: String,
    /// Every request line, in order.
    seen: Arc<Mutex<Vec<String>>>,
    /// Jobs listed: id → the JSON:API entry.
    jobs: Arc<Mutex<BTreeMap<String, serde_json::Value>>>,
    /// DELETE answers still to give, per job id.
    scripts: Arc<Mutex<BTreeMap<String, Script>>>,
    /// Job-list reads still answered; after them, 503 (`None`: all).
    list_reads: Arc<Mutex<Option<usize>>>,
}

impl Heroku {
    pub(crate) fn start(jobs: &[(&str, &str, i64, i64)]) -> Heroku {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let heroku = Heroku {
            base,
            seen: Arc::default(),
            jobs: Arc::new(Mutex::new(
                jobs.iter()
                    .map(|(id, command, every, at)| {
                        (
                            id.to_string(),
                            serde_json::json!({"type": "jobs", "id": id, "attributes":
                                {"command": command, "dyno-size": "Standard-1X", "every": every, "at": at}}),
                        )
                    })
                    .collect(),
            )),
            scripts: Arc::default(),
            list_reads: Arc::default(),
        };
        let (seen, listed, scripts, list_reads) = (
            heroku.seen.clone(),
            heroku.jobs.clone(),
            heroku.scripts.clone(),
            heroku.list_reads.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (seen, listed, scripts, list_reads) = (
                    seen.clone(),
                    listed.clone(),
                    scripts.clone(),
                    list_reads.clone(),
                );
                std::thread::spawn(move || answer(stream, &seen, &listed, &scripts, &list_reads));
            }
        });
        heroku
    }

    fn script(&self, id: &str, answers: &[u16]) {
        self.scripts
            .lock()
            .unwrap()
            .insert(id.to_string(), answers.to_vec());
    }

    fn deletes(&self, id: &str) -> usize {
        let line = format!("DELETE /apps/app-1/jobs/{id}");
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|l| **l == line)
            .count()
    }

    fn listed(&self, id: &str) -> bool {
        self.jobs.lock().unwrap().contains_key(id)
    }
}

fn answer(
    mut stream: std::net::TcpStream,
    seen: &Mutex<Vec<String>>,
    listed: &Mutex<BTreeMap<String, serde_json::Value>>,
    scripts: &Mutex<BTreeMap<String, Script>>,
    list_reads: &Mutex<Option<usize>>,
) {
    use std::io::{BufRead, BufReader, Write};
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let request = request
        .trim()
        .rsplit_once(' ')
        .map_or(request.clone(), |(r, _)| r.to_string());
    seen.lock().unwrap().push(request.clone());
    let (status, body, location) = match request.as_str() {
        "GET /apps/shop" => (200, r#"{"id":"app-1","name":"shop"}"#.to_string(), None),
        "GET /apps/app-1/jobs" if *list_reads.lock().unwrap() == Some(0) => {
            (503, "{}".to_string(), None)
        }
        "GET /apps/app-1/jobs" => {
            if let Some(left) = list_reads.lock().unwrap().as_mut() {
                *left -= 1;
            }
            let jobs: Vec<serde_json::Value> = listed.lock().unwrap().values().cloned().collect();
            (200, serde_json::json!({"data": jobs}).to_string(), None)
        }
        r if r.starts_with("DELETE /apps/app-1/jobs/") => {
            let id = &r["DELETE /apps/app-1/jobs/".len()..];
            let status = {
                let mut scripts = scripts.lock().unwrap();
                match scripts.get_mut(id) {
                    Some(script) if script.len() > 1 => script.remove(0),
                    Some(script) => script[0],
                    None => 204,
                }
            };
            match status {
                0 => {
                    // Silence: hold the connection, answer nothing.
                    std::thread::sleep(std::time::Duration::from_secs(120));
                    return;
                }
                204 if listed.lock().unwrap().remove(id).is_some() => {
                    seen.lock().unwrap().push(format!("204 {id}"));
                    (204, String::new(), None)
                }
                204 | 404 => (404, "{}".to_string(), None),
                307 => (307, String::new(), Some("http://127.0.0.1:9/elsewhere")),
                other => (other, r#"{"id":"unavailable"}"#.to_string(), None),
            }
        }
        _ => (404, "{}".to_string(), None),
    };
    let location = location
        .map(|l| format!("Location: {l}\r\n"))
        .unwrap_or_default();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{location}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn job(name: &str, schedule: &str, command: &str, source_id: Option<&str>) -> Job {
    Job {
        name: name.into(),
        schedule: schedule.into(),
        command: command.into(),
        enabled: true,
        source_id: source_id.map(str::to_string),
        ..Job::default()
    }
}

#[test]
fn every_heroku_job_is_deleted_once_whatever_fails_and_a_rerun_finishes() {
    let moto = moto::Moto::start();
    moto::make_example_account(&moto.url());
    // Behind the contract proxy; the first dozen EnableRule calls answer
    // 500 (the SDK retries eight times per attempt; the cutover retries the
    // attempt with backoff).
    let enables = std::sync::atomic::AtomicUsize::new(0);
    let proxy = moto::Proxy::start_matching(moto.port, move |call| {
        let enable = call.operation.as_deref() == Some("EnableRule");
        if enable && enables.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 12 {
            moto::Fault::ServerError
        } else {
            moto::Fault::None
        }
    });
    let url = proxy.url();
    // Daily jobs twelve hours from now: their windows are open all test.
    let now = jiff::Timestamp::now();
    let half_hours = (now.as_second() / 1800 + 24) % 48;
    let at_minute = half_hours * 30;
    let daily = format!("every day at {:02}:{:02}", at_minute / 60, at_minute % 60);
    let hourly_minute = (now.as_second() / 60 % 60 / 10 * 10 + 30) % 60;
    let example = crate::common::on_rules(&crate::common::example_manifest());
    let mut m = Manifest::from_toml(&example, "m").unwrap();
    let mut disabled = job("d", &daily, "rake d", Some("job-d"));
    disabled.enabled = false;
    m.jobs = vec![
        job("a", &daily, "rake a", Some("job-a")),
        // Heroku ran it behind a wrapper; the import's id still pairs it.
        job("c", &daily, "rake c", Some("job-c")),
        disabled,
        // No id: paired by command and schedule.
        job("e", &daily, "rake e", None),
        job("f", &daily, "rake f", Some("job-f")),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cronport.toml");
    std::fs::write(&path, m.to_toml().unwrap()).unwrap();
    let path = path.to_str().unwrap();
    let heroku = Heroku::start(&[
        ("job-a", "rake a", 1440, at_minute),
        // The same command as `a`, another schedule: not the manifest's.
        ("job-b", "rake a", 60, hourly_minute),
        ("job-c", "bin/qgtunnel rake c", 1440, at_minute),
        ("job-d", "rake d", 1440, at_minute),
        ("job-e", "rake e", 1440, at_minute),
        // Answers 404 while its list still has it.
        ("job-f", "rake f", 1440, at_minute),
    ]);
    heroku.script("job-a", &[503, 503, 204]);
    heroku.script("job-c", &[0]);
    heroku.script("job-e", &[307]);
    heroku.script("job-f", &[404]);
    let instant = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(20))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string();
    let out = cli(
        &url,
        &["apply", path, "--yes", "--start-at", &instant],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    proxy.take();

    // The check reads both platforms and refuses the two Heroku jobs no
    // enabled manifest job replaces; nothing is deleted.
    let out = cli(
        &url,
        &[
            "cutover", "--at", &instant, path, "--app", "shop", "--check",
        ],
        Some(&heroku.base),
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("Heroku job job-b (`rake a`) is replaced by no manifest job"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pairs with manifest job `d`, which is disabled"),
        "{stderr}"
    );
    assert!(
        stdout.contains("c (by id; command now `rake c`)"),
        "{stdout}"
    );
    assert!(stdout.contains("e (by command and schedule)"), "{stdout}");
    assert!(stdout.contains("a (by id)"), "{stdout}");
    assert!(
        heroku
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|l| !l.starts_with("DELETE"))
    );

    // Run 1: job-a answers 503 twice, job-c never answers, job-e
    // redirects. Killed once job-a is deleted.
    let args = [
        "cutover",
        "--at",
        &instant,
        path,
        "--app",
        "shop",
        "--yes",
        "--keep-on-heroku",
        "job-b",
        "--keep-on-heroku",
        "job-d",
        "--heroku-timeout",
        "2",
        "--endpoint-url",
        &url,
        "--region",
        "us-east-1",
    ];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("HEROKU_API_KEY", "good-token")
        .env("CRONPORT_HEROKU_API", &heroku.base)
        .env("CRONPORT_SCHEDULER_API", &heroku.base)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = dir.path().join(format!(
        "cronport-cutover-shop-{}.jsonl",
        instant
            .parse::<jiff::Timestamp>()
            .unwrap()
            .strftime("%Y%m%dT%H%M%SZ")
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while !std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .contains("job-a")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "job-a was never journalled"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(heroku.deletes("job-a"), 3);
    assert!(!heroku.listed("job-a"));

    // Run 2, the same command: job-c answers now; job-e still redirects,
    // which is no deletion; job-f's 404 cannot be checked, for the list
    // fails after the first read.
    heroku.script("job-c", &[204]);
    *heroku.list_reads.lock().unwrap() = Some(1);
    let rest: Vec<&str> = args[..args.len() - 4].to_vec();
    let out = cli(&url, &rest, Some(&heroku.base));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("delete Heroku job job-a (a)") && stdout.contains("(an earlier run)"),
        "{stdout}"
    );
    assert!(stdout.contains("answered 307 to the DELETE"), "{stdout}");
    assert!(stdout.contains("run the same command again"), "{stdout}");
    assert!(
        stdout.contains("delete Heroku job job-f (f)")
            && stdout.contains("could not be read again to check"),
        "{stdout}"
    );
    *heroku.list_reads.lock().unwrap() = None;
    assert!(!heroku.listed("job-c") && heroku.listed("job-e"));

    // Run 3: job-f answers 404 again, and the list, read again after the
    // steps, still has it: not finished.
    heroku.script("job-f", &[404]);
    let out = cli(&url, &rest, Some(&heroku.base));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("but Heroku still lists it"), "{stdout}");

    // Run 4: job-e and job-f answer 204; nothing is left. A journal line
    // claiming job-e done is not believed while Heroku lists it.
    heroku.script("job-e", &[204]);
    heroku.script("job-f", &[204]);
    let mut claimed = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap();
    std::io::Write::write_all(
        &mut claimed,
        format!("{{\"instant\":\"{instant}\",\"at\":\"{instant}\",\"action\":\"delete-heroku-job\",\"id\":\"job-e\"}}\n").as_bytes(),
    )
    .unwrap();
    let out = cli(&url, &rest, Some(&heroku.base));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("The cutover is complete."), "{stdout}");

    // Run 5 changes nothing and says so.
    let out = cli(&url, &rest, Some(&heroku.base));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Nothing is left to do."),
        "{}",
        text(&out.stdout)
    );

    // Each paired Heroku job deleted once (one 2xx each); the kept ones
    // never asked.
    for id in ["job-a", "job-c", "job-e", "job-f"] {
        assert!(!heroku.listed(id), "{id} still on Heroku");
    }
    assert!(heroku.listed("job-b") && heroku.listed("job-d"));
    assert_eq!(heroku.deletes("job-b") + heroku.deletes("job-d"), 0);
    // job-e: refused with a 307 (once or twice, as run 1 got to it before
    // the kill or not; run 3 again), then deleted; each job answered 2xx
    // exactly once.
    assert!((3..=4).contains(&heroku.deletes("job-e")));
    for id in ["job-a", "job-c", "job-e", "job-f"] {
        let gone = heroku
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|l| **l == format!("204 {id}"))
            .count();
        assert_eq!(gone, 1, "{id} deleted {gone} times");
    }
    // On AWS the cutover only enabled rules: nothing made, changed or
    // removed besides (and every request kept AWS's contract).
    let seen = proxy.take();
    let refused_enables = seen
        .iter()
        .filter(|s| {
            s.target
                .as_deref()
                .is_some_and(|t| t.ends_with("EnableRule"))
        })
        .filter(|s| matches!(s.fault, moto::Fault::ServerError))
        .count();
    assert_eq!(refused_enables, 12, "the EnableRule faults were injected");
    let writes: Vec<String> = seen
        .iter()
        .filter(|s| s.is_write() || s.method != "GET" && s.target.is_none() && s.action.is_none())
        .map(|s| format!("{} {} {:?}", s.method, s.path, s.target))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    // The rules held until the instant are enabled.
    let states = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let clients = cronport::aws::Clients::connect(&moto::aws_options(&url)).await;
            let rules = clients.events.list_rules().send().await.unwrap();
            rules
                .rules()
                .iter()
                .map(|r| {
                    (
                        r.name().unwrap().to_string(),
                        r.state().unwrap().as_str().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        });
    assert_eq!(states.len(), 5, "{states:?}");
    for (rule, state) in &states {
        let want = if rule == "cronport-d" {
            "DISABLED"
        } else {
            "ENABLED"
        };
        assert_eq!(state, want, "{rule}");
    }
}
