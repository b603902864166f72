using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// The x-forwarded-client-cert header as the echo backend receives it, through curl with a client certificate over
/// HTTP/1.1 and HTTP/2 (the event loops terminate both), and over cleartext HTTP (the event loop): Envoy's format and modes.
/// </summary>
public sealed class ForwardedClientCertTests() : TwoHostTlsTest("xfcc-ca")
{
    private const string Xfcc = "x-forwarded-client-cert";

    private GatewayIr Https(ForwardedClientCertIr? xfcc, TestCert server, ClientValidationMode mode = ClientValidationMode.AllowValidOnly) => Gateway("ns/gw",
        [Port(PortProtocol.Https, 0,
            Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with
            {
                Certificates = new[] { server.ToIr("a.example.com") },
                ClientValidation = new ClientValidationIr { CaBundlePem = Ca.CertificatePem, Mode = mode },
                ClientTraffic = xfcc is null ? null
                    : new Translation.Ir.ClientTrafficIr { Policy = "ns/xfcc", ForwardedClientCert = xfcc, WithUnderscores = UnderscoresAction.Allow },
            })],
        Backend("ns/a:80", EchoA));

    /// <summary>The header the backend got (null: none), through curl.</summary>
    private static async Task<string?> Received(int port, TestCert? client, bool http2, string? forged = null)
    {
        var headers = forged is null ? [] : new[] { (Xfcc, forged) };
        var (exit, body, status, errors) = await TlsClients.CurlAsync(port, "a.example.com", client, http2, headers);
        Assert.True(status == "200", $"curl exit {exit}, status {status}: {errors}{body}");
        var echo = JsonSerializer.Deserialize<EchoReply>(body, JsonSerializerOptions.Web)!;
        return echo.Headers.GetValueOrDefault(Xfcc);
    }

    private static string Hash(TestCert c) => Convert.ToHexStringLower(SHA256.HashData(c.Certificate.RawData));

    [Fact]
    public async Task SanitizeSet_replaces_the_clients_header_with_the_connections_certificate_on_both_transports()
    {
        var server = TestCerts.CreateLeaf(Ca, "a.example.com", ["a.example.com"], ["spiffe://example.org/gateway"]);
        var client = TestCerts.CreateLeaf(Ca, "client", ["client.example.com", "alt.example.com"], ["spiffe://example.org/client"]);
        var all = ForwardedClientCertDetails.Cert | ForwardedClientCertDetails.Subject | ForwardedClientCertDetails.Uri | ForwardedClientCertDetails.Dns;
        await using var g = await TestGateway.StartAsync(Https(new ForwardedClientCertIr { Mode = ForwardedClientCertMode.SanitizeSet, Details = all }, server));
        foreach (var http2 in new[] { false, true })
        {
            var value = await Received(g.Port, client, http2, forged: "Hash=forged");
            Assert.NotNull(value);
            var pairs = value!.Split(';');
            Assert.Equal("By=spiffe://example.org/gateway", pairs[0]);
            Assert.Equal("Hash=" + Hash(client), pairs[1]);
            Assert.StartsWith("Cert=\"-----BEGIN%20CERTIFICATE-----%0A", pairs[2]);
            Assert.EndsWith("-----END%20CERTIFICATE-----%0A\"", pairs[2]);
            var pem = Uri.UnescapeDataString(pairs[2]["Cert=\"".Length..^1]);
            Assert.Equal(client.Certificate.RawData, X509Certificate2.CreateFromPem(pem).RawData);
            Assert.Equal(["Subject=\"CN=client\"", "URI=spiffe://example.org/client", "DNS=client.example.com", "DNS=alt.example.com"], pairs[3..]);
            Assert.DoesNotContain("forged", value);
        }
        Assert.Equal(2, g.Plane.FastPath!.LoopRequests); // HTTP/1.1 and h2, both terminated and served by the event loops
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task AppendForward_adds_the_connections_element_after_the_clients()
    {
        var client = TestCerts.CreateLeaf(Ca, "client");
        var details = ForwardedClientCertDetails.Subject | ForwardedClientCertDetails.Uri | ForwardedClientCertDetails.Chain;
        await using var g = await TestGateway.StartAsync(Https(new ForwardedClientCertIr { Mode = ForwardedClientCertMode.AppendForward, Details = details }, CertA));
        foreach (var http2 in new[] { false, true })
        {
            var value = await Received(g.Port, client, http2, forged: "Hash=upstream;URI=spiffe://edge");
            Assert.StartsWith($"Hash=upstream;URI=spiffe://edge,Hash={Hash(client)};Chain=\"-----BEGIN%20CERTIFICATE", value);
            Assert.EndsWith(";Subject=\"CN=client\";URI=", value);
            var alone = await Received(g.Port, client, http2);
            Assert.StartsWith($"Hash={Hash(client)};Chain=\"-----BEGIN%20CERTIFICATE", alone);
            Assert.EndsWith("-----END%20CERTIFICATE-----%0A\";Subject=\"CN=client\";URI=", alone);
        }
    }

    [Fact]
    public async Task ForwardOnly_keeps_the_header_only_on_mutual_tls_and_AlwaysForwardOnly_always()
    {
        var client = TestCerts.CreateLeaf(Ca, "client");
        await using var g = await TestGateway.StartAsync(Https(new ForwardedClientCertIr { Mode = ForwardedClientCertMode.ForwardOnly }, CertA, ClientValidationMode.VerifyIfGiven));
        foreach (var http2 in new[] { false, true })
        {
            Assert.Equal("Hash=edge", await Received(g.Port, client, http2, "Hash=edge"));
            Assert.Null(await Received(g.Port, null, http2, "Hash=edge"));
        }
        await g.ApplyAsync(Https(new ForwardedClientCertIr { Mode = ForwardedClientCertMode.AlwaysForwardOnly }, CertA, ClientValidationMode.VerifyIfGiven));
        foreach (var http2 in new[] { false, true })
        {
            Assert.Equal("Hash=edge", await Received(g.Port, null, http2, "Hash=edge"));
            Assert.Equal("Hash=edge", await Received(g.Port, client, http2, "Hash=edge"));
        }
    }

    [Fact]
    public async Task Without_a_policy_the_clients_header_is_removed_on_every_transport()
    {
        var client = TestCerts.CreateLeaf(Ca, "client");
        await using (var g = await TestGateway.StartAsync(Https(null, CertA)))
        {
            Assert.Null(await Received(g.Port, client, http2: false, "Hash=forged"));
            Assert.Null(await Received(g.Port, client, http2: true, "Hash=forged"));
            Assert.True(g.Plane.FastPath!.Requests >= 1);
        }
        // Cleartext: the event loop, then Kestrel alone.
        var http = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/a:80"))))], Backend("ns/a:80", EchoA));
        foreach (var loop in new[] { true, false })
        {
            await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = loop, Http1FastPath = loop }, http);
            var echo = await g.EchoAsync("h.example", "/", (Xfcc, "Hash=forged"), ("x-other", "kept"));
            Assert.False(echo.Headers.ContainsKey(Xfcc));
            Assert.Equal("kept", echo.Headers["x-other"]);
            if (loop) Assert.Equal(1, g.Plane.FastPath!.LoopRequests);
        }
    }
}
