//! A small manifest for examples: the documentation's examples share it
//! rather than paste their own copy.

/// Two jobs on EventBridge Scheduler in group `shop`: `reports` (every day
/// at 14:30, `performance-m`, a 24-hour limit) and `fan-out` (every 10
/// minutes).
///
/// ```
/// let m = cronport::manifest::Manifest::from_toml(cronport::manifest::doc::EXAMPLE, "m")?;
/// assert_eq!(m.jobs.len(), 2);
/// # Ok::<(), cronport::manifest::ManifestError>(())
/// ```
pub const EXAMPLE: &str = r#"
[defaults]
cluster = "production"
task_definition = "app-worker"
container = "worker"
role_arn = "arn:aws:iam::123456789012:role/cronport-scheduler"
subnets = ["subnet-0a1b2c3d"]
schedule_group = "shop"

[[job]]
name = "reports"
schedule = "every day at 14:30"
command = "bundle exec rake reports:daily"
size = "performance-m"
timeout = "24h"

[[job]]
name = "fan-out"
schedule = "every 10 minutes"
command = "bundle exec rake push:fan_out"
"#;
