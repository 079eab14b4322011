using static CryptoEtl.Infra.Tests.CfnTemplate;

namespace CryptoEtl.Infra.Tests;

/// <summary>
/// The operator's managed policy grants exactly what issue 17 asks: start executions of this state
/// machine and read or stop them. Resource types per action from the Service Authorization
/// Reference, "Actions defined by AWS Step Functions"
/// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html):
/// StartExecution, DescribeStateMachine and ListExecutions on stateMachine; DescribeExecution,
/// GetExecutionHistory and StopExecution on execution (arn:...:execution:NAME:ID).
/// </summary>
public sealed class OperatorPolicyTests
{
    private static readonly Dictionary<string, string> Required = new(StringComparer.Ordinal) { ["SnowflakeAccount"] = "myorg-myaccount" };

    [Fact]
    public void Operator_policy_grants_exactly_start_describe_list_history_and_stop_on_this_state_machine()
    {
        var template = Load(Required);
        var statements = IamStatement.All(template).Where(s => s.Owner == "OperatorPolicy").ToList();

        var grants = statements.Where(s => s.IsAllow)
            .SelectMany(s => s.Actions.SelectMany(a => s.Resources.Select(r => $"{a} {r}")))
            .Order(StringComparer.Ordinal);
        // Both state machines: the snapshot's and the backfill's.
        string[] expected = [.. new[] { "CryptoEtlStateMachine", "BackfillStateMachine" }.SelectMany(machine =>
        {
            var executions = $"arn:aws:states:{Region}:{AccountId}:execution:{{{machine}.Name}}:*";
            return new[]
            {
                $"states:DescribeExecution {executions}",
                $"states:DescribeStateMachine {{{machine}}}",
                $"states:GetExecutionHistory {executions}",
                $"states:ListExecutions {{{machine}}}",
                $"states:StartExecution {{{machine}}}",
                $"states:StopExecution {executions}",
            };
        })];
        Assert.Equal(expected.Order(StringComparer.Ordinal), grants);
        Assert.All(statements, s => Assert.Empty(s.Condition));
        Assert.Equal("AWS::IAM::ManagedPolicy", AsString(template.Resources["OperatorPolicy"]["Type"]));
    }

    /// <summary>
    /// IAM Identity Center attaches a customer managed policy to a permission set by name and path,
    /// and needs that name in every account it provisions to (docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetcustom.html):
    /// a generated name would differ per account, so the name is a parameter with a fixed default.
    /// </summary>
    [Fact]
    public void Operator_policy_has_the_fixed_name_its_parameter_gives()
    {
        Assert.Equal("CryptoEtlOperator", Properties(Load(Required).Resources["OperatorPolicy"])["ManagedPolicyName"]);
        var named = Load(new Dictionary<string, string>(Required) { ["OperatorPolicyName"] = "etl-operators" });
        Assert.Equal("etl-operators", Properties(named.Resources["OperatorPolicy"])["ManagedPolicyName"]);
        Assert.False(Properties(named.Resources["OperatorPolicy"]).ContainsKey("Path"));
    }

    [Fact]
    public void Operator_policy_is_an_output_and_creates_no_credential()
    {
        var template = Load(Required);

        Assert.Equal("{OperatorPolicy}", AsString(AsMap(template.Outputs["OperatorPolicyArn"])["Value"]));
        // Attaching is the operator's choice (docs/deploy.md): no user, access key or attachment in the template.
        var properties = Properties(template.Resources["OperatorPolicy"]);
        Assert.False(properties.ContainsKey("Users") || properties.ContainsKey("Roles") || properties.ContainsKey("Groups"));
        Assert.Empty(template.ResourcesOfType("AWS::IAM::User"));
        Assert.Empty(template.ResourcesOfType("AWS::IAM::AccessKey"));
    }
}
