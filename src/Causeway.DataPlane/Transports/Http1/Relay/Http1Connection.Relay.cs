using System.Runtime.CompilerServices;
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Causeway.DataPlane.Transports.Http1.Relay;

internal sealed partial class Http1Connection
{
    private long _bodyLeft;

    /// <summary>When the current request must have been received (Environment.TickCount64; 0: no requestReceivedTimeout).</summary>
    private long _requestDeadline;
    private bool _backendAnswered;
    private bool _clientStarted;
    private ChunkedScanner _chunks;

    /// <summary>Relays the routed request and its response; returns whether the client connection stays open.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RelayAsync()
    {
        _owner.CountRequest();
        _x.UpstreamStarted();
        var backend = _x.Target!.Backend!;
        _bodyLeft = _x.Head.ContentLength;
        var index = _x.NextEndpoint(backend);
        if (index < 0) return await AnswerAsync(UpstreamFailure.ConnectFailed, "no endpoints", "-").ConfigureAwait(false);
        var pool = backend.FastEndpoints![index];
        _x.SetUpstream(pool);
        var connection = pool.ProxyProtocol is null ? pool.TryRent() : TakeKept(pool);
        var retried = false;
        while (true)
        {
            if (connection is null)
            {
                if (!pool.TryOpenConnection())
                    return await AnswerAsync(UpstreamFailure.Overflow, "the endpoint has its circuitBreaker.perEndpoint.maxConnections open", pool.Key).ConfigureAwait(false);
                try
                {
                    // A new connection to a proxyProtocol backend starts with this client connection's PROXY header.
                    connection = await pool.ConnectAsync(CancellationToken.None,
                        pool.ProxyProtocol is { } version ? _x.ProxyHeader(version, _connection.LocalEndPoint) : null).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
                {
                    return await AnswerAsync(UpstreamFailure.ConnectFailed, ex.Message, pool.Key).ConfigureAwait(false);
                }
            }
            _backendAnswered = false;
            _clientStarted = false;
            connection.Requests++;
            try
            {
                if (_bodyLeft == 0 && connection.CanSendDirect)
                {
                    await SendHeadToBackendAsync(connection).ConfigureAwait(false);
                }
                else
                {
                    connection.PipeUsed = true; // from now on this connection only writes through its pipe
                    connection.Output.Write(_x.Forward.Span);
                    if (_bodyLeft > 0) await SendBodyAsync(connection).ConfigureAwait(false);
                    else await FlushBackendAsync(connection).ConfigureAwait(false);
                }
                var reusable = await RelayResponseAsync(connection).ConfigureAwait(false);
                _x.UpstreamEnded();
                if (reusable && pool.ProxyProtocol is not null) Keep(pool, connection);
                else if (reusable) pool.Return(connection);
                else connection.Close();
                return !_x.Head.ConnectionClose && !CloseRequested;
            }
            catch (ClientGoneException)
            {
                connection.Close();
                throw;
            }
            catch (Policies.ClientTraffic.Connection.RequestNotReceivedException ex)
            {
                // The body was still arriving at requestReceivedTimeout: Envoy's 408, and both connections close.
                connection.Close();
                _x.UpstreamEnded();
                _policyClose = true;
                _owner.LogAborted(ex.Message);
                return await ReplyAsync(Policies.ClientTraffic.Connection.ClientConnectionPolicy.RequestTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ConnectionAbortedException
                or ConnectionResetException or SocketException or BackendProtocolException)
            {
                connection.Close();
                if (_clientStarted) throw; // part of the response is out: all that is left is to close
                var failure = ex is OperationCanceledException ? UpstreamFailure.Timeout
                    : ex is BackendProtocolException || _backendAnswered ? UpstreamFailure.BadResponse
                    : UpstreamFailure.ClosedBeforeAnswer;
                if (UpstreamDecision.RetryOnFreshConnection(failure, connection.Reused, _backendAnswered, replayable: _x.Head.ContentLength == 0, retried))
                {
                    retried = true;
                    _x.UpstreamRetried(ex.Message);
                    connection = null;
                    continue;
                }
                return await AnswerAsync(failure, ex.Message, pool.Key).ConfigureAwait(false);
            }
        }
    }

    private Http1BackendConnection? _kept;
    private Http1EndpointPool? _keptPool;

    /// <summary>
    /// A connection that began with this client connection's PROXY header is reused by this client connection only
    /// (Envoy keys such pools by the client connection's addresses): kept here, not in the endpoint's pool, one at a
    /// time, and closed with the client connection.
    /// </summary>
    private void Keep(Http1EndpointPool pool, Http1BackendConnection connection)
    {
        if (pool.IsClosed || pool.Spent(connection.Requests))
        {
            connection.Close();
            return;
        }
        if (_kept is { } older && !ReferenceEquals(older, connection)) older.Close();
        _kept = connection;
        _keptPool = pool;
    }

    /// <summary>The connection kept for this client connection to <paramref name="pool"/>'s endpoint, if it is still open and quiet.</summary>
    private Http1BackendConnection? TakeKept(Http1EndpointPool pool)
    {
        if (_kept is not { } kept || !ReferenceEquals(_keptPool, pool)) return null;
        _kept = null;
        _keptPool = null;
        // As in the endpoint's pool: data or end-of-stream on an idle connection means the backend is done with it.
        if (pool.IsClosed || kept.Input.TryRead(out var r) && Consumed(kept, r))
        {
            kept.Close();
            return null;
        }
        kept.Reused = true;
        return kept;
    }

    private static bool Consumed(Http1BackendConnection c, ReadResult r)
    {
        c.Input.AdvanceTo(r.Buffer.Start);
        return true;
    }

    private void DropKept()
    {
        _kept?.Close();
        _kept = null;
        _keptPool = null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendBodyAsync(Http1BackendConnection backend)
    {
        while (_bodyLeft > 0)
        {
            ReadResult r;
            var wait = _owner.Options.BackendActivityTimeout;
            var byDeadline = false;
            if (_requestDeadline != 0)
            {
                // requestReceivedTimeout bounds the body too, from the head's first byte.
                var left = _requestDeadline - Environment.TickCount64;
                if (left <= 0) throw new Policies.ClientTraffic.Connection.RequestNotReceivedException();
                if (left < wait.TotalMilliseconds)
                {
                    wait = TimeSpan.FromMilliseconds(left);
                    byDeadline = true;
                }
            }
            Arm(wait);
            try
            {
                r = await _input.ReadAsync(Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (byDeadline)
            {
                throw new Policies.ClientTraffic.Connection.RequestNotReceivedException();
            }
            catch (Exception ex)
            {
                throw new ClientGoneException("reading the request body: " + ex.Message);
            }
            var buffer = r.Buffer;
            if (r.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start);
                continue;
            }
            if (buffer.IsEmpty && r.IsCompleted) throw new ClientGoneException("request body ended early");
            var take = Math.Min(_bodyLeft, buffer.Length);
            var part = buffer.Slice(0, take);
            foreach (var segment in part) backend.Output.Write(segment.Span);
            _input.AdvanceTo(part.End); // the sequence is invalid from here on
            _bodyLeft -= take;
            await FlushBackendAsync(backend).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushBackendAsync(Http1BackendConnection backend)
    {
        Arm(_owner.Options.BackendActivityTimeout);
        var f = await backend.Output.FlushAsync(Token).ConfigureAwait(false);
        if (f.IsCompleted) throw new IOException("backend connection closed");
    }

    /// <summary>Reads the response head (skipping interim 1xx), writes it and relays the body; true when reusable.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RelayResponseAsync(Http1BackendConnection backend)
    {
        var input = backend.Input;
        const int limit = UpstreamDecision.MaxResponseHead;
        ReadResult r;
        int headLength;
        while (true)
        {
            Arm(_owner.Options.BackendActivityTimeout);
            r = await input.ReadAsync(Token).ConfigureAwait(false);
            var buffer = r.Buffer;
            if (!buffer.IsEmpty) _backendAnswered = true;
            headLength = FindHeadEnd(buffer, limit);
            if (headLength > 0)
            {
                _x.EnsureResponseBuffer(headLength);
                buffer.Slice(0, headLength).CopyTo(_x.ResponseBuffer);
                if (_x.ParseResponseHead(headLength)) break;
                input.AdvanceTo(buffer.GetPosition(headLength)); // interim answer: dropped, as HttpClient does
                continue;
            }
            NeedMoreHead(input, r, limit);
        }
        var rest = r.Buffer.Slice(headLength);
        if (_x.ResponseHead.Framing == BodyFraming.Chunked) ChunkedScanner.Probe(rest);
        _x.WriteResponseHead(_x.Head.ConnectionClose || CloseRequested);
        CommitResp();
        _clientStarted = true;
        switch (_x.ResponseHead.Framing)
        {
            case BodyFraming.None:
                input.AdvanceTo(rest.Start);
                await FlushClientAsync().ConfigureAwait(false);
                break;
            case BodyFraming.Length:
                await RelayLengthAsync(input, rest, _x.ResponseHead.ContentLength).ConfigureAwait(false);
                break;
            case BodyFraming.Chunked:
                await RelayChunkedAsync(input, rest).ConfigureAwait(false);
                break;
            default:
                await RelayUntilCloseAsync(input, rest, r.IsCompleted).ConfigureAwait(false);
                return false;
        }
        if (!_x.ResponseHead.KeepAlive) return false;
        if (input.TryRead(out var extra))
        {
            input.AdvanceTo(extra.Buffer.Start);
            return false; // more than the framing announced, or closed: not reusable
        }
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RelayLengthAsync(PipeReader input, ReadOnlySequence<byte> rest, long length)
    {
        while (true)
        {
            var take = Math.Min(length, rest.Length);
            var part = rest.Slice(0, take);
            await SendToClientAsync(part).ConfigureAwait(false);
            input.AdvanceTo(part.End); // the sequence is invalid from here on
            length -= take;
            if (length == 0) return;
            rest = await ReadBackendAsync(input).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RelayChunkedAsync(PipeReader input, ReadOnlySequence<byte> rest)
    {
        _chunks.Reset();
        while (true)
        {
            long scanned = 0;
            foreach (var segment in rest)
            {
                scanned += _chunks.Scan(segment.Span);
                if (_chunks.IsDone) break;
            }
            var part = rest.Slice(0, scanned);
            await SendToClientAsync(part).ConfigureAwait(false);
            input.AdvanceTo(part.End);
            if (_chunks.IsDone) return;
            rest = await ReadBackendAsync(input).ConfigureAwait(false);
        }
    }

    /// <summary>A close-delimited body goes to the client chunked, so the client connection survives (as on Kestrel).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RelayUntilCloseAsync(PipeReader input, ReadOnlySequence<byte> rest, bool completed)
    {
        while (true)
        {
            if (rest.Length > 0)
            {
                ClientWriteChunkSize((int)rest.Length);
                await SendToClientAsync(rest).ConfigureAwait(false);
                ClientWrite("\r\n"u8);
            }
            input.AdvanceTo(rest.End);
            if (completed)
            {
                ClientWrite("0\r\n\r\n"u8);
                await FlushClientAsync().ConfigureAwait(false);
                return;
            }
            await FlushClientAsync().ConfigureAwait(false);
            Arm(_owner.Options.BackendActivityTimeout);
            var r = await input.ReadAsync(Token).ConfigureAwait(false);
            rest = r.Buffer;
            completed = r.IsCompleted;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlySequence<byte>> ReadBackendAsync(PipeReader input)
    {
        Arm(_owner.Options.BackendActivityTimeout);
        var r = await input.ReadAsync(Token).ConfigureAwait(false);
        if (r.Buffer.IsEmpty && r.IsCompleted) throw new IOException("backend closed the connection mid-body");
        return r.Buffer;
    }

    /// <summary>An upstream failure's answer (503/502/504 with an empty body, <see cref="UpstreamDecision"/>).</summary>
    private ValueTask<bool> AnswerAsync(UpstreamFailure failure, string reason, string endpoint)
    {
        _x.Failure = failure;
        _x.UpstreamEnded();
        if (failure == UpstreamFailure.ConnectFailed) _x.Target?.Backend?.Stats.ConnectError();
        var status = UpstreamDecision.Status(failure);
        _owner.LogBackendError(endpoint, status, reason);
        return ReplyAsync(UpstreamDecision.Reply(failure));
    }

    /// <summary>Writes a reply of the gateway's own; returns whether the client connection stays open.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReplyAsync(LocalReply reply)
    {
        if (_timeout.IsCancellationRequested)
        {
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }
        // Unread request body bytes would be taken for the next request: close instead.
        var close = _x.Head.ConnectionClose || _bodyLeft > 0 || CloseRequested;
        _x.WriteReply(reply, close);
        CommitResp();
        await FlushClientAsync().ConfigureAwait(false);
        return !close;
    }
}
