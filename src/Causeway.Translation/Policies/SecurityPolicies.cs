using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;
using Causeway.Translation.Routes;

namespace Causeway.Translation.Policies;

/// <summary>
/// The SecurityPolicies of one translation: each compiled once, attached by <see cref="PolicyAttachment{TPolicy}"/>
/// (the mechanism BackendTrafficPolicy uses: oldest wins a target, the most specific wins a rule, whole) and applied
/// to the rules of the routes they reach. An invalid policy still holds its targets, so what it protects fails closed.
/// </summary>
internal sealed class SecurityPolicies(ResourceSnapshot s, BackendResolver backends, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    : RulePolicies<SecurityPolicy, CompiledSecurityPolicy>(s.SecurityPolicies, p => SecurityPolicyCompiler.Compile(p, s, backends), s, AllowedKinds, holdsTargets: true, namespaceLabels)
{
    /// <summary>The kinds a SecurityPolicy may target (its CRD's CEL rules).</summary>
    public static readonly IReadOnlySet<string> AllowedKinds = new HashSet<string>(StringComparer.Ordinal)
        { "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute" };
}
