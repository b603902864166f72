using System.Net;
using Causeway.Echo.Http;
using static Causeway.Echo.Tests.EchoTestHelpers;

namespace Causeway.Echo.Tests;

public sealed class GoCompatTests
{
    [Theory]
    [InlineData("300ms", 300 * TimeSpan.TicksPerMillisecond)]
    [InlineData("1s", TimeSpan.TicksPerSecond)]
    [InlineData("1.5s", 15 * TimeSpan.TicksPerMillisecond * 100)]
    [InlineData("1h2m", (62 * TimeSpan.TicksPerMinute))]
    [InlineData("0", 0L)]
    [InlineData("-2s", -2 * TimeSpan.TicksPerSecond)]
    [InlineData("10us", 100L)]
    public void ParsesGoDurations(string text, long ticks)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(ticks, duration.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("soon")]
    [InlineData("1x")]
    [InlineData("ms")]
    public void RejectsInvalidDurations(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData("x-forwarded-for", "X-Forwarded-For")]
    [InlineData("CONTENT-TYPE", "Content-Type")]
    [InlineData("user-agent", "User-Agent")]
    [InlineData("x-b3-traceid", "X-B3-Traceid")]
    [InlineData("weird header", "weird header")]
    public void CanonicalisesLikeGo(string name, string expected) => Assert.Equal(expected, GoHeaders.Canonical(name));

    [Fact]
    public async Task InstancesOnDistinctLoopbackAddressesShareAPort()
    {
        var first = new EchoOptions
        {
            BindAddress = IPAddress.Parse("127.0.3.7"),
            PodName = "a-1234567890-abcde",
            HttpPort = 0,
            H2cPort = 0,
            Log = _ => { },
        };
        await using var a = await EchoServer.StartAsync(first);
        var port = a.BoundPorts["http"];
        await using var b = await EchoServer.StartAsync(new EchoOptions
        {
            BindAddress = IPAddress.Parse("127.0.3.8"),
            PodName = "b-1234567890-abcde",
            HttpPort = port,
            H2cPort = 0,
            Log = _ => { },
        });
        Assert.Equal(port, b.BoundPorts["http"]);

        using var client = new HttpClient { Timeout = TestTimeout };
        using var ra = await client.GetAsync($"http://127.0.3.7:{port}/");
        using var rb = await client.GetAsync($"http://127.0.3.8:{port}/");
        Assert.Equal("a-1234567890-abcde", (await ReadJsonAsync(ra)).GetProperty("pod").GetString());
        Assert.Equal("b-1234567890-abcde", (await ReadJsonAsync(rb)).GetProperty("pod").GetString());
    }
}
