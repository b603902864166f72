using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Tls.ClientValidation;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ClientTraffic.ForwardedClientCert;

/// <summary>
/// The certificates of one mutual TLS connection: the client's and the one the gateway presented. Built once per
/// connection by the transport (or per request where the transport has no connection state); the XFCC element is
/// computed the first time a request asks for it.
/// </summary>
internal sealed class PeerCertificates(X509Certificate2 client, X509Certificate? local)
{
    /// <summary>The last element built, with the details it holds (one reference: safe to share across HTTP/2 streams).</summary>
    private Built? _built;

    private sealed record Built(ForwardedClientCertDetails Details, string Element);

    public X509Certificate2 Client { get; } = client;
    public X509Certificate? Local { get; } = local;

    /// <summary>
    /// The certificate the gateway presented on a Kestrel connection: SslStream's, or the event loop's when the loop
    /// terminated TLS and handed the connection over decrypted.
    /// </summary>
    public static X509Certificate? LocalOf(Microsoft.AspNetCore.Http.Features.IFeatureCollection features) =>
        features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ISslStreamFeature>()?.SslStream.LocalCertificate
        ?? features.Get<Transports.Http1.EventLoop.LoopTlsFeatures>()?.LocalCertificate;

    /// <summary>
    /// This connection's element of the header, as Envoy writes it: By (each URI SAN of the gateway's certificate),
    /// Hash (hex SHA-256 of the client certificate's DER), then per <paramref name="details"/> Cert and Chain (quoted,
    /// URL-encoded PEM), Subject (quoted, RFC 2253), URI (each, or empty) and DNS (each); pairs joined by ';'.
    /// </summary>
    public string Element(ForwardedClientCertDetails details)
    {
        if (_built is { } built && built.Details == details) return built.Element;
        var parts = new List<string>();
        if (Local is not null)
        {
            var local = Local as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(Local.GetRawCertData());
            foreach (var uri in CertificateNames.Of(local).Uri) parts.Add("By=" + uri);
        }
        parts.Add("Hash=" + Convert.ToHexStringLower(SHA256.HashData(Client.RawDataMemory.Span)));
        var pem = details.HasFlag(ForwardedClientCertDetails.Cert) || details.HasFlag(ForwardedClientCertDetails.Chain)
            ? Uri.EscapeDataString(Client.ExportCertificatePem() + "\n") : null;
        if (details.HasFlag(ForwardedClientCertDetails.Cert)) parts.Add($"Cert=\"{pem}\"");
        // The chain as the handshake kept it: .NET keeps only the client's own certificate after the handshake.
        if (details.HasFlag(ForwardedClientCertDetails.Chain)) parts.Add($"Chain=\"{pem}\"");
        if (details.HasFlag(ForwardedClientCertDetails.Subject)) parts.Add($"Subject=\"{SubjectText.Format(Client.SubjectName)}\"");
        if ((details & (ForwardedClientCertDetails.Uri | ForwardedClientCertDetails.Dns)) != 0)
        {
            var names = CertificateNames.Of(Client);
            if (details.HasFlag(ForwardedClientCertDetails.Uri))
            {
                if (names.Uri.Count == 0) parts.Add("URI=");
                foreach (var u in names.Uri) parts.Add("URI=" + u);
            }
            if (details.HasFlag(ForwardedClientCertDetails.Dns))
                foreach (var d in names.Dns) parts.Add("DNS=" + d);
        }
        var element = string.Join(';', parts);
        _built = new Built(details, element);
        return element;
    }
}
