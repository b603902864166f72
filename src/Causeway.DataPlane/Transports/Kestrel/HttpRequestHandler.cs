using Microsoft.Net.Http.Headers;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>
/// The Kestrel + YARP transport: routes with <see cref="PortRouter"/>, runs the route's <see cref="RoutePlan"/> (the
/// same steps every transport runs) and forwards with YARP, with the upstream settings only this transport implements
/// (mirrors, timeouts, retries, session persistence). Reads only the immutable <see cref="CompiledPort"/> it is handed.
/// </summary>
internal sealed partial class HttpRequestHandler
{
    private readonly IHttpForwarder _forwarder;
    private readonly DataPlaneOptions _options;
    private readonly ILogger _logger;

    private readonly IExchangeObserver _observer;

    private readonly Http1Upstream.Http1Forwarder _direct;

    public HttpRequestHandler(IHttpForwarder forwarder, DataPlaneOptions options, IExchangeObserver observer, ILogger logger)
    {
        _observer = observer;
        _forwarder = forwarder;
        _direct = new Http1Upstream.Http1Forwarder(options);
        _options = options;
        _logger = logger;
    }

    /// <summary>The completion hook for an exchange this transport served.</summary>
    public void Completed(HttpContext context, bool aborted)
    {
        // Requests refused before routing (the 400 for smuggling shapes) were never counted in flight.
        if (context.Features.Get<KestrelExchange>() is not { } exchange) return;
        if (exchange.UpstreamStart != 0 && exchange.UpstreamEnd == 0) exchange.UpstreamEnd = System.Diagnostics.Stopwatch.GetTimestamp();
        exchange.LocalReply |= context.Features.Get<LocalReply>() is not null;
        var summary = exchange.Summary(context.Response.StatusCode, aborted);
        exchange.Policy?.Complete(summary);
        _observer.OnExchangeCompleted(summary);
    }

    public Task HandleAsync(HttpContext context, CompiledPort port, long start)
    {
        var request = context.Request;
        // A request framed by both Transfer-Encoding and Content-Length is a smuggling attempt (RFC 9112 6.3): Kestrel
        // keeps the chunked framing and moves Content-Length aside to X-Content-Length; we refuse it outright.
        // Kestrel is also more lenient than RFC 9112 6.1 and RFC 9110 5.5 with the other desync shapes: chunked applied
        // twice or next to another coding, Transfer-Encoding in HTTP/1.0, control characters in field values.
        if (request.Headers.ContainsKey(HeaderNames.TransferEncoding) && request.Headers.ContainsKey("X-Content-Length")
            || IsAmbiguousTransferEncoding(request) || HasControlCharacters(request.Headers))
        {
            context.Response.Headers.Connection = "close";
            return KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(StatusCodes.Status400BadRequest));
        }
        // CONNECT (not HTTP/2's extended CONNECT, which carries websockets): Envoy takes it for an upgrade of type CONNECT,
        // which no rule forwards here (tunnels are not served; a policy listing CONNECT is warned), so it gets Envoy's
        // 403 for an upgrade without a config, whatever the route. The byte transports hand CONNECT on to this one.
        if (HttpMethods.IsConnect(request.Method) && context.Features.Get<IHttpExtendedConnectFeature>() is not { IsExtendedConnect: true })
            return KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(StatusCodes.Status403Forbidden));
        // The scheme is the port's: h2c prior-knowledge connections look like TLS to Kestrel (see H2cDetection) and
        // alternate :scheme values are allowed so that h2c works.
        if (port.Connection is { } connection) Policies.ClientTraffic.Connection.KestrelConnectionUse.Count(context, connection);
        var scheme = port.IsHttps ? "https" : "http";
        if (!string.Equals(request.Scheme, scheme, StringComparison.Ordinal)) request.Scheme = scheme;
        var sni = port.IsHttps ? context.Features.Get<ITlsHandshakeFeature>()?.HostName : null;
        // An HTTP/1.0 request without Host (only Kestrel serves HTTP/1.0): the ClientTrafficPolicy's default host, if any.
        if (port.Http10DefaultHost is not null && !request.Host.HasValue && HttpProtocol.IsHttp10(request.Protocol)
            && port.Http10DefaultHostFor(sni) is { } defaultHost)
            request.Headers.Host = defaultHost;
        var host = HostMap<object>.StripPort(request.Host.Value ?? "");
        var view = new HttpRequestView(request);
        RequestPolicyState? state = null;
        LocalReply? early = null;
        var clientPolicy = port.ClientPolicyFor(host);
        if (port.LateResponseFor(host) is { } late) Policies.ClientTraffic.LateResponseHeaders.Register(context.Response, late);
        if (clientPolicy is not null)
        {
            state = new RequestPolicyState();
            state.SetClient(context.Connection.RemoteIpAddress);
            early = ApplyClientPolicy(clientPolicy, request, view, state);
            // The listener's early edits may set Host: routing reads the edited one, as every later reader does.
            if (clientPolicy.EarlyEditsHost) host = HostMap<object>.StripPort(request.Host.Value ?? "");
        }
        ApplyForwardedClientCert(clientPolicy, context);
        var outcome = PortRouter.Route(port, view, host, sni, request.Path.Value ?? "/", out var match, out var plan, out var listener);
        var exchange = new KestrelExchange(context, start, MethodLabels.Parse(request.Method), listener)
        {
            Match = early is null ? match : null,
            Policy = state,
            ClientPolicy = clientPolicy,
        };
        context.Features.Set(exchange);
        // requestReceivedTimeout covers the body too: a body still arriving when it passes gets Envoy's 408.
        if (port.Connection is { RequestReceived: { } received })
            exchange.BodyDeadline = Policies.ClientTraffic.Connection.RequestBodyDeadline.Arm(context, received, start);
        if (port.Tracer is { } tracer) StartTrace(tracer, request, view, exchange, port, start);
        if (early is not null) return KestrelReplyWriter.WriteAsync(context, early);
        if (outcome != RouteOutcome.Matched) return KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(PortRouter.Status(outcome)));
        return ExecuteAsync(context, match!, plan!, port, exchange);
    }

    /// <summary>
    /// The sampling decision on the request's traceparent (parent-based, else the Gateway's rate), then, for a sampled
    /// request only, its SERVER span; the CLIENT spans start per attempt in <see cref="ProxyTransformer"/>.
    /// </summary>
    private static void StartTrace(Telemetry.Tracing.GatewayTracer tracer, HttpRequest request, HttpRequestView view, KestrelExchange exchange, CompiledPort port, long start)
    {
        var header = request.Headers[Telemetry.Tracing.TraceParent.HeaderName];
        var parentSampled = false;
        var hasParent = header.Count == 1 && Telemetry.Tracing.TraceParent.TryParse(header[0].AsSpan(), out parentSampled);
        if (!tracer.Samples(hasParent, parentSampled)) return;
        var parent = hasParent
            ? Telemetry.Tracing.TraceParent.Parent(header[0].AsSpan(), request.Headers.TryGetValue(Telemetry.Tracing.TraceParent.StateHeaderName, out var state) ? state.ToString() : null)
            : default;
        exchange.ServerSpan = tracer.StartServer(view, parent, exchange.Method, exchange.Match, request.Path.Value, port.IsHttps, TransportSet.Kestrel, start);
        if (exchange.ServerSpan is not null) exchange.Tracer = tracer;
    }

    private static readonly System.Buffers.SearchValues<char> ControlChars =
        System.Buffers.SearchValues.Create("\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\n\v\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    /// <summary>Transfer-Encoding other than exactly one "chunked" (Kestrel only checks that chunked is last), or on HTTP/1.0.</summary>
    private static bool IsAmbiguousTransferEncoding(HttpRequest request)
    {
        var te = request.Headers.TransferEncoding;
        if (te.Count == 0) return false;
        return te.Count != 1 || !string.Equals(te[0]?.Trim(' ', '\t'), "chunked", StringComparison.OrdinalIgnoreCase)
            || HttpProtocol.IsHttp10(request.Protocol);
    }

    /// <summary>A field value with a control character other than HTAB (RFC 9110 5.5), which Kestrel lets through.</summary>
    private static bool HasControlCharacters(IHeaderDictionary headers)
    {
        foreach (var header in headers)
        {
            foreach (var value in header.Value)
            {
                if (value is not null && value.AsSpan().IndexOfAny(ControlChars) >= 0) return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The plan, as every transport runs it: decisions (CORS preflight, redirect, direct response), the target with its
    /// request steps, then the upstream settings only this pipeline implements (session persistence, mirrors,
    /// timeouts, retries); response steps run in <see cref="ProxyTransformer"/>.
    /// </summary>
    private Task ExecuteAsync(HttpContext context, CompiledMatch match, RoutePlan plan, CompiledPort port, KestrelExchange exchange)
    {
        // An upgrade the rule does not forward: Envoy's 403 (upgrade_failed), before any filter runs.
        if (match.Rule.Upgrades.Refuses(context)) return KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(StatusCodes.Status403Forbidden));
        if (match.Rule.RequestBuffer is { } buffer && !exchange.BodyBuffered) return BufferThenExecuteAsync(context, match, plan, port, exchange, buffer);
        var rule = match.Rule;
        var request = context.Request;
        var view = new HttpRequestView(request);
        if (plan.UsesPolicyState)
        {
            exchange.Policy ??= new RequestPolicyState();
            exchange.Policy.SetClient(context.Connection.RemoteIpAddress);
        }
        exchange.ListenerPort = port.Ir.Port != 0 ? port.Ir.Port : context.Connection.LocalPort;
        var facts = new RequestFacts(request.Scheme, exchange.ListenerPort, match.MatchedPrefix, exchange.Policy);
        var verdict = plan.Decide(view, facts, out var reply);
        if (verdict == StepVerdict.Pending) return AwaitDecisionAsync(context, match, plan, exchange, facts, port);
        if (verdict == StepVerdict.Reply) return KestrelReplyWriter.WriteAsync(context, reply!);
        if (plan.RecomputesRoute && !Recompute(context, port, exchange, ref match, ref plan)) return KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(StatusCodes.Status404NotFound));
        return AfterDecisions(context, match, plan, exchange, facts);
    }

    /// <summary>A BackendTrafficPolicy's <c>requestBuffer</c>: the whole body first (413 beyond the limit), then the plan.</summary>
    private async Task BufferThenExecuteAsync(HttpContext context, CompiledMatch match, RoutePlan plan, CompiledPort port, KestrelExchange exchange,
        Policies.RequestBuffer.RequestBufferStep buffer)
    {
        bool buffered;
        try
        {
            buffered = await buffer.BufferAsync(context).ConfigureAwait(false);
        }
        catch (Policies.ClientTraffic.Connection.RequestNotReceivedException)
        {
            await RequestTimedOutAsync(context).ConfigureAwait(false);
            return;
        }
        if (!buffered)
        {
            if (!context.RequestAborted.IsCancellationRequested)
                await KestrelReplyWriter.WriteAsync(context, Policies.RequestBuffer.RequestBufferStep.Reply()).ConfigureAwait(false);
            return;
        }
        exchange.BodyBuffered = true;
        await ExecuteAsync(context, match, plan, port, exchange).ConfigureAwait(false);
    }

    /// <summary>A decision waits on another service (<see cref="AsyncDecideStep"/>): await it, then go on with the plan.</summary>
    /// <remarks>
    /// A ClientTrafficPolicy's <c>requestReceivedTimeout</c> bounds the wait from the request's start: past it, Envoy's
    /// 408 and the connection closes (the decision's outcome is dropped).
    /// </remarks>
    private async Task AwaitDecisionAsync(HttpContext context, CompiledMatch match, RoutePlan plan, KestrelExchange exchange, RequestFacts facts,
        CompiledPort port)
    {
        var connection = port.Connection;
        var state = exchange.Policy!;
        while (true)
        {
            DecideOutcome outcome;
            if (connection is { RequestReceived: { } received })
            {
                var left = received - System.Diagnostics.Stopwatch.GetElapsedTime(exchange.Start);
                try
                {
                    outcome = await state.TakePending().AsTask().WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    await RequestTimedOutAsync(context).ConfigureAwait(false);
                    return;
                }
            }
            else outcome = await state.TakePending().ConfigureAwait(false);
            var verdict = plan.Resume(outcome, new HttpRequestView(context.Request), facts, out var reply);
            if (verdict == StepVerdict.Pending) continue;
            if (verdict == StepVerdict.Reply)
            {
                await KestrelReplyWriter.WriteAsync(context, reply!).ConfigureAwait(false);
                return;
            }
            if (plan.RecomputesRoute && !Recompute(context, port, exchange, ref match, ref plan))
            {
                await KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(StatusCodes.Status404NotFound)).ConfigureAwait(false);
                return;
            }
            await AfterDecisions(context, match, plan, exchange, facts).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>
    /// Ext auth <c>recomputeRoute</c>: the headers the decisions set are applied to the request now, and the route is
    /// chosen again with them (Envoy clears its route cache after ext_authz). False when no route matches any more (404).
    /// </summary>
    private static bool Recompute(HttpContext context, CompiledPort port, KestrelExchange exchange, ref CompiledMatch match, ref RoutePlan plan)
    {
        var request = context.Request;
        if (exchange.Policy is { RequestEdits: not null } state)
        {
            var editor = new DictionaryHeaderEditor(request.Headers);
            state.ApplyRequestEdits(ref editor);
            state.RequestEdits.Clear(); // applied once, here
        }
        var host = HostMap<object>.StripPort(request.Host.Value ?? "");
        var sni = port.IsHttps ? context.Features.Get<ITlsHandshakeFeature>()?.HostName : null;
        if (PortRouter.Route(port, new HttpRequestView(request), host, sni, request.Path.Value ?? "/", out var again, out var againPlan, out _) != RouteOutcome.Matched)
        {
            exchange.Match = null;
            return false;
        }
        match = again!;
        plan = againPlan!;
        exchange.Match = match;
        return true;
    }

    /// <summary>The plan after its request-side decisions let the request through: target, request steps, forward.</summary>
    private Task AfterDecisions(HttpContext context, CompiledMatch match, RoutePlan plan, KestrelExchange exchange, in RequestFacts facts)
    {
        var rule = match.Rule;
        var request = context.Request;
        var view = new HttpRequestView(request);
        LocalReply? reply;
        string? pinned = null;
        int index;
        if (rule.Session is { } session && session.TryResolve(request, out index, out var pinnedPrefix)) pinned = pinnedPrefix;
        else index = plan.PickTarget();
        if (index < 0) return KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(StatusCodes.Status500InternalServerError));
        exchange.TargetIndex = index;
        var target = plan.Targets[index];
        exchange.Backend = target.Backend;
        if (plan.DecideTarget(target, view, facts, out reply) == StepVerdict.Reply) return KestrelReplyWriter.WriteAsync(context, reply!);
        var backend = target.Backend!;
        exchange.RewrittenHost = target.UrlRewrite?.RewriteHost(view, request.Path.Value ?? "/");
        var editor = new DictionaryHeaderEditor(request.Headers);
        target.ApplyRequestSteps(ref editor, exchange.Policy);
        if (exchange.ClientPolicy?.EnvoyHeaders == true) Policies.ClientTraffic.EnvoyHeaders.SetExpectedTimeout(ref editor, rule);
        List<BackendRuntime>? mirrors = null;
        foreach (var mirror in rule.Mirrors)
        {
            if (mirror.Numerator >= mirror.Denominator || Random.Shared.Next(mirror.Denominator) < mirror.Numerator)
                (mirrors ??= new List<BackendRuntime>(rule.Mirrors.Length)).Add(mirror.Backend!);
        }
        if (mirrors is not null)
        {
            if (MayHaveBody(context)) return MirrorWithBodyThenForwardAsync(context, mirrors, match, index, backend, pinned);
            foreach (var mirror in mirrors) Mirror(context, mirror, null);
        }
        return Forward(context, match, index, backend, pinned);
    }

    private Task Forward(HttpContext context, CompiledMatch match, int index, BackendRuntime backend, string? pinned)
    {
        var rule = match.Rule;
        if (!backend.HasEndpoints) return KestrelReplyWriter.WriteAsync(context, LocalReply.Empty(StatusCodes.Status503ServiceUnavailable));
        if (rule.Session is { } affinity && pinned is null)
        {
            pinned = NextPrefix(context, rule, index, backend);
            affinity.Issue(context, index, pinned);
        }
        return ForwardAsync(context, rule, index, backend, match.Transformers[index], pinned);
    }

    /// <summary>
    /// The endpoint this attempt goes to, as a destination prefix: the rule's balancer for the target when a policy
    /// set one (with the Set-Cookie it may ask for), else the backend's round robin.
    /// </summary>
    private static string NextPrefix(HttpContext context, CompiledRule rule, int target, BackendRuntime backend) =>
        backend.Prefixes[NextEndpoint(context, rule, target, backend)];

    private static int NextEndpoint(HttpContext context, CompiledRule rule, int target, BackendRuntime backend)
    {
        var policy = context.Features.Get<KestrelExchange>()?.Policy;
        var i = rule.Plan.NextEndpoint(target, backend, new HttpRequestView(context.Request), policy, out var setCookie);
        if (setCookie is not null && !context.Response.HasStarted) context.Response.Headers.Append("Set-Cookie", setCookie);
        return i;
    }

    /// <summary>Requests the Kestrel transport sent to HTTP/1.1 backends over the pooled connections rather than HttpClient.</summary>
    public long DirectRequests => _direct.Requests;

    private async Task ForwardAsync(HttpContext context, CompiledRule rule, int target, BackendRuntime backend, ProxyTransformer transformer, string? pinned)
    {
        using var requestCts = rule.RequestTimeout is { } rt ? CreateTimeout(context.RequestAborted, rt) : null;
        var token = requestCts?.Token ?? context.RequestAborted;
        var retry = rule.RetryAttempts > 0 && await PrepareRetryAsync(context, token).ConfigureAwait(false)
            ? new RetryTransformer(transformer, rule) : null;
        rule.Bandwidth?.Wrap(context);
        var direct = pinned is null && _direct.Eligible(context, rule, backend, context.Features.Get<KestrelExchange>());
        for (var attempt = 0; ; attempt++)
        {
            var mayRetry = retry is not null && attempt < rule.RetryAttempts;
            if (retry is not null) retry.MayRetry = mayRetry;
            var endpoint = pinned is null ? NextEndpoint(context, rule, target, backend) : -1;
            var prefix = pinned ?? backend.Prefixes[endpoint];
            if (context.Features.Get<KestrelExchange>() is { } exchange)
            {
                exchange.UpstreamStart = System.Diagnostics.Stopwatch.GetTimestamp();
                exchange.UpstreamEnd = 0;
                exchange.UpstreamHost = prefix[(prefix.IndexOf("://", StringComparison.Ordinal) + 3)..];
            }
            // maxRequestsPerConnection above 1: the attempt's mark, which the backend connection's CountedStream counts.
            if (BackendConnector.CountsRequests(backend.Ir)) CountedStream.Mark();
            // proxyProtocol: a backend connection carrying a client's PROXY header serves that client connection only.
            if (backend.Ir.Connection?.ProxyProtocol is not null) prefix = ProxiedConnections.Prefix(context, prefix);
            using var attemptCts = rule.BackendRequestTimeout is { } bt ? CreateTimeout(token, bt) : null;
            if (direct)
            {
                var outcome = await _direct.SendAsync(context, backend.FastEndpoints![endpoint], transformer, attemptCts?.Token ?? token).ConfigureAwait(false);
                if (outcome is not { } directFailure || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return;
                if (context.Features.Get<KestrelExchange>() is { BodyDeadline.TimedOut: true })
                {
                    await RequestTimedOutAsync(context).ConfigureAwait(false); // the body was late: 408, not an upstream failure
                    return;
                }
                if (requestCts?.IsCancellationRequested == true) directFailure = UpstreamFailure.RequestTimeout;
                else if (attemptCts?.IsCancellationRequested == true) directFailure = UpstreamFailure.Timeout;
                await AnswerFailureAsync(context, rule, backend, directFailure, recorded: false, UpstreamDecision.Status(directFailure), ForwarderError.Request, null).ConfigureAwait(false);
                return;
            }
            var config = rule.UseClientProtocol ? backend.ClientProtocolConfig(HttpProtocol.IsHttp2(context.Request.Protocol)) : backend.RequestConfig;
            var error = await _forwarder.SendAsync(context, prefix, backend.Invoker, config,
                (HttpTransformer?)retry ?? transformer, attemptCts?.Token ?? token).ConfigureAwait(false);
            if (context.Features.Get<KestrelExchange>() is { Compressing: { } compressing } compressed)
            {
                compressed.Compressing = null;
                await Policies.Compression.CompressionStep.Finish(context, compressing).ConfigureAwait(false);
            }
            if (error == ForwarderError.None)
            {
                if (retry is { RetryRequested: true } && mayRetry)
                {
                    context.Features.Get<KestrelExchange>()?.Policy?.ReleaseEndpoint(context.Response.StatusCode, false);
                    backend.Stats.Retry();
                    context.Response.Clear();
                    RewindBody(context);
                    await BackoffAsync(rule.RetryBackoffFor(attempt + 1), token).ConfigureAwait(false);
                    continue;
                }
                return;
            }
            if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return;
            if (context.Features.Get<KestrelExchange>() is { BodyDeadline.TimedOut: true })
            {
                // The body was still arriving at requestReceivedTimeout: Envoy's 408, not an upstream failure.
                context.Response.Clear();
                await RequestTimedOutAsync(context).ConfigureAwait(false);
                return;
            }
            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            UpstreamFailure failure;
            if (requestCts?.IsCancellationRequested == true) failure = UpstreamFailure.RequestTimeout;
            else if (IsOverflow(exception)) failure = UpstreamFailure.Overflow; // circuitBreaker.perEndpoint.maxConnections
            else if (IsConnectTimeout(exception)) failure = UpstreamFailure.ConnectTimeout; // 503, as on the event loop
            else if (attemptCts?.IsCancellationRequested == true || error == ForwarderError.RequestTimedOut) failure = UpstreamFailure.Timeout;
            else if (IsConnectFailure(error, exception)) failure = UpstreamFailure.ConnectFailed;
            else if (IsClosedBeforeAnswer(error, exception)) failure = UpstreamFailure.ClosedBeforeAnswer;
            else failure = UpstreamFailure.BadResponse;
            if (failure == UpstreamFailure.ConnectFailed) backend.Stats.ConnectError();
            if (context.Features.Get<KestrelExchange>() is { } failed) failed.Failure = failure;
            // YARP may have chosen a status for a bad response already (e.g. 502 or 504): keep it.
            var status = failure == UpstreamFailure.BadResponse && context.Response.StatusCode >= 400
                ? context.Response.StatusCode : UpstreamDecision.Status(failure);
            if (mayRetry && UpstreamDecision.RetryFailure(rule, status, failure)
                && UpstreamDecision.AdmitRetry(rule, context.Features.Get<KestrelExchange>()?.Policy, backend.Stats))
            {
                LogRetry(rule.Name, attempt + 1, status);
                context.Features.Get<KestrelExchange>()?.Policy?.ReleaseEndpoint(status, failure is UpstreamFailure.ConnectFailed or UpstreamFailure.ConnectTimeout);
                backend.Stats.Retry();
                context.Response.Clear();
                RewindBody(context);
                context.Features.Set<IForwarderErrorFeature>(null);
                await BackoffAsync(rule.RetryBackoffFor(attempt + 1), token).ConfigureAwait(false);
                continue;
            }
            await AnswerFailureAsync(context, rule, backend, failure, recorded: true, status, error, exception?.Message).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>
    /// The upstream failed and nothing was sent to the client: the failure's answer (503, 502, 504; 503 overloaded for
    /// a full endpoint). <paramref name="recorded"/>: the failure was counted and put on the exchange already.
    /// </summary>
    private Task AnswerFailureAsync(HttpContext context, CompiledRule rule, BackendRuntime backend, UpstreamFailure failure, bool recorded, int status,
        ForwarderError error, string? reason)
    {
        if (!recorded)
        {
            if (failure == UpstreamFailure.ConnectFailed) backend.Stats.ConnectError();
            if (context.Features.Get<KestrelExchange>() is { } failed) failed.Failure = failure;
        }
        LogForwardError(rule.Name, backend.Id, error, status, reason ?? failure.ToString());
        context.Response.Clear();
        return KestrelReplyWriter.WriteAsync(context, failure == UpstreamFailure.Overflow ? UpstreamDecision.Reply(failure) : LocalReply.Empty(status));
    }

    /// <summary>Envoy's 408 for a request not received within <c>requestReceivedTimeout</c>; an HTTP/1 connection closes after it.</summary>
    private static Task RequestTimedOutAsync(HttpContext context)
    {
        if (!HttpProtocol.IsHttp2(context.Request.Protocol)) context.Response.Headers.Connection = "close";
        return KestrelReplyWriter.WriteAsync(context, Policies.ClientTraffic.Connection.ClientConnectionPolicy.RequestTimeout);
    }

    private static CancellationTokenSource CreateTimeout(CancellationToken parent, TimeSpan timeout)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(parent);
        cts.CancelAfter(timeout);
        return cts;
    }

    private static async Task BackoffAsync(TimeSpan wait, CancellationToken token)
    {
        if (wait <= TimeSpan.Zero) return;
        try
        {
            await Task.Delay(wait, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The next attempt observes the cancellation and answers 504 or stops.
        }
    }

    /// <summary>
    /// Whether the request can be replayed exactly: no body, or a small body (Content-Length up to
    /// <see cref="DataPlaneOptions.MaxRetryBufferedBodySize"/>) that is buffered here first. Upgrades never are.
    /// </summary>
    private async ValueTask<bool> PrepareRetryAsync(HttpContext context, CancellationToken ct)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }) return false;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }) return true;
        var request = context.Request;
        if (request.ContentLength is not { } length || length > _options.MaxRetryBufferedBodySize) return false;
        try
        {
            request.EnableBuffering(_options.MaxRetryBufferedBodySize, _options.MaxRetryBufferedBodySize);
            await request.Body.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
            request.Body.Position = 0;
            return true;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return false;
        }
    }

    private static void RewindBody(HttpContext context)
    {
        if (context.Request.Body.CanSeek) context.Request.Body.Position = 0;
    }

    /// <summary>The backend ended the connection before any response head: Envoy's "disconnect before headers" (503).</summary>
    private static bool IsClosedBeforeAnswer(ForwarderError error, Exception? exception)
    {
        if (error != ForwarderError.Request) return false;
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }) return true;
        return false;
    }

    /// <summary>
    /// SocketsHttpHandler's <c>ConnectTimeout</c> (the data plane's, or a BackendTrafficPolicy's connectTimeout) ran
    /// out: YARP reports it as a timed-out request, but no connection was made (Envoy: 503 UF).
    /// </summary>
    private static bool IsOverflow(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is EndpointOverflowException) return true;
        return false;
    }

    private static bool IsConnectTimeout(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is TimeoutException t && t.Message.Contains("ConnectTimeout", StringComparison.Ordinal)) return true;
        return false;
    }

    private static bool IsConnectFailure(ForwarderError error, Exception? exception)
    {
        if (error != ForwarderError.Request) return false;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError })
                return true;
            if (e is System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or TimeoutException)
                return true;
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rule {Rule}: retry {Attempt} after status {Status}")]
    private partial void LogRetry(string rule, int attempt, int status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rule {Rule}: forwarding to {Backend} failed ({Error}), answering {Status}: {Reason}")]
    private partial void LogForwardError(string rule, string backend, ForwarderError error, int status, string? reason);
}
