//! What a user can do next, named by what it does rather than by a
//! command-line flag. The library knows no CLI: its messages end where the
//! remedy begins, and carry a [`Hint`] that the binary words as flags
//! (`--adopt`, `--prune`, …) and a library user words as options.

use std::fmt;

use jiff::Timestamp;

/// A remedy the library suggests, for the front end to word.
///
/// Its [`Display`](fmt::Display) says it in the library's own terms (the
/// option or setting to use); the `cronport` binary words each as its flag.
///
/// ```
/// use cronport::Hint;
/// assert_eq!(Hint::Adopt.to_string(), "plan with the adopt option if it is cronport's");
/// ```
// Not `#[non_exhaustive]`: a front end matches every variant, so a new
// remedy cannot reach a user in the library's words by accident.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Hint {
    /// Take over a resource with no owner record (`PlanOptions::adopt`).
    Adopt,
    /// Rewrite an adopted resource as the manifest says (apply adopting).
    AdoptRewrites,
    /// Plan a manifest with no jobs, deleting what it owns
    /// (`PlanOptions::prune`).
    Prune,
    /// Take over an earlier environment's resources (`replaces` in the
    /// environment's table): moved, no run doubled.
    TakeOver {
        /// The earlier environment.
        env: String,
    },
    /// Keep a hold by planning with this start instant (`start_at`), or
    /// release it on purpose (`PlanOptions::release_holds`).
    KeepHold {
        /// The held instant.
        until: Timestamp,
    },
    /// Choose one of the manifest's environments.
    ChooseEnvironment,
    /// Give credentials: a profile, or the standard key variables.
    Credentials,
    /// Give a region.
    Region,
    /// Check the account and region the credentials reach.
    AccountAndRegion,
    /// Check the account the credentials reach.
    Account,
    /// Render the role (IAM) and create it.
    RenderRole,
    /// Give the role's ARN.
    RoleArn,
    /// Enable held rules at the cutover instant.
    CutoverAt {
        /// The instant.
        at: Timestamp,
    },
    /// Run the migration's first half before finishing it.
    MigrateFirst,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::Adopt => f.write_str("plan with the adopt option if it is cronport's"),
            Hint::AdoptRewrites => f.write_str("applying with the adopt option rewrites it"),
            Hint::Prune => f.write_str("plan with the prune option to plan that"),
            Hint::TakeOver { env } => write!(
                f,
                "write replaces = [\"{env}\"] in this environment's [env.…] table: the next apply takes them over (moves them, or deletes them where this environment runs the job already), no run doubled"
            ),
            Hint::KeepHold { until } => write!(
                f,
                "plan with start_at = {until} to keep the hold, or with the release_holds option to start them now"
            ),
            Hint::ChooseEnvironment => f.write_str("choose one"),
            Hint::Credentials => {
                f.write_str("use a profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
            }
            Hint::Region => f.write_str("set AWS_REGION, or give the profile a region"),
            Hint::AccountAndRegion => f.write_str("check the region and the profile"),
            Hint::Account => f.write_str("check the account"),
            Hint::RenderRole => f.write_str("render it with cronport::render::iam"),
            Hint::RoleArn => f.write_str("set role_arn"),
            Hint::CutoverAt { at } => write!(f, "the cutover at {at} enables them then"),
            Hint::MigrateFirst => f.write_str("migrate first, then finish"),
        }
    }
}

/// Something a person should know, with the remedy where it is the
/// caller's to give: a warning's text and its [`Hint`].
///
/// ```
/// use cronport::{Advice, Hint};
/// let a = Advice { text: "the rules are held".into(), hint: Some(Hint::Prune) };
/// assert_eq!(a.to_string(), "the rules are held: plan with the prune option to plan that");
/// assert_eq!(Advice::from("plain".to_string()).hint, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Advice {
    /// What to know.
    pub text: String,
    /// What the caller can do, if it is an option of theirs.
    #[serde(skip)]
    pub hint: Option<Hint>,
}

impl From<String> for Advice {
    fn from(text: String) -> Advice {
        Advice { text, hint: None }
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        match &self.hint {
            Some(hint) => write!(f, ": {hint}"),
            None => Ok(()),
        }
    }
}
