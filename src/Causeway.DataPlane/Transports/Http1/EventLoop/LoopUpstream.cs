namespace Causeway.DataPlane.Transports.Http1.EventLoop;

/// <summary>
/// The backend half of a loop exchange: connect or reuse, send the forwarded request (and a streamed body), read the
/// response head, relay the body by its framing (length, chunked, none, or until close), with backpressure: while the
/// client has not taken the last bytes, the backend is not read. Retries, the route's timeouts and the answers to
/// failures are decided here, once for every loop transport; what the client sees is written by its
/// <see cref="IUpstreamClient"/> (an HTTP/1.1 connection, or one HTTP/2 stream). One per client connection or stream,
/// reused for each of its requests.
/// </summary>
internal sealed class LoopUpstream(Loop loop, Http1Exchange x, IUpstreamClient client)
{
    private enum State { Idle, Backoff, Connecting, Sending, Awaiting, Body }

    private readonly Http1FastPath _owner = loop.Owner;
    private readonly Http1Exchange _x = x;
    private readonly IUpstreamClient _client = client;
    private State _state;
    private LoopBackend? _backend;
    private Http1EndpointPool? _pool;
    private int _sendOffset;
    private long _bodySent;
    private long _bodyLeft;
    private ChunkedScanner _chunks;
    private ByteBuilder? _trailers;
    private bool _retried;
    private bool _backendAnswered;
    private bool _clientStarted;

    private byte[]? _preamble;
    private int _preambleSent;

    private int _attempt;
    private long _requestDeadline;
    private long _attemptDeadline;
    private int _retryId;

    public Loop Loop { get; } = loop;
    private DataPlaneOptions Options => Loop.Options;

    /// <summary>Response bytes went to the client: a failure now cuts the response instead of answering.</summary>
    public bool ClientStarted => _clientStarted;

    /// <summary>Starts the routed request's exchange (its forwarded head is in <see cref="Http1Exchange.Forward"/>).</summary>
    public void Start()
    {
        _owner.CountLoopRequest();
        _attempt = 0;
        var rule = _x.Match?.Rule;
        _requestDeadline = rule?.RequestTimeout is { } rt ? Loop.Now + (long)rt.TotalMilliseconds : 0;
        StartAttempt();
    }

    /// <summary>The client went away (or the exchange is abandoned): the backend connection is closed, nothing more happens.</summary>
    public void Cancel()
    {
        _state = State.Idle;
        _retryId++;
        ReleaseBackend(reusable: false);
    }

    /// <summary>The client took what it was given: relay on.</summary>
    public void Resume()
    {
        if (_state == State.Body) ReadBackend();
    }

    /// <summary>More request body arrived from the client: send it on if the request is being sent.</summary>
    public void RequestBodyArrived()
    {
        if (_state == State.Sending && _backend!.Writable) ContinueSend();
    }

    /// <summary>One attempt at the backend: the first, or a retry of the route's policy (the same request bytes).</summary>
    private void StartAttempt()
    {
        _retried = false;
        _clientStarted = false;
        _attemptDeadline = _x.Match?.Rule.BackendRequestTimeout is { } bt ? Loop.Now + (long)bt.TotalMilliseconds : 0;
        // A retry's trace span was started (and the forwarded traceparent patched) by UpstreamRetried.
        if (_attempt == 0) _x.UpstreamStarted();
        else _x.UpstreamResumed();
        var backend = _x.Target!.Backend!;
        var index = _x.NextEndpoint(backend);
        if (index < 0)
        {
            Answer(UpstreamFailure.ConnectFailed, "no endpoints", "-");
            return;
        }
        _pool = backend.FastEndpoints![index];
        _x.SetUpstream(_pool);
        var idle = _pool.ProxyProtocol is null ? Loop.RentBackend(_pool) : TakeKept(_pool);
        if (idle is null)
        {
            Connect();
            return;
        }
        idle.Owner = this;
        idle.Reused = true;
        _backend = idle;
        SendRequest();
    }

    /// <summary>
    /// The next deadline of the exchange: <paramref name="milliseconds"/> from now, or the route's request timeout or
    /// per-attempt timeout if either comes first.
    /// </summary>
    private void ArmDeadline(long milliseconds)
    {
        var deadline = Loop.Now + milliseconds;
        if (_requestDeadline != 0 && _requestDeadline < deadline) deadline = _requestDeadline;
        if (_attemptDeadline != 0 && _attemptDeadline < deadline) deadline = _attemptDeadline;
        _client.SetDeadline(deadline);
    }

    /// <summary>
    /// The route's retry policy (BackendTrafficPolicy or HTTPRoute retry) asks for another attempt after this one
    /// answered <paramref name="status"/> (or failed with it): true when one was started (after the backoff), the
    /// endpoint given back with the outcome first. The request's bytes are all buffered, so any request can go again.
    /// <paramref name="reason"/> is for the log (null: "retried on status N", written only when it retries): the check
    /// runs for every response and allocates nothing when it does not retry.
    /// </summary>
    private bool RetryByPolicy(int status, UpstreamFailure? failure, string? reason)
    {
        if (_clientStarted || _x.Match?.Rule is not { RetryAttempts: > 0 } rule || _attempt >= rule.RetryAttempts || !_client.Replayable) return false;
        if (failure is { } f ? !UpstreamDecision.RetryFailure(rule, status, f) : !UpstreamDecision.RetryAnswer(rule, status)) return false;
        if (_requestDeadline != 0 && Loop.Now >= _requestDeadline) return false;
        if (!UpstreamDecision.AdmitRetry(rule, _x.Policy, _x.Target?.Backend?.Stats)) return false; // retry overflow: answered as it is
        _attempt++;
        ReleaseBackend(reusable: false);
        _x.Policy.ReleaseEndpoint(status, failure is UpstreamFailure.ConnectFailed or UpstreamFailure.ConnectTimeout);
        _x.Target?.Backend?.Stats.Retry();
        _x.UpstreamRetried(reason ?? $"retried on status {status}");
        _x.Failure = null;
        var wait = rule.RetryBackoffFor(_attempt);
        if (wait <= TimeSpan.Zero)
        {
            StartAttempt();
            return true;
        }
        BackOff(wait);
        return true;
    }

    /// <summary>The next attempt after <paramref name="wait"/> (its own method: the closure is allocated only here).</summary>
    private void BackOff(TimeSpan wait)
    {
        _state = State.Backoff;
        ArmDeadline((long)wait.TotalMilliseconds + (long)Options.BackendActivityTimeout.TotalMilliseconds);
        var id = ++_retryId;
        _ = Task.Delay(wait).ContinueWith(_ => Loop.Post(() =>
        {
            if (_state == State.Backoff && id == _retryId) StartAttempt();
        }), TaskScheduler.Default);
    }

    private void Connect()
    {
        if (!_pool!.TryOpenConnection(first: Loop.OpenTo(_pool) == 0))
        {
            _x.UpstreamEnded();
            Answer(UpstreamFailure.Overflow, "the endpoint has its circuitBreaker.perEndpoint.maxConnections open", _pool.Key);
            return;
        }
        _backend = LoopBackend.Connect(Loop, _pool!, this, out var error);
        if (_backend is null)
        {
            _x.UpstreamEnded();
            _x.Target?.Backend?.Stats.ConnectError();
            Answer(UpstreamFailure.ConnectFailed, error ?? "connect failed", _pool!.Key);
            return;
        }
        _state = State.Connecting;
        ArmDeadline((long)(_pool!.ConnectTimeout ?? Options.BackendConnectTimeout).TotalMilliseconds);
    }

    /// <summary>Events of the backend connection this exchange uses.</summary>
    public void OnBackendEvents(uint events)
    {
        switch (_state)
        {
            case State.Connecting:
                if ((events & (Native.EpollOut | Native.EpollErr | Native.EpollHup)) == 0) return;
                var error = _backend!.ConnectError();
                if (error != 0)
                {
                    BackendFailed(UpstreamFailure.ConnectFailed, $"connect failed: {new System.Net.Sockets.SocketException(error).Message}");
                    return;
                }
                SendRequest();
                return;
            case State.Sending:
                if ((events & (Native.EpollOut | Native.EpollErr | Native.EpollHup)) != 0) ContinueSend();
                return;
            case State.Awaiting:
            case State.Body:
                if (_backend!.Readable && (_state == State.Awaiting || _client.Flush())) ReadBackend();
                return;
        }
    }

    private void SendRequest()
    {
        _state = State.Sending;
        _backend!.Requests++;
        _sendOffset = 0;
        _bodySent = 0;
        _backendAnswered = false;
        // A new connection to a proxyProtocol backend starts with the client connection's PROXY header.
        _preamble = !_backend.Reused && _backend.Pool.ProxyProtocol is { } version ? _x.ProxyHeader(version, _client.LocalAddress) : null;
        _preambleSent = 0;
        ContinueSend();
    }

    private void ContinueSend()
    {
        if (_preamble is { } preamble)
        {
            while (_preambleSent < preamble.Length)
            {
                var sent = _backend!.Send(preamble.AsSpan(_preambleSent));
                if (sent == -2)
                {
                    BackendFailed(UpstreamFailure.ClosedBeforeAnswer, "backend connection closed while sending");
                    return;
                }
                if (sent == -1)
                {
                    ArmDeadline((long)Options.BackendActivityTimeout.TotalMilliseconds);
                    return; // the rest on the next write event
                }
                _preambleSent += sent;
            }
            _preamble = null;
        }
        var bytes = _x.Forward.Span;
        while (_sendOffset < bytes.Length)
        {
            var n = _backend!.Send(bytes[_sendOffset..]);
            if (n == -2)
            {
                BackendFailed(UpstreamFailure.ClosedBeforeAnswer, "backend connection closed while sending");
                return;
            }
            if (n == -1) break;
            _sendOffset += n;
        }
        ArmDeadline((long)Options.BackendActivityTimeout.TotalMilliseconds);
        if (_sendOffset < bytes.Length) return; // the rest on the next write event
        if (!SendBody()) return;
        _state = State.Awaiting;
        if (_backend!.Readable) ReadBackend();
    }

    /// <summary>
    /// Sends the request body the client streams after the head (an HTTP/2 request's DATA): true once all of it went,
    /// false while the backend or the client has more to give (the next write event or <see cref="RequestBodyArrived"/>
    /// goes on) or the exchange failed.
    /// </summary>
    private bool SendBody()
    {
        while (true)
        {
            var body = _client.RequestBody(_bodySent, out var complete);
            if (body.IsEmpty) return complete;
            var n = _backend!.Send(body);
            if (n == -2)
            {
                BackendFailed(UpstreamFailure.ClosedBeforeAnswer, "backend connection closed while sending the request body");
                return false;
            }
            if (n == -1) return false;
            _bodySent += n;
            _client.RequestBodySent(_bodySent);
        }
    }

    /// <summary>Works through what the backend sent (and reads more while it can) until the exchange waits or ends.</summary>
    private void ReadBackend()
    {
        while (_state is State.Awaiting or State.Body)
        {
            var b = _backend!;
            if (b.End > b.Start)
            {
                bool more;
                try
                {
                    more = _state == State.Awaiting ? TakeResponseHead(b) : RelayBody(b);
                }
                catch (BackendProtocolException ex) // a malformed response head or chunked body
                {
                    BackendFailed(UpstreamFailure.BadResponse, ex.Message);
                    return;
                }
                if (!more) return;
                continue;
            }
            if (!b.Readable) return;
            var n = b.ReceiveMore();
            if (n > 0)
            {
                _backendAnswered = true;
                ArmDeadline((long)Options.BackendActivityTimeout.TotalMilliseconds);
                continue;
            }
            if (n == -1) return;
            BackendEnded(n == 0 ? "closed" : "reset");
            return;
        }
    }

    /// <summary>The backend closed (or reset) its side: the end of a close-delimited body, else a failure.</summary>
    private void BackendEnded(string how)
    {
        if (_state == State.Body && _x.ResponseHead.Framing == BodyFraming.Close && how == "closed")
        {
            Finish(reusable: false);
            return;
        }
        if (_state == State.Awaiting)
        {
            var started = _backend!.End > 0;
            if (started) BackendFailed(UpstreamFailure.BadResponse, "incomplete response head");
            else BackendFailed(UpstreamFailure.ClosedBeforeAnswer, $"backend {how} the connection before answering");
            return;
        }
        BackendFailed(UpstreamFailure.BadResponse, $"backend {how} the connection mid-body");
    }

    /// <summary>
    /// Parses the response head once complete and starts the response; false while more bytes are needed. A malformed
    /// head throws <see cref="BackendProtocolException"/>.
    /// </summary>
    private bool TakeResponseHead(LoopBackend b)
    {
        const int limit = UpstreamDecision.MaxResponseHead;
        var available = b.Buffer.AsSpan(b.Start, b.End - b.Start);
        var end = available.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (available.Length >= limit) BackendFailed(UpstreamFailure.BadResponse, "response head too large");
            return false;
        }
        var headLength = end + 4;
        _x.EnsureResponseBuffer(headLength);
        available[..headLength].CopyTo(_x.ResponseBuffer);
        b.Start += headLength;
        if (!_x.ParseResponseHead(headLength)) return true; // interim 1xx: dropped, as HttpClient does
        if (RetryByPolicy(_x.ResponseHead.Status, null, reason: null)) return false;
        if (_x.ResponseHead.Framing == BodyFraming.Chunked)
            ChunkedScanner.Probe(new System.Buffers.ReadOnlySequence<byte>(b.Buffer, b.Start, b.End - b.Start));
        _clientStarted = true;
        _client.ResponseHead();
        switch (_x.ResponseHead.Framing)
        {
            case BodyFraming.None:
                Finish(reusable: true);
                return false;
            case BodyFraming.Length:
                _bodyLeft = _x.ResponseHead.ContentLength;
                if (_bodyLeft == 0)
                {
                    Finish(reusable: true);
                    return false;
                }
                break;
            case BodyFraming.Chunked:
                _chunks.Reset();
                _trailers?.Clear();
                break;
        }
        _state = State.Body;
        if (b.End == b.Start && !_client.Flush()) return false; // head out first; the body follows the client
        return true;
    }

    /// <summary>
    /// Moves buffered body bytes to the client; false when the exchange waits (client full) or ended. A malformed chunked
    /// body throws <see cref="BackendProtocolException"/>.
    /// </summary>
    private bool RelayBody(LoopBackend b)
    {
        var available = b.Buffer.AsSpan(b.Start, b.End - b.Start);
        var done = false;
        switch (_x.ResponseHead.Framing)
        {
            case BodyFraming.Length:
                var take = (int)Math.Min(_bodyLeft, available.Length);
                _client.ResponseBody(available[..take]);
                b.Start += take;
                _bodyLeft -= take;
                done = _bodyLeft == 0;
                break;
            case BodyFraming.Chunked when _client.DecodesChunks:
                while (!available.IsEmpty && !_chunks.IsDone)
                {
                    var n = _chunks.ScanData(available, _trailers ??= new ByteBuilder(), out var data);
                    if (data > 0) _client.ResponseBody(available.Slice(n - data, data));
                    available = available[n..];
                    b.Start += n;
                }
                done = _chunks.IsDone;
                if (done && _trailers!.Length > 0) _client.ResponseTrailers(_trailers.Span);
                break;
            case BodyFraming.Chunked:
                var scanned = _chunks.Scan(available);
                _client.ResponseBody(available[..scanned]);
                b.Start += scanned;
                done = _chunks.IsDone;
                break;
            default: // close-delimited
                _client.ResponseBody(available);
                b.Start = b.End;
                break;
        }
        if (done)
        {
            Finish(reusable: true);
            return false;
        }
        return _client.Flush();
    }

    /// <summary>The backend's response is complete: release the backend, then flush and go on to the next request.</summary>
    private void Finish(bool reusable)
    {
        _x.UpstreamEnded();
        var b = _backend!;
        ReleaseBackend(reusable && _x.ResponseHead.KeepAlive && b.Start == b.End);
        _state = State.Idle;
        _client.ResponseEnd();
    }

    private void ReleaseBackend(bool reusable)
    {
        var b = _backend;
        if (b is null) return;
        _backend = null;
        if (reusable && b.Pool.ProxyProtocol is not null) Keep(b);
        else if (reusable) Loop.ReturnBackend(b);
        else
        {
            b.Owner = null;
            b.Close();
        }
    }

    /// <summary>
    /// A connection that began with this client connection's PROXY header is reused by this client connection only
    /// (as Envoy keys such pools by the client connection's addresses): it is kept here, idle, not in the loop's pool.
    /// One is kept at a time; it closes with the client connection.
    /// </summary>
    private void Keep(LoopBackend b)
    {
        if (b.Pool.IsClosed || b.Pool.Spent(b.Requests))
        {
            b.Owner = null;
            b.Close();
            return;
        }
        if (_client.Kept is { } older && !ReferenceEquals(older, b)) older.Close();
        b.MakeIdle(Loop.Now);
        _client.Kept = b;
    }

    /// <summary>The connection kept for this client connection to <paramref name="pool"/>'s endpoint, if still open.</summary>
    private LoopBackend? TakeKept(Http1EndpointPool pool)
    {
        var kept = _client.Kept;
        if (kept is null || !ReferenceEquals(kept.Pool, pool)) return null;
        _client.Kept = null;
        if (kept.IsClosed) return null;
        if (!pool.IsClosed) return kept;
        kept.Close();
        return null;
    }

    /// <summary>
    /// The backend failed: a pooled connection that died before answering a bodiless request is retried once on a
    /// fresh one (<see cref="UpstreamDecision"/>); before any response byte went to the client it gets an answer of
    /// the gateway's own; after, it is cut.
    /// </summary>
    private void BackendFailed(UpstreamFailure failure, string reason)
    {
        _x.Failure = failure;
        _x.UpstreamEnded();
        if (failure is UpstreamFailure.ConnectFailed or UpstreamFailure.ConnectTimeout) _x.Target?.Backend?.Stats.ConnectError();
        var reused = _backend?.Reused ?? false;
        ReleaseBackend(reusable: false);
        if (_clientStarted)
        {
            _state = State.Idle;
            _client.Abort(reason);
            return;
        }
        // With a retry policy every further try is one of its attempts (a reset counts, as in Envoy); without, a pooled
        // connection that died while idle gets one uncounted try on a fresh one.
        if (_x.Match?.Rule is not { RetryAttempts: > 0 }
            && UpstreamDecision.RetryOnFreshConnection(failure, reused, _backendAnswered, replayable: _x.Head.ContentLength == 0 && _client.Replayable, _retried))
        {
            _retried = true;
            _x.UpstreamRetried(reason);
            Connect();
            return;
        }
        if (RetryByPolicy(UpstreamDecision.Status(failure), failure, reason)) return;
        Answer(failure, reason, _pool?.Key ?? "-");
    }

    private void Answer(UpstreamFailure failure, string reason, string endpoint)
    {
        _x.Failure = failure;
        var status = UpstreamDecision.Status(failure);
        _owner.LogBackendError(endpoint, status, reason);
        _state = State.Idle;
        _client.Reply(UpstreamDecision.Reply(failure));
    }

    /// <summary>
    /// The deadline the upstream set passed: the route's request timeout, the attempt's, the connect timeout or the
    /// backend's inactivity end the exchange (answered if nothing went to the client yet, else cut).
    /// </summary>
    public void OnDeadline()
    {
        if (_state == State.Idle) return;
        if (_requestDeadline != 0 && Loop.Now >= _requestDeadline)
        {
            if (_clientStarted) Cut("the route's request timeout passed mid-response");
            else BackendFailed(UpstreamFailure.RequestTimeout, "the route's request timeout passed");
            return;
        }
        if (_attemptDeadline != 0 && Loop.Now >= _attemptDeadline && !_clientStarted && _state != State.Backoff)
        {
            BackendFailed(UpstreamFailure.Timeout, "the attempt's timeout passed");
            return;
        }
        switch (_state)
        {
            case State.Backoff:
                Cut("the retry backoff did not end");
                return;
            case State.Connecting:
                BackendFailed(UpstreamFailure.ConnectTimeout, "connect timed out");
                return;
            case State.Sending or State.Awaiting or State.Body when !_clientStarted:
                BackendFailed(UpstreamFailure.Timeout, "backend timed out");
                return;
            default:
                Cut("no progress within the backend activity timeout");
                return;
        }
    }

    /// <summary>The backend connection raised an error the exchange did not handle: cut it.</summary>
    public void Abort(string reason) => Cut(reason);

    private void Cut(string reason)
    {
        _state = State.Idle;
        _retryId++;
        ReleaseBackend(reusable: false);
        _client.Abort(reason);
    }
}
