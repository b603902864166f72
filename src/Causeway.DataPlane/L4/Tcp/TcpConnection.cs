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
        try
        {
            RemoteEndPoint = client.RemoteEndPoint;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // Gone already: the log has no address.
        }
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

    /// <summary>When the connection was accepted (for its access log line).</summary>
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public long StartTimestamp { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Bytes relayed from and to the client.</summary>
    public long BytesFromClient;
    public long BytesToClient;

    /// <summary>Why the connection was refused (Envoy's response flag: NR no route, UF upstream connect failure), or null.</summary>
    public string? RefusalFlag { get; set; }

    /// <summary>The backend endpoint connected to (kept for the log: the socket may be gone by then).</summary>
    public System.Net.EndPoint? UpstreamEndPoint { get; set; }

    /// <summary>The client's address and port, read at accept.</summary>
    public System.Net.EndPoint? RemoteEndPoint { get; private set; }

    /// <summary>The client named by the PROXY header the connection started with (the peer is its load balancer).</summary>
    public void UseClient(System.Net.IPEndPoint client) => RemoteEndPoint = client;

    /// <summary>Client bytes read past the PROXY header, not yet given to the ClientHello reader or the backend.</summary>
    public byte[] Pending { get; set; } = [];

    /// <summary>The TLS server name the client sent (TLS ports), or null.</summary>
    public string? ServerName { get; set; }

    /// <summary>The splice buffer per direction (the route's <c>connection.bufferLimit</c> or the server's); 0: the server's.</summary>
    public int BufferSize { get; set; }

    private Action? _onDispose;

    /// <summary>Runs <paramref name="release"/> once when the connection ends (a held connection slot, an endpoint in flight).</summary>
    public void OnDispose(Action release) => _onDispose += release;

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
        _onDispose?.Invoke();
    }
}
