//! The ECS task a job runs: how its command runs, how big the task is, and
//! the RunTask request that starts it.
//!
//! * [`Command::from_heroku`] runs a Heroku command the way Heroku ran it:
//!   as an argv only when bash would have run exactly that argv (leading
//!   `NAME=value` words become environment overrides), through
//!   `/bin/bash -c` otherwise, with the reason recorded for the rendered
//!   output.
//! * [`FargateSize`] maps Heroku dyno sizes to valid Fargate task sizes
//!   (the table is [`DYNO_SIZES`]) and checks explicit cpu/memory pairs.
//! * [`RunTask`] is the one ECS RunTask request a run makes, spelled in
//!   PascalCase for Scheduler's universal target and camelCase for ECS.

mod command;
mod placement;
mod read_back;
mod run_task;
mod time_limit;

use std::fmt;

use serde::Serialize;

pub use command::{BASH, Command};
pub use placement::{CapacityProvider, LaunchType};
pub(crate) use read_back::command_text;
#[cfg(feature = "aws")]
pub(crate) use read_back::read_argv;
pub use run_task::{Awsvpc, Casing, ContainerOverride, RunTask, TaskOverrides, started_by};
pub use time_limit::{KILL_AFTER_SECONDS, TimeLimit, TimeLimitError};

/// A Fargate task size: CPU units and memory in MiB.
///
/// ```
/// let size = cronport::task::FargateSize::for_dyno("standard-2x")?;
/// assert_eq!(size.to_string(), "cpu 512 / memory 1024 MiB");
/// # Ok::<(), cronport::task::SizeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FargateSize {
    /// CPU units (1024 = 1 vCPU).
    pub cpu: u32,
    /// Memory in MiB.
    pub memory: u32,
}

impl fmt::Display for FargateSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cpu {} / memory {} MiB", self.cpu, self.memory)
    }
}

/// Heroku dyno sizes and the Fargate size cronport gives each: memory at
/// least the dyno's RAM, CPU the smallest Fargate allows for that memory
/// (dedicated Performance dynos get their vCPU count). Case and `_`/`-`
/// do not matter when matching.
///
/// ```
/// use cronport::task::{DYNO_SIZES, FargateSize};
/// let (name, size, heroku) = DYNO_SIZES.iter().find(|d| d.0 == "standard-2x").unwrap();
/// assert_eq!((*name, *heroku), ("standard-2x", "1 GB, shared"));
/// assert_eq!(*size, FargateSize { cpu: 512, memory: 1024 });
/// ```
pub const DYNO_SIZES: [(&str, FargateSize, &str); 23] = [
    (
        "eco",
        FargateSize {
            cpu: 256,
            memory: 512,
        },
        "512 MB, shared",
    ),
    (
        "basic",
        FargateSize {
            cpu: 256,
            memory: 512,
        },
        "512 MB, shared",
    ),
    (
        "free",
        FargateSize {
            cpu: 256,
            memory: 512,
        },
        "512 MB, shared (retired)",
    ),
    (
        "hobby",
        FargateSize {
            cpu: 256,
            memory: 512,
        },
        "512 MB, shared (retired)",
    ),
    (
        "standard-1x",
        FargateSize {
            cpu: 256,
            memory: 512,
        },
        "512 MB, shared",
    ),
    (
        "standard-2x",
        FargateSize {
            cpu: 512,
            memory: 1024,
        },
        "1 GB, shared",
    ),
    (
        "performance-m",
        FargateSize {
            cpu: 2048,
            memory: 4096,
        },
        "2.5 GB, 2 dedicated vCPU",
    ),
    (
        "performance-l",
        FargateSize {
            cpu: 8192,
            memory: 16384,
        },
        "14 GB, 8 dedicated vCPU",
    ),
    (
        "performance-l-ram",
        FargateSize {
            cpu: 4096,
            memory: 30720,
        },
        "30 GB, 4 dedicated vCPU",
    ),
    (
        "performance-xl",
        FargateSize {
            cpu: 16384,
            memory: 65536,
        },
        "62 GB, 8 dedicated vCPU",
    ),
    (
        "performance-2xl",
        FargateSize {
            cpu: 16384,
            memory: 122880,
        },
        "126 GB; Fargate's largest is 120 GB",
    ),
    (
        "private-s",
        FargateSize {
            cpu: 512,
            memory: 1024,
        },
        "1 GB (Private Spaces)",
    ),
    (
        "private-m",
        FargateSize {
            cpu: 2048,
            memory: 4096,
        },
        "2.5 GB (Private Spaces)",
    ),
    (
        "private-l",
        FargateSize {
            cpu: 8192,
            memory: 16384,
        },
        "14 GB (Private Spaces)",
    ),
    (
        "shield-s",
        FargateSize {
            cpu: 512,
            memory: 1024,
        },
        "1 GB (Shield Spaces)",
    ),
    (
        "shield-m",
        FargateSize {
            cpu: 2048,
            memory: 4096,
        },
        "2.5 GB (Shield Spaces)",
    ),
    (
        "shield-l",
        FargateSize {
            cpu: 8192,
            memory: 16384,
        },
        "14 GB (Shield Spaces)",
    ),
    (
        "private-l-ram",
        FargateSize {
            cpu: 4096,
            memory: 30720,
        },
        "30 GB (Private Spaces)",
    ),
    (
        "private-xl",
        FargateSize {
            cpu: 16384,
            memory: 65536,
        },
        "62 GB (Private Spaces)",
    ),
    (
        "private-2xl",
        FargateSize {
            cpu: 16384,
            memory: 122880,
        },
        "126 GB (Private Spaces); Fargate's largest is 120 GB",
    ),
    (
        "shield-l-ram",
        FargateSize {
            cpu: 4096,
            memory: 30720,
        },
        "30 GB (Shield Spaces)",
    ),
    (
        "shield-xl",
        FargateSize {
            cpu: 16384,
            memory: 65536,
        },
        "62 GB (Shield Spaces)",
    ),
    (
        "shield-2xl",
        FargateSize {
            cpu: 16384,
            memory: 122880,
        },
        "126 GB (Shield Spaces); Fargate's largest is 120 GB",
    ),
];

/// Why a size was refused.
///
/// ```
/// use cronport::task::{FargateSize, SizeError};
/// let err = FargateSize::for_dyno("Standard-3X").unwrap_err();
/// assert_eq!(err, SizeError::UnknownDyno("Standard-3X".into()));
/// assert!(err.to_string().starts_with("unknown dyno size `Standard-3X`; use one of eco, basic"));
/// assert!(matches!(FargateSize::new(256, 4096), Err(SizeError::InvalidPair { cpu: 256, memory: 4096, .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// Not a Heroku dyno size.
    #[error("unknown dyno size `{0}`; use one of {known}", known = DYNO_SIZES.map(|d| d.0).join(", "))]
    UnknownDyno(String),
    /// Outside what EC2 capacity takes: 128–196,608 CPU units, memory at
    /// least 6 MiB.
    #[error(
        "cpu {cpu} with memory {memory} MiB is not a task size ECS takes on EC2: cpu must be 128–196608 units (0.125–192 vCPU) and memory at least 1 MiB"
    )]
    OutOfRangeOnEc2 {
        /// CPU units asked for.
        cpu: u32,
        /// Memory asked for.
        memory: u32,
    },
    /// Not a Fargate cpu/memory pair.
    #[error("cpu {cpu} with memory {memory} MiB is not a Fargate task size; {valid}")]
    InvalidPair {
        /// CPU units asked for.
        cpu: u32,
        /// Memory asked for.
        memory: u32,
        /// The valid choices, as text.
        valid: String,
    },
}

impl FargateSize {
    /// The Fargate size for a Heroku dyno size such as `Standard-2X`.
    ///
    /// ```
    /// use cronport::task::FargateSize;
    /// assert_eq!(FargateSize::for_dyno("Performance-M")?, FargateSize { cpu: 2048, memory: 4096 });
    /// assert!(FargateSize::new(1024, 3072).is_ok());
    /// assert!(FargateSize::new(256, 4096).is_err());
    /// # Ok::<(), cronport::task::SizeError>(())
    /// ```
    pub fn for_dyno(dyno: &str) -> Result<FargateSize, SizeError> {
        let key = dyno.trim().to_ascii_lowercase().replace('_', "-");
        DYNO_SIZES
            .iter()
            .find(|(name, _, _)| *name == key)
            .map(|(_, size, _)| *size)
            .ok_or_else(|| SizeError::UnknownDyno(dyno.to_string()))
    }

    /// An explicit pair for a task that runs on EC2 capacity, which takes
    /// any size from 128 to 196,608 CPU units (ECS's RegisterTaskDefinition
    /// reference), not only Fargate's table.
    ///
    /// ```
    /// use cronport::task::FargateSize;
    /// assert!(FargateSize::on_ec2(768, 1500).is_ok());
    /// assert!(FargateSize::new(768, 1500).is_err());
    /// assert!(FargateSize::on_ec2(64, 1500).is_err());
    /// ```
    pub fn on_ec2(cpu: u32, memory: u32) -> Result<FargateSize, SizeError> {
        if (128..=196_608).contains(&cpu) && memory >= 6 {
            Ok(FargateSize { cpu, memory })
        } else {
            Err(SizeError::OutOfRangeOnEc2 { cpu, memory })
        }
    }

    /// An explicit pair, checked against the sizes Fargate offers.
    ///
    /// ```
    /// use cronport::task::{FargateSize, SizeError};
    /// assert!(FargateSize::new(2048, 8192).is_ok());
    /// assert!(matches!(FargateSize::new(2048, 2048), Err(SizeError::InvalidPair { .. })));
    /// ```
    pub fn new(cpu: u32, memory: u32) -> Result<FargateSize, SizeError> {
        let valid = FARGATE_MEMORY
            .iter()
            .find(|(c, _, _, _)| *c == cpu)
            .is_some_and(|&(_, lo, hi, step)| {
                memory >= lo && memory <= hi && (memory - lo).is_multiple_of(step)
            });
        if valid {
            return Ok(FargateSize { cpu, memory });
        }
        let choices: Vec<String> = FARGATE_MEMORY
            .iter()
            .map(|(c, lo, hi, step)| format!("cpu {c}: memory {lo}–{hi} in steps of {step}"))
            .collect();
        Err(SizeError::InvalidPair {
            cpu,
            memory,
            valid: format!("valid pairs are {}", choices.join("; ")),
        })
    }
}

/// Fargate's task sizes: cpu units, then memory from, to, in steps (MiB).
const FARGATE_MEMORY: [(u32, u32, u32, u32); 7] = [
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// A readable AWS-safe name for a command: lower case, words joined by
/// `-`, `bundle exec` dropped, at most 32 characters (cut at a word), so
/// that a prefix and an environment suffix still fit AWS's 64.
///
/// ```
/// assert_eq!(cronport::import::name_from_command("rake reports:daily"), "rake-reports-daily");
/// assert_eq!(cronport::import::name_from_command("bundle exec rails runner 'Sync.call'"), "rails-runner-sync-call");
/// assert_eq!(cronport::import::name_from_command("RAILS_ENV=production rake x"), "rake-x");
/// ```
pub fn name_from_command(command: &str) -> String {
    // Leading `NAME=value` words set the environment; the program follows.
    let program = match Command::from_heroku(command) {
        Command::Argv { argv, environment } if !environment.is_empty() => argv.join(" "),
        _ => command.to_string(),
    };
    let command = program.trim().replace("bundle exec ", "");
    let mut name = String::new();
    for c in command.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let mut name = name.trim_end_matches('-').to_string();
    if name.len() > MAX_DERIVED_NAME {
        let cut = name[..MAX_DERIVED_NAME]
            .rfind('-')
            .unwrap_or(MAX_DERIVED_NAME);
        name.truncate(cut);
    }
    if name.is_empty() {
        "job".to_string()
    } else {
        name
    }
}

/// The longest name derived from a command.
const MAX_DERIVED_NAME: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dyno_table_gives_valid_fargate_sizes() {
        for (name, size, _) in DYNO_SIZES {
            assert_eq!(FargateSize::new(size.cpu, size.memory), Ok(size), "{name}");
        }
        assert_eq!(
            FargateSize::for_dyno("Standard-2X").unwrap(),
            FargateSize {
                cpu: 512,
                memory: 1024
            }
        );
        assert_eq!(FargateSize::for_dyno("performance_m").unwrap().cpu, 2048);
        assert!(matches!(
            FargateSize::for_dyno("huge"),
            Err(SizeError::UnknownDyno(_))
        ));
    }

    #[test]
    fn invalid_pairs_list_the_valid_ones() {
        let err = FargateSize::new(256, 4096).unwrap_err().to_string();
        assert!(
            err.contains("cpu 256: memory 512–2048 in steps of 512"),
            "{err}"
        );
        assert!(FargateSize::new(1024, 3072).is_ok());
        assert!(FargateSize::new(8192, 20480).is_ok());
        assert!(FargateSize::new(8192, 18432).is_err());
    }
}
