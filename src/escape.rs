//! Text from a manifest or from AWS, made safe for where it is printed: a
//! terminal, a comment line in a rendered file, a Markdown comment. A
//! command may hold a newline, a terminal escape or backticks; none of them
//! may forge a line of a plan, break out of a `#` comment, or hide the rows
//! after it in a pull-request comment.

/// `text` on one line with no control characters: each is written as its
/// Rust escape (`\n`, `\u{1b}`), so what a line says is all there is.
///
/// ```
/// assert_eq!(cronport::escape::one_line("a\nb\u{1b}[2J"), "a\\nb\\u{1b}[2J");
/// assert_eq!(cronport::escape::one_line("txt.\u{202e}exe"), "txt.\\u{202e}exe");
/// ```
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // Controls, and the bidirectional overrides and isolates that make
        // a terminal show text in another order than it is (U+202E).
        if c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `id`, from a server, may go into a request path as it is:
/// letters, digits, `-` and `_` only (Heroku's ids are UUIDs), never `.` or
/// `/` — `..` would send `DELETE /apps/ID/`.
///
/// ```
/// assert!(cronport::escape::is_path_safe_id("8d3a2c4e-1f0b-4b6e-9a57-3c2d1e0f9a8b"));
/// assert!(!cronport::escape::is_path_safe_id("..") && !cronport::escape::is_path_safe_id("a/b"));
/// assert!(!cronport::escape::is_path_safe_id(""));
/// ```
pub fn is_path_safe_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A Markdown code span holding `text` literally: delimited by more
/// backticks than any run inside it (CommonMark), on one line, with `|`
/// escaped for a table cell.
pub(crate) fn code_span(text: &str) -> String {
    let text = one_line(text).replace('|', "\\|");
    let ticks = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// A fence for a Markdown code block holding `text`: longer than any run
/// of backticks inside it, so the text cannot close it.
pub(crate) fn fence_for(text: &str) -> String {
    "`".repeat((longest_backtick_run(text) + 1).max(3))
}

/// `text` for HTML element content.
pub(crate) fn html(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_breaks_out() {
        assert_eq!(one_line("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(code_span("rake a | b"), "`rake a \\| b`");
        assert_eq!(code_span("echo `date`"), "`` echo `date` ``");
        assert_eq!(fence_for("```\n<!--"), "````");
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(html("<!-- x -->"), "&lt;!-- x --&gt;");
    }
}
