using Causeway.Model.Loading;
using Causeway.Providers.Runtime;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli;

/// <summary>Starts the built-in echo backend on <c>ADDR:PORT</c>; the result stops it when disposed.</summary>
public delegate Task<IAsyncDisposable> EchoStarter(string bind, CancellationToken ct);

/// <summary>
/// Everything a command needs from the outside world, so commands run in-process in tests with their own writers,
/// data plane and clock.
/// </summary>
public sealed record CliContext
{
    public required TextWriter Out { get; init; }
    public required TextWriter Err { get; init; }
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Makes the data plane for <c>run</c> (null when this build has none); its metrics are registered in the registry
    /// given (null: metrics off), global rate limits count where the last argument says (null or no Redis: nowhere).
    /// </summary>
    public Func<ILoggerFactory, Causeway.Telemetry.MetricsRegistry?, Causeway.DataPlane.Telemetry.AccessLog.AccessLogWriter?,
        Causeway.DataPlane.Policies.RateLimit.Global.GlobalRateLimitOptions?, IGatewayDataPlane?> DataPlaneFactory { get; init; } = (_, _, _, _) => null;

    /// <summary>Where the access log is written (stdout; application logs go to stderr).</summary>
    public Func<Stream> AccessLogOutput { get; init; } = Console.OpenStandardOutput;

    /// <summary>Called with the stats listener's address once it serves (tests).</summary>
    public Action<Uri>? MetricsStarted { get; init; }

    /// <summary>Starts the echo backend for <c>run --with-echo</c>; null when this build has none.</summary>
    public EchoStarter? Echo { get; init; }

    /// <summary>Schema validator for Gateway API kinds, used by every command that loads manifests.</summary>
    public IObjectValidator? Validator { get; init; }

    /// <summary>Logging for <c>run</c>; null creates a console logger.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Called by <c>run</c> once the admin API listens (tests use it to find a port-0 address).</summary>
    public Action<Uri>? AdminStarted { get; init; }

    /// <summary>HTTP client for <c>status</c>; null creates one.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }
}
