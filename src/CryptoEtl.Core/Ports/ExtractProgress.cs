namespace CryptoEtl.Core;

/// <summary>
/// Where an extract is: pages stored so far and pages expected (null for "all": to the end of the
/// market), distinct coins so far, and whether it has finished (stored, or failed).
/// </summary>
public sealed record ExtractProgress(int PagesFetched, int? PagesExpected, int Coins, bool Finished = false);
