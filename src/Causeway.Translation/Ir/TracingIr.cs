using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// A Gateway's tracing (from the <c>telemetry.tracing</c> of its EnvoyProxy or ProxyConfig): the OTLP collector, the
/// sampling rate for requests that carry no sampling decision of their own, and the custom tags of every span.
/// </summary>
public sealed record TracingIr
{
    /// <summary>The collector's base address, e.g. <c>http://10.0.0.7:4317</c>.</summary>
    public required string Endpoint { get; init; }

    public TracingProtocol Protocol { get; init; } = TracingProtocol.Grpc;

    /// <summary>Percentage (0-100) of requests without a parent decision that are sampled.</summary>
    public double SamplingRate { get; init; } = 100;

    /// <summary>The <c>service.name</c> resource attribute (<c>name.namespace</c> of the Gateway, as Envoy Gateway).</summary>
    public required string ServiceName { get; init; }

    public EquatableArray<CustomTagIr> CustomTags { get; init; } = EquatableArray<CustomTagIr>.Empty;
}
