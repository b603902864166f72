using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Upstream.Health;

/// <summary>
/// Passive health (outlier detection) of one backend endpoint: its consecutive 5xx, gateway errors (502/503/504) and
/// local-origin failures (connect failures), and when its ejection ends. Kept in the <see cref="StateStore"/> by
/// policy, backend, endpoint and settings, so an ejection survives reloads that do not change them. Times are
/// <see cref="Environment.TickCount64"/> milliseconds.
/// </summary>
internal sealed class EndpointHealth
{
    /// <summary>Envoy's default <c>maxEjectionTime</c>: an ejection never lasts longer.</summary>
    private static readonly TimeSpan MaxEjection = TimeSpan.FromSeconds(300);

    private readonly Lock _lock = new();
    private int _consecutive5xx;
    private int _consecutiveGateway;
    private int _consecutiveLocal;
    private int _ejections;
    private long _ejectedUntil;
    private int _dirty;

    public bool IsEjected(long now) => Volatile.Read(ref _ejectedUntil) > now;

    /// <summary>How many times the endpoint has been ejected (decaying by one per healthy interval).</summary>
    public int Ejections
    {
        get
        {
            lock (_lock) return _ejections;
        }
    }

    /// <summary>
    /// Counts one exchange's outcome; returns whether a threshold of <paramref name="ir"/> was reached (the caller
    /// decides whether the endpoint may be ejected, then calls <see cref="Eject"/>).
    /// </summary>
    public bool Record(PassiveHealthIr ir, int status, bool localOrigin)
    {
        var error = localOrigin || status >= 500;
        if (!error && Volatile.Read(ref _dirty) == 0) return false; // the common case: healthy and nothing to reset
        lock (_lock)
        {
            if (localOrigin && ir.SplitExternalLocalOriginErrors)
            {
                _consecutiveLocal++;
            }
            else if (error)
            {
                if (localOrigin) status = 503; // not split: a connect failure counts as the 503 the client gets
                _consecutiveLocal = 0;
                _consecutive5xx++;
                if (status is 502 or 503 or 504) _consecutiveGateway++;
                else _consecutiveGateway = 0;
            }
            else
            {
                _consecutive5xx = 0;
                _consecutiveGateway = 0;
                _consecutiveLocal = 0;
            }
            Volatile.Write(ref _dirty, _consecutive5xx + _consecutiveGateway + _consecutiveLocal > 0 ? 1 : 0);
            return Reached(_consecutive5xx, ir.Consecutive5xxErrors)
                || Reached(_consecutiveGateway, ir.ConsecutiveGatewayErrors)
                || Reached(_consecutiveLocal, ir.SplitExternalLocalOriginErrors ? ir.ConsecutiveLocalOriginFailures : null);
        }
    }

    private static bool Reached(int count, int? limit) => limit is > 0 && count >= limit.Value;

    /// <summary>
    /// Ejects the endpoint for the base time times its ejections (the count decays by one per <c>interval</c> it
    /// stayed healthy since the last ejection ended, as Envoy's multiplier does), at most 300s; resets its counters.
    /// </summary>
    public void Eject(PassiveHealthIr ir, long now)
    {
        lock (_lock)
        {
            if (_ejectedUntil > now) return;
            if (_ejections > 0 && _ejectedUntil > 0 && ir.Interval > TimeSpan.Zero)
            {
                var healthyIntervals = (now - _ejectedUntil) / (long)Math.Max(1, ir.Interval.TotalMilliseconds);
                _ejections = (int)Math.Max(0, _ejections - healthyIntervals);
            }
            _ejections++;
            var duration = Math.Min(ir.BaseEjectionTime.TotalMilliseconds * _ejections, MaxEjection.TotalMilliseconds);
            Volatile.Write(ref _ejectedUntil, now + (long)duration);
            _consecutive5xx = 0;
            _consecutiveGateway = 0;
            _consecutiveLocal = 0;
            Volatile.Write(ref _dirty, 0);
        }
    }
}
