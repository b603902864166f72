using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Causeway.DataPlane;
using Causeway.DataPlane.Compile;
using Causeway.DataPlane.Pipeline;
using Causeway.DataPlane.Routing;
using Causeway.DataPlane.State;
using Causeway.DataPlane.Telemetry;
using Causeway.DataPlane.Telemetry.AccessLog;
using Causeway.DataPlane.Transports.Http1;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Benchmarks;

/// <summary>
/// What the default JSON access log costs one request: the line of a representative event-loop exchange (GET with a
/// query, Host, User-Agent, X-Request-Id, a matched route, one upstream attempt), built from the completion hook's
/// summary and formatted to UTF-8 (the batching and the write excluded).
/// </summary>
[MemoryDiagnoser]
public class AccessLogBenchmark
{
    private ExchangeSummary _summary;
    private AccessLogWriter _writer = null!;
    private AccessLogger _logger = null!;
    private readonly LogBuffer _buffer = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _oldBuffer = new(64 * 1024);
    private Utf8JsonWriter _oldJson = null!;

    [GlobalSetup]
    public void Setup()
    {
        var state = new StateStore();
        var telemetry = new HttpTelemetry(state);
        var fastPath = new Http1FastPath(new DataPlaneOptions(), NullLoggerFactory.Instance, telemetry);
        var exchange = new Http1Exchange(fastPath, TransportSet.EventLoop, tls: false, sni: null, localPort: 8080)
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("10.0.3.17"), 54321),
            LocalEndPoint = new IPEndPoint(IPAddress.Parse("10.0.0.5"), 8080),
            UpstreamEndPoint = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 8080),
            BytesSent = 312,
        };
        var head = Encoding.ASCII.GetBytes("GET /api/v1/items?id=42&sort=name HTTP/1.1\r\nHost: app.example.com:8080\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "X-Request-Id: 5f1c2a9e-7b3d-4e8f-9a10-3c4d5e6f7a8b\r\nAccept: */*\r\n\r\n");
        head.CopyTo(exchange.HeadBuffer, 0);
        if (exchange.Head.Parse(exchange.HeadBuffer.AsSpan(0, head.Length), 8192) != HeadStatus.Ok) throw new InvalidOperationException("head");

        var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        var backend = new DataPlane.Upstream.BackendRuntime(new BackendIr { Id = "default/app:80", Endpoints = new[] { new EndpointIr("10.1.2.3", 8080) } }, invoker, TimeSpan.FromSeconds(5))
        {
            Stats = new BackendStats("default/app:80"),
        };
        var rule = new HttpRuleIr { Name = "httproute/default/app/rule/0", Backends = new[] { new WeightedBackendIr { BackendId = "default/app:80", Weight = 1 } } };
        var share = new CompileShare("default/gw", state);
        var compiled = new CompiledRule(rule, _ => backend, share);
        var match = new CompiledMatch(new HttpMatchIr { PathValue = "/", Rule = rule }, compiled, null, share, share.RouteStats("default/gw/http", rule.Name));
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        _summary = new ExchangeSummary
        {
            Transport = TransportSet.EventLoop,
            Listener = share.ListenerStats("default/gw/http"),
            Match = match,
            TargetIndex = 0,
            Method = HttpMethodId.Get,
            Status = 200,
            StartTimestamp = now - 2_000_000,
            EndTimestamp = now,
            Backend = backend,
            UpstreamStart = now - 1_500_000,
            UpstreamEnd = now - 100_000,
            Details = exchange,
        };
        _oldJson = new Utf8JsonWriter(_oldBuffer, new JsonWriterOptions { SkipValidation = true });
        _writer = new AccessLogWriter(AccessLogFormat.Json, Stream.Null, capacity: 100_000);
        _logger = new AccessLogger(_writer);
    }

    /// <summary>
    /// The way it was until 2026-12-07, for comparison in the same run: the hook built an <see cref="AccessLogEntry"/>
    /// (strings of the method, path, headers and addresses) and the pump formatted it with a Utf8JsonWriter (that code,
    /// verbatim; the test project keeps it as the oracle the new line must equal).
    /// </summary>
    [Benchmark(Baseline = true)]
    public int EntryThenUtf8JsonWriter()
    {
        _oldBuffer.ResetWrittenCount();
        Causeway.DataPlane.Tests.Observability.ReferenceJsonLine.WriteJson(_oldJson, _oldBuffer, AccessLogger.Build(_summary, null));
        return _oldBuffer.WrittenCount;
    }

    /// <summary>
    /// One line, as the completion hook formats it into the writer's batch (before 2026-12-07: the entry the hook
    /// built and the pump's Utf8JsonWriter formatting of it; same benchmark at commit 4212eac).
    /// </summary>
    [Benchmark]
    public int BuildAndFormat()
    {
        _buffer.Clear();
        DefaultJsonLine.Write(_buffer, _summary, DateTimeOffset.UtcNow);
        return _buffer.Length;
    }

    /// <summary>
    /// What the completion hook pays since 2026-12-07: the line formatted into the writer's pending batch under its lock
    /// (the pump swaps the batch every 5 ms on another thread and writes it to Stream.Null).
    /// </summary>
    [Benchmark]
    public void RecordIntoWriter() => _logger.Record(_summary);

    [GlobalCleanup]
    public void Cleanup() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
