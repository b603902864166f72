using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.DataPlane.Telemetry.AccessLog;
using Causeway.DataPlane.Tests.EndToEnd;
using Causeway.DataPlane.Tests.Observability.Otlp;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// EnvoyProxy <c>spec.telemetry.accessLog</c> served by the data plane through real sockets: custom Text and JSON
/// formats (Envoy command operators, typed JSON values), file sinks written and read back, CEL matches, disable,
/// Route vs Listener settings, and OTLP log records received by a real OTLP/gRPC receiver.
/// </summary>
public sealed class EnvoyProxyAccessLogTests
{
    private static AccessLogSettingIr Text(string text, AccessLogScope scope = AccessLogScope.All, string[]? matches = null, params AccessLogSinkIr[] sinks) => new()
    {
        Source = "EnvoyProxy ns/logs spec.telemetry.accessLog.settings[0]",
        Scope = scope,
        Format = AccessLogFormatType.Text,
        Text = text,
        Matches = new EquatableArray<string>(matches ?? []),
        Sinks = new EquatableArray<AccessLogSinkIr>(sinks.Length == 0 ? [Stdout] : sinks),
    };

    private static AccessLogSettingIr Json(params (string Name, string Format)[] fields) => new()
    {
        Source = "EnvoyProxy ns/logs spec.telemetry.accessLog.settings[0]",
        Format = AccessLogFormatType.Json,
        Json = new EquatableArray<AccessLogFieldIr>(fields.Select(f => new AccessLogFieldIr(f.Name, f.Format))),
        Sinks = new EquatableArray<AccessLogSinkIr>([Stdout]),
    };

    private static readonly AccessLogSinkIr Stdout = new() { Kind = AccessLogSinkKind.File, Path = "/dev/stdout" };

    private static AccessLogIr Logs(params AccessLogSettingIr[] settings) => new() { Settings = new EquatableArray<AccessLogSettingIr>(settings) };

    private static GatewayIr Routed(EchoBackend echo, AccessLogIr? log) =>
        Gateway("ns/gw", [HttpPort(Host("*", Prefix("/api", To("ns/e:80", "api"))))], Backend("ns/e:80", echo)) with { AccessLog = log };

    private static async Task<(TestGateway Gateway, AccessLogCapture Stdout, AccessLogWriter Writer)> StartAsync(AccessLogFormat defaultFormat, params GatewayIr[] gateways)
    {
        var capture = new AccessLogCapture();
        var writer = new AccessLogWriter(defaultFormat, capture);
        var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = writer }, gateways);
        return (g, capture, writer);
    }

    private static async Task<string[]> Settle(AccessLogCapture capture, int count)
    {
        await capture.WaitForLinesAsync(count);
        await Task.Delay(300); // a line too many would come now
        return capture.Lines;
    }

    [Fact]
    public async Task A_custom_text_format_gives_envoys_operators_values()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        const string format = "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% " +
            "%UPSTREAM_CLUSTER% %ROUTE_NAME% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %DOWNSTREAM_LOCAL_ADDRESS% tenant=%REQ(X-TENANT):3% " +
            "missing=%REQ(X-MISSING)% alt=%REQ(X-NONE?USER-AGENT)% %UPSTREAM_LOCAL_ADDRESS% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% %RESP(CONTENT-TYPE)% " +
            "year=%START_TIME(%Y)% %BYTES_RECEIVED% 100%%\n";
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, Routed(echo, Logs(Text(format))));
        await using var _ = g;
        await using var __ = writer;
        using (var r = await g.GetAsync("h", "/api/x?q=1", ("x-tenant", "acme-corp"), ("user-agent", "ua/1")))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var line = Assert.Single(await Settle(stdout, 1));
        var pattern = $@"^GET /api/x\?q=1 HTTP/1\.1 200 - via_upstream ns/e:80 api 127\.0\.0\.1 127\.0\.0\.1:{g.Port} tenant=acm missing=- alt=ua/1 - \d+ - year={DateTime.UtcNow.Year} \d+ 100%$";
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(line, pattern), line);
    }

    [Fact]
    public async Task A_json_format_keeps_numbers_typed_and_mixed_text_as_strings()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, Routed(echo, Logs(Json(
            ("code", "%RESPONSE_CODE%"), ("sent", "%BYTES_SENT%"), ("received", "%BYTES_RECEIVED%"), ("took", "%DURATION%"),
            ("path", "%REQ(:PATH)%"), ("missing", "%REQ(X-NONE)%"), ("line", "%REQ(:METHOD)% %RESPONSE_CODE%"),
            ("upstream_ms", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%"), ("flags", "%RESPONSE_FLAGS%")))));
        await using var _ = g;
        await using var __ = writer;
        using (var r = await g.GetAsync("h", "/api/j")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.GetAsync("h", "/nowhere")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);

        var lines = (await Settle(stdout, 2)).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        Assert.Equal(2, lines.Length);
        var ok = lines.Single(l => (string?)l["path"] == "/api/j");
        Assert.Equal(["code", "sent", "received", "took", "path", "missing", "line", "upstream_ms", "flags"], ok.Select(p => p.Key).ToArray());
        Assert.Equal(JsonValueKind.Number, ok["code"]!.GetValueKind());
        Assert.Equal(200, (int)ok["code"]!);
        Assert.Equal(JsonValueKind.Number, ok["sent"]!.GetValueKind());
        Assert.True((long)ok["sent"]! > 0);
        Assert.Equal(JsonValueKind.Number, ok["received"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Number, ok["took"]!.GetValueKind());
        Assert.Null(ok["missing"]);
        Assert.True(ok.ContainsKey("missing"));
        Assert.Equal("GET 200", (string?)ok["line"]);
        Assert.Equal(JsonValueKind.String, ok["upstream_ms"]!.GetValueKind());
        var notFound = lines.Single(l => (string?)l["path"] == "/nowhere");
        Assert.Equal(404, (int)notFound["code"]!);
        Assert.Equal("NR", (string?)notFound["flags"]);
        Assert.Null(notFound["upstream_ms"]);
    }

    [Fact]
    public async Task A_file_sink_is_written_and_a_changed_path_opens_a_new_file()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var dir = Directory.CreateTempSubdirectory("causeway-accesslog-");
        try
        {
            var first = Path.Combine(dir.FullName, "logs", "first.log");
            var second = Path.Combine(dir.FullName, "second.log");
            AccessLogIr ToFile(string path) => Logs(Text("file %REQ(:PATH)% %RESPONSE_CODE%\n", sinks: new AccessLogSinkIr { Kind = AccessLogSinkKind.File, Path = path }));
            var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, Routed(echo, ToFile(first)));
            await using var _ = g;
            await using var __ = writer;
            for (var i = 0; i < 3; i++)
                using (var r = await g.GetAsync("h", $"/api/{i}")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(["file /api/0 200", "file /api/1 200", "file /api/2 200"], await ReadLinesAsync(first, 3));

            await g.ApplyAsync(Routed(echo, ToFile(second)));
            using (var r = await g.GetAsync("h", "/api/after")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(["file /api/after 200"], await ReadLinesAsync(second, 1));
            await Task.Delay(300);
            Assert.Equal(3, (await ReadLinesAsync(first, 3)).Length); // the old file got nothing more
            Assert.Empty(stdout.Lines); // the EnvoyProxy settings replace the default log
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string[]> ReadLinesAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string[] lines = [];
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path))
            {
                await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(f);
                var text = await reader.ReadToEndAsync();
                lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (lines.Length >= count) return lines;
            }
            await Task.Delay(50);
        }
        return lines;
    }

    [Fact]
    public async Task Cel_matches_log_only_the_requests_they_accept()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var log = Logs(
            Text("header %REQ(:PATH)%\n", matches: ["'x-log' in request.headers"]),
            Text("errors %REQ(:PATH)% %RESPONSE_CODE%\n", matches: ["response.code >= 500 && !(request.headers['x-quiet'] == 'yes')", "request.headers[\"x-tenant\"] == 'b' || response.code == 404"]));
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, Routed(echo, log));
        await using var _ = g;
        await using var __ = writer;
        using (var r = await g.GetAsync("h", "/api/plain")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.GetAsync("h", "/api/flagged", ("x-log", "1"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.GetAsync("h", "/api/fail", ("x-echo-status", "503"))) Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        using (var r = await g.GetAsync("h", "/api/quiet", ("x-echo-status", "503"), ("x-quiet", "yes"))) Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        using (var r = await g.GetAsync("h", "/api/tenant", ("x-tenant", "b"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.GetAsync("h", "/missing")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);

        var lines = (await Settle(stdout, 4)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["errors /api/fail 503", "errors /api/tenant 200", "errors /missing 404", "header /api/flagged"], lines);
    }

    [Fact]
    public async Task Disable_turns_one_gateways_log_off_and_the_other_keeps_the_default_log()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var quiet = Routed(echo, new AccessLogIr { Disabled = true });
        // Its own address (this test's pool, 127.60.95.x): two Gateways cannot share 127.0.0.1 port 0.
        var loud = Gateway("ns/loud", [Port(PortProtocol.Http, 0, Listener("ns/loud/http", null, Host("*", Prefix("/", To("ns/e:80", "loud")))))], Backend("ns/e:80", echo))
            with { Addresses = new EquatableArray<string>(["127.60.95.2"]) };
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, quiet, loud);
        await using var _ = g;
        await using var __ = writer;
        var quietPort = g.LastReport.BoundPorts["ns/gw:0"];
        var loudPort = g.LastReport.BoundPorts["ns/loud:0"];
        using (var r = await g.SendAsync(g.Request("h", "/api/q", port: quietPort))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.SendAsync(g.Request("h", "/nothing", port: quietPort))) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using (var loudRequest = new HttpRequestMessage(HttpMethod.Get, $"http://127.60.95.2:{loudPort}/l"))
        using (var r = await g.SendAsync(loudRequest)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var line = JsonNode.Parse(Assert.Single(await Settle(stdout, 1)))!;
        Assert.Equal("/l", (string?)line["x-envoy-origin-path"]); // the default JSON line, from the other Gateway only
    }

    [Fact]
    public async Task Access_log_off_silences_the_default_log_but_not_what_an_envoyproxy_asks_for()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var custom = Routed(echo, Logs(Text("custom %REQ(:PATH)%\n")));
        var plain = Gateway("ns/plain", [Port(PortProtocol.Http, 0, Listener("ns/plain/http", null, Host("*", Prefix("/", To("ns/e:80", "plain")))))], Backend("ns/e:80", echo))
            with { Addresses = new EquatableArray<string>(["127.60.95.3"]) };
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Off, custom, plain);
        await using var _ = g;
        await using var __ = writer;
        using (var r = await g.SendAsync(g.Request("h", "/api/c", port: g.LastReport.BoundPorts["ns/gw:0"]))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var plainRequest = new HttpRequestMessage(HttpMethod.Get, $"http://127.60.95.3:{g.LastReport.BoundPorts["ns/plain:0"]}/p"))
        using (var r = await g.SendAsync(plainRequest)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(["custom /api/c"], await Settle(stdout, 1));
    }

    [Fact]
    public async Task Route_settings_log_matched_requests_and_listener_settings_log_what_no_route_matched()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var log = Logs(
            Text("route %REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\n", AccessLogScope.Route),
            Text("listener %REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS%\n", AccessLogScope.Listener),
            Text("both %REQ(:PATH)%\n"));
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, Routed(echo, log));
        await using var _ = g;
        await using var __ = writer;
        using (var r = await g.GetAsync("h", "/api/hit")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.GetAsync("h", "/miss")) Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);

        var lines = (await Settle(stdout, 4)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["both /api/hit", "both /miss", "listener /miss 404 NR route_not_found", "route /api/hit 200 -"], lines);
    }

    [Fact]
    public async Task An_opentelemetry_sink_exports_log_records_with_the_resource_attributes()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var echo = await EchoBackend.StartAsync("e");
        var otlp = new AccessLogSinkIr
        {
            Kind = AccessLogSinkKind.OpenTelemetry,
            Endpoint = receiver.GrpcEndpoint,
            Resources = new EquatableArray<AccessLogFieldIr>([new("k8s.cluster.name", "cluster-1"), new("service.name", "edge")]),
        };
        var log = Logs(
            Text("[otel] %REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE%", sinks: otlp),
            Json(("code", "%RESPONSE_CODE%"), ("path", "%REQ(:PATH)%"), ("route", "%ROUTE_NAME%")) with { Sinks = new EquatableArray<AccessLogSinkIr>([otlp]) });
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, Routed(echo, log));
        await using var _ = g;
        await using var __ = writer;
        using (var r = await g.GetAsync("h", "/api/otel")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var records = await receiver.WaitForLogsAsync(2, _ => true);
        Assert.Equal(2, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal("cluster-1", r.Resource["k8s.cluster.name"]);
            Assert.Equal("edge", r.Resource["service.name"]);
        });
        var text = records.Single(r => r.Body.Length > 0);
        Assert.Equal("[otel] GET /api/otel 200", text.Body);
        var json = records.Single(r => r.Body.Length == 0);
        Assert.Equal(200, json.Attribute("code")!.IntValue);
        Assert.Equal("/api/otel", json.Attribute("path")!.StringValue);
        Assert.Equal("api", json.Attribute("route")!.StringValue);
        await Task.Delay(300);
        Assert.Empty(stdout.Lines);
    }

    [Fact]
    public async Task Custom_settings_apply_to_tcp_connections_and_disable_silences_them()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var tcp = Gateway("ns/tcp", [new PortIr
        {
            Port = 0,
            Protocol = PortProtocol.Tcp,
            Listeners = new EquatableArray<ListenerIr>([new ListenerIr
            {
                Name = "ns/tcp/tcp",
                L4Routes = new EquatableArray<L4RouteIr>([new L4RouteIr
                {
                    Name = "tcproute/ns/t",
                    Backends = new EquatableArray<WeightedBackendIr>([new WeightedBackendIr { BackendId = "ns/e:80", Weight = 1 }]),
                }]),
            }]),
        }], Backend("ns/e:80", echo) with { Protocol = BackendProtocol.Stream }) with { AccessLog = Logs(Text("tcp %PROTOCOL% %UPSTREAM_CLUSTER% %BYTES_SENT%\n", AccessLogScope.Route)) };
        var (g, stdout, writer) = await StartAsync(AccessLogFormat.Json, tcp);
        await using var _ = g;
        await using var __ = writer;
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /t HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        var line = Assert.Single(await Settle(stdout, 1));
        Assert.Matches(@"^tcp TCP ns/e:80 [1-9]\d*$", line);

        await g.ApplyAsync(tcp with { AccessLog = new AccessLogIr { Disabled = true } });
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /t HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        await Task.Delay(500);
        Assert.Single(stdout.Lines);
    }

    [Fact]
    public void The_completion_hook_allocates_nothing_when_no_custom_setting_logs_the_request()
    {
        using var telemetry = new Telemetry.HttpTelemetry(new State.StateStore());
        var listener = new Telemetry.ListenerStats("ns/gw", "ns/gw/http");
        var summary = new ExchangeSummary
        {
            Transport = TransportSet.EventLoop,
            Listener = listener,
            TargetIndex = -1,
            Status = 404,
            StartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp(),
            EndTimestamp = System.Diagnostics.Stopwatch.GetTimestamp() + 10,
        };
        var sink = new CountingSink();
        long Allocated(GatewayAccessLog? log)
        {
            listener.AccessLog = log;
            for (var i = 0; i < 100; i++) telemetry.OnExchangeCompleted(summary); // warm up (first series, JIT)
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++) telemetry.OnExchangeCompleted(summary);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, Allocated(null)); // no EnvoyProxy accessLog (and the default log off)
        Assert.Equal(0, Allocated(new GatewayAccessLog(new AccessLogIr { Disabled = true }, _ => sink)));
        Assert.Equal(0, Allocated(new GatewayAccessLog(Logs(Text("%RESPONSE_CODE%", AccessLogScope.Route)), _ => sink))); // a 404 is not a route's
        Assert.Equal(0, sink.Count);
        Assert.True(Allocated(new GatewayAccessLog(Logs(Text("%RESPONSE_CODE%", AccessLogScope.Listener)), _ => sink)) > 0);
        Assert.Equal(1100, sink.Count);
    }

    private sealed class CountingSink : IAccessLogSink
    {
        public int Count;

        public void Enqueue(AccessLogEntry entry, LineFormatter formatter) => Count++;
    }
}
