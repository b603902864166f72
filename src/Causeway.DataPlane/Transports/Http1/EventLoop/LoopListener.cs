using Causeway.DataPlane.Tls.Fingerprints;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// An HTTP or HTTPS port served by the event loops: Kestrel's listener for the port (it binds through
/// <see cref="LoopTransportFactory"/>), whose socket every loop accepts from (EPOLLEXCLUSIVE: one loop wakes per
/// connection). Kestrel accepts only the connections the loops hand off, with the bytes they already read in front.
/// </summary>
internal sealed class LoopListener : IConnectionListener
{
    private readonly Socket _socket;
    private readonly LoopGroup _group;
    private readonly Channel<ConnectionContext> _handedOff = Channel.CreateUnbounded<ConnectionContext>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly object _lock = new();
    private Task? _unbound;
    private volatile bool _stopped;
    private int _active;

    private LoopListener(Socket socket, LoopGroup group, ICompiledPortSource port)
    {
        _socket = socket;
        _group = group;
        Port = port;
        EndPoint = socket.LocalEndPoint!;
    }

    public EndPoint EndPoint { get; }
    public ICompiledPortSource Port { get; }
    public int Fd => (int)_socket.SafeHandle.DangerousGetHandle();

    /// <summary>The port is HTTPS: connections start with the loop's TLS (<see cref="LoopConnection"/>'s Hello state).</summary>
    public bool Tls => Port.Current.IsHttps;

    /// <summary>Client connections the loops serve right now.</summary>
    public int Active => Volatile.Read(ref _active);

    public static LoopListener Bind(IPEndPoint endpoint, LoopGroup group, ICompiledPortSource port)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(1024);
            socket.Blocking = false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var listener = new LoopListener(socket, group, port);
        foreach (var loop in group.Loops) loop.Post(() => loop.Register(new Acceptor(loop, listener), Native.EpollIn | Native.EpollExclusive));
        return listener;
    }

    /// <summary>Counts an accepted connection; false (not counted: close it) when the port's connection limit is reached.</summary>
    internal bool TryConnectionOpened()
    {
        if (!Port.Connections.TryOpen(Port.Current.Ir.Connection?.ConnectionLimit)) return false;
        Interlocked.Increment(ref _active);
        return true;
    }

    internal void ConnectionClosed()
    {
        Interlocked.Decrement(ref _active);
        Port.Connections.Closed();
    }

    /// <summary>
    /// Closes a connection accepted over the port's connection limit: after the policy's close delay (the descriptor
    /// is in no epoll set, nothing is read from it), else now.
    /// </summary>
    internal void CloseOverLimit(int fd)
    {
        if (Port.Current.Ir.Connection?.ConnectionLimitCloseDelay is { } delay && delay > TimeSpan.Zero)
            _ = Task.Delay(delay).ContinueWith(_ => Native.close(fd), TaskScheduler.Default);
        else Native.close(fd);
    }

    internal void CountHandOff(string reason) => _group.Owner.CountLoopHandOff(reason);

    /// <summary>
    /// Gives Kestrel a connection the loop read <paramref name="prefix"/> from (called on the loop thread after the
    /// descriptor left the loop's epoll set). Closed instead when the port no longer accepts.
    /// </summary>
    internal void HandOff(int fd, byte[] prefix, EndPoint? proxied = null, TlsFingerprintFeature? fingerprints = null) =>
        Give(fd, prefix, decrypted: false, fingerprints, context =>
        {
            if (proxied is not null) context.RemoteEndPoint = proxied; // the source of the PROXY header the loop read
        });

    /// <summary>
    /// Gives Kestrel a TLS connection the loop terminated, decrypted: <paramref name="fd"/> is Kestrel's end of the
    /// socket pair the loop pumps, <paramref name="prefix"/> the plaintext already read. Kestrel's HTTPS middleware is
    /// skipped for it (<see cref="HandOffConnection.Decrypted"/>); <paramref name="tls"/> stands in for its features.
    /// </summary>
    internal void HandOffDecrypted(int fd, byte[] prefix, EndPoint? remote, LoopTlsFeatures tls, TlsFingerprintFeature? fingerprints, EndPoint? local = null) =>
        Give(fd, prefix, decrypted: true, fingerprints, context =>
        {
            context.RemoteEndPoint = remote;
            context.LocalEndPoint = local ?? EndPoint; // the client connection's own address (the port may be bound to any)
            context.Features.Set<Microsoft.AspNetCore.Http.Features.ITlsConnectionFeature>(tls);
            context.Features.Set<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>(tls);
            context.Features.Set<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature>(tls);
            context.Features.Set(tls);
        });

    /// <summary>Kestrel's socket connection over <paramref name="fd"/>, queued for its accept loop (counted by Kestrel from here).</summary>
    private void Give(int fd, byte[] prefix, bool decrypted, TlsFingerprintFeature? fingerprints, Action<ConnectionContext> configure)
    {
        ConnectionClosed();
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            Native.close(fd);
            return;
        }
        var context = _group.Owner.Pools.Factory.Create(socket);
        configure(context);
        if (fingerprints is not null) context.Features.Set(fingerprints);
        if (_handedOff.Writer.TryWrite(new HandOffConnection(context, prefix) { Decrypted = decrypted })) return;
        context.Abort();
        _ = context.DisposeAsync().AsTask();
    }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _handedOff.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Stops accepting: every loop drops the listening socket, then it is closed. Idempotent.</summary>
    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        Task unbound;
        lock (_lock) unbound = _unbound ??= UnbindCoreAsync();
        return new ValueTask(unbound);
    }

    private async Task UnbindCoreAsync()
    {
        _stopped = true;
        var removed = _group.Loops.Select(loop =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            loop.Post(() =>
            {
                lock (_lock) // not while the socket is being closed by a wait that gave up on this loop
                {
                    foreach (var a in loop.Handlers<Acceptor>())
                    {
                        if (!ReferenceEquals(a.Listener, this)) continue;
                        // Closed already (this loop answered late): the kernel dropped it from the epoll set, and its
                        // number may belong to another socket now, so only the table entry goes.
                        if (_socketClosed) loop.Forget(a);
                        else loop.Unregister(a);
                    }
                }
                done.TrySetResult();
            });
            return done.Task;
        }).ToArray();
        try
        {
            await Task.WhenAll(removed).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A loop is busy or stopping: close anyway, so the address is free for whatever binds it next.
        }
        lock (_lock)
        {
            _socketClosed = true;
            _socket.Dispose();
        }
        _handedOff.Writer.TryComplete();
    }

    private volatile bool _socketClosed;

    /// <summary>
    /// Graceful stop of the loops' connections: stop accepting, close idle ones now and busy ones after their response;
    /// whatever is left when <paramref name="ct"/> fires is closed.
    /// </summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        try
        {
            await UnbindAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Not thrown any more (UnbindCoreAsync closes the socket after its wait); kept for callers' safety.
        }
        ForEachConnection(static c => c.RequestClose());
        try
        {
            while (Active > 0) await Task.Delay(10, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ForEachConnection(static c => c.Abort("drain timeout"));
        }
    }

    private void ForEachConnection(Action<LoopConnection> action)
    {
        foreach (var loop in _group.Loops)
        {
            loop.Post(() =>
            {
                foreach (var c in loop.Handlers<LoopConnection>())
                {
                    if (ReferenceEquals(c.Listener, this)) action(c);
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await UnbindAsync().ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _socket.Dispose();
            _handedOff.Writer.TryComplete();
        }
    }

    /// <summary>Accepts on one loop: level-triggered, a bounded batch per wake-up.</summary>
    private sealed unsafe class Acceptor(Loop loop, LoopListener listener) : LoopHandler(loop, listener.Fd)
    {
        public LoopListener Listener { get; } = listener;

        public override void OnEvents(uint events)
        {
            // TLS ports take one connection per wake-up (nginx: multi_accept off): a batch of accepts queued every
            // handshake behind it and doubled the tail latency of new connections (bench/RESULTS.md, stop 22).
            var batch = Listener.Tls ? 1 : 64;
            for (var i = 0; i < batch; i++)
            {
                var address = new SocketAddress(AddressFamily.InterNetworkV6); // room for either family
                var length = address.Buffer.Length;
                int fd;
                fixed (byte* p = address.Buffer.Span) fd = Native.accept4(Fd, p, &length, Native.SockNonBlock | Native.SockCloExec);
                if (fd < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Native.EIntr) continue;
                    if (errno is Native.EMFile or Native.ENFile or Native.ENoBufs or Native.ENoMem) PauseAccepting();
                    return; // EAGAIN: another loop took it
                }
                var one = 1;
                Native.setsockopt(fd, Native.IpProtoTcp, Native.TcpNoDelay, &one, sizeof(int));
                if (Listener.Port.Current.Connection?.SocketBuffer is { } socketBuffer)
                    Policies.ClientTraffic.Connection.ClientSocketBuffers.Apply(fd, socketBuffer, Loop.Options.ClientSocketBuffersSet);
                address.Size = length;
                if (!Listener.TryConnectionOpened())
                {
                    Listener.CloseOverLimit(fd);
                    continue;
                }
                var remote = ClientEndPoint(address);
                var ipBytes = remote is null ? null : ForwardedHeaders.ClientAddressBytes(remote.Address);
                var c = new LoopConnection(Loop, Listener, fd, ipBytes, remote);
                if (!Loop.Register(c, Native.EpollIn | Native.EpollOut | Native.EpollRdHup | Native.EpollEt))
                {
                    Listener.ConnectionClosed();
                    Native.close(fd);
                }
            }
        }

        /// <summary>The address of an accepted peer (IPv4-mapped IPv6 as IPv4, as X-Forwarded-For writes it), or null.</summary>
        private static IPEndPoint? ClientEndPoint(SocketAddress address)
        {
            var any = address.Family switch
            {
                AddressFamily.InterNetwork => IPAddress.Any,
                AddressFamily.InterNetworkV6 => IPAddress.IPv6Any,
                _ => null,
            };
            if (any is null) return null;
            var ep = (IPEndPoint)new IPEndPoint(any, 0).Create(address);
            return ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
        }

        /// <summary>
        /// Out of descriptors or memory: the listening socket stays readable, so leave the epoll set for 100 ms rather
        /// than spin (pending connections wait in the backlog meanwhile).
        /// </summary>
        private void PauseAccepting()
        {
            Loop.Unregister(this);
            _ = Task.Delay(100).ContinueWith(_ => Loop.Post(() =>
            {
                if (!Listener._stopped) Loop.Register(this, Native.EpollIn | Native.EpollExclusive);
            }), TaskScheduler.Default);
        }

        public override void Abort(string reason) => Loop.Unregister(this);
    }
}
