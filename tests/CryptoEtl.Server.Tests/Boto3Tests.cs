using System.Text.Json.Nodes;

namespace CryptoEtl.Server.Tests;

/// <summary>`cryptoetl serve` driven by boto3, the Python SDK (its own JSON 1.0 client, paginators and error parsing).</summary>
public sealed class Boto3Tests
{
    private const string Script = """
        import json, sys
        import boto3
        from botocore.exceptions import ClientError
        endpoint, machine = sys.argv[1], sys.argv[2]
        sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
        out = {}
        arns = [sfn.start_execution(stateMachineArn=machine, input=json.dumps({"pages": 1}))["executionArn"] for _ in range(2)]
        for arn in arns:
            while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                pass
        out["statuses"] = [sfn.describe_execution(executionArn=a)["status"] for a in arns]
        page1 = sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED", maxResults=1)
        page2 = sfn.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED", maxResults=1, nextToken=page1["nextToken"])
        out["pages"] = [[e["executionArn"] for e in p["executions"]] for p in (page1, page2)]
        out["page2_token"] = page2.get("nextToken")
        out["arns"] = arns
        out["failed"] = sfn.list_executions(stateMachineArn=machine, statusFilter="FAILED")["executions"]
        events = []
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arns[0], PaginationConfig={"PageSize": 3}):
            events += page["events"]
        out["types"] = [e["type"] for e in events]
        out["ids"] = [e["id"] for e in events]
        out["timestamps_are_datetimes"] = all(hasattr(e["timestamp"], "tzinfo") for e in events)
        errors = {}
        for label, call in [
            ("describe_bad_arn", lambda: sfn.describe_execution(executionArn="nope")),
            ("describe_unknown", lambda: sfn.describe_execution(executionArn=arns[0] + "-other")),
            ("start_bad_input", lambda: sfn.start_execution(stateMachineArn=machine, input="{not json")),
            ("history_bad_token", lambda: sfn.get_execution_history(executionArn=arns[0], nextToken="garbage!")),
        ]:
            try:
                call()
                errors[label] = None
            except ClientError as e:
                errors[label] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
        out["errors"] = errors
        print(json.dumps(out))
        """;

    [SkippableFact]
    public async Task Boto3_starts_waits_pages_and_reads_errors_like_on_AWS()
    {
        Skip.If(ServeHarness.AwsCli is null, ServeHarness.SkipReason);
        await using var serve = await ServeHarness.StartAsync();

        var result = await serve.PythonAsync(Script);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var output = JsonNode.Parse(result.Stdout)!;
        Assert.Equal(["SUCCEEDED", "SUCCEEDED"], output["statuses"]!.AsArray().Select(s => (string)s!));
        // Newest first, one per page, the last page without a token.
        var arns = output["arns"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Equal([[arns[1]], [arns[0]]], output["pages"]!.AsArray().Select(p => p!.AsArray().Select(a => (string)a!).ToList()));
        Assert.Null(output["page2_token"]);
        Assert.Empty(output["failed"]!.AsArray());
        // The paginator followed nextToken 3 events at a time through the whole history.
        var types = output["types"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.Equal("ExecutionStarted", types[0]);
        Assert.Equal("ExecutionSucceeded", types[^1]);
        // ExecutionStarted, two Pass states (2 events each), three Tasks (5 each), ExecutionSucceeded.
        Assert.Equal(1 + (2 * 2) + (3 * 5) + 1, types.Count);
        Assert.Equal(Enumerable.Range(1, types.Count), output["ids"]!.AsArray().Select(i => (int)i!));
        Assert.True((bool)output["timestamps_are_datetimes"]!);
        var errors = output["errors"]!;
        Assert.Equal("""["InvalidArn",400]""", errors["describe_bad_arn"]!.ToJsonString());
        Assert.Equal("""["ExecutionDoesNotExist",400]""", errors["describe_unknown"]!.ToJsonString());
        Assert.Equal("""["InvalidExecutionInput",400]""", errors["start_bad_input"]!.ToJsonString());
        Assert.Equal("""["InvalidToken",400]""", errors["history_bad_token"]!.ToJsonString());
    }
}
