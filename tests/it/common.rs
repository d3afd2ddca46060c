//! Helpers shared by the integration tests.
#![allow(dead_code)]

/// Runs the cronport binary with `args` in the package's folder (where
/// `examples/` is), as a user runs it.
pub fn cronport(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cronport"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cronport runs")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `[defaults]` with every required setting, for manifests written in tests.
pub const DEFAULTS: &str = r#"[defaults]
cluster = "production"
task_definition = "app-worker"
container = "worker"
role_arn = "arn:aws:iam::123456789012:role/cronport"
subnets = ["subnet-0a1b2c3d"]
"#;

/// The text of the bundled example manifest, `examples/heroku/cronport.toml`.
pub fn example_manifest() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/heroku/cronport.toml"
    ))
    .unwrap()
}

/// A manifest on the rules backend: EventBridge rules' ECS targets need
/// the cluster and task definition as ARNs (the bundled example names
/// them).
pub fn on_rules(text: &str) -> String {
    text.replace(
        "cluster = \"mamorio-production\"",
        "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production\"",
    )
    .replace(
        "task_definition = \"mamorio-worker\"",
        "task_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:1\"\nbackend = \"rules\"",
    )
}
