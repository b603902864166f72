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
    public async Task OnlyIpv6AnswersAreUsedWhenThereIsNoIpv4()
    {
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.Zero }, NullLogger.Instance,
            () => { }, (_, _) => Task.FromResult(new[] { IPAddress.Parse("fd00::2") }));
        Assert.Equal(["Ip:10.9.9.9:81", "Ip:fd00::2:80"], Endpoints(await dns.ExpandAsync([Named("v6.example", 80)], default)));
    }

    [Fact]
    public async Task LocalhostResolvesWithTheSystemResolver()
    {
        using var dns = new FqdnEndpoints(new DataPlaneOptions { DnsRefreshInterval = TimeSpan.Zero }, NullLogger.Instance, () => { });
        Assert.Contains("Ip:127.0.0.1:80", Endpoints(await dns.ExpandAsync([Named("localhost", 80)], default)));
    }
}
