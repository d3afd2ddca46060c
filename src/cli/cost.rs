//! `cronport cost`: what the schedule costs on AWS and on Heroku.

use std::process::ExitCode;

use cronport::cost::{DurationSource, Estimate, JobCost, JobFacts, Prices};

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
    let (prices, prices_from) = match &args.prices {
        Some(file) => (
            Prices::from_toml(&read_input(file)?, file).map_err(|e| e.to_string())?,
            super::shown(file),
        ),
        None => (Prices::builtin(), "the built-in table".to_string()),
    };
    // --region, else the cluster's, else the AWS CLI's environment.
    let from_env = || {
        ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .into_iter()
            .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
    };
    let region = match args
        .region
        .clone()
        .or_else(|| region_of(&resolved))
        .or_else(from_env)
    {
        Some(region) => region,
        None if resolved.is_empty() => {
            return Err("the manifest has no jobs to price".to_string().into());
        }
        None => {
            return Err("no region to price in: no job's cluster or task definition is an ARN and AWS_REGION is not set; pass --region (for example --region us-east-1)".to_string().into());
        }
    };
    let region_name = |r: &str| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !region_name(&region) {
        return Err(format!(
            "--region `{}` is not a region name such as us-east-1",
            cronport::escape::one_line(&region)
        )
        .into());
    }
    if !prices.fargate.contains_key(&region) {
        return Err(format!(
            "{prices_from} has no Fargate prices for region `{region}` (it has {}); write a [fargate.{region}] table into a copy of `cronport cost --print-prices` and pass it with --prices FILE, or refresh it from AWS's Price List with scripts/refresh-prices.py",
            prices.fargate.keys().cloned().collect::<Vec<_>>().join(", ")
        )
        .into());
    }
    // A job that runs in another region is priced at this one's rates.
    for job in &resolved {
        if let Some(other) = region_of(std::slice::from_ref(job)).filter(|r| *r != region) {
            super::advise(
                "warning",
                &format!(
                    "job `{}` runs in {other}; it is priced at {region}'s rates",
                    job.name
                ),
            );
        }
    }
    let measured = match &args.durations {
        Some(file) => cronport::cost::rehearsal_lengths(&read_input(file)?, file)
            .map_err(|e| e.to_string())?,
        None => Default::default(),
    };
    for (job, seconds) in &measured {
        match resolved.iter().find(|j| &j.name == job) {
            None => super::advise(
                "warning",
                &format!("the rehearsal report has job `{job}`, which the manifest does not"),
            ),
            Some(j) => {
                if let Some(limit) = j.timeout.filter(|l| u64::from(l.seconds()) < *seconds) {
                    super::advise(
                        "warning",
                        &format!(
                            "job `{job}` took {seconds} s in the rehearsal, past its time limit ({} s)",
                            limit.seconds()
                        ),
                    );
                }
            }
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
            let mut json = serde_json::to_value(&estimate).map_err(|e| e.to_string())?;
            json["prices_from"] = prices_from.clone().into();
            serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n"
        }
        CostFormat::Text => text(&estimate, &prices_from),
        CostFormat::Markdown => markdown(&estimate, &prices_from),
    };
    print_stdout(&out).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// The region of the first cluster or task definition written as an ARN.
fn region_of(jobs: &[cronport::manifest::ResolvedJob]) -> Option<String> {
    jobs.iter()
        .find_map(|j| j.target.region())
        .map(str::to_string)
}

fn money(x: f64, currency: &str) -> String {
    if currency == "USD" {
        format!("${x:.2}")
    } else {
        format!("{x:.2} {currency}")
    }
}

fn length(job: &JobCost) -> String {
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

fn size(job: &JobCost) -> String {
    format!(
        "{} vCPU {} GB{}",
        job.vcpu,
        job.memory_gb,
        if job.size_assumed { " (assumed)" } else { "" }
    )
}

fn dyno(job: &JobCost) -> String {
    format!(
        "{}{}",
        job.dyno,
        if job.dyno_assumed { " (assumed)" } else { "" }
    )
}

fn runs(job: &JobCost) -> String {
    let r = &job.runs;
    if !job.enabled {
        "0 (disabled)".to_string()
    } else if r.min == r.max {
        r.typical.to_string()
    } else {
        format!("{} ({}–{})", r.typical, r.min, r.max)
    }
}

/// The jobs whose move saves most, largest first, with their share of
/// the saving (jobs that cost more on AWS are not part of it).
fn dominant(e: &Estimate) -> Vec<(String, f64)> {
    let saving = |j: &JobCost| j.heroku.typical - j.aws.typical;
    let total: f64 = e.jobs.iter().map(saving).filter(|d| *d > 0.0).sum();
    let mut shares: Vec<(String, f64)> = e
        .jobs
        .iter()
        .map(|j| (j.job.clone(), saving(j)))
        .filter(|(_, d)| *d > 0.0)
        .map(|(job, d)| (job, d / total * 100.0))
        .filter(|(_, share)| *share >= 1.0)
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    shares.truncate(3);
    shares
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary_lines(e: &Estimate, prices_from: &str) -> Vec<String> {
    let c = e.source.currency.as_str();
    let m = |x: f64| money(x, c);
    let mut lines = vec![
        format!(
            "a month ({} to {}; the median month's total, the least and most months' in brackets): AWS {} ({}–{}; Fargate x86 and Scheduler; on ARM {}, on Spot {}), Heroku {} ({}–{}): {}",
            e.months[0],
            e.months[11],
            m(e.aws_total.typical),
            m(e.aws_total.min),
            m(e.aws_total.max),
            m(e.aws_arm_total.typical),
            m(e.aws_spot_total.typical),
            m(e.heroku_total.typical),
            m(e.heroku_total.min),
            m(e.heroku_total.max),
            if e.saving >= 0.0 {
                format!("AWS saves {}", m(e.saving))
            } else {
                format!("AWS costs {} more", m(-e.saving))
            },
        ),
        format!(
            "Scheduler: {} a month; the first {} are free, then {} a million: {}",
            plural(e.invocations.typical, "invocation", "invocations"),
            e.scheduler_prices.free_invocations_per_month,
            m(e.scheduler_prices.per_million_invocations),
            m(e.scheduler.typical)
        ),
    ];
    let bounded = e
        .jobs
        .iter()
        .filter(|j| j.enabled && j.run_length.source != DurationSource::Measured)
        .count();
    if bounded > 0 {
        lines.push(format!(
            "{bounded} of {} jobs' run lengths are not measured (a time limit is an upper bound, an unknown length is billed as a minute): rehearse them (`cronport run --all --wait --format json > rehearsal.json`) and pass --durations rehearsal.json",
            e.jobs.len()
        ));
    }
    let top = dominant(e);
    if !top.is_empty() {
        lines.push(format!(
            "most of the saving: {}",
            top.iter()
                .map(|(job, share)| format!("{job} ({share:.0}%)"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let r = &e.rates;
    lines.push(format!(
        "prices from {prices_from} ({c}, as of {}): Fargate in {} per vCPU-hour and GB-hour x86 {}/{}, ARM {}/{}, Spot {}/{}; Fargate {}; Scheduler {}; Heroku {}",
        e.source.as_of,
        e.region,
        r.x86.vcpu_hour,
        r.x86.gb_hour,
        r.arm.vcpu_hour,
        r.arm.gb_hour,
        r.spot.vcpu_hour,
        r.spot.gb_hour,
        e.source.fargate,
        e.source.scheduler,
        e.source.heroku
    ));
    lines.push("not included: data transfer, NAT gateways, CloudWatch Logs, public IPv4, ephemeral storage past 20 GB, Heroku add-ons; Fargate bills from the image pull, which a measured length includes and a time limit may not".to_string());
    lines
}

fn text(e: &Estimate, prices_from: &str) -> String {
    let c = e.source.currency.as_str();
    let mut rows: Vec<[String; 8]> = e
        .jobs
        .iter()
        .map(|j| {
            [
                j.job.clone(),
                runs(j),
                length(j),
                size(j),
                money(j.aws.typical, c),
                money(j.aws_arm.typical, c),
                money(j.aws_spot.typical, c),
                format!("{} {}", money(j.heroku.typical, c), dyno(j)),
            ]
        })
        .collect();
    rows.push([
        "median month's total".to_string(),
        String::new(),
        String::new(),
        "(with Scheduler)".to_string(),
        money(e.aws_total.typical, c),
        money(e.aws_arm_total.typical, c),
        money(e.aws_spot_total.typical, c),
        money(e.heroku_total.typical, c),
    ]);
    let mut out = format!(
        "cost: a month, each job's median month, region {}\n",
        e.region
    );
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
    for line in summary_lines(e, prices_from) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn markdown(e: &Estimate, prices_from: &str) -> String {
    let c = e.source.currency.as_str();
    let cell = |s: &str| cronport::escape::one_line(s).replace('|', "\\|");
    let mut out = String::from(
        "| job | runs/month | run length | Fargate size | AWS x86 | ARM | Spot | Heroku |\n|---|---:|---|---|---:|---:|---:|---:|\n",
    );
    for j in &e.jobs {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} {} |\n",
            cell(&j.job),
            runs(j),
            length(j),
            size(j),
            money(j.aws.typical, c),
            money(j.aws_arm.typical, c),
            money(j.aws_spot.typical, c),
            money(j.heroku.typical, c),
            cell(&dyno(j)),
        ));
    }
    out.push_str(&format!(
        "| **median month's total** (with Scheduler) | | | | **{}** | {} | {} | **{}** |\n\n",
        money(e.aws_total.typical, c),
        money(e.aws_arm_total.typical, c),
        money(e.aws_spot_total.typical, c),
        money(e.heroku_total.typical, c)
    ));
    for line in summary_lines(e, prices_from) {
        out.push_str(&format!("- {}\n", cell(&line)));
    }
    out
}
