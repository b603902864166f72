namespace Causeway.Model.Objects;

/// <summary>
/// <c>spec.telemetry</c> of a ProxyConfig, or of an Envoy Gateway <c>EnvoyProxy</c> (same shape for the fields read).
/// </summary>
public sealed record ProxyTelemetry
{
    /// <summary>Distributed tracing (<c>spec.telemetry.tracing</c>); null: off.</summary>
    public ProxyTracing? Tracing { get; init; }

    /// <summary>Access logs (<c>spec.telemetry.accessLog</c>, EnvoyProxy only); null: the data plane's default log.</summary>
    public ProxyAccessLog? AccessLog { get; init; }
}
