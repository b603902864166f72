using System.Net;
using System.Net.Sockets;

namespace Causeway.DataPlane.L4.Udp;

/// <summary>One client endpoint's session: a connected upstream socket to the backend endpoint chosen at creation.</summary>
internal sealed class UdpSession : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private long _lastActivity = Environment.TickCount64;
    private int _disposed;

    public UdpSession(SocketAddress client, Socket upstream, IPEndPoint backend, string backendId, CancellationToken stopping)
    {
        Client = client;
        Upstream = upstream;
        BackendEndPoint = backend;
        BackendId = backendId;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Token = _cts.Token;
    }

    /// <summary>The client's address (a private copy: also the session table key).</summary>
    public SocketAddress Client { get; }
    public Socket Upstream { get; }
    public IPEndPoint BackendEndPoint { get; }
    public string BackendId { get; }
    public CancellationToken Token { get; }
    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Run once when the session ends (gives its endpoint back to the route's balancer).</summary>
    public Action? Released { get; set; }

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { _cts.Cancel(); }
        catch (ObjectDisposedException) { }
        Upstream.Dispose();
        _cts.Dispose();
        Released?.Invoke();
    }
}
