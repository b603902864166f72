using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.Tests.Support;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// An Envoy Gateway Backend's <c>tls</c> towards a real TLS server (<c>openssl s_server -www</c>, which answers with
/// the session it negotiated): the client certificate it demands, the versions, TLS 1.2 cipher suites and ALPN the
/// Backend asks for, and the fields Causeway refuses in the Backend's status.
/// </summary>
[Collection(LatencyCollection.Name)]
public sealed class EnvoyBackendTlsTests
{
    private const int Pool = 131;
    private const string BackendAddress = "127.63.131.1";

    /// <summary><c>openssl s_server</c> on <see cref="BackendAddress"/>, verifying client certificates against the CA; stopped on dispose.</summary>
    private sealed class OpenSslServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private OpenSslServer(Process process, string dir, int port)
        {
            _process = process;
            _dir = dir;
            Port = port;
        }

        public int Port { get; }

        /// <summary>What s_server printed (it logs the ALPN protocols each client offered).</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; } = new();

        public static async Task<OpenSslServer> StartAsync(TestCert ca, TestCert server)
        {
            var dir = Directory.CreateTempSubdirectory("causeway-s-server-").FullName;
            await File.WriteAllTextAsync(Path.Combine(dir, "ca.pem"), ca.CertificatePem);
            await File.WriteAllTextAsync(Path.Combine(dir, "cert.pem"), server.CertificatePem);
            await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), server.KeyPem);
            var probe = new TcpListener(IPAddress.Parse(BackendAddress), 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            // stdbuf: s_server's log lines (through stdio) arrive as they are written, not when its buffer fills.
            var psi = new ProcessStartInfo("stdbuf") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = dir };
            foreach (var a in new[] { "-oL", "openssl", "s_server", "-accept", $"{BackendAddress}:{port}", "-cert", "cert.pem", "-key", "key.pem", "-CAfile", "ca.pem",
                         "-verify", "1", "-www", "-alpn", "http/1.1,backend-proto" })
                psi.ArgumentList.Add(a);
            var process = Process.Start(psi)!;
            var s = new OpenSslServer(process, dir, port);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) s.Output.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) s.Output.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    using var c = new TcpClient();
                    await c.ConnectAsync(IPAddress.Parse(BackendAddress), port);
                    return s;
                }
                catch (SocketException)
                {
                    await Task.Delay(50);
                }
            }
            await s.DisposeAsync();
            throw new InvalidOperationException("openssl s_server did not start");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static string Manifest(int port, string tls) => Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n" + string.Join("\n",
        "apiVersion: gateway.networking.k8s.io/v1",
        "kind: HTTPRoute",
        "metadata: {name: web, namespace: test}",
        "spec:",
        "  parentRefs: [{name: gw}]",
        "  hostnames: [web.example.com]",
        "  rules: [{backendRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: tls-backend}]}]",
        "---",
        "apiVersion: gateway.envoyproxy.io/v1alpha1",
        "kind: Backend",
        "metadata: {name: tls-backend, namespace: test}",
        "spec:",
        $"  endpoints: [{{ip: {{address: {BackendAddress}, port: {port}}}}}]",
        "  tls:",
        "    caCertificateRefs: [{group: \"\", kind: ConfigMap, name: backend-ca}]",
        "    sni: backend.test",
        tls) + "\n";

    private static string CaConfigMap(TestCert ca) => string.Join("\n",
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: {name: backend-ca, namespace: test}",
        "data:",
        "  ca.crt: |",
        string.Join("\n", ca.CertificatePem.TrimEnd().Split('\n').Select(l => "    " + l))) + "\n";

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client)
    {
        using var r = await client.GetAsync("http://web.example.com:8080/");
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ClientCertificate_versions_ciphers_and_alpn_reach_the_backend_and_unusable_fields_are_refused_in_status()
    {
        var ca = TestCerts.CreateCa("backend-tls-ca");
        var server = TestCerts.CreateLeaf(ca, "backend.test", "backend.test");
        var client = TestCerts.CreateLeaf(ca, "gateway-client", "gateway.test");
        await using var backend = await OpenSslServer.StartAsync(ca, server);
        const string Tls12 = """
                clientCertificateRef: {name: backend-client}
                minVersion: "1.2"
                maxVersion: "1.2"
                ciphers: [ECDHE-ECDSA-AES128-GCM-SHA256]
                alpnProtocols: [backend-proto]
            """;
        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), CaConfigMap(ca) + "\n---\n" + E2e.SecretYaml("backend-client", "test", client.CertificatePem, client.KeyPem));
            File.WriteAllText(Path.Combine(d, "route.yaml"), Manifest(backend.Port, Tls12));
        });
        using var http = E2e.Client(run.GatewayAddress);

        // s_server -www answers with the session: TLS 1.2, the one suite allowed, the ALPN asked for, and our certificate.
        string body = "";
        await E2e.EventuallyAsync(async () => (await GetAsync(http)) is { Status: HttpStatusCode.OK } r && (body = r.Body).Length > 0, E2e.Timeout,
            "the TLS backend answers through the gateway");
        Assert.Contains("Protocol  : TLSv1.2", body, StringComparison.Ordinal);
        Assert.Contains("Cipher    : ECDHE-ECDSA-AES128-GCM-SHA256", body, StringComparison.Ordinal);
        Assert.Contains("CN=gateway-client", body.Replace(" = ", "=", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("no client certificate available", body, StringComparison.Ordinal);
        await E2e.EventuallyAsync(() => Task.FromResult(backend.Output.Any(l => l.Contains("ALPN protocols advertised by the client: backend-proto", StringComparison.Ordinal))),
            E2e.Timeout, "the Backend's ALPN list offered to the backend");

        // TLS 1.3 only: the suite list no longer applies, the version does.
        run.SaveLikeEditor("route.yaml", Manifest(backend.Port, """
                clientCertificateRef: {name: backend-client}
                minVersion: "1.3"
            """));
        await E2e.EventuallyAsync(async () => (await GetAsync(http)).Body.Contains("Protocol  : TLSv1.3", StringComparison.Ordinal), E2e.Timeout, "TLS 1.3 to the backend");

        // Without the client certificate s_server (-verify with a CA) still serves, and says none came.
        run.SaveLikeEditor("route.yaml", Manifest(backend.Port, ""));
        await E2e.EventuallyAsync(async () => (await GetAsync(http)).Body.Contains("no client certificate available", StringComparison.Ordinal), E2e.Timeout,
            "no client certificate without clientCertificateRef");

        // What Causeway cannot do towards a backend is refused in the Backend's status, naming the field; the route
        // then has no usable backend (500, as for any invalid backendRef).
        run.SaveLikeEditor("route.yaml", Manifest(backend.Port, """
                ecdhCurves: [X25519]
            """));
        await E2e.EventuallyAsync(async () => (await GetAsync(http)).Status == HttpStatusCode.InternalServerError, E2e.Timeout, "500 for the refused Backend");
        var status = await run.StatusAsync();
        Assert.Contains("spec.tls.ecdhCurves", status.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }
}
