using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// A ClientTrafficPolicy's <c>proxyProtocol</c> and <c>connectionLimit</c> on a TCP listener, through <c>causeway run</c>:
/// the PROXY header (v1 and v2) is read before the client's bytes and names the client in the access log, the bytes
/// right after it reach the backend, a connection without one is closed, and connections over the limit are closed.
/// </summary>
[Collection(LatencyCollection.Name)]
public sealed class L4ProxyProtocolTests
{
    private const int Pool = 133;
    private const int ListenerPort = 9133;

    private static string Manifest(string backendAddress) => Manifests.GatewayClass + "---\n" + $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: test}
        spec:
          gatewayClassName: eg
          listeners:
          - name: tcp
            protocol: TCP
            port: {{ListenerPort}}
            allowedRoutes: {kinds: [{kind: TCPRoute}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: tcp-echo, namespace: test}
        spec:
          ports: [{name: tcp, port: 80, protocol: TCP}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: tcp-echo-1
          namespace: test
          labels: {kubernetes.io/service-name: tcp-echo}
        addressType: IPv4
        ports: [{name: tcp, port: 3000, protocol: TCP}]
        endpoints:
        - addresses: ["{{backendAddress}}"]
          conditions: {ready: true}
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: TCPRoute
        metadata: {name: echo, namespace: test}
        spec:
          parentRefs: [{name: gw, sectionName: tcp}]
          rules:
          - backendRefs: [{name: tcp-echo, port: 80}]
        ---
        apiVersion: gateway.envoyproxy.io/v1alpha1
        kind: ClientTrafficPolicy
        metadata: {name: behind-lb, namespace: test}
        spec:
          targetRefs:
          - {group: gateway.networking.k8s.io, kind: Gateway, name: gw}
          proxyProtocol: {optional: false}
          connection:
            connectionLimit: {value: 2}

        """;

    /// <summary>A PROXY v2 header for TCP over IPv4 from <paramref name="source"/>:<paramref name="port"/>.</summary>
    private static byte[] V2(string source, ushort port)
    {
        var header = new List<byte>("\r\n\r\n\0\r\nQUIT\n"u8.ToArray()) { 0x21, 0x11, 0, 12 };
        header.AddRange(IPAddress.Parse(source).GetAddressBytes());
        header.AddRange(IPAddress.Parse("192.0.2.1").GetAddressBytes());
        header.AddRange([(byte)(port >> 8), (byte)(port & 0xff), ListenerPort >> 8, ListenerPort & 0xff]);
        return [.. header];
    }

    /// <summary>Sends <paramref name="first"/> (header and a PING), reads the echo server's welcome and its PONG.</summary>
    private static async Task<string> ExchangeAsync(NetworkStream stream, byte[] first)
    {
        await stream.WriteAsync(first);
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        using var timeout = new CancellationTokenSource(E2e.Timeout);
        var welcome = await reader.ReadLineAsync(timeout.Token);
        var pong = await reader.ReadLineAsync(timeout.Token);
        return $"{welcome}|{pong}";
    }

    [Fact]
    public async Task The_proxy_header_names_the_client_and_the_connection_limit_closes_the_extra_connections()
    {
        await using var echo = await E2e.StartTcpEchoAsync("127.63.133.2");
        await using var run = await CausewayRun.StartAsync("", Pool, d => File.WriteAllText(Path.Combine(d, "all.yaml"), Manifest("127.63.133.2")));
        var gateway = run.GatewayAddress;
        const string Expected = "Gateway API Test TCP Server|PONG";

        // v1, with the client's first bytes in the same segment as the header.
        await E2e.EventuallyAsync(async () =>
        {
            try
            {
                var (s1, v1) = await E2e.ConnectAsync(gateway, ListenerPort);
                using (s1) return await ExchangeAsync(v1, Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.7 192.0.2.1 4000 9133\r\nPING\n")) == Expected;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                return false;
            }
        }, E2e.Timeout, "a TCP connection through the gateway after a PROXY v1 header");

        // v2 (binary).
        var (s2, v2) = await E2e.ConnectAsync(gateway, ListenerPort);
        using (s2) Assert.Equal(Expected, await ExchangeAsync(v2, [.. V2("203.0.113.9", 5555), .. "PING\n"u8.ToArray()]));

        var lines = await run.AccessLog.WaitForLinesAsync(2);
        var remotes = lines.Select(l => (string?)JsonNode.Parse(l)!["downstream_remote_address"]).ToList();
        Assert.Contains("198.51.100.7:4000", remotes);
        Assert.Contains("203.0.113.9:5555", remotes);

        // Without a header: closed before anything reaches the backend (no welcome line).
        var (s3, plain) = await E2e.ConnectAsync(gateway, ListenerPort);
        using (s3)
        {
            await plain.WriteAsync("PING\n"u8.ToArray());
            Assert.Equal("", await E2e.ReadAllAsync(plain, E2e.Timeout));
        }

        // Two connections held open, the third is closed at accept.
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var (s, stream) = await E2e.ConnectAsync(gateway, ListenerPort);
                held.Add(s);
                Assert.Equal(Expected, await ExchangeAsync(stream, Encoding.ASCII.GetBytes($"PROXY TCP4 198.51.100.{20 + i} 192.0.2.1 4000 9133\r\nPING\n")));
            }
            var (over, overStream) = await E2e.ConnectAsync(gateway, ListenerPort);
            using (over)
            {
                await overStream.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.30 192.0.2.1 4000 9133\r\nPING\n"));
                Assert.Equal("", await E2e.ReadAllAsync(overStream, E2e.Timeout));
            }
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
        Assert.Equal(0, await run.StopAsync());
    }
}
