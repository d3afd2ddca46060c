//! `cronport convert`.

use std::path::PathBuf;
use std::process::ExitCode;

use cronport::render::{
    Format, MAX_INLINE_TEMPLATE_BYTES, MAX_STACK_RESOURCES, MAX_TEMPLATE_BYTES, TemplateFit,
    render, template_fit,
};

use super::{compile_manifest, print_stdout, write_output};

/// Render a manifest as JSON requests, CloudFormation or Terraform, offline.
///
/// Every schedule is translated exactly and verified first (see `cronport
/// translate`); the output's header says so, and says when year-bounded
/// rules run out.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport convert cronport.toml
  cronport convert cronport.toml --format terraform -o schedules.tf
  cronport convert cronport.toml --format terraform --with-iam -o cronport.tf
  cronport convert cronport.toml --format cloudformation -o template.json

  # The request `apply` sends, containers fitted to each job's size:
  aws ecs describe-task-definition --task-definition app-worker > app-worker.json
  cronport convert cronport.toml --task-definition app-worker.json")]
pub struct Args {
    /// The manifest (`-` for standard input).
    #[arg(default_value = "cronport.toml")]
    manifest: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ConvertFormat::Json)]
    format: ConvertFormat,
    /// Where to write (`-` or absent: standard output).
    #[arg(short, long, value_name = "FILE")]
    output: Option<String>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
    /// The environment (`[env.NAME]`) to render; required when the
    /// manifest has environments.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// A task definition as `aws ecs describe-task-definition
    /// --task-definition NAME` prints it (repeat for each one the jobs
    /// use): each job's container is fitted to its size as `apply` fits
    /// it, so the files send what `apply` would.
    #[arg(long = "task-definition", value_name = "FILE")]
    task_definitions: Vec<String>,
    /// With --format terraform: the roles the schedules assume in the same
    /// file (as `cronport iam` writes them), each schedule naming its role
    /// by reference, so Terraform creates the role first.
    #[arg(long)]
    with_iam: bool,
    #[command(flatten)]
    window: super::Window,
}

pub fn run(args: Args) -> Result<ExitCode, super::Failure> {
    try_run(&args)
}

fn try_run(args: &Args) -> Result<ExitCode, super::Failure> {
    let desired = compile_manifest(
        &args.manifest,
        args.env.as_deref(),
        || args.window.compile_options(),
        Some(": add [[job]] tables, or write it with `cronport import`"),
    )?;
    if args.with_iam && args.format != ConvertFormat::Terraform {
        return Err("--with-iam writes the roles beside the schedules in Terraform only (--format terraform); for the other formats, render the roles with `cronport iam`".to_string().into());
    }
    let definitions =
        super::read_task_definitions(&args.manifest, &args.task_definitions, &desired)?;
    if args.with_iam {
        super::one_account(&cronport::render::roles(&desired, &definitions), true)?;
    }
    let desired = fit(&desired, &definitions)?;
    let format = args.format.render();
    let out = if args.with_iam {
        cronport::render::terraform_with_iam(&desired, &definitions)
    } else {
        render(&desired, format)
    };
    eprintln!("{}", cronport::render::proof_summary(&desired));
    for warning in cronport::plan::files_quota_warnings(&desired) {
        super::advise("warning", &warning.to_string());
    }
    if format == Format::Cloudformation {
        match template_fit(&out) {
            TemplateFit::Inline => {}
            TemplateFit::NeedsS3 { bytes } => eprintln!(
                "note: the template is {bytes} bytes; CloudFormation takes at most {MAX_INLINE_TEMPLATE_BYTES} inline, so deploy it through S3: aws cloudformation deploy --template-file FILE --stack-name cronport --s3-bucket BUCKET"
            ),
            TemplateFit::TooLarge { bytes } => {
                return Err(format!(
                    "the template would be {bytes} bytes; CloudFormation takes at most {MAX_TEMPLATE_BYTES}, even from S3: split the jobs into several manifests (or environments), or use --format terraform"
                ).into());
            }
            TemplateFit::TooManyResources { resources } => {
                return Err(format!(
                    "the template would hold {resources} resources; one CloudFormation stack holds at most {MAX_STACK_RESOURCES}: split the jobs into several manifests (or environments), or use --format terraform"
                ).into());
            }
        }
    }
    match args.output.as_deref() {
        None | Some("-") => print_stdout(&out).map_err(|e| e.to_string())?,
        Some(path) => {
            write_output(&PathBuf::from(path), &out, args.force)?;
            let count: usize = desired.jobs.iter().map(|j| j.resources.len()).sum();
            eprintln!(
                "wrote {count} schedules for {} jobs to {}",
                desired.jobs.len(),
                super::shown(path)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The jobs fitted to the task definitions given, as `apply` fits them
/// to the ones it reads; the jobs left unfitted are named.
fn fit(
    desired: &cronport::desired::Desired,
    definitions: &[cronport::fit::TaskDefinitionFile],
) -> Result<cronport::desired::Desired, super::Failure> {
    use cronport::fit::{facts_from_files, unfitted};
    let lines = |notes: Vec<cronport::fit::JobNote>| {
        super::Failure::Errors(notes.iter().map(ToString::to_string).collect())
    };
    let facts = facts_from_files(desired, definitions).map_err(|e| lines(e.jobs))?;
    let fitted = cronport::fit::fit(desired, &facts);
    if !fitted.problems.is_empty() {
        return Err(lines(fitted.problems));
    }
    for note in &fitted.notes {
        super::advise("note", &note.to_string());
    }
    let left = unfitted(desired, &facts);
    for note in &left {
        super::advise("note", &note.to_string());
    }
    if !left.is_empty() {
        eprintln!(
            "note: to render the request `apply` sends, give each job's task definition: aws ecs describe-task-definition --task-definition NAME > FILE, then --task-definition FILE"
        );
    }
    Ok(fitted.desired)
}

/// `--format`'s values (the library's [`Format`] knows no command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ConvertFormat {
    /// The exact request bodies, for `aws … --cli-input-json`.
    Json,
    /// An AWS CloudFormation template (JSON).
    Cloudformation,
    /// Terraform configuration (HCL).
    Terraform,
}

impl ConvertFormat {
    fn render(self) -> Format {
        match self {
            ConvertFormat::Json => Format::Json,
            ConvertFormat::Cloudformation => Format::Cloudformation,
            ConvertFormat::Terraform => Format::Terraform,
        }
    }
}
