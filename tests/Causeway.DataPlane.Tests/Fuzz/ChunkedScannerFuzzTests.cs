using System.Text;
using CsCheck;

namespace Causeway.DataPlane.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of <see cref="ChunkedScanner"/>: arbitrary bytes either scan or throw
/// <see cref="BackendProtocolException"/>, never anything else and never past the span; a generated well-formed chunked
/// body, cut anywhere into pieces, ends exactly where it ends (the bytes after it are not taken as body).
/// </summary>
public sealed class ChunkedScannerFuzzTests
{
    [Fact]
    public void Arbitrary_bytes_scan_or_fail_with_the_protocol_exception_only()
    {
        var chunkish = Gen.Int.Select(seed => Mutate(new Random(seed), Body(new Random(seed))));
        Gen.OneOf(Gen.Byte.Array[0, 400], chunkish).Sample(bytes =>
        {
            var scanner = default(ChunkedScanner);
            try
            {
                var n = scanner.Scan(bytes);
                Assert.InRange(n, 0, bytes.Length);
                if (n < bytes.Length) Assert.True(scanner.IsDone);
            }
            catch (BackendProtocolException)
            {
                // The documented rejection.
            }
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void A_well_formed_body_cut_anywhere_ends_exactly_at_its_end()
    {
        Gen.Select(Gen.Int, Gen.Int[1, 6]).Sample((seed, pieces) =>
        {
            var r = new Random(seed);
            var body = Body(r);
            var input = body.Concat("HTTP/1.1 200 OK\r\n"u8.ToArray()).ToArray();
            var cuts = Enumerable.Range(0, pieces).Select(_ => r.Next(input.Length + 1)).Append(0).Append(input.Length).Order().ToArray();
            var scanner = default(ChunkedScanner);
            var total = 0;
            for (var i = 0; i + 1 < cuts.Length && !scanner.IsDone; i++)
            {
                var piece = input.AsSpan(cuts[i], cuts[i + 1] - cuts[i]);
                var n = scanner.Scan(piece);
                Assert.True(n == piece.Length || scanner.IsDone);
                total += n;
            }
            Assert.True(scanner.IsDone);
            Assert.Equal(body.Length, total);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    /// <summary>Regression cases from the smuggling catalogue.</summary>
    [Theory]
    [InlineData("10000000000000003\r\nabc\r\n0\r\n\r\n")] // 17 hex digits: overflow
    [InlineData("3x\r\nabc\r\n0\r\n\r\n")]
    [InlineData("+3\r\nabc\r\n0\r\n\r\n")]
    [InlineData("3\nabc\r\n0\r\n\r\n")]
    [InlineData("3;a\nb\r\nabc\r\n0\r\n\r\n")]
    [InlineData("3\r\nabcdef\r\n0\r\n\r\n")]
    [InlineData(";\r\n")]
    [InlineData("0\r\nX: y\n\r\n")]
    public void Malformed_chunk_framing_is_rejected(string body)
    {
        var scanner = default(ChunkedScanner);
        Assert.Throws<BackendProtocolException>(() => scanner.Scan(Encoding.ASCII.GetBytes(body)));
    }

    private static byte[] Body(Random r)
    {
        var sb = new StringBuilder();
        for (var i = r.Next(0, 5); i > 0; i--)
        {
            var size = r.Next(1, 300);
            var hex = size.ToString(r.Next(2) == 0 ? "x" : "X", System.Globalization.CultureInfo.InvariantCulture);
            sb.Append(new string('0', r.Next(0, 3))).Append(hex).Append(Extension(r)).Append("\r\n");
            for (var j = 0; j < size; j++) sb.Append((char)r.Next(0, 256));
            sb.Append("\r\n");
        }
        sb.Append('0').Append(Extension(r)).Append("\r\n");
        for (var i = r.Next(0, 3); i > 0; i--) sb.Append("X-Trailer-").Append(i).Append(": v\r\n");
        sb.Append("\r\n");
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private static string Extension(Random r) => new[] { "", ";a=b", ";x", " ;q=\"v\"", "\t;k" }[r.Next(5)];

    private static byte[] Mutate(Random r, byte[] bytes)
    {
        var copy = bytes.ToArray();
        for (var i = r.Next(1, 4); i > 0 && copy.Length > 0; i--) copy[r.Next(copy.Length)] = (byte)new[] { '\r', '\n', ';', 'f', '0', ' ', 0 }[r.Next(7)];
        return copy;
    }
}
