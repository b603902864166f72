using System.Buffers.Binary;
using Causeway.DataPlane.Transports.Http1;
using Causeway.DataPlane.Transports.Http2.Hpack;

namespace Causeway.DataPlane.Transports.Http2;

/// <summary>
/// The server side of one HTTP/2 connection (RFC 9113), without I/O: the caller feeds received plaintext to
/// <see cref="Receive"/>, gets request events on its <see cref="IHttp2StreamHandler"/>, answers with
/// <see cref="SendHeaders(int, int, ReadOnlySpan{Http2HeaderField}, bool)"/>, <see cref="SendData"/>,
/// <see cref="SendTrailers"/> and <see cref="Reset"/>, and writes <see cref="PendingOutput"/> to the socket, calling
/// <see cref="Consumed"/> with what it wrote. The server preface (our SETTINGS) is pending from construction.
/// Frame rules, stream states, flow control in both directions and header validation are enforced here: a
/// connection error queues GOAWAY and fails the session; a stream error queues RST_STREAM. Stream objects are
/// pooled; steady-state requests allocate nothing. Single-threaded: one owner calls everything.
/// </summary>
internal sealed partial class Http2ServerSession
{
    private readonly IHttp2StreamHandler _handler;
    private readonly Http2Settings _settings;
    private readonly HpackDecoder _decoder;
    private readonly Http2HeaderCollector _fields = new();
    private readonly Dictionary<int, Http2Stream> _streams = new();
    private readonly Stack<Http2Stream> _pool = new();
    private readonly List<Http2Stream> _blocked = new();

    private int _prefaceMatched;
    private bool _settingsReceived;
    private bool _ourSettingsAcknowledged;
    private int _lastStreamId;
    private bool _draining;
    private int _streamsOpened;
    private int _prematureResets;
    private Http2ErrorCode? _error;

    // Peer settings and our send windows.
    private int _peerInitialWindow = Http2Frame.DefaultWindowSize;
    private int _peerMaxFrameSize = Http2Frame.DefaultMaxFrameSize;
    private long _connectionSendWindow = Http2Frame.DefaultWindowSize;

    // Our connection receive window.
    private int _connectionReceiveWindow;
    private int _connectionUnacknowledged;

    // A header block spread over HEADERS + CONTINUATION.
    private byte[] _block = new byte[1024];
    private int _blockLength;
    private int _blockStream;
    private bool _blockEndStream;
    private bool _blockSelfDependent;

    /// <summary>Starts a session: our SETTINGS (and a connection WINDOW_UPDATE when configured) are queued.</summary>
    public Http2ServerSession(IHttp2StreamHandler handler, Http2Settings? settings = null)
    {
        _handler = handler;
        _settings = settings ?? new Http2Settings();
        if (_settings.MaxFrameSize is < Http2Frame.DefaultMaxFrameSize or > Http2Frame.MaxAllowedFrameSize)
            throw new ArgumentOutOfRangeException(nameof(settings), "MaxFrameSize must be within 16384..16777215");
        // Until the client acknowledges our SETTINGS it may use the protocol's defaults.
        _decoder = new HpackDecoder(Math.Max(_settings.HeaderTableSize, 4096), _settings.MaxHeaderListSize);
        _connectionReceiveWindow = Http2Frame.DefaultWindowSize;
        WriteServerPreface();
    }

    /// <summary>Streams open (not yet ended by both sides).</summary>
    public int ActiveStreams => _streams.Count;

    /// <summary>The highest stream id the client opened.</summary>
    public int LastStreamId => _lastStreamId;

    /// <summary>True once a connection error was found (GOAWAY queued): flush the output and close.</summary>
    public bool IsFailed => _error is not null;

    /// <summary>True after <see cref="Drain"/> when no stream is left: flush the output and close.</summary>
    public bool IsDrained => _draining && _streams.Count == 0;

    /// <summary>
    /// Processes received bytes: the client preface, then whole frames. Returns the bytes consumed (a partial frame
    /// at the end stays unconsumed: pass it again with more; a buffer of <see cref="Http2Settings.MaxFrameSize"/> + 9
    /// bytes holds any frame) and the connection error, if one happened.
    /// </summary>
    public Http2ReceiveResult Receive(ReadOnlySpan<byte> input)
    {
        if (_error is not null) return new Http2ReceiveResult(0, _error);
        var pos = 0;
        if (_prefaceMatched < Http2Frame.Preface.Length)
        {
            var want = Http2Frame.Preface[_prefaceMatched..];
            var take = Math.Min(want.Length, input.Length);
            if (!input[..take].SequenceEqual(want[..take]))
            {
                ConnectionError(Http2ErrorCode.ProtocolError, "invalid connection preface");
                return new Http2ReceiveResult(take, _error);
            }
            _prefaceMatched += take;
            pos = take;
        }

        while (_error is null && input.Length - pos >= Http2Frame.HeaderLength)
        {
            var header = input.Slice(pos, Http2Frame.HeaderLength);
            var length = header[0] << 16 | header[1] << 8 | header[2];
            if (length > _settings.MaxFrameSize)
            {
                ConnectionError(Http2ErrorCode.FrameSizeError, "frame larger than SETTINGS_MAX_FRAME_SIZE");
                break;
            }
            if (input.Length - pos - Http2Frame.HeaderLength < length) break;
            var type = header[3];
            var flags = header[4];
            var streamId = BinaryPrimitives.ReadInt32BigEndian(header[5..]) & int.MaxValue;
            var payload = input.Slice(pos + Http2Frame.HeaderLength, length);
            pos += Http2Frame.HeaderLength + length;
            OnFrame(type, flags, streamId, payload);
        }
        return new Http2ReceiveResult(pos, _error);
    }

    /// <summary>
    /// Starts a graceful shutdown: GOAWAY (NO_ERROR, the last stream id seen) is queued; streams opened after it are
    /// refused; open ones finish. Close the connection once <see cref="IsDrained"/>.
    /// </summary>
    public void Drain()
    {
        if (_draining || _error is not null) return;
        _draining = true;
        WriteGoAway(_lastStreamId, Http2ErrorCode.NoError);
    }

    private void OnFrame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (!_settingsReceived && type != Http2Frame.Settings)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "the first frame must be SETTINGS");
            return;
        }
        if (_blockStream != 0 && type != Http2Frame.Continuation)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "a header block was interrupted");
            return;
        }
        switch (type)
        {
            case Http2Frame.Data: OnData(flags, streamId, payload); break;
            case Http2Frame.Headers: OnHeaders(flags, streamId, payload); break;
            case Http2Frame.Priority: OnPriority(streamId, payload); break;
            case Http2Frame.RstStream: OnRstStream(streamId, payload); break;
            case Http2Frame.Settings: OnSettings(flags, streamId, payload); break;
            case Http2Frame.PushPromise: ConnectionError(Http2ErrorCode.ProtocolError, "PUSH_PROMISE from a client"); break;
            case Http2Frame.Ping: OnPing(flags, streamId, payload); break;
            case Http2Frame.GoAway: OnGoAway(streamId, payload); break;
            case Http2Frame.WindowUpdate: OnWindowUpdate(streamId, payload); break;
            case Http2Frame.Continuation: OnContinuation(flags, streamId, payload); break;
            default: break; // unknown frame types are ignored (RFC 9113 4.1)
        }
    }

    private void OnSettings(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId != 0) { ConnectionError(Http2ErrorCode.ProtocolError, "SETTINGS on a stream"); return; }
        if ((flags & Http2Frame.Ack) != 0)
        {
            if (payload.Length != 0) { ConnectionError(Http2ErrorCode.FrameSizeError, "SETTINGS ACK with a payload"); return; }
            if (!_ourSettingsAcknowledged)
            {
                _ourSettingsAcknowledged = true;
                _decoder.AllowedMaxTableSize = _settings.HeaderTableSize;
            }
            return;
        }
        if (payload.Length % 6 != 0) { ConnectionError(Http2ErrorCode.FrameSizeError, "SETTINGS length not a multiple of 6"); return; }
        _settingsReceived = true;
        for (var i = 0; i < payload.Length; i += 6)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
            var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
            switch (id)
            {
                case Http2Frame.SettingsEnablePush when value > 1:
                    ConnectionError(Http2ErrorCode.ProtocolError, "SETTINGS_ENABLE_PUSH above 1");
                    return;
                case Http2Frame.SettingsInitialWindowSize:
                    if (value > Http2Frame.MaxWindowSize) { ConnectionError(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1"); return; }
                    var delta = (long)value - _peerInitialWindow;
                    _peerInitialWindow = (int)value;
                    foreach (var stream in _streams.Values)
                    {
                        stream.SendWindow += delta;
                        if (stream.SendWindow > Http2Frame.MaxWindowSize) { ConnectionError(Http2ErrorCode.FlowControlError, "a stream window above 2^31-1"); return; }
                    }
                    break;
                case Http2Frame.SettingsMaxFrameSize:
                    if (value is < Http2Frame.DefaultMaxFrameSize or > Http2Frame.MaxAllowedFrameSize)
                    { ConnectionError(Http2ErrorCode.ProtocolError, "SETTINGS_MAX_FRAME_SIZE out of range"); return; }
                    _peerMaxFrameSize = (int)value;
                    break;
                default:
                    break; // header table size (our encoder uses no dynamic table), push, concurrency, list size, unknown
            }
        }
        WriteFrameHeader(0, Http2Frame.Settings, Http2Frame.Ack, 0);
        FlushBlocked();
    }

    private void OnPing(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId != 0) { ConnectionError(Http2ErrorCode.ProtocolError, "PING on a stream"); return; }
        if (payload.Length != 8) { ConnectionError(Http2ErrorCode.FrameSizeError, "PING length not 8"); return; }
        if ((flags & Http2Frame.Ack) != 0) return;
        WriteFrameHeader(8, Http2Frame.Ping, Http2Frame.Ack, 0);
        WriteBytes(payload);
    }

    private void OnGoAway(int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId != 0) { ConnectionError(Http2ErrorCode.ProtocolError, "GOAWAY on a stream"); return; }
        if (payload.Length < 8) { ConnectionError(Http2ErrorCode.FrameSizeError, "GOAWAY shorter than 8"); return; }
        var last = BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        _handler.OnGoAway(last, code);
    }

    private void OnPriority(int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId == 0) { ConnectionError(Http2ErrorCode.ProtocolError, "PRIORITY on stream 0"); return; }
        if (payload.Length != 5) { StreamError(streamId, Http2ErrorCode.FrameSizeError); return; }
        if ((BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue) == streamId) StreamError(streamId, Http2ErrorCode.ProtocolError);
        // Priorities are otherwise ignored (RFC 9113 5.3.2).
    }

    private void OnRstStream(int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId == 0) { ConnectionError(Http2ErrorCode.ProtocolError, "RST_STREAM on stream 0"); return; }
        if (payload.Length != 4) { ConnectionError(Http2ErrorCode.FrameSizeError, "RST_STREAM length not 4"); return; }
        if (IsIdle(streamId)) { ConnectionError(Http2ErrorCode.ProtocolError, "RST_STREAM on an idle stream"); return; }
        if (!_streams.TryGetValue(streamId, out var stream)) return;
        var code = (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);
        var announced = stream.Announced;
        var premature = !stream.EndWritten;
        Release(stream);
        if (announced) _handler.OnStreamReset(streamId, code, byPeer: true);
        if (!premature) return;
        _prematureResets++;
        var min = _settings.PrematureResetMinStreams;
        if (min > 0 && _streamsOpened >= min && _prematureResets * 2L > _streamsOpened)
            ConnectionError(Http2ErrorCode.EnhanceYourCalm, "too many streams reset by the client before their response ended");
    }

    private void OnWindowUpdate(int streamId, ReadOnlySpan<byte> payload)
    {
        if (payload.Length != 4) { ConnectionError(Http2ErrorCode.FrameSizeError, "WINDOW_UPDATE length not 4"); return; }
        var increment = BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
        if (streamId == 0)
        {
            if (increment == 0) { ConnectionError(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE of 0"); return; }
            _connectionSendWindow += increment;
            if (_connectionSendWindow > Http2Frame.MaxWindowSize) { ConnectionError(Http2ErrorCode.FlowControlError, "connection window above 2^31-1"); return; }
            FlushBlocked();
            return;
        }
        if (IsIdle(streamId)) { ConnectionError(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE on an idle stream"); return; }
        if (!_streams.TryGetValue(streamId, out var stream)) return; // closed: ignored
        if (increment == 0) { StreamError(streamId, Http2ErrorCode.ProtocolError); return; }
        stream.SendWindow += increment;
        if (stream.SendWindow > Http2Frame.MaxWindowSize) { StreamError(streamId, Http2ErrorCode.FlowControlError); return; }
        if (stream.Blocked) Flush(stream);
    }

    private bool IsIdle(int streamId) => streamId > _lastStreamId;

    /// <summary>Queues GOAWAY with <paramref name="code"/>, drops every stream and fails the session.</summary>
    private void ConnectionError(Http2ErrorCode code, string reason)
    {
        if (_error is not null) return;
        _error = code;
        WriteGoAway(_lastStreamId, code);
        foreach (var stream in _streams.Values)
        {
            stream.Clear();
            _pool.Push(stream);
        }
        _streams.Clear();
        _blocked.Clear();
        _queuedBytes = 0;
        _handler.OnConnectionError(code, reason);
    }

    /// <summary>Queues RST_STREAM; a stream the handler knows of is reported to it.</summary>
    private void StreamError(int streamId, Http2ErrorCode code)
    {
        WriteRstStream(streamId, code);
        if (!_streams.TryGetValue(streamId, out var stream)) return;
        var announced = stream.Announced;
        Release(stream);
        if (announced) _handler.OnStreamReset(streamId, code, byPeer: false);
    }

    private Http2Stream Open(int streamId)
    {
        var stream = _pool.Count > 0 ? _pool.Pop() : new Http2Stream();
        var receiveWindow = _ourSettingsAcknowledged ? _settings.InitialWindowSize : Math.Max(_settings.InitialWindowSize, Http2Frame.DefaultWindowSize);
        stream.Start(streamId, _peerInitialWindow, receiveWindow);
        _streams.Add(streamId, stream);
        _streamsOpened++;
        return stream;
    }

    private void Release(Http2Stream stream)
    {
        if (stream.Blocked) _blocked.Remove(stream);
        _queuedBytes -= stream.PendingLength;
        _streams.Remove(stream.Id);
        stream.Clear();
        _pool.Push(stream);
    }

    private void CloseIfDone(Http2Stream stream)
    {
        if (stream.RemoteEnded && stream.EndWritten) Release(stream);
    }
}
