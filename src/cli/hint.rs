//! The library's remedies ([`Hint`]) worded as this binary's flags and
//! commands: the one place that knows both.

use cronport::Hint;

/// `hint` as a person at this command line acts on it.
pub(crate) fn words(hint: &Hint) -> String {
    match hint {
        Hint::Adopt => "pass --adopt if it is cronport's".to_string(),
        Hint::AdoptRewrites => "`cronport apply --adopt` rewrites it".to_string(),
        Hint::Prune => "pass --prune to plan that".to_string(),
        Hint::TakeOver { env } => format!(
            "write replaces = [\"{env}\"] in this environment's [env.…] table: the next apply takes them over (moves them, or deletes them where this environment runs the job already), no run doubled"
        ),
        Hint::KeepHold { until } => format!(
            "pass --start-at {until} (or set start_at) to keep the hold, or --release-holds to start them now"
        ),
        Hint::ChooseEnvironment => "choose one with --env".to_string(),
        Hint::Credentials => {
            "set --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_string()
        }
        Hint::Region => "pass --region, set AWS_REGION, or give the profile a region".to_string(),
        Hint::AccountAndRegion => "check --region and --profile".to_string(),
        Hint::Account => "check the account (--profile)".to_string(),
        Hint::RenderRole => {
            "`cronport iam --format terraform` or `--format cloudformation` renders it".to_string()
        }
        Hint::RoleArn => "pass --role-arn, or set role_arn".to_string(),
        Hint::CutoverAt { at } => format!("`cronport cutover --at {at}` enables them then"),
        Hint::MigrateFirst => "run migrate without --finish first".to_string(),
    }
}

/// A plan as text, its remedies worded as flags; coloured as `diff` is on
/// a terminal (`+` green, `-` and `!` red, `~` and warnings yellow), unless
/// NO_COLOR is set.
#[cfg(feature = "aws")]
pub(crate) fn plan_text(plan: &cronport::plan::Plan) -> String {
    let text = cronport::plan::text::render(plan, &words);
    if super::colour_on_stdout() {
        paint_plan(&text)
    } else {
        text
    }
}

/// The plan's marks coloured: only the markers and `warning:`, so what a
/// resource holds is printed as it is (it is escaped already).
#[cfg(feature = "aws")]
fn paint_plan(text: &str) -> String {
    let paint = |code: &str, t: &str| format!("\x1b[{code}m{t}\x1b[0m");
    text.lines()
        .map(|line| {
            let coloured = [
                ("  + ", "32"),
                ("  - ", "31"),
                ("  ~ ", "33"),
                ("  ! ", "31"),
            ]
            .into_iter()
            .find(|(mark, _)| line.starts_with(mark))
            .map(|(mark, code)| format!("  {}{}", paint(code, mark.trim()), &line[3..]));
            match coloured {
                Some(l) => l,
                None => match line.strip_prefix("warning:") {
                    Some(rest) => format!("{}{rest}", paint("33", "warning:")),
                    None => line.to_string(),
                },
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

/// A plan problem as one line, its remedy worded as a flag.
#[cfg(feature = "aws")]
pub(crate) fn problem(p: &cronport::plan::PlanProblem) -> String {
    match &p.hint {
        Some(hint) => format!("{}; {}", p.message, words(hint)),
        None => p.message.clone(),
    }
}

/// Advice as one line, its remedy worded as a flag.
pub(crate) fn advice(a: &cronport::Advice) -> String {
    match &a.hint {
        Some(hint) => format!("{}: {}", a.text, words(hint)),
        None => a.text.clone(),
    }
}

/// An environment error as one line, its remedy worded as a flag.
pub(crate) fn env(e: &cronport::manifest::EnvError) -> String {
    match &e.hint {
        Some(hint) => format!("{}; {}", e.message, words(hint)),
        None => e.message.clone(),
    }
}

/// A translation's remedy as an `option:` line says it, with its flag.
pub(crate) fn remedy(remedy: &cronport::translate::Remedy) -> String {
    use cronport::translate::Remedy;
    match remedy {
        Remedy::DomDow(policy) => format!("--dom-dow {policy}: {}", remedy.effect()),
        Remedy::EndAfterStart => "make --until later than --from".to_string(),
        Remedy::WindowInAwsYears => {
            "choose a window inside those years with --from and --until".to_string()
        }
        Remedy::UseScheduler => format!(
            "backend = \"scheduler\" (--backend scheduler): {}",
            remedy.effect()
        ),
        other => other.to_string(),
    }
}

/// A manifest that does not compile, each problem a sentence with its
/// remedies as flags (for commands that show no caret view).
pub(crate) fn compile_error(e: &cronport::desired::CompileError) -> super::Failure {
    super::Failure::Errors(
        e.problems
            .iter()
            .map(|p| {
                let mut line = p.message.clone();
                for r in &p.remedies {
                    line.push_str(&format!("\n  option: {}", remedy(r)));
                }
                line
            })
            .collect(),
    )
}

#[cfg(all(test, feature = "aws"))]
mod tests {
    #[test]
    fn a_plan_is_coloured_by_its_marks_only() {
        let text = "  + schedule g/a\n      runs: `echo + -`\n  - rule r\n\nwarning: careful\n\nPlan: 1 to add.\n";
        let painted = super::paint_plan(text);
        assert_eq!(
            painted,
            "  \x1b[32m+\x1b[0m schedule g/a\n      runs: `echo + -`\n  \x1b[31m-\x1b[0m rule r\n\n\x1b[33mwarning:\x1b[0m careful\n\nPlan: 1 to add.\n"
        );
    }
}
