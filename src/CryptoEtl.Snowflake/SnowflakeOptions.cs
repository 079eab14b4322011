using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CryptoEtl.Core;

namespace CryptoEtl.Snowflake;

/// <summary>Where and as whom the adapter talks to Snowflake, and how patiently.</summary>
public sealed partial class SnowflakeOptions
{
    public const string DefaultDatabase = "CRYPTO_ETL_DB";
    public const string DefaultSchema = "PUBLIC";
    public const string DefaultStage = "CRYPTO_PROCESSED_STAGE";
    public const string DefaultFileFormat = "CRYPTO_CSV_FORMAT";
    public const string TableName = "CRYPTO_DATA";

    /// <summary>Account identifier: orgname-account_name (or orgname.account_name), or a legacy locator such as xy12345.west-europe.azure; see <see cref="SnowflakeAccount"/>.</summary>
    public required string Account { get; init; }

    public required string User { get; init; }

    /// <summary>The key whose public half is the user's RSA_PUBLIC_KEY.</summary>
    public required RSA PrivateKey { get; init; }

    public required string Warehouse { get; init; }

    /// <summary>Null uses the user's DEFAULT_ROLE.</summary>
    public string? Role { get; init; }

    public string Database { get; init; } = DefaultDatabase;

    public string Schema { get; init; } = DefaultSchema;

    /// <summary>The external stage on the bucket's processed/ prefix; unqualified names live in Database.Schema.</summary>
    public string Stage { get; init; } = DefaultStage;

    public string FileFormat { get; init; } = DefaultFileFormat;

    /// <summary>Pipe mode's pipe (infra/snowflake/09_snowpipe.sql); a plain identifier in Database.Schema.</summary>
    public string Pipe { get; init; } = SnowpipeSql.PipeName;

    /// <summary>Null means https://ACCOUNT.snowflakecomputing.com.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The statement's server-side timeout (the request body's "timeout").</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>First wait between polls of a running statement; doubles up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per HTTP call for 429, 5xx and network failures (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first backoff before a retry; it doubles per retry (equal jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff, and the longest Retry-After waited: a longer one ends the retries (WarehouseUnavailable).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(20);

    public string UserAgent { get; init; } = "CryptoEtl/1.0";

    public Uri ApiBaseUrl => BaseUrl ?? SnowflakeAccount.DefaultBaseUrl(Account);

    /// <summary>The database as the request body names it (SHOW's spelling) and as SQL text writes it.</summary>
    public SnowflakeIdentifier DatabaseIdentifier => SnowflakeIdentifier.Parse(Database, nameof(Database));

    public SnowflakeIdentifier SchemaIdentifier => SnowflakeIdentifier.Parse(Schema, nameof(Schema));

    public SnowflakeIdentifier WarehouseIdentifier => SnowflakeIdentifier.Parse(Warehouse, nameof(Warehouse));

    /// <summary>Null when <see cref="Role"/> is null (the user's DEFAULT_ROLE).</summary>
    public SnowflakeIdentifier? RoleIdentifier => Role is null ? null : SnowflakeIdentifier.Parse(Role, nameof(Role));

    /// <summary>DATABASE.SCHEMA.CRYPTO_DATA</summary>
    public string QualifiedTable => $"{DatabaseIdentifier.Sql}.{SchemaIdentifier.Sql}.{TableName}";

    public string QualifiedStage => Qualified(Stage, nameof(Stage));

    public string QualifiedFileFormat => Qualified(FileFormat, nameof(FileFormat));

    /// <summary>
    /// The pipe as the Snowpipe REST API's URL names it: "case-sensitive, fully qualified"
    /// (docs.snowflake.com/en/user-guide/data-load-snowpipe-rest-apis), so the stored spelling:
    /// SHOW's names for database and schema, the unquoted pipe name upper-cased.
    /// </summary>
    public string PipeRestName => $"{DatabaseIdentifier.Name}.{SchemaIdentifier.Name}.{Identifier(Pipe, nameof(Pipe)).ToUpperInvariant()}";

    /// <summary>
    /// Reads SNOWFLAKE_* settings (SettingNames); the key comes separately because Lambda reads it
    /// from SSM and the CLI from a file. Missing required settings are one Configuration error
    /// that names all of them. A passphrase is only for a key file (the CLI): in Lambda the PEM is
    /// an SSM SecureString already, and no secret is ever read from a plain environment variable.
    /// </summary>
    public static SnowflakeOptions FromSettings(Func<string, string?> setting, string privateKeyPem, string? privateKeyPassphrase = null)
    {
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(privateKeyPem);
        string? Get(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        string[] required = [SettingNames.SnowflakeAccount, SettingNames.SnowflakeUser, SettingNames.SnowflakeWarehouse];
        var missing = required.Where(name => Get(name) is null).ToArray();
        if (missing.Length > 0)
        {
            throw new PipelineException(ErrorNames.Configuration, $"missing Snowflake settings: {string.Join(", ", missing)}");
        }

        Uri? baseUrl = null;
        if (Get(SettingNames.SnowflakeApiUrl) is { } url && !Uri.TryCreate(url, UriKind.Absolute, out baseUrl))
        {
            throw new PipelineException(ErrorNames.Configuration, $"{SettingNames.SnowflakeApiUrl} is not an absolute URL: \"{url}\"");
        }

        var options = new SnowflakeOptions
        {
            Account = Get(SettingNames.SnowflakeAccount)!,
            User = Get(SettingNames.SnowflakeUser)!,
            Warehouse = Get(SettingNames.SnowflakeWarehouse)!,
            Role = Get(SettingNames.SnowflakeRole),
            Database = Get(SettingNames.SnowflakeDatabase) ?? DefaultDatabase,
            Schema = Get(SettingNames.SnowflakeSchema) ?? DefaultSchema,
            Stage = Get(SettingNames.SnowflakeStage) ?? DefaultStage,
            Pipe = Get(SettingNames.SnowflakePipe) ?? SnowpipeSql.PipeName,
            BaseUrl = baseUrl,
            PrivateKey = KeyPairJwt.ReadPrivateKey(privateKeyPem, privateKeyPassphrase, "the given PEM"),
        };
        options.Validate();
        return options;
    }

    /// <summary>For the CLI: the key is read from SNOWFLAKE_PRIVATE_KEY_PATH (+ _PASSPHRASE).</summary>
    public static SnowflakeOptions FromSettingsWithKeyFile(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var path = setting(SettingNames.SnowflakePrivateKeyPath);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new PipelineException(ErrorNames.Configuration, $"missing Snowflake settings: {SettingNames.SnowflakePrivateKeyPath}");
        }

        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PipelineException(ErrorNames.Configuration, $"cannot read {SettingNames.SnowflakePrivateKeyPath} {path}: {ex.Message}", ex);
        }

        return FromSettings(setting, pem, setting(SettingNames.SnowflakePrivateKeyPassphrase));
    }

    /// <summary>Checks the names that end up in SQL text (they cannot be bound) and in the request body.</summary>
    public void Validate()
    {
        _ = SnowflakeAccount.ForJwt(Account);
        _ = QualifiedTable;
        _ = WarehouseIdentifier;
        _ = RoleIdentifier;
        _ = QualifiedStage;
        _ = QualifiedFileFormat;
        _ = PipeRestName;
        if (MaxAttempts < 1)
        {
            throw new PipelineException(ErrorNames.Configuration, $"MaxAttempts must be at least 1, got {MaxAttempts}");
        }
    }

    private string Qualified(string name, string setting)
    {
        var parts = name.Split('.');
        return parts.Length switch
        {
            1 => $"{DatabaseIdentifier.Sql}.{SchemaIdentifier.Sql}.{Identifier(name, setting)}",
            3 => string.Join('.', parts.Select(part => Identifier(part, setting))),
            _ => throw new PipelineException(ErrorNames.Configuration, $"Snowflake {setting} \"{name}\" must be NAME or DATABASE.SCHEMA.NAME"),
        };
    }

    // Stage and file format: unquoted identifiers only (a quoted one could hold the '.' they are split on).
    private static string Identifier(string name, string setting) =>
        UnquotedIdentifier().IsMatch(name)
            ? name
            : throw new PipelineException(ErrorNames.Configuration, $"Snowflake {setting} \"{name}\" is not a plain identifier (letters, digits, _ and $)");

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_$]{0,254}$", RegexOptions.CultureInvariant)]
    private static partial Regex UnquotedIdentifier();
}
