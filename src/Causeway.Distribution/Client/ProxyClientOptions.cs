using Causeway.Distribution.Security;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Distribution.Client;

public sealed record ProxyClientOptions
{
    /// <summary>The controller's distribution endpoint, e.g. <c>https://causeway.causeway-system.svc:18000</c>.</summary>
    public required Uri ControllerAddress { get; init; }

    /// <summary>This proxy's client certificate, key and the distribution CA (the Gateway's proxy Secret).</summary>
    public required IssuedCredentials Credentials { get; init; }

    /// <summary>The Gateway to subscribe to (<c>namespace/name</c>); default: the one the client certificate names.</summary>
    public string? GatewayKey { get; init; }

    /// <summary>This proxy instance (the pod name), for the controller's status and logs.</summary>
    public string ProxyId { get; init; } = Environment.MachineName;

    /// <summary>
    /// Applies a configuration (e.g. the data plane's atomic swap). Throwing rejects the version (NACK with the message);
    /// the previous configuration must then stay in service.
    /// </summary>
    public required Func<GatewayIr, CancellationToken, Task> Apply { get; init; }

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP/2 PING interval and timeout: a controller that stops answering is detected and redialled.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
