//! The AWS API contract, checked on each request the test proxy forwards.
//!
//! moto accepts nearly any request, so a test against it alone cannot see
//! that AWS would answer 400. This module checks a request against the API
//! models botocore ships (the ones the AWS CLI uses), trimmed to the
//! operations cronport calls and vendored under `tests/fixtures/aws-models`
//! by `scripts/vendor-aws-models.py`: required and unknown members, types,
//! lengths and value ranges, patterns and enums.
//!
//! A request is read the way its protocol carries it: a JSON body named by
//! `X-Amz-Target` (EventBridge, ECS, CloudWatch Logs); a method and URI
//! template, with members in the path, query string, headers and JSON body
//! (Scheduler's REST); or a form with `Action` and dotted member names
//! (IAM's query protocol).
//!
//! It also checks the two JSON documents that travel as strings inside a
//! request, which the SDK passes on unseen and where cronport went wrong:
//!
//! * the `Input` of a Scheduler universal target for ECS RunTask
//!   (`arn:aws:scheduler:::aws-sdk:ecs:runTask`): a RunTask request with the
//!   AWS SDK's PascalCase member names (`TaskDefinition`, not ECS's wire
//!   name `taskDefinition`);
//! * the `Input` of an EventBridge rule target with `EcsParameters`: an ECS
//!   `TaskOverride` with ECS's own camelCase wire names
//!   (`containerOverrides`).
//!
//! Not checked: the patterns Rust's `regex` cannot compile (lookaround),
//! which [`Contract::uncompiled_patterns`] lists.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;

use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The vendored models, by service name.
const VENDORED: [(&str, &str); 5] = [
    ("ecs", include_str!("../../fixtures/aws-models/ecs.json")),
    (
        "events",
        include_str!("../../fixtures/aws-models/events.json"),
    ),
    ("iam", include_str!("../../fixtures/aws-models/iam.json")),
    ("logs", include_str!("../../fixtures/aws-models/logs.json")),
    (
        "scheduler",
        include_str!("../../fixtures/aws-models/scheduler.json"),
    ),
];

/// The parts of a botocore model the checks read.
#[derive(Deserialize)]
struct Model {
    metadata: Metadata,
    operations: BTreeMap<String, Operation>,
    shapes: BTreeMap<String, Shape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    /// `json`, `rest-json` or `query`.
    protocol: String,
    /// The `Version` of a query-protocol request.
    api_version: String,
    /// The `X-Amz-Target` prefix of a JSON-protocol service.
    target_prefix: Option<String>,
}

#[derive(Deserialize)]
struct Operation {
    http: Http,
    input: Option<ShapeRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Http {
    method: String,
    request_uri: String,
}

#[derive(Deserialize)]
struct ShapeRef {
    shape: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    shape: String,
    /// Where a REST request carries the member: `uri`, `querystring` or
    /// `header`; `None` for the body.
    location: Option<String>,
    /// The member's name on the wire, where it differs.
    location_name: Option<String>,
}

#[derive(Deserialize)]
struct Shape {
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default)]
    members: BTreeMap<String, Member>,
    #[serde(default)]
    required: Vec<String>,
    /// A list's element.
    member: Option<ShapeRef>,
    /// A map's key and value.
    key: Option<ShapeRef>,
    value: Option<ShapeRef>,
    /// Length (strings, lists, maps) or value (numbers).
    min: Option<f64>,
    max: Option<f64>,
    /// A Java regular expression the whole string must match.
    pattern: Option<String>,
    #[serde(rename = "enum")]
    allowed: Option<Vec<String>>,
}

/// Shape types; a model with another type fails to load, so that a new
/// one gets a check before it gets trusted.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Double,
    Float,
    Boolean,
    Timestamp,
    Blob,
}

/// One HTTP request as the proxy read it.
pub struct Request<'a> {
    pub method: &'a str,
    /// Path and query string, as on the request line.
    pub uri: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a [u8],
}

impl<'a> Request<'a> {
    /// From the head (request line and header lines) and the body.
    pub fn parse(head: &'a str, body: &'a [u8]) -> Request<'a> {
        let mut lines = head.lines();
        let mut first = lines.next().unwrap_or_default().split_whitespace();
        let method = first.next().unwrap_or_default();
        let uri = first.next().unwrap_or_default();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(name, value)| (name.trim(), value.trim()))
            .collect();
        Request {
            method,
            uri,
            headers,
            body,
        }
    }

    /// A JSON-protocol request for `target` (`AWSEvents.PutTargets`).
    pub fn json(target: &'a str, body: &'a str) -> Request<'a> {
        Request {
            method: "POST",
            uri: "/",
            headers: vec![("X-Amz-Target", target)],
            body: body.as_bytes(),
        }
    }

    /// A REST request (`POST /schedules/daily`).
    pub fn rest(method: &'a str, uri: &'a str, body: &'a str) -> Request<'a> {
        Request {
            method,
            uri,
            headers: Vec::new(),
            body: body.as_bytes(),
        }
    }

    fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// A query-protocol request (IAM) has a form for a body.
    fn is_form(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
    }

    /// A query-protocol request (IAM): `POST /` with a form body.
    pub fn form(body: &'a str) -> Request<'a> {
        Request {
            method: "POST",
            uri: "/",
            headers: vec![("Content-Type", "application/x-www-form-urlencoded")],
            body: body.as_bytes(),
        }
    }
}

/// The vendored models, ready to check requests against.
pub struct Contract {
    models: BTreeMap<&'static str, Model>,
    patterns: Patterns,
}

/// Each distinct pattern of the models, compiled once; `Err` where Rust's
/// regex cannot compile it.
type Patterns = HashMap<String, Result<Regex, regex::Error>>;

impl Contract {
    pub fn load() -> Contract {
        let models: BTreeMap<_, Model> = VENDORED
            .iter()
            .map(|(service, text)| {
                let model = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("tests/fixtures/aws-models/{service}.json: {e}"));
                (*service, model)
            })
            .collect();
        let patterns = models
            .values()
            .flat_map(|m| m.shapes.values())
            .filter_map(|s| s.pattern.clone())
            .map(|p| {
                let compiled = compile_java_pattern(&p);
                (p, compiled)
            })
            .collect();
        Contract { models, patterns }
    }

    /// What AWS would reject in `request`: one line per violation, each
    /// naming the operation and the member.
    pub fn check(&self, request: &Request) -> Vec<String> {
        let call = match request.header("x-amz-target") {
            Some(target) => self.json_call(target, request),
            None if request.is_form() => self.query_call(request),
            None => self.rest_call(request),
        };
        match call {
            Ok(call) => self.check_call(&call),
            Err(violation) => vec![violation],
        }
    }

    /// The models' patterns that are not checked because Rust's regex
    /// cannot compile them, as `service:Shape pattern`.
    pub fn uncompiled_patterns(&self) -> Vec<String> {
        let mut uncompiled = Vec::new();
        for (service, model) in &self.models {
            for (name, shape) in &model.shapes {
                if let Some(p) = &shape.pattern
                    && matches!(self.patterns.get(p), Some(Err(_)))
                {
                    uncompiled.push(format!("{service}:{name} {p}"));
                }
            }
        }
        uncompiled
    }

    /// A JSON-protocol request: the operation is named by `X-Amz-Target`,
    /// every member is in the body.
    fn json_call(&self, target: &str, request: &Request) -> Result<Call<'_>, String> {
        let (prefix, operation) = target
            .rsplit_once('.')
            .ok_or_else(|| format!("X-Amz-Target {target:?}: not Prefix.Operation"))?;
        let (service, model) = self
            .models
            .iter()
            .find(|(_, m)| m.metadata.target_prefix.as_deref() == Some(prefix))
            .ok_or_else(|| {
                format!(
                    "X-Amz-Target {target}: no vendored model has the prefix {prefix}; \
                     add the service to scripts/vendor-aws-models.py"
                )
            })?;
        let (operation, _) = model.operations.get_key_value(operation).ok_or_else(|| {
            format!(
                "{service}:{operation}: not in the vendored model; \
                 add it to scripts/vendor-aws-models.py"
            )
        })?;
        Ok(Call {
            service,
            model,
            operation,
            body: json_body(request.body, service, operation)?,
            bound: Map::new(),
        })
    }

    /// A REST request: the operation is the one whose method and URI
    /// template match; members come from the path, query, headers and body.
    fn rest_call(&self, request: &Request) -> Result<Call<'_>, String> {
        let (path, query) = request.uri.split_once('?').unwrap_or((request.uri, ""));
        let rest_models = self
            .models
            .iter()
            .filter(|(_, m)| m.metadata.protocol == "rest-json");
        for (service, model) in rest_models {
            for (operation, op) in &model.operations {
                if op.http.method != request.method {
                    continue;
                }
                let Some(labels) = match_uri_template(&op.http.request_uri, path) else {
                    continue;
                };
                let input = op.input.as_ref().map(|i| &model.shapes[&i.shape]);
                return Ok(Call {
                    service,
                    model,
                    operation,
                    body: json_body(request.body, service, operation)?,
                    bound: bound_members(model, input, labels, query, request),
                });
            }
        }
        Err(format!(
            "{} {path}: no operation of a vendored REST model matches; \
             add it to scripts/vendor-aws-models.py",
            request.method
        ))
    }

    /// A query-protocol request: a form naming the operation in `Action`,
    /// with the members flattened into dotted names (`Tags.member.1.Key`).
    fn query_call(&self, request: &Request) -> Result<Call<'_>, String> {
        let mut form = parameters(&String::from_utf8_lossy(request.body), form_decode);
        let action = form
            .remove("Action")
            .and_then(|values| values.into_iter().next())
            .ok_or("a form-encoded request without an Action")?;
        let (service, model, operation) = self
            .models
            .iter()
            .filter(|(_, m)| m.metadata.protocol == "query")
            .find_map(|(service, m)| {
                let (operation, _) = m.operations.get_key_value(&action)?;
                Some((*service, m, operation.as_str()))
            })
            .ok_or_else(|| {
                format!(
                    "Action {action}: not in a vendored query-protocol model; \
                     add it to scripts/vendor-aws-models.py"
                )
            })?;
        let version = form.remove("Version").unwrap_or_default().join(",");
        if version != model.metadata.api_version {
            return Err(format!(
                "{service}:{operation}: Version {version:?} is not the API version {}",
                model.metadata.api_version
            ));
        }
        let body = match &model.operations[operation].input {
            Some(input) => unflatten(model, &input.shape, form),
            None => Value::Object(Map::new()),
        };
        Ok(Call {
            service,
            model,
            operation,
            body,
            bound: Map::new(),
        })
    }

    fn check_call(&self, call: &Call) -> Vec<String> {
        let label = format!("{}:{}", call.service, call.operation);
        let mut violations = Vec::new();
        let Some(input) = &call.model.operations[call.operation].input else {
            return violations;
        };
        let mut walk = Walk {
            patterns: &self.patterns,
            model: call.model,
            naming: Naming::Wire,
            label: &label,
            violations: &mut violations,
        };
        walk.structure(&input.shape, &call.body, "", Part::Body);
        walk.structure(
            &input.shape,
            &Value::Object(call.bound.clone()),
            "",
            Part::Bound,
        );
        match (call.service, call.operation) {
            ("scheduler", "CreateSchedule" | "UpdateSchedule") => {
                self.check_universal_run_task(&call.body, &label, &mut violations)
            }
            ("events", "PutTargets") => {
                self.check_rule_task_overrides(&call.body, &label, &mut violations)
            }
            _ => {}
        }
        violations
    }

    /// A Scheduler universal target for ECS RunTask: Scheduler hands its
    /// `Input` to the AWS SDK, which reads PascalCase member names; with
    /// ECS's camelCase names AWS answers 400 "missing field TaskDefinition".
    fn check_universal_run_task(&self, body: &Value, label: &str, violations: &mut Vec<String>) {
        let target = &body["Target"];
        if !target["Arn"].as_str().is_some_and(is_universal_run_task) {
            return;
        }
        // No Input at all is a RunTask request without its required members.
        let input = match target.get("Input") {
            None => Some(Value::Object(Map::new())),
            some => embedded_json(some, "Target.Input", label, violations),
        };
        if let Some(input) = input {
            let ecs = &self.models["ecs"];
            let run_task = &ecs.operations["RunTask"].input.as_ref().unwrap().shape;
            Walk {
                patterns: &self.patterns,
                model: ecs,
                naming: Naming::Pascal,
                label,
                violations,
            }
            .structure(run_task, &input, "Target.Input", Part::Body);
        }
    }

    /// EventBridge rule targets that run an ECS task: their `Input` is the
    /// task's `TaskOverride`, in ECS's own (camelCase) wire names.
    fn check_rule_task_overrides(&self, body: &Value, label: &str, violations: &mut Vec<String>) {
        let targets = body["Targets"].as_array().into_iter().flatten();
        for (i, target) in targets.enumerate() {
            if target.get("EcsParameters").is_none() || target.get("Input").is_none() {
                continue;
            }
            let path = format!("Targets[{i}].Input");
            if let Some(overrides) = embedded_json(target.get("Input"), &path, label, violations) {
                Walk {
                    patterns: &self.patterns,
                    model: &self.models["ecs"],
                    naming: Naming::Wire,
                    label,
                    violations,
                }
                .structure("TaskOverride", &overrides, &path, Part::Body);
            }
        }
    }
}

/// A request resolved to its operation.
struct Call<'c> {
    service: &'c str,
    model: &'c Model,
    operation: &'c str,
    /// The JSON body (`{}` when empty).
    body: Value,
    /// Members a REST request carries in the URI, query string or headers,
    /// by their wire names, as typed JSON where they parse as their type.
    bound: Map<String, Value>,
}

/// Which of a structure's members a check covers: a REST input is checked
/// twice, once against its body and once against the rest of the request.
#[derive(Clone, Copy)]
enum Part {
    /// Members without a `location`: all of them, but for a REST input.
    Body,
    /// Members with a `location`.
    Bound,
}

impl Part {
    fn covers(self, member: &Member) -> bool {
        match self {
            Part::Body => member.location.is_none(),
            Part::Bound => member.location.is_some(),
        }
    }
}

/// How members are named in the JSON under check.
#[derive(Clone, Copy)]
enum Naming {
    /// As the service's own wire protocol names them.
    Wire,
    /// As the AWS SDKs name them: the member name with its first letter
    /// upper-cased (`taskDefinition` is `TaskDefinition`).
    Pascal,
}

impl Naming {
    fn of(self, name: &str, member: &Member) -> String {
        match self {
            Naming::Wire => member.location_name.as_deref().unwrap_or(name).to_string(),
            Naming::Pascal => {
                let mut chars = name.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
        }
    }
}

/// One check of a JSON value against a model's shapes, collecting
/// violations as it goes.
struct Walk<'a> {
    patterns: &'a Patterns,
    model: &'a Model,
    naming: Naming,
    /// `service:Operation`, the start of each violation.
    label: &'a str,
    violations: &'a mut Vec<String>,
}

impl<'a> Walk<'a> {
    fn shape(&self, name: &str) -> &'a Shape {
        &self.model.shapes[name]
    }

    fn flag(&mut self, path: &str, problem: impl Display) {
        let path = if path.is_empty() { "input" } else { path };
        self.violations
            .push(format!("{}: {path}: {problem}", self.label));
    }

    fn wrong_type(&mut self, path: &str, expected: &str, value: &Value) {
        self.flag(path, format!("expected {expected}, got {}", show(value)));
    }

    fn value(&mut self, shape_name: &str, value: &Value, path: &str) {
        let shape = self.shape(shape_name);
        match shape.kind {
            Kind::Structure => self.structure(shape_name, value, path, Part::Body),
            Kind::List => self.list(shape, value, path),
            Kind::Map => self.map(shape, value, path),
            Kind::String => self.string(shape, value, path),
            Kind::Integer | Kind::Long => self.integer(shape, value, path),
            Kind::Double | Kind::Float => match value.as_f64() {
                Some(n) => self.range(shape, n, path),
                None => self.wrong_type(path, "a number", value),
            },
            Kind::Boolean if !value.is_boolean() => self.wrong_type(path, "a boolean", value),
            // The SDKs send epoch seconds; AWS also reads ISO 8601 text.
            Kind::Timestamp if !value.is_number() && !value.is_string() => {
                self.wrong_type(path, "a timestamp", value)
            }
            Kind::Blob if !value.is_string() => self.wrong_type(path, "base64 text", value),
            Kind::Boolean | Kind::Timestamp | Kind::Blob => {}
        }
    }

    fn structure(&mut self, shape_name: &str, value: &Value, path: &str, part: Part) {
        let shape = self.shape(shape_name);
        let Some(fields) = value.as_object() else {
            return self.wrong_type(path, "an object", value);
        };
        let members: Vec<(String, &Member)> = shape
            .members
            .iter()
            .filter(|(_, m)| part.covers(m))
            .map(|(name, m)| (self.naming.of(name, m), m))
            .collect();
        for name in &shape.required {
            let Some(member) = shape.members.get(name).filter(|m| part.covers(m)) else {
                continue;
            };
            let wire = self.naming.of(name, member);
            // AWS reads a JSON null as an absent member.
            if fields.get(&wire).is_none_or(Value::is_null) {
                self.flag(&join(path, &wire), "missing required member");
            }
        }
        for (key, field) in fields {
            let at = join(path, key);
            match members.iter().find(|(wire, _)| wire == key) {
                Some(_) if field.is_null() => {}
                Some((_, member)) => self.value(&member.shape, field, &at),
                None => {
                    let hint = members
                        .iter()
                        .find(|(wire, _)| wire.eq_ignore_ascii_case(key))
                        .map(|(wire, _)| format!(" (did you mean {wire}?)"))
                        .unwrap_or_default();
                    self.flag(&at, format!("unknown member of {shape_name}{hint}"));
                }
            }
        }
    }

    fn list(&mut self, shape: &Shape, value: &Value, path: &str) {
        let Some(items) = value.as_array() else {
            return self.wrong_type(path, "a list", value);
        };
        self.length(shape, items.len(), path);
        let element = &shape.member.as_ref().expect("a list has a member").shape;
        for (i, item) in items.iter().enumerate() {
            self.value(element, item, &format!("{path}[{i}]"));
        }
    }

    fn map(&mut self, shape: &Shape, value: &Value, path: &str) {
        let Some(entries) = value.as_object() else {
            return self.wrong_type(path, "a map", value);
        };
        self.length(shape, entries.len(), path);
        let key_shape = &shape.key.as_ref().expect("a map has a key").shape;
        let value_shape = &shape.value.as_ref().expect("a map has a value").shape;
        for (key, entry) in entries {
            let at = format!("{path}[{}]", show_text(key));
            self.value(
                key_shape,
                &Value::String(key.clone()),
                &format!("{at} (key)"),
            );
            self.value(value_shape, entry, &at);
        }
    }

    fn string(&mut self, shape: &Shape, value: &Value, path: &str) {
        let Some(text) = value.as_str() else {
            return self.wrong_type(path, "a string", value);
        };
        self.length(shape, text.chars().count(), path);
        if let Some(allowed) = &shape.allowed
            && !allowed.iter().any(|a| a == text)
        {
            let problem = format!("{} is not one of {}", show_text(text), allowed.join(", "));
            self.flag(path, problem);
        }
        if let Some(pattern) = &shape.pattern
            && let Some(Ok(regex)) = self.patterns.get(pattern)
            && !regex.is_match(text)
        {
            let problem = format!("{} does not match pattern {pattern}", show_text(text));
            self.flag(path, problem);
        }
    }

    fn integer(&mut self, shape: &Shape, value: &Value, path: &str) {
        let Some(n) = value.as_i64() else {
            return self.wrong_type(path, "an integer", value);
        };
        if shape.kind == Kind::Integer && i32::try_from(n).is_err() {
            self.flag(path, format!("{n} does not fit a 32-bit integer"));
        }
        self.range(shape, n as f64, path);
    }

    fn length(&mut self, shape: &Shape, length: usize, path: &str) {
        if let Some(min) = shape.min
            && (length as f64) < min
        {
            self.flag(
                path,
                format!("length {length} is less than the minimum {min}"),
            );
        }
        if let Some(max) = shape.max
            && (length as f64) > max
        {
            self.flag(
                path,
                format!("length {length} is more than the maximum {max}"),
            );
        }
    }

    fn range(&mut self, shape: &Shape, n: f64, path: &str) {
        if let Some(min) = shape.min
            && n < min
        {
            self.flag(path, format!("{n} is less than the minimum {min}"));
        }
        if let Some(max) = shape.max
            && n > max
        {
            self.flag(path, format!("{n} is more than the maximum {max}"));
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// A value for a violation line: JSON, cut short when long.
fn show(value: &Value) -> String {
    match value {
        Value::String(text) => show_text(text),
        other => cut(other.to_string()),
    }
}

fn show_text(text: &str) -> String {
    cut(Value::String(text.to_string()).to_string())
}

fn cut(text: String) -> String {
    const KEEP: usize = 80;
    let length = text.chars().count();
    if length <= KEEP {
        return text;
    }
    let kept: String = text.chars().take(KEEP).collect();
    format!("{kept}… ({length} characters)")
}

/// `arn:<partition>:scheduler:::aws-sdk:ecs:runTask`.
fn is_universal_run_task(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "scheduler", "", "", "aws-sdk", "ecs", "runTask"]
            if partition.starts_with("aws")
    )
}

/// A JSON document carried as a string member; `None` (with a violation if
/// it is text but not JSON) when there is nothing to check further. A
/// member of the wrong type was flagged by the check of the request itself.
fn embedded_json(
    member: Option<&Value>,
    path: &str,
    label: &str,
    violations: &mut Vec<String>,
) -> Option<Value> {
    let text = member?.as_str()?;
    serde_json::from_str(text)
        .map_err(|e| violations.push(format!("{label}: {path}: not JSON ({e})")))
        .ok()
}

fn json_body(body: &[u8], service: &str, operation: &str) -> Result<Value, String> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|e| format!("{service}:{operation}: the body is not JSON ({e})"))
}

/// The labels of `template` (`/schedules/{Name}`) in `path`, percent-decoded,
/// if the path matches. (No model cronport uses has greedy `{Label+}`s.)
fn match_uri_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template = template.split('?').next().unwrap_or_default();
    let mut segments = path.split('/');
    let mut labels = Vec::new();
    for part in template.split('/') {
        let segment = segments.next()?;
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(label) => labels.push((label.to_string(), percent_decode(segment))),
            None if part == segment => {}
            None => return None,
        }
    }
    segments.next().is_none().then_some(labels)
}

/// The members a REST request carries outside its body, by wire name.
fn bound_members(
    model: &Model,
    input: Option<&Shape>,
    labels: Vec<(String, String)>,
    query: &str,
    request: &Request,
) -> Map<String, Value> {
    // (location, wire name, member) of each member outside the body.
    let located: Vec<(&str, &str, &Member)> = input
        .into_iter()
        .flat_map(|s| &s.members)
        .filter_map(|(name, m)| {
            let wire = m.location_name.as_deref().unwrap_or(name);
            Some((m.location.as_deref()?, wire, m))
        })
        .collect();
    let kind_of = |location: &str, wire: &str| {
        located
            .iter()
            .find(|(l, w, _)| *l == location && *w == wire)
            .map(|(_, _, m)| model.shapes[&m.shape].kind)
    };
    let mut bound = Map::new();
    for (label, value) in labels {
        bound.insert(label, Value::String(value));
    }
    for (name, values) in parameters(query, percent_decode) {
        let value = match kind_of("querystring", &name) {
            Some(Kind::List) => Value::Array(values.into_iter().map(Value::String).collect()),
            kind if values.len() == 1 => typed(kind, &values[0]),
            // A scalar given twice: kept as a list, for the type check to flag.
            _ => Value::Array(values.into_iter().map(Value::String).collect()),
        };
        bound.insert(name, value);
    }
    for (_, wire, member) in located.iter().filter(|(l, _, _)| *l == "header") {
        if let Some(value) = request.header(wire) {
            let kind = model.shapes[&member.shape].kind;
            bound.insert(wire.to_string(), typed(Some(kind), value));
        }
    }
    bound
}

/// Text from a URI or header as the JSON value of its type, where it parses
/// as one; else as text, for the type check to flag.
fn typed(kind: Option<Kind>, text: &str) -> Value {
    let parsed = match kind {
        Some(Kind::Integer | Kind::Long) => text.parse::<i64>().ok().map(Value::from),
        Some(Kind::Double | Kind::Float) => text.parse::<f64>().ok().map(Value::from),
        Some(Kind::Boolean) => text.parse::<bool>().ok().map(Value::from),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}

/// The parameters of a query string or form, decoded, each with all its
/// values.
fn parameters(text: &str, decode: fn(&str) -> String) -> BTreeMap<String, Vec<String>> {
    let mut parameters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        parameters
            .entry(decode(name))
            .or_default()
            .push(decode(value));
    }
    parameters
}

/// A form's `+` is a space (the query string of a REST URI has none: the
/// SDKs write a space as `%20` there, and a `+` as itself).
fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// A query-protocol form as the JSON its input shape describes, so that
/// it gets the same checks: `Tags.member.1.Key=k` is `{"Tags": [{"Key": "k"}]}`.
fn unflatten(model: &Model, input: &str, form: BTreeMap<String, Vec<String>>) -> Value {
    let mut tree = Value::Object(Map::new());
    for (name, values) in form {
        let mut node = &mut tree;
        for part in name.split('.') {
            // `A=1` beside `A.B=2` is malformed; the nested one wins.
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            node = node
                .as_object_mut()
                .unwrap()
                .entry(part)
                .or_insert(Value::Null);
        }
        *node = match values.as_slice() {
            [one] => Value::String(one.clone()),
            // A name given twice: kept as a list, for the checks to flag.
            _ => Value::Array(values.into_iter().map(Value::String).collect()),
        };
    }
    from_form(model, input, tree)
}

/// A form's tree of text, typed by `shape_name`; what does not fit the
/// shape is left as it is, for the checks to flag. (No vendored query
/// operation takes a map, so maps' `entry.N.key` is not read.)
fn from_form(model: &Model, shape_name: &str, tree: Value) -> Value {
    let shape = &model.shapes[shape_name];
    match (shape.kind, tree) {
        (Kind::Structure, Value::Object(fields)) => {
            let typed_field = |(key, field): (String, Value)| {
                let member = shape
                    .members
                    .iter()
                    .find(|(name, m)| Naming::Wire.of(name, m) == key);
                let field = match member {
                    Some((_, m)) => from_form(model, &m.shape, field),
                    None => field,
                };
                (key, field)
            };
            Value::Object(fields.into_iter().map(typed_field).collect())
        }
        // An empty list is the bare name: `Tags=`.
        (Kind::List, Value::String(text)) if text.is_empty() => Value::Array(Vec::new()),
        (Kind::List, Value::Object(fields)) => match numbered_members(&fields) {
            Some(items) => {
                let element = &shape.member.as_ref().expect("a list has a member").shape;
                let items = items
                    .into_iter()
                    .map(|item| from_form(model, element, item));
                Value::Array(items.collect())
            }
            None => Value::Object(fields),
        },
        (kind, Value::String(text)) => typed(Some(kind), &text),
        (_, tree) => tree,
    }
}

/// A list's `member.1`, `member.2`, ... in order; `None` if `fields` is
/// anything else.
fn numbered_members(fields: &Map<String, Value>) -> Option<Vec<Value>> {
    let [(name, Value::Object(items))] = fields.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    if name != "member" {
        return None;
    }
    let mut numbered = items
        .iter()
        .map(|(n, item)| Some((n.parse::<usize>().ok()?, item.clone())))
        .collect::<Option<Vec<_>>>()?;
    numbered.sort_by_key(|(n, _)| *n);
    Some(numbered.into_iter().map(|(_, item)| item).collect())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A botocore pattern as a Rust regex that must match the whole string, as
/// AWS's validation does (`[\w+=,.@-]+` rejects `"my role!"`).
fn compile_java_pattern(java: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{})$", ascii_perl_classes(java)))
}

/// Java's `\w`, `\d` and `\s` (and their negations) match ASCII only where
/// Rust's match all of Unicode: spell them as Rust's ASCII classes.
fn ascii_perl_classes(java: &str) -> String {
    let mut out = String::with_capacity(java.len());
    let mut in_class = 0usize;
    let mut chars = java.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(escaped) = chars.next() else {
                    out.push(c);
                    break;
                };
                let ascii = match escaped {
                    'w' => "[:word:]",
                    'W' => "[:^word:]",
                    'd' => "[:digit:]",
                    'D' => "[:^digit:]",
                    's' => "[:space:]",
                    'S' => "[:^space:]",
                    _ => {
                        out.extend([c, escaped]);
                        continue;
                    }
                };
                if in_class > 0 {
                    out.push_str(ascii);
                } else {
                    out.push('[');
                    out.push_str(ascii);
                    out.push(']');
                }
            }
            '[' => {
                in_class += 1;
                out.push(c);
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}
