using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Causeway.Distribution.Security;
using Causeway.Kubernetes.Api;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes;

/// <summary>
/// Keeps the distribution CA in the Secret <c>causeway-ca</c> of the controller's namespace, so every controller replica
/// (and every restart) signs and trusts with the same CA: loads it, or creates it when absent (a replica that loses the
/// creation race reads the winner's).
/// </summary>
public static class DistributionCaStore
{
    public const string SecretName = "causeway-ca";

    public static async Task<CertificateAuthority> LoadOrCreateAsync(ControllerOptions options, string ns, ILogger logger, CancellationToken ct)
    {
        using var api = new KubeApi(options.BuildClientConfiguration());
        for (var attempt = 0; ; attempt++)
        {
            var secret = await api.GetAsync(ResourceType.Secrets, ns, SecretName, ct).ConfigureAwait(false);
            if (secret is not null)
            {
                var data = secret["data"];
                string Read(string k) => Encoding.UTF8.GetString(Convert.FromBase64String(data?[k]?.GetValue<string>() ?? ""));
                logger.LogInformation("loaded the distribution CA from Secret {Namespace}/{Name}", ns, SecretName);
                return CertificateAuthority.FromPem(Read(IssuedCredentials.CertificateKey), Read(IssuedCredentials.PrivateKeyKey));
            }
            var ca = CertificateAuthority.Create();
            var body = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = new JsonObject
                {
                    ["name"] = SecretName,
                    ["namespace"] = ns,
                    ["labels"] = new JsonObject { ["app.kubernetes.io/managed-by"] = "causeway" },
                },
                ["type"] = "kubernetes.io/tls",
                ["data"] = new JsonObject
                {
                    [IssuedCredentials.CertificateKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(ca.CertificatePem)),
                    [IssuedCredentials.PrivateKeyKey] = Convert.ToBase64String(Encoding.UTF8.GetBytes(ca.ExportPrivateKeyPem())),
                },
            };
            try
            {
                await api.CreateAsync(ResourceType.Secrets, ns, body, ct).ConfigureAwait(false);
                logger.LogInformation("created the distribution CA in Secret {Namespace}/{Name}", ns, SecretName);
                return ca;
            }
            catch (KubeApiException e) when (e.StatusCode == HttpStatusCode.Conflict && attempt < 3)
            {
                ca.Dispose(); // another replica created it first: use theirs
            }
        }
    }
}
