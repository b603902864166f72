using System.Text;
using Causeway.DataPlane.Transports.Http1;
using Causeway.DataPlane.Transports.Http1.EventLoop;

namespace Causeway.DataPlane.Transports.Http2.EventLoop;

/// <summary>
/// HTTP/2 served by the event loop: a client connection of the loop (TLS it terminated with ALPN h2, or cleartext
/// prior knowledge) whose bytes drive an <see cref="Http2ServerSession"/>, each stream a <see cref="LoopH2Stream"/>
/// with its own exchange and upstream. Everything happens on the loop thread, like HTTP/1.1: no thread-pool hop per
/// stream. Only ports whose every route the loop serves get here (<see cref="Compile.CompiledPort.ServesH2OnLoop"/>);
/// a request that would need the Kestrel pipeline anyway is refused (RST_STREAM REFUSED_STREAM, which clients retry)
/// and the connection drained, and the port's next connections go to Kestrel until the next apply.
/// </summary>
internal sealed class LoopH2Connection : IHttp2StreamHandler
{
    private const int OutputBound = 256 * 1024;

    private readonly LoopConnection _client;
    private readonly Http1FastPath _owner;
    private readonly Dictionary<int, LoopH2Stream> _streams = new();
    private readonly List<LoopH2Stream> _active = new();
    private readonly Stack<LoopH2Stream> _pool = new();
    private readonly List<LoopH2Stream> _starting = new();
    private LoopH2Stream[] _scratch = new LoopH2Stream[16];
    private readonly byte[] _in;
    private int _inLength;
    private bool _closed;

    public LoopH2Connection(LoopConnection client, Http2Settings settings)
    {
        _client = client;
        _owner = client.Loop.Owner;
        Session = new Http2ServerSession(this, settings);
        _in = new byte[settings.MaxFrameSize + Http2Frame.HeaderLength + 4096];
    }

    public Loop Loop => _client.Loop;
    public Http2ServerSession Session { get; }
    public System.Net.EndPoint? LocalAddress => _client.LocalAddressForH2;
    public LoopBackend? Kept { get; set; }

    /// <summary>The session holds more output than the client took: streams stop reading their backends.</summary>
    public bool OutputBackedUp => Session.PendingOutput.Length > OutputBound;

    /// <summary>HTTP/2 settings for a port: its ClientTrafficPolicy <c>http2</c> values, else the defaults.</summary>
    public static Http2Settings SettingsFor(Compile.CompiledPort port)
    {
        var ir = port.Ir.Connection;
        return new Http2Settings
        {
            MaxConcurrentStreams = ir?.Http2MaxConcurrentStreams ?? 100,
            InitialWindowSize = (int)Math.Clamp(ir?.Http2InitialStreamWindowSize ?? Http2Frame.DefaultWindowSize, Http2Frame.DefaultWindowSize, int.MaxValue),
            ConnectionWindowSize = (int)Math.Clamp(ir?.Http2InitialConnectionWindowSize ?? 1024 * 1024, Http2Frame.DefaultWindowSize, int.MaxValue),
        };
    }

    /// <summary>Bytes the client sent before the connection became HTTP/2 (the preface read as a request head, or with the TLS Finished).</summary>
    public void Start(ReadOnlySpan<byte> initial)
    {
        initial.CopyTo(_in);
        _inLength = initial.Length;
        if (_inLength > 0) Process();
        OnEvents();
    }

    /// <summary>The client's socket is readable or writable: read and process frames, write what is queued.</summary>
    public void OnEvents()
    {
        if (_closed) return;
        FlushOutput();
        ResumePaused();
        while (!_closed && !OutputBackedUp && _client.ClientReadableForH2)
        {
            var n = _client.ReceiveForH2(_in.AsSpan(_inLength));
            if (n == -1) break;
            if (n is 0 or -2)
            {
                _client.Abort(n == 0 ? "the HTTP/2 client closed the connection" : "HTTP/2 client connection reset");
                return;
            }
            _inLength += n;
            Process();
        }
        if (!_closed) Settle();
    }

    /// <summary>Feeds the buffered bytes to the session, then starts the requests they completed.</summary>
    private void Process()
    {
        _inReceive = true;
        Http2ReceiveResult result;
        try
        {
            result = Session.Receive(_in.AsSpan(0, _inLength));
        }
        finally
        {
            _inReceive = false;
        }
        var rest = _inLength - result.Consumed;
        if (rest > 0 && result.Consumed > 0) _in.AsSpan(result.Consumed, rest).CopyTo(_in);
        _inLength = rest;
        _inReceive = true; // requests answered at once are flushed together below
        try
        {
            StartRequests();
        }
        finally
        {
            _inReceive = false;
        }
        ResumePaused();
        FlushOutput();
    }

    /// <summary>
    /// The tail of every piece of work on the connection (the client's events, a backend's answer, a decision, a
    /// deadline): what is queued goes out, paused streams go on, a failed or drained session closes, and a connection
    /// left without streams starts its idle timeout (a stream that starts disarms it).
    /// </summary>
    private void Settle()
    {
        FlushOutput();
        ResumePaused();
        if (Session.IsFailed || Session.IsDrained)
        {
            _client.Close();
            return;
        }
        if (_active.Count > 0) _idleArmed = false;
        else if (!_idleArmed) ArmIdle();
    }

    /// <summary>Writes the session's output to the client (through TLS when the loop terminates it) while it takes it.</summary>
    public void FlushOutput()
    {
        while (true)
        {
            var output = Session.PendingOutput;
            if (output.IsEmpty) return;
            var n = _client.SendForH2(output);
            if (n == -2) throw _client.ClientGoneWhile("writing HTTP/2 frames");
            if (n <= 0) return;
            Session.Consumed(n);
        }
    }

    /// <summary>Streams that stopped reading their backend go on once the client took enough.</summary>
    /// <summary>Streams waiting for the client to take their output (<see cref="LoopH2Stream.Paused"/>).</summary>
    public int PausedStreams { get; set; }

    private void ResumePaused()
    {
        if (OutputBackedUp || PausedStreams == 0) return;
        foreach (var s in Snapshot())
        {
            if (!s.Paused || !ReferenceEquals(Current(s.Id), s) || Session.QueuedBytesOf(s.Id) > LoopH2Stream.QueueBound) continue;
            s.Paused = false;
            s.Upstream.Resume();
            if (OutputBackedUp) return;
        }
    }

    private ReadOnlySpan<LoopH2Stream> Snapshot()
    {
        if (_scratch.Length < _active.Count) _scratch = new LoopH2Stream[_active.Count * 2];
        _active.CopyTo(_scratch);
        return _scratch.AsSpan(0, _active.Count);
    }

    private LoopH2Stream? Current(int id) => _streams.TryGetValue(id, out var s) ? s : null;

    // The session's events (raised inside Receive).

    void IHttp2StreamHandler.OnRequestHeaders(int streamId, in Http2RequestHeaders headers)
    {
        var s = _pool.Count > 0 ? _pool.Pop() : NewStream();
        s.Begin(streamId);
        _streams[streamId] = s;
        _active.Add(s);
        WriteHead(s, headers);
        _starting.Add(s);
        if (_client.Listener.Port.Current.Connection is { } policy)
        {
            if (policy.RequestReceivedMs > 0)
            {
                s.ReceivedDeadline = Loop.Now + policy.RequestReceivedMs;
                StreamDeadline(s.ReceivedDeadline);
            }
            // The connection's last request (count or age): GOAWAY names this stream last; the client opens the next elsewhere.
            if (policy.CloseAfter(++_served, _client.OpenedAt, Loop.Now)) Session.Drain();
        }
    }

    void IHttp2StreamHandler.OnRequestData(int streamId, ReadOnlySpan<byte> data)
    {
        if (Current(streamId) is not { Answered: false } s)
        {
            Session.AcknowledgeData(streamId, data.Length); // answered already (or gone): read and dropped
            return;
        }
        s.OnData(data);
        if (s.AwaitingBody && s.BodyReceived > s.BufferLimit)
        {
            s.AwaitingBody = false;
            s.Reply(Policies.RequestBuffer.RequestBufferStep.Reply());
        }
    }

    void IHttp2StreamHandler.OnRequestTrailers(int streamId, in Http2RequestHeaders trailers)
    {
        // Request trailers are not forwarded to HTTP/1.1 backends (gRPC routes are never served here).
    }

    void IHttp2StreamHandler.OnRequestEnd(int streamId)
    {
        if (Current(streamId) is not { } s) return;
        s.OnEnd();
        if (!s.AwaitingBody) return;
        s.AwaitingBody = false; // the whole body is here: forward it
        s.Upstream.Start();
    }

    void IHttp2StreamHandler.OnStreamReset(int streamId, Http2ErrorCode code, bool byPeer)
    {
        if (Current(streamId) is not { } s) return;
        s.Upstream.Cancel();
        if (byPeer) _owner.LogAborted($"the HTTP/2 client reset stream {streamId} ({code})");
        Release(s, completed: s.Started || s.Deciding, aborted: true);
    }

    void IHttp2StreamHandler.OnGoAway(int lastStreamId, Http2ErrorCode code)
    {
        Session.Drain(); // the client opens nothing new: close once the open streams are done
    }

    void IHttp2StreamHandler.OnConnectionError(Http2ErrorCode code, string reason)
    {
        _owner.LogAborted($"HTTP/2 connection error {code}: {reason}");
        CancelAll();
    }

    private LoopH2Stream NewStream()
    {
        var l = _client.Listener;
        var x = new Http1Exchange(_owner, TransportSet.EventLoop, tls: l.Tls, sni: _client.Sni,
            localPort: (l.EndPoint as System.Net.IPEndPoint)?.Port ?? 0, headBufferSize: 1024)
        {
            RemoteEndPoint = _client.RemoteEndPoint,
            LocalEndPoint = l.EndPoint,
            Fingerprints = _client.Fingerprints,
            Peer = _client.Peer,
            Http2 = true,
        };
        x.Policy.SetClient(_client.ClientAddress, _client.ClientIp);
        return new LoopH2Stream(this, x);
    }

    /// <summary>
    /// The request's HEADERS as an HTTP/1.1 head: request line, Host from <c>:authority</c> (or the host field), then
    /// the fields, a name sent more than once joined into one line (cookies with "; ", others with ", ") as RFC 9113
    /// section 8.2.3 asks of a gateway to HTTP/1.1. The final empty line is written when the request starts.
    /// </summary>
    private static void WriteHead(LoopH2Stream s, in Http2RequestHeaders h)
    {
        var x = s.X;
        var o = new HeadWriter(x);
        o.Append(h.Method);
        o.Append(" "u8);
        o.Append(h.Path);
        o.Append(" HTTP/1.1\r\nHost: "u8);
        var authority = h.Authority;
        if (authority.IsEmpty) h.TryGetValue("host"u8, out authority);
        s.MissingAuthority = authority.IsEmpty; // a request without one is malformed (400), not refused
        o.Append(authority);
        o.Append("\r\n"u8);
        var count = h.Count;
        for (var i = 0; i < count; i++)
        {
            var name = h.Name(i);
            if (name.SequenceEqual("host"u8)) continue;
            if (name.SequenceEqual("expect"u8) && System.Text.Ascii.EqualsIgnoreCase(h.Value(i), "100-continue"u8))
            {
                s.ExpectContinue = true; // answered by the loop (100 Continue), as Envoy does, not forwarded
                continue;
            }
            var seen = false;
            for (var j = 0; j < i && !seen; j++) seen = h.Name(j).SequenceEqual(name);
            if (seen) continue;
            o.Append(name);
            o.Append(": "u8);
            o.Append(h.Value(i));
            var separator = name.SequenceEqual("cookie"u8) ? "; "u8 : ", "u8;
            for (var j = i + 1; j < count; j++)
            {
                if (!h.Name(j).SequenceEqual(name)) continue;
                o.Append(separator);
                o.Append(h.Value(j));
            }
            o.Append("\r\n"u8);
        }
        s.ContentLength = h.ContentLength;
        s.HeadLength = o.Length;
    }

    /// <summary>Appends to an exchange's head buffer, growing it.</summary>
    private struct HeadWriter(Http1Exchange x)
    {
        public int Length;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            x.EnsureHeadBuffer(Length + bytes.Length, Length);
            bytes.CopyTo(x.HeadBuffer.AsSpan(Length));
            Length += bytes.Length;
        }
    }

    /// <summary>Routes and starts the requests whose HEADERS the last frames completed (their END_STREAM is known by now).</summary>
    /// <summary>
    /// A request starts once its body is complete or at least the loop's buffer size (the port's
    /// <c>connection.bufferLimit</c>, else 64 KiB) arrived: a small body then always travels with a Content-Length,
    /// which the route's decisions (a request buffer's limit) read, and only a large unsized one streams chunked.
    /// </summary>
    private void StartRequests()
    {
        if (_starting.Count == 0) return;
        var port = _client.Listener.Port.Current;
        var ready = Policies.ClientTraffic.Connection.ClientConnectionPolicy.MaxBufferedBodyOr(port.Connection, 64 * 1024);
        var kept = 0;
        for (var i = 0; i < _starting.Count; i++)
        {
            var s = _starting[i];
            if (!ReferenceEquals(Current(s.Id), s) || s.Started || s.Answered) continue; // reset or answered meanwhile
            if (s.ExpectContinue)
            {
                s.ExpectContinue = false;
                if (!s.RequestEnded) Session.SendInterim(s.Id, 100);
            }
            if (!s.RequestEnded && s.ContentLength < 0 && s.BodyReceived < ready)
            {
                _starting[kept++] = s; // waits for more of its body
                continue;
            }
            StartRequest(s);
        }
        _starting.RemoveRange(kept, _starting.Count - kept);
    }

    /// <summary>Writes the head's last lines (a Content-Length for a body that is all here) and parses it.</summary>
    private HeadStatus FinishHead(LoopH2Stream s, out bool chunked)
    {
        var x = s.X;
        var o = new HeadWriter(x) { Length = s.HeadLength };
        chunked = false;
        if (s.ContentLength < 0)
        {
            if (s.RequestEnded)
            {
                if (s.BodyReceived > 0)
                {
                    o.Append("Content-Length: "u8);
                    Span<byte> digits = stackalloc byte[20];
                    s.BodyReceived.TryFormat(digits, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
                    o.Append(digits[..n]);
                    o.Append("\r\n"u8);
                }
            }
            else chunked = true;
        }
        o.Append("\r\n"u8);
        var port = _client.Listener.Port.Current;
        var limit = Policies.ClientTraffic.Connection.ClientConnectionPolicy.MaxRequestHeadersOr(port.Connection, _client.Loop.Options.MaxRequestHeadersTotalSize);
        return x.Head.Parse(x.HeadBuffer.AsSpan(0, o.Length), Math.Max(limit, o.Length));
    }

    private void StartRequest(LoopH2Stream s)
    {
        var x = s.X;
        var status = FinishHead(s, out var chunked);
        var port = _client.Listener.Port.Current;
        if (status == HeadStatus.Reject || (status != HeadStatus.Ok && s.MissingAuthority))
        {
            x.ResetForRequest();
            _owner.CountLoopRequest();
            s.Started = true;
            s.Reply(LocalReply.Empty(400));
            return;
        }
        if (status != HeadStatus.Ok)
        {
            Refuse(s, "a request the loop's HTTP/1.1 head rules do not take (Kestrel serves it)");
            return;
        }
        if (chunked) s.UseChunkedBody();
        s.Started = true;
        Proceed(s, x.Route(port));
    }

    private void Proceed(LoopH2Stream s, Http1Decision decision)
    {
        var x = s.X;
        switch (decision)
        {
            case Http1Decision.HandOff:
                Refuse(s, x.HandOffReason!);
                return;
            case Http1Decision.Pending:
                AwaitDecision(s);
                return;
            case Http1Decision.Reply:
                _owner.CountLoopRequest();
                s.Reply(x.Reply!);
                return;
        }
        x.BuildForwardedHead(_client.ClientIp);
        if (s.ContentLength < 0 && !s.RequestEnded)
        {
            x.Forward.Truncate(x.Forward.Length - 2);
            x.Forward.Append("Transfer-Encoding: chunked\r\n\r\n"u8);
        }
        if (!s.RequestEnded && x.Plan?.RequestBufferLimit is { } bufferLimit)
        {
            // requestBuffer: the backend gets the request once all of it is here (413 past the limit).
            if (s.BodyReceived > bufferLimit)
            {
                s.Reply(Policies.RequestBuffer.RequestBufferStep.Reply());
                return;
            }
            s.AwaitingBody = true;
            s.BufferLimit = bufferLimit;
            s.DropBody(); // acknowledged: the client's window must not stop a body the limit allows
            return;
        }
        s.Upstream.Start();
    }

    /// <summary>
    /// Parks the stream while a decision waits on another service; the outcome comes back through
    /// <see cref="Loop.Post"/> and is dropped if the stream ended meanwhile.
    /// </summary>
    private void AwaitDecision(LoopH2Stream s)
    {
        s.Deciding = true;
        s.Deadline = Loop.Now + (long)Loop.Options.BackendActivityTimeout.TotalMilliseconds;
        StreamDeadline(s.Deadline);
        var generation = s.Generation;
        var awaiter = s.X.Policy.TakePending().ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted)
        {
            Decided(s, generation, awaiter.GetResult());
            return;
        }
        awaiter.OnCompleted(() =>
        {
            var outcome = awaiter.GetResult();
            Loop.Post(() =>
            {
                Decided(s, generation, outcome);
                if (!_closed) Settle();
            });
        });
    }

    private void Decided(LoopH2Stream s, int generation, DecideOutcome outcome)
    {
        if (s.Generation != generation || !s.Deciding || _closed) return;
        s.Deciding = false;
        s.Deadline = 0;
        Proceed(s, s.X.Resume(outcome));
    }

    /// <summary>A request only Kestrel serves: REFUSED_STREAM (the client may retry it), the connection drained, the port's h2 left to Kestrel.</summary>
    private void Refuse(LoopH2Stream s, string reason)
    {
        _client.Listener.Port.Current.RefuseH2OnLoop();
        _client.Listener.CountHandOff($"HTTP/2 stream refused: {reason}");
        Session.Reset(s.Id, Http2ErrorCode.RefusedStream);
        Release(s, completed: false, aborted: false);
        Session.Drain();
    }

    /// <summary>
    /// The stream's exchange ended (answered, cut or reset): counted, the stream object pooled, and its last frames
    /// written (the end of a response often comes from a backend's event, with no client event to flush it).
    /// </summary>
    public void Finish(LoopH2Stream s, bool aborted)
    {
        Release(s, completed: true, aborted);
        if (_inReceive || _closed) return; // the caller flushes after processing
        FlushSoon();
    }

    private bool _flushDeferred;

    /// <summary>
    /// Frames written outside the client's own events (a backend answered) go out once this wake-up's events are
    /// handled, so the responses of many backends share TLS records and sends.
    /// </summary>
    public void FlushSoon()
    {
        if (_flushDeferred) return;
        _flushDeferred = true;
        Loop.Defer(_client);
    }

    public void OnDeferred()
    {
        _flushDeferred = false;
        if (!_closed) Settle();
    }

    private bool _inReceive;

    private void Release(LoopH2Stream s, bool completed, bool aborted)
    {
        if (!ReferenceEquals(Current(s.Id), s)) return;
        if (completed) _owner.Completed(TransportSet.EventLoop, s.X, aborted);
        // A complete response to a request still being sent: RST_STREAM NO_ERROR asks the client to stop sending it
        // (RFC 9113 section 8.1), once nothing of the response waits for window.
        if (completed && !aborted && !s.RequestEnded && Session.QueuedBytesOf(s.Id) == 0) Session.Reset(s.Id, Http2ErrorCode.NoError);
        s.DropBody();
        _streams.Remove(s.Id);
        _active.Remove(s);
        s.Deciding = false;
        s.Begin(0);
        _pool.Push(s);
    }

    /// <summary>A stream's upstream set a deadline: the connection's is the earliest of them.</summary>
    public void StreamDeadline(long deadline)
    {
        if (deadline != 0 && (_client.Deadline == 0 || deadline < _client.Deadline)) _client.Deadline = deadline;
    }

    /// <summary>The connection's deadline passed: the streams whose deadline it was, or the idle timeout.</summary>
    public void OnDeadline()
    {
        var now = Loop.Now;
        foreach (var s in Snapshot())
        {
            if (!ReferenceEquals(Current(s.Id), s)) continue;
            if (s.ReceivedDeadline != 0 && s.ReceivedDeadline <= now && (s.Deciding || !s.RequestEnded) && !s.Upstream.ClientStarted)
            {
                RequestTimedOut(s);
                continue;
            }
            if (s.Deadline == 0 || s.Deadline > now) continue;
            s.Deadline = 0;
            if (s.Deciding)
            {
                Session.Reset(s.Id, Http2ErrorCode.Cancel);
                Release(s, completed: true, aborted: true);
            }
            else if (s.Started) s.Upstream.OnDeadline();
        }
        if (_closed) return;
        long next = 0;
        foreach (var s in _active)
        {
            if (s.Deadline != 0 && (next == 0 || s.Deadline < next)) next = s.Deadline;
            if (s.ReceivedDeadline != 0 && (next == 0 || s.ReceivedDeadline < next)) next = s.ReceivedDeadline;
        }
        _client.Deadline = next;
        if (_active.Count == 0 && _idleArmed && _idleAt <= now)
        {
            Session.Drain(); // idle: GOAWAY, then close
            _idleArmed = false;
        }
        else if (_active.Count == 0) _idleArmed = false; // armed again by Settle, from now
        Settle();
    }

    /// <summary>The request did not arrive whole in time (<c>requestReceivedTimeout</c>): Envoy's 408, as on every transport.</summary>
    private void RequestTimedOut(LoopH2Stream s)
    {
        _owner.LogAborted("request not received within the ClientTrafficPolicy timeout");
        s.Upstream.Cancel();
        s.Deciding = false;
        s.AwaitingBody = false;
        if (!s.Started)
        {
            FinishHead(s, out _);
            s.Started = true;
        }
        s.X.ResetForRequest();
        _owner.CountLoopRequest();
        s.Reply(Policies.ClientTraffic.Connection.ClientConnectionPolicy.RequestTimeout);
    }

    private long _served;
    private bool _idleArmed;
    private long _idleAt;

    private void ArmIdle()
    {
        var idle = Policies.ClientTraffic.Connection.ClientConnectionPolicy.IdleMs(_client.Listener.Port.Current.Connection, Loop.Options.KeepAliveTimeout);
        if (idle == 0) return;
        _idleArmed = true;
        _idleAt = Loop.Now + idle;
        _client.Deadline = _idleAt;
    }

    /// <summary>Graceful stop: GOAWAY; the open streams finish, then the connection closes.</summary>
    public void Drain()
    {
        Session.Drain();
        FlushOutput();
        if (Session.IsDrained) _client.Close();
    }

    /// <summary>The connection is closing: every exchange still open ends as aborted.</summary>
    public void Close()
    {
        if (_closed) return;
        CancelAll();
        _closed = true;
        Kept?.Close();
        Kept = null;
    }

    private void CancelAll()
    {
        foreach (var s in Snapshot())
        {
            if (!ReferenceEquals(Current(s.Id), s)) continue;
            s.Upstream.Cancel();
            Release(s, completed: s.Started || s.Deciding, aborted: true);
        }
        _starting.Clear();
    }
}
