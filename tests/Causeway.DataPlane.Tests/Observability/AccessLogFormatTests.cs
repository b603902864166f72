using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.DataPlane.State;
using Causeway.DataPlane.Telemetry;
using Causeway.DataPlane.Telemetry.AccessLog;
using Causeway.DataPlane.Tests.Fuzz;
using Causeway.Translation.Ir;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// The default JSON line formatted straight to UTF-8 (<see cref="DefaultJsonLine"/>, <see cref="LogBuffer"/>) is byte
/// for byte the line <see cref="Utf8JsonWriter"/> wrote before (<see cref="ReferenceJsonLine"/>), for any text in any
/// field and for any request the event loop's parser accepts; it parses back to the same values; and the address text
/// an exchange caches follows its connection's client (a PROXY header) and its backend endpoint.
/// </summary>
public sealed class AccessLogFormatTests
{
    private static readonly Gen<AccessLogEntry> Entries = Gen.Int.Select(seed => RandomEntry(new Random(seed)));
    private static readonly Gen<RandomRequest> Requests = Gen.Int.Select(seed => RandomRequest.Make(new Random(seed)));

    [Fact]
    public void Any_entry_is_formatted_as_utf8jsonwriter_formatted_it_and_parses_back_to_its_values()
    {
        Entries.Sample(e =>
        {
            var line = Format(w => DefaultJsonLine.Write(w, e));
            byte[] expected;
            try
            {
                expected = ReferenceJsonLine.Format(e);
            }
            catch (ArgumentException)
            {
                // Should the old writer refuse some text, ours must still write valid JSON.
                Assert.NotNull(JsonNode.Parse(line.AsSpan(0, line.Length - 1)));
                return;
            }
            SameBytes(expected, line);
            var parsed = JsonNode.Parse(line.AsSpan(0, line.Length - 1))!.AsObject();
            Assert.Equal(Utf16(e.Method), (string?)parsed["method"]);
            Assert.Equal(Utf16(e.Path), (string?)parsed["x-envoy-origin-path"]);
            Assert.Equal(Utf16(e.UserAgent), (string?)parsed["user-agent"]);
            Assert.Equal(Utf16(e.Authority), (string?)parsed[":authority"]);
            Assert.Equal(Utf16(e.RouteName), (string?)parsed["route_name"]);
            Assert.Equal(e.ResponseCode, (int)parsed["response_code"]!);
            Assert.Equal(e.DurationMs, (long)parsed["duration"]!);
            Assert.Equal(e.StartTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), (string?)parsed["start_time"]);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Times_written_one_after_another_into_one_buffer_are_each_their_own()
    {
        // The buffer keeps the text of the last second it wrote: any sequence of times (same second, next, earlier) must
        // still give each time's own text.
        var buffer = new LogBuffer(16);
        var base0 = new DateTimeOffset(2026, 12, 7, 23, 59, 59, TimeSpan.Zero).Ticks;
        Gen.Long[-3 * TimeSpan.TicksPerSecond, 3 * TimeSpan.TicksPerSecond].Array[1, 20].Sample(offsets =>
        {
            foreach (var offset in offsets)
            {
                var time = new DateTimeOffset(base0 + offset, TimeSpan.Zero);
                buffer.Clear();
                buffer.Timestamp(time);
                Assert.Equal("\"" + time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) + "\"",
                    Encoding.ASCII.GetString(buffer.Written));
            }
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Any_request_the_event_loop_parses_gives_the_line_its_entry_gave()
    {
        using var world = new World();
        Requests.Sample(r =>
        {
            var summary = world.Summary(r);
            var now = DateTimeOffset.UtcNow;
            var line = Format(w => DefaultJsonLine.Write(w, summary, now));
            var expected = ReferenceJsonLine.Format(AccessLogger.Build(summary, null, now));
            SameBytes(expected, line);
            var parsed = JsonNode.Parse(line.AsSpan(0, line.Length - 1))!.AsObject();
            Assert.Equal(r.Target, (string?)parsed["x-envoy-origin-path"]);
            Assert.Equal(r.UserAgent?.Trim(' ', '\t'), (string?)parsed["user-agent"]);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Any_exchange_of_a_transport_that_gives_strings_gives_the_line_its_entry_gave()
    {
        // The Kestrel transport answers with strings (IExchangeDetails' default WriteLogValue): any text, in any field.
        Gen.Int.Select(seed => new StringDetails(new Random(seed))).Sample(d =>
        {
            var now = DateTimeOffset.UtcNow;
            var t = Stopwatch.GetTimestamp();
            var summary = new ExchangeSummary
            {
                Transport = TransportSet.Kestrel,
                Method = HttpMethodId.Post,
                Status = d.Status,
                StartTimestamp = t - 12345,
                EndTimestamp = t,
                Details = d,
            };
            var line = Format(w => DefaultJsonLine.Write(w, summary, now));
            byte[] expected;
            try
            {
                expected = ReferenceJsonLine.Format(AccessLogger.Build(summary, null, now));
            }
            catch (ArgumentException)
            {
                Assert.NotNull(JsonNode.Parse(line.AsSpan(0, line.Length - 1)));
                return;
            }
            SameBytes(expected, line);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Odd_bytes_in_a_path_and_headers_are_escaped_as_before()
    {
        using var world = new World();
        var r = new RandomRequest("GET", "/a&b+c'd/(x)?q=1&r='2'", "h.example.com",
            "ua \"quoted\" \\ back\tslash <script>", "1.2.3.4, 5.6.7.8", "id+&<>", new IPEndPoint(IPAddress.Parse("10.0.0.1"), 1), null, 200, null, false);
        var summary = world.Summary(r);
        var now = DateTimeOffset.UtcNow;
        var line = Encoding.UTF8.GetString(Format(w => DefaultJsonLine.Write(w, summary, now)));
        Assert.Equal(Encoding.UTF8.GetString(ReferenceJsonLine.Format(AccessLogger.Build(summary, null, now))), line);
        Assert.Contains("\"x-envoy-origin-path\":\"/a\\u0026b\\u002Bc\\u0027d/(x)?q=1\\u0026r=\\u00272\\u0027\"", line, StringComparison.Ordinal);
        Assert.Contains("\"user-agent\":\"ua \\u0022quoted\\u0022 \\\\ back\\tslash \\u003Cscript\\u003E\"", line, StringComparison.Ordinal);
        var parsed = JsonNode.Parse(line)!;
        Assert.Equal("ua \"quoted\" \\ back\tslash <script>", (string?)parsed["user-agent"]);
    }

    [Fact]
    public void The_client_address_text_follows_a_proxy_header_and_the_detected_client()
    {
        using var world = new World();
        var r = RandomRequest.Simple with { Remote = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 40000) };
        Assert.Equal("127.0.0.1:40000", Field(world, r, "downstream_remote_address"));
        Assert.Equal("127.0.0.1:40000", Field(world, r, "downstream_remote_address")); // cached

        // A PROXY header names the client: the event loop sets the exchange's RemoteEndPoint again.
        world.Exchange.RemoteEndPoint = new IPEndPoint(IPAddress.Parse("198.51.100.23"), 51234);
        Assert.Equal("198.51.100.23:51234", Field(world, null, "downstream_remote_address"));
        world.Exchange.RemoteEndPoint = new IPEndPoint(IPAddress.Parse("2001:db8::7"), 443);
        Assert.Equal("[2001:db8::7]:443", Field(world, null, "downstream_remote_address"));

        // A listener's client IP detection wins for the request it detected (an address without port).
        world.Exchange.Policy.Detect(IPAddress.Parse("203.0.113.9"));
        Assert.Equal("203.0.113.9", Field(world, null, "downstream_remote_address"));
    }

    [Fact]
    public void The_upstream_host_text_follows_the_endpoint_of_the_last_attempt()
    {
        using var world = new World();
        var pools = world.FastPath.Pools;
        var a = new Http1EndpointPool(pools, "a", new IPEndPoint(IPAddress.Parse("10.1.0.1"), 8080));
        var b = new Http1EndpointPool(pools, "b", new IPEndPoint(IPAddress.Parse("10.1.0.2"), 9090));
        world.Summary(RandomRequest.Simple);
        world.Exchange.SetUpstream(a);
        Assert.Equal("10.1.0.1:8080", Field(world, null, "upstream_host"));
        world.Exchange.SetUpstream(b);
        Assert.Equal("10.1.0.2:9090", Field(world, null, "upstream_host"));
        world.Exchange.UpstreamEndPoint = new IPEndPoint(IPAddress.Parse("10.1.0.3"), 80);
        Assert.Equal("10.1.0.3:80", Field(world, null, "upstream_host"));
        world.Exchange.UpstreamEndPoint = new IPEndPoint(IPAddress.Parse("10.1.0.4"), 81);
        Assert.Equal("10.1.0.4:81", Field(world, null, "upstream_host"));
        world.Exchange.UpstreamEndPoint = null;
        Assert.Null(Field(world, null, "upstream_host"));
    }

    [Fact]
    public async Task Lines_from_many_threads_are_whole_lines_and_all_counted()
    {
        var capture = new EndToEnd.AccessLogCapture();
        var now = DateTimeOffset.UtcNow;
        await using (var log = new AccessLogWriter(AccessLogFormat.Json, capture, capacity: 1_000_000))
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 5_000; i++)
                    log.Enqueue(new AccessLogEntry { StartTime = now, Path = $"/t{t}/{i}", Protocol = "TCP", ResponseCode = 200 });
            })));
            await capture.WaitForLinesAsync(20_000);
            Assert.Equal(20_000, log.Written);
            Assert.Equal(0, log.Dropped);
        }
        var paths = capture.Lines.Select(l => (string)JsonNode.Parse(l)!["x-envoy-origin-path"]!).ToHashSet();
        Assert.Equal(20_000, paths.Count);
    }

    /// <summary>The text as valid UTF-16: a lone surrogate becomes U+FFFD, as both writers write it.</summary>
    private static string? Utf16(string? s) => s is null ? null : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));

    /// <summary>Equal bytes; else the first difference with the bytes around it in hex.</summary>
    private static void SameBytes(byte[] expected, byte[] actual)
    {
        var i = expected.AsSpan().CommonPrefixLength(actual);
        if (i == expected.Length && i == actual.Length) return;
        var from = Math.Max(0, i - 24);
        Assert.Fail($"lines differ at byte {i}: expected ...{Convert.ToHexString(expected.AsSpan(from, Math.Min(expected.Length, i + 24) - from))}... "
            + $"({Encoding.UTF8.GetString(expected.AsSpan(from, Math.Min(expected.Length, i + 24) - from))}), actual ...{Convert.ToHexString(actual.AsSpan(from, Math.Min(actual.Length, i + 24) - from))}... "
            + $"({Encoding.UTF8.GetString(actual.AsSpan(from, Math.Min(actual.Length, i + 24) - from))})");
    }

    private static string? Field(World world, RandomRequest? r, string name)
    {
        var summary = r is null ? world.Current : world.Summary(r);
        var line = Format(w => DefaultJsonLine.Write(w, summary, DateTimeOffset.UtcNow));
        return (string?)JsonNode.Parse(line.AsSpan(0, line.Length - 1))![name];
    }

    private static byte[] Format(Action<LogBuffer> write)
    {
        var buffer = new LogBuffer(16);
        write(buffer);
        return buffer.Written.ToArray();
    }

    private static AccessLogEntry RandomEntry(Random random) => new()
    {
        StartTime = new DateTimeOffset(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), TimeSpan.Zero),
        Method = Text(random),
        Path = Text(random),
        Protocol = Text(random),
        ResponseCode = random.Next(-1, 1000),
        ResponseFlags = Text(random) ?? "-",
        BytesReceived = random.NextInt64(),
        BytesSent = random.Next(2) == 0 ? 0 : -random.NextInt64(),
        DurationMs = random.NextInt64(),
        UpstreamServiceTimeMs = random.Next(3) == 0 ? null : random.NextInt64(-5, long.MaxValue),
        XForwardedFor = Text(random),
        UserAgent = Text(random),
        RequestId = Text(random),
        Authority = Text(random),
        UpstreamHost = Text(random),
        UpstreamCluster = Text(random),
        RouteName = Text(random),
        DownstreamRemoteAddress = Text(random),
        RequestedServerName = Text(random),
        TraceId = Text(random),
    };

    /// <summary>Null, plain ASCII, or text from every corner: controls, the characters JSON and HTML escape, any BMP character, surrogate pairs and (rarely) a lone surrogate.</summary>
    private static string? Text(Random random)
    {
        switch (random.Next(6))
        {
            case 0: return null;
            case 1: return "";
        }
        var length = random.Next(0, 40);
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(10))
            {
                case 0: sb.Append((char)random.Next(0, 0x20)); break;
                case 1: sb.Append("\"\\&'+<>`/\u007f"[random.Next(10)]); break;
                case 2: sb.Append((char)random.Next(0x80, 0xD800)); break;
                case 3: sb.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000))); break;
                case 4 when random.Next(20) == 0: sb.Append((char)random.Next(0xD800, 0xE000)); break;
                default: sb.Append((char)random.Next(0x20, 0x7F)); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>An exchange whose transport gives its values as strings (as Kestrel's does), random in every field.</summary>
    private sealed class StringDetails(Random random) : IExchangeDetails
    {
        private readonly Dictionary<string, string?> _headers = new()
        {
            ["x-forwarded-for"] = Text(random),
            ["user-agent"] = Text(random),
            ["x-request-id"] = Text(random),
        };

        public int Status { get; } = random.Next(100, 600);
        public string Method { get; } = Text(random) ?? "GET";
        public string Path { get; } = Text(random) ?? "/";
        public string Authority { get; } = Text(random) ?? "";
        public string Protocol { get; } = Text(random) ?? "HTTP/2";
        public string? RequestHeader(string name) => _headers.GetValueOrDefault(name);
        public long BytesReceived { get; } = random.NextInt64();
        public long BytesSent { get; } = random.Next(0, 100_000);
        public string? UpstreamHost { get; } = Text(random);
        public string? RemoteAddress { get; } = Text(random);
        public string? LocalAddress { get; } = Text(random);
        public string? ServerName { get; } = Text(random);
    }

    /// <summary>A request head the event loop accepts, with the values the log reports.</summary>
    internal sealed record RandomRequest(string Method, string Target, string Host, string? UserAgent, string? ForwardedFor, string? RequestId,
        IPEndPoint Remote, string? Detected, int Status, UpstreamFailure? Failure, bool Traced)
    {
        private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

        public static RandomRequest Simple { get; } = new("GET", "/", "h", null, null, null, new IPEndPoint(IPAddress.Loopback, 1), null, 200, null, false);

        public byte[] Head()
        {
            var sb = new StringBuilder().Append(Method).Append(' ').Append(Target).Append(" HTTP/1.1\r\nHost: ").Append(Host).Append("\r\n");
            if (UserAgent is not null) sb.Append("User-Agent: ").Append(UserAgent).Append("\r\n");
            if (ForwardedFor is not null) sb.Append("x-forwarded-for:").Append(ForwardedFor).Append("\r\n");
            if (RequestId is not null) sb.Append("X-REQUEST-ID: ").Append(RequestId).Append("\r\n");
            return Encoding.ASCII.GetBytes(sb.Append("Accept: */*\r\n\r\n").ToString());
        }

        public static RandomRequest Make(Random random)
        {
            var path = "/" + Chars(random, Alnum + "-_~!$&'()*+,;=:@/", 30);
            var query = random.Next(2) == 0 ? "" : "?" + Chars(random, Alnum + "-._~!$&'()*+,;=:@/?", 30);
            return new RandomRequest(
                new[] { "GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH" }[random.Next(6)],
                path + query,
                Chars(random, Alnum + "-.", 20) + "x" + (random.Next(2) == 0 ? "" : ":" + random.Next(1, 65536)),
                Value(random), Value(random), Value(random),
                random.Next(2) == 0
                    ? new IPEndPoint(new IPAddress(random.NextInt64(1, uint.MaxValue)), random.Next(0, 65536))
                    : new IPEndPoint(IPAddress.Parse($"2001:db8::{random.Next(0, 0xffff):x}"), random.Next(0, 65536)),
                random.Next(4) == 0 ? $"192.0.2.{random.Next(256)}" : null,
                new[] { 200, 201, 204, 301, 404, 421, 500, 502, 503, 504 }[random.Next(10)],
                random.Next(3) == 0 ? (UpstreamFailure)random.Next(0, 6) : null,
                random.Next(2) == 0);
        }

        /// <summary>A header value: absent, or visible ASCII with spaces and tabs (the parser trims both ends).</summary>
        private static string? Value(Random random) => random.Next(3) == 0 ? null : "v" + Chars(random, Printable() + "\t", 60);

        private static string Printable()
        {
            var sb = new StringBuilder();
            for (var c = 0x20; c < 0x7F; c++) sb.Append((char)c);
            return sb.ToString();
        }

        private static string Chars(Random random, string alphabet, int max)
        {
            var n = random.Next(0, max);
            var sb = new StringBuilder(n);
            for (var i = 0; i < n; i++) sb.Append(alphabet[random.Next(alphabet.Length)]);
            return sb.ToString();
        }
    }

    /// <summary>An event-loop exchange with a matched route and backend whose names need escaping, reused for every request.</summary>
    private sealed class World : IDisposable
    {
        private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler());
        private readonly HttpTelemetry _telemetry;
        private readonly BackendRuntime _backend;
        private readonly CompiledMatch _match;

        public World()
        {
            var state = new StateStore();
            _telemetry = new HttpTelemetry(state);
            FastPath = new Http1FastPath(new DataPlaneOptions(), NullLoggerFactory.Instance, _telemetry);
            Exchange = new Http1Exchange(FastPath, TransportSet.EventLoop, tls: false, sni: null, localPort: 8080);
            _backend = new BackendRuntime(new BackendIr { Id = "ns/b+<1>:80", Endpoints = new[] { new EndpointIr("10.1.2.3", 8080) } }, _invoker, TimeSpan.FromSeconds(5))
            {
                Stats = new BackendStats("ns/b+<1>:80"),
            };
            var rule = new HttpRuleIr { Name = "httproute/ns/a'b&c/rule/0", Backends = new[] { new WeightedBackendIr { BackendId = "ns/b+<1>:80", Weight = 1 } } };
            var share = new CompileShare("ns/gw", state);
            var compiled = new CompiledRule(rule, _ => _backend, share);
            _match = new CompiledMatch(new HttpMatchIr { PathValue = "/", Rule = rule }, compiled, null, share, share.RouteStats("ns/gw/http", rule.Name));
        }

        public Http1FastPath FastPath { get; }
        public Http1Exchange Exchange { get; }
        public ExchangeSummary Current { get; private set; }

        /// <summary>Parses <paramref name="r"/> into the exchange (as a new request on its connection) and summarizes it.</summary>
        public ExchangeSummary Summary(RandomRequest r)
        {
            var head = r.Head();
            Exchange.EnsureHeadBuffer(head.Length);
            head.CopyTo(Exchange.HeadBuffer, 0);
            Assert.Equal(HeadStatus.Ok, Exchange.Head.Parse(Exchange.HeadBuffer.AsSpan(0, head.Length), 64 * 1024));
            Exchange.ResetForRequest();
            Exchange.RemoteEndPoint = r.Remote;
            if (r.Detected is { } detected) Exchange.Policy.Detect(IPAddress.Parse(detected));
            var routed = r.Status != 404 && r.Status != 421;
            var upstream = routed && r.Status != 301;
            if (upstream) Exchange.UpstreamEndPoint = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 8080);
            Exchange.BytesSent = r.Status * 3;
            var now = Stopwatch.GetTimestamp();
            Current = new ExchangeSummary
            {
                Transport = TransportSet.EventLoop,
                Match = routed ? _match : null,
                TargetIndex = routed ? 0 : -1,
                Method = MethodLabels.Parse(Encoding.ASCII.GetBytes(r.Method)),
                Status = r.Status,
                LocalReply = !upstream,
                StartTimestamp = now - Stopwatch.Frequency / 50,
                EndTimestamp = now,
                Backend = upstream ? _backend : null,
                UpstreamStart = upstream ? now - Stopwatch.Frequency / 100 : 0,
                UpstreamEnd = upstream && r.Failure is null ? now - Stopwatch.Frequency / 1000 : 0,
                Failure = upstream ? r.Failure : null,
                Details = Exchange,
                TraceId = r.Traced ? ActivityTraceId.CreateRandom() : default,
            };
            return Current;
        }

        public void Dispose()
        {
            FastPath.Dispose();
            _telemetry.Dispose();
            _invoker.Dispose();
        }
    }
}
