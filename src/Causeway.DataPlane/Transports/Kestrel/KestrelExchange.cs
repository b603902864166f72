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

    /// <summary>The tracer of a sampled request, its SERVER span and the CLIENT span of the current upstream attempt.</summary>
    public Telemetry.Tracing.GatewayTracer? Tracer { get; set; }
    public System.Diagnostics.Activity? ServerSpan { get; set; }
    public System.Diagnostics.Activity? ClientSpan { get; set; }

    /// <summary>Upstream attempts so far (each has its CLIENT span).</summary>
    public int Attempts { get; set; }

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
        TraceId = ServerSpan?.TraceId ?? default,
        ServerSpan = ServerSpan,
        ClientSpan = ClientSpan,
    };
}
