using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.PolicyIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>compressor</c> through real sockets: the echo backend's JSON comes back gzip or brotli
/// encoded as the client asks, decompresses to what the backend sent, and is left alone when it should be.
/// </summary>
public sealed class CompressionTests
{
    private static BackendTrafficPolicyIr Policy(long min = 30, params CompressionKind[] kinds) => new()
    {
        Policy = "ns/gzip",
        Compression = new CompressionIr { Kinds = new EquatableArray<CompressionKind>(kinds.Length == 0 ? [CompressionKind.Gzip, CompressionKind.Brotli] : kinds), MinContentLength = min },
    };

    private static async Task<(HttpResponseMessage Response, byte[] Body, long? Length)> Get(HttpClient client, int port, string path, string? acceptEncoding, bool h2 = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}")
        {
            Version = h2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = "h";
        if (acceptEncoding is not null) request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var length = response.Content.Headers.ContentLength; // as sent, before the body is buffered
        return (response, await response.Content.ReadAsByteArrayAsync(), length);
    }

    private static EchoReply Decode(byte[] body, string? encoding)
    {
        using var input = new MemoryStream(body);
        using Stream reader = encoding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "zstd" => new ZstdSharp.DecompressionStream(input),
            _ => input,
        };
        using var output = new MemoryStream();
        reader.CopyTo(output);
        return JsonSerializer.Deserialize<EchoReply>(output.ToArray(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    [Theory]
    [InlineData("gzip", "gzip", false)]
    [InlineData("gzip;q=0.5, br", "br", false)]
    [InlineData("br, gzip", "gzip", false)] // a tie goes to the policy's order (Gzip first)
    [InlineData("*", "gzip", false)]
    [InlineData("gzip", "gzip", true)]
    public async Task The_client_gets_the_encoding_it_prefers_and_the_body_decompresses_to_the_backends(string accept, string expected, bool h2)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy()));
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
        var (response, body, length) = await Get(client, g.Port, "/limited", accept, h2);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, Assert.Single(response.Content.Headers.ContentEncoding));
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            Assert.Null(length);
            var reply = Decode(body, expected);
            Assert.Equal("e", reply.Name);
            Assert.Equal("/limited", reply.Path);
        }
    }

    [Theory]
    [InlineData("zstd", "zstd", false)]
    [InlineData("gzip, zstd;q=0.5", "gzip", false)]
    [InlineData("br, zstd", "zstd", true)] // a tie: the policy's order (Zstd first)
    public async Task Zstd_is_chosen_as_the_client_and_the_policys_order_say(string accept, string expected, bool h2)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy(30, CompressionKind.Zstd, CompressionKind.Gzip, CompressionKind.Brotli)));
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
        var (response, body, _) = await Get(client, g.Port, "/limited", accept, h2);
        using (response)
        {
            Assert.Equal(expected, Assert.Single(response.Content.Headers.ContentEncoding));
            Assert.Equal("/limited", Decode(body, expected).Path);
        }
    }

    [Fact]
    public async Task Curl_asking_for_any_encoding_gets_zstd_and_decodes_the_backends_body()
    {
        if (!File.Exists("/usr/bin/curl")) Assert.Fail("curl is needed for this test (/usr/bin/curl)");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy(30, CompressionKind.Zstd, CompressionKind.Gzip)));
        // --compressed: curl offers every coding it was built with (deflate, gzip, br, zstd) and decodes the answer.
        using var curl = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/curl",
            ["-sS", "--compressed", "-m", "10", "-D", "-", "-H", "Host: h", $"http://127.0.0.1:{g.Port}/limited"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, "curl failed: " + await curl.StandardError.ReadToEndAsync());
        var split = output.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, output);
        Assert.Contains("content-encoding: zstd", output[..split], StringComparison.OrdinalIgnoreCase);
        var reply = JsonSerializer.Deserialize<EchoReply>(output[(split + 4)..], new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal("/limited", reply.Path);
        Assert.Equal("e", reply.Name);
    }

    [Theory]
    [InlineData("/limited", null)] // the client accepts no encoding
    [InlineData("/limited", "gzip;q=0, identity")]
    [InlineData("/limited", "deflate")] // not one the policy offers
    [InlineData("/free", "gzip")] // a route without the policy
    public async Task Responses_stay_as_they_are_when_compression_does_not_apply(string path, string? accept)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy()));
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
        var (response, body, length) = await Get(client, g.Port, path, accept);
        using (response)
        {
            Assert.Empty(response.Content.Headers.ContentEncoding);
            Assert.Equal(path, Decode(body, null).Path); // plain JSON as the backend sent it
        }
    }

    [Theory]
    [InlineData(29, false)] // shorter than the minimum (Content-Length known)
    [InlineData(30, true)]
    public async Task Only_responses_of_at_least_the_minimum_length_are_compressed(int size, bool compressed)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapFallback(async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = size;
            await context.Response.WriteAsync(new string('a', size));
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        var gateway = Support.Ir.Gateway("ns/gw", [Support.Ir.HttpPort(Support.Ir.Host("*",
            Support.Ir.Prefix("/limited", Support.Ir.To("ns/e:80", "httproute/ns/limited/rule/0") with { BackendTraffic = Policy() })))],
            Support.Ir.Backend("ns/e:80", port));
        await using var g = await TestGateway.StartAsync(gateway);
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
        var (response, body, length) = await Get(client, g.Port, "/limited", "gzip");
        using (response)
        {
            Assert.Equal(compressed, response.Content.Headers.ContentEncoding.Contains("gzip"));
            if (!compressed) Assert.Equal(size, length);
            using var output = new MemoryStream();
            using (Stream reader = compressed ? new GZipStream(new MemoryStream(body), CompressionMode.Decompress) : new MemoryStream(body)) reader.CopyTo(output);
            Assert.Equal(new string('a', size), System.Text.Encoding.ASCII.GetString(output.ToArray()));
        }
    }
}
