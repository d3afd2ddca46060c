//! The module graph runs one way: the schedule core, then the task, the
//! manifest, the desired state, files and plans, and only then the AWS SDK
//! and the command line. Each rule below names what a layer may not reach;
//! the check reads the source (comments and unit tests left out), so a
//! cycle fails here before it grows.

use std::path::{Path, PathBuf};

/// (layer, paths it may not name, why)
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "task",
        &[
            "manifest", "desired", "import", "render", "plan", "aws", "diff", "cutover",
        ],
        "the task is what every job runs: it knows no manifest",
    ),
    (
        "owner",
        &["manifest", "desired", "import", "render", "plan", "aws"],
        "owner records are plain data",
    ),
    (
        "manifest",
        &[
            "import", "desired", "render", "plan", "aws", "diff", "cutover",
        ],
        "the manifest is read by the rest, never the other way",
    ),
    (
        "import",
        &["desired", "render", "plan", "aws", "diff", "cutover"],
        "imports write manifests",
    ),
    (
        "desired",
        &["import", "render", "plan", "aws", "diff", "cutover"],
        "the desired state is compiled from the manifest alone",
    ),
    (
        "fit",
        &["import", "plan", "aws", "diff", "cutover"],
        "fitting is offline: facts in, jobs out",
    ),
    (
        "render",
        &["import", "plan", "aws", "diff", "cutover"],
        "files are rendered offline",
    ),
    (
        "calendar",
        &["import", "plan", "aws", "diff", "cutover"],
        "the calendar is offline",
    ),
    (
        "verify",
        &["import", "plan", "aws", "diff", "cutover"],
        "verdicts are judged offline: events in, verdicts out",
    ),
    (
        "cost",
        &["import", "plan", "aws", "diff", "cutover", "render"],
        "an estimate is offline: runs and prices in, dollars out",
    ),
    (
        "plan",
        &["import", "aws", "diff", "cutover"],
        "a plan is data; the SDK reads and writes it",
    ),
    (
        "diff",
        &["import", "aws", "cutover"],
        "the offline diff never touches the SDK",
    ),
    (
        "cutover",
        &["import", "aws"],
        "the cutover's proof is offline",
    ),
    (
        "migration",
        &["import", "aws", "diff", "cutover"],
        "a migration's switches are proved offline",
    ),
];

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's code: no comment lines, nothing from its unit tests on.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The files of a top-level module: `src/NAME.rs` or `src/NAME/`.
fn layer(src: &Path, name: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let dir = src.join(name);
    if dir.is_dir() {
        source_files(&dir, &mut files);
    }
    let file = src.join(format!("{name}.rs"));
    if file.is_file() {
        files.push(file);
    }
    assert!(!files.is_empty(), "no module `{name}` in src/");
    files
}

/// Whether `code` reaches top-level module `module`: `crate::module::…`,
/// `use crate::module;`, or `module` inside a `crate::{…}` group.
fn names_module(code: &str, module: &str) -> bool {
    let path = regex::Regex::new(&format!(r"\bcrate::{module}\b")).unwrap();
    let group = regex::Regex::new(&format!(r"\bcrate::\{{[^}}]*\b{module}\b")).unwrap();
    path.is_match(code) || group.is_match(code)
}

#[test]
fn the_module_graph_runs_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut broken = Vec::new();
    for (name, forbidden, why) in RULES {
        for file in layer(&src, name) {
            let code = code(&file);
            for other in *forbidden {
                if names_module(&code, other) {
                    broken.push(format!("{} names `{other}`: {why}", file.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_library_knows_no_command_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut broken = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        if relative.starts_with("cli") || relative == Path::new("main.rs") {
            continue;
        }
        let code = code(&file);
        for (needle, why) in [
            ("clap", "command-line parsing is the binary's"),
            (
                "println!",
                "the library returns what it has; the binary prints",
            ),
            (
                "eprintln!",
                "the library returns what it has; the binary prints",
            ),
            ("std::process::exit", "the binary picks exit codes"),
        ] {
            if code.contains(needle) {
                broken.push(format!("{} uses `{needle}`: {why}", relative.display()));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// A broken rule is found: the check can fail.
#[test]
fn the_layer_check_sees_a_forbidden_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("probe.rs");
    std::fs::write(&file, "// crate::aws:: in a comment is fine\nuse crate::aws::Clients;\n#[cfg(test)]\nuse crate::import::x;\n").unwrap();
    let code = code(&file);
    assert!(names_module(&code, "aws"));
    assert!(!names_module(&code, "import"));
    assert!(!code.contains("in a comment"));
    assert!(names_module("use crate::aws;", "aws"));
    assert!(names_module("use crate::{desired, aws::Clients};", "aws"));
    assert!(!names_module("use crate::awsome;", "aws"));
}

/// The two translation backends share helpers (`calendar`, `shift`,
/// `blocks`) and never each other.
#[test]
fn the_translation_backends_do_not_reach_into_each_other() {
    let translate =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/cronport-core/src/translate");
    for (file, other) in [("rules.rs", "scheduler"), ("scheduler.rs", "rules")] {
        let code = code(&translate.join(file));
        let reaches = regex::Regex::new(&format!(
            r"\bsuper::{other}\b|\bsuper::\{{[^}}]*\b{other}\b"
        ))
        .unwrap();
        assert!(!reaches.is_match(&code), "translate/{file} names `{other}`");
    }
}
