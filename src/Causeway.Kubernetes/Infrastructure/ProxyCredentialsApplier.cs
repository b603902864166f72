using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.Distribution.Security;
using Causeway.Kubernetes.Api;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Infrastructure;

/// <summary>
/// Keeps one Secret per served Gateway with its proxies' client certificate (identity: that Gateway), signed by the
/// distribution CA. A Secret is (re)issued when missing, signed by another CA, naming another Gateway, or when less than a
/// third of its validity remains. Private keys are never logged.
/// </summary>
internal sealed class ProxyCredentialsApplier(KubeApi api, ControllerOptions options, Func<ControllerDistribution?> distribution, ILogger log)
{
    // (namespace, secret name, Gateway uid) of Secrets verified or written while leader.
    private readonly HashSet<(string, string, string)> _ok = [];

    public int Issued { get; private set; }

    public async Task EnsureAsync(TranslationResult result, ResourceSnapshot snapshot, CancellationToken ct)
    {
        if (distribution() is not { } dist) return;
        var seen = new HashSet<(string, string, string)>();
        foreach (var ir in result.Gateways)
        {
            var slash = ir.Name.IndexOf('/');
            var gw = snapshot.Get<Gateway>("Gateway", ir.Name[..slash], ir.Name[(slash + 1)..]);
            if (gw is null) continue;
            var ns = InfraNames.Namespace(gw.Namespace, options.InfrastructureNamespace);
            var name = InfraNames.CredentialsSecretName(gw.Namespace, gw.Name, options.InfrastructureNamespace);
            var key = (ns, name, gw.Metadata.Uid ?? "");
            seen.Add(key);
            if (_ok.Contains(key)) continue;
            var existing = await api.GetAsync(ResourceType.Secrets, ns, name, ct).ConfigureAwait(false);
            if (existing is null || !IsCurrent(existing, dist, ir.Name))
            {
                var credentials = dist.Authority.IssueProxyCertificate(gw.Namespace, gw.Name, dist.ProxyCertificateValidity);
                var body = InfraBuilder.CredentialsSecret(gw, ns, name, credentials.ToSecretData());
                await api.PatchAsync(ResourceType.Secrets, ns, name, body, KubeApi.ApplyPatch, ct, fieldManager: options.FieldManager, force: true).ConfigureAwait(false);
                Issued++;
                log.LogInformation("issued proxy credentials Secret {Namespace}/{Name} for Gateway {Gateway}", ns, name, ir.Name);
            }
            _ok.Add(key);
        }
        _ok.IntersectWith(seen);
    }

    /// <summary>Forgets what was verified (a new leader checks every Secret once).</summary>
    public void Reset() => _ok.Clear();

    private static bool IsCurrent(System.Text.Json.Nodes.JsonObject secret, ControllerDistribution dist, string gatewayKey)
    {
        try
        {
            var data = secret["data"];
            string Read(string k) => Encoding.UTF8.GetString(Convert.FromBase64String(data?[k]?.GetValue<string>() ?? ""));
            if (Read(IssuedCredentials.CaKey).Trim() != dist.Authority.CertificatePem.Trim()) return false;
            if (Read(IssuedCredentials.PrivateKeyKey).Length == 0) return false;
            using var cert = X509Certificate2.CreateFromPem(Read(IssuedCredentials.CertificateKey));
            if (ProxyIdentity.FromCertificate(cert)?.GatewayKey != gatewayKey) return false;
            var remaining = cert.NotAfter.ToUniversalTime() - DateTime.UtcNow;
            return remaining > (cert.NotAfter - cert.NotBefore) / 3;
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }
}
