using System.Diagnostics;
using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>bandwidthLimit</c>: a rule's response bodies reach the client, and its request bodies the
/// backend, no faster than the limit (a bucket of one second's worth, full at the start, as Envoy's); a rule without the
/// policy is not slowed down.
/// </summary>
public sealed class BandwidthLimitTests
{
    private const int Size = 300 * 1024;
    private const long Rate = 100 * 1024;

    private static GatewayIr Gateway(int backendPort) => Support.Ir.Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/down", To("ns/raw:80", "httproute/ns/down/rule/0") with
            {
                BackendTraffic = new() { Policy = "ns/down", BandwidthLimit = new() { Response = new() { Bytes = Rate, UnitSeconds = 1 } } },
            }),
            Prefix("/up", To("ns/raw:80", "httproute/ns/up/rule/0") with
            {
                BackendTraffic = new() { Policy = "ns/up", BandwidthLimit = new() { Request = new() { Bytes = Rate * 60, UnitSeconds = 60 } } },
            }),
            Prefix("/free", To("ns/raw:80", "httproute/ns/free/rule/0"))))],
        Backend("ns/raw:80", backendPort));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [Fact]
    public async Task A_response_is_paced_to_the_limit_and_an_unlimited_rule_is_not()
    {
        var body = new string('r', Size);
        await using var raw = new RawBackend(_ => (RawBackend.Ok(body), false));
        await using var g = await TestGateway.StartAsync(Gateway(raw.Port));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        async Task<TimeSpan> GetAsync(string path)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync($"http://127.0.0.1:{g.Port}{path}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Size, (await response.Content.ReadAsByteArrayAsync()).Length);
            return Stopwatch.GetElapsedTime(started);
        }

        // The fastest of two: the first pays for warming the pipeline up.
        var free = Min(await GetAsync("/free"), await GetAsync("/free"));
        var limited = await GetAsync("/down");
        // 300 KiB at 100 KiB/s with a full bucket of 100 KiB: 2 s. The upper bound leaves a busy CI machine room.
        Assert.True(limited >= TimeSpan.FromSeconds(1.6), $"paced response took {limited.TotalMilliseconds} ms");
        Assert.True(limited < TimeSpan.FromSeconds(15), $"paced response took {limited.TotalMilliseconds} ms");
        Assert.True(free < TimeSpan.FromSeconds(1.5), $"unlimited response took {free.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_request_body_is_paced_to_the_limit_and_an_unlimited_rule_is_not()
    {
        await using var raw = new RawBackend(_ => (RawBackend.Ok("done"), false));
        await using var g = await TestGateway.StartAsync(Gateway(raw.Port));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var payload = new byte[Size];
        Array.Fill(payload, (byte)'u');

        async Task<TimeSpan> PostAsync(string path)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync($"http://127.0.0.1:{g.Port}{path}", new ByteArrayContent(payload));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("done", await response.Content.ReadAsStringAsync());
            return Stopwatch.GetElapsedTime(started);
        }

        var free = Min(await PostAsync("/free"), await PostAsync("/free"));
        // 6000 KiB per minute: 100 KiB/s.
        var limited = await PostAsync("/up");
        Assert.True(limited >= TimeSpan.FromSeconds(1.6), $"paced upload took {limited.TotalMilliseconds} ms");
        Assert.True(limited < TimeSpan.FromSeconds(15), $"paced upload took {limited.TotalMilliseconds} ms");
        Assert.True(free < TimeSpan.FromSeconds(1.5), $"unlimited upload took {free.TotalMilliseconds} ms");
        Assert.Equal(3, raw.Requests.Count);
    }
}
