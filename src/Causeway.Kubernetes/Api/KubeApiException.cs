using System.Net;

namespace Causeway.Kubernetes.Api;

/// <summary>A non-success answer of the API server (the body is its Status message when there is one).</summary>
public sealed class KubeApiException(HttpStatusCode status, string method, string path, string body)
    : Exception($"{method} {path}: {(int)status} {status}: {Truncate(body)}")
{
    public HttpStatusCode StatusCode { get; } = status;

    private static string Truncate(string s) => s.Length > 300 ? s[..300] + "..." : s;
}
