//! Every rendered command run the way its container would run it, against
//! what Heroku ran: `bash -c ORIGINAL`. Fake `bundle`, `rake`, `rails` and
//! `python` programs on PATH print their name, argv, working directory and
//! environment; both sides must print the same and leave the same files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use cronport::task::{Command, TimeLimit};

/// A program that prints how it was called.
const FAKE: &str = r#"#!/bin/sh
printf 'prog=%s dir=%s\n' "$(basename "$0")" "$(basename "$PWD")"
for a in "$@"; do printf 'arg=[%s]\n' "$a"; done
env | grep -E '^(FOO|BAR|RAILS_ENV|X_[A-Z]+)=' | sort
if [ "$1" = sleep ]; then sleep "$2"; fi
"#;

struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root =
            std::env::temp_dir().join(format!("cronport-commands-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("bin")).unwrap();
        for program in ["bundle", "rake", "rails", "python"] {
            let path = root.join("bin").join(program);
            std::fs::write(&path, FAKE).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Sandbox { root }
    }

    /// A fresh working directory with the files a job might expect.
    fn workdir(&self, name: &str) -> PathBuf {
        // Every run works in a directory called `app`, as on a dyno.
        let dir = self.root.join(name).join("app");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join(".env"), "export FOO=from-dotenv\n").unwrap();
        dir
    }

    fn path(&self) -> String {
        format!("{}:/usr/bin:/bin", self.root.join("bin").display())
    }

    /// Runs `argv` with `env` in `dir`: stdout, exit code, and every file
    /// the run left there.
    fn run(
        &self,
        argv: &[String],
        env: &BTreeMap<String, String>,
        dir: &Path,
    ) -> (String, Option<i32>, BTreeMap<String, String>) {
        let out = Process::new(&argv[0])
            .args(&argv[1..])
            .env_clear()
            .env("PATH", self.path())
            .env("HOME", "/app")
            .envs(env)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        let mut files = BTreeMap::new();
        for entry in walk(dir) {
            let name = entry.strip_prefix(dir).unwrap().display().to_string();
            files.insert(name, std::fs::read_to_string(&entry).unwrap_or_default());
        }
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code(),
            files,
        )
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Heroku's commands, each with whether bash runs exactly an argv.
const COMMANDS: [(&str, bool); 20] = [
    ("bundle exec rake reports:daily", true),
    (
        "FOO=1 RAILS_ENV=production bundle exec rake reports:daily",
        true,
    ),
    (
        "X_A=1 X_B='two words' python manage.py \"send digest\"",
        true,
    ),
    ("rails runner 'Purge.call(\"x y\", 30)'", true),
    ("rake \"quoted \\\"inner\\\"\" a\\ b", true),
    ("source .env && rake after-source", false),
    (". ./.env; rake after-dot", false),
    ("[[ -f .env ]] && rake present", false),
    ("rake to-log &> log.txt", false),
    ("rake task_{a,b}", false),
    ("rake one; rake two", false),
    ("rake first\nrake second", false),
    ("cd sub && rake here", false),
    ("exec bundle exec rake replaced", false),
    ("rake x > out.txt 2>&1", false),
    ("FOO=$HOME rake expanded", false),
    ("rake 'no [glob]' \"*\"", true),
    ("FOO+=1 rake appended", false),
    ("UID=5 rake protected", false),
    ("rake carriage\r", true),
];

#[test]
fn rendered_commands_do_what_bash_did() {
    let sandbox = Sandbox::new("faithful");
    for (i, (text, direct)) in COMMANDS.iter().enumerate() {
        let command = Command::from_heroku(text);
        assert_eq!(
            matches!(command, Command::Argv { .. }),
            *direct,
            "{text}: {command:?}"
        );
        let heroku = sandbox.run(
            &["bash".into(), "-c".into(), text.to_string()],
            &BTreeMap::new(),
            &sandbox.workdir(&format!("heroku-{i}")),
        );
        let ecs = sandbox.run(
            &command.container_command(),
            command.environment(),
            &sandbox.workdir(&format!("ecs-{i}")),
        );
        assert_eq!(ecs, heroku, "{text} ({})", command.explanation());
        assert!(
            !heroku.0.is_empty() || heroku.2.len() > 1,
            "{text}: the fakes ran"
        );
    }
}

#[test]
fn the_time_limit_wrapper_runs_the_command_and_stops_it() {
    let sandbox = Sandbox::new("timeout");
    let limit: TimeLimit = "1m".parse().unwrap();
    let command = Command::from_heroku("FOO=1 rake wrapped");
    let plain = sandbox.run(
        &command.container_command(),
        command.environment(),
        &sandbox.workdir("plain"),
    );
    let wrapped = sandbox.run(
        &limit.wrap(command.container_command()),
        command.environment(),
        &sandbox.workdir("wrapped"),
    );
    assert_eq!(wrapped, plain);
    // A run past its limit ends with timeout's status, 124.
    let limit = TimeLimit::from_seconds(1).unwrap();
    let stuck = Command::from_heroku("rake sleep 30");
    let (_, code, _) = sandbox.run(
        &limit.wrap(stuck.container_command()),
        stuck.environment(),
        &sandbox.workdir("stuck"),
    );
    assert_eq!(code, Some(124));
}
