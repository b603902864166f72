using System.Text;
using CsCheck;

namespace Causeway.DataPlane.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of <see cref="Http1ResponseHead"/>: any head (bytes up to the first empty line, the parser's
/// precondition) parses or throws <see cref="BackendProtocolException"/>; generated heads get the status, length and
/// framing RFC 9112 6.3 gives them; heads that lie about their length are refused.
/// </summary>
public sealed class ResponseHeadFuzzTests
{
    [Fact]
    public void Arbitrary_heads_parse_or_fail_with_the_protocol_exception_only()
    {
        var mutated = Gen.Int.Select(seed => Mutate(new Random(seed), Encoding.Latin1.GetBytes(Generate(new Random(seed)).Text)));
        Gen.OneOf(Gen.Byte.Array[0, 400], mutated).Sample(bytes =>
        {
            var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
            var head = (end < 0 ? bytes : bytes[..end]).Concat("\r\n\r\n"u8.ToArray()).ToArray();
            var parser = new Http1ResponseHead();
            try
            {
                parser.Parse(head, requestWasHead: false);
            }
            catch (BackendProtocolException)
            {
                return;
            }
            Assert.InRange(parser.Status, 100, 999);
            for (var i = 0; i < parser.HeaderCount; i++)
                Assert.InRange(parser.Headers[i].ValueStart + parser.Headers[i].ValueLength, 1, head.Length);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Generated_heads_get_the_framing_rfc_9112_gives_them()
    {
        Gen.Select(Gen.Int, Gen.Bool).Sample((seed, wasHead) =>
        {
            var g = Generate(new Random(seed));
            var parser = new Http1ResponseHead();
            parser.Parse(Encoding.Latin1.GetBytes(g.Text), wasHead);
            Assert.Equal(g.Status, parser.Status);
            var expected = wasHead || g.Status is 204 or 304 || g.Status < 200 ? BodyFraming.None
                : g.Chunked ? BodyFraming.Chunked
                : g.Length is { } n ? (n == 0 ? BodyFraming.None : BodyFraming.Length)
                : BodyFraming.Close;
            Assert.Equal(expected, parser.Framing);
            if (!g.Chunked) Assert.Equal(g.Length ?? -1, parser.ContentLength);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 6\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX A: b\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200\r\n: empty name\r\n\r\n")]
    public void Heads_that_lie_or_break_the_syntax_are_refused(string head) =>
        Assert.Throws<BackendProtocolException>(() => new Http1ResponseHead().Parse(Encoding.Latin1.GetBytes(head), requestWasHead: false));

    private sealed record GeneratedResponse(string Text, int Status, long? Length, bool Chunked);

    private static GeneratedResponse Generate(Random r)
    {
        var status = new[] { 100, 103, 200, 201, 204, 206, 301, 304, 400, 404, 500, 502, 599 }[r.Next(13)];
        var sb = new StringBuilder($"HTTP/1.{r.Next(2)} {status}{(r.Next(3) == 0 ? "" : " Some Reason")}\r\n");
        long? length = null;
        var chunked = false;
        for (var i = r.Next(0, 6); i > 0; i--) sb.Append("X-H").Append(i).Append(": v").Append(i).Append("\r\n");
        if (r.Next(2) == 0)
        {
            length = r.Next(0, 1000);
            sb.Append("Content-Length: ").Append(length).Append("\r\n");
            if (r.Next(4) == 0) sb.Append("content-length: ").Append(length).Append("\r\n"); // equal duplicates are allowed
        }
        if (r.Next(3) == 0)
        {
            chunked = true;
            sb.Append(r.Next(2) == 0 ? "Transfer-Encoding: chunked\r\n" : "transfer-encoding: gzip, CHUNKED\r\n");
        }
        return new GeneratedResponse(sb.Append("\r\n").ToString(), status, length, chunked);
    }

    private static byte[] Mutate(Random r, byte[] bytes)
    {
        var list = bytes.ToList();
        for (var i = r.Next(1, 5); i > 0 && list.Count > 0; i--)
        {
            var b = (byte)new[] { 0, '\r', '\n', ' ', ':', ',', '+', '-', '0', 0x7f }[r.Next(10)];
            if (r.Next(2) == 0) list[r.Next(list.Count)] = b;
            else list.Insert(r.Next(list.Count), b);
        }
        return [.. list];
    }
}
