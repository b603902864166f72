namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// What one HTTP exchange came to, handed by every transport to the one completion hook
/// (<see cref="IExchangeObserver"/>) when the response is done or the exchange was cut: the seam that metrics, the
/// access log and spans record from. A struct passed by reference: nothing is allocated per request.
/// </summary>
internal readonly record struct ExchangeSummary
{
    /// <summary>Which transport served it.</summary>
    public TransportSet Transport { get; init; }

    /// <summary>The listener (or the port's "no listener" stats) the request was counted in flight on; null if never.</summary>
    public ListenerStats? Listener { get; init; }

    /// <summary>The matched route; null when no route matched (404, 421) or the request was refused first.</summary>
    public CompiledMatch? Match { get; init; }

    /// <summary>The plan target (index into the plan's targets) the request went to; -1 when none.</summary>
    public int TargetIndex { get; init; }

    public HttpMethodId Method { get; init; }

    /// <summary>The status the client got (the backend's, or the gateway's own reply).</summary>
    public int Status { get; init; }

    /// <summary>The gateway answered itself (redirect, direct response, preflight, 4xx/5xx of its own).</summary>
    public bool LocalReply { get; init; }

    /// <summary>The exchange was cut (client gone, backend failed after the response started).</summary>
    public bool Aborted { get; init; }

    /// <summary>When the request head was complete (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long StartTimestamp { get; init; }

    public long EndTimestamp { get; init; }

    /// <summary>The backend of the last upstream attempt, and when it started and ended (0: no upstream exchange).</summary>
    public BackendRuntime? Backend { get; init; }

    public long UpstreamStart { get; init; }
    public long UpstreamEnd { get; init; }

    /// <summary>How the last upstream attempt failed, if it did.</summary>
    public UpstreamFailure? Failure { get; init; }

    /// <summary>The transport's view of the request for the access log (read during the hook only).</summary>
    public IExchangeDetails? Details { get; init; }

    /// <summary>The trace of a sampled request (default: not traced), for the access log's <c>trace_id</c>.</summary>
    public System.Diagnostics.ActivityTraceId TraceId { get; init; }

    /// <summary>The SERVER span of a sampled request (null: not traced); ended by the completion hook.</summary>
    public System.Diagnostics.Activity? ServerSpan { get; init; }

    /// <summary>The CLIENT span of the last upstream attempt (earlier attempts ended when they were retried).</summary>
    public System.Diagnostics.Activity? ClientSpan { get; init; }
}

/// <summary>The one completion hook every transport calls once per exchange.</summary>
internal interface IExchangeObserver
{
    void OnExchangeCompleted(in ExchangeSummary summary);
}
