using System.Text.RegularExpressions;
using Causeway.Distribution.Install;
using YamlDotNet.RepresentationModel;

namespace Causeway.Distribution.Tests;

public sealed class InstallBundleTests
{
    private static List<YamlMappingNode> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static string S(YamlNode node, params string[] path)
    {
        foreach (var p in path) node = ((YamlMappingNode)node).Children[new YamlScalarNode(p)];
        return ((YamlScalarNode)node).Value!;
    }

    [Theory]
    [InlineData("standard", 10)]
    [InlineData("experimental", 10)]
    [InlineData("none", 0)]
    public void EveryDocumentParsesAndHasApiVersionKindAndName(string crds, int gatewayApiCrds)
    {
        var yaml = InstallBundle.Render("gw-system", crds);
        var docs = Parse(yaml);
        foreach (var doc in docs)
        {
            Assert.False(string.IsNullOrEmpty(S(doc, "apiVersion")));
            Assert.False(string.IsNullOrEmpty(S(doc, "kind")));
            Assert.Matches("^[a-z0-9.-]+$", S(doc, "metadata", "name"));
        }

        var kinds = docs.Select(d => S(d, "kind") + "/" + S(d, "metadata", "name")).ToList();
        Assert.Equal(gatewayApiCrds, kinds.Count(k => k.StartsWith("CustomResourceDefinition/", StringComparison.Ordinal) && k.EndsWith(".gateway.networking.k8s.io", StringComparison.Ordinal)));
        var envoyGateway = Causeway.Model.Schema.CrdSchemaSet.GetEnvoyGatewayCrdDocuments()
            .Select(d => "CustomResourceDefinition/" + d.FileName.Split('_')[1].Replace(".yaml", "", StringComparison.Ordinal) + ".gateway.envoyproxy.io");
        Assert.Equal(
            ["CustomResourceDefinition/proxyconfigs.gateway.causeway.dev", .. envoyGateway, "Namespace/gw-system", "ServiceAccount/causeway",
             "ClusterRole/causeway-controller", "ClusterRoleBinding/causeway-controller", "Role/causeway-leader-election",
             "RoleBinding/causeway-leader-election", "Deployment/causeway", "Service/causeway"],
            kinds.Skip(gatewayApiCrds));
        Assert.Equal(crds != "none", yaml.Contains("from the Kubernetes Gateway API project", StringComparison.Ordinal) && yaml.Contains("# ---- NOTICE ----", StringComparison.Ordinal));
        Assert.Contains("# ---- envoy-gateway/NOTICE ----", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("__CAUSEWAY", yaml, StringComparison.Ordinal);
        foreach (var doc in docs.Where(d => S(d, "kind") is "ServiceAccount" or "Deployment" or "Service" or "Role" or "RoleBinding"))
            Assert.Equal("gw-system", S(doc, "metadata", "namespace"));
        if (crds == "experimental")
            Assert.Contains("gateway.networking.k8s.io/channel: experimental", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void ControllerDeploymentIsHardened()
    {
        var deployment = Parse(InstallBundle.Render(crds: "none")).Single(d => S(d, "kind") == "Deployment");
        var spec = (YamlMappingNode)deployment["spec"];
        Assert.Equal("2", S(spec, "replicas"));
        var pod = (YamlMappingNode)((YamlMappingNode)spec["template"])["spec"];
        Assert.Equal("true", S(pod, "securityContext", "runAsNonRoot"));
        Assert.Equal("causeway", S(pod, "serviceAccountName"));
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Single();
        Assert.Equal("true", S(container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", S(container, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal(InstallBundle.DefaultImage, S(container, "image"));
        Assert.Equal("controller", ((YamlScalarNode)((YamlSequenceNode)container["args"]).Single()).Value);
        Assert.Equal("/readyz", S(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", S(container, "livenessProbe", "httpGet", "path"));
        var service = Parse(InstallBundle.Render(crds: "none")).Single(d => S(d, "kind") == "Service");
        Assert.Equal("18000", S((YamlMappingNode)((YamlSequenceNode)service["spec"]["ports"]).Single(), "port"));
    }

    [Fact]
    public void ControllerPodExposesMetricsPortAndScrapeAnnotations()
    {
        var deployment = Parse(InstallBundle.Render(crds: "none")).Single(d => S(d, "kind") == "Deployment");
        var template = (YamlMappingNode)deployment["spec"]["template"];
        var container = (YamlMappingNode)((YamlSequenceNode)template["spec"]["containers"]).Single();
        var ports = ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>()
            .ToDictionary(p => S(p, "name")!, p => S(p, "containerPort"), StringComparer.Ordinal);
        Assert.Equal("19001", ports["metrics"]);
        Assert.Equal("9000", ports["admin"]); // the probes keep their own port
        Assert.Equal(3, ports.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("true", S(template, "metadata", "annotations", "prometheus.io/scrape"));
        Assert.Equal(ports["metrics"], S(template, "metadata", "annotations", "prometheus.io/port"));
        Assert.Equal("/metrics", S(template, "metadata", "annotations", "prometheus.io/path"));
    }

    [Fact]
    public void RbacIsLeastPrivilegeAndMatchesTheRenderedRoles()
    {
        var rules = InstallBundle.ControllerRules;
        foreach (var kind in new[] { "gatewayclasses", "gateways", "httproutes", "grpcroutes", "tlsroutes", "tcproutes", "udproutes", "referencegrants", "backendtlspolicies", "listenersets" })
            foreach (var verb in new[] { "get", "list", "watch" })
                Assert.True(RbacRule.AnyAllows(rules, "gateway.networking.k8s.io", kind, verb), $"{verb} {kind}");
        Assert.True(RbacRule.AnyAllows(rules, "gateway.networking.k8s.io", "gateways/status", "patch"));
        foreach (var kind in new[] { "backendtrafficpolicies", "clienttrafficpolicies", "securitypolicies", "backends", "httproutefilters" })
        {
            foreach (var verb in new[] { "get", "list", "watch" })
                Assert.True(RbacRule.AnyAllows(rules, "gateway.envoyproxy.io", kind, verb), $"{verb} {kind}");
            Assert.True(RbacRule.AnyAllows(rules, "gateway.envoyproxy.io", kind + "/status", "patch"), $"patch {kind}/status");
            Assert.False(RbacRule.AnyAllows(rules, "gateway.envoyproxy.io", kind, "patch"), $"patch {kind}");
        }
        Assert.True(RbacRule.AnyAllows(rules, "gateway.networking.k8s.io", "httproutes/status", "update"));
        Assert.False(RbacRule.AnyAllows(rules, "gateway.networking.k8s.io", "gateways", "patch"));
        Assert.False(RbacRule.AnyAllows(rules, "gateway.networking.k8s.io", "httproutes", "update"));
        Assert.False(RbacRule.AnyAllows(rules, "gateway.networking.k8s.io", "referencegrants/status", "patch"));
        Assert.True(RbacRule.AnyAllows(rules, "discovery.k8s.io", "endpointslices", "watch"));
        Assert.False(RbacRule.AnyAllows(rules, "discovery.k8s.io", "endpointslices", "delete"));
        Assert.True(RbacRule.AnyAllows(rules, "apps", "deployments", "patch"));
        Assert.True(RbacRule.AnyAllows(rules, "", "secrets", "create"));
        Assert.False(RbacRule.AnyAllows(rules, "coordination.k8s.io", "leases", "update"));
        Assert.True(RbacRule.AnyAllows(InstallBundle.ControllerNamespaceRules, "coordination.k8s.io", "leases", "update"));
        Assert.DoesNotContain(rules.Concat(InstallBundle.ControllerNamespaceRules), r => r.ApiGroups.Contains("*") || r.Resources.Contains("*") || r.Verbs.Contains("*"));
        Assert.Equal("system:serviceaccount:causeway-system:causeway", InstallBundle.ControllerUser());

        // The ClusterRole document carries exactly these rules.
        var role = Parse(InstallBundle.Render(crds: "none")).Single(d => S(d, "kind") == "ClusterRole");
        var rendered = ((YamlSequenceNode)role["rules"]).Cast<YamlMappingNode>().Select(r => string.Join("|",
            new[] { "apiGroups", "resources", "verbs" }.Select(k => string.Join(",", ((YamlSequenceNode)r[k]).Select(n => ((YamlScalarNode)n).Value)))));
        Assert.Equal(rules.Select(r => $"{string.Join(",", r.ApiGroups)}|{string.Join(",", r.Resources)}|{string.Join(",", r.Verbs)}"), rendered);
    }

    [Fact]
    public void ProxyConfigCrdSchemaCoversEveryProxyConfigField()
    {
        var crd = Parse(InstallBundle.Render(crds: "none")).First();
        var version = (YamlMappingNode)((YamlSequenceNode)crd["spec"]["versions"]).Single();
        var spec = (YamlMappingNode)version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
        static IEnumerable<string> Names(YamlMappingNode props) => props.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal);
        static string Camel(string s) => char.ToLowerInvariant(s[0]) + s[1..];
        Assert.Equal(typeof(Causeway.Model.Objects.ProxyConfigSpec).GetProperties().Select(p => Camel(p.Name)).Order(StringComparer.Ordinal), Names(spec));
        Assert.Equal(typeof(Causeway.Model.Objects.ProxyServiceSpec).GetProperties().Select(p => Camel(p.Name)).Order(StringComparer.Ordinal),
            Names((YamlMappingNode)spec["service"]["properties"]));
        Assert.Equal(["annotations", "labels"], Names((YamlMappingNode)spec["pod"]["properties"]));
        Assert.Equal(["limits", "requests"], Names((YamlMappingNode)spec["resources"]["properties"]));
        Assert.Equal(["ClusterIP", "NodePort", "LoadBalancer"], ((YamlSequenceNode)spec["service"]["properties"]["type"]["enum"]).Select(n => ((YamlScalarNode)n).Value));
        var quantity = new Regex(S(spec, "resources", "properties", "limits", "additionalProperties", "pattern"));
        Assert.Matches(quantity, "500m");
        Assert.Matches(quantity, "1Gi");
        Assert.DoesNotMatch(quantity, "lots");
        Assert.Equal(4, ((YamlSequenceNode)version["additionalPrinterColumns"]).Children.Count);
    }
}
