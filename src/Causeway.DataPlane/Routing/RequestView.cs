using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Routing;

/// <summary>
/// What route matching reads from a request besides its path: the method, header values and the raw query. Both the
/// Kestrel pipeline (<see cref="HttpRequestView"/>) and the HTTP/1.1 fast path implement it as a struct, so the one
/// compiled matcher serves both without boxing.
/// </summary>
internal interface IRequestView
{
    /// <summary>Whether the request method is exactly <paramref name="method"/> (upper case, ordinal).</summary>
    bool MethodIs(string method);

    /// <summary>The header's values (name case-insensitive); several values are joined with "," by the caller.</summary>
    bool TryGetHeader(string name, out StringValues values);

    /// <summary>
    /// Whether the header is present and its value (several joined with ",") equals <paramref name="value"/> ordinally;
    /// the same as <see cref="TryGetHeader"/> and a comparison, without making strings where the view can avoid it.
    /// </summary>
    bool HeaderEquals(string name, string value);

    /// <summary>The raw query string including its leading '?', or null when there is none.</summary>
    string? Query { get; }

    /// <summary>The Host header as sent (with any port).</summary>
    string Host { get; }

    /// <summary>
    /// The path as Kestrel presents it (percent-decoded except %2F); null when the view cannot present it exactly
    /// (a byte transport meeting an escaped path), in which case a step that needs it asks for the full pipeline.
    /// </summary>
    string? DecodedPath { get; }

    /// <summary>The method as sent (for a request to another service, e.g. external authorization: allocates on byte transports).</summary>
    string Method { get; }

    /// <summary>The request target as sent: path and query, not decoded.</summary>
    string RawTarget { get; }

    /// <summary>The protocol as written in a request line: <c>HTTP/1.1</c>, <c>HTTP/2</c>.</summary>
    string Protocol { get; }

    /// <summary>Adds every header (names as sent, one entry per field) to <paramref name="into"/>; allocates, not for the hot path.</summary>
    void CollectHeaders(List<KeyValuePair<string, string>> into);
}

/// <summary>An <see cref="HttpRequest"/> as the route matcher sees it.</summary>
internal readonly struct HttpRequestView : IRequestView
{
    private readonly HttpRequest _request;

    public HttpRequestView(HttpRequest request) => _request = request;

    public bool MethodIs(string method) => string.Equals(_request.Method, method, StringComparison.Ordinal);

    public bool TryGetHeader(string name, out StringValues values) => _request.Headers.TryGetValue(name, out values);

    public bool HeaderEquals(string name, string value) =>
        _request.Headers.TryGetValue(name, out var values) && string.Equals(ValueCondition.Joined(values), value, StringComparison.Ordinal);

    public string? Query => _request.QueryString.Value;

    public string Host => _request.Host.Value ?? "";

    public string? DecodedPath => _request.Path.HasValue ? _request.Path.Value : "/";

    public string Method => _request.Method;

    public string RawTarget =>
        _request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : _request.PathBase.Add(_request.Path).ToUriComponent() + _request.QueryString.ToUriComponent();

    public string Protocol => _request.Protocol;

    public void CollectHeaders(List<KeyValuePair<string, string>> into)
    {
        foreach (var (name, values) in _request.Headers)
            foreach (var value in values)
                into.Add(new(name, value ?? ""));
    }

    /// <summary>The request itself (its body, for steps that read it on the Kestrel pipeline).</summary>
    internal HttpRequest Request => _request;
}
