using Causeway.Translation.AccessLog;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>One request (or L4 connection) as logged: the values copied out of the exchange on completion.</summary>
internal sealed class AccessLogEntry : ICelRequest
{
    public DateTimeOffset StartTime { get; init; }
    public string? Method { get; init; }
    public string? Path { get; init; }
    public string? Protocol { get; init; }
    public int ResponseCode { get; init; }
    public string ResponseFlags { get; init; } = "-";
    public string? ResponseCodeDetails { get; init; }
    public long BytesReceived { get; init; }
    public long BytesSent { get; init; }
    public long DurationMs { get; init; }
    public long? UpstreamServiceTimeMs { get; init; }
    public string? XForwardedFor { get; init; }
    public string? UserAgent { get; init; }
    public string? RequestId { get; init; }
    public string? Authority { get; init; }
    public string? UpstreamHost { get; init; }
    public string? UpstreamCluster { get; init; }
    public string? RouteName { get; init; }
    public string? DownstreamRemoteAddress { get; init; }
    public string? DownstreamLocalAddress { get; init; }
    public string? RequestedServerName { get; init; }

    /// <summary>The client's JA3 / JA4 fingerprints (ClientTrafficPolicy tls.fingerprints), or null.</summary>
    public string? TlsJa3 { get; init; }
    public string? TlsJa4 { get; init; }
    public string? TraceId { get; init; }

    /// <summary>
    /// The request headers a Gateway's custom access logs read (names known at apply time, lower case) and their
    /// values, copied in the completion hook; null for the default log, which reads only its own fields.
    /// </summary>
    public string[]? HeaderNames { get; init; }
    public string?[]? HeaderValues { get; init; }

    /// <summary>A request header by lower-case name: pseudo-headers from the fields, others from the copied values.</summary>
    public string? RequestHeader(string name)
    {
        switch (name)
        {
            case ":method": return Method;
            case ":path": return Path;
            case ":authority" or "host": return Authority;
            case "x-forwarded-for" when HeaderNames is null: return XForwardedFor;
            case "user-agent" when HeaderNames is null: return UserAgent;
            case "x-request-id" when HeaderNames is null: return RequestId;
        }
        if (HeaderNames is { } names)
            for (var i = 0; i < names.Length; i++)
                if (string.Equals(names[i], name, StringComparison.Ordinal)) return HeaderValues![i];
        return null;
    }

    public string? RequestAttribute(CelAttribute attribute) => attribute switch
    {
        CelAttribute.Method => Method,
        CelAttribute.Path => Path is { } p && p.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? p[..q] : Path,
        _ => Authority,
    };
}
