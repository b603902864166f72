using System.Net;
using static Causeway.Echo.Tests.EchoTestHelpers;

namespace Causeway.Echo.Tests;

public sealed class TlsEchoTests(TestCertificates certs) : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certs = certs;

    [Fact]
    public async Task HttpsEchoReportsTlsState()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions(certs: _certs));
        using var client = Client(HttpVersion.Version20);
        using var response = await client.GetAsync($"https://abc.example.com:{server.BoundPorts["https"]}/tls?q");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await ReadJsonAsync(response);
        Assert.Equal("HTTP/2.0", echo.GetProperty("proto").GetString());
        Assert.Equal("/tls?q", echo.GetProperty("path").GetString());
        var tls = echo.GetProperty("tls");
        Assert.Matches("^TLSv1\\.[23]$", tls.GetProperty("version").GetString());
        Assert.Equal("abc.example.com", tls.GetProperty("serverName").GetString());
        Assert.Equal("h2", tls.GetProperty("negotiatedProtocol").GetString());
        Assert.StartsWith("TLS_", tls.GetProperty("cipherSuite").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, tls.GetProperty("peerCertificates").GetArrayLength());
    }

    [Fact]
    public async Task HttpsHttp11WithoutAlpnReportsEmptyProtocol()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions(certs: _certs));
        using var client = Client(HttpVersion.Version11);
        using var response = await client.GetAsync($"https://abc.example.com:{server.BoundPorts["https"]}/");
        var echo = await ReadJsonAsync(response);
        Assert.Equal("HTTP/1.1", echo.GetProperty("proto").GetString());
        // SocketsHttpHandler offers no ALPN for an exact HTTP/1.1 request; Go then reports "" as well
        Assert.Equal("", echo.GetProperty("tls").GetProperty("negotiatedProtocol").GetString());
    }

    [Fact]
    public async Task NoHttpsListenerWithoutCertificate()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        Assert.False(server.BoundPorts.ContainsKey("https"));
        Assert.True(server.BoundPorts.ContainsKey("http"));
        Assert.True(server.BoundPorts.ContainsKey("h2c"));
    }

    [Fact]
    public async Task TrustedClientCertificateIsEchoed()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions(certs: _certs, clientCa: true));
        using var client = Client(HttpVersion.Version11, _certs.TrustedClient);
        using var response = await client.GetAsync($"https://abc.example.com:{server.BoundPorts["https"]}/mtls");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var peers = (await ReadJsonAsync(response)).GetProperty("tls").GetProperty("peerCertificates");
        var pem = Assert.Single(peers.EnumerateArray()).GetString()!;
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", pem, StringComparison.Ordinal);
        Assert.EndsWith("-----END CERTIFICATE-----\n", pem, StringComparison.Ordinal);
        using var echoed = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        Assert.Equal(_certs.TrustedClient.Thumbprint, echoed.Thumbprint);
    }

    [Fact]
    public async Task ClientCertificateIsOptionalButVerifiedIfGiven()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions(certs: _certs, clientCa: true));
        var uri = $"https://abc.example.com:{server.BoundPorts["https"]}/";

        using (var anonymous = Client(HttpVersion.Version11))
        using (var response = await anonymous.GetAsync(uri))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var stranger = Client(HttpVersion.Version11, _certs.UntrustedClient);
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.GetAsync(uri));
    }
}
