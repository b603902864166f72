using System.Buffers.Binary;
using System.Text;
using Causeway.DataPlane.Transports.Http2;
using static Causeway.DataPlane.Tests.Http2.H2Wire;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// The frame rules of RFC 9113 as <see cref="Http2ServerSession"/> enforces them, frame by frame: preface and
/// SETTINGS, PING, stream ids and states, concurrency, header validation, padding, CONTINUATION, flow control in
/// both directions, RST_STREAM, GOAWAY and drain, trailers, and no allocation per request in steady state.
/// </summary>
public sealed class Http2SessionTests
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    [Fact]
    public void Server_preface_advertises_our_settings_and_the_client_settings_are_acknowledged()
    {
        var wire = new H2Wire(new Http2Settings { MaxConcurrentStreams = 7, InitialWindowSize = 100_000, ConnectionWindowSize = 1 << 20 }, handshake: false);
        var preface = wire.Read();
        var settings = preface[0];
        Assert.Equal(Http2Frame.Settings, settings.Type);
        var values = new Dictionary<int, uint>();
        for (var i = 0; i < settings.Payload.Length; i += 6)
            values[BinaryPrimitives.ReadUInt16BigEndian(settings.Payload.AsSpan(i))] = BinaryPrimitives.ReadUInt32BigEndian(settings.Payload.AsSpan(i + 2));
        Assert.Equal(0u, values[Http2Frame.SettingsEnablePush]);
        Assert.Equal(7u, values[Http2Frame.SettingsMaxConcurrentStreams]);
        Assert.Equal(100_000u, values[Http2Frame.SettingsInitialWindowSize]);
        Assert.Equal(16384u, values[Http2Frame.SettingsMaxFrameSize]);
        Assert.Equal(4096u, values[Http2Frame.SettingsHeaderTableSize]);
        Assert.Equal(16384u, values[Http2Frame.SettingsMaxHeaderListSize]);
        Assert.Equal(Http2Frame.WindowUpdate, preface[1].Type);
        Assert.Equal((1 << 20) - 65535, preface[1].WindowIncrement);

        // The client preface and SETTINGS may arrive in pieces: only whole frames are consumed.
        byte[] bytes = [.. Http2Frame.Preface, .. Settings((Http2Frame.SettingsInitialWindowSize, 1000))];
        Assert.Equal(10, wire.Feed(bytes.AsSpan(0, 10)).Consumed);
        Assert.Equal(14, wire.Feed(bytes.AsSpan(10, 28)).Consumed); // the rest of the preface; the frame is not whole yet
        Assert.Equal(15, wire.Feed(bytes.AsSpan(24)).Consumed);
        var ack = Assert.Single(wire.Read());
        Assert.True(ack.Type == Http2Frame.Settings && ack.Has(Http2Frame.Ack) && ack.Payload.Length == 0);
    }

    [Fact]
    public void A_wrong_preface_or_a_first_frame_other_than_SETTINGS_is_a_protocol_error()
    {
        var wire = new H2Wire(handshake: false);
        wire.Read();
        Assert.True(wire.Feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8).Failed);
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);

        wire = new H2Wire(handshake: false);
        wire.Read();
        wire.Feed([.. Http2Frame.Preface, .. Frame(Http2Frame.Ping, 0, 0, new byte[8])]);
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Ping_is_acknowledged_with_its_payload_and_a_bad_ping_is_an_error()
    {
        var wire = new H2Wire();
        wire.FeedAll(Frame(Http2Frame.Ping, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]));
        var pong = Assert.Single(wire.Read());
        Assert.True(pong.Type == Http2Frame.Ping && pong.Has(Http2Frame.Ack));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], pong.Payload);
        wire.FeedAll(Frame(Http2Frame.Ping, Http2Frame.Ack, 0, new byte[8]));
        Assert.Empty(wire.Read());

        wire = new H2Wire();
        wire.FeedAll(Frame(Http2Frame.Ping, 0, 0, new byte[7]));
        AssertGoAway(wire, Http2ErrorCode.FrameSizeError);
        wire = new H2Wire();
        wire.FeedAll(Frame(Http2Frame.Ping, 0, 1, new byte[8]));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);
    }

    [Theory]
    [InlineData(Http2Frame.Settings, 0, 0, 5, Http2ErrorCode.FrameSizeError)]        // length not a multiple of 6
    [InlineData(Http2Frame.Settings, Http2Frame.Ack, 0, 6, Http2ErrorCode.FrameSizeError)]
    [InlineData(Http2Frame.Settings, 0, 1, 0, Http2ErrorCode.ProtocolError)]          // on a stream
    [InlineData(Http2Frame.PushPromise, 0, 1, 4, Http2ErrorCode.ProtocolError)]
    [InlineData(Http2Frame.WindowUpdate, 0, 0, 3, Http2ErrorCode.FrameSizeError)]
    [InlineData(Http2Frame.RstStream, 0, 0, 4, Http2ErrorCode.ProtocolError)]
    [InlineData(Http2Frame.RstStream, 0, 9, 4, Http2ErrorCode.ProtocolError)]         // idle stream
    [InlineData(Http2Frame.Data, 0, 9, 4, Http2ErrorCode.ProtocolError)]              // idle stream
    [InlineData(Http2Frame.Data, 0, 0, 4, Http2ErrorCode.ProtocolError)]
    [InlineData(Http2Frame.WindowUpdate, 0, 9, 4, Http2ErrorCode.ProtocolError)]      // idle stream (increment 0x01010101)
    [InlineData(Http2Frame.Continuation, Http2Frame.EndHeaders, 1, 1, Http2ErrorCode.ProtocolError)] // without HEADERS
    [InlineData(Http2Frame.GoAway, 0, 1, 8, Http2ErrorCode.ProtocolError)]
    [InlineData(Http2Frame.Priority, 0, 0, 5, Http2ErrorCode.ProtocolError)]
    public void Frames_breaking_connection_rules_get_GOAWAY_with_the_right_code(byte type, byte flags, int streamId, int length, Http2ErrorCode code)
    {
        var wire = new H2Wire();
        wire.FeedAll(Frame(type, flags, streamId, Enumerable.Repeat((byte)1, length).ToArray()));
        AssertGoAway(wire, code);
    }

    [Fact]
    public void Settings_out_of_range_unknown_frames_and_oversized_frames()
    {
        var wire = new H2Wire();
        wire.FeedAll(Settings((Http2Frame.SettingsEnablePush, 2)));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);
        wire = new H2Wire();
        wire.FeedAll(Settings((Http2Frame.SettingsInitialWindowSize, 1u << 31)));
        AssertGoAway(wire, Http2ErrorCode.FlowControlError);
        wire = new H2Wire();
        wire.FeedAll(Settings((Http2Frame.SettingsMaxFrameSize, 100)));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);

        wire = new H2Wire();
        wire.FeedAll(Frame(0x42, 0xff, 3, [1, 2, 3]), Settings((0x99, 5)));
        Assert.True(Assert.Single(wire.Read()).Has(Http2Frame.Ack)); // unknown type ignored, unknown setting acknowledged
        wire.Feed(Frame(Http2Frame.Data, 0, 1, new byte[16385]));
        AssertGoAway(wire, Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void A_request_reaches_the_handler_and_its_response_closes_the_stream()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Get("/a?b=c", ("accept", "*/*"), ("x-two", "2")), endStream: true));
        Assert.Equal(["headers 1 GET http example.test /a?b=c", "end 1"], wire.Events.Log);
        Assert.Equal([("accept", "*/*"), ("x-two", "2")], wire.Events.Fields[1]);
        Assert.Equal(1, wire.Session.ActiveStreams);

        Assert.True(wire.Session.SendHeaders(1, 200, [new Http2HeaderField("Content-Type"u8.ToArray(), "text/plain"u8.ToArray())], endStream: false));
        Assert.True(wire.Session.SendData(1, Ok, endStream: true));
        var frames = wire.Read();
        Assert.Equal([Http2Frame.Headers, Http2Frame.Data], frames.Select(f => f.Type));
        Assert.Equal([(":status", "200"), ("content-type", "text/plain")], wire.DecodeResponse(frames[0]));
        Assert.True(frames[1].Has(Http2Frame.EndStream));
        Assert.Equal(Ok, frames[1].Payload);
        Assert.Equal(0, wire.Session.ActiveStreams);
        Assert.False(wire.Session.SendData(1, Ok, endStream: true)); // the stream is gone
    }

    [Fact]
    public void A_response_sent_from_the_headers_event_still_lets_the_request_end_be_reported()
    {
        var responder = new RespondOnHeaders();
        var session = new Http2ServerSession(responder);
        responder.Session = session;
        session.Receive([.. Http2Frame.Preface, .. Settings(), .. Headers(1, Get(), endStream: true), .. Headers(3, Post("/"), endStream: false), .. Data(3, 2, endStream: true)]);
        Assert.Equal(["end 1", "end 3"], responder.Log);
        Assert.Equal(0, session.ActiveStreams);
        Assert.False(session.IsFailed);
    }

    private sealed class RespondOnHeaders : IHttp2StreamHandler
    {
        public Http2ServerSession Session = null!;
        public readonly List<string> Log = [];
        public void OnRequestHeaders(int streamId, in Http2RequestHeaders headers) => Session.SendHeaders(streamId, 204, [], endStream: true);
        public void OnRequestData(int streamId, ReadOnlySpan<byte> data) { }
        public void OnRequestTrailers(int streamId, in Http2RequestHeaders trailers) { }
        public void OnRequestEnd(int streamId) => Log.Add($"end {streamId}");
        public void OnStreamReset(int streamId, Http2ErrorCode code, bool byPeer) => Log.Add($"reset {streamId}");
        public void OnGoAway(int lastStreamId, Http2ErrorCode code) { }
        public void OnConnectionError(Http2ErrorCode code, string reason) => Log.Add("error");
    }

    [Fact]
    public void Stream_ids_must_be_odd_and_increase_and_a_closed_stream_takes_no_HEADERS()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(2, Get(), endStream: true));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);

        wire = new H2Wire();
        wire.FeedAll(Headers(5, Get(), endStream: true), Headers(3, Get(), endStream: true));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);
        Assert.Equal(5, wire.Session.LastStreamId);

        wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: true));
        wire.Session.SendHeaders(1, 204, [], endStream: true);
        wire.Read();
        wire.FeedAll(Headers(1, Get(), endStream: true));
        AssertGoAway(wire, Http2ErrorCode.StreamClosed);
    }

    [Fact]
    public void Streams_above_the_concurrency_limit_are_refused_and_accepted_again_once_one_closes()
    {
        var wire = new H2Wire(new Http2Settings { MaxConcurrentStreams = 1 });
        wire.FeedAll(Headers(1, Get(), endStream: true), Headers(3, Get(), endStream: true));
        AssertReset(wire, 3, Http2ErrorCode.RefusedStream);
        Assert.DoesNotContain("headers 3 GET http example.test /", wire.Events.Log);
        wire.Session.SendHeaders(1, 200, [], endStream: true);
        wire.Read();
        wire.FeedAll(Headers(5, Get(), endStream: true));
        Assert.Contains("headers 5 GET http example.test /", wire.Events.Log);
        Assert.Empty(wire.Read());
    }

    public static TheoryData<string, (string, string)[]> Malformed => new()
    {
        { "upper-case name", Get("/", ("X-Upper", "1")) },
        { "missing :path", [(":method", "GET"), (":scheme", "http"), (":authority", "a")] },
        { "missing :scheme", [(":method", "GET"), (":path", "/"), (":authority", "a")] },
        { "missing :method", [(":scheme", "http"), (":path", "/"), (":authority", "a")] },
        { "empty :path", Get("") },
        { "connection header", Get("/", ("connection", "keep-alive")) },
        { "transfer-encoding", Get("/", ("transfer-encoding", "chunked")) },
        { "te other than trailers", Get("/", ("te", "gzip")) },
        { "pseudo after regular", [(":method", "GET"), (":scheme", "http"), ("accept", "*"), (":path", "/")] },
        { "unknown pseudo", Get("/", (":status", "200")) },
        { "duplicate :method", [(":method", "GET"), .. Get()] },
        { "value with a leading space", Get("/", ("x-a", " v")) },
        { "value with CR", Get("/", ("x-a", "a\rb")) },
        { "space in a name", Get("/", ("x a", "v")) },
        { "bad content-length", Get("/", ("content-length", "1x")) },
        { "CONNECT with a path", [(":method", "CONNECT"), (":authority", "a:443"), (":path", "/")] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_requests_are_reset_with_PROTOCOL_ERROR_and_the_connection_goes_on(string why, (string, string)[] fields)
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, fields, endStream: true));
        AssertReset(wire, 1, Http2ErrorCode.ProtocolError);
        Assert.True(wire.Events.Log.Count == 0, why);
        wire.FeedAll(Headers(3, Get(), endStream: true));
        Assert.Equal(["headers 3 GET http example.test /", "end 3"], wire.Events.Log);
    }

    [Fact]
    public void Content_length_must_match_the_DATA_received()
    {
        var wire = new H2Wire(autoAcknowledge: true);
        wire.FeedAll(Headers(1, Post("/", ("content-length", "5")), endStream: false), Data(1, 3, endStream: true));
        AssertReset(wire, 1, Http2ErrorCode.ProtocolError);
        Assert.Contains("reset 1 ProtocolError session", wire.Events.Log);

        wire = new H2Wire(autoAcknowledge: true);
        wire.FeedAll(Headers(1, Post("/", ("content-length", "2")), endStream: false), Data(1, 3, endStream: false));
        AssertReset(wire, 1, Http2ErrorCode.ProtocolError);

        wire = new H2Wire(autoAcknowledge: true);
        wire.FeedAll(Headers(1, Post("/", ("content-length", "4")), endStream: true));
        AssertReset(wire, 1, Http2ErrorCode.ProtocolError);

        wire = new H2Wire(autoAcknowledge: true);
        wire.FeedAll(Headers(1, Post("/", ("content-length", "4")), endStream: false), Data(1, 1, false), Data(1, 3, true));
        Assert.Equal(["headers 1 POST http example.test /", "data 1 1", "data 1 3", "end 1"], wire.Events.Log);
    }

    [Fact]
    public void DATA_after_END_STREAM_is_STREAM_CLOSED()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: true), Data(1, 3, endStream: false));
        AssertReset(wire, 1, Http2ErrorCode.StreamClosed);
    }

    [Fact]
    public void Padding_is_removed_from_DATA_and_HEADERS_and_the_PRIORITY_fields_are_skipped()
    {
        var wire = new H2Wire();
        var block = Block(Get("/padded"));
        byte[] headers = [4, 0, 0, 0, 0, 16, .. block, 0, 0, 0, 0]; // pad length 4, priority (5 bytes), block, padding
        byte[] data = [3, (byte)'a', (byte)'b', 0, 0, 0];
        wire.FeedAll(Frame(Http2Frame.Headers, Http2Frame.EndHeaders | Http2Frame.Padded | Http2Frame.PriorityFlag, 1, headers),
            Frame(Http2Frame.Data, Http2Frame.Padded | Http2Frame.EndStream, 1, data));
        Assert.Equal(["headers 1 GET http example.test /padded", "data 1 2", "end 1"], wire.Events.Log);

        wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: false), Frame(Http2Frame.Data, Http2Frame.Padded, 1, [5, 1, 2, 3, 4]));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void CONTINUATION_frames_complete_a_header_block_and_nothing_may_interrupt_it()
    {
        var wire = new H2Wire();
        var block = Block(Get("/continued", ("x-long", new string('v', 100))));
        wire.FeedAll(Frame(Http2Frame.Headers, Http2Frame.EndStream, 1, block[..10]),
            Frame(Http2Frame.Continuation, 0, 1, block[10..50]),
            Frame(Http2Frame.Continuation, Http2Frame.EndHeaders, 1, block[50..]));
        Assert.Equal(["headers 1 GET http example.test /continued", "end 1"], wire.Events.Log);

        wire = new H2Wire();
        wire.FeedAll(Frame(Http2Frame.Headers, 0, 1, block[..10]), Frame(Http2Frame.Ping, 0, 0, new byte[8]));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);

        wire = new H2Wire();
        wire.FeedAll(Frame(Http2Frame.Headers, 0, 1, block[..10]), Frame(Http2Frame.Continuation, Http2Frame.EndHeaders, 3, block[10..]));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void An_invalid_HPACK_block_is_a_COMPRESSION_ERROR()
    {
        var wire = new H2Wire();
        wire.FeedAll(Frame(Http2Frame.Headers, Http2Frame.EndHeaders, 1, [0xbe]));
        AssertGoAway(wire, Http2ErrorCode.CompressionError);
    }

    [Fact]
    public void A_header_list_above_the_limit_is_answered_431()
    {
        var wire = new H2Wire(new Http2Settings { MaxHeaderListSize = 200 });
        wire.FeedAll(Headers(1, Get("/", ("x-big", new string('b', 300))), endStream: true));
        var response = Assert.Single(wire.Read());
        Assert.Equal([(":status", "431")], wire.DecodeResponse(response));
        Assert.True(response.Has(Http2Frame.EndStream));
        Assert.Empty(wire.Events.Log);
        Assert.Equal(0, wire.Session.ActiveStreams);
    }

    [Fact]
    public void Request_trailers_end_the_request_and_a_second_HEADERS_without_END_STREAM_is_malformed()
    {
        var wire = new H2Wire(autoAcknowledge: true);
        wire.FeedAll(Headers(1, Post("/"), endStream: false), Data(1, 3, false), Headers(1, [("x-checksum", "9")], endStream: true));
        Assert.Equal(["headers 1 POST http example.test /", "data 1 3", "trailers 1 x-checksum=9", "end 1"], wire.Events.Log);

        wire = new H2Wire();
        wire.FeedAll(Headers(1, Post("/"), endStream: false), Headers(1, [("x-checksum", "9")], endStream: false));
        AssertReset(wire, 1, Http2ErrorCode.ProtocolError);
        wire = new H2Wire();
        wire.FeedAll(Headers(1, Post("/"), endStream: false), Headers(1, [(":path", "/x")], endStream: true));
        AssertReset(wire, 1, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Response_trailers_wait_for_queued_data_and_large_heads_use_CONTINUATION()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: true));
        var big = new string('h', 20_000);
        wire.Session.SendHeaders(1, 200, [new Http2HeaderField("x-big"u8.ToArray(), Encoding.ASCII.GetBytes(big))], endStream: false);
        var head = wire.Read();
        Assert.Equal([Http2Frame.Headers, Http2Frame.Continuation], head.Select(f => f.Type));
        Assert.False(head[0].Has(Http2Frame.EndHeaders));
        Assert.True(head[1].Has(Http2Frame.EndHeaders));
        Assert.Equal([(":status", "200"), ("x-big", big)], wire.DecodeResponse([.. head]));

        wire.Session.SendData(1, new byte[70_000], endStream: false);
        wire.Session.SendTrailers(1, [new Http2HeaderField("grpc-status"u8.ToArray(), "0"u8.ToArray())]);
        Assert.DoesNotContain(wire.Read(), f => f.Type == Http2Frame.Headers);
        wire.FeedAll(WindowUpdate(0, 10_000), WindowUpdate(1, 10_000));
        var rest = wire.Read();
        Assert.Equal(70_000 - 65535, rest.Where(f => f.Type == Http2Frame.Data).Sum(f => f.Payload.Length));
        Assert.DoesNotContain(rest, f => f.Type == Http2Frame.Data && f.Has(Http2Frame.EndStream));
        var trailers = rest[^1];
        Assert.True(trailers.Type == Http2Frame.Headers && trailers.Has(Http2Frame.EndStream));
        Assert.Equal([("grpc-status", "0")], wire.DecodeResponse(trailers));
        Assert.Equal(0, wire.Session.ActiveStreams);
    }

    [Fact]
    public void Steady_state_requests_allocate_nothing()
    {
        var handler = new Answering();
        var session = new Http2ServerSession(handler, new Http2Settings { ConnectionWindowSize = int.MaxValue });
        handler.Session = session;
        session.Receive([.. Http2Frame.Preface, .. Settings(), .. Frame(Http2Frame.Settings, Http2Frame.Ack, 0, [])]);
        session.Consumed(session.PendingOutput.Length);
        // One request: HEADERS (indexed :method GET, :scheme http, :path /, literal :authority) + DATA with END_STREAM.
        byte[] request = [.. Frame(Http2Frame.Headers, Http2Frame.EndHeaders, 1, [0x82, 0x86, 0x84, 0x01, 0x04, (byte)'h', (byte)'o', (byte)'s', (byte)'t']),
            .. Frame(Http2Frame.Data, Http2Frame.EndStream, 1, [1, 2, 3, 4]), .. WindowUpdate(0, 1000)];

        var shortReads = 0;
        void Run(int from, int count)
        {
            for (var id = from; id < from + count * 2; id += 2)
            {
                BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(5), id);
                BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(9 + 9 + 5), id);
                if (session.Receive(request).Consumed != request.Length) shortReads++; // no Assert here: xunit's comparers allocate
                session.Consumed(session.PendingOutput.Length);
            }
        }

        Run(1, 200); // warm-up: pools, dictionaries, buffers reach their sizes
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(401, 1000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, shortReads);
        Assert.Equal(1200, handler.Answered);
        Assert.False(session.IsFailed);
        Assert.True(allocated < 1000, $"{allocated} bytes allocated for 1000 requests");
    }

    private sealed class Answering : IHttp2StreamHandler
    {
        private static readonly Http2HeaderField[] Fields = [new("content-type"u8.ToArray(), "text/plain"u8.ToArray())];
        public Http2ServerSession Session = null!;
        public int Answered;

        public void OnRequestHeaders(int streamId, in Http2RequestHeaders headers) { }
        public void OnRequestData(int streamId, ReadOnlySpan<byte> data) => Session.AcknowledgeData(streamId, data.Length);
        public void OnRequestTrailers(int streamId, in Http2RequestHeaders trailers) { }

        public void OnRequestEnd(int streamId)
        {
            Session.SendHeaders(streamId, 200, Fields, endStream: false);
            Session.SendData(streamId, Ok, endStream: true);
            Answered++;
        }

        public void OnStreamReset(int streamId, Http2ErrorCode code, bool byPeer) { }
        public void OnGoAway(int lastStreamId, Http2ErrorCode code) { }
        public void OnConnectionError(Http2ErrorCode code, string reason) { }
    }
}
