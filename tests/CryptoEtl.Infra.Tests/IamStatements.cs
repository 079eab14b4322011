using static CryptoEtl.Infra.Tests.CfnTemplate;

namespace CryptoEtl.Infra.Tests;

/// <summary>One IAM policy statement, from wherever the template grants it.</summary>
public sealed record IamStatement(string Owner, string Effect, List<string> Actions, List<string> Resources, Dictionary<string, object?> Condition)
{
    public bool IsAllow => Effect == "Allow";

    /// <summary>All identity policy statements: IAM roles (the functions' included) and IAM policies.</summary>
    public static List<IamStatement> All(CfnTemplate template)
    {
        var statements = new List<IamStatement>();
        foreach (var (name, _) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            Assert.False(Properties(template.Resources[name]).ContainsKey("Policies"), $"{name}: SAM Policies would make SAM generate a role with AWSLambdaBasicExecutionRole");
        }

        foreach (var (name, resource) in template.ResourcesOfType("AWS::IAM::Role"))
        {
            statements.AddRange(OfRole(name, resource));
        }

        foreach (var type in new[] { "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" })
        {
            foreach (var (name, resource) in template.ResourcesOfType(type))
            {
                statements.AddRange(FromDocument(name, Properties(resource)["PolicyDocument"]));
            }
        }

        return statements;
    }

    /// <summary>
    /// A function's statements: those of the role it names (Role: !GetAtt XRole.Arn), owned by the
    /// function's name. A function without a role of its own would get SAM's generated one, with the
    /// managed AWSLambdaBasicExecutionRole (logs:CreateLogGroup on "*"): refused.
    /// </summary>
    public static List<IamStatement> OfFunction(CfnTemplate template, string name)
    {
        var properties = Properties(template.Resources[name]);
        Assert.False(properties.ContainsKey("Policies"), $"{name}: SAM Policies would make SAM generate a role with AWSLambdaBasicExecutionRole");
        var role = Assert.IsType<string>(properties.GetValueOrDefault("Role"), exactMatch: false);
        Assert.Matches(@"^\{[A-Za-z0-9]+\.Arn\}$", role);
        var roleName = role[1..^5];
        return OfRole(roleName, template.Resources[roleName]).Select(s => s with { Owner = name }).ToList();
    }

    /// <summary>A role's inline statements; managed policies are refused (they grant more than one step uses).</summary>
    private static List<IamStatement> OfRole(string name, Dictionary<string, object?> role)
    {
        var properties = Properties(role);
        Assert.False(properties.ContainsKey("ManagedPolicyArns"), $"{name}: managed policies grant more than a step uses");
        var statements = new List<IamStatement>();
        foreach (var policy in properties.TryGetValue("Policies", out var list) ? AsList(list) : [])
        {
            statements.AddRange(FromDocument(name, AsMap(policy)["PolicyDocument"]));
        }

        return statements;
    }

    /// <summary>S3 grants as "action resource" lines, with an s3:prefix condition when there is one.</summary>
    public static SortedSet<string> S3Grants(IEnumerable<IamStatement> statements)
    {
        var grants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var statement in statements.Where(s => s.IsAllow))
        {
            foreach (var action in statement.Actions.Where(a => a.StartsWith("s3:", StringComparison.Ordinal)))
            {
                foreach (var resource in statement.Resources)
                {
                    var prefix = statement.Condition.TryGetValue("StringLike", out var like)
                                 && AsMap(like).TryGetValue("s3:prefix", out var value)
                        ? " prefix " + string.Join(",", OneOrMany(value))
                        : "";
                    grants.Add($"{action} {resource}{prefix}");
                }
            }
        }

        return grants;
    }

    private static IEnumerable<IamStatement> FromDocument(string owner, object? document) =>
        AsList(AsMap(document)["Statement"]).Select(item =>
        {
            var statement = AsMap(item);
            return new IamStatement(
                owner,
                AsString(statement["Effect"]),
                OneOrMany(statement["Action"]),
                OneOrMany(statement["Resource"]),
                MapOrEmpty(statement, "Condition"));
        });
}
