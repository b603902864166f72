using Causeway.Providers.Runtime;

namespace Causeway.Providers.Tests.Runtime;

public sealed class AddressPoolTests
{
    [Fact]
    public void SkipsNetworkAndBroadcastAndReusesReleasedLast()
    {
        var pool = new AddressPool("10.0.0.0/30");
        Assert.Equal("10.0.0.1", pool.Acquire("a")!.ToString());
        Assert.Equal("10.0.0.2", pool.Acquire("b")!.ToString());
        Assert.Equal("10.0.0.1", pool.Acquire("a")!.ToString());
        Assert.Null(pool.Acquire("c"));
        pool.RetainOnly(new HashSet<string> { "b" });
        Assert.Equal("10.0.0.1", pool.Acquire("c")!.ToString());
        Assert.True(pool.Contains(System.Net.IPAddress.Parse("10.0.0.2")));
        Assert.False(pool.Contains(System.Net.IPAddress.Parse("10.0.0.3")));
    }

    [Theory]
    [InlineData("127.10.0.0")]
    [InlineData("127.10.0.0/33")]
    [InlineData("nonsense/8")]
    public void RejectsBadCidrs(string cidr) => Assert.Throws<FormatException>(() => new AddressPool(cidr));

    [Fact]
    public void NormalizesHostBitsAndSupportsIpv6()
    {
        Assert.Equal("127.10.0.1", new AddressPool("127.10.3.4/16").Acquire("x")!.ToString());
        Assert.Equal("fd00::1", new AddressPool("fd00::/64").Acquire("x")!.ToString());
    }
}
