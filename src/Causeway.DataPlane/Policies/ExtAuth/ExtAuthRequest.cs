using System.Net;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// What a check needs from the client's request, read synchronously when the step starts (the transport's view is not
/// valid afterwards): method, target, host, scheme, protocol, headers, addresses, and on the Kestrel pipeline the
/// request itself, whose body a policy with <c>bodyToExtAuth</c> reads.
/// </summary>
internal sealed class ExtAuthRequest
{
    public required string Method { get; init; }

    /// <summary>Path and query as sent.</summary>
    public required string RawTarget { get; init; }
    public required string Host { get; init; }
    public required string Scheme { get; init; }
    public required string Protocol { get; init; }

    /// <summary>The headers the check reads (HTTP services: the selected ones; gRPC: all, filtered when sent).</summary>
    public required List<KeyValuePair<string, string>> Headers { get; init; }

    public IPAddress? Source { get; init; }
    public int SourcePort { get; init; }
    public IPAddress? Destination { get; init; }
    public int DestinationPort { get; init; }

    /// <summary>The route's metadata a gRPC check carries (<c>includeRouteMetadata</c>), made once per rule; null: none.</summary>
    public Envoy.Config.Core.V3.Metadata? RouteMetadata { get; init; }

    /// <summary>The Kestrel request (its body), or null on a byte transport.</summary>
    public HttpRequest? Kestrel { get; init; }

    /// <summary>The request's body as read for the check (up to the policy's limit), or null.</summary>
    public byte[]? Body { get; set; }

    public bool HasHeader(string name)
    {
        foreach (var (n, _) in Headers)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    public string? Header(string name)
    {
        string? joined = null;
        foreach (var (n, v) in Headers)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) joined = joined is null ? v : joined + "," + v;
        return joined;
    }
}
