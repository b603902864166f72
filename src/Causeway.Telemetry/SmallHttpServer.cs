using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Causeway.Telemetry;

/// <summary>
/// The small Kestrel servers beside the data plane (the admin API, the stats listener): one address, routing, no
/// Server header, short header and keep-alive timeouts; the caller maps its endpoints. Started and stopped as a pair.
/// </summary>
public static class SmallHttpServer
{
    /// <summary>Builds the app (endpoints are mapped on it before <see cref="StartAsync"/>).</summary>
    public static WebApplication Create(IPEndPoint address, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.Listen(address);
        });
        var app = builder.Build();
        app.UseRouting();
        return app;
    }

    /// <summary>Starts the app; returns the address it listens on (a wildcard shown as loopback), e.g. <c>http://127.0.0.1:19001/</c>.</summary>
    public static async Task<Uri?> StartAsync(WebApplication app, CancellationToken ct)
    {
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is null ? null
            : new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }

    /// <summary>Stops within five seconds, then disposes.</summary>
    public static async Task StopAsync(WebApplication app)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
