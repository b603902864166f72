using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record ClientTrafficPolicySpec
{
    /// <summary>Deprecated single target.</summary>
    public PolicyTargetReference? TargetRef { get; init; }
    public IReadOnlyList<PolicyTargetReference> TargetRefs { get; init; } = [];
    public IReadOnlyList<PolicyTargetSelector> TargetSelectors { get; init; } = [];
    public ClientIpDetectionSpec? ClientIPDetection { get; init; }
    public ClientHeaderSettingsSpec? Headers { get; init; }
    public ListenerHealthCheckSpec? HealthCheck { get; init; }
    public ProxyProtocolSpec? ProxyProtocol { get; init; }

    /// <summary>Deprecated: <see cref="ProxyProtocol"/> without <c>optional</c>.</summary>
    public bool? EnableProxyProtocol { get; init; }
    public ClientTlsSpec? Tls { get; init; }
    public ClientConnectionSpec? Connection { get; init; }
    public ClientTimeoutSpec? Timeout { get; init; }
    public ClientPathSpec? Path { get; init; }
    public ClientHttp2Spec? Http2 { get; init; }
    public ClientHttp1Spec? Http1 { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
