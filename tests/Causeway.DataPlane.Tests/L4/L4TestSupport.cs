using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.DataPlane.L4;
using Causeway.Model;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.DataPlane.Tests.L4;

/// <summary>IR builders, certificates and gateway start-up shared by the L4 tests.</summary>
internal static class L4TestSupport
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(15);

    public static L4ServerOptions FastOptions => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5), // refused ports fail at once; a short value flakes on a loaded machine
        TlsHandshakeTimeout = TimeSpan.FromSeconds(5),
        DisposeTimeout = TimeSpan.FromSeconds(2),
    };

    public static BackendIr Backend(string id, params IPEndPoint[] endpoints) => new()
    {
        Id = id,
        Protocol = BackendProtocol.Stream,
        Endpoints = endpoints.Select(e => new EndpointIr(e.Address.ToString(), e.Port)).ToArray(),
    };

    public static L4RouteIr Route(string name, string[]? hostnames, params (string? Id, int Weight)[] backends) => new()
    {
        Name = name,
        Hostnames = hostnames ?? [],
        Backends = backends.Select(b => new WeightedBackendIr { BackendId = b.Id, Weight = b.Weight }).ToArray(),
    };

    public static PortIr Port(PortProtocol protocol, params ListenerIr[] listeners) =>
        new() { Port = 0, Protocol = protocol, Listeners = listeners };

    public static ListenerIr Listener(string name, params L4RouteIr[] routes) =>
        new() { Name = name, L4Routes = routes };

    public static Func<string, BackendIr?> Lookup(params BackendIr[] backends)
    {
        var map = backends.ToDictionary(b => b.Id);
        return id => map.GetValueOrDefault(id);
    }

    public static Task<L4Server> StartAsync(PortIr port, Func<string, BackendIr?> lookup, L4ServerOptions? options = null,
        TlsCertificateIr? backendClientCertificate = null) =>
        L4Server.StartAsync(IPAddress.Loopback, port, lookup, NullLoggerFactory.Instance, options ?? FastOptions,
            CancellationToken.None, backendClientCertificate);

    public static async Task<TcpClient> ConnectAsync(L4Server server)
    {
        var client = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TestTimeout);
        await client.ConnectAsync(IPAddress.Loopback, server.BoundPort, cts.Token);
        return client;
    }

    public static async Task<string> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            var n = await stream.ReadAsync(one, ct);
            if (n == 0 || one[0] == '\n') return sb.ToString();
            sb.Append((char)one[0]);
        }
    }

    public static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken ct)
    {
        var ms = new MemoryStream();
        await stream.CopyToAsync(ms, ct);
        return ms.ToArray();
    }

    public static async Task ReadExactlyAsync(Stream stream, byte[] buffer, CancellationToken ct) =>
        await stream.ReadExactlyAsync(buffer, ct);

    /// <summary>True if the peer closed (EOF or reset) within <paramref name="within"/>.</summary>
    public static async Task<bool> SeesCloseAsync(Stream stream, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var buffer = new byte[1024];
        try
        {
            while (true)
                if (await stream.ReadAsync(buffer, cts.Token) == 0) return true;
        }
        catch (OperationCanceledException) { return false; }
        catch (IOException) { return true; }
    }

    /// <summary>An endpoint on 127.0.0.1 where nothing listens (bound then released).</summary>
    public static IPEndPoint ClosedEndpoint()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var ep = (IPEndPoint)l.LocalEndpoint;
        l.Stop();
        return ep;
    }
}

/// <summary>A certificate with key usable by SslStream, plus its PEM form for IR.</summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(X509Certificate2 certificate, string certPem, string keyPem, string[] dnsNames)
    {
        Certificate = certificate;
        CertificatePem = certPem;
        KeyPem = keyPem;
        DnsNames = dnsNames;
    }

    public X509Certificate2 Certificate { get; }
    public string CertificatePem { get; }
    public string KeyPem { get; }
    public string[] DnsNames { get; }
    public string Thumbprint => Certificate.Thumbprint;

    public TlsCertificateIr ToIr(string source) => new()
    {
        Source = source,
        CertificatePem = CertificatePem,
        PrivateKeyPem = KeyPem,
        DnsNames = DnsNames,
    };

    public static TestCertificate SelfSigned(params string[] dnsNames) => Create(dnsNames, issuer: null, isCa: false);

    public static TestCertificate CreateCa(string name) => Create([name], issuer: null, isCa: true);

    public static TestCertificate IssuedBy(TestCertificate ca, params string[] dnsNames) => Create(dnsNames, ca, isCa: false);

    private static TestCertificate Create(string[] dnsNames, TestCertificate? issuer, bool isCa)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsNames[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames) san.AddDnsName(name);
        if (!isCa) request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        if (isCa) request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(isCa ? 2 : 1);
        X509Certificate2 created;
        if (issuer is null) created = request.CreateSelfSigned(notBefore, notAfter);
        else
        {
            var serial = RandomNumberGenerator.GetBytes(12);
            using var publicOnly = request.Create(issuer.Certificate, notBefore, notAfter, serial);
            created = publicOnly.CopyWithPrivateKey(key);
        }
        using (created)
        {
            var pfx = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
            return new TestCertificate(pfx, created.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), dnsNames);
        }
    }

    public void Dispose() => Certificate.Dispose();
}
