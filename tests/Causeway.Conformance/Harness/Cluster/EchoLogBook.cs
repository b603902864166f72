using System.Collections.Concurrent;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>Stdout lines of every backend instance, as Kubernetes pod logs would keep them.</summary>
public sealed class EchoLogBook
{
    public sealed record Line(DateTimeOffset Time, string Namespace, string Deployment, string Pod, string Text);

    private readonly ConcurrentQueue<Line> _lines = new();

    public Action<string> For(string ns, string deployment, string pod) =>
        text => _lines.Enqueue(new Line(DateTimeOffset.UtcNow, ns, deployment, pod, text));

    /// <summary>Lines of the pods of a Deployment (by label app=name upstream; here: by Deployment name) since <paramref name="since"/>.</summary>
    public IEnumerable<Line> Of(string ns, string deployment, DateTimeOffset since) =>
        _lines.Where(l => l.Namespace == ns && l.Deployment == deployment && l.Time >= since);

    public int Count => _lines.Count;
}
