//! Carrying out a cutover: each step in its own window, every step tried
//! whatever another did, transient failures retried with backoff while the
//! window is open, and nothing attempted before a window opens.
//!
//! The loop knows no HTTP and no SDK: the caller's [`Platform`] makes one
//! attempt and classifies the answer, and its [`Clock`] tells and waits the
//! time. The tests drive it with a simulated clock and scripted failures.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Window;

/// One thing the cutover does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Delete a Heroku Scheduler job.
    DeleteHerokuJob {
        /// The Heroku job's id.
        id: String,
        /// The manifest job that replaces it (none when deleted on purpose
        /// with `--delete-on-heroku`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job: Option<String>,
    },
    /// Enable a rule a deploy held disabled until the instant.
    EnableRule {
        /// The rule's name.
        name: String,
        /// Its manifest job.
        job: String,
    },
}

impl Action {
    /// Whether `other` acts on the same Heroku job or rule (a journal may
    /// name a job the manifest has since renamed).
    ///
    /// ```
    /// use cronport::cutover::Action;
    /// let a = Action::DeleteHerokuJob { id: "7".into(), job: Some("a".into()) };
    /// assert!(a.same_target(&Action::DeleteHerokuJob { id: "7".into(), job: None }));
    /// ```
    pub fn same_target(&self, other: &Action) -> bool {
        match (self, other) {
            (Action::DeleteHerokuJob { id: x, .. }, Action::DeleteHerokuJob { id: y, .. }) => {
                x == y
            }
            (Action::EnableRule { name: x, .. }, Action::EnableRule { name: y, .. }) => x == y,
            _ => false,
        }
    }
}

/// An action, when it may happen, and what must be done first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What to do.
    #[serde(flatten)]
    pub action: Action,
    /// When: never before `opens`; late from `closes`.
    pub window: Window,
    /// Rules that must be enabled first: a Heroku job whose AWS runs come
    /// from rules is deleted only once they are, so a failed enable leaves
    /// the job running on Heroku, not on neither platform.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Done by this attempt.
    Done,
    /// Already done (the Heroku job was gone, the rule enabled).
    AlreadyDone,
    /// Worth another try: throttling, a server error, a time-out, a reset.
    Transient(String),
    /// Not worth another try: refused, redirected, not allowed.
    Refused(String),
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum StepResult {
    /// Done, at `at`.
    Done {
        /// When the successful attempt returned.
        at: Timestamp,
    },
    /// Found done already, at `at`.
    AlreadyDone {
        /// When that was found.
        at: Timestamp,
    },
    /// Transient failures until the window closed.
    WindowClosed {
        /// The last failure.
        error: String,
    },
    /// Refused; retrying would not help.
    Refused {
        /// What the platform said.
        error: String,
    },
    /// Not attempted: a rule it waits for was not enabled.
    Blocked {
        /// The rule.
        rule: String,
    },
}

impl StepResult {
    /// Whether the step's action is in effect.
    ///
    /// ```
    /// use cronport::cutover::StepResult;
    /// assert!(StepResult::AlreadyDone { at: "2026-12-01T00:00:00Z".parse()? }.succeeded());
    /// assert!(!StepResult::Blocked { rule: "r".into() }.succeeded());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn succeeded(&self) -> bool {
        matches!(
            self,
            StepResult::Done { .. } | StepResult::AlreadyDone { .. }
        )
    }

    /// When it took effect, for a step that succeeded.
    pub fn at(&self) -> Option<Timestamp> {
        match self {
            StepResult::Done { at } | StepResult::AlreadyDone { at } => Some(*at),
            _ => None,
        }
    }
}

/// A step and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The step.
    #[serde(flatten)]
    pub step: Step,
    /// How it ended.
    #[serde(flatten)]
    pub result: StepResult,
    /// Attempts made.
    pub attempts: u32,
    /// Whether its window had closed before it could begin.
    pub late: bool,
}

/// Makes one attempt at an action.
pub trait Platform {
    /// Tries `action` once, giving up by `deadline` (a request still
    /// unanswered then counts as [`Answer::Transient`]).
    fn attempt(&mut self, action: &Action, deadline: Timestamp) -> Answer;
}

/// Tells the time and waits.
pub trait Clock {
    /// Now.
    fn now(&self) -> Timestamp;
    /// Waits until `t` (or a little less; the loop looks again).
    fn sleep_until(&mut self, t: Timestamp);
}

/// What the loop tells its caller as it goes, to show and to journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// Nothing is due: waiting until `until` for `next`.
    Waiting {
        /// The step that is due next.
        next: &'a Step,
        /// When.
        until: Timestamp,
    },
    /// An attempt failed and will be retried at `next`.
    Retrying {
        /// The step.
        step: &'a Step,
        /// Why it failed.
        error: &'a str,
        /// When it is tried again.
        next: Timestamp,
    },
    /// A step ended.
    Finished(&'a Outcome),
}

/// The longest wait between retries.
const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(60);
/// The longest the loop sleeps before it says it is still waiting.
const TICK: SignedDuration = SignedDuration::from_secs(60);
/// How long a step whose window closed before the cutover reached it
/// (a run started again after a crash) is retried: it is late already,
/// and doing it now stops the doubling or the loss.
const LATE_RETRIES_FOR: SignedDuration = SignedDuration::from_secs(600);
/// The longest one attempt may take: a request that hangs holds up the
/// steps behind it no longer than this.
const LONGEST_ATTEMPT: SignedDuration = SignedDuration::from_secs(30);
/// The shortest attempt worth starting before a rule is due.
const SHORTEST_ATTEMPT: SignedDuration = SignedDuration::from_secs(5);

/// Where one step stands.
struct Progress {
    next_try: Timestamp,
    closes: Timestamp,
    attempts: u32,
    late: bool,
    last_error: Option<String>,
    result: Option<StepResult>,
    /// Whether the caller has heard how it ended.
    told: bool,
}

/// Carries out `steps`: each no earlier than its window opens, enables
/// before deletes, transient failures retried with backoff until the
/// window closes (a step already late gets ten minutes), every step tried
/// whatever another did. Returns each step's outcome, in `steps`' order.
pub fn carry_out(
    steps: &[Step],
    platform: &mut dyn Platform,
    clock: &mut dyn Clock,
    tell: &mut dyn FnMut(Event<'_>),
) -> Vec<Outcome> {
    let start = clock.now();
    let mut progress: Vec<Progress> = steps
        .iter()
        .map(|step| {
            let late = step.window.closes <= start;
            Progress {
                next_try: step.window.opens,
                closes: if late {
                    start + LATE_RETRIES_FOR
                } else {
                    step.window.closes
                },
                attempts: 0,
                late,
                last_error: None,
                result: None,
                told: false,
            }
        })
        .collect();
    let outcome = |step: &Step, p: &Progress| {
        p.result.clone().map(|result| Outcome {
            step: step.clone(),
            result,
            attempts: p.attempts,
            late: p.late,
        })
    };
    loop {
        let now = clock.now();
        // A step whose window closed before it could be tried (waiting for
        // a rule, or behind a request that hung) is late: it is still done,
        // as soon as it can be, and said to be late. One tried already and
        // failing is given up for this run.
        for p in progress.iter_mut() {
            if p.result.is_some() || p.closes > now {
                continue;
            }
            match p.last_error.take() {
                Some(error) => p.result = Some(StepResult::WindowClosed { error }),
                None if !p.late => {
                    p.late = true;
                    p.closes = now + LATE_RETRIES_FOR;
                }
                None => {}
            }
        }
        block_on_failed_rules(steps, &mut progress);
        for (step, p) in steps.iter().zip(progress.iter_mut()) {
            if let Some(ended) = outcome(step, p).filter(|_| !p.told) {
                tell(Event::Finished(&ended));
                p.told = true;
            }
        }
        let ready: Vec<usize> = (0..steps.len())
            .filter(|&i| progress[i].result.is_none() && waits_for_none(steps, &progress, i))
            .collect();
        let Some(&first) = ready
            .iter()
            .min_by_key(|&&i| (progress[i].next_try, is_delete(&steps[i])))
        else {
            break;
        };
        if progress[first].next_try > now {
            let until = progress[first].next_try;
            tell(Event::Waiting {
                next: &steps[first],
                until,
            });
            clock.sleep_until(until.min(now + TICK));
            continue;
        }
        // Enables first: a rule is due at the instant, a delete has minutes;
        // then the window that closes first.
        let due = ready
            .iter()
            .copied()
            .filter(|&i| progress[i].next_try <= now)
            .min_by_key(|&i| (is_delete(&steps[i]), progress[i].closes))
            .unwrap_or(first);
        // A delete gives way to an enable that opens before it could time
        // out: its request ends by then.
        let enable_due = ready
            .iter()
            .filter(|&&i| !is_delete(&steps[i]) && progress[i].next_try > now)
            .map(|&i| progress[i].next_try)
            .min();
        let deadline = match enable_due {
            Some(t) if is_delete(&steps[due]) => progress[due].closes.min(t),
            _ => progress[due].closes,
        }
        .min(now + LONGEST_ATTEMPT);
        if deadline < progress[due].closes && deadline.duration_since(now) < SHORTEST_ATTEMPT {
            progress[due].next_try = deadline;
            continue;
        }
        let p = &mut progress[due];
        p.attempts += 1;
        let answer = platform.attempt(&steps[due].action, deadline);
        let after = clock.now();
        p.result = match answer {
            Answer::Done => Some(StepResult::Done { at: after }),
            Answer::AlreadyDone => Some(StepResult::AlreadyDone { at: after }),
            Answer::Refused(error) => Some(StepResult::Refused { error }),
            Answer::Transient(error) => {
                let backoff = SignedDuration::from_secs(1 << p.attempts.min(6).saturating_sub(1))
                    .min(MAX_BACKOFF);
                let next = after + backoff;
                if next >= p.closes {
                    Some(StepResult::WindowClosed { error })
                } else {
                    p.next_try = next;
                    tell(Event::Retrying {
                        step: &steps[due],
                        error: &error,
                        next,
                    });
                    p.last_error = Some(error);
                    None
                }
            }
        };
    }
    steps
        .iter()
        .zip(&progress)
        .filter_map(|(step, p)| outcome(step, p))
        .collect()
}

fn is_delete(step: &Step) -> bool {
    matches!(step.action, Action::DeleteHerokuJob { .. })
}

/// The rule a step is named by, if it enables one.
fn rule_of(step: &Step) -> Option<&str> {
    match &step.action {
        Action::EnableRule { name, .. } => Some(name),
        Action::DeleteHerokuJob { .. } => None,
    }
}

/// Whether every rule step `i` waits for has succeeded.
fn waits_for_none(steps: &[Step], progress: &[Progress], i: usize) -> bool {
    steps[i].after.iter().all(|rule| {
        steps
            .iter()
            .zip(progress)
            .find(|(s, _)| rule_of(s) == Some(rule))
            .is_none_or(|(_, p)| p.result.as_ref().is_some_and(StepResult::succeeded))
    })
}

/// Steps waiting for a rule whose step failed are blocked.
fn block_on_failed_rules(steps: &[Step], progress: &mut [Progress]) {
    for i in 0..steps.len() {
        if progress[i].result.is_some() {
            continue;
        }
        let failed = steps[i].after.iter().find(|rule| {
            steps.iter().zip(progress.iter()).any(|(s, p)| {
                rule_of(s) == Some(rule.as_str())
                    && p.result.as_ref().is_some_and(|r| !r.succeeded())
            })
        });
        if let Some(rule) = failed {
            progress[i].result = Some(StepResult::Blocked { rule: rule.clone() });
        }
    }
}
