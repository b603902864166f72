using Causeway.Echo.Http;
using Causeway.Echo.Tcp;
using Causeway.Echo.Udp;

namespace Causeway.Echo;

/// <summary>One running echo-basic instance ("pod") in the mode chosen by <see cref="EchoOptions.Mode"/>.</summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly IAsyncDisposable _inner;
    private int _disposed;

    private EchoServer(IAsyncDisposable inner, IReadOnlyDictionary<string, int> boundPorts)
    {
        _inner = inner;
        BoundPorts = boundPorts;
    }

    /// <summary>
    /// Actual ports by listener name: <c>http</c>, <c>h2c</c>, <c>https</c> (HTTP mode), <c>http</c>, <c>https</c>
    /// (gRPC mode), <c>tcp</c>, <c>tls</c> (TCP mode), <c>udp</c> (UDP mode). TLS listeners appear only when configured.
    /// </summary>
    public IReadOnlyDictionary<string, int> BoundPorts { get; }

    /// <summary>Starts all listeners of the configured mode; returns once they accept connections.</summary>
    public static async Task<EchoServer> StartAsync(EchoOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ct.ThrowIfCancellationRequested();
        switch (options.Mode)
        {
            case EchoMode.Http:
            case EchoMode.Grpc:
                var host = await KestrelEchoHost.StartAsync(options, ct).ConfigureAwait(false);
                return new EchoServer(host, new Dictionary<string, int>(host.BoundPorts, StringComparer.Ordinal));

            case EchoMode.Tcp:
                var tcp = TcpEchoServer.Start(options);
                var ports = new Dictionary<string, int>(StringComparer.Ordinal) { ["tcp"] = tcp.TcpPort };
                if (tcp.TlsPort is { } tls)
                {
                    ports["tls"] = tls;
                }

                return new EchoServer(tcp, ports);

            case EchoMode.Udp:
                var udp = UdpEchoServer.Start(options);
                return new EchoServer(udp, new Dictionary<string, int>(StringComparer.Ordinal) { ["udp"] = udp.Port });

            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "unknown echo mode");
        }
    }

    /// <summary>Stops every listener and closes open connections.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? _inner.DisposeAsync() : ValueTask.CompletedTask;
}
