#!/usr/bin/env python3
"""moto_server, with four things EventBridge does that moto 5 does not.

The tests send ECS task events through EventBridge (PutEvents) and check
where cronport's rules deliver them. moto routes events itself, but four of
its gaps would make those tests prove moto's routing instead of AWS's, so
this wrapper mends them, each as AWS documents it, and starts moto_server
with the same arguments:

1. A field inside a list of objects matches when any element's does
   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html:
   "arrays ... the pattern matches if any value in the array matches").
   moto flattens only objects, so `{"containers": {"exitCode": ...}}`
   never matches (moto 5.2.1, `EventPattern._flatten_dict`).
2. SNS topics are targets: the event, after the target's input
   transformer, is published to the topic. moto raises NotImplementedError,
   which fails the whole PutEvents call with a 500.
3. A rule with a schedule expression matches no event (a rule has an
   event pattern or a schedule). moto matches every event to it, then
   fails on its ECS target.
4. A DISABLED rule delivers nothing. moto delivers.

Nothing else is changed; everything the tests call still goes through the
real SDK and the contract proxy to this moto.
"""
import json
import sys

from moto.events import models as events
from moto.events.utils import EventTemplateParser
from moto.server import main
from moto.sns.models import sns_backends


def flatten(node, prefix="", result=None):
    if result is None:
        result = {}
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict) and value:
                flatten(value, path, result)
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                # Each element's fields, gathered into one list per path.
                for element in value:
                    for inner, found in flatten(element, path, {}).items():
                        gathered = result.setdefault(inner, [])
                        gathered.extend(found if isinstance(found, list) else [found])
            else:
                result[path] = value
    return result


events.EventPattern._flatten_dict = staticmethod(flatten)

moto_send = events.Rule.send_to_targets


def send_to_targets(self, original_event, transform_input=True):
    if self.scheduled_expression or self.state != "ENABLED":
        return
    if not self.event_pattern.matches_event(original_event):
        return
    topics = [t for t in self.targets if t["Arn"].split(":")[2] == "sns"]
    for target in topics:
        transformer = target.get("InputTransformer", {})
        message = EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=original_event,
        ) if transform_input else original_event
        if not isinstance(message, str):
            message = json.dumps(message)
        region = target["Arn"].split(":")[3]
        sns_backends[self.account_id][region].publish(message=message, arn=target["Arn"])
    kept = self.targets
    self.targets = [t for t in kept if t not in topics]
    try:
        moto_send(self, original_event, transform_input)
    finally:
        self.targets = kept


events.Rule.send_to_targets = send_to_targets

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
