using System.Net;
using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Causeway.Kubernetes.Informers;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Infrastructure;

/// <summary>
/// Applies every served Gateway's infrastructure with server-side apply (our field manager: fields others set are left
/// alone), skipping objects whose desired body did not change since the last apply; deletes infrastructure of Gateways
/// that are no longer served (owner references cascade within a namespace; this also covers a shared namespace).
/// </summary>
internal sealed class InfraApplier(KubeApi api, ControllerOptions options, IReadOnlyList<Informer> services, ILogger log)
{
    private readonly Dictionary<(ResourceType, string, string), string> _applied = [];

    public int Applies { get; private set; }

    public async Task ApplyAsync(TranslationResult result, ResourceSnapshot snapshot, CancellationToken ct)
    {
        var wanted = new HashSet<(string, string)>();
        foreach (var ir in result.Gateways)
        {
            var slash = ir.Name.IndexOf('/');
            var gw = snapshot.Get<Gateway>("Gateway", ir.Name[..slash], ir.Name[(slash + 1)..]);
            if (gw is null) continue;
            var config = result.ProxyConfigs.GetValueOrDefault(ir.Name);
            foreach (var o in InfraBuilder.Build(gw, ir, config, options))
            {
                wanted.Add((o.Namespace, o.Name));
                var body = o.Body.ToJsonString();
                var key = (o.Type, o.Namespace, o.Name);
                var present = o.Type != ResourceType.Services || services.Any(i => i.Get(o.Namespace, o.Name) is not null);
                if (present && _applied.TryGetValue(key, out var last) && last == body) continue;
                await api.PatchAsync(o.Type, o.Namespace, o.Name, o.Body, KubeApi.ApplyPatch, ct, fieldManager: options.FieldManager, force: true).ConfigureAwait(false);
                _applied[key] = body;
                Applies++;
                log.LogInformation("applied {Kind} {Namespace}/{Name} for Gateway {Gateway}", o.Type.Kind, o.Namespace, o.Name, ir.Name);
            }
        }
        await DeleteOrphansAsync(wanted, ct).ConfigureAwait(false);
    }

    private async Task DeleteOrphansAsync(HashSet<(string, string)> wanted, CancellationToken ct)
    {
        foreach (var svc in services.SelectMany(i => i.Items).ToList())
        {
            var meta = svc["metadata"];
            if (meta?["labels"]?[InfraNames.ManagedByLabel]?.GetValue<string>() != InfraNames.ManagedBy) continue;
            if (meta["labels"]?[InfraNames.ProxyLabel] is null) continue;
            var ns = meta["namespace"]?.GetValue<string>() ?? "";
            var name = meta["name"]?.GetValue<string>() ?? "";
            if (wanted.Contains((ns, name)) || meta["deletionTimestamp"] is not null) continue;
            log.LogInformation("deleting proxy infrastructure {Namespace}/{Name}: its Gateway is no longer served", ns, name);
            foreach (var type in new[] { ResourceType.Deployments, ResourceType.Services, ResourceType.ServiceAccounts })
            {
                try { await api.DeleteAsync(type, ns, name, ct).ConfigureAwait(false); }
                catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Conflict) { }
                _applied.Remove((type, ns, name));
            }
            // The proxies' credentials (owner references cascade only within the Gateway's namespace).
            try { await api.DeleteAsync(ResourceType.Secrets, ns, name + "-proxy", ct).ConfigureAwait(false); }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Conflict) { }
        }
    }

    /// <summary>Forgets what was applied (a new leader re-applies everything once).</summary>
    public void Reset() => _applied.Clear();

    /// <summary>Addresses the load balancer assigned to each served Gateway's Service (<c>ns/name</c> -> IPs and hostnames).</summary>
    public static Dictionary<string, List<string>> AssignedAddresses(ResourceSnapshot snapshot, Informer services, ControllerOptions options)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var gw in snapshot.Gateways)
        {
            var ns = InfraNames.Namespace(gw.Namespace, options.InfrastructureNamespace);
            var svc = services.Get(ns, InfraNames.ResourceName(gw.Namespace, gw.Name, options.InfrastructureNamespace));
            if (svc?["status"]?["loadBalancer"]?["ingress"] is not JsonArray ingress) continue;
            var list = new List<string>();
            foreach (var i in ingress)
            {
                var v = i?["ip"]?.GetValue<string>() ?? i?["hostname"]?.GetValue<string>();
                if (!string.IsNullOrEmpty(v) && !list.Contains(v)) list.Add(v);
            }
            if (list.Count > 0) result[$"{gw.Namespace}/{gw.Name}"] = list;
        }
        return result;
    }
}
