using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.bandwidthLimit</c>: throughput of request bodies sent to, and response bodies received from, the backend.</summary>
public sealed record BandwidthLimitSpec
{
    public BandwidthDirectionSpec? Request { get; init; }
    public BandwidthDirectionSpec? Response { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary>One direction of <c>spec.bandwidthLimit</c>: its <c>limit</c> (and, for responses, <c>responseTrailers</c>).</summary>
public sealed record BandwidthDirectionSpec
{
    public BandwidthRateSpec? Limit { get; init; }
    public JsonElement? ResponseTrailers { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary><c>limit</c>: <see cref="Value"/> bytes (a quantity, e.g. 100Ki) per <see cref="Unit"/> (Second, Minute, Hour).</summary>
public sealed record BandwidthRateSpec
{
    public JsonElement? Value { get; init; }
    public string? Unit { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
