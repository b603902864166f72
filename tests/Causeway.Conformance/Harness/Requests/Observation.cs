namespace Causeway.Conformance.Harness.Requests;

/// <summary>What the client saw for one request/exchange.</summary>
public sealed record Observation
{
    /// <summary>Transport-level failure (connect refused, TLS handshake failed, reset, timeout ...); null when a response arrived.</summary>
    public string? TransportError { get; init; }

    /// <summary>True when the failure happened during the TLS handshake (before any application data).</summary>
    public bool HandshakeFailed { get; init; }

    /// <summary>True when the failure is a certificate verification error on the client side.</summary>
    public bool CertificateRejected { get; init; }

    public int Status { get; init; }
    public string? Protocol { get; init; }

    /// <summary>Response headers, names as received, all values.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Headers { get; init; } = [];
    public string? ContentType { get; init; }
    public string Body { get; init; } = "";

    /// <summary>The echo JSON, when the body is one (HTTP: only with Content-Type application/json).</summary>
    public EchoResponse? Echo { get; init; }

    /// <summary>The gateway asked for a client certificate during the TLS handshake.</summary>
    public bool ClientCertificateRequested { get; init; }

    /// <summary>Diagnostics of the TLS handshake (client certificate selection calls).</summary>
    public string? TlsNotes { get; init; }

    /// <summary>gRPC status code name (OK, Unimplemented ...).</summary>
    public string? GrpcCode { get; init; }

    /// <summary>TCP: the backend's answer to IS_TLS; websocket: all messages echoed; DNS: a reply arrived.</summary>
    public bool? Flag { get; init; }

    public IReadOnlyList<string>? HeaderValues(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Value).ToList();
        return values.Count == 0 ? null : values;
    }

    public override string ToString() =>
        TransportError is not null ? $"transport error: {TransportError}"
        : GrpcCode is not null ? $"grpc {GrpcCode}" + (Echo is null ? "" : $" pod={Echo.Pod}")
        : Status != 0 ? $"HTTP {Status}" + (Echo is null ? "" : $" from pod={Echo.Pod} ns={Echo.Namespace} path={Echo.Path}")
        : Echo is not null ? $"echo pod={Echo.Pod} ns={Echo.Namespace} service={Echo.Service}"
        : $"flag={Flag}";
}
