using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Causeway.DataPlane.Policies.ClientTraffic.Connection;

/// <summary>
/// <c>timeout.http.requestReceivedTimeout</c> over a request body the Kestrel pipeline streams (YARP, request
/// buffering, retries, mirrors all read <see cref="HttpRequest.Body"/>, which this wraps): when the deadline passes
/// before the body's end was read, the pending read is cancelled and every read fails with
/// <see cref="RequestNotReceivedException"/>, so that the handler answers Envoy's 408 (<see cref="ClientConnectionPolicy.RequestTimeout"/>).
/// Disarmed once the body's end is read; made only for requests that may have a body on ports with the timeout.
/// </summary>
internal sealed class RequestBodyDeadline : Stream
{
    private const int Running = 0, Complete = 1, Expired = 2;
    private readonly Stream _inner;
    private readonly PipeReader _reader;
    private readonly ITimer _timer;
    private int _state;

    private RequestBodyDeadline(Stream inner, PipeReader reader, TimeSpan left)
    {
        _inner = inner;
        _reader = reader;
        _timer = TimeProvider.System.CreateTimer(static s => ((RequestBodyDeadline)s!).Expire(), this, left, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Bounds the body of <paramref name="context"/>'s request by what is left of <paramref name="received"/> since
    /// <paramref name="start"/> (a Stopwatch timestamp); null when the request has no body.
    /// </summary>
    public static RequestBodyDeadline? Arm(HttpContext context, TimeSpan received, long start)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }) return null;
        var request = context.Request;
        var left = received - System.Diagnostics.Stopwatch.GetElapsedTime(start);
        var deadline = new RequestBodyDeadline(request.Body, request.BodyReader, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        request.Body = deadline;
        context.Response.RegisterForDispose(deadline);
        return deadline;
    }

    /// <summary>The deadline passed before the body's end was read.</summary>
    public bool TimedOut => Volatile.Read(ref _state) == Expired;

    private void Expire()
    {
        if (Interlocked.CompareExchange(ref _state, Expired, Running) == Running) _reader.CancelPendingRead();
    }

    private int Finish(int n, int asked)
    {
        if (TimedOut) throw new RequestNotReceivedException();
        if (n == 0 && asked > 0 && Interlocked.CompareExchange(ref _state, Complete, Running) == Running) _timer.Dispose();
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TimedOut) throw new RequestNotReceivedException();
        int n;
        try
        {
            n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (TimedOut)
        {
            throw new RequestNotReceivedException();
        }
        return Finish(n, buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TimedOut) throw new RequestNotReceivedException();
        int n;
        try
        {
            n = _inner.Read(buffer);
        }
        catch (Exception) when (TimedOut)
        {
            throw new RequestNotReceivedException();
        }
        return Finish(n, buffer.Length);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Interlocked.CompareExchange(ref _state, Complete, Running);
            _timer.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A request body read failed because <c>requestReceivedTimeout</c> passed (the answer is Envoy's 408).</summary>
internal sealed class RequestNotReceivedException() : IOException("request not received within the ClientTrafficPolicy's requestReceivedTimeout");
