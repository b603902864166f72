namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>
/// What the Kestrel transport knows about one exchange for the completion hook (kept in the request's features):
/// the route, the listener it is counted in flight on, the target and the last upstream attempt.
/// </summary>
internal sealed class KestrelExchange
{
    public KestrelExchange(long start, HttpMethodId method, ListenerStats listener)
    {
        Start = start;
        Method = method;
        Listener = listener;
        listener.Enter();
    }

    public long Start { get; }
    public HttpMethodId Method { get; }
    public ListenerStats Listener { get; }
    public CompiledMatch? Match { get; set; }
    public int TargetIndex { get; set; } = -1;
    public BackendRuntime? Backend { get; set; }
    public long UpstreamStart { get; set; }
    public long UpstreamEnd { get; set; }
    public bool LocalReply { get; set; }

    /// <summary>The policy steps' state, made only for plans whose steps use it.</summary>
    public RequestPolicyState? Policy { get; set; }

    public ExchangeSummary Summary(int status, bool aborted) => new()
    {
        Transport = TransportSet.Kestrel,
        Listener = Listener,
        Match = Match,
        TargetIndex = TargetIndex,
        Method = Method,
        Status = status,
        LocalReply = LocalReply,
        Aborted = aborted,
        StartTimestamp = Start,
        EndTimestamp = System.Diagnostics.Stopwatch.GetTimestamp(),
        Backend = UpstreamStart == 0 ? null : Backend,
        UpstreamStart = UpstreamStart,
        UpstreamEnd = UpstreamEnd,
    };
}
