namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// The client side a <see cref="LoopUpstream"/> answers: an HTTP/1.1 client connection of the loop
/// (<see cref="LoopConnection"/>, bytes as they go on the wire) or one HTTP/2 stream of a loop connection
/// (<see cref="Http2.EventLoop.LoopH2Stream"/>, frames). The upstream decides everything about the backend (connect,
/// send, retries, timeouts, the response's framing); the client only writes what it is given and says when it can take
/// more. All calls happen on the loop thread.
/// </summary>
internal interface IUpstreamClient
{
    /// <summary>When the upstream's next deadline is (Environment.TickCount64 ms, 0: none); the client calls <see cref="LoopUpstream.OnDeadline"/> then.</summary>
    void SetDeadline(long deadline);

    /// <summary>Chunked response bodies are given decoded (data and trailers) rather than as their wire bytes.</summary>
    bool DecodesChunks { get; }

    /// <summary>The final response head is parsed in the exchange's <see cref="Http1Exchange.ResponseHead"/>: write it.</summary>
    void ResponseHead();

    /// <summary>
    /// Response body bytes: payload, or (chunked, <see cref="DecodesChunks"/> false) the chunked wire bytes as the
    /// backend sent them. A close-delimited body comes as payload.
    /// </summary>
    void ResponseBody(ReadOnlySpan<byte> bytes);

    /// <summary>The trailer field lines ("name: value\r\n") of a chunked body (only with <see cref="DecodesChunks"/>).</summary>
    void ResponseTrailers(ReadOnlySpan<byte> lines);

    /// <summary>Pushes what was written towards the client: true when it took it all (the backend may be read on).</summary>
    bool Flush();

    /// <summary>The response is complete (the backend connection was released): finish it for the client.</summary>
    void ResponseEnd();

    /// <summary>An answer of the gateway's own (no response byte went to the client yet).</summary>
    void Reply(LocalReply reply);

    /// <summary>The exchange cannot go on (the response was cut after it started): end it for the client as broken.</summary>
    void Abort(string reason);

    /// <summary>The gateway address the client connected to (the destination of a PROXY header to a backend).</summary>
    System.Net.EndPoint? LocalAddress { get; }

    /// <summary>The idle backend connection kept for this client connection (proxyProtocol backends), if any.</summary>
    LoopBackend? Kept { get; set; }

    /// <summary>
    /// Request body bytes to send after the forwarded head, from <paramref name="offset"/> (counted from the body's
    /// start); <paramref name="complete"/> says whether the body ends with them. A client whose body travels inside
    /// the forwarded head returns none and complete.
    /// </summary>
    ReadOnlySpan<byte> RequestBody(long offset, out bool complete);

    /// <summary>The backend took the request body up to <paramref name="offset"/> (flow control may open).</summary>
    void RequestBodySent(long offset);

    /// <summary>The whole request can be sent again (a retry): every byte of it is still held.</summary>
    bool Replayable { get; }
}
