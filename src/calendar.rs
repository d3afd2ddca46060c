//! When a manifest's jobs run, as a week: runs per weekday and hour on one
//! wall clock, the minutes when the most jobs start together, and the
//! minutes when more than a limit do (a dozen Fargate tasks and a dozen
//! database connections at 00:00).
//!
//! ```
//! use cronport::calendar::{week, Job};
//! use cronport::Schedule;
//! let jobs = vec![
//!     Job::new("reports", Schedule::parse("every day at 14:30", "UTC")?),
//!     Job::new("fan-out", Schedule::parse("every 10 minutes", "UTC")?),
//! ];
//! let from = "2026-11-30T00:00:00Z".parse()?; // a Monday
//! let w = week(&jobs, &jiff::tz::TimeZone::UTC, from, 1);
//! assert_eq!(w.total, 7 + 7 * 144);
//! assert_eq!(w.cells[0][14], 6 + 1); // Monday 14:00–14:59: six fan-outs and the report
//! assert_eq!(w.busiest[0].jobs, ["reports", "fan-out"]); // 14:30 each day
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use serde::Serialize;

use crate::schedule::{Schedule, time_zone_name};

/// A job as the calendar sees it: a name and when it runs.
///
/// ```
/// let job = cronport::calendar::Job::new("a", "@daily".parse()?);
/// assert_eq!(job.name, "a");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Job {
    /// The job's name.
    pub name: String,
    /// When it runs.
    pub schedule: Schedule,
    /// No run before this instant (the job's `start_at`).
    pub start_at: Option<Timestamp>,
}

impl Job {
    /// A job that runs on `schedule` from the start of the calendar.
    ///
    /// ```
    /// let job = cronport::calendar::Job::new("a", "@daily".parse()?);
    /// assert!(job.start_at.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(name: impl Into<String>, schedule: Schedule) -> Job {
        Job {
            name: name.into(),
            schedule,
            start_at: None,
        }
    }
}

/// Weekdays as the calendar's rows are ordered.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// How many of the busiest minutes a [`Week`] names.
pub const BUSIEST: usize = 5;

/// The runs of some jobs over one or more weeks, on one wall clock.
///
/// ```
/// let w = cronport::calendar::week(&[], &jiff::tz::TimeZone::UTC, "2026-11-30T00:00:00Z".parse()?, 1);
/// assert_eq!((w.total, w.busiest.len()), (0, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Week {
    /// The zone whose wall clock the cells are in.
    pub zone: String,
    /// The first instant counted.
    pub from: Timestamp,
    /// The end of the count (exclusive): `weeks` weeks later.
    pub until: Timestamp,
    /// Weeks counted.
    pub weeks: u32,
    /// Runs per weekday (Monday first) and hour of the wall clock, summed
    /// over the weeks.
    pub cells: [[u64; 24]; 7],
    /// All runs counted.
    pub total: u64,
    /// The minutes when the most jobs start together, most first (ties:
    /// earliest first), at most [`BUSIEST`].
    pub busiest: Vec<Crowd>,
    /// How many more minutes with more than one job there are beyond
    /// those in `busiest`.
    pub busiest_left_out: usize,
}

/// Jobs starting in the same minute, on one or more days of the week at
/// the same wall-clock time.
///
/// ```
/// let c = cronport::calendar::Crowd { at: "2026-11-30T00:00:00Z".parse()?, time: "00:00".into(), days: vec!["Mon", "Tue"], count: 2, jobs: vec!["a".into(), "b".into()] };
/// assert_eq!(c.when(), "00:00 on Mon, Tue");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Crowd {
    /// The first such minute.
    pub at: Timestamp,
    /// The wall-clock time in the calendar's zone (`00:00`).
    pub time: String,
    /// The weekdays it happens on.
    pub days: Vec<&'static str>,
    /// How many jobs start then.
    pub count: usize,
    /// The first of them, in the order given: at most [`NAMED`], so that
    /// 10,000 jobs starting together are a count, not 10,000 names per
    /// minute.
    pub jobs: Vec<String>,
}

/// How many of a crowd's jobs a [`Crowd`] names.
pub const NAMED: usize = 20;

impl Crowd {
    /// `00:00 every day`, or `00:00 on Mon, Thu`.
    ///
    /// ```
    /// let c = cronport::calendar::Crowd { at: "2026-11-30T00:00:00Z".parse()?, time: "00:00".into(), days: cronport::calendar::WEEKDAYS.to_vec(), count: 0, jobs: vec![] };
    /// assert_eq!(c.when(), "00:00 every day");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn when(&self) -> String {
        if self.days.len() == 7 {
            format!("{} every day", self.time)
        } else {
            format!("{} on {}", self.time, self.days.join(", "))
        }
    }
}

/// The runs of `jobs` in `[from, from + weeks weeks)`, on the wall clock of
/// `zone`.
///
/// ```
/// use cronport::calendar::{week, Job};
/// let ny = jiff::tz::TimeZone::get("America/New_York")?;
/// let jobs = [Job::new("nightly", cronport::Schedule::parse("0 5 * * *", "UTC")?)];
/// // 05:00 UTC is 00:00 in New York in winter.
/// let w = week(&jobs, &ny, "2026-11-30T05:00:00Z".parse()?, 1);
/// assert_eq!(w.cells.iter().map(|day| day[0]).sum::<u64>(), 7);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn week(jobs: &[Job], zone: &TimeZone, from: Timestamp, weeks: u32) -> Week {
    week_and_crowds(jobs, zone, from, weeks, usize::MAX).0
}

/// [`week`], and the [`crowds`] of more than `limit` jobs in it, from one
/// pass over its runs: what `cronport calendar` shows.
///
/// ```
/// use cronport::calendar::{week_and_crowds, Job};
/// let jobs: Vec<Job> = (0..12).map(|i| Job::new(format!("job-{i}"), "0 0 * * *".parse().unwrap())).collect();
/// let (w, crowded) = week_and_crowds(&jobs, &jiff::tz::TimeZone::UTC, "2026-11-30T00:00:00Z".parse()?, 1, 10);
/// assert_eq!((w.total, crowded.len(), crowded[0].count), (84, 1, 12));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn week_and_crowds(
    jobs: &[Job],
    zone: &TimeZone,
    from: Timestamp,
    weeks: u32,
    limit: usize,
) -> (Week, Vec<Crowd>) {
    let until = from
        .checked_add(SignedDuration::from_hours(24 * 7 * i64::from(weeks.max(1))))
        .unwrap_or(Timestamp::MAX);
    let alike = Alike::of(jobs);
    let mut cells = [[0u64; 24]; 7];
    let mut total = 0;
    let starts = Starts::of(&alike, zone, from, until);
    for (start, groups) in starts.iter() {
        let day = usize::from(start.wall.weekday().to_monday_zero_offset() as u8);
        let hour = start.wall.hour() as usize;
        let n = alike.size(groups);
        cells[day][hour] += n;
        total += n;
    }
    // Every minute with more than one job, as crowds in time order: the
    // busiest of them, and those over `limit`, are the same crowds.
    let shared = group(starts.iter().filter(|(_, groups)| alike.size(groups) > 1));
    let crowded: Vec<Crowd> = shared
        .iter()
        .filter(|c| alike.size(&c.groups) > limit as u64)
        .map(|c| c.clone().named(jobs, &alike))
        .collect();
    let mut busiest = shared;
    // Most jobs first; ties by time (groups are in time order, the sort is stable).
    busiest.sort_by_key(|c| std::cmp::Reverse(alike.size(&c.groups)));
    let busiest_left_out = busiest.len().saturating_sub(BUSIEST);
    busiest.truncate(BUSIEST);
    let week = Week {
        zone: time_zone_name(zone),
        from,
        until,
        weeks: weeks.max(1),
        cells,
        total,
        busiest: busiest.into_iter().map(|c| c.named(jobs, &alike)).collect(),
        busiest_left_out,
    };
    (week, crowded)
}

/// The minutes in `[from, until)` when more than `limit` of `jobs` start
/// together, in time order: the crowding `plan` and `diff` warn of.
///
/// ```
/// use cronport::calendar::{crowds, Job};
/// let jobs: Vec<Job> = (0..12)
///     .map(|i| Job::new(format!("job-{i}"), "0 0 * * *".parse().unwrap()))
///     .collect();
/// let from = "2026-11-30T00:00:00Z".parse()?;
/// let crowded = crowds(&jobs, &jiff::tz::TimeZone::UTC, from, "2026-12-01T00:00:00Z".parse()?, 10);
/// assert_eq!((crowded.len(), crowded[0].count, crowded[0].when()), (1, 12, "00:00 on Mon".to_string()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn crowds(
    jobs: &[Job],
    zone: &TimeZone,
    from: Timestamp,
    until: Timestamp,
    limit: usize,
) -> Vec<Crowd> {
    let alike = Alike::of(jobs);
    let starts = Starts::of(&alike, zone, from, until);
    group(
        starts
            .iter()
            .filter(|(_, groups)| alike.size(groups) > limit as u64),
    )
    .into_iter()
    .map(|c| c.named(jobs, &alike))
    .collect()
}

/// The jobs in groups of the same schedule and start: each group's runs
/// are found once, whatever the number of jobs in it (10,000 jobs every
/// minute are one schedule), and a minute holds groups, not jobs.
struct Alike<'a> {
    /// Each group's schedule and start.
    schedules: Vec<(&'a Schedule, Option<Timestamp>)>,
    /// Each group's jobs, by index, ascending.
    members: Vec<Vec<usize>>,
}

impl<'a> Alike<'a> {
    fn of(jobs: &'a [Job]) -> Alike<'a> {
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        let mut alike = Alike {
            schedules: Vec::new(),
            members: Vec::new(),
        };
        for (i, job) in jobs.iter().enumerate() {
            // The schedule's full value (pattern, zone, rule, start) as a
            // key: `Schedule` has equality but no hash.
            let key = format!("{:?}|{:?}", job.schedule, job.start_at);
            let group = *index.entry(key).or_insert_with(|| {
                alike.schedules.push((&job.schedule, job.start_at));
                alike.members.push(Vec::new());
                alike.members.len() - 1
            });
            alike.members[group].push(i);
        }
        alike
    }

    /// How many jobs the groups hold.
    fn size(&self, groups: &[usize]) -> u64 {
        groups.iter().map(|&g| self.members[g].len() as u64).sum()
    }
}

/// A crowd before its jobs are named: the groups that start together.
#[derive(Clone)]
struct GroupCrowd {
    at: Timestamp,
    time: String,
    days: Vec<&'static str>,
    groups: Vec<usize>,
}

impl GroupCrowd {
    /// The crowd with its jobs' names, in the order given.
    fn named(self, jobs: &[Job], alike: &Alike) -> Crowd {
        let count = alike.size(&self.groups) as usize;
        // The first NAMED jobs in manifest order: each group's members
        // ascend, so only the first NAMED of each can be among them.
        let mut members: Vec<usize> = self
            .groups
            .iter()
            .flat_map(|&g| alike.members[g].iter().take(NAMED).copied())
            .collect();
        members.sort_unstable();
        Crowd {
            at: self.at,
            time: self.time,
            days: self.days,
            count,
            jobs: members
                .into_iter()
                .take(NAMED)
                .map(|i| jobs[i].name.clone())
                .collect(),
        }
    }
}

/// Crowded minutes grouped by wall-clock time and groups of jobs: the same
/// jobs at 00:00 every day are one crowd on seven days. In order of first
/// minute.
fn group<'a>(minutes: impl Iterator<Item = (&'a Start, &'a [usize])>) -> Vec<GroupCrowd> {
    let mut crowds: Vec<GroupCrowd> = Vec::new();
    // The crowds of each minute of the day (a day has 1,440): a minute is
    // found by its index and a comparison of its few groups, not a hash.
    let mut by_minute: Vec<Vec<usize>> = vec![Vec::new(); 24 * 60];
    for (start, groups) in minutes {
        let wall = start.wall;
        let minute_of_day = usize::from(wall.hour() as u8) * 60 + usize::from(wall.minute() as u8);
        let day = WEEKDAYS[usize::from(wall.weekday().to_monday_zero_offset() as u8)];
        let here = &mut by_minute[minute_of_day];
        match here.iter().find(|&&i| crowds[i].groups == groups) {
            Some(&i) => {
                if !crowds[i].days.contains(&day) {
                    crowds[i].days.push(day);
                }
            }
            None => {
                here.push(crowds.len());
                crowds.push(GroupCrowd {
                    at: start.at,
                    time: format!("{:02}:{:02}", wall.hour(), wall.minute()),
                    days: vec![day],
                    groups: groups.to_vec(),
                });
            }
        }
    }
    for crowd in &mut crowds {
        crowd
            .days
            .sort_by_key(|d| WEEKDAYS.iter().position(|w| w == d));
    }
    crowds
}

/// One minute in which some job starts: its instant and wall-clock time.
struct Start {
    at: Timestamp,
    wall: jiff::civil::DateTime,
    /// Where its groups are in [`Starts::groups`].
    groups: std::ops::Range<usize>,
}

/// Each minute in `[from, until)` when some job starts, with the groups
/// starting in it, in time order. The groups of all minutes share one
/// list (a minute's are a range of it), so a run costs a push, not an
/// allocation; and each minute's wall-clock time is found once.
struct Starts {
    minutes: Vec<Start>,
    groups: Vec<usize>,
}

impl Starts {
    fn of(alike: &Alike, zone: &TimeZone, from: Timestamp, until: Timestamp) -> Starts {
        // (minute, group) of every run: each group's runs ascend, so the
        // sort mostly merges sorted runs.
        let mut runs: Vec<(i64, usize)> = Vec::new();
        for (g, (schedule, start_at)) in alike.schedules.iter().enumerate() {
            let from = start_at.map_or(from, |at| at.max(from));
            runs.extend(
                schedule
                    .fires_between(from, until)
                    .map(|at| (at.as_second().div_euclid(60), g)),
            );
        }
        runs.sort_unstable();
        runs.dedup();
        let mut clock = Clock::new(zone);
        let mut starts = Starts {
            minutes: Vec::new(),
            groups: Vec::with_capacity(runs.len()),
        };
        for (minute, g) in runs {
            if starts
                .minutes
                .last()
                .is_none_or(|s| s.at.as_second().div_euclid(60) != minute)
            {
                let Ok(at) = Timestamp::from_second(minute * 60) else {
                    continue;
                };
                let position = starts.groups.len();
                starts.minutes.push(Start {
                    at,
                    wall: clock.wall(at),
                    groups: position..position,
                });
            }
            starts.groups.push(g);
            if let Some(last) = starts.minutes.last_mut() {
                last.groups.end = starts.groups.len();
            }
        }
        starts
    }

    fn iter(&self) -> impl Iterator<Item = (&Start, &[usize])> {
        self.minutes
            .iter()
            .map(|s| (s, &self.groups[s.groups.clone()]))
    }
}

/// Wall-clock times of instants in one zone, the zone's offset looked up
/// once per transition rather than once per minute.
struct Clock<'z> {
    zone: &'z TimeZone,
    /// The offset, and the instants it holds for: `[from, until)`.
    offset: Option<(jiff::tz::Offset, Timestamp, Timestamp)>,
}

impl<'z> Clock<'z> {
    fn new(zone: &'z TimeZone) -> Clock<'z> {
        Clock { zone, offset: None }
    }

    fn wall(&mut self, at: Timestamp) -> jiff::civil::DateTime {
        let offset = match self.offset {
            Some((offset, from, until)) if from <= at && at < until => offset,
            _ => {
                let offset = self.zone.to_offset(at);
                let from = self
                    .zone
                    .preceding(at + jiff::SignedDuration::from_nanos(1))
                    .next()
                    .map_or(Timestamp::MIN, |t| t.timestamp());
                let until = self
                    .zone
                    .following(at)
                    .next()
                    .map_or(Timestamp::MAX, |t| t.timestamp());
                self.offset = Some((offset, from, until));
                offset
            }
        };
        offset.to_datetime(at)
    }
}

/// The week as text for a terminal: a row per weekday, a column per hour,
/// each cell the number of runs with a shade from ` ` (none) to `█` (the
/// busiest hour), then the busiest minutes. Readable without colour.
///
/// ```
/// use cronport::calendar::{text, week, Job};
/// let jobs = [Job::new("fan-out", "every 10 minutes".parse()?)];
/// let w = week(&jobs, &jiff::tz::TimeZone::UTC, "2026-11-30T00:00:00Z".parse()?, 1);
/// let t = text(&w);
/// assert!(t.contains("Mon │█ 6 █ 6"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn text(week: &Week) -> String {
    const SHADES: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let range = observed_range(&[week]);
    let width = range.1.to_string().len().max(2);
    let mut out = format!(
        "Runs per hour, {} week(s) from {} on the {} clock: {} run(s); each cell is a shade and a count, the shades spanning the busy hours from {} runs (▁) to {} (█).\n\n",
        week.weeks, week.from, week.zone, week.total, range.0, range.1
    );
    let mut header = String::from("    │");
    for hour in 0..24 {
        header.push_str(&format!("{:>w$} ", format!("{hour:02}"), w = width + 1));
    }
    out.push_str(header.trim_end());
    out.push('\n');
    for (day, row) in week.cells.iter().enumerate() {
        out.push_str(&format!("{} │", WEEKDAYS[day]));
        for &n in row {
            let shade = SHADES[shade_step(n, range)];
            let count = if n == 0 { String::new() } else { n.to_string() };
            out.push_str(&format!("{shade}{count:>width$} "));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    if !week.busiest.is_empty() {
        out.push_str("\nBusiest minutes:\n");
        for c in &week.busiest {
            out.push_str(&format!(
                "  {}: {} jobs ({})\n",
                c.when(),
                c.count,
                named(&c.jobs, c.count, 8)
            ));
        }
        if week.busiest_left_out > 0 {
            out.push_str(&format!(
                "  … and {} more minute(s) when several jobs start together\n",
                week.busiest_left_out
            ));
        }
    }
    out
}

/// Two weeks side by side as a small block-character grid (one character
/// an hour, one shade scale for both), for a pull-request comment: a
/// fenced block GitHub shows as is, the same size for 3 jobs or 3,000.
/// Rows whose hours differ are marked `◀`.
///
/// ```
/// use cronport::calendar::{compare, week, Job};
/// let from = "2026-11-30T00:00:00Z".parse()?;
/// let utc = jiff::tz::TimeZone::UTC;
/// let before = week(&[Job::new("a", "0 14 * * *".parse()?)], &utc, from, 1);
/// let after = week(&[Job::new("a", "0 15 * * 1".parse()?)], &utc, from, 1);
/// let grid = compare(&before, &after);
/// assert!(grid.starts_with("```text\n"));
/// assert!(grid.contains("Mon ··············█········· │ ···············█········ ◀"));
/// assert!(grid.chars().count() < 1_000); // the same size for 3 or 3,000 jobs
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(before: &Week, after: &Week) -> String {
    const SHADES: [char; 9] = ['·', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let range = observed_range(&[before, after]);
    let max = range.1;
    let shade = |n: u64| SHADES[shade_step(n, range)];
    // 24 columns, one an hour, labelled every six.
    let mut ruler = String::new();
    for hour in (0..24).step_by(6) {
        ruler.push_str(&format!("{hour:<6}"));
    }
    let mut out = format!(
        "```text\nruns per hour on the {} clock, the week from {}: before │ after (· none, ▁ {} runs, █ {max})\n    {ruler} │ {}\n",
        after.zone,
        after.from,
        range.0,
        ruler.trim_end()
    );
    for (day, name) in WEEKDAYS.iter().enumerate() {
        let row = |w: &Week| w.cells[day].iter().map(|&n| shade(n)).collect::<String>();
        let changed = before.cells[day] != after.cells[day];
        out.push_str(&format!(
            "{name} {} │ {}{}\n",
            row(before),
            row(after),
            if changed { " ◀" } else { "" }
        ));
    }
    // The hours that change, in numbers: the same change on several days
    // is one line.
    // (hour, runs before, runs after) and the days it is so.
    type Move = ((usize, u64, u64), Vec<&'static str>);
    let mut moved: Vec<Move> = Vec::new();
    for (day, name) in WEEKDAYS.iter().enumerate() {
        for hour in 0..24 {
            let (b, a) = (before.cells[day][hour], after.cells[day][hour]);
            if b == a {
                continue;
            }
            match moved.iter_mut().find(|(key, _)| *key == (hour, b, a)) {
                Some((_, days)) => days.push(name),
                None => moved.push(((hour, b, a), vec![name])),
            }
        }
    }
    moved.sort_by_key(|((hour, _, _), days)| (WEEKDAYS.iter().position(|d| *d == days[0]), *hour));
    for ((hour, b, a), days) in moved.iter().take(MOVED_LINES) {
        let when = if days.len() == 7 {
            "every day".to_string()
        } else {
            days.join(", ")
        };
        out.push_str(&format!(
            "{hour:02}:00–{hour:02}:59 {when}: {b} → {a} runs\n"
        ));
    }
    if moved.len() > MOVED_LINES {
        out.push_str(&format!(
            "… and {} more changed hours\n",
            moved.len() - MOVED_LINES
        ));
    }
    if moved.is_empty() {
        out.push_str("this week's hours do not change: the runs that move are in other weeks (runs/year above)\n");
    } else {
        out.push_str("(shades are relative to the busiest hour; the numbers are exact)\n");
    }
    out.push_str("```\n");
    out
}

/// Lines of changed hours [`compare`] lists at most.
const MOVED_LINES: usize = 12;

/// One line on a crowd, for `plan`, `diff` and `calendar`.
///
/// ```
/// let c = cronport::calendar::Crowd { at: "2026-11-30T00:00:00Z".parse()?, time: "00:00".into(), days: cronport::calendar::WEEKDAYS.to_vec(), count: 2, jobs: vec!["a".into(), "b".into()] };
/// assert!(cronport::calendar::crowd_warning(&c, 1).starts_with("2 jobs start together at 00:00 every day (a, b), more than 1:"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn crowd_warning(crowd: &Crowd, limit: usize) -> String {
    let names = named(&crowd.jobs, crowd.count, 8);
    format!(
        "{} jobs start together at {} ({names}), more than {limit}: spread them over a few minutes so their tasks and database connections do not all start at once",
        crowd.count,
        crowd.when(),
    )
}

/// The week as a self-contained SVG: a grid of weekday × hour cells, each
/// shaded by its runs and labelled with the number (readable without
/// colour), a title, a legend, and the busiest minutes beneath. No script,
/// no external reference.
///
/// ```
/// use cronport::calendar::{svg, week, Job};
/// let jobs = [Job::new("fan-out", "every 10 minutes".parse()?)];
/// let w = week(&jobs, &jiff::tz::TimeZone::UTC, "2026-11-30T00:00:00Z".parse()?, 1);
/// let picture = svg(&w);
/// assert!(picture.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
/// assert!(picture.contains("<title>"));
/// assert_eq!(picture.matches("<rect class=\"cell\"").count(), 7 * 24);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn svg(week: &Week) -> String {
    const CELL: usize = 34;
    const LEFT: usize = 48;
    const TOP: usize = 64;
    let range = observed_range(&[week]);
    let width = LEFT + 24 * CELL + 16;
    let legend_top = TOP + 7 * CELL + 16;
    let height = legend_top + 40 + 18 * week.busiest.len() + 16;
    let title = format!(
        "cronport: runs per hour, {} week(s) from {} ({}), {} runs",
        week.weeks, week.from, week.zone, week.total
    );
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n<text x=\"{LEFT}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
        xml(&title),
        xml(&title)
    );
    for hour in 0..24 {
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444444\">{hour:02}</text>\n",
            LEFT + hour * CELL + CELL / 2,
            TOP - 8
        ));
    }
    for (day, name) in WEEKDAYS.iter().enumerate() {
        let y = TOP + day * CELL;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#444444\">{name}</text>\n",
            LEFT - 8,
            y + CELL / 2 + 4
        ));
        for hour in 0..24 {
            let n = week.cells[day][hour];
            let (fill, ink) = heat(n, range);
            let x = LEFT + hour * CELL;
            out.push_str(&format!(
                "<rect class=\"cell\" x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\"><title>{name} {hour:02}:00–{hour:02}:59: {n} runs</title></rect>\n",
                CELL,
                CELL
            ));
            if n > 0 {
                out.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{ink}\">{n}</text>\n",
                    x + CELL / 2,
                    y + CELL / 2 + 4
                ));
            }
        }
    }
    // The legend: five steps of the scale, the quietest busy hour to the
    // busiest, with their numbers.
    out.push_str(&format!(
        "<text x=\"{LEFT}\" y=\"{}\">runs per hour:</text>\n",
        legend_top + 14
    ));
    let (lo, hi) = range;
    let mut steps: Vec<u64> = (0..=4u64).map(|step| lo + (hi - lo) * step / 4).collect();
    steps.dedup();
    for (i, n) in steps.into_iter().enumerate() {
        let (fill, _) = heat(n, range);
        let x = LEFT + 100 + i * 70;
        out.push_str(&format!(
            "<rect x=\"{x}\" y=\"{legend_top}\" width=\"20\" height=\"20\" fill=\"{fill}\" stroke=\"#999999\"/><text x=\"{}\" y=\"{}\">{n}</text>\n",
            x + 26,
            legend_top + 14
        ));
    }
    for (i, c) in week.busiest.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{LEFT}\" y=\"{}\">{}</text>\n",
            legend_top + 48 + 18 * i,
            xml(&format!(
                "{}: {} jobs ({})",
                c.when(),
                c.count,
                named(&c.jobs, c.count, 3)
            ))
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// The week as one self-contained HTML page: the SVG, and the counts as a
/// table for screen readers and copying.
///
/// ```
/// use cronport::calendar::{html, week};
/// let w = week(&[], &jiff::tz::TimeZone::UTC, "2026-11-30T00:00:00Z".parse()?, 1);
/// let page = html(&w);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(!page.contains("<script"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn html(week: &Week) -> String {
    let mut table = String::from("<table>\n<tr><th></th>");
    for hour in 0..24 {
        table.push_str(&format!("<th>{hour:02}</th>"));
    }
    table.push_str("</tr>\n");
    for (day, name) in WEEKDAYS.iter().enumerate() {
        table.push_str(&format!("<tr><th>{name}</th>"));
        for n in week.cells[day] {
            table.push_str(&format!("<td>{n}</td>"));
        }
        table.push_str("</tr>\n");
    }
    table.push_str("</table>\n");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>cronport calendar: {}</title>\n<style>body{{font-family:sans-serif;margin:24px}}table{{border-collapse:collapse;font-size:11px}}td,th{{border:1px solid #dddddd;padding:2px 4px;text-align:right}}</style>\n</head>\n<body>\n{}<h2>Runs per hour</h2>\n{table}</body>\n</html>\n",
        xml(&week.zone),
        svg(week)
    )
}

/// The least and most runs of the hours that have any: the shades span
/// this range, not 0 to the most. Three every-10-minute jobs put 18 runs in
/// every hour; on a 0-to-19 scale every cell is the same dark blue and the
/// daily jobs, the runs a team places by hand, cannot be seen.
///
/// ```
/// let mut w = cronport::calendar::week(&[], &jiff::tz::TimeZone::UTC, "2026-11-30T00:00:00Z".parse()?, 1);
/// w.cells[0][3] = 18;
/// w.cells[0][4] = 19;
/// assert_eq!(cronport::calendar::observed_range(&[&w]), (18, 19));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn observed_range(weeks: &[&Week]) -> (u64, u64) {
    let busy = || {
        weeks
            .iter()
            .flat_map(|w| w.cells.iter().flatten().copied())
            .filter(|&n| n > 0)
    };
    (busy().min().unwrap_or(0), busy().max().unwrap_or(0))
}

/// Where `n` sits in `[lo, hi]`, from 0 (the quietest busy hour) to 1 (the
/// busiest); in a week whose busy hours are all alike, each is the busiest.
fn position(n: u64, (lo, hi): (u64, u64)) -> f64 {
    if hi <= lo {
        1.0
    } else {
        (n.saturating_sub(lo)) as f64 / (hi - lo) as f64
    }
}

/// A cell's fill and the ink that reads on it: white to dark blue.
fn heat(n: u64, range: (u64, u64)) -> (String, &'static str) {
    if n == 0 || range.1 == 0 {
        return ("#f4f4f4".to_string(), "#000000");
    }
    // 0.25–1.0 of the way from a pale to a dark blue: the quietest busy
    // hour is still plainly blue beside an empty one.
    let t = 0.25 + 0.75 * position(n, range);
    let mix = |pale: f64, dark: f64| (pale + (dark - pale) * t).round() as u8;
    let fill = format!(
        "#{:02x}{:02x}{:02x}",
        mix(222.0, 8.0),
        mix(235.0, 48.0),
        mix(247.0, 107.0)
    );
    (fill, if t > 0.55 { "#ffffff" } else { "#000000" })
}

/// `text` with XML's five special characters escaped.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The first `n` names, and how many more.
/// The first `n` of a crowd's `count` jobs by name, and how many more.
fn named(names: &[String], count: usize, n: usize) -> String {
    let mut text = names.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if count > n {
        text.push_str(&format!(" and {} more", count - n.min(count)));
    }
    text
}

/// A cell's step on a nine-shade scale: 0 for no runs, 1–8 by its share of
/// the busiest cell `max` (the text heatmap and the diff's picture).
fn shade_step(n: u64, range: (u64, u64)) -> usize {
    if n == 0 || range.1 == 0 {
        0
    } else {
        (1 + (position(n, range) * 7.0).round() as usize).min(8)
    }
}
