using Causeway.DataPlane.Tls.Fingerprints;
namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>
/// What the Kestrel transport knows about one exchange for the completion hook (kept in the request's features):
/// the route, the listener it is counted in flight on, the target and the last upstream attempt.
/// </summary>
internal sealed class KestrelExchange : IExchangeDetails
{
    /// <summary>The request body was read into memory already (a policy's request buffer).</summary>
    public bool BodyBuffered { get; set; }

    /// <summary>
    /// The Host the target's URL rewrite chose, decided on the request as the client sent it (before the request
    /// header steps edit the headers in place, as the byte transports decide it); null: the client's Host.
    /// </summary>
    public string? RewrittenHost { get; set; }

    /// <summary>The response body being compressed (a policy's compressor), ended after the forwarder is done.</summary>
    public Policies.Compression.CompressingBody? Compressing { get; set; }

    private readonly Microsoft.AspNetCore.Http.HttpContext _context;

    public KestrelExchange(Microsoft.AspNetCore.Http.HttpContext context, long start, HttpMethodId method, ListenerStats listener)
    {
        _context = context;
        Start = start;
        Method = method;
        Listener = listener;
        listener.Enter();
    }

    public long Start { get; }
    public HttpMethodId Method { get; }
    public ListenerStats Listener { get; }
    public CompiledMatch? Match { get; set; }

    /// <summary>The listener's port as the plan's decisions saw it (0 until the request is routed).</summary>
    public int ListenerPort { get; set; }
    public int TargetIndex { get; set; } = -1;
    public BackendRuntime? Backend { get; set; }
    public long UpstreamStart { get; set; }
    public long UpstreamEnd { get; set; }
    public bool LocalReply { get; set; }
    public UpstreamFailure? Failure { get; set; }
    public string? UpstreamHost { get; set; }

    string IExchangeDetails.Method => _context.Request.Method;
    string IExchangeDetails.Path => _context.Request.Path.ToUriComponent() + _context.Request.QueryString.ToUriComponent();
    string IExchangeDetails.Authority => _context.Request.Host.Value ?? "";
    string IExchangeDetails.Protocol => _context.Request.Protocol;

    string? IExchangeDetails.RequestHeader(string name) =>
        _context.Request.Headers.TryGetValue(name, out var v) && v.Count > 0 ? v.ToString() : null;

    long IExchangeDetails.BytesReceived => _context.Request.ContentLength ?? 0;
    long IExchangeDetails.BytesSent => _context.Response.ContentLength ?? 0;
    string? IExchangeDetails.RemoteAddress => Policy?.Detected?.ToString() ?? (_context.Connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, _context.Connection.RemotePort).ToString() : null);
    string? IExchangeDetails.LocalAddress => _context.Connection.LocalIpAddress is { } local ? new System.Net.IPEndPoint(local, _context.Connection.LocalPort).ToString() : null;
    string? IExchangeDetails.ServerName => _context.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>()?.HostName;
    string? IExchangeDetails.TlsJa3 => _context.Features.Get<TlsFingerprintFeature>()?.Ja3;
    string? IExchangeDetails.TlsJa4 => _context.Features.Get<TlsFingerprintFeature>()?.Ja4;

    /// <summary>The tracer of a sampled request, its SERVER span and the CLIENT span of the current upstream attempt.</summary>
    public Telemetry.Tracing.GatewayTracer? Tracer { get; set; }
    public System.Diagnostics.Activity? ServerSpan { get; set; }
    public System.Diagnostics.Activity? ClientSpan { get; set; }

    /// <summary>Upstream attempts so far (each has its CLIENT span).</summary>
    public int Attempts { get; set; }

    /// <summary>The port's <c>requestReceivedTimeout</c> over this request's body (null: none, or no body).</summary>
    public Policies.ClientTraffic.Connection.RequestBodyDeadline? BodyDeadline { get; set; }

    /// <summary>The listener's ClientTrafficPolicy, or null.</summary>
    public Policies.ClientTraffic.ListenerClientPolicy? ClientPolicy { get; init; }

    /// <summary>The policy steps' state, made only for plans whose steps use it (or when the listener has a ClientTrafficPolicy).</summary>
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
        Failure = Failure,
        Details = this,
        TraceId = ServerSpan?.TraceId ?? default,
        ServerSpan = ServerSpan,
        ClientSpan = ClientSpan,
    };
}
