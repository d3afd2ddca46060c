//! Build a manifest in code, compile it (every schedule translated and
//! proved), and render it as Terraform.
//!
//!     cargo run --example manifest_in_code

use cronport::desired::{CompileOptions, compile};
use cronport::manifest::{Job, Manifest, Settings};
use cronport::render::{Format, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = Manifest {
        // The id in the owner record of everything this manifest manages.
        id: Some("reports".into()),
        defaults: Settings {
            cluster: Some("production".into()),
            task_definition: Some("app-worker".into()),
            container: Some("worker".into()),
            role_arn: Some("arn:aws:iam::123456789012:role/cronport-scheduler".into()),
            subnets: Some(vec!["subnet-0a1b2c3d".into()]),
            ..Settings::default()
        },
        jobs: vec![
            Job {
                name: "daily-report".into(),
                schedule: "every day at 14:30".into(),
                command: "bundle exec rake reports:daily".into(),
                size: Some("standard-2x".into()),
                enabled: true,
                ..Job::default()
            },
            Job {
                name: "weekday-digest".into(),
                schedule: "30 8 * * 1-5".into(),
                command: "bundle exec rake digest:send && bundle exec rake digest:cleanup".into(),
                settings: Settings {
                    timezone: Some("Asia/Tokyo".into()),
                    ..Settings::default()
                },
                enabled: true,
                ..Job::default()
            },
        ],
        ..Manifest::default()
    };
    // Problems (bad names, schedules AWS cannot express, …) come back all
    // at once, each naming its job and key.
    let desired = compile(
        &manifest,
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse()?),
    )
    .map_err(|e| e.to_string())?;
    print!("{}", render(&desired, Format::Terraform));
    Ok(())
}
