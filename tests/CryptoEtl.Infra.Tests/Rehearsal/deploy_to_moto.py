"""Deploys infra/template.yaml into a moto_server the way a first deployer would, and says what moto can check.

Usage: python3 deploy_to_moto.py ENDPOINT REPO_ROOT REQUEST.json  (prints the result as JSON)

REQUEST: {"stacks": {NAME: {PARAMETER: VALUE}}, "run_as": NAME, "ssm": {NAME: VALUE},
          "moto_ignores_ssm_resources": true}

For each stack:
1. `sam package`'s rewrite: CodeUri and DefinitionUri become s3:// URIs of objects uploaded to an
   artifacts bucket; then aws-sam-translator turns the SAM template into CloudFormation, for the
   stack's parameter values. A translation error fails (exit 1), as `sam deploy` would.
2. moto's CloudFormation creates the stack. moto reads only DefinitionString for a state machine,
   so the DefinitionS3Location + DefinitionSubstitutions the translator writes become the
   DefinitionString CloudFormation makes of them (Fn::Sub of the ASL with the substitutions).
3. Checks, for each state machine (the snapshot's and the backfill's): no ${...} left in the
   created definition; every Task's FunctionName (those in a Map's ItemProcessor too) is a created
   function; the alert rule's pattern matches exactly the FAILED, TIMED_OUT and ABORTED status
   changes of these state machines (moto's event pattern matcher).
For the run_as stack: each function's role policies, read back from moto's IAM, are put on an IAM
user of that function (with an access key); the SSM SecureStrings are created; an admin user is
made for the test's own arranging and asserting; then IAM enforcement is switched on.
"""
import ast
import io
import json
import os
import re
import sys
import zipfile

try:
    import boto3
    import requests
    import yaml
    from moto.cloudformation.parsing import get_model_map
    from moto.events.models import EventPattern
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform
except ImportError as missing:
    sys.exit(f"the deployment rehearsal needs {missing.name}: pip install 'moto[server]==5.2.1' boto3 aws-sam-translator pyyaml requests")

REGION = "us-east-1"
# The translator fills AWS::Region from the environment (else it asks the instance metadata service).
os.environ["AWS_DEFAULT_REGION"] = REGION
ARTIFACTS = "cryptoetl-rehearsal-artifacts"
ZIPS = {"ExtractFunction": "extract.zip", "TransformFunction": "transform.zip", "LoadFunction": "load.zip"}
STATUSES = ["FAILED", "TIMED_OUT", "ABORTED", "SUCCEEDED", "RUNNING", "PENDING_REDRIVE"]
ALERTED = {"FAILED", "TIMED_OUT", "ABORTED"}


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags read as their long forms."""


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


class NoManagedPolicies:
    """The template names no managed policy; the translator asks only if one is named."""

    def load(self):
        return {}


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def client(name, endpoint, key="test", secret="test"):
    return boto3.client(name, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key, aws_secret_access_key=secret)


# Each state machine's logical id and its ASL file in statemachine/.
STATE_MACHINES = {"CryptoEtlStateMachine": "crypto_etl.asl.json", "BackfillStateMachine": "crypto_backfill.asl.json"}


def package(template, repo):
    """What `sam package` does to the local paths: upload, then name the S3 objects."""
    for name, zip_name in ZIPS.items():
        template["Resources"][name]["Properties"]["CodeUri"] = f"s3://{ARTIFACTS}/{zip_name}"
    for name, asl_name in STATE_MACHINES.items():
        template["Resources"][name]["Properties"]["DefinitionUri"] = f"s3://{ARTIFACTS}/{asl_name}"
    return template


def upload_artifacts(s3, repo):
    s3.create_bucket(Bucket=ARTIFACTS)
    for zip_name in ZIPS.values():
        # moto creates a function from any zip; the real bootstrap is not run here.
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("bootstrap", "#!/bin/sh\n")
        s3.put_object(Bucket=ARTIFACTS, Key=zip_name, Body=buffer.getvalue())
    definitions = {}
    for asl_name in STATE_MACHINES.values():
        with open(f"{repo}/statemachine/{asl_name}", encoding="utf-8") as asl:
            definitions[asl_name] = asl.read()
        s3.put_object(Bucket=ARTIFACTS, Key=asl_name, Body=definitions[asl_name].encode())
    return definitions


def inline_definition(cfn, definitions):
    for name, asl_name in STATE_MACHINES.items():
        properties = cfn["Resources"][name]["Properties"]
        location = properties.pop("DefinitionS3Location")
        if location["Key"] != asl_name:
            fail(f"{name}'s definition is not its packaged ASL {asl_name}: {location}")
        substitutions = properties.pop("DefinitionSubstitutions", {})
        properties["DefinitionString"] = {"Fn::Sub": [definitions[asl_name], substitutions]}


def tasks(state_machine):
    found = []

    def walk(states):
        for state in states.values():
            if state.get("Type") == "Task":
                found.append(state)
            for branch in state.get("Branches", []):
                walk(branch["States"])
            if "ItemProcessor" in state:
                walk(state["ItemProcessor"]["States"])

    walk(state_machine["States"])
    return found


def status_event(state_machine_arn, status):
    execution = state_machine_arn.replace(":stateMachine:", ":execution:") + ":rehearsal"
    return json.dumps({
        "version": "0", "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": "Step Functions Execution Status Change", "source": "aws.states",
        "account": "123456789012", "time": "2026-12-07T12:00:00Z", "region": REGION,
        "resources": [execution],
        "detail": {"executionArn": execution, "stateMachineArn": state_machine_arn, "name": "rehearsal",
                   "status": status, "startDate": 1, "stopDate": 2, "input": "{}", "output": None,
                   "error": "CryptoEtl.CoinGeckoUnavailable", "cause": "{\"errorMessage\":\"x\"}"},
    })


def deploy(endpoint, repo, stack, parameters, definition):
    with open(f"{repo}/infra/template.yaml", encoding="utf-8") as source:
        template = package(yaml.load(source, Loader=CfnLoader), repo)
    try:
        cfn = transform(template, dict(parameters), NoManagedPolicies())
    except InvalidDocumentException as error:
        fail(f"{stack}: aws-sam-translator refused the template: " + "; ".join(str(e) for e in error.causes))
    inline_definition(cfn, definition)
    if sorted(n for n, r in cfn["Resources"].items() if r["Type"] == "AWS::StepFunctions::StateMachine") != sorted(STATE_MACHINES):
        fail(f"{stack}: the state machines are not {sorted(STATE_MACHINES)}")

    cf = client("cloudformation", endpoint)
    cf.create_stack(
        StackName=stack, TemplateBody=json.dumps(cfn),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
    described = cf.describe_stacks(StackName=stack)["Stacks"][0]
    if described["StackStatus"] != "CREATE_COMPLETE":
        fail(f"{stack}: {described['StackStatus']} {described.get('StackStatusReason', '')}")
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cf.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    # Resource types moto's CloudFormation has no model for: it skips them and still completes.
    skipped = sorted({r["Type"] for r in cfn["Resources"].values()} - set(get_model_map()))

    sfn = client("stepfunctions", endpoint)
    functions = {f["FunctionArn"] for f in client("lambda", endpoint).list_functions()["Functions"]}
    ours = [physical[name] for name in STATE_MACHINES]
    for state_machine_arn in ours:
        created = sfn.describe_state_machine(stateMachineArn=state_machine_arn)["definition"]
        left = re.findall(r"\$\{[^}]*\}", created)
        if left:
            fail(f"{stack}: the created definition of {state_machine_arn} still holds {left}")
        for task in tasks(json.loads(created)):
            name = task.get("Parameters", {}).get("FunctionName") or task.get("Arguments", {}).get("FunctionName")
            if name not in functions:
                fail(f"{stack}: Task {task.get('Resource')} invokes {name}, which is no function of the stack")
    our_functions = {physical[name] for name in ZIPS}

    events = client("events", endpoint)
    pattern = events.describe_rule(Name=physical["ExecutionFailedAlertRule"].split("|")[-1])["EventPattern"]
    for arn in ours + [ours[0] + "-other"]:
        for status in STATUSES:
            # moto's server does not implement TestEventPattern; its rules route events with
            # EventPattern.matches_event (moto/events/models.py), used here in process.
            matched = EventPattern.load(pattern).matches_event(json.loads(status_event(arn, status)))
            if matched != (arn in ours and status in ALERTED):
                fail(f"{stack}: the alert rule {'matches' if matched else 'misses'} a {status} execution of "
                     f"{'this stack' if arn in ours else 'another'}'s state machine {arn}; pattern {pattern}")

    return cfn, physical, skipped, our_functions


def users_for(endpoint, stack, physical, moto_ignores_ssm_resources):
    iam = client("iam", endpoint)
    lam = client("lambda", endpoint)
    users = {}
    for name in ZIPS:
        role = lam.get_function(FunctionName=physical[name])["Configuration"]["Role"].split("/")[-1]
        documents = [iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"]
                     for p in iam.list_role_policies(RoleName=role)["PolicyNames"]]
        if iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            fail(f"{stack}: {name}'s role {role} has managed policies attached")
        granted = []
        user = f"{stack}-{name}"
        iam.create_user(UserName=user)
        for index, document in enumerate(documents):
            if isinstance(document, str):
                # moto keeps a CloudFormation-made role's inline policy as Python's repr of the dict.
                document = ast.literal_eval(document)
            for statement in document["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                granted += [{"action": a, "resource": r} for a in actions for r in resources]
                if moto_ignores_ssm_resources and any(a.startswith("ssm:") for a in actions):
                    # moto authorizes SSM actions against Resource "*" (moto/ssm/responses.py), so a
                    # grant on the parameter's ARN would never match there; the exact ARN is checked
                    # by TemplateTests instead.
                    statement["Resource"] = "*"
            iam.put_user_policy(UserName=user, PolicyName=f"role-policy-{index}", PolicyDocument=json.dumps(document))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        users[name] = {"role": role, "user": user, "access_key": key["AccessKeyId"],
                       "secret_key": key["SecretAccessKey"], "granted": granted}
    return users


def main():
    endpoint, repo, request_path = sys.argv[1:4]
    with open(request_path, encoding="utf-8") as request_file:
        request = json.load(request_file)
    definition = upload_artifacts(client("s3", endpoint), repo)
    result = {"stacks": {}}
    for stack, parameters in request["stacks"].items():
        cfn, physical, skipped, functions = deploy(endpoint, repo, stack, parameters, definition)
        result["stacks"][stack] = {
            "resource_types": sorted({r["Type"] for r in cfn["Resources"].values()}),
            "skipped_by_moto": skipped,
            "bucket": physical["DataBucket"],
            "state_machine": physical["CryptoEtlStateMachine"],
            "state_machines": {name: physical[name] for name in STATE_MACHINES},
            "functions": sorted(functions),
        }
    run_as = request["run_as"]
    stack = result["stacks"][run_as]
    cf = client("cloudformation", endpoint)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cf.list_stack_resources(StackName=run_as)["StackResourceSummaries"]}
    stack["users"] = users_for(endpoint, run_as, physical, request.get("moto_ignores_ssm_resources", True))

    ssm = client("ssm", endpoint)
    for name, value in request.get("ssm", {}).items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString")
    iam = client("iam", endpoint)
    iam.create_user(UserName="rehearsal-admin")
    iam.put_user_policy(UserName="rehearsal-admin", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    admin = iam.create_access_key(UserName="rehearsal-admin")["AccessKey"]
    result["admin"] = {"access_key": admin["AccessKeyId"], "secret_key": admin["SecretAccessKey"]}

    requests.post(f"{endpoint}/moto-api/reset-auth", data="0", timeout=30).raise_for_status()
    json.dump(result, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
