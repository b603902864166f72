using System.Net;
using System.Runtime.InteropServices;
using Causeway.DataPlane.Transports.Http1.EventLoop;

namespace Causeway.DataPlane.Upstream.Health;

/// <summary>
/// The connect-only TCP probes of one <see cref="ActiveHealthChecker"/>, made with the system calls the event loop uses
/// (Linux x86-64/arm64, <see cref="Native.IsSupported"/>): each probe is a non-blocking <c>connect</c>; on every tick of
/// the checker one <c>poll</c> collects the outcome of all probes in flight (no epoll registration, no task, no
/// exception, no thread woken per probe), and a probe is closed with a reset once known (Envoy aborts its connect-only
/// probes the same way: no FIN exchange, no TIME_WAIT per probe). A probe still unanswered at its deadline fails.
/// Endpoints with DNS names are not probed here (they resolve on each probe, in the checker's own code).
/// All members are called under the checker's tick, never concurrently (<see cref="Dispose"/> takes the same lock).
/// </summary>
internal sealed unsafe class ConnectProber : IDisposable
{
    private readonly ActiveHealthChecker _owner;
    private readonly SocketAddress?[] _addresses;
    private readonly int[] _family;
    private readonly int[] _fd;
    private readonly long[] _deadline;
    private readonly Native.PollFd[] _polls;
    private readonly int[] _pollIndex;
    private readonly Lock _lock = new();
    private int _inFlight;
    private bool _disposed;

    public ConnectProber(ActiveHealthChecker owner, IReadOnlyList<EndPoint?> endpoints)
    {
        _owner = owner;
        var n = endpoints.Count;
        _addresses = new SocketAddress?[n];
        _family = new int[n];
        _fd = new int[n];
        _deadline = new long[n];
        _polls = new Native.PollFd[n];
        _pollIndex = new int[n];
        Array.Fill(_fd, -1);
        for (var i = 0; i < n; i++)
        {
            if (endpoints[i] is not { } endPoint) continue;
            _addresses[i] = endPoint.Serialize();
            _family[i] = Native.Family(endPoint.AddressFamily);
        }
    }

    public static bool IsSupported => Native.IsSupported;

    /// <summary>Whether endpoint <paramref name="index"/> is probed here.</summary>
    public bool Handles(int index) => _addresses[index] is not null;

    /// <summary>Starts a probe of endpoint <paramref name="index"/> that fails if not answered by <paramref name="deadline"/>.</summary>
    public void Start(int index, long deadline)
    {
        lock (_lock)
        {
            if (_disposed) return;
            var fd = Native.socket(_family[index], Native.SockStream | Native.SockNonBlock | Native.SockCloExec, 0);
            if (fd < 0)
            {
                _owner.Complete(index, ActiveHealthChecker.Outcome.Failed); // out of descriptors: try again next interval
                return;
            }
            int rc;
            fixed (byte* p = _addresses[index]!.Buffer.Span) rc = Native.connect(fd, p, _addresses[index]!.Size);
            if (rc == 0)
            {
                Finish(index, fd, true); // Unix sockets connect at once
                return;
            }
            if (Marshal.GetLastPInvokeError() != Native.EInProgress)
            {
                Finish(index, fd, false); // refused at once, or a Unix socket's full backlog (EAGAIN)
                return;
            }
            _fd[index] = fd;
            _deadline[index] = deadline;
            _inFlight++;
        }
    }

    /// <summary>Collects the outcomes of the probes in flight (one <c>poll</c>); fails those past their deadline.</summary>
    public void Collect(long now)
    {
        lock (_lock)
        {
            if (_inFlight == 0 || _disposed) return;
            var n = 0;
            for (var i = 0; i < _fd.Length; i++)
            {
                if (_fd[i] < 0) continue;
                _polls[n] = new Native.PollFd { Fd = _fd[i], Events = Native.PollOut };
                _pollIndex[n++] = i;
            }
            fixed (Native.PollFd* polls = _polls)
            {
                if (Native.poll(polls, (nuint)n, 0) < 0) return; // EINTR: next tick
            }
            for (var k = 0; k < n; k++)
            {
                var i = _pollIndex[k];
                var fd = _fd[i];
                var revents = _polls[k].Revents;
                if (revents != 0)
                {
                    int error = 0, length = sizeof(int);
                    var failed = Native.getsockopt(fd, Native.SolSocket, Native.SoError, &error, &length) != 0 || error != 0
                        || (revents & (Native.PollErr | Native.PollHup)) != 0;
                    Release(i);
                    Finish(i, fd, !failed);
                }
                else if (now >= _deadline[i])
                {
                    Release(i);
                    Finish(i, fd, false); // the timeout
                }
            }
        }
    }

    private void Release(int index)
    {
        _fd[index] = -1;
        _inFlight--;
    }

    private void Finish(int index, int fd, bool connected)
    {
        Native.Abort(fd);
        _owner.Complete(index, connected ? ActiveHealthChecker.Outcome.Healthy : ActiveHealthChecker.Outcome.Failed);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            for (var i = 0; i < _fd.Length; i++)
            {
                if (_fd[i] < 0) continue;
                Native.Abort(_fd[i]);
                _fd[i] = -1;
            }
            _inFlight = 0;
        }
    }
}
