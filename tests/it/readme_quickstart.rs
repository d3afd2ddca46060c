//! The guide's quickstart (docs/src/guide/quickstart.md), run as written: the commands of its `sh` block,
//! against a moto server this test starts, with the cronport under test.
//!
//! Only two things differ from what a reader types: `cargo install` is
//! skipped (the binary under test is put first on PATH instead), and moto
//! listens on a free port rather than 5000.

use crate::moto;

use std::path::Path;
use std::process::Command;

/// The first ```sh block after the "## Quickstart" heading.
fn quickstart_commands(readme: &str) -> String {
    let section = &readme[readme
        .find("# Quickstart")
        .expect("the guide has a Quickstart")..];
    let start = section
        .find("```sh\n")
        .expect("the Quickstart has a sh block")
        + "```sh\n".len();
    let end = start + section[start..].find("```").expect("the sh block ends");
    section[start..end].to_string()
}

#[test]
fn readme_quickstart_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let commands = quickstart_commands(
        &std::fs::read_to_string(root.join("docs/src/guide/quickstart.md")).unwrap(),
    );
    assert_eq!(
        commands.matches("# 1.").count() + commands.matches("# 5.").count(),
        2,
        "the quickstart still numbers five commands:\n{commands}"
    );
    let moto = moto::Moto::start();
    let script: String = commands
        .lines()
        .filter(|l| !l.starts_with("cargo install"))
        .filter(|l| !l.starts_with("moto_server"))
        .map(|l| l.replace("http://127.0.0.1:5000", &moto.url()) + "\n")
        .collect();

    let work = std::env::temp_dir().join(format!("cronport-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(work.join("examples/heroku")).unwrap();
    std::fs::copy(
        root.join("examples/heroku/jobs.json"),
        work.join("examples/heroku/jobs.json"),
    )
    .unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cronport")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&work)
        .env("PATH", path)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script}\n{stdout}\n{stderr}");
    assert!(work.join("cronport.toml").exists());
    assert!(
        stdout.contains("Plan: 13 to add, 0 to change, 0 to destroy, 0 unchanged."),
        "{stdout}\n{stderr}"
    );
    std::fs::remove_dir_all(&work).unwrap();
}
