using System.Net.Sockets;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.L4.L4TestSupport;

namespace Causeway.DataPlane.Tests.L4;

public sealed class TlsL4Tests : IDisposable
{
    private readonly TestCertificate _certA = TestCertificate.SelfSigned("a.example.com");
    private readonly TestCertificate _certB = TestCertificate.SelfSigned("b.example.com");
    private readonly TestCertificate _gateway = TestCertificate.SelfSigned("gw.example.com");

    public void Dispose()
    {
        _certA.Dispose();
        _certB.Dispose();
        _gateway.Dispose();
    }

    private static ListenerIr Passthrough(string name, string? hostname, params L4RouteIr[] routes) =>
        new() { Name = name, Hostname = hostname, TlsPassthrough = true, L4Routes = routes };

    [Fact]
    public async Task Passthrough_Client_Sees_Backend_Certificate()
    {
        await using var backend = new TestTcpBackend(certificate: _certA);
        var port = Port(PortProtocol.Tls, Passthrough("gw/tls", null, Route("tlsroute/ns/a", ["a.example.com"], ("a", 1))));
        await using var server = await StartAsync(port, Lookup(Backend("a", backend.EndPoint)));
        await using var client = await TlsTestClient.TryConnectAsync(server.BoundPort, "a.example.com");
        Assert.NotNull(client);
        Assert.Equal(_certA.Thumbprint, client.Thumbprint);
        Assert.Equal("ping", await client.EchoAsync("ping"));
        Assert.Equal("a.example.com", Assert.Single(backend.SniSeen));
    }

    [Fact]
    public async Task Passthrough_Routes_By_Sni_Exact_Over_Wildcard()
    {
        await using var a = new TestTcpBackend(certificate: _certA);
        await using var b = new TestTcpBackend(certificate: _certB);
        // The wildcard route comes first: the exact one must still win for a.example.com.
        var port = Port(PortProtocol.Tls, Passthrough("gw/tls", null,
            Route("tlsroute/ns/wild", ["*.example.com"], ("b", 1)),
            Route("tlsroute/ns/a", ["a.example.com"], ("a", 1))));
        await using var server = await StartAsync(port, Lookup(Backend("a", a.EndPoint), Backend("b", b.EndPoint)));

        await using (var ca = await TlsTestClient.TryConnectAsync(server.BoundPort, "a.example.com"))
            Assert.Equal(_certA.Thumbprint, ca?.Thumbprint);
        await using (var cb = await TlsTestClient.TryConnectAsync(server.BoundPort, "b.example.com"))
        {
            Assert.Equal(_certB.Thumbprint, cb?.Thumbprint);
            Assert.Equal("wild", await cb!.EchoAsync("wild"));
        }
        await using (var deep = await TlsTestClient.TryConnectAsync(server.BoundPort, "x.y.example.com"))
            Assert.Equal(_certB.Thumbprint, deep?.Thumbprint);
        await using (var none = await TlsTestClient.TryConnectAsync(server.BoundPort, "example.com"))
            Assert.Null(none);
        await using (var other = await TlsTestClient.TryConnectAsync(server.BoundPort, "a.example.org"))
            Assert.Null(other);
        Assert.Equal(1, a.Accepted);
        Assert.Equal(2, b.Accepted);
    }

    [Fact]
    public async Task Listener_Hostname_Selects_Listener()
    {
        await using var a = new TestTcpBackend(certificate: _certA);
        await using var b = new TestTcpBackend(certificate: _certB);
        var port = Port(PortProtocol.Tls,
            Passthrough("gw/any", null, Route("tlsroute/ns/any", [], ("b", 1))),
            Passthrough("gw/wild", "*.example.com", Route("tlsroute/ns/wild", [], ("a", 1))));
        await using var server = await StartAsync(port, Lookup(Backend("a", a.EndPoint), Backend("b", b.EndPoint)));
        await using (var c1 = await TlsTestClient.TryConnectAsync(server.BoundPort, "foo.example.com"))
            Assert.Equal(_certA.Thumbprint, c1?.Thumbprint);
        await using (var c2 = await TlsTestClient.TryConnectAsync(server.BoundPort, "foo.other.net"))
            Assert.Equal(_certB.Thumbprint, c2?.Thumbprint);
    }

    [Fact]
    public async Task Passthrough_Handles_Fragmented_ClientHello()
    {
        await using var backend = new TestTcpBackend(certificate: _certA);
        var port = Port(PortProtocol.Tls, Passthrough("gw/tls", null, Route("tlsroute/ns/a", ["a.example.com"], ("a", 1))));
        await using var server = await StartAsync(port, Lookup(Backend("a", backend.EndPoint)));
        await using var client = await TlsTestClient.TryConnectAsync(server.BoundPort, "a.example.com",
            wrap: s => new ChunkingStream(s, 7));
        Assert.NotNull(client);
        Assert.Equal(_certA.Thumbprint, client.Thumbprint);
        Assert.Equal("fragmented", await client.EchoAsync("fragmented"));
    }

    [Fact]
    public async Task Not_Tls_Or_Silent_Client_Is_Closed()
    {
        await using var backend = new TestTcpBackend(certificate: _certA);
        var port = Port(PortProtocol.Tls, Passthrough("gw/tls", null, Route("tlsroute/ns/a", [], ("a", 1))));
        var options = FastOptions with { TlsHandshakeTimeout = TimeSpan.FromMilliseconds(500) };
        await using var server = await StartAsync(port, Lookup(Backend("a", backend.EndPoint)), options);
        using (var garbage = await ConnectAsync(server))
        {
            await garbage.GetStream().WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            Assert.True(await SeesCloseAsync(garbage.GetStream(), TimeSpan.FromSeconds(2)));
        }
        using (var silent = await ConnectAsync(server))
            Assert.True(await SeesCloseAsync(silent.GetStream(), TimeSpan.FromSeconds(3)));
        Assert.Equal(0, backend.Accepted);
        Assert.Equal(2, server.Metrics.Snapshot().TlsHandshakeFailures);
    }

    [Fact]
    public async Task Terminate_Client_Verifies_Listener_Certificate_And_Gets_Plaintext_Echo()
    {
        await using var backend = new TestTcpBackend();
        var listener = new ListenerIr
        {
            Name = "gw/tls-term",
            Certificates = new[] { _gateway.ToIr("ns/gw-cert") },
            L4Routes = new[] { Route("tlsroute/ns/t", [], ("plain", 1)) },
        };
        await using var server = await StartAsync(Port(PortProtocol.Tls, listener), Lookup(Backend("plain", backend.EndPoint)));
        await using var client = await TlsTestClient.TryConnectAsync(server.BoundPort, "gw.example.com",
            expectThumbprint: _gateway.Thumbprint);
        Assert.NotNull(client);
        Assert.Equal("hello over tls", await client.EchoAsync("hello over tls"));
        Assert.Equal(1, backend.Accepted);
    }

    [Fact]
    public async Task Terminate_Selects_Certificate_By_Sni()
    {
        await using var backend = new TestTcpBackend();
        var listener = new ListenerIr
        {
            Name = "gw/tls-term",
            Certificates = new[] { _certA.ToIr("ns/a"), _certB.ToIr("ns/b") },
            L4Routes = new[] { Route("tlsroute/ns/t", [], ("plain", 1)) },
        };
        await using var server = await StartAsync(Port(PortProtocol.Tls, listener), Lookup(Backend("plain", backend.EndPoint)));
        await using (var cb = await TlsTestClient.TryConnectAsync(server.BoundPort, "b.example.com", expectThumbprint: _certB.Thumbprint))
            Assert.Equal("b", await cb!.EchoAsync("b"));
        await using (var ca = await TlsTestClient.TryConnectAsync(server.BoundPort, "a.example.com", expectThumbprint: _certA.Thumbprint))
            Assert.Equal("a", await ca!.EchoAsync("a"));
    }

    [Theory]
    [InlineData("backend.internal", false, true)]
    [InlineData("other.name", true, true)] // SAN list overrides the hostname check
    [InlineData("other.name", false, false)] // name mismatch
    public async Task Terminate_Then_Originate_Tls_To_Backend(string hostname, bool useSanList, bool expectSuccess)
    {
        using var ca = TestCertificate.CreateCa("test-ca");
        using var leaf = TestCertificate.IssuedBy(ca, "backend.internal");
        await using var backend = new TestTcpBackend(certificate: leaf);
        var backendIr = Backend("secure", backend.EndPoint) with
        {
            Tls = new BackendTlsIr
            {
                Hostname = hostname,
                CaBundlePem = ca.CertificatePem,
                SubjectAltNames = useSanList ? new[] { "backend.internal" } : Array.Empty<string>(),
            },
        };
        var listener = new ListenerIr
        {
            Name = "gw/tls-term",
            Certificates = new[] { _gateway.ToIr("ns/gw-cert") },
            L4Routes = new[] { Route("tlsroute/ns/t", [], ("secure", 1)) },
        };
        await using var server = await StartAsync(Port(PortProtocol.Tls, listener), Lookup(backendIr));
        await using var client = await TlsTestClient.TryConnectAsync(server.BoundPort, "gw.example.com",
            expectThumbprint: _gateway.Thumbprint);
        Assert.NotNull(client);
        if (expectSuccess)
        {
            Assert.Equal("secret", await client.EchoAsync("secret"));
            Assert.Equal(hostname, Assert.Single(backend.SniSeen));
        }
        else
        {
            Assert.True(await SeesCloseAsync(client.Stream, TimeSpan.FromSeconds(3)));
        }
    }

    [Fact]
    public async Task Originate_Tls_Presents_The_Gateway_Client_Certificate_And_Follows_Its_Rotation()
    {
        using var ca = TestCertificate.CreateCa("test-ca");
        using var leaf = TestCertificate.IssuedBy(ca, "backend.internal");
        using var firstClient = TestCertificate.SelfSigned("gateway-client-one");
        using var secondClient = TestCertificate.SelfSigned("gateway-client-two");
        await using var backend = new TestTcpBackend(certificate: leaf, requireClientCertificate: true);
        var backendIr = Backend("secure", backend.EndPoint) with
        {
            Tls = new BackendTlsIr { Hostname = "backend.internal", CaBundlePem = ca.CertificatePem },
        };
        var port = Port(PortProtocol.Tls, new ListenerIr
        {
            Name = "gw/tls-term",
            Certificates = new[] { _gateway.ToIr("ns/gw-cert") },
            L4Routes = new[] { Route("tlsroute/ns/t", [], ("secure", 1)) },
        });
        await using var server = await StartAsync(port, Lookup(backendIr), backendClientCertificate: firstClient.ToIr("ns/client-one"));
        await using (var client = await TlsTestClient.TryConnectAsync(server.BoundPort, "gw.example.com"))
        {
            Assert.NotNull(client);
            Assert.Equal("one", await client.EchoAsync("one"));
        }
        Assert.Contains("gateway-client-one", Assert.Single(backend.ClientCertificatesSeen), StringComparison.Ordinal);

        server.Update(port, Lookup(backendIr), secondClient.ToIr("ns/client-two"));
        await using (var client = await TlsTestClient.TryConnectAsync(server.BoundPort, "gw.example.com"))
        {
            Assert.NotNull(client);
            Assert.Equal("two", await client.EchoAsync("two"));
        }
        Assert.Contains("gateway-client-two", backend.ClientCertificatesSeen.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Originate_Tls_Rejects_Untrusted_Backend()
    {
        using var ca = TestCertificate.CreateCa("test-ca");
        using var otherCa = TestCertificate.CreateCa("other-ca");
        using var leaf = TestCertificate.IssuedBy(ca, "backend.internal");
        await using var backend = new TestTcpBackend(certificate: leaf);
        var backendIr = Backend("secure", backend.EndPoint) with
        {
            Tls = new BackendTlsIr { Hostname = "backend.internal", CaBundlePem = otherCa.CertificatePem },
        };
        var listener = new ListenerIr
        {
            Name = "gw/tls-term",
            Certificates = new[] { _gateway.ToIr("ns/gw-cert") },
            L4Routes = new[] { Route("tlsroute/ns/t", [], ("secure", 1)) },
        };
        await using var server = await StartAsync(Port(PortProtocol.Tls, listener), Lookup(backendIr));
        await using var client = await TlsTestClient.TryConnectAsync(server.BoundPort, "gw.example.com");
        Assert.NotNull(client);
        Assert.True(await SeesCloseAsync(client.Stream, TimeSpan.FromSeconds(3)));
        // (On Linux the backend may see its side of the handshake complete: .NET validates after OpenSSL finishes.)
        Assert.Equal(1, server.Metrics.Snapshot().TlsHandshakeFailures);
    }
}
