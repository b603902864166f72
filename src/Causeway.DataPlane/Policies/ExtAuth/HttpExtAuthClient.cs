using System.Net;
using Causeway.DataPlane.Upstream;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// <c>extAuth.http</c>: the check is a request to the service with the client's method, the path prefix and the
/// client's path and query (or the path override), the client's Host, Authorization and selected headers, and the body
/// when the policy sends it (Content-Length always: 0 without a body). A 2xx answer allows the request, and its headers
/// named in <c>headersToBackend</c> replace the client's on the way to the backend (<c>x-envoy-auth-headers-to-remove</c>
/// removes some); a 5xx answer is a failure of the service (the policy's failure mode decides, as Envoy does); any other
/// answer goes to the client with its status, headers and body.
/// </summary>
internal sealed class HttpExtAuthClient : IExtAuthClient
{
    /// <summary>The most of a denial's body passed on (a bigger one is cut).</summary>
    private const int MaxDenialBody = 64 * 1024;

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer", "expect",
    };

    private readonly ExtAuthIr _ir;
    private readonly BackendRuntime _backend;

    public HttpExtAuthClient(ExtAuthIr ir, BackendRuntime backend)
    {
        _ir = ir;
        _backend = backend;
    }

    public string Describe() =>
        $"http {_backend.Id}{(_ir.PathOverride is { } o ? " pathOverride=" + o : _ir.PathPrefix is { } p ? " path=" + p : "")}" +
        (_ir.HeadersToBackend.Count > 0 ? $" headersToBackend=[{string.Join(",", _ir.HeadersToBackend)}]" : "");

    public async Task<ExtAuthAnswer> CheckAsync(ExtAuthRequest request, CancellationToken cancel)
    {
        if (_backend.NextPrefix() is not { } prefix) return ExtAuthAnswer.Failed;
        var path = _ir.PathOverride ?? (_ir.PathPrefix + request.RawTarget);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), prefix + path)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = new ByteArrayContent(request.Body ?? []),
        };
        message.Headers.TryAddWithoutValidation("Host", request.Host);
        foreach (var (name, value) in request.Headers)
        {
            if (NotForwarded.Contains(name) || name.StartsWith(':')) continue;
            if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content.Headers.TryAddWithoutValidation(name, value);
        }
        HttpResponseMessage response;
        try
        {
            response = await _backend.Invoker.SendAsync(message, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException)
        {
            return ExtAuthAnswer.Failed;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return Allow(response);
            if (status >= 500) return ExtAuthAnswer.Failed;
            byte[] body;
            try
            {
                body = await ReadBoundedAsync(response.Content, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return ExtAuthAnswer.Failed;
            }
            return new ExtAuthAnswer(ExtAuthResult.Deny, ExtAuthReplies.Denial(status, Lines(response), body), null);
        }
    }

    private ExtAuthAnswer Allow(HttpResponseMessage response)
    {
        List<HeaderMutation>? edits = null;
        foreach (var name in _ir.HeadersToBackend)
        {
            if (!response.Headers.TryGetValues(name, out var values) && !response.Content.Headers.TryGetValues(name, out values)) continue;
            var value = string.Join(",", values);
            if (ExtAuthReplies.Editable(name, value)) (edits ??= []).Add(new HeaderMutation(MutationKind.Set, name, value));
        }
        if (response.Headers.TryGetValues("x-envoy-auth-headers-to-remove", out var remove))
            foreach (var list in remove)
                foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    if (ExtAuthReplies.Editable(part, null)) (edits ??= []).Add(new HeaderMutation(MutationKind.Remove, part));
        return edits is null ? ExtAuthAnswer.Allowed : new ExtAuthAnswer(ExtAuthResult.Allow, null, edits);
    }

    private static IEnumerable<KeyValuePair<string, string>> Lines(HttpResponseMessage response)
    {
        foreach (var (name, values) in response.Headers)
            foreach (var v in values) yield return new(name, v);
        foreach (var (name, values) in response.Content.Headers)
            foreach (var v in values) yield return new(name, v);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancel)
    {
        var stream = await content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxDenialBody];
            var total = 0;
            while (total < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(total), cancel).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
            return buffer.AsSpan(0, total).ToArray();
        }
    }
}
