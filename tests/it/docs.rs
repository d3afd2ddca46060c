//! The docs cannot drift: the offline commands their `console` blocks show
//! run, with the output shown; the commands page is the binary's list; every
//! link between the README, the book's pages and the repository resolves.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page of the book.
fn pages() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md")];
    let mut dirs = vec![root().join("docs/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The `$ cronport …` commands of a page's `console` blocks (continued
/// lines joined), each with the output lines shown under it.
fn console_commands(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut current: Option<(String, Vec<String>)> = None;
    let mut continuing = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_block = line == "```console";
            if let Some(c) = current.take() {
                out.push(c);
            }
            continue;
        }
        if !in_block {
            continue;
        }
        if continuing {
            let (cmd, _) = current.as_mut().unwrap();
            cmd.push_str(line.trim_end_matches('\\').trim_start());
            cmd.push(' ');
            continuing = line.ends_with('\\');
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            if let Some(c) = current.take() {
                out.push(c);
            }
            continuing = cmd.ends_with('\\');
            current = Some((format!("{} ", cmd.trim_end_matches('\\')), Vec::new()));
        } else if let Some((_, shown)) = current.as_mut() {
            shown.push(line.to_string());
        }
    }
    out
}

/// Commands that need no AWS, no Heroku and no git history.
fn offline(cmd: &str) -> bool {
    [
        "cronport explain",
        "cronport translate",
        "cronport calendar",
        "cronport convert",
        "cronport cost",
        "cronport import heroku examples/",
    ]
    .iter()
    .any(|p| cmd.starts_with(p))
}

#[test]
fn the_docs_offline_commands_print_what_the_docs_show() {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(work.path().join("examples/heroku")).unwrap();
    for f in ["jobs.json", "cronport.toml", "rehearsal.json"] {
        std::fs::copy(
            root().join("examples/heroku").join(f),
            work.path().join("examples/heroku").join(f),
        )
        .unwrap();
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_cronport")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (cmd, shown) in console_commands(&text) {
            if !offline(&cmd) {
                continue;
            }
            let out = Command::new("bash")
                .args(["-c", &cmd])
                .current_dir(work.path())
                .env("PATH", &path)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            // The lines shown, but those elided (`…`) or that depend on
            // the day the docs were written (no --from: "next" runs).
            for line in shown
                .iter()
                .filter(|l| !l.contains('…') && !l.trim().is_empty())
            {
                if !cmd.contains("--from") && line.contains("T") && line.contains(":00") {
                    continue;
                }
                assert!(
                    all.contains(line.trim_end()),
                    "{}: `{cmd}` no longer prints\n{line}\nit prints:\n{all}",
                    page.display()
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 6, "only {ran} offline commands found in the docs");
}

#[test]
fn the_commands_page_is_the_binarys_list() {
    let help = Command::new(env!("CARGO_BIN_EXE_cronport"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let page = std::fs::read_to_string(root().join("docs/src/reference/commands.md")).unwrap();
    let commands = &help[help.find("Commands:").unwrap()..];
    let commands = &commands[..commands.find("\n\n").unwrap()];
    assert!(
        page.contains(commands),
        "docs/src/reference/commands.md lists other commands than `cronport --help`:\n{commands}"
    );
}

#[test]
fn every_link_between_the_docs_resolves() {
    let link = |text: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_string());
            }
        }
        out
    };
    for page in pages()
        .into_iter()
        .chain([root().join("docs/src/SUMMARY.md")])
    {
        let text = std::fs::read_to_string(&page).unwrap();
        for target in link(&text) {
            if target.starts_with("http")
                || target.starts_with('#')
                || target.starts_with("mailto:")
            {
                continue;
            }
            let file = target.split('#').next().unwrap();
            let resolved = page.parent().unwrap().join(file);
            assert!(
                resolved.exists(),
                "{}: the link `{target}` leads nowhere",
                page.display()
            );
        }
    }
    // Every page is in the book's summary.
    let summary = std::fs::read_to_string(root().join("docs/src/SUMMARY.md")).unwrap();
    for page in pages()
        .into_iter()
        .filter(|p| p.starts_with(root().join("docs/src")))
    {
        let relative = page
            .strip_prefix(root().join("docs/src"))
            .unwrap()
            .display()
            .to_string();
        if relative != "SUMMARY.md" {
            assert!(
                summary.contains(&format!("({relative})")),
                "{relative} is not in SUMMARY.md"
            );
        }
    }
}
