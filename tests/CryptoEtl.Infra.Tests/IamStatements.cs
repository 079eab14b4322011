using static CryptoEtl.Infra.Tests.CfnTemplate;

namespace CryptoEtl.Infra.Tests;

/// <summary>One IAM policy statement, from wherever the template grants it.</summary>
public sealed record IamStatement(string Owner, string Effect, List<string> Actions, List<string> Resources, Dictionary<string, object?> Condition)
{
    public bool IsAllow => Effect == "Allow";

    /// <summary>All identity policy statements: SAM function Policies and IAM roles/policies.</summary>
    public static List<IamStatement> All(CfnTemplate template)
    {
        var statements = new List<IamStatement>();
        foreach (var (name, resource) in template.ResourcesOfType("AWS::Serverless::Function"))
        {
            statements.AddRange(OfFunction(name, resource));
        }

        foreach (var (name, resource) in template.ResourcesOfType("AWS::IAM::Role"))
        {
            foreach (var policy in Properties(resource).TryGetValue("Policies", out var list) ? AsList(list) : [])
            {
                statements.AddRange(FromDocument(name, AsMap(policy)["PolicyDocument"]));
            }
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
    /// A function's inline statements. SAM policy templates (S3CrudPolicy, ...) and managed policy
    /// names are refused: they grant whole buckets or more, which is what this template avoids.
    /// </summary>
    public static List<IamStatement> OfFunction(string name, Dictionary<string, object?> function)
    {
        var policies = Properties(function).TryGetValue("Policies", out var list) ? AsList(list) : [];
        var statements = new List<IamStatement>();
        foreach (var policy in policies)
        {
            if (policy is not Dictionary<string, object?> document || !document.ContainsKey("Statement"))
            {
                throw new InvalidDataException($"{name}: only inline policy documents are allowed, found {policy}");
            }

            statements.AddRange(FromDocument(name, document));
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
