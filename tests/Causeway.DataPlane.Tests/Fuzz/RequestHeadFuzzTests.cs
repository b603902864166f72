using System.Text;
using CsCheck;

namespace Causeway.DataPlane.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of the fast path's request-head parser (<see cref="Http1RequestHead"/>): random and mutated
/// bytes never make it throw (which would also catch any read outside the buffer) and an accepted head only points
/// inside itself; generated heads agree with <see cref="RequestHeadModel"/> on accept, hand-off and reject.
/// </summary>
public sealed class RequestHeadFuzzTests
{
    private const int Limit = 64 * 1024;

    private static readonly Gen<GeneratedHead> WellFormed = Gen.Int.Select(seed => RequestHeadModel.WellFormed(new Random(seed)));
    private static readonly Gen<GeneratedHead> Malformed = Gen.Int.Select(seed => RequestHeadModel.Malformed(new Random(seed)));

    [Fact]
    public void Well_formed_heads_are_accepted_with_exactly_their_parts()
    {
        WellFormed.Sample(h =>
        {
            var parser = new Http1RequestHead();
            var bytes = h.Bytes;
            Assert.Equal(HeadStatus.Ok, parser.Parse(bytes, Limit));
            Assert.Equal(bytes.Length, parser.HeadLength);
            Assert.Equal(h.Method, Encoding.ASCII.GetString(bytes, 0, parser.MethodLength));
            Assert.Equal(h.Target, Encoding.ASCII.GetString(bytes, parser.TargetStart, parser.TargetLength));
            Assert.Equal(h.HeaderCount, parser.HeaderCount);
            Assert.Equal(h.Host, Encoding.ASCII.GetString(Http1RequestHead.Value(bytes, parser.Headers[parser.HostIndex])));
            Assert.Equal(h.ContentLength ?? 0, parser.ContentLength);
            Assert.Equal(h.Close, parser.ConnectionClose);
            Assert.Equal(h.Method == "HEAD", parser.IsHead);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Http10_heads_are_accepted_only_where_asked_and_close_unless_the_client_keeps_them_alive()
    {
        WellFormed.Sample(h =>
        {
            var lineEnd = h.Text.IndexOf("\r\n", StringComparison.Ordinal);
            var bytes = Encoding.Latin1.GetBytes(h.Text[..(lineEnd - 1)] + "0" + h.Text[lineEnd..]);
            Assert.Equal(HeadStatus.HandOff, new Http1RequestHead().Parse(bytes, Limit));
            var parser = new Http1RequestHead { AcceptsHttp10 = true };
            Assert.Equal(HeadStatus.Ok, parser.Parse(bytes, Limit));
            Assert.True(parser.Http10);
            Assert.Equal(h.Target, Encoding.ASCII.GetString(bytes, parser.TargetStart, parser.TargetLength));
            Assert.Equal(h.HeaderCount, parser.HeaderCount);
            Assert.Equal(h.ContentLength ?? 0, parser.ContentLength);
            var keepAlive = h.Text.Contains("\r\nConnection: keep-alive\r\n", StringComparison.Ordinal);
            Assert.Equal(h.Close || !keepAlive, parser.ConnectionClose);
            // The same parser on the HTTP/1.1 head: nothing of the HTTP/1.0 one stays.
            Assert.Equal(HeadStatus.Ok, parser.Parse(h.Bytes, Limit));
            Assert.False(parser.Http10);
            Assert.Equal(h.Close, parser.ConnectionClose);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Every_proper_prefix_of_a_well_formed_head_is_incomplete()
    {
        Gen.Select(WellFormed, Gen.Int[0, int.MaxValue]).Sample((h, cut) =>
        {
            var bytes = h.Bytes;
            var prefix = bytes.AsSpan(0, cut % bytes.Length);
            Assert.Equal(HeadStatus.Incomplete, new Http1RequestHead().Parse(prefix, Limit));
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Heads_with_a_smuggling_defect_are_never_accepted()
    {
        Malformed.Sample(h =>
        {
            var status = new Http1RequestHead().Parse(h.Bytes, Limit);
            Assert.NotEqual(HeadStatus.Ok, status);
            if (h.Mutation.StartsWith("reject:", StringComparison.Ordinal)) Assert.Equal(HeadStatus.Reject, status);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Random_and_mutated_bytes_never_throw_and_accepted_heads_stay_in_bounds()
    {
        // Mutations of well-formed HTTP/1.1 and HTTP/1.0 heads, parsed half the time as the event loop parses (HTTP/1.0
        // accepted too) and half as the relay does.
        var mutated = Gen.Select(Gen.Int, Gen.Int[1, 8], Gen.Bool).Select((seed, edits, ten) =>
            Mutate(new Random(seed), AsVersion(RequestHeadModel.WellFormed(new Random(seed)).Bytes, ten), edits));
        Gen.Select(Gen.OneOf(Gen.Byte.Array[0, 600], mutated), Gen.Bool).Sample((bytes, http10) =>
        {
            var parser = new Http1RequestHead { AcceptsHttp10 = http10 };
            var status = parser.Parse(bytes, Limit);
            if (status != HeadStatus.Ok) return;
            Assert.InRange(parser.HeadLength, 4, bytes.Length);
            Assert.True(parser.HostIndex >= 0 && parser.HostIndex < parser.HeaderCount);
            for (var i = 0; i < parser.HeaderCount; i++)
            {
                var e = parser.Headers[i];
                Assert.InRange(e.NameStart + e.NameLength, 1, parser.HeadLength);
                Assert.InRange(e.ValueStart + e.ValueLength, 1, parser.HeadLength);
                var value = Http1RequestHead.Value(bytes, e);
                Assert.True(value.IndexOfAnyInRange((byte)0, (byte)8) < 0 && value.IndexOfAnyInRange((byte)10, (byte)31) < 0 && !value.Contains((byte)127));
            }
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    /// <summary>Regression cases: each once found (or feared) by the properties above.</summary>
    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +0\r\n\r\n", "Reject")]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", "Reject")]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456\r\n\r\n", "HandOff")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\n", "HandOff")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\r", "Incomplete")]
    [InlineData("GET / HTTP/1.1\nHost: h\r\n\r\n", "HandOff")]
    [InlineData("GET /. HTTP/1.1\r\nHost: h\r\n\r\n", "HandOff")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX-Cr: a\rb\r\n\r\n", "HandOff")] // found by the fuzzer: was Ok, the CR went to the backend
    [InlineData("\r\n\r\n", "HandOff")]
    [InlineData(" / HTTP/1.1\r\n\r\n", "HandOff")]
    public void Regression_cases(string head, string expected) =>
        Assert.Equal(expected, new Http1RequestHead().Parse(Encoding.Latin1.GetBytes(head), Limit).ToString());

    /// <summary>The head as it is (HTTP/1.1), or with its request line saying HTTP/1.0.</summary>
    private static byte[] AsVersion(byte[] head, bool http10)
    {
        if (http10) head[head.AsSpan().IndexOf("\r\n"u8) - 1] = (byte)'0';
        return head;
    }

    private static byte[] Mutate(Random r, byte[] bytes, int edits)
    {
        var list = bytes.ToList();
        for (var i = 0; i < edits && list.Count > 0; i++)
        {
            var at = r.Next(list.Count);
            var b = (byte)new[] { 0, '\r', '\n', ' ', '\t', ':', ',', '+', 0x7f, 0x80, r.Next(256) }[r.Next(11)];
            switch (r.Next(3))
            {
                case 0: list[at] = b; break;
                case 1: list.Insert(at, b); break;
                default: list.RemoveAt(at); break;
            }
        }
        return [.. list];
    }
}
