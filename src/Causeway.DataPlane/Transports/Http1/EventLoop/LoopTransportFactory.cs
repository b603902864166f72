using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// Kestrel's transport for a cleartext port served by the event loops: binding creates a <see cref="LoopListener"/>
/// (the loops accept; Kestrel gets the connections they hand off).
/// </summary>
internal sealed class LoopTransportFactory(LoopGroup group, Func<ICompiledPortSource> port) : IConnectionListenerFactory
{
    /// <summary>The listener Kestrel bound, once it has.</summary>
    public LoopListener? Listener { get; private set; }

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip) throw new NotSupportedException($"the event loop listens on IP endpoints only, not {endpoint}");
        var listener = LoopListener.Bind(ip, group, port());
        Listener = listener;
        return ValueTask.FromResult<IConnectionListener>(listener);
    }
}
