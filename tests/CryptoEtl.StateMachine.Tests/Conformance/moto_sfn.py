"""Runs one state machine probe through moto 5.2.1's Step Functions interpreter (moto/stepfunctions/parser,
derived from LocalStack's), in process, and prints what happened as JSON on stdout.

The conformance tests (MotoConformanceTests.cs) run the same probe through our runner and compare.

stdin: a JSON array of probes, each {"definition": ASL text with ${Name} placeholders, "input": JSON,
        "functions": {"Name": [step, ...]}, "jitter": fraction}
  where each step answers one invocation of the ${Name} function, in order:
  {"payload": JSON}                 the function returns JSON
  {"error": JSON}                   the function fails; JSON is the error body its runtime posted
stdout: a JSON array of results, each {"status" (REJECTED: the definition was refused), "error", "cause", "output", "states": [entered state names],
         "waits": [retry waits and Wait states' seconds, in order], "payloads": {"Name": [payloads received]},
         "alerts": [{"subject", "message"}]}

Lambda is patched (no Docker); SNS is moto's, read back through an SQS subscription. Retry sleeps
are recorded instead of slept, and FULL jitter draws the fixed fraction "jitter" of its range.
"""

import json
import logging
import sys
import time
import types

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.common.retry import jitter_strategy_decl, retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

REGION = "us-east-1"
ACCOUNT = "123456789012"


def function_arn(name):
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def run(index, probe, alerts_topic):
    functions = probe.get("functions", {})
    steps = {function_arn(name): list(answers) for name, answers in functions.items()}
    payloads = {name: [] for name in functions}
    waits = []

    def invoke(parameters, region, state_credentials):
        arn = parameters["FunctionName"]
        name = arn.rsplit(":", 1)[-1]
        payloads[name].append(json.loads(parameters.get("Payload") or b"null"))
        if not steps.get(arn):
            raise AssertionError(f"{name} was invoked more often than the probe planned")
        step = steps[arn].pop(0)
        if "error" in step:
            return {"StatusCode": 200, "FunctionError": "Unhandled", "ExecutedVersion": "$LATEST", "Payload": step["error"]}
        return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": step["payload"]}

    lambda_eval_utils._invoke_lambda_function = invoke
    retrier_decl.time = types.SimpleNamespace(sleep=waits.append)
    # A Wait state's seconds are recorded too (the runner's delay hook sees both), never slept.
    wait_function.WaitFunction._wait_interval = lambda self, env, wait_seconds: waits.append(wait_seconds)
    fraction = probe.get("jitter", 0.5)
    jitter_strategy_decl.random.uniform = lambda low, high: low + (high - low) * fraction

    sns, sqs, topic, queue = alerts_topic
    definition = probe["definition"].replace("${AlertTopicArn}", topic)
    for name in functions:
        definition = definition.replace("${" + name + "}", function_arn(name))

    sfn = boto3.client("stepfunctions", region_name=REGION)
    try:
        machine = sfn.create_state_machine(
            name=f"probe{index}", definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn")["stateMachineArn"]
    except ClientError as rejected:
        # CreateStateMachine refused the definition (AWS: InvalidDefinition).
        return {"status": "REJECTED", "error": None, "cause": rejected.response["Error"]["Message"],
                "output": None, "states": [], "waits": [], "payloads": payloads, "alerts": []}
    execution = sfn.start_execution(stateMachineArn=machine, name="probe-run", input=json.dumps(probe.get("input", {})))["executionArn"]
    for _ in range(1000):
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.005)

    history = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    states = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    failed = next((e["executionFailedEventDetails"] for e in history if "executionFailedEventDetails" in e), {})
    alerts = []
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        body = json.loads(message["Body"])
        alerts.append({"subject": body.get("Subject"), "message": body["Message"]})

    return {
        "status": described["status"],
        "error": failed.get("error"),
        "cause": failed.get("cause"),
        "output": json.loads(described["output"]) if described.get("output") else None,
        "states": states,
        "waits": waits,
        "payloads": payloads,
        "alerts": alerts,
    }


logging.disable(logging.CRITICAL)  # moto logs every failure it evaluates; the result says what matters
probes = json.load(sys.stdin)
results = []
session = None
for i, probe in enumerate(probes):
    # A fresh mock per probe (moto deep-copies the whole backend at each StartExecution, which fails
    # once an execution has run), but one boto3 session: loading botocore's models again for every
    # mock took most of a second per probe.
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        if session is None:
            session = boto3._get_default_session()
        boto3.DEFAULT_SESSION = session
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="alerts")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        results.append(run(i, probe, (sns, sqs, topic, queue)))
json.dump(results, sys.stdout)
