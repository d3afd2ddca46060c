//! `cronport import`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use cronport::import::{self, Defaults, Imported};
use cronport::translate::Backend;

use super::{print_stdout, read_input, write_output};

/// Import jobs into a cronport manifest (Heroku, Terraform, Cron To Go,
/// crontab, ecschedule, or what runs on AWS).
///
/// Reads Heroku Scheduler's job list, herokux Terraform, a Cron To Go
/// export, a crontab, an ecschedule config, or the EventBridge rules or
/// schedules already on AWS (`import aws`, to adopt them).
///
/// The flags fill the manifest's [defaults]; edit the file afterwards for
/// anything else. Jobs without names are named after their commands
/// (`rake reports:daily` → `rake-reports-daily`).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport import heroku --app my-app -o cronport.toml   # the jobs from Heroku's Scheduler API (HEROKU_API_KEY or heroku login)
  cronport import heroku jobs.json --cluster production --task-definition app-worker \\
      --container worker --role-arn arn:aws:iam::123456789012:role/cronport \\
      --subnet subnet-0a1b2c3d --security-group sg-0a1b2c3d -o cronport.toml
  cronport import crontab /etc/crontab --timezone Europe/London
  cronport import terraform scheduler.tf -o cronport.toml")]
pub struct Args {
    /// The source format.
    #[arg(value_enum)]
    from: Source,
    /// The file to read (`-` for standard input); none for `aws`, or for
    /// `heroku --app`.
    file: Option<String>,
    /// Fetch the jobs of this Heroku app from Heroku's Scheduler API
    /// instead of reading a file (the token is HEROKU_API_KEY, else the
    /// api.heroku.com entry of ~/.netrc that `heroku login` writes).
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// The Heroku Platform API (to find the app's id).
    #[arg(long, value_name = "URL", default_value = cronport::import::HEROKU_API, env = "CRONPORT_HEROKU_API", hide_env_values = true)]
    heroku_api: String,
    /// The Heroku Scheduler API (the jobs).
    #[arg(long, value_name = "URL", default_value = cronport::import::SCHEDULER_API, env = "CRONPORT_SCHEDULER_API", hide_env_values = true)]
    scheduler_api: String,
    /// Where to write the manifest (`-` or absent: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
    /// ECS cluster name or ARN.
    #[arg(long, help_heading = "Defaults")]
    cluster: Option<String>,
    /// Task definition family or ARN.
    #[arg(long, help_heading = "Defaults")]
    task_definition: Option<String>,
    /// Container whose command each job overrides.
    #[arg(long, help_heading = "Defaults")]
    container: Option<String>,
    /// IAM role EventBridge assumes to run tasks.
    #[arg(long, help_heading = "Defaults")]
    role_arn: Option<String>,
    /// Subnet for the tasks (repeat for more).
    #[arg(long = "subnet", value_name = "SUBNET", help_heading = "Defaults")]
    subnets: Vec<String>,
    /// Security group for the tasks (repeat for more).
    #[arg(
        long = "security-group",
        value_name = "GROUP",
        help_heading = "Defaults"
    )]
    security_groups: Vec<String>,
    /// IANA time zone of the schedules (Heroku jobs stay UTC).
    #[arg(long, help_heading = "Defaults")]
    timezone: Option<String>,
    /// EventBridge Scheduler or EventBridge rules.
    #[arg(long, value_parser = super::backend_names(), help_heading = "Defaults")]
    backend: Option<Backend>,
    /// Prefix of the AWS names (default cronport-).
    #[arg(long, help_heading = "Defaults")]
    name_prefix: Option<String>,
    /// EventBridge Scheduler schedule group (default cronport).
    #[arg(long, help_heading = "Defaults")]
    schedule_group: Option<String>,
    #[command(flatten)]
    aws: super::AwsFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Source {
    /// Heroku Scheduler's job list (JSON:API, as its API returns it).
    Heroku,
    /// Terraform files with herokux_scheduler_job resources.
    Terraform,
    /// A Cron To Go JSON export.
    Crontogo,
    /// A crontab file.
    Crontab,
    /// An ecschedule YAML config (EventBridge rules running ECS tasks).
    Ecschedule,
    /// What already runs on AWS: rules with --name-prefix (--backend rules)
    /// or schedules in --schedule-group (--backend scheduler) that run an
    /// ECS task. Then `cronport apply --adopt` takes ownership.
    Aws,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    try_run(&args)
}

fn try_run(args: &Args) -> Result<ExitCode, super::Failure> {
    let import_file: fn(&str, &Defaults) -> Result<Imported, import::ImportError> = match args.from
    {
        Source::Heroku => import::heroku,
        Source::Terraform => import::terraform,
        Source::Crontogo => import::crontogo,
        Source::Crontab => import::crontab,
        Source::Ecschedule => import::ecschedule,
        Source::Aws => return import_aws(args),
    };
    if let Some(app) = args.app.as_deref() {
        return import_heroku_app(args, app);
    }
    let Some(file) = args.file.as_deref() else {
        return Err(match args.from {
            Source::Heroku => "name the file to import (`-` for standard input), or fetch the jobs with --app NAME".to_string(),
            _ => "name the file to import (`-` for standard input)".to_string(),
        }
        .into());
    };
    let text = read_input(file)?;
    let defaults = defaults(args);
    let imported = import_file(&text, &defaults).map_err(|e| format!("{file}: {e}"))?;
    check_flags(args, &imported)?;
    write_manifest(args, file, &imported)
}

/// The defaults the flags give.
fn defaults(args: &Args) -> Defaults {
    Defaults {
        cluster: args.cluster.clone(),
        task_definition: args.task_definition.clone(),
        container: args.container.clone(),
        role_arn: args.role_arn.clone(),
        subnets: (!args.subnets.is_empty()).then(|| args.subnets.clone()),
        security_groups: (!args.security_groups.is_empty()).then(|| args.security_groups.clone()),
        timezone: args.timezone.clone(),
        backend: args.backend,
        name_prefix: args.name_prefix.clone(),
        schedule_group: args.schedule_group.clone(),
        ..Defaults::default()
    }
}

/// `import heroku --app NAME`: the jobs fetched from Heroku's Scheduler API.
#[cfg(not(feature = "aws"))]
fn import_heroku_app(_: &Args, _: &str) -> Result<ExitCode, super::Failure> {
    Err(super::without_aws(
        "fetch jobs from Heroku's API (--app); export them to a file instead",
    ))
}

#[cfg(feature = "aws")]
fn import_heroku_app(args: &Args, app: &str) -> Result<ExitCode, super::Failure> {
    if args.from != Source::Heroku {
        return Err(format!(
            "--app fetches Heroku Scheduler jobs; it does not go with `import {}`",
            args.from
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        )
        .into());
    }
    if args.file.is_some() {
        return Err("give a file or --app, not both".to_string().into());
    }
    let api = super::heroku_api(&args.heroku_api, &args.scheduler_api)?;
    eprintln!(
        "{}",
        super::shown(&format!(
            "fetching the Scheduler jobs of Heroku app `{app}`…"
        ))
    );
    let text = api.scheduler_jobs(app).map_err(|e| e.to_string())?;
    let source = format!("Heroku app {app}");
    let imported = import::heroku(&text, &defaults(args)).map_err(|e| match e.kind() {
        import::ImportErrorKind::NoJobs => format!("Heroku app `{app}` has no Scheduler jobs"),
        _ => format!("{source}: {e}"),
    })?;
    check_flags(args, &imported)?;
    write_manifest(args, &source, &imported)
}

/// The flags' values checked as `convert` will check them, so that a typo
/// in a zone, role ARN, prefix or group fails here rather than later.
/// Settings the flags leave unset are for the user to fill in.
fn check_flags(args: &Args, imported: &Imported) -> Result<(), super::Failure> {
    let given = [
        ("timezone", "--timezone", args.timezone.is_some()),
        ("role_arn", "--role-arn", args.role_arn.is_some()),
        ("name_prefix", "--name-prefix", args.name_prefix.is_some()),
        (
            "schedule_group",
            "--schedule-group",
            args.schedule_group.is_some(),
        ),
        ("subnets", "--subnet", !args.subnets.is_empty()),
        (
            "security_groups",
            "--security-group",
            !args.security_groups.is_empty(),
        ),
    ];
    let Err(problems) = imported.manifest.resolve() else {
        return Ok(());
    };
    let mut errors: Vec<String> = Vec::new();
    for problem in problems {
        let Some((_, flag, _)) = given
            .iter()
            .find(|(key, _, set)| *set && *key == problem.key)
        else {
            continue;
        };
        let line = format!("{flag}: {}", problem.message);
        if !errors.contains(&line) {
            errors.push(line);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(super::Failure::Errors(errors))
    }
}

#[cfg(not(feature = "aws"))]
fn import_aws(_: &Args) -> Result<ExitCode, super::Failure> {
    Err(super::without_aws("read the schedules and rules on AWS"))
}

#[cfg(feature = "aws")]
fn import_aws(args: &Args) -> Result<ExitCode, super::Failure> {
    let backend = args.backend.unwrap_or(Backend::Scheduler);
    let prefix = args
        .name_prefix
        .clone()
        .unwrap_or_else(|| "cronport-".to_string());
    let group = args
        .schedule_group
        .clone()
        .unwrap_or_else(|| "cronport".to_string());
    let options = args.aws.options();
    let runtime = super::runtime()?;
    let imported = runtime
        .block_on(async {
            let clients = cronport::aws::Clients::connect_checked(&options)
                .await
                .map_err(|e| cronport::plan::PlanError { problems: vec![e] })?;
            cronport::aws::import_aws(&clients, backend, &prefix, &group).await
        })
        .map_err(super::plan_errors)?;
    if imported.manifest.jobs.is_empty() {
        return Err(format!(
            "nothing to adopt: no {backend} with the prefix `{prefix}` runs an ECS task"
        )
        .into());
    }
    let source = match backend {
        Backend::Rules => format!("EventBridge rules named {prefix}*"),
        Backend::Scheduler => format!("schedule group {group}"),
    };
    write_manifest(args, &source, &imported)?;
    eprintln!(
        "next: `cronport plan --adopt` shows what taking ownership changes; `cronport apply --adopt` takes it"
    );
    Ok(ExitCode::SUCCESS)
}

fn write_manifest(
    args: &Args,
    source: &str,
    imported: &Imported,
) -> Result<ExitCode, super::Failure> {
    for warning in &imported.warnings {
        super::advise("warning", &super::hint::advice(warning));
    }
    let mut toml = format!(
        "# cronport manifest, imported from {} by cronport {}.\n# Check [defaults], then: cronport convert {}\n#\n# Three settings to consider for [defaults] (all off until written):\n#   run_history_days = 400   # keep a record of every run; `cronport verify` reads it\n#   dead_letter_queue = \"arn:aws:sqs:REGION:ACCOUNT:NAME\"   # invocations EventBridge gave up on\n#   notify = \"arn:aws:sns:REGION:ACCOUNT:TOPIC\"   # told when a run fails\n\n",
        // File names are text from the command line: escaped, a newline
        // in one cannot end the comment and write TOML.
        cronport::escape::one_line(source),
        env!("CARGO_PKG_VERSION"),
        cronport::escape::one_line(
            args.output
                .as_deref()
                .filter(|o| *o != "-")
                .unwrap_or("cronport.toml")
        )
    );
    // A manifest cronport could not read back is no manifest.
    if imported.manifest.jobs.len() > cronport::manifest::MAX_JOBS {
        return Err(format!(
            "{} jobs: cronport imports at most {} into one manifest; split the source",
            imported.manifest.jobs.len(),
            cronport::manifest::MAX_JOBS
        )
        .into());
    }
    toml.push_str(
        &imported
            .manifest
            .to_toml()
            .map_err(|e| format!("cannot write the manifest as TOML: {e}"))?,
    );
    // A manifest cronport could not read back is no manifest.
    if toml.len() as u64 > super::MAX_INPUT_BYTES {
        return Err(format!(
            "the manifest of these {} jobs would be {} bytes, more than the {} cronport reads: import the jobs in parts (split the file) into several manifests",
            imported.manifest.jobs.len(),
            toml.len(),
            super::MAX_INPUT_BYTES
        )
        .into());
    }
    match args.output.as_deref() {
        None | Some("-") => print_stdout(&toml).map_err(|e| e.to_string())?,
        Some(path) => {
            write_output(&PathBuf::from(path), &toml, args.force)?;
            eprintln!(
                "wrote {} jobs to {}",
                imported.manifest.jobs.len(),
                super::shown(path)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
