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
    private readonly Translation.Ir.BackendProxyProtocolVersion? _proxyProtocol;
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
        _proxyProtocol = target.Backend?.Ir.Connection?.ProxyProtocol;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        // proxyProtocol: the client connection's PROXY header, for a new connection of this client connection's pool.
        if (_proxyProtocol is { } version) proxyRequest.Options.Set(Upstream.ProxiedConnections.HeaderKey, Upstream.ProxiedConnections.Header(httpContext, version));
        var request = httpContext.Request;
        var upstream = UpstreamFor(httpContext);
        if (upstream.RewrittenPath is { } newPath)
        {
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(newPath), request.QueryString);
            if (upstream.OriginalPath is { } originalPath)
            {
                var original = Policies.ClientTraffic.EnvoyHeaders.OriginalPathName.Text;
                proxyRequest.Headers.Remove(original);
                proxyRequest.Headers.TryAddWithoutValidation(original, originalPath);
            }
        }
        // System.Uri decodes percent-escaped unreserved characters (?r=%41 became ?r=A); the query goes on as the client
        // sent it, as the fast paths and Envoy forward it.
        if (request.QueryString.Value?.Contains('%', StringComparison.Ordinal) == true)
        {
            var uri = proxyRequest.RequestUri ?? RequestUtilities.MakeDestinationAddress(destinationPrefix, request.Path, request.QueryString);
            proxyRequest.RequestUri = new Uri(uri.OriginalString, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        }
        proxyRequest.Headers.Host = upstream.Host;
        var clientFor = request.Headers[ForwardedHeaders.For];
        ForwardedHeaders.Write(proxyRequest.Headers, clientFor.Count == 0 ? null : clientFor.ToString(), upstream.AppendedClient, request.Scheme, upstream.ForwardedHost);
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
    /// What this target's request goes upstream with, whichever way it goes (YARP's message or the direct head): the
    /// rewritten path (null: unchanged), the path and query the client sent when enableEnvoyHeaders asks for them (on a
    /// rewritten path), the Host sent, the X-Forwarded-Host value (null: none) and the client address appended to
    /// X-Forwarded-For (null: not appended).
    /// </summary>
    private readonly record struct UpstreamRequest(string? RewrittenPath, string? OriginalPath, string? Host, string? ForwardedHost, System.Net.IPAddress? AppendedClient);

    private UpstreamRequest UpstreamFor(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var exchange = httpContext.Features.Get<KestrelExchange>();
        var path = request.Path.Value ?? "/";
        string? rewritten = null, original = null;
        if (_rewrite is { RewritesPath: true } rewrite)
        {
            rewritten = rewrite.RewritePath(path, _matchedPrefix);
            // enableEnvoyHeaders: the path and query the client sent, as Envoy's router keeps them.
            if (exchange is { ClientPolicy.EnvoyHeaders: true })
                original = httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? path + request.QueryString.Value;
        }
        var host = request.Host.Value;
        var newHost = _rewrite is null ? null
            : exchange is not null ? exchange.RewrittenHost
            : _rewrite.RewriteHost(new HttpRequestView(request), path);
        var forwardedHost = _rewrite is not null && !_rewrite.ForwardsOriginalHost(newHost is not null) ? null : host;
        var appended = exchange?.ClientPolicy?.DisableXffAppend == true ? null : httpContext.Connection.RemoteIpAddress;
        return new UpstreamRequest(rewritten, original, newHost ?? host, forwardedHost, appended);
    }

    /// <summary>
    /// The request head for an HTTP/1.1 backend, for <see cref="Http1Upstream.Http1Forwarder"/>: what
    /// <see cref="TransformRequestAsync"/> gives YARP (path and host rewrite, X-Forwarded-*, the client's headers but
    /// hop-by-hop ones, Connection: close for one request per connection), as the bytes HttpClient would send.
    /// Requests with a trace span go through YARP (the forwarder is not offered them).
    /// </summary>
    public void WriteHttp1Head(HttpContext httpContext, Transports.Http1.ByteBuilder o, bool bodyless)
    {
        var request = httpContext.Request;
        var upstream = UpstreamFor(httpContext);
        o.Clear();
        o.AppendText(request.Method);
        o.Append((byte)' ');
        var path = upstream.RewrittenPath is { } newPath ? new PathString(newPath) : request.Path;
        if (path.HasValue) o.AppendText(path.ToUriComponent());
        else o.Append((byte)'/');
        // The query goes on as the client sent it (as the byte transports and Envoy forward it).
        if (request.QueryString.HasValue) o.AppendText(request.QueryString.Value);
        o.Append(" HTTP/1.1\r\nHost: "u8);
        o.AppendText(upstream.Host);
        o.Append("\r\n"u8);
        var appended = upstream.AppendedClient;
        var originalPath = upstream.OriginalPath;
        var hasLength = false;
        foreach (var header in request.Headers)
        {
            var name = header.Key;
            if (name.Length == 0 || name[0] == ':' || Http1Upstream.Http1Forwarder.SkipsRequestHeader(name)) continue;
            if (appended is not null && name.Equals(ForwardedHeaders.For, StringComparison.OrdinalIgnoreCase)) continue;
            if (originalPath is not null && name.Equals(Policies.ClientTraffic.EnvoyHeaders.OriginalPathName.Text, StringComparison.OrdinalIgnoreCase)) continue;
            hasLength |= name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase);
            foreach (var value in header.Value)
            {
                o.AppendText(name);
                o.Append(": "u8);
                o.AppendText(value);
                o.Append("\r\n"u8);
            }
        }
        // HttpClient announces an empty body for the methods that usually carry one.
        if (!hasLength && bodyless && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)))
            o.Append("Content-Length: 0\r\n"u8);
        var clientFor = appended is null ? null : request.Headers[ForwardedHeaders.For].ToString();
        ForwardedHeaders.Write(o, clientFor, appended, request.Scheme, upstream.ForwardedHost);
        if (originalPath is not null)
        {
            o.AppendText(Policies.ClientTraffic.EnvoyHeaders.OriginalPathName.Text);
            o.Append(": "u8);
            o.AppendText(originalPath);
            o.Append("\r\n"u8);
        }
        if (_oneRequestPerConnection) o.Append("Connection: close\r\n"u8);
        o.Append("\r\n"u8);
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
        return await RespondAsync(httpContext, (int)proxyResponse.StatusCode, result).ConfigureAwait(false);
    }

    /// <summary>
    /// The backend's status and headers are on the response: the rule's response override, the target's response
    /// steps, compression. False when the body is not to be copied (the override answered instead).
    /// </summary>
    public async ValueTask<bool> RespondAsync(HttpContext httpContext, int status, bool result)
    {
        if (_override?.ForBackend(status, httpContext.Response.Headers, new KestrelOverrideRequest(httpContext, httpContext.Features.Get<KestrelExchange>())) is { } replaced)
        {
            // The backend's answer is replaced whole: its headers and body go, the override's reply is written instead.
            httpContext.Response.Headers.Clear();
            await KestrelReplyWriter.WriteAsync(httpContext, replaced, overridden: true).ConfigureAwait(false);
            return false;
        }
        if (httpContext.Features.Get<KestrelExchange>() is { ClientPolicy.EnvoyHeaders: true, UpstreamStart: not 0 } timed)
            httpContext.Response.Headers[Policies.ClientTraffic.EnvoyHeaders.ServiceTimeName.Text] = Policies.ClientTraffic.EnvoyHeaders.ServiceTimeText(timed.UpstreamStart);
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
