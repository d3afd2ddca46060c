//! Why a change is what it is: typed, so that code decides on the kind and
//! people read the `Display`.

use std::fmt;

use serde::{Serialize, Serializer};

use super::Address;
use crate::Hint;
use crate::owner::Owner;

/// Why a resource in the way is not this deployment's to write: the reason
/// of an [`Action::Conflict`](super::Action::Conflict).
///
/// ```
/// use cronport::{owner::Owner, plan::Foreign};
/// let theirs = Foreign::OwnedBy {
///     owner: Owner { manifest: "billing".into(), env: "-".into(), job: "daily".into() },
///     same_environment: false,
/// };
/// assert_eq!(theirs.to_string(), "it belongs to manifest `billing`, environment `-`, job `daily`");
/// assert_eq!(Foreign::Unrecorded { kind: "rule" }.hint(), Some(cronport::Hint::Adopt));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Foreign {
    /// Another deployment's owner record is on it.
    OwnedBy {
        /// The record.
        owner: Owner,
        /// The record names this deployment's environment under another
        /// manifest id: most often this very manifest before its `id`
        /// changed.
        same_environment: bool,
    },
    /// cronport 0.1 made it, without an owner record.
    Unrecorded {
        /// `schedule` or `rule`.
        kind: &'static str,
    },
    /// Nothing says it is cronport's.
    Unmanaged {
        /// `schedule` or `rule`.
        kind: &'static str,
    },
}

impl Foreign {
    /// What the caller can do about it, if anything.
    ///
    /// ```
    /// assert_eq!(cronport::plan::Foreign::Unmanaged { kind: "rule" }.hint(), None);
    /// ```
    pub fn hint(&self) -> Option<Hint> {
        match self {
            Foreign::Unrecorded { .. } => Some(Hint::Adopt),
            Foreign::OwnedBy { .. } | Foreign::Unmanaged { .. } => None,
        }
    }
}

impl fmt::Display for Foreign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Foreign::OwnedBy {
                owner,
                same_environment: true,
            } => write!(
                f,
                "it belongs to {owner} (if that is this manifest under its earlier id, write id = \"{}\" at its top)",
                owner.manifest
            ),
            Foreign::OwnedBy { owner, .. } => write!(f, "it belongs to {owner}"),
            Foreign::Unrecorded { kind } => {
                write!(f, "a {kind} cronport 0.1 made, without an owner record")
            }
            Foreign::Unmanaged { kind } => write!(
                f,
                "a {kind} with this name exists that cronport does not manage"
            ),
        }
    }
}

/// As its sentence, with the remedy in the library's words.
impl Serialize for Foreign {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.hint() {
            Some(hint) => s.collect_str(&format_args!("{self}: {hint}")),
            None => s.collect_str(self),
        }
    }
}

/// Why this deployment deletes a resource it owns.
///
/// ```
/// use cronport::plan::{Address, DeleteReason};
/// let moved = DeleteReason::RunsElsewhere {
///     job: "daily".into(),
///     now: vec![Address::Schedule { group: "shop".into(), name: "cronport-daily".into() }],
/// };
/// assert_eq!(moved.to_string(), "job daily now runs as schedule shop/cronport-daily");
/// let gone = DeleteReason::LeftManifest { job: "old".into() };
/// assert_eq!(gone.to_string(), "job old is no longer in the manifest");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeleteReason {
    /// The job is no longer in the manifest.
    LeftManifest {
        /// The job's name.
        job: String,
    },
    /// The job runs as other resources now (renamed, moved to another
    /// group or prefix, or another backend).
    RunsElsewhere {
        /// The job's name.
        job: String,
        /// Where it runs now.
        now: Vec<Address>,
    },
    /// The manifest no longer keeps a run record (`run_history_days`), or
    /// keeps it under another name; its log group is kept.
    RecordOff,
    /// The manifest no longer tells this alert rule's topic of failures
    /// (`notify`).
    AlertOff,
}

impl fmt::Display for DeleteReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeleteReason::LeftManifest { job } => {
                write!(f, "job {job} is no longer in the manifest")
            }
            DeleteReason::RunsElsewhere { job, now, .. } => {
                let now: Vec<String> = now.iter().map(Address::to_string).collect();
                write!(f, "job {job} now runs as {}", now.join(", "))
            }
            DeleteReason::AlertOff => write!(
                f,
                "no job of the manifest tells this rule's topic any more (notify); the topic is kept"
            ),
            DeleteReason::RecordOff => write!(
                f,
                "the manifest keeps no run record by this name (its log group and the history in it are kept)"
            ),
        }
    }
}

/// As its sentence.
impl Serialize for DeleteReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
