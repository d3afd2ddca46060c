//! Apply 1,000 jobs to a fresh moto server and plan them again: wall time
//! and API calls, against a sequential one-call-at-a-time baseline measured
//! in the same run. Needs `moto_server` (scripts/test.sh installs it).
//!
//!     cargo bench --bench apply
//!
//! Prints a Markdown table for BENCHMARKS.md. Not a criterion benchmark:
//! one run takes seconds and changes the server's state.

#[path = "../tests/it/support/moto.rs"]
mod moto;

use std::sync::Arc;
use std::time::Instant;

use cronport::aws::{self, Clients};
use cronport::desired::{CompileOptions, compile};
use cronport::manifest::Manifest;

const JOBS: usize = 1_000;

fn manifest() -> Manifest {
    let mut text = String::from(
        "[defaults]\ncluster = \"bench\"\ntask_definition = \"bench-worker\"\ncontainer = \"worker\"\nrole_arn = \"arn:aws:iam::123456789012:role/cronport\"\nsubnets = [\"subnet-0a1b2c3d\"]\nschedule_group = \"bench\"\n",
    );
    for i in 0..JOBS {
        let schedule = match i % 3 {
            0 => "every 10 minutes".to_string(),
            1 => format!("every hour at :{:02}", (i % 6) * 10),
            _ => format!("every day at {:02}:{:02}", i % 24, (i % 2) * 30),
        };
        text.push_str(&format!("\n[[job]]\nname = \"job-{i:04}\"\nschedule = \"{schedule}\"\ncommand = \"rake batch:task_{i}\"\n"));
    }
    Manifest::from_toml(&text, "bench.toml").unwrap()
}

struct Run {
    apply_secs: f64,
    apply_calls: usize,
    apply_writes: usize,
    replan_secs: f64,
    replan_calls: usize,
}

async fn run(concurrency: usize) -> Run {
    let moto = moto::Moto::start();
    let proxy = moto::Proxy::start(moto.port, |_| moto::Fault::None);
    let clients = Clients::connect(&moto::aws_options(&proxy.url())).await;
    moto::ecs_setup(&clients, "bench", "bench-worker", "worker").await;
    let desired = compile(
        &manifest(),
        &CompileOptions::starting("2026-11-24T00:00:00Z".parse().unwrap()),
    )
    .unwrap();
    proxy.take();
    let start = Instant::now();
    let plan = aws::plan(&clients, &desired, false).await.unwrap();
    let report = aws::apply(
        &clients,
        &plan,
        concurrency,
        Arc::new(|_: &aws::Applied| {}),
    )
    .await;
    let apply_secs = start.elapsed().as_secs_f64();
    assert!(report.succeeded());
    let apply_seen = proxy.take();
    let start = Instant::now();
    let again = aws::plan(&clients, &desired, false).await.unwrap();
    let replan_secs = start.elapsed().as_secs_f64();
    assert!(!again.has_changes());
    let replan_calls = proxy.take().len();
    Run {
        apply_secs,
        apply_calls: apply_seen.len(),
        apply_writes: apply_seen.iter().filter(|s| s.is_write()).count(),
        replan_secs,
        replan_calls,
    }
}

fn main() {
    // `cargo test --benches` runs benches with --bench absent: skip there.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| apply of {JOBS} jobs to a fresh moto | wall time (plan + apply) | API calls | of which writes | re-plan time | re-plan calls |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, concurrency) in [
        ("concurrency 8 (default)", 8),
        ("sequential baseline (concurrency 1)", 1),
    ] {
        let r = rt.block_on(run(concurrency));
        println!(
            "| {label} | {:.2} s | {} | {} | {:.2} s | {} |",
            r.apply_secs, r.apply_calls, r.apply_writes, r.replan_secs, r.replan_calls
        );
    }
}
