using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Causeway.DataPlane.Http;

/// <summary>
/// Precompiled per (match, backendRef): path and host rewrite, X-Forwarded-*, response header edits and CORS
/// response headers. Stateless, shared by all requests taking that route.
/// </summary>
internal sealed class ProxyTransformer : HttpTransformer
{
    private readonly string? _matchedPrefix;
    private readonly Translation.Ir.UrlRewriteIr? _rewrite;
    private readonly HeaderEdits? _ruleResponse;
    private readonly HeaderEdits? _targetResponse;
    private readonly CorsPolicy? _cors;

    public ProxyTransformer(CompiledMatch match, Target target)
    {
        _matchedPrefix = match.MatchedPrefix;
        var ruleRewrite = match.Rule.Rewrite;
        _rewrite = target.Rewrite is null ? ruleRewrite
            : ruleRewrite is null ? target.Rewrite
            : new Translation.Ir.UrlRewriteIr
            {
                Hostname = target.Rewrite.Hostname ?? ruleRewrite.Hostname,
                Path = target.Rewrite.Path ?? ruleRewrite.Path,
            };
        _ruleResponse = match.Rule.ResponseEdits;
        _targetResponse = target.ResponseEdits;
        _cors = match.Rule.Cors;
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var request = httpContext.Request;
        if (_rewrite?.Path is { } pathModifier)
        {
            var newPath = PathRewriter.Apply(pathModifier, _matchedPrefix, request.Path.Value ?? "/");
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
        proxyRequest.Headers.Host = _rewrite?.Hostname ?? originalHost;

        var headers = proxyRequest.Headers;
        var remote = httpContext.Connection.RemoteIpAddress;
        if (remote is not null)
        {
            if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
            var existing = request.Headers["X-Forwarded-For"];
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", existing.Count == 0 ? remote.ToString() : existing.ToString() + ", " + remote);
        }
        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        if (!string.IsNullOrEmpty(originalHost))
        {
            headers.Remove("X-Forwarded-Host");
            headers.TryAddWithoutValidation("X-Forwarded-Host", originalHost);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is not null) ApplyResponseFilters(httpContext);
        return result;
    }

    /// <summary>Response header edits and CORS headers (also used for answers the gateway writes itself).</summary>
    public void ApplyResponseFilters(HttpContext httpContext)
    {
        _ruleResponse?.Apply(httpContext.Response.Headers);
        _targetResponse?.Apply(httpContext.Response.Headers);
        _cors?.ApplyToResponse(httpContext);
    }
}
