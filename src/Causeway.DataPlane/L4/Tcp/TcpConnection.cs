using System.Net.Sockets;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.L4.Tcp;

/// <summary>State of one accepted TCP connection: its sockets, cancellation and last-activity time (for idle sweeps).</summary>
internal sealed class TcpConnection : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private long _lastActivity = Environment.TickCount64;
    private int _disposed;

    public TcpConnection(long id, Socket client, CancellationToken serverStopping)
    {
        Id = id;
        Client = client;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        Token = _cts.Token;
    }

    public long Id { get; }
    public Socket Client { get; }
    public Socket? Backend { get; set; }
    public BackendIr? ChosenBackend { get; set; }
    public CancellationToken Token { get; }
    public bool IdleClosed { get; private set; }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>Closes the connection because it was idle too long.</summary>
    public void AbortIdle()
    {
        IdleClosed = true;
        Abort();
    }

    /// <summary>Cancels every pending operation of this connection; safe from any thread, any number of times.</summary>
    public void Abort()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try { _cts.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Client.Dispose();
        Backend?.Dispose();
        _cts.Dispose();
    }
}
