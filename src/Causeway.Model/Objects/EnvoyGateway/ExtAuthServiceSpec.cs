using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>extAuth.http</c> or <c>extAuth.grpc</c>: where the authorization service is (path fields: HTTP only).</summary>
public sealed record ExtAuthServiceSpec
{
    /// <summary>Deprecated single reference.</summary>
    public BackendRef? BackendRef { get; init; }
    public IReadOnlyList<BackendRef> BackendRefs { get; init; } = [];
    public string? Path { get; init; }
    public string? PathOverride { get; init; }
    public IReadOnlyList<string> HeadersToBackend { get; init; } = [];

    /// <summary>backendSettings and anything newer.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
