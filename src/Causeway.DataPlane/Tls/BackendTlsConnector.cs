using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tls;

/// <summary>
/// Connects to a backend and runs TLS with SNI = <see cref="BackendTlsIr.Hostname"/>, the certificate checked by
/// <see cref="BackendCertificateValidator"/> (<see cref="BackendCertificateRules.Strict"/>). Used as the
/// <see cref="SocketsHttpHandler.ConnectCallback"/>, so the pool keys stay plain host:port and SNI is ours.
/// </summary>
internal sealed class BackendTlsConnector
{
    private readonly SslClientAuthenticationOptions _options;
    private readonly EquatableArray<string> _unixPaths;

    private readonly TcpKeepaliveIr? _keepalive;

    public BackendTlsConnector(BackendTlsIr tls, bool http2, X509Certificate2? clientCertificate, EquatableArray<string> unixPaths = default, TcpKeepaliveIr? keepalive = null)
    {
        _unixPaths = unixPaths;
        _keepalive = keepalive;
        _options = BackendTlsOptions.Create(tls, new BackendCertificateValidator(tls, BackendCertificateRules.Strict),
            http2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11);
        // Only the leaf is presented (L4 origination also sends the Secret's intermediates); unchanged on purpose.
        if (clientCertificate is not null) _options.ClientCertificates = [clientCertificate];
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var socket = await Upstream.UnixSockets.ConnectAsync(context.DnsEndPoint, _unixPaths, ct, _keepalive).ConfigureAwait(false);
        return await AuthenticateAsync(new NetworkStream(socket, ownsSocket: true), ct).ConfigureAwait(false);
    }

    /// <summary>Runs TLS over a connected stream (which the returned stream owns; disposed when the handshake fails).</summary>
    public async ValueTask<Stream> AuthenticateAsync(Stream inner, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
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
}
