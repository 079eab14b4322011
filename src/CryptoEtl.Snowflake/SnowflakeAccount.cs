using System.Text.RegularExpressions;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>
/// The two spellings of an account the SQL API needs: the host of the API URL and the account
/// part of the key-pair JWT's iss/sub claims. The forms and rules come from
/// docs.snowflake.com/en/user-guide/admin-account-identifier (organization account names, the
/// locator table "Non-VPS account locator formats by cloud platform and region", private
/// connectivity), docs.snowflake.com/en/user-guide/organizations-connect (URL formats) and
/// docs.snowflake.com/en/developer-guide/sql-api/authenticating ("If you are using the account
/// locator, exclude any region information"; its sample sql-api-generate-jwt.py keeps, for a
/// ".global" replication URL, the part before the hyphen).
/// </summary>
public static partial class SnowflakeAccount
{
    private const string Domain = ".snowflakecomputing.com";

    // China (Ningxia) is served from its own domain (the locator table's note).
    private const string ChinaDomain = ".snowflakecomputing.cn";

    private const string ChinaRegion = "cn-northwest-1";

    /// <summary>
    /// The cloud region IDs the locator table writes without a cloud segment (AWS's first regions;
    /// US West (Oregon) needs no segment at all but is also served as xy12345.us-west-2). Every
    /// other region ends in .aws, .azure or .gcp.
    /// </summary>
    private static readonly HashSet<string> RegionsWithoutCloud =
        ["us-west-2", "us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-southeast-2"];

    /// <summary>The account as the JWT's iss and sub name it: upper case, no region, no cloud, no privatelink.</summary>
    public static string ForJwt(string account) => Parse(account).JwtAccount;

    /// <summary>https://HOST/ where HOST is the account identifier followed by Snowflake's domain.</summary>
    public static Uri DefaultBaseUrl(string account) => new($"https://{Parse(account).Host}/");

    private static (string JwtAccount, string Host) Parse(string account)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        var text = account.Trim();
        var name = WithoutDomain(text, out var domain).ToLowerInvariant();
        if (!Segments().IsMatch(name))
        {
            throw Invalid(text);
        }

        var segments = name.Split('.');
        var first = segments[0];
        var privateLink = segments.Length > 1 && segments[^1] == "privatelink";
        var suffix = segments[1..(privateLink ? ^1 : ^0)];
        var link = privateLink ? ".privatelink" : "";

        // Underscores in an account name: the URL has a hyphenated twin that every client accepts;
        // the JWT keeps the name itself.
        if (suffix is [])
        {
            return (first.ToUpperInvariant(), first.Replace('_', '-') + link + domain);
        }

        if (suffix is ["global"] && !privateLink)
        {
            // <account>-<id>.global: the replication ("global") URL; the JWT names the account.
            var hyphen = first.LastIndexOf('-');
            return ((hyphen > 0 ? first[..hyphen] : first).ToUpperInvariant(), name + domain);
        }

        if (IsRegion(suffix))
        {
            if (suffix.Contains(ChinaRegion))
            {
                domain = ChinaDomain;
            }

            return (first.ToUpperInvariant(), name + domain);
        }

        if (suffix is [var accountName])
        {
            // orgname.account_name is the SQL spelling; clients and URLs use orgname-account_name.
            return ($"{first}-{accountName}".ToUpperInvariant(), $"{first}-{accountName.Replace('_', '-')}{link}{domain}");
        }

        throw Invalid(text);
    }

    /// <summary>The account text without https:// and Snowflake's domain; <paramref name="domain"/> is the domain it had, else the global one.</summary>
    private static string WithoutDomain(string text, out string domain)
    {
        var name = text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? text["https://".Length..].TrimEnd('/') : text;
        domain = Domain;
        if (name.EndsWith(Domain, StringComparison.OrdinalIgnoreCase))
        {
            return name[..^Domain.Length];
        }

        if (name.EndsWith(ChinaDomain, StringComparison.OrdinalIgnoreCase))
        {
            domain = ChinaDomain;
            return name[..^ChinaDomain.Length];
        }

        return name;
    }

    // [gov compliance.]region[.cloud], as the locator table writes them.
    private static bool IsRegion(string[] suffix) => suffix switch
    {
        [var region] => RegionsWithoutCloud.Contains(region),
        [var region, var cloud] => IsCloud(cloud) && RegionId().IsMatch(region),
        ["fhplus" or "dod", var region, var cloud] => IsCloud(cloud) && RegionId().IsMatch(region),
        _ => false,
    };

    private static bool IsCloud(string segment) => segment is "aws" or "azure" or "gcp";

    private static PipelineException Invalid(string account) => new(ErrorNames.Configuration,
        $"{SettingNames.SnowflakeAccount} \"{account}\" is not a Snowflake account identifier: use orgname-account_name (or a legacy locator such as xy12345.us-east-2.aws)");

    [GeneratedRegex("^[a-z0-9_-]+(?:\\.[a-z0-9_-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Segments();

    [GeneratedRegex("^[a-z]+(?:-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionId();
}
