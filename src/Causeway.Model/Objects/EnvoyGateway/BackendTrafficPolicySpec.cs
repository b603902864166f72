using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record BackendTrafficPolicySpec
{
    /// <summary>Deprecated single target.</summary>
    public PolicyTargetReference? TargetRef { get; init; }
    public IReadOnlyList<PolicyTargetReference> TargetRefs { get; init; } = [];
    public IReadOnlyList<PolicyTargetSelector> TargetSelectors { get; init; } = [];
    public string? MergeType { get; init; }
    public RateLimitSpec? RateLimit { get; init; }
    public CircuitBreakerSpec? CircuitBreaker { get; init; }
    public FaultInjectionSpec? FaultInjection { get; init; }
    public RetrySpec? Retry { get; init; }
    public TimeoutSpec? Timeout { get; init; }
    public LoadBalancerSpec? LoadBalancer { get; init; }
    public HealthCheckSpec? HealthCheck { get; init; }
    public RequestBufferSpec? RequestBuffer { get; init; }
    public IReadOnlyList<CompressorSpec>? Compressor { get; init; }
    public IReadOnlyList<CompressorSpec>? Compression { get; init; }
    public IReadOnlyList<ResponseOverrideSpec>? ResponseOverride { get; init; }
    public BackendProxyProtocolSpec? ProxyProtocol { get; init; }
    public TcpKeepaliveSpec? TcpKeepalive { get; init; }
    public BackendConnectionSpec? Connection { get; init; }
    public BackendDnsSpec? Dns { get; init; }
    public bool? UseClientProtocol { get; init; }
    public IReadOnlyList<HttpUpgradeSpec>? HttpUpgrade { get; init; }
    public BandwidthLimitSpec? BandwidthLimit { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
