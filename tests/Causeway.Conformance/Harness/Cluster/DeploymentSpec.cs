using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>What the harness reads from a Deployment manifest.</summary>
public sealed record DeploymentSpec(
    string Namespace,
    string Name,
    int Replicas,
    IReadOnlyDictionary<string, string> PodLabels,
    JsonObject Container,
    JsonArray Volumes)
{
    private const string PodNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public bool IsCoreDns =>
        (Container.Str("image") ?? "").Contains("coredns", StringComparison.Ordinal) || Name == "coredns";

    public IReadOnlyDictionary<string, int> NamedPorts =>
        (Container.Arr("ports") ?? []).OfType<JsonObject>()
            .Where(p => p.Str("name") is not null && p.Long("containerPort") is not null)
            .GroupBy(p => p.Str("name")!)
            .ToDictionary(g => g.Key, g => (int)g.First().Long("containerPort")!.Value);

    public static DeploymentSpec Parse(JsonObject deployment)
    {
        var meta = deployment.Obj("metadata");
        var spec = deployment.Obj("spec");
        var template = spec.Obj("template");
        var labels = template.Obj("metadata").StrMap("labels").ToDictionary(kv => kv.Key, kv => kv.Value);
        var container = template.Obj("spec").Arr("containers")?.OfType<JsonObject>().FirstOrDefault() ?? [];
        return new DeploymentSpec(
            string.IsNullOrEmpty(meta.Str("namespace")) ? "default" : meta.Str("namespace")!,
            meta.Str("name") ?? "",
            (int)(spec.Long("replicas") ?? 1),
            labels,
            container,
            template.Obj("spec").Arr("volumes") ?? []);
    }

    /// <summary>A Kubernetes-shaped pod name: deployment-XXXXXXXXXX-XXXXX.</summary>
    public string NewPodName() => $"{Name}-{Random(10)}-{Random(5)}";

    private static string Random(int n)
    {
        var sb = new StringBuilder(n);
        for (var i = 0; i < n; i++) sb.Append(PodNameAlphabet[RandomNumberGenerator.GetInt32(PodNameAlphabet.Length)]);
        return sb.ToString();
    }

    /// <summary>
    /// The container environment for one pod: literal values, fieldRefs, and paths under volume mounts redirected
    /// to <paramref name="volumeDirs"/> (mountPath -> local directory).
    /// </summary>
    public Dictionary<string, string?> Environment(string podName, string podIp, IReadOnlyDictionary<string, string> volumeDirs)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var e in (Container.Arr("env") ?? []).OfType<JsonObject>())
        {
            var name = e.Str("name");
            if (name is null) continue;
            if (e.Str("value") is { } value)
            {
                foreach (var (mount, dir) in volumeDirs)
                    if (value == mount || value.StartsWith(mount.TrimEnd('/') + "/", StringComparison.Ordinal))
                    {
                        value = dir + value[mount.TrimEnd('/').Length..];
                        break;
                    }
                env[name] = value;
            }
            else if (e.Obj("valueFrom").Obj("fieldRef").Str("fieldPath") is { } field)
            {
                env[name] = field switch
                {
                    "metadata.name" => podName,
                    "metadata.namespace" => Namespace,
                    "status.podIP" => podIp,
                    _ => "",
                };
            }
        }
        return env;
    }

    /// <summary>Writes the Secret/ConfigMap volumes mounted by the container under <paramref name="root"/>; returns mountPath -> dir.</summary>
    public Dictionary<string, string> WriteVolumes(string root, Func<string, string, IReadOnlyDictionary<string, byte[]>?> secret,
        Func<string, string, IReadOnlyDictionary<string, byte[]>?> configMap)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in (Container.Arr("volumeMounts") ?? []).OfType<JsonObject>())
        {
            var volName = mount.Str("name");
            var mountPath = mount.Str("mountPath");
            if (volName is null || mountPath is null) continue;
            var volume = Volumes.OfType<JsonObject>().FirstOrDefault(v => v.Str("name") == volName);
            if (volume is null) continue;
            IReadOnlyDictionary<string, byte[]>? data = null;
            JsonArray? items = null;
            if (volume.Obj("secret") is { } s) { data = secret(Namespace, s.Str("secretName") ?? ""); items = s.Arr("items"); }
            else if (volume.Obj("configMap") is { } c) { data = configMap(Namespace, c.Str("name") ?? ""); items = c.Arr("items"); }
            var dir = Path.Combine(root, volName);
            Directory.CreateDirectory(dir);
            result[mountPath] = dir;
            if (data is null) continue;
            if (items is { Count: > 0 })
            {
                foreach (var item in items.OfType<JsonObject>())
                    if (item.Str("key") is { } k && data.TryGetValue(k, out var bytes))
                        File.WriteAllBytes(Path.Combine(dir, item.Str("path") ?? k), bytes);
            }
            else
            {
                foreach (var (k, bytes) in data) File.WriteAllBytes(Path.Combine(dir, k), bytes);
            }
        }
        return result;
    }
}
