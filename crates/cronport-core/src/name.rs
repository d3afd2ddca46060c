//! The short names the core's option enums are written as, in manifests,
//! JSON and on a command line: one `FromStr` error for all of them.

/// A name that is not one of an option's values.
///
/// ```
/// use cronport_core::Backend;
/// let err = "scheduller".parse::<Backend>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown backend `scheduller`; use one of scheduler, rules");
/// assert_eq!(err.expected(), ["scheduler", "rules"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{found}`; use one of {}", expected.join(", "))]
pub struct UnknownName {
    what: &'static str,
    found: String,
    expected: &'static [&'static str],
}

impl UnknownName {
    /// The names that would have been accepted.
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

/// Looks `found` up in `table` of (name, value) pairs.
pub(crate) fn lookup<T: Copy>(
    what: &'static str,
    found: &str,
    names: &'static [&'static str],
    values: &[T],
) -> Result<T, UnknownName> {
    names
        .iter()
        .position(|name| *name == found)
        .map(|i| values[i])
        .ok_or_else(|| UnknownName {
            what,
            found: found.to_string(),
            expected: names,
        })
}
