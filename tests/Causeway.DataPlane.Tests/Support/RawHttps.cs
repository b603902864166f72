using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>One HTTP/1.1 request over a TLS connection whose SNI, Host header and client certificate a test chooses.</summary>
public static class RawHttps
{
    /// <summary>
    /// <c>GET /</c> with <c>Connection: close</c>; returns the whole answer as text. <paramref name="sni"/> null sends no
    /// SNI. Throws when the handshake fails or the connection closes without an answer.
    /// </summary>
    public static async Task<string> GetAsync(int port, string? sni, string host, X509Certificate2? clientCert)
    {
        using var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni ?? "", // an empty target host sends no SNI
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ClientCertificates = clientCert is null ? null : new X509CertificateCollection { clientCert },
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cts.Token);
        await ssl.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), cts.Token);
        using var reader = new StreamReader(ssl, Encoding.ASCII);
        var text = await reader.ReadToEndAsync(cts.Token);
        if (text.Length == 0) throw new IOException("connection closed without a response");
        return text;
    }
}
