namespace CryptoEtl.Composition;

/// <summary>
/// The one way a setting (a <see cref="Core.SettingNames"/> name) is resolved: a value given on
/// the command line, else the environment, else the host's default. Lambda functions have only
/// the environment; the CLI adds its options as overrides. Each host makes one, and everything
/// reads through it (the adapters' options through <see cref="Get"/>, secrets through
/// <see cref="Secret"/>), so both hosts parse the same values the same way and no host reads
/// the environment on its own.
/// </summary>
public sealed class Settings
{
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<string, string> _overrides = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _defaults = new(StringComparer.Ordinal);

    private Settings(Func<string, string?> environment) => _environment = environment;

    public static Settings FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new Settings(environment);
    }

    /// <summary>A value that wins over the environment (a command-line option); null leaves the setting alone.</summary>
    public Settings Override(string name, string? value)
    {
        if (value is not null)
        {
            _overrides[name] = value;
        }

        return this;
    }

    /// <summary>The value when neither the command line nor the environment gives one.</summary>
    public Settings Default(string name, string value)
    {
        _defaults[name] = value;
        return this;
    }

    public string? Get(string name) =>
        _overrides.TryGetValue(name, out var given) ? given
        : _environment(name) is { } fromEnvironment ? fromEnvironment
        : _defaults.GetValueOrDefault(name);

    /// <summary>A secret (the CLI's CoinGecko key): the environment alone, never a command-line value or a default.</summary>
    public string? Secret(string name) => _environment(name);
}
