using System.Collections.Concurrent;
using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>circuitBreaker.maxParallelRetries</c> and <c>circuitBreaker.retryBudget</c> through real
/// sockets, on the event loop (HTTP/1.1 clients) and the Kestrel pipeline (HTTP/2 clients): retries are held at a
/// backend until released, so the retries in flight are known exactly; a retry beyond the limit is not made and the
/// client gets the failure the backend answered.
/// </summary>
public sealed class CircuitBreakerRetryTests
{
    /// <summary>
    /// A backend whose first attempt at a path <c>/r/...</c> answers 503 (at <c>/x/...</c> hangs up) and whose later attempts wait until
    /// <see cref="Release"/>, then answer 200; requests to <c>/hold/...</c> wait too (load in flight). Counts attempts per path.
    /// </summary>
    private sealed class FlakyBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
        private int _waiting;

        private FlakyBackend(WebApplication app) => _app = app;

        public int Port { get; private set; }

        /// <summary>Requests waiting for <see cref="Release"/> right now.</summary>
        public int Waiting => Volatile.Read(ref _waiting);

        public int Attempts(string path) => _attempts.GetValueOrDefault(path);

        public void Release() => _release.TrySetResult();

        public static async Task<FlakyBackend> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var backend = new FlakyBackend(app);
            app.Run(async context =>
            {
                var path = context.Request.Path.Value ?? "/";
                var n = backend._attempts.AddOrUpdate(path, 1, (_, v) => v + 1);
                if (path.StartsWith("/r/", StringComparison.Ordinal) && n == 1)
                {
                    context.Response.StatusCode = 503;
                    return;
                }
                if (path.StartsWith("/x/", StringComparison.Ordinal) && n == 1)
                {
                    context.Abort(); // the connection closes without an answer
                    return;
                }
                Interlocked.Increment(ref backend._waiting);
                try
                {
                    await backend._release.Task.WaitAsync(TimeSpan.FromSeconds(60));
                }
                finally
                {
                    Interlocked.Decrement(ref backend._waiting);
                }
                await context.Response.WriteAsync("ok " + path);
            });
            await app.StartAsync();
            backend.Port = new Uri(app.Urls.First()).Port;
            return backend;
        }

        public async ValueTask DisposeAsync()
        {
            Release();
            await _app.DisposeAsync();
        }
    }

    private static GatewayIr Gateway(FlakyBackend backend, CircuitBreakerIr breaker) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/b:80", "httproute/ns/r/rule/0") with
        {
            Retry = new RetryIr { Attempts = 1, Codes = new[] { 503 } },
            BackendTraffic = new BackendTrafficPolicyIr { Policy = "ns/cb", CircuitBreaker = breaker },
        })))], Backend("ns/b:80", backend.Port));

    private static async Task<TestGateway> StartAsync(FlakyBackend backend, CircuitBreakerIr breaker) =>
        await TestGateway.StartAsync(Gateway(backend, breaker));

    private static async Task<HttpStatusCode> Get(TestGateway g, string transport, string path)
    {
        var request = g.Request("h", path);
        request.Version = transport == "h2" ? HttpVersion.Version20 : HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var response = await g.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A POST with a body: .NET's HTTP client (the Kestrel path's backend client) resends a bodiless request on its own when a connection closes before any answer.</summary>
    private static async Task<HttpStatusCode> Post(TestGateway g, string transport, string path)
    {
        var request = g.Request("h", path, HttpMethod.Post);
        request.Content = new StringContent("order=1");
        request.Version = transport == "h2" ? HttpVersion.Version20 : HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var response = await g.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(20);
        }
    }

    [Theory]
    [InlineData("loop")]
    [InlineData("h2")]
    public async Task Retries_beyond_maxParallelRetries_are_not_made_and_slots_come_back(string transport)
    {
        await using var backend = await FlakyBackend.StartAsync();
        await using var g = await StartAsync(backend, new CircuitBreakerIr { MaxParallelRetries = 2 });
        // Two requests fail once each and their retries wait at the backend: both retry slots are taken.
        var held = new[] { Get(g, transport, "/r/a"), Get(g, transport, "/r/b") };
        await WaitUntil(() => backend.Waiting == 2, "two retries wait at the backend");
        // A third failure finds no slot: the client gets the backend's 503 at once, and no retry reaches the backend.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(g, transport, "/r/c"));
        Assert.Equal(1, backend.Attempts("/r/c"));
        backend.Release();
        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.OK }, await Task.WhenAll(held));
        Assert.Equal(2, backend.Attempts("/r/a"));
        Assert.Equal(2, backend.Attempts("/r/b"));
        // The slots were given back when those exchanges completed: a new failure is retried again.
        Assert.Equal(HttpStatusCode.OK, await Get(g, transport, "/r/d"));
        Assert.Equal(2, backend.Attempts("/r/d"));
    }

    [Theory]
    [InlineData("loop")]
    [InlineData("h2")]
    public async Task A_backend_hanging_up_is_not_retried_beyond_maxParallelRetries(string transport)
    {
        await using var backend = await FlakyBackend.StartAsync();
        await using var g = await StartAsync(backend, new CircuitBreakerIr { MaxParallelRetries = 1 });
        var held = Post(g, transport, "/x/a");
        await WaitUntil(() => backend.Waiting == 1, "the retry waits at the backend");
        // The gateway's own 503 for a connection closed before any answer, not retried: the one slot is taken.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Post(g, transport, "/x/b"));
        Assert.Equal(1, backend.Attempts("/x/b"));
        backend.Release();
        Assert.Equal(HttpStatusCode.OK, await held);
        Assert.Equal(2, backend.Attempts("/x/a"));
    }

    [Fact]
    public async Task Retries_in_flight_stay_counted_across_a_reload_that_changes_the_limit()
    {
        await using var backend = await FlakyBackend.StartAsync();
        await using var g = await StartAsync(backend, new CircuitBreakerIr { MaxParallelRetries = 1 });
        var held = Get(g, "loop", "/r/a");
        await WaitUntil(() => backend.Waiting == 1, "the retry waits at the backend");
        // The reload raises the limit to 2 and keeps the retry in flight counted: one more retry, not two.
        await g.ApplyAsync(Gateway(backend, new CircuitBreakerIr { MaxParallelRetries = 2 }));
        var second = Get(g, "loop", "/r/b");
        await WaitUntil(() => backend.Waiting == 2, "a second retry waits at the backend");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(g, "loop", "/r/c"));
        Assert.Equal(1, backend.Attempts("/r/c"));
        backend.Release();
        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.OK }, await Task.WhenAll(held, second));
    }

    [Theory]
    [InlineData("loop")]
    [InlineData("h2")]
    public async Task A_retry_budget_allows_its_share_of_the_requests_in_flight(string transport)
    {
        await using var backend = await FlakyBackend.StartAsync();
        // 25% of the requests in flight, no minimum; it takes precedence over maxParallelRetries (left at 1024).
        await using var g = await StartAsync(backend, new CircuitBreakerIr { RetryBudget = new RetryBudgetIr { Fraction = 0.25, MinRetryConcurrency = 0 } });
        // Alone in flight: 25% of 1 is no retry at all.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(g, transport, "/r/alone"));
        Assert.Equal(1, backend.Attempts("/r/alone"));
        // Four requests held at the backend: a fifth request's retry is 1 of 25% of 5 (rounded down), allowed.
        var load = Enumerable.Range(0, 4).Select(i => Get(g, transport, $"/hold/{i}")).ToList();
        await WaitUntil(() => backend.Waiting == 4, "four requests wait at the backend");
        var retried = Get(g, transport, "/r/b");
        await WaitUntil(() => backend.Waiting == 5, "the retry waits at the backend");
        Assert.Equal(2, backend.Attempts("/r/b"));
        // A sixth: 25% of 6 is still 1, taken: its failure is answered.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(g, transport, "/r/c"));
        Assert.Equal(1, backend.Attempts("/r/c"));
        backend.Release();
        Assert.Equal(HttpStatusCode.OK, await retried);
        Assert.All(await Task.WhenAll(load), s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Theory]
    [InlineData("loop")]
    [InlineData("h2")]
    public async Task A_budget_minimum_allows_retries_when_few_requests_are_in_flight(string transport)
    {
        await using var backend = await FlakyBackend.StartAsync();
        await using var g = await StartAsync(backend, new CircuitBreakerIr { MaxParallelRetries = 0, RetryBudget = new RetryBudgetIr { Fraction = 0, MinRetryConcurrency = 1 } });
        var held = Get(g, transport, "/r/a");
        await WaitUntil(() => backend.Waiting == 1, "the retry waits at the backend");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get(g, transport, "/r/b"));
        Assert.Equal(1, backend.Attempts("/r/b"));
        backend.Release();
        Assert.Equal(HttpStatusCode.OK, await held);
        Assert.Equal(2, backend.Attempts("/r/a"));
    }
}

/// <summary>
/// BackendTrafficPolicy <c>circuitBreaker.maxRequestsPerConnection</c>: a pooled backend connection is closed once it
/// served that many requests, on the event loop and the HTTP/1.1 relay (the gateway closes it; the backend is not asked
/// to); for 1, the Kestrel pipeline's HTTP client asks the backend to close each connection after its response, above 1
/// its connections count their requests (Upstream/CountedStream) and are dropped, not reused, once spent.
/// </summary>
public sealed class MaxRequestsPerConnectionTests
{
    private static GatewayIr Gateway(RawBackend backend, long? perConnection) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/b:80", "httproute/ns/r/rule/0") with
        {
            BackendTraffic = perConnection is null ? null
                : new BackendTrafficPolicyIr { Policy = "ns/cb", CircuitBreaker = new CircuitBreakerIr { MaxRequestsPerConnection = perConnection } },
        })))], Backend("ns/b:80", backend.Port) with
        {
            // What the translator folds into the backend's connection settings from the policies reaching it.
            Connection = perConnection is null ? null : new BackendConnectionIr { MaxRequestsPerConnection = perConnection },
        });

    [Theory]
    [InlineData("loop", null, 1)]
    [InlineData("loop", 2L, 3)]
    [InlineData("loop", 1L, 6)]
    [InlineData("relay", null, 1)]
    [InlineData("relay", 2L, 3)]
    [InlineData("h2", null, 1)]
    [InlineData("h2", 1L, 6)]
    [InlineData("h2", 2L, 3)]
    [InlineData("h2", 4L, 2)]
    [InlineData("h2-httpclient", 1L, 6)]
    [InlineData("h2-httpclient", 2L, 3)]
    [InlineData("h2-httpclient", 4L, 2)]
    [InlineData("h2-loop", null, 1)]
    [InlineData("h2-loop", 1L, 6)]
    [InlineData("h2-loop", 2L, 3)]
    public async Task A_backend_connection_serves_at_most_its_requests(string transport, long? perConnection, int connections)
    {
        // The backend closes a connection only when a request asks it to (Connection: close), as HTTP/1.1 servers must.
        await using var backend = new RawBackend(head => (RawBackend.Ok("hi " + head.Split(' ')[1]),
            head.Contains("\r\nConnection: close", StringComparison.OrdinalIgnoreCase)));
        // h2: the Kestrel transport's direct HTTP/1.1 upstream (the pools' count); h2-httpclient: YARP's HttpClient;
        // h2-loop: the event loop's own HTTP/2 (the default where every route runs on the loop).
        var options = transport switch
        {
            "relay" => TestGateway.Options with { Http1EventLoop = false },
            "h2" => TestGateway.Options with { LoopHttp2 = false },
            "h2-httpclient" => TestGateway.Options with { Http2DirectUpstream = false, LoopHttp2 = false },
            _ => TestGateway.Options,
        };
        await using var g = await TestGateway.StartAsync(options, Gateway(backend, perConnection));
        if (transport.StartsWith("h2", StringComparison.Ordinal))
        {
            for (var i = 0; i < 6; i++)
            {
                var request = g.Request("h", $"/r{i}");
                request.Version = HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
                using var response = await g.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal($"hi /r{i}", await response.Content.ReadAsStringAsync());
            }
        }
        else
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            for (var i = 0; i < 6; i++)
            {
                await c.SendAsync($"GET /r{i} HTTP/1.1\r\nHost: h\r\n\r\n");
                var r = await c.ReadResponseAsync();
                Assert.Equal(200, r.Status);
                Assert.Equal($"hi /r{i}", r.BodyText);
            }
            if (Native.IsSupported)
            {
                var fast = g.Plane.FastPath!;
                Assert.Equal(6, transport == "loop" ? fast.LoopRequests : fast.Requests); // served where intended, not handed on
            }
        }
        Assert.Equal(6, backend.Requests.Count);
        Assert.Equal(connections, backend.Connections);
        // The byte transports (and the loop's HTTP/2) close spent connections themselves; the Kestrel transport (either way upstream) asks the
        // backend to close after its one request, as the HTTP client did.
        Assert.Equal(transport is "h2" or "h2-httpclient" && perConnection == 1 ? 6 : 0, backend.Requests.Count(h => h.Contains("\r\nConnection: close", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Concurrent_http2_streams_are_all_served_while_connections_are_spent_and_replaced()
    {
        await using var backend = new RawBackend(head => (RawBackend.Ok("hi " + head.Split(' ')[1]), false));
        await using var g = await TestGateway.StartAsync(Gateway(backend, 2));
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var request = g.Request("h", $"/c{i}");
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            using var response = await g.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), i);
        }));
        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, $"hi /c{a.i}"), (a.StatusCode, a.Item2)));
        Assert.Equal(24, backend.Requests.Count);
        Assert.True(backend.Connections >= 2, $"{backend.Connections} connections");
    }
}
