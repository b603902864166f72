using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Causeway.DataPlane.L4.Tls;

namespace Causeway.DataPlane.Tests.L4;

public sealed class ClientHelloParserTests
{
    /// <summary>A real ClientHello as .NET's SslStream sends it, captured on a raw socket.</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(string? sni)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var cts = new CancellationTokenSource(L4TestSupport.TestTimeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cts.Token);
        using var accepted = await listener.AcceptSocketAsync(cts.Token);
        var ssl = new SslStream(tcp.GetStream());
        var handshake = ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = sni ?? "", RemoteCertificateValidationCallback = (_, _, _, _) => true },
            cts.Token);
        var buffer = new byte[65536];
        var length = 0;
        while (ClientHelloParser.TryParse(buffer.AsSpan(0, length), 65536, out _) == ClientHelloStatus.Incomplete)
            length += await accepted.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cts.Token);
        accepted.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        await ssl.DisposeAsync();
        return buffer[..length];
    }

    [Fact]
    public async Task Extracts_Sni_And_Reports_Incomplete_For_Every_Prefix()
    {
        var hello = await CaptureClientHelloAsync("Foo.Example.COM");
        for (var i = 0; i < hello.Length; i++)
            Assert.Equal(ClientHelloStatus.Incomplete, ClientHelloParser.TryParse(hello.AsSpan(0, i), 65536, out _));
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(hello, 65536, out var sni));
        Assert.Equal("foo.example.com", sni);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task The_reader_starts_with_bytes_read_before_it(int split)
    {
        // Bytes after a PROXY header were read with it: the ClientHello reader starts from them (all of it, a part, or none).
        var hello = await CaptureClientHelloAsync("after.proxy.example");
        var initial = split < 0 ? hello : hello[..split];
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var cts = new CancellationTokenSource(L4TestSupport.TestTimeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cts.Token);
        using var accepted = await listener.AcceptSocketAsync(cts.Token);
        await tcp.GetStream().WriteAsync(hello.AsMemory(initial.Length), cts.Token);
        using var peeked = await ClientHelloReader.ReadAsync(accepted, 65536, cts.Token, initial);
        Assert.Equal(ClientHelloStatus.Complete, peeked.Status);
        Assert.Equal("after.proxy.example", peeked.ServerName);
        Assert.Equal(hello, peeked.Bytes.ToArray());
    }

    [Fact]
    public async Task No_Sni_Is_Complete_With_Null_Name()
    {
        var hello = await CaptureClientHelloAsync(null);
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(hello, 65536, out var sni));
        Assert.Null(sni);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Handshake_Split_Across_Records(int fragment)
    {
        var hello = await CaptureClientHelloAsync("split.example.com");
        var handshake = hello.AsSpan(5).ToArray(); // single record in the capture
        var records = new List<byte>();
        for (var off = 0; off < handshake.Length; off += fragment)
        {
            var n = Math.Min(fragment, handshake.Length - off);
            records.AddRange([22, 3, 1, (byte)(n >> 8), (byte)n]);
            records.AddRange(handshake.AsSpan(off, n).ToArray());
        }
        var data = records.ToArray();
        Assert.Equal(ClientHelloStatus.Incomplete, ClientHelloParser.TryParse(data.AsSpan(0, data.Length - 1), 65536, out _));
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloParser.TryParse(data, 65536, out var sni));
        Assert.Equal("split.example.com", sni);
    }

    [Fact]
    public async Task Oversized_Handshake_Is_Invalid()
    {
        var hello = await CaptureClientHelloAsync("a.example.com");
        Assert.Equal(ClientHelloStatus.Invalid, ClientHelloParser.TryParse(hello, 64, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20 })] // "GET / "
    [InlineData(new byte[] { 23, 3, 3, 0, 5, 1, 2, 3, 4, 5 })] // application data record
    [InlineData(new byte[] { 22, 3, 3, 0, 0 })] // empty record
    [InlineData(new byte[] { 22, 3, 3, 0, 4, 2, 0, 0, 0 })] // ServerHello, not ClientHello
    [InlineData(new byte[] { 22, 3, 3, 0, 6, 1, 0, 0, 2, 3, 3 })] // ClientHello body too short
    public void Garbage_Is_Invalid(byte[] data) =>
        Assert.Equal(ClientHelloStatus.Invalid, ClientHelloParser.TryParse(data, 65536, out _));

    [Fact]
    public async Task Corrupted_Lengths_Never_Throw()
    {
        var hello = await CaptureClientHelloAsync("fuzz.example.com");
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var copy = (byte[])hello.Clone();
            for (var k = 0; k < 3; k++) copy[random.Next(5, copy.Length)] = (byte)random.Next(256);
            var cut = random.Next(copy.Length + 1);
            ClientHelloParser.TryParse(copy.AsSpan(0, cut), 65536, out _); // must not throw
        }
    }
}
