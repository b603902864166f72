using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>TCP and raw TLS exchanges with the echo server's line protocol (welcome, PING, IS_TLS, TEST).</summary>
public static class StreamExecutor
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private const string Welcome = "Gateway API Test TCP Server";

    public static async Task<Observation> ExchangeAsync(RequestSpec spec, Target target, ICertificateSource certs, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(target.Address), target.Port, cts.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return new Observation { TransportError = "connect: " + (e is OperationCanceledException ? "timeout" : e.Message) };
        }
        if (spec.Exchange == "connect-only") return new Observation { Flag = true };
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        string? certError = null;
        if (spec.Scheme == "tls")
        {
            var roots = spec.CaCert is null ? null : TlsTrust.Roots(certs, spec.CaCert);
            var ssl = new SslStream(stream, false);
            stream = ssl;
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = spec.Sni ?? "",
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = TlsTrust.Validator(roots, spec.Sni, e => certError = e),
                }, cts.Token);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException)
            {
                await stream.DisposeAsync();
                return new Observation
                {
                    TransportError = certError ?? $"TLS handshake: {Flatten(e)}",
                    HandshakeFailed = true,
                    CertificateRejected = certError is not null,
                };
            }
        }
        try
        {
            await using (stream)
            {
                var reader = new LineReader(stream);
                var welcome = await reader.ReadLineAsync(cts.Token);
                if (welcome != Welcome) return new Observation { TransportError = $"unexpected welcome line '{welcome}'" };
                bool? isTls = null;
                if (spec.Exchange != "TEST")
                {
                    await WriteLineAsync(stream, "PING", cts.Token);
                    var pong = await reader.ReadLineAsync(cts.Token);
                    if (pong != "PONG") return new Observation { TransportError = $"PING answered '{pong}'" };
                    await WriteLineAsync(stream, "IS_TLS", cts.Token);
                    var tls = await reader.ReadLineAsync(cts.Token);
                    if (tls is not ("true" or "false")) return new Observation { TransportError = $"IS_TLS answered '{tls}'" };
                    isTls = tls == "true";
                }
                await WriteLineAsync(stream, "TEST", cts.Token);
                var json = await reader.ReadLineAsync(cts.Token);
                var echo = json is null ? null : EchoResponse.ParseTcpOrUdp(json);
                if (echo is null) return new Observation { TransportError = $"TEST answered '{json}'" };
                return new Observation { Echo = echo, Flag = isTls };
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return new Observation { TransportError = e is OperationCanceledException ? "timeout" : Flatten(e) };
        }
    }

    private static async Task WriteLineAsync(Stream s, string line, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), ct);
        await s.FlushAsync(ct);
    }

    internal static string Flatten(Exception e)
    {
        var sb = new StringBuilder(e.Message);
        for (var i = e.InnerException; i is not null; i = i.InnerException) sb.Append(" <- ").Append(i.Message);
        return sb.ToString();
    }

    /// <summary>Reads '\n'-terminated lines without over-reading into later lines.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var sb = new StringBuilder();
            while (true)
            {
                for (var i = _start; i < _end; i++)
                    if (_buffer[i] == (byte)'\n')
                    {
                        sb.Append(Encoding.UTF8.GetString(_buffer, _start, i - _start));
                        _start = i + 1;
                        return sb.ToString().TrimEnd('\r');
                    }
                sb.Append(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
                if (sb.Length > 1 << 20) throw new IOException("line too long");
                _start = _end = 0;
                var n = await stream.ReadAsync(_buffer, ct);
                if (n == 0) return sb.Length == 0 ? null : sb.ToString();
                _end = n;
            }
        }
    }
}
