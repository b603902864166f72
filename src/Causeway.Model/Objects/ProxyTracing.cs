namespace Causeway.Model.Objects;

/// <summary>
/// <c>spec.telemetry.tracing</c> as Envoy Gateway defines it: where spans go, how many requests are sampled and the
/// custom tags every span carries.
/// </summary>
public sealed record ProxyTracing
{
    /// <summary>Percentage (0-100) of requests without a sampled/unsampled parent that are traced; default 100.</summary>
    public int? SamplingRate { get; init; }

    /// <summary>The sampling rate as a fraction; takes precedence over <see cref="SamplingRate"/> when set.</summary>
    public SamplingFraction? SamplingFraction { get; init; }

    public TracingProvider? Provider { get; init; }

    /// <summary>Tags added to every span, by tag name.</summary>
    public IReadOnlyDictionary<string, TracingCustomTag> CustomTags { get; init; } = new Dictionary<string, TracingCustomTag>();
}
