using System.Net;
using System.Text;
using Causeway.DataPlane.Transports.ProxyProtocol;

namespace Causeway.DataPlane.Tests.Policies.ProxyProtocol;

/// <summary>The one PROXY header parser: every prefix of a valid header waits for more, malformed ones are invalid.</summary>
public sealed class ProxyHeaderParserTests
{
    [Fact]
    public void Every_prefix_of_a_valid_header_is_incomplete_and_the_whole_is_complete()
    {
        var headers = new[]
        {
            Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::7 2001:db8::1 65535 443\r\n"),
            ProxyProtocolTests.V2Tcp4("192.0.2.9", 4242),
        };
        foreach (var header in headers)
        {
            for (var n = 0; n < header.Length; n++)
                Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyHeaderParser.Parse(header.AsSpan(0, n), out _, out _));
            byte[] withRequest = [.. header, .. "GET / HTTP/1.1\r\n"u8.ToArray()];
            Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.Parse(withRequest, out var consumed, out var source));
            Assert.Equal(header.Length, consumed);
            Assert.NotNull(source);
        }
        ProxyHeaderParser.Parse(headers[0], out _, out var six);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 65535), six);
        ProxyHeaderParser.Parse(headers[1], out _, out var four);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.9"), 4242), four);
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n")]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1 -2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n")]
    [InlineData("PROXY TCP4 ::1 ::1 1 2\r\n")]
    [InlineData("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n")]
    public void Malformed_v1_lines_are_invalid(string line)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(Encoding.ASCII.GetBytes(line), out var consumed, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void A_v1_line_without_its_end_within_107_bytes_is_invalid()
    {
        var line = Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 200));
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(line, out _, out _));
    }

    [Fact]
    public void Other_bytes_are_absent_and_v1_unknown_and_v2_local_keep_the_peer()
    {
        Assert.Equal(ProxyHeaderStatus.Absent, ProxyHeaderParser.Parse("GET / HTTP/1.1\r\n"u8, out _, out _));
        Assert.Equal(ProxyHeaderStatus.Absent, ProxyHeaderParser.Parse("PROXZ"u8, out _, out _));
        Assert.Equal(ProxyHeaderStatus.Absent, ProxyHeaderParser.Parse("\r\n\r\nGET"u8, out _, out _));
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.Parse("PROXY UNKNOWN\r\nGET"u8, out var consumed, out var source));
        Assert.Equal(15, consumed);
        Assert.Null(source);
        var local = ProxyProtocolTests.V2(0, 0x00, []);
        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderParser.Parse(local, out consumed, out source));
        Assert.Equal(16, consumed);
        Assert.Null(source);
    }

    [Fact]
    public void Malformed_v2_headers_are_invalid()
    {
        var bad = ProxyProtocolTests.V2Tcp4("192.0.2.9", 1);
        bad[12] = 0x12; // version 1
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(bad, out _, out _));
        bad = ProxyProtocolTests.V2Tcp4("192.0.2.9", 1);
        bad[12] = 0x22; // command 2
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(bad, out _, out _));
        bad = ProxyProtocolTests.V2Tcp4("192.0.2.9", 1);
        bad[13] = 0x41; // family 4
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(bad, out _, out _));
        var shortTcp6 = ProxyProtocolTests.V2(1, 0x21, new byte[12]); // TCP6 with an IPv4-sized body
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(shortTcp6, out _, out _));
        var rng = new Random(15);
        for (var i = 0; i < 2000; i++)
        {
            var header = ProxyProtocolTests.V2Tcp4("192.0.2.9", 1);
            header[12 + rng.Next(header.Length - 12)] = (byte)rng.Next(256);
            var status = ProxyHeaderParser.Parse(header, out var consumed, out _);
            Assert.True(status != ProxyHeaderStatus.Complete || consumed <= header.Length);
        }
    }
}
