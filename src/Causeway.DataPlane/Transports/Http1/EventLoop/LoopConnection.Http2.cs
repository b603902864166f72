using Causeway.DataPlane.Transports.Http2;
using Causeway.DataPlane.Transports.Http2.EventLoop;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// A loop connection that turned out to be HTTP/2 (ALPN h2 on a TLS port the loop terminates, or the cleartext
/// prior-knowledge preface), on a port whose every route the loop serves: from then on its bytes drive a
/// <see cref="LoopH2Connection"/> (Transports/Http2/EventLoop) through the same socket and TLS session.
/// </summary>
internal sealed partial class LoopConnection
{
    private LoopH2Connection? _h2;

    /// <summary>The loop serves HTTP/2 on this connection's port (decided per connection when it starts).</summary>
    private bool ServesH2 => Options.LoopHttp2 && _listener.Port.Current.ServesH2OnLoop;

    /// <summary>The buffer starts with the HTTP/2 connection preface (cleartext prior knowledge).</summary>
    private bool StartsWithPreface()
    {
        var preface = Http2Frame.Preface;
        var n = Math.Min(_len, preface.Length);
        return n >= 3 && _x.HeadBuffer.AsSpan(0, n).SequenceEqual(preface[..n]);
    }

    /// <summary>Serves the connection as HTTP/2 from now on, <paramref name="initial"/> being what the client sent so far.</summary>
    private void StartHttp2(ReadOnlySpan<byte> initial)
    {
        _state = State.Http2;
        Deadline = 0;
        _h2 = new LoopH2Connection(this, LoopH2Connection.SettingsFor(_listener.Port.Current));
        _h2.Start(initial);
    }

    public override void OnDeferred()
    {
        if (_state == State.Http2) _h2!.OnDeferred();
    }

    internal bool ClientReadableForH2 => ClientReadable;
    internal int ReceiveForH2(Span<byte> into) => ReceiveClient(into);
    internal int SendForH2(ReadOnlySpan<byte> bytes) => SendClient(bytes);
    internal ClientGoneException ClientGoneWhile(string doing) => ClientGone(doing);
    internal System.Net.EndPoint? LocalAddressForH2 => _localAddress ??= Native.LocalEndPoint(Fd);
    internal string? Sni => _x.Sni;
    internal System.Net.EndPoint? RemoteEndPoint => _x.RemoteEndPoint;
    internal Tls.Fingerprints.TlsFingerprintFeature? Fingerprints => _x.Fingerprints;
    /// <summary>The client's certificate when the listener validated one (every stream's XFCC element is built from it).</summary>
    internal Policies.ClientTraffic.ForwardedClientCert.PeerCertificates? Peer => _x.Peer;
    /// <summary>The client address a PROXY header named (else null: the policies take <see cref="ClientIp"/>, as for HTTP/1.1 requests).</summary>
    internal System.Net.IPAddress? ClientAddress => _proxied ? (_x.RemoteEndPoint as System.Net.IPEndPoint)?.Address : null;
    internal byte[]? ClientIp => _clientIp;

    /// <summary>When the connection was accepted (loop milliseconds), for its maximum age.</summary>
    internal long OpenedAt => _opened;
}
