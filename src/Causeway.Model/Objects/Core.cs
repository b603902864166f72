using System.Text.Json.Serialization;

namespace Causeway.Model.Objects;

public sealed record Namespace : KubeObject;

public sealed record Service : KubeObject
{
    public ServiceSpec Spec { get; init; } = new();
}

public sealed record ServiceSpec
{
    public string? Type { get; init; }
    public IReadOnlyDictionary<string, string>? Selector { get; init; }
    public IReadOnlyList<ServicePort> Ports { get; init; } = [];
    public string? ClusterIP { get; init; }
    public string? ExternalName { get; init; }
}

public sealed record ServicePort
{
    public string? Name { get; init; }
    public string? Protocol { get; init; }
    public int Port { get; init; }
    public IntOrString? TargetPort { get; init; }
    public string? AppProtocol { get; init; }
}

/// <summary>Kubernetes IntOrString (Service targetPort).</summary>
[JsonConverter(typeof(IntOrStringConverter))]
public sealed record IntOrString(int? IntValue, string? StringValue)
{
    public override string ToString() => IntValue?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? StringValue ?? "";
}

public sealed record EndpointSlice : KubeObject
{
    public string AddressType { get; init; } = "IPv4";
    public IReadOnlyList<Endpoint> Endpoints { get; init; } = [];
    public IReadOnlyList<EndpointPort> Ports { get; init; } = [];

    [JsonIgnore]
    public string? ServiceName => Metadata.Labels.TryGetValue("kubernetes.io/service-name", out var s) ? s : null;
}

public sealed record Endpoint
{
    public IReadOnlyList<string> Addresses { get; init; } = [];
    public EndpointConditions? Conditions { get; init; }
    public string? Hostname { get; init; }
    public string? NodeName { get; init; }
    public string? Zone { get; init; }
    public ObjectReference? TargetRef { get; init; }
}

public sealed record ObjectReference
{
    public string? Kind { get; init; }
    public string? Name { get; init; }
    public string? Namespace { get; init; }
    public string? Uid { get; init; }
}

public sealed record EndpointConditions
{
    public bool? Ready { get; init; }
    public bool? Serving { get; init; }
    public bool? Terminating { get; init; }
}

public sealed record EndpointPort
{
    public string? Name { get; init; }
    public int? Port { get; init; }
    public string? Protocol { get; init; }
    public string? AppProtocol { get; init; }
}

public sealed record Secret : KubeObject
{
    public string? Type { get; init; }

    /// <summary>Decoded values (data is base64 in YAML; stringData merged over it at load time).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, byte[]> Data { get; init; } = new Dictionary<string, byte[]>();
}

public sealed record ConfigMap : KubeObject
{
    public IReadOnlyDictionary<string, string> Data { get; init; } = ObjectMeta.EmptyMap;
}
