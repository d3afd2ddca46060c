//! How a manifest's problems are shown: placed in its source with file,
//! line, column and a caret, and unknown keys with the nearest known one.

use super::source::{Source, Step, line_column};
use super::{Location, ManifestErrorKind, PlacedProblem, SETTINGS, Setting};

/// `message` as an error at `span` of `text`: `file:line:column`, the line,
/// a caret under the span, and any further lines of `message` as notes.
pub(super) fn render_problem(
    text: &str,
    file: &str,
    span: std::ops::Range<usize>,
    message: &str,
) -> String {
    let (line, column) = line_column(text, span.start);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    // A line of 80,000 characters is not quoted whole: the 200 before the
    // fault and the 200 after, the caret still under it.
    let skipped = column.saturating_sub(201);
    let line_text: String = line_text.chars().skip(skipped).take(400).collect();
    let column = column - skipped;
    let width = text[span.start.min(text.len())..span.end.min(text.len())]
        .lines()
        .next()
        .map_or(1, |l| l.chars().count().max(1));
    let gutter = line.to_string().len();
    // A message's first line heads the error; further lines (options,
    // hints) follow the snippet.
    let (head, rest) = message.split_once('\n').unwrap_or((message, ""));
    let mut out = format!(
        "error: {head}\n{pad}--> {file}:{line}:{column}\n{pad} |\n{line} | {line_text}\n{pad} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(width),
        pad = " ".repeat(gutter),
    );
    for extra in rest.lines() {
        out.push_str(&format!(
            "\n{pad} = {}",
            extra.trim(),
            pad = " ".repeat(gutter)
        ));
    }
    out
}

/// `message` of `kind` placed at `span` of `text`, rendered as
/// [`render_problem`] does.
pub(super) fn place(
    text: &str,
    file: &str,
    span: std::ops::Range<usize>,
    kind: ManifestErrorKind,
    message: &str,
) -> PlacedProblem {
    let (line, column) = line_column(text, span.start);
    PlacedProblem {
        kind,
        job: None,
        key: None,
        location: Some(Location {
            file: file.to_string(),
            line,
            column,
        }),
        message: message.to_string(),
        rendered: render_problem(text, file, span, message),
    }
}

/// Unknown keys in `[defaults]`, each `[[job]]`, `[env.NAME]` and the top
/// level; with [`Types::Check`], values of the wrong type too.
pub(super) fn key_problems(
    source: &Source<'_>,
    text: &str,
    types: Types,
    render: &dyn Fn(std::ops::Range<usize>, ManifestErrorKind, &str) -> PlacedProblem,
) -> Vec<PlacedProblem> {
    let mut problems = Vec::new();
    let mut check = |path: &[Step<'_>], allowed: &[&str], place: &str| {
        for (key, span) in source.keys(path) {
            // Checked before the manifest is read: 700,000 variables took
            // ten seconds and 900 MB to be refused for the input's length.
            if key == "environment" {
                let at: Vec<Step<'_>> = path.iter().copied().chain([Step::Key(&key)]).collect();
                let count = source.table_len(&at);
                if count > MAX_ENVIRONMENT_VARIABLES {
                    problems.push(render(
                        span.clone(),
                        ManifestErrorKind::Check(super::ProblemKind::Invalid),
                        &format!(
                            "{place} sets {count} environment variables; a run's whole request must fit AWS's 8,192 characters, which holds a few hundred at most (cronport reads {MAX_ENVIRONMENT_VARIABLES}): keep the rest in the task definition or a secrets store"
                        ),
                    ));
                }
            }
            if allowed.contains(&key.as_str()) {
                if types == Types::Check
                    && let Some(misfit) = wrong_type(source, text, path, &key)
                {
                    let at: Vec<Step<'_>> = path.iter().copied().chain([Step::Key(&key)]).collect();
                    problems.push(render(source.span(&at), ManifestErrorKind::Type, &misfit));
                }
            } else if let Some(setting) = SETTINGS.iter().find(|s| s.name == key) {
                // A known key in the wrong table: say where it goes.
                problems.push(render(
                    span,
                    ManifestErrorKind::UnknownKey,
                    &format!(
                        "`{key}` cannot be set in {place}: it goes in {}",
                        setting.scope.tables()
                    ),
                ));
            } else {
                let hint = closest(&key, allowed)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                problems.push(render(
                    span,
                    ManifestErrorKind::UnknownKey,
                    &format!("unknown key `{key}` in {place}{hint}"),
                ));
            }
        }
    };
    check(
        &[],
        &["id", "defaults", "job", "env"],
        "the manifest (it holds its id, [defaults], [[job]] and [env.NAME] tables)",
    );
    let keys = |allowed: fn(&Setting) -> bool| -> Vec<&'static str> {
        SETTINGS
            .iter()
            .filter(|s| allowed(s))
            .map(|s| s.name)
            .collect()
    };
    let defaults_keys = keys(|s| s.scope.allows_defaults());
    let env_keys: Vec<&str> = defaults_keys
        .iter()
        .copied()
        .chain(["job", "replaces"])
        .collect();
    let override_keys = keys(|s| s.scope.allows_override());
    for (env, _) in source.keys(&[Step::Key("env")]) {
        check(
            &[Step::Key("env"), Step::Key(&env)],
            &env_keys,
            &format!("[env.{env}]"),
        );
        let jobs = [Step::Key("env"), Step::Key(&env), Step::Key("job")];
        for (job, _) in source.keys(&jobs) {
            let path = [
                Step::Key("env"),
                Step::Key(&env),
                Step::Key("job"),
                Step::Key(&job),
            ];
            check(&path, &override_keys, &format!("[env.{env}.job.{job}]"));
        }
    }
    check(&[Step::Key("defaults")], &defaults_keys, "[defaults]");
    let job_keys = keys(|s| s.scope.allows_job());
    for i in 0..source.len(&[Step::Key("job")]) {
        check(
            &[Step::Key("job"), Step::Index(i)],
            &job_keys,
            &format!("[[job]] number {}", i + 1),
        );
    }
    problems
}

/// The most environment variables one table may set: AWS takes a run's
/// whole request in 8,192 characters, a few hundred variables at most.
pub(super) const MAX_ENVIRONMENT_VARIABLES: usize = 1_000;

/// Whether [`key_problems`] reads each value as its key's type: it costs
/// two small parses a key, so it runs only once the whole manifest failed
/// to read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Types {
    Check,
    Skip,
}

/// Why the value of `key` in the table at `path` is not of the key's type,
/// worded for the manifest's reader (the setting's type from the table of
/// settings, not Rust's); `None` when it reads.
fn wrong_type(source: &Source<'_>, text: &str, path: &[Step<'_>], key: &str) -> Option<String> {
    let at: Vec<Step<'_>> = path.iter().copied().chain([Step::Key(key)]).collect();
    let span = source.span(&at);
    let value = text.get(span)?;
    let complaint = super::settings::misfit(key, value)?;
    let setting = SETTINGS.iter().find(|s| s.name == key)?;
    // A table's complaint is about a value inside it: say that one.
    if setting.value.contains("table") {
        return Some(format!("`{key}`: {}", reworded(&complaint)));
    }
    let wanted = if complaint.contains("expected u32") {
        match key {
            "task_count" => "a whole number from 1 to 10",
            "flexible_time_window" => "a whole number of minutes from 1 to 1440",
            _ => "a whole number from 0 to 4294967295",
        }
        .to_string()
    } else if setting.value.starts_with('`') {
        setting.value.to_string()
    } else if setting
        .value
        .starts_with(['a', 'e', 'i', 'o', 'u', 'I', 'R', 'S'])
    {
        format!("an {}", setting.value)
    } else {
        format!("a {}", setting.value)
    };
    let shown: String = crate::escape::one_line(value).chars().take(60).collect();
    let ellipsis = if shown.len() < value.len() && shown.chars().count() == 60 {
        "…"
    } else {
        ""
    };
    Some(format!(
        "`{key}` takes {wanted}, not `{shown}{ellipsis}` (for example `{key} = {}`)",
        setting.example
    ))
}

/// A TOML reader's complaint about a type in the manifest's words, not
/// Rust's: `invalid type: string "1h", expected u32` becomes `string "1h",
/// expected a whole number from 0 to 4294967295`.
pub(super) fn reworded(complaint: &str) -> String {
    let mut text = complaint
        .trim_start_matches("invalid type: ")
        .trim_start_matches("invalid value: ")
        .to_string();
    for (rust, words) in [
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        ("expected struct Settings", "expected a table of settings"),
        (
            "expected struct Environment",
            "expected an [env.NAME] table",
        ),
        (
            "expected struct JobOverride",
            "expected an [env.NAME.job.JOB] table of settings",
        ),
        ("expected struct Job", "expected a [[job]] table"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a table"),
        ("sequence,", "list,"),
        ("map,", "table,"),
    ] {
        text = text.replace(rust, words);
    }
    text
}

/// The allowed key nearest `key` by edit distance, if near enough. No key
/// is longer than 40 characters: a longer one is no typo of one, and the
/// distance costs its length times theirs.
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    if key.chars().count() > 40 {
        return None;
    }
    allowed
        .iter()
        .map(|a| (edit_distance(key, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min()
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
