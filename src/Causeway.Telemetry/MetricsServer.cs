using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Causeway.Telemetry;

/// <summary>
/// The stats listener: <c>GET /metrics</c> in the Prometheus text format (gzip when the scraper accepts it), plus
/// <c>/healthz</c>. Its own small Kestrel server, so scrapes never share a port or a thread with traffic.
/// </summary>
public sealed class MetricsServer : IAsyncDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MetricsRegistry _registry;
    private readonly IPEndPoint _address;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _app;

    public MetricsServer(MetricsRegistry registry, IPEndPoint address, ILoggerFactory loggerFactory)
    {
        _registry = registry;
        _address = address;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The bound address after <see cref="StartAsync"/>, e.g. <c>http://127.0.0.1:19001/</c>.</summary>
    public Uri? BaseAddress { get; private set; }

    /// <summary>"off" (no listener) or ADDR:PORT.</summary>
    public static IPEndPoint? ParseAddress(string value)
    {
        if (string.Equals(value, "off", StringComparison.OrdinalIgnoreCase)) return null;
        if (IPEndPoint.TryParse(value, out var ep) && value.Contains(':', StringComparison.Ordinal)) return ep;
        throw new FormatException($"'{value}' is not ADDRESS:PORT or off");
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (_app is not null) throw new InvalidOperationException("already started");
        var app = SmallHttpServer.Create(_address, _loggerFactory);
        app.MapGet("/metrics", WriteAsync);
        app.MapGet("/healthz", () => Results.Text("ok"));
        BaseAddress = await SmallHttpServer.StartAsync(app, ct).ConfigureAwait(false);
        _app = app;
    }

    private async Task WriteAsync(HttpContext context)
    {
        var text = _registry.Render();
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.ContentType = ContentType;
        var gzip = context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip)
        {
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        using var compressed = new MemoryStream();
        await using (var z = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            await z.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.ContentEncoding = "gzip";
        context.Response.Headers.Vary = "Accept-Encoding";
        context.Response.ContentLength = compressed.Length;
        await context.Response.Body.WriteAsync(compressed.GetBuffer().AsMemory(0, (int)compressed.Length), context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await SmallHttpServer.StopAsync(_app).ConfigureAwait(false);
        _app = null;
    }
}
