using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// A connection the event loop hands to Kestrel: Kestrel's own socket connection over the same descriptor, whose input
/// yields the bytes the loop already read before anything read since.
/// </summary>
internal sealed class HandOffConnection : ConnectionContext
{
    private readonly ConnectionContext _inner;

    public HandOffConnection(ConnectionContext inner, byte[] prefix)
    {
        _inner = inner;
        Transport = new DuplexPipe(new PrefixedPipeReader(prefix, inner.Transport.Input), inner.Transport.Output);
    }

    public override IDuplexPipe Transport { get; set; }

    /// <summary>TLS the loop terminated: the transport carries plaintext, Kestrel's HTTPS middleware is skipped.</summary>
    public bool Decrypted { get; init; }

    public override string ConnectionId
    {
        get => _inner.ConnectionId;
        set => _inner.ConnectionId = value;
    }

    public override IFeatureCollection Features => _inner.Features;

    public override IDictionary<object, object?> Items
    {
        get => _inner.Items;
        set => _inner.Items = value;
    }

    public override CancellationToken ConnectionClosed
    {
        get => _inner.ConnectionClosed;
        set => _inner.ConnectionClosed = value;
    }

    public override EndPoint? LocalEndPoint
    {
        get => _inner.LocalEndPoint;
        set => _inner.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => _inner.RemoteEndPoint;
        set => _inner.RemoteEndPoint = value;
    }

    public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);

    public override void Abort() => _inner.Abort();

    public override ValueTask DisposeAsync() => _inner.DisposeAsync();

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}

/// <summary>
/// A reader that yields <c>prefix</c> first and then what <c>inner</c> yields. While prefix bytes are unconsumed,
/// reads return one contiguous buffer (the rest of the prefix, plus whatever the inner reader had when more was
/// needed, copied behind it); once the prefix is consumed, calls go straight to the inner reader.
/// </summary>
internal sealed class PrefixedPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _needMore;
    private bool _innerCompleted;

    public PrefixedPipeReader(byte[] prefix, PipeReader inner)
    {
        _inner = inner;
        if (prefix.Length > 0)
        {
            _buffer = prefix;
            _end = prefix.Length;
        }
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_buffer is null) return await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (_needMore && !_innerCompleted)
        {
            var r = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (r.IsCanceled) return new ReadResult(Current, isCanceled: true, isCompleted: false);
            Append(r.Buffer);
            _inner.AdvanceTo(r.Buffer.End);
            _innerCompleted = r.IsCompleted;
            _needMore = false;
        }
        return new ReadResult(Current, isCanceled: false, isCompleted: _innerCompleted);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_buffer is null) return _inner.TryRead(out result);
        if (_needMore && !_innerCompleted)
        {
            if (!_inner.TryRead(out var r) || r.IsCanceled)
            {
                result = default;
                return false;
            }
            Append(r.Buffer);
            _inner.AdvanceTo(r.Buffer.End);
            _innerCompleted = r.IsCompleted;
            _needMore = false;
        }
        result = new ReadResult(Current, isCanceled: false, isCompleted: _innerCompleted);
        return true;
    }

    private ReadOnlySequence<byte> Current => new(_buffer!, _start, _end - _start);

    private void Append(ReadOnlySequence<byte> more)
    {
        var length = _end - _start + (int)more.Length;
        var next = new byte[length];
        _buffer.AsSpan(_start, _end - _start).CopyTo(next);
        more.CopyTo(next.AsSpan(_end - _start));
        _buffer = next;
        _start = 0;
        _end = length;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_buffer is null)
        {
            _inner.AdvanceTo(consumed, examined);
            return;
        }
        var consumedAt = consumed.GetInteger();
        var examinedAt = examined.GetInteger();
        _needMore = examinedAt >= _end;
        _start = consumedAt;
        if (_start < _end) return;
        _buffer = null; // all of it consumed: from here on, the inner reader
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);
}
