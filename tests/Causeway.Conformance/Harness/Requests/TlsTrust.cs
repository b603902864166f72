using System.Formats.Asn1;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>Where certificates named by cases (Secret tls.crt/tls.key, ConfigMap ca.crt) come from.</summary>
public interface ICertificateSource
{
    /// <summary>The data of Secret ns/name as text (tls.crt, tls.key), or null.</summary>
    IReadOnlyDictionary<string, string>? Secret(string ns, string name);

    /// <summary>The data of ConfigMap ns/name, or null.</summary>
    IReadOnlyDictionary<string, string>? ConfigMap(string ns, string name);
}

/// <summary>Client-side TLS the way the Go suite does it: custom roots, hostname verified against SANs (no CN).</summary>
public static class TlsTrust
{
    public static X509Certificate2Collection Roots(ICertificateSource source, CertRef caRef)
    {
        string? pem = null;
        if (caRef.Secret is { } s)
        {
            var (ns, name) = Node.NsName(s);
            pem = source.Secret(ns, name)?.GetValueOrDefault("tls.crt");
        }
        else if (caRef.ConfigMap is { } c)
        {
            var (ns, name) = Node.NsName(c);
            pem = source.ConfigMap(ns, name)?.GetValueOrDefault("ca.crt");
        }
        var roots = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(pem)) roots.ImportFromPem(pem);
        return roots;
    }

    public static X509Certificate2? ClientCertificate(ICertificateSource source, CertRef certRef)
    {
        if (certRef.Secret is not { } s) return null;
        var (ns, name) = Node.NsName(s);
        var data = source.Secret(ns, name);
        if (data is null || !data.TryGetValue("tls.crt", out var crt) || !data.TryGetValue("tls.key", out var key)) return null;
        using var loaded = X509Certificate2.CreateFromPem(crt, key);
        // Export/import so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A validation callback: chain to <paramref name="roots"/> (system roots when null) and <paramref name="serverName"/> in the SANs.</summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection? roots, string? serverName, Action<string>? onError = null) =>
        (_, cert, chain, errors) =>
        {
            if (cert is null) { onError?.Invoke("no server certificate"); return false; }
            var leaf = cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            if (roots is null)
            {
                var ok = errors == SslPolicyErrors.None;
                if (!ok) onError?.Invoke($"certificate rejected: {errors}");
                return ok;
            }
            using var c = new X509Chain();
            c.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            c.ChainPolicy.CustomTrustStore.AddRange(roots);
            c.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
                foreach (var e in chain.ChainElements)
                    if (!e.Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)) c.ChainPolicy.ExtraStore.Add(e.Certificate);
            if (!c.Build(leaf))
            {
                // A self-signed leaf placed in the root pool (Go's behaviour for caCert: {secret}) is trusted as is.
                var selfTrusted = roots.Any(r => r.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span));
                if (!selfTrusted)
                {
                    onError?.Invoke("certificate chain not trusted: " + string.Join(", ", c.ChainStatus.Select(s => s.StatusInformation.Trim())));
                    return false;
                }
            }
            if (serverName is not null && !MatchesHostname(leaf, serverName))
            {
                onError?.Invoke($"certificate is not valid for {serverName}");
                return false;
            }
            return true;
        };

    /// <summary>Go crypto/x509 VerifyHostname: IP against IP SANs, otherwise DNS SANs with a leftmost-label wildcard.</summary>
    public static bool MatchesHostname(X509Certificate2 cert, string host)
    {
        var (dns, ips) = SubjectAltNames(cert);
        host = host.TrimEnd('.');
        if (IPAddress.TryParse(host, out var ip)) return ips.Any(i => i.Equals(ip));
        foreach (var pattern in dns)
            if (MatchHostname(pattern.TrimEnd('.'), host)) return true;
        return false;
    }

    public static bool MatchHostname(string pattern, string host)
    {
        var p = pattern.ToLowerInvariant().Split('.');
        var h = host.ToLowerInvariant().Split('.');
        if (p.Length != h.Length || pattern.Length == 0) return false;
        for (var i = 0; i < p.Length; i++)
        {
            if (i == 0 && p[i] == "*" && h[i].Length > 0) continue;
            if (p[i] != h[i]) return false;
        }
        return true;
    }

    public static (List<string> Dns, List<IPAddress> Ips) SubjectAltNames(X509Certificate2 cert)
    {
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        var ext = cert.Extensions["2.5.29.17"];
        if (ext is null) return (dns, ips);
        var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 2)
                dns.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, tag));
            else if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 7)
                ips.Add(new IPAddress(reader.ReadOctetString(tag)));
            else
                reader.ReadEncodedValue();
        }
        return (dns, ips);
    }
}
