using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Causeway.DataPlane.Tests.Support;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// <see cref="Transports.Http2.Http2ServerSession"/> driven by real HTTP/2 clients over loopback sockets
/// (<see cref="H2TestServer"/>, cleartext with prior knowledge): .NET's HttpClient, curl and h2load, with many
/// concurrent streams, responses larger than the 65535-byte default window and request bodies larger than ours.
/// </summary>
public sealed class H2ClientTests
{
    private static HttpClient Client() => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task HttpClient_request_head_reaches_the_handler_and_the_answer_comes_back()
    {
        using var server = new H2TestServer();
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.Port}/echo?q=1&r=two")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Add("X-Test", "Mixed Case Value");
        request.Headers.Add("x-multi", ["a", "b"]);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("method=GET\n", body);
        Assert.Contains("path=/echo?q=1&r=two\n", body);
        Assert.Contains($"authority=127.0.0.1:{server.Port}\n", body);
        Assert.Contains("scheme=http\n", body);
        Assert.Contains("x-test=Mixed Case Value\n", body); // names arrive lower-cased, values untouched
        Assert.Contains("body=0\n", body);

        using var missing = await client.GetAsync($"http://127.0.0.1:{server.Port}/nothing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task HttpClient_large_response_and_upload_go_through_both_flow_control_directions()
    {
        using var server = new H2TestServer();
        using var client = Client();

        var big = await client.GetByteArrayAsync($"http://127.0.0.1:{server.Port}/bytes/1000000");
        Assert.Equal(H2TestServer.Pattern.AsSpan(0, 1_000_000).ToArray(), big);
        Assert.True(server.MaxQueuedBytes > 0, "the response exceeded the send window and waited for WINDOW_UPDATE");

        var upload = RandomNumberGenerator.GetBytes(300_000); // > our 65535-byte stream and connection windows
        using var response = await client.PostAsync($"http://127.0.0.1:{server.Port}/upload", new ByteArrayContent(upload));
        Assert.Equal($"received={upload.Length} sum={upload.Sum(b => (long)b)}", await response.Content.ReadAsStringAsync());

        using var echo = await client.PostAsync($"http://127.0.0.1:{server.Port}/echo", new StringContent("hello"));
        var text = await echo.Content.ReadAsStringAsync();
        Assert.Contains("method=POST\n", text);
        Assert.Contains("body=5\n", text);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task HttpClient_multiplexes_concurrent_streams_on_one_connection()
    {
        using var server = new H2TestServer();
        using var client = Client();
        var tasks = Enumerable.Range(0, 60).Select(async i =>
        {
            var size = 70_000 + i * 1000;
            var bytes = await client.GetByteArrayAsync($"http://127.0.0.1:{server.Port}/bytes/{size}");
            Assert.Equal(size, bytes.Length);
            Assert.True(bytes.AsSpan().SequenceEqual(H2TestServer.Pattern.AsSpan(0, size)));
        });
        await Task.WhenAll(tasks);
        Assert.Equal(1, server.Connections);
        Assert.Equal(60, server.Requests);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task HttpClient_receives_response_trailers_after_a_body_held_by_flow_control()
    {
        using var server = new H2TestServer();
        using var client = Client();
        using var response = await client.GetAsync($"http://127.0.0.1:{server.Port}/trailers");
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(100_000, body.Length);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("abc", response.TrailingHeaders.GetValues("x-checksum").Single());
    }

    [Fact]
    public async Task Curl_with_prior_knowledge_downloads_and_uploads()
    {
        using var server = new H2TestServer();
        var dir = Directory.CreateTempSubdirectory("causeway-h2curl").FullName;
        try
        {
            var output = Path.Combine(dir, "out.bin");
            var (exit, stdout, stderr) = await ToolProcess.RunAsync("/usr/bin/curl", ["-sS", "--http2-prior-knowledge", "--max-time", "20", "-o", output,
                "-w", "%{http_version} %{http_code}", $"http://127.0.0.1:{server.Port}/bytes/300000"]);
            Assert.True(exit == 0, stderr);
            Assert.Equal("2 200", stdout);
            Assert.Equal(H2TestServer.Pattern.AsSpan(0, 300_000).ToArray(), await File.ReadAllBytesAsync(output));

            var input = Path.Combine(dir, "in.bin");
            var upload = RandomNumberGenerator.GetBytes(200_000);
            await File.WriteAllBytesAsync(input, upload);
            (exit, stdout, stderr) = await ToolProcess.RunAsync("/usr/bin/curl", ["-sS", "--http2-prior-knowledge", "--max-time", "20",
                "--data-binary", "@" + input, "-H", "Content-Type: application/octet-stream", $"http://127.0.0.1:{server.Port}/upload"]);
            Assert.True(exit == 0, stderr);
            Assert.Equal($"received={upload.Length} sum={upload.Sum(b => (long)b)}", stdout);
            Assert.Empty(server.Errors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task H2load_many_concurrent_streams_with_large_responses()
    {
        using var server = new H2TestServer();
        // -w/-W 16: the client's windows are 65535 bytes, as RFC 9113's defaults, so 100 KB responses wait for them.
        var (exit, stdout, stderr) = await ToolProcess.RunAsync(H2Load, ["-n", "600", "-c", "3", "-m", "50", "-w", "16", "-W", "16", $"http://127.0.0.1:{server.Port}/bytes/100000"]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Matches(new Regex(@"requests: 600 total, 600 started, 600 done, 600 succeeded, 0 failed, 0 errored"), stdout);
        Assert.Matches(new Regex(@"status codes: 600 2xx"), stdout);
        Assert.True(server.MaxQueuedBytes > 0, "responses waited for window");
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task H2load_request_bodies_larger_than_the_window()
    {
        using var server = new H2TestServer();
        var dir = Directory.CreateTempSubdirectory("causeway-h2load").FullName;
        try
        {
            var input = Path.Combine(dir, "body.bin");
            await File.WriteAllBytesAsync(input, RandomNumberGenerator.GetBytes(150_000));
            var (exit, stdout, stderr) = await ToolProcess.RunAsync(H2Load, ["-n", "60", "-c", "2", "-m", "10", "-d", input, $"http://127.0.0.1:{server.Port}/upload"]);
            Assert.True(exit == 0, stdout + stderr);
            Assert.Matches(new Regex(@"requests: 60 total, 60 started, 60 done, 60 succeeded, 0 failed, 0 errored"), stdout);
            Assert.Matches(new Regex(@"status codes: 60 2xx"), stdout);
            Assert.Empty(server.Errors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private const string H2Load = "/usr/bin/h2load";
}
