//! `cronport iam`.

use std::path::PathBuf;
use std::process::ExitCode;

use cronport::render::{IamFormat, render_iam};

use super::{compile_manifest, print_stdout, write_output};

/// Render the IAM role(s) the schedules assume, offline.
///
/// One role per `role_arn` in the manifest: trust for
/// scheduler.amazonaws.com (or events.amazonaws.com for rules) from the
/// role's own account, ecs:RunTask on the jobs' task definitions,
/// ecs:RunTask on the jobs' task definitions and clusters only,
/// iam:PassRole only towards ECS tasks (iam:PassedToService =
/// ecs-tasks.amazonaws.com; with --task-definition, only the roles the task
/// definitions name), sqs:SendMessage on dead-letter queues, and the queue
/// policy a dead-letter queue of EventBridge rules needs.
/// `cronport plan` checks the live role's trust before any write.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport iam cronport.toml --format terraform -o iam.tf
  cronport iam --task-definition app-worker.json   # PassRole on its roles only
  cronport iam --format cloudformation -o role.json
  cronport iam --env production")]
pub struct Args {
    /// The manifest (`-` for standard input).
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Where to write (`-` or absent: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
    /// The environment (`[env.NAME]`); required when the manifest has
    /// environments.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// A task definition as `aws ecs describe-task-definition
    /// --task-definition NAME` prints it (repeat for each): iam:PassRole
    /// is then limited to the task and execution roles it names.
    #[arg(long = "task-definition", value_name = "FILE")]
    task_definitions: Vec<String>,
    /// For a Unix schedule restricting both day-of-month and day-of-week,
    /// as `convert` takes it: the manifest must compile for its roles to
    /// be rendered.
    #[arg(long, value_parser = super::dom_dow_names(), default_value_t = cronport::translate::DomDow::Refuse)]
    dom_dow: cronport::translate::DomDow,
}

/// The formats, as the flag spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// The role and policy, as `aws iam create-role` and `put-role-policy` take them.
    Json,
    /// An AWS CloudFormation template with `AWS::IAM::Role` resources.
    Cloudformation,
    /// Terraform `aws_iam_role` and `aws_iam_role_policy` resources.
    Terraform,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    try_run(&args)
}

fn try_run(args: &Args) -> Result<ExitCode, super::Failure> {
    // The roles depend on the jobs' targets, not on when they run (a
    // dead-letter queue's policy names each job's rules by pattern): the
    // window is `convert`'s default, so both refuse the same schedules.
    let desired = compile_manifest(
        &args.manifest,
        args.env.as_deref(),
        || {
            Ok(cronport::desired::CompileOptions {
                dom_dow: args.dom_dow,
                ..cronport::desired::CompileOptions::starting(super::now())
            })
        },
        Some(", so no role to render"),
    )?;
    let format = match args.format {
        Format::Json => IamFormat::Json,
        Format::Cloudformation => IamFormat::Cloudformation,
        Format::Terraform => IamFormat::Terraform,
    };
    let definitions =
        super::read_task_definitions(&args.manifest, &args.task_definitions, &desired)?;
    let roles = cronport::render::roles(&desired, &definitions);
    super::one_account(&roles, args.format != Format::Json)?;
    if roles.iter().any(|r| r.task_roles.is_none()) {
        eprintln!(
            "note: iam:PassRole allows any role, passed only to ECS tasks; to name the task and execution roles instead, give every job's task definition: aws ecs describe-task-definition --task-definition NAME > FILE, then --task-definition FILE"
        );
    }
    for queue in cronport::render::queue_policies(&desired) {
        eprintln!(
            "note: the queue policy for {} (EventBridge rules send failed deliveries to it) replaces the queue's own: merge them if it has one",
            queue.queue_arn
        );
    }
    let out = render_iam(&desired, &definitions, format);
    match args.output.as_deref() {
        None | Some("-") => print_stdout(&out).map_err(|e| e.to_string())?,
        Some(path) => {
            write_output(&PathBuf::from(path), &out, args.force)?;
            eprintln!("wrote {} role(s) to {}", roles.len(), super::shown(path));
        }
    }
    Ok(ExitCode::SUCCESS)
}
