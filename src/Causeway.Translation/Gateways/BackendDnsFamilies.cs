using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Gateways;

/// <summary>
/// BackendTrafficPolicy <c>dns.lookupFamily</c> reaching a Gateway's backends. A backend's DNS-named endpoints are
/// resolved once for every route using it, so one family applies: the first set in route order (ports, then listeners,
/// then routes oldest first); a policy asking another family for the same DNS-named backend is warned in its status.
/// Policies that set no family do not compete.
/// </summary>
internal sealed class BackendDnsFamilies
{
    private readonly Dictionary<string, (DnsLookupFamily Family, string Policy)> _chosen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<(string Policy, DnsLookupFamily Family)>> _overruled = new(StringComparer.Ordinal);

    /// <summary>Policy <paramref name="policy"/> reaches the backends of a rule or L4 route.</summary>
    public void Add(BackendTrafficPolicyIr? policy, IEnumerable<string?> backendIds)
    {
        if (policy?.DnsLookupFamily is not { } family) return;
        foreach (var id in backendIds)
        {
            if (id is null) continue;
            if (!_chosen.TryGetValue(id, out var chosen)) { _chosen[id] = (family, policy.Policy); continue; }
            if (chosen.Family == family) continue;
            if (!_overruled.TryGetValue(id, out var set)) _overruled[id] = set = [];
            set.Add((policy.Policy, family));
        }
    }

    /// <summary>
    /// The backends with their family (only those with DNS-named endpoints); <paramref name="warn"/> gets, per
    /// overruled policy (<c>namespace/name</c>), the warning for its status.
    /// </summary>
    public EquatableArray<BackendIr> Apply(EquatableArray<BackendIr> backends, Action<string, string> warn)
    {
        if (_chosen.Count == 0) return backends;
        var result = new BackendIr[backends.Count];
        var i = 0;
        foreach (var b in backends)
        {
            var named = b.Endpoints.Any(e => e.Kind == EndpointKind.Fqdn);
            if (named && _chosen.TryGetValue(b.Id, out var chosen))
            {
                result[i++] = b with { DnsLookupFamily = chosen.Family };
                foreach (var (policy, family) in _overruled.GetValueOrDefault(b.Id) ?? [])
                    warn(policy, $"spec.dns.lookupFamily: {family} is not applied to {b.Id}: BackendTrafficPolicy {chosen.Policy} reaches it first with {chosen.Family}, and a backend's names are resolved one way for every route using it");
            }
            else result[i++] = b;
        }
        return new(result);
    }
}
