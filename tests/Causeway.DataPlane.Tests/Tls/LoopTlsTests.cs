using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Telemetry;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Tls;

/// <summary>
/// TLS the event loops terminate with OpenSSL (HTTPS ports, HTTP/1.1 clients): what the loop does itself — the
/// ClientHello and the choice between its own handshake and Kestrel's, handshake failures and stalls, the bridge to
/// Kestrel for requests it does not serve, close_notify, resumption, rotation with connections open — seen by real
/// clients (SslStream, HttpClient, openssl s_client).
/// </summary>
public sealed class LoopTlsTests() : TwoHostTlsTest("loop-tls-ca")
{
    private GatewayIr TwoListeners(TestCert? certA = null, ClientValidationIr? validationOnB = null) => Gateway("ns/gw",
        [Port(PortProtocol.Https, 0,
            Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with
            {
                Certificates = new[] { (certA ?? CertA).ToIr("a.example.com") },
            },
            Listener("ns/gw/b", "b.example.com", Host("b.example.com", Prefix("/", To("ns/b:80")))) with
            {
                Certificates = new[] { CertB.ToIr("b.example.com") },
                ClientValidation = validationOnB,
            })],
        Backend("ns/a:80", EchoA), Backend("ns/b:80", EchoB));

    private static HttpClient Client()
    {
        var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }

    private static HttpRequestMessage Request(int port, string host, string path, Version version, HttpContent? body = null)
    {
        var req = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, $"https://127.0.0.1:{port}{path}")
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };
        req.Headers.Host = host;
        return req;
    }

    /// <summary>A TLS connection to the gateway with <paramref name="sni"/> and ALPN http/1.1.</summary>
    private static async Task<(TcpClient Tcp, SslStream Ssl)> ConnectAsync(int port, string sni)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var ssl = new SslStream(tcp.GetStream());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cts.Token);
        return (tcp, ssl);
    }

    /// <summary>Reads one response (Content-Length or chunked body) from <paramref name="ssl"/>; returns head and body.</summary>
    /// <summary>Bytes read past the last response (a read may return the start of the next pipelined one).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Stream, List<byte>> Leftovers = new();

    private static async Task<(string Head, string Body)> ReadResponseAsync(Stream ssl)
    {
        var buffer = Leftovers.GetOrCreateValue(ssl);
        var one = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var text = Encoding.Latin1.GetString(buffer.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var lines = head.Split("\r\n");
                var lengthLine = lines.FirstOrDefault(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase));
                var rest = text[(end + 4)..];
                if (lines.Any(l => l.Equals("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase)))
                {
                    if (Dechunk(rest, out var used) is { } body)
                    {
                        buffer.RemoveRange(0, end + 4 + used);
                        return (head, body);
                    }
                }
                else
                {
                    var length = lengthLine is null ? 0 : int.Parse(lengthLine.Split(':')[1].Trim());
                    if (rest.Length >= length)
                    {
                        buffer.RemoveRange(0, end + 4 + length);
                        return (head, rest[..length]);
                    }
                }
            }
            var n = await ssl.ReadAsync(one, cts.Token);
            if (n == 0) throw new IOException($"closed mid-response after {buffer.Count} bytes");
            buffer.AddRange(one.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>A complete chunked body decoded, or null while incomplete.</summary>
    private static string? Dechunk(string data, out int used)
    {
        used = 0;
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var eol = data.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (eol < 0) return null;
            var size = Convert.ToInt32(data[at..eol].Split(';')[0], 16);
            if (size == 0)
            {
                var last = data.IndexOf("\r\n", eol + 2, StringComparison.Ordinal);
                if (last < 0) return null;
                used = last + 2;
                return body.ToString();
            }
            if (data.Length < eol + 2 + size + 2) return null;
            body.Append(data, eol + 2, size);
            at = eol + 2 + size + 2;
        }
    }

    [Fact]
    public async Task Http10_clients_are_served_by_the_loop_kept_alive_when_they_ask_and_never_sent_chunks()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        // A HEAD kept alive, then a GET whose backend answers chunked: decoded, close-delimited, then closed.
        var output = await TlsClients.SClientAsync(g.Port, "a.example.com", null,
            "HEAD /one HTTP/1.0\r\nHost: a.example.com\r\nConnection: keep-alive\r\n\r\nGET /two HTTP/1.0\r\nHost: a.example.com\r\nConnection: keep-alive\r\n\r\n");
        var first = output.IndexOf("HTTP/1.1 200 OK", StringComparison.Ordinal);
        var second = output.IndexOf("HTTP/1.1 200 OK", first + 1, StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first, output);
        Assert.Contains("Connection: keep-alive", output[first..second], StringComparison.Ordinal);
        var answer = output[second..];
        Assert.Contains("Connection: close", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", answer, StringComparison.OrdinalIgnoreCase);
        var body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.StartsWith("{\"Name\":\"a\",\"Method\":\"GET\",\"Path\":\"/two\"", body, StringComparison.Ordinal);
        Assert.Equal(2, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task Http11_and_h2_clients_are_both_served_by_the_loop_where_every_route_runs_there()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        using var client = Client();
        for (var i = 0; i < 3; i++)
        {
            using var r = await client.SendAsync(Request(g.Port, "a.example.com", $"/one{i}", HttpVersion.Version11));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await r.Content.ReadAsStringAsync())!;
            Assert.Equal("a", echo.Name);
            Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
        }
        Assert.Equal(3, g.Plane.FastPath!.LoopRequests);
        using (var h2 = await client.SendAsync(Request(g.Port, "b.example.com", "/two", HttpVersion.Version20)))
        {
            Assert.Equal(HttpStatusCode.OK, h2.StatusCode);
            Assert.Equal(HttpVersion.Version20, h2.Version);
            var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await h2.Content.ReadAsStringAsync())!;
            Assert.Equal("b", echo.Name);
        }
        Assert.Equal(4, g.Plane.FastPath.LoopRequests); // ALPN chose h2 and the loop served it (Transports/Http2/EventLoop)
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task The_sni_chooses_the_certificate_and_a_request_for_the_other_listener_is_misdirected()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        foreach (var (sni, cert) in new[] { ("a.example.com", CertA), ("b.example.com", CertB) })
        {
            var (tcp, ssl) = await ConnectAsync(g.Port, sni);
            using (tcp)
            await using (ssl)
            {
                Assert.Equal(cert.Certificate.Thumbprint, new X509Certificate2(ssl.RemoteCertificate!).Thumbprint);
                Assert.Equal(SslApplicationProtocol.Http11, ssl.NegotiatedApplicationProtocol);
                await ssl.WriteAsync(Encoding.ASCII.GetBytes($"GET /x HTTP/1.1\r\nHost: {sni}\r\n\r\n"));
                var (head, body) = await ReadResponseAsync(ssl);
                Assert.StartsWith("HTTP/1.1 200", head);
                Assert.Contains($"\"Name\":\"{sni[0]}\"", body);
                // Same connection, the other listener's host: 421, as on Kestrel's TLS.
                var other = sni.StartsWith('a') ? "b.example.com" : "a.example.com";
                await ssl.WriteAsync(Encoding.ASCII.GetBytes($"GET /x HTTP/1.1\r\nHost: {other}\r\n\r\n"));
                var (misdirected, _) = await ReadResponseAsync(ssl);
                Assert.StartsWith("HTTP/1.1 421", misdirected);
            }
        }
        Assert.True(g.Plane.FastPath!.LoopRequests >= 4);
    }

    [Fact]
    public async Task A_request_the_loop_does_not_serve_goes_to_kestrel_decrypted_and_the_connection_keeps_serving()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var (tcp, ssl) = await ConnectAsync(g.Port, "a.example.com");
        using (tcp)
        await using (ssl)
        {
            await ssl.WriteAsync("GET /first HTTP/1.1\r\nHost: a.example.com\r\n\r\n"u8.ToArray());
            Assert.StartsWith("HTTP/1.1 200", (await ReadResponseAsync(ssl)).Head);
            // A body larger than the loop buffers: handed to Kestrel through the bridge, with the head already read.
            var body = new byte[300_000];
            body.AsSpan().Fill((byte)'x');
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"POST /big HTTP/1.1\r\nHost: a.example.com\r\nContent-Length: {body.Length}\r\n\r\n"));
            await ssl.WriteAsync(body);
            var (head, _) = await ReadResponseAsync(ssl);
            Assert.StartsWith("HTTP/1.1 200", head);
            Assert.Contains("x-echo-body-length: 300000", head, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);
            // The same connection, now Kestrel's, serves the next request too and still says https.
            await ssl.WriteAsync("GET /third HTTP/1.1\r\nHost: a.example.com\r\n\r\n"u8.ToArray());
            var (third, echo) = await ReadResponseAsync(ssl);
            Assert.StartsWith("HTTP/1.1 200", third);
            Assert.Contains("\"x-forwarded-proto\":\"https\"", echo.Replace(" ", "").ToLowerInvariant());
        }
        Assert.Equal(1, g.Plane.FastPath!.LoopRequests);
    }

    [Fact]
    public async Task Not_tls_and_a_stalled_handshake_are_closed_and_counted_as_failed_handshakes()
    {
        var registry = new MetricsRegistry();
        var options = TestGateway.Options with { Metrics = registry, TlsHandshakeTimeout = TimeSpan.FromSeconds(1) };
        await using var g = await TestGateway.StartAsync(options, TwoListeners());
        using (var plain = new TcpClient())
        {
            await plain.ConnectAsync(IPAddress.Loopback, g.Port);
            await plain.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n"u8.ToArray());
            Assert.Equal(0, await ReadUntilClosedAsync(plain.GetStream(), TimeSpan.FromSeconds(10)));
        }
        using (var stalled = new TcpClient())
        {
            await stalled.ConnectAsync(IPAddress.Loopback, g.Port);
            // The start of a ClientHello record, and then nothing.
            await stalled.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 });
            var started = DateTime.UtcNow;
            Assert.Equal(0, await ReadUntilClosedAsync(stalled.GetStream(), TimeSpan.FromSeconds(10)));
            Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(500), "closed at the handshake timeout, not at once");
        }
        const string expected = "result=\"failure\"} 2";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var text = "";
        while (DateTime.UtcNow < deadline && !Failures(text = registry.Render()).Contains(expected)) await Task.Delay(50);
        Assert.Contains(expected, Failures(text));
        // The port still serves.
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
    }

    private static string Failures(string metrics) =>
        string.Join("\n", metrics.Split('\n').Where(l => l.StartsWith("causeway_tls_handshakes_total{", StringComparison.Ordinal) && l.Contains("failure")));

    /// <summary>Reads until the server closes; returns the bytes read (throws if it does not close in time).</summary>
    private static async Task<int> ReadUntilClosedAsync(NetworkStream stream, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var total = 0;
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return total;
                total += n;
            }
        }
        catch (IOException)
        {
            return total; // reset: closed as well
        }
    }

    [Fact]
    public async Task A_connection_the_gateway_closes_ends_with_close_notify_and_tls13_sessions_resume()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var dir = Directory.CreateTempSubdirectory("causeway-resume").FullName;
        try
        {
            var session = Path.Combine(dir, "session.pem");
            var first = await TlsClients.SClientGetAsync(g.Port, "a.example.com", null, "-tls1_3", "-sess_out", session);
            Assert.Contains("HTTP/1.1 200", first);
            Assert.Contains("New, TLSv1.3", first);
            // OpenSSL 3 reports a close without close_notify as an unexpected EOF.
            Assert.DoesNotContain("unexpected eof", first, StringComparison.OrdinalIgnoreCase);
            var second = await TlsClients.SClientGetAsync(g.Port, "a.example.com", null, "-tls1_3", "-sess_in", session);
            Assert.Contains("HTTP/1.1 200", second);
            Assert.Contains("Reused, TLSv1.3", second);
            var tls12 = await TlsClients.SClientGetAsync(g.Port, "a.example.com", null, "-tls1_2");
            Assert.Contains("HTTP/1.1 200", tls12);
            Assert.Contains("TLSv1.2", tls12);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.Equal(3, g.Plane.FastPath!.LoopRequests);
    }

    [Fact]
    public async Task A_rotated_certificate_serves_new_connections_while_open_ones_keep_going()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var (tcp, ssl) = await ConnectAsync(g.Port, "a.example.com");
        using (tcp)
        await using (ssl)
        {
            await ssl.WriteAsync("GET /before HTTP/1.1\r\nHost: a.example.com\r\n\r\n"u8.ToArray());
            Assert.StartsWith("HTTP/1.1 200", (await ReadResponseAsync(ssl)).Head);
            var rotated = TestCerts.CreateLeaf(TestCerts.CreateCa("loop-tls-ca-2"), "a.example.com", "a.example.com");
            await g.ApplyAsync(TwoListeners(rotated));
            // The open connection keeps its session and is served by the new configuration.
            await ssl.WriteAsync("GET /after HTTP/1.1\r\nHost: a.example.com\r\n\r\n"u8.ToArray());
            Assert.StartsWith("HTTP/1.1 200", (await ReadResponseAsync(ssl)).Head);
            var (tcp2, ssl2) = await ConnectAsync(g.Port, "a.example.com");
            using (tcp2)
            await using (ssl2)
            {
                Assert.Equal(rotated.Certificate.Thumbprint, new X509Certificate2(ssl2.RemoteCertificate!).Thumbprint);
            }
        }
    }

    [Fact]
    public async Task Listeners_that_validate_client_certificates_are_served_by_the_loop()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners(validationOnB: new ClientValidationIr { CaBundlePem = Ca.CertificatePem }));
        var client = TestCerts.CreateLeaf(Ca, "client");
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "b.example.com", "b.example.com", client.Certificate));
        Assert.Equal(1, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "b.example.com", "b.example.com", null));
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
        Assert.Equal(2, g.Plane.FastPath.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    /// <summary>A stream over a socket that sends every write one byte at a time (each its own TCP segment).</summary>
    private sealed class Trickle(NetworkStream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                await inner.WriteAsync(buffer.Slice(i, 1), cancellationToken);
                if (i % 64 == 0) await Task.Delay(1, cancellationToken);
            }
        }
    }

    [Fact]
    public async Task A_handshake_and_records_arriving_a_byte_at_a_time_and_pipelined_requests_are_served()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, g.Port);
        await using var ssl = new SslStream(new Trickle(tcp.GetStream()));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "b.example.com",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cts.Token);
        Assert.Equal(CertB.Certificate.Thumbprint, new X509Certificate2(ssl.RemoteCertificate!).Thumbprint);
        // Three requests in one write (one record, sent a byte at a time): three answers, in order.
        await ssl.WriteAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 3).Select(i => $"GET /p{i} HTTP/1.1\r\nHost: b.example.com\r\n\r\n"))), cts.Token);
        for (var i = 0; i < 3; i++)
        {
            string head, body;
            try
            {
                (head, body) = await ReadResponseAsync(ssl);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no response {i}: loop requests {g.Plane.FastPath!.LoopRequests}, hand-offs {g.Plane.FastPath.LoopHandOffs}");
            }
            Assert.StartsWith("HTTP/1.1 200", head);
            Assert.Contains($"\"Path\":\"/p{i}\"", body);
        }
        Assert.Equal(3, g.Plane.FastPath!.LoopRequests);
    }

    [Fact]
    public async Task A_slow_head_goes_to_kestrel_through_the_bridge_with_pipelined_requests_behind_it()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var (tcp, ssl) = await ConnectAsync(g.Port, "a.example.com");
        using (tcp)
        await using (ssl)
        {
            await ssl.WriteAsync("GET /slow HTTP/1.1\r\nHost: a.exa"u8.ToArray());
            await Task.Delay(TimeSpan.FromSeconds(2.5)); // past the loop's wait for a partial head: Kestrel's from here
            await ssl.WriteAsync("mple.com\r\n\r\nGET /next HTTP/1.1\r\nHost: a.example.com\r\n\r\n"u8.ToArray());
            foreach (var path in new[] { "/slow", "/next" })
            {
                var (head, body) = await ReadResponseAsync(ssl);
                Assert.StartsWith("HTTP/1.1 200", head);
                Assert.Contains($"\"Path\":\"{path}\"", body);
            }
        }
        Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);
        Assert.Equal(0, g.Plane.FastPath.LoopRequests);
    }

    [Fact]
    public async Task Ja3_and_ja4_fingerprints_reach_the_access_log_from_the_loop_and_from_kestrel()
    {
        var fingerprints = new ClientTrafficIr
        {
            Policy = "ns/fp",
            WithUnderscores = UnderscoresAction.Allow,
            Tls = new ClientTlsIr { Fingerprints = new Causeway.Model.EquatableArray<string>(["JA3", "JA4"]) },
        };
        var gw = TwoListeners();
        var port = gw.Ports[0];
        gw = gw with
        {
            Ports = new([port with { Listeners = new([port.Listeners[0] with { ClientTraffic = fingerprints }, port.Listeners[1]]) }]),
            AccessLog = new AccessLogIr
            {
                Settings = new([new AccessLogSettingIr
                {
                    Source = "EnvoyProxy ns/logs spec.telemetry.accessLog.settings[0]",
                    Format = AccessLogFormatType.Text,
                    Text = "%REQ(:AUTHORITY)% %PROTOCOL% %TLS_JA3_FINGERPRINT% %TLS_JA4_FINGERPRINT%\n",
                    Sinks = new([new AccessLogSinkIr { Kind = AccessLogSinkKind.File, Path = "/dev/stdout" }]),
                }]),
            },
        };
        var capture = new EndToEnd.AccessLogCapture();
        await using var writer = new Telemetry.AccessLog.AccessLogWriter(Telemetry.AccessLog.AccessLogFormat.Json, capture);
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = writer }, gw);
        using var client = Client();
        using (var h1 = await client.SendAsync(Request(g.Port, "a.example.com", "/one", HttpVersion.Version11))) Assert.Equal(HttpStatusCode.OK, h1.StatusCode);
        using (var h2 = await client.SendAsync(Request(g.Port, "a.example.com", "/two", HttpVersion.Version20))) Assert.Equal(HttpStatusCode.OK, h2.StatusCode);
        using (var other = await client.SendAsync(Request(g.Port, "b.example.com", "/three", HttpVersion.Version11))) Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await capture.WaitForLinesAsync(3);
        var lines = capture.Lines;
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs); // both served by the loop, h2 by its own HTTP/2
        var loop = Assert.Single(lines, l => l.Contains("HTTP/1.1") && l.StartsWith("a.example.com", StringComparison.Ordinal));
        var h2Line = Assert.Single(lines, l => l.Contains("HTTP/2"));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(loop, "^a\\.example\\.com HTTP/1\\.1 [0-9a-f]{32} t1[23]d\\d{4}(00|h1)_[0-9a-f]{12}_[0-9a-f]{12}$"), string.Join("\n", lines));
        Assert.Matches("^a\\.example\\.com HTTP/2 [0-9a-f]{32} t1[23]d\\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$", h2Line);
        // A listener whose policy does not ask for them has none.
        Assert.Equal("b.example.com HTTP/1.1 - -", Assert.Single(lines, l => l.StartsWith("b.example.com", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_client_asking_to_renegotiate_is_refused_and_the_port_keeps_serving()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var psi = new System.Diagnostics.ProcessStartInfo(TlsClients.OpenSsl)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in (string[])["s_client", "-connect", $"127.0.0.1:{g.Port}", "-servername", "a.example.com", "-tls1_2", "-alpn", "http/1.1"])
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync("R\n"); // s_client's command: renegotiate the TLS 1.2 session
        await p.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Task.Delay(1000);
        p.StandardInput.Close();
        await p.WaitForExitAsync(cts.Token);
        var output = await stdout + await stderr;
        Assert.Contains("RENEGOTIATING", output);
        Assert.Contains("no renegotiation", output); // the gateway's no_renegotiation alert
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
    }

    [Fact]
    public async Task Removing_the_port_does_not_wait_on_clients_that_never_finish_their_handshake()
    {
        var options = TestGateway.Options with { DrainTimeout = TimeSpan.FromSeconds(30), TlsHandshakeTimeout = TimeSpan.FromSeconds(30) };
        await using var g = await TestGateway.StartAsync(options, TwoListeners());
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, g.Port); // connected, no ClientHello
        using var partial = new TcpClient();
        await partial.ConnectAsync(IPAddress.Loopback, g.Port);
        await partial.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 }); // a ClientHello record begun
        await Task.Delay(300);
        var port = g.Port;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await g.ApplyAsync(); // no Gateways: the port is unbound
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"the port took {stopwatch.Elapsed} to stop (drain timeout 30 s)");
        Assert.Equal(0, await ReadUntilClosedAsync(silent.GetStream(), TimeSpan.FromSeconds(5)));
        // The address is free again at once.
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }
}
