using CryptoEtl.Core;
using CryptoEtl.Core.Resilience;
using Spectre.Console;

namespace CryptoEtl.Cli;

/// <summary>
/// Shows an extract while it runs: pages fetched and expected (or "to the end"), coins so far,
/// and what it waits for (the rate limit's gap, a Retry-After or backoff, CoinGecko's answer).
/// On a terminal it is one live line, redrawn in place and cleared when the extract ends; retries
/// are printed above it. Elsewhere (CI, pipes) it prints plain lines: one per page, one per retry,
/// one per rate-limit wait of a second or more, and "still waiting" every 10 s an answer is late.
/// </summary>
public sealed class ExtractProgressView : IExtractView, IDisposable
{
    /// <summary>How long an answer may be awaited before a plain-line view says it is still waiting.</summary>
    public static readonly TimeSpan StillWaitingEvery = TimeSpan.FromSeconds(10);

    private readonly IAnsiConsole _display;
    private readonly TimeProvider _time;
    private readonly bool _live;
    private readonly Lock _gate = new();
    private ExtractProgress _progress = new(0, null, 0);
    private string? _activity;
    private ITimer? _stillWaiting;
    private bool _lineShown;

    public ExtractProgressView(IAnsiConsole display, TimeProvider time, bool? live = null)
    {
        ArgumentNullException.ThrowIfNull(display);
        ArgumentNullException.ThrowIfNull(time);
        _display = display;
        _time = time;
        _live = live ?? (display.Profile.Capabilities.Ansi && display.Profile.Capabilities.Interactive);
    }

    /// <summary>A view on the command's error stream, so `extract`'s JSON on stdout stays clean for pipes.</summary>
    public static ExtractProgressView OnErrorStream(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var display = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        return new ExtractProgressView(display, TimeProvider.System);
    }

    public void OnProgress(ExtractProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (_gate)
        {
            StopStillWaiting();
            var pageDone = progress.PagesFetched > _progress.PagesFetched;
            _progress = progress;
            if (progress.Finished)
            {
                ClearLine();
                _activity = null;
                return;
            }

            if (_live)
            {
                Draw();
            }
            else if (pageDone)
            {
                Line($"  extract  {ExtractStatus.Describe(progress, null)}");
            }
        }
    }

    public void OnWaiting(WaitNotice wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        lock (_gate)
        {
            StopStillWaiting();
            _activity = ExtractStatus.Activity(wait);
            if (_live)
            {
                Draw();
            }
            else if (wait.Kind == WaitKind.RateLimit && wait.Length >= TimeSpan.FromSeconds(1))
            {
                Line($"  extract  {_activity}");
            }
            else if (wait.Kind == WaitKind.Answer)
            {
                var since = _time.GetUtcNow();
                _stillWaiting = _time.CreateTimer(_ => StillWaiting(wait, since), null, StillWaitingEvery, StillWaitingEvery);
            }
        }
    }

    public void OnRetry(RetryNotice retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        lock (_gate)
        {
            StopStillWaiting();
            ClearLine();
            Line(RetryLines.Describe(retry));
            _activity = ExtractStatus.Activity(retry);
            if (_live)
            {
                Draw();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            StopStillWaiting();
            ClearLine();
        }
    }

    private void StillWaiting(WaitNotice wait, DateTimeOffset since)
    {
        lock (_gate)
        {
            if (_stillWaiting is null)
            {
                return;
            }

            var waited = _time.GetUtcNow() - since;
            Line($"  extract  still waiting for CoinGecko's answer: {Seconds(waited)} of at most {Seconds(wait.Length)}: {wait.Target}");
        }
    }

    /// <summary>A whole line, as is: no markup, and no wrapping at the console's width (URLs stay greppable).</summary>
    private void Line(string text)
    {
        var output = _display.Profile.Out.Writer;
        output.WriteLine(text);
        output.Flush();
    }

    private void StopStillWaiting()
    {
        _stillWaiting?.Dispose();
        _stillWaiting = null;
    }

    private void Draw()
    {
        var text = $"  extract  {ExtractStatus.Describe(_progress, _activity)}";
        var width = Math.Max(_display.Profile.Width - 1, 20);
        _display.WriteAnsi("\r\u001b[2K");
        _display.Write(text.Length > width ? string.Concat(text.AsSpan(0, width - 3), "...") : text);
        _lineShown = true;
    }

    private void ClearLine()
    {
        if (_lineShown)
        {
            _display.WriteAnsi("\r\u001b[2K");
            _lineShown = false;
        }
    }

    private static string Seconds(TimeSpan wait) => ExtractStatus.Seconds(wait);
}
