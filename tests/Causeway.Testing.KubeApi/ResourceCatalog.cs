using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// What the fake server serves: the built-in kinds a controller and kubectl touch (core, apps, coordination, discovery,
/// RBAC, events, CustomResourceDefinitions), the kinds the controller watches (served even before their CRD exists, so
/// tests need not install CRDs), and every resource an applied CustomResourceDefinition defines (which also brings its
/// short names, categories and printer columns). Thread-safe.
/// </summary>
public sealed class ResourceCatalog
{
    public const string CrdGroup = "apiextensions.k8s.io";

    private readonly Lock _lock = new();
    private readonly List<ServedResource> _builtin;
    private readonly Dictionary<string, ServedResource> _fromCrds = [];

    public ResourceCatalog(IEnumerable<ResourceType> controllerKinds)
    {
        _builtin =
        [
            ServedResource.Builtin("", "v1", "namespaces", "Namespace", false, true, "ns"),
            ServedResource.Builtin("", "v1", "services", "Service", true, true, "svc"),
            ServedResource.Builtin("", "v1", "secrets", "Secret", true),
            ServedResource.Builtin("", "v1", "configmaps", "ConfigMap", true, false, "cm"),
            ServedResource.Builtin("", "v1", "serviceaccounts", "ServiceAccount", true, false, "sa"),
            ServedResource.Builtin("", "v1", "events", "Event", true, false, "ev"),
            ServedResource.Builtin("", "v1", "pods", "Pod", true, true, "po"),
            ServedResource.Builtin("apps", "v1", "deployments", "Deployment", true, true, "deploy"),
            ServedResource.Builtin("coordination.k8s.io", "v1", "leases", "Lease", true),
            ServedResource.Builtin("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true),
            ServedResource.Builtin("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
            ServedResource.Builtin("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
            ServedResource.Builtin("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
            ServedResource.Builtin("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
            ServedResource.Builtin(CrdGroup, "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true, "crd", "crds"),
        ];
        foreach (var t in controllerKinds)
            if (!_builtin.Any(b => b.Group == t.Group && b.Plural == t.Plural))
                _builtin.Add(new ServedResource(t.Group, [t.Version], t.Plural, t.Kind.ToLowerInvariant(), t.Kind, t.Namespaced, [], [], [],
                    t.Group.StartsWith("gateway.", StringComparison.Ordinal)));
    }

    public IReadOnlyList<ServedResource> All
    {
        get
        {
            lock (_lock)
                return [.. _fromCrds.Values, .. _builtin.Where(b => !_fromCrds.ContainsKey(b.Key))];
        }
    }

    public ServedResource? Find(string group, string plural) => All.FirstOrDefault(r => r.Group == group && r.Plural == plural);

    /// <summary>The resource of an object's apiVersion and kind (any version of the group).</summary>
    public ServedResource? FindKind(string group, string kind) => All.FirstOrDefault(r => r.Group == group && r.Kind == kind);

    /// <summary>Serves exactly what the stored CustomResourceDefinitions define (on top of the built-in resources).</summary>
    public void Sync(IEnumerable<JsonObject> crds)
    {
        var defined = crds.Select(ServedResource.FromCrd).OfType<ServedResource>().ToDictionary(r => r.Key);
        lock (_lock)
        {
            _fromCrds.Clear();
            foreach (var (k, r) in defined) _fromCrds[k] = r;
        }
    }
}
