using CryptoEtl.Core;

namespace CryptoEtl.Cli;

/// <summary>What the CLI shows of an extract: the step's progress, and CoinGecko's retries and waits.</summary>
public interface IExtractView : IExtractObserver, IMarketSourceObserver;
