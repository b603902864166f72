using Causeway.DataPlane.Tls.Fingerprints;
using System.Text;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>What an HTTP/1.1 byte transport does with the request it just parsed.</summary>
internal enum Http1Decision
{
    /// <summary>Relay it to <see cref="Http1Exchange.Target"/> (the forwarded head is built next).</summary>
    Forward,

    /// <summary>Answer <see cref="Http1Exchange.Reply"/> (written with <see cref="Http1Exchange.WriteReply"/>).</summary>
    Reply,

    /// <summary>Hand the connection to the Kestrel pipeline (<see cref="Http1Exchange.HandOffReason"/> says why).</summary>
    HandOff,

    /// <summary>
    /// A decision waits on another service: await <see cref="Http1Exchange.Policy"/>'s pending task, then call
    /// <see cref="Http1Exchange.Resume"/> with its outcome (the request's bytes must stay where they are meanwhile).
    /// </summary>
    Pending,
}

/// <summary>
/// The transport-independent half of an HTTP/1.1 byte exchange, one per client connection and reused for each of its
/// requests: the parsed request head and the bytes it points into, routing and the route's plan (decisions, request
/// and response steps, run through the same <see cref="RoutePlan"/> as every transport), the head forwarded to the
/// backend, the parsed response head and the head written back, and the gateway's own replies.
/// <see cref="Relay.Http1Connection"/> (Kestrel connections) and <see cref="LoopConnection"/> (the event loop) do the
/// I/O around it, so both relay exactly the same bytes.
/// </summary>
internal sealed partial class Http1Exchange : IExchangeDetails, Policies.ResponseOverride.IOverrideRequest
{
    private readonly Http1FastPath _owner;
    private readonly TransportSet _transport;
    private readonly int _localPort;
    private readonly Http1EditState _requestEdits = new();
    private readonly Http1EditState _responseEdits = new();

    /// <param name="transport">Which byte transport this is (a plan that does not allow it is handed off).</param>
    /// <param name="tls">The connection is TLS (decrypted below): X-Forwarded-Proto https, SNI checked.</param>
    /// <param name="sni">The server name of the TLS handshake, if any.</param>
    /// <param name="localPort">The port the client connected to (for redirects on a listener bound to port 0).</param>
    public Http1Exchange(Http1FastPath owner, TransportSet transport, bool tls, string? sni, int localPort, int headBufferSize = 2048)
    {
        _owner = owner;
        _transport = transport;
        _localPort = localPort;
        Tls = tls;
        Sni = string.IsNullOrEmpty(sni) ? null : sni;
        HeadBuffer = new byte[headBufferSize];
    }

    public bool Tls { get; }
    /// <summary>The TLS server name; set once by a transport that reads the ClientHello itself (the event loop).</summary>
    public string? Sni { get; set; }

    /// <summary>The connection's JA3/JA4 fingerprints when its listener asks for them (ClientTrafficPolicy tls.fingerprints).</summary>
    public TlsFingerprintFeature? Fingerprints { get; set; }
    public Http1RequestHead Head { get; } = new();

    /// <summary>The policy steps' state of the current request (client address kept across requests).</summary>
    public RequestPolicyState Policy { get; } = new();

    /// <summary>The bytes <see cref="Head"/> points into (the head starts at offset 0).</summary>
    public byte[] HeadBuffer { get; private set; }

    /// <summary>The head forwarded to the backend (built by <see cref="BuildForwardedHead"/>).</summary>
    public ByteBuilder Forward { get; } = new();

    /// <summary>The response head (or reply) for the client.</summary>
    public ByteBuilder Response { get; } = new();

    public Http1ResponseHead ResponseHead { get; } = new();
    public byte[] ResponseBuffer { get; private set; } = new byte[2048];

    /// <summary>The routed request's plan (null before routing or when nothing matched).</summary>
    public RoutePlan? Plan { get; private set; }

    /// <summary>The target chosen for <see cref="Http1Decision.Forward"/>.</summary>
    public PlanTarget? Target { get; private set; }

    /// <summary>The reply chosen for <see cref="Http1Decision.Reply"/>.</summary>
    public LocalReply? Reply { get; private set; }

    /// <summary>Answers the routed request with <paramref name="reply"/> instead of what its decisions chose (a request timeout).</summary>
    public void SetReply(LocalReply reply) => Reply = reply;

    public string? HandOffReason { get; private set; }

    /// <summary>When the routed request's head was complete (Stopwatch ticks).</summary>
    public long StartTimestamp { get; private set; }

    /// <summary>The status written to the client for the current request (0 before a head went out).</summary>
    public int ResponseStatus { get; private set; }

    /// <summary>Whether the current request was answered by <see cref="WriteReply"/>.</summary>
    public bool RepliedLocally { get; private set; }

    /// <summary>The matched route (null: none matched).</summary>
    public CompiledMatch? Match { get; private set; }

    /// <summary>The listener the request is counted in flight on (null while not counted, e.g. handed off).</summary>
    public ListenerStats? Listener { get; private set; }

    public int TargetIndex { get; private set; } = -1;
    public HttpMethodId Method { get; private set; }
    public long UpstreamStart { get; private set; }
    public long UpstreamEnd { get; private set; }

    /// <summary>How the last upstream attempt failed (null: it did not).</summary>
    public UpstreamFailure? Failure { get; set; }

    /// <summary>The endpoint the last attempt went to.</summary>
    public System.Net.EndPoint? UpstreamEndPoint
    {
        get => _upstreamEndPoint;
        set
        {
            _upstreamEndPoint = value;
            _upstreamPool = null;
        }
    }

    /// <summary>The last attempt goes to <paramref name="pool"/>'s endpoint (whose text the access log then reuses).</summary>
    public void SetUpstream(Http1EndpointPool pool)
    {
        _upstreamEndPoint = pool.EndPoint;
        _upstreamPool = pool;
    }

    string? IExchangeDetails.UpstreamHost => UpstreamEndPoint?.ToString();

    /// <summary>Bytes written to the client for the current request (the transports add what they send).</summary>
    public long BytesSent { get; set; }

    /// <summary>The client's address and port, as the transport knows it (for the access log); set again when a PROXY header names the client.</summary>
    public System.Net.EndPoint? RemoteEndPoint
    {
        get => _remoteEndPoint;
        set
        {
            _remoteEndPoint = value;
            _remoteText = null;
            _proxyHeader = null;
        }
    }

    private byte[]? _proxyHeader;
    private Translation.Ir.BackendProxyProtocolVersion _proxyHeaderVersion;

    /// <summary>
    /// The PROXY header describing this client connection (source: <see cref="RemoteEndPoint"/>, the peer or what the
    /// client's own PROXY header named, as Envoy takes the downstream connection's address — not an address detected from
    /// X-Forwarded-For; destination: <paramref name="local"/>, the gateway address it connected to), made once per
    /// connection and version, for a new connection to a backend with <c>proxyProtocol</c>.
    /// </summary>
    public byte[] ProxyHeader(Translation.Ir.BackendProxyProtocolVersion version, System.Net.EndPoint? local)
    {
        if (_proxyHeader is { } made && _proxyHeaderVersion == version) return made;
        _proxyHeaderVersion = version;
        return _proxyHeader = ProxyProtocol.ProxyHeaderWriter.Build(version, _remoteEndPoint, local);
    }

    /// <summary>The address the client connected to (for custom access logs).</summary>
    public System.Net.EndPoint? LocalEndPoint
    {
        get => _localEndPoint;
        set
        {
            _localEndPoint = value;
            _localAddress = value is System.Net.IPEndPoint { Address: var a } && !a.Equals(System.Net.IPAddress.Any) && !a.Equals(System.Net.IPAddress.IPv6Any) ? a : null;
        }
    }

    private System.Net.EndPoint? _localEndPoint;

    /// <summary>The address of <see cref="LocalEndPoint"/> when it names one (not the bound any-address), for policy steps.</summary>
    private System.Net.IPAddress? _localAddress;

    string? IExchangeDetails.LocalAddress => LocalEndPoint?.ToString();

    string? IExchangeDetails.RemoteAddress => Policy.Detected?.ToString() ?? RemoteEndPoint?.ToString();

    string IExchangeDetails.Method => Encoding.ASCII.GetString(HeadBuffer, 0, Head.MethodLength);

    string IExchangeDetails.Path => Encoding.ASCII.GetString(HeadBuffer, Head.TargetStart, Head.TargetLength);

    string IExchangeDetails.Authority => View.Host;

    string IExchangeDetails.Protocol => Head.Protocol;

    /// <summary>The request came as an HTTP/2 stream (served by the loop as HTTP/1.1 bytes): what the access log and metrics say.</summary>
    public bool Http2
    {
        get => Head.Http2;
        init => Head.Http2 = value;
    }

    string? IExchangeDetails.RequestHeader(string name) => RequestHeaderAsForwarded(name);

    long IExchangeDetails.BytesReceived => Head.HeadLength + Head.ContentLength;

    string? IExchangeDetails.ServerName => Sni;
    string? IExchangeDetails.TlsJa3 => Fingerprints?.Ja3;
    string? IExchangeDetails.TlsJa4 => Fingerprints?.Ja4;

    private System.Net.EndPoint? _upstreamEndPoint;
    private Http1EndpointPool? _upstreamPool;
    private System.Net.EndPoint? _upstreamTextOf;
    private byte[]? _upstreamText;
    private System.Net.EndPoint? _remoteEndPoint;
    private byte[]? _remoteText;

    /// <summary>
    /// The default access log's values straight from the request head's bytes (ASCII, checked by the parser) and from
    /// address text cached per connection (the client, until a PROXY header changes it) and per backend endpoint.
    /// </summary>
    void IExchangeDetails.WriteLogValue(Telemetry.AccessLog.LogBuffer line, LogValue value)
    {
        var head = Head;
        var buffer = HeadBuffer;
        switch (value)
        {
            case LogValue.Method:
                line.String(buffer.AsSpan(0, head.MethodLength));
                return;
            case LogValue.Path:
                line.String(buffer.AsSpan(head.TargetStart, head.TargetLength));
                return;
            case LogValue.Protocol:
                line.String(head.ProtocolBytes);
                return;
            case LogValue.Authority:
                ref var host = ref head.Headers[head.HostIndex];
                line.String(buffer.AsSpan(host.ValueStart, host.ValueLength));
                return;
            case LogValue.ForwardedFor:
                if (head.ForwardedForIndex < 0) line.Null(); // the parser's (names are unique on this transport)
                else
                {
                    ref var xff = ref head.Headers[head.ForwardedForIndex];
                    line.String(buffer.AsSpan(xff.ValueStart, xff.ValueLength));
                }
                return;
            case LogValue.UserAgent:
                HeaderValue(line, "user-agent"u8);
                return;
            case LogValue.RequestId:
                if (_clientPolicy is not null) line.String(_requestId);
                else HeaderValue(line, "x-request-id"u8);
                return;
            case LogValue.UpstreamHost:
                if (_upstreamEndPoint is not { } upstream) line.Null();
                else if (_upstreamPool is { } pool) line.String(pool.EndPointText);
                else
                {
                    if (!ReferenceEquals(_upstreamTextOf, upstream))
                    {
                        _upstreamText = Encoding.UTF8.GetBytes(upstream.ToString() ?? "");
                        _upstreamTextOf = upstream;
                    }
                    line.String(_upstreamText);
                }
                return;
            case LogValue.RemoteAddress:
                if (Policy.Detected is { } detected) line.String(detected);
                else if (_remoteEndPoint is null) line.Null();
                else line.String(_remoteText ??= Encoding.UTF8.GetBytes(_remoteEndPoint.ToString() ?? ""));
                return;
            default:
                line.String(Sni);
                return;
        }
    }

    /// <summary>A request header's value as the client sent it (names are unique on this transport), or null.</summary>
    private void HeaderValue(Telemetry.AccessLog.LogBuffer line, ReadOnlySpan<byte> name)
    {
        var head = Head;
        var buffer = HeadBuffer;
        for (var i = 0; i < head.HeaderCount; i++)
        {
            ref var e = ref head.Headers[i];
            if (e.NameLength == name.Length && Ascii.EqualsIgnoreCase(buffer.AsSpan(e.NameStart, e.NameLength), name))
            {
                line.String(buffer.AsSpan(e.ValueStart, e.ValueLength));
                return;
            }
        }
        line.Null();
    }
    /// <summary>An upstream attempt starts (connect or reuse, then send).</summary>
    public void UpstreamStarted()
    {
        UpstreamStart = System.Diagnostics.Stopwatch.GetTimestamp();
        UpstreamEnd = 0;
        if (ServerSpan is not null) StartAttemptSpan();
    }

    /// <summary>A policy retry goes upstream again: the exchange's upstream time runs on to the last attempt's end.</summary>
    public void UpstreamResumed() => UpstreamEnd = 0;

    /// <summary>The upstream attempt ended (response relayed, or failed).</summary>
    public void UpstreamEnded()
    {
        if (UpstreamStart != 0 && UpstreamEnd == 0) UpstreamEnd = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>What the completion hook receives for the current exchange.</summary>
    /// <summary>The endpoint of <paramref name="backend"/> (the chosen target's) this request goes to; -1: none.</summary>
    public int NextEndpoint(BackendRuntime backend) =>
        Plan is { } plan ? plan.NextEndpoint(TargetIndex, backend, View, plan.UsesPolicyState ? Policy : null, out _) : backend.NextIndex();

    public ExchangeSummary Summary(TransportSet transport, bool aborted) => new()
    {
        Transport = transport,
        Listener = Listener,
        Match = Match,
        TargetIndex = TargetIndex,
        Method = Method,
        Status = ResponseStatus,
        LocalReply = RepliedLocally,
        Aborted = aborted,
        StartTimestamp = StartTimestamp,
        EndTimestamp = System.Diagnostics.Stopwatch.GetTimestamp(),
        Backend = UpstreamStart == 0 ? null : Target?.Backend,
        UpstreamStart = UpstreamStart,
        UpstreamEnd = UpstreamEnd,
        Failure = Failure,
        Details = this,
        TraceId = ServerSpan?.TraceId ?? default,
        ServerSpan = ServerSpan,
        ClientSpan = ClientSpan,
    };

    /// <summary>Makes <see cref="HeadBuffer"/> at least <paramref name="length"/> bytes, keeping its first <paramref name="keep"/>.</summary>
    public void EnsureHeadBuffer(int length, int keep = 0)
    {
        if (HeadBuffer.Length >= length) return;
        var bigger = new byte[Math.Max(length, HeadBuffer.Length * 2)];
        HeadBuffer.AsSpan(0, keep).CopyTo(bigger);
        HeadBuffer = bigger;
    }

    /// <summary>Makes <see cref="ResponseBuffer"/> at least <paramref name="length"/> bytes (contents not kept).</summary>
    public void EnsureResponseBuffer(int length)
    {
        if (ResponseBuffer.Length < length) ResponseBuffer = new byte[Math.Max(length, ResponseBuffer.Length * 2)];
    }

    /// <summary>Forgets the previous request's routing, reply and timings (a new request head was read).</summary>
    public void ResetForRequest()
    {
        Plan = null;
        Target = null;
        Reply = null;
        HandOffReason = null;
        ResponseStatus = 0;
        RepliedLocally = false;
        Match = null;
        Listener = null;
        TargetIndex = -1;
        UpstreamStart = 0;
        UpstreamEnd = 0;
        Failure = null;
        UpstreamEndPoint = null;
        BytesSent = 0;
        ResetTrace();
        ResetClientPolicy();
        Policy.ResetForRequest();
        StartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Routes the request (<see cref="RouteRequest"/>); a request this transport serves is then traced if sampled.</summary>
    public Http1Decision Route(CompiledPort port)
    {
        var decision = RouteRequest(port);
        if (decision != Http1Decision.HandOff && port.Tracer is { } tracer) StartTrace(tracer);
        return decision;
    }

    /// <summary>
    /// Routes the parsed request and runs its plan's decisions (<see cref="PortRouter"/>, <see cref="RoutePlan.Decide"/>):
    /// forward to a target, reply, or hand off when this transport is not one the plan allows.
    /// </summary>
    private Http1Decision RouteRequest(CompiledPort port)
    {
        ResetForRequest();
        var head = Head;
        ref var hostEntry = ref head.Headers[head.HostIndex];
        if (hostEntry.ValueLength > 255 || head.PathLength > 4096) return HandOff("long host or path");
        Span<char> hostChars = stackalloc char[hostEntry.ValueLength];
        Ascii.ToUtf16(HeadBuffer.AsSpan(hostEntry.ValueStart, hostEntry.ValueLength), hostChars, out _);
        var host = HostMap<object>.StripPort(hostChars);
        Span<char> path = head.PathLength <= 512 ? stackalloc char[head.PathLength] : new char[head.PathLength];
        Ascii.ToUtf16(HeadBuffer.AsSpan(head.TargetStart, head.PathLength), path, out _);
        var view = new Http1RequestView(head, HeadBuffer);
        Method = MethodLabels.Parse(HeadBuffer.AsSpan(0, head.MethodLength));
        if (port.HasClientPolicies)
        {
            if (RunClientPolicy(port, host, view, path) is { } early) return early;
            view = View;
        }
        var outcome = PortRouter.Route(port, view, host, Sni, path, out var match, out var plan, out var listenerStats);
        if (outcome != RouteOutcome.Matched)
        {
            Enter(listenerStats);
            return Answer(LocalReply.Empty(PortRouter.Status(outcome)));
        }
        Plan = plan!;
        if (!plan!.Allows(_transport)) return HandOff("the route's plan has steps only the Kestrel pipeline runs");
        Match = match;
        Enter(listenerStats);
        _listenerPort = port.Ir.Port != 0 ? port.Ir.Port : _localPort;
        var facts = new RequestFacts(Tls ? "https" : "http", _listenerPort, match!.MatchedPrefix,
            plan.UsesPolicyState ? Policy : null, RemoteEndPoint as System.Net.IPEndPoint, _localAddress);
        return AfterDecision(plan, view, facts, plan.Decide(view, facts, out var reply), reply);
    }

    private RequestFacts _pendingFacts;
    private int _listenerPort;

    /// <summary>A response override's redirect: the Location for the request as the client sent it.</summary>
    string Policies.ResponseOverride.IOverrideRequest.Location(Translation.Ir.RedirectIr redirect)
    {
        var view = new Http1RequestView(Head, HeadBuffer);
        // A percent-encoded path never gets here (the head parser hands it to Kestrel), so the path is as Kestrel presents it.
        var path = view.DecodedPath ?? view.RawTarget[..Head.PathLength];
        return Filters.RedirectBuilder.Location(redirect, Tls ? "https" : "http", view.Host, path, view.Query, Match?.MatchedPrefix, _listenerPort);
    }

    /// <summary>Goes on with the routed request once its pending decision finished (<see cref="Http1Decision.Pending"/>).</summary>
    public Http1Decision Resume(DecideOutcome outcome)
    {
        var plan = Plan!;
        var view = View;
        var facts = _pendingFacts;
        return AfterDecision(plan, view, facts, plan.Resume(outcome, view, facts, out var reply), reply);
    }

    /// <summary>The plan's decisions said <paramref name="verdict"/>: wait, answer, hand off, or pick the target.</summary>
    private Http1Decision AfterDecision(RoutePlan plan, in Http1RequestView view, in RequestFacts facts, StepVerdict verdict, LocalReply? reply)
    {
        if (verdict == StepVerdict.Pending)
        {
            _pendingFacts = facts;
            return Http1Decision.Pending;
        }
        if (verdict != StepVerdict.Continue) return Verdict(verdict, reply);
        var index = plan.Targets.Length == 1 ? 0 : plan.PickTarget();
        if (index < 0) return Answer(LocalReply.Empty(500));
        TargetIndex = index;
        var target = plan.Targets[index];
        verdict = plan.DecideTarget(target, view, facts, out reply);
        if (verdict != StepVerdict.Continue) return Verdict(verdict, reply);
        Target = target;
        return Http1Decision.Forward;
    }

    private void Enter(ListenerStats stats)
    {
        Listener = stats;
        stats.Enter();
    }

    private Http1Decision Verdict(StepVerdict verdict, LocalReply? reply)
    {
        if (verdict == StepVerdict.Reply) return Answer(reply!);
        // Counted in flight already: the Kestrel pipeline counts it again.
        Listener?.Exit();
        Listener = null;
        return HandOff("a step needs the Kestrel pipeline for this request");
    }

    private Http1Decision Answer(LocalReply reply)
    {
        Reply = reply;
        return Http1Decision.Reply;
    }

    private Http1Decision HandOff(string reason)
    {
        HandOffReason = reason;
        return Http1Decision.HandOff;
    }

    /// <summary>
    /// The request as the backend gets it: same request line, Host, hop-by-hop headers dropped, edits, X-Forwarded-*.
    /// </summary>
    /// <param name="clientIp">The client address as ASCII, or null when unknown.</param>
    public void BuildForwardedHead(byte[]? clientIp)
    {
        var head = Head;
        var buf = HeadBuffer;
        var o = Forward;
        o.Clear();
        ref var hostEntry = ref head.Headers[head.HostIndex];
        ReadOnlySpan<byte> host = buf.AsSpan(hostEntry.ValueStart, hostEntry.ValueLength);
        var target = Target!;
        if (target.UrlRewrite is { } rewrite) WriteRewritten(o, rewrite, ref host);
        else
        {
            o.Append(buf.AsSpan(0, head.RequestLineLength));
            o.AppendHeader("Host"u8, host);
        }
        if (head.Http10)
        {
            // HTTP/1.0 from the client, HTTP/1.1 to the backend (as the Kestrel pipeline and Envoy send it): the
            // backend connection stays reusable, and a chunked answer is decoded for the client.
            var lineEnd = o.Span.IndexOf("\r\n"u8);
            o.Written(lineEnd - 1, 1)[0] = (byte)'1';
        }
        // The listener's early edits first (they are the request every step saw), then the route's and the policies'.
        if (_earlyEdits is { Active: true } early) _requestEdits.CopyFrom(early, head.HeaderCount);
        else _requestEdits.Active = false;
        var envoyHeaders = _clientPolicy?.EnvoyHeaders == true;
        var originalPath = envoyHeaders && target.UrlRewrite is { RewritesPath: true };
        if (target.RequestSteps.Length > 0 || Policy.HasRequestEdits || (envoyHeaders && (originalPath || Match!.Rule.EnvoyExpectedTimeout is not null)))
        {
            var editor = new Http1HeaderEditor(head.Headers, head.HeaderCount, buf, _requestEdits);
            target.ApplyRequestSteps(ref editor, Policy);
            if (envoyHeaders) Policies.ClientTraffic.EnvoyHeaders.SetExpectedTimeout(ref editor, Match!.Rule);
            if (originalPath) editor.RemoveAll(Policies.ClientTraffic.EnvoyHeaders.OriginalPathName, keep: false);
        }
        WriteLines(o, head.Headers, head.HeaderCount, buf, _requestEdits, ServerSpan is null ? -1 : TraceParentIndex);
        if (originalPath) o.AppendHeader(Policies.ClientTraffic.EnvoyHeaders.OriginalPathName.Bytes, buf.AsSpan(head.TargetStart, head.TargetLength));
        if (ServerSpan is not null) WriteTraceParent(o);
        var hasFor = head.ForwardedForIndex >= 0;
        var clientFor = hasFor ? buf.AsSpan(head.Headers[head.ForwardedForIndex].ValueStart, head.Headers[head.ForwardedForIndex].ValueLength) : default;
        WriteRequestId(o);
        ForwardedHeaders.Write(o, hasFor, clientFor, AppendedClient(clientIp), Tls, host);
        o.Append("\r\n"u8);
    }

    /// <summary>
    /// The request line and Host of a rewritten request (<see cref="UrlRewriteStep"/>, the same object YARP's transformer
    /// calls); <paramref name="host"/> becomes what X-Forwarded-Host carries (empty: none).
    /// </summary>
    private void WriteRewritten(ByteBuilder o, UrlRewriteStep rewrite, ref ReadOnlySpan<byte> host)
    {
        var head = Head;
        var buf = HeadBuffer;
        var path = Encoding.ASCII.GetString(buf, head.TargetStart, head.PathLength);
        if (rewrite.RewritesPath)
        {
            o.Append(buf.AsSpan(0, head.TargetStart));
            o.Append(Encoding.ASCII.GetBytes(rewrite.RewritePath(path, Match?.MatchedPrefix)));
            var after = head.TargetStart + head.PathLength;
            o.Append(buf.AsSpan(after, head.RequestLineLength - after));
        }
        else o.Append(buf.AsSpan(0, head.RequestLineLength));
        var newHost = rewrite.RewriteHost(View, path);
        o.AppendHeader("Host"u8, newHost is null ? host : Encoding.ASCII.GetBytes(newHost));
        if (!rewrite.ForwardsOriginalHost(newHost is not null)) host = default;
    }

    /// <summary>
    /// Parses the response head held in the first <paramref name="length"/> bytes of <see cref="ResponseBuffer"/>;
    /// returns false for an interim (1xx) answer, which is dropped as HttpClient does.
    /// </summary>
    public bool ParseResponseHead(int length)
    {
        ResponseHead.Parse(ResponseBuffer.AsSpan(0, length), Head.IsHead);
        if (ResponseHead.Status >= 200) return true;
        if (ResponseHead.Status == 101) throw new BackendProtocolException("unexpected 101 Switching Protocols");
        return false;
    }

    /// <summary>
    /// The response body has no length (chunked or close-delimited from the backend) and the client is HTTP/1.0, which
    /// cannot take chunks (RFC 9112 6.1): it goes decoded and close-delimited, and the connection closes after it.
    /// </summary>
    public bool BodyClosesConnection => Head.Http10 && ResponseHead.Framing is BodyFraming.Chunked or BodyFraming.Close;

    /// <summary>The backend's close-delimited body goes to an HTTP/1.1 client re-chunked (a chunk per read, then the last chunk).</summary>
    public bool RechunksBody => ResponseHead.Framing == BodyFraming.Close && !Head.Http10;

    /// <summary>Writes the client's response head into <see cref="Response"/> (cleared first).</summary>
    /// <param name="close">Announce Connection: close (the client asked for it, or the connection is closing).</param>
    public void WriteResponseHead(bool close)
    {
        var h = ResponseHead;
        ResponseStatus = h.Status;
        var buf = ResponseBuffer;
        var o = Response;
        o.Clear();
        o.Append("HTTP/1.1 "u8);
        o.Append(buf.AsSpan(h.StatusTextStart, h.StatusTextLength));
        if (h.StatusTextLength == 3) o.Append((byte)' ');
        o.Append("\r\n"u8);
        var target = Target!;
        _responseEdits.Active = false;
        var late = _lateEdits;
        var serviceTime = _clientPolicy?.EnvoyHeaders == true && UpstreamStart != 0;
        if (target.ResponseSteps.Length > 0 || late is not null || serviceTime)
        {
            var editor = new Http1HeaderEditor(h.Headers, h.HeaderCount, buf, _responseEdits);
            // Envoy's router sets it (the backend's own replaced) as the response head arrives, before the route's and
            // the listener's edits.
            if (serviceTime)
            {
                editor.RemoveAll(Policies.ClientTraffic.EnvoyHeaders.ServiceTimeName, keep: false);
                _responseEdits.Added.Add((Policies.ClientTraffic.EnvoyHeaders.ServiceTimeName.Bytes, Policies.ClientTraffic.EnvoyHeaders.ServiceTimeBytes(UpstreamStart)));
            }
            if (target.ResponseSteps.Length > 0) target.ApplyResponseSteps(View, ref editor);
            if (late is not null)
            {
                // The listener's late edits see the whole head but its framing: the rate-limit headers join it first.
                RateLimitHeaders.AddTo(Policy, _responseEdits.Added);
                late.Apply(ref editor);
            }
        }
        WriteLines(o, h.Headers, h.HeaderCount, buf, _responseEdits);
        if (late is null) RateLimitHeaders.AppendTo(Policy, o);
        if (!h.HasDate) o.AppendHeader("Date"u8, _owner.DateHeaderValue());
        // Chunked as the backend framed it, or re-chunked; never to an HTTP/1.0 client (the caller closes after its body).
        if (!BodyClosesConnection && h.Framing is BodyFraming.Chunked or BodyFraming.Close) o.Append("Transfer-Encoding: chunked\r\n"u8);
        AppendConnection(o, close);
        o.Append("\r\n"u8);
    }

    /// <summary>
    /// A reply of the gateway's own into <see cref="Response"/>: <see cref="Reply"/>, or an upstream failure's
    /// 502/503/504 (<see cref="UpstreamDecision"/>), with the framing Kestrel gives the same reply.
    /// </summary>
    public void WriteReply(LocalReply reply, bool close)
    {
        if (Match?.Rule.ResponseOverride?.ForLocal(reply, this) is { } replaced) reply = replaced;
        if (_lateEdits is { } late) reply = Policies.ClientTraffic.LateResponseHeaders.Edit(reply, late);
        ResponseStatus = reply.Status;
        RepliedLocally = true;
        var o = Response;
        o.Clear();
        o.Append(StatusLine(reply.Status));
        o.Append("Content-Length: "u8);
        o.AppendDecimal(reply.Body.Length);
        o.Append("\r\n"u8);
        o.AppendHeader("Date"u8, _owner.DateHeaderValue());
        if (reply.ContentType is { } type) o.AppendHeader("Content-Type"u8, Encoding.Latin1.GetBytes(type));
        foreach (var (name, value) in reply.Headers) o.AppendHeader(Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value));
        AppendConnection(o, close);
        o.Append("\r\n"u8);
        if (!Head.IsHead && reply.Body.Length > 0) o.Append(reply.Body.Span);
    }

    /// <summary>Connection: close when closing; keep-alive to an HTTP/1.0 client that asked for it (its default is to close).</summary>
    private void AppendConnection(ByteBuilder o, bool close)
    {
        if (close) o.Append("Connection: close\r\n"u8);
        else if (Head.Http10) o.Append("Connection: keep-alive\r\n"u8);
    }

    /// <summary>The head's lines as edited: removed ones left out, added ones after the rest.</summary>
    /// <param name="skip">A line replaced by the gateway (the client's traceparent of a traced request), or -1.</param>
    private static void WriteLines(ByteBuilder o, HeaderEntry[] entries, int count, byte[] buf, Http1EditState edits, int skip = -1)
    {
        var removed = edits.Active ? edits.Removed : null;
        for (var i = 0; i < count; i++)
        {
            ref var e = ref entries[i];
            if (e.Kind is not (HeaderKind.Forward or HeaderKind.ContentLength) || i == skip) continue;
            if (removed is not null && removed[i]) continue;
            o.AppendHeader(buf.AsSpan(e.NameStart, e.NameLength), buf.AsSpan(e.ValueStart, e.ValueLength));
        }
        if (removed is null) return;
        foreach (var (name, value) in edits.Added) o.AppendHeader(name, value);
    }

    private static readonly byte[]?[] StatusLines = new byte[600][];

    /// <summary>"HTTP/1.1 302 Found\r\n", made once per status.</summary>
    private static byte[] StatusLine(int status)
    {
        if ((uint)status >= StatusLines.Length) return MakeStatusLine(status);
        return Volatile.Read(ref StatusLines[status]) ?? (StatusLines[status] = MakeStatusLine(status));
    }

    private static byte[] MakeStatusLine(int status) =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}\r\n");
}
