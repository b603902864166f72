using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>Runs the Deployments of the manifests as local backend instances (echo servers, a DNS responder).</summary>
public sealed class WorkloadManager(IEchoLauncher? echo, ClusterStore store, EchoLogBook logs, AddressAllocator addresses, string scratchDir, Action<string> log) : IAsyncDisposable
{
    private sealed record Running(Pod Pod, IAsyncDisposable Instance, string Dir);

    private readonly Dictionary<ObjectKey, List<Running>> _byDeployment = [];

    public IReadOnlyList<Pod> Pods => [.. _byDeployment.Values.SelectMany(l => l).Select(r => r.Pod)];

    public IReadOnlyList<Pod> PodsOf(string ns, string deployment) =>
        _byDeployment.TryGetValue(new ObjectKey("Deployment", ns, deployment), out var l) ? [.. l.Select(r => r.Pod)] : [];

    /// <summary>Starts (or restarts, when already running) the pods of a Deployment.</summary>
    public async Task StartAsync(JsonObject deployment, CancellationToken ct)
    {
        var spec = DeploymentSpec.Parse(deployment);
        var key = new ObjectKey("Deployment", spec.Namespace, spec.Name);
        await StopAsync(key);
        if (!spec.IsCoreDns && echo is null)
            throw new InvalidOperationException(HarnessAdapters.NotWiredReason);
        var running = new List<Running>();
        _byDeployment[key] = running;
        for (var i = 0; i < Math.Max(0, spec.Replicas); i++)
        {
            var podName = spec.NewPodName();
            var ip = addresses.Next();
            var dir = Path.Combine(scratchDir, spec.Namespace, podName);
            Directory.CreateDirectory(dir);
            var volumes = spec.WriteVolumes(dir, SecretData, ConfigMapData);
            var podLog = logs.For(spec.Namespace, spec.Name, podName);
            IAsyncDisposable instance;
            if (spec.IsCoreDns)
            {
                instance = DnsResponder.Start(new IPEndPoint(ip, 53), podLog);
            }
            else
            {
                var env = spec.Environment(podName, ip.ToString(), volumes);
                instance = await echo!.StartAsync(ip, env, podLog, ct);
            }
            log($"pod {spec.Namespace}/{podName} at {ip}");
            running.Add(new Running(new Pod(spec.Namespace, spec.Name, podName, ip, spec.PodLabels, spec.NamedPorts), instance, dir));
        }
    }

    public async Task StopAsync(ObjectKey deployment)
    {
        if (!_byDeployment.Remove(deployment, out var list)) return;
        foreach (var r in list)
        {
            try { await r.Instance.DisposeAsync(); }
            catch (Exception e) { log($"stopping {r.Pod.Name}: {e.Message}"); }
            TryDelete(r.Dir);
        }
    }

    private IReadOnlyDictionary<string, byte[]>? SecretData(string ns, string name)
    {
        var doc = store.Get(new ObjectKey("Secret", ns, name));
        if (doc is null) return null;
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in doc.Obj("data") ?? [])
            data[k] = Convert.FromBase64String(Node.AsString(v) ?? "");
        foreach (var (k, v) in doc.Obj("stringData") ?? [])
            data[k] = Encoding.UTF8.GetBytes(Node.AsString(v) ?? "");
        return data;
    }

    private IReadOnlyDictionary<string, byte[]>? ConfigMapData(string ns, string name)
    {
        var doc = store.Get(new ObjectKey("ConfigMap", ns, name));
        return doc?.Obj("data")?.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(Node.AsString(kv.Value) ?? ""));
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _byDeployment.Keys.ToList()) await StopAsync(key);
    }
}
