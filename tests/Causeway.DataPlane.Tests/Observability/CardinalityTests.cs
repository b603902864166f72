using Causeway.DataPlane.Tests.Support;
using Causeway.Telemetry;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// Series cost what Envoy Gateway's users paid for (852,418 series at 5,000 routes in the gateway-api-bench): a route
/// that never sees traffic exposes nothing, and every metric is capped with an overflow series.
/// </summary>
public sealed class CardinalityTests
{
    [Fact]
    public async Task Two_thousand_routes_of_which_ten_carry_traffic_expose_fewer_than_1500_series()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var registry = new MetricsRegistry();
        registry.Register(new ProcessCollector());
        var routes = Enumerable.Range(0, 2000).Select(i => Prefix($"/r{i}", To("ns/e:80", $"httproute/ns/r{i}/rule/0"))).ToArray();
        var gw = Gateway("ns/gw", [HttpPort(Host("*", routes))], Backend("ns/e:80", echo));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Metrics = registry }, gw);
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            for (var i = 0; i < 10; i++)
            {
                foreach (var method in new[] { "GET", "POST", "DELETE" })
                {
                    await c.SendAsync($"{method} /r{i * 100}/x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
                    Assert.Equal(200, (await c.ReadResponseAsync()).Status);
                }
            }
            await c.SendAsync("GET /nothing-here HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(404, (await c.ReadResponseAsync()).Status); // counted with route=""
        }
        await Task.Delay(100);
        var text = registry.Render();
        var series = text.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
        Assert.InRange(series, 1, 1499);
        Assert.Contains("route=\"httproute/ns/r0\"", text);
        Assert.Contains("route=\"httproute/ns/r900\"", text);
        Assert.DoesNotContain("route=\"httproute/ns/r1\"", text);
        Assert.DoesNotContain("route=\"httproute/ns/r1999\"", text);
        Assert.Contains("causeway_metrics_series_dropped_total 0", text);
        Assert.Contains("route=\"\",rule=\"\",backend=\"\",method=\"GET\",code=\"404\"} 1", text);
    }

    [Fact]
    public void A_metric_over_its_series_cap_folds_the_rest_into_one_overflow_series_and_counts_them()
    {
        var registry = new MetricsRegistry(maxSeriesPerMetric: 3);
        registry.Register(new ManySeries(5));
        var text = registry.Render();
        Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("test_requests_total{route=\"r", StringComparison.Ordinal)));
        Assert.Contains("test_requests_total{route=\"overflow\"} 7", text); // 3 + 4 of the two that did not fit
        Assert.Contains("causeway_metrics_series_dropped_total 2", text);
    }

    private sealed class ManySeries(int n) : IMetricsCollector
    {
        public void Collect(MetricsWriter w)
        {
            for (var i = 0; i < n; i++)
                w.Add("test_requests_total", MetricType.Counter, "test", ["route"], [$"r{i}"], i);
        }
    }
}
