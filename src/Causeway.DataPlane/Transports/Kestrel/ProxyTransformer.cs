using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>
/// Precompiled per (match, backendRef): path and host rewrite, X-Forwarded-*, and the target's response steps. Stateless, shared by all requests taking that route.
/// </summary>
internal sealed class ProxyTransformer : HttpTransformer
{
    private readonly string? _matchedPrefix;
    private readonly UrlRewriteStep? _rewrite;
    private readonly PlanTarget _target;
    private readonly Policies.Compression.CompressionStep? _compression;
    private readonly Policies.ResponseOverride.ResponseOverrideStep? _override;
    private readonly bool _oneRequestPerConnection;
    private readonly Policies.HttpUpgrade.HttpUpgradePolicy _upgrades;

    public ProxyTransformer(CompiledMatch match, PlanTarget target)
    {
        _matchedPrefix = match.MatchedPrefix;
        _rewrite = target.UrlRewrite;
        _target = target;
        _compression = match.Rule.Compression;
        _override = match.Rule.ResponseOverride;
        _upgrades = match.Rule.Upgrades;
        // circuitBreaker.maxRequestsPerConnection: SocketsHttpHandler neither counts requests per connection nor closes
        // one after a request that said Connection: close; 1 is served by asking the HTTP/1.1 backend to close it after
        // its response, as RFC 9112 (9.6) requires of servers (the translator warns that above 1 is not served here).
        _oneRequestPerConnection = target.Backend?.Ir.Connection?.MaxRequestsPerConnection == 1;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var request = httpContext.Request;
        var path = request.Path.Value ?? "/";
        if (_rewrite is { RewritesPath: true } rewrite)
        {
            var newPath = rewrite.RewritePath(path, _matchedPrefix);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(newPath), request.QueryString);
        }
        // System.Uri decodes percent-escaped unreserved characters (?r=%41 became ?r=A); the query goes on as the client
        // sent it, as the fast paths and Envoy forward it.
        if (request.QueryString.Value?.Contains('%', StringComparison.Ordinal) == true)
        {
            var uri = proxyRequest.RequestUri ?? RequestUtilities.MakeDestinationAddress(destinationPrefix, request.Path, request.QueryString);
            proxyRequest.RequestUri = new Uri(uri.OriginalString, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        }
        var originalHost = request.Host.Value;
        var newHost = _rewrite is null ? null
            : httpContext.Features.Get<KestrelExchange>() is { } kx ? kx.RewrittenHost
            : _rewrite.RewriteHost(new HttpRequestView(request), path);
        proxyRequest.Headers.Host = newHost ?? originalHost;
        if (_rewrite is not null && !_rewrite.ForwardsOriginalHost(newHost is not null)) originalHost = null;

        var clientFor = request.Headers[ForwardedHeaders.For];
        var appended = httpContext.Features.Get<KestrelExchange>()?.ClientPolicy?.DisableXffAppend == true ? null : httpContext.Connection.RemoteIpAddress;
        ForwardedHeaders.Write(proxyRequest.Headers, clientFor.Count == 0 ? null : clientFor.ToString(), appended, request.Scheme, originalHost);
        if (httpContext.Features.Get<KestrelExchange>() is { Tracer: { } tracer, ServerSpan: { } server } exchange)
            ContinueTrace(proxyRequest, tracer, server, exchange);
        if (_oneRequestPerConnection && proxyRequest.Version.Major == 1) proxyRequest.Headers.ConnectionClose = true;
        if (proxyRequest.Version.Major == 1 && !proxyRequest.Headers.Contains("Upgrade")) ForwardUpgrade(httpContext, proxyRequest);
    }

    /// <summary>
    /// An upgrade the rule allows (<see cref="Policies.HttpUpgrade.HttpUpgradePolicy"/>) that YARP does not forward
    /// itself (it keeps only websocket and SPDY upgrades): its Upgrade and Connection headers go on to the backend, and
    /// YARP relays the connection both ways once the backend answers 101, as it does for websocket.
    /// </summary>
    private void ForwardUpgrade(HttpContext httpContext, HttpRequestMessage proxyRequest)
    {
        if (httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>() is not { IsUpgradableRequest: true }) return;
        var upgrade = httpContext.Request.Headers.Upgrade;
        if (upgrade.Count != 1 || string.IsNullOrEmpty(upgrade[0]) || !_upgrades.Allows(upgrade[0])) return;
        proxyRequest.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        proxyRequest.Headers.TryAddWithoutValidation("Upgrade", upgrade[0]);
    }

    /// <summary>
    /// A CLIENT span for this upstream attempt (the previous attempt's, if any, ends as retried), and the trace continued
    /// to the backend with it as parent: the client's traceparent replaced, its tracestate passed on as it came.
    /// </summary>
    private static void ContinueTrace(HttpRequestMessage proxyRequest, Telemetry.Tracing.GatewayTracer tracer, System.Diagnostics.Activity server, KestrelExchange exchange)
    {
        if (exchange.ClientSpan is { } previous) Telemetry.Tracing.SpanEnds.EndAttempt(previous, "retried");
        var client = exchange.ClientSpan = tracer.StartClient(server, exchange.Start, exchange.Method, exchange.Backend, exchange.Attempts++);
        if (client is null) return;
        proxyRequest.Headers.Remove(Telemetry.Tracing.TraceParent.HeaderName);
        proxyRequest.Headers.TryAddWithoutValidation(Telemetry.Tracing.TraceParent.HeaderName, Telemetry.Tracing.TraceParent.Format(client));
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is null) return result;
        if (_override?.ForBackend((int)proxyResponse.StatusCode, httpContext.Response.Headers, new KestrelOverrideRequest(httpContext, httpContext.Features.Get<KestrelExchange>())) is { } replaced)
        {
            // The backend's answer is replaced whole: its headers and body go, the override's reply is written instead.
            httpContext.Response.Headers.Clear();
            await KestrelReplyWriter.WriteAsync(httpContext, replaced, overridden: true).ConfigureAwait(false);
            return false;
        }
        ApplyResponseFilters(httpContext);
        if (result && _compression is { } compression && httpContext.Features.Get<KestrelExchange>() is { } exchange)
            exchange.Compressing = compression.Begin(httpContext);
        return result;
    }

    /// <summary>The target's response steps (header edits, CORS), as every transport runs them.</summary>
    public void ApplyResponseFilters(HttpContext httpContext)
    {
        if (httpContext.Features.Get<KestrelExchange>()?.Policy is { HasRateLimitHeaders: true } policy)
        {
            var headers = httpContext.Response.Headers;
            headers[RateLimitHeaders.Limit] = policy.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers[RateLimitHeaders.Remaining] = policy.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers[RateLimitHeaders.Reset] = policy.ResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (_target.ResponseSteps.Length == 0) return;
        var editor = new DictionaryHeaderEditor(httpContext.Response.Headers);
        _target.ApplyResponseSteps(new HttpRequestView(httpContext.Request), ref editor);
    }
}
