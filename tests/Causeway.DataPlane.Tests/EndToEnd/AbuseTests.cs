using System.Diagnostics;
using System.Net;
using System.Text;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Hostile HTTP/1.1 clients against <c>causeway run</c> on tke-01: rejected, never forwarded twice, others served.</summary>
public sealed class AbuseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static async Task<string> RawAsync(IPAddress gw, string request, TimeSpan? read = null)
    {
        var (_, stream) = await E2e.ConnectAsync(gw, 8080);
        await using (stream)
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
            return await E2e.ReadAllAsync(stream, read ?? TimeSpan.FromSeconds(5));
        }
    }

    private static Task<CausewayRun> StartAsync(int n, DataPlaneOptions? options = null) =>
        CausewayRun.StartAsync("tke-01-httproute", n, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", $"127.61.{n}.1"), options);

    /// <summary>Sends <paramref name="request"/> raw; the gateway must answer 400 and the backend must see nothing.</summary>
    private static async Task AssertRejectedWith400AndNotForwardedAsync(int n, string request)
    {
        var (echo, log) = await E2e.StartHttpEchoAsync($"127.61.{n}.1");
        await using var _e = echo;
        await using var run = await StartAsync(n);
        var answer = await RawAsync(run.GatewayAddress, request);
        await Task.Delay(300);
        Assert.True(answer.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), answer);
        Assert.Empty(log);
    }

    [Fact]
    public async Task OversizedHeadersAreRejectedAndOthersServed()
    {
        var (echo, log) = await E2e.StartHttpEchoAsync("127.61.22.1");
        await using var _e = echo;
        await using var run = await StartAsync(22);
        var huge = new string('a', 100 * 1024);
        string answer;
        try
        {
            answer = await RawAsync(run.GatewayAddress, $"GET /huge HTTP/1.1\r\nHost: test.example.com\r\nX-Huge: {huge}\r\n\r\n");
        }
        catch (IOException)
        {
            answer = ""; // reset while we were still sending: closed, which is allowed
        }
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 431", StringComparison.Ordinal), answer[..Math.Min(100, answer.Length)]);
        Assert.DoesNotContain(log, l => l.Contains("/huge", StringComparison.Ordinal));
        using var client = E2e.Client(run.GatewayAddress);
        await E2e.GetEchoAsync(client, "http://test.example.com:8080/after");
    }

    private const string ClAndTe = "POST /first HTTP/1.1\r\nHost: test.example.com\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: test.example.com\r\n\r\n";

    private const string TwoContentLengths = "POST /first HTTP/1.1\r\nHost: test.example.com\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n"
        + "GET /smuggled HTTP/1.1\r\nHost: test.example.com\r\n\r\n";

    [Theory]
    [InlineData(23, ClAndTe)]
    [InlineData(24, TwoContentLengths)]
    public async Task SmugglingAttemptsAreNeverForwardedAsTwoRequests(int n, string attack)
    {
        var (echo, log) = await E2e.StartHttpEchoAsync($"127.61.{n}.1");
        await using var _e = echo;
        await using var run = await StartAsync(n);
        var answer = await RawAsync(run.GatewayAddress, attack);
        await Task.Delay(300);
        var context = $"gateway answered:\n{answer}\nbackend saw:\n{string.Join("\n", log)}";
        Assert.True(CountOccurrences(answer, "HTTP/1.1 ") == 1, context);
        Assert.DoesNotContain(log, l => l.Contains("/smuggled", StringComparison.Ordinal));
        using var client = E2e.Client(run.GatewayAddress);
        await E2e.GetEchoAsync(client, "http://test.example.com:8080/after");
    }

    [Fact]
    public Task ConflictingContentLengthsGet400AndNothingIsForwarded() =>
        AssertRejectedWith400AndNotForwardedAsync(27, TwoContentLengths);

    [Fact]
    public Task ContentLengthWithTransferEncodingGets400AndNothingIsForwarded() =>
        AssertRejectedWith400AndNotForwardedAsync(28, ClAndTe);

    [Fact]
    public async Task SlowlorisIsCutOffWhileOthersAreServed()
    {
        var (echo, log) = await E2e.StartHttpEchoAsync("127.61.25.1");
        await using var _e = echo;
        // A 3 s request-head timeout (the default is 30 s): the slow client must be gone well before 30 s.
        await using var run = await StartAsync(25, new DataPlaneOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(3) });
        var (_, stream) = await E2e.ConnectAsync(run.GatewayAddress, 8080);
        await using var _s = stream;
        await stream.WriteAsync("GET /slow HTTP/1.1\r\nHost: test.example.com\r\n"u8.ToArray());
        using var client = E2e.Client(run.GatewayAddress);
        var sw = Stopwatch.StartNew();
        var closed = false;
        var served = 0;
        // Trickle one header line per second, for at most 20 s; others must be served meanwhile.
        while (sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"X-Slow-{sw.Elapsed.Seconds}: x\r\n"));
            }
            catch (IOException)
            {
                closed = true;
                break;
            }
            await E2e.GetEchoAsync(client, "http://test.example.com:8080/other");
            served++;
            await Task.Delay(1000);
        }
        if (!closed)
        {
            var rest = await E2e.ReadAllAsync(stream, TimeSpan.FromSeconds(1));
            closed = rest.Length > 0; // an error response (408) before the close also counts
        }
        output.WriteLine($"slow client cut off after {sw.Elapsed.TotalSeconds:F1} s; {served} other requests served meanwhile");
        Assert.True(closed, $"the slow client was still connected after {sw.Elapsed.TotalSeconds:F0} s");
        Assert.True(served > 0);
        Assert.DoesNotContain(log, l => l.Contains("/slow", StringComparison.Ordinal));
    }

    private static int CountOccurrences(string s, string what)
    {
        var count = 0;
        for (var i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
