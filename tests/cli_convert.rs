//! `cronport import` and `cronport convert`, run as a user runs them.

mod common;

use std::process::{Command, Output};

fn cronport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cronport runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const DEFAULT_FLAGS: [&str; 16] = [
    "--cluster",
    "mamorio-production",
    "--task-definition",
    "mamorio-worker",
    "--container",
    "worker",
    "--role-arn",
    "arn:aws:iam::123456789012:role/cronport-scheduler",
    "--subnet",
    "subnet-0a1b2c3d4e5f60718",
    "--subnet",
    "subnet-0f1e2d3c4b5a69788",
    "--security-group",
    "sg-0123456789abcdef0",
    "--schedule-group",
    "mamorio",
];

#[test]
fn import_then_convert_the_bundled_example() {
    let dir = std::env::temp_dir().join(format!("cronport-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = dir.join("cronport.toml");
    let _ = std::fs::remove_file(&manifest);
    let mut args = vec![
        "import",
        "heroku",
        "examples/heroku/jobs.json",
        "-o",
        manifest.to_str().unwrap(),
    ];
    args.extend(DEFAULT_FLAGS);
    let out = cronport(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wrote 12 jobs"));
    // A second import does not overwrite without --force.
    let again = cronport(&args);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("exists; pass --force"),
        "{}",
        text(&again.stderr)
    );

    for (format, marker) in [
        ("json", "\"requests\""),
        ("terraform", "resource \"aws_scheduler_schedule\""),
        ("cloudformation", "AWS::Scheduler::Schedule"),
    ] {
        let out = cronport(&[
            "convert",
            manifest.to_str().unwrap(),
            "--format",
            format,
            "--from",
            "2026-11-24T00:00:00Z",
        ]);
        assert!(out.status.success(), "{format}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains(marker), "{format}");
        assert!(text(&out.stdout).contains("Verified"), "{format}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_reports_manifest_problems_with_locations() {
    let dir = std::env::temp_dir().join(format!("cronport-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cronport.toml");
    let text_in = common::example_manifest();
    std::fs::write(
        &path,
        text_in.replace(
            "schedule = \"every day at 14:30\"",
            "schedule = \"0 12 1 * 1\"",
        ),
    )
    .unwrap();
    let out = cronport(&[
        "convert",
        path.to_str().unwrap(),
        "--from",
        "2026-11-24T00:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("is not representable exactly"), "{err}");
    assert!(err.contains("option: --dom-dow double"), "{err}");
    assert!(err.contains("cronport.toml:32:12"), "{err}");
    assert!(out.stdout.is_empty());
    let out = cronport(&[
        "convert",
        path.to_str().unwrap(),
        "--from",
        "2026-11-24T00:00:00Z",
        "--dom-dow",
        "double",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn import_errors_name_the_file_and_place() {
    let out = cronport(&["import", "crontab", "tests/fixtures/crontogo.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: tests/fixtures/crontogo.json: line 1:"),
        "{}",
        text(&out.stderr)
    );
    let out = cronport(&["import", "heroku", "no-such-file.json"]);
    assert!(
        text(&out.stderr).contains("cannot read no-such-file.json"),
        "{}",
        text(&out.stderr)
    );
}
