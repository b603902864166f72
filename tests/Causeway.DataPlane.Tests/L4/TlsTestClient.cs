using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.DataPlane.Tests.L4;

/// <summary>A TLS client connection through the gateway that remembers the certificate it was shown.</summary>
internal sealed class TlsTestClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;

    private TlsTestClient(TcpClient tcp, SslStream ssl, string? thumbprint)
    {
        _tcp = tcp;
        Stream = ssl;
        Thumbprint = thumbprint;
    }

    public SslStream Stream { get; }
    public string? Thumbprint { get; }

    /// <summary>Connects and handshakes; null when the gateway closed the connection instead.</summary>
    public static async Task<TlsTestClient?> TryConnectAsync(
        int port, string? sni, Func<Stream, Stream>? wrap = null, string? expectThumbprint = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(L4TestSupport.TestTimeout);
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        string? seen = null;
        Stream inner = tcp.GetStream();
        if (wrap is not null) inner = wrap(inner);
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni ?? "",
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    seen = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData()).Thumbprint;
                    return expectThumbprint is null || seen == expectThumbprint;
                },
            }, cts.Token);
            return new TlsTestClient(tcp, ssl, seen);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync();
            tcp.Dispose();
            return null;
        }
    }

    public async Task<string> EchoAsync(string text)
    {
        using var cts = new CancellationTokenSource(L4TestSupport.TestTimeout);
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await Stream.WriteAsync(bytes, cts.Token);
        var back = new byte[bytes.Length];
        await Stream.ReadExactlyAsync(back, cts.Token);
        return System.Text.Encoding.ASCII.GetString(back);
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _tcp.Dispose();
    }
}

/// <summary>Writes through in tiny pieces with pauses, so the gateway sees a ClientHello in many fragments.</summary>
internal sealed class ChunkingStream(Stream inner, int chunk) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        for (var i = 0; i < buffer.Length; i += chunk)
        {
            await inner.WriteAsync(buffer.Slice(i, Math.Min(chunk, buffer.Length - i)), ct);
            await inner.FlushAsync(ct);
            await Task.Delay(1, ct);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
