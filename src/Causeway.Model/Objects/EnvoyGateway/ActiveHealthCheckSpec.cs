using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.healthCheck.active</c>.</summary>
public sealed record ActiveHealthCheckSpec
{
    public string? Type { get; init; }
    public string? Timeout { get; init; }
    public string? Interval { get; init; }
    public string? InitialJitter { get; init; }
    public int? UnhealthyThreshold { get; init; }
    public int? HealthyThreshold { get; init; }
    public HttpActiveHealthCheckSpec? Http { get; init; }
    public TcpActiveHealthCheckSpec? Tcp { get; init; }
    public GrpcActiveHealthCheckSpec? Grpc { get; init; }
    public HealthCheckOverridesSpec? Overrides { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

public sealed record HttpActiveHealthCheckSpec
{
    public string? Path { get; init; }
    public string? Hostname { get; init; }
    public string? Method { get; init; }
    public List<int>? ExpectedStatuses { get; init; }
    public List<int>? RetriableStatuses { get; init; }
    public HealthCheckPayloadSpec? ExpectedResponse { get; init; }
    public HealthCheckPayloadSpec? RequestBody { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

public sealed record TcpActiveHealthCheckSpec
{
    public HealthCheckPayloadSpec? Send { get; init; }
    public HealthCheckPayloadSpec? Receive { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

public sealed record GrpcActiveHealthCheckSpec
{
    public string? Service { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

public sealed record HealthCheckOverridesSpec
{
    public int? Port { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary>A health check payload: <c>type: Text</c> with <c>text</c>, or <c>type: Binary</c> with base64 <c>binary</c>.</summary>
public sealed record HealthCheckPayloadSpec
{
    public string? Type { get; init; }
    public string? Text { get; init; }
    public string? Binary { get; init; }
}
