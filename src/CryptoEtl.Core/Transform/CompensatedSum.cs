namespace CryptoEtl.Core.Transform;

/// <summary>
/// Neumaier's compensated sum: the total of 500,000 market caps of very different sizes stays
/// correct to the last bits, independent of the order of the coins.
/// </summary>
internal struct CompensatedSum
{
    private double _sum;
    private double _compensation;

    public int Count { get; private set; }

    public readonly double Value => _sum + _compensation;

    public void Add(double value)
    {
        var total = _sum + value;
        _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - total) + value : (value - total) + _sum;
        _sum = total;
        Count++;
    }
}
