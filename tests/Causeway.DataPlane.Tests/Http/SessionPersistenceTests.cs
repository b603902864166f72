using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class SessionPersistenceTests
{
    [Theory]
    [InlineData("Cookie")]
    [InlineData("Header")]
    public async Task Session_sticks_to_one_endpoint(string type)
    {
        await using var a = await EchoBackend.StartAsync("a");
        await using var b = await EchoBackend.StartAsync("b");
        var rule = To("ns/ab:80") with { SessionPersistence = new SessionPersistenceIr { Type = type, SessionName = "sticky" } };
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", rule)))], Backend("ns/ab:80", a.Port, b.Port)));

        using var first = await g.GetAsync("h", "/");
        var token = type == "Header"
            ? first.Headers.GetValues("sticky").Single()
            : first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sticky=", StringComparison.Ordinal)).Split(';')[0]["sticky=".Length..];
        var firstBackend = first.Headers.GetValues("x-backend").Single();
        for (var i = 0; i < 8; i++)
        {
            var header = type == "Header" ? ("sticky", token) : ("Cookie", "sticky=" + token);
            using var r = await g.GetAsync("h", "/", header);
            Assert.Equal(firstBackend, r.Headers.GetValues("x-backend").Single());
        }
        // Without the token, round robin spreads requests again.
        var seen = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            using var r = await g.GetAsync("h", "/");
            seen.Add(r.Headers.GetValues("x-backend").Single());
        }
        Assert.Equal(2, seen.Count);
    }
}
