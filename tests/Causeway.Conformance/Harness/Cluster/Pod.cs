using System.Net;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>One emulated pod: a backend instance on its own loopback address.</summary>
public sealed record Pod(
    string Namespace,
    string Deployment,
    string Name,
    IPAddress Address,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, int> NamedPorts);
