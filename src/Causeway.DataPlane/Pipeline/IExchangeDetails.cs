namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// What the access log reads about an exchange that the summary does not carry, asked for only while the completion
/// hook runs (the byte transports reuse their buffers for the next request afterwards): implemented by each transport's
/// per-exchange state, so nothing is captured for requests nobody logs.
/// </summary>
internal interface IExchangeDetails
{
    /// <summary>The request method as sent.</summary>
    string Method { get; }

    /// <summary>The request target's path (and query) as the client sent it.</summary>
    string Path { get; }

    /// <summary>The Host / :authority.</summary>
    string Authority { get; }

    /// <summary>HTTP/1.1, HTTP/2...</summary>
    string Protocol { get; }

    /// <summary>A request header's value (several joined with ","), or null.</summary>
    string? RequestHeader(string name);

    /// <summary>Bytes of the request (head and body) and of the response (head and body) as the client saw them.</summary>
    long BytesReceived { get; }
    long BytesSent { get; }

    /// <summary>The backend endpoint (<c>ip:port</c>) of the last attempt, or null.</summary>
    string? UpstreamHost { get; }

    /// <summary>The client's address and port.</summary>
    string? RemoteAddress { get; }

    /// <summary>The address and port the client connected to (custom access logs' <c>DOWNSTREAM_LOCAL_ADDRESS</c>).</summary>
    string? LocalAddress { get; }

    /// <summary>The TLS server name the client asked for, or null.</summary>
    string? ServerName { get; }

    /// <summary>The JA3 / JA4 fingerprints of the client's ClientHello, when its listener asks for them.</summary>
    string? TlsJa3 => null;
    string? TlsJa4 => null;
    /// <summary>
    /// Writes one of the default access log's request values as a JSON string (or null) into the line being formatted.
    /// This default makes the value's string; the byte transports write their bytes and cached address text instead.
    /// </summary>
    void WriteLogValue(Telemetry.AccessLog.LogBuffer line, LogValue value) => line.String(value switch
    {
        LogValue.Method => Method,
        LogValue.Path => Path,
        LogValue.Protocol => Protocol,
        LogValue.ForwardedFor => RequestHeader("x-forwarded-for"),
        LogValue.UserAgent => RequestHeader("user-agent"),
        LogValue.RequestId => RequestHeader("x-request-id"),
        LogValue.Authority => Authority,
        LogValue.UpstreamHost => UpstreamHost,
        LogValue.RemoteAddress => RemoteAddress,
        _ => ServerName,
    });
}

/// <summary>The request values of the default access log that <see cref="IExchangeDetails.WriteLogValue"/> writes.</summary>
internal enum LogValue
{
    Method,
    Path,
    Protocol,
    ForwardedFor,
    UserAgent,
    RequestId,
    Authority,
    UpstreamHost,
    RemoteAddress,
    ServerName,
}
