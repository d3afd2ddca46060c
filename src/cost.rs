//! What the schedule costs on AWS and on Heroku, per job and month, from
//! the exact runs: `cronport cost`.
//!
//! The runs are the schedule's own (the coming twelve calendar months,
//! UTC); the prices are data ([`Prices`], vendored from AWS's Price List
//! and Heroku's published prices, with their source and date); the
//! arithmetic is as each bills: Fargate per second of vCPU and memory with
//! a one-minute minimum, Scheduler per million invocations past a free
//! tier, Heroku per second of dyno time up to the dyno's monthly price.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::manifest::ResolvedJob;
use crate::translate::Backend;

/// The built-in price table (`prices/prices.toml`).
pub const BUILTIN_PRICES: &str = include_str!("../prices/prices.toml");

/// A price table: Fargate per region, Scheduler, Heroku per dyno size.
///
/// ```
/// let prices = cronport::cost::Prices::builtin();
/// assert_eq!(prices.fargate["us-east-1"].x86.vcpu_hour, 0.04048);
/// assert_eq!(prices.heroku["standard-1x"].month, 25.0);
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Where the prices come from, and when.
    pub source: Source,
    /// EventBridge Scheduler's invocations.
    pub scheduler: SchedulerPrices,
    /// Fargate, by region.
    pub fargate: BTreeMap<String, RegionPrices>,
    /// Heroku, by dyno size.
    pub heroku: BTreeMap<String, DynoPrice>,
}

/// Where a price table's figures come from.
///
/// ```
/// assert_eq!(cronport::cost::Prices::builtin().source.currency, "USD");
/// ```
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Fargate's.
    pub fargate: String,
    /// Scheduler's.
    pub scheduler: String,
    /// Heroku's.
    pub heroku: String,
    /// The date they were read.
    pub as_of: String,
    /// Their currency.
    pub currency: String,
}

/// Scheduler's price of invocations.
///
/// ```
/// assert_eq!(cronport::cost::Prices::builtin().scheduler.free_invocations_per_month, 14_000_000);
/// ```
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerPrices {
    /// Invocations a month that cost nothing.
    pub free_invocations_per_month: u64,
    /// The price of a million more.
    pub per_million_invocations: f64,
}

/// Fargate's prices in one region.
///
/// ```
/// let tokyo = cronport::cost::Prices::builtin().fargate["ap-northeast-1"];
/// assert!(tokyo.arm.vcpu_hour < tokyo.x86.vcpu_hour);
/// ```
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    /// Linux on x86, on demand.
    pub x86: Rate,
    /// Linux on ARM (Graviton), on demand: a what-if.
    pub arm: Rate,
    /// Fargate Spot: a what-if (a job may be stopped part way).
    pub spot: Rate,
}

/// A price per vCPU-hour and per GB-hour.
///
/// ```
/// let rate = cronport::cost::Rate { vcpu_hour: 0.04, gb_hour: 0.004 };
/// assert_eq!(rate.vcpu_hour * 0.25 + rate.gb_hour * 0.5, 0.012);
/// ```
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Per vCPU and hour.
    pub vcpu_hour: f64,
    /// Per GB of memory and hour.
    pub gb_hour: f64,
}

/// A Heroku dyno size's price.
///
/// ```
/// let basic = cronport::cost::Prices::builtin().heroku["basic"];
/// assert_eq!((basic.month, basic.hours), (7.0, 720.0));
/// ```
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DynoPrice {
    /// The most one dyno costs in a month.
    pub month: f64,
    /// The hours that price buys (720: a dyno all month; Eco's pool 1,000).
    pub hours: f64,
}

/// Why costs cannot be estimated; the message names the input to fix.
///
/// ```
/// let err = cronport::cost::Prices::from_toml("[source]", "p.toml").unwrap_err();
/// assert!(err.to_string().starts_with("p.toml: "));
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CostError(String);

impl Prices {
    /// The built-in table.
    ///
    /// ```
    /// assert!(cronport::cost::Prices::builtin().fargate.contains_key("ap-northeast-1"));
    /// ```
    pub fn builtin() -> Prices {
        Prices::from_toml(BUILTIN_PRICES, "prices/prices.toml")
            .expect("the built-in price table parses (a test reads it)")
    }

    /// A table from `text` (a file named `name`, for errors).
    ///
    /// ```
    /// let text = cronport::cost::BUILTIN_PRICES.replace("0.04048", "0.03");
    /// let prices = cronport::cost::Prices::from_toml(&text, "negotiated.toml")?;
    /// assert_eq!(prices.fargate["us-east-1"].x86.vcpu_hour, 0.03);
    /// # Ok::<(), cronport::cost::CostError>(())
    /// ```
    pub fn from_toml(text: &str, name: &str) -> Result<Prices, CostError> {
        let prices: Prices = toml::from_str(text)
            .map_err(|e| CostError(format!("{name}: {}", e.to_string().trim_end())))?;
        // A price is a number from 0 to a bound no real price nears: NaN,
        // infinities and typing slips would print as dollars.
        let sane = |x: f64, most: f64| x.is_finite() && (0.0..=most).contains(&x);
        let bad = |what: String, most: f64| {
            CostError(format!("{name}: {what} must be a number from 0 to {most}"))
        };
        for (region, r) in &prices.fargate {
            for (arch, rate) in [("x86", r.x86), ("arm", r.arm), ("spot", r.spot)] {
                if !(sane(rate.vcpu_hour, 100.0) && sane(rate.gb_hour, 100.0)) {
                    return Err(bad(format!("the {arch} prices of fargate.{region}"), 100.0));
                }
            }
        }
        for (size, p) in &prices.heroku {
            if !sane(p.month, 1e6) {
                return Err(bad(format!("heroku.{size}'s month"), 1e6));
            }
            if !(sane(p.hours, 1e4) && p.hours > 0.0) {
                return Err(bad(format!("heroku.{size}'s hours (above 0)"), 1e4));
            }
        }
        if !sane(prices.scheduler.per_million_invocations, 1e6) {
            return Err(bad("scheduler.per_million_invocations".to_string(), 1e6));
        }
        let c = &prices.source.currency;
        if !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(CostError(format!(
                "{name}: source.currency `{}` is not a currency code such as USD",
                crate::escape::one_line(c)
            )));
        }
        Ok(prices)
    }
}

/// How long a run takes, and how that is known.
///
/// ```
/// assert_eq!(serde_json::to_value(cronport::cost::DurationSource::TimeLimit).unwrap(), "time_limit");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationSource {
    /// Measured by a rehearsal (`run --all --wait --format json`).
    Measured,
    /// At most the job's time limit: an upper bound.
    TimeLimit,
    /// Not known: the one-minute minimum Fargate bills (a lower bound).
    Unknown,
}

/// A run's length as an estimate uses it.
///
/// ```
/// use cronport::cost::{RunLength, DurationSource};
/// let minute = RunLength { seconds: 42, source: DurationSource::Measured };
/// assert_eq!(minute.fargate_seconds(), 60); // the one-minute minimum
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RunLength {
    /// Seconds.
    pub seconds: u64,
    /// How it is known.
    pub source: DurationSource,
}

impl RunLength {
    /// The seconds Fargate bills: whole seconds, one minute at least.
    ///
    /// ```
    /// use cronport::cost::{RunLength, DurationSource};
    /// assert_eq!(RunLength { seconds: 95, source: DurationSource::Measured }.fargate_seconds(), 95);
    /// ```
    pub fn fargate_seconds(&self) -> u64 {
        self.seconds.max(60)
    }
}

/// The least, middle and most of twelve months.
///
/// ```
/// let m = cronport::cost::Months { min: 28, typical: 31, max: 31 };
/// assert!(m.min <= m.typical && m.typical <= m.max);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Months<T> {
    /// The least month.
    pub min: T,
    /// The median month (the 7th of 12, sorted).
    pub typical: T,
    /// The most month.
    pub max: T,
}

impl<T: Copy + PartialOrd> Months<T> {
    fn of(values: &[T]) -> Months<T> {
        let mut sorted = values.to_vec();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        Months {
            min: sorted[0],
            typical: sorted[sorted.len() / 2],
            max: sorted[sorted.len() - 1],
        }
    }
}

/// One job's cost per month.
///
/// ```
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let jobs = m.resolve().unwrap();
/// # let facts = vec![cronport::cost::JobFacts::default(); jobs.len()];
/// let e = cronport::cost::estimate(&jobs, &facts, &cronport::cost::Prices::builtin(), "us-east-1", "2026-12-07T00:00:00Z".parse()?)?;
/// let job = &e.jobs[0];
/// assert!(job.aws.min <= job.aws.max);
/// // No dyno was given: the smallest that holds its memory, said as assumed.
/// assert!(job.dyno_assumed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct JobCost {
    /// The job.
    pub job: String,
    /// Its runs per month.
    pub runs: Months<u64>,
    /// Tasks each run starts.
    pub tasks_per_run: u32,
    /// How long a run takes.
    pub run_length: RunLength,
    /// The Fargate size: vCPU and GB.
    pub vcpu: f64,
    /// Memory in GB.
    pub memory_gb: f64,
    /// Whether the size is assumed (the task definition's is not in the
    /// manifest).
    pub size_assumed: bool,
    /// The Heroku dyno size the runs are priced at.
    pub dyno: String,
    /// Whether the dyno size is assumed (the job names none).
    pub dyno_assumed: bool,
    /// Whether Scheduler invokes it (rules' scheduled events are free).
    pub scheduler: bool,
    /// Whether it is enabled (a disabled job runs never).
    pub enabled: bool,
    /// Fargate on x86, per month.
    pub aws: Months<f64>,
    /// Fargate on ARM, per month: a what-if.
    pub aws_arm: Months<f64>,
    /// Fargate Spot, per month: a what-if.
    pub aws_spot: Months<f64>,
    /// Heroku dyno time, per month.
    pub heroku: Months<f64>,
}

/// The estimate: per job, the totals, and what it rests on.
///
/// ```
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// # let jobs = m.resolve().unwrap();
/// # let facts = vec![cronport::cost::JobFacts::default(); jobs.len()];
/// let e = cronport::cost::estimate(&jobs, &facts, &cronport::cost::Prices::builtin(), "us-east-1", "2026-12-07T00:00:00Z".parse()?)?;
/// assert_eq!(e.months.len(), 12);
/// assert_eq!(e.scheduler.max, 0.0); // inside the free tier
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    /// The region priced.
    pub region: String,
    /// The months counted (`YYYY-MM`).
    pub months: Vec<String>,
    /// Per job.
    pub jobs: Vec<JobCost>,
    /// Scheduler's invocations per month (all jobs).
    pub invocations: Months<u64>,
    /// Scheduler's price of them per month.
    pub scheduler: Months<f64>,
    /// Fargate x86 plus Scheduler, per month.
    pub aws_total: Months<f64>,
    /// Fargate ARM plus Scheduler.
    pub aws_arm_total: Months<f64>,
    /// Fargate Spot plus Scheduler.
    pub aws_spot_total: Months<f64>,
    /// Heroku, per month.
    pub heroku_total: Months<f64>,
    /// The prices' source and date.
    pub source: Source,
    /// The region's Fargate rates, as used.
    pub rates: RegionPrices,
    /// Scheduler's prices, as used.
    pub scheduler_prices: SchedulerPrices,
    /// Heroku (median month) less AWS (median month): what moving saves.
    pub saving: f64,
}

/// What an estimate is told of one job besides its schedule.
///
/// ```
/// let hint = cronport::cost::JobFacts { dyno: Some("standard-2x".into()), measured_seconds: Some(95) };
/// assert_eq!(hint.measured_seconds, Some(95));
/// ```
#[derive(Clone, Debug, Default)]
pub struct JobFacts {
    /// The dyno size the manifest names (`size`), if it is one.
    pub dyno: Option<String>,
    /// A measured run length.
    pub measured_seconds: Option<u64>,
}

/// The longest run length an estimate takes: a week. A measurement past
/// it is a mistake, not a run.
pub const MAX_RUN_SECONDS: u64 = 7 * 24 * 3600;

/// The smallest Heroku dyno (of standard-1x, standard-2x, performance-m,
/// performance-l) with at least `memory` MiB: what a job that names no dyno
/// is compared with.
fn smallest_dyno_for(memory: Option<u32>) -> String {
    let memory = memory.unwrap_or(0);
    [
        "standard-1x",
        "standard-2x",
        "performance-m",
        "performance-l",
    ]
    .into_iter()
    .find(|dyno| crate::task::FargateSize::for_dyno(dyno).is_ok_and(|s| s.memory >= memory))
    .unwrap_or("performance-l")
    .to_string()
}

/// The smallest Fargate size: what an unknown task definition is priced at.
const ASSUMED_SIZE: (f64, f64) = (0.25, 0.5);

/// The first instants of the twelve calendar months (UTC) after the one
/// `from` is in, and the end of the last.
///
/// ```
/// let m = cronport::cost::months_after("2026-12-07T08:00:00Z".parse().unwrap());
/// assert_eq!(m.len(), 13);
/// assert_eq!(m[0].to_string(), "2027-01-01T00:00:00Z");
/// assert_eq!(m[12].to_string(), "2028-01-01T00:00:00Z");
/// ```
pub fn months_after(from: Timestamp) -> Vec<Timestamp> {
    let date = from.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let first = date.first_of_month();
    (1..=13)
        .filter_map(|n| {
            first
                .checked_add(jiff::Span::new().months(n))
                .ok()?
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        })
        .collect()
}

/// The estimate for `jobs` (each with its [`JobFacts`]) in `region`, over
/// the twelve calendar months after `from`'s.
///
/// ```
/// # let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// let jobs = m.resolve().unwrap();
/// let facts = vec![cronport::cost::JobFacts::default(); jobs.len()];
/// let e = cronport::cost::estimate(&jobs, &facts, &cronport::cost::Prices::builtin(), "us-east-1", "2026-12-07T00:00:00Z".parse()?)?;
/// assert_eq!(e.months[0], "2027-01");
/// assert_eq!(e.jobs[0].runs.max, 31); // a daily job
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn estimate(
    jobs: &[ResolvedJob],
    facts: &[JobFacts],
    prices: &Prices,
    region: &str,
    from: Timestamp,
) -> Result<Estimate, CostError> {
    let fargate = prices.fargate.get(region).ok_or_else(|| {
        CostError(format!(
            "no Fargate prices for region `{region}`: the table has {}; add a [fargate.{region}] table to prices/prices.toml, or pass --prices FILE",
            prices.fargate.keys().cloned().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let bounds = months_after(from);
    if bounds.len() < 13 {
        return Err(CostError(format!(
            "the twelve months after {from} reach past the year 9999: start earlier"
        )));
    }
    let months: Vec<String> = bounds[..12]
        .iter()
        .map(|t| t.strftime("%Y-%m").to_string())
        .collect();
    let mut out = Vec::with_capacity(jobs.len());
    let mut invocations = [0u64; 12];
    let (mut x86_sum, mut arm_sum, mut spot_sum, mut heroku_sum) =
        ([0f64; 12], [0f64; 12], [0f64; 12], [0f64; 12]);
    // Each distinct schedule's runs are counted once: manifests repeat a
    // few schedules over many jobs.
    let mut counted: std::collections::HashMap<String, Vec<u64>> = Default::default();
    for (job, fact) in jobs.iter().zip(facts) {
        let runs: Vec<u64> = if job.enabled {
            counted
                .entry(format!("{:?}", job.schedule))
                .or_insert_with(|| {
                    bounds
                        .windows(2)
                        .map(|w| job.schedule.fires_between(w[0], w[1]).count() as u64)
                        .collect()
                })
                .clone()
        } else {
            vec![0; 12]
        };
        // A time limit bounds a run; so does the gap to the next run (a
        // series of runs that overlapped would be a mistake to price).
        let gap = job
            .schedule
            .shortest_interval(bounds[0])
            .map(|d| d.as_secs().max(60) as u64);
        let run_length = match (fact.measured_seconds, job.timeout) {
            (Some(seconds), _) => RunLength {
                seconds: seconds.min(MAX_RUN_SECONDS),
                source: DurationSource::Measured,
            },
            (None, Some(limit)) => {
                let limit = u64::from(limit.seconds());
                RunLength {
                    seconds: gap.map_or(limit, |g| g.min(limit)),
                    source: DurationSource::TimeLimit,
                }
            }
            (None, None) => RunLength {
                seconds: 60,
                source: DurationSource::Unknown,
            },
        };
        let ((vcpu, memory_gb), size_assumed) = match job.size {
            Some(size) => (
                (
                    f64::from(size.cpu) / 1024.0,
                    f64::from(size.memory) / 1024.0,
                ),
                false,
            ),
            None => (ASSUMED_SIZE, true),
        };
        let (dyno, dyno_assumed) = match fact.dyno.as_deref() {
            Some(d) => (d.trim().to_ascii_lowercase().replace('_', "-"), false),
            None => (smallest_dyno_for(job.size.map(|s| s.memory)), true),
        };
        let dyno_price = prices.heroku.get(&dyno).ok_or_else(|| {
            CostError(format!(
                "job `{}`: the price table has no Heroku dyno size `{dyno}` (it has {}); give one with --prices FILE, starting from `cronport cost --print-prices`",
                job.name,
                prices.heroku.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        // In floating point: runs × tasks × seconds would pass u64 for no
        // real schedule, but need not be trusted not to.
        let tasks = f64::from(job.target.task_count);
        let billed = run_length.fargate_seconds() as f64;
        let per_task =
            |rate: Rate| billed * (vcpu * rate.vcpu_hour + memory_gb * rate.gb_hour) / 3600.0;
        let month_cost = |rate: Rate| -> Vec<f64> {
            runs.iter()
                .map(|&n| n as f64 * tasks * per_task(rate))
                .collect()
        };
        let (x86, arm, spot) = (
            month_cost(fargate.x86),
            month_cost(fargate.arm),
            month_cost(fargate.spot),
        );
        // Heroku ran one dyno a run (task_count is AWS's), prorated to the
        // second without a minimum, at most the dyno's monthly price.
        let heroku: Vec<f64> = runs
            .iter()
            .map(|&n| {
                let hours = n as f64 * run_length.seconds as f64 / 3600.0;
                (hours * dyno_price.month / dyno_price.hours).min(dyno_price.month)
            })
            .collect();
        let scheduler = job.target.backend == Backend::Scheduler;
        for i in 0..12 {
            if scheduler {
                invocations[i] += runs[i];
            }
            x86_sum[i] += x86[i];
            arm_sum[i] += arm[i];
            spot_sum[i] += spot[i];
            heroku_sum[i] += heroku[i];
        }
        out.push(JobCost {
            job: job.name.clone(),
            runs: Months::of(&runs),
            tasks_per_run: job.target.task_count,
            run_length,
            vcpu,
            memory_gb,
            size_assumed,
            dyno,
            dyno_assumed,
            scheduler,
            enabled: job.enabled,
            aws: Months::of(&x86),
            aws_arm: Months::of(&arm),
            aws_spot: Months::of(&spot),
            heroku: Months::of(&heroku),
        });
    }
    let s = prices.scheduler;
    let scheduler: Vec<f64> = invocations
        .iter()
        .map(|&n| {
            n.saturating_sub(s.free_invocations_per_month) as f64 / 1e6 * s.per_million_invocations
        })
        .collect();
    let plus =
        |a: &[f64; 12]| -> Vec<f64> { a.iter().zip(&scheduler).map(|(x, y)| x + y).collect() };
    let aws_total = Months::of(&plus(&x86_sum));
    let heroku_total = Months::of(&heroku_sum);
    Ok(Estimate {
        saving: heroku_total.typical - aws_total.typical,
        rates: *fargate,
        scheduler_prices: s,
        region: region.to_string(),
        months,
        jobs: out,
        invocations: Months::of(&invocations),
        scheduler: Months::of(&scheduler),
        aws_total,
        aws_arm_total: Months::of(&plus(&arm_sum)),
        aws_spot_total: Months::of(&plus(&spot_sum)),
        heroku_total,
        source: prices.source.clone(),
    })
}

/// Measured run lengths from a rehearsal report (`cronport run --all
/// --wait --format json`): per job, the seconds from RunTask to its last
/// task's stop, which Fargate bills (from the image pull on).
///
/// ```
/// let report = r#"{"jobs": [{"job": "daily", "outcome": {"outcome": "exited", "detail": 0}, "tasks": [], "seconds": 95, "last_lines": []}], "failed": 0}"#;
/// let lengths = cronport::cost::rehearsal_lengths(report, "rehearsal.json")?;
/// assert_eq!(lengths["daily"], 95);
/// # Ok::<(), cronport::cost::CostError>(())
/// ```
pub fn rehearsal_lengths(text: &str, name: &str) -> Result<BTreeMap<String, u64>, CostError> {
    #[derive(Deserialize)]
    struct Report {
        jobs: Vec<Run>,
    }
    #[derive(Deserialize)]
    struct Run {
        job: String,
        #[serde(default)]
        outcome: serde_json::Value,
        #[serde(default)]
        seconds: Option<u64>,
    }
    let report: Report = serde_json::from_str(text).map_err(|e| {
        CostError(format!(
            "{name}: not a rehearsal report (`cronport run --all --wait --format json` writes one): {}",
            e.to_string()
                .replace("expected u64", "expected a whole number of seconds")
        ))
    })?;
    let mut lengths = BTreeMap::new();
    for run in report.jobs {
        // Only a run that exited 0 took as long as the job takes.
        let passed = run.outcome["outcome"] == "exited" && run.outcome["detail"] == 0;
        let Some(seconds) = run.seconds.filter(|_| passed) else {
            continue;
        };
        if seconds > MAX_RUN_SECONDS {
            return Err(CostError(format!(
                "{name}: job `{}` took {seconds} s, more than a week: not a run's length",
                run.job
            )));
        }
        if lengths.insert(run.job.clone(), seconds).is_some() {
            return Err(CostError(format!(
                "{name}: job `{}` is in the report twice; keep one rehearsal of it",
                run.job
            )));
        }
    }
    Ok(lengths)
}
