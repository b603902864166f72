namespace Causeway.DataPlane.Policies.Bandwidth;

/// <summary>
/// A request body read through a <see cref="BandwidthBucket"/>: each read returns at most the bucket's chunk and, when
/// the bucket is in debt, returns only after the wait, so the body reaches the backend no faster than the limit.
/// Seeking goes to the inner stream (a buffered body is rewound for a retry).
/// </summary>
internal sealed class PacedReadStream(Stream inner, BandwidthBucket bucket) : Stream
{
    public Stream Inner => inner;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer.Length > bucket.Chunk ? buffer[..bucket.Chunk] : buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            var wait = bucket.Take(n);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// A response body written through a <see cref="BandwidthBucket"/>: written in chunks, each after the wait the bucket
/// asks for, so the client receives the backend's body no faster than the limit.
/// </summary>
internal sealed class PacedWriteStream(Stream inner, BandwidthBucket bucket) : Stream
{
    public Stream Inner => inner;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var n = Math.Min(buffer.Length, bucket.Chunk);
            var wait = bucket.Take(n);
            if (wait > TimeSpan.Zero)
            {
                // What is already written reaches the client before the pause.
                await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            await inner.WriteAsync(buffer[..n], cancellationToken).ConfigureAwait(false);
            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
