namespace Causeway.Model.Objects;

/// <summary>
/// Where spans are exported: an OTLP collector named by <see cref="Host"/>/<see cref="Port"/> or by
/// <see cref="BackendRefs"/> (a Service). <see cref="Protocol"/> (Causeway's addition) chooses OTLP over gRPC
/// (<c>grpc</c>, the default) or HTTP/protobuf (<c>http/protobuf</c>, the default on port 4318).
/// </summary>
public sealed record TracingProvider
{
    /// <summary>Only <c>OpenTelemetry</c> is served (the default).</summary>
    public string? Type { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public IReadOnlyList<TracingBackendRef> BackendRefs { get; init; } = [];
    public string? Protocol { get; init; }
}
