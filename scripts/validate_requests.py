#!/usr/bin/env python3
"""Validates cronport's rendered JSON requests against the AWS API models
that botocore ships (the same models the AWS CLI uses), including the ECS
RunTask request inside each EventBridge Scheduler universal target.

    cronport convert cronport.toml --format json | scripts/validate_requests.py
"""
import json
import sys

try:
    import botocore.session
    from botocore.validate import ParamValidator
except ImportError:
    sys.exit("error: botocore is missing; run scripts/test.sh, which installs moto[server] (and botocore with it)")

SERVICES = {"scheduler": "scheduler", "events": "events", "logs": "logs", "cloudwatch": "cloudwatch"}


def validate(session, service, operation, params):
    model = session.get_service_model(service)
    shape = model.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        return [f"{service}:{operation}: {line}" for line in report.generate_report().splitlines()]
    return []


def from_pascal(value, path, errors):
    """The universal target's Input names members as the AWS SDK does
    (PascalCase: `TaskDefinition`); the ECS model names them as the wire
    does (`taskDefinition`). Rename, and report any member that is not
    PascalCase: AWS refuses such an Input ("missing field TaskDefinition")."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not key[:1].isupper():
                errors.append(f"ecs:RunTask (universal target Input): `{path}{key}` is not PascalCase")
            out[key[:1].lower() + key[1:]] = from_pascal(item, f"{path}{key}.", errors)
        return out
    if isinstance(value, list):
        return [from_pascal(item, path, errors) for item in value]
    return value


def main():
    doc = json.load(sys.stdin)
    session = botocore.session.get_session()
    errors = []
    count = 0
    for request in doc["requests"]:
        service, operation = request["operation"].split(":")
        errors += validate(session, SERVICES[service], operation, request["input"])
        count += 1
        target = request["input"].get("Target", {})
        if str(target.get("Arn", "")).endswith(":scheduler:::aws-sdk:ecs:runTask"):
            run_task = from_pascal(json.loads(target["Input"]), "", errors)
            errors += validate(session, "ecs", "RunTask", run_task)
            count += 1
        for t in request["input"].get("Targets", []):
            if "EcsParameters" in t:
                overrides = json.loads(t["Input"])
                errors += validate(session, "ecs", "RunTask", {"taskDefinition": "x", "overrides": overrides})
                count += 1
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"{count} requests valid")


main()
