namespace Causeway.DataPlane.Upstream;

/// <summary>
/// BackendTrafficPolicy <c>circuitBreaker.maxRequestsPerConnection</c> (above 1) on the Kestrel pipeline's HTTP/1.1
/// backend connections, which SocketsHttpHandler reuses without a count. Each forwarding attempt runs under its own
/// <see cref="Mark"/> (an <see cref="AsyncLocal{T}"/> the handler's calls inherit); the connection's stream counts the
/// marks that write on it. Once it carried its last request, a read under any other mark — the read-ahead with which the
/// handler checks an idle connection before lending it (or its idle scavenging) — ends at once, as a connection the
/// backend closed: the handler then drops it and opens a fresh one, without failing the request. Requests without a
/// mark (health checks, ext auth) are not counted. A connection the handler hands straight from a finished request to
/// one waiting for a connection skips that check: that request is served too (the count is exceeded only then).
/// </summary>
internal sealed class CountedStream(Stream inner, long max) : Stream
{
    private static readonly AsyncLocal<object?> Current = new();

    private object? _last;
    private long _requests;

    /// <summary>Starts a forwarding attempt's mark (kept until the calling async method returns).</summary>
    public static void Mark() => Current.Value = new object();

    /// <summary>For tests: requests counted on this connection.</summary>
    public long Requests => Volatile.Read(ref _requests);

    private bool Spent(object? mark) => _requests >= max && !ReferenceEquals(mark, _last);

    private void Count()
    {
        var mark = Current.Value;
        if (mark is null || ReferenceEquals(mark, _last)) return;
        // A connection handed straight to a waiting request is not checked by the handler first: that request is still
        // served (and counted), never failed; the connection is dropped at its next check.
        _last = mark;
        _requests++;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Spent(Current.Value) ? ValueTask.FromResult(0) : inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Spent(Current.Value) ? 0 : inner.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Count();
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Count();
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
