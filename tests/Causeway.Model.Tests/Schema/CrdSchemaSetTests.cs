using Causeway.Model.Schema;

namespace Causeway.Model.Tests.Schema;

public class CrdSchemaSetTests
{
    [Fact]
    public void AllCelRulesAreSupported()
    {
        foreach (var set in new[] { CrdSchemaSet.Experimental, CrdSchemaSet.Standard })
        {
            Assert.True(set.UnsupportedRules.Count == 0, string.Join("\n", set.UnsupportedRules));
            Assert.True(set.RuleCount > 100);
            Assert.Equal(set.RuleCount - set.TransitionRuleCount, set.SupportedRuleCount);
        }
    }

    [Theory]
    [InlineData("Gateway", "v1")]
    [InlineData("Gateway", "v1beta1")]
    [InlineData("GatewayClass", "v1")]
    [InlineData("HTTPRoute", "v1")]
    [InlineData("HTTPRoute", "v1beta1")]
    [InlineData("GRPCRoute", "v1")]
    [InlineData("TLSRoute", "v1")]
    [InlineData("TLSRoute", "v1alpha2")]
    [InlineData("TLSRoute", "v1alpha3")]
    [InlineData("TCPRoute", "v1alpha2")]
    [InlineData("UDPRoute", "v1alpha2")]
    [InlineData("ReferenceGrant", "v1beta1")]
    [InlineData("ReferenceGrant", "v1")]
    [InlineData("BackendTLSPolicy", "v1")]
    [InlineData("BackendTLSPolicy", "v1alpha3")]
    [InlineData("ListenerSet", "v1")]
    public void ExperimentalServesVersion(string kind, string version) =>
        Assert.True(CrdSchemaSet.Experimental.IsServed(SchemaTestHelpers.Group, version, kind));

    [Fact]
    public void StandardDoesNotServeExperimentalOnlyVersions()
    {
        Assert.False(CrdSchemaSet.Standard.IsServed(SchemaTestHelpers.Group, "v1alpha2", "TLSRoute"));
        Assert.True(CrdSchemaSet.Standard.IsServed(SchemaTestHelpers.Group, "v1", "TLSRoute"));
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("experimental")]
    public void RawCrdDocumentsAreEmbedded(string channel)
    {
        var docs = CrdSchemaSet.GetCrdDocuments(channel);
        Assert.Equal(10, docs.Count);
        Assert.Contains(docs, d => d.FileName == "gateway.networking.k8s.io_httproutes.yaml" && d.Yaml.Contains("kind: CustomResourceDefinition", StringComparison.Ordinal));
        Assert.DoesNotContain(docs, d => d.FileName.Contains("vap_", StringComparison.Ordinal) || d.FileName.Contains("x-k8s.io", StringComparison.Ordinal));
    }

    [Fact]
    public void LicenseAndNoticeAreEmbedded()
    {
        var docs = CrdSchemaSet.GetLicenseDocuments();
        Assert.Contains(docs, d => d.FileName == "LICENSE" && d.Text.Contains("Apache License", StringComparison.Ordinal));
        Assert.Contains(docs, d => d.FileName == "NOTICE" && d.Text.Contains("kubernetes-sigs/gateway-api", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownChannelThrows() => Assert.Throws<ArgumentException>(() => CrdSchemaSet.GetCrdDocuments("beta"));
}
