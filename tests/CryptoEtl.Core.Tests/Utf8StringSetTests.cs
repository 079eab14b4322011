using System.Text;
using CryptoEtl.Core.Transform;

namespace CryptoEtl.Core.Tests;

/// <summary>The duplicate-id set past its first table and arena (a 500,000-coin market regrows both).</summary>
public sealed class Utf8StringSetTests
{
    [Fact]
    public void Keeps_every_distinct_id_once_through_growth()
    {
        var set = new Utf8StringSet();
        var ids = Enumerable.Range(0, 200_000).Select(i => Encoding.UTF8.GetBytes($"wrapped-bridged-token-{i}")).ToArray();

        Assert.All(ids, id => Assert.True(set.Add(id)));
        Assert.All(ids, id => Assert.False(set.Add(id)));
        Assert.True(set.Add(""u8));
        Assert.False(set.Add(""u8));
        Assert.True(set.Add("wrapped-bridged-token-"u8));
        Assert.True(set.Add(Encoding.UTF8.GetBytes(new string('x', 70_000))));
        Assert.Equal(ids.Length + 3, set.Count);
    }
}
