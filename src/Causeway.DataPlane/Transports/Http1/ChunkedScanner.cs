namespace Causeway.DataPlane.Transports.Http1;

/// <summary>
/// Finds the end of a chunked body while it is relayed verbatim: chunk sizes (with extensions), data, CRLFs, the last
/// chunk and trailer lines. Strict: anything else throws <see cref="BackendProtocolException"/>.
/// </summary>
internal struct ChunkedScanner
{
    private enum State { Size, Extension, SizeLf, Data, DataCr, DataLf, TrailerStart, Trailer, TrailerLf, FinalLf, Done }

    private State _state;
    private long _size;
    private int _digits;

    public readonly bool IsDone => _state == State.Done;

    public void Reset()
    {
        _state = State.Size;
        _size = 0;
        _digits = 0;
    }

    /// <summary>
    /// Throws <see cref="BackendProtocolException"/> when the body bytes that came with the response head are already
    /// malformed, so that the relay answers 502 before sending the head on (as the full pipeline does).
    /// </summary>
    public static void Probe(System.Buffers.ReadOnlySequence<byte> first)
    {
        var probe = default(ChunkedScanner);
        foreach (var segment in first)
        {
            probe.Scan(segment.Span);
            if (probe.IsDone) return;
        }
    }

    /// <summary>Scans <paramref name="span"/>; returns how many bytes belong to the body (all, or up to its end).</summary>
    public int Scan(ReadOnlySpan<byte> span) => Scan(span, stopAfterData: false, null, out _);

    /// <summary>
    /// Decoding: scans <paramref name="span"/> up to the end of the first run of chunk data in it (or all of it, or
    /// the body's end); returns how many bytes were consumed, the last <paramref name="data"/> of which are payload.
    /// Trailer field lines ("name: value\r\n") are appended to <paramref name="trailers"/> when given.
    /// </summary>
    public int ScanData(ReadOnlySpan<byte> span, ByteBuilder? trailers, out int data) => Scan(span, stopAfterData: true, trailers, out data);

    private int Scan(ReadOnlySpan<byte> span, bool stopAfterData, ByteBuilder? trailers, out int data)
    {
        var i = 0;
        data = 0;
        while (i < span.Length && _state != State.Done)
        {
            if (_state == State.Data)
            {
                var take = (int)Math.Min(_size, span.Length - i);
                i += take;
                _size -= take;
                if (_size == 0) _state = State.DataCr;
                if (stopAfterData)
                {
                    data = take;
                    return i;
                }
                continue;
            }
            var b = span[i++];
            if (trailers is not null && _state is State.TrailerStart or State.Trailer or State.TrailerLf && !(_state == State.TrailerStart && b == '\r'))
                trailers.Append(b);
            switch (_state)
            {
                case State.Size:
                    var h = HexValue(b);
                    if (h >= 0)
                    {
                        if (++_digits > 15) throw new BackendProtocolException("chunk size too large");
                        _size = _size * 16 + h;
                    }
                    else if (_digits > 0 && b == ';') _state = State.Extension;
                    else if (_digits > 0 && b == '\r') _state = State.SizeLf;
                    else if (_digits > 0 && b is (byte)' ' or (byte)'\t') _state = State.Extension;
                    else throw new BackendProtocolException("malformed chunk size");
                    break;
                case State.Extension:
                    if (b == '\r') _state = State.SizeLf;
                    else if (b == '\n' || (b < 0x20 && b != '\t')) throw new BackendProtocolException("malformed chunk extension");
                    break;
                case State.SizeLf:
                    if (b != '\n') throw new BackendProtocolException("malformed chunk line");
                    _state = _size == 0 ? State.TrailerStart : State.Data;
                    _digits = 0;
                    break;
                case State.DataCr:
                    if (b != '\r') throw new BackendProtocolException("chunk data longer than its size");
                    _state = State.DataLf;
                    break;
                case State.DataLf:
                    if (b != '\n') throw new BackendProtocolException("malformed chunk end");
                    _state = State.Size;
                    break;
                case State.TrailerStart:
                    _state = b == '\r' ? State.FinalLf : State.Trailer;
                    break;
                case State.Trailer:
                    if (b == '\r') _state = State.TrailerLf;
                    else if (b == '\n') throw new BackendProtocolException("malformed trailer");
                    break;
                case State.TrailerLf:
                    if (b != '\n') throw new BackendProtocolException("malformed trailer");
                    _state = State.TrailerStart;
                    break;
                case State.FinalLf:
                    if (b != '\n') throw new BackendProtocolException("malformed last chunk");
                    _state = State.Done;
                    break;
            }
        }
        return i;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
