using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>
/// The accept/dispose machinery the raw test backends share: a <see cref="TcpListener"/> on 127.0.0.1:0 (unless a
/// subclass names another address), an accept loop
/// that counts connections and hands each to <see cref="ServeAsync"/> (not awaited), and a dispose that stops the
/// listener, cancels <see cref="Stopping"/> and closes every accepted connection. Subclasses only say how a connection
/// is served. Accepting starts in this constructor: state a subclass sets in its own constructor body is safe only
/// because no client knows a port of the system's choosing before construction returns (field initializers run first).
/// </summary>
public abstract class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accept;
    private int _connections;

    /// <summary>Listens on 127.0.0.1 at a port of the system's choosing.</summary>
    protected LoopbackServer()
        : this(IPAddress.Loopback, 0)
    {
    }

    /// <summary>
    /// Listens on <paramref name="address"/> (another loopback address such as 127.0.0.2) at <paramref name="port"/>
    /// (0: the system's choice), for a test that needs several addresses on one port.
    /// </summary>
    protected LoopbackServer(IPAddress address, int port)
    {
        _listener = new TcpListener(address, port);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The address listened on and <see cref="Port"/>.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Cancelled when the server is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>
    /// Serves one accepted connection (<paramref name="number"/> counts from 1 in accept order). The connection is disposed
    /// when this returns or throws and on dispose; exceptions (peer gone, stopping) are swallowed.
    /// </summary>
    protected abstract Task ServeAsync(TcpClient client, int number);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient c;
            try
            {
                c = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            var number = Interlocked.Increment(ref _connections);
            _clients.Add(c);
            _ = RunAsync(c, number);
        }
    }

    private async Task RunAsync(TcpClient c, int number)
    {
        using var _ = c;
        try
        {
            await ServeAsync(c, number);
        }
        catch (Exception)
        {
            // Peer gone or stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var c in _clients) c.Dispose();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
            // Stopping.
        }
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
