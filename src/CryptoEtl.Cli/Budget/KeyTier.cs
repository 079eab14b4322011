using CryptoEtl.CoinGecko;

namespace CryptoEtl.Cli.Budget;

/// <summary>
/// A CoinGecko key tier: its calls per minute (what Extract paces to: <see cref="CoinGeckoOptions"/>'s
/// rates, docs/extract.md) and its monthly allowance (null: none published). From
/// https://www.coingecko.com/en/api/pricing, checked 2026-11-29: Demo 10,000 calls a month; Basic,
/// the smallest paid ("pro") plan, 100,000 a month. Keyless use is IP-based and shared, with no
/// published monthly figure.
/// </summary>
public sealed record KeyTier(string Name, double CallsPerMinute, long? MonthlyCalls, ListPrice? Subscription)
{
    public static KeyTier Keyless { get; } = new("keyless", CoinGeckoOptions.KeylessCallsPerMinute, null, null);

    public static KeyTier Demo { get; } = new("demo", CoinGeckoOptions.DemoCallsPerMinute, 10_000, null);

    public static KeyTier Pro { get; } = new("pro", CoinGeckoOptions.ProCallsPerMinute, 100_000, ListPrices.CoinGeckoBasic);

    public static IReadOnlyList<KeyTier> All { get; } = [Keyless, Demo, Pro];

    public static KeyTier Parse(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new Core.PipelineException(Core.ErrorNames.InvalidInput, $"--tier {name}: not one of {string.Join(", ", All.Select(t => t.Name))}");
}
