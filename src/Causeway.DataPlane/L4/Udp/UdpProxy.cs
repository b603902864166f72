using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.L4.Udp;

/// <summary>
/// A UDP port: one receive loop on the listener socket, one session per client address with its own connected
/// upstream socket (so replies can be told apart), replies sent back from the listener socket. Sessions expire when
/// idle; the table is bounded and datagrams of new clients are dropped while it is full.
/// </summary>
internal sealed class UdpProxy : IAsyncDisposable
{
    private const int MaxDatagram = 65536;

    private readonly Socket _listener;
    private readonly Func<L4RouteTable> _table;
    private readonly L4ServerOptions _options;
    private readonly L4Metrics _metrics;
    private readonly ILogger _logger;
    private readonly Dictionary<SocketAddress, UdpSession> _sessions = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sweepLoop = Task.CompletedTask;
    private int _disposed;

    public UdpProxy(Socket listener, Func<L4RouteTable> table, L4ServerOptions options, L4Metrics metrics, ILogger logger,
        CancellationToken ct)
    {
        _listener = listener;
        _table = table;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public int SessionCount
    {
        get { lock (_gate) return _sessions.Count; }
    }

    public void Start()
    {
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(_stop.Token));
        _sweepLoop = Task.Run(() => SweepLoopAsync(_stop.Token));
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
        var from = new SocketAddress(_listener.AddressFamily);
        var fullSize = from.Size;
        while (!ct.IsCancellationRequested)
        {
            int n;
            from.Size = fullSize;
            try
            {
                n = await _listener.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP errors for earlier replies, oversized datagrams: not fatal for the port.
                if (ct.IsCancellationRequested) return;
                _logger.LogDebug("UDP receive on port {Port}: {Error}", _table().Port.Port, e.SocketErrorCode);
                continue;
            }

            UdpSession? session;
            lock (_gate) _sessions.TryGetValue(from, out session);
            session ??= await CreateSessionAsync(from, ct).ConfigureAwait(false);
            if (session is null)
            {
                _metrics.UdpDatagramDropped();
                continue;
            }
            session.Touch();
            _metrics.UdpDatagramFromClient(n);
            try
            {
                await session.Upstream.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                _metrics.UdpDatagramDropped();
                _logger.LogDebug("UDP send to {Backend} failed: {Error}", session.BackendEndPoint, e.SocketErrorCode);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                if (ct.IsCancellationRequested) return;
            }
        }
    }

    private async Task<UdpSession?> CreateSessionAsync(SocketAddress from, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_sessions.Count >= _options.UdpMaxSessions)
            {
                RemoveExpiredLocked(Environment.TickCount64, out var removed);
                DisposeAll(removed);
                if (_sessions.Count >= _options.UdpMaxSessions) return null;
            }
        }
        var table = _table();
        var route = table.FirstRoute();
        if (route is null) return null;
        var backend = table.ChooseBackend(route, out var refusal);
        if (backend is null)
        {
            _logger.LogDebug("UDP datagram on port {Port} refused: {Reason}", table.Port.Port, refusal);
            return null;
        }
        // With a BackendTrafficPolicy its balancer picks the session's endpoint (source-IP hashing keeps a client on one).
        var balancer = table.Policy(route, backend)?.Balancer;
        var index = balancer?.PickConnection(ClientAddress(from)) ?? -1;
        var endpoint = index >= 0 ? backend.Endpoints[index] : table.NextEndpoint(backend);
        IPEndPoint? target;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.ConnectTimeout);
            target = await EndpointResolver.ResolveAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            target = null;
        }
        if (target is null)
        {
            if (index >= 0) balancer!.Release(index);
            return null;
        }

        var upstream = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            upstream.Connect(target);
        }
        catch (SocketException e)
        {
            upstream.Dispose();
            if (index >= 0) balancer!.Release(index);
            _logger.LogDebug("UDP upstream {Backend} unusable: {Error}", target, e.SocketErrorCode);
            return null;
        }
        var key = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(key.Buffer.Span);
        var session = new UdpSession(key, upstream, target, backend.Id, _stop.Token);
        if (index >= 0) session.Released = () => balancer!.Release(index);
        lock (_gate) _sessions[key] = session;
        _metrics.UdpSessionCreated();
        session.Completion = Task.Run(() => UpstreamLoopAsync(session), CancellationToken.None);
        return session;
    }

    private static IPAddress? ClientAddress(SocketAddress from)
    {
        try
        {
            var template = from.Family == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
            var address = ((IPEndPoint)template.Create(from)).Address;
            return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException)
        {
            return null;
        }
    }

    private async Task UpstreamLoopAsync(UdpSession session)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        var ct = session.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var n = await session.Upstream.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct).ConfigureAwait(false);
                session.Touch();
                await _listener.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, session.Client, ct).ConfigureAwait(false);
                _metrics.UdpDatagramToClient(n);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset
                                                or SocketError.MessageSize or SocketError.NoBufferSpaceAvailable)
            {
                // The backend's port is closed (ICMP) or a datagram did not fit: keep the session until it idles out.
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
        }
    }

    private async Task SweepLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(L4ServerOptions.SweepPeriod(_options.UdpIdleTimeout));
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                List<UdpSession>? removed;
                lock (_gate) RemoveExpiredLocked(Environment.TickCount64, out removed);
                DisposeAll(removed);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void RemoveExpiredLocked(long now, out List<UdpSession>? removed)
    {
        removed = null;
        var idleMs = (long)_options.UdpIdleTimeout.TotalMilliseconds;
        foreach (var (key, session) in _sessions)
        {
            if (now - session.LastActivity < idleMs) continue;
            (removed ??= []).Add(session);
        }
        if (removed is null) return;
        foreach (var session in removed) _sessions.Remove(session.Client);
    }

    private void DisposeAll(List<UdpSession>? removed)
    {
        if (removed is null) return;
        foreach (var session in removed)
        {
            session.Dispose();
            _metrics.UdpSessionRemoved(expired: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _listener.Dispose();
        List<UdpSession> sessions;
        lock (_gate)
        {
            sessions = [.. _sessions.Values];
            _sessions.Clear();
        }
        foreach (var session in sessions)
        {
            session.Dispose();
            _metrics.UdpSessionRemoved(expired: false);
        }
        var all = new List<Task>(sessions.Count + 2) { _receiveLoop, _sweepLoop };
        foreach (var session in sessions) all.Add(session.Completion);
        await Task.WhenAll(all).WaitAsync(_options.DisposeTimeout, CancellationToken.None)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
