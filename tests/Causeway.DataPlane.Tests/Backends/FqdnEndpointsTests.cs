using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.Upstream.Dns;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging.Abstractions;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Backends;

/// <summary>FQDN endpoints: each address an endpoint, IPv4 preferred, re-resolution calls back only on a change.</summary>
public sealed class FqdnEndpointsTests
{
    private static GatewayIr Named(string host, int port) => Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("Backend:ns/b"))))],
        new BackendIr
        {
            Id = "Backend:ns/b",
            Endpoints = new([new EndpointIr("10.9.9.9", 81), new EndpointIr(host, port) { Kind = EndpointKind.Fqdn }]),
        });

    private static string[] Endpoints(IReadOnlyList<GatewayIr> gws) =>
        [.. gws.Single().Backends.Single().Endpoints.Select(e => $"{e.Kind}:{e.Address}:{e.Port}")];

    [Fact]
    public async Task EachAddressIsAnEndpointAndChangesAreReApplied()
    {
        var answers = new Queue<IPAddress[]>([
            [IPAddress.Parse("10.0.0.2"), IPAddress.Parse("fd00::1"), IPAddress.Parse("10.0.0.1")],
            [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")], // same set, another order: no change
            [IPAddress.Parse("10.0.0.3")],
        ]);
        var changes = 0;
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.Zero }, NullLogger.Instance,
            () => changes++, (_, _) => answers.Count > 0 ? Task.FromResult(answers.Dequeue()) : throw new SocketException((int)SocketError.HostNotFound));

        var input = new[] { Named("svc.example", 8080) };
        Assert.Equal(["Ip:10.9.9.9:81", "Ip:10.0.0.1:8080", "Ip:10.0.0.2:8080"], Endpoints(await dns.ExpandAsync(input, default)));
        await dns.RefreshAsync();
        Assert.Equal(0, changes);
        await dns.RefreshAsync();
        Assert.Equal(1, changes);
        Assert.Equal(["Ip:10.9.9.9:81", "Ip:10.0.0.3:8080"], Endpoints(await dns.ExpandAsync(input, default)));
        await dns.RefreshAsync(); // fails: the last answer stays
        Assert.Equal(1, changes);
        Assert.Equal(["Ip:10.9.9.9:81", "Ip:10.0.0.3:8080"], Endpoints(await dns.ExpandAsync(input, default)));
    }

    [Fact]
    public async Task A_backends_dns_refresh_rate_resolves_its_name_that_often_and_others_keep_the_default()
    {
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.FromHours(1) }, NullLogger.Instance,
            () => { }, (name, _) => { calls.AddOrUpdate(name, 1, (_, n) => n + 1); return Task.FromResult(new[] { IPAddress.Parse("10.0.0.1") }); });
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("Backend:ns/fast"))))],
            new BackendIr { Id = "Backend:ns/fast", DnsRefreshRate = TimeSpan.FromSeconds(1), Endpoints = new([new EndpointIr("fast.example", 80) { Kind = EndpointKind.Fqdn }]) },
            new BackendIr { Id = "Backend:ns/slow", Endpoints = new([new EndpointIr("slow.example", 80) { Kind = EndpointKind.Fqdn }]) });
        await dns.ExpandAsync([gw], default);
        Assert.Equal(1, calls["fast.example"]);
        var deadline = Environment.TickCount64 + 10_000;
        while (calls["fast.example"] < 3)
        {
            Assert.True(Environment.TickCount64 < deadline, $"fast.example resolved {calls["fast.example"]} times in 10s");
            await Task.Delay(100);
        }
        Assert.Equal(1, calls["slow.example"]);
    }

    [Fact]
    public async Task OnlyIpv6AnswersAreUsedWhenThereIsNoIpv4()
    {
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.Zero }, NullLogger.Instance,
            () => { }, (_, _) => Task.FromResult(new[] { IPAddress.Parse("fd00::2") }));
        Assert.Equal(["Ip:10.9.9.9:81", "Ip:fd00::2:80"], Endpoints(await dns.ExpandAsync([Named("v6.example", 80)], default)));
    }

    [Theory]
    [InlineData(DnsLookupFamily.IPv4, "Ip:10.0.0.1:80")]
    [InlineData(DnsLookupFamily.IPv6, "Ip:fd00::1:80")]
    [InlineData(DnsLookupFamily.IPv4Preferred, "Ip:10.0.0.1:80")]
    [InlineData(DnsLookupFamily.IPv6Preferred, "Ip:fd00::1:80")]
    [InlineData(DnsLookupFamily.IPv4AndIPv6, "Ip:10.0.0.1:80,Ip:fd00::1:80")]
    public async Task A_backends_lookup_family_selects_its_addresses_and_another_backend_of_the_same_name_keeps_its_own(DnsLookupFamily family, string expected)
    {
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.Zero }, NullLogger.Instance,
            () => { }, (_, _) => Task.FromResult(new[] { IPAddress.Parse("fd00::1"), IPAddress.Parse("10.0.0.1") }));
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("Backend:ns/a"))))],
            new BackendIr { Id = "Backend:ns/a", DnsLookupFamily = family, Endpoints = new([new EndpointIr("both.example", 80) { Kind = EndpointKind.Fqdn }]) },
            new BackendIr { Id = "Backend:ns/b", Endpoints = new([new EndpointIr("both.example", 80) { Kind = EndpointKind.Fqdn }]) });
        var backends = (await dns.ExpandAsync([gw], default)).Single().Backends;
        Assert.Equal(expected, string.Join(",", backends[0].Endpoints.Select(e => $"{e.Kind}:{e.Address}:{e.Port}")));
        Assert.Equal("Ip:10.0.0.1:80", string.Join(",", backends[1].Endpoints.Select(e => $"{e.Kind}:{e.Address}:{e.Port}")));
    }

    [Theory]
    [InlineData(DnsLookupFamily.IPv6Preferred, "Ip:10.0.0.1:80")]
    [InlineData(DnsLookupFamily.IPv6, "")]
    public async Task Without_IPv6_answers_IPv6Preferred_falls_back_and_IPv6_has_no_endpoint(DnsLookupFamily family, string expected)
    {
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.Zero }, NullLogger.Instance,
            () => { }, (_, _) => Task.FromResult(new[] { IPAddress.Parse("10.0.0.1") }));
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("Backend:ns/a"))))],
            new BackendIr { Id = "Backend:ns/a", DnsLookupFamily = family, Endpoints = new([new EndpointIr("v4.example", 80) { Kind = EndpointKind.Fqdn }]) });
        var backend = (await dns.ExpandAsync([gw], default)).Single().Backends.Single();
        Assert.Equal(expected, string.Join(",", backend.Endpoints.Select(e => $"{e.Kind}:{e.Address}:{e.Port}")));
    }

    [Fact]
    public async Task LocalhostResolvesWithTheSystemResolver()
    {
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.Zero }, NullLogger.Instance, () => { });
        Assert.Contains("Ip:127.0.0.1:80", Endpoints(await dns.ExpandAsync([Named("localhost", 80)], default)));
    }
}
