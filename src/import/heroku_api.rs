//! Fetching an app's Heroku Scheduler jobs, as the Heroku dashboard does.
//!
//! Heroku documents no export. The dashboard (and the herokux Terraform
//! provider's `api/scheduler` package) read the Scheduler API:
//! `GET https://particleboard.heroku.com/apps/{app id}/jobs` with
//! `Accept: application/vnd.api+json` and the user's token as a bearer
//! token. The app's id comes from the Platform API:
//! `GET https://api.heroku.com/apps/{name}` with
//! `Accept: application/vnd.heroku+json; version=3`. The token is
//! `HEROKU_API_KEY`, else the `api.heroku.com` entry of `~/.netrc`, where
//! `heroku login` stores it.
//!
//! Whether the Scheduler API pages is not documented; a JSON:API
//! `links.next` or a Heroku-style `Next-Range` header is followed.

use std::path::Path;

use serde_json::Value;

use super::{HEROKU_API, SCHEDULER_API};

/// Pages followed at most, against a server that never stops paging.
const MAX_PAGES: usize = 100;

/// Why the jobs could not be fetched, in one sentence.
///
/// ```
/// let err = cronport::import::heroku_token(None, Some(std::path::Path::new("/nonexistent/.netrc"))).unwrap_err();
/// assert!(err.to_string().contains("heroku login"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(String);

/// The Heroku token: `from_env` (`HEROKU_API_KEY`) when set, else the
/// password of `machine api.heroku.com` in `netrc`.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("cronport-netrc-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let netrc = dir.join(".netrc");
/// std::fs::write(&netrc, "machine api.heroku.com\n  login me@example.com\n  password tok-123\n")?;
/// assert_eq!(cronport::import::heroku_token(None, Some(&netrc))?, "tok-123");
/// assert_eq!(cronport::import::heroku_token(Some("env-456".into()), Some(&netrc))?, "env-456");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn heroku_token(from_env: Option<String>, netrc: Option<&Path>) -> Result<String, FetchError> {
    if let Some(token) = from_env.filter(|t| !t.trim().is_empty()) {
        return usable(token.trim().to_string(), "HEROKU_API_KEY");
    }
    let no_token = |why: String| {
        FetchError(format!(
            "no Heroku token: {why}; run `heroku login` (which writes ~/.netrc) or set HEROKU_API_KEY (`heroku auth:token` prints one)"
        ))
    };
    let path = netrc.ok_or_else(|| {
        no_token("HEROKU_API_KEY is not set and there is no home directory".to_string())
    })?;
    let file = std::fs::File::open(path).map_err(|e| {
        no_token(format!(
            "HEROKU_API_KEY is not set and {} cannot be read ({e})",
            path.display()
        ))
    })?;
    // `#` comments, which the Heroku CLI and most readers allow.
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, 1024 * 1024), &mut text)
        .map_err(|e| no_token(format!("{} cannot be read ({e})", path.display())))?;
    let without_comments: String = text
        .lines()
        .map(|line| match line.find('#') {
            Some(i) if i == 0 || line[..i].ends_with(char::is_whitespace) => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let parsed = netrc::Netrc::parse(without_comments.as_bytes()).map_err(|e| {
        no_token(format!(
            "{} does not parse ({})",
            path.display(),
            match e {
                netrc::Error::Io(e) => e.to_string(),
                // The parser's words may quote the password: the line only.
                netrc::Error::Parse(_, line) => format!("on line {line}"),
            }
        ))
    })?;
    let token = parsed
        .hosts
        .iter()
        .find(|(host, _)| host == "api.heroku.com")
        .and_then(|(_, machine)| machine.password.clone())
        .ok_or_else(|| {
            no_token(format!(
                "{} has no password for machine api.heroku.com",
                path.display()
            ))
        })?;
    usable(
        token,
        &format!("{} (machine api.heroku.com)", path.display()),
    )
}

/// `token`, if it can go into a header: printable ASCII only. The error
/// never shows it: a token in a log is a token given away.
fn usable(token: String, from: &str) -> Result<String, FetchError> {
    if token.chars().all(|c| c.is_ascii_graphic()) {
        Ok(token)
    } else {
        Err(FetchError(format!(
            "the Heroku token in {from} holds a space, a control or a non-ASCII character ({} characters; not shown): copy it again from `heroku auth:token`",
            token.chars().count()
        )))
    }
}

/// Where to ask.
///
/// ```
/// let api = cronport::import::HerokuApi::new("tok".into());
/// assert_eq!(api.platform, cronport::import::HEROKU_API);
/// ```
#[derive(Clone, Debug)]
pub struct HerokuApi {
    /// The Platform API's base URL.
    pub platform: String,
    /// The Scheduler API's base URL.
    pub scheduler: String,
    token: String,
}

impl HerokuApi {
    /// The real APIs, with `token`.
    pub fn new(token: String) -> HerokuApi {
        HerokuApi {
            platform: HEROKU_API.to_string(),
            scheduler: SCHEDULER_API.to_string(),
            token,
        }
    }

    /// The same token against other base URLs (a test server, a proxy).
    ///
    /// ```
    /// let api = cronport::import::HerokuApi::new("tok".into()).with_urls("http://127.0.0.1:1", "http://127.0.0.1:2");
    /// assert_eq!(api.scheduler, "http://127.0.0.1:2");
    /// ```
    pub fn with_urls(self, platform: &str, scheduler: &str) -> HerokuApi {
        HerokuApi {
            platform: platform.to_string(),
            scheduler: scheduler.to_string(),
            ..self
        }
    }

    fn agent() -> ureq::Agent {
        // No redirect is followed: the token and the app id go to the hosts
        // named, and nowhere a server points.
        ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(std::time::Duration::from_secs(30))
            .user_agent(concat!("cronport/", env!("CARGO_PKG_VERSION")))
            .build()
    }

    /// The app's id, from the Platform API.
    fn app_id(&self, agent: &ureq::Agent, app: &str) -> Result<String, FetchError> {
        let app_url = format!(
            "{}/apps/{}",
            self.platform.trim_end_matches('/'),
            encode(app)
        );
        let found = self.get(agent, &app_url, "application/vnd.heroku+json; version=3", None, |status| match status {
            404 => format!("Heroku has no app named `{app}` that this token can see (404): check the name with `heroku apps`"),
            _ => String::new(),
        })?;
        Ok(found
            .body
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| FetchError(format!("Heroku's answer for app `{app}` has no `id`")))?
            .to_string())
    }

    /// The app's id, from the Platform API (the Scheduler API's paths
    /// take it).
    ///
    /// ```no_run
    /// let api = cronport::import::HerokuApi::new(cronport::import::heroku_token(std::env::var("HEROKU_API_KEY").ok(), None)?);
    /// println!("{}", api.app_id_of("shop")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn app_id_of(&self, app: &str) -> Result<String, FetchError> {
        let id = self.app_id(&Self::agent(), app)?;
        if !crate::escape::is_path_safe_id(&id) {
            return Err(FetchError(format!(
                "Heroku's id for app `{app}` is `{}`, not an id cronport puts in a request path",
                crate::escape::one_line(&id)
            )));
        }
        Ok(id)
    }

    /// One attempt to delete the Scheduler job `id` of the app `app_id`
    /// (`DELETE /apps/{app id}/jobs/{job id}`, as the herokux provider
    /// does), waiting at most `timeout`. Only a 2xx answer to the DELETE
    /// itself is a deletion: no redirect is followed (a client that
    /// follows a 302 sends a GET, and that GET's 200 deleted nothing).
    ///
    /// ```no_run
    /// use cronport::import::{HerokuApi, DeleteAnswer, heroku_token};
    /// let api = HerokuApi::new(heroku_token(std::env::var("HEROKU_API_KEY").ok(), None)?);
    /// let app = api.app_id_of("shop")?;
    /// match api.delete_scheduler_job(&app, "a1b2", std::time::Duration::from_secs(30)) {
    ///     DeleteAnswer::Deleted | DeleteAnswer::Gone => println!("gone"),
    ///     DeleteAnswer::Transient(why) => eprintln!("try again: {why}"),
    ///     DeleteAnswer::Refused(why) => eprintln!("{why}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delete_scheduler_job(
        &self,
        app_id: &str,
        id: &str,
        timeout: std::time::Duration,
    ) -> DeleteAnswer {
        if !crate::escape::is_path_safe_id(app_id) || !crate::escape::is_path_safe_id(id) {
            return DeleteAnswer::Refused(format!(
                "`{}` is not a Heroku job id cronport puts in a request path",
                crate::escape::one_line(id)
            ));
        }
        let url = format!(
            "{}/apps/{app_id}/jobs/{id}",
            self.scheduler.trim_end_matches('/'),
        );
        let host = url.split('/').nth(2).unwrap_or(&url).to_string();
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .user_agent(concat!("cronport/", env!("CARGO_PKG_VERSION")))
            .build();
        let request = agent
            .delete(&url)
            .timeout(timeout)
            .set("Accept", "application/vnd.api+json")
            .set("Authorization", &format!("Bearer {}", self.token));
        match request.call() {
            Ok(response) if (200..300).contains(&response.status()) => DeleteAnswer::Deleted,
            Ok(response) => DeleteAnswer::Refused(format!(
                "{host} answered {} to the DELETE (to {}); cronport follows no redirect with a DELETE, and the job may still be there",
                response.status(),
                crate::escape::one_line(response.header("Location").unwrap_or("nowhere"))
            )),
            Err(ureq::Error::Status(404, _)) => DeleteAnswer::Gone,
            Err(ureq::Error::Status(status, response)) if status == 429 || status >= 500 => {
                let said: String = response
                    .into_string()
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                DeleteAnswer::Transient(format!(
                    "{host} answered {status}: {}",
                    crate::escape::one_line(&said)
                ))
            }
            Err(e @ ureq::Error::Status(..)) => {
                DeleteAnswer::Refused(failure(&url, e, |_| String::new()).0)
            }
            Err(e @ ureq::Error::Transport(_)) => {
                DeleteAnswer::Transient(failure(&url, e, |_| String::new()).0)
            }
        }
    }

    /// The app's Scheduler jobs as one JSON:API document (`{"data":
    /// [...]}`), the shape [`super::heroku`] reads.
    pub fn scheduler_jobs(&self, app: &str) -> Result<String, FetchError> {
        self.scheduler_jobs_of(&self.app_id(&Self::agent(), app)?, app)
    }

    /// [`HerokuApi::scheduler_jobs`] of the app whose id is known already
    /// ([`HerokuApi::app_id_of`]), named `app` in errors.
    ///
    /// ```no_run
    /// let api = cronport::import::HerokuApi::new(cronport::import::heroku_token(std::env::var("HEROKU_API_KEY").ok(), None)?);
    /// let id = api.app_id_of("shop")?;
    /// let before = api.scheduler_jobs_of(&id, "shop")?;
    /// let after = api.scheduler_jobs_of(&id, "shop")?; // no second lookup of the id
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scheduler_jobs_of(&self, id: &str, app: &str) -> Result<String, FetchError> {
        let agent = Self::agent();
        let mut url = format!(
            "{}/apps/{}/jobs",
            self.scheduler.trim_end_matches('/'),
            encode(id)
        );
        let mut range: Option<String> = None;
        let mut jobs: Vec<Value> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let page = self.get(&agent, &url, "application/vnd.api+json", range.as_deref(), |status| match status {
                404 => format!("app `{app}` has no Heroku Scheduler jobs to read (404): is the scheduler add-on installed? (`heroku addons -a {app}`)"),
                _ => String::new(),
            })?;
            match page.body.get("data") {
                Some(Value::Array(data)) => {
                    // A page that repeats a job would import it twice (as
                    // `NAME-2`: two runners for one job).
                    for job in data {
                        if let Some(id) = job.get("id").map(Value::to_string)
                            && !seen.insert(id.clone())
                        {
                            return Err(FetchError(format!(
                                "the Scheduler API's answer for app `{app}` lists job {} twice (a page repeats another); cronport stops rather than import it twice",
                                crate::escape::one_line(&id)
                            )));
                        }
                    }
                    jobs.extend(data.iter().cloned());
                }
                _ => {
                    return Err(FetchError(format!(
                        "the Scheduler API's answer for app `{app}` has no `data` list"
                    )));
                }
            }
            if let Some(next) = page.body.pointer("/links/next").and_then(Value::as_str) {
                url = if next.starts_with('/') {
                    format!("{}{}", origin(&self.scheduler), next)
                } else {
                    next.to_string()
                };
                // The token goes to the Scheduler API only, never to a host
                // a page names.
                if origin(&url) != origin(&self.scheduler) {
                    return Err(FetchError(format!(
                        "the Scheduler API's next page is at {}, not at {}; cronport sends your token nowhere else",
                        origin(&url),
                        origin(&self.scheduler)
                    )));
                }
                range = None;
            } else if page.status == 206 && page.next_range.is_some() {
                range = page.next_range;
            } else {
                return Ok(serde_json::json!({ "data": jobs }).to_string());
            }
        }
        Err(FetchError(format!(
            "the Scheduler API kept paging after {MAX_PAGES} pages"
        )))
    }

    fn get(
        &self,
        agent: &ureq::Agent,
        url: &str,
        accept: &str,
        range: Option<&str>,
        not_found: impl Fn(u16) -> String,
    ) -> Result<Page, FetchError> {
        let mut request = agent
            .get(url)
            .set("Accept", accept)
            .set("Authorization", &format!("Bearer {}", self.token));
        if let Some(range) = range {
            request = request.set("Range", range);
        }
        let host = url.split('/').nth(2).unwrap_or(url);
        match request.call() {
            Ok(response) if (300..400).contains(&response.status()) => Err(FetchError(format!(
                "{host} answered {} (to {}); cronport follows no redirect with your token",
                response.status(),
                crate::escape::one_line(response.header("Location").unwrap_or("nowhere"))
            ))),
            Ok(response) => {
                let status = response.status();
                let next_range = response.header("Next-Range").map(str::to_string);
                let mut text = String::new();
                std::io::Read::read_to_string(
                    &mut std::io::Read::take(response.into_reader(), MAX_ANSWER_BYTES + 1),
                    &mut text,
                )
                .map_err(|e| FetchError(format!("{host} stopped answering: {e}")))?;
                if text.len() as u64 > MAX_ANSWER_BYTES {
                    return Err(FetchError(format!(
                        "{host} answered with more than 16 MiB; a job list is far smaller"
                    )));
                }
                let body: Value = serde_json::from_str(&text).map_err(|e| {
                    FetchError(format!(
                        "{host} answered with something that is not JSON: {e}"
                    ))
                })?;
                Ok(Page {
                    status,
                    next_range,
                    body,
                })
            }
            Err(e) => Err(failure(url, e, not_found)),
        }
    }
}

/// What a failed request says, in one sentence naming the host that
/// failed: after a redirect, the one redirected to.
fn failure(url: &str, error: ureq::Error, not_found: impl Fn(u16) -> String) -> FetchError {
    let host_in = |url: &str| url.split('/').nth(2).unwrap_or(url).to_string();
    let host = match &error {
        ureq::Error::Status(_, response) => host_in(response.get_url()),
        ureq::Error::Transport(e) => e
            .url()
            .map_or_else(|| host_in(url), |u| host_in(u.as_str())),
    };
    let host = crate::escape::one_line(&host);
    match error {
        ureq::Error::Status(status, response) => {
            let said = response.into_string().unwrap_or_default();
            let said = said.chars().take(200).collect::<String>();
            FetchError(match status {
                401 => format!(
                    "{host} refused the token (401): it has expired or been revoked; run `heroku login` again or set a fresh HEROKU_API_KEY"
                ),
                403 => format!(
                    "{host} says this token may not do that (403): the account needs access to the app ({said})"
                ),
                404 if !not_found(404).is_empty() => not_found(404),
                429 => {
                    format!("{host} is rate-limiting this token (429): wait a minute and try again")
                }
                _ => format!("{host} answered {status}: {said}"),
            })
        }
        ureq::Error::Transport(e) => FetchError(match e.kind() {
            ureq::ErrorKind::Io if timed_out(&e) => {
                format!("{host} did not answer in time")
            }
            ureq::ErrorKind::ConnectionFailed if refused(&e) => format!(
                "{host} refused the connection: nothing listens there; check the API address"
            ),
            ureq::ErrorKind::ConnectionFailed => format!(
                "cannot connect to {host}: {}",
                io_cause(&e).unwrap_or_else(|| "the connection failed".to_string())
            ),
            ureq::ErrorKind::Dns => {
                format!("cannot find {host} (DNS): check the address and the network")
            }
            _ => format!(
                "cannot reach {host}: {}",
                e.message()
                    .map(str::to_string)
                    .unwrap_or_else(|| e.kind().to_string())
            ),
        }),
    }
}

/// Whether the connection was refused (nothing listens at the address).
fn refused(e: &ureq::Transport) -> bool {
    io_error(e).is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
}

/// The I/O error beneath a transport error, in words.
fn io_cause(e: &ureq::Transport) -> Option<String> {
    io_error(e).map(|io| crate::escape::one_line(&io.to_string()))
}

fn io_error(e: &ureq::Transport) -> Option<&std::io::Error> {
    std::error::Error::source(e).and_then(|s| s.downcast_ref::<std::io::Error>())
}

/// Whether a transport error is a read or connect time-out, by the kind of
/// the I/O error beneath it (ureq reports time-outs as `TimedOut`; a
/// socket's read timeout may surface as `WouldBlock`).
fn timed_out(e: &ureq::Transport) -> bool {
    io_error(e).is_some_and(|io| {
        matches!(
            io.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        )
    })
}

/// `scheme://host:port` of a URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// What one DELETE of a Scheduler job came to.
///
/// ```
/// let answer = cronport::import::DeleteAnswer::Gone;
/// assert_eq!(answer, cronport::import::DeleteAnswer::Gone);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeleteAnswer {
    /// A 2xx answer: deleted.
    Deleted,
    /// 404: not there (deleted before).
    Gone,
    /// Throttled, a server error, no answer, a reset: try again.
    Transient(String),
    /// Refused, redirected, not allowed: trying again will not help.
    Refused(String),
}

/// The most of an answer read: a job list is kilobytes.
const MAX_ANSWER_BYTES: u64 = 16 * 1024 * 1024;

/// An answer: status, the `Next-Range` header, and the JSON body.
struct Page {
    status: u16,
    next_range: Option<String>,
    body: Value,
}

/// A path segment with anything but unreserved characters escaped.
fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2D", "-")
        .replace("%5F", "_")
        .replace("%2E", ".")
}
