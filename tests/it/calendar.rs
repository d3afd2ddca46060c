//! `cronport calendar`, the crowding warnings and the diff's picture of
//! the week, as a user runs them.

use std::process::Command;

use crate::common::{cronport, text};

const EXAMPLE: &str = "examples/heroku/cronport.toml";
const MONDAY: &str = "2026-11-30T00:00:00Z";

#[test]
fn calendar_of_the_bundled_example_as_text_and_json() {
    let out = cronport(&["calendar", EXAMPLE, "--from", MONDAY]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("calendar_text", text(&out.stdout));
    assert!(
        text(&out.stderr).is_empty(),
        "no minute has more than 10 jobs: {}",
        text(&out.stderr)
    );
    let out = cronport(&["calendar", EXAMPLE, "--from", MONDAY, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 12 jobs: 2 every 10 minutes, 3 hourly, 7 daily.
    assert_eq!(json["week"]["total"], 2 * 1008 + 3 * 168 + 7 * 7);
    let cells: u64 = json["week"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|day| day.as_array().unwrap().iter().map(|n| n.as_u64().unwrap()))
        .sum();
    assert_eq!(json["week"]["total"], cells);
    assert_eq!(json["week"]["busiest"][0]["time"], "00:00");
    assert_eq!(json["crowded"], serde_json::json!([]));
}

#[test]
fn a_zone_moves_the_hours_and_a_limit_names_the_crowds() {
    // 05:00 UTC is 00:00 in New York in winter: the daily jobs move by five
    // hours, and the limit warns of every minute with more than 3 jobs.
    let out = cronport(&[
        "calendar",
        EXAMPLE,
        "--from",
        MONDAY,
        "--tz",
        "America/New_York",
        "--format",
        "json",
        "--crowd-limit",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["week"]["zone"], "America/New_York");
    assert_eq!(json["crowded"][0]["time"], "19:00"); // 00:00 UTC
    assert!(
        text(&out.stderr).contains("warning: 4 jobs start together at 19:00 every day"),
        "{}",
        text(&out.stderr)
    );
    let out = cronport(&["calendar", EXAMPLE, "--tz", "Mars/Olympus"]);
    assert_eq!(out.status.code(), Some(1));
}

/// `n` jobs, a third at 00:00, a third every hour at :30, a third every
/// ten minutes.
fn manifest(n: usize, daily_at: &str) -> String {
    let mut text = String::from(crate::common::DEFAULTS);
    for i in 0..n {
        let schedule = match i % 3 {
            0 => format!("every day at {daily_at}"),
            1 => "every hour at :30".to_string(),
            _ => "every 10 minutes".to_string(),
        };
        text.push_str(&format!(
            "\n[[job]]\nname = \"job-{i}\"\nschedule = \"{schedule}\"\ncommand = \"rake job{i}\"\n"
        ));
    }
    text
}

#[test]
fn diff_of_300_jobs_pictures_the_week_in_a_comment_github_takes() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base.toml"), dir.path().join("head.toml"));
    std::fs::write(&base, manifest(300, "00:00")).unwrap();
    std::fs::write(&head, manifest(300, "03:00")).unwrap();
    let out = cronport(&[
        "diff",
        base.to_str().unwrap(),
        head.to_str().unwrap(),
        "--format",
        "markdown",
        "--from",
        MONDAY,
    ]);
    let comment = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(comment.len() < 65_536, "{} characters", comment.len());
    assert!(
        comment.contains("**The week's runs, before and after** (all jobs, UTC):"),
        "{comment}"
    );
    assert!(
        comment.contains("00:00–00:59 every day: 800 → 700 runs"),
        "{comment}"
    );
    assert!(
        comment.contains("03:00–03:59 every day: 700 → 800 runs"),
        "{comment}"
    );
    // 100 daily jobs at 03:00 with the 100 every-ten-minutes ones: crowded.
    assert!(
        comment.contains("- ⚠️ 200 jobs start together at 03:00 every day"),
        "{comment}"
    );
    insta::assert_snapshot!(
        "diff_picture",
        comment[comment.find("```text").unwrap()..].to_string()
    );
}

#[test]
fn a_comment_on_300_changed_jobs_stays_under_githubs_limit_and_says_what_it_left_out() {
    let jobs = |at: &str| {
        let mut text = String::from(crate::common::DEFAULTS);
        for i in 0..300 {
            text.push_str(&format!("\n[[job]]\nname = \"job-{i}\"\nschedule = \"every day at {at}\"\ncommand = \"rake job{i}\"\n"));
        }
        text
    };
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base.toml"), dir.path().join("head.toml"));
    std::fs::write(&base, jobs("00:00")).unwrap();
    std::fs::write(&head, jobs("03:00")).unwrap();
    let out = cronport(&[
        "diff",
        base.to_str().unwrap(),
        head.to_str().unwrap(),
        "--format",
        "markdown",
        "--from",
        MONDAY,
    ]);
    let comment = text(&out.stdout);
    assert!(
        comment.chars().count() < 65_536,
        "{} characters",
        comment.chars().count()
    );
    assert!(
        comment.contains(
            "more job(s) are left out to keep the comment under GitHub's 65,536 characters"
        ),
        "{comment}"
    );
    assert!(
        comment.contains("03:00–03:59 every day: 0 → 300 runs"),
        "{comment}"
    );
    // Text keeps every job.
    let out = cronport(&[
        "diff",
        base.to_str().unwrap(),
        head.to_str().unwrap(),
        "--from",
        MONDAY,
    ]);
    assert!(text(&out.stdout).contains("job-299"));
}

/// Headless Chromium (Debian's `chromium`, which `scripts/test.sh`
/// installs where missing) renders `path` into a `width`×`height`
/// screenshot; returns its pixels as RGB(A) rows, or `None` without a
/// Chromium when none is required.
fn screenshot(
    path: &std::path::Path,
    width: u32,
    height: u32,
) -> Option<(png::OutputInfo, Vec<u8>)> {
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(chromium) = chromium else {
        assert!(
            std::env::var("CRONPORT_REQUIRE_CHROMIUM").is_err(),
            "chromium is required (scripts/test.sh installs it) but missing"
        );
        eprintln!("chromium is not installed: the pictures are not rendered");
        return None;
    };
    let shot = path.with_extension("png");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", path.display()))
        .output()
        .unwrap();
    assert!(shot.exists(), "no screenshot: {}", text(&out.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    Some((info, pixels))
}

#[test]
fn the_svg_and_the_html_page_render_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [("svg", "week.svg"), ("html", "week.html")] {
        let out = cronport(&["calendar", EXAMPLE, "--from", MONDAY, "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let body = text(&out.stdout);
        // Self-contained: no script, and no address but the SVG namespace.
        assert!(!body.contains("<script"), "{format} runs no script");
        let addresses = body.matches("http://").count() + body.matches("https://").count();
        assert_eq!(
            addresses,
            body.matches("http://www.w3.org/2000/svg").count(),
            "{format} fetches nothing"
        );
        let path = dir.path().join(file);
        std::fs::write(&path, &body).unwrap();
        if format == "svg" {
            // Well-formed XML: every element closed, every name known.
            let mut open = Vec::new();
            for tag in body.split('<').skip(1) {
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                if tag.starts_with('/') {
                    assert_eq!(
                        open.pop().as_deref(),
                        Some(name.as_str()),
                        "</{name}> closes the wrong element"
                    );
                } else if !tag.split('>').next().unwrap().ends_with('/') {
                    open.push(name);
                }
            }
            assert!(open.is_empty(), "unclosed: {open:?}");
        }
        let Some((info, pixels)) = screenshot(&path, 920, 520) else {
            return;
        };
        assert_eq!((info.width, info.height), (920, 520));
        // Not blank: a good share of the picture is the heatmap's blues.
        let channels = info.color_type.samples();
        let blue = pixels
            .chunks(channels)
            .filter(|p| p[2] > p[0].saturating_add(40))
            .count();
        let share = blue as f64 / (920.0 * 520.0);
        assert!(
            share > 0.2,
            "{format}: only {:.0}% of the screenshot is heatmap",
            share * 100.0
        );
    }
}

#[test]
fn rates_keep_the_clock_start_at_holds_runs_and_a_crowd_is_two_or_more() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.toml");
    let jobs = r#"
[[job]]
name = "daily-rate"
schedule = "rate(1 day)"
command = "rake rate"

[[job]]
name = "later"
schedule = "0 9 * * *"
command = "rake later"
start_at = "2026-12-03T00:00:00Z"
"#;
    std::fs::write(&path, format!("{}{jobs}", crate::common::DEFAULTS)).unwrap();
    let out = cronport(&[
        "calendar",
        path.to_str().unwrap(),
        "--from",
        MONDAY,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cells = &json["week"]["cells"];
    // rate(1 day) keeps the UTC clock (counted from 00:00 UTC): every day
    // at 00:00, Monday's included, whenever the calendar starts.
    let midnight: Vec<u64> = (0..7).map(|d| cells[d][0].as_u64().unwrap()).collect();
    assert_eq!(midnight, [1, 1, 1, 1, 1, 1, 1]);
    // 09:00 from Thursday 3 December on.
    let nine: Vec<u64> = (0..7).map(|d| cells[d][9].as_u64().unwrap()).collect();
    assert_eq!(nine, [0, 0, 0, 1, 1, 1, 1]);
    let out = cronport(&["calendar", path.to_str().unwrap(), "--crowd-limit", "0"]);
    assert_eq!(out.status.code(), Some(2), "a crowd is more than one job");
}
