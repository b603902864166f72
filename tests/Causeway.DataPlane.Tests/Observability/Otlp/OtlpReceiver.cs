using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Causeway.DataPlane.Tests.Observability.Otlp;

/// <summary>
/// A minimal OTLP trace receiver on 127.0.0.1, built on the official protobuf definitions: the gRPC
/// <c>TraceService/Export</c> on an HTTP/2 port (<see cref="GrpcEndpoint"/>) and OTLP/HTTP protobuf
/// (<c>POST /v1/traces</c>) on an HTTP/1.1 port (<see cref="HttpEndpoint"/>). Every span is kept in <see cref="Spans"/>.
/// The gRPC <c>LogsService/Export</c> is served too: every log record is kept in <see cref="Logs"/>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    /// <summary>Log records received (OTLP/gRPC logs), with their resource attributes.</summary>
    public ConcurrentQueue<ReceivedLog> Logs { get; } = new();

    /// <summary>Export calls received (both protocols).</summary>
    public int Exports => Volatile.Read(ref _exports);

    private int _exports;

    public string GrpcEndpoint { get; private set; } = "";
    public string HttpEndpoint { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        OtlpReceiver? self = null;
        builder.Services.AddSingleton(_ => new TraceReceiverService(r => self!.Add(r)));
        builder.Services.AddSingleton(_ => new LogsReceiverService(r => self!.AddLogs(r)));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
            k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        self = new OtlpReceiver(app);
        app.MapGrpcService<TraceReceiverService>();
        app.MapGrpcService<LogsReceiverService>();
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            self.Add(ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new ExportTraceServiceResponse().ToByteArray(), context.RequestAborted);
        });
        await app.StartAsync();
        var addresses = app.Urls.Select(u => new Uri(u)).ToList();
        self.GrpcEndpoint = $"http://127.0.0.1:{addresses[0].Port}";
        self.HttpEndpoint = $"http://127.0.0.1:{addresses[1].Port}";
        return self;
    }

    private void Add(ExportTraceServiceRequest request)
    {
        Interlocked.Increment(ref _exports);
        foreach (var rs in request.ResourceSpans)
        {
            var service = rs.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "";
            foreach (var ss in rs.ScopeSpans)
                foreach (var span in ss.Spans) Spans.Enqueue(new ReceivedSpan(span, service));
        }
    }

    private void AddLogs(ExportLogsServiceRequest request)
    {
        foreach (var rl in request.ResourceLogs)
        {
            var resource = rl.Resource?.Attributes.ToDictionary(a => a.Key, a => a.Value.StringValue) ?? [];
            foreach (var sl in rl.ScopeLogs)
                foreach (var record in sl.LogRecords) Logs.Enqueue(new ReceivedLog(record, resource));
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> log records satisfy <paramref name="filter"/> and returns them.</summary>
    public async Task<List<ReceivedLog>> WaitForLogsAsync(int count, Func<ReceivedLog, bool> filter, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var logs = Logs.Where(filter).ToList();
            if (logs.Count >= count || DateTime.UtcNow > deadline) return logs;
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> spans of <paramref name="traceId"/> arrived, then returns them all.</summary>
    public async Task<List<ReceivedSpan>> WaitForTraceAsync(string traceId, int count, Action flush)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            flush();
            var spans = Spans.Where(s => s.TraceId == traceId).ToList();
            if (spans.Count >= count || DateTime.UtcNow > deadline) return spans;
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class TraceReceiverService(Action<ExportTraceServiceRequest> add) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            add(request);
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }

    private sealed class LogsReceiverService(Action<ExportLogsServiceRequest> add) : LogsService.LogsServiceBase
    {
        public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
        {
            add(request);
            return Task.FromResult(new ExportLogsServiceResponse());
        }
    }
}

/// <summary>One OTLP log record as received: its body, attributes (typed) and resource attributes.</summary>
public sealed record ReceivedLog(OpenTelemetry.Proto.Logs.V1.LogRecord Record, IReadOnlyDictionary<string, string> Resource)
{
    public string Body => Record.Body?.StringValue ?? "";

    public OpenTelemetry.Proto.Common.V1.AnyValue? Attribute(string name) => Record.Attributes.FirstOrDefault(a => a.Key == name)?.Value;
}
