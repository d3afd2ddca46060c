//! Every kind of bad expression gives one error, pointing at the bad bytes,
//! with a sentence that says what to write.

use cronport_core::syntax::{self, Grammar};

/// (input, the exact span, words the message must contain)
const CASES: &[(&str, std::ops::Range<usize>, &str)] = &[
    (
        "30 14 * * 8",
        10..11,
        "day-of-week 8 is out of range 0–7; did you mean 1?",
    ),
    ("0 12 * *", 8..8, "this has 4: add the day-of-week field"),
    (
        "0 12 * * ? *",
        11..12,
        "needs `cron(...)` around it: `cron(0 12 * * ? *)`",
    ),
    ("* 24 * * *", 2..4, "did you mean 0 (midnight)?"),
    ("0 0 0 * *", 4..5, "days of the month start at 1"),
    (
        "0 0 * * MOO",
        8..11,
        "unknown day-of-week name `MOO`; use one of SUN",
    ),
    (
        "5-1 * * * *",
        0..3,
        "runs backwards; write it as two ranges: 5-59,0-1",
    ),
    (
        "0,,5 * * * *",
        2..3,
        "an empty list item in the minute field",
    ),
    ("0 12 L * *", 5..6, "`L` (last) is AWS syntax"),
    ("0 12 ? * *", 5..6, "Unix cron writes `*` for any day"),
    ("@reboot", 0..7, "AWS has no equivalent"),
    ("@daily extra", 7..12, "`@daily` stands alone"),
    (
        "cron(0 12 * * * *)",
        10..15,
        "write `?` for day-of-month: `cron(0 12 ? * * *)`",
    ),
    (
        "cron(0 12 ? * ? *)",
        10..15,
        "`?` in only one of day-of-month and day-of-week",
    ),
    ("cron(0 12 1 * MON *)", 10..17, "AWS cannot restrict both"),
    (
        "cron(0 12 ? * 0 *)",
        14..15,
        "AWS numbers Sunday 1: did you mean 1 (SUN)?",
    ),
    (
        "cron(0 12 ? * */8 *)",
        16..17,
        "step 8 in the day-of-week field must be between 1 and 7",
    ),
    (
        "cron(0 12 ? * MON/2 *)",
        14..19,
        "write the days as numbers",
    ),
    ("cron(0 12 L,15 * ? *)", 10..11, "`L` must stand alone"),
    (
        "cron(0 0 ? * 3#1,6#3 *)",
        13..16,
        "one `#` expression in day-of-week",
    ),
    ("cron(0 12 ? * 2#6 *)", 16..17, "at most five of a weekday"),
    (
        "cron(0 12 * * ? 1969)",
        16..20,
        "year 1969 is out of range 1970–2199",
    ),
    (
        "cron(0 12 * L ? *)",
        12..13,
        "`L` only goes in day-of-month or day-of-week",
    ),
    ("cron(0 12 * * ?)", 5..15, "AWS cron has 6 fields"),
    ("cron(0 12 * * ? *", 0..17, "with the closing parenthesis"),
    (
        "CRON(0 12 * * ? *)",
        0..4,
        "AWS writes `cron(` in lower case",
    ),
    ("rate(1 minutes)", 7..14, "write `rate(1 minute)`"),
    ("rate(0 minutes)", 5..6, "at least 1"),
    ("rate(5 weeks)", 7..12, "use minute(s), hour(s) or day(s)"),
    ("at(2026-02-30T10:00:00)", 3..13, "2026-02-30 is not a date"),
    (
        "at(2026-01-01 00:00:00)",
        13..14,
        "`at(yyyy-mm-ddThh:mm:ss)`",
    ),
    (
        "every 5 minutes",
        0..15,
        "Heroku Scheduler knows `every 10 minutes`",
    ),
    ("every hour at :15", 14..17, "did you mean :10?"),
    ("every day at 14:15", 16..18, "did you mean 14:00 or 14:30?"),
];

#[test]
fn each_bad_input_points_at_its_span_and_says_what_to_do() {
    for (input, span, words) in CASES {
        let err = syntax::parse_any(input).expect_err(input);
        assert!(err.message.contains(words), "{input}: {}", err.message);
        assert_eq!(&err.span, span, "{input}: {}", err.message);
        let grammar = Grammar::detect(input);
        assert_eq!(err.grammar, grammar, "{input}");
    }
}

#[test]
fn render_puts_the_caret_under_the_span_even_after_wide_characters() {
    let input = "0 12 * * ★";
    let err = syntax::parse_any(input).unwrap_err();
    let rendered = err.render(input);
    let lines: Vec<&str> = rendered.lines().collect();
    assert_eq!(lines[2], "  | 0 12 * * ★");
    assert_eq!(lines[3], "  |          ^");
}
