using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Transports.ProxyProtocol;
using Causeway.DataPlane.Upstream;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tests.Policies.ProxyProtocol;

/// <summary>The PROXY header the gateway writes to backends, read back by the gateway's own parser.</summary>
public sealed class ProxyHeaderWriterTests
{
    [Theory]
    [InlineData(BackendProxyProtocolVersion.V1, "192.0.2.9", 4242, "198.51.100.1", 7000)]
    [InlineData(BackendProxyProtocolVersion.V2, "192.0.2.9", 4242, "198.51.100.1", 7000)]
    [InlineData(BackendProxyProtocolVersion.V1, "2001:db8::7", 65535, "2001:db8::1", 443)]
    [InlineData(BackendProxyProtocolVersion.V2, "2001:db8::7", 65535, "2001:db8::1", 443)]
    public void Round_trips_through_the_parser(BackendProxyProtocolVersion version, string src, int srcPort, string dst, int dstPort)
    {
        var source = new IPEndPoint(IPAddress.Parse(src), srcPort);
        var header = ProxyHeaderWriter.Build(version, source, new IPEndPoint(IPAddress.Parse(dst), dstPort));
        byte[] withData = [.. header, .. "hello"u8.ToArray()];
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.Parse(withData, out var consumed, out var parsed));
        Assert.Equal(header.Length, consumed);
        Assert.Equal(source, parsed);
    }

    [Fact]
    public void V1_is_the_text_line_and_mapped_addresses_are_written_as_IPv4()
    {
        var header = ProxyHeaderWriter.Build(BackendProxyProtocolVersion.V1,
            new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 5000), new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.1"), 80));
        Assert.Equal("PROXY TCP4 10.1.2.3 10.0.0.1 5000 80\r\n", Encoding.ASCII.GetString(header));
    }

    [Fact]
    public void Mixed_or_unknown_families_are_UNKNOWN_and_LOCAL()
    {
        var v4 = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 5000);
        var v6 = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 80);
        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(ProxyHeaderWriter.Build(BackendProxyProtocolVersion.V1, v4, v6)));
        var local = ProxyHeaderWriter.Build(BackendProxyProtocolVersion.V2, null, v6);
        Assert.Equal(16, local.Length);
        Assert.Equal(0x20, local[12]);
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.Parse(local, out var consumed, out var source));
        Assert.Equal(16, consumed);
        Assert.Null(source);
    }

    [Fact]
    public void Keepalive_options_are_set_on_the_socket()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        BackendSocketOptions.Apply(socket, new TcpKeepaliveIr { Probes = 4, IdleTime = TimeSpan.FromSeconds(33), Interval = TimeSpan.FromSeconds(7) });
        Assert.NotEqual(0, (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        Assert.Equal(33, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
        Assert.Equal(7, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!);
        Assert.Equal(4, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!);
    }
}
