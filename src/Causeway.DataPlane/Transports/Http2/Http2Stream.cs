namespace Causeway.DataPlane.Transports.Http2;

/// <summary>
/// One stream's state inside a <see cref="Http2ServerSession"/>; pooled and reused (its buffers stay allocated).
/// Open until both sides ended it: the client by END_STREAM (<see cref="RemoteEnded"/>), we by writing END_STREAM
/// (<see cref="EndWritten"/>, which waits for the data and trailers still queued by flow control).
/// </summary>
internal sealed class Http2Stream
{
    public int Id;
    public bool RemoteEnded;      // END_STREAM received
    public bool Announced;        // the handler got OnRequestHeaders
    public bool HeadersSent;      // our response HEADERS went out
    public bool EndQueued;        // the caller ended its side (END_STREAM sent or queued)
    public bool EndWritten;       // END_STREAM written to the output
    public bool Blocked;          // in the session's list of streams with queued data
    public long SendWindow;
    public int ReceiveWindow;
    public int ReceiveUnacknowledged;
    public long ContentLength;
    public long DataReceived;

    // Data waiting for window: _pending[_pendingStart.._pendingEnd].
    private byte[] _pending = [];
    private int _pendingStart, _pendingEnd;

    // Trailers encoded while data was still queued (HPACK block, sent after the data).
    private byte[] _trailers = [];
    public int TrailersLength = -1;

    public int PendingLength => _pendingEnd - _pendingStart;
    public ReadOnlySpan<byte> Pending => _pending.AsSpan(_pendingStart, PendingLength);
    public ReadOnlySpan<byte> Trailers => _trailers.AsSpan(0, TrailersLength);

    public void Start(int id, long sendWindow, int receiveWindow)
    {
        Id = id;
        RemoteEnded = Announced = HeadersSent = EndQueued = EndWritten = Blocked = false;
        SendWindow = sendWindow;
        ReceiveWindow = receiveWindow;
        ReceiveUnacknowledged = 0;
        ContentLength = -1;
        DataReceived = 0;
        _pendingStart = _pendingEnd = 0;
        TrailersLength = -1;
    }

    /// <summary>Marks the stream free (so late callbacks on a stale reference see Id 0).</summary>
    public void Clear()
    {
        Id = 0;
        _pendingStart = _pendingEnd = 0;
        TrailersLength = -1;
    }

    public void Queue(ReadOnlySpan<byte> data)
    {
        if (_pendingStart > 0 && _pendingEnd + data.Length > _pending.Length)
        {
            _pending.AsSpan(_pendingStart, PendingLength).CopyTo(_pending);
            _pendingEnd -= _pendingStart;
            _pendingStart = 0;
        }
        if (_pendingEnd + data.Length > _pending.Length)
            Array.Resize(ref _pending, Math.Max(Math.Max(_pending.Length * 2, 4096), _pendingEnd + data.Length));
        data.CopyTo(_pending.AsSpan(_pendingEnd));
        _pendingEnd += data.Length;
    }

    public void Dequeue(int count)
    {
        _pendingStart += count;
        if (_pendingStart == _pendingEnd) _pendingStart = _pendingEnd = 0;
    }

    public void SetTrailers(ReadOnlySpan<byte> block)
    {
        if (_trailers.Length < block.Length) _trailers = new byte[Math.Max(block.Length, 256)];
        block.CopyTo(_trailers);
        TrailersLength = block.Length;
    }
}
