using Causeway.Telemetry;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// <c>causeway_oidc_requests_total{policy,result}</c>: what the OIDC steps did, per policy (summed over the Gateways
/// that use it), from the clients kept in the <see cref="StateStore"/>; a result that never happened is not exported.
/// </summary>
internal sealed class OidcCollector(StateStore state) : IMetricsCollector
{
    private static readonly (OidcResult Result, string Label)[] Results =
    [
        (OidcResult.Session, "session"), (OidcResult.Pass, "pass"), (OidcResult.Redirect, "redirect"), (OidcResult.Denied, "denied"),
        (OidcResult.CallbackOk, "callback_ok"), (OidcResult.CallbackError, "callback_error"), (OidcResult.Refresh, "refresh"),
        (OidcResult.RefreshError, "refresh_error"), (OidcResult.Logout, "logout"), (OidcResult.Unavailable, "unavailable"),
    ];

    public void Collect(MetricsWriter writer)
    {
        var runtimes = state.Values<OidcRuntime>();
        if (runtimes.Count == 0) return;
        const string name = "causeway_oidc_requests_total";
        const string help = "Requests the OIDC login of a SecurityPolicy handled, by what it did";
        foreach (var policy in runtimes.GroupBy(r => r.Policy, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var (result, label) in Results)
            {
                var count = policy.Sum(r => r.CountOf(result));
                if (count > 0) writer.Add(name, MetricType.Counter, help, ["policy", "result"], [policy.Key, label], count);
            }
        }
    }
}
