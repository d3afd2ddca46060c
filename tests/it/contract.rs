//! The AWS API contract the test proxy holds requests to
//! (`tests/support/contract.rs`): the checks on hand-written requests, and
//! the proxy answering a violation with 400 through the real SDK.

use crate::moto;

use std::io::{Read, Write};
use std::net::TcpStream;

use moto::contract::{Contract, Request};
use moto::{Fault, Moto, Proxy};
use serde_json::{Value, json};

const UNIVERSAL_RUN_TASK: &str = "arn:aws:scheduler:::aws-sdk:ecs:runTask";
const ROLE: &str = "arn:aws:iam::123456789012:role/cronport-scheduler";

/// A RunTask request as the AWS SDK names its members, the way a
/// universal target's Input must spell it.
fn pascal_run_task() -> Value {
    json!({
        "Cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production",
        "TaskDefinition": "mamorio-worker",
        "Count": 1,
        "LaunchType": "FARGATE",
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "Subnets": ["subnet-0123456789abcdef0"],
            "AssignPublicIp": "DISABLED"
        }},
        "Overrides": {"ContainerOverrides": [{
            "Name": "worker",
            "Command": ["bundle", "exec", "rake", "reports:daily"],
            "Environment": [{"Name": "RAILS_ENV", "Value": "production"}]
        }]},
        "Tags": [{"Key": "managed-by", "Value": "cronport"}],
        "StartedBy": "cronport"
    })
}

/// A CreateSchedule body with a universal RunTask target taking `input`.
fn create_schedule_body(input: &Value) -> Value {
    json!({
        "ClientToken": "4f6b7c1e-0000-4000-8000-000000000000",
        "GroupName": "mamorio",
        "ScheduleExpression": "cron(0 9 * * ? *)",
        "ScheduleExpressionTimezone": "Asia/Tokyo",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "ActionAfterCompletion": "NONE",
        "Target": {"Arn": UNIVERSAL_RUN_TASK, "RoleArn": ROLE, "Input": input.to_string()}
    })
}

fn check_rest(contract: &Contract, method: &str, uri: &str, body: &Value) -> Vec<String> {
    contract.check(&Request::rest(method, uri, &body.to_string()))
}

fn create_schedule(contract: &Contract, name: &str, body: &Value) -> Vec<String> {
    check_rest(contract, "POST", &format!("/schedules/{name}"), body)
}

/// Fails unless some violation line contains every one of `needles`.
fn assert_flags(violations: &[String], needles: &[&str]) {
    assert!(
        violations
            .iter()
            .any(|v| needles.iter().all(|n| v.contains(n))),
        "no violation mentions {needles:?}; got {violations:#?}"
    );
}

#[test]
fn a_create_schedule_with_a_pascal_case_run_task_input_passes() {
    let contract = Contract::load();
    let body = create_schedule_body(&pascal_run_task());
    assert_eq!(
        create_schedule(&contract, "cronport-rake-reports-daily", &body),
        Vec::<String>::new()
    );
}

#[test]
fn a_camel_case_run_task_input_misses_task_definition() {
    let contract = Contract::load();
    let body = create_schedule_body(&json!({"cluster": "c", "taskDefinition": "t"}));
    let violations = create_schedule(&contract, "daily", &body);
    assert_flags(
        &violations,
        &["scheduler:CreateSchedule: Target.Input.TaskDefinition: missing required member"],
    );
    assert_flags(
        &violations,
        &[
            "Target.Input.cluster",
            "unknown member",
            "did you mean Cluster?",
        ],
    );
}

#[test]
fn update_schedule_checks_the_run_task_input_too() {
    let contract = Contract::load();
    let body = create_schedule_body(&json!({"taskDefinition": "t"}));
    let violations = check_rest(&contract, "PUT", "/schedules/daily", &body);
    assert_flags(
        &violations,
        &["scheduler:UpdateSchedule: Target.Input.TaskDefinition: missing required member"],
    );
}

#[test]
fn a_universal_target_without_input_misses_task_definition() {
    let contract = Contract::load();
    let mut body = create_schedule_body(&pascal_run_task());
    body["Target"].as_object_mut().unwrap().remove("Input");
    let violations = create_schedule(&contract, "daily", &body);
    assert_flags(&violations, &["Target.Input.TaskDefinition: missing"]);
}

#[test]
fn run_task_input_values_are_checked_against_ecs() {
    let contract = Contract::load();
    let mut input = pascal_run_task();
    input["LaunchType"] = json!("fargate");
    input["Count"] = json!("1");
    let violations = create_schedule(&contract, "daily", &create_schedule_body(&input));
    assert_flags(
        &violations,
        &[
            "Target.Input.LaunchType",
            "\"fargate\" is not one of EC2, FARGATE",
        ],
    );
    assert_flags(
        &violations,
        &["Target.Input.Count: expected an integer, got \"1\""],
    );
}

#[test]
fn a_schedule_name_longer_than_64_is_a_violation() {
    let contract = Contract::load();
    let name = "x".repeat(65);
    let violations = create_schedule(&contract, &name, &create_schedule_body(&pascal_run_task()));
    assert_eq!(
        violations,
        ["scheduler:CreateSchedule: Name: length 65 is more than the maximum 64"]
    );
}

#[test]
fn a_schedule_name_is_percent_decoded_before_its_pattern() {
    let contract = Contract::load();
    let violations = create_schedule(
        &contract,
        "rake%20reports",
        &create_schedule_body(&pascal_run_task()),
    );
    assert_flags(
        &violations,
        &["Name: \"rake reports\" does not match pattern ^[0-9a-zA-Z-_.]+$"],
    );
}

#[test]
fn a_state_outside_the_enum_is_a_violation() {
    let contract = Contract::load();
    let mut body = create_schedule_body(&pascal_run_task());
    body["State"] = json!("ON");
    let violations = create_schedule(&contract, "daily", &body);
    assert_eq!(
        violations,
        ["scheduler:CreateSchedule: State: \"ON\" is not one of ENABLED, DISABLED"]
    );
}

#[test]
fn a_missing_required_member_is_a_violation() {
    let contract = Contract::load();
    let mut body = create_schedule_body(&pascal_run_task());
    body.as_object_mut().unwrap().remove("FlexibleTimeWindow");
    let violations = create_schedule(&contract, "daily", &body);
    assert_eq!(
        violations,
        ["scheduler:CreateSchedule: FlexibleTimeWindow: missing required member"]
    );
}

#[test]
fn an_unknown_member_is_a_violation() {
    let contract = Contract::load();
    let mut body = create_schedule_body(&pascal_run_task());
    body["Target"]["Retries"] = json!(3);
    let violations = create_schedule(&contract, "daily", &body);
    assert_eq!(
        violations,
        ["scheduler:CreateSchedule: Target.Retries: unknown member of Target"]
    );
}

#[test]
fn a_role_arn_outside_its_pattern_is_a_violation() {
    let contract = Contract::load();
    let mut body = create_schedule_body(&pascal_run_task());
    body["Target"]["RoleArn"] = json!("x");
    let violations = create_schedule(&contract, "daily", &body);
    assert_eq!(
        violations,
        [
            r#"scheduler:CreateSchedule: Target.RoleArn: "x" does not match pattern ^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@\/-]+$"#
        ]
    );
}

#[test]
fn java_digit_classes_are_ascii_only() {
    // Java's \d is [0-9]; Rust's would also take other scripts' digits.
    let contract = Contract::load();
    let mut body = create_schedule_body(&pascal_run_task());
    body["Target"]["RoleArn"] = json!("arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/x");
    let violations = create_schedule(&contract, "daily", &body);
    assert_flags(&violations, &["Target.RoleArn", "does not match pattern"]);
}

#[test]
fn query_string_members_are_checked() {
    let contract = Contract::load();
    let violations = check_rest(
        &contract,
        "GET",
        "/schedules?ScheduleGroup=mamorio&State=ON&MaxResults=many",
        &Value::Null,
    );
    assert_flags(
        &violations,
        &["scheduler:ListSchedules: State: \"ON\" is not one of"],
    );
    assert_flags(
        &violations,
        &["MaxResults: expected an integer, got \"many\""],
    );
    let fine = contract.check(&Request::rest(
        "GET",
        "/schedules?ScheduleGroup=mamorio&MaxResults=100",
        "",
    ));
    assert_eq!(fine, Vec::<String>::new());
}

#[test]
fn scheduler_tags_only_schedule_groups() {
    let contract = Contract::load();
    let tags = json!({"Tags": [{"Key": "managed-by", "Value": "cronport"}]});
    let group = "arn%3Aaws%3Ascheduler%3Aus-east-1%3A123456789012%3Aschedule-group%2Fmamorio";
    let uri = format!("/tags/{group}");
    assert_eq!(
        check_rest(&contract, "POST", &uri, &tags),
        Vec::<String>::new()
    );
    let schedule = "arn%3Aaws%3Ascheduler%3Aus-east-1%3A123456789012%3Aschedule%2Fmamorio%2Fdaily";
    let uri = format!("/tags/{schedule}");
    assert_flags(
        &check_rest(&contract, "POST", &uri, &tags),
        &[
            "scheduler:TagResource: ResourceArn",
            "does not match pattern",
        ],
    );
}

/// A PutTargets body with one ECS target taking `input`.
fn put_targets_body(input: &Value) -> String {
    json!({
        "Rule": "cronport-rake-reports-daily",
        "Targets": [{
            "Id": "cronport",
            "Arn": "arn:aws:ecs:us-east-1:123456789012:cluster/mamorio-production",
            "RoleArn": "arn:aws:iam::123456789012:role/cronport-events",
            "EcsParameters": {
                "TaskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/mamorio-worker",
                "TaskCount": 1,
                "LaunchType": "FARGATE",
                "NetworkConfiguration": {"awsvpcConfiguration": {
                    "Subnets": ["subnet-0123456789abcdef0"],
                    "AssignPublicIp": "DISABLED"
                }}
            },
            "Input": input.to_string()
        }]
    })
    .to_string()
}

#[test]
fn a_rule_target_ecs_input_in_camel_case_passes() {
    let contract = Contract::load();
    let overrides = json!({
        "containerOverrides": [{
            "name": "worker",
            "command": ["bundle", "exec", "rake", "reports:daily"],
            "environment": [{"name": "RAILS_ENV", "value": "production"}]
        }],
        "cpu": "512",
        "memory": "1024"
    });
    let body = put_targets_body(&overrides);
    let violations = contract.check(&Request::json("AWSEvents.PutTargets", &body));
    assert_eq!(violations, Vec::<String>::new());
}

#[test]
fn a_rule_target_ecs_input_in_pascal_case_is_a_violation() {
    let contract = Contract::load();
    let overrides = json!({"ContainerOverrides": [{"Name": "worker", "Command": ["x"]}]});
    let body = put_targets_body(&overrides);
    let violations = contract.check(&Request::json("AWSEvents.PutTargets", &body));
    assert_eq!(
        violations,
        [
            "events:PutTargets: Targets[0].Input.ContainerOverrides: unknown member of TaskOverride (did you mean containerOverrides?)"
        ]
    );
}

#[test]
fn a_rule_target_input_that_is_not_json_is_a_violation() {
    let contract = Contract::load();
    let mut body: Value = serde_json::from_str(&put_targets_body(&json!({}))).unwrap();
    body["Targets"][0]["Input"] = json!("{containerOverrides");
    let violations = contract.check(&Request::json("AWSEvents.PutTargets", &body.to_string()));
    assert_flags(
        &violations,
        &["events:PutTargets: Targets[0].Input: not JSON"],
    );
}

#[test]
fn an_operation_without_a_vendored_model_is_a_violation() {
    let contract = Contract::load();
    let violations = contract.check(&Request::json("AWSEvents.PutPermission", "{}"));
    assert_flags(
        &violations,
        &[
            "events:PutPermission: not in the vendored model",
            "vendor-aws-models.py",
        ],
    );
    let violations = contract.check(&Request::rest("GET", "/schedule-templates", ""));
    assert_flags(&violations, &["GET /schedule-templates: no operation"]);
}

#[test]
fn json_protocol_requests_of_other_services_are_checked() {
    let contract = Contract::load();
    let describe = contract.check(&Request::json(
        "AmazonEC2ContainerServiceV20141113.DescribeTasks",
        r#"{"cluster": "mamorio-production", "tasks": ["arn:aws:ecs:us-east-1:123456789012:task/x"]}"#,
    ));
    assert_eq!(describe, Vec::<String>::new());
    let missing = contract.check(&Request::json(
        "Logs_20140328.GetLogEvents",
        r#"{"logGroupName": "/ecs/mamorio"}"#,
    ));
    assert_eq!(
        missing,
        ["logs:GetLogEvents: logStreamName: missing required member"]
    );
}

#[test]
fn query_protocol_forms_are_read_back_into_their_shape() {
    let contract = Contract::load();
    let get_role = "Action=GetRole&Version=2010-05-08&RoleName=cronport-scheduler";
    assert_eq!(
        contract.check(&Request::form(get_role)),
        Vec::<String>::new()
    );

    let spaced = "Action=GetRole&Version=2010-05-08&RoleName=my+role%21";
    assert_eq!(
        contract.check(&Request::form(spaced)),
        [r#"iam:GetRole: RoleName: "my role!" does not match pattern [\w+=,.@-]+"#]
    );

    let create_role = "Action=CreateRole&Version=2010-05-08&RoleName=r\
        &AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=60\
        &Tags.member.1.Key=managed-by&Tags.member.1.Value=cronport&Tags.member.2.Key=team";
    assert_eq!(
        contract.check(&Request::form(create_role)),
        [
            "iam:CreateRole: MaxSessionDuration: 60 is less than the minimum 3600",
            "iam:CreateRole: Tags[1].Value: missing required member",
        ]
    );

    let old_version = "Action=GetRole&Version=2006-03-01&RoleName=r";
    assert_flags(
        &contract.check(&Request::form(old_version)),
        &["iam:GetRole: Version \"2006-03-01\" is not the API version 2010-05-08"],
    );
}

/// Patterns written for Java that Rust's regex cannot compile (lookaround):
/// the proxy does not check them. A change to this list after re-vendoring
/// the models is worth a look.
#[test]
fn patterns_rust_cannot_compile_are_listed() {
    let contract = Contract::load();
    assert_eq!(
        contract.uncompiled_patterns(),
        [
            r"events:PathParameter ^(?!\s*$).+",
            r"scheduler:Source ^(?=[/\.\-_A-Za-z0-9]+)((?!aws\.).*)|(\$(\.[\w_-]+(\[(\d+|\*)\])*)*)$",
        ]
    );
}

/// Sends one raw HTTP request to the proxy and reads the answer's head.
fn send_raw(proxy: &Proxy, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = vec![0u8; 4096];
    let n = stream.read(&mut answer).unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

const BAD_CREATE_SCHEDULE: &str = "POST /schedules/daily HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

#[test]
fn the_proxy_answers_a_violation_itself_with_400() {
    // Nothing listens upstream: a rejected request must not be passed on.
    let proxy = Proxy::start(1, |_| Fault::None);
    let answer = send_raw(&proxy, BAD_CREATE_SCHEDULE);
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.contains("x-amzn-ErrorType: ValidationException"),
        "{answer}"
    );
    assert!(
        answer.contains("scheduler:CreateSchedule: Target: missing required member"),
        "{answer}"
    );
    let seen = proxy.take();
    assert!(seen[0].rejected);
    assert_eq!(proxy.writes(), 0);
    assert_flags(&proxy.take_violations(), &["ScheduleExpression: missing"]);
}

#[test]
#[should_panic(expected = "broke the AWS API contract")]
fn a_violation_left_on_the_proxy_fails_the_test() {
    let proxy = Proxy::start(1, |_| Fault::None);
    send_raw(&proxy, BAD_CREATE_SCHEDULE);
    drop(proxy);
}

#[test]
fn the_sdk_sees_a_violation_as_validation_exception_and_the_fixed_request_passes() {
    use aws_sdk_scheduler::types::{FlexibleTimeWindow, FlexibleTimeWindowMode, Target};

    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |_| Fault::None);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let clients = cronport::aws::Clients::connect(&moto::aws_options(&proxy.url())).await;
        let create = |name: &str, input: Value| {
            clients
                .scheduler
                .create_schedule()
                .name(name)
                .schedule_expression("cron(0 9 * * ? *)")
                .flexible_time_window(
                    FlexibleTimeWindow::builder()
                        .mode(FlexibleTimeWindowMode::Off)
                        .build()
                        .unwrap(),
                )
                .target(
                    Target::builder()
                        .arn(UNIVERSAL_RUN_TASK)
                        .role_arn(ROLE)
                        .input(input.to_string())
                        .build()
                        .unwrap(),
                )
                .send()
        };

        let camel = create("camel", json!({"cluster": "c", "taskDefinition": "t"})).await;
        let error = camel.expect_err("AWS rejects a camelCase RunTask input");
        let error = error.into_service_error();
        assert!(error.is_validation_exception(), "{error:?}");
        assert_flags(
            &proxy.take_violations(),
            &["scheduler:CreateSchedule: Target.Input.TaskDefinition: missing required member"],
        );

        create("pascal", pascal_run_task()).await.unwrap();
        assert_eq!(proxy.take_violations(), Vec::<String>::new());
    });
}
