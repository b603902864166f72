using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>
/// The accept/dispose machinery the raw test backends share: a <see cref="TcpListener"/> on 127.0.0.1:0, an accept loop
/// that counts connections and hands each to <see cref="ServeAsync"/> (not awaited), and a dispose that stops the
/// listener, cancels <see cref="Stopping"/> and closes every accepted connection. Subclasses only say how a connection
/// is served; the port is known only once the constructor has returned, so no connection is served before that.
/// </summary>
public abstract class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accept;
    private int _connections;

    protected LoopbackServer()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>127.0.0.1 and <see cref="Port"/>.</summary>
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
