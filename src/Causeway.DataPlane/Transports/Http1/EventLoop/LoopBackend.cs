using System.Net;
using System.Runtime.InteropServices;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// A connection to a backend endpoint owned by one loop: while an exchange uses it, its events go to that client
/// connection; while idle in the loop's pool, any event (the backend closed it, or sent something unasked) drops it.
/// Registered edge-triggered for reads and writes once, for its whole life.
/// </summary>
internal sealed unsafe class LoopBackend : LoopSocket
{
    private const int BufferSize = 16 * 1024;

    private LoopBackend(Loop loop, int fd, Http1EndpointPool pool) : base(loop, fd)
    {
        Pool = pool;
        Buffer = new byte[SizeFor(pool)];
    }

    /// <summary>The read buffer's size: 16 KiB, or the pool's <c>connection.bufferLimit</c> when that is smaller.</summary>
    private static int SizeFor(Http1EndpointPool pool) => pool.BufferLimit > 0 ? Math.Min(pool.BufferLimit, BufferSize) : BufferSize;

    public Http1EndpointPool Pool { get; }

    /// <summary>The exchange using it; null while idle.</summary>
    public LoopUpstream? Owner { get; set; }

    /// <summary>Received bytes not yet relayed: <c>Buffer[Start..End]</c>.</summary>
    public byte[] Buffer { get; private set; }
    public int Start { get; set; }
    public int End { get; set; }

    /// <summary>It came from the idle pool (the backend may have closed it meanwhile).</summary>
    public bool Reused { get; set; }

    public long IdleSince { get; private set; }

    /// <summary>Requests sent on this connection so far (<see cref="Http1EndpointPool.Spent"/>).</summary>
    public long Requests { get; set; }
    private bool _closed;

    /// <summary>Closed (by the exchange, the idle pool or the client connection it was kept for).</summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Starts a non-blocking connect to <paramref name="pool"/>'s endpoint for <paramref name="owner"/>; the result
    /// arrives as a write event. Returns null with <paramref name="error"/> set when it failed at once. The caller took
    /// the endpoint's connection slot (<see cref="Http1EndpointPool.TryOpenConnection"/>): the connection holds it until
    /// it closes, and a connect that fails here gives it back.
    /// </summary>
    public static LoopBackend? Connect(Loop loop, Http1EndpointPool pool, LoopUpstream owner, out string? error)
    {
        error = null;
        var endpoint = pool.EndPoint; // an IPEndPoint, or a UnixDomainSocketEndPoint (Envoy Gateway Backend unix)
        var family = Native.Family(endpoint.AddressFamily);
        var fd = Native.socket(family, Native.SockStream | Native.SockNonBlock | Native.SockCloExec, 0);
        if (fd < 0)
        {
            error = $"socket failed: errno {Marshal.GetLastPInvokeError()}";
            pool.ConnectionClosed();
            return null;
        }
        var one = 1;
        if (family != Native.AfUnix) Native.setsockopt(fd, Native.IpProtoTcp, Native.TcpNoDelay, &one, sizeof(int));
        if (family != Native.AfUnix && pool.Keepalive is { } keepalive)
        {
            // BackendTrafficPolicy tcpKeepalive (the same options Upstream/BackendSocketOptions sets on managed sockets).
            int idle = (int)Math.Max(1, keepalive.IdleTime.TotalSeconds), interval = (int)Math.Max(1, keepalive.Interval.TotalSeconds), probes = keepalive.Probes;
            Native.setsockopt(fd, Native.SolSocket, Native.SoKeepAlive, &one, sizeof(int));
            Native.setsockopt(fd, Native.IpProtoTcp, Native.TcpKeepIdle, &idle, sizeof(int));
            Native.setsockopt(fd, Native.IpProtoTcp, Native.TcpKeepIntvl, &interval, sizeof(int));
            Native.setsockopt(fd, Native.IpProtoTcp, Native.TcpKeepCnt, &probes, sizeof(int));
        }
        var address = endpoint.Serialize(); // the platform's sockaddr, as Socket.Connect passes it
        int rc;
        fixed (byte* p = address.Buffer.Span) rc = Native.connect(fd, p, address.Size);
        if (rc != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // A Unix socket whose backlog is full answers EAGAIN instead of EINPROGRESS: a failed connect here.
            if (errno != Native.EInProgress)
            {
                Native.close(fd);
                pool.ConnectionClosed();
                error = $"connect failed: {new System.Net.Sockets.SocketException(errno).Message}";
                return null;
            }
        }
        var b = new LoopBackend(loop, fd, pool) { Owner = owner };
        if (!loop.Register(b, Native.EpollIn | Native.EpollOut | Native.EpollRdHup | Native.EpollEt))
        {
            Native.close(fd);
            pool.ConnectionClosed();
            error = "epoll registration failed";
            return null;
        }
        if (pool.MaxConnections > 0) loop.CountOpen(pool, 1);
        return b;
    }

    /// <summary>The outcome of the connect (0 when connected, else the socket error).</summary>
    public int ConnectError()
    {
        int error = 0, length = sizeof(int);
        return Native.getsockopt(Fd, Native.SolSocket, Native.SoError, &error, &length) == 0 ? error : Marshal.GetLastPInvokeError();
    }

    public override void OnEvents(uint events)
    {
        NoteReadiness(events);
        if (Owner is { } owner)
        {
            owner.OnBackendEvents(events);
            return;
        }
        // Idle: the backend closed it or sent something unasked, unless the event is a late one for bytes the last
        // exchange already read (edge-triggered readiness can trail the read that consumed it).
        if ((events & (Native.EpollHup | Native.EpollErr | Native.EpollRdHup)) == 0 && NothingToRead())
        {
            Readable = false;
            return;
        }
        Loop.DropIdle(this);
    }

    private bool NothingToRead()
    {
        byte b;
        var n = Native.recv(Fd, &b, 1, Native.MsgPeek);
        return n < 0 && Marshal.GetLastPInvokeError() == Native.EAgain;
    }

    /// <summary>Reads what the socket has into the free end of <see cref="Buffer"/> (as <see cref="LoopSocket.Receive"/>).</summary>
    public int ReceiveMore()
    {
        if (Start == End) Start = End = 0;
        else if (End == Buffer.Length)
        {
            if (Start > 0)
            {
                Buffer.AsSpan(Start, End - Start).CopyTo(Buffer);
                End -= Start;
                Start = 0;
            }
            else
            {
                var bigger = new byte[Buffer.Length * 2];
                Buffer.AsSpan(0, End).CopyTo(bigger);
                Buffer = bigger;
            }
        }
        var n = Receive(Buffer.AsSpan(End));
        if (n > 0) End += n;
        return n;
    }

    public void MakeIdle(long now)
    {
        Owner = null;
        Start = End = 0;
        Readable = false;
        Deadline = 0;
        IdleSince = now;
        if (Buffer.Length > SizeFor(Pool)) Buffer = new byte[SizeFor(Pool)];
    }

    public void Close()
    {
        if (_closed) return;
        _closed = true;
        Loop.Unregister(this);
        Native.close(Fd);
        Pool.ConnectionClosed();
        if (Pool.MaxConnections > 0) Loop.CountOpen(Pool, -1);
    }

    public override void Abort(string reason)
    {
        if (Owner is { } owner) owner.Abort(reason);
        Close();
    }
}
