using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Causeway.DataPlane.Transports.Kestrel;

/// <summary>
/// Per-request wrapper used only for retryable requests: when the backend answers a retryable status and attempts
/// remain, the response is discarded (not copied to the client) and the caller retries.
/// </summary>
internal sealed class RetryTransformer : HttpTransformer
{
    private readonly ProxyTransformer _inner;
    private readonly CompiledRule _rule;

    public RetryTransformer(ProxyTransformer inner, CompiledRule rule)
    {
        _inner = inner;
        _rule = rule;
    }

    /// <summary>Set by the caller before each attempt.</summary>
    public bool MayRetry { get; set; }

    /// <summary>Set when the last attempt's response was discarded for a retry.</summary>
    public bool RetryRequested { get; private set; }

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        RetryRequested = false;
        return _inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (MayRetry && proxyResponse is not null && UpstreamDecision.RetryAnswer(_rule, (int)proxyResponse.StatusCode, GrpcStatus(proxyResponse))
            && (_rule.RetryLimit is null || Admit(httpContext)))
        {
            RetryRequested = true;
            return ValueTask.FromResult(false);
        }
        return _inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    /// <summary>The circuit breaker has room for this retry (else the answer goes to the client as it is).</summary>
    private bool Admit(HttpContext httpContext)
    {
        var exchange = httpContext.Features.Get<KestrelExchange>();
        return UpstreamDecision.AdmitRetry(_rule, exchange?.Policy, exchange?.Backend?.Stats);
    }

    /// <summary>The <c>grpc-status</c> of a trailers-only gRPC answer (in its headers), when the rule retries gRPC statuses.</summary>
    private int? GrpcStatus(HttpResponseMessage response)
    {
        if (_rule.RetryGrpcCodes.Length == 0 || !response.Headers.TryGetValues("grpc-status", out var values)) return null;
        foreach (var v in values)
            if (int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)) return code;
        return null;
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        _inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
}
