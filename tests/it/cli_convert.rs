//! `cronport import` and `cronport convert`, run as a user runs them.

use crate::common;

use std::process::Command;

use crate::common::{cronport, text};

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
    assert!(err.contains("cronport.toml:41:12"), "{err}");
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
fn a_job_that_never_runs_is_an_error_in_convert_and_plan() {
    let dir = std::env::temp_dir().join(format!("cronport-never-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cronport.toml");
    std::fs::write(
        &path,
        common::example_manifest().replace(
            "schedule = \"every day at 14:30\"",
            "schedule = \"0 0 31 2 *\"",
        ),
    )
    .unwrap();
    // plan compiles the manifest before it connects: no AWS needed to fail.
    for command in ["convert", "plan"] {
        let mut args = vec![
            command,
            path.to_str().unwrap(),
            "--from",
            "2026-11-24T00:00:00Z",
        ];
        if command == "plan" {
            args.extend([
                "--region",
                "us-east-1",
                "--endpoint-url",
                "http://127.0.0.1:9",
            ]);
        }
        let out = cronport(&args);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let err = text(&out.stderr);
        assert!(
            err.contains("schedule `0 0 31 2 *`: this schedule never runs after 2026-11-24T00:00:00Z: no date it names exists (31 February)"),
            "{command}: {err}"
        );
        assert!(err.contains("cronport.toml:41:12"), "{command}: {err}");
        assert!(!err.contains("not representable"), "{command}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn import_errors_name_the_file_and_place() {
    let out = cronport(&["import", "crontab", "tests/fixtures/crontogo-api.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: tests/fixtures/crontogo-api.json: line 1:"),
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

/// The edges a careless or hostile input reaches: what `-o` may replace,
/// a git revision that looks like an option, a closed pipe, unbounded work.
#[test]
fn safety_at_the_edges() {
    let dir = std::env::temp_dir().join(format!("cronport-edges-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = "examples/heroku/cronport.toml";
    // -o never follows a symbolic link, never replaces a directory.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let link = dir.join("link.tf");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = cronport(&["convert", manifest, "-o", link.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is a symbolic link"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let sub = dir.join("sub.tf");
    std::fs::create_dir(&sub).unwrap();
    let out = cronport(&["convert", manifest, "-o", sub.to_str().unwrap(), "--force"]);
    assert!(
        text(&out.stderr).contains("is not a regular file"),
        "{}",
        text(&out.stderr)
    );
    // A written file is whole, readable by others, and leaves no temporary file.
    let target = dir.join("out.json");
    let out = cronport(&[
        "convert",
        manifest,
        "-o",
        target.to_str().unwrap(),
        "--from",
        "2026-11-24T00:00:00Z",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".cronport-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // A revision git could read as an option is refused before git runs.
    let out = cronport(&[
        "diff",
        &format!("git:--output={}:x", dir.join("owned").display()),
        manifest,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is not a git revision"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.join("owned").exists());
    // A closed standard output is no panic.
    let mut child = Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
    // Bounded work: runs listed, the verified window, input size.
    let out = cronport(&["explain", "* * * * *", "--next", "100000000"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not in 1..=10000"),
        "{}",
        text(&out.stderr)
    );
    let out = cronport(&["translate", "* * * * *", "--until", "9999-01-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("longer than 200 years"),
        "{}",
        text(&out.stderr)
    );
    let huge = dir.join("huge.toml");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(17 * 1024 * 1024).unwrap();
    let out = cronport(&["convert", huge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cronport reads files of at most"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The same manifest renders byte-identical files whenever it is rendered:
/// no "now" in the artifact (the proof's window goes to standard error).
#[test]
fn rendered_files_are_reproducible() {
    for format in ["json", "cloudformation", "terraform"] {
        let render = |from: &str| {
            let out = cronport(&[
                "convert",
                "examples/heroku/cronport.toml",
                "--format",
                format,
                "--from",
                from,
            ]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert!(
                text(&out.stderr).contains("verified: "),
                "{}",
                text(&out.stderr)
            );
            out.stdout
        };
        assert_eq!(
            render("2026-11-24T00:00:00Z"),
            render("2027-03-02T17:45:12Z"),
            "{format}"
        );
    }
    // A newline in a schedule never ends a Terraform comment.
    let dir = std::env::temp_dir().join(format!("cronport-repro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.toml");
    let manifest = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/heroku/cronport.toml"
    ))
    .unwrap()
    .replacen(
        "schedule = \"every day at 18:00\"",
        "schedule = \"\"\"0 18 * * *\n\"\"\"",
        1,
    );
    std::fs::write(&path, manifest).unwrap();
    let out = cronport(&["convert", path.to_str().unwrap(), "--format", "terraform"]);
    if out.status.success() {
        let tf = text(&out.stdout);
        let body: Result<hcl::Body, _> = hcl::from_str(&tf);
        assert!(body.is_ok(), "{tf}");
        assert!(
            !tf.lines()
                .any(|l| l.trim() == "` runs through /bin/bash -c: the command uses a glob `[`"),
            "{tf}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_warns_when_its_files_pass_the_rules_quota() {
    // 310 jobs on rules: more than the default bus's 300, which `plan`
    // warns of; the files say so too.
    let mut manifest = common::on_rules(&common::example_manifest());
    for i in 0..298 {
        manifest.push_str(&format!(
            "\n[[job]]\nname = \"extra-{i}\"\nschedule = \"every day at 03:00\"\ncommand = \"rake extra{i}\"\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cronport.toml");
    std::fs::write(&path, manifest).unwrap();
    let out = cronport(&[
        "convert",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--from",
        "2026-11-24T00:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: these files make 310 rules on the default event bus")
            && err.contains("default quota is 300"),
        "{err}"
    );
}
