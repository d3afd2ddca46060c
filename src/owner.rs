//! Who owns a resource on AWS: the owner record cronport writes on every
//! resource it manages, and reads back to decide what is its own.
//!
//! A record names the manifest (its `id`), the environment and the job.
//! Rules carry it as tags; schedules, which take no tags, at the start of
//! their description. Ownership is decided by this record alone, exactly:
//! never by name prefixes or suffixes, so two manifests and any number of
//! environments can share an account, a schedule group and a prefix.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// The tag (on rules and schedule groups) and description word that mark
/// what cronport manages.
///
/// ```
/// assert_eq!(cronport::owner::MANAGED_BY, "managed-by");
/// ```
pub const MANAGED_BY: &str = "managed-by";

/// The environment of a manifest without environments, in records.
///
/// ```
/// assert_eq!(cronport::owner::NO_ENVIRONMENT, "-");
/// ```
pub const NO_ENVIRONMENT: &str = "-";

/// The owner record of one managed resource.
///
/// ```
/// use cronport::owner::Owner;
/// let owner = Owner { manifest: "mamorio".into(), env: "prod".into(), job: "daily".into() };
/// let description = format!("{} | At 14:30 every day", owner.marker());
/// assert_eq!(Owner::from_description(&description), Some(owner.clone()));
/// assert_eq!(Owner::from_tags(&owner.tags()), Some(owner));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Owner {
    /// The manifest's `id`.
    pub manifest: String,
    /// The environment (`-` for a manifest without environments).
    pub env: String,
    /// The job's name in the manifest.
    pub job: String,
}

impl Owner {
    /// The description marker of a schedule:
    /// `managed-by=cronport manifest=ID env=ENV job=NAME`.
    ///
    /// ```
    /// let o = cronport::owner::Owner { manifest: "m".into(), env: "-".into(), job: "a".into() };
    /// assert_eq!(o.marker(), "managed-by=cronport manifest=m env=- job=a");
    /// ```
    pub fn marker(&self) -> String {
        format!(
            "{MANAGED_BY}=cronport manifest={} env={} job={}",
            self.manifest, self.env, self.job
        )
    }

    /// The deployment (manifest and environment) this record names.
    ///
    /// ```
    /// let o = cronport::owner::Owner { manifest: "m".into(), env: "prod".into(), job: "a".into() };
    /// assert_eq!(o.deployment().to_string(), "manifest `m`, environment `prod`");
    /// ```
    pub fn deployment(&self) -> Deployment {
        Deployment {
            manifest: self.manifest.clone(),
            env: self.env.clone(),
            ..Deployment::default()
        }
    }

    /// Reads the record at the start of a schedule's description; `None`
    /// when it has none (someone else's schedule, or one cronport 0.1 made).
    ///
    /// ```
    /// use cronport::owner::Owner;
    /// let o = Owner::from_description("managed-by=cronport manifest=m env=- job=a | At 14:30").unwrap();
    /// assert_eq!(o.job, "a");
    /// assert_eq!(Owner::from_description("managed-by=cronport job=a | made by 0.1"), None);
    /// ```
    pub fn from_description(description: &str) -> Option<Owner> {
        let marker = description.split(" | ").next()?;
        let mut words = marker.split(' ');
        if words.next()? != "managed-by=cronport" {
            return None;
        }
        let mut field = |name: &str| {
            words
                .next()?
                .strip_prefix(name)?
                .strip_prefix('=')
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let owner = Owner {
            manifest: field("manifest")?,
            env: field("env")?,
            job: field("job")?,
        };
        words.next().is_none().then_some(owner)
    }

    /// The record as tags (rules): `cronport:manifest`, `cronport:env`,
    /// `cronport:job`, beside `managed-by=cronport`.
    ///
    /// ```
    /// let o = cronport::owner::Owner { manifest: "m".into(), env: "-".into(), job: "a".into() };
    /// assert_eq!(o.tags()["cronport:job"], "a");
    /// assert_eq!(o.tags()["managed-by"], "cronport");
    /// ```
    pub fn tags(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (MANAGED_BY.to_string(), "cronport".to_string()),
            ("cronport:manifest".to_string(), self.manifest.clone()),
            ("cronport:env".to_string(), self.env.clone()),
            ("cronport:job".to_string(), self.job.clone()),
        ])
    }

    /// Reads the record from a rule's tags; `None` without one.
    ///
    /// ```
    /// use cronport::owner::Owner;
    /// let tags = [("managed-by", "cronport")].map(|(k, v)| (k.to_string(), v.to_string())).into();
    /// assert_eq!(Owner::from_tags(&tags), None); // tagged by cronport 0.1: no record
    /// ```
    pub fn from_tags(tags: &BTreeMap<String, String>) -> Option<Owner> {
        if tags.get(MANAGED_BY).map(String::as_str) != Some("cronport") {
            return None;
        }
        Some(Owner {
            manifest: tags.get("cronport:manifest")?.clone(),
            env: tags.get("cronport:env")?.clone(),
            job: tags.get("cronport:job")?.clone(),
        })
    }
}

/// One manifest in one environment: what a plan manages, and what it may
/// delete.
///
/// ```
/// use cronport::owner::{Deployment, Owner};
/// let prod = Deployment { manifest: "m".into(), env: "prod".into(), derived: false, ..Default::default() };
/// assert!(prod.owns(&Owner { manifest: "m".into(), env: "prod".into(), job: "a".into() }));
/// assert!(!prod.owns(&Owner { manifest: "m".into(), env: "pre-prod".into(), job: "a".into() }));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// The manifest's id.
    pub manifest: String,
    /// The environment (`-` without environments).
    pub env: String,
    /// Whether `manifest` was derived (the manifest names no `id`).
    #[serde(skip)]
    pub derived: bool,
    /// Earlier environments of the manifest whose resources this one takes
    /// over (renamed, or added to a live manifest: `-`).
    #[serde(skip)]
    pub takes_over: Vec<String>,
    /// The manifest's other current environments.
    #[serde(skip)]
    pub siblings: Vec<String>,
}

impl Deployment {
    /// Whether a resource with this record is this deployment's, exactly.
    ///
    /// ```
    /// use cronport::owner::{Deployment, Owner};
    /// let d = Deployment { manifest: "m".into(), env: "-".into(), derived: false, ..Default::default() };
    /// assert!(!d.owns(&Owner { manifest: "other".into(), env: "-".into(), job: "a".into() }));
    /// ```
    pub fn owns(&self, owner: &Owner) -> bool {
        owner.manifest == self.manifest && owner.env == self.env
    }

    /// Whether this deployment may write a resource with this record: its
    /// own, or an earlier environment's it takes over.
    ///
    /// ```
    /// use cronport::owner::{Deployment, Owner};
    /// let prod = Deployment { manifest: "m".into(), env: "prod".into(), takes_over: vec!["-".into()], ..Default::default() };
    /// assert!(prod.claims(&Owner { manifest: "m".into(), env: "-".into(), job: "a".into() }));
    /// assert!(!prod.claims(&Owner { manifest: "other".into(), env: "-".into(), job: "a".into() }));
    /// ```
    pub fn claims(&self, owner: &Owner) -> bool {
        self.owns(owner)
            || (owner.manifest == self.manifest && self.takes_over.contains(&owner.env))
    }
}

impl fmt::Display for Deployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "manifest `{}`, environment `{}`",
            self.manifest, self.env
        )
    }
}

impl fmt::Display for Owner {
    /// Read from AWS, so written escaped: a description with a terminal
    /// escape cannot rewrite the plan it is shown in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = crate::escape::one_line;
        write!(
            f,
            "manifest `{}`, environment `{}`, job `{}`",
            shown(&self.manifest),
            shown(&self.env),
            shown(&self.job)
        )
    }
}

/// A fresh manifest id for a new manifest: `cronport-` and 12 random hex
/// digits, so that two manifests imported for one cluster never share an
/// owner record (and never delete each other's schedules).
///
/// ```
/// let (a, b) = (cronport::owner::new_id(), cronport::owner::new_id());
/// assert!(a.starts_with("cronport-") && a.len() == "cronport-".len() + 12);
/// assert_ne!(a, b);
/// ```
pub fn new_id() -> String {
    format!("cronport-{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff)
}

/// A manifest id derived from its `[defaults]` when it names none: stable
/// as long as the cluster is (write `id = "…"` into the manifest to keep it
/// through a cluster rename). FNV-1a, so every build derives the same.
///
/// ```
/// assert_eq!(cronport::owner::derived_id("production"), cronport::owner::derived_id("production"));
/// assert_ne!(cronport::owner::derived_id("production"), cronport::owner::derived_id("staging"));
/// assert!(cronport::owner::derived_id("production").starts_with("auto-"));
/// ```
pub fn derived_id(cluster: &str) -> String {
    derived_with_prefix(cluster)
}

/// How every derived id begins.
///
/// ```
/// assert!(cronport::owner::derived_id("c1").starts_with(cronport::owner::DERIVED_PREFIX));
/// ```
pub const DERIVED_PREFIX: &str = "auto-";

fn derived_with_prefix(cluster: &str) -> String {
    format!("{DERIVED_PREFIX}{}", short_digest(cluster))
}

/// Eight hexadecimal digits of a stable digest of `text` (FNV-1a, 64 bits,
/// the low 32 shown): the same on every machine and in every release, for
/// ids that must not change when other things do.
pub(crate) fn short_digest(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", hash as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_without_every_field_are_no_records() {
        assert_eq!(
            Owner::from_description("managed-by=cronport job=a | x"),
            None
        );
        assert_eq!(Owner::from_description("made by hand"), None);
        assert_eq!(
            Owner::from_description("managed-by=cronport manifest=m env=- job=a extra=1"),
            None
        );
        let mut tags = BTreeMap::from([(MANAGED_BY.to_string(), "cronport".to_string())]);
        assert_eq!(Owner::from_tags(&tags), None);
        tags.insert("cronport:manifest".into(), "m".into());
        tags.insert("cronport:env".into(), "-".into());
        tags.insert("cronport:job".into(), "a".into());
        assert_eq!(Owner::from_tags(&tags).unwrap().job, "a");
    }
}
