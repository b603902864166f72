using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy <c>tls.clientValidation</c> (as the listener's <see cref="ClientValidationIr"/>) against real
/// clients: curl and openssl s_client with and without a client certificate, over HTTP/1.1 and HTTP/2 (both terminated
/// and served by the event loops; with the loop's TLS off, by the relay and Kestrel): the modes, the SAN / hash / SPKI matchers, revocation lists, expired certificates and CA rotation.
/// </summary>
public sealed class ClientValidationPolicyTests() : TwoHostTlsTest("ctp-mtls-ca")
{
    private GatewayIr Https(ClientValidationIr validation) => Gateway("ns/gw",
        [Port(PortProtocol.Https, 0,
            Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with
            {
                Certificates = new[] { CertA.ToIr("a.example.com") },
                ClientValidation = validation,
            })],
        Backend("ns/a:80", EchoA));

    private ClientValidationIr Verify(ClientValidationMode mode = ClientValidationMode.AllowValidOnly) =>
        new() { CaBundlePem = Ca.CertificatePem, Mode = mode };

    private static async Task AssertServed(int port, TestCert? client, bool http2 = false)
    {
        var (exit, body, status, errors) = await TlsClients.CurlAsync(port, "a.example.com", client, http2);
        Assert.True(status == "200", $"curl exit {exit}, status {status}: {errors}{body}");
    }

    private static async Task AssertRefused(int port, TestCert? client, bool http2 = false)
    {
        var (exit, body, status, errors) = await TlsClients.CurlAsync(port, "a.example.com", client, http2);
        Assert.True(exit != 0 && status == "000", $"expected a refused handshake, got curl exit {exit}, status {status}: {errors}{body}");
    }

    [Fact]
    public async Task Require_and_verify_refuses_clients_without_a_valid_certificate_on_both_transports()
    {
        await using var g = await TestGateway.StartAsync(Https(Verify()));
        var good = TestCerts.CreateLeaf(Ca, "client");
        var stranger = TestCerts.CreateLeaf(TestCerts.CreateCa("stranger-ca"), "stranger");
        foreach (var http2 in new[] { false, true })
        {
            await AssertServed(g.Port, good, http2);
            await AssertRefused(g.Port, null, http2);
            await AssertRefused(g.Port, stranger, http2);
        }
        var ok = await TlsClients.SClientGetAsync(g.Port, "a.example.com", good);
        Assert.Contains("HTTP/1.1 200", ok);
        var refused = await TlsClients.SClientGetAsync(g.Port, "a.example.com", null);
        Assert.Contains("CONNECTED", refused); // it reached the port: the handshake, not the socket, failed
        Assert.DoesNotContain("HTTP/1.1", refused);
        // .NET clients too.
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", good.Certificate));
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
        // Every one served by the event loops (HTTP/1.1 and h2), none handed to Kestrel's SslStream.
        Assert.Equal(4, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task Verify_if_given_serves_clients_without_a_certificate_but_refuses_an_invalid_one()
    {
        await using var g = await TestGateway.StartAsync(Https(Verify(ClientValidationMode.VerifyIfGiven)));
        await AssertServed(g.Port, null);
        await AssertServed(g.Port, TestCerts.CreateLeaf(Ca, "client"));
        await AssertRefused(g.Port, TestCerts.CreateLeaf(TestCerts.CreateCa("stranger-ca"), "stranger"));
    }

    [Fact]
    public async Task Request_and_require_any_do_not_verify()
    {
        var stranger = TestCerts.CreateLeaf(TestCerts.CreateCa("stranger-ca"), "stranger");
        await using var g = await TestGateway.StartAsync(Https(new ClientValidationIr { CaBundlePem = "", Mode = ClientValidationMode.RequireAny }));
        await AssertServed(g.Port, stranger);
        await AssertRefused(g.Port, null);
        await g.ApplyAsync(Https(new ClientValidationIr { CaBundlePem = "", Mode = ClientValidationMode.AllowInsecureFallback }));
        await AssertServed(g.Port, stranger);
        await AssertServed(g.Port, null);
    }

    [Fact]
    public async Task Subject_alt_name_matchers_require_one_matching_name()
    {
        var spiffe = TestCerts.CreateLeaf(Ca, "workload", ["svc.internal"], ["spiffe://example.org/ns/prod/sa/web"]);
        var other = TestCerts.CreateLeaf(Ca, "workload", ["svc.internal"], ["spiffe://example.org/ns/dev/sa/web"]);
        var byUri = Verify() with
        {
            SubjectAltNames = new EquatableArray<SanMatcherIr>([new SanMatcherIr(SanKind.Uri, SanMatchKind.Prefix, "spiffe://example.org/ns/prod/")]),
        };
        await using var g = await TestGateway.StartAsync(Https(byUri));
        await AssertServed(g.Port, spiffe);
        await AssertRefused(g.Port, other);

        var byDnsRegex = Verify() with
        {
            SubjectAltNames = new EquatableArray<SanMatcherIr>([new SanMatcherIr(SanKind.Dns, SanMatchKind.RegularExpression, @"svc\.int.*")]),
        };
        await g.ApplyAsync(Https(byDnsRegex));
        await AssertServed(g.Port, other);
        await AssertRefused(g.Port, TestCerts.CreateLeaf(Ca, "client", "other.internal"));
    }

    [Fact]
    public async Task Certificate_and_spki_hashes_accept_a_certificate_matching_either_list()
    {
        var pinned = TestCerts.CreateLeaf(Ca, "pinned");
        var byKey = TestCerts.CreateLeaf(Ca, "by-key");
        var unpinned = TestCerts.CreateLeaf(Ca, "unpinned");
        var hash = Convert.ToHexStringLower(SHA256.HashData(pinned.Certificate.RawData));
        var spki = Convert.ToBase64String(SHA256.HashData(byKey.Certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        await using var g = await TestGateway.StartAsync(Https(Verify() with
        {
            CertificateHashes = new EquatableArray<string>([hash]),
            SpkiHashes = new EquatableArray<string>([spki]),
        }));
        await AssertServed(g.Port, pinned);
        await AssertServed(g.Port, byKey);
        await AssertRefused(g.Port, unpinned);
    }

    [Fact]
    public async Task Revocation_list_refuses_revoked_certificates_and_requires_a_list_from_the_issuer()
    {
        var revoked = TestCerts.CreateLeaf(Ca, "revoked");
        var fine = TestCerts.CreateLeaf(Ca, "fine");
        await using var g = await TestGateway.StartAsync(Https(Verify() with { CrlPem = TestCerts.CrlPem(Ca, revoked) }));
        await AssertServed(g.Port, fine);
        await AssertRefused(g.Port, revoked);

        // A list signed by another CA (same name, other key) is not the issuer's: nothing is covered, so nothing passes.
        var impostor = TestCerts.CreateCa("ctp-mtls-ca");
        await g.ApplyAsync(Https(Verify() with { CrlPem = TestCerts.CrlPem(impostor) }));
        await AssertRefused(g.Port, fine);
    }

    [Fact]
    public async Task Expired_certificates_pass_only_when_allowed()
    {
        var expired = ExpiredLeaf(Ca, "expired");
        await using var g = await TestGateway.StartAsync(Https(Verify()));
        await AssertRefused(g.Port, expired);
        await g.ApplyAsync(Https(Verify() with { AllowExpired = true }));
        await AssertServed(g.Port, expired);
        await AssertRefused(g.Port, ExpiredLeaf(TestCerts.CreateCa("stranger-ca"), "stranger"));
    }

    [Fact]
    public async Task Rotating_the_ca_on_reload_switches_which_clients_pass()
    {
        var next = TestCerts.CreateCa("next-ca");
        var oldClient = TestCerts.CreateLeaf(Ca, "old-client");
        var newClient = TestCerts.CreateLeaf(next, "new-client");
        await using var g = await TestGateway.StartAsync(Https(Verify()));
        await AssertServed(g.Port, oldClient);
        await AssertRefused(g.Port, newClient);

        await g.ApplyAsync(Https(new ClientValidationIr { CaBundlePem = next.CertificatePem }));
        await AssertServed(g.Port, newClient);
        await AssertRefused(g.Port, oldClient);

        // Both during a migration (a bundle of two CAs).
        await g.ApplyAsync(Https(new ClientValidationIr { CaBundlePem = Ca.CertificatePem + "\n" + next.CertificatePem }));
        await AssertServed(g.Port, newClient);
        await AssertServed(g.Port, oldClient);
    }

    [Fact]
    public async Task Sessions_are_not_resumed_on_a_listener_that_validates_client_certificates()
    {
        // A resumed session would skip validation (and outlive a CA rotation): every handshake is a full one.
        await using var g = await TestGateway.StartAsync(Https(Verify()));
        var output = await TlsClients.SClientGetAsync(g.Port, "a.example.com", TestCerts.CreateLeaf(Ca, "client"), "-tls1_2", "-reconnect");
        Assert.Contains("New, TLSv1.2", output);
        Assert.DoesNotContain("Reused, TLSv1.2", output);
    }

    [Fact]
    public async Task A_validation_trusting_nothing_refuses_every_client()
    {
        // What the translator gives the listeners of a policy whose clientValidation is invalid (it fails closed).
        await using var g = await TestGateway.StartAsync(Https(new ClientValidationIr { CaBundlePem = "", Mode = ClientValidationMode.AllowValidOnly }));
        await AssertRefused(g.Port, TestCerts.CreateLeaf(Ca, "client"));
        await AssertRefused(g.Port, null);
    }

    [Fact]
    public async Task A_validating_listener_is_not_reached_over_a_handshake_that_did_not_validate_on_kestrel()
    {
        // Listener a does not validate and is the port's fallback (no SNI); listener b validates.
        var gw = Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with
                {
                    Certificates = new[] { CertA.ToIr("a.example.com") },
                },
                Listener("ns/gw/b", "b.example.com", Host("b.example.com", Prefix("/", To("ns/b:80")))) with
                {
                    Certificates = new[] { CertB.ToIr("b.example.com") },
                    ClientValidation = Verify(),
                })],
            Backend("ns/a:80", EchoA), Backend("ns/b:80", EchoB));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = false }, gw);
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "b.example.com", "b.example.com", TestCerts.CreateLeaf(Ca, "client").Certificate));
        Assert.StartsWith("HTTP/1.1 421", await RawHttps.GetAsync(g.Port, null, "b.example.com", null));
        Assert.StartsWith("HTTP/1.1 421", await RawHttps.GetAsync(g.Port, "a.example.com", "b.example.com", null));
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, null, "a.example.com", null));
    }

    [Fact]
    public async Task A_client_certificate_issued_by_an_intermediate_passes_when_the_client_sends_the_intermediate()
    {
        var (intermediate, intermediateKey) = Intermediate(Ca, "intermediate-ca");
        var leaf = TestCerts.CreateLeaf(new TestCert(intermediate, intermediate.ExportCertificatePem(), intermediateKey), "leaf-client");
        var withChain = leaf with { CertificatePem = leaf.CertificatePem + "\n" + intermediate.ExportCertificatePem() };
        await using var g = await TestGateway.StartAsync(Https(Verify()));
        await AssertServed(g.Port, withChain);
        await AssertServed(g.Port, withChain, http2: true);
        // The CA bundle holds the root only: without the intermediate the leaf does not chain.
        await AssertRefused(g.Port, leaf);
    }

    private static (X509Certificate2 Cert, string KeyPem) Intermediate(TestCert root, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var signed = req.Create(root.Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(25), RandomNumberGenerator.GetBytes(12));
        using var withKey = signed.CopyWithPrivateKey(key);
        return (X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null), key.ExportPkcs8PrivateKeyPem());
    }

    private static TestCert ExpiredLeaf(TestCert ca, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var signed = req.Create(ca.Certificate, DateTimeOffset.UtcNow.AddHours(-20), DateTimeOffset.UtcNow.AddHours(-1), RandomNumberGenerator.GetBytes(12));
        using var withKey = signed.CopyWithPrivateKey(key);
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new TestCert(usable, usable.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
