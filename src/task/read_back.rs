//! Argv read back into the manifest's terms: the inverse of what
//! [`Command`](super::Command) and [`TimeLimit`](super::TimeLimit) make,
//! for imports and adoption of what runs on AWS.

use serde_json::Value;

/// The command of a container override (ECS JSON, `command` an argv) as
/// the manifest writes it (see [`read_argv`]). `None` without a command.
pub(crate) fn command_text(container: &Value) -> Option<String> {
    let argv: Vec<String> = container
        .get("command")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    read_argv(&argv).map(|read| read.command)
}

/// A container's argv read back into the manifest's terms.
// Adopting live resources (the `aws` feature) reads the shell and the time
// limit back too; without it only the command is.
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub(crate) struct ReadArgv {
    /// The command as the manifest writes it.
    pub(crate) command: String,
    /// The shell that runs it, when not bash.
    pub(crate) shell: Option<String>,
    /// The time limit of a `timeout -k 30 SECONDS …` wrapper.
    pub(crate) timeout: Option<crate::task::TimeLimit>,
}

/// An argv as the manifest writes it: the time limit of cronport's
/// `timeout` wrapper, the script of `SHELL -c SCRIPT`, else the words
/// joined with shell quoting (which reads back to the same argv). `None`
/// for an empty argv.
pub(crate) fn read_argv(argv: &[String]) -> Option<ReadArgv> {
    let kill_after = crate::task::KILL_AFTER_SECONDS.to_string();
    let (timeout, argv) = match argv {
        [t, k, after, seconds, rest @ ..]
            if t == "timeout" && k == "-k" && *after == kill_after && !rest.is_empty() =>
        {
            match seconds
                .parse::<u32>()
                .ok()
                .and_then(crate::task::TimeLimit::from_seconds)
            {
                Some(limit) => (Some(limit), rest),
                None => (None, argv),
            }
        }
        _ => (None, argv),
    };
    let (command, shell) = match argv {
        [sh, c, script] if sh.starts_with('/') && sh.ends_with("sh") && c == "-c" => (
            script.clone(),
            (sh != crate::task::BASH).then(|| sh.clone()),
        ),
        [] => return None,
        words => (
            shlex::try_join(words.iter().map(String::as_str)).ok()?,
            None,
        ),
    };
    Some(ReadArgv {
        command,
        shell,
        timeout,
    })
}
