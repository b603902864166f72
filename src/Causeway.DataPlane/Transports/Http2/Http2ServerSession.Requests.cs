using Causeway.DataPlane.Transports.Http2.Hpack;

namespace Causeway.DataPlane.Transports.Http2;

// HEADERS, CONTINUATION and DATA: opening streams, header blocks, request bodies and our receive windows.
internal sealed partial class Http2ServerSession
{
    private void OnHeaders(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId == 0 || (streamId & 1) == 0) { ConnectionError(Http2ErrorCode.ProtocolError, "HEADERS on stream 0 or an even stream"); return; }
        if (!TryRemovePadding(flags, ref payload)) return;
        var selfDependent = false;
        if ((flags & Http2Frame.PriorityFlag) != 0)
        {
            if (payload.Length < 5) { ConnectionError(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority"); return; }
            selfDependent = (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue) == streamId;
            payload = payload[5..];
        }
        var endStream = (flags & Http2Frame.EndStream) != 0;
        if ((flags & Http2Frame.EndHeaders) != 0)
        {
            OnHeaderBlock(streamId, payload, endStream, selfDependent);
            return;
        }
        if (payload.Length > _settings.MaxHeaderBlockSize) { ConnectionError(Http2ErrorCode.EnhanceYourCalm, "header block too large"); return; }
        if (_block.Length < payload.Length) _block = new byte[Math.Max(payload.Length, _block.Length * 2)];
        payload.CopyTo(_block);
        _blockLength = payload.Length;
        _blockStream = streamId;
        _blockEndStream = endStream;
        _blockSelfDependent = selfDependent;
    }

    private void OnContinuation(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (_blockStream == 0 || streamId != _blockStream) { ConnectionError(Http2ErrorCode.ProtocolError, "CONTINUATION without its HEADERS"); return; }
        if (_blockLength + payload.Length > _settings.MaxHeaderBlockSize) { ConnectionError(Http2ErrorCode.EnhanceYourCalm, "header block too large"); return; }
        if (_block.Length < _blockLength + payload.Length) Array.Resize(ref _block, Math.Max(_blockLength + payload.Length, _block.Length * 2));
        payload.CopyTo(_block.AsSpan(_blockLength));
        _blockLength += payload.Length;
        if ((flags & Http2Frame.EndHeaders) == 0) return;
        _blockStream = 0;
        OnHeaderBlock(streamId, _block.AsSpan(0, _blockLength), _blockEndStream, _blockSelfDependent);
    }

    private void OnHeaderBlock(int streamId, ReadOnlySpan<byte> block, bool endStream, bool selfDependent)
    {
        _streams.TryGetValue(streamId, out var stream);
        var opening = stream is null;
        if (opening && streamId <= _lastStreamId)
        {
            // Decoded for HPACK's sake, then a connection error: below the newest stream id, an id that did not
            // increase (RFC 9113 5.1.1, PROTOCOL_ERROR); the newest stream itself, closed (5.1, STREAM_CLOSED).
            if (Decode(block, trailers: false) == HpackStatus.CompressionError) return;
            if (WasResetByUs(streamId)) return; // trailers the client sent before our RST_STREAM reached it: ignored
            if (streamId < _lastStreamId) ConnectionError(Http2ErrorCode.ProtocolError, "stream id not above the last one");
            else ConnectionError(Http2ErrorCode.StreamClosed, "HEADERS on a closed stream");
            return;
        }

        var status = Decode(block, trailers: !opening);
        if (status == HpackStatus.CompressionError) return;
        if (opening)
        {
            _lastStreamId = streamId;
            if (selfDependent) { WriteRstStream(streamId, Http2ErrorCode.ProtocolError); return; }
            if (_draining || _streams.Count >= _settings.MaxConcurrentStreams) { WriteRstStream(streamId, Http2ErrorCode.RefusedStream); return; }
            stream = Open(streamId);
            if (status == HpackStatus.HeaderListTooLarge)
            {
                // Answered here, as a server whose request head is too large answers: 431, then the stream ends.
                stream.RemoteEnded = endStream;
                SendHeaders(streamId, 431, [], endStream: true);
                if (!endStream) StreamError(streamId, Http2ErrorCode.NoError);
                return;
            }
            _fields.FinishRequest();
            if (_fields.Malformed is not null) { StreamError(streamId, Http2ErrorCode.ProtocolError); return; }
            stream.ContentLength = _fields.ContentLength;
            if (endStream && stream.ContentLength > 0) { StreamError(streamId, Http2ErrorCode.ProtocolError); return; }
            stream.Announced = true;
            _handler.OnRequestHeaders(streamId, new Http2RequestHeaders(_fields));
            if (endStream && stream.Id == streamId) EndRequest(stream);
            return;
        }

        // Trailers on an open stream (RFC 9113 8.1): they end the request.
        if (stream!.RemoteEnded) { StreamError(streamId, Http2ErrorCode.StreamClosed); return; }
        if (!endStream || status != HpackStatus.Ok || _fields.Malformed is not null) { StreamError(streamId, Http2ErrorCode.ProtocolError); return; }
        if (stream.ContentLength >= 0 && stream.ContentLength != stream.DataReceived) { StreamError(streamId, Http2ErrorCode.ProtocolError); return; }
        _handler.OnRequestTrailers(streamId, new Http2RequestHeaders(_fields));
        if (stream.Id == streamId) EndRequest(stream);
    }

    private HpackStatus Decode(ReadOnlySpan<byte> block, bool trailers)
    {
        _fields.Reset(trailers);
        var status = _decoder.Decode(block, _fields);
        if (status == HpackStatus.CompressionError) ConnectionError(Http2ErrorCode.CompressionError, "invalid HPACK block");
        return status;
    }

    // END_STREAM received: the stream becomes half-closed (remote) only now, after the events that carried the
    // request, so a handler that answered from those events still gets OnRequestEnd before the stream closes.
    private void EndRequest(Http2Stream stream)
    {
        stream.RemoteEnded = true;
        var id = stream.Id;
        _handler.OnRequestEnd(id);
        if (stream.Id == id) CloseIfDone(stream);
    }

    private void OnData(byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        if (streamId == 0) { ConnectionError(Http2ErrorCode.ProtocolError, "DATA on stream 0"); return; }
        var flowLength = payload.Length;
        if (!TryRemovePadding(flags, ref payload)) return;
        if (IsIdle(streamId)) { ConnectionError(Http2ErrorCode.ProtocolError, "DATA on an idle stream"); return; }
        if (flowLength > _connectionReceiveWindow) { ConnectionError(Http2ErrorCode.FlowControlError, "DATA beyond the connection window"); return; }
        _connectionReceiveWindow -= flowLength;

        if (!_streams.TryGetValue(streamId, out var stream) || stream.RemoteEnded)
        {
            // Closed or half-closed (remote): STREAM_CLOSED, unless we reset it ourselves (the client sent these before
            // our RST_STREAM reached it: ignored, RFC 9113 section 5.4.2); the bytes still count against the connection.
            AcknowledgeConnection(flowLength);
            if (stream is null && WasResetByUs(streamId)) return;
            StreamError(streamId, Http2ErrorCode.StreamClosed);
            return;
        }
        if (flowLength > stream.ReceiveWindow)
        {
            AcknowledgeConnection(flowLength);
            StreamError(streamId, Http2ErrorCode.FlowControlError);
            return;
        }
        stream.ReceiveWindow -= flowLength;
        var padding = flowLength - payload.Length;
        if (padding > 0) AcknowledgeData(streamId, padding); // the handler never sees padding: credit it now

        stream.DataReceived += payload.Length;
        var endStream = (flags & Http2Frame.EndStream) != 0;
        if (stream.ContentLength >= 0 && (stream.DataReceived > stream.ContentLength || (endStream && stream.DataReceived != stream.ContentLength)))
        {
            AcknowledgeConnection(payload.Length);
            StreamError(streamId, Http2ErrorCode.ProtocolError);
            return;
        }
        if (!payload.IsEmpty) _handler.OnRequestData(streamId, payload);
        if (endStream && stream.Id == streamId) EndRequest(stream);
    }

    /// <summary>
    /// Tells the session the handler consumed <paramref name="bytes"/> of a stream's request body: the connection's
    /// and the stream's receive windows open again (WINDOW_UPDATE once half a window is owed).
    /// </summary>
    public void AcknowledgeData(int streamId, int bytes)
    {
        if (bytes <= 0 || _error is not null) return;
        AcknowledgeConnection(bytes);
        if (!_streams.TryGetValue(streamId, out var stream) || stream.RemoteEnded) return;
        stream.ReceiveUnacknowledged += bytes;
        if (stream.ReceiveUnacknowledged < _settings.InitialWindowSize / 2) return;
        stream.ReceiveWindow += stream.ReceiveUnacknowledged;
        WriteWindowUpdate(streamId, stream.ReceiveUnacknowledged);
        stream.ReceiveUnacknowledged = 0;
    }

    private void AcknowledgeConnection(int bytes)
    {
        _connectionUnacknowledged += bytes;
        if (_connectionUnacknowledged < _settings.ConnectionWindowSize / 2) return;
        _connectionReceiveWindow += _connectionUnacknowledged;
        WriteWindowUpdate(0, _connectionUnacknowledged);
        _connectionUnacknowledged = 0;
    }

    private bool TryRemovePadding(byte flags, ref ReadOnlySpan<byte> payload)
    {
        if ((flags & Http2Frame.Padded) == 0) return true;
        if (payload.IsEmpty || payload[0] >= payload.Length)
        {
            ConnectionError(Http2ErrorCode.ProtocolError, "padding as long as the payload");
            return false;
        }
        payload = payload.Slice(1, payload.Length - 1 - payload[0]);
        return true;
    }
}
