//! `cronport cost`: what the schedule costs on AWS and on Heroku.

use std::process::ExitCode;

use cronport::cost::{DurationSource, Estimate, JobFacts, Months, Prices};

use super::{print_stdout, read_input};

/// Estimate the monthly cost of the jobs on AWS and on Heroku.
///
/// Per job: its exact runs in each of the coming twelve calendar months
/// (UTC: the least, the median and the most), how long a run takes (a
/// rehearsal's measurement with --durations, else the job's time limit as
/// an upper bound, else Fargate's one-minute minimum), and the cost of
/// those runs on Fargate (x86; ARM and Spot as what-ifs; per second, one
/// minute at least), plus Scheduler's invocations past its free tier, and
/// on Heroku (the dyno size's price, prorated to the second). Offline: the
/// prices are a table with its source and date, printed in every report.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Not included: data transfer, NAT gateways, CloudWatch Logs, public IPv4
addresses, ephemeral storage past 20 GB, Heroku add-ons. Fargate bills a
task from its image pull: a rehearsal's measured seconds include it, a time
limit may not.

Examples:
  cronport cost                                          # cronport.toml, priced in its cluster's region
  cronport run --all --wait --format json > rehearsal.json
  cronport cost --durations rehearsal.json --format markdown
  cronport cost --region ap-northeast-1 --prices negotiated.toml")]
pub struct Args {
    /// The manifest.
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// The environment (`[env.NAME]`).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The region whose Fargate prices apply; default the region of the
    /// manifest's cluster or task definition ARN.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Measured run lengths: a rehearsal report (`cronport run --all
    /// --wait --format json`).
    #[arg(long, value_name = "FILE")]
    durations: Option<String>,
    /// A price table to use instead of the built-in one (the shape of
    /// `cronport cost --print-prices`).
    #[arg(long, value_name = "FILE")]
    prices: Option<String>,
    /// Print the built-in price table (to edit into a --prices file).
    #[arg(long, exclusive = true)]
    print_prices: bool,
    /// The first instant counted from (RFC 3339): the twelve months after
    /// its month; default now.
    #[arg(long, value_name = "RFC3339")]
    from: Option<String>,
    /// The estimate as text, a Markdown table, or JSON.
    #[arg(long, value_enum, default_value_t = CostFormat::Text)]
    format: CostFormat,
}

/// `cost`'s output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CostFormat {
    Text,
    Markdown,
    Json,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    if args.print_prices {
        print_stdout(cronport::cost::BUILTIN_PRICES).map_err(|e| e.to_string())?;
        return Ok(ExitCode::SUCCESS);
    }
    let (manifest, resolved) = super::resolved_manifest(&args.manifest, args.env.as_deref())?;
    let prices = match &args.prices {
        Some(file) => Prices::from_toml(&read_input(file)?, file).map_err(|e| e.to_string())?,
        None => Prices::builtin(),
    };
    let region = match args.region.clone().or_else(|| region_of(&resolved)) {
        Some(region) => region,
        None => {
            return Err("no region to price in: the manifest's cluster and task definitions are not ARNs; pass --region (for example --region us-east-1)".to_string().into());
        }
    };
    let measured = match &args.durations {
        Some(file) => cronport::cost::rehearsal_lengths(&read_input(file)?, file)
            .map_err(|e| e.to_string())?,
        None => Default::default(),
    };
    for job in measured.keys() {
        if !resolved.iter().any(|j| &j.name == job) {
            super::advise(
                "warning",
                &format!("the rehearsal report has job `{job}`, which the manifest does not"),
            );
        }
    }
    let facts: Vec<JobFacts> = resolved
        .iter()
        .map(|job| JobFacts {
            dyno: manifest
                .jobs
                .iter()
                .find(|j| j.name == job.name)
                .and_then(|j| j.size.clone()),
            measured_seconds: measured.get(&job.name).copied(),
        })
        .collect();
    let from = super::from_or_now(args.from.as_deref())?;
    let estimate = cronport::cost::estimate(&resolved, &facts, &prices, &region, from)
        .map_err(|e| e.to_string())?;
    let out = match args.format {
        CostFormat::Json => {
            serde_json::to_string_pretty(&estimate).map_err(|e| e.to_string())? + "\n"
        }
        CostFormat::Text => text(&estimate),
        CostFormat::Markdown => markdown(&estimate),
    };
    print_stdout(&out).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// The region of the first cluster or task definition written as an ARN.
fn region_of(jobs: &[cronport::manifest::ResolvedJob]) -> Option<String> {
    jobs.iter()
        .flat_map(|j| [&j.target.cluster, &j.target.task_definition])
        .filter(|value| value.starts_with("arn:"))
        .find_map(|arn| {
            arn.split(':')
                .nth(3)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
        })
}

fn dollars(x: f64) -> String {
    format!("${x:.2}")
}

fn length(job: &cronport::cost::JobCost) -> String {
    let s = job.run_length.seconds;
    let shown = match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m:02}m"),
    };
    match job.run_length.source {
        DurationSource::Measured => format!("{shown} measured"),
        DurationSource::TimeLimit => format!("≤ {shown} (time limit)"),
        DurationSource::Unknown => "unknown (1m billed)".to_string(),
    }
}

fn size(job: &cronport::cost::JobCost) -> String {
    format!(
        "{} vCPU {} GB{}",
        job.vcpu,
        job.memory_gb,
        if job.size_assumed { " (assumed)" } else { "" }
    )
}

fn dyno(job: &cronport::cost::JobCost) -> String {
    format!(
        "{}{}",
        job.dyno,
        if job.dyno_assumed { " (assumed)" } else { "" }
    )
}

fn runs(r: &Months<u64>) -> String {
    if r.min == r.max {
        r.typical.to_string()
    } else {
        format!("{} ({}–{})", r.typical, r.min, r.max)
    }
}

/// The jobs that make most of the difference, largest first, with their
/// share of it.
fn dominant(e: &Estimate) -> Vec<(String, f64)> {
    let total: f64 = e
        .jobs
        .iter()
        .map(|j| (j.heroku.typical - j.aws.typical).abs())
        .sum();
    let mut shares: Vec<(String, f64)> = e
        .jobs
        .iter()
        .map(|j| (j.job.clone(), (j.heroku.typical - j.aws.typical).abs()))
        .filter(|(_, d)| *d > 0.0)
        .collect();
    shares.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    shares.truncate(3);
    shares
        .into_iter()
        .map(|(job, d)| (job, if total > 0.0 { d / total * 100.0 } else { 0.0 }))
        .collect()
}

fn summary_lines(e: &Estimate) -> Vec<String> {
    let mut lines = vec![
        format!(
            "per month ({} to {}, the median month; the range is the least and the most): AWS {} (Fargate x86 + Scheduler; ARM {}, Spot {}), Heroku {}: {} {}",
            e.months[0],
            e.months[11],
            dollars(e.aws_total.typical),
            dollars(e.aws_arm_total.typical),
            dollars(e.aws_spot_total.typical),
            dollars(e.heroku_total.typical),
            if e.heroku_total.typical >= e.aws_total.typical {
                "AWS saves"
            } else {
                "AWS costs more by"
            },
            dollars((e.heroku_total.typical - e.aws_total.typical).abs()),
        ),
        format!(
            "Scheduler: {} invocations a month, {} past the free tier",
            e.invocations.typical,
            dollars(e.scheduler.typical)
        ),
    ];
    let top = dominant(e);
    if !top.is_empty() {
        lines.push(format!(
            "most of the difference: {}",
            top.iter()
                .map(|(job, share)| format!("{job} ({share:.0}%)"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    lines.push(format!(
        "prices ({}, as of {}; the table: `cronport cost --print-prices`): Fargate {}; Scheduler {}; Heroku {}",
        e.source.currency, e.source.as_of, e.source.fargate, e.source.scheduler, e.source.heroku
    ));
    lines.push("not included: data transfer, NAT gateways, CloudWatch Logs, public IPv4, ephemeral storage past 20 GB, Heroku add-ons; Fargate bills from the image pull, which a measured length includes and a time limit may not".to_string());
    lines
}

fn text(e: &Estimate) -> String {
    let mut rows: Vec<[String; 8]> = e
        .jobs
        .iter()
        .map(|j| {
            [
                j.job.clone(),
                runs(&j.runs),
                length(j),
                size(j),
                dollars(j.aws.typical),
                dollars(j.aws_arm.typical),
                dollars(j.aws_spot.typical),
                format!("{} {}", dollars(j.heroku.typical), dyno(j)),
            ]
        })
        .collect();
    rows.push([
        "total (with Scheduler)".to_string(),
        String::new(),
        String::new(),
        String::new(),
        dollars(e.aws_total.typical),
        dollars(e.aws_arm_total.typical),
        dollars(e.aws_spot_total.typical),
        dollars(e.heroku_total.typical),
    ]);
    let mut out = format!("cost: per month, region {}\n", e.region);
    out.push_str(&super::columns(
        [
            "job",
            "runs/month",
            "run length",
            "Fargate size",
            "AWS x86",
            "ARM",
            "Spot",
            "Heroku",
        ],
        &rows,
    ));
    out.push('\n');
    for line in summary_lines(e) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn markdown(e: &Estimate) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from(
        "| job | runs/month | run length | Fargate size | AWS x86 | ARM | Spot | Heroku |\n|---|---:|---|---|---:|---:|---:|---:|\n",
    );
    for j in &e.jobs {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} {} |\n",
            cell(&j.job),
            runs(&j.runs),
            length(j),
            size(j),
            dollars(j.aws.typical),
            dollars(j.aws_arm.typical),
            dollars(j.aws_spot.typical),
            dollars(j.heroku.typical),
            cell(&dyno(j)),
        ));
    }
    out.push_str(&format!(
        "| **total** | | | | **{}** | {} | {} | **{}** |\n\n",
        dollars(e.aws_total.typical),
        dollars(e.aws_arm_total.typical),
        dollars(e.aws_spot_total.typical),
        dollars(e.heroku_total.typical)
    ));
    for line in summary_lines(e) {
        out.push_str(&format!("- {}\n", cell(&line)));
    }
    out
}
