using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using static Causeway.Echo.Tests.EchoTestHelpers;

namespace Causeway.Echo.Tests;

public sealed class H2cEchoTests
{
    [Fact]
    public async Task PriorKnowledgeIsHttp2()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var client = Client(HttpVersion.Version20);
        using var response = await client.GetAsync($"http://127.0.0.1:{server.BoundPorts["h2c"]}/h2?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        var echo = await ReadJsonAsync(response);
        Assert.Equal("HTTP/2.0", echo.GetProperty("proto").GetString());
        Assert.Equal("/h2?x=1", echo.GetProperty("path").GetString());
        Assert.Equal($"127.0.0.1:{server.BoundPorts["h2c"]}", echo.GetProperty("host").GetString());
        Assert.Empty(HeaderValues(echo, "Host"));
        Assert.DoesNotContain(echo.GetProperty("headers").EnumerateObject(), p => p.Name.StartsWith(':'));
    }

    [Fact]
    public async Task PlainHttp1IsRejected()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var client = Client(HttpVersion.Version11);
        using var response = await client.GetAsync($"http://127.0.0.1:{server.BoundPorts["h2c"]}/");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Expected h2c request\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http1UpgradeBecomesStreamOne()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var cts = new CancellationTokenSource(TestTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.BoundPorts["h2c"]), cts.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        var upgrade = "GET /upgraded?q=1 HTTP/1.1\r\nHost: upgrade.example\r\nConnection: Upgrade, HTTP2-Settings\r\n" +
            "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nX-Test: yes\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(upgrade), cts.Token);
        var head = await ReadHeadAsync(stream, cts.Token);
        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);

        // client connection preface + empty SETTINGS
        var preface = new List<byte>(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        preface.AddRange(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });
        await stream.WriteAsync(preface.ToArray(), cts.Token);

        var body = new MemoryStream();
        var sawHeaders = false;
        while (true)
        {
            var header = new byte[9];
            await stream.ReadExactlyAsync(header, cts.Token);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var type = header[3];
            var flags = header[4];
            var streamId = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, cts.Token);
            Assert.NotEqual(7, type); // GOAWAY would mean the replay was rejected
            if (type == 1 && streamId == 1)
            {
                sawHeaders = true;
            }

            if (type == 0 && streamId == 1)
            {
                body.Write(payload);
            }

            if ((type is 0 or 1) && streamId == 1 && (flags & 1) != 0)
            {
                break;
            }
        }

        Assert.True(sawHeaders);
        var echo = JsonDocument.Parse(body.ToArray()).RootElement;
        Assert.Equal("HTTP/2.0", echo.GetProperty("proto").GetString());
        Assert.Equal("/upgraded?q=1", echo.GetProperty("path").GetString());
        Assert.Equal("upgrade.example", echo.GetProperty("host").GetString());
        Assert.Equal(["yes"], HeaderValues(echo, "X-Test"));
        Assert.Empty(HeaderValues(echo, "Upgrade"));
    }

    [Fact]
    public async Task UpgradeWithoutHttp2SettingsTokenIsRejected()
    {
        await using var server = await EchoServer.StartAsync(HttpOptions());
        using var cts = new CancellationTokenSource(TestTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.BoundPorts["h2c"]), cts.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"), cts.Token);
        var head = await ReadHeadAsync(stream, cts.Token);
        Assert.StartsWith("HTTP/1.1 400 ", head, StringComparison.Ordinal);
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            await stream.ReadExactlyAsync(one, ct);
            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString(bytes.ToArray());
    }
}
