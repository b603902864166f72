using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Causeway.Providers.Admin;

namespace Causeway.Cli.Cluster;

/// <summary>
/// Plain-HTTP probe endpoints of the controller and the proxy (<see cref="HealthEndpoints"/>: <c>/healthz</c>, and
/// <c>/readyz</c> 200 when <c>ready()</c> holds, else 503).
/// </summary>
internal sealed class HealthServer(IPEndPoint endpoint, Func<bool> ready) : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri? BaseAddress { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            k.Listen(endpoint, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.UseRouting();
        // Anything but the probes: 404 with a body, as before the probes became routed endpoints.
        app.Use(next => ctx => ctx.GetEndpoint() is null ? Write(ctx, 404, "not found\n") : next(ctx));
        app.MapHealthEndpoints(ready);
        await app.StartAsync(ct).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal)).Port;
        var host = endpoint.Address.Equals(IPAddress.Any) ? "127.0.0.1" : endpoint.Address.ToString();
        BaseAddress = new Uri($"http://{host}:{port}/");
    }

    private static Task Write(HttpContext ctx, int code, string text)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "text/plain";
        return ctx.Response.WriteAsync(text, ctx.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(timeout.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }
}
