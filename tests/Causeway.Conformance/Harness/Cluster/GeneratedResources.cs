using System.Text;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Model.Loading;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>The Secrets and ConfigMaps of <c>base/generated-resources.yaml</c>, generated with fresh keys.</summary>
public sealed class GeneratedResources
{
    private readonly Dictionary<string, IssuedCertificate> _cas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedCertificate> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _configMaps = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _objects = [];

    /// <summary>The Kubernetes objects to load (Secrets kubernetes.io/tls, ConfigMaps with ca.crt).</summary>
    public IReadOnlyList<JsonObject> Objects => _objects;

    /// <summary>The certificate (and key) stored in Secret "ns/name".</summary>
    public IssuedCertificate? Secret(string nsName) => _secrets.GetValueOrDefault(nsName);

    /// <summary>The CA PEM stored in ConfigMap "ns/name" (key ca.crt).</summary>
    public string? ConfigMapCa(string nsName) => _configMaps.GetValueOrDefault(nsName);

    public static GeneratedResources FromFile(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : new GeneratedResources();

    public static GeneratedResources Parse(string yaml)
    {
        var result = new GeneratedResources();
        var root = YamlJson.ReadDocuments(yaml).FirstOrDefault()?.Root;
        var entries = root.Arr("objects") ?? [];
        // CAs first, so that signed certificates find their issuer whatever the order.
        foreach (var e in entries.OfType<JsonObject>().Where(e => e.Str("type") == "ca"))
            result.AddCa(e);
        foreach (var e in entries.OfType<JsonObject>().Where(e => e.Str("type") != "ca"))
            result.AddSecret(e);
        return result;
    }

    private IssuedCertificate CaNamed(string name)
    {
        if (!_cas.TryGetValue(name, out var ca)) _cas[name] = ca = CertificateFactory.CreateCa();
        return ca;
    }

    private void AddCa(JsonObject e)
    {
        var target = e.Str("configMap") ?? throw new FormatException("a ca entry needs configMap");
        var ca = CaNamed(e.Str("ca") ?? target);
        _configMaps[target] = ca.CertificatePem;
        var (ns, name) = Node.NsName(target);
        _objects.Add(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["data"] = new JsonObject { ["ca.crt"] = ca.CertificatePem },
        });
    }

    private void AddSecret(JsonObject e)
    {
        var target = e.Str("secret") ?? throw new FormatException("a certificate entry needs secret");
        var hosts = e.StrList("hosts");
        var cert = e.Str("type") switch
        {
            "selfSignedServer" => CertificateFactory.CreateSelfSignedServer(hosts),
            "caSignedServer" => CertificateFactory.CreateSigned(CaNamed(e.Str("issuer") ?? "default"), hosts, server: true),
            "caSignedClient" => CertificateFactory.CreateSigned(CaNamed(e.Str("issuer") ?? "default"), hosts, server: false),
            var t => throw new FormatException($"unknown generated certificate type '{t}'"),
        };
        _secrets[target] = cert;
        var (ns, name) = Node.NsName(target);
        _objects.Add(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["type"] = "kubernetes.io/tls",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["data"] = new JsonObject
            {
                ["tls.crt"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(cert.CertificatePem)),
                ["tls.key"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(cert.KeyPem)),
            },
        });
    }
}
