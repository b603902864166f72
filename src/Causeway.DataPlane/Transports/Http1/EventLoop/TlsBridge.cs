using System.Security.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// The loop's end of the socket pair a TLS connection the loop terminates is handed to Kestrel through: its events
/// drive the client connection's <see cref="LoopConnection.PumpBridge"/>; <see cref="Up"/> holds plaintext from the
/// client Kestrel has not taken yet, <see cref="Down"/> what was read from Kestrel on its way into the TLS session.
/// </summary>
internal sealed class TlsBridge(Loop loop, int fd, LoopConnection client) : LoopSocket(loop, fd)
{
    private int _upStart, _upEnd;

    public byte[] Up { get; } = new byte[16 * 1024];
    public byte[] Down { get; } = new byte[16 * 1024];

    /// <summary>The client's stream ended (its end of the pair is shut for writing).</summary>
    public bool ClientDone { get; set; }

    /// <summary>Kestrel closed its end.</summary>
    public bool KestrelDone { get; set; }

    public bool UpPending => _upEnd > _upStart;

    public void SetUp(int length)
    {
        _upStart = 0;
        _upEnd = length;
    }

    /// <summary>Sends what <see cref="Up"/> holds: true when some went, false when Kestrel's end takes nothing now.</summary>
    public bool FlushUp()
    {
        if (!Writable) return false;
        var n = Send(Up.AsSpan(_upStart, _upEnd - _upStart));
        if (n == -2) throw new IOException("the TLS bridge to Kestrel failed");
        if (n <= 0) return false;
        _upStart += n;
        return true;
    }

    public override void OnEvents(uint events)
    {
        NoteReadiness(events);
        client.PumpBridge();
    }

    public override void Abort(string reason) => client.Abort(reason);
}

/// <summary>
/// The TLS features of a connection the loop terminated and handed to Kestrel: Kestrel serves it as HTTPS (scheme,
/// the ALPN the handshake chose) and the pipeline sees its SNI and the client certificate the loop validated, as after
/// Kestrel's own handshake.
/// </summary>
internal sealed class LoopTlsFeatures(string? hostName, SslProtocols protocol, byte[] alpn)
    : ITlsConnectionFeature, ITlsHandshakeFeature, ITlsApplicationProtocolFeature
{
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The certificate the loop presented (what SslStream's LocalCertificate is after Kestrel's handshake).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate? LocalCertificate { get; init; }

    public Task<System.Security.Cryptography.X509Certificates.X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ClientCertificate);

    public SslProtocols Protocol => protocol;
    public string HostName => hostName ?? "";

#pragma warning disable SYSLIB0058 // the obsolete members of ITlsHandshakeFeature still have to be implemented
    public CipherAlgorithmType CipherAlgorithm => CipherAlgorithmType.None;
    public int CipherStrength => 0;
    public HashAlgorithmType HashAlgorithm => HashAlgorithmType.None;
    public int HashStrength => 0;
    public ExchangeAlgorithmType KeyExchangeAlgorithm => ExchangeAlgorithmType.None;
    public int KeyExchangeStrength => 0;
#pragma warning restore SYSLIB0058

    public ReadOnlyMemory<byte> ApplicationProtocol => alpn;
}
