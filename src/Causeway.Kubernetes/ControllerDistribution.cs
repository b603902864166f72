using Causeway.Distribution.Security;
using Causeway.Distribution.Server;

namespace Causeway.Kubernetes;

/// <summary>The controller's side of IR distribution: the started server proxies dial, and the CA that issues their credentials.</summary>
public sealed record ControllerDistribution(DistributionServer Server, CertificateAuthority Authority)
{
    /// <summary>Validity of each Gateway's proxy client certificate; it is re-issued when less than a third remains.</summary>
    public TimeSpan ProxyCertificateValidity { get; init; } = TimeSpan.FromDays(90);
}
