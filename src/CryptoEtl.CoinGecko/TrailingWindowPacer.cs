namespace CryptoEtl.CoinGecko;

/// <summary>
/// CoinGecko's limit is calls per minute, so the pacer allows up to the tier's rate in ANY trailing
/// window of <see cref="Window"/> (plus <see cref="Guard"/>): a small run makes its calls at once,
/// a long sweep never has more than the rate in one minute. Each 429 lowers the allowance by one
/// call; each answer that is not a 429 gives one back, and without answers it climbs back to the
/// full rate in a straight line over one window after the last 429.
/// </summary>
/// <remarks>
/// Why one call per 429, and why not System.Threading.RateLimiting's SlidingWindowRateLimiter (no
/// TimeProvider, segments): docs/extract.md, "Pacing per tier". Not thread-safe: one client, sequential calls.
/// </remarks>
public sealed class TrailingWindowPacer
{
    /// <summary>CoinGecko's unit: calls per minute.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Added to the window: the server stamps a call when it arrives, later than we sent it, and by a
    /// different delay for each call; a call exactly 60 s after another may be 59.9 s after it there.
    /// </summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly Queue<DateTimeOffset> _recent = new();
    private double _cutAllowance;
    private DateTimeOffset? _lastRateLimited;

    public TrailingWindowPacer(double callsPerMinute, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _limit = LimitFor(callsPerMinute);
        _cutAllowance = _limit;
    }

    /// <summary>
    /// The least time <paramref name="calls"/> calls take at <paramref name="callsPerMinute"/>
    /// without 429s: the first rate-many at once, the next ones a window (and the guard) later, and so on.
    /// </summary>
    public static TimeSpan LeastTimeFor(int calls, double callsPerMinute)
    {
        var limit = LimitFor(callsPerMinute);
        return calls <= 1 ? TimeSpan.Zero : (Window + Guard) * ((calls - 1) / limit);
    }

    /// <summary>The tier's calls in any trailing window.</summary>
    public int Limit => _limit;

    /// <summary>Calls allowed in the trailing window now: the limit, or less for a while after a 429.</summary>
    public int Allowance
    {
        get
        {
            if (_lastRateLimited is not { } since)
            {
                return _limit;
            }

            var recovered = Math.Clamp((_time.GetUtcNow() - since) / Window, 0, 1);
            return Math.Max(1, (int)Math.Floor(_cutAllowance + ((_limit - _cutAllowance) * recovered)));
        }
    }

    /// <summary>From now until a call keeps within the allowance (zero when one may go now).</summary>
    public TimeSpan TimeUntilNextCall
    {
        get
        {
            var now = _time.GetUtcNow();
            Forget(now);
            var allowance = Allowance;
            if (_recent.Count < allowance)
            {
                return TimeSpan.Zero;
            }

            // The call that must leave the window first: with `allowance` slots, the oldest (count - allowance + 1) must go.
            var leaving = _recent.ElementAt(_recent.Count - allowance);
            var wait = leaving + Window + Guard - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
    }

    /// <summary>A call goes now: it counts, whatever its answer (CoinGecko counts failed calls too).</summary>
    public void OnCall()
    {
        var now = _time.GetUtcNow();
        Forget(now);
        _recent.Enqueue(now);
    }

    /// <summary>CoinGecko answered, not with a 429: one call of a cut allowance back.</summary>
    public void OnAnswered()
    {
        if (_lastRateLimited is not null)
        {
            _cutAllowance = Math.Min(_limit, _cutAllowance + 1);
        }
    }

    /// <summary>CoinGecko answered 429: one call less than the allowance in force now.</summary>
    public void OnRateLimited()
    {
        _cutAllowance = Math.Max(1, Allowance - 1);
        _lastRateLimited = _time.GetUtcNow();
    }

    // A fractional rate rounds down: 10.5 a minute is 10 in any minute, never 11.
    private static int LimitFor(double callsPerMinute) => (int)Math.Clamp(Math.Floor(callsPerMinute), 1, int.MaxValue);

    private void Forget(DateTimeOffset now)
    {
        while (_recent.Count > 0 && _recent.Peek() + Window + Guard <= now)
        {
            _recent.Dequeue();
        }
    }
}
