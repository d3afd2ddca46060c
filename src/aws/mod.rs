//! Plan and apply against AWS: read what cronport manages, compare it with
//! the desired state, and make the difference, safely.
//!
//! * [`Clients::connect`] builds the real SDK clients from the usual AWS
//!   settings (`--profile`, `--region`, `--endpoint-url`, environment).
//! * [`plan`] reads live state (all pages), checks clusters, task
//!   definitions, containers and the role, and returns a [`Plan`], a pure
//!   [`compare`] of desired and live: per resource (a typed [`Address`](crate::plan::Address))
//!   create, update (with the fields that change), delete (what this
//!   deployment owns and no longer wants, wherever it is), unchanged, or a
//!   conflict with something it does not own, which it never touches.
//! * [`apply`] makes the plan's writes with bounded concurrency; the SDK
//!   retries throttling, 5xx, dropped connections and timeouts with backoff.
//!   Writes are idempotent, so re-running converges after any failure.
//!
//! Ownership is the owner record on each resource (manifest id,
//! environment, job; see [`crate::owner`]), and nothing else.

mod adopt;
mod apply;
mod diff_live;
mod live;
mod migrate;
mod record;
mod run;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_ecs::config::http::HttpResponse;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};

use crate::Hint;
use crate::desired::Desired;
use crate::fit::{Fitted, JobNote, fit};
use crate::plan::taken_over;
use crate::plan::{
    Action, Plan, PlanError, PlanOptions, PlanProblem, PlanProblemKind, Warning, compare,
    ids_on_aws, kept_without_id, quota_warnings, released_holds, twins,
};

pub use adopt::import_aws;
pub use apply::{Applied, ApplyReport, Outcome, apply};
pub use diff_live::diff_live;
pub use migrate::{EnableError, enable_rule, enabled_runners, migrate};
pub use record::{last_log_lines, read_run_record};
pub use run::{
    LogFollower, LogSink, REHEARSAL_LOG_LINES, Rehearsal, RehearsalOutcome, Stopped, Waiting,
    rehearse, run_now, wait_stopped,
};

/// How to reach AWS: the settings the AWS CLI knows, plus cronport's own.
///
/// ```
/// let local = cronport::aws::AwsOptions { endpoint_url: Some("http://127.0.0.1:5000".into()), ..Default::default() };
/// assert!(local.profile.is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    /// A profile in the shared config files.
    pub profile: Option<String>,
    /// The region.
    pub region: Option<String>,
    /// Another endpoint (a local moto server, say).
    pub endpoint_url: Option<String>,
    /// Attempts per call, including the first (default 8).
    pub max_attempts: Option<u32>,
}

/// The SDK clients cronport uses.
///
/// ```
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use cronport::aws::{AwsOptions, Clients};
/// // A local moto server, as the tests use.
/// let local = AwsOptions { endpoint_url: Some("http://127.0.0.1:5000".into()), region: Some("us-east-1".into()), ..AwsOptions::default() };
/// let clients = Clients::connect(&local).await;
/// let groups = clients.scheduler.list_schedule_groups().send().await?;
/// println!("{} schedule groups", groups.schedule_groups().len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Clients {
    /// EventBridge Scheduler.
    pub scheduler: aws_sdk_scheduler::Client,
    /// EventBridge.
    pub events: aws_sdk_eventbridge::Client,
    /// ECS.
    pub ecs: aws_sdk_ecs::Client,
    /// CloudWatch Logs, for following a run's log lines.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// IAM (read only: the role the schedules assume).
    pub iam: aws_sdk_iam::Client,
}

impl Clients {
    /// Clients from the default AWS configuration chain and `options`.
    ///
    /// ```
    /// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
    /// use cronport::aws::{AwsOptions, Clients};
    /// let clients = Clients::connect(&AwsOptions {
    ///     profile: Some("prod".into()),
    ///     region: Some("eu-west-1".into()),
    ///     ..AwsOptions::default()
    /// })
    /// .await;
    /// # let _ = clients; Ok(()) }
    /// ```
    pub async fn connect(options: &AwsOptions) -> Clients {
        Clients::from_config(&Clients::load(options).await)
    }

    /// [`Clients::connect`], then checks what the AWS CLI checks before a
    /// call, each failure one sentence: a named profile exists and gives
    /// credentials (a profile wins over environment keys, as with the AWS
    /// CLI), some credentials are found, and a region is set.
    ///
    /// A failure is a [`PlanProblem`] of kind `Aws`, with a [`Hint`] where
    /// the remedy is the caller's to give (a profile, a region).
    ///
    /// ```
    /// # async fn example() -> Result<(), String> {
    /// use cronport::aws::{AwsOptions, Clients};
    /// let options = AwsOptions { profile: Some("nosuch".into()), ..AwsOptions::default() };
    /// let err = Clients::connect_checked(&options).await.unwrap_err();
    /// assert!(err.message.contains("profile `nosuch`"));
    /// # Ok(()) }
    /// ```
    pub async fn connect_checked(options: &AwsOptions) -> Result<Clients, PlanProblem> {
        let aws = |message: String| PlanProblem::new(PlanProblemKind::Aws, message);
        use aws_sdk_scheduler::config::ProvideCredentials;
        let config = Clients::load(options).await;
        let Some(provider) = config.credentials_provider() else {
            return Err(aws("no AWS credentials".to_string()).with_hint(Hint::Credentials));
        };
        let found =
            tokio::time::timeout(Duration::from_secs(20), provider.provide_credentials()).await;
        match (found, &options.profile) {
            (Ok(Ok(_)), _) => {}
            (Ok(Err(e)), Some(profile)) => {
                return Err(aws(format!(
                    "the profile `{profile}` gives no credentials: {} (the AWS CLI reads profiles from ~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)",
                    error_text(&e)
                )));
            }
            (Ok(Err(e)), None) => {
                return Err(aws(format!("no AWS credentials: {}", error_text(&e)))
                    .with_hint(Hint::Credentials));
            }
            (Err(_), _) => {
                return Err(aws("no AWS credentials after 20 seconds of looking (profile, environment, instance metadata)".to_string()).with_hint(Hint::Credentials));
            }
        }
        if config.region().is_none() {
            return Err(aws("no AWS region".to_string()).with_hint(Hint::Region));
        }
        reach(&config, options).await.map_err(aws)?;
        Ok(Clients::from_config(&config))
    }

    fn from_config(config: &aws_config::SdkConfig) -> Clients {
        Clients {
            scheduler: aws_sdk_scheduler::Client::new(config),
            events: aws_sdk_eventbridge::Client::new(config),
            ecs: aws_sdk_ecs::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
        }
    }

    async fn load(options: &AwsOptions) -> aws_config::SdkConfig {
        let retry = RetryConfig::standard()
            .with_max_attempts(options.max_attempts.unwrap_or(8))
            .with_initial_backoff(Duration::from_millis(50))
            .with_max_backoff(Duration::from_secs(5));
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(20))
            .build();
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https.clone())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(profile) = &options.profile {
            // As with the AWS CLI, a named profile wins over the
            // environment's keys (the default chain reads those first).
            // Its own provider needs the HTTP client too (for SSO, assumed
            // roles and instance metadata).
            let providers = aws_config::provider_config::ProviderConfig::without_region()
                .with_http_client(https.clone());
            loader = loader.profile_name(profile).credentials_provider(
                aws_config::profile::ProfileFileCredentialsProvider::builder()
                    .configure(&providers)
                    .profile_name(profile)
                    .build(),
            );
        }
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        loader.load().await
    }
}

/// How long a first call may take before AWS counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

/// One cheap call, once, with short timeouts: an endpoint that refuses
/// connections or never answers is one sentence within seconds, not the
/// minutes the normal retries would take. Answers that are errors of AWS's
/// own (access denied, say) mean it was reached; the real calls report them.
async fn reach(config: &aws_config::SdkConfig, options: &AwsOptions) -> Result<(), String> {
    use aws_sdk_scheduler::error::SdkError;
    let probe = config
        .to_builder()
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(REACH_TIMEOUT)
                .build(),
        )
        .build();
    let place = match (&options.endpoint_url, config.region()) {
        (Some(url), _) => url.clone(),
        (None, Some(region)) => format!("the EventBridge Scheduler endpoint of {region}"),
        (None, None) => "AWS".to_string(),
    };
    let answer = aws_sdk_scheduler::Client::new(&probe)
        .list_schedule_groups()
        .max_results(1)
        .send()
        .await;
    match answer {
        Err(SdkError::DispatchFailure(e)) => Err(format!(
            "cannot reach {place}: {}",
            e.as_connector_error().map_or_else(
                || "the request could not be sent".to_string(),
                |c| root_cause(c).to_string()
            )
        )),
        Err(SdkError::TimeoutError(_)) => Err(format!(
            "{place} did not answer within {} seconds",
            REACH_TIMEOUT.as_secs()
        )),
        _ => Ok(()),
    }
}

/// The innermost cause of an error ("Connection refused (os error 111)").
fn root_cause<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause
}

/// Reads live state and compares it with `desired`.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients) -> Result<(), Box<dyn std::error::Error>> {
/// use cronport::{aws, desired::{compile, CompileOptions}, manifest::Manifest};
/// let manifest = Manifest::from_toml(&std::fs::read_to_string("cronport.toml")?, "cronport.toml")?;
/// let desired = compile(&manifest, &CompileOptions::starting(jiff::Timestamp::now()))?;
/// let plan = aws::plan(&clients, &desired, false).await?;
/// print!("{}", plan.to_text());
/// if plan.has_changes() {
///     let report = aws::apply(&clients, &plan, 8, std::sync::Arc::new(|step: &aws::Applied| eprintln!("{step}"))).await;
///     assert!(report.succeeded());
/// }
/// # Ok(()) }
/// ```
pub async fn plan(clients: &Clients, desired: &Desired, prune: bool) -> Result<Plan, PlanError> {
    plan_with(
        clients,
        desired,
        PlanOptions {
            prune,
            ..PlanOptions::default()
        },
    )
    .await
}

/// [`plan`] with every option.
///
/// ```
/// # async fn example(clients: cronport::aws::Clients, desired: cronport::desired::Desired) -> Result<(), cronport::plan::PlanError> {
/// use cronport::aws::plan_with;
/// use cronport::plan::PlanOptions;
/// // Take over the rules `cronport import aws` read; an empty manifest may
/// // delete everything its deployment owns.
/// let plan = plan_with(&clients, &desired, PlanOptions { prune: true, adopt: true, release_holds: false }).await?;
/// print!("{}", plan.to_text());
/// # Ok(()) }
/// ```
pub async fn plan_with(
    clients: &Clients,
    desired: &Desired,
    options: PlanOptions,
) -> Result<Plan, PlanError> {
    let PlanOptions {
        prune,
        adopt,
        release_holds,
    } = options;
    if desired.jobs.is_empty() && !prune {
        return Err(PlanError {
            problems: vec![
                PlanProblem::new(
                    PlanProblemKind::Manifest,
                    format!(
                        "the manifest has no jobs: its plan deletes everything {} owns",
                        desired.deployment
                    ),
                )
                .with_hint(Hint::Prune),
            ],
        });
    }
    let Fitted {
        desired: fitted,
        notes,
        problems,
    } = fitted(clients, desired).await?;
    if !problems.is_empty() {
        let problem = |p: JobNote| PlanProblem::new(PlanProblemKind::Manifest, p.to_string());
        return Err(PlanError {
            problems: problems.into_iter().map(problem).collect(),
        });
    }
    let desired = &fitted;
    let role_warnings: Vec<Warning> = live::check_roles(clients, desired).await?;
    let live = live::read(clients, desired).await?;
    let changes = compare(desired, &live, adopt)?;
    let mut warnings = role_warnings;
    warnings.extend(notes.into_iter().map(Warning::Fit));
    if desired.deployment.derived {
        let kept = kept_without_id(desired, &live, &changes);
        let on_aws = ids_on_aws(desired, &live);
        // A job that runs elsewhere and would be created here is a move,
        // which only a manifest with an id makes: refused, not doubled.
        let moving: Vec<String> = kept
            .iter()
            .filter(|(job, _)| {
                changes
                    .iter()
                    .any(|c| c.action == Action::Create && c.job.as_deref() == Some(job))
            })
            .map(|(job, address)| format!("job {job} runs as {address}"))
            .collect();
        if !moving.is_empty() {
            let id = on_aws.first().cloned().unwrap_or_else(crate::owner::new_id);
            return Err(PlanError::new(
                PlanProblemKind::Manifest,
                format!(
                    "this manifest has no id, so it moves nothing, and this plan would create a second runner beside each of these: {}. Write id = \"{id}\" at its top to move them",
                    moving.join("; ")
                ),
            ));
        }
        warnings.push(Warning::NoId {
            derived: desired.deployment.manifest.clone(),
            on_aws,
            kept: kept.into_iter().map(|(_, address)| address).collect(),
        });
    }
    warnings.extend(
        taken_over(desired, &live)
            .into_iter()
            .map(|(env, resources)| Warning::TakesOver { env, resources }),
    );
    warnings.extend(twins(desired, &live));
    warnings.extend(quota_warnings(desired, &changes, &live));
    let released = released_holds(&changes, live.read_at.unwrap_or(desired.from));
    if let Some(until) = released.iter().map(|(_, t)| *t).min() {
        if !release_holds {
            let addresses: Vec<String> = released.iter().map(|(a, _)| a.to_string()).collect();
            return Err(PlanError {
                problems: vec![PlanProblem::new(
                    PlanProblemKind::Hold,
                    format!(
                        "this plan would start {} resource(s) held until a cutover instant ({until} and later) at once, beside the old platform: {}",
                        released.len(),
                        addresses.join(", ")
                    ),
                )
                .with_hint(Hint::KeepHold { until })],
            });
        }
        warnings.push(Warning::ReleasedHolds {
            addresses: released.into_iter().map(|(a, _)| a).collect(),
            until,
        });
    }
    Ok(Plan { changes, warnings })
}

/// The jobs fitted to their task definitions (see [`fit`]), after checking
/// that every cluster, task definition and container they name exists.
/// `plan` and `run` both start here, so a rehearsal runs what the schedule
/// will.
///
/// ```no_run
/// # async fn demo(clients: &cronport::aws::Clients, desired: &cronport::desired::Desired) -> Result<(), cronport::plan::PlanError> {
/// let fitted = cronport::aws::fitted(clients, desired).await?;
/// for note in &fitted.notes {
///     eprintln!("note: {note}"); // container limits raised, entry points
/// }
/// # Ok(()) }
/// ```
pub async fn fitted(clients: &Clients, desired: &Desired) -> Result<Fitted, PlanError> {
    let facts = live::check_targets(clients, desired).await?;
    Ok(fit(desired, &facts))
}

/// A failed AWS call as one line of text: AWS's error code and message
/// when AWS refused it; otherwise what kind of failure it was, with a word
/// on the endpoint when the answer came from something that is not AWS (a
/// proxy's HTML page, a wrong `--endpoint-url`), so it is not mistaken for
/// "not found".
pub(crate) fn sdk_error_text<E>(e: SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match &e {
        SdkError::ServiceError(context) => {
            let meta = context.err().meta();
            match meta.code() {
                Some(code) => format!("{code}: {}", meta.message().unwrap_or("no message")),
                None => not_aws(context.raw()),
            }
        }
        SdkError::ResponseError(context) => not_aws(context.raw()),
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            format!("no answer from AWS: {}", error_text(e))
        }
        _ => error_text(e),
    }
}

/// An answer that carries no AWS error code, in words.
fn not_aws(raw: &HttpResponse) -> String {
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let said: String = crate::escape::one_line(body.trim())
        .chars()
        .take(80)
        .collect();
    format!(
        "the endpoint answered HTTP {} with something that is not an AWS answer ({}); check the region and the endpoint (--endpoint-url, AWS_ENDPOINT_URL)",
        raw.status().as_u16(),
        if said.is_empty() {
            "an empty body".to_string()
        } else {
            format!("`{said}`")
        }
    )
}

/// Whether AWS refused a call with error `code` (so the thing asked about
/// is missing, say), as opposed to failing to answer.
pub(crate) fn refused_with<E: ProvideErrorMetadata>(
    e: &SdkError<E, HttpResponse>,
    code: &str,
) -> bool {
    matches!(e, SdkError::ServiceError(c) if c.err().meta().code() == Some(code))
}

/// An error and its sources as one line of text.
pub(crate) fn error_text<E: std::error::Error>(e: E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}
