//! A run's time limit, enforced in the container as Heroku enforced it on a
//! Scheduler dyno: SIGTERM when the time is up, SIGKILL 30 seconds later.

use std::{fmt, str::FromStr};

use serde::Serialize;

/// Seconds between SIGTERM and SIGKILL, as on Heroku.
///
/// ```
/// assert_eq!(cronport::task::KILL_AFTER_SECONDS, 30);
/// ```
pub const KILL_AFTER_SECONDS: u32 = 30;

/// How long a run may take.
///
/// ```
/// use cronport::task::TimeLimit;
/// let limit: TimeLimit = "1h30m".parse()?;
/// assert_eq!(limit.seconds(), 5400);
/// assert_eq!(limit.to_string(), "1h30m");
/// assert_eq!("1d".parse::<TimeLimit>()?.to_string(), "24h");
/// assert_eq!(TimeLimit::setting("none")?, None);
/// # Ok::<(), cronport::task::TimeLimitError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct TimeLimit {
    seconds: u32,
}

/// Why a time limit did not parse.
///
/// ```
/// let err = "10 minutes".parse::<cronport::task::TimeLimit>().unwrap_err();
/// assert!(err.to_string().contains("such as \"10m\""));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "timeout `{text}` is not a duration: write a number and a unit (s, m, h, d), such as \"10m\", \"1h30m\" or \"24h\", or \"none\"{why}"
)]
pub struct TimeLimitError {
    text: String,
    why: &'static str,
}

impl TimeLimit {
    /// A limit of `seconds` (at least 1).
    ///
    /// ```
    /// use cronport::task::TimeLimit;
    /// assert_eq!(TimeLimit::from_seconds(600).map(|t| t.to_string()), Some("10m".to_string()));
    /// assert_eq!(TimeLimit::from_seconds(0), None);
    /// ```
    pub fn from_seconds(seconds: u32) -> Option<TimeLimit> {
        (seconds > 0).then_some(TimeLimit { seconds })
    }

    /// A manifest's `timeout` setting: `"none"` is no limit.
    ///
    /// ```
    /// use cronport::task::TimeLimit;
    /// assert_eq!(TimeLimit::setting("24h")?.map(|t| t.seconds()), Some(86_400));
    /// assert_eq!(TimeLimit::setting("NONE")?, None);
    /// assert!(TimeLimit::setting("0s").is_err());
    /// # Ok::<(), cronport::task::TimeLimitError>(())
    /// ```
    pub fn setting(text: &str) -> Result<Option<TimeLimit>, TimeLimitError> {
        if text.trim().eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        text.parse().map(Some)
    }

    /// The limit in seconds.
    ///
    /// ```
    /// assert_eq!("2d".parse::<cronport::task::TimeLimit>()?.seconds(), 172_800);
    /// # Ok::<(), cronport::task::TimeLimitError>(())
    /// ```
    pub fn seconds(self) -> u32 {
        self.seconds
    }

    /// `command` run under the limit: `timeout -k 30 SECONDS command…`,
    /// which GNU coreutils and BusyBox both read (SIGTERM at the limit,
    /// SIGKILL 30 seconds later; exit status 124 when it struck).
    ///
    /// ```
    /// use cronport::task::TimeLimit;
    /// let limit: TimeLimit = "10m".parse()?;
    /// assert_eq!(limit.wrap(vec!["rake".into(), "x".into()]), ["timeout", "-k", "30", "600", "rake", "x"]);
    /// # Ok::<(), cronport::task::TimeLimitError>(())
    /// ```
    pub fn wrap(self, command: Vec<String>) -> Vec<String> {
        let mut wrapped = vec![
            "timeout".to_string(),
            "-k".to_string(),
            KILL_AFTER_SECONDS.to_string(),
            self.seconds.to_string(),
        ];
        wrapped.extend(command);
        wrapped
    }
}

impl FromStr for TimeLimit {
    type Err = TimeLimitError;

    fn from_str(text: &str) -> Result<TimeLimit, TimeLimitError> {
        let error = |why| TimeLimitError {
            text: text.to_string(),
            why,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error(""));
        }
        let mut total: u64 = 0;
        let mut number: Option<u64> = None;
        for c in trimmed.chars() {
            match c {
                '0'..='9' => {
                    let digit = u64::from(c as u8 - b'0');
                    number = Some(number.unwrap_or(0).saturating_mul(10).saturating_add(digit));
                }
                's' | 'm' | 'h' | 'd' => {
                    let n = number.take().ok_or_else(|| error(""))?;
                    let unit = match c {
                        's' => 1,
                        'm' => 60,
                        'h' => 3600,
                        _ => 86_400,
                    };
                    total = total.saturating_add(n.saturating_mul(unit));
                }
                _ => return Err(error("")),
            }
        }
        if number.is_some() {
            return Err(error(" (the last number has no unit)"));
        }
        match u32::try_from(total) {
            Ok(0) => Err(error(" (it must be at least 1s)")),
            Ok(seconds) => Ok(TimeLimit { seconds }),
            Err(_) => Err(error(" (it is longer than 136 years)")),
        }
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.seconds;
        // Hours rather than days: Heroku's daily jobs stop after "24h".
        for (unit, size) in [("h", 3600), ("m", 60), ("s", 1)] {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}
