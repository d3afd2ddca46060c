//! Where ECS places a task: its launch type or capacity providers.

use serde::{Deserialize, Serialize};

/// ECS launch types.
///
/// ```
/// use cronport::manifest::{LaunchType, Settings};
/// let s: Settings = toml::from_str("launch_type = \"EC2\"")?;
/// assert_eq!(s.launch_type, Some(LaunchType::Ec2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchType {
    /// AWS Fargate.
    #[serde(rename = "FARGATE")]
    Fargate,
    /// EC2 instances in the cluster.
    #[serde(rename = "EC2")]
    Ec2,
}

impl LaunchType {
    /// The name ECS and EventBridge use.
    ///
    /// ```
    /// assert_eq!(cronport::manifest::LaunchType::Fargate.as_str(), "FARGATE");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::Fargate => "FARGATE",
            LaunchType::Ec2 => "EC2",
        }
    }
}

/// One entry of a capacity provider strategy.
///
/// ```
/// use cronport::manifest::{CapacityProvider, Settings};
/// let s: Settings = toml::from_str(r#"capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]"#)?;
/// let spot = CapacityProvider { capacity_provider: "FARGATE_SPOT".into(), weight: Some(1), base: None };
/// assert_eq!(s.capacity_provider_strategy, Some(vec![spot]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapacityProvider {
    /// The capacity provider, such as `FARGATE_SPOT`.
    pub capacity_provider: String,
    /// Relative weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// Tasks placed here first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<u32>,
}
