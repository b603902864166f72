using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record RateLimitValueSpec
{
    public long? Requests { get; init; }
    public string? Unit { get; init; }
    public JsonElement? FromMetadata { get; init; }
}
