using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Backends;

/// <summary>
/// BackendTrafficPolicy <c>dns.lookupFamily</c> as a client sees it: a Backend named <c>localhost</c>, a backend
/// listening on 127.0.0.1 and [::1] at one port, and the address each request's backend connection arrived on.
/// This machine's /etc/hosts lists only 127.0.0.1 for localhost, so the data plane's resolver here answers as a hosts
/// file with both lines would (the system resolver's own answer is covered by FqdnEndpointsTests).
/// </summary>
public sealed class DnsLookupFamilyTests
{
    private static readonly IPAddress[] Both = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    [Theory]
    [InlineData(null, new[] { "127.0.0.1" })]
    [InlineData(DnsLookupFamily.IPv4, new[] { "127.0.0.1" })]
    [InlineData(DnsLookupFamily.IPv6, new[] { "::1" })]
    [InlineData(DnsLookupFamily.IPv4Preferred, new[] { "127.0.0.1" })]
    [InlineData(DnsLookupFamily.IPv6Preferred, new[] { "::1" })]
    [InlineData(DnsLookupFamily.IPv4AndIPv6, new[] { "127.0.0.1", "::1" })]
    public async Task Each_family_connects_to_the_addresses_it_selects(DnsLookupFamily? family, string[] expected)
    {
        await using var server = DualStackServer.Start();
        var backend = new BackendIr
        {
            Id = "Backend:ns/local",
            DnsLookupFamily = family,
            Endpoints = new([new EndpointIr("localhost", server.Port) { Kind = EndpointKind.Fqdn }]),
        };
        var options = TestGateway.Options with
        {
            DnsRefreshInterval = TimeSpan.Zero,
            DnsResolver = (name, _) => Task.FromResult(name == "localhost" ? Both : throw new System.Net.Sockets.SocketException(11001)),
        };
        await using var g = await TestGateway.StartAsync(options, Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To(backend.Id))))], backend));

        var seen = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            using var r = await g.GetAsync("h", $"/x/{i}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            seen.Add(await r.Content.ReadAsStringAsync());
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task IPv6_only_on_a_name_without_IPv6_leaves_the_backend_without_endpoints()
    {
        await using var server = DualStackServer.Start();
        var backend = new BackendIr
        {
            Id = "Backend:ns/local",
            DnsLookupFamily = DnsLookupFamily.IPv6,
            Endpoints = new([new EndpointIr("localhost", server.Port) { Kind = EndpointKind.Fqdn }]),
        };
        var options = TestGateway.Options with
        {
            DnsRefreshInterval = TimeSpan.Zero,
            DnsResolver = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }),
        };
        await using var g = await TestGateway.StartAsync(options, Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To(backend.Id))))], backend));
        using var r = await g.GetAsync("h", "/x");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
    }
}
