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

/// Unknown keys in `[defaults]`, each `[[job]]`, and the top level.
pub(super) fn unknown_keys(
    source: &Source<'_>,
    render: &dyn Fn(std::ops::Range<usize>, ManifestErrorKind, &str) -> PlacedProblem,
) -> Vec<PlacedProblem> {
    let mut problems = Vec::new();
    let mut check = |path: &[Step<'_>], allowed: &[&str], place: &str| {
        for (key, span) in source.keys(path) {
            if !allowed.contains(&key.as_str()) {
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
    let job_keys = keys(|_| true);
    for i in 0..source.len(&[Step::Key("job")]) {
        check(
            &[Step::Key("job"), Step::Index(i)],
            &job_keys,
            &format!("[[job]] number {}", i + 1),
        );
    }
    problems
}

/// The allowed key nearest `key` by edit distance, if near enough.
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
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
