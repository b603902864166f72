using System.Text;
using Causeway.DataPlane.Tests.Fuzz;
using Causeway.DataPlane.Transports.Http2.Hpack;
using CsCheck;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// <see cref="HpackDecoder"/> against RFC 7541 Appendix C (each sequence decoded by one decoder: the dynamic table's
/// contents and size after each block are the RFC's), its errors, and round trips through <see cref="HpackEncoder"/>.
/// </summary>
public sealed class HpackTests
{
    private const string Date1 = "Mon, 21 Oct 2013 20:13:21 GMT", Date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    private static readonly (string, string)[] Request1 = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")];
    private static readonly (string, string)[] Request2 = [.. Request1, ("cache-control", "no-cache")];
    private static readonly (string, string)[] Request3 = [(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")];
    private static readonly (string, string)[] Response1 = [(":status", "302"), ("cache-control", "private"), ("date", Date1), ("location", "https://www.example.com")];
    private static readonly (string, string)[] Response2 = [(":status", "307"), ("cache-control", "private"), ("date", Date1), ("location", "https://www.example.com")];
    private static readonly (string, string)[] Response3 = [(":status", "200"), ("cache-control", "private"), ("date", Date2), ("location", "https://www.example.com"), ("content-encoding", "gzip"), ("set-cookie", Cookie)];

    [Theory]
    [InlineData("400a637573746f6d2d6b65790d637573746f6d2d686561646572", "custom-key", "custom-header", 55)]
    [InlineData("040c2f73616d706c652f70617468", ":path", "/sample/path", 0)]
    [InlineData("100870617373776f726406736563726574", "password", "secret", 0)]
    [InlineData("82", ":method", "GET", 0)]
    public void C2_single_field_representations(string hex, string name, string value, int tableSize)
    {
        var decoder = new HpackDecoder();
        var fields = DecodeOk(decoder, hex);
        Assert.Equal([(name, value)], fields);
        Assert.Equal(tableSize, decoder.TableSize);
    }

    [Theory]
    [InlineData("828684410f7777772e6578616d706c652e636f6d", "828684be58086e6f2d6361636865", "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565")]
    [InlineData("828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf")]
    public void C3_C4_requests_without_and_with_Huffman(string first, string second, string third)
    {
        var decoder = new HpackDecoder();
        Assert.Equal(Request1, DecodeOk(decoder, first));
        Assert.Equal(57, decoder.TableSize);
        Assert.Equal(Request2, DecodeOk(decoder, second));
        Assert.Equal(110, decoder.TableSize);
        Assert.Equal(Request3, DecodeOk(decoder, third));
        Assert.Equal(164, decoder.TableSize);
        Assert.Equal(3, decoder.TableCount);
    }

    [Theory]
    [InlineData("4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
        "4803333037c1c0bf",
        "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31")]
    [InlineData("488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
        "4883640effc1c0bf",
        "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007")]
    public void C5_C6_responses_with_evictions_without_and_with_Huffman(string first, string second, string third)
    {
        var decoder = new HpackDecoder(maxTableSize: 256);
        Assert.Equal(Response1, DecodeOk(decoder, first));
        Assert.Equal(222, decoder.TableSize);
        Assert.Equal(4, decoder.TableCount);
        Assert.Equal(Response2, DecodeOk(decoder, second));
        Assert.Equal(222, decoder.TableSize);
        Assert.Equal(Response3, DecodeOk(decoder, third));
        Assert.Equal(215, decoder.TableSize);
        Assert.Equal(3, decoder.TableCount);
    }

    [Theory]
    [InlineData("be", "index past both tables")]
    [InlineData("80", "index 0")]
    [InlineData("82868420", "size update after a field")]
    [InlineData("3fe21f", "size update above the allowed size (4096)")]
    [InlineData("400a6375", "truncated name")]
    [InlineData("0084ffffffff0161", "Huffman string with EOS")]
    [InlineData("0081fe0161", "Huffman padding not all ones")]
    [InlineData("0082ffff0161", "Huffman padding longer than 7 bits")]
    [InlineData("7fffffffffff7f", "integer overflow")]
    public void Invalid_blocks_are_compression_errors(string hex, string why)
    {
        var status = new HpackDecoder().Decode(Convert.FromHexString(hex), new ListSink());
        Assert.True(status == HpackStatus.CompressionError, why);
    }

    [Fact]
    public void Size_update_to_zero_empties_the_table_and_a_later_one_may_grow_it_back()
    {
        var decoder = new HpackDecoder();
        DecodeOk(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572");
        Assert.Equal(1, decoder.TableCount);
        DecodeOk(decoder, "20");
        Assert.Equal(0, decoder.TableCount);
        Assert.Equal(HpackStatus.CompressionError, decoder.Decode(Convert.FromHexString("be"), new ListSink()));

        decoder = new HpackDecoder();
        Assert.Equal([("custom-key", "custom-header")], DecodeOk(decoder, "203fe11f" + "400a637573746f6d2d6b65790d637573746f6d2d686561646572"));
        Assert.Equal([("custom-key", "custom-header")], DecodeOk(decoder, "be"));
    }

    [Fact]
    public void A_header_list_over_the_limit_is_reported_after_the_whole_block_keeps_the_table_in_step()
    {
        var decoder = new HpackDecoder(maxHeaderListSize: 100);
        var sink = new ListSink();
        // Two literals with indexing of 64 bytes each (+32): the second passes the limit.
        var block = new ByteBuilder();
        Literal(block, "a", new string('x', 63), indexing: true);
        Literal(block, "b", new string('y', 63), indexing: true);
        Assert.Equal(HpackStatus.HeaderListTooLarge, decoder.Decode(block.Span, sink));
        Assert.Single(sink.Fields);
        Assert.Equal(2, decoder.TableCount); // both were inserted: the next block's indices still match the encoder's
        sink = new ListSink();
        Assert.Equal(HpackStatus.Ok, decoder.Decode(Convert.FromHexString("be"), sink));
        Assert.Equal(("b", new string('y', 63)), sink.Fields[0]);
    }

    [Fact]
    public void Entries_that_wrap_around_the_ring_read_back_whole()
    {
        // A 100-byte table: each 40-byte entry (8 + 32) evicts older ones; their bytes wrap around the ring's end.
        var decoder = new HpackDecoder(maxTableSize: 100);
        for (var i = 0; i < 50; i++)
        {
            var b = new ByteBuilder();
            var name = $"n{i % 10}x";
            var value = $"v{i:D4}";
            Literal(b, name, value, indexing: true);
            b.Append(0xbe); // the entry just inserted
            var sink = new ListSink();
            Assert.Equal(HpackStatus.Ok, decoder.Decode(b.Span, sink));
            Assert.Equal([(name, value), (name, value)], sink.Fields);
            Assert.True(decoder.TableSize <= 100);
        }
    }

    [Fact]
    public void Encoder_uses_the_static_table_and_lower_cases_names()
    {
        var b = new ByteBuilder();
        HpackEncoder.WriteStatus(b, 200);
        HpackEncoder.WriteStatus(b, 404);
        HpackEncoder.WriteStatus(b, 302);
        HpackEncoder.WriteField(b, "Content-Type"u8, "text/plain"u8);
        HpackEncoder.WriteField(b, "X-Custom"u8, "1"u8);
        Assert.Equal("888d" + "0803333032" + "0f100a746578742f706c61696e" + "0008782d637573746f6d0131", Convert.ToHexStringLower(b.Span));
        Assert.Equal([(":status", "200"), (":status", "404"), (":status", "302"), ("content-type", "text/plain"), ("x-custom", "1")],
            Decode(new HpackDecoder(), b.Span));
    }

    [Fact]
    public void Encoded_fields_decode_to_themselves()
    {
        var name = Gen.String[Gen.Char['a', 'z'], 1, 40];
        var value = Gen.String[Gen.Char[' ', '~'], 0, 300];
        var status = Gen.Int[100, 999];
        Gen.Select(status, Gen.Select(name, value).Array[0, 30]).Sample((code, fields) =>
        {
            var b = new ByteBuilder();
            HpackEncoder.WriteStatus(b, code);
            foreach (var (n, v) in fields) HpackEncoder.WriteField(b, Encoding.ASCII.GetBytes(n), Encoding.ASCII.GetBytes(v));
            var decoded = Decode(new HpackDecoder(maxHeaderListSize: int.MaxValue), b.Span);
            Assert.Equal([(":status", code.ToString()), .. fields], decoded);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Huffman_round_trips_any_bytes()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var encoded = new byte[HpackHuffman.EncodedLength(bytes)];
            Assert.Equal(encoded.Length, HpackHuffman.Encode(bytes, encoded));
            var decoded = new byte[HpackHuffman.MaxDecodedLength(encoded.Length)];
            var n = HpackHuffman.Decode(encoded, decoded);
            Assert.Equal(bytes, decoded[..n]);
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var decoder = new HpackDecoder(maxTableSize: 128);
            decoder.Decode(bytes, new ListSink());
            decoder.Decode(bytes, new ListSink());
        }, time: FuzzBudget.Seconds, threads: 1);
    }

    internal static void Literal(ByteBuilder b, string name, string value, bool indexing)
    {
        b.Append(indexing ? (byte)0x40 : (byte)0x00);
        HpackEncoder.WriteInteger(b, 0, 7, name.Length);
        b.Append(Encoding.ASCII.GetBytes(name));
        HpackEncoder.WriteInteger(b, 0, 7, value.Length);
        b.Append(Encoding.ASCII.GetBytes(value));
    }

    private static List<(string, string)> DecodeOk(HpackDecoder decoder, string hex)
    {
        var sink = new ListSink();
        Assert.Equal(HpackStatus.Ok, decoder.Decode(Convert.FromHexString(hex), sink));
        return sink.Fields;
    }

    private static List<(string, string)> Decode(HpackDecoder decoder, ReadOnlySpan<byte> block)
    {
        var sink = new ListSink();
        Assert.Equal(HpackStatus.Ok, decoder.Decode(block, sink));
        return sink.Fields;
    }

    internal sealed class ListSink : IHpackSink
    {
        public List<(string, string)> Fields { get; } = [];
        public void OnField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) =>
            Fields.Add((Encoding.ASCII.GetString(name), Encoding.ASCII.GetString(value)));
    }
}
