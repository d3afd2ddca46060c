//! The cutover's journal: one JSON line per step done, written and synced
//! before the next step, so the same command run again after a crash, a
//! closed laptop or a failure skips what is done and says when it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Action;

/// One step done.
///
/// ```
/// use cronport::cutover::{Action, JournalEntry};
/// let line = r#"{"instant":"2026-12-01T03:05:00Z","at":"2026-12-01T03:02:01Z","action":"delete-heroku-job","id":"7"}"#;
/// let entry: JournalEntry = serde_json::from_str(line)?;
/// assert_eq!(entry.action, Action::DeleteHerokuJob { id: "7".into(), job: None });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The cutover instant it belongs to.
    pub instant: Timestamp,
    /// When the step took effect.
    pub at: Timestamp,
    /// What was done.
    #[serde(flatten)]
    pub action: Action,
}

/// A journal file, open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
    instant: Timestamp,
}

/// Why the journal could not be read or written.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("j.jsonl");
/// std::fs::write(&path, "{\"instant\":\"2027-01-01T00:00:00Z\",\"at\":\"2026-12-31T23:59:00Z\",\"action\":\"enable-rule\",\"name\":\"r\",\"job\":\"a\"}\n")?;
/// let err = cronport::cutover::Journal::open(&path, "2026-12-01T03:05:00Z".parse()?).unwrap_err();
/// assert!(err.to_string().contains("2027-01-01T00:00:00Z"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JournalError(String);

impl Journal {
    /// Opens (or creates, readable by the owner only) the journal at
    /// `path` for the cutover at `instant`, with the steps it records as
    /// done. A last line cut short by a crash is ignored; a journal of
    /// another instant is an error.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("cutover.jsonl");
    /// let at = "2026-12-01T03:05:00Z".parse()?;
    /// let (mut journal, done) = cronport::cutover::Journal::open(&path, at)?;
    /// assert!(done.is_empty());
    /// journal.record(at, &cronport::cutover::Action::EnableRule { name: "r".into(), job: "a".into() })?;
    /// drop(journal); // the lock goes with it
    /// let (_, done) = cronport::cutover::Journal::open(&path, at)?;
    /// assert_eq!(done.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(
        path: &Path,
        instant: Timestamp,
    ) -> Result<(Journal, Vec<JournalEntry>), JournalError> {
        let (text, done) = read(path, instant)?;
        let cannot = |what: &str, e: std::io::Error| {
            JournalError(format!(
                "cannot {what} the cutover journal {}: {e}",
                path.display()
            ))
        };
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| cannot("open", e))?;
        // One cutover at a time per journal: a second copy of the same
        // command would send every DELETE twice.
        file.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => JournalError(format!(
                "another cutover is running with the journal {}; let it finish (or stop it) first",
                path.display()
            )),
            std::fs::TryLockError::Error(e) => cannot("lock", e),
        })?;
        // A torn last line gets its own line end, so the next entry parses.
        if !text.is_empty() && !text.ends_with('\n') {
            file.write_all(b"\n").map_err(|e| cannot("write", e))?;
        }
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
                instant,
            },
            done,
        ))
    }

    /// The steps the journal at `path` records as done, without opening it
    /// for writing (none when there is no file).
    ///
    /// ```
    /// let done = cronport::cutover::Journal::read(std::path::Path::new("/nonexistent/j.jsonl"), "2026-12-01T03:05:00Z".parse()?)?;
    /// assert!(done.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(path: &Path, instant: Timestamp) -> Result<Vec<JournalEntry>, JournalError> {
        Ok(read(path, instant)?.1)
    }

    /// Records `action` as done at `at`, synced to disk before it returns.
    pub fn record(&mut self, at: Timestamp, action: &Action) -> Result<(), JournalError> {
        let entry = JournalEntry {
            instant: self.instant,
            at,
            action: action.clone(),
        };
        let mut line = serde_json::to_string(&entry)
            .map_err(|e| JournalError(format!("cannot write the cutover journal: {e}")))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| {
                JournalError(format!(
                    "cannot write the cutover journal {}: {e}",
                    self.path.display()
                ))
            })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The most of a journal read: a cutover writes one short line per step.
const MAX_JOURNAL_BYTES: u64 = 16 * 1024 * 1024;

/// The journal's text and the entries of `instant` in it.
fn read(path: &Path, instant: Timestamp) -> Result<(String, Vec<JournalEntry>), JournalError> {
    let cannot = |e: String| {
        JournalError(format!(
            "cannot read the cutover journal {}: {e}",
            path.display()
        ))
    };
    let text = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(cannot(e.to_string())),
        // A device or a pipe may never end (`/dev/full` reads zeros).
        Ok(meta) if !meta.is_file() => {
            return Err(cannot("it is not a regular file".to_string()));
        }
        Ok(_) => {
            let file = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
            let mut text = String::new();
            std::io::Read::read_to_string(
                &mut std::io::Read::take(file, MAX_JOURNAL_BYTES + 1),
                &mut text,
            )
            .map_err(|e| cannot(e.to_string()))?;
            if text.len() as u64 > MAX_JOURNAL_BYTES {
                return Err(cannot(format!(
                    "it is longer than {MAX_JOURNAL_BYTES} bytes; a cutover writes a line per step"
                )));
            }
            text
        }
    };
    let mut done = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        // Only a crash mid-write leaves a line that does not parse, and
        // only the last: that step is tried again, which is safe.
        let Ok(entry) = serde_json::from_str::<JournalEntry>(line) else {
            continue;
        };
        if entry.instant != instant {
            return Err(JournalError(format!(
                "the cutover journal {} is for a cutover at {}, not {instant}: give that instant, or another --journal",
                path.display(),
                entry.instant
            )));
        }
        done.push(entry);
    }
    Ok((text, done))
}
