using Causeway.DataPlane.Policies.ClientTraffic.Connection;
using Causeway.DataPlane.Transports.ProxyProtocol;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// A client connection served by the event loop: reads request heads into the exchange's head buffer, relays
/// eligible requests whose body (if any) is already buffered, and hands the connection, unconsumed bytes and all, to
/// Kestrel (where the connection-level fast path and then the full pipeline take it) the first time a request is
/// anything else. Nothing is read from the client while a request is in flight (like nginx: readiness is remembered
/// and acted on once the response is out), so a pipelined request waits its turn in the kernel.
/// </summary>
internal sealed partial class LoopConnection : LoopSocket
{
    /// <summary>Request bodies up to this size are buffered and relayed by the loop; larger ones are handed off.</summary>
    private const int MaxBufferedBody = 64 * 1024;

    private enum State { Head, Deciding, Upstream, Flushing, Closed, Hello, Handshake, Bridged, Http2 }

    private readonly LoopListener _listener;
    private readonly Http1FastPath _owner;
    private readonly Http1Exchange _x;
    private readonly LoopUpstream _up;
    private byte[]? _clientIp;
    private ProxyProtocolIr? _proxyHeader;
    private bool _proxied;
    private State _state = State.Head;
    private int _len;
    private int _requestLength;
    private long _partialSince;
    private bool _inHead;
    private bool _closeRequested;
    private int _outSent;
    private readonly long _opened;
    private long _served;
    private long _requestStart;
    private long _receivedDeadline;

    public LoopConnection(Loop loop, LoopListener listener, int fd, byte[]? clientIp, System.Net.EndPoint? remote = null) : base(loop, fd)
    {
        _listener = listener;
        _owner = loop.Owner;
        _clientIp = clientIp;
        _x = new Http1Exchange(_owner, TransportSet.EventLoop, tls: listener.Tls, sni: null,
            localPort: (listener.EndPoint as System.Net.IPEndPoint)?.Port ?? 0, headBufferSize: 4096)
        {
            RemoteEndPoint = remote,
            LocalEndPoint = listener.EndPoint,
        };
        _x.Head.AcceptsHttp10 = true; // this transport frames responses for HTTP/1.0 clients (LoopConnection.Upstream)
        _x.Policy.SetClient(null, clientIp);
        _up = new LoopUpstream(loop, _x, this);
        _proxyHeader = listener.Port.Current.Ir.Connection?.ProxyProtocol;
        _opened = loop.Now;
        if (listener.Tls)
        {
            _state = State.Hello;
            Deadline = loop.Now + (long)loop.Options.TlsHandshakeTimeout.TotalMilliseconds;
        }
        else ArmIdleDeadline(listener.Port.Current.Connection);
    }

    public LoopListener Listener => _listener;
    private DataPlaneOptions Options => Loop.Options;

    public override void OnEvents(uint events)
    {
        NoteReadiness(events);
        if (_state == State.Head)
        {
            if (_tls is not null && Writable && CipherPending) FlushCipher();
            ReadHead();
            return;
        }
        if (_state >= State.Hello)
        {
            if (_state == State.Http2) _h2!.OnEvents();
            else if (_state == State.Bridged) PumpBridge();
            else OnTlsStart();
            return;
        }
        if ((events & (Native.EpollHup | Native.EpollErr)) != 0)
        {
            Abort("client connection reset");
            return;
        }
        if (_state == State.Deciding && (events & Native.EpollRdHup) != 0)
        {
            // Nothing has gone upstream yet: a client that closed while its request waited is not served (as nginx
            // does without proxy_ignore_client_abort).
            Abort("client closed the connection while its request waited on a decision");
            return;
        }
        if ((_outSent < _x.Response.Length || CipherPending) && Writable) ContinueFlush();
    }

    /// <summary>Graceful stop: an idle connection closes now, a busy one after its current response.</summary>
    public void RequestClose()
    {
        _closeRequested = true;
        if (_state == State.Http2) _h2!.Drain();
        else if (_state == State.Head && _len == 0 && !_inHead) Close();
        else if (_state is State.Hello or State.Handshake) HandshakeFailed("the port is stopping"); // no request yet
    }

    /// <summary>Reads and starts requests until one is in flight, the socket is drained, or the connection ends.</summary>
    private void ReadHead()
    {
        if (_inHead) return;
        _inHead = true;
        try
        {
            while (_state == State.Head)
            {
                if (_len > 0 && StartBuffered()) continue;
                if (_state != State.Head) return;
                if (_closeRequested && _len == 0)
                {
                    Close();
                    return;
                }
                if (!ClientReadable)
                {
                    ArmHeadDeadline();
                    return;
                }
                if (!ReceiveHead()) return;
            }
        }
        finally
        {
            _inHead = false;
        }
    }

    /// <summary>One recv into the head buffer; false when the connection ended.</summary>
    private bool ReceiveHead()
    {
        var limit = ClientConnectionPolicy.MaxRequestHeadersOr(_listener.Port.Current.Connection, Options.MaxRequestHeadersTotalSize)
            + ClientConnectionPolicy.MaxBufferedBodyOr(_listener.Port.Current.Connection, MaxBufferedBody);
        if (_len == _x.HeadBuffer.Length) _x.EnsureHeadBuffer(Math.Min(_len * 2, limit), _len);
        var n = ReceiveClient(_x.HeadBuffer.AsSpan(_len));
        if (n > 0) _len += n;
        if (n is 0 or -2)
        {
            Close(); // the client is done (a partial head goes nowhere: there is no one left to answer)
            return false;
        }
        return true;
    }

    private void ArmHeadDeadline()
    {
        var policy = _listener.Port.Current.Connection;
        if (_len == 0)
        {
            _partialSince = 0;
            ArmIdleDeadline(policy);
            return;
        }
        if (_partialSince == 0) _partialSince = Loop.Now;
        // The buffered body waits as long. A ClientTrafficPolicy's head timeout is answered here (408); without one, a
        // slow head goes on to Kestrel, which applies its own header timeout.
        Deadline = _partialSince + (policy is { HeadMs: > 0 } ? policy.HeadMs : (long)_owner.PartialHeadWait.TotalMilliseconds);
    }

    /// <summary>
    /// Waiting for a request: the idle (keep-alive) timeout. A connection past its allowed age is not closed here: as
    /// in Envoy (HTTP/1 without <c>disableSafeMaxConnectionDuration</c>), its next request's response closes it.
    /// </summary>
    private void ArmIdleDeadline(ClientConnectionPolicy? policy)
    {
        var idle = ClientConnectionPolicy.IdleMs(policy, Options.KeepAliveTimeout);
        Deadline = idle == 0 ? 0 : Loop.Now + idle;
    }

    /// <summary>The request was not received in time (ClientTrafficPolicy timeouts): Envoy's 408, then close.</summary>
    private void RequestTimedOut()
    {
        _owner.LogAborted("request not received within the ClientTrafficPolicy timeout");
        _closeRequested = true;
        if (_state == State.Head)
        {
            _x.ResetForRequest();
            _requestLength = _len;
        }
        _decision++; // a decision still pending is dropped when it completes
        _owner.CountLoopRequest();
        Reply(ClientConnectionPolicy.RequestTimeout);
    }

    /// <summary>
    /// Looks at the buffered bytes: starts the request (true, state moves on), hands off (true, state Closed), or
    /// needs more bytes (false).
    /// </summary>
    private bool StartBuffered()
    {
        if (_proxyHeader is not null && !ReadProxyHeader()) return _state == State.Closed;
        if (_tls is null && StartsWithPreface() && ServesH2)
        {
            if (_len < Transports.Http2.Http2Frame.Preface.Length) return false;
            StartHttp2(_x.HeadBuffer.AsSpan(0, _len));
            _len = 0;
            return true;
        }
        var limit = ClientConnectionPolicy.MaxRequestHeadersOr(_listener.Port.Current.Connection, Options.MaxRequestHeadersTotalSize);
        var head = _x.Head;
        var status = head.Parse(_x.HeadBuffer.AsSpan(0, _len), limit);
        if (status == HeadStatus.Incomplete)
        {
            if (_len < limit) return false;
            status = HeadStatus.HandOff;
        }
        if (status == HeadStatus.Reject)
        {
            // A head no transport may forward (e.g. Content-Length that is not 1*DIGIT): 400, then close.
            _closeRequested = true;
            _x.ResetForRequest();
            _requestLength = _len;
            Reply(LocalReply.Empty(400));
            return true;
        }
        if (status == HeadStatus.HandOff) return HandOff("not a simple HTTP/1.1 or HTTP/1.0 request");
        var body = head.ContentLength;
        if (body > ClientConnectionPolicy.MaxBufferedBodyOr(_listener.Port.Current.Connection, MaxBufferedBody))
            return HandOff("request body larger than the loop buffers (or the port's connection.bufferLimit)");
        var length = head.HeadLength + (int)body;
        if (length > _len)
        {
            _x.EnsureHeadBuffer(length, _len);
            return false;
        }
        var port = _listener.Port.Current;
        _requestStart = _partialSince != 0 ? _partialSince : Loop.Now;
        _receivedDeadline = 0;
        if (port.Connection is { } connection)
        {
            if (connection.RequestReceivedMs > 0) _receivedDeadline = _requestStart + connection.RequestReceivedMs;
            // The connection's last request (count or age): its response says Connection: close, then it closes.
            if (connection.CloseAfter(++_served, _opened, Loop.Now)) _closeRequested = true;
        }
        var decision = _x.Route(port);
        if (decision == Http1Decision.HandOff) return HandOff(_x.HandOffReason!);
        _requestLength = length;
        _partialSince = 0;
        Proceed(decision);
        return true;
    }

    /// <summary>Carries out a routed request's decision: wait for a pending one, answer, or forward.</summary>
    private void Proceed(Http1Decision decision)
    {
        switch (decision)
        {
            case Http1Decision.HandOff:
                HandOff(_x.HandOffReason!);
                return;
            case Http1Decision.Pending:
                AwaitDecision();
                return;
            case Http1Decision.Reply:
                _owner.CountLoopRequest();
                Reply(_x.Reply!);
                return;
        }
        BuildForward();
        _state = State.Upstream;
        _up.Start();
    }

    /// <summary>The request as the backend gets it (head and buffered body).</summary>
    private void BuildForward()
    {
        _x.BuildForwardedHead(_clientIp);
        var body = (int)_x.Head.ContentLength;
        if (body > 0) _x.Forward.Append(_x.HeadBuffer.AsSpan(_x.Head.HeadLength, body));
    }

    private int _decision;

    /// <summary>
    /// Parks the connection while a decision waits on another service (ext auth, Redis): nothing is read from the
    /// client meanwhile; the outcome comes back to this loop's thread through <see cref="Loop.Post"/>, and is dropped
    /// if the connection ended in between. The step's own timeout bounds the wait; the activity deadline is a backstop.
    /// </summary>
    private void AwaitDecision()
    {
        _state = State.Deciding;
        Deadline = Loop.Now + (long)Options.BackendActivityTimeout.TotalMilliseconds;
        if (_receivedDeadline != 0 && _receivedDeadline < Deadline) Deadline = _receivedDeadline;
        var id = ++_decision;
        var awaiter = _x.Policy.TakePending().ConfigureAwait(false).GetAwaiter();
        if (awaiter.IsCompleted)
        {
            Decided(id, awaiter.GetResult());
            return;
        }
        awaiter.OnCompleted(() =>
        {
            var outcome = awaiter.GetResult();
            Loop.Post(() => Decided(id, outcome));
        });
    }

    private void Decided(int id, DecideOutcome outcome)
    {
        if (_state != State.Deciding || id != _decision) return; // the client went away meanwhile
        Proceed(_x.Resume(outcome));
    }

    /// <summary>
    /// The PROXY protocol header the port's connections start with: false while more bytes are needed or when the
    /// connection was closed (no valid header and not optional); true once the buffer holds only what follows it.
    /// </summary>
    private bool ReadProxyHeader()
    {
        var status = ProxyHeaderParser.Parse(_x.HeadBuffer.AsSpan(0, _len), out var consumed, out var source);
        switch (status)
        {
            case ProxyHeaderStatus.Incomplete:
                if (_len < ProxyHeaderParser.MaxV2Length) return false;
                break;
            case ProxyHeaderStatus.Absent when _proxyHeader!.Optional:
                _proxyHeader = null;
                return true;
            case ProxyHeaderStatus.Complete:
                _proxyHeader = null;
                _len -= consumed;
                if (_len > 0) _x.HeadBuffer.AsSpan(consumed, _len).CopyTo(_x.HeadBuffer);
                if (source is not null)
                {
                    _proxied = true;
                    _clientIp = ForwardedHeaders.ClientAddressBytes(source.Address);
                    _x.RemoteEndPoint = source;
                    _x.Policy.SetClient(source.Address, _clientIp);
                }
                if (_len == 0) return false;
                return true;
        }
        _owner.LogAborted("no valid PROXY protocol header");
        _listener.Port.Connections.ProxyHeaderRejectedOnce();
        Close();
        return false;
    }

    /// <summary>Gives the connection to Kestrel with everything read so far; true (the loop is done with it).</summary>
    private bool HandOff(string reason)
    {
        if (_tls is not null) return BridgeToKestrel(reason);
        _state = State.Closed;
        DropKept();
        _listener.CountHandOff(reason);
        Loop.Unregister(this);
        _listener.HandOff(Fd, _x.HeadBuffer.AsSpan(0, _len).ToArray(), _proxied ? _x.RemoteEndPoint : null, _x.Fingerprints);
        return true;
    }

    /// <summary>The request is complete and its response is out: next request, or close.</summary>
    private void AfterResponse()
    {
        _owner.Completed(TransportSet.EventLoop, _x, aborted: false);
        if (_x.Head.ConnectionClose || _closeRequested)
        {
            Close();
            return;
        }
        var rest = _len - _requestLength;
        if (rest > 0) _x.HeadBuffer.AsSpan(_requestLength, rest).CopyTo(_x.HeadBuffer);
        _len = rest;
        _requestLength = 0;
        _state = State.Head;
        ArmHeadDeadline();
        ReadHead();
    }

    /// <summary>Sends what <see cref="Http1Exchange.Response"/> holds from <see cref="_outSent"/>; true when all of it went.</summary>
    private bool FlushClient()
    {
        var o = _x.Response;
        while (_outSent < o.Length)
        {
            if (!Writable) return false;
            var n = SendClient(o.Span[_outSent..]);
            if (n == -2)
                throw ClientGone("writing the response");
            if (n > 0)
            {
                _outSent += n;
                _x.BytesSent += n;
            }
        }
        if (_tls is not null && !FlushCipher()) return false; // the rest of the ciphertext goes when the client takes it
        o.Clear();
        _outSent = 0;
        return true;
    }

    /// <summary>The client's socket failed <paramref name="doing"/>, with the reason its last error gives.</summary>
    private ClientGoneException ClientGone(string doing) => new($"{doing}: {new System.Net.Sockets.SocketException(LastError).Message}");

    /// <summary>The client took more: finish the flush and carry on where it stopped.</summary>
    private void ContinueFlush()
    {
        Deadline = Loop.Now + (long)Options.BackendActivityTimeout.TotalMilliseconds;
        if (!FlushClient()) return;
        if (_state == State.Flushing) AfterResponse();
        else if (_state == State.Upstream) _up.Resume();
    }

    /// <summary>Closes the client connection (and the backend connection of an unfinished exchange).</summary>
    public void Close()
    {
        if (_state == State.Closed) return;
        var bridged = _bridge is not null;
        _state = State.Closed;
        _up.Cancel();
        _h2?.Close();
        DropKept();
        CloseTls();
        Loop.Unregister(this);
        Native.close(Fd);
        if (!bridged) _listener.ConnectionClosed(); // a bridged connection is counted by Kestrel since the hand-off
    }

    public override void Abort(string reason)
    {
        if (_state == State.Closed) return;
        _owner.LogAborted(reason);
        if (_state < State.Closed && _state != State.Head) _owner.Completed(TransportSet.EventLoop, _x, aborted: true);
        _aborting = true;
        Close();
    }
}
