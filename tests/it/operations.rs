//! The operations that change what runs, proved on the server (moto behind
//! the contract proxy, with faults injected): every job has one enabled
//! runner once an apply converges and never two; nothing of another
//! manifest is touched; a hold holds until its instant.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cronport::aws::{self, Clients};
use cronport::desired::{CompileOptions, Desired, compile};
use cronport::manifest::Manifest;
use cronport::plan::{PlanOptions, PlanProblemKind, Warning};

use crate::aws::{quiet, runners_on_server, runtime};
use crate::common;
use crate::moto::{self, Fault, Moto, Proxy};

const FROM: &str = "2026-11-24T00:00:00Z";

fn compile_at(text: &str, start_at: Option<&str>) -> Desired {
    let manifest = Manifest::from_toml(text, "m.toml").unwrap();
    let options = CompileOptions {
        start_at: start_at.map(|t| t.parse().unwrap()),
        ..CompileOptions::starting(FROM.parse().unwrap())
    };
    compile(&manifest, &options).unwrap()
}

async fn apply(clients: &Clients, want: &Desired) -> aws::ApplyReport {
    let plan = aws::plan(clients, want, false).await.unwrap();
    aws::apply(clients, &plan, 8, quiet()).await
}

/// Enabled runners per job key (`manifest/env/job`).
fn enabled(runners: &BTreeMap<String, Vec<(String, bool)>>) -> BTreeMap<String, usize> {
    runners
        .iter()
        .map(|(job, places)| (job.clone(), places.iter().filter(|(_, on)| *on).count()))
        .collect()
}

fn one_each(runners: &BTreeMap<String, Vec<(String, bool)>>) {
    for (job, n) in enabled(runners) {
        assert_eq!(n, 1, "{job}: {:?}", runners[&job]);
    }
}

/// `text` without the `[[job]]` table of job `name`.
fn without_job(text: &str, name: &str) -> String {
    let start = text.find(&format!("[[job]]\nname = \"{name}\"")).unwrap();
    let end = text[start + 1..]
        .find("[[job]]")
        .map_or(text.len(), |i| start + 1 + i);
    format!("{}{}", &text[..start], &text[end..])
}

fn with_id(text: &str, id: &str) -> String {
    text.replace("id = \"auto-5488e40d\"", &format!("id = \"{id}\""))
}

#[test]
fn two_apps_imported_for_one_cluster_never_touch_each_other() {
    // Two imports for the same cluster get two ids, never one derived
    // from the cluster.
    let jobs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/heroku/jobs.json"
    ))
    .unwrap();
    let defaults = cronport::import::Defaults {
        cluster: Some("c1".into()),
        ..Default::default()
    };
    let a = cronport::import::heroku(&jobs, &defaults)
        .unwrap()
        .manifest
        .id;
    let b = cronport::import::heroku(&jobs, &defaults)
        .unwrap()
        .manifest
        .id;
    assert_ne!(a, b);

    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    runtime().block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let base = common::example_manifest();
        let app_a = with_id(&base, a.as_deref().unwrap())
            .replace("schedule_group = \"mamorio\"", "schedule_group = \"app-a\"");
        let app_b = with_id(&base, b.as_deref().unwrap())
            .replace("schedule_group = \"mamorio\"", "schedule_group = \"app-b\"");
        assert!(apply(&clients, &compile_at(&app_a, None)).await.succeeded());
        assert!(apply(&clients, &compile_at(&app_b, None)).await.succeeded());
        let before = runners_on_server(&clients).await;
        // The second app drops a job: only its own schedule goes.
        let fewer = without_job(&app_b, "rake-reports-daily");
        let plan = aws::plan(&clients, &compile_at(&fewer, None), false)
            .await
            .unwrap();
        assert_eq!(plan.summary().destroy, 1, "{}", plan.to_text());
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let after = runners_on_server(&clients).await;
        let a_prefix = format!("{}/", a.unwrap());
        let of_a =
            |r: &BTreeMap<String, Vec<(String, bool)>>| -> Vec<(String, Vec<(String, bool)>)> {
                r.iter()
                    .filter(|(k, _)| k.starts_with(&a_prefix))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            };
        assert_eq!(of_a(&before), of_a(&after), "app A untouched");
        assert_eq!(of_a(&after).len(), 12);
        one_each(&after);
    });
}

#[test]
fn a_manifest_without_id_creates_and_updates_but_never_deletes_or_moves() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    runtime().block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let no_id = common::example_manifest().replace("id = \"auto-5488e40d\"\n", "");
        assert!(apply(&clients, &compile_at(&no_id, None)).await.succeeded());
        // A job removed: left running, said so, with the id to write.
        let without = no_id.replace(
            "name = \"rake-reports-daily\"",
            "name = \"rake-reports-daily-renamed\"",
        );
        let want = compile_at(&without, None);
        let plan = aws::plan(&clients, &want, false).await.unwrap();
        assert_eq!(plan.summary().destroy, 0, "{}", plan.to_text());
        let no_id_warning = plan
            .warnings
            .iter()
            .find_map(|w| match w {
                Warning::NoId { on_aws, kept, .. } => Some((on_aws.clone(), kept.clone())),
                _ => None,
            })
            .expect("a plan without id says so");
        assert_eq!(no_id_warning.0, ["auto-5488e40d"]);
        assert_eq!(no_id_warning.1.len(), 1);
        assert!(
            plan.to_text()
                .contains("write id = \"auto-5488e40d\" at its top"),
            "{}",
            plan.to_text()
        );
        // A move (a new group) is refused: it would double every job.
        let moved = no_id.replace("schedule_group = \"mamorio\"", "schedule_group = \"jobs\"");
        let refused = aws::plan(&clients, &compile_at(&moved, None), false)
            .await
            .unwrap_err();
        assert_eq!(refused.problems[0].kind, PlanProblemKind::Manifest);
        assert!(refused.to_string().contains("moves nothing"), "{refused}");
        assert!(
            refused.to_string().contains("id = \"auto-5488e40d\""),
            "{refused}"
        );
        one_each(&runners_on_server(&clients).await);
    });
}

#[test]
fn a_group_move_whose_deletes_fail_leaves_one_enabled_runner_per_job() {
    let moto = Moto::start();
    let failing = Arc::new(AtomicBool::new(false));
    let fail = failing.clone();
    let proxy = Proxy::start_matching(moto.port, move |call| {
        if fail.load(Ordering::Relaxed) && call.is_scheduler("DeleteSchedule") {
            Fault::ServerError
        } else {
            Fault::None
        }
    });
    runtime().block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let base = common::example_manifest();
        assert!(apply(&clients, &compile_at(&base, None)).await.succeeded());
        failing.store(true, Ordering::Relaxed);
        let moved = base.replace("schedule_group = \"mamorio\"", "schedule_group = \"jobs\"");
        let report = apply(&clients, &compile_at(&moved, None)).await;
        assert!(!report.succeeded() && report.half_made(), "{report:?}");
        // Old disabled, new enabled: one runner each, never two.
        let runners = runners_on_server(&clients).await;
        assert_eq!(
            runners.values().map(Vec::len).sum::<usize>(),
            24,
            "{runners:?}"
        );
        one_each(&runners);
        for places in runners.values() {
            for (address, on) in places {
                assert_eq!(*on, address.starts_with("jobs/"), "{address}");
            }
        }
        // The next plan finishes the move.
        failing.store(false, Ordering::Relaxed);
        let plan = aws::plan(&clients, &compile_at(&moved, None), false)
            .await
            .unwrap();
        assert_eq!(plan.summary().destroy, 12, "{}", plan.to_text());
        assert_eq!(plan.summary().add, 0, "{}", plan.to_text());
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let runners = runners_on_server(&clients).await;
        assert_eq!(runners.values().map(Vec::len).sum::<usize>(), 12);
        one_each(&runners);
    });
}

#[test]
fn a_move_whose_new_schedules_cannot_be_enabled_is_undone() {
    let moto = Moto::start();
    let failing = Arc::new(AtomicBool::new(false));
    let fail = failing.clone();
    // Every write to the new schedules (prefix `mam-`) fails once they
    // exist: enabling them is refused.
    let proxy = Proxy::start_matching(moto.port, move |call| {
        if fail.load(Ordering::Relaxed)
            && call.is_scheduler("UpdateSchedule")
            && call.path.starts_with("/schedules/mam-")
        {
            Fault::ServerError
        } else {
            Fault::None
        }
    });
    runtime().block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let base = common::example_manifest();
        assert!(apply(&clients, &compile_at(&base, None)).await.succeeded());
        failing.store(true, Ordering::Relaxed);
        let moved = base.replace(
            "schedule_group = \"mamorio\"",
            "schedule_group = \"mamorio\"\nname_prefix = \"mam-\"",
        );
        let report = apply(&clients, &compile_at(&moved, None)).await;
        assert!(report.half_made(), "{report:?}");
        // The old schedules run again; the new ones wait, disabled.
        let runners = runners_on_server(&clients).await;
        one_each(&runners);
        for places in runners.values() {
            for (address, on) in places {
                assert_eq!(*on, address.starts_with("mamorio/cronport-"), "{address}");
            }
        }
        failing.store(false, Ordering::Relaxed);
        assert!(apply(&clients, &compile_at(&moved, None)).await.succeeded());
        let runners = runners_on_server(&clients).await;
        assert_eq!(runners.values().map(Vec::len).sum::<usize>(), 12);
        one_each(&runners);
    });
}

#[test]
fn a_plain_apply_never_releases_a_hold_on_either_backend() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    runtime().block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let scheduler = common::example_manifest();
        let rules = scheduler
            .replace("cluster = \"mamorio-production\"", "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production\"")
            .replace("task_definition = \"mamorio-worker\"", "task_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker:1\"\nbackend = \"rules\"")
            .replace("id = \"auto-5488e40d\"", "id = \"held-rules\"");
        let at = "2027-02-05T00:00:00Z";
        for text in [&scheduler, &rules] {
            let held = compile_at(text, Some(at));
            let plan = aws::plan(&clients, &held, false).await.unwrap();
            assert!(plan.to_text().contains("starts: 2027-02-05 00:00 UTC"), "{}", plan.to_text());
            assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
            // What a merge-to-main pipeline runs: a plain apply.
            let plain = compile_at(text, None);
            let refused = aws::plan(&clients, &plain, false).await.unwrap_err();
            assert_eq!(refused.problems[0].kind, PlanProblemKind::Hold, "{refused}");
            assert_eq!(
                refused.problems[0].hint,
                Some(cronport::Hint::KeepHold { until: at.parse().unwrap() })
            );
            // Released on purpose: one warning, not one per job.
            let options = PlanOptions { release_holds: true, ..Default::default() };
            let released = aws::plan_with(&clients, &plain, options).await.unwrap();
            let warnings: Vec<&Warning> = released
                .warnings
                .iter()
                .filter(|w| matches!(w, Warning::ReleasedHolds { .. }))
                .collect();
            assert_eq!(warnings.len(), 1, "{:?}", released.warnings);
            // And with the hold kept, nothing changes.
            assert!(!aws::plan(&clients, &held, false).await.unwrap().has_changes());
        }
        // Every held runner is still held on the server.
        let runners = runners_on_server(&clients).await;
        for (job, places) in &runners {
            if job.starts_with("held-rules/") {
                assert!(places.iter().all(|(_, on)| !on), "{job}: {places:?}");
            }
        }
    });
}

#[test]
fn a_held_rate_counts_from_its_hold_whenever_planned() {
    let text = format!(
        "{}\n[[job]]\nname = \"drain\"\nschedule = \"rate(2 hours)\"\ncommand = \"bin/drain\"\n",
        common::DEFAULTS
    );
    let at = "2027-02-05T00:00:00Z";
    let start = |from: &str| {
        let manifest = Manifest::from_toml(&text, "m.toml").unwrap();
        let options = CompileOptions {
            start_at: Some(at.parse().unwrap()),
            ..CompileOptions::starting(from.parse().unwrap())
        };
        compile(&manifest, &options).unwrap().jobs[0].resources[0].start_date
    };
    assert_eq!(start("2026-11-24T00:00:00Z"), Some(at.parse().unwrap()));
    assert_eq!(start("2026-12-01T09:13:27Z"), start("2026-11-24T00:00:00Z"));
}

/// Every schedule and rule on the server, as AWS describes it, by address.
async fn snapshot(clients: &Clients) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (group, name, got) in crate::fire::every_schedule(clients).await {
        out.insert(format!("{group}/{name}"), crate::aws::stable(&got));
    }
    out
}

fn env_manifest(envs: &str) -> String {
    format!("{}\n{envs}", common::example_manifest())
}

fn for_env(text: &str, env: &str) -> Desired {
    let manifest = Manifest::from_toml(text, "m.toml").unwrap().for_env(Some(env)).unwrap();
    compile(&manifest, &CompileOptions::starting(FROM.parse().unwrap())).unwrap()
}

#[test]
fn an_environment_added_to_a_live_manifest_takes_its_jobs_over() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    runtime().block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let base = common::example_manifest();
        assert!(apply(&clients, &compile_at(&base, None)).await.succeeded());
        // Same names (no suffix, the same group): the owner records are
        // rewritten in place; nothing created, nothing deleted.
        let in_place = env_manifest("[env.production]\nname_suffix = \"\"\nschedule_group = \"mamorio\"\n");
        let plan = aws::plan(&clients, &for_env(&in_place, "production"), false).await.unwrap();
        let s = plan.summary();
        assert_eq!((s.add, s.destroy, s.change), (0, 0, 12), "{}", plan.to_text());
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let runners = runners_on_server(&clients).await;
        assert_eq!(runners.len(), 12);
        assert!(runners.keys().all(|k| k.starts_with("auto-5488e40d/production/")), "{runners:?}");
        one_each(&runners);
        // Renamed (`-production` names in their own group): a move, one
        // runner each, and nothing left of the old names.
        let renamed = env_manifest("[env.prod]\nreplaces = [\"production\"]\n");
        let plan = aws::plan(&clients, &for_env(&renamed, "prod"), false).await.unwrap();
        let s = plan.summary();
        assert_eq!((s.add, s.destroy), (13, 12), "{}", plan.to_text());
        assert!(plan.warnings.iter().all(|w| !matches!(w, Warning::Twins { .. })), "{:?}", plan.warnings);
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let runners = runners_on_server(&clients).await;
        assert_eq!(runners.len(), 12, "{runners:?}");
        assert!(runners.keys().all(|k| k.starts_with("auto-5488e40d/prod/")), "{runners:?}");
        assert!(runners.values().flatten().all(|(a, _)| a.starts_with("mamorio-prod/")), "{runners:?}");
        one_each(&runners);
    });
}

#[test]
fn environments_side_by_side_are_not_leftovers_and_a_removed_one_is_taken_over() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    runtime().block_on(async {
        let clients = moto::example_account(&proxy.url()).await;
        let two = env_manifest("[env.staging]\n\n[env.production]\n");
        assert!(apply(&clients, &for_env(&two, "staging")).await.succeeded());
        assert!(apply(&clients, &for_env(&two, "production")).await.succeeded());
        // Side by side: no warning on either plan.
        for env in ["staging", "production"] {
            let plan = aws::plan(&clients, &for_env(&two, env), false).await.unwrap();
            assert!(!plan.has_changes(), "{}", plan.to_text());
            assert!(plan.warnings.iter().all(|w| !matches!(w, Warning::Twins { .. })), "{:?}", plan.warnings);
        }
        let production = snapshot(&clients).await;
        // staging leaves the manifest: production's plan names what is left
        // and how to take it over; the advice works.
        let one = env_manifest("[env.production]\n");
        let plan = aws::plan(&clients, &for_env(&one, "production"), false).await.unwrap();
        assert!(plan.warnings.iter().any(|w| matches!(w, Warning::Twins { env, .. } if env == "staging")), "{:?}", plan.warnings);
        let taken = env_manifest("[env.production]\nreplaces = [\"staging\"]\n");
        let plan = aws::plan(&clients, &for_env(&taken, "production"), false).await.unwrap();
        let s = plan.summary();
        assert_eq!((s.add, s.destroy), (0, 12), "{}", plan.to_text());
        assert!(aws::apply(&clients, &plan, 8, quiet()).await.succeeded());
        let runners = runners_on_server(&clients).await;
        assert_eq!(runners.len(), 12);
        one_each(&runners);
        // production's own schedules are exactly as they were.
        let after = snapshot(&clients).await;
        for (address, described) in &after {
            assert_eq!(Some(described), production.get(address), "{address}");
        }
    });
}
