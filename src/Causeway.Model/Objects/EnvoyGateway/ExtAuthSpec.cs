using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>SecurityPolicy <c>extAuth</c>: an external HTTP or gRPC service decides whether a request passes.</summary>
public sealed record ExtAuthSpec
{
    public ExtAuthServiceSpec? Http { get; init; }
    public ExtAuthServiceSpec? Grpc { get; init; }
    public IReadOnlyList<string>? HeadersToExtAuth { get; init; }
    public ExtAuthBodySpec? BodyToExtAuth { get; init; }
    public IReadOnlyList<ExtAuthContextExtensionSpec> ContextExtensions { get; init; } = [];
    public bool? FailOpen { get; init; }
    public int? StatusOnError { get; init; }
    public string? Timeout { get; init; }
    public bool? RecomputeRoute { get; init; }
    public bool? IncludeRouteMetadata { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
