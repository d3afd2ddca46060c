//! A diff report as text for a terminal or as Markdown for a pull request.

use crate::escape::{code_span, fence_for, html, one_line};
use std::fmt::Write;

use super::{JobChange, Report, ScheduleChange, ScheduleView};
use crate::plan::FieldChange;

/// Colours for a terminal, or none.
struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

fn runs(view: &ScheduleView) -> String {
    let next: Vec<String> = view
        .next
        .iter()
        .map(|r| {
            if view.timezone == "UTC" {
                r.utc.clone()
            } else {
                format!("{} ({} {})", r.utc, r.local, view.timezone)
            }
        })
        .collect();
    format!(
        "{}; {} runs/year; next {}",
        view.description,
        view.runs_per_year,
        if next.is_empty() {
            "none".to_string()
        } else {
            next.join(", ")
        }
    )
}

fn schedule_text(out: &mut String, p: &Paint, change: &ScheduleChange) {
    if change.effective {
        let _ = writeln!(
            out,
            "    schedule: {} → {}",
            p.red(&one_line(&change.before.expression)),
            p.green(&one_line(&change.after.expression))
        );
        let _ = writeln!(out, "      before: {}", runs(&change.before));
        let _ = writeln!(out, "      after:  {}", runs(&change.after));
        let _ = writeln!(
            out,
            "      runs/year: {} → {}",
            change.before.runs_per_year, change.after.runs_per_year
        );
    } else {
        let _ = writeln!(
            out,
            "    schedule respelled: {} → {}: no effective change (same {} runs, proved)",
            one_line(&change.before.expression),
            one_line(&change.after.expression),
            change.proved_over.unwrap_or(0)
        );
    }
}

/// One job's lines of the text report (none for an unchanged job).
fn job_text(out: &mut String, p: &Paint, job: &JobChange) {
    match job {
        JobChange::Added {
            name,
            schedule,
            command,
        } => {
            let _ = writeln!(
                out,
                "{} job {}: {} ({}); runs `{}`",
                p.green("+"),
                one_line(name),
                one_line(&schedule.expression),
                runs(schedule),
                one_line(command)
            );
        }
        JobChange::Removed {
            name,
            schedule,
            command,
        } => {
            let _ = writeln!(
                out,
                "{} job {}: {} ({} runs/year); ran `{}`",
                p.red("-"),
                one_line(name),
                one_line(&schedule.expression),
                schedule.runs_per_year,
                one_line(command)
            );
        }
        JobChange::Renamed {
            from,
            to,
            fields,
            schedule,
        } => {
            let _ = writeln!(
                out,
                "{} job {} renamed to {}: the same runs; apply deletes the old schedule and creates the new one (a job's formerly = [\"{}\"] keeps the run history under the new name)",
                p.yellow("→"),
                one_line(from),
                one_line(to),
                one_line(from)
            );
            if let Some(s) = schedule {
                schedule_text(out, p, s);
            }
            fields_text(out, p, fields);
        }
        JobChange::Changed {
            name,
            schedule,
            fields,
        } => {
            let mark = if job.is_effective() {
                p.yellow("~")
            } else {
                p.dim("=")
            };
            let _ = writeln!(out, "{mark} job {}", one_line(name));
            if let Some(s) = schedule {
                schedule_text(out, p, s);
            }
            fields_text(out, p, fields);
        }
        JobChange::Unchanged { .. } => {}
    }
}

/// The fields other than the schedule that changed, one line each.
fn fields_text(out: &mut String, p: &Paint, fields: &[FieldChange]) {
    for f in fields {
        let _ = writeln!(
            out,
            "    {}: {} → {}",
            one_line(&f.field),
            p.red(&one_line(&f.before)),
            p.green(&one_line(&f.after))
        );
    }
}

/// Plain or coloured text: `+` added, `-` removed, `→` renamed, `~`
/// changed, `=` respelled only, and a summary line.
///
/// ```
/// use cronport::{diff::{diff, text, markdown, DiffOptions}, manifest::Manifest};
/// # let toml = r#"
/// # [defaults]
/// # cluster = "production"
/// # task_definition = "app-worker"
/// # container = "worker"
/// # role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
/// # subnets = ["subnet-0a1b2c3d"]
/// # schedule_group = "shop"
/// # [[job]]
/// # name = "reports"
/// # schedule = "every day at 14:30"
/// # command = "bundle exec rake reports:daily"
/// # size = "performance-m"
/// # timeout = "24h"
/// # [[job]]
/// # name = "fan-out"
/// # schedule = "every 10 minutes"
/// # command = "bundle exec rake push:fan_out"
/// # "#;
/// let m = Manifest::from_toml(toml, "m")?;
/// let report = diff(&m, &m, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?;
/// assert!(text(&report, false).contains("0 changed"));
/// assert!(markdown(&report).contains("No job changes."));
/// assert_eq!(report.jobs.iter().filter(|j| j.is_effective()).count(), 0);
/// assert_eq!(report.jobs[0].name(), "reports");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn text(report: &Report, colour: bool) -> String {
    let p = Paint { on: colour };
    let mut out = String::new();
    for job in &report.jobs {
        job_text(&mut out, &p, job);
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\nSummary: {} added, {} removed, {} renamed, {} changed, {} respelled without effect, {} unchanged.",
        s.added, s.removed, s.renamed, s.changed, s.respelled, s.unchanged
    );
    out
}

/// A table cell: one line; pipes outside code spans escaped (those inside
/// already are, by [`code_span`]).
fn cell(text: &str) -> String {
    one_line(text)
}

/// Bytes of the Markdown comment's table, and of the whole comment, after
/// which rows and details are left out (and said to be): GitHub takes
/// comments of up to 65,536 characters, and `diff` adds a picture of the
/// week and crowding warnings after these.
const TABLE_BUDGET: usize = 30_000;
const COMMENT_BUDGET: usize = 50_000;

/// Markdown for a pull-request comment: a summary table, then each job's
/// details folded.
///
/// ```
/// use cronport::diff::{diff, markdown, DiffOptions};
/// # let text = cronport::manifest::doc::EXAMPLE;
/// # let base = cronport::manifest::Manifest::from_toml(text, "m")?;
/// let mut head = base.clone();
/// head.jobs[0].schedule = "every day at 15:00".into();
/// let comment = markdown(&diff(&base, &head, &DiffOptions::year_from("2026-11-24T00:00:00Z".parse()?))?);
/// assert!(comment.starts_with("### cronport diff\n\n**0 added, 0 removed, 0 renamed, 1 changed,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn markdown(report: &Report) -> String {
    let mut out = String::from("### cronport diff\n\n");
    let s = &report.summary;
    let _ = writeln!(
        out,
        "**{} added, {} removed, {} renamed, {} changed, {} respelled without effect, {} unchanged** (runs counted from {} to {})\n",
        s.added,
        s.removed,
        s.renamed,
        s.changed,
        s.respelled,
        s.unchanged,
        report.window.0,
        report.window.1
    );
    let shown: Vec<&JobChange> = report
        .jobs
        .iter()
        .filter(|j| !matches!(j, JobChange::Unchanged { .. }))
        .collect();
    if shown.is_empty() {
        out.push_str("No job changes.\n");
        return out;
    }
    out.push_str("| | job | what changes | runs/year |\n|---|---|---|---|\n");
    let mut rows = 0;
    for job in &shown {
        let (mark, what, per_year) = match job {
            JobChange::Added { schedule, .. } => (
                "➕",
                format!(
                    "new: {} ({})",
                    code_span(&schedule.expression),
                    one_line(&schedule.description)
                ),
                format!("{}", schedule.runs_per_year),
            ),
            JobChange::Removed { schedule, .. } => (
                "➖",
                format!("removed: {}", code_span(&schedule.expression)),
                format!("{} → 0", schedule.runs_per_year),
            ),
            JobChange::Renamed { from, .. } => (
                "🔁",
                format!(
                    "renamed from {}: the same runs; apply deletes the old schedule and creates the new (a job's `formerly = [\"{}\"]` keeps the run history under the new name)",
                    code_span(from),
                    from.replace('`', "'")
                ),
                "same".to_string(),
            ),
            JobChange::Changed {
                schedule, fields, ..
            } => {
                let mut parts = Vec::new();
                let mut per_year = "same".to_string();
                if let Some(sc) = schedule {
                    if sc.effective {
                        parts.push(format!(
                            "schedule {} → {}",
                            code_span(&sc.before.expression),
                            code_span(&sc.after.expression)
                        ));
                        per_year =
                            format!("{} → {}", sc.before.runs_per_year, sc.after.runs_per_year);
                    } else {
                        parts.push(format!(
                            "schedule respelled {} → {} (no effective change)",
                            code_span(&sc.before.expression),
                            code_span(&sc.after.expression)
                        ));
                    }
                }
                parts.extend(fields.iter().map(|f| code_span(&f.field)));
                (
                    if job.is_effective() { "✏️" } else { "🟰" },
                    parts.join("; "),
                    per_year,
                )
            }
            JobChange::Unchanged { .. } => continue,
        };
        if out.len() > TABLE_BUDGET {
            let _ = writeln!(
                out,
                "| | … | {} more job change(s) left out to keep the comment under GitHub's 65,536 characters; `cronport diff` as text or JSON lists them all | |",
                shown.len() - rows
            );
            break;
        }
        rows += 1;
        let _ = writeln!(
            out,
            "| {mark} | {} | {} | {per_year} |",
            code_span(job.name()),
            cell(&what)
        );
    }
    out.push('\n');
    for (i, job) in shown.iter().enumerate() {
        if out.len() > COMMENT_BUDGET {
            let _ = writeln!(
                out,
                "The details of {} more job(s) are left out to keep the comment under GitHub's 65,536 characters.\n",
                shown.len() - i
            );
            break;
        }
        let _ = writeln!(
            out,
            "<details><summary><code>{}</code></summary>\n",
            html(job.name())
        );
        let mut body = String::new();
        job_text(&mut body, &Paint { on: false }, job);
        // A fence the body cannot close, so nothing in a job's fields
        // (backticks, `<!--`) escapes into the comment's Markdown.
        let fence = fence_for(&body);
        let _ = writeln!(out, "{fence}\n{}\n{fence}\n</details>\n", body.trim_end());
    }
    out
}
