using System.Text;
using Causeway.Distribution.Server;
using Causeway.Model.Schema;
using YamlDotNet.Serialization;

namespace Causeway.Distribution.Install;

/// <summary>
/// Every manifest Causeway needs in a cluster, for <c>kubectl apply --server-side -f -</c> (<c>causeway install</c>), and
/// the Helm chart in <c>charts/causeway</c>, generated from the same objects (<see cref="RenderHelmTemplates"/>).
/// </summary>
public static class InstallBundle
{
    public const string DefaultNamespace = "causeway-system";
    public const string DefaultImage = "ghcr.io/causeway/causeway:latest";

    /// <summary>Name of the controller's ServiceAccount, Deployment, Service, ClusterRole(Binding) and Role(Binding).</summary>
    public const string Name = "causeway";

    /// <summary>Port of the controller's admin endpoint (<c>/healthz</c>, <c>/readyz</c>) the probes use.</summary>
    public const int AdminPort = 9000;

    /// <summary>Port of the controller's Prometheus endpoint (<c>GET /metrics</c>), the container port named <c>metrics</c>.</summary>
    public const int MetricsPort = 19001;

    public const int ControllerReplicas = 2;

    // Placeholders in the documents: the plain bundle and the Helm templates substitute them differently.
    internal const string NamespaceToken = "__CAUSEWAY_NAMESPACE__";
    internal const string NameToken = "__CAUSEWAY_NAME__";
    internal const string ImageToken = "__CAUSEWAY_IMAGE__";
    internal const string PullPolicyToken = "__CAUSEWAY_PULL_POLICY__";
    internal const string ReplicasToken = "__CAUSEWAY_REPLICAS__";

    /// <summary>The cluster-wide rules of the controller's ClusterRole (what a test API server should enforce).</summary>
    public static IReadOnlyList<RbacRule> ControllerRules => ControllerRbac.ClusterRules;

    /// <summary>The rules of the controller's Role in its own namespace (Leases).</summary>
    public static IReadOnlyList<RbacRule> ControllerNamespaceRules => ControllerRbac.NamespaceRules;

    /// <summary>The user name the controller's ServiceAccount authenticates as.</summary>
    public static string ControllerUser(string ns = DefaultNamespace) => $"system:serviceaccount:{ns}:{Name}";

    /// <summary>
    /// The bundle as multi-document YAML: Gateway API CRDs of <paramref name="crds"/> (<c>standard</c>, <c>experimental</c>
    /// or <c>none</c>) with their licence as a comment, the ProxyConfig CRD, the Envoy Gateway CRDs Causeway reads (with
    /// their licence as a comment), the Namespace, RBAC, and the controller.
    /// </summary>
    public static string Render(string ns = DefaultNamespace, string crds = CrdSchemaSet.StandardChannel, string image = DefaultImage)
    {
        if (crds is not (CrdSchemaSet.StandardChannel or CrdSchemaSet.ExperimentalChannel or "none"))
            throw new ArgumentException($"unknown Gateway API CRD channel '{crds}' (expected standard, experimental or none)", nameof(crds));
        ArgumentException.ThrowIfNullOrWhiteSpace(ns);
        var sb = new StringBuilder();
        sb.Append("# Causeway install bundle: kubectl apply --server-side -f -\n");
        if (crds != "none")
        {
            sb.Append(LicenceComment());
            foreach (var (_, yaml) in CrdSchemaSet.GetCrdDocuments(crds)) AppendDocument(sb, yaml);
        }

        AppendDocument(sb, ToYaml(ProxyConfigCrd.Document()));
        sb.Append(EnvoyGatewayLicenceComment());
        foreach (var (_, yaml) in CrdSchemaSet.GetEnvoyGatewayCrdDocuments()) AppendDocument(sb, WithoutLeadingSeparator(yaml));
        foreach (var (_, yaml) in ClusterDocuments(includeNamespace: true))
        {
            AppendDocument(sb, yaml
                .Replace(NamespaceToken, ns, StringComparison.Ordinal)
                .Replace(NameToken, Name, StringComparison.Ordinal)
                .Replace(ImageToken, image, StringComparison.Ordinal)
                .Replace(PullPolicyToken, "IfNotPresent", StringComparison.Ordinal)
                .Replace(ReplicasToken, ControllerReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        return sb.ToString();
    }

    /// <summary>The Gateway API licence and notice as a YAML comment block.</summary>
    internal static string LicenceComment()
    {
        var sb = new StringBuilder();
        sb.Append("# The Gateway API CustomResourceDefinitions below are from the Kubernetes Gateway API project,\n");
        sb.Append("# distributed under the Apache License 2.0:\n#\n");
        foreach (var (file, text) in CrdSchemaSet.GetLicenseDocuments())
        {
            sb.Append("# ---- ").Append(file).Append(" ----\n");
            foreach (var line in text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
                sb.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The Envoy Gateway licence and notice as a YAML comment block (before the Envoy Gateway CRDs).</summary>
    internal static string EnvoyGatewayLicenceComment()
    {
        var sb = new StringBuilder();
        sb.Append("# The Envoy Gateway CustomResourceDefinitions below (gateway.envoyproxy.io) are from the Envoy Gateway project,\n");
        sb.Append("# distributed under the Apache License 2.0:\n#\n");
        foreach (var (file, text) in CrdSchemaSet.GetEnvoyGatewayLicenseDocuments())
        {
            sb.Append("# ---- envoy-gateway/").Append(file).Append(" ----\n");
            foreach (var line in text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
                sb.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The non-CRD documents with placeholders, each with a file-name stem for the Helm chart.</summary>
    internal static IReadOnlyList<(string Stem, string Yaml)> ClusterDocuments(bool includeNamespace)
    {
        var docs = new List<(string, string)>();
        if (includeNamespace) docs.Add(("namespace", ToYaml(ControllerManifests.Namespace())));
        docs.Add(("serviceaccount", ToYaml(ControllerManifests.ServiceAccount())));
        docs.Add(("clusterrole", ToYaml(ControllerManifests.ClusterRole())));
        docs.Add(("clusterrolebinding", ToYaml(ControllerManifests.ClusterRoleBinding())));
        docs.Add(("role", ToYaml(ControllerManifests.Role())));
        docs.Add(("rolebinding", ToYaml(ControllerManifests.RoleBinding())));
        docs.Add(("deployment", ToYaml(ControllerManifests.Deployment())));
        docs.Add(("service", ToYaml(ControllerManifests.Service(DistributionServerOptions.DefaultPort))));
        return docs;
    }

    /// <summary>
    /// Writes the Helm chart (Chart.yaml, values.yaml, templates/, crds/ with the standard-channel Gateway API CRDs and
    /// the ProxyConfig CRD) into <paramref name="chartDirectory"/>, replacing what was there.
    /// </summary>
    public static void RenderHelmTemplates(string chartDirectory)
    {
        foreach (var sub in new[] { "templates", "crds" })
        {
            var dir = Path.Combine(chartDirectory, sub);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }

        foreach (var (path, content) in HelmChart.Files())
        {
            var full = Path.Combine(chartDirectory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
    }

    internal static string ToYaml(object document) => Serializer.Serialize(document);

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .WithIndentedSequences()
        .Build();

    /// <summary>The vendored Envoy Gateway CRD files start with a <c>---</c> line (kept unchanged on disk).</summary>
    internal static string WithoutLeadingSeparator(string yaml) =>
        yaml.StartsWith("---\n", StringComparison.Ordinal) ? yaml[4..] : yaml;

    private static void AppendDocument(StringBuilder sb, string yaml)
    {
        sb.Append("---\n").Append(yaml.ReplaceLineEndings("\n").TrimEnd('\n')).Append('\n');
    }
}
