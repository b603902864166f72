using System.Diagnostics;
using System.Text;
using Causeway.Model.Loading;
using Causeway.Model.Objects;

namespace Causeway.Model.Tests;

public class LoaderTests
{
    private static LoadResult Load(string yaml, string file = "in.yaml") => new ManifestLoader().LoadText(yaml, file);

    private const string Svc = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: test
        spec:
          ports:
          - port: 80
        """;

    [Fact]
    public void YamlSyntaxErrorNamesFileAndLine()
    {
        var r = Load("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {a: b\nspec: {}\n", "bad.yaml");
        var e = Assert.Single(r.Errors);
        Assert.Equal("bad.yaml", e.File);
        Assert.InRange(e.Line, 5, 6);
        Assert.StartsWith("bad.yaml:", e.ToString());
        Assert.Contains("YAML syntax error", e.Message);
        Assert.Empty(r.Objects);
    }

    [Theory]
    [InlineData("IPv4", "127.1.0.256", "endpoints[1].addresses[0]")]
    [InlineData("IPv4", "127.1", "endpoints[1].addresses[0]")]
    [InlineData("IPv4", "::1", "endpoints[1].addresses[0]")]
    [InlineData("IPv6", "10.0.0.1", "endpoints[0].addresses[0]")]
    [InlineData("IPv4", null, null)]
    [InlineData("IPv6", "fd00::1", null)]
    public void EndpointSliceAddressesMustBeIpsOfTheSlicesAddressType(string type, string? bad, string? field)
    {
        var first = type == "IPv4" ? "10.0.0.1" : bad ?? "fd00::2";
        var second = type == "IPv4" ? bad ?? "10.0.0.2" : "fd00::3";
        var text = $"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n  namespace: test\n  labels: {{kubernetes.io/service-name: web}}\naddressType: {type}\nports:\n- {{port: 80}}\nendpoints:\n- addresses: [\"{first}\"]\n- addresses: [\"{second}\"]\n";
        var r = Load(text);
        if (field is null)
        {
            Assert.Empty(r.Errors);
            Assert.Single(r.Objects);
            return;
        }
        var e = Assert.Single(r.Errors);
        Assert.Equal("EndpointSlice test/web-1", e.Object);
        Assert.Equal(field, e.Field);
        Assert.Contains(bad!, e.Message);
        Assert.Empty(r.Objects);
    }

    [Fact]
    public void WrongTypeIsAnErrorNamingTheFieldAndLine()
    {
        var r = Load(Svc.Replace("port: 80", "port: \"abc\""));
        var e = Assert.Single(r.Errors);
        Assert.Contains("spec.ports[0].port", e.Field);
        Assert.Equal(8, e.Line);
        Assert.Equal("Service test/web", e.Object);
        Assert.Empty(r.Objects);
    }

    [Fact]
    public void ErrorLinesAreExactInEveryDocumentOfAFile()
    {
        // Line numbers are computed lazily (on the first error) for all documents of the text: each document's
        // errors must still name its own lines, including after a document that had no error and before a syntax error.
        var second = Svc.Replace("name: web", "name: web2").Replace("port: 80", "port: \"abc\"");
        var third = Svc.Replace("name: web", "name: web3").Replace("  - port: 80", "  - port: 80\n  - name: b\n    port: \"x\"");
        var r = Load(Svc + "\n---\n" + second + "\n---\n" + third + "\n---\nkind: [\n");
        Assert.Equal(3, r.Errors.Count);
        Assert.Equal("Service test/web2", r.Errors[0].Object);
        Assert.Equal(17, r.Errors[0].Line);
        Assert.Equal("Service test/web3", r.Errors[1].Object);
        Assert.Equal("spec.ports[1].port", r.Errors[1].Field);
        Assert.Equal(28, r.Errors[1].Line);
        Assert.Contains("YAML syntax error", r.Errors[2].Message);
        Assert.Single(r.Objects);
    }

    [Theory]
    [InlineData("apiVersion: v1\n", "kind")]
    [InlineData("kind: Service\n", "apiVersion")]
    public void MissingApiVersionOrKind(string head, string field)
    {
        var r = Load(head + "metadata:\n  name: web\n");
        var e = Assert.Single(r.Errors);
        Assert.Equal(field, e.Field);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void MissingName()
    {
        var r = Load("apiVersion: v1\nkind: Service\nmetadata:\n  namespace: test\n");
        var e = Assert.Single(r.Errors);
        Assert.Equal("metadata.name", e.Field);
        Assert.InRange(e.Line, 3, 4); // the metadata block
    }

    [Fact]
    public void UnknownKindsAreSkippedWithOneWarningPerKind()
    {
        var r = Load("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: a}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: b}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            ---
            """ + "\n" + Svc);
        Assert.Empty(r.Errors);
        Assert.Equal(2, r.Warnings.Count);
        Assert.Contains(r.Warnings, w => w.Message.Contains("Deployment"));
        Assert.Contains(r.Warnings, w => w.Message.Contains("Pod"));
        Assert.Equal(3, r.Skipped.Count);
        Assert.IsType<Service>(Assert.Single(r.Objects));
    }

    [Fact]
    public void DuplicateObjectIsAnErrorPointingAtTheFirst()
    {
        var r = Load(Svc + "\n---\n" + Svc);
        Assert.Single(r.Objects);
        var e = Assert.Single(r.Errors);
        Assert.Contains("duplicate", e.Message);
        Assert.Contains("in.yaml:1", e.Message);
        Assert.InRange(e.Line, 9, 10); // the second document: its "---" or its first line
    }

    [Fact]
    public void MultiDocumentJsonAndListKind()
    {
        var yaml = Load(Svc + "\n---\n" + Svc.Replace("name: web", "name: api") + "\n---\n");
        Assert.Equal(2, yaml.Objects.Count);

        var json = Load("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"test"},"spec":{"ports":[{"port":80}]}}""", "svc.json");
        Assert.Empty(json.Errors);
        Assert.Equal(80, Assert.IsType<Service>(Assert.Single(json.Objects)).Spec.Ports[0].Port);

        var list = Load("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: a, namespace: test}
            - apiVersion: v1
              kind: Service
              metadata: {name: b, namespace: test}
              spec:
                ports:
                - port: "x"
            """);
        Assert.Equal("a", Assert.Single(list.Objects).Name);
        var e = Assert.Single(list.Errors);
        Assert.Equal(12, e.Line);
    }

    [Fact]
    public void DirectoryRecursionLoadsYamlAndJsonInStableOrder()
    {
        var dir = Directory.CreateTempSubdirectory("causeway-loader-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sub", "deeper"));
            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), Svc.Replace("name: web", "name: b"));
            File.WriteAllText(Path.Combine(dir.FullName, "sub", "a.yml"), Svc.Replace("name: web", "name: a"));
            File.WriteAllText(Path.Combine(dir.FullName, "sub", "deeper", "c.json"), """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"c"}}""");
            File.WriteAllText(Path.Combine(dir.FullName, "sub", "notes.txt"), "not a manifest: {");
            File.WriteAllText(Path.Combine(dir.FullName, ".hidden.yaml"), "{{{");
            var r = new ManifestLoader().LoadPaths([dir.FullName]);
            Assert.Empty(r.Errors);
            Assert.Equal(["b", "a", "c"], r.Objects.Select(o => o.Name));
            Assert.EndsWith("b.yaml", r.Objects[0].Source!.File);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void MissingPathIsAnError()
    {
        var r = new ManifestLoader().LoadPaths([Path.Combine(Path.GetTempPath(), "causeway-does-not-exist-" + Guid.NewGuid())]);
        Assert.Contains("no such file", Assert.Single(r.Errors).Message);
    }

    [Fact]
    public void TenMegabyteDocumentLoadsQuickly()
    {
        var sb = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: test\ndata:\n");
        var value = new string('x', 1000);
        for (var i = 0; sb.Length < 10 * 1024 * 1024; i++)
            sb.Append("  k").Append(i).Append(": ").Append(value).Append('\n');
        var text = sb.ToString();
        var sw = Stopwatch.StartNew();
        var r = Load(text);
        sw.Stop();
        Assert.Empty(r.Errors);
        var cm = Assert.IsType<ConfigMap>(Assert.Single(r.Objects));
        Assert.True(cm.Data.Count > 10_000);
        // Release builds load this in ~2 s on the shared CI box (mostly YamlDotNet's scanner); Debug test runs under
        // load take far longer, so the bound here only catches quadratic behaviour.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"10 MB document took {sw.Elapsed}");
    }

    [Fact]
    public void BinaryGarbageIsAnErrorNotACrash()
    {
        var rnd = new Random(42);
        var bytes = new byte[4096];
        rnd.NextBytes(bytes);
        var r = Load(Encoding.Latin1.GetString(bytes), "garbage.bin");
        Assert.NotEmpty(r.Errors);
        Assert.Empty(r.Objects);

        var noNul = bytes.Select(b => b == 0 ? (byte)1 : b).ToArray();
        var r2 = Load(Encoding.Latin1.GetString(noNul), "garbage2.bin");
        Assert.NotEmpty(r2.Errors);
    }

    [Fact]
    public void ScalarAndSequenceDocumentsAreErrors()
    {
        var r = Load("just a string\n---\n- a\n- b\n");
        Assert.Equal(2, r.Errors.Count);
        Assert.All(r.Errors, e => Assert.Contains("mapping", e.Message));
    }

    [Fact]
    public void SecretInvalidBase64NamesTheKey()
    {
        var r = Load("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: test}
            data:
              good: aGVsbG8=
              tls.key: "not base64!!"
            """);
        var e = Assert.Single(r.Errors);
        Assert.Contains("data.tls.key", e.ToString());
        Assert.Empty(r.Objects);
    }

    [Fact]
    public void SecretStringDataIsMergedOverData()
    {
        var r = Load("""
            apiVersion: v1
            kind: Secret
            metadata: {name: s, namespace: test}
            data:
              a: aGVsbG8=
              b: aGVsbG8=
            stringData:
              b: world
              c: plain
            """);
        Assert.Empty(r.Errors);
        var s = Assert.IsType<Secret>(Assert.Single(r.Objects));
        Assert.Equal("hello", Encoding.UTF8.GetString(s.Data["a"]));
        Assert.Equal("world", Encoding.UTF8.GetString(s.Data["b"]));
        Assert.Equal("plain", Encoding.UTF8.GetString(s.Data["c"]));
    }

    [Fact]
    public void EnvoyProxyWithIntegerReplicasLoads()
    {
        var r = Load("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: EnvoyProxy
            metadata: {name: p, namespace: test}
            spec:
              provider:
                kubernetes:
                  envoyDeployment:
                    replicas: 2
                  envoyService:
                    annotations:
                      service.kubernetes.io/tke-existed-lbid: lb-1
            """);
        Assert.Empty(r.Errors);
        var pc = Assert.IsType<ProxyConfig>(Assert.Single(r.Objects));
        Assert.Equal(2, pc.Spec.Replicas);
        Assert.Equal("lb-1", pc.Spec.Service!.Annotations["service.kubernetes.io/tke-existed-lbid"]);
    }

    [Fact]
    public void EnvoyProxyWithWrongTypeIsAnErrorNotACrash()
    {
        var r = Load("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: EnvoyProxy
            metadata: {name: p, namespace: test}
            spec:
              provider:
                kubernetes:
                  envoyService:
                    type: [a, b]
            """);
        Assert.Single(r.Errors);
        Assert.Empty(r.Objects);
    }

    [Fact]
    public void ValidDocumentsAroundABadOneStillLoad()
    {
        var r = Load(Svc.Replace("name: web", "name: a") + "\n---\nkind: Service\n---\n" + Svc.Replace("name: web", "name: b"));
        Assert.Single(r.Errors);
        Assert.Equal(["a", "b"], r.Objects.Select(o => o.Name).Order());
    }

    [Fact]
    public void NamespaceDefaultsAndGenerationDefaults()
    {
        var r = Load("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n");
        var o = Assert.Single(r.Objects);
        Assert.Equal("default", o.Namespace);
        Assert.Equal(1, o.Metadata.Generation);
        Assert.Equal(new SourceLocation("in.yaml", 1), o.Source);
    }
}
