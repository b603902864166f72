using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Clients for the echo backend's TCP (welcome line, PING/PONG) and UDP (one JSON datagram per datagram) modes.</summary>
public static class L4Clients
{
    /// <summary>Reads the TCP echo welcome line, sends PING, returns the two lines received.</summary>
    public static async Task<(string Welcome, string Reply)> TcpPingAsync(Stream stream)
    {
        using var cts = new CancellationTokenSource(E2e.Timeout);
        var welcome = await ReadLineAsync(stream, cts.Token);
        await stream.WriteAsync("PING\n"u8.ToArray(), cts.Token);
        var reply = await ReadLineAsync(stream, cts.Token);
        return (welcome, reply);
    }

    public static async Task<(string Welcome, string Reply)> TcpPingAsync(IPAddress address, int port)
    {
        var (_, stream) = await E2e.ConnectAsync(address, port);
        await using (stream) return await TcpPingAsync(stream);
    }

    /// <summary>TLS to <paramref name="address"/>:<paramref name="port"/> with SNI <paramref name="sni"/>, accepting only
    /// <paramref name="expected"/>; then PING over the plaintext the gateway forwards.</summary>
    public static async Task<(string Welcome, string Reply, X509Certificate2 Served)> TlsPingAsync(IPAddress address, int port, string sni, X509Certificate2 expected)
    {
        var (_, stream) = await E2e.ConnectAsync(address, port);
        X509Certificate2? served = null;
        await using var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, cert, _, _) =>
        {
            served = cert is null ? null : new X509Certificate2(cert);
            return served?.Thumbprint == expected.Thumbprint;
        });
        using var cts = new CancellationTokenSource(E2e.Timeout);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni }, cts.Token);
        var (w, r) = await TcpPingAsync(ssl);
        return (w, r, served!);
    }

    public static async Task<string> UdpRoundTripAsync(IPAddress address, int port, string payload)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var buffer = new byte[4096];
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await udp.SendToAsync(Encoding.UTF8.GetBytes(payload), new IPEndPoint(address, port));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                var n = await udp.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                return Encoding.UTF8.GetString(buffer, 0, n);
            }
            catch (OperationCanceledException) { }
        }
        throw new TimeoutException($"no UDP reply from {address}:{port}");
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (sb.Length < 8192)
        {
            var n = await stream.ReadAsync(one, ct);
            if (n == 0) break;
            if (one[0] == '\n') break;
            sb.Append((char)one[0]);
        }
        return sb.ToString();
    }
}
