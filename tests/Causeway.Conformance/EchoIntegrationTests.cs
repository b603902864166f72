using Causeway.Conformance.Fakes;
using Causeway.Conformance.Harness;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;
using Causeway.Conformance.Harness.Runner;
using Xunit.Abstractions;

namespace Causeway.Conformance;

/// <summary>
/// Base manifests started with the real echo server (behind a fake gateway), and every request executor talking to
/// an echo instance directly. Returns early (passes, says so) until HarnessAdapters.CreateEchoLauncher is wired.
/// </summary>
public sealed class EchoIntegrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BaseManifestsStartAndExecutorsTalkToEcho()
    {
        var launcher = HarnessAdapters.CreateEchoLauncher();
        var (corpus, _) = CorpusLocator.Locate();
        if (launcher is null || corpus is null)
        {
            output.WriteLine("SKIPPED: " + (launcher is null ? HarnessAdapters.NotWiredReason : "no corpus"));
            return;
        }
        await using var session = new ConformanceSession(new SessionOptions
        {
            CorpusDirectory = corpus,
            GatewayFactory = _ => new FakeGateway(),
            EchoLauncher = launcher,
            BaseReadyTimeout = TimeSpan.FromSeconds(20),
            Log = output.WriteLine,
        });
        await session.InitializeAsync(CancellationToken.None);
        Assert.Null(session.UnavailableReason);
        var pods = session.Workloads.Pods;
        output.WriteLine($"{pods.Count} pods");
        Target T(string dep, int port) => new(session.Workloads.PodsOf("gateway-conformance-infra", dep)[0].Address.ToString(), port);
        var failures = new List<string>();
        void Check(string what, Observation o, Func<Observation, bool> ok) { output.WriteLine($"{what}: {o} notes={o.TlsNotes}"); if (!ok(o)) failures.Add($"{what}: {o}"); }

        Check("http", await HttpExecutor.SendAsync(new RequestSpec { Host = "example.com", Path = "/a//b?x=1" }, "/a//b?x=1", T("infra-backend-v1", 3000), session, default),
            o => o.Echo?.Pod.StartsWith("infra-backend-v1-") == true && o.Echo.Path == "/a//b?x=1" && o.Echo.Host == "example.com");
        Check("h2c", await HttpExecutor.SendAsync(new RequestSpec { Protocol = "H2C_PRIOR_KNOWLEDGE" }, "/", T("infra-backend-v1", 3001), session, default),
            o => o.Echo?.Proto == "HTTP/2.0");
        Check("set-header", await HttpExecutor.SendAsync(new RequestSpec { BackendSetResponseHeaders = [new("X-A", "1")] }, "/", T("infra-backend-v1", 3000), session, default),
            o => o.HeaderValues("X-A")?[0] == "1");
        Check("ws", await WebSocketExecutor.EchoAsync(new RequestSpec { Scheme = "ws", Path = "/ws", Origin = "ws://gateway/x" },
            [new WebSocketMessage(false, "hi"u8.ToArray()), new WebSocketMessage(true, [1, 2, 3])], T("infra-backend-v1", 3000), default), o => o.Flag == true);
        Check("https", await HttpExecutor.SendAsync(new RequestSpec { Scheme = "https", Host = "abc.example.com", Sni = "abc.example.com", CaCert = new CertRef(null, "gateway-conformance-infra/tls-checks-ca-certificate") }, "/", T("tls-backend", 8443), session, default),
            o => o.Echo?.TlsServerName == "abc.example.com");
        Check("grpc", await GrpcExecutor.CallAsync(new RequestSpec { Scheme = "grpc", Method = "Echo", Authority = "grpc.example.com", Metadata = [new("Version", "one")] }, T("grpc-infra-backend-v1", 3000), [], default),
            o => o.GrpcCode == "OK" && o.Echo?.Pod.StartsWith("grpc-infra-backend-v1-") == true && o.Echo.Host == "grpc.example.com" && o.Echo.FullyQualifiedMethod!.EndsWith("/Echo"));
        Check("grpc3", await GrpcExecutor.CallAsync(new RequestSpec { Scheme = "grpc", Method = "EchoThree" }, T("grpc-infra-backend-v1", 3000), [], default), o => o.GrpcCode == "Unimplemented");
        Check("tcp", await StreamExecutor.ExchangeAsync(new RequestSpec { Scheme = "tcp" }, T("tcp-backend", 3000), session, default), o => o.Flag == false && o.Echo?.Pod.StartsWith("tcp-backend-") == true);
        Check("tls", await StreamExecutor.ExchangeAsync(new RequestSpec { Scheme = "tls", Sni = "abc.example.com", CaCert = new CertRef(null, "gateway-conformance-infra/tls-checks-ca-certificate") }, T("tcp-backend", 8443), session, default),
            o => o.Flag == true && o.Echo?.TlsServerName == "abc.example.com");
        Check("dns", await DatagramExecutor.ExchangeAsync(new RequestSpec { Scheme = "udp", DnsQuestion = "foo.bar.com.", DnsType = "A" }, T("coredns", 53), default), o => o.Flag == true);
        var slices = session.Store.OfKind("EndpointSlice").Count();
        output.WriteLine($"{slices} slices");
        Assert.Empty(failures);
    }
}
