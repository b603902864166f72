using System.Net;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Listeners;

/// <summary>A running TCP/UDP/TLS (L4) port server; implemented by the L4 data plane (Causeway.DataPlane.L4.L4Server).</summary>
internal interface IL4Server : IAsyncDisposable
{
    int BoundPort { get; }
    void Update(PortIr port, Func<string, BackendIr?> backendLookup);
}

/// <summary>Starts L4 port servers; the seam through which the L4 data plane plugs in.</summary>
internal interface IL4ServerFactory
{
    Task<IL4Server> StartAsync(IPAddress address, PortIr port, Func<string, BackendIr?> backendLookup, ILoggerFactory loggerFactory, CancellationToken ct);
}

/// <summary>The default until the L4 data plane is wired in: every L4 port is reported as unsupported.</summary>
internal sealed class UnsupportedL4ServerFactory : IL4ServerFactory
{
    public Task<IL4Server> StartAsync(IPAddress address, PortIr port, Func<string, BackendIr?> backendLookup, ILoggerFactory loggerFactory, CancellationToken ct) =>
        Task.FromException<IL4Server>(new NotSupportedException($"protocol {port.Protocol} is not supported by this data plane"));
}
