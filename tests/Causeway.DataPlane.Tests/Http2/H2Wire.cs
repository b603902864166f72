using System.Buffers.Binary;
using System.Text;
using Causeway.DataPlane.Transports.Http2;
using Causeway.DataPlane.Transports.Http2.Hpack;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>One frame the session wrote.</summary>
internal sealed record H2Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
{
    public bool Has(byte flag) => (Flags & flag) != 0;
    public Http2ErrorCode RstCode => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload);
    public Http2ErrorCode GoAwayCode => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4));
    public int GoAwayLastStream => BinaryPrimitives.ReadInt32BigEndian(Payload);
    public int WindowIncrement => BinaryPrimitives.ReadInt32BigEndian(Payload);
    public override string ToString() => $"type {Type} flags {Flags:x} stream {StreamId} length {Payload.Length}";
}

/// <summary>
/// A client's side of the wire for the session's unit tests: builds frames and header blocks, feeds them to a
/// <see cref="Http2ServerSession"/> and reads back the frames it wrote (HEADERS decoded with a client-side HPACK decoder).
/// </summary>
internal sealed class H2Wire
{
    public readonly Recorder Events = new();
    public readonly Http2ServerSession Session;
    private readonly HpackDecoder _responseDecoder = new(maxHeaderListSize: int.MaxValue);

    public H2Wire(Http2Settings? settings = null, bool handshake = true, bool autoAcknowledge = false)
    {
        Events.AutoAcknowledge = autoAcknowledge;
        Session = new Http2ServerSession(Events, settings);
        Events.Session = Session;
        if (!handshake) return;
        Feed([.. Http2Frame.Preface, .. Frame(Http2Frame.Settings, 0, 0, [])]);
        var frames = Read();
        Assert.Contains(frames, f => f.Type == Http2Frame.Settings && !f.Has(Http2Frame.Ack));
        Assert.Contains(frames, f => f.Type == Http2Frame.Settings && f.Has(Http2Frame.Ack));
        Feed(Frame(Http2Frame.Settings, Http2Frame.Ack, 0, []));
    }

    public static void AssertGoAway(H2Wire wire, Http2ErrorCode code)
    {
        Assert.True(wire.Session.IsFailed);
        var goAway = Assert.Single(wire.Read(), f => f.Type == Http2Frame.GoAway);
        Assert.Equal(code, goAway.GoAwayCode);
        Assert.Contains($"connection error {code}", wire.Events.Log);
    }

    public static H2Frame AssertReset(H2Wire wire, int streamId, Http2ErrorCode code)
    {
        var rst = Assert.Single(wire.Read(), f => f.Type == Http2Frame.RstStream);
        Assert.Equal(streamId, rst.StreamId);
        Assert.Equal(code, rst.RstCode);
        Assert.False(wire.Session.IsFailed);
        return rst;
    }

    public Http2ReceiveResult Feed(ReadOnlySpan<byte> bytes) => Session.Receive(bytes);

    /// <summary>Feeds whole frames and asserts they were all consumed.</summary>
    public void FeedAll(params byte[][] frames)
    {
        var bytes = frames.SelectMany(f => f).ToArray();
        var result = Session.Receive(bytes);
        if (!result.Failed) Assert.Equal(bytes.Length, result.Consumed);
    }

    public List<H2Frame> Read()
    {
        var frames = new List<H2Frame>();
        var output = Session.PendingOutput.ToArray();
        Session.Consumed(output.Length);
        for (var pos = 0; pos < output.Length;)
        {
            var length = output[pos] << 16 | output[pos + 1] << 8 | output[pos + 2];
            frames.Add(new H2Frame(output[pos + 3], output[pos + 4], BinaryPrimitives.ReadInt32BigEndian(output.AsSpan(pos + 5)) & int.MaxValue,
                output.AsSpan(pos + 9, length).ToArray()));
            pos += 9 + length;
        }
        return frames;
    }

    /// <summary>Decodes a response header block (HEADERS + CONTINUATION payloads joined).</summary>
    public List<(string, string)> DecodeResponse(params H2Frame[] frames)
    {
        var sink = new HpackTests.ListSink();
        Assert.Equal(HpackStatus.Ok, _responseDecoder.Decode(frames.SelectMany(f => f.Payload).ToArray(), sink));
        return sink.Fields;
    }

    public static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        Http2Frame.WriteHeader(frame, payload.Length, type, flags, streamId);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>A header block of literals without indexing, names exactly as given (upper case included).</summary>
    public static byte[] Block(params (string Name, string Value)[] fields)
    {
        var b = new ByteBuilder();
        foreach (var (n, v) in fields) HpackTests.Literal(b, n, v, indexing: false);
        return b.Span.ToArray();
    }

    public static (string, string)[] Get(string path = "/", params (string, string)[] extra) =>
        [(":method", "GET"), (":scheme", "http"), (":path", path), (":authority", "example.test"), .. extra];

    public static (string, string)[] Post(string path, params (string, string)[] extra) =>
        [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "example.test"), .. extra];

    public static byte[] Headers(int streamId, (string, string)[] fields, bool endStream) =>
        Frame(Http2Frame.Headers, (byte)(Http2Frame.EndHeaders | (endStream ? Http2Frame.EndStream : 0)), streamId, Block(fields));

    public static byte[] Data(int streamId, int length, bool endStream) =>
        Frame(Http2Frame.Data, endStream ? Http2Frame.EndStream : (byte)0, streamId, Enumerable.Repeat((byte)'d', length).ToArray());

    public static byte[] WindowUpdate(int streamId, int increment)
    {
        var p = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(p, increment);
        return Frame(Http2Frame.WindowUpdate, 0, streamId, p);
    }

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var p = new byte[settings.Length * 6];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(i * 6), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(i * 6 + 2), settings[i].Value);
        }
        return Frame(Http2Frame.Settings, 0, 0, p);
    }

    public static byte[] RstStream(int streamId, Http2ErrorCode code)
    {
        var p = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(p, (uint)code);
        return Frame(Http2Frame.RstStream, 0, streamId, p);
    }

    /// <summary>Records the handler's events as text.</summary>
    internal sealed class Recorder : IHttp2StreamHandler
    {
        public readonly List<string> Log = [];
        public readonly Dictionary<int, List<(string, string)>> Fields = [];
        public bool AutoAcknowledge;
        public Http2ServerSession Session = null!;

        public void OnRequestHeaders(int streamId, in Http2RequestHeaders headers)
        {
            Log.Add($"headers {streamId} {S(headers.Method)} {S(headers.Scheme)} {S(headers.Authority)} {S(headers.Path)}");
            var list = new List<(string, string)>();
            for (var i = 0; i < headers.Count; i++) list.Add((S(headers.Name(i)), S(headers.Value(i))));
            Fields[streamId] = list;
        }

        public void OnRequestData(int streamId, ReadOnlySpan<byte> data)
        {
            Log.Add($"data {streamId} {data.Length}");
            if (AutoAcknowledge) Session.AcknowledgeData(streamId, data.Length);
        }

        public void OnRequestTrailers(int streamId, in Http2RequestHeaders trailers)
        {
            var parts = new List<string>();
            for (var i = 0; i < trailers.Count; i++) parts.Add($"{S(trailers.Name(i))}={S(trailers.Value(i))}");
            Log.Add($"trailers {streamId} {string.Join(",", parts)}");
        }

        public void OnRequestEnd(int streamId)
        {
            Log.Add($"end {streamId}");
        }

        public void OnStreamReset(int streamId, Http2ErrorCode code, bool byPeer) => Log.Add($"reset {streamId} {code} {(byPeer ? "peer" : "session")}");
        public void OnGoAway(int lastStreamId, Http2ErrorCode code) => Log.Add($"goaway {lastStreamId} {code}");
        public void OnConnectionError(Http2ErrorCode code, string reason) => Log.Add($"connection error {code}");

        private static string S(ReadOnlySpan<byte> b) => Encoding.ASCII.GetString(b);
    }
}
