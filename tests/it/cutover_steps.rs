//! The cutover's step loop against a simulated clock and a scripted
//! Heroku and AWS: random job sets, instants, start times, failure
//! patterns and crashes. The invariants, checked on every run:
//!
//! - no Heroku job is deleted, or even tried, outside its safe window
//!   (from just after its last Heroku run before the instant to just
//!   before its first after), unless the window had closed before the
//!   cutover reached it (a run resumed late), and no attempt's deadline
//!   reaches past the window;
//! - each Heroku job is deleted at most once, across crashes and restarts
//!   (the journal and Heroku's own list say what is done);
//! - a job on rules loses its Heroku job only after its rules are enabled;
//! - a step whose failures were all transient and stopped inside its window
//!   ends done, and every failure is reported, never silent.

use std::collections::{BTreeMap, BTreeSet};

use cronport::cutover::{
    Action, Answer, AwsSide, Clock, Decisions, HerokuJob, JournalEntry, Outcome, Platform,
    StepResult, carry_out, cutover, pair, steps,
};
use cronport::manifest::Manifest;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

/// What one attempt meets.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Ok,
    /// A 503 or a 429.
    Busy,
    /// No answer until the deadline.
    Silence,
    /// A 307, a 401: not worth retrying.
    Refuse,
    /// The process dies during the attempt (after the server acted).
    Crash,
}

/// Heroku and AWS as seen from the loop, with a script of faults.
struct World {
    now: std::rc::Rc<std::cell::Cell<Timestamp>>,
    faults: Vec<Fault>,
    next_fault: usize,
    /// Heroku job ids still on Heroku.
    on_heroku: BTreeSet<String>,
    /// How many times each Heroku job was deleted.
    deleted: BTreeMap<String, u32>,
    /// When each rule was enabled.
    enabled: BTreeMap<String, Timestamp>,
    /// Which run of the cutover this is (0, then 1 after a crash, …).
    run: usize,
    /// Every attempt: (action, start, deadline, run).
    attempts: Vec<(Action, Timestamp, Timestamp, usize)>,
    /// Deletes seen before their job's rules were enabled.
    early: Vec<String>,
    rules_of: BTreeMap<String, Vec<String>>,
}

struct Crashed;

impl Platform for World {
    fn attempt(&mut self, action: &Action, deadline: Timestamp) -> Answer {
        let now = self.now.get();
        self.attempts
            .push((action.clone(), now, deadline, self.run));
        let fault = self
            .faults
            .get(self.next_fault)
            .copied()
            .unwrap_or(Fault::Ok);
        self.next_fault += 1;
        let act = |w: &mut World| match action {
            Action::DeleteHerokuJob { id, job } => {
                if let Some(job) = job
                    && w.rules_of
                        .get(job)
                        .is_some_and(|rules| rules.iter().any(|r| !w.enabled.contains_key(r)))
                {
                    w.early.push(id.clone());
                }
                if w.on_heroku.remove(id) {
                    *w.deleted.entry(id.clone()).or_default() += 1;
                    Answer::Done
                } else {
                    Answer::AlreadyDone
                }
            }
            Action::EnableRule { name, .. } => {
                if w.enabled.contains_key(name) {
                    Answer::AlreadyDone
                } else {
                    w.enabled.insert(name.clone(), now);
                    Answer::Done
                }
            }
        };
        match fault {
            Fault::Ok => act(self),
            Fault::Busy => {
                self.now.set(now + SignedDuration::from_millis(200));
                Answer::Transient("503".into())
            }
            Fault::Silence => {
                self.now.set(deadline.max(now));
                Answer::Transient("no answer".into())
            }
            Fault::Refuse => Answer::Refused("307 to elsewhere".into()),
            Fault::Crash => {
                act(self);
                std::panic::panic_any(Crashed);
            }
        }
    }
}

/// A clock sharing the world's time.
struct SharedClock(std::rc::Rc<std::cell::Cell<Timestamp>>);

impl Clock for SharedClock {
    fn now(&self) -> Timestamp {
        self.0.get()
    }
    fn sleep_until(&mut self, t: Timestamp) {
        self.0.set(self.0.get().max(t));
    }
}

/// A Heroku schedule: `every`, `at` as the Scheduler API gives them.
fn heroku_schedule() -> impl Strategy<Value = (i64, i64)> {
    prop_oneof![
        Just((10, 0)),
        (0..6i64).prop_map(|m| (60, m * 10)),
        (0..48i64).prop_map(|h| (1440, h * 30)),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        10 => Just(Fault::Ok),
        5 => Just(Fault::Busy),
        1 => Just(Fault::Silence),
        1 => Just(Fault::Refuse),
        1 => Just(Fault::Crash),
    ]
}

/// The manifest and Heroku's list for a job set; every other job on rules.
fn world(jobs: &[(i64, i64)]) -> (Manifest, Vec<HerokuJob>) {
    let mut text = crate::common::DEFAULTS.replace(
        "cluster = \"production\"\ntask_definition = \"app-worker\"",
        "cluster = \"arn:aws:ecs:us-east-1:123456789012:cluster/production\"\ntask_definition = \"arn:aws:ecs:us-east-1:123456789012:task-definition/app-worker:1\"",
    );
    let mut heroku = Vec::new();
    for (i, (every, at)) in jobs.iter().enumerate() {
        let phrase = cronport::syntax::heroku::from_api(*every, *at).unwrap();
        // Half the jobs carry their Heroku id; the rest pair by command and
        // schedule.
        let id_line = if i % 2 == 0 {
            format!("source_id = \"h-{i}\"\n")
        } else {
            String::new()
        };
        let backend = if i % 3 == 0 {
            "backend = \"rules\"\n"
        } else {
            ""
        };
        text.push_str(&format!(
            "\n[[job]]\nname = \"j{i}\"\nschedule = \"{phrase}\"\ncommand = \"rake j{i}\"\n{id_line}{backend}"
        ));
        heroku.push(HerokuJob {
            id: format!("h-{i}"),
            command: format!("rake j{i}"),
            schedule: Some(phrase),
        });
    }
    (Manifest::from_toml(&text, "m").unwrap(), heroku)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_heroku_job_is_deleted_outside_its_window_or_twice(
        jobs in prop::collection::vec(heroku_schedule(), 1..6),
        // The instant: minutes into a day, on a whole minute.
        instant_minute in 0..1440i64,
        // When the cutover starts: up to two days before the instant, or
        // (a run resumed) up to an hour after it.
        lead_minutes in -60..2880i64,
        faults in prop::collection::vec(fault(), 0..40),
    ) {
        let (manifest, listed) = world(&jobs);
        let at = Timestamp::from_second(1_796_083_200 + instant_minute * 60).unwrap(); // 2026-12-01
        let start = at - SignedDuration::from_mins(lead_minutes);
        let plan = cutover(&manifest, at, start.min(at)).unwrap();
        let now = std::rc::Rc::new(std::cell::Cell::new(start));
        let mut world = World {
            now: now.clone(),
            faults,
            next_fault: 0,
            on_heroku: listed.iter().map(|h| h.id.clone()).collect(),
            deleted: BTreeMap::new(),
            enabled: BTreeMap::new(),
            run: 0,
            attempts: Vec::new(),
            early: Vec::new(),
            rules_of: plan.jobs.iter().map(|j| (j.job.clone(), j.rules.clone())).collect(),
        };
        let mut journal: Vec<JournalEntry> = Vec::new();
        let mut outcomes: Vec<Outcome> = Vec::new();
        // (run, action) of the steps reported late.
        let mut late: Vec<(usize, Action)> = Vec::new();
        // Run, crash, run again, as a user would, until a run ends.
        for _ in 0..50 {
            let still_listed: Vec<HerokuJob> = listed
                .iter()
                .filter(|h| world.on_heroku.contains(&h.id))
                .cloned()
                .collect();
            let pairing = pair(&still_listed, &plan, &Decisions::default());
            prop_assert!(pairing.undecided().next().is_none(), "{pairing:?}");
            let aws = AwsSide {
                rules_disabled: plan
                    .rules()
                    .into_iter()
                    .filter(|r| !world.enabled.contains_key(*r))
                    .map(str::to_string)
                    .collect(),
                not_ready: BTreeMap::new(),
            };
            let left = steps(&plan, Some(&pairing), &aws);
            let mut clock = SharedClock(now.clone());
            let run = world.run;
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                carry_out(&left, &mut world, &mut clock, &mut |event| {
                    if let cronport::cutover::Event::Finished(o) = event {
                        if o.late {
                            late.push((run, o.step.action.clone()));
                        }
                        if let Some(t) = o.result.at() {
                            journal.push(JournalEntry { instant: at, at: t, action: o.step.action.clone() });
                        }
                    }
                })
            }));
            match run {
                Ok(done) => {
                    outcomes = done;
                    break;
                }
                // Restarted a minute later.
                Err(_) => {
                    now.set(now.get() + SignedDuration::from_secs(60));
                    world.run += 1;
                }
            }
        }
        // Each Heroku job deleted at most once.
        for (id, n) in &world.deleted {
            prop_assert!(*n == 1, "{id} deleted {n} times");
        }
        // Never before a job's rules are enabled, unless its window closes
        // within a minute of the instant (then in its window, before them).
        for id in &world.early {
            let heroku = listed.iter().find(|h| &h.id == id).unwrap();
            let window = cronport::cutover::Window::around(&heroku.schedule().unwrap(), at).unwrap();
            prop_assert!(
                window.closes - SignedDuration::from_secs(60) <= at,
                "{id} deleted before its rules were enabled"
            );
        }
        // No delete tried before its window opens, ever; none after it
        // closes unless the step is reported late (a restart after a crash,
        // a rule enabled after the window) or its run crashed during it.
        for (action, t, deadline, run) in &world.attempts {
            let Action::DeleteHerokuJob { id, .. } = action else { continue };
            let heroku = listed.iter().find(|h| &h.id == id).unwrap();
            let window = cronport::cutover::Window::around(&heroku.schedule().unwrap(), at).unwrap();
            prop_assert!(window.opens <= *t, "{id} tried at {t}, before its window opened at {}", window.opens);
            let crashed_run = *run < world.run;
            if !late.contains(&(*run, action.clone())) && !crashed_run {
                prop_assert!(
                    *t < window.closes && *deadline <= window.closes,
                    "{id} tried at {t} (deadline {deadline}), window {} – {}, not reported late", window.opens, window.closes
                );
            }
        }
        // Every paired job ends deleted unless a failure was reported.
        for h in &listed {
            let reported = outcomes.iter().any(|o| matches!(&o.step.action, Action::DeleteHerokuJob { id, .. } if id == &h.id) && !o.result.succeeded());
            prop_assert!(
                world.deleted.contains_key(&h.id) || reported,
                "{} neither deleted nor reported: {outcomes:#?} {:?}", h.id, world.attempts
            );
        }
        // A failure is one the script caused: a refusal, a blocked rule,
        // or transient answers until the window closed.
        for o in &outcomes {
            if let StepResult::WindowClosed { .. } = o.result {
                prop_assert!(o.attempts >= 1);
            }
        }
    }
}

#[test]
fn a_retry_inside_the_window_finishes_the_job() {
    // Two 503s, then success: deleted once, inside its window.
    let (manifest, listed) = world(&[(1440, 870)]);
    let at: Timestamp = "2026-12-01T03:05:00Z".parse().unwrap();
    let plan = cutover(&manifest, at, at).unwrap();
    let pairing = pair(&listed, &plan, &Decisions::default());
    let left = steps(&plan, Some(&pairing), &AwsSide::default());
    let now = std::rc::Rc::new(std::cell::Cell::new(at - SignedDuration::from_mins(5)));
    let mut world = World {
        now: now.clone(),
        faults: vec![Fault::Busy, Fault::Busy],
        next_fault: 0,
        on_heroku: ["h-0".to_string()].into(),
        deleted: BTreeMap::new(),
        enabled: BTreeMap::new(),
        run: 0,
        attempts: Vec::new(),
        early: Vec::new(),
        rules_of: BTreeMap::new(),
    };
    let outcomes = carry_out(&left, &mut world, &mut SharedClock(now), &mut |_| {});
    assert_eq!(world.attempts.len(), 3);
    assert_eq!(world.deleted["h-0"], 1);
    assert!(matches!(outcomes[0].result, StepResult::Done { .. }));
    assert_eq!(outcomes[0].attempts, 3);
}

#[test]
fn an_hourly_or_daily_job_without_at_has_no_window() {
    // Heroku's `at` says when an hourly or daily job runs; without it the
    // window would be a guess, so the job has no schedule (and is refused).
    let listed = serde_json::json!({"data": [
        {"id": "1", "attributes": {"command": "a", "every": 60}},
        {"id": "2", "attributes": {"command": "b", "every": 1440, "at": null}},
        {"id": "3", "attributes": {"command": "c", "every": 60, "at": 10.5}},
        {"id": 4, "attributes": {"command": "d", "every": 10}},
    ]});
    let jobs = HerokuJob::from_list(&listed);
    assert_eq!(
        jobs.iter()
            .map(|j| j.schedule.as_deref())
            .collect::<Vec<_>>(),
        [None, None, None, Some("every 10 minutes")]
    );
    assert_eq!(jobs[3].id, "4", "a numeric id is kept, not emptied");
}

#[test]
fn one_journal_one_cutover_and_no_endless_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.jsonl");
    let at: Timestamp = "2026-12-01T03:05:00Z".parse().unwrap();
    let (_first, _) = cronport::cutover::Journal::open(&path, at).unwrap();
    let second = cronport::cutover::Journal::open(&path, at).unwrap_err();
    assert!(
        second.to_string().contains("another cutover is running"),
        "{second}"
    );
    // A device never ends: refused, not read forever.
    let err = cronport::cutover::Journal::read(std::path::Path::new("/dev/zero"), at).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
}
