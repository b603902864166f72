using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Causeway.Distribution.Security;

/// <summary>Chain validation against the distribution CA only (the system trust store plays no part).</summary>
internal static class CertificateValidation
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public static bool IsValid(X509Certificate2 certificate, X509Certificate2 ca, bool clientAuth, ILogger logger)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(clientAuth ? ClientAuth : ServerAuth));
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (chain.Build(certificate) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span))
            return true;
        var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
        logger.LogWarning("Rejected {Side} certificate {Subject}: {Reasons}", clientAuth ? "client" : "server", certificate.Subject,
            reasons.Length == 0 ? "not issued by the distribution CA" : reasons);
        return false;
    }
}
