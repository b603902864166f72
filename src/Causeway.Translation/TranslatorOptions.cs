using System.Collections.Immutable;
using Causeway.Model.Objects;

namespace Causeway.Translation;

public sealed record TranslatorOptions
{
    public const string DefaultControllerName = "gateway.causeway.dev/gatewayclass-controller";
    public const string EnvoyGatewayControllerName = "gateway.envoyproxy.io/gatewayclass-controller";

    /// <summary>GatewayClass controllerNames this instance accepts. The first is written in route status.</summary>
    public ImmutableArray<string> ControllerNames { get; init; } = [DefaultControllerName];

    /// <summary>Time stamped on conditions that changed (the translator reads no clock).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>Statuses of the previous translation: unchanged conditions keep their lastTransitionTime.</summary>
    public ImmutableDictionary<ObjectKey, object> PreviousStatuses { get; init; } = ImmutableDictionary<ObjectKey, object>.Empty;

    /// <summary>
    /// This machine's addresses, shown in status.addresses of a Gateway that neither requests nor is assigned an
    /// address (standalone without an address pool: it binds every address, so these reach it). Not bound by anything.
    /// </summary>
    public ImmutableArray<string> ReachableAddresses { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>Addresses the runtime assigned to Gateways (<c>namespace/name</c> -> IPs), shown in status.addresses and bound.</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> AssignedAddresses { get; init; } = ImmutableDictionary<string, ImmutableArray<string>>.Empty;

    /// <summary>Listeners the data plane could not bind (<c>ns/gateway/listener</c> -> reason), reported Programmed=False.</summary>
    public ImmutableDictionary<string, string> ListenerFailures { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>True when addresses are assigned by infrastructure that may not have answered yet (Kubernetes mode).</summary>
    public bool AddressesFromInfrastructure { get; init; }

    /// <summary>
    /// Gateways (<c>namespace/name</c>) whose proxies have not yet acknowledged their current configuration (Kubernetes
    /// mode): reported Programmed=False with reason Pending once an address is assigned.
    /// </summary>
    public ImmutableHashSet<string> PendingGateways { get; init; } = ImmutableHashSet<string>.Empty;

    /// <summary>
    /// Whether the data plane has a Redis to count global rate limits in (<c>--rate-limit-redis</c>): false warns every
    /// BackendTrafficPolicy with <c>rateLimit.global</c>; null (not known where translation runs) says nothing.
    /// </summary>
    public bool? GlobalRateLimitBackend { get; init; }

    public string StatusControllerName => ControllerNames[0];
}
