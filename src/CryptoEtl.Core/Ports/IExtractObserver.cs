namespace CryptoEtl.Core;

/// <summary>
/// Watches an extract's progress through the pages. The Extract Lambda logs it; the CLI draws it.
/// Calls come from the extract's own flow, one at a time; an observer must not throw.
/// </summary>
public interface IExtractObserver
{
    void OnProgress(ExtractProgress progress);
}
