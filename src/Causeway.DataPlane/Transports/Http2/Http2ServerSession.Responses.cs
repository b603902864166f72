using System.Buffers.Binary;
using Causeway.DataPlane.Transports.Http1;
using Causeway.DataPlane.Transports.Http2.Hpack;

namespace Causeway.DataPlane.Transports.Http2;

// The response side: HEADERS/CONTINUATION, DATA within the send windows (the rest queued per stream), trailers,
// RST_STREAM, and the output buffer the caller drains.
internal sealed partial class Http2ServerSession
{
    private readonly ByteBuilder _headerBlock = new();
    private byte[] _output = new byte[16 * 1024];
    private int _outputStart, _outputEnd;
    private long _queuedBytes;

    /// <summary>Bytes to write to the connection, oldest first; call <see cref="Consumed"/> with what was written.</summary>
    public ReadOnlySpan<byte> PendingOutput => _output.AsSpan(_outputStart, _outputEnd - _outputStart);

    /// <summary>Marks <paramref name="count"/> bytes of <see cref="PendingOutput"/> as written.</summary>
    public void Consumed(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _outputEnd - _outputStart);
        _outputStart += count;
        if (_outputStart == _outputEnd) _outputStart = _outputEnd = 0;
    }

    /// <summary>Response body bytes accepted by <see cref="SendData"/> but waiting for flow-control window, all streams.</summary>
    public long QueuedBytes => _queuedBytes;

    /// <summary>A stream's body bytes waiting for window (0 for a closed stream): the caller's backpressure signal.</summary>
    public int QueuedBytesOf(int streamId) => _streams.TryGetValue(streamId, out var s) ? s.PendingLength : 0;

    /// <summary>Sends the response head: <c>:status</c> and <paramref name="fields"/>. False when the stream is gone or already answered.</summary>
    public bool SendHeaders(int streamId, int status, ReadOnlySpan<Http2HeaderField> fields, bool endStream)
    {
        if (!BeginHeaders(streamId, status)) return false;
        foreach (var f in fields) AddHeader(f.Name.Span, f.Value.Span);
        return EndHeaders(endStream);
    }

    /// <summary>
    /// Sends an interim (1xx) response head, e.g. 100 Continue, before the final one. False when the stream is gone or
    /// already answered.
    /// </summary>
    public bool SendInterim(int streamId, int status)
    {
        if (status is < 100 or > 199 || _error is not null || !_streams.TryGetValue(streamId, out var stream) || stream.HeadersSent || stream.EndQueued) return false;
        _headerBlock.Clear();
        HpackEncoder.WriteStatus(_headerBlock, status);
        WriteHeaderBlock(streamId, _headerBlock.Span, endStream: false);
        return true;
    }

    /// <summary>
    /// Starts a response head field by field (no array of fields needed): <see cref="AddHeader"/> each field, then
    /// <see cref="EndHeaders"/>. False when the stream is gone or already answered.
    /// </summary>
    public bool BeginHeaders(int streamId, int status)
    {
        _headerStream = 0;
        if (_error is not null || !_streams.TryGetValue(streamId, out var stream) || stream.HeadersSent || stream.EndQueued) return false;
        _headerStream = streamId;
        _headerBlock.Clear();
        HpackEncoder.WriteStatus(_headerBlock, status);
        return true;
    }

    private int _headerStream;

    /// <summary>Adds a response field to the head <see cref="BeginHeaders"/> started (the name is sent lower-cased).</summary>
    public void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_headerStream != 0) HpackEncoder.WriteField(_headerBlock, name, value);
    }

    /// <summary>Writes the head <see cref="BeginHeaders"/> started; <paramref name="endStream"/> ends the response (no body).</summary>
    public bool EndHeaders(bool endStream)
    {
        var streamId = _headerStream;
        _headerStream = 0;
        if (streamId == 0 || !_streams.TryGetValue(streamId, out var stream)) return false;
        WriteHeaderBlock(streamId, _headerBlock.Span, endStream);
        stream.HeadersSent = true;
        if (endStream) EndWritten(stream);
        return true;
    }

    /// <summary>
    /// Sends response body bytes: what the connection's and the stream's send windows allow goes out now, the rest is
    /// queued on the stream (see <see cref="QueuedBytesOf"/>) and sent as WINDOW_UPDATEs arrive. False when the
    /// stream is gone, not answered yet or already ended.
    /// </summary>
    public bool SendData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        if (_error is not null || !_streams.TryGetValue(streamId, out var stream) || !stream.HeadersSent || stream.EndQueued) return false;
        stream.EndQueued = endStream;
        if (stream.PendingLength == 0)
        {
            var now = (int)Math.Min(data.Length, Math.Min(stream.SendWindow, _connectionSendWindow));
            if (now < 0) now = 0;
            var done = now == data.Length;
            WriteData(stream, data[..now], endStream && done);
            if (done)
            {
                if (endStream) EndWritten(stream);
                return true;
            }
            data = data[now..];
        }
        stream.Queue(data);
        _queuedBytes += data.Length;
        if (!stream.Blocked)
        {
            stream.Blocked = true;
            _blocked.Add(stream);
        }
        return true;
    }

    /// <summary>Ends the response with trailers (sent after any queued data). False when the stream is gone or ended.</summary>
    public bool SendTrailers(int streamId, ReadOnlySpan<Http2HeaderField> fields)
    {
        if (_error is not null || !_streams.TryGetValue(streamId, out var stream) || !stream.HeadersSent || stream.EndQueued) return false;
        stream.EndQueued = true;
        _headerBlock.Clear();
        foreach (var f in fields) HpackEncoder.WriteField(_headerBlock, f.Name.Span, f.Value.Span);
        if (stream.PendingLength > 0)
        {
            stream.SetTrailers(_headerBlock.Span);
            return true;
        }
        WriteHeaderBlock(streamId, _headerBlock.Span, endStream: true);
        EndWritten(stream);
        return true;
    }

    /// <summary>Resets a stream (RST_STREAM with <paramref name="code"/>), dropping its queued data. False when it is gone.</summary>
    public bool Reset(int streamId, Http2ErrorCode code)
    {
        if (_error is not null || !_streams.TryGetValue(streamId, out var stream)) return false;
        WriteRstStream(streamId, code);
        Release(stream);
        return true;
    }

    private void EndWritten(Http2Stream stream)
    {
        stream.EndQueued = true;
        stream.EndWritten = true;
        CloseIfDone(stream);
    }

    // Sends what the windows allow of each blocked stream, in the order they blocked.
    private void FlushBlocked()
    {
        for (var i = 0; i < _blocked.Count && _connectionSendWindow > 0;)
        {
            var stream = _blocked[i];
            Flush(stream);
            if (i < _blocked.Count && _blocked[i] == stream) i++;
        }
    }

    private void Flush(Http2Stream stream)
    {
        var now = (int)Math.Min(stream.PendingLength, Math.Min(stream.SendWindow, _connectionSendWindow));
        if (now > 0)
        {
            var last = now == stream.PendingLength && stream.EndQueued && stream.TrailersLength < 0;
            WriteData(stream, stream.Pending[..now], last);
            stream.Dequeue(now);
            _queuedBytes -= now;
        }
        if (stream.PendingLength > 0) return;
        stream.Blocked = false;
        _blocked.Remove(stream);
        if (stream.TrailersLength >= 0)
        {
            WriteHeaderBlock(stream.Id, stream.Trailers, endStream: true);
            stream.TrailersLength = -1;
        }
        if (stream.EndQueued) EndWritten(stream);
    }

    // DATA frames of at most the peer's frame size; the windows were checked by the caller. An empty last frame
    // still carries END_STREAM.
    private void WriteData(Http2Stream stream, ReadOnlySpan<byte> data, bool endStream)
    {
        stream.SendWindow -= data.Length;
        _connectionSendWindow -= data.Length;
        do
        {
            var size = Math.Min(data.Length, _peerMaxFrameSize);
            var last = size == data.Length;
            if (data.IsEmpty && !endStream) return;
            WriteFrameHeader(size, Http2Frame.Data, last && endStream ? Http2Frame.EndStream : (byte)0, stream.Id);
            WriteBytes(data[..size]);
            data = data[size..];
        } while (!data.IsEmpty);
    }

    private void WriteHeaderBlock(int streamId, ReadOnlySpan<byte> block, bool endStream)
    {
        var first = Math.Min(block.Length, _peerMaxFrameSize);
        var flags = (byte)((endStream ? Http2Frame.EndStream : 0) | (first == block.Length ? Http2Frame.EndHeaders : 0));
        WriteFrameHeader(first, Http2Frame.Headers, flags, streamId);
        WriteBytes(block[..first]);
        block = block[first..];
        while (!block.IsEmpty)
        {
            var size = Math.Min(block.Length, _peerMaxFrameSize);
            WriteFrameHeader(size, Http2Frame.Continuation, size == block.Length ? Http2Frame.EndHeaders : (byte)0, streamId);
            WriteBytes(block[..size]);
            block = block[size..];
        }
    }

    private void WriteServerPreface()
    {
        Span<byte> settings = stackalloc byte[6 * 6];
        WriteSetting(settings, 0, Http2Frame.SettingsHeaderTableSize, (uint)_settings.HeaderTableSize);
        WriteSetting(settings, 1, Http2Frame.SettingsEnablePush, 0);
        WriteSetting(settings, 2, Http2Frame.SettingsMaxConcurrentStreams, (uint)_settings.MaxConcurrentStreams);
        WriteSetting(settings, 3, Http2Frame.SettingsInitialWindowSize, (uint)_settings.InitialWindowSize);
        WriteSetting(settings, 4, Http2Frame.SettingsMaxFrameSize, (uint)_settings.MaxFrameSize);
        WriteSetting(settings, 5, Http2Frame.SettingsMaxHeaderListSize, (uint)_settings.MaxHeaderListSize);
        WriteFrameHeader(settings.Length, Http2Frame.Settings, 0, 0);
        WriteBytes(settings);
        if (_settings.ConnectionWindowSize > Http2Frame.DefaultWindowSize)
        {
            var increment = _settings.ConnectionWindowSize - Http2Frame.DefaultWindowSize;
            _connectionReceiveWindow += increment;
            WriteWindowUpdate(0, increment);
        }
    }

    private static void WriteSetting(Span<byte> destination, int index, ushort id, uint value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination[(index * 6)..], id);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(index * 6 + 2)..], value);
    }

    private void WriteWindowUpdate(int streamId, int increment)
    {
        WriteFrameHeader(4, Http2Frame.WindowUpdate, 0, streamId);
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        WriteBytes(payload);
    }

    // The streams we reset most recently: frames the client sent on them before our RST_STREAM arrived are ignored.
    private readonly int[] _resetByUs = new int[64];
    private int _resetNext;

    private bool WasResetByUs(int streamId) => Array.IndexOf(_resetByUs, streamId) >= 0;

    private void WriteRstStream(int streamId, Http2ErrorCode code)
    {
        _resetByUs[_resetNext] = streamId;
        _resetNext = (_resetNext + 1) % _resetByUs.Length;
        WriteFrameHeader(4, Http2Frame.RstStream, 0, streamId);
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        WriteBytes(payload);
    }

    private void WriteGoAway(int lastStreamId, Http2ErrorCode code)
    {
        WriteFrameHeader(8, Http2Frame.GoAway, 0, 0);
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)code);
        WriteBytes(payload);
    }

    private void WriteFrameHeader(int length, byte type, byte flags, int streamId)
    {
        Reserve(Http2Frame.HeaderLength);
        Http2Frame.WriteHeader(_output.AsSpan(_outputEnd), length, type, flags, streamId);
        _outputEnd += Http2Frame.HeaderLength;
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_output.AsSpan(_outputEnd));
        _outputEnd += bytes.Length;
    }

    private void Reserve(int count)
    {
        if (_outputEnd + count <= _output.Length) return;
        var used = _outputEnd - _outputStart;
        if (used + count <= _output.Length / 2)
        {
            // Room at the front: slide what is pending there.
            _output.AsSpan(_outputStart, used).CopyTo(_output);
        }
        else
        {
            var bigger = new byte[Math.Max(_output.Length * 2, used + count)];
            _output.AsSpan(_outputStart, used).CopyTo(bigger);
            _output = bigger;
        }
        _outputStart = 0;
        _outputEnd = used;
    }
}
