namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// The client side of the connection's <see cref="LoopUpstream"/>: the response goes out as HTTP/1.1 bytes
/// (<see cref="Http1Exchange.Response"/>), a chunked body as the backend framed it, a close-delimited one re-chunked;
/// the next request is read once the response is out. An HTTP/1.0 client gets a body without a length decoded and
/// close-delimited, and the connection closes after it.
/// </summary>
internal sealed partial class LoopConnection : IUpstreamClient
{
    private LoopBackend? _kept;
    private System.Net.EndPoint? _localAddress;

    void IUpstreamClient.SetDeadline(long deadline) => Deadline = deadline;

    bool IUpstreamClient.DecodesChunks => _x.Head.Http10;

    void IUpstreamClient.ResponseHead()
    {
        if (_x.BodyClosesConnection) _closeRequested = true;
        _x.WriteResponseHead(_x.Head.ConnectionClose || _closeRequested);
    }

    void IUpstreamClient.ResponseBody(ReadOnlySpan<byte> bytes)
    {
        var o = _x.Response;
        if (!_x.RechunksBody)
        {
            o.Append(bytes);
            return;
        }
        // Close-delimited: one chunk per read.
        o.AppendHex(bytes.Length);
        o.Append("\r\n"u8);
        o.Append(bytes);
        o.Append("\r\n"u8);
    }

    void IUpstreamClient.ResponseTrailers(ReadOnlySpan<byte> lines)
    {
    }

    bool IUpstreamClient.Flush() => FlushClient();

    void IUpstreamClient.ResponseEnd()
    {
        if (_x.RechunksBody) _x.Response.Append("0\r\n\r\n"u8);
        _state = State.Flushing;
        Deadline = Loop.Now + (long)Options.BackendActivityTimeout.TotalMilliseconds;
        if (FlushClient()) AfterResponse();
    }

    void IUpstreamClient.Reply(LocalReply reply) => Reply(reply);

    void IUpstreamClient.Abort(string reason) => Abort(reason);

    System.Net.EndPoint? IUpstreamClient.LocalAddress => _localAddress ??= Native.LocalEndPoint(Fd);

    LoopBackend? IUpstreamClient.Kept
    {
        get => _kept;
        set => _kept = value;
    }

    ReadOnlySpan<byte> IUpstreamClient.RequestBody(long offset, out bool complete)
    {
        complete = true; // the buffered body went with the head (BuildForward)
        return default;
    }

    void IUpstreamClient.RequestBodySent(long offset)
    {
    }

    bool IUpstreamClient.Replayable => true;

    /// <summary>Closes the connection kept for this client connection (it is closing or leaving the loop).</summary>
    private void DropKept()
    {
        _kept?.Close();
        _kept = null;
    }

    /// <summary>Writes a reply of the gateway's own and goes on to the next request once it is out.</summary>
    private void Reply(LocalReply reply)
    {
        _x.WriteReply(reply, _x.Head.ConnectionClose || _closeRequested);
        _outSent = 0;
        _state = State.Flushing;
        Deadline = Loop.Now + (long)Options.BackendActivityTimeout.TotalMilliseconds;
        if (FlushClient()) AfterResponse();
    }

    public override void OnDeadline()
    {
        Deadline = 0;
        switch (_state)
        {
            case State.Upstream:
                _up.OnDeadline();
                return;
            case State.Hello or State.Handshake:
                HandshakeFailed("the TLS handshake did not complete in time");
                return;
            case State.Bridged:
                return;
            case State.Http2:
                _h2!.OnDeadline();
                return;
            case State.Head when _len == 0:
                Close(); // keep-alive timeout
                return;
            case State.Head when _listener.Port.Current.Connection is { HeadMs: > 0 }:
                RequestTimedOut();
                return;
            case State.Head:
                HandOff("request head not complete in time");
                return;
            case State.Deciding when _receivedDeadline != 0 && Loop.Now >= _receivedDeadline:
                RequestTimedOut();
                return;
            default:
                Abort("no progress within the backend activity timeout");
                return;
        }
    }
}
