using Causeway.DataPlane.Tls.Fingerprints;
using System.Security.Authentication;
using Causeway.DataPlane.L4.Tls;
using Causeway.DataPlane.Tls.OpenSsl;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// TLS terminated by the event loop (HTTPS ports), the way nginx and HAProxy do it: the loop reads the ClientHello
/// itself, chooses the listener and certificate by its SNI, and either hands the untouched bytes to Kestrel (the
/// listener has settings only SslStream serves, or the client offers h2 on a port whose HTTP/2 the loop does not
/// serve) or runs OpenSSL over memory BIOs (a listener validating client certificates too: its context calls the
/// listener's validator, and the client's certificate goes with the connection's requests) (<see cref="OpenSslSession"/>): one receive feeds whatever records
/// arrived, SSL_read and SSL_write never touch the socket, and the connection then serves requests exactly as a
/// cleartext one does, its reads and writes going through <see cref="ReceiveClient"/> and <see cref="SendClient"/>.
/// A request the loop does not serve is handed to Kestrel decrypted, over a socket pair the loop pumps
/// (<see cref="TlsBridge"/>), with the handshake's details as Kestrel's TLS features.
/// </summary>
internal sealed partial class LoopConnection
{
    /// <summary>Largest ClientHello waited for (post-quantum key shares make them about 2 KB).</summary>
    private const int MaxClientHello = 32 * 1024;

    private OpenSslSession? _tls;

    /// <summary>The last SSL_read returned data: more may be decrypted without reading the socket.</summary>
    private bool _tlsHasMore;

    /// <summary>Ciphertext the kernel did not take yet (beyond what the session's output BIO still holds).</summary>
    private byte[]? _cipherPending;
    private int _cipherStart, _cipherEnd;

    /// <summary>Closing for an error: no close_notify.</summary>
    private bool _aborting;
    private TlsBridge? _bridge;

    private bool ClientReadable => Readable || _tlsHasMore;

    private bool CipherPending => _tls is not null && (_cipherEnd > _cipherStart || _tls.PendingOutput > 0);

    /// <summary>Like <see cref="LoopSocket.Receive"/>, through TLS when the loop terminates it.</summary>
    private int ReceiveClient(Span<byte> into)
    {
        if (_tls is null) return Receive(into);
        while (true)
        {
            var n = _tls.Read(into);
            if (n > 0)
            {
                _tlsHasMore = true;
                return n;
            }
            _tlsHasMore = false;
            if (n == 0) return 0; // close_notify
            if (n == -2)
            {
                _owner.LogAborted($"TLS: {_tls.Error}");
                return -2;
            }
            if (_tls.PendingOutput > 0 && Writable) FlushCipher(); // a post-handshake answer (key update)
            if (!Readable) return -1;
            var scratch = Loop.TlsScratch;
            var r = Receive(scratch);
            if (r <= 0) return r;
            _tls.Feed(scratch.AsSpan(0, r));
        }
    }

    /// <summary>Like <see cref="LoopSocket.Send"/>, through TLS when the loop terminates it: the plaintext taken.</summary>
    private int SendClient(ReadOnlySpan<byte> bytes)
    {
        if (_tls is null) return Send(bytes);
        if (!FlushCipher()) return -1;
        var take = Math.Min(bytes.Length, 64 * 1024);
        _tls.Write(bytes[..take]);
        FlushCipher();
        return take;
    }

    /// <summary>Sends waiting ciphertext: true when all of it went, false when the kernel took less.</summary>
    private bool FlushCipher()
    {
        while (_cipherEnd > _cipherStart)
        {
            if (!Writable) return false;
            var n = Send(_cipherPending.AsSpan(_cipherStart, _cipherEnd - _cipherStart));
            if (n == -2) throw ClientGone("writing to the client");
            if (n <= 0) return false;
            _cipherStart += n;
        }
        _cipherStart = _cipherEnd = 0;
        if (_tls is null) return true;
        var scratch = Loop.TlsScratch;
        while (_tls.PendingOutput > 0)
        {
            if (!Writable) return false;
            var k = _tls.TakeOutput(scratch);
            var n = Send(scratch.AsSpan(0, k));
            if (n == -2) throw ClientGone("writing to the client");
            if (n == k) continue;
            var sent = Math.Max(n, 0);
            if (_cipherPending is null || _cipherPending.Length < k - sent) _cipherPending = new byte[Math.Max(k - sent, 16 * 1024)];
            scratch.AsSpan(sent, k - sent).CopyTo(_cipherPending);
            _cipherStart = 0;
            _cipherEnd = k - sent;
            return false;
        }
        return true;
    }

    /// <summary>The ClientHello and the handshake (states Hello and Handshake).</summary>
    private void OnTlsStart()
    {
        if (CipherPending && Writable) FlushCipher();
        if (_state == State.Hello) ReadHello();
        if (_state == State.Handshake) ContinueHandshake();
    }

    private void ReadHello()
    {
        while (true)
        {
            if (_len > 0 && (_proxyHeader is null || ReadProxyHeader()))
            {
                var status = ClientHelloParser.TryParse(_x.HeadBuffer.AsSpan(0, _len), MaxClientHello, out var sni, out var offersH2, out var hello);
                if (status == ClientHelloStatus.Complete)
                {
                    StartTls(sni, offersH2, hello);
                    return;
                }
                if (status == ClientHelloStatus.Invalid)
                {
                    HandshakeFailed("not a TLS ClientHello");
                    return;
                }
            }
            if (_state != State.Hello || !Readable) return;
            if (_len == _x.HeadBuffer.Length) _x.EnsureHeadBuffer(_len * 2, _len);
            var n = Receive(_x.HeadBuffer.AsSpan(_len));
            if (n is 0 or -2)
            {
                HandshakeFailed("the client closed the connection during the TLS handshake");
                return;
            }
            if (n > 0) _len += n;
        }
    }

    /// <summary>The ClientHello is in: hand the connection to Kestrel's TLS, or start OpenSSL with the SNI's certificate.</summary>
    private void StartTls(string? sni, bool offersH2, ReadOnlySpan<byte> hello)
    {
        var listener = _listener.Port.Current.ListenerForSni(sni);
        if (listener is null)
        {
            HandshakeFailed($"no certificate for server name '{sni}'");
            return;
        }
        if (listener.Ja3 || listener.Ja4)
        {
            var (ja3, ja4) = TlsFingerprints.Compute(hello, listener.Ja3, listener.Ja4);
            _x.Fingerprints = new TlsFingerprintFeature(ja3, ja4);
        }
        var context = listener.SelectLoopTls(sni, out var servesH2, loopH2: offersH2 && listener.OffersH2 && ServesH2);
        if (context is null || (offersH2 && listener.OffersH2 && !servesH2))
        {
            HandOff(context is null ? "TLS the loop does not terminate" : "TLS with h2 offered");
            return;
        }
        _tls = new OpenSslSession(context);
        _tls.Feed(_x.HeadBuffer.AsSpan(0, _len));
        _len = 0;
        _x.Sni = sni;
        _state = State.Handshake;
    }

    private void ContinueHandshake()
    {
        var scratch = Loop.TlsScratch;
        while (true)
        {
            bool done;
            try
            {
                done = _tls!.Handshake();
            }
            catch (AuthenticationException ex)
            {
                try
                {
                    FlushCipher(); // the alert, if the kernel takes it now
                }
                catch (ClientGoneException)
                {
                }
                HandshakeFailed(ex.Message);
                return;
            }
            FlushCipher(); // what the kernel does not take now goes when it is writable
            if (done)
            {
                HandshakeDone();
                return;
            }
            if (!Readable) return;
            var n = Receive(scratch);
            if (n is 0 or -2)
            {
                HandshakeFailed("the client closed the connection during the TLS handshake");
                return;
            }
            if (n < 0) return;
            _tls.Feed(scratch.AsSpan(0, n));
        }
    }

    private void HandshakeDone()
    {
        if (_tls!.Context.Validator is not null && !TakePeerCertificate()) return;
        _listener.Port.Connections.Handshake(ok: true);
        _tlsHasMore = true; // the client's first request (or HTTP/2 preface) may have come with its Finished
        if (_tls!.Alpn.SequenceEqual("h2"u8) && ServesH2)
        {
            StartHttp2(default);
            return;
        }
        if (_tls.Alpn.SequenceEqual("h2"u8))
        {
            // A listener whose TLS only OpenSSL applies (groups, signature algorithms): HTTP/2 is Kestrel's, decrypted.
            BridgeToKestrel("h2 over TLS the loop terminated");
            return;
        }
        _state = State.Head;
        ArmIdleDeadline(_listener.Port.Current.Connection);
        ReadHead();
    }

    /// <summary>
    /// The certificate a validated client presented, for its requests (the XFCC header, Kestrel's ClientCertificate);
    /// false (the connection closed) in the unlikely case it does not decode after passing validation.
    /// </summary>
    private bool TakePeerCertificate()
    {
        try
        {
            if (_tls!.PeerCertificate() is { } client)
                _x.Peer = new Policies.ClientTraffic.ForwardedClientCert.PeerCertificates(client, _tls.Context.Local);
            return true;
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            HandshakeFailed($"client certificate: {ex.Message}");
            return false;
        }
    }

    private void HandshakeFailed(string reason)
    {
        _listener.Port.Connections.Handshake(ok: false);
        _owner.LogAborted($"TLS handshake: {reason}");
        _aborting = true;
        Close();
    }

    /// <summary>
    /// Gives a TLS connection the loop terminates to Kestrel decrypted: Kestrel gets one end of a socket pair and the
    /// plaintext read so far; the loop pumps between the other end and the TLS session until either side ends.
    /// </summary>
    private unsafe bool BridgeToKestrel(string reason)
    {
        var fds = stackalloc int[2];
        if (Native.socketpair(Native.AfUnix, Native.SockStream | Native.SockNonBlock | Native.SockCloExec, 0, fds) != 0)
        {
            Abort("socketpair failed");
            return true;
        }
        var bridge = new TlsBridge(Loop, fds[0], this);
        if (!Loop.Register(bridge, Native.EpollIn | Native.EpollOut | Native.EpollRdHup | Native.EpollEt))
        {
            Native.close(fds[0]);
            Native.close(fds[1]);
            Abort("could not register the TLS bridge");
            return true;
        }
        _bridge = bridge;
        _state = State.Bridged;
        Deadline = 0; // Kestrel's timeouts apply from here
        _listener.CountHandOff(reason);
        var tls = new LoopTlsFeatures(_x.Sni, _tls!.Protocol, _tls.Alpn.ToArray())
        {
            ClientCertificate = _x.Peer?.Client,
            LocalCertificate = _x.Peer?.Local,
        };
        _listener.HandOffDecrypted(fds[1], _x.HeadBuffer.AsSpan(0, _len).ToArray(), _x.RemoteEndPoint, tls, _x.Fingerprints,
            _localAddress ??= Native.LocalEndPoint(Fd));
        _len = 0;
        PumpBridge();
        return true;
    }

    /// <summary>Moves bytes both ways between the client's TLS session and Kestrel's end of the bridge.</summary>
    internal void PumpBridge()
    {
        var b = _bridge!;
        while (true)
        {
            if (b.UpPending)
            {
                if (!b.FlushUp()) break;
                continue;
            }
            if (b.ClientDone || !ClientReadable) break;
            var n = ReceiveClient(b.Up);
            if (n > 0) b.SetUp(n);
            else if (n == -1) break;
            else
            {
                b.ClientDone = true;
                Native.shutdown(b.Fd, Native.ShutWr);
            }
        }
        while (true)
        {
            if (CipherPending && !FlushCipher()) return;
            if (b.KestrelDone || !b.Readable) break;
            var n = b.Receive(b.Down);
            if (n > 0) _tls!.Write(b.Down.AsSpan(0, n));
            else if (n == -1) break;
            else b.KestrelDone = true;
        }
        if (b.KestrelDone) Close(); // Kestrel ended the connection and all of it went: close_notify, then close
    }

    /// <summary>Releases the TLS session (close_notify first when closing cleanly) and the bridge.</summary>
    private void CloseTls()
    {
        if (_bridge is { } bridge)
        {
            Loop.Unregister(bridge);
            Native.close(bridge.Fd);
        }
        if (_tls is null) return;
        if (!_aborting && _tls.Established)
        {
            _tls.Shutdown();
            try
            {
                FlushCipher();
            }
            catch (ClientGoneException)
            {
            }
        }
        _tls.Dispose();
        _tls = null;
    }
}
