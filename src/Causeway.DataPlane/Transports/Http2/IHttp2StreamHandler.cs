namespace Causeway.DataPlane.Transports.Http2;

/// <summary>
/// The events of a <see cref="Http2ServerSession"/>, raised during <see cref="Http2ServerSession.Receive"/> on the
/// caller's thread. A handler may call the session's Send*, <see cref="Http2ServerSession.Reset"/> and
/// <see cref="Http2ServerSession.AcknowledgeData"/> from inside them, but not Receive.
/// </summary>
internal interface IHttp2StreamHandler
{
    /// <summary>A request's header block is complete and valid. <paramref name="headers"/> is valid during the call only.</summary>
    void OnRequestHeaders(int streamId, in Http2RequestHeaders headers);

    /// <summary>
    /// Request body bytes (padding removed), valid during the call only. Call
    /// <see cref="Http2ServerSession.AcknowledgeData"/> when they are consumed, or the client runs out of window.
    /// </summary>
    void OnRequestData(int streamId, ReadOnlySpan<byte> data);

    /// <summary>The request's trailers (regular fields only), valid during the call only.</summary>
    void OnRequestTrailers(int streamId, in Http2RequestHeaders trailers);

    /// <summary>The request is complete (END_STREAM received); no more events for its body.</summary>
    void OnRequestEnd(int streamId);

    /// <summary>
    /// A stream the handler knows is gone before both sides ended it: reset by the client (<paramref name="byPeer"/>)
    /// or by the session for a stream error it found (flow control, content-length).
    /// </summary>
    void OnStreamReset(int streamId, Http2ErrorCode code, bool byPeer);

    /// <summary>The client sent GOAWAY: it opens no stream above <paramref name="lastStreamId"/>.</summary>
    void OnGoAway(int lastStreamId, Http2ErrorCode code);

    /// <summary>The session found a connection error and queued GOAWAY with <paramref name="code"/>; every stream is gone.</summary>
    void OnConnectionError(Http2ErrorCode code, string reason);
}
