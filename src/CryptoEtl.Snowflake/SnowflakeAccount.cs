using System.Text.RegularExpressions;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The two spellings of an account the SQL API needs: the host of the API URL and the account
/// part of the key-pair JWT's iss/sub claims (Snowflake's rules differ between them).
/// </summary>
public static partial class SnowflakeAccount
{
    private const string HostSuffix = ".snowflakecomputing.com";

    /// <summary>
    /// The account as the JWT names it: upper case; a legacy locator keeps only its first part
    /// (xy12345.us-east-1.aws -> XY12345); an organization account written org.account becomes
    /// ORG-ACCOUNT (the docs' "use a hyphen instead of a period").
    /// </summary>
    public static string ForJwt(string account)
    {
        var name = Trimmed(account);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && IsLocatorSuffix(name[(dot + 1)..]))
        {
            name = name[..dot];
        }

        return name.Replace('.', '-').ToUpperInvariant();
    }

    /// <summary>https://ACCOUNT.snowflakecomputing.com, with an org.account name written org-account.</summary>
    public static Uri DefaultBaseUrl(string account)
    {
        var name = Trimmed(account);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var host = dot > 0 && !IsLocatorSuffix(name[(dot + 1)..]) ? name.Replace('.', '-') : name;
        return new Uri($"https://{host.ToLowerInvariant()}{HostSuffix}/");
    }

    private static string Trimmed(string account)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        var name = account.Trim();
        if (name.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            name = name["https://".Length..].TrimEnd('/');
        }

        if (name.EndsWith(HostSuffix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^HostSuffix.Length];
        }

        return name;
    }

    // A region (us-east-1, east-us-2.azure, us-central1.gcp), optionally .privatelink, or the
    // replication suffix .global: what follows a locator rather than an organization's account name.
    private static bool IsLocatorSuffix(string suffix) => LocatorSuffix().IsMatch(suffix);

    [GeneratedRegex(@"^(?:global|[a-z]+(?:-[a-z]+)*-[a-z]*[0-9]+(?:\.(?:aws|azure|gcp))?(?:\.privatelink)?)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LocatorSuffix();
}
