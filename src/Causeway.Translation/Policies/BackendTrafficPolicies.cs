using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// The BackendTrafficPolicies of one translation: each compiled once, attached by <see cref="PolicyAttachment{TPolicy}"/>,
/// and applied to the rules of the routes they reach: route rule (sectionName) &gt; route &gt; ListenerSet listener
/// &gt; ListenerSet &gt; Gateway listener (sectionName) &gt; Gateway, the most specific wins whole.
/// </summary>
internal sealed class BackendTrafficPolicies(ResourceSnapshot s, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels, bool? globalRateLimitBackend = null)
    : RulePolicies<BackendTrafficPolicy, CompiledBackendTrafficPolicy>(s.BackendTrafficPolicies, p => BackendTrafficPolicyCompiler.Compile(p, s, globalRateLimitBackend), s, AllowedKinds, holdsTargets: false, namespaceLabels)
{
    /// <summary>The kinds a BackendTrafficPolicy may target (its CRD's CEL rules).</summary>
    public static readonly IReadOnlySet<string> AllowedKinds = new HashSet<string>(StringComparer.Ordinal)
        { "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute" };
}
