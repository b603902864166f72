namespace Causeway.DataPlane.Transports.Http2;

/// <summary>
/// What <see cref="Http2ServerSession.Receive"/> did: the bytes it consumed (whole frames; keep the rest and pass it
/// again with more) and, when the connection failed, the error it sent in its GOAWAY.
/// </summary>
internal readonly record struct Http2ReceiveResult(int Consumed, Http2ErrorCode? Error)
{
    /// <summary>True when the connection failed: send <see cref="Http2ServerSession.PendingOutput"/>, then close.</summary>
    public bool Failed => Error is not null;
}
