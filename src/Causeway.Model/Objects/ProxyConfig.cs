namespace Causeway.Model.Objects;

/// <summary>
/// Causeway's parameters resource (gateway.causeway.dev/v1alpha1 ProxyConfig): the Kubernetes shape of a Gateway's proxy
/// fleet. An Envoy Gateway <c>EnvoyProxy</c> (gateway.envoyproxy.io/v1alpha1) is read into the same type for the fields the
/// seed uses, keeping its own kind so references to it resolve.
/// </summary>
public sealed record ProxyConfig : KubeObject
{
    public ProxyConfigSpec Spec { get; init; } = new();
}

public sealed record ProxyConfigSpec
{
    public int? Replicas { get; init; }
    public ResourceRequirements? Resources { get; init; }
    public ProxyPodSpec? Pod { get; init; }
    public ProxyServiceSpec? Service { get; init; }

    /// <summary>Tracing (and, later, other telemetry) of the proxies.</summary>
    public ProxyTelemetry? Telemetry { get; init; }
}

public sealed record ResourceRequirements
{
    public IReadOnlyDictionary<string, string> Requests { get; init; } = ObjectMeta.EmptyMap;
    public IReadOnlyDictionary<string, string> Limits { get; init; } = ObjectMeta.EmptyMap;
}

public sealed record ProxyPodSpec
{
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = ObjectMeta.EmptyMap;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = ObjectMeta.EmptyMap;
}

public sealed record ProxyServiceSpec
{
    public string? Type { get; init; }
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = ObjectMeta.EmptyMap;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = ObjectMeta.EmptyMap;
    public string? LoadBalancerClass { get; init; }
    public string? ExternalTrafficPolicy { get; init; }
}
