using System.Net;
using System.Net.Http.Json;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>A data plane on 127.0.0.1 with an HttpClient aimed at its (first) bound port.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(DataPlane plane, HttpClient client)
    {
        Plane = plane;
        Client = client;
    }

    public DataPlane Plane { get; }
    public HttpClient Client { get; }
    public int Port { get; private set; }
    public ApplyReport LastReport { get; private set; } = new(new Dictionary<string, string>(), new Dictionary<string, int>());

    public static DataPlaneOptions Options => new() { DefaultBindAddress = IPAddress.Loopback, DrainTimeout = TimeSpan.FromSeconds(2), BackendConnectTimeout = TimeSpan.FromSeconds(2) };

    public static Task<TestGateway> StartAsync(params GatewayIr[] gateways) => StartAsync(Options, gateways);

    public static async Task<TestGateway> StartAsync(DataPlaneOptions options, params GatewayIr[] gateways)
    {
        var plane = new DataPlane(options, NullLoggerFactory.Instance);
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(20),
        };
        var gw = new TestGateway(plane, client);
        var report = await gw.ApplyAsync(gateways);
        Assert.True(report.ListenerFailures.Count == 0, string.Join("; ", report.ListenerFailures.Select(kv => kv.Key + ": " + kv.Value)));
        gw.Port = report.BoundPorts.Values.First();
        return gw;
    }

    public async Task<ApplyReport> ApplyAsync(params GatewayIr[] gateways)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        LastReport = await Plane.ApplyAsync(gateways, cts.Token);
        return LastReport;
    }

    public HttpRequestMessage Request(string host, string pathAndQuery, HttpMethod? method = null, int? port = null)
    {
        var req = new HttpRequestMessage(method ?? HttpMethod.Get, $"http://127.0.0.1:{port ?? Port}{pathAndQuery}");
        req.Headers.Host = host;
        return req;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => Client.SendAsync(request);

    public async Task<HttpResponseMessage> GetAsync(string host, string pathAndQuery, params (string Name, string Value)[] headers)
    {
        var req = Request(host, pathAndQuery);
        foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
        return await Client.SendAsync(req);
    }

    /// <summary>GET that must reach a backend: returns what the echo backend saw.</summary>
    public async Task<EchoReply> EchoAsync(string host, string pathAndQuery, params (string Name, string Value)[] headers)
    {
        using var response = await GetAsync(host, pathAndQuery, headers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EchoReply>())!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Plane.DisposeAsync();
    }
}
