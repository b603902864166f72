using BenchmarkDotNet.Attributes;
using Causeway.DataPlane.Compile;
using Causeway.DataPlane.Pipeline;
using Causeway.DataPlane.Routing;
using Causeway.DataPlane.State;
using Causeway.DataPlane.Telemetry;
using Causeway.Translation.Ir;

namespace Causeway.Benchmarks;

/// <summary>
/// What the completion hook costs a request with metrics on: the per-route counters (method and status), the duration
/// histogram, the listener's in-flight gauge and the backend's upstream histogram, reached through the matched route.
/// Must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmark
{
    private HttpTelemetry _telemetry = null!;
    private ExchangeSummary _summary;
    private ListenerStats _listener = null!;

    [GlobalSetup]
    public void Setup()
    {
        var state = new StateStore();
        _telemetry = new HttpTelemetry(state);
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        var backend = new DataPlane.Upstream.BackendRuntime(new BackendIr { Id = "ns/b:80", Endpoints = new[] { new EndpointIr("127.0.0.1", 8080) } }, invoker, TimeSpan.FromSeconds(5))
        {
            Stats = new BackendStats("ns/b:80"),
        };
        var rule = new HttpRuleIr { Name = "httproute/ns/r/rule/0", Backends = new[] { new WeightedBackendIr { BackendId = "ns/b:80", Weight = 1 } } };
        var share = new CompileShare("ns/gw", state);
        var compiled = new CompiledRule(rule, _ => backend, share);
        var match = new CompiledMatch(new HttpMatchIr { PathValue = "/", Rule = rule }, compiled, null, share, share.RouteStats("ns/gw/http", rule.Name));
        _listener = share.ListenerStats("ns/gw/http");
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        _summary = new ExchangeSummary
        {
            Transport = TransportSet.EventLoop,
            Listener = _listener,
            Match = match,
            TargetIndex = 0,
            Method = HttpMethodId.Get,
            Status = 200,
            StartTimestamp = now - 2000,
            EndTimestamp = now,
            Backend = backend,
            UpstreamStart = now - 1500,
            UpstreamEnd = now - 100,
        };
        // First use creates the histograms: measure the steady state.
        _listener.Enter();
        _telemetry.OnExchangeCompleted(_summary);
    }

    [Benchmark]
    public void RecordExchange()
    {
        _listener.Enter();
        _telemetry.OnExchangeCompleted(_summary);
    }
}
