using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class TlsTests() : TwoHostTlsTest("test-ca")
{
    private GatewayIr TwoListeners(ClientValidationIr? validation = null, TestCert? certA = null) => Gateway("ns/gw",
        [Port(PortProtocol.Https, 0,
            Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with
            {
                Certificates = new[] { (certA ?? CertA).ToIr("a.example.com") },
                ClientValidation = validation,
            },
            Listener("ns/gw/b", "b.example.com", Host("b.example.com", Prefix("/", To("ns/b:80")))) with
            {
                Certificates = new[] { CertB.ToIr("b.example.com") },
                ClientValidation = validation,
            })],
        Backend("ns/a:80", EchoA), Backend("ns/b:80", EchoB));

    /// <summary>An HTTPS client that records the server certificate and optionally presents a client certificate.</summary>
    private static (HttpClient Client, List<X509Certificate2> Seen) HttpsClient(X509Certificate2? clientCert = null)
    {
        var seen = new List<X509Certificate2>();
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            lock (seen) seen.Add(X509CertificateLoader.LoadCertificate(cert!.GetRawCertData()));
            return true;
        };
        if (clientCert is not null) handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCert };
        return (new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) }, seen);
    }

    private static HttpRequestMessage Get(int port, string host, Version? version = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, $"https://127.0.0.1:{port}/");
        req.Headers.Host = host;
        if (version is not null)
        {
            req.Version = version;
            req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        return req;
    }

    [Fact]
    public async Task Sni_selects_the_listener_certificate()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        foreach (var (host, backend) in new[] { ("a.example.com", "a"), ("b.example.com", "b") })
        {
            var (client, seen) = HttpsClient();
            using (client)
            {
                using var r = await client.SendAsync(Get(g.Port, host));
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.Contains($"\"{backend}\"", await r.Content.ReadAsStringAsync());
                Assert.Equal($"CN={host}", Assert.Single(seen).Subject);
            }
        }
    }

    [Fact]
    public async Task Http2_over_tls_by_alpn()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var (client, _) = HttpsClient();
        using (client)
        {
            using var r = await client.SendAsync(Get(g.Port, "a.example.com", HttpVersion.Version20));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
            var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await r.Content.ReadAsStringAsync())!;
            Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
        }
    }

    [Fact]
    public async Task Host_for_another_listener_than_sni_is_421()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var response = await RawHttps.GetAsync(g.Port, sni: "a.example.com", host: "b.example.com", clientCert: null);
        Assert.StartsWith("HTTP/1.1 421", response);
        var ok = await RawHttps.GetAsync(g.Port, sni: "a.example.com", host: "a.example.com", clientCert: null);
        Assert.StartsWith("HTTP/1.1 200", ok);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Host_for_another_listener_than_sni_is_421_with_a_catch_all_listener(string version)
    {
        // Shaped like the conformance Gateway same-namespace-with-https-listener: one listener without hostname,
        // one with a hostname, one certificate for all of them; the client picks SNI and Host independently.
        var cert = TestCerts.CreateLeaf(Ca, "any", "*.example.com", "example.com");
        var gw = Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/any", null, Host("*", Prefix("/", To("ns/a:80")))) with { Certificates = new[] { cert.ToIr() } },
                Listener("ns/gw/b", "b.example.com", Host("b.example.com", Prefix("/", To("ns/b:80")))) with { Certificates = new[] { cert.ToIr() } })],
            Backend("ns/a:80", EchoA), Backend("ns/b:80", EchoB));
        await using var g = await TestGateway.StartAsync(gw);
        async Task<HttpStatusCode> SendAsync(string sni, string host)
        {
            if (version == "1.1")
            {
                var raw = await RawHttps.GetAsync(g.Port, sni, host, null);
                return (HttpStatusCode)int.Parse(raw.Split(' ')[1]);
            }
            // SocketsHttpHandler takes SNI from the Host header, so TLS is done here and the handler speaks HTTP/2 on it.
            using var client = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectCallback = async (_, ct) =>
                {
                    var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, g.Port, ct);
                    var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = sni,
                        RemoteCertificateValidationCallback = (_, _, _, _) => true,
                        ApplicationProtocols = [SslApplicationProtocol.Http2],
                    }, ct);
                    return ssl;
                },
            }) { Timeout = TimeSpan.FromSeconds(15) };
            using var req = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{g.Port}/")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            req.Headers.Host = host;
            using var r = await client.SendAsync(req);
            Assert.Equal(HttpVersion.Version20, r.Version);
            return r.StatusCode;
        }
        var expected = new[]
        {
            ("example.com", "example.com", HttpStatusCode.OK),
            ("example.com", "b.example.com", HttpStatusCode.MisdirectedRequest),
            ("b.example.com", "b.example.com", HttpStatusCode.OK),
            ("b.example.com", "example.com", HttpStatusCode.MisdirectedRequest),
            ("b.example.com", "unknown.example.com", HttpStatusCode.MisdirectedRequest),
        };
        var actual = new List<(string, string, HttpStatusCode)>();
        foreach (var (sni, host, _) in expected) actual.Add((sni, host, await SendAsync(sni, host)));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Rotated_certificate_is_served_without_rebinding()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        var port = g.Port;
        var rotated = TestCerts.CreateLeaf(Ca, "a.example.com", "a.example.com");
        var report = await g.ApplyAsync(TwoListeners(certA: rotated));
        Assert.Equal(port, report.BoundPorts["ns/gw:0"]);
        var (client, seen) = HttpsClient();
        using (client)
        {
            using var r = await client.SendAsync(Get(port, "a.example.com"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(rotated.Certificate.Thumbprint, Assert.Single(seen).Thumbprint);
        }
    }

    [Fact]
    public async Task Client_certificate_allow_valid_only()
    {
        var validation = new ClientValidationIr { CaBundlePem = Ca.CertificatePem, Mode = ClientValidationMode.AllowValidOnly };
        await using var g = await TestGateway.StartAsync(TwoListeners(validation));
        var good = TestCerts.CreateLeaf(Ca, "client");
        var otherCa = TestCerts.CreateCa("other-ca");
        var bad = TestCerts.CreateLeaf(otherCa, "intruder");

        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", good.Certificate));
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", bad.Certificate));
    }

    [Fact]
    public async Task Client_certificate_insecure_fallback_accepts_without_certificate()
    {
        var validation = new ClientValidationIr { CaBundlePem = Ca.CertificatePem, Mode = ClientValidationMode.AllowInsecureFallback };
        await using var g = await TestGateway.StartAsync(TwoListeners(validation));
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
    }

    [Fact]
    public async Task Backend_tls_verifies_ca_and_hostname()
    {
        var serverCert = TestCerts.CreateLeaf(Ca, "backend.example.com", "backend.example.com");
        await using var tlsBackend = await EchoBackend.StartAsync("tls", serverCert.Certificate);
        BackendIr Tls(string id, string hostname, string? ca) => Backend(id, tlsBackend) with
        {
            Tls = new BackendTlsIr { Hostname = hostname, CaBundlePem = ca },
        };
        var otherCa = TestCerts.CreateCa("other");
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/good", To("ns/good:443")),
                Prefix("/wrong-name", To("ns/wrong-name:443")),
                Prefix("/wrong-ca", To("ns/wrong-ca:443")),
                Prefix("/system", To("ns/system:443"))))],
            Tls("ns/good:443", "backend.example.com", Ca.CertificatePem),
            Tls("ns/wrong-name:443", "other.example.com", Ca.CertificatePem),
            Tls("ns/wrong-ca:443", "backend.example.com", otherCa.CertificatePem),
            Tls("ns/system:443", "backend.example.com", null));
        await using var g = await TestGateway.StartAsync(gw);
        var echo = await g.EchoAsync("front.example", "/good");
        Assert.Equal("tls", echo.Name);
        Assert.Equal("front.example", echo.Host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/wrong-name")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/wrong-ca")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/system")).StatusCode);
    }

    [Fact]
    public async Task Backend_tls_with_http2_sends_https_scheme()
    {
        // gRPC to a TLS backend (GRPCRoute + BackendTLSPolicy): h2 over TLS, where the backend rejects :scheme http.
        var serverCert = TestCerts.CreateLeaf(Ca, "backend.example.com", "backend.example.com");
        await using var tlsBackend = await EchoBackend.StartAsync("tls-h2", serverCert.Certificate, http2Only: true);
        var backend = Backend("ns/h2:443", tlsBackend, BackendProtocol.H2c) with
        {
            Tls = new BackendTlsIr { Hostname = "backend.example.com", CaBundlePem = Ca.CertificatePem },
        };
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/h2:443"))))], backend));
        for (var i = 0; i < 2; i++)
        {
            var echo = await g.EchoAsync("front.example", "/h2");
            Assert.Equal("tls-h2", echo.Name);
            Assert.Equal("HTTP/2", echo.Protocol);
            Assert.Equal("front.example", echo.Host);
        }
    }

    [Fact]
    public async Task Backend_tls_subject_alt_names_match_uri_and_dns()
    {
        // Shaped like the conformance tls-checks certificate: DNS, URI, DNS.
        var serverCert = TestCerts.CreateLeaf(Ca, "abc.example.com", ["abc.example.com", "other.example.com"], ["spiffe://abc.example.com/test-identity"]);
        await using var tlsBackend = await EchoBackend.StartAsync("tls", serverCert.Certificate);
        BackendIr Tls(string id, params string[] sans) => Backend(id, tlsBackend) with
        {
            Tls = new BackendTlsIr { Hostname = "abc.example.com", CaBundlePem = Ca.CertificatePem, SubjectAltNames = sans },
        };
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/uri", To("ns/uri:443")),
                Prefix("/uri-mismatch", To("ns/uri-mismatch:443")),
                Prefix("/dns", To("ns/dns:443")),
                Prefix("/dns-mismatch", To("ns/dns-mismatch:443")),
                Prefix("/both", To("ns/both:443")),
                Prefix("/both-mismatch", To("ns/both-mismatch:443"))))],
            Tls("ns/uri:443", "spiffe://abc.example.com/test-identity"),
            Tls("ns/uri-mismatch:443", "spiffe://def.example.com/test-identity"),
            Tls("ns/dns:443", "other.example.com"),
            Tls("ns/dns-mismatch:443", "dce.example.com"),
            Tls("ns/both:443", "spiffe://abc.example.com/test-identity", "abc.example.com"),
            Tls("ns/both-mismatch:443", "spiffe://def.example.com/test-identity", "def.example.com"));
        await using var g = await TestGateway.StartAsync(gw);
        Assert.Equal("tls", (await g.EchoAsync("h", "/uri")).Name);
        Assert.Equal("tls", (await g.EchoAsync("h", "/dns")).Name);
        Assert.Equal("tls", (await g.EchoAsync("h", "/both")).Name);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/uri-mismatch")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/dns-mismatch")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/both-mismatch")).StatusCode);
    }

    [Fact]
    public async Task Bad_certificate_fails_only_its_listener()
    {
        var broken = CertB.ToIr("b.example.com") with { PrivateKeyPem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" };
        var gw = TwoListeners();
        gw = gw with
        {
            Ports = new[]
            {
                gw.Ports[0] with { Listeners = new[] { gw.Ports[0].Listeners[0], gw.Ports[0].Listeners[1] with { Certificates = new[] { broken } } } },
            },
        };
        await using var plane = new DataPlane(TestGateway.Options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var report = await plane.ApplyAsync([gw], CancellationToken.None);
        Assert.True(report.ListenerFailures.ContainsKey("ns/gw/b"));
        Assert.False(report.ListenerFailures.ContainsKey("ns/gw/a"));
        var (client, seen) = HttpsClient();
        using (client)
        {
            using var r = await client.SendAsync(Get(report.BoundPorts["ns/gw:0"], "a.example.com"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("CN=a.example.com", Assert.Single(seen).Subject);
        }
    }
}
