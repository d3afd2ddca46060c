//! The guide "Moving off Heroku Scheduler" (docs/src/guide/moving-off-heroku.md)
//! run as written: every command of its `sh` blocks, in order, against a
//! moto server (behind the contract proxy) and a local Heroku API, with
//! the cronport under test.
//!
//! What differs from what a reader types, and why:
//! - AWS and Heroku are local: `AWS_ENDPOINT_URL`, `CRONPORT_HEROKU_API`
//!   and `CRONPORT_SCHEDULER_API` point at them (the commands are as
//!   written);
//! - `apply` gets `--yes`: it asks on a terminal, and a test has none;
//! - not run: `run --all --wait` (moto starts tasks but never stops them),
//!   the `cost` that reads its report, the cutover itself (it waits for its
//!   2027 instant; `--check` of it is run) and `verify` (no run has
//!   happened to verify).

use crate::moto;

/// The commands of the page's `sh` blocks, continued lines joined.
fn commands(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut current = String::new();
    for line in page.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = line.split("  #").next().unwrap().trim_end();
        if let Some(head) = code.strip_suffix('\\') {
            current.push_str(head.trim_start());
            current.push(' ');
        } else {
            current.push_str(code.trim_start());
            if !current.trim().is_empty() {
                out.push(current.trim().to_string());
            }
            current.clear();
        }
    }
    out
}

#[test]
fn the_guide_runs_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/src/guide/moving-off-heroku.md")).unwrap();
    let all = commands(&page);
    assert!(all.len() >= 10, "{all:#?}");

    let moto = moto::Moto::start();
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let url = proxy.url();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let clients = cronport::aws::Clients::connect(&moto::aws_options(&url)).await;
            moto::ecs_setup(&clients, "production", "app-worker", "worker").await;
            moto::iam_setup(&clients).await;
        });
    let heroku = crate::cutover_live::Heroku::start(&[
        ("job-a", "bundle exec rake reports:daily", 1440, 870),
        ("job-b", "bundle exec rake sweep", 10, 0),
        ("job-c", "bin/sync | tee log/sync.log", 60, 30),
    ]);
    let work = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_cronport"))
        .parent()
        .unwrap();
    let mut ran = Vec::new();
    for command in &all {
        let skipped = command.starts_with("cronport run --all")
            || command.starts_with("cronport cost --durations")
            || command.starts_with("cronport verify")
            || (command.starts_with("cronport cutover") && !command.contains("--check"));
        if skipped {
            continue;
        }
        let command = if command.starts_with("cronport apply") {
            format!("{command} --yes")
        } else {
            command.clone()
        };
        let out = std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", &command])
            .current_dir(work.path())
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("AWS_ENDPOINT_URL", &url)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .env("HEROKU_API_KEY", "good-token")
            .env("CRONPORT_HEROKU_API", &heroku.base)
            .env("CRONPORT_SCHEDULER_API", &heroku.base)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        );
        // `cutover --check` exits 2 when the pairing has something to say
        // (the instant is far off); every other command succeeds.
        let fine =
            out.status.success() || (command.contains("--check") && out.status.code() == Some(2));
        assert!(fine, "`{command}` failed:\n{stdout}\n{stderr}");
        ran.push((command, stdout, stderr));
    }
    let said = |prefix: &str| {
        ran.iter()
            .find(|(c, _, _)| c.starts_with(prefix))
            .map(|(_, o, e)| format!("{o}{e}"))
            .unwrap_or_else(|| panic!("`{prefix}` did not run"))
    };
    assert!(
        said("cronport import heroku").contains("wrote 3 jobs"),
        "{}",
        said("cronport import heroku")
    );
    assert!(work.path().join("cronport.tf").exists());
    assert!(
        said("cronport plan").contains("Plan: 4 to add"),
        "{}",
        said("cronport plan")
    );
    assert!(
        said("cronport apply").contains("held until"),
        "{}",
        said("cronport apply")
    );
    assert!(
        said("cronport cutover").contains("job-a"),
        "{}",
        said("cronport cutover")
    );
    assert!(proxy.take_violations().is_empty());
}
