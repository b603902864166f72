using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using static Causeway.Echo.Tests.EchoTestHelpers;

namespace Causeway.Echo.Tests;

public sealed class HttpEchoTests
{
    [Fact]
    public async Task EchoesRequestAsGoWould()
    {
        var log = new ConcurrentQueue<string>();
        await using var server = await EchoServer.StartAsync(HttpOptions(log));
        var port = server.BoundPorts["http"];
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/v2/example?animal=whale");
        request.Headers.Host = "example.com";
        request.Headers.TryAddWithoutValidation("version", "one");
        request.Headers.TryAddWithoutValidation("x-forwarded-for", "10.0.0.1");
        request.Headers.TryAddWithoutValidation("X-Multi", ["a", "b"]);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var raw = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("{\n \"path\": \"/v2/example?animal=whale\",\n \"host\": \"example.com\",", raw, StringComparison.Ordinal);

        var echo = System.Text.Json.JsonDocument.Parse(raw).RootElement;
        Assert.Equal("GET", echo.GetProperty("method").GetString());
        Assert.Equal("HTTP/1.1", echo.GetProperty("proto").GetString());
        Assert.Equal(["one"], HeaderValues(echo, "Version"));
        Assert.Equal(["10.0.0.1"], HeaderValues(echo, "X-Forwarded-For"));
        Assert.Equal(["a, b"], HeaderValues(echo, "X-Multi")); // HttpClient folds repeated values into one line
        Assert.Empty(HeaderValues(echo, "Host"));
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), echo.GetProperty("httpPort").GetString());
        Assert.Equal("gateway-conformance-infra", echo.GetProperty("namespace").GetString());
        Assert.Equal("infra-backend-v1-7d9c5b7f6d-2xkqg", echo.GetProperty("pod").GetString());
        Assert.Equal("infra-backend-v1", echo.GetProperty("service").GetString());
        Assert.Equal("ing", echo.GetProperty("ingress").GetString());
        Assert.False(echo.TryGetProperty("tls", out _));

        var line = Assert.Single(log);
        Assert.Matches(@"^Echoing back request made to /v2/example\?animal=whale to client \(127\.0\.0\.1:\d+\)$", line);
    }

    [Fact]
    public async Task SetsResponseHeadersFromXEchoSetHeader()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.BoundPorts["http"]}/");
        request.Headers.TryAddWithoutValidation("X-Echo-Set-Header", " X-Foo:one , x-bar: two,X-Foo:three");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("one,three", Assert.Single(response.Headers.GetValues("X-Foo")));
        Assert.Equal("two", Assert.Single(response.Headers.GetValues("x-bar")));
    }

    [Fact]
    public async Task StatusHealthAndCollapsedSlashes()
    {
        var log = new ConcurrentQueue<string>();
        await using var server = await EchoServer.StartAsync(HttpOptions(log));
        using var client = Client();
        var baseUri = $"http://127.0.0.1:{server.BoundPorts["http"]}";

        using var teapot = await client.GetAsync(baseUri + "/status/418");
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal("", await teapot.Content.ReadAsStringAsync());

        using var bad = await client.GetAsync(baseUri + "/status/41");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        using var health = await client.GetAsync(baseUri + "//health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("OK", await health.Content.ReadAsStringAsync());
        Assert.Empty(log);
    }

    [Fact]
    public async Task DelayWaitsAndInvalidDelayIs500()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var client = Client();
        var baseUri = $"http://127.0.0.1:{server.BoundPorts["http"]}";

        var watch = Stopwatch.StartNew();
        using var delayed = await client.GetAsync(baseUri + "/slow?delay=400ms");
        Assert.Equal(HttpStatusCode.OK, delayed.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), $"only waited {watch.Elapsed}");
        Assert.Equal("/slow?delay=400ms", (await ReadJsonAsync(delayed)).GetProperty("path").GetString());

        using var invalid = await client.GetAsync(baseUri + "/slow?delay=soon");
        Assert.Equal(HttpStatusCode.InternalServerError, invalid.StatusCode);
        Assert.True((await ReadJsonAsync(invalid)).TryGetProperty("message", out _));
    }

    [Fact]
    public async Task RetryFailsWithResponseCodeThenSucceeds()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var client = Client();
        var uri = $"http://127.0.0.1:{server.BoundPorts["http"]}/retry/x?uuid=u1&succeedAfter=2&responseCode=503";

        using var first = await client.GetAsync(uri);
        using var second = await client.GetAsync(uri);
        using var third = await client.GetAsync(uri);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal("/retry/x?uuid=u1&succeedAfter=2&responseCode=503", (await ReadJsonAsync(third)).GetProperty("path").GetString());

        using var missing = await client.GetAsync($"http://127.0.0.1:{server.BoundPorts["http"]}/retry/x?uuid=u2");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task RetryWithoutResponseCodeResetsTheConnection()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var client = Client();
        var uri = $"http://127.0.0.1:{server.BoundPorts["http"]}/retry/y?uuid=rst&succeedAfter=1";

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(uri));
        using var ok = await client.GetAsync(uri);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task RetryStateIsPerInstance()
    {
        await using var a = await EchoServer.StartAsync(HttpOptions());
        await using var b = await EchoServer.StartAsync(HttpOptions());
        using var client = Client();
        const string query = "/retry/z?uuid=shared&succeedAfter=1&responseCode=500";

        using var a1 = await client.GetAsync($"http://127.0.0.1:{a.BoundPorts["http"]}{query}");
        using var b1 = await client.GetAsync($"http://127.0.0.1:{b.BoundPorts["http"]}{query}");
        Assert.Equal(HttpStatusCode.InternalServerError, a1.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, b1.StatusCode);
    }

    [Fact]
    public async Task WebSocketEchoesFrames()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Origin", "http://example.com");
        using var cts = new CancellationTokenSource(TestTimeout);
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{server.BoundPorts["http"]}/ws"), cts.Token);

        foreach (var message in new[] { "hello", "second message" })
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, cts.Token);
            var buffer = new byte[1024];
            var result = await ws.ReceiveAsync(buffer, cts.Token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            Assert.Equal(message, Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        Assert.Equal(WebSocketState.Closed, ws.State);
    }

    [Fact]
    public async Task FromEnvironmentReadsEchoVariables()
    {
        var env = new Dictionary<string, string?>
        {
            ["POD_NAME"] = "p-1234567890-abcde",
            ["NAMESPACE"] = "ns",
            ["HTTP_PORT"] = "0",
            ["H2C_PORT"] = "0",
            ["TLS_SERVER_PRIVKEY"] = "/k",
            ["TLS_SERVER_PRIV_KEY"] = "/other",
        };
        var http = EchoOptions.FromEnvironment(env);
        Assert.Equal(EchoMode.Http, http.Mode);
        Assert.Equal("/k", http.TlsServerKey);
        Assert.Equal(8443, http.HttpsPort);
        Assert.Equal(0, http.HttpPort);

        env["TCP_ECHO_SERVER"] = "1";
        var tcp = EchoOptions.FromEnvironment(env);
        Assert.Equal(EchoMode.Tcp, tcp.Mode);
        Assert.Equal("/other", tcp.TlsServerKey);
        Assert.Equal(3000, tcp.TcpPort);

        env["GRPC_ECHO_SERVER"] = "1";
        Assert.Equal(EchoMode.Grpc, EchoOptions.FromEnvironment(env).Mode);
        env["HTTP_PORT"] = "http";
        Assert.Throws<FormatException>(() => EchoOptions.FromEnvironment(env));
        await Task.CompletedTask;
    }
}
