using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Tests.Wiring;

/// <summary>An HTTP backend answering <c>NAME PATH</c>, and a TCP backend answering each read with <c>tcp:</c> + the bytes.</summary>
internal sealed class TestBackends : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly TcpListener _tcp = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _accept;

    public Task<int> StartHttpAsync(string name) => StartHttpAsync(name, IPAddress.Loopback);

    /// <summary>An HTTP backend on <paramref name="address"/> (e.g. <c>::1</c>) and a free port; returns the port.</summary>
    public async Task<int> StartHttpAsync(string name, IPAddress address)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(address, 0));
        var app = builder.Build();
        app.Run(ctx => ctx.Response.WriteAsync($"{name} {ctx.Request.Path}", ctx.RequestAborted));
        await app.StartAsync();
        _apps.Add(app);
        return new Uri(app.Urls.First()).Port;
    }

    public int StartTcp()
    {
        _tcp.Start();
        _accept = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient c;
                try { c = await _tcp.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using var client = c;
                    var stream = client.GetStream();
                    var buf = new byte[1024];
                    try
                    {
                        while (true)
                        {
                            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                            timeout.CancelAfter(TimeSpan.FromSeconds(30));
                            var n = await stream.ReadAsync(buf, timeout.Token);
                            if (n == 0) return;
                            await stream.WriteAsync(Encoding.ASCII.GetBytes("tcp:" + Encoding.ASCII.GetString(buf, 0, n)), timeout.Token);
                        }
                    }
                    catch (Exception) { }
                });
            }
        });
        return ((IPEndPoint)_tcp.LocalEndpoint).Port;
    }

    /// <summary>A port free on every address right now (the proxy binds 0.0.0.0).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Any, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>One request/response over TCP through <paramref name="port"/> on 127.0.0.1 (5 s timeout).</summary>
    public static async Task<string> TcpRoundTripAsync(int port, string text)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), cts.Token);
        var buf = new byte[1024];
        var sb = new StringBuilder();
        while (sb.Length < text.Length + 4)
        {
            var n = await stream.ReadAsync(buf, cts.Token);
            if (n == 0) break;
            sb.Append(Encoding.ASCII.GetString(buf, 0, n));
        }
        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Stop();
        if (_accept is not null) await _accept;
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        _stop.Dispose();
    }
}
