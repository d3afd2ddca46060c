//! How a job's command runs in its container: as bash ran it on a dyno.
//!
//! Heroku starts a bash shell in the dyno and has it run the command
//! (Dev Center, ".profile.d scripts"). ECS runs a container's `command`
//! override as an argv, with no shell. So a command may become an argv only
//! when bash would have run exactly that argv: no expansion, no keyword or
//! builtin, no redirection, one command. Leading `NAME=value` assignments
//! are what bash puts in that command's environment, so they become the
//! container's environment overrides. Anything else runs as
//! `["/bin/bash", "-c", COMMAND]`, or through the shell a manifest names
//! for images without bash.
//!
//! The reading is conservative: where bash *might* do something (a glob
//! that matches no file, a `{` that is not a brace expansion), the command
//! keeps its shell, which is always faithful; an argv is an optimisation
//! that must never change what runs.

use std::collections::BTreeMap;

use serde::Serialize;

/// The shell Heroku ran commands with, and cronport's default.
///
/// ```
/// assert_eq!(cronport::task::BASH, "/bin/bash");
/// ```
pub const BASH: &str = "/bin/bash";

/// How a job's command reaches the container.
///
/// ```
/// use cronport::task::Command;
/// let c = Command::from_heroku("RAILS_ENV=production bundle exec rake reports:daily");
/// assert_eq!(c.container_command(), ["bundle", "exec", "rake", "reports:daily"]);
/// assert_eq!(c.environment()["RAILS_ENV"], "production");
/// let piped = Command::from_heroku("node sync.js | tee log");
/// assert_eq!(piped.container_command(), ["/bin/bash", "-c", "node sync.js | tee log"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Command {
    /// Run directly: bash would have run exactly this argv.
    Argv {
        /// The arguments.
        argv: Vec<String>,
        /// The command's leading `NAME=value` assignments.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        environment: BTreeMap<String, String>,
    },
    /// Run through a shell, because bash would have done more than exec.
    Shell {
        /// The shell's path, such as `/bin/bash`.
        shell: String,
        /// The command as written.
        script: String,
        /// What bash would have done, such as "uses `&&`".
        reason: String,
    },
}

impl Command {
    /// The command Heroku would have run for `text`, with bash as the shell.
    ///
    /// ```
    /// use cronport::task::Command;
    /// assert_eq!(
    ///     Command::from_heroku("rake 'reports:daily[full]'").container_command(),
    ///     ["rake", "reports:daily[full]"]
    /// );
    /// assert!(matches!(Command::from_heroku("rake a && rake b"), Command::Shell { .. }));
    /// ```
    pub fn from_heroku(text: &str) -> Command {
        Command::with_shell(text, BASH)
    }

    /// The command for `text`, run through `shell` where it needs one.
    ///
    /// ```
    /// use cronport::task::Command;
    /// let c = Command::with_shell("source .env && rake x", "/bin/sh");
    /// assert_eq!(c.container_command(), ["/bin/sh", "-c", "source .env && rake x"]);
    /// ```
    pub fn with_shell(text: &str, shell: &str) -> Command {
        // Bash's own blanks around a command mean nothing; a carriage
        // return is an ordinary character to it, and stays.
        let script = text.trim_matches([' ', '\t', '\n']);
        let shell_for = |reason: String| Command::Shell {
            shell: shell.to_string(),
            script: script.to_string(),
            reason,
        };
        let words = match split(text) {
            Ok(words) => words,
            Err(reason) => return shell_for(reason),
        };
        if let Some(name) = words
            .iter()
            .map_while(|w| w.assignment.as_deref())
            .find(|name| BASH_VARIABLES.contains(name) || name.starts_with("BASH"))
        {
            return shell_for(format!("assigns `{name}`, which bash keeps for itself"));
        }
        let mut environment = BTreeMap::new();
        let mut rest = words.into_iter().peekable();
        while let Some(word) = rest.next_if(|w| w.assignment.is_some()) {
            let name = word.assignment.unwrap_or_default();
            let value = word.text[name.len() + 1..].to_string();
            environment.insert(name, value);
        }
        let argv: Vec<String> = rest.map(|w| w.text).collect();
        match argv.first() {
            None => shell_for("only sets variables".to_string()),
            Some(first) if BASH_WORDS.contains(&first.as_str()) => {
                shell_for(format!("starts with `{first}`, which bash runs itself"))
            }
            Some(_) => Command::Argv { argv, environment },
        }
    }

    /// The container's `command` override.
    ///
    /// ```
    /// use cronport::task::Command;
    /// assert_eq!(Command::from_heroku("rake a | tee x").container_command(), ["/bin/bash", "-c", "rake a | tee x"]);
    /// ```
    pub fn container_command(&self) -> Vec<String> {
        match self {
            Command::Argv { argv, .. } => argv.clone(),
            Command::Shell { shell, script, .. } => {
                vec![shell.clone(), "-c".into(), script.clone()]
            }
        }
    }

    /// The variables the command sets for itself (its leading `NAME=value`
    /// words), which become container environment overrides.
    ///
    /// ```
    /// use cronport::task::Command;
    /// assert_eq!(Command::from_heroku("FOO=1 rake x").environment().len(), 1);
    /// assert!(Command::from_heroku("FOO=1; rake x").environment().is_empty()); // a shell sets it
    /// ```
    pub fn environment(&self) -> &BTreeMap<String, String> {
        static NONE: BTreeMap<String, String> = BTreeMap::new();
        match self {
            Command::Argv { environment, .. } => environment,
            Command::Shell { .. } => &NONE,
        }
    }

    /// One line for the rendered output's comments: how and why.
    ///
    /// ```
    /// use cronport::task::Command;
    /// assert_eq!(Command::from_heroku("rake a && rake b").explanation(), "runs through /bin/bash -c: the command uses `&&`");
    /// assert_eq!(Command::from_heroku("rake a").explanation(), "runs as an argv array: bash would run exactly that");
    /// assert_eq!(Command::from_heroku("A=1 rake a").explanation(), "runs as an argv array with A in its environment: bash would run exactly that");
    /// ```
    pub fn explanation(&self) -> String {
        match self {
            Command::Argv { environment, .. } if environment.is_empty() => {
                "runs as an argv array: bash would run exactly that".to_string()
            }
            Command::Argv { environment, .. } => {
                let names: Vec<&str> = environment.keys().map(String::as_str).collect();
                format!(
                    "runs as an argv array with {} in its environment: bash would run exactly that",
                    names.join(", ")
                )
            }
            Command::Shell { shell, reason, .. } => {
                format!("runs through {shell} -c: the command {reason}")
            }
        }
    }
}

/// Bash's reserved words and builtins: a command starting with one is run
/// by bash itself, never exec'd (`exec`, `time`, `source`, `cd`, `[[` …).
const BASH_WORDS: &[&str] = &[
    "!",
    "[[",
    "]]",
    "{",
    "}",
    "case",
    "coproc",
    "do",
    "done",
    "elif",
    "else",
    "esac",
    "fi",
    "for",
    "function",
    "if",
    "in",
    "select",
    "then",
    "time",
    "until",
    "while",
    ".",
    ":",
    "[",
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "cd",
    "command",
    "compgen",
    "complete",
    "compopt",
    "continue",
    "declare",
    "dirs",
    "disown",
    "echo",
    "enable",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "kill",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "printf",
    "pushd",
    "pwd",
    "read",
    "readarray",
    "readonly",
    "return",
    "set",
    "shift",
    "shopt",
    "source",
    "suspend",
    "test",
    "times",
    "trap",
    "true",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "wait",
];

/// Variables bash sets itself (read-only, or special): an assignment to
/// one never reaches the command's environment.
const BASH_VARIABLES: &[&str] = &[
    "UID",
    "EUID",
    "PPID",
    "SHELLOPTS",
    "GROUPS",
    "FUNCNAME",
    "RANDOM",
    "SECONDS",
    "LINENO",
    "SRANDOM",
    "EPOCHSECONDS",
    "EPOCHREALTIME",
    "HISTCMD",
    "DIRSTACK",
    "PIPESTATUS",
    "OLDPWD",
    "PWD",
];

/// A word after quote removal, and the variable it assigns if it is a
/// `NAME=value` word (its name and `=` unquoted).
struct Word {
    text: String,
    assignment: Option<String>,
}

/// Splits `text` into words as bash would, or says what bash would do
/// beyond splitting (expand, redirect, run several commands …).
fn split(text: &str) -> Result<Vec<Word>, String> {
    let mut words: Vec<Word> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    // The unquoted identifier at the start of the current word, while it
    // could still be an assignment's name.
    let mut name: Option<String> = None;
    let mut assignment: Option<String> = None;
    let mut chars = text.chars().peekable();
    let uses = |what: &str| Err(format!("uses {what}"));
    while let Some(c) = chars.next() {
        let starts_word = !in_word;
        // Whether an unquoted character continues a possible name.
        let mut keeps_name = false;
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(Word {
                        text: std::mem::take(&mut word),
                        assignment: assignment.take(),
                    });
                    in_word = false;
                }
                name = None;
                continue;
            }
            '\n' => return Err("runs more than one command (a line break)".to_string()),
            '\\' => match chars.next() {
                None => return Err("ends in a backslash".to_string()),
                Some('\n') => return Err("continues a line with `\\`".to_string()),
                Some(next) => word.push(next),
            },
            '\'' => loop {
                match chars.next() {
                    None => return Err("has an unterminated quote".to_string()),
                    Some('\'') => break,
                    Some(q) => word.push(q),
                }
            },
            '"' => loop {
                match chars.next() {
                    None => return Err("has an unterminated quote".to_string()),
                    Some('"') => break,
                    Some('$') => return uses("a variable `$`"),
                    Some('`') => return uses("a command substitution (backticks)"),
                    Some('\\') => match chars.next() {
                        Some(e @ ('$' | '`' | '"' | '\\')) => word.push(e),
                        Some('\n') => {}
                        Some(other) => {
                            word.push('\\');
                            word.push(other);
                        }
                        None => return Err("has an unterminated quote".to_string()),
                    },
                    Some(q) => word.push(q),
                }
            },
            '$' => return uses("a variable `$`"),
            '`' => return uses("a command substitution (backticks)"),
            '|' if chars.peek() == Some(&'|') => return uses("`||`"),
            '|' => return uses("a pipe `|`"),
            '&' if chars.peek() == Some(&'&') => return uses("`&&`"),
            '&' if chars.peek() == Some(&'>') => return uses("a redirect `&>`"),
            '&' => return uses("a background `&`"),
            ';' => return uses("`;`"),
            '>' => return uses("a redirect `>`"),
            '<' => return uses("a redirect `<`"),
            '(' | ')' => return uses("a subshell `(`"),
            '[' if starts_word && chars.peek().is_some_and(|n| n.is_whitespace()) => {
                return uses("a test `[ … ]`");
            }
            '*' | '?' | '[' => return uses(&format!("a glob `{c}`")),
            '{' | '}' => return uses(&format!("a brace `{c}`")),
            '~' if starts_word || word.ends_with('=') || word.ends_with(':') => {
                return uses("a tilde `~`");
            }
            '#' if starts_word => return uses("a comment `#`"),
            '+' if name.is_some() && chars.peek() == Some(&'=') => {
                return uses("an appending assignment `+=`");
            }
            '%' if starts_word => return uses("job control `%`"),
            '=' if name.is_some() && assignment.is_none() => {
                assignment = name.take();
                word.push(c);
            }
            c if c == '_' || c.is_ascii_alphanumeric() => {
                let first = starts_word && !c.is_ascii_digit();
                if first {
                    name = Some(String::new());
                }
                if let Some(n) = name.as_mut() {
                    n.push(c);
                    keeps_name = true;
                }
                word.push(c);
            }
            other => word.push(other),
        }
        in_word = true;
        if !keeps_name {
            name = None;
        }
    }
    if in_word {
        words.push(Word {
            text: word,
            assignment,
        });
    }
    // Only leading words assign; later `a=b` words are arguments, and a
    // lone `!` is a keyword.
    let mut leading = true;
    for w in &mut words {
        if w.assignment.is_none() {
            leading = false;
        } else if !leading {
            w.assignment = None;
        }
    }
    if words.is_empty() {
        return Err("is empty".to_string());
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(text: &str) -> Vec<String> {
        match Command::from_heroku(text) {
            Command::Argv { argv, .. } => argv,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn shell_reason(text: &str) -> String {
        match Command::from_heroku(text) {
            Command::Shell { reason, .. } => reason,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn splits_what_bash_would_exec_unchanged() {
        assert_eq!(argv("rake reports:daily"), ["rake", "reports:daily"]);
        assert_eq!(
            argv("bin/rails runner 'Purge.call(30)'"),
            ["bin/rails", "runner", "Purge.call(30)"]
        );
        assert_eq!(
            argv("python manage.py \"send digest\""),
            ["python", "manage.py", "send digest"]
        );
        assert_eq!(argv("rake 'a && b'"), ["rake", "a && b"]);
        assert_eq!(argv("rake \"x\\\"y\""), ["rake", "x\"y"]);
        assert_eq!(argv("rake a\\ b"), ["rake", "a b"]);
        assert_eq!(argv("rake --opt=a=b x=1"), ["rake", "--opt=a=b", "x=1"]);
        assert_eq!(argv("rake a~b"), ["rake", "a~b"]);
    }

    #[test]
    fn leading_assignments_become_the_environment() {
        let c = Command::from_heroku("FOO=1 BAR='two words' bundle exec rake x BAZ=3");
        assert_eq!(
            c.container_command(),
            ["bundle", "exec", "rake", "x", "BAZ=3"]
        );
        let env: Vec<(&str, &str)> = c
            .environment()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(env, [("BAR", "two words"), ("FOO", "1")]);
        // A quoted name is a command name, not an assignment.
        assert_eq!(argv("'FOO=1' rake"), ["FOO=1", "rake"]);
        assert_eq!(shell_reason("FOO=1"), "only sets variables");
        assert_eq!(shell_reason("FOO=~/x rake"), "uses a tilde `~`");
    }

    #[test]
    fn keeps_a_shell_for_everything_else_bash_does() {
        assert_eq!(shell_reason("rake a && rake b"), "uses `&&`");
        assert_eq!(shell_reason("node sync.js | tee log"), "uses a pipe `|`");
        assert_eq!(shell_reason("curl $HOOK_URL"), "uses a variable `$`");
        assert_eq!(shell_reason("rm tmp/*.csv"), "uses a glob `*`");
        assert_eq!(shell_reason("[ -f x ] && rake a"), "uses a test `[ … ]`");
        assert_eq!(shell_reason("ls [ab]*"), "uses a glob `[`");
        assert_eq!(shell_reason("echo \"$HOME\""), "uses a variable `$`");
        assert_eq!(shell_reason("python x.py > out.txt"), "uses a redirect `>`");
        assert_eq!(shell_reason("rake x &> log"), "uses a redirect `&>`");
        assert_eq!(shell_reason("rake task_{a,b}"), "uses a brace `{`");
        assert_eq!(
            shell_reason("rake a\nrake b"),
            "runs more than one command (a line break)"
        );
        assert_eq!(
            shell_reason("exec bundle exec rake x"),
            "starts with `exec`, which bash runs itself"
        );
        assert_eq!(
            shell_reason("time rake x"),
            "starts with `time`, which bash runs itself"
        );
        assert_eq!(shell_reason("source .env && rake x"), "uses `&&`");
        assert_eq!(
            shell_reason("source .env"),
            "starts with `source`, which bash runs itself"
        );
        assert_eq!(shell_reason("[[ -f x ]]"), "uses a glob `[`");
        assert_eq!(shell_reason("cd ~/app"), "uses a tilde `~`");
        assert_eq!(shell_reason("rake x # nightly"), "uses a comment `#`");
        assert_eq!(
            shell_reason("echo 'unterminated"),
            "has an unterminated quote"
        );
        assert_eq!(
            shell_reason("FOO+=1 rake x"),
            "uses an appending assignment `+=`"
        );
        assert_eq!(
            shell_reason("UID=5 rake x"),
            "assigns `UID`, which bash keeps for itself"
        );
        assert_eq!(
            shell_reason("BASH_ENV=x rake"),
            "assigns `BASH_ENV`, which bash keeps for itself"
        );
        assert_eq!(shell_reason("%1"), "uses job control `%`");
        // A carriage return is an ordinary character to bash.
        assert_eq!(argv("rake x\r"), ["rake", "x\r"]);
        assert_eq!(
            Command::from_heroku("a && b").container_command(),
            ["/bin/bash", "-c", "a && b"]
        );
    }
}
