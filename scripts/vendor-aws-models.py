#!/usr/bin/env python3
"""Vendors the AWS API models the test proxy checks requests against.

Reads the botocore models installed on this machine (botocore comes with
moto, which scripts/test.sh installs) and writes, for each service below,
a trimmed model to tests/fixtures/aws-models/<service>.json: the
`metadata`, the listed operations, and every shape they reference,
transitively (inputs, outputs and errors). Documentation strings are left
out: they are most of the size and nothing reads them. The output is
deterministic (sorted keys), so a re-run with the same botocore changes
nothing and a newer botocore shows up as a reviewable diff.

    scripts/vendor-aws-models.py    # then commit tests/fixtures/aws-models/

Add an operation here before cronport starts calling it: the proxy answers
a request for an operation it has no model of with a violation.
"""
import gzip
import json
import os
import sys

try:
    import botocore
except ImportError:
    sys.exit("error: botocore is missing; run scripts/test.sh, which installs moto[server] (and botocore with it)")

OPERATIONS = {
    "scheduler": [
        "CreateSchedule", "UpdateSchedule", "GetSchedule", "DeleteSchedule", "ListSchedules",
        "CreateScheduleGroup", "GetScheduleGroup", "ListScheduleGroups", "DeleteScheduleGroup",
        "TagResource", "UntagResource", "ListTagsForResource",
    ],
    "events": [
        "PutRule", "PutTargets", "DescribeRule", "ListRules", "ListTargetsByRule", "DeleteRule",
        "RemoveTargets", "EnableRule", "DisableRule",
        "TagResource", "UntagResource", "ListTagsForResource",
        # The tests send ECS's task events through EventBridge as ECS does.
        "PutEvents",
    ],
    "ecs": [
        "RunTask", "DescribeTasks", "ListTasks", "StopTask",
        "DescribeTaskDefinition", "RegisterTaskDefinition",
        "CreateCluster", "DescribeClusters", "DescribeCapacityProviders",
        "TagResource", "ListTagsForResource",
    ],
    # A query-protocol service: form-encoded requests, which the proxy
    # reads back into the input's shape to check them.
    "iam": ["GetRole", "CreateRole", "PutRolePolicy"],
    "logs": [
        "GetLogEvents", "FilterLogEvents", "CreateLogGroup", "CreateLogStream", "PutLogEvents",
        # The run record: its log group, retention, tags and resource policy.
        "DescribeLogGroups", "PutRetentionPolicy", "TagResource", "ListTagsForResource",
        "PutResourcePolicy", "DescribeResourcePolicies", "DeleteResourcePolicy",
    ],
    # Alerts: the alarms `convert` writes as PutMetricAlarm requests.
    "cloudwatch": ["PutMetricAlarm"],
}

# Keys that only document: dropped everywhere in the trimmed model.
DOCUMENTATION = {"documentation", "documentationUrl"}

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "aws-models")


def load_model(service):
    """The newest API version of `service` that botocore ships."""
    root = os.path.join(os.path.dirname(botocore.__file__), "data", service)
    version = max(v for v in os.listdir(root) if os.path.isdir(os.path.join(root, v)))
    for name, opener in (("service-2.json", open), ("service-2.json.gz", gzip.open)):
        path = os.path.join(root, version, name)
        if os.path.exists(path):
            with opener(path, "rt", encoding="utf-8") as f:
                return json.load(f)
    sys.exit(f"error: no service-2.json for {service} {version} under {root}")


def undocumented(value):
    if isinstance(value, dict):
        return {k: undocumented(v) for k, v in value.items() if k not in DOCUMENTATION}
    if isinstance(value, list):
        return [undocumented(v) for v in value]
    return value


def referenced_shapes(value):
    """Names of the shapes `value` (an operation or a shape) points at."""
    if isinstance(value, dict):
        if isinstance(value.get("shape"), str):
            yield value["shape"]
        for v in value.values():
            yield from referenced_shapes(v)
    elif isinstance(value, list):
        for v in value:
            yield from referenced_shapes(v)


def trim(model, operations):
    missing = [op for op in operations if op not in model["operations"]]
    if missing:
        sys.exit(f"error: {model['metadata']['serviceId']} has no operation {', '.join(missing)}")
    ops = {op: model["operations"][op] for op in operations}
    shapes = {}
    pending = list(referenced_shapes(ops))
    while pending:
        name = pending.pop()
        if name not in shapes:
            shapes[name] = model["shapes"][name]
            pending.extend(referenced_shapes(shapes[name]))
    return undocumented({
        "metadata": model["metadata"],
        "operations": ops,
        "shapes": shapes,
        "vendored_from": f"botocore {botocore.__version__}",
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    for service, operations in OPERATIONS.items():
        trimmed = trim(load_model(service), operations)
        path = os.path.join(OUT, f"{service}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(trimmed, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")
        print(f"{os.path.relpath(path)}: {len(trimmed['operations'])} operations, "
              f"{len(trimmed['shapes'])} shapes", file=sys.stderr)


main()
