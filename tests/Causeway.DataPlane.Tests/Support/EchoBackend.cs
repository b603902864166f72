using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>What the echo backend saw, returned as the JSON body.</summary>
public sealed record EchoReply(string Name, string Method, string Path, string Host, string Protocol, Dictionary<string, string> Headers);

/// <summary>
/// A tiny backend on 127.0.0.1:0 answering every request with <see cref="EchoReply"/> JSON. Request headers steer it:
/// <c>x-echo-delay-ms</c> (wait first), <c>x-echo-status</c> (answer status), <c>x-echo-fail-first</c> (answer 500 to the
/// first N requests). WebSocket requests are echoed message by message.
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private EchoBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }
    public TimeSpan FixedDelay { get; private init; }
    public int Port { get; private set; }
    public int RequestCount => Volatile.Read(ref _count);

    /// <summary>When not 0, every request is answered with this status (and the x-backend header), nothing else.</summary>
    public int ForcedStatus { get; set; }
    public ConcurrentQueue<EchoReply> Received { get; } = new();

    /// <summary>Request bodies received, with the path and query they came with.</summary>
    public ConcurrentQueue<(string Path, string Body)> Bodies { get; } = new();

    public static async Task<EchoBackend> StartAsync(string name, X509Certificate2? certificate = null, bool http2Only = false, TimeSpan? fixedDelay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, lo =>
            {
                lo.Protocols = http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
                if (certificate is not null) lo.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        var backend = new EchoBackend(app, name) { FixedDelay = fixedDelay ?? TimeSpan.Zero };
        app.UseWebSockets();
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        var address = app.Urls.First();
        backend.Port = new Uri(address).Port;
        return backend;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var n = Interlocked.Increment(ref _count);
        var request = context.Request;
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var reply = new EchoReply(Name, request.Method, request.Path.Value + request.QueryString.Value, request.Host.Value ?? "", request.Protocol, headers);
        Received.Enqueue(reply);
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var ws = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var r = await ws.ReceiveAsync(buffer, context.RequestAborted);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }
                await ws.SendAsync(buffer.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage, context.RequestAborted);
            }
        }
        if (ForcedStatus != 0)
        {
            context.Response.StatusCode = ForcedStatus;
            context.Response.Headers["x-backend"] = Name;
            return;
        }
        if (FixedDelay > TimeSpan.Zero) await Task.Delay(FixedDelay, context.RequestAborted);
        if (int.TryParse(request.Headers["x-echo-delay-ms"], out var delay)) await Task.Delay(delay, context.RequestAborted);
        if (int.TryParse(request.Headers["x-echo-fail-first"], out var failFirst) && n <= failFirst)
        {
            context.Response.StatusCode = 500;
            return;
        }
        if (int.TryParse(request.Headers["x-echo-status"], out var status)) context.Response.StatusCode = status;
        if (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            Bodies.Enqueue((reply.Path, body));
            context.Response.Headers["x-echo-body-length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-backend"] = Name;
        await JsonSerializer.SerializeAsync(context.Response.Body, reply, cancellationToken: context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync();
    }
}
