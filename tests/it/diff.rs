//! `cronport diff`: respellings are no effective change, real changes show
//! their runs, and the three formats are pinned by snapshots.

use crate::common;

use cronport::diff::{DiffOptions, JobChange, diff, markdown, text};
use cronport::manifest::Manifest;

use common::DEFAULTS;

fn manifest(jobs: &[(&str, &str, Option<&str>)]) -> Manifest {
    let mut text = DEFAULTS.to_string();
    for (name, schedule, zone) in jobs {
        text.push_str(&format!(
            "\n[[job]]\nname = \"{name}\"\nschedule = \"{schedule}\"\ncommand = \"rake {name}\"\n"
        ));
        if let Some(zone) = zone {
            text.push_str(&format!("timezone = \"{zone}\"\n"));
        }
    }
    Manifest::from_toml(&text, "m.toml").unwrap()
}

fn options() -> DiffOptions {
    DiffOptions::year_from("2026-11-24T00:00:00Z".parse().unwrap())
}

fn only_change(base: (&str, Option<&str>), head: (&str, Option<&str>)) -> JobChange {
    let report = diff(
        &manifest(&[("job", base.0, base.1)]),
        &manifest(&[("job", head.0, head.1)]),
        &options(),
    )
    .unwrap();
    assert_eq!(report.jobs.len(), 1);
    report.jobs[0].clone()
}

#[test]
fn respellings_are_no_effective_change() {
    let pairs = [
        (("*/10 * * * *", None), ("cron(0/10 * * * ? *)", None)),
        (("30 14 * * 1-5", None), ("30 14 * * MON-FRI", None)),
        (("30 14 * * 1-5", None), ("cron(30 14 ? * MON-FRI *)", None)),
        (("every day at 14:30", None), ("30 14 * * *", None)),
        (
            ("every 10 minutes", None),
            ("0,10,20,30,40,50 * * * *", None),
        ),
        (("0 0 * * *", None), ("0 9 * * *", Some("Asia/Tokyo"))),
        (("0 12 * * 0", None), ("0 12 * * 7", None)),
    ];
    for (base, head) in pairs {
        let change = only_change(base, head);
        assert!(!change.is_effective(), "{base:?} → {head:?}: {change:?}");
        let JobChange::Changed {
            schedule: Some(s),
            fields,
            ..
        } = change
        else {
            panic!("{base:?}")
        };
        assert!(fields.is_empty());
        assert!(s.proved_over.unwrap() > 0);
    }
}

#[test]
fn a_one_minute_shift_is_effective_with_the_same_runs_per_year() {
    let JobChange::Changed {
        schedule: Some(s), ..
    } = only_change(("30 14 * * 1-5", None), ("31 14 * * 1-5", None))
    else {
        panic!()
    };
    assert!(s.effective);
    assert_eq!((s.before.runs_per_year, s.after.runs_per_year), (261, 261));
    assert_eq!(s.first_difference.as_deref(), Some("2026-11-24T14:30:00Z"));
    assert_eq!(s.after.next[0].utc, "2026-11-24T14:31:00Z");
}

#[test]
fn a_zone_change_is_effective_and_shows_local_times() {
    let JobChange::Changed {
        schedule: Some(s), ..
    } = only_change(("0 9 * * *", None), ("0 9 * * *", Some("America/New_York")))
    else {
        panic!()
    };
    assert!(s.effective);
    assert_eq!(s.after.timezone, "America/New_York");
    assert_eq!(s.after.next[0].local, "2026-11-24T09:00:00-05:00");
    assert_eq!(s.after.next[0].utc, "2026-11-24T14:00:00Z");
    assert_eq!((s.before.runs_per_year, s.after.runs_per_year), (365, 365));
    // Hourly to every ten minutes: six times the runs.
    let JobChange::Changed {
        schedule: Some(s), ..
    } = only_change(("every hour at :00", None), ("every 10 minutes", None))
    else {
        panic!()
    };
    assert_eq!(
        (s.before.runs_per_year, s.after.runs_per_year),
        (8760, 52560)
    );
}

/// A realistic change set on the bundled example.
fn change_set() -> (Manifest, Manifest) {
    let base_text = common::example_manifest();
    let head_text = base_text
        .replace("every day at 14:30", "every day at 15:00")
        .replace("schedule = \"every 10 minutes\"\ncommand = \"bundle exec rake push:fan_out\"", "schedule = \"*/10 * * * *\"\ncommand = \"bundle exec rake push:fan_out\"")
        .replace("size = \"performance-m\"", "size = \"performance-l\"")
        .replace("name = \"rake-billing-renew-subscriptions\"", "name = \"billing-renewals\"")
        .replace("[[job]]\nname = \"rake-cache-warm-spot-maps\"\nschedule = \"every hour at :50\"\ncommand = \"bundle exec rake cache:warm_spot_maps\"\nsize = \"standard-1x\"\nsource_id = \"5b1a3f0e-0012-4c2e-9d1a-1f2e3d4c5b12\"\ntimeout = \"1h\"\n", "")
        + "\n[[job]]\nname = \"weekly-partner-report\"\nschedule = \"0 9 * * 1\"\ntimezone = \"Asia/Tokyo\"\ncommand = \"bundle exec rake partners:weekly\"\n";
    let base = Manifest::from_toml(&base_text, "base.toml").unwrap();
    let head = Manifest::from_toml(&head_text, "head.toml").unwrap();
    (base, head)
}

#[test]
fn snapshots_of_all_three_formats() {
    let (base, head) = change_set();
    let report = diff(&base, &head, &options()).unwrap();
    let s = report.summary;
    assert_eq!(
        (s.added, s.removed, s.renamed, s.changed, s.respelled),
        (1, 1, 1, 2, 1),
        "{}",
        text(&report, false)
    );
    insta::assert_snapshot!("diff_text", text(&report, false));
    insta::assert_snapshot!("diff_markdown", markdown(&report));
    insta::assert_snapshot!("diff_json", serde_json::to_string_pretty(&report).unwrap());
}

#[test]
fn git_revisions_are_a_side() {
    let dir = std::env::temp_dir().join(format!("cronport-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (base, head) = change_set();
    git(&["init", "-q"]);
    std::fs::write(dir.join("cronport.toml"), base.to_toml().unwrap()).unwrap();
    git(&["add", "cronport.toml"]);
    git(&["commit", "-qm", "first"]);
    std::fs::write(dir.join("cronport.toml"), head.to_toml().unwrap()).unwrap();
    git(&["commit", "-qam", "second"]);
    std::fs::write(
        dir.join("cronport.toml"),
        head.to_toml()
            .unwrap()
            .replace("every day at 15:00", "every day at 15:30"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args([
            "diff",
            "git:HEAD~1:cronport.toml",
            "cronport.toml",
            "--from",
            "2026-11-24T00:00:00Z",
            "--detailed-exitcode",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("schedule: every day at 14:30 → every day at 15:30"),
        "{stdout}"
    );
    // Two commits with the same content: nothing effective, exit 0.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args([
            "diff",
            "git:HEAD:cronport.toml",
            "git:HEAD:cronport.toml",
            "--detailed-exitcode",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["diff", "git:NOPE:cronport.toml", "cronport.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git cannot read it"));
    // The pull request that adds the manifest: its base has none (the
    // work tree has it), and every job is added.
    std::fs::create_dir_all(dir.join("jobs")).unwrap();
    std::fs::copy(dir.join("cronport.toml"), dir.join("jobs/cronport.toml")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args([
            "diff",
            "git:HEAD:jobs/cronport.toml",
            "jobs/cronport.toml",
            "--format",
            "markdown",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("jobs/cronport.toml is not in HEAD: every job of the other side is new")
    );
    assert!(
        stdout.contains(" added, 0 removed, 0 renamed, 0 changed"),
        "{stdout}"
    );
    // The pull request that deletes it: every job is removed.
    std::fs::remove_file(dir.join("jobs/cronport.toml")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["diff", "git:HEAD:cronport.toml", "jobs/cronport.toml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 added,"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("every job of the base is removed"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The pull-request check as a GitHub Action: `action.yml` installs the
/// release binary through `install.sh`, diffs base and head, and posts one
/// comment; every shell step parses as bash; the example workflow uses it.
#[test]
fn the_github_action_runs_the_diff_and_its_steps_parse() {
    let root = env!("CARGO_MANIFEST_DIR");
    let check = r#"
import subprocess, sys, yaml, re
action = yaml.safe_load(open(sys.argv[1]))
assert action["runs"]["using"] == "composite"
runs = [s["run"] for s in action["runs"]["steps"] if "run" in s]
assert any('cronport diff "git:${BASE}:${MANIFEST}" "${MANIFEST}" --format markdown --detailed-exitcode' in r for r in runs)
assert any('install.sh' in r for r in runs)
for script in runs:
    # Expressions are GitHub's, not bash's: a placeholder each.
    script = re.sub(r"\$\{\{[^}]*\}\}", "X", script)
    subprocess.run(["bash", "-n"], input=script.encode(), check=True)
workflow = yaml.safe_load(open(sys.argv[2]))
steps = workflow["jobs"]["diff"]["steps"]
assert any(s.get("uses", "").startswith("cronport/cronport@") for s in steps)
"#;
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            check,
            &format!("{root}/action.yml"),
            &format!("{root}/examples/github-actions/cronport-diff.yml"),
        ])
        .output()
        .expect("python3 runs (PyYAML comes with moto)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whatever a job's fields hold, the Markdown comment keeps every row and
/// the text report every line: backticks, `<!--`, pipes, newlines and
/// terminal escapes are printed, not obeyed.
#[test]
fn hostile_fields_cannot_hide_or_forge_anything() {
    let hostile = "rake a ``` <!-- | x\nrake b \u{1b}[2J";
    let mut base = Manifest::from_toml(&format!("{DEFAULTS}\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"rake a\"\n\n[[job]]\nname = \"b\"\nschedule = \"@hourly\"\ncommand = \"rake b\"\n"), "m.toml").unwrap();
    let mut head = base.clone();
    head.jobs[0].command = hostile.to_string();
    head.jobs[1].command = "rake b2".to_string();
    base.jobs[0].command = "rake a".to_string();
    let report = diff(&base, &head, &options()).unwrap();
    let md = markdown(&report);
    // Both jobs' rows are there, and no raw HTML comment or escape.
    assert_eq!(md.matches("\n| ✏️ |").count(), 2, "{md}");
    assert!(!md.lines().any(|l| l.starts_with("<!--")), "{md}");
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    assert!(!md.contains('\u{1b}'), "{md}");
    // Each details block closes with the fence it opened with.
    assert!(md.contains("````\n"), "{md}");
    let plain = text(&report, false);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.lines().all(|l| !l.starts_with("rake b")), "{plain}");
}

/// What a pull request's comment says of changes that move no run: a
/// command respelled to the same argv is no change; a command that runs
/// other words, or a new `rehearse`, is a change without a picture of the
/// week (no run moved); a schedule change draws it.
#[test]
fn commands_compare_as_argv_and_the_picture_is_of_moved_runs() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, job: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "{}\n[[job]]\nname = \"a\"\n{job}\n",
                super::common::DEFAULTS
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let diff = |base: &str, head: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
            .args([
                "diff",
                base,
                head,
                "--format",
                "markdown",
                "--from",
                "2026-11-24T00:00:00Z",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let base = write(
        "base.toml",
        "schedule = \"@daily\"\ncommand = \"bundle exec rake a\"",
    );
    let spaced = write(
        "spaced.toml",
        "schedule = \"@daily\"\ncommand = \"bundle  exec   rake a\"",
    );
    let other = write(
        "other.toml",
        "schedule = \"@daily\"\ncommand = \"bundle exec rake b\"",
    );
    let rehearse = write(
        "rehearse.toml",
        "schedule = \"@daily\"\ncommand = \"bundle exec rake a\"\nrehearse = \"sends mail\"",
    );
    let moved = write(
        "moved.toml",
        "schedule = \"0 3 * * *\"\ncommand = \"bundle exec rake a\"",
    );
    let comment = diff(&base, &spaced);
    assert!(comment.contains("0 changed"), "{comment}");
    let comment = diff(&base, &other);
    assert!(
        comment.contains("1 changed") && !comment.contains("The week's runs"),
        "{comment}"
    );
    // What `run --all` does changes, not what AWS runs: shown, not effective.
    let comment = diff(&base, &rehearse);
    assert!(
        comment.contains("0 changed, 1 respelled without effect") && comment.contains("rehearse"),
        "{comment}"
    );
    assert!(!comment.contains("The week's runs"), "{comment}");
    let comment = diff(&base, &moved);
    assert!(
        comment.contains("The week's runs, before and after"),
        "{comment}"
    );
}
