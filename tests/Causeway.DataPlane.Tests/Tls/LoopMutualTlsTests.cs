using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Tls;

/// <summary>
/// Mutual TLS terminated by the event loops' OpenSSL: the listener's client-certificate validator called from
/// OpenSSL's verify callback, seen by real clients (openssl s_client, curl, SslStream) over TLS 1.2 and 1.3, HTTP/1.1
/// and h2; every request counted on the loop, none handed to Kestrel's SslStream — and the same verdicts from
/// SslStream with the loop's TLS off.
/// </summary>
public sealed class LoopMutualTlsTests() : TwoHostTlsTest("loop-mtls-ca")
{
    private const string Xfcc = "x-forwarded-client-cert";

    private GatewayIr Https(ClientValidationIr validation, ForwardedClientCertIr? xfcc = null) => Gateway("ns/gw",
        [Port(PortProtocol.Https, 0,
            Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with
            {
                Certificates = new[] { CertA.ToIr("a.example.com") },
                ClientValidation = validation,
                ClientTraffic = xfcc is null ? null : new Translation.Ir.ClientTrafficIr { Policy = "ns/xfcc", ForwardedClientCert = xfcc },
            })],
        Backend("ns/a:80", EchoA));

    private ClientValidationIr Verify(ClientValidationMode mode = ClientValidationMode.AllowValidOnly) =>
        new() { CaBundlePem = Ca.CertificatePem, Mode = mode };

    private static string Version(string tls) => tls == "1.2" ? "-tls1_2" : "-tls1_3";

    private static void AssertServed(string sclient) => Assert.True(sclient.Contains("HTTP/1.1 200"), sclient);

    /// <summary>The handshake failed with an alert from the gateway, and no request was answered.</summary>
    private static void AssertRefused(string sclient)
    {
        Assert.Contains("CONNECTED", sclient);
        Assert.DoesNotContain("HTTP/1.1", sclient);
        Assert.True(sclient.Contains("alert", StringComparison.OrdinalIgnoreCase), sclient);
    }

    private static void AssertAllOnTheLoop(TestGateway g, int requests)
    {
        Assert.Equal(requests, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public async Task A_valid_client_certificate_is_served_and_one_from_another_ca_gets_an_alert_while_the_port_keeps_serving(string tls)
    {
        await using var g = await TestGateway.StartAsync(Https(Verify()));
        var good = TestCerts.CreateLeaf(Ca, "client");
        var stranger = TestCerts.CreateLeaf(TestCerts.CreateCa("stranger-ca"), "stranger");
        AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", good, Version(tls)));
        var started = Stopwatch.StartNew();
        AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com", stranger, Version(tls)));
        // TLS 1.3: the client finishes its side first; the verdict on its Finished still ends the connection at once.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"refused after {started.Elapsed}");
        AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", good, Version(tls)));
        AssertAllOnTheLoop(g, 2);
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public async Task No_certificate_fails_a_listener_that_requires_one_and_is_served_by_one_that_verifies_if_given(string tls)
    {
        await using (var g = await TestGateway.StartAsync(Https(Verify())))
        {
            AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com", null, Version(tls)));
            AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com", null, Version(tls)));
            AssertAllOnTheLoop(g, 0);
        }
        await using (var g = await TestGateway.StartAsync(Https(Verify(ClientValidationMode.VerifyIfGiven))))
        {
            AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", null, Version(tls)));
            AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", TestCerts.CreateLeaf(Ca, "client"), Version(tls)));
            AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com",
                TestCerts.CreateLeaf(TestCerts.CreateCa("stranger-ca"), "stranger"), Version(tls)));
            AssertAllOnTheLoop(g, 2);
        }
        await using (var g = await TestGateway.StartAsync(Https(new ClientValidationIr { CaBundlePem = "", Mode = ClientValidationMode.RequireAny })))
        {
            AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com", null, Version(tls)));
            AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com",
                TestCerts.CreateLeaf(TestCerts.CreateCa("stranger-ca"), "stranger"), Version(tls)));
            AssertAllOnTheLoop(g, 1);
        }
    }

    [Fact]
    public async Task H2_over_mutual_tls_is_served_by_the_loop_with_the_client_certificate_in_xfcc()
    {
        var client = TestCerts.CreateLeaf(Ca, "client", ["client.example.com"], ["spiffe://example.org/client"]);
        var details = ForwardedClientCertDetails.Subject | ForwardedClientCertDetails.Uri;
        await using var g = await TestGateway.StartAsync(Https(Verify(), new ForwardedClientCertIr { Mode = ForwardedClientCertMode.SanitizeSet, Details = details }));
        var expected = $"Hash={Convert.ToHexStringLower(SHA256.HashData(client.Certificate.RawData))};Subject=\"CN=client\";URI=spiffe://example.org/client";
        foreach (var http2 in new[] { true, false })
        {
            var (exit, body, status, errors) = await TlsClients.CurlAsync(g.Port, "a.example.com", client, http2, (Xfcc, "Hash=forged"));
            Assert.True(status == "200", $"curl exit {exit}, status {status}: {errors}{body}");
            var echo = JsonSerializer.Deserialize<EchoReply>(body, JsonSerializerOptions.Web)!;
            Assert.Equal(expected, echo.Headers.GetValueOrDefault(Xfcc));
        }
        var (_, _, refused, _) = await TlsClients.CurlAsync(g.Port, "a.example.com", null, http2: true);
        Assert.Equal("000", refused);
        AssertAllOnTheLoop(g, 2);
    }

    [Fact]
    public async Task A_revoked_client_certificate_is_refused_on_the_loop()
    {
        var revoked = TestCerts.CreateLeaf(Ca, "revoked");
        var fine = TestCerts.CreateLeaf(Ca, "fine");
        await using var g = await TestGateway.StartAsync(Https(Verify() with { CrlPem = TestCerts.CrlPem(Ca, revoked) }));
        AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com", revoked));
        AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", fine));
        AssertAllOnTheLoop(g, 1);
    }

    [Fact]
    public async Task A_request_handed_to_kestrel_decrypted_keeps_the_client_certificate()
    {
        var client = TestCerts.CreateLeaf(Ca, "client");
        await using var g = await TestGateway.StartAsync(Https(Verify(), new ForwardedClientCertIr { Mode = ForwardedClientCertMode.SanitizeSet }));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, g.Port);
        await using var ssl = new SslStream(tcp.GetStream());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "a.example.com",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ClientCertificates = new X509CertificateCollection { client.Certificate },
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        }, cts.Token);
        // A body larger than the loop buffers: the loop hands the request to Kestrel through its bridge.
        var body = new byte[300_000];
        body.AsSpan().Fill((byte)'x');
        await ssl.WriteAsync(Encoding.ASCII.GetBytes($"POST /big HTTP/1.1\r\nHost: a.example.com\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), cts.Token);
        await ssl.WriteAsync(body, cts.Token);
        using var reader = new StreamReader(ssl, Encoding.ASCII);
        var answer = await reader.ReadToEndAsync(cts.Token);
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains($"Hash={Convert.ToHexStringLower(SHA256.HashData(client.Certificate.RawData))}", answer);
        Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);
    }

    [Fact]
    public async Task Rotating_the_ca_bundle_switches_the_verdicts_and_frees_the_old_contexts()
    {
        // Each apply with another CA builds another OpenSSL context for the same server certificate; the one the new
        // configuration no longer names is forgotten at the end of the apply (a connection made with it keeps it).
        var cas = new[] { Ca, TestCerts.CreateCa("rotated-ca-1"), TestCerts.CreateCa("rotated-ca-2") };
        await using var g = await TestGateway.StartAsync(Https(Verify()));
        var certificate = CertA.ToIr("a.example.com");
        for (var i = 0; i < cas.Length; i++)
        {
            if (i > 0) await g.ApplyAsync(Https(new ClientValidationIr { CaBundlePem = cas[i].CertificatePem }));
            AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", TestCerts.CreateLeaf(cas[i], $"client-{i}")));
            if (i > 0) AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com", TestCerts.CreateLeaf(cas[i - 1], $"old-{i}")));
            Assert.Equal(1, g.Plane.Certificates.Find(certificate)!.NativeContexts);
        }
        AssertAllOnTheLoop(g, 3);
    }

    [Fact]
    public async Task Listeners_validating_differently_never_share_an_openssl_context()
    {
        // Two listeners, same certificate and settings, different CAs: each handshake calls its own listener's validator.
        var other = TestCerts.CreateCa("other-ca");
        var shared = TestCerts.CreateLeaf(Ca, "server", "a.example.com", "b.example.com");
        var gw = Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with
                {
                    Certificates = new[] { shared.ToIr("a.example.com") },
                    ClientValidation = Verify(),
                },
                Listener("ns/gw/b", "b.example.com", Host("b.example.com", Prefix("/", To("ns/b:80")))) with
                {
                    Certificates = new[] { shared.ToIr("b.example.com") },
                    ClientValidation = new ClientValidationIr { CaBundlePem = other.CertificatePem },
                })],
            Backend("ns/a:80", EchoA), Backend("ns/b:80", EchoB));
        await using var g = await TestGateway.StartAsync(gw);
        var ours = TestCerts.CreateLeaf(Ca, "ours");
        var theirs = TestCerts.CreateLeaf(other, "theirs");
        AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", ours));
        AssertRefused(await TlsClients.SClientGetAsync(g.Port, "a.example.com", theirs));
        AssertServed(await TlsClients.SClientGetAsync(g.Port, "b.example.com", theirs));
        AssertRefused(await TlsClients.SClientGetAsync(g.Port, "b.example.com", ours));
        // A request for the other listener over this handshake is misdirected, as on Kestrel.
        Assert.StartsWith("HTTP/1.1 421", await RawHttps.GetAsync(g.Port, "a.example.com", "b.example.com", ours.Certificate));
        AssertAllOnTheLoop(g, 3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_loop_and_sslstream_give_the_same_verdicts(bool loopTls)
    {
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { LoopTls = loopTls }, Https(Verify()));
        var good = TestCerts.CreateLeaf(Ca, "client");
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", good.Certificate));
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com",
            TestCerts.CreateLeaf(TestCerts.CreateCa("stranger-ca"), "stranger").Certificate));
        AssertServed(await TlsClients.SClientGetAsync(g.Port, "a.example.com", good));
        Assert.Equal(loopTls ? 2 : 0, g.Plane.FastPath!.LoopRequests);
    }
}
