namespace Causeway.DataPlane.Upstream.Balancing;

/// <summary>
/// When each endpoint of a backend joined, as a policy's slow start sees it (BackendTrafficPolicy
/// <c>loadBalancer.slowStart</c>): kept in the <see cref="State.StateStore"/> by policy and backend across applies, so an
/// endpoint an EndpointSlice adds starts its warm-up then. The endpoints of the first apply are not new (they take
/// their full share at once); an endpoint that leaves and comes back starts again.
/// </summary>
internal sealed class SlowStartClock
{
    private readonly Dictionary<string, long> _joined = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _seen;

    /// <summary>The <see cref="Environment.TickCount64"/> each of <paramref name="endpoints"/> joined at (long.MinValue: from the start).</summary>
    public long[] Joined(IReadOnlyList<string> endpoints)
    {
        var now = Environment.TickCount64;
        lock (_lock)
        {
            var result = new long[endpoints.Count];
            for (var i = 0; i < endpoints.Count; i++)
            {
                if (!_joined.TryGetValue(endpoints[i], out var at)) _joined[endpoints[i]] = at = _seen ? now : long.MinValue;
                result[i] = at;
            }
            if (_joined.Count > endpoints.Count)
            {
                var current = endpoints.ToHashSet(StringComparer.Ordinal);
                foreach (var gone in _joined.Keys.Where(k => !current.Contains(k)).ToList()) _joined.Remove(gone);
            }
            _seen = true;
            return result;
        }
    }
}
