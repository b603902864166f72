using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tls;

/// <summary>
/// Connects to a backend and runs TLS with SNI = <see cref="BackendTlsIr.Hostname"/>, verifying the chain against the
/// CA bundle (or the system store) and the name against the hostname or the SubjectAltNames. Used as the
/// <see cref="SocketsHttpHandler.ConnectCallback"/>, so the pool keys stay plain host:port and SNI is ours.
/// </summary>
internal sealed class BackendTlsConnector
{
    private readonly SslClientAuthenticationOptions _options;
    private readonly ChainValidator _chain;
    private readonly string[] _names;

    public BackendTlsConnector(BackendTlsIr tls, bool http2, X509Certificate2? clientCertificate)
    {
        _chain = new ChainValidator(tls.CaBundlePem is null ? null : CertificateStore.LoadBundle(tls.CaBundlePem));
        _names = tls.SubjectAltNames.Count > 0 ? [.. tls.SubjectAltNames] : [tls.Hostname];
        _options = new SslClientAuthenticationOptions
        {
            TargetHost = tls.Hostname,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [http2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = Validate,
            ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
        };
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(_options, ct).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || !_chain.IsTrusted(certificate, chain, errors, isServer: true)) return false;
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        foreach (var name in _names)
            if (SubjectAltNameMatcher.Matches(cert, name)) return true;
        return false;
    }
}
