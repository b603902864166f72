using System.Net;
using System.Text;
using Causeway.Conformance.Harness.Cluster;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Causeway.Conformance.Unit;

/// <summary>The HTTPS executor against a local Kestrel: trust anchors, SNI name check, client-certificate request detection, h2.</summary>
public sealed class HttpsExecutorTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed class Certs(Dictionary<string, IReadOnlyDictionary<string, string>> secrets) : ICertificateSource
    {
        public IReadOnlyDictionary<string, string>? Secret(string ns, string name) => secrets.GetValueOrDefault($"{ns}/{name}");
        public IReadOnlyDictionary<string, string>? ConfigMap(string ns, string name) => null;
    }

    private static async Task<WebApplication> StartAsync(IPAddress ip, IssuedCertificate server, ClientCertificateMode mode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(ip, 0, l =>
        {
            l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
            l.UseHttps(h =>
            {
                h.ServerCertificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
                    server.Certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
                h.ClientCertificateMode = mode;
                h.AllowAnyClientCertificate();
            });
        }));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($$"""{"pod":"p-a-b","namespace":"n","path":"{{ctx.Request.Path}}","host":"{{ctx.Request.Host}}","proto":"{{ctx.Request.Protocol}}","service":"{{(ctx.Connection.ClientCertificate is null ? "nocert" : "cert")}}"}""");
        });
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task HttpsWithCustomRootsSniAndClientCertificates()
    {
        var server = CertificateFactory.CreateSelfSignedServer(["*", "*.org"]);
        var other = CertificateFactory.CreateSelfSignedServer(["*.org"]);
        var ca = CertificateFactory.CreateCa();
        var client = CertificateFactory.CreateSigned(ca, [], server: false);
        var certs = new Certs(new()
        {
            ["ns/server"] = new Dictionary<string, string> { ["tls.crt"] = server.CertificatePem, ["tls.key"] = server.KeyPem },
            ["ns/other"] = new Dictionary<string, string> { ["tls.crt"] = other.CertificatePem, ["tls.key"] = other.KeyPem },
            ["ns/client"] = new Dictionary<string, string> { ["tls.crt"] = client.CertificatePem, ["tls.key"] = client.KeyPem },
        });
        var ip = new AddressAllocator($"127.32.{Random.Shared.Next(250)}.0/24").Next();
        foreach (var mode in new[] { ClientCertificateMode.NoCertificate, ClientCertificateMode.AllowCertificate })
        {
            await using var app = await StartAsync(ip, server, mode);
            var port = new Uri(app.Urls.First()).Port;
            var target = new Target(ip.ToString(), port);
            var spec = new RequestSpec { Scheme = "https", Host = "example.org", Sni = "example.org", Path = "/x?y=1", CaCert = new CertRef("ns/server", null) };

            var ok = await HttpExecutor.SendAsync(spec, spec.Path, target, certs, CancellationToken.None);
            Assert.True(ok.TransportError is null, ok.TransportError);
            Assert.Equal(200, ok.Status);
            Assert.Equal("example.org", ok.Echo!.Host);
            Assert.Equal("/x", ok.Echo.Path);
            output.WriteLine($"{mode} no client cert: {ok.TlsNotes}");

            var h2 = await HttpExecutor.SendAsync(spec with { Protocol = "H2" }, spec.Path, target, certs, CancellationToken.None);
            Assert.Equal("HTTP/2", h2.Echo?.Proto);

            var wrongRoot = await HttpExecutor.SendAsync(spec with { CaCert = new CertRef("ns/other", null) }, spec.Path, target, certs, CancellationToken.None);
            Assert.True(wrongRoot.CertificateRejected, wrongRoot.ToString());

            var wrongName = await HttpExecutor.SendAsync(spec with { Sni = "example.com", Host = "example.com" }, spec.Path, target, certs, CancellationToken.None);
            Assert.NotNull(wrongName.TransportError);

            var withClient = await HttpExecutor.SendAsync(spec with { ClientCert = new CertRef("ns/client", null) }, spec.Path, target, certs, CancellationToken.None);
            Assert.True(withClient.TransportError is null, withClient.TransportError);
            output.WriteLine($"{mode} with client cert: {withClient.TlsNotes}");
            Assert.Equal(mode == ClientCertificateMode.AllowCertificate, withClient.ClientCertificateRequested);
            Assert.Equal(mode == ClientCertificateMode.AllowCertificate ? "cert" : "nocert", withClient.Echo!.Service);
        }
        _ = Encoding.UTF8;
    }
}
