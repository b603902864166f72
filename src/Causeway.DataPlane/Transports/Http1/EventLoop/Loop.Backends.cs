namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>This loop's idle keep-alive backend connections, per endpoint pool, most recent first.</summary>
internal sealed partial class Loop
{
    private readonly Dictionary<Http1EndpointPool, List<LoopBackend>> _idle = [];
    private readonly Dictionary<Http1EndpointPool, int> _open = [];

    /// <summary>
    /// Connections (busy or idle) this loop has open to <paramref name="pool"/>'s endpoint; counted only for pools under
    /// <c>circuitBreaker.perEndpoint.maxConnections</c>.
    /// </summary>
    public int OpenTo(Http1EndpointPool pool) => _open.GetValueOrDefault(pool);

    /// <summary>A connection of this loop to a capped pool opened (+1) or closed (-1).</summary>
    public void CountOpen(Http1EndpointPool pool, int delta)
    {
        var n = _open.GetValueOrDefault(pool) + delta;
        if (n <= 0) _open.Remove(pool);
        else _open[pool] = n;
    }

    /// <summary>An idle connection to <paramref name="pool"/>'s endpoint, or null.</summary>
    public LoopBackend? RentBackend(Http1EndpointPool pool)
    {
        if (!_idle.TryGetValue(pool, out var list) || list.Count == 0) return null;
        var b = list[^1];
        list.RemoveAt(list.Count - 1);
        pool.LoopIdleChanged(-1);
        return b;
    }

    /// <summary>Keeps a backend connection after a complete keep-alive exchange (closes it when full or retired, or it served its requests).</summary>
    public void ReturnBackend(LoopBackend b)
    {
        var pool = b.Pool;
        if (pool.IsClosed || pool.Spent(b.Requests))
        {
            b.Close();
            return;
        }
        if (!_idle.TryGetValue(pool, out var list)) _idle[pool] = list = [];
        if (list.Count >= Options.Http1MaxIdleConnectionsPerEndpoint)
        {
            b.Close();
            return;
        }
        b.MakeIdle(Now);
        list.Add(b);
        pool.LoopIdleChanged(1);
    }

    /// <summary>An idle connection saw an event (the backend closed it, or sent something unasked): drop it.</summary>
    public void DropIdle(LoopBackend b)
    {
        if (_idle.TryGetValue(b.Pool, out var list) && list.Remove(b)) b.Pool.LoopIdleChanged(-1);
        b.Close();
    }

    private void SweepIdleBackends()
    {
        if (_idle.Count == 0) return;
        var idleMs = (long)Options.BackendPooledConnectionIdleTimeout.TotalMilliseconds;
        List<Http1EndpointPool>? retired = null;
        foreach (var (pool, list) in _idle)
        {
            var closed = pool.IsClosed;
            var n = 0;
            while (n < list.Count && (closed || Now - list[n].IdleSince >= idleMs)) n++;
            for (var i = 0; i < n; i++) list[i].Close();
            if (n > 0)
            {
                list.RemoveRange(0, n);
                pool.LoopIdleChanged(-n);
            }
            if (closed) (retired ??= []).Add(pool);
        }
        if (retired is null) return;
        foreach (var pool in retired) _idle.Remove(pool);
    }
}
