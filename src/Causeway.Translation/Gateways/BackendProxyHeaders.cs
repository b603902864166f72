using Causeway.Translation.Ir;

namespace Causeway.Translation.Gateways;

/// <summary>
/// BackendTrafficPolicy <c>proxyProtocol</c> reaching a Gateway's HTTP backends. A backend's connection pools are shared
/// by every rule using it, so its connections start with the PROXY header of the first policy setting one (in route
/// order) whichever rule they serve. A policy whose version is overruled, or whose backend is also used by rules that
/// ask for no header, is warned in its status (Envoy Gateway keeps a pool per rule and would send no header for those).
/// </summary>
internal sealed class BackendProxyHeaders
{
    private readonly Dictionary<string, (BackendProxyProtocolVersion Version, string Policy)> _chosen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<(string Policy, BackendProxyProtocolVersion Version)>> _overruled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _plain = new(StringComparer.Ordinal);

    /// <summary>A rule under <paramref name="policy"/> (or none) uses these backends.</summary>
    public void Add(BackendTrafficPolicyIr? policy, IEnumerable<string?> backendIds)
    {
        foreach (var id in backendIds)
        {
            if (id is null) continue;
            if (policy?.ProxyProtocol is not { } version)
            {
                _plain.Add(id);
                continue;
            }
            if (!_chosen.TryGetValue(id, out var chosen)) { _chosen[id] = (version, policy.Policy); continue; }
            if (chosen.Version == version) continue;
            if (!_overruled.TryGetValue(id, out var set)) _overruled[id] = set = [];
            set.Add((policy.Policy, version));
        }
    }

    /// <summary>Warnings, per policy (<c>namespace/name</c>), for the HTTP backends <paramref name="backendIds"/>.</summary>
    public void Warn(IEnumerable<string> backendIds, Action<string, string> warn)
    {
        foreach (var id in backendIds.Order(StringComparer.Ordinal))
        {
            if (!_chosen.TryGetValue(id, out var chosen)) continue;
            foreach (var (policy, version) in _overruled.GetValueOrDefault(id) ?? [])
                warn(policy, $"spec.proxyProtocol: {version} is not applied to {id}: BackendTrafficPolicy {chosen.Policy} reaches it first with {chosen.Version}, and a backend's connections are shared by every rule using it");
            if (_plain.Contains(id))
                warn(chosen.Policy, $"spec.proxyProtocol: {id} is also used by rules this policy does not reach (or that set no proxyProtocol); their requests start the backend's connections with the {chosen.Version} PROXY header too, a backend's connections being shared by every rule using it");
        }
    }
}
