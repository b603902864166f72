using Causeway.DataPlane.Transports.Http1;
using Causeway.DataPlane.Transports.Http1.EventLoop;

namespace Causeway.DataPlane.Transports.Http2.EventLoop;

/// <summary>
/// One HTTP/2 request on a loop connection, served as the byte transports serve an HTTP/1.1 request: its HEADERS are
/// written as an HTTP/1.1 head into a per-stream <see cref="Http1Exchange"/> (duplicate fields joined, cookies with
/// "; "), so routing, the plan's decisions, request steps, the forwarded head, metrics, the access log and tracing are
/// that exchange's own code, and its <see cref="LoopUpstream"/> talks to the backend exactly as for an HTTP/1.1 client.
/// The response head and the gateway's own replies are written by the exchange as HTTP/1.1 and translated into
/// HEADERS (<see cref="H2ResponseWriter"/>); body bytes go out as DATA, a chunked body decoded, its trailers as
/// trailers. The request body streams to the backend as it arrives (Content-Length when the client sent one, else
/// chunked), acknowledged to the client as the backend takes it. Pooled per connection.
/// </summary>
internal sealed class LoopH2Stream : IUpstreamClient
{
    /// <summary>Request body bytes held for a retry; beyond this, sent bytes are dropped and the request cannot be replayed.</summary>
    private const int ReplayLimit = 64 * 1024;

    /// <summary>A stream whose response data waits for this many bytes of window stops reading its backend.</summary>
    internal const int QueueBound = 64 * 1024;

    private readonly LoopH2Connection _connection;
    private readonly ByteBuilder _body = new();
    private long _bodyBase;
    private long _bodyReceived;
    private int _unacknowledged;
    private bool _replayable;
    private bool _chunked;
    private bool _headEnded;

    public LoopH2Stream(LoopH2Connection connection, Http1Exchange exchange)
    {
        _connection = connection;
        X = exchange;
        Upstream = new LoopUpstream(connection.Loop, exchange, this);
    }

    public Http1Exchange X { get; }
    public LoopUpstream Upstream { get; }
    public int Id { get; private set; }

    /// <summary>Changes whenever the stream object starts another request (a decision completing late is dropped).</summary>
    public int Generation { get; private set; }

    /// <summary>Bytes of the synthesised head in the exchange's head buffer (its final empty line not yet written).</summary>
    public int HeadLength { get; set; }

    /// <summary>END_STREAM arrived: the request body is complete.</summary>
    public bool RequestEnded { get; private set; }

    /// <summary>The request was routed and is being served (until <see cref="LoopH2Connection.Finish"/>).</summary>
    public bool Started { get; set; }

    /// <summary>Waiting for a decision of another service (ext auth, Redis).</summary>
    public bool Deciding { get; set; }

    /// <summary>The response or the stream's end went to the session.</summary>
    public bool Answered { get; private set; }

    /// <summary>The upstream stopped reading the backend until the client takes the queued data.</summary>
    public bool Paused
    {
        get => _paused;
        set
        {
            if (_paused == value) return;
            _paused = value;
            _connection.PausedStreams += value ? 1 : -1;
        }
    }

    private bool _paused;

    public long Deadline { get; set; }

    /// <summary>When the whole request must have arrived (ClientTrafficPolicy <c>requestReceivedTimeout</c>); 0: no limit.</summary>
    public long ReceivedDeadline { get; set; }

    /// <summary>
    /// The route buffers requests (<c>requestBuffer</c>): the upstream starts once the whole body is here, and a body
    /// over <see cref="BufferLimit"/> is answered 413.
    /// </summary>
    public bool AwaitingBody { get; set; }
    public long BufferLimit { get; set; }

    /// <summary>The client asked for 100 Continue before sending its body (not answered yet).</summary>
    public bool ExpectContinue { get; set; }

    /// <summary>The request named no authority (neither <c>:authority</c> nor Host).</summary>
    public bool MissingAuthority { get; set; }

    /// <summary>The client's Content-Length, or -1.</summary>
    public long ContentLength { get; set; }

    public void Begin(int id)
    {
        Id = id;
        Generation++;
        _body.Clear();
        _bodyBase = 0;
        _bodyReceived = 0;
        _unacknowledged = 0;
        _replayable = true;
        _chunked = false;
        _headEnded = false;
        RequestEnded = false;
        Started = false;
        Deciding = false;
        Answered = false;
        Paused = false;
        Deadline = 0;
        ContentLength = -1;
        HeadLength = 0;
        _sentInBuffer = 0;
        ReceivedDeadline = 0;
        ExpectContinue = false;
        AwaitingBody = false;
        BufferLimit = 0;
    }

    /// <summary>Request DATA from the client: held until the backend takes it (acknowledged while little is held).</summary>
    public void OnData(ReadOnlySpan<byte> data)
    {
        _bodyReceived += data.Length;
        if (_chunked) AppendChunk(data);
        else _body.Append(data);
        _unacknowledged += data.Length;
        AcknowledgeWhileSmall();
        if (Started && !Deciding && !AwaitingBody) Upstream.RequestBodyArrived();
    }

    public void OnEnd()
    {
        RequestEnded = true;
        if (_chunked) _body.Append("0\r\n\r\n"u8);
        if (Started && !Deciding && !AwaitingBody) Upstream.RequestBodyArrived();
    }

    /// <summary>
    /// The request will be forwarded with a body of unknown length: re-frame what arrived so far as one chunk; what
    /// follows is framed as it arrives.
    /// </summary>
    public void UseChunkedBody()
    {
        _chunked = true;
        var held = _body.Span.ToArray();
        _body.Clear();
        if (held.Length > 0) AppendChunk(held);
        if (RequestEnded) _body.Append("0\r\n\r\n"u8);
    }

    /// <summary>Bytes of body received so far (payload, before any chunk framing).</summary>
    public long BodyReceived => _bodyReceived;

    /// <summary>One chunk of a chunked request body: size line, bytes, CRLF.</summary>
    private void AppendChunk(ReadOnlySpan<byte> data)
    {
        _body.AppendHex(data.Length);
        _body.Append("\r\n"u8);
        _body.Append(data);
        _body.Append("\r\n"u8);
    }

    /// <summary>Opens the client's window for what it sent while at most a window's worth waits for the backend.</summary>
    private void AcknowledgeWhileSmall()
    {
        if (_unacknowledged == 0 || (!AwaitingBody && _body.Length - Math.Max(0, _sentInBuffer) > QueueBound)) return;
        _connection.Session.AcknowledgeData(Id, _unacknowledged);
        _unacknowledged = 0;
    }

    private int _sentInBuffer;

    /// <summary>A request that is not forwarded (answered, reset): its body is read and dropped.</summary>
    public void DropBody()
    {
        if (_unacknowledged > 0) _connection.Session.AcknowledgeData(Id, _unacknowledged);
        _unacknowledged = 0;
    }

    // IUpstreamClient: what the upstream asks of the client side.

    void IUpstreamClient.SetDeadline(long deadline)
    {
        Deadline = deadline;
        _connection.StreamDeadline(deadline);
    }

    bool IUpstreamClient.DecodesChunks => true;

    void IUpstreamClient.ResponseHead()
    {
        X.WriteResponseHead(close: false);
        var h = X.ResponseHead;
        var noBody = h.Framing == BodyFraming.None || (h.Framing == BodyFraming.Length && h.ContentLength == 0);
        H2ResponseWriter.Head(_connection.Session, Id, X.Response.Span, endStream: noBody);
        _bodyLeft = h.Framing == BodyFraming.Length ? h.ContentLength : -1;
        X.BytesSent += X.Response.Length;
        X.Response.Clear();
        _headEnded = noBody;
        Answered = true;
    }

    private long _bodyLeft;

    void IUpstreamClient.ResponseBody(ReadOnlySpan<byte> bytes)
    {
        // The last bytes of a body of known length carry END_STREAM themselves (no empty DATA frame after them).
        var last = _bodyLeft >= 0 && (_bodyLeft -= bytes.Length) == 0;
        _connection.Session.SendData(Id, bytes, endStream: last);
        if (last) _headEnded = true;
        X.BytesSent += bytes.Length;
    }

    void IUpstreamClient.ResponseTrailers(ReadOnlySpan<byte> lines)
    {
        if (H2ResponseWriter.Trailers(_connection.Session, Id, lines)) _headEnded = true;
    }

    bool IUpstreamClient.Flush()
    {
        _connection.FlushSoon();
        if (_connection.Session.QueuedBytesOf(Id) <= QueueBound && !_connection.OutputBackedUp) return true;
        Paused = true;
        return false;
    }

    void IUpstreamClient.ResponseEnd()
    {
        if (!_headEnded) _connection.Session.SendData(Id, default, endStream: true);
        _headEnded = true;
        _connection.Finish(this, aborted: false);
    }

    void IUpstreamClient.Reply(LocalReply reply) => Reply(reply);

    /// <summary>Answers with a reply of the gateway's own (translated from the exchange's HTTP/1.1 bytes).</summary>
    public void Reply(LocalReply reply)
    {
        X.WriteReply(reply, close: false);
        H2ResponseWriter.Reply(_connection.Session, Id, X.Response.Span);
        X.BytesSent += X.Response.Length;
        X.Response.Clear();
        Answered = true;
        _headEnded = true;
        _connection.Finish(this, aborted: false);
    }

    void IUpstreamClient.Abort(string reason)
    {
        _connection.Loop.Owner.LogAborted(reason);
        _connection.Session.Reset(Id, Http2ErrorCode.InternalError);
        _connection.Finish(this, aborted: true);
    }

    System.Net.EndPoint? IUpstreamClient.LocalAddress => _connection.LocalAddress;

    LoopBackend? IUpstreamClient.Kept
    {
        get => _connection.Kept;
        set => _connection.Kept = value;
    }

    ReadOnlySpan<byte> IUpstreamClient.RequestBody(long offset, out bool complete)
    {
        var start = (int)(offset - _bodyBase);
        complete = RequestEnded && start == _body.Length;
        return _body.Span[start..];
    }

    void IUpstreamClient.RequestBodySent(long offset)
    {
        _sentInBuffer = (int)(offset - _bodyBase);
        if (_body.Length > ReplayLimit && _sentInBuffer > 0)
        {
            // Too much to hold for a retry: what the backend has is let go.
            _replayable = false;
            _body.RemoveStart(_sentInBuffer);
            _bodyBase = offset;
            _sentInBuffer = 0;
        }
        AcknowledgeWhileSmall();
    }

    bool IUpstreamClient.Replayable => _replayable;
}
